/*
 * /v1/monitoreo: what the organismo garante watches. Every activity of
 * the PALs in follow-up the caller may see comes from one query, grouped
 * into PALs and commitments with their traffic lights already computed
 * against each mesa's local today (store_monitoreo.c); here that view is
 * written as the JSON answer, or flattened into the export (JSON or CSV)
 * for public reporting. POST /v1/monitoreo/enlace hands the caller a
 * personal link to the web dashboard (web_monitoreo.c), which shares
 * this file's filter so that both show exactly the same thing.
 *
 * Who sees what follows the read rule of api_mesas.c: an admin all, a
 * facilitador its own mesas, a garante its entidad (all when it has
 * none), and a garante asking for another entidad is refused rather
 * than answered with nothing. Nothing here writes but the link.
 */
#include "api_monitoreo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "csv.h"
#include "xmalloc.h"

#define API_MONITOREO_JSON	"application/json; charset=utf-8"

#define MONITOREO_PROXIMAS_DEFECTO	14
#define MONITOREO_PROXIMAS_MAX		366

/* The export's columns, in the order of docs/API.md. */
static const char *const monitoreo_columnas[] = { "mesa_id", "entidad",
	"mesa", "compromiso_id", "compromiso", "tipo", "actividad_id",
	"actividad", "responsable", "institucion_responsable", "fecha_limite",
	"estado", "avance", "semaforo", "dias" };
#define MONITOREO_NCOLUMNAS \
	(sizeof(monitoreo_columnas) / sizeof(monitoreo_columnas[0]))

/* True if s is 1..max in plain digits, stored in *n. */
static bool
api_monitoreo_numero(const char *s, int max, int *n)
{
	int v = 0;

	if (*s == '\0' || strlen(s) > 4)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
	}
	*n = v;
	return v >= 1 && v <= max;
}

bool
api_monitoreo_filtro(const struct req *rq, bool leer_vencidas,
    struct monitoreo_filtro *f, char **entidad, struct error *err)
{
	char *prox = req_query(rq, "proximas");
	char *venc = leer_vencidas ? req_query(rq, "vencidas") : NULL;
	bool ok = false;

	memset(f, 0, sizeof(*f));
	f->proximas = MONITOREO_PROXIMAS_DEFECTO;
	*entidad = req_query(rq, "entidad");
	if (*entidad != NULL && (*entidad)[0] == '\0') {
		free(*entidad);
		*entidad = NULL;
	}
	if (prox != NULL && !api_monitoreo_numero(prox,
	    MONITOREO_PROXIMAS_MAX, &f->proximas)) {
		error_set(err, 422, "proximas_invalido", "«proximas» debe ser "
		    "un número de días entre 1 y %d, no «%.40s».",
		    MONITOREO_PROXIMAS_MAX, prox);
		goto out;
	}
	if (venc != NULL && strcmp(venc, "0") != 0 &&
	    strcmp(venc, "1") != 0) {
		error_set(err, 422, "vencidas_invalido", "«vencidas» debe ser "
		    "0 o 1, no «%.40s».", venc);
		goto out;
	}
	f->vencidas = venc != NULL && strcmp(venc, "1") == 0;
	if (strcmp(rq->user.rol, "facilitador") == 0)
		f->facilitador_id = rq->user.id;
	else if (strcmp(rq->user.rol, "garante") == 0 &&
	    rq->user.entidad[0] != '\0') {
		if (*entidad != NULL &&
		    strcmp(*entidad, rq->user.entidad) != 0) {
			error_set(err, 403, "prohibido", "Solo puede consultar "
			    "los PAL de %s.", rq->user.entidad);
			goto out;
		}
		f->entidad_garante = rq->user.entidad;
	}
	f->entidad = *entidad;
	ok = true;
out:
	free(prox);
	free(venc);
	return ok;
}

/*
 * The answers are written straight as JSON text into a buffer rather
 * than built as a jansson tree and dumped: for 10,000 activities the
 * tree's allocations were most of the daemon's time (DESIGN.md section
 * 9 asks for under 100 ms). Strings go through buf_put_json_str, which
 * writes what json_dumps(JSON_COMPACT) does: UTF-8 as is (the database
 * is UTF-8), '"', '\\' and control characters escaped.
 *
 * ,"key": then the string s (or null).
 */
static void
api_monitoreo_jkey_str(struct buf *b, const char *key, const char *s)
{
	buf_printf(b, ",\"%s\":", key);
	buf_put_json_str(b, s);
}

/* An activity's object up to its deadline, left open for what follows. */
static void
api_monitoreo_actividad(struct buf *b, const struct monitoreo_actividad *a)
{
	buf_printf(b, "{\"actividad_id\":%lld,\"numero\":%d", a->id,
	    a->numero);
	api_monitoreo_jkey_str(b, "descripcion", a->descripcion);
	api_monitoreo_jkey_str(b, "responsable", a->responsable);
	api_monitoreo_jkey_str(b, "fecha_limite", a->fecha_limite);
}

static void
api_monitoreo_vencida(struct buf *b, const struct monitoreo_actividad *a)
{
	api_monitoreo_actividad(b, a);
	buf_printf(b, ",\"dias_vencida\":%d,\"ultimo_avance\":", -a->dias);
	if (a->ua_reportado == NULL) {
		buf_puts(b, "null}");
		return;
	}
	buf_puts(b, "{\"reportado\":");
	buf_put_json_str(b, a->ua_reportado);
	api_monitoreo_jkey_str(b, "estado", a->ua_estado);
	if (a->ua_avance >= 0)
		buf_printf(b, ",\"avance\":%d", a->ua_avance);
	else
		buf_puts(b, ",\"avance\":null");
	api_monitoreo_jkey_str(b, "nota", a->ua_nota);
	buf_puts(b, "}}");
}

static void
api_monitoreo_proxima(struct buf *b, const struct monitoreo_actividad *a)
{
	api_monitoreo_actividad(b, a);
	buf_printf(b, ",\"dias\":%d}", a->dias);
}

/*
 * A commitment: its light and percentage, its next deadline, the
 * overdue activities and, without vencidas, those por vencer.
 */
static void
api_monitoreo_compromiso(struct buf *b, const struct monitoreo_compromiso *c,
    bool vencidas)
{
	size_t k, n;

	buf_printf(b, "{\"id\":%lld,\"numero\":%d", c->id, c->numero);
	api_monitoreo_jkey_str(b, "titulo", c->titulo);
	api_monitoreo_jkey_str(b, "tipo", c->tipo);
	buf_printf(b, ",\"avance\":%d,\"semaforo\":\"%s\"", c->avance,
	    store_monitoreo_luz_codigo(c->luz));
	api_monitoreo_jkey_str(b, "proximo_vencimiento",
	    c->proximo_vencimiento);
	buf_puts(b, ",\"proximas\":[");
	for (k = n = 0; k < c->nactividades && !vencidas; k++)
		if (c->actividades[k].luz == MONITOREO_POR_VENCER) {
			if (n++ > 0)
				buf_putc(b, ',');
			api_monitoreo_proxima(b, &c->actividades[k]);
		}
	buf_puts(b, "],\"vencidas\":[");
	for (k = n = 0; k < c->nactividades; k++)
		if (c->actividades[k].luz == MONITOREO_VENCIDO) {
			if (n++ > 0)
				buf_putc(b, ',');
			api_monitoreo_vencida(b, &c->actividades[k]);
		}
	buf_puts(b, "]}");
}

static void
api_monitoreo_pal(struct buf *b, const struct monitoreo_pal *p,
    bool vencidas)
{
	buf_printf(b, "{\"mesa_id\":%lld", p->mesa_id);
	api_monitoreo_jkey_str(b, "titulo", p->titulo);
	api_monitoreo_jkey_str(b, "entidad", p->entidad);
	if (p->version > 0)
		buf_printf(b, ",\"version\":%d", p->version);
	else
		buf_puts(b, ",\"version\":null");
	buf_printf(b, ",\"avance\":%d,\"semaforo\":{", p->avance);
	for (int i = 0; i < MONITOREO_NLUCES; i++)
		buf_printf(b, "%s\"%s\":%ld", i > 0 ? "," : "",
		    store_monitoreo_luz_codigo((enum monitoreo_luz)i),
		    p->luces[i]);
	buf_puts(b, "},\"compromisos\":[");
	for (size_t k = 0; k < p->ncompromisos; k++) {
		if (k > 0)
			buf_putc(b, ',');
		api_monitoreo_compromiso(b, &p->compromisos[k], vencidas);
	}
	buf_puts(b, "]}");
}

/*
 * Loads the view for the filter of the query into v; false after
 * replying. v is the caller's to clean up either way.
 */
static bool
api_monitoreo_cargar(struct req *rq, bool leer_vencidas,
    struct monitoreo_filtro *f, struct monitoreo_vista *v)
{
	struct error err;
	char *entidad = NULL;
	bool ok;

	memset(v, 0, sizeof(*v));
	ok = api_monitoreo_filtro(rq, leer_vencidas, f, &entidad, &err) &&
	    store_monitoreo_vista(rq->db, f, v, &err);
	f->entidad = NULL;
	free(entidad);
	if (!ok)
		reply_error(rq, &err);
	return ok;
}

void
api_monitoreo(struct req *rq)
{
	struct monitoreo_filtro f;
	struct monitoreo_vista v;
	struct buf out;

	if (api_monitoreo_cargar(rq, true, &f, &v)) {
		buf_init(&out);
		buf_printf(&out, "{\"proximas\":%d,\"pals\":[", f.proximas);
		for (size_t i = 0; i < v.npals; i++) {
			if (i > 0)
				buf_putc(&out, ',');
			api_monitoreo_pal(&out, &v.pals[i], f.vencidas);
		}
		buf_puts(&out, "]}\n");
		reply_bytes(rq, 200, API_MONITOREO_JSON, out.data, out.len);
		buf_cleanup(&out);
	}
	store_monitoreo_vista_cleanup(&v);
}

/*
 * The fields of one export row, in monitoreo_columnas order: the text
 * s[k], or the number n[k] when s[k] is NULL, or null when nulo[k].
 */
struct api_monitoreo_fila {
	const char	*s[MONITOREO_NCOLUMNAS];
	long long	 n[MONITOREO_NCOLUMNAS];
	bool		 nulo[MONITOREO_NCOLUMNAS];
};

static void
api_monitoreo_fila(const struct monitoreo_pal *p,
    const struct monitoreo_compromiso *c,
    const struct monitoreo_actividad *a, struct api_monitoreo_fila *r)
{
	memset(r, 0, sizeof(*r));
	r->n[0] = p->mesa_id;
	r->s[1] = p->entidad;
	r->s[2] = p->titulo;
	r->n[3] = c->id;
	r->s[4] = c->titulo;
	r->s[5] = c->tipo;
	r->n[6] = a->id;
	r->s[7] = a->descripcion;
	r->s[8] = a->responsable;
	r->s[9] = a->institucion;
	r->nulo[9] = a->institucion == NULL;
	r->s[10] = a->fecha_limite;
	r->s[11] = a->estado;
	r->n[12] = a->avance;
	r->s[13] = store_monitoreo_luz_codigo(a->luz);
	r->n[14] = a->dias;
}

/* One export row as a JSON object; n is the rows written before it. */
static void
api_monitoreo_fila_json(struct buf *out, const struct api_monitoreo_fila *r,
    size_t n)
{
	buf_puts(out, n > 0 ? ",{" : "{");
	for (size_t col = 0; col < MONITOREO_NCOLUMNAS; col++) {
		buf_printf(out, "%s\"%s\":", col > 0 ? "," : "",
		    monitoreo_columnas[col]);
		if (r->nulo[col] || r->s[col] != NULL)
			buf_put_json_str(out, r->s[col]);
		else
			buf_printf(out, "%lld", r->n[col]);
	}
	buf_putc(out, '}');
}

/* One export row as a CSV record. */
static void
api_monitoreo_fila_csv(struct buf *out, const struct api_monitoreo_fila *r)
{
	for (size_t k = 0; k < MONITOREO_NCOLUMNAS; k++) {
		bool last = k == MONITOREO_NCOLUMNAS - 1;

		/*
		 * Numbers are ours, never formulas: dias is negative when
		 * overdue and must stay a number, so it skips the
		 * neutralising of csv_field.
		 */
		if (r->s[k] == NULL && !r->nulo[k])
			buf_printf(out, "%lld%s", r->n[k], last ? "\r\n" : ",");
		else
			csv_field(out, r->s[k], last);
	}
}

/* The export, one row per activity, as a JSON or a CSV attachment. */
static void
api_monitoreo_exportar(struct req *rq, bool csv)
{
	struct monitoreo_filtro f;
	struct monitoreo_vista v;
	struct api_monitoreo_fila r;
	struct buf out;
	size_t n = 0;

	if (!api_monitoreo_cargar(rq, false, &f, &v)) {
		store_monitoreo_vista_cleanup(&v);
		return;
	}
	buf_init(&out);
	if (csv)
		for (size_t k = 0; k < MONITOREO_NCOLUMNAS; k++)
			csv_field(&out, monitoreo_columnas[k],
			    k == MONITOREO_NCOLUMNAS - 1);
	else
		buf_printf(&out, "{\"proximas\":%d,\"actividades\":[",
		    f.proximas);
	for (size_t i = 0; i < v.npals; i++) {
		const struct monitoreo_pal *p = &v.pals[i];

		for (size_t j = 0; j < p->ncompromisos; j++) {
			const struct monitoreo_compromiso *c =
			    &p->compromisos[j];

			for (size_t k = 0; k < c->nactividades; k++) {
				api_monitoreo_fila(p, c, &c->actividades[k],
				    &r);
				if (csv)
					api_monitoreo_fila_csv(&out, &r);
				else
					api_monitoreo_fila_json(&out, &r, n++);
			}
		}
	}
	if (!csv)
		buf_puts(&out, "]}\n");
	reply_bytes(rq, 200, csv ? "text/csv; charset=utf-8" :
	    API_MONITOREO_JSON, out.data, out.len);
	free(rq->out_disposition);
	rq->out_disposition = xasprintf("attachment; "
	    "filename=\"monitoreo-actividades.%s\"", csv ? "csv" : "json");
	buf_cleanup(&out);
	store_monitoreo_vista_cleanup(&v);
}

void
api_monitoreo_json(struct req *rq)
{
	api_monitoreo_exportar(rq, false);
}

void
api_monitoreo_csv(struct req *rq)
{
	api_monitoreo_exportar(rq, true);
}

void
api_monitoreo_enlace(struct req *rq)
{
	char token[TOKEN_TEXT_LEN + 1], expira[32];
	const char *base = config_live->public_url;
	json_t *body = NULL, *jdias;
	struct error err;
	char *url;
	int dias = API_MONITOREO_ENLACE_DIAS;
	size_t blen;

	if (rq->body_len > 0 && (body = req_json(rq)) == NULL)
		return;
	jdias = json_object_get(body, "dias");
	if (jdias != NULL && !json_is_null(jdias)) {
		if (!json_is_integer(jdias) || json_integer_value(jdias) < 1 ||
		    json_integer_value(jdias) > 366) {
			reply_errorf(rq, 422, "dias_invalido", "«dias» debe "
			    "ser un número de días entre 1 y 366.");
			goto out;
		}
		dias = (int)json_integer_value(jdias);
	}
	if (!store_monitoreo_enlace_crear(rq->db, rq->user.id, dias, token,
	    expira, sizeof(expira), &err)) {
		reply_error(rq, &err);
		goto out;
	}
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	url = xasprintf("%.*s/e/%s", (int)blen, base, token);
	reply_json(rq, 201, json_pack("{s:s, s:s, s:i}", "url", url, "expira",
	    expira, "dias", dias));
	free(url);
out:
	json_decref(body);
}
