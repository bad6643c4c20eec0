/*
 * The PAL document: validation, closing a version (canonical JSON + PDF),
 * conformity, reopening, evidence, delivery and open data.
 */
#ifndef PALD_API_PAL_H
#define PALD_API_PAL_H

#include "http.h"

void	api_pal_validar(struct req *rq);
void	api_pal_cerrar(struct req *rq);
void	api_pal_ver(struct req *rq);
void	api_pal_pdf(struct req *rq);
void	api_pal_canonico(struct req *rq);
void	api_pal_reabrir(struct req *rq);
void	api_pal_evidencias(struct req *rq);
void	api_pal_enviar(struct req *rq);
void	api_pal_datos_json(struct req *rq);
void	api_pal_datos_csv(struct req *rq);
void	api_conformidades_registrar(struct req *rq);

#endif
