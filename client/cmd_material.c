/*
 * The commands of materiales and acuses: material agregar (a file's bytes
 * or a text, sent raw), listar, descargar, enviar; acuse registrar.
 *
 * A download never writes outside the current directory on the server's
 * say-so and never replaces a file; the media type of an upload comes
 * from the file's extension only (the server does not trust it either).
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api.h"
#include "buf.h"
#include "output.h"
#include "xmalloc.h"

/* Materiales. */

static char *
cmd_material_tipo_cell(const json_t *row)
{
	return xstrdup(cmd_label(json_string_value(json_object_get(row,
	    "tipo"))));
}

static char *
cmd_material_autor_cell(const json_t *row)
{
	return xstrdup(cmd_name_of(row, "autor"));
}

static void
cmd_material_print_material(const json_t *m, const struct commands_args *a)
{
	char *size = cmd_size(cmd_int(m, "tamano"));

	(void)a;
	output_line(stdout, "Material %" JSON_INTEGER_FORMAT " agregado a la "
	    "mesa %" JSON_INTEGER_FORMAT ": «%s» (%s, %s), de %s, entregado "
	    "el %s.", cmd_int(m, "id"), cmd_int(m, "mesa_id"),
	    cmd_str(m, "titulo"),
	    cmd_label(json_string_value(json_object_get(m, "tipo"))),
	    size, cmd_name_of(m, "autor"),
	    cmd_str(m, "fecha_entrega"));
	free(size);
}

/*
 * The body is the material itself, not JSON: a file's bytes as its media
 * type, or the text given with --texto as UTF-8 plain text.
 */
int
cmd_material_agregar(const struct settings *s, const struct commands_args *a)
{
	const char *file = a->nargs > 1 ? a->args[1] : NULL;
	const char *texto = commands_opt(a, "texto");
	const char *name = NULL, *type;
	struct api_response r;
	struct error err;
	struct buf path, data;
	int rc;

	if ((file != NULL) == (texto != NULL))
		return commands_usage_error(a->entry, file != NULL ?
		    "indique ARCHIVO o --texto, no ambos" :
		    "falta el material: indique ARCHIVO o --texto");
	error_clear(&err);
	buf_init(&data);
	if (file != NULL) {
		name = cmd_basename(file);
		if (*name == '\0') {
			buf_cleanup(&data);
			return commands_usage_error(a->entry,
			    "«%s» no nombra un archivo", file);
		}
		if (!cmd_read_file(file, &data, &err)) {
			buf_cleanup(&data);
			fprintf(stderr, "error: %s\n", err.message);
			return PAL_EXIT_USAGE;
		}
		type = cmd_media_type(name);
	} else {
		buf_puts(&data, texto);
		type = "text/plain; charset=utf-8";
	}

	buf_init(&path);
	buf_printf(&path, "/v1/mesas/%" JSON_INTEGER_FORMAT "/materiales",
	    cmd_number(a->args[0]));
	api_query_add(&path, "actor", commands_opt(a, "actor"));
	api_query_add(&path, "tipo", commands_opt(a, "tipo"));
	api_query_add(&path, "titulo", commands_opt(a, "titulo"));
	api_query_add(&path, "fecha", commands_opt(a, "fecha"));
	api_query_add(&path, "archivo", name);
	api_response_init(&r);
	rc = cmd_finish(s, a, api_request_raw(s, "POST", path.data, type,
	    data.data, data.len, "application/json", &r), &r, NULL,
	    cmd_material_print_material);
	api_response_cleanup(&r);
	buf_cleanup(&path);
	buf_cleanup(&data);
	return rc;
}

/* "diag.pdf, application/pdf, 12.3 KiB", or "texto, 812 bytes". */
static char *
cmd_material_archivo_cell(const json_t *row)
{
	const char *archivo = json_string_value(json_object_get(row,
	    "archivo"));
	char *size = cmd_size(cmd_int(row, "tamano"));
	char *cell;

	if (archivo != NULL)
		cell = xasprintf("%s, %s, %s", archivo,
		    cmd_str(row, "tipo_medio"), size);
	else
		cell = xasprintf("texto, %s", size);
	free(size);
	return cell;
}

/* "Ana (2026-11-20, autor), Luis (2026-11-21, correo)", or "nadie". */
static char *
cmd_material_acuses_cell(const json_t *row)
{
	const json_t *acuse;
	struct buf b;
	size_t i;

	buf_init(&b);
	json_array_foreach(json_object_get(row, "acuses"), i, acuse)
		buf_printf(&b, "%s%s (%s, %s)", i > 0 ? ", " : "",
		    cmd_str(acuse, "actor"), cmd_str(acuse, "fecha"),
		    cmd_str(acuse, "medio"));
	if (b.len == 0)
		buf_puts(&b, "nadie");
	return cmd_steal(&b);
}

/* "Marta, Pedro", or "nadie". */
static char *
cmd_material_pendientes_cell(const json_t *row)
{
	const json_t *p;
	struct buf b;
	size_t i;

	buf_init(&b);
	json_array_foreach(json_object_get(row, "pendientes"), i, p)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "",
		    cmd_str(p, "actor"));
	if (b.len == 0)
		buf_puts(&b, "nadie");
	return cmd_steal(&b);
}

static void
cmd_material_print_materiales(const json_t *reply,
    const struct commands_args *a)
{
	static const struct output_field fields[] = {
		{ .label = "id", .key = "id" },
		{ .label = "título", .key = "titulo" },
		{ .label = "tipo", .format = cmd_material_tipo_cell },
		{ .label = "autor", .format = cmd_material_autor_cell },
		{ .label = "fecha de entrega", .key = "fecha_entrega" },
		{ .label = "contenido", .format = cmd_material_archivo_cell },
		{ .label = "recibido por", .format = cmd_material_acuses_cell },
		{ .label = "pendiente",
		    .format = cmd_material_pendientes_cell },
	};
	const json_t *materiales = json_object_get(reply, "materiales");
	const json_t *m;
	size_t i;

	(void)a;
	if (json_array_size(materiales) == 0) {
		printf("La mesa no tiene materiales.\n");
		return;
	}
	json_array_foreach(materiales, i, m) {
		if (i > 0)
			fputc('\n', stdout);
		output_fields(stdout, fields, sizeof(fields) /
		    sizeof(fields[0]), m);
	}
}

int
cmd_material_listar(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/materiales");
	int rc;

	rc = cmd_run(s, a, "GET", path, NULL, "materiales",
	    cmd_material_print_materiales);
	free(path);
	return rc;
}

static int
cmd_material_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the %XX escapes of s[0..len) into out; false on a bad one. */
static bool
cmd_material_percent_decode(const char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			buf_putc(out, s[i]);
			continue;
		}
		if (i + 2 >= len || (hi = cmd_material_hex(s[i + 1])) < 0 ||
		    (lo = cmd_material_hex(s[i + 2])) < 0 || hi + lo == 0)
			return false;
		buf_putc(out, (char)(hi * 16 + lo));
		i += 2;
	}
	return true;
}

/*
 * name (borrowed) when it is a plain file name for the current directory:
 * the last path component, not empty, no leading dot, no control
 * characters, valid UTF-8. Owned copy, or NULL.
 */
static char *
cmd_material_safe_name(const char *name)
{
	const char *base = name;

	for (const char *p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
		if (*p == '/' || *p == '\\')
			base = p + 1;
	}
	if (*base == '\0' || *base == '.' || !output_utf8_valid(base))
		return NULL;
	return xstrdup(base);
}

/*
 * The file name a Content-Disposition header (borrowed, may be NULL)
 * suggests, owned, or NULL. filename*=UTF-8''... wins over filename=.
 * Only a plain name in the current directory is accepted: no path, no
 * leading dot, no control characters, valid UTF-8; so a server can
 * never make pal write anywhere else.
 */
static char *
cmd_material_disposition_name(const char *disp)
{
	struct buf plain, ext;
	const char *p = disp;
	char *name = NULL;

	if (disp == NULL)
		return NULL;
	buf_init(&plain);
	buf_init(&ext);
	while ((p = strchr(p, ';')) != NULL) {
		const char *key, *eq;
		size_t klen;

		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		key = p;
		if ((eq = strchr(key, '=')) == NULL)
			break;
		klen = (size_t)(eq - key);
		while (klen > 0 && (key[klen - 1] == ' ' ||
		    key[klen - 1] == '\t'))
			klen--;
		p = eq + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		if (klen == 9 && strncasecmp(key, "filename*", 9) == 0) {
			size_t vlen = strcspn(p, ";");
			const char *q = p, *end = p + vlen;

			/* charset'language'value, only UTF-8 taken. */
			if (vlen > 7 && strncasecmp(q, "UTF-8'", 6) == 0 &&
			    (q = memchr(q + 6, '\'', (size_t)(end - q - 6)))
			    != NULL) {
				buf_reset(&ext);
				if (!cmd_material_percent_decode(q + 1,
				    (size_t)(end - q - 1), &ext))
					buf_reset(&ext);
			}
			p = end;
		} else if (klen == 8 && strncasecmp(key, "filename", 8) == 0) {
			buf_reset(&plain);
			if (*p == '"') {
				for (p++; *p != '\0' && *p != '"'; p++) {
					if (*p == '\\' && p[1] != '\0')
						p++;
					buf_putc(&plain, *p);
				}
			} else
				buf_append(&plain, p, strcspn(p, "; \t"));
		}
	}
	name = cmd_material_safe_name(ext.len > 0 ? ext.data : plain.data);
	buf_cleanup(&ext);
	buf_cleanup(&plain);
	return name;
}

int
cmd_material_descargar(const struct settings *s,
    const struct commands_args *a)
{
	json_int_t id = cmd_number(a->args[1]);
	const char *salida = commands_opt(a, "salida");
	char *rest, *path, *name = NULL, *size;
	struct api_response r;
	struct error err;
	FILE *say;
	int rc;

	/* Refuse before downloading when the answer is known already. */
	if (salida != NULL && cmd_output_exists(salida))
		return PAL_EXIT_USAGE;
	rest = xasprintf("/materiales/%" JSON_INTEGER_FORMAT "/contenido", id);
	path = cmd_mesa_path(a, rest);
	api_response_init(&r);
	rc = cmd_check(s, api_request_raw(s, "GET", path, NULL, NULL, 0,
	    "*/*", &r), &r);
	if (rc != PAL_EXIT_OK)
		goto out;

	if (salida != NULL)
		name = xstrdup(salida);
	else if ((name = cmd_material_disposition_name(r.disposition)) == NULL)
		name = xasprintf("material-%" JSON_INTEGER_FORMAT, id);
	error_clear(&err);
	if (!cmd_write_new(name, r.body.data, r.body.len, &err)) {
		fprintf(stderr, "error: %s\n", err.message);
		rc = PAL_EXIT_USAGE;
		goto out;
	}
	/* Standard output may hold the bytes, or a script's JSON. */
	say = strcmp(name, "-") == 0 || s->json ? stderr : stdout;
	size = cmd_size((json_int_t)r.body.len);
	if (strcmp(name, "-") != 0)
		output_line(say, "Material %" JSON_INTEGER_FORMAT " guardado "
		    "en «%s» (%s).", id, name, size);
	free(size);
out:
	api_response_cleanup(&r);
	free(name);
	free(path);
	free(rest);
	return rc;
}

static void
cmd_material_print_envios(const json_t *reply, const struct commands_args *a)
{
	const json_t *envios = json_object_get(reply, "envios");
	const json_t *e;
	size_t i;

	(void)a;
	if (json_array_size(envios) == 0) {
		printf("Nadie tiene materiales pendientes.\n");
		return;
	}
	json_array_foreach(envios, i, e) {
		char *n = cmd_count((json_int_t)json_array_size(
		    json_object_get(e, "materiales")), "material",
		    "materiales");

		output_line(stdout, "Enviado a %s <%s>: %s.",
		    cmd_str(e, "actor"), cmd_str(e, "email"), n);
		free(n);
	}
}

int
cmd_material_enviar(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/materiales/enviar");
	int rc;

	rc = cmd_run(s, a, "POST", path, NULL, "envios",
	    cmd_material_print_envios);
	free(path);
	return rc;
}

/* Acuses. */

static void
cmd_material_print_acuse(const json_t *acuse, const struct commands_args *a)
{
	(void)a;
	output_line(stdout, "Acuse %" JSON_INTEGER_FORMAT " registrado: el "
	    "actor %" JSON_INTEGER_FORMAT " recibió el material %"
	    JSON_INTEGER_FORMAT " el %s por «%s»%s.",
	    cmd_int(acuse, "id"), cmd_int(acuse, "actor_id"),
	    cmd_int(acuse, "material_id"), cmd_str(acuse, "fecha"),
	    cmd_str(acuse, "medio"),
	    json_is_true(json_object_get(acuse, "retroactivo")) ?
	    " (retroactivo)" : "");
}

int
cmd_acuse_registrar(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/acuses");
	json_t *body = json_pack("{s:I, s:I, s:s, s:s*}",
	    "actor", cmd_number(commands_opt(a, "actor")),
	    "material", cmd_number(commands_opt(a, "material")),
	    "medio", commands_opt(a, "medio"),
	    "fecha", commands_opt(a, "fecha"));
	int rc;

	rc = cmd_run(s, a, "POST", path, body, NULL,
	    cmd_material_print_acuse);
	json_decref(body);
	free(path);
	return rc;
}
