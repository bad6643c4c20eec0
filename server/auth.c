/*
 * Token authentication. Tokens are stored only as SHA-256 hashes, so the
 * look-up is an indexed equality on the hash: the database never sees the
 * token itself and no timing of ours depends on its bytes. It does not
 * cache: a revoked token stops working on the next request, on every pald.
 * The look-up runs on every authenticated request, so it is a prepared
 * statement on each worker's connection: parsing and planning it every
 * time cost more than running it (make bench, docs/BENCHMARKS.md).
 */
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "router.h"

/* The look-up, prepared on each worker's connection (db.c). */
static const struct db_prepared auth_lookup_stmt = {
	"pald_auth",
	"SELECT u.id, u.rol, u.nombre, coalesce(u.entidad, '')"
	" FROM tokens t JOIN usuarios u ON u.id = t.usuario_id"
	" WHERE t.hash = $1 AND t.revocado IS NULL AND u.activo"
};

/* The user row of a token hash (owned), or NULL with err filled. */
static PGresult *
auth_lookup(PGconn *conn, const char *hash, struct error *err)
{
	const char *params[1] = { hash };

	return db_exec_prepared(conn, err, &auth_lookup_stmt, 1, params);
}

unsigned
auth_role_bit(const char *rol)
{
	if (strcmp(rol, "admin") == 0)
		return ROLE_ADMIN;
	if (strcmp(rol, "facilitador") == 0)
		return ROLE_FACILITADOR;
	if (strcmp(rol, "garante") == 0)
		return ROLE_GARANTE;
	return 0;
}

bool
auth_check(struct req *rq)
{
	struct error err;
	PGresult *res;

	if ((res = auth_lookup(rq->db, rq->token_hash, &err)) == NULL) {
		reply_error(rq, &err);
		return false;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		reply_errorf(rq, 401, "no_autenticado",
		    "El token no es válido o fue revocado.");
		return false;
	}
	rq->user.id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	snprintf(rq->user.rol, sizeof(rq->user.rol), "%s",
	    PQgetvalue(res, 0, 1));
	snprintf(rq->user.nombre, sizeof(rq->user.nombre), "%s",
	    PQgetvalue(res, 0, 2));
	snprintf(rq->user.entidad, sizeof(rq->user.entidad), "%s",
	    PQgetvalue(res, 0, 3));
	PQclear(res);
	if ((auth_role_bit(rq->user.rol) & rq->route->roles) == 0) {
		reply_errorf(rq, 403, "prohibido",
		    "Su rol (%s) no permite esta operación.", rq->user.rol);
		return false;
	}
	return true;
}
