/*
 * /e/{token} for conformity. The page shows the version, its SHA-256 (the
 * one printed on every page of the PDF) and a link to the PDF; only the
 * POST records the conformity, against that exact hash. A link of a
 * version that was voided by a reopening answers that it was replaced:
 * the actor gets a new link with the new version.
 */
#include "web_conformidad.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "store_mesas.h"
#include "store_pal.h"
#include "token.h"
#include "web.h"
#include "xmalloc.h"

struct enlace_conformidad {
	long long	 enlace_id, mesa_id, actor_id;
	int		 numero;
	char		 actor[201];
	char		 mesa[301];
	char		 entidad[101];
	char		 sha256[65];
	bool		 anulada;
	char		 conformo[32];	/* "" or the instant */
};

/* Looks the token up; false (nothing replied) if it is not one. */
static bool
web_conformidad_buscar(struct req *rq, struct enlace_conformidad *e,
    struct error *err)
{
	char hash[TOKEN_HASH_LEN + 1];
	const char *p[1] = { hash };
	PGresult *res;

	error_clear(err);
	if (rq->nparams < 1 || !token_well_formed(rq->params[0]))
		return false;
	token_hash(rq->params[0], hash);
	res = db_exec(rq->db, err, "SELECT en.id, en.mesa_id, en.actor_id,"
	    " v.numero, a.nombre, m.titulo, m.entidad, v.sha256_canonico,"
	    " v.anulada IS NOT NULL, coalesce(to_char(c.registrado AT TIME"
	    " ZONE m.zona_horaria, 'YYYY-MM-DD HH24:MI'), '')"
	    " FROM enlaces en"
	    " JOIN actores a ON a.id = en.actor_id"
	    " JOIN mesas m ON m.id = en.mesa_id"
	    " JOIN pal_versiones v ON v.id = en.version_id"
	    " LEFT JOIN conformidades c ON c.version_id = v.id"
	    "   AND c.actor_id = en.actor_id AND c.anulada IS NULL"
	    " WHERE en.hash = $1 AND en.proposito = 'conformidad'"
	    " AND en.revocado IS NULL"
	    " AND (en.expira IS NULL OR en.expira > now())", 1, p);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return false;
	}
	memset(e, 0, sizeof(*e));
	e->enlace_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	e->mesa_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	e->actor_id = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
	e->numero = atoi(PQgetvalue(res, 0, 3));
	snprintf(e->actor, sizeof(e->actor), "%s", PQgetvalue(res, 0, 4));
	snprintf(e->mesa, sizeof(e->mesa), "%s", PQgetvalue(res, 0, 5));
	snprintf(e->entidad, sizeof(e->entidad), "%s", PQgetvalue(res, 0, 6));
	snprintf(e->sha256, sizeof(e->sha256), "%s", PQgetvalue(res, 0, 7));
	e->anulada = strcmp(PQgetvalue(res, 0, 8), "t") == 0;
	snprintf(e->conformo, sizeof(e->conformo), "%s",
	    PQgetvalue(res, 0, 9));
	PQclear(res);
	return true;
}

static void
web_conformidad_invalido(struct req *rq, const struct error *err)
{
	if (err->status >= 500)
		web_reply_message(rq, err->status, "Servicio no disponible",
		    "No pudimos atender su solicitud en este momento. Intente "
		    "de nuevo en unos minutos.");
	else
		web_reply_message(rq, 404, "Enlace no válido", "Este enlace no "
		    "es válido: puede estar incompleto o haber sido revocado. "
		    "Pida a la persona que facilita la mesa un enlace nuevo.");
}

static void
web_conformidad_reemplazada(struct req *rq, const struct enlace_conformidad *e)
{
	char *text = xasprintf("La versión %d del Plan de Acción Local de la "
	    "mesa «%s» fue reemplazada por una versión corregida. Recibirá "
	    "por correo un enlace para revisar la versión nueva y expresar su "
	    "conformidad con ella.", e->numero, e->mesa);

	web_reply_message(rq, 409, "Esta versión fue reemplazada", text);
	free(text);
}

static void
web_conformidad_pagina(struct req *rq, const struct enlace_conformidad *e,
    const char *aviso)
{
	struct buf b;

	buf_init(&b);
	web_page_begin(&b, "Conformidad con el Plan de Acción Local");
	buf_puts(&b, "<p>");
	web_escapef(&b, "%s: este es el Plan de Acción Local de la mesa de "
	    "diálogo «%s» (%s), versión %d.", e->actor, e->mesa, e->entidad,
	    e->numero);
	buf_puts(&b, "</p>\n<p>Huella SHA-256 del contenido, la misma que "
	    "aparece en cada página del documento:<br><code>");
	web_escape(&b, e->sha256);
	buf_puts(&b, "</code></p>\n<p><a href=\"/e/");
	web_escape(&b, rq->params[0]);
	buf_puts(&b, "/pdf\">Descargar el documento (PDF)</a></p>\n");
	if (aviso != NULL) {
		buf_puts(&b, "<p><strong>");
		web_escape(&b, aviso);
		buf_puts(&b, "</strong></p>\n");
	} else if (e->conformo[0] != '\0') {
		buf_puts(&b, "<p><strong>");
		web_escapef(&b, "Su conformidad con esta versión quedó "
		    "registrada el %s.", e->conformo);
		buf_puts(&b, "</strong></p>\n");
	} else {
		buf_puts(&b, "<form method=\"post\"><button type=\"submit\">"
		    "Estoy de acuerdo con esta versión del PAL</button>"
		    "</form>\n<p>Nada se registra hasta que presione el "
		    "botón.</p>\n");
	}
	web_page_end(&b);
	web_reply(rq, 200, &b);
	buf_cleanup(&b);
}

void
web_conformidad_ver(struct req *rq)
{
	struct enlace_conformidad e;
	struct error err;

	if (!web_conformidad_buscar(rq, &e, &err)) {
		web_conformidad_invalido(rq, &err);
		return;
	}
	if (e.anulada) {
		web_conformidad_reemplazada(rq, &e);
		return;
	}
	web_conformidad_pagina(rq, &e, NULL);
}

void
web_conformidad_confirmar(struct req *rq)
{
	struct enlace_conformidad e;
	struct pal_version v;
	struct error err;
	struct mesa m;
	bool firmado;

	if (!web_conformidad_buscar(rq, &e, &err)) {
		web_conformidad_invalido(rq, &err);
		return;
	}
	if (e.anulada) {
		web_conformidad_reemplazada(rq, &e);
		return;
	}
	if (e.conformo[0] != '\0') {
		web_conformidad_pagina(rq, &e, "Su conformidad con esta versión "
		    "ya estaba registrada.");
		return;
	}
	if (!store_mesa_cargar(rq->db, e.mesa_id, true, &m, &err) ||
	    !store_pal_version(rq->db, e.mesa_id, e.numero, &v, &err) ||
	    !store_pal_conformidad(rq->db, &m, &v, e.actor_id, e.sha256,
	    "enlace", e.enlace_id, 0, &firmado, &err)) {
		/* A reopening committed while we waited for the lock. */
		if (strcmp(err.code, "version_anterior") == 0) {
			web_conformidad_reemplazada(rq, &e);
			return;
		}
		if (err.status == 409 &&
		    strcmp(err.code, "conformidad_duplicada") == 0) {
			web_conformidad_pagina(rq, &e, "Su conformidad con "
			    "esta versión ya estaba registrada.");
			return;
		}
		web_conformidad_invalido(rq, &err);
		/* The transaction must roll back: keep an error status. */
		if (rq->status < 400)
			rq->status = 500;
		return;
	}
	web_conformidad_pagina(rq, &e, firmado
	    ? "Gracias: quedó registrada su conformidad. Todos los asistentes "
	    "ya la expresaron: el Plan de Acción Local está firmado."
	    : "Gracias: quedó registrada su conformidad con esta versión.");
}

void
web_conformidad_pdf(struct req *rq)
{
	char num[16], mesa[24];
	const char *p[2] = { mesa, num };
	struct enlace_conformidad e;
	struct error err;
	unsigned char *bytes;
	PGresult *res;
	size_t len;

	if (!web_conformidad_buscar(rq, &e, &err)) {
		web_conformidad_invalido(rq, &err);
		return;
	}
	snprintf(mesa, sizeof(mesa), "%lld", e.mesa_id);
	snprintf(num, sizeof(num), "%d", e.numero);
	res = db_exec(rq->db, &err, "SELECT pdf FROM pal_versiones"
	    " WHERE mesa_id = $1 AND numero = $2", 2, p);
	if (res == NULL || PQntuples(res) != 1) {
		PQclear(res);
		web_conformidad_invalido(rq, &err);
		return;
	}
	bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 0),
	    &len);
	if (bytes == NULL) {
		PQclear(res);
		error_set(&err, 500, "error_interno", "PDF ilegible.");
		web_conformidad_invalido(rq, &err);
		return;
	}
	reply_bytes(rq, 200, "application/pdf", bytes, len);
	PQfreemem(bytes);
	PQclear(res);
	free(rq->out_disposition);
	rq->out_disposition = xasprintf("inline; filename=\"pal-%lld-v%d.pdf\"",
	    e.mesa_id, e.numero);
}
