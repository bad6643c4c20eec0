/*
 * Calendar feeds of deadlines: `pal feed crear` prints a URL whose GET is
 * an iCalendar file with one all-day event per open activity the feed
 * covers (a garante's entidad, or one responsable), and `pal feed
 * revocar` makes it 404. The data are written straight with SQL, as
 * test_monitoreo.c does: a mesa in follow-up in each of two entidades.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escenario.h"
#include "harness.h"

#define ENTIDAD_A	"Oaxaca"
#define ENTIDAD_B	"Jalisco"
#define ANA		"ana@mun.gob.mx"
#define LUIS		"Luis@Mun.gob.mx"

static struct h_db db;
static struct h_pald pald;
static char admin[80];

static struct esc_usuario gar_a, fac_a, fac_b;
static long long act_ana, act_luis, act_cumplida, act_b, act_acuerdos;

static long long
mesa(long long fac, const char *entidad, const char *fase)
{
	return h_db_query_int(&db, "INSERT INTO mesas (titulo, entidad,"
	    " zona_horaria, fase, facilitador_id, fecha, hora, lugar)"
	    " VALUES ('Mesa de ' || $1, $1, 'America/Mexico_City', $2, $3,"
	    "  current_date - 120, '10:00', 'Cabildo') RETURNING id", entidad,
	    fase, esc_id_text(fac));
}

static long long
compromiso(long long m)
{
	return h_db_query_int(&db, "INSERT INTO compromisos (mesa_id, numero,"
	    " titulo, tipo, inicio, fin) VALUES ($1, 1, 'Contratos abiertos',"
	    " 'local', current_date - 100, current_date + 264) RETURNING id",
	    esc_id_text(m));
}

static long long
actividad(long long c, int numero, const char *email, const char *estado)
{
	return h_db_query_int(&db, "INSERT INTO actividades (mesa_id,"
	    " compromiso_id, numero, descripcion, responsable_nombre,"
	    " responsable_institucion, responsable_email, fecha_limite,"
	    " estado, avance, cumplimiento)"
	    " SELECT mesa_id, id, $2::int, 'Publicar los contratos ' || $2,"
	    "  'Persona ' || $2, 'Tesorería', $3, current_date + 10 * $2::int,"
	    "  $4, CASE WHEN $4 = 'cumplida' THEN 100 ELSE 0 END,"
	    "  CASE WHEN $4 = 'cumplida' THEN now() END"
	    " FROM compromisos WHERE id = $1 RETURNING id", esc_id_text(c),
	    h_strf("%d", numero), email, estado);
}

static void
setup(void)
{
	long long c;

	esc_setup(&db, NULL, &pald, NULL, admin, sizeof(admin));
	gar_a = esc_usuario_crear("Gabriela Garante", "gar@ieaip.mx",
	    "garante", ENTIDAD_A);
	fac_a = esc_usuario_crear("Fernanda Facilitadora", "fer@stl.mx",
	    "facilitador", NULL);
	fac_b = esc_usuario_crear("Federico Facilitador", "fed@stl.mx",
	    "facilitador", NULL);
	c = compromiso(mesa(fac_a.id, ENTIDAD_A, "en_seguimiento"));
	act_ana = actividad(c, 1, ANA, "pendiente");
	act_luis = actividad(c, 2, LUIS, "en_progreso");
	act_cumplida = actividad(c, 3, ANA, "cumplida");
	c = compromiso(mesa(fac_b.id, ENTIDAD_B, "concluida"));
	act_b = actividad(c, 1, "raul@gdl.gob.mx", "pendiente");
	c = compromiso(mesa(fac_a.id, ENTIDAD_A, "acuerdos"));
	act_acuerdos = actividad(c, 1, ANA, "pendiente");
}

TestSuite(feeds, .init = setup, .fini = esc_teardown, .timeout = 120);

/* The feed URL `pal feed crear` printed. Test-lived. */
static const char *
feed_url(const char *out)
{
	const char *p = strstr(out, h_strf("%s/f/", pald.url));
	size_t n;

	cr_assert(p != NULL, "no feed URL in: %s", out);
	n = strcspn(p, " \n");
	return h_strf("%.*s", (int)n, p);
}

/* GETs the feed and returns it unfolded (owned), asserting a 200. */
static char *
feed_get(const char *url)
{
	struct h_http r = h_http("GET", url, NULL, NULL, NULL, 0);
	const char *ctype = h_http_header(&r, "Content-Type");
	char *ics;

	cr_assert_eq(r.status, 200, "GET %s: %ld %s", url, r.status, r.body);
	cr_assert(ctype != NULL && strncmp(ctype, "text/calendar", 13) == 0,
	    "Content-Type %s", ctype ? ctype : "(none)");
	ics = esc_ics_unfold(r.body, r.len, "the feed", true);
	h_http_free(&r);
	return ics;
}

static long
feed_status(const char *url)
{
	struct h_http r = h_http("GET", url, NULL, NULL, NULL, 0);
	long status = r.status;

	h_http_free(&r);
	return status;
}

static bool
has_uid(const char *ics, long long id)
{
	return strstr(ics, h_strf("UID:actividad-%lld@", id)) != NULL;
}

Test(feeds, garante)
{
	struct esc_out o = esc_pal_ok(gar_a.token, "feed", "crear");
	const char *url = feed_url(o.out);
	char *ics;

	cr_assert(strstr(url, ".ics") != NULL, "url %s", url);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces WHERE"
	    " proposito = 'feed' AND usuario_id = $1",
	    esc_id_text(gar_a.id)), 1);
	ics = feed_get(url);
	cr_assert(strstr(ics, "METHOD:PUBLISH\r\n") != NULL, "%s", ics);
	cr_assert_eq(esc_count_str(ics, "BEGIN:VEVENT\r\n"), 2, "%s", ics);
	cr_assert_eq(esc_count_str(ics, "DTSTART;VALUE=DATE:"), 2, "%s", ics);
	cr_assert(has_uid(ics, act_ana) && has_uid(ics, act_luis), "%s", ics);
	cr_assert(!has_uid(ics, act_cumplida), "cumplida listed: %s", ics);
	cr_assert(!has_uid(ics, act_b), "other entidad listed: %s", ics);
	cr_assert(!has_uid(ics, act_acuerdos), "mesa sin PAL: %s", ics);
	cr_assert(strstr(ics, "Publicar los contratos 1") != NULL, "%s", ics);
	free(ics);

	/* Without ".ics" too; another user's revocation is a 404. */
	ics = feed_get(h_strf("%.*s", (int)(strlen(url) - 4), url));
	free(ics);
	esc_pal_expect(fac_b.token, 2, "feed_no_encontrado", "feed",
	    "revocar", url);
	cr_assert_eq(feed_status(url), 200);
	esc_pal_ok(gar_a.token, "feed", "revocar", url);
	cr_assert_eq(feed_status(url), 404);
	esc_pal_expect(gar_a.token, 2, "feed_no_encontrado", "feed",
	    "revocar", url);
}

Test(feeds, responsable)
{
	struct esc_out o = esc_pal_ok(fac_a.token, "feed", "crear", "--email",
	    "LUIS@mun.gob.mx");
	const char *url = feed_url(o.out);
	const char *token;
	char *ics;

	cr_assert_str_eq(h_db_query_str(&db, "SELECT email FROM enlaces"
	    " WHERE proposito = 'feed'"), "luis@mun.gob.mx");
	ics = feed_get(url);
	cr_assert_eq(esc_count_str(ics, "BEGIN:VEVENT\r\n"), 1, "%s", ics);
	cr_assert(has_uid(ics, act_luis), "%s", ics);
	cr_assert(strstr(ics, LUIS) != NULL, "responsable missing: %s", ics);
	free(ics);

	/* Revoked by its bare token. */
	token = strstr(url, "/f/") + 3;
	esc_pal_ok(fac_a.token, "feed", "revocar", h_strf("%.64s", token));
	cr_assert_eq(feed_status(url), 404);
}

Test(feeds, refusals)
{
	json_t *r;

	esc_pal_expect(gar_a.token, 2, "prohibido", "feed", "crear",
	    "--email", ANA);
	esc_pal_fails(fac_a.token, "email_invalido", "feed", "crear",
	    "--email", "no es un correo");
	esc_api_refused("POST", "/v1/feeds", fac_a.token,
	    "{\"email\": \"sin-arroba\"}", 422, "email_invalido");
	esc_api_refused("POST", "/v1/feeds", fac_a.token, "{}", 422,
	    "campo_invalido");
	/* Not a responsable of fac_b's mesas. */
	esc_api_refused("POST", "/v1/feeds", fac_b.token,
	    "{\"email\": \"" ANA "\"}", 404, "responsable_no_encontrado");
	r = esc_api("POST", "/v1/feeds", admin, "{\"email\": \"" ANA "\"}",
	    201);
	cr_assert_str_eq(esc_jstr(r, "tipo"), "responsable");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"), 1);

	cr_assert_eq(feed_status(h_strf("%s/f/%064d.ics", pald.url, 0)), 404);
	cr_assert_eq(feed_status(h_strf("%s/f/nada", pald.url)), 404);
	esc_api_refused("POST", "/v1/feeds/revocar", admin,
	    h_strf("{\"token\": \"%064d\"}", 0), 404, "feed_no_encontrado");
}
