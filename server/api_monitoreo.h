/*
 * Monitoring for the organismo garante: every deadline of every PAL in
 * its entidad, with a traffic light, and the export of all activities.
 */
#ifndef PALD_API_MONITOREO_H
#define PALD_API_MONITOREO_H

#include "http.h"

void	api_monitoreo(struct req *rq);
void	api_monitoreo_json(struct req *rq);
void	api_monitoreo_csv(struct req *rq);

#endif
