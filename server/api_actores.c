/*
 * /v1/mesas/{id}/actores: the people of a mesa. Adding one after the
 * convocatoria suspends it, because the newcomer has not had the
 * materials for 10 days; after the session opened the list is closed.
 */
#include "api_actores.h"

#include <string.h>

#include "api_mesas.h"
#include "store_actores.h"
#include "store_eventos.h"
#include "validate.h"

static const char *const actores_sectores[] = {
	"sociedad_civil", "institucion_publica", "organismo_garante", "stl",
};

static bool
api_actores_sector_valido(const char *s)
{
	for (size_t i = 0; i < sizeof(actores_sectores) /
	    sizeof(actores_sectores[0]); i++)
		if (strcmp(s, actores_sectores[i]) == 0)
			return true;
	return false;
}

void
api_actores_agregar(struct req *rq)
{
	const char *nombre = NULL, *email = NULL, *sector = NULL,
	    *organizacion = NULL, *cargo = NULL;
	json_t *body, *actor, *jorg = NULL, *jcargo = NULL;
	json_error_t jerr;
	struct error err;
	struct mesa m;

	if (!api_mesa_abrir(rq, 0, true, &m))
		return;
	if ((body = req_json(rq)) == NULL)
		return;
	if (json_unpack_ex(body, &jerr, 0, "{s:s, s:s, s:s, s?o, s?o}",
	    "nombre", &nombre, "email", &email, "sector", &sector,
	    "organizacion", &jorg, "cargo", &jcargo) != 0 ||
	    (jorg && !json_is_string(jorg) && !json_is_null(jorg)) ||
	    (jcargo && !json_is_string(jcargo) && !json_is_null(jcargo))) {
		reply_errorf(rq, 422, "campo_invalido",
		    "Se requieren «nombre», «email» y «sector» (texto); "
		    "«organizacion» y «cargo» son opcionales.");
		goto out;
	}
	organizacion = json_string_value(jorg);
	cargo = json_string_value(jcargo);
	if (!validate_line(nombre, "nombre", 200, false, &err) ||
	    !validate_email(email, "email", &err) ||
	    (organizacion && !validate_line(organizacion, "organizacion", 300,
	    false, &err)) ||
	    (cargo && !validate_line(cargo, "cargo", 200, false, &err))) {
		reply_error(rq, &err);
		goto out;
	}
	if (!api_actores_sector_valido(sector)) {
		reply_errorf(rq, 422, "sector_invalido",
		    "El sector «%s» no existe; use sociedad_civil, "
		    "institucion_publica, organismo_garante o stl.", sector);
		goto out;
	}
	if (m.fase != FASE_PREPARACION && m.fase != FASE_CONVOCADA &&
	    m.fase != FASE_SUSPENDIDA) {
		reply_errorf(rq, 409, "transicion_invalida",
		    "No se pueden agregar actores a una mesa en «%s».",
		    rules_fase_label(m.fase));
		goto out;
	}
	actor = store_actor_crear(rq->db, m.id, nombre, email, sector,
	    organizacion, cargo, &err);
	if (actor == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	if (!store_evento(rq->db, m.id, rq->user.id,
	    json_integer_value(json_object_get(actor, "id")),
	    "actor.agregado", json_pack("{s:s, s:s}", "email", email,
	    "sector", sector), &err, "Actor agregado: %s (%s).", nombre,
	    sector)) {
		json_decref(actor);
		reply_error(rq, &err);
		goto out;
	}
	if (m.fase == FASE_CONVOCADA) {
		char motivo[300];

		snprintf(motivo, sizeof(motivo), "se agregó al actor %s",
		    nombre);
		if (!store_mesa_suspender(rq->db, &m, rq->user.id, motivo,
		    &err)) {
			json_decref(actor);
			reply_error(rq, &err);
			goto out;
		}
	}
	reply_json(rq, 201, actor);
out:
	json_decref(body);
}

void
api_actores_listar(struct req *rq)
{
	struct mesa m;
	struct error err;
	json_t *o;

	if (!api_mesa_abrir(rq, 0, false, &m))
		return;
	if ((o = store_actores_listar(rq->db, m.id, &err)) == NULL)
		reply_error(rq, &err);
	else
		reply_json(rq, 200, o);
}

void
api_actores_revocar_enlaces(struct req *rq)
{
	char nombre[201];
	struct error err;
	struct mesa m;
	long long actor;
	int n;

	if (!api_mesa_abrir(rq, 0, true, &m) ||
	    !req_param_id(rq, 1, &actor))
		return;
	if (!store_actor_nombre(rq->db, m.id, actor, nombre, sizeof(nombre),
	    &err) ||
	    (n = store_actor_revocar_enlaces(rq->db, m.id, actor, &err)) < 0 ||
	    !store_evento(rq->db, m.id, rq->user.id, actor, "enlace.revocado",
	    json_pack("{s:i}", "revocados", n), &err,
	    "Enlaces personales de %s revocados (%d).", nombre, n)) {
		reply_error(rq, &err);
		return;
	}
	reply_json(rq, 200, json_pack("{s:i}", "revocados", n));
}
