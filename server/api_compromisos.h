/* Commitments, their activities and the attestation of their criteria. */
#ifndef PALD_API_COMPROMISOS_H
#define PALD_API_COMPROMISOS_H

#include "http.h"

void	api_compromisos_agregar(struct req *rq);
void	api_compromisos_editar(struct req *rq);
void	api_compromisos_listar(struct req *rq);
void	api_actividades_agregar(struct req *rq);
void	api_criterios_atestiguar(struct req *rq);

#endif
