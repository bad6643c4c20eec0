/* POST /v1/resumenes/ejecutar: one weekly digest pass now (admin). */
#ifndef PALD_API_RESUMENES_H
#define PALD_API_RESUMENES_H

#include "http.h"

void	api_resumenes_ejecutar(struct req *rq);

#endif
