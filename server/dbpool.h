/*
 * A pool of DB worker threads, each owning one blocking PGconn. The loop
 * thread submits a job; a worker runs job->run with its connection (plain
 * sequential code, a whole transaction) and hands the job back to the loop
 * thread, which runs job->done. The queue is bounded.
 */
#ifndef PALD_DBPOOL_H
#define PALD_DBPOOL_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "error.h"

struct event_base;

struct dbjob {
	/*
	 * Runs on a worker. conn is NULL when the database is unavailable
	 * (the worker is backing off between reconnections): the job must
	 * then produce its 503 answer without touching the database.
	 */
	void		(*run)(struct dbjob *job, PGconn *conn);
	/* Runs on the loop thread, exactly once, after run returned. */
	void		(*done)(struct dbjob *job);
	struct dbjob	*next;		/* private to the pool */
};

/* Starts config_live->db_workers workers; done callbacks run on base. */
bool	dbpool_start(struct event_base *base, struct error *err);
/*
 * Queues job (borrowed until its done callback runs). False, without
 * queueing, if db_queue_max jobs are already waiting. Loop thread only.
 */
bool	dbpool_submit(struct dbjob *job);
/* Waits for queued jobs to run, then stops and joins the workers. */
void	dbpool_stop(void);
/* Whether the last attempt to use the database worked. Any thread. */
bool	dbpool_available(void);
/*
 * Queues a "SELECT 1" unless one is already queued, so availability is
 * known even when no request uses the database. Loop thread only.
 */
void	dbpool_ping(void);
/* Jobs running now and jobs waiting, for /metrics. */
void	dbpool_counts(int *running, int *waiting);

#endif
