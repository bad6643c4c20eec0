/* Every SQL statement about PAL versions, conformities and evidence. */
#ifndef PALD_STORE_PAL_H
#define PALD_STORE_PAL_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "error.h"

/*
 * Whether mesa_id has a current (closed, not voided) version: true and
 * *numero set, or false with *numero 0. On a database error returns false
 * with err set (check err->status).
 */
bool	store_pal_vigente(PGconn *conn, long long mesa_id, int *numero,
	    struct error *err);

/*
 * For handlers that edit the draft PAL: false after filling err (409
 * "version_cerrada", naming the version and `pal pal reabrir`) if a
 * version is current, or with the database error.
 */
bool	store_pal_editable(PGconn *conn, long long mesa_id,
	    struct error *err);

/* A version of a mesa's PAL as stored. */
struct pal_version {
	long long	 id;
	int		 numero;
	char		 sha256_canonico[65];
	char		 sha256_pdf[65];
	int		 paginas;
	char		 cerrado[32];	/* ISO 8601 UTC */
	bool		 anulada;
};

/*
 * Loads version numero of mesa_id (0: the current one). False with err
 * 404 "version_no_encontrada" (or "pal_sin_version" when numero is 0).
 */
bool	store_pal_version(PGconn *conn, long long mesa_id, int numero,
	    struct pal_version *v, struct error *err);

/*
 * Records actor_id's conformity with version v against sha256 (which must
 * be v's canonical hash: 409 "version_anterior" otherwise; v must be
 * current). enlace_id 0 and usuario_id set for the facilitator, or the
 * other way round for a personal link. 422 "actor_no_asistente", 409
 * "conformidad_duplicada". Then, if every attendee has conformed, the
 * mesa becomes firmada (*firmado true). Events in the same transaction.
 */
struct mesa;
bool	store_pal_conformidad(PGconn *conn, struct mesa *m,
	    const struct pal_version *v, long long actor_id,
	    const char *sha256, const char *medio, long long enlace_id,
	    long long usuario_id, bool *firmado, struct error *err);

#endif
