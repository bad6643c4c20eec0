/*
 * One query answers the whole monitoring view: each activity of the
 * visible PALs with its mesa, commitment, traffic light and days, and for
 * an overdue one its latest report. PostgreSQL computes each mesa's local
 * today from its zone, so the light never depends on the daemon's clock
 * or zone. Grouping into PALs and commitments, and the filters that only
 * shape the answer (vencidas), are the caller's job.
 */
#include "store_monitoreo.h"

#include <stdio.h>
#include <stdlib.h>

#include "db.h"

#define ISO_UTC(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Columns of the query, in order. */
enum {
	COL_MESA_ID, COL_MESA, COL_ENTIDAD, COL_VERSION, COL_COMPROMISO_ID,
	COL_COMPROMISO_NUMERO, COL_COMPROMISO, COL_TIPO, COL_ACTIVIDAD_ID,
	COL_NUMERO, COL_ACTIVIDAD, COL_RESPONSABLE, COL_INSTITUCION,
	COL_FECHA_LIMITE, COL_ESTADO, COL_AVANCE, COL_SEMAFORO, COL_DIAS,
	COL_UA_REPORTADO, COL_UA_ESTADO, COL_UA_AVANCE, COL_UA_NOTA
};

static const char store_monitoreo_sql[] =
    "SELECT m.id, m.titulo, m.entidad, v.numero,"
    " c.id, c.numero, c.titulo, c.tipo,"
    " a.id, a.numero, a.descripcion, a.responsable_nombre,"
    " a.responsable_institucion, a.fecha_limite::text, a.estado, a.avance,"
    " CASE WHEN a.estado = 'cumplida' THEN 'cumplido'"
    "  WHEN a.fecha_limite < h.hoy THEN 'vencido'"
    "  WHEN a.fecha_limite - h.hoy <= $4::int THEN 'por_vencer'"
    "  ELSE 'a_tiempo' END,"
    " a.fecha_limite - h.hoy,"
    " " ISO_UTC("u.reportado") ", u.estado, u.avance, u.nota"
    " FROM mesas m"
    " CROSS JOIN LATERAL (SELECT (now() AT TIME ZONE m.zona_horaria)::date"
    "  AS hoy) h"
    " LEFT JOIN pal_versiones v ON v.mesa_id = m.id AND v.anulada IS NULL"
    " JOIN compromisos c ON c.mesa_id = m.id"
    " JOIN actividades a ON a.mesa_id = m.id AND a.compromiso_id = c.id"
    " LEFT JOIN LATERAL (SELECT av.reportado, av.estado, av.avance, av.nota"
    "  FROM avances av WHERE av.actividad_id = a.id"
    "  ORDER BY av.reportado DESC, av.id DESC LIMIT 1) u"
    "  ON a.estado <> 'cumplida' AND a.fecha_limite < h.hoy"
    " WHERE m.fase IN ('en_seguimiento', 'concluida')"
    "  AND ($1::bigint IS NULL OR m.facilitador_id = $1::bigint)"
    "  AND ($2::text IS NULL OR m.entidad = $2::text)"
    "  AND ($3::text IS NULL OR m.entidad = $3::text)"
    " ORDER BY m.id, c.numero, a.numero";

static json_t *
store_monitoreo_text(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return json_null();
	return json_string(PQgetvalue(res, row, col));
}

static json_t *
store_monitoreo_int(const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col))
		return json_null();
	return json_integer(strtoll(PQgetvalue(res, row, col), NULL, 10));
}

static json_t *
store_monitoreo_row(const PGresult *res, int i)
{
	json_t *o = json_object(), *ua = json_null();

	if (!PQgetisnull(res, i, COL_UA_REPORTADO)) {
		json_decref(ua);
		ua = json_object();
		json_object_set_new(ua, "reportado",
		    store_monitoreo_text(res, i, COL_UA_REPORTADO));
		json_object_set_new(ua, "estado",
		    store_monitoreo_text(res, i, COL_UA_ESTADO));
		json_object_set_new(ua, "avance",
		    store_monitoreo_int(res, i, COL_UA_AVANCE));
		json_object_set_new(ua, "nota",
		    store_monitoreo_text(res, i, COL_UA_NOTA));
	}
	json_object_set_new(o, "mesa_id",
	    store_monitoreo_int(res, i, COL_MESA_ID));
	json_object_set_new(o, "mesa", store_monitoreo_text(res, i, COL_MESA));
	json_object_set_new(o, "entidad",
	    store_monitoreo_text(res, i, COL_ENTIDAD));
	json_object_set_new(o, "version",
	    store_monitoreo_int(res, i, COL_VERSION));
	json_object_set_new(o, "compromiso_id",
	    store_monitoreo_int(res, i, COL_COMPROMISO_ID));
	json_object_set_new(o, "compromiso_numero",
	    store_monitoreo_int(res, i, COL_COMPROMISO_NUMERO));
	json_object_set_new(o, "compromiso",
	    store_monitoreo_text(res, i, COL_COMPROMISO));
	json_object_set_new(o, "tipo", store_monitoreo_text(res, i, COL_TIPO));
	json_object_set_new(o, "actividad_id",
	    store_monitoreo_int(res, i, COL_ACTIVIDAD_ID));
	json_object_set_new(o, "numero",
	    store_monitoreo_int(res, i, COL_NUMERO));
	json_object_set_new(o, "actividad",
	    store_monitoreo_text(res, i, COL_ACTIVIDAD));
	json_object_set_new(o, "responsable",
	    store_monitoreo_text(res, i, COL_RESPONSABLE));
	json_object_set_new(o, "institucion_responsable",
	    store_monitoreo_text(res, i, COL_INSTITUCION));
	json_object_set_new(o, "fecha_limite",
	    store_monitoreo_text(res, i, COL_FECHA_LIMITE));
	json_object_set_new(o, "estado",
	    store_monitoreo_text(res, i, COL_ESTADO));
	json_object_set_new(o, "avance",
	    store_monitoreo_int(res, i, COL_AVANCE));
	json_object_set_new(o, "semaforo",
	    store_monitoreo_text(res, i, COL_SEMAFORO));
	json_object_set_new(o, "dias", store_monitoreo_int(res, i, COL_DIAS));
	json_object_set_new(o, "ultimo_avance", ua);
	return o;
}

json_t *
store_monitoreo_actividades(PGconn *conn, const struct monitoreo_filtro *f,
    struct error *err)
{
	char fac[24], prox[16];
	const char *p[4];
	PGresult *res;
	json_t *out;
	int i, n;

	snprintf(fac, sizeof(fac), "%lld", f->facilitador_id);
	snprintf(prox, sizeof(prox), "%d", f->proximas);
	p[0] = f->facilitador_id > 0 ? fac : NULL;
	p[1] = f->entidad_garante;
	p[2] = f->entidad;
	p[3] = prox;
	if ((res = db_exec(conn, err, store_monitoreo_sql, 4, p)) == NULL)
		return NULL;
	out = json_array();
	n = PQntuples(res);
	for (i = 0; i < n; i++)
		json_array_append_new(out, store_monitoreo_row(res, i));
	PQclear(res);
	return out;
}
