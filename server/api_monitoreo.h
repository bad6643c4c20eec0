/*
 * Monitoring for the organismo garante: every deadline of every PAL in
 * its entidad, with a traffic light, the export of all activities, and
 * the personal link to the web dashboard.
 */
#ifndef PALD_API_MONITOREO_H
#define PALD_API_MONITOREO_H

#include <stdbool.h>

#include "error.h"
#include "http.h"
#include "store_monitoreo.h"

/* Days a monitoring personal link made through the API is valid. */
#define API_MONITOREO_ENLACE_DIAS	7

void	api_monitoreo(struct req *rq);
void	api_monitoreo_json(struct req *rq);
void	api_monitoreo_csv(struct req *rq);
/* POST /v1/monitoreo/enlace {dias?}: a dashboard link for the caller. */
void	api_monitoreo_enlace(struct req *rq);

/*
 * The monitoring filter of a request, shared with the dashboard: reads
 * the query (entidad, proximas and, when leer_vencidas, vencidas) and the
 * caller's reach from rq->user (an admin sees all, a facilitador its own
 * mesas, a garante with an entidad only that one) into f. f->entidad
 * then points to *entidad, owned by the caller (free(), NULL or not,
 * also after a failure). False with err: 422 "proximas_invalido" or
 * "vencidas_invalido", 403 "prohibido" for a garante asking for another
 * entidad.
 */
bool	api_monitoreo_filtro(const struct req *rq, bool leer_vencidas,
	    struct monitoreo_filtro *f, char **entidad, struct error *err);

#endif
