/*
 * Unit tests for common/rules.c: phase names and labels, every allowed
 * move and every refused one, and the scheduling gate at each boundary
 * (9 and 10 days, today, an old last receipt, one missing pair among
 * many, no pairs) and in its documented order of checks.
 */
#include "rules.h"

#include <string.h>

#include <criterion/criterion.h>

#include "dates.h"

static int
day(const char *s)
{
	int d = -1;

	cr_assert(dates_parse(s, &d), "should parse: \"%s\"", s);
	return d;
}

static const char *
fmt(int days, char out[11])
{
	dates_format(days, out);
	return out;
}

Test(rules, fase_names_round_trip)
{
	static const char *const names[FASE_COUNT] = {
		"preparacion", "convocada", "en_sesion", "acuerdos",
		"firmada", "en_seguimiento", "concluida", "suspendida",
		"cancelada",
	};
	enum fase f;

	for (int i = 0; i < FASE_COUNT; i++) {
		cr_assert_str_eq(rules_fase_name((enum fase)i), names[i]);
		cr_assert(rules_fase_parse(names[i], &f));
		cr_assert_eq(f, (enum fase)i);
	}
	f = FASE_FIRMADA;
	cr_assert_not(rules_fase_parse("", &f));
	cr_assert_not(rules_fase_parse("Preparacion", &f));
	cr_assert_not(rules_fase_parse("preparación", &f));
	cr_assert_not(rules_fase_parse("en sesion", &f));
	cr_assert_not(rules_fase_parse("convocada ", &f));
	cr_assert_not(rules_fase_parse(NULL, &f));
	cr_assert_eq(f, FASE_FIRMADA, "a refused name leaves *out alone");
	cr_assert_not_null(rules_fase_name(FASE_COUNT));
	cr_assert_not_null(rules_fase_label((enum fase)-1));
}

Test(rules, fase_labels_with_accents)
{
	static const char *const labels[FASE_COUNT] = {
		"preparaci\xC3\xB3n", "convocada", "en sesi\xC3\xB3n",
		"acuerdos", "firmada", "en seguimiento", "concluida",
		"suspendida", "cancelada",
	};

	for (int i = 0; i < FASE_COUNT; i++)
		cr_assert_str_eq(rules_fase_label((enum fase)i), labels[i]);
}

/* The moves docs/API.md allows, and no other. */
static bool
allowed(enum fase from, enum fase to)
{
	if (to == FASE_CANCELADA)
		return from != FASE_CONCLUIDA && from != FASE_CANCELADA;
	switch (from) {
	case FASE_PREPARACION:
		return to == FASE_CONVOCADA;
	case FASE_CONVOCADA:
		return to == FASE_CONVOCADA || to == FASE_SUSPENDIDA ||
		    to == FASE_EN_SESION;
	case FASE_SUSPENDIDA:
		return to == FASE_CONVOCADA;
	case FASE_EN_SESION:
		return to == FASE_ACUERDOS;
	case FASE_ACUERDOS:
		return to == FASE_FIRMADA;
	case FASE_FIRMADA:
		/* Forward, or back to acuerdos when the PAL is reopened. */
		return to == FASE_EN_SEGUIMIENTO || to == FASE_ACUERDOS;
	case FASE_EN_SEGUIMIENTO:
		return to == FASE_CONCLUIDA;
	default:
		return false;
	}
}

Test(rules, every_transition)
{
	struct error err;
	int nallowed = 0;

	for (int from = 0; from < FASE_COUNT; from++) {
		for (int to = 0; to < FASE_COUNT; to++) {
			bool want = allowed((enum fase)from, (enum fase)to);

			error_clear(&err);
			cr_expect_eq(rules_transicion((enum fase)from,
			    (enum fase)to, &err), want, "%s -> %s",
			    rules_fase_name((enum fase)from),
			    rules_fase_name((enum fase)to));
			cr_expect_eq(error_is_set(&err), !want);
			if (want) {
				nallowed++;
				continue;
			}
			cr_expect_eq(err.status, 409);
			cr_expect_str_eq(err.code, "transicion_invalida");
		}
	}
	/* 9 forward moves, reopening a PAL and 7 cancellable phases. */
	cr_assert_eq(nallowed, 17);
	cr_assert(rules_transicion(FASE_PREPARACION, FASE_CONVOCADA, NULL));
	cr_assert(rules_transicion(FASE_CONVOCADA, FASE_CONVOCADA, NULL));
	cr_assert(rules_transicion(FASE_SUSPENDIDA, FASE_CANCELADA, NULL));
	cr_assert(rules_transicion(FASE_EN_SEGUIMIENTO, FASE_CANCELADA,
	    NULL));
}

Test(rules, refused_transitions_name_both_phases)
{
	struct error err;

	cr_assert_not(rules_transicion(FASE_PREPARACION, FASE_EN_SESION,
	    &err));
	cr_assert_eq(err.status, 409);
	cr_assert_str_eq(err.code, "transicion_invalida");
	cr_assert_str_eq(err.message, "La mesa est\xC3\xA1 en "
	    "\xC2\xABpreparaci\xC3\xB3n\xC2\xBB y no puede pasar a "
	    "\xC2\xAB" "en sesi\xC3\xB3n\xC2\xBB.");
	cr_assert_not(rules_transicion(FASE_CONCLUIDA, FASE_CANCELADA,
	    &err));
	cr_assert_str_eq(err.message, "La mesa está en «concluida» y no "
	    "puede pasar a «cancelada».");
	cr_assert_not(rules_transicion(FASE_CANCELADA, FASE_PREPARACION,
	    &err));
	cr_assert_str_eq(err.message, "La mesa está en «cancelada» y no "
	    "puede pasar a «preparación».");
	cr_assert_not(rules_transicion(FASE_SUSPENDIDA, FASE_EN_SESION,
	    &err));
	cr_assert_not(rules_transicion(FASE_EN_SESION, FASE_CONVOCADA, &err));
	cr_assert_not(rules_transicion(FASE_PREPARACION, FASE_PREPARACION,
	    &err));
	cr_assert_not(rules_transicion(FASE_CONCLUIDA, FASE_EN_SEGUIMIENTO,
	    NULL));
}

Test(rules, reopening_a_pal_goes_back_to_acuerdos_only_from_firmada)
{
	struct error err;

	error_clear(&err);
	cr_assert(rules_transicion(FASE_FIRMADA, FASE_ACUERDOS, &err));
	cr_assert_not(error_is_set(&err));
	/* Once sent for follow-up, the PAL is no longer reopened. */
	cr_assert_not(rules_transicion(FASE_EN_SEGUIMIENTO, FASE_ACUERDOS,
	    &err));
	cr_assert_str_eq(err.code, "transicion_invalida");
	cr_assert_str_eq(err.message, "La mesa est\xC3\xA1 en \xC2\xAB"
	    "en seguimiento\xC2\xBB y no puede pasar a \xC2\xAB"
	    "acuerdos\xC2\xBB.");
	cr_assert_not(rules_transicion(FASE_CONCLUIDA, FASE_ACUERDOS, NULL));
	cr_assert_not(rules_transicion(FASE_CANCELADA, FASE_ACUERDOS, NULL));
	cr_assert_not(rules_transicion(FASE_ACUERDOS, FASE_ACUERDOS, NULL));
	cr_assert_not(rules_transicion(FASE_ACUERDOS, FASE_EN_SESION, NULL));
}

/* The gate's answer, its outputs and its error, for one call. */
struct gate {
	bool		ok;
	int		minima;
	int		ultima;
	struct error	err;
};

static struct gate
gate(const int *fechas, size_t n, const char *hoy, const char *propuesta)
{
	struct gate g;

	memset(&g, 0, sizeof(g));
	g.minima = g.ultima = 12345;
	g.ok = rules_gate(fechas, n, day(hoy), day(propuesta), &g.minima,
	    &g.ultima, &g.err);
	cr_assert_eq(g.ok, !error_is_set(&g.err));
	return g;
}

Test(rules, gate_ten_days_exactly)
{
	int f[] = { day("2026-11-20"), day("2026-11-18"), day("2026-11-10") };
	struct gate g;
	char s[11];

	g = gate(f, 3, "2026-11-24", "2026-11-30");
	cr_assert_eq(g.ultima, day("2026-11-20"));
	cr_assert_eq(g.minima, day("2026-11-30"));
	cr_assert(g.ok);

	g = gate(f, 3, "2026-11-24", "2026-12-15");
	cr_assert(g.ok);
	cr_assert_eq(g.minima, day("2026-11-30"));
	cr_assert_str_eq(fmt(g.minima, s), "2026-11-30");
}

Test(rules, gate_nine_days_refused)
{
	int f[] = { day("2026-11-20"), day("2026-11-18") };
	struct gate g;

	g = gate(f, 2, "2026-11-24", "2026-11-29");
	cr_assert_not(g.ok);
	cr_assert_eq(g.err.status, 409);
	cr_assert_str_eq(g.err.code, "plazo_insuficiente");
	cr_assert_eq(g.ultima, day("2026-11-20"));
	cr_assert_eq(g.minima, day("2026-11-30"));
	cr_assert_str_eq(g.err.message, "La mesa debe celebrarse al menos 10 "
	    "d\xC3\xAD" "as despu\xC3\xA9s de la \xC3\xBAltima "
	    "recepci\xC3\xB3n de materiales (2026-11-20); la fecha "
	    "m\xC3\xA1s pr\xC3\xB3xima permitida es 2026-11-30.");
}

Test(rules, gate_today_allowed_when_ten_days_passed)
{
	int f[] = { day("2026-11-14") };
	struct gate g;

	/* Exactly 10 days after the receipt, and that day is today. */
	g = gate(f, 1, "2026-11-24", "2026-11-24");
	cr_assert(g.ok);
	cr_assert_eq(g.minima, day("2026-11-24"));
}

Test(rules, gate_old_receipt_minimum_is_today)
{
	int f[] = { day("2026-01-05"), day("2025-12-01") };
	struct gate g;

	g = gate(f, 2, "2026-11-24", "2026-11-24");
	cr_assert(g.ok);
	cr_assert_eq(g.ultima, day("2026-01-05"));
	cr_assert_eq(g.minima, day("2026-11-24"));
	g = gate(f, 2, "2026-11-24", "2027-03-01");
	cr_assert(g.ok);
	cr_assert_eq(g.minima, day("2026-11-24"));
}

Test(rules, gate_past_date)
{
	int f[] = { day("2026-01-05") };
	struct gate g;

	g = gate(f, 1, "2026-11-24", "2026-11-23");
	cr_assert_not(g.ok);
	cr_assert_eq(g.err.status, 422);
	cr_assert_str_eq(g.err.code, "fecha_pasada");
	cr_assert_str_eq(g.err.message, "La fecha 2026-11-23 ya pas\xC3\xB3; "
	    "hoy es 2026-11-24.");
	/* The outputs are filled on this refusal too. */
	cr_assert_eq(g.ultima, day("2026-01-05"));
	cr_assert_eq(g.minima, day("2026-11-24"));
}

Test(rules, gate_past_date_checked_before_plazo)
{
	int f[] = { day("2026-11-20") };
	struct gate g;

	/* In the past and too close to the receipt: the past wins. */
	g = gate(f, 1, "2026-11-24", "2026-11-22");
	cr_assert_str_eq(g.err.code, "fecha_pasada");
	cr_assert_eq(g.minima, day("2026-11-30"));
}

Test(rules, gate_single_missing_pair_among_many)
{
	int f[60];
	struct gate g;

	for (size_t i = 0; i < 60; i++)
		f[i] = day("2026-10-01") + (int)i;
	f[37] = RULES_NO_RECIBIDO;
	g = gate(f, 60, "2026-12-20", "2027-01-15");
	cr_assert_not(g.ok);
	cr_assert_eq(g.err.status, 409);
	cr_assert_str_eq(g.err.code, "materiales_pendientes");
	cr_assert_str_eq(g.err.message, "Falta 1 acuse de recibo: cada actor "
	    "debe tener cada material antes de programar la mesa.");
	cr_assert_eq(g.minima, RULES_NO_RECIBIDO);
	/* The last receipt is still reported: day 59 after 1 October. */
	cr_assert_eq(g.ultima, day("2026-10-01") + 59);
}

Test(rules, gate_several_missing_pairs)
{
	int f[] = { RULES_NO_RECIBIDO, day("2026-11-01"), RULES_NO_RECIBIDO,
	    RULES_NO_RECIBIDO };
	struct gate g;

	g = gate(f, 4, "2026-11-24", "2026-12-15");
	cr_assert_str_eq(g.err.code, "materiales_pendientes");
	cr_assert_str_eq(g.err.message, "Faltan 3 acuses de recibo: cada "
	    "actor debe tener cada material antes de programar la mesa.");
	cr_assert_eq(g.minima, RULES_NO_RECIBIDO);
	cr_assert_eq(g.ultima, day("2026-11-01"));
}

Test(rules, gate_nothing_received)
{
	int f[] = { RULES_NO_RECIBIDO, RULES_NO_RECIBIDO };
	struct gate g;

	g = gate(f, 2, "2026-11-24", "2026-12-15");
	cr_assert_str_eq(g.err.code, "materiales_pendientes");
	cr_assert_str_eq(g.err.message, "Faltan 2 acuses de recibo: cada "
	    "actor debe tener cada material antes de programar la mesa.");
	cr_assert_eq(g.minima, RULES_NO_RECIBIDO);
	cr_assert_eq(g.ultima, RULES_NO_RECIBIDO);
}

Test(rules, gate_pending_checked_before_past_date)
{
	int f[] = { day("2026-01-01"), RULES_NO_RECIBIDO };
	struct gate g;

	g = gate(f, 2, "2026-11-24", "2026-11-01");
	cr_assert_str_eq(g.err.code, "materiales_pendientes");
}

Test(rules, gate_no_pairs)
{
	struct gate g;

	g = gate(NULL, 0, "2026-11-24", "2026-12-15");
	cr_assert_not(g.ok);
	cr_assert_eq(g.err.status, 409);
	cr_assert_str_eq(g.err.code, "sin_materiales");
	cr_assert_str_eq(g.err.message, "La mesa no tiene materiales: agregue "
	    "al menos uno antes de programarla.");
	cr_assert_eq(g.minima, RULES_NO_RECIBIDO);
	cr_assert_eq(g.ultima, RULES_NO_RECIBIDO);
	/* Even a past date: no pairs is said first. */
	g = gate(NULL, 0, "2026-11-24", "2026-01-01");
	cr_assert_str_eq(g.err.code, "sin_materiales");
}

Test(rules, gate_err_may_be_null)
{
	int f[] = { day("2026-11-20") };
	int minima, ultima;

	cr_assert_not(rules_gate(f, 1, day("2026-11-24"), day("2026-11-25"),
	    &minima, &ultima, NULL));
	cr_assert_eq(minima, day("2026-11-30"));
	cr_assert(rules_gate(f, 1, day("2026-11-24"), day("2026-11-30"),
	    &minima, &ultima, NULL));
}

Test(rules, gate_receipt_in_same_day_as_today)
{
	int f[] = { day("2026-11-24"), day("2026-11-24") };
	struct gate g;

	g = gate(f, 2, "2026-11-24", "2026-12-03");
	cr_assert_str_eq(g.err.code, "plazo_insuficiente");
	g = gate(f, 2, "2026-11-24", "2026-12-04");
	cr_assert(g.ok);
	cr_assert_eq(g.minima, day("2026-12-04"));
}
