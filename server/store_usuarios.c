/*
 * Users and tokens in PostgreSQL. A token is generated here, returned once
 * in clear and stored as its SHA-256 only; nothing can show it again.
 */
#include "store_usuarios.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "token.h"
#include "validate.h"

#define USUARIO_COLUMNS \
	"id, nombre, email, rol, entidad, activo," \
	" to_char(creado AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Row r of res (USUARIO_COLUMNS) as a JSON object. */
static json_t *
store_usuario_row(const PGresult *res, int r)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:o, s:b, s:s}",
	    "id", (json_int_t)strtoll(PQgetvalue(res, r, 0), NULL, 10),
	    "nombre", PQgetvalue(res, r, 1),
	    "email", PQgetvalue(res, r, 2),
	    "rol", PQgetvalue(res, r, 3),
	    "entidad", PQgetisnull(res, r, 4) ? json_null()
		: json_string(PQgetvalue(res, r, 4)),
	    "activo", strcmp(PQgetvalue(res, r, 5), "t") == 0,
	    "creado", PQgetvalue(res, r, 6));
}

json_t *
store_usuario_crear(PGconn *conn, const char *nombre, const char *email,
    const char *rol, const char *entidad, struct error *err)
{
	char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	const char *p[4];
	struct error dberr;
	PGresult *res;
	json_t *u;

	if (!validate_line(nombre, "nombre", 200, false, err) ||
	    !validate_email(email, "email", err))
		return NULL;
	if (rol == NULL || auth_role_bit(rol) == 0) {
		error_set(err, 422, "rol_invalido",
		    "El rol debe ser admin, facilitador o garante.");
		return NULL;
	}
	if (entidad != NULL && *entidad == '\0')
		entidad = NULL;
	if (entidad != NULL &&
	    !validate_line(entidad, "entidad", 100, false, err))
		return NULL;
	if (!token_generate(token)) {
		error_set(err, 500, "error_interno",
		    "No se pudo generar un token aleatorio.");
		return NULL;
	}
	token_hash(token, hash);

	p[0] = nombre;
	p[1] = email;
	p[2] = rol;
	p[3] = entidad;
	res = db_exec(conn, &dberr,
	    "INSERT INTO usuarios (nombre, email, rol, entidad)"
	    " VALUES ($1, $2, $3, $4) RETURNING " USUARIO_COLUMNS, 4, p);
	if (res == NULL) {
		if (dberr.status == 409)
			error_set(err, 409, "email_duplicado",
			    "Ya existe un usuario con el correo %s.", email);
		else if (err != NULL)
			*err = dberr;
		return NULL;
	}
	u = store_usuario_row(res, 0);
	p[0] = PQgetvalue(res, 0, 0);
	p[1] = hash;
	if (!db_command(conn, err,
	    "INSERT INTO tokens (usuario_id, hash, descripcion)"
	    " VALUES ($1, $2, 'creado con el usuario')", 2, p)) {
		PQclear(res);
		json_decref(u);
		return NULL;
	}
	PQclear(res);
	json_object_set_new(u, "token", json_string(token));
	return u;
}

json_t *
store_usuarios_listar(PGconn *conn, struct error *err)
{
	PGresult *res;
	json_t *arr;

	res = db_exec(conn, err, "SELECT " USUARIO_COLUMNS
	    " FROM usuarios ORDER BY id", 0, NULL);
	if (res == NULL)
		return NULL;
	arr = json_array();
	for (int r = 0; r < PQntuples(res); r++)
		json_array_append_new(arr, store_usuario_row(res, r));
	PQclear(res);
	return json_pack("{s:o}", "usuarios", arr);
}

json_t *
store_usuario_ver(PGconn *conn, long long id, struct error *err)
{
	char idbuf[24];
	const char *p[1] = { idbuf };
	PGresult *res;
	json_t *u;

	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	res = db_exec(conn, err, "SELECT " USUARIO_COLUMNS
	    " FROM usuarios WHERE id = $1", 1, p);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		PQclear(res);
		error_set(err, 404, "usuario_no_encontrado",
		    "No existe el usuario %lld.", id);
		return NULL;
	}
	u = store_usuario_row(res, 0);
	PQclear(res);
	return u;
}
