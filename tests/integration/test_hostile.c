/*
 * Hostile input against a real pald (issue 6): malformed and oversized
 * JSON, wrong types in every field of a create, invalid UTF-8 and NUL
 * bytes, SQL and mail-header injection strings, path traversal, ids out
 * of range, oversized and too many headers, stalled and dribbled bodies,
 * Content-Length lies, chunked bodies, unknown methods, HTTP/1.0 without
 * Host and pipelined requests.
 *
 * Every refusal must be a 4xx with a JSON error (stable snake_case code,
 * a message) or, on /e/ personal links, an HTML page; what evhttp itself
 * refuses before pald sees the request (a malformed request line, headers
 * over http_max_headers_bytes) keeps evhttp's own 4xx and closes the
 * connection. After every batch the daemon must still answer /healthz,
 * its log must hold no ERROR line and no sanitizer report, and the row
 * counts of every table must be what they were: a refused request writes
 * nothing.
 *
 * Requests libcurl will not send (raw bytes in a path, "/../", lying
 * lengths, pipelines, slow bodies) go through the harness's raw socket
 * client, h_raw_*.
 */
#include <criterion/criterion.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "buf.h"
#include "escenario.h"
#include "harness.h"
#include "validate.h"

/* The read timeout and the whole-request deadline of these suites. */
#define TIMEOUT_S	2
#define CONFIG		"http_timeout_s = 2\nhttp_request_timeout_s = 4\n" \
			"http_max_json_bytes = 65536\n"

static struct h_db db;
static struct h_smtp smtp;
static struct h_pald pald;
static char admin[80];

static void
setup(void)
{
	esc_setup(&db, NULL, &pald, CONFIG, admin, sizeof(admin));
}

static void
setup_mail(void)
{
	esc_setup(&db, &smtp, &pald, CONFIG, admin, sizeof(admin));
}

TestSuite(hostile, .init = setup, .fini = esc_teardown, .timeout = 120);
TestSuite(hostile_mail, .init = setup_mail, .fini = esc_teardown,
    .timeout = 120);

/*
 * Checks.
 */

/*
 * The daemon is up, answers /healthz, and its log has no ERROR line (an
 * internal error means hostile input reached a place that did not expect
 * it) and no sanitizer report.
 */
static void
assert_alive(const char *what)
{
	struct h_http r = h_api(&pald, "GET", "/healthz", NULL, NULL);
	char *log;

	cr_assert_eq(r.status, 200, "after %s: /healthz answered %ld (%s)",
	    what, r.status, r.error);
	h_http_free(&r);
	cr_assert_eq(kill(pald.pid, 0), 0, "after %s: pald is gone", what);
	log = h_pald_log(&pald);
	cr_assert(strstr(log, " ERROR ") == NULL, "after %s: the log has an "
	    "ERROR line:\n%s", what, strstr(log, " ERROR "));
	cr_assert(strstr(log, "AddressSanitizer") == NULL &&
	    strstr(log, "runtime error:") == NULL, "after %s: sanitizer "
	    "report in the log", what);
	free(log);
}

/* A snake_case code: what clients switch on. */
static bool
stable_code(const char *code)
{
	return code != NULL && code[0] != '\0' &&
	    strspn(code, "abcdefghijklmnopqrstuvwxyz_") == strlen(code);
}

/*
 * r is a refusal: a 4xx (exactly status unless it is 0), JSON with an
 * error object whose code is stable (and equals code unless NULL) and
 * whose message is non-empty UTF-8.
 */
static void
assert_refused(const struct h_http *r, long status, const char *code,
    const char *what)
{
	json_t *j = h_http_json(r), *e;
	const char *got, *msg, *ctype;

	cr_assert_neq(r->status, 0, "%s: no answer (%s)", what, r->error);
	if (status != 0)
		cr_assert_eq(r->status, status, "%s: HTTP %ld, expected %ld: "
		    "%s", what, r->status, status, r->body);
	else
		cr_assert(r->status >= 400 && r->status < 500, "%s: HTTP %ld, "
		    "expected a 4xx: %s", what, r->status, r->body);
	ctype = h_http_header(r, "Content-Type");
	cr_assert(ctype != NULL && strstr(ctype, "application/json") != NULL,
	    "%s: Content-Type %s", what, ctype ? ctype : "(none)");
	cr_assert_not_null(j, "%s: not JSON: %s", what, r->body);
	e = json_object_get(j, "error");
	got = json_string_value(json_object_get(e, "code"));
	msg = json_string_value(json_object_get(e, "message"));
	cr_assert(stable_code(got), "%s: no stable error.code in %s", what,
	    r->body);
	if (code != NULL)
		cr_assert_str_eq(got, code, "%s: %s", what, r->body);
	cr_assert(msg != NULL && strlen(msg) > 10 &&
	    validate_utf8(msg, strlen(msg)), "%s: no message in %s", what,
	    r->body);
	json_decref(j);
}

/* A request that must be refused as assert_refused says. */
static void
refused(const char *method, const char *path, const char *tok,
    const char *json, long status, const char *code)
{
	struct h_http r = h_api(&pald, method, path, tok, json);

	assert_refused(&r, status, code, h_strf("%s %s %s", method, path,
	    json != NULL ? esc_utf8_prefix(json, 120) : ""));
	h_http_free(&r);
}

/* The same with raw bytes and a content type (NULL: JSON). */
static void
refused_bytes(const char *method, const char *path, const char *ctype,
    const void *body, size_t len, long status, const char *code,
    const char *what)
{
	struct h_http r = h_http(method, h_strf("%s%s", pald.url, path), admin,
	    ctype != NULL ? ctype : "application/json", body, len);

	assert_refused(&r, status, code, what);
	h_http_free(&r);
}

/* An HTML page with a 4xx status (the personal links' refusals). */
static void
assert_html_refusal(const struct h_http *r, const char *what)
{
	const char *ctype = h_http_header(r, "Content-Type");

	cr_assert(r->status >= 400 && r->status < 500, "%s: HTTP %ld: %s",
	    what, r->status, r->body);
	cr_assert(ctype != NULL && strstr(ctype, "text/html") != NULL,
	    "%s: Content-Type %s", what, ctype ? ctype : "(none)");
	cr_assert(validate_utf8(r->body, r->len), "%s: body not UTF-8", what);
}

/* One raw exchange of bytes[0..len): its first status is a 4xx, and the
 * server hung up. */
static void
raw_refused(const void *bytes, size_t len, const char *what)
{
	struct h_raw r = h_http_raw(pald.port, bytes, len, 5000);

	cr_assert(r.status >= 400 && r.status < 500, "%s: status %ld, "
	    "expected a 4xx; got: %.300s", what, r.status, r.data);
	cr_assert(r.closed, "%s: the connection was left open", what);
	h_raw_free(&r);
}

/*
 * Fixtures, straight into the database (the paths there through the API
 * are other suites' business).
 */

struct fx {
	long long	 admin_id;
	long long	 prep;		/* mesa in preparacion, 2 actors */
	long long	 actor[2];
	long long	 material;	/* by actor[0] */
	long long	 acu;		/* mesa in acuerdos, one commitment */
	long long	 compromiso;
	const char	*inicio;	/* the commitment's dates */
	const char	*fin;
};

static const char *
id(long long n)
{
	return esc_id_text(n);
}

/* s percent-encoded for a query string. Test-lived. */
static const char *
url_encode(const char *s)
{
	struct buf b;
	const char *out;

	buf_init(&b);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	out = h_strf("%s", b.data);
	buf_cleanup(&b);
	return out;
}

static struct fx
fixture(void)
{
	struct fx f;

	f.admin_id = h_db_query_int(&db,
	    "SELECT id FROM usuarios WHERE rol = 'admin'");
	f.prep = h_db_query_int(&db, "INSERT INTO mesas (titulo, entidad,"
	    " facilitador_id) VALUES ('Mesa de Tlacolula', 'Oaxaca', $1)"
	    " RETURNING id", id(f.admin_id));
	for (int i = 0; i < 2; i++)
		f.actor[i] = h_db_query_int(&db, "INSERT INTO actores (mesa_id,"
		    " nombre, email, sector) VALUES ($1, $2, $3,"
		    " 'sociedad_civil') RETURNING id", id(f.prep),
		    i == 0 ? "Ana Ruiz" : "Beto Díaz",
		    i == 0 ? "ana@osc.mx" : "beto@osc.mx");
	f.material = h_db_query_int(&db, "INSERT INTO materiales (mesa_id,"
	    " autor_id, tipo, titulo, tipo_medio, tamano, contenido, sha256,"
	    " fecha_entrega) VALUES ($1, $2, 'problematicas', 'Diagnóstico',"
	    " 'text/plain; charset=utf-8', 5, 'hola!'::bytea,"
	    " encode(sha256('hola!'::bytea), 'hex'), current_date - 20)"
	    " RETURNING id", id(f.prep), id(f.actor[0]));
	f.acu = h_db_query_int(&db, "INSERT INTO mesas (titulo, entidad,"
	    " facilitador_id, fase, fecha, hora, lugar) VALUES ('Mesa de"
	    " Etla', 'Oaxaca', $1, 'acuerdos', current_date, '10:00',"
	    " 'Cabildo') RETURNING id", id(f.admin_id));
	f.inicio = h_db_query_str(&db, "SELECT current_date::text");
	f.fin = h_db_query_str(&db, "SELECT (current_date + interval '1 year'"
	    " - interval '1 day')::date::text");
	f.compromiso = h_db_query_int(&db, "INSERT INTO compromisos (mesa_id,"
	    " numero, titulo, tipo, inicio, fin) VALUES ($1, 1, 'Contratos"
	    " abiertos', 'contrataciones_abiertas', $2, $3) RETURNING id",
	    id(f.acu), f.inicio, f.fin);
	return f;
}

/* A valid body for each create, and its route. */
static const char *
mesa_body(void)
{
	return "{\"titulo\": \"Mesa válida\", \"entidad\": \"Oaxaca\","
	    " \"municipio\": \"Etla\", \"zona_horaria\":"
	    " \"America/Mexico_City\"}";
}

static const char *
actor_body(void)
{
	return "{\"nombre\": \"Carla Gómez\", \"email\": \"carla@osc.mx\","
	    " \"sector\": \"institucion_publica\", \"organizacion\":"
	    " \"Tesorería\", \"cargo\": \"Directora\"}";
}

static const char *
actividad_body(const struct fx *f)
{
	return h_strf("{\"descripcion\": \"Publicar los contratos\","
	    " \"responsable\": {\"nombre\": \"Luis Pérez\", \"email\":"
	    " \"luis@tlacolula.gob.mx\", \"cargo\": \"Tesorero\","
	    " \"institucion\": \"Tesorería\"}, \"fecha_limite\": \"%s\","
	    " \"entregable\": \"Portal\"}", f->fin);
}

/*
 * Bad JSON.
 */

Test(hostile, malformed_json_is_400_everywhere)
{
	struct fx f = fixture();
	const char *routes[3] = { "/v1/mesas",
	    h_strf("/v1/mesas/%lld/actores", f.prep),
	    h_strf("/v1/compromisos/%lld/actividades", f.compromiso) };
	const char *deep_arr, *deep_obj, *before;
	struct buf b;
	static const char *const bodies[] = {
		"{\"titulo\": \"Mesa\", \"entidad\":",	/* truncated */
		"{\"titulo\": \"Mesa\"",
		"{",
		"",
		"   ",
		"{\"titulo\": \"Mesa\", \"entidad\": \"Oaxaca\"} basura",
		"{\"titulo\": \"Mesa\", \"entidad\": \"Oaxaca\"}{}",
		"{\"titulo\": \"Mesa\", \"entidad\": \"Oaxaca\",}",
		"{\"titulo\": 'Mesa'}",
		"{titulo: \"Mesa\"}",
		"{\"titulo\": \"Mesa\", \"titulo\": \"Otra\", \"entidad\": 1}",
		"{\"nombre\": \"A\", \"nombre\": \"B\"}",
		"{\"titulo\": 1e400, \"entidad\": \"Oaxaca\"}",
		"{\"titulo\": -1e400}",
		"{\"titulo\": 99999999999999999999999999999}",
		"{\"titulo\": -99999999999999999999999999999}",
		"{\"titulo\": NaN}",
		"{\"titulo\": Infinity}",
		"{\"titulo\": 0x10}",
		"[]",
		"[{\"titulo\": \"Mesa\", \"entidad\": \"Oaxaca\"}]",
		"\"Mesa\"",
		"42",
		"null",
		"true",
		"{\"titulo\": \"a\\u0000b\", \"entidad\": \"Oaxaca\"}",
		"{\"titulo\": \"\\u0000\", \"entidad\": \"Oaxaca\"}",
		"{\"titulo\\u0000x\": \"Mesa\", \"entidad\": \"Oaxaca\"}",
		"{\"titulo\": \"\\ud800\", \"entidad\": \"Oaxaca\"}",
		"{\"titulo\": \"\\udc00x\", \"entidad\": \"Oaxaca\"}",
		"{\"titulo\": \"\\uZZZZ\", \"entidad\": \"Oaxaca\"}",
		"{\"titulo\": \"\\x41\", \"entidad\": \"Oaxaca\"}",
		"\xef\xbb\xbf{\"titulo\": \"Mesa\", \"entidad\": \"Oaxaca\"}",
	};
	/* Raw bytes, lengths explicit: invalid UTF-8 and a NUL byte. */
	static const struct {
		const char	*bytes;
		size_t		 len;
	} raw[] = {
#define RAW(s)	{ s, sizeof(s) - 1 }
		RAW("{\"titulo\": \"\xff\xfe\", \"entidad\": \"Oaxaca\"}"),
		RAW("{\"titulo\": \"\xc0\xaf\", \"entidad\": \"Oaxaca\"}"),
		RAW("{\"titulo\": \"\xed\xa0\x80\", \"entidad\": \"Oaxaca\"}"),
		RAW("{\"titulo\": \"\xf4\x90\x80\x80\", \"entidad\": \"X\"}"),
		RAW("{\"titulo\": \"\xe2\x82\", \"entidad\": \"Oaxaca\"}"),
		RAW("{\"tit\xffulo\": \"Mesa\", \"entidad\": \"Oaxaca\"}"),
		RAW("{\"titulo\": \"a\0b\", \"entidad\": \"Oaxaca\"}"),
		RAW("{\"titulo\": \"Mesa\", \"entidad\": \"Oaxaca\"}\0"),
		RAW("\0{\"titulo\": \"Mesa\", \"entidad\": \"Oaxaca\"}"),
		RAW("{\"titulo\": \"a\nb\", \"entidad\": \"Oaxaca\"}"),
#undef RAW
	};

	/* Nested 10,000 deep, arrays and objects. */
	buf_init(&b);
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, '[');
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, ']');
	deep_arr = h_strf("{\"titulo\": %s}", b.data);
	buf_reset(&b);
	for (int i = 0; i < 10000; i++)
		buf_puts(&b, "{\"a\":");
	buf_puts(&b, "1");
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, '}');
	deep_obj = h_strf("%s", b.data);
	buf_cleanup(&b);

	before = esc_snapshot();
	for (size_t k = 0; k < 3; k++) {
		for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
			refused("POST", routes[k], admin, bodies[i], 400,
			    "json_invalido");
		for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
			refused_bytes("POST", routes[k], NULL, raw[i].bytes,
			    raw[i].len, 400, "json_invalido",
			    h_strf("%s raw body %zu", routes[k], i));
		refused("POST", routes[k], admin, deep_arr, 400,
		    "json_invalido");
		refused("POST", routes[k], admin, deep_obj, 400,
		    "json_invalido");
	}
	esc_assert_unchanged(before, "malformed JSON");
	assert_alive("malformed JSON");

	/* The same routes take a good body: the refusals were the body's. */
	esc_api("POST", routes[0], admin, mesa_body(), 201);
	esc_api("POST", routes[1], admin, actor_body(), 201);
	esc_api("POST", routes[2], admin, actividad_body(&f), 201);
}

/*
 * DESIGN.md: everything a person reads is Spanish. jansson's parser
 * messages are English ("end of file expected near ..."); they may go in
 * detalles, not in the message.
 */
Test(hostile, json_error_messages_are_spanish)
{
	static const char *const bodies[] = {
		"{\"titulo\": \"Mesa\"", "{} basura", "{\"a\": 1e400}",
		"{\"a\": \"\\u0000\"}", "{\"a\": 1, \"a\": 2}",
	};
	static const char *const english[] = { " near ", "expected",
	    "overflow", "not allowed", "duplicate", "invalid", "end of",
	    "unexpected", "premature", "maximum", "string or" };

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_t *j = esc_api("POST", "/v1/mesas", admin, bodies[i], 400);
		const char *msg = json_string_value(json_object_get(
		    json_object_get(j, "error"), "message"));

		cr_assert_not_null(msg);
		for (size_t k = 0; k < sizeof(english) / sizeof(english[0]);
		    k++)
			cr_assert(strstr(msg, english[k]) == NULL, "body %s: "
			    "the message people read is partly English: «%s»",
			    bodies[i], msg);
	}
}

/*
 * Wrong types for every field of a mesa, an actor and an activity, one
 * field at a time in an otherwise valid body: 400 or 422, nothing
 * written; the valid body itself is then accepted.
 */
static void
wrong_types(const char *path, const char *valid, const char *sub)
{
	static const char *const bad[] = { "1", "-1", "1.5", "true", "false",
	    "[]", "[\"x\"]", "{}", "{\"a\": \"b\"}" };
	json_t *base = json_loads(valid, 0, NULL), *obj, *v;
	const char *key, *before = esc_snapshot();

	cr_assert_not_null(base, "bad fixture %s", valid);
	obj = sub != NULL ? json_object_get(base, sub) : base;
	json_object_foreach(obj, key, v) {
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			json_t *copy = json_deep_copy(base);
			json_t *target = sub != NULL ? json_object_get(copy,
			    sub) : copy;
			char *text;

			/* An object ("responsable") also gets a string. */
			json_object_set_new(target, key, json_is_object(v) &&
			    i == 0 ? json_string("Luis") : json_loads(bad[i],
			    JSON_DECODE_ANY, NULL));
			text = json_dumps(copy, JSON_COMPACT);
			if (!(json_is_object(v) && strcmp(bad[i], "{}") == 0) &&
			    !(json_is_object(v) && bad[i][0] == '{')) {
				struct h_http r = h_api(&pald, "POST", path,
				    admin, text);

				assert_refused(&r, 0, NULL, h_strf("POST %s %s",
				    path, text));
				cr_assert(r.status == 400 || r.status == 422,
				    "POST %s %s: HTTP %ld", path, text,
				    r.status);
				h_http_free(&r);
			}
			free(text);
			json_decref(copy);
		}
	}
	json_decref(base);
	esc_assert_unchanged(before, h_strf("wrong types on %s", path));
}

Test(hostile, wrong_types_in_every_field)
{
	struct fx f = fixture();
	const char *actores = h_strf("/v1/mesas/%lld/actores", f.prep);
	const char *actividades = h_strf("/v1/compromisos/%lld/actividades",
	    f.compromiso);

	wrong_types("/v1/mesas", mesa_body(), NULL);
	wrong_types(actores, actor_body(), NULL);
	wrong_types(actividades, actividad_body(&f), NULL);
	wrong_types(actividades, actividad_body(&f), "responsable");
	/* Ids in bodies: strings, fractions, out of range. */
	{
		const char *acuses = h_strf("/v1/mesas/%lld/acuses", f.prep);
		const char *before = esc_snapshot();
		static const char *const ids[] = { "\"1\"", "\"1 OR 1=1\"",
		    "1.5", "-1", "0", "9223372036854775807", "true", "[1]",
		    "null" };

		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			refused("POST", acuses, admin, h_strf("{\"actor\": %s,"
			    " \"material\": %lld, \"medio\": \"mano\"}", ids[i],
			    f.material), 0, NULL);
			refused("POST", acuses, admin, h_strf("{\"actor\":"
			    " %lld, \"material\": %s, \"medio\": \"mano\"}",
			    f.actor[1], ids[i]), 0, NULL);
		}
		refused("POST", acuses, admin, h_strf("{\"actor\":"
		    " 9223372036854775808, \"material\": %lld, \"medio\":"
		    " \"mano\"}", f.material), 400, "json_invalido");
		esc_assert_unchanged(before, "bad ids in acuses");
		/* And the valid one goes through. */
		esc_api("POST", acuses, admin, h_strf("{\"actor\": %lld,"
		    " \"material\": %lld, \"medio\": \"mano\"}", f.actor[1],
		    f.material), 201);
	}
	assert_alive("wrong types");
	esc_api("POST", "/v1/mesas", admin, mesa_body(), 201);
	esc_api("POST", actores, admin, actor_body(), 201);
	esc_api("POST", actividades, admin, actividad_body(&f), 201);
}

/*
 * Control characters: NUL is refused by the JSON parser, every other
 * one (CR and LF included) by the field's validation.
 */
Test(hostile, control_characters_in_strings)
{
	struct fx f = fixture();
	const char *actores = h_strf("/v1/mesas/%lld/actores", f.prep);
	const char *before = esc_snapshot();
	static const char *const evil[] = { "\\u0001", "\\r", "\\n",
	    "\\r\\n", "\\u001b[31m", "\\t", "\\u007f", "\\u0085" };

	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		refused("POST", "/v1/mesas", admin, h_strf("{\"titulo\":"
		    " \"Mesa%s\", \"entidad\": \"Oaxaca\"}", evil[i]), 422,
		    NULL);
		refused("POST", "/v1/mesas", admin, h_strf("{\"titulo\":"
		    " \"Mesa\", \"entidad\": \"Oax%saca\"}", evil[i]), 422,
		    NULL);
		refused("POST", actores, admin, h_strf("{\"nombre\": \"Ana%s"
		    "Ruiz\", \"email\": \"ana2@osc.mx\", \"sector\":"
		    " \"stl\"}", evil[i]), 422, NULL);
		refused("POST", actores, admin, h_strf("{\"nombre\": \"Ana\","
		    " \"email\": \"ana2@osc.mx%s\", \"sector\": \"stl\"}",
		    evil[i]), 422, NULL);
		refused("POST", actores, admin, h_strf("{\"nombre\": \"Ana\","
		    " \"email\": \"ana2@osc.mx\", \"sector\": \"stl\","
		    " \"organizacion\": \"OSC%s\"}", evil[i]), 422, NULL);
	}
	esc_assert_unchanged(before, "control characters");
	assert_alive("control characters");
}

/*
 * Invalid UTF-8 and NUL in paths and query strings: a 404 or a 4xx
 * refusal, never a 500 from PostgreSQL's "invalid byte sequence".
 */
Test(hostile, invalid_utf8_in_paths)
{
	struct fx f = fixture();
	const char *before = esc_snapshot();
	const char *const paths[] = {
		"/v1/mesas/%FF", "/v1/mesas/%C0%AF", "/v1/mesas/%ED%A0%80",
		"/v1/mesas/%00", "/v1/mesas/1%00", "/v1%FF/mesas",
		h_strf("/v1/mesas/%lld/materiales/%%FF/contenido", f.prep),
		"/v1/actividades/%FF/avances", "/v1/mesas/%FE/pal",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		refused("GET", paths[i], admin, NULL, 404, NULL);
	refused("POST", "/v1/compromisos/%FE/criterios", admin,
	    "{\"criterio\": \"medible\", \"quien\": \"Ana\","
	    " \"justificacion\": \"Tiene indicador.\"}", 404, NULL);
	/* Raw bytes that were never percent-encoded. */
	{
		static const char *const lines[] = {
			"GET /v1/mesas/\xff\xfe HTTP/1.1\r\n",
			"GET /e/\xff\xfe HTTP/1.1\r\n",
			"GET /v1/\xc0\xaf/mesas HTTP/1.1\r\n",
		};

		for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			const char *req = h_strf("%sHost: x\r\nAuthorization: "
			    "Bearer %s\r\nConnection: close\r\n\r\n", lines[i],
			    admin);
			struct h_raw r = h_http_raw(pald.port, req, strlen(req),
			    5000);

			cr_assert(r.status >= 400 && r.status < 500, "raw %zu: "
			    "%.300s", i, r.data);
			h_raw_free(&r);
		}
	}
	esc_assert_unchanged(before, "invalid UTF-8 in paths");
	assert_alive("invalid UTF-8 in paths");
}

/*
 * Query strings: a value that is not UTF-8 reaches PostgreSQL as a text
 * parameter; it must be refused (4xx) or match nothing (200), never
 * answer 500 "invalid byte sequence".
 */
Test(hostile, invalid_utf8_in_queries)
{
	struct fx f = fixture();
	const char *before = esc_snapshot();
	const char *const queries[] = {
		"/v1/mesas?entidad=%FF%FE", "/v1/mesas?entidad=%C3",
		"/v1/mesas?entidad=%ED%A0%80", "/v1/mesas?fase=%FF",
		"/v1/mesas?entidad=Oax%00aca", "/v1/mesas?%FF=1",
		"/v1/monitoreo?entidad=%FF", "/v1/monitoreo?proximas=%FF",
		"/v1/monitoreo/actividades.json?entidad=%C0%AF",
		"/v1/monitoreo/actividades.csv?entidad=%FF",
		"/v1/correos?estado=%FF", "/v1/correos?limite=%FF",
		h_strf("/v1/mesas/%lld/pal/pdf?version=%%FF", f.acu),
	};

	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		struct h_http r = h_api(&pald, "GET", queries[i], admin, NULL);

		/* A filter that matches nothing may answer 200. */
		if (r.status != 200)
			assert_refused(&r, 0, NULL, h_strf("GET %s",
			    queries[i]));
		h_http_free(&r);
	}
	/* A material whose title or file name is not UTF-8. */
	refused_bytes("POST", h_strf("/v1/mesas/%lld/materiales?actor=%lld&"
	    "tipo=problematicas&titulo=%%FF%%FE", f.prep, f.actor[0]),
	    "text/plain; charset=utf-8", "hola", 4, 0, NULL, "titulo %FF");
	refused_bytes("POST", h_strf("/v1/mesas/%lld/materiales?actor=%lld&"
	    "tipo=problematicas&titulo=Estudio&archivo=a%%FF.pdf", f.prep,
	    f.actor[0]), "application/pdf", "%PDF-", 5, 0, NULL,
	    "archivo %FF");
	/*
	 * The dashboard's page, with a session of the admin: the login is
	 * the one write here, so the snapshot is taken again after it.
	 */
	esc_assert_unchanged(before, "invalid UTF-8 in API queries");
	{
		const char *form = h_strf("token=%s", admin);
		struct h_http r = h_http("POST", h_strf("%s/monitoreo/entrar",
		    pald.url), NULL, "application/x-www-form-urlencoded", form,
		    strlen(form));
		const char *cookie = h_http_header(&r, "Set-Cookie");

		cr_assert(r.status == 303 && cookie != NULL, "no dashboard "
		    "session: %ld", r.status);
		cookie = h_strf("Cookie: %.*s", (int)strcspn(cookie, ";"),
		    cookie);
		h_http_free(&r);
		before = esc_snapshot();
		r = h_http_hdrs("GET", h_strf("%s/monitoreo?entidad=%%FF%%FE",
		    pald.url), NULL, NULL, NULL, 0,
		    (const char *const[]){ cookie, NULL });
		cr_assert(r.status == 200 || (r.status >= 400 &&
		    r.status < 500), "/monitoreo?entidad=%%FF: HTTP %ld",
		    r.status);
		h_http_free(&r);
	}
	/* Never percent-encoded. */
	{
		const char *req = h_strf("GET /v1/mesas?entidad=\xff\xfe "
		    "HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
		    "Connection: close\r\n\r\n", admin);
		struct h_raw r = h_http_raw(pald.port, req, strlen(req), 5000);

		cr_assert(r.status == 200 || (r.status >= 400 &&
		    r.status < 500), "raw entidad: %.300s", r.data);
		h_raw_free(&r);
	}
	esc_assert_unchanged(before, "invalid UTF-8 in queries");
	assert_alive("invalid UTF-8 in queries");
}

/*
 * A %00 in a query value would end the decoded C string early: "titulo=
 * Estudio%00oculto" must be refused, not stored as "Estudio".
 */
Test(hostile, nul_in_query_values)
{
	struct fx f = fixture();
	const char *before = esc_snapshot();

	refused_bytes("POST", h_strf("/v1/mesas/%lld/materiales?actor=%lld&"
	    "tipo=problematicas&titulo=Estudio%%00oculto", f.prep,
	    f.actor[0]), "text/plain; charset=utf-8", "hola", 4, 0, NULL,
	    "titulo with %00");
	refused_bytes("POST", h_strf("/v1/mesas/%lld/materiales?actor=%lld&"
	    "tipo=problematicas%%00x&titulo=Estudio", f.prep, f.actor[0]),
	    "text/plain; charset=utf-8", "hola", 4, 0, NULL, "tipo with %00");
	esc_assert_unchanged(before, "NUL in query values");
	assert_alive("NUL in query values");
}

/*
 * SQL injection: values are stored verbatim (parameters, never
 * concatenation), ids are refused before any query, filters match
 * nothing.
 */
Test(hostile, sql_injection_strings)
{
	static const char *const evil[] = {
		"x'); DROP TABLE mesas;--", "' OR 1=1--", "\" OR \"\"=\"",
		"1; DELETE FROM usuarios", "Robert'); DROP TABLE actores;--",
		"$1 $2 \\\\x00 %s %n", "'; COPY usuarios TO '/tmp/x';--",
	};
	static const char *const ids[] = {
		"1;DROP%20TABLE%20mesas", "1%3BDROP%20TABLE%20mesas",
		"'%20OR%201=1--", "%27%20OR%201%3D1--", "1%20OR%201=1",
		"1'", "(SELECT%201)", "1--", "1/**/OR/**/1=1",
	};
	struct fx f = fixture();
	const char *before;

	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		json_t *body = json_pack("{s:s, s:s}", "titulo", evil[i],
		    "entidad", evil[i]);
		char *text = json_dumps(body, JSON_COMPACT);
		json_t *j = esc_api("POST", "/v1/mesas", admin, text, 201);
		json_t *back = esc_api("GET", h_strf("/v1/mesas/%lld",
		    esc_jint(j, "id")), admin, NULL, 200);

		cr_assert_str_eq(esc_jstr(back, "titulo"), evil[i]);
		cr_assert_str_eq(esc_jstr(back, "entidad"), evil[i]);
		free(text);
		json_decref(body);
	}
	before = esc_snapshot();
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		refused("GET", h_strf("/v1/mesas/%s", ids[i]), admin, NULL, 404,
		    NULL);
		refused("POST", h_strf("/v1/mesas/%s/actores", ids[i]), admin,
		    actor_body(), 404, NULL);
		refused("GET", h_strf("/v1/actividades/%s/avances", ids[i]),
		    admin, NULL, 404, NULL);
		refused("POST", h_strf("/v1/mesas/%lld/actores/%s/"
		    "revocar-enlaces", f.prep, ids[i]), admin, NULL, 404,
		    NULL);
	}
	/* A filter with an injection matches nothing. */
	{
		json_t *j = esc_api("GET", "/v1/mesas?entidad=%27%20OR%20"
		    "%271%27%3D%271", admin, NULL, 200);

		cr_assert_eq(json_array_size(esc_jarr(j, "mesas")), 0,
		    "an injected entidad filter matched mesas");
	}
	refused_bytes("POST", h_strf("/v1/mesas/%lld/materiales?actor="
	    "1%%20OR%%201%%3D1&tipo=problematicas&titulo=x", f.prep),
	    "text/plain; charset=utf-8", "hola", 4, 0, NULL, "actor=1 OR 1=1");
	esc_assert_unchanged(before, "injected ids");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM mesas"),
	    (long long)(sizeof(evil) / sizeof(evil[0])) + 2);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM usuarios"), 1);
	assert_alive("SQL injection");
}

/* Ids out of range in paths and queries: 404 or 422, never a 500. */
Test(hostile, ids_out_of_range)
{
	static const char *const ids[] = {
		"0", "-1", "00", "01", "%2B1", "9223372036854775807",
		"9223372036854775808", "18446744073709551616",
		"99999999999999999999", "1e3", "0x10", "1.0", "%201", "1%20",
		"%E2%80%8B1", "%EF%BC%91",	/* zero-width space, "１" */
	};
	static const char *const queries[] = {
		"/v1/correos?limite=0", "/v1/correos?limite=-1",
		"/v1/correos?limite=99999999999999999999",
		"/v1/correos?limite=1e3",
		"/v1/monitoreo?proximas=0", "/v1/monitoreo?proximas=-5",
		"/v1/monitoreo?proximas=99999999999999999999",
		"/v1/monitoreo?proximas=2147483648",
		"/v1/monitoreo?vencidas=2",
	};
	struct fx f = fixture();
	const char *before = esc_snapshot();

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		refused("GET", h_strf("/v1/mesas/%s", ids[i]), admin, NULL, 404,
		    NULL);
		refused("GET", h_strf("/v1/mesas/%s/eventos", ids[i]), admin,
		    NULL, 404, NULL);
		refused("POST", h_strf("/v1/mesas/%s/programar", ids[i]), admin,
		    "{\"fecha\": \"2030-01-01\", \"hora\": \"10:00\","
		    " \"lugar\": \"Cabildo\"}", 404, NULL);
		refused("GET", h_strf("/v1/mesas/%lld/materiales/%s/contenido",
		    f.prep, ids[i]), admin, NULL, 404, NULL);
		refused("POST", h_strf("/v1/compromisos/%s/criterios", ids[i]),
		    admin, "{\"criterio\": \"medible\", \"quien\": \"Ana\","
		    " \"justificacion\": \"Tiene indicador.\"}", 404, NULL);
		refused("GET", h_strf("/v1/actividades/%s/avances", ids[i]),
		    admin, NULL, 404, NULL);
	}
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		refused("GET", queries[i], admin, NULL, 422, NULL);
	refused("GET", h_strf("/v1/mesas/%lld/pal/pdf?version=0", f.acu),
	    admin, NULL, 422, NULL);
	refused("GET", h_strf("/v1/mesas/%lld/pal/pdf?version="
	    "99999999999999999999", f.acu), admin, NULL, 422, NULL);
	refused_bytes("POST", h_strf("/v1/mesas/%lld/materiales?actor="
	    "99999999999999999999&tipo=problematicas&titulo=x", f.prep),
	    "text/plain; charset=utf-8", "hola", 4, 0, NULL,
	    "actor out of range");
	refused_bytes("POST", h_strf("/v1/mesas/%lld/materiales?actor=-1&"
	    "tipo=problematicas&titulo=x", f.prep),
	    "text/plain; charset=utf-8", "hola", 4, 0, NULL, "actor -1");
	esc_assert_unchanged(before, "ids out of range");
	assert_alive("ids out of range");
}

/* Path traversal: nothing outside the route table is ever served. */
Test(hostile, path_traversal)
{
	static const char *const encoded[] = {
		"/v1/mesas/..%2F..%2Fetc%2Fpasswd", "/v1/mesas/..%2f..%2f",
		"/v1/mesas/%2e%2e/%2e%2e/etc/passwd",
		"/v1/mesas/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
		"/v1/mesas/..%5C..%5Cwindows", "/e/..%2F..%2Fetc%2Fpasswd",
		"/f/..%2F..%2Fetc%2Fpasswd.ics", "/v1/mesas/%252e%252e%252f",
		"/v1/mesas/..%c0%af..%c0%afetc",
	};
	/* Sent byte for byte (libcurl would squash the dots). */
	static const char *const raw[] = {
		"/v1/mesas/1/../../", "/v1/mesas/1/../../../etc/passwd",
		"/../../etc/passwd", "/./healthz", "/v1//mesas", "//healthz",
		"/v1/mesas/1/./actores", "/e/../v1/usuarios",
		"/v1/mesas/..", "/healthz/..", "http://127.0.0.1/../etc/passwd",
		"*",
	};
	const char *before;

	(void)fixture();
	before = esc_snapshot();
	for (size_t i = 0; i < sizeof(encoded) / sizeof(encoded[0]); i++) {
		struct h_http r = h_api(&pald, "GET", encoded[i], admin, NULL);
		const char *ctype = h_http_header(&r, "Content-Type");

		if (strncmp(encoded[i], "/e/", 3) == 0 && ctype != NULL &&
		    strstr(ctype, "text/html") != NULL)
			assert_html_refusal(&r, encoded[i]);
		else
			assert_refused(&r, 404, NULL, encoded[i]);
		cr_assert(strstr(r.body, "root:") == NULL);
		h_http_free(&r);
	}
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		const char *req = h_strf("GET %s HTTP/1.1\r\nHost: x\r\n"
		    "Authorization: Bearer %s\r\nConnection: close\r\n\r\n",
		    raw[i], admin);
		struct h_raw r = h_http_raw(pald.port, req, strlen(req), 5000);

		cr_assert(r.status >= 400 && r.status < 500, "GET %s: %.300s",
		    raw[i], r.data);
		cr_assert(strstr(r.data, "root:") == NULL);
		h_raw_free(&r);
	}
	esc_assert_unchanged(before, "path traversal");
	assert_alive("path traversal");
}

/*
 * Headers: one over http_max_headers_bytes, many small ones adding up
 * over it, a request line over it: evhttp's 4xx, and the connection
 * closed. Many headers under the limit are served.
 */
Test(hostile, huge_and_too_many_headers)
{
	struct buf b;
	struct h_raw r;

	buf_init(&b);
	buf_puts(&b, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Relleno: ");
	for (int i = 0; i < 40000; i++)
		buf_putc(&b, 'a');
	buf_puts(&b, "\r\n\r\n");
	raw_refused(b.data, b.len, "a 40 KB header");

	buf_reset(&b);
	buf_puts(&b, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 5000; i++)
		buf_printf(&b, "X-H%d: v\r\n", i);
	buf_puts(&b, "\r\n");
	raw_refused(b.data, b.len, "5,000 headers");

	buf_reset(&b);
	buf_puts(&b, "GET /healthz?");
	for (int i = 0; i < 40000; i++)
		buf_putc(&b, 'q');
	buf_puts(&b, " HTTP/1.1\r\nHost: x\r\n\r\n");
	raw_refused(b.data, b.len, "a 40 KB request line");

	/* A header line continued over many folded lines. */
	buf_reset(&b);
	buf_puts(&b, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Plegado: a\r\n");
	for (int i = 0; i < 5000; i++)
		buf_puts(&b, " bbbbbbb\r\n");
	buf_puts(&b, "\r\n");
	raw_refused(b.data, b.len, "a header folded 5,000 times");

	/* 300 small headers (under the limit) are fine. */
	buf_reset(&b);
	buf_puts(&b, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 300; i++)
		buf_printf(&b, "X-H%d: v\r\n", i);
	buf_puts(&b, "Connection: close\r\n\r\n");
	r = h_http_raw(pald.port, b.data, b.len, 5000);
	cr_assert_eq(r.status, 200, "%.300s", r.data);
	h_raw_free(&r);
	buf_cleanup(&b);
	assert_alive("huge headers");
}

/* A POST to /v1/mesas whose head announces len bytes. */
static const char *
post_head(const char *extra, size_t len)
{
	return h_strf("POST /v1/mesas HTTP/1.1\r\nHost: x\r\nAuthorization: "
	    "Bearer %s\r\nContent-Type: application/json\r\n%s"
	    "Content-Length: %zu\r\n\r\n", admin, extra, len);
}

/* A request needing a DB worker answers within max_ms. */
static void
answered_quickly(int max_ms, const char *what)
{
	long long t0 = h_now_ms();
	struct h_http r = h_api(&pald, "GET", "/v1/yo", admin, NULL);
	long long took = h_now_ms() - t0;

	cr_assert_eq(r.status, 200, "%s: /v1/yo answered %ld", what, r.status);
	cr_assert_lt(took, max_ms, "%s: /v1/yo took %lld ms", what, took);
	h_http_free(&r);
}

/*
 * Stalled requests (a body that stops after its first bytes, headers
 * without their blank line, a connection that sends nothing): other
 * requests are answered meanwhile, even with more stalled connections
 * than DB workers, and the server drops each stalled one after its
 * timeout, with nothing written.
 */
Test(hostile, stalled_requests_time_out_without_blocking_others)
{
	enum { NSTALL = 12 };
	int fd[NSTALL];
	const char *before = esc_snapshot();
	long long t0 = h_now_ms();

	for (int i = 0; i < NSTALL; i++) {
		const char *req;

		fd[i] = h_raw_connect(pald.port);
		if (i % 3 == 0)
			req = h_strf("%s{\"titulo\": \"Mesa\", ",
			    post_head("", 100));
		else if (i % 3 == 1)
			req = "GET /v1/yo HTTP/1.1\r\nHost: x\r\nX-A: ";
		else
			req = "";
		cr_assert(h_raw_send(fd[i], req, strlen(req)));
	}
	for (int k = 0; k < 5; k++) {
		answered_quickly(1000, "while 12 connections stall");
		h_sleep_ms(100);
	}
	for (int i = 0; i < NSTALL; i++) {
		struct h_raw r = h_raw_read(fd[i], 0, 8000);
		long long at = h_now_ms() - t0;

		cr_assert(r.closed, "stalled connection %d still open after "
		    "%lld ms (http_timeout_s = %d)", i, at, TIMEOUT_S);
		cr_assert(r.status == 0 || r.status >= 400, "stalled "
		    "connection %d got %.200s", i, r.data);
		cr_assert(at >= TIMEOUT_S * 1000 - 300, "connection %d dropped "
		    "after %lld ms, before the timeout", i, at);
		cr_assert(at <= TIMEOUT_S * 1000 * 3, "connection %d dropped "
		    "only after %lld ms", i, at);
		h_raw_free(&r);
		close(fd[i]);
	}
	esc_assert_unchanged(before, "stalled bodies");
	assert_alive("stalled requests");
}

/*
 * A body (or a head) dribbled one byte at a time, each byte well inside
 * the read timeout, must not hold a connection for ever: a whole request
 * gets a deadline (slowloris). Meanwhile others are served.
 */
static void
dribble(const char *head, const char *what)
{
	int fd = h_raw_connect(pald.port);
	long long t0 = h_now_ms(), limit_ms = TIMEOUT_S * 1000 * 4;
	bool closed = false;
	int sent = 0;

	cr_assert(h_raw_send(fd, head, strlen(head)));
	while (h_now_ms() - t0 < limit_ms + 2000) {
		struct h_raw r;

		if (!h_raw_send(fd, "a", 1)) {
			closed = true;
			break;
		}
		sent++;
		r = h_raw_read(fd, 0, TIMEOUT_S * 1000 / 3);
		closed = r.closed;
		h_raw_free(&r);
		if (closed)
			break;
		if (sent % 4 == 0)
			answered_quickly(1000, what);
	}
	close(fd);
	cr_assert(closed, "%s: %d bytes dribbled one every %d ms kept the "
	    "connection open for %lld ms (http_timeout_s = %d): a request has "
	    "no overall deadline", what, sent, TIMEOUT_S * 1000 / 3,
	    h_now_ms() - t0, TIMEOUT_S);
}

Test(hostile, dribbled_body_is_cut_off)
{
	const char *before = esc_snapshot();

	dribble(post_head("", 4000), "a dribbled body");
	esc_assert_unchanged(before, "a dribbled body");
	assert_alive("a dribbled body");
}

Test(hostile, dribbled_headers_are_cut_off)
{
	dribble("GET /v1/yo HTTP/1.1\r\nHost: x\r\nX-Lento: ",
	    "dribbled headers");
	assert_alive("dribbled headers");
}

/*
 * Content-Length that lies: shorter than the body (the rest is read as
 * a new request and refused), longer (the server waits, then drops the
 * connection), a half-closed connection, a negative or non-numeric or
 * huge value, and two different values (request smuggling: 400).
 */
Test(hostile, content_length_mismatch)
{
	const char *body = "{\"titulo\": \"Mesa\", \"entidad\": \"Oaxaca\"}";
	const char *before = esc_snapshot();
	const char *req;
	struct h_raw r;
	int fd;

	/* Shorter: the first bytes are truncated JSON. */
	req = h_strf("%s%s", post_head("", 10), body);
	r = h_http_raw(pald.port, req, strlen(req), 5000);
	cr_assert_eq(r.status, 400, "%.300s", r.data);
	cr_assert(strstr(r.body, "json_invalido") != NULL, "%.300s", r.data);
	h_raw_free(&r);

	/* Longer, then the client half-closes: no reply, nothing stored. */
	fd = h_raw_connect(pald.port);
	req = h_strf("%s%s", post_head("", strlen(body) + 50), body);
	cr_assert(h_raw_send(fd, req, strlen(req)));
	shutdown(fd, SHUT_WR);
	r = h_raw_read(fd, 0, TIMEOUT_S * 1000 * 3);
	cr_assert(r.closed, "a half-closed short body left the connection "
	    "open");
	cr_assert(r.status == 0 || r.status >= 400, "%.300s", r.data);
	h_raw_free(&r);
	close(fd);

	/* Longer, connection kept open: dropped after the timeout. */
	req = h_strf("%s%s", post_head("", strlen(body) + 50), body);
	r = h_http_raw(pald.port, req, strlen(req), TIMEOUT_S * 1000 * 3);
	cr_assert(r.closed, "a short body left the connection open");
	cr_assert(r.status == 0 || r.status >= 400, "%.300s", r.data);
	h_raw_free(&r);

	/* Values that are no length. */
	{
		static const char *const bad[] = { "-1", "abc", "1 0", "0x10",
		    "99999999999999999999", "18446744073709551615", "+5",
		    "" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			req = h_strf("POST /v1/mesas HTTP/1.1\r\nHost: x\r\n"
			    "Authorization: Bearer %s\r\nContent-Type: "
			    "application/json\r\nContent-Length: %s\r\n\r\n%s",
			    admin, bad[i], body);
			r = h_http_raw(pald.port, req, strlen(req), 5000);
			cr_assert(r.status >= 400 && r.status < 500,
			    "Content-Length «%s»: %.300s", bad[i], r.data);
			h_raw_free(&r);
		}
	}
	esc_assert_unchanged(before, "lying Content-Length");

	/*
	 * Two different lengths: a proxy and pald could read different
	 * bodies, so the request must be refused (RFC 9112, 6.3).
	 */
	req = h_strf("%s%sXXXX", post_head(h_strf("Content-Length: %zu\r\n",
	    strlen(body)), strlen(body) + 4), body);
	r = h_http_raw(pald.port, req, strlen(req), 5000);
	cr_assert(r.status == 400, "two Content-Length headers (%zu and %zu) "
	    "were accepted: %.300s", strlen(body), strlen(body) + 4, r.data);
	h_raw_free(&r);
	esc_assert_unchanged(before, "two Content-Length headers");
	assert_alive("lying Content-Length");
}

/*
 * Chunked bodies: a well-formed one is a body like any other (and the
 * JSON limit holds for it); a malformed one is refused and closes the
 * connection; Transfer-Encoding together with Content-Length is
 * refused (request smuggling).
 */
Test(hostile, chunked_bodies)
{
	const char *body = "{\"titulo\": \"Mesa\", \"entidad\": \"Oaxaca\"}";
	const char *head = h_strf("POST /v1/mesas HTTP/1.1\r\nHost: x\r\n"
	    "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n", admin);
	const char *tail = "\",\"entidad\":\"Oaxaca\"}";
	const char *before, *req;
	struct h_raw r;
	struct buf b;

	/* Well-formed, in two chunks. */
	before = esc_snapshot();
	req = h_strf("%sConnection: close\r\n\r\n%x\r\n%.10s\r\n%zx\r\n%s\r\n"
	    "0\r\n\r\n", head, 10, body, strlen(body) - 10, body + 10);
	r = h_http_raw(pald.port, req, strlen(req), 5000);
	cr_assert(r.status == 201 || r.status == 411, "a chunked body: "
	    "%.300s", r.data);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM mesas"),
	    r.status == 201 ? 1 : 0);
	h_raw_free(&r);

	/* Over http_max_json_bytes (64 KiB) in many small chunks. */
	before = esc_snapshot();
	buf_init(&b);
	buf_printf(&b, "%s\r\n", head);
	buf_puts(&b, "b\r\n{\"titulo\":\"\r\n");
	for (int i = 0; i < 100; i++) {
		buf_printf(&b, "400\r\n");
		for (int k = 0; k < 0x400; k++)
			buf_putc(&b, 'a');
		buf_puts(&b, "\r\n");
	}
	buf_printf(&b, "%zx\r\n%s\r\n0\r\n\r\n", strlen(tail), tail);
	r = h_http_raw(pald.port, b.data, b.len, 5000);
	cr_assert(r.status == 413, "100 KiB chunked JSON: %.300s", r.data);
	h_raw_free(&r);
	buf_cleanup(&b);

	/* Malformed chunk sizes. */
	{
		static const char *const bad[] = {
			"zz\r\nabc\r\n0\r\n\r\n", "-5\r\nabc\r\n0\r\n\r\n",
			"ffffffffffffffff\r\nabc\r\n",
			"10000000000000000\r\nabc\r\n",
			"3\r\nabcdef\r\n0\r\n\r\n", "\r\n\r\n",
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			req = h_strf("%s\r\n%s", head, bad[i]);
			r = h_http_raw(pald.port, req, strlen(req), 5000);
			cr_assert(r.closed, "chunks «%s» left the connection "
			    "open", bad[i]);
			cr_assert(r.status == 0 || (r.status >= 400 &&
			    r.status < 500), "chunks «%s»: %.300s", bad[i],
			    r.data);
			h_raw_free(&r);
		}
	}
	esc_assert_unchanged(before, "malformed chunked bodies");

	/* Transfer-Encoding and Content-Length together. */
	req = h_strf("%sContent-Length: 5\r\n\r\n%zx\r\n%s\r\n0\r\n\r\n", head,
	    strlen(body), body);
	r = h_http_raw(pald.port, req, strlen(req), 5000);
	cr_assert_eq(r.status, 400, "Transfer-Encoding with Content-Length "
	    "was accepted: %.300s", r.data);
	h_raw_free(&r);
	esc_assert_unchanged(before, "Transfer-Encoding with Content-Length");
	assert_alive("chunked bodies");
}

/*
 * Methods: one the route does not take is 405 with Allow (JSON); an
 * unknown token, a lowercase one or CONNECT is a 4xx or 501 from evhttp.
 */
Test(hostile, unknown_methods)
{
	static const char *const known[] = { "PUT", "DELETE", "PATCH",
	    "OPTIONS", "TRACE" };
	static const char *const lines[] = {
		"FOO /healthz HTTP/1.1", "PROPFIND /v1/mesas HTTP/1.1",
		"get /healthz HTTP/1.1", "G\x01T /healthz HTTP/1.1",
		"CONNECT 127.0.0.1:22 HTTP/1.1", "GET", "GET  HTTP/1.1",
		"/healthz HTTP/1.1", "GET /healthz FTP/1.0",
		"GET /healthz HTTP/", "\x16\x03\x01\x02\x00\x01\x00",
	};
	const char *before = esc_snapshot();

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		struct h_http r = h_api(&pald, known[i], "/v1/mesas", admin,
		    "{}");

		assert_refused(&r, 405, "metodo_no_permitido", known[i]);
		cr_assert_str_eq(h_http_header(&r, "Allow"), "GET, POST");
		h_http_free(&r);
	}
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		const char *req = h_strf("%s\r\nHost: x\r\nConnection: close"
		    "\r\n\r\n", lines[i]);
		struct h_raw r = h_http_raw(pald.port, req, strlen(req), 5000);

		cr_assert(r.closed, "«%s» left the connection open", lines[i]);
		cr_assert(r.status == 0 || (r.status >= 400 && r.status < 600 &&
		    r.status != 500), "«%s»: %.300s", lines[i], r.data);
		h_raw_free(&r);
	}
	esc_assert_unchanged(before, "unknown methods");
	assert_alive("unknown methods");
}

/* HTTP/1.0 without Host is served and closed; HTTP/1.1 without it too. */
Test(hostile, http10_without_host)
{
	static const char req10[] = "GET /healthz HTTP/1.0\r\n\r\n";
	static const char req11[] = "GET /healthz HTTP/1.1\r\n"
	    "Connection: close\r\n\r\n";
	struct h_raw r = h_http_raw(pald.port, req10, strlen(req10), 5000);
	const char *yo;

	cr_assert_eq(r.status, 200, "%.300s", r.data);
	cr_assert(r.closed, "HTTP/1.0 without keep-alive left it open");
	cr_assert(strstr(r.body, "\"estado\"") != NULL, "%s", r.data);
	h_raw_free(&r);
	yo = h_strf("GET /v1/yo HTTP/1.0\r\nAuthorization: Bearer %s\r\n\r\n",
	    admin);
	r = h_http_raw(pald.port, yo, strlen(yo), 5000);
	cr_assert_eq(r.status, 200, "%.300s", r.data);
	h_raw_free(&r);
	r = h_http_raw(pald.port, req11, strlen(req11), 5000);
	cr_assert(r.status == 200 || r.status == 400, "%.300s", r.data);
	h_raw_free(&r);
	assert_alive("HTTP/1.0");
}

/*
 * Pipelined requests in one write are answered in order, each once; a
 * refused one in the middle does not disturb the others.
 */
Test(hostile, pipelined_requests)
{
	const char *body = "{\"titulo\": \"Mesa\", \"entidad\": \"Oaxaca\"}";
	const char *auth = h_strf("Authorization: Bearer %s\r\n", admin);
	const char *req = h_strf(
	    "GET /v1/yo HTTP/1.1\r\nHost: x\r\n%s\r\n"
	    "POST /v1/mesas HTTP/1.1\r\nHost: x\r\n%sContent-Type: "
	    "application/json\r\nContent-Length: %zu\r\n\r\n%s"
	    "POST /v1/mesas HTTP/1.1\r\nHost: x\r\n%sContent-Length: 3\r\n"
	    "\r\n{x}"
	    "GET /v1/nada HTTP/1.1\r\nHost: x\r\n\r\n"
	    "GET /v1/mesas HTTP/1.1\r\nHost: x\r\n%s\r\n"
	    "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	    auth, auth, strlen(body), body, auth, auth);
	static const char *const want[] = { "HTTP/1.1 200", "HTTP/1.1 201",
	    "HTTP/1.1 400", "HTTP/1.1 404", "HTTP/1.1 200", "HTTP/1.1 200" };
	struct h_raw r = h_http_raw(pald.port, req, strlen(req), 10000);
	const char *p = r.data;
	long long last_id = 0;

	cr_assert_eq(r.responses, 6, "%d responses to 6 pipelined requests:\n"
	    "%s", r.responses, r.data);
	for (size_t i = 0; i < 6; i++) {
		const char *rid;

		p = strstr(p, "HTTP/1.1 ");
		cr_assert_not_null(p);
		cr_assert(strncmp(p, want[i], strlen(want[i])) == 0,
		    "response %zu: %.40s, expected %s", i, p, want[i]);
		rid = esc_find_ci(p, "X-Request-Id: ");
		cr_assert_not_null(rid);
		cr_assert_gt(atoll(rid + 14), last_id, "response %zu out of "
		    "order", i);
		last_id = atoll(rid + 14);
		p += 9;
	}
	cr_assert(r.closed);
	h_raw_free(&r);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM mesas"), 1);
	assert_alive("pipelined requests");
}

/*
 * Header injection: CR or LF in anything that reaches an email header
 * (an actor's name or address, a mesa's or material's title, a file
 * name) is refused with nothing written; what is accepted (angle
 * brackets, quotes, "Bcc:" without a line break, encoded-word lookalikes)
 * is encoded so the email still has one recipient and no extra header,
 * in the outbox row and as delivered.
 */

/* Checks a message file with Python's email parser; "ok" or why not. */
static void
check_message_file(const char *path, const char *rcpt, const char *name,
    const char *subject, const char *filename, const char *what)
{
	static const char script[] =
	    "import sys, email, email.policy\n"
	    "raw = open(sys.argv[1], 'rb').read()\n"
	    "rcpt, name, subj, fname = sys.argv[2:6]\n"
	    "head = raw.split(b'\\r\\n\\r\\n', 1)[0]\n"
	    "rest = head.replace(b'\\r\\n', b'')\n"
	    "assert b'\\r' not in rest and b'\\n' not in rest, 'bare CR/LF'\n"
	    "names = [l.split(b':', 1)[0].strip().lower()\n"
	    "         for l in head.split(b'\\r\\n') if l[:1] not in b' \\t']\n"
	    "for n in (b'bcc', b'cc', b'x-inyectado'):\n"
	    "    assert n not in names, 'injected header %r' % n\n"
	    "for n in (b'to', b'from', b'subject'):\n"
	    "    assert names.count(n) == 1, '%r %d times' % (n,\n"
	    "        names.count(n))\n"
	    "msg = email.message_from_bytes(raw, policy=email.policy.default)\n"
	    "addrs = msg['to'].addresses\n"
	    "assert len(addrs) == 1, 'To has %d addresses: %r' % (len(addrs),\n"
	    "    addrs)\n"
	    "assert addrs[0].addr_spec == rcpt, addrs[0].addr_spec\n"
	    /*
	     * The display name, decoded by hand: Python's structured parser
	     * keeps the space between two encoded words split by a fold,
	     * which RFC 2047 (6.2) says to drop.
	     */
	    "import re, email.header\n"
	    "unf = head.replace(b'\\r\\n ', b' ')\n"
	    "unf = unf.replace(b'\\r\\n\\t', b'\\t')\n"
	    "to = [l for l in unf.split(b'\\r\\n')\n"
	    "      if l.lower().startswith(b'to:')][0][3:].strip().decode()\n"
	    "m = re.fullmatch(r'(.*) <([^<>]*)>', to, re.S)\n"
	    "assert m and m.group(2) == rcpt, to\n"
	    "disp = m.group(1)\n"
	    "if disp.startswith('\"'):\n"
	    "    inner = disp[1:-1]\n"
	    "    assert disp.endswith('\"') and re.fullmatch(\n"
	    "        r'(?:[^\"\\\\]|\\\\.)*', inner), 'bad quoting: ' + disp\n"
	    "    got = re.sub(r'\\\\(.)', r'\\1', inner)\n"
	    "else:\n"
	    "    got = ''.join(p.decode(c or 'ascii') if isinstance(p, bytes)\n"
	    "        else p for p, c in email.header.decode_header(disp))\n"
	    "assert got == name, 'display name %r' % got\n"
	    "assert subj in str(msg['subject']), repr(str(msg['subject']))\n"
	    "if fname:\n"
	    "    got = [p.get_filename() for p in msg.iter_attachments()]\n"
	    "    assert fname in got, 'attachment names %r' % got\n"
	    "print('ok')\n";
	struct h_run run = h_cmd("/usr/bin/python3", "-c", script, path, rcpt,
	    name, subject, filename != NULL ? filename : "");

	cr_assert(run.status == 0 && strncmp(run.out, "ok", 2) == 0,
	    "%s: %s%s", what, run.out, run.err);
	h_run_free(&run);
}

Test(hostile_mail, header_injection_is_refused_or_encoded)
{
	static const char *const crlf[] = { "\\r\\nBcc: intruso@evil.mx",
	    "\\nBcc: intruso@evil.mx", "\\rBcc: intruso@evil.mx",
	    "\\r\\n\\r\\n<html>", "\\u2028Bcc: intruso@evil.mx" };
	const char *titulo = "Mesa «Bcc: intruso@evil.mx» "
	    "=?utf-8?q?Bcc=3A_x=40evil.mx?= \"x\" <a@evil.mx>";
	/* One encoded (it has "=?"), one a quoted string (plain ASCII). */
	const char *nombres[2] = { "Beto <intruso@evil.mx>, \"Bcc: "
	    "otro@evil.mx\" =?utf-8?b?QmNjOiB4QGV2aWwubXg=?= \\ ;:,",
	    "Carla \"La Jefa\" \\ <intruso@evil.mx>, Bcc: otro@evil.mx" };
	const char *emails[2] = { "beto@osc.mx", "carla@osc.mx" };
	const char *archivo = "acta\"; filename=\"malo.exe; x=y (1).pdf";
	const char *before, *eml;
	json_t *j, *msg;
	long long mesa, autor;
	char *text;
	size_t len;
	PGresult *res;
	unsigned char *bytes;
	int idx;

	/* Refused: CR or LF anywhere near a header. */
	j = esc_api("POST", "/v1/mesas", admin, "{\"titulo\": \"Mesa\","
	    " \"entidad\": \"Oaxaca\"}", 201);
	mesa = esc_jint(j, "id");
	before = esc_snapshot();
	for (size_t i = 0; i < sizeof(crlf) / sizeof(crlf[0]); i++) {
		const char *actores = h_strf("/v1/mesas/%lld/actores", mesa);
		refused("POST", "/v1/mesas", admin, h_strf("{\"titulo\":"
		    " \"Mesa%s\", \"entidad\": \"Oaxaca\"}", crlf[i]), 0, NULL);
		refused("POST", actores, admin, h_strf("{\"nombre\": \"Ana%s\","
		    " \"email\": \"ana@osc.mx\", \"sector\": \"stl\"}",
		    crlf[i]), 0, NULL);
		refused("POST", actores, admin, h_strf("{\"nombre\": \"Ana\","
		    " \"email\": \"ana@osc.mx%s\", \"sector\": \"stl\"}",
		    crlf[i]), 0, NULL);
		refused("POST", actores, admin, h_strf("{\"nombre\": \"Ana\","
		    " \"email\": \"ana@osc.mx\", \"sector\": \"stl\","
		    " \"cargo\": \"Jefa%s\"}", crlf[i]), 0, NULL);
		refused("POST", "/v1/usuarios", admin, h_strf("{\"nombre\":"
		    " \"Fa%s\", \"email\": \"fa@osc.mx\", \"rol\":"
		    " \"facilitador\"}", crlf[i]), 0, NULL);
		refused("POST", "/v1/correos/prueba", admin, h_strf(
		    "{\"email\": \"ana@osc.mx%s\"}", crlf[i]), 0, NULL);
	}
	/* Addresses that are no single address. */
	{
		static const char *const bad[] = { "ana@osc.mx, b@evil.mx",
		    "ana@osc.mx>, <b@evil.mx", "Ana <ana@osc.mx>",
		    "ana@osc.mx\\u0000b@evil.mx", "ana@osc.mx;b@evil.mx",
		    "\\\"ana\\\"@osc.mx", "ana@[127.0.0.1]", "ana@osc.mx ",
		    "<ana@osc.mx>" };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			refused("POST", h_strf("/v1/mesas/%lld/actores", mesa),
			    admin, h_strf("{\"nombre\": \"Ana\", \"email\": "
			    "\"%s\", \"sector\": \"stl\"}", bad[i]), 0, NULL);
	}
	esc_assert_unchanged(before, "CR/LF in mail fields");

	/* Accepted, then encoded: a material sent to Beto. */
	j = esc_api("POST", "/v1/mesas", admin, esc_json_text(json_pack(
	    "{s:s, s:s}", "titulo", titulo, "entidad", "Oaxaca")), 201);
	mesa = esc_jint(j, "id");
	j = esc_api("POST", h_strf("/v1/mesas/%lld/actores", mesa), admin,
	    "{\"nombre\": \"Ana Autora\", \"email\": \"ana@osc.mx\","
	    " \"sector\": \"sociedad_civil\"}", 201);
	autor = esc_jint(j, "id");
	for (int k = 0; k < 2; k++) {
		j = esc_api("POST", h_strf("/v1/mesas/%lld/actores", mesa),
		    admin, esc_json_text(json_pack("{s:s, s:s, s:s}", "nombre",
		    nombres[k], "email", emails[k], "sector", "stl")), 201);
		cr_assert_gt(esc_jint(j, "id"), autor);
	}
	{
		struct h_http r = h_http("POST", h_strf("%s/v1/mesas/%lld/"
		    "materiales?actor=%lld&tipo=problematicas&titulo=%s&"
		    "archivo=%s", pald.url, mesa, autor,
		    url_encode("Bcc: intruso@evil.mx"), url_encode(archivo)),
		    admin, "application/pdf", "%PDF-1.4\n%%EOF\n", 15);

		cr_assert_eq(r.status, 201, "%s", r.body);
		h_http_free(&r);
	}
	j = esc_api("POST", h_strf("/v1/mesas/%lld/materiales/enviar", mesa),
	    admin, NULL, 200);
	cr_assert_eq(json_array_size(esc_jarr(j, "envios")), 2);
	for (int k = 0; k < 2; k++) {
		json_t *envio = json_array_get(esc_jarr(j, "envios"), k);
		const char *to = esc_jstr(envio, "email");
		const char *nombre = strcmp(to, emails[0]) == 0 ? nombres[0] :
		    nombres[1];

		/* The outbox row. */
		res = h_db_query(&db, "SELECT destinatario, mensaje FROM outbox"
		    " WHERE id = $1", esc_id_text(esc_jint(envio,
		    "outbox_id")));
		cr_assert_eq(PQntuples(res), 1);
		cr_assert_str_eq(PQgetvalue(res, 0, 0), to);
		bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res,
		    0, 1), &len);
		eml = h_path(h_strf("outbox-%d.eml", k));
		h_write_file(eml, bytes, len);
		PQfreemem(bytes);
		PQclear(res);
		check_message_file(eml, to, nombre, titulo, archivo,
		    h_strf("the outbox row to %s", to));

		/* As delivered. */
		msg = esc_mail_to(to, 0, &idx);
		cr_assert_eq(json_array_size(json_object_get(msg, "rcpt_tos")),
		    1);
		cr_assert_null(h_smtp_header(msg, "bcc"));
		text = h_smtp_raw(&smtp, idx, &len);
		eml = h_path(h_strf("delivered-%d.eml", k));
		h_write_file(eml, text, len);
		free(text);
		check_message_file(eml, to, nombre, titulo, archivo,
		    h_strf("the email delivered to %s", to));
	}
	cr_assert_eq(h_smtp_find(&smtp, "intruso@evil.mx", 0), -1);
	cr_assert_eq(h_smtp_find(&smtp, "otro@evil.mx", 0), -1);
	cr_assert_eq(h_smtp_find(&smtp, "a@evil.mx", 0), -1);
	assert_alive("header injection");
}
