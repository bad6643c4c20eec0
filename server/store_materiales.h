/*
 * Every SQL statement about materials, their sends (envios, with the
 * personal link each carried) and their receipts (acuses): by the
 * author, recorded by a user, or confirmed through a link.
 */
#ifndef PALD_STORE_MATERIALES_H
#define PALD_STORE_MATERIALES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"

/* A material as loaded from the database. */
struct material {
	long long	 id;
	long long	 autor_id;
	char		 autor[201];
	char		 tipo[32];
	char		 titulo[301];
	char		 archivo[256];	/* "" for a text material */
	char		 tipo_medio[256];
	long long	 tamano;
	char		 sha256[65];
	int		 fecha_entrega;	/* day number, local */
	unsigned char	*contenido;	/* owned (store_material_cleanup), or
					   NULL when not loaded */
	size_t		 len;
};

/* A new material, validated by the caller. Every pointer is borrowed. */
struct material_nuevo {
	long long	 autor_id;
	const char	*tipo;
	const char	*titulo;
	const char	*archivo;	/* NULL for a text material */
	const char	*tipo_medio;
	const void	*contenido;
	size_t		 len;
	const char	*sha256;	/* hex */
	int		 fecha_entrega;	/* day number, not after today */
	bool		 retroactivo;	/* fecha_entrega before today */
	long long	 usuario_id;	/* who uploaded it */
};

/*
 * The Spanish label of a material type ("Criterios mínimos"), or NULL
 * if tipo is not one of the types the schema allows.
 */
const char *store_material_tipo_label(const char *tipo);

/*
 * Inserts the material and the author's receipt (medio "autor", dated
 * fecha_entrega) and returns the material as docs/API.md shows it (new
 * reference), or NULL with err.
 */
json_t	*store_material_crear(PGconn *conn, long long mesa_id,
	    const struct material_nuevo *n, struct error *err);

/* {"materiales": [...]} with acuses and pendientes, or NULL with err. */
json_t	*store_materiales_listar(PGconn *conn, long long mesa_id,
	    struct error *err);

/*
 * Loads material id of mesa_id into *m, its bytes too if contenido. 404
 * "material_no_encontrado" if there is none. On success *m must be
 * released with store_material_cleanup.
 */
bool	store_material_cargar(PGconn *conn, long long mesa_id, long long id,
	    bool contenido, struct material *m, struct error *err);
/* Frees what *m owns; safe on a zeroed or already cleaned struct. */
void	store_material_cleanup(struct material *m);

/* An actor who lacks materials: indexes into the materials array. */
struct faltante {
	long long	 actor_id;
	char		 nombre[201];
	char		 email[255];
	size_t		*materiales;	/* owned by store_faltantes_free */
	size_t		 n;
};

/*
 * What a send has to carry, read in one consistent pass: *mats (owned,
 * with their bytes) every material some actor lacks, by id, and *fs
 * (owned) every actor lacking at least one, by id, with the indexes of
 * what it lacks. Both may come back empty. Release with
 * store_faltantes_free, on failure too.
 */
bool	store_materiales_faltantes(PGconn *conn, long long mesa_id,
	    struct material **mats, size_t *nmats, struct faltante **fs,
	    size_t *nfs, struct error *err);
void	store_faltantes_free(struct material *mats, size_t nmats,
	    struct faltante *fs, size_t nfs);

/*
 * Records a send to actor_id: its personal link (proposito "acuse",
 * token_hash stored), the envio row pointing at outbox_id and the
 * materials it carried. Fills *envio_id.
 */
bool	store_envio_crear(PGconn *conn, long long mesa_id,
	    long long actor_id, const char *token_hash, long long usuario_id,
	    long long outbox_id, const long long *materiales, size_t n,
	    long long *envio_id, struct error *err);

/*
 * Records a receipt by another channel (medio) and returns it as
 * {id, actor_id, material_id, fecha, medio, retroactivo}, or NULL with
 * err: 409 "acuse_duplicado" (with the date of the receipt already
 * there) if the actor already has the material.
 */
json_t	*store_acuse_registrar(PGconn *conn, long long mesa_id,
	    long long actor_id, long long material_id, int fecha,
	    const char *medio, bool retroactivo, long long usuario_id,
	    struct error *err);

/* A live "acuse" link with its send, actor and mesa. */
struct enlace_acuse {
	long long	 enlace_id;
	long long	 envio_id;
	long long	 mesa_id;
	long long	 actor_id;
	char		 actor[201];
	char		 mesa[301];	/* the mesa's titulo */
	char		 entidad[101];
	char		 facilitador[201];
	int		 hoy;		/* today, local to the mesa */
};

/*
 * Finds the link whose token hashes to token_hash: proposito "acuse",
 * not revoked, not expired. 404 "enlace_no_valido" if there is none.
 */
bool	store_enlace_acuse_buscar(PGconn *conn, const char *token_hash,
	    struct enlace_acuse *e, struct error *err);

/* A material of a send and whether the link's actor has it. */
struct enlace_material {
	long long	 id;
	char		 tipo[32];
	char		 titulo[301];
	char		 archivo[256];
	int		 fecha;		/* receipt date or RULES_NO_RECIBIDO */
	char		 medio[201];	/* how it was received, "" if not */
};

/* The materials of e's send, by id; *out owned (free()). */
bool	store_enlace_materiales(PGconn *conn, const struct enlace_acuse *e,
	    struct enlace_material **out, size_t *n, struct error *err);

/*
 * The actor of e confirms: a receipt dated today (local, computed by
 * PostgreSQL) for every material of the send it did not have yet; an
 * existing receipt wins. Marks the link used. Returns a new JSON array
 * of the material ids confirmed now (empty if none) and sets *fecha to
 * the date used, or NULL with err.
 */
json_t	*store_enlace_confirmar(PGconn *conn, const struct enlace_acuse *e,
	    int *fecha, struct error *err);

#endif
