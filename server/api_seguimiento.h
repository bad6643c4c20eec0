/* Follow-up: progress reports on activities, by facilitators. */
#ifndef PALD_API_SEGUIMIENTO_H
#define PALD_API_SEGUIMIENTO_H

#include "http.h"

void	api_avances_registrar(struct req *rq);
void	api_avances_listar(struct req *rq);

#endif
