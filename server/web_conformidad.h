/*
 * Personal links for conformity with a PAL version (enlaces.proposito
 * 'conformidad'): the page, the POST that records the conformity against
 * the version's hash, and the version's PDF.
 */
#ifndef PALD_WEB_CONFORMIDAD_H
#define PALD_WEB_CONFORMIDAD_H

#include <stdbool.h>

#include "http.h"

void	web_conformidad_ver(struct req *rq);
void	web_conformidad_confirmar(struct req *rq);
/* GET /e/{token}/pdf */
void	web_conformidad_pdf(struct req *rq);

#endif
