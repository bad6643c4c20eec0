/*
 * The SQL of a mesa's own reminder cadence: the recordatorio_* columns of
 * mesas (migration 0001) that the planner reads (reminders.c), where NULL
 * means "the daemon's value". Changing the days or the overdue spacing
 * replans the mesa's activities through migration 0003's trigger.
 */
#ifndef PALD_STORE_RECORDATORIOS_H
#define PALD_STORE_RECORDATORIOS_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "error.h"
#include "recordatorios.h"

/*
 * A mesa's own cadence: each value counts only when its propia_ flag is
 * set; the others are the daemon's.
 */
struct store_cadencia {
	bool	propia_dias;
	int	dias[RECORDATORIOS_MAX_DIAS];	/* distinct, descending */
	int	n_dias;				/* 0: only overdue ones */
	bool	propia_vencida;
	int	vencida_cada;			/* 1..366 */
	bool	propia_copia_facilitador;
	int	copia_facilitador;		/* 0..366 */
	bool	propia_copia_garante;
	int	copia_garante;			/* 0..366 */
	bool	propia_hora;
	int	hora_min;			/* minutes after midnight */
};

/* Sorts n days descending and drops repeats; returns how many are left. */
int	store_recordatorios_normalizar(int *dias, int n);

/*
 * Reads mesa_id's own cadence into c. The days come deduplicated and
 * descending, at most RECORDATORIOS_MAX_DIAS (those nearest the deadline,
 * as the planner keeps them). False with err (404 mesa_no_encontrada,
 * 503/500 from the database).
 */
bool	store_recordatorios_leer(PGconn *conn, long long mesa_id,
	    struct store_cadencia *c, struct error *err);

/*
 * Writes c (borrowed; the caller validated it) as mesa_id's own cadence,
 * NULL for every value without its propia_ flag, inside the caller's
 * transaction. False with err (422 if the database's checks refuse a
 * value, 503/500).
 */
bool	store_recordatorios_guardar(PGconn *conn, long long mesa_id,
	    const struct store_cadencia *c, struct error *err);

#endif
