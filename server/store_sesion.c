/*
 * The session in PostgreSQL. A mesa has one session (UNIQUE mesa_id);
 * attendance is checked against the mesa's actors by composite foreign
 * keys, and contributions are numbered under the mesa's row lock, which
 * every writer of a mesa holds, so two facilitators cannot both take
 * number 7.
 */
#include "store_sesion.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dates.h"
#include "db.h"

#define ISO_UTC(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

long long
store_sesion_abrir(PGconn *conn, long long mesa_id, int hoy,
    const long long *asistentes, size_t n, long long usuario_id,
    struct error *err)
{
	char mesa[24], fecha[11], usuario[24], actor[24], sesion[24];
	const char *p[4];
	PGresult *res;
	long long id;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(usuario, sizeof(usuario), "%lld", usuario_id);
	p[0] = mesa;
	res = db_exec(conn, err, "SELECT 1 FROM sesiones WHERE mesa_id = $1",
	    1, p);
	if (res == NULL)
		return 0;
	if (PQntuples(res) > 0) {
		PQclear(res);
		error_set(err, 409, "sesion_ya_abierta",
		    "La sesión de esta mesa ya fue abierta.");
		return 0;
	}
	PQclear(res);
	for (size_t i = 0; i < n; i++) {
		snprintf(actor, sizeof(actor), "%lld", asistentes[i]);
		p[1] = actor;
		res = db_exec(conn, err, "SELECT 1 FROM actores"
		    " WHERE mesa_id = $1 AND id = $2", 2, p);
		if (res == NULL)
			return 0;
		if (PQntuples(res) == 0) {
			PQclear(res);
			error_set(err, 422, "asistente_invalido",
			    "El asistente %lld no es un actor de esta mesa.",
			    asistentes[i]);
			return 0;
		}
		PQclear(res);
	}
	dates_format(hoy, fecha);
	p[1] = fecha;
	p[2] = usuario;
	res = db_exec(conn, err, "INSERT INTO sesiones (mesa_id, fecha,"
	    " abierta_por) VALUES ($1, $2, $3) RETURNING id", 3, p);
	if (res == NULL)
		return 0;
	id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	snprintf(sesion, sizeof(sesion), "%lld", id);
	for (size_t i = 0; i < n; i++) {
		snprintf(actor, sizeof(actor), "%lld", asistentes[i]);
		p[1] = sesion;
		p[2] = actor;
		p[3] = usuario;
		/* A repeated id in the list counts once. */
		if (!db_command(conn, err, "INSERT INTO asistencias (mesa_id,"
		    " sesion_id, actor_id, registrado_por)"
		    " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", 4, p))
			return 0;
	}
	return id;
}

json_t *
store_sesion_acta(PGconn *conn, long long mesa_id, struct error *err)
{
	char mesa[24];
	const char *p[1] = { mesa };
	PGresult *res;
	json_t *acta, *arr;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	res = db_exec(conn, err, "SELECT fecha::text, " ISO_UTC("abierta")
	    ", etapa FROM sesiones WHERE mesa_id = $1", 1, p);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		PQclear(res);
		error_set(err, 404, "sesion_no_encontrada",
		    "La sesión de esta mesa aún no se abre.");
		return NULL;
	}
	acta = json_pack("{s:I, s:s, s:s, s:s}", "mesa_id",
	    (json_int_t)mesa_id, "fecha", PQgetvalue(res, 0, 0), "abierta",
	    PQgetvalue(res, 0, 1), "etapa", PQgetvalue(res, 0, 2));
	PQclear(res);

	res = db_exec(conn, err, "SELECT a.id, a.nombre, a.sector,"
	    " a.organizacion FROM asistencias s JOIN actores a"
	    " ON a.id = s.actor_id WHERE s.mesa_id = $1 ORDER BY a.id", 1, p);
	if (res == NULL) {
		json_decref(acta);
		return NULL;
	}
	arr = json_array();
	for (int r = 0; r < PQntuples(res); r++)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:o}",
		    "id", (json_int_t)strtoll(PQgetvalue(res, r, 0), NULL, 10),
		    "nombre", PQgetvalue(res, r, 1),
		    "sector", PQgetvalue(res, r, 2),
		    "organizacion", PQgetisnull(res, r, 3) ? json_null()
			: json_string(PQgetvalue(res, r, 3))));
	PQclear(res);
	json_object_set_new(acta, "asistentes", arr);

	res = db_exec(conn, err, "SELECT x.id, x.orden, a.id, a.nombre,"
	    " x.tipo, x.texto, " ISO_UTC("x.registrado")
	    " FROM aportaciones x JOIN actores a ON a.id = x.actor_id"
	    " WHERE x.mesa_id = $1 ORDER BY x.orden", 1, p);
	if (res == NULL) {
		json_decref(acta);
		return NULL;
	}
	arr = json_array();
	for (int r = 0; r < PQntuples(res); r++)
		json_array_append_new(arr, json_pack(
		    "{s:I, s:i, s:I, s:s, s:s, s:s, s:s}",
		    "id", (json_int_t)strtoll(PQgetvalue(res, r, 0), NULL, 10),
		    "orden", atoi(PQgetvalue(res, r, 1)),
		    "actor_id", (json_int_t)strtoll(PQgetvalue(res, r, 2),
		    NULL, 10),
		    "actor", PQgetvalue(res, r, 3),
		    "tipo", PQgetvalue(res, r, 4),
		    "texto", PQgetvalue(res, r, 5),
		    "registrado", PQgetvalue(res, r, 6)));
	PQclear(res);
	json_object_set_new(acta, "aportaciones", arr);
	return acta;
}

json_t *
store_aportacion_agregar(PGconn *conn, long long mesa_id, long long actor_id,
    const char *tipo, const char *texto, long long usuario_id,
    struct error *err)
{
	char mesa[24], actor[24], usuario[24];
	const char *p[5];
	PGresult *res;
	json_t *o;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(actor, sizeof(actor), "%lld", actor_id);
	snprintf(usuario, sizeof(usuario), "%lld", usuario_id);
	p[0] = mesa;
	p[1] = actor;
	res = db_exec(conn, err, "SELECT 1 FROM asistencias"
	    " WHERE mesa_id = $1 AND actor_id = $2", 2, p);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		PQclear(res);
		error_set(err, 422, "actor_no_asistente",
		    "El actor %lld no asistió a la sesión.", actor_id);
		return NULL;
	}
	PQclear(res);
	p[2] = tipo;
	p[3] = texto;
	p[4] = usuario;
	res = db_exec(conn, err,
	    "WITH s AS (SELECT id FROM sesiones WHERE mesa_id = $1),"
	    " ins AS (INSERT INTO aportaciones (mesa_id, sesion_id, actor_id,"
	    "   orden, tipo, texto, registrado_por)"
	    "   SELECT $1, s.id, $2, coalesce((SELECT max(orden)"
	    "     FROM aportaciones WHERE mesa_id = $1), 0) + 1, $3, $4, $5"
	    "   FROM s RETURNING id, orden, registrado),"
	    " up AS (UPDATE sesiones SET etapa = 'analisis'"
	    "   WHERE mesa_id = $1 AND etapa = 'introduccion')"
	    " SELECT ins.id, ins.orden, a.nombre, " ISO_UTC("ins.registrado")
	    " FROM ins, actores a WHERE a.id = $2", 5, p);
	if (res == NULL)
		return NULL;
	o = json_pack("{s:I, s:i, s:I, s:s, s:s, s:s, s:s}",
	    "id", (json_int_t)strtoll(PQgetvalue(res, 0, 0), NULL, 10),
	    "orden", atoi(PQgetvalue(res, 0, 1)),
	    "actor_id", (json_int_t)actor_id,
	    "actor", PQgetvalue(res, 0, 2),
	    "tipo", tipo, "texto", texto,
	    "registrado", PQgetvalue(res, 0, 3));
	PQclear(res);
	return o;
}
