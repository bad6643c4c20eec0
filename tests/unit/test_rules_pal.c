/*
 * Unit tests for the PAL's rules in common/rules.c: the criterion names,
 * a commitment's end date (against what PostgreSQL computes), and
 * rules_pal_validar at every boundary: the minimum count of each kind of
 * commitment, each required field, each criterion, a deadline on and
 * just outside the commitment's year, the responsable's email, the order
 * of the violations and a buffer smaller than their number.
 */
#include "rules.h"

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dates.h"
#include "validate.h"

#define PAL_MAX_COMPROMISOS	8
#define PAL_MAX_ACTIVIDADES	3
#define PAL_MAX_VIOLACIONES	64

/* A draft PAL the tests break one rule at a time. */
struct pal {
	struct rules_compromiso	c[PAL_MAX_COMPROMISOS];
	struct rules_actividad	a[PAL_MAX_COMPROMISOS][PAL_MAX_ACTIVIDADES];
	size_t			n;
	struct rules_violacion	out[PAL_MAX_VIOLACIONES];
};

static int
day(const char *s)
{
	int d = -1;

	cr_assert(dates_parse(s, &d), "should parse: \"%s\"", s);
	return d;
}

/*
 * Appends commitment number `numero`, valid in every respect: all its
 * fields, the five criteria, and two activities, the first a month after
 * inicio and the second on the last day.
 */
static struct rules_compromiso *
pal_add(struct pal *p, int numero, const char *titulo, const char *tipo,
    const char *inicio)
{
	struct rules_compromiso *c;
	struct rules_actividad *a;
	size_t i = p->n++;

	cr_assert_lt(i, PAL_MAX_COMPROMISOS);
	c = &p->c[i];
	a = p->a[i];
	memset(c, 0, sizeof(*c));
	c->id = 100 + numero;
	c->numero = numero;
	c->titulo = titulo;
	c->tipo = tipo;
	c->problema = "Nadie sabe cuánto cuesta cada obra.";
	c->descripcion = "Publicar cada contrato con sus pagos.";
	c->alineacion = strcmp(tipo, "plan_nacional") == 0 ?
	    "Compromiso 7 del Plan de Acción 2013-2015" : NULL;
	c->indicador = "Contratos publicados / contratos firmados";
	c->meta = "100 % de los contratos de 2027";
	c->institucion = "Secretaría de Obras Públicas";
	c->inicio = day(inicio);
	c->fin = rules_compromiso_fin(c->inicio);
	c->criterios = RULES_CRITERIOS_TODOS;
	c->actividades = a;
	c->n_actividades = 2;
	for (int k = 0; k < 2; k++) {
		memset(&a[k], 0, sizeof(a[k]));
		a[k].id = 1000 + 10 * numero + k + 1;
		a[k].numero = k + 1;
		a[k].descripcion = "Subir los contratos al portal.";
		a[k].responsable_nombre = "Ana López";
		a[k].responsable_email = "ana.lopez@obras.oaxaca.gob.mx";
	}
	a[0].fecha_limite = c->inicio + 30;
	a[1].fecha_limite = c->fin;
	return c;
}

/* The smallest valid PAL: 1 contrataciones, 2 plan_nacional, 2 local. */
static void
pal_init(struct pal *p)
{
	memset(p, 0, sizeof(*p));
	pal_add(p, 1, "Datos de contratos", "contrataciones_abiertas",
	    "2027-01-15");
	pal_add(p, 2, "Presupuesto abierto", "plan_nacional", "2026-12-01");
	pal_add(p, 3, "Portal de obras", "local", "2026-12-01");
	pal_add(p, 4, "Consulta de trámites", "plan_nacional", "2026-12-10");
	pal_add(p, 5, "Agua potable", "local", "2027-02-28");
}

/* Commitment i, by its place in the array (numero i + 1 after init). */
static struct rules_compromiso *
pal_c(struct pal *p, size_t i)
{
	cr_assert_lt(i, p->n);
	return &p->c[i];
}

static void
pal_remove(struct pal *p, size_t i)
{
	cr_assert_lt(i, p->n);
	/* The activities stay where they are: only the pointers move. */
	memmove(&p->c[i], &p->c[i + 1], (p->n - i - 1) * sizeof(p->c[0]));
	p->n--;
}

/* Runs the rules; every violation written must be well formed. */
static size_t
pal_check(struct pal *p)
{
	size_t n;

	memset(p->out, 0, sizeof(p->out));
	n = rules_pal_validar(p->c, p->n, p->out, PAL_MAX_VIOLACIONES);
	cr_assert_leq(n, PAL_MAX_VIOLACIONES);
	for (size_t i = 0; i < n; i++) {
		const char *m = p->out[i].message;

		cr_assert_neq(p->out[i].code[0], '\0');
		cr_assert(validate_utf8(m, strlen(m)), "not UTF-8: %s", m);
		cr_assert_neq(m[0], '\0');
	}
	return n;
}

/* Exactly one violation, and it is this one. */
static void
expect_one(struct pal *p, const char *code, long long compromiso_id,
    long long actividad_id, const char *message)
{
	size_t n = pal_check(p);

	cr_assert_eq(n, 1, "expected only %s, got %zu violations, first "
	    "%s: %s", code, n, p->out[0].code, p->out[0].message);
	cr_assert_str_eq(p->out[0].code, code);
	cr_assert_str_eq(p->out[0].message, message);
	cr_assert_eq(p->out[0].compromiso_id, compromiso_id);
	cr_assert_eq(p->out[0].actividad_id, actividad_id);
}

Test(rules_pal, criterio_names_round_trip)
{
	static const struct {
		const char	*name;
		unsigned	 bit;
	} t[] = {
		{ "medible", RULES_CRITERIO_MEDIBLE },
		{ "especifico", RULES_CRITERIO_ESPECIFICO },
		{ "replicable", RULES_CRITERIO_REPLICABLE },
		{ "sostenible", RULES_CRITERIO_SOSTENIBLE },
		{ "alto_impacto", RULES_CRITERIO_ALTO_IMPACTO },
	};
	unsigned all = 0;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		cr_assert_eq(rules_criterio_bit(t[i].name), t[i].bit);
		cr_assert_str_eq(rules_criterio_name(t[i].bit), t[i].name);
		all |= t[i].bit;
	}
	cr_assert_eq(all, RULES_CRITERIOS_TODOS);
}

Test(rules_pal, criterio_unknown)
{
	cr_assert_eq(rules_criterio_bit(NULL), 0);
	cr_assert_eq(rules_criterio_bit(""), 0);
	cr_assert_eq(rules_criterio_bit("Medible"), 0);
	cr_assert_eq(rules_criterio_bit("específico"), 0);
	cr_assert_eq(rules_criterio_bit("alto impacto"), 0);
	cr_assert_eq(rules_criterio_bit("alto_impacto "), 0);
	cr_assert_eq(rules_criterio_bit("medibl"), 0);
	cr_assert_null(rules_criterio_name(0));
	cr_assert_null(rules_criterio_name(0x20));
	cr_assert_null(rules_criterio_name(RULES_CRITERIO_MEDIBLE |
	    RULES_CRITERIO_ESPECIFICO));
	cr_assert_null(rules_criterio_name(RULES_CRITERIOS_TODOS));
	cr_assert_null(rules_criterio_name(~0u));
}

/*
 * Each pair is what PostgreSQL 15 answers for
 * "inicio::date + interval '1 year' - interval '1 day'".
 */
Test(rules_pal, compromiso_fin_agrees_with_postgresql)
{
	static const char *const t[][2] = {
		{ "2024-01-15", "2025-01-14" },
		{ "2024-02-29", "2025-02-27" },
		{ "2023-03-01", "2024-02-29" },
		{ "2025-12-31", "2026-12-30" },
		{ "2026-12-01", "2027-11-30" },
		{ "2024-01-01", "2024-12-31" },
		{ "2023-02-28", "2024-02-27" },
		{ "2024-02-28", "2025-02-27" },
		{ "2024-03-01", "2025-02-28" },
		{ "2027-03-01", "2028-02-29" },
		{ "2028-02-29", "2029-02-27" },
		{ "2099-03-01", "2100-02-28" },
		{ "2099-02-28", "2100-02-27" },
		{ "1999-03-01", "2000-02-29" },
	};
	char s[11];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		dates_format(rules_compromiso_fin(day(t[i][0])), s);
		cr_expect_str_eq(s, t[i][1], "fin of %s", t[i][0]);
	}
}

Test(rules_pal, valid_pal_has_no_violations)
{
	struct pal p;

	pal_init(&p);
	cr_assert_eq(p.n, 5);
	cr_assert_eq(pal_check(&p), 0, "first: %s", p.out[0].message);
	/* Nothing to write, nothing written: out may be NULL. */
	cr_assert_eq(rules_pal_validar(p.c, p.n, NULL, 0), 0);
}

Test(rules_pal, more_than_the_minimums_is_valid)
{
	struct pal p;

	pal_init(&p);
	pal_add(&p, 6, "Licitaciones en línea", "contrataciones_abiertas",
	    "2026-12-01");
	pal_add(&p, 7, "Transporte", "local", "2026-12-01");
	pal_add(&p, 8, "Becas", "plan_nacional", "2026-12-01");
	cr_assert_eq(pal_check(&p), 0, "first: %s", p.out[0].message);
}

Test(rules_pal, one_contrataciones_abiertas_fewer)
{
	struct pal p;

	pal_init(&p);
	pal_remove(&p, 0);
	expect_one(&p, "faltan_contrataciones_abiertas", 0, 0,
	    "El PAL necesita al menos 1 compromiso de contrataciones "
	    "abiertas; no tiene ninguno.");
}

Test(rules_pal, one_plan_nacional_fewer)
{
	struct pal p;

	pal_init(&p);
	pal_remove(&p, 1);
	expect_one(&p, "faltan_plan_nacional", 0, 0,
	    "El PAL necesita al menos 2 compromisos alineados al Plan de "
	    "Acción Nacional; tiene 1.");
}

Test(rules_pal, one_local_fewer)
{
	struct pal p;

	pal_init(&p);
	pal_remove(&p, 4);
	expect_one(&p, "faltan_locales", 0, 0,
	    "El PAL necesita al menos 2 compromisos sobre problemas "
	    "locales; tiene 1.");
}

Test(rules_pal, unknown_tipo_counts_for_nothing)
{
	struct pal p;

	pal_init(&p);
	/* The database refuses such a tipo; here it just counts nowhere. */
	pal_c(&p, 2)->tipo = "Local";
	expect_one(&p, "faltan_locales", 0, 0,
	    "El PAL necesita al menos 2 compromisos sobre problemas "
	    "locales; tiene 1.");
	pal_c(&p, 2)->tipo = NULL;
	expect_one(&p, "faltan_locales", 0, 0,
	    "El PAL necesita al menos 2 compromisos sobre problemas "
	    "locales; tiene 1.");
}

Test(rules_pal, no_commitments_gives_the_three_counts)
{
	struct rules_violacion out[4];

	memset(out, 0, sizeof(out));
	cr_assert_eq(rules_pal_validar(NULL, 0, out, 4), 3);
	cr_assert_str_eq(out[0].code, "faltan_contrataciones_abiertas");
	cr_assert_str_eq(out[0].message, "El PAL necesita al menos 1 "
	    "compromiso de contrataciones abiertas; no tiene ninguno.");
	cr_assert_str_eq(out[1].code, "faltan_plan_nacional");
	cr_assert_str_eq(out[1].message, "El PAL necesita al menos 2 "
	    "compromisos alineados al Plan de Acción Nacional; tiene 0.");
	cr_assert_str_eq(out[2].code, "faltan_locales");
	cr_assert_str_eq(out[2].message, "El PAL necesita al menos 2 "
	    "compromisos sobre problemas locales; tiene 0.");
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(out[i].compromiso_id, 0);
		cr_assert_eq(out[i].actividad_id, 0);
	}
	cr_assert_eq(out[3].code[0], '\0', "nothing past the count");
}

Test(rules_pal, commitment_without_activities)
{
	struct pal p;

	pal_init(&p);
	pal_c(&p, 2)->n_actividades = 0;
	pal_c(&p, 2)->actividades = NULL;
	expect_one(&p, "sin_actividades", 103, 0,
	    "Compromiso 3 «Portal de obras»: no tiene actividades.");
}

Test(rules_pal, each_required_field)
{
	static const char *const absent[] = { NULL, "", "   ", " \t\r\n " };
	static const char *const falta[] = {
		"el problema", "la descripción", "el indicador", "la meta",
		"la institución",
	};
	struct pal p;
	char want[400];

	for (size_t f = 0; f < sizeof(falta) / sizeof(falta[0]); f++) {
		for (size_t v = 0; v < sizeof(absent) / sizeof(absent[0]);
		    v++) {
			struct rules_compromiso *c;
			const char **field[5];

			pal_init(&p);
			c = pal_c(&p, 2);
			field[0] = &c->problema;
			field[1] = &c->descripcion;
			field[2] = &c->indicador;
			field[3] = &c->meta;
			field[4] = &c->institucion;
			*field[f] = absent[v];
			snprintf(want, sizeof(want), "Compromiso 3 «Portal de "
			    "obras»: falta %s.", falta[f]);
			expect_one(&p, "campo_requerido", 103, 0, want);
		}
	}
}

Test(rules_pal, all_required_fields_in_order)
{
	struct pal p;
	struct rules_compromiso *c;

	pal_init(&p);
	c = pal_c(&p, 2);
	c->institucion = c->meta = c->indicador = c->descripcion =
	    c->problema = NULL;
	cr_assert_eq(pal_check(&p), 5);
	cr_assert_str_eq(p.out[0].message, "Compromiso 3 «Portal de obras»: "
	    "falta el problema.");
	cr_assert_str_eq(p.out[1].message, "Compromiso 3 «Portal de obras»: "
	    "falta la descripción.");
	cr_assert_str_eq(p.out[2].message, "Compromiso 3 «Portal de obras»: "
	    "falta el indicador.");
	cr_assert_str_eq(p.out[3].message, "Compromiso 3 «Portal de obras»: "
	    "falta la meta.");
	cr_assert_str_eq(p.out[4].message, "Compromiso 3 «Portal de obras»: "
	    "falta la institución.");
}

Test(rules_pal, plan_nacional_needs_alineacion)
{
	static const char *const absent[] = { NULL, "", " \t" };
	struct pal p;

	for (size_t v = 0; v < sizeof(absent) / sizeof(absent[0]); v++) {
		pal_init(&p);
		pal_c(&p, 1)->alineacion = absent[v];
		expect_one(&p, "alineacion_requerida", 102, 0,
		    "Compromiso 2 «Presupuesto abierto»: falta la "
		    "alineación al Plan de Acción Nacional.");
	}
}

Test(rules_pal, other_tipos_need_no_alineacion)
{
	struct pal p;

	pal_init(&p);
	cr_assert_null(pal_c(&p, 0)->alineacion);
	cr_assert_null(pal_c(&p, 2)->alineacion);
	pal_c(&p, 4)->alineacion = "";
	cr_assert_eq(pal_check(&p), 0, "first: %s", p.out[0].message);
	/* One given anyway is not a fault either. */
	pal_c(&p, 4)->alineacion = "Compromiso 3 del Plan de Acción";
	cr_assert_eq(pal_check(&p), 0, "first: %s", p.out[0].message);
}

Test(rules_pal, each_criterion_missing)
{
	static const struct {
		unsigned	 bit;
		const char	*label;
	} t[] = {
		{ RULES_CRITERIO_MEDIBLE, "medible" },
		{ RULES_CRITERIO_ESPECIFICO, "específico" },
		{ RULES_CRITERIO_REPLICABLE, "replicable" },
		{ RULES_CRITERIO_SOSTENIBLE, "sostenible" },
		{ RULES_CRITERIO_ALTO_IMPACTO, "alto impacto" },
	};
	struct pal p;
	char want[400];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		pal_init(&p);
		pal_c(&p, 2)->criterios = RULES_CRITERIOS_TODOS & ~t[i].bit;
		snprintf(want, sizeof(want), "Compromiso 3 «Portal de obras»: "
		    "el criterio «%s» no está atestiguado.", t[i].label);
		expect_one(&p, "criterio_sin_atestiguar", 103, 0, want);
	}
	cr_assert_str_eq(want, "Compromiso 3 «Portal de obras»: el criterio "
	    "«alto impacto» no está atestiguado.");
}

Test(rules_pal, no_criterion_attested)
{
	struct pal p;

	pal_init(&p);
	pal_c(&p, 2)->criterios = 0;
	cr_assert_eq(pal_check(&p), 5);
	for (int i = 0; i < 5; i++) {
		cr_assert_str_eq(p.out[i].code, "criterio_sin_atestiguar");
		cr_assert_eq(p.out[i].compromiso_id, 103);
	}
	cr_assert_str_eq(p.out[0].message, "Compromiso 3 «Portal de obras»: "
	    "el criterio «medible» no está atestiguado.");
	cr_assert_str_eq(p.out[4].message, "Compromiso 3 «Portal de obras»: "
	    "el criterio «alto impacto» no está atestiguado.");
	/* Bits beyond the five do not stand in for any of them. */
	pal_c(&p, 2)->criterios = ~RULES_CRITERIOS_TODOS;
	cr_assert_eq(pal_check(&p), 5);
}

Test(rules_pal, deadline_on_inicio_and_fin_accepted)
{
	struct pal p;
	struct rules_compromiso *c;

	pal_init(&p);
	c = pal_c(&p, 2);
	cr_assert_eq(c->inicio, day("2026-12-01"));
	cr_assert_eq(c->fin, day("2027-11-30"));
	p.a[2][0].fecha_limite = c->inicio;
	p.a[2][1].fecha_limite = c->fin;
	cr_assert_eq(pal_check(&p), 0, "first: %s", p.out[0].message);
}

Test(rules_pal, deadline_outside_the_year_refused)
{
	struct pal p;

	pal_init(&p);
	p.a[2][1].fecha_limite = day("2027-12-01");
	expect_one(&p, "fecha_fuera_de_plazo", 103, 1032,
	    "Actividad 3.2 del compromiso «Portal de obras»: la fecha "
	    "límite 2027-12-01 está fuera de la vigencia (2026-12-01 a "
	    "2027-11-30).");
	p.a[2][1].fecha_limite = day("2028-01-10");
	expect_one(&p, "fecha_fuera_de_plazo", 103, 1032,
	    "Actividad 3.2 del compromiso «Portal de obras»: la fecha "
	    "límite 2028-01-10 está fuera de la vigencia (2026-12-01 a "
	    "2027-11-30).");
	pal_init(&p);
	p.a[2][0].fecha_limite = day("2026-11-30");
	expect_one(&p, "fecha_fuera_de_plazo", 103, 1031,
	    "Actividad 3.1 del compromiso «Portal de obras»: la fecha "
	    "límite 2026-11-30 está fuera de la vigencia (2026-12-01 a "
	    "2027-11-30).");
}

Test(rules_pal, deadline_across_29_february)
{
	struct pal p;
	struct rules_compromiso *c;

	/* Commitment 5 starts 2027-02-28 and so ends 2028-02-27. */
	pal_init(&p);
	c = pal_c(&p, 4);
	cr_assert_eq(c->fin, day("2028-02-27"));
	p.a[4][1].fecha_limite = day("2028-02-27");
	cr_assert_eq(pal_check(&p), 0, "first: %s", p.out[0].message);
	p.a[4][1].fecha_limite = day("2028-02-28");
	expect_one(&p, "fecha_fuera_de_plazo", 105, 1052,
	    "Actividad 5.2 del compromiso «Agua potable»: la fecha límite "
	    "2028-02-28 está fuera de la vigencia (2027-02-28 a "
	    "2028-02-27).");
}

Test(rules_pal, bad_responsable_email)
{
	static const char *const bad[] = {
		NULL, "", "   ", "no-es-correo", "ana lopez@obras.mx",
		"ana@", "@obras.mx", "ana@obras..mx", "ana@@obras.mx",
		"ana@obras.mx\r\nBcc: x@y.mx",
	};
	struct pal p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pal_init(&p);
		p.a[2][1].responsable_email = bad[i];
		expect_one(&p, "email_invalido", 103, 1032,
		    "Actividad 3.2: el correo del responsable no es "
		    "válido.");
	}
	pal_init(&p);
	p.a[2][0].responsable_email = "a+b@localhost";
	cr_assert_eq(pal_check(&p), 0, "first: %s", p.out[0].message);
}

Test(rules_pal, date_before_email_for_one_activity)
{
	struct pal p;

	pal_init(&p);
	p.a[2][0].fecha_limite = day("2030-01-01");
	p.a[2][0].responsable_email = "nadie";
	cr_assert_eq(pal_check(&p), 2);
	cr_assert_str_eq(p.out[0].code, "fecha_fuera_de_plazo");
	cr_assert_str_eq(p.out[1].code, "email_invalido");
	cr_assert_eq(p.out[0].actividad_id, 1031);
	cr_assert_eq(p.out[1].actividad_id, 1031);
}

/* A PAL broken in many places at once, used by the two tests below. */
static void
pal_broken(struct pal *p)
{
	struct rules_compromiso *c;

	pal_init(p);
	pal_remove(p, 0);		/* no contrataciones_abiertas */
	c = pal_c(p, 0);		/* 2 «Presupuesto abierto» */
	c->problema = NULL;
	c->meta = "";
	c->alineacion = NULL;
	c->criterios &= ~(RULES_CRITERIO_MEDIBLE |
	    RULES_CRITERIO_ALTO_IMPACTO);
	p->a[1][0].fecha_limite = c->fin + 1;
	p->a[1][0].responsable_email = "ana";
	p->a[1][1].responsable_email = NULL;
	c = pal_c(p, 3);		/* 5 «Agua potable» */
	c->n_actividades = 0;
	c->criterios = RULES_CRITERIO_SOSTENIBLE;
}

static const struct {
	const char	*code;
	long long	 compromiso_id;
	long long	 actividad_id;
} broken_want[] = {
	{ "faltan_contrataciones_abiertas", 0, 0 },
	{ "campo_requerido", 102, 0 },		/* problema */
	{ "campo_requerido", 102, 0 },		/* meta */
	{ "alineacion_requerida", 102, 0 },
	{ "criterio_sin_atestiguar", 102, 0 },	/* medible */
	{ "criterio_sin_atestiguar", 102, 0 },	/* alto impacto */
	{ "fecha_fuera_de_plazo", 102, 1021 },
	{ "email_invalido", 102, 1021 },
	{ "email_invalido", 102, 1022 },
	{ "sin_actividades", 105, 0 },
	{ "criterio_sin_atestiguar", 105, 0 },	/* medible */
	{ "criterio_sin_atestiguar", 105, 0 },	/* especifico */
	{ "criterio_sin_atestiguar", 105, 0 },	/* replicable */
	{ "criterio_sin_atestiguar", 105, 0 },	/* alto impacto */
};

#define BROKEN_N	(sizeof(broken_want) / sizeof(broken_want[0]))

Test(rules_pal, order_of_violations_is_stable)
{
	struct rules_violacion first[PAL_MAX_VIOLACIONES];
	struct pal p;

	pal_broken(&p);
	cr_assert_eq(pal_check(&p), BROKEN_N);
	for (size_t i = 0; i < BROKEN_N; i++) {
		cr_expect_str_eq(p.out[i].code, broken_want[i].code, "#%zu",
		    i);
		cr_expect_eq(p.out[i].compromiso_id,
		    broken_want[i].compromiso_id, "#%zu", i);
		cr_expect_eq(p.out[i].actividad_id,
		    broken_want[i].actividad_id, "#%zu", i);
	}
	cr_assert_str_eq(p.out[1].message, "Compromiso 2 «Presupuesto "
	    "abierto»: falta el problema.");
	cr_assert_str_eq(p.out[2].message, "Compromiso 2 «Presupuesto "
	    "abierto»: falta la meta.");
	cr_assert_str_eq(p.out[5].message, "Compromiso 2 «Presupuesto "
	    "abierto»: el criterio «alto impacto» no está atestiguado.");
	cr_assert_str_eq(p.out[9].message, "Compromiso 5 «Agua potable»: "
	    "no tiene actividades.");
	cr_assert_str_eq(p.out[11].message, "Compromiso 5 «Agua potable»: "
	    "el criterio «específico» no está atestiguado.");

	/* The same facts give the same answer, byte for byte. */
	memcpy(first, p.out, sizeof(first));
	cr_assert_eq(pal_check(&p), BROKEN_N);
	cr_assert(memcmp(first, p.out, sizeof(first)) == 0);
}

Test(rules_pal, max_smaller_than_the_count)
{
	struct rules_violacion all[PAL_MAX_VIOLACIONES];
	struct rules_violacion few[4];
	struct pal p;

	pal_broken(&p);
	cr_assert_eq(pal_check(&p), BROKEN_N);
	memcpy(all, p.out, sizeof(all));

	memset(few, 0xA5, sizeof(few));
	cr_assert_eq(rules_pal_validar(p.c, p.n, few, 3), BROKEN_N);
	for (size_t i = 0; i < 3; i++) {
		cr_assert_str_eq(few[i].code, all[i].code);
		cr_assert_str_eq(few[i].message, all[i].message);
		cr_assert_eq(few[i].compromiso_id, all[i].compromiso_id);
		cr_assert_eq(few[i].actividad_id, all[i].actividad_id);
	}
	for (size_t i = 0; i < sizeof(few[3]); i++)
		cr_assert_eq(((unsigned char *)&few[3])[i], 0xA5,
		    "byte %zu past max was written", i);

	cr_assert_eq(rules_pal_validar(p.c, p.n, few, 1), BROKEN_N);
	cr_assert_str_eq(few[0].code, "faltan_contrataciones_abiertas");
	cr_assert_eq(rules_pal_validar(p.c, p.n, NULL, 0), BROKEN_N);
	/* Exactly as many as there are: all written. */
	memset(all, 0, sizeof(all));
	cr_assert_eq(rules_pal_validar(p.c, p.n, all, BROKEN_N), BROKEN_N);
	cr_assert_str_eq(all[BROKEN_N - 1].code, "criterio_sin_atestiguar");
	cr_assert_eq(all[BROKEN_N - 1].compromiso_id, 105);
}

Test(rules_pal, valid_pal_of_five_with_many_activities)
{
	struct pal p;

	pal_init(&p);
	/* A third activity on commitment 3, on its very first day. */
	p.a[2][2] = p.a[2][0];
	p.a[2][2].id = 1033;
	p.a[2][2].numero = 3;
	p.a[2][2].fecha_limite = pal_c(&p, 2)->inicio;
	pal_c(&p, 2)->n_actividades = 3;
	cr_assert_eq(pal_check(&p), 0, "first: %s", p.out[0].message);
}

Test(rules_pal, long_title_is_cut_on_a_character_boundary)
{
	char titulo[301], want[400];
	struct pal p;
	size_t n;

	/* 199 ASCII bytes, then "é" across bytes 199 and 200, then more. */
	memset(titulo, 'x', 199);
	memcpy(titulo + 199, "é", 2);
	memset(titulo + 201, 'y', 99);
	titulo[300] = '\0';
	pal_init(&p);
	pal_c(&p, 2)->titulo = titulo;
	p.a[2][1].fecha_limite = day("2028-01-10");
	pal_c(&p, 2)->n_actividades = 0;
	cr_assert_eq(pal_check(&p), 1);
	snprintf(want, sizeof(want), "Compromiso 3 «%.199s…»: no tiene "
	    "actividades.", titulo);
	cr_assert_str_eq(p.out[0].message, want);

	/* 150 two-byte letters: cut after the 100th, at byte 200. */
	for (int i = 0; i < 150; i++)
		memcpy(titulo + 2 * i, "ñ", 2);
	titulo[300] = '\0';
	pal_c(&p, 2)->n_actividades = 2;
	n = pal_check(&p);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(p.out[0].code, "fecha_fuera_de_plazo");
	snprintf(want, sizeof(want), "Actividad 3.2 del compromiso «%.200s…»: "
	    "la fecha límite 2028-01-10 está fuera de la vigencia "
	    "(2026-12-01 a 2027-11-30).", titulo);
	cr_assert_str_eq(p.out[0].message, want);
}

Test(rules_pal, null_title_still_names_the_number)
{
	struct pal p;

	pal_init(&p);
	pal_c(&p, 2)->titulo = NULL;
	pal_c(&p, 2)->meta = " ";
	expect_one(&p, "campo_requerido", 103, 0,
	    "Compromiso 3 «»: falta la meta.");
}
