/*
 * The route table pald serves and the matcher behind it. Routing is a walk
 * over the table comparing segment by segment: with a few dozen routes
 * this is cheaper than any index. Authorization rules live in the table
 * (roles); what a role may do with a given mesa is the handler's business.
 */
#include "router.h"

#include <stdlib.h>
#include <string.h>

#include "api_actores.h"
#include "api_compromisos.h"
#include "api_correo.h"
#include "api_health.h"
#include "api_materiales.h"
#include "api_mesas.h"
#include "api_monitoreo.h"
#include "api_pal.h"
#include "api_recordatorios.h"
#include "api_resumenes.h"
#include "api_seguimiento.h"
#include "api_sesion.h"
#include "api_usuarios.h"
#include "web_conformidad.h"
#include "web_enlaces.h"
#include "web_feed.h"
#include "web_monitoreo.h"
#include "xmalloc.h"

/*
 * Columns: method, pattern, handler, roles (0 = public), runs on a DB
 * worker, path holds a secret, body is an upload.
 */
#define W	(ROLE_ADMIN | ROLE_FACILITADOR)	/* may change a mesa */
const struct route router_routes[] = {
	{ "GET", "/healthz", api_health_get, 0, false, false, false },
	{ "GET", "/metrics", api_health_metrics, 0, false, false, false },
	{ "GET", "/v1/yo", api_usuarios_yo, ROLE_ANY, true, false, false },
	{ "GET", "/v1/usuarios", api_usuarios_listar, ROLE_ADMIN, true, false,
	    false },
	{ "POST", "/v1/usuarios", api_usuarios_crear, ROLE_ADMIN, true, false,
	    false },
	{ "GET", "/v1/correos", api_correo_listar, ROLE_ADMIN, true, false,
	    false },
	{ "POST", "/v1/correos/prueba", api_correo_probar, ROLE_ADMIN, true,
	    false, false },

	{ "GET", "/v1/mesas", api_mesas_listar, ROLE_ANY, true, false, false },
	{ "POST", "/v1/mesas", api_mesas_crear, W, true, false, false },
	{ "GET", "/v1/mesas/{id}", api_mesas_ver, ROLE_ANY, true, false,
	    false },
	{ "GET", "/v1/mesas/{id}/eventos", api_mesas_eventos, ROLE_ANY, true,
	    false, false },
	{ "POST", "/v1/mesas/{id}/programar", api_mesas_programar, W, true,
	    false, false },

	{ "GET", "/v1/mesas/{id}/actores", api_actores_listar, ROLE_ANY, true,
	    false, false },
	{ "POST", "/v1/mesas/{id}/actores", api_actores_agregar, W, true,
	    false, false },
	{ "POST", "/v1/mesas/{id}/actores/{actor}/revocar-enlaces",
	    api_actores_revocar_enlaces, W, true, false, false },

	{ "GET", "/v1/mesas/{id}/materiales", api_materiales_listar, ROLE_ANY,
	    true, false, false },
	{ "POST", "/v1/mesas/{id}/materiales", api_materiales_agregar, W, true,
	    false, true },
	{ "GET", "/v1/mesas/{id}/materiales/{material}/contenido",
	    api_materiales_contenido, ROLE_ANY, true, false, false },
	{ "POST", "/v1/mesas/{id}/materiales/enviar", api_materiales_enviar, W,
	    true, false, false },
	{ "POST", "/v1/mesas/{id}/acuses", api_acuses_registrar, W, true,
	    false, false },

	{ "GET", "/v1/mesas/{id}/sesion", api_sesion_ver, ROLE_ANY, true,
	    false, false },
	{ "POST", "/v1/mesas/{id}/sesion", api_sesion_abrir, W, true, false,
	    false },
	{ "POST", "/v1/mesas/{id}/aportaciones", api_aportaciones_agregar, W,
	    true, false, false },

	{ "GET", "/v1/mesas/{id}/compromisos", api_compromisos_listar,
	    ROLE_ANY, true, false, false },
	{ "POST", "/v1/mesas/{id}/compromisos", api_compromisos_agregar, W,
	    true, false, false },
	{ "PATCH", "/v1/mesas/{id}/compromisos/{compromiso}",
	    api_compromisos_editar, W, true, false, false },
	{ "POST", "/v1/compromisos/{id}/actividades", api_actividades_agregar,
	    W, true, false, false },
	{ "POST", "/v1/compromisos/{id}/criterios", api_criterios_atestiguar,
	    W, true, false, false },

	{ "GET", "/v1/mesas/{id}/pal", api_pal_ver, ROLE_ANY, true, false,
	    false },
	{ "GET", "/v1/mesas/{id}/pal/validacion", api_pal_validar, ROLE_ANY,
	    true, false, false },
	{ "POST", "/v1/mesas/{id}/pal/cerrar", api_pal_cerrar, W, true, false,
	    false },
	{ "GET", "/v1/mesas/{id}/pal/pdf", api_pal_pdf, ROLE_ANY, true, false,
	    false },
	{ "GET", "/v1/mesas/{id}/pal/canonico", api_pal_canonico, ROLE_ANY,
	    true, false, false },
	{ "POST", "/v1/mesas/{id}/pal/reabrir", api_pal_reabrir, W, true,
	    false, false },
	{ "POST", "/v1/mesas/{id}/pal/evidencias", api_pal_evidencias, W, true,
	    false, true },
	{ "POST", "/v1/mesas/{id}/pal/enviar", api_pal_enviar, W, true, false,
	    false },
	{ "GET", "/v1/mesas/{id}/pal/datos.json", api_pal_datos_json,
	    ROLE_ANY, true, false, false },
	{ "GET", "/v1/mesas/{id}/pal/datos.csv", api_pal_datos_csv, ROLE_ANY,
	    true, false, false },
	{ "POST", "/v1/mesas/{id}/conformidades", api_conformidades_registrar,
	    W, true, false, false },

	{ "GET", "/v1/actividades/{id}/avances", api_avances_listar, ROLE_ANY,
	    true, false, false },
	{ "POST", "/v1/actividades/{id}/avances", api_avances_registrar, W,
	    true, false, false },
	{ "POST", "/v1/recordatorios/ejecutar", api_recordatorios_ejecutar,
	    ROLE_ADMIN, true, false, false },
	{ "GET", "/v1/mesas/{id}/recordatorios",
	    api_recordatorios_cadencia_ver, ROLE_ANY, true, false, false },
	{ "PUT", "/v1/mesas/{id}/recordatorios",
	    api_recordatorios_cadencia_fijar, W, true, false, false },
	{ "POST", "/v1/resumenes/ejecutar", api_resumenes_ejecutar, ROLE_ADMIN,
	    true, false, false },

	{ "GET", "/v1/monitoreo", api_monitoreo, ROLE_ANY, true, false,
	    false },
	{ "GET", "/v1/monitoreo/actividades.json", api_monitoreo_json,
	    ROLE_ANY, true, false, false },
	{ "GET", "/v1/monitoreo/actividades.csv", api_monitoreo_csv, ROLE_ANY,
	    true, false, false },
	{ "POST", "/v1/monitoreo/enlace", api_monitoreo_enlace, ROLE_ANY,
	    true, false, false },

	{ "POST", "/v1/feeds", api_feeds_crear, ROLE_ANY, true, false, false },
	{ "POST", "/v1/feeds/revocar", api_feeds_revocar, ROLE_ANY, true,
	    false, false },

	/* Personal links: no account, the token is the credential. */
	{ "GET", "/e/{token}", web_enlace_ver, 0, true, true, false },
	{ "POST", "/e/{token}", web_enlace_confirmar, 0, true, true, false },
	{ "GET", "/e/{token}/pdf", web_conformidad_pdf, 0, true, true, false },
	{ "GET", "/f/{token}", web_feed_ver, 0, true, true, false },

	/* The dashboard: public routes, the session cookie is checked inside. */
	{ "GET", "/monitoreo", web_monitoreo_ver, 0, true, false, false },
	{ "GET", "/monitoreo/entrar", web_monitoreo_entrar_ver, 0, false,
	    false, false },
	{ "POST", "/monitoreo/entrar", web_monitoreo_entrar, 0, true, false,
	    false },
	{ "POST", "/monitoreo/salir", web_monitoreo_salir, 0, true, false,
	    false },
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
