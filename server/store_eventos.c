/*
 * The timeline. Events are appended inside the transaction of the change
 * they describe, so a change and its event commit or vanish together;
 * the table refuses UPDATE, so nothing rewrites history. Events come
 * one at a time or, from a reminder pass, many in one statement.
 */
#include "store_eventos.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "validate.h"

#define ISO_UTC(col) \
	"to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Bytes of a description's buffer: it keeps one byte less. */
#define STORE_EVENTOS_DESCRIPCION	2000

/*
 * After n = snprintf(d, STORE_EVENTOS_DESCRIPCION, ...): a cut description
 * must not end inside a UTF-8 character.
 */
static void
store_eventos_cut(char *d, int n)
{
	if (n >= STORE_EVENTOS_DESCRIPCION) {
		size_t len = strlen(d);

		while (len > 0 && !validate_utf8(d, len))
			d[--len] = '\0';
	}
}

bool
store_evento(PGconn *conn, long long mesa_id, long long usuario_id,
    long long actor_id, const char *tipo, json_t *datos, struct error *err,
    const char *fmt, ...)
{
	char mesa[24], usuario[24], actor[24];
	char descripcion[STORE_EVENTOS_DESCRIPCION];
	char *json = NULL;
	const char *p[6];
	va_list ap;
	bool ok;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(descripcion, sizeof(descripcion), fmt, ap);
	va_end(ap);
	store_eventos_cut(descripcion, n);
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

/*
 * One array literal per column, so that the SQL stays one statement
 * whatever n is (one INSERT per event was a round trip each).
 */
bool
store_eventos_lote(PGconn *conn, const char *tipo, size_t n,
    const long long *mesa_ids, const char *const *descripciones,
    const char *const *datos, struct error *err)
{
	char descripcion[STORE_EVENTOS_DESCRIPCION];
	struct buf mesas, descs, json;
	const char *p[4];
	bool ok;

	if (n == 0)
		return true;
	buf_init(&mesas);
	buf_init(&descs);
	buf_init(&json);
	for (size_t i = 0; i < n; i++) {
		char sep = i == 0 ? '{' : ',';

		store_eventos_cut(descripcion, snprintf(descripcion,
		    sizeof(descripcion), "%s", descripciones[i]));
		buf_printf(&mesas, "%c%lld", sep, mesa_ids[i]);
		buf_putc(&descs, sep);
		db_array_str(&descs, descripcion);
		buf_putc(&json, sep);
		db_array_str(&json, datos[i]);
	}
	buf_putc(&mesas, '}');
	buf_putc(&descs, '}');
	buf_putc(&json, '}');
	p[0] = mesas.data;
	p[1] = descs.data;
	p[2] = json.data;
	p[3] = tipo;
	ok = db_command(conn, err, "INSERT INTO eventos (mesa_id, tipo,"
	    " descripcion, datos)"
	    " SELECT m, $4::text, d, j::jsonb"
	    " FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(m, d, j)",
	    4, p);
	buf_cleanup(&mesas);
	buf_cleanup(&descs);
	buf_cleanup(&json);
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
