/*
 * In-memory metrics. Only the loop thread records and renders, so the
 * counters need no locks; the gauges of other threads are read through
 * their own thread-safe getters. There is no registry: the few series we
 * export are fixed arrays indexed by route.
 */
#include "metrics.h"

#include <string.h>

#include "dbpool.h"
#include "mailer.h"

static const int metrics_statuses[] = {
	200, 201, 202, 204, 400, 401, 403, 404, 405, 409, 413, 415, 422, 500,
	503,
};
#define N_STATUS	(sizeof(metrics_statuses) / sizeof(int))
#define STATUS_OTHER	N_STATUS

static const double metrics_buckets[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};
#define N_BUCKETS	(sizeof(metrics_buckets) / sizeof(double))

/* Enough for the route table plus the "unmatched" row. */
#define MAX_ROUTES	128

struct metrics_route {
	unsigned long long	by_status[N_STATUS + 1];
	unsigned long long	bucket[N_BUCKETS];	/* cumulative at render */
	unsigned long long	count;
	double			sum;
};

static struct metrics_route metrics_rows[MAX_ROUTES + 1];

static size_t
metrics_row(const struct route *route)
{
	size_t i;

	if (route == NULL)
		return MAX_ROUTES;
	i = (size_t)(route - router_routes);
	return i < router_nroutes && i < MAX_ROUTES ? i : MAX_ROUTES;
}

void
metrics_observe(const struct route *route, const char *method, int status,
    double seconds)
{
	struct metrics_route *m = &metrics_rows[metrics_row(route)];
	size_t s = STATUS_OTHER;

	(void)method;
	for (size_t i = 0; i < N_STATUS; i++)
		if (metrics_statuses[i] == status)
			s = i;
	m->by_status[s]++;
	m->count++;
	m->sum += seconds;
	for (size_t b = 0; b < N_BUCKETS; b++)
		if (seconds <= metrics_buckets[b]) {
			m->bucket[b]++;
			break;
		}
}

static void
metrics_render_route(struct buf *out, const char *pattern,
    const char *method, const struct metrics_route *m)
{
	for (size_t s = 0; s <= N_STATUS; s++) {
		if (m->by_status[s] == 0)
			continue;
		if (s == STATUS_OTHER)
			buf_printf(out, "pald_http_requests_total{route=\"%s\","
			    "method=\"%s\",status=\"other\"} %llu\n", pattern,
			    method, m->by_status[s]);
		else
			buf_printf(out, "pald_http_requests_total{route=\"%s\","
			    "method=\"%s\",status=\"%d\"} %llu\n", pattern,
			    method, metrics_statuses[s], m->by_status[s]);
	}
}

static void
metrics_render_histogram(struct buf *out, const char *pattern,
    const char *method, const struct metrics_route *m)
{
	unsigned long long cum = 0;

	if (m->count == 0)
		return;
	for (size_t b = 0; b < N_BUCKETS; b++) {
		cum += m->bucket[b];
		buf_printf(out, "pald_http_request_duration_seconds_bucket{"
		    "route=\"%s\",method=\"%s\",le=\"%g\"} %llu\n", pattern,
		    method, metrics_buckets[b], cum);
	}
	buf_printf(out, "pald_http_request_duration_seconds_bucket{"
	    "route=\"%s\",method=\"%s\",le=\"+Inf\"} %llu\n", pattern, method,
	    m->count);
	buf_printf(out, "pald_http_request_duration_seconds_sum{route=\"%s\","
	    "method=\"%s\"} %.6f\n", pattern, method, m->sum);
	buf_printf(out, "pald_http_request_duration_seconds_count{"
	    "route=\"%s\",method=\"%s\"} %llu\n", pattern, method, m->count);
}

void
metrics_render(struct buf *out)
{
	struct mailer_stats ms;
	int running, waiting;
	size_t n = router_nroutes < MAX_ROUTES ? router_nroutes : MAX_ROUTES;

	buf_puts(out, "# HELP pald_build_info Version of this pald.\n"
	    "# TYPE pald_build_info gauge\n"
	    "pald_build_info{version=\"" PALD_VERSION "\"} 1\n");

	buf_puts(out, "# HELP pald_http_requests_total HTTP requests answered."
	    "\n# TYPE pald_http_requests_total counter\n");
	for (size_t i = 0; i < n; i++)
		metrics_render_route(out, router_routes[i].pattern,
		    router_routes[i].method, &metrics_rows[i]);
	metrics_render_route(out, "unmatched", "any",
	    &metrics_rows[MAX_ROUTES]);

	buf_puts(out, "# HELP pald_http_request_duration_seconds Time from "
	    "request to reply.\n"
	    "# TYPE pald_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < n; i++)
		metrics_render_histogram(out, router_routes[i].pattern,
		    router_routes[i].method, &metrics_rows[i]);
	metrics_render_histogram(out, "unmatched", "any",
	    &metrics_rows[MAX_ROUTES]);

	dbpool_counts(&running, &waiting);
	buf_printf(out, "# HELP pald_db_workers_busy DB workers running a "
	    "request.\n# TYPE pald_db_workers_busy gauge\n"
	    "pald_db_workers_busy %d\n", running);
	buf_printf(out, "# HELP pald_db_queue_length Requests waiting for a "
	    "DB worker.\n# TYPE pald_db_queue_length gauge\n"
	    "pald_db_queue_length %d\n", waiting);
	buf_printf(out, "# HELP pald_db_available Whether the database "
	    "answered the last attempt.\n# TYPE pald_db_available gauge\n"
	    "pald_db_available %d\n", dbpool_available() ? 1 : 0);

	mailer_get_stats(&ms);
	buf_printf(out, "# HELP pald_outbox_messages Messages in the outbox "
	    "by state (whole database).\n"
	    "# TYPE pald_outbox_messages gauge\n"
	    "pald_outbox_messages{estado=\"pendiente\"} %lld\n"
	    "pald_outbox_messages{estado=\"enviado\"} %lld\n"
	    "pald_outbox_messages{estado=\"fallido\"} %lld\n",
	    ms.pendiente, ms.enviado, ms.fallido);
	buf_printf(out, "# HELP pald_mail_sent_total Messages this process "
	    "delivered.\n# TYPE pald_mail_sent_total counter\n"
	    "pald_mail_sent_total %lld\n", ms.sent_here);
	buf_printf(out, "# HELP pald_mail_failed_total Messages this process "
	    "marked failed.\n# TYPE pald_mail_failed_total counter\n"
	    "pald_mail_failed_total %lld\n", ms.failed_here);
	buf_printf(out, "# HELP pald_mail_retried_total Temporary delivery "
	    "failures that will be retried.\n"
	    "# TYPE pald_mail_retried_total counter\n"
	    "pald_mail_retried_total %lld\n", ms.retried_here);
}
