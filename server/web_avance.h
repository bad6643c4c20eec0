/*
 * Personal links for progress reports (enlaces.proposito 'avance'): the
 * page a responsable opens from a reminder email, with the activity and
 * a form, and the POST of that form, which records the report.
 */
#ifndef PALD_WEB_AVANCE_H
#define PALD_WEB_AVANCE_H

#include <stdbool.h>

#include "http.h"

/* GET /e/{token}: the activity, its history and the form. Records
 * nothing. */
void	web_avance_ver(struct req *rq);
/* POST /e/{token}: records the report of the form in rq->body
 * (application/x-www-form-urlencoded). */
void	web_avance_confirmar(struct req *rq);

#endif
