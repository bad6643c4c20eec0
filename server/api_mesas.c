/*
 * /v1/mesas: creation, listing, the mesa at a glance, its timeline and
 * scheduling behind the 10-day gate, with the convocatoria (email and
 * iCalendar invitation) to every actor. Access rules for every mesa route
 * live in api_mesa_abrir.
 */
#include "api_mesas.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "buf.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "ical.h"
#include "outbox.h"
#include "store_eventos.h"
#include "validate.h"
#include "xmalloc.h"

/* How long the invitation blocks in calendars. */
#define CONVOCATORIA_DURACION_MIN	180

bool
api_mesa_abrir(struct req *rq, int param, bool escribir, struct mesa *m)
{
	long long id;

	return req_param_id(rq, param, &id) &&
	    api_mesa_abrir_id(rq, id, escribir, m);
}

bool
api_mesa_abrir_id(struct req *rq, long long id, bool escribir,
    struct mesa *m)
{
	struct error err;
	bool ok;

	if (!store_mesa_cargar(rq->db, id, escribir, m, &err)) {
		reply_error(rq, &err);
		return false;
	}
	if (strcmp(rq->user.rol, "admin") == 0)
		ok = true;
	else if (strcmp(rq->user.rol, "facilitador") == 0)
		ok = m->facilitador_id == rq->user.id;
	else	/* garante: reads its entidad, or every one if unbound */
		ok = !escribir && (rq->user.entidad[0] == '\0' ||
		    strcmp(rq->user.entidad, m->entidad) == 0);
	if (!ok) {
		reply_errorf(rq, 403, "prohibido", escribir
		    ? "Solo el facilitador de la mesa %lld puede modificarla."
		    : "No tiene acceso a la mesa %lld.", id);
		return false;
	}
	return true;
}

/* Optional string member; false after replying 422 if not a string. */
static bool
api_mesas_opt_string(struct req *rq, json_t *body, const char *key,
    const char **out)
{
	json_t *v = json_object_get(body, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return true;
	if (!json_is_string(v)) {
		reply_errorf(rq, 422, "campo_invalido",
		    "El campo «%s» debe ser texto.", key);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

void
api_mesas_crear(struct req *rq)
{
	const char *titulo, *entidad, *municipio, *zona;
	struct error err;
	json_t *body, *mesa;

	if ((body = req_json(rq)) == NULL)
		return;
	if (!api_mesas_opt_string(rq, body, "titulo", &titulo) ||
	    !api_mesas_opt_string(rq, body, "entidad", &entidad) ||
	    !api_mesas_opt_string(rq, body, "municipio", &municipio) ||
	    !api_mesas_opt_string(rq, body, "zona_horaria", &zona))
		goto out;
	if (titulo == NULL || entidad == NULL) {
		reply_errorf(rq, 422, "campo_invalido",
		    "Se requieren «titulo» y «entidad».");
		goto out;
	}
	mesa = store_mesa_crear(rq->db, rq->user.id, titulo, entidad,
	    municipio, zona, &err);
	if (mesa == NULL)
		reply_error(rq, &err);
	else
		reply_json(rq, 201, mesa);
out:
	json_decref(body);
}

void
api_mesas_listar(struct req *rq)
{
	char *entidad = req_query(rq, "entidad");
	char *fase = req_query(rq, "fase");
	enum fase f;
	struct error err;
	json_t *list;

	if (fase != NULL && !rules_fase_parse(fase, &f)) {
		reply_errorf(rq, 422, "fase_invalida",
		    "La fase «%s» no existe.", fase);
		goto out;
	}
	list = store_mesas_listar(rq->db,
	    strcmp(rq->user.rol, "facilitador") == 0 ? rq->user.id : 0,
	    strcmp(rq->user.rol, "garante") == 0 ? rq->user.entidad : NULL,
	    entidad, fase, &err);
	if (list == NULL)
		reply_error(rq, &err);
	else
		reply_json(rq, 200, list);
out:
	free(entidad);
	free(fase);
}

void
api_mesas_ver(struct req *rq)
{
	struct mesa m;
	struct error err;
	json_t *o;

	if (!api_mesa_abrir(rq, 0, false, &m))
		return;
	if ((o = store_mesa_ver(rq->db, &m, &err)) == NULL)
		reply_error(rq, &err);
	else
		reply_json(rq, 200, o);
}

void
api_mesas_eventos(struct req *rq)
{
	struct mesa m;
	struct error err;
	json_t *o;

	if (!api_mesa_abrir(rq, 0, false, &m))
		return;
	if ((o = store_eventos_listar(rq->db, m.id, &err)) == NULL)
		reply_error(rq, &err);
	else
		reply_json(rq, 200, o);
}

/* The convocatoria to one actor, with the invitation attached. */
static bool
api_mesas_convocar(PGconn *conn, const struct mesa *m, const char *nombre,
    const char *email, const struct buf *ics, struct error *err)
{
	struct mime_attachment att;
	struct outbox_mail mail;
	char larga[80], *text, *subject;
	long long id;
	bool ok;

	dates_format_long(m->fecha, larga, sizeof(larga));
	text = xasprintf("Estimada/o %s:\n\n"
	    "Se le convoca a la mesa de diálogo «%s» del Plan de Acción "
	    "Local de %s.\n\n"
	    "Fecha: %s\n"
	    "Hora: %02d:%02d (hora local, %s)\n"
	    "Lugar: %s\n\n"
	    "Qué llevar:\n"
	    "- Los materiales de la preparación que recibió (problemáticas, "
	    "criterios mínimos, soluciones, compromisos preliminares e "
	    "información de la institución pública), ya revisados.\n"
	    "- Sus dudas y aportaciones por escrito, si las tiene.\n"
	    "- Una identificación, para el registro de asistencia.\n\n"
	    "En la sesión se revisará el diagnóstico, se definirán los "
	    "compromisos del Plan de Acción Local y se pedirá la conformidad "
	    "de cada asistente, que rubricará y firmará el documento.\n\n"
	    "Se adjunta una invitación para su calendario.\n\n"
	    "%s\nFacilitación del Secretariado Técnico Local\n",
	    nombre, m->titulo, m->entidad, larga, m->hora / 60, m->hora % 60,
	    m->zona_horaria, m->lugar, m->facilitador_nombre);
	subject = xasprintf("Convocatoria: mesa «%s», %s", m->titulo, larga);
	att.filename = "convocatoria.ics";
	att.content_type = "text/calendar; method=REQUEST; charset=UTF-8";
	att.data = ics->data;
	att.len = ics->len;
	memset(&mail, 0, sizeof(mail));
	mail.tipo = "convocatoria";
	mail.mesa_id = m->id;
	mail.to_name = nombre;
	mail.to_addr = email;
	mail.subject = subject;
	mail.text = text;
	mail.attachments = &att;
	mail.n_attachments = 1;
	ok = outbox_enqueue(conn, &mail, &id, NULL, err);
	free(text);
	free(subject);
	return ok;
}

/* Builds the invitation and emails it to every actor of m. */
static bool
api_mesas_convocatoria(PGconn *conn, const struct mesa *m, int secuencia,
    struct error *err)
{
	char idbuf[24], *uid, *summary;
	const char *p[1] = { idbuf };
	const char *domain = strchr(config_live->mail_from, '@');
	struct ical_attendee *att;
	struct ical_event ev;
	struct buf ics;
	PGresult *res;
	int n;
	bool ok = true;

	snprintf(idbuf, sizeof(idbuf), "%lld", m->id);
	res = db_exec(conn, err, "SELECT nombre, email FROM actores"
	    " WHERE mesa_id = $1 ORDER BY id", 1, p);
	if (res == NULL)
		return false;
	n = PQntuples(res);
	att = xcalloc((size_t)n + 1, sizeof(*att));
	for (int r = 0; r < n; r++) {
		att[r].name = PQgetvalue(res, r, 0);
		att[r].email = PQgetvalue(res, r, 1);
	}
	uid = xasprintf("mesa-%lld@%s", m->id, domain ? domain + 1
	    : "localhost");
	summary = xasprintf("Mesa de diálogo: %s", m->titulo);
	memset(&ev, 0, sizeof(ev));
	ev.uid = uid;
	ev.sequence = secuencia;
	ev.dtstamp = time(NULL);
	ev.summary = summary;
	ev.description = "Mesa de diálogo del Plan de Acción Local. Lleve "
	    "los materiales de la preparación revisados.";
	ev.location = m->lugar;
	ev.date = m->fecha;
	ev.start_minutes = m->hora;
	ev.duration_minutes = CONVOCATORIA_DURACION_MIN;
	ev.tzid = m->zona_horaria;
	ev.utc_offset_minutes = m->utc_offset_min;
	ev.organizer_name = m->facilitador_nombre;
	ev.organizer_email = m->facilitador_email;
	ev.attendees = att;
	ev.n_attendees = (size_t)n;
	buf_init(&ics);
	ical_write(&ics, "REQUEST", NULL, &ev, 1);
	for (int r = 0; r < n && ok; r++)
		ok = api_mesas_convocar(conn, m, att[r].name, att[r].email,
		    &ics, err);
	buf_cleanup(&ics);
	free(uid);
	free(summary);
	free(att);
	PQclear(res);
	return ok;
}

void
api_mesas_programar(struct req *rq)
{
	const char *fecha_s = NULL, *hora_s = NULL, *lugar = NULL;
	char idbuf[24], antes[24];
	const char *p[4];
	json_t *body, *pendientes = NULL, *o;
	json_error_t jerr;
	struct error err;
	struct mesa m;
	int fecha, hora, minima, ultima, secuencia;
	PGresult *res;

	if (!api_mesa_abrir(rq, 0, true, &m))
		return;
	if ((body = req_json(rq)) == NULL)
		return;
	if (json_unpack_ex(body, &jerr, 0, "{s:s, s:s, s:s}", "fecha",
	    &fecha_s, "hora", &hora_s, "lugar", &lugar) != 0) {
		reply_errorf(rq, 422, "campo_invalido",
		    "Se requieren «fecha» (AAAA-MM-DD), «hora» (HH:MM) y "
		    "«lugar».");
		goto out;
	}
	if (!dates_parse(fecha_s, &fecha)) {
		reply_errorf(rq, 422, "fecha_invalida", "La fecha «%s» no es "
		    "una fecha válida con formato AAAA-MM-DD.", fecha_s);
		goto out;
	}
	if (!dates_parse_time(hora_s, &hora)) {
		reply_errorf(rq, 422, "hora_invalida", "La hora «%s» no es una "
		    "hora válida con formato HH:MM.", hora_s);
		goto out;
	}
	if (!validate_line(lugar, "lugar", 500, false, &err)) {
		reply_error(rq, &err);
		goto out;
	}
	if (!rules_transicion(m.fase, FASE_CONVOCADA, &err)) {
		reply_error(rq, &err);
		goto out;
	}
	if (!store_mesa_gate(rq->db, &m, fecha, &pendientes, &minima,
	    &ultima, &err)) {
		char a[11], b[11];

		if (err.status >= 500) {
			reply_error(rq, &err);
			goto out;
		}
		if (ultima != RULES_NO_RECIBIDO)
			dates_format(ultima, a);
		if (minima != RULES_NO_RECIBIDO)
			dates_format(minima, b);
		reply_error_detalles(rq, &err, json_pack("{s:O, s:o, s:o}",
		    "pendientes", pendientes,
		    "ultima_recepcion", ultima == RULES_NO_RECIBIDO
			? json_null() : json_string(a),
		    "fecha_minima", minima == RULES_NO_RECIBIDO
			? json_null() : json_string(b)));
		goto out;
	}

	snprintf(idbuf, sizeof(idbuf), "%lld", m.id);
	snprintf(antes, sizeof(antes), "%s", rules_fase_name(m.fase));
	p[0] = idbuf;
	p[1] = fecha_s;
	p[2] = hora_s;
	p[3] = lugar;
	if (!db_command(rq->db, &err, "UPDATE mesas SET fecha = $2,"
	    " hora = $3, lugar = $4, programada = now(), fase = 'convocada',"
	    " actualizado = now() WHERE id = $1", 4, p)) {
		reply_error(rq, &err);
		goto out;
	}
	/* The invitation's SEQUENCE: how many times it was scheduled. */
	res = db_exec(rq->db, &err, "SELECT count(*) FROM eventos"
	    " WHERE mesa_id = $1 AND tipo = 'mesa.programada'", 1, p);
	if (res == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	secuencia = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (!store_evento(rq->db, m.id, rq->user.id, 0, "mesa.programada",
	    json_pack("{s:s, s:s, s:s, s:s, s:s}", "antes", antes,
	    "despues", "convocada", "fecha", fecha_s, "hora", hora_s,
	    "lugar", lugar), &err,
	    "Mesa convocada para el %s a las %s en %s.", fecha_s, hora_s,
	    lugar) ||
	    !store_mesa_cargar(rq->db, m.id, false, &m, &err) ||
	    !api_mesas_convocatoria(rq->db, &m, secuencia, &err) ||
	    (o = store_mesa_ver(rq->db, &m, &err)) == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	reply_json(rq, 200, o);
out:
	json_decref(pendientes);
	json_decref(body);
}
