/*
 * The "one SELECT" baseline of make bench, to compare pald's
 * authenticated GET /v1/mesas/{id} against (DESIGN.md section 9: at least
 * 0.7x, p99 under 10 ms). It is built the way pald is: one libevent loop
 * thread owns evhttp; a pool of worker threads, each with its own
 * blocking PGconn, runs one prepared statement per request (the mesa's
 * row by primary key: SELECT id, titulo, entidad, ... FROM mesas WHERE
 * id = $1) and hands the result back to the loop with event_active; the
 * loop sends the reply, a small JSON object built with jansson.
 *
 * What it deliberately is not: no authentication, no routing table, no
 * transaction, no request id, access log or metrics, no error mapping
 * beyond 404 and 500, no reconnection. It is the floor under what pald
 * does for that route, with the same database, the same row and the same
 * number of workers. A standalone program, not a test:
 *
 *	cc -std=c11 -D_GNU_SOURCE -O2 -o baseline_select \
 *	    tests/bench/baseline_select.c tests/bench/bench.c \
 *	    $(pkg-config --cflags --libs libevent libevent_pthreads libpq \
 *	    jansson) -lpthread
 *	./baseline_select CONNINFO PORT_FILE [WORKERS]
 *
 * It listens on 127.0.0.1, on a free port that it writes to PORT_FILE
 * once every worker is connected, serves GET /v1/mesas/ID until SIGTERM
 * or SIGINT. WORKERS defaults to 4, pald's default db_workers.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "bench.h"

#define SELECT_SQL							\
	"SELECT id, titulo, entidad, municipio, zona_horaria, fase,"	\
	" facilitador_id, fecha, hora, lugar FROM mesas WHERE id = $1"

/* One request on its way through a worker; owned by the loop thread. */
struct job {
	struct evhttp_request	*evreq;
	char			 id[24];
	int			 status;
	char			*body;		/* owned, malloc */
	struct job		*next;
};

static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct job	*head, *tail;		/* waiting */
	struct job	*done_head, *done_tail;
	bool		 stopping;
	struct event	*done_ev;
	const char	*conninfo;
	int		 connected;		/* workers ready */
	int		 failed;		/* workers that could not */
} q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

/* A column as a JSON string, or null. */
static json_t *
select_col(const PGresult *res, int col)
{
	if (PQgetisnull(res, 0, col))
		return json_null();
	return json_string(PQgetvalue(res, 0, col));
}

/* Worker: the prepared statement, and the JSON of its row. */
static void
select_run(struct job *j, PGconn *conn)
{
	const char *params[1] = { j->id };
	PGresult *res;
	json_t *o;

	res = PQexecPrepared(conn, "mesa", 1, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		j->status = 500;
		j->body = strdup("{\"error\":\"consulta\"}\n");
	} else if (PQntuples(res) != 1) {
		j->status = 404;
		j->body = strdup("{\"error\":\"no_encontrada\"}\n");
	} else {
		o = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o,"
		    " s:o}",
		    "id", (json_int_t)strtoll(PQgetvalue(res, 0, 0), NULL, 10),
		    "titulo", select_col(res, 1),
		    "entidad", select_col(res, 2),
		    "municipio", select_col(res, 3),
		    "zona_horaria", select_col(res, 4),
		    "fase", select_col(res, 5),
		    "facilitador_id",
		    (json_int_t)strtoll(PQgetvalue(res, 0, 6), NULL, 10),
		    "fecha", select_col(res, 7),
		    "hora", select_col(res, 8),
		    "lugar", select_col(res, 9));
		j->status = 200;
		j->body = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	}
	PQclear(res);
}

static void *
select_worker(void *arg)
{
	PGconn *conn = PQconnectdb(q.conninfo);
	PGresult *res;
	bool ok;

	(void)arg;
	res = PQprepare(conn, "mesa", SELECT_SQL, 1, NULL);
	ok = PQstatus(conn) == CONNECTION_OK &&
	    PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "baseline_select: %s", PQerrorMessage(conn));
	PQclear(res);
	pthread_mutex_lock(&q.lock);
	if (ok)
		q.connected++;
	else
		q.failed++;
	pthread_cond_broadcast(&q.cond);
	pthread_mutex_unlock(&q.lock);
	if (!ok) {
		PQfinish(conn);
		return NULL;
	}
	for (;;) {
		struct job *j;

		pthread_mutex_lock(&q.lock);
		while (q.head == NULL && !q.stopping)
			pthread_cond_wait(&q.cond, &q.lock);
		if (q.head == NULL) {
			pthread_mutex_unlock(&q.lock);
			break;
		}
		j = q.head;
		if ((q.head = j->next) == NULL)
			q.tail = NULL;
		pthread_mutex_unlock(&q.lock);

		select_run(j, conn);

		j->next = NULL;
		pthread_mutex_lock(&q.lock);
		if (q.done_tail != NULL)
			q.done_tail->next = j;
		else
			q.done_head = j;
		q.done_tail = j;
		pthread_mutex_unlock(&q.lock);
		event_active(q.done_ev, EV_READ, 0);
	}
	PQfinish(conn);
	return NULL;
}

static void
select_free_cb(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	free(arg);
}

/* Loop thread: sends the reply of every finished job. */
static void
select_done_cb(evutil_socket_t fd, short what, void *arg)
{
	struct job *list;

	(void)fd;
	(void)what;
	(void)arg;
	pthread_mutex_lock(&q.lock);
	list = q.done_head;
	q.done_head = q.done_tail = NULL;
	pthread_mutex_unlock(&q.lock);
	while (list != NULL) {
		struct job *next = list->next;
		struct evbuffer *out =
		    evhttp_request_get_output_buffer(list->evreq);
		size_t len = strlen(list->body);

		evhttp_add_header(evhttp_request_get_output_headers(
		    list->evreq), "Content-Type",
		    "application/json; charset=utf-8");
		evbuffer_add_reference(out, list->body, len, select_free_cb,
		    list->body);
		evhttp_send_reply(list->evreq, list->status, NULL, NULL);
		free(list);
		list = next;
	}
}

/* Loop thread: GET /v1/mesas/DIGITS goes to a worker, anything else 404. */
static void
select_gencb(struct evhttp_request *evreq, void *arg)
{
	static const char prefix[] = "/v1/mesas/";
	const char *path = evhttp_request_get_uri(evreq);
	size_t n;
	struct job *j;

	(void)arg;
	if (strncmp(path, prefix, sizeof(prefix) - 1) != 0) {
		evhttp_send_error(evreq, 404, NULL);
		return;
	}
	path += sizeof(prefix) - 1;
	n = strspn(path, "0123456789");
	if (n == 0 || n > 18 || path[n] != '\0') {
		evhttp_send_error(evreq, 404, NULL);
		return;
	}
	j = calloc(1, sizeof(*j));
	j->evreq = evreq;
	memcpy(j->id, path, n + 1);
	pthread_mutex_lock(&q.lock);
	if (q.tail != NULL)
		q.tail->next = j;
	else
		q.head = j;
	q.tail = j;
	pthread_cond_signal(&q.cond);
	pthread_mutex_unlock(&q.lock);
}

static void
select_stop_cb(evutil_socket_t sig, short what, void *arg)
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
	pthread_t *threads;
	int nworkers = 4;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "uso: baseline_select CONNINFO "
		    "ARCHIVO_DE_PUERTO [HILOS]\n");
		return 2;
	}
	if (argc == 4)
		nworkers = atoi(argv[3]);
	if (nworkers < 1 || nworkers > 64) {
		fprintf(stderr, "baseline_select: HILOS entre 1 y 64\n");
		return 2;
	}
	q.conninfo = argv[1];
	signal(SIGPIPE, SIG_IGN);
	evthread_use_pthreads();
	base = event_base_new();
	q.done_ev = event_new(base, -1, EV_PERSIST, select_done_cb, NULL);
	threads = calloc((size_t)nworkers, sizeof(*threads));
	for (int i = 0; i < nworkers; i++)
		pthread_create(&threads[i], NULL, select_worker, NULL);
	pthread_mutex_lock(&q.lock);
	while (q.connected + q.failed < nworkers)
		pthread_cond_wait(&q.cond, &q.lock);
	pthread_mutex_unlock(&q.lock);
	if (q.failed > 0)
		return 1;

	http = evhttp_new(base);
	evhttp_set_gencb(http, select_gencb, NULL);
	bound = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	if (bound == NULL) {
		fprintf(stderr, "baseline_select: no se pudo escuchar\n");
		return 1;
	}
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&sin, &len) != 0 ||
	    bench_write_port(argv[2], ntohs(sin.sin_port)) != 0) {
		perror("baseline_select");
		return 1;
	}
	sigterm = evsignal_new(base, SIGTERM, select_stop_cb, base);
	sigint = evsignal_new(base, SIGINT, select_stop_cb, base);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	event_base_dispatch(base);

	pthread_mutex_lock(&q.lock);
	q.stopping = true;
	pthread_cond_broadcast(&q.cond);
	pthread_mutex_unlock(&q.lock);
	for (int i = 0; i < nworkers; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	event_free(sigterm);
	event_free(sigint);
	event_free(q.done_ev);
	evhttp_free(http);
	event_base_free(base);
	return 0;
}
