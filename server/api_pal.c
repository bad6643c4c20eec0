/*
 * The PAL document. A draft (the commitments in the database) is checked
 * with rules_pal_validar; closing freezes version N as a canonical JSON
 * text (keys sorted, compact) and the PDF rendered from it, each with its
 * SHA-256, and asks every attendee for conformity against that hash. The
 * version then stays immutable: editing needs an explicit reopening, which
 * voids it and its conformities. Delivery and open data read the current
 * version, never the draft.
 */
#include "api_pal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_mesas.h"
#include "config.h"
#include "csv.h"
#include "dates.h"
#include "db.h"
#include "ical.h"
#include "outbox.h"
#include "pdf.h"
#include "rules.h"
#include "store_compromisos.h"
#include "store_eventos.h"
#include "store_pal.h"
#include "token.h"
#include "validate.h"
#include "xmalloc.h"

/* Most rule violations reported at once. */
#define PAL_MAX_VIOLACIONES	500

/* json_string_value, with "" and non-strings as NULL. */
static const char *
pal_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && *s != '\0' ? s : NULL;
}

static int
pal_fecha(const json_t *o, const char *key)
{
	int d = 0;
	const char *s = pal_str(o, key);

	if (s == NULL || !dates_parse(s, &d))
		return 0;
	return d;
}

/*
 * Runs the PAL rules over the draft (compromisos as listed by
 * store_compromisos_listar). Returns a new JSON array of errors.
 */
static json_t *
pal_validar(const json_t *compromisos)
{
	size_t n = json_array_size(compromisos), total, i, j;
	struct rules_compromiso *c = xcalloc(n + 1, sizeof(*c));
	struct rules_actividad **acts = xcalloc(n + 1, sizeof(*acts));
	struct rules_violacion *v = xcalloc(PAL_MAX_VIOLACIONES, sizeof(*v));
	json_t *errores = json_array(), *jc, *ja, *jcrit;

	json_array_foreach(compromisos, i, jc) {
		json_t *list = json_object_get(jc, "actividades");

		c[i].id = json_integer_value(json_object_get(jc, "id"));
		c[i].numero = (int)json_integer_value(json_object_get(jc,
		    "numero"));
		c[i].titulo = pal_str(jc, "titulo");
		c[i].tipo = pal_str(jc, "tipo");
		c[i].problema = pal_str(jc, "problema");
		c[i].descripcion = pal_str(jc, "descripcion");
		c[i].alineacion = pal_str(jc, "alineacion");
		c[i].indicador = pal_str(jc, "indicador");
		c[i].meta = pal_str(jc, "meta");
		c[i].institucion = pal_str(jc, "institucion");
		c[i].inicio = pal_fecha(jc, "inicio");
		c[i].fin = pal_fecha(jc, "fin");
		json_array_foreach(json_object_get(jc, "criterios"), j, jcrit)
			c[i].criterios |= rules_criterio_bit(
			    pal_str(jcrit, "criterio") ?
			    pal_str(jcrit, "criterio") : "");
		acts[i] = xcalloc(json_array_size(list) + 1,
		    sizeof(**acts));
		json_array_foreach(list, j, ja) {
			json_t *r = json_object_get(ja, "responsable");

			acts[i][j].id = json_integer_value(json_object_get(ja,
			    "id"));
			acts[i][j].numero = (int)json_integer_value(
			    json_object_get(ja, "numero"));
			acts[i][j].descripcion = pal_str(ja, "descripcion");
			acts[i][j].responsable_nombre = pal_str(r, "nombre");
			acts[i][j].responsable_email = pal_str(r, "email");
			acts[i][j].fecha_limite = pal_fecha(ja,
			    "fecha_limite");
		}
		c[i].actividades = acts[i];
		c[i].n_actividades = json_array_size(list);
	}
	total = rules_pal_validar(c, n, v, PAL_MAX_VIOLACIONES);
	for (i = 0; i < total && i < PAL_MAX_VIOLACIONES; i++)
		json_array_append_new(errores, json_pack(
		    "{s:s, s:s, s:o, s:o}", "code", v[i].code,
		    "message", v[i].message,
		    "compromiso_id", v[i].compromiso_id ?
			json_integer(v[i].compromiso_id) : json_null(),
		    "actividad_id", v[i].actividad_id ?
			json_integer(v[i].actividad_id) : json_null()));
	for (i = 0; i < n; i++)
		free(acts[i]);
	free(acts);
	free(c);
	free(v);
	return errores;
}

/* A copy of the listed keys of src (missing ones as null). */
static json_t *
pal_pick(const json_t *src, const char *const *keys)
{
	json_t *o = json_object();

	for (; *keys != NULL; keys++) {
		json_t *v = json_object_get(src, *keys);

		json_object_set_new(o, *keys, v ? json_deep_copy(v)
		    : json_null());
	}
	return o;
}

/* The canonical content of version `numero` from the draft. */
static json_t *
pal_canonico(PGconn *conn, const struct mesa *m, int numero,
    const json_t *compromisos, struct error *err)
{
	static const char *const kc[] = { "id", "numero", "titulo", "tipo",
	    "problema", "descripcion", "alineacion", "indicador", "meta",
	    "institucion", "inicio", "fin", NULL };
	static const char *const ka[] = { "id", "numero", "descripcion",
	    "fecha_limite", "entregable", NULL };
	static const char *const kr[] = { "nombre", "cargo", "institucion",
	    "email", NULL };
	static const char *const kk[] = { "criterio", "quien",
	    "justificacion", NULL };
	char idbuf[24], fecha[11], hora[16];
	const char *p[1] = { idbuf };
	json_t *doc, *arr, *jc, *x;
	PGresult *res;
	size_t i, j;

	snprintf(idbuf, sizeof(idbuf), "%lld", m->id);
	res = db_exec(conn, err, "SELECT a.id, a.nombre, a.organizacion,"
	    " a.sector, a.cargo, EXISTS (SELECT 1 FROM asistencias s"
	    " WHERE s.actor_id = a.id), (SELECT municipio FROM mesas"
	    " WHERE id = $1) FROM actores a WHERE a.mesa_id = $1"
	    " ORDER BY a.id", 1, p);
	if (res == NULL)
		return NULL;
	arr = json_array();
	for (int r = 0; r < PQntuples(res); r++)
		json_array_append_new(arr, json_pack("{s:I, s:s, s:o, s:s, s:o,"
		    " s:b}", "id", (json_int_t)strtoll(PQgetvalue(res, r, 0),
		    NULL, 10), "nombre", PQgetvalue(res, r, 1),
		    "organizacion", PQgetisnull(res, r, 2) ? json_null()
			: json_string(PQgetvalue(res, r, 2)),
		    "sector", PQgetvalue(res, r, 3),
		    "cargo", PQgetisnull(res, r, 4) ? json_null()
			: json_string(PQgetvalue(res, r, 4)),
		    "asistio", strcmp(PQgetvalue(res, r, 5), "t") == 0));
	dates_format(m->fecha, fecha);
	snprintf(hora, sizeof(hora), "%02d:%02d", m->hora / 60, m->hora % 60);
	doc = json_pack("{s:o, s:i}", "actores", arr, "version", numero);
	json_object_set_new(doc, "mesa", json_pack("{s:I, s:s, s:s, s:o, s:s,"
	    " s:s, s:s, s:s}", "id", (json_int_t)m->id, "titulo", m->titulo,
	    "entidad", m->entidad,
	    "municipio", PQntuples(res) == 0 || PQgetisnull(res, 0, 6)
		? json_null() : json_string(PQgetvalue(res, 0, 6)),
	    "zona_horaria", m->zona_horaria, "fecha", fecha, "hora", hora,
	    "lugar", m->lugar));
	PQclear(res);

	arr = json_array();
	json_array_foreach(compromisos, i, jc) {
		json_t *c = pal_pick(jc, kc), *acts = json_array(),
		    *crits = json_array();

		json_array_foreach(json_object_get(jc, "actividades"), j, x) {
			json_t *a = pal_pick(x, ka);

			json_object_set_new(a, "responsable", pal_pick(
			    json_object_get(x, "responsable"), kr));
			json_array_append_new(acts, a);
		}
		json_array_foreach(json_object_get(jc, "criterios"), j, x)
			json_array_append_new(crits, pal_pick(x, kk));
		json_object_set_new(c, "actividades", acts);
		json_object_set_new(c, "criterios", crits);
		json_array_append_new(arr, c);
	}
	json_object_set_new(doc, "compromisos", arr);
	return doc;
}

void
api_pal_validar(struct req *rq)
{
	struct error err;
	struct mesa m;
	json_t *comp, *errores;

	if (!api_mesa_abrir(rq, 0, false, &m))
		return;
	if ((comp = store_compromisos_listar(rq->db, m.id, &err)) == NULL) {
		reply_error(rq, &err);
		return;
	}
	errores = pal_validar(comp);
	json_decref(comp);
	reply_json(rq, 200, json_pack("{s:b, s:o}", "valido",
	    json_array_size(errores) == 0, "errores", errores));
}

/* Emails attendee (nombre, email) the PDF and a conformity link. */
static bool
pal_pedir_conformidad(PGconn *conn, const struct mesa *m,
    const struct pal_version *v, long long actor_id, const char *nombre,
    const char *email, const struct buf *pdf, struct error *err)
{
	char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	char mesa[24], actor[24], ver[24], *text, *subject, *fname;
	const char *p[4];
	struct mime_attachment att;
	struct outbox_mail mail;
	long long id;
	bool ok;

	if (!token_generate(token)) {
		error_set(err, 500, "error_interno",
		    "No se pudo generar un enlace personal.");
		return false;
	}
	token_hash(token, hash);
	snprintf(mesa, sizeof(mesa), "%lld", m->id);
	snprintf(actor, sizeof(actor), "%lld", actor_id);
	snprintf(ver, sizeof(ver), "%lld", v->id);
	p[0] = hash;
	p[1] = mesa;
	p[2] = actor;
	p[3] = ver;
	if (!db_command(conn, err, "INSERT INTO enlaces (hash, proposito,"
	    " mesa_id, actor_id, version_id) VALUES ($1, 'conformidad', $2,"
	    " $3, $4)", 4, p))
		return false;
	text = xasprintf("Estimada/o %s:\n\n"
	    "Se cerró la versión %d del Plan de Acción Local de la mesa «%s» "
	    "(%s). Se adjunta el documento en PDF.\n\n"
	    "Huella SHA-256 del contenido: %s\n"
	    "(la misma que aparece en cada página)\n\n"
	    "Revíselo y, si está de acuerdo, exprese su conformidad en su "
	    "enlace personal:\n\n    %s/e/%s\n\n"
	    "El enlace abre una página con un botón; nada se registra hasta "
	    "que lo presione. Si la versión cambia, recibirá un enlace "
	    "nuevo.\n", nombre, v->numero, m->titulo, m->entidad,
	    v->sha256_canonico, config_live->public_url, token);
	subject = xasprintf("Conformidad con el PAL «%s», versión %d",
	    m->titulo, v->numero);
	fname = xasprintf("pal-%lld-v%d.pdf", m->id, v->numero);
	att.filename = fname;
	att.content_type = "application/pdf";
	att.data = pdf->data;
	att.len = pdf->len;
	memset(&mail, 0, sizeof(mail));
	mail.tipo = "conformidad";
	mail.mesa_id = m->id;
	mail.to_name = nombre;
	mail.to_addr = email;
	mail.subject = subject;
	mail.text = text;
	mail.attachments = &att;
	mail.n_attachments = 1;
	ok = outbox_enqueue(conn, &mail, &id, NULL, err);
	explicit_bzero(token, sizeof(token));
	free(text);
	free(subject);
	free(fname);
	return ok;
}

void
api_pal_cerrar(struct req *rq)
{
	char mesa[24], num[16], paginas_s[16], sha_c[TOKEN_HASH_LEN + 1];
	char sha_p[TOKEN_HASH_LEN + 1], usuario[24];
	const char *p[8];
	int lengths[8] = { 0 }, formats[8] = { 0 };
	json_t *comp = NULL, *errores = NULL, *doc = NULL;
	struct pal_version v;
	struct error err;
	struct mesa m;
	struct buf pdf;
	PGresult *res;
	char *canon = NULL;
	int numero, paginas;

	buf_init(&pdf);
	if (!api_mesa_abrir(rq, 0, true, &m))
		goto out;
	if (!store_pal_editable(rq->db, m.id, &err)) {
		reply_error(rq, &err);
		goto out;
	}
	if (m.fase != FASE_ACUERDOS) {
		reply_errorf(rq, 409, "transicion_invalida", "El PAL se cierra "
		    "en la fase de acuerdos; la mesa está en «%s».",
		    rules_fase_label(m.fase));
		goto out;
	}
	if ((comp = store_compromisos_listar(rq->db, m.id, &err)) == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	errores = pal_validar(comp);
	if (json_array_size(errores) > 0) {
		error_set(&err, 409, "pal_invalido", "El PAL no cumple %zu "
		    "regla%s; corríjalas antes de cerrarlo.",
		    json_array_size(errores),
		    json_array_size(errores) == 1 ? "" : "s");
		reply_error_detalles(rq, &err, json_pack("{s:O}", "errores",
		    errores));
		goto out;
	}
	snprintf(mesa, sizeof(mesa), "%lld", m.id);
	p[0] = mesa;
	res = db_exec(rq->db, &err, "SELECT coalesce(max(numero), 0) + 1"
	    " FROM pal_versiones WHERE mesa_id = $1", 1, p);
	if (res == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	numero = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if ((doc = pal_canonico(rq->db, &m, numero, comp, &err)) == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	canon = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	token_sha256_hex(canon, strlen(canon), sha_c);
	if (!pdf_pal(doc, sha_c, &pdf, &paginas, &err)) {
		reply_error(rq, &err);
		goto out;
	}
	token_sha256_hex(pdf.data, pdf.len, sha_p);
	snprintf(num, sizeof(num), "%d", numero);
	snprintf(paginas_s, sizeof(paginas_s), "%d", paginas);
	snprintf(usuario, sizeof(usuario), "%lld", rq->user.id);
	p[1] = num;
	p[2] = canon;
	p[3] = sha_c;
	p[4] = pdf.data;
	lengths[4] = (int)pdf.len;
	formats[4] = 1;
	p[5] = sha_p;
	p[6] = paginas_s;
	p[7] = usuario;
	res = db_exec_bin(rq->db, &err, "INSERT INTO pal_versiones (mesa_id,"
	    " numero, canonico, sha256_canonico, pdf, sha256_pdf, paginas,"
	    " cerrado_por) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", 8, p,
	    lengths, formats);
	if (res == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	PQclear(res);
	if (!store_pal_version(rq->db, m.id, 0, &v, &err) ||
	    !store_evento(rq->db, m.id, rq->user.id, 0, "pal.cerrado",
	    json_pack("{s:i, s:s, s:s, s:i}", "version", numero,
	    "sha256_canonico", sha_c, "sha256_pdf", sha_p, "paginas",
	    paginas), &err, "PAL cerrado en la versión %d (%d páginas, "
	    "SHA-256 %s).", numero, paginas, sha_c)) {
		reply_error(rq, &err);
		goto out;
	}
	/* Ask every attendee for conformity with this exact version. */
	res = db_exec(rq->db, &err, "SELECT a.id, a.nombre, a.email"
	    " FROM asistencias s JOIN actores a ON a.id = s.actor_id"
	    " WHERE s.mesa_id = $1 ORDER BY a.id", 1, p);
	if (res == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	for (int r = 0; r < PQntuples(res); r++) {
		if (!pal_pedir_conformidad(rq->db, &m, &v,
		    strtoll(PQgetvalue(res, r, 0), NULL, 10),
		    PQgetvalue(res, r, 1), PQgetvalue(res, r, 2), &pdf,
		    &err)) {
			PQclear(res);
			reply_error(rq, &err);
			goto out;
		}
	}
	PQclear(res);
	reply_json(rq, 201, json_pack("{s:i, s:s, s:s, s:i, s:s}", "numero",
	    v.numero, "sha256_canonico", v.sha256_canonico, "sha256_pdf",
	    v.sha256_pdf, "paginas", v.paginas, "cerrado", v.cerrado));
out:
	free(canon);
	json_decref(doc);
	json_decref(errores);
	json_decref(comp);
	buf_cleanup(&pdf);
}

void
api_pal_ver(struct req *rq)
{
	char mesa[24], ver[24];
	const char *p[2] = { mesa, ver };
	struct pal_version v;
	struct error err;
	struct mesa m;
	PGresult *res;
	json_t *o, *arr;
	bool hay;

	if (!api_mesa_abrir(rq, 0, false, &m))
		return;
	snprintf(mesa, sizeof(mesa), "%lld", m.id);
	hay = store_pal_version(rq->db, m.id, 0, &v, &err);
	if (!hay && err.status != 404) {
		reply_error(rq, &err);
		return;
	}
	snprintf(ver, sizeof(ver), "%lld", hay ? v.id : 0LL);
	o = json_pack("{s:o, s:b}", "version", hay ? json_pack(
	    "{s:i, s:s, s:s, s:i, s:s}", "numero", v.numero,
	    "sha256_canonico", v.sha256_canonico, "sha256_pdf", v.sha256_pdf,
	    "paginas", v.paginas, "cerrado", v.cerrado) : json_null(),
	    "firmado", m.fase == FASE_FIRMADA || m.fase == FASE_EN_SEGUIMIENTO
	    || m.fase == FASE_CONCLUIDA);
	res = db_exec(rq->db, &err, "SELECT a.id, a.nombre, c.sha256,"
	    " c.medio, to_char(c.registrado AT TIME ZONE 'UTC',"
	    " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), c.id IS NOT NULL"
	    " FROM asistencias s JOIN actores a ON a.id = s.actor_id"
	    " LEFT JOIN conformidades c ON c.actor_id = a.id"
	    "   AND c.version_id = $2 AND c.anulada IS NULL"
	    " WHERE s.mesa_id = $1 ORDER BY a.id", 2, p);
	if (res == NULL) {
		json_decref(o);
		reply_error(rq, &err);
		return;
	}
	arr = json_array();
	json_object_set_new(o, "pendientes", json_array());
	for (int r = 0; r < PQntuples(res); r++) {
		json_int_t id = strtoll(PQgetvalue(res, r, 0), NULL, 10);

		if (strcmp(PQgetvalue(res, r, 5), "t") == 0)
			json_array_append_new(arr, json_pack("{s:I, s:s, s:s,"
			    " s:s, s:s}", "actor_id", id, "actor",
			    PQgetvalue(res, r, 1), "sha256",
			    PQgetvalue(res, r, 2), "medio",
			    PQgetvalue(res, r, 3), "registrado",
			    PQgetvalue(res, r, 4)));
		else
			json_array_append_new(json_object_get(o, "pendientes"),
			    json_pack("{s:I, s:s}", "actor_id", id, "actor",
			    PQgetvalue(res, r, 1)));
	}
	PQclear(res);
	json_object_set_new(o, "conformidades", arr);
	res = db_exec(rq->db, &err, "SELECT numero, to_char(cerrado AT TIME"
	    " ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), to_char(anulada"
	    " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	    " FROM pal_versiones WHERE mesa_id = $1 ORDER BY numero", 1, p);
	if (res == NULL) {
		json_decref(o);
		reply_error(rq, &err);
		return;
	}
	arr = json_array();
	for (int r = 0; r < PQntuples(res); r++)
		json_array_append_new(arr, json_pack("{s:i, s:s, s:o}",
		    "numero", atoi(PQgetvalue(res, r, 0)), "cerrado",
		    PQgetvalue(res, r, 1), "anulada", PQgetisnull(res, r, 2)
		    ? json_null() : json_string(PQgetvalue(res, r, 2))));
	PQclear(res);
	json_object_set_new(o, "versiones", arr);
	reply_json(rq, 200, o);
}

/* The ?version=N of the request (0 for the current), or -1 after a 422. */
static int
pal_version_param(struct req *rq)
{
	char *s = req_query(rq, "version"), *end;
	long n = 0;

	if (s != NULL) {
		n = strtol(s, &end, 10);
		if (*s == '\0' || *end != '\0' || n < 1 || n > 100000) {
			reply_errorf(rq, 422, "version_invalida", "La versión "
			    "debe ser un número positivo.");
			n = -1;
		}
	}
	free(s);
	return (int)n;
}

/* Sends column col (pdf or canonico) of a version. */
static void
pal_enviar_columna(struct req *rq, bool pdf)
{
	char mesa[24], num[16], *disp;
	const char *p[2] = { mesa, num };
	struct pal_version v;
	struct error err;
	struct mesa m;
	PGresult *res;
	size_t len;
	unsigned char *bytes;
	int numero;

	if (!api_mesa_abrir(rq, 0, false, &m) ||
	    (numero = pal_version_param(rq)) < 0)
		return;
	if (!store_pal_version(rq->db, m.id, numero, &v, &err)) {
		reply_error(rq, &err);
		return;
	}
	snprintf(mesa, sizeof(mesa), "%lld", m.id);
	snprintf(num, sizeof(num), "%d", v.numero);
	res = db_exec(rq->db, &err, pdf
	    ? "SELECT pdf FROM pal_versiones WHERE mesa_id = $1 AND numero = $2"
	    : "SELECT canonico FROM pal_versiones WHERE mesa_id = $1"
	    " AND numero = $2", 2, p);
	if (res == NULL) {
		reply_error(rq, &err);
		return;
	}
	if (pdf) {
		bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res,
		    0, 0), &len);
		if (bytes == NULL) {
			PQclear(res);
			reply_errorf(rq, 500, "error_interno", "El PDF de la "
			    "versión %d no pudo leerse.", v.numero);
			return;
		}
		reply_bytes(rq, 200, "application/pdf", bytes, len);
		PQfreemem(bytes);
		disp = xasprintf("attachment; filename=\"pal-%lld-v%d.pdf\"",
		    m.id, v.numero);
	} else {
		reply_bytes(rq, 200, "application/json; charset=utf-8",
		    PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
		disp = xasprintf("inline; filename=\"pal-%lld-v%d.json\"",
		    m.id, v.numero);
	}
	PQclear(res);
	free(rq->out_disposition);
	rq->out_disposition = disp;
}

void
api_pal_pdf(struct req *rq)
{
	pal_enviar_columna(rq, true);
}

void
api_pal_canonico(struct req *rq)
{
	pal_enviar_columna(rq, false);
}

void
api_pal_reabrir(struct req *rq)
{
	char ver[24];
	const char *p[1] = { ver };
	struct pal_version v;
	struct error err;
	struct mesa m;

	if (!api_mesa_abrir(rq, 0, true, &m))
		return;
	if (m.fase != FASE_ACUERDOS && m.fase != FASE_FIRMADA) {
		reply_errorf(rq, 409, "transicion_invalida", "El PAL solo puede "
		    "reabrirse antes de enviarse; la mesa está en «%s».",
		    rules_fase_label(m.fase));
		return;
	}
	if (!store_pal_version(rq->db, m.id, 0, &v, &err)) {
		if (err.status == 404)
			error_set(&err, 409, "pal_sin_version", "El PAL no "
			    "tiene una versión cerrada vigente que reabrir.");
		reply_error(rq, &err);
		return;
	}
	snprintf(ver, sizeof(ver), "%lld", v.id);
	if (!db_command(rq->db, &err, "UPDATE pal_versiones SET anulada ="
	    " now() WHERE id = $1", 1, p) ||
	    !db_command(rq->db, &err, "UPDATE conformidades SET anulada ="
	    " now() WHERE version_id = $1 AND anulada IS NULL", 1, p) ||
	    (m.fase == FASE_FIRMADA &&
	    !store_mesa_fase(rq->db, &m, FASE_ACUERDOS, rq->user.id, &err)) ||
	    !store_evento(rq->db, m.id, rq->user.id, 0, "pal.reabierta",
	    json_pack("{s:i, s:s}", "version_anulada", v.numero, "sha256",
	    v.sha256_canonico), &err, "PAL reabierto: la versión %d y sus "
	    "conformidades quedan anuladas.", v.numero)) {
		reply_error(rq, &err);
		return;
	}
	reply_json(rq, 200, json_pack("{s:i}", "anulada", v.numero));
}

void
api_conformidades_registrar(struct req *rq)
{
	const char *sha = NULL, *medio = "sesion";
	json_int_t actor = 0;
	json_error_t jerr;
	struct pal_version v;
	struct error err;
	struct mesa m;
	json_t *body;
	bool firmado;

	if (!api_mesa_abrir(rq, 0, true, &m))
		return;
	if ((body = req_json(rq)) == NULL)
		return;
	if (json_unpack_ex(body, &jerr, 0, "{s:I, s:s, s?s}", "actor", &actor,
	    "sha256", &sha, "medio", &medio) != 0) {
		reply_errorf(rq, 422, "campo_invalido", "Se requieren «actor» "
		    "(id) y «sha256» (el de la versión vigente); «medio» es "
		    "opcional.");
		goto out;
	}
	if (!validate_line(medio, "medio", 200, false, &err) ||
	    !store_pal_version(rq->db, m.id, 0, &v, &err) ||
	    !store_pal_conformidad(rq->db, &m, &v, actor, sha, medio, 0,
	    rq->user.id, &firmado, &err)) {
		reply_error(rq, &err);
		goto out;
	}
	reply_json(rq, 201, json_pack("{s:I, s:i, s:s, s:s, s:b}", "actor_id",
	    actor, "version", v.numero, "sha256", sha, "medio", medio,
	    "firmado", firmado));
out:
	json_decref(body);
}

void
api_pal_evidencias(struct req *rq)
{
	char mesa[24], ver[24], usuario[24], sha[TOKEN_HASH_LEN + 1];
	char *archivo = req_query(rq, "archivo");
	const char *tipo = rq->body_type ? rq->body_type
	    : "application/octet-stream";
	const char *p[7];
	int lengths[7] = { 0 }, formats[7] = { 0 };
	struct pal_version v;
	struct error err;
	struct mesa m;
	PGresult *res;
	int numero;

	if (!api_mesa_abrir(rq, 0, true, &m) ||
	    (numero = pal_version_param(rq)) < 0)
		goto out;
	if (rq->body_len == 0) {
		reply_errorf(rq, 422, "evidencia_vacia",
		    "El archivo de la evidencia está vacío.");
		goto out;
	}
	if ((archivo != NULL && (!validate_line(archivo, "archivo", 255,
	    false, &err) || strpbrk(archivo, "/\\") != NULL)) ||
	    !validate_line(tipo, "tipo", 255, false, &err)) {
		if (!error_is_set(&err))
			error_set(&err, 422, "texto_invalido", "El nombre del "
			    "archivo no puede contener «/».");
		reply_error(rq, &err);
		goto out;
	}
	if (!store_pal_version(rq->db, m.id, numero, &v, &err)) {
		reply_error(rq, &err);
		goto out;
	}
	token_sha256_hex(rq->body, rq->body_len, sha);
	snprintf(mesa, sizeof(mesa), "%lld", m.id);
	snprintf(ver, sizeof(ver), "%lld", v.id);
	snprintf(usuario, sizeof(usuario), "%lld", rq->user.id);
	p[0] = mesa;
	p[1] = ver;
	p[2] = archivo;
	p[3] = tipo;
	p[4] = rq->body;
	lengths[4] = (int)rq->body_len;
	formats[4] = 1;
	p[5] = sha;
	p[6] = usuario;
	res = db_exec_bin(rq->db, &err, "INSERT INTO evidencias (mesa_id,"
	    " version_id, nombre_archivo, tipo_medio, tamano, contenido,"
	    " sha256, subido_por) VALUES ($1, $2, $3, $4, octet_length($5::bytea),"
	    " $5::bytea, $6, $7) RETURNING id", 7, p, lengths, formats);
	if (res == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	if (!store_evento(rq->db, m.id, rq->user.id, 0, "pal.evidencia",
	    json_pack("{s:i, s:s, s:s*}", "version", v.numero, "sha256", sha,
	    "archivo", archivo), &err, "Evidencia de la versión %d firmada "
	    "en papel subida (SHA-256 %s).", v.numero, sha)) {
		PQclear(res);
		reply_error(rq, &err);
		goto out;
	}
	reply_json(rq, 201, json_pack("{s:I, s:i, s:o, s:s, s:I, s:s}", "id",
	    (json_int_t)strtoll(PQgetvalue(res, 0, 0), NULL, 10), "version",
	    v.numero, "archivo", archivo ? json_string(archivo) : json_null(),
	    "tipo_medio", tipo, "tamano", (json_int_t)rq->body_len, "sha256",
	    sha));
	PQclear(res);
out:
	free(archivo);
}

/* The current version's canonical document, parsed; NULL after replying. */
static json_t *
pal_vigente_doc(struct req *rq, const struct mesa *m, struct pal_version *v,
    struct buf *pdf)
{
	char mesa[24], num[16];
	const char *p[2] = { mesa, num };
	struct error err;
	PGresult *res;
	json_t *doc;

	if (!store_pal_version(rq->db, m->id, 0, v, &err)) {
		reply_error(rq, &err);
		return NULL;
	}
	snprintf(mesa, sizeof(mesa), "%lld", m->id);
	snprintf(num, sizeof(num), "%d", v->numero);
	res = db_exec(rq->db, &err, pdf != NULL
	    ? "SELECT canonico, pdf FROM pal_versiones WHERE mesa_id = $1"
	    " AND numero = $2"
	    : "SELECT canonico, NULL FROM pal_versiones WHERE mesa_id = $1"
	    " AND numero = $2", 2, p);
	if (res == NULL) {
		reply_error(rq, &err);
		return NULL;
	}
	doc = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	if (pdf != NULL) {
		size_t len;
		unsigned char *b = PQunescapeBytea((const unsigned char *)
		    PQgetvalue(res, 0, 1), &len);

		if (b == NULL) {
			PQclear(res);
			reply_errorf(rq, 500, "error_interno", "El PDF de la "
			    "versión %d no pudo leerse.", v->numero);
			return NULL;
		}
		buf_append(pdf, b, len);
		PQfreemem(b);
	}
	PQclear(res);
	if (doc == NULL)
		reply_errorf(rq, 500, "error_interno", "La versión %d del PAL "
		    "no pudo leerse.", v->numero);
	return doc;
}

static const char *
pal_tipo_label(const char *tipo)
{
	if (tipo == NULL)
		return "";
	if (strcmp(tipo, "contrataciones_abiertas") == 0)
		return "contrataciones abiertas";
	if (strcmp(tipo, "plan_nacional") == 0)
		return "alineado al Plan de Acción Nacional";
	return "problema local";
}

/* The plain-text summary of commitments, activities and deadlines. */
static void
pal_resumen(struct buf *out, const json_t *doc)
{
	json_t *c, *a;
	size_t i, j;

	json_array_foreach(json_object_get(doc, "compromisos"), i, c) {
		buf_printf(out, "Compromiso %lld. %s (%s)\n",
		    (long long)json_integer_value(json_object_get(c, "numero")),
		    pal_str(c, "titulo"), pal_tipo_label(pal_str(c, "tipo")));
		buf_printf(out, "  Vigencia: %s a %s\n", pal_str(c, "inicio"),
		    pal_str(c, "fin"));
		json_array_foreach(json_object_get(c, "actividades"), j, a) {
			json_t *r = json_object_get(a, "responsable");

			buf_printf(out, "  %lld.%lld %s\n"
			    "       Responsable: %s <%s>. Fecha límite: %s\n",
			    (long long)json_integer_value(json_object_get(c,
			    "numero")), (long long)json_integer_value(
			    json_object_get(a, "numero")),
			    pal_str(a, "descripcion"), pal_str(r, "nombre"),
			    pal_str(r, "email"), pal_str(a, "fecha_limite"));
		}
		buf_puts(out, "\n");
	}
}

/* An iCalendar with one all-day event per activity deadline. */
static void
pal_calendario(struct buf *out, const json_t *doc)
{
	const char *domain = strchr(config_live->mail_from, '@');
	size_t n = 0, k = 0, i, j;
	struct ical_event *ev;
	char **owned;
	json_t *c, *a;

	json_array_foreach(json_object_get(doc, "compromisos"), i, c)
		n += json_array_size(json_object_get(c, "actividades"));
	ev = xcalloc(n + 1, sizeof(*ev));
	owned = xcalloc(3 * n + 1, sizeof(*owned));
	json_array_foreach(json_object_get(doc, "compromisos"), i, c) {
		json_array_foreach(json_object_get(c, "actividades"), j, a) {
			json_t *r = json_object_get(a, "responsable");

			owned[3 * k] = xasprintf("actividad-%lld@%s",
			    (long long)json_integer_value(json_object_get(a,
			    "id")), domain ? domain + 1 : "localhost");
			owned[3 * k + 1] = xasprintf("Fecha límite %lld.%lld: "
			    "%s", (long long)json_integer_value(
			    json_object_get(c, "numero")),
			    (long long)json_integer_value(json_object_get(a,
			    "numero")), pal_str(a, "descripcion"));
			owned[3 * k + 2] = xasprintf("Compromiso «%s». "
			    "Responsable: %s <%s>.", pal_str(c, "titulo"),
			    pal_str(r, "nombre"), pal_str(r, "email"));
			ev[k].uid = owned[3 * k];
			ev[k].dtstamp = time(NULL);
			ev[k].summary = owned[3 * k + 1];
			ev[k].description = owned[3 * k + 2];
			ev[k].date = pal_fecha(a, "fecha_limite");
			ev[k].start_minutes = -1;
			k++;
		}
	}
	ical_write(out, "PUBLISH", "Plan de Acción Local: fechas límite", ev,
	    k);
	for (i = 0; i < 3 * k; i++)
		free(owned[i]);
	free(owned);
	free(ev);
}

void
api_pal_enviar(struct req *rq)
{
	char mesa[24], *subject = NULL, *fname = NULL, *text = NULL;
	const char *p[1] = { mesa };
	struct mime_attachment att[2];
	struct pal_version v;
	struct outbox_mail mail;
	struct error err;
	struct mesa m;
	struct buf pdf, resumen, ics;
	json_t *doc = NULL, *envios;
	PGresult *res = NULL;
	long long id;

	buf_init(&pdf);
	buf_init(&resumen);
	buf_init(&ics);
	if (!api_mesa_abrir(rq, 0, true, &m))
		goto out;
	if (m.fase != FASE_FIRMADA) {
		reply_errorf(rq, 409, "pal_no_firmado", "El PAL se envía cuando "
		    "todos los asistentes dieron su conformidad; la mesa está "
		    "en «%s».", rules_fase_label(m.fase));
		goto out;
	}
	if ((doc = pal_vigente_doc(rq, &m, &v, &pdf)) == NULL)
		goto out;
	pal_resumen(&resumen, doc);
	pal_calendario(&ics, doc);
	subject = xasprintf("Plan de Acción Local «%s» (versión %d)",
	    m.titulo, v.numero);
	fname = xasprintf("pal-%lld-v%d.pdf", m.id, v.numero);
	att[0].filename = fname;
	att[0].content_type = "application/pdf";
	att[0].data = pdf.data;
	att[0].len = pdf.len;
	att[1].filename = "fechas-limite.ics";
	att[1].content_type = "text/calendar; method=PUBLISH; charset=UTF-8";
	att[1].data = ics.data;
	att[1].len = ics.len;

	snprintf(mesa, sizeof(mesa), "%lld", m.id);
	res = db_exec(rq->db, &err, "SELECT id, nombre, email FROM actores"
	    " WHERE mesa_id = $1 ORDER BY id", 1, p);
	if (res == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	envios = json_array();
	for (int r = 0; r < PQntuples(res); r++) {
		free(text);
		text = xasprintf("Estimada/o %s:\n\n"
		    "Todos los asistentes dieron su conformidad con el Plan de "
		    "Acción Local de la mesa «%s» (%s). Se adjuntan el "
		    "documento firmado (versión %d, SHA-256 del contenido %s) "
		    "y un calendario con la fecha límite de cada actividad.\n\n"
		    "Durante el próximo año, cada responsable recibirá "
		    "recordatorios antes de sus fechas límite y el organismo "
		    "garante dará seguimiento a cada compromiso.\n\n"
		    "Resumen de compromisos y actividades:\n\n%s",
		    PQgetvalue(res, r, 1), m.titulo, m.entidad, v.numero,
		    v.sha256_canonico, resumen.data);
		memset(&mail, 0, sizeof(mail));
		mail.tipo = "pal";
		mail.mesa_id = m.id;
		mail.to_name = PQgetvalue(res, r, 1);
		mail.to_addr = PQgetvalue(res, r, 2);
		mail.subject = subject;
		mail.text = text;
		mail.attachments = att;
		mail.n_attachments = 2;
		if (!outbox_enqueue(rq->db, &mail, &id, NULL, &err)) {
			json_decref(envios);
			reply_error(rq, &err);
			goto out;
		}
		json_array_append_new(envios, json_pack("{s:I, s:s, s:I}",
		    "actor_id", (json_int_t)strtoll(PQgetvalue(res, r, 0),
		    NULL, 10), "email", PQgetvalue(res, r, 2), "outbox_id",
		    (json_int_t)id));
	}
	if (!store_mesa_fase(rq->db, &m, FASE_EN_SEGUIMIENTO, rq->user.id,
	    &err) ||
	    !store_evento(rq->db, m.id, rq->user.id, 0, "pal.enviado",
	    json_pack("{s:s, s:s, s:i, s:O}", "antes", "firmada", "despues",
	    "en_seguimiento", "version", v.numero, "envios", envios), &err,
	    "PAL (versión %d) enviado a %zu actores; comienza el "
	    "seguimiento.", v.numero, json_array_size(envios))) {
		json_decref(envios);
		reply_error(rq, &err);
		goto out;
	}
	reply_json(rq, 200, json_pack("{s:o}", "envios", envios));
out:
	PQclear(res);
	free(text);
	free(subject);
	free(fname);
	json_decref(doc);
	buf_cleanup(&pdf);
	buf_cleanup(&resumen);
	buf_cleanup(&ics);
}

/*
 * The current version with each activity's live estado and avance
 * merged in; NULL after replying.
 */
static json_t *
pal_datos(struct req *rq, struct mesa *m, struct pal_version *v)
{
	char mesa[24];
	const char *p[1] = { mesa };
	struct error err;
	PGresult *res;
	json_t *doc, *c, *a;
	size_t i, j;

	if (!api_mesa_abrir(rq, 0, false, m) ||
	    (doc = pal_vigente_doc(rq, m, v, NULL)) == NULL)
		return NULL;
	snprintf(mesa, sizeof(mesa), "%lld", m->id);
	res = db_exec(rq->db, &err, "SELECT id, estado, avance FROM"
	    " actividades WHERE mesa_id = $1", 1, p);
	if (res == NULL) {
		json_decref(doc);
		reply_error(rq, &err);
		return NULL;
	}
	json_array_foreach(json_object_get(doc, "compromisos"), i, c) {
		json_array_foreach(json_object_get(c, "actividades"), j, a) {
			json_int_t id = json_integer_value(json_object_get(a,
			    "id"));

			for (int r = 0; r < PQntuples(res); r++) {
				if (strtoll(PQgetvalue(res, r, 0), NULL, 10)
				    != id)
					continue;
				json_object_set_new(a, "estado", json_string(
				    PQgetvalue(res, r, 1)));
				json_object_set_new(a, "avance", json_integer(
				    atoi(PQgetvalue(res, r, 2))));
			}
		}
	}
	PQclear(res);
	json_object_set_new(doc, "sha256", json_string(v->sha256_canonico));
	return doc;
}

void
api_pal_datos_json(struct req *rq)
{
	struct pal_version v;
	struct mesa m;
	json_t *doc = pal_datos(rq, &m, &v);

	if (doc != NULL)
		reply_json(rq, 200, doc);
}

void
api_pal_datos_csv(struct req *rq)
{
	static const char *const header[] = { "compromiso_id", "numero",
	    "titulo", "tipo", "alineacion", "institucion", "inicio", "fin",
	    "actividad_id", "actividad", "responsable",
	    "institucion_responsable", "fecha_limite", "estado", "avance" };
	struct pal_version v;
	struct mesa m;
	struct buf out;
	json_t *doc = pal_datos(rq, &m, &v), *c, *a;
	size_t i, j, k;
	char n1[24], n2[24], n3[24], n4[8];

	if (doc == NULL)
		return;
	buf_init(&out);
	for (k = 0; k < 15; k++)
		csv_field(&out, header[k], k == 14);
	json_array_foreach(json_object_get(doc, "compromisos"), i, c) {
		json_array_foreach(json_object_get(c, "actividades"), j, a) {
			json_t *r = json_object_get(a, "responsable");

			snprintf(n1, sizeof(n1), "%lld", (long long)
			    json_integer_value(json_object_get(c, "id")));
			snprintf(n2, sizeof(n2), "%lld", (long long)
			    json_integer_value(json_object_get(c, "numero")));
			snprintf(n3, sizeof(n3), "%lld", (long long)
			    json_integer_value(json_object_get(a, "id")));
			snprintf(n4, sizeof(n4), "%lld", (long long)
			    json_integer_value(json_object_get(a, "avance")));
			csv_field(&out, n1, false);
			csv_field(&out, n2, false);
			csv_field(&out, pal_str(c, "titulo"), false);
			csv_field(&out, pal_str(c, "tipo"), false);
			csv_field(&out, pal_str(c, "alineacion"), false);
			csv_field(&out, pal_str(c, "institucion"), false);
			csv_field(&out, pal_str(c, "inicio"), false);
			csv_field(&out, pal_str(c, "fin"), false);
			csv_field(&out, n3, false);
			csv_field(&out, pal_str(a, "descripcion"), false);
			csv_field(&out, pal_str(r, "nombre"), false);
			csv_field(&out, pal_str(r, "institucion"), false);
			csv_field(&out, pal_str(a, "fecha_limite"), false);
			csv_field(&out, pal_str(a, "estado"), false);
			csv_field(&out, n4, true);
		}
	}
	reply_bytes(rq, 200, "text/csv; charset=utf-8", out.data, out.len);
	free(rq->out_disposition);
	rq->out_disposition = xasprintf("attachment; filename=\"pal-%lld-v%d"
	    ".csv\"", m.id, v.numero);
	buf_cleanup(&out);
	json_decref(doc);
}
