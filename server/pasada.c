/*
 * A scheduled pass (pasada.h): the clock and the transaction the reminder
 * planner and the weekly digest share. It knows nothing of what a pass
 * does; the owner's correr does the work and its settings travel in the
 * owner's struct around this one.
 */
#include "pasada.h"

#include <string.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "mailer.h"
#include "outbox.h"
#include "scheduler.h"

/* Worker: one pass in one transaction. */
static void
pasada_run(struct dbjob *job, PGconn *conn)
{
	struct pasada *p = (struct pasada *)job;
	struct error err;
	struct buf sql;
	PGresult *res;

	if (conn == NULL) {
		log_debug("%s: database unavailable, pass skipped", p->nombre);
		return;
	}
	if (p->pendiente != NULL && !p->pendiente(p, conn))
		return;
	if (!db_command(conn, &err, "BEGIN", 0, NULL)) {
		log_warn("%s: %s", p->nombre, err.message);
		return;
	}
	/*
	 * Another pald's pass right now: leave it the work instead of
	 * queueing behind it (a pass asked through the API waits instead).
	 */
	buf_init(&sql);
	buf_printf(&sql, "SELECT pg_try_advisory_xact_lock(%s)", p->lock);
	res = db_exec(conn, &err, sql.data, 0, NULL);
	buf_cleanup(&sql);
	if (res == NULL || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		if (res != NULL)
			log_debug("%s: another pass is running", p->nombre);
		else
			log_warn("%s: %s", p->nombre, err.message);
		PQclear(res);
		db_command(conn, NULL, "ROLLBACK", 0, NULL);
		return;
	}
	PQclear(res);
	if (p->correr(p, conn, &err) &&
	    db_command(conn, &err, "COMMIT", 0, NULL)) {
		if (outbox_take_wake())
			mailer_wake();
	} else {
		log_warn("%s: pass failed: %s", p->nombre, err.message);
		db_command(conn, NULL, "ROLLBACK", 0, NULL);
		(void)outbox_take_wake();
	}
}

/* Loop thread: the pass is over. */
static void
pasada_done(struct dbjob *job)
{
	((struct pasada *)job)->queued = false;
}

bool
pasada_toca(struct pasada *p, long long periodo_ms)
{
	long long now = scheduler_now_ms();

	if (p->last_ms == 0) {
		p->last_ms = now;
		return false;
	}
	return !p->queued && now - p->last_ms >= periodo_ms;
}

void
pasada_encolar(struct pasada *p)
{
	p->job.run = pasada_run;
	p->job.done = pasada_done;
	if (dbpool_submit(&p->job)) {
		p->queued = true;
		p->last_ms = scheduler_now_ms();
	}
}
