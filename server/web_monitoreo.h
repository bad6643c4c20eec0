/*
 * The organismo garante's web dashboard, /monitoreo: the traffic lights,
 * deadlines and a timeline of every PAL the person may monitor, as one
 * server-rendered page, behind a web session that a login with an API
 * token, or a personal link of proposito 'monitoreo', opens.
 */
#ifndef PALD_WEB_MONITOREO_H
#define PALD_WEB_MONITOREO_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "error.h"
#include "http.h"
#include "token.h"

/* The name of the session cookie (its path is /monitoreo). */
#define WEB_MONITOREO_COOKIE	"pald_sesion"

/*
 * GET /monitoreo?entidad=&vencidas=1&proximas=N: the dashboard, or a 303
 * to /monitoreo/entrar without a live session. Public route: the session
 * cookie is the credential.
 */
void	web_monitoreo_ver(struct req *rq);
/* GET /monitoreo/entrar: the login form. Needs no database. */
void	web_monitoreo_entrar_ver(struct req *rq);
/*
 * POST /monitoreo/entrar (form field token): opens a session for the
 * token's user, sets the cookie and answers 303 to /monitoreo; a bad
 * token gets the form again with 401, and nothing is stored.
 */
void	web_monitoreo_entrar(struct req *rq);
/* POST /monitoreo/salir: ends the session and clears the cookie. */
void	web_monitoreo_salir(struct req *rq);
/*
 * GET or POST /e/{token} of a 'monitoreo' link (web_enlaces.c hands it
 * over): opens a session for the link's user as the login does.
 */
void	web_monitoreo_enlace(struct req *rq);

/*
 * Creates a 'monitoreo' personal link for the user, valid dias days
 * (1..366), inside the caller's transaction if there is one, and writes
 * its clear token (shown once: only its hash is stored); the link is
 * public_url + "/e/" + token. False with err.
 */
bool	web_monitoreo_enlace_crear(PGconn *conn, long long usuario_id,
	    int dias, char token[TOKEN_TEXT_LEN + 1], struct error *err);

#endif
