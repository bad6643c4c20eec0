/*
 * Reminders: one planning pass now (admin), and a mesa's own cadence
 * (read by whoever may read the mesa, set by its facilitator or admin).
 */
#ifndef PALD_API_RECORDATORIOS_H
#define PALD_API_RECORDATORIOS_H

#include "http.h"

/* POST /v1/recordatorios/ejecutar */
void	api_recordatorios_ejecutar(struct req *rq);
/* GET /v1/mesas/{id}/recordatorios */
void	api_recordatorios_cadencia_ver(struct req *rq);
/* PUT /v1/mesas/{id}/recordatorios */
void	api_recordatorios_cadencia_fijar(struct req *rq);

#endif
