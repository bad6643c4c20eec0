/*
 * Health and metrics. Both run on the loop thread and never query the
 * database: /healthz reports what the DB workers and the periodic ping
 * last saw, so a load balancer's probe costs nothing and still answers
 * while PostgreSQL is down.
 */
#include "api_health.h"

#include "dbpool.h"
#include "metrics.h"

void
api_health_get(struct req *rq)
{
	bool up = dbpool_available();

	reply_json(rq, up ? 200 : 503, json_pack("{s:s, s:s, s:s}",
	    "estado", up ? "ok" : "degradado",
	    "version", PALD_VERSION,
	    "base_de_datos", up ? "disponible" : "no_disponible"));
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
