/*
 * pal monitoreo: the organismo garante's view of every deadline of the
 * PALs it may see (a traffic light per PAL, per commitment and the
 * overdue activities), and pal monitoreo exportar, which saves the list
 * of all activities as JSON or CSV for public reporting.
 *
 * pal monitoreo enlace prints a personal link to the web dashboard
 * (/monitoreo) for the caller, valid a few days: opened in a browser, it
 * starts a session there without the token ever reaching the browser.
 *
 * The view, the export and the link are one table entry (the dispatcher
 * takes a noun-only command before any verb), so the handler tells them
 * apart by the words exportar and enlace and refuses the options of the
 * others. Which PALs the caller may see is the server's to say.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "output.h"
#include "xmalloc.h"

/* The server's bounds for --proximas. */
#define CMD_MONITOREO_PROXIMAS_MAX	366

/* Columns of the widest light, "◐ por vencer". */
#define CMD_MONITOREO_ANCHO		12

/* Each light as people read it, worst last, as the server ranks them. */
static const struct {
	const char	*code;
	const char	*texto;		/* symbol and word */
} cmd_monitoreo_luces[] = {
	{ "cumplido", "✓ cumplido" },
	{ "a_tiempo", "○ a tiempo" },
	{ "por_vencer", "◐ por vencer" },
	{ "vencido", "● vencido" },
};
#define CMD_MONITOREO_NLUCES \
	(sizeof(cmd_monitoreo_luces) / sizeof(cmd_monitoreo_luces[0]))

static const char *
cmd_monitoreo_luz(const char *code)
{
	for (size_t i = 0; code != NULL && i < CMD_MONITOREO_NLUCES; i++)
		if (strcmp(code, cmd_monitoreo_luces[i].code) == 0)
			return cmd_monitoreo_luces[i].texto;
	return code != NULL ? code : "-";
}

/* "1 día", "10 días". Owned. */
static char *
cmd_monitoreo_dias(json_int_t n)
{
	return xasprintf("%" JSON_INTEGER_FORMAT " %s", n, n == 1 ? "día" :
	    "días");
}

/* "2026-11-20 (en progreso, 40 %)" or "sin avances". Owned. */
static char *
cmd_monitoreo_ultimo(const json_t *ua)
{
	const json_t *avance = json_object_get(ua, "avance");
	const char *reportado = cmd_str(ua, "reportado");

	if (!json_is_object(ua))
		return xstrdup("sin avances");
	if (json_is_integer(avance))
		return xasprintf("%.10s (%s, %" JSON_INTEGER_FORMAT " %%)",
		    reportado, cmd_label(cmd_str(ua, "estado")),
		    json_integer_value(avance));
	return xasprintf("%.10s (%s)", reportado,
	    cmd_label(cmd_str(ua, "estado")));
}

static void
cmd_monitoreo_print_pal(const json_t *pal)
{
	const json_t *sem = json_object_get(pal, "semaforo"), *c, *v;
	const json_t *version = json_object_get(pal, "version");
	struct buf luces;
	char *ver;
	size_t i, j;

	buf_init(&luces);
	for (i = CMD_MONITOREO_NLUCES; i-- > 0;)
		buf_printf(&luces, "%s%s %" JSON_INTEGER_FORMAT,
		    i + 1 < CMD_MONITOREO_NLUCES ? ", " : "",
		    cmd_monitoreo_luces[i].texto,
		    cmd_int(sem, cmd_monitoreo_luces[i].code));
	ver = json_is_integer(version) ? xasprintf(", versión %"
	    JSON_INTEGER_FORMAT, json_integer_value(version)) : xstrdup("");
	output_line(stdout, "Mesa %" JSON_INTEGER_FORMAT " «%s» (%s%s): "
	    "avance %" JSON_INTEGER_FORMAT " %%", cmd_int(pal, "mesa_id"),
	    cmd_str(pal, "titulo"), cmd_str(pal, "entidad"), ver,
	    cmd_int(pal, "avance"));
	output_line(stdout, "  %s", luces.data);
	free(ver);
	buf_cleanup(&luces);
	json_array_foreach(json_object_get(pal, "compromisos"), i, c) {
		const char *prox = json_string_value(json_object_get(c,
		    "proximo_vencimiento"));
		const char *luz = cmd_monitoreo_luz(json_string_value(
		    json_object_get(c, "semaforo")));
		size_t w = output_width(luz);

		/* Padded by columns: the symbols are several bytes. */
		output_line(stdout, "  %s%*s %" JSON_INTEGER_FORMAT ". %s — "
		    "%" JSON_INTEGER_FORMAT " %% — próximo vencimiento: %s",
		    luz, (int)(w < CMD_MONITOREO_ANCHO ? CMD_MONITOREO_ANCHO -
		    w : 0), "", cmd_int(c, "numero"), cmd_str(c, "titulo"),
		    cmd_int(c, "avance"), prox != NULL ? prox : "ninguno");
	}
	j = 0;
	json_array_foreach(json_object_get(pal, "compromisos"), i, c) {
		size_t k;

		json_array_foreach(json_object_get(c, "vencidas"), k, v) {
			char *dias = cmd_monitoreo_dias(cmd_int(v,
			    "dias_vencida"));
			char *ultimo = cmd_monitoreo_ultimo(json_object_get(v,
			    "ultimo_avance"));

			if (j++ == 0)
				output_line(stdout, "  Actividades vencidas:");
			output_line(stdout, "    - %" JSON_INTEGER_FORMAT ".%"
			    JSON_INTEGER_FORMAT " %s — responsable: %s — "
			    "venció el %s, hace %s — último avance: %s",
			    cmd_int(c, "numero"), cmd_int(v, "numero"),
			    cmd_str(v, "descripcion"), cmd_str(v,
			    "responsable"), cmd_str(v, "fecha_limite"), dias,
			    ultimo);
			free(dias);
			free(ultimo);
		}
	}
}

static void
cmd_monitoreo_print(const json_t *reply, const struct commands_args *a)
{
	const json_t *pal;
	size_t i;

	(void)a;
	if (json_array_size(json_object_get(reply, "pals")) == 0) {
		output_line(stdout, "No hay PAL en seguimiento que mostrar.");
		return;
	}
	json_array_foreach(json_object_get(reply, "pals"), i, pal) {
		if (i > 0)
			fputc('\n', stdout);
		cmd_monitoreo_print_pal(pal);
	}
}

/* The export: the file as it came, to a new file or standard output. */
static int
cmd_monitoreo_exportar(const struct settings *s,
    const struct commands_args *a, struct buf *path)
{
	const char *formato = commands_opt(a, "formato");
	const char *salida = commands_opt(a, "salida");
	bool csv = formato != NULL && strcmp(formato, "csv") == 0;
	struct api_response r;
	struct error err;
	char *size;
	int rc;

	if (salida != NULL && cmd_output_exists(salida))
		return PAL_EXIT_USAGE;
	buf_puts(path, csv ? "/v1/monitoreo/actividades.csv" :
	    "/v1/monitoreo/actividades.json");
	if (commands_opt(a, "entidad") != NULL)
		api_query_add(path, "entidad", commands_opt(a, "entidad"));
	if (commands_opt(a, "proximas") != NULL)
		api_query_add(path, "proximas", commands_opt(a, "proximas"));
	api_response_init(&r);
	rc = cmd_check(s, api_request_raw(s, "GET", path->data, NULL, NULL, 0,
	    csv ? "text/csv" : "application/json", &r), &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	error_clear(&err);
	if (!cmd_write_new(salida != NULL ? salida : "-", r.body.data,
	    r.body.len, &err)) {
		fprintf(stderr, "error: %s\n", err.message);
		rc = PAL_EXIT_USAGE;
		goto out;
	}
	if (salida == NULL || strcmp(salida, "-") == 0)
		goto out;
	size = cmd_size((json_int_t)r.body.len);
	output_line(s->json ? stderr : stdout, "Actividades guardadas en «%s» "
	    "(%s, %s).", salida, csv ? "CSV" : "JSON", size);
	free(size);
out:
	api_response_cleanup(&r);
	return rc;
}

static void
cmd_monitoreo_print_enlace(const json_t *reply, const struct commands_args *a)
{
	(void)a;
	printf("Enlace a su tablero de monitoreo (vale hasta %s):\n",
	    cmd_str(reply, "expira"));
	printf("%s\n", cmd_str(reply, "url"));
	printf("Ábralo en su navegador; quien tenga el enlace puede ver el "
	    "tablero, así que no lo comparta.\n");
}

/* pal monitoreo enlace: takes no option. */
static int
cmd_monitoreo_enlace(const struct settings *s, const struct commands_args *a)
{
	static const char *const opciones[] = { "entidad", "vencidas",
	    "proximas", "formato", "salida" };

	for (size_t i = 0; i < sizeof(opciones) / sizeof(opciones[0]); i++)
		if (commands_opt(a, opciones[i]) != NULL)
			return commands_usage_error(a->entry, "«enlace» no "
			    "lleva opciones: el tablero tiene sus propios "
			    "filtros");
	return cmd_run(s, a, "POST", "/v1/monitoreo/enlace", NULL, NULL,
	    cmd_monitoreo_print_enlace);
}

int
cmd_monitoreo(const struct settings *s, const struct commands_args *a)
{
	const char *proximas = commands_opt(a, "proximas");
	bool exportar = a->nargs == 1;
	struct buf path;
	int rc;

	if (exportar && strcmp(a->args[0], "enlace") == 0)
		return cmd_monitoreo_enlace(s, a);
	if (exportar && strcmp(a->args[0], "exportar") != 0)
		return commands_usage_error(a->entry, "«%s» no es un verbo de "
		    "«monitoreo»; son «exportar» y «enlace»", a->args[0]);
	if (proximas != NULL && cmd_number(proximas) >
	    CMD_MONITOREO_PROXIMAS_MAX)
		return commands_usage_error(a->entry, "--proximas debe ser un "
		    "número de días entre 1 y %d, no «%s»",
		    CMD_MONITOREO_PROXIMAS_MAX, proximas);
	if (exportar && commands_opt(a, "vencidas") != NULL)
		return commands_usage_error(a->entry, "--vencidas no se usa "
		    "con «exportar»: el archivo lleva todas las actividades");
	if (!exportar && (commands_opt(a, "formato") != NULL ||
	    commands_opt(a, "salida") != NULL))
		return commands_usage_error(a->entry, "--formato y -o son "
		    "opciones de «pal monitoreo exportar»");
	buf_init(&path);
	if (exportar) {
		rc = cmd_monitoreo_exportar(s, a, &path);
		buf_cleanup(&path);
		return rc;
	}
	buf_puts(&path, "/v1/monitoreo");
	api_query_add(&path, "entidad", commands_opt(a, "entidad"));
	if (commands_opt(a, "vencidas") != NULL)
		api_query_add(&path, "vencidas", "1");
	api_query_add(&path, "proximas", proximas);
	rc = cmd_run(s, a, "GET", path.data, NULL, "pals",
	    cmd_monitoreo_print);
	buf_cleanup(&path);
	return rc;
}
