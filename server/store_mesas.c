/*
 * A mesa's own SQL: loading it (with its local "today" and its zone's
 * offset computed by PostgreSQL, which owns the time-zone database),
 * creating and listing mesas, the gate's facts, phase moves and the
 * suspension of a convocatoria. The rules themselves are pure functions
 * in common/rules.c; this file only gathers facts and writes results.
 */
#include "store_mesas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dates.h"
#include "db.h"
#include "outbox.h"
#include "store_eventos.h"
#include "validate.h"
#include "xmalloc.h"

/* Columns of a loaded mesa, in the order store_mesa_fill reads them. */
#define MESA_SELECT							\
	"SELECT m.id, m.titulo, m.entidad, m.zona_horaria, m.fase,"	\
	" m.facilitador_id, u.nombre, u.email,"				\
	" m.fecha - date '1970-01-01',"					\
	" extract(hour FROM m.hora)::int * 60 +"			\
	"   extract(minute FROM m.hora)::int,"				\
	" m.lugar,"							\
	" (now() AT TIME ZONE m.zona_horaria)::date - date '1970-01-01',"\
	" extract(epoch FROM coalesce("					\
	"   (m.fecha + m.hora) - (((m.fecha + m.hora) AT TIME ZONE"	\
	"     m.zona_horaria) AT TIME ZONE 'UTC'),"			\
	"   (now() AT TIME ZONE m.zona_horaria) -"			\
	"     (now() AT TIME ZONE 'UTC')))::int / 60"			\
	" FROM mesas m JOIN usuarios u ON u.id = m.facilitador_id"

static void
store_mesa_fill(const PGresult *res, int r, struct mesa *m)
{
	memset(m, 0, sizeof(*m));
	m->id = strtoll(PQgetvalue(res, r, 0), NULL, 10);
	snprintf(m->titulo, sizeof(m->titulo), "%s", PQgetvalue(res, r, 1));
	snprintf(m->entidad, sizeof(m->entidad), "%s", PQgetvalue(res, r, 2));
	snprintf(m->zona_horaria, sizeof(m->zona_horaria), "%s",
	    PQgetvalue(res, r, 3));
	if (!rules_fase_parse(PQgetvalue(res, r, 4), &m->fase))
		m->fase = FASE_CANCELADA;	/* unreachable: CHECK */
	m->facilitador_id = strtoll(PQgetvalue(res, r, 5), NULL, 10);
	snprintf(m->facilitador_nombre, sizeof(m->facilitador_nombre), "%s",
	    PQgetvalue(res, r, 6));
	snprintf(m->facilitador_email, sizeof(m->facilitador_email), "%s",
	    PQgetvalue(res, r, 7));
	m->fecha = PQgetisnull(res, r, 8) ? MESA_SIN_FECHA
	    : atoi(PQgetvalue(res, r, 8));
	m->hora = PQgetisnull(res, r, 9) ? -1 : atoi(PQgetvalue(res, r, 9));
	snprintf(m->lugar, sizeof(m->lugar), "%s", PQgetvalue(res, r, 10));
	m->hoy = atoi(PQgetvalue(res, r, 11));
	m->utc_offset_min = atoi(PQgetvalue(res, r, 12));
}

/* Every request on a mesa loads it first: prepared (db.c). */
static const struct db_prepared store_mesa_leer = { "pald_mesa",
    MESA_SELECT " WHERE m.id = $1" };
static const struct db_prepared store_mesa_bloquear = { "pald_mesa_bloqueo",
    MESA_SELECT " WHERE m.id = $1 FOR NO KEY UPDATE OF m" };

bool
store_mesa_cargar(PGconn *conn, long long id, bool lock, struct mesa *m,
    struct error *err)
{
	char idbuf[24];
	const char *p[1] = { idbuf };
	PGresult *res;

	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	res = db_exec_prepared(conn, err, lock ? &store_mesa_bloquear :
	    &store_mesa_leer, 1, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		error_set(err, 404, "mesa_no_encontrada",
		    "No existe la mesa %lld.", id);
		return false;
	}
	store_mesa_fill(res, 0, m);
	PQclear(res);
	return true;
}

bool
store_mesa_fase(PGconn *conn, struct mesa *m, enum fase to,
    long long usuario_id, struct error *err)
{
	char idbuf[24];
	const char *p[2];

	(void)usuario_id;
	if (!rules_transicion(m->fase, to, err))
		return false;
	snprintf(idbuf, sizeof(idbuf), "%lld", m->id);
	p[0] = idbuf;
	p[1] = rules_fase_name(to);
	if (!db_command(conn, err, "UPDATE mesas SET fase = $2,"
	    " actualizado = now() WHERE id = $1", 2, p))
		return false;
	m->fase = to;
	return true;
}

bool
store_mesa_suspender(PGconn *conn, struct mesa *m, long long usuario_id,
    const char *motivo, struct error *err)
{
	struct outbox_mail mail;
	char fecha[11], *text, *subject;
	long long outbox_id;
	bool ok;

	if (m->fase != FASE_CONVOCADA)
		return true;
	if (!store_mesa_fase(conn, m, FASE_SUSPENDIDA, usuario_id, err))
		return false;
	dates_format(m->fecha, fecha);
	if (!store_evento(conn, m->id, usuario_id, 0, "mesa.suspendida",
	    json_pack("{s:s, s:s, s:s}", "antes", "convocada", "despues",
	    "suspendida", "motivo", motivo), err,
	    "Convocatoria del %s suspendida: %s. Debe reprogramarse cuando "
	    "todos los actores tengan todos los materiales.", fecha, motivo))
		return false;

	text = xasprintf("Hola, %s:\n\n"
	    "La convocatoria de la mesa «%s» (%s), programada para el %s, "
	    "quedó suspendida porque %s.\n\n"
	    "Cada actor debe tener cada material al menos %d días antes de la "
	    "mesa. Cuando todos hayan confirmado la recepción, vuelva a "
	    "programarla con:\n\n    pal mesa programar %lld --fecha "
	    "AAAA-MM-DD --hora HH:MM --lugar \"...\"\n\n"
	    "Vea qué falta con: pal mesa ver %lld\n",
	    m->facilitador_nombre, m->titulo, m->entidad, fecha, motivo,
	    RULES_DIAS_ANTICIPACION, m->id, m->id);
	subject = xasprintf("Convocatoria suspendida: mesa «%s»", m->titulo);
	memset(&mail, 0, sizeof(mail));
	mail.tipo = "suspension";
	mail.mesa_id = m->id;
	mail.to_name = m->facilitador_nombre;
	mail.to_addr = m->facilitador_email;
	mail.subject = subject;
	mail.text = text;
	ok = outbox_enqueue(conn, &mail, &outbox_id, NULL, err);
	free(text);
	free(subject);
	return ok;
}

/* Does PostgreSQL know this zone? */
static bool
store_zona_valida(PGconn *conn, const char *zona, struct error *err)
{
	const char *p[1] = { zona };
	PGresult *res;
	bool ok;

	res = db_exec(conn, err, "SELECT EXISTS (SELECT 1 FROM"
	    " pg_timezone_names WHERE name = $1)", 1, p);
	if (res == NULL)
		return false;
	ok = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!ok)
		error_set(err, 422, "zona_horaria_invalida",
		    "La zona horaria «%s» no existe; use un nombre como "
		    "America/Mexico_City.", zona);
	return ok;
}

json_t *
store_mesa_crear(PGconn *conn, long long facilitador_id, const char *titulo,
    const char *entidad, const char *municipio, const char *zona,
    struct error *err)
{
	char fid[24];
	const char *p[5];
	struct mesa m;
	PGresult *res;
	long long id;

	if (!validate_line(titulo, "titulo", 300, false, err) ||
	    !validate_line(entidad, "entidad", 100, false, err) ||
	    (municipio != NULL &&
	    !validate_line(municipio, "municipio", 200, false, err)))
		return NULL;
	if (zona == NULL)
		zona = "America/Mexico_City";
	if (!validate_line(zona, "zona_horaria", 63, false, err) ||
	    !store_zona_valida(conn, zona, err))
		return NULL;
	snprintf(fid, sizeof(fid), "%lld", facilitador_id);
	p[0] = titulo;
	p[1] = entidad;
	p[2] = municipio;
	p[3] = zona;
	p[4] = fid;
	res = db_exec(conn, err, "INSERT INTO mesas (titulo, entidad,"
	    " municipio, zona_horaria, facilitador_id)"
	    " VALUES ($1, $2, $3, $4, $5) RETURNING id", 5, p);
	if (res == NULL)
		return NULL;
	id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (!store_evento(conn, id, facilitador_id, 0, "mesa.creada",
	    json_pack("{s:s, s:s, s:s*, s:s}", "titulo", titulo, "entidad",
	    entidad, "municipio", municipio, "zona_horaria", zona), err,
	    "Mesa «%s» creada en %s.", titulo, entidad))
		return NULL;
	if (!store_mesa_cargar(conn, id, false, &m, err))
		return NULL;
	return store_mesa_ver(conn, &m, err);
}

json_t *
store_mesas_listar(PGconn *conn, long long facilitador_id,
    const char *entidad_forzada, const char *entidad, const char *fase,
    struct error *err)
{
	char fid[24];
	const char *p[4];
	PGresult *res;
	json_t *arr;

	snprintf(fid, sizeof(fid), "%lld", facilitador_id);
	p[0] = facilitador_id ? fid : NULL;
	p[1] = entidad_forzada && *entidad_forzada ? entidad_forzada : NULL;
	p[2] = entidad;
	p[3] = fase;
	res = db_exec(conn, err,
	    "SELECT m.id, m.titulo, m.entidad, m.municipio, m.fase,"
	    " m.fecha::text, to_char(m.hora, 'HH24:MI'), m.lugar,"
	    " u.id, u.nombre,"
	    " (SELECT count(*) FROM actores a WHERE a.mesa_id = m.id),"
	    " (SELECT count(*) FROM materiales x WHERE x.mesa_id = m.id)"
	    " FROM mesas m JOIN usuarios u ON u.id = m.facilitador_id"
	    " WHERE ($1::bigint IS NULL OR m.facilitador_id = $1)"
	    " AND ($2::text IS NULL OR m.entidad = $2)"
	    " AND ($3::text IS NULL OR m.entidad = $3)"
	    " AND ($4::text IS NULL OR m.fase = $4)"
	    " ORDER BY m.id", 4, p);
	if (res == NULL)
		return NULL;
	arr = json_array();
	for (int r = 0; r < PQntuples(res); r++) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:s}",
		    "id", (json_int_t)strtoll(PQgetvalue(res, r, 0), NULL, 10),
		    "titulo", PQgetvalue(res, r, 1),
		    "entidad", PQgetvalue(res, r, 2),
		    "fase", PQgetvalue(res, r, 4));

		for (int c = 3; c <= 7; c++) {
			static const char *const names[] = { "municipio", "",
			    "fecha", "hora", "lugar" };

			if (c == 4)
				continue;
			json_object_set_new(o, names[c - 3],
			    PQgetisnull(res, r, c) ? json_null()
			    : json_string(PQgetvalue(res, r, c)));
		}
		json_object_set_new(o, "facilitador", json_pack("{s:I, s:s}",
		    "id", (json_int_t)strtoll(PQgetvalue(res, r, 8), NULL, 10),
		    "nombre", PQgetvalue(res, r, 9)));
		json_object_set_new(o, "actores",
		    json_integer(strtoll(PQgetvalue(res, r, 10), NULL, 10)));
		json_object_set_new(o, "materiales",
		    json_integer(strtoll(PQgetvalue(res, r, 11), NULL, 10)));
		json_array_append_new(arr, o);
	}
	PQclear(res);
	return json_pack("{s:o}", "mesas", arr);
}

/* Every (actor, material) pair of a mesa with its receipt day, if any. */
#define MESA_PARES							\
	"SELECT a.id, a.nombre, x.id, x.titulo,"			\
	" ac.fecha - date '1970-01-01'"					\
	" FROM actores a JOIN materiales x ON x.mesa_id = a.mesa_id"	\
	" LEFT JOIN acuses ac ON ac.actor_id = a.id"			\
	"   AND ac.material_id = x.id"

/*
 * Reads the pairs in columns col .. col + 4 of res (a NULL actor id is no
 * pair: the view's outer join) into *pendientes (new reference) and runs
 * rules_gate with propuesta.
 */
static bool
store_mesa_gate_pares(const PGresult *res, int col,
    const struct mesa *m, int propuesta, json_t **pendientes,
    int *fecha_minima, int *ultima, struct error *err)
{
	int *fechas, n = 0;
	bool ok;

	fechas = xcalloc((size_t)PQntuples(res) + 1, sizeof(int));
	*pendientes = json_array();
	for (int r = 0; r < PQntuples(res); r++) {
		if (PQgetisnull(res, r, col))
			continue;
		if (!PQgetisnull(res, r, col + 4)) {
			fechas[n++] = atoi(PQgetvalue(res, r, col + 4));
			continue;
		}
		fechas[n++] = RULES_NO_RECIBIDO;
		json_array_append_new(*pendientes, json_pack(
		    "{s:I, s:s, s:I, s:s}",
		    "actor_id", (json_int_t)strtoll(PQgetvalue(res, r, col),
		    NULL, 10), "actor", PQgetvalue(res, r, col + 1),
		    "material_id", (json_int_t)strtoll(PQgetvalue(res, r,
		    col + 2), NULL, 10), "material",
		    PQgetvalue(res, r, col + 3)));
	}
	ok = rules_gate(fechas, (size_t)n, m->hoy, propuesta, fecha_minima,
	    ultima, err);
	free(fechas);
	return ok;
}

bool
store_mesa_gate(PGconn *conn, const struct mesa *m, int propuesta,
    json_t **pendientes, int *fecha_minima, int *ultima, struct error *err)
{
	char idbuf[24];
	const char *p[1] = { idbuf };
	PGresult *res;
	int nactores;
	bool ok;

	*pendientes = NULL;
	*fecha_minima = *ultima = RULES_NO_RECIBIDO;
	snprintf(idbuf, sizeof(idbuf), "%lld", m->id);
	res = db_exec(conn, err, "SELECT count(*) FROM actores"
	    " WHERE mesa_id = $1", 1, p);
	if (res == NULL)
		return false;
	nactores = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (nactores == 0) {
		*pendientes = json_array();
		error_set(err, 409, "sin_actores", "La mesa no tiene actores: "
		    "agréguelos antes de programarla.");
		return false;
	}
	res = db_exec(conn, err, MESA_PARES
	    " WHERE a.mesa_id = $1 ORDER BY a.id, x.id", 1, p);
	if (res == NULL)
		return false;
	ok = store_mesa_gate_pares(res, 0, m, propuesta, pendientes,
	    fecha_minima, ultima, err);
	PQclear(res);
	return ok;
}

/* A date or null, as JSON. */
static json_t *
store_fecha_json(int days)
{
	char s[11];

	if (days == RULES_NO_RECIBIDO)
		return json_null();
	dates_format(days, s);
	return json_string(s);
}

static char *
store_siguiente_paso(const struct mesa *m, int nactores, int nmateriales,
    size_t npendientes, int fecha_minima)
{
	char fecha[11];

	switch (m->fase) {
	case FASE_PREPARACION:
	case FASE_SUSPENDIDA:
		if (nactores == 0)
			return xstrdup("Agregue a los actores de la mesa.");
		if (nmateriales == 0)
			return xstrdup("Agregue los materiales de la "
			    "preparación.");
		if (npendientes > 0)
			return xasprintf("Falta%s %zu acuse%s de recibo antes "
			    "de poder programar la mesa; envíe los materiales "
			    "o registre los acuses.", npendientes == 1 ? "" :
			    "n", npendientes, npendientes == 1 ? "" : "s");
		dates_format(fecha_minima, fecha);
		return xasprintf("Puede programar la mesa a partir del %s.",
		    fecha);
	case FASE_CONVOCADA:
		dates_format(m->fecha, fecha);
		return xasprintf("Mesa convocada para el %s; la sesión puede "
		    "abrirse desde ese día.", fecha);
	case FASE_EN_SESION:
		return xstrdup("Registre las aportaciones del análisis y los "
		    "compromisos.");
	default:
		return xasprintf("La mesa está en «%s».",
		    rules_fase_label(m->fase));
	}
}

/* The view's statement, prepared like every hot read (db.c). */
static const struct db_prepared store_mesa_ver_stmt = { "pald_mesa_ver",
    "SELECT c.municipio, c.nactores,"
    " c.nmateriales, p.*"
    " FROM (SELECT m.id, m.municipio,"
    "  (SELECT count(*) FROM actores a WHERE a.mesa_id = m.id)"
    "   AS nactores,"
    "  (SELECT count(*) FROM materiales x WHERE x.mesa_id = m.id)"
    "   AS nmateriales"
    "  FROM mesas m WHERE m.id = $1 OFFSET 0) c"
    " LEFT JOIN LATERAL (" MESA_PARES
    "  WHERE a.mesa_id = c.id) p ON true"
    " ORDER BY 4, 6" };

json_t *
store_mesa_ver(PGconn *conn, const struct mesa *m, struct error *err)
{
	char idbuf[24], hora[16];
	const char *p[1] = { idbuf };
	PGresult *res;
	json_t *o, *pendientes = NULL;
	struct error gerr;
	int nactores, nmateriales, fecha_minima, ultima;
	char *paso;

	/*
	 * One statement, not three: the view is the most frequent read and
	 * each round trip costs more than the work it carries (make bench).
	 * Row 0 always exists; its pair columns are NULL if there are none.
	 * OFFSET 0 keeps the counts in their own subquery, counted once and
	 * not once per pair.
	 */
	snprintf(idbuf, sizeof(idbuf), "%lld", m->id);
	res = db_exec_prepared(conn, err, &store_mesa_ver_stmt, 1, p);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 0) {
		/* Deleted since it was loaded: reads run without a lock. */
		PQclear(res);
		error_set(err, 404, "mesa_no_encontrada",
		    "No existe la mesa %lld.", m->id);
		return NULL;
	}
	o = json_pack("{s:I, s:s, s:s, s:o, s:s, s:s}",
	    "id", (json_int_t)m->id, "titulo", m->titulo,
	    "entidad", m->entidad,
	    "municipio", PQgetisnull(res, 0, 0) ? json_null()
		: json_string(PQgetvalue(res, 0, 0)),
	    "zona_horaria", m->zona_horaria,
	    "fase", rules_fase_name(m->fase));
	nactores = atoi(PQgetvalue(res, 0, 1));
	nmateriales = atoi(PQgetvalue(res, 0, 2));
	json_object_set_new(o, "fecha", store_fecha_json(m->fecha));
	if (m->hora >= 0) {
		snprintf(hora, sizeof(hora), "%02d:%02d", m->hora / 60,
		    m->hora % 60);
		json_object_set_new(o, "hora", json_string(hora));
		json_object_set_new(o, "lugar", json_string(m->lugar));
	} else {
		json_object_set_new(o, "hora", json_null());
		json_object_set_new(o, "lugar", json_null());
	}
	json_object_set_new(o, "facilitador", json_pack("{s:I, s:s, s:s}",
	    "id", (json_int_t)m->facilitador_id, "nombre",
	    m->facilitador_nombre, "email", m->facilitador_email));
	json_object_set_new(o, "hoy", store_fecha_json(m->hoy));
	json_object_set_new(o, "actores", json_integer(nactores));
	json_object_set_new(o, "materiales", json_integer(nmateriales));

	/*
	 * The gate as of today: what is missing and the earliest date, as
	 * store_mesa_gate answers (its refusals are 409s, not errors here).
	 */
	error_clear(&gerr);
	if (nactores == 0) {
		pendientes = json_array();
		fecha_minima = ultima = RULES_NO_RECIBIDO;
	} else {
		(void)store_mesa_gate_pares(res, 3, m, m->hoy + 100000,
		    &pendientes, &fecha_minima, &ultima, &gerr);
	}
	PQclear(res);
	paso = store_siguiente_paso(m, nactores, nmateriales,
	    json_array_size(pendientes), fecha_minima);
	json_object_set_new(o, "bloqueos", json_pack("{s:o, s:o, s:o}",
	    "pendientes", pendientes,
	    "ultima_recepcion", store_fecha_json(ultima),
	    "fecha_minima", store_fecha_json(fecha_minima)));
	json_object_set_new(o, "siguiente_paso", json_string(paso));
	free(paso);
	return o;
}
