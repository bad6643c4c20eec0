/*
 * evhttp on the loop thread. Every request goes through http_gencb: it is
 * routed with the table in router.c, checked for size and credentials,
 * then either answered on the loop (routes without the database) or
 * handed to a DB worker whose job runs the handler inside one
 * transaction. Replies are sent by http_finish, on the loop thread,
 * exactly once, and logged there (one access line per request). Errors
 * that evhttp answers by itself (malformed request lines, bodies over the
 * hard cap) keep evhttp's own replies; everything else is JSON.
 */
#include "http.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "http_guard.h"
#include "log.h"
#include "mailer.h"
#include "metrics.h"
#include "outbox.h"
#include "router.h"
#include "token.h"
#include "validate.h"
#include "xmalloc.h"

#define JSON_TYPE "application/json; charset=utf-8"

static struct evhttp *http;
static struct evhttp_bound_socket *http_bound;
static int http_inflight;
static unsigned long long http_next_id;
/* Holding this turn's access lines (http_log_flush_cb). */
static struct event *http_log_flush_ev;
static bool http_log_held;

/* A header of reply_header, in a list kept in the order added. */
struct http_header {
	struct http_header	*next;
	char			*name;		/* owned */
	char			*value;		/* owned */
};

static const char *
http_method_name(enum evhttp_cmd_type cmd)
{
	switch (cmd) {
	case EVHTTP_REQ_GET:	return "GET";
	case EVHTTP_REQ_POST:	return "POST";
	case EVHTTP_REQ_HEAD:	return "HEAD";
	case EVHTTP_REQ_PUT:	return "PUT";
	case EVHTTP_REQ_DELETE:	return "DELETE";
	case EVHTTP_REQ_OPTIONS: return "OPTIONS";
	case EVHTTP_REQ_TRACE:	return "TRACE";
	case EVHTTP_REQ_CONNECT: return "CONNECT";
	case EVHTTP_REQ_PATCH:	return "PATCH";
	}
	return "OTHER";
}

static void
http_req_free(struct req *rq)
{
	for (int i = 0; i < rq->nparams; i++)
		free(rq->params[i]);
	free(rq->path);
	free(rq->query);
	free(rq->body);
	free(rq->body_type);
	free(rq->cookie);
	free(rq->token_hash);
	free(rq->out_type);
	free(rq->out_disposition);
	free(rq->allow);
	while (rq->headers != NULL) {
		struct http_header *hd = rq->headers;

		rq->headers = hd->next;
		free(hd->name);
		free(hd->value);
		free(hd);
	}
	buf_cleanup(&rq->out);
	free(rq);
}

static double
http_elapsed_s(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void
http_free_buf_cb(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	free(arg);
}

/*
 * rq's path for the access log: a secret route's pattern, a matched
 * route's path, and a path no route matched (HEAD from a mail scanner, a
 * typo in a personal link) with its runs of 32 or more hex digits
 * replaced, since it may still carry a token. Only that last case writes
 * into out, which the caller zeroed and frees.
 */
static const char *
http_log_path(const struct req *rq, struct buf *out)
{
	const char *p = rq->path;

	if (rq->route != NULL)
		return rq->route->secret_path ? rq->route->pattern : rq->path;
	buf_init(out);
	while (*p != '\0') {
		size_t n = strspn(p, "0123456789abcdefABCDEF");

		if (n >= 32)
			buf_puts(out, "{token}");
		else
			buf_append(out, p, n);
		p += n;
		if (*p != '\0')
			buf_putc(out, *p++);
	}
	return out->data;
}

/*
 * The access lines of one turn of the loop go out together: the first
 * reply of a turn starts holding (log.h) and activates this event, which
 * runs after the callbacks already due in the same turn.
 */
static void
http_log_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	log_flush();
	http_log_held = false;
}

/* Sends rq's reply, logs it and frees rq. Loop thread only. */
static void
http_finish(struct req *rq)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(rq->evreq);
	struct evbuffer *ob = evhttp_request_get_output_buffer(rq->evreq);
	const struct http_header *hd;
	char idbuf[24];
	struct buf lpath = { 0 };
	size_t len;
	char *data;
	double secs;
	long long cms;

	log_req_id = rq->id;
	if (rq->status == 0) {
		log_error("handler for %s %s produced no reply", rq->method,
		    rq->route ? rq->route->pattern : "?");
		reply_errorf(rq, 500, "error_interno",
		    "Error interno del servidor.");
	}
	snprintf(idbuf, sizeof(idbuf), "%llu", rq->id);
	evhttp_add_header(h, "Content-Type",
	    rq->out_type ? rq->out_type : JSON_TYPE);
	evhttp_add_header(h, "X-Request-Id", idbuf);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	if (rq->allow != NULL)
		evhttp_add_header(h, "Allow", rq->allow);
	if (rq->out_disposition != NULL)
		evhttp_add_header(h, "Content-Disposition",
		    rq->out_disposition);
	for (hd = rq->headers; hd != NULL; hd = hd->next)
		evhttp_add_header(h, hd->name, hd->value);
	len = rq->out.len;
	data = buf_steal(&rq->out);
	evbuffer_add_reference(ob, data, len, http_free_buf_cb, data);
	http_guard_replied(rq->evreq);
	evhttp_send_reply(rq->evreq, rq->status, NULL, NULL);

	secs = http_elapsed_s(&rq->start);
	metrics_observe(rq->route, rq->method, rq->status, secs);
	/*
	 * The time is formatted from whole hundredths of a millisecond: the
	 * same text as %.2f, for less than a /healthz reply spends on %f.
	 */
	cms = (long long)(secs * 1e5 + 0.5);
	if (!http_log_held) {
		log_hold();
		event_active(http_log_flush_ev, EV_TIMEOUT, 0);
		http_log_held = true;
	}
	log_info("%s %s %d %zu %lld.%02lldms peer=%s user=%lld", rq->method,
	    http_log_path(rq, &lpath), rq->status, len, cms / 100, cms % 100,
	    rq->peer, rq->user.id);
	buf_cleanup(&lpath);
	log_req_id = 0;
	http_inflight--;
	http_req_free(rq);
}

/* Runs on a DB worker: authentication, handler and transaction. */
static void
http_run_job(struct dbjob *job, PGconn *conn)
{
	struct req *rq = (struct req *)job;
	struct error err;
	bool tx;

	log_req_id = rq->id;
	if (conn == NULL) {
		reply_errorf(rq, 503, "base_no_disponible",
		    "La base de datos no está disponible; intente de nuevo "
		    "en unos momentos.");
		goto out;
	}
	rq->db = conn;
	/* Every change is one transaction; reads need none. */
	tx = strcmp(rq->method, "GET") != 0;
	if (tx && !db_command(conn, &err, "BEGIN", 0, NULL)) {
		reply_error(rq, &err);
		goto out;
	}
	if (rq->route->roles == 0 || auth_check(rq))
		rq->route->fn(rq);
	if (rq->status == 0)
		reply_errorf(rq, 500, "error_interno",
		    "Error interno del servidor.");
	if (tx) {
		if (rq->status < 400) {
			if (!db_command(conn, &err, "COMMIT", 0, NULL))
				reply_error(rq, &err);
			else if (outbox_take_wake())
				mailer_wake();
		} else {
			db_command(conn, NULL, "ROLLBACK", 0, NULL);
			(void)outbox_take_wake();
		}
	}
out:
	rq->db = NULL;
	log_req_id = 0;
}

static void
http_job_done(struct dbjob *job)
{
	http_finish((struct req *)job);
}

/* Fills rq->token_hash from "Authorization: Bearer <token>". */
static void
http_read_token(struct req *rq, struct evkeyvalq *in)
{
	const char *auth = evhttp_find_header(in, "Authorization");
	char hash[TOKEN_HASH_LEN + 1];

	if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
		return;
	auth += 7;
	while (*auth == ' ')
		auth++;
	if (!token_well_formed(auth))
		return;
	token_hash(auth, hash);
	rq->token_hash = xstrdup(hash);
}

/* Every decoded query name and value is UTF-8, and none holds a NUL. */
static bool
http_query_ok(const char *query)
{
	struct evkeyvalq q;
	struct evkeyval *kv;
	bool ok;

	if (strstr(query, "%00") != NULL)
		return false;
	TAILQ_INIT(&q);
	ok = evhttp_parse_query_str(query, &q) == 0;
	TAILQ_FOREACH(kv, &q, next)
		if (!validate_utf8(kv->key, strlen(kv->key)) ||
		    !validate_utf8(kv->value, strlen(kv->value)))
			ok = false;
	evhttp_clear_headers(&q);
	return ok;
}

/* Every Cookie header of h joined by "; " (owned), or NULL if none. */
static char *
http_cookies(struct evkeyvalq *h)
{
	struct evkeyval *kv;
	struct buf b = { 0 };

	TAILQ_FOREACH(kv, h, next) {
		if (strcasecmp(kv->key, "Cookie") != 0)
			continue;
		if (b.data == NULL)
			buf_init(&b);
		else
			buf_puts(&b, "; ");
		buf_puts(&b, kv->value);
	}
	return b.data;
}

/* How many times header name appears in h. */
static int
http_header_count(struct evkeyvalq *h, const char *name)
{
	struct evkeyval *kv;
	int n = 0;

	TAILQ_FOREACH(kv, h, next)
		if (strcasecmp(kv->key, name) == 0)
			n++;
	return n;
}

static void
http_gencb(struct evhttp_request *evreq, void *arg)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(evreq);
	struct evkeyvalq *in = evhttp_request_get_input_headers(evreq);
	struct evbuffer *body = evhttp_request_get_input_buffer(evreq);
	struct evhttp_connection *conn;
	struct req *rq;
	struct buf allow;
	const char *path, *query, *ctype;
	char *peer_addr = NULL;
	ev_uint16_t peer_port = 0;
	size_t limit, len;

	(void)arg;
	http_guard_read(evreq);
	rq = xcalloc(1, sizeof(*rq));
	rq->evreq = evreq;
	rq->id = ++http_next_id;
	clock_gettime(CLOCK_MONOTONIC, &rq->start);
	buf_init(&rq->out);
	http_inflight++;
	log_req_id = rq->id;

	conn = evhttp_request_get_connection(evreq);
	if (conn != NULL)
		evhttp_connection_get_peer(conn, &peer_addr, &peer_port);
	snprintf(rq->peer, sizeof(rq->peer), "%s",
	    peer_addr ? peer_addr : "-");
	rq->method = http_method_name(evhttp_request_get_command(evreq));
	path = uri ? evhttp_uri_get_path(uri) : NULL;
	query = uri ? evhttp_uri_get_query(uri) : NULL;
	rq->path = xstrdup(path && *path ? path : "/");
	rq->query = query ? xstrdup(query) : NULL;

	buf_init(&allow);
	switch (router_match(router_routes, router_nroutes, rq->method,
	    rq->path, &rq->route, rq->params, &rq->nparams, &allow)) {
	case ROUTER_FOUND:
		log_debug("matched %s %s", rq->route->method,
		    rq->route->pattern);
		break;
	case ROUTER_METHOD_NOT_ALLOWED:
		rq->allow = buf_steal(&allow);
		reply_errorf(rq, 405, "metodo_no_permitido",
		    "El método %s no está permitido en esta ruta; use %s.",
		    rq->method, rq->allow);
		goto reply;
	case ROUTER_NOT_FOUND:
		reply_errorf(rq, 404, "ruta_no_encontrada",
		    "No existe la ruta solicitada.");
		goto reply;
	}

	/*
	 * Two lengths: a proxy in front may have read another body than
	 * evhttp did (request smuggling). Refuse and drop the connection.
	 */
	if (http_header_count(in, "Content-Length") > 1) {
		evhttp_add_header(evhttp_request_get_output_headers(evreq),
		    "Connection", "close");
		reply_errorf(rq, 400, "solicitud_invalida", "La petición "
		    "trae más de un encabezado Content-Length.");
		goto reply;
	}
	if (rq->query != NULL && !http_query_ok(rq->query)) {
		reply_errorf(rq, 400, "consulta_invalida", "Los parámetros "
		    "de la consulta deben ser texto UTF-8 válido, sin "
		    "caracteres nulos.");
		goto reply;
	}
	len = evbuffer_get_length(body);
	limit = rq->route->upload ? (size_t)config_live->material_max_bytes
	    : (size_t)config_live->http_max_json_bytes;
	if (len > limit) {
		reply_errorf(rq, 413, "cuerpo_demasiado_grande",
		    "El cuerpo de la petición excede el máximo de %zu bytes.",
		    limit);
		goto reply;
	}
	rq->body = xmalloc(len + 1);
	rq->body_len = len;
	evbuffer_remove(body, rq->body, len);
	rq->body[len] = '\0';
	ctype = evhttp_find_header(in, "Content-Type");
	rq->body_type = ctype ? xstrdup(ctype) : NULL;
	/* Copied here so that handlers never read evhttp's headers. */
	rq->cookie = http_cookies(in);

	if (rq->route->roles != 0) {
		http_read_token(rq, in);
		if (rq->token_hash == NULL) {
			reply_errorf(rq, 401, "no_autenticado",
			    "Falta un token válido (encabezado Authorization: "
			    "Bearer).");
			goto reply;
		}
	}
	if (rq->route->db) {
		rq->job.run = http_run_job;
		rq->job.done = http_job_done;
		if (dbpool_submit(&rq->job)) {
			buf_cleanup(&allow);
			log_req_id = 0;
			return;
		}
		reply_errorf(rq, 503, "sobrecarga",
		    "El servidor está saturado; intente de nuevo en unos "
		    "momentos.");
		goto reply;
	}
	rq->route->fn(rq);
reply:
	buf_cleanup(&allow);
	http_finish(rq);
}

bool
http_start(struct event_base *base, int *port, struct error *err)
{
	const struct config *c = config_live;
	struct timeval tv = { c->http_timeout_s, 0 };
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	struct evconnlistener *lev;
	char *addr;
	int alen = (int)sizeof(ss);

	http = evhttp_new(base);
	evhttp_set_max_body_size(http, c->http_max_body_bytes);
	evhttp_set_max_headers_size(http, c->http_max_headers_bytes);
	evhttp_set_timeout_tv(http, &tv);
	evhttp_set_default_content_type(http, JSON_TYPE);
	/* Accept every method so that we, not evhttp, answer 405. */
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	evhttp_set_gencb(http, http_gencb, NULL);
	http_log_flush_ev = event_new(base, -1, 0, http_log_flush_cb, NULL);
	if (http_log_flush_ev == NULL) {
		error_set(err, 500, "error_interno",
		    "no se pudo crear el evento de la bitácora");
		return false;
	}
	if (!http_guard_start(http, base, c->http_request_timeout_s,
	    c->http_request_min_rate)) {
		error_set(err, 500, "error_interno",
		    "no se pudo iniciar el plazo de las peticiones");
		return false;
	}

	/* The address alone: libevent refuses an explicit port 0. */
	addr = xstrdup(c->listen_address);
	memset(&ss, 0, sizeof(ss));
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &alen)
	    != 0) {
		error_set(err, 400, "config_invalida",
		    "listen_address: no se puede interpretar «%s»", addr);
		free(addr);
		return false;
	}
	if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port =
		    htons((uint16_t)c->listen_port);
	else
		((struct sockaddr_in *)&ss)->sin_port =
		    htons((uint16_t)c->listen_port);
	/* Our own listener: a backlog for a thousand clients at once. */
	lev = evconnlistener_new_bind(base, NULL, NULL,
	    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
	    1024, (struct sockaddr *)&ss, alen);
	if (lev == NULL) {
		error_set(err, 500, "error_interno", "no se pudo escuchar en %s: "
		    "%s", addr, evutil_socket_error_to_string(
		    EVUTIL_SOCKET_ERROR()));
		free(addr);
		return false;
	}
	free(addr);
	http_bound = evhttp_bind_listener(http, lev);
	if (getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&ss,
	    &sslen) != 0) {
		error_set(err, 500, "error_interno",
		    "no se pudo leer el puerto asignado");
		return false;
	}
	if (ss.ss_family == AF_INET6)
		*port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	else
		*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return true;
}

void
http_stop_accepting(void)
{
	if (http != NULL && http_bound != NULL) {
		evhttp_del_accept_socket(http, http_bound);
		http_bound = NULL;
	}
}

int
http_in_flight(void)
{
	return http_inflight;
}

void
http_free(void)
{
	if (http != NULL)
		evhttp_free(http);
	http = NULL;
	http_guard_stop();
	log_flush();
	http_log_held = false;
	if (http_log_flush_ev != NULL)
		event_free(http_log_flush_ev);
	http_log_flush_ev = NULL;
}

/* Replies. */

static int
http_json_chunk_cb(const char *chunk, size_t size, void *arg)
{
	buf_append(arg, chunk, size);
	return 0;
}

static void
http_set_json(struct req *rq, int status, json_t *body)
{
	rq->status = status;
	free(rq->out_type);
	rq->out_type = NULL;
	buf_reset(&rq->out);
	/* Straight into the reply: no intermediate string to copy. */
	if (body == NULL || json_dump_callback(body, http_json_chunk_cb,
	    &rq->out, JSON_COMPACT) != 0)
		buf_reset(&rq->out);	/* as json_dumps: no body at all */
	buf_putc(&rq->out, '\n');
	json_decref(body);
}

void
reply_json(struct req *rq, int status, json_t *body)
{
	http_set_json(rq, status, body);
}

void
reply_error_detalles(struct req *rq, const struct error *err,
    json_t *detalles)
{
	json_t *e = json_pack("{s:s, s:s}", "code",
	    err->code[0] ? err->code : "error_interno", "message",
	    err->message[0] ? err->message : "Error interno del servidor.");

	if (e == NULL) {
		/* Only a code or message that is not UTF-8 gets here. */
		log_error("error reply %s could not be encoded", err->code);
		e = json_pack("{s:s, s:s}", "code", "error_interno", "message",
		    "Error interno del servidor.");
	}
	if (detalles != NULL)
		json_object_set_new(e, "detalles", detalles);
	http_set_json(rq, err->status ? err->status : 500,
	    json_pack("{s:o}", "error", e));
}

void
reply_error(struct req *rq, const struct error *err)
{
	reply_error_detalles(rq, err, NULL);
}

void
reply_errorf(struct req *rq, int status, const char *code, const char *fmt,
    ...)
{
	struct error err;
	va_list ap;

	err.status = status;
	snprintf(err.code, sizeof(err.code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(err.message, sizeof(err.message), fmt, ap);
	va_end(ap);
	error_sanitize_utf8(err.message);
	reply_error(rq, &err);
}

void
reply_bytes(struct req *rq, int status, const char *content_type,
    const void *data, size_t len)
{
	rq->status = status;
	free(rq->out_type);
	rq->out_type = content_type != NULL ? xstrdup(content_type) : NULL;
	buf_reset(&rq->out);
	buf_append(&rq->out, data, len);
}

void
reply_header(struct req *rq, const char *name, const char *value)
{
	struct http_header *hd = xmalloc(sizeof(*hd)), **tail;

	hd->next = NULL;
	hd->name = xstrdup(name);
	hd->value = xstrdup(value);
	for (tail = &rq->headers; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = hd;
}

/* Request accessors. */

json_t *
req_json(struct req *rq)
{
	json_error_t jerr;
	json_t *j;

	j = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		struct error err;

		/* jansson's text is English: for programs, in detalles. */
		error_set(&err, 400, "json_invalido", "El cuerpo no es JSON "
		    "válido (línea %d, columna %d).", jerr.line, jerr.column);
		reply_error_detalles(rq, &err, json_pack("{s:s}", "parser",
		    jerr.text));
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		reply_errorf(rq, 400, "json_invalido",
		    "El cuerpo debe ser un objeto JSON.");
		return NULL;
	}
	return j;
}

bool
req_param_id(struct req *rq, int i, long long *out)
{
	const char *s = i < rq->nparams ? rq->params[i] : NULL;
	char *end;
	long long v;

	if (s != NULL && *s >= '1' && *s <= '9' && strlen(s) <= 18) {
		v = strtoll(s, &end, 10);
		if (*end == '\0') {
			*out = v;
			return true;
		}
	}
	reply_errorf(rq, 404, "no_encontrado",
	    "No existe un registro con ese identificador.");
	return false;
}

/* Parameter name of an "a=1&b=2" string, decoded and owned, or NULL. */
static char *
http_param(const char *s, const char *name)
{
	struct evkeyvalq q;
	const char *v;
	char *out = NULL;

	if (s == NULL)
		return NULL;
	TAILQ_INIT(&q);
	if (evhttp_parse_query_str(s, &q) == 0) {
		v = evhttp_find_header(&q, name);
		if (v != NULL)
			out = xstrdup(v);
	}
	evhttp_clear_headers(&q);
	return out;
}

char *
req_query(const struct req *rq, const char *name)
{
	return http_param(rq->query, name);
}

char *
req_form(const struct req *rq, const char *name)
{
	return http_param(rq->body, name);
}
