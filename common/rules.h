/*
 * The rules of a mesa as pure functions: the phase machine and the
 * scheduling gate (DESIGN.md sections 1 and 3). No I/O: the server loads
 * the facts, these functions decide, and unit tests check every boundary.
 */
#ifndef PAL_RULES_H
#define PAL_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Calendar days every actor must have every material before the mesa. */
#define RULES_DIAS_ANTICIPACION	10
/* A pair (actor, material) with no receipt yet. */
#define RULES_NO_RECIBIDO	(-2147483647 - 1)

enum fase {
	FASE_PREPARACION,
	FASE_CONVOCADA,
	FASE_EN_SESION,
	FASE_ACUERDOS,
	FASE_FIRMADA,
	FASE_EN_SEGUIMIENTO,
	FASE_CONCLUIDA,
	FASE_SUSPENDIDA,
	FASE_CANCELADA,
	FASE_COUNT
};

/* "preparacion" <-> FASE_PREPARACION ...; parse false if unknown. */
bool		 rules_fase_parse(const char *name, enum fase *out);
const char	*rules_fase_name(enum fase f);
/* For people: "preparación", "en sesión", "en seguimiento", ... */
const char	*rules_fase_label(enum fase f);

/*
 * Whether a mesa may move from `from` to `to` (docs/API.md lists the
 * moves). False fills err: 409 "transicion_invalida", a Spanish message
 * naming both phases ("La mesa está en «preparación» y no puede pasar a
 * «en sesión».").
 */
bool	rules_transicion(enum fase from, enum fase to, struct error *err);

/*
 * The scheduling gate. fechas[i] is the local day number on which pair i
 * (an actor and a material) was received, or RULES_NO_RECIBIDO; n is
 * actors x materials. `hoy` is today's local day number, `propuesta` the
 * date asked for. On return *fecha_minima is the earliest date the gate
 * would accept, max(last receipt + RULES_DIAS_ANTICIPACION, hoy), or
 * RULES_NO_RECIBIDO while a pair is missing or n is 0; *ultima is the
 * last receipt date (RULES_NO_RECIBIDO if none). Returns true if
 * propuesta is acceptable; otherwise false with err, checked in this
 * order:
 *   409 "sin_materiales"        n == 0
 *   409 "materiales_pendientes" some pair not received (message says how
 *                               many)
 *   422 "fecha_pasada"          propuesta < hoy
 *   409 "plazo_insuficiente"    propuesta - ultima < 10 (message gives
 *                               the earliest date as AAAA-MM-DD)
 */
bool	rules_gate(const int *fechas, size_t n, int hoy, int propuesta,
	    int *fecha_minima, int *ultima, struct error *err);

#endif
