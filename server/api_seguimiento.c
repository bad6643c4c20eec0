/*
 * /v1/actividades/{id}/avances: a facilitator (or an admin) reports
 * progress on an activity of a mesa in follow-up, and anyone who may
 * read the mesa reads the history. The checks run in the order every
 * writer of a mesa uses: the activity exists (404), the caller may write
 * its mesa (403, and the mesa's row is locked), the mesa is in
 * en_seguimiento (409), then the body (422); then
 * store_avances_registrar records the report, moves the activity and
 * writes the event, all in the request's transaction.
 *
 * Responsables report through their personal link instead
 * (web_avance.c), with the same validation and the same store function.
 */
#include "api_seguimiento.h"

#include <string.h>

#include "api_mesas.h"
#include "rules.h"
#include "store_avances.h"

/* Every member a report's body may carry. */
static const char *const seguimiento_miembros[] = { "estado", "avance",
	"evidencia", "nota", NULL };

/*
 * Refuses members not in seguimiento_miembros: a misspelt "evidencia"
 * would otherwise be dropped without a word.
 */
static bool
api_seguimiento_solo(const json_t *body, struct error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)body, key, v) {
		size_t i;

		for (i = 0; seguimiento_miembros[i] != NULL; i++)
			if (strcmp(key, seguimiento_miembros[i]) == 0)
				break;
		if (seguimiento_miembros[i] == NULL) {
			error_set(err, 422, "campo_invalido",
			    "El campo «%.60s» no existe en un avance; use "
			    "estado, avance, evidencia y nota.", key);
			return false;
		}
	}
	return true;
}

/*
 * The body as a report. Members of the wrong JSON type get the code of
 * their field, as a wrong value would: a client that sends "40" for
 * avance learns the same thing as one that sends 140.
 */
static bool
api_seguimiento_leer(const json_t *body, struct avance_nuevo *n,
    struct error *err)
{
	json_t *v;

	memset(n, 0, sizeof(*n));
	n->avance = STORE_AVANCES_SIN_AVANCE;
	if (!api_seguimiento_solo(body, err))
		return false;
	v = json_object_get(body, "estado");
	if (json_is_string(v))
		n->estado = json_string_value(v);
	else if (v != NULL && !json_is_null(v)) {
		error_set(err, 422, "estado_invalido", "El estado debe ser "
		    "«en_progreso» (en progreso) o «cumplida».");
		return false;
	}
	v = json_object_get(body, "avance");
	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);

		/* Anything outside 0..100 is refused; keep it outside. */
		n->avance = x < 0 ? STORE_AVANCES_NO_NUMERO : x > 100 ? 101
		    : (int)x;
	} else if (v != NULL && !json_is_null(v))
		n->avance = STORE_AVANCES_NO_NUMERO;
	v = json_object_get(body, "evidencia");
	if (json_is_string(v))
		n->evidencia = json_string_value(v);
	else if (v != NULL && !json_is_null(v)) {
		error_set(err, 422, "evidencia_invalida", "La evidencia debe "
		    "ser un enlace http:// o https:// escrito como texto.");
		return false;
	}
	v = json_object_get(body, "nota");
	if (json_is_string(v))
		n->nota = json_string_value(v);
	else if (v != NULL && !json_is_null(v)) {
		error_set(err, 422, "texto_invalido",
		    "El campo «nota» debe ser texto.");
		return false;
	}
	return true;
}

/*
 * Finds the activity's mesa and opens it (for writing: owner or admin,
 * row locked), then loads the activity. False after replying.
 */
static bool
api_seguimiento_abrir(struct req *rq, bool escribir, struct mesa *m,
    struct avance_actividad *a)
{
	struct error err;
	long long id, mesa_id;

	memset(a, 0, sizeof(*a));
	if (!req_param_id(rq, 0, &id))
		return false;
	if (!store_avances_mesa(rq->db, id, &mesa_id, &err)) {
		reply_error(rq, &err);
		return false;
	}
	if (!api_mesa_abrir_id(rq, mesa_id, escribir, m))
		return false;
	if (escribir && m->fase != FASE_EN_SEGUIMIENTO) {
		reply_errorf(rq, 409, "transicion_invalida", "La mesa está en "
		    "«%s»: los avances se reportan solo en «%s», después de "
		    "enviar el PAL firmado.", rules_fase_label(m->fase),
		    rules_fase_label(FASE_EN_SEGUIMIENTO));
		return false;
	}
	if (!store_avances_actividad(rq->db, mesa_id, id, escribir, a, &err)) {
		reply_error(rq, &err);
		return false;
	}
	return true;
}

void
api_avances_registrar(struct req *rq)
{
	struct error errs[STORE_AVANCES_MAX_ERRORES], err;
	struct avance_actividad a;
	struct avance_nuevo n;
	json_t *body = NULL, *o;
	struct mesa m;

	if (!api_seguimiento_abrir(rq, true, &m, &a))
		goto out;
	if ((body = req_json(rq)) == NULL)
		goto out;
	if (!api_seguimiento_leer(body, &n, &err)) {
		reply_error(rq, &err);
		goto out;
	}
	if (store_avances_validar(&n, errs) > 0) {
		reply_error(rq, &errs[0]);
		goto out;
	}
	n.usuario_id = rq->user.id;
	if ((o = store_avances_registrar(rq->db, &a, &n, rq->user.nombre,
	    &err)) == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	reply_json(rq, 201, o);
out:
	json_decref(body);
	store_avances_actividad_cleanup(&a);
}

void
api_avances_listar(struct req *rq)
{
	struct avance_actividad a;
	struct error err;
	struct mesa m;
	json_t *arr;

	if (!api_seguimiento_abrir(rq, false, &m, &a))
		goto out;
	if ((arr = store_avances_listar(rq->db, a.id, &err)) == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	reply_json(rq, 200, json_pack("{s:o, s:o}", "actividad",
	    store_avances_actividad_json(&a), "avances", arr));
out:
	store_avances_actividad_cleanup(&a);
}
