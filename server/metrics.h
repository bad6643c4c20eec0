/*
 * Counters for /metrics in the Prometheus text format: requests by route,
 * method and status, a latency histogram per route, and gauges read from
 * the DB pool and the mailer when rendered. Loop thread only.
 */
#ifndef PALD_METRICS_H
#define PALD_METRICS_H

#include "buf.h"
#include "router.h"

/* Records one reply; route NULL for requests that matched none. */
void	metrics_observe(const struct route *route, const char *method,
	    int status, double seconds);
/* Appends the whole exposition to out. */
void	metrics_render(struct buf *out);

#endif
