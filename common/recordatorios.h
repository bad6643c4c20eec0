/*
 * The reminder cadence as pure functions (DESIGN.md section 3,
 * "Reminders"): given a cadence, a deadline and today (local day numbers,
 * see dates.h), which reminder is the latest one due and when the next one
 * falls. No I/O and no clock: server/reminders.c loads the facts, these
 * functions decide, and unit tests check every boundary.
 */
#ifndef PAL_RECORDATORIOS_H
#define PAL_RECORDATORIOS_H

#include <stdbool.h>

/* Most "days before" a cadence holds (as many as the config accepts). */
#define RECORDATORIOS_MAX_DIAS	16
/* Longest "days before", and the bounds of the other settings. */
#define RECORDATORIOS_DIAS_TOPE	366
/* "No date": nothing is due. */
#define RECORDATORIOS_NINGUNA	(-2147483647 - 1)

/*
 * How the reminders of an activity are spaced. dias_antes may be in any
 * order and repeat values; an empty list means "only overdue reminders".
 */
struct recordatorios_cadencia {
	/* 0..366 days before the deadline; 0 is the day itself. */
	int	dias_antes[RECORDATORIOS_MAX_DIAS];
	int	n_dias_antes;
	int	vencida_cada;		/* >= 1: overdue every N days */
	int	copia_facilitador;	/* >= 0: copy from N days overdue */
	int	copia_garante;		/* >= 0: copy from N days overdue */
};

enum recordatorios_tipo {
	RECORDATORIOS_NINGUNO,		/* nothing due */
	RECORDATORIOS_PREVIO,		/* dias = N > 0 days before */
	RECORDATORIOS_VENCIMIENTO,	/* dias = 0, on the deadline */
	RECORDATORIOS_VENCIDA,		/* dias = -N, N days overdue */
	RECORDATORIOS_ACUSE,		/* receipt of materials */
};

/* One reminder of the cadence. */
struct recordatorios_debido {
	enum recordatorios_tipo	 tipo;
	int			 fecha;	/* the local day it falls on */
	int			 dias;	/* as recordatorios.dias */
	bool			 copia_facilitador;
	bool			 copia_garante;
};

/*
 * The latest reminder of an activity due on or before hoy, into *ultimo
 * (tipo RECORDATORIOS_NINGUNO and fecha RECORDATORIOS_NINGUNA when none is
 * due yet), and returns the day of the next one after hoy. Reminders fall
 * on fecha_limite - d for each d of dias_antes (d = 0 is the vencimiento)
 * and, once overdue, on fecha_limite + 1 and then every vencida_cada days
 * (overdue reminders never stop, so there always is a next one). Only the
 * latest counts: after downtime the earlier ones are not sent late. A
 * copy goes to the facilitator (the garante) when the reminder is on or
 * after the deadline and its days overdue (0 on the deadline) are at least
 * copia_facilitador (copia_garante).
 */
int	recordatorios_calcular(const struct recordatorios_cadencia *c,
	    int fecha_limite, int hoy, struct recordatorios_debido *ultimo);

/*
 * Reminders to confirm receipt of materials fall every `cada` days after
 * the day of the send (envio + cada, envio + 2 cada, ...). Returns the
 * latest on or before hoy, or RECORDATORIOS_NINGUNA; *proximo (may be
 * NULL) gets the next one after hoy.
 */
int	recordatorios_acuse(int envio, int hoy, int cada, int *proximo);

/* "previo", "vencimiento", "vencida", "acuse"; NULL for NINGUNO. */
const char *recordatorios_tipo_name(enum recordatorios_tipo t);

/*
 * Parses a list of days as the config writes it, "30,7,1,0" (also "" for
 * an empty list): each 0..366, at most RECORDATORIOS_MAX_DIAS, no spaces.
 * False, leaving *n unspecified, if s is anything else.
 */
bool	recordatorios_parse_dias(const char *s,
	    int dias[RECORDATORIOS_MAX_DIAS], int *n);

#endif
