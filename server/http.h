/*
 * The HTTP layer: one evhttp on the loop thread, one struct req per
 * request in flight, and the reply helpers every handler uses. A handler
 * never touches evhttp: it fills the reply part of struct req and the
 * loop thread sends it, exactly once.
 */
#ifndef PALD_HTTP_H
#define PALD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "buf.h"
#include "dbpool.h"
#include "error.h"

struct event_base;
struct evhttp_request;
struct http_header;
struct route;

#define REQ_MAX_PARAMS	4

/* The authenticated caller, filled before a handler that needs it runs. */
struct usuario {
	long long	 id;
	char		 rol[16];	/* admin, facilitador, garante */
	char		 nombre[201];
	char		 entidad[128];	/* "" when not bound */
};

struct req {
	struct dbjob		 job;		/* first: the pool's view */
	unsigned long long	 id;		/* request id, X-Request-Id */
	struct evhttp_request	*evreq;		/* loop thread only */
	const struct route	*route;
	const char		*method;	/* "GET", ... */
	char			*path;		/* owned, without the query */
	char			*query;		/* owned raw query or NULL */
	char			*params[REQ_MAX_PARAMS]; /* owned, decoded */
	int			 nparams;
	char			*body;		/* owned, NUL-terminated */
	size_t			 body_len;
	char			*body_type;	/* owned Content-Type or NULL */
	char			*token_hash;	/* owned, NULL if no bearer */
	char			*cookie;	/* owned Cookie header or NULL */
	char			 peer[64];
	struct timespec		 start;
	/* Set on a DB worker while the handler runs. */
	PGconn			*db;		/* borrowed from the pool */
	struct usuario		 user;
	/* The reply. */
	int			 status;
	struct buf		 out;
	char			*out_type;	/* owned, NULL for JSON */
	char			*out_disposition; /* owned or NULL */
	char			*allow;		/* owned, for 405 */
	struct http_header	*headers;	/* owned, reply_header */
};

/* Handlers run on a DB worker (route->db) or on the loop thread. */
typedef void (*route_fn)(struct req *rq);

/* Binds and serves on base; fills *port with the port bound. */
bool	http_start(struct event_base *base, int *port, struct error *err);
/* Stops accepting; in-flight requests still get their replies. */
void	http_stop_accepting(void);
/* Requests accepted and not yet replied to. */
int	http_in_flight(void);
/* Frees the evhttp; after the loop is done. */
void	http_free(void);

/* Reply helpers: they only fill rq; the last one called wins. */
void	reply_json(struct req *rq, int status, json_t *body /* stolen */);
void	reply_error(struct req *rq, const struct error *err);
void	reply_errorf(struct req *rq, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The same with a "detalles" member (stolen, may be NULL). */
void	reply_error_detalles(struct req *rq, const struct error *err,
	    json_t *detalles);
/* data (borrowed, copied) as the body; content_type NULL means JSON. */
void	reply_bytes(struct req *rq, int status, const char *content_type,
	    const void *data, size_t len);
/*
 * Adds a header (name and value borrowed, copied) to the reply, such as
 * Location or Set-Cookie; unlike the helpers above these accumulate, in
 * the order added, and the loop thread writes them in http_finish.
 */
void	reply_header(struct req *rq, const char *name, const char *value);

/*
 * The JSON body as an object (new reference, json_decref), or NULL after
 * replying 400 "json_invalido" (malformed, not UTF-8, not an object).
 */
json_t	*req_json(struct req *rq);
/* Path parameter i as a positive id; false after replying 404. */
bool	req_param_id(struct req *rq, int i, long long *out);
/* A query parameter, decoded and owned (free()), or NULL if absent. */
char	*req_query(const struct req *rq, const char *name);
/* The same from a form body (application/x-www-form-urlencoded). */
char	*req_form(const struct req *rq, const char *name);

#endif
