/*
 * Periodic jobs, Redis serverCron style: a 100 ms tick walks a table and
 * runs each job whose period has elapsed. No cron to forget, no job state
 * outside PostgreSQL, so any number of pald can run the same table (jobs
 * that must happen once use the database to agree, not this timer).
 */
#include "scheduler.h"

#include <stddef.h>
#include <time.h>

#include <event2/event.h>

#include "dbpool.h"
#include "reminders.h"
#include "resumenes.h"

#define SCHEDULER_TICK_MS	100

struct scheduler_job {
	const char	*name;
	long		 period_ms;
	void		(*fn)(void);
	long long	 last_ms;
};

static struct scheduler_job scheduler_jobs[] = {
	/* Keeps /healthz true while no request touches the database. */
	{ "db_ping", 1000, dbpool_ping, 0 },
	{ "reminders", 1000, reminders_tick, 0 },
	{ "resumenes", 1000, resumenes_tick, 0 },
};

static struct event *scheduler_ev;

long long
scheduler_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void
scheduler_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	long long now = scheduler_now_ms();

	(void)fd;
	(void)what;
	(void)arg;
	for (size_t i = 0; i < sizeof(scheduler_jobs) / sizeof(scheduler_jobs[0]);
	    i++) {
		struct scheduler_job *j = &scheduler_jobs[i];

		if (now - j->last_ms >= j->period_ms) {
			j->last_ms = now;
			j->fn();
		}
	}
}

void
scheduler_start(struct event_base *base)
{
	struct timeval tv = { 0, SCHEDULER_TICK_MS * 1000 };

	scheduler_ev = event_new(base, -1, EV_PERSIST, scheduler_tick_cb, NULL);
	event_add(scheduler_ev, &tv);
}

void
scheduler_stop(void)
{
	if (scheduler_ev != NULL) {
		event_free(scheduler_ev);
		scheduler_ev = NULL;
	}
}
