/*
 * DB workers. Each worker owns one blocking PGconn and runs jobs taken
 * from a bounded FIFO; finished jobs go to a done list that the loop
 * thread drains when woken with event_active (libevent is made
 * thread-aware by evthread_use_pthreads() in main). When the connection
 * is lost the worker reconnects with exponential backoff; while it backs
 * off, jobs run with conn == NULL and answer 503 at once instead of
 * piling up. It does not know about HTTP: see http.c for what a job does.
 */
#include "dbpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "xmalloc.h"

struct dbpool_worker {
	pthread_t	 thread;
	int		 index;
	PGconn		*conn;
	int		 backoff_ms;
	struct timespec	 retry_at;	/* no reconnect attempt before */
};

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct dbjob		*head, *tail;	/* waiting jobs */
	int			 waiting;
	struct dbjob		*done_head, *done_tail;
	bool			 stopping;
	struct event		*done_ev;
	struct dbpool_worker	*workers;
	int			 nworkers;
	atomic_int		 running;
	atomic_bool		 available;
} pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static long long
dbpool_ms_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (t->tv_sec - now.tv_sec) * 1000LL +
	    (t->tv_nsec - now.tv_nsec) / 1000000;
}

/*
 * Makes sure w has a usable connection, reconnecting when the backoff
 * allows. Returns the connection or NULL while the database is down.
 */
static PGconn *
dbpool_connection(struct dbpool_worker *w)
{
	struct error err;

	if (db_ok(w->conn))
		return w->conn;
	if (w->conn != NULL) {
		log_warn("worker %d lost its database connection",
		    w->index);
		PQfinish(w->conn);
		w->conn = NULL;
		atomic_store(&pool.available, false);
	}
	if (dbpool_ms_until(&w->retry_at) > 0)
		return NULL;
	w->conn = db_connect(config_live->database,
	    config_live->db_connect_timeout_s, &err);
	if (w->conn != NULL) {
		if (w->backoff_ms > 0)
			log_info("worker %d reconnected to the database",
			    w->index);
		w->backoff_ms = 0;
		atomic_store(&pool.available, true);
		return w->conn;
	}
	atomic_store(&pool.available, false);
	/* Exponential backoff with a ceiling: 100 ms, 200 ms, ... */
	w->backoff_ms = w->backoff_ms == 0 ? 100 : w->backoff_ms * 2;
	if (w->backoff_ms > config_live->db_retry_max_ms)
		w->backoff_ms = config_live->db_retry_max_ms;
	clock_gettime(CLOCK_MONOTONIC, &w->retry_at);
	w->retry_at.tv_sec += w->backoff_ms / 1000;
	w->retry_at.tv_nsec += (long)(w->backoff_ms % 1000) * 1000000L;
	if (w->retry_at.tv_nsec >= 1000000000L) {
		w->retry_at.tv_sec++;
		w->retry_at.tv_nsec -= 1000000000L;
	}
	return NULL;
}

static void *
dbpool_worker_main(void *arg)
{
	struct dbpool_worker *w = arg;

	for (;;) {
		struct dbjob *job;

		pthread_mutex_lock(&pool.lock);
		while (pool.head == NULL && !pool.stopping)
			pthread_cond_wait(&pool.cond, &pool.lock);
		if (pool.head == NULL) {
			pthread_mutex_unlock(&pool.lock);
			break;
		}
		job = pool.head;
		pool.head = job->next;
		if (pool.head == NULL)
			pool.tail = NULL;
		pool.waiting--;
		pthread_mutex_unlock(&pool.lock);

		atomic_fetch_add(&pool.running, 1);
		job->run(job, dbpool_connection(w));
		atomic_fetch_sub(&pool.running, 1);

		job->next = NULL;
		pthread_mutex_lock(&pool.lock);
		if (pool.done_tail != NULL)
			pool.done_tail->next = job;
		else
			pool.done_head = job;
		pool.done_tail = job;
		pthread_mutex_unlock(&pool.lock);
		event_active(pool.done_ev, EV_READ, 0);
	}
	PQfinish(w->conn);
	w->conn = NULL;
	return NULL;
}

/* Loop thread: hands every finished job to its done callback. */
static void
dbpool_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dbjob *list;

	(void)fd;
	(void)what;
	(void)arg;
	pthread_mutex_lock(&pool.lock);
	list = pool.done_head;
	pool.done_head = pool.done_tail = NULL;
	pthread_mutex_unlock(&pool.lock);
	while (list != NULL) {
		struct dbjob *next = list->next;

		list->done(list);
		list = next;
	}
}

bool
dbpool_start(struct event_base *base, struct error *err)
{
	pool.done_ev = event_new(base, -1, EV_PERSIST, dbpool_done_cb, NULL);
	pool.nworkers = config_live->db_workers;
	pool.workers = xcalloc((size_t)pool.nworkers, sizeof(*pool.workers));
	pool.stopping = false;
	atomic_store(&pool.available, true);
	for (int i = 0; i < pool.nworkers; i++) {
		struct dbpool_worker *w = &pool.workers[i];
		struct error cerr;

		w->index = i;
		/*
		 * Connect up front so the first requests do not pay for it;
		 * a failure is not fatal: the worker retries by itself.
		 */
		w->conn = db_connect(config_live->database,
		    config_live->db_connect_timeout_s, &cerr);
		if (w->conn == NULL)
			atomic_store(&pool.available, false);
		if (pthread_create(&w->thread, NULL, dbpool_worker_main, w)
		    != 0) {
			error_set(err, 500, "error_interno",
			    "no se pudo iniciar el proceso de base de datos %d", i);
			return false;
		}
	}
	return true;
}

bool
dbpool_submit(struct dbjob *job)
{
	job->next = NULL;
	pthread_mutex_lock(&pool.lock);
	if (pool.waiting >= config_live->db_queue_max) {
		pthread_mutex_unlock(&pool.lock);
		return false;
	}
	if (pool.tail != NULL)
		pool.tail->next = job;
	else
		pool.head = job;
	pool.tail = job;
	pool.waiting++;
	pthread_cond_signal(&pool.cond);
	pthread_mutex_unlock(&pool.lock);
	return true;
}

void
dbpool_stop(void)
{
	if (pool.workers == NULL)
		return;
	pthread_mutex_lock(&pool.lock);
	pool.stopping = true;
	pthread_cond_broadcast(&pool.cond);
	pthread_mutex_unlock(&pool.lock);
	for (int i = 0; i < pool.nworkers; i++)
		pthread_join(pool.workers[i].thread, NULL);
	/* Jobs finished during the join still get their replies. */
	dbpool_done_cb(-1, 0, NULL);
	event_free(pool.done_ev);
	pool.done_ev = NULL;
	free(pool.workers);
	pool.workers = NULL;
}

static bool dbpool_ping_queued;

static void
dbpool_ping_run(struct dbjob *job, PGconn *conn)
{
	PGresult *res;

	(void)job;
	if (conn == NULL)
		return;
	res = PQexec(conn, "SELECT 1");
	atomic_store(&pool.available,
	    PQresultStatus(res) == PGRES_TUPLES_OK);
	PQclear(res);
}

static void
dbpool_ping_done(struct dbjob *job)
{
	(void)job;
	dbpool_ping_queued = false;
}

void
dbpool_ping(void)
{
	static struct dbjob ping = { dbpool_ping_run, dbpool_ping_done, NULL };

	if (dbpool_ping_queued || pool.stopping)
		return;
	dbpool_ping_queued = dbpool_submit(&ping);
}

bool
dbpool_available(void)
{
	return atomic_load(&pool.available);
}

void
dbpool_counts(int *running, int *waiting)
{
	*running = atomic_load(&pool.running);
	pthread_mutex_lock(&pool.lock);
	*waiting = pool.waiting;
	pthread_mutex_unlock(&pool.lock);
}
