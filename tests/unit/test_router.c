/*
 * Route matching: literals, parameters, percent-decoding, 404 versus 405
 * with the Allow list, and paths that must never match.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "router.h"

static void h1(struct req *rq) { (void)rq; }
static void h2(struct req *rq) { (void)rq; }
static void h3(struct req *rq) { (void)rq; }

static const struct route table[] = {
	{ "GET", "/v1/mesas", h1, ROLE_ANY, true, false, false },
	{ "POST", "/v1/mesas", h2, ROLE_ANY, true, false, false },
	{ "GET", "/v1/mesas/{id}", h3, ROLE_ANY, true, false, false },
	{ "GET", "/v1/mesas/{id}/actores/{actor}", h1, ROLE_ANY, true, false,
	    false },
	{ "GET", "/healthz", h2, 0, false, false, false },
};
#define N (sizeof(table) / sizeof(table[0]))

static enum router_result
match(const char *method, const char *path, const struct route **r,
    char *params[REQ_MAX_PARAMS], int *n, struct buf *allow)
{
	return router_match(table, N, method, path, r, params, n, allow);
}

static void
free_params(char *params[REQ_MAX_PARAMS], int n)
{
	for (int i = 0; i < n; i++)
		free(params[i]);
}

Test(router, literal_and_method)
{
	const struct route *r;
	char *p[REQ_MAX_PARAMS];
	int n;

	cr_assert_eq(match("GET", "/v1/mesas", &r, p, &n, NULL),
	    ROUTER_FOUND);
	cr_assert_eq(r->fn, h1);
	cr_assert_eq(n, 0);
	cr_assert_eq(match("POST", "/v1/mesas", &r, p, &n, NULL),
	    ROUTER_FOUND);
	cr_assert_eq(r->fn, h2);
}

Test(router, parameters_are_decoded)
{
	const struct route *r;
	char *p[REQ_MAX_PARAMS];
	int n;

	cr_assert_eq(match("GET", "/v1/mesas/42/actores/Jos%C3%A9", &r, p, &n,
	    NULL), ROUTER_FOUND);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(p[0], "42");
	cr_assert_str_eq(p[1], "José");
	free_params(p, n);
}

Test(router, method_not_allowed_lists_allow)
{
	const struct route *r;
	char *p[REQ_MAX_PARAMS];
	int n;
	struct buf allow;

	buf_init(&allow);
	cr_assert_eq(match("DELETE", "/v1/mesas", &r, p, &n, &allow),
	    ROUTER_METHOD_NOT_ALLOWED);
	cr_assert_str_eq(allow.data, "GET, POST");
	cr_assert_eq(n, 0);
	buf_cleanup(&allow);
}

Test(router, not_found)
{
	static const char *const paths[] = {
		"/v1/mesa", "/v1/mesas/", "/v1//mesas", "/v1/mesas/1/x",
		"/v1/mesas/..", "/v1/mesas/.", "/v1/mesas/%2F", "/v1/mesas/%00",
		"/v1/mesas/%zz", "/v1/mesas/%4", "", "v1/mesas", "/",
		"/v1/mesas/1/actores/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17",
	};
	const struct route *r;
	char *p[REQ_MAX_PARAMS];
	int n;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		cr_assert_eq(match("GET", paths[i], &r, p, &n, NULL),
		    ROUTER_NOT_FOUND, "matched %s", paths[i]);
		cr_assert_eq(n, 0);
		cr_assert_null(r);
	}
}

Test(router, served_table_is_consistent)
{
	/* No two routes of the table may share method and pattern. */
	for (size_t i = 0; i < router_nroutes; i++)
		for (size_t j = i + 1; j < router_nroutes; j++)
			cr_assert(strcmp(router_routes[i].method,
			    router_routes[j].method) != 0 ||
			    strcmp(router_routes[i].pattern,
			    router_routes[j].pattern) != 0,
			    "duplicate route %s %s", router_routes[i].method,
			    router_routes[i].pattern);
}
