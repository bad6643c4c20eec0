/*
 * Personal links: GET shows a small Spanish page, POST acts (a mail
 * scanner that opens a link changes nothing). HTML replies.
 */
#ifndef PALD_WEB_ENLACES_H
#define PALD_WEB_ENLACES_H

#include "http.h"

void	web_enlace_ver(struct req *rq);
void	web_enlace_confirmar(struct req *rq);

#endif
