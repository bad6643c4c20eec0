/*
 * Who may do what (issue 6): a facilitador only its own mesas, a garante
 * only its entidad (and never a change), a personal link only its own
 * actor, activity or version and its own purpose, a revoked or expired
 * link nothing, a disabled user nothing, an admin-only route nobody but
 * the admin; and no token, Authorization value or personal data in the
 * daemon's log.
 *
 * What the refusals are: docs/API.md says a mesa that exists but is not
 * the caller's is 403 "prohibido" and an unknown id 404; so every route
 * of a mesa (and of its commitments and activities) answers 403
 * prohibido to another facilitador and to a garante of another entidad,
 * with nothing written, and a role the route does not take is 403 too.
 * A personal link that is unknown, revoked, expired or of another
 * purpose is the 404 page "Enlace no válido" (the /f/ feeds a 404).
 *
 * Timing. A token is never compared in process: auth.c, web_enlaces.c,
 * web_avance.c, web_conformidad.c and web_feed.c all hash the presented
 * token with SHA-256 (token_hash) and look the hash up with an equality
 * on a UNIQUE index (tokens.hash, enlaces.hash). That is no timing
 * oracle on the token: the attacker controls the token but not its hash,
 * so learning how many leading bytes of the hash matched a stored one
 * (from the B-tree walk or the final memcmp inside PostgreSQL) tells
 * nothing about which token to try next (finding a token with a chosen
 * hash prefix is a SHA-256 preimage search), and a 256-bit token cannot
 * be guessed. The only in-process comparisons of hex digests in server/
 * (store_pal.c, the canonical SHA-256 a conformity is given against)
 * compare public values. common/token.c's token_equal (CRYPTO_memcmp) is
 * there for any future in-process check. So there is no unit test of a
 * comparison here; the tests below check the hashes are what is stored.
 *
 * The mesas are written with SQL (the way there through the API is other
 * suites' business); users and tokens come from the API.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escenario.h"
#include "harness.h"

static struct h_db db;
static struct h_pald pald;
static char admin[80];

static void
setup(void)
{
	esc_setup(&db, NULL, &pald, NULL, admin, sizeof(admin));
}

TestSuite(security, .init = setup, .fini = esc_teardown, .timeout = 120);

/*
 * Fixtures.
 */

/* A mesa with its rows; 0 where it has none. */
struct mesa_fx {
	long long	 id;
	long long	 actor[2];	/* both attend, if there is a session */
	long long	 material;	/* by actor[0] */
	long long	 material2;	/* by actor[1], in preparacion only */
	long long	 compromiso;
	long long	 actividad[2];
	long long	 version_old;	/* numero 1, anulada */
	long long	 version;	/* numero 2, current */
	const char	*sha_old;	/* sha256_canonico of each */
	const char	*sha;
};

struct world {
	struct esc_usuario	 fac_a, fac_b, gar_oax, gar_jal, gar_all;
	struct mesa_fx	 m1;	/* fac_a, Oaxaca, en_seguimiento, all rows */
	struct mesa_fx	 m2;	/* fac_b, Jalisco, en_seguimiento, all rows */
	struct mesa_fx	 m3;	/* fac_a, Oaxaca, preparacion */
	struct mesa_fx	 m4;	/* fac_a, Oaxaca, acuerdos, two versions */
};

static const char *
id(long long n)
{
	return esc_id_text(n);
}

static struct esc_usuario
usuario(const char *nombre, const char *email, const char *rol,
    const char *entidad)
{
	struct esc_usuario u;
	json_t *j;

	j = esc_api("POST", "/v1/usuarios", admin, esc_json_text(json_pack(
	    "{s:s, s:s, s:s, s:s?}", "nombre", nombre, "email", email, "rol",
	    rol, "entidad", entidad)), 201);
	u.id = esc_jint(j, "id");
	u.token = h_strf("%s", esc_jstr(j, "token"));
	u.nombre = nombre;
	u.email = email;
	return u;
}

static long long
sql_mesa(const struct esc_usuario *fac, const char *titulo,
    const char *entidad, const char *fase)
{
	bool fecha = strcmp(fase, "preparacion") != 0;

	return h_db_query_int(&db, "INSERT INTO mesas (titulo, entidad,"
	    " facilitador_id, fase, fecha, hora, lugar) VALUES ($1, $2, $3, $4,"
	    " CASE WHEN $5::boolean THEN current_date - 30 END,"
	    " CASE WHEN $5::boolean THEN time '10:00' END,"
	    " CASE WHEN $5::boolean THEN 'Salón de Cabildo' END)"
	    " RETURNING id", titulo, entidad, id(fac->id), fase,
	    fecha ? "true" : "false");
}

static long long
sql_actor(long long mesa, const char *nombre, const char *email)
{
	return h_db_query_int(&db, "INSERT INTO actores (mesa_id, nombre,"
	    " email, sector) VALUES ($1, $2, $3, 'sociedad_civil')"
	    " RETURNING id", id(mesa), nombre, email);
}

static long long
sql_material(long long mesa, long long autor, const char *titulo)
{
	return h_db_query_int(&db, "INSERT INTO materiales (mesa_id, autor_id,"
	    " tipo, titulo, tipo_medio, tamano, contenido, sha256,"
	    " fecha_entrega) VALUES ($1, $2, 'problematicas', $3,"
	    " 'text/plain; charset=utf-8', octet_length(convert_to($3,"
	    " 'UTF8')), convert_to($3, 'UTF8'), encode(sha256(convert_to($3,"
	    " 'UTF8')), 'hex'), current_date - 20) RETURNING id", id(mesa),
	    id(autor), titulo);
}

static void
sql_sesion(struct mesa_fx *m)
{
	long long s = h_db_query_int(&db, "INSERT INTO sesiones (mesa_id,"
	    " fecha) VALUES ($1, current_date - 30) RETURNING id", id(m->id));

	for (int i = 0; i < 2; i++)
		h_db_exec(&db, "INSERT INTO asistencias (mesa_id, sesion_id,"
		    " actor_id) VALUES ($1, $2, $3)", id(m->id), id(s),
		    id(m->actor[i]));
}

static void
sql_compromiso(struct mesa_fx *m, const char *responsable)
{
	m->compromiso = h_db_query_int(&db, "INSERT INTO compromisos (mesa_id,"
	    " numero, titulo, tipo, inicio, fin) VALUES ($1, 1, 'Contratos"
	    " abiertos', 'contrataciones_abiertas', current_date - 29,"
	    " (current_date - 29 + interval '1 year' - interval '1 day')::date)"
	    " RETURNING id", id(m->id));
	for (int i = 0; i < 2; i++)
		m->actividad[i] = h_db_query_int(&db, "INSERT INTO actividades"
		    " (mesa_id, compromiso_id, numero, descripcion,"
		    " responsable_nombre, responsable_email, fecha_limite)"
		    " VALUES ($1, $2, $3, $4, 'Luis Pérez', $5, current_date"
		    " + 20 + $3::int) RETURNING id", id(m->id),
		    id(m->compromiso), i == 0 ? "1" : "2", i == 0 ?
		    "Publicar los contratos" : "Capacitar al personal",
		    responsable);
}

/* Version numero of m's PAL; its canonical SHA-256 to *sha. */
static long long
sql_version(long long mesa, int numero, bool anulada, const char **sha)
{
	const char *canon = h_strf("{\"mesa\":%lld,\"version\":%d}", mesa,
	    numero);
	const char *pdf = h_strf("%%PDF-1.4 mesa %lld v%d", mesa, numero);
	long long v;

	v = h_db_query_int(&db, "INSERT INTO pal_versiones (mesa_id, numero,"
	    " canonico, sha256_canonico, pdf, sha256_pdf, paginas, anulada)"
	    " VALUES ($1, $2::int, $3, encode(sha256(convert_to($3, 'UTF8')),"
	    " 'hex'), convert_to($4, 'UTF8'), encode(sha256(convert_to($4,"
	    " 'UTF8')), 'hex'), 1, CASE WHEN $5::boolean THEN now() END)"
	    " RETURNING id",
	    id(mesa), h_strf("%d", numero), canon, pdf,
	    anulada ? "true" : "false");
	*sha = h_db_query_str(&db, "SELECT sha256_canonico FROM pal_versiones"
	    " WHERE id = $1", id(v));
	return v;
}

/* A fresh token: 64 lowercase hex characters. Test-lived. */
static const char *
new_token(void)
{
	static int n;
	const char *seed = h_strf("%d-%d-%lld", (int)getpid(), ++n,
	    h_now_ms());

	return esc_sha256_hex(seed, strlen(seed));
}

/*
 * A personal link of purpose proposito stored as the SHA-256 of its
 * token (as pald stores them); its id to *enlace unless NULL. The token.
 */
static const char *
sql_link(const char *proposito, long long mesa, long long actor,
    long long actividad, long long version, long long usuario,
    long long *enlace)
{
	const char *tok = new_token();
	long long e;

	e = h_db_query_int(&db, "INSERT INTO enlaces (hash, proposito, mesa_id,"
	    " actor_id, actividad_id, version_id, usuario_id) VALUES ($1, $2,"
	    " nullif($3, '0')::bigint, nullif($4, '0')::bigint,"
	    " nullif($5, '0')::bigint, nullif($6, '0')::bigint,"
	    " nullif($7, '0')::bigint) RETURNING id",
	    esc_sha256_hex(tok, strlen(tok)), proposito, id(mesa), id(actor),
	    id(actividad), id(version), id(usuario));
	if (enlace != NULL)
		*enlace = e;
	return tok;
}

/* An acuse link for actor carrying material (a send of it). */
static const char *
sql_acuse_link(long long mesa, long long actor, long long material)
{
	long long enlace, envio;
	const char *tok = sql_link("acuse", mesa, actor, 0, 0, 0, &enlace);

	envio = h_db_query_int(&db, "INSERT INTO envios (mesa_id, actor_id,"
	    " enlace_id) VALUES ($1, $2, $3) RETURNING id", id(mesa),
	    id(actor), id(enlace));
	h_db_exec(&db, "INSERT INTO envio_materiales (mesa_id, envio_id,"
	    " material_id) VALUES ($1, $2, $3)", id(mesa), id(envio),
	    id(material));
	return tok;
}

static struct mesa_fx
mesa_full(const struct esc_usuario *fac, const char *titulo,
    const char *entidad, const char *fase, const char *const actores[4],
    const char *resp)
{
	struct mesa_fx m;

	memset(&m, 0, sizeof(m));
	m.id = sql_mesa(fac, titulo, entidad, fase);
	m.actor[0] = sql_actor(m.id, actores[0], actores[1]);
	m.actor[1] = sql_actor(m.id, actores[2], actores[3]);
	m.material = sql_material(m.id, m.actor[0], h_strf("Diagnóstico de %s",
	    titulo));
	if (strcmp(fase, "preparacion") == 0)
		return m;
	sql_sesion(&m);
	sql_compromiso(&m, resp);
	m.version_old = sql_version(m.id, 1, true, &m.sha_old);
	m.version = sql_version(m.id, 2, false, &m.sha);
	return m;
}

static struct world
world(void)
{
	struct world w;

	w.fac_a = usuario("Fabiola Alcántara", "fabiola@stl-oax.mx",
	    "facilitador", "Oaxaca");
	w.fac_b = usuario("Bruno Barragán", "bruno@stl-jal.mx", "facilitador",
	    "Jalisco");
	w.gar_oax = usuario("Garante de Oaxaca", "garante@ogaipo.mx",
	    "garante", "Oaxaca");
	w.gar_jal = usuario("Garante de Jalisco", "garante@itei.mx", "garante",
	    "Jalisco");
	w.gar_all = usuario("Garante Nacional", "garante@inai.mx", "garante",
	    NULL);
	w.m1 = mesa_full(&w.fac_a, "Mesa de Tlacolula", "Oaxaca",
	    "en_seguimiento", (const char *const[]){ "Ana Ruiz",
	    "ana@osc-oax.mx", "Carlos Méndez", "carlos@tlacolula.gob.mx" },
	    "luis@tlacolula.gob.mx");
	w.m2 = mesa_full(&w.fac_b, "Mesa de Zapopan", "Jalisco",
	    "en_seguimiento", (const char *const[]){ "Zoila Zúñiga",
	    "zoila@osc-jal.mx", "Ximena Ortiz", "ximena@zapopan.gob.mx" },
	    "rita@zapopan.gob.mx");
	w.m3 = mesa_full(&w.fac_a, "Mesa de Etla", "Oaxaca", "preparacion",
	    (const char *const[]){ "Pedro Pérez", "pedro@osc-etla.mx",
	    "Queta Quiroz", "queta@etla.gob.mx" }, NULL);
	w.m3.material2 = sql_material(w.m3.id, w.m3.actor[1],
	    "Consulta pública de Etla");
	w.m4 = mesa_full(&w.fac_a, "Mesa de Juchitán", "Oaxaca", "acuerdos",
	    (const char *const[]){ "Irma Istmo", "irma@osc-istmo.mx",
	    "Jacinto Juárez", "jacinto@juchitan.gob.mx" },
	    "marta@juchitan.gob.mx");
	return w;
}

/*
 * Checks.
 */

/* A JSON refusal with status and code. */
static void
assert_refused(const struct h_http *r, long status, const char *code,
    const char *what)
{
	json_t *j = h_http_json(r);
	const char *got;

	cr_assert_eq(r->status, status, "%s: HTTP %ld, expected %ld: %.300s",
	    what, r->status, status, r->body);
	cr_assert_not_null(j, "%s: not JSON: %.300s", what, r->body);
	got = json_string_value(json_object_get(json_object_get(j, "error"),
	    "code"));
	cr_assert(got != NULL && strcmp(got, code) == 0, "%s: code %s, "
	    "expected %s", what, got ? got : "(none)", code);
	json_decref(j);
}

/*
 * Every route of a mesa and of its commitments and activities, with a
 * body that would be accepted from the owner.
 */
struct route_case {
	const char	*method;
	const char	*path;
	const char	*ctype;		/* NULL: JSON (or no body) */
	const char	*body;		/* NULL: none */
};

static size_t
mesa_routes(const struct mesa_fx *m, struct route_case *rc)
{
	const char *M = h_strf("/v1/mesas/%lld", m->id);
	long long act = m->actor[0], mat = m->material;
	size_t n = 0;

#define R(meth, p, b)							\
	rc[n++] = (struct route_case){ (meth), (p), NULL, (b) }
	R("GET", M, NULL);
	R("GET", h_strf("%s/eventos", M), NULL);
	R("POST", h_strf("%s/programar", M), "{\"fecha\": \"2031-01-15\","
	    " \"hora\": \"10:00\", \"lugar\": \"Cabildo\"}");
	R("GET", h_strf("%s/actores", M), NULL);
	R("POST", h_strf("%s/actores", M), "{\"nombre\": \"Intrusa\","
	    " \"email\": \"intrusa@otra.mx\", \"sector\": \"stl\"}");
	R("POST", h_strf("%s/actores/%lld/revocar-enlaces", M, act), NULL);
	R("GET", h_strf("%s/materiales", M), NULL);
	rc[n++] = (struct route_case){ "POST", h_strf("%s/materiales?actor="
	    "%lld&tipo=otro&titulo=Intruso", M, act),
	    "text/plain; charset=utf-8", "contenido" };
	R("GET", h_strf("%s/materiales/%lld/contenido", M, mat), NULL);
	R("POST", h_strf("%s/materiales/enviar", M), NULL);
	R("POST", h_strf("%s/acuses", M), h_strf("{\"actor\": %lld,"
	    " \"material\": %lld, \"medio\": \"mano\"}", m->actor[1], mat));
	R("GET", h_strf("%s/sesion", M), NULL);
	R("POST", h_strf("%s/sesion", M), h_strf("{\"asistentes\": [%lld]}",
	    act));
	R("POST", h_strf("%s/aportaciones", M), h_strf("{\"actor\": %lld,"
	    " \"tipo\": \"duda\", \"texto\": \"¿Quién paga?\"}", act));
	R("GET", h_strf("%s/compromisos", M), NULL);
	R("POST", h_strf("%s/compromisos", M), "{\"titulo\": \"Intruso\","
	    " \"tipo\": \"local\", \"inicio\": \"2031-01-01\"}");
	R("GET", h_strf("%s/pal", M), NULL);
	R("GET", h_strf("%s/pal/validacion", M), NULL);
	R("POST", h_strf("%s/pal/cerrar", M), NULL);
	R("GET", h_strf("%s/pal/pdf", M), NULL);
	R("GET", h_strf("%s/pal/canonico", M), NULL);
	R("POST", h_strf("%s/pal/reabrir", M), NULL);
	rc[n++] = (struct route_case){ "POST", h_strf("%s/pal/evidencias?"
	    "version=2&archivo=acta.pdf", M), "application/pdf",
	    "%PDF-1.4 firmado" };
	R("POST", h_strf("%s/pal/enviar", M), NULL);
	R("GET", h_strf("%s/pal/datos.json", M), NULL);
	R("GET", h_strf("%s/pal/datos.csv", M), NULL);
	R("POST", h_strf("%s/conformidades", M), h_strf("{\"actor\": %lld,"
	    " \"sha256\": \"%s\"}", act, m->sha != NULL ? m->sha :
	    esc_sha256_hex("", 0)));
	if (m->compromiso != 0) {
		R("PATCH", h_strf("%s/compromisos/%lld", M, m->compromiso),
		    "{\"titulo\": \"Cambiado por un intruso\"}");
		R("POST", h_strf("/v1/compromisos/%lld/actividades",
		    m->compromiso), "{\"descripcion\": \"Intrusa\","
		    " \"responsable\": {\"nombre\": \"X\", \"email\":"
		    " \"x@otra.mx\"}, \"fecha_limite\": \"2031-01-01\"}");
		R("POST", h_strf("/v1/compromisos/%lld/criterios",
		    m->compromiso), "{\"criterio\": \"medible\", \"quien\":"
		    " \"Intruso\", \"justificacion\": \"Porque sí.\"}");
		R("GET", h_strf("/v1/actividades/%lld/avances",
		    m->actividad[0]), NULL);
		R("POST", h_strf("/v1/actividades/%lld/avances",
		    m->actividad[0]), "{\"estado\": \"cumplida\"}");
	}
#undef R
	return n;
}

/*
 * Every route of mesa m as tok: writes always refused 403 prohibido, and
 * reads too unless reads_ok; nothing written.
 */
static void
routes_refused(const struct mesa_fx *m, const char *tok, const char *who,
    bool reads_ok)
{
	struct route_case rc[64];
	size_t n = mesa_routes(m, rc);
	const char *before = esc_snapshot();

	for (size_t i = 0; i < n; i++) {
		bool read = strcmp(rc[i].method, "GET") == 0;
		struct h_http r = h_http(rc[i].method, h_strf("%s%s", pald.url,
		    rc[i].path), tok, rc[i].body == NULL ? NULL :
		    rc[i].ctype != NULL ? rc[i].ctype : "application/json",
		    rc[i].body, rc[i].body != NULL ? strlen(rc[i].body) : 0);
		const char *what = h_strf("%s %s %s by %s", rc[i].method,
		    rc[i].path, rc[i].body ? rc[i].body : "", who);

		if (read && reads_ok)
			cr_assert(r.status < 400 || r.status == 404 ||
			    r.status == 409, "%s: HTTP %ld: %.300s", what,
			    r.status, r.body);
		else
			assert_refused(&r, 403, "prohibido", what);
		h_http_free(&r);
	}
	esc_assert_unchanged(before, h_strf("%s on mesa %lld", who, m->id));
}

/*
 * Facilitadores.
 */

Test(security, facilitador_cannot_read_or_change_another_mesa)
{
	struct world w = world();
	json_t *j;

	/* Every route, three mesas of fac_a in three phases, as fac_b. */
	routes_refused(&w.m1, w.fac_b.token, "another facilitador", false);
	routes_refused(&w.m3, w.fac_b.token, "another facilitador", false);
	routes_refused(&w.m4, w.fac_b.token, "another facilitador", false);
	/* And fac_a on fac_b's. */
	routes_refused(&w.m2, w.fac_a.token, "another facilitador", false);

	/* An id that does not exist is 404, as documented. */
	esc_api_refused("GET", "/v1/mesas/999999", w.fac_b.token, NULL, 404,
	    "mesa_no_encontrada");

	/* Listings and monitoring leave the other's mesas out. */
	j = esc_api("GET", "/v1/mesas", w.fac_b.token, NULL, 200);
	cr_assert_eq(json_array_size(esc_jarr(j, "mesas")), 1);
	cr_assert_eq(esc_jint(json_array_get(esc_jarr(j, "mesas"), 0), "id"),
	    w.m2.id);
	j = esc_api("GET", "/v1/monitoreo?proximas=365", w.fac_b.token, NULL,
	    200);
	for (size_t i = 0; i < json_array_size(esc_jarr(j, "pals")); i++)
		cr_assert_eq(esc_jint(json_array_get(esc_jarr(j, "pals"), i),
		    "mesa_id"), w.m2.id);
	j = esc_api("GET", "/v1/monitoreo/actividades.json?proximas=365",
	    w.fac_b.token, NULL, 200);
	cr_assert_eq(json_array_size(esc_jarr(j, "actividades")), 2);
	for (size_t i = 0; i < 2; i++)
		cr_assert_eq(esc_jint(json_array_get(esc_jarr(j,
		    "actividades"), i), "mesa_id"), w.m2.id);
	/* No feed of a responsable of another's mesa. */
	esc_api_refused("POST", "/v1/feeds", w.fac_b.token,
	    "{\"email\": \"luis@tlacolula.gob.mx\"}", 404,
	    "responsable_no_encontrado");
}

/*
 * Ids of another's mesa in one's own routes: the sub-resource is looked
 * up within the mesa of the path, so it is not found, and nothing of
 * the other mesa changes.
 */
Test(security, ids_of_another_mesa_in_own_routes)
{
	struct world w = world();
	const char *M1 = h_strf("/v1/mesas/%lld", w.m1.id);
	const char *M3 = h_strf("/v1/mesas/%lld", w.m3.id);
	const char *M4 = h_strf("/v1/mesas/%lld", w.m4.id);
	const char *tok = w.fac_a.token;
	const char *before = esc_snapshot();
	json_t *j;

	esc_api_refused("GET", h_strf("%s/materiales/%lld/contenido", M1,
	    w.m2.material), tok, NULL, 404, "material_no_encontrado");
	esc_api_refused("POST", h_strf("%s/acuses", M3), tok, h_strf(
	    "{\"actor\": %lld, \"material\": %lld, \"medio\": \"mano\"}",
	    w.m3.actor[1], w.m2.material), 404, "material_no_encontrado");
	esc_api_refused("POST", h_strf("%s/acuses", M3), tok, h_strf(
	    "{\"actor\": %lld, \"material\": %lld, \"medio\": \"mano\"}",
	    w.m2.actor[1], w.m3.material), 404, "actor_no_encontrado");
	{
		struct h_http r = h_http("POST", h_strf("%s%s/materiales?"
		    "actor=%lld&tipo=otro&titulo=Ajeno", pald.url, M3,
		    w.m2.actor[0]), tok, "text/plain; charset=utf-8", "x", 1);

		cr_assert(r.status == 404 || r.status == 422, "a material by "
		    "another mesa's actor: HTTP %ld %s", r.status, r.body);
		h_http_free(&r);
	}
	{
		struct h_http r = h_api(&pald, "PATCH", h_strf("%s/compromisos/"
		    "%lld", M4, w.m2.compromiso), tok,
		    "{\"titulo\": \"Cambiado\"}");

		cr_assert(r.status == 404 || r.status == 409, "PATCH another "
		    "mesa's compromiso: HTTP %ld %s", r.status, r.body);
		h_http_free(&r);
	}
	{
		struct h_http r = h_api(&pald, "POST",
		    h_strf("%s/conformidades", M4), tok, h_strf("{\"actor\":"
		    " %lld, \"sha256\": \"%s\"}", w.m2.actor[0], w.m4.sha));

		cr_assert(r.status == 404 || r.status == 422, "conformity of "
		    "another mesa's actor: HTTP %ld %s", r.status, r.body);
		h_http_free(&r);
	}
	esc_api_refused("POST", h_strf("/v1/compromisos/%lld/criterios",
	    w.m2.compromiso), tok, "{\"criterio\": \"medible\", \"quien\":"
	    " \"X\", \"justificacion\": \"Y.\"}", 403, "prohibido");
	esc_api_refused("POST", h_strf("/v1/actividades/%lld/avances",
	    w.m2.actividad[0]), tok, "{\"estado\": \"cumplida\"}", 403,
	    "prohibido");
	esc_assert_unchanged(before, "ids of another mesa");

	/* Revoking "another mesa's actor's" links revokes none of them. */
	sql_link("avance", w.m2.id, 0, w.m2.actividad[0], 0, 0, NULL);
	h_db_exec(&db, "INSERT INTO enlaces (hash, proposito, mesa_id,"
	    " actor_id) VALUES (encode(sha256('z'::bytea), 'hex'), 'acuse',"
	    " $1, $2)", id(w.m2.id), id(w.m2.actor[0]));
	{
		struct h_http r = h_api(&pald, "POST", h_strf("%s/actores/%lld/"
		    "revocar-enlaces", M1, w.m2.actor[0]), tok, NULL);

		if (r.status == 200) {
			j = h_http_json(&r);
			cr_assert_eq(json_integer_value(json_object_get(j,
			    "revocados")), 0, "%s", r.body);
			json_decref(j);
		} else
			cr_assert_eq(r.status, 404, "%s", r.body);
		h_http_free(&r);
	}
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"
	    " WHERE mesa_id = $1 AND revocado IS NOT NULL", id(w.m2.id)), 0,
	    "a facilitador revoked links of another's mesa");
}

/*
 * Garantes.
 */

Test(security, garante_reads_only_its_entidad_and_changes_nothing)
{
	struct world w = world();
	json_t *j;
	struct h_http r;
	const char *url, *ics;

	/* Another entidad: every route refused, reads included. */
	routes_refused(&w.m2, w.gar_oax.token, "the garante of Oaxaca", false);
	routes_refused(&w.m1, w.gar_jal.token, "the garante of Jalisco",
	    false);
	/* Its own entidad: reads, but no change. */
	routes_refused(&w.m1, w.gar_oax.token, "the garante of Oaxaca", true);
	routes_refused(&w.m4, w.gar_oax.token, "the garante of Oaxaca", true);
	/* A garante bound to no entidad reads every one (docs/API.md). */
	esc_api("GET", h_strf("/v1/mesas/%lld", w.m2.id), w.gar_all.token,
	    NULL, 200);
	esc_api("GET", h_strf("/v1/mesas/%lld", w.m1.id), w.gar_all.token,
	    NULL, 200);

	j = esc_api("GET", "/v1/mesas", w.gar_oax.token, NULL, 200);
	for (size_t i = 0; i < json_array_size(esc_jarr(j, "mesas")); i++)
		cr_assert_str_eq(esc_jstr(json_array_get(esc_jarr(j, "mesas"),
		    i), "entidad"), "Oaxaca");
	esc_api_refused("GET", "/v1/monitoreo?entidad=Jalisco",
	    w.gar_oax.token, NULL, 403, "prohibido");
	esc_api_refused("GET", "/v1/monitoreo/actividades.json?entidad="
	    "Jalisco", w.gar_oax.token, NULL, 403, "prohibido");
	esc_api_refused("GET", "/v1/monitoreo/actividades.csv?entidad="
	    "Jalisco", w.gar_oax.token, NULL, 403, "prohibido");
	j = esc_api("GET", "/v1/monitoreo?proximas=365", w.gar_oax.token, NULL,
	    200);
	cr_assert_eq(json_array_size(esc_jarr(j, "pals")), 1);
	cr_assert_eq(esc_jint(json_array_get(esc_jarr(j, "pals"), 0),
	    "mesa_id"), w.m1.id);
	r = h_api(&pald, "GET", "/v1/monitoreo/actividades.csv?proximas=365",
	    w.gar_oax.token, NULL);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body, "Jalisco") == NULL &&
	    strstr(r.body, "Zapopan") == NULL, "%s", r.body);
	cr_assert(strstr(r.body, "Tlacolula") != NULL, "%s", r.body);
	h_http_free(&r);

	/* Its feed holds its entidad's activities only. */
	esc_api_refused("POST", "/v1/feeds", w.gar_oax.token,
	    "{\"email\": \"rita@zapopan.gob.mx\"}", 403, "prohibido");
	j = esc_api("POST", "/v1/feeds", w.gar_oax.token, NULL, 201);
	url = esc_jstr(j, "url");
	r = h_http("GET", url, NULL, NULL, NULL, 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	ics = h_strf("%s", r.body);
	h_http_free(&r);
	cr_assert(strstr(ics, h_strf("actividad-%lld@", w.m1.actividad[0])),
	    "%s", ics);
	cr_assert(strstr(ics, h_strf("actividad-%lld@", w.m2.actividad[0]))
	    == NULL && strstr(ics, "Zapopan") == NULL, "the garante of "
	    "Oaxaca's feed shows Jalisco: %s", ics);
	/* A garante cannot revoke another garante's feed. */
	esc_api_refused("POST", "/v1/feeds/revocar", w.gar_jal.token,
	    esc_json_text(json_pack("{s:s}", "url", url)), 404,
	    "feed_no_encontrado");
	r = h_http("GET", url, NULL, NULL, NULL, 0);
	cr_assert_eq(r.status, 200);
	h_http_free(&r);
}

/*
 * Personal links.
 */

/* A request to /e/<tok><suffix> (a form POST when body is not NULL). */
static struct h_http
link_req(const char *method, const char *tok, const char *suffix,
    const char *form)
{
	const char *url = h_strf("%s/e/%s%s", pald.url, tok, suffix);

	if (strcmp(method, "POST") == 0)
		return h_http("POST", url, NULL,
		    "application/x-www-form-urlencoded", form ? form : "",
		    form ? strlen(form) : 0);
	return h_http(method, url, NULL, NULL, NULL, 0);
}

/* The "Enlace no válido" 404 page, nothing written. */
static void
link_refused(const char *method, const char *tok, const char *suffix,
    const char *form, const char *what)
{
	const char *before = esc_snapshot();
	struct h_http r = link_req(method, tok, suffix, form);
	const char *ctype = h_http_header(&r, "Content-Type");

	cr_assert_eq(r.status, 404, "%s: %s /e/…%s: HTTP %ld: %.300s", what,
	    method, suffix, r.status, r.body);
	cr_assert(ctype != NULL && strstr(ctype, "text/html") != NULL,
	    "%s: Content-Type %s", what, ctype ? ctype : "(none)");
	cr_assert(strstr(r.body, "Enlace no válido") != NULL, "%s: %.300s",
	    what, r.body);
	h_http_free(&r);
	esc_assert_unchanged(before, what);
}

static void
feed_refused(const char *tok, const char *what)
{
	struct h_http r = h_http("GET", h_strf("%s/f/%s.ics", pald.url, tok),
	    NULL, NULL, NULL, 0);

	cr_assert_eq(r.status, 404, "%s: /f/…: HTTP %ld", what, r.status);
	cr_assert(strstr(r.body, "BEGIN:VCALENDAR") == NULL, "%s", what);
	h_http_free(&r);
}

Test(security, links_act_only_for_their_actor_activity_and_version)
{
	struct world w = world();
	long long p = w.m3.actor[0], q = w.m3.actor[1];
	long long mat_p = w.m3.material, mat_q = w.m3.material2;
	const char *lp = sql_acuse_link(w.m3.id, p, mat_q);
	const char *lq = sql_acuse_link(w.m3.id, q, mat_p);
	const char *la = sql_link("avance", w.m1.id, 0, w.m1.actividad[0], 0,
	    0, NULL);
	const char *lc_old = sql_link("conformidad", w.m4.id, w.m4.actor[0], 0,
	    w.m4.version_old, 0, NULL);
	const char *lc = sql_link("conformidad", w.m4.id, w.m4.actor[0], 0,
	    w.m4.version, 0, NULL);
	const char *before;
	struct h_http r;

	/* An acuse link confirms its actor's send, whatever the form says. */
	r = link_req("POST", lp, "", h_strf("actor=%lld&actor_id=%lld&"
	    "material=%lld&material_id=%lld&envio=1", q, q, mat_p, mat_p));
	cr_assert_eq(r.status, 200, "%s", r.body);
	h_http_free(&r);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM acuses WHERE"
	    " actor_id = $1 AND material_id = $2", id(p), id(mat_q)), 1);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM acuses WHERE"
	    " actor_id = $1", id(q)), 0, "P's link confirmed for Q");
	r = link_req("GET", lq, "", NULL);
	cr_assert(strstr(r.body, "Falta confirmar") != NULL, "%s", r.body);
	h_http_free(&r);

	/* A progress link reports on its own activity only. */
	r = link_req("POST", la, "", h_strf("estado=cumplida&actividad=%lld&"
	    "actividad_id=%lld&id=%lld", w.m1.actividad[1], w.m1.actividad[1],
	    w.m1.actividad[1]));
	cr_assert_eq(r.status, 200, "%s", r.body);
	h_http_free(&r);
	cr_assert_str_eq(h_db_query_str(&db, "SELECT estado FROM actividades"
	    " WHERE id = $1", id(w.m1.actividad[0])), "cumplida");
	cr_assert_str_eq(h_db_query_str(&db, "SELECT estado FROM actividades"
	    " WHERE id = $1", id(w.m1.actividad[1])), "pendiente",
	    "a progress link reported on another activity");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM avances WHERE"
	    " actividad_id <> $1", id(w.m1.actividad[0])), 0);

	/* A conformity link of a replaced version records nothing. */
	before = esc_snapshot();
	r = link_req("GET", lc_old, "", NULL);
	cr_assert_eq(r.status, 409, "%s", r.body);
	h_http_free(&r);
	r = link_req("POST", lc_old, "", NULL);
	cr_assert_eq(r.status, 409, "%s", r.body);
	h_http_free(&r);
	esc_assert_unchanged(before, "a replaced version's conformity link");
	/* The current one: its actor, its version's hash, whatever is sent. */
	r = link_req("POST", lc, "", h_strf("version=1&version_id=%lld&"
	    "sha256=%s&actor=%lld", w.m4.version_old, w.m4.sha_old,
	    w.m4.actor[1]));
	cr_assert_eq(r.status, 200, "%s", r.body);
	h_http_free(&r);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM conformidades"),
	    1);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM conformidades"
	    " WHERE actor_id = $1 AND version_id = $2 AND sha256 = $3",
	    id(w.m4.actor[0]), id(w.m4.version), w.m4.sha), 1);
	/* Its PDF is its version's, whatever the query asks. */
	r = h_http("GET", h_strf("%s/e/%s/pdf?version=1", pald.url, lc), NULL,
	    NULL, NULL, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_str_eq(esc_sha256_hex(r.body, r.len), h_db_query_str(&db,
	    "SELECT sha256_pdf FROM pal_versiones WHERE id = $1",
	    id(w.m4.version)));
	h_http_free(&r);
}

Test(security, links_of_one_purpose_fail_at_another)
{
	struct world w = world();
	const char *lp = sql_acuse_link(w.m3.id, w.m3.actor[0],
	    w.m3.material2);
	const char *la = sql_link("avance", w.m1.id, 0, w.m1.actividad[0], 0,
	    0, NULL);
	const char *lc = sql_link("conformidad", w.m4.id, w.m4.actor[0], 0,
	    w.m4.version, 0, NULL);
	const char *lmon = sql_link("monitoreo", 0, 0, 0, 0, w.gar_oax.id,
	    NULL);
	const char *feed;
	json_t *j;

	j = esc_api("POST", "/v1/feeds", w.gar_oax.token, NULL, 201);
	feed = esc_jstr(j, "url");
	feed = h_strf("%.64s", strstr(feed, "/f/") + 3);

	/* Only a conformity link has a PDF. */
	link_refused("GET", lp, "/pdf", NULL, "an acuse link's /pdf");
	link_refused("GET", la, "/pdf", NULL, "an avance link's /pdf");
	/* A feed or monitoring token is no personal link. */
	link_refused("GET", feed, "", NULL, "a feed token at /e/");
	link_refused("POST", feed, "", "estado=cumplida", "a feed token "
	    "POSTed at /e/");
	link_refused("GET", feed, "/pdf", NULL, "a feed token at /e/…/pdf");
	link_refused("GET", lmon, "/pdf", NULL, "a monitoreo link's /pdf");
	/* API tokens are not links, links are not API tokens. */
	link_refused("GET", w.fac_a.token, "", NULL, "an API token at /e/");
	link_refused("POST", admin, "", NULL, "the admin's token at /e/");
	feed_refused(w.gar_oax.token, "an API token at /f/");
	feed_refused(lp, "an acuse link at /f/");
	feed_refused(la, "an avance link at /f/");
	feed_refused(lc, "a conformity link at /f/");
	feed_refused(lmon, "a monitoreo link at /f/");
	esc_api_refused("GET", "/v1/yo", lp, NULL, 401, "no_autenticado");
	esc_api_refused("GET", "/v1/yo", feed, NULL, 401, "no_autenticado");
	esc_api_refused("GET", "/v1/yo", lmon, NULL, 401, "no_autenticado");
}

Test(security, revoked_or_expired_links_are_404)
{
	struct world w = world();
	const char *lp = sql_acuse_link(w.m3.id, w.m3.actor[0],
	    w.m3.material2);
	const char *lq = sql_acuse_link(w.m3.id, w.m3.actor[1],
	    w.m3.material);
	const char *la = sql_link("avance", w.m1.id, 0, w.m1.actividad[0], 0,
	    0, NULL);
	const char *la2 = sql_link("avance", w.m1.id, 0, w.m1.actividad[1], 0,
	    0, NULL);
	const char *lc = sql_link("conformidad", w.m4.id, w.m4.actor[0], 0,
	    w.m4.version, 0, NULL);
	const char *feed, *url;
	struct h_http r;
	json_t *j;

	/* Revoked through the API: the actor's links of the mesa. */
	j = esc_api("POST", h_strf("/v1/mesas/%lld/actores/%lld/"
	    "revocar-enlaces", w.m3.id, w.m3.actor[1]), w.fac_a.token, NULL,
	    200);
	cr_assert_eq(esc_jint(j, "revocados"), 1);
	link_refused("GET", lq, "", NULL, "a revoked acuse link");
	link_refused("POST", lq, "", NULL, "a revoked acuse link");
	/* The other actor's link still works. */
	r = link_req("GET", lp, "", NULL);
	cr_assert_eq(r.status, 200);
	h_http_free(&r);

	/* Revoked in the database. */
	h_db_exec(&db, "UPDATE enlaces SET revocado = now() WHERE hash = $1",
	    esc_sha256_hex(la, 64));
	link_refused("GET", la, "", NULL, "a revoked avance link");
	link_refused("POST", la, "", "estado=cumplida", "a revoked avance "
	    "link");
	h_db_exec(&db, "UPDATE enlaces SET revocado = now() WHERE hash = $1",
	    esc_sha256_hex(lc, 64));
	link_refused("GET", lc, "", NULL, "a revoked conformity link");
	link_refused("POST", lc, "", NULL, "a revoked conformity link");
	link_refused("GET", lc, "/pdf", NULL, "a revoked conformity link");

	/* Expired. */
	h_db_exec(&db, "UPDATE enlaces SET creado = now() - interval '2 days',"
	    " expira = now() - interval '1 day' WHERE hash IN ($1, $2)",
	    esc_sha256_hex(lp, 64), esc_sha256_hex(la2, 64));
	link_refused("GET", lp, "", NULL, "an expired acuse link");
	link_refused("POST", lp, "", NULL, "an expired acuse link");
	link_refused("GET", la2, "", NULL, "an expired avance link");
	link_refused("POST", la2, "", "estado=cumplida", "an expired avance "
	    "link");

	/* A feed, revoked by its owner. */
	j = esc_api("POST", "/v1/feeds", w.gar_oax.token, NULL, 201);
	url = esc_jstr(j, "url");
	feed = h_strf("%.64s", strstr(url, "/f/") + 3);
	r = h_http("GET", url, NULL, NULL, NULL, 0);
	cr_assert_eq(r.status, 200);
	h_http_free(&r);
	esc_api("POST", "/v1/feeds/revocar", w.gar_oax.token, esc_json_text(
	    json_pack("{s:s}", "url", url)), 200);
	feed_refused(feed, "a revoked feed");
}

/*
 * The garante's web dashboard (/monitoreo): a session opened with a
 * token or a monitoreo link, its cookie the only credential after that.
 */

/* The session cookie ("name=value") of a 303 reply that set one, or NULL. */
static const char *
session_cookie(const struct h_http *r)
{
	const char *c = h_http_header(r, "Set-Cookie");

	if (r->status != 303 || c == NULL || strstr(c, "Max-Age=0") != NULL)
		return NULL;
	return h_strf("%.*s", (int)strcspn(c, ";"), c);
}

/* Logs in to the dashboard with an API token; the cookie. */
static const char *
dashboard_login(const char *tok)
{
	const char *form = h_strf("token=%s", tok);
	struct h_http r = h_http("POST", h_strf("%s/monitoreo/entrar",
	    pald.url), NULL, "application/x-www-form-urlencoded", form,
	    strlen(form));
	const char *cookie = session_cookie(&r);

	cr_assert_not_null(cookie, "no session: HTTP %ld %s", r.status,
	    r.body);
	h_http_free(&r);
	return cookie;
}

/* GET /monitoreo<query> with the cookie (NULL: none). */
static struct h_http
dashboard(const char *cookie, const char *query)
{
	return h_http_hdrs("GET", h_strf("%s/monitoreo%s", pald.url, query),
	    NULL, NULL, NULL, 0, (const char *const[]){ cookie != NULL ?
	    h_strf("Cookie: %s", cookie) : "X-Nada: 1", NULL });
}

Test(security, dashboard_shows_only_its_entidad)
{
	struct world w = world();
	const char *oax = dashboard_login(w.gar_oax.token);
	const char *fac = dashboard_login(w.fac_b.token);
	const char *lmon = sql_link("monitoreo", 0, 0, 0, 0, w.gar_jal.id,
	    NULL);
	const char *ctype, *jal;
	struct h_http r;

	r = dashboard(oax, "?proximas=365");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "Mesa de Tlacolula") != NULL, "%s", r.body);
	cr_assert(strstr(r.body, "Zapopan") == NULL, "the garante of Oaxaca "
	    "sees Jalisco on its dashboard");
	h_http_free(&r);
	r = dashboard(oax, "?entidad=Jalisco");
	ctype = h_http_header(&r, "Content-Type");
	cr_assert_eq(r.status, 403, "another entidad on the dashboard: HTTP "
	    "%ld", r.status);
	cr_assert(ctype != NULL && strstr(ctype, "text/html") != NULL);
	cr_assert(strstr(r.body, "Zapopan") == NULL);
	h_http_free(&r);
	/* A facilitador's session shows its own mesas only. */
	r = dashboard(fac, "?proximas=365");
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "Tlacolula") == NULL, "a facilitador sees "
	    "another's mesa on the dashboard");
	h_http_free(&r);
	/* No cookie, or a made-up one: to the login, nothing shown. */
	r = dashboard(NULL, "");
	cr_assert_eq(r.status, 303);
	cr_assert(strstr(r.body, "Tlacolula") == NULL);
	h_http_free(&r);
	r = dashboard(h_strf("%.*s%s", (int)strcspn(oax, "=") + 1, oax,
	    new_token()), "");
	cr_assert_eq(r.status, 303);
	cr_assert(strstr(r.body, "Tlacolula") == NULL);
	h_http_free(&r);
	/* A monitoreo link opens its own garante's session. */
	r = link_req("GET", lmon, "", NULL);
	jal = session_cookie(&r);
	cr_assert_not_null(jal, "a monitoreo link opened no session: %ld",
	    r.status);
	h_http_free(&r);
	r = dashboard(jal, "?proximas=365");
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body, "Zapopan") != NULL &&
	    strstr(r.body, "Tlacolula") == NULL, "%s", r.body);
	h_http_free(&r);
	/* Sessions are stored hashed. */
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM sesiones_web"
	    " WHERE hash = $1", strchr(oax, '=') + 1), 0);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM sesiones_web"
	    " WHERE hash = $1", esc_sha256_hex(strchr(oax, '=') + 1, 64)), 1);
	/* A revoked monitoreo link opens nothing. */
	h_db_exec(&db, "UPDATE enlaces SET revocado = now() WHERE hash = $1",
	    esc_sha256_hex(lmon, 64));
	r = link_req("GET", lmon, "", NULL);
	cr_assert_eq(r.status, 404);
	cr_assert_null(session_cookie(&r));
	h_http_free(&r);
}

/*
 * Users.
 */

Test(security, disabled_user_is_401)
{
	struct world w = world();
	const char *before;
	const char *url;
	struct h_http r;
	json_t *j;

	const char *cookie = dashboard_login(w.gar_oax.token);
	const char *lmon = sql_link("monitoreo", 0, 0, 0, 0, w.gar_oax.id,
	    NULL);

	j = esc_api("POST", "/v1/feeds", w.gar_oax.token, NULL, 201);
	url = esc_jstr(j, "url");
	esc_api("GET", "/v1/yo", w.fac_a.token, NULL, 200);
	h_db_exec(&db, "UPDATE usuarios SET activo = false WHERE id IN ($1,"
	    " $2)", id(w.fac_a.id), id(w.gar_oax.id));
	before = esc_snapshot();
	esc_api_refused("GET", "/v1/yo", w.fac_a.token, NULL, 401,
	    "no_autenticado");
	esc_api_refused("GET", h_strf("/v1/mesas/%lld", w.m1.id),
	    w.fac_a.token, NULL, 401, "no_autenticado");
	esc_api_refused("POST", "/v1/mesas", w.fac_a.token, "{\"titulo\":"
	    " \"Mesa\", \"entidad\": \"Oaxaca\"}", 401, "no_autenticado");
	esc_api_refused("POST", h_strf("/v1/mesas/%lld/actores", w.m3.id),
	    w.fac_a.token, "{\"nombre\": \"Ana\", \"email\": \"a@b.mx\","
	    " \"sector\": \"stl\"}", 401, "no_autenticado");
	esc_api_refused("GET", "/v1/monitoreo", w.gar_oax.token, NULL, 401,
	    "no_autenticado");
	/* A disabled garante's feed, session and link stop too. */
	r = h_http("GET", url, NULL, NULL, NULL, 0);
	cr_assert_eq(r.status, 404, "a disabled garante's feed: %ld",
	    r.status);
	h_http_free(&r);
	r = dashboard(cookie, "");
	cr_assert_eq(r.status, 303, "a disabled garante's session: %ld",
	    r.status);
	cr_assert(strstr(r.body, "Tlacolula") == NULL);
	h_http_free(&r);
	r = link_req("GET", lmon, "", NULL);
	cr_assert_eq(r.status, 404, "a disabled garante's monitoreo link: "
	    "%ld", r.status);
	cr_assert_null(session_cookie(&r));
	h_http_free(&r);
	r = h_http("POST", h_strf("%s/monitoreo/entrar", pald.url), NULL,
	    "application/x-www-form-urlencoded", h_strf("token=%s",
	    w.gar_oax.token), 70);
	cr_assert_eq(r.status, 401, "a disabled garante logged in: %ld",
	    r.status);
	h_http_free(&r);
	esc_assert_unchanged(before, "a disabled user");
	/* Enabled again, the same token works: the flag was the reason. */
	h_db_exec(&db, "UPDATE usuarios SET activo = true WHERE id = $1",
	    id(w.fac_a.id));
	esc_api("GET", "/v1/yo", w.fac_a.token, NULL, 200);
}

Test(security, admin_only_routes_refuse_facilitador_and_garante)
{
	struct world w = world();
	const char *tokens[2] = { w.fac_a.token, w.gar_all.token };
	const char *before = esc_snapshot();

	for (int i = 0; i < 2; i++) {
		esc_api_refused("GET", "/v1/usuarios", tokens[i], NULL, 403,
		    "prohibido");
		esc_api_refused("POST", "/v1/usuarios", tokens[i],
		    "{\"nombre\": \"Nuevo Admin\", \"email\": "
		    "\"nuevo@ejemplo.mx\", \"rol\": \"admin\"}", 403,
		    "prohibido");
		esc_api_refused("GET", "/v1/correos", tokens[i], NULL, 403,
		    "prohibido");
		esc_api_refused("POST", "/v1/correos/prueba", tokens[i],
		    "{\"email\": \"x@ejemplo.mx\"}", 403, "prohibido");
		esc_api_refused("POST", "/v1/recordatorios/ejecutar", tokens[i],
		    NULL, 403, "prohibido");
	}
	/* A garante changes nothing, not even a mesa of its own. */
	esc_api_refused("POST", "/v1/mesas", w.gar_oax.token, "{\"titulo\":"
	    " \"Mesa\", \"entidad\": \"Oaxaca\"}", 403, "prohibido");
	esc_assert_unchanged(before, "admin-only routes");
	esc_api("GET", "/v1/usuarios", admin, NULL, 200);
	esc_api("GET", "/v1/correos", admin, NULL, 200);
}

/*
 * The log: no token (API or link, as used or as mangled paths carry
 * them), no Authorization value, no email or name.
 */

static const char *const odd_methods[] = { "HEAD", "PUT", "DELETE",
    "OPTIONS", "PATCH" };

/* Fails naming the first log line that holds needle. */
static void
assert_not_logged(const char *log, const char *needle, const char *what)
{
	const char *at = strstr(log, needle), *start;

	if (at == NULL)
		return;
	for (start = at; start > log && start[-1] != '\n'; start--)
		;
	cr_assert_fail("%s «%s» is in the log:\n%.*s", what, needle,
	    (int)(strcspn(start, "\n")), start);
}

/* Every request a real client, a scanner or a typo makes with links. */
static void
use_links(const char *const *links, size_t n, const char *feed)
{
	for (size_t i = 0; i < n; i++) {
		struct h_http r = link_req("GET", links[i], "", NULL);

		h_http_free(&r);
		r = link_req("GET", links[i], "/pdf", NULL);
		h_http_free(&r);
		r = link_req("POST", links[i], "", "estado=en_progreso");
		h_http_free(&r);
		r = h_http("GET", h_strf("%s/f/%s.ics", pald.url, links[i]),
		    NULL, NULL, NULL, 0);
		h_http_free(&r);
	}
	{
		struct h_http r = h_http("GET", h_strf("%s/f/%s.ics", pald.url,
		    feed), NULL, NULL, NULL, 0);

		h_http_free(&r);
		r = h_http("GET", h_strf("%s/f/%s", pald.url, feed), NULL,
		    NULL, NULL, 0);
		h_http_free(&r);
	}
}

static void
use_links_oddly(const char *const *links, size_t n, const char *feed)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < sizeof(odd_methods) /
		    sizeof(odd_methods[0]); k++) {
			struct h_http r = link_req(odd_methods[k], links[i], "",
			    NULL);

			h_http_free(&r);
			r = h_http(odd_methods[k], h_strf("%s/f/%s.ics",
			    pald.url, feed), NULL, NULL, NULL, 0);
			h_http_free(&r);
		}
	for (size_t i = 0; i < n; i++) {
		/* Unknown paths under a link, and a pasted link twice. */
		struct h_http r = link_req("GET", links[i], "/", NULL);

		h_http_free(&r);
		r = link_req("GET", links[i], "/pdf/x", NULL);
		h_http_free(&r);
		r = link_req("GET", links[i], "/confirmar", NULL);
		h_http_free(&r);
		r = h_http("GET", h_strf("%s/e/%s/e/%s", pald.url, links[i],
		    links[i]), NULL, NULL, NULL, 0);
		h_http_free(&r);
		r = h_http("GET", h_strf("%s/e/%s", pald.url, links[i]), NULL,
		    NULL, NULL, 0);
		h_http_free(&r);
		r = h_http("GET", h_strf("%s/f/%s.ics/x", pald.url, feed),
		    NULL, NULL, NULL, 0);
		h_http_free(&r);
	}
}

/* Every API token in every place a client could put it. */
static void
use_tokens(const char *const *tokens, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *hdr[] = { h_strf("X-Api-Token: %s", tokens[i]),
		    NULL };
		struct h_http r = h_api(&pald, "GET", "/v1/yo", tokens[i],
		    NULL);

		h_http_free(&r);
		r = h_api(&pald, "GET", "/v1/mesas", tokens[i], NULL);
		h_http_free(&r);
		r = h_api(&pald, "POST", "/v1/mesas", tokens[i], "{");
		h_http_free(&r);
		r = h_api(&pald, "DELETE", "/v1/mesas", tokens[i], NULL);
		h_http_free(&r);
		r = h_api(&pald, "GET", "/v1/nada", tokens[i], NULL);
		h_http_free(&r);
		r = h_http_hdrs("GET", h_strf("%s/v1/yo", pald.url), NULL,
		    NULL, NULL, 0, (const char *const[]){ h_strf(
		    "Authorization: %s", tokens[i]), NULL });
		h_http_free(&r);
		r = h_http_hdrs("GET", h_strf("%s/v1/yo", pald.url), NULL,
		    NULL, NULL, 0, hdr);
		h_http_free(&r);
		r = h_api(&pald, "GET", h_strf("/v1/yo?token=%s", tokens[i]),
		    NULL, NULL);
		h_http_free(&r);
	}
}

struct log_fx {
	struct world	 w;
	const char	*api[6];	/* every API token */
	const char	*links[5];	/* one of each purpose */
	const char	*feed;
	const char	*cookie;	/* a dashboard session's cookie */
	const char	*session;	/* and its token */
};

static struct log_fx
log_fixture(void)
{
	struct log_fx f;
	json_t *j;

	f.w = world();
	f.api[0] = admin;
	f.api[1] = f.w.fac_a.token;
	f.api[2] = f.w.fac_b.token;
	f.api[3] = f.w.gar_oax.token;
	f.api[4] = f.w.gar_jal.token;
	f.api[5] = f.w.gar_all.token;
	f.links[0] = sql_acuse_link(f.w.m3.id, f.w.m3.actor[0],
	    f.w.m3.material2);
	f.links[1] = sql_link("avance", f.w.m1.id, 0, f.w.m1.actividad[0], 0,
	    0, NULL);
	f.links[2] = sql_link("conformidad", f.w.m4.id, f.w.m4.actor[0], 0,
	    f.w.m4.version, 0, NULL);
	f.links[3] = sql_link("conformidad", f.w.m4.id, f.w.m4.actor[1], 0,
	    f.w.m4.version_old, 0, NULL);
	f.links[4] = sql_link("monitoreo", 0, 0, 0, 0, f.w.gar_jal.id, NULL);
	f.cookie = dashboard_login(f.w.gar_oax.token);
	f.session = strchr(f.cookie, '=') + 1;
	j = esc_api("POST", "/v1/feeds", f.w.gar_oax.token, NULL, 201);
	f.feed = h_strf("%.64s", strstr(esc_jstr(j, "url"), "/f/") + 3);
	return f;
}

static void
assert_secrets_not_logged(const struct log_fx *f)
{
	char *log;

	/* The access line is written after the reply. */
	h_sleep_ms(200);
	log = h_pald_log(&pald);
	for (size_t i = 0; i < 6; i++)
		assert_not_logged(log, f->api[i], "an API token");
	for (size_t i = 0; i < 5; i++)
		assert_not_logged(log, f->links[i], "a link token");
	assert_not_logged(log, f->feed, "a feed token");
	assert_not_logged(log, f->session, "a dashboard session");
	assert_not_logged(log, "Bearer", "an Authorization value");
	free(log);
	/* Stored hashed only. */
	for (size_t i = 0; i < 6; i++)
		cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM tokens"
		    " WHERE hash = $1", f->api[i]), 0);
	for (size_t i = 0; i < 5; i++)
		cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"
		    " WHERE hash = $1", f->links[i]), 0);
}

Test(security, tokens_never_logged_in_normal_use)
{
	struct log_fx f = log_fixture();

	use_tokens(f.api, 6);
	use_links(f.links, 5, f.feed);
	{
		struct h_http r = dashboard(f.cookie, "?proximas=30");

		h_http_free(&r);
		r = dashboard(f.cookie, "?entidad=Jalisco");
		h_http_free(&r);
	}
	assert_secrets_not_logged(&f);
}

/*
 * The paths a mail scanner (HEAD), a typo or a proxy produce: the route
 * table does not match them, but they carry the token all the same.
 */
Test(security, tokens_never_logged_on_unmatched_paths)
{
	struct log_fx f = log_fixture();

	use_links_oddly(f.links, 5, f.feed);
	assert_secrets_not_logged(&f);
}

Test(security, personal_data_never_logged)
{
	struct log_fx f = log_fixture();
	const char *const personal[] = { f.w.fac_a.nombre, f.w.fac_a.email,
	    f.w.fac_b.nombre, f.w.fac_b.email, f.w.gar_oax.email,
	    "Ana Ruiz", "ana@osc-oax.mx", "Carlos Méndez", "Pedro Pérez",
	    "pedro@osc-etla.mx", "Queta Quiroz", "Irma Istmo",
	    "irma@osc-istmo.mx", "luis@tlacolula.gob.mx", "Luis Pérez",
	    "Admin Pruebas", "admin@ejemplo.mx", "Nueva Persona",
	    "nueva@osc.mx" };
	char *log;

	use_tokens(f.api, 6);
	use_links(f.links, 5, f.feed);
	/* Rows with personal data written, refused, and duplicated. */
	esc_api("POST", h_strf("/v1/mesas/%lld/actores", f.w.m3.id),
	    f.w.fac_a.token, "{\"nombre\": \"Nueva Persona\", \"email\":"
	    " \"nueva@osc.mx\", \"sector\": \"stl\"}", 201);
	esc_api_refused("POST", h_strf("/v1/mesas/%lld/actores", f.w.m3.id),
	    f.w.fac_a.token, "{\"nombre\": \"Nueva Persona\", \"email\":"
	    " \"nueva@osc.mx\", \"sector\": \"stl\"}", 409, NULL);
	esc_api_refused("POST", h_strf("/v1/mesas/%lld/actores", f.w.m3.id),
	    f.w.fac_a.token, "{\"nombre\": \"Nueva Persona\", \"email\":"
	    " \"nueva@osc\", \"sector\": \"nada\"}", 422, NULL);
	esc_api_refused("POST", "/v1/usuarios", admin, esc_json_text(json_pack(
	    "{s:s, s:s, s:s}", "nombre", f.w.fac_a.nombre, "email",
	    f.w.fac_a.email, "rol", "facilitador")), 409, NULL);
	esc_api("POST", "/v1/feeds", f.w.fac_a.token,
	    "{\"email\": \"luis@tlacolula.gob.mx\"}", 201);
	esc_api_refused("POST", "/v1/feeds", f.w.fac_b.token,
	    "{\"email\": \"luis@tlacolula.gob.mx\"}", 404, NULL);
	h_sleep_ms(200);
	log = h_pald_log(&pald);
	for (size_t i = 0; i < sizeof(personal) / sizeof(personal[0]); i++)
		assert_not_logged(log, personal[i], "personal data");
	free(log);
}
