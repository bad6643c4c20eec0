/*
 * Commitments, their activities and the attestation of their criteria in
 * PostgreSQL. Numbers (commitment N, activity N.M) are max + 1 taken
 * under the mesa's row lock, which every writer of a mesa holds, so two
 * facilitators cannot both take the same number; the unique keys are
 * the backstop. The listing is three queries merged in order, never one
 * query per commitment, because the PAL's canonical JSON and its PDF are
 * built from it.
 *
 * This file does not validate what people typed, check phases or write
 * events: the handlers do that before and after calling it.
 */
#include "store_compromisos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "db.h"

#define ISO_UTC(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

#define COMPROMISO_COLUMNS						\
	"c.id, c.mesa_id, c.numero, c.titulo, c.tipo, c.problema,"	\
	" c.descripcion, c.alineacion, c.indicador, c.meta, c.institucion,"\
	" to_char(c.inicio, 'YYYY-MM-DD'), to_char(c.fin, 'YYYY-MM-DD')"

#define ACTIVIDAD_COLUMNS						\
	"a.id, a.compromiso_id, a.numero, a.descripcion,"		\
	" a.responsable_nombre, a.responsable_cargo,"			\
	" a.responsable_institucion, a.responsable_email,"		\
	" to_char(a.fecha_limite, 'YYYY-MM-DD'), a.entregable,"		\
	" a.estado, a.avance"

static json_int_t
store_int(const PGresult *res, int r, int c)
{
	return (json_int_t)strtoll(PQgetvalue(res, r, c), NULL, 10);
}

/* A nullable text column as a JSON string or null (new reference). */
static json_t *
store_text(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? json_null()
	    : json_string(PQgetvalue(res, r, c));
}

static json_t *
store_compromiso_row(const PGresult *res, int r)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o,"
	    " s:o, s:s, s:s, s:[], s:[], s:i}",
	    "id", store_int(res, r, 0),
	    "mesa_id", store_int(res, r, 1),
	    "numero", store_int(res, r, 2),
	    "titulo", PQgetvalue(res, r, 3),
	    "tipo", PQgetvalue(res, r, 4),
	    "problema", store_text(res, r, 5),
	    "descripcion", store_text(res, r, 6),
	    "alineacion", store_text(res, r, 7),
	    "indicador", store_text(res, r, 8),
	    "meta", store_text(res, r, 9),
	    "institucion", store_text(res, r, 10),
	    "inicio", PQgetvalue(res, r, 11),
	    "fin", PQgetvalue(res, r, 12),
	    "criterios", "actividades", "avance", 0);
}

/* Reads the ACTIVIDAD_COLUMNS of row r starting at column 0. */
static json_t *
store_actividad_row(const PGresult *res, int r)
{
	return json_pack("{s:I, s:I, s:I, s:s, s:{s:s, s:o, s:o, s:s}, s:s,"
	    " s:o, s:s, s:I}",
	    "id", store_int(res, r, 0),
	    "compromiso_id", store_int(res, r, 1),
	    "numero", store_int(res, r, 2),
	    "descripcion", PQgetvalue(res, r, 3),
	    "responsable",
		"nombre", PQgetvalue(res, r, 4),
		"cargo", store_text(res, r, 5),
		"institucion", store_text(res, r, 6),
		"email", PQgetvalue(res, r, 7),
	    "fecha_limite", PQgetvalue(res, r, 8),
	    "entregable", store_text(res, r, 9),
	    "estado", PQgetvalue(res, r, 10),
	    "avance", store_int(res, r, 11));
}

/*
 * The commitment with id `id` in arr, searching from *k on (children
 * arrive in the commitments' order, so the search is almost always one
 * step). NULL if it is not there: a commitment added by another
 * transaction between two queries of a READ COMMITTED listing.
 */
static json_t *
store_find(json_t *arr, size_t *k, json_int_t id)
{
	for (size_t i = *k; i < json_array_size(arr); i++) {
		json_t *c = json_array_get(arr, i);

		if (json_integer_value(json_object_get(c, "id")) == id) {
			*k = i;
			return c;
		}
	}
	return NULL;
}

/*
 * The commitments of mesa_id (compromiso_id 0) or just one, with their
 * criteria, activities and average progress: a new JSON array, or NULL
 * with err.
 */
static json_t *
store_compromisos_cargar(PGconn *conn, long long mesa_id,
    long long compromiso_id, struct error *err)
{
	char mesa[24], comp[24];
	const char *p[2] = { mesa, NULL };
	PGresult *res;
	json_t *arr, *c;
	size_t k, i;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	if (compromiso_id != 0) {
		snprintf(comp, sizeof(comp), "%lld", compromiso_id);
		p[1] = comp;
	}
	res = db_exec(conn, err, "SELECT " COMPROMISO_COLUMNS
	    " FROM compromisos c WHERE c.mesa_id = $1"
	    " AND ($2::bigint IS NULL OR c.id = $2) ORDER BY c.numero", 2, p);
	if (res == NULL)
		return NULL;
	arr = json_array();
	for (int r = 0; r < PQntuples(res); r++)
		json_array_append_new(arr, store_compromiso_row(res, r));
	PQclear(res);
	if (json_array_size(arr) == 0)
		return arr;

	res = db_exec(conn, err, "SELECT x.compromiso_id, x.criterio,"
	    " x.quien, x.justificacion, " ISO_UTC("x.registrado")
	    " FROM criterios x JOIN compromisos c ON c.id = x.compromiso_id"
	    " WHERE c.mesa_id = $1 AND ($2::bigint IS NULL OR c.id = $2)"
	    " ORDER BY c.numero, x.criterio", 2, p);
	if (res == NULL)
		goto fail;
	k = 0;
	for (int r = 0; r < PQntuples(res); r++) {
		if ((c = store_find(arr, &k, store_int(res, r, 0))) == NULL)
			continue;
		json_array_append_new(json_object_get(c, "criterios"),
		    json_pack("{s:s, s:s, s:s, s:s}",
		    "criterio", PQgetvalue(res, r, 1),
		    "quien", PQgetvalue(res, r, 2),
		    "justificacion", PQgetvalue(res, r, 3),
		    "registrado", PQgetvalue(res, r, 4)));
	}
	PQclear(res);

	res = db_exec(conn, err, "SELECT " ACTIVIDAD_COLUMNS
	    " FROM actividades a JOIN compromisos c ON c.id = a.compromiso_id"
	    " WHERE c.mesa_id = $1 AND ($2::bigint IS NULL OR c.id = $2)"
	    " ORDER BY c.numero, a.numero", 2, p);
	if (res == NULL)
		goto fail;
	k = 0;
	for (int r = 0; r < PQntuples(res); r++) {
		if ((c = store_find(arr, &k, store_int(res, r, 1))) == NULL)
			continue;
		json_array_append_new(json_object_get(c, "actividades"),
		    store_actividad_row(res, r));
	}
	PQclear(res);

	/* A commitment's progress: the mean of its activities', rounded. */
	json_array_foreach(arr, i, c) {
		json_t *acts = json_object_get(c, "actividades"), *a;
		long long sum = 0, n = (long long)json_array_size(acts);
		size_t j;

		if (n == 0)
			continue;
		json_array_foreach(acts, j, a)
			sum += json_integer_value(json_object_get(a, "avance"));
		json_object_set_new(c, "avance",
		    json_integer((sum * 2 + n) / (2 * n)));
	}
	return arr;
fail:
	json_decref(arr);
	return NULL;
}

json_t *
store_compromisos_listar(PGconn *conn, long long mesa_id, struct error *err)
{
	return store_compromisos_cargar(conn, mesa_id, 0, err);
}

json_t *
store_compromiso_ver(PGconn *conn, long long mesa_id, long long compromiso_id,
    struct error *err)
{
	json_t *arr, *c;

	if ((arr = store_compromisos_cargar(conn, mesa_id, compromiso_id,
	    err)) == NULL)
		return NULL;
	if (json_array_size(arr) != 1) {
		json_decref(arr);
		error_set(err, 404, "compromiso_no_encontrado",
		    "No existe el compromiso %lld en esta mesa.",
		    compromiso_id);
		return NULL;
	}
	c = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	return c;
}

bool
store_compromiso_mesa(PGconn *conn, long long compromiso_id,
    long long *mesa_id, struct error *err)
{
	char comp[24];
	const char *p[1] = { comp };
	PGresult *res;

	snprintf(comp, sizeof(comp), "%lld", compromiso_id);
	res = db_exec(conn, err, "SELECT mesa_id FROM compromisos"
	    " WHERE id = $1", 1, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		error_set(err, 404, "compromiso_no_encontrado",
		    "No existe el compromiso %lld.", compromiso_id);
		return false;
	}
	*mesa_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return true;
}

/* Fills p[0..10) with c's fields in the order of the statements below. */
static void
store_compromiso_params(const struct compromiso *c, char inicio[11],
    char fin[11], const char *p[10])
{
	dates_format(c->inicio, inicio);
	dates_format(c->fin, fin);
	p[0] = c->titulo;
	p[1] = c->tipo;
	p[2] = c->problema;
	p[3] = c->descripcion;
	p[4] = c->alineacion;
	p[5] = c->indicador;
	p[6] = c->meta;
	p[7] = c->institucion;
	p[8] = inicio;
	p[9] = fin;
}

long long
store_compromiso_crear(PGconn *conn, long long mesa_id,
    const struct compromiso *c, long long usuario_id, struct error *err)
{
	char mesa[24], usuario[24], inicio[11], fin[11];
	const char *p[12];
	PGresult *res;
	long long id;

	store_compromiso_params(c, inicio, fin, p);
	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(usuario, sizeof(usuario), "%lld", usuario_id);
	p[10] = mesa;
	p[11] = usuario;
	res = db_exec(conn, err, "INSERT INTO compromisos (mesa_id, numero,"
	    " titulo, tipo, problema, descripcion, alineacion, indicador,"
	    " meta, institucion, inicio, fin, creado_por)"
	    " SELECT $11, coalesce(max(numero), 0) + 1, $1, $2, $3, $4, $5,"
	    " $6, $7, $8, $9, $10, $12"
	    " FROM compromisos WHERE mesa_id = $11 RETURNING id", 12, p);
	if (res == NULL)
		return 0;
	id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return id;
}

bool
store_compromiso_actualizar(PGconn *conn, long long mesa_id,
    long long compromiso_id, const struct compromiso *c, struct error *err)
{
	char mesa[24], comp[24], inicio[11], fin[11];
	const char *p[12];

	store_compromiso_params(c, inicio, fin, p);
	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(comp, sizeof(comp), "%lld", compromiso_id);
	p[10] = mesa;
	p[11] = comp;
	return db_command(conn, err, "UPDATE compromisos SET titulo = $1,"
	    " tipo = $2, problema = $3, descripcion = $4, alineacion = $5,"
	    " indicador = $6, meta = $7, institucion = $8, inicio = $9,"
	    " fin = $10, actualizado = now()"
	    " WHERE mesa_id = $11 AND id = $12", 12, p);
}

bool
store_compromiso_actividades_en_plazo(PGconn *conn, long long compromiso_id,
    int numero_compromiso, int inicio, int fin, struct error *err)
{
	char comp[24], ini[11], end[11];
	const char *p[3] = { comp, ini, end };
	PGresult *res;

	snprintf(comp, sizeof(comp), "%lld", compromiso_id);
	dates_format(inicio, ini);
	dates_format(fin, end);
	res = db_exec(conn, err, "SELECT numero,"
	    " to_char(fecha_limite, 'YYYY-MM-DD') FROM actividades"
	    " WHERE compromiso_id = $1 AND fecha_limite NOT BETWEEN $2 AND $3"
	    " ORDER BY numero LIMIT 1", 3, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) == 1) {
		error_set(err, 422, "fecha_fuera_de_plazo", "La actividad "
		    "%d.%s vence el %s, fuera del nuevo plazo del compromiso "
		    "(del %s al %s); cambie primero su fecha límite.",
		    numero_compromiso, PQgetvalue(res, 0, 0),
		    PQgetvalue(res, 0, 1), ini, end);
		PQclear(res);
		return false;
	}
	PQclear(res);
	return true;
}

json_t *
store_actividad_crear(PGconn *conn, long long mesa_id,
    long long compromiso_id, const struct actividad *a, struct error *err)
{
	char mesa[24], comp[24], fecha[11];
	const char *p[9];
	PGresult *res;
	json_t *o;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(comp, sizeof(comp), "%lld", compromiso_id);
	dates_format(a->fecha_limite, fecha);
	p[0] = mesa;
	p[1] = comp;
	p[2] = a->descripcion;
	p[3] = a->responsable_nombre;
	p[4] = a->responsable_cargo;
	p[5] = a->responsable_institucion;
	p[6] = a->responsable_email;
	p[7] = fecha;
	p[8] = a->entregable;
	res = db_exec(conn, err, "INSERT INTO actividades AS a (mesa_id,"
	    " compromiso_id, numero, descripcion, responsable_nombre,"
	    " responsable_cargo, responsable_institucion, responsable_email,"
	    " fecha_limite, entregable)"
	    " SELECT $1, $2, coalesce(max(numero), 0) + 1, $3, $4, $5, $6, $7,"
	    " $8, $9 FROM actividades WHERE compromiso_id = $2"
	    " RETURNING " ACTIVIDAD_COLUMNS, 9, p);
	if (res == NULL)
		return NULL;
	o = store_actividad_row(res, 0);
	PQclear(res);
	return o;
}

json_t *
store_criterio_atestiguar(PGconn *conn, long long compromiso_id,
    const char *criterio, const char *quien, const char *justificacion,
    long long usuario_id, json_t **anterior, struct error *err)
{
	char comp[24], usuario[24];
	const char *p[5];
	PGresult *res;
	json_t *o;

	*anterior = NULL;
	snprintf(comp, sizeof(comp), "%lld", compromiso_id);
	snprintf(usuario, sizeof(usuario), "%lld", usuario_id);
	p[0] = comp;
	p[1] = criterio;
	/*
	 * The row to be replaced is read first: the upsert's RETURNING only
	 * sees the new values. The mesa's row lock keeps it from changing
	 * in between.
	 */
	res = db_exec(conn, err, "SELECT quien, justificacion, "
	    ISO_UTC("registrado") ", registrado_por FROM criterios"
	    " WHERE compromiso_id = $1 AND criterio = $2", 2, p);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 1)
		*anterior = json_pack("{s:s, s:s, s:s, s:o}",
		    "quien", PQgetvalue(res, 0, 0),
		    "justificacion", PQgetvalue(res, 0, 1),
		    "registrado", PQgetvalue(res, 0, 2),
		    "registrado_por", PQgetisnull(res, 0, 3) ? json_null()
			: json_integer(store_int(res, 0, 3)));
	PQclear(res);
	p[2] = quien;
	p[3] = justificacion;
	p[4] = usuario;
	res = db_exec(conn, err, "INSERT INTO criterios (compromiso_id,"
	    " criterio, quien, justificacion, registrado_por)"
	    " VALUES ($1, $2, $3, $4, $5)"
	    " ON CONFLICT (compromiso_id, criterio) DO UPDATE"
	    " SET quien = excluded.quien,"
	    " justificacion = excluded.justificacion, registrado = now(),"
	    " registrado_por = excluded.registrado_por"
	    " RETURNING " ISO_UTC("registrado"), 5, p);
	if (res == NULL) {
		json_decref(*anterior);
		*anterior = NULL;
		return NULL;
	}
	o = json_pack("{s:I, s:s, s:s, s:s, s:s}",
	    "compromiso_id", (json_int_t)compromiso_id,
	    "criterio", criterio, "quien", quien,
	    "justificacion", justificacion,
	    "registrado", PQgetvalue(res, 0, 0));
	PQclear(res);
	return o;
}
