/*
 * Actors in PostgreSQL. The unique index on (mesa_id, lower(email)) is
 * what refuses a duplicate, so two facilitators adding the same person at
 * once cannot both succeed.
 */
#include "store_actores.h"

#include <stdio.h>
#include <stdlib.h>

#include "db.h"

#define ACTOR_COLUMNS "id, mesa_id, nombre, email, sector, organizacion," \
	" cargo, to_char(creado AT TIME ZONE 'UTC'," \
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static json_t *
store_actor_row(const PGresult *res, int r)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:o, s:s}",
	    "id", (json_int_t)strtoll(PQgetvalue(res, r, 0), NULL, 10),
	    "mesa_id", (json_int_t)strtoll(PQgetvalue(res, r, 1), NULL, 10),
	    "nombre", PQgetvalue(res, r, 2),
	    "email", PQgetvalue(res, r, 3),
	    "sector", PQgetvalue(res, r, 4),
	    "organizacion", PQgetisnull(res, r, 5) ? json_null()
		: json_string(PQgetvalue(res, r, 5)),
	    "cargo", PQgetisnull(res, r, 6) ? json_null()
		: json_string(PQgetvalue(res, r, 6)),
	    "creado", PQgetvalue(res, r, 7));
}

json_t *
store_actor_crear(PGconn *conn, long long mesa_id, const char *nombre,
    const char *email, const char *sector, const char *organizacion,
    const char *cargo, struct error *err)
{
	char mesa[24];
	const char *p[6];
	struct error dberr;
	PGresult *res;
	json_t *a;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	p[0] = mesa;
	p[1] = nombre;
	p[2] = email;
	p[3] = sector;
	p[4] = organizacion;
	p[5] = cargo;
	res = db_exec(conn, &dberr, "INSERT INTO actores (mesa_id, nombre,"
	    " email, sector, organizacion, cargo)"
	    " VALUES ($1, $2, $3, $4, $5, $6) RETURNING " ACTOR_COLUMNS, 6, p);
	if (res == NULL) {
		if (dberr.status == 409)
			error_set(err, 409, "actor_duplicado",
			    "Ya hay un actor con el correo %s en esta mesa.",
			    email);
		else if (err != NULL)
			*err = dberr;
		return NULL;
	}
	a = store_actor_row(res, 0);
	PQclear(res);
	return a;
}

json_t *
store_actores_listar(PGconn *conn, long long mesa_id, struct error *err)
{
	char mesa[24];
	const char *p[1] = { mesa };
	PGresult *res;
	json_t *arr;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	res = db_exec(conn, err, "SELECT " ACTOR_COLUMNS ","
	    " (SELECT count(*) FROM acuses ac WHERE ac.actor_id = a.id),"
	    " (SELECT count(*) FROM materiales x WHERE x.mesa_id = a.mesa_id)"
	    " FROM actores a WHERE a.mesa_id = $1 ORDER BY a.id", 1, p);
	if (res == NULL)
		return NULL;
	arr = json_array();
	for (int r = 0; r < PQntuples(res); r++) {
		json_t *a = store_actor_row(res, r);

		json_object_set_new(a, "materiales_recibidos",
		    json_integer(strtoll(PQgetvalue(res, r, 8), NULL, 10)));
		json_object_set_new(a, "materiales_total",
		    json_integer(strtoll(PQgetvalue(res, r, 9), NULL, 10)));
		json_array_append_new(arr, a);
	}
	PQclear(res);
	return json_pack("{s:o}", "actores", arr);
}

bool
store_actor_nombre(PGconn *conn, long long mesa_id, long long actor_id,
    char *nombre, size_t size, struct error *err)
{
	char mesa[24], actor[24];
	const char *p[2] = { mesa, actor };
	PGresult *res;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(actor, sizeof(actor), "%lld", actor_id);
	res = db_exec(conn, err, "SELECT nombre FROM actores"
	    " WHERE mesa_id = $1 AND id = $2", 2, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		error_set(err, 404, "actor_no_encontrado",
		    "No existe el actor %lld en esta mesa.", actor_id);
		return false;
	}
	snprintf(nombre, size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}

int
store_actor_revocar_enlaces(PGconn *conn, long long mesa_id,
    long long actor_id, struct error *err)
{
	char mesa[24], actor[24];
	const char *p[2] = { mesa, actor };
	PGresult *res;
	int n;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(actor, sizeof(actor), "%lld", actor_id);
	res = db_exec(conn, err, "UPDATE enlaces SET revocado = now()"
	    " WHERE mesa_id = $1 AND actor_id = $2 AND revocado IS NULL",
	    2, p);
	if (res == NULL)
		return -1;
	n = atoi(PQcmdTuples(res));
	PQclear(res);
	return n;
}
