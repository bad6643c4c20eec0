/* The session: open it with the attendance, contributions, the minutes. */
#ifndef PALD_API_SESION_H
#define PALD_API_SESION_H

#include "http.h"

void	api_sesion_abrir(struct req *rq);
void	api_sesion_ver(struct req *rq);
void	api_aportaciones_agregar(struct req *rq);

#endif
