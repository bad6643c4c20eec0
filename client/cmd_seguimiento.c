/*
 * The commands of the follow-up: actividad avance (a progress report by
 * the facilitator), actividad avances (the history of reports),
 * recordatorios ejecutar (one pass of the reminder planner, now) and
 * resumenes ejecutar (the garantes' weekly digest, now).
 *
 * pal refuses locally only what the command line alone shows to be wrong
 * (a percentage outside 0-100, evidence that is not an http(s) URL):
 * whether the mesa is in follow-up and who may report are the server's
 * to say.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api.h"
#include "output.h"
#include "xmalloc.h"

/* The server's limit on an evidence URL, in bytes. */
#define CMD_SEGUIMIENTO_URL_MAX	2000

/* "/v1/actividades/<ACTIVIDAD>/avances", owned. */
static char *
cmd_seguimiento_path(const struct commands_args *a)
{
	return xasprintf("/v1/actividades/%" JSON_INTEGER_FORMAT "/avances",
	    cmd_number(a->args[0]));
}

/* A whole number from 0 to 100 in plain digits, or -1. */
static int
cmd_seguimiento_avance(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 3 || strspn(s, "0123456789") != len ||
	    atoi(s) > 100)
		return -1;
	return atoi(s);
}

/*
 * http:// or https://, a host, and no spaces or control characters:
 * the server checks the same, and a typo here is cheaper to fix.
 */
static bool
cmd_seguimiento_url(const char *s)
{
	size_t i;

	if (strlen(s) > CMD_SEGUIMIENTO_URL_MAX)
		return false;
	if (strncasecmp(s, "http://", 7) == 0)
		i = 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		i = 8;
	else
		return false;
	if (s[i] == '\0' || strchr("/?#", s[i]) != NULL)
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* "en progreso, 40 %", "cumplida, 100 %", "en progreso" without one. */
static char *
cmd_seguimiento_estado(const json_t *o)
{
	const json_t *avance = json_object_get(o, "avance");
	const char *estado = cmd_label(json_string_value(json_object_get(o,
	    "estado")));

	if (json_is_integer(avance))
		return xasprintf("%s, %" JSON_INTEGER_FORMAT " %%", estado,
		    json_integer_value(avance));
	return xstrdup(estado);
}

static void
cmd_seguimiento_print_avance(const json_t *o, const struct commands_args *a)
{
	char *estado = cmd_seguimiento_estado(o);

	(void)a;
	output_line(stdout, "Avance registrado en la actividad %"
	    JSON_INTEGER_FORMAT " (reporte %" JSON_INTEGER_FORMAT "): %s.",
	    cmd_int(o, "actividad_id"), cmd_int(o, "id"), estado);
	if (json_is_string(json_object_get(o, "evidencia")))
		output_line(stdout, "Evidencia: %s", cmd_str(o, "evidencia"));
	if (json_is_string(json_object_get(o, "nota")))
		output_line(stdout, "Nota: %s", cmd_str(o, "nota"));
	if (strcmp(cmd_str(o, "estado"), "cumplida") == 0)
		printf("La actividad queda cumplida: no habrá más "
		    "recordatorios sobre ella.\n");
	free(estado);
}

int
cmd_actividad_avance(const struct settings *s, const struct commands_args *a)
{
	const char *avance = commands_opt(a, "avance");
	const char *evidencia = commands_opt(a, "evidencia");
	char *path;
	json_t *body;
	int rc;

	if (avance != NULL && cmd_seguimiento_avance(avance) < 0)
		return commands_usage_error(a->entry, "--avance debe ser un "
		    "número entero de 0 a 100, no «%s»", avance);
	if (evidencia != NULL && !cmd_seguimiento_url(evidencia))
		return commands_usage_error(a->entry, "--evidencia debe ser un "
		    "enlace que empiece con http:// o https://, sin espacios, "
		    "de hasta %d caracteres", CMD_SEGUIMIENTO_URL_MAX);
	body = json_pack("{s:s, s:s*, s:s*}", "estado",
	    commands_opt(a, "estado"), "evidencia", evidencia, "nota",
	    commands_opt(a, "nota"));
	if (avance != NULL)
		json_object_set_new(body, "avance",
		    json_integer(cmd_seguimiento_avance(avance)));
	path = cmd_seguimiento_path(a);
	rc = cmd_run(s, a, "POST", path, body, NULL,
	    cmd_seguimiento_print_avance);
	free(path);
	json_decref(body);
	return rc;
}

/* The history. */

static char *
cmd_seguimiento_estado_cell(const json_t *row)
{
	return cmd_seguimiento_estado(row);
}

static char *
cmd_seguimiento_plazo(const json_t *act)
{
	json_int_t d = cmd_int(act, "dias_restantes");

	if (strcmp(cmd_str(act, "estado"), "cumplida") == 0)
		return xasprintf("%s (cumplida el %s)", cmd_str(act,
		    "fecha_limite"), cmd_str(act, "cumplimiento"));
	if (d > 1)
		return xasprintf("%s (faltan %" JSON_INTEGER_FORMAT " días)",
		    cmd_str(act, "fecha_limite"), d);
	if (d == 1)
		return xasprintf("%s (vence mañana)", cmd_str(act,
		    "fecha_limite"));
	if (d == 0)
		return xasprintf("%s (vence hoy)", cmd_str(act,
		    "fecha_limite"));
	return xasprintf("%s (vencida hace %" JSON_INTEGER_FORMAT " %s)",
	    cmd_str(act, "fecha_limite"), -d, d == -1 ? "día" : "días");
}

static char *
cmd_seguimiento_compromiso(const json_t *act)
{
	const json_t *c = json_object_get(act, "compromiso");

	return xasprintf("%" JSON_INTEGER_FORMAT " «%s»", cmd_int(c, "numero"),
	    cmd_str(c, "titulo"));
}

static char *
cmd_seguimiento_responsable(const json_t *act)
{
	const json_t *r = json_object_get(act, "responsable");

	return xasprintf("%s <%s>", cmd_str(r, "nombre"), cmd_str(r,
	    "email"));
}

static void
cmd_seguimiento_print_avances(const json_t *reply,
    const struct commands_args *a)
{
	static const struct output_field fields[] = {
		{ .label = "compromiso", .format = cmd_seguimiento_compromiso },
		{ .label = "responsable",
		    .format = cmd_seguimiento_responsable },
		{ .label = "fecha límite", .format = cmd_seguimiento_plazo },
		{ .label = "estado", .format = cmd_seguimiento_estado_cell },
	};
	static const struct output_column cols[] = {
		{ .title = "ID", .key = "id", .numeric = true },
		{ .title = "REPORTADO", .key = "reportado" },
		{ .title = "ESTADO", .format = cmd_seguimiento_estado_cell },
		{ .title = "POR", .key = "por", .max_width = 24 },
		{ .title = "EVIDENCIA", .key = "evidencia", .max_width = 40 },
		{ .title = "NOTA", .key = "nota", .max_width = 40 },
	};
	const json_t *act = json_object_get(reply, "actividad");

	(void)a;
	output_line(stdout, "Actividad %" JSON_INTEGER_FORMAT ".%"
	    JSON_INTEGER_FORMAT " (id %" JSON_INTEGER_FORMAT "): «%s»",
	    cmd_int(json_object_get(act, "compromiso"), "numero"),
	    cmd_int(act, "numero"), cmd_int(act, "id"),
	    cmd_str(act, "descripcion"));
	output_fields(stdout, fields, sizeof(fields) / sizeof(fields[0]),
	    act);
	printf("\n");
	output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]),
	    json_object_get(reply, "avances"),
	    "Sin reportes de avance todavía.");
}

int
cmd_actividad_avances(const struct settings *s,
    const struct commands_args *a)
{
	char *path = cmd_seguimiento_path(a);
	int rc;

	rc = cmd_run(s, a, "GET", path, NULL, "avances",
	    cmd_seguimiento_print_avances);
	free(path);
	return rc;
}

/* Reminders. */

static void
cmd_seguimiento_print_recordatorios(const json_t *reply,
    const struct commands_args *a)
{
	static const struct output_column cols[] = {
		{ .title = "MESA", .key = "mesa_id", .numeric = true },
		{ .title = "ACTIVIDAD", .key = "actividad_id",
		    .numeric = true },
		{ .title = "TIPO", .key = "tipo" },
		{ .title = "DÍAS", .key = "dias", .numeric = true },
		{ .title = "DESTINATARIO", .key = "destinatario" },
		{ .title = "ROL", .key = "rol" },
	};
	const json_t *list = json_object_get(reply, "recordatorios");
	json_int_t n = json_is_integer(json_object_get(reply,
	    "planificados")) ? cmd_int(reply, "planificados")
	    : (json_int_t)json_array_size(list);
	char *count;

	(void)a;
	if (n == 0 && json_array_size(list) == 0) {
		printf("No hay recordatorios pendientes.\n");
		return;
	}
	count = cmd_count(n, "recordatorio", "recordatorios");
	printf("%s en cola\n\n", count);
	free(count);
	output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]), list,
	    "No hay recordatorios pendientes.");
}

int
cmd_recordatorios_ejecutar(const struct settings *s,
    const struct commands_args *a)
{
	return cmd_run(s, a, "POST", "/v1/recordatorios/ejecutar", NULL,
	    "recordatorios", cmd_seguimiento_print_recordatorios);
}

/* The weekly digest. */

static void
cmd_seguimiento_print_resumenes(const json_t *reply,
    const struct commands_args *a)
{
	static const struct output_column cols[] = {
		{ .title = "USUARIO", .key = "usuario_id", .numeric = true },
		{ .title = "EMAIL", .key = "email" },
		{ .title = "SEMANA", .key = "semana" },
		{ .title = "CORREO", .key = "outbox_id", .numeric = true },
	};
	const json_t *list = json_object_get(reply, "resumenes");
	char *count;

	(void)a;
	if (json_array_size(list) == 0) {
		output_line(stdout, "Ningún resumen pendiente: cada garante "
		    "ya tiene el de la semana del %s.", cmd_str(reply,
		    "semana"));
		return;
	}
	count = cmd_count((json_int_t)json_array_size(list), "resumen",
	    "resúmenes");
	output_line(stdout, "%s en cola (semana del %s)", count,
	    cmd_str(reply, "semana"));
	free(count);
	printf("\n");
	output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]), list,
	    "");
}

int
cmd_resumenes_ejecutar(const struct settings *s,
    const struct commands_args *a)
{
	return cmd_run(s, a, "POST", "/v1/resumenes/ejecutar", NULL,
	    "resumenes", cmd_seguimiento_print_resumenes);
}
