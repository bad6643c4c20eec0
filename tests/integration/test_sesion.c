/*
 * The session of a mesa through the real `pal` (issue 3): it opens only
 * on or after the scheduled local date, records who attended (actors of
 * that mesa only, nothing stored otherwise), opens once, and keeps the
 * minutes (doubts, contributions and feedback, in order) that `pal
 * sesion ver` and the timeline show.
 *
 * The mesas here are prepared with receipts backdated by 15 days, so they
 * may be scheduled for today; test_preparacion.c tests that path itself.
 * Assertions are what a facilitator would notice: exit codes, the error
 * code printed, the minutes shown, the rows stored.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escenario.h"
#include "harness.h"

#define TZ_MX	"America/Mexico_City"

static struct h_db db;
static struct h_pald pald;
static char admin[80];

static void
setup(void)
{
	esc_setup(&db, NULL, &pald, NULL, admin, sizeof(admin));
}

static void
teardown(void)
{
	esc_teardown();
}

TestSuite(sesion, .init = setup, .fini = teardown, .timeout = 90);

/*
 * A raw API call that must answer status with error.code (if given).
 * Unlike esc_api_refused, it does not look for a message.
 */
static void
api_refused(const char *method, const char *path, const char *tok,
    const char *json, long status, const char *code)
{
	json_t *e = json_object_get(esc_api(method, path, tok, json, status),
	    "error");

	cr_assert(json_is_object(e), "%s %s: no error object", method, path);
	if (code != NULL)
		cr_assert_str_eq(json_string_value(json_object_get(e, "code")),
		    code, "%s %s", method, path);
}

/* Without a cargo; their addresses get a prefix per mesa. */
static const struct esc_actor ACTORES[] = {
	{ "José Ángel Núñez Peña", "jose.nunez@colectivo.mx",
	    "sociedad_civil", "Colectivo Ciudadano de Tlacolula", NULL },
	{ "Lucía Hernández Ruiz", "lucia.hernandez@tlacolula.gob.mx",
	    "institucion_publica", "Municipio de Tlacolula", NULL },
	{ "Ramón Ortiz Villalobos", "ramon.ortiz@garante-oax.org.mx",
	    "organismo_garante", "Órgano Garante de Acceso a la Información",
	    NULL },
};

struct mesa_fx {
	long long	 id;
	long long	 actor[3];
	int		 n_actores;
};

/*
 * A mesa of n actors (n <= 3) owned by tok, with a material from each of
 * the first two (or the only one) submitted 20 days ago and every other
 * pair received by hand 15 days ago: ready to be scheduled for today.
 */
static struct mesa_fx
prepared_mesa(const char *tok, const char *titulo, int n)
{
	const char *hoy = esc_today_in(TZ_MX);
	const char *titulos[2];
	struct mesa_fx fx;
	json_t *j;

	memset(&fx, 0, sizeof(fx));
	fx.n_actores = n;
	j = esc_pal_json(tok, "mesa", "crear", "--titulo", titulo,
	    "--entidad", "Oaxaca");
	fx.id = esc_jint(j, "id");
	for (int i = 0; i < n; i++) {
		struct esc_actor a = ACTORES[i];

		a.email = h_strf("m%lld.%s", fx.id, ACTORES[i].email);
		fx.actor[i] = esc_jint(esc_actor_agregar(tok, fx.id, &a), "id");
	}
	for (int k = 0; k < 2; k++)
		titulos[k] = h_strf("Material %d de la mesa %lld", k + 1,
		    fx.id);
	esc_materiales_recibidos(tok, fx.id, hoy, fx.actor, n, titulos, NULL);
	return fx;
}

/*
 * 8. Opening the session and keeping the minutes.
 */
Test(sesion, opening_attendance_and_minutes)
{
	const char *hoy = esc_today_in(TZ_MX);
	const char *textos[3] = {
		"¿Cuándo se publicarán los contratos de obra pública?",
		"La institución publicará cada contrato en datos abiertos.",
		"El órgano garante revisará la publicación cada trimestre.",
	};
	const char *tipos[3] = { "duda", "aportacion", "retroalimentacion" };
	struct user_s {
		long long id;
		const char *token;
	} fac;
	struct mesa_fx m, otra;
	const char *sm, *asistentes;
	json_t *j, *e, *list, *eventos;
	struct esc_out o;
	size_t i;
	const char *at;

	j = esc_pal_json(admin, "usuario", "crear", "--nombre",
	    "Laura Gómez Facilitadora", "--email", "laura.gomez@stl.org.mx",
	    "--rol", "facilitador", "--entidad", "Oaxaca");
	fac.id = esc_jint(j, "id");
	fac.token = h_strf("%s", esc_jstr(j, "token"));
	m = prepared_mesa(fac.token, "Mesa de Tlacolula: obra pública", 3);
	sm = esc_id_text(m.id);

	/* Another mesa, scheduled ten days ahead: too early to open. */
	otra = prepared_mesa(fac.token, "Mesa de Teotitlán: artesanías", 1);
	esc_pal_json(fac.token, "mesa", "programar", esc_id_text(otra.id),
	    "--fecha", esc_date_add(hoy, 10), "--hora", "10:00", "--lugar",
	    "Mercado");
	o = esc_pal_expect(fac.token, 2, "sesion_anticipada", "sesion", "abrir",
	    esc_id_text(otra.id), "--asistentes", esc_id_text(otra.actor[0]));
	cr_assert(strstr(o.err, esc_date_add(hoy, 10)) != NULL, "the refusal "
	    "does not give the scheduled date %s: %s", esc_date_add(hoy, 10),
	    o.err);
	api_refused("POST", h_strf("/v1/mesas/%lld/sesion", otra.id),
	    fac.token, h_strf("{\"asistentes\": [%lld]}", otra.actor[0]), 409,
	    "sesion_anticipada");
	cr_assert_str_eq(esc_mesa_fase(fac.token, otra.id), "convocada");

	/* Not scheduled at all: no session either. */
	esc_pal_expect(fac.token, 2, NULL, "sesion", "abrir", sm,
	    "--asistentes", esc_id_text(m.actor[0]));
	api_refused("POST", h_strf("/v1/mesas/%s/sesion", sm), fac.token,
	    h_strf("{\"asistentes\": [%lld]}", m.actor[0]), 409, NULL);

	esc_pal_json(fac.token, "mesa", "programar", sm, "--fecha", hoy,
	    "--hora", "18:00", "--lugar", "Salón de Cabildo");
	cr_assert_str_eq(esc_mesa_fase(fac.token, m.id), "convocada");

	/* An attendee from another mesa: refused, named, nothing stored. */
	o = esc_pal_expect(fac.token, 2, "asistente_invalido", "sesion",
	    "abrir", sm, "--asistentes", h_strf("%lld,%lld", m.actor[0],
	    otra.actor[0]));
	cr_assert(strstr(o.err, esc_id_text(otra.actor[0])) != NULL,
	    "the refusal does not name actor %lld: %s", otra.actor[0], o.err);
	api_refused("POST", h_strf("/v1/mesas/%s/sesion", sm), fac.token,
	    h_strf("{\"asistentes\": [%lld, 999999]}", m.actor[1]), 422,
	    "asistente_invalido");
	api_refused("POST", h_strf("/v1/mesas/%s/sesion", sm), fac.token,
	    "{\"asistentes\": []}", 422, NULL);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM sesiones"), 0);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM asistencias"),
	    0);
	cr_assert_str_eq(esc_mesa_fase(fac.token, m.id), "convocada");
	esc_pal_expect(fac.token, 2, "sesion_no_encontrada", "sesion", "ver",
	    sm);

	/* Today is the day: it opens, with its attendance. */
	asistentes = h_strf("%lld,%lld,%lld", m.actor[0], m.actor[1],
	    m.actor[2]);
	j = esc_pal_json(fac.token, "sesion", "abrir", sm, "--asistentes",
	    asistentes);
	cr_assert_eq(esc_jint(j, "mesa_id"), m.id);
	cr_assert_str_eq(esc_jstr(j, "fecha"), hoy);
	cr_assert_eq(json_array_size(esc_jarr(j, "asistentes")), 3);
	cr_assert_eq(json_array_size(esc_jarr(j, "aportaciones")), 0);
	cr_assert_str_eq(esc_mesa_fase(fac.token, m.id), "en_sesion");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM asistencias"
	    " WHERE mesa_id = $1", sm), 3);

	/* Once. */
	esc_pal_expect(fac.token, 2, "sesion_ya_abierta", "sesion", "abrir", sm,
	    "--asistentes", esc_id_text(m.actor[0]));
	api_refused("POST", h_strf("/v1/mesas/%s/sesion", sm), fac.token,
	    h_strf("{\"asistentes\": [%lld]}", m.actor[0]), 409,
	    "sesion_ya_abierta");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM sesiones"), 1);

	/* The minutes: a doubt, a contribution, the feedback. */
	for (int k = 0; k < 3; k++) {
		j = esc_pal_json(fac.token, "aportacion", "agregar", sm,
		    "--actor", esc_id_text(m.actor[k]), "--tipo", tipos[k],
		    textos[k]);
		cr_assert_eq(esc_jint(j, "orden"), k + 1);
		cr_assert_eq(esc_jint(j, "actor_id"), m.actor[k]);
		cr_assert_str_eq(esc_jstr(j, "tipo"), tipos[k]);
		cr_assert_str_eq(esc_jstr(j, "texto"), textos[k]);
	}
	/* A tipo that does not exist (the client may refuse it itself). */
	{
		struct h_run run = h_pal_argv(&pald, fac.token, NULL, NULL, 0,
		    esc_argv("aportacion", "agregar", sm, "--actor",
		    esc_id_text(m.actor[0]), "--tipo", "queja", "Otra cosa"));

		cr_assert(run.status == 1 || run.status == 2, "tipo queja: "
		    "exit %d: %s", run.status, run.err);
		h_run_free(&run);
	}
	api_refused("POST", h_strf("/v1/mesas/%s/aportaciones", sm),
	    fac.token, h_strf("{\"actor\": %lld, \"tipo\": \"queja\", "
	    "\"texto\": \"x\"}", m.actor[0]), 422, NULL);
	/* An actor of another mesa does not speak in this one. */
	{
		struct h_http r = h_api(&pald, "POST",
		    h_strf("/v1/mesas/%s/aportaciones", sm), fac.token,
		    h_strf("{\"actor\": %lld, \"tipo\": \"duda\", "
		    "\"texto\": \"x\"}", otra.actor[0]));

		cr_assert(r.status == 404 || r.status == 422, "an actor of "
		    "another mesa: HTTP %ld %s", r.status, r.body);
		h_http_free(&r);
	}
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM aportaciones"),
	    3);

	j = esc_pal_json(fac.token, "sesion", "ver", sm);
	cr_assert_eq(esc_jint(j, "mesa_id"), m.id);
	cr_assert_str_eq(esc_jstr(j, "fecha"), hoy);
	cr_assert_not_null(esc_jstr(j, "abierta"));
	list = esc_jarr(j, "asistentes");
	cr_assert_eq(json_array_size(list), 3);
	json_array_foreach(list, i, e) {
		bool known = false;

		for (int k = 0; k < 3; k++)
			if (esc_jint(e, "id") == m.actor[k]) {
				known = true;
				cr_assert_str_eq(esc_jstr(e, "nombre"),
				    ACTORES[k].nombre);
				cr_assert_str_eq(esc_jstr(e, "sector"),
				    ACTORES[k].sector);
			}
		cr_assert(known, "attendee %lld is not an actor of the mesa",
		    esc_jint(e, "id"));
	}
	list = esc_jarr(j, "aportaciones");
	cr_assert_eq(json_array_size(list), 3);
	json_array_foreach(list, i, e) {
		cr_assert_eq(esc_jint(e, "orden"), (long long)i + 1);
		cr_assert_eq(esc_jint(e, "actor_id"), m.actor[i]);
		cr_assert_str_eq(esc_jstr(e, "actor"), ACTORES[i].nombre);
		cr_assert_str_eq(esc_jstr(e, "tipo"), tipos[i]);
		cr_assert_str_eq(esc_jstr(e, "texto"), textos[i]);
	}

	/* As people read them: attendees, then the minutes in order. */
	o = esc_pal_ok(fac.token, "sesion", "ver", sm);
	for (int k = 0; k < 3; k++)
		cr_assert(strstr(o.out, ACTORES[k].nombre) != NULL,
		    "pal sesion ver does not list %s:\n%s", ACTORES[k].nombre,
		    o.out);
	at = o.out;
	for (int k = 0; k < 3; k++) {
		const char *p = strstr(at, textos[k]);

		cr_assert_not_null(p, "pal sesion ver: «%s» missing or out of "
		    "order:\n%s", textos[k], o.out);
		at = p + strlen(textos[k]);
	}

	/* And the timeline has it, in order. */
	eventos = esc_jarr(esc_pal_json(fac.token, "mesa", "linea-tiempo", sm),
	    "eventos");
	cr_assert_geq(esc_event_index(eventos, "sesion.abierta", false), 0);
	cr_assert_lt(esc_event_index(eventos, "mesa.programada", true),
	    esc_event_index(eventos, "sesion.abierta", false));
	cr_assert_lt(esc_event_index(eventos, "sesion.abierta", true),
	    esc_event_index(eventos, "aportacion.agregada", false));
	{
		int n = 0;

		json_array_foreach(eventos, i, e) {
			if (strcmp(esc_jstr(e, "tipo"),
			    "aportacion.agregada") != 0)
				continue;
			cr_assert(json_is_object(json_object_get(e, "actor")));
			cr_assert_eq(esc_jint(json_object_get(e, "actor"),
			    "id"), m.actor[n], "aportación %d out of order",
			    n + 1);
			n++;
		}
		cr_assert_eq(n, 3);
	}
	o = esc_pal_ok(fac.token, "mesa", "linea-tiempo", sm);
	(void)o;
}
