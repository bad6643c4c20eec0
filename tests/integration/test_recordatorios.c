/*
 * The reminder engine end to end (issue 5, DESIGN.md section 3): a mesa
 * en_seguimiento is written straight into the database (the path to it
 * through `pal` is test_acuerdos.c's), with activities whose deadlines
 * lie 31, 30, 7, 1 and 0 days ahead and 1, 8 and 15 days behind today
 * in the mesa's zone, plus a completed one. Passes run on demand through
 * POST /v1/recordatorios/ejecutar (the daemon's own job is kept away
 * with recordatorio_periodo_s = 3600, except where two daemons plan on
 * their own), and what matters is what reaches the SMTP server: the
 * right reminder per offset, with the days, the deadline, the PAL and a
 * working progress link; copies to the facilitator from 7 days overdue
 * and to the garante from 14; each reminder once across passes,
 * restarts and two daemons; only the latest after downtime; the hour of
 * sending and the per-mesa cadence; acuse reminders; a bad cadence in
 * the configuration refused at startup with its file and line.
 *
 * "A day passes" is simulated by moving every deadline and every
 * recorded reminder one day back, which is what the cadence sees.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "escenario.h"
#include "harness.h"
#include "token.h"

#define TZ		"America/Mexico_City"
#define HOY		"(now() AT TIME ZONE 'America/Mexico_City')::date"
#define EXTRA		"recordatorio_hora = 00:00\n" \
			"recordatorio_periodo_s = 3600\n"

static struct h_db db;
static struct h_smtp smtp;
static struct h_pald pald;
static char admin[80];

static json_t *kept[256];
static size_t n_kept;

static void
setup(void)
{
	esc_setup(&db, &smtp, &pald, EXTRA, admin, sizeof(admin));
}

static void
teardown(void)
{
	esc_teardown();
	while (n_kept > 0)
		json_decref(kept[--n_kept]);
}

TestSuite(recordatorios, .init = setup, .fini = teardown, .timeout = 120);

static json_t *
keep(json_t *j)
{
	cr_assert_lt(n_kept, sizeof(kept) / sizeof(kept[0]));
	kept[n_kept++] = j;
	return j;
}

/*
 * Fixtures, written with SQL.
 */

/* The activities of the standard mesa: deadline today + offset. */
static const int offsets[] = { 31, 30, 7, 1, 0, -1, -8, -15 };
#define N_OFFSETS	(sizeof(offsets) / sizeof(offsets[0]))

struct fx {
	long long	 fac;
	long long	 mesa;
	long long	 compromiso;
	long long	 act[N_OFFSETS];
	long long	 cumplida;
	long long	 garante;
};

static const char *
id_text(long long id)
{
	return h_strf("%lld", id);
}

static long long
facilitador(void)
{
	return h_db_query_int(&db, "INSERT INTO usuarios (nombre, email, rol)"
	    " VALUES ('Fernanda Facilitadora', 'Fac@Ejemplo.mx',"
	    " 'facilitador') RETURNING id");
}

/* A mesa of fac in fase, zone zona; en_seguimiento ones are scheduled. */
static long long
mesa(long long fac, const char *fase, const char *zona, const char *titulo)
{
	return h_db_query_int(&db, "INSERT INTO mesas (titulo, entidad,"
	    " zona_horaria, fase, facilitador_id, fecha, hora, lugar)"
	    " SELECT $1, 'Oaxaca', $2, $3, $4,"
	    "  CASE WHEN $3 = 'en_seguimiento' THEN " HOY " - 100 END,"
	    "  CASE WHEN $3 = 'en_seguimiento' THEN time '10:00' END,"
	    "  CASE WHEN $3 = 'en_seguimiento' THEN 'Sala de cabildo' END"
	    " RETURNING id", titulo, zona, fase, id_text(fac));
}

static long long
actor(long long m, const char *nombre, const char *email, const char *sector)
{
	return h_db_query_int(&db, "INSERT INTO actores (mesa_id, nombre,"
	    " email, sector) VALUES ($1, $2, $3, $4) RETURNING id",
	    id_text(m), nombre, email, sector);
}

static long long
compromiso(long long m)
{
	return h_db_query_int(&db, "INSERT INTO compromisos (mesa_id, numero,"
	    " titulo, tipo, inicio, fin) VALUES ($1, 1, 'Contratos abiertos',"
	    " 'contrataciones_abiertas', " HOY " - 100,"
	    " (" HOY " - 100 + interval '1 year' - interval '1 day')::date)"
	    " RETURNING id", id_text(m));
}

static const char *
descripcion(int offset)
{
	return h_strf("Publicar el padrón de contratistas (%+d)", offset);
}

static const char *
resp_email(int offset)
{
	return h_strf("Resp%d@Mun.gob.mx", offset + 100);
}

static long long
actividad(long long m, long long c, int numero, int offset,
    const char *estado)
{
	return h_db_query_int(&db, "INSERT INTO actividades (mesa_id,"
	    " compromiso_id, numero, descripcion, responsable_nombre,"
	    " responsable_email, fecha_limite, estado, avance, cumplimiento)"
	    " VALUES ($1, $2, $3, $4, $5, $6, " HOY " + $7::int, $8,"
	    "  CASE WHEN $8 = 'cumplida' THEN 100 ELSE 0 END,"
	    "  CASE WHEN $8 = 'cumplida' THEN now() END) RETURNING id",
	    id_text(m), id_text(c), h_strf("%d", numero),
	    descripcion(offset), h_strf("Responsable %+d", offset),
	    resp_email(offset), h_strf("%d", offset), estado);
}

/* The standard mesa en_seguimiento, in Mexico City's zone. */
static struct fx
seed(void)
{
	struct fx fx;

	memset(&fx, 0, sizeof(fx));
	fx.fac = facilitador();
	fx.mesa = mesa(fx.fac, "en_seguimiento", TZ,
	    "Transparencia en obra pública");
	actor(fx.mesa, "Ana Ruiz", "ana@osc.mx", "sociedad_civil");
	fx.garante = actor(fx.mesa, "Gabriela Garante", "Garante@IAIP.mx",
	    "organismo_garante");
	fx.compromiso = compromiso(fx.mesa);
	for (size_t i = 0; i < N_OFFSETS; i++)
		fx.act[i] = actividad(fx.mesa, fx.compromiso, (int)i + 1,
		    offsets[i], "pendiente");
	fx.cumplida = actividad(fx.mesa, fx.compromiso, N_OFFSETS + 1, 7,
	    "cumplida");
	return fx;
}

static size_t
offset_index(int offset)
{
	for (size_t i = 0; i < N_OFFSETS; i++)
		if (offsets[i] == offset)
			return i;
	cr_assert_fail("no activity at %+d", offset);
	return 0;
}

/* The local day number of today in Mexico City. */
static int
hoy(void)
{
	return (int)h_db_query_int(&db, "SELECT " HOY " - date '1970-01-01'");
}

/* "A day passes": every deadline and recorded reminder one day back. */
static void
un_dia_despues(void)
{
	h_db_exec(&db, "UPDATE actividades SET fecha_limite ="
	    " fecha_limite - 1");
	h_db_exec(&db, "UPDATE recordatorios SET fecha = fecha - 1");
}

/*
 * Passes.
 */

/* One pass on p; its reply, kept. */
static json_t *
pasada_en(const struct h_pald *p)
{
	struct h_http r = h_api(p, "POST", "/v1/recordatorios/ejecutar",
	    admin, NULL);
	json_t *j;

	cr_assert_eq(r.status, 200, "ejecutar: HTTP %ld: %s", r.status,
	    r.body);
	j = h_http_json(&r);
	cr_assert_not_null(j, "ejecutar: not JSON: %s", r.body);
	h_http_free(&r);
	cr_assert(json_is_integer(json_object_get(j, "planificados")));
	cr_assert_eq(json_integer_value(json_object_get(j, "planificados")),
	    (json_int_t)json_array_size(json_object_get(j, "recordatorios")));
	return keep(j);
}

static json_t *
pasada(void)
{
	return pasada_en(&pald);
}

static long long
planificados(const json_t *j)
{
	return json_integer_value(json_object_get(j, "planificados"));
}

static long long
count(const char *sql)
{
	return h_db_query_int(&db, sql);
}

/* The text of the only message to rcpt from message `from` on. */
static json_t *
message_to(const char *rcpt, int from)
{
	int i = h_smtp_find(&smtp, rcpt, from);

	cr_assert_geq(i, 0, "no message to %s", rcpt);
	return keep(h_smtp_message(&smtp, i));
}

static const char *
text_of(json_t *msg)
{
	const char *t = json_string_value(json_object_get(msg, "text"));

	cr_assert_not_null(t, "message without text");
	return t;
}

static const char *
subject_of(json_t *msg)
{
	const char *s = json_string_value(json_object_get(msg, "subject"));

	cr_assert_not_null(s, "message without subject");
	return s;
}

/* The token of the first "{url}/e/{token}" in text, or NULL. Test-lived. */
static const char *
link_token(const char *text, const char *url)
{
	const char *p = strstr(text, h_strf("%s/e/", url));

	if (p == NULL)
		return NULL;
	p += strlen(url) + 3;
	for (int i = 0; i < TOKEN_TEXT_LEN; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		    (p[i] >= 'a' && p[i] <= 'f')))
			return NULL;
	return h_strf("%.*s", TOKEN_TEXT_LEN, p);
}

static const char *
fecha_larga(int dia)
{
	char s[80];

	dates_format_long(dia, s, sizeof(s));
	return h_strf("%s", s);
}

/*
 * The tests.
 */

Test(recordatorios, each_offset_gets_its_reminder_once)
{
	struct fx fx = seed();
	json_t *j, *item;
	size_t i;
	int today = hoy();
	struct {
		int		 offset;
		const char	*rows;
		const char	*subject_end;
	} want[] = {
		{ 31, "", NULL },
		{ 30, "previo:30:responsable", "» vence en 30 días" },
		{ 7, "previo:7:responsable", "» vence en 7 días" },
		{ 1, "previo:1:responsable", "» vence mañana" },
		{ 0, "vencimiento:0:responsable", "» vence hoy" },
		{ -1, "vencida:-1:responsable", NULL },
		{ -8, "vencida:-8:responsable vencida:-8:facilitador", NULL },
		{ -15, "vencida:-15:responsable vencida:-15:facilitador "
		    "vencida:-15:garante", NULL },
	};

	j = pasada();
	cr_assert_eq(planificados(j), 10, "%s", json_dumps(j, 0));
	json_array_foreach(json_object_get(j, "recordatorios"), i, item) {
		const char *dest = json_string_value(json_object_get(item,
		    "destinatario"));

		cr_assert(json_is_integer(json_object_get(item, "id")));
		cr_assert_eq(json_integer_value(json_object_get(item,
		    "mesa_id")), fx.mesa);
		cr_assert(json_is_null(json_object_get(item, "actor_id")));
		cr_assert(json_is_integer(json_object_get(item,
		    "outbox_id")));
		cr_assert_not_null(dest);
		for (const char *c = dest; *c != '\0'; c++)
			cr_assert(!(*c >= 'A' && *c <= 'Z'), "%s not "
			    "lowercased", dest);
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(
		    want[i].offset)]), want[i].rows, "activity at %+d",
		    want[i].offset);
	cr_assert_str_eq(esc_recordatorios_of(fx.cumplida), "");
	cr_assert_eq(count("SELECT count(*) FROM recordatorios"
	    " WHERE outbox_id IS NULL"), 0);
	/* The facilitator's two copies go out as one email. */
	cr_assert_eq(count("SELECT count(*) FROM outbox"
	    " WHERE tipo = 'recordatorio'"), 9);
	cr_assert_eq(count("SELECT count(DISTINCT outbox_id) FROM recordatorios"
	    " WHERE rol_destinatario = 'facilitador'"), 1);
	esc_expect_mail(9);

	/* What each responsable reads. */
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int off = want[i].offset;
		json_t *msg;
		const char *text, *subject, *tok;
		char hash[TOKEN_HASH_LEN + 1];

		if (want[i].rows[0] == '\0') {
			cr_assert_lt(h_smtp_find(&smtp, resp_email(off), 0), 0,
			    "activity at %+d got mail", off);
			continue;
		}
		msg = message_to(resp_email(off), 0);
		subject = subject_of(msg);
		text = text_of(msg);
		if (off >= 0)
			cr_assert_str_eq(subject, h_strf("Recordatorio: «%s%s",
			    descripcion(off), want[i].subject_end));
		else
			cr_assert_str_eq(subject, h_strf("Vencida hace %d %s: "
			    "«%s»", -off, off == -1 ? "día" : "días",
			    descripcion(off)));
		cr_assert(strstr(text, h_strf("Estimada/o Responsable %+d:",
		    off)) != NULL, "%s", text);
		cr_assert(strstr(text, h_strf("Actividad 1.%zu: %s", i + 1,
		    descripcion(off))) != NULL, "%s", text);
		cr_assert(strstr(text, "Compromiso 1: «Contratos abiertos»")
		    != NULL, "%s", text);
		cr_assert(strstr(text, "mesa «Transparencia en obra pública» "
		    "(Oaxaca)") != NULL, "%s", text);
		cr_assert(strstr(text, h_strf("Fecha límite: %s",
		    fecha_larga(today + off))) != NULL, "%s", text);
		if (off > 1)
			cr_assert(strstr(text, h_strf("faltan %d días", off))
			    != NULL, "%s", text);
		else if (off < -1)
			cr_assert(strstr(text, h_strf("vencida hace %d días",
			    -off)) != NULL, "%s", text);
		cr_assert(strstr(text, "Recibe esta copia") == NULL);
		tok = link_token(text, pald.url);
		cr_assert_not_null(tok, "no progress link in: %s", text);
		token_hash(tok, hash);
		cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"
		    " WHERE hash = $1 AND proposito = 'avance' AND mesa_id = $2"
		    " AND actividad_id = $3 AND revocado IS NULL", hash,
		    id_text(fx.mesa), id_text(fx.act[i])), 1,
		    "the link of %+d is not an avance link of its activity",
		    off);
		/* It opens the progress form (web_avance.c's page). */
		{
			struct h_http r = h_http("GET", h_strf("%s/e/%s",
			    pald.url, tok), NULL, NULL, NULL, 0);

			cr_assert_eq(r.status, 200, "GET the link of %+d: "
			    "HTTP %ld", off, r.status);
			h_http_free(&r);
		}
	}

	/*
	 * The copies: the facilitator's of -8 and -15 in one email that
	 * lists both; the garante's of -15 alone, as one activity's.
	 */
	{
		int first = h_smtp_find(&smtp, "fac@ejemplo.mx", 0);
		json_t *f, *g = message_to("garante@iaip.mx", 0);
		const char *t, *a8, *a15;

		cr_assert_geq(first, 0);
		cr_assert_lt(h_smtp_find(&smtp, "fac@ejemplo.mx", first + 1),
		    0, "a second copy to the facilitator");
		f = keep(h_smtp_message(&smtp, first));
		t = text_of(f);
		cr_assert_str_eq(subject_of(f), "Copia de 2 recordatorios de "
		    "la mesa «Transparencia en obra pública»");
		cr_assert(strstr(t, "Recibe esta copia porque facilita la "
		    "mesa «Transparencia en obra pública»: hoy se envió un "
		    "recordatorio a quien tiene a su cargo cada una de estas "
		    "2 actividades") != NULL, "%s", t);
		cr_assert(strstr(t, "a partir de 7 días de retraso") != NULL,
		    "%s", t);
		a8 = strstr(t, h_strf("Actividad 1.%zu: %s", offset_index(-8) +
		    1, descripcion(-8)));
		a15 = strstr(t, h_strf("Actividad 1.%zu: %s", offset_index(-15) +
		    1, descripcion(-15)));
		cr_assert(a8 != NULL && a15 != NULL && a8 < a15, "%s", t);
		cr_assert(strstr(t, "vencida hace 8 días") != NULL, "%s", t);
		cr_assert(strstr(t, "vencida hace 15 días") != NULL, "%s", t);
		cr_assert(strstr(t, h_strf("«pal actividad avance %lld»",
		    fx.act[offset_index(-15)])) != NULL, "%s", t);
		cr_assert_null(link_token(t, pald.url),
		    "a copy carries the responsable's link");

		t = text_of(g);
		cr_assert(strstr(subject_of(g), "Vencida hace 15 días") !=
		    NULL);
		cr_assert(strstr(t, "organismo garante") != NULL, "%s", t);
		cr_assert(strstr(t, "a partir de 14 días de retraso") != NULL,
		    "%s", t);
		cr_assert(strstr(t, "Estimada/o Gabriela Garante:") != NULL,
		    "%s", t);
		cr_assert_null(link_token(t, pald.url));
	}

	/* One event on the mesa's timeline for the pass. */
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM eventos"
	    " WHERE mesa_id = $1 AND tipo = 'recordatorio.enviado'",
	    id_text(fx.mesa)), 1);
	cr_assert_eq(h_db_query_int(&db, "SELECT jsonb_array_length(datos ->"
	    " 'recordatorios') FROM eventos WHERE mesa_id = $1"
	    " AND tipo = 'recordatorio.enviado'", id_text(fx.mesa)), 10);

	/* The next dates stored: the next pass has nothing to look at. */
	cr_assert_eq(h_db_query_int(&db, "SELECT proximo - " HOY
	    " FROM recordatorios_proximos WHERE actividad_id = $1",
	    id_text(fx.act[offset_index(7)])), 6);
	cr_assert_eq(h_db_query_int(&db, "SELECT proximo - " HOY
	    " FROM recordatorios_proximos WHERE actividad_id = $1",
	    id_text(fx.act[offset_index(-8)])), 7);
	/* A completed activity has no date: it is never looked at. */
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*)"
	    " FROM recordatorios_proximos WHERE actividad_id = $1",
	    id_text(fx.cumplida)), 0);

	/* A second pass queues nothing. */
	j = pasada();
	cr_assert_eq(planificados(j), 0, "%s", json_dumps(j, 0));
	cr_assert_eq(count("SELECT count(*) FROM outbox"), 9);
	cr_assert_eq(count("SELECT count(*) FROM eventos"
	    " WHERE tipo = 'recordatorio.enviado'"), 1);
	esc_expect_mail(9);
}

Test(recordatorios, next_days_bring_the_next_reminders)
{
	struct fx fx = seed();

	cr_assert_eq(planificados(pasada()), 10);
	/* Day 1: 31 -> 30, 1 -> 0, 0 -> -1; the rest wait. */
	un_dia_despues();
	cr_assert_eq(planificados(pasada()), 3);
	cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(31)]),
	    "previo:30:responsable");
	cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(1)]),
	    "previo:1:responsable vencimiento:0:responsable");
	cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(0)]),
	    "vencimiento:0:responsable vencida:-1:responsable");
	cr_assert_eq(planificados(pasada()), 0);
	/*
	 * Six days without a pass: 7 -> 0 on the day; 1 -> -6 only its
	 * latest, day 1 overdue; 0 -> -7 nothing new; -1 -> -8 with the
	 * facilitator; -8 -> -15 and -15 -> -22 with both copies; 31 and 30
	 * (now 24 and 23) wait for their 7.
	 */
	for (int d = 0; d < 6; d++)
		un_dia_despues();
	cr_assert_eq(planificados(pasada()), 1 + 1 + 2 + 3 + 3);
	cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(7)]),
	    "previo:7:responsable vencimiento:0:responsable");
	cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(1)]),
	    "previo:1:responsable vencimiento:0:responsable "
	    "vencida:-1:responsable");
	cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(0)]),
	    "vencimiento:0:responsable vencida:-1:responsable");
	cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(-1)]),
	    "vencida:-1:responsable vencida:-8:responsable "
	    "vencida:-8:facilitador");
	cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(-15)]),
	    "vencida:-15:responsable vencida:-15:facilitador "
	    "vencida:-15:garante vencida:-22:responsable "
	    "vencida:-22:facilitador vencida:-22:garante");
	cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(30)]),
	    "previo:30:responsable");
	cr_assert_eq(planificados(pasada()), 0);
	/*
	 * Emails: 9, then 3; then 5 to responsables, one copy to the
	 * facilitator listing -8, -15 and -22, one to the garante listing
	 * -15 and -22.
	 */
	esc_expect_mail(9 + 3 + 7);
}

/*
 * An activity's row in recordatorios_proximos (migration 0007), as "NEXT
 * DEADLINE" in days from today ("ya" for the next pass), or "ninguna".
 */
static const char *
proximo_de(long long actividad)
{
	return h_db_query_str(&db, "SELECT coalesce((SELECT CASE"
	    " WHEN proximo = '-infinity' THEN 'ya'"
	    " ELSE (proximo - " HOY ")::text END"
	    " || ' ' || (fecha_limite - " HOY ")"
	    " FROM recordatorios_proximos WHERE actividad_id = $1), 'ninguna')",
	    id_text(actividad));
}

Test(recordatorios, next_dates_follow_their_activity)
{
	struct fx fx = seed();
	long long a7 = fx.act[offset_index(7)], a30 = fx.act[offset_index(30)];

	/* New: every open activity is looked at by the next pass. */
	cr_assert_str_eq(proximo_de(a7), "ya 7");
	cr_assert_str_eq(proximo_de(fx.cumplida), "ninguna");
	cr_assert_eq(count("SELECT count(*) FROM recordatorios_proximos"),
	    N_OFFSETS);
	cr_assert_eq(planificados(pasada()), 10);
	cr_assert_str_eq(proximo_de(a7), "6 7");
	cr_assert_str_eq(proximo_de(a30), "23 30");

	/* A new deadline: a new look, with the new deadline. */
	h_db_exec(&db, "UPDATE actividades SET fecha_limite = " HOY
	    " WHERE id = $1", id_text(a30));
	cr_assert_str_eq(proximo_de(a30), "ya 0");
	/* Other changes of the activity leave its date alone. */
	h_db_exec(&db, "UPDATE actividades SET descripcion = 'Otra',"
	    " avance = 40, estado = 'en_progreso' WHERE id = $1",
	    id_text(a7));
	cr_assert_str_eq(proximo_de(a7), "6 7");

	/* Completed: no date, nothing more; open again: a new look. */
	h_db_exec(&db, "UPDATE actividades SET estado = 'cumplida',"
	    " avance = 100, cumplimiento = now() WHERE id = $1", id_text(a7));
	cr_assert_str_eq(proximo_de(a7), "ninguna");
	h_db_exec(&db, "UPDATE actividades SET estado = 'en_progreso',"
	    " avance = 90, cumplimiento = NULL WHERE id = $1", id_text(a7));
	cr_assert_str_eq(proximo_de(a7), "ya 7");
	/* a7's 7-day reminder went out already; a30 is due today. */
	{
		json_t *j = pasada();

		cr_assert_eq(planificados(j), 1, "%s", json_dumps(j, 0));
	}
	cr_assert_str_eq(esc_recordatorios_of(a30), "previo:30:responsable "
	    "vencimiento:0:responsable");
	cr_assert_str_eq(proximo_de(a7), "6 7");
	cr_assert_str_eq(proximo_de(a30), "1 0");

	/*
	 * The mesa's cadence changes (to the global one, so nothing new is
	 * due): every activity of it is looked at again.
	 */
	h_db_exec(&db, "UPDATE mesas SET recordatorio_vencida_cada = 7"
	    " WHERE id = $1", id_text(fx.mesa));
	cr_assert_eq(count("SELECT count(*) FROM recordatorios_proximos"
	    " WHERE proximo <> '-infinity'"), 0);
	cr_assert_eq(planificados(pasada()), 0);
	cr_assert_eq(count("SELECT count(*) FROM recordatorios_proximos"
	    " WHERE proximo = '-infinity'"), 0);
}

/* A mesa that ends leaves nothing for the passes to read (0009). */
Test(recordatorios, concluded_mesa_leaves_no_next_dates)
{
	struct fx fx = seed();
	long long otra = mesa(fx.fac, "en_seguimiento", TZ, "Otra mesa");
	long long a = actividad(otra, compromiso(otra), 1, 3, "pendiente");

	cr_assert_eq(planificados(pasada()), 11);
	cr_assert_eq(count("SELECT count(*) FROM recordatorios_proximos"),
	    N_OFFSETS + 1);
	h_db_exec(&db, "UPDATE mesas SET fase = 'concluida' WHERE id = $1",
	    id_text(fx.mesa));
	cr_assert_eq(count("SELECT count(*) FROM recordatorios_proximos"), 1);
	cr_assert_str_eq(proximo_de(a), "2 3");
	/* Days later, only the other mesa's activity is looked at. */
	for (int d = 0; d < 3; d++)
		un_dia_despues();
	cr_assert_eq(planificados(pasada()), 1);
	cr_assert_str_eq(esc_recordatorios_of(a), "previo:7:responsable "
	    "vencimiento:0:responsable");
	cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(1)]),
	    "previo:1:responsable");
}

/*
 * Migration 0008 checks the links' hash without {64} and drops their
 * direct key to mesas: the rules hold as before.
 */
Test(recordatorios, link_rules_after_0008)
{
	struct fx fx = seed();
	const char *ok = "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef";

	cr_assert_str_eq(h_db_sqlstate(&db, "INSERT INTO enlaces (hash,"
	    " proposito, mesa_id, actividad_id) VALUES (upper($1), 'avance',"
	    " $2, $3)", ok, id_text(fx.mesa), id_text(fx.act[0])), "23514");
	cr_assert_str_eq(h_db_sqlstate(&db, "INSERT INTO enlaces (hash,"
	    " proposito, mesa_id, actividad_id) VALUES (substr($1, 2),"
	    " 'avance', $2, $3)", ok, id_text(fx.mesa), id_text(fx.act[0])),
	    "23514");
	/* A feed or dashboard link names no mesa. */
	cr_assert_str_eq(h_db_sqlstate(&db, "INSERT INTO enlaces (hash,"
	    " proposito, mesa_id, email) VALUES ($1, 'feed', $2,"
	    " 'resp@mun.gob.mx')", ok, id_text(fx.mesa)), "23514");
	cr_assert_str_eq(h_db_sqlstate(&db, "INSERT INTO enlaces (hash,"
	    " proposito, mesa_id, usuario_id) VALUES ($1, 'monitoreo', $2,"
	    " $3)", ok, id_text(fx.mesa), id_text(fx.fac)), "23514");
	/* An activity of another mesa is still refused by its key. */
	cr_assert_str_eq(h_db_sqlstate(&db, "INSERT INTO enlaces (hash,"
	    " proposito, mesa_id, actividad_id) VALUES ($1, 'avance',"
	    " $2 + 1000, $3)", ok, id_text(fx.mesa), id_text(fx.act[0])),
	    "23503");
	cr_assert_null(h_db_sqlstate(&db, "INSERT INTO enlaces (hash,"
	    " proposito, mesa_id, actividad_id) VALUES ($1, 'avance', $2,"
	    " $3)", ok, id_text(fx.mesa), id_text(fx.act[0])));
}

Test(recordatorios, completed_activity_stops)
{
	struct fx fx = seed();
	long long a7 = fx.act[offset_index(7)];

	cr_assert_eq(planificados(pasada()), 10);
	h_db_exec(&db, "UPDATE actividades SET estado = 'cumplida',"
	    " avance = 100, cumplimiento = now() WHERE id = $1", id_text(a7));
	for (int d = 0; d < 6; d++)
		un_dia_despues();
	pasada();
	/* Its 1-day reminder fell, but it is done. */
	cr_assert_str_eq(esc_recordatorios_of(a7), "previo:7:responsable");
	/* The others go on (1 -> -5: only the latest, day 1 overdue). */
	cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(1)]),
	    "previo:1:responsable vencida:-1:responsable");
}

Test(recordatorios, downtime_sends_only_the_latest)
{
	long long fac = facilitador();
	long long m = mesa(fac, "en_seguimiento", TZ, "Mesa tras la caída");
	long long c = compromiso(m);
	long long a = actividad(m, c, 1, -8, "pendiente");
	long long b = actividad(m, c, 2, -3, "pendiente");
	long long e = actividad(m, c, 3, 5, "pendiente");
	json_t *j;

	j = pasada();
	cr_assert_eq(planificados(j), 4, "%s", json_dumps(j, 0));
	cr_assert_str_eq(esc_recordatorios_of(a), "vencida:-8:responsable "
	    "vencida:-8:facilitador");
	cr_assert_str_eq(esc_recordatorios_of(b), "vencida:-1:responsable");
	cr_assert_str_eq(esc_recordatorios_of(e), "previo:7:responsable");
	cr_assert_eq(planificados(pasada()), 0);
	esc_expect_mail(4);
	cr_assert_str_eq(subject_of(message_to(resp_email(-8), 0)),
	    h_strf("Vencida hace 8 días: «%s»", descripcion(-8)));
	/* Late, so it says the days really left. */
	cr_assert_str_eq(subject_of(message_to(resp_email(5), 0)),
	    h_strf("Recordatorio: «%s» vence en 5 días", descripcion(5)));
	cr_assert_str_eq(subject_of(message_to(resp_email(-3), 0)),
	    h_strf("Vencida hace 3 días: «%s»", descripcion(-3)));
}

Test(recordatorios, restart_sends_nothing_again)
{
	seed();
	cr_assert_eq(planificados(pasada()), 10);
	esc_expect_mail(9);
	h_pald_restart(&pald);
	cr_assert_eq(planificados(pasada()), 0);
	/* Even with every stored date lost. */
	h_db_exec(&db, "UPDATE recordatorios_proximos"
	    " SET proximo = '-infinity'");
	cr_assert_eq(planificados(pasada()), 0);
	esc_expect_mail(9);
}

Test(recordatorios, two_daemons_at_the_same_moment)
{
	struct h_pald otro;
	struct h_http_req p[4];
	long long total = 0;

	seed();
	h_pald_start(&otro, &db, &smtp, EXTRA);
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < 4; i++)
			p[i] = (struct h_http_req){ .method = "POST",
			    .url = h_strf("%s/v1/recordatorios/ejecutar",
			    i % 2 == 0 ? pald.url : otro.url),
			    .token = admin };
		h_http_parallel(p, 4);
		for (int i = 0; i < 4; i++) {
			json_t *j;

			cr_assert_eq(p[i].resp.status, 200, "HTTP %ld: %s (%s)",
			    p[i].resp.status, p[i].resp.body,
			    p[i].resp.error);
			j = keep(h_http_json(&p[i].resp));
			cr_assert_not_null(j, "%s", p[i].resp.body);
			total += planificados(j);
			h_http_free(&p[i].resp);
		}
		/* A day passes between the rounds. */
		if (round == 0) {
			cr_assert_eq(total, 10);
			un_dia_despues();
		}
	}
	cr_assert_eq(total, 13);
	cr_assert_eq(count("SELECT count(*) FROM recordatorios"), 13);
	cr_assert_eq(count("SELECT count(*) FROM outbox"), 12);
	esc_expect_mail(12);
	h_pald_stop(&otro);
}

Test(recordatorios, two_daemons_on_their_own_schedule)
{
	struct h_pald a, b;
	const char *extra = "recordatorio_hora = 00:00\n"
	    "recordatorio_periodo_s = 1\n";

	/* The suite's daemon stays out: its period is an hour. */
	h_pald_start(&a, &db, &smtp, extra);
	h_pald_start(&b, &db, &smtp, extra);
	seed();
	cr_assert_eq(h_db_wait_int(&db, 15000, 9, "SELECT count(*)"
	    " FROM outbox"), 9);
	/* Several more passes of each. */
	h_sleep_ms(3500);
	cr_assert_eq(count("SELECT count(*) FROM recordatorios"), 10);
	cr_assert_eq(count("SELECT count(*) FROM outbox"), 9);
	esc_expect_mail(9);
	{
		char *la = h_pald_log(&a), *lb = h_pald_log(&b);

		cr_assert(strstr(la, "reminders: ") != NULL ||
		    strstr(lb, "reminders: ") != NULL);
		free(la);
		free(lb);
	}
	h_pald_stop(&a);
	h_pald_stop(&b);
}

Test(recordatorios, hour_and_cadence_of_the_mesa)
{
	long long fac = facilitador(), m, c, a7, a12, am4;
	const char *zona;

	/* A zone where it is before noon now: 22:00 has not come. */
	zona = h_db_query_str(&db, "SELECT CASE WHEN (now() AT TIME ZONE"
	    " 'Etc/GMT-1')::time < '12:00' THEN 'Etc/GMT-1'"
	    " ELSE 'Etc/GMT+11' END");
	m = mesa(fac, "en_seguimiento", zona, "Mesa con cadencia propia");
	actor(m, "Gabriela Garante", "garante@iaip.mx", "organismo_garante");
	h_db_exec(&db, "UPDATE mesas SET recordatorio_hora = '22:00',"
	    " recordatorio_dias_antes = '{10,3}',"
	    " recordatorio_vencida_cada = 3,"
	    " recordatorio_copia_facilitador = 0,"
	    " recordatorio_copia_garante = 100 WHERE id = $1", id_text(m));
	c = compromiso(m);
	a7 = actividad(m, c, 1, 7, "pendiente");
	a12 = actividad(m, c, 2, 12, "pendiente");
	am4 = actividad(m, c, 3, -4, "pendiente");
	/* The offsets are meant in the mesa's zone. */
	h_db_exec(&db, "UPDATE actividades SET fecha_limite = fecha_limite"
	    " - " HOY " + (now() AT TIME ZONE $1)::date WHERE mesa_id = $2",
	    zona, id_text(m));

	cr_assert_eq(planificados(pasada()), 0, "before the mesa's hour");
	h_db_exec(&db, "UPDATE mesas SET recordatorio_hora = '00:00'"
	    " WHERE id = $1", id_text(m));
	cr_assert_eq(planificados(pasada()), 3);
	cr_assert_str_eq(esc_recordatorios_of(a7), "previo:10:responsable");
	cr_assert_str_eq(esc_recordatorios_of(a12), "");
	/* Every 3 days overdue: day 4; the facilitator from day 0. */
	cr_assert_str_eq(esc_recordatorios_of(am4), "vencida:-4:responsable "
	    "vencida:-4:facilitador");
	esc_expect_mail(3);
	cr_assert_str_eq(subject_of(message_to(resp_email(7), 0)),
	    h_strf("Recordatorio: «%s» vence en 7 días", descripcion(7)));
	cr_assert(strstr(text_of(message_to("fac@ejemplo.mx", 0)),
	    "Recibe esta copia porque facilita") != NULL);

	/* A new cadence for the mesa: its activities are looked at again. */
	h_db_exec(&db, "UPDATE mesas SET recordatorio_dias_antes ="
	    " '{12,10,3}' WHERE id = $1", id_text(m));
	cr_assert_eq(planificados(pasada()), 1);
	cr_assert_str_eq(esc_recordatorios_of(a12), "previo:12:responsable");
	cr_assert_eq(planificados(pasada()), 0);
}

Test(recordatorios, global_cadence_change_replans)
{
	struct fx fx;
	struct h_pald nuevo;
	char *log;

	fx = seed();
	cr_assert_eq(planificados(pasada()), 10);
	h_pald_stop(&pald);
	/* 20 days before is new; nothing else changes today. */
	h_pald_start(&nuevo, &db, &smtp, EXTRA
	    "recordatorio_dias_antes = 20,7,1,0\n");
	h_db_exec(&db, "UPDATE actividades SET fecha_limite = " HOY " + 20"
	    " WHERE id = $1", id_text(fx.act[offset_index(31)]));
	cr_assert_eq(planificados(pasada_en(&nuevo)), 1);
	cr_assert_str_eq(esc_recordatorios_of(fx.act[offset_index(31)]),
	    "previo:20:responsable");
	cr_assert_eq(planificados(pasada_en(&nuevo)), 0);
	log = h_pald_log(&nuevo);
	cr_assert(strstr(log, "reminder cadence changed") != NULL);
	free(log);
	h_pald_stop(&nuevo);
	esc_expect_mail(10);
}

Test(recordatorios, acuse_for_actors_who_have_not_confirmed)
{
	long long fac = facilitador(), m, autor, b, c2, d, mat;
	json_t *j, *item, *msg;
	const char *t;

	m = mesa(fac, "preparacion", TZ, "Mesa en preparación");
	autor = actor(m, "Ana Ruiz", "ana@osc.mx", "sociedad_civil");
	b = actor(m, "Beatriz Becerra", "Beatriz@Mun.gob.mx",
	    "institucion_publica");
	c2 = actor(m, "Carlos Cruz", "carlos@mun.gob.mx",
	    "institucion_publica");
	d = actor(m, "Diana Díaz", "diana@iaip.mx", "organismo_garante");
	mat = h_db_query_int(&db, "INSERT INTO materiales (mesa_id, autor_id,"
	    " tipo, titulo, tipo_medio, tamano, contenido, sha256,"
	    " fecha_entrega) VALUES ($1, $2, 'problematicas',"
	    " 'Diagnóstico de obra pública', 'text/plain; charset=utf-8', 4,"
	    " 'hola'::bytea, repeat('a', 64), " HOY " - 10) RETURNING id",
	    id_text(m), id_text(autor));
	h_db_exec(&db, "INSERT INTO acuses (mesa_id, actor_id, material_id,"
	    " fecha, medio, registrado_por) VALUES ($1, $2, $3, " HOY " - 10,"
	    " 'autor', $4)", id_text(m), id_text(autor), id_text(mat),
	    id_text(fac));
	/* Sends: b and d four days ago, c one day ago; d confirmed. */
	{
		long long who[3] = { b, c2, d };
		int days[3] = { 4, 1, 4 };

		for (int i = 0; i < 3; i++) {
			long long enlace = h_db_query_int(&db, "INSERT INTO"
			    " enlaces (hash, proposito, mesa_id, actor_id)"
			    " VALUES (encode(sha256($1::bytea), 'hex'),"
			    " 'acuse', $2, $3) RETURNING id",
			    h_strf("enlace-%d", i), id_text(m),
			    id_text(who[i]));
			long long envio = h_db_query_int(&db, "INSERT INTO"
			    " envios (mesa_id, actor_id, enlace_id, creado)"
			    " VALUES ($1, $2, $3, now() - $4::int *"
			    " interval '1 day') RETURNING id", id_text(m),
			    id_text(who[i]), id_text(enlace),
			    h_strf("%d", days[i]));

			h_db_exec(&db, "INSERT INTO envio_materiales (mesa_id,"
			    " envio_id, material_id) VALUES ($1, $2, $3)",
			    id_text(m), id_text(envio), id_text(mat));
		}
	}
	h_db_exec(&db, "INSERT INTO acuses (mesa_id, actor_id, material_id,"
	    " fecha, medio, registrado_por) VALUES ($1, $2, $3, " HOY " - 3,"
	    " 'correo', $4)", id_text(m), id_text(d), id_text(mat),
	    id_text(fac));

	j = pasada();
	cr_assert_eq(planificados(j), 1, "%s", json_dumps(j, 0));
	item = json_array_get(json_object_get(j, "recordatorios"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(item, "tipo")),
	    "acuse");
	cr_assert_str_eq(json_string_value(json_object_get(item, "rol")),
	    "actor");
	cr_assert_eq(json_integer_value(json_object_get(item, "actor_id")),
	    b);
	cr_assert(json_is_null(json_object_get(item, "actividad_id")));
	cr_assert_str_eq(json_string_value(json_object_get(item,
	    "destinatario")), "beatriz@mun.gob.mx");
	cr_assert_eq(json_integer_value(json_object_get(item, "dias")), 3);
	esc_expect_mail(1);
	msg = message_to("beatriz@mun.gob.mx", 0);
	t = text_of(msg);
	cr_assert_str_eq(subject_of(msg), "Recordatorio: confirme la "
	    "recepción de los materiales de «Mesa en preparación»");
	cr_assert(strstr(t, "Estimada/o Beatriz Becerra:") != NULL, "%s", t);
	cr_assert(strstr(t, "  - Diagnóstico de obra pública\n") != NULL,
	    "%s", t);
	cr_assert(strstr(t, "Fernanda Facilitadora (Fac@Ejemplo.mx)") != NULL,
	    "%s", t);
	cr_assert(strstr(t, "cada 3 días") != NULL, "%s", t);
	cr_assert_eq(planificados(pasada()), 0);

	/* Once she confirms, nothing more, even days later. */
	h_db_exec(&db, "INSERT INTO acuses (mesa_id, actor_id, material_id,"
	    " fecha, medio, registrado_por) VALUES ($1, $2, $3, " HOY ","
	    " 'telefono', $4)", id_text(m), id_text(b), id_text(mat),
	    id_text(fac));
	h_db_exec(&db, "UPDATE envios SET creado = creado - interval '3 days'");
	j = pasada();
	/* Carlos's first reminder is due now (4 days after his send). */
	cr_assert_eq(planificados(j), 1, "%s", json_dumps(j, 0));
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(
	    json_object_get(j, "recordatorios"), 0), "actor_id")), c2);
	esc_expect_mail(2);
}

Test(recordatorios, only_admins_run_a_pass)
{
	struct h_http r;
	json_t *u;
	const char *tok;

	r = h_api(&pald, "POST", "/v1/usuarios", admin, "{\"nombre\": "
	    "\"Fernanda\", \"email\": \"f@ejemplo.mx\", \"rol\": "
	    "\"facilitador\"}");
	cr_assert_eq(r.status, 201, "%s", r.body);
	u = keep(h_http_json(&r));
	h_http_free(&r);
	tok = json_string_value(json_object_get(u, "token"));
	cr_assert_not_null(tok);
	r = h_api(&pald, "POST", "/v1/recordatorios/ejecutar", tok, NULL);
	cr_assert_eq(r.status, 403, "%s", r.body);
	h_http_free(&r);
	r = h_api(&pald, "POST", "/v1/recordatorios/ejecutar", NULL, NULL);
	cr_assert_eq(r.status, 401, "%s", r.body);
	h_http_free(&r);
}

Test(recordatorios, malformed_cadence_refused_at_startup)
{
	struct h_pald bad;
	struct h_run run;
	char *conf, *log, *p;
	int line = 1;

	h_pald_spawn(&bad, &db, NULL, "recordatorio_dias_antes = 30,x\n");
	cr_assert_not(h_pald_wait_ready(&bad, 5000), "pald started anyway");
	cr_assert_neq(bad.exit_status, 0);
	conf = h_read_file(bad.conf_path, NULL);
	cr_assert_not_null(conf);
	p = strstr(conf, "recordatorio_dias_antes");
	cr_assert_not_null(p);
	for (char *c = conf; c < p; c++)
		line += *c == '\n';
	free(conf);
	log = h_pald_log(&bad);
	cr_assert(strstr(log, h_strf("%s:%d:", bad.conf_path, line)) != NULL,
	    "no %s:%d: in: %s", bad.conf_path, line, log);
	cr_assert(strstr(log, "recordatorio_dias_antes") != NULL, "%s", log);
	free(log);
	run = h_pald_run(&bad, "--check-config");
	cr_assert_neq(run.status, 0);
	cr_assert(strstr(run.err, h_strf("%s:%d:", bad.conf_path, line))
	    != NULL, "%s", run.err);
	h_run_free(&run);
}
