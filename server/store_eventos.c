/*
 * The timeline. Events are appended inside the transaction of the change
 * they describe, so a change and its event commit or vanish together;
 * the table refuses UPDATE, so nothing rewrites history.
 */
#include "store_eventos.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "validate.h"

#define ISO_UTC(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

bool
store_evento(PGconn *conn, long long mesa_id, long long usuario_id,
    long long actor_id, const char *tipo, json_t *datos, struct error *err,
    const char *fmt, ...)
{
	char mesa[24], usuario[24], actor[24], descripcion[2000];
	char *json = NULL;
	const char *p[6];
	va_list ap;
	bool ok;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(descripcion, sizeof(descripcion), fmt, ap);
	va_end(ap);
	/* A cut description must not end inside a UTF-8 character. */
	if (n >= (int)sizeof(descripcion)) {
		size_t len = strlen(descripcion);

		while (len > 0 && !validate_utf8(descripcion, len))
			descripcion[--len] = '\0';
	}
	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	snprintf(usuario, sizeof(usuario), "%lld", usuario_id);
	snprintf(actor, sizeof(actor), "%lld", actor_id);
	if (datos != NULL)
		json = json_dumps(datos, JSON_COMPACT);
	p[0] = mesa;
	p[1] = usuario_id ? usuario : NULL;
	p[2] = actor_id ? actor : NULL;
	p[3] = tipo;
	p[4] = descripcion;
	p[5] = json;
	ok = db_command(conn, err,
	    "INSERT INTO eventos (mesa_id, usuario_id, actor_id, tipo,"
	    " descripcion, datos) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
	    6, p);
	free(json);
	json_decref(datos);
	return ok;
}

json_t *
store_eventos_listar(PGconn *conn, long long mesa_id, struct error *err)
{
	char mesa[24];
	const char *p[1] = { mesa };
	PGresult *res;
	json_t *arr;

	snprintf(mesa, sizeof(mesa), "%lld", mesa_id);
	res = db_exec(conn, err,
	    "SELECT e.id, " ISO_UTC("e.instante") ", e.tipo, e.descripcion,"
	    " u.id, u.nombre, a.id, a.nombre, e.datos::text"
	    " FROM eventos e"
	    " LEFT JOIN usuarios u ON u.id = e.usuario_id"
	    " LEFT JOIN actores a ON a.id = e.actor_id"
	    " WHERE e.mesa_id = $1 ORDER BY e.id", 1, p);
	if (res == NULL)
		return NULL;
	arr = json_array();
	for (int r = 0; r < PQntuples(res); r++) {
		json_t *ev = json_pack("{s:I, s:s, s:s, s:s}",
		    "id", (json_int_t)strtoll(PQgetvalue(res, r, 0), NULL, 10),
		    "instante", PQgetvalue(res, r, 1),
		    "tipo", PQgetvalue(res, r, 2),
		    "descripcion", PQgetvalue(res, r, 3));

		json_object_set_new(ev, "usuario", PQgetisnull(res, r, 4)
		    ? json_null() : json_pack("{s:I, s:s}", "id",
		    (json_int_t)strtoll(PQgetvalue(res, r, 4), NULL, 10),
		    "nombre", PQgetvalue(res, r, 5)));
		json_object_set_new(ev, "actor", PQgetisnull(res, r, 6)
		    ? json_null() : json_pack("{s:I, s:s}", "id",
		    (json_int_t)strtoll(PQgetvalue(res, r, 6), NULL, 10),
		    "nombre", PQgetvalue(res, r, 7)));
		json_object_set_new(ev, "datos", PQgetisnull(res, r, 8)
		    ? json_null() : json_loads(PQgetvalue(res, r, 8), 0, NULL));
		json_array_append_new(arr, ev);
	}
	PQclear(res);
	return json_pack("{s:o}", "eventos", arr);
}
