/*
 * The acuerdos of a mesa and its Plan de Acción Local, end to end through
 * the real `pal` (issue 4): commitments of the three types with their
 * activities and attested criteria, the PAL's rules listed all at once,
 * closing a version (canonical JSON and PDF, each with its SHA-256), the
 * PDF read back with poppler's pdftotext and pdfinfo, conformity through
 * the personal links of the closing email and by the facilitator, a
 * change after closing that voids the version and its conformities, the
 * delivery of the signed PAL (PDF, summary and iCalendar parsed back from
 * the SMTP server), the open data in JSON and CSV, and the scan of the
 * signed paper as evidence.
 *
 * The tests are written to docs/API.md, DESIGN.md and the issue, not to
 * the code: each assertion is something a facilitator, an actor or the
 * garante would notice (an exit code, the error code printed, the bytes
 * of a file, the email received, the row stored). They deliberately do
 * not check wording the documents leave open. Each mesa is brought to
 * en_sesion quickly, with materials and receipts backdated by 20 and 15
 * days so it may be scheduled for today; test_preparacion.c and
 * test_sesion.c test that path itself.
 */
#include <criterion/criterion.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escenario.h"
#include "harness.h"

#define TZ_MX		"America/Mexico_City"

static struct h_db db;
static struct h_smtp smtp;
static struct h_pald pald;
static char admin[80];

static void
setup(void)
{
	esc_setup(&db, &smtp, &pald, NULL, admin, sizeof(admin));
}

TestSuite(acuerdos, .init = setup, .fini = esc_teardown, .timeout = 120);

/*
 * Small tools: text and files (the common ones are escenario.h's).
 */

/* "2027-03-31" -> "20270331". Test-lived. */
static const char *
date_compact(const char *iso)
{
	int y, m, d;

	cr_assert_eq(sscanf(iso, "%d-%d-%d", &y, &m, &d), 3);
	return h_strf("%04d%02d%02d", y, m, d);
}

/*
 * s with every run of white space (ASCII, and the no-break space U+00A0)
 * made one space and none at either end: text extracted from a PDF or
 * wrapped in an email breaks lines where the layout wants. Test-lived.
 */
static const char *
squeeze(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	const char *r;
	bool space = false;

	cr_assert_not_null(out);
	for (; *s != '\0'; s++) {
		const unsigned char *u = (const unsigned char *)s;

		if (isspace(u[0]) || (u[0] == 0xc2 && u[1] == 0xa0)) {
			if (u[0] == 0xc2)
				s++;
			space = true;
			continue;
		}
		if (space && o != out)
			*o++ = ' ';
		space = false;
		*o++ = *s;
	}
	*o = '\0';
	r = h_strf("%s", out);
	free(out);
	return r;
}

/* s without any white space. Test-lived. */
static const char *
strip_ws(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	const char *r;

	cr_assert_not_null(out);
	for (; *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			*o++ = *s;
	*o = '\0';
	r = h_strf("%s", out);
	free(out);
	return r;
}

/* Runs a command that must succeed; its stdout. Test-lived. */
static const char *
cmd_out(const char *const *argv)
{
	struct h_run r = h_run_argv(argv, NULL, NULL, 0);
	const char *s;

	cr_assert_eq(r.status, 0, "%s: exit %d: %s", argv[0], r.status,
	    r.err != NULL ? r.err : "");
	s = h_strf("%s", r.out != NULL ? r.out : "");
	h_run_free(&r);
	return s;
}

/* The SHA-256 of a file's bytes; NULL if it cannot be read. */
static const char *
file_sha256(const char *path, size_t *len)
{
	size_t n;
	char *data = h_read_file(path, &n);
	const char *sha;

	if (data == NULL)
		return NULL;
	sha = esc_sha256_hex(data, n);
	free(data);
	if (len != NULL)
		*len = n;
	return sha;
}

/*
 * Asserts that small is inside big: every member of an object (at any
 * depth) is in big with a value that contains it, arrays have the same
 * length and contain each other item by item, and scalars are equal.
 */
static void
json_contains(const char *where, json_t *big, json_t *small)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_object(small)) {
		cr_assert(json_is_object(big), "%s: not an object", where);
		json_object_foreach(small, key, v) {
			json_t *b = json_object_get(big, key);

			cr_assert_not_null(b, "%s.%s is missing", where, key);
			json_contains(h_strf("%s.%s", where, key), b, v);
		}
	} else if (json_is_array(small)) {
		cr_assert(json_is_array(big), "%s: not an array", where);
		cr_assert_eq(json_array_size(big), json_array_size(small),
		    "%s: %zu items, expected %zu", where,
		    json_array_size(big), json_array_size(small));
		json_array_foreach(small, i, v)
			json_contains(h_strf("%s[%zu]", where, i),
			    json_array_get(big, i), v);
	} else
		cr_assert(json_equal(big, small), "%s differs", where);
}

/*
 * The domain, through pal.
 */

/*
 * The four actors: one per sector, with accents. The fourth (the STL)
 * does not attend the session. The addresses are short enough for the
 * columns of `pal correo listar`.
 */
static const struct esc_actor ACTORES[4] = {
	{ "José Ángel Núñez Peña", "jose@colectivo.mx", "sociedad_civil",
	    "Colectivo Ciudadano de Tlacolula", "Coordinador" },
	{ "Lucía Hernández Ruiz", "lucia@tlacolula.gob.mx",
	    "institucion_publica", "Municipio de Tlacolula",
	    "Directora de Transparencia" },
	{ "Ramón Ortiz Villalobos", "ramon@garante-oax.org.mx",
	    "organismo_garante", "Órgano Garante de Acceso a la Información",
	    "Comisionado" },
	{ "Sofía Martínez Cruz", "sofia@stl-oaxaca.org.mx", "stl",
	    "Secretariado Técnico Local", "Enlace" },
};
#define N_ASISTENTES	3

struct mesa_fx {
	long long	 id;
	const char	*sid;		/* id as text */
	const char	*titulo;
	const char	*fecha;		/* of the session: today */
	long long	 actor[4];
};

/*
 * A mesa owned by tok with the four actors, brought to en_sesion today
 * with the first three attending: a material from each of the first two
 * submitted 20 days ago, every other pair received by hand 15 days ago,
 * scheduled for today (its convocatoria delivered to the four before
 * this returns, so later messages can be told apart) and opened.
 */
static struct mesa_fx
mesa_en_sesion(const char *tok, const char *titulo)
{
	static const char *const materiales[2] = {
		"Problemáticas de la colonia Centro",
		"Resultados de la consulta pública",
	};
	const char *hoy = esc_today_in(TZ_MX);
	struct mesa_fx fx;
	int before;
	json_t *j;

	memset(&fx, 0, sizeof(fx));
	fx.titulo = titulo;
	fx.fecha = hoy;
	j = esc_pal_json(tok, "mesa", "crear", "--titulo", titulo, "--entidad",
	    "Oaxaca", "--municipio", "Tlacolula de Matamoros");
	fx.id = esc_jint(j, "id");
	fx.sid = esc_id_text(fx.id);
	for (int i = 0; i < 4; i++)
		fx.actor[i] = esc_jint(esc_actor_agregar(tok, fx.id,
		    &ACTORES[i]), "id");
	esc_materiales_recibidos(tok, fx.id, hoy, fx.actor, 4, materiales,
	    NULL);
	before = h_smtp_count(&smtp);
	esc_pal_json(tok, "mesa", "programar", fx.sid, "--fecha", hoy, "--hora",
	    "10:00", "--lugar", "Salón de Cabildo, Palacio Municipal");
	cr_assert_eq(h_smtp_wait(&smtp, before + 4, ESC_MAIL_WAIT_MS),
	    before + 4, "the convocatoria did not reach the four actors");
	j = esc_pal_json(tok, "sesion", "abrir", fx.sid, "--asistentes",
	    h_strf("%lld,%lld,%lld", fx.actor[0], fx.actor[1], fx.actor[2]));
	cr_assert_eq(json_array_size(esc_jarr(j, "asistentes")), N_ASISTENTES);
	cr_assert_str_eq(esc_mesa_fase(tok, fx.id), "en_sesion");
	return fx;
}

/*
 * The PAL the tests agree on: five commitments of the three types (one
 * on open contracting, two aligned with the national plan, two local),
 * seven activities with distinct deadlines inside each commitment's
 * year. The first title carries a comma and quotes for the CSV.
 */
struct act_def {
	const char	*descripcion, *responsable, *email, *cargo,
			*institucion, *fecha, *entregable;
};

static const struct comp_def {
	const char	*titulo, *tipo, *alineacion, *inicio, *fin;
	const char	*problema, *descripcion, *indicador, *meta,
			*institucion;
	struct act_def	 act[2];
	int		 n_act;
} COMPS[5] = {
	{ "Contratación abierta: \"obra pública\", de la licitación al pago",
	    "contrataciones_abiertas", NULL, "2026-12-01", "2027-11-30",
	    "Los contratos de obra no se publican.",
	    "Publicar cada contrato de obra en el estándar de datos abiertos.",
	    "Contratos publicados / contratos firmados",
	    "100 % de los contratos de obra de 2027",
	    "Dirección de Obras Públicas",
	    { { "Publicar los contratos de obra en formato abierto",
		"Lucía Hernández Ruiz", "lucia.obras@tlacolula.gob.mx",
		"Directora", "Municipio de Tlacolula", "2027-03-31",
		"Portal de contrataciones" },
	      { "Capacitar a la contraloría social en el estándar",
		"Pedro Sánchez López", "pedro@colectivo.mx", "Contralor social",
		"Colectivo Ciudadano de Tlacolula", "2027-06-30",
		"Lista de asistencia" } }, 2 },
	{ "Participación ciudadana en el presupuesto municipal",
	    "plan_nacional",
	    "Compromiso 13 del Plan de Acción 2013-2015: presupuestos abiertos",
	    "2026-12-01", "2027-11-30", "El presupuesto se decide sin la "
	    "ciudadanía.", "Un consejo ciudadano revisa el presupuesto.",
	    "Sesiones del consejo celebradas", "Cuatro sesiones al año",
	    "Tesorería Municipal",
	    { { "Instalar el consejo ciudadano del presupuesto",
		"Andrés Gómez Díaz", "andres@tlacolula.gob.mx", "Tesorero",
		"Tesorería Municipal", "2027-02-15", "Acta de instalación" } },
	    1 },
	{ "Transparencia en trámites: ventanilla única en línea",
	    "plan_nacional",
	    "Compromiso 5 del Plan de Acción 2013-2015: trámites abiertos",
	    "2027-01-15", "2028-01-14", "Los requisitos cambian sin aviso.",
	    "Un catálogo de trámites público y actualizado.",
	    "Trámites publicados", "Los 40 trámites del municipio",
	    "Secretaría del Ayuntamiento",
	    { { "Publicar el catálogo de trámites con costos",
		"María Pérez Ruiz", "maria@tlacolula.gob.mx", "Secretaria",
		"Secretaría del Ayuntamiento",
		"2027-09-30", "Catálogo en línea" } }, 1 },
	{ "Alumbrado público: reportes ciudadanos con seguimiento", "local",
	    NULL, "2026-12-01", "2027-11-30", "Las lámparas tardan meses.",
	    "Un registro público de reportes y su atención.",
	    "Días promedio de atención", "Menos de 7 días",
	    "Dirección de Servicios Municipales",
	    { { "Abrir el registro público de reportes de alumbrado",
		"Jorge Ramírez Castro", "jorge@tlacolula.gob.mx", "Director",
		"Servicios Municipales", "2027-05-31", "Registro en línea" } },
	    1 },
	{ "Información pública en zapoteco del valle", "local", NULL,
	    "2026-12-01", "2027-11-30", "La información sólo está en español.",
	    "Traducir la información más solicitada.",
	    "Documentos traducidos", "20 documentos",
	    "Unidad de Transparencia",
	    { { "Traducir las 20 solicitudes más frecuentes",
		"Elena Cruz Hernández", "elena@colectivo.mx", "Traductora",
		"Colectivo Ciudadano de Tlacolula", "2027-08-31",
		"Documentos en zapoteco" },
	      { "Difundir la guía en la radio comunitaria",
		"Elena Cruz Hernández", "elena@colectivo.mx", "Traductora",
		"Colectivo Ciudadano de Tlacolula", "2027-10-15",
		"Grabaciones" } }, 2 },
};
#define N_COMPS		5
#define N_ACTS		7

static const char *const CRITERIOS[5] = { "medible", "especifico",
    "replicable", "sostenible", "alto_impacto" };

/* The ids the server gave to the PAL's parts. */
struct pal_fx {
	long long	 comp[N_COMPS];
	long long	 numero[N_COMPS];
	long long	 act[N_COMPS][2];
};

/* `pal compromiso agregar` of COMPS[i]; the reply checked, kept. */
static json_t *
comp_add(const char *tok, const struct mesa_fx *fx, int i)
{
	const struct comp_def *c = &COMPS[i];
	const char *argv[32];
	size_t n = 0;
	json_t *j;

	argv[n++] = "--json";
	argv[n++] = "compromiso";
	argv[n++] = "agregar";
	argv[n++] = fx->sid;
	argv[n++] = "--titulo";
	argv[n++] = c->titulo;
	argv[n++] = "--tipo";
	argv[n++] = c->tipo;
	argv[n++] = "--inicio";
	argv[n++] = c->inicio;
	if (c->alineacion != NULL) {
		argv[n++] = "--alineacion";
		argv[n++] = c->alineacion;
	}
	argv[n++] = "--problema";
	argv[n++] = c->problema;
	argv[n++] = "--descripcion";
	argv[n++] = c->descripcion;
	argv[n++] = "--indicador";
	argv[n++] = c->indicador;
	argv[n++] = "--meta";
	argv[n++] = c->meta;
	argv[n++] = "--institucion";
	argv[n++] = c->institucion;
	argv[n] = NULL;
	j = esc_pal_json_v(tok, 0, argv);
	cr_assert_eq(esc_jint(j, "mesa_id"), fx->id);
	cr_assert_gt(esc_jint(j, "numero"), 0);
	cr_assert_str_eq(esc_jstr(j, "titulo"), c->titulo);
	cr_assert_str_eq(esc_jstr(j, "tipo"), c->tipo);
	cr_assert_str_eq(esc_jstr(j, "inicio"), c->inicio);
	cr_assert_str_eq(esc_jstr(j, "fin"), c->fin, "commitment starting %s: "
	    "fin %s, expected %s (inicio + 1 año - 1 día)", c->inicio,
	    esc_jstr(j, "fin"), c->fin);
	if (c->alineacion != NULL)
		cr_assert_str_eq(esc_jstr(j, "alineacion"), c->alineacion);
	else
		cr_assert_null(esc_jstr(j, "alineacion"));
	cr_assert_str_eq(esc_jstr(j, "indicador"), c->indicador);
	cr_assert_str_eq(esc_jstr(j, "meta"), c->meta);
	cr_assert_str_eq(esc_jstr(j, "institucion"), c->institucion);
	cr_assert_eq(json_array_size(esc_jarr(j, "actividades")), 0);
	cr_assert_eq(json_array_size(esc_jarr(j, "criterios")), 0);
	return j;
}

/* `pal actividad agregar` of a; the id, checked. */
static long long
act_add(const char *tok, long long comp, const struct act_def *a)
{
	const char *argv[32];
	size_t n = 0;
	json_t *j, *r;

	argv[n++] = "--json";
	argv[n++] = "actividad";
	argv[n++] = "agregar";
	argv[n++] = esc_id_text(comp);
	argv[n++] = "--descripcion";
	argv[n++] = a->descripcion;
	argv[n++] = "--responsable";
	argv[n++] = a->responsable;
	argv[n++] = "--email";
	argv[n++] = a->email;
	argv[n++] = "--fecha";
	argv[n++] = a->fecha;
	if (a->cargo != NULL) {
		argv[n++] = "--cargo";
		argv[n++] = a->cargo;
	}
	if (a->institucion != NULL) {
		argv[n++] = "--institucion";
		argv[n++] = a->institucion;
	}
	argv[n++] = "--entregable";
	argv[n++] = a->entregable;
	argv[n] = NULL;
	j = esc_pal_json_v(tok, 0, argv);
	cr_assert_eq(esc_jint(j, "compromiso_id"), comp);
	cr_assert_gt(esc_jint(j, "numero"), 0);
	cr_assert_str_eq(esc_jstr(j, "descripcion"), a->descripcion);
	cr_assert_str_eq(esc_jstr(j, "fecha_limite"), a->fecha);
	cr_assert_str_eq(esc_jstr(j, "estado"), "pendiente");
	r = esc_jobj(j, "responsable");
	cr_assert_str_eq(esc_jstr(r, "nombre"), a->responsable);
	cr_assert_str_eq(esc_jstr(r, "email"), a->email);
	if (a->institucion != NULL)
		cr_assert_str_eq(esc_jstr(r, "institucion"), a->institucion);
	return esc_jint(j, "id");
}

/* Attests the five criteria of comp, but skip (may be NULL). */
static void
criterios_add(const char *tok, long long comp, const char *skip)
{
	for (int k = 0; k < 5; k++) {
		json_t *j;

		if (skip != NULL && strcmp(CRITERIOS[k], skip) == 0)
			continue;
		j = esc_pal_json(tok, "criterio", "atestiguar",
		    esc_id_text(comp), "--criterio", CRITERIOS[k], "--quien",
		    "José Ángel Núñez Peña (sociedad civil)", "--justificacion",
		    h_strf("Cumple el criterio «%s»: lo acordaron los tres "
		    "sectores en la mesa.", CRITERIOS[k]));
		cr_assert_str_eq(esc_jstr(j, "criterio"), CRITERIOS[k]);
	}
}

/* Commitment i with its activities and the five criteria. */
static void
comp_full(const char *tok, const struct mesa_fx *fx, struct pal_fx *p, int i)
{
	json_t *j = comp_add(tok, fx, i);

	p->comp[i] = esc_jint(j, "id");
	p->numero[i] = esc_jint(j, "numero");
	for (int k = 0; k < COMPS[i].n_act; k++)
		p->act[i][k] = act_add(tok, p->comp[i], &COMPS[i].act[k]);
	criterios_add(tok, p->comp[i], NULL);
}

/* The whole valid PAL, in table order. */
static struct pal_fx
valid_pal(const char *tok, const struct mesa_fx *fx)
{
	struct pal_fx p;

	memset(&p, 0, sizeof(p));
	for (int i = 0; i < N_COMPS; i++)
		comp_full(tok, fx, &p, i);
	return p;
}

/* `pal --json pal validar`: exit 0 when valid, 2 when not. Errores. */
static json_t *
validar(const char *tok, const struct mesa_fx *fx, bool valid)
{
	json_t *j = esc_pal_json_status(tok, valid ? 0 : 2, "pal", "validar",
	    fx->sid);

	cr_assert(json_is_boolean(json_object_get(j, "valido")));
	cr_assert_eq(json_is_true(json_object_get(j, "valido")), valid,
	    "valido is %s", valid ? "false" : "true");
	if (valid)
		cr_assert_eq(json_array_size(esc_jarr(j, "errores")), 0);
	else
		cr_assert_gt(json_array_size(esc_jarr(j, "errores")), 0);
	return esc_jarr(j, "errores");
}

/* Errors of code (and, if comp >= 0, of that compromiso_id). */
static int
count_code(json_t *errores, const char *code, long long comp)
{
	size_t i;
	json_t *e;
	int n = 0;

	json_array_foreach(errores, i, e) {
		json_t *cid = json_object_get(e, "compromiso_id");

		if (strcmp(esc_jstr(e, "code"), code) != 0)
			continue;
		if (comp >= 0 && (!json_is_integer(cid) ||
		    json_integer_value(cid) != comp))
			continue;
		n++;
	}
	return n;
}

/* Every error's code is one of codes[0..n). Every error has a message. */
static void
check_only_codes(json_t *errores, const char *const *codes, size_t n)
{
	size_t i;
	json_t *e;

	json_array_foreach(errores, i, e) {
		bool known = false;

		cr_assert(esc_jstr(e, "message") != NULL &&
		    strlen(esc_jstr(e, "message")) > 0, "error %s without a "
		    "message", esc_jstr(e, "code"));
		for (size_t k = 0; k < n; k++)
			known |= strcmp(esc_jstr(e, "code"), codes[k]) == 0;
		cr_assert(known, "unexpected error %s: %s", esc_jstr(e, "code"),
		    esc_jstr(e, "message"));
	}
}

/* Every message of errores appears in text as a "- <message>" line. */
static void
check_messages_listed(const char *what, const char *text, json_t *errores,
    bool dashed)
{
	size_t i;
	json_t *e;

	json_array_foreach(errores, i, e) {
		const char *m = esc_jstr(e, "message");

		cr_assert(strstr(text, dashed ? h_strf("- %s", m) : m) !=
		    NULL, "%s does not list «%s%s»:\n%s", what,
		    dashed ? "- " : "", m, text);
	}
}

/*
 * Mail.
 */

/*
 * Waits until the outbox has nothing left to deliver and returns how many
 * messages the catcher holds: messages after that index are caused by
 * what the test does next, not by an earlier step still in flight.
 */
static int
mail_settle(void)
{
	cr_assert_eq(h_db_wait_int(&db, ESC_MAIL_WAIT_MS, 0, "SELECT count(*) "
	    "FROM outbox WHERE estado = 'pendiente'"), 0,
	    "the outbox did not drain");
	return h_smtp_count(&smtp);
}

/* The SHA-256 of the body of a raw authenticated GET that must be 200. */
static const char *
api_body_sha(const char *path, const char *tok, const char **ctype)
{
	struct h_http r = h_api(&pald, "GET", path, tok, NULL);
	const char *sha;

	cr_assert_eq(r.status, 200, "GET %s: HTTP %ld: %s", path, r.status,
	    r.body);
	sha = esc_sha256_hex(r.body, r.len);
	if (ctype != NULL) {
		const char *c = h_http_header(&r, "Content-Type");

		*ctype = c != NULL ? c : "";
	}
	h_http_free(&r);
	return sha;
}

/* The body of a raw authenticated GET that must be 200. Test-lived. */
static const char *
api_body(const char *path, const char *tok, size_t *len,
    const char **ctype)
{
	struct h_http r = h_api(&pald, "GET", path, tok, NULL);
	const char *body;

	cr_assert_eq(r.status, 200, "GET %s: HTTP %ld: %s", path, r.status,
	    r.body);
	cr_assert_eq(strlen(r.body), r.len, "GET %s: a NUL byte in a text "
	    "body", path);
	body = h_strf("%s", r.body);
	if (len != NULL)
		*len = r.len;
	if (ctype != NULL) {
		const char *c = h_http_header(&r, "Content-Type");

		*ctype = c != NULL ? c : "";
	}
	h_http_free(&r);
	return body;
}

/*
 * The PAL's documents.
 */

/* `pal --json pal cerrar`: the version, checked. Kept. */
static json_t *
cerrar(const char *tok, const struct mesa_fx *fx, long long numero)
{
	json_t *v = esc_pal_json(tok, "pal", "cerrar", fx->sid);

	cr_assert_eq(esc_jint(v, "numero"), numero);
	cr_assert_eq(strlen(esc_jstr(v, "sha256_canonico")), 64);
	cr_assert_eq(strspn(esc_jstr(v, "sha256_canonico"), "0123456789abcdef"),
	    64);
	cr_assert_eq(strlen(esc_jstr(v, "sha256_pdf")), 64);
	cr_assert_eq(strspn(esc_jstr(v, "sha256_pdf"), "0123456789abcdef"), 64);
	cr_assert_gt(esc_jint(v, "paginas"), 0);
	cr_assert_not_null(esc_jstr(v, "cerrado"));
	return v;
}

/*
 * The canonical JSON of the current version, fetched raw: its bytes
 * hash to sha, it is jansson's compact, key-sorted rendering of itself,
 * and it carries the version's number. Parsed, kept.
 */
static json_t *
check_canonico(const char *tok, const struct mesa_fx *fx, const char *query,
    const char *sha, long long numero)
{
	size_t len;
	const char *ctype;
	const char *body = api_body(h_strf("/v1/mesas/%s/pal/canonico%s",
	    fx->sid, query), tok, &len, &ctype);
	json_error_t e;
	json_t *j = esc_keep(json_loadb(body, len, 0, &e));
	char *again;

	cr_assert_str_eq(esc_sha256_hex(body, len), sha, "the SHA-256 of the "
	    "canonical bytes is not sha256_canonico");
	cr_assert_not_null(j, "the canonical content is not JSON (%s): %s",
	    e.text, body);
	cr_assert(esc_find_ci(ctype, "application/json") == ctype,
	    "Content-Type of the canonical JSON: %s", ctype);
	again = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_not_null(again);
	cr_assert_str_eq(again, body, "the canonical JSON is not compact "
	    "with sorted keys");
	free(again);
	cr_assert_eq(esc_jint(j, "version"), numero);
	return j;
}

/* Page count of a PDF, from pdfinfo. */
static long
pdf_pages(const char *path)
{
	const char *info = cmd_out(esc_argv("pdfinfo", path));
	const char *p = strstr(info, "\nPages:");
	long n = 0;

	if (p == NULL && strncmp(info, "Pages:", 6) == 0)
		p = info - 1;
	cr_assert_not_null(p, "pdfinfo gives no page count:\n%s", info);
	cr_assert_eq(sscanf(p + 7, "%ld", &n), 1, "pdfinfo: %s", info);
	return n;
}

/*
 * The PDF of a version read back as a person would: page count, on every
 * page "Página N de TOTAL", the canonical SHA-256 and the initials box
 * (rúbrica); in the document, accented text intact, every commitment
 * title, every actor and the signature annex.
 */
static void
check_pdf(const char *path, json_t *version, const struct mesa_fx *fx,
    const char *const *titulos, size_t n_titulos)
{
	long total = pdf_pages(path);
	const char *sha = esc_jstr(version, "sha256_canonico");
	const char *all = "";

	cr_assert_eq(total, esc_jint(version, "paginas"),
	    "pdfinfo counts %ld pages, the version says %lld", total,
	    esc_jint(version, "paginas"));
	cr_assert_geq(total, 2, "a PAL with a title page and five "
	    "commitments in %ld page", total);
	for (long n = 1; n <= total; n++) {
		const char *num = h_strf("%ld", n);
		const char *raw = cmd_out(esc_argv("pdftotext", "-enc", "UTF-8",
		    "-f", num, "-l", num, path, "-"));
		const char *page = squeeze(raw);
		const char *want = h_strf("página %ld de %ld", n, total);

		cr_assert(esc_find_ci(page, want) != NULL,
		    "page %ld does not say «%s»:\n%s", n, want, page);
		cr_assert(strstr(strip_ws(raw), sha) != NULL, "page %ld does "
		    "not carry the SHA-256 %s of the canonical content:\n%s",
		    n, sha, page);
		cr_assert(esc_find_ci(page, "rúbrica") != NULL ||
		    strstr(page, "RÚBRICA") != NULL, "page %ld has no "
		    "initials box (rúbrica):\n%s", n, page);
		all = h_strf("%s %s", all, page);
	}
	cr_assert(strstr(all, squeeze(fx->titulo)) != NULL, "the PDF does not "
	    "name the mesa «%s»:\n%s", fx->titulo, all);
	cr_assert(strstr(all, "Participación") != NULL, "«Participación» "
	    "did not survive in the PDF:\n%s", all);
	cr_assert(strstr(all, "Oaxaca") != NULL, "no entidad in the PDF");
	for (size_t i = 0; i < n_titulos; i++)
		cr_assert(strstr(all, squeeze(titulos[i])) != NULL, "the PDF "
		    "does not carry the commitment «%s»:\n%s", titulos[i],
		    all);
	for (int i = 0; i < 4; i++)
		cr_assert(strstr(all, ACTORES[i].nombre) != NULL, "the PDF "
		    "does not name %s:\n%s", ACTORES[i].nombre, all);
	cr_assert(strstr(all, "Anexo 2") != NULL, "no «Anexo 2» (the "
	    "signature block) in the PDF:\n%s", all);
}

/*
 * The iCalendar file of the delivery, read as a calendar program would:
 * CRLF lines, unfolded, one all-day VEVENT per activity deadline.
 */
static void
check_ics_deadlines(const char *ics, size_t len, const char *const *fechas,
    size_t n)
{
	char *unf, *line, *save = NULL;
	bool used[16] = { false };
	size_t vevents = 0, dtstarts = 0;
	bool in_event = false;

	cr_assert_lt(n, 16);
	unf = esc_ics_unfold(ics, len, "the iCalendar file", false);
	for (line = strtok_r(unf, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save)) {
		if (strcmp(line, "BEGIN:VEVENT") == 0) {
			cr_assert(!in_event, "nested VEVENT");
			in_event = true;
			vevents++;
		} else if (strcmp(line, "END:VEVENT") == 0)
			in_event = false;
		else if (in_event && strncmp(line, "DTSTART", 7) == 0 &&
		    (line[7] == ';' || line[7] == ':')) {
			const char *prefix = "DTSTART;VALUE=DATE:";
			bool matched = false;

			cr_assert(strncmp(line, prefix, strlen(prefix)) == 0,
			    "not an all-day event: %s", line);
			for (size_t k = 0; k < n && !matched; k++) {
				if (!used[k] && strcmp(line + strlen(prefix),
				    date_compact(fechas[k])) == 0)
					used[k] = matched = true;
			}
			cr_assert(matched, "an event on a date that is no "
			    "pending activity deadline: %s", line);
			dtstarts++;
		}
	}
	cr_assert_eq(vevents, n, "%zu VEVENTs for %zu activities", vevents,
	    n);
	cr_assert_eq(dtstarts, n, "%zu DTSTART for %zu activities",
	    dtstarts, n);
	free(unf);
}

/* The deadlines of COMPS, in table order. */
static void
all_deadlines(const char **fechas, const char **descs)
{
	size_t n = 0;

	for (int i = 0; i < N_COMPS; i++)
		for (int k = 0; k < COMPS[i].n_act; k++) {
			fechas[n] = COMPS[i].act[k].fecha;
			descs[n] = COMPS[i].act[k].descripcion;
			n++;
		}
	cr_assert_eq(n, N_ACTS);
}

/*
 * The closing emails: one to each attendee (none to the absent actor)
 * with the PDF attached and a personal link. The tokens, in
 * tokens[0..N_ASISTENTES).
 */
static void
closing_mails(const struct mesa_fx *fx, int before, json_t *version,
    const char **tokens)
{
	cr_assert_geq(h_smtp_wait(&smtp, before + N_ASISTENTES,
	    ESC_MAIL_WAIT_MS), before + N_ASISTENTES,
	    "the closing email did not reach the %d attendees", N_ASISTENTES);
	for (int i = 0; i < N_ASISTENTES; i++) {
		json_t *msg = esc_mail_to(ACTORES[i].email, before, NULL), *att;

		esc_check_mail_basics(msg, ACTORES[i].email);
		att = esc_attachment_with(msg, esc_jstr(version, "sha256_pdf"));
		cr_assert_not_null(att, "the closing email to %s does not "
		    "carry the PDF of version %lld", ACTORES[i].email,
		    esc_jint(version, "numero"));
		cr_assert_str_eq(esc_jstr(att, "content_type"),
		    "application/pdf");
		tokens[i] = esc_link_token(esc_jstr(msg, "text"));
		for (int k = 0; k < i; k++)
			cr_assert_str_neq(tokens[i], tokens[k]);
		cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"
		    " WHERE hash = $1 AND actor_id = $2 AND proposito = "
		    "'conformidad'", esc_sha256_hex(tokens[i], 64),
		    esc_id_text(fx->actor[i])), 1, "the link of %s is not a "
		    "conformity link stored as the SHA-256 of its token",
		    ACTORES[i].nombre);
	}
	h_sleep_ms(300);
	cr_assert_eq(h_smtp_find(&smtp, ACTORES[3].email, before), -1,
	    "the actor who did not attend was asked for conformity");
}

/* Conformities of the mesa in the DB: all, or only those not voided. */
static long long
count_conformidades(const struct mesa_fx *fx, bool vigentes)
{
	return h_db_query_int(&db, vigentes ?
	    "SELECT count(*) FROM conformidades WHERE mesa_id = $1 AND "
	    "anulada IS NULL" :
	    "SELECT count(*) FROM conformidades WHERE mesa_id = $1", fx->sid);
}

/* ------------------------------------------------------------------ */

/*
 * 1. The whole acuerdos phase: commitments, validation failing then
 * passing, closing, the PDF read back, conformity through the links and
 * by the facilitator, the signed PAL delivered with its calendar.
 */
Test(acuerdos, full_acuerdos)
{
	const char *titulo = "Mesa de Tlacolula: participación ciudadana y "
	    "obra pública";
	const char *titulos[N_COMPS], *fechas[N_ACTS], *descs[N_ACTS];
	const char *tokens[N_ASISTENTES], *pdf_path = h_path("pal-v1.pdf");
	const char *body, *ctype, *sha_c, *sha_p, *summary;
	struct esc_usuario fac;
	struct mesa_fx fx;
	struct pal_fx p;
	json_t *j, *errores, *version, *canon, *e, *eventos, *envios;
	struct esc_out o;
	size_t i, len;
	int before;

	memset(&p, 0, sizeof(p));
	for (i = 0; i < N_COMPS; i++)
		titulos[i] = COMPS[i].titulo;
	all_deadlines(fechas, descs);
	fac = esc_usuario_crear("Laura Gómez Facilitadora", "laura@stl.org.mx",
	    "facilitador", "Oaxaca");
	fx = mesa_en_sesion(fac.token, titulo);

	/* Nothing agreed yet: the three quotas are missing. */
	errores = validar(fac.token, &fx, false);
	cr_assert_eq(count_code(errores, "faltan_contrataciones_abiertas", -1),
	    1);
	cr_assert_eq(count_code(errores, "faltan_plan_nacional", -1), 1);
	cr_assert_eq(count_code(errores, "faltan_locales", -1), 1);
	check_only_codes(errores, esc_argv("faltan_contrataciones_abiertas",
	    "faltan_plan_nacional", "faltan_locales"), 3);

	/*
	 * Four commitments: open contracting and one national one complete,
	 * a local one without the criterion of high impact, a local one
	 * without activities. The first moves the mesa to acuerdos.
	 */
	comp_full(fac.token, &fx, &p, 0);
	cr_assert_str_eq(esc_mesa_fase(fac.token, fx.id), "acuerdos");
	comp_full(fac.token, &fx, &p, 1);
	j = comp_add(fac.token, &fx, 3);
	p.comp[3] = esc_jint(j, "id");
	p.numero[3] = esc_jint(j, "numero");
	p.act[3][0] = act_add(fac.token, p.comp[3], &COMPS[3].act[0]);
	criterios_add(fac.token, p.comp[3], "alto_impacto");
	j = comp_add(fac.token, &fx, 4);
	p.comp[4] = esc_jint(j, "id");
	p.numero[4] = esc_jint(j, "numero");
	criterios_add(fac.token, p.comp[4], NULL);
	for (i = 0; i < N_COMPS; i++)
		for (size_t k = 0; k < i; k++)
			if (p.comp[i] != 0 && p.comp[k] != 0)
				cr_assert_neq(p.numero[i], p.numero[k]);

	/* Every broken rule at once, each naming its commitment. */
	errores = validar(fac.token, &fx, false);
	check_only_codes(errores, esc_argv("faltan_plan_nacional",
	    "criterio_sin_atestiguar", "sin_actividades"), 3);
	cr_assert_eq(count_code(errores, "faltan_plan_nacional", -1), 1);
	cr_assert_eq(count_code(errores, "sin_actividades", -1), 1);
	cr_assert_eq(count_code(errores, "sin_actividades", p.comp[4]), 1);
	cr_assert_geq(count_code(errores, "criterio_sin_atestiguar", -1), 1);
	cr_assert_eq(count_code(errores, "criterio_sin_atestiguar", -1),
	    count_code(errores, "criterio_sin_atestiguar", p.comp[3]),
	    "a criterion reported missing on a fully attested commitment");
	json_array_foreach(errores, i, e) {
		const char *code = esc_jstr(e, "code");
		int c = strcmp(code, "sin_actividades") == 0 ? 4 :
		    strcmp(code, "criterio_sin_atestiguar") == 0 ? 3 : -1;

		if (c < 0) {
			cr_assert(json_is_null(json_object_get(e,
			    "compromiso_id")), "%s names a commitment", code);
			continue;
		}
		cr_assert(strstr(esc_jstr(e, "message"),
		    h_strf("Compromiso %lld «%s»", p.numero[c],
		    COMPS[c].titulo)) != NULL,
		    "%s does not name «Compromiso %lld «%s»»: %s", code,
		    p.numero[c], COMPS[c].titulo, esc_jstr(e, "message"));
	}
	o = esc_pal_expect(fac.token, 2, NULL, "pal", "validar", fx.sid);
	check_messages_listed("pal pal validar", h_strf("%s\n%s", o.out,
	    o.err), errores, true);

	/* Neither closing nor sending an invalid, unsigned PAL. */
	o = esc_pal_expect(fac.token, 2, "pal_invalido", "pal", "cerrar",
	    fx.sid);
	check_messages_listed("pal pal cerrar (stderr)", o.err, errores,
	    false);
	esc_pal_expect(fac.token, 2, "pal_no_firmado", "pal", "enviar", fx.sid);
	cr_assert_eq(esc_count_in("pal_versiones", fx.id), 0);

	/* Fixed: the second national commitment, the criterion, the work. */
	comp_full(fac.token, &fx, &p, 2);
	criterios_add(fac.token, p.comp[3], NULL);
	p.act[4][0] = act_add(fac.token, p.comp[4], &COMPS[4].act[0]);
	p.act[4][1] = act_add(fac.token, p.comp[4], &COMPS[4].act[1]);
	validar(fac.token, &fx, true);
	esc_pal_expect(fac.token, 0, NULL, "pal", "validar", fx.sid);
	j = esc_pal_json(fac.token, "compromiso", "listar", fx.sid);
	cr_assert_eq(json_array_size(esc_jarr(j, "compromisos")), N_COMPS);
	json_array_foreach(esc_jarr(j, "compromisos"), i, e) {
		cr_assert_eq(esc_jint(e, "numero"), (long long)i + 1,
		    "compromisos not ordered by numero");
		cr_assert_eq(json_array_size(esc_jarr(e, "criterios")), 5);
		cr_assert_geq(json_array_size(esc_jarr(e, "actividades")), 1);
	}
	o = esc_pal_ok(fac.token, "compromiso", "listar", fx.sid);
	for (i = 0; i < N_COMPS; i++)
		cr_assert(strstr(o.out, esc_utf8_prefix(COMPS[i].titulo, 20)) !=
		    NULL, "pal compromiso listar does not show «%s»:\n%s",
		    COMPS[i].titulo, o.out);

	/* Version 1. */
	before = mail_settle();
	version = cerrar(fac.token, &fx, 1);
	sha_c = esc_jstr(version, "sha256_canonico");
	sha_p = esc_jstr(version, "sha256_pdf");
	cr_assert_str_eq(esc_mesa_fase(fac.token, fx.id), "acuerdos");
	j = esc_pal_json(fac.token, "pal", "ver", fx.sid);
	json_contains("pal ver.version", esc_jobj(j, "version"), version);
	cr_assert(json_is_false(json_object_get(j, "firmado")));
	cr_assert_eq(json_array_size(esc_jarr(j, "conformidades")), 0);
	cr_assert_eq(json_array_size(esc_jarr(j, "pendientes")), N_ASISTENTES);
	cr_assert_eq(json_array_size(esc_jarr(j, "versiones")), 1);
	/* A closed version is not closed twice. */
	esc_pal_expect(fac.token, 2, "version_cerrada", "pal", "cerrar",
	    fx.sid);

	/* The canonical content, recomputed here. */
	canon = check_canonico(fac.token, &fx, "", sha_c, 1);
	cr_assert_eq(esc_jint(esc_jobj(canon, "mesa"), "id"), fx.id);
	cr_assert_str_eq(esc_jstr(esc_jobj(canon, "mesa"), "titulo"), titulo);
	cr_assert_str_eq(esc_jstr(esc_jobj(canon, "mesa"), "fecha"), fx.fecha);
	cr_assert_eq(json_array_size(esc_jarr(canon, "actores")), 4);
	json_array_foreach(esc_jarr(canon, "actores"), i, e) {
		bool asistente = esc_jint(e, "id") != fx.actor[3];

		cr_assert_eq(json_is_true(json_object_get(e, "asistio")),
		    asistente, "asistio of actor %lld", esc_jint(e, "id"));
	}
	cr_assert_eq(json_array_size(esc_jarr(canon, "compromisos")), N_COMPS);
	json_array_foreach(esc_jarr(canon, "compromisos"), i, e) {
		int c = -1;

		for (int k = 0; k < N_COMPS; k++)
			if (esc_jint(e, "id") == p.comp[k])
				c = k;
		cr_assert_geq(c, 0, "an unknown commitment in the PAL");
		cr_assert_eq(esc_jint(e, "numero"), (long long)i + 1);
		cr_assert_str_eq(esc_jstr(e, "titulo"), COMPS[c].titulo);
		cr_assert_str_eq(esc_jstr(e, "tipo"), COMPS[c].tipo);
		cr_assert_str_eq(esc_jstr(e, "fin"), COMPS[c].fin);
		cr_assert_eq(json_array_size(esc_jarr(e, "actividades")),
		    (size_t)COMPS[c].n_act);
		cr_assert_eq(json_array_size(esc_jarr(e, "criterios")), 5);
	}

	/* The PDF, downloaded and read back. */
	esc_pal_ok(fac.token, "pal", "pdf", fx.sid, "-o", pdf_path);
	cr_assert_str_eq(file_sha256(pdf_path, &len), sha_p, "the PDF of "
	    "pal pal pdf does not hash to sha256_pdf");
	cr_assert_str_eq(api_body_sha(h_strf("/v1/mesas/%s/pal/pdf", fx.sid),
	    fac.token, &ctype), sha_p);
	cr_assert(esc_find_ci(ctype, "application/pdf") == ctype, "%s", ctype);
	check_pdf(pdf_path, version, &fx, titulos, N_COMPS);

	/* The attendees are asked for conformity, the absent one is not. */
	closing_mails(&fx, before, version, tokens);

	/* A GET (a mail scanner) shows the version and records nothing. */
	for (int k = 0; k < 2; k++) {
		cr_assert_eq(esc_link_http("GET", tokens[0], "", &body, NULL,
		    &ctype), 200, "GET the conformity link: %s", body);
		esc_check_html(ctype, body);
		cr_assert(strstr(body, sha_c) != NULL, "the conformity page "
		    "does not show the SHA-256 %s:\n%s", sha_c, body);
		cr_assert(strstr(body, h_strf("/e/%s/pdf", tokens[0])) != NULL,
		    "the conformity page has no link to its PDF:\n%s", body);
		cr_assert_eq(count_conformidades(&fx, false), 0,
		    "a GET recorded a conformity");
	}
	cr_assert_eq(esc_link_http("GET", tokens[0], "/pdf", &body, &len,
	    &ctype), 200);
	cr_assert_str_eq(body, sha_p, "/e/<token>/pdf is not the version's "
	    "PDF");
	cr_assert(esc_find_ci(ctype, "application/pdf") == ctype, "%s", ctype);
	cr_assert_eq(count_conformidades(&fx, false), 0);

	/* The POST records it, against the version's hash. */
	cr_assert_eq(esc_link_http("POST", tokens[0], "", &body, NULL, &ctype),
	    200, "POST the conformity link: %s", body);
	esc_check_html(ctype, body);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM conformidades"
	    " WHERE mesa_id = $1 AND actor_id = $2 AND sha256 = $3 AND "
	    "medio = 'enlace' AND enlace_id IS NOT NULL AND anulada IS NULL",
	    fx.sid, esc_id_text(fx.actor[0]), sha_c), 1);
	cr_assert_eq(count_conformidades(&fx, false), 1);
	eventos = esc_mesa_eventos(fac.token, fx.id);
	cr_assert_eq(esc_event_count(eventos, "conformidad.registrada"), 1);
	e = json_array_get(eventos, (size_t)esc_event_index(eventos,
	    "conformidad.registrada", false));
	cr_assert(json_is_object(json_object_get(e, "actor")));
	cr_assert_eq(esc_jint(esc_jobj(e, "actor"), "id"), fx.actor[0]);
	/* Twice is once. */
	cr_assert_lt(esc_link_http("POST", tokens[0], "", &body, NULL, NULL),
	    500, "a second POST: %s", body);
	cr_assert_eq(count_conformidades(&fx, false), 1);

	/* Who did not attend cannot conform. */
	esc_pal_expect(fac.token, 2, "actor_no_asistente", "conformidad",
	    "registrar", fx.sid, "--actor", esc_id_text(fx.actor[3]));
	esc_api_refused("POST", h_strf("/v1/mesas/%s/conformidades", fx.sid),
	    fac.token, h_strf("{\"actor\": %lld, \"sha256\": \"%s\"}",
	    fx.actor[3], sha_c), 422, "actor_no_asistente");
	cr_assert_eq(count_conformidades(&fx, false), 1);

	/* The facilitator records the second attendee's, in the session. */
	esc_pal_ok(fac.token, "conformidad", "registrar", fx.sid, "--actor",
	    esc_id_text(fx.actor[1]));
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM conformidades"
	    " WHERE mesa_id = $1 AND actor_id = $2 AND sha256 = $3 AND "
	    "registrado_por = $4 AND enlace_id IS NULL AND anulada IS NULL",
	    fx.sid, esc_id_text(fx.actor[1]), sha_c, esc_id_text(fac.id)), 1);
	esc_pal_expect(fac.token, 2, "conformidad_duplicada", "conformidad",
	    "registrar", fx.sid, "--actor", esc_id_text(fx.actor[1]));
	cr_assert_eq(count_conformidades(&fx, false), 2);

	/* Two of three: not signed, not sent. */
	j = esc_pal_json(fac.token, "pal", "ver", fx.sid);
	cr_assert(json_is_false(json_object_get(j, "firmado")));
	cr_assert_eq(json_array_size(esc_jarr(j, "conformidades")), 2);
	cr_assert_eq(json_array_size(esc_jarr(j, "pendientes")), 1);
	cr_assert_eq(esc_jint(json_array_get(esc_jarr(j, "pendientes"), 0),
	    "actor_id"), fx.actor[2]);
	esc_pal_expect(fac.token, 2, "pal_no_firmado", "pal", "enviar", fx.sid);
	cr_assert_str_eq(esc_mesa_fase(fac.token, fx.id), "acuerdos");

	/* The last attendee, by link: the PAL is signed. */
	cr_assert_eq(esc_link_http("POST", tokens[2], "", &body, NULL, &ctype),
	    200, "POST the conformity link: %s", body);
	cr_assert_eq(count_conformidades(&fx, true), N_ASISTENTES);
	cr_assert_str_eq(esc_mesa_fase(fac.token, fx.id), "firmada");
	j = esc_pal_json(fac.token, "pal", "ver", fx.sid);
	cr_assert(json_is_true(json_object_get(j, "firmado")));
	cr_assert_eq(json_array_size(esc_jarr(j, "pendientes")), 0);
	cr_assert_eq(json_array_size(esc_jarr(j, "conformidades")),
	    N_ASISTENTES);
	json_array_foreach(esc_jarr(j, "conformidades"), i, e)
		cr_assert_str_eq(esc_jstr(e, "sha256"), sha_c);

	/* Delivery: every actor gets the PDF, the summary, the calendar. */
	before = mail_settle();
	j = esc_pal_json(fac.token, "pal", "enviar", fx.sid);
	envios = esc_jarr(j, "envios");
	cr_assert_eq(json_array_size(envios), 4);
	cr_assert_str_eq(esc_mesa_fase(fac.token, fx.id), "en_seguimiento");
	cr_assert_eq(h_smtp_wait(&smtp, before + 4, ESC_MAIL_WAIT_MS),
	    before + 4);
	for (int a = 0; a < 4; a++) {
		json_t *msg = esc_mail_to(ACTORES[a].email, before, NULL), *att;
		char *data;
		size_t n;

		esc_check_mail_basics(msg, ACTORES[a].email);
		att = esc_attachment_with(msg, sha_p);
		cr_assert_not_null(att, "the PAL sent to %s is not the bytes "
		    "of pal pal pdf", ACTORES[a].email);
		cr_assert_str_eq(esc_jstr(att, "content_type"),
		    "application/pdf");
		summary = esc_jstr(msg, "text");
		json_array_foreach(esc_jarr(msg, "attachments"), i, e)
			if (strcasecmp(esc_jstr(e, "content_type"),
			    "text/plain") == 0) {
				data = esc_b64_decode(esc_jstr(e,
				    "data_base64"), &n);
				summary = h_strf("%s\n%s", summary, data);
				free(data);
			}
		summary = squeeze(summary);
		for (size_t k = 0; k < N_ACTS; k++) {
			cr_assert(strstr(summary, squeeze(descs[k])) != NULL,
			    "the summary to %s does not name «%s»:\n%s",
			    ACTORES[a].email, descs[k], summary);
			cr_assert(strstr(summary, fechas[k]) != NULL ||
			    strstr(summary, esc_date_long(fechas[k])) != NULL,
			    "the summary to %s does not give the deadline "
			    "%s:\n%s", ACTORES[a].email, fechas[k], summary);
		}
		for (size_t k = 0; k < N_COMPS; k++)
			cr_assert(strstr(summary, squeeze(titulos[k])) != NULL,
			    "the summary to %s does not name «%s»",
			    ACTORES[a].email, titulos[k]);
		att = esc_attachment_of_type(msg, "text/calendar");
		cr_assert_not_null(att, "no text/calendar attachment to %s",
		    ACTORES[a].email);
		data = esc_b64_decode(esc_jstr(att, "data_base64"), &n);
		check_ics_deadlines(data, n, fechas, N_ACTS);
		free(data);
	}

	/* Each delivery is listed, and on the timeline. */
	cr_assert_eq(h_db_wait_int(&db, ESC_MAIL_WAIT_MS, 0, "SELECT count(*) "
	    "FROM outbox WHERE estado <> 'enviado'"), 0);
	j = esc_pal_json(admin, "correo", "listar");
	json_array_foreach(envios, i, e) {
		size_t k;
		json_t *c;
		bool found = false;

		json_array_foreach(esc_jarr(j, "correos"), k, c) {
			if (esc_jint(c, "id") != esc_jint(e, "outbox_id"))
				continue;
			found = true;
			cr_assert_str_eq(esc_jstr(c, "estado"), "enviado");
			cr_assert_str_eq(esc_jstr(c, "destinatario"),
			    esc_jstr(e, "email"));
			cr_assert_eq(esc_jint(c, "mesa_id"), fx.id);
		}
		cr_assert(found, "pal correo listar does not show the "
		    "delivery %lld", esc_jint(e, "outbox_id"));
	}
	o = esc_pal_ok(admin, "correo", "listar");
	for (int a = 0; a < 4; a++)
		cr_assert(strstr(o.out, ACTORES[a].email) != NULL,
		    "pal correo listar does not show %s:\n%s",
		    ACTORES[a].email, o.out);

	eventos = esc_mesa_eventos(fac.token, fx.id);
	cr_assert_eq(esc_event_count(eventos, "pal.cerrado"), 1);
	cr_assert_eq(esc_event_count(eventos, "conformidad.registrada"),
	    N_ASISTENTES);
	cr_assert_eq(esc_event_count(eventos, "pal.firmado"), 1);
	cr_assert_eq(esc_event_count(eventos, "pal.enviado"), 1);
	cr_assert_lt(esc_event_index(eventos, "pal.cerrado", true),
	    esc_event_index(eventos, "conformidad.registrada", false));
	cr_assert_lt(esc_event_index(eventos, "conformidad.registrada", true),
	    esc_event_index(eventos, "pal.firmado", false));
	cr_assert_lt(esc_event_index(eventos, "pal.firmado", true),
	    esc_event_index(eventos, "pal.enviado", false));
	json_array_foreach(envios, i, e) {
		size_t k;
		json_t *ev;
		bool found = false;

		json_array_foreach(eventos, k, ev) {
			json_t *datos = json_object_get(ev, "datos");

			if (strcmp(esc_jstr(ev, "tipo"),
			    "correo.entregado") == 0 && json_is_object(datos) &&
			    json_integer_value(json_object_get(datos,
			    "outbox_id")) == esc_jint(e, "outbox_id")) {
				found = true;
				cr_assert_gt(k, (size_t)esc_event_index(eventos,
				    "pal.enviado", false));
			}
		}
		cr_assert(found, "no correo.entregado event for the PAL sent "
		    "to %s", esc_jstr(e, "email"));
	}
}

/*
 * 2. A change after closing: refused until the version is reopened,
 * which voids it and its conformities; the old link and the old hash
 * are refused; a new version has a new hash.
 */
Test(acuerdos, change_after_closing_voids_conformity)
{
	const char *tokens[N_ASISTENTES], *tokens2[N_ASISTENTES];
	const char *sha1c, *sha1p, *sha2c, *body, *ctype;
	const char *nuevo = "Alumbrado público: reportes atendidos en siete "
	    "días";
	struct esc_usuario fac;
	struct mesa_fx fx;
	struct pal_fx p;
	json_t *v1, *v2, *j, *e, *eventos;
	struct esc_out o;
	long long n_eventos;
	int before;

	fac = esc_usuario_crear("Laura Gómez Facilitadora", "laura@stl.org.mx",
	    "facilitador", "Oaxaca");
	fx = mesa_en_sesion(fac.token, "Mesa de Mitla: servicios públicos");
	p = valid_pal(fac.token, &fx);
	before = mail_settle();
	v1 = cerrar(fac.token, &fx, 1);
	sha1c = esc_jstr(v1, "sha256_canonico");
	sha1p = esc_jstr(v1, "sha256_pdf");
	closing_mails(&fx, before, v1, tokens);
	cr_assert_eq(esc_link_http("POST", tokens[0], "", &body, NULL, NULL),
	    200, "POST the conformity link: %s", body);
	cr_assert_eq(count_conformidades(&fx, true), 1);

	/* A closed version is not edited in place. */
	n_eventos = esc_count_in("eventos", fx.id);
	esc_pal_expect(fac.token, 2, "version_cerrada", "compromiso", "agregar",
	    fx.sid, "--titulo", "Un compromiso de última hora", "--tipo",
	    "local", "--inicio", "2026-12-01");
	esc_pal_expect(fac.token, 2, "version_cerrada", "compromiso", "editar",
	    fx.sid, esc_id_text(p.comp[3]), "--titulo", nuevo);
	esc_pal_expect(fac.token, 2, "version_cerrada", "actividad", "agregar",
	    esc_id_text(p.comp[3]), "--descripcion", "Otra actividad",
	    "--responsable", "Jorge Ramírez Castro", "--email",
	    "jorge@tlacolula.gob.mx", "--fecha", "2027-04-30");
	esc_pal_expect(fac.token, 2, "version_cerrada", "criterio",
	    "atestiguar", esc_id_text(p.comp[3]), "--criterio", "medible",
	    "--quien", "Otra persona", "--justificacion",
	    "Otra justificación.");
	esc_api_refused("PATCH", h_strf("/v1/mesas/%s/compromisos/%lld", fx.sid,
	    p.comp[3]), fac.token, "{\"titulo\": \"Otro título\"}", 409,
	    "version_cerrada");
	cr_assert_eq(esc_count_in("compromisos", fx.id), N_COMPS);
	cr_assert_eq(esc_count_in("actividades", fx.id), N_ACTS);
	cr_assert_str_eq(h_db_query_str(&db, "SELECT titulo FROM compromisos "
	    "WHERE id = $1", esc_id_text(p.comp[3])), COMPS[3].titulo);
	cr_assert_eq(esc_count_in("eventos", fx.id), n_eventos,
	    "a refused edit left an event");
	cr_assert_eq(count_conformidades(&fx, true), 1);

	/* Reopened: the version and its conformity are void. */
	j = esc_pal_json(fac.token, "pal", "reabrir", fx.sid);
	cr_assert_eq(esc_jint(j, "anulada"), 1);
	cr_assert_str_eq(esc_mesa_fase(fac.token, fx.id), "acuerdos");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM pal_versiones "
	    "WHERE mesa_id = $1 AND numero = 1 AND anulada IS NOT NULL",
	    fx.sid), 1);
	cr_assert_eq(count_conformidades(&fx, false), 1,
	    "the voided conformity was deleted rather than kept as void");
	cr_assert_eq(count_conformidades(&fx, true), 0);
	j = esc_pal_json(fac.token, "pal", "ver", fx.sid);
	cr_assert(json_is_null(json_object_get(j, "version")),
	    "a voided version is still current");
	cr_assert(json_is_false(json_object_get(j, "firmado")));
	cr_assert_eq(json_array_size(esc_jarr(j, "conformidades")), 0);
	cr_assert_eq(json_array_size(esc_jarr(j, "versiones")), 1);
	e = json_array_get(esc_jarr(j, "versiones"), 0);
	cr_assert_eq(esc_jint(e, "numero"), 1);
	cr_assert_not_null(esc_jstr(e, "anulada"), "version 1 is not anulada");
	o = esc_pal_ok(fac.token, "pal", "ver", fx.sid);
	cr_assert(esc_find_ci(o.out, "anulada") != NULL, "pal pal ver does not "
	    "say version 1 was voided:\n%s", o.out);
	eventos = esc_mesa_eventos(fac.token, fx.id);
	cr_assert_eq(esc_event_count(eventos, "pal.reabierta"), 1);
	esc_pal_expect(fac.token, 2, NULL, "pal", "reabrir", fx.sid);

	/* The old link says the version was replaced and records nothing. */
	cr_assert_eq(esc_link_http("GET", tokens[1], "", &body, NULL, &ctype),
	    409, "GET the link of a voided version: %s", body);
	esc_check_html(ctype, body);
	cr_assert(esc_find_ci(body, "reemplazada") != NULL, "the page of a "
	    "voided version does not say it was replaced:\n%s", body);
	cr_assert_eq(esc_link_http("POST", tokens[1], "", &body, NULL, &ctype),
	    409, "POST the link of a voided version: %s", body);
	esc_check_html(ctype, body);
	cr_assert(esc_find_ci(body, "reemplazada") != NULL, "%s", body);
	cr_assert_eq(count_conformidades(&fx, false), 1);
	cr_assert_eq(count_conformidades(&fx, true), 0);

	/* Edited and closed again: version 2, another hash. */
	j = esc_pal_json(fac.token, "compromiso", "editar", fx.sid,
	    esc_id_text(p.comp[3]), "--titulo", nuevo);
	cr_assert_str_eq(esc_jstr(j, "titulo"), nuevo);
	cr_assert_str_eq(esc_jstr(j, "fin"), COMPS[3].fin);
	cr_assert_str_eq(esc_jstr(j, "tipo"), COMPS[3].tipo);
	cr_assert_eq(json_array_size(esc_jarr(j, "actividades")), 1);
	validar(fac.token, &fx, true);
	before = mail_settle();
	v2 = cerrar(fac.token, &fx, 2);
	sha2c = esc_jstr(v2, "sha256_canonico");
	cr_assert_str_neq(sha2c, sha1c);
	cr_assert_str_neq(esc_jstr(v2, "sha256_pdf"), sha1p);
	check_canonico(fac.token, &fx, "", sha2c, 2);
	check_canonico(fac.token, &fx, "?version=1", sha1c, 1);
	esc_pal_ok(fac.token, "pal", "pdf", fx.sid, "--version", "1", "-o",
	    h_path("v1.pdf"));
	cr_assert_str_eq(file_sha256(h_path("v1.pdf"), NULL), sha1p,
	    "pal pal pdf --version 1 is not version 1's PDF");
	esc_pal_ok(fac.token, "pal", "pdf", fx.sid, "-o", h_path("v2.pdf"));
	cr_assert_str_eq(file_sha256(h_path("v2.pdf"), NULL),
	    esc_jstr(v2, "sha256_pdf"));

	/* Conformity with the old hash: refused, however it comes. */
	esc_api_refused("POST", h_strf("/v1/mesas/%s/conformidades", fx.sid),
	    fac.token, h_strf("{\"actor\": %lld, \"sha256\": \"%s\"}",
	    fx.actor[1], sha1c), 409, "version_anterior");
	esc_pal_expect(fac.token, 2, NULL, "conformidad", "registrar", fx.sid,
	    "--actor", esc_id_text(fx.actor[1]), "--version", "1");
	cr_assert_eq(count_conformidades(&fx, true), 0);
	cr_assert_eq(esc_link_http("POST", tokens[0], "", &body, NULL, NULL),
	    409);
	cr_assert_eq(count_conformidades(&fx, true), 0);

	/* The new links and the new hash work. */
	closing_mails(&fx, before, v2, tokens2);
	for (int i = 0; i < N_ASISTENTES; i++)
		cr_assert_str_neq(tokens2[i], tokens[i]);
	cr_assert_eq(esc_link_http("GET", tokens2[0], "", &body, NULL, NULL),
	    200);
	cr_assert(strstr(body, sha2c) != NULL, "%s", body);
	cr_assert_eq(esc_link_http("POST", tokens2[0], "", &body, NULL, NULL),
	    200);
	esc_pal_ok(fac.token, "conformidad", "registrar", fx.sid, "--actor",
	    esc_id_text(fx.actor[1]), "--version", "2");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM conformidades"
	    " WHERE mesa_id = $1 AND sha256 = $2 AND anulada IS NULL",
	    fx.sid, sha2c), 2);
	cr_assert_eq(count_conformidades(&fx, true), 2);
	cr_assert_str_eq(esc_mesa_fase(fac.token, fx.id), "acuerdos");
}

/*
 * 3. Bad input gets a clear error and changes nothing.
 */
Test(acuerdos, bad_inputs)
{
	struct esc_usuario fac;
	struct mesa_fx fx;
	json_t *j, *val, *errs;
	const char *path, *cpath, *apath, *lpath;
	long long c1, c2, n_eventos, n_outbox;
	struct esc_out o;

	fac = esc_usuario_crear("Laura Gómez Facilitadora", "laura@stl.org.mx",
	    "facilitador", "Oaxaca");
	fx = mesa_en_sesion(fac.token, "Mesa de Ocotlán: agua potable");
	path = h_strf("/v1/mesas/%s/compromisos", fx.sid);

	/* Nothing to close in a session without commitments. */
	esc_api_refused("POST", h_strf("/v1/mesas/%s/pal/cerrar", fx.sid),
	    fac.token, NULL, 409, NULL);

	/* An unknown type: the client knows the three. */
	n_eventos = esc_count_in("eventos", fx.id);
	o = esc_pal_expect(fac.token, 1, NULL, "compromiso", "agregar", fx.sid,
	    "--titulo", "Agua para todos", "--tipo", "estatal", "--inicio",
	    "2026-12-01");
	cr_assert_gt(strlen(o.err), 0, "exit 1 without a word on stderr");
	esc_api_refused("POST", path, fac.token, "{\"titulo\": \"Agua para "
	    "todos\", \"tipo\": \"estatal\", \"inicio\": \"2026-12-01\"}", 422,
	    "tipo_invalido");

	/* A national commitment must say which one it aligns with. */
	esc_api_refused("POST", path, fac.token, "{\"titulo\": \"Agua para "
	    "todos\", \"tipo\": \"plan_nacional\", \"inicio\": "
	    "\"2026-12-01\"}", 422, "alineacion_requerida");
	esc_api_refused("POST", path, fac.token, "{\"titulo\": \"Agua para "
	    "todos\", \"tipo\": \"plan_nacional\", \"inicio\": "
	    "\"2026-12-01\", \"alineacion\": null}", 422,
	    "alineacion_requerida");
	esc_pal_fails(fac.token, "alineacion_requerida", "compromiso",
	    "agregar", fx.sid, "--titulo", "Agua para todos", "--tipo",
	    "plan_nacional", "--inicio", "2026-12-01");
	esc_api_refused("POST", path, fac.token, "{\"titulo\": \"Agua para "
	    "todos\", \"tipo\": \"local\", \"inicio\": \"2026-02-30\"}", 422,
	    "fecha_invalida");
	cr_assert_eq(esc_count_in("compromisos", fx.id), 0);
	cr_assert_eq(esc_count_in("eventos", fx.id), n_eventos,
	    "a refused commitment left an event");
	cr_assert_str_eq(esc_mesa_fase(fac.token, fx.id), "en_sesion",
	    "a refused commitment moved the mesa");

	/* fin = inicio + 1 año - 1 día, 29 February included. */
	j = esc_pal_json(fac.token, "compromiso", "agregar", fx.sid, "--titulo",
	    "Agua potable: calendario público de tandeo", "--tipo", "local",
	    "--inicio", "2026-12-01");
	c1 = esc_jint(j, "id");
	cr_assert_str_eq(esc_jstr(j, "fin"), "2027-11-30");
	cr_assert_str_eq(esc_mesa_fase(fac.token, fx.id), "acuerdos");
	j = esc_pal_json(fac.token, "compromiso", "agregar", fx.sid, "--titulo",
	    "Comités de agua con actas públicas", "--tipo", "plan_nacional",
	    "--alineacion", "Compromiso 2 del Plan de Acción 2013-2015",
	    "--inicio", "2028-02-29");
	c2 = esc_jint(j, "id");
	cr_assert_str_eq(esc_jstr(j, "inicio"), "2028-02-29");
	cr_assert_str_eq(esc_jstr(j, "fin"), "2029-02-27");

	/* Clearing the alignment of a national commitment: refused. */
	esc_api_refused("PATCH", h_strf("%s/%lld", path, c2), fac.token,
	    "{\"alineacion\": null}", 422, "alineacion_requerida");
	cr_assert_str_eq(h_db_query_str(&db, "SELECT alineacion FROM "
	    "compromisos WHERE id = $1", esc_id_text(c2)),
	    "Compromiso 2 del Plan de Acción 2013-2015");

	/* Deadlines: the commitment's year, both ends included. */
	apath = h_strf("/v1/compromisos/%lld/actividades", c1);
	n_eventos = esc_count_in("eventos", fx.id);
	esc_api_refused("POST", apath, fac.token, "{\"descripcion\": "
	    "\"Publicar el calendario\", \"responsable\": {\"nombre\": \"Ana "
	    "Ruiz\", \"email\": \"ana@ocotlan.gob.mx\"}, \"fecha_limite\": "
	    "\"2026-11-30\"}", 422, "fecha_fuera_de_plazo");
	esc_api_refused("POST", apath, fac.token, "{\"descripcion\": "
	    "\"Publicar el calendario\", \"responsable\": {\"nombre\": \"Ana "
	    "Ruiz\", \"email\": \"ana@ocotlan.gob.mx\"}, \"fecha_limite\": "
	    "\"2027-12-01\"}", 422, "fecha_fuera_de_plazo");
	esc_pal_expect(fac.token, 2, "fecha_fuera_de_plazo", "actividad",
	    "agregar", esc_id_text(c1), "--descripcion",
	    "Publicar el calendario", "--responsable", "Ana Ruiz", "--email",
	    "ana@ocotlan.gob.mx", "--fecha", "2026-11-30");
	esc_pal_expect(fac.token, 2, "fecha_fuera_de_plazo", "actividad",
	    "agregar", esc_id_text(c2), "--descripcion", "Publicar las actas",
	    "--responsable", "Ana Ruiz", "--email", "ana@ocotlan.gob.mx",
	    "--fecha", "2029-02-28");
	esc_api_refused("POST", apath, fac.token, "{\"descripcion\": "
	    "\"Publicar el calendario\", \"responsable\": {\"nombre\": \"Ana "
	    "Ruiz\", \"email\": \"ana@ocotlan.gob.mx\"}, \"fecha_limite\": "
	    "\"2027-02-29\"}", 422, "fecha_invalida");

	/* An address with CR/LF would inject SMTP commands. */
	esc_api_refused("POST", apath, fac.token, "{\"descripcion\": "
	    "\"Publicar el calendario\", \"responsable\": {\"nombre\": \"Ana "
	    "Ruiz\", \"email\": \"ana@ocotlan.gob.mx\\r\\nRCPT "
	    "TO:<otro@x.mx>\"}, \"fecha_limite\": \"2027-01-15\"}", 422,
	    "email_invalido");
	esc_api_refused("POST", apath, fac.token, "{\"descripcion\": "
	    "\"Publicar el calendario\", \"responsable\": {\"nombre\": \"Ana "
	    "Ruiz\", \"email\": \"ana@ocotlan.gob.mx\\nBcc: otro@x.mx\"}, "
	    "\"fecha_limite\": \"2027-01-15\"}", 422, "email_invalido");
	esc_pal_fails(fac.token, "email_invalido", "actividad", "agregar",
	    esc_id_text(c1), "--descripcion", "Publicar el calendario",
	    "--responsable", "Ana Ruiz", "--email",
	    "ana@ocotlan.gob.mx\r\nRCPT TO:<otro@x.mx>", "--fecha",
	    "2027-01-15");
	cr_assert_eq(esc_count_in("actividades", fx.id), 0);
	cr_assert_eq(esc_count_in("eventos", fx.id), n_eventos,
	    "a refused activity left an event");

	/* Both ends are inside. */
	j = esc_pal_json(fac.token, "actividad", "agregar", esc_id_text(c1),
	    "--descripcion", "Instalar el comité del agua", "--responsable",
	    "Ana Ruiz", "--email", "ana@ocotlan.gob.mx", "--fecha",
	    "2026-12-01");
	cr_assert_str_eq(esc_jstr(j, "fecha_limite"), "2026-12-01");
	j = esc_pal_json(fac.token, "actividad", "agregar", esc_id_text(c1),
	    "--descripcion", "Publicar el calendario de tandeo",
	    "--responsable", "Ana Ruiz", "--email", "ana@ocotlan.gob.mx",
	    "--fecha", "2027-11-30");
	cr_assert_str_eq(esc_jstr(j, "fecha_limite"), "2027-11-30");
	esc_pal_json(fac.token, "actividad", "agregar", esc_id_text(c2),
	    "--descripcion", "Publicar las actas de los comités",
	    "--responsable", "Ana Ruiz", "--email", "ana@ocotlan.gob.mx",
	    "--fecha", "2029-02-27");
	esc_pal_json(fac.token, "actividad", "agregar", esc_id_text(c2),
	    "--descripcion", "Primera acta pública", "--responsable",
	    "Ana Ruiz", "--email", "ana@ocotlan.gob.mx", "--fecha",
	    "2028-02-29");
	cr_assert_eq(esc_count_in("actividades", fx.id), 4);

	/* A criterion that does not exist. */
	cpath = h_strf("/v1/compromisos/%lld/criterios", c1);
	esc_api_refused("POST", cpath, fac.token, "{\"criterio\": \"bonito\", "
	    "\"quien\": \"Ana Ruiz\", \"justificacion\": \"Porque sí.\"}",
	    422, NULL);
	esc_pal_fails(fac.token, NULL, "criterio", "atestiguar",
	    esc_id_text(c1), "--criterio", "bonito", "--quien", "Ana Ruiz",
	    "--justificacion", "Porque sí.");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM criterios "
	    "WHERE compromiso_id = $1", esc_id_text(c1)), 0);

	/* Closing an invalid PAL: the full list, nothing frozen or sent. */
	val = esc_api("GET", h_strf("/v1/mesas/%s/pal/validacion", fx.sid),
	    fac.token, NULL, 200);
	cr_assert(json_is_false(json_object_get(val, "valido")));
	errs = esc_jarr(val, "errores");
	cr_assert_eq(count_code(errs, "faltan_contrataciones_abiertas", -1),
	    1);
	cr_assert_eq(count_code(errs, "faltan_plan_nacional", -1), 1);
	cr_assert_eq(count_code(errs, "faltan_locales", -1), 1);
	cr_assert_geq(count_code(errs, "criterio_sin_atestiguar", c1), 1);
	cr_assert_geq(count_code(errs, "criterio_sin_atestiguar", c2), 1);
	/* These commitments lack their optional fields: which of them the
	 * PAL requires (campo_requerido) the documents leave open. */
	check_only_codes(errs, esc_argv("faltan_contrataciones_abiertas",
	    "faltan_plan_nacional", "faltan_locales",
	    "criterio_sin_atestiguar", "campo_requerido"), 5);
	n_eventos = esc_count_in("eventos", fx.id);
	n_outbox = h_db_query_int(&db, "SELECT count(*) FROM outbox");
	lpath = h_strf("/v1/mesas/%s/pal/cerrar", fx.sid);
	j = esc_api_refused("POST", lpath, fac.token, NULL, 409,
	    "pal_invalido");
	j = json_object_get(esc_jobj(j, "error"), "detalles");
	cr_assert(json_is_object(j), "pal_invalido without detalles");
	cr_assert(json_equal(esc_jarr(j, "errores"), errs), "detalles.errores "
	    "is not the full list of broken rules");
	o = esc_pal_expect(fac.token, 2, "pal_invalido", "pal", "cerrar",
	    fx.sid);
	check_messages_listed("pal pal cerrar (stderr)", o.err, errs, false);
	cr_assert_eq(esc_count_in("pal_versiones", fx.id), 0);
	cr_assert_eq(esc_count_in("eventos", fx.id), n_eventos);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM outbox"),
	    n_outbox);
	cr_assert_str_eq(esc_mesa_fase(fac.token, fx.id), "acuerdos");
}

/* RFC 4180 text parsed: an array of records, each an array of strings.
 * Records end in CRLF (the last one may end the text). Kept. */
static json_t *
csv_parse(const char *s, size_t len)
{
	json_t *rows = esc_keep(json_array()), *row = json_array();
	char *field = malloc(len + 1);
	size_t fl = 0, i = 0;
	bool started = false;

	cr_assert_not_null(field);
	/* A byte-order mark is tolerated, not required. */
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		char c = s[i];

		started = true;
		if (c == '"') {
			cr_assert_eq(fl, 0, "a quote inside an unquoted field "
			    "at byte %zu", i);
			for (i++;; i++) {
				cr_assert_lt(i, len, "an unterminated quoted "
				    "field");
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						field[fl++] = '"';
						i++;
						continue;
					}
					break;
				}
				field[fl++] = s[i];
			}
			i++;
			cr_assert(i == len || s[i] == ',' || s[i] == '\r',
			    "text after a quoted field at byte %zu", i);
			continue;
		}
		if (c == ',' || c == '\r' || c == '\n') {
			json_array_append_new(row, json_stringn(field, fl));
			fl = 0;
			if (c == ',') {
				i++;
				continue;
			}
			cr_assert(c == '\r' && i + 1 < len && s[i + 1] == '\n',
			    "a record not ended by CRLF at byte %zu", i);
			json_array_append_new(rows, row);
			row = json_array();
			started = false;
			i += 2;
			continue;
		}
		field[fl++] = c;
		i++;
	}
	if (started) {
		json_array_append_new(row, json_stringn(field, fl));
		json_array_append_new(rows, row);
	} else
		json_decref(row);
	free(field);
	return rows;
}

/*
 * 4. The PAL as open data: CSV (one row per activity, RFC 4180) and
 * JSON (the canonical content plus each activity's estado).
 */
Test(acuerdos, open_data)
{
	static const char *const header[] = { "compromiso_id", "numero",
	    "titulo", "tipo", "alineacion", "institucion", "inicio", "fin",
	    "actividad_id", "actividad", "responsable",
	    "institucion_responsable", "fecha_limite", "estado", "avance" };
	const size_t n_cols = sizeof(header) / sizeof(header[0]);
	struct esc_usuario fac;
	struct mesa_fx fx;
	struct pal_fx p;
	json_t *v, *rows, *row, *canon, *datos, *c, *a;
	const char *csv, *ctype, *file;
	struct esc_out o;
	size_t i, k, len, flen;
	bool seen[N_COMPS][2] = { { false } };

	fac = esc_usuario_crear("Laura Gómez Facilitadora", "laura@stl.org.mx",
	    "facilitador", "Oaxaca");
	fx = mesa_en_sesion(fac.token, "Mesa de Zaachila: datos abiertos");
	p = valid_pal(fac.token, &fx);
	v = cerrar(fac.token, &fx, 1);
	canon = check_canonico(fac.token, &fx, "",
	    esc_jstr(v, "sha256_canonico"), 1);

	/* CSV: pal prints the server's bytes, to stdout or to a file. */
	csv = api_body(h_strf("/v1/mesas/%s/pal/datos.csv", fx.sid), fac.token,
	    &len, &ctype);
	cr_assert(esc_find_ci(ctype, "text/csv") == ctype,
	    "Content-Type of the CSV: %s", ctype);
	o = esc_pal_ok(fac.token, "pal", "datos", fx.sid, "--formato", "csv");
	cr_assert_str_eq(o.out, csv, "pal pal datos --formato csv does not "
	    "print the server's CSV");
	esc_pal_ok(fac.token, "pal", "datos", fx.sid, "--formato", "csv", "-o",
	    h_path("datos.csv"));
	{
		char *f = h_read_file(h_path("datos.csv"), &flen);

		cr_assert_not_null(f, "pal pal datos -o wrote nothing");
		file = h_strf("%s", f);
		free(f);
	}
	cr_assert_eq(flen, len);
	cr_assert_str_eq(file, csv);

	rows = csv_parse(csv, len);
	cr_assert_eq(json_array_size(rows), 1 + N_ACTS, "%zu records for a "
	    "header and %d activities:\n%s", json_array_size(rows), N_ACTS,
	    csv);
	row = json_array_get(rows, 0);
	cr_assert_eq(json_array_size(row), n_cols);
	for (k = 0; k < n_cols; k++)
		cr_assert_str_eq(json_string_value(json_array_get(row, k)),
		    header[k], "column %zu of the header", k + 1);
	for (i = 1; i < json_array_size(rows); i++) {
		const char *f[16];
		int ci = -1, ai = -1;

		row = json_array_get(rows, i);
		cr_assert_eq(json_array_size(row), n_cols, "record %zu has "
		    "%zu fields", i, json_array_size(row));
		for (k = 0; k < n_cols; k++)
			f[k] = json_string_value(json_array_get(row, k));
		for (int x = 0; x < N_COMPS; x++)
			for (int y = 0; y < COMPS[x].n_act; y++)
				if (strcmp(f[8],
				    esc_id_text(p.act[x][y])) == 0) {
					ci = x;
					ai = y;
				}
		cr_assert_geq(ci, 0, "record %zu: unknown actividad_id %s", i,
		    f[8]);
		cr_assert(!seen[ci][ai], "activity %s twice", f[8]);
		seen[ci][ai] = true;
		cr_assert_str_eq(f[0], esc_id_text(p.comp[ci]));
		cr_assert_str_eq(f[1], esc_id_text(p.numero[ci]));
		cr_assert_str_eq(f[2], COMPS[ci].titulo);
		cr_assert_str_eq(f[3], COMPS[ci].tipo);
		cr_assert_str_eq(f[4], COMPS[ci].alineacion != NULL ?
		    COMPS[ci].alineacion : "");
		cr_assert_str_eq(f[5], COMPS[ci].institucion);
		cr_assert_str_eq(f[6], COMPS[ci].inicio);
		cr_assert_str_eq(f[7], COMPS[ci].fin);
		cr_assert_str_eq(f[9], COMPS[ci].act[ai].descripcion);
		cr_assert_str_eq(f[10], COMPS[ci].act[ai].responsable);
		cr_assert_str_eq(f[11], COMPS[ci].act[ai].institucion != NULL ?
		    COMPS[ci].act[ai].institucion : "");
		cr_assert_str_eq(f[12], COMPS[ci].act[ai].fecha);
		cr_assert_str_eq(f[13], "pendiente");
		cr_assert_str_eq(f[14], "0");
	}
	/* The quoted title came through the quoting intact. */
	cr_assert(strstr(csv, "\"Contratación abierta: \"\"obra pública\"\", "
	    "de la licitación al pago\"") != NULL, "the title with a comma "
	    "and quotes is not quoted as RFC 4180 says:\n%s", csv);

	/* JSON: the canonical content, plus each activity's estado. */
	datos = esc_api("GET", h_strf("/v1/mesas/%s/pal/datos.json", fx.sid),
	    fac.token, NULL, 200);
	o = esc_pal_ok(fac.token, "pal", "datos", fx.sid, "--formato", "json");
	{
		json_error_t e;
		json_t *printed = esc_keep(json_loads(o.out, 0, &e));

		cr_assert_not_null(printed, "pal pal datos --formato json: %s "
		    "(%s)", o.out, e.text);
		cr_assert(json_equal(printed, datos), "pal pal datos --formato "
		    "json is not the server's JSON");
	}
	json_contains("datos.json", datos, canon);
	cr_assert_eq(json_array_size(esc_jarr(datos, "compromisos")), N_COMPS);
	json_array_foreach(esc_jarr(datos, "compromisos"), i, c) {
		json_array_foreach(esc_jarr(c, "actividades"), k, a)
			cr_assert_str_eq(esc_jstr(a, "estado"), "pendiente",
			    "activity %lld: estado", esc_jint(a, "id"));
	}
}

/*
 * 5. The scan of the signed paper PAL, stored with its SHA-256 by the
 * facilitator; the garante reads but cannot upload.
 */
Test(acuerdos, evidence)
{
	struct esc_usuario fac, garante;
	struct mesa_fx fx;
	json_t *v, *j;
	const char *scan = h_path("scan.pdf"), *sha;
	char data[5000];
	const char *head = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";

	fac = esc_usuario_crear("Laura Gómez Facilitadora", "laura@stl.org.mx",
	    "facilitador", "Oaxaca");
	garante = esc_usuario_crear("Rosa Méndez Garante",
	    "rosa@garante-oax.org.mx", "garante", "Oaxaca");
	fx = mesa_en_sesion(fac.token, "Mesa de Etla: obra comunitaria");
	valid_pal(fac.token, &fx);
	v = cerrar(fac.token, &fx, 1);

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 37 + 11 + (i >> 7));
	memcpy(data, head, strlen(head));
	h_write_file(scan, data, sizeof(data));
	sha = esc_sha256_hex(data, sizeof(data));

	/* The garante reads the PAL but changes nothing. */
	esc_pal_json(garante.token, "pal", "ver", fx.sid);
	esc_pal_expect(garante.token, 2, NULL, "pal", "evidencia", fx.sid,
	    "--version", "1", scan);
	esc_api_refused("POST", h_strf("/v1/mesas/%s/pal/evidencias?version=1&"
	    "archivo=scan.pdf", fx.sid), garante.token, "{}", 403, NULL);
	cr_assert_eq(esc_count_in("evidencias", fx.id), 0);

	/* A version that does not exist. */
	esc_pal_expect(fac.token, 2, NULL, "pal", "evidencia", fx.sid,
	    "--version", "9", scan);
	cr_assert_eq(esc_count_in("evidencias", fx.id), 0);

	j = esc_pal_json(fac.token, "pal", "evidencia", fx.sid, "--version",
	    "1", scan);
	cr_assert_eq(esc_jint(j, "version"), 1);
	cr_assert_str_eq(esc_jstr(j, "archivo"), "scan.pdf");
	cr_assert_str_eq(esc_jstr(j, "tipo_medio"), "application/pdf");
	cr_assert_eq(esc_jint(j, "tamano"), (long long)sizeof(data));
	cr_assert_str_eq(esc_jstr(j, "sha256"), sha);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM evidencias e "
	    "JOIN pal_versiones v ON v.id = e.version_id WHERE e.mesa_id = $1 "
	    "AND v.numero = 1 AND e.id = $2 AND e.sha256 = $3 AND "
	    "encode(sha256(e.contenido), 'hex') = $3 AND e.tamano = $4 AND "
	    "e.nombre_archivo = 'scan.pdf' AND e.subido_por = $5", fx.sid,
	    esc_id_text(esc_jint(j, "id")), sha, h_strf("%zu", sizeof(data)),
	    esc_id_text(fac.id)), 1,
	    "the scan is not stored byte for byte with its SHA-256");
	cr_assert_eq(esc_count_in("evidencias", fx.id), 1);
	cr_assert_str_eq(esc_jstr(v, "sha256_pdf"), h_db_query_str(&db,
	    "SELECT sha256_pdf FROM pal_versiones WHERE mesa_id = $1 AND "
	    "numero = 1", fx.sid));
}
