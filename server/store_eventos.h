/*
 * The timeline of a mesa: every change is an event written in the same
 * transaction as the change itself (table eventos, append-only).
 */
#ifndef PALD_STORE_EVENTOS_H
#define PALD_STORE_EVENTOS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"

/*
 * Appends an event. usuario_id and actor_id are 0 when there is none;
 * tipo is a dotted code ("acuse.registrado"); datos (stolen, may be NULL)
 * a JSON object with details, e.g. {"antes": ..., "despues": ...} or
 * {"retroactivo": true, "fecha": "2026-11-01"}; the description is a
 * Spanish sentence built from fmt.
 */
bool	store_evento(PGconn *conn, long long mesa_id, long long usuario_id,
	    long long actor_id, const char *tipo, json_t *datos,
	    struct error *err, const char *fmt, ...)
	    __attribute__((format(printf, 8, 9)));

/*
 * Appends n events of one tipo, without usuario or actor, with one INSERT:
 * event i belongs to mesa mesa_ids[i], says descripciones[i] (cut as
 * store_evento cuts its own) and carries datos[i], the text of a JSON
 * object or NULL. All three arrays are borrowed. With n 0 it sends
 * nothing and returns true.
 */
bool	store_eventos_lote(PGconn *conn, const char *tipo, size_t n,
	    const long long *mesa_ids, const char *const *descripciones,
	    const char *const *datos, struct error *err);

/* {"eventos": [...]} of a mesa in order (docs/API.md), or NULL. */
json_t	*store_eventos_listar(PGconn *conn, long long mesa_id,
	    struct error *err);

#endif
