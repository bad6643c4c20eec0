/*
 * libpq helpers shared by the DB workers, the mailer and startup. They map
 * PostgreSQL failures to struct error so handlers can answer with the
 * right status, and quote the elements of the array literals that batch
 * many rows into one statement. They do not retry or reconnect: the
 * caller owns the connection and decides (see dbpool.c and mailer.c).
 */
#include "db.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "log.h"

/* SQLSTATE classes and codes we answer differently. */
#define SQLSTATE_UNIQUE		"23505"
#define SQLSTATE_FOREIGN_KEY	"23503"
#define SQLSTATE_CHECK		"23514"
#define SQLSTATE_NOT_NULL	"23502"
#define SQLSTATE_CLASS_CONN	"08"
#define SQLSTATE_ADMIN_SHUTDOWN	"57P01"
#define SQLSTATE_CANNOT_CONNECT	"57P03"
#define SQLSTATE_DEADLOCK	"40P01"
#define SQLSTATE_SERIALIZATION	"40001"
#define SQLSTATE_LOCK_TIMEOUT	"55P03"
#define SQLSTATE_CANCELED	"57014"
#define SQLSTATE_DUPLICATE_PREPARED "42P05"

static void
db_fill_error(PGconn *conn, const PGresult *res, struct error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
	    : NULL;
	/*
	 * The primary message only: DETAIL and "failing row contains" carry
	 * the row's values (names, emails), which never go to the logs.
	 */
	const char *msg = res ? PQresultErrorField(res,
	    PG_DIAG_MESSAGE_PRIMARY) : PQerrorMessage(conn);

	if (msg == NULL)
		msg = "(no message)";
	if (PQstatus(conn) != CONNECTION_OK || state == NULL ||
	    strncmp(state, SQLSTATE_CLASS_CONN, 2) == 0 ||
	    strcmp(state, SQLSTATE_ADMIN_SHUTDOWN) == 0 ||
	    strcmp(state, SQLSTATE_CANNOT_CONNECT) == 0) {
		log_warn("database unavailable: %s", msg);
		error_set(err, 503, "base_no_disponible",
		    "La base de datos no está disponible; intente de nuevo "
		    "en unos momentos.");
		return;
	}
	if (strcmp(state, SQLSTATE_DEADLOCK) == 0 ||
	    strcmp(state, SQLSTATE_SERIALIZATION) == 0 ||
	    strcmp(state, SQLSTATE_LOCK_TIMEOUT) == 0 ||
	    strcmp(state, SQLSTATE_CANCELED) == 0) {
		log_warn("query gave up (%s): %s", state, msg);
		error_set(err, 503, "ocupado", "La operación chocó con otra "
		    "en curso o tardó demasiado; intente de nuevo.");
		return;
	}
	if (strcmp(state, SQLSTATE_UNIQUE) == 0) {
		log_info("unique violation: %s", msg);
		error_set(err, 409, "duplicado",
		    "Ya existe un registro con esos datos.");
		return;
	}
	if (strcmp(state, SQLSTATE_FOREIGN_KEY) == 0 ||
	    strcmp(state, SQLSTATE_CHECK) == 0 ||
	    strcmp(state, SQLSTATE_NOT_NULL) == 0) {
		log_info("constraint violation %s: %s", state, msg);
		error_set(err, 422, "dato_invalido",
		    "Los datos no cumplen las reglas del registro.");
		return;
	}
	log_error("query failed (%s): %s", state, msg);
	error_set(err, 500, "error_interno",
	    "Error interno del servidor; quedó registrado en la bitácora.");
}

/* res (owned) if it succeeded; otherwise NULL, err filled, res freed. */
static PGresult *
db_result(PGconn *conn, PGresult *res, struct error *err)
{
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	db_fill_error(conn, res, err);
	PQclear(res);
	return NULL;
}

PGresult *
db_exec_bin(PGconn *conn, struct error *err, const char *sql, int nparams,
    const char *const *values, const int *lengths, const int *formats)
{
	return db_result(conn, PQexecParams(conn, sql, nparams, NULL, values,
	    lengths, formats, 0), err);
}

/*
 * The statements this thread prepared, on which connection and server
 * process: a thread that reconnects may get a PGconn at the same address,
 * never with the same backend. A connection is used by one thread at a
 * time (dbpool.c), and a worker keeps its own, so thread-local state is
 * enough; a thread that alternates connections prepares again, and
 * "already exists" counts as prepared.
 */
#define DB_PREPARED_MAX	16
static _Thread_local PGconn *db_prepared_conn;
static _Thread_local int db_prepared_pid;
static _Thread_local const struct db_prepared
    *db_prepared_done[DB_PREPARED_MAX];
static _Thread_local int db_prepared_n;

/* Prepares st on conn unless it is already; false if it is not. */
static bool
db_prepare_once(PGconn *conn, const struct db_prepared *st)
{
	int pid = PQbackendPID(conn);
	const char *state;
	PGresult *res;
	bool ok;

	if (db_prepared_conn != conn || db_prepared_pid != pid) {
		db_prepared_conn = conn;
		db_prepared_pid = pid;
		db_prepared_n = 0;
	}
	for (int i = 0; i < db_prepared_n; i++)
		if (db_prepared_done[i] == st)
			return true;
	if (db_prepared_n == DB_PREPARED_MAX ||
	    PQtransactionStatus(conn) != PQTRANS_IDLE)
		return false;
	res = PQprepare(conn, st->name, st->sql, 0, NULL);
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK || (state != NULL &&
	    strcmp(state, SQLSTATE_DUPLICATE_PREPARED) == 0);
	PQclear(res);
	if (ok)
		db_prepared_done[db_prepared_n++] = st;
	return ok;
}

PGresult *
db_exec_prepared(PGconn *conn, struct error *err,
    const struct db_prepared *st, int nparams, const char *const *values)
{
	PGresult *res;

	if (!db_prepare_once(conn, st))
		return db_exec(conn, err, st->sql, nparams, values);
	res = db_result(conn, PQexecPrepared(conn, st->name, nparams, values,
	    NULL, NULL, 0), err);
	/* The connection may be gone: check it again next time. */
	if (res == NULL)
		db_prepared_conn = NULL;
	return res;
}

PGresult *
db_exec(PGconn *conn, struct error *err, const char *sql, int nparams,
    const char *const *values)
{
	return db_exec_bin(conn, err, sql, nparams, values, NULL, NULL);
}

bool
db_command(PGconn *conn, struct error *err, const char *sql, int nparams,
    const char *const *values)
{
	PGresult *res = db_exec(conn, err, sql, nparams, values);

	if (res == NULL)
		return false;
	PQclear(res);
	return true;
}

/* Server notices ("relation already exists, skipping") are debug noise. */
static void
db_notice_cb(void *arg, const char *message)
{
	(void)arg;
	log_debug("postgres: %.*s", (int)strcspn(message, "\n"), message);
}

PGconn *
db_connect(const char *conninfo, int timeout_s, struct error *err)
{
	/*
	 * conninfo is expanded by libpq (key=value or a postgresql:// URI);
	 * the later keys add a connect timeout, so a worker cannot hang on a
	 * server that does not answer, and a name that makes our sessions
	 * easy to find in pg_stat_activity.
	 */
	const char *keys[] = { "dbname", "connect_timeout", "application_name",
	    "options", NULL };
	char timeout[16];
	/*
	 * A session stuck while holding a mesa's row lock must not stall
	 * every writer of that mesa: waits and statements are bounded, and
	 * an abandoned transaction is ended by the server.
	 */
	const char *values[] = { conninfo, timeout, "pald",
	    "-c lock_timeout=10000 -c statement_timeout=120000"
	    " -c idle_in_transaction_session_timeout=60000", NULL };
	PGconn *conn;

	snprintf(timeout, sizeof(timeout), "%d", timeout_s);
	conn = PQconnectdbParams(keys, values, 1);
	if (PQstatus(conn) != CONNECTION_OK) {
		log_warn("could not connect to database: %s",
		    PQerrorMessage(conn));
		error_set(err, 503, "base_no_disponible",
		    "La base de datos no está disponible; intente de nuevo "
		    "en unos momentos.");
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, db_notice_cb, NULL);
	/* Timestamps in replies are rendered in UTC by the queries. */
	PQclear(PQexec(conn, "SET TIME ZONE 'UTC'"));
	return conn;
}

bool
db_ok(PGconn *conn)
{
	return conn != NULL && PQstatus(conn) == CONNECTION_OK;
}

/*
 * The runs between quotes and backslashes are copied whole: a reminder
 * pass writes megabytes of events' JSON this way.
 */
void
db_array_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_puts(b, "NULL");
		return;
	}
	buf_putc(b, '"');
	for (;;) {
		size_t run = strcspn(s, "\"\\");

		buf_append(b, s, run);
		s += run;
		if (*s == '\0')
			break;
		buf_putc(b, '\\');
		buf_putc(b, *s++);
	}
	buf_putc(b, '"');
}
