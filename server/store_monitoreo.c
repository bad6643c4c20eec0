/*
 * One query answers the whole monitoring view: each activity of the
 * visible PALs with its mesa, commitment, traffic light and days, and for
 * an overdue one its latest report. PostgreSQL computes each mesa's local
 * today from its zone, once per mesa, so the light never depends on the
 * daemon's clock or zone. The rows come ordered by mesa, commitment and
 * activity, and are grouped here into plain C structs that point into
 * the PGresult: the API, the export and the dashboard render the same
 * view, and no intermediate JSON is built (building one object per row
 * was most of the time of a 10,000-activity answer).
 *
 * The dashboard's credentials live here too: web sessions (sesiones_web)
 * and 'monitoreo' personal links (enlaces). Their tokens are made with
 * common/token.h and stored only hashed; the clear token is written to
 * the caller once and never logged. Nothing here knows about HTTP beyond
 * filling a struct usuario.
 */
#include "store_monitoreo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "http.h"
#include "xmalloc.h"

#define ISO_UTC(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Columns of the query, in order. */
enum {
	COL_MESA_ID, COL_MESA, COL_ENTIDAD, COL_VERSION, COL_HOY,
	COL_COMPROMISO_ID, COL_COMPROMISO_NUMERO, COL_COMPROMISO, COL_TIPO,
	COL_INICIO, COL_FIN, COL_ACTIVIDAD_ID, COL_NUMERO, COL_ACTIVIDAD,
	COL_RESPONSABLE, COL_INSTITUCION, COL_FECHA_LIMITE, COL_ESTADO,
	COL_AVANCE, COL_LUZ, COL_DIAS, COL_UA_REPORTADO, COL_UA_ESTADO,
	COL_UA_AVANCE, COL_UA_NOTA
};

/*
 * The mesas come first, in a materialized CTE, so that each mesa's local
 * today is computed once: inlined, the planner evaluated the time-zone
 * conversion for every activity, several times per row. The latest
 * report is looked for only for the overdue activities of those mesas,
 * in one pass (u), rather than by a lateral subquery per activity,
 * which cost more than the rest of the query. The light is an enum
 * monitoreo_luz number, so the C side compares no strings.
 */
static const char store_monitoreo_sql[] =
    "WITH m AS MATERIALIZED (SELECT m.id, m.titulo, m.entidad,"
    "  v.numero AS version, (now() AT TIME ZONE m.zona_horaria)::date AS hoy"
    " FROM mesas m"
    " LEFT JOIN pal_versiones v ON v.mesa_id = m.id AND v.anulada IS NULL"
    " WHERE m.fase IN ('en_seguimiento', 'concluida')"
    "  AND ($1::bigint IS NULL OR m.facilitador_id = $1::bigint)"
    "  AND ($2::text IS NULL OR m.entidad = $2::text)"
    "  AND ($3::text IS NULL OR m.entidad = $3::text)),"
    " u AS (SELECT DISTINCT ON (av.actividad_id) av.actividad_id,"
    "  av.reportado, av.estado, av.avance, av.nota"
    " FROM m JOIN actividades a ON a.mesa_id = m.id"
    "  AND a.estado <> 'cumplida' AND a.fecha_limite < m.hoy"
    " JOIN avances av ON av.actividad_id = a.id"
    " ORDER BY av.actividad_id, av.reportado DESC, av.id DESC)"
    " SELECT m.id, m.titulo, m.entidad, m.version, m.hoy::text,"
    " c.id, c.numero, c.titulo, c.tipo, c.inicio::text, c.fin::text,"
    " a.id, a.numero, a.descripcion, a.responsable_nombre,"
    " a.responsable_institucion, a.fecha_limite::text, a.estado, a.avance,"
    " CASE WHEN a.estado = 'cumplida' THEN 0"
    "  WHEN a.fecha_limite < m.hoy THEN 3"
    "  WHEN a.fecha_limite - m.hoy <= $4::int THEN 2"
    "  ELSE 1 END,"
    " a.fecha_limite - m.hoy,"
    " " ISO_UTC("u.reportado") ", u.estado, u.avance, u.nota"
    " FROM m"
    " JOIN compromisos c ON c.mesa_id = m.id"
    " JOIN actividades a ON a.mesa_id = m.id AND a.compromiso_id = c.id"
    " LEFT JOIN u ON u.actividad_id = a.id"
    " ORDER BY m.id, c.numero, a.numero";

static const char *const store_monitoreo_codigos[MONITOREO_NLUCES] = {
	"cumplido", "a_tiempo", "por_vencer", "vencido"
};

const char *
store_monitoreo_luz_codigo(enum monitoreo_luz luz)
{
	return store_monitoreo_codigos[luz];
}

/* A text column, NULL for SQL NULL; borrowed from res. */
static const char *
store_monitoreo_text(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static long long
store_monitoreo_int(const PGresult *res, int row, int col, long long null)
{
	if (PQgetisnull(res, row, col))
		return null;
	return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void
store_monitoreo_actividad(const PGresult *res, int i,
    struct monitoreo_actividad *a)
{
	long long luz = store_monitoreo_int(res, i, COL_LUZ, 0);

	a->id = store_monitoreo_int(res, i, COL_ACTIVIDAD_ID, 0);
	a->numero = (int)store_monitoreo_int(res, i, COL_NUMERO, 0);
	a->descripcion = store_monitoreo_text(res, i, COL_ACTIVIDAD);
	a->responsable = store_monitoreo_text(res, i, COL_RESPONSABLE);
	a->institucion = store_monitoreo_text(res, i, COL_INSTITUCION);
	a->fecha_limite = store_monitoreo_text(res, i, COL_FECHA_LIMITE);
	a->estado = store_monitoreo_text(res, i, COL_ESTADO);
	a->avance = (int)store_monitoreo_int(res, i, COL_AVANCE, 0);
	a->luz = luz >= 0 && luz < MONITOREO_NLUCES ?
	    (enum monitoreo_luz)luz : MONITOREO_VENCIDO;
	a->dias = (int)store_monitoreo_int(res, i, COL_DIAS, 0);
	a->ua_reportado = store_monitoreo_text(res, i, COL_UA_REPORTADO);
	a->ua_estado = store_monitoreo_text(res, i, COL_UA_ESTADO);
	a->ua_avance = (int)store_monitoreo_int(res, i, COL_UA_AVANCE, -1);
	a->ua_nota = store_monitoreo_text(res, i, COL_UA_NOTA);
}

/* The rounded mean of sum over n activities; 0 for none. */
static int
store_monitoreo_media(long sum, long n)
{
	return n > 0 ? (int)((sum + n / 2) / n) : 0;
}

/* Running totals of a PAL or a commitment while its rows go by. */
struct store_monitoreo_cuenta {
	long	luces[MONITOREO_NLUCES];
	long	suma, n;
	int	peor;
};

static void
store_monitoreo_contar(struct store_monitoreo_cuenta *c,
    const struct monitoreo_actividad *a)
{
	c->luces[a->luz]++;
	c->suma += a->avance;
	c->n++;
	if ((int)a->luz > c->peor)
		c->peor = (int)a->luz;
}

/*
 * Closes the last commitment of v: its totals, and with vencidas it is
 * dropped again unless its light is vencido.
 */
static void
store_monitoreo_cerrar_compromiso(struct monitoreo_vista *v,
    struct monitoreo_pal *p, const struct store_monitoreo_cuenta *c,
    bool vencidas)
{
	struct monitoreo_compromiso *comp;

	if (p == NULL || p->ncompromisos == 0)
		return;
	comp = &p->compromisos[p->ncompromisos - 1];
	comp->avance = store_monitoreo_media(c->suma, c->n);
	comp->luz = (enum monitoreo_luz)c->peor;
	if (vencidas && comp->luz != MONITOREO_VENCIDO) {
		p->ncompromisos--;
		v->ncompromisos--;
	}
}

static void
store_monitoreo_cerrar_pal(struct monitoreo_vista *v,
    const struct store_monitoreo_cuenta *c, bool vencidas)
{
	struct monitoreo_pal *p;

	if (v->npals == 0)
		return;
	p = &v->pals[v->npals - 1];
	p->avance = store_monitoreo_media(c->suma, c->n);
	memcpy(p->luces, c->luces, sizeof(p->luces));
	/* Its commitments were all dropped too: none had vencido. */
	if (vencidas && p->luces[MONITOREO_VENCIDO] == 0)
		v->npals--;
}

/* Groups the rows of v->res, ordered by mesa and commitment. */
static void
store_monitoreo_agrupar(struct monitoreo_vista *v, bool vencidas)
{
	const PGresult *res = v->res;
	struct store_monitoreo_cuenta cp, cc;
	struct monitoreo_pal *p = NULL;
	struct monitoreo_compromiso *comp = NULL;
	long long mesa = 0, compromiso = 0;
	size_t n = v->nactividades;

	memset(&cp, 0, sizeof(cp));
	memset(&cc, 0, sizeof(cc));
	for (size_t i = 0; i < n; i++) {
		struct monitoreo_actividad *a = &v->actividades[i];
		long long m = store_monitoreo_int(res, (int)i, COL_MESA_ID, 0);
		long long c = store_monitoreo_int(res, (int)i,
		    COL_COMPROMISO_ID, 0);

		store_monitoreo_actividad(res, (int)i, a);
		if (p == NULL || m != mesa) {
			store_monitoreo_cerrar_compromiso(v, p, &cc, vencidas);
			store_monitoreo_cerrar_pal(v, &cp, vencidas);
			memset(&cp, 0, sizeof(cp));
			mesa = m;
			compromiso = 0;
			p = &v->pals[v->npals++];
			memset(p, 0, sizeof(*p));
			p->mesa_id = m;
			p->titulo = store_monitoreo_text(res, (int)i, COL_MESA);
			p->entidad = store_monitoreo_text(res, (int)i,
			    COL_ENTIDAD);
			p->hoy = store_monitoreo_text(res, (int)i, COL_HOY);
			p->version = (int)store_monitoreo_int(res, (int)i,
			    COL_VERSION, 0);
			p->compromisos = &v->compromisos[v->ncompromisos];
		}
		if (comp == NULL || c != compromiso) {
			if (compromiso != 0)
				store_monitoreo_cerrar_compromiso(v, p, &cc,
				    vencidas);
			memset(&cc, 0, sizeof(cc));
			compromiso = c;
			comp = &v->compromisos[v->ncompromisos++];
			p->ncompromisos++;
			memset(comp, 0, sizeof(*comp));
			comp->id = c;
			comp->numero = (int)store_monitoreo_int(res, (int)i,
			    COL_COMPROMISO_NUMERO, 0);
			comp->titulo = store_monitoreo_text(res, (int)i,
			    COL_COMPROMISO);
			comp->tipo = store_monitoreo_text(res, (int)i,
			    COL_TIPO);
			comp->inicio = store_monitoreo_text(res, (int)i,
			    COL_INICIO);
			comp->fin = store_monitoreo_text(res, (int)i, COL_FIN);
			comp->actividades = a;
		}
		comp->nactividades++;
		store_monitoreo_contar(&cp, a);
		store_monitoreo_contar(&cc, a);
		/* AAAA-MM-DD: text order is date order. */
		if ((a->luz == MONITOREO_A_TIEMPO ||
		    a->luz == MONITOREO_POR_VENCER) &&
		    (comp->proximo_vencimiento == NULL ||
		    strcmp(a->fecha_limite, comp->proximo_vencimiento) < 0))
			comp->proximo_vencimiento = a->fecha_limite;
	}
	store_monitoreo_cerrar_compromiso(v, p, &cc, vencidas);
	store_monitoreo_cerrar_pal(v, &cp, vencidas);
}

bool
store_monitoreo_vista(PGconn *conn, const struct monitoreo_filtro *f,
    struct monitoreo_vista *v, struct error *err)
{
	char fac[24], prox[16];
	const char *p[4];
	size_t n;

	memset(v, 0, sizeof(*v));
	snprintf(fac, sizeof(fac), "%lld", f->facilitador_id);
	snprintf(prox, sizeof(prox), "%d", f->proximas);
	p[0] = f->facilitador_id > 0 ? fac : NULL;
	p[1] = f->entidad_garante;
	p[2] = f->entidad;
	p[3] = prox;
	if ((v->res = db_exec(conn, err, store_monitoreo_sql, 4, p)) == NULL)
		return false;
	n = (size_t)PQntuples(v->res);
	/* At most one PAL and one commitment per row. */
	v->actividades = xcalloc(n + 1, sizeof(*v->actividades));
	v->compromisos = xcalloc(n + 1, sizeof(*v->compromisos));
	v->pals = xcalloc(n + 1, sizeof(*v->pals));
	v->nactividades = n;
	store_monitoreo_agrupar(v, f->vencidas);
	return true;
}

void
store_monitoreo_vista_cleanup(struct monitoreo_vista *v)
{
	free(v->pals);
	free(v->compromisos);
	free(v->actividades);
	PQclear(v->res);
	memset(v, 0, sizeof(*v));
}

/* null for NULL, else a string (jansson checks it is UTF-8). */
static json_t *
store_monitoreo_json_str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
store_monitoreo_json_fila(const struct monitoreo_pal *p,
    const struct monitoreo_compromiso *c, const struct monitoreo_actividad *a)
{
	json_t *ua = json_null();

	if (a->ua_reportado != NULL)
		ua = json_pack("{s:s, s:o, s:o, s:o}", "reportado",
		    a->ua_reportado, "estado",
		    store_monitoreo_json_str(a->ua_estado), "avance",
		    a->ua_avance >= 0 ? json_integer(a->ua_avance) :
		    json_null(), "nota", store_monitoreo_json_str(a->ua_nota));
	return json_pack("{s:I, s:o, s:o, s:o, s:I, s:i, s:o, s:o, s:I, s:i,"
	    " s:o, s:o, s:o, s:o, s:o, s:i, s:s, s:i, s:o}",
	    "mesa_id", (json_int_t)p->mesa_id,
	    "mesa", store_monitoreo_json_str(p->titulo),
	    "entidad", store_monitoreo_json_str(p->entidad),
	    "version", p->version > 0 ? json_integer(p->version) : json_null(),
	    "compromiso_id", (json_int_t)c->id,
	    "compromiso_numero", c->numero,
	    "compromiso", store_monitoreo_json_str(c->titulo),
	    "tipo", store_monitoreo_json_str(c->tipo),
	    "actividad_id", (json_int_t)a->id,
	    "numero", a->numero,
	    "actividad", store_monitoreo_json_str(a->descripcion),
	    "responsable", store_monitoreo_json_str(a->responsable),
	    "institucion_responsable",
	    store_monitoreo_json_str(a->institucion),
	    "fecha_limite", store_monitoreo_json_str(a->fecha_limite),
	    "estado", store_monitoreo_json_str(a->estado),
	    "avance", a->avance,
	    "semaforo", store_monitoreo_luz_codigo(a->luz),
	    "dias", a->dias,
	    "ultimo_avance", ua);
}

json_t *
store_monitoreo_actividades(PGconn *conn, const struct monitoreo_filtro *f,
    struct error *err)
{
	struct monitoreo_filtro todas = *f;
	struct monitoreo_vista v;
	json_t *out;

	todas.vencidas = false;
	if (!store_monitoreo_vista(conn, &todas, &v, err)) {
		store_monitoreo_vista_cleanup(&v);
		return NULL;
	}
	out = json_array();
	for (size_t i = 0; i < v.npals; i++) {
		const struct monitoreo_pal *p = &v.pals[i];

		for (size_t j = 0; j < p->ncompromisos; j++) {
			const struct monitoreo_compromiso *c =
			    &p->compromisos[j];

			for (size_t k = 0; k < c->nactividades; k++)
				json_array_append_new(out,
				    store_monitoreo_json_fila(p, c,
				    &c->actividades[k]));
		}
	}
	store_monitoreo_vista_cleanup(&v);
	return out;
}

/* Copies the columns id, rol, nombre, entidad of row 0 into u. */
static void
store_monitoreo_fill_usuario(const PGresult *res, struct usuario *u)
{
	memset(u, 0, sizeof(*u));
	u->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	snprintf(u->rol, sizeof(u->rol), "%s", PQgetvalue(res, 0, 1));
	snprintf(u->nombre, sizeof(u->nombre), "%s", PQgetvalue(res, 0, 2));
	snprintf(u->entidad, sizeof(u->entidad), "%s", PQgetvalue(res, 0, 3));
}

/*
 * Runs sql (one parameter, the hash; it returns the user's columns) and
 * fills u from its one row; with no row, err gets status, code and text.
 */
static bool
store_monitoreo_usuario_de(PGconn *conn, const char *sql, const char *hash,
    struct usuario *u, int status, const char *code, const char *text,
    struct error *err)
{
	const char *p[1] = { hash };
	PGresult *res;
	bool ok;

	if ((res = db_exec(conn, err, sql, 1, p)) == NULL)
		return false;
	ok = PQntuples(res) == 1;
	if (ok)
		store_monitoreo_fill_usuario(res, u);
	else
		error_set(err, status, code, "%s", text);
	PQclear(res);
	return ok;
}

#define USUARIO_COLS "u.id, u.rol, u.nombre, coalesce(u.entidad, '')"

bool
store_monitoreo_token_usuario(PGconn *conn, const char *hash,
    struct usuario *u, struct error *err)
{
	return store_monitoreo_usuario_de(conn, "SELECT " USUARIO_COLS
	    " FROM tokens t JOIN usuarios u ON u.id = t.usuario_id"
	    " WHERE t.hash = $1 AND t.revocado IS NULL AND u.activo", hash, u,
	    401, "no_autenticado", "El token no es válido o fue revocado.",
	    err);
}

/* A new secret and its hash; que names it in the error ("el enlace"). */
static bool
store_monitoreo_secreto(char token[TOKEN_TEXT_LEN + 1],
    char hash[TOKEN_HASH_LEN + 1], const char *que, struct error *err)
{
	if (!token_generate(token)) {
		error_set(err, 500, "error_interno", "No se pudo generar %s; "
		    "intente de nuevo.", que);
		return false;
	}
	token_hash(token, hash);
	return true;
}

bool
store_monitoreo_sesion_crear(PGconn *conn, long long usuario_id,
    char token[TOKEN_TEXT_LEN + 1], struct error *err)
{
	char hash[TOKEN_HASH_LEN + 1], uid[24], horas[8];
	const char *p[3] = { hash, uid, horas };

	if (!db_command(conn, err, "DELETE FROM sesiones_web"
	    " WHERE expira <= now()", 0, NULL))
		return false;
	if (!store_monitoreo_secreto(token, hash, "la sesión", err))
		return false;
	snprintf(uid, sizeof(uid), "%lld", usuario_id);
	snprintf(horas, sizeof(horas), "%d", MONITOREO_SESION_HORAS);
	return db_command(conn, err, "INSERT INTO sesiones_web (hash,"
	    " usuario_id, expira) VALUES ($1, $2, now() + $3::int"
	    " * interval '1 hour')", 3, p);
}

bool
store_monitoreo_sesion_usuario(PGconn *conn, const char *hash,
    struct usuario *u, struct error *err)
{
	return store_monitoreo_usuario_de(conn, "UPDATE sesiones_web s"
	    " SET ultimo_uso = now() FROM usuarios u"
	    " WHERE s.hash = $1 AND s.expira > now() AND u.id = s.usuario_id"
	    " AND u.activo RETURNING " USUARIO_COLS, hash, u, 401,
	    "sesion_no_valida", "Su sesión terminó o no es válida.", err);
}

bool
store_monitoreo_sesion_borrar(PGconn *conn, const char *hash,
    struct error *err)
{
	const char *p[1] = { hash };

	return db_command(conn, err, "DELETE FROM sesiones_web WHERE hash = $1",
	    1, p);
}

bool
store_monitoreo_enlace_crear(PGconn *conn, long long usuario_id, int dias,
    char token[TOKEN_TEXT_LEN + 1], char *expira, size_t expira_size,
    struct error *err)
{
	char hash[TOKEN_HASH_LEN + 1], uid[24], ndias[8];
	const char *p[3] = { hash, uid, ndias };
	PGresult *res;

	if (dias < 1 || dias > 366) {
		error_set(err, 422, "dias_invalido", "Un enlace de monitoreo "
		    "vale de 1 a 366 días, no %d.", dias);
		return false;
	}
	if (!store_monitoreo_secreto(token, hash, "el enlace", err))
		return false;
	snprintf(uid, sizeof(uid), "%lld", usuario_id);
	snprintf(ndias, sizeof(ndias), "%d", dias);
	res = db_exec(conn, err, "INSERT INTO enlaces (hash, proposito,"
	    " usuario_id, expira) VALUES ($1, 'monitoreo', $2,"
	    " now() + $3::int * interval '1 day')"
	    " RETURNING " ISO_UTC("expira"), 3, p);
	if (res == NULL)
		return false;
	if (expira != NULL && expira_size > 0)
		snprintf(expira, expira_size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return true;
}

bool
store_monitoreo_enlace_usuario(PGconn *conn, const char *hash,
    struct usuario *u, struct error *err)
{
	return store_monitoreo_usuario_de(conn, "UPDATE enlaces e"
	    " SET ultimo_uso = now() FROM usuarios u"
	    " WHERE e.hash = $1 AND e.proposito = 'monitoreo'"
	    " AND e.revocado IS NULL AND (e.expira IS NULL OR e.expira > now())"
	    " AND u.id = e.usuario_id AND u.activo RETURNING " USUARIO_COLS,
	    hash, u, 404, "enlace_no_valido", "Enlace no válido.", err);
}
