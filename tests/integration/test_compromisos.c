/*
 * The acuerdos of a mesa through the raw HTTP API (issue 4): commitments
 * of the three types with their one-year term (fin = inicio + 1 year - 1
 * day, as PostgreSQL computes it, 29 February included), activities whose
 * deadline lies within that term, the attestation of the five criteria,
 * edits with their before/after on the timeline, the listing's shape, and
 * every refusal leaving the database as it was: a bad body, the wrong
 * phase, another facilitator, and a closed PAL version.
 *
 * The mesas are prepared with receipts backdated by 15 days, scheduled
 * for today and opened at once, as test_sesion.c does with `pal`; here
 * everything goes through h_api so these tests do not depend on the
 * client's commands for the acuerdos.
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

TestSuite(compromisos, .init = setup, .fini = teardown, .timeout = 120);

/* A JSON value (stolen) as compact text. Test-lived. */
static const char *
js(json_t *v)
{
	char *s;
	const char *out;

	cr_assert_not_null(v, "json_pack failed");
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	out = h_strf("%s", s);
	free(s);
	json_decref(v);
	return out;
}

/*
 * An API call that must answer `status`; its JSON body (kept). Stricter
 * than esc_api: the reply must be JSON, and a failure shows the request.
 */
static json_t *
api(const char *method, const char *path, const char *tok, const char *json,
    long status)
{
	struct h_http r = h_api(&pald, method, path, tok, json);
	json_t *j;

	cr_assert_eq(r.status, status, "%s %s %s: HTTP %ld, expected %ld: %s",
	    method, path, json != NULL ? json : "", r.status, status, r.body);
	j = esc_keep(h_http_json(&r));
	cr_assert_not_null(j, "%s %s: the reply is not JSON: %s", method,
	    path, r.body);
	h_http_free(&r);
	return j;
}

/*
 * An API call that must be refused with status and error.code; returns
 * the Spanish message (test-lived).
 */
static const char *
refused(const char *method, const char *path, const char *tok,
    const char *json, long status, const char *code)
{
	json_t *j = api(method, path, tok, json, status), *e;

	e = json_object_get(j, "error");
	cr_assert(json_is_object(e), "%s %s: no error object", method, path);
	if (code != NULL)
		cr_assert_str_eq(json_string_value(json_object_get(e, "code")),
		    code, "%s %s %s: %s", method, path, json,
		    json_string_value(json_object_get(e, "message")));
	cr_assert_not_null(json_string_value(json_object_get(e, "message")));
	return h_strf("%s", json_string_value(json_object_get(e, "message")));
}

/* Unlike esc_jstr, the member must be there: the API writes null. */
static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(v != NULL, "\"%s\" is missing", key);
	cr_assert(json_is_null(v) || json_is_string(v),
	    "\"%s\" is not a string", key);
	return json_string_value(v);
}

/* What PostgreSQL says a commitment starting on inicio ends on. */
static const char *
pg_fin(const char *inicio)
{
	return h_db_query_str(&db, "SELECT ($1::date + interval '1 year'"
	    " - interval '1 day')::date::text", inicio);
}

static const char *
mesa_fase(const char *tok, long long mesa)
{
	return jstr(api("GET", h_strf("/v1/mesas/%lld", mesa), tok, NULL,
	    200), "fase");
}

static long long
count(const char *table)
{
	return h_db_query_int(&db, h_strf("SELECT count(*) FROM %s", table));
}

static int
event_count(long long mesa, const char *tok, const char *tipo)
{
	json_t *ev = esc_jarr(api("GET", h_strf("/v1/mesas/%lld/eventos", mesa),
	    tok, NULL, 200), "eventos"), *e;
	size_t i;
	int n = 0;

	json_array_foreach(ev, i, e)
		n += strcmp(jstr(e, "tipo"), tipo) == 0;
	return n;
}

/* The last event of tipo in mesa's timeline (kept), or NULL. */
static json_t *
last_event(long long mesa, const char *tok, const char *tipo)
{
	json_t *ev = esc_jarr(api("GET", h_strf("/v1/mesas/%lld/eventos", mesa),
	    tok, NULL, 200), "eventos"), *e, *found = NULL;
	size_t i;

	json_array_foreach(ev, i, e)
		if (strcmp(jstr(e, "tipo"), tipo) == 0)
			found = e;
	return found;
}

struct user_fx {
	long long	 id;
	const char	*token;		/* test-lived */
};

static struct user_fx
user(const char *nombre, const char *email, const char *rol)
{
	struct user_fx u;
	json_t *j;

	j = api("POST", "/v1/usuarios", admin, js(json_pack("{s:s, s:s, s:s,"
	    " s:s}", "nombre", nombre, "email", email, "rol", rol, "entidad",
	    "Oaxaca")), 201);
	u.id = esc_jint(j, "id");
	u.token = h_strf("%s", jstr(j, "token"));
	return u;
}

struct mesa_fx {
	long long	 id;
	long long	 actor[2];
};

/* A mesa of two actors in preparacion: nothing sent, nothing received. */
static struct mesa_fx
new_mesa(const char *tok, const char *titulo)
{
	struct mesa_fx fx;
	json_t *j;

	memset(&fx, 0, sizeof(fx));
	j = api("POST", "/v1/mesas", tok, js(json_pack("{s:s, s:s}", "titulo",
	    titulo, "entidad", "Oaxaca")), 201);
	fx.id = esc_jint(j, "id");
	j = api("POST", h_strf("/v1/mesas/%lld/actores", fx.id), tok,
	    js(json_pack("{s:s, s:s, s:s, s:s}", "nombre",
	    "José Ángel Núñez Peña", "email", h_strf("jose.%lld@colectivo.mx",
	    fx.id), "sector", "sociedad_civil", "organizacion",
	    "Colectivo Ciudadano de Tlacolula")), 201);
	fx.actor[0] = esc_jint(j, "id");
	j = api("POST", h_strf("/v1/mesas/%lld/actores", fx.id), tok,
	    js(json_pack("{s:s, s:s, s:s, s:s}", "nombre",
	    "Lucía Hernández Ruiz", "email",
	    h_strf("lucia.%lld@tlacolula.gob.mx", fx.id), "sector",
	    "institucion_publica", "organizacion",
	    "Municipio de Tlacolula")), 201);
	fx.actor[1] = esc_jint(j, "id");
	return fx;
}

/*
 * A mesa in session: a material of the first actor submitted 20 days
 * ago, received by the second 15 days ago, scheduled for today and
 * opened with both attending.
 */
static struct mesa_fx
mesa_en_sesion(const char *tok, const char *titulo)
{
	const char *hoy = esc_today_in(TZ_MX);
	struct mesa_fx fx = new_mesa(tok, titulo);
	const char *texto = "Diagnóstico de la obra pública municipal.";
	struct h_http r;
	long long material;
	json_t *j;

	r = h_http("POST", h_strf("%s/v1/mesas/%lld/materiales?actor=%lld"
	    "&tipo=problematicas&titulo=Diagn%%C3%%B3stico&fecha=%s",
	    pald.url, fx.id, fx.actor[0], esc_date_add(hoy, -20)), tok,
	    "text/plain; charset=utf-8", texto, strlen(texto));
	cr_assert_eq(r.status, 201, "material: HTTP %ld: %s", r.status,
	    r.body);
	j = esc_keep(h_http_json(&r));
	h_http_free(&r);
	material = esc_jint(j, "id");
	api("POST", h_strf("/v1/mesas/%lld/acuses", fx.id), tok,
	    js(json_pack("{s:I, s:I, s:s, s:s}", "actor",
	    (json_int_t)fx.actor[1], "material", (json_int_t)material,
	    "medio", "entrega en mano", "fecha", esc_date_add(hoy, -15))), 201);
	api("POST", h_strf("/v1/mesas/%lld/programar", fx.id), tok,
	    js(json_pack("{s:s, s:s, s:s}", "fecha", hoy, "hora", "18:00",
	    "lugar", "Salón de Cabildo")), 200);
	api("POST", h_strf("/v1/mesas/%lld/sesion", fx.id), tok,
	    js(json_pack("{s:[I, I]}", "asistentes", (json_int_t)fx.actor[0],
	    (json_int_t)fx.actor[1])), 201);
	cr_assert_str_eq(mesa_fase(tok, fx.id), "en_sesion");
	return fx;
}

static const char *
path_compromisos(long long mesa)
{
	return h_strf("/v1/mesas/%lld/compromisos", mesa);
}

static const char *
path_compromiso(long long mesa, long long c)
{
	return h_strf("/v1/mesas/%lld/compromisos/%lld", mesa, c);
}

static const char *
path_actividades(long long c)
{
	return h_strf("/v1/compromisos/%lld/actividades", c);
}

static const char *
path_criterios(long long c)
{
	return h_strf("/v1/compromisos/%lld/criterios", c);
}

/* A complete local commitment starting on inicio (body text). */
static const char *
body_local(const char *titulo, const char *inicio)
{
	return js(json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "titulo", titulo, "tipo", "local", "inicio", inicio,
	    "problema", "Los vecinos no saben en qué se gasta el presupuesto.",
	    "descripcion", "Publicar cada trimestre el ejercicio del gasto.",
	    "indicador", "Informes trimestrales publicados.",
	    "meta", "Cuatro informes en el año.",
	    "institucion", "Tesorería Municipal"));
}

static long long
add_local(const char *tok, long long mesa, const char *titulo,
    const char *inicio)
{
	return esc_jint(api("POST", path_compromisos(mesa), tok,
	    body_local(titulo, inicio), 201), "id");
}

static const char *
body_actividad(const char *fecha, const char *email)
{
	return js(json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, s:s, s:s}",
	    "descripcion", "Publicar el informe del primer trimestre.",
	    "responsable", "nombre", "María Pérez Gómez", "email", email,
	    "cargo", "Tesorera", "institucion", "Tesorería Municipal",
	    "fecha_limite", fecha, "entregable", "Informe en el portal."));
}

/*
 * 1. The three types, the move to acuerdos, the one-year term, and the
 *    refusals of a bad commitment (nothing stored).
 */
Test(compromisos, types_phase_and_term)
{
	struct user_fx fac = user("Laura Gómez Facilitadora",
	    "laura.gomez@stl.org.mx", "facilitador");
	struct mesa_fx prep, m;
	const char *sm, *msg;
	json_t *c, *e;
	long long n;

	/* Before the session there are no agreements to record. */
	prep = new_mesa(fac.token, "Mesa de Mitla: agua potable");
	msg = refused("POST", path_compromisos(prep.id), fac.token,
	    body_local("Tandeo publicado", "2026-12-01"), 409,
	    "transicion_invalida");
	cr_assert(strstr(msg, "preparación") != NULL, "the refusal does not "
	    "name the phase: %s", msg);
	cr_assert_str_eq(mesa_fase(fac.token, prep.id), "preparacion");

	m = mesa_en_sesion(fac.token, "Mesa de Tlacolula: obra pública");
	sm = path_compromisos(m.id);

	/* Contrataciones abiertas: the first one moves the mesa on. */
	c = api("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s, s:s,"
	    " s:s}", "titulo", "Contratos de obra pública en datos abiertos",
	    "tipo", "contrataciones_abiertas", "inicio", "2026-12-01",
	    "institucion", "Dirección de Obras Públicas", "indicador",
	    "Contratos publicados / contratos firmados")), 201);
	cr_assert_eq(esc_jint(c, "numero"), 1);
	cr_assert_eq(esc_jint(c, "mesa_id"), m.id);
	cr_assert_str_eq(jstr(c, "tipo"), "contrataciones_abiertas");
	cr_assert_str_eq(jstr(c, "inicio"), "2026-12-01");
	cr_assert_str_eq(jstr(c, "fin"), "2027-11-30");
	cr_assert_str_eq(jstr(c, "fin"), pg_fin("2026-12-01"));
	cr_assert_null(jstr(c, "alineacion"));
	cr_assert_null(jstr(c, "problema"));
	cr_assert_str_eq(jstr(c, "institucion"),
	    "Dirección de Obras Públicas");
	cr_assert_eq(json_array_size(esc_jarr(c, "criterios")), 0);
	cr_assert_eq(json_array_size(esc_jarr(c, "actividades")), 0);
	cr_assert_eq(esc_jint(c, "avance"), 0);
	cr_assert_str_eq(mesa_fase(fac.token, m.id), "acuerdos");
	cr_assert_eq(event_count(m.id, fac.token, "acuerdos.iniciados"), 1);
	e = last_event(m.id, fac.token, "compromiso.agregado");
	cr_assert_not_null(e, "no compromiso.agregado event");
	cr_assert_eq(esc_jint(json_object_get(e, "datos"), "compromiso_id"),
	    esc_jint(c, "id"));
	cr_assert(strstr(jstr(e, "descripcion"),
	    "Contratos de obra pública en datos abiertos") != NULL);

	/* Plan nacional, starting on 29 February: ends on 27 February. */
	c = api("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s, s:s}",
	    "titulo", "Gasto abierto municipal", "tipo", "plan_nacional",
	    "inicio", "2028-02-29", "alineacion",
	    "Compromiso «Gasto abierto y responsable» del Plan de Acción "
	    "2013-2015")), 201);
	cr_assert_eq(esc_jint(c, "numero"), 2);
	cr_assert_str_eq(jstr(c, "fin"), "2029-02-27");
	cr_assert_str_eq(jstr(c, "fin"), pg_fin("2028-02-29"));
	cr_assert_str_eq(jstr(c, "alineacion"), "Compromiso «Gasto abierto "
	    "y responsable» del Plan de Acción 2013-2015");

	/* Local, across a 29 February and from 1 March of a leap year. */
	c = api("POST", sm, fac.token, body_local("Presupuesto ciudadano",
	    "2027-03-01"), 201);
	cr_assert_eq(esc_jint(c, "numero"), 3);
	cr_assert_str_eq(jstr(c, "fin"), "2028-02-29");
	cr_assert_str_eq(jstr(c, "fin"), pg_fin("2027-03-01"));
	c = api("POST", sm, fac.token, body_local("Obras con testigo social",
	    "2027-01-15"), 201);
	cr_assert_eq(esc_jint(c, "numero"), 4);
	cr_assert_str_eq(jstr(c, "fin"), "2028-01-14");
	cr_assert_str_eq(jstr(c, "problema"),
	    "Los vecinos no saben en qué se gasta el presupuesto.");
	/* A second commitment does not move the phase again. */
	cr_assert_str_eq(mesa_fase(fac.token, m.id), "acuerdos");
	cr_assert_eq(event_count(m.id, fac.token, "acuerdos.iniciados"), 1);
	cr_assert_eq(event_count(m.id, fac.token, "compromiso.agregado"), 4);
	n = count("compromisos");
	cr_assert_eq(n, 4);

	/* Refusals: each says why, and nothing is stored. */
	msg = refused("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s}",
	    "titulo", "Sin alineación", "tipo", "plan_nacional", "inicio",
	    "2027-01-01")), 422, "alineacion_requerida");
	cr_assert(strstr(msg, "alineacion") != NULL, "%s", msg);
	refused("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s, s:n}",
	    "titulo", "Sin alineación", "tipo", "plan_nacional", "inicio",
	    "2027-01-01", "alineacion")), 422, "alineacion_requerida");
	refused("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s, s:s}",
	    "titulo", "Alineación en blanco", "tipo", "plan_nacional",
	    "inicio", "2027-01-01", "alineacion", "   ")), 422,
	    "texto_invalido");
	refused("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s}",
	    "titulo", "Tipo raro", "tipo", "federal", "inicio",
	    "2027-01-01")), 422, "tipo_invalido");
	refused("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s}",
	    "titulo", "Fecha imposible", "tipo", "local", "inicio",
	    "2027-02-29")), 422, "fecha_invalida");
	refused("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s}",
	    "titulo", "Fecha en otro formato", "tipo", "local", "inicio",
	    "01/03/2027")), 422, "fecha_invalida");
	refused("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s}",
	    "titulo", "Dos\r\nlíneas", "tipo", "local", "inicio",
	    "2027-01-01")), 422, "texto_invalido");
	refused("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s}",
	    "titulo", "   ", "tipo", "local", "inicio", "2027-01-01")), 422,
	    "texto_invalido");
	refused("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s, s:s}",
	    "titulo", "Meta vacía", "tipo", "local", "inicio", "2027-01-01",
	    "meta", "")), 422, "texto_invalido");
	refused("POST", sm, fac.token, js(json_pack("{s:s, s:s}",
	    "titulo", "Sin inicio", "tipo", "local")), 422, "campo_invalido");
	refused("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s, s:s}",
	    "titulo", "Campo mal escrito", "tipo", "local", "inicio",
	    "2027-01-01", "indicator", "x")), 422, "campo_invalido");
	refused("POST", sm, fac.token, js(json_pack("{s:s, s:s, s:s, s:i}",
	    "titulo", "Meta numérica", "tipo", "local", "inicio",
	    "2027-01-01", "meta", 4)), 422, "campo_invalido");
	refused("POST", sm, fac.token, "{\"titulo\": ", 400, "json_invalido");
	cr_assert_eq(count("compromisos"), n);
	cr_assert_eq(event_count(m.id, fac.token, "compromiso.agregado"), 4);
}

/*
 * 2. Activities: the deadline within [inicio, fin] (both ends included),
 *    a valid responsable email (CR/LF refused), numbering per commitment.
 */
Test(compromisos, activities)
{
	struct user_fx fac = user("Laura Gómez Facilitadora",
	    "laura.gomez@stl.org.mx", "facilitador");
	struct mesa_fx m = mesa_en_sesion(fac.token, "Mesa de Tlacolula");
	long long c1, c2, n;
	const char *pa, *msg;
	json_t *a, *r, *e;

	c1 = add_local(fac.token, m.id, "Presupuesto ciudadano",
	    "2026-12-01");
	c2 = add_local(fac.token, m.id, "Obras con testigo social",
	    "2027-01-15");
	pa = path_actividades(c1);

	/* The first day and the last day of the term are both fine. */
	a = api("POST", pa, fac.token, body_actividad("2026-12-01",
	    "maria.perez@tlacolula.gob.mx"), 201);
	cr_assert_eq(esc_jint(a, "compromiso_id"), c1);
	cr_assert_eq(esc_jint(a, "numero"), 1);
	cr_assert_str_eq(jstr(a, "fecha_limite"), "2026-12-01");
	cr_assert_str_eq(jstr(a, "descripcion"),
	    "Publicar el informe del primer trimestre.");
	cr_assert_str_eq(jstr(a, "entregable"), "Informe en el portal.");
	cr_assert_str_eq(jstr(a, "estado"), "pendiente");
	cr_assert_eq(esc_jint(a, "avance"), 0);
	r = json_object_get(a, "responsable");
	cr_assert_str_eq(jstr(r, "nombre"), "María Pérez Gómez");
	cr_assert_str_eq(jstr(r, "email"), "maria.perez@tlacolula.gob.mx");
	cr_assert_str_eq(jstr(r, "cargo"), "Tesorera");
	cr_assert_str_eq(jstr(r, "institucion"), "Tesorería Municipal");
	cr_assert(json_is_integer(json_object_get(a, "id")));

	a = api("POST", pa, fac.token, body_actividad("2027-11-30",
	    "maria.perez@tlacolula.gob.mx"), 201);
	cr_assert_eq(esc_jint(a, "numero"), 2);
	/* Optional parts of the responsable may be left out. */
	a = api("POST", path_actividades(c2), fac.token,
	    js(json_pack("{s:s, s:{s:s, s:s}, s:s}", "descripcion",
	    "Instalar el comité de testigos sociales.", "responsable",
	    "nombre", "Pedro Ruiz", "email", "pedro@ejemplo.mx",
	    "fecha_limite", "2027-06-30")), 201);
	cr_assert_eq(esc_jint(a, "numero"), 1, "numbering is per commitment");
	r = json_object_get(a, "responsable");
	cr_assert_null(jstr(r, "cargo"));
	cr_assert_null(jstr(r, "institucion"));
	cr_assert_null(jstr(a, "entregable"));
	n = count("actividades");
	cr_assert_eq(n, 3);
	cr_assert_eq(event_count(m.id, fac.token, "actividad.agregada"), 3);
	e = last_event(m.id, fac.token, "actividad.agregada");
	cr_assert_eq(esc_jint(json_object_get(e, "datos"), "actividad_id"),
	    esc_jint(a, "id"));

	/* One day outside, at either end. */
	msg = refused("POST", pa, fac.token, body_actividad("2026-11-30",
	    "maria.perez@tlacolula.gob.mx"), 422, "fecha_fuera_de_plazo");
	cr_assert(strstr(msg, "2026-12-01") != NULL &&
	    strstr(msg, "2027-11-30") != NULL, "the refusal does not give "
	    "the term: %s", msg);
	refused("POST", pa, fac.token, body_actividad("2027-12-01",
	    "maria.perez@tlacolula.gob.mx"), 422, "fecha_fuera_de_plazo");

	/* An address that would inject SMTP commands, and other junk. */
	refused("POST", pa, fac.token, body_actividad("2027-01-31",
	    "maria@tlacolula.gob.mx\r\nRCPT TO:<otro@ejemplo.mx>"), 422,
	    "email_invalido");
	refused("POST", pa, fac.token, body_actividad("2027-01-31",
	    "maria@tlacolula.gob.mx\n"), 422, "email_invalido");
	refused("POST", pa, fac.token, body_actividad("2027-01-31",
	    "no-es-un-correo"), 422, "email_invalido");
	refused("POST", pa, fac.token, js(json_pack("{s:s, s:{s:s, s:s},"
	    " s:s}", "descripcion", "x", "responsable", "nombre",
	    "María\r\nBcc: otro@ejemplo.mx", "email", "maria@ejemplo.mx",
	    "fecha_limite", "2027-01-31")), 422, "texto_invalido");
	refused("POST", pa, fac.token, js(json_pack("{s:s, s:s}",
	    "descripcion", "Sin responsable", "fecha_limite", "2027-01-31")),
	    422, "campo_invalido");
	refused("POST", pa, fac.token, js(json_pack("{s:s, s:{s:s}, s:s}",
	    "descripcion", "Sin correo", "responsable", "nombre", "Ana",
	    "fecha_limite", "2027-01-31")), 422, "campo_invalido");
	refused("POST", pa, fac.token, body_actividad("2027-13-01",
	    "maria@ejemplo.mx"), 422, "fecha_invalida");
	refused("POST", path_actividades(999999), fac.token,
	    body_actividad("2027-01-31", "maria@ejemplo.mx"), 404,
	    "compromiso_no_encontrado");
	cr_assert_eq(count("actividades"), n);
	cr_assert_eq(event_count(m.id, fac.token, "actividad.agregada"), 3);
}

/*
 * 3. Criteria: attested, attested again (the row is replaced, the
 *    timeline keeps both), unknown criteria refused.
 */
Test(compromisos, criteria)
{
	struct user_fx fac = user("Laura Gómez Facilitadora",
	    "laura.gomez@stl.org.mx", "facilitador");
	struct mesa_fx m = mesa_en_sesion(fac.token, "Mesa de Tlacolula");
	long long c = add_local(fac.token, m.id, "Presupuesto ciudadano",
	    "2026-12-01");
	const char *pc = path_criterios(c);
	json_t *x, *e, *d, *list;

	x = api("POST", pc, fac.token, js(json_pack("{s:s, s:s, s:s}",
	    "criterio", "medible", "quien", "José Ángel Núñez Peña",
	    "justificacion", "Cuatro informes con fecha.")), 201);
	cr_assert_str_eq(jstr(x, "criterio"), "medible");
	cr_assert_str_eq(jstr(x, "quien"), "José Ángel Núñez Peña");
	cr_assert_str_eq(jstr(x, "justificacion"),
	    "Cuatro informes con fecha.");
	cr_assert_not_null(jstr(x, "registrado"));
	api("POST", pc, fac.token, js(json_pack("{s:s, s:s, s:s}",
	    "criterio", "alto_impacto", "quien", "Lucía Hernández Ruiz",
	    "justificacion", "Todo el presupuesto queda a la vista.")), 201);

	/* Again, by someone else: replaced. */
	x = api("POST", pc, fac.token, js(json_pack("{s:s, s:s, s:s}",
	    "criterio", "medible", "quien", "Ramón Ortiz Villalobos",
	    "justificacion", "El indicador es un conteo verificable.")), 201);
	cr_assert_str_eq(jstr(x, "quien"), "Ramón Ortiz Villalobos");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM criterios"
	    " WHERE compromiso_id = $1", h_strf("%lld", c)), 2);
	cr_assert_str_eq(h_db_query_str(&db, "SELECT quien FROM criterios"
	    " WHERE compromiso_id = $1 AND criterio = 'medible'",
	    h_strf("%lld", c)), "Ramón Ortiz Villalobos");

	/* The timeline keeps the first attestation. */
	cr_assert_eq(event_count(m.id, fac.token, "criterio.atestiguado"), 3);
	e = last_event(m.id, fac.token, "criterio.atestiguado");
	d = json_object_get(e, "datos");
	cr_assert_str_eq(jstr(d, "criterio"), "medible");
	cr_assert_str_eq(jstr(d, "quien"), "Ramón Ortiz Villalobos");
	cr_assert(json_is_object(json_object_get(d, "anterior")),
	    "the replacing event does not carry the old attestation");
	cr_assert_str_eq(jstr(json_object_get(d, "anterior"), "quien"),
	    "José Ángel Núñez Peña");
	cr_assert_str_eq(jstr(json_object_get(d, "anterior"),
	    "justificacion"), "Cuatro informes con fecha.");

	/* The listing shows them sorted by name. */
	list = esc_jarr(json_array_get(esc_jarr(api("GET",
	    path_compromisos(m.id), fac.token, NULL, 200), "compromisos"), 0),
	    "criterios");
	cr_assert_eq(json_array_size(list), 2);
	cr_assert_str_eq(jstr(json_array_get(list, 0), "criterio"),
	    "alto_impacto");
	cr_assert_str_eq(jstr(json_array_get(list, 1), "criterio"),
	    "medible");
	cr_assert_str_eq(jstr(json_array_get(list, 1), "justificacion"),
	    "El indicador es un conteo verificable.");

	refused("POST", pc, fac.token, js(json_pack("{s:s, s:s, s:s}",
	    "criterio", "bonito", "quien", "Ana", "justificacion", "x")), 422,
	    "criterio_invalido");
	refused("POST", pc, fac.token, js(json_pack("{s:s, s:s, s:s}",
	    "criterio", "sostenible", "quien", "Ana\nB", "justificacion",
	    "x")), 422, "texto_invalido");
	refused("POST", pc, fac.token, js(json_pack("{s:s, s:s, s:s}",
	    "criterio", "sostenible", "quien", "Ana", "justificacion",
	    " ")), 422, "texto_invalido");
	refused("POST", pc, fac.token, js(json_pack("{s:s, s:s}",
	    "criterio", "sostenible", "quien", "Ana")), 422,
	    "campo_invalido");
	refused("POST", path_criterios(999999), fac.token,
	    js(json_pack("{s:s, s:s, s:s}", "criterio", "medible", "quien",
	    "Ana", "justificacion", "x")), 404, "compromiso_no_encontrado");
	cr_assert_eq(count("criterios"), 2);
	cr_assert_eq(event_count(m.id, fac.token, "criterio.atestiguado"), 3);
}

/*
 * 4. Editing: some fields changed, one cleared, the term recomputed, a
 *    move of inicio that would strand an activity refused.
 */
Test(compromisos, editing)
{
	struct user_fx fac = user("Laura Gómez Facilitadora",
	    "laura.gomez@stl.org.mx", "facilitador");
	struct mesa_fx m = mesa_en_sesion(fac.token, "Mesa de Tlacolula");
	long long c = add_local(fac.token, m.id, "Presupuesto ciudadano",
	    "2026-12-01");
	const char *pc = path_compromiso(m.id, c), *msg;
	json_t *x, *e, *d, *antes, *despues;
	long long ev;

	/* Change the title, clear the target. */
	x = api("PATCH", pc, fac.token, js(json_pack("{s:s, s:n}", "titulo",
	    "Presupuesto participativo", "meta")), 200);
	cr_assert_eq(esc_jint(x, "id"), c);
	cr_assert_str_eq(jstr(x, "titulo"), "Presupuesto participativo");
	cr_assert_null(jstr(x, "meta"));
	cr_assert_str_eq(jstr(x, "indicador"),
	    "Informes trimestrales publicados.", "an untouched field changed");
	cr_assert_str_eq(jstr(x, "inicio"), "2026-12-01");
	cr_assert_null(h_db_query_str(&db, "SELECT meta FROM compromisos"
	    " WHERE id = $1", h_strf("%lld", c)));
	e = last_event(m.id, fac.token, "compromiso.editado");
	cr_assert_not_null(e, "no compromiso.editado event");
	d = json_object_get(e, "datos");
	antes = json_object_get(d, "antes");
	despues = json_object_get(d, "despues");
	cr_assert_eq(json_object_size(antes), 2, "antes: %s", js(
	    json_incref(antes)));
	cr_assert_eq(json_object_size(despues), 2);
	cr_assert_str_eq(jstr(antes, "titulo"), "Presupuesto ciudadano");
	cr_assert_str_eq(jstr(despues, "titulo"),
	    "Presupuesto participativo");
	cr_assert_str_eq(jstr(antes, "meta"), "Cuatro informes en el año.");
	cr_assert(json_is_null(json_object_get(despues, "meta")));

	/* Moving inicio moves fin. */
	x = api("PATCH", pc, fac.token, js(json_pack("{s:s}", "inicio",
	    "2028-02-29")), 200);
	cr_assert_str_eq(jstr(x, "inicio"), "2028-02-29");
	cr_assert_str_eq(jstr(x, "fin"), "2029-02-27");
	d = json_object_get(last_event(m.id, fac.token, "compromiso.editado"),
	    "datos");
	cr_assert_str_eq(jstr(json_object_get(d, "antes"), "fin"),
	    "2027-11-30");
	cr_assert_str_eq(jstr(json_object_get(d, "despues"), "fin"),
	    "2029-02-27");
	x = api("PATCH", pc, fac.token, js(json_pack("{s:s}", "inicio",
	    "2026-12-01")), 200);
	cr_assert_str_eq(jstr(x, "fin"), "2027-11-30");

	/* An activity due on 2027-02-15 pins the term. */
	api("POST", path_actividades(c), fac.token,
	    body_actividad("2027-02-15", "maria@ejemplo.mx"), 201);
	ev = event_count(m.id, fac.token, "compromiso.editado");
	msg = refused("PATCH", pc, fac.token, js(json_pack("{s:s, s:s}",
	    "inicio", "2027-03-01", "titulo", "No debe cambiar")), 422,
	    "fecha_fuera_de_plazo");
	cr_assert(strstr(msg, "1.1") != NULL, "the refusal does not name "
	    "activity 1.1: %s", msg);
	refused("PATCH", pc, fac.token, js(json_pack("{s:s}", "inicio",
	    "2026-02-14")), 422, "fecha_fuera_de_plazo");
	cr_assert_str_eq(h_db_query_str(&db, "SELECT titulo || ' ' ||"
	    " inicio::text || ' ' || fin::text FROM compromisos WHERE id = $1",
	    h_strf("%lld", c)),
	    "Presupuesto participativo 2026-12-01 2027-11-30");
	/* Its own ends are fine. */
	x = api("PATCH", pc, fac.token, js(json_pack("{s:s}", "inicio",
	    "2026-02-16")), 200);
	cr_assert_str_eq(jstr(x, "fin"), "2027-02-15");
	x = api("PATCH", pc, fac.token, js(json_pack("{s:s}", "inicio",
	    "2027-02-15")), 200);
	cr_assert_str_eq(jstr(x, "fin"), "2028-02-14");
	cr_assert_eq(event_count(m.id, fac.token, "compromiso.editado"),
	    ev + 2);

	/* What may not be cleared or set. */
	refused("PATCH", pc, fac.token, "{\"titulo\": null}", 422,
	    "campo_invalido");
	refused("PATCH", pc, fac.token, "{\"inicio\": null}", 422,
	    "campo_invalido");
	refused("PATCH", pc, fac.token, "{\"tipo\": \"plan_nacional\"}", 422,
	    "alineacion_requerida");
	refused("PATCH", pc, fac.token, "{\"tipo\": \"estatal\"}", 422,
	    "tipo_invalido");
	refused("PATCH", pc, fac.token, "{\"fin\": \"2030-01-01\"}", 422,
	    "campo_invalido");
	refused("PATCH", pc, fac.token, "{\"institucion\": \"A\\nB\"}", 422,
	    "texto_invalido");
	refused("PATCH", path_compromiso(m.id, 999999), fac.token,
	    "{\"titulo\": \"x\"}", 404, "compromiso_no_encontrado");
	/* Becoming plan_nacional with its alignment; then it stays. */
	x = api("PATCH", pc, fac.token, js(json_pack("{s:s, s:s}", "tipo",
	    "plan_nacional", "alineacion", "Presupuesto abierto")), 200);
	cr_assert_str_eq(jstr(x, "tipo"), "plan_nacional");
	refused("PATCH", pc, fac.token, "{\"alineacion\": null}", 422,
	    "alineacion_requerida");
	cr_assert_str_eq(h_db_query_str(&db, "SELECT alineacion FROM"
	    " compromisos WHERE id = $1", h_strf("%lld", c)),
	    "Presupuesto abierto");

	/* Nothing to change: no write, no event. */
	ev = event_count(m.id, fac.token, "compromiso.editado");
	x = api("PATCH", pc, fac.token, "{}", 200);
	cr_assert_str_eq(jstr(x, "titulo"), "Presupuesto participativo");
	api("PATCH", pc, fac.token, "{\"titulo\": "
	    "\"Presupuesto participativo\"}", 200);
	cr_assert_eq(event_count(m.id, fac.token, "compromiso.editado"), ev);
}

static bool
has_exactly(json_t *o, const char *const *keys)
{
	size_t n = 0;

	for (; keys[n] != NULL; n++)
		if (json_object_get(o, keys[n]) == NULL)
			return false;
	return json_object_size(o) == n;
}

/*
 * 5. The listing: documented fields only, ordered by numero, activities
 *    by numero, a commitment's progress the rounded mean of its
 *    activities'.
 */
Test(compromisos, listing)
{
	static const char *const k_comp[] = { "id", "mesa_id", "numero",
	    "titulo", "tipo", "problema", "descripcion", "alineacion",
	    "indicador", "meta", "institucion", "inicio", "fin", "criterios",
	    "actividades", "avance", NULL };
	static const char *const k_act[] = { "id", "compromiso_id", "numero",
	    "descripcion", "responsable", "fecha_limite", "entregable",
	    "estado", "avance", NULL };
	static const char *const k_resp[] = { "nombre", "cargo",
	    "institucion", "email", NULL };
	static const char *const k_crit[] = { "criterio", "quien",
	    "justificacion", "registrado", NULL };
	struct user_fx fac = user("Laura Gómez Facilitadora",
	    "laura.gomez@stl.org.mx", "facilitador");
	struct user_fx gar = user("Ramón Ortiz Garante",
	    "ramon@garante-oax.org.mx", "garante");
	struct mesa_fx m = mesa_en_sesion(fac.token, "Mesa de Tlacolula");
	long long c1, c2, a1, a2, a3;
	json_t *list, *c, *acts;

	cr_assert_eq(json_array_size(esc_jarr(api("GET", path_compromisos(m.id),
	    fac.token, NULL, 200), "compromisos")), 0);
	c1 = add_local(fac.token, m.id, "Presupuesto ciudadano",
	    "2026-12-01");
	c2 = add_local(fac.token, m.id, "Obras con testigo social",
	    "2027-01-15");
	a1 = esc_jint(api("POST", path_actividades(c1), fac.token,
	    body_actividad("2027-01-31", "maria@ejemplo.mx"), 201), "id");
	a2 = esc_jint(api("POST", path_actividades(c1), fac.token,
	    body_actividad("2027-05-31", "maria@ejemplo.mx"), 201), "id");
	a3 = esc_jint(api("POST", path_actividades(c1), fac.token,
	    body_actividad("2027-03-31", "maria@ejemplo.mx"), 201), "id");
	api("POST", path_criterios(c1), fac.token, js(json_pack("{s:s, s:s,"
	    " s:s}", "criterio", "especifico", "quien", "Ana", "justificacion",
	    "Dice qué, quién y cuándo.")), 201);
	/* Progress as the follow-up will set it (not this API's job). */
	h_db_exec(&db, "UPDATE actividades SET estado = 'en_progreso',"
	    " avance = 40 WHERE id = $1", h_strf("%lld", a1));
	h_db_exec(&db, "UPDATE actividades SET estado = 'cumplida',"
	    " avance = 100, cumplimiento = now() WHERE id = $1",
	    h_strf("%lld", a2));
	h_db_exec(&db, "UPDATE actividades SET estado = 'en_progreso',"
	    " avance = 11 WHERE id = $1", h_strf("%lld", a3));

	list = esc_jarr(api("GET", path_compromisos(m.id), fac.token, NULL,
	    200), "compromisos");
	cr_assert_eq(json_array_size(list), 2);
	c = json_array_get(list, 0);
	cr_assert(has_exactly(c, k_comp), "commitment fields: %s",
	    js(json_incref(c)));
	cr_assert_eq(esc_jint(c, "id"), c1);
	cr_assert_eq(esc_jint(c, "numero"), 1);
	cr_assert_eq(esc_jint(c, "avance"), 50, "(40 + 100 + 11) / 3 = 50.3");
	acts = esc_jarr(c, "actividades");
	cr_assert_eq(json_array_size(acts), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *a = json_array_get(acts, i);

		cr_assert(has_exactly(a, k_act), "activity fields: %s",
		    js(json_incref(a)));
		cr_assert(has_exactly(json_object_get(a, "responsable"),
		    k_resp));
		cr_assert_eq(esc_jint(a, "numero"), (long long)i + 1);
		cr_assert_eq(esc_jint(a, "compromiso_id"), c1);
	}
	cr_assert_eq(esc_jint(json_array_get(acts, 0), "id"), a1);
	cr_assert_eq(esc_jint(json_array_get(acts, 2), "id"), a3);
	cr_assert_str_eq(jstr(json_array_get(acts, 1), "estado"), "cumplida");
	cr_assert_eq(esc_jint(json_array_get(acts, 1), "avance"), 100);
	cr_assert_eq(json_array_size(esc_jarr(c, "criterios")), 1);
	cr_assert(has_exactly(json_array_get(esc_jarr(c, "criterios"), 0),
	    k_crit));
	c = json_array_get(list, 1);
	cr_assert(has_exactly(c, k_comp));
	cr_assert_eq(esc_jint(c, "id"), c2);
	cr_assert_eq(esc_jint(c, "numero"), 2);
	cr_assert_eq(esc_jint(c, "avance"), 0, "no activities: 0");
	cr_assert_eq(json_array_size(esc_jarr(c, "actividades")), 0);
	cr_assert_str_eq(jstr(c, "fin"), "2028-01-14");

	/* A garante of the entidad reads it too. */
	list = esc_jarr(api("GET", path_compromisos(m.id), gar.token, NULL,
	    200), "compromisos");
	cr_assert_eq(json_array_size(list), 2);
	refused("GET", path_compromisos(999999), fac.token, NULL, 404,
	    "mesa_no_encontrada");
}

/*
 * 6. Who may write, and a closed version: every write refused, nothing
 *    changed.
 */
Test(compromisos, access_and_closed_version)
{
	struct user_fx fac = user("Laura Gómez Facilitadora",
	    "laura.gomez@stl.org.mx", "facilitador");
	struct user_fx otro = user("Otro Facilitador",
	    "otro@stl.org.mx", "facilitador");
	struct user_fx gar = user("Ramón Ortiz Garante",
	    "ramon@garante-oax.org.mx", "garante");
	struct mesa_fx m = mesa_en_sesion(fac.token, "Mesa de Tlacolula");
	const char *sm = path_compromisos(m.id);
	const char *crit = js(json_pack("{s:s, s:s, s:s}", "criterio",
	    "medible", "quien", "Ana", "justificacion", "Se puede contar."));
	const char *toks[2] = { otro.token, gar.token };
	long long c, ncomp, nact, ncrit, nev;
	const char *pc, *snapshot;

	/* Another facilitator and a garante change nothing. */
	for (int k = 0; k < 2; k++)
		refused("POST", sm, toks[k], body_local("Ajeno", "2026-12-01"),
		    403, NULL);
	cr_assert_eq(count("compromisos"), 0);
	cr_assert_str_eq(mesa_fase(fac.token, m.id), "en_sesion");
	refused("GET", sm, otro.token, NULL, 403, "prohibido");

	c = add_local(fac.token, m.id, "Presupuesto ciudadano", "2026-12-01");
	pc = path_compromiso(m.id, c);
	api("POST", path_actividades(c), fac.token,
	    body_actividad("2027-01-31", "maria@ejemplo.mx"), 201);
	api("POST", path_criterios(c), fac.token, crit, 201);
	for (int k = 0; k < 2; k++) {
		refused("PATCH", pc, toks[k], "{\"titulo\": \"Ajeno\"}", 403,
		    NULL);
		refused("POST", path_actividades(c), toks[k],
		    body_actividad("2027-01-31", "x@ejemplo.mx"), 403, NULL);
		refused("POST", path_criterios(c), toks[k], crit, 403, NULL);
	}
	refused("PATCH", pc, otro.token, "{\"titulo\": \"Ajeno\"}", 403,
	    "prohibido");
	/* An admin may. */
	api("PATCH", pc, admin, "{\"descripcion\": \"Revisada por la "
	    "administración.\"}", 200);

	/* A closed, current version: the draft is frozen. */
	h_db_exec(&db, "INSERT INTO pal_versiones (mesa_id, numero, canonico,"
	    " sha256_canonico, pdf, sha256_pdf, paginas)"
	    " VALUES ($1, 1, '{}', repeat('a', 64), '\\x2550'::bytea,"
	    " repeat('b', 64), 1)", h_strf("%lld", m.id));
	ncomp = count("compromisos");
	nact = count("actividades");
	ncrit = count("criterios");
	nev = count("eventos");
	snapshot = h_db_query_str(&db, "SELECT string_agg(row(c.*)::text,"
	    " '|' ORDER BY id) FROM compromisos c");
	refused("POST", sm, fac.token, body_local("Tarde", "2026-12-01"), 409,
	    "version_cerrada");
	refused("POST", sm, admin, body_local("Tarde", "2026-12-01"), 409,
	    "version_cerrada");
	refused("PATCH", pc, fac.token, "{\"titulo\": \"Tarde\"}", 409,
	    "version_cerrada");
	refused("PATCH", pc, fac.token, "{\"inicio\": \"2027-01-01\"}", 409,
	    "version_cerrada");
	refused("POST", path_actividades(c), fac.token,
	    body_actividad("2027-01-31", "maria@ejemplo.mx"), 409,
	    "version_cerrada");
	refused("POST", path_criterios(c), fac.token, crit, 409,
	    "version_cerrada");
	cr_assert_eq(count("compromisos"), ncomp);
	cr_assert_eq(count("actividades"), nact);
	cr_assert_eq(count("criterios"), ncrit);
	cr_assert_eq(count("eventos"), nev);
	cr_assert_str_eq(h_db_query_str(&db, "SELECT string_agg("
	    "row(c.*)::text, '|' ORDER BY id) FROM compromisos c"), snapshot);
	/* Reading still works. */
	cr_assert_eq(json_array_size(esc_jarr(api("GET", sm, fac.token, NULL,
	    200), "compromisos")), 1);

	/* Voided: editable again. */
	h_db_exec(&db, "UPDATE pal_versiones SET anulada = now()"
	    " WHERE mesa_id = $1", h_strf("%lld", m.id));
	api("PATCH", pc, fac.token, "{\"titulo\": \"Presupuesto abierto\"}",
	    200);
}
