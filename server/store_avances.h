/*
 * Progress reports on activities (table avances) and the activity state
 * they drive (actividades.estado, avance, cumplimiento): what a valid
 * report is, the one place both the API (api_seguimiento.c) and the
 * responsable's personal link (web_avance.c) record one, and the
 * history of an activity.
 */
#ifndef PALD_STORE_AVANCES_H
#define PALD_STORE_AVANCES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"

#define STORE_AVANCES_EVIDENCIA_MAX	2000	/* bytes */
#define STORE_AVANCES_NOTA_MAX		5000	/* bytes */

/* store_avance_nuevo.avance when the report gives no percentage. */
#define STORE_AVANCES_SIN_AVANCE	(-1)
/* ... and when what was given is not a whole number at all. */
#define STORE_AVANCES_NO_NUMERO		(-2)

/* How many distinct problems store_avances_validar can report. */
#define STORE_AVANCES_MAX_ERRORES	4

/*
 * A report as received. Pointers are borrowed from the caller; absent
 * texts are NULL. Exactly one of usuario_id (a user, through the API)
 * and enlace_id (the responsable's link) is non-zero.
 */
struct avance_nuevo {
	const char	*estado;	/* en_progreso or cumplida */
	int		 avance;	/* 0..100 or STORE_AVANCES_* */
	const char	*evidencia;	/* an http(s) URL */
	const char	*nota;		/* free text, not blank */
	long long	 usuario_id;
	long long	 enlace_id;
};

/*
 * An activity as the follow-up shows it, loaded with its commitment and
 * the local dates of its mesa. Strings are owned by the struct: release
 * with store_avances_actividad_cleanup.
 */
struct avance_actividad {
	long long	 id;
	long long	 mesa_id;
	long long	 compromiso_id;
	int		 numero;		/* M of "actividad N.M" */
	int		 compromiso_numero;	/* N */
	char		*compromiso_titulo;
	char		*descripcion;
	char		*responsable_nombre;
	char		*responsable_email;
	char		*responsable_cargo;	/* NULL when none */
	char		*responsable_institucion; /* NULL when none */
	char		*entregable;		/* NULL when none */
	int		 fecha_limite;		/* day number */
	char		 estado[16];		/* pendiente, en_progreso,
						   cumplida */
	int		 avance;		/* 0..100 */
	char		 cumplimiento[24];	/* ISO UTC instant or "" */
	int		 cumplimiento_dia;	/* its local day number, or 0 */
	int		 hoy;			/* today, local to the mesa */
};

/*
 * Checks a report against the rules of docs/API.md and writes one error
 * per wrong field to errs[0..STORE_AVANCES_MAX_ERRORES), in the order
 * estado, avance, evidencia, nota; returns how many (0: valid). Codes:
 * 422 "estado_invalido" (not en_progreso or cumplida), "avance_invalido"
 * (not a whole number from 0 to 100), "evidencia_invalida" (not an
 * http:// or https:// URL with a host, or with spaces or control
 * characters, or over STORE_AVANCES_EVIDENCIA_MAX bytes), and
 * "texto_invalido" (a nota that is not UTF-8, holds control characters
 * other than tab and line ends, or is over STORE_AVANCES_NOTA_MAX
 * bytes). Pure: no database.
 */
size_t	store_avances_validar(const struct avance_nuevo *n,
	    struct error errs[STORE_AVANCES_MAX_ERRORES]);

/*
 * The mesa an activity belongs to, for /v1/actividades/{id}/... (which
 * must open that mesa before anything else). False with err 404
 * "actividad_no_encontrada" if there is no such activity.
 */
bool	store_avances_mesa(PGconn *conn, long long actividad_id,
	    long long *mesa_id, struct error *err);

/*
 * Loads activity actividad_id of mesa_id into *a (with lock, FOR UPDATE
 * of its row). False with err 404 "actividad_no_encontrada". On success
 * *a must be released with store_avances_actividad_cleanup.
 */
bool	store_avances_actividad(PGconn *conn, long long mesa_id,
	    long long actividad_id, bool lock, struct avance_actividad *a,
	    struct error *err);
/* Frees what *a owns; safe on a zeroed or already cleaned struct. */
void	store_avances_actividad_cleanup(struct avance_actividad *a);

/*
 * The activity as the API shows it: {id, mesa_id, compromiso: {id,
 * numero, titulo}, numero, descripcion, responsable: {nombre, email,
 * cargo, institucion}, fecha_limite, entregable, estado, avance,
 * cumplimiento, dias_restantes}. New reference.
 */
json_t	*store_avances_actividad_json(const struct avance_actividad *a);

/*
 * The live personal link of purpose 'avance' whose token hashes to
 * token_hash (not revoked, not expired). False with err 404
 * "enlace_no_valido" when there is none; the caller tells that apart
 * from a database error by err->status.
 */
bool	store_avances_enlace(PGconn *conn, const char *token_hash,
	    long long *enlace_id, long long *mesa_id, long long *actividad_id,
	    struct error *err);

/*
 * Records report n (valid per store_avances_validar) on activity *a,
 * which the caller loaded under its mesa's row lock: inserts the avances
 * row, moves the activity (cumplida: avance 100 and cumplimiento, kept
 * from an earlier cumplida report; en_progreso: cumplimiento cleared,
 * avance kept when the report gives none), marks the link used, and
 * appends the event avance.registrado whose description starts with
 * quien ("Ana López", "El responsable Luis Pérez (por su enlace)"). *a
 * is updated to the new state. Returns the report as
 * store_avances_listar shows it (new reference), or NULL with err.
 */
json_t	*store_avances_registrar(PGconn *conn, struct avance_actividad *a,
	    const struct avance_nuevo *n, const char *quien,
	    struct error *err);

/*
 * Every report on activity a, oldest first, each {id, actividad_id,
 * estado, avance, evidencia, nota, reportado, fecha, por, usuario: {id,
 * nombre} | null, origen: "usuario" | "enlace"}, where reportado is the
 * instant (ISO UTC), fecha its local date in the mesa's zone, and por the
 * user's name or "responsable (enlace)"; avance is null when the report
 * gave no percentage. New reference to an array, or NULL with err.
 */
json_t	*store_avances_listar(PGconn *conn, long long actividad_id,
	    struct error *err);

/* "en progreso", "cumplida", "pendiente": how people read an estado. */
const char *store_avances_estado_label(const char *estado);

#endif
