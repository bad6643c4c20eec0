/*
 * The garantes' weekly digest end to end: PALs in follow-up are written
 * straight into the database (the path to en_seguimiento through pal is
 * test_acuerdos.c's) with deadlines relative to today in the mesa's zone,
 * one activity is completed through a real progress report (`pal
 * actividad avance`, then moved two days back), and `pal resumenes
 * ejecutar` runs a forced pass as the admin. What matters is the email
 * that reaches the SMTP server: its decoded subject, each activity in its
 * section and no other (an activity 30 days ahead, one overdue for 20
 * days, another entidad's), the totals, and a personal link to the
 * dashboard; then one digest per garante and week across runs and two
 * daemons, admins only, and a malformed resumen_dia or an unknown zone
 * refused at startup with the file and line.
 *
 * The suite's daemon would send digests on its own one minute after it
 * starts: its resumen_dia and resumen_hora (Sunday 23:59) keep it away.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escenario.h"
#include "harness.h"

#define TZ		"America/Mexico_City"
#define EXTRA		"resumen_dia = domingo\nresumen_hora = 23:59\n"

#define ASUNTO_OAX	"Resumen semanal del seguimiento de los PAL de Oaxaca"
#define MESA_OAX	"Mesa de Tlacolula"
#define COMPROMISO	"Contratos abiertos de obra pública"
#define DESC_VENCIDA	"Publicar los contratos de obra de 2027"
#define RESP_VENCIDA	"Luis Pérez Ñúñez"
#define DESC_PROXIMA	"Capacitar al comité ciudadano de obra"
#define DESC_LEJANA	"Auditar el padrón de proveedores"
#define DESC_CUMPLIDA	"Instalar el comité de contraloría social"
#define DESC_ANTIGUA	"Abrir el portal de datos de obra"
#define DESC_JALISCO	"Publicar las licitaciones de Zapopan"

#define T_VENCIERON	"VENCIERON EN LOS ÚLTIMOS 7 DÍAS"
#define T_VENCEN	"VENCEN EN LOS PRÓXIMOS 14 DÍAS"
#define T_CUMPLIDAS	"CUMPLIDAS EN LOS ÚLTIMOS 7 DÍAS"
#define T_TOTALES	"TOTALES"
#define T_ENLACE	"El tablero de monitoreo"

static struct h_db db;
static struct h_smtp smtp;
static struct h_pald pald;
static char admin[80];

static void
setup(void)
{
	esc_setup(&db, &smtp, &pald, EXTRA, admin, sizeof(admin));
}

TestSuite(resumenes, .init = setup, .fini = esc_teardown, .timeout = 120);

/*
 * Fixtures.
 */

/* A mesa of entidad in follow-up, in TZ. */
static long long
mesa(long long fac, const char *titulo, const char *entidad)
{
	return esc_sql_mesa(fac, titulo, entidad, TZ, "en_seguimiento");
}

/* An open activity due offset days from its mesa's local today. */
static long long
actividad(long long c, int numero, int offset, const char *desc,
    const char *resp)
{
	return esc_sql_actividad(c, numero, offset, desc, resp,
	    "Obras Públicas", "pendiente", 0);
}

struct fx {
	struct esc_usuario	fac, oax, jal, chis, baja;
	long long		cumplida;
};

/*
 * Oaxaca: overdue 3 days, due in 5, due in 30, completed two days ago
 * through a report, overdue 20 days. Jalisco: overdue 2 days. Chiapas:
 * nothing. A deactivated garante of Oaxaca.
 */
static struct fx
seed(void)
{
	struct fx fx;
	long long c;

	fx.fac = esc_usuario_crear("Fernanda Facilitadora", "fer@stl.mx",
	    "facilitador", NULL);
	fx.oax = esc_usuario_crear("Gabriela Garante", "Gabriela@IEAIP.mx",
	    "garante", "Oaxaca");
	fx.jal = esc_usuario_crear("Jorge Garante", "jorge@itei.mx",
	    "garante", "Jalisco");
	fx.chis = esc_usuario_crear("Carmen Garante", "carmen@iaip.mx",
	    "garante", "Chiapas");
	fx.baja = esc_usuario_crear("Bruno Baja", "bruno@ieaip.mx", "garante",
	    "Oaxaca");
	h_db_exec(&db, "UPDATE usuarios SET activo = false WHERE id = $1",
	    esc_id_text(fx.baja.id));

	c = esc_sql_compromiso(mesa(fx.fac.id, MESA_OAX, "Oaxaca"), 1,
	    COMPROMISO);
	actividad(c, 1, -3, DESC_VENCIDA, RESP_VENCIDA);
	actividad(c, 2, 5, DESC_PROXIMA, "Ana Ruiz");
	actividad(c, 3, 30, DESC_LEJANA, "Ana Ruiz");
	fx.cumplida = actividad(c, 4, 10, DESC_CUMPLIDA, "Eva Díaz");
	actividad(c, 5, -20, DESC_ANTIGUA, "Eva Díaz");
	c = esc_sql_compromiso(mesa(fx.fac.id, "Mesa de Zapopan", "Jalisco"),
	    1, COMPROMISO);
	actividad(c, 1, -2, DESC_JALISCO, "Raúl Soto");

	/* Completed through the facilitator's report, two days ago. */
	esc_pal_ok(fx.fac.token, "actividad", "avance",
	    esc_id_text(fx.cumplida), "--estado", "cumplida",
	    "--evidencia", "https://tlacolula.gob.mx/comite");
	h_db_exec(&db, "UPDATE avances SET reportado = reportado"
	    " - interval '2 days' WHERE actividad_id = $1",
	    esc_id_text(fx.cumplida));
	h_db_exec(&db, "UPDATE actividades SET cumplimiento = cumplimiento"
	    " - interval '2 days' WHERE id = $1", esc_id_text(fx.cumplida));
	return fx;
}

/* This week's Monday in the daemon's zone. Test-lived. */
static const char *
lunes(void)
{
	return h_db_query_str(&db, "SELECT date_trunc('week', now() AT TIME"
	    " ZONE $1)::date::text", TZ);
}

/* The Spanish weekday of today + days in the mesas' zone. Test-lived. */
static const char *
dia_semana(int days)
{
	static const char *const dias[7] = { "lunes", "martes", "miércoles",
	    "jueves", "viernes", "sábado", "domingo" };

	return dias[h_db_query_int(&db, "SELECT extract(isodow FROM"
	    " (now() AT TIME ZONE $1)::date + $2::int)::int - 1", TZ,
	    h_strf("%d", days))];
}

/* One forced pass through pal as tok; the reply, kept. */
static json_t *
ejecutar(const char *tok)
{
	json_t *j = esc_pal_json(tok, "resumenes", "ejecutar");

	cr_assert_eq(esc_jint(j, "enviados"),
	    (long long)json_array_size(esc_jarr(j, "resumenes")));
	return j;
}

/*
 * The text of section `title` of a digest: from its title (with or
 * without a count) to the next title. Test-lived.
 */
static const char *
seccion(const char *text, const char *title, const char *next)
{
	const char *a = strstr(text, h_strf("\n%s", title)), *b;

	cr_assert_not_null(a, "no section %s in:\n%s", title, text);
	b = strstr(a + 1, h_strf("\n%s", next));
	cr_assert_not_null(b, "no section %s after %s in:\n%s", next, title,
	    text);
	return h_strf("%.*s", (int)(b - a), a);
}

static void
has(const char *hay, const char *needle)
{
	cr_assert_not_null(strstr(hay, needle), "no «%s» in:\n%s", needle,
	    hay);
}

static void
lacks(const char *hay, const char *needle)
{
	cr_assert_null(strstr(hay, needle), "«%s» should not be in:\n%s",
	    needle, hay);
}

/*
 * The dashboard behind a digest's link: a page, or a redirect to one
 * with a session cookie, followed once; the page names what it shows.
 */
static void
check_dashboard(const char *token, const char *needle)
{
	struct h_http r, r2;
	const char *loc, *cookie, *ctype, *url;
	const char *hdrs[2] = { NULL, NULL };

	r = h_http("GET", h_strf("%s/e/%s", pald.url, token), NULL, NULL,
	    NULL, 0);
	if (r.status >= 300 && r.status < 400) {
		loc = h_http_header(&r, "Location");
		cookie = h_http_header(&r, "Set-Cookie");
		cr_assert_not_null(loc, "redirect without Location");
		url = loc[0] == '/' ? h_strf("%s%s", pald.url, loc) : loc;
		if (cookie != NULL)
			hdrs[0] = h_strf("Cookie: %.*s",
			    (int)strcspn(cookie, ";"), cookie);
		r2 = h_http_hdrs("GET", url, NULL, NULL, NULL, 0, hdrs);
		h_http_free(&r);
		r = r2;
	}
	cr_assert_eq(r.status, 200, "the dashboard link: HTTP %ld: %s",
	    r.status, r.body);
	ctype = h_http_header(&r, "Content-Type");
	esc_check_html(ctype != NULL ? ctype : "", r.body);
	has(r.body, needle);
	h_http_free(&r);
}

/*
 * Tests.
 */

Test(resumenes, each_garante_gets_its_entidad_once_a_week)
{
	struct fx fx = seed();
	const char *semana = lunes(), *hoy = esc_today_in(TZ);
	const char *t, *s1, *s2, *s3, *tot, *token;
	json_t *j, *item, *msg;
	size_t i;
	int idx;

	j = ejecutar(admin);
	cr_assert_eq(esc_jint(j, "enviados"), 3, "%s", json_dumps(j, 0));
	cr_assert_str_eq(esc_jstr(j, "semana"), semana);
	json_array_foreach(esc_jarr(j, "resumenes"), i, item) {
		long long u = esc_jint(item, "usuario_id");

		cr_assert(u == fx.oax.id || u == fx.jal.id || u == fx.chis.id,
		    "a digest for user %lld", u);
		cr_assert_str_eq(esc_jstr(item, "semana"), semana);
		cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM outbox"
		    " WHERE id = $1 AND tipo = 'resumen' AND destinatario ="
		    " $2", esc_id_text(esc_jint(item, "outbox_id")),
		    esc_jstr(item, "email")), 1);
	}
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM resumenes"
	    " WHERE semana = $1::date AND outbox_id IS NOT NULL", semana), 3);
	esc_expect_mail(3);
	cr_assert_lt(h_smtp_find(&smtp, "bruno@ieaip.mx", 0), 0,
	    "a deactivated garante got a digest");
	cr_assert_lt(h_smtp_find(&smtp, "fer@stl.mx", 0), 0);

	/* Oaxaca's: each activity in its section, and no other. */
	msg = esc_mail_to("gabriela@ieaip.mx", 0, &idx);
	esc_check_mail_basics(msg, "gabriela@ieaip.mx");
	cr_assert_str_eq(esc_jstr(msg, "subject"), ASUNTO_OAX);
	t = esc_jstr(msg, "text");
	has(t, "Estimada/o Gabriela Garante:");
	has(t, h_strf("semana del lunes %s sobre", esc_date_long(semana)));
	s1 = seccion(t, T_VENCIERON, T_VENCEN);
	s2 = seccion(t, T_VENCEN, T_CUMPLIDAS);
	s3 = seccion(t, T_CUMPLIDAS, T_TOTALES);
	tot = seccion(t, T_TOTALES, T_ENLACE);
	has(s1, T_VENCIERON " (1)");
	has(s1, "Actividad 1.1: " DESC_VENCIDA);
	has(s1, "Compromiso 1: «" COMPROMISO "»");
	has(s1, "PAL de la mesa «" MESA_OAX "»");
	/* dates_format_long also names the weekday, before the date. */
	has(s1, h_strf("Fecha límite: %s ", dia_semana(-3)));
	has(s1, h_strf("%s (vencida hace 3 días)",
	    esc_date_long(esc_date_add(hoy, -3))));
	has(s1, "Responsable: " RESP_VENCIDA " (Obras Públicas)");
	lacks(s1, DESC_ANTIGUA);
	lacks(s1, DESC_PROXIMA);
	has(s2, T_VENCEN " (1)");
	has(s2, "Actividad 1.2: " DESC_PROXIMA);
	has(s2, h_strf("Fecha límite: %s ", dia_semana(5)));
	has(s2, h_strf("%s (faltan 5 días)",
	    esc_date_long(esc_date_add(hoy, 5))));
	lacks(s2, DESC_VENCIDA);
	has(s3, T_CUMPLIDAS " (1)");
	has(s3, "Actividad 1.4: " DESC_CUMPLIDA);
	has(s3, h_strf("Cumplida el %s ", dia_semana(-2)));
	has(s3, h_strf("%s (informó Fernanda Facilitadora)",
	    esc_date_long(esc_date_add(hoy, -2))));
	has(s3, "Evidencia: https://tlacolula.gob.mx/comite");
	lacks(s3, DESC_PROXIMA);
	lacks(t, DESC_LEJANA);
	lacks(t, DESC_JALISCO);
	has(tot, "PAL en seguimiento: 1\n");
	has(tot, "Actividades: 5\n");
	has(tot, "cumplidas: 1\n");
	has(tot, "vencidas: 2\n");
	has(tot, "Esta semana: 1 venció, 1 por vencer y 1 cumplida.");

	/* The personal link: a monitoreo link of hers, for 14 days. */
	token = esc_link_token(t);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"
	    " WHERE hash = encode(sha256($1::bytea), 'hex')"
	    " AND proposito = 'monitoreo' AND usuario_id = $2"
	    " AND revocado IS NULL"
	    " AND expira BETWEEN now() + interval '13 days'"
	    "  AND now() + interval '15 days'", token,
	    esc_id_text(fx.oax.id)), 1);
	check_dashboard(token, DESC_VENCIDA);

	/* Jalisco's has Jalisco's; Chiapas's says there was nothing. */
	t = esc_jstr(esc_mail_to("jorge@itei.mx", 0, NULL), "text");
	has(seccion(t, T_VENCIERON, T_VENCEN), DESC_JALISCO);
	lacks(t, DESC_VENCIDA);
	msg = esc_mail_to("carmen@iaip.mx", 0, NULL);
	cr_assert_str_eq(esc_jstr(msg, "subject"), "Resumen semanal del "
	    "seguimiento de los PAL de Chiapas");
	t = esc_jstr(msg, "text");
	has(seccion(t, T_VENCIERON, T_VENCEN), "Nada esta semana.");
	has(seccion(t, T_VENCEN, T_CUMPLIDAS), "Nada esta semana.");
	has(seccion(t, T_CUMPLIDAS, T_TOTALES), "Nada esta semana.");
	has(t, "PAL en seguimiento: 0\n");

	/* Once a week: a second run sends nothing, and says so. */
	j = ejecutar(admin);
	cr_assert_eq(esc_jint(j, "enviados"), 0);
	has(esc_pal_ok(admin, "resumenes", "ejecutar").out,
	    "Ningún resumen pendiente");
	esc_expect_mail(3);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM resumenes"),
	    3);
}

Test(resumenes, a_new_garante_gets_one_the_same_week)
{
	json_t *j;

	seed();
	cr_assert_eq(esc_jint(ejecutar(admin), "enviados"), 3);
	esc_usuario_crear("Olga Nueva", "olga@ieaip.mx", "garante", "Oaxaca");
	j = ejecutar(admin);
	cr_assert_eq(esc_jint(j, "enviados"), 1);
	cr_assert_str_eq(esc_jstr(json_array_get(esc_jarr(j, "resumenes"),
	    0), "email"), "olga@ieaip.mx");
	esc_expect_mail(4);
	cr_assert_str_eq(esc_jstr(esc_mail_to("olga@ieaip.mx", 0, NULL),
	    "subject"), ASUNTO_OAX);
}

Test(resumenes, two_daemons_forced_at_once_send_one_each)
{
	struct h_http_req p[4];
	struct h_pald otro;
	long long total = 0;

	seed();
	h_pald_start(&otro, &db, &smtp, EXTRA);
	for (int i = 0; i < 4; i++)
		p[i] = (struct h_http_req){ .method = "POST",
		    .url = h_strf("%s/v1/resumenes/ejecutar",
		    i % 2 == 0 ? pald.url : otro.url), .token = admin };
	h_http_parallel(p, 4);
	for (int i = 0; i < 4; i++) {
		json_t *j;

		cr_assert_eq(p[i].resp.status, 200, "HTTP %ld: %s (%s)",
		    p[i].resp.status, p[i].resp.body, p[i].resp.error);
		j = esc_keep(h_http_json(&p[i].resp));
		cr_assert_not_null(j, "%s", p[i].resp.body);
		total += esc_jint(j, "enviados");
		h_http_free(&p[i].resp);
	}
	cr_assert_eq(total, 3);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM resumenes"),
	    3);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM outbox"
	    " WHERE tipo = 'resumen'"), 3);
	esc_expect_mail(3);
	h_pald_stop(&otro);
}

Test(resumenes, only_admins_run_a_pass)
{
	struct fx fx = seed();

	esc_pal_expect(fx.fac.token, 2, "prohibido", "resumenes", "ejecutar");
	esc_pal_expect(fx.oax.token, 2, "prohibido", "resumenes", "ejecutar");
	esc_api_refused("POST", "/v1/resumenes/ejecutar", fx.oax.token, NULL,
	    403, NULL);
	esc_api_refused("POST", "/v1/resumenes/ejecutar", NULL, NULL, 401,
	    NULL);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM resumenes"),
	    0);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM outbox"), 0);
}

/*
 * The line of the last "key =" in pald's configuration file: the test's
 * own setting, after the harness's defaults.
 */
static int
line_of(const struct h_pald *p, const char *key)
{
	char *conf = h_read_file(p->conf_path, NULL), *at = NULL, *next;
	const char *want = h_strf("\n%s =", key);
	int line = 1;

	cr_assert_not_null(conf);
	for (next = strstr(conf, want); next != NULL;
	    next = strstr(next + 1, want))
		at = next + 1;
	cr_assert_not_null(at);
	for (char *c = conf; c < at; c++)
		line += *c == '\n';
	free(conf);
	return line;
}

static void
refused_at_startup(const char *extra, const char *key)
{
	struct h_pald bad;
	struct h_run run;
	char *log;
	int line;

	h_pald_spawn(&bad, &db, NULL, extra);
	cr_assert_not(h_pald_wait_ready(&bad, 5000), "pald started anyway");
	cr_assert_neq(bad.exit_status, 0);
	line = line_of(&bad, key);
	log = h_pald_log(&bad);
	cr_assert(strstr(log, h_strf("%s:%d: %s:", bad.conf_path, line, key))
	    != NULL, "no %s:%d: %s: in: %s", bad.conf_path, line, key, log);
	free(log);
	run = h_pald_run(&bad, "--check-config");
	cr_assert_neq(run.status, 0);
	cr_assert(strstr(run.err, h_strf("%s:%d:", bad.conf_path, line))
	    != NULL, "%s", run.err);
	h_run_free(&run);
}

Test(resumenes, malformed_day_or_zone_refused_at_startup)
{
	refused_at_startup("resumen_dia = lunez\n", "resumen_dia");
	refused_at_startup("resumen_zona_horaria = America/Ciudad_Gotica\n",
	    "resumen_zona_horaria");
	refused_at_startup("resumen_hora = 8:00\n", "resumen_hora");
}
