/* POST /v1/recordatorios/ejecutar: one planning pass now (admin). */
#ifndef PALD_API_RECORDATORIOS_H
#define PALD_API_RECORDATORIOS_H

#include "http.h"

void	api_recordatorios_ejecutar(struct req *rq);

#endif
