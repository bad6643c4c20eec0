/*
 * /v1/yo and /v1/usuarios. Input shape is checked here; the rules on the
 * values (syntax of the email, known role) live in store_usuarios.c so
 * `pald --create-admin` obeys them too.
 */
#include "api_usuarios.h"

#include "store_usuarios.h"

void
api_usuarios_yo(struct req *rq)
{
	struct error err;
	json_t *u = store_usuario_ver(rq->db, rq->user.id, &err);

	if (u == NULL) {
		reply_error(rq, &err);
		return;
	}
	reply_json(rq, 200, u);
}

void
api_usuarios_crear(struct req *rq)
{
	const char *nombre = NULL, *email = NULL, *rol = NULL;
	json_t *body, *u, *entidad = NULL;
	json_error_t jerr;
	struct error err;

	if ((body = req_json(rq)) == NULL)
		return;
	if (json_unpack_ex(body, &jerr, 0, "{s:s, s:s, s:s, s?o}",
	    "nombre", &nombre, "email", &email, "rol", &rol,
	    "entidad", &entidad) != 0 ||
	    (entidad != NULL && !json_is_string(entidad) &&
	    !json_is_null(entidad))) {
		reply_errorf(rq, 422, "campo_invalido",
		    "Faltan campos o tienen un tipo incorrecto: se esperan "
		    "nombre, email y rol (texto) y, opcional, entidad.");
		json_decref(body);
		return;
	}
	u = store_usuario_crear(rq->db, nombre, email, rol,
	    json_string_value(entidad), &err);
	json_decref(body);
	if (u == NULL) {
		reply_error(rq, &err);
		return;
	}
	reply_json(rq, 201, u);
}

void
api_usuarios_listar(struct req *rq)
{
	struct error err;
	json_t *list = store_usuarios_listar(rq->db, &err);

	if (list == NULL) {
		reply_error(rq, &err);
		return;
	}
	reply_json(rq, 200, list);
}
