/* The outbox seen by an admin: list it, send a test message. */
#ifndef PALD_API_CORREO_H
#define PALD_API_CORREO_H

#include "http.h"

void	api_correo_listar(struct req *rq);
void	api_correo_probar(struct req *rq);

#endif
