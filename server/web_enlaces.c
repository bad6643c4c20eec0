/*
 * /e/{token}: the personal link an actor gets with the materials. GET
 * shows what the send carried and a button; only the POST of that
 * button records the receipts, because mail scanners and link previews
 * open every link in a message and must not confirm anything. The
 * token is the only credential: it is checked for shape, hashed and
 * looked up; the clear token is never stored or logged. Links of other
 * purposes share the URL: web_enlace_ver and web_enlace_confirmar hand
 * conformity links to web_conformidad.c, progress links to web_avance.c
 * and dashboard links to web_monitoreo.c.
 *
 * It does not show or serve the files themselves (they travel attached
 * to the email) and answers every failure with a page, never JSON.
 */
#include "web_enlaces.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "buf.h"
#include "dates.h"
#include "db.h"
#include "rules.h"
#include "store_eventos.h"
#include "store_materiales.h"
#include "store_mesas.h"
#include "token.h"
#include "web.h"
#include "web_avance.h"
#include "web_conformidad.h"
#include "web_monitoreo.h"

#define BOTON	"Confirmo que recibí los materiales"

/* The page for every bad, unknown or revoked token, and for errors. */
static void
web_enlace_error(struct req *rq, const struct error *err)
{
	if (err->status == 404) {
		web_reply_message(rq, 404, "Enlace no válido", "Este enlace no "
		    "es válido: puede estar incompleto o haber sido revocado. "
		    "Pida a la persona que facilita la mesa que le envíe un "
		    "enlace nuevo.");
		return;
	}
	web_reply_message(rq, err->status >= 400 ? err->status : 500,
	    "Servicio no disponible", "No pudimos atender su solicitud en "
	    "este momento. Intente de nuevo en unos minutos; si el problema "
	    "sigue, avise a la persona que facilita la mesa.");
}

/* Finds the link of the request's token; false after replying. */
static bool
web_enlace_abrir(struct req *rq, struct enlace_acuse *e)
{
	char hash[TOKEN_HASH_LEN + 1];
	struct error err;

	if (rq->nparams < 1 || !token_well_formed(rq->params[0])) {
		error_set(&err, 404, "enlace_no_valido", "Enlace no válido.");
		web_enlace_error(rq, &err);
		return false;
	}
	token_hash(rq->params[0], hash);
	if (!store_enlace_acuse_buscar(rq->db, hash, e, &err)) {
		web_enlace_error(rq, &err);
		return false;
	}
	return true;
}

/* "la mesa de diálogo «T» (Entidad)", escaped. */
static void
web_enlace_mesa(struct buf *b, const struct enlace_acuse *e)
{
	buf_puts(b, "la mesa de diálogo <strong>«");
	web_escape(b, e->mesa);
	buf_puts(b, "»</strong> del Plan de Acción Local de ");
	web_escape(b, e->entidad);
}

static void web_enlace_acuse_ver(struct req *rq);
static void web_enlace_acuse_confirmar(struct req *rq);

/*
 * The purpose of the request's live link ("acuse", "conformidad",
 * "avance"...), or "" when the token is malformed, unknown or revoked: one
 * look-up to choose the handler, which then loads what it needs.
 */
static void
web_enlace_proposito(struct req *rq, char *out, size_t size)
{
	char hash[TOKEN_HASH_LEN + 1];
	const char *p[1] = { hash };
	PGresult *res;

	out[0] = '\0';
	if (rq->nparams < 1 || !token_well_formed(rq->params[0]))
		return;
	token_hash(rq->params[0], hash);
	res = db_exec(rq->db, NULL, "SELECT proposito FROM enlaces"
	    " WHERE hash = $1 AND revocado IS NULL", 1, p);
	if (res != NULL && PQntuples(res) == 1)
		snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
}

/* One URL shape for every purpose: dispatch on the link's proposito. */
void
web_enlace_ver(struct req *rq)
{
	char proposito[16];

	web_enlace_proposito(rq, proposito, sizeof(proposito));
	if (strcmp(proposito, "conformidad") == 0)
		web_conformidad_ver(rq);
	else if (strcmp(proposito, "avance") == 0)
		web_avance_ver(rq);
	else if (strcmp(proposito, "monitoreo") == 0)
		web_monitoreo_enlace(rq);
	else
		web_enlace_acuse_ver(rq);
}

void
web_enlace_confirmar(struct req *rq)
{
	char proposito[16];

	web_enlace_proposito(rq, proposito, sizeof(proposito));
	if (strcmp(proposito, "conformidad") == 0)
		web_conformidad_confirmar(rq);
	else if (strcmp(proposito, "avance") == 0)
		web_avance_confirmar(rq);
	else if (strcmp(proposito, "monitoreo") == 0)
		web_monitoreo_enlace(rq);
	else
		web_enlace_acuse_confirmar(rq);
}

static void
web_enlace_acuse_ver(struct req *rq)
{
	struct enlace_material *mats = NULL;
	struct enlace_acuse e;
	struct error err;
	struct buf b;
	size_t n = 0, pendientes = 0;
	char larga[80];

	if (!web_enlace_abrir(rq, &e))
		return;
	if (!store_enlace_materiales(rq->db, &e, &mats, &n, &err)) {
		web_enlace_error(rq, &err);
		return;
	}
	buf_init(&b);
	web_page_begin(&b, "Acuse de recibo de materiales");
	buf_puts(&b, "<p>Hola, <strong>");
	web_escape(&b, e.actor);
	buf_puts(&b, "</strong>.</p>\n<p>Estos son los materiales de ");
	web_enlace_mesa(&b, &e);
	buf_puts(&b, " que se le enviaron por correo electrónico, como "
	    "archivos adjuntos:</p>\n<ul class=\"lista\">\n");
	for (size_t i = 0; i < n; i++) {
		const char *label = store_material_tipo_label(mats[i].tipo);

		buf_puts(&b, "<li><strong>");
		web_escape(&b, mats[i].titulo);
		buf_puts(&b, "</strong><span class=\"meta\">");
		web_escape(&b, label != NULL ? label : mats[i].tipo);
		buf_puts(&b, " · ");
		if (mats[i].archivo[0] != '\0')
			web_escape(&b, mats[i].archivo);
		else
			buf_puts(&b, "texto");
		buf_puts(&b, "</span>");
		if (mats[i].fecha == RULES_NO_RECIBIDO) {
			pendientes++;
			buf_puts(&b, "<span class=\"estado pendiente\">Falta "
			    "confirmar</span>");
		} else {
			dates_format_long(mats[i].fecha, larga, sizeof(larga));
			buf_puts(&b, "<span class=\"estado ok\">Recibido el ");
			web_escape(&b, larga);
			buf_puts(&b, "</span>");
		}
		buf_puts(&b, "</li>\n");
	}
	buf_puts(&b, "</ul>\n");
	if (pendientes > 0) {
		dates_format_long(e.hoy, larga, sizeof(larga));
		buf_puts(&b, "<p>Si ya los tiene, pulse el botón: quedará "
		    "registrado que los recibió hoy, ");
		web_escape(&b, larga);
		buf_puts(&b, ".</p>\n<form method=\"post\">\n<button "
		    "type=\"submit\">" BOTON "</button>\n</form>\n"
		    "<p class=\"nota\">La mesa no puede convocarse hasta que "
		    "todos los actores confirmen que recibieron todos los "
		    "materiales, al menos ");
		buf_printf(&b, "%d", RULES_DIAS_ANTICIPACION);
		buf_puts(&b, " días antes de la sesión. Si le "
		    "falta algún archivo, no pulse el botón y escriba a ");
		web_escape(&b, e.facilitador);
		buf_puts(&b, ", quien facilita la mesa.</p>\n");
	} else {
		buf_puts(&b, "<p class=\"aviso\">Ya quedó registrada la "
		    "recepción de todos estos materiales. No necesita hacer "
		    "nada más.</p>\n");
	}
	web_page_end(&b);
	web_reply(rq, 200, &b);
	buf_cleanup(&b);
	free(mats);
}

static void
web_enlace_acuse_confirmar(struct req *rq)
{
	struct enlace_acuse e;
	struct error err;
	struct mesa m;
	struct buf b;
	json_t *ids;
	size_t n;
	char larga[80], fecha[11];
	int dia;

	if (!web_enlace_abrir(rq, &e))
		return;
	/*
	 * The mesa's row lock, as every writer of a mesa takes it; and a
	 * receipt only means something while the mesa is being prepared.
	 */
	if (!store_mesa_cargar(rq->db, e.mesa_id, true, &m, &err)) {
		web_enlace_error(rq, &err);
		return;
	}
	if (m.fase != FASE_PREPARACION && m.fase != FASE_CONVOCADA &&
	    m.fase != FASE_SUSPENDIDA) {
		web_reply_message(rq, 409, "La preparación ya terminó",
		    "La mesa ya no está en preparación, así que no hace falta "
		    "confirmar la recepción de sus materiales.");
		return;
	}
	if ((ids = store_enlace_confirmar(rq->db, &e, &dia, &err)) == NULL) {
		web_enlace_error(rq, &err);
		return;
	}
	n = json_array_size(ids);
	dates_format(dia, fecha);
	dates_format_long(dia, larga, sizeof(larga));
	if (n > 0 && !store_evento(rq->db, e.mesa_id, 0, e.actor_id,
	    "acuse.confirmado", json_pack("{s:O, s:s, s:I, s:I}",
	    "materiales", ids, "fecha", fecha, "envio_id",
	    (json_int_t)e.envio_id, "enlace_id", (json_int_t)e.enlace_id),
	    &err, "%s confirmó con su enlace personal que recibió %zu %s "
	    "el %s.", e.actor, n, n == 1 ? "material" : "materiales",
	    fecha)) {
		json_decref(ids);
		web_enlace_error(rq, &err);
		return;
	}
	json_decref(ids);

	buf_init(&b);
	if (n > 0) {
		web_page_begin(&b, "Recepción confirmada");
		buf_puts(&b, "<p class=\"aviso\">Gracias, ");
		web_escape(&b, e.actor);
		buf_printf(&b, ": quedó registrado que recibió %zu %s el ", n,
		    n == 1 ? "material" : "materiales");
		web_escape(&b, larga);
		buf_puts(&b, ".</p>\n");
	} else {
		web_page_begin(&b, "Recepción ya confirmada");
		buf_puts(&b, "<p class=\"aviso\">Estos materiales ya estaban "
		    "confirmados. No necesita hacer nada más.</p>\n");
	}
	buf_puts(&b, "<p>Son los materiales de ");
	web_enlace_mesa(&b, &e);
	buf_puts(&b, ". La persona que facilita la mesa le enviará la "
	    "convocatoria con la fecha, la hora y el lugar.</p>\n");
	web_page_end(&b);
	web_reply(rq, 200, &b);
	buf_cleanup(&b);
}
