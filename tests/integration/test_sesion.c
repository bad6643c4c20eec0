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

#include "harness.h"

#define TZ_MX	"America/Mexico_City"

static struct h_db db;
static struct h_pald pald;
static char admin[80];

/* JSON values kept until teardown (so ASan sees no leak). */
static json_t *kept[512];
static size_t n_kept;

static void
setup(void)
{
	h_db_create(&db);
	h_pald_start(&pald, &db, NULL, NULL);
	h_pald_admin_token(&pald, admin, sizeof(admin));
}

static void
teardown(void)
{
	h_pald_stop(&pald);
	h_db_drop(&db);
	while (n_kept > 0)
		json_decref(kept[--n_kept]);
}

TestSuite(sesion, .init = setup, .fini = teardown, .timeout = 90);

static json_t *
keep(json_t *j)
{
	if (j != NULL) {
		cr_assert_lt(n_kept, sizeof(kept) / sizeof(kept[0]));
		kept[n_kept++] = j;
	}
	return j;
}

struct out {
	int		 status;
	const char	*out;	/* test-lived */
	const char	*err;	/* test-lived */
};

static const char *
argv_text(const char *const *argv)
{
	const char *s = "pal";

	for (size_t i = 0; argv[i] != NULL; i++)
		s = h_strf("%s %s", s, argv[i]);
	return s;
}

/* Runs pal, asserts the exit status and, with code, "(code)" on stderr. */
static struct out
pal_expect_v(const char *tok, int status, const char *code,
    const char *const *argv)
{
	struct h_run run = h_pal_argv(&pald, tok, NULL, NULL, 0, argv);
	struct out o;

	o.status = run.status;
	o.out = h_strf("%s", run.out != NULL ? run.out : "");
	o.err = h_strf("%s", run.err != NULL ? run.err : "");
	h_run_free(&run);
	cr_assert_eq(o.status, status, "%s: exit %d, expected %d\n"
	    "stdout: %s\nstderr: %s", argv_text(argv), o.status, status,
	    o.out, o.err);
	if (code != NULL)
		cr_assert(strstr(o.err, h_strf("(%s)", code)) != NULL,
		    "%s: expected (%s) on stderr, got: %s", argv_text(argv),
		    code, o.err);
	return o;
}

static json_t *
pal_json_v(const char *tok, const char *const *argv)
{
	struct out o = pal_expect_v(tok, 0, NULL, argv);
	json_error_t e;
	json_t *j = json_loads(o.out, 0, &e);

	cr_assert_not_null(j, "%s: stdout is not JSON (%s): %s",
	    argv_text(argv), e.text, o.out);
	return keep(j);
}

#define ARGV(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define PAL_OK(tok, ...)	pal_expect_v((tok), 0, NULL, ARGV(__VA_ARGS__))
#define PAL_EXPECT(tok, status, code, ...)				\
	pal_expect_v((tok), (status), (code), ARGV(__VA_ARGS__))
#define PAL_JSON(tok, ...)	pal_json_v((tok), ARGV("--json", __VA_ARGS__))

/* A raw API call that must answer status with error.code (if given). */
static void
api_refused(const char *method, const char *path, const char *tok,
    const char *json, long status, const char *code)
{
	struct h_http r = h_api(&pald, method, path, tok, json);
	json_t *j;

	cr_assert_eq(r.status, status, "%s %s: HTTP %ld, expected %ld: %s",
	    method, path, r.status, status, r.body);
	j = keep(h_http_json(&r));
	h_http_free(&r);
	cr_assert(json_is_object(json_object_get(j, "error")), "%s %s: no "
	    "error object", method, path);
	if (code != NULL)
		cr_assert_str_eq(json_string_value(json_object_get(
		    json_object_get(j, "error"), "code")), code, "%s %s",
		    method, path);
}

static long long
jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_integer(v), "\"%s\" is not an integer", key);
	return json_integer_value(v);
}

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(v == NULL || json_is_null(v) || json_is_string(v),
	    "\"%s\" is not a string", key);
	return json_string_value(v);
}

static json_t *
jarr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_array(v), "\"%s\" is not an array", key);
	return v;
}

static const char *
id_text(long long id)
{
	return h_strf("%lld", id);
}

static const char *
today_in(const char *tz)
{
	return h_db_query_str(&db,
	    "SELECT (now() AT TIME ZONE $1)::date::text", tz);
}

static const char *
date_add(const char *date, int days)
{
	return h_db_query_str(&db, "SELECT ($1::date + $2::int)::text", date,
	    h_strf("%d", days));
}

static const char *
mesa_fase(const char *tok, long long mesa)
{
	return jstr(PAL_JSON(tok, "mesa", "ver", id_text(mesa)), "fase");
}

static const struct {
	const char *nombre, *email, *sector, *organizacion;
} ACTORES[] = {
	{ "José Ángel Núñez Peña", "jose.nunez@colectivo.mx",
	    "sociedad_civil", "Colectivo Ciudadano de Tlacolula" },
	{ "Lucía Hernández Ruiz", "lucia.hernandez@tlacolula.gob.mx",
	    "institucion_publica", "Municipio de Tlacolula" },
	{ "Ramón Ortiz Villalobos", "ramon.ortiz@garante-oax.org.mx",
	    "organismo_garante", "Órgano Garante de Acceso a la Información" },
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
	const char *hoy = today_in(TZ_MX);
	const char *d20 = date_add(hoy, -20), *d15 = date_add(hoy, -15);
	struct mesa_fx fx;
	long long mat[2];
	int n_mat = n < 2 ? n : 2;
	json_t *j;

	memset(&fx, 0, sizeof(fx));
	fx.n_actores = n;
	j = PAL_JSON(tok, "mesa", "crear", "--titulo", titulo, "--entidad",
	    "Oaxaca");
	fx.id = jint(j, "id");
	for (int i = 0; i < n; i++) {
		j = PAL_JSON(tok, "actor", "agregar", id_text(fx.id),
		    "--nombre", ACTORES[i].nombre, "--email",
		    h_strf("m%lld.%s", fx.id, ACTORES[i].email), "--sector",
		    ACTORES[i].sector, "--organizacion",
		    ACTORES[i].organizacion);
		fx.actor[i] = jint(j, "id");
	}
	for (int k = 0; k < n_mat; k++) {
		j = PAL_JSON(tok, "material", "agregar", id_text(fx.id),
		    "--actor", id_text(fx.actor[k]), "--tipo",
		    k == 0 ? "problematicas" : "consulta_publica", "--titulo",
		    h_strf("Material %d de la mesa %lld", k + 1, fx.id),
		    "--fecha", d20, "--texto", "Contenido del material.");
		mat[k] = jint(j, "id");
	}
	for (int i = 0; i < n; i++)
		for (int k = 0; k < n_mat; k++) {
			if (i == k)
				continue;
			PAL_JSON(tok, "acuse", "registrar", id_text(fx.id),
			    "--actor", id_text(fx.actor[i]), "--material",
			    id_text(mat[k]), "--medio", "entrega en mano",
			    "--fecha", d15);
		}
	return fx;
}

static int
event_index(json_t *eventos, const char *tipo, bool last)
{
	size_t i;
	json_t *e;
	int found = -1;

	json_array_foreach(eventos, i, e) {
		if (strcmp(jstr(e, "tipo"), tipo) == 0) {
			found = (int)i;
			if (!last)
				break;
		}
	}
	return found;
}

/*
 * 8. Opening the session and keeping the minutes.
 */
Test(sesion, opening_attendance_and_minutes)
{
	const char *hoy = today_in(TZ_MX);
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
	struct out o;
	size_t i;
	const char *at;

	j = PAL_JSON(admin, "usuario", "crear", "--nombre",
	    "Laura Gómez Facilitadora", "--email", "laura.gomez@stl.org.mx",
	    "--rol", "facilitador", "--entidad", "Oaxaca");
	fac.id = jint(j, "id");
	fac.token = h_strf("%s", jstr(j, "token"));
	m = prepared_mesa(fac.token, "Mesa de Tlacolula: obra pública", 3);
	sm = id_text(m.id);

	/* Another mesa, scheduled ten days ahead: too early to open. */
	otra = prepared_mesa(fac.token, "Mesa de Teotitlán: artesanías", 1);
	PAL_JSON(fac.token, "mesa", "programar", id_text(otra.id), "--fecha",
	    date_add(hoy, 10), "--hora", "10:00", "--lugar", "Mercado");
	o = PAL_EXPECT(fac.token, 2, "sesion_anticipada", "sesion", "abrir",
	    id_text(otra.id), "--asistentes", id_text(otra.actor[0]));
	cr_assert(strstr(o.err, date_add(hoy, 10)) != NULL, "the refusal "
	    "does not give the scheduled date %s: %s", date_add(hoy, 10),
	    o.err);
	api_refused("POST", h_strf("/v1/mesas/%lld/sesion", otra.id),
	    fac.token, h_strf("{\"asistentes\": [%lld]}", otra.actor[0]), 409,
	    "sesion_anticipada");
	cr_assert_str_eq(mesa_fase(fac.token, otra.id), "convocada");

	/* Not scheduled at all: no session either. */
	PAL_EXPECT(fac.token, 2, NULL, "sesion", "abrir", sm, "--asistentes",
	    id_text(m.actor[0]));
	api_refused("POST", h_strf("/v1/mesas/%s/sesion", sm), fac.token,
	    h_strf("{\"asistentes\": [%lld]}", m.actor[0]), 409, NULL);

	PAL_JSON(fac.token, "mesa", "programar", sm, "--fecha", hoy, "--hora",
	    "18:00", "--lugar", "Salón de Cabildo");
	cr_assert_str_eq(mesa_fase(fac.token, m.id), "convocada");

	/* An attendee from another mesa: refused, named, nothing stored. */
	o = PAL_EXPECT(fac.token, 2, "asistente_invalido", "sesion", "abrir",
	    sm, "--asistentes", h_strf("%lld,%lld", m.actor[0],
	    otra.actor[0]));
	cr_assert(strstr(o.err, id_text(otra.actor[0])) != NULL, "the refusal "
	    "does not name actor %lld: %s", otra.actor[0], o.err);
	api_refused("POST", h_strf("/v1/mesas/%s/sesion", sm), fac.token,
	    h_strf("{\"asistentes\": [%lld, 999999]}", m.actor[1]), 422,
	    "asistente_invalido");
	api_refused("POST", h_strf("/v1/mesas/%s/sesion", sm), fac.token,
	    "{\"asistentes\": []}", 422, NULL);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM sesiones"), 0);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM asistencias"),
	    0);
	cr_assert_str_eq(mesa_fase(fac.token, m.id), "convocada");
	PAL_EXPECT(fac.token, 2, "sesion_no_encontrada", "sesion", "ver", sm);

	/* Today is the day: it opens, with its attendance. */
	asistentes = h_strf("%lld,%lld,%lld", m.actor[0], m.actor[1],
	    m.actor[2]);
	j = PAL_JSON(fac.token, "sesion", "abrir", sm, "--asistentes",
	    asistentes);
	cr_assert_eq(jint(j, "mesa_id"), m.id);
	cr_assert_str_eq(jstr(j, "fecha"), hoy);
	cr_assert_eq(json_array_size(jarr(j, "asistentes")), 3);
	cr_assert_eq(json_array_size(jarr(j, "aportaciones")), 0);
	cr_assert_str_eq(mesa_fase(fac.token, m.id), "en_sesion");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM asistencias"
	    " WHERE mesa_id = $1", sm), 3);

	/* Once. */
	PAL_EXPECT(fac.token, 2, "sesion_ya_abierta", "sesion", "abrir", sm,
	    "--asistentes", id_text(m.actor[0]));
	api_refused("POST", h_strf("/v1/mesas/%s/sesion", sm), fac.token,
	    h_strf("{\"asistentes\": [%lld]}", m.actor[0]), 409,
	    "sesion_ya_abierta");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM sesiones"), 1);

	/* The minutes: a doubt, a contribution, the feedback. */
	for (int k = 0; k < 3; k++) {
		j = PAL_JSON(fac.token, "aportacion", "agregar", sm, "--actor",
		    id_text(m.actor[k]), "--tipo", tipos[k], textos[k]);
		cr_assert_eq(jint(j, "orden"), k + 1);
		cr_assert_eq(jint(j, "actor_id"), m.actor[k]);
		cr_assert_str_eq(jstr(j, "tipo"), tipos[k]);
		cr_assert_str_eq(jstr(j, "texto"), textos[k]);
	}
	/* A tipo that does not exist (the client may refuse it itself). */
	{
		struct h_run run = h_pal_argv(&pald, fac.token, NULL, NULL, 0,
		    ARGV("aportacion", "agregar", sm, "--actor",
		    id_text(m.actor[0]), "--tipo", "queja", "Otra cosa"));

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

	j = PAL_JSON(fac.token, "sesion", "ver", sm);
	cr_assert_eq(jint(j, "mesa_id"), m.id);
	cr_assert_str_eq(jstr(j, "fecha"), hoy);
	cr_assert_not_null(jstr(j, "abierta"));
	list = jarr(j, "asistentes");
	cr_assert_eq(json_array_size(list), 3);
	json_array_foreach(list, i, e) {
		bool known = false;

		for (int k = 0; k < 3; k++)
			if (jint(e, "id") == m.actor[k]) {
				known = true;
				cr_assert_str_eq(jstr(e, "nombre"),
				    ACTORES[k].nombre);
				cr_assert_str_eq(jstr(e, "sector"),
				    ACTORES[k].sector);
			}
		cr_assert(known, "attendee %lld is not an actor of the mesa",
		    jint(e, "id"));
	}
	list = jarr(j, "aportaciones");
	cr_assert_eq(json_array_size(list), 3);
	json_array_foreach(list, i, e) {
		cr_assert_eq(jint(e, "orden"), (long long)i + 1);
		cr_assert_eq(jint(e, "actor_id"), m.actor[i]);
		cr_assert_str_eq(jstr(e, "actor"), ACTORES[i].nombre);
		cr_assert_str_eq(jstr(e, "tipo"), tipos[i]);
		cr_assert_str_eq(jstr(e, "texto"), textos[i]);
	}

	/* As people read them: attendees, then the minutes in order. */
	o = PAL_OK(fac.token, "sesion", "ver", sm);
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
	eventos = jarr(PAL_JSON(fac.token, "mesa", "linea-tiempo", sm),
	    "eventos");
	cr_assert_geq(event_index(eventos, "sesion.abierta", false), 0);
	cr_assert_lt(event_index(eventos, "mesa.programada", true),
	    event_index(eventos, "sesion.abierta", false));
	cr_assert_lt(event_index(eventos, "sesion.abierta", true),
	    event_index(eventos, "aportacion.agregada", false));
	{
		int n = 0;

		json_array_foreach(eventos, i, e) {
			if (strcmp(jstr(e, "tipo"), "aportacion.agregada") != 0)
				continue;
			cr_assert(json_is_object(json_object_get(e, "actor")));
			cr_assert_eq(jint(json_object_get(e, "actor"), "id"),
			    m.actor[n], "aportación %d out of order", n + 1);
			n++;
		}
		cr_assert_eq(n, 3);
	}
	o = PAL_OK(fac.token, "mesa", "linea-tiempo", sm);
	(void)o;
}
