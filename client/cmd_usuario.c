/*
 * The commands about the session and the server rather than a mesa:
 * login, estado, usuario crear/listar and correo listar/probar.
 *
 * login is the one command that writes the config file; the others only
 * read, or ask the server to act (a test email is queued, not sent here).
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "api.h"
#include "buf.h"
#include "output.h"
#include "settings.h"
#include "xmalloc.h"

/*
 * The JSON attachment {"nombre","tipo","contenido"} for the file at path,
 * with the contents in base64; new reference, or NULL with err.
 */
static json_t *
cmd_usuario_attachment(const char *path, struct error *err)
{
	const char *name = cmd_basename(path);
	unsigned char *b64;
	struct buf data;
	json_t *att = NULL;

	if (*name == '\0') {
		error_set(err, 0, "uso", "«%s» no nombra un archivo", path);
		return NULL;
	}
	buf_init(&data);
	if (!cmd_read_file(path, &data, err))
		goto out;
	b64 = xmalloc(4 * ((data.len + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)data.data, (int)data.len);
	att = json_pack("{s:s, s:s, s:s}", "nombre", name, "tipo",
	    cmd_media_type(name), "contenido", (const char *)b64);
	free(b64);
	if (att == NULL)
		error_set(err, 0, "uso",
		    "el nombre del archivo «%s» no es texto UTF-8 válido",
		    path);
out:
	buf_cleanup(&data);
	return att;
}

int
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
	rc = cmd_call(&check, "GET", "/v1/yo", NULL, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (r.status != 200 || (yo = cmd_expect(&r, NULL)) == NULL) {
		rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	if (!settings_write_file(check.url, check.token, &err)) {
		fprintf(stderr, "error: %s\n", err.message);
		rc = PAL_EXIT_USAGE;
		goto out;
	}
	if (s->json)
		cmd_print_body(&r);
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
cmd_usuario_user_line(const json_t *yo)
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

int
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
		rc = cmd_check(s, replied, &health);
		if (rc == PAL_EXIT_OK)	/* a 2xx other than 200 */
			rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	if ((h = cmd_expect(&health, NULL)) == NULL) {
		rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	degraded = health.status == 503;

	/*
	 * Not cmd_call: under --json a refusal must end up inside the
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
	} else if (cmd_expect(&yo, NULL) == NULL) {
		user = xstrdup("respuesta inesperada");
		yo_rc = PAL_EXIT_UNAVAILABLE;
	} else
		user = cmd_usuario_user_line(yo.json);

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

int
cmd_usuario_crear(const struct settings *s, const struct commands_args *a)
{
	static const struct output_field fields[] = {
		{ .label = "id", .key = "id" },
		{ .label = "nombre", .key = "nombre" },
		{ .label = "email", .key = "email" },
		{ .label = "rol", .key = "rol" },
		{ .label = "entidad", .key = "entidad" },
		{ .label = "token", .key = "token" },
	};
	struct api_response r;
	json_t *body;
	int rc;

	/* commands_parse checked --rol against the table. */
	body = json_pack("{s:s, s:s, s:s, s:s*}",
	    "nombre", commands_opt(a, "nombre"),
	    "email", commands_opt(a, "email"),
	    "rol", commands_opt(a, "rol"),
	    "entidad", commands_opt(a, "entidad"));
	api_response_init(&r);
	rc = cmd_call(s, "POST", "/v1/usuarios", body, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (s->json)
		cmd_print_body(&r);
	else if (cmd_expect(&r, NULL) == NULL)
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

int
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
	rc = cmd_call(s, "GET", "/v1/usuarios", NULL, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (s->json)
		cmd_print_body(&r);
	else if (cmd_expect(&r, "usuarios") == NULL)
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
cmd_usuario_correo_respuesta(const json_t *row)
{
	const json_t *code = json_object_get(row, "ultimo_codigo");
	const char *text = json_string_value(json_object_get(row,
	    "ultima_respuesta"));

	/* The stored reply usually starts with its code already. */
	if (json_is_integer(code) && text != NULL &&
	    strtoll(text, NULL, 10) != json_integer_value(code))
		return xasprintf("%" JSON_INTEGER_FORMAT " %s",
		    json_integer_value(code), text);
	if (text != NULL)
		return xstrdup(text);
	if (json_is_integer(code))
		return output_value(code);
	return xstrdup(text != NULL ? text : "-");
}

int
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
		    .format = cmd_usuario_correo_respuesta },
	};
	const char *estado = commands_opt(a, "estado");
	const char *limite = commands_opt(a, "limite");
	struct api_response r;
	struct buf path;
	int rc;

	/*
	 * commands_parse checked both; the server owns the upper bound of
	 * --limite.
	 */
	buf_init(&path);
	buf_puts(&path, "/v1/correos");
	api_query_add(&path, "estado", estado);
	api_query_add(&path, "limite", limite);
	api_response_init(&r);
	rc = cmd_call(s, "GET", path.data, NULL, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (s->json)
		cmd_print_body(&r);
	else if (cmd_expect(&r, "correos") == NULL)
		rc = PAL_EXIT_UNAVAILABLE;
	else
		output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]),
		    json_object_get(r.json, "correos"), "No hay correos.");
out:
	api_response_cleanup(&r);
	buf_cleanup(&path);
	return rc;
}

int
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
		if ((att = cmd_usuario_attachment(adjunto, &err)) == NULL) {
			json_decref(body);
			fprintf(stderr, "error: %s\n", err.message);
			return PAL_EXIT_USAGE;
		}
		json_object_set_new(body, "adjunto", att);
	}
	api_response_init(&r);
	rc = cmd_call(s, "POST", "/v1/correos/prueba", body, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (s->json)
		cmd_print_body(&r);
	else if (cmd_expect(&r, NULL) == NULL)
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
