/*
 * The acuerdos of a mesa: /v1/mesas/{id}/compromisos (add, edit, list),
 * /v1/compromisos/{id}/actividades and /criterios. The first commitment
 * moves the mesa from en_sesion to acuerdos. Every write checks, in this
 * order, who may write (api_mesa_abrir*), that no PAL version is current
 * (store_pal_editable: a closed version is what people conformed to) and
 * the phase, then validates the body, then writes the change and its
 * event in the request's one transaction.
 *
 * It does not judge whether the PAL as a whole is complete (enough
 * commitments of each type, criteria, activities): that is
 * rules_pal_validar's job at `pal pal validar` and `cerrar`, because a
 * draft is incomplete while people write it.
 */
#include "api_compromisos.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "api_mesas.h"
#include "dates.h"
#include "rules.h"
#include "store_compromisos.h"
#include "store_eventos.h"
#include "store_pal.h"
#include "validate.h"

static const char *const compromisos_tipos[] = {
	"contrataciones_abiertas", "plan_nacional", "local",
};

/*
 * The text fields of a commitment, where struct compromiso keeps each,
 * its limit in bytes and whether it is one line (a name or a title, shown
 * in tables and headers) or free text (paragraphs). tipo and inicio are
 * handled apart.
 */
static const struct compromisos_campo {
	const char	*name;
	size_t		 offset;
	size_t		 max;
	bool		 linea;
	bool		 requerido;
} compromisos_campos[] = {
	{ "titulo", offsetof(struct compromiso, titulo), 300, true, true },
	{ "problema", offsetof(struct compromiso, problema), 20000, false,
	    false },
	{ "descripcion", offsetof(struct compromiso, descripcion), 20000,
	    false, false },
	{ "alineacion", offsetof(struct compromiso, alineacion), 1000, true,
	    false },
	{ "indicador", offsetof(struct compromiso, indicador), 5000, false,
	    false },
	{ "meta", offsetof(struct compromiso, meta), 5000, false, false },
	{ "institucion", offsetof(struct compromiso, institucion), 300, true,
	    false },
};
#define COMPROMISOS_NCAMPOS \
	(sizeof(compromisos_campos) / sizeof(compromisos_campos[0]))

/* Every member a commitment's body may carry (fin is computed). */
static const char *const compromisos_miembros[] = { "titulo", "tipo",
	"inicio", "problema", "descripcion", "alineacion", "indicador",
	"meta", "institucion", NULL };

static const char **
api_compromisos_slot(struct compromiso *c, const struct compromisos_campo *f)
{
	return (const char **)(void *)((char *)c + f->offset);
}

static bool
api_compromisos_blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/*
 * A text a person typed: one line (validate_line) or free text (valid
 * UTF-8), never blank, at most max bytes. 422 "texto_invalido".
 */
static bool
api_compromisos_texto(const char *s, const char *field, size_t max,
    bool linea, struct error *err)
{
	size_t len = strlen(s);

	if (linea && !validate_line(s, field, max, false, err))
		return false;
	if (!linea && !validate_utf8(s, len)) {
		error_set(err, 422, "texto_invalido",
		    "El campo «%s» no es texto UTF-8 válido.", field);
		return false;
	}
	if (!linea && len > max) {
		error_set(err, 422, "texto_invalido",
		    "El campo «%s» supera el máximo de %zu bytes.", field,
		    max);
		return false;
	}
	if (api_compromisos_blank(s)) {
		error_set(err, 422, "texto_invalido",
		    "El campo «%s» no puede estar vacío.", field);
		return false;
	}
	return true;
}

/*
 * A value quoted back in an error message: at most 60 bytes, cut on a
 * character boundary (a cut inside a UTF-8 sequence would make the
 * message itself invalid), with "…" when cut.
 */
static const char *
api_compromisos_corto(const char *s, char out[64])
{
	size_t n = strlen(s);

	if (n <= 60)
		return s;
	n = 57;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	snprintf(out, 64, "%.*s…", (int)n, s);
	return out;
}

/*
 * Refuses members of obj not in names (NULL-terminated): a misspelt
 * optional field would otherwise be dropped without a word.
 */
static bool
api_compromisos_solo(const json_t *obj, const char *const *names,
    const char *donde, struct error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		size_t i;

		for (i = 0; names[i] != NULL; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		if (names[i] == NULL) {
			char buf[64];

			error_set(err, 422, "campo_invalido",
			    "El campo «%s» no existe en %s.",
			    api_compromisos_corto(key, buf), donde);
			return false;
		}
	}
	return true;
}

/*
 * Member key of obj: *present says whether it was there, *out its text
 * (NULL for JSON null). 422 "campo_invalido" if it is neither.
 */
static bool
api_compromisos_string(const json_t *obj, const char *key, bool *present,
    const char **out, struct error *err)
{
	json_t *v = json_object_get(obj, key);

	*present = v != NULL;
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v)) {
		error_set(err, 422, "campo_invalido",
		    "El campo «%s» debe ser texto.", key);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

static bool
api_compromisos_tipo(const char *tipo, struct error *err)
{
	char buf[64];

	for (size_t i = 0; i < sizeof(compromisos_tipos) /
	    sizeof(compromisos_tipos[0]); i++)
		if (strcmp(tipo, compromisos_tipos[i]) == 0)
			return true;
	error_set(err, 422, "tipo_invalido", "El tipo «%s» no existe; use "
	    "contrataciones_abiertas, plan_nacional o local.",
	    api_compromisos_corto(tipo, buf));
	return false;
}

/* A plan_nacional commitment names the national one it aligns with. */
static bool
api_compromisos_alineado(const struct compromiso *c, struct error *err)
{
	if (strcmp(c->tipo, "plan_nacional") != 0 || c->alineacion != NULL)
		return true;
	error_set(err, 422, "alineacion_requerida", "Un compromiso de tipo "
	    "plan_nacional debe indicar en «alineacion» el compromiso del "
	    "Plan de Acción nacional 2013-2015 con el que se alinea.");
	return false;
}

static bool
api_compromisos_fecha(const char *s, const char *field, int *out,
    struct error *err)
{
	if (!dates_parse(s, out)) {
		error_set(err, 422, "fecha_invalida", "El campo «%s» debe ser "
		    "una fecha AAAA-MM-DD.", field);
		return false;
	}
	return true;
}

/*
 * What every write of the acuerdos needs of the mesa: no current PAL
 * version and a phase where agreements are made. Replies and returns
 * false otherwise.
 */
static bool
api_compromisos_editable(struct req *rq, const struct mesa *m,
    const char *que)
{
	struct error err;

	if (!store_pal_editable(rq->db, m->id, &err)) {
		reply_error(rq, &err);
		return false;
	}
	if (m->fase != FASE_EN_SESION && m->fase != FASE_ACUERDOS) {
		reply_errorf(rq, 409, "transicion_invalida", "La mesa está en "
		    "«%s»: %s solo en «%s» o «%s».", rules_fase_label(m->fase),
		    que, rules_fase_label(FASE_EN_SESION),
		    rules_fase_label(FASE_ACUERDOS));
		return false;
	}
	return true;
}

/*
 * For /v1/compromisos/{id}/...: finds the commitment's mesa, opens it for
 * writing (so the caller's rights are the mesa's), checks it is editable
 * and loads the commitment (*c, new reference) under the mesa's lock.
 */
static bool
api_compromisos_abrir(struct req *rq, const char *que, struct mesa *m,
    long long *id, json_t **c)
{
	struct error err;
	long long mesa_id;

	*c = NULL;
	if (!req_param_id(rq, 0, id))
		return false;
	if (!store_compromiso_mesa(rq->db, *id, &mesa_id, &err)) {
		reply_error(rq, &err);
		return false;
	}
	if (!api_mesa_abrir_id(rq, mesa_id, true, m) ||
	    !api_compromisos_editable(rq, m, que))
		return false;
	if ((*c = store_compromiso_ver(rq->db, m->id, *id, &err)) == NULL) {
		reply_error(rq, &err);
		return false;
	}
	return true;
}

static const char *
api_compromisos_jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_int_t
api_compromisos_jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* The move en_sesion -> acuerdos that the first commitment makes. */
static bool
api_compromisos_a_acuerdos(struct req *rq, struct mesa *m,
    struct error *err)
{
	if (m->fase != FASE_EN_SESION)
		return true;
	return store_mesa_fase(rq->db, m, FASE_ACUERDOS, rq->user.id, err) &&
	    store_evento(rq->db, m->id, rq->user.id, 0, "acuerdos.iniciados",
	    json_pack("{s:s, s:s}", "antes", "en_sesion", "despues",
	    "acuerdos"), err, "La mesa pasa a la fase de acuerdos con su "
	    "primer compromiso.");
}

void
api_compromisos_agregar(struct req *rq)
{
	struct compromiso c;
	const char *inicio = NULL;
	char ini[11], fin[11];
	json_t *body = NULL, *o;
	struct error err;
	struct mesa m;
	long long id;
	bool present;

	if (!api_mesa_abrir(rq, 0, true, &m) ||
	    !api_compromisos_editable(rq, &m, "los compromisos se agregan"))
		return;
	if ((body = req_json(rq)) == NULL)
		return;
	memset(&c, 0, sizeof(c));
	if (!api_compromisos_solo(body, compromisos_miembros, "un compromiso", &err) ||
	    !api_compromisos_string(body, "tipo", &present, &c.tipo, &err) ||
	    !api_compromisos_string(body, "inicio", &present, &inicio, &err))
		goto fail;
	for (size_t i = 0; i < COMPROMISOS_NCAMPOS; i++) {
		const struct compromisos_campo *f = &compromisos_campos[i];
		const char **slot = api_compromisos_slot(&c, f);

		if (!api_compromisos_string(body, f->name, &present, slot,
		    &err))
			goto fail;
	}
	if (c.titulo == NULL || c.tipo == NULL || inicio == NULL) {
		error_set(&err, 422, "campo_invalido", "Se requieren «titulo», "
		    "«tipo» e «inicio» (AAAA-MM-DD).");
		goto fail;
	}
	if (!api_compromisos_tipo(c.tipo, &err) ||
	    !api_compromisos_fecha(inicio, "inicio", &c.inicio, &err))
		goto fail;
	for (size_t i = 0; i < COMPROMISOS_NCAMPOS; i++) {
		const struct compromisos_campo *f = &compromisos_campos[i];
		const char *v = *api_compromisos_slot(&c, f);

		if (v != NULL && !api_compromisos_texto(v, f->name, f->max,
		    f->linea, &err))
			goto fail;
	}
	if (!api_compromisos_alineado(&c, &err))
		goto fail;
	c.fin = rules_compromiso_fin(c.inicio);
	if (!api_compromisos_a_acuerdos(rq, &m, &err) ||
	    (id = store_compromiso_crear(rq->db, m.id, &c, rq->user.id,
	    &err)) == 0 ||
	    (o = store_compromiso_ver(rq->db, m.id, id, &err)) == NULL)
		goto fail;
	dates_format(c.inicio, ini);
	dates_format(c.fin, fin);
	if (!store_evento(rq->db, m.id, rq->user.id, 0, "compromiso.agregado",
	    json_pack("{s:I, s:I, s:s, s:s, s:s, s:s}", "compromiso_id",
	    (json_int_t)id, "numero", api_compromisos_jint(o, "numero"),
	    "titulo", c.titulo, "tipo", c.tipo, "inicio", ini, "fin", fin),
	    &err, "Compromiso %lld agregado: «%s» (%s, del %s al %s).",
	    (long long)api_compromisos_jint(o, "numero"), c.titulo, c.tipo,
	    ini, fin)) {
		json_decref(o);
		goto fail;
	}
	reply_json(rq, 201, o);
	json_decref(body);
	return;
fail:
	reply_error(rq, &err);
	json_decref(body);
}

/* Equal texts, NULL being equal only to NULL. */
static bool
api_compromisos_igual(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static json_t *
api_compromisos_jtext(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

/* Room for every field name of a commitment, comma-separated. */
#define COMPROMISOS_NOMBRES	160

/*
 * Records field `name` in the edit's before/after objects (and its name
 * in nombres) if its value changes.
 */
static void
api_compromisos_cambio(json_t *antes, json_t *despues,
    char nombres[COMPROMISOS_NOMBRES], const char *name, const char *a,
    const char *d)
{
	size_t len = strlen(nombres);

	if (api_compromisos_igual(a, d))
		return;
	json_object_set_new(antes, name, api_compromisos_jtext(a));
	json_object_set_new(despues, name, api_compromisos_jtext(d));
	snprintf(nombres + len, COMPROMISOS_NOMBRES - len, "%s%s",
	    len > 0 ? ", " : "", name);
}

void
api_compromisos_editar(struct req *rq)
{
	struct compromiso antes, c;
	const char *v, *inicio;
	char a_ini[11], a_fin[11], d_ini[11], d_fin[11];
	json_t *body = NULL, *actual = NULL, *o, *jantes, *jdespues, *datos;
	struct error err;
	struct mesa m;
	long long id;
	char nombres[COMPROMISOS_NOMBRES];
	bool present;
	int numero;

	if (!api_mesa_abrir(rq, 0, true, &m) ||
	    !req_param_id(rq, 1, &id) ||
	    !api_compromisos_editable(rq, &m, "los compromisos se modifican"))
		return;
	if ((actual = store_compromiso_ver(rq->db, m.id, id, &err)) == NULL) {
		reply_error(rq, &err);
		return;
	}
	if ((body = req_json(rq)) == NULL)
		goto out;

	/* antes: the stored commitment; its strings belong to `actual`. */
	memset(&antes, 0, sizeof(antes));
	for (size_t i = 0; i < COMPROMISOS_NCAMPOS; i++)
		*api_compromisos_slot(&antes, &compromisos_campos[i]) =
		    api_compromisos_jstr(actual, compromisos_campos[i].name);
	antes.tipo = api_compromisos_jstr(actual, "tipo");
	if (!dates_parse(api_compromisos_jstr(actual, "inicio"),
	    &antes.inicio) ||
	    !dates_parse(api_compromisos_jstr(actual, "fin"), &antes.fin)) {
		reply_errorf(rq, 500, "error_interno",
		    "No se pudo leer el compromiso %lld.", id);
		goto out;
	}
	numero = (int)api_compromisos_jint(actual, "numero");
	c = antes;

	if (!api_compromisos_solo(body, compromisos_miembros, "un compromiso", &err))
		goto fail;
	if (!api_compromisos_string(body, "tipo", &present, &v, &err))
		goto fail;
	if (present) {
		if (v == NULL) {
			error_set(&err, 422, "campo_invalido",
			    "El campo «tipo» no puede quedar vacío.");
			goto fail;
		}
		if (!api_compromisos_tipo(v, &err))
			goto fail;
		c.tipo = v;
	}
	if (!api_compromisos_string(body, "inicio", &present, &inicio, &err))
		goto fail;
	if (present) {
		if (inicio == NULL) {
			error_set(&err, 422, "campo_invalido",
			    "El campo «inicio» no puede quedar vacío.");
			goto fail;
		}
		if (!api_compromisos_fecha(inicio, "inicio", &c.inicio, &err))
			goto fail;
		c.fin = rules_compromiso_fin(c.inicio);
	}
	for (size_t i = 0; i < COMPROMISOS_NCAMPOS; i++) {
		const struct compromisos_campo *f = &compromisos_campos[i];

		if (!api_compromisos_string(body, f->name, &present, &v, &err))
			goto fail;
		if (!present)
			continue;
		if (v == NULL && f->requerido) {
			error_set(&err, 422, "campo_invalido",
			    "El campo «%s» no puede quedar vacío.", f->name);
			goto fail;
		}
		if (v != NULL && !api_compromisos_texto(v, f->name, f->max,
		    f->linea, &err))
			goto fail;
		*api_compromisos_slot(&c, f) = v;
	}
	if (!api_compromisos_alineado(&c, &err))
		goto fail;

	/* Only what really changes goes to the timeline. */
	jantes = json_object();
	jdespues = json_object();
	nombres[0] = '\0';
	for (size_t i = 0; i < COMPROMISOS_NCAMPOS; i++) {
		const struct compromisos_campo *f = &compromisos_campos[i];

		api_compromisos_cambio(jantes, jdespues, nombres, f->name,
		    *api_compromisos_slot(&antes, f),
		    *api_compromisos_slot(&c, f));
	}
	api_compromisos_cambio(jantes, jdespues, nombres, "tipo", antes.tipo,
	    c.tipo);
	dates_format(antes.inicio, a_ini);
	dates_format(antes.fin, a_fin);
	dates_format(c.inicio, d_ini);
	dates_format(c.fin, d_fin);
	api_compromisos_cambio(jantes, jdespues, nombres, "inicio", a_ini,
	    d_ini);
	api_compromisos_cambio(jantes, jdespues, nombres, "fin", a_fin, d_fin);
	if (json_object_size(jantes) == 0) {
		/* Nothing changes: no write, no event. */
		json_decref(jantes);
		json_decref(jdespues);
		reply_json(rq, 200, json_incref(actual));
		goto out;
	}
	datos = json_pack("{s:I, s:i, s:o, s:o}", "compromiso_id",
	    (json_int_t)id, "numero", numero, "antes", jantes, "despues",
	    jdespues);
	if (antes.inicio != c.inicio &&
	    !store_compromiso_actividades_en_plazo(rq->db, id, numero,
	    c.inicio, c.fin, &err)) {
		json_decref(datos);
		goto fail;
	}
	if (!store_compromiso_actualizar(rq->db, m.id, id, &c, &err)) {
		json_decref(datos);	/* store_evento would have stolen it */
		goto fail;
	}
	if (!store_evento(rq->db, m.id, rq->user.id, 0, "compromiso.editado",
	    datos, &err, "Compromiso %d «%s» editado: %s.", numero,
	    c.titulo, nombres))
		goto fail;
	if ((o = store_compromiso_ver(rq->db, m.id, id, &err)) == NULL)
		goto fail;
	reply_json(rq, 200, o);
	goto out;
fail:
	reply_error(rq, &err);
out:
	json_decref(body);
	json_decref(actual);
}

void
api_compromisos_listar(struct req *rq)
{
	struct mesa m;
	struct error err;
	json_t *arr;

	if (!api_mesa_abrir(rq, 0, false, &m))
		return;
	if ((arr = store_compromisos_listar(rq->db, m.id, &err)) == NULL)
		reply_error(rq, &err);
	else
		reply_json(rq, 200, json_pack("{s:o}", "compromisos", arr));
}

void
api_actividades_agregar(struct req *rq)
{
	static const char *const campos[] = { "descripcion", "responsable",
	    "fecha_limite", "entregable", NULL };
	static const char *const campos_resp[] = { "nombre", "email", "cargo",
	    "institucion", NULL };
	struct actividad a;
	const char *fecha = NULL;
	char ini[11], fin[11], lim[11];
	json_t *body = NULL, *comp = NULL, *resp, *o;
	struct error err;
	struct mesa m;
	long long id;
	int inicio, final, numero;
	bool present;

	if (!api_compromisos_abrir(rq, "las actividades se agregan", &m, &id,
	    &comp))
		return;
	if ((body = req_json(rq)) == NULL)
		goto out;
	memset(&a, 0, sizeof(a));
	resp = json_object_get(body, "responsable");
	if (!api_compromisos_solo(body, campos, "una actividad", &err))
		goto fail;
	if (!json_is_object(resp)) {
		error_set(&err, 422, "campo_invalido", "Se requiere "
		    "«responsable»: {nombre, email, cargo?, institucion?}.");
		goto fail;
	}
	if (!api_compromisos_solo(resp, campos_resp, "«responsable»", &err) ||
	    !api_compromisos_string(body, "descripcion", &present,
	    &a.descripcion, &err) ||
	    !api_compromisos_string(body, "fecha_limite", &present, &fecha,
	    &err) ||
	    !api_compromisos_string(body, "entregable", &present,
	    &a.entregable, &err) ||
	    !api_compromisos_string(resp, "nombre", &present,
	    &a.responsable_nombre, &err) ||
	    !api_compromisos_string(resp, "email", &present,
	    &a.responsable_email, &err) ||
	    !api_compromisos_string(resp, "cargo", &present,
	    &a.responsable_cargo, &err) ||
	    !api_compromisos_string(resp, "institucion", &present,
	    &a.responsable_institucion, &err))
		goto fail;
	if (a.descripcion == NULL || fecha == NULL ||
	    a.responsable_nombre == NULL || a.responsable_email == NULL) {
		error_set(&err, 422, "campo_invalido", "Se requieren "
		    "«descripcion», «fecha_limite» (AAAA-MM-DD) y "
		    "«responsable» con «nombre» y «email».");
		goto fail;
	}
	if (!api_compromisos_texto(a.descripcion, "descripcion", 5000, false,
	    &err) ||
	    !api_compromisos_texto(a.responsable_nombre, "responsable.nombre",
	    200, true, &err) ||
	    !validate_email(a.responsable_email, "responsable.email", &err) ||
	    (a.responsable_cargo != NULL && !api_compromisos_texto(
	    a.responsable_cargo, "responsable.cargo", 200, true, &err)) ||
	    (a.responsable_institucion != NULL && !api_compromisos_texto(
	    a.responsable_institucion, "responsable.institucion", 300, true,
	    &err)) ||
	    (a.entregable != NULL && !api_compromisos_texto(a.entregable,
	    "entregable", 5000, false, &err)) ||
	    !api_compromisos_fecha(fecha, "fecha_limite", &a.fecha_limite,
	    &err))
		goto fail;
	numero = (int)api_compromisos_jint(comp, "numero");
	if (!dates_parse(api_compromisos_jstr(comp, "inicio"), &inicio) ||
	    !dates_parse(api_compromisos_jstr(comp, "fin"), &final)) {
		error_set(&err, 500, "error_interno",
		    "No se pudo leer el compromiso %lld.", id);
		goto fail;
	}
	dates_format(inicio, ini);
	dates_format(final, fin);
	dates_format(a.fecha_limite, lim);
	if (a.fecha_limite < inicio || a.fecha_limite > final) {
		error_set(&err, 422, "fecha_fuera_de_plazo", "La fecha límite "
		    "%s está fuera del plazo del compromiso %d (del %s al %s).",
		    lim, numero, ini, fin);
		goto fail;
	}
	if ((o = store_actividad_crear(rq->db, m.id, id, &a, &err)) == NULL)
		goto fail;
	if (!store_evento(rq->db, m.id, rq->user.id, 0, "actividad.agregada",
	    json_pack("{s:I, s:I, s:I, s:s, s:s}", "compromiso_id",
	    (json_int_t)id, "actividad_id", api_compromisos_jint(o, "id"),
	    "numero", api_compromisos_jint(o, "numero"),
	    "responsable", a.responsable_email, "fecha_limite", lim), &err,
	    "Actividad %d.%lld agregada al compromiso «%s»: responsable %s, "
	    "vence el %s.", numero,
	    (long long)api_compromisos_jint(o, "numero"),
	    api_compromisos_jstr(comp, "titulo"), a.responsable_nombre, lim)) {
		json_decref(o);
		goto fail;
	}
	reply_json(rq, 201, o);
	goto out;
fail:
	reply_error(rq, &err);
out:
	json_decref(body);
	json_decref(comp);
}

void
api_criterios_atestiguar(struct req *rq)
{
	static const char *const campos[] = { "criterio", "quien",
	    "justificacion", NULL };
	const char *criterio = NULL, *quien = NULL, *justificacion = NULL;
	json_t *body = NULL, *comp = NULL, *o, *anterior, *datos;
	char buf[64];
	struct error err;
	struct mesa m;
	long long id;
	bool present;

	if (!api_compromisos_abrir(rq, "los criterios se atestiguan", &m, &id,
	    &comp))
		return;
	if ((body = req_json(rq)) == NULL)
		goto out;
	if (!api_compromisos_solo(body, campos, "un criterio", &err) ||
	    !api_compromisos_string(body, "criterio", &present, &criterio,
	    &err) ||
	    !api_compromisos_string(body, "quien", &present, &quien, &err) ||
	    !api_compromisos_string(body, "justificacion", &present,
	    &justificacion, &err))
		goto fail;
	if (criterio == NULL || quien == NULL || justificacion == NULL) {
		error_set(&err, 422, "campo_invalido", "Se requieren "
		    "«criterio», «quien» y «justificacion».");
		goto fail;
	}
	if (rules_criterio_bit(criterio) == 0) {
		error_set(&err, 422, "criterio_invalido", "El criterio «%s» "
		    "no existe; use medible, especifico, replicable, "
		    "sostenible o alto_impacto.",
		    api_compromisos_corto(criterio, buf));
		goto fail;
	}
	if (!api_compromisos_texto(quien, "quien", 200, true, &err) ||
	    !api_compromisos_texto(justificacion, "justificacion", 2000,
	    false, &err))
		goto fail;
	o = store_criterio_atestiguar(rq->db, id, criterio, quien,
	    justificacion, rq->user.id, &anterior, &err);
	if (o == NULL)
		goto fail;
	datos = json_pack("{s:I, s:s, s:s, s:s}", "compromiso_id",
	    (json_int_t)id, "criterio", criterio, "quien", quien,
	    "justificacion", justificacion);
	if (anterior != NULL)
		json_object_set_new(datos, "anterior", anterior);
	if (!store_evento(rq->db, m.id, rq->user.id, 0, "criterio.atestiguado",
	    datos, &err, "Criterio «%s» del compromiso %lld «%s» %s por "
	    "%s.", criterio, (long long)api_compromisos_jint(comp, "numero"),
	    api_compromisos_jstr(comp, "titulo"), anterior != NULL
	    ? "atestiguado de nuevo" : "atestiguado", quien)) {
		json_decref(o);
		goto fail;
	}
	reply_json(rq, 201, o);
	goto out;
fail:
	reply_error(rq, &err);
out:
	json_decref(body);
	json_decref(comp);
}
