/*
 * pal's side of the HTTP/JSON API: one request at a time through libcurl,
 * with the token, the JSON headers, the timeouts and the User-Agent every
 * request needs. The caller decides what a status means; api_exit_code
 * turns it into pal's exit code.
 */
#ifndef PAL_API_H
#define PAL_API_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "settings.h"

/* pal's exit codes, the contract scripts rely on. */
#define PAL_EXIT_OK		0	/* done */
#define PAL_EXIT_USAGE		1	/* bad command line or local failure */
#define PAL_EXIT_REFUSED	2	/* the server answered 4xx */
#define PAL_EXIT_UNAVAILABLE	3	/* unreachable, or it answered 5xx */

#define API_CONNECT_TIMEOUT_S	5
#define API_TIMEOUT_S		120

struct api_response {
	long		 status;	/* HTTP status; 0 if none came */
	json_t		*json;		/* owned; NULL if the body isn't JSON */
	struct buf	 body;		/* owned; the raw body as received */
	char		*content_type;	/* owned; NULL if the reply had none */
	char		*disposition;	/* owned; Content-Disposition or NULL */
	char		 error[512];	/* Spanish; set if the request failed */
};

/* Call api_response_init before a request, api_response_cleanup after. */
void	api_response_init(struct api_response *r);
void	api_response_cleanup(struct api_response *r);

/*
 * Sends method to s->url followed by path (which starts with '/' and
 * carries its query string already escaped, see api_query_add), with body
 * (borrowed, may be NULL) as the JSON request body. Sends the token of s
 * when it has one. True when an HTTP reply came back, whatever its status;
 * false when none did (connection refused, timeout, TLS), with
 * "no se pudo conectar con <url>: <curl error>" in r->error. r must be
 * initialised and is reset first.
 */
bool	api_request(const struct settings *s, const char *method,
	    const char *path, json_t *body, struct api_response *r);

/*
 * The same with raw bytes: data[0..len) (borrowed, may be NULL when len
 * is 0) sent as content_type, and accept as the Accept header (e.g.
 * "application/pdf"). The reply body is kept as bytes in r->body and
 * parsed into r->json only if it is JSON, so uploads and PDF downloads go
 * through here.
 */
bool	api_request_raw(const struct settings *s, const char *method,
	    const char *path, const char *content_type, const void *data,
	    size_t len, const char *accept, struct api_response *r);

/*
 * Appends "?name=value" (or "&name=value" if path already has a query)
 * to path, both URL-escaped; nothing when value is NULL.
 */
void	api_query_add(struct buf *path, const char *name, const char *value);

/* 2xx and 3xx: PAL_EXIT_OK; 4xx: PAL_EXIT_REFUSED; otherwise UNAVAILABLE. */
int	api_exit_code(long status);

#endif
