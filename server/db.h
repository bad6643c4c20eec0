/*
 * Thin helpers over libpq for the code that runs on a DB worker or on the
 * mailer thread with a blocking PGconn. Always parameterised. On failure
 * they fill err: 503 "base_no_disponible" when the connection is lost,
 * 409 "duplicado" for a unique violation, 422 "dato_invalido" for a check
 * or foreign-key violation, 500 "error_interno" otherwise (the SQL error is
 * logged, never shown).
 */
#ifndef PALD_DB_H
#define PALD_DB_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "error.h"

struct buf;

/*
 * Runs sql with text parameters (values[i] may be NULL for SQL NULL).
 * Returns an owned result (PQclear) of status COMMAND_OK or TUPLES_OK, or
 * NULL with err filled.
 */
PGresult *db_exec(PGconn *conn, struct error *err, const char *sql,
	    int nparams, const char *const *values);
/* The same with lengths and formats (1 = binary, for bytea). */
PGresult *db_exec_bin(PGconn *conn, struct error *err, const char *sql,
	    int nparams, const char *const *values, const int *lengths,
	    const int *formats);
/*
 * A statement of a hot path (every authenticated request, every request
 * on a mesa), where PostgreSQL's parse and plan cost more than running
 * it: declare one static per call site, with a name no other uses.
 */
struct db_prepared {
	const char	*name;
	const char	*sql;
};
/*
 * db_exec of st->sql, as a statement prepared on conn the first time it
 * runs there between transactions (a failed PREPARE would abort a
 * transaction); until then, and if preparing fails, as db_exec does.
 */
PGresult *db_exec_prepared(PGconn *conn, struct error *err,
	    const struct db_prepared *st, int nparams,
	    const char *const *values);
/* Runs a statement and discards its result. */
bool	db_command(PGconn *conn, struct error *err, const char *sql,
	    int nparams, const char *const *values);
/*
 * Appends one element of a PostgreSQL array literal ("{...}", sent as a
 * text parameter and cast to text[] or bigint[]) to b: s (borrowed)
 * between double quotes with a backslash before each '"' and '\\', the
 * only bytes array input treats specially inside quotes; or NULL, bare,
 * when s is NULL. Braces and commas are the caller's.
 */
void	db_array_str(struct buf *b, const char *s);
/* Connects with conninfo; NULL with err (503) if it could not. */
PGconn	*db_connect(const char *conninfo, int timeout_s, struct error *err);
/* True if the connection is usable. */
bool	db_ok(PGconn *conn);

#endif
