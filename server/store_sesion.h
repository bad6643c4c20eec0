/* Every SQL statement about the session: attendance and the minutes. */
#ifndef PALD_STORE_SESION_H
#define PALD_STORE_SESION_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"

/*
 * Opens the session of mesa_id on local day `hoy` with the attendees
 * (ids, at least one). Refuses with err: 409 "sesion_ya_abierta", 422
 * "asistente_invalido" naming the first id that is not an actor of the
 * mesa. Returns the session id, or 0 on error.
 */
long long store_sesion_abrir(PGconn *conn, long long mesa_id, int hoy,
	    const long long *asistentes, size_t n, long long usuario_id,
	    struct error *err);
/* The minutes of docs/API.md, or NULL (404 "sesion_no_encontrada"). */
json_t	*store_sesion_acta(PGconn *conn, long long mesa_id,
	    struct error *err);
/*
 * Appends a contribution by an attendee, numbered after the last one.
 * 422 "actor_no_asistente" if actor_id did not attend.
 */
json_t	*store_aportacion_agregar(PGconn *conn, long long mesa_id,
	    long long actor_id, const char *tipo, const char *texto,
	    long long usuario_id, struct error *err);

#endif
