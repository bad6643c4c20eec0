/*
 * Health and metrics. Both run on the loop thread and never query the
 * database: /healthz reports what the DB workers and the periodic ping
 * last saw, so a load balancer's probe costs nothing and still answers
 * while PostgreSQL is down.
 */
#include "api_health.h"

#include "dbpool.h"
#include "metrics.h"

/* Its two replies, written out: a probe costs no JSON encoding. */
static const char api_health_up[] = "{\"estado\":\"ok\",\"version\":\""
    PALD_VERSION "\",\"base_de_datos\":\"disponible\"}\n";
static const char api_health_down[] = "{\"estado\":\"degradado\","
    "\"version\":\"" PALD_VERSION "\",\"base_de_datos\":"
    "\"no_disponible\"}\n";

void
api_health_get(struct req *rq)
{
	if (dbpool_available())
		reply_bytes(rq, 200, NULL, api_health_up,
		    sizeof(api_health_up) - 1);
	else
		reply_bytes(rq, 503, NULL, api_health_down,
		    sizeof(api_health_down) - 1);
}

void
api_health_metrics(struct req *rq)
{
	struct buf b;

	buf_init(&b);
	metrics_render(&b);
	reply_bytes(rq, 200, "text/plain; version=0.0.4; charset=utf-8",
	    b.data, b.len);
	buf_cleanup(&b);
}
