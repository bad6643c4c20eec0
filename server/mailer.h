/*
 * The mailer: config_live->mail_threads threads, each with its own PGconn
 * and libcurl easy handle (connection reuse), draining the outbox. A row is
 * claimed with FOR UPDATE SKIP LOCKED plus a lease, so several threads or
 * several pald on one database never send one message twice while the
 * lease holds; one SMTP transaction per recipient; 4xx and connection
 * failures retried with exponential backoff and jitter; 5xx failed.
 */
#ifndef PALD_MAILER_H
#define PALD_MAILER_H

#include <stdbool.h>

#include "error.h"

/* Starts the threads (none if mail_threads is 0). */
bool	mailer_start(struct error *err);
/* Wakes the threads now instead of at the next poll. Any thread. */
void	mailer_wake(void);
/* Asks the threads to stop after the message in hand; joins them. */
void	mailer_stop(void);

/* Counters for /metrics, refreshed by the mailer from the outbox table. */
struct mailer_stats {
	long long	pendiente;	/* rows waiting, whole database */
	long long	enviado;
	long long	fallido;
	long long	sent_here;	/* delivered by this process */
	long long	failed_here;
	long long	retried_here;
};
void	mailer_get_stats(struct mailer_stats *out);

#endif
