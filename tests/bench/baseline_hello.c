/*
 * The "hello" baseline of make bench: the least an evhttp server can do,
 * to compare pald's /healthz against (DESIGN.md section 9: at least
 * 0.8x). One loop thread, one exact path, a constant JSON body built
 * once; every other path gets evhttp's own 404. It deliberately has none
 * of what pald does per request: no routing table, no request id, no
 * access log, no metrics, no extra headers. A standalone program, not a
 * test:
 *
 *	cc -std=c11 -D_GNU_SOURCE -O2 -o baseline_hello \
 *	    tests/bench/baseline_hello.c tests/bench/bench.c \
 *	    $(pkg-config --cflags --libs libevent)
 *	./baseline_hello PORT_FILE
 *
 * It listens on 127.0.0.1, on a free port that it writes to PORT_FILE
 * once it accepts connections, and serves GET /healthz until SIGTERM or
 * SIGINT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "bench.h"

static const char hello_body[] = "{\"estado\":\"ok\",\"hola\":\"mundo\"}\n";

static void
hello_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);

	(void)arg;
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json; charset=utf-8");
	/* A reference, not a copy: the body is a constant. */
	evbuffer_add_reference(out, hello_body, sizeof(hello_body) - 1, NULL,
	    NULL);
	evhttp_send_reply(req, 200, "OK", NULL);
}

static void
hello_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopexit(arg, NULL);
}

int
main(int argc, char **argv)
{
	struct event_base *base;
	struct evhttp *http;
	struct evhttp_bound_socket *bound;
	struct event *sigterm, *sigint;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (argc != 2) {
		fprintf(stderr, "uso: baseline_hello ARCHIVO_DE_PUERTO\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	http = evhttp_new(base);
	evhttp_set_cb(http, "/healthz", hello_cb, NULL);
	bound = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	if (bound == NULL) {
		fprintf(stderr, "baseline_hello: no se pudo escuchar\n");
		return 1;
	}
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&sin, &len) != 0 ||
	    bench_write_port(argv[1], ntohs(sin.sin_port)) != 0) {
		perror("baseline_hello");
		return 1;
	}
	sigterm = evsignal_new(base, SIGTERM, hello_stop_cb, base);
	sigint = evsignal_new(base, SIGINT, hello_stop_cb, base);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	event_base_dispatch(base);
	event_free(sigterm);
	event_free(sigint);
	evhttp_free(http);
	event_base_free(base);
	return 0;
}
