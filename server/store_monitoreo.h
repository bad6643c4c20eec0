/*
 * The SQL of the garante's monitoring: every activity of the PALs in
 * follow-up a caller may see, with its traffic light as of its mesa's
 * local today, in one query, grouped into PALs and commitments (the
 * view the API, the export and the web dashboard all show); and the
 * dashboard's credentials: its web sessions and its personal links.
 */
#ifndef PALD_STORE_MONITOREO_H
#define PALD_STORE_MONITOREO_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"
#include "token.h"

struct usuario;

/* The traffic lights, best to worst: a commitment takes its worst one. */
enum monitoreo_luz {
	MONITOREO_CUMPLIDO,
	MONITOREO_A_TIEMPO,
	MONITOREO_POR_VENCER,
	MONITOREO_VENCIDO,
};
#define MONITOREO_NLUCES	4

/* How long a web session lasts. */
#define MONITOREO_SESION_HORAS	12

/* Which activities; the strings are borrowed for the call. */
struct monitoreo_filtro {
	long long	 facilitador_id;  /* > 0: only this owner's mesas */
	const char	*entidad_garante; /* non-NULL: only this entidad */
	const char	*entidad;	  /* non-NULL: only this entidad */
	int		 proximas;	  /* days of the por_vencer window */
	bool		 vencidas;	  /* keep only what has overdue work */
};

/*
 * One activity. Every string is borrowed from the view it belongs to;
 * institucion is NULL when there is none.
 */
struct monitoreo_actividad {
	long long	 id;
	int		 numero;
	const char	*descripcion;
	const char	*responsable;
	const char	*institucion;
	const char	*fecha_limite;	/* AAAA-MM-DD */
	const char	*estado;	/* pendiente, en_progreso, cumplida */
	int		 avance;	/* 0..100 */
	enum monitoreo_luz luz;
	int		 dias;		/* deadline minus the local today */
	/*
	 * The latest report of an overdue activity (ua_reportado NULL when
	 * the activity is not overdue or has none): ISO 8601 UTC instant,
	 * estado, avance (-1 when the report gave none) and nota (NULL if
	 * none).
	 */
	const char	*ua_reportado;
	const char	*ua_estado;
	int		 ua_avance;
	const char	*ua_nota;
};

/* A commitment and its activities (in number order). */
struct monitoreo_compromiso {
	long long	 id;
	int		 numero;
	const char	*titulo;
	const char	*tipo;
	const char	*inicio;	/* AAAA-MM-DD */
	const char	*fin;		/* AAAA-MM-DD */
	int		 avance;	/* rounded mean of its activities */
	enum monitoreo_luz luz;		/* the worst of its activities */
	/* The earliest deadline, today or later, of an open activity. */
	const char	*proximo_vencimiento;	/* NULL if none */
	struct monitoreo_actividad *actividades;
	size_t		 nactividades;
};

/* A PAL (its mesa) and the commitments kept by the filter. */
struct monitoreo_pal {
	long long	 mesa_id;
	const char	*titulo;
	const char	*entidad;
	const char	*hoy;		/* the mesa's local today, AAAA-MM-DD */
	int		 version;	/* live PAL version; 0 if none */
	/* Over every activity of the PAL, whatever the filter. */
	int		 avance;
	long		 luces[MONITOREO_NLUCES];
	struct monitoreo_compromiso *compromisos;
	size_t		 ncompromisos;
};

/*
 * The view: PALs ordered by mesa, their commitments by number, and
 * activities by number. Everything points into the arrays and the
 * PGresult here; store_monitoreo_vista_cleanup frees them all.
 */
struct monitoreo_vista {
	struct monitoreo_pal		*pals;
	size_t				 npals;
	struct monitoreo_compromiso	*compromisos;	/* of every PAL */
	size_t				 ncompromisos;
	struct monitoreo_actividad	*actividades;	/* every row */
	size_t				 nactividades;
	PGresult			*res;
};

/* "cumplido", "a_tiempo", "por_vencer", "vencido": the API's words. */
const char *store_monitoreo_luz_codigo(enum monitoreo_luz luz);

/*
 * Fills v with the activities of the mesas en_seguimiento or concluida
 * that pass f. With f->vencidas, only the PALs with an overdue activity
 * and, in them, only the commitments whose light is vencido are kept
 * (their activities all are). False with err (503/500) when the
 * database fails, v then left empty. v is the caller's: cleanup always.
 */
bool	store_monitoreo_vista(PGconn *conn, const struct monitoreo_filtro *f,
	    struct monitoreo_vista *v, struct error *err);
void	store_monitoreo_vista_cleanup(struct monitoreo_vista *v);

/*
 * The same activities flat (f->vencidas is ignored), for callers that
 * want rows: a new reference to a JSON array of objects {mesa_id, mesa,
 * entidad, version, compromiso_id, compromiso_numero, compromiso, tipo,
 * actividad_id, numero, actividad, responsable, institucion_responsable,
 * fecha_limite, estado, avance, semaforo, dias, ultimo_avance}, where
 * dias is the deadline minus the local today (negative when overdue)
 * and ultimo_avance the latest report ({reportado, estado, avance, nota})
 * of an overdue activity, else null. NULL with err (503/500) when the
 * database fails.
 */
json_t	*store_monitoreo_actividades(PGconn *conn,
	    const struct monitoreo_filtro *f, struct error *err);

/*
 * The active user of an API token's hash, into u, or false with err (401
 * "no_autenticado" when the token is unknown, revoked or its user
 * inactive; 503/500 when the database fails).
 */
bool	store_monitoreo_token_usuario(PGconn *conn, const char *hash,
	    struct usuario *u, struct error *err);

/*
 * Creates a web session of MONITOREO_SESION_HORAS for the user and
 * writes its clear token (stored only hashed). Expired sessions of
 * anyone are deleted on the way. False with err.
 */
bool	store_monitoreo_sesion_crear(PGconn *conn, long long usuario_id,
	    char token[TOKEN_TEXT_LEN + 1], struct error *err);
/*
 * The active user of the live session whose token hashes to hash, into
 * u (and the session's ultimo_uso is set); false with err (401
 * "sesion_no_valida" when there is none).
 */
bool	store_monitoreo_sesion_usuario(PGconn *conn, const char *hash,
	    struct usuario *u, struct error *err);
/* Deletes the session whose token hashes to hash, if there is one. */
bool	store_monitoreo_sesion_borrar(PGconn *conn, const char *hash,
	    struct error *err);

/*
 * Creates a personal link of proposito 'monitoreo' for the user, valid
 * dias days (1..366, else 422 "dias_invalido"), and writes its clear
 * token and, when expira is not NULL, its expiry as ISO 8601 UTC
 * (expira_size bytes, 21 are enough). False with err.
 */
bool	store_monitoreo_enlace_crear(PGconn *conn, long long usuario_id,
	    int dias, char token[TOKEN_TEXT_LEN + 1], char *expira,
	    size_t expira_size, struct error *err);
/*
 * The active user of the live 'monitoreo' link whose token hashes to
 * hash, into u (and the link's ultimo_uso is set); false with err (404
 * "enlace_no_valido" when the link is unknown, revoked or expired).
 */
bool	store_monitoreo_enlace_usuario(PGconn *conn, const char *hash,
	    struct usuario *u, struct error *err);

#endif
