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

/*
 * The PAL's rules (DESIGN.md section 1, step 5; section 3). The facts of
 * a draft PAL, as the server loaded them; every pointer is borrowed and
 * an absent optional text is NULL.
 */
#define RULES_CRITERIO_MEDIBLE		0x01u
#define RULES_CRITERIO_ESPECIFICO	0x02u
#define RULES_CRITERIO_REPLICABLE	0x04u
#define RULES_CRITERIO_SOSTENIBLE	0x08u
#define RULES_CRITERIO_ALTO_IMPACTO	0x10u
#define RULES_CRITERIOS_TODOS		0x1fu

struct rules_actividad {
	long long	 id;
	int		 numero;
	const char	*descripcion;
	const char	*responsable_nombre;
	const char	*responsable_email;
	int		 fecha_limite;		/* day number */
};

struct rules_compromiso {
	long long	 id;
	int		 numero;
	const char	*titulo;
	const char	*tipo;	/* contrataciones_abiertas, plan_nacional, local */
	const char	*problema;
	const char	*descripcion;
	const char	*alineacion;
	const char	*indicador;
	const char	*meta;
	const char	*institucion;
	int		 inicio, fin;		/* day numbers */
	unsigned	 criterios;	/* RULES_CRITERIO_* bits attested */
	const struct rules_actividad *actividades;
	size_t		 n_actividades;
};

struct rules_violacion {
	char		 code[48];
	char		 message[400];	/* Spanish, names the compromiso */
	long long	 compromiso_id;	/* 0 for rules of the whole PAL */
	long long	 actividad_id;	/* 0 unless about one activity */
};

/* Bit of a criterion name ("alto_impacto"), 0 if unknown. */
unsigned	 rules_criterio_bit(const char *name);
/* "medible" ... for bit (one bit set); NULL if not one of the five. */
const char	*rules_criterio_name(unsigned bit);

/*
 * Checks a whole draft PAL and writes every broken rule to out[0..max)
 * in a stable order: first the PAL-wide counts (at least 1
 * contrataciones_abiertas: "faltan_contrataciones_abiertas"; at least 2
 * plan_nacional: "faltan_plan_nacional"; at least 2 local:
 * "faltan_locales"), then each commitment in order: "campo_requerido"
 * (one per missing problema, descripcion, indicador, meta, institucion),
 * "alineacion_requerida", "sin_actividades", "criterio_sin_atestiguar"
 * (one per missing criterion), then each activity: "fecha_fuera_de_plazo"
 * (outside [inicio, fin]), "email_invalido" (responsable_email). Returns
 * how many rules are broken, which may exceed max (only max are written).
 * Messages name the commitment as «Compromiso N «título»» and an
 * activity as «Actividad N.M».
 */
size_t	rules_pal_validar(const struct rules_compromiso *c, size_t n,
	    struct rules_violacion *out, size_t max);

/* A commitment's end: inicio + 1 year - 1 day (29 Feb -> 27 Feb). */
int	rules_compromiso_fin(int inicio);

#endif
