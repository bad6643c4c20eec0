/*
 * A scheduled pass of a planner (reminders.c, resumenes.c): every period
 * the loop thread queues one pass on the DB pool, never two at a time,
 * and a worker runs it in one transaction under a transaction-scoped
 * advisory lock that a pass of another pald may already hold (then this
 * one leaves it the work). After COMMIT the mailer is woken for what the
 * pass queued.
 */
#ifndef PALD_PASADA_H
#define PALD_PASADA_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "dbpool.h"
#include "error.h"

struct pasada {
	struct dbjob	 job;		/* first: the pool's handle */
	/* Set by the owner before the first tick. */
	const char	*nombre;	/* for log lines: "reminders" */
	const char	*lock;		/* the lock's keys, "k1, k2" */
	/*
	 * Optional, outside any transaction: whether there may be work at
	 * all, so an idle period costs one query and no transaction.
	 */
	bool		(*pendiente)(struct pasada *p, PGconn *conn);
	/* The work, inside the transaction, holding the lock. */
	bool		(*correr)(struct pasada *p, PGconn *conn,
			    struct error *err);
	/* Private to pasada.c; loop thread. */
	bool		 queued;
	long long	 last_ms;
};

/*
 * Loop thread, at each tick: true when a pass is due, periodo_ms after
 * the last one queued (the first one period after the first call) and
 * none is queued or running. The owner then fills what its pass reads
 * (a snapshot of its settings) and calls pasada_encolar.
 */
bool	pasada_toca(struct pasada *p, long long periodo_ms);

/* Loop thread: queues the pass; a full pool queue leaves it for later. */
void	pasada_encolar(struct pasada *p);

#endif
