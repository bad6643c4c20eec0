/* GET /healthz and GET /metrics: loop-thread handlers, no database. */
#ifndef PALD_API_HEALTH_H
#define PALD_API_HEALTH_H

#include "http.h"

void	api_health_get(struct req *rq);
void	api_health_metrics(struct req *rq);

#endif
