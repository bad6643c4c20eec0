/* Every SQL statement about commitments, activities and criteria. */
#ifndef PALD_STORE_COMPROMISOS_H
#define PALD_STORE_COMPROMISOS_H

#include <stdbool.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"

/*
 * The content of a commitment as the handlers validated it. Every
 * pointer is borrowed from the caller; an absent optional text is NULL.
 * inicio and fin are day numbers (dates.h), fin always
 * rules_compromiso_fin(inicio).
 */
struct compromiso {
	const char	*titulo;
	const char	*tipo;
	const char	*problema;
	const char	*descripcion;
	const char	*alineacion;
	const char	*indicador;
	const char	*meta;
	const char	*institucion;
	int		 inicio, fin;
};

/* An activity to add, validated; pointers borrowed, NULL when absent. */
struct actividad {
	const char	*descripcion;
	const char	*responsable_nombre;
	const char	*responsable_email;
	const char	*responsable_cargo;
	const char	*responsable_institucion;
	const char	*entregable;
	int		 fecha_limite;	/* day number */
};

/*
 * The commitments of a mesa ordered by numero, each as docs/API.md shows
 * it (with criterios, ordered by criterio name, and actividades, ordered
 * by numero, each with estado and avance). A new reference to a JSON
 * array, or NULL with err. Two or three queries, not one per commitment.
 */
json_t	*store_compromisos_listar(PGconn *conn, long long mesa_id,
	    struct error *err);

/*
 * One commitment of mesa_id in the listing's shape (new reference), or
 * NULL with err: 404 "compromiso_no_encontrado" if the mesa has no such
 * commitment.
 */
json_t	*store_compromiso_ver(PGconn *conn, long long mesa_id,
	    long long compromiso_id, struct error *err);

/*
 * The mesa a commitment belongs to, for the /v1/compromisos/{id} routes
 * (which must open that mesa before anything else). False with err 404
 * "compromiso_no_encontrado" if there is no such commitment.
 */
bool	store_compromiso_mesa(PGconn *conn, long long compromiso_id,
	    long long *mesa_id, struct error *err);

/*
 * Adds a commitment to mesa_id numbered after the last one; the caller
 * holds the mesa's row lock, which is what makes max + 1 safe. Returns
 * the new id, or 0 with err.
 */
long long store_compromiso_crear(PGconn *conn, long long mesa_id,
	    const struct compromiso *c, long long usuario_id,
	    struct error *err);

/* Replaces every content field of a commitment with c's. */
bool	store_compromiso_actualizar(PGconn *conn, long long mesa_id,
	    long long compromiso_id, const struct compromiso *c,
	    struct error *err);

/*
 * Whether every activity of the commitment has its deadline within
 * [inicio, fin]. False with err 422 "fecha_fuera_de_plazo" naming the
 * first activity outside (by numero), or with the database error.
 */
bool	store_compromiso_actividades_en_plazo(PGconn *conn,
	    long long compromiso_id, int numero_compromiso, int inicio,
	    int fin, struct error *err);

/*
 * Adds an activity to a commitment of mesa_id, numbered after its last
 * one (under the mesa's row lock). Returns the activity as docs/API.md
 * shows it (new reference), or NULL with err.
 */
json_t	*store_actividad_crear(PGconn *conn, long long mesa_id,
	    long long compromiso_id, const struct actividad *a,
	    struct error *err);

/*
 * Attests criterio of a commitment, replacing an earlier attestation.
 * Returns {compromiso_id, criterio, quien, justificacion, registrado}
 * (new reference) or NULL with err; *anterior is set to the replaced
 * attestation as {quien, justificacion, registrado, registrado_por}
 * (new reference) or NULL when there was none.
 */
json_t	*store_criterio_atestiguar(PGconn *conn, long long compromiso_id,
	    const char *criterio, const char *quien, const char *justificacion,
	    long long usuario_id, json_t **anterior, struct error *err);

#endif
