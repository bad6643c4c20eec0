/*
 * Target "router": "METHOD /path?query" against the table pald serves.
 * router_match must give each path one of three answers and keep its
 * promises: a found route has this method and a pattern whose literal
 * segments equal the path's, with one owned, NUL-terminated parameter
 * per "{…}" that is the percent-decoded segment (no '/', no NUL, never
 * longer than the segment); a 405 lists methods that exclude this one;
 * "." and ".." segments and empty ones never match. The query string
 * goes through req_query as the handlers read it.
 *
 * It deliberately does not call any handler: router.c names them all,
 * which is why this target links the whole server library.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "router.h"

#define ROUTER_PATH_SEGMENTS	16

static const char *const router_query_names[] = {
	"estado", "entidad", "vencidas", "proximas", "version", "limite",
	"desde",
};

static int
router_hexval(char c)
{
	const char *digits = "0123456789abcdef";
	const char *p;

	if (c >= 'A' && c <= 'F')
		c = (char)(c - 'A' + 'a');
	p = c != '\0' ? strchr(digits, c) : NULL;
	return p != NULL ? (int)(p - digits) : -1;
}

/*
 * The segment s[0..len) decoded, as the router documents it, into out
 * (len + 1 bytes); false if it holds a bad escape, %00 or %2F.
 */
static bool
router_decode_oracle(const char *s, size_t len, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int v;

		if (s[i] != '%') {
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= len)
			return false;
		if (router_hexval(s[i + 1]) < 0 || router_hexval(s[i + 2]) < 0)
			return false;
		v = router_hexval(s[i + 1]) * 16 + router_hexval(s[i + 2]);
		if (v == 0 || v == '/')
			return false;
		out[o++] = (char)v;
		i += 2;
	}
	out[o] = '\0';
	return true;
}

/* Segment i of path (no leading '/'); its length in *len, NULL if none. */
static const char *
router_segment(const char *path, int i, size_t *len)
{
	const char *p = path;

	for (; i >= 0; i--) {
		if (*p != '/')
			return NULL;
		p++;
		if (i > 0)
			p += strcspn(p, "/");
	}
	*len = strcspn(p, "/");
	return p;
}

static int
router_count_segments(const char *path)
{
	int n = 0;

	for (const char *p = path; *p != '\0'; p++)
		n += *p == '/';
	return n;
}

/* Whether the path has an empty, "." or ".." segment. */
static bool
router_path_unclean(const char *path)
{
	size_t len = strlen(path);

	if (path[0] != '/' || strcmp(path, "/") == 0)
		return path[0] != '/';
	if (path[len - 1] == '/' || strstr(path, "//") != NULL)
		return true;
	for (const char *p = path; (p = strchr(p, '/')) != NULL; p++)
		if (strncmp(p, "/./", 3) == 0 || strcmp(p, "/.") == 0 ||
		    strncmp(p, "/../", 4) == 0 || strcmp(p, "/..") == 0)
			return true;
	return false;
}

static void
router_check_found(const char *method, const char *path,
    const struct route *r, char **params, int nparams)
{
	int nseg, k = 0;

	FUZZ_ASSERT(r >= router_routes && r < router_routes + router_nroutes,
	    "found route is not in the table");
	FUZZ_ASSERT(strcmp(r->method, method) == 0, "%s matched a %s route",
	    method, r->method);
	FUZZ_ASSERT(!router_path_unclean(path), "unclean path %s matched %s",
	    path, r->pattern);
	nseg = router_count_segments(r->pattern);
	FUZZ_ASSERT(nseg == router_count_segments(path),
	    "%s matched %s with another segment count", path, r->pattern);
	for (int i = 0; i < nseg; i++) {
		size_t plen, slen;
		const char *pseg = router_segment(r->pattern, i, &plen);
		const char *seg = router_segment(path, i, &slen);
		char *want;

		FUZZ_ASSERT(seg != NULL && slen > 0, "segment %d missing", i);
		if (pseg[0] != '{') {
			FUZZ_ASSERT(plen == slen &&
			    memcmp(pseg, seg, slen) == 0,
			    "%s matched %s on a different literal", path,
			    r->pattern);
			continue;
		}
		FUZZ_ASSERT(k < nparams && params[k] != NULL,
		    "parameter %d missing for %s", k, r->pattern);
		FUZZ_ASSERT(strlen(params[k]) >= 1 && strlen(params[k]) <= slen,
		    "parameter %d is %zu bytes from a %zu-byte segment", k,
		    strlen(params[k]), slen);
		FUZZ_ASSERT(strchr(params[k], '/') == NULL,
		    "parameter %d holds a '/'", k);
		want = malloc(slen + 1);
		if (want == NULL)
			abort();
		FUZZ_ASSERT(router_decode_oracle(seg, slen, want),
		    "segment %d of %s should not have matched", i, path);
		FUZZ_ASSERT(strcmp(want, params[k]) == 0,
		    "parameter %d decoded as \"%s\", not \"%s\"", k, params[k],
		    want);
		free(want);
		k++;
	}
	FUZZ_ASSERT(k == nparams, "%d parameters for %d placeholders",
	    nparams, k);
}

static void
router_check_allow(const char *method, const char *allow)
{
	char *copy, *tok, *save = NULL;

	FUZZ_ASSERT(allow[0] != '\0', "405 with an empty Allow");
	copy = strdup(allow);
	if (copy == NULL)
		abort();
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		bool known = false;

		FUZZ_ASSERT(strcmp(tok, method) != 0,
		    "Allow \"%s\" lists the refused %s", allow, method);
		for (size_t i = 0; i < router_nroutes; i++)
			known |= strcmp(router_routes[i].method, tok) == 0;
		FUZZ_ASSERT(known, "Allow lists an unknown method %s", tok);
	}
	free(copy);
}

static void
router_check_query(char *query)
{
	struct req rq;

	memset(&rq, 0, sizeof(rq));
	rq.query = query;
	for (size_t i = 0; i < sizeof(router_query_names) /
	    sizeof(router_query_names[0]); i++) {
		char *v = req_query(&rq, router_query_names[i]);

		FUZZ_ASSERT(v == NULL || strlen(v) <= strlen(query),
		    "query value longer than the query");
		free(v);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[1], *method, *path, *query, *sp;
	char *params[REQ_MAX_PARAMS];
	const struct route *r = (const struct route *)1;
	struct buf allow;
	int nparams = -1;
	enum router_result res;

	fuzz_fields(data, size, f, 1);
	sp = strchr(f[0], ' ');
	if (sp != NULL) {
		*sp = '\0';
		method = f[0];
		path = sp + 1;
	} else {
		method = "GET";
		path = f[0];
	}
	/* evhttp hands the path and the query over separately. */
	query = strchr(path, '?');
	if (query != NULL)
		*query++ = '\0';

	buf_init(&allow);
	res = router_match(router_routes, router_nroutes, method, path, &r,
	    params, &nparams, &allow);
	switch (res) {
	case ROUTER_FOUND:
		FUZZ_ASSERT(r != NULL, "found without a route");
		router_check_found(method, path, r, params, nparams);
		for (int i = 0; i < nparams; i++)
			free(params[i]);
		break;
	case ROUTER_METHOD_NOT_ALLOWED:
		FUZZ_ASSERT(r == NULL && nparams == 0,
		    "405 left a route or parameters");
		FUZZ_ASSERT(!router_path_unclean(path), "unclean path %s "
		    "is known", path);
		router_check_allow(method, allow.data);
		break;
	case ROUTER_NOT_FOUND:
		FUZZ_ASSERT(r == NULL && nparams == 0,
		    "404 left a route or parameters");
		FUZZ_ASSERT(allow.len == 0, "404 with an Allow list");
		break;
	default:
		FUZZ_ASSERT(false, "router_match returned %d", (int)res);
	}
	buf_cleanup(&allow);
	if (query != NULL)
		router_check_query(query);
	fuzz_fields_free(f, 1);
	return 0;
}
