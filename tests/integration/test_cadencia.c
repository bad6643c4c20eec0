/*
 * A mesa's own reminder cadence, set through `pal mesa recordatorios`
 * (PUT /v1/mesas/{id}/recordatorios): the reply and the mesas row carry
 * it, the timeline records the change, and the planner follows it: an
 * offset only the mesa has produces a reminder, one only the daemon's
 * configuration has does not, the mesa's overdue spacing and copy
 * threshold apply. --predeterminados and null go back to the daemon's
 * values. Bad values (a day of 400, 25:00, negative numbers, unknown
 * fields) and callers who may not change the mesa change nothing at all.
 *
 * The mesa in follow-up is written with SQL, as test_recordatorios.c
 * does; passes run on demand (the daemon's own job waits an hour).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escenario.h"
#include "harness.h"

#define TZ		"America/Mexico_City"
#define EXTRA		"recordatorio_hora = 00:00\n" \
			"recordatorio_periodo_s = 3600\n" \
			"resumen_dia = domingo\nresumen_hora = 23:59\n"

static struct h_db db;
static struct h_smtp smtp;
static struct h_pald pald;
static char admin[80];

static void
setup(void)
{
	esc_setup(&db, &smtp, &pald, EXTRA, admin, sizeof(admin));
}

TestSuite(cadencia, .init = setup, .fini = esc_teardown, .timeout = 120);

struct fx {
	struct esc_usuario	fac, otro, garante;
	long long		mesa, a5, a7, am4;
	const char		*path;		/* the cadence's API path */
};

static long long
actividad(long long c, int numero, int offset)
{
	return h_db_query_int(&db, "INSERT INTO actividades (mesa_id,"
	    " compromiso_id, numero, descripcion, responsable_nombre,"
	    " responsable_email, fecha_limite)"
	    " SELECT c.mesa_id, c.id, $2::int, $3, 'Ana Ruiz',"
	    "  $4, (now() AT TIME ZONE $5)::date + $6::int"
	    " FROM compromisos c WHERE c.id = $1 RETURNING id",
	    esc_id_text(c), h_strf("%d", numero),
	    h_strf("Actividad a %+d días", offset),
	    h_strf("resp%d@mun.gob.mx", offset + 100), TZ,
	    h_strf("%d", offset));
}

/* A mesa of Oaxaca in follow-up with activities at +5, +7 and -4. */
static struct fx
seed(void)
{
	struct fx fx;
	long long c;

	fx.fac = esc_usuario_crear("Fernanda Facilitadora", "fer@stl.mx",
	    "facilitador", NULL);
	fx.otro = esc_usuario_crear("Federico Facilitador", "fed@stl.mx",
	    "facilitador", NULL);
	fx.garante = esc_usuario_crear("Gabriela Garante", "gab@ieaip.mx",
	    "garante", "Oaxaca");
	fx.mesa = h_db_query_int(&db, "INSERT INTO mesas (titulo, entidad,"
	    " zona_horaria, fase, facilitador_id, fecha, hora, lugar)"
	    " VALUES ('Mesa de Tlacolula', 'Oaxaca', $1, 'en_seguimiento', $2,"
	    "  (now() AT TIME ZONE $1)::date - 100, '10:00', 'Cabildo')"
	    " RETURNING id", TZ, esc_id_text(fx.fac.id));
	c = h_db_query_int(&db, "INSERT INTO compromisos (mesa_id, numero,"
	    " titulo, tipo, inicio, fin) SELECT $1, 1, 'Contratos abiertos',"
	    " 'local', h - 100,"
	    " (h - 100 + interval '1 year' - interval '1 day')::date"
	    " FROM (SELECT (now() AT TIME ZONE $2)::date AS h) x RETURNING id",
	    esc_id_text(fx.mesa), TZ);
	fx.a5 = actividad(c, 1, 5);
	fx.a7 = actividad(c, 2, 7);
	fx.am4 = actividad(c, 3, -4);
	fx.path = h_strf("/v1/mesas/%lld/recordatorios", fx.mesa);
	return fx;
}

static void
pasada(void)
{
	esc_api("POST", "/v1/recordatorios/ejecutar", admin, NULL, 200);
}

/* The mesa's five columns as text, to compare before and after. */
static const char *
columnas(long long mesa)
{
	return h_db_query_str(&db, "SELECT concat_ws('|',"
	    " coalesce(recordatorio_dias_antes::text, 'NULL'),"
	    " coalesce(recordatorio_vencida_cada::text, 'NULL'),"
	    " coalesce(recordatorio_copia_facilitador::text, 'NULL'),"
	    " coalesce(recordatorio_copia_garante::text, 'NULL'),"
	    " coalesce(recordatorio_hora::text, 'NULL'), actualizado::text)"
	    " FROM mesas WHERE id = $1", esc_id_text(mesa));
}

static long long
eventos(long long mesa)
{
	return h_db_query_int(&db, "SELECT count(*) FROM eventos"
	    " WHERE mesa_id = $1 AND tipo = 'mesa.recordatorios'",
	    esc_id_text(mesa));
}

static bool
propia(json_t *c, const char *key)
{
	return json_is_true(json_object_get(esc_jobj(c, "propia"), key));
}

static const char *
dias_text(json_t *c)
{
	char *s = json_dumps(esc_jarr(c, "dias_antes"), JSON_COMPACT);
	const char *t = h_strf("%s", s);

	free(s);
	return t;
}

Test(cadencia, set_through_pal_and_the_planner_follows_it)
{
	struct fx fx = seed();
	const char *m = esc_id_text(fx.mesa), *out;
	json_t *c, *evs;

	/* Shown before anything is set: every value the daemon's. */
	out = esc_pal_ok(fx.fac.token, "mesa", "recordatorios", m).out;
	cr_assert(strstr(out, "30, 7, 1 y 0 (general)") != NULL, "%s", out);
	cr_assert(strstr(out, "cada 7 días (general)") != NULL, "%s", out);
	cr_assert(strstr(out, "00:00 (general)") != NULL, "%s", out);

	c = esc_pal_json(fx.fac.token, "mesa", "recordatorios", m,
	    "--dias-antes", "5,2,5", "--vencida-cada", "3",
	    "--copia-facilitador", "0");
	cr_assert_eq(esc_jint(c, "mesa_id"), fx.mesa);
	cr_assert_str_eq(dias_text(c), "[5,2]");
	cr_assert_eq(esc_jint(c, "vencida_cada"), 3);
	cr_assert_eq(esc_jint(c, "copia_facilitador"), 0);
	cr_assert_eq(esc_jint(c, "copia_garante"), 14);
	cr_assert_str_eq(esc_jstr(c, "hora"), "00:00");
	cr_assert(propia(c, "dias_antes") && propia(c, "vencida_cada") &&
	    propia(c, "copia_facilitador"));
	cr_assert(!propia(c, "copia_garante") && !propia(c, "hora"));
	cr_assert_str_eq(h_db_query_str(&db, "SELECT concat_ws('|',"
	    " recordatorio_dias_antes::text, recordatorio_vencida_cada,"
	    " recordatorio_copia_facilitador,"
	    " coalesce(recordatorio_copia_garante::text, 'NULL'),"
	    " coalesce(recordatorio_hora::text, 'NULL')) FROM mesas"
	    " WHERE id = $1", m), "{5,2}|3|0|NULL|NULL");
	evs = esc_mesa_eventos(fx.fac.token, fx.mesa);
	cr_assert_eq(esc_event_count(evs, "mesa.recordatorios"), 1);
	cr_assert(strstr(esc_jstr(json_array_get(evs, (size_t)esc_event_index(
	    evs, "mesa.recordatorios", true)), "descripcion"),
	    "días antes general → 5 y 2") != NULL);

	/*
	 * The planner: 5 days before is the mesa's own (the configuration
	 * would send its 7 days before, two days late); 7 is only the
	 * configuration's; overdue every 3 days (day 4 is one) with the
	 * facilitator copied from the deadline on.
	 */
	pasada();
	cr_assert_str_eq(esc_recordatorios_of(fx.a5), "previo:5:responsable");
	cr_assert_str_eq(esc_recordatorios_of(fx.a7), "", "an offset only the "
	    "configuration has");
	cr_assert_str_eq(esc_recordatorios_of(fx.am4), "vencida:-4:responsable "
	    "vencida:-4:facilitador");

	/*
	 * The garante of the entidad reads it; the same values again are
	 * no change.
	 */
	c = esc_api("GET", fx.path, fx.garante.token, NULL, 200);
	cr_assert_str_eq(dias_text(c), "[5,2]");
	esc_pal_ok(fx.fac.token, "mesa", "recordatorios", m, "--dias-antes",
	    "2,5");
	cr_assert_eq(eventos(fx.mesa), 1);

	/* Back to the daemon's values: the global 7 days now count. */
	c = esc_pal_json(fx.fac.token, "mesa", "recordatorios", m,
	    "--predeterminados");
	cr_assert_str_eq(dias_text(c), "[30,7,1,0]");
	cr_assert(!propia(c, "dias_antes") && !propia(c, "vencida_cada") &&
	    !propia(c, "copia_facilitador"));
	cr_assert_str_eq(columnas(fx.mesa), h_db_query_str(&db,
	    "SELECT 'NULL|NULL|NULL|NULL|NULL|' || actualizado::text"
	    " FROM mesas WHERE id = $1", m));
	cr_assert_eq(eventos(fx.mesa), 2);
	pasada();
	cr_assert_str_eq(esc_recordatorios_of(fx.a7), "previo:7:responsable");
}

Test(cadencia, null_resets_one_value)
{
	struct fx fx = seed();
	json_t *c;

	c = esc_api("PUT", fx.path, fx.fac.token, "{\"dias_antes\": [],"
	    " \"vencida_cada\": 5, \"copia_facilitador\": 2,"
	    " \"copia_garante\": 9, \"hora\": \"07:30\"}", 200);
	cr_assert_str_eq(dias_text(c), "[]");
	cr_assert(propia(c, "dias_antes") && propia(c, "hora"));
	c = esc_api("PUT", fx.path, admin, "{\"hora\": null}", 200);
	cr_assert(!propia(c, "hora"));
	cr_assert_str_eq(esc_jstr(c, "hora"), "00:00");
	cr_assert_eq(esc_jint(c, "copia_garante"), 9);
	cr_assert(propia(c, "copia_garante") && propia(c, "dias_antes"));
	cr_assert_str_eq(h_db_query_str(&db, "SELECT concat_ws('|',"
	    " recordatorio_dias_antes::text, recordatorio_vencida_cada,"
	    " recordatorio_copia_facilitador, recordatorio_copia_garante,"
	    " coalesce(recordatorio_hora::text, 'NULL')) FROM mesas"
	    " WHERE id = $1", esc_id_text(fx.mesa)), "{}|5|2|9|NULL");
	/*
	 * No days before: only overdue reminders, every 5 days (so day 1
	 * is the latest), the facilitator copied from day 2.
	 */
	pasada();
	cr_assert_str_eq(esc_recordatorios_of(fx.a5), "");
	cr_assert_str_eq(esc_recordatorios_of(fx.a7), "");
	cr_assert_str_eq(esc_recordatorios_of(fx.am4),
	    "vencida:-1:responsable");
}

/* A PUT refused with 422 cadencia_invalida naming field. */
static void
invalida(const struct fx *fx, const char *json, const char *field)
{
	json_t *e = esc_jobj(esc_api_refused("PUT", fx->path, fx->fac.token,
	    json, 422, "cadencia_invalida"), "error");

	cr_assert(strstr(esc_jstr(e, "message"), field) != NULL, "%s: %s",
	    json, esc_jstr(e, "message"));
	cr_assert_str_eq(esc_jstr(esc_jobj(e, "detalles"), "campo"), field);
}

Test(cadencia, bad_values_and_other_callers_change_nothing)
{
	struct fx fx = seed();
	const char *m = esc_id_text(fx.mesa), *antes;

	esc_pal_ok(fx.fac.token, "mesa", "recordatorios", m, "--dias-antes",
	    "15,2", "--hora", "08:00");
	antes = columnas(fx.mesa);

	esc_pal_expect(fx.fac.token, 2, "cadencia_invalida", "mesa",
	    "recordatorios", m, "--dias-antes", "30,400");
	esc_pal_fails(fx.fac.token, "cadencia_invalida", "mesa",
	    "recordatorios", m, "--hora", "25:00");
	esc_pal_expect(fx.fac.token, 2, "cadencia_invalida", "mesa",
	    "recordatorios", m, "--vencida-cada", "-1");
	esc_pal_expect(fx.fac.token, 2, "cadencia_invalida", "mesa",
	    "recordatorios", m, "--vencida-cada", "0");
	esc_pal_expect(fx.fac.token, 2, "cadencia_invalida", "mesa",
	    "recordatorios", m, "--copia-garante", "-5", "--hora", "10:00");
	esc_pal_expect(fx.fac.token, 2, "cadencia_invalida", "mesa",
	    "recordatorios", m, "--dias-antes",
	    "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17");
	esc_pal_fails(fx.fac.token, NULL, "mesa", "recordatorios", m,
	    "--dias-antes", "30,siete");

	invalida(&fx, "{\"hora\": \"25:00\"}", "hora");
	invalida(&fx, "{\"hora\": 9}", "hora");
	invalida(&fx, "{\"dias_antes\": [400]}", "dias_antes");
	invalida(&fx, "{\"dias_antes\": [-1]}", "dias_antes");
	invalida(&fx, "{\"dias_antes\": \"30,7\"}", "dias_antes");
	invalida(&fx, "{\"dias_antes\": [7.5]}", "dias_antes");
	invalida(&fx, "{\"vencida_cada\": 367}", "vencida_cada");
	invalida(&fx, "{\"copia_facilitador\": -1}", "copia_facilitador");
	invalida(&fx, "{\"copia_garante\": \"14\"}", "copia_garante");
	invalida(&fx, "{\"hora\": \"10:00\", \"diasantes\": [1]}",
	    "diasantes");
	esc_api_refused("PUT", fx.path, fx.fac.token, "[1]", 400,
	    "json_invalido");

	/* Callers who may not change the mesa. */
	esc_pal_expect(fx.otro.token, 2, "prohibido", "mesa", "recordatorios",
	    m, "--dias-antes", "1");
	esc_api_refused("GET", fx.path, fx.otro.token, NULL, 403,
	    "prohibido");
	esc_api_refused("PUT", fx.path, fx.garante.token, "{\"hora\":"
	    " \"10:00\"}", 403, "prohibido");
	esc_api_refused("PUT", "/v1/mesas/99999/recordatorios", admin,
	    "{\"hora\": \"10:00\"}", 404, "mesa_no_encontrada");

	cr_assert_str_eq(columnas(fx.mesa), antes);
	cr_assert_eq(eventos(fx.mesa), 1);
}
