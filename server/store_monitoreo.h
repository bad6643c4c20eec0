/*
 * The SQL of the garante's monitoring: every activity of the PALs in
 * follow-up a caller may see, with its traffic light as of its mesa's
 * local today, in one query.
 */
#ifndef PALD_STORE_MONITOREO_H
#define PALD_STORE_MONITOREO_H

#include <stdbool.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "error.h"

/* Which activities, all borrowed for the call. */
struct monitoreo_filtro {
	long long	 facilitador_id;  /* > 0: only this owner's mesas */
	const char	*entidad_garante; /* non-NULL: only this entidad */
	const char	*entidad;	  /* non-NULL: only this entidad */
	int		 proximas;	  /* days of the por_vencer window */
};

/*
 * The activities of the mesas en_seguimiento or concluida that pass f,
 * ordered by mesa, commitment and activity number: a new reference to a
 * JSON array of objects {mesa_id, mesa, entidad, version, compromiso_id,
 * compromiso_numero, compromiso, tipo, actividad_id, numero, actividad,
 * responsable, institucion_responsable, fecha_limite, estado, avance,
 * semaforo, dias, ultimo_avance}, where dias is the deadline minus the
 * local today (negative when overdue) and ultimo_avance the latest report
 * ({reportado, estado, avance, nota}) of an overdue activity, else null.
 * NULL with err (503/500) when the database fails.
 */
json_t	*store_monitoreo_actividades(PGconn *conn,
	    const struct monitoreo_filtro *f, struct error *err);

#endif
