/* Every SQL statement about the actors of a mesa. */
#ifndef PALD_STORE_ACTORES_H
#define PALD_STORE_ACTORES_H

#include <stdbool.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"

/*
 * Inserts an actor (already validated) and returns it as JSON, or NULL
 * with err (409 "actor_duplicado" for an email already in the mesa).
 */
json_t	*store_actor_crear(PGconn *conn, long long mesa_id,
	    const char *nombre, const char *email, const char *sector,
	    const char *organizacion, const char *cargo, struct error *err);
/* {"actores": [...]} with receipt counts, or NULL. */
json_t	*store_actores_listar(PGconn *conn, long long mesa_id,
	    struct error *err);
/*
 * The name of actor_id if it belongs to mesa_id (copied to nombre), or
 * false with err 404 "actor_no_encontrado".
 */
bool	store_actor_nombre(PGconn *conn, long long mesa_id,
	    long long actor_id, char *nombre, size_t size, struct error *err);
/* Revokes the actor's live links; the number revoked, -1 on error. */
int	store_actor_revocar_enlaces(PGconn *conn, long long mesa_id,
	    long long actor_id, struct error *err);

#endif
