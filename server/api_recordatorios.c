/*
 * Reminders through the API.
 *
 * POST /v1/recordatorios/ejecutar: one reminder planning pass now, in the
 * request's transaction (http.c BEGINs it, COMMITs when the reply is
 * below 400 and then wakes the mailer), answering what it queued. It is
 * what `pal recordatorios ejecutar`, the tests and the benchmarks use.
 * The pass waits for one running in another pald or in the scheduler
 * (reminders_plan takes a transaction-scoped advisory lock) and then finds
 * their work done, so it never duplicates a reminder. It does not read
 * config_live's strings: the settings come from the snapshot the loop
 * thread keeps (reminders_settings_load).
 *
 * GET and PUT /v1/mesas/{id}/recordatorios: a mesa's own cadence (the
 * days before a deadline, the overdue spacing, the copy thresholds, the
 * hour), each value the mesa's own or, when null, the daemon's. PUT
 * changes only the members its body names, null resetting one; a bad
 * value is 422 cadencia_invalida naming its field and nothing is
 * written. The days follow common/recordatorios.c's parser, the same
 * rules as recordatorio_dias_antes in the configuration, and the numbers
 * the configuration's ranges. A change writes a timeline event in the
 * same transaction; an unchanged cadence writes nothing.
 */
#include "api_recordatorios.h"

#include <stdlib.h>
#include <string.h>

#include "api_mesas.h"
#include "buf.h"
#include "dates.h"
#include "log.h"
#include "recordatorios.h"
#include "reminders.h"
#include "store_eventos.h"
#include "store_recordatorios.h"

void
api_recordatorios_ejecutar(struct req *rq)
{
	struct reminders_settings s;
	struct error err;
	json_t *out;

	reminders_settings_load(&s);
	if ((out = reminders_plan(rq->db, &s, &err)) == NULL) {
		reply_error(rq, &err);
		return;
	}
	log_info("reminders: on-demand pass by user %lld queued %lld",
	    rq->user.id, (long long)json_integer_value(json_object_get(out,
	    "planificados")));
	reply_json(rq, 200, out);
}

/*
 * A mesa's cadence.
 */

/* The members of a cadence, in the order replies and events list them. */
enum {
	CAMPO_DIAS, CAMPO_VENCIDA, CAMPO_COPIA_FACILITADOR,
	CAMPO_COPIA_GARANTE, CAMPO_HORA, N_CAMPOS
};

static const char *const api_recordatorios_campos[N_CAMPOS] = {
	"dias_antes", "vencida_cada", "copia_facilitador", "copia_garante",
	"hora",
};

/* What a field accepts, for its 422 message. */
static const char *const api_recordatorios_esperado[N_CAMPOS] = {
	"una lista de hasta 16 días enteros entre 0 y 366 (0 es el día del "
	    "vencimiento), como [30, 7, 1, 0]",
	"un número entero de días entre 1 y 366",
	"un número entero de días de retraso entre 0 y 366",
	"un número entero de días de retraso entre 0 y 366",
	"una hora HH:MM entre 00:00 y 23:59, como 09:00",
};

static bool *
api_recordatorios_propia(struct store_cadencia *c, int campo)
{
	switch (campo) {
	case CAMPO_DIAS:
		return &c->propia_dias;
	case CAMPO_VENCIDA:
		return &c->propia_vencida;
	case CAMPO_COPIA_FACILITADOR:
		return &c->propia_copia_facilitador;
	case CAMPO_COPIA_GARANTE:
		return &c->propia_copia_garante;
	default:
		return &c->propia_hora;
	}
}

static int *
api_recordatorios_entero(struct store_cadencia *c, int campo)
{
	switch (campo) {
	case CAMPO_VENCIDA:
		return &c->vencida_cada;
	case CAMPO_COPIA_FACILITADOR:
		return &c->copia_facilitador;
	default:
		return &c->copia_garante;
	}
}

/* The days of a JSON array, with the configuration's parser's rules. */
static bool
api_recordatorios_dias(const json_t *v, struct store_cadencia *c)
{
	struct buf s;
	size_t i;
	json_t *d;
	bool ok = true;

	if (!json_is_array(v))
		return false;
	buf_init(&s);
	json_array_foreach(v, i, d) {
		if (!json_is_integer(d)) {
			ok = false;
			break;
		}
		buf_printf(&s, "%s%" JSON_INTEGER_FORMAT, i > 0 ? "," : "",
		    json_integer_value(d));
	}
	ok = ok && recordatorios_parse_dias(s.data, c->dias, &c->n_dias);
	buf_cleanup(&s);
	if (ok)
		c->n_dias = store_recordatorios_normalizar(c->dias, c->n_dias);
	return ok;
}

/*
 * Applies body's members to c. False, with the field's name in *campo,
 * if one is unknown or has a bad value.
 */
static bool
api_recordatorios_aplicar(const json_t *body, struct store_cadencia *c,
    const char **campo, struct error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)body, key, v) {
		int f;

		for (f = 0; f < N_CAMPOS; f++)
			if (strcmp(key, api_recordatorios_campos[f]) == 0)
				break;
		*campo = key;
		if (f == N_CAMPOS) {
			error_set(err, 422, "cadencia_invalida",
			    "El campo «%.60s» no existe en una cadencia de "
			    "recordatorios; use dias_antes, vencida_cada, "
			    "copia_facilitador, copia_garante y hora.", key);
			return false;
		}
		*campo = api_recordatorios_campos[f];
		if (json_is_null(v)) {
			*api_recordatorios_propia(c, f) = false;
			continue;
		}
		if (f == CAMPO_DIAS ? api_recordatorios_dias(v, c) :
		    f == CAMPO_HORA ? json_is_string(v) &&
		    dates_parse_time(json_string_value(v), &c->hora_min) :
		    json_is_integer(v) && json_integer_value(v) >=
		    (f == CAMPO_VENCIDA ? 1 : 0) &&
		    json_integer_value(v) <= RECORDATORIOS_DIAS_TOPE) {
			if (f != CAMPO_DIAS && f != CAMPO_HORA)
				*api_recordatorios_entero(c, f) =
				    (int)json_integer_value(v);
			*api_recordatorios_propia(c, f) = true;
			continue;
		}
		error_set(err, 422, "cadencia_invalida", "%s: se espera %s, o "
		    "null para volver al valor general.", *campo,
		    api_recordatorios_esperado[f]);
		return false;
	}
	return true;
}

/* The value of field f of c, own or general, as JSON. */
static json_t *
api_recordatorios_valor(const struct store_cadencia *c, int f)
{
	char hora[16];
	json_t *a;

	switch (f) {
	case CAMPO_DIAS:
		a = json_array();
		for (int i = 0; i < c->n_dias; i++)
			json_array_append_new(a, json_integer(c->dias[i]));
		return a;
	case CAMPO_VENCIDA:
		return json_integer(c->vencida_cada);
	case CAMPO_COPIA_FACILITADOR:
		return json_integer(c->copia_facilitador);
	case CAMPO_COPIA_GARANTE:
		return json_integer(c->copia_garante);
	default:
		snprintf(hora, sizeof(hora), "%02d:%02d", c->hora_min / 60,
		    c->hora_min % 60);
		return json_string(hora);
	}
}

/* The daemon's cadence, as a store_cadencia with nothing its own. */
static void
api_recordatorios_general(struct store_cadencia *g)
{
	struct reminders_settings s;

	reminders_settings_load(&s);
	memset(g, 0, sizeof(*g));
	memcpy(g->dias, s.dias_antes, sizeof(g->dias));
	g->n_dias = store_recordatorios_normalizar(g->dias, s.n_dias_antes);
	g->vencida_cada = s.vencida_cada;
	g->copia_facilitador = s.copia_facilitador;
	g->copia_garante = s.copia_garante;
	g->hora_min = s.hora_min;
}

/*
 * The effective cadence of a mesa: {mesa_id, dias_antes, vencida_cada,
 * copia_facilitador, copia_garante, hora, propia: {each: bool}}.
 */
static json_t *
api_recordatorios_efectiva(long long mesa_id, struct store_cadencia *c)
{
	struct store_cadencia g;
	json_t *o, *propia;

	api_recordatorios_general(&g);
	o = json_pack("{s:I}", "mesa_id", (json_int_t)mesa_id);
	propia = json_object();
	for (int f = 0; f < N_CAMPOS; f++) {
		bool own = *api_recordatorios_propia(c, f);

		json_object_set_new(o, api_recordatorios_campos[f],
		    api_recordatorios_valor(own ? c : &g, f));
		json_object_set_new(propia, api_recordatorios_campos[f],
		    json_boolean(own));
	}
	json_object_set_new(o, "propia", propia);
	return o;
}

/* The mesa's own values, null where general, for the event. */
static json_t *
api_recordatorios_propios(struct store_cadencia *c)
{
	json_t *o = json_object();

	for (int f = 0; f < N_CAMPOS; f++)
		json_object_set_new(o, api_recordatorios_campos[f],
		    *api_recordatorios_propia(c, f) ?
		    api_recordatorios_valor(c, f) : json_null());
	return o;
}

/* "30, 7, 1 y 0", "09:00", "7"; "general" when not the mesa's own. */
static void
api_recordatorios_texto(struct buf *b, struct store_cadencia *c, int f)
{
	if (!*api_recordatorios_propia(c, f)) {
		buf_puts(b, "general");
		return;
	}
	if (f == CAMPO_DIAS) {
		if (c->n_dias == 0)
			buf_puts(b, "ninguno");
		for (int i = 0; i < c->n_dias; i++)
			buf_printf(b, "%s%d", i == 0 ? "" :
			    i == c->n_dias - 1 ? " y " : ", ", c->dias[i]);
	} else if (f == CAMPO_HORA)
		buf_printf(b, "%02d:%02d", c->hora_min / 60,
		    c->hora_min % 60);
	else
		buf_printf(b, "%d", *api_recordatorios_entero(c, f));
}

/* Whether field f differs between a and b (own flag or value). */
static bool
api_recordatorios_cambia(struct store_cadencia *a, struct store_cadencia *b,
    int f)
{
	bool pa = *api_recordatorios_propia(a, f);
	bool pb = *api_recordatorios_propia(b, f);

	if (pa != pb)
		return true;
	if (!pa)
		return false;
	switch (f) {
	case CAMPO_DIAS:
		return a->n_dias != b->n_dias || memcmp(a->dias, b->dias,
		    (size_t)a->n_dias * sizeof(int)) != 0;
	case CAMPO_HORA:
		return a->hora_min != b->hora_min;
	default:
		return *api_recordatorios_entero(a, f) !=
		    *api_recordatorios_entero(b, f);
	}
}

void
api_recordatorios_cadencia_ver(struct req *rq)
{
	struct store_cadencia c;
	struct error err;
	struct mesa m;

	if (!api_mesa_abrir(rq, 0, false, &m))
		return;
	if (!store_recordatorios_leer(rq->db, m.id, &c, &err)) {
		reply_error(rq, &err);
		return;
	}
	reply_json(rq, 200, api_recordatorios_efectiva(m.id, &c));
}

void
api_recordatorios_cadencia_fijar(struct req *rq)
{
	static const char *const etiquetas[N_CAMPOS] = {
		"días antes", "vencida cada (días)",
		"copia al facilitador (días de retraso)",
		"copia al garante (días de retraso)", "hora",
	};
	struct store_cadencia antes, despues;
	struct error err;
	struct mesa m;
	struct buf d;
	const char *campo = NULL;
	json_t *body;
	int cambios = 0;

	if (!api_mesa_abrir(rq, 0, true, &m))
		return;
	if ((body = req_json(rq)) == NULL)
		return;
	if (!store_recordatorios_leer(rq->db, m.id, &antes, &err)) {
		json_decref(body);
		reply_error(rq, &err);
		return;
	}
	despues = antes;
	if (!api_recordatorios_aplicar(body, &despues, &campo, &err)) {
		/* campo may be a key of body: reply before letting it go. */
		reply_error_detalles(rq, &err, json_pack("{s:s}", "campo",
		    campo));
		json_decref(body);
		return;
	}
	json_decref(body);

	buf_init(&d);
	buf_puts(&d, "Cadencia de recordatorios cambiada:");
	for (int f = 0; f < N_CAMPOS; f++) {
		if (!api_recordatorios_cambia(&antes, &despues, f))
			continue;
		buf_printf(&d, "%s %s ", cambios++ > 0 ? ";" : "",
		    etiquetas[f]);
		api_recordatorios_texto(&d, &antes, f);
		buf_puts(&d, " → ");
		api_recordatorios_texto(&d, &despues, f);
	}
	buf_putc(&d, '.');
	if (cambios > 0 && (!store_recordatorios_guardar(rq->db, m.id,
	    &despues, &err) || !store_evento(rq->db, m.id, rq->user.id, 0,
	    "mesa.recordatorios", json_pack("{s:o, s:o}", "antes",
	    api_recordatorios_propios(&antes), "despues",
	    api_recordatorios_propios(&despues)), &err, "%s", d.data))) {
		buf_cleanup(&d);
		reply_error(rq, &err);
		return;
	}
	buf_cleanup(&d);
	reply_json(rq, 200, api_recordatorios_efectiva(m.id, &despues));
}
