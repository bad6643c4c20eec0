/*
 * The reminder cadence: which reminder of an activity is due today and
 * when the next falls, and the same for the receipt of materials. Plain
 * arithmetic on local day numbers. It does not know about time zones,
 * the hour of sending, recipients' addresses or the database: the
 * planner (server/reminders.c) turns "today" into a local day, decides
 * who gets the copies and records what was sent.
 */
#include "recordatorios.h"

#include <stdlib.h>
#include <string.h>

int
recordatorios_calcular(const struct recordatorios_cadencia *c,
    int fecha_limite, int hoy, struct recordatorios_debido *ultimo)
{
	int cada = c->vencida_cada >= 1 ? c->vencida_cada : 1;
	int faltan = fecha_limite - hoy, antes = -1, despues = -1;
	int atraso;

	memset(ultimo, 0, sizeof(*ultimo));
	ultimo->tipo = RECORDATORIOS_NINGUNO;
	ultimo->fecha = RECORDATORIOS_NINGUNA;

	if (faltan < 0) {
		/*
		 * Overdue: day 1, 1 + cada, 1 + 2 cada, ... after the
		 * deadline. The latest of those is later than any reminder
		 * before the deadline, so the list need not be looked at.
		 */
		atraso = 1 + (-faltan - 1) / cada * cada;
		ultimo->tipo = RECORDATORIOS_VENCIDA;
		ultimo->fecha = fecha_limite + atraso;
		ultimo->dias = -atraso;
		ultimo->copia_facilitador = atraso >= c->copia_facilitador;
		ultimo->copia_garante = atraso >= c->copia_garante;
		return ultimo->fecha + cada;
	}

	/*
	 * On or before the deadline: the reminder of d days before has
	 * fallen when d >= faltan. The latest due is the smallest such d;
	 * the next is the largest d < faltan, or the first overdue day.
	 */
	for (int i = 0; i < c->n_dias_antes; i++) {
		int d = c->dias_antes[i];

		if (d < 0)
			continue;
		if (d >= faltan) {
			if (antes < 0 || d < antes)
				antes = d;
		} else if (d > despues)
			despues = d;
	}
	if (antes >= 0) {
		ultimo->tipo = antes == 0 ? RECORDATORIOS_VENCIMIENTO :
		    RECORDATORIOS_PREVIO;
		ultimo->fecha = fecha_limite - antes;
		ultimo->dias = antes;
		/* On the deadline a copy goes only with a threshold of 0. */
		ultimo->copia_facilitador = antes == 0 &&
		    c->copia_facilitador <= 0;
		ultimo->copia_garante = antes == 0 && c->copia_garante <= 0;
	}
	return despues >= 0 ? fecha_limite - despues : fecha_limite + 1;
}

int
recordatorios_acuse(int envio, int hoy, int cada, int *proximo)
{
	int k;

	if (cada < 1)
		cada = 1;
	if (hoy < envio + cada) {
		if (proximo != NULL)
			*proximo = envio + cada;
		return RECORDATORIOS_NINGUNA;
	}
	k = (hoy - envio) / cada;
	if (proximo != NULL)
		*proximo = envio + (k + 1) * cada;
	return envio + k * cada;
}

const char *
recordatorios_tipo_name(enum recordatorios_tipo t)
{
	switch (t) {
	case RECORDATORIOS_PREVIO:
		return "previo";
	case RECORDATORIOS_VENCIMIENTO:
		return "vencimiento";
	case RECORDATORIOS_VENCIDA:
		return "vencida";
	case RECORDATORIOS_ACUSE:
		return "acuse";
	case RECORDATORIOS_NINGUNO:
		break;
	}
	return NULL;
}

bool
recordatorios_parse_dias(const char *s, int dias[RECORDATORIOS_MAX_DIAS],
    int *n)
{
	*n = 0;
	if (*s == '\0')
		return true;
	for (;;) {
		long d = 0;
		int digits = 0;

		/*
		 * Digits only: strtol would take "+7" and " 7". Leading
		 * zeros are fine, as config.c accepts them.
		 */
		while (*s >= '0' && *s <= '9') {
			if (++digits > 9)
				return false;
			d = d * 10 + (*s++ - '0');
		}
		if (digits == 0 || d > RECORDATORIOS_DIAS_TOPE ||
		    *n >= RECORDATORIOS_MAX_DIAS)
			return false;
		dias[(*n)++] = (int)d;
		if (*s == '\0')
			return true;
		if (*s++ != ',')
			return false;
	}
}
