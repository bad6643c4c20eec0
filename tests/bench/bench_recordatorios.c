/*
 * Benchmark of the reminder planner (server/reminders.c) over 1,000,000
 * activities, against DESIGN.md section 9: one pass under 2 s, a second
 * pass with nothing new under 100 ms. A standalone program, not a test:
 * it migrates an EMPTY database given by its conninfo, fills it with
 * generate_series, and times reminders_plan inside BEGIN ... COMMIT on
 * its own connection, as a scheduled pass runs it (no HTTP, no mail is
 * delivered: the outbox rows are only written).
 *
 *	make BUILD=build all
 *	cc -std=c11 -D_GNU_SOURCE -O2 -iquote common -iquote server \
 *	    -o bench_recordatorios tests/bench/bench_recordatorios.c \
 *	    tests/bench/bench.c \
 *	    build/libpald.a build/libcommon.a \
 *	    $(pkg-config --cflags --libs libevent libevent_pthreads libpq \
 *	    libcurl jansson libcrypto pangocairo) -lpthread -lm
 *	createdb bench && ./bench_recordatorios "dbname=bench" [ACTIVIDADES]
 *	./bench_recordatorios "dbname=bench" 0 pasada	# one more pass
 *
 * The data: 1,000 mesas en_seguimiento in Mexico City's zone, each with
 * a facilitator, an organismo_garante actor and 10 commitments sharing
 * its activities; deadlines spread evenly over one year, from 30 days
 * ago to 335 days ahead (the PAL signed a month ago); one in five
 * activities already cumplida. Default cadence (30, 7, 1, 0 before;
 * overdue every 7; copies from 7 and 14 days), hour 00:00.
 *
 * It times four passes:
 *   1. cold: the planner never ran, every activity is new to it (what
 *      happens once, when a database full of activities first meets it);
 *   2. again at once: nothing new;
 *   3. the next day (every deadline, stored date and recorded reminder
 *      moved one day back, which is what the cadence sees): the steady
 *      daily pass;
 *   4. again at once: nothing new.
 * Each prints a numbered line (tests/bench/run.sh reads those of passes
 * 3 and 4: keep their shape); then one line per target, with its mark.
 */
#include "reminders.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "migrate.h"

static PGconn *conn;

static void
sql(const char *q)
{
	PGresult *res = PQexec(conn, q);

	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "bench: %s\n%s\n", PQresultErrorMessage(res),
		    q);
		exit(1);
	}
	PQclear(res);
}

static long long
sql_int(const char *q)
{
	PGresult *res = PQexec(conn, q);
	long long v;

	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		fprintf(stderr, "bench: %s\n%s\n", PQresultErrorMessage(res),
		    q);
		exit(1);
	}
	v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

/* n with a dot between thousands, as Spanish writes it: "1.000.000". */
static void
miles(long long n, char *out, size_t size)
{
	char digits[32];
	size_t len, j = 0;

	len = (size_t)snprintf(digits, sizeof(digits), "%lld", n);
	for (size_t i = 0; i < len && j + 2 < size; i++) {
		if (i > 0 && (len - i) % 3 == 0 && digits[0] != '-')
			out[j++] = '.';
		out[j++] = digits[i];
	}
	out[j] = '\0';
}

/* One result line against its target. */
static void
resultado(long long n, const char *que, double ms, double meta_ms)
{
	char act[32];

	miles(n, act, sizeof(act));
	if (meta_ms >= 1000)
		printf("planificación %s actividades: %s %.2f s (meta < %.0f s)"
		    " %s\n", act, que, ms / 1e3, meta_ms / 1e3,
		    ms < meta_ms ? "✓" : "✗");
	else
		printf("planificación %s actividades: %s %.1f ms (meta < %.0f"
		    " ms) %s\n", act, que, ms, meta_ms,
		    ms < meta_ms ? "✓" : "✗");
}

/* One pass in its own transaction: its time and what it queued. */
static double
pass(const struct reminders_settings *s, long long *queued)
{
	struct error err;
	double t0 = bench_now_ms(), t;
	json_t *out;

	sql("BEGIN");
	out = reminders_plan(conn, s, &err);
	if (out == NULL) {
		fprintf(stderr, "bench: pass failed: %s\n", err.message);
		exit(1);
	}
	sql("COMMIT");
	t = bench_now_ms() - t0;
	*queued = json_integer_value(json_object_get(out, "planificados"));
	json_decref(out);
	return t;
}

int
main(int argc, char **argv)
{
	static struct config config;
	struct reminders_settings s;
	struct error err;
	long long n = 1000000, q;
	char q_sql[2048];
	double t, t2, t3, t4;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_recordatorios CONNINFO "
		    "[ACTIVIDADES [pasada]]\n");
		return 2;
	}
	if (argc > 2)
		n = strtoll(argv[2], NULL, 10);
	config_init(&config);
	config_live = &config;
	/* BENCH_DEBUG=1 shows the time of each step of a pass. */
	if (getenv("BENCH_DEBUG") != NULL)
		log_level_min = LG_DEBUG;
	free(config.recordatorio_hora);
	config.recordatorio_hora = strdup("00:00");
	free(config.public_url);
	config.public_url = strdup("https://pald.ejemplo.mx");
	reminders_settings_load(&s);

	if ((conn = db_connect(argv[1], 10, &err)) == NULL) {
		fprintf(stderr, "bench: %s\n", err.message);
		return 1;
	}
	if (argc > 3 && strcmp(argv[3], "pasada") == 0) {
		/* Only one more pass over what is there, to look at it. */
		t = pass(&s, &q);
		printf("pasada: %.1f ms, %lld recordatorios\n", t, q);
		PQfinish(conn);
		config_cleanup(&config);
		return 0;
	}
	if (sql_int("SELECT count(*) FROM pg_tables WHERE schemaname = "
	    "'public'") != 0) {
		fprintf(stderr, "bench: the database must be empty\n");
		return 1;
	}
	if (!migrate_apply(conn, &err)) {
		fprintf(stderr, "bench: %s\n", err.message);
		return 1;
	}

	t = bench_now_ms();
	sql("INSERT INTO usuarios (nombre, email, rol) VALUES"
	    " ('Fernanda Facilitadora', 'fac@ejemplo.mx', 'facilitador')");
	sql("INSERT INTO mesas (id, titulo, entidad, fase, facilitador_id,"
	    " fecha, hora, lugar)"
	    " SELECT i, 'Mesa de diálogo ' || i, 'Oaxaca', 'en_seguimiento', 1,"
	    "  current_date - 60, '10:00', 'Sala de cabildo'"
	    " FROM generate_series(1, 1000) AS i");
	sql("INSERT INTO actores (mesa_id, nombre, email, sector)"
	    " SELECT i, 'Garante ' || i, 'garante' || i || '@iaip.mx',"
	    "  'organismo_garante' FROM generate_series(1, 1000) AS i");
	sql("INSERT INTO compromisos (id, mesa_id, numero, titulo, tipo,"
	    " inicio, fin)"
	    " SELECT (m - 1) * 10 + c, m, c, 'Compromiso ' || c, 'local',"
	    "  current_date - 30,"
	    "  (current_date - 30 + interval '1 year' - interval '1 day')::date"
	    " FROM generate_series(1, 1000) AS m, generate_series(1, 10) AS c");
	snprintf(q_sql, sizeof(q_sql),
	    "INSERT INTO actividades (mesa_id, compromiso_id, numero,"
	    " descripcion, responsable_nombre, responsable_email,"
	    " fecha_limite, estado, avance, cumplimiento)"
	    " SELECT (i %% 1000) + 1, (i %% 1000) * 10 + (i / 1000) %% 10 + 1,"
	    "  i / 10000 + 1,"
	    "  'Publicar en formato abierto los contratos del trimestre ' || i,"
	    "  'Responsable ' || i, 'resp' || i || '@mun.gob.mx',"
	    "  (now() AT TIME ZONE 'America/Mexico_City')::date - 30"
	    "   + (i::bigint * 7919 %% 365)::int,"
	    "  CASE WHEN i %% 5 = 0 THEN 'cumplida' ELSE 'pendiente' END,"
	    "  CASE WHEN i %% 5 = 0 THEN 100 ELSE 0 END,"
	    "  CASE WHEN i %% 5 = 0 THEN now() END"
	    " FROM generate_series(0, %lld) AS i", n - 1);
	sql(q_sql);
	sql("SELECT setval('mesas_id_seq', 1000)");
	sql("SELECT setval('compromisos_id_seq', 10000)");
	sql("VACUUM ANALYZE");
	sql("CHECKPOINT");
	printf("datos: %lld actividades en 1000 mesas, generadas en %.1f s\n",
	    sql_int("SELECT count(*) FROM actividades"),
	    (bench_now_ms() - t) / 1e3);

	t = pass(&s, &q);
	printf("1. primera pasada (todo nuevo): %.0f ms, %lld recordatorios\n",
	    t, q);
	t2 = pass(&s, &q);
	printf("2. segunda pasada: %.1f ms, %lld recordatorios\n", t2, q);

	/* The next day, as the cadence sees it. */
	sql("ALTER TABLE actividades DISABLE TRIGGER actividades_replanificar");
	sql("UPDATE actividades SET fecha_limite = fecha_limite - 1");
	sql("ALTER TABLE actividades ENABLE TRIGGER actividades_replanificar");
	sql("UPDATE recordatorios_proximos SET fecha_limite = fecha_limite - 1,"
	    " proximo = CASE WHEN proximo = '-infinity' THEN proximo"
	    " ELSE proximo - 1 END");
	sql("UPDATE recordatorios SET fecha = fecha - 1");
	sql("VACUUM ANALYZE");
	/*
	 * Moving a day rewrites every activity: the checkpoint it triggers
	 * would otherwise write those pages back during the timed pass, which
	 * a real day does not follow.
	 */
	sql("CHECKPOINT");
	t3 = pass(&s, &q);
	printf("3. al día siguiente: %.0f ms, %lld recordatorios\n", t3, q);
	t4 = pass(&s, &q);
	printf("4. de nuevo: %.1f ms, %lld recordatorios\n", t4, q);
	resultado(n, "pasada diaria", t3, 2000);
	resultado(n, "otra pasada sin nada nuevo", t4, 100);
	resultado(n, "tras la primera pasada, otra sin nada nuevo", t2, 100);

	PQfinish(conn);
	config_cleanup(&config);
	return 0;
}
