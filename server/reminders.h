/*
 * The reminder planner (DESIGN.md section 3, "Reminders"): one pass finds
 * every reminder due now, records it in recordatorios (whose unique key
 * makes "never twice" hold across restarts and several pald) and queues
 * its email in the same transaction.
 */
#ifndef PALD_REMINDERS_H
#define PALD_REMINDERS_H

#include <stdbool.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"

/*
 * The settings of a pass, copied from config_live on the loop thread so a
 * worker never reads configuration that SIGHUP may replace.
 */
struct reminders_settings {
	int	dias_antes[16];
	int	n_dias_antes;
	int	vencida_cada;
	int	copia_facilitador;
	int	copia_garante;
	int	hora_min;		/* minutes after local midnight */
	int	acuse_cada;
};

/*
 * Copies the current settings into s: a snapshot that reminders_tick
 * refreshes from config_live on the loop thread, so any thread may call
 * it.
 */
void	reminders_settings_load(struct reminders_settings *s);

/*
 * One planning pass inside the caller's transaction. Returns a new JSON
 * object {planificados: N, recordatorios: [{id, mesa_id, actividad_id,
 * actor_id, tipo, fecha, dias, destinatario, rol, outbox_id}]} of what
 * this pass queued, or NULL with err.
 */
json_t	*reminders_plan(PGconn *conn, const struct reminders_settings *s,
	    struct error *err);

/* Scheduler job: submits a pass to the DB pool. Loop thread. */
void	reminders_tick(void);

#endif
