/*
 * Bearer-token authentication for routes that need a user: looks up the
 * SHA-256 of the token, fills rq->user, and checks the route's roles.
 */
#ifndef PALD_AUTH_H
#define PALD_AUTH_H

#include <stdbool.h>

#include "http.h"

/*
 * DB worker only. True if rq carries an active token of a user whose role
 * the route admits; otherwise replies 401 (unknown, revoked or inactive)
 * or 403 (wrong role) and returns false.
 */
bool	auth_check(struct req *rq);

/* Bit of a role name ("admin" -> ROLE_ADMIN), 0 if unknown. */
unsigned auth_role_bit(const char *rol);

#endif
