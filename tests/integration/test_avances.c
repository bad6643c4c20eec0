/*
 * Progress reports on activities (issue 5, "Progress reports"): by the
 * responsable, who has no account, through the personal link of a
 * reminder (GET shows the activity and a form and records nothing; the
 * form's POST records the report); and by the facilitator through `pal
 * actividad avance` and the API. Every refusal must leave the database
 * as it was: a bad form or body, a link of another activity, a revoked
 * link, another facilitator, a garante, a mesa not in follow-up.
 *
 * The mesas are put straight into en_seguimiento with SQL (the path
 * there through pal is test_acuerdos.c's), and the avance links are made
 * here as the reminder planner makes them: a random token whose SHA-256
 * is stored in enlaces.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define TZ_MX		"America/Mexico_City"
#define RESPONSABLE	"Luis Pérez Ñúñez"
#define DESC_A		"Publicar los contratos de obra pública de 2027"
#define DESC_B		"Capacitar al personal de la Tesorería"
#define COMPROMISO	"Contratos abiertos en Tlacolula"

static struct h_db db;
static struct h_pald pald;
static char admin[80];

/* JSON values kept until teardown (so ASan sees no leak). */
static json_t *kept[256];
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

TestSuite(avances, .init = setup, .fini = teardown, .timeout = 120);

static json_t *
keep(json_t *j)
{
	if (j != NULL) {
		cr_assert_lt(n_kept, sizeof(kept) / sizeof(kept[0]));
		kept[n_kept++] = j;
	}
	return j;
}

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

/* An API call that must answer `status`; its JSON body (kept). */
static json_t *
api(const char *method, const char *path, const char *tok, const char *json,
    long status)
{
	struct h_http r = h_api(&pald, method, path, tok, json);
	json_t *j;

	cr_assert_eq(r.status, status, "%s %s %s: HTTP %ld, expected %ld: %s",
	    method, path, json != NULL ? json : "", r.status, status, r.body);
	j = keep(h_http_json(&r));
	cr_assert_not_null(j, "%s %s: the reply is not JSON: %s", method,
	    path, r.body);
	h_http_free(&r);
	return j;
}

/* An API call refused with status and error.code. */
static void
refused(const char *method, const char *path, const char *tok,
    const char *json, long status, const char *code)
{
	json_t *e = json_object_get(api(method, path, tok, json, status),
	    "error");

	cr_assert(json_is_object(e), "%s %s: no error object", method, path);
	cr_assert_str_eq(json_string_value(json_object_get(e, "code")), code,
	    "%s %s %s: %s", method, path, json,
	    json_string_value(json_object_get(e, "message")));
}

static long long
jint(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_integer(v), "\"%s\" is not an integer", key);
	return json_integer_value(v);
}

static const char *
jstr(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_string(v), "\"%s\" is not a string", key);
	return json_string_value(v);
}

static const char *
ll(long long n)
{
	return h_strf("%lld", n);
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
	u.id = jint(j, "id");
	u.token = h_strf("%s", jstr(j, "token"));
	return u;
}

/* A mesa in `fase` with one commitment and two activities, A and B. */
struct mesa_fx {
	long long	 id;
	long long	 compromiso;
	long long	 a, b;		/* activities 1.1 and 1.2 */
};

static const char *
hoy_mx(void)
{
	return h_db_query_str(&db,
	    "SELECT (now() AT TIME ZONE $1)::date::text", TZ_MX);
}

/*
 * The fast path to follow-up: rows as pal pal enviar leaves them. A's
 * deadline is 20 local days away, B's 40.
 */
static struct mesa_fx
mesa(long long facilitador, const char *fase)
{
	const char *hoy = hoy_mx();
	struct mesa_fx m;

	m.id = h_db_query_int(&db, "INSERT INTO mesas (titulo, entidad,"
	    " zona_horaria, fase, facilitador_id, fecha, hora, lugar)"
	    " VALUES ('Mesa de Tlacolula: obra pública', 'Oaxaca', $1, $2,"
	    " $3, $4::date - 30, '10:00', 'Salón de Cabildo') RETURNING id",
	    TZ_MX, fase, ll(facilitador), hoy);
	h_db_exec(&db, "INSERT INTO actores (mesa_id, nombre, email, sector)"
	    " VALUES ($1, 'Ana Ruiz', 'ana@osc.mx', 'sociedad_civil')",
	    ll(m.id));
	m.compromiso = h_db_query_int(&db, "INSERT INTO compromisos (mesa_id,"
	    " numero, titulo, tipo, inicio, fin) VALUES ($1, 1, $2,"
	    " 'contrataciones_abiertas', $3::date - 29, ($3::date - 29"
	    " + interval '1 year' - interval '1 day')::date) RETURNING id",
	    ll(m.id), COMPROMISO, hoy);
	m.a = h_db_query_int(&db, "INSERT INTO actividades (mesa_id,"
	    " compromiso_id, numero, descripcion, responsable_nombre,"
	    " responsable_email, fecha_limite, entregable) VALUES ($1, $2, 1,"
	    " $3, $4, 'luis@tlacolula.gob.mx', $5::date + 20,"
	    " 'Contratos en el portal') RETURNING id", ll(m.id),
	    ll(m.compromiso), DESC_A, RESPONSABLE, hoy);
	m.b = h_db_query_int(&db, "INSERT INTO actividades (mesa_id,"
	    " compromiso_id, numero, descripcion, responsable_nombre,"
	    " responsable_email, fecha_limite) VALUES ($1, $2, 2, $3,"
	    " 'Marta Gil', 'marta@tlacolula.gob.mx', $4::date + 40)"
	    " RETURNING id", ll(m.id), ll(m.compromiso), DESC_B, hoy);
	return m;
}

/* A new avance link of an activity, as the planner makes them. */
static const char *
enlace(const struct mesa_fx *m, long long actividad, long long *id)
{
	const char *token = h_db_query_str(&db,
	    "SELECT md5(random()::text) || md5(random()::text)");
	long long eid;

	eid = h_db_query_int(&db, "INSERT INTO enlaces (hash, proposito,"
	    " mesa_id, actividad_id) VALUES (encode(sha256($1::bytea), 'hex'),"
	    " 'avance', $2, $3) RETURNING id", token, ll(m->id),
	    ll(actividad));
	if (id != NULL)
		*id = eid;
	return token;
}

/* A request to a personal link; the page in *body (test-lived). */
static long
link_http(const char *method, const char *token, const char *form,
    const char **body)
{
	const char *url = h_strf("%s/e/%s", pald.url, token);
	struct h_http r;
	const char *ctype;
	long status;

	if (form != NULL)
		r = h_http(method, url, NULL,
		    "application/x-www-form-urlencoded", form, strlen(form));
	else
		r = h_http(method, url, NULL, NULL, NULL, 0);
	cr_assert_neq(r.status, 0, "%s %s: %s", method, url, r.error);
	status = r.status;
	ctype = h_http_header(&r, "Content-Type");
	cr_assert(ctype != NULL && strstr(ctype, "text/html") == ctype &&
	    strstr(ctype, "charset=utf-8") != NULL, "Content-Type: %s",
	    ctype != NULL ? ctype : "(none)");
	*body = h_strf("%s", r.body);
	h_http_free(&r);
	return status;
}

static void
has(const char *body, const char *needle)
{
	cr_assert(strstr(body, needle) != NULL, "«%s» is not in:\n%s", needle,
	    body);
}

static void
lacks(const char *body, const char *needle)
{
	cr_assert(strstr(body, needle) == NULL, "«%s» should not be in:\n%s",
	    needle, body);
}

static long long
n_avances(long long actividad)
{
	return h_db_query_int(&db, "SELECT count(*) FROM avances"
	    " WHERE actividad_id = $1", ll(actividad));
}

static long long
n_eventos(long long mesa_id)
{
	return h_db_query_int(&db, "SELECT count(*) FROM eventos"
	    " WHERE mesa_id = $1 AND tipo = 'avance.registrado'", ll(mesa_id));
}

/* "estado avance cumplimiento?" of an activity, e.g. "pendiente 0 f". */
static const char *
estado(long long actividad)
{
	return h_db_query_str(&db, "SELECT estado || ' ' || avance || ' ' ||"
	    " CASE WHEN cumplimiento IS NULL THEN 'f' ELSE 't' END"
	    " FROM actividades WHERE id = $1", ll(actividad));
}

/* A POST of the link's form that must be refused with a 422 page. */
static const char *
form_refused(const char *token, const struct mesa_fx *m, const char *form)
{
	long long before = n_avances(m->a), ev = n_eventos(m->id);
	const char *st = estado(m->a), *body;

	cr_assert_eq(link_http("POST", token, form, &body), 422,
	    "form %s: %s", form, body);
	has(body, "No se registró el reporte");
	cr_assert_eq(n_avances(m->a), before, "form %s stored a report",
	    form);
	cr_assert_eq(n_eventos(m->id), ev);
	cr_assert_str_eq(estado(m->a), st);
	return body;
}

/*
 * 1. The responsable's link: the page records nothing; the form records
 *    a report attributed to the link; bad forms are refused whole.
 */
Test(avances, enlace_del_responsable)
{
	struct user_fx fac = user("Laura Gómez", "laura@stl.org.mx",
	    "facilitador");
	struct mesa_fx m = mesa(fac.id, "en_seguimiento");
	const char *token, *body, *larga;
	long long enlace_id;
	json_t *j, *av, *e;

	token = enlace(&m, m.a, &enlace_id);

	/* GET: the activity, its commitment, the deadline, the form. */
	cr_assert_eq(link_http("GET", token, NULL, &body), 200, "%s", body);
	has(body, "Avance de la actividad 1.1");
	has(body, DESC_A);
	has(body, RESPONSABLE);
	has(body, COMPROMISO);
	has(body, "Mesa de Tlacolula: obra pública");
	has(body, "Contratos en el portal");
	has(body, "Faltan 20 días");
	larga = h_db_query_str(&db, "SELECT to_char((now() AT TIME ZONE $1)"
	    "::date + 20, 'YYYY')", TZ_MX);
	has(body, h_strf("de %s", larga));
	has(body, "Pendiente, 0 %");
	has(body, "<form method=\"post\"");
	has(body, "name=\"estado\" value=\"en_progreso\"");
	has(body, "name=\"estado\" value=\"cumplida\"");
	has(body, "name=\"avance\"");
	has(body, "name=\"evidencia\"");
	has(body, "<textarea id=\"nota\" name=\"nota\"");
	has(body, "Todavía no hay reportes");
	lacks(body, DESC_B);
	cr_assert_eq(n_avances(m.a), 0);
	cr_assert_eq(n_eventos(m.id), 0);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"
	    " WHERE ultimo_uso IS NOT NULL"), 0, "a GET marked the link used");

	/* POST: en progreso, 40 %, evidence and a two-line note. */
	cr_assert_eq(link_http("POST", token, "estado=en_progreso&avance=40"
	    "&evidencia=https%3A%2F%2Ftlacolula.gob.mx%2Fcontratos%3Fa%3D1"
	    "&nota=Van+12+de+30+contratos%2C+a%C3%BAn+sin+anexos.%0D%0A"
	    "Falta+el+de+alumbrado.", &body), 200, "%s", body);
	has(body, "Avance registrado");
	has(body, "en progreso, 40 %");
	cr_assert_eq(n_avances(m.a), 1);
	cr_assert_str_eq(estado(m.a), "en_progreso 40 f");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM avances"
	    " WHERE actividad_id = $1 AND enlace_id = $2 AND usuario_id IS NULL"
	    " AND estado = 'en_progreso' AND avance = 40 AND evidencia_url ="
	    " 'https://tlacolula.gob.mx/contratos?a=1' AND nota = $3",
	    ll(m.a), ll(enlace_id), "Van 12 de 30 contratos, aún sin anexos."
	    "\nFalta el de alumbrado."), 1, "the stored report is not the "
	    "form's");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"
	    " WHERE id = $1 AND ultimo_uso IS NOT NULL", ll(enlace_id)), 1);
	cr_assert_str_eq(estado(m.b), "pendiente 0 f");

	/* The timeline: no user, no actor, the responsable by name. */
	cr_assert_eq(n_eventos(m.id), 1);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM eventos"
	    " WHERE mesa_id = $1 AND tipo = 'avance.registrado'"
	    " AND usuario_id IS NULL AND actor_id IS NULL"
	    " AND descripcion LIKE $2"
	    " AND datos->'antes'->>'estado' = 'pendiente'"
	    " AND (datos->'antes'->>'avance')::int = 0"
	    " AND datos->'despues'->>'estado' = 'en_progreso'"
	    " AND (datos->'despues'->>'avance')::int = 40"
	    " AND datos->>'evidencia' ="
	    "   'https://tlacolula.gob.mx/contratos?a=1'"
	    " AND (datos->>'actividad_id')::bigint = $3", ll(m.id),
	    "El responsable " RESPONSABLE " (por su enlace)%", ll(m.a)), 1,
	    "the event is not as expected: %s", h_db_query_str(&db,
	    "SELECT descripcion || ' ' || datos::text FROM eventos"
	    " WHERE tipo = 'avance.registrado'"));

	/* The page now shows the state and the history. */
	cr_assert_eq(link_http("GET", token, NULL, &body), 200);
	has(body, "En progreso, 40 %");
	has(body, "Falta el de alumbrado.");
	has(body, "href=\"https://tlacolula.gob.mx/contratos?a=1\"");
	has(body, "reportado por el responsable");
	lacks(body, "Todavía no hay reportes");

	/* The API sees the same report, attributed to the link. */
	j = api("GET", h_strf("/v1/actividades/%lld/avances", m.a), fac.token,
	    NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(j, "avances")), 1);
	av = json_array_get(json_object_get(j, "avances"), 0);
	cr_assert_str_eq(jstr(av, "por"), "responsable (enlace)");
	cr_assert_str_eq(jstr(av, "origen"), "enlace");
	cr_assert(json_is_null(json_object_get(av, "usuario")));
	cr_assert_eq(jint(av, "avance"), 40);
	e = json_object_get(j, "actividad");
	cr_assert_str_eq(jstr(e, "estado"), "en_progreso");
	cr_assert_eq(jint(e, "dias_restantes"), 20);

	/* Bad forms: 422 pages, what was typed kept, nothing stored. */
	body = form_refused(token, &m, "estado=en_progreso&avance=101");
	has(body, "número entero de 0 a 100");
	has(body, "value=\"101\"");
	body = form_refused(token, &m, "estado=en_progreso&avance=50"
	    "&evidencia=javascript%3Aalert(1)");
	has(body, "http:// o https://");
	has(body, "value=\"javascript:alert(1)\"");
	body = form_refused(token, &m, "estado=hecho&avance=50");
	has(body, "«en_progreso»");
	body = form_refused(token, &m, "avance=50");
	has(body, "El estado debe ser");
	body = form_refused(token, &m, "estado=cumplida&avance=cuarenta");
	body = form_refused(token, &m, "estado=en_progreso&avance=-5");
	body = form_refused(token, &m, "estado=en_progreso"
	    "&evidencia=https%3A%2F%2Fx.mx%2Fa%20b");
	body = form_refused(token, &m, "estado=en_progreso&nota=a%00b");
	/* Every mistake at once, the note kept escaped. */
	body = form_refused(token, &m, "estado=hecho&avance=200"
	    "&evidencia=ftp%3A%2F%2Fx.mx&nota=%3Cscript%3Ex%3C%2Fscript%3E");
	has(body, "El estado debe ser");
	has(body, "número entero de 0 a 100");
	has(body, "http:// o https://");
	has(body, "&lt;script&gt;x&lt;/script&gt;</textarea>");
	lacks(body, "<script>");

	/* A field naming activity B is ignored: the link reports on A. */
	cr_assert_eq(link_http("POST", token, h_strf("actividad=%lld"
	    "&actividad_id=%lld&estado=cumplida", m.b, m.b), &body), 200,
	    "%s", body);
	cr_assert_str_eq(estado(m.a), "cumplida 100 t");
	cr_assert_str_eq(estado(m.b), "pendiente 0 f");
	cr_assert_eq(n_avances(m.b), 0);
	cr_assert_eq(n_avances(m.a), 2);
	has(body, "ya no recibirá recordatorios");

	/* Revoked: 404 for both methods, nothing stored. */
	h_db_exec(&db, "UPDATE enlaces SET revocado = now() WHERE id = $1",
	    ll(enlace_id));
	cr_assert_eq(link_http("GET", token, NULL, &body), 404);
	has(body, "Enlace no válido");
	cr_assert_eq(link_http("POST", token, "estado=en_progreso&avance=10",
	    &body), 404);
	has(body, "Enlace no válido");
	cr_assert_eq(n_avances(m.a), 2);
	cr_assert_str_eq(estado(m.a), "cumplida 100 t");

	/* Unknown and malformed tokens. */
	cr_assert_eq(link_http("POST", h_strf("%064d", 7),
	    "estado=en_progreso", &body), 404);
	cr_assert_eq(link_http("GET", "no-es-un-token", NULL, &body), 404);

	/* B's own link reports on B only. */
	token = enlace(&m, m.b, NULL);
	cr_assert_eq(link_http("GET", token, NULL, &body), 200);
	has(body, "Avance de la actividad 1.2");
	has(body, DESC_B);
	has(body, "Faltan 40 días");
	cr_assert_eq(link_http("POST", token, "estado=en_progreso&avance=5"
	    "&evidencia=&nota=", &body), 200, "%s", body);
	cr_assert_str_eq(estado(m.b), "en_progreso 5 f");
	cr_assert_str_eq(estado(m.a), "cumplida 100 t");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM avances"
	    " WHERE actividad_id = $1 AND evidencia_url IS NULL"
	    " AND nota IS NULL", ll(m.b)), 1);
}

/*
 * 2. The facilitator through pal; who may not report; the history; the
 *    API's refusals.
 */
Test(avances, pal_y_api)
{
	struct user_fx fac = user("Laura Gómez", "laura@stl.org.mx",
	    "facilitador");
	struct user_fx otro = user("Pedro Sánchez", "pedro@stl.org.mx",
	    "facilitador");
	struct user_fx gar = user("Olga Garante", "olga@iaipo.org.mx",
	    "garante");
	struct mesa_fx m = mesa(fac.id, "en_seguimiento");
	const char *act = ll(m.a), *path, *p1, *p2, *p3;
	struct h_run r;
	json_t *j, *list;

	path = h_strf("/v1/actividades/%lld/avances", m.a);

	r = h_pal(&pald, fac.token, "actividad", "avance", act, "--estado",
	    "en_progreso", "--avance", "30", "--nota",
	    "Se publicaron los primeros contratos.");
	cr_assert_eq(r.status, 0, "pal: %s%s", r.out, r.err);
	has(r.out, "Avance registrado en la actividad");
	has(r.out, "en progreso, 30 %");
	h_run_free(&r);
	cr_assert_str_eq(estado(m.a), "en_progreso 30 f");

	r = h_pal(&pald, fac.token, "actividad", "avance", act, "--estado",
	    "cumplida", "--evidencia", "https://tlacolula.gob.mx/contratos");
	cr_assert_eq(r.status, 0, "pal: %s%s", r.out, r.err);
	has(r.out, "cumplida, 100 %");
	h_run_free(&r);
	cr_assert_str_eq(estado(m.a), "cumplida 100 t");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM avances"
	    " WHERE actividad_id = $1 AND usuario_id = $2"
	    " AND enlace_id IS NULL", act, ll(fac.id)), 2);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM eventos"
	    " WHERE mesa_id = $1 AND tipo = 'avance.registrado'"
	    " AND usuario_id = $2 AND descripcion LIKE 'Laura Gómez reportó%'",
	    ll(m.id), ll(fac.id)), 2);

	/* Another facilitator, a garante: refused, nothing stored. */
	r = h_pal(&pald, otro.token, "actividad", "avance", act, "--estado",
	    "en_progreso", "--avance", "10");
	cr_assert_eq(r.status, 2, "other facilitator: %s%s", r.out, r.err);
	has(r.err, "prohibido");
	h_run_free(&r);
	r = h_pal(&pald, gar.token, "actividad", "avance", act, "--estado",
	    "en_progreso", "--avance", "10");
	cr_assert_eq(r.status, 2, "garante: %s%s", r.out, r.err);
	h_run_free(&r);
	cr_assert_eq(n_avances(m.a), 2);
	cr_assert_str_eq(estado(m.a), "cumplida 100 t");

	/* The history, oldest first; the garante of Oaxaca may read it. */
	r = h_pal(&pald, gar.token, "actividad", "avances", act);
	cr_assert_eq(r.status, 0, "pal: %s%s", r.out, r.err);
	has(r.out, DESC_A);
	has(r.out, COMPROMISO);
	has(r.out, RESPONSABLE);
	/* The header says "cumplida" too: the rows follow it, in order. */
	p1 = strstr(r.out, "en progreso, 30 %");
	p2 = p1 != NULL ? strstr(p1, "cumplida, 100 %") : NULL;
	p3 = p2 != NULL ? strstr(p2, "https://tlacolula.gob.mx/contratos")
	    : NULL;
	cr_assert(p1 != NULL && p2 != NULL && p3 != NULL,
	    "history not in order:\n%s", r.out);
	has(r.out, "Laura Gómez");
	h_run_free(&r);
	r = h_pal(&pald, fac.token, "actividad", "avances", ll(m.b));
	cr_assert_eq(r.status, 0, "pal: %s%s", r.out, r.err);
	has(r.out, "Sin reportes de avance todavía.");
	h_run_free(&r);

	/* Bad values stop in pal (exit 1), before any request. */
	{
		const char *bad[][2] = {
			{ "--avance", "101" },
			{ "--avance", "-5" },
			{ "--avance", "40.5" },
			{ "--evidencia", "javascript:alert(1)" },
			{ "--evidencia", "https://x.mx/a b" },
			{ "--evidencia", "ftp://x.mx/a" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			r = h_pal(&pald, fac.token, "actividad", "avance", act,
			    "--estado", "en_progreso", bad[i][0], bad[i][1]);
			cr_assert_eq(r.status, 1, "%s %s: exit %d: %s%s",
			    bad[i][0], bad[i][1], r.status, r.out, r.err);
			h_run_free(&r);
		}
		r = h_pal(&pald, fac.token, "actividad", "avance", act,
		    "--estado", "hecho");
		cr_assert_eq(r.status, 1, "--estado hecho: %s", r.err);
		h_run_free(&r);
		r = h_pal(&pald, fac.token, "actividad", "avance", act,
		    "--avance", "10");
		cr_assert_eq(r.status, 1, "no --estado: %s", r.err);
		h_run_free(&r);
	}
	cr_assert_eq(n_avances(m.a), 2);

	/* The same through the API: 422 with the field's code. */
	refused("POST", path, fac.token, "{\"estado\":\"hecho\"}", 422,
	    "estado_invalido");
	refused("POST", path, fac.token, "{\"avance\":10}", 422,
	    "estado_invalido");
	refused("POST", path, fac.token, "{\"estado\":\"pendiente\"}", 422,
	    "estado_invalido");
	refused("POST", path, fac.token,
	    "{\"estado\":\"en_progreso\",\"avance\":101}", 422,
	    "avance_invalido");
	refused("POST", path, fac.token,
	    "{\"estado\":\"en_progreso\",\"avance\":-1}", 422,
	    "avance_invalido");
	refused("POST", path, fac.token,
	    "{\"estado\":\"en_progreso\",\"avance\":\"40\"}", 422,
	    "avance_invalido");
	refused("POST", path, fac.token,
	    "{\"estado\":\"en_progreso\",\"avance\":40.5}", 422,
	    "avance_invalido");
	refused("POST", path, fac.token, "{\"estado\":\"en_progreso\","
	    "\"evidencia\":\"javascript:alert(1)\"}", 422,
	    "evidencia_invalida");
	refused("POST", path, fac.token, "{\"estado\":\"en_progreso\","
	    "\"evidencia\":\"https://x.mx/a\\u00a0b\"}", 422,
	    "evidencia_invalida");
	refused("POST", path, fac.token, "{\"estado\":\"en_progreso\","
	    "\"evidencia\":\"https://\"}", 422, "evidencia_invalida");
	refused("POST", path, fac.token, "{\"estado\":\"en_progreso\","
	    "\"evidencia\":\"\"}", 422, "evidencia_invalida");
	refused("POST", path, fac.token, h_strf("{\"estado\":\"en_progreso\","
	    "\"evidencia\":\"https://x.mx/%02000d\"}", 0), 422,
	    "evidencia_invalida");
	{
		char *nota = malloc(5002);

		cr_assert_not_null(nota);
		memset(nota, 'x', 5001);
		nota[5001] = '\0';
		refused("POST", path, fac.token, js(json_pack("{s:s, s:s}",
		    "estado", "en_progreso", "nota", nota)), 422,
		    "texto_invalido");
		free(nota);
	}
	refused("POST", path, fac.token, "{\"estado\":\"en_progreso\","
	    "\"actividad\":9}", 422, "campo_invalido");
	refused("POST", "/v1/actividades/999999/avances", fac.token,
	    "{\"estado\":\"en_progreso\"}", 404, "actividad_no_encontrada");
	refused("POST", path, otro.token, "{\"estado\":\"en_progreso\"}", 403,
	    "prohibido");
	cr_assert_eq(n_avances(m.a), 2);
	cr_assert_str_eq(estado(m.a), "cumplida 100 t");

	/* Back to en_progreso: cumplimiento cleared; an admin may report. */
	j = api("POST", path, admin, "{\"estado\":\"en_progreso\","
	    "\"avance\":90,\"nota\":\"Falta un anexo.\"}", 201);
	cr_assert_str_eq(jstr(j, "estado"), "en_progreso");
	cr_assert_eq(jint(j, "avance"), 90);
	cr_assert_eq(jint(j, "actividad_id"), m.a);
	cr_assert_str_eq(jstr(j, "por"), "Admin Pruebas");
	cr_assert_str_eq(jstr(j, "nota"), "Falta un anexo.");
	cr_assert(json_is_null(json_object_get(j, "evidencia")));
	cr_assert_str_eq(estado(m.a), "en_progreso 90 f");
	/* No percentage: the activity keeps its own. */
	j = api("POST", path, fac.token, "{\"estado\":\"en_progreso\"}", 201);
	cr_assert(json_is_null(json_object_get(j, "avance")));
	cr_assert_str_eq(estado(m.a), "en_progreso 90 f");

	list = json_object_get(api("GET", path, gar.token, NULL, 200),
	    "avances");
	cr_assert_eq(json_array_size(list), 4);
	cr_assert_eq(jint(json_array_get(list, 0), "avance"), 30);
	cr_assert_str_eq(jstr(json_array_get(list, 1), "estado"), "cumplida");
	cr_assert_eq(jint(json_array_get(list, 2), "avance"), 90);
	cr_assert_str_eq(jstr(json_array_get(list, 0), "fecha"), hoy_mx());
}

/* 3. A mesa not in follow-up takes no reports, by any way. */
Test(avances, fuera_de_seguimiento)
{
	struct user_fx fac = user("Laura Gómez", "laura@stl.org.mx",
	    "facilitador");
	struct mesa_fx m = mesa(fac.id, "firmada");
	const char *token = enlace(&m, m.a, NULL), *body;
	struct h_run r;

	refused("POST", h_strf("/v1/actividades/%lld/avances", m.a),
	    fac.token, "{\"estado\":\"cumplida\"}", 409,
	    "transicion_invalida");
	r = h_pal(&pald, fac.token, "actividad", "avance", ll(m.a),
	    "--estado", "cumplida");
	cr_assert_eq(r.status, 2, "pal: %s%s", r.out, r.err);
	has(r.err, "transicion_invalida");
	h_run_free(&r);
	cr_assert_eq(link_http("GET", token, NULL, &body), 409, "%s", body);
	has(body, "no está en seguimiento");
	cr_assert_eq(link_http("POST", token, "estado=cumplida", &body), 409);
	cr_assert_eq(n_avances(m.a), 0);
	cr_assert_eq(n_eventos(m.id), 0);
	cr_assert_str_eq(estado(m.a), "pendiente 0 f");

	/* The history can still be read. */
	api("GET", h_strf("/v1/actividades/%lld/avances", m.a), fac.token,
	    NULL, 200);
}

/*
 * 4. pal recordatorios ejecutar: admin only; prints what the pass
 *    queued, or says there was nothing; a pass right after queues
 *    nothing more.
 */
Test(avances, recordatorios_ejecutar)
{
	struct user_fx fac = user("Laura Gómez", "laura@stl.org.mx",
	    "facilitador");
	struct h_run r;
	json_t *j;

	mesa(fac.id, "en_seguimiento");
	r = h_pal(&pald, fac.token, "recordatorios", "ejecutar");
	cr_assert_eq(r.status, 2, "facilitador: %s%s", r.out, r.err);
	h_run_free(&r);

	r = h_pal(&pald, admin, "recordatorios", "ejecutar");
	cr_assert_eq(r.status, 0, "admin: %s%s", r.out, r.err);
	if (strstr(r.out, "No hay recordatorios pendientes.") == NULL) {
		has(r.out, " en cola\n");
		has(r.out, "DESTINATARIO");
	}
	h_run_free(&r);

	r = h_pal(&pald, admin, "--json", "recordatorios", "ejecutar");
	cr_assert_eq(r.status, 0, "admin --json: %s%s", r.out, r.err);
	j = keep(json_loads(r.out, 0, NULL));
	cr_assert(json_is_array(json_object_get(j, "recordatorios")),
	    "not the server's JSON: %s", r.out);
	cr_assert_eq(json_array_size(json_object_get(j, "recordatorios")), 0,
	    "a second pass queued again: %s", r.out);
	h_run_free(&r);
}
