/*
 * The route table pald serves and the matcher behind it. Routing is a walk
 * over the table comparing segment by segment: with a few dozen routes
 * this is cheaper than any index. Authorization rules live in the table
 * (roles); what a role may do with a given mesa is the handler's business.
 */
#include "router.h"

#include <stdlib.h>
#include <string.h>

#include "api_correo.h"
#include "api_health.h"
#include "api_usuarios.h"
#include "xmalloc.h"

const struct route router_routes[] = {
	{ "GET", "/healthz", api_health_get, 0, false, false, 0 },
	{ "GET", "/metrics", api_health_metrics, 0, false, false, 0 },
	{ "GET", "/v1/yo", api_usuarios_yo, ROLE_ANY, true, false, 0 },
	{ "GET", "/v1/usuarios", api_usuarios_listar, ROLE_ADMIN, true, false,
	    0 },
	{ "POST", "/v1/usuarios", api_usuarios_crear, ROLE_ADMIN, true, false,
	    0 },
	{ "GET", "/v1/correos", api_correo_listar, ROLE_ADMIN, true, false,
	    0 },
	{ "POST", "/v1/correos/prueba", api_correo_probar, ROLE_ADMIN, true,
	    false, 0 },
};
const size_t router_nroutes = sizeof(router_routes) / sizeof(router_routes[0]);

static int
router_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes s[0..len); NULL if it decodes to a NUL or a '/'. */
static char *
router_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '%') {
			int hi = i + 1 < len ? router_hex(s[i + 1]) : -1;
			int lo = i + 2 < len ? router_hex(s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				goto bad;
			c = (char)(hi * 16 + lo);
			i += 2;
			if (c == '\0' || c == '/')
				goto bad;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* Splits path into segments; false if it is not a clean absolute path. */
static bool
router_split(const char *path, const char **seg, size_t *seglen, int max,
    int *n)
{
	const char *p = path;

	*n = 0;
	if (*p != '/')
		return false;
	if (strcmp(p, "/") == 0)
		return true;
	while (*p == '/') {
		const char *s = ++p;

		while (*p != '/' && *p != '\0')
			p++;
		if (p == s || *n == max)
			return false;
		if ((p - s == 1 && s[0] == '.') ||
		    (p - s == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		seg[*n] = s;
		seglen[*n] = (size_t)(p - s);
		(*n)++;
	}
	return *p == '\0';
}

static void
router_free_params(char *params[REQ_MAX_PARAMS], int *nparams)
{
	for (int i = 0; i < *nparams; i++) {
		free(params[i]);
		params[i] = NULL;
	}
	*nparams = 0;
}

/* Does route r's pattern match the segments? Fills params if so. */
static bool
router_match_one(const struct route *r, const char **seg,
    const size_t *seglen, int nseg, char *params[REQ_MAX_PARAMS],
    int *nparams)
{
	const char *pseg[16];
	size_t plen[16];
	int npseg;

	if (!router_split(r->pattern, pseg, plen, 16, &npseg) ||
	    npseg != nseg)
		return false;
	for (int i = 0; i < nseg; i++) {
		if (plen[i] >= 2 && pseg[i][0] == '{') {
			char *v;

			if (*nparams == REQ_MAX_PARAMS)
				goto no;
			v = router_decode(seg[i], seglen[i]);
			if (v == NULL)
				goto no;
			params[(*nparams)++] = v;
			continue;
		}
		if (plen[i] != seglen[i] ||
		    memcmp(pseg[i], seg[i], plen[i]) != 0)
			goto no;
	}
	return true;
no:
	router_free_params(params, nparams);
	return false;
}

enum router_result
router_match(const struct route *table, size_t n, const char *method,
    const char *path, const struct route **out,
    char *params[REQ_MAX_PARAMS], int *nparams, struct buf *allow)
{
	const char *seg[16];
	size_t seglen[16];
	int nseg;
	bool path_known = false;

	*out = NULL;
	*nparams = 0;
	if (!router_split(path, seg, seglen, 16, &nseg))
		return ROUTER_NOT_FOUND;
	for (size_t i = 0; i < n; i++) {
		const struct route *r = &table[i];

		if (!router_match_one(r, seg, seglen, nseg, params, nparams))
			continue;
		if (strcmp(r->method, method) == 0) {
			*out = r;
			return ROUTER_FOUND;
		}
		router_free_params(params, nparams);
		if (allow != NULL) {
			if (path_known)
				buf_puts(allow, ", ");
			buf_puts(allow, r->method);
		}
		path_known = true;
	}
	return path_known ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}
