/*
 * Benchmark of outbox delivery (server/outbox.c and server/mailer.c)
 * against DESIGN.md section 9: at least 200 messages/s to a local SMTP
 * server with connection reuse. It migrates an EMPTY database given by
 * its conninfo, queues N messages (2,000 by default) in one transaction
 * with outbox_enqueue, as handlers do, then starts the real mailer
 * threads against SMTP_URL and times the drain: from mailer_start until
 * every message is enviado or fallido. A standalone program, not a test:
 *
 *	make BUILD=build all
 *	cc -std=c11 -D_GNU_SOURCE -O2 -iquote common -iquote server \
 *	    -o bench_outbox tests/bench/bench_outbox.c tests/bench/bench.c \
 *	    build/libpald.a build/libcommon.a \
 *	    $(pkg-config --cflags --libs libevent libevent_pthreads libpq \
 *	    libcurl jansson libcrypto pangocairo) -lpthread -lm
 *	/usr/bin/python3 -m aiosmtpd -n -l 127.0.0.1:2525 >/dev/null &
 *	createdb bench && ./bench_outbox "dbname=bench" \
 *	    smtp://127.0.0.1:2525 [MENSAJES [HILOS]]
 *
 * HILOS is mail_threads (default 1, pald's default). The mailer logs
 * one line per message on stderr, as in pald: send it to a file. What it
 * does not measure: the planner or the handlers that queue mail (see
 * bench_recordatorios), TLS or AUTH, a relay across a network.
 */
#include "mailer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "bench.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "migrate.h"
#include "outbox.h"

/* Give up on a drain that takes longer than this. */
#define DRAIN_TIMEOUT_S	300

static void
sql(PGconn *conn, const char *q)
{
	struct error err;

	if (!db_command(conn, &err, q, 0, NULL)) {
		fprintf(stderr, "bench_outbox: %s\n%s\n", err.message, q);
		exit(1);
	}
}

static long long
sql_int(PGconn *conn, const char *q)
{
	struct error err;
	PGresult *res = db_exec(conn, &err, q, 0, NULL);
	long long v;

	if (res == NULL || PQntuples(res) != 1) {
		fprintf(stderr, "bench_outbox: %s\n%s\n",
		    res == NULL ? err.message : "not one row", q);
		exit(1);
	}
	v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

/* A reminder-sized body: about 1.2 KB of Spanish text. */
static void
body_text(struct buf *b, int i)
{
	buf_printf(b, "Estimada persona responsable %d:\n\n", i);
	for (int k = 0; k < 6; k++)
		buf_puts(b, "Le recordamos que la actividad «Publicar en "
		    "formato abierto los contratos del trimestre» del Plan "
		    "de Acción Local vence en 7 días. Registre su avance con "
		    "el enlace personal de este correo.\n");
	buf_puts(b, "\nSecretariado Técnico Local\n");
}

int
main(int argc, char **argv)
{
	static struct config config;
	struct mailer_stats st;
	struct error err;
	struct buf text;
	char addr[64], name[64], subject[128];
	double t0, t_enq, t_drain;
	long long id, enviados;
	PGconn *conn;
	int n = 2000, threads = 1;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "uso: bench_outbox CONNINFO SMTP_URL "
		    "[MENSAJES [HILOS]]\n");
		return 2;
	}
	if (argc > 3)
		n = atoi(argv[3]);
	if (argc > 4)
		threads = atoi(argv[4]);
	if (n < 1 || threads < 1 || threads > 16) {
		fprintf(stderr, "bench_outbox: MENSAJES >= 1, HILOS de 1 a "
		    "16\n");
		return 2;
	}
	config_init(&config);
	config_live = &config;
	free(config.database);
	config.database = strdup(argv[1]);
	free(config.smtp_url);
	config.smtp_url = strdup(argv[2]);
	free(config.public_url);
	config.public_url = strdup("https://pald.ejemplo.mx");
	config.mail_threads = threads;
	/* Before any thread: curl_global_init is not thread-safe. */
	curl_global_init(CURL_GLOBAL_DEFAULT);

	if ((conn = db_connect(argv[1], 10, &err)) == NULL) {
		fprintf(stderr, "bench_outbox: %s\n", err.message);
		return 1;
	}
	if (sql_int(conn, "SELECT count(*) FROM pg_tables WHERE schemaname"
	    " = 'public'") != 0) {
		fprintf(stderr, "bench_outbox: the database must be empty\n");
		return 1;
	}
	if (!migrate_apply(conn, &err)) {
		fprintf(stderr, "bench_outbox: %s\n", err.message);
		return 1;
	}

	t0 = bench_now_ms();
	sql(conn, "BEGIN");
	buf_init(&text);
	for (int i = 0; i < n; i++) {
		struct outbox_mail m = { 0 };

		snprintf(addr, sizeof(addr), "resp%d@municipio.gob.mx", i);
		snprintf(name, sizeof(name), "Responsable Núñez %d", i);
		snprintf(subject, sizeof(subject), "Recordatorio: la actividad "
		    "%d vence en 7 días", i);
		buf_reset(&text);
		body_text(&text, i);
		m.tipo = "prueba";
		m.to_name = name;
		m.to_addr = addr;
		m.subject = subject;
		m.text = text.data;
		if (!outbox_enqueue(conn, &m, &id, NULL, &err)) {
			fprintf(stderr, "bench_outbox: %s\n", err.message);
			return 1;
		}
	}
	sql(conn, "COMMIT");
	buf_cleanup(&text);
	t_enq = bench_now_ms() - t0;

	t0 = bench_now_ms();
	if (!mailer_start(&err)) {
		fprintf(stderr, "bench_outbox: %s\n", err.message);
		return 1;
	}
	mailer_wake();
	for (;;) {
		struct timespec pause = { 0, 2000000 };

		mailer_get_stats(&st);
		if (st.sent_here + st.failed_here >= n)
			break;
		if (bench_now_ms() - t0 > DRAIN_TIMEOUT_S * 1e3) {
			fprintf(stderr, "bench_outbox: %lld of %d delivered "
			    "after %d s\n", st.sent_here, n, DRAIN_TIMEOUT_S);
			return 1;
		}
		nanosleep(&pause, NULL);
	}
	t_drain = bench_now_ms() - t0;
	mailer_stop();

	enviados = sql_int(conn, "SELECT count(*) FROM outbox"
	    " WHERE estado = 'enviado'");
	printf("outbox: %d mensajes encolados en %.0f ms; entregados %lld "
	    "(fallidos %lld, reintentos %lld) en %.0f ms: %.0f msg/s "
	    "(%d hilo%s)\n", n, t_enq, enviados, st.failed_here,
	    st.retried_here, t_drain, (double)enviados * 1e3 / t_drain,
	    threads, threads == 1 ? "" : "s");
	PQfinish(conn);
	curl_global_cleanup();
	config_cleanup(&config);
	return enviados == n ? 0 : 1;
}
