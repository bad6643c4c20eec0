/*
 * /monitoreo: the organismo garante's dashboard, one server-rendered
 * Spanish page that reads on a phone with no script and no other
 * request. It shows exactly what GET /v1/monitoreo answers (the same
 * filter, api_monitoreo_filtro, and the same view, store_monitoreo_vista):
 * per PAL its traffic lights and percentage, a timeline in inline SVG
 * (commitments as bars from inicio to fin, each activity deadline as a
 * marker shaped and coloured by its light, today as a line labelled
 * "Hoy"), the table of commitments, the deadlines por vencer and the
 * overdue activities with their latest report. Every light is written
 * as a word next to its colour and shape, never as a colour alone.
 *
 * A browser never holds an API token. POST /monitoreo/entrar checks a
 * token as the API would, then opens a web session (sesiones_web, 12
 * hours) whose own random token goes into an HttpOnly, SameSite=Lax
 * cookie limited to /monitoreo; a 'monitoreo' personal link (/e/{token},
 * from the weekly digest or `pal monitoreo enlace`) opens one the same
 * way. Every answer of these routes is a page, failures included.
 *
 * It does not write anything but sessions and link use, does not cache
 * (a page is always today's), and does not offer the CSV export (that is
 * the API's, for programs).
 */
#include "web_monitoreo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_monitoreo.h"
#include "buf.h"
#include "config.h"
#include "dates.h"
#include "store_monitoreo.h"
#include "web.h"
#include "xmalloc.h"

#define WEB_MONITOREO_TITULO	"Monitoreo de los PAL"
#define WEB_MONITOREO_RUTA	"/monitoreo"
#define WEB_MONITOREO_ENTRAR	"/monitoreo/entrar"
/* Bytes of an activity's description in a timeline marker's tooltip. */
#define WEB_MONITOREO_TITULO_MAX	80

/* web.c's style sheet has no form fields; these keep them readable. */
#define ESTILO_ETIQUETA	"style=\"display:block;font-weight:600;" \
	"margin-top:.8rem\""
#define ESTILO_CAMPO	"style=\"display:block;width:100%;font:inherit;" \
	"padding:.55rem .6rem;margin:.3rem 0 0;border:1px solid #b9c0cc;" \
	"border-radius:.4rem;background:#fff;color:inherit\""
#define ESTILO_SECCION	"style=\"border-top:2px solid #d8dce3;" \
	"margin-top:2rem;padding-top:.5rem\""
#define ESTILO_TABLA	"style=\"overflow-x:auto\""

/*
 * How each light is shown: word, the shape that marks it in the
 * timeline (the same symbol in the text), and colours. The class is
 * web.c's badge where it has one.
 */
static const struct {
	const char	*texto;
	const char	*simbolo;
	const char	*clase;
	const char	*estilo;	/* extra CSS of the badge, or "" */
	const char	*color;		/* of the timeline marker */
} web_monitoreo_luces[MONITOREO_NLUCES] = {
	{ "Cumplido", "■", "ok", "", "#1b6b34" },
	{ "A tiempo", "●", "", "background:#e6effa;color:#1f4a87", "#2f6fb5" },
	{ "Por vencer", "▲", "pendiente", "", "#b07800" },
	{ "Vencido", "◆", "vencida", "", "#c0392b" },
};

/* The timeline's geometry, in SVG user units. */
/*
 * 400 units wide: on a phone the drawing is shown at about its own size,
 * so its text stays readable; on a wider screen it only grows.
 */
#define TL_ANCHO	400
#define TL_MARGEN	10	/* left and right */
#define TL_ARRIBA	34	/* "Hoy" and the months above the rows */
#define TL_FILA		34	/* one commitment: its label, then its bar */
#define TL_ABAJO	8
#define TL_ETIQUETA_MAX	56	/* characters of a commitment's label */

static const char *const web_monitoreo_nombre_mes[] = { "ene", "feb", "mar",
	"abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic" };

/*
 * The hash of the session token in the request's cookie; false if there
 * is none of the right shape.
 */
static bool
web_monitoreo_cookie(const struct req *rq, char hash[TOKEN_HASH_LEN + 1])
{
	const size_t nlen = strlen(WEB_MONITOREO_COOKIE);
	const char *p = rq->cookie;

	while (p != NULL && *p != '\0') {
		size_t len;

		p += strspn(p, " \t;");
		len = strcspn(p, ";");
		if (len == nlen + 1 + TOKEN_TEXT_LEN &&
		    strncmp(p, WEB_MONITOREO_COOKIE "=", nlen + 1) == 0) {
			char token[TOKEN_TEXT_LEN + 1];

			memcpy(token, p + nlen + 1, TOKEN_TEXT_LEN);
			token[TOKEN_TEXT_LEN] = '\0';
			if (token_well_formed(token)) {
				token_hash(token, hash);
				return true;
			}
		}
		p += len;
	}
	return false;
}

/* Sets the session cookie to token, or clears it when token is NULL. */
static void
web_monitoreo_set_cookie(struct req *rq, const char *token)
{
	bool https = strncmp(config_live->public_url, "https://", 8) == 0;
	char *v;

	v = xasprintf(WEB_MONITOREO_COOKIE "=%s; HttpOnly; SameSite=Lax; "
	    "Path=" WEB_MONITOREO_RUTA "; Max-Age=%d%s", token ? token : "",
	    token ? MONITOREO_SESION_HORAS * 3600 : 0,
	    https ? "; Secure" : "");
	reply_header(rq, "Set-Cookie", v);
	free(v);
}

/* 303 to location (a path of ours), with a page for who does not follow. */
static void
web_monitoreo_redirigir(struct req *rq, const char *location)
{
	struct buf b;

	reply_header(rq, "Location", location);
	buf_init(&b);
	web_page_begin(&b, WEB_MONITOREO_TITULO);
	buf_puts(&b, "<p><a href=\"");
	web_escape(&b, location);
	buf_puts(&b, "\">Continuar</a></p>\n");
	web_page_end(&b);
	web_reply(rq, 303, &b);
	buf_cleanup(&b);
}

/* The page for a failure of ours (the database, say): never JSON. */
static void
web_monitoreo_falla(struct req *rq, const struct error *err)
{
	web_reply_message(rq, err->status >= 500 ? err->status : 500,
	    "Servicio no disponible", "No pudimos mostrar el tablero en este "
	    "momento. Intente de nuevo en unos minutos.");
}

/*
 * Opens a session for the user, sets its cookie and sends the browser
 * to the dashboard. A failure is a page.
 */
static void
web_monitoreo_abrir_sesion(struct req *rq, long long usuario_id)
{
	char token[TOKEN_TEXT_LEN + 1];
	struct error err;

	if (!store_monitoreo_sesion_crear(rq->db, usuario_id, token, &err)) {
		web_monitoreo_falla(rq, &err);
		return;
	}
	web_monitoreo_set_cookie(rq, token);
	web_monitoreo_redirigir(rq, WEB_MONITOREO_RUTA);
}

/* The login form, with a message above it when message is not NULL. */
static void
web_monitoreo_formulario_entrar(struct req *rq, int status,
    const char *message)
{
	struct buf b;

	buf_init(&b);
	web_page_begin(&b, WEB_MONITOREO_TITULO);
	if (message != NULL) {
		buf_puts(&b, "<p class=\"aviso\" role=\"alert\">");
		web_escape(&b, message);
		buf_puts(&b, "</p>\n");
	}
	buf_puts(&b, "<p>El tablero muestra el semáforo de cada fecha límite "
	    "de los Planes de Acción Local en seguimiento que usted puede "
	    "monitorear.</p>\n"
	    "<form method=\"post\" action=\"" WEB_MONITOREO_ENTRAR "\">\n"
	    "<label for=\"token\" " ESTILO_ETIQUETA ">Token de acceso</label>\n"
	    "<input id=\"token\" name=\"token\" type=\"password\" "
	    "autocomplete=\"off\" required " ESTILO_CAMPO ">\n"
	    "<p class=\"nota\">Es el mismo token que usa con «pal login». No "
	    "se guarda en su navegador: al entrar se abre una sesión de ");
	buf_printf(&b, "%d", MONITOREO_SESION_HORAS);
	buf_puts(&b, " horas.</p>\n<button type=\"submit\">Entrar</button>\n"
	    "</form>\n<p class=\"nota\">También puede entrar con el enlace "
	    "personal de monitoreo del resumen semanal o con «pal monitoreo "
	    "enlace».</p>\n");
	web_page_end(&b);
	web_reply(rq, status, &b);
	buf_cleanup(&b);
}

void
web_monitoreo_entrar_ver(struct req *rq)
{
	web_monitoreo_formulario_entrar(rq, 200, NULL);
}

void
web_monitoreo_entrar(struct req *rq)
{
	char hash[TOKEN_HASH_LEN + 1];
	struct usuario u;
	struct error err;
	char *token = req_form(rq, "token"), *t;

	/* Pasted tokens often carry spaces or a line end around them. */
	t = token;
	if (t != NULL) {
		size_t n;

		t += strspn(t, " \t\r\n");
		n = strcspn(t, " \t\r\n");
		t[n] = '\0';
	}
	if (t == NULL || !token_well_formed(t)) {
		web_monitoreo_formulario_entrar(rq, 401, t == NULL ||
		    *t == '\0' ? "Escriba su token de acceso." : "El token no "
		    "es válido o fue revocado.");
		goto out;
	}
	token_hash(t, hash);
	if (!store_monitoreo_token_usuario(rq->db, hash, &u, &err)) {
		if (err.status == 401)
			web_monitoreo_formulario_entrar(rq, 401, "El token no "
			    "es válido o fue revocado.");
		else
			web_monitoreo_falla(rq, &err);
		goto out;
	}
	web_monitoreo_abrir_sesion(rq, u.id);
out:
	free(token);
}

void
web_monitoreo_salir(struct req *rq)
{
	char hash[TOKEN_HASH_LEN + 1];
	struct error err;
	struct buf b;

	if (web_monitoreo_cookie(rq, hash) &&
	    !store_monitoreo_sesion_borrar(rq->db, hash, &err)) {
		web_monitoreo_falla(rq, &err);
		return;
	}
	web_monitoreo_set_cookie(rq, NULL);
	buf_init(&b);
	web_page_begin(&b, "Sesión cerrada");
	buf_puts(&b, "<p class=\"aviso\">Cerró su sesión del tablero de "
	    "monitoreo.</p>\n<p><a href=\"" WEB_MONITOREO_ENTRAR "\">Entrar "
	    "de nuevo</a></p>\n");
	web_page_end(&b);
	web_reply(rq, 200, &b);
	buf_cleanup(&b);
}

void
web_monitoreo_enlace(struct req *rq)
{
	char hash[TOKEN_HASH_LEN + 1];
	struct usuario u;
	struct error err;

	if (rq->nparams < 1 || !token_well_formed(rq->params[0])) {
		error_set(&err, 404, "enlace_no_valido", "Enlace no válido.");
	} else {
		token_hash(rq->params[0], hash);
		if (store_monitoreo_enlace_usuario(rq->db, hash, &u, &err)) {
			web_monitoreo_abrir_sesion(rq, u.id);
			return;
		}
	}
	if (err.status != 404) {
		web_monitoreo_falla(rq, &err);
		return;
	}
	web_reply_message(rq, 404, "Enlace no válido", "Este enlace al "
	    "tablero de monitoreo no es válido: puede estar incompleto, haber "
	    "vencido o haber sido revocado. Entre con su token de acceso en "
	    WEB_MONITOREO_ENTRAR " o pida un enlace nuevo con «pal monitoreo "
	    "enlace».");
}

bool
web_monitoreo_enlace_crear(PGconn *conn, long long usuario_id, int dias,
    char token[TOKEN_TEXT_LEN + 1], struct error *err)
{
	return store_monitoreo_enlace_crear(conn, usuario_id, dias, token,
	    NULL, 0, err);
}

/* The dashboard itself. */

/* The badge of a light: its shape, its word and its colours. */
static void
web_monitoreo_luz(struct buf *b, enum monitoreo_luz luz)
{
	buf_printf(b, "<span class=\"estado %s\" style=\"white-space:nowrap;"
	    "%s\">%s %s</span>", web_monitoreo_luces[luz].clase,
	    web_monitoreo_luces[luz].estilo, web_monitoreo_luces[luz].simbolo,
	    web_monitoreo_luces[luz].texto);
}

/* "martes 8 de diciembre de 2026" for an AAAA-MM-DD, escaped. */
static void
web_monitoreo_fecha(struct buf *b, const char *iso)
{
	char larga[80];
	int d;

	if (iso == NULL || !dates_parse(iso, &d)) {
		web_escape(b, iso);
		return;
	}
	dates_format_long(d, larga, sizeof(larga));
	web_escape(b, larga);
}

static const char *
web_monitoreo_tipo(const char *tipo)
{
	if (tipo == NULL)
		return "";
	if (strcmp(tipo, "contrataciones_abiertas") == 0)
		return "Contrataciones abiertas";
	if (strcmp(tipo, "plan_nacional") == 0)
		return "Alineado al plan nacional";
	if (strcmp(tipo, "local") == 0)
		return "Problema local";
	return tipo;
}

static const char *
web_monitoreo_estado(const char *estado)
{
	if (estado == NULL)
		return "sin estado";
	if (strcmp(estado, "en_progreso") == 0)
		return "en progreso";
	return estado;
}

/*
 * s escaped, cut to at most max characters (UTF-8 sequences are never
 * split) with an ellipsis when it was longer: SVG text does not wrap.
 */
static void
web_monitoreo_recortar(struct buf *b, const char *s, size_t max)
{
	size_t chars = 0, i;
	char *copy;

	if (s == NULL)
		return;
	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == max)
			break;
	if (s[i] == '\0') {
		web_escape(b, s);
		return;
	}
	copy = xstrndup(s, i);
	web_escape(b, copy);
	buf_puts(b, "…");
	free(copy);
}

/* The day number of an AAAA-MM-DD, or fallback when it is not one. */
static int
web_monitoreo_dia(const char *iso, int fallback)
{
	int d;

	return iso != NULL && dates_parse(iso, &d) ? d : fallback;
}

/*
 * The timeline's horizontal scale: days d0..d1 over the drawing width.
 * Coordinates are whole units (a unit is under a pixel on any screen),
 * so no floating point is formatted: with thousands of markers, printf
 * of doubles was a good part of the page's time.
 */
struct web_monitoreo_escala {
	int	d0, d1;
};

static int
web_monitoreo_x(const struct web_monitoreo_escala *e, int dia)
{
	long num = (long)(dia - e->d0) * (TL_ANCHO - 2 * TL_MARGEN);
	long den = e->d1 - e->d0;

	return TL_MARGEN + (int)((num + den / 2) / den);
}

/* One marker, centred at (x, y), shaped by its light, with a tooltip. */
static void
web_monitoreo_marca(struct buf *b, const struct monitoreo_compromiso *c,
    const struct monitoreo_actividad *a, int x, int y)
{
	const char *color = web_monitoreo_luces[a->luz].color;
	const char *tag = "polygon";
	struct buf corto;

	switch (a->luz) {
	case MONITOREO_CUMPLIDO:
		tag = "rect";
		buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"10\" "
		    "height=\"10\" fill=\"%s\"", x - 5, y - 5, color);
		break;
	case MONITOREO_A_TIEMPO:
		tag = "circle";
		buf_printf(b, "<circle cx=\"%d\" cy=\"%d\" r=\"6\" "
		    "fill=\"%s\"", x, y, color);
		break;
	case MONITOREO_POR_VENCER:
		buf_printf(b, "<polygon points=\"%d,%d %d,%d %d,%d\" "
		    "fill=\"%s\"", x, y - 7, x + 7, y + 5, x - 7, y + 5, color);
		break;
	case MONITOREO_VENCIDO:
		buf_printf(b, "<polygon points=\"%d,%d %d,%d %d,%d %d,%d\" "
		    "fill=\"%s\"", x, y - 7, x + 7, y, x, y + 7, x - 7, y,
		    color);
		break;
	}
	buf_init(&corto);
	buf_printf(b, " stroke=\"#fff\"><title>%d.%d ", c->numero,
	    a->numero);
	/* Thousands of markers: the tooltip names, the table tells. */
	buf_put_short(&corto, a->descripcion, WEB_MONITOREO_TITULO_MAX);
	web_escape(b, corto.data);
	buf_cleanup(&corto);
	buf_puts(b, " · ");
	web_escape(b, a->fecha_limite);
	buf_printf(b, " · %s</title></%s>\n",
	    web_monitoreo_luces[a->luz].texto, tag);
}

/* The month lines and their names (every month, or fewer when many). */
static void
web_monitoreo_meses(struct buf *b, const struct web_monitoreo_escala *e,
    int alto)
{
	int y, m, d, paso, k = 0;

	dates_to_ymd(e->d0, &y, &m, &d);
	paso = (e->d1 - e->d0) / 30 / 14 + 1;
	for (;;) {
		int x;

		if (++m > 12) {
			m = 1;
			y++;
		}
		if (y > DATES_MAX_YEAR)
			break;
		d = dates_from_ymd(y, m, 1);
		if (d >= e->d1)
			break;
		x = web_monitoreo_x(e, d);
		buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" "
		    "y2=\"%d\" stroke=\"#e3e6eb\"/>\n", x, x, TL_ARRIBA - 8,
		    alto - TL_ABAJO);
		if (k++ % paso != 0)
			continue;
		/* January is named by its year, so the years can be told. */
		buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
		    "fill=\"#5a6272\">", x + 2, TL_ARRIBA - 10);
		if (m == 1)
			buf_printf(b, "%d</text>\n", y);
		else
			buf_printf(b, "%s</text>\n",
			    web_monitoreo_nombre_mes[m - 1]);
	}
}

/*
 * The timeline of a PAL: a row per commitment shown, its bar from inicio
 * to fin, its activities' deadlines as markers, and today's line. An
 * activity's day is today plus its dias, so no date is parsed for it.
 */
static void
web_monitoreo_linea_tiempo(struct buf *b, const struct monitoreo_pal *p)
{
	struct web_monitoreo_escala e;
	int hoy = web_monitoreo_dia(p->hoy, 0), alto, xh;
	size_t i, k;

	if (p->ncompromisos == 0)
		return;
	e.d0 = e.d1 = hoy;
	for (i = 0; i < p->ncompromisos; i++) {
		const struct monitoreo_compromiso *c = &p->compromisos[i];
		int ini = web_monitoreo_dia(c->inicio, hoy);
		int fin = web_monitoreo_dia(c->fin, hoy);

		e.d0 = ini < e.d0 ? ini : e.d0;
		e.d1 = fin > e.d1 ? fin : e.d1;
		for (k = 0; k < c->nactividades; k++) {
			int d = hoy + c->actividades[k].dias;

			e.d0 = d < e.d0 ? d : e.d0;
			e.d1 = d > e.d1 ? d : e.d1;
		}
	}
	/* A few days of room so that markers at either end show whole. */
	e.d0 -= 4;
	e.d1 += 5;
	alto = TL_ARRIBA + (int)p->ncompromisos * TL_FILA + TL_ABAJO;
	buf_printf(b, "<figure style=\"margin:1rem 0\">\n<svg xmlns=\""
	    "http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"100%%\" role=\"img\" aria-labelledby=\"lt-%lld\" "
	    "style=\"display:block;height:auto;font-family:inherit\">\n"
	    "<title id=\"lt-%lld\">Línea de tiempo de los compromisos de la "
	    "mesa «", TL_ANCHO, alto, p->mesa_id, p->mesa_id);
	web_escape(b, p->titulo);
	buf_puts(b, "»: cada barra va del inicio al fin de un compromiso y "
	    "cada marca es la fecha límite de una actividad.</title>\n");
	web_monitoreo_meses(b, &e, alto);
	for (i = 0; i < p->ncompromisos; i++) {
		const struct monitoreo_compromiso *c = &p->compromisos[i];
		int y0 = TL_ARRIBA + (int)i * TL_FILA;
		int x0 = web_monitoreo_x(&e, web_monitoreo_dia(c->inicio, hoy));
		int x1 = web_monitoreo_x(&e, web_monitoreo_dia(c->fin, hoy));

		buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" "
		    "fill=\"#1d2330\">%d. ", TL_MARGEN, y0 + 12, c->numero);
		web_monitoreo_recortar(b, c->titulo, TL_ETIQUETA_MAX);
		buf_printf(b, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"10\" rx=\"5\" fill=\"#d8dce3\"><title>", x0,
		    y0 + 19, x1 > x0 ? x1 - x0 : 1);
		web_escape(b, c->titulo);
		buf_puts(b, ": del ");
		web_escape(b, c->inicio);
		buf_puts(b, " al ");
		web_escape(b, c->fin);
		buf_puts(b, "</title></rect>\n");
		for (k = 0; k < c->nactividades; k++)
			web_monitoreo_marca(b, c, &c->actividades[k],
			    web_monitoreo_x(&e, hoy + c->actividades[k].dias),
			    y0 + 24);
	}
	xh = web_monitoreo_x(&e, hoy);
	buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"14\" y2=\"%d\" "
	    "stroke=\"#13315c\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>"
	    "\n<text x=\"%d\" y=\"11\" font-size=\"11\" font-weight=\"700\" "
	    "fill=\"#13315c\" text-anchor=\"middle\">Hoy</text>\n</svg>\n",
	    xh, xh, alto - TL_ABAJO, xh < 16 ? 16 : xh > TL_ANCHO - 16 ?
	    TL_ANCHO - 16 : xh);
	buf_puts(b, "<figcaption class=\"nota\">");
	for (i = 0; i < MONITOREO_NLUCES; i++)
		buf_printf(b, "<span style=\"white-space:nowrap\"><span "
		    "style=\"color:%s\">%s</span> %s</span> · ",
		    web_monitoreo_luces[i].color,
		    web_monitoreo_luces[i].simbolo,
		    web_monitoreo_luces[i].texto);
	buf_puts(b, "la línea punteada marca hoy; cada barra va del inicio al "
	    "fin del compromiso.</figcaption>\n</figure>\n");
}

/*
 * The table of a PAL's commitments: three columns, so that it fits a
 * phone; the type and the next deadline go under the title.
 */
static void
web_monitoreo_tabla(struct buf *b, const struct monitoreo_pal *p)
{
	buf_puts(b, "<h3>Compromisos</h3>\n<div " ESTILO_TABLA ">\n<table>\n"
	    "<thead><tr><th>Compromiso</th><th>Semáforo</th><th>Avance</th>"
	    "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < p->ncompromisos; i++) {
		const struct monitoreo_compromiso *c = &p->compromisos[i];

		buf_printf(b, "<tr data-compromiso=\"%lld\" "
		    "data-semaforo=\"%s\"><td>%d. ", c->id,
		    store_monitoreo_luz_codigo(c->luz), c->numero);
		web_escape(b, c->titulo);
		buf_puts(b, "<span class=\"meta\">");
		web_escape(b, web_monitoreo_tipo(c->tipo));
		buf_puts(b, "</span><span class=\"meta\">");
		if (c->proximo_vencimiento != NULL) {
			buf_puts(b, "Próximo vencimiento: ");
			web_escape(b, c->proximo_vencimiento);
		} else {
			buf_puts(b, "Sin vencimientos pendientes");
		}
		buf_puts(b, "</span></td><td>");
		web_monitoreo_luz(b, c->luz);
		buf_printf(b, "</td><td style=\"white-space:nowrap\">%d %%</td>"
		    "</tr>\n", c->avance);
	}
	buf_puts(b, "</tbody>\n</table>\n</div>\n");
}

/* What an overdue activity's item adds: its latest report. */
static void
web_monitoreo_ultimo_avance(struct buf *b, const struct monitoreo_actividad *a)
{
	buf_printf(b, ", hace %d %s</span><span class=\"meta\">", -a->dias,
	    a->dias == -1 ? "día" : "días");
	if (a->ua_reportado == NULL) {
		buf_puts(b, "Sin avances reportados");
		return;
	}
	buf_puts(b, "Último avance: ");
	web_escapef(b, "%.10s (%s", a->ua_reportado,
	    web_monitoreo_estado(a->ua_estado));
	if (a->ua_avance >= 0)
		buf_printf(b, ", %d %%", a->ua_avance);
	buf_puts(b, ")");
	if (a->ua_nota != NULL) {
		buf_puts(b, ": «");
		web_escape(b, a->ua_nota);
		buf_puts(b, "»");
	}
}

/*
 * The activities of a PAL whose light is luz (por vencer or vencido), in
 * the PAL's order; an overdue one carries its latest report.
 */
static void
web_monitoreo_lista(struct buf *b, const struct monitoreo_pal *p,
    enum monitoreo_luz luz)
{
	bool vencidas = luz == MONITOREO_VENCIDO;
	size_t n = 0;

	for (size_t i = 0; i < p->ncompromisos; i++) {
		const struct monitoreo_compromiso *c = &p->compromisos[i];

		for (size_t k = 0; k < c->nactividades; k++) {
			const struct monitoreo_actividad *a =
			    &c->actividades[k];

			if (a->luz != luz)
				continue;
			if (n++ == 0)
				buf_printf(b, "<h3>%s</h3>\n<ul "
				    "class=\"lista\">\n", vencidas ?
				    "Actividades vencidas" :
				    "Próximos vencimientos");
			buf_printf(b, "<li data-actividad=\"%lld\"><strong>"
			    "%d.%d ", a->id, c->numero, a->numero);
			web_escape(b, a->descripcion);
			buf_puts(b, "</strong><span class=\"meta\">"
			    "Responsable: ");
			web_escape(b, a->responsable);
			buf_puts(b, vencidas ? " · venció el " :
			    " · vence el ");
			web_monitoreo_fecha(b, a->fecha_limite);
			if (vencidas)
				web_monitoreo_ultimo_avance(b, a);
			else if (a->dias == 0)
				buf_puts(b, ", hoy");
			else
				buf_printf(b, ", en %d %s", a->dias,
				    a->dias == 1 ? "día" : "días");
			buf_puts(b, "</span>");
			web_monitoreo_luz(b, a->luz);
			buf_puts(b, "</li>\n");
		}
	}
	if (n > 0)
		buf_puts(b, "</ul>\n");
}

/* A PAL; with vencidas, as the API, without the list por vencer. */
static void
web_monitoreo_pal(struct buf *b, const struct monitoreo_pal *p,
    bool vencidas)
{
	int i;

	buf_printf(b, "<section id=\"pal-%lld\" " ESTILO_SECCION ">\n"
	    "<h2>Mesa «", p->mesa_id);
	web_escape(b, p->titulo);
	buf_puts(b, "»</h2>\n<p class=\"meta\">");
	web_escape(b, p->entidad);
	if (p->version > 0)
		buf_printf(b, " · PAL versión %d", p->version);
	buf_printf(b, " · avance %d %% · hoy es ", p->avance);
	web_monitoreo_fecha(b, p->hoy);
	buf_puts(b, "</p>\n<p>");
	for (i = MONITOREO_NLUCES - 1; i >= 0; i--) {
		buf_printf(b, "<span class=\"estado %s\" style=\""
		    "white-space:nowrap;%s\">%s %s: %ld</span> ",
		    web_monitoreo_luces[i].clase,
		    web_monitoreo_luces[i].estilo,
		    web_monitoreo_luces[i].simbolo,
		    web_monitoreo_luces[i].texto, p->luces[i]);
	}
	buf_puts(b, "</p>\n");
	web_monitoreo_linea_tiempo(b, p);
	web_monitoreo_tabla(b, p);
	if (!vencidas)
		web_monitoreo_lista(b, p, MONITOREO_POR_VENCER);
	web_monitoreo_lista(b, p, MONITOREO_VENCIDO);
	buf_puts(b, "</section>\n");
}

/*
 * Who is looking, the logout button and the filter form, with the values
 * of the query (escaped) so that what was asked stays in view. The form
 * folds into a <details> (no script needed) so that on a phone the
 * first PAL shows without scrolling; it is open when a filter is set.
 */
static void
web_monitoreo_cabecera(struct buf *b, const struct req *rq)
{
	char *entidad = req_query(rq, "entidad");
	char *prox = req_query(rq, "proximas");
	char *venc = req_query(rq, "vencidas");
	bool garante = strcmp(rq->user.rol, "garante") == 0;
	bool abierto = (entidad != NULL && entidad[0] != '\0') ||
	    (prox != NULL && strcmp(prox, "14") != 0) ||
	    (venc != NULL && strcmp(venc, "0") != 0);

	buf_puts(b, "<div style=\"display:flex;flex-wrap:wrap;gap:.5rem;"
	    "align-items:center;justify-content:space-between\">\n"
	    "<p class=\"meta\" style=\"margin:0\">Sesión de <strong>");
	web_escape(b, rq->user.nombre);
	buf_puts(b, "</strong>");
	if (garante && rq->user.entidad[0] != '\0') {
		buf_puts(b, " · organismo garante de ");
		web_escape(b, rq->user.entidad);
	} else if (garante) {
		buf_puts(b, " · organismo garante, todas las entidades");
	} else if (strcmp(rq->user.rol, "facilitador") == 0) {
		buf_puts(b, " · facilitación: sus mesas");
	} else {
		buf_puts(b, " · administración: todas las mesas");
	}
	buf_puts(b, "</p>\n<form method=\"post\" action=\"/monitoreo/salir\" "
	    "style=\"margin:0\"><button type=\"submit\" style=\""
	    "width:auto;padding:.35rem .9rem;font-size:.9rem\">Salir</button>"
	    "</form>\n</div>\n<details");
	if (abierto)
		buf_puts(b, " open");
	buf_puts(b, " style=\"margin:1rem 0;padding:.5rem .85rem;"
	    "border:1px solid #d8dce3;border-radius:.5rem\">\n<summary "
	    "style=\"font-weight:600;cursor:pointer\">Filtros</summary>\n"
	    "<form method=\"get\" action=\"" WEB_MONITOREO_RUTA "\" "
	    "style=\"margin:0 0 .5rem\">\n"
	    "<label for=\"entidad\" " ESTILO_ETIQUETA ">Entidad</label>\n"
	    "<input id=\"entidad\" name=\"entidad\" type=\"text\" value=\"");
	web_escape(b, entidad != NULL ? entidad : "");
	buf_puts(b, "\" placeholder=\"todas las que puede ver\" " ESTILO_CAMPO
	    ">\n<label for=\"proximas\" " ESTILO_ETIQUETA ">Días antes del "
	    "vencimiento para «por vencer»</label>\n<input id=\"proximas\" "
	    "name=\"proximas\" type=\"number\" min=\"1\" max=\"366\" "
	    "value=\"");
	web_escape(b, prox != NULL ? prox : "14");
	buf_puts(b, "\" " ESTILO_CAMPO ">\n<label " ESTILO_ETIQUETA "><input "
	    "type=\"checkbox\" name=\"vencidas\" value=\"1\"");
	if (venc != NULL && strcmp(venc, "1") == 0)
		buf_puts(b, " checked");
	buf_puts(b, "> Solo lo que tiene actividades vencidas</label>\n"
	    "<button type=\"submit\" style=\"margin-top:.8rem\">Filtrar"
	    "</button>\n</form>\n</details>\n");
	free(entidad);
	free(prox);
	free(venc);
}

/*
 * The user of the request's session into rq->user; false after sending
 * the browser to the login (or replying with a failure page).
 */
static bool
web_monitoreo_sesion(struct req *rq)
{
	char hash[TOKEN_HASH_LEN + 1];
	struct error err;

	if (!web_monitoreo_cookie(rq, hash)) {
		web_monitoreo_redirigir(rq, WEB_MONITOREO_ENTRAR);
		return false;
	}
	if (!store_monitoreo_sesion_usuario(rq->db, hash, &rq->user, &err)) {
		if (err.status != 401) {
			web_monitoreo_falla(rq, &err);
			return false;
		}
		/* An expired or unknown session: drop the stale cookie. */
		web_monitoreo_set_cookie(rq, NULL);
		web_monitoreo_redirigir(rq, WEB_MONITOREO_ENTRAR);
		return false;
	}
	return true;
}

void
web_monitoreo_ver(struct req *rq)
{
	struct monitoreo_filtro f;
	struct monitoreo_vista v;
	struct error err;
	struct buf b;
	char *entidad = NULL;
	int status = 200;

	memset(&v, 0, sizeof(v));
	if (!web_monitoreo_sesion(rq))
		return;
	buf_init(&b);
	if (!api_monitoreo_filtro(rq, true, &f, &entidad, &err)) {
		status = err.status;
		web_page_begin(&b, status == 403 ? "Acceso no permitido" :
		    WEB_MONITOREO_TITULO);
		buf_puts(&b, "<p class=\"aviso\" role=\"alert\">");
		web_escape(&b, err.message);
		buf_puts(&b, "</p>\n");
		web_monitoreo_cabecera(&b, rq);
		goto reply;
	}
	if (!store_monitoreo_vista(rq->db, &f, &v, &err)) {
		web_monitoreo_falla(rq, &err);
		goto out;
	}
	web_page_begin(&b, WEB_MONITOREO_TITULO);
	web_monitoreo_cabecera(&b, rq);
	buf_printf(&b, "<p class=\"nota\">El semáforo se calcula al día de hoy "
	    "en la zona horaria de cada mesa. «Por vencer» es una fecha límite "
	    "de los próximos %d días.</p>\n", f.proximas);
	if (v.npals == 0)
		buf_puts(&b, "<p class=\"aviso\">No hay PAL en seguimiento que "
		    "mostrar con estos filtros.</p>\n");
	for (size_t i = 0; i < v.npals; i++)
		web_monitoreo_pal(&b, &v.pals[i], f.vencidas);
reply:
	web_page_end(&b);
	web_reply(rq, status, &b);
out:
	buf_cleanup(&b);
	store_monitoreo_vista_cleanup(&v);
	free(entidad);
}
