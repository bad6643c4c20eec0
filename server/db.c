/*
 * libpq helpers shared by the DB workers, the mailer and startup. They map
 * PostgreSQL failures to struct error so handlers can answer with the
 * right status. They do not retry or reconnect: the caller owns the
 * connection and decides (see dbpool.c and mailer.c).
 */
#include "db.h"

#include <stdio.h>
#include <string.h>

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

PGresult *
db_exec_bin(PGconn *conn, struct error *err, const char *sql, int nparams,
    const char *const *values, const int *lengths, const int *formats)
{
	PGresult *res;
	ExecStatusType st;

	res = PQexecParams(conn, sql, nparams, NULL, values, lengths, formats,
	    0);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	db_fill_error(conn, res, err);
	PQclear(res);
	return NULL;
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
