/*
 * The reminder planner (DESIGN.md section 3, "Reminders"). A pass, inside
 * one transaction of its caller:
 *
 *  1. takes a transaction-scoped advisory lock, so passes of several pald
 *     (and of the API) run one after another and a later one finds the
 *     work done;
 *  2. reads the mesas en_seguimiento whose local hour has reached
 *     recordatorio_hora, and of them only the open activities whose
 *     stored next-reminder date (recordatorios_proximos, migration 0007)
 *     has come, '-infinity' for those never looked at;
 *  3. computes in C (common/recordatorios.c) the latest reminder due for
 *     each and the date of the next one, which it stores;
 *  4. lists the recipients of each reminder due (the responsable; the
 *     facilitator and the mesa's organismo_garante actors when the
 *     activity is overdue enough) that recordatorios does not hold yet;
 *  5. does the same for actors of mesas in preparation who have not
 *     confirmed the receipt of materials sent to them (tipo 'acuse');
 *  6. stores the next dates, while a second thread builds one email per
 *     recipient (with a new progress link, enlaces proposito 'avance',
 *     for the responsable; the copies one recipient gets about one mesa
 *     in one email, reminders_agrupar) in batches of a few thousand;
 *  7. for each batch, queues its emails with one INSERT, then records its
 *     rows in recordatorios with ON CONFLICT ... DO NOTHING and inserts
 *     their links with another, and at the end withdraws (deletes,
 *     uncommitted) the email and link of any row that conflicted;
 *  8. writes one 'recordatorio.enviado' event per mesa and pass, listing
 *     what was queued, with one INSERT (store_eventos_lote; the outbox
 *     trigger adds one event per delivery).
 *
 * The unique key of recordatorios, not the lock nor the stored dates, is
 * what makes "never twice" hold: an email commits only with the rows it
 * belongs to. The stored date is a cache that may be cleared at any time
 * (triggers set it to '-infinity' when a deadline or a mesa's cadence
 * changes or an activity reopens, migrations 0003 and 0007; a pass
 * clears all of them when the global cadence changed), and a pass
 * that looks at an activity whose latest reminder was already sent queues
 * nothing. Recording after queueing, rather than queueing for the rows an
 * insert returned, saves an UPDATE of every row with its outbox id.
 *
 * It does not send mail (the mailer does, after COMMIT), does not create
 * new acuse links (the reminder points to the link of the email the actor
 * already got, or to the facilitator) and gives copies no progress link:
 * only the responsable reports through one.
 */
#include "reminders.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "pasada.h"
#include "recordatorios.h"
#include "store_eventos.h"
#include "token.h"
#include "xmalloc.h"

/*
 * The advisory lock of a pass: the two-key form, so it cannot collide
 * with migrate.c's one-key lock on the same number ("PALD").
 */
#define REMINDERS_LOCK	"1346456644, 2"
/* Bytes of an activity's description in a subject line. */
#define REMINDERS_ASUNTO_MAX	80
/* Emails queued per INSERT. */
#define REMINDERS_LOTE	4096
/* Day numbers to and from SQL dates. */
#define REMINDERS_EPOCH	"date '1970-01-01'"
_Static_assert(sizeof(((struct reminders_settings *)0)->dias_antes) ==
    sizeof(((struct recordatorios_cadencia *)0)->dias_antes),
    "the settings and the cadence hold the same list of days");

/*
 * Settings: a snapshot that reminders_tick refreshes from config_live on
 * the loop thread (config strings may be swapped there by SIGHUP), read by
 * any thread under the mutex.
 */
static pthread_mutex_t reminders_mu = PTHREAD_MUTEX_INITIALIZER;
static struct reminders_settings reminders_snapshot;
static bool reminders_snapshot_ok;

/* The scheduled pass (pasada.h) and the settings it runs with. */
struct reminders_job {
	struct pasada			pasada;	/* first */
	struct reminders_settings	s;
};

/*
 * Small tools: PostgreSQL array literals, result cells.
 */

/* A PostgreSQL array literal being written: "{1,2,NULL,\"a\"}". */
struct reminders_arr {
	struct buf	b;
	size_t		n;
};

/* addr's domain, for logs: they never name a person's address. */
static const char *
reminders_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL ? at + 1 : "?";
}

static void
reminders_arr_init(struct reminders_arr *a)
{
	buf_init(&a->b);
	buf_putc(&a->b, '{');
	a->n = 0;
}

static void
reminders_arr_sep(struct reminders_arr *a)
{
	if (a->n++ > 0)
		buf_putc(&a->b, ',');
}

/* Integers without printf: a first pass may write a million of them. */
static void
reminders_arr_ll(struct reminders_arr *a, long long v)
{
	char tmp[24];
	int i = sizeof(tmp);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	reminders_arr_sep(a);
	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		tmp[--i] = '-';
	buf_append(&a->b, tmp + i, sizeof(tmp) - (size_t)i);
}

static void
reminders_arr_null(struct reminders_arr *a)
{
	reminders_arr_sep(a);
	buf_puts(&a->b, "NULL");
}

/* A quoted element (s is never NULL here: NULLs are reminders_arr_null). */
static void
reminders_arr_str(struct reminders_arr *a, const char *s)
{
	reminders_arr_sep(a);
	db_array_str(&a->b, s);
}

/* Closes the literal; borrowed until reminders_arr_cleanup. */
static const char *
reminders_arr_end(struct reminders_arr *a)
{
	buf_putc(&a->b, '}');
	return a->b.data;
}

static void
reminders_arr_cleanup(struct reminders_arr *a)
{
	buf_cleanup(&a->b);
}

static long long
reminders_ll(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 :
	    strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static int
reminders_int(const PGresult *res, int row, int col)
{
	return (int)reminders_ll(res, row, col);
}

/* A text cell, NULL for SQL NULL; borrowed from res. */
static const char *
reminders_str(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/*
 * Settings.
 */

static void
reminders_settings_parse(struct reminders_settings *s)
{
	const struct config *c = config_live;

	memset(s, 0, sizeof(*s));
	/* config.c validated both strings; the fallbacks are belts. */
	if (!recordatorios_parse_dias(c->recordatorio_dias_antes,
	    s->dias_antes, &s->n_dias_antes)) {
		log_error("recordatorio_dias_antes \"%s\" unreadable; using "
		    "30,7,1,0", c->recordatorio_dias_antes);
		(void)recordatorios_parse_dias("30,7,1,0", s->dias_antes,
		    &s->n_dias_antes);
	}
	if (!dates_parse_time(c->recordatorio_hora, &s->hora_min)) {
		log_error("recordatorio_hora \"%s\" unreadable; using 09:00",
		    c->recordatorio_hora);
		s->hora_min = 9 * 60;
	}
	s->vencida_cada = c->recordatorio_vencida_cada;
	s->copia_facilitador = c->recordatorio_copia_facilitador;
	s->copia_garante = c->recordatorio_copia_garante;
	s->acuse_cada = c->recordatorio_acuse_cada;
}

/* Loop thread: the snapshot follows config_live (and SIGHUP). */
static void
reminders_settings_refresh(void)
{
	struct reminders_settings s;

	reminders_settings_parse(&s);
	pthread_mutex_lock(&reminders_mu);
	reminders_snapshot = s;
	reminders_snapshot_ok = true;
	pthread_mutex_unlock(&reminders_mu);
}

/*
 * Any thread: a copy of the snapshot. Before the loop thread made the
 * first one (its first tick, within a second of startup) it is parsed
 * from config_live here; only a SIGHUP in that first second could race
 * with it.
 */
void
reminders_settings_load(struct reminders_settings *s)
{
	pthread_mutex_lock(&reminders_mu);
	if (!reminders_snapshot_ok) {
		reminders_settings_parse(&reminders_snapshot);
		reminders_snapshot_ok = true;
	}
	*s = reminders_snapshot;
	pthread_mutex_unlock(&reminders_mu);
}

static int
reminders_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * The part of the global settings that moves reminder dates, normalised:
 * "dias_antes=0,1,7,30;vencida_cada=7".
 */
static void
reminders_fingerprint(const struct reminders_settings *s, struct buf *out)
{
	int d[RECORDATORIOS_MAX_DIAS], n = s->n_dias_antes;

	memcpy(d, s->dias_antes, sizeof(d));
	qsort(d, (size_t)n, sizeof(int), reminders_cmp_int);
	buf_puts(out, "dias_antes=");
	for (int i = 0; i < n; i++)
		if (i == 0 || d[i] != d[i - 1])
			buf_printf(out, "%s%d", i > 0 ? "," : "", d[i]);
	buf_printf(out, ";vencida_cada=%d", s->vencida_cada);
}

/*
 * One pass.
 */

/* A mesa en_seguimiento whose local hour has come, as the pass sees it. */
struct reminders_mesa {
	long long			 id;
	int				 hoy;	/* local day number */
	struct recordatorios_cadencia	 cad;
	const char			*titulo;	/* borrowed from res */
	const char			*entidad;
	const char			*fac_nombre;
	const char			*fac_email;
};

/*
 * A reminder of this pass: first proposed (not yet in recordatorios),
 * then queued, then recorded. Strings are borrowed from the pass's
 * results, which live until its end.
 */
struct reminders_row {
	long long	 id;		/* recordatorios.id, 0 until recorded */
	long long	 mesa_id;
	long long	 actividad_id;	/* 0 for acuse */
	long long	 actor_id;	/* 0 but for acuse */
	const char	*tipo;
	int		 fecha;
	int		 dias;
	const char	*destinatario;	/* lowercased, as stored */
	const char	*to;		/* the address as typed */
	const char	*nombre;	/* the recipient's name */
	const char	*rol;
	long long	 outbox_id;	/* 0 if none */
	char		 hash[TOKEN_HASH_LEN + 1];	/* of its link, or "" */
	int		 src;		/* its row in res_act or res_acuse */
	int		 cand;		/* its activity's row in res_cand */
	/*
	 * The rows whose reminders one email carries: this one and the
	 * correo - 1 after it; 0 for those after (reminders_agrupar).
	 */
	size_t		 correo;
};

struct reminders_pass {
	PGconn				*conn;
	const struct reminders_settings	*s;
	struct reminders_mesa		*mesas;
	int				 n_mesas;
	PGresult			*res_mesas;
	PGresult			*res_cand;	/* activities seen */
	PGresult			*res_act;	/* activity proposals */
	PGresult			*res_acuse;	/* acuse candidates */
	PGresult			*res_acuse_new;	/* the new ones */
	struct reminders_row		*rows;
	size_t				 n_rows, cap_rows;
	struct reminders_arr		 aid;	/* activities looked at */
	struct reminders_arr		 anext;	/* and their next dates */
	int				 evaluadas;
	char				 hora[16];
};

/* Columns of res_cand. */
enum {
	CAND_ID, CAND_MESA, CAND_LIMITE, CAND_NUEVA
};

/* Columns of res_act: the recipient, then what the email says. */
enum {
	ACT_CAND, ACT_TIPO, ACT_FECHA, ACT_DIAS, ACT_DEST, ACT_ROL, ACT_EMAIL,
	ACT_NOMBRE, ACT_COMP_NUMERO, ACT_COMP_TITULO, ACT_NUMERO,
	ACT_DESCRIPCION, ACT_RESP_NOMBRE, ACT_RESP_EMAIL, ACT_ESTADO,
	ACT_AVANCE
};

/* Columns of res_acuse. */
enum {
	ACUSE_ACTOR, ACUSE_MESA, ACUSE_NOMBRE, ACUSE_EMAIL, ACUSE_HOY,
	ACUSE_ENVIO, ACUSE_CADA, ACUSE_TITULO, ACUSE_ENTIDAD, ACUSE_FAC_NOMBRE,
	ACUSE_FAC_EMAIL, ACUSE_FALTAN
};

static struct reminders_row *
reminders_row_new(struct reminders_pass *p)
{
	if (p->n_rows == p->cap_rows) {
		p->cap_rows = p->cap_rows ? p->cap_rows * 2 : 64;
		p->rows = xrealloc(p->rows, p->cap_rows * sizeof(*p->rows));
	}
	memset(&p->rows[p->n_rows], 0, sizeof(*p->rows));
	p->rows[p->n_rows].correo = 1;
	return &p->rows[p->n_rows++];
}

static bool
reminders_es_copia(const struct reminders_row *row)
{
	return strcmp(row->rol, "facilitador") == 0 ||
	    strcmp(row->rol, "garante") == 0;
}

/* By mesa; the responsables first, as proposed; then copies by recipient. */
static int
reminders_cmp_agrupar(const void *a, const void *b)
{
	const struct reminders_row *x = a, *y = b;
	bool cx = reminders_es_copia(x), cy = reminders_es_copia(y);
	int c;

	if (x->mesa_id != y->mesa_id)
		return x->mesa_id < y->mesa_id ? -1 : 1;
	if (cx != cy)
		return cx ? 1 : -1;
	if (cx && (c = strcmp(x->rol, y->rol)) != 0)
		return c;
	if (cx && (c = strcmp(x->destinatario, y->destinatario)) != 0)
		return c;
	return (x->src > y->src) - (x->src < y->src);
}

/*
 * The copies of one pass to one recipient about one mesa go out as one
 * email listing their activities: a facilitator whose mesa has ten
 * activities overdue today gets one message, not ten. Each still has its
 * own row in recordatorios (the unique key is per activity and
 * recipient), pointing to the shared outbox row. Orders the activity
 * rows so each email's rows are next to each other and marks in correo
 * how many rows each email carries.
 */
static void
reminders_agrupar(struct reminders_pass *p)
{
	size_t first = 0;

	if (p->n_rows < 2)
		return;
	qsort(p->rows, p->n_rows, sizeof(*p->rows), reminders_cmp_agrupar);
	for (size_t i = 1; i < p->n_rows; i++) {
		struct reminders_row *g = &p->rows[first], *r = &p->rows[i];

		if (reminders_es_copia(r) && reminders_es_copia(g) &&
		    r->mesa_id == g->mesa_id && strcmp(r->rol, g->rol) == 0 &&
		    strcmp(r->destinatario, g->destinatario) == 0) {
			g->correo++;
			r->correo = 0;
		} else
			first = i;
	}
}

static int
reminders_cmp_mesa(const void *key, const void *elem)
{
	long long k = *(const long long *)key;
	long long id = ((const struct reminders_mesa *)elem)->id;

	return (k > id) - (k < id);
}

static struct reminders_mesa *
reminders_mesa_find(struct reminders_pass *p, long long id)
{
	return bsearch(&id, p->mesas, (size_t)p->n_mesas, sizeof(*p->mesas),
	    reminders_cmp_mesa);
}

/*
 * If the global cadence differs from the one the stored dates were
 * computed with, records the new one and clears every stored date (rare:
 * a configuration change). The first pass ever only records it.
 */
static bool
reminders_check_cadence(struct reminders_pass *p, struct error *err)
{
	struct buf fp;
	const char *v[1];
	PGresult *res;
	bool ok = false;

	buf_init(&fp);
	reminders_fingerprint(p->s, &fp);
	v[0] = fp.data;
	res = db_exec(p->conn, err,
	    "WITH antes AS (SELECT cadencia FROM recordatorios_cadencia)"
	    " INSERT INTO recordatorios_cadencia (id, cadencia)"
	    " VALUES (true, $1) ON CONFLICT (id) DO UPDATE"
	    " SET cadencia = EXCLUDED.cadencia, actualizada = now()"
	    " WHERE recordatorios_cadencia.cadencia <> EXCLUDED.cadencia"
	    " RETURNING (SELECT cadencia FROM antes)", 1, v);
	if (res == NULL)
		goto out;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		/*
		 * Every pald on one database must share these settings, or
		 * each pass undoes the other's dates: say it loudly.
		 */
		log_warn("reminder cadence changed from \"%s\" to \"%s\": "
		    "every activity will be looked at again",
		    PQgetvalue(res, 0, 0), fp.data);
		PQclear(res);
		res = db_exec(p->conn, err, "UPDATE recordatorios_proximos"
		    " SET proximo = '-infinity'"
		    " WHERE proximo <> '-infinity'", 0, NULL);
		if (res == NULL)
			goto out;
	}
	PQclear(res);
	ok = true;
out:
	buf_cleanup(&fp);
	return ok;
}

/* The mesas en_seguimiento whose local hour has come, by id. */
static bool
reminders_load_mesas(struct reminders_pass *p, struct error *err)
{
	const char *v[1] = { p->hora };
	PGresult *res;

	/*
	 * A mesa's own list of days, deduplicated; more than
	 * RECORDATORIOS_MAX_DIAS distinct days keep those nearest the
	 * deadline.
	 */
	res = db_exec(p->conn, err,
	    "SELECT m.id,"
	    " (now() AT TIME ZONE m.zona_horaria)::date - " REMINDERS_EPOCH ","
	    " CASE WHEN m.recordatorio_dias_antes IS NOT NULL THEN"
	    "  array_to_string(ARRAY(SELECT DISTINCT d"
	    "   FROM unnest(m.recordatorio_dias_antes) AS d"
	    "   ORDER BY d LIMIT 16), ',') END,"
	    " m.recordatorio_vencida_cada, m.recordatorio_copia_facilitador,"
	    " m.recordatorio_copia_garante, m.titulo, m.entidad, u.nombre,"
	    " u.email"
	    " FROM mesas m JOIN usuarios u ON u.id = m.facilitador_id"
	    " WHERE m.fase = 'en_seguimiento'"
	    " AND (now() AT TIME ZONE m.zona_horaria)::time >="
	    "  coalesce(m.recordatorio_hora, $1::time)"
	    " ORDER BY m.id", 1, v);
	if (res == NULL)
		return false;
	p->res_mesas = res;
	p->n_mesas = PQntuples(res);
	p->mesas = xcalloc((size_t)p->n_mesas + 1, sizeof(*p->mesas));
	for (int r = 0; r < p->n_mesas; r++) {
		struct reminders_mesa *m = &p->mesas[r];
		struct recordatorios_cadencia *c = &m->cad;
		const char *dias = reminders_str(res, r, 2);

		m->id = reminders_ll(res, r, 0);
		m->hoy = reminders_int(res, r, 1);
		if (dias == NULL || !recordatorios_parse_dias(dias,
		    c->dias_antes, &c->n_dias_antes)) {
			if (dias != NULL)
				log_warn("mesa %lld: recordatorio_dias_antes "
				    "{%s} unreadable; using the default",
				    m->id, dias);
			memcpy(c->dias_antes, p->s->dias_antes,
			    sizeof(c->dias_antes));
			c->n_dias_antes = p->s->n_dias_antes;
		}
		c->vencida_cada = PQgetisnull(res, r, 3) ?
		    p->s->vencida_cada : reminders_int(res, r, 3);
		c->copia_facilitador = PQgetisnull(res, r, 4) ?
		    p->s->copia_facilitador : reminders_int(res, r, 4);
		c->copia_garante = PQgetisnull(res, r, 5) ?
		    p->s->copia_garante : reminders_int(res, r, 5);
		m->titulo = PQgetvalue(res, r, 6);
		m->entidad = PQgetvalue(res, r, 7);
		m->fac_nombre = PQgetvalue(res, r, 8);
		m->fac_email = PQgetvalue(res, r, 9);
	}
	return true;
}

/*
 * The activities to look at (res_cand), the latest reminder due for each
 * and its next date (p->aid and p->anext, stored by reminders_fechas);
 * then the reminders not yet in recordatorios, one per recipient, with
 * what their emails need, into res_act and rows.
 */
static bool
reminders_plan_actividades(struct reminders_pass *p, struct error *err)
{
	struct reminders_arr mid, mhoy;
	struct reminders_arr dcand, dmesa, dact, dtipo, dfecha, ddias, dcf,
	    dcg, dnueva;
	const char *v[9];
	char max_hoy[16];
	PGresult *res = NULL;
	bool ok = false;
	int n, mh = 0;

	if (p->n_mesas == 0)
		return true;
	reminders_arr_init(&mid);
	reminders_arr_init(&mhoy);
	reminders_arr_init(&dcand);
	reminders_arr_init(&dmesa);
	reminders_arr_init(&dact);
	reminders_arr_init(&dtipo);
	reminders_arr_init(&dfecha);
	reminders_arr_init(&ddias);
	reminders_arr_init(&dcf);
	reminders_arr_init(&dcg);
	reminders_arr_init(&dnueva);
	for (int i = 0; i < p->n_mesas; i++) {
		reminders_arr_ll(&mid, p->mesas[i].id);
		reminders_arr_ll(&mhoy, p->mesas[i].hoy);
		if (i == 0 || p->mesas[i].hoy > mh)
			mh = p->mesas[i].hoy;
	}
	v[0] = reminders_arr_end(&mid);
	v[1] = reminders_arr_end(&mhoy);
	snprintf(max_hoy, sizeof(max_hoy), "%d", mh);
	v[2] = max_hoy;
	/*
	 * An index range scan of recordatorios_proximos (migration 0007)
	 * bounded by a constant, the latest "today" of all zones, so the
	 * planner sees how few rows it gives; then each mesa's own "today".
	 * The table holds open activities only, with their deadline; what
	 * the emails say of an activity is read from actividades later,
	 * only for those with a reminder due.
	 */
	res = db_exec(p->conn, err,
	    "WITH m AS (SELECT * FROM unnest($1::bigint[], $2::int[])"
	    "  AS m(id, hoy))"
	    " SELECT x.actividad_id, x.mesa_id,"
	    "  x.fecha_limite - " REMINDERS_EPOCH ", x.proximo = '-infinity'"
	    " FROM recordatorios_proximos x JOIN m ON m.id = x.mesa_id"
	    " WHERE x.proximo <= " REMINDERS_EPOCH " + $3::int"
	    " AND x.proximo <= " REMINDERS_EPOCH " + m.hoy", 3, v);
	if (res == NULL)
		goto out;
	n = PQntuples(res);
	p->evaluadas = n;
	p->res_cand = res;
	res = NULL;
	for (int r = 0; r < n; r++) {
		const PGresult *x = p->res_cand;
		struct reminders_mesa *m = reminders_mesa_find(p,
		    reminders_ll(x, r, CAND_MESA));
		struct recordatorios_debido u;
		int next;

		if (m == NULL)
			continue;
		next = recordatorios_calcular(&m->cad, reminders_int(x, r,
		    CAND_LIMITE), m->hoy, &u);
		reminders_arr_ll(&p->aid, reminders_ll(x, r, CAND_ID));
		reminders_arr_ll(&p->anext, next);
		if (u.tipo == RECORDATORIOS_NINGUNO)
			continue;
		reminders_arr_ll(&dcand, r);
		reminders_arr_ll(&dmesa, m->id);
		reminders_arr_ll(&dact, reminders_ll(x, r, CAND_ID));
		reminders_arr_str(&dtipo, recordatorios_tipo_name(u.tipo));
		reminders_arr_ll(&dfecha, u.fecha);
		reminders_arr_ll(&ddias, u.dias);
		reminders_arr_str(&dcf, u.copia_facilitador ? "t" : "f");
		reminders_arr_str(&dcg, u.copia_garante ? "t" : "f");
		reminders_arr_str(&dnueva, PQgetvalue(x, r, CAND_NUEVA));
	}
	if (dcand.n == 0) {
		ok = true;
		goto out;
	}

	/*
	 * The recipients come from the database: the responsable, the
	 * facilitator, the mesa's organismo_garante actors. One address
	 * twice for one reminder (the facilitator is also the responsable)
	 * is one recipient, in the first role. Those already reminded (the
	 * unique key of recordatorios) are left out here, so no email is
	 * built for them; reminders_registrar still checks, on insert.
	 * Only an activity never looked at (or whose date was cleared) can
	 * have its latest reminder recorded already: a pass that records a
	 * reminder stores a later date in the same transaction. The others
	 * skip the look-up (a third of this query's time); should one
	 * conflict anyway, the insert's ON CONFLICT withdraws its email.
	 * The rows come in no particular order: reminders_agrupar sorts
	 * them.
	 */
	v[0] = reminders_arr_end(&dcand);
	v[1] = reminders_arr_end(&dmesa);
	v[2] = reminders_arr_end(&dact);
	v[3] = reminders_arr_end(&dtipo);
	v[4] = reminders_arr_end(&dfecha);
	v[5] = reminders_arr_end(&ddias);
	v[6] = reminders_arr_end(&dcf);
	v[7] = reminders_arr_end(&dcg);
	v[8] = reminders_arr_end(&dnueva);
	res = db_exec(p->conn, err,
	    "WITH d AS (SELECT u.*, a.responsable_email AS resp_email,"
	    "  a.responsable_nombre AS resp_nombre, a.compromiso_id,"
	    "  a.numero, a.descripcion, a.estado, a.avance"
	    "  FROM unnest($1::int[], $2::bigint[], $3::bigint[], $4::text[],"
	    "  $5::int[], $6::int[], $7::bool[], $8::bool[], $9::bool[])"
	    "  WITH ORDINALITY AS u(cand, mesa_id, actividad_id, tipo, fecha,"
	    "  dias, cf, cg, nueva, n)"
	    "  JOIN actividades a ON a.id = u.actividad_id"
	    "  WHERE a.estado <> 'cumplida'),"
	    " p AS ("
	    "  SELECT d.*, d.resp_email AS email, d.resp_nombre AS nombre,"
	    "   'responsable' AS rol, 1 AS orden FROM d"
	    "  UNION ALL"
	    "  SELECT d.*, u.email, u.nombre, 'facilitador', 2"
	    "  FROM d JOIN mesas m ON m.id = d.mesa_id"
	    "  JOIN usuarios u ON u.id = m.facilitador_id WHERE d.cf"
	    "  UNION ALL"
	    "  SELECT d.*, g.email, g.nombre, 'garante', 3"
	    "  FROM d JOIN actores g ON g.mesa_id = d.mesa_id"
	    "   AND g.sector = 'organismo_garante' WHERE d.cg),"
	    " q AS (SELECT DISTINCT ON (n, lower(email)) * FROM p"
	    "  ORDER BY n, lower(email), orden)"
	    " SELECT q.cand, q.tipo, q.fecha, q.dias, lower(q.email), q.rol,"
	    "  q.email, q.nombre, c.numero, c.titulo, q.numero, q.descripcion,"
	    "  q.resp_nombre, q.resp_email, q.estado, q.avance"
	    " FROM q JOIN compromisos c ON c.id = q.compromiso_id"
	    " WHERE NOT (q.nueva AND EXISTS (SELECT 1 FROM recordatorios r"
	    "  WHERE r.actividad_id = q.actividad_id AND r.actor_id IS NULL"
	    "  AND r.tipo = q.tipo AND r.fecha = " REMINDERS_EPOCH " + q.fecha"
	    "  AND r.destinatario = lower(q.email)))", 9, v);
	if (res == NULL)
		goto out;
	p->res_act = res;
	res = NULL;
	for (int r = 0; r < PQntuples(p->res_act); r++) {
		struct reminders_row *row = reminders_row_new(p);
		const PGresult *x = p->res_act;
		int c = reminders_int(x, r, ACT_CAND);

		row->cand = c;
		row->mesa_id = reminders_ll(p->res_cand, c, CAND_MESA);
		row->actividad_id = reminders_ll(p->res_cand, c, CAND_ID);
		row->tipo = PQgetvalue(x, r, ACT_TIPO);
		row->fecha = reminders_int(x, r, ACT_FECHA);
		row->dias = reminders_int(x, r, ACT_DIAS);
		row->destinatario = PQgetvalue(x, r, ACT_DEST);
		row->rol = PQgetvalue(x, r, ACT_ROL);
		row->to = PQgetvalue(x, r, ACT_EMAIL);
		row->nombre = PQgetvalue(x, r, ACT_NOMBRE);
		row->src = r;
	}
	reminders_agrupar(p);
	ok = true;
out:
	PQclear(res);
	reminders_arr_cleanup(&mid);
	reminders_arr_cleanup(&mhoy);
	reminders_arr_cleanup(&dcand);
	reminders_arr_cleanup(&dmesa);
	reminders_arr_cleanup(&dact);
	reminders_arr_cleanup(&dtipo);
	reminders_arr_cleanup(&dfecha);
	reminders_arr_cleanup(&ddias);
	reminders_arr_cleanup(&dcf);
	reminders_arr_cleanup(&dcg);
	reminders_arr_cleanup(&dnueva);
	return ok;
}

/*
 * Actors of mesas in preparation (or suspended) who have not confirmed
 * every material sent to them. The cadence counts from their latest send:
 * a new send is a fresh email with a fresh link, so the next reminder
 * comes acuse_cada days after it, not the day after.
 */
static bool
reminders_plan_acuses(struct reminders_pass *p, struct error *err)
{
	struct reminders_arr actor, fecha, dest, src;
	char cada[16];
	const char *v[4];
	const PGresult *x;
	PGresult *res = NULL;
	bool ok = false;

	snprintf(cada, sizeof(cada), "%d", p->s->acuse_cada);
	v[0] = p->hora;
	v[1] = cada;
	res = db_exec(p->conn, err,
	    "SELECT * FROM (SELECT ac.id, ac.mesa_id, ac.nombre, ac.email,"
	    "  (now() AT TIME ZONE m.zona_horaria)::date - " REMINDERS_EPOCH ","
	    "  (e.ultimo AT TIME ZONE m.zona_horaria)::date - " REMINDERS_EPOCH
	    "  , coalesce(m.recordatorio_acuse_cada, $2::int), m.titulo,"
	    "  m.entidad, u.nombre, u.email,"
	    "  (SELECT string_agg(mt.titulo, E'\\n' ORDER BY mt.id)"
	    "   FROM materiales mt WHERE mt.mesa_id = m.id"
	    "   AND EXISTS (SELECT 1 FROM envio_materiales em"
	    "    JOIN envios s ON s.id = em.envio_id"
	    "    WHERE em.material_id = mt.id AND s.actor_id = ac.id)"
	    "   AND NOT EXISTS (SELECT 1 FROM acuses x"
	    "    WHERE x.actor_id = ac.id AND x.material_id = mt.id)) AS faltan"
	    "  FROM mesas m JOIN usuarios u ON u.id = m.facilitador_id"
	    "  JOIN actores ac ON ac.mesa_id = m.id"
	    "  JOIN LATERAL (SELECT max(s.creado) AS ultimo FROM envios s"
	    "   WHERE s.actor_id = ac.id) e ON e.ultimo IS NOT NULL"
	    "  WHERE m.fase IN ('preparacion', 'suspendida')"
	    "  AND (now() AT TIME ZONE m.zona_horaria)::time >="
	    "   coalesce(m.recordatorio_hora, $1::time)) AS c"
	    " WHERE faltan IS NOT NULL ORDER BY mesa_id, id", 2, v);
	if (res == NULL)
		return false;
	p->res_acuse = res;
	res = NULL;

	reminders_arr_init(&actor);
	reminders_arr_init(&fecha);
	reminders_arr_init(&dest);
	reminders_arr_init(&src);
	x = p->res_acuse;
	for (int r = 0; r < PQntuples(x); r++) {
		int f = recordatorios_acuse(reminders_int(x, r, ACUSE_ENVIO),
		    reminders_int(x, r, ACUSE_HOY), reminders_int(x, r,
		    ACUSE_CADA), NULL);

		if (f == RECORDATORIOS_NINGUNA)
			continue;
		reminders_arr_ll(&actor, reminders_ll(x, r, ACUSE_ACTOR));
		reminders_arr_ll(&fecha, f);
		reminders_arr_str(&dest, PQgetvalue(x, r, ACUSE_EMAIL));
		reminders_arr_ll(&src, r);
	}
	if (actor.n == 0) {
		ok = true;
		goto out;
	}
	/* Those not reminded yet for that day, with the stored address. */
	v[0] = reminders_arr_end(&actor);
	v[1] = reminders_arr_end(&fecha);
	v[2] = reminders_arr_end(&dest);
	v[3] = reminders_arr_end(&src);
	res = db_exec(p->conn, err,
	    "SELECT u.src, u.fecha, lower(u.email)"
	    " FROM unnest($1::bigint[], $2::int[], $3::text[], $4::int[])"
	    "  AS u(actor_id, fecha, email, src)"
	    " WHERE NOT EXISTS (SELECT 1 FROM recordatorios r"
	    "  WHERE r.actividad_id IS NULL AND r.actor_id = u.actor_id"
	    "  AND r.tipo = 'acuse' AND r.fecha = " REMINDERS_EPOCH " + u.fecha"
	    "  AND r.destinatario = lower(u.email))"
	    " ORDER BY u.src", 4, v);
	if (res == NULL)
		goto out;
	p->res_acuse_new = res;
	res = NULL;
	for (int r = 0; r < PQntuples(p->res_acuse_new); r++) {
		struct reminders_row *row = reminders_row_new(p);
		int c = reminders_int(p->res_acuse_new, r, 0);

		row->src = c;
		row->mesa_id = reminders_ll(x, c, ACUSE_MESA);
		row->actor_id = reminders_ll(x, c, ACUSE_ACTOR);
		row->tipo = "acuse";
		row->fecha = reminders_int(p->res_acuse_new, r, 1);
		/* dias of an acuse: days since the send it follows. */
		row->dias = row->fecha - reminders_int(x, c, ACUSE_ENVIO);
		row->destinatario = PQgetvalue(p->res_acuse_new, r, 2);
		row->to = PQgetvalue(x, c, ACUSE_EMAIL);
		row->nombre = PQgetvalue(x, c, ACUSE_NOMBRE);
		row->rol = "actor";
	}
	ok = true;
out:
	PQclear(res);
	reminders_arr_cleanup(&actor);
	reminders_arr_cleanup(&fecha);
	reminders_arr_cleanup(&dest);
	reminders_arr_cleanup(&src);
	return ok;
}

/*
 * The emails.
 */

/*
 * The first line of s, at most REMINDERS_ASUNTO_MAX bytes, cut between
 * two characters and ended with "…" when cut. Owned.
 */
static char *
reminders_corto(const char *s)
{
	size_t len = strcspn(s, "\r\n"), cut = len;

	if (cut > REMINDERS_ASUNTO_MAX) {
		cut = REMINDERS_ASUNTO_MAX;
		/* Back to the first byte of a character. */
		while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
			cut--;
	}
	while (cut > 0 && s[cut - 1] == ' ')
		cut--;
	return cut < len ? xasprintf("%.*s…", (int)cut, s) :
	    xasprintf("%.*s", (int)cut, s);
}

static const char *
reminders_dias_txt(int n)
{
	return n == 1 ? "día" : "días";
}

/* The subject of an activity's reminder, from the days left today. */
static char *
reminders_asunto(int faltan, const char *descripcion)
{
	char *corto = reminders_corto(descripcion), *s;

	if (faltan > 1)
		s = xasprintf("Recordatorio: «%s» vence en %d días", corto,
		    faltan);
	else if (faltan == 1)
		s = xasprintf("Recordatorio: «%s» vence mañana", corto);
	else if (faltan == 0)
		s = xasprintf("Recordatorio: «%s» vence hoy", corto);
	else
		s = xasprintf("Vencida hace %d %s: «%s»", -faltan,
		    reminders_dias_txt(-faltan), corto);
	free(corto);
	return s;
}

static void
reminders_plazo(struct buf *b, int faltan)
{
	if (faltan > 1)
		buf_printf(b, "faltan %d días", faltan);
	else if (faltan == 1)
		buf_puts(b, "vence mañana");
	else if (faltan == 0)
		buf_puts(b, "vence hoy");
	else
		buf_printf(b, "vencida hace %d %s", -faltan,
		    reminders_dias_txt(-faltan));
}

static const char *
reminders_estado_label(const char *estado)
{
	if (strcmp(estado, "en_progreso") == 0)
		return "en progreso";
	return estado;
}

/* Why a copy goes to row's recipient: "Recibe esta copia porque ...: ". */
static void
reminders_copia_motivo(struct buf *b, const struct reminders_row *row,
    const struct reminders_mesa *m)
{
	if (strcmp(row->rol, "facilitador") == 0)
		buf_printf(b, "Recibe esta copia porque facilita la "
		    "mesa «%s»: ", m->titulo);
	else
		buf_printf(b, "Recibe esta copia como integrante del organismo "
		    "garante de la mesa «%s»: ", m->titulo);
}

/* ", y ... recibe copia de los recordatorios a partir de ...". */
static void
reminders_copia_umbral(struct buf *b, const struct reminders_row *row,
    const struct reminders_mesa *m)
{
	bool fac = strcmp(row->rol, "facilitador") == 0;
	int umbral = fac ? m->cad.copia_facilitador : m->cad.copia_garante;

	buf_printf(b, ", y %s recibe copia de los recordatorios ",
	    fac ? "quien facilita la mesa" : "el organismo garante");
	if (umbral <= 0)
		buf_puts(b, "desde el día del vencimiento.\n\n");
	else
		buf_printf(b, "a partir de %d %s de retraso.\n\n", umbral,
		    reminders_dias_txt(umbral));
}

/*
 * What an email says of row's activity, one line each: its first line
 * after primera, the others after sangria; the PAL's line only if
 * con_plan (a list of activities names the PAL once, above).
 */
static void
reminders_texto_detalle(struct reminders_pass *p,
    const struct reminders_row *row, const struct reminders_mesa *m,
    const char *primera, const char *sangria, bool con_plan, struct buf *b)
{
	const PGresult *x = p->res_act;
	int r = row->src;
	int limite = reminders_int(p->res_cand, row->cand, CAND_LIMITE);
	int cnum = reminders_int(x, r, ACT_COMP_NUMERO);
	char larga[64];

	dates_format_long(limite, larga, sizeof(larga));
	buf_printf(b, "%sActividad %d.%d: %s\n", primera, cnum,
	    reminders_int(x, r, ACT_NUMERO), PQgetvalue(x, r, ACT_DESCRIPCION));
	buf_printf(b, "%sCompromiso %d: «%s»\n", sangria, cnum,
	    PQgetvalue(x, r, ACT_COMP_TITULO));
	if (con_plan)
		buf_printf(b, "%sPlan de Acción Local de la mesa "
		    "«%s» (%s)\n", sangria, m->titulo, m->entidad);
	buf_printf(b, "%sFecha límite: %s (", sangria, larga);
	reminders_plazo(b, limite - m->hoy);
	buf_puts(b, ")\n");
	buf_printf(b, "%sResponsable: %s <%s>\n", sangria,
	    PQgetvalue(x, r, ACT_RESP_NOMBRE),
	    PQgetvalue(x, r, ACT_RESP_EMAIL));
	buf_printf(b, "%sEstado informado: %s, %s %%\n", sangria,
	    reminders_estado_label(PQgetvalue(x, r, ACT_ESTADO)),
	    PQgetvalue(x, r, ACT_AVANCE));
}

/*
 * The text of an activity's reminder to row's recipient; the link only
 * for the responsable (token NULL otherwise).
 */
static void
reminders_texto_actividad(struct reminders_pass *p,
    const struct reminders_row *row, const struct reminders_mesa *m,
    const char *token, struct buf *b)
{
	int limite = reminders_int(p->res_cand, row->cand, CAND_LIMITE);
	int faltan = limite - m->hoy;
	const char *resp = PQgetvalue(p->res_act, row->src, ACT_RESP_NOMBRE);

	buf_printf(b, "Estimada/o %s:\n\n", row->nombre[0] != '\0' ?
	    row->nombre : row->to);
	if (strcmp(row->rol, "responsable") == 0) {
		if (faltan > 1)
			buf_printf(b, "Le recordamos que la actividad a su "
			    "cargo vence en %d días.\n\n", faltan);
		else if (faltan == 1)
			buf_puts(b, "Le recordamos que la actividad a su "
			    "cargo vence mañana.\n\n");
		else if (faltan == 0)
			buf_puts(b, "Le recordamos que hoy vence la actividad "
			    "a su cargo.\n\n");
		else
			buf_printf(b, "La actividad a su cargo venció hace %d "
			    "%s y no se ha informado como cumplida.\n\n",
			    -faltan, reminders_dias_txt(-faltan));
	} else {
		reminders_copia_motivo(b, row, m);
		buf_printf(b, "la actividad a cargo de %s ", resp);
		if (faltan >= 0)
			buf_puts(b, "vence hoy");
		else
			buf_printf(b, "venció hace %d %s", -faltan,
			    reminders_dias_txt(-faltan));
		reminders_copia_umbral(b, row, m);
	}
	reminders_texto_detalle(p, row, m, "", "", true, b);
	buf_putc(b, '\n');
	if (token != NULL) {
		buf_printf(b, "Para informar el avance (en progreso o "
		    "cumplida, el porcentaje, un enlace a la evidencia y una nota sobre "
		    "el progreso o el retraso) use su enlace personal:\n\n"
		    "    %s/e/%s\n\n"
		    "El enlace abre un formulario; nada se registra hasta que "
		    "lo envíe. Cuando la actividad quede cumplida dejará de "
		    "recibir recordatorios.\n", config_live->public_url, token);
	} else {
		buf_printf(b, "%s recibió su propio recordatorio con un enlace "
		    "personal para informar el avance.", resp);
		if (strcmp(row->rol, "facilitador") == 0)
			buf_printf(b, " También puede registrarlo usted con "
			    "«pal actividad avance %lld».", row->actividad_id);
		buf_putc(b, '\n');
	}
}

/*
 * One copy for the n reminders rows[0..n) of one mesa to one recipient
 * (n > 1; reminders_texto_actividad writes the copy of one): the
 * activities as a list, in the order of their reminders.
 */
static void
reminders_texto_copias(struct reminders_pass *p,
    const struct reminders_row *rows, size_t n,
    const struct reminders_mesa *m, struct buf *b)
{
	bool fac = strcmp(rows[0].rol, "facilitador") == 0;

	buf_printf(b, "Estimada/o %s:\n\n", rows[0].nombre[0] != '\0' ?
	    rows[0].nombre : rows[0].to);
	reminders_copia_motivo(b, &rows[0], m);
	buf_printf(b, "hoy se envió un recordatorio a quien tiene a su cargo "
	    "cada una de estas %zu actividades, que vencen hoy o ya "
	    "vencieron", n);
	reminders_copia_umbral(b, &rows[0], m);
	buf_printf(b, "Plan de Acción Local de la mesa «%s» (%s)\n\n",
	    m->titulo, m->entidad);
	for (size_t i = 0; i < n; i++) {
		char num[24];

		snprintf(num, sizeof(num), "%zu. ", i + 1);
		reminders_texto_detalle(p, &rows[i], m, num, "   ", false, b);
		if (fac)
			buf_printf(b, "   Para registrar su avance: «pal "
			    "actividad avance %lld»\n", rows[i].actividad_id);
		buf_putc(b, '\n');
	}
	buf_puts(b, "Cada responsable recibió su propio recordatorio con un "
	    "enlace personal para informar el avance.\n");
}

static void
reminders_texto_acuse(struct reminders_pass *p,
    const struct reminders_row *row, struct buf *b)
{
	const PGresult *x = p->res_acuse;
	int r = row->src, cada = reminders_int(x, r, ACUSE_CADA);
	const char *faltan = PQgetvalue(x, r, ACUSE_FALTAN);
	char larga[64];

	dates_format_long(reminders_int(x, r, ACUSE_ENVIO), larga,
	    sizeof(larga));
	buf_printf(b, "Estimada/o %s:\n\n"
	    "Para preparar la mesa de diálogo «%s» (%s) cada participante "
	    "debe confirmar que recibió todos los materiales. Aún no tenemos "
	    "su confirmación de:\n\n", row->nombre,
	    PQgetvalue(x, r, ACUSE_TITULO), PQgetvalue(x, r, ACUSE_ENTIDAD));
	while (*faltan != '\0') {
		size_t len = strcspn(faltan, "\n");

		buf_printf(b, "  - %.*s\n", (int)len, faltan);
		faltan += len;
		if (*faltan == '\n')
			faltan++;
	}
	buf_printf(b, "\nEl último envío de materiales se le hizo el %s. "
	    "Para confirmar, abra el enlace personal del correo con el que "
	    "los recibió y presione el botón de la página. Si no lo "
	    "encuentra, pida a %s (%s), quien facilita la mesa, que se los "
	    "reenvíe.\n\n"
	    "Recibirá este recordatorio cada %d %s hasta que confirme.\n",
	    larga, PQgetvalue(x, r, ACUSE_FAC_NOMBRE),
	    PQgetvalue(x, r, ACUSE_FAC_EMAIL), cada, reminders_dias_txt(cada));
}

/*
 * Queueing. A builder thread writes the emails (the text, the progress
 * link's token, the whole RFC 5322 message) into batches of
 * REMINDERS_LOTE while this thread runs the statements: first the UPDATE
 * of the next dates, then for each batch its outbox INSERT and the
 * INSERT of its recordatorios rows and links. Building costs about a
 * third of what the database spends on the same rows, so on two cores it
 * disappears behind the statements. Two batches take turns: one being
 * built, one being written.
 */

struct reminders_lote {
	struct outbox_batch	 batch;
	size_t			 first, end;	/* its rows */
	bool			 ready;		/* built, not written yet */
};

struct reminders_builder {
	struct reminders_pass	*p;
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cond;
	struct reminders_lote	 lotes[2];
	size_t			*slot;	/* per row: place in its batch + 1 */
	size_t			 made;	/* batches built so far */
	bool			 stop;	/* the pass gave up: build no more */
	bool			 failed;
	struct error		 err;	/* why it failed */
};

/*
 * Builds the email of rows[i] (and of the rows[i].correo - 1 copies after
 * it) into batch; for the responsable of an activity, with a new progress
 * link whose hash goes to rows[i].hash. An address the mail builder
 * refuses (422) loses that one email, logged; its reminders are still
 * recorded, since retrying them every pass would only fail again. False
 * with err for anything else.
 */
static bool
reminders_correo(struct reminders_pass *p, size_t i,
    struct outbox_batch *batch, size_t *slot, struct error *err)
{
	struct reminders_row *row = &p->rows[i];
	size_t n = row->correo;
	char token[TOKEN_TEXT_LEN + 1];
	struct outbox_mail mail;
	struct error merr;
	struct buf text;
	char *subject;
	bool ok = false;

	token[0] = '\0';
	row->hash[0] = '\0';
	buf_init(&text);
	if (row->actividad_id != 0) {
		struct reminders_mesa *m = reminders_mesa_find(p,
		    row->mesa_id);

		if (m == NULL) {
			ok = true;
			goto out;
		}
		if (strcmp(row->rol, "responsable") == 0) {
			if (!token_generate(token)) {
				error_set(err, 500, "error_interno",
				    "No se pudo generar un enlace personal.");
				goto out;
			}
			token_hash(token, row->hash);
		}
		if (n > 1) {
			char *corto = reminders_corto(m->titulo);

			reminders_texto_copias(p, row, n, m, &text);
			subject = xasprintf("Copia de %zu recordatorios de la "
			    "mesa «%s»", n, corto);
			free(corto);
		} else {
			reminders_texto_actividad(p, row, m,
			    token[0] != '\0' ? token : NULL, &text);
			subject = reminders_asunto(reminders_int(p->res_cand,
			    row->cand, CAND_LIMITE) - m->hoy,
			    PQgetvalue(p->res_act, row->src,
			    ACT_DESCRIPCION));
		}
	} else {
		reminders_texto_acuse(p, row, &text);
		subject = xasprintf("Recordatorio: confirme la recepción de "
		    "los materiales de «%s»", PQgetvalue(p->res_acuse,
		    row->src, ACUSE_TITULO));
	}
	memset(&mail, 0, sizeof(mail));
	mail.tipo = "recordatorio";
	mail.mesa_id = row->mesa_id;
	mail.to_name = row->nombre;
	mail.to_addr = row->to;
	mail.subject = subject;
	mail.text = text.data;
	if (outbox_batch_add(batch, &mail, &merr)) {
		for (size_t k = 0; k < n; k++)
			slot[k] = outbox_batch_count(batch);
	} else if (merr.status == 422)
		log_warn("reminder to an address at %s not queued: %s",
		    reminders_domain(row->to), merr.message);
	else {
		*err = merr;
		free(subject);
		goto out;
	}
	free(subject);
	ok = true;
out:
	/* The token lives on only in the email. */
	explicit_bzero(token, sizeof(token));
	explicit_bzero(text.data, text.len);
	buf_cleanup(&text);
	return ok;
}

/* The builder thread: fills the two batches in turn, until the last row. */
static void *
reminders_builder_run(void *arg)
{
	struct reminders_builder *b = arg;
	struct reminders_pass *p = b->p;
	size_t next = 0;

	for (size_t k = 0; next < p->n_rows; k++) {
		struct reminders_lote *l = &b->lotes[k % 2];
		struct error err;
		bool ok = true, stop;

		pthread_mutex_lock(&b->mu);
		while (l->ready && !b->stop)
			pthread_cond_wait(&b->cond, &b->mu);
		stop = b->stop;
		pthread_mutex_unlock(&b->mu);
		if (stop)
			break;
		l->first = next;
		while (next < p->n_rows &&
		    outbox_batch_count(&l->batch) < REMINDERS_LOTE) {
			if (!(ok = reminders_correo(p, next, &l->batch,
			    &b->slot[next], &err)))
				break;
			next += p->rows[next].correo;
		}
		l->end = next;
		pthread_mutex_lock(&b->mu);
		if (!ok) {
			b->failed = true;
			b->err = err;
		} else {
			l->ready = true;
			b->made++;
		}
		pthread_cond_broadcast(&b->cond);
		pthread_mutex_unlock(&b->mu);
		if (!ok)
			break;
	}
	return NULL;
}

/*
 * Waits for the k-th batch: borrowed until reminders_builder_release, or
 * NULL with err if the builder failed before building it. The caller
 * knows the last batch by its end, the last row.
 */
static struct reminders_lote *
reminders_builder_next(struct reminders_builder *b, size_t k,
    struct error *err)
{
	struct reminders_lote *l = NULL;

	pthread_mutex_lock(&b->mu);
	while (k >= b->made && !b->failed)
		pthread_cond_wait(&b->cond, &b->mu);
	if (k < b->made)
		l = &b->lotes[k % 2];
	else
		*err = b->err;
	pthread_mutex_unlock(&b->mu);
	return l;
}

/* Hands a written batch back to the builder. */
static void
reminders_builder_release(struct reminders_builder *b,
    struct reminders_lote *l)
{
	pthread_mutex_lock(&b->mu);
	l->ready = false;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->mu);
}

/*
 * Records rows[first..end) in recordatorios with ON CONFLICT ... DO
 * NOTHING and inserts their progress links, in one statement. Each row
 * gets its id from the sequence before the INSERT, so the ids of the rows
 * actually inserted name their proposals without matching keys; a row
 * left with id 0 conflicted (reminders_retirar deals with it).
 */
static bool
reminders_registrar(struct reminders_pass *p, size_t first, size_t end,
    struct error *err)
{
	struct reminders_arr mesa, act, actor, tipo, fecha, dias, dest, rol,
	    outbox, hash, lmesa, lact, lemail;
	const char *v[13];
	PGresult *res;
	bool ok = false;

	reminders_arr_init(&mesa);
	reminders_arr_init(&act);
	reminders_arr_init(&actor);
	reminders_arr_init(&tipo);
	reminders_arr_init(&fecha);
	reminders_arr_init(&dias);
	reminders_arr_init(&dest);
	reminders_arr_init(&rol);
	reminders_arr_init(&outbox);
	reminders_arr_init(&hash);
	reminders_arr_init(&lmesa);
	reminders_arr_init(&lact);
	reminders_arr_init(&lemail);
	for (size_t i = first; i < end; i++) {
		const struct reminders_row *row = &p->rows[i];

		reminders_arr_ll(&mesa, row->mesa_id);
		if (row->actividad_id != 0)
			reminders_arr_ll(&act, row->actividad_id);
		else
			reminders_arr_null(&act);
		if (row->actor_id != 0)
			reminders_arr_ll(&actor, row->actor_id);
		else
			reminders_arr_null(&actor);
		reminders_arr_str(&tipo, row->tipo);
		reminders_arr_ll(&fecha, row->fecha);
		reminders_arr_ll(&dias, row->dias);
		reminders_arr_str(&dest, row->destinatario);
		reminders_arr_str(&rol, row->rol);
		if (row->outbox_id != 0)
			reminders_arr_ll(&outbox, row->outbox_id);
		else
			reminders_arr_null(&outbox);
		if (row->hash[0] != '\0') {
			reminders_arr_str(&hash, row->hash);
			reminders_arr_ll(&lmesa, row->mesa_id);
			reminders_arr_ll(&lact, row->actividad_id);
			reminders_arr_str(&lemail, row->to);
		}
	}
	v[0] = reminders_arr_end(&mesa);
	v[1] = reminders_arr_end(&act);
	v[2] = reminders_arr_end(&actor);
	v[3] = reminders_arr_end(&tipo);
	v[4] = reminders_arr_end(&fecha);
	v[5] = reminders_arr_end(&dias);
	v[6] = reminders_arr_end(&dest);
	v[7] = reminders_arr_end(&rol);
	v[8] = reminders_arr_end(&outbox);
	v[9] = reminders_arr_end(&hash);
	v[10] = reminders_arr_end(&lmesa);
	v[11] = reminders_arr_end(&lact);
	v[12] = reminders_arr_end(&lemail);
	/* Each returned row names its proposal by position (n, from 1). */
	res = db_exec(p->conn, err,
	    "WITH u AS MATERIALIZED (SELECT nextval('recordatorios_id_seq')"
	    "  AS id, * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[],"
	    "  $4::text[], $5::int[], $6::int[], $7::text[], $8::text[],"
	    "  $9::bigint[]) WITH ORDINALITY AS u(mesa_id, actividad_id,"
	    "  actor_id, tipo, fecha, dias, destinatario, rol, outbox_id, n)),"
	    " ins AS (INSERT INTO recordatorios (id, mesa_id, actividad_id,"
	    "  actor_id, tipo, fecha, dias, destinatario, rol_destinatario,"
	    "  outbox_id)"
	    "  SELECT id, mesa_id, actividad_id, actor_id, tipo,"
	    "   " REMINDERS_EPOCH " + fecha, dias, destinatario, rol, outbox_id"
	    "  FROM u"
	    "  ON CONFLICT ON CONSTRAINT recordatorios_unico DO NOTHING"
	    "  RETURNING id),"
	    " enl AS (INSERT INTO enlaces (hash, proposito, mesa_id,"
	    "  actividad_id, email)"
	    "  SELECT h, 'avance', m, a, e FROM unnest($10::text[],"
	    "   $11::bigint[], $12::bigint[], $13::text[]) AS l(h, m, a, e))"
	    " SELECT u.n, u.id FROM u JOIN ins USING (id)", 13, v);
	if (res == NULL)
		goto out;
	for (int r = 0; r < PQntuples(res); r++) {
		long long n = reminders_ll(res, r, 0);

		if (n >= 1 && (size_t)n <= end - first)
			p->rows[first + (size_t)n - 1].id =
			    reminders_ll(res, r, 1);
	}
	PQclear(res);
	ok = true;
out:
	reminders_arr_cleanup(&mesa);
	reminders_arr_cleanup(&act);
	reminders_arr_cleanup(&actor);
	reminders_arr_cleanup(&tipo);
	reminders_arr_cleanup(&fecha);
	reminders_arr_cleanup(&dias);
	reminders_arr_cleanup(&dest);
	reminders_arr_cleanup(&rol);
	reminders_arr_cleanup(&outbox);
	reminders_arr_cleanup(&hash);
	reminders_arr_cleanup(&lmesa);
	reminders_arr_cleanup(&lact);
	reminders_arr_cleanup(&lemail);
	return ok;
}

/* Queues one built batch, then records its rows. */
static bool
reminders_escribir(struct reminders_pass *p, struct reminders_lote *l,
    const size_t *slot, struct error *err)
{
	size_t n = outbox_batch_count(&l->batch);
	long long *ids = NULL;
	bool ok = false;

	if (n > 0) {
		ids = xcalloc(n, sizeof(*ids));
		if (!outbox_batch_flush(p->conn, &l->batch, ids, err))
			goto out;
	}
	for (size_t i = l->first; i < l->end; i++)
		p->rows[i].outbox_id = slot[i] != 0 ? ids[slot[i] - 1] : 0;
	ok = reminders_registrar(p, l->first, l->end, err);
out:
	free(ids);
	return ok;
}

/* Whether a row recorded in this pass shares rows[i]'s email. */
static bool
reminders_correo_compartido(const struct reminders_pass *p, size_t i)
{
	long long ob = p->rows[i].outbox_id;

	/* The rows of one email are next to each other. */
	for (size_t j = i; j > 0 && p->rows[j - 1].outbox_id == ob; j--)
		if (p->rows[j - 1].id != 0)
			return true;
	for (size_t j = i + 1; j < p->n_rows && p->rows[j].outbox_id == ob;
	    j++)
		if (p->rows[j].id != 0)
			return true;
	return false;
}

/*
 * A row that conflicted was recorded by someone else since it was
 * proposed (a writer that does not take the advisory lock): its email and
 * link are deleted again, uncommitted, so the unique key alone keeps
 * "never twice". A copy that lists other reminders recorded now still
 * goes out with them. The rows kept stay, in order.
 */
static bool
reminders_retirar(struct reminders_pass *p, struct error *err)
{
	struct reminders_arr gone_outbox, gone_hash;
	const char *v[1];
	size_t kept = 0;
	bool ok = false;

	reminders_arr_init(&gone_outbox);
	reminders_arr_init(&gone_hash);
	for (size_t i = 0; i < p->n_rows; i++) {
		struct reminders_row *row = &p->rows[i];

		if (row->id != 0 || row->outbox_id == 0)
			continue;
		if (reminders_correo_compartido(p, i))
			log_warn("a copy to an address at %s lists a "
			    "reminder another writer recorded meanwhile; it "
			    "goes out for the others it lists",
			    reminders_domain(row->to));
		else
			reminders_arr_ll(&gone_outbox, row->outbox_id);
	}
	for (size_t i = 0; i < p->n_rows; i++) {
		struct reminders_row *row = &p->rows[i];

		if (row->id == 0) {
			log_warn("reminder to an address at %s recorded "
			    "meanwhile by another writer; left out of this "
			    "pass", reminders_domain(row->to));
			if (row->hash[0] != '\0')
				reminders_arr_str(&gone_hash, row->hash);
			continue;
		}
		p->rows[kept++] = *row;
	}
	p->n_rows = kept;
	if (gone_outbox.n > 0) {
		v[0] = reminders_arr_end(&gone_outbox);
		if (!db_command(p->conn, err, "DELETE FROM outbox"
		    " WHERE id = ANY($1::bigint[])", 1, v))
			goto out;
	}
	if (gone_hash.n > 0) {
		v[0] = reminders_arr_end(&gone_hash);
		if (!db_command(p->conn, err, "DELETE FROM enlaces"
		    " WHERE hash = ANY($1::text[])", 1, v))
			goto out;
	}
	ok = true;
out:
	reminders_arr_cleanup(&gone_outbox);
	reminders_arr_cleanup(&gone_hash);
	return ok;
}

/* Stores the next date of every activity looked at. */
static bool
reminders_fechas(struct reminders_pass *p, struct error *err)
{
	const char *v[2];

	if (p->aid.n == 0)
		return true;
	v[0] = reminders_arr_end(&p->aid);
	v[1] = reminders_arr_end(&p->anext);
	return db_command(p->conn, err, "UPDATE recordatorios_proximos x"
	    " SET proximo = " REMINDERS_EPOCH " + u.p"
	    " FROM unnest($1::bigint[], $2::int[]) AS u(id, p)"
	    " WHERE x.actividad_id = u.id", 2, v);
}

/*
 * Stores the next dates and queues and records every reminder proposed,
 * the emails built meanwhile by the builder thread.
 */
static bool
reminders_correos(struct reminders_pass *p, struct error *err)
{
	struct reminders_builder b;
	struct reminders_lote *l;
	bool ok = false, started = false;

	if (p->n_rows == 0)
		return reminders_fechas(p, err);
	memset(&b, 0, sizeof(b));
	b.p = p;
	b.slot = xcalloc(p->n_rows, sizeof(*b.slot));
	pthread_mutex_init(&b.mu, NULL);
	pthread_cond_init(&b.cond, NULL);
	outbox_batch_init(&b.lotes[0].batch);
	outbox_batch_init(&b.lotes[1].batch);
	if (pthread_create(&b.thread, NULL, reminders_builder_run, &b) != 0) {
		log_error("reminders: could not start the builder thread");
		error_set(err, 500, "error_interno", "Error interno del "
		    "servidor; quedó registrado en la bitácora.");
		goto out;
	}
	started = true;
	if (!reminders_fechas(p, err))
		goto out;
	for (size_t k = 0, end = 0; end < p->n_rows; k++) {
		if ((l = reminders_builder_next(&b, k, err)) == NULL)
			goto out;
		end = l->end;
		if (!reminders_escribir(p, l, b.slot, err))
			goto out;
		reminders_builder_release(&b, l);
	}
	ok = reminders_retirar(p, err);
out:
	if (started) {
		pthread_mutex_lock(&b.mu);
		b.stop = true;
		pthread_cond_broadcast(&b.cond);
		pthread_mutex_unlock(&b.mu);
		pthread_join(b.thread, NULL);
	}
	pthread_cond_destroy(&b.cond);
	pthread_mutex_destroy(&b.mu);
	outbox_batch_cleanup(&b.lotes[0].batch);
	outbox_batch_cleanup(&b.lotes[1].batch);
	free(b.slot);
	return ok;
}

static json_t *
reminders_row_json(const struct reminders_row *row)
{
	json_t *o = json_object();
	char fecha[11];

	dates_format(row->fecha, fecha);
	json_object_set_new_nocheck(o, "id", json_integer(row->id));
	json_object_set_new_nocheck(o, "mesa_id", json_integer(row->mesa_id));
	json_object_set_new_nocheck(o, "actividad_id", row->actividad_id ?
	    json_integer(row->actividad_id) : json_null());
	json_object_set_new_nocheck(o, "actor_id", row->actor_id ?
	    json_integer(row->actor_id) : json_null());
	json_object_set_new_nocheck(o, "tipo", json_string(row->tipo));
	json_object_set_new_nocheck(o, "fecha", json_string(fecha));
	json_object_set_new_nocheck(o, "dias", json_integer(row->dias));
	json_object_set_new_nocheck(o, "destinatario",
	    json_string(row->destinatario));
	json_object_set_new_nocheck(o, "rol", json_string(row->rol));
	json_object_set_new_nocheck(o, "outbox_id", row->outbox_id ?
	    json_integer(row->outbox_id) : json_null());
	return o;
}

static int
reminders_cmp_row_id(const void *a, const void *b)
{
	const struct reminders_row *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int
reminders_cmp_row_mesa(const void *a, const void *b)
{
	const struct reminders_row *x = *(const struct reminders_row *const *)a;
	const struct reminders_row *y = *(const struct reminders_row *const *)b;

	if (x->mesa_id != y->mesa_id)
		return (x->mesa_id > y->mesa_id) - (x->mesa_id < y->mesa_id);
	return (x->id > y->id) - (x->id < y->id);
}

static void
reminders_json_ll(struct buf *b, const char *key, long long v)
{
	if (v != 0)
		buf_printf(b, "\"%s\":%lld,", key, v);
	else
		buf_printf(b, "\"%s\":null,", key);
}

/*
 * A reminder as reminders_row_json gives it, written as JSON text: the
 * events carry tens of thousands of them, which jansson took 150 ms to
 * build and dump.
 */
static void
reminders_row_text(struct buf *b, const struct reminders_row *row)
{
	char fecha[11];

	dates_format(row->fecha, fecha);
	buf_printf(b, "{\"id\":%lld,\"mesa_id\":%lld,", row->id,
	    row->mesa_id);
	reminders_json_ll(b, "actividad_id", row->actividad_id);
	reminders_json_ll(b, "actor_id", row->actor_id);
	buf_puts(b, "\"tipo\":");
	buf_put_json_str(b, row->tipo);
	buf_printf(b, ",\"fecha\":\"%s\",\"dias\":%d,\"destinatario\":",
	    fecha, row->dias);
	buf_put_json_str(b, row->destinatario);
	buf_puts(b, ",\"rol\":");
	buf_put_json_str(b, row->rol);
	buf_putc(b, ',');
	reminders_json_ll(b, "outbox_id", row->outbox_id);
	b->data[b->len - 1] = '}';
}

/*
 * One 'recordatorio.enviado' event per mesa, listing its reminders, all
 * in one INSERT (one per mesa was 1,000 round trips a day).
 */
static bool
reminders_eventos(struct reminders_pass *p, struct error *err)
{
	static const char *const nombres[4] = {
		"previos", "de vencimiento", "de actividad vencida",
		"de acuse de recibo",
	};
	struct reminders_row **by_mesa;
	struct buf desc, json;
	long long *mesas;
	char **descs, **datos;
	size_t i = 0, n_mesas = 0;
	bool ok;

	if (p->n_rows == 0)
		return true;
	/* The reply and the events list reminders in the order recorded. */
	qsort(p->rows, p->n_rows, sizeof(*p->rows), reminders_cmp_row_id);
	by_mesa = xcalloc(p->n_rows, sizeof(*by_mesa));
	for (size_t k = 0; k < p->n_rows; k++)
		by_mesa[k] = &p->rows[k];
	qsort(by_mesa, p->n_rows, sizeof(*by_mesa), reminders_cmp_row_mesa);
	/* At most one event per reminder. */
	mesas = xcalloc(p->n_rows, sizeof(*mesas));
	descs = xcalloc(p->n_rows, sizeof(*descs));
	datos = xcalloc(p->n_rows, sizeof(*datos));
	buf_init(&desc);
	buf_init(&json);
	while (i < p->n_rows) {
		long long mesa = by_mesa[i]->mesa_id;
		int n[4] = { 0, 0, 0, 0 };
		size_t total = 0;

		buf_reset(&json);
		buf_puts(&json, "{\"recordatorios\":[");
		for (; i < p->n_rows && by_mesa[i]->mesa_id == mesa; i++) {
			const char *t = by_mesa[i]->tipo;

			n[strcmp(t, "previo") == 0 ? 0 :
			    strcmp(t, "vencimiento") == 0 ? 1 :
			    strcmp(t, "vencida") == 0 ? 2 : 3]++;
			if (total++ > 0)
				buf_putc(&json, ',');
			reminders_row_text(&json, by_mesa[i]);
		}
		buf_puts(&json, "]}");
		buf_reset(&desc);
		buf_printf(&desc, "Se %s %zu %s:", total == 1 ? "envió" :
		    "enviaron", total, total == 1 ? "recordatorio" :
		    "recordatorios");
		for (int k = 0, first = 1; k < 4; k++) {
			if (n[k] == 0)
				continue;
			buf_printf(&desc, "%s %d %s", first ? "" : ",", n[k],
			    nombres[k]);
			first = 0;
		}
		buf_putc(&desc, '.');
		mesas[n_mesas] = mesa;
		descs[n_mesas] = buf_steal(&desc);
		datos[n_mesas] = buf_steal(&json);
		n_mesas++;
	}
	ok = store_eventos_lote(p->conn, "recordatorio.enviado", n_mesas,
	    mesas, (const char *const *)descs, (const char *const *)datos,
	    err);
	for (size_t k = 0; k < n_mesas; k++) {
		free(descs[k]);
		free(datos[k]);
	}
	free(mesas);
	free(descs);
	free(datos);
	buf_cleanup(&desc);
	buf_cleanup(&json);
	free(by_mesa);
	return ok;
}

static double
reminders_ms(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/*
 * reminders_plan, but with lista false the reply's list stays empty: the
 * scheduled pass throws the reply away, and tens of thousands of objects
 * are not worth building for that.
 */
static json_t *
reminders_run(PGconn *conn, const struct reminders_settings *s, bool lista,
    struct error *err)
{
	static bool (*const steps[])(struct reminders_pass *,
	    struct error *) = {
		reminders_check_cadence, reminders_load_mesas,
		reminders_plan_actividades, reminders_plan_acuses,
		reminders_correos, reminders_eventos,
	};
	enum { NSTEPS = sizeof(steps) / sizeof(steps[0]) };
	struct reminders_pass p;
	struct timespec t0, t1;
	json_t *out = NULL, *rows;
	double ms[NSTEPS] = { 0 };
	char *coste = NULL, *mem = NULL;
	const char *v[2];
	PGresult *res;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&p, 0, sizeof(p));
	p.conn = conn;
	p.s = s;
	reminders_arr_init(&p.aid);
	reminders_arr_init(&p.anext);
	snprintf(p.hora, sizeof(p.hora), "%02d:%02d", s->hora_min / 60,
	    s->hora_min % 60);

	/*
	 * Waits for a pass of another pald or of the API to commit. Then,
	 * until the pass ends: it joins thousands of ids to tables of a
	 * million rows, which the planner's default cost of a random page
	 * (4, for spinning disks) turns into whole-table scans (measured:
	 * 1.1 s against 0.6 s for 22,000 activities); and it sorts tens of
	 * thousands of recipients, which the default work_mem (4 MB) sends
	 * to disk. The caller's values come back afterwards.
	 */
	res = db_exec(conn, err, "SELECT pg_advisory_xact_lock("
	    REMINDERS_LOCK "), current_setting('random_page_cost'),"
	    " current_setting('work_mem'),"
	    " set_config('random_page_cost', '1.1', true),"
	    " set_config('work_mem', '64MB', true)", 0, NULL);
	if (res == NULL)
		goto out;
	v[0] = coste = xstrdup(PQgetvalue(res, 0, 1));
	v[1] = mem = xstrdup(PQgetvalue(res, 0, 2));
	PQclear(res);
	for (size_t i = 0; i < NSTEPS; i++) {
		if (!steps[i](&p, err))
			goto out;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms[i] = reminders_ms(&t0, &t1);
	}
	if (!db_command(conn, err, "SELECT set_config('random_page_cost',"
	    " $1, true), set_config('work_mem', $2, true)", 2, v))
		goto out;

	rows = json_array();
	for (size_t i = 0; lista && i < p.n_rows; i++)
		json_array_append_new(rows, reminders_row_json(&p.rows[i]));
	out = json_pack("{s:I, s:o}", "planificados", (json_int_t)p.n_rows,
	    "recordatorios", rows);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (p.n_rows > 0 || p.evaluadas > 0)
		log_info("reminders: %zu queued, %d activities looked at in "
		    "%d mesas, %.1f ms", p.n_rows, p.evaluadas, p.n_mesas,
		    reminders_ms(&t0, &t1));
	/* Where the time went, cumulative after each step. */
	log_debug("reminders: steps at %.1f %.1f %.1f %.1f %.1f %.1f ms",
	    ms[0], ms[1], ms[2], ms[3], ms[4], ms[5]);
out:
	PQclear(p.res_mesas);
	PQclear(p.res_cand);
	PQclear(p.res_act);
	PQclear(p.res_acuse);
	PQclear(p.res_acuse_new);
	reminders_arr_cleanup(&p.aid);
	reminders_arr_cleanup(&p.anext);
	free(p.mesas);
	free(p.rows);
	free(coste);
	free(mem);
	return out;
}

json_t *
reminders_plan(PGconn *conn, const struct reminders_settings *s,
    struct error *err)
{
	return reminders_run(conn, s, true, err);
}

/*
 * The scheduled pass.
 */

static bool
reminders_correr(struct pasada *p, PGconn *conn, struct error *err)
{
	struct reminders_job *rj = (struct reminders_job *)p;
	json_t *out = reminders_run(conn, &rj->s, false, err);
	bool ok = out != NULL;

	json_decref(out);
	return ok;
}

static struct reminders_job reminders_job = {
	.pasada = {
		.nombre = "reminders",
		.lock = REMINDERS_LOCK,
		.correr = reminders_correr,
	},
};

/*
 * Called by the scheduler every second: refreshes the settings snapshot
 * and, every recordatorio_periodo_s (the first time one period after
 * startup), queues a pass unless the last one is still queued or running.
 */
void
reminders_tick(void)
{
	struct pasada *p = &reminders_job.pasada;

	reminders_settings_refresh();
	if (!pasada_toca(p, config_live->recordatorio_periodo_s * 1000LL))
		return;
	reminders_settings_load(&reminders_job.s);
	pasada_encolar(p);
}
