/*
 * The route table and the matcher. A pattern is a path whose segments are
 * literals or "{name}" (one non-empty segment). Matching is pure: no
 * libevent, no I/O, so it is unit-tested directly.
 */
#ifndef PALD_ROUTER_H
#define PALD_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

/* Roles a route admits; 0 means no authentication at all. */
#define ROLE_ADMIN		0x1u
#define ROLE_FACILITADOR	0x2u
#define ROLE_GARANTE		0x4u
#define ROLE_ANY		(ROLE_ADMIN | ROLE_FACILITADOR | ROLE_GARANTE)

struct route {
	const char	*method;	/* "GET", "POST", ... */
	const char	*pattern;	/* "/v1/mesas/{id}" */
	route_fn	 fn;
	unsigned	 roles;		/* ROLE_* bits, 0 = public */
	bool		 db;		/* runs on a DB worker */
	bool		 secret_path;	/* the path holds a token: never log it */
	bool		 upload;	/* body up to material_max_bytes, not
					   http_max_json_bytes */
};

enum router_result {
	ROUTER_FOUND,
	ROUTER_NOT_FOUND,
	ROUTER_METHOD_NOT_ALLOWED,
};

/*
 * Finds the route for method and path (no query string) in table[0..n).
 * On ROUTER_FOUND, *out is the route and params[0..*nparams) are owned
 * percent-decoded copies of the "{…}" segments. On
 * ROUTER_METHOD_NOT_ALLOWED, allow (if non-NULL) gets the methods that
 * would match, e.g. "GET, POST". A path with an empty segment, a "." or
 * ".." segment, or a decoded NUL or "/" in a parameter does not match.
 */
enum router_result router_match(const struct route *table, size_t n,
	    const char *method, const char *path, const struct route **out,
	    char *params[REQ_MAX_PARAMS], int *nparams, struct buf *allow);

/* The table pald serves, and its size. */
extern const struct route router_routes[];
extern const size_t router_nroutes;

#endif
