/*
 * Mail from end to end: `pal correo probar` enqueues through the API, the
 * mailer delivers to a real SMTP server, and the message is parsed back
 * from the exact bytes the server stored. Then the failure modes: a 4xx
 * retried, a 5xx failed with its reason, the server down then back, and
 * two daemons on one database sending each message once.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "escenario.h"
#include "harness.h"

static struct h_db db;
static struct h_smtp smtp;
static struct h_pald pald;
static char admin[80];

static void
setup(void)
{
	esc_setup(&db, &smtp, &pald, NULL, admin, sizeof(admin));
}

TestSuite(correo, .init = setup, .fini = esc_teardown, .timeout = 60);

static const char *
estado_of(const char *rcpt)
{
	return h_db_query_str(&db,
	    "SELECT estado FROM outbox WHERE destinatario = $1", rcpt);
}

Test(correo, test_message_arrives_intact_with_attachment)
{
	/* Bytes that survive only a correct base64 round trip. */
	unsigned char data[3000];
	const char *hex;
	const char *path = h_path("informe de diagnóstico.pdf");
	struct h_run run;
	json_t *msg, *att;
	char *raw;
	size_t rawlen;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 3);
	h_write_file(path, data, sizeof(data));
	hex = esc_sha256_hex(data, sizeof(data));

	run = h_pal(&pald, admin, "correo", "probar", "ana@ejemplo.mx",
	    "--adjunto", path);
	cr_assert_eq(run.status, 0, "pal: %s%s", run.out, run.err);
	cr_assert(strstr(run.out, "ana@ejemplo.mx") != NULL, "%s", run.out);
	h_run_free(&run);

	cr_assert_eq(h_smtp_wait(&smtp, 1, 10000), 1);
	msg = h_smtp_message(&smtp, 0);
	cr_assert_str_eq(json_string_value(json_object_get(msg, "subject")),
	    "Prueba de correo: Plan de Acción Local");
	cr_assert(strstr(json_string_value(json_object_get(msg, "from")),
	    "Plan de Acción Local") != NULL);
	cr_assert(strstr(json_string_value(json_object_get(msg, "text")),
	    "configuración del correo funciona") != NULL);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(msg,
	    "rcpt_tos"), 0)), "ana@ejemplo.mx");
	cr_assert_str_eq(json_string_value(json_object_get(msg, "mail_from")),
	    "pald@localhost");
	cr_assert(json_is_true(json_object_get(msg, "headers_raw_lines_ok")));
	cr_assert(json_is_true(json_object_get(msg, "raw_7bit")));
	cr_assert_not_null(h_smtp_header(msg, "date"));
	att = json_array_get(json_object_get(msg, "attachments"), 0);
	cr_assert_not_null(att);
	cr_assert_str_eq(json_string_value(json_object_get(att, "filename")),
	    "informe de diagnóstico.pdf");
	cr_assert_str_eq(json_string_value(json_object_get(att,
	    "content_type")), "application/pdf");
	cr_assert_str_eq(json_string_value(json_object_get(att, "sha256")),
	    hex);

	/* The Message-ID fixed at enqueue is the one that arrived. */
	cr_assert_str_eq(json_string_value(json_object_get(msg, "message_id")),
	    h_db_query_str(&db, "SELECT message_id FROM outbox"));
	cr_assert_str_eq(estado_of("ana@ejemplo.mx"), "enviado");
	raw = h_smtp_raw(&smtp, 0, &rawlen);
	cr_assert(strstr(raw, "Subject: =?UTF-8?") != NULL, "subject not "
	    "encoded");
	free(raw);
	json_decref(msg);

	/* pal correo listar shows it as sent, with the server's reply. */
	run = h_pal(&pald, admin, "correo", "listar");
	cr_assert_eq(run.status, 0);
	cr_assert(strstr(run.out, "ana@ejemplo.mx") != NULL, "%s", run.out);
	cr_assert(strstr(run.out, "enviado") != NULL, "%s", run.out);
	h_run_free(&run);
}

Test(correo, bad_address_is_refused_and_nothing_queued)
{
	struct h_run run = h_pal(&pald, admin, "correo", "probar",
	    "ana@ejemplo.mx\r\nRCPT TO:<x@y.mx>");

	cr_assert_eq(run.status, 2, "%s%s", run.out, run.err);
	cr_assert(strstr(run.err, "email_invalido") != NULL, "%s", run.err);
	h_run_free(&run);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM outbox"), 0);
}

Test(correo, temporary_failure_is_retried_then_delivered)
{
	struct h_run run;

	h_smtp_rule(&smtp, "lento@ejemplo.mx", 451, 1);
	run = h_pal(&pald, admin, "correo", "probar", "lento@ejemplo.mx");
	cr_assert_eq(run.status, 0, "%s", run.err);
	h_run_free(&run);
	/* mail_retry_base_s = 1 in the harness: the retry comes soon. */
	cr_assert_eq(h_smtp_wait(&smtp, 1, 15000), 1);
	cr_assert_eq(h_db_wait_int(&db, 5000, 1,
	    "SELECT count(*) FROM outbox WHERE estado = 'enviado'"), 1);
	cr_assert_eq(h_db_query_int(&db, "SELECT intentos FROM outbox"), 2);
	cr_assert_eq(h_smtp_rcpt_attempts(&smtp, "lento@ejemplo.mx"), 2);
}

Test(correo, permanent_failure_is_marked_failed_with_reason)
{
	struct h_run run;

	h_smtp_rule(&smtp, "nadie@ejemplo.mx", 550, -1);
	run = h_pal(&pald, admin, "correo", "probar", "nadie@ejemplo.mx");
	cr_assert_eq(run.status, 0, "%s", run.err);
	h_run_free(&run);
	cr_assert_eq(h_db_wait_int(&db, 10000, 1,
	    "SELECT count(*) FROM outbox WHERE estado = 'fallido'"), 1);
	cr_assert_eq(h_db_query_int(&db, "SELECT ultimo_codigo FROM outbox"),
	    550);
	cr_assert(strstr(h_db_query_str(&db,
	    "SELECT ultima_respuesta FROM outbox"), "550") != NULL);
	cr_assert_eq(h_smtp_rcpt_attempts(&smtp, "nadie@ejemplo.mx"), 1);
	cr_assert_eq(h_smtp_count(&smtp), 0);

	run = h_pal(&pald, admin, "correo", "listar", "--estado", "fallido");
	cr_assert_eq(run.status, 0);
	cr_assert(strstr(run.out, "nadie@ejemplo.mx") != NULL, "%s", run.out);
	h_run_free(&run);
}

Test(correo, server_down_then_up_delivers_everything)
{
	struct h_run run;
	char addr[64];

	h_smtp_stop(&smtp);
	for (int i = 0; i < 5; i++) {
		snprintf(addr, sizeof(addr), "espera%d@ejemplo.mx", i);
		run = h_pal(&pald, admin, "correo", "probar", addr);
		cr_assert_eq(run.status, 0, "%s", run.err);
		h_run_free(&run);
	}
	/* Every message fails at least once against the closed port. */
	cr_assert_eq(h_db_wait_int(&db, 10000, 5,
	    "SELECT count(*) FROM outbox WHERE intentos >= 1"), 5);
	cr_assert_eq(h_db_query_int(&db,
	    "SELECT count(*) FROM outbox WHERE estado = 'pendiente'"), 5);
	h_smtp_restart(&smtp);
	cr_assert_eq(h_smtp_wait(&smtp, 5, 20000), 5);
	cr_assert_eq(h_db_wait_int(&db, 5000, 5,
	    "SELECT count(*) FROM outbox WHERE estado = 'enviado'"), 5);
	for (int i = 0; i < 5; i++) {
		snprintf(addr, sizeof(addr), "espera%d@ejemplo.mx", i);
		cr_assert_geq(h_smtp_find(&smtp, addr, 0), 0, "%s missing",
		    addr);
	}
}

Test(correo, two_daemons_send_each_message_once)
{
	struct h_pald second;
	struct h_run run;
	char addr[64];
	const int n = 40;

	/* Queue first with delivery stopped, then let both race for it. */
	h_pald_stop(&pald);
	h_pald_start(&pald, &db, &smtp, "mail_threads = 0\n");
	for (int i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "r%02d@ejemplo.mx", i);
		run = h_pal(&pald, admin, "correo", "probar", addr);
		cr_assert_eq(run.status, 0, "%s", run.err);
		h_run_free(&run);
	}
	h_pald_stop(&pald);
	h_pald_start(&pald, &db, &smtp, "mail_threads = 2\nmail_batch = 3\n");
	h_pald_start(&second, &db, &smtp,
	    "mail_threads = 2\nmail_batch = 3\n");
	cr_assert_eq(h_db_wait_int(&db, 20000, n,
	    "SELECT count(*) FROM outbox WHERE estado = 'enviado'"), n);
	h_sleep_ms(300);
	cr_assert_eq(h_smtp_count(&smtp), n);
	for (int i = 0; i < n; i++) {
		snprintf(addr, sizeof(addr), "r%02d@ejemplo.mx", i);
		cr_assert_eq(h_smtp_rcpt_attempts(&smtp, addr), 1,
		    "%s sent more than once", addr);
	}
	h_pald_stop(&second);
}
