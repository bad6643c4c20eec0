/* Users: who am I, create (admin), list (admin). DB worker handlers. */
#ifndef PALD_API_USUARIOS_H
#define PALD_API_USUARIOS_H

#include "http.h"

void	api_usuarios_yo(struct req *rq);
void	api_usuarios_crear(struct req *rq);
void	api_usuarios_listar(struct req *rq);

#endif
