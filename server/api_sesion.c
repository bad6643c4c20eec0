/*
 * /v1/mesas/{id}/sesion and /aportaciones: opening the session with the
 * attendance (only on or after the scheduled local date), the
 * contributions of the analysis, and the minutes.
 */
#include "api_sesion.h"

#include <stdlib.h>
#include <string.h>

#include "api_mesas.h"
#include "buf.h"
#include "dates.h"
#include "store_eventos.h"
#include "store_sesion.h"
#include "validate.h"
#include "xmalloc.h"

void
api_sesion_abrir(struct req *rq)
{
	json_t *body, *list = NULL, *v, *acta;
	long long *ids = NULL, sesion;
	struct error err;
	struct mesa m;
	size_t i, n;
	char fecha[11];
	struct buf nombres;

	if (!api_mesa_abrir(rq, 0, true, &m))
		return;
	if ((body = req_json(rq)) == NULL)
		return;
	list = json_object_get(body, "asistentes");
	if (!json_is_array(list) || json_array_size(list) == 0) {
		reply_errorf(rq, 422, "campo_invalido", "Se requiere "
		    "«asistentes»: una lista con los ids de los actores "
		    "presentes.");
		goto out;
	}
	n = json_array_size(list);
	ids = xcalloc(n, sizeof(*ids));
	json_array_foreach(list, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			reply_errorf(rq, 422, "asistente_invalido", "Cada "
			    "asistente debe ser el id (número) de un actor.");
			goto out;
		}
		ids[i] = json_integer_value(v);
	}
	/* A second opening says so, whatever the phase is now. */
	if (m.fase != FASE_CONVOCADA && m.fase != FASE_PREPARACION &&
	    m.fase != FASE_SUSPENDIDA && m.fase != FASE_CANCELADA) {
		reply_errorf(rq, 409, "sesion_ya_abierta",
		    "La sesión de esta mesa ya fue abierta.");
		goto out;
	}
	if (!rules_transicion(m.fase, FASE_EN_SESION, &err)) {
		reply_error(rq, &err);
		goto out;
	}
	if (m.hoy < m.fecha) {
		dates_format(m.fecha, fecha);
		reply_errorf(rq, 409, "sesion_anticipada", "La sesión no puede "
		    "abrirse antes de la fecha de la mesa (%s).", fecha);
		goto out;
	}
	sesion = store_sesion_abrir(rq->db, m.id, m.hoy, ids, n, rq->user.id,
	    &err);
	if (sesion == 0 ||
	    !store_mesa_fase(rq->db, &m, FASE_EN_SESION, rq->user.id, &err) ||
	    (acta = store_sesion_acta(rq->db, m.id, &err)) == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	buf_init(&nombres);
	json_array_foreach(json_object_get(acta, "asistentes"), i, v) {
		if (i > 0)
			buf_puts(&nombres, ", ");
		buf_puts(&nombres, json_string_value(json_object_get(v,
		    "nombre")));
	}
	if (!store_evento(rq->db, m.id, rq->user.id, 0, "sesion.abierta",
	    json_pack("{s:s, s:s, s:O}", "antes", "convocada", "despues",
	    "en_sesion", "asistentes", list), &err,
	    "Sesión abierta con %zu asistentes: %s.",
	    json_array_size(json_object_get(acta, "asistentes")),
	    nombres.data)) {
		buf_cleanup(&nombres);
		json_decref(acta);
		reply_error(rq, &err);
		goto out;
	}
	buf_cleanup(&nombres);
	reply_json(rq, 201, acta);
out:
	free(ids);
	json_decref(body);
}

void
api_sesion_ver(struct req *rq)
{
	struct mesa m;
	struct error err;
	json_t *acta;

	if (!api_mesa_abrir(rq, 0, false, &m))
		return;
	if ((acta = store_sesion_acta(rq->db, m.id, &err)) == NULL)
		reply_error(rq, &err);
	else
		reply_json(rq, 200, acta);
}

void
api_aportaciones_agregar(struct req *rq)
{
	static const char *const tipos[] = { "duda", "aportacion",
	    "retroalimentacion" };
	const char *tipo = NULL, *texto = NULL;
	json_int_t actor = 0;
	json_t *body, *o;
	json_error_t jerr;
	struct error err;
	struct mesa m;
	bool tipo_ok = false;

	if (!api_mesa_abrir(rq, 0, true, &m))
		return;
	if ((body = req_json(rq)) == NULL)
		return;
	if (json_unpack_ex(body, &jerr, 0, "{s:I, s:s, s:s}", "actor", &actor,
	    "tipo", &tipo, "texto", &texto) != 0) {
		reply_errorf(rq, 422, "campo_invalido", "Se requieren «actor» "
		    "(id), «tipo» y «texto».");
		goto out;
	}
	for (size_t i = 0; i < 3; i++)
		tipo_ok = tipo_ok || strcmp(tipo, tipos[i]) == 0;
	if (!tipo_ok) {
		reply_errorf(rq, 422, "tipo_invalido", "El tipo «%s» no existe; "
		    "use duda, aportacion o retroalimentacion.", tipo);
		goto out;
	}
	if (!validate_utf8(texto, strlen(texto)) || *texto == '\0' ||
	    strlen(texto) > 20000) {
		reply_errorf(rq, 422, "texto_invalido", "El texto debe tener "
		    "entre 1 y 20000 bytes de UTF-8 válido.");
		goto out;
	}
	if (m.fase != FASE_EN_SESION) {
		reply_errorf(rq, 409, "transicion_invalida", "Las aportaciones "
		    "se registran durante la sesión; la mesa está en «%s».",
		    rules_fase_label(m.fase));
		goto out;
	}
	o = store_aportacion_agregar(rq->db, m.id, actor, tipo, texto,
	    rq->user.id, &err);
	if (o == NULL || !store_evento(rq->db, m.id, rq->user.id, actor,
	    "aportacion.agregada", json_pack("{s:s, s:I}", "tipo", tipo,
	    "orden", json_integer_value(json_object_get(o, "orden"))), &err,
	    "Aportación %lld (%s) de %s.",
	    (long long)json_integer_value(json_object_get(o, "orden")), tipo,
	    json_string_value(json_object_get(o, "actor")))) {
		json_decref(o);
		reply_error(rq, &err);
		goto out;
	}
	reply_json(rq, 201, o);
out:
	json_decref(body);
}
