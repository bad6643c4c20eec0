/*
 * A mesa's own reminder cadence, read and written as the five
 * recordatorio_* columns of mesas the planner uses (the days before,
 * the overdue spacing, the two copy thresholds, the hour). It neither
 * validates (api_recordatorios.c does, with common/recordatorios.c's
 * rules; the table's CHECKs are the last word) nor replans: migration
 * 0003's trigger clears the activities' next dates when the days or the
 * spacing change. recordatorio_acuse_cada is left as it is.
 */
#include "store_recordatorios.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dates.h"
#include "db.h"

static int
store_recordatorios_cmp_desc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x < y) - (x > y);
}

int
store_recordatorios_normalizar(int *dias, int n)
{
	int k = 0;

	qsort(dias, (size_t)n, sizeof(int), store_recordatorios_cmp_desc);
	for (int i = 0; i < n; i++)
		if (k == 0 || dias[k - 1] != dias[i])
			dias[k++] = dias[i];
	return k;
}

bool
store_recordatorios_leer(PGconn *conn, long long mesa_id,
    struct store_cadencia *c, struct error *err)
{
	char idbuf[24];
	const char *v[1] = { idbuf };
	PGresult *res;

	memset(c, 0, sizeof(*c));
	snprintf(idbuf, sizeof(idbuf), "%lld", mesa_id);
	/* The days as the planner reads them (reminders_load_mesas). */
	res = db_exec(conn, err, "SELECT"
	    " CASE WHEN recordatorio_dias_antes IS NOT NULL THEN"
	    "  array_to_string(ARRAY(SELECT DISTINCT d"
	    "   FROM unnest(recordatorio_dias_antes) AS d"
	    "   ORDER BY d LIMIT 16), ',') END,"
	    " recordatorio_vencida_cada, recordatorio_copia_facilitador,"
	    " recordatorio_copia_garante,"
	    " to_char(recordatorio_hora, 'HH24:MI')"
	    " FROM mesas WHERE id = $1", 1, v);
	if (res == NULL)
		return false;
	if (PQntuples(res) != 1) {
		PQclear(res);
		error_set(err, 404, "mesa_no_encontrada",
		    "No existe la mesa %lld.", mesa_id);
		return false;
	}
	if (!PQgetisnull(res, 0, 0)) {
		c->propia_dias = recordatorios_parse_dias(PQgetvalue(res, 0, 0),
		    c->dias, &c->n_dias);
		c->n_dias = store_recordatorios_normalizar(c->dias, c->n_dias);
	}
	if ((c->propia_vencida = !PQgetisnull(res, 0, 1)))
		c->vencida_cada = atoi(PQgetvalue(res, 0, 1));
	if ((c->propia_copia_facilitador = !PQgetisnull(res, 0, 2)))
		c->copia_facilitador = atoi(PQgetvalue(res, 0, 2));
	if ((c->propia_copia_garante = !PQgetisnull(res, 0, 3)))
		c->copia_garante = atoi(PQgetvalue(res, 0, 3));
	if (!PQgetisnull(res, 0, 4))
		c->propia_hora = dates_parse_time(PQgetvalue(res, 0, 4),
		    &c->hora_min);
	PQclear(res);
	return true;
}

bool
store_recordatorios_guardar(PGconn *conn, long long mesa_id,
    const struct store_cadencia *c, struct error *err)
{
	char idbuf[24], venc[16], cf[16], cg[16], hora[16];
	const char *v[6];
	struct buf dias;
	bool ok;

	buf_init(&dias);
	buf_putc(&dias, '{');
	for (int i = 0; i < c->n_dias; i++)
		buf_printf(&dias, "%s%d", i > 0 ? "," : "", c->dias[i]);
	buf_putc(&dias, '}');
	snprintf(idbuf, sizeof(idbuf), "%lld", mesa_id);
	snprintf(venc, sizeof(venc), "%d", c->vencida_cada);
	snprintf(cf, sizeof(cf), "%d", c->copia_facilitador);
	snprintf(cg, sizeof(cg), "%d", c->copia_garante);
	snprintf(hora, sizeof(hora), "%02d:%02d", c->hora_min / 60,
	    c->hora_min % 60);
	v[0] = idbuf;
	v[1] = c->propia_dias ? dias.data : NULL;
	v[2] = c->propia_vencida ? venc : NULL;
	v[3] = c->propia_copia_facilitador ? cf : NULL;
	v[4] = c->propia_copia_garante ? cg : NULL;
	v[5] = c->propia_hora ? hora : NULL;
	ok = db_command(conn, err, "UPDATE mesas SET"
	    " recordatorio_dias_antes = $2::int[],"
	    " recordatorio_vencida_cada = $3::int,"
	    " recordatorio_copia_facilitador = $4::int,"
	    " recordatorio_copia_garante = $5::int,"
	    " recordatorio_hora = $6::time, actualizado = now()"
	    " WHERE id = $1", 6, v);
	buf_cleanup(&dias);
	return ok;
}
