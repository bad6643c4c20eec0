/*
 * /e/{token} for progress reports. The responsable of an activity gets
 * this link in every reminder; the page shows the activity, its
 * commitment and PAL, the deadline and the days left, the current state,
 * every earlier report, and a form. Only the POST of that form records
 * anything (mail scanners open every link of a message). The link names
 * one activity: the form has no activity field, and one added by hand
 * is ignored, so a link can never report on another activity. A form
 * with mistakes comes back with status 422, every mistake listed and
 * what was typed kept, and nothing recorded.
 *
 * Validation and recording are store_avances.c's, shared with the API,
 * so a report through the link and one through `pal actividad avance`
 * are the same report. This file does not serve files, accept uploads
 * (evidence is a URL) or answer JSON: every reply is a page.
 */
#include "web_avance.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dates.h"
#include "rules.h"
#include "store_avances.h"
#include "store_mesas.h"
#include "token.h"
#include "web.h"
#include "xmalloc.h"

/* web.c's style sheet has no form fields; these keep them readable. */
#define ESTILO_ETIQUETA	"style=\"display:block;font-weight:600;" \
	"margin-top:1rem\""
#define ESTILO_CAMPO	"style=\"display:block;width:100%;font:inherit;" \
	"padding:.55rem .6rem;margin:.3rem 0 0;border:1px solid #b9c0cc;" \
	"border-radius:.4rem;background:#fff;color:inherit\""
#define ESTILO_GRUPO	"style=\"border:1px solid #d8dce3;" \
	"border-radius:.5rem;padding:.4rem .85rem .6rem;margin:0\""
#define ESTILO_OPCION	"style=\"display:block;padding:.35rem 0\""
#define ESTILO_NOTA	"style=\"display:block;white-space:pre-wrap;" \
	"margin-top:.3rem\""

/* The link of a request, as store_avances_enlace found it. */
struct web_avance_enlace {
	long long	 enlace_id;
	long long	 mesa_id;
	long long	 actividad_id;
};

/* The fields of the form as typed, decoded; owned, NULL if absent. */
struct web_avance_form {
	char	*estado;
	char	*avance;
	char	*evidencia;
	char	*nota;
};

/* Looks the token up; false (nothing replied) if it is not a live link. */
static bool
web_avance_buscar(struct req *rq, struct web_avance_enlace *e,
    struct error *err)
{
	char hash[TOKEN_HASH_LEN + 1];

	error_clear(err);
	if (rq->nparams < 1 || !token_well_formed(rq->params[0])) {
		error_set(err, 404, "enlace_no_valido", "Enlace no válido.");
		return false;
	}
	token_hash(rq->params[0], hash);
	return store_avances_enlace(rq->db, hash, &e->enlace_id, &e->mesa_id,
	    &e->actividad_id, err);
}

/*
 * The page for an unknown or revoked link and for failures. A failure
 * keeps an error status, so the transaction rolls back.
 */
static void
web_avance_error(struct req *rq, const struct error *err)
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

/* Reports are taken only while the mesa is followed up. */
static bool
web_avance_en_seguimiento(struct req *rq, const struct mesa *m)
{
	struct buf b;

	if (m->fase == FASE_EN_SEGUIMIENTO)
		return true;
	buf_init(&b);
	web_page_begin(&b, "Esta mesa no está en seguimiento");
	buf_puts(&b, "<p>");
	web_escapef(&b, "La mesa de diálogo «%s» está en la fase «%s». Los "
	    "avances de sus actividades se reportan solo mientras la mesa "
	    "está en seguimiento, después de que se envía el Plan de Acción "
	    "Local firmado.", m->titulo, rules_fase_label(m->fase));
	buf_puts(&b, "</p>\n<p>");
	web_escapef(&b, "Si cree que es un error, escriba a %s, quien facilita "
	    "la mesa.", m->facilitador_nombre);
	buf_puts(&b, "</p>\n");
	web_page_end(&b);
	web_reply(rq, 409, &b);
	buf_cleanup(&b);
	return false;
}

/*
 * Opens what a request needs: its link, the mesa (with lock, its row,
 * which serializes reports) in en_seguimiento, and the link's activity.
 * False after replying.
 */
static bool
web_avance_abrir(struct req *rq, bool lock, struct web_avance_enlace *e,
    struct mesa *m, struct avance_actividad *a)
{
	struct error err;

	memset(a, 0, sizeof(*a));
	if (!web_avance_buscar(rq, e, &err) ||
	    !store_mesa_cargar(rq->db, e->mesa_id, lock, m, &err)) {
		web_avance_error(rq, &err);
		return false;
	}
	if (!web_avance_en_seguimiento(rq, m))
		return false;
	if (!store_avances_actividad(rq->db, e->mesa_id, e->actividad_id, lock,
	    a, &err)) {
		web_avance_error(rq, &err);
		return false;
	}
	return true;
}

/* "En progreso" and the like, for a state at the start of a phrase. */
static const char *
web_avance_estado(const char *estado)
{
	if (strcmp(estado, "en_progreso") == 0)
		return "En progreso";
	if (strcmp(estado, "cumplida") == 0)
		return "Cumplida";
	if (strcmp(estado, "pendiente") == 0)
		return "Pendiente";
	return estado;
}

/* The deadline as a badge: days left, overdue, or done on a date. */
static void
web_avance_plazo(struct buf *b, const struct avance_actividad *a)
{
	int d = a->fecha_limite - a->hoy;
	char larga[80];

	if (strcmp(a->estado, "cumplida") == 0) {
		dates_format_long(a->cumplimiento_dia, larga, sizeof(larga));
		buf_puts(b, "<span class=\"estado ok\">Cumplida; reportada "
		    "el ");
		web_escape(b, larga);
		buf_puts(b, "</span>");
		return;
	}
	if (d > 1)
		buf_printf(b, "<span class=\"estado pendiente\">Faltan %d "
		    "días</span>", d);
	else if (d == 1)
		buf_puts(b, "<span class=\"estado pendiente\">Vence mañana"
		    "</span>");
	else if (d == 0)
		buf_puts(b, "<span class=\"estado pendiente\">Vence hoy"
		    "</span>");
	else if (d == -1)
		buf_puts(b, "<span class=\"estado vencida\">Venció ayer: 1 día "
		    "de retraso</span>");
	else
		buf_printf(b, "<span class=\"estado vencida\">Venció hace %d "
		    "días</span>", -d);
}

/* The activity: what it is, its commitment, deliverable and deadline. */
static void
web_avance_actividad(struct buf *b, const struct mesa *m,
    const struct avance_actividad *a)
{
	char larga[80];

	buf_puts(b, "<p>Hola, <strong>");
	web_escape(b, a->responsable_nombre);
	buf_puts(b, "</strong>. Usted es responsable de esta actividad del "
	    "Plan de Acción Local de la mesa de diálogo <strong>«");
	web_escape(b, m->titulo);
	buf_puts(b, "»</strong> (");
	web_escape(b, m->entidad);
	buf_puts(b, ").</p>\n<ul class=\"lista\">\n<li><strong>");
	web_escape(b, a->descripcion);
	buf_puts(b, "</strong><span class=\"meta\">");
	web_escapef(b, "Compromiso %d: «%s»", a->compromiso_numero,
	    a->compromiso_titulo);
	buf_puts(b, "</span>");
	if (a->entregable != NULL) {
		buf_puts(b, "<span class=\"meta\">Entregable: ");
		web_escape(b, a->entregable);
		buf_puts(b, "</span>");
	}
	dates_format_long(a->fecha_limite, larga, sizeof(larga));
	buf_puts(b, "<span class=\"meta\">Fecha límite: ");
	web_escape(b, larga);
	buf_puts(b, "</span>");
	web_avance_plazo(b, a);
	buf_puts(b, "</li>\n</ul>\n<p>Estado actual: <strong>");
	web_escape(b, web_avance_estado(a->estado));
	buf_printf(b, ", %d %%</strong></p>\n", a->avance);
}

/* Every earlier report, oldest first (history: borrowed JSON array). */
static void
web_avance_historial(struct buf *b, const json_t *history)
{
	const json_t *r;
	size_t i;

	buf_puts(b, "<h2>Reportes anteriores</h2>\n");
	if (json_array_size(history) == 0) {
		buf_puts(b, "<p class=\"nota\">Todavía no hay reportes de "
		    "avance de esta actividad.</p>\n");
		return;
	}
	buf_puts(b, "<ul class=\"lista\">\n");
	json_array_foreach(history, i, r) {
		const char *evidencia = json_string_value(json_object_get(r,
		    "evidencia"));
		const char *nota = json_string_value(json_object_get(r,
		    "nota"));
		const json_t *avance = json_object_get(r, "avance");
		const json_t *usuario = json_object_get(r, "usuario");
		char larga[80];
		int dia;

		buf_puts(b, "<li><strong>");
		web_escape(b, web_avance_estado(json_string_value(
		    json_object_get(r, "estado"))));
		if (json_is_integer(avance))
			buf_printf(b, ", %d %%",
			    (int)json_integer_value(avance));
		buf_puts(b, "</strong><span class=\"meta\">");
		if (dates_parse(json_string_value(json_object_get(r, "fecha")),
		    &dia)) {
			dates_format_long(dia, larga, sizeof(larga));
			web_escape(b, larga);
			buf_puts(b, " · ");
		}
		if (json_is_object(usuario))
			web_escapef(b, "reportado por %s", json_string_value(
			    json_object_get(usuario, "nombre")));
		else
			buf_puts(b, "reportado por el responsable con su "
			    "enlace personal");
		buf_puts(b, "</span>");
		if (evidencia != NULL) {
			/* Only http(s) URLs are ever stored: safe as href. */
			buf_puts(b, "<span class=\"meta\">Evidencia: "
			    "<a href=\"");
			web_escape(b, evidencia);
			buf_puts(b, "\" rel=\"nofollow noopener noreferrer\">");
			web_escape(b, evidencia);
			buf_puts(b, "</a></span>");
		}
		if (nota != NULL) {
			buf_puts(b, "<span " ESTILO_NOTA ">");
			web_escape(b, nota);
			buf_puts(b, "</span>");
		}
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ul>\n");
}

/* One radio button of estado, checked when it is `elegido`. */
static void
web_avance_opcion(struct buf *b, const char *valor, const char *texto,
    const char *elegido)
{
	buf_printf(b, "<label " ESTILO_OPCION "><input type=\"radio\" "
	    "name=\"estado\" value=\"%s\"%s> %s</label>\n", valor,
	    strcmp(valor, elegido) == 0 ? " checked" : "", texto);
}

/*
 * The form. Without f it starts from the activity's state; with f (a
 * refused POST) it shows what was typed.
 */
static void
web_avance_formulario(struct buf *b, const struct avance_actividad *a,
    const struct web_avance_form *f)
{
	const char *estado = strcmp(a->estado, "cumplida") == 0 ? "cumplida"
	    : "en_progreso";

	if (f != NULL && f->estado != NULL &&
	    (strcmp(f->estado, "en_progreso") == 0 ||
	    strcmp(f->estado, "cumplida") == 0))
		estado = f->estado;
	buf_puts(b, "<h2>Reportar avance</h2>\n<form method=\"post\">\n"
	    "<fieldset " ESTILO_GRUPO "><legend>Estado</legend>\n");
	web_avance_opcion(b, "en_progreso", "En progreso", estado);
	web_avance_opcion(b, "cumplida", "Cumplida", estado);
	buf_puts(b, "</fieldset>\n<label for=\"avance\" " ESTILO_ETIQUETA
	    ">Porcentaje de avance (de 0 a 100)</label>\n<input "
	    "type=\"number\" id=\"avance\" name=\"avance\" min=\"0\" "
	    "max=\"100\" step=\"1\" inputmode=\"numeric\" value=\"");
	if (f != NULL)
		web_escape(b, f->avance);
	else
		buf_printf(b, "%d", a->avance);
	buf_puts(b, "\" " ESTILO_CAMPO ">\n<label for=\"evidencia\" "
	    ESTILO_ETIQUETA ">Enlace a la evidencia (opcional)</label>\n"
	    "<input type=\"url\" id=\"evidencia\" name=\"evidencia\" "
	    "maxlength=\"2000\" placeholder=\"https://\" value=\"");
	if (f != NULL)
		web_escape(b, f->evidencia);
	buf_puts(b, "\" " ESTILO_CAMPO ">\n<label for=\"nota\" "
	    ESTILO_ETIQUETA ">Nota (opcional): explique el avance o el "
	    "motivo del retraso</label>\n<textarea id=\"nota\" name=\"nota\" "
	    "rows=\"5\" maxlength=\"5000\" " ESTILO_CAMPO ">");
	if (f != NULL)
		web_escape(b, f->nota);
	buf_puts(b, "</textarea>\n<p class=\"nota\">Si marca «Cumplida», el "
	    "avance queda en 100 % y ya no recibirá recordatorios de esta "
	    "actividad.</p>\n<button type=\"submit\">Enviar reporte de "
	    "avance</button>\n</form>\n<p class=\"nota\">Nada se registra "
	    "hasta que pulse el botón. Su reporte queda en la línea de tiempo "
	    "de la mesa, a la vista de quien la facilita y del organismo "
	    "garante.</p>\n");
}

/*
 * The whole page: status 200 for a GET, 422 with errs[0..nerrs) and the
 * form as typed after a refused POST.
 */
static void
web_avance_pagina(struct req *rq, int status, const struct mesa *m,
    const struct avance_actividad *a, const struct web_avance_form *f,
    const struct error *errs, size_t nerrs)
{
	struct error err;
	json_t *history;
	struct buf b;
	char *title;

	if ((history = store_avances_listar(rq->db, a->id, &err)) == NULL) {
		web_avance_error(rq, &err);
		return;
	}
	buf_init(&b);
	title = xasprintf("Avance de la actividad %d.%d", a->compromiso_numero,
	    a->numero);
	web_page_begin(&b, title);
	free(title);
	if (nerrs > 0) {
		buf_puts(&b, "<div class=\"aviso\" role=\"alert\"><p>"
		    "<strong>No se registró el reporte. Revise lo "
		    "siguiente:</strong></p>\n<ul>\n");
		for (size_t i = 0; i < nerrs; i++) {
			buf_puts(&b, "<li>");
			web_escape(&b, errs[i].message);
			buf_puts(&b, "</li>\n");
		}
		buf_puts(&b, "</ul></div>\n");
	}
	web_avance_actividad(&b, m, a);
	web_avance_formulario(&b, a, f);
	web_avance_historial(&b, history);
	web_page_end(&b);
	web_reply(rq, status, &b);
	buf_cleanup(&b);
	json_decref(history);
}

void
web_avance_ver(struct req *rq)
{
	struct web_avance_enlace e;
	struct avance_actividad a;
	struct mesa m;

	if (web_avance_abrir(rq, false, &e, &m, &a))
		web_avance_pagina(rq, 200, &m, &a, NULL, NULL, 0);
	store_avances_actividad_cleanup(&a);
}

/* The form body. */

static int
web_avance_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes s[0..len) as application/x-www-form-urlencoded does: '+' is a
 * space, %XX a byte; a '%' not followed by two hex digits stays as it
 * is. A decoded NUL would end the C string early and hide what follows
 * it, so it becomes U+0001, a control character the validation refuses.
 * Owned.
 */
static char *
web_avance_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int hi, lo;

		if (c == '+')
			c = ' ';
		else if (c == '%' && i + 2 < len &&
		    (hi = web_avance_hex(s[i + 1])) >= 0 &&
		    (lo = web_avance_hex(s[i + 2])) >= 0) {
			c = (char)(hi * 16 + lo);
			if (c == '\0')
				c = '\x01';
			i += 2;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
}

/*
 * The four fields of the form from body[0..len); the first of a repeated
 * field wins and every other field (an "actividad" added by hand, say)
 * is ignored: the link alone says which activity this is.
 */
static void
web_avance_form_parse(const char *body, size_t len,
    struct web_avance_form *f)
{
	const char *p = body, *end;

	memset(f, 0, sizeof(*f));
	if (body == NULL)
		return;
	for (end = body + len; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *fin = amp != NULL ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(fin - p));
		const char *val = eq != NULL ? eq + 1 : fin;
		char *key = web_avance_decode(p, (size_t)((eq != NULL ? eq :
		    fin) - p));
		char **slot = NULL;

		if (strcmp(key, "estado") == 0)
			slot = &f->estado;
		else if (strcmp(key, "avance") == 0)
			slot = &f->avance;
		else if (strcmp(key, "evidencia") == 0)
			slot = &f->evidencia;
		else if (strcmp(key, "nota") == 0)
			slot = &f->nota;
		if (slot != NULL && *slot == NULL)
			*slot = web_avance_decode(val, (size_t)(fin - val));
		free(key);
		if (amp == NULL)
			break;
		p = amp + 1;
	}
}

static void
web_avance_form_cleanup(struct web_avance_form *f)
{
	free(f->estado);
	free(f->avance);
	free(f->evidencia);
	free(f->nota);
	memset(f, 0, sizeof(*f));
}

/* s without its leading and trailing spaces, in place. */
static char *
web_avance_trim(char *s)
{
	size_t len;

	s += strspn(s, " \t\r\n");
	len = strlen(s);
	while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL)
		s[--len] = '\0';
	return s;
}

/* "\r\n" as "\n", in place: browsers send a textarea's lines with CRLF. */
static void
web_avance_lf(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++)
		if (!(s[0] == '\r' && s[1] == '\n'))
			*o++ = *s;
	*o = '\0';
}

/*
 * The form as a report: empty fields are absent; avance must be plain
 * digits (a browser's number field sends nothing else). Pointers are
 * borrowed from f.
 */
static void
web_avance_form_report(struct web_avance_form *f, struct avance_nuevo *n)
{
	memset(n, 0, sizeof(*n));
	n->estado = f->estado;
	n->avance = STORE_AVANCES_SIN_AVANCE;
	if (f->avance != NULL) {
		const char *v = web_avance_trim(f->avance);
		size_t len = strlen(v);

		if (len > 0 && len <= 6 && strspn(v, "0123456789") == len) {
			int x = atoi(v);

			n->avance = x > 100 ? 101 : x;
		} else if (len > 0)
			n->avance = STORE_AVANCES_NO_NUMERO;
	}
	if (f->evidencia != NULL) {
		const char *v = web_avance_trim(f->evidencia);

		n->evidencia = *v != '\0' ? v : NULL;
	}
	if (f->nota != NULL) {
		web_avance_lf(f->nota);
		if (f->nota[strspn(f->nota, " \t\r\n")] != '\0')
			n->nota = f->nota;
	}
}

/* What the responsable sees once the report is recorded. */
static void
web_avance_gracias(struct req *rq, const struct mesa *m,
    const struct avance_actividad *a)
{
	struct buf b;

	buf_init(&b);
	web_page_begin(&b, "Avance registrado");
	buf_puts(&b, "<p class=\"aviso\">");
	web_escapef(&b, "Gracias, %s: quedó registrado su reporte de la "
	    "actividad %d.%d del compromiso «%s»: %s, %d %%.",
	    a->responsable_nombre, a->compromiso_numero, a->numero,
	    a->compromiso_titulo, store_avances_estado_label(a->estado),
	    a->avance);
	buf_puts(&b, "</p>\n");
	if (strcmp(a->estado, "cumplida") == 0)
		buf_puts(&b, "<p>La actividad quedó marcada como cumplida: ya "
		    "no recibirá recordatorios sobre ella.</p>\n");
	else
		buf_puts(&b, "<p>Seguirá recibiendo recordatorios antes de la "
		    "fecha límite. Puede volver a abrir este enlace y reportar "
		    "de nuevo cuando haya más avance.</p>\n");
	buf_puts(&b, "<p>");
	web_escapef(&b, "Su reporte queda en la línea de tiempo de la mesa "
	    "«%s», a la vista de %s, quien la facilita, y del organismo "
	    "garante.", m->titulo, m->facilitador_nombre);
	buf_puts(&b, "</p>\n<p><a href=\"/e/");
	web_escape(&b, rq->params[0]);
	buf_puts(&b, "\">Volver a la actividad</a></p>\n");
	web_page_end(&b);
	web_reply(rq, 200, &b);
	buf_cleanup(&b);
}

void
web_avance_confirmar(struct req *rq)
{
	struct error errs[STORE_AVANCES_MAX_ERRORES], err;
	struct web_avance_enlace e;
	struct web_avance_form f;
	struct avance_actividad a;
	struct avance_nuevo n;
	struct mesa m;
	size_t nerrs;
	char *quien;
	json_t *o;

	memset(&f, 0, sizeof(f));
	if (!web_avance_abrir(rq, true, &e, &m, &a))
		goto out;
	web_avance_form_parse(rq->body, rq->body_len, &f);
	web_avance_form_report(&f, &n);
	if ((nerrs = store_avances_validar(&n, errs)) > 0) {
		web_avance_pagina(rq, 422, &m, &a, &f, errs, nerrs);
		goto out;
	}
	n.enlace_id = e.enlace_id;
	quien = xasprintf("El responsable %s (por su enlace)",
	    a.responsable_nombre);
	o = store_avances_registrar(rq->db, &a, &n, quien, &err);
	free(quien);
	if (o == NULL) {
		web_avance_error(rq, &err);
		goto out;
	}
	json_decref(o);
	web_avance_gracias(rq, &m, &a);
out:
	web_avance_form_cleanup(&f);
	store_avances_actividad_cleanup(&a);
}
