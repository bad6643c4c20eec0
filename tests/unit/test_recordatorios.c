/*
 * Unit tests for common/recordatorios.c, the reminder cadence: each day
 * around every offset of the default cadence (30, 7, 1, 0 days before;
 * overdue on day 1, then every 7), the copies to the facilitator (from 7
 * days overdue) and the garante (from 14), downtime (only the latest
 * reminder due), custom and empty cadences, the acuse cadence and the
 * parser of "30,7,1,0". Days are counted from an arbitrary deadline, D.
 */
#include "recordatorios.h"

#include <string.h>

#include <criterion/criterion.h>

#include "dates.h"

/* 2027-03-31, a Wednesday; any day works. */
#define D	20908

static struct recordatorios_cadencia
cadencia(const char *dias, int cada, int copia_f, int copia_g)
{
	struct recordatorios_cadencia c;

	memset(&c, 0, sizeof(c));
	cr_assert(recordatorios_parse_dias(dias, c.dias_antes,
	    &c.n_dias_antes), "parse \"%s\"", dias);
	c.vencida_cada = cada;
	c.copia_facilitador = copia_f;
	c.copia_garante = copia_g;
	return c;
}

static struct recordatorios_cadencia
defecto(void)
{
	return cadencia("30,7,1,0", 7, 7, 14);
}

/*
 * Asserts the reminder due at D + rel (rel < 0 before the deadline):
 * tipo, its dias, the day it falls on (relative to D), the copies and the
 * next day (relative to D).
 */
static void
check(const struct recordatorios_cadencia *c, int rel,
    enum recordatorios_tipo tipo, int dias, int fecha_rel, bool cf, bool cg,
    int proximo_rel)
{
	struct recordatorios_debido u;
	int next = recordatorios_calcular(c, D, D + rel, &u);

	cr_assert_eq(u.tipo, tipo, "day %+d: tipo %d, expected %d", rel,
	    u.tipo, tipo);
	if (tipo == RECORDATORIOS_NINGUNO) {
		cr_assert_eq(u.fecha, RECORDATORIOS_NINGUNA, "day %+d", rel);
	} else {
		cr_assert_eq(u.dias, dias, "day %+d: dias %d, expected %d",
		    rel, u.dias, dias);
		cr_assert_eq(u.fecha - D, fecha_rel, "day %+d: fecha %+d, "
		    "expected %+d", rel, u.fecha - D, fecha_rel);
	}
	cr_assert_eq(u.copia_facilitador, cf, "day %+d: copia facilitador",
	    rel);
	cr_assert_eq(u.copia_garante, cg, "day %+d: copia garante", rel);
	cr_assert_eq(next - D, proximo_rel, "day %+d: next %+d, expected %+d",
	    rel, next - D, proximo_rel);
	cr_assert_gt(next, D + rel, "day %+d: the next is after today", rel);
}

#define P	RECORDATORIOS_PREVIO
#define V0	RECORDATORIOS_VENCIMIENTO
#define VX	RECORDATORIOS_VENCIDA
#define NO	RECORDATORIOS_NINGUNO

Test(recordatorios, before_the_first)
{
	struct recordatorios_cadencia c = defecto();

	check(&c, -365, NO, 0, 0, false, false, -30);
	check(&c, -31, NO, 0, 0, false, false, -30);
}

Test(recordatorios, every_day_before_the_deadline)
{
	struct recordatorios_cadencia c = defecto();

	check(&c, -30, P, 30, -30, false, false, -7);
	check(&c, -29, P, 30, -30, false, false, -7);
	check(&c, -8, P, 30, -30, false, false, -7);
	check(&c, -7, P, 7, -7, false, false, -1);
	check(&c, -6, P, 7, -7, false, false, -1);
	check(&c, -2, P, 7, -7, false, false, -1);
	check(&c, -1, P, 1, -1, false, false, 0);
	check(&c, 0, V0, 0, 0, false, false, 1);
}

Test(recordatorios, overdue_day_by_day)
{
	struct recordatorios_cadencia c = defecto();

	check(&c, 1, VX, -1, 1, false, false, 8);
	check(&c, 2, VX, -1, 1, false, false, 8);
	check(&c, 7, VX, -1, 1, false, false, 8);
	/* Day 8 is the first reminder 7 or more days overdue. */
	check(&c, 8, VX, -8, 8, true, false, 15);
	check(&c, 14, VX, -8, 8, true, false, 15);
	check(&c, 15, VX, -15, 15, true, true, 22);
	check(&c, 21, VX, -15, 15, true, true, 22);
	check(&c, 22, VX, -22, 22, true, true, 29);
	/* It never stops while the activity is open. */
	check(&c, 365, VX, -365, 365, true, true, 372);
}

Test(recordatorios, downtime_gives_only_the_latest)
{
	struct recordatorios_cadencia c = defecto();

	/* Down from D-40 to D+9: the 30, 7, 1, 0 and day-1 ones fell. */
	check(&c, 9, VX, -8, 8, true, false, 15);
	/* Down from D-40 to D-3: the 30 and the 7 fell; only the 7. */
	check(&c, -3, P, 7, -7, false, false, -1);
	/* Down over the whole deadline. */
	check(&c, 100, VX, -99, 99, true, true, 106);
}

Test(recordatorios, copy_thresholds_are_inclusive)
{
	struct recordatorios_cadencia c = cadencia("30,7,1,0", 1, 3, 5);

	/* Every day overdue: copies from day 3 and day 5 exactly. */
	check(&c, 1, VX, -1, 1, false, false, 2);
	check(&c, 2, VX, -2, 2, false, false, 3);
	check(&c, 3, VX, -3, 3, true, false, 4);
	check(&c, 4, VX, -4, 4, true, false, 5);
	check(&c, 5, VX, -5, 5, true, true, 6);
}

Test(recordatorios, copy_from_the_deadline_with_zero)
{
	struct recordatorios_cadencia c = cadencia("7,0", 7, 0, 0);

	check(&c, -7, P, 7, -7, false, false, 0);
	check(&c, 0, V0, 0, 0, true, true, 1);
	check(&c, 1, VX, -1, 1, true, true, 8);
}

Test(recordatorios, custom_cadence_unsorted_with_repeats)
{
	struct recordatorios_cadencia c = cadencia("3,60,14,3", 10, 30, 60);

	check(&c, -61, NO, 0, 0, false, false, -60);
	check(&c, -60, P, 60, -60, false, false, -14);
	check(&c, -14, P, 14, -14, false, false, -3);
	check(&c, -3, P, 3, -3, false, false, 1);
	/* No 0 in the list: the day itself gets nothing new. */
	check(&c, 0, P, 3, -3, false, false, 1);
	check(&c, 1, VX, -1, 1, false, false, 11);
	check(&c, 10, VX, -1, 1, false, false, 11);
	check(&c, 11, VX, -11, 11, false, false, 21);
	check(&c, 31, VX, -31, 31, true, false, 41);
	check(&c, 61, VX, -61, 61, true, true, 71);
}

Test(recordatorios, empty_list_only_overdue)
{
	struct recordatorios_cadencia c = cadencia("", 7, 7, 14);

	cr_assert_eq(c.n_dias_antes, 0);
	check(&c, -100, NO, 0, 0, false, false, 1);
	check(&c, 0, NO, 0, 0, false, false, 1);
	check(&c, 1, VX, -1, 1, false, false, 8);
}

Test(recordatorios, only_the_day_itself)
{
	struct recordatorios_cadencia c = cadencia("0", 7, 7, 14);

	check(&c, -1, NO, 0, 0, false, false, 0);
	check(&c, 0, V0, 0, 0, false, false, 1);
}

Test(recordatorios, across_months_and_years)
{
	struct recordatorios_cadencia c = defecto();
	struct recordatorios_debido u;
	int limite, hoy, next;
	char s[11];

	cr_assert(dates_parse("2027-01-05", &limite));
	cr_assert(dates_parse("2026-12-06", &hoy));
	next = recordatorios_calcular(&c, limite, hoy, &u);
	dates_format(u.fecha, s);
	cr_assert_str_eq(s, "2026-12-06");
	cr_assert_eq(u.tipo, RECORDATORIOS_PREVIO);
	dates_format(next, s);
	cr_assert_str_eq(s, "2026-12-29");
	/* 29 February. */
	cr_assert(dates_parse("2028-02-22", &limite));
	cr_assert(dates_parse("2028-02-29", &hoy));
	next = recordatorios_calcular(&c, limite, hoy, &u);
	dates_format(u.fecha, s);
	cr_assert_str_eq(s, "2028-02-23");
	dates_format(next, s);
	cr_assert_str_eq(s, "2028-03-01");
}

/* Walking day by day, each reminder is "latest" exactly on its day. */
Test(recordatorios, walking_the_calendar_sends_each_once)
{
	struct recordatorios_cadencia c = defecto();
	struct recordatorios_debido u;
	int prev = RECORDATORIOS_NINGUNA, nuevos = 0, next = 0;
	static const int esperados[] = { -30, -7, -1, 0, 1, 8, 15, 22, 29 };

	for (int rel = -60; rel <= 29; rel++) {
		int n = recordatorios_calcular(&c, D, D + rel, &u);

		if (u.fecha != prev) {
			cr_assert_eq(u.fecha, D + rel, "a new reminder falls "
			    "on its own day, not on %+d", rel);
			cr_assert_eq(u.fecha - D, esperados[nuevos]);
			cr_assert_eq(D + rel, next, "the next day announced");
			nuevos++;
			prev = u.fecha;
		}
		next = n;
	}
	cr_assert_eq(nuevos, 9);
}

Test(recordatorios, acuse)
{
	int proximo;

	cr_assert_eq(recordatorios_acuse(100, 100, 3, &proximo),
	    RECORDATORIOS_NINGUNA);
	cr_assert_eq(proximo, 103);
	cr_assert_eq(recordatorios_acuse(100, 102, 3, &proximo),
	    RECORDATORIOS_NINGUNA);
	cr_assert_eq(proximo, 103);
	cr_assert_eq(recordatorios_acuse(100, 103, 3, &proximo), 103);
	cr_assert_eq(proximo, 106);
	cr_assert_eq(recordatorios_acuse(100, 105, 3, &proximo), 103);
	cr_assert_eq(proximo, 106);
	cr_assert_eq(recordatorios_acuse(100, 106, 3, NULL), 106);
	/* Downtime: only the latest. */
	cr_assert_eq(recordatorios_acuse(100, 131, 3, &proximo), 130);
	cr_assert_eq(proximo, 133);
	/* A send in the future (clock skew) gives nothing. */
	cr_assert_eq(recordatorios_acuse(100, 90, 3, NULL),
	    RECORDATORIOS_NINGUNA);
	cr_assert_eq(recordatorios_acuse(100, 101, 1, NULL), 101);
}

Test(recordatorios, tipo_names)
{
	cr_assert_str_eq(recordatorios_tipo_name(P), "previo");
	cr_assert_str_eq(recordatorios_tipo_name(V0), "vencimiento");
	cr_assert_str_eq(recordatorios_tipo_name(VX), "vencida");
	cr_assert_str_eq(recordatorios_tipo_name(RECORDATORIOS_ACUSE),
	    "acuse");
	cr_assert_null(recordatorios_tipo_name(NO));
}

Test(recordatorios, parse_dias)
{
	int d[RECORDATORIOS_MAX_DIAS], n;

	cr_assert(recordatorios_parse_dias("30,7,1,0", d, &n));
	cr_assert_eq(n, 4);
	cr_assert(d[0] == 30 && d[1] == 7 && d[2] == 1 && d[3] == 0);
	cr_assert(recordatorios_parse_dias("366", d, &n) && n == 1 &&
	    d[0] == 366);
	cr_assert(recordatorios_parse_dias("007", d, &n) && n == 1 &&
	    d[0] == 7);
	cr_assert(recordatorios_parse_dias("", d, &n) && n == 0);
	cr_assert(recordatorios_parse_dias("1,2,3,4,5,6,7,8,9,10,11,12,13,"
	    "14,15,16", d, &n) && n == 16);
	cr_assert_not(recordatorios_parse_dias("1,2,3,4,5,6,7,8,9,10,11,12,"
	    "13,14,15,16,17", d, &n));
	cr_assert_not(recordatorios_parse_dias("30,x", d, &n));
	cr_assert_not(recordatorios_parse_dias("367", d, &n));
	cr_assert_not(recordatorios_parse_dias("-1", d, &n));
	cr_assert_not(recordatorios_parse_dias("+7", d, &n));
	cr_assert_not(recordatorios_parse_dias(" 7", d, &n));
	cr_assert_not(recordatorios_parse_dias("7 ", d, &n));
	cr_assert_not(recordatorios_parse_dias("30,", d, &n));
	cr_assert_not(recordatorios_parse_dias(",30", d, &n));
	cr_assert_not(recordatorios_parse_dias("30,,7", d, &n));
	cr_assert_not(recordatorios_parse_dias("99999999999", d, &n));
}
