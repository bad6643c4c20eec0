/*
 * POST /v1/resumenes/ejecutar: one weekly digest pass now, forced (the
 * day and hour of resumen_dia and resumen_hora are not waited for), in
 * the request's transaction (http.c BEGINs it, COMMITs when the reply is
 * below 400 and then wakes the mailer), answering what it queued. It is
 * what `pal resumenes ejecutar` and the tests use.
 *
 * Forcing skips only the wait: a garante who has this week's digest gets
 * nothing, and a pass running in another pald or in the scheduler is
 * waited for (resumenes_enviar takes the advisory lock) and then found
 * done. The settings come from the snapshot the loop thread keeps, never
 * from config_live's strings.
 */
#include "api_resumenes.h"

#include "log.h"
#include "resumenes.h"

void
api_resumenes_ejecutar(struct req *rq)
{
	struct resumenes_settings s;
	struct error err;
	json_t *out;

	resumenes_settings_load(&s);
	if ((out = resumenes_enviar(rq->db, &s, true, &err)) == NULL) {
		reply_error(rq, &err);
		return;
	}
	log_info("digest: on-demand pass by user %lld queued %lld",
	    rq->user.id, (long long)json_integer_value(json_object_get(out,
	    "enviados")));
	reply_json(rq, 200, out);
}
