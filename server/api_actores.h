/* Actors of a mesa: add, list, revoke their links. */
#ifndef PALD_API_ACTORES_H
#define PALD_API_ACTORES_H

#include "http.h"

void	api_actores_agregar(struct req *rq);
void	api_actores_listar(struct req *rq);
void	api_actores_revocar_enlaces(struct req *rq);

#endif
