/* Mesas: create, list, view, timeline, schedule. DB worker handlers. */
#ifndef PALD_API_MESAS_H
#define PALD_API_MESAS_H

#include <stdbool.h>

#include "http.h"
#include "store_mesas.h"

/*
 * Loads the mesa named by path parameter `param` for the caller and
 * checks access: reading needs admin, the owning facilitator, or a
 * garante of the mesa's entidad; writing needs admin or the owner and
 * locks the row. On failure replies (404 "mesa_no_encontrada", 403
 * "prohibido") and returns false. Every mesa handler starts with it.
 */
bool	api_mesa_abrir(struct req *rq, int param, bool escribir,
	    struct mesa *m);

/* The same for a mesa id found otherwise (a commitment's mesa). */
bool	api_mesa_abrir_id(struct req *rq, long long id, bool escribir,
	    struct mesa *m);

void	api_mesas_crear(struct req *rq);
void	api_mesas_listar(struct req *rq);
void	api_mesas_ver(struct req *rq);
void	api_mesas_eventos(struct req *rq);
void	api_mesas_programar(struct req *rq);

#endif
