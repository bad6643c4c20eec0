/*
 * Materials: upload (raw body), list with who received each, download,
 * send to every actor who lacks something, and receipts recorded by the
 * facilitator (docs/API.md, "Materiales").
 */
#ifndef PALD_API_MATERIALES_H
#define PALD_API_MATERIALES_H

#include "http.h"

void	api_materiales_agregar(struct req *rq);
void	api_materiales_listar(struct req *rq);
void	api_materiales_contenido(struct req *rq);
void	api_materiales_enviar(struct req *rq);
void	api_acuses_registrar(struct req *rq);

#endif
