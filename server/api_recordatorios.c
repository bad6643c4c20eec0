/*
 * POST /v1/recordatorios/ejecutar: one reminder planning pass now, in the
 * request's transaction (http.c BEGINs it, COMMITs when the reply is
 * below 400 and then wakes the mailer), answering what it queued. It is
 * what `pal recordatorios ejecutar`, the tests and the benchmarks use.
 *
 * The pass waits for one running in another pald or in the scheduler
 * (reminders_plan takes a transaction-scoped advisory lock) and then finds
 * their work done, so it never duplicates a reminder. It does not read
 * config_live's strings: the settings come from the snapshot the loop
 * thread keeps (reminders_settings_load).
 */
#include "api_recordatorios.h"

#include "log.h"
#include "reminders.h"

void
api_recordatorios_ejecutar(struct req *rq)
{
	struct reminders_settings s;
	struct error err;
	json_t *out;

	reminders_settings_load(&s);
	if ((out = reminders_plan(rq->db, &s, &err)) == NULL) {
		reply_error(rq, &err);
		return;
	}
	log_info("reminders: on-demand pass by user %lld queued %lld",
	    rq->user.id, (long long)json_integer_value(json_object_get(out,
	    "planificados")));
	reply_json(rq, 200, out);
}
