/*
 * Scenario helpers for the integration tests, on top of harness.h: the
 * suite's servers started and stopped in one call, `pal` run and its
 * output parsed, raw API calls with their status asserted, members of a
 * JSON reply read with their type asserted, dates computed by PostgreSQL,
 * users, actors and backdated materials created through `pal`, and the
 * emails the daemon sends read back from the mail catcher.
 *
 * Conventions, true of every function here (and those of harness.h):
 *   - esc_setup binds a suite's servers (database, mail catcher, pald,
 *     the admin's token); every other helper talks to them. Call it in
 *     the suite's .init and esc_teardown in its .fini. A Criterion worker
 *     runs one test, so the binding is the test's own.
 *   - A helper that cannot do its job, or finds what it checks wrong,
 *     fails the running test with cr_assert and a message.
 *   - "Kept" JSON is owned by this module until esc_teardown, which
 *     decrefs it (so ASan sees no leak); never decref it yourself, and
 *     pass esc_keep your own new references to get the same.
 *   - "Test-lived" strings are h_strf's: valid until the test's process
 *     exits; never free them. "Borrowed" JSON lives as long as the value
 *     it was read from.
 *   - Variadic helpers are macros that add the terminating NULL
 *     themselves; every variadic argument is a const char *.
 */
#ifndef PALD_TEST_ESCENARIO_H
#define PALD_TEST_ESCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "harness.h"

/* How long a test waits for an email the daemon should send. */
#define ESC_MAIL_WAIT_MS	10000

/*
 * The suite's servers.
 */

/*
 * Creates db, starts smtp (NULL: no mail catcher, so pald delivers
 * nothing) and pald with extra_config (may be NULL; see h_pald_start),
 * writes the admin's token to admin[0..admin_size) and binds them all for
 * the helpers below. The structs and admin are borrowed: they must stay
 * where they are until esc_teardown (a suite's statics do).
 */
void		 esc_setup(struct h_db *db, struct h_smtp *smtp,
		    struct h_pald *pald, const char *extra_config, char *admin,
		    size_t admin_size);
/* Stops pald and the mail catcher, drops the database and releases the
 * kept JSON. Its type is Criterion's: a suite may name it as its .fini. */
void		 esc_teardown(void);
/* Keeps j (a new reference, stolen; may be NULL) until esc_teardown and
 * returns it. */
json_t		*esc_keep(json_t *j);

/*
 * `pal` against the bound pald, as a given token (NULL: none).
 */

/* A command's outcome. */
struct esc_out {
	int		 status;	/* exit code, or 128 + signal */
	const char	*out;		/* stdout, test-lived, never NULL */
	const char	*err;		/* stderr, test-lived, never NULL */
};

/* "pal a b c", for messages. Test-lived. */
const char	*esc_argv_text(const char *const *argv);
/* Runs pal argv... and asserts nothing. */
struct esc_out	 esc_pal_v(const char *tok, const char *const *argv);
/* Runs pal and asserts its exit status; with a code (may be NULL), also
 * that stderr carries "(code)", as the client prints refusals. */
struct esc_out	 esc_pal_expect_v(const char *tok, int status,
		    const char *code, const char *const *argv);
/* Bad input the client may refuse itself (exit 1) or leave to the server
 * (exit 2, with "(code)" on stderr when code is not NULL). */
struct esc_out	 esc_pal_fails_v(const char *tok, const char *code,
		    const char *const *argv);
/* Runs pal, asserts its exit status and that stdout is JSON; the JSON,
 * kept. */
json_t		*esc_pal_json_v(const char *tok, int status,
		    const char *const *argv);

#define esc_argv(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define esc_pal_ok(tok, ...)						\
	esc_pal_expect_v((tok), 0, NULL, esc_argv(__VA_ARGS__))
#define esc_pal_expect(tok, status, code, ...)				\
	esc_pal_expect_v((tok), (status), (code), esc_argv(__VA_ARGS__))
#define esc_pal_fails(tok, code, ...)					\
	esc_pal_fails_v((tok), (code), esc_argv(__VA_ARGS__))
/* pal --json ...: exit 0, the JSON kept. */
#define esc_pal_json(tok, ...)						\
	esc_pal_json_v((tok), 0, esc_argv("--json", __VA_ARGS__))
#define esc_pal_json_status(tok, status, ...)				\
	esc_pal_json_v((tok), (status), esc_argv("--json", __VA_ARGS__))

/*
 * The raw API of the bound pald (json: a request body, may be NULL).
 */

/* A call that must answer status; its JSON body, kept (NULL if the body
 * is not JSON). */
json_t		*esc_api(const char *method, const char *path,
		    const char *tok, const char *json, long status);
/* A call that must be refused with status, an error object with a
 * message and, if code is not NULL, that error.code. The body, kept. */
json_t		*esc_api_refused(const char *method, const char *path,
		    const char *tok, const char *json, long status,
		    const char *code);

/*
 * Members of a JSON object, their type asserted. Borrowed from o.
 */

long long	 esc_jint(json_t *o, const char *key);
/* A string, or NULL if the member is null or absent. */
const char	*esc_jstr(json_t *o, const char *key);
json_t		*esc_jarr(json_t *o, const char *key);
json_t		*esc_jobj(json_t *o, const char *key);
/* An id as text, for argv and SQL parameters. Test-lived. */
const char	*esc_id_text(long long id);
/* v (stolen; asserted not NULL, as a failed json_pack returns) as compact
 * JSON text, for a request body. Test-lived. */
const char	*esc_json_text(json_t *v);

/*
 * Dates, as YYYY-MM-DD, computed by the bound database so they agree with
 * the server's. All test-lived.
 */

/* Today's date in zone tz. */
const char	*esc_today_in(const char *tz);
/* date + days. */
const char	*esc_date_add(const char *date, int days);
/* "2026-12-08" -> "8 de diciembre de 2026", as the emails write it. */
const char	*esc_date_long(const char *iso);

/*
 * Bytes and text.
 */

/* The SHA-256 of data in lowercase hex. Test-lived. */
const char	*esc_sha256_hex(const void *data, size_t len);
/* base64 (one line, as smtpd.py writes it) to bytes, NUL-terminated,
 * their count in *len. Owned (free()). */
char		*esc_b64_decode(const char *s, size_t *len);
/* Case-insensitive (ASCII) strstr; a pointer into hay, or NULL. */
const char	*esc_find_ci(const char *hay, const char *needle);
/* At most max bytes of s, cut on a UTF-8 character boundary: s itself
 * if it is short enough, else a test-lived copy. */
const char	*esc_utf8_prefix(const char *s, size_t max);
/* How many times needle occurs in hay, overlapping ones included. */
int		 esc_count_str(const char *hay, const char *needle);

/*
 * The domain, through `pal`.
 */

struct esc_usuario {
	long long	 id;
	const char	*token;		/* test-lived */
	const char	*nombre;	/* borrowed from the caller */
	const char	*email;		/* borrowed from the caller */
};

/*
 * `pal usuario crear` as the admin, with --entidad unless entidad is
 * NULL; asserts the token it prints once is 64 characters long.
 */
struct esc_usuario esc_usuario_crear(const char *nombre, const char *email,
		    const char *rol, const char *entidad);

/* An actor as `pal actor agregar` takes it. */
struct esc_actor {
	const char	*nombre;
	const char	*email;
	const char	*sector;
	const char	*organizacion;
	const char	*cargo;		/* NULL: no --cargo */
};

/* `pal actor agregar mesa` with a's fields (borrowed). The reply, kept. */
json_t		*esc_actor_agregar(const char *tok, long long mesa,
		    const struct esc_actor *a);
/*
 * Makes a mesa whose n actors are actor[0..n) ready to be scheduled for
 * hoy: a text material from each of the first two (or the only one),
 * titled titulos[k], of tipo problematicas then consulta_publica,
 * submitted 20 days before hoy; and every other (actor, material) pair
 * received "entrega en mano" 15 days before hoy. The material ids go to
 * mat[0..2) unless mat is NULL.
 */
void		 esc_materiales_recibidos(const char *tok, long long mesa,
		    const char *hoy, const long long *actor, int n,
		    const char *const titulos[2], long long *mat);
/* The mesa's fase, from `pal mesa ver`. Test-lived. */
const char	*esc_mesa_fase(const char *tok, long long mesa);
/* The events of `pal mesa linea-tiempo`. Borrowed from kept JSON. */
json_t		*esc_mesa_eventos(const char *tok, long long mesa);
/* Index in eventos of the first (last) event of type tipo, or -1. */
int		 esc_event_index(json_t *eventos, const char *tipo,
		    bool last);
/* Events of type tipo in eventos. */
int		 esc_event_count(json_t *eventos, const char *tipo);
/* SELECT count(*) FROM <table> WHERE mesa_id = mesa. */
long long	 esc_count_in(const char *table, long long mesa);
/* "tipo:dias:rol ..." of an activity's reminders (recordatorios rows),
 * in the order they were planned; "" if none. Test-lived. */
const char	*esc_recordatorios_of(long long actividad);

/*
 * Rows written straight with SQL into the bound database, for suites
 * whose subject is what comes after (follow-up, dashboards): the way
 * there through the API is other suites' business. Each returns the new
 * row's id.
 */

/* A mesa of facilitador fac in fase, in time zone zona, held 120 days
 * before its local today at 10:00 in "Cabildo". */
long long	 esc_sql_mesa(long long fac, const char *titulo,
		    const char *entidad, const char *zona, const char *fase);
/* A 'local' commitment numero of mesa, running one year from 100 days
 * before the mesa's local today. */
long long	 esc_sql_compromiso(long long mesa, int numero,
		    const char *titulo);
/* An activity of compromiso due offset days from its mesa's local today,
 * responsible resp of institucion (resp@mun.gob.mx), in estado with
 * avance percent; a 'cumplida' one is fulfilled now. */
long long	 esc_sql_actividad(long long compromiso, int numero,
		    int offset, const char *desc, const char *resp,
		    const char *institucion, const char *estado, int avance);

/*
 * The garantes' scene of test_monitoreo and test_dashboard, written with
 * the helpers above: two garantes (one of ESC_G_ENTIDAD_A, one of every
 * entidad) and two facilitators; mesa A en_seguimiento in ESC_G_ENTIDAD_A
 * with two commitments (activities 10 days overdue with a progress
 * report, due in 3, 60 and 90 days, and one cumplida), mesa B concluida
 * in ESC_G_ENTIDAD_B, and mesa C still in acuerdos. The texts a suite
 * checks in its own way are its own: every activity's institucion, the
 * second commitment's title and the activity due in 3 days.
 */
#define ESC_G_ENTIDAD_A		"Oaxaca"
#define ESC_G_ENTIDAD_B		"Jalisco"
#define ESC_G_MESA_A		"Mesa de Tlacolula"
#define ESC_G_MESA_B		"Mesa de Zapopan"
#define ESC_G_MESA_C		"Mesa sin PAL"
#define ESC_G_COMPROMISO_A1	"Contratos abiertos, \"obra pública\""
#define ESC_G_RESP_VENCIDA	"Luis Pérez Ñúñez"
#define ESC_G_DESC_VENCIDA	"Publicar los contratos de 2027"
#define ESC_G_NOTA		"Va lento; falta la firma"

struct esc_garantes {
	struct esc_usuario	gar_a, gar_todos, fac_a, fac_b;
	long long		mesa_a, mesa_b, comp_a1, comp_a2;
	long long		act_vencida, act_por_vencer;
};

void		 esc_garantes_crear(const char *institucion,
		    const char *compromiso_a2, const char *desc_por_vencer,
		    struct esc_garantes *g);

/*
 * What "nothing written" means, for tests of refusals: take a snapshot
 * before, assert it unchanged after.
 */

/* Row counts of every table of the schema, then the mesas' fases and
 * titles, the activities' estados and avances, the revoked links and
 * the commitments' titles, as one line. Test-lived. */
const char	*esc_snapshot(void);
/* Fails the test, naming what, unless esc_snapshot() equals before. */
void		 esc_assert_unchanged(const char *before, const char *what);

/*
 * Mail, from the bound catcher.
 */

/*
 * Waits ESC_MAIL_WAIT_MS for exactly n messages at the catcher: n arrive,
 * and no more within 700 ms.
 */
void		 esc_expect_mail(int n);
/*
 * Waits ESC_MAIL_WAIT_MS for a message to rcpt at or after message
 * `from`; the first one, parsed (h_smtp_message) and kept. Its index
 * goes to *idx unless idx is NULL.
 */
json_t		*esc_mail_to(const char *rcpt, int from, int *idx);
/* Asserts what any of our emails must be: to rcpt alone, CRLF lines of
 * legal length, 7-bit, no MIME defect, a text part. */
void		 esc_check_mail_basics(json_t *msg, const char *rcpt);
/* The attachment of msg whose sha256 is sha, or NULL. Borrowed. */
json_t		*esc_attachment_with(json_t *msg, const char *sha);
/* The first attachment of msg of type ctype, or NULL. Borrowed. */
json_t		*esc_attachment_of_type(json_t *msg, const char *ctype);
/* The token of the personal link {pald.url}/e/<64 hex> in text (asserted
 * there). Test-lived. */
const char	*esc_link_token(const char *text);
/*
 * A request (GET, POST with an empty form, ...) to the personal link
 * /e/<token><suffix> (suffix "" or "/pdf"); returns the HTTP status. With
 * len NULL, *body is the body as text; otherwise (a binary body) *body
 * is its SHA-256 and *len its length. The Content-Type goes to *ctype
 * ("" if none) unless ctype is NULL. Test-lived.
 */
long		 esc_link_http(const char *method, const char *token,
		    const char *suffix, const char **body, size_t *len,
		    const char **ctype);
/* Asserts an HTML page labelled text/html; charset=utf-8. */
void		 esc_check_html(const char *ctype, const char *body);
/*
 * An iCalendar file ics[0..len) read as a calendar program would: asserts
 * every line ends in CRLF (if strict, also no bare CR and no line over 75
 * octets, as RFC 5545 folds) and that it is one VCALENDAR; what names it
 * in failure messages ("the invitation"). Returns the text unfolded (a
 * CRLF followed by a space or a tab removed). Owned (free()).
 */
char		*esc_ics_unfold(const char *ics, size_t len, const char *what,
		    bool strict);

#endif
