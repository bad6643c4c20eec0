/*
 * Scenario helpers for the integration tests (see escenario.h): one copy
 * of what the suites of the preparation, the session, the acuerdos, the
 * mail, the follow-up (dashboard, digests, reminders) and the hostile and
 * security suites used to write each for itself, bound to the suite's
 * servers by esc_setup.
 *
 * It deliberately holds only what several suites do the same way: a
 * check that one suite alone makes, or makes differently, stays in that
 * suite's file, next to the tests that read it. It starts nothing of its
 * own (harness.c does) and asserts nothing a caller did not ask for.
 */
#include "escenario.h"

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "xmalloc.h"

/* The bound servers, borrowed from the suite (see esc_setup). */
static struct h_db	*esc_db;
static struct h_smtp	*esc_smtp;
static struct h_pald	*esc_pald;
static const char	*esc_admin;

/* JSON kept until esc_teardown. */
static json_t		**kept;
static size_t		 n_kept, kept_cap;

/*
 * The suite's servers.
 */

void
esc_setup(struct h_db *db, struct h_smtp *smtp, struct h_pald *pald,
    const char *extra_config, char *admin, size_t admin_size)
{
	esc_db = db;
	esc_smtp = smtp;
	esc_pald = pald;
	esc_admin = admin;
	h_db_create(db);
	if (smtp != NULL)
		h_smtp_start(smtp);
	h_pald_start(pald, db, smtp, extra_config);
	h_pald_admin_token(pald, admin, admin_size);
}

void
esc_teardown(void)
{
	cr_assert_not_null(esc_pald, "esc_teardown without esc_setup");
	h_pald_stop(esc_pald);
	if (esc_smtp != NULL)
		h_smtp_stop(esc_smtp);
	h_db_drop(esc_db);
	while (n_kept > 0)
		json_decref(kept[--n_kept]);
	free(kept);
	kept = NULL;
	kept_cap = 0;
}

json_t *
esc_keep(json_t *j)
{
	if (j == NULL)
		return NULL;
	if (n_kept == kept_cap) {
		kept_cap = kept_cap == 0 ? 256 : kept_cap * 2;
		kept = xrealloc(kept, kept_cap * sizeof(*kept));
	}
	kept[n_kept++] = j;
	return j;
}

/* The bound pald; fails the test if esc_setup was not called. */
static struct h_pald *
esc_bound_pald(void)
{
	cr_assert_not_null(esc_pald, "a scenario helper before esc_setup");
	return esc_pald;
}

static struct h_db *
esc_bound_db(void)
{
	cr_assert_not_null(esc_db, "a scenario helper before esc_setup");
	return esc_db;
}

static struct h_smtp *
esc_bound_smtp(void)
{
	cr_assert_not_null(esc_smtp, "a mail helper in a suite without a "
	    "mail catcher");
	return esc_smtp;
}

/*
 * `pal`.
 */

const char *
esc_argv_text(const char *const *argv)
{
	const char *s = "pal";

	for (size_t i = 0; argv[i] != NULL; i++)
		s = h_strf("%s %s", s, argv[i]);
	return s;
}

struct esc_out
esc_pal_v(const char *tok, const char *const *argv)
{
	struct h_run run = h_pal_argv(esc_bound_pald(), tok, NULL, NULL, 0,
	    argv);
	struct esc_out o;

	o.status = run.status;
	o.out = h_strf("%s", run.out != NULL ? run.out : "");
	o.err = h_strf("%s", run.err != NULL ? run.err : "");
	h_run_free(&run);
	return o;
}

struct esc_out
esc_pal_expect_v(const char *tok, int status, const char *code,
    const char *const *argv)
{
	struct esc_out o = esc_pal_v(tok, argv);

	cr_assert_eq(o.status, status, "%s: exit %d, expected %d\n"
	    "stdout: %s\nstderr: %s", esc_argv_text(argv), o.status, status,
	    o.out, o.err);
	if (code != NULL)
		cr_assert(strstr(o.err, h_strf("(%s)", code)) != NULL,
		    "%s: expected (%s) on stderr, got: %s",
		    esc_argv_text(argv), code, o.err);
	return o;
}

struct esc_out
esc_pal_fails_v(const char *tok, const char *code, const char *const *argv)
{
	struct esc_out o = esc_pal_v(tok, argv);

	cr_assert(o.status == 1 || o.status == 2, "%s: exit %d, expected 1 "
	    "or 2\nstdout: %s\nstderr: %s", esc_argv_text(argv), o.status,
	    o.out, o.err);
	if (o.status == 2 && code != NULL)
		cr_assert(strstr(o.err, h_strf("(%s)", code)) != NULL,
		    "%s: expected (%s) on stderr, got: %s",
		    esc_argv_text(argv), code, o.err);
	return o;
}

json_t *
esc_pal_json_v(const char *tok, int status, const char *const *argv)
{
	struct esc_out o = esc_pal_expect_v(tok, status, NULL, argv);
	json_error_t e;
	json_t *j = json_loads(o.out, 0, &e);

	cr_assert_not_null(j, "%s: stdout is not JSON (%s): %s",
	    esc_argv_text(argv), e.text, o.out);
	return esc_keep(j);
}

/*
 * The raw API.
 */

json_t *
esc_api(const char *method, const char *path, const char *tok,
    const char *json, long status)
{
	struct h_http r = h_api(esc_bound_pald(), method, path, tok, json);
	json_t *j;

	cr_assert_eq(r.status, status, "%s %s: HTTP %ld, expected %ld: %s",
	    method, path, r.status, status, r.body);
	j = esc_keep(h_http_json(&r));
	h_http_free(&r);
	return j;
}

json_t *
esc_api_refused(const char *method, const char *path, const char *tok,
    const char *json, long status, const char *code)
{
	json_t *j = esc_api(method, path, tok, json, status);
	json_t *e = json_object_get(j, "error");

	cr_assert(json_is_object(e), "%s %s: no error object", method, path);
	cr_assert(json_is_string(json_object_get(e, "message")) &&
	    json_string_length(json_object_get(e, "message")) > 0,
	    "%s %s: error without a message", method, path);
	if (code != NULL)
		cr_assert_str_eq(json_string_value(json_object_get(e, "code")),
		    code, "%s %s", method, path);
	return j;
}

/*
 * JSON members.
 */

long long
esc_jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_integer(v), "\"%s\" is not an integer", key);
	return json_integer_value(v);
}

const char *
esc_jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(v == NULL || json_is_null(v) || json_is_string(v),
	    "\"%s\" is not a string", key);
	return json_string_value(v);
}

json_t *
esc_jarr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_array(v), "\"%s\" is not an array", key);
	return v;
}

json_t *
esc_jobj(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	cr_assert(json_is_object(v), "\"%s\" is not an object", key);
	return v;
}

const char *
esc_id_text(long long id)
{
	return h_strf("%lld", id);
}

const char *
esc_json_text(json_t *v)
{
	char *text;
	const char *out;

	cr_assert_not_null(v, "esc_json_text: no value (json_pack failed?)");
	text = json_dumps(v, JSON_COMPACT);
	cr_assert_not_null(text, "esc_json_text: json_dumps failed");
	out = h_strf("%s", text);
	free(text);
	json_decref(v);
	return out;
}

/*
 * Dates.
 */

const char *
esc_today_in(const char *tz)
{
	return h_db_query_str(esc_bound_db(),
	    "SELECT (now() AT TIME ZONE $1)::date::text", tz);
}

const char *
esc_date_add(const char *date, int days)
{
	return h_db_query_str(esc_bound_db(),
	    "SELECT ($1::date + $2::int)::text", date, h_strf("%d", days));
}

const char *
esc_date_long(const char *iso)
{
	static const char *const months[] = { "enero", "febrero", "marzo",
	    "abril", "mayo", "junio", "julio", "agosto", "septiembre",
	    "octubre", "noviembre", "diciembre" };
	int y, m, d;

	cr_assert_eq(sscanf(iso, "%d-%d-%d", &y, &m, &d), 3);
	return h_strf("%d de %s de %d", d, months[m - 1], y);
}

/*
 * Bytes and text.
 */

const char *
esc_sha256_hex(const void *data, size_t len)
{
	unsigned char digest[32];
	char hex[65];

	EVP_Digest(data, len, digest, NULL, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return h_strf("%s", hex);
}

char *
esc_b64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), pad = 0;
	char *out = xmalloc(n / 4 * 3 + 4);
	int r;

	r = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)s,
	    (int)n);
	cr_assert_geq(r, 0, "bad base64");
	/* EVP_DecodeBlock counts the padding as decoded zero bytes. */
	while (pad < 2 && n > pad && s[n - 1 - pad] == '=')
		pad++;
	*len = (size_t)r - pad;
	out[*len] = '\0';
	return out;
}

const char *
esc_find_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return NULL;
}

const char *
esc_utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return s;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return h_strf("%.*s", (int)n, s);
}

int
esc_count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/*
 * The domain.
 */

struct esc_usuario
esc_usuario_crear(const char *nombre, const char *email, const char *rol,
    const char *entidad)
{
	struct esc_usuario u;
	json_t *j;

	cr_assert_not_null(esc_admin, "a scenario helper before esc_setup");
	if (entidad != NULL)
		j = esc_pal_json(esc_admin, "usuario", "crear", "--nombre",
		    nombre, "--email", email, "--rol", rol, "--entidad",
		    entidad);
	else
		j = esc_pal_json(esc_admin, "usuario", "crear", "--nombre",
		    nombre, "--email", email, "--rol", rol);
	u.id = esc_jint(j, "id");
	u.token = h_strf("%s", esc_jstr(j, "token"));
	cr_assert_eq(strlen(u.token), 64, "token: %s", u.token);
	u.nombre = nombre;
	u.email = email;
	return u;
}

json_t *
esc_actor_agregar(const char *tok, long long mesa, const struct esc_actor *a)
{
	if (a->cargo != NULL)
		return esc_pal_json(tok, "actor", "agregar", esc_id_text(mesa),
		    "--nombre", a->nombre, "--email", a->email, "--sector",
		    a->sector, "--organizacion", a->organizacion, "--cargo",
		    a->cargo);
	return esc_pal_json(tok, "actor", "agregar", esc_id_text(mesa),
	    "--nombre", a->nombre, "--email", a->email, "--sector", a->sector,
	    "--organizacion", a->organizacion);
}

void
esc_materiales_recibidos(const char *tok, long long mesa, const char *hoy,
    const long long *actor, int n, const char *const titulos[2],
    long long *mat)
{
	const char *d20 = esc_date_add(hoy, -20), *d15 = esc_date_add(hoy, -15);
	const char *sid = esc_id_text(mesa);
	int n_mat = n < 2 ? n : 2;
	long long ids[2] = { 0, 0 };

	for (int k = 0; k < n_mat; k++) {
		json_t *j = esc_pal_json(tok, "material", "agregar", sid,
		    "--actor", esc_id_text(actor[k]), "--tipo",
		    k == 0 ? "problematicas" : "consulta_publica", "--titulo",
		    titulos[k], "--fecha", d20, "--texto",
		    "Contenido del material.");

		ids[k] = esc_jint(j, "id");
	}
	/* The author of a material has it already: only the others. */
	for (int i = 0; i < n; i++)
		for (int k = 0; k < n_mat; k++) {
			if (i == k)
				continue;
			esc_pal_json(tok, "acuse", "registrar", sid, "--actor",
			    esc_id_text(actor[i]), "--material",
			    esc_id_text(ids[k]), "--medio", "entrega en mano",
			    "--fecha", d15);
		}
	if (mat != NULL)
		memcpy(mat, ids, sizeof(ids));
}

const char *
esc_mesa_fase(const char *tok, long long mesa)
{
	return esc_jstr(esc_pal_json(tok, "mesa", "ver", esc_id_text(mesa)),
	    "fase");
}

json_t *
esc_mesa_eventos(const char *tok, long long mesa)
{
	return esc_jarr(esc_pal_json(tok, "mesa", "linea-tiempo",
	    esc_id_text(mesa)), "eventos");
}

int
esc_event_index(json_t *eventos, const char *tipo, bool last)
{
	size_t i;
	json_t *e;
	int found = -1;

	json_array_foreach(eventos, i, e) {
		if (strcmp(esc_jstr(e, "tipo"), tipo) == 0) {
			found = (int)i;
			if (!last)
				break;
		}
	}
	return found;
}

int
esc_event_count(json_t *eventos, const char *tipo)
{
	size_t i;
	json_t *e;
	int n = 0;

	json_array_foreach(eventos, i, e)
		n += strcmp(esc_jstr(e, "tipo"), tipo) == 0;
	return n;
}

long long
esc_count_in(const char *table, long long mesa)
{
	return h_db_query_int(esc_bound_db(), h_strf("SELECT count(*) FROM "
	    "%s WHERE mesa_id = $1", table), esc_id_text(mesa));
}

const char *
esc_recordatorios_of(long long actividad)
{
	const char *s = h_db_query_str(esc_bound_db(), "SELECT coalesce("
	    "string_agg(tipo || ':' || dias || ':' || rol_destinatario, ' '"
	    " ORDER BY id), '') FROM recordatorios WHERE actividad_id = $1",
	    esc_id_text(actividad));

	return s != NULL ? s : "";
}

/*
 * Rows written straight with SQL.
 */

long long
esc_sql_mesa(long long fac, const char *titulo, const char *entidad,
    const char *zona, const char *fase)
{
	return h_db_query_int(esc_bound_db(), "INSERT INTO mesas (titulo,"
	    " entidad, zona_horaria, fase, facilitador_id, fecha, hora, lugar)"
	    " VALUES ($1, $2, $3, $4, $5,"
	    "  (now() AT TIME ZONE $3)::date - 120, '10:00', 'Cabildo')"
	    " RETURNING id", titulo, entidad, zona, fase, esc_id_text(fac));
}

long long
esc_sql_compromiso(long long mesa, int numero, const char *titulo)
{
	return h_db_query_int(esc_bound_db(), "INSERT INTO compromisos"
	    " (mesa_id, numero, titulo, tipo, inicio, fin)"
	    " SELECT id, $2::int, $3, 'local', h - 100,"
	    "  (h - 100 + interval '1 year' - interval '1 day')::date"
	    " FROM (SELECT id, (now() AT TIME ZONE zona_horaria)::date AS h"
	    "  FROM mesas WHERE id = $1) m RETURNING id", esc_id_text(mesa),
	    h_strf("%d", numero), titulo);
}

long long
esc_sql_actividad(long long compromiso, int numero, int offset,
    const char *desc, const char *resp, const char *institucion,
    const char *estado, int avance)
{
	return h_db_query_int(esc_bound_db(), "INSERT INTO actividades"
	    " (mesa_id, compromiso_id, numero, descripcion,"
	    " responsable_nombre, responsable_institucion, responsable_email,"
	    " fecha_limite, estado, avance, cumplimiento)"
	    " SELECT c.mesa_id, c.id, $2::int, $3, $4, $5, 'resp@mun.gob.mx',"
	    "  (now() AT TIME ZONE m.zona_horaria)::date + $6::int, $7,"
	    "  $8::int, CASE WHEN $7 = 'cumplida' THEN now() END"
	    " FROM compromisos c JOIN mesas m ON m.id = c.mesa_id"
	    " WHERE c.id = $1 RETURNING id", esc_id_text(compromiso),
	    h_strf("%d", numero), desc, resp, institucion,
	    h_strf("%d", offset), estado, h_strf("%d", avance));
}

void
esc_garantes_crear(const char *institucion, const char *compromiso_a2,
    const char *desc_por_vencer, struct esc_garantes *g)
{
	long long c;

	g->gar_a = esc_usuario_crear("Gabriela Garante", "gar@ieaip.mx",
	    "garante", ESC_G_ENTIDAD_A);
	g->gar_todos = esc_usuario_crear("Gonzalo Garante", "gon@inai.mx",
	    "garante", NULL);
	g->fac_a = esc_usuario_crear("Fernanda Facilitadora", "fer@stl.mx",
	    "facilitador", NULL);
	g->fac_b = esc_usuario_crear("Federico Facilitador", "fed@stl.mx",
	    "facilitador", NULL);

	g->mesa_a = esc_sql_mesa(g->fac_a.id, ESC_G_MESA_A, ESC_G_ENTIDAD_A,
	    "America/Mexico_City", "en_seguimiento");
	c = g->comp_a1 = esc_sql_compromiso(g->mesa_a, 1, ESC_G_COMPROMISO_A1);
	g->act_vencida = esc_sql_actividad(c, 1, -10, ESC_G_DESC_VENCIDA,
	    ESC_G_RESP_VENCIDA, institucion, "en_progreso", 40);
	g->act_por_vencer = esc_sql_actividad(c, 2, 3, desc_por_vencer,
	    "Ana Ruiz", institucion, "pendiente", 0);
	esc_sql_actividad(c, 3, 60, "Publicar el padrón", "Ana Ruiz",
	    institucion, "pendiente", 0);
	esc_sql_actividad(c, 4, -5, "Abrir el portal", "Ana Ruiz",
	    institucion, "cumplida", 100);
	c = g->comp_a2 = esc_sql_compromiso(g->mesa_a, 2, compromiso_a2);
	esc_sql_actividad(c, 1, 90, "Depurar el padrón", "Eva Díaz",
	    institucion, "pendiente", 0);
	h_db_exec(esc_bound_db(), "INSERT INTO avances (mesa_id, actividad_id,"
	    " estado, avance, nota, reportado, usuario_id)"
	    " VALUES ($1, $2, 'en_progreso', 40, $3, now() - interval '2 days',"
	    " $4)", esc_id_text(g->mesa_a), esc_id_text(g->act_vencida),
	    ESC_G_NOTA, esc_id_text(g->fac_a.id));

	g->mesa_b = esc_sql_mesa(g->fac_b.id, ESC_G_MESA_B, ESC_G_ENTIDAD_B,
	    "America/Tijuana", "concluida");
	c = esc_sql_compromiso(g->mesa_b, 1, "Obra pública en Zapopan");
	esc_sql_actividad(c, 1, 30, "Publicar las licitaciones", "Raúl Soto",
	    institucion, "pendiente", 0);
	esc_sql_actividad(c, 2, -1, "Instalar el comité", "Raúl Soto",
	    institucion, "pendiente", 0);

	c = esc_sql_compromiso(esc_sql_mesa(g->fac_a.id, ESC_G_MESA_C,
	    ESC_G_ENTIDAD_A, "America/Mexico_City", "acuerdos"), 1,
	    "Sin seguimiento");
	esc_sql_actividad(c, 1, -3, "Nada que vigilar", "Nadie", institucion,
	    "pendiente", 0);
}

/*
 * What "nothing written" means.
 */

const char *
esc_snapshot(void)
{
	/*
	 * Every table of the schema counted (so a new table is watched
	 * without anyone listing it), then what changes without changing a
	 * count. query_to_xml runs the per-table count inside one query.
	 */
	return h_db_query_str(esc_bound_db(), "SELECT concat_ws(' ',"
	    " (SELECT string_agg(table_name || '=' || (xpath('/row/n/text()',"
	    "   query_to_xml(format('SELECT count(*) AS n FROM %I',"
	    "   table_name), false, true, '')))[1]::text, ' '"
	    "   ORDER BY table_name)"
	    "  FROM information_schema.tables WHERE table_schema = 'public'"
	    "  AND table_type = 'BASE TABLE'"
	    "  AND table_name <> 'schema_migrations'),"
	    " (SELECT string_agg(id || fase || titulo, ',' ORDER BY id)"
	    "  FROM mesas),"
	    " (SELECT string_agg(id || estado || avance, ',' ORDER BY id)"
	    "  FROM actividades),"
	    " (SELECT count(*) FROM enlaces WHERE revocado IS NOT NULL),"
	    " (SELECT string_agg(id || titulo, ',' ORDER BY id)"
	    "  FROM compromisos))");
}

void
esc_assert_unchanged(const char *before, const char *what)
{
	const char *after = esc_snapshot();

	cr_assert_str_eq(after, before, "%s wrote something:\nbefore %s\n"
	    "after  %s", what, before, after);
}

/*
 * Mail.
 */

void
esc_expect_mail(int n)
{
	struct h_smtp *smtp = esc_bound_smtp();

	cr_assert_eq(h_smtp_wait(smtp, n, ESC_MAIL_WAIT_MS), n,
	    "expected %d messages, have %d", n, h_smtp_count(smtp));
	h_sleep_ms(700);
	cr_assert_eq(h_smtp_count(smtp), n, "expected %d messages, have %d",
	    n, h_smtp_count(smtp));
}

struct esc_find_arg {
	const char	*rcpt;
	int		 from;
	int		 idx;
};

static bool
esc_find_cb(void *arg)
{
	struct esc_find_arg *a = arg;

	a->idx = h_smtp_find(esc_smtp, a->rcpt, a->from);
	return a->idx >= 0;
}

json_t *
esc_mail_to(const char *rcpt, int from, int *idx)
{
	struct h_smtp *smtp = esc_bound_smtp();
	struct esc_find_arg a = { rcpt, from, -1 };

	cr_assert(h_wait_until(esc_find_cb, &a, ESC_MAIL_WAIT_MS),
	    "no email to %s (from message %d) after %d ms; %d stored", rcpt,
	    from, ESC_MAIL_WAIT_MS, h_smtp_count(smtp));
	if (idx != NULL)
		*idx = a.idx;
	return esc_keep(h_smtp_message(smtp, a.idx));
}

void
esc_check_mail_basics(json_t *msg, const char *rcpt)
{
	json_t *to = esc_jarr(msg, "rcpt_tos");

	cr_assert_eq(json_array_size(to), 1);
	cr_assert(strcasecmp(json_string_value(json_array_get(to, 0)),
	    rcpt) == 0);
	cr_assert(json_is_true(json_object_get(msg, "headers_raw_lines_ok")),
	    "a line of the message to %s does not end in CRLF or is too "
	    "long", rcpt);
	cr_assert(json_is_true(json_object_get(msg, "raw_7bit")),
	    "the message to %s has 8-bit bytes", rcpt);
	cr_assert_eq(json_array_size(esc_jarr(msg, "defects")), 0,
	    "the message to %s has MIME defects: %s", rcpt,
	    json_string_value(json_array_get(esc_jarr(msg, "defects"), 0)));
	cr_assert_not_null(esc_jstr(msg, "text"), "no text part to %s", rcpt);
}

/* The first attachment of msg whose member key equals value by cmp. */
static json_t *
esc_attachment_by(json_t *msg, const char *key, const char *value,
    int (*cmp)(const char *, const char *))
{
	size_t i;
	json_t *a;

	json_array_foreach(esc_jarr(msg, "attachments"), i, a) {
		if (cmp(esc_jstr(a, key), value) == 0)
			return a;
	}
	return NULL;
}

json_t *
esc_attachment_with(json_t *msg, const char *sha)
{
	return esc_attachment_by(msg, "sha256", sha, strcmp);
}

json_t *
esc_attachment_of_type(json_t *msg, const char *ctype)
{
	/* Content types are case-insensitive (RFC 2045). */
	return esc_attachment_by(msg, "content_type", ctype, strcasecmp);
}

const char *
esc_link_token(const char *text)
{
	const char *prefix = h_strf("%s/e/", esc_bound_pald()->url);
	const char *p = strstr(text, prefix);
	size_t n;

	cr_assert_not_null(p, "no personal link %s<token> in:\n%s", prefix,
	    text);
	p += strlen(prefix);
	n = strspn(p, "0123456789abcdef");
	cr_assert_eq(n, 64, "the link token is not 64 hex characters: %s",
	    p);
	return h_strf("%.64s", p);
}

long
esc_link_http(const char *method, const char *token, const char *suffix,
    const char **body, size_t *len, const char **ctype)
{
	const char *url = h_strf("%s/e/%s%s", esc_bound_pald()->url, token,
	    suffix);
	struct h_http r;
	long status;

	/* A browser's form POST: the link's page has no fields. */
	if (strcmp(method, "POST") == 0)
		r = h_http("POST", url, NULL,
		    "application/x-www-form-urlencoded", "", 0);
	else
		r = h_http(method, url, NULL, NULL, NULL, 0);
	cr_assert_neq(r.status, 0, "%s %s: %s", method, url, r.error);
	status = r.status;
	*body = h_strf("%s", r.body != NULL ? r.body : "");
	if (len != NULL) {
		*len = r.len;
		*body = esc_sha256_hex(r.body, r.len);
	}
	if (ctype != NULL) {
		const char *c = h_http_header(&r, "Content-Type");

		*ctype = c != NULL ? c : "";
	}
	h_http_free(&r);
	return status;
}

void
esc_check_html(const char *ctype, const char *body)
{
	cr_assert(esc_find_ci(ctype, "text/html") == ctype,
	    "Content-Type: %s", ctype);
	cr_assert(esc_find_ci(ctype, "charset=utf-8") != NULL,
	    "Content-Type without charset=utf-8: %s", ctype);
	cr_assert(esc_find_ci(body, "<html") != NULL, "not a page: %s", body);
}

char *
esc_ics_unfold(const char *ics, size_t len, const char *what, bool strict)
{
	char *unf = xmalloc(len + 1);
	size_t u = 0, line_start = 0;

	cr_assert(len >= 2 && ics[len - 2] == '\r' && ics[len - 1] == '\n',
	    "%s does not end in CRLF", what);
	for (size_t i = 0; i < len; i++) {
		if (ics[i] == '\n') {
			cr_assert(i > 0 && ics[i - 1] == '\r',
			    "bare LF at byte %zu of %s", i, what);
			if (strict)
				cr_assert_leq(i - 1 - line_start, 75, "a line "
				    "of %zu octets in %s (fold at 75)",
				    i - 1 - line_start, what);
			line_start = i + 1;
		} else if (ics[i] == '\r' && strict)
			cr_assert(i + 1 < len && ics[i + 1] == '\n',
			    "bare CR at byte %zu of %s", i, what);
	}
	/* Unfold: CRLF followed by a space or a tab continues the line. */
	for (size_t i = 0; i < len; i++) {
		if (ics[i] == '\r' && i + 2 < len && ics[i + 1] == '\n' &&
		    (ics[i + 2] == ' ' || ics[i + 2] == '\t')) {
			i += 2;
			continue;
		}
		unf[u++] = ics[i];
	}
	unf[u] = '\0';
	cr_assert(strncmp(unf, "BEGIN:VCALENDAR\r\n", 17) == 0, "%s: %s",
	    what, unf);
	cr_assert(u >= 15 && strcmp(unf + u - 15, "END:VCALENDAR\r\n") == 0,
	    "%s: %s", what, unf);
	return unf;
}
