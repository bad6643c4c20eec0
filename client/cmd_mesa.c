/*
 * The commands of a mesa and its actores: mesa crear, listar, ver,
 * linea-tiempo, programar, recordatorios; actor agregar, listar,
 * revocar-enlaces.
 *
 * The gate of programar lives in the server: a refusal prints its missing
 * pairs and dates through output_server_error, nothing is checked here.
 * Neither are the ranges of a reminder cadence: mesa recordatorios only
 * turns its numbers into JSON numbers, and the server says which one is
 * out of range.
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

/* Cell formatters: each reads one member and shows its label. */

static char *
cmd_mesa_fase_cell(const json_t *row)
{
	return xstrdup(cmd_label(json_string_value(json_object_get(row,
	    "fase"))));
}

static char *
cmd_mesa_sector_cell(const json_t *row)
{
	return xstrdup(cmd_label(json_string_value(json_object_get(row,
	    "sector"))));
}

/* "Ana Ruiz <ana@ejemplo.mx>", or the name alone. */
static char *
cmd_mesa_facilitador_cell(const json_t *row)
{
	const json_t *f = json_object_get(row, "facilitador");
	const char *email = json_string_value(json_object_get(f, "email"));

	if (email != NULL)
		return xasprintf("%s <%s>", cmd_str(f, "nombre"), email);
	return xstrdup(cmd_str(f, "nombre"));
}

static char *
cmd_mesa_facilitador_nombre_cell(const json_t *row)
{
	return xstrdup(cmd_name_of(row, "facilitador"));
}

/* "2026-12-07 10:00" when the mesa is scheduled, "-" otherwise. */
static char *
cmd_mesa_fecha_hora_cell(const json_t *row)
{
	const char *fecha = json_string_value(json_object_get(row, "fecha"));
	const char *hora = json_string_value(json_object_get(row, "hora"));

	if (fecha == NULL)
		return xstrdup("-");
	return xasprintf("%s %s", fecha, hora != NULL ? hora : "");
}

static void
cmd_mesa_print_mesa_creada(const json_t *m, const struct commands_args *a)
{
	const char *paso = json_string_value(json_object_get(m,
	    "siguiente_paso"));

	(void)a;
	output_line(stdout, "Mesa %" JSON_INTEGER_FORMAT " creada: «%s» "
	    "(%s), en %s.", cmd_int(m, "id"), cmd_str(m, "titulo"),
	    cmd_str(m, "entidad"),
	    cmd_label(json_string_value(json_object_get(m, "fase"))));
	if (paso != NULL)
		output_line(stdout, "Siguiente paso: %s", paso);
}

/*
 * Optional members are packed with "s*": an option not given is left out
 * of the body, so the server applies its default ("s?" would send null).
 */
int
cmd_mesa_crear(const struct settings *s, const struct commands_args *a)
{
	json_t *body = json_pack("{s:s, s:s, s:s*, s:s*}",
	    "titulo", commands_opt(a, "titulo"),
	    "entidad", commands_opt(a, "entidad"),
	    "municipio", commands_opt(a, "municipio"),
	    "zona_horaria", commands_opt(a, "zona-horaria"));
	int rc;

	rc = cmd_run(s, a, "POST", "/v1/mesas", body, NULL,
	    cmd_mesa_print_mesa_creada);
	json_decref(body);
	return rc;
}

static void
cmd_mesa_print_mesas(const json_t *reply, const struct commands_args *a)
{
	static const struct output_column cols[] = {
		{ .title = "ID", .key = "id", .numeric = true },
		{ .title = "TÍTULO", .key = "titulo", .max_width = 36 },
		{ .title = "ENTIDAD", .key = "entidad", .max_width = 20 },
		{ .title = "MUNICIPIO", .key = "municipio", .max_width = 20 },
		{ .title = "FASE", .format = cmd_mesa_fase_cell },
		{ .title = "FECHA", .format = cmd_mesa_fecha_hora_cell },
		{ .title = "FACILITADOR", .max_width = 24,
		    .format = cmd_mesa_facilitador_nombre_cell },
		{ .title = "ACTORES", .key = "actores", .numeric = true },
		{ .title = "MATERIALES", .key = "materiales",
		    .numeric = true },
	};

	(void)a;
	output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]),
	    json_object_get(reply, "mesas"), "No hay mesas.");
}

int
cmd_mesa_listar(const struct settings *s, const struct commands_args *a)
{
	struct buf path;
	int rc;

	buf_init(&path);
	buf_puts(&path, "/v1/mesas");
	api_query_add(&path, "entidad", commands_opt(a, "entidad"));
	api_query_add(&path, "fase", commands_opt(a, "fase"));
	rc = cmd_run(s, a, "GET", path.data, NULL, "mesas",
	    cmd_mesa_print_mesas);
	buf_cleanup(&path);
	return rc;
}

static void
cmd_mesa_print_mesa(const json_t *m, const struct commands_args *a)
{
	static const struct output_field head[] = {
		{ .label = "id", .key = "id" },
		{ .label = "título", .key = "titulo" },
		{ .label = "entidad", .key = "entidad" },
		{ .label = "municipio", .key = "municipio" },
		{ .label = "zona horaria", .key = "zona_horaria" },
		{ .label = "fase", .format = cmd_mesa_fase_cell },
	};
	static const struct output_field fecha[] = {
		{ .label = "fecha", .key = "fecha" },
		{ .label = "hora", .key = "hora" },
		{ .label = "lugar", .key = "lugar" },
	};
	static const struct output_field tail[] = {
		{ .label = "facilitador", .format = cmd_mesa_facilitador_cell },
		{ .label = "actores", .key = "actores" },
		{ .label = "materiales", .key = "materiales" },
	};
	const size_t nhead = sizeof(head) / sizeof(head[0]);
	const size_t nfecha = sizeof(fecha) / sizeof(fecha[0]);
	const size_t ntail = sizeof(tail) / sizeof(tail[0]);
	struct output_field fields[sizeof(head) / sizeof(head[0]) +
	    sizeof(fecha) / sizeof(fecha[0]) + sizeof(tail) / sizeof(tail[0])];
	const json_t *bloqueos = json_object_get(m, "bloqueos");
	const json_t *pendientes = json_object_get(bloqueos, "pendientes");
	const char *ultima = json_string_value(json_object_get(bloqueos,
	    "ultima_recepcion"));
	const char *minima = json_string_value(json_object_get(bloqueos,
	    "fecha_minima"));
	const char *paso = json_string_value(json_object_get(m,
	    "siguiente_paso"));
	size_t n = nhead;

	(void)a;
	/* One call, so that every label lines up with the others. */
	memcpy(fields, head, sizeof(head));
	if (json_is_string(json_object_get(m, "fecha"))) {
		memcpy(fields + n, fecha, sizeof(fecha));
		n += nfecha;
	}
	memcpy(fields + n, tail, sizeof(tail));
	n += ntail;
	output_fields(stdout, fields, n, m);

	if (json_array_size(pendientes) > 0 || ultima != NULL ||
	    minima != NULL || paso != NULL)
		fputc('\n', stdout);
	if (json_array_size(pendientes) > 0) {
		printf("Pendientes para programar:\n");
		output_pendientes(stdout, pendientes);
	}
	if (ultima != NULL)
		output_line(stdout, "Última recepción: %s", ultima);
	if (minima != NULL)
		output_line(stdout, "Fecha más próxima permitida: %s", minima);
	if (paso != NULL)
		output_line(stdout, "Siguiente paso: %s", paso);
}

int
cmd_mesa_ver(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "");
	int rc;

	rc = cmd_run(s, a, "GET", path, NULL, NULL, cmd_mesa_print_mesa);
	free(path);
	return rc;
}

/* Who did it: the user, else the actor (through a link), else pald. */
static char *
cmd_mesa_quien_cell(const json_t *row)
{
	const char *u = json_string_value(json_object_get(json_object_get(row,
	    "usuario"), "nombre"));
	const char *act = json_string_value(json_object_get(
	    json_object_get(row, "actor"), "nombre"));

	return xstrdup(u != NULL ? u : act != NULL ? act : "sistema");
}

/* The description, and for a backdated entry who recorded it. */
static char *
cmd_mesa_descripcion_cell(const json_t *row)
{
	const char *d = cmd_str(row, "descripcion");
	const char *u = json_string_value(json_object_get(json_object_get(row,
	    "usuario"), "nombre"));

	if (!json_is_true(json_object_get(json_object_get(row, "datos"),
	    "retroactivo")))
		return xstrdup(d);
	if (u == NULL)
		return xasprintf("%s (retroactivo)", d);
	return xasprintf("%s (retroactivo, registrado por %s)", d, u);
}

static void
cmd_mesa_print_eventos(const json_t *reply, const struct commands_args *a)
{
	static const struct output_column cols[] = {
		{ .title = "INSTANTE", .key = "instante" },
		{ .title = "QUIÉN", .max_width = 28,
		    .format = cmd_mesa_quien_cell },
		{ .title = "TIPO", .key = "tipo" },
		{ .title = "DESCRIPCIÓN", .format = cmd_mesa_descripcion_cell },
	};

	(void)a;
	output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]),
	    json_object_get(reply, "eventos"), "La mesa no tiene eventos.");
}

int
cmd_mesa_linea_tiempo(const struct settings *s,
    const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/eventos");
	int rc;

	rc = cmd_run(s, a, "GET", path, NULL, "eventos",
	    cmd_mesa_print_eventos);
	free(path);
	return rc;
}

static void
cmd_mesa_print_programada(const json_t *m, const struct commands_args *a)
{
	(void)a;
	output_line(stdout, "Mesa %" JSON_INTEGER_FORMAT " convocada para el "
	    "%s a las %s en %s.", cmd_int(m, "id"),
	    cmd_str(m, "fecha"), cmd_str(m, "hora"),
	    cmd_str(m, "lugar"));
}

/*
 * A refusal by the gate prints its pairs and dates through
 * output_server_error, like every other refusal.
 */
int
cmd_mesa_programar(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/programar");
	json_t *body = json_pack("{s:s, s:s, s:s}",
	    "fecha", commands_opt(a, "fecha"),
	    "hora", commands_opt(a, "hora"),
	    "lugar", commands_opt(a, "lugar"));
	int rc;

	rc = cmd_run(s, a, "POST", path, body, NULL,
	    cmd_mesa_print_programada);
	json_decref(body);
	free(path);
	return rc;
}

/* The reminder cadence. */

/* The options of mesa recordatorios, as the API names their members. */
static const char *const cmd_mesa_cadencia[][2] = {
	{ "dias-antes", "dias_antes" },
	{ "vencida-cada", "vencida_cada" },
	{ "copia-facilitador", "copia_facilitador" },
	{ "copia-garante", "copia_garante" },
	{ "hora", "hora" },
};
#define CMD_MESA_N_CADENCIA \
	(sizeof(cmd_mesa_cadencia) / sizeof(cmd_mesa_cadencia[0]))

/* Whose value member key is: the mesa's own or the general one. */
static const char *
cmd_mesa_origen(const json_t *row, const char *key)
{
	return json_is_true(json_object_get(json_object_get(row, "propia"),
	    key)) ? "propia de la mesa" : "general";
}

static char *
cmd_mesa_dias_cell(const json_t *row)
{
	const json_t *dias = json_object_get(row, "dias_antes");
	struct buf b;
	size_t i, n = json_array_size(dias);
	json_t *d;

	buf_init(&b);
	if (n == 0)
		buf_puts(&b, "ninguno, solo al vencer");
	json_array_foreach(dias, i, d)
		buf_printf(&b, "%s%" JSON_INTEGER_FORMAT, i == 0 ? "" :
		    i == n - 1 ? " y " : ", ", json_integer_value(d));
	buf_printf(&b, " (%s)", cmd_mesa_origen(row, "dias_antes"));
	return cmd_steal(&b);
}

static char *
cmd_mesa_vencida_cell(const json_t *row)
{
	json_int_t n = cmd_int(row, "vencida_cada");

	return xasprintf("cada %" JSON_INTEGER_FORMAT " %s (%s)", n,
	    n == 1 ? "día" : "días", cmd_mesa_origen(row, "vencida_cada"));
}

static char *
cmd_mesa_copia_cell(const json_t *row, const char *key)
{
	json_int_t n = cmd_int(row, key);

	if (n == 0)
		return xasprintf("desde el día del vencimiento (%s)",
		    cmd_mesa_origen(row, key));
	return xasprintf("desde %" JSON_INTEGER_FORMAT " %s de retraso (%s)",
	    n, n == 1 ? "día" : "días", cmd_mesa_origen(row, key));
}

static char *
cmd_mesa_copia_facilitador_cell(const json_t *row)
{
	return cmd_mesa_copia_cell(row, "copia_facilitador");
}

static char *
cmd_mesa_copia_garante_cell(const json_t *row)
{
	return cmd_mesa_copia_cell(row, "copia_garante");
}

static char *
cmd_mesa_hora_cell(const json_t *row)
{
	return xasprintf("%s (%s)", cmd_str(row, "hora"),
	    cmd_mesa_origen(row, "hora"));
}

static void
cmd_mesa_print_cadencia(const json_t *c, const struct commands_args *a)
{
	static const struct output_field fields[] = {
		{ .label = "Días antes del plazo",
		    .format = cmd_mesa_dias_cell },
		{ .label = "Vencida, recordar",
		    .format = cmd_mesa_vencida_cell },
		{ .label = "Copia al facilitador",
		    .format = cmd_mesa_copia_facilitador_cell },
		{ .label = "Copia al garante",
		    .format = cmd_mesa_copia_garante_cell },
		{ .label = "Hora de envío", .format = cmd_mesa_hora_cell },
	};

	(void)a;
	output_line(stdout, "Cadencia de recordatorios de la mesa %"
	    JSON_INTEGER_FORMAT ":", cmd_int(c, "mesa_id"));
	output_fields(stdout, fields, sizeof(fields) / sizeof(fields[0]), c);
}

/*
 * An integer as typed ("7", "-3"), or false. The sign is kept so that
 * the server, not pal, says what the range is.
 */
static bool
cmd_mesa_entero(const char *s, json_int_t *out)
{
	size_t i = s[0] == '-' ? 1 : 0, len = strlen(s);

	if (len == i || len - i > 9 || strspn(s + i, "0123456789") != len - i)
		return false;
	*out = strtoll(s, NULL, 10);
	return true;
}

/*
 * "30,7,1,0" as a JSON array, "ninguno" as []; NULL if an item is not a
 * number (an empty one included: "", ",7", "7,,1", "7,").
 */
static json_t *
cmd_mesa_dias(const char *s)
{
	json_t *arr = json_array();
	json_int_t n;

	if (strcmp(s, "ninguno") == 0)
		return arr;
	for (;;) {
		size_t len = strcspn(s, ",");
		char item[16];

		/* Longer than any number cmd_mesa_entero takes. */
		if (len >= sizeof(item)) {
			json_decref(arr);
			return NULL;
		}
		memcpy(item, s, len);
		item[len] = '\0';
		if (!cmd_mesa_entero(item, &n)) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, json_integer(n));
		if (s[len] == '\0')
			return arr;
		s += len + 1;
	}
}

/*
 * No option: shows the cadence. Otherwise one PUT with the members given;
 * --predeterminados sends null for every member first (back to the
 * general values), so the other options given with it still apply.
 */
int
cmd_mesa_recordatorios(const struct settings *s,
    const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/recordatorios");
	json_t *body = json_object();
	bool predeterminados = commands_opt(a, "predeterminados") != NULL;
	bool cambia = predeterminados;
	int rc;

	for (size_t i = 0; i < CMD_MESA_N_CADENCIA; i++) {
		const char *opt = cmd_mesa_cadencia[i][0];
		const char *key = cmd_mesa_cadencia[i][1];
		const char *v = commands_opt(a, opt);
		json_t *j = NULL;
		json_int_t n;

		if (v == NULL) {
			if (predeterminados)
				json_object_set_new(body, key, json_null());
			continue;
		}
		cambia = true;
		if (strcmp(key, "hora") == 0)
			j = json_string(v);
		else if (strcmp(key, "dias_antes") == 0)
			j = cmd_mesa_dias(v);
		else if (cmd_mesa_entero(v, &n))
			j = json_integer(n);
		if (j == NULL) {
			json_decref(body);
			free(path);
			return commands_usage_error(a->entry, "--%s espera %s, "
			    "no «%s».", opt, strcmp(key, "dias_antes") == 0 ?
			    "días separados por comas, como 30,7,1,0, o "
			    "«ninguno»" : "un número entero de días", v);
		}
		json_object_set_new(body, key, j);
	}
	rc = cambia ? cmd_run(s, a, "PUT", path, body, NULL,
	    cmd_mesa_print_cadencia) : cmd_run(s, a, "GET", path, NULL, NULL,
	    cmd_mesa_print_cadencia);
	json_decref(body);
	free(path);
	return rc;
}

/* Actores. */

static void
cmd_mesa_print_actor(const json_t *act, const struct commands_args *a)
{
	(void)a;
	output_line(stdout, "Actor %" JSON_INTEGER_FORMAT " agregado a la mesa "
	    "%" JSON_INTEGER_FORMAT ": %s <%s>, %s.", cmd_int(act, "id"),
	    cmd_int(act, "mesa_id"), cmd_str(act, "nombre"),
	    cmd_str(act, "email"),
	    cmd_label(json_string_value(json_object_get(act,
	    "sector"))));
}

int
cmd_actor_agregar(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/actores");
	json_t *body = json_pack("{s:s, s:s, s:s, s:s*, s:s*}",
	    "nombre", commands_opt(a, "nombre"),
	    "email", commands_opt(a, "email"),
	    "sector", commands_opt(a, "sector"),
	    "organizacion", commands_opt(a, "organizacion"),
	    "cargo", commands_opt(a, "cargo"));
	int rc;

	rc = cmd_run(s, a, "POST", path, body, NULL,
	    cmd_mesa_print_actor);
	json_decref(body);
	free(path);
	return rc;
}

/* "2/3": materials received out of all. */
static char *
cmd_mesa_recibidos_cell(const json_t *row)
{
	return xasprintf("%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
	    cmd_int(row, "materiales_recibidos"),
	    cmd_int(row, "materiales_total"));
}

static void
cmd_mesa_print_actores(const json_t *reply, const struct commands_args *a)
{
	static const struct output_column cols[] = {
		{ .title = "ID", .key = "id", .numeric = true },
		{ .title = "NOMBRE", .key = "nombre", .max_width = 30 },
		{ .title = "EMAIL", .key = "email", .max_width = 36 },
		{ .title = "SECTOR", .format = cmd_mesa_sector_cell },
		{ .title = "ORGANIZACIÓN", .key = "organizacion",
		    .max_width = 30 },
		{ .title = "CARGO", .key = "cargo", .max_width = 24 },
		{ .title = "RECIBIDOS", .numeric = true,
		    .format = cmd_mesa_recibidos_cell },
	};

	(void)a;
	output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]),
	    json_object_get(reply, "actores"),
	    "La mesa no tiene actores.");
}

int
cmd_actor_listar(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/actores");
	int rc;

	rc = cmd_run(s, a, "GET", path, NULL, "actores",
	    cmd_mesa_print_actores);
	free(path);
	return rc;
}

static void
cmd_mesa_print_revocados(const json_t *reply, const struct commands_args *a)
{
	json_int_t n = cmd_int(reply, "revocados");
	json_int_t actor = cmd_number(a->args[1]);

	if (n == 0)
		printf("El actor %" JSON_INTEGER_FORMAT " no tenía enlaces "
		    "vigentes.\n", actor);
	else
		printf("%s %" JSON_INTEGER_FORMAT " %s del actor %"
		    JSON_INTEGER_FORMAT ".\n", n == 1 ? "Se revocó" :
		    "Se revocaron", n, n == 1 ? "enlace" : "enlaces", actor);
}

int
cmd_actor_revocar_enlaces(const struct settings *s,
    const struct commands_args *a)
{
	char *rest = xasprintf("/actores/%" JSON_INTEGER_FORMAT
	    "/revocar-enlaces", cmd_number(a->args[1]));
	char *path = cmd_mesa_path(a, rest);
	int rc;

	rc = cmd_run(s, a, "POST", path, NULL, NULL,
	    cmd_mesa_print_revocados);
	free(path);
	free(rest);
	return rc;
}
