/*
 * The in-daemon scheduler: one timer on the loop thread and a static table
 * of periodic jobs (sched.c). A job runs on the loop thread and must not
 * block: work that needs the database is submitted to the DB pool.
 */
#ifndef PALD_SCHEDULER_H
#define PALD_SCHEDULER_H

struct event_base;

void	scheduler_start(struct event_base *base);
void	scheduler_stop(void);
/* The clock of periodic jobs: monotonic milliseconds. Any thread. */
long long scheduler_now_ms(void);

#endif
