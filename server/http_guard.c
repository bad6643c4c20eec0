/*
 * A whole-request deadline for HTTP clients (slowloris). evhttp's
 * http_timeout_s restarts with every byte read, so a client that sends
 * one byte a second holds a connection, with its buffers, for as long as
 * it likes; a few thousand of them starve everyone else. As Apache's
 * mod_reqtimeout does, every request gets http_request_timeout_s from its
 * first byte to the moment evhttp has it whole, plus one second for every
 * http_request_min_rate bytes received: a slow but honest upload keeps
 * earning time, a dribble does not. The time a handler takes does not
 * count. A connection past its deadline is shut down; evhttp reads the
 * end of the stream and frees it as it does when a client hangs up.
 *
 * evhttp has no "a request started" hook, so pald makes each
 * connection's socket bufferevent itself (evhttp_set_bevcb, with the
 * options evhttp would use) and watches its input buffer: the first byte
 * after a finished request starts the clock. http_guard_read (evhttp has
 * the whole request) stops it; http_guard_replied (the reply is on its
 * way) lets the next request start it. The record of a connection is
 * made at its first byte, when evhttp's connection exists (it is the
 * argument of the bufferevent's callbacks), and dropped by the
 * connection's close callback, which evhttp calls before it frees the
 * connection of a client. A sweep once a second compares the clocks.
 * Loop thread only.
 */
#include "http_guard.h"

#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "log.h"
#include "xmalloc.h"

/* What the guard knows of one connection. */
struct http_guard_conn {
	struct bufferevent	*bev;		/* the socket's, evhttp's */
	int			 fd;
	bool			 busy;		/* read, not yet replied */
	long long		 started_ms;	/* 0: between requests */
	size_t			 received;	/* bytes since started_ms */
};

/*
 * The connection of each descriptor: for a request's look-up and for the
 * sweep. evhttp calls the close callback, which clears the slot, before
 * it closes the descriptor, so a slot never outlives its connection.
 */
static struct http_guard_conn **http_guard_by_fd;
static size_t http_guard_nfd;
static struct event *http_guard_sweep_ev;
static long long http_guard_timeout_ms;
static long long http_guard_min_rate;

static long long
http_guard_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* fd's record, if it is bev's. */
static struct http_guard_conn *
http_guard_find(struct bufferevent *bev, int fd)
{
	if (fd < 0 || (size_t)fd >= http_guard_nfd ||
	    http_guard_by_fd[fd] == NULL || http_guard_by_fd[fd]->bev != bev)
		return NULL;
	return http_guard_by_fd[fd];
}

/* evhttp is freeing the connection: forget it. */
static void
http_guard_closed(struct evhttp_connection *evcon, void *arg)
{
	struct http_guard_conn *g = arg;

	(void)evcon;
	if (http_guard_by_fd[g->fd] == g)
		http_guard_by_fd[g->fd] = NULL;
	free(g);
}

/* The record of bev's connection, made on its first byte. */
static struct http_guard_conn *
http_guard_make(struct bufferevent *bev, int fd)
{
	struct http_guard_conn *g;
	void *evcon = NULL;

	bufferevent_getcb(bev, NULL, NULL, NULL, &evcon);
	if (evcon == NULL || fd < 0)
		return NULL;
	if ((size_t)fd >= http_guard_nfd) {
		size_t n = http_guard_nfd ? http_guard_nfd : 256;

		while (n <= (size_t)fd)
			n *= 2;
		http_guard_by_fd = xrealloc(http_guard_by_fd,
		    n * sizeof(*http_guard_by_fd));
		for (size_t i = http_guard_nfd; i < n; i++)
			http_guard_by_fd[i] = NULL;
		http_guard_nfd = n;
	}
	g = xcalloc(1, sizeof(*g));
	g->bev = bev;
	g->fd = fd;
	http_guard_by_fd[fd] = g;
	evhttp_connection_set_closecb(evcon, http_guard_closed, g);
	return g;
}

/* Bytes came in (or evhttp took some): starts the clock. */
static void
http_guard_input(struct evbuffer *in, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct bufferevent *bev = arg;
	int fd = (int)bufferevent_getfd(bev);
	struct http_guard_conn *g;

	(void)in;
	if (info->n_added == 0)
		return;
	g = http_guard_find(bev, fd);
	if (g == NULL && (g = http_guard_make(bev, fd)) == NULL)
		return;
	if (g->started_ms == 0 && !g->busy) {
		g->started_ms = http_guard_now_ms();
		g->received = 0;
	}
	g->received += info->n_added;
}

static struct bufferevent *
http_guard_bevcb(struct event_base *base, void *arg)
{
	struct bufferevent *bev;

	(void)arg;
	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev != NULL &&
	    evbuffer_add_cb(bufferevent_get_input(bev), http_guard_input,
	    bev) == NULL) {
		bufferevent_free(bev);
		return NULL;
	}
	return bev;
}

/* The connection evreq came on, or NULL. */
static struct http_guard_conn *
http_guard_of(struct evhttp_request *evreq)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(evreq);
	struct bufferevent *bev;

	if (conn == NULL)
		return NULL;
	bev = evhttp_connection_get_bufferevent(conn);
	return bev != NULL ? http_guard_find(bev, (int)bufferevent_getfd(bev)) :
	    NULL;
}

static void
http_guard_sweep(evutil_socket_t fd, short what, void *arg)
{
	long long now = http_guard_now_ms();

	(void)fd;
	(void)what;
	(void)arg;
	for (size_t i = 0; i < http_guard_nfd; i++) {
		struct http_guard_conn *g = http_guard_by_fd[i];
		long long allowed;

		if (g == NULL || g->started_ms == 0 || g->busy)
			continue;
		allowed = http_guard_timeout_ms +
		    (long long)g->received * 1000 / http_guard_min_rate;
		if (now - g->started_ms <= allowed)
			continue;
		log_warn("request cut off: %zu bytes in %lld ms, under "
		    "http_request_timeout_s and http_request_min_rate",
		    g->received, now - g->started_ms);
		g->started_ms = 0;
		shutdown(g->fd, SHUT_RDWR);
	}
}

bool
http_guard_start(struct evhttp *http, struct event_base *base,
    int timeout_s, int min_rate)
{
	struct timeval second = { 1, 0 };

	http_guard_timeout_ms = (long long)timeout_s * 1000;
	http_guard_min_rate = min_rate > 0 ? min_rate : 1;
	http_guard_sweep_ev = event_new(base, -1, EV_PERSIST,
	    http_guard_sweep, NULL);
	if (http_guard_sweep_ev == NULL ||
	    event_add(http_guard_sweep_ev, &second) != 0)
		return false;
	evhttp_set_bevcb(http, http_guard_bevcb, NULL);
	return true;
}

void
http_guard_read(struct evhttp_request *evreq)
{
	struct http_guard_conn *g = http_guard_of(evreq);

	if (g != NULL) {
		g->busy = true;
		g->started_ms = 0;
	}
}

void
http_guard_replied(struct evhttp_request *evreq)
{
	struct http_guard_conn *g = http_guard_of(evreq);
	struct evbuffer *in;

	if (g == NULL)
		return;
	g->busy = false;
	/* A pipelined request already waiting starts its clock now. */
	in = bufferevent_get_input(g->bev);
	g->started_ms = evbuffer_get_length(in) > 0 ? http_guard_now_ms() : 0;
	g->received = evbuffer_get_length(in);
}

void
http_guard_stop(void)
{
	if (http_guard_sweep_ev != NULL) {
		event_free(http_guard_sweep_ev);
		http_guard_sweep_ev = NULL;
	}
}
