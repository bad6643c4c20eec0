/*
 * The garantes' weekly digest (DESIGN.md section 2: "every deadline of
 * every PAL in its state ... digests"): once per ISO week, from
 * resumen_dia at resumen_hora in resumen_zona_horaria, every active
 * garante gets one email about its entidad: what fell overdue in the last
 * 7 days, what is due in the next 14, what was completed in the last 7,
 * the totals and a personal link to the dashboard. resumenes' unique key
 * (usuario_id, semana) makes "at most one per week" hold across passes,
 * restarts and several pald.
 */
#ifndef PALD_RESUMENES_H
#define PALD_RESUMENES_H

#include <stdbool.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"

/*
 * The settings of a pass, copied from config_live on the loop thread so a
 * worker never reads configuration that SIGHUP may replace.
 */
struct resumenes_settings {
	int	dia;		/* ISO weekday, 1 = lunes */
	int	hora_min;	/* minutes after local midnight */
	char	zona[64];	/* IANA zone of dia, hora and the week */
};

/*
 * Copies the current settings into s: a snapshot that resumenes_tick
 * refreshes from config_live on the loop thread, so any thread may call
 * it.
 */
void	resumenes_settings_load(struct resumenes_settings *s);

/*
 * One pass inside the caller's open transaction: waits for the digest's
 * advisory lock, and when the local day and hour of this week have come
 * (or forzar) queues one digest for each active garante that has none
 * for this week. Returns a new JSON object {enviados: N, semana,
 * resumenes: [{usuario_id, email, semana, outbox_id}]} of what this pass
 * queued (semana is the local date of the week's Monday), or NULL with
 * err (500 zona_horaria_invalida when PostgreSQL does not know the zone,
 * 503/500 from the database).
 */
json_t	*resumenes_enviar(PGconn *conn, const struct resumenes_settings *s,
	    bool forzar, struct error *err);

/*
 * Scheduler job: refreshes the settings and, every minute, submits a pass
 * to the DB pool. Loop thread.
 */
void	resumenes_tick(void);

#endif
