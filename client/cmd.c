/*
 * What the handlers of pal's commands share (declared in cmd.h): one
 * request and the checks of its reply, the labels people read for the
 * API's words, and local files read whole or written new.
 *
 * It holds no command of its own and prints nothing but errors: what a
 * reply looks like for people is each handler's business.
 */
#include "cmd.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "output.h"
#include "xmalloc.h"

/* How people read the words of the API; a word not listed reads as itself. */
static const struct {
	const char	*code;
	const char	*label;
} cmd_labels[] = {
	{ "preparacion", "preparación" },
	{ "en_sesion", "en sesión" },
	{ "en_seguimiento", "en seguimiento" },
	{ "sociedad_civil", "sociedad civil" },
	{ "institucion_publica", "institución pública" },
	{ "organismo_garante", "organismo garante" },
	{ "stl", "STL" },
	{ "problematicas", "problemáticas" },
	{ "criterios_minimos", "criterios mínimos" },
	{ "compromisos_preliminares", "compromisos preliminares" },
	{ "consulta_publica", "consulta pública" },
	{ "solicitudes_informacion", "solicitudes de información" },
	{ "estadisticas", "estadísticas" },
	{ "aportacion", "aportación" },
	{ "retroalimentacion", "retroalimentación" },
	{ "contrataciones_abiertas", "contrataciones abiertas" },
	{ "plan_nacional", "plan nacional" },
	{ "especifico", "específico" },
	{ "alto_impacto", "alto impacto" },
	{ "en_progreso", "en progreso" },
};

/* Requests and replies. */

void
cmd_print_body(const struct api_response *r)
{
	fwrite(r->body.data, 1, r->body.len, stdout);
	if (r->body.len > 0 && r->body.data[r->body.len - 1] != '\n')
		fputc('\n', stdout);
}

int
cmd_check(const struct settings *s, bool replied,
    const struct api_response *r)
{
	if (!replied) {
		fprintf(stderr, "error: %s\n", r->error);
		return PAL_EXIT_UNAVAILABLE;
	}
	if (api_exit_code(r->status) == PAL_EXIT_OK)
		return PAL_EXIT_OK;
	if (s->json && r->json != NULL)
		cmd_print_body(r);
	output_server_error(stderr, r->status, r->json);
	return api_exit_code(r->status);
}

int
cmd_call(const struct settings *s, const char *method, const char *path,
    json_t *body, struct api_response *r)
{
	return cmd_check(s, api_request(s, method, path, body, r), r);
}

const json_t *
cmd_expect(const struct api_response *r, const char *key)
{
	if (json_is_object(r->json) &&
	    (key == NULL || json_is_array(json_object_get(r->json, key))))
		return r->json;
	fprintf(stderr, "error: respuesta inesperada del servidor (HTTP %ld); "
	    "¿coinciden las versiones de pal y pald?\n", r->status);
	return NULL;
}

int
cmd_finish(const struct settings *s, const struct commands_args *a,
    bool replied, const struct api_response *r, const char *key,
    cmd_print_fn *print)
{
	int rc;

	if ((rc = cmd_check(s, replied, r)) != PAL_EXIT_OK)
		return rc;
	if (s->json) {
		cmd_print_body(r);
		return PAL_EXIT_OK;
	}
	if (cmd_expect(r, key) == NULL)
		return PAL_EXIT_UNAVAILABLE;
	print(r->json, a);
	return PAL_EXIT_OK;
}

int
cmd_run(const struct settings *s, const struct commands_args *a,
    const char *method, const char *path, json_t *body, const char *key,
    cmd_print_fn *print)
{
	struct api_response r;
	int rc;

	api_response_init(&r);
	rc = cmd_finish(s, a, api_request(s, method, path, body, &r), &r,
	    key, print);
	api_response_cleanup(&r);
	return rc;
}

/* Arguments. */

json_int_t
cmd_number(const char *s)
{
	json_int_t n = 0;

	for (; *s != '\0'; s++)
		n = n * 10 + (*s - '0');
	return n;
}

json_t *
cmd_numbers(const char *s)
{
	json_t *ids = json_array();
	json_int_t n = 0;

	for (;; s++) {
		if (*s == ',' || *s == '\0') {
			json_array_append_new(ids, json_integer(n));
			n = 0;
			if (*s == '\0')
				break;
		} else
			n = n * 10 + (*s - '0');
	}
	return ids;
}

char *
cmd_mesa_path(const struct commands_args *a, const char *rest)
{
	return xasprintf("/v1/mesas/%" JSON_INTEGER_FORMAT "%s",
	    cmd_number(a->args[0]), rest);
}

const char *
cmd_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* Reading replies. */

const char *
cmd_label(const char *code)
{
	if (code == NULL)
		return "-";
	for (size_t i = 0; i < sizeof(cmd_labels) /
	    sizeof(cmd_labels[0]); i++)
		if (strcmp(code, cmd_labels[i].code) == 0)
			return cmd_labels[i].label;
	return code;
}

const char *
cmd_str(const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v != NULL ? v : "-";
}

json_int_t
cmd_int(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

const char *
cmd_name_of(const json_t *obj, const char *key)
{
	return cmd_str(json_object_get(obj, key), "nombre");
}

char *
cmd_count(json_int_t n, const char *one, const char *many)
{
	return xasprintf("%" JSON_INTEGER_FORMAT " %s", n, n == 1 ? one :
	    many);
}

char *
cmd_size(json_int_t n)
{
	if (n < 1024)
		return cmd_count(n, "byte", "bytes");
	if (n < 1024 * 1024)
		return xasprintf("%.1f KiB", (double)n / 1024);
	return xasprintf("%.1f MiB", (double)n / (1024 * 1024));
}

char *
cmd_steal(struct buf *b)
{
	char *text = buf_steal(b);

	buf_cleanup(b);
	return text;
}

/* Local files. */

const char *
cmd_errno_text(int e)
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

bool
cmd_read_file(const char *path, struct buf *out, struct error *err)
{
	char chunk[65536];
	struct stat st;
	FILE *fp;
	size_t n;
	bool ok = false;

	if ((fp = fopen(path, "rb")) == NULL) {
		error_set(err, 0, "uso", "no se pudo leer el archivo «%s»: %s",
		    path, cmd_errno_text(errno));
		return false;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		error_set(err, 0, "uso", "no se pudo leer el archivo «%s»: %s",
		    path, cmd_errno_text(EISDIR));
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (out->len + n > CMD_MAX_FILE) {
			error_set(err, 0, "uso",
			    "el archivo «%s» excede %u MiB", path,
			    CMD_MAX_FILE / (1024 * 1024));
			goto out;
		}
		buf_append(out, chunk, n);
	}
	if (ferror(fp)) {
		error_set(err, 0, "uso", "no se pudo leer el archivo «%s»: %s",
		    path, cmd_errno_text(errno));
		goto out;
	}
	ok = true;
out:
	fclose(fp);
	return ok;
}

const char *
cmd_media_type(const char *filename)
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

bool
cmd_write_new(const char *path, const void *data, size_t len,
    struct error *err)
{
	const char *p = data;
	size_t off = 0;
	ssize_t n;
	int fd;

	if (strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len ||
		    fflush(stdout) != 0) {
			error_set(err, 0, "uso", "no se pudo escribir la "
			    "salida: %s", strerror(errno));
			return false;
		}
		return true;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0666)) == -1) {
		if (errno == EEXIST)
			error_set(err, 0, "uso", "el archivo «%s» ya existe y "
			    "no se sobrescribe; elija otro con -o", path);
		else
			error_set(err, 0, "uso", "no se pudo crear «%s»: %s",
			    path, cmd_errno_text(errno));
		return false;
	}
	while (off < len) {
		if ((n = write(fd, p + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)n;
	}
	if (off < len || close(fd) == -1) {
		error_set(err, 0, "uso", "no se pudo escribir «%s»: %s", path,
		    strerror(errno));
		if (off < len)
			close(fd);
		(void)unlink(path);
		return false;
	}
	return true;
}

bool
cmd_output_exists(const char *path)
{
	if (strcmp(path, "-") == 0 || access(path, F_OK) != 0)
		return false;
	fprintf(stderr, "error: el archivo «%s» ya existe y no se "
	    "sobrescribe; elija otro con -o\n", path);
	return true;
}
