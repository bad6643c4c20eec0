/*
 * Every SQL statement about a mesa itself: creation, listing, the view
 * with what blocks it, the gate's facts, scheduling and phase changes.
 */
#ifndef PALD_STORE_MESAS_H
#define PALD_STORE_MESAS_H

#include <stdbool.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"
#include "rules.h"

/* What handlers need to know about a mesa, loaded once per request. */
struct mesa {
	long long	 id;
	char		 titulo[301];
	char		 entidad[101];
	char		 zona_horaria[64];
	enum fase	 fase;
	long long	 facilitador_id;
	char		 facilitador_nombre[201];
	char		 facilitador_email[255];
	int		 fecha;		/* day number, or MESA_SIN_FECHA */
	int		 hora;		/* minutes after midnight, or -1 */
	char		 lugar[501];
	int		 hoy;		/* today, local to zona_horaria */
	int		 utc_offset_min; /* zone offset at fecha+hora, or now */
};

#define MESA_SIN_FECHA	RULES_NO_RECIBIDO

/*
 * Loads mesa id into *m; with lock, takes FOR NO KEY UPDATE on its row
 * so the changes to one mesa are serialized (two facilitators scheduling
 * and adding an actor at once cannot both win), while inserts that only
 * reference the mesa (a receipt through a personal link) are not blocked
 * and cannot deadlock with it. False with err 404
 * "mesa_no_encontrada" if there is none.
 */
bool	store_mesa_cargar(PGconn *conn, long long id, bool lock,
	    struct mesa *m, struct error *err);

/*
 * After an actor or a material was added: a convocada mesa becomes
 * suspendida, with an event saying why (motivo, Spanish) and an email to
 * its facilitator. Does nothing in other phases. m->fase is updated.
 */
bool	store_mesa_suspender(PGconn *conn, struct mesa *m,
	    long long usuario_id, const char *motivo, struct error *err);

/* Moves m to `to` if the phase machine allows it (409 otherwise). */
bool	store_mesa_fase(PGconn *conn, struct mesa *m, enum fase to,
	    long long usuario_id, struct error *err);

json_t	*store_mesa_crear(PGconn *conn, long long facilitador_id,
	    const char *titulo, const char *entidad, const char *municipio,
	    const char *zona, struct error *err);
/* entidad_forzada: a garante's entidad ("" for none); facilitador_id 0
 * for all. */
json_t	*store_mesas_listar(PGconn *conn, long long facilitador_id,
	    const char *entidad_forzada, const char *entidad,
	    const char *fase, struct error *err);
/* The view of docs/API.md, with "bloqueos" and "siguiente_paso". */
json_t	*store_mesa_ver(PGconn *conn, const struct mesa *m,
	    struct error *err);

/*
 * The gate: fills *pendientes (new reference, JSON array of {actor_id,
 * actor, material_id, material}) and runs rules_gate with propuesta.
 * Returns rules_gate's answer; err as rules_gate's.
 */
bool	store_mesa_gate(PGconn *conn, const struct mesa *m, int propuesta,
	    json_t **pendientes, int *fecha_minima, int *ultima,
	    struct error *err);

#endif
