/*
 * The HTTP surface a client meets before any domain feature: health,
 * metrics, request ids, and every generic refusal as a JSON error in
 * Spanish with the right status (401, 403, 404, 405, 413, 400, 503).
 */
#include <criterion/criterion.h>

#include <string.h>

#include "harness.h"

static struct h_db db;
static struct h_pald pald;
static char admin[80];

static void
setup(void)
{
	h_db_create(&db);
	h_pald_start(&pald, &db, NULL, "http_max_json_bytes = 2048\n");
	h_pald_admin_token(&pald, admin, sizeof(admin));
}

static void
teardown(void)
{
	h_pald_stop(&pald);
	h_db_drop(&db);
}

TestSuite(api, .init = setup, .fini = teardown);

/* The error member of a JSON reply: code and a non-empty message. */
static void
assert_error(struct h_http *r, long status, const char *code)
{
	json_t *j = h_http_json(r);
	const char *got, *msg;

	cr_assert_eq(r->status, status, "status %ld, body %s", r->status,
	    r->body);
	cr_assert_not_null(j, "not JSON: %s", r->body);
	got = json_string_value(json_object_get(json_object_get(j, "error"),
	    "code"));
	msg = json_string_value(json_object_get(json_object_get(j, "error"),
	    "message"));
	cr_assert_not_null(got, "no error.code in %s", r->body);
	cr_assert_str_eq(got, code);
	cr_assert(msg != NULL && strlen(msg) > 10, "no message in %s",
	    r->body);
	cr_assert(strstr(h_http_header(r, "Content-Type"),
	    "application/json") != NULL);
	json_decref(j);
}

Test(api, healthz_reports_database_and_version)
{
	struct h_http r = h_api(&pald, "GET", "/healthz", NULL, NULL);
	json_t *j = h_http_json(&r);

	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(json_string_value(json_object_get(j, "estado")),
	    "ok");
	cr_assert_str_eq(json_string_value(json_object_get(j,
	    "base_de_datos")), "disponible");
	cr_assert_not_null(json_string_value(json_object_get(j, "version")));
	cr_assert_not_null(h_http_header(&r, "X-Request-Id"));
	json_decref(j);
	h_http_free(&r);
}

Test(api, request_ids_differ_and_appear_in_the_log)
{
	struct h_http a = h_api(&pald, "GET", "/healthz", NULL, NULL);
	struct h_http b = h_api(&pald, "GET", "/v1/yo", admin, NULL);
	const char *ida = h_http_header(&a, "X-Request-Id");
	const char *idb = h_http_header(&b, "X-Request-Id");
	char *log;

	cr_assert_eq(b.status, 200, "%s", b.body);
	cr_assert(ida && idb && strcmp(ida, idb) != 0);
	/* The access line is written after the reply: give it a moment. */
	h_sleep_ms(100);
	log = h_pald_log(&pald);
	cr_assert(strstr(log, h_strf("req=%s GET /v1/yo 200", idb)) != NULL,
	    "no access line for request %s", idb);
	cr_assert(strstr(log, admin) == NULL, "the token was logged");
	free(log);
	h_http_free(&a);
	h_http_free(&b);
}

Test(api, metrics_count_requests_by_route_and_status)
{
	struct h_http r;

	r = h_api(&pald, "GET", "/v1/yo", NULL, NULL);
	h_http_free(&r);
	r = h_api(&pald, "GET", "/v1/yo", admin, NULL);
	h_http_free(&r);
	r = h_api(&pald, "GET", "/metrics", NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(h_http_header(&r, "Content-Type"), "text/plain"));
	cr_assert(strstr(r.body, "pald_http_requests_total{route=\"/v1/yo\","
	    "method=\"GET\",status=\"401\"} 1\n") != NULL, "%s", r.body);
	cr_assert(strstr(r.body, "pald_http_requests_total{route=\"/v1/yo\","
	    "method=\"GET\",status=\"200\"} 1\n") != NULL, "%s", r.body);
	cr_assert(strstr(r.body, "pald_http_request_duration_seconds_bucket{"
	    "route=\"/v1/yo\",method=\"GET\",le=\"+Inf\"} 2\n") != NULL);
	cr_assert(strstr(r.body, "pald_db_queue_length ") != NULL);
	cr_assert(strstr(r.body, "pald_db_workers_busy ") != NULL);
	cr_assert(strstr(r.body, "pald_outbox_messages{estado=\"pendiente\"}")
	    != NULL);
	h_http_free(&r);
}

Test(api, missing_or_bad_token_is_401)
{
	struct h_http r;

	r = h_api(&pald, "GET", "/v1/yo", NULL, NULL);
	assert_error(&r, 401, "no_autenticado");
	h_http_free(&r);
	r = h_api(&pald, "GET", "/v1/yo", "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", NULL);
	assert_error(&r, 401, "no_autenticado");
	h_http_free(&r);
	r = h_api(&pald, "GET", "/v1/yo", "not-a-token", NULL);
	assert_error(&r, 401, "no_autenticado");
	h_http_free(&r);
}

Test(api, revoked_token_is_401)
{
	struct h_http r;

	h_db_exec(&db, "UPDATE tokens SET revocado = now()");
	r = h_api(&pald, "GET", "/v1/yo", admin, NULL);
	assert_error(&r, 401, "no_autenticado");
	h_http_free(&r);
}

Test(api, wrong_role_is_403)
{
	struct h_http r;
	json_t *j;
	char *tok;

	r = h_api(&pald, "POST", "/v1/usuarios", admin,
	    "{\"nombre\":\"Fa Cilitadora\",\"email\":\"fa@ejemplo.mx\","
	    "\"rol\":\"facilitador\"}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	j = h_http_json(&r);
	tok = strdup(json_string_value(json_object_get(j, "token")));
	json_decref(j);
	h_http_free(&r);

	r = h_api(&pald, "GET", "/v1/usuarios", tok, NULL);
	assert_error(&r, 403, "prohibido");
	h_http_free(&r);
	r = h_api(&pald, "GET", "/v1/yo", tok, NULL);
	cr_assert_eq(r.status, 200);
	h_http_free(&r);
	free(tok);
}

Test(api, unknown_route_is_404)
{
	static const char *const paths[] = {
		"/v1/nada", "/v1/usuarios/x/y", "/", "/v1/yo/",
		"/%2e%2e/etc/passwd",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct h_http r = h_api(&pald, "GET", paths[i], admin, NULL);

		assert_error(&r, 404, "ruta_no_encontrada");
		h_http_free(&r);
	}
}

Test(api, wrong_method_is_405_with_allow)
{
	struct h_http r = h_api(&pald, "DELETE", "/v1/usuarios", admin, NULL);

	assert_error(&r, 405, "metodo_no_permitido");
	cr_assert_str_eq(h_http_header(&r, "Allow"), "GET, POST");
	h_http_free(&r);
	r = h_api(&pald, "PUT", "/healthz", NULL, "{}");
	assert_error(&r, 405, "metodo_no_permitido");
	cr_assert_str_eq(h_http_header(&r, "Allow"), "GET");
	h_http_free(&r);
}

Test(api, oversized_json_is_413_and_nothing_is_stored)
{
	char body[4096];
	struct h_http r;

	memset(body, 'a', sizeof(body) - 1);
	body[sizeof(body) - 1] = '\0';
	memcpy(body, "{\"nombre\":\"", 11);
	r = h_api(&pald, "POST", "/v1/usuarios", admin, body);
	assert_error(&r, 413, "cuerpo_demasiado_grande");
	h_http_free(&r);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM usuarios"), 1);
}

Test(api, malformed_json_is_400)
{
	static const char *const bodies[] = {
		"{\"nombre\":", "[1,2]", "", "{\"a\":1,\"a\":2}",
		"{\"nombre\":\"\xff\xfe\"}",
	};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct h_http r = h_api(&pald, "POST", "/v1/usuarios", admin,
		    bodies[i]);

		assert_error(&r, 400, "json_invalido");
		h_http_free(&r);
	}
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM usuarios"), 1);
}

Test(api, database_down_is_503_then_recovers)
{
	struct h_http r;
	json_t *j;

	h_db_allow_connections(&db, false);
	h_db_kill_connections(&db);
	r = h_api(&pald, "GET", "/v1/yo", admin, NULL);
	assert_error(&r, 503, "base_no_disponible");
	h_http_free(&r);
	/* The periodic ping notices within about a second. */
	for (int i = 0; i < 50; i++) {
		r = h_api(&pald, "GET", "/healthz", NULL, NULL);
		if (r.status == 503)
			break;
		h_http_free(&r);
		h_sleep_ms(100);
	}
	cr_assert_eq(r.status, 503, "healthz still %ld", r.status);
	j = h_http_json(&r);
	cr_assert_str_eq(json_string_value(json_object_get(j,
	    "base_de_datos")), "no_disponible");
	json_decref(j);
	h_http_free(&r);

	h_db_allow_connections(&db, true);
	for (int i = 0; i < 100; i++) {
		r = h_api(&pald, "GET", "/v1/yo", admin, NULL);
		if (r.status == 200)
			break;
		h_http_free(&r);
		h_sleep_ms(100);
	}
	cr_assert_eq(r.status, 200, "did not recover: %s", r.body);
	h_http_free(&r);
	r = h_api(&pald, "GET", "/healthz", NULL, NULL);
	for (int i = 0; i < 30 && r.status != 200; i++) {
		h_http_free(&r);
		h_sleep_ms(100);
		r = h_api(&pald, "GET", "/healthz", NULL, NULL);
	}
	cr_assert_eq(r.status, 200);
	h_http_free(&r);
}
