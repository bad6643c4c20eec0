/*
 * The commands of the acuerdos phase and of the PAL document: compromiso
 * agregar, editar, listar; actividad agregar; criterio atestiguar; pal
 * validar, cerrar, ver, pdf, reabrir, enviar, datos, evidencia; and
 * conformidad registrar.
 *
 * The PAL's rules (how many commitments of each type, deadlines inside
 * the commitment's year, the five criteria) are the server's: pal only
 * refuses locally what it can tell from the command line alone (a
 * plan_nacional commitment without --alineacion) and what it learns from
 * the current version before a conformity (a --version that is no longer
 * current), so a conformity is never recorded against a text the
 * facilitator did not mean.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api.h"
#include "buf.h"
#include "output.h"
#include "xmalloc.h"

/* The fields of a compromiso, named alike as options and JSON members. */
static const char *const cmd_pal_campos[] = { "titulo", "tipo", "inicio",
    "alineacion", "problema", "descripcion", "indicador", "meta",
    "institucion" };

/* The five quality criteria, in the order people read them. */
static const char *const cmd_pal_criterios[] = { "medible", "especifico",
    "replicable", "sostenible", "alto_impacto" };

/* "/v1/compromisos/<COMPROMISO>" followed by rest, owned. */
static char *
cmd_pal_compromiso_path(const char *compromiso, const char *rest)
{
	return xasprintf("/v1/compromisos/%" JSON_INTEGER_FORMAT "%s",
	    cmd_number(compromiso), rest);
}

/*
 * A body with a member for each field given on the command line, under
 * the option's name; a new reference. *n counts the members.
 */
static json_t *
cmd_pal_compromiso_body(const struct commands_args *a, size_t *n)
{
	json_t *body = json_object();

	*n = 0;
	for (size_t i = 0; i < sizeof(cmd_pal_campos) /
	    sizeof(cmd_pal_campos[0]); i++) {
		const char *v = commands_opt(a, cmd_pal_campos[i]);

		if (v == NULL)
			continue;
		json_object_set_new(body, cmd_pal_campos[i], json_string(v));
		(*n)++;
	}
	return body;
}

/* "40 %" from an avance of 0 to 100, "-" when there is none. */
static char *
cmd_pal_avance(const json_t *v)
{
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT " %%",
		    json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%.0f %%", json_real_value(v));
	return xstrdup("-");
}

/* Compromisos. */

/* Agregado or actualizado: one line with what identifies it. */
static void
cmd_pal_print_compromiso(const json_t *c, const struct commands_args *a)
{
	bool nuevo = strcmp(a->entry->verb, "agregar") == 0;

	output_line(stdout, "Compromiso %" JSON_INTEGER_FORMAT " de la mesa %"
	    JSON_INTEGER_FORMAT " %s (id %" JSON_INTEGER_FORMAT "): «%s», %s, "
	    "del %s al %s.", cmd_int(c, "numero"), cmd_int(c, "mesa_id"),
	    nuevo ? "agregado" : "actualizado", cmd_int(c, "id"),
	    cmd_str(c, "titulo"),
	    cmd_label(json_string_value(json_object_get(c, "tipo"))),
	    cmd_str(c, "inicio"), cmd_str(c, "fin"));
	if (nuevo)
		output_line(stdout, "Agregue sus actividades con «pal "
		    "actividad agregar %" JSON_INTEGER_FORMAT " ...».",
		    cmd_int(c, "id"));
}

/*
 * The server would refuse a plan_nacional commitment without alineacion
 * too (422); saying so here costs nothing and names the option.
 */
int
cmd_compromiso_agregar(const struct settings *s,
    const struct commands_args *a)
{
	const char *tipo = commands_opt(a, "tipo");
	char *path;
	json_t *body;
	size_t n;
	int rc;

	if (strcmp(tipo, "plan_nacional") == 0 &&
	    commands_opt(a, "alineacion") == NULL)
		return commands_usage_error(a->entry, "un compromiso de tipo "
		    "plan_nacional necesita --alineacion: el compromiso del "
		    "Plan de Acción nacional 2013-2015 con el que se alinea");
	path = cmd_mesa_path(a, "/compromisos");
	body = cmd_pal_compromiso_body(a, &n);
	rc = cmd_run(s, a, "POST", path, body, NULL,
	    cmd_pal_print_compromiso);
	json_decref(body);
	free(path);
	return rc;
}

/* Only the fields given change: PATCH leaves the others as they are. */
int
cmd_compromiso_editar(const struct settings *s,
    const struct commands_args *a)
{
	char *rest, *path;
	json_t *body;
	size_t n;
	int rc;

	body = cmd_pal_compromiso_body(a, &n);
	if (n == 0) {
		json_decref(body);
		return commands_usage_error(a->entry, "indique al menos un "
		    "campo que cambiar (--titulo, --tipo, --inicio...)");
	}
	rest = xasprintf("/compromisos/%" JSON_INTEGER_FORMAT,
	    cmd_number(a->args[1]));
	path = cmd_mesa_path(a, rest);
	rc = cmd_run(s, a, "PATCH", path, body, NULL,
	    cmd_pal_print_compromiso);
	free(path);
	free(rest);
	json_decref(body);
	return rc;
}

/* "✓ medible  ✗ específico  ..." from the criteria attested. */
static char *
cmd_pal_criterios_cell(const json_t *c)
{
	const json_t *attested = json_object_get(c, "criterios");
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < sizeof(cmd_pal_criterios) /
	    sizeof(cmd_pal_criterios[0]); i++) {
		const json_t *v;
		size_t k;
		bool ok = false;

		json_array_foreach(attested, k, v)
			ok = ok || strcmp(cmd_str(v, "criterio"),
			    cmd_pal_criterios[i]) == 0;
		buf_printf(&b, "%s%s %s", i > 0 ? "  " : "",
		    ok ? "\xe2\x9c\x93" : "\xe2\x9c\x97",	/* ✓ ✗ */
		    cmd_label(cmd_pal_criterios[i]));
	}
	return cmd_steal(&b);
}

static char *
cmd_pal_tipo_cell(const json_t *c)
{
	return xstrdup(cmd_label(json_string_value(json_object_get(c,
	    "tipo"))));
}

static char *
cmd_pal_vigencia_cell(const json_t *c)
{
	return xasprintf("del %s al %s", cmd_str(c, "inicio"),
	    cmd_str(c, "fin"));
}

static char *
cmd_pal_avance_cell(const json_t *row)
{
	return cmd_pal_avance(json_object_get(row, "avance"));
}

static char *
cmd_pal_responsable_cell(const json_t *row)
{
	return xstrdup(cmd_name_of(row, "responsable"));
}

/* "pendiente", "en progreso (40 %)", "cumplida". */
static char *
cmd_pal_estado_cell(const json_t *row)
{
	const char *estado = json_string_value(json_object_get(row,
	    "estado"));
	char *avance, *cell;

	if (estado == NULL || strcmp(estado, "en_progreso") != 0)
		return xstrdup(cmd_label(estado));
	avance = cmd_pal_avance(json_object_get(row, "avance"));
	cell = xasprintf("%s (%s)", cmd_label(estado), avance);
	free(avance);
	return cell;
}

/* Prints text with indent before each of its lines. */
static void
cmd_pal_indent(const char *text, const char *indent)
{
	while (*text != '\0') {
		size_t len = strcspn(text, "\n");

		printf("%s%.*s\n", indent, (int)len, text);
		text += len + (text[len] != '\0');
	}
}

/*
 * The activities of commitment c as a table indented under it. Their
 * numbers read "3.2", as the PAL's rules name them, so each row is
 * copied with that text added.
 */
static void
cmd_pal_print_actividades(const json_t *c)
{
	static const struct output_column cols[] = {
		{ .title = "ID", .key = "id", .numeric = true },
		{ .title = "NÚM", .key = "numero_pal" },
		{ .title = "DESCRIPCIÓN", .key = "descripcion",
		    .max_width = 30 },
		{ .title = "RESPONSABLE", .max_width = 20,
		    .format = cmd_pal_responsable_cell },
		{ .title = "FECHA LÍMITE", .key = "fecha_limite" },
		{ .title = "ESTADO", .format = cmd_pal_estado_cell },
	};
	const json_t *act;
	json_t *rows = json_array();
	char *text = NULL;
	size_t i, size;
	FILE *fp;

	json_array_foreach(json_object_get(c, "actividades"), i, act) {
		json_t *row = json_copy((json_t *)act);

		if (row == NULL || !json_is_object(row)) {
			json_decref(row);
			continue;
		}
		json_object_set_new(row, "numero_pal", json_sprintf("%"
		    JSON_INTEGER_FORMAT ".%" JSON_INTEGER_FORMAT,
		    cmd_int(c, "numero"), cmd_int(act, "numero")));
		json_array_append_new(rows, row);
	}
	if ((fp = open_memstream(&text, &size)) == NULL) {
		fprintf(stderr, "fatal: out of memory in open_memstream\n");
		abort();
	}
	output_table(fp, cols, sizeof(cols) / sizeof(cols[0]), rows,
	    "Sin actividades todavía.");
	fclose(fp);
	cmd_pal_indent(text, "    ");
	free(text);
	json_decref(rows);
}

static void
cmd_pal_print_compromisos(const json_t *reply, const struct commands_args *a)
{
	static const struct output_field fields[] = {
		{ .label = "tipo", .format = cmd_pal_tipo_cell },
		{ .label = "vigencia", .format = cmd_pal_vigencia_cell },
		{ .label = "alineación", .key = "alineacion" },
		{ .label = "avance", .format = cmd_pal_avance_cell },
		{ .label = "criterios", .format = cmd_pal_criterios_cell },
	};
	const json_t *compromisos = json_object_get(reply, "compromisos");
	const json_t *c;
	char *text;
	size_t i, size;
	FILE *fp;

	(void)a;
	if (json_array_size(compromisos) == 0) {
		printf("La mesa no tiene compromisos.\n");
		return;
	}
	json_array_foreach(compromisos, i, c) {
		if (i > 0)
			fputc('\n', stdout);
		output_line(stdout, "Compromiso %" JSON_INTEGER_FORMAT " (id %"
		    JSON_INTEGER_FORMAT "): «%s»", cmd_int(c, "numero"),
		    cmd_int(c, "id"), cmd_str(c, "titulo"));
		text = NULL;
		if ((fp = open_memstream(&text, &size)) == NULL) {
			fprintf(stderr, "fatal: out of memory in "
			    "open_memstream\n");
			abort();
		}
		output_fields(fp, fields, sizeof(fields) / sizeof(fields[0]),
		    c);
		fclose(fp);
		cmd_pal_indent(text, "  ");
		free(text);
		printf("  actividades:\n");
		cmd_pal_print_actividades(c);
	}
}

int
cmd_compromiso_listar(const struct settings *s,
    const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/compromisos");
	int rc;

	rc = cmd_run(s, a, "GET", path, NULL, "compromisos",
	    cmd_pal_print_compromisos);
	free(path);
	return rc;
}

/* Actividades and criterios. */

static void
cmd_pal_print_actividad(const json_t *act, const struct commands_args *a)
{
	const json_t *r = json_object_get(act, "responsable");

	(void)a;
	output_line(stdout, "Actividad %" JSON_INTEGER_FORMAT " del compromiso "
	    "%" JSON_INTEGER_FORMAT " agregada (id %" JSON_INTEGER_FORMAT
	    "): «%s»; responsable: %s <%s>; fecha límite: %s.",
	    cmd_int(act, "numero"), cmd_int(act, "compromiso_id"),
	    cmd_int(act, "id"), cmd_str(act, "descripcion"),
	    cmd_str(r, "nombre"), cmd_str(r, "email"),
	    cmd_str(act, "fecha_limite"));
}

int
cmd_actividad_agregar(const struct settings *s,
    const struct commands_args *a)
{
	char *path = cmd_pal_compromiso_path(a->args[0], "/actividades");
	json_t *body = json_pack("{s:s, s:{s:s, s:s, s:s*, s:s*}, s:s, s:s*}",
	    "descripcion", commands_opt(a, "descripcion"),
	    "responsable",
	    "nombre", commands_opt(a, "responsable"),
	    "email", commands_opt(a, "email"),
	    "cargo", commands_opt(a, "cargo"),
	    "institucion", commands_opt(a, "institucion"),
	    "fecha_limite", commands_opt(a, "fecha"),
	    "entregable", commands_opt(a, "entregable"));
	int rc;

	rc = cmd_run(s, a, "POST", path, body, NULL, cmd_pal_print_actividad);
	json_decref(body);
	free(path);
	return rc;
}

static void
cmd_pal_print_criterio(const json_t *c, const struct commands_args *a)
{
	output_line(stdout, "Criterio «%s» del compromiso %" JSON_INTEGER_FORMAT
	    " atestiguado por %s: %s", cmd_label(json_string_value(
	    json_object_get(c, "criterio"))), cmd_number(a->args[0]),
	    cmd_str(c, "quien"), cmd_str(c, "justificacion"));
}

int
cmd_criterio_atestiguar(const struct settings *s,
    const struct commands_args *a)
{
	char *path = cmd_pal_compromiso_path(a->args[0], "/criterios");
	json_t *body = json_pack("{s:s, s:s, s:s}",
	    "criterio", commands_opt(a, "criterio"),
	    "quien", commands_opt(a, "quien"),
	    "justificacion", commands_opt(a, "justificacion"));
	int rc;

	rc = cmd_run(s, a, "POST", path, body, NULL, cmd_pal_print_criterio);
	json_decref(body);
	free(path);
	return rc;
}

/* The PAL. */

/* A version of the PAL, as cerrar returns it and ver shows it. */
static const struct output_field cmd_pal_version_fields[] = {
	{ .label = "versión", .key = "numero" },
	{ .label = "cerrada", .key = "cerrado" },
	{ .label = "SHA-256 canónico", .key = "sha256_canonico" },
	{ .label = "SHA-256 del PDF", .key = "sha256_pdf" },
	{ .label = "páginas", .key = "paginas" },
};

/*
 * Exit 0 when valid and 2 when not, with or without --json, so that a
 * script can test the PAL before closing it; the request itself worked.
 */
int
cmd_pal_validar(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/pal/validacion");
	const json_t *v, *errores;
	struct api_response r;
	size_t n;
	int rc;

	api_response_init(&r);
	if ((rc = cmd_call(s, "GET", path, NULL, &r)) != PAL_EXIT_OK)
		goto out;
	if ((v = cmd_expect(&r, "errores")) == NULL ||
	    !json_is_boolean(json_object_get(v, "valido"))) {
		if (v != NULL)
			fprintf(stderr, "error: respuesta inesperada del "
			    "servidor (HTTP %ld); ¿coinciden las versiones de "
			    "pal y pald?\n", r.status);
		rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	errores = json_object_get(v, "errores");
	rc = json_is_true(json_object_get(v, "valido")) ? PAL_EXIT_OK :
	    PAL_EXIT_REFUSED;
	if (s->json)
		cmd_print_body(&r);
	else if (rc == PAL_EXIT_OK)
		printf("El PAL cumple todas las reglas.\n");
	else {
		n = json_array_size(errores);
		printf("El PAL no cumple %zu %s:\n", n, n == 1 ? "regla" :
		    "reglas");
		output_errores(stdout, errores);
	}
out:
	api_response_cleanup(&r);
	free(path);
	return rc;
}

static void
cmd_pal_print_cerrada(const json_t *v, const struct commands_args *a)
{
	output_line(stdout, "Versión %" JSON_INTEGER_FORMAT " del PAL de la "
	    "mesa %" JSON_INTEGER_FORMAT " cerrada.", cmd_int(v, "numero"),
	    cmd_number(a->args[0]));
	output_fields(stdout, cmd_pal_version_fields,
	    sizeof(cmd_pal_version_fields) /
	    sizeof(cmd_pal_version_fields[0]), v);
	printf("\nCada asistente recibirá por correo el PDF y un enlace para "
	    "dar su conformidad.\n");
}

/* A refusal (pal_invalido) lists its errors through output_server_error. */
int
cmd_pal_cerrar(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/pal/cerrar");
	int rc;

	rc = cmd_run(s, a, "POST", path, NULL, NULL, cmd_pal_print_cerrada);
	free(path);
	return rc;
}

/* "  - Ana Ruiz, en sesión, 2026-12-08T18:05:00Z" lines. */
static void
cmd_pal_print_conformidades(const json_t *list)
{
	const json_t *c;
	size_t i;

	if (json_array_size(list) == 0) {
		printf("Conformidades: ninguna todavía.\n");
		return;
	}
	printf("Conformidades (%zu):\n", json_array_size(list));
	json_array_foreach(list, i, c)
		output_line(stdout, "  - %s, %s, %s", cmd_str(c, "actor"),
		    cmd_label(json_string_value(json_object_get(c, "medio"))),
		    cmd_str(c, "registrado"));
}

static void
cmd_pal_print_pal(const json_t *pal, const struct commands_args *a)
{
	const json_t *version = json_object_get(pal, "version");
	const json_t *pendientes = json_object_get(pal, "pendientes");
	const json_t *v;
	struct buf anuladas;
	size_t i;

	buf_init(&anuladas);
	json_array_foreach(json_object_get(pal, "versiones"), i, v)
		if (json_is_string(json_object_get(v, "anulada")))
			buf_printf(&anuladas, "%s%" JSON_INTEGER_FORMAT,
			    anuladas.len > 0 ? ", " : "", cmd_int(v, "numero"));

	if (!json_is_object(version)) {
		printf("El PAL de la mesa %" JSON_INTEGER_FORMAT " no tiene "
		    "una versión vigente.\n", cmd_number(a->args[0]));
		if (anuladas.len > 0)
			printf("Versiones anuladas: %s.\n", anuladas.data);
		buf_cleanup(&anuladas);
		return;
	}
	output_fields(stdout, cmd_pal_version_fields,
	    sizeof(cmd_pal_version_fields) /
	    sizeof(cmd_pal_version_fields[0]), version);
	if (anuladas.len > 0)
		printf("Versiones anuladas: %s.\n", anuladas.data);
	printf("\nFirmado: %s\n", json_is_true(json_object_get(pal,
	    "firmado")) ? "sí" : "no");
	cmd_pal_print_conformidades(json_object_get(pal, "conformidades"));
	if (json_array_size(pendientes) == 0)
		printf("Pendientes: nadie.\n");
	else {
		printf("Pendientes (%zu):\n", json_array_size(pendientes));
		json_array_foreach(pendientes, i, v)
			output_line(stdout, "  - %s (actor %"
			    JSON_INTEGER_FORMAT ")", cmd_str(v, "actor"),
			    cmd_int(v, "actor_id"));
	}
	buf_cleanup(&anuladas);
}

int
cmd_pal_ver(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/pal");
	int rc;

	rc = cmd_run(s, a, "GET", path, NULL, NULL, cmd_pal_print_pal);
	free(path);
	return rc;
}

/*
 * The number of the current version, from GET /v1/mesas/{id}/pal, with
 * its sha256_canonico in *sha256 (owned); 0 with the exit code in *rc,
 * and the reason on stderr, when there is none or the request failed.
 */
static json_int_t
cmd_pal_vigente(const struct settings *s, const struct commands_args *a,
    char **sha256, int *rc)
{
	char *path = cmd_mesa_path(a, "/pal");
	const json_t *pal, *version, *numero, *sha;
	struct api_response r;
	json_int_t n = 0;

	*sha256 = NULL;
	api_response_init(&r);
	if ((*rc = cmd_call(s, "GET", path, NULL, &r)) != PAL_EXIT_OK)
		goto out;
	if ((pal = cmd_expect(&r, NULL)) == NULL) {
		*rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	version = json_object_get(pal, "version");
	if (!json_is_object(version)) {
		fprintf(stderr, "error: el PAL de la mesa %" JSON_INTEGER_FORMAT
		    " no tiene una versión vigente; ciérrela con «pal pal "
		    "cerrar %" JSON_INTEGER_FORMAT "»\n",
		    cmd_number(a->args[0]), cmd_number(a->args[0]));
		*rc = PAL_EXIT_REFUSED;
		goto out;
	}
	numero = json_object_get(version, "numero");
	sha = json_object_get(version, "sha256_canonico");
	if (!json_is_integer(numero) || json_integer_value(numero) <= 0 ||
	    !json_is_string(sha)) {
		fprintf(stderr, "error: respuesta inesperada del servidor "
		    "(HTTP %ld); ¿coinciden las versiones de pal y pald?\n",
		    r.status);
		*rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	n = json_integer_value(numero);
	*sha256 = xstrdup(json_string_value(sha));
out:
	api_response_cleanup(&r);
	free(path);
	return n;
}

/*
 * Without -o the file is named after the version, so the current one is
 * asked for first, and then requested by number: the name and the bytes
 * cannot disagree if the PAL is closed again in between.
 */
int
cmd_pal_pdf(const struct settings *s, const struct commands_args *a)
{
	const char *salida = commands_opt(a, "salida");
	const char *version = commands_opt(a, "version");
	json_int_t mesa = cmd_number(a->args[0]), n = 0;
	char *name = NULL, *sha = NULL, *size;
	struct api_response r;
	struct error err;
	struct buf path;
	FILE *say;
	int rc = PAL_EXIT_OK;

	api_response_init(&r);
	buf_init(&path);
	if (version != NULL)
		n = cmd_number(version);
	else if (salida == NULL &&
	    (n = cmd_pal_vigente(s, a, &sha, &rc)) == 0)
		goto out;
	name = salida != NULL ? xstrdup(salida) :
	    xasprintf("pal-%" JSON_INTEGER_FORMAT "-v%" JSON_INTEGER_FORMAT
	    ".pdf", mesa, n);
	if (cmd_output_exists(name)) {
		rc = PAL_EXIT_USAGE;
		goto out;
	}

	buf_printf(&path, "/v1/mesas/%" JSON_INTEGER_FORMAT "/pal/pdf", mesa);
	if (n > 0)
		buf_printf(&path, "?version=%" JSON_INTEGER_FORMAT, n);
	rc = cmd_check(s, api_request_raw(s, "GET", path.data, NULL, NULL, 0,
	    "application/pdf", &r), &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (r.body.len < 5 || memcmp(r.body.data, "%PDF-", 5) != 0) {
		fprintf(stderr, "error: respuesta inesperada del servidor "
		    "(HTTP %ld): no es un PDF\n", r.status);
		rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	error_clear(&err);
	if (!cmd_write_new(name, r.body.data, r.body.len, &err)) {
		fprintf(stderr, "error: %s\n", err.message);
		rc = PAL_EXIT_USAGE;
		goto out;
	}
	if (strcmp(name, "-") == 0)
		goto out;
	/* Standard output may hold a script's JSON. */
	say = s->json ? stderr : stdout;
	size = cmd_size((json_int_t)r.body.len);
	if (n > 0)
		output_line(say, "PAL de la mesa %" JSON_INTEGER_FORMAT ", "
		    "versión %" JSON_INTEGER_FORMAT ", guardado en «%s» (%s).",
		    mesa, n, name, size);
	else
		output_line(say, "PAL de la mesa %" JSON_INTEGER_FORMAT " "
		    "guardado en «%s» (%s).", mesa, name, size);
	free(size);
out:
	buf_cleanup(&path);
	api_response_cleanup(&r);
	free(sha);
	free(name);
	return rc;
}

static void
cmd_pal_print_reabierto(const json_t *reply, const struct commands_args *a)
{
	output_line(stdout, "Versión %" JSON_INTEGER_FORMAT " del PAL de la "
	    "mesa %" JSON_INTEGER_FORMAT " anulada, con sus conformidades; la "
	    "mesa vuelve a acuerdos y el PAL puede editarse.",
	    cmd_int(reply, "anulada"), cmd_number(a->args[0]));
}

int
cmd_pal_reabrir(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/pal/reabrir");
	int rc;

	rc = cmd_run(s, a, "POST", path, NULL, NULL, cmd_pal_print_reabierto);
	free(path);
	return rc;
}

static void
cmd_pal_print_envios(const json_t *reply, const struct commands_args *a)
{
	const json_t *envios = json_object_get(reply, "envios");
	const json_t *e;
	size_t i;

	(void)a;
	if (json_array_size(envios) == 0) {
		printf("No había actores a quienes enviar el PAL.\n");
		return;
	}
	json_array_foreach(envios, i, e)
		output_line(stdout, "PAL enviado a %s (actor %"
		    JSON_INTEGER_FORMAT ", correo %" JSON_INTEGER_FORMAT ").",
		    cmd_str(e, "email"), cmd_int(e, "actor_id"),
		    cmd_int(e, "outbox_id"));
}

int
cmd_pal_enviar(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/pal/enviar");
	int rc;

	rc = cmd_run(s, a, "POST", path, NULL, "envios",
	    cmd_pal_print_envios);
	free(path);
	return rc;
}

/*
 * The open data are the output, so they go to standard output as they
 * came (or to a new file with -o); --json changes nothing but where the
 * sentence about a file goes.
 */
int
cmd_pal_datos(const struct settings *s, const struct commands_args *a)
{
	const char *formato = commands_opt(a, "formato");
	const char *salida = commands_opt(a, "salida");
	bool csv = formato != NULL && strcmp(formato, "csv") == 0;
	char *path, *size;
	struct api_response r;
	struct error err;
	int rc;

	if (salida != NULL && cmd_output_exists(salida))
		return PAL_EXIT_USAGE;
	path = cmd_mesa_path(a, csv ? "/pal/datos.csv" : "/pal/datos.json");
	api_response_init(&r);
	rc = cmd_check(s, api_request_raw(s, "GET", path, NULL, NULL, 0,
	    csv ? "text/csv" : "application/json", &r), &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (salida == NULL && !csv) {
		cmd_print_body(&r);
		goto out;
	}
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
	output_line(s->json ? stderr : stdout, "Datos abiertos del PAL de la "
	    "mesa %" JSON_INTEGER_FORMAT " guardados en «%s» (%s, %s).",
	    cmd_number(a->args[0]), salida, csv ? "CSV" : "JSON", size);
	free(size);
out:
	api_response_cleanup(&r);
	free(path);
	return rc;
}

static void
cmd_pal_print_evidencia(const json_t *e, const struct commands_args *a)
{
	char *size = cmd_size(cmd_int(e, "tamano"));

	output_line(stdout, "Evidencia %" JSON_INTEGER_FORMAT " guardada con "
	    "la versión %" JSON_INTEGER_FORMAT " del PAL de la mesa %"
	    JSON_INTEGER_FORMAT ": «%s» (%s, %s).", cmd_int(e, "id"),
	    cmd_int(e, "version"), cmd_number(a->args[0]),
	    cmd_str(e, "archivo"), cmd_str(e, "tipo_medio"), size);
	output_line(stdout, "SHA-256: %s", cmd_str(e, "sha256"));
	free(size);
}

/* The scan goes as it is, like a material: its bytes as its media type. */
int
cmd_pal_evidencia(const struct settings *s, const struct commands_args *a)
{
	const char *file = a->args[1];
	const char *name = cmd_basename(file);
	struct api_response r;
	struct error err;
	struct buf path, data;
	int rc;

	if (*name == '\0')
		return commands_usage_error(a->entry,
		    "«%s» no nombra un archivo", file);
	error_clear(&err);
	buf_init(&data);
	if (!cmd_read_file(file, &data, &err)) {
		buf_cleanup(&data);
		fprintf(stderr, "error: %s\n", err.message);
		return PAL_EXIT_USAGE;
	}
	buf_init(&path);
	buf_printf(&path, "/v1/mesas/%" JSON_INTEGER_FORMAT "/pal/evidencias",
	    cmd_number(a->args[0]));
	api_query_add(&path, "version", commands_opt(a, "version"));
	api_query_add(&path, "archivo", name);
	api_response_init(&r);
	rc = cmd_finish(s, a, api_request_raw(s, "POST", path.data,
	    cmd_media_type(name), data.data, data.len, "application/json",
	    &r), &r, NULL, cmd_pal_print_evidencia);
	api_response_cleanup(&r);
	buf_cleanup(&path);
	buf_cleanup(&data);
	return rc;
}

/* Conformidades. */

static void
cmd_pal_print_conformidad(const json_t *c, const struct commands_args *a)
{
	const char *actor = json_string_value(json_object_get(c, "actor"));
	const json_t *firmado = json_object_get(c, "firmado");

	if (actor != NULL)
		output_line(stdout, "Conformidad de %s registrada (actor %s).",
		    actor, commands_opt(a, "actor"));
	else
		output_line(stdout, "Conformidad del actor %s registrada.",
		    commands_opt(a, "actor"));
	if (json_is_true(firmado))
		printf("Todos los asistentes dieron su conformidad: el PAL "
		    "está firmado.\n");
}

/*
 * The conformity is recorded against the hash of the version the server
 * says is current; with --version the facilitator also says which one
 * was read aloud, and a mismatch stops here rather than recording a
 * conformity with a text that changed since.
 */
int
cmd_conformidad_registrar(const struct settings *s,
    const struct commands_args *a)
{
	const char *version = commands_opt(a, "version");
	char *path = NULL, *sha = NULL;
	json_int_t vigente, pedida;
	json_t *body = NULL;
	int rc;

	if ((vigente = cmd_pal_vigente(s, a, &sha, &rc)) == 0)
		goto out;
	if (version != NULL && (pedida = cmd_number(version)) != vigente) {
		fprintf(stderr, "error: La versión %" JSON_INTEGER_FORMAT
		    " %s; la vigente es %" JSON_INTEGER_FORMAT ".\n", pedida,
		    pedida < vigente ? "ya no está vigente" : "no existe",
		    vigente);
		rc = PAL_EXIT_REFUSED;
		goto out;
	}
	path = cmd_mesa_path(a, "/conformidades");
	body = json_pack("{s:I, s:s, s:s*}",
	    "actor", cmd_number(commands_opt(a, "actor")),
	    "sha256", sha,
	    "medio", commands_opt(a, "medio"));
	rc = cmd_run(s, a, "POST", path, body, NULL,
	    cmd_pal_print_conformidad);
out:
	json_decref(body);
	free(path);
	free(sha);
	return rc;
}
