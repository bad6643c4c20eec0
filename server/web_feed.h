/*
 * Calendar feeds of deadlines (iCalendar over HTTP) at a URL holding a
 * revocable token: one per garante (every activity it may monitor) or
 * per responsable (its own activities), to subscribe from a calendar
 * program.
 */
#ifndef PALD_WEB_FEED_H
#define PALD_WEB_FEED_H

#include "http.h"

/* GET /f/{token}: the feed. Public route; the token is the credential. */
void	web_feed_ver(struct req *rq);
/* POST /v1/feeds {email?}: creates a feed link and returns its URL. */
void	api_feeds_crear(struct req *rq);
/* POST /v1/feeds/revocar {url | token}: revokes one of the caller's. */
void	api_feeds_revocar(struct req *rq);

#endif
