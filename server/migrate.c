/*
 * Applies the embedded migrations. Several pald may start at once against
 * one database, so the whole check-and-apply runs under a session advisory
 * lock; each migration and its schema_migrations row commit together. It
 * never rolls a migration back: a failed one leaves the schema as it was.
 */
#include "migrate.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "log.h"

/* An arbitrary key, "PALD" in ASCII, shared by every pald. */
#define MIGRATE_LOCK_KEY "1346456644"

static bool
migrate_one(PGconn *conn, const struct migration *m, struct error *err)
{
	struct buf sql;
	const char *params[1] = { m->name };
	bool ok = false;

	buf_init(&sql);
	for (const char *const *l = m->lines; *l != NULL; l++)
		buf_puts(&sql, *l);
	if (!db_command(conn, err, "BEGIN", 0, NULL))
		goto out;
	/* Multiple statements: PQexec, which takes no parameters. */
	{
		PGresult *res = PQexec(conn, sql.data);

		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    PQresultStatus(res) != PGRES_TUPLES_OK) {
			log_error("migration %s failed: %s", m->name,
			    PQresultErrorMessage(res));
			error_set(err, 500, "migracion_fallida",
			    "la migración %s falló: %s", m->name,
			    PQresultErrorMessage(res));
			PQclear(res);
			PQclear(PQexec(conn, "ROLLBACK"));
			goto out;
		}
		PQclear(res);
	}
	if (!db_command(conn, err,
	    "INSERT INTO schema_migrations (nombre) VALUES ($1)", 1, params) ||
	    !db_command(conn, err, "COMMIT", 0, NULL)) {
		PQclear(PQexec(conn, "ROLLBACK"));
		goto out;
	}
	log_info("applied migration %s", m->name);
	ok = true;
out:
	buf_cleanup(&sql);
	return ok;
}

bool
migrate_apply(PGconn *conn, struct error *err)
{
	const char *lock[1] = { MIGRATE_LOCK_KEY };
	PGresult *res = NULL;
	bool ok = false;

	if (!db_command(conn, err, "SELECT pg_advisory_lock($1::bigint)", 1,
	    lock))
		return false;
	/*
	 * Only when missing: PostgreSQL checks CREATE on the schema before
	 * it sees that the table exists, and the runtime role of
	 * deploy/pald-db-role.sql has no CREATE; it must still start on a
	 * database its owner migrated.
	 */
	if (!db_command(conn, err,
	    "DO $$ BEGIN IF to_regclass('schema_migrations') IS NULL THEN"
	    " CREATE TABLE schema_migrations ("
	    " nombre text PRIMARY KEY,"
	    " aplicada timestamptz NOT NULL DEFAULT now());"
	    " END IF; END $$", 0, NULL))
		goto out;
	res = db_exec(conn, err, "SELECT nombre FROM schema_migrations", 0,
	    NULL);
	if (res == NULL)
		goto out;
	for (int i = 0; i < migrations_count; i++) {
		bool done = false;

		for (int r = 0; r < PQntuples(res) && !done; r++)
			done = strcmp(PQgetvalue(res, r, 0),
			    migrations[i].name) == 0;
		if (!done && !migrate_one(conn, &migrations[i], err))
			goto out;
	}
	ok = true;
out:
	PQclear(res);
	PQclear(PQexec(conn, "SELECT pg_advisory_unlock(1346456644)"));
	return ok;
}
