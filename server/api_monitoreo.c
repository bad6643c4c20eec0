/*
 * /v1/monitoreo: what the organismo garante watches. Every activity of
 * the PALs in follow-up the caller may see comes from one query
 * (store_monitoreo.c) with its traffic light already computed against
 * its mesa's local today; here the rows are grouped into PALs and
 * commitments, counted, and filtered for the answer, or flattened into
 * the export (JSON or CSV) for public reporting.
 *
 * Who sees what follows the read rule of api_mesas.c: an admin all, a
 * facilitador its own mesas, a garante its entidad (all when it has
 * none), and a garante asking for another entidad is refused rather
 * than answered with nothing. Nothing here writes.
 */
#include "api_monitoreo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "store_monitoreo.h"
#include "xmalloc.h"

#define MONITOREO_PROXIMAS_DEFECTO	14
#define MONITOREO_PROXIMAS_MAX		366

/* The lights from best to worst: a commitment takes its worst one. */
static const char *const monitoreo_luces[] = { "cumplido", "a_tiempo",
	"por_vencer", "vencido" };
#define MONITOREO_NLUCES	4
#define MONITOREO_VENCIDO	3

/* The export's columns, in the order of docs/API.md. */
static const char *const monitoreo_columnas[] = { "mesa_id", "entidad",
	"mesa", "compromiso_id", "compromiso", "tipo", "actividad_id",
	"actividad", "responsable", "institucion_responsable", "fecha_limite",
	"estado", "avance", "semaforo", "dias" };
#define MONITOREO_NCOLUMNAS \
	(sizeof(monitoreo_columnas) / sizeof(monitoreo_columnas[0]))

static int
api_monitoreo_luz(const json_t *actividad)
{
	const char *s = json_string_value(json_object_get(actividad,
	    "semaforo"));

	for (int i = 0; s != NULL && i < MONITOREO_NLUCES; i++)
		if (strcmp(s, monitoreo_luces[i]) == 0)
			return i;
	return MONITOREO_VENCIDO;
}

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

/*
 * Reads the query (entidad, proximas and, where vencidas is non-NULL,
 * vencidas) and the caller's reach into f. f->entidad is owned by the
 * caller afterwards (free()). False after replying.
 */
static bool
api_monitoreo_filtro(struct req *rq, struct monitoreo_filtro *f,
    bool *vencidas)
{
	char *prox = req_query(rq, "proximas");
	char *venc = vencidas != NULL ? req_query(rq, "vencidas") : NULL;
	char *entidad = req_query(rq, "entidad");
	bool ok = false;

	memset(f, 0, sizeof(*f));
	f->proximas = MONITOREO_PROXIMAS_DEFECTO;
	if (prox != NULL && !api_monitoreo_numero(prox,
	    MONITOREO_PROXIMAS_MAX, &f->proximas)) {
		reply_errorf(rq, 422, "proximas_invalido", "«proximas» debe "
		    "ser un número de días entre 1 y %d, no «%.40s».",
		    MONITOREO_PROXIMAS_MAX, prox);
		goto out;
	}
	if (vencidas != NULL) {
		*vencidas = venc != NULL && strcmp(venc, "1") == 0;
		if (venc != NULL && strcmp(venc, "0") != 0 &&
		    strcmp(venc, "1") != 0) {
			reply_errorf(rq, 422, "vencidas_invalido",
			    "«vencidas» debe ser 0 o 1, no «%.40s».", venc);
			goto out;
		}
	}
	if (entidad != NULL && entidad[0] == '\0') {
		free(entidad);
		entidad = NULL;
	}
	if (strcmp(rq->user.rol, "facilitador") == 0)
		f->facilitador_id = rq->user.id;
	else if (strcmp(rq->user.rol, "garante") == 0 &&
	    rq->user.entidad[0] != '\0') {
		if (entidad != NULL && strcmp(entidad, rq->user.entidad) != 0) {
			reply_errorf(rq, 403, "prohibido", "Solo puede "
			    "consultar los PAL de %s.", rq->user.entidad);
			goto out;
		}
		f->entidad_garante = rq->user.entidad;
	}
	f->entidad = entidad;
	entidad = NULL;
	ok = true;
out:
	free(prox);
	free(venc);
	free(entidad);
	return ok;
}

/* The rounded mean of sum over n activities; 0 for none. */
static json_int_t
api_monitoreo_media(json_int_t sum, json_int_t n)
{
	return n > 0 ? (sum + n / 2) / n : 0;
}

/* Per PAL or commitment while its rows go by. */
struct monitoreo_cuenta {
	json_int_t	luces[MONITOREO_NLUCES];
	json_int_t	suma, n;
	int		peor;
};

static json_t *
api_monitoreo_semaforo(const struct monitoreo_cuenta *c)
{
	json_t *o = json_object();

	for (int i = 0; i < MONITOREO_NLUCES; i++)
		json_object_set_new(o, monitoreo_luces[i],
		    json_integer(c->luces[i]));
	return o;
}

static void
api_monitoreo_contar(struct monitoreo_cuenta *c, const json_t *a)
{
	int luz = api_monitoreo_luz(a);

	c->luces[luz]++;
	c->suma += json_integer_value(json_object_get(a, "avance"));
	c->n++;
	if (luz > c->peor)
		c->peor = luz;
}

/* Closes the commitment being built into pal's list, if it is kept. */
static void
api_monitoreo_cerrar_compromiso(json_t *pal, json_t *comp,
    const struct monitoreo_cuenta *c, bool vencidas)
{
	if (comp == NULL)
		return;
	json_object_set_new(comp, "avance",
	    json_integer(api_monitoreo_media(c->suma, c->n)));
	json_object_set_new(comp, "semaforo",
	    json_string(monitoreo_luces[c->peor]));
	if (!vencidas || c->peor == MONITOREO_VENCIDO)
		json_array_append(json_object_get(pal, "compromisos"), comp);
	json_decref(comp);
}

static void
api_monitoreo_cerrar_pal(json_t *pals, json_t *pal,
    const struct monitoreo_cuenta *c, bool vencidas)
{
	if (pal == NULL)
		return;
	json_object_set_new(pal, "avance",
	    json_integer(api_monitoreo_media(c->suma, c->n)));
	json_object_set_new(pal, "semaforo", api_monitoreo_semaforo(c));
	if (!vencidas || c->luces[MONITOREO_VENCIDO] > 0)
		json_array_append(pals, pal);
	json_decref(pal);
}

static json_t *
api_monitoreo_vencida(const json_t *a)
{
	return json_pack("{s:O, s:O, s:O, s:O, s:O, s:I, s:O}",
	    "actividad_id", json_object_get(a, "actividad_id"),
	    "numero", json_object_get(a, "numero"),
	    "descripcion", json_object_get(a, "actividad"),
	    "responsable", json_object_get(a, "responsable"),
	    "fecha_limite", json_object_get(a, "fecha_limite"),
	    "dias_vencida", -json_integer_value(json_object_get(a, "dias")),
	    "ultimo_avance", json_object_get(a, "ultimo_avance"));
}

static json_t *
api_monitoreo_proxima(const json_t *a)
{
	return json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}",
	    "actividad_id", json_object_get(a, "actividad_id"),
	    "numero", json_object_get(a, "numero"),
	    "descripcion", json_object_get(a, "actividad"),
	    "responsable", json_object_get(a, "responsable"),
	    "fecha_limite", json_object_get(a, "fecha_limite"),
	    "dias", json_object_get(a, "dias"));
}

/*
 * Keeps in comp the earliest deadline still ahead (today or later) of an
 * open activity: the date a garante looks at next. Dates are AAAA-MM-DD,
 * so text order is date order.
 */
static void
api_monitoreo_proximo(json_t *comp, const json_t *a, int luz)
{
	const char *f = json_string_value(json_object_get(a, "fecha_limite"));
	const char *cur = json_string_value(json_object_get(comp,
	    "proximo_vencimiento"));

	if (luz == 0 || luz == MONITOREO_VENCIDO || f == NULL)
		return;
	if (cur == NULL || strcmp(f, cur) < 0)
		json_object_set_new(comp, "proximo_vencimiento",
		    json_string(f));
}

/*
 * Groups the rows (ordered by mesa and commitment) into PALs. The counts
 * and averages are over every activity of a PAL, whatever the filter:
 * vencidas only chooses which PALs, commitments and lists are shown.
 */
static json_t *
api_monitoreo_pals(const json_t *filas, bool vencidas)
{
	struct monitoreo_cuenta cp, cc;
	json_t *pals = json_array(), *pal = NULL, *comp = NULL, *a;
	json_int_t mesa = 0, compromiso = 0;
	size_t i;

	memset(&cp, 0, sizeof(cp));
	memset(&cc, 0, sizeof(cc));
	json_array_foreach(filas, i, a) {
		json_int_t m = json_integer_value(json_object_get(a,
		    "mesa_id"));
		json_int_t c = json_integer_value(json_object_get(a,
		    "compromiso_id"));
		int luz = api_monitoreo_luz(a);

		if (m != mesa) {
			api_monitoreo_cerrar_compromiso(pal, comp, &cc,
			    vencidas);
			api_monitoreo_cerrar_pal(pals, pal, &cp, vencidas);
			comp = NULL;
			compromiso = 0;
			memset(&cp, 0, sizeof(cp));
			mesa = m;
			pal = json_pack("{s:O, s:O, s:O, s:O, s:[]}",
			    "mesa_id", json_object_get(a, "mesa_id"),
			    "titulo", json_object_get(a, "mesa"),
			    "entidad", json_object_get(a, "entidad"),
			    "version", json_object_get(a, "version"),
			    "compromisos");
		}
		if (c != compromiso) {
			api_monitoreo_cerrar_compromiso(pal, comp, &cc,
			    vencidas);
			memset(&cc, 0, sizeof(cc));
			compromiso = c;
			comp = json_pack("{s:O, s:O, s:O, s:O, s:n, s:[],"
			    " s:[]}",
			    "id", json_object_get(a, "compromiso_id"),
			    "numero", json_object_get(a, "compromiso_numero"),
			    "titulo", json_object_get(a, "compromiso"),
			    "tipo", json_object_get(a, "tipo"),
			    "proximo_vencimiento", "proximas", "vencidas");
		}
		api_monitoreo_contar(&cp, a);
		api_monitoreo_contar(&cc, a);
		api_monitoreo_proximo(comp, a, luz);
		if (luz == MONITOREO_VENCIDO)
			json_array_append_new(json_object_get(comp,
			    "vencidas"), api_monitoreo_vencida(a));
		else if (luz == 2 && !vencidas)
			json_array_append_new(json_object_get(comp,
			    "proximas"), api_monitoreo_proxima(a));
	}
	api_monitoreo_cerrar_compromiso(pal, comp, &cc, vencidas);
	api_monitoreo_cerrar_pal(pals, pal, &cp, vencidas);
	return pals;
}

/* The activities for the filter read from the query; NULL after replying. */
static json_t *
api_monitoreo_cargar(struct req *rq, bool *vencidas, int *proximas)
{
	struct monitoreo_filtro f;
	struct error err;
	json_t *filas;

	if (!api_monitoreo_filtro(rq, &f, vencidas))
		return NULL;
	*proximas = f.proximas;
	filas = store_monitoreo_actividades(rq->db, &f, &err);
	free((char *)f.entidad);
	if (filas == NULL)
		reply_error(rq, &err);
	return filas;
}

void
api_monitoreo(struct req *rq)
{
	json_t *filas;
	bool vencidas;
	int proximas;

	if ((filas = api_monitoreo_cargar(rq, &vencidas, &proximas)) == NULL)
		return;
	reply_json(rq, 200, json_pack("{s:i, s:o}", "proximas", proximas,
	    "pals", api_monitoreo_pals(filas, vencidas)));
	json_decref(filas);
}

void
api_monitoreo_json(struct req *rq)
{
	json_t *filas, *out, *a;
	int proximas;
	size_t i, k;

	if ((filas = api_monitoreo_cargar(rq, NULL, &proximas)) == NULL)
		return;
	out = json_array();
	json_array_foreach(filas, i, a) {
		json_t *o = json_object();

		for (k = 0; k < MONITOREO_NCOLUMNAS; k++)
			json_object_set(o, monitoreo_columnas[k],
			    json_object_get(a, monitoreo_columnas[k]));
		json_array_append_new(out, o);
	}
	reply_json(rq, 200, json_pack("{s:i, s:o}", "proximas", proximas,
	    "actividades", out));
	free(rq->out_disposition);
	rq->out_disposition = xstrdup("attachment; "
	    "filename=\"monitoreo-actividades.json\"");
	json_decref(filas);
}

void
api_monitoreo_csv(struct req *rq)
{
	json_t *filas, *a;
	struct buf out;
	int proximas;
	size_t i, k;

	if ((filas = api_monitoreo_cargar(rq, NULL, &proximas)) == NULL)
		return;
	buf_init(&out);
	for (k = 0; k < MONITOREO_NCOLUMNAS; k++)
		csv_field(&out, monitoreo_columnas[k],
		    k == MONITOREO_NCOLUMNAS - 1);
	json_array_foreach(filas, i, a) {
		for (k = 0; k < MONITOREO_NCOLUMNAS; k++) {
			json_t *v = json_object_get(a, monitoreo_columnas[k]);
			bool last = k == MONITOREO_NCOLUMNAS - 1;

			/*
			 * Numbers are ours, never formulas: dias is negative
			 * when overdue and must stay a number, so it skips
			 * the neutralising of csv_field.
			 */
			if (json_is_integer(v))
				buf_printf(&out, "%" JSON_INTEGER_FORMAT "%s",
				    json_integer_value(v), last ? "\r\n" : ",");
			else
				csv_field(&out, json_string_value(v), last);
		}
	}
	reply_bytes(rq, 200, "text/csv; charset=utf-8", out.data, out.len);
	free(rq->out_disposition);
	rq->out_disposition = xstrdup("attachment; "
	    "filename=\"monitoreo-actividades.csv\"");
	buf_cleanup(&out);
	json_decref(filas);
}
