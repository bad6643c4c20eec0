/*
 * Tests of the test harness itself, against the run's real PostgreSQL and
 * the real mail catcher: databases, queries, the catcher's storage, parse
 * and refusal rules, restarts, and running commands. Mail is sent with
 * libcurl's SMTP client, as pald's mailer does.
 *
 * Nothing here needs pald or pal: those parts of the harness are
 * exercised by every other integration test.
 */
#include "harness.h"

#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

/* A message as a mailer would write it: RFC 2047 words encoded by hand,
 * quoted-printable body, CRLF everywhere, and a line that starts with a
 * dot so the catcher must undo SMTP's dot-stuffing. */
static const char test_harness_mail[] =
    "From: =?UTF-8?Q?Jos=C3=A9_P=C3=A9rez?= <jose@ejemplo.mx>\r\n"
    "To: =?UTF-8?Q?Mar=C3=ADa_L=C3=B3pez?= <maria@ejemplo.mx>\r\n"
    "Subject: =?UTF-8?B?Q29udm9jYXRvcmlhOiByZXVuacOzbiBkZSBsYSBtZXNhIOKAlC"
    "Bhw7FvIDIwMjY=?=\r\n"
    "Date: Sat, 31 Jan 2026 12:00:00 -0600\r\n"
    "Message-ID: <prueba.1@pald.localhost>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "\r\n"
    "Buenos d=C3=ADas, =C2=BFc=C3=B3mo est=C3=A1n?\r\n"
    ".Una l=C3=ADnea que empieza con punto.\r\n";

struct test_harness_reader {
	const char	*data;
	size_t		 len;
	size_t		 off;
};

static size_t
test_harness_read_cb(char *out, size_t size, size_t n, void *arg)
{
	struct test_harness_reader *r = arg;
	size_t left = r->len - r->off, take = size * n;

	if (take > left)
		take = left;
	memcpy(out, r->data + r->off, take);
	r->off += take;
	return take;
}

/* Sends payload to rcpt through the catcher; *code gets the last SMTP
 * reply code. */
static CURLcode
test_harness_send(const struct h_smtp *smtp, const char *rcpt,
    const char *payload, long *code)
{
	struct test_harness_reader r = { payload, strlen(payload), 0 };
	struct curl_slist *rcpts;
	CURLcode rc;
	CURL *curl;

	curl = curl_easy_init();
	cr_assert(curl != NULL);
	rcpts = curl_slist_append(NULL, rcpt);
	curl_easy_setopt(curl, CURLOPT_URL, smtp->url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, "<jose@ejemplo.mx>");
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(curl, CURLOPT_READFUNCTION, test_harness_read_cb);
	curl_easy_setopt(curl, CURLOPT_READDATA, &r);
	curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(curl);
	*code = 0;
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, code);
	curl_slist_free_all(rcpts);
	curl_easy_cleanup(curl);
	return rc;
}

static void
test_harness_send_ok(const struct h_smtp *smtp, const char *rcpt,
    const char *payload)
{
	CURLcode rc;
	long code;

	rc = test_harness_send(smtp, rcpt, payload, &code);
	cr_assert_eq(rc, CURLE_OK, "send to %s: %s (reply %ld)", rcpt,
	    curl_easy_strerror(rc), code);
}

Test(harness, test_dir_is_named_after_the_test)
{
	const char *dir = h_test_dir();
	const char *tail = "/harness.test_dir_is_named_after_the_test";

	cr_assert(strlen(dir) > strlen(tail));
	cr_assert_str_eq(dir + strlen(dir) - strlen(tail), tail);
	cr_assert_str_eq(h_path("x"), h_strf("%s/x", dir));
	h_write_file(h_path("nota.txt"), "añadido\n", strlen("añadido\n"));
	cr_assert(h_file_contains(h_path("nota.txt"), "añadido"));
	cr_assert_not(h_file_exists(h_path("no-existe")));
}

Test(harness, database_create_query_drop)
{
	struct h_db db, other;
	PGresult *res;

	h_db_create(&db);
	h_db_create(&other);
	cr_assert_str_neq(db.name, other.name);
	cr_assert(strstr(db.conninfo, db.name) != NULL);

	h_db_exec(&db, "CREATE TABLE actor (id serial PRIMARY KEY, "
	    "nombre text NOT NULL UNIQUE, cargo text)");
	h_db_exec(&db, "INSERT INTO actor (nombre, cargo) VALUES ($1, $2)",
	    "José Pérez", "Facilitador");
	h_db_exec(&db, "INSERT INTO actor (nombre) VALUES ($1)", "Ana Núñez");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM actor"), 2);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) > 1 FROM actor"),
	    1);
	cr_assert_str_eq(h_db_query_str(&db, "SELECT nombre FROM actor "
	    "WHERE cargo = $1", "Facilitador"), "José Pérez");
	cr_assert_null(h_db_query_str(&db, "SELECT cargo FROM actor "
	    "WHERE nombre = $1", "Ana Núñez"));
	cr_assert_str_eq(h_db_sqlstate(&db, "INSERT INTO actor (nombre) "
	    "VALUES ($1)", "Ana Núñez"), "23505");
	cr_assert_null(h_db_sqlstate(&db, "SELECT 1"));
	res = h_db_query(&db, "SELECT nombre FROM actor ORDER BY id");
	cr_assert_eq(PQntuples(res), 2);
	cr_assert_str_eq(PQgetvalue(res, 1, 0), "Ana Núñez");
	PQclear(res);
	cr_assert_eq(h_db_wait_int(&db, 200, 2, "SELECT count(*) FROM actor"),
	    2);
	cr_assert_eq(h_db_wait_int(&db, 100, 5, "SELECT count(*) FROM actor"),
	    2, "a wait that cannot succeed returns the last value");

	/* The databases are separate. */
	cr_assert_eq(h_db_query_int(&other, "SELECT count(*) FROM "
	    "pg_tables WHERE tablename = 'actor'"), 0);

	h_db_drop(&db);
	cr_assert_eq(db.name[0], '\0');
	h_db_drop(&db);	/* A second drop is a no-op. */
	h_db_drop(&other);
}

Test(harness, database_faults)
{
	struct h_db db, probe;
	PGconn *conn;

	h_db_create(&db);
	h_db_create(&probe);
	cr_assert_eq(h_db_query_int(&db, "SELECT 1"), 1);

	/* Another session dies, the harness's own survives. */
	conn = PQconnectdb(db.conninfo);
	cr_assert_eq(PQstatus(conn), CONNECTION_OK);
	h_db_kill_connections(&db);
	PQclear(PQexec(conn, "SELECT 1"));
	cr_assert_neq(PQstatus(conn), CONNECTION_OK);
	PQfinish(conn);
	cr_assert_eq(h_db_query_int(&db, "SELECT 2"), 2);

	/* Closed to new sessions, then open again. */
	h_db_allow_connections(&db, false);
	conn = PQconnectdb(db.conninfo);
	cr_assert_neq(PQstatus(conn), CONNECTION_OK);
	PQfinish(conn);
	h_db_allow_connections(&db, true);
	conn = PQconnectdb(db.conninfo);
	cr_assert_eq(PQstatus(conn), CONNECTION_OK);

	/* Drop ends sessions still connected. */
	h_db_drop(&db);
	PQclear(PQexec(conn, "SELECT 1"));
	cr_assert_neq(PQstatus(conn), CONNECTION_OK);
	PQfinish(conn);
	h_db_drop(&probe);
}

Test(harness, smtp_stores_and_parses)
{
	struct h_smtp smtp;
	json_t *msg;
	char *raw;
	size_t len;

	h_smtp_start(&smtp);
	cr_assert_gt(smtp.port, 0);
	cr_assert_str_eq(smtp.url, h_strf("smtp://127.0.0.1:%d", smtp.port));
	cr_assert_eq(h_smtp_count(&smtp), 0);

	test_harness_send_ok(&smtp, "<maria@ejemplo.mx>", test_harness_mail);
	cr_assert_eq(h_smtp_wait(&smtp, 1, 5000), 1);

	raw = h_smtp_raw(&smtp, 0, &len);
	cr_assert_eq(len, strlen(test_harness_mail));
	cr_assert_str_eq(raw, test_harness_mail, "stored bytes differ");
	free(raw);

	msg = h_smtp_message(&smtp, 0);
	cr_assert_str_eq(json_string_value(json_object_get(msg, "subject")),
	    "Convocatoria: reunión de la mesa — año 2026");
	cr_assert_str_eq(json_string_value(json_object_get(msg, "from")),
	    "José Pérez <jose@ejemplo.mx>");
	cr_assert_str_eq(json_string_value(json_object_get(msg, "to")),
	    "María López <maria@ejemplo.mx>");
	cr_assert_str_eq(json_string_value(json_object_get(msg,
	    "mail_from")), "jose@ejemplo.mx");
	cr_assert_str_eq(json_string_value(json_array_get(
	    json_object_get(msg, "rcpt_tos"), 0)), "maria@ejemplo.mx");
	cr_assert_eq(json_array_size(json_object_get(msg, "rcpt_tos")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(msg,
	    "message_id")), "<prueba.1@pald.localhost>");
	cr_assert_str_eq(json_string_value(json_object_get(msg, "text")),
	    "Buenos días, ¿cómo están?\n.Una línea que empieza con punto.\n");
	cr_assert(json_is_true(json_object_get(msg, "headers_raw_lines_ok")));
	cr_assert(json_is_true(json_object_get(msg, "raw_7bit")));
	cr_assert_eq(json_array_size(json_object_get(msg, "attachments")), 0);
	cr_assert_eq(json_array_size(json_object_get(msg, "defects")), 0);
	cr_assert_str_eq(h_smtp_header(msg, "Content-Transfer-Encoding"),
	    "quoted-printable");
	cr_assert_null(h_smtp_header(msg, "X-No-Existe"));
	json_decref(msg);

	cr_assert_eq(h_smtp_find(&smtp, "MARIA@ejemplo.mx", 0), 0);
	cr_assert_eq(h_smtp_find(&smtp, "maria@ejemplo.mx", 1), -1);
	cr_assert_eq(h_smtp_find(&smtp, "nadie@ejemplo.mx", 0), -1);
	cr_assert_eq(h_smtp_connections(&smtp), 1);
	cr_assert_eq(h_smtp_rcpt_attempts(&smtp, "maria@ejemplo.mx"), 1);
	h_smtp_stop(&smtp);
	h_smtp_stop(&smtp);	/* A second stop is a no-op. */
}

Test(harness, smtp_flags_bad_lines_and_keeps_attachments)
{
	static const char bare_lf[] =
	    "Subject: LF\r\nFrom: a@ejemplo.mx\r\n\r\nuna\nlinea\r\n";
	static const char with_pdf[] =
	    "Subject: PAL\r\n"
	    "From: a@ejemplo.mx\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
	    "\r\n"
	    "--b1\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "\r\n"
	    "Adjunto el PAL.\r\n"
	    "--b1\r\n"
	    "Content-Type: application/pdf\r\n"
	    "Content-Disposition: attachment; filename=\"pal-v1.pdf\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "\r\n"
	    "JVBERi0xLjQK\r\n"
	    "--b1--\r\n";
	struct buf_line { char text[1100]; } long_mail;
	struct h_smtp smtp;
	json_t *msg, *att;

	h_smtp_start(&smtp);
	test_harness_send_ok(&smtp, "<a@ejemplo.mx>", bare_lf);
	memset(long_mail.text, 'x', sizeof(long_mail.text));
	memcpy(long_mail.text, "Subject: largo\r\n\r\n", 18);
	memcpy(long_mail.text + sizeof(long_mail.text) - 3, "\r\n", 3);
	test_harness_send_ok(&smtp, "<a@ejemplo.mx>", long_mail.text);
	test_harness_send_ok(&smtp, "<a@ejemplo.mx>", with_pdf);
	cr_assert_eq(h_smtp_wait(&smtp, 3, 5000), 3);

	msg = h_smtp_message(&smtp, 0);
	cr_assert(json_is_false(json_object_get(msg, "headers_raw_lines_ok")),
	    "a bare LF is flagged");
	json_decref(msg);
	msg = h_smtp_message(&smtp, 1);
	cr_assert(json_is_false(json_object_get(msg, "headers_raw_lines_ok")),
	    "a line over 998 bytes is flagged");
	json_decref(msg);

	msg = h_smtp_message(&smtp, 2);
	cr_assert(json_is_true(json_object_get(msg, "headers_raw_lines_ok")));
	/* The CRLF before a boundary belongs to the boundary. */
	cr_assert_str_eq(json_string_value(json_object_get(msg, "text")),
	    "Adjunto el PAL.");
	cr_assert_eq(json_array_size(json_object_get(msg, "attachments")), 1);
	att = json_array_get(json_object_get(msg, "attachments"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(att, "filename")),
	    "pal-v1.pdf");
	cr_assert_str_eq(json_string_value(json_object_get(att,
	    "content_type")), "application/pdf");
	cr_assert_eq(json_integer_value(json_object_get(att, "size")), 9);
	cr_assert_str_eq(json_string_value(json_object_get(att,
	    "data_base64")), "JVBERi0xLjQK");
	/* sha256sum of "%PDF-1.4\n". */
	cr_assert_str_eq(json_string_value(json_object_get(att, "sha256")),
	    "e5c62df5dab5c87b6a015ef3d43597074d1eec433b15f51aec63b8582d0e4ab4");
	json_decref(msg);
	h_smtp_stop(&smtp);
}

Test(harness, smtp_rule_450_once_then_accept)
{
	struct h_smtp smtp;
	CURLcode rc;
	long code;

	h_smtp_start(&smtp);
	h_smtp_rule(&smtp, "Rechazo@Ejemplo.mx", 450, 1);
	rc = test_harness_send(&smtp, "<rechazo@ejemplo.mx>",
	    test_harness_mail, &code);
	cr_assert_neq(rc, CURLE_OK);
	cr_assert_eq(code, 450);
	cr_assert_eq(h_smtp_count(&smtp), 0);

	test_harness_send_ok(&smtp, "<rechazo@ejemplo.mx>", test_harness_mail);
	cr_assert_eq(h_smtp_wait(&smtp, 1, 5000), 1);
	cr_assert_eq(h_smtp_rcpt_attempts(&smtp, "rechazo@ejemplo.mx"), 2);
	cr_assert_eq(h_smtp_connections(&smtp), 2);
	h_smtp_stop(&smtp);
}

Test(harness, smtp_rule_550_always)
{
	struct h_smtp smtp;
	CURLcode rc;
	long code;
	int i;

	h_smtp_start(&smtp);
	h_smtp_rule(&smtp, "nunca@ejemplo.mx", 550, -1);
	for (i = 0; i < 3; i++) {
		rc = test_harness_send(&smtp, "<nunca@ejemplo.mx>",
		    test_harness_mail, &code);
		cr_assert_neq(rc, CURLE_OK);
		cr_assert_eq(code, 550);
	}
	/* Other recipients are not affected. */
	test_harness_send_ok(&smtp, "<otra@ejemplo.mx>", test_harness_mail);
	cr_assert_eq(h_smtp_wait(&smtp, 1, 5000), 1);
	cr_assert_eq(h_smtp_rcpt_attempts(&smtp, "nunca@ejemplo.mx"), 3);

	/* Removing the rule lets it through. */
	h_smtp_rule(&smtp, "nunca@ejemplo.mx", 0, 0);
	test_harness_send_ok(&smtp, "<nunca@ejemplo.mx>", test_harness_mail);
	cr_assert_eq(h_smtp_wait(&smtp, 2, 5000), 2);
	h_smtp_stop(&smtp);
}

Test(harness, smtp_rule_at_data_and_wildcard)
{
	struct h_smtp smtp;
	CURLcode rc;
	long code;

	h_smtp_start(&smtp);
	h_smtp_rule_data(&smtp, "*", 452, 1);
	rc = test_harness_send(&smtp, "<cualquiera@ejemplo.mx>",
	    test_harness_mail, &code);
	cr_assert_neq(rc, CURLE_OK);
	cr_assert_eq(code, 452);
	cr_assert_eq(h_smtp_rcpt_attempts(&smtp, "cualquiera@ejemplo.mx"), 1,
	    "the RCPT itself was accepted");
	test_harness_send_ok(&smtp, "<cualquiera@ejemplo.mx>",
	    test_harness_mail);
	cr_assert_eq(h_smtp_wait(&smtp, 1, 5000), 1);
	h_smtp_stop(&smtp);
}

Test(harness, smtp_down_then_restart_keeps_port_and_messages)
{
	struct h_smtp smtp;
	CURLcode rc;
	json_t *msg;
	long code;
	int port;

	h_smtp_start(&smtp);
	port = smtp.port;
	test_harness_send_ok(&smtp, "<a@ejemplo.mx>", test_harness_mail);
	cr_assert_eq(h_smtp_wait(&smtp, 1, 5000), 1);

	h_smtp_stop(&smtp);
	cr_assert_eq(smtp.pid, 0);
	rc = test_harness_send(&smtp, "<b@ejemplo.mx>", test_harness_mail,
	    &code);
	cr_assert_eq(rc, CURLE_COULDNT_CONNECT, "%s", curl_easy_strerror(rc));

	h_smtp_restart(&smtp);
	cr_assert_eq(smtp.port, port);
	cr_assert_eq(h_smtp_count(&smtp), 1);
	test_harness_send_ok(&smtp, "<b@ejemplo.mx>", test_harness_mail);
	cr_assert_eq(h_smtp_wait(&smtp, 2, 5000), 2);
	msg = h_smtp_message(&smtp, 1);
	cr_assert_str_eq(json_string_value(json_array_get(
	    json_object_get(msg, "rcpt_tos"), 0)), "b@ejemplo.mx");
	json_decref(msg);

	/* A restart of a running catcher works too. */
	h_smtp_restart(&smtp);
	cr_assert_eq(smtp.port, port);
	cr_assert_eq(h_smtp_find(&smtp, "b@ejemplo.mx", 0), 1);
	h_smtp_stop(&smtp);
}

Test(harness, two_catchers_in_one_test)
{
	struct h_smtp a, b;

	h_smtp_start(&a);
	h_smtp_start(&b);
	cr_assert_neq(a.port, b.port);
	cr_assert_str_neq(a.dir, b.dir);
	test_harness_send_ok(&b, "<b@ejemplo.mx>", test_harness_mail);
	cr_assert_eq(h_smtp_wait(&b, 1, 5000), 1);
	cr_assert_eq(h_smtp_count(&a), 0);
	h_smtp_stop(&a);
	/* b is left running: the harness kills it when the test ends. */
}

Test(harness, commands_capture_output_status_and_environment)
{
	static const char *const env[] = { "PALD_PRUEBA=sí", "LANG", NULL };
	static const char input[] = "línea uno\nlínea dos\n";
	struct h_run run;

	setenv("PAL_URL", "http://no.debe.verse", 1);
	setenv("PAL_TOKEN", "secreto", 1);
	run = h_cmd("sh", "-c", "echo salida; echo error >&2; exit 3");
	cr_assert_eq(run.status, 3);
	cr_assert_str_eq(run.out, "salida\n");
	cr_assert_str_eq(run.err, "error\n");
	h_run_free(&run);

	run = h_cmd("sh", "-c", "printf '%s|%s|%s' \"$HOME\" "
	    "\"${PAL_URL-sin}\" \"${PAL_TOKEN-sin}\"");
	cr_assert_str_eq(run.out, h_strf("%s|sin|sin", h_path("home")));
	h_run_free(&run);

	run = h_run_argv((const char *const[]){ "sh", "-c",
	    "printf '%s|%s' \"$PALD_PRUEBA\" \"${LANG-sin}\"", NULL }, env,
	    NULL, 0);
	cr_assert_str_eq(run.out, "sí|sin");
	h_run_free(&run);

	run = h_run_argv((const char *const[]){ "cat", NULL }, NULL, input,
	    strlen(input));
	cr_assert_eq(run.status, 0);
	cr_assert_str_eq(run.out, input);
	cr_assert_eq(run.out_len, strlen(input));
	h_run_free(&run);

	/* A child that does not read its input must not hang the test. */
	run = h_run_argv((const char *const[]){ "true", NULL }, NULL, input,
	    strlen(input));
	cr_assert_eq(run.status, 0);
	h_run_free(&run);

	run = h_cmd("sh", "-c", "kill -TERM $$");
	cr_assert_eq(run.status, 128 + 15);
	h_run_free(&run);

	run = h_cmd("/no/existe");
	cr_assert_eq(run.status, 127);
	cr_assert(strstr(run.err, "exec failed") != NULL);
	h_run_free(&run);
}

Test(harness, http_without_a_server)
{
	struct h_http resp;

	resp = h_http("GET", "http://127.0.0.1:1/healthz", NULL, NULL, NULL,
	    0);
	cr_assert_eq(resp.status, 0);
	cr_assert_neq(resp.error[0], '\0');
	cr_assert_null(h_http_json(&resp));
	h_http_free(&resp);
}

Test(harness, http_header_and_json_parsing)
{
	static char body[] = "{\"error\":{\"code\":\"no_encontrado\"}}";
	static char headers[] = "HTTP/1.1 404 Not Found\r\n"
	    "Content-Type: application/json\r\n"
	    "x-request-id:   42  \r\n"
	    "\r\n";
	struct h_http resp = { 0 };
	json_t *j;

	resp.status = 404;
	resp.body = body;
	resp.len = strlen(body);
	resp.headers = headers;
	cr_assert_str_eq(h_http_header(&resp, "X-Request-Id"), "42");
	cr_assert_str_eq(h_http_header(&resp, "content-type"),
	    "application/json");
	cr_assert_null(h_http_header(&resp, "Content"));
	cr_assert_null(h_http_header(&resp, "Location"));
	j = h_http_json(&resp);
	cr_assert_not_null(j);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(j,
	    "error"), "code")), "no_encontrado");
	json_decref(j);
}
