/*
 * Materials, sends and receipts in PostgreSQL. The bytes of a material
 * go in as a binary parameter and come back through PQunescapeBytea;
 * local dates travel as day numbers ("fecha - date '1970-01-01'") so no
 * C code parses a date PostgreSQL wrote. "First receipt wins" is the
 * unique key acuses_actor_material_key with ON CONFLICT DO NOTHING, so
 * two confirmations at once cannot both count.
 *
 * It decides nothing about phases, dates in the future or who may do
 * what: the handlers check that before calling in.
 */
#include "store_materiales.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dates.h"
#include "db.h"
#include "rules.h"
#include "xmalloc.h"

#define ISO_UTC(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Columns of a material, in the order store_material_fill reads them. */
#define MATERIAL_COLUMNS						\
	"m.id, m.mesa_id, m.autor_id, a.nombre, m.tipo, m.titulo,"	\
	" m.nombre_archivo, m.tipo_medio, m.tamano, m.sha256,"		\
	" to_char(m.fecha_entrega, 'YYYY-MM-DD'), " ISO_UTC("m.creado") ","\
	" m.fecha_entrega - date '1970-01-01'"
#define MATERIAL_NCOLUMNS	13
#define MATERIAL_FROM							\
	" FROM materiales m JOIN actores a ON a.id = m.autor_id"

static const struct {
	const char	*tipo;
	const char	*label;
} store_material_tipos[] = {
	{ "problematicas", "Problemáticas" },
	{ "criterios_minimos", "Criterios mínimos" },
	{ "soluciones", "Soluciones" },
	{ "compromisos_preliminares", "Compromisos preliminares" },
	{ "consulta_publica", "Consulta pública" },
	{ "solicitudes_informacion", "Solicitudes de información" },
	{ "estadisticas", "Estadísticas" },
	{ "estudios", "Estudios" },
	{ "otro", "Otro" },
};

const char *
store_material_tipo_label(const char *tipo)
{
	if (tipo == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(store_material_tipos) /
	    sizeof(store_material_tipos[0]); i++)
		if (strcmp(tipo, store_material_tipos[i].tipo) == 0)
			return store_material_tipos[i].label;
	return NULL;
}

static long long
store_ll(const PGresult *res, int r, int c)
{
	return strtoll(PQgetvalue(res, r, c), NULL, 10);
}

/* The material of row r as docs/API.md shows it. */
static json_t *
store_material_json(const PGresult *res, int r)
{
	return json_pack("{s:I, s:I, s:{s:I, s:s}, s:s, s:s, s:o, s:s, s:I,"
	    " s:s, s:s, s:s}",
	    "id", (json_int_t)store_ll(res, r, 0),
	    "mesa_id", (json_int_t)store_ll(res, r, 1),
	    "autor", "id", (json_int_t)store_ll(res, r, 2),
		"nombre", PQgetvalue(res, r, 3),
	    "tipo", PQgetvalue(res, r, 4),
	    "titulo", PQgetvalue(res, r, 5),
	    "archivo", PQgetisnull(res, r, 6) ? json_null()
		: json_string(PQgetvalue(res, r, 6)),
	    "tipo_medio", PQgetvalue(res, r, 7),
	    "tamano", (json_int_t)store_ll(res, r, 8),
	    "sha256", PQgetvalue(res, r, 9),
	    "fecha_entrega", PQgetvalue(res, r, 10),
	    "creado", PQgetvalue(res, r, 11));
}

/* Fills *m from row r; the bytes, if asked, from column contenido_col. */
static bool
store_material_fill(const PGresult *res, int r, int contenido_col,
    struct material *m, struct error *err)
{
	memset(m, 0, sizeof(*m));
	m->id = store_ll(res, r, 0);
	m->autor_id = store_ll(res, r, 2);
	snprintf(m->autor, sizeof(m->autor), "%s", PQgetvalue(res, r, 3));
	snprintf(m->tipo, sizeof(m->tipo), "%s", PQgetvalue(res, r, 4));
	snprintf(m->titulo, sizeof(m->titulo), "%s", PQgetvalue(res, r, 5));
	snprintf(m->archivo, sizeof(m->archivo), "%s",
	    PQgetisnull(res, r, 6) ? "" : PQgetvalue(res, r, 6));
	snprintf(m->tipo_medio, sizeof(m->tipo_medio), "%s",
	    PQgetvalue(res, r, 7));
	m->tamano = store_ll(res, r, 8);
	snprintf(m->sha256, sizeof(m->sha256), "%s", PQgetvalue(res, r, 9));
	m->fecha_entrega = atoi(PQgetvalue(res, r, 12));
	if (contenido_col < 0)
		return true;
	m->contenido = PQunescapeBytea(
	    (const unsigned char *)PQgetvalue(res, r, contenido_col),
	    &m->len);
	if (m->contenido == NULL) {
		error_set(err, 500, "error_interno",
		    "No se pudo leer el contenido del material %lld.", m->id);
		return false;
	}
	return true;
}

void
store_material_cleanup(struct material *m)
{
	if (m->contenido != NULL)
		PQfreemem(m->contenido);
	m->contenido = NULL;
	m->len = 0;
}

json_t *
store_material_crear(PGconn *conn, long long mesa_id,
    const struct material_nuevo *n, struct error *err)
{
	char mesa[24], autor[24], tamano[24], usuario[24], id[24], fecha[11];
	const char *p[11];
	int lengths[11] = { 0 }, formats[11] = { 0 };
	PGresult *res;
	json_t *o;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(autor, sizeof(autor), "%lld", n->autor_id);
	snprintf(tamano, sizeof(tamano), "%zu", n->len);
	snprintf(usuario, sizeof(usuario), "%lld", n->usuario_id);
	dates_format(n->fecha_entrega, fecha);
	p[0] = mesa;
	p[1] = autor;
	p[2] = n->tipo;
	p[3] = n->titulo;
	p[4] = n->archivo;
	p[5] = n->tipo_medio;
	p[6] = tamano;
	p[7] = n->contenido;
	lengths[7] = (int)n->len;
	formats[7] = 1;
	p[8] = n->sha256;
	p[9] = fecha;
	p[10] = usuario;
	res = db_exec_bin(conn, err, "INSERT INTO materiales (mesa_id,"
	    " autor_id, tipo, titulo, nombre_archivo, tipo_medio, tamano,"
	    " contenido, sha256, fecha_entrega, registrado_por)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bytea, $9, $10::date,"
	    " $11) RETURNING id", 11, p, lengths, formats);
	if (res == NULL)
		return NULL;
	snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);

	/* The author has it from the date it was submitted. */
	p[0] = mesa;
	p[1] = autor;
	p[2] = id;
	p[3] = fecha;
	p[4] = usuario;
	p[5] = n->retroactivo ? "t" : "f";
	if (!db_command(conn, err, "INSERT INTO acuses (mesa_id, actor_id,"
	    " material_id, fecha, medio, registrado_por, es_retroactivo)"
	    " VALUES ($1, $2, $3, $4::date, 'autor', $5, $6)", 6, p))
		return NULL;

	p[1] = id;
	res = db_exec(conn, err, "SELECT " MATERIAL_COLUMNS MATERIAL_FROM
	    " WHERE m.mesa_id = $1 AND m.id = $2", 2, p);
	if (res == NULL)
		return NULL;
	o = store_material_json(res, 0);
	PQclear(res);
	return o;
}

json_t *
store_materiales_listar(PGconn *conn, long long mesa_id, struct error *err)
{
	char mesa[24];
	const char *p[1] = { mesa };
	PGresult *mats, *pares;
	json_t *arr;
	int j = 0, npares;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	mats = db_exec(conn, err, "SELECT " MATERIAL_COLUMNS MATERIAL_FROM
	    " WHERE m.mesa_id = $1 ORDER BY m.id", 1, p);
	if (mats == NULL)
		return NULL;
	/* Every (material, actor) pair with its receipt, if any. */
	pares = db_exec(conn, err, "SELECT m.id, a.id, a.nombre,"
	    " to_char(ac.fecha, 'YYYY-MM-DD'), ac.medio, ac.es_retroactivo"
	    " FROM materiales m"
	    " JOIN actores a ON a.mesa_id = m.mesa_id"
	    " LEFT JOIN acuses ac ON ac.material_id = m.id"
	    "   AND ac.actor_id = a.id"
	    " WHERE m.mesa_id = $1 ORDER BY m.id, a.id", 1, p);
	if (pares == NULL) {
		PQclear(mats);
		return NULL;
	}
	npares = PQntuples(pares);
	arr = json_array();
	for (int r = 0; r < PQntuples(mats); r++) {
		json_t *o = store_material_json(mats, r);
		json_t *acuses = json_array(), *pendientes = json_array();
		long long id = store_ll(mats, r, 0);

		/*
		 * Both lists are in material order. Reads run without a
		 * transaction, so the second may see a material the first
		 * did not: skip what does not match.
		 */
		while (j < npares && store_ll(pares, j, 0) < id)
			j++;
		for (; j < npares && store_ll(pares, j, 0) == id; j++) {
			json_int_t actor = store_ll(pares, j, 1);
			const char *nombre = PQgetvalue(pares, j, 2);

			if (PQgetisnull(pares, j, 3))
				json_array_append_new(pendientes, json_pack(
				    "{s:I, s:s}", "actor_id", actor, "actor",
				    nombre));
			else
				json_array_append_new(acuses, json_pack(
				    "{s:I, s:s, s:s, s:s, s:b}",
				    "actor_id", actor, "actor", nombre,
				    "fecha", PQgetvalue(pares, j, 3),
				    "medio", PQgetvalue(pares, j, 4),
				    "retroactivo", strcmp(PQgetvalue(pares,
				    j, 5), "t") == 0));
		}
		json_object_set_new(o, "acuses", acuses);
		json_object_set_new(o, "pendientes", pendientes);
		json_array_append_new(arr, o);
	}
	PQclear(pares);
	PQclear(mats);
	return json_pack("{s:o}", "materiales", arr);
}

bool
store_material_cargar(PGconn *conn, long long mesa_id, long long id,
    bool contenido, struct material *m, struct error *err)
{
	char mesa[24], mid[24];
	const char *p[2] = { mesa, mid };
	PGresult *res;
	bool ok;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(mid, sizeof(mid), "%lld", id);
	res = db_exec(conn, err, contenido
	    ? "SELECT " MATERIAL_COLUMNS ", m.contenido" MATERIAL_FROM
	      " WHERE m.mesa_id = $1 AND m.id = $2"
	    : "SELECT " MATERIAL_COLUMNS MATERIAL_FROM
	      " WHERE m.mesa_id = $1 AND m.id = $2", 2, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		error_set(err, 404, "material_no_encontrado",
		    "No existe el material %lld en esta mesa.", id);
		return false;
	}
	ok = store_material_fill(res, 0, contenido ? MATERIAL_NCOLUMNS : -1,
	    m, err);
	PQclear(res);
	return ok;
}

static int
store_cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Index of material id in mats (sorted by id), or -1. */
static long
store_material_index(const struct material *mats, size_t n, long long id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mats[mid].id == id)
			return (long)mid;
		if (mats[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* "{1,2,3}", a bigint[] literal of ids. */
static void
store_ids_literal(struct buf *b, const long long *ids, size_t n)
{
	buf_putc(b, '{');
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "%s%lld", i ? "," : "", ids[i]);
	buf_putc(b, '}');
}

bool
store_materiales_faltantes(PGconn *conn, long long mesa_id,
    struct material **mats_out, size_t *nmats_out, struct faltante **fs_out,
    size_t *nfs_out, struct error *err)
{
	char mesa[24];
	const char *p[2];
	PGresult *pares = NULL, *res = NULL;
	struct material *mats = NULL;
	struct faltante *fs = NULL;
	long long *ids = NULL;
	size_t nids = 0, nmats = 0, nfs = 0;
	struct buf lit;
	int npares;
	bool ok = false;

	*mats_out = NULL;
	*fs_out = NULL;
	*nmats_out = *nfs_out = 0;
	buf_init(&lit);
	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	p[0] = mesa;
	pares = db_exec(conn, err, "SELECT a.id, a.nombre, a.email, m.id"
	    " FROM actores a JOIN materiales m ON m.mesa_id = a.mesa_id"
	    " WHERE a.mesa_id = $1 AND NOT EXISTS (SELECT 1 FROM acuses ac"
	    "   WHERE ac.actor_id = a.id AND ac.material_id = m.id)"
	    " ORDER BY a.id, m.id", 1, p);
	if (pares == NULL)
		goto out;
	npares = PQntuples(pares);
	if (npares == 0) {
		ok = true;
		goto out;
	}

	/* The distinct materials, then their bytes in one query. */
	ids = xcalloc((size_t)npares, sizeof(*ids));
	for (int r = 0; r < npares; r++)
		ids[r] = store_ll(pares, r, 3);
	qsort(ids, (size_t)npares, sizeof(*ids), store_cmp_ll);
	for (int r = 0; r < npares; r++)
		if (nids == 0 || ids[nids - 1] != ids[r])
			ids[nids++] = ids[r];
	store_ids_literal(&lit, ids, nids);
	p[1] = lit.data;
	res = db_exec(conn, err, "SELECT " MATERIAL_COLUMNS ", m.contenido"
	    MATERIAL_FROM " WHERE m.mesa_id = $1 AND m.id = ANY ($2::bigint[])"
	    " ORDER BY m.id", 2, p);
	if (res == NULL)
		goto out;
	mats = xcalloc((size_t)PQntuples(res) + 1, sizeof(*mats));
	for (int r = 0; r < PQntuples(res); r++) {
		if (!store_material_fill(res, r, MATERIAL_NCOLUMNS,
		    &mats[nmats], err))
			goto out;
		nmats++;
	}

	fs = xcalloc((size_t)npares, sizeof(*fs));
	for (int r = 0; r < npares; r++) {
		long long actor = store_ll(pares, r, 0);
		long idx = store_material_index(mats, nmats,
		    store_ll(pares, r, 3));
		struct faltante *f;

		if (idx < 0)
			continue;	/* materials are never deleted */
		if (nfs == 0 || fs[nfs - 1].actor_id != actor) {
			f = &fs[nfs++];
			f->actor_id = actor;
			snprintf(f->nombre, sizeof(f->nombre), "%s",
			    PQgetvalue(pares, r, 1));
			snprintf(f->email, sizeof(f->email), "%s",
			    PQgetvalue(pares, r, 2));
			f->materiales = xcalloc(nmats, sizeof(size_t));
		}
		f = &fs[nfs - 1];
		f->materiales[f->n++] = (size_t)idx;
	}
	ok = true;
out:
	if (!ok) {
		store_faltantes_free(mats, nmats, fs, nfs);
		mats = NULL;
		fs = NULL;
		nmats = nfs = 0;
	}
	*mats_out = mats;
	*nmats_out = nmats;
	*fs_out = fs;
	*nfs_out = nfs;
	free(ids);
	buf_cleanup(&lit);
	PQclear(res);
	PQclear(pares);
	return ok;
}

void
store_faltantes_free(struct material *mats, size_t nmats,
    struct faltante *fs, size_t nfs)
{
	for (size_t i = 0; i < nmats; i++)
		store_material_cleanup(&mats[i]);
	free(mats);
	for (size_t i = 0; i < nfs; i++)
		free(fs[i].materiales);
	free(fs);
}

bool
store_envio_crear(PGconn *conn, long long mesa_id, long long actor_id,
    const char *token_hash, long long usuario_id, long long outbox_id,
    const long long *materiales, size_t n, long long *envio_id,
    struct error *err)
{
	char mesa[24], actor[24], usuario[24], outbox[24], enlace[24];
	char envio[24];
	const char *p[5];
	struct buf lit;
	PGresult *res;
	bool ok;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(actor, sizeof(actor), "%lld", actor_id);
	snprintf(usuario, sizeof(usuario), "%lld", usuario_id);
	snprintf(outbox, sizeof(outbox), "%lld", outbox_id);
	p[0] = token_hash;
	p[1] = mesa;
	p[2] = actor;
	res = db_exec(conn, err, "INSERT INTO enlaces (hash, proposito,"
	    " mesa_id, actor_id) VALUES ($1, 'acuse', $2, $3) RETURNING id",
	    3, p);
	if (res == NULL)
		return false;
	snprintf(enlace, sizeof(enlace), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);

	p[0] = mesa;
	p[1] = actor;
	p[2] = enlace;
	p[3] = outbox_id > 0 ? outbox : NULL;
	p[4] = usuario_id > 0 ? usuario : NULL;
	res = db_exec(conn, err, "INSERT INTO envios (mesa_id, actor_id,"
	    " enlace_id, outbox_id, enviado_por)"
	    " VALUES ($1, $2, $3, $4, $5) RETURNING id", 5, p);
	if (res == NULL)
		return false;
	snprintf(envio, sizeof(envio), "%s", PQgetvalue(res, 0, 0));
	*envio_id = strtoll(envio, NULL, 10);
	PQclear(res);

	buf_init(&lit);
	store_ids_literal(&lit, materiales, n);
	p[0] = mesa;
	p[1] = envio;
	p[2] = lit.data;
	ok = db_command(conn, err, "INSERT INTO envio_materiales (mesa_id,"
	    " envio_id, material_id)"
	    " SELECT $1, $2, unnest($3::bigint[])", 3, p);
	buf_cleanup(&lit);
	return ok;
}

json_t *
store_acuse_registrar(PGconn *conn, long long mesa_id, long long actor_id,
    long long material_id, int fecha, const char *medio, bool retroactivo,
    long long usuario_id, struct error *err)
{
	char mesa[24], actor[24], material[24], usuario[24], dia[11];
	const char *p[7];
	PGresult *res;
	json_t *o;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(actor, sizeof(actor), "%lld", actor_id);
	snprintf(material, sizeof(material), "%lld", material_id);
	snprintf(usuario, sizeof(usuario), "%lld", usuario_id);
	dates_format(fecha, dia);
	p[0] = mesa;
	p[1] = actor;
	p[2] = material;
	p[3] = dia;
	p[4] = medio;
	p[5] = usuario;
	p[6] = retroactivo ? "t" : "f";
	/* DO NOTHING, not an error: the transaction stays usable. */
	res = db_exec(conn, err, "INSERT INTO acuses (mesa_id, actor_id,"
	    " material_id, fecha, medio, registrado_por, es_retroactivo)"
	    " VALUES ($1, $2, $3, $4::date, $5, $6, $7)"
	    " ON CONFLICT ON CONSTRAINT acuses_actor_material_key DO NOTHING"
	    " RETURNING id", 7, p);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 1) {
		o = json_pack("{s:I, s:I, s:I, s:s, s:s, s:b}",
		    "id", (json_int_t)store_ll(res, 0, 0),
		    "actor_id", (json_int_t)actor_id,
		    "material_id", (json_int_t)material_id,
		    "fecha", dia, "medio", medio, "retroactivo", retroactivo);
		PQclear(res);
		return o;
	}
	PQclear(res);

	p[0] = actor;
	p[1] = material;
	res = db_exec(conn, err, "SELECT to_char(fecha, 'YYYY-MM-DD'), medio"
	    " FROM acuses WHERE actor_id = $1 AND material_id = $2", 2, p);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) == 1)
		error_set(err, 409, "acuse_duplicado", "Ese actor ya tiene "
		    "registrada la recepción de ese material, desde el %s "
		    "(%s).", PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
	else
		error_set(err, 409, "acuse_duplicado", "Ese actor ya tiene "
		    "registrada la recepción de ese material.");
	PQclear(res);
	return NULL;
}

bool
store_enlace_acuse_buscar(PGconn *conn, const char *token_hash,
    struct enlace_acuse *e, struct error *err)
{
	const char *p[1] = { token_hash };
	PGresult *res;

	res = db_exec(conn, err, "SELECT en.id, v.id, v.mesa_id, a.id,"
	    " a.nombre, m.titulo, m.entidad, u.nombre,"
	    " (now() AT TIME ZONE m.zona_horaria)::date - date '1970-01-01'"
	    " FROM enlaces en"
	    " JOIN envios v ON v.enlace_id = en.id"
	    " JOIN actores a ON a.mesa_id = v.mesa_id AND a.id = v.actor_id"
	    " JOIN mesas m ON m.id = v.mesa_id"
	    " JOIN usuarios u ON u.id = m.facilitador_id"
	    " WHERE en.hash = $1 AND en.proposito = 'acuse'"
	    " AND en.revocado IS NULL"
	    " AND (en.expira IS NULL OR en.expira > now())", 1, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		error_set(err, 404, "enlace_no_valido",
		    "El enlace no es válido o fue revocado.");
		return false;
	}
	memset(e, 0, sizeof(*e));
	e->enlace_id = store_ll(res, 0, 0);
	e->envio_id = store_ll(res, 0, 1);
	e->mesa_id = store_ll(res, 0, 2);
	e->actor_id = store_ll(res, 0, 3);
	snprintf(e->actor, sizeof(e->actor), "%s", PQgetvalue(res, 0, 4));
	snprintf(e->mesa, sizeof(e->mesa), "%s", PQgetvalue(res, 0, 5));
	snprintf(e->entidad, sizeof(e->entidad), "%s", PQgetvalue(res, 0, 6));
	snprintf(e->facilitador, sizeof(e->facilitador), "%s",
	    PQgetvalue(res, 0, 7));
	e->hoy = atoi(PQgetvalue(res, 0, 8));
	PQclear(res);
	return true;
}

bool
store_enlace_materiales(PGconn *conn, const struct enlace_acuse *e,
    struct enlace_material **out, size_t *n, struct error *err)
{
	char envio[24], actor[24];
	const char *p[2] = { envio, actor };
	struct enlace_material *list;
	PGresult *res;
	int rows;

	*out = NULL;
	*n = 0;
	snprintf(envio, sizeof(envio), "%lld", e->envio_id);
	snprintf(actor, sizeof(actor), "%lld", e->actor_id);
	res = db_exec(conn, err, "SELECT mt.id, mt.tipo, mt.titulo,"
	    " coalesce(mt.nombre_archivo, ''),"
	    " ac.fecha - date '1970-01-01', coalesce(ac.medio, '')"
	    " FROM envio_materiales em"
	    " JOIN materiales mt ON mt.id = em.material_id"
	    " LEFT JOIN acuses ac ON ac.material_id = mt.id"
	    "   AND ac.actor_id = $2"
	    " WHERE em.envio_id = $1 ORDER BY mt.id", 2, p);
	if (res == NULL)
		return false;
	rows = PQntuples(res);
	list = xcalloc((size_t)rows + 1, sizeof(*list));
	for (int r = 0; r < rows; r++) {
		struct enlace_material *x = &list[r];

		x->id = store_ll(res, r, 0);
		snprintf(x->tipo, sizeof(x->tipo), "%s", PQgetvalue(res, r, 1));
		snprintf(x->titulo, sizeof(x->titulo), "%s",
		    PQgetvalue(res, r, 2));
		snprintf(x->archivo, sizeof(x->archivo), "%s",
		    PQgetvalue(res, r, 3));
		x->fecha = PQgetisnull(res, r, 4) ? RULES_NO_RECIBIDO
		    : atoi(PQgetvalue(res, r, 4));
		snprintf(x->medio, sizeof(x->medio), "%s",
		    PQgetvalue(res, r, 5));
	}
	PQclear(res);
	*out = list;
	*n = (size_t)rows;
	return true;
}

json_t *
store_enlace_confirmar(PGconn *conn, const struct enlace_acuse *e,
    int *fecha, struct error *err)
{
	char envio[24], actor[24], enlace[24];
	const char *p[3] = { envio, actor, enlace };
	long long *ids;
	PGresult *res;
	json_t *arr;
	int rows;

	snprintf(envio, sizeof(envio), "%lld", e->envio_id);
	snprintf(actor, sizeof(actor), "%lld", e->actor_id);
	snprintf(enlace, sizeof(enlace), "%lld", e->enlace_id);
	res = db_exec(conn, err, "INSERT INTO acuses (mesa_id, actor_id,"
	    " material_id, fecha, medio, enlace_id)"
	    " SELECT em.mesa_id, $2, em.material_id,"
	    "   (now() AT TIME ZONE m.zona_horaria)::date, 'enlace', $3"
	    " FROM envio_materiales em JOIN mesas m ON m.id = em.mesa_id"
	    " WHERE em.envio_id = $1 ORDER BY em.material_id"
	    " ON CONFLICT ON CONSTRAINT acuses_actor_material_key DO NOTHING"
	    " RETURNING material_id, fecha - date '1970-01-01'", 3, p);
	if (res == NULL)
		return NULL;
	rows = PQntuples(res);
	*fecha = rows > 0 ? atoi(PQgetvalue(res, 0, 1)) : e->hoy;
	ids = xcalloc((size_t)rows + 1, sizeof(*ids));
	for (int r = 0; r < rows; r++)
		ids[r] = store_ll(res, r, 0);
	PQclear(res);
	qsort(ids, (size_t)rows, sizeof(*ids), store_cmp_ll);
	arr = json_array();
	for (int r = 0; r < rows; r++)
		json_array_append_new(arr, json_integer(ids[r]));
	free(ids);

	p[0] = enlace;
	if (!db_command(conn, err, "UPDATE enlaces SET ultimo_uso = now()"
	    " WHERE id = $1", 1, p)) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}
