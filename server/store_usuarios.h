/*
 * Every SQL statement about users and their API tokens.
 */
#ifndef PALD_STORE_USUARIOS_H
#define PALD_STORE_USUARIOS_H

#include <stdbool.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"

/*
 * Validates and creates a user with a new token, inside the caller's
 * transaction. entidad may be NULL. Returns a new JSON object
 * {id, nombre, email, rol, entidad, activo, creado, token} (the token is
 * in clear only here, never stored), or NULL with err: 422 for bad input,
 * 409 "email_duplicado" if the email is taken.
 */
json_t	*store_usuario_crear(PGconn *conn, const char *nombre,
	    const char *email, const char *rol, const char *entidad,
	    struct error *err);
/* {"usuarios": [...]} ordered by id, or NULL with err. */
json_t	*store_usuarios_listar(PGconn *conn, struct error *err);
/* The user of id as {id, nombre, email, rol, entidad}, or NULL (404). */
json_t	*store_usuario_ver(PGconn *conn, long long id, struct error *err);

#endif
