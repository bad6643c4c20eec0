/*
 * Calendar feeds of deadlines: POST /v1/feeds makes a link (enlaces,
 * proposito 'feed'), POST /v1/feeds/revocar revokes one, and GET
 * /f/{token}[.ics] serves the open activities as iCalendar all-day
 * events. A garante feed (usuario_id set) holds the activities of the
 * PALs in follow-up of the garante's entidad (all of them when it has
 * none), read afresh on every GET; a responsable feed (email set) holds
 * the activities whose responsable_email is that address.
 *
 * The creator of a responsable feed is stored nowhere (the enlaces
 * check allows either usuario_id or email): creation checks that the
 * address is a responsable in a mesa the creator may see, and revocation
 * is allowed to the admin, to the garante owning the feed and to a
 * facilitador with that responsable in one of its mesas. The GET records
 * nothing but enlaces.ultimo_uso, and never says why a token failed.
 */
#include "web_feed.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "ical.h"
#include "token.h"
#include "validate.h"
#include "xmalloc.h"

#define FEED_SUFFIX	".ics"

/* The mesas whose PAL is out: only their activities are in a feed. */
#define FEED_FASES	"m.fase IN ('en_seguimiento', 'concluida')"

/* The (lowercased) address is a responsable in a mesa $2 sees ($3 rol). */
#define FEED_RESPONSABLE_VISIBLE					\
	"EXISTS (SELECT 1 FROM actividades a JOIN mesas m"		\
	" ON m.id = a.mesa_id WHERE lower(a.responsable_email) = $1"	\
	" AND ($3 = 'admin' OR m.facilitador_id = $2::bigint))"

static const char feed_actividades_sql[] =
    "SELECT a.id, c.numero, a.numero, a.descripcion, c.titulo, m.titulo,"
    " m.entidad, a.responsable_nombre, a.responsable_email,"
    " a.fecha_limite::text"
    " FROM actividades a JOIN compromisos c ON c.id = a.compromiso_id"
    " JOIN mesas m ON m.id = a.mesa_id"
    " WHERE " FEED_FASES " AND a.estado <> 'cumplida'"
    " AND CASE WHEN $1::text IS NOT NULL"
    "  THEN lower(a.responsable_email) = $1"
    "  ELSE $2::text IS NULL OR m.entidad = $2 END"
    " ORDER BY a.fecha_limite, m.id, c.numero, a.numero";

/* The 404 every unknown, revoked or malformed feed gets. */
static void
feed_not_found(struct req *rq)
{
	reply_errorf(rq, 404, "feed_no_encontrado", "El calendario no existe "
	    "o fue revocado.");
}

/* A token, "<token>.ics" or ".../f/<token>[.ics]": the token, in place. */
static char *
feed_token_of(char *s)
{
	char *p = strstr(s, "/f/");
	size_t len;

	if (p != NULL) {
		char *q;

		while ((q = strstr(p + 1, "/f/")) != NULL)
			p = q;
		s = p + 3;
	}
	len = strlen(s);
	if (len > strlen(FEED_SUFFIX) &&
	    strcmp(s + len - strlen(FEED_SUFFIX), FEED_SUFFIX) == 0)
		s[len - strlen(FEED_SUFFIX)] = '\0';
	return s;
}

void
api_feeds_crear(struct req *rq)
{
	char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_LEN + 1], uid[24];
	const char *p[3];
	const char *base = config_live->public_url;
	char *email = NULL, *url = NULL;
	bool garante = strcmp(rq->user.rol, "garante") == 0;
	json_t *body = NULL, *jemail;
	struct error err;
	PGresult *res = NULL;
	size_t blen;

	if (rq->body_len > 0 && (body = req_json(rq)) == NULL)
		return;
	jemail = json_object_get(body, "email");
	if (jemail != NULL && !json_is_null(jemail)) {
		if (!json_is_string(jemail)) {
			reply_errorf(rq, 422, "campo_invalido", "«email» debe "
			    "ser texto.");
			goto out;
		}
		email = xstrdup(json_string_value(jemail));
		for (char *c = email; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
	}
	if (garante && email != NULL) {
		reply_errorf(rq, 403, "prohibido", "Un organismo garante solo "
		    "puede crear el calendario de lo que monitorea, sin "
		    "«email».");
		goto out;
	}
	if (!garante && email == NULL) {
		reply_errorf(rq, 422, "campo_invalido", "Indique el «email» "
		    "del responsable cuyo calendario quiere crear.");
		goto out;
	}
	if (email != NULL && !validate_email(email, "email", &err)) {
		reply_error(rq, &err);
		goto out;
	}
	snprintf(uid, sizeof(uid), "%lld", rq->user.id);
	if (email != NULL) {
		p[0] = email;
		p[1] = uid;
		p[2] = rq->user.rol;
		res = db_exec(rq->db, &err,
		    "SELECT " FEED_RESPONSABLE_VISIBLE, 3, p);
		if (res == NULL) {
			reply_error(rq, &err);
			goto out;
		}
		if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
			reply_errorf(rq, 404, "responsable_no_encontrado",
			    "%s no es responsable de ninguna actividad de sus "
			    "mesas.", email);
			goto out;
		}
		PQclear(res);
		res = NULL;
	}
	if (!token_generate(token)) {
		reply_errorf(rq, 500, "error_interno", "No se pudo generar el "
		    "enlace del calendario; intente de nuevo.");
		goto out;
	}
	token_hash(token, hash);
	p[0] = hash;
	p[1] = email == NULL ? uid : NULL;
	p[2] = email;
	if (!db_command(rq->db, &err, "INSERT INTO enlaces (hash, proposito,"
	    " usuario_id, email) VALUES ($1, 'feed', $2, $3)", 3, p)) {
		reply_error(rq, &err);
		goto out;
	}
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	url = xasprintf("%.*s/f/%s" FEED_SUFFIX, (int)blen, base, token);
	reply_json(rq, 201, json_pack("{s:s, s:s, s:s?}", "url", url, "tipo",
	    garante ? "garante" : "responsable", "email", email));
out:
	PQclear(res);
	free(url);
	free(email);
	json_decref(body);
}

void
api_feeds_revocar(struct req *rq)
{
	char hash[TOKEN_HASH_LEN + 1], uid[24], *copy = NULL;
	const char *p[3], *text = NULL;
	json_t *body;
	struct error err;
	PGresult *res = NULL;

	if ((body = req_json(rq)) == NULL)
		return;
	if (json_unpack(body, "{s:s}", "token", &text) != 0 &&
	    json_unpack(body, "{s:s}", "url", &text) != 0) {
		reply_errorf(rq, 422, "campo_invalido", "Indique el «token» o "
		    "la «url» del calendario.");
		goto out;
	}
	copy = xstrdup(text);
	text = feed_token_of(copy);
	if (!token_well_formed(text)) {
		feed_not_found(rq);
		goto out;
	}
	token_hash(text, hash);
	snprintf(uid, sizeof(uid), "%lld", rq->user.id);
	p[0] = hash;
	p[1] = uid;
	p[2] = rq->user.rol;
	/*
	 * Who may revoke is part of the WHERE: a feed the caller may not
	 * touch answers 404, as an unknown one does, so its existence is
	 * not revealed.
	 */
	res = db_exec(rq->db, &err, "UPDATE enlaces e SET revocado = now()"
	    " WHERE e.hash = $1 AND e.proposito = 'feed'"
	    " AND e.revocado IS NULL"
	    " AND ($3 = 'admin' OR e.usuario_id = $2::bigint"
	    "  OR ($3 = 'facilitador' AND e.email IS NOT NULL"
	    "   AND EXISTS (SELECT 1 FROM actividades a JOIN mesas m"
	    "    ON m.id = a.mesa_id WHERE m.facilitador_id = $2::bigint"
	    "    AND lower(a.responsable_email) = lower(e.email))))"
	    " RETURNING e.id", 3, p);
	if (res == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	if (PQntuples(res) == 0) {
		feed_not_found(rq);
		goto out;
	}
	reply_json(rq, 200, json_pack("{s:b}", "revocado", 1));
out:
	PQclear(res);
	free(copy);
	json_decref(body);
}

/* The events of the activities in res (feed_actividades_sql's columns). */
static void
feed_calendario(struct buf *out, PGresult *res, const char *name)
{
	const char *domain = strchr(config_live->mail_from, '@');
	int n = PQntuples(res), k;
	struct ical_event *ev;
	char **owned;
	time_t now = time(NULL);

	ev = xcalloc((size_t)n + 1, sizeof(*ev));
	owned = xcalloc(3 * (size_t)n + 1, sizeof(*owned));
	for (k = 0; k < n; k++) {
		int d = 0;

		owned[3 * k] = xasprintf("actividad-%s@%s",
		    PQgetvalue(res, k, 0), domain ? domain + 1 : "localhost");
		owned[3 * k + 1] = xasprintf("Fecha límite %s.%s: %s",
		    PQgetvalue(res, k, 1), PQgetvalue(res, k, 2),
		    PQgetvalue(res, k, 3));
		owned[3 * k + 2] = xasprintf("Compromiso «%s».\nMesa «%s» "
		    "(%s).\nResponsable: %s <%s>.", PQgetvalue(res, k, 4),
		    PQgetvalue(res, k, 5), PQgetvalue(res, k, 6),
		    PQgetvalue(res, k, 7), PQgetvalue(res, k, 8));
		(void)dates_parse(PQgetvalue(res, k, 9), &d);
		ev[k].uid = owned[3 * k];
		ev[k].dtstamp = now;
		ev[k].summary = owned[3 * k + 1];
		ev[k].description = owned[3 * k + 2];
		ev[k].date = d;
		ev[k].start_minutes = -1;
	}
	ical_write(out, "PUBLISH", name, ev, (size_t)n);
	for (k = 0; k < 3 * n; k++)
		free(owned[k]);
	free(owned);
	free(ev);
}

void
web_feed_ver(struct req *rq)
{
	char hash[TOKEN_HASH_LEN + 1];
	const char *p[2], *token;
	char *name = NULL;
	struct error err;
	struct buf ics;
	PGresult *res = NULL, *acts = NULL;

	buf_init(&ics);
	if (rq->nparams < 1) {
		feed_not_found(rq);
		goto out;
	}
	token = feed_token_of(rq->params[0]);
	if (!token_well_formed(token)) {
		feed_not_found(rq);
		goto out;
	}
	token_hash(token, hash);
	p[0] = hash;
	/*
	 * A garante feed follows its owner: a deactivated account or one
	 * that is no longer a garante stops serving it.
	 */
	res = db_exec(rq->db, &err, "UPDATE enlaces e SET ultimo_uso = now()"
	    " WHERE e.hash = $1 AND e.proposito = 'feed'"
	    " AND e.revocado IS NULL AND (e.expira IS NULL OR e.expira > now())"
	    " AND (e.email IS NOT NULL OR EXISTS (SELECT 1 FROM usuarios u"
	    "  WHERE u.id = e.usuario_id AND u.activo AND u.rol = 'garante'))"
	    " RETURNING e.email,"
	    " (SELECT nullif(u.entidad, '') FROM usuarios u"
	    "  WHERE u.id = e.usuario_id)", 1, p);
	if (res == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	if (PQntuples(res) == 0) {
		feed_not_found(rq);
		goto out;
	}
	p[0] = PQgetisnull(res, 0, 0) ? NULL : PQgetvalue(res, 0, 0);
	p[1] = PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1);
	if ((acts = db_exec(rq->db, &err, feed_actividades_sql, 2, p)) ==
	    NULL) {
		reply_error(rq, &err);
		goto out;
	}
	if (p[0] != NULL)
		name = xasprintf("Fechas límite de %s", p[0]);
	else if (p[1] != NULL)
		name = xasprintf("Fechas límite de los PAL de %s", p[1]);
	else
		name = xstrdup("Fechas límite de los PAL");
	feed_calendario(&ics, acts, name);
	reply_bytes(rq, 200, "text/calendar; charset=utf-8", ics.data,
	    ics.len);
out:
	PQclear(res);
	PQclear(acts);
	free(name);
	buf_cleanup(&ics);
}
