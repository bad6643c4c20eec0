/*
 * The whole-request deadline of HTTP clients (slowloris): see
 * http_guard.c. Loop thread only.
 */
#ifndef PALD_HTTP_GUARD_H
#define PALD_HTTP_GUARD_H

#include <stdbool.h>

#include <event2/http.h>

/*
 * Makes every new connection of http go through the guard: a request
 * must arrive whole within timeout_s seconds plus one per min_rate bytes.
 */
bool	http_guard_start(struct evhttp *http, struct event_base *base,
	    int timeout_s, int min_rate);
/* evhttp has read evreq whole: its time no longer counts. */
void	http_guard_read(struct evhttp_request *evreq);
/* evreq's reply is being sent: the next request on its connection may start. */
void	http_guard_replied(struct evhttp_request *evreq);
void	http_guard_stop(void);

#endif
