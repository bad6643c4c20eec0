/*
 * Schema migrations, embedded in the binary from db/migrations at build
 * time, applied in order under an advisory lock, each in one transaction,
 * and recorded in schema_migrations.
 */
#ifndef PALD_MIGRATE_H
#define PALD_MIGRATE_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "error.h"

struct migration {
	const char		*name;	/* "0001_schema" */
	const char *const	*lines;	/* NULL-terminated */
};

extern const struct migration migrations[];
extern const int migrations_count;

/* Applies what is missing; false with err if one failed (rolled back). */
bool	migrate_apply(PGconn *conn, struct error *err);

#endif
