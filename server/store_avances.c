/*
 * Progress reports on activities in PostgreSQL. A report is a row of
 * avances, kept for ever, and moves the activity's current state in the
 * same transaction: actividades.estado and avance always describe the
 * last report, and cumplimiento says when the activity was first
 * reported cumplida (the reminder planner skips it from then on). Both
 * ways of reporting, the API and the responsable's personal link, go
 * through store_avances_registrar, so they cannot drift apart; the
 * validation they share is here too, as a pure function, because the
 * link page lists every wrong field at once while the API answers the
 * first.
 *
 * It does not decide who may report or in which phase: the API handler
 * and the link page check the caller and the mesa (under the mesa's row
 * lock, which is what serializes two reports on one activity) first.
 */
#include "store_avances.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dates.h"
#include "db.h"
#include "store_eventos.h"
#include "validate.h"
#include "xmalloc.h"

#define ISO_UTC(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Who reported through a link, as the history shows it. */
#define POR_ENLACE	"responsable (enlace)"

static const struct {
	const char	*estado;
	const char	*label;
} store_avances_estados[] = {
	{ "pendiente", "pendiente" },
	{ "en_progreso", "en progreso" },
	{ "cumplida", "cumplida" },
};

const char *
store_avances_estado_label(const char *estado)
{
	for (size_t i = 0; i < sizeof(store_avances_estados) /
	    sizeof(store_avances_estados[0]); i++)
		if (strcmp(estado, store_avances_estados[i].estado) == 0)
			return store_avances_estados[i].label;
	return estado;
}

/* Validation. */

/*
 * The code point at *s (valid UTF-8, checked by the caller), advancing
 * *s past it.
 */
static unsigned long
store_avances_utf8_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	unsigned long cp;
	int extra;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	if (p[0] < 0xe0) {
		cp = p[0] & 0x1f;
		extra = 1;
	} else if (p[0] < 0xf0) {
		cp = p[0] & 0x0f;
		extra = 2;
	} else {
		cp = p[0] & 0x07;
		extra = 3;
	}
	for (int i = 1; i <= extra; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	*s = p + 1 + extra;
	return cp;
}

/*
 * Whether code point cp may appear in an evidence URL: no control
 * characters and no spaces of any kind, since the URL is shown as a
 * link and must be exactly what the person meant (the schema's CHECK
 * refuses [:space:] and [:cntrl:] too).
 */
static bool
store_avances_url_char(unsigned long cp)
{
	return cp > 0x20 && !(cp >= 0x7f && cp <= 0xa0) && cp != 0x1680 &&
	    !(cp >= 0x2000 && cp <= 0x200b) && cp != 0x2028 &&
	    cp != 0x2029 && cp != 0x202f && cp != 0x205f && cp != 0x3000 &&
	    cp != 0xfeff;
}

static bool
store_avances_evidencia_ok(const char *url)
{
	size_t len = strlen(url), i;
	const unsigned char *p;

	if (len > STORE_AVANCES_EVIDENCIA_MAX || !validate_utf8(url, len))
		return false;
	if (strncasecmp(url, "http://", 7) == 0)
		i = 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		i = 8;
	else
		return false;
	/* A host must follow: "https:///x" or "http://?" name nothing. */
	if (url[i] == '\0' || strchr("/?#", url[i]) != NULL)
		return false;
	for (p = (const unsigned char *)url; *p != '\0';)
		if (!store_avances_url_char(store_avances_utf8_next(&p)))
			return false;
	return true;
}

/* Free text: any character but controls other than tab, CR and LF. */
static bool
store_avances_nota_ok(const char *nota)
{
	size_t len = strlen(nota);
	const unsigned char *p;

	if (len > STORE_AVANCES_NOTA_MAX || !validate_utf8(nota, len))
		return false;
	for (p = (const unsigned char *)nota; *p != '\0';) {
		unsigned long cp = store_avances_utf8_next(&p);

		if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
		    (cp >= 0x7f && cp < 0xa0))
			return false;
	}
	return true;
}

size_t
store_avances_validar(const struct avance_nuevo *n,
    struct error errs[STORE_AVANCES_MAX_ERRORES])
{
	size_t k = 0;

	if (n->estado == NULL || (strcmp(n->estado, "en_progreso") != 0 &&
	    strcmp(n->estado, "cumplida") != 0))
		error_set(&errs[k++], 422, "estado_invalido", "El estado debe "
		    "ser «en_progreso» (en progreso) o «cumplida».");
	if (n->avance != STORE_AVANCES_SIN_AVANCE &&
	    (n->avance < 0 || n->avance > 100))
		error_set(&errs[k++], 422, "avance_invalido", "El avance debe "
		    "ser un número entero de 0 a 100 (por ciento).");
	if (n->evidencia != NULL && !store_avances_evidencia_ok(n->evidencia))
		error_set(&errs[k++], 422, "evidencia_invalida", "La evidencia "
		    "debe ser un enlace que empiece con http:// o https://, "
		    "sin espacios, de hasta %d caracteres.",
		    STORE_AVANCES_EVIDENCIA_MAX);
	if (n->nota != NULL && !store_avances_nota_ok(n->nota))
		error_set(&errs[k++], 422, "texto_invalido", "La nota debe ser "
		    "texto de hasta %d bytes, sin caracteres de control.",
		    STORE_AVANCES_NOTA_MAX);
	return k;
}

/* Loading. */

static long long
store_avances_ll(const PGresult *res, int r, int c)
{
	return strtoll(PQgetvalue(res, r, c), NULL, 10);
}

/* A nullable text column, owned; NULL for SQL NULL. */
static char *
store_avances_dup(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? NULL : xstrdup(PQgetvalue(res, r, c));
}

static json_t *
store_avances_jtext(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

bool
store_avances_mesa(PGconn *conn, long long actividad_id, long long *mesa_id,
    struct error *err)
{
	char id[24];
	const char *p[1] = { id };
	PGresult *res;

	snprintf(id, sizeof(id), "%lld", actividad_id);
	res = db_exec(conn, err, "SELECT mesa_id FROM actividades"
	    " WHERE id = $1", 1, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		error_set(err, 404, "actividad_no_encontrada",
		    "No existe la actividad %lld.", actividad_id);
		return false;
	}
	*mesa_id = store_avances_ll(res, 0, 0);
	PQclear(res);
	return true;
}

#define ACTIVIDAD_SELECT						\
	"SELECT a.id, a.mesa_id, a.compromiso_id, a.numero, c.numero,"	\
	" c.titulo, a.descripcion, a.responsable_nombre,"		\
	" a.responsable_email, a.responsable_cargo,"			\
	" a.responsable_institucion, a.entregable,"			\
	" a.fecha_limite - date '1970-01-01', a.estado, a.avance,"	\
	" coalesce(" ISO_UTC("a.cumplimiento") ", ''),"		\
	" coalesce((a.cumplimiento AT TIME ZONE m.zona_horaria)::date"	\
	"   - date '1970-01-01', 0),"					\
	" (now() AT TIME ZONE m.zona_horaria)::date - date '1970-01-01'"\
	" FROM actividades a"						\
	" JOIN compromisos c ON c.id = a.compromiso_id"			\
	" JOIN mesas m ON m.id = a.mesa_id"				\
	" WHERE a.mesa_id = $1 AND a.id = $2"

bool
store_avances_actividad(PGconn *conn, long long mesa_id,
    long long actividad_id, bool lock, struct avance_actividad *a,
    struct error *err)
{
	char mesa[24], id[24];
	const char *p[2] = { mesa, id };
	PGresult *res;

	memset(a, 0, sizeof(*a));
	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(id, sizeof(id), "%lld", actividad_id);
	res = db_exec(conn, err, lock ? ACTIVIDAD_SELECT " FOR UPDATE OF a"
	    : ACTIVIDAD_SELECT, 2, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		error_set(err, 404, "actividad_no_encontrada",
		    "No existe la actividad %lld.", actividad_id);
		return false;
	}
	a->id = store_avances_ll(res, 0, 0);
	a->mesa_id = store_avances_ll(res, 0, 1);
	a->compromiso_id = store_avances_ll(res, 0, 2);
	a->numero = atoi(PQgetvalue(res, 0, 3));
	a->compromiso_numero = atoi(PQgetvalue(res, 0, 4));
	a->compromiso_titulo = xstrdup(PQgetvalue(res, 0, 5));
	a->descripcion = xstrdup(PQgetvalue(res, 0, 6));
	a->responsable_nombre = xstrdup(PQgetvalue(res, 0, 7));
	a->responsable_email = xstrdup(PQgetvalue(res, 0, 8));
	a->responsable_cargo = store_avances_dup(res, 0, 9);
	a->responsable_institucion = store_avances_dup(res, 0, 10);
	a->entregable = store_avances_dup(res, 0, 11);
	a->fecha_limite = atoi(PQgetvalue(res, 0, 12));
	snprintf(a->estado, sizeof(a->estado), "%s", PQgetvalue(res, 0, 13));
	a->avance = atoi(PQgetvalue(res, 0, 14));
	snprintf(a->cumplimiento, sizeof(a->cumplimiento), "%s",
	    PQgetvalue(res, 0, 15));
	a->cumplimiento_dia = atoi(PQgetvalue(res, 0, 16));
	a->hoy = atoi(PQgetvalue(res, 0, 17));
	PQclear(res);
	return true;
}

void
store_avances_actividad_cleanup(struct avance_actividad *a)
{
	free(a->compromiso_titulo);
	free(a->descripcion);
	free(a->responsable_nombre);
	free(a->responsable_email);
	free(a->responsable_cargo);
	free(a->responsable_institucion);
	free(a->entregable);
	a->compromiso_titulo = a->descripcion = a->responsable_nombre = NULL;
	a->responsable_email = a->responsable_cargo = NULL;
	a->responsable_institucion = a->entregable = NULL;
}


json_t *
store_avances_actividad_json(const struct avance_actividad *a)
{
	char fecha[11];

	dates_format(a->fecha_limite, fecha);
	return json_pack("{s:I, s:I, s:{s:I, s:i, s:s}, s:i, s:s,"
	    " s:{s:s, s:s, s:o, s:o}, s:s, s:o, s:s, s:i, s:o, s:i}",
	    "id", (json_int_t)a->id,
	    "mesa_id", (json_int_t)a->mesa_id,
	    "compromiso",
		"id", (json_int_t)a->compromiso_id,
		"numero", a->compromiso_numero,
		"titulo", a->compromiso_titulo,
	    "numero", a->numero,
	    "descripcion", a->descripcion,
	    "responsable",
		"nombre", a->responsable_nombre,
		"email", a->responsable_email,
		"cargo", store_avances_jtext(a->responsable_cargo),
		"institucion", store_avances_jtext(a->responsable_institucion),
	    "fecha_limite", fecha,
	    "entregable", store_avances_jtext(a->entregable),
	    "estado", a->estado,
	    "avance", a->avance,
	    "cumplimiento", a->cumplimiento[0] != '\0'
		? json_string(a->cumplimiento) : json_null(),
	    "dias_restantes", a->fecha_limite - a->hoy);
}

bool
store_avances_enlace(PGconn *conn, const char *token_hash,
    long long *enlace_id, long long *mesa_id, long long *actividad_id,
    struct error *err)
{
	const char *p[1] = { token_hash };
	PGresult *res;

	res = db_exec(conn, err, "SELECT id, mesa_id, actividad_id"
	    " FROM enlaces WHERE hash = $1 AND proposito = 'avance'"
	    " AND revocado IS NULL AND (expira IS NULL OR expira > now())",
	    1, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		error_set(err, 404, "enlace_no_valido",
		    "El enlace no es válido o fue revocado.");
		return false;
	}
	*enlace_id = store_avances_ll(res, 0, 0);
	*mesa_id = store_avances_ll(res, 0, 1);
	*actividad_id = store_avances_ll(res, 0, 2);
	PQclear(res);
	return true;
}

/* The history. */

/*
 * Reports on actividad_id oldest first (reportado is the instant of the
 * transaction, so ties within one are broken by id); only avance_id
 * when it is not 0. A new array, or NULL with err.
 */
static json_t *
store_avances_cargar(PGconn *conn, long long actividad_id,
    long long avance_id, struct error *err)
{
	char act[24], id[24];
	const char *p[2] = { act, NULL };
	PGresult *res;
	json_t *arr;

	snprintf(act, sizeof(act), "%lld", actividad_id);
	if (avance_id != 0) {
		snprintf(id, sizeof(id), "%lld", avance_id);
		p[1] = id;
	}
	res = db_exec(conn, err, "SELECT av.id, av.actividad_id, av.estado,"
	    " av.avance, av.evidencia_url, av.nota, " ISO_UTC("av.reportado")
	    ", u.id, u.nombre,"
	    " to_char(av.reportado AT TIME ZONE m.zona_horaria, 'YYYY-MM-DD')"
	    " FROM avances av JOIN mesas m ON m.id = av.mesa_id"
	    " LEFT JOIN usuarios u ON u.id = av.usuario_id"
	    " WHERE av.actividad_id = $1"
	    " AND ($2::bigint IS NULL OR av.id = $2)"
	    " ORDER BY av.reportado, av.id", 2, p);
	if (res == NULL)
		return NULL;
	arr = json_array();
	for (int r = 0; r < PQntuples(res); r++) {
		bool usuario = !PQgetisnull(res, r, 7);

		json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:o,"
		    " s:o, s:o, s:s, s:s, s:s, s:o, s:s}",
		    "id", (json_int_t)store_avances_ll(res, r, 0),
		    "actividad_id", (json_int_t)store_avances_ll(res, r, 1),
		    "estado", PQgetvalue(res, r, 2),
		    "avance", PQgetisnull(res, r, 3) ? json_null()
			: json_integer(store_avances_ll(res, r, 3)),
		    "evidencia", PQgetisnull(res, r, 4) ? json_null()
			: json_string(PQgetvalue(res, r, 4)),
		    "nota", PQgetisnull(res, r, 5) ? json_null()
			: json_string(PQgetvalue(res, r, 5)),
		    "reportado", PQgetvalue(res, r, 6),
		    "fecha", PQgetvalue(res, r, 9),
		    "por", usuario ? PQgetvalue(res, r, 8) : POR_ENLACE,
		    "usuario", usuario ? json_pack("{s:I, s:s}", "id",
			(json_int_t)store_avances_ll(res, r, 7), "nombre",
			PQgetvalue(res, r, 8)) : json_null(),
		    "origen", usuario ? "usuario" : "enlace"));
	}
	PQclear(res);
	return arr;
}

json_t *
store_avances_listar(PGconn *conn, long long actividad_id,
    struct error *err)
{
	return store_avances_cargar(conn, actividad_id, 0, err);
}

/* Recording. */

static bool
store_avances_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/*
 * A text quoted in a one-line description: control characters as
 * spaces, at most about 60 bytes, cut on a character boundary with "…".
 */
static const char *
store_avances_corto(const char *s, char out[80])
{
	size_t n = strlen(s), i;

	if (n > 60) {
		n = 57;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 ? ' ' : s[i];
	if (n < strlen(s))
		memcpy(out + i, "…", sizeof("…"));
	else
		out[i] = '\0';
	return out;
}

/* "en progreso, 40 %" for people, in the event's description. */
static void
store_avances_estado_texto(const char *estado, int avance, char out[48])
{
	snprintf(out, 48, "%s, %d %%", store_avances_estado_label(estado),
	    avance);
}

json_t *
store_avances_registrar(PGconn *conn, struct avance_actividad *a,
    const struct avance_nuevo *n, const char *quien, struct error *err)
{
	char mesa[24], act[24], avance[8], usuario[24], enlace[24], antes[48];
	char despues[48], corto[80], antes_estado[16];
	const char *p[8];
	const char *nota = n->nota != NULL && !store_avances_blank(n->nota)
	    ? n->nota : NULL;
	bool cumplida = strcmp(n->estado, "cumplida") == 0;
	int reportado = cumplida ? 100 : n->avance, antes_avance = a->avance;
	long long avance_id;
	PGresult *res;
	json_t *arr, *o;

	snprintf(mesa, sizeof(mesa), "%lld", a->mesa_id);
	snprintf(act, sizeof(act), "%lld", a->id);
	snprintf(avance, sizeof(avance), "%d", reportado);
	snprintf(usuario, sizeof(usuario), "%lld", n->usuario_id);
	snprintf(enlace, sizeof(enlace), "%lld", n->enlace_id);
	p[0] = mesa;
	p[1] = act;
	p[2] = n->estado;
	p[3] = reportado >= 0 ? avance : NULL;
	p[4] = n->evidencia;
	p[5] = nota;
	p[6] = n->enlace_id != 0 ? enlace : NULL;
	p[7] = n->usuario_id != 0 ? usuario : NULL;
	res = db_exec(conn, err, "INSERT INTO avances (mesa_id, actividad_id,"
	    " estado, avance, evidencia_url, nota, enlace_id, usuario_id)"
	    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id", 8, p);
	if (res == NULL)
		return NULL;
	avance_id = store_avances_ll(res, 0, 0);
	PQclear(res);

	/*
	 * The first cumplida report dates the completion; a later one
	 * (a correction of the evidence, say) keeps that date. Going back
	 * to en_progreso clears it, as the schema requires.
	 */
	res = db_exec(conn, err, "UPDATE actividades AS a SET estado = $3,"
	    " avance = coalesce($4::smallint, a.avance),"
	    " cumplimiento = CASE WHEN $3 = 'cumplida'"
	    "   THEN coalesce(a.cumplimiento, now()) END,"
	    " actualizado = now()"
	    " FROM mesas m WHERE m.id = a.mesa_id"
	    " AND a.mesa_id = $1 AND a.id = $2"
	    " RETURNING a.avance, coalesce(" ISO_UTC("a.cumplimiento") ", ''),"
	    " coalesce((a.cumplimiento AT TIME ZONE m.zona_horaria)::date"
	    "   - date '1970-01-01', 0)", 4, p);
	if (res == NULL)
		return NULL;
	if (PQntuples(res) != 1) {
		PQclear(res);
		error_set(err, 404, "actividad_no_encontrada",
		    "No existe la actividad %lld.", a->id);
		return NULL;
	}
	snprintf(antes_estado, sizeof(antes_estado), "%s", a->estado);
	snprintf(a->estado, sizeof(a->estado), "%s", n->estado);
	a->avance = atoi(PQgetvalue(res, 0, 0));
	snprintf(a->cumplimiento, sizeof(a->cumplimiento), "%s",
	    PQgetvalue(res, 0, 1));
	a->cumplimiento_dia = atoi(PQgetvalue(res, 0, 2));
	PQclear(res);

	if (n->enlace_id != 0 && !db_command(conn, err, "UPDATE enlaces"
	    " SET ultimo_uso = now() WHERE id = $1", 1, &p[6]))
		return NULL;

	store_avances_estado_texto(antes_estado, antes_avance, antes);
	store_avances_estado_texto(a->estado, a->avance, despues);
	if (!store_evento(conn, a->mesa_id, n->usuario_id, 0,
	    "avance.registrado", json_pack("{s:I, s:I, s:I, s:s, s:o,"
	    " s:{s:s, s:i}, s:{s:s, s:i}, s:o, s:o, s:o}",
	    "actividad_id", (json_int_t)a->id,
	    "avance_id", (json_int_t)avance_id,
	    "compromiso_id", (json_int_t)a->compromiso_id,
	    "origen", n->enlace_id != 0 ? "enlace" : "usuario",
	    "enlace_id", n->enlace_id != 0 ? json_integer(n->enlace_id)
		: json_null(),
	    "antes", "estado", antes_estado, "avance", antes_avance,
	    "despues", "estado", a->estado, "avance", a->avance,
	    "avance_reportado", reportado >= 0 ? json_integer(reportado)
		: json_null(),
	    "evidencia", store_avances_jtext(n->evidencia),
	    "nota", store_avances_jtext(nota)), err,
	    "%s reportó avance en la actividad %d.%d «%s»: %s (antes: %s).",
	    quien, a->compromiso_numero, a->numero,
	    store_avances_corto(a->descripcion, corto), despues, antes))
		return NULL;

	if ((arr = store_avances_cargar(conn, a->id, avance_id, err)) == NULL)
		return NULL;
	o = json_incref(json_array_get(arr, 0));
	json_decref(arr);
	if (o == NULL)
		error_set(err, 500, "error_interno",
		    "No se pudo leer el avance %lld.", avance_id);
	return o;
}
