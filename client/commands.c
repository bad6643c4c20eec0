/*
 * The commands of pal and the one table that lists them. The table drives
 * dispatch, option parsing and every help text; each handler builds one
 * request, checks the shape of the reply and prints it through output.c
 * (or prints the server's JSON as received under --json).
 *
 * Handlers do not validate what the server validates (emails, lengths):
 * they check only what makes a request meaningless, such as a --rol that
 * does not exist or a file that cannot be read, and leave the rest to the
 * server's Spanish error messages.
 */
#include "commands.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "api.h"
#include "buf.h"
#include "output.h"
#include "xmalloc.h"

#ifndef PALD_VERSION
#define PALD_VERSION	"desconocida"
#endif

/* Local files sent inside a JSON body; the server has its own, lower cap. */
#define COMMANDS_MAX_FILE	(256u * 1024 * 1024)

static commands_fn cmd_login;
static commands_fn cmd_estado;
static commands_fn cmd_usuario_crear;
static commands_fn cmd_usuario_listar;
static commands_fn cmd_correo_listar;
static commands_fn cmd_correo_probar;

const struct commands_entry commands_table[] = {
	{
		.noun = "login", .verb = NULL,
		.usage = "URL TOKEN",
		.summary = "Comprueba el token con el servidor y lo guarda en "
		    "~/.config/pal/config.",
		.min_args = 2, .max_args = 2,
		.own_settings = true,
		.handler = cmd_login,
	},
	{
		.noun = "estado", .verb = NULL,
		.usage = "",
		.summary = "Muestra el servidor, su versión, su base de datos "
		    "y el usuario de la sesión.",
		.handler = cmd_estado,
	},
	{
		.noun = "usuario", .verb = "crear",
		.usage = "--nombre N --email E --rol facilitador|garante|admin "
		    "[--entidad E]",
		.summary = "Crea un usuario y muestra su token una sola vez.",
		.needs_token = true,
		.handler = cmd_usuario_crear,
		.options = {
			{ .name = "nombre", .has_value = true,
			    .required = true },
			{ .name = "email", .has_value = true,
			    .required = true },
			{ .name = "rol", .has_value = true, .required = true },
			{ .name = "entidad", .has_value = true },
		},
	},
	{
		.noun = "usuario", .verb = "listar",
		.usage = "",
		.summary = "Lista los usuarios.",
		.needs_token = true,
		.handler = cmd_usuario_listar,
	},
	{
		.noun = "correo", .verb = "listar",
		.usage = "[--estado pendiente|enviado|fallido] [--limite N]",
		.summary = "Lista los correos de la bandeja de salida.",
		.needs_token = true,
		.handler = cmd_correo_listar,
		.options = {
			{ .name = "estado", .has_value = true },
			{ .name = "limite", .has_value = true },
		},
	},
	{
		.noun = "correo", .verb = "probar",
		.usage = "EMAIL [--adjunto ARCHIVO]",
		.summary = "Encola un correo de prueba, con un adjunto si se "
		    "indica.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_correo_probar,
		.options = {
			{ .name = "adjunto", .has_value = true },
		},
	},
	{ .noun = NULL },
};

/* Options pal takes before the noun, named in a hint when given after. */
static const char *const commands_globals[] = { "url", "token", "json" };

/* Usage and help. */

static void
commands_print_usage(FILE *fp, const char *prefix,
    const struct commands_entry *e)
{
	fprintf(fp, "%spal %s", prefix, e->noun);
	if (e->verb != NULL)
		fprintf(fp, " %s", e->verb);
	if (*e->usage != '\0')
		fprintf(fp, " %s", e->usage);
	fputc('\n', fp);
}

static void
commands_print_entry(FILE *fp, const struct commands_entry *e)
{
	commands_print_usage(fp, "  ", e);
	fprintf(fp, "      %s\n", e->summary);
}

static void
commands_help_all(FILE *fp)
{
	fprintf(fp,
	    "uso: pal [--url URL] [--token TOKEN] [--json] ORDEN [VERBO] "
	    "[ARGUMENTOS]\n"
	    "\n"
	    "Opciones globales (antes de la orden):\n"
	    "  --url URL       servidor; si no se indica: PAL_URL, "
	    "~/.config/pal/config\n"
	    "                  o " SETTINGS_DEFAULT_URL "\n"
	    "  --token TOKEN   token de acceso; si no se indica: PAL_TOKEN o\n"
	    "                  ~/.config/pal/config\n"
	    "  --json          imprime el JSON del servidor tal como llega\n"
	    "  --help          muestra esta ayuda\n"
	    "  --version       muestra la versión\n"
	    "\n"
	    "Órdenes:\n");
	for (const struct commands_entry *e = commands_table; e->noun; e++)
		commands_print_entry(fp, e);
	fprintf(fp,
	    "\n"
	    "Ayuda de una orden: pal ORDEN --help\n"
	    "Códigos de salida: 0 correcto, 1 uso incorrecto o fallo local, "
	    "2 rechazado por\n"
	    "el servidor (4xx), 3 servidor inaccesible o con fallas (5xx).\n");
}

static void
commands_help_noun(FILE *fp, const char *noun)
{
	fprintf(fp, "Órdenes de «%s»:\n", noun);
	for (const struct commands_entry *e = commands_table; e->noun; e++)
		if (strcmp(e->noun, noun) == 0)
			commands_print_entry(fp, e);
}

static bool
commands_noun_exists(const char *noun)
{
	for (const struct commands_entry *e = commands_table; e->noun; e++)
		if (strcmp(e->noun, noun) == 0)
			return true;
	return false;
}

/* Prints "error: ..." and the command's usage line; returns PAL_EXIT_USAGE. */
static int
commands_usage_error(const struct commands_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
commands_usage_error(const struct commands_entry *e, const char *fmt, ...)
{
	va_list ap;

	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	commands_print_usage(stderr, "uso: ", e);
	return PAL_EXIT_USAGE;
}

/* Lookup and parsing. */

const struct commands_entry *
commands_find(const char *noun, const char *verb)
{
	for (const struct commands_entry *e = commands_table; e->noun; e++) {
		if (strcmp(e->noun, noun) != 0)
			continue;
		if (e->verb == NULL && verb == NULL)
			return e;
		if (e->verb != NULL && verb != NULL &&
		    strcmp(e->verb, verb) == 0)
			return e;
	}
	return NULL;
}

static int
commands_option_index(const struct commands_entry *e, const char *name,
    size_t len, char short_name)
{
	for (int i = 0; i < COMMANDS_MAX_OPTIONS && e->options[i].name; i++) {
		const struct commands_option *o = &e->options[i];

		if (short_name != '\0' ? o->short_name == short_name :
		    strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return i;
	}
	return -1;
}

static bool
commands_unknown_option(const char *name, size_t len, struct error *err)
{
	for (size_t i = 0; i < sizeof(commands_globals) /
	    sizeof(commands_globals[0]); i++) {
		if (strlen(commands_globals[i]) == len &&
		    strncmp(commands_globals[i], name, len) == 0) {
			error_set(err, 0, "uso",
			    "--%s es una opción global: escríbala antes de la "
			    "orden (pal --%s ...)", commands_globals[i],
			    commands_globals[i]);
			return false;
		}
	}
	error_set(err, 0, "uso", "opción desconocida: --%.*s", (int)len,
	    name);
	return false;
}

bool
commands_parse(const struct commands_entry *e, int argc, char **argv,
    struct commands_args *a, struct error *err)
{
	bool only_args = false;

	memset(a, 0, sizeof(*a));
	a->entry = e;
	for (int k = 0; k < argc; k++) {
		const char *arg = argv[k], *name, *eq, *value;
		char short_name = '\0';
		size_t len;
		int i;

		if (!output_utf8_valid(arg)) {
			error_set(err, 0, "uso",
			    "el argumento %d no es texto UTF-8 válido", k + 1);
			return false;
		}
		if (!only_args && strcmp(arg, "--") == 0) {
			only_args = true;
			continue;
		}
		if (only_args || arg[0] != '-' || arg[1] == '\0') {
			/* "-" alone is an argument (standard input, say). */
			if (a->nargs == e->max_args ||
			    a->nargs == COMMANDS_MAX_ARGS) {
				error_set(err, 0, "uso",
				    "sobra el argumento «%s»", arg);
				return false;
			}
			a->args[a->nargs++] = arg;
			continue;
		}

		if (arg[1] == '-') {
			name = arg + 2;
			eq = strchr(name, '=');
			len = eq != NULL ? (size_t)(eq - name) : strlen(name);
		} else {
			/* "-o FILE" or "-oFILE". */
			short_name = arg[1];
			name = arg + 1;
			len = 1;
			eq = arg[2] != '\0' ? arg + 1 : NULL;
		}
		if ((i = commands_option_index(e, name, len, short_name)) < 0) {
			if (short_name != '\0') {
				error_set(err, 0, "uso",
				    "opción desconocida: -%c", short_name);
				return false;
			}
			return commands_unknown_option(name, len, err);
		}
		name = e->options[i].name;
		if (!e->options[i].has_value) {
			if (eq != NULL) {
				error_set(err, 0, "uso",
				    "la opción --%s no lleva valor", name);
				return false;
			}
			value = "";
		} else if (eq != NULL)
			value = eq + 1;
		else if (k + 1 < argc) {
			value = argv[++k];
			if (!output_utf8_valid(value)) {
				error_set(err, 0, "uso",
				    "el valor de --%s no es texto UTF-8 "
				    "válido", name);
				return false;
			}
		} else {
			error_set(err, 0, "uso", "falta el valor de --%s",
			    name);
			return false;
		}
		if (e->options[i].has_value && *value == '\0') {
			error_set(err, 0, "uso",
			    "el valor de --%s no puede estar vacío", name);
			return false;
		}
		if (a->values[i] != NULL) {
			error_set(err, 0, "uso",
			    "la opción --%s se indicó más de una vez", name);
			return false;
		}
		a->values[i] = value;
	}

	for (int i = 0; i < COMMANDS_MAX_OPTIONS && e->options[i].name; i++) {
		if (e->options[i].required && a->values[i] == NULL) {
			error_set(err, 0, "uso", "falta la opción --%s",
			    e->options[i].name);
			return false;
		}
	}
	if (a->nargs < e->min_args) {
		error_set(err, 0, "uso", "faltan argumentos");
		return false;
	}
	return true;
}

const char *
commands_opt(const struct commands_args *a, const char *name)
{
	int i = commands_option_index(a->entry, name, strlen(name), '\0');

	return i >= 0 ? a->values[i] : NULL;
}

/* Requests and replies. */

/* Prints the body as it came, ended by a newline, for --json. */
static void
commands_print_body(const struct api_response *r)
{
	fwrite(r->body.data, 1, r->body.len, stdout);
	if (r->body.len > 0 && r->body.data[r->body.len - 1] != '\n')
		fputc('\n', stdout);
}

/*
 * Reports a request that got no reply or a reply that is not 2xx, and
 * returns the exit code for it; PAL_EXIT_OK for a 2xx reply, which the
 * caller prints. Under --json a JSON error body also goes to stdout, so
 * scripts can read the error code.
 */
static int
commands_check(const struct settings *s, bool replied,
    const struct api_response *r)
{
	if (!replied) {
		fprintf(stderr, "error: %s\n", r->error);
		return PAL_EXIT_UNAVAILABLE;
	}
	if (api_exit_code(r->status) == PAL_EXIT_OK)
		return PAL_EXIT_OK;
	if (s->json && r->json != NULL)
		commands_print_body(r);
	output_server_error(stderr, r->status, r->json);
	return api_exit_code(r->status);
}

static int
commands_call(const struct settings *s, const char *method, const char *path,
    json_t *body, struct api_response *r)
{
	return commands_check(s, api_request(s, method, path, body, r), r);
}

/*
 * The reply's JSON object, with member key an array when key is given,
 * or NULL after saying that the reply is not what this pal expects.
 */
static const json_t *
commands_expect(const struct api_response *r, const char *key)
{
	if (json_is_object(r->json) &&
	    (key == NULL || json_is_array(json_object_get(r->json, key))))
		return r->json;
	fprintf(stderr, "error: respuesta inesperada del servidor (HTTP %ld); "
	    "¿coinciden las versiones de pal y pald?\n", r->status);
	return NULL;
}

/* Local files. */

static const char *
commands_errno_text(int e)
{
	switch (e) {
	case ENOENT:
		return "no existe";
	case EACCES:
		return "permiso denegado";
	case EISDIR:
		return "es un directorio";
	default:
		return strerror(e);
	}
}

/* Reads a whole regular file into out, or false with err naming it. */
static bool
commands_read_file(const char *path, struct buf *out, struct error *err)
{
	char chunk[65536];
	struct stat st;
	FILE *fp;
	size_t n;
	bool ok = false;

	if ((fp = fopen(path, "rb")) == NULL) {
		error_set(err, 0, "uso", "no se pudo leer el archivo «%s»: %s",
		    path, commands_errno_text(errno));
		return false;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		error_set(err, 0, "uso", "no se pudo leer el archivo «%s»: %s",
		    path, commands_errno_text(EISDIR));
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (out->len + n > COMMANDS_MAX_FILE) {
			error_set(err, 0, "uso",
			    "el archivo «%s» excede %u MiB", path,
			    COMMANDS_MAX_FILE / (1024 * 1024));
			goto out;
		}
		buf_append(out, chunk, n);
	}
	if (ferror(fp)) {
		error_set(err, 0, "uso", "no se pudo leer el archivo «%s»: %s",
		    path, commands_errno_text(errno));
		goto out;
	}
	ok = true;
out:
	fclose(fp);
	return ok;
}

/* The media type of a file from its extension; octet-stream if unknown. */
static const char *
commands_media_type(const char *filename)
{
	static const struct {
		const char	*ext;
		const char	*type;
	} types[] = {
		{ "pdf", "application/pdf" },
		{ "txt", "text/plain" },
		{ "csv", "text/csv" },
		{ "html", "text/html" },
		{ "htm", "text/html" },
		{ "ics", "text/calendar" },
		{ "json", "application/json" },
		{ "xml", "application/xml" },
		{ "png", "image/png" },
		{ "jpg", "image/jpeg" },
		{ "jpeg", "image/jpeg" },
		{ "gif", "image/gif" },
		{ "svg", "image/svg+xml" },
		{ "zip", "application/zip" },
		{ "doc", "application/msword" },
		{ "docx", "application/vnd.openxmlformats-officedocument."
		    "wordprocessingml.document" },
		{ "xls", "application/vnd.ms-excel" },
		{ "xlsx", "application/vnd.openxmlformats-officedocument."
		    "spreadsheetml.sheet" },
		{ "pptx", "application/vnd.openxmlformats-officedocument."
		    "presentationml.presentation" },
		{ "odt", "application/vnd.oasis.opendocument.text" },
		{ "ods", "application/vnd.oasis.opendocument.spreadsheet" },
	};
	const char *dot = strrchr(filename, '.');

	if (dot != NULL && dot != filename)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/*
 * The JSON attachment {"nombre","tipo","contenido"} for the file at path,
 * with the contents in base64; new reference, or NULL with err.
 */
static json_t *
commands_attachment(const char *path, struct error *err)
{
	const char *name = strrchr(path, '/');
	unsigned char *b64;
	struct buf data;
	json_t *att = NULL;

	name = name != NULL ? name + 1 : path;
	if (*name == '\0') {
		error_set(err, 0, "uso", "«%s» no nombra un archivo", path);
		return NULL;
	}
	buf_init(&data);
	if (!commands_read_file(path, &data, err))
		goto out;
	b64 = xmalloc(4 * ((data.len + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)data.data, (int)data.len);
	att = json_pack("{s:s, s:s, s:s}", "nombre", name, "tipo",
	    commands_media_type(name), "contenido", (const char *)b64);
	free(b64);
	if (att == NULL)
		error_set(err, 0, "uso",
		    "el nombre del archivo «%s» no es texto UTF-8 válido",
		    path);
out:
	buf_cleanup(&data);
	return att;
}

/* Handlers. */

static int
cmd_login(const struct settings *s, const struct commands_args *a)
{
	struct settings check = { .json = s->json };
	struct api_response r;
	struct error err;
	const json_t *yo;
	int rc;

	error_clear(&err);
	if ((check.url = settings_normalize_url(a->args[0], &err)) == NULL)
		return commands_usage_error(a->entry, "%s", err.message);
	if (!settings_check_token(a->args[1], &err)) {
		free(check.url);
		return commands_usage_error(a->entry, "%s", err.message);
	}
	check.token = xstrdup(a->args[1]);

	api_response_init(&r);
	rc = commands_call(&check, "GET", "/v1/yo", NULL, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (r.status != 200 || (yo = commands_expect(&r, NULL)) == NULL) {
		rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	if (!settings_write_file(check.url, check.token, &err)) {
		fprintf(stderr, "error: %s\n", err.message);
		rc = PAL_EXIT_USAGE;
		goto out;
	}
	if (s->json)
		commands_print_body(&r);
	else {
		char *nombre = output_value(json_object_get(yo, "nombre"));
		char *rol = output_value(json_object_get(yo, "rol"));

		printf("Sesión iniciada como %s (%s) en %s.\n", nombre, rol,
		    check.url);
		free(rol);
		free(nombre);
	}
out:
	api_response_cleanup(&r);
	settings_cleanup(&check);
	return rc;
}

/* "Ana <ana@ejemplo.mx> (admin, Jalisco)" for the reply of /v1/yo. */
static char *
commands_user_line(const json_t *yo)
{
	const char *nombre = json_string_value(json_object_get(yo, "nombre"));
	const char *email = json_string_value(json_object_get(yo, "email"));
	const char *rol = json_string_value(json_object_get(yo, "rol"));
	const char *entidad = json_string_value(json_object_get(yo,
	    "entidad"));
	struct buf b;
	char *user;

	buf_init(&b);
	buf_puts(&b, nombre != NULL ? nombre : "?");
	if (email != NULL)
		buf_printf(&b, " <%s>", email);
	buf_printf(&b, " (%s", rol != NULL ? rol : "?");
	if (entidad != NULL)
		buf_printf(&b, ", %s", entidad);
	buf_putc(&b, ')');
	user = xstrdup(b.data);
	buf_cleanup(&b);
	return user;
}

static int
cmd_estado(const struct settings *s, const struct commands_args *a)
{
	static const struct output_field fields[] = {
		{ .label = "servidor", .key = "servidor" },
		{ .label = "versión", .key = "version" },
		{ .label = "estado", .key = "estado" },
		{ .label = "base de datos", .key = "base_de_datos" },
		{ .label = "usuario", .key = "usuario" },
	};
	/* /healthz needs no token, and a bad one must not hide the state. */
	struct settings anon = { .url = s->url, .json = s->json };
	struct api_response health, yo;
	const json_t *h;
	json_t *view = NULL;
	char *user = NULL;
	bool replied, degraded;
	int rc = PAL_EXIT_OK, yo_rc = PAL_EXIT_OK;

	(void)a;
	api_response_init(&health);
	api_response_init(&yo);
	replied = api_request(&anon, "GET", "/healthz", NULL, &health);
	/* A 503 from a proxy, not from pald, has no state to show. */
	if (!replied || (health.status != 200 && health.status != 503) ||
	    (health.status == 503 && !json_is_object(health.json))) {
		rc = commands_check(s, replied, &health);
		if (rc == PAL_EXIT_OK)	/* a 2xx other than 200 */
			rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	if ((h = commands_expect(&health, NULL)) == NULL) {
		rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	degraded = health.status == 503;

	/*
	 * Not commands_call: under --json a refusal must end up inside the
	 * one object printed below, not as a second document.
	 */
	if (s->token == NULL)
		user = xstrdup("sin sesión (use «pal login URL TOKEN»)");
	else if (!api_request(s, "GET", "/v1/yo", NULL, &yo)) {
		fprintf(stderr, "error: %s\n", yo.error);
		user = xstrdup("no se pudo consultar");
		yo_rc = PAL_EXIT_UNAVAILABLE;
	} else if ((yo_rc = api_exit_code(yo.status)) != PAL_EXIT_OK) {
		output_server_error(stderr, yo.status, yo.json);
		user = xstrdup(yo_rc == PAL_EXIT_REFUSED ?
		    "token rechazado" : "no se pudo consultar");
	} else if (commands_expect(&yo, NULL) == NULL) {
		user = xstrdup("respuesta inesperada");
		yo_rc = PAL_EXIT_UNAVAILABLE;
	} else
		user = commands_user_line(yo.json);

	if (s->json) {
		/* Two replies: both, as received, under one object. */
		view = json_pack("{s:s, s:O, s:O?}", "url", s->url, "healthz",
		    health.json, "yo", yo.json);
		json_dumpf(view, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		view = json_pack("{s:s, s:O?, s:O?, s:O?, s:s}",
		    "servidor", s->url,
		    "version", json_object_get(h, "version"),
		    "estado", json_object_get(h, "estado"),
		    "base_de_datos", json_object_get(h, "base_de_datos"),
		    "usuario", user);
		output_fields(stdout, fields, sizeof(fields) /
		    sizeof(fields[0]), view);
	}
	if (degraded) {
		fprintf(stderr, "error: el servidor responde, pero su base de "
		    "datos no está disponible (HTTP 503)\n");
		rc = PAL_EXIT_UNAVAILABLE;
	} else
		rc = yo_rc;
out:
	json_decref(view);
	free(user);
	api_response_cleanup(&yo);
	api_response_cleanup(&health);
	return rc;
}

static int
cmd_usuario_crear(const struct settings *s, const struct commands_args *a)
{
	static const char *const roles[] = { "facilitador", "garante",
	    "admin" };
	static const struct output_field fields[] = {
		{ .label = "id", .key = "id" },
		{ .label = "nombre", .key = "nombre" },
		{ .label = "email", .key = "email" },
		{ .label = "rol", .key = "rol" },
		{ .label = "entidad", .key = "entidad" },
		{ .label = "token", .key = "token" },
	};
	const char *rol = commands_opt(a, "rol");
	struct api_response r;
	json_t *body;
	bool known = false;
	int rc;

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		known = known || strcmp(rol, roles[i]) == 0;
	if (!known)
		return commands_usage_error(a->entry,
		    "--rol debe ser facilitador, garante o admin, no «%s»",
		    rol);

	body = json_pack("{s:s, s:s, s:s, s:s?}",
	    "nombre", commands_opt(a, "nombre"),
	    "email", commands_opt(a, "email"),
	    "rol", rol,
	    "entidad", commands_opt(a, "entidad"));
	api_response_init(&r);
	rc = commands_call(s, "POST", "/v1/usuarios", body, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (s->json)
		commands_print_body(&r);
	else if (commands_expect(&r, NULL) == NULL)
		rc = PAL_EXIT_UNAVAILABLE;
	else {
		output_fields(stdout, fields, sizeof(fields) /
		    sizeof(fields[0]), r.json);
		printf("\nGuarde este token ahora: no se volverá a mostrar.\n");
	}
out:
	api_response_cleanup(&r);
	json_decref(body);
	return rc;
}

static int
cmd_usuario_listar(const struct settings *s, const struct commands_args *a)
{
	static const struct output_column cols[] = {
		{ .title = "ID", .key = "id", .numeric = true },
		{ .title = "NOMBRE", .key = "nombre", .max_width = 30 },
		{ .title = "EMAIL", .key = "email", .max_width = 40 },
		{ .title = "ROL", .key = "rol" },
		{ .title = "ENTIDAD", .key = "entidad", .max_width = 24 },
		{ .title = "ACTIVO", .key = "activo" },
		{ .title = "CREADO", .key = "creado" },
	};
	struct api_response r;
	int rc;

	(void)a;
	api_response_init(&r);
	rc = commands_call(s, "GET", "/v1/usuarios", NULL, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (s->json)
		commands_print_body(&r);
	else if (commands_expect(&r, "usuarios") == NULL)
		rc = PAL_EXIT_UNAVAILABLE;
	else
		output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]),
		    json_object_get(r.json, "usuarios"), "No hay usuarios.");
out:
	api_response_cleanup(&r);
	return rc;
}

/* "250 2.0.0 Ok: queued" from the last SMTP code and reply, or "-". */
static char *
commands_correo_respuesta(const json_t *row)
{
	const json_t *code = json_object_get(row, "ultimo_codigo");
	const char *text = json_string_value(json_object_get(row,
	    "ultima_respuesta"));

	if (json_is_integer(code) && text != NULL)
		return xasprintf("%" JSON_INTEGER_FORMAT " %s",
		    json_integer_value(code), text);
	if (json_is_integer(code))
		return output_value(code);
	return xstrdup(text != NULL ? text : "-");
}

static int
cmd_correo_listar(const struct settings *s, const struct commands_args *a)
{
	static const struct output_column cols[] = {
		{ .title = "ID", .key = "id", .numeric = true },
		{ .title = "DESTINATARIO", .key = "destinatario",
		    .max_width = 32 },
		{ .title = "ASUNTO", .key = "asunto", .max_width = 40 },
		{ .title = "ESTADO", .key = "estado" },
		{ .title = "INTENTOS", .key = "intentos", .numeric = true },
		{ .title = "ÚLTIMA RESPUESTA", .max_width = 40,
		    .format = commands_correo_respuesta },
	};
	const char *estado = commands_opt(a, "estado");
	const char *limite = commands_opt(a, "limite");
	struct api_response r;
	struct buf path;
	char *end;
	long n;
	int rc;

	if (estado != NULL && strcmp(estado, "pendiente") != 0 &&
	    strcmp(estado, "enviado") != 0 && strcmp(estado, "fallido") != 0)
		return commands_usage_error(a->entry,
		    "--estado debe ser pendiente, enviado o fallido, no «%s»",
		    estado);
	if (limite != NULL) {
		errno = 0;
		n = strtol(limite, &end, 10);
		/* The server owns the upper bound; here only the shape. */
		if (errno != 0 || *end != '\0' || n < 1 || n > INT_MAX)
			return commands_usage_error(a->entry,
			    "--limite debe ser un número entero positivo, no "
			    "«%s»", limite);
	}

	buf_init(&path);
	buf_puts(&path, "/v1/correos");
	api_query_add(&path, "estado", estado);
	api_query_add(&path, "limite", limite);
	api_response_init(&r);
	rc = commands_call(s, "GET", path.data, NULL, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (s->json)
		commands_print_body(&r);
	else if (commands_expect(&r, "correos") == NULL)
		rc = PAL_EXIT_UNAVAILABLE;
	else
		output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]),
		    json_object_get(r.json, "correos"), "No hay correos.");
out:
	api_response_cleanup(&r);
	buf_cleanup(&path);
	return rc;
}

static int
cmd_correo_probar(const struct settings *s, const struct commands_args *a)
{
	const char *email = a->args[0];
	const char *adjunto = commands_opt(a, "adjunto");
	struct api_response r;
	struct error err;
	json_t *body, *att;
	char *id;
	int rc;

	error_clear(&err);
	body = json_pack("{s:s}", "email", email);
	if (adjunto != NULL) {
		if ((att = commands_attachment(adjunto, &err)) == NULL) {
			json_decref(body);
			fprintf(stderr, "error: %s\n", err.message);
			return PAL_EXIT_USAGE;
		}
		json_object_set_new(body, "adjunto", att);
	}
	api_response_init(&r);
	rc = commands_call(s, "POST", "/v1/correos/prueba", body, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (s->json)
		commands_print_body(&r);
	else if (commands_expect(&r, NULL) == NULL)
		rc = PAL_EXIT_UNAVAILABLE;
	else {
		const char *to = json_string_value(json_object_get(r.json,
		    "destinatario"));

		id = output_value(json_object_get(r.json, "id"));
		printf("Correo de prueba encolado (id %s) para %s.\n", id,
		    to != NULL ? to : email);
		free(id);
	}
out:
	api_response_cleanup(&r);
	json_decref(body);
	return rc;
}

/* The program. */

/*
 * Takes "--name value" or "--name=value" for a global option at argv[*i];
 * true when argv[*i] is that option, with *value set (NULL if missing).
 */
static bool
commands_global_value(int argc, char **argv, int *i, const char *name,
    const char **value)
{
	const char *arg = argv[*i] + 2;
	size_t len = strlen(name);

	if (strncmp(arg, name, len) != 0)
		return false;
	if (arg[len] == '=') {
		*value = arg + len + 1;
		return true;
	}
	if (arg[len] != '\0')
		return false;
	*value = *i + 1 < argc ? argv[++*i] : NULL;
	return true;
}

static bool
commands_is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int
commands_main(int argc, char **argv)
{
	const char *flag_url = NULL, *flag_token = NULL, *noun, *verb = NULL;
	const struct commands_entry *e;
	struct commands_args a;
	struct settings s;
	struct error err;
	bool json = false, help = false;
	int i, rc;

	error_clear(&err);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *arg = argv[i], **slot = NULL, *value = NULL;

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(arg, "--json") == 0)
			json = true;
		else if (commands_is_help(arg))
			help = true;
		else if (strcmp(arg, "--version") == 0 ||
		    strcmp(arg, "-V") == 0) {
			printf("pal %s\n", PALD_VERSION);
			return PAL_EXIT_OK;
		} else if (commands_global_value(argc, argv, &i, "url",
		    &value))
			slot = &flag_url;
		else if (commands_global_value(argc, argv, &i, "token",
		    &value))
			slot = &flag_token;
		else {
			fprintf(stderr, "error: opción global desconocida: "
			    "%s\nUse «pal --help».\n", arg);
			return PAL_EXIT_USAGE;
		}
		if (slot != NULL) {
			if (value == NULL || *value == '\0') {
				fprintf(stderr, "error: falta el valor de "
				    "%.*s\n", (int)strcspn(arg, "="), arg);
				return PAL_EXIT_USAGE;
			}
			*slot = value;
		}
	}

	if (i == argc) {
		if (help) {
			commands_help_all(stdout);
			return PAL_EXIT_OK;
		}
		fprintf(stderr, "error: falta la orden\n");
		commands_help_all(stderr);
		return PAL_EXIT_USAGE;
	}
	noun = argv[i++];
	if (!commands_noun_exists(noun)) {
		fprintf(stderr, "error: orden desconocida: «%s»\n"
		    "Use «pal --help» para ver las órdenes.\n", noun);
		return PAL_EXIT_USAGE;
	}
	if ((e = commands_find(noun, NULL)) == NULL) {
		if (i == argc || argv[i][0] == '-') {
			if (help || (i < argc && commands_is_help(argv[i]))) {
				commands_help_noun(stdout, noun);
				return PAL_EXIT_OK;
			}
			fprintf(stderr, "error: falta el verbo de «%s»\n",
			    noun);
			commands_help_noun(stderr, noun);
			return PAL_EXIT_USAGE;
		}
		verb = argv[i++];
		if ((e = commands_find(noun, verb)) == NULL) {
			fprintf(stderr, "error: «%s» no es un verbo de «%s»\n",
			    verb, noun);
			commands_help_noun(stderr, noun);
			return PAL_EXIT_USAGE;
		}
	}
	for (int k = i; k < argc && strcmp(argv[k], "--") != 0; k++)
		help = help || commands_is_help(argv[k]);
	if (help) {
		commands_print_usage(stdout, "uso: ", e);
		printf("%s\n", e->summary);
		return PAL_EXIT_OK;
	}
	if (!commands_parse(e, argc - i, argv + i, &a, &err))
		return commands_usage_error(e, "%s", err.message);

	/* login must work even when the config file it replaces is bad. */
	settings_init(&s);
	if (!e->own_settings && !settings_load(&s, flag_url, flag_token,
	    &err)) {
		fprintf(stderr, "error: %s\n", err.message);
		settings_cleanup(&s);
		return PAL_EXIT_USAGE;
	}
	s.json = json;
	if (e->needs_token && s.token == NULL) {
		fprintf(stderr, "error: no hay token: use «pal login URL "
		    "TOKEN», --token o PAL_TOKEN\n");
		settings_cleanup(&s);
		return PAL_EXIT_USAGE;
	}
	rc = e->handler(&s, &a);
	settings_cleanup(&s);
	if (fflush(stdout) == EOF && rc == PAL_EXIT_OK) {
		fprintf(stderr, "error: no se pudo escribir la salida: %s\n",
		    strerror(errno));
		rc = PAL_EXIT_USAGE;
	}
	return rc;
}
