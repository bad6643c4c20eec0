/*
 * PAL versions in PostgreSQL. A version is current while anulada is NULL
 * (a partial unique index allows one per mesa); the draft behind it may
 * not change until the facilitator reopens it, which voids the version
 * and its conformities in one transaction.
 */
#include "store_pal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store_eventos.h"
#include "store_mesas.h"

bool
store_pal_vigente(PGconn *conn, long long mesa_id, int *numero,
    struct error *err)
{
	char mesa[24];
	const char *p[1] = { mesa };
	PGresult *res;

	*numero = 0;
	error_clear(err);
	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	res = db_exec(conn, err, "SELECT numero FROM pal_versiones"
	    " WHERE mesa_id = $1 AND anulada IS NULL", 1, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1)
		*numero = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return *numero > 0;
}

bool
store_pal_editable(PGconn *conn, long long mesa_id, struct error *err)
{
	int numero;

	if (store_pal_vigente(conn, mesa_id, &numero, err)) {
		error_set(err, 409, "version_cerrada", "El PAL está cerrado "
		    "en la versión %d; para modificarlo use «pal pal reabrir», "
		    "que anula esa versión y sus conformidades.", numero);
		return false;
	}
	return !error_is_set(err);
}

bool
store_pal_version(PGconn *conn, long long mesa_id, int numero,
    struct pal_version *v, struct error *err)
{
	char mesa[24], num[16];
	const char *p[2] = { mesa, num };
	PGresult *res;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(num, sizeof(num), "%d", numero);
	res = db_exec(conn, err, "SELECT id, numero, sha256_canonico,"
	    " sha256_pdf, coalesce(paginas, 0), to_char(cerrado AT TIME ZONE"
	    " 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), anulada IS NOT NULL"
	    " FROM pal_versiones WHERE mesa_id = $1"
	    " AND (CASE WHEN $2::int = 0 THEN anulada IS NULL"
	    " ELSE numero = $2 END)", 2, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		if (numero == 0)
			error_set(err, 404, "pal_sin_version", "El PAL de esta "
			    "mesa no tiene una versión cerrada vigente.");
		else
			error_set(err, 404, "version_no_encontrada",
			    "No existe la versión %d del PAL.", numero);
		return false;
	}
	memset(v, 0, sizeof(*v));
	v->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	v->numero = atoi(PQgetvalue(res, 0, 1));
	snprintf(v->sha256_canonico, sizeof(v->sha256_canonico), "%s",
	    PQgetvalue(res, 0, 2));
	snprintf(v->sha256_pdf, sizeof(v->sha256_pdf), "%s",
	    PQgetvalue(res, 0, 3));
	v->paginas = atoi(PQgetvalue(res, 0, 4));
	snprintf(v->cerrado, sizeof(v->cerrado), "%s", PQgetvalue(res, 0, 5));
	v->anulada = strcmp(PQgetvalue(res, 0, 6), "t") == 0;
	PQclear(res);
	return true;
}

bool
store_pal_conformidad(PGconn *conn, struct mesa *m,
    const struct pal_version *v, long long actor_id, const char *sha256,
    const char *medio, long long enlace_id, long long usuario_id,
    bool *firmado, struct error *err)
{
	char mesa[24], ver[24], actor[24], enlace[24], usuario[24];
	char nombre[201];
	const char *p[7];
	struct error dberr;
	PGresult *res;
	int faltan;

	*firmado = false;
	if (v->anulada || strcmp(sha256, v->sha256_canonico) != 0) {
		error_set(err, 409, "version_anterior", "La conformidad debe "
		    "darse sobre la versión vigente %d del PAL (SHA-256 %s); "
		    "el hash recibido no corresponde.", v->numero,
		    v->sha256_canonico);
		return false;
	}
	snprintf(mesa, sizeof(mesa), "%lld", m->id);
	snprintf(ver, sizeof(ver), "%lld", v->id);
	snprintf(actor, sizeof(actor), "%lld", actor_id);
	snprintf(enlace, sizeof(enlace), "%lld", enlace_id);
	snprintf(usuario, sizeof(usuario), "%lld", usuario_id);
	p[0] = mesa;
	p[1] = actor;
	res = db_exec(conn, err, "SELECT a.nombre FROM asistencias s"
	    " JOIN actores a ON a.id = s.actor_id"
	    " WHERE s.mesa_id = $1 AND s.actor_id = $2", 2, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		error_set(err, 422, "actor_no_asistente", "El actor %lld no "
		    "asistió a la sesión: solo los asistentes dan su "
		    "conformidad.", actor_id);
		return false;
	}
	snprintf(nombre, sizeof(nombre), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	p[1] = ver;
	p[2] = actor;
	p[3] = sha256;
	p[4] = medio;
	p[5] = enlace_id ? enlace : NULL;
	p[6] = usuario_id ? usuario : NULL;
	if (!db_command(conn, &dberr, "INSERT INTO conformidades (mesa_id,"
	    " version_id, actor_id, sha256, medio, enlace_id, registrado_por)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, p)) {
		if (dberr.status == 409)
			error_set(err, 409, "conformidad_duplicada", "%s ya dio "
			    "su conformidad con la versión %d.", nombre,
			    v->numero);
		else if (err != NULL)
			*err = dberr;
		return false;
	}
	if (!store_evento(conn, m->id, usuario_id, actor_id,
	    "conformidad.registrada", json_pack("{s:i, s:s, s:s}", "version",
	    v->numero, "sha256", sha256, "medio", medio), err,
	    "%s dio su conformidad con la versión %d del PAL (%s).", nombre,
	    v->numero, medio))
		return false;

	/* Attendees still without a conformity with this version. */
	res = db_exec(conn, err, "SELECT count(*) FROM asistencias s"
	    " WHERE s.mesa_id = $1 AND NOT EXISTS (SELECT 1 FROM"
	    " conformidades c WHERE c.version_id = $2"
	    " AND c.actor_id = s.actor_id AND c.anulada IS NULL)", 2, p);
	if (res == NULL)
		return false;
	faltan = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (faltan > 0 || m->fase != FASE_ACUERDOS)
		return true;
	if (!store_mesa_fase(conn, m, FASE_FIRMADA, usuario_id, err) ||
	    !store_evento(conn, m->id, usuario_id, 0, "pal.firmado",
	    json_pack("{s:s, s:s, s:i, s:s}", "antes", "acuerdos", "despues",
	    "firmada", "version", v->numero, "sha256", sha256), err,
	    "Todos los asistentes dieron su conformidad: el PAL (versión %d) "
	    "está firmado.", v->numero))
		return false;
	*firmado = true;
	return true;
}
