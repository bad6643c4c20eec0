/*
 * The garante's web dashboard (/monitoreo): login with an API token into
 * a web session kept in a cookie, the personal link that does the same,
 * logout, who sees what, the HTML it renders (rows, traffic-light labels,
 * the SVG timeline with its "Hoy" line) and, in a real headless
 * Chromium at a phone's width, the page as a person sees it. The data
 * are test_monitoreo.c's scene (esc_garantes_crear): two mesas in
 * follow-up in two entidades and a third in acuerdos nobody sees here.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escenario.h"
#include "harness.h"

/*
 * This suite's own texts of the scene (escenario.h, esc_garantes_crear):
 * characters HTML must escape.
 */
#define INSTITUCION	"Tesorería municipal"
#define COMPROMISO_A2	"Padrón de <proveedores> & contratistas"
#define DESC_POR_VENCER	"Capacitar al personal"

#define CHROMIUM	"/usr/bin/chromium"
#define COOKIE		"pald_sesion"

static struct h_db db;
static struct h_pald pald;
static char admin[80];
static struct esc_garantes g;

static void
setup(void)
{
	esc_setup(&db, NULL, &pald, NULL, admin, sizeof(admin));
	esc_garantes_crear(INSTITUCION, COMPROMISO_A2, DESC_POR_VENCER, &g);
}

TestSuite(dashboard, .init = setup, .fini = esc_teardown, .timeout = 180);

/*
 * Requests as a browser makes them: no redirect followed, an optional
 * cookie and an optional form body. The reply is the caller's
 * (h_http_free).
 */
static struct h_http
web(const char *method, const char *path, const char *cookie,
    const char *form)
{
	const char *hdrs[2] = { NULL, NULL };

	if (cookie != NULL)
		hdrs[0] = h_strf("Cookie: %s=%s", COOKIE, cookie);
	return h_http_hdrs(method, h_strf("%s%s", pald.url, path), NULL,
	    form != NULL ? "application/x-www-form-urlencoded" : NULL, form,
	    form != NULL ? strlen(form) : 0, hdrs);
}

/* Asserts a page (never JSON) with the status. */
static void
check_page(const struct h_http *r, long status, const char *what)
{
	const char *ctype = h_http_header(r, "Content-Type");

	cr_assert_eq(r->status, status, "%s: status %ld, expected %ld:\n%s",
	    what, r->status, status, r->body);
	cr_assert_not_null(ctype, "%s: no Content-Type", what);
	esc_check_html(ctype, r->body);
	cr_assert_null(strstr(r->body, "{\"error\""), "%s: JSON: %s", what,
	    r->body);
}

/* The session token a Set-Cookie sets (asserted well formed). */
static const char *
cookie_token(const struct h_http *r)
{
	const char *sc = h_http_header(r, "Set-Cookie");
	size_t n;

	cr_assert_not_null(sc, "no Set-Cookie");
	cr_assert(strncmp(sc, COOKIE "=", strlen(COOKIE) + 1) == 0, "%s", sc);
	sc += strlen(COOKIE) + 1;
	n = strspn(sc, "0123456789abcdef");
	cr_assert_eq(n, 64, "session token of %zu hex characters: %s", n, sc);
	cr_assert_eq(sc[64], ';', "%s", sc);
	return h_strf("%.64s", sc);
}

static long long
sesiones(void)
{
	return h_db_query_int(&db, "SELECT count(*) FROM sesiones_web");
}

/* Logs tok in through the form; the session token of the cookie. */
static const char *
entrar(const char *tok)
{
	struct h_http r = web("POST", "/monitoreo/entrar", NULL,
	    h_strf("token=%s", tok));
	const char *s;

	cr_assert_eq(r.status, 303, "login: %ld %s", r.status, r.body);
	s = cookie_token(&r);
	h_http_free(&r);
	return s;
}

/* The dashboard's page for a session (and a query), asserted 200. */
static const char *
tablero(const char *sesion, const char *query)
{
	struct h_http r = web("GET", h_strf("/monitoreo%s", query), sesion,
	    NULL);
	const char *body;

	check_page(&r, 200, "dashboard");
	body = h_strf("%s", r.body);
	h_http_free(&r);
	return body;
}

Test(dashboard, entrar_con_token)
{
	struct h_http r = web("GET", "/monitoreo/entrar", NULL, NULL);
	const char *sc, *sesion, *page;

	check_page(&r, 200, "login form");
	cr_assert_not_null(strstr(r.body, "action=\"/monitoreo/entrar\""));
	cr_assert_not_null(strstr(r.body, "name=\"token\""));
	h_http_free(&r);

	/* Wrong tokens: the form again, 401, nothing stored. */
	r = web("POST", "/monitoreo/entrar", NULL, h_strf("token=%064d", 7));
	check_page(&r, 401, "unknown token");
	cr_assert_not_null(strstr(r.body, "El token no es válido"));
	cr_assert_not_null(strstr(r.body, "name=\"token\""));
	cr_assert_null(h_http_header(&r, "Set-Cookie"));
	h_http_free(&r);
	r = web("POST", "/monitoreo/entrar", NULL, "token=abc");
	check_page(&r, 401, "malformed token");
	cr_assert_not_null(strstr(r.body, "name=\"token\""));
	h_http_free(&r);
	r = web("POST", "/monitoreo/entrar", NULL, "");
	check_page(&r, 401, "no token");
	cr_assert_not_null(strstr(r.body, "Escriba su token"));
	cr_assert_not_null(strstr(r.body, "name=\"token\""));
	h_http_free(&r);
	cr_assert_eq(sesiones(), 0);

	/* The right one, pasted with spaces and a line end around it. */
	r = web("POST", "/monitoreo/entrar", NULL, h_strf("token=+%s%%0A",
	    g.gar_a.token));
	cr_assert_eq(r.status, 303, "%ld %s", r.status, r.body);
	cr_assert_str_eq(h_http_header(&r, "Location"), "/monitoreo");
	sc = h_http_header(&r, "Set-Cookie");
	sesion = cookie_token(&r);
	cr_assert_not_null(strstr(sc, "; HttpOnly"), "%s", sc);
	cr_assert_not_null(strstr(sc, "; SameSite=Lax"), "%s", sc);
	cr_assert_not_null(strstr(sc, "; Path=/monitoreo"), "%s", sc);
	/* public_url is http here: no Secure. */
	cr_assert_null(strstr(sc, "Secure"), "%s", sc);
	cr_assert_str_neq(sesion, g.gar_a.token, "the API token in a cookie");
	h_http_free(&r);

	/* Stored hashed, for the user, for 12 hours. */
	cr_assert_eq(sesiones(), 1);
	cr_assert_eq(h_db_query_int(&db, "SELECT usuario_id FROM sesiones_web"
	    " WHERE hash = $1", esc_sha256_hex(sesion, 64)), g.gar_a.id);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM sesiones_web"
	    " WHERE hash = $1 OR hash = $2", sesion, esc_sha256_hex(
	    g.gar_a.token, 64)), 0, "a token stored in clear");
	cr_assert_eq(h_db_query_int(&db, "SELECT extract(epoch FROM"
	    " expira - creada)::int FROM sesiones_web"), 12 * 3600);

	page = tablero(sesion, "");
	cr_assert_not_null(strstr(page, ESC_G_MESA_A));
	cr_assert_null(strstr(page, ESC_G_MESA_B));
	cr_assert_null(strstr(page, ESC_G_MESA_C));
	cr_assert_not_null(strstr(page, "Gabriela Garante"));
	cr_assert_not_null(strstr(page, "name=\"viewport\""));
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM sesiones_web"
	    " WHERE ultimo_uso IS NOT NULL"), 1);
}

Test(dashboard, sin_sesion_va_a_entrar)
{
	struct h_http r = web("GET", "/monitoreo", NULL, NULL);
	const char *sesion;

	check_page(&r, 303, "no cookie");
	cr_assert_str_eq(h_http_header(&r, "Location"), "/monitoreo/entrar");
	h_http_free(&r);

	/* An API token is no session, nor is an unknown one. */
	r = web("GET", "/monitoreo", g.gar_a.token, NULL);
	check_page(&r, 303, "API token as cookie");
	cr_assert_str_eq(h_http_header(&r, "Location"), "/monitoreo/entrar");
	cr_assert_not_null(strstr(h_http_header(&r, "Set-Cookie"),
	    "Max-Age=0"));
	h_http_free(&r);
	r = web("GET", "/monitoreo", h_strf("%064d", 5), NULL);
	check_page(&r, 303, "unknown session");
	cr_assert_str_eq(h_http_header(&r, "Location"), "/monitoreo/entrar");
	h_http_free(&r);

	/* An expired session. */
	sesion = entrar(g.gar_a.token);
	tablero(sesion, "");
	h_db_exec(&db, "UPDATE sesiones_web SET creada = now() - interval"
	    " '13 hours', expira = now() - interval '1 hour'");
	r = web("GET", "/monitoreo", sesion, NULL);
	check_page(&r, 303, "expired session");
	cr_assert_str_eq(h_http_header(&r, "Location"), "/monitoreo/entrar");
	h_http_free(&r);

	/* A deactivated user's session. */
	sesion = entrar(g.gar_todos.token);
	tablero(sesion, "");
	h_db_exec(&db, "UPDATE usuarios SET activo = false WHERE id = $1",
	    esc_id_text(g.gar_todos.id));
	r = web("GET", "/monitoreo", sesion, NULL);
	check_page(&r, 303, "deactivated user");
	cr_assert_str_eq(h_http_header(&r, "Location"), "/monitoreo/entrar");
	h_http_free(&r);
	r = web("POST", "/monitoreo/entrar", NULL, h_strf("token=%s",
	    g.gar_todos.token));
	check_page(&r, 401, "deactivated user's token");
	h_http_free(&r);

	/* A new login drops the expired sessions. */
	entrar(g.gar_a.token);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM sesiones_web"
	    " WHERE expira <= now()"), 0);
}

Test(dashboard, otra_entidad_y_filtros_malos)
{
	const char *sesion = entrar(g.gar_a.token);
	struct h_http r = web("GET", "/monitoreo?entidad=" ESC_G_ENTIDAD_B, sesion,
	    NULL);

	check_page(&r, 403, "another entidad");
	cr_assert_not_null(strstr(r.body, "Solo puede consultar los PAL de "
	    ESC_G_ENTIDAD_A), "%s", r.body);
	cr_assert_null(strstr(r.body, ESC_G_MESA_B));
	h_http_free(&r);
	r = web("GET", "/monitoreo?proximas=0", sesion, NULL);
	check_page(&r, 422, "proximas=0");
	cr_assert_not_null(strstr(r.body, "«proximas»"));
	h_http_free(&r);
	r = web("GET", "/monitoreo?vencidas=2", sesion, NULL);
	check_page(&r, 422, "vencidas=2");
	cr_assert_not_null(strstr(r.body, "«vencidas»"), "%s", r.body);
	h_http_free(&r);
	cr_assert_not_null(strstr(tablero(sesion, "?entidad=" ESC_G_ENTIDAD_A),
	    ESC_G_MESA_A));
}

Test(dashboard, quien_ve_que)
{
	const char *page = tablero(entrar(admin), "");

	cr_assert_not_null(strstr(page, ESC_G_MESA_A));
	cr_assert_not_null(strstr(page, ESC_G_MESA_B));
	cr_assert_null(strstr(page, ESC_G_MESA_C));
	page = tablero(entrar(admin), "?entidad=" ESC_G_ENTIDAD_B);
	cr_assert_null(strstr(page, ESC_G_MESA_A));
	cr_assert_not_null(strstr(page, ESC_G_MESA_B));
	page = tablero(entrar(g.gar_todos.token), "");
	cr_assert_not_null(strstr(page, ESC_G_MESA_A));
	cr_assert_not_null(strstr(page, ESC_G_MESA_B));
	page = tablero(entrar(g.fac_b.token), "");
	cr_assert_null(strstr(page, ESC_G_MESA_A));
	cr_assert_not_null(strstr(page, ESC_G_MESA_B));
	page = tablero(entrar(g.fac_b.token), "?entidad=" ESC_G_ENTIDAD_A);
	cr_assert_not_null(strstr(page, "No hay PAL en seguimiento"));
}

Test(dashboard, contenido)
{
	const char *sesion = entrar(g.gar_a.token);
	const char *page = tablero(sesion, "");
	const char *sec = strstr(page, h_strf("id=\"pal-%lld\"", g.mesa_a));

	cr_assert_not_null(sec, "%s", page);
	/* Percentage and counts, each light with its word. */
	cr_assert_not_null(strstr(page, "avance 28 %"));
	cr_assert_not_null(strstr(page, "◆ Vencido: 1"));
	cr_assert_not_null(strstr(page, "▲ Por vencer: 1"));
	cr_assert_not_null(strstr(page, "● A tiempo: 2"));
	cr_assert_not_null(strstr(page, "■ Cumplido: 1"));

	/* The commitments, escaped, with their lights and next deadline. */
	cr_assert_not_null(strstr(page, h_strf("data-compromiso=\"%lld\" "
	    "data-semaforo=\"vencido\"><td>1. Contratos abiertos, &quot;obra "
	    "pública&quot;", g.comp_a1)), "%s", page);
	cr_assert_not_null(strstr(page, h_strf("data-compromiso=\"%lld\" "
	    "data-semaforo=\"a_tiempo\"><td>2. Padrón de &lt;proveedores&gt; "
	    "&amp; contratistas", g.comp_a2)), "%s", page);
	cr_assert_null(strstr(page, "<proveedores>"), "unescaped title");
	cr_assert_not_null(strstr(page, "◆ Vencido</span></td><td "
	    "style=\"white-space:nowrap\">35 %</td>"), "%s", page);
	cr_assert_not_null(strstr(page, h_strf("Próximo vencimiento: %s",
	    esc_date_add(esc_today_in("America/Mexico_City"), 3))));

	/* Due soon, and overdue with the latest report. */
	cr_assert_not_null(strstr(page, "Próximos vencimientos"));
	cr_assert_not_null(strstr(page, "1.2 " DESC_POR_VENCER));
	cr_assert_not_null(strstr(page, "en 3 días"));
	cr_assert_not_null(strstr(page, "Actividades vencidas"));
	cr_assert_not_null(strstr(page, "1.1 " ESC_G_DESC_VENCIDA));
	cr_assert_not_null(strstr(page, ESC_G_RESP_VENCIDA));
	cr_assert_not_null(strstr(page, "hace 10 días"));
	cr_assert_not_null(strstr(page, "en progreso, 40 %"));
	cr_assert_not_null(strstr(page, ESC_G_NOTA));
	cr_assert_not_null(strstr(page, esc_date_long(esc_date_add(
	    esc_today_in("America/Mexico_City"), -10))));

	/* The timeline: a bar per commitment, a marker per activity, today. */
	cr_assert_eq(esc_count_str(page, "<svg"), 1);
	cr_assert_not_null(strstr(page, ">Hoy</text>"));
	cr_assert_eq(esc_count_str(page, "stroke=\"#fff\""), 5);
	cr_assert_eq(esc_count_str(page, "rx=\"5\""), 2);
	cr_assert_eq(esc_count_str(page, "<polygon"), 2);
	cr_assert_eq(esc_count_str(page, "<circle"), 2);

	/* vencidas=1: the overdue commitment only, nothing por vencer. */
	page = tablero(sesion, "?vencidas=1");
	cr_assert_not_null(strstr(page, h_strf("data-compromiso=\"%lld\"",
	    g.comp_a1)));
	cr_assert_null(strstr(page, h_strf("data-compromiso=\"%lld\"",
	    g.comp_a2)));
	cr_assert_null(strstr(page, "Próximos vencimientos"));
	cr_assert_not_null(strstr(page, "value=\"1\" checked"));
	cr_assert_not_null(strstr(page, "<details open"));
	/* proximas=2: the activity due in 3 days is a tiempo. */
	page = tablero(sesion, "?proximas=2");
	cr_assert_null(strstr(page, "Próximos vencimientos"));
	cr_assert_not_null(strstr(page, "● A tiempo: 3"));
	cr_assert_not_null(strstr(page, "value=\"2\""));
}

Test(dashboard, salir)
{
	const char *sesion = entrar(g.gar_a.token), *sc;
	struct h_http r;

	tablero(sesion, "");
	r = web("POST", "/monitoreo/salir", sesion, "");
	check_page(&r, 200, "logout");
	sc = h_http_header(&r, "Set-Cookie");
	cr_assert_not_null(sc);
	cr_assert(strncmp(sc, COOKIE "=;", strlen(COOKIE) + 2) == 0, "%s", sc);
	cr_assert_not_null(strstr(sc, "Max-Age=0"), "%s", sc);
	cr_assert_not_null(strstr(sc, "Path=/monitoreo"), "%s", sc);
	h_http_free(&r);
	cr_assert_eq(sesiones(), 0);
	r = web("GET", "/monitoreo", sesion, NULL);
	check_page(&r, 303, "after logout");
	cr_assert_str_eq(h_http_header(&r, "Location"), "/monitoreo/entrar");
	h_http_free(&r);
	/* Without a session, logging out still answers a page. */
	r = web("POST", "/monitoreo/salir", NULL, "");
	check_page(&r, 200, "logout without session");
	h_http_free(&r);
}

Test(dashboard, enlace_personal)
{
	struct esc_out o = esc_pal_ok(g.gar_a.token, "monitoreo", "enlace");
	const char *link = esc_link_token(o.out), *sesion;
	struct h_http r;
	json_t *j;

	cr_assert_not_null(strstr(o.out, "tablero de monitoreo"), "%s", o.out);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"
	    " WHERE proposito = 'monitoreo' AND usuario_id = $1 AND hash = $2"
	    " AND expira BETWEEN now() + interval '6 days 23 hours'"
	    " AND now() + interval '7 days'", esc_id_text(g.gar_a.id),
	    esc_sha256_hex(link, 64)), 1);
	esc_pal_expect(g.gar_a.token, 1, NULL, "monitoreo", "enlace",
	    "--vencidas");

	/* Opening it starts a session and goes to the dashboard. */
	r = web("GET", h_strf("/e/%s", link), NULL, NULL);
	check_page(&r, 303, "monitoreo link");
	cr_assert_str_eq(h_http_header(&r, "Location"), "/monitoreo");
	sesion = cookie_token(&r);
	cr_assert_str_neq(sesion, link);
	cr_assert_not_null(strstr(h_http_header(&r, "Set-Cookie"),
	    "HttpOnly"));
	h_http_free(&r);
	cr_assert_eq(sesiones(), 1);
	cr_assert_not_null(strstr(tablero(sesion, ""), ESC_G_MESA_A));
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"
	    " WHERE proposito = 'monitoreo' AND ultimo_uso IS NOT NULL"), 1);

	/* The API. */
	j = esc_api("POST", "/v1/monitoreo/enlace", admin, "{\"dias\": 2}",
	    201);
	cr_assert_not_null(strstr(esc_jstr(j, "url"), h_strf("%s/e/",
	    pald.url)));
	cr_assert_not_null(esc_jstr(j, "expira"));
	cr_assert_eq(esc_jint(j, "dias"), 2);
	esc_api_refused("POST", "/v1/monitoreo/enlace", admin, "{\"dias\": 0}",
	    422, "dias_invalido");
	esc_api_refused("POST", "/v1/monitoreo/enlace", NULL, NULL, 401,
	    NULL);

	/* Revoked, then expired: a page saying so, no session. */
	h_db_exec(&db, "UPDATE enlaces SET revocado = now() WHERE hash = $1",
	    esc_sha256_hex(link, 64));
	r = web("GET", h_strf("/e/%s", link), NULL, NULL);
	check_page(&r, 404, "revoked link");
	cr_assert_null(h_http_header(&r, "Set-Cookie"));
	h_http_free(&r);
	h_db_exec(&db, "UPDATE enlaces SET revocado = NULL, creado = now()"
	    " - interval '8 days', expira = now() - interval '1 day'"
	    " WHERE hash = $1", esc_sha256_hex(link, 64));
	r = web("GET", h_strf("/e/%s", link), NULL, NULL);
	check_page(&r, 404, "expired link");
	cr_assert_not_null(strstr(r.body, "Enlace no válido"));
	h_http_free(&r);
	cr_assert_eq(sesiones(), 1);
}

/* The 4-byte big-endian integer at p. */
static unsigned long
be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	    (unsigned long)p[2] << 8 | p[3];
}

/*
 * Chromium at a phone's width opens the personal link, which sets the
 * cookie and redirects: what a person sees, rendered by a browser.
 */
Test(dashboard, chromium)
{
	json_t *j = esc_api("POST", "/v1/monitoreo/enlace", g.gar_a.token, NULL,
	    201);
	const char *url = esc_jstr(j, "url");
	const char *png = h_path("monitoreo.png");
	const char *argv[16];
	struct h_run run;
	unsigned char *data;
	size_t len;
	int n = 0;

	cr_assert(access(CHROMIUM, X_OK) == 0, CHROMIUM " is missing: "
	    "apt-get install chromium (deploy/install-deps.sh)");
	argv[n++] = CHROMIUM;
	argv[n++] = "--headless";
	argv[n++] = "--no-sandbox";
	argv[n++] = "--disable-gpu";
	argv[n++] = "--disable-quic";
	argv[n++] = "--no-first-run";
	argv[n++] = "--disable-background-networking";
	argv[n++] = "--disable-component-update";
	argv[n++] = "--disable-sync";
	argv[n++] = h_strf("--user-data-dir=%s", h_path("chromium-dom"));
	argv[n++] = "--window-size=412,915";
	argv[n++] = "--dump-dom";
	argv[n++] = url;
	argv[n] = NULL;
	run = h_run_argv(argv, NULL, NULL, 0);
	cr_assert_eq(run.status, 0, "chromium --dump-dom: exit %d\n%s",
	    run.status, run.err);
	cr_assert_not_null(strstr(run.out, "Sesión de <strong>Gabriela "
	    "Garante"), "not the dashboard:\n%s", run.out);
	cr_assert_not_null(strstr(run.out, ESC_G_MESA_A), "%s", run.out);
	cr_assert_null(strstr(run.out, ESC_G_MESA_B), "%s", run.out);
	cr_assert_not_null(strstr(run.out, h_strf("data-compromiso=\"%lld\" "
	    "data-semaforo=\"vencido\"", g.comp_a1)), "%s", run.out);
	cr_assert_not_null(strstr(run.out, h_strf("data-compromiso=\"%lld\" "
	    "data-semaforo=\"a_tiempo\"", g.comp_a2)), "%s", run.out);
	cr_assert_not_null(strstr(run.out, "1.1 " ESC_G_DESC_VENCIDA));
	cr_assert_not_null(strstr(run.out, "1.2 " DESC_POR_VENCER));
	cr_assert_not_null(strstr(run.out, "◆ Vencido"));
	cr_assert_not_null(strstr(run.out, "▲ Por vencer"));
	cr_assert_not_null(strstr(run.out, "● A tiempo"));
	cr_assert_not_null(strstr(run.out, "<svg"));
	cr_assert_not_null(strstr(run.out, ">Hoy</text>"));
	h_run_free(&run);

	argv[9] = h_strf("--user-data-dir=%s", h_path("chromium-png"));
	argv[11] = h_strf("--screenshot=%s", png);
	unlink(png);
	run = h_run_argv(argv, NULL, NULL, 0);
	cr_assert_eq(run.status, 0, "chromium --screenshot: exit %d\n%s",
	    run.status, run.err);
	h_run_free(&run);
	data = (unsigned char *)h_read_file(png, &len);
	cr_assert_not_null(data, "no screenshot at %s", png);
	cr_assert_gt(len, 10000, "a screenshot of %zu bytes", len);
	cr_assert(memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0, "not a PNG");
	cr_assert(memcmp(data + 12, "IHDR", 4) == 0, "no IHDR first");
	cr_assert_eq(be32(data + 16), 412, "width %lu", be32(data + 16));
	cr_assert_eq(be32(data + 20), 915, "height %lu", be32(data + 20));
	free(data);
	cr_log_info("dashboard screenshot: %s (%zu bytes)", png, len);
}
