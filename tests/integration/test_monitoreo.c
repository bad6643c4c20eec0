/*
 * Monitoring for the garante (issue 5): `pal monitoreo` and GET
 * /v1/monitoreo give every PAL in follow-up a caller may see, with a
 * traffic light per activity as of its mesa's local today; `pal
 * monitoreo exportar` saves every activity as CSV or JSON. The data are
 * written straight with SQL (the path to en_seguimiento through pal is
 * test_acuerdos.c's), the scene of esc_garantes_crear: two mesas in
 * follow-up in two entidades, and a third in acuerdos that nobody may see
 * here.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escenario.h"
#include "harness.h"

/*
 * This suite's own texts of the scene (escenario.h, esc_garantes_crear):
 * a comma and a leading "=" for the CSV export.
 */
#define INSTITUCION	"Tesorería, municipal"
#define COMPROMISO_A2	"Padrón de proveedores"
#define DESC_POR_VENCER	"=Capacitar al personal"

static struct h_db db;
static struct h_pald pald;
static char admin[80];
static struct esc_garantes g;

static void
setup(void)
{
	esc_setup(&db, NULL, &pald, NULL, admin, sizeof(admin));
	esc_garantes_crear(INSTITUCION, COMPROMISO_A2, DESC_POR_VENCER, &g);
}

TestSuite(monitoreo, .init = setup, .fini = esc_teardown, .timeout = 120);

static json_t *
pal_of(json_t *reply, long long mesa_id)
{
	json_t *p;
	size_t i;

	json_array_foreach(esc_jarr(reply, "pals"), i, p)
		if (esc_jint(p, "mesa_id") == mesa_id)
			return p;
	return NULL;
}

static json_t *
compromiso_numero(json_t *pal, long long numero)
{
	json_t *c;
	size_t i;

	json_array_foreach(esc_jarr(pal, "compromisos"), i, c)
		if (esc_jint(c, "numero") == numero)
			return c;
	return NULL;
}

static void
check_semaforo(json_t *pal, int cumplido, int a_tiempo, int por_vencer,
    int vencido)
{
	json_t *s = esc_jobj(pal, "semaforo");

	cr_assert_eq(esc_jint(s, "cumplido"), cumplido);
	cr_assert_eq(esc_jint(s, "a_tiempo"), a_tiempo);
	cr_assert_eq(esc_jint(s, "por_vencer"), por_vencer);
	cr_assert_eq(esc_jint(s, "vencido"), vencido);
}

Test(monitoreo, garante_ve_su_entidad)
{
	json_t *j = esc_pal_json(g.gar_a.token, "monitoreo"), *p, *c, *v, *ua;
	struct esc_out o;

	cr_assert_eq(esc_jint(j, "proximas"), 14);
	cr_assert_eq(json_array_size(esc_jarr(j, "pals")), 1);
	p = pal_of(j, g.mesa_a);
	cr_assert_not_null(p);
	cr_assert_str_eq(esc_jstr(p, "entidad"), ESC_G_ENTIDAD_A);
	cr_assert_str_eq(esc_jstr(p, "titulo"), ESC_G_MESA_A);
	check_semaforo(p, 1, 2, 1, 1);
	cr_assert_eq(esc_jint(p, "avance"), 28);	/* 140 / 5 */

	c = compromiso_numero(p, 1);
	cr_assert_not_null(c);
	cr_assert_str_eq(esc_jstr(c, "semaforo"), "vencido");
	cr_assert_eq(esc_jint(c, "avance"), 35);
	cr_assert_eq(json_array_size(esc_jarr(c, "vencidas")), 1);
	v = json_array_get(esc_jarr(c, "vencidas"), 0);
	cr_assert_eq(esc_jint(v, "actividad_id"), g.act_vencida);
	cr_assert_eq(esc_jint(v, "dias_vencida"), 10);
	cr_assert_str_eq(esc_jstr(v, "responsable"), ESC_G_RESP_VENCIDA);
	cr_assert_str_eq(esc_jstr(v, "fecha_limite"),
	    esc_date_add(esc_today_in("America/Mexico_City"), -10));
	ua = esc_jobj(v, "ultimo_avance");
	cr_assert_eq(esc_jint(ua, "avance"), 40);
	cr_assert_str_eq(esc_jstr(ua, "nota"), ESC_G_NOTA);
	cr_assert_eq(json_array_size(esc_jarr(c, "proximas")), 1);
	v = json_array_get(esc_jarr(c, "proximas"), 0);
	cr_assert_eq(esc_jint(v, "actividad_id"), g.act_por_vencer);
	cr_assert_eq(esc_jint(v, "dias"), 3);
	c = compromiso_numero(p, 2);
	cr_assert_str_eq(esc_jstr(c, "semaforo"), "a_tiempo");
	cr_assert_eq(json_array_size(esc_jarr(c, "vencidas")), 0);

	o = esc_pal_ok(g.gar_a.token, "monitoreo");
	cr_assert_not_null(strstr(o.out, ESC_G_MESA_A), "%s", o.out);
	cr_assert_null(strstr(o.out, ESC_G_MESA_B), "%s", o.out);
	cr_assert_null(strstr(o.out, ESC_G_MESA_C), "%s", o.out);
	cr_assert_not_null(strstr(o.out, "avance 28 %"), "%s", o.out);
	cr_assert_not_null(strstr(o.out, "● vencido 1"), "%s", o.out);
	cr_assert_not_null(strstr(o.out, "◐ por vencer 1"), "%s", o.out);
	cr_assert_not_null(strstr(o.out, "○ a tiempo 2"), "%s", o.out);
	cr_assert_not_null(strstr(o.out, "✓ cumplido 1"), "%s", o.out);
	cr_assert_not_null(strstr(o.out, "Padrón de proveedores"), "%s",
	    o.out);
	cr_assert_not_null(strstr(o.out, h_strf("próximo vencimiento: %s",
	    esc_date_add(esc_today_in("America/Mexico_City"), 3))), "%s",
	    o.out);
	cr_assert_not_null(strstr(o.out, ESC_G_DESC_VENCIDA), "%s", o.out);
	cr_assert_not_null(strstr(o.out, ESC_G_RESP_VENCIDA), "%s", o.out);
	cr_assert_not_null(strstr(o.out, "hace 10 días"), "%s", o.out);
	cr_assert_not_null(strstr(o.out, "en progreso, 40 %"), "%s", o.out);

	/* Another entidad is refused, not answered with nothing. */
	esc_pal_expect(g.gar_a.token, 2, "prohibido", "monitoreo", "--entidad",
	    ESC_G_ENTIDAD_B);
	esc_api_refused("GET", "/v1/monitoreo?entidad=" ESC_G_ENTIDAD_B,
	    g.gar_a.token, NULL, 403, "prohibido");
	esc_api_refused("GET", "/v1/monitoreo/actividades.csv?entidad="
	    ESC_G_ENTIDAD_B, g.gar_a.token, NULL, 403, "prohibido");
	j = esc_pal_json(g.gar_a.token, "monitoreo", "--entidad", ESC_G_ENTIDAD_A);
	cr_assert_eq(json_array_size(esc_jarr(j, "pals")), 1);
}

Test(monitoreo, quien_ve_que)
{
	json_t *j = esc_pal_json(admin, "monitoreo"), *p;

	cr_assert_eq(json_array_size(esc_jarr(j, "pals")), 2);
	cr_assert_not_null(pal_of(j, g.mesa_a));
	p = pal_of(j, g.mesa_b);
	cr_assert_not_null(p);
	check_semaforo(p, 0, 1, 0, 1);

	j = esc_pal_json(g.gar_todos.token, "monitoreo");
	cr_assert_eq(json_array_size(esc_jarr(j, "pals")), 2);
	j = esc_pal_json(admin, "monitoreo", "--entidad", ESC_G_ENTIDAD_B);
	cr_assert_eq(json_array_size(esc_jarr(j, "pals")), 1);
	cr_assert_not_null(pal_of(j, g.mesa_b));

	j = esc_pal_json(g.fac_b.token, "monitoreo");
	cr_assert_eq(json_array_size(esc_jarr(j, "pals")), 1);
	cr_assert_not_null(pal_of(j, g.mesa_b));
	j = esc_pal_json(g.fac_a.token, "monitoreo", "--entidad", ESC_G_ENTIDAD_B);
	cr_assert_eq(json_array_size(esc_jarr(j, "pals")), 0);
	cr_assert_not_null(strstr(esc_pal_ok(g.fac_a.token, "monitoreo",
	    "--entidad", ESC_G_ENTIDAD_B).out, "No hay PAL"));
}

Test(monitoreo, filtros)
{
	json_t *j = esc_pal_json(admin, "monitoreo", "--vencidas"), *p, *c;

	cr_assert_eq(json_array_size(esc_jarr(j, "pals")), 2);
	p = pal_of(j, g.mesa_a);
	check_semaforo(p, 1, 2, 1, 1);
	cr_assert_eq(json_array_size(esc_jarr(p, "compromisos")), 1);
	c = compromiso_numero(p, 1);
	cr_assert_eq(json_array_size(esc_jarr(c, "vencidas")), 1);
	cr_assert_eq(json_array_size(esc_jarr(c, "proximas")), 0);

	/* A mesa with nothing overdue drops out. */
	h_db_exec(&db, "UPDATE actividades SET fecha_limite = fecha_limite"
	    " + 5 WHERE mesa_id = $1", esc_id_text(g.mesa_b));
	j = esc_pal_json(admin, "monitoreo", "--vencidas");
	cr_assert_eq(json_array_size(esc_jarr(j, "pals")), 1);
	cr_assert_null(pal_of(j, g.mesa_b));

	j = esc_pal_json(g.gar_a.token, "monitoreo", "--proximas", "2");
	cr_assert_eq(esc_jint(j, "proximas"), 2);
	p = pal_of(j, g.mesa_a);
	check_semaforo(p, 1, 3, 0, 1);
	cr_assert_eq(json_array_size(esc_jarr(compromiso_numero(p, 1),
	    "proximas")), 0);
	j = esc_pal_json(g.gar_a.token, "monitoreo", "--proximas", "366");
	check_semaforo(pal_of(j, g.mesa_a), 1, 0, 3, 1);

	/* Bad values: locally exit 1, from the API 422. */
	esc_pal_expect(g.gar_a.token, 1, NULL, "monitoreo", "--proximas", "0");
	esc_pal_expect(g.gar_a.token, 1, NULL, "monitoreo", "--proximas",
	    "367");
	esc_pal_expect(g.gar_a.token, 1, NULL, "monitoreo", "--proximas", "x");
	esc_pal_expect(g.gar_a.token, 1, NULL, "monitoreo", "ver");
	esc_api_refused("GET", "/v1/monitoreo?proximas=0", g.gar_a.token, NULL,
	    422, "proximas_invalido");
	esc_api_refused("GET", "/v1/monitoreo?proximas=367", g.gar_a.token,
	    NULL, 422, "proximas_invalido");
	esc_api_refused("GET", "/v1/monitoreo?proximas=-3", g.gar_a.token,
	    NULL, 422, "proximas_invalido");
	esc_api_refused("GET", "/v1/monitoreo/actividades.json?proximas=abc",
	    g.gar_a.token, NULL, 422, "proximas_invalido");
	esc_api_refused("GET", "/v1/monitoreo?vencidas=2", g.gar_a.token, NULL,
	    422, "vencidas_invalido");
	esc_api("GET", "/v1/monitoreo?vencidas=0&proximas=1", g.gar_a.token,
	    NULL, 200);
	esc_api_refused("GET", "/v1/monitoreo", NULL, NULL, 401, NULL);
}

/* RFC 4180 rows of text (test-lived fields); the number of rows. */
static size_t
csv_parse(const char *s, const char *rows[][15], size_t max_rows)
{
	size_t r = 0, f = 0;

	while (*s != '\0') {
		struct { char *p; size_t n; } cell = { NULL, 0 };
		char *buf = calloc(1, strlen(s) + 1);

		cr_assert_lt(r, max_rows);
		cr_assert_lt(f, 15, "row %zu has too many fields", r);
		cell.p = buf;
		if (*s == '"') {
			for (s++;; s++) {
				cr_assert_neq(*s, '\0', "unterminated quote");
				if (*s == '"' && s[1] == '"')
					cell.p[cell.n++] = *s++;
				else if (*s == '"') {
					s++;
					break;
				} else
					cell.p[cell.n++] = *s;
			}
		} else {
			while (*s != '\0' && *s != ',' && *s != '\r')
				cell.p[cell.n++] = *s++;
		}
		rows[r][f] = h_strf("%s", buf);
		free(buf);
		if (*s == ',') {
			s++;
			f++;
		} else {
			cr_assert(s[0] == '\r' && s[1] == '\n', "bad row end");
			cr_assert_eq(f, 14, "row %zu has %zu fields", r, f + 1);
			s += 2;
			r++;
			f = 0;
		}
	}
	return r;
}

Test(monitoreo, exportar)
{
	static const char *rows[16][15];
	const char *csv_path = h_path("actividades.csv");
	const char *json_path = h_path("actividades.json");
	char *text;
	json_t *j, *acts, *a;
	size_t n, i, k;

	esc_pal_ok(g.gar_a.token, "monitoreo", "exportar", "--formato", "csv",
	    "-o", csv_path);
	text = h_read_file(csv_path, NULL);
	n = csv_parse(h_strf("%s", text), rows, 16);
	free(text);
	cr_assert_eq(n, 6, "header and one row per activity of mesa A");
	cr_assert_str_eq(rows[0][0], "mesa_id");
	cr_assert_str_eq(rows[0][13], "semaforo");
	cr_assert_str_eq(rows[0][14], "dias");
	cr_assert_str_eq(rows[1][4], ESC_G_COMPROMISO_A1);
	cr_assert_str_eq(rows[1][9], INSTITUCION);
	cr_assert(h_file_contains(csv_path, "\"Contratos abiertos, "
	    "\"\"obra pública\"\"\""));

	/* The file is never replaced. */
	esc_pal_expect(g.gar_a.token, 1, NULL, "monitoreo", "exportar",
	    "--formato", "csv", "-o", csv_path);
	esc_pal_expect(g.gar_a.token, 1, NULL, "monitoreo", "exportar",
	    "--vencidas");
	esc_pal_expect(g.gar_a.token, 1, NULL, "monitoreo", "--formato", "csv");
	esc_pal_expect(g.gar_a.token, 2, "prohibido", "monitoreo", "exportar",
	    "--formato", "json", "--entidad", ESC_G_ENTIDAD_B);

	esc_pal_ok(g.gar_a.token, "monitoreo", "exportar", "--formato", "json",
	    "-o", json_path);
	text = h_read_file(json_path, NULL);
	j = esc_keep(json_loads(text, 0, NULL));
	free(text);
	cr_assert_not_null(j);
	acts = esc_jarr(j, "actividades");
	cr_assert_eq(json_array_size(acts), n - 1);
	json_array_foreach(acts, i, a) {
		const char *const *row = rows[i + 1];

		cr_assert_str_eq(row[0], esc_id_text(esc_jint(a, "mesa_id")));
		cr_assert_str_eq(row[1], esc_jstr(a, "entidad"));
		cr_assert_str_eq(row[6],
		    esc_id_text(esc_jint(a, "actividad_id")));
		cr_assert_str_eq(row[11], esc_jstr(a, "estado"));
		cr_assert_str_eq(row[13], esc_jstr(a, "semaforo"));
		cr_assert_str_eq(row[14], h_strf("%lld",
		    esc_jint(a, "dias")));
		if (esc_jint(a, "actividad_id") == g.act_vencida) {
			cr_assert_str_eq(row[13], "vencido");
			cr_assert_str_eq(row[14], "-10");
			cr_assert_str_eq(row[12], "40");
		}
		if (esc_jint(a, "actividad_id") == g.act_por_vencer) {
			cr_assert_str_eq(row[13], "por_vencer");
			/* A formula in a cell is neutralised. */
			cr_assert_str_eq(row[7], "'" DESC_POR_VENCER);
			cr_assert_str_eq(esc_jstr(a, "actividad"),
			    DESC_POR_VENCER);
		}
		for (k = 0; k < 15; k++)
			cr_assert_not_null(json_object_get(a, rows[0][k]),
			    "no %s", rows[0][k]);
	}

	/* The admin's export has both mesas, to standard output. */
	n = csv_parse(esc_pal_ok(admin, "monitoreo", "exportar", "--formato",
	    "csv").out, rows, 16);
	cr_assert_eq(n, 8);
}

/*
 * One query for the whole answer: 10,000 activities in 1,000 commitments
 * answer well within a second on a normal build (the bound here leaves
 * room for the sanitizer build).
 */
Test(monitoreo, diez_mil_actividades)
{
	long long m = esc_sql_mesa(g.fac_b.id, "Mesa grande", ESC_G_ENTIDAD_B,
	    "America/Mexico_City", "en_seguimiento"), t0, ms;
	json_t *j, *p;

	h_db_exec(&db, "INSERT INTO compromisos (mesa_id, numero, titulo,"
	    " tipo, inicio, fin) SELECT $1, n, 'Compromiso ' || n, 'local',"
	    " current_date - 100,"
	    " (current_date - 100 + interval '1 year' - interval '1 day')::date"
	    " FROM generate_series(1, 1000) n", esc_id_text(m));
	h_db_exec(&db, "INSERT INTO actividades (mesa_id, compromiso_id,"
	    " numero, descripcion, responsable_nombre, responsable_email,"
	    " fecha_limite) SELECT $1, c.id, k, 'Actividad ' || k,"
	    " 'Responsable', 'r@mun.gob.mx', current_date - 50 + k * 10"
	    " FROM compromisos c, generate_series(1, 10) k"
	    " WHERE c.mesa_id = $1", esc_id_text(m));
	h_db_exec(&db, "ANALYZE");
	t0 = h_now_ms();
	j = esc_api("GET", "/v1/monitoreo?entidad=" ESC_G_ENTIDAD_B, admin, NULL,
	    200);
	ms = h_now_ms() - t0;
	p = pal_of(j, m);
	cr_assert_not_null(p);
	cr_assert_eq(json_array_size(esc_jarr(p, "compromisos")), 1000);
	cr_assert_lt(ms, 5000, "%lld ms", ms);
	t0 = h_now_ms();
	esc_api("GET", "/v1/monitoreo/actividades.json", admin, NULL, 200);
	cr_log_info("monitoreo: 10,000 activities in %lld ms, export in %lld"
	    " ms", ms, h_now_ms() - t0);
}
