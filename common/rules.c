/*
 * The rules of a mesa as pure functions over facts the server has already
 * loaded: phase names and labels, the table of allowed moves between
 * phases (docs/API.md), and the scheduling gate of DESIGN.md section 3
 * ("fecha_mesa - fecha_recibo >= 10" calendar days, every pair received).
 *
 * It deliberately does no I/O and reads no clock: "today" is a local day
 * number the caller computed in the mesa's time zone.
 */
#include "rules.h"

#include <string.h>

#include "dates.h"

static const struct {
	const char	*name;	/* stored in the database and sent in JSON */
	const char	*label;	/* for people */
} rules_fases[FASE_COUNT] = {
	[FASE_PREPARACION] =	{ "preparacion", "preparación" },
	[FASE_CONVOCADA] =	{ "convocada", "convocada" },
	[FASE_EN_SESION] =	{ "en_sesion", "en sesión" },
	[FASE_ACUERDOS] =	{ "acuerdos", "acuerdos" },
	[FASE_FIRMADA] =	{ "firmada", "firmada" },
	[FASE_EN_SEGUIMIENTO] =	{ "en_seguimiento", "en seguimiento" },
	[FASE_CONCLUIDA] =	{ "concluida", "concluida" },
	[FASE_SUSPENDIDA] =	{ "suspendida", "suspendida" },
	[FASE_CANCELADA] =	{ "cancelada", "cancelada" },
};

/*
 * Every allowed move, as docs/API.md lists them. "Any phase but concluida
 * may be cancelled" is spelled out pair by pair so that the table is the
 * whole truth; cancelada itself is terminal, so cancelling twice is
 * refused like any other move out of it.
 */
static const struct {
	enum fase	from;
	enum fase	to;
} rules_moves[] = {
	{ FASE_PREPARACION,	FASE_CONVOCADA },	/* programar */
	{ FASE_CONVOCADA,	FASE_CONVOCADA },	/* reprogramar */
	{ FASE_CONVOCADA,	FASE_SUSPENDIDA },	/* something added */
	{ FASE_SUSPENDIDA,	FASE_CONVOCADA },	/* programar again */
	{ FASE_CONVOCADA,	FASE_EN_SESION },	/* sesión abierta */
	{ FASE_EN_SESION,	FASE_ACUERDOS },
	{ FASE_ACUERDOS,	FASE_FIRMADA },
	{ FASE_FIRMADA,		FASE_EN_SEGUIMIENTO },
	{ FASE_EN_SEGUIMIENTO,	FASE_CONCLUIDA },
	{ FASE_PREPARACION,	FASE_CANCELADA },
	{ FASE_CONVOCADA,	FASE_CANCELADA },
	{ FASE_EN_SESION,	FASE_CANCELADA },
	{ FASE_ACUERDOS,	FASE_CANCELADA },
	{ FASE_FIRMADA,		FASE_CANCELADA },
	{ FASE_EN_SEGUIMIENTO,	FASE_CANCELADA },
	{ FASE_SUSPENDIDA,	FASE_CANCELADA },
};

static bool
rules_fase_valid(enum fase f)
{
	return (int)f >= 0 && f < FASE_COUNT;
}

bool
rules_fase_parse(const char *name, enum fase *out)
{
	if (name == NULL)
		return false;
	for (int f = 0; f < FASE_COUNT; f++) {
		if (strcmp(name, rules_fases[f].name) == 0) {
			*out = (enum fase)f;
			return true;
		}
	}
	return false;
}

const char *
rules_fase_name(enum fase f)
{
	/* Never NULL, so that a corrupt value cannot crash a printf. */
	return rules_fase_valid(f) ? rules_fases[f].name : "desconocida";
}

const char *
rules_fase_label(enum fase f)
{
	return rules_fase_valid(f) ? rules_fases[f].label : "desconocida";
}

bool
rules_transicion(enum fase from, enum fase to, struct error *err)
{
	size_t i;

	for (i = 0; i < sizeof(rules_moves) / sizeof(rules_moves[0]); i++)
		if (rules_moves[i].from == from && rules_moves[i].to == to)
			return true;
	error_set(err, 409, "transicion_invalida",
	    "La mesa está en «%s» y no puede pasar a «%s».",
	    rules_fase_label(from), rules_fase_label(to));
	return false;
}

bool
rules_gate(const int *fechas, size_t n, int hoy, int propuesta,
    int *fecha_minima, int *ultima, struct error *err)
{
	char a[11], b[11];
	size_t pendientes = 0;
	int last = RULES_NO_RECIBIDO;

	for (size_t i = 0; i < n; i++) {
		if (fechas[i] == RULES_NO_RECIBIDO)
			pendientes++;
		else if (last == RULES_NO_RECIBIDO || fechas[i] > last)
			last = fechas[i];
	}
	*ultima = last;
	*fecha_minima = RULES_NO_RECIBIDO;
	if (n == 0) {
		error_set(err, 409, "sin_materiales", "La mesa no tiene "
		    "materiales: agregue al menos uno antes de programarla.");
		return false;
	}
	if (pendientes > 0) {
		error_set(err, 409, "materiales_pendientes",
		    "Falta%s %zu acuse%s de recibo: cada actor debe tener "
		    "cada material antes de programar la mesa.",
		    pendientes == 1 ? "" : "n", pendientes,
		    pendientes == 1 ? "" : "s");
		return false;
	}
	if (last + RULES_DIAS_ANTICIPACION > hoy)
		*fecha_minima = last + RULES_DIAS_ANTICIPACION;
	else
		*fecha_minima = hoy;
	if (propuesta < hoy) {
		dates_format(propuesta, a);
		dates_format(hoy, b);
		error_set(err, 422, "fecha_pasada",
		    "La fecha %s ya pasó; hoy es %s.", a, b);
		return false;
	}
	if (propuesta - last < RULES_DIAS_ANTICIPACION) {
		dates_format(last, a);
		dates_format(*fecha_minima, b);
		error_set(err, 409, "plazo_insuficiente",
		    "La mesa debe celebrarse al menos %d días después de "
		    "la última recepción de materiales (%s); la fecha más "
		    "próxima permitida es %s.", RULES_DIAS_ANTICIPACION, a, b);
		return false;
	}
	return true;
}
