/*
 * The garantes' weekly digest. A pass, inside one transaction of its
 * caller:
 *
 *  1. takes a transaction-scoped advisory lock (the two-key form, apart
 *     from the reminder planner's), so passes of several pald and of the
 *     API run one after another and a later one finds the work done;
 *  2. checks resumen_zona_horaria against pg_timezone_names, as mesas
 *     are checked, and computes in that zone this week's Monday and
 *     whether resumen_dia at resumen_hora has come this week (a pald that
 *     was down at that moment sends when it is back, the same week);
 *  3. lists the active garantes without a digest for this week;
 *  4. for each entidad among them, reads what the garante's monitoring
 *     reads (store_monitoreo_actividades: every activity of the PALs in
 *     follow-up, as of each mesa's local today) and the activities
 *     reported cumplida in the last 7 days (avances), and writes the
 *     part of the email they share;
 *  5. for each garante, records its row of resumenes first (INSERT ...
 *     ON CONFLICT DO NOTHING: a row that is already there means another
 *     writer sent this week's digest, and nothing is queued), then
 *     creates its personal dashboard link and queues its email, and
 *     stores the email's outbox id in the row.
 *
 * The unique key (usuario_id, semana), not the lock, is what makes "one
 * digest per garante and week" hold: the email and its row commit
 * together or not at all. The scheduled pass first asks one indexed
 * question (is the moment here, and is any garante without this week's
 * digest?) outside any transaction, so a minute with nothing to do costs
 * one query.
 *
 * It does not send mail (the mailer does, after COMMIT), does not decide
 * what the dashboard shows (web_monitoreo.c does, from the link) and
 * sends nothing to garantes without an account: the mesas' actors of
 * sector organismo_garante get copies of overdue reminders instead.
 */
#include "resumenes.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "dates.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "pasada.h"
#include "store_monitoreo.h"
#include "token.h"
#include "validate.h"
#include "web_monitoreo.h"
#include "xmalloc.h"

/*
 * The advisory lock of a pass: the two-key form like the reminder
 * planner's ("PALD", 2), with its own second key.
 */
#define RESUMENES_LOCK		"1346456644, 3"
/* How often the scheduled pass looks, and its first time after startup. */
#define RESUMENES_PERIODO_MS	60000
/* The windows of the digest, in days, and the life of its link. */
#define RESUMENES_RECIENTES	7
#define RESUMENES_PROXIMAS	14
#define RESUMENES_ENLACE_DIAS	14
/* Bytes of an activity's description in the digest. */
#define RESUMENES_DESCRIPCION_MAX	300
/* Day numbers to and from SQL dates. */
#define RESUMENES_EPOCH		"date '1970-01-01'"

/*
 * Settings: a snapshot that resumenes_tick refreshes from config_live on
 * the loop thread (SIGHUP may swap config strings there), read by any
 * thread under the mutex.
 */
static pthread_mutex_t resumenes_mu = PTHREAD_MUTEX_INITIALIZER;
static struct resumenes_settings resumenes_snapshot;
static bool resumenes_snapshot_ok;

/* The scheduled pass (pasada.h) and the settings it runs with. */
struct resumenes_job {
	struct pasada			pasada;	/* first */
	struct resumenes_settings	s;
};

/*
 * The zone the scheduled job last checked against pg_timezone_names and
 * the answer: only the job touches them, one pass at a time.
 */
static char resumenes_zona_vista[64];
static bool resumenes_zona_vista_ok;

static void
resumenes_settings_parse(struct resumenes_settings *s)
{
	const struct config *c = config_live;

	memset(s, 0, sizeof(*s));
	s->dia = c->resumen_dia >= 1 && c->resumen_dia <= 7 ?
	    c->resumen_dia : 1;
	/* config.c validated the hour; the fallback is a belt. */
	if (!dates_parse_time(c->resumen_hora, &s->hora_min)) {
		log_error("resumen_hora \"%s\" unreadable; using 08:00",
		    c->resumen_hora);
		s->hora_min = 8 * 60;
	}
	snprintf(s->zona, sizeof(s->zona), "%s", c->resumen_zona_horaria);
}

/* Loop thread: the snapshot follows config_live (and SIGHUP). */
static void
resumenes_settings_refresh(void)
{
	struct resumenes_settings s;

	resumenes_settings_parse(&s);
	pthread_mutex_lock(&resumenes_mu);
	resumenes_snapshot = s;
	resumenes_snapshot_ok = true;
	pthread_mutex_unlock(&resumenes_mu);
}

/*
 * Any thread. Before the loop thread made the first snapshot (its first
 * tick, within a second of startup) it is parsed from config_live here.
 */
void
resumenes_settings_load(struct resumenes_settings *s)
{
	pthread_mutex_lock(&resumenes_mu);
	if (!resumenes_snapshot_ok) {
		resumenes_settings_parse(&resumenes_snapshot);
		resumenes_snapshot_ok = true;
	}
	*s = resumenes_snapshot;
	pthread_mutex_unlock(&resumenes_mu);
}

/* The parameters of the clock: $1 zone, $2 ISO day, $3 hour. */
static void
resumenes_params(const struct resumenes_settings *s, char dia[16],
    char hora[16], const char *v[3])
{
	snprintf(dia, 16, "%d", s->dia);
	snprintf(hora, 16, "%02d:%02d", s->hora_min / 60, s->hora_min % 60);
	v[0] = s->zona;
	v[1] = dia;
	v[2] = hora;
}

/*
 * The local now in the zone ($1), whether this week's moment ($2, $3)
 * has come, and this week's Monday.
 */
#define RESUMENES_RELOJ							\
	"(SELECT t, date_trunc('week', t)::date AS semana,"		\
	"  extract(isodow FROM t)::int > $2::int OR"			\
	"  (extract(isodow FROM t)::int = $2::int AND"			\
	"   t::time >= $3::time) AS toca"				\
	" FROM (SELECT now() AT TIME ZONE $1::text AS t) n) l"

/* The garantes u a pass writes to: active, without l.semana's digest. */
#define RESUMENES_GARANTES						\
	" u.rol = 'garante' AND u.activo"				\
	" AND NOT EXISTS (SELECT 1 FROM resumenes r"			\
	"  WHERE r.usuario_id = u.id AND r.semana = l.semana)"

static bool
resumenes_zona_conocida(PGconn *conn, const char *zona, struct error *err)
{
	const char *v[1] = { zona };
	PGresult *res;
	bool ok;

	res = db_exec(conn, err, "SELECT EXISTS (SELECT 1 FROM"
	    " pg_timezone_names WHERE name = $1)", 1, v);
	if (res == NULL)
		return false;
	ok = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!ok)
		error_set(err, 500, "zona_horaria_invalida",
		    "La zona horaria «%s» de resumen_zona_horaria no existe "
		    "en PostgreSQL; corrija la configuración de pald.", zona);
	return ok;
}

/*
 * Small tools.
 */

/* A text cell, NULL for SQL NULL; borrowed from res. */
static const char *
resumenes_str(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static int
resumenes_int(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 :
	    atoi(PQgetvalue(res, row, col));
}

static const char *
resumenes_dias_txt(long long n)
{
	return n == 1 || n == -1 ? "día" : "días";
}

/* "martes 8 de diciembre de 2026" of an ISO date; the text if unreadable. */
static void
resumenes_fecha(struct buf *b, const char *iso)
{
	char larga[64];
	int d;

	if (iso == NULL || !dates_parse(iso, &d)) {
		buf_puts(b, iso != NULL ? iso : "-");
		return;
	}
	dates_format_long(d, larga, sizeof(larga));
	buf_puts(b, larga);
}

static const char *
resumenes_jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static long long
resumenes_jint(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/*
 * The digest of one entidad: what every garante of it gets, but for the
 * greeting and the link.
 */

struct resumenes_entidad {
	const char	*entidad;	/* borrowed; NULL: every entidad */
	json_t		*acts;		/* store_monitoreo_actividades */
	PGresult	*hechas;	/* completed in the last days */
	char		*asunto;	/* owned */
	struct buf	 cuerpo;
};

/* Columns of hechas. */
enum {
	HECHA_MESA, HECHA_MESA_TITULO, HECHA_VERSION, HECHA_COMP_NUMERO,
	HECHA_COMP_TITULO, HECHA_NUMERO, HECHA_DESCRIPCION, HECHA_RESPONSABLE,
	HECHA_INSTITUCION, HECHA_LIMITE, HECHA_FECHA, HECHA_EVIDENCIA,
	HECHA_POR
};

/*
 * The activities reported cumplida within the last RESUMENES_RECIENTES
 * local days of their mesa (today included) and still cumplida, each
 * once with its latest such report, in the PALs the entidad's garante
 * monitors.
 */
static PGresult *
resumenes_hechas(PGconn *conn, const char *entidad, struct error *err)
{
	char dias[16];
	const char *v[2] = { entidad, dias };

	snprintf(dias, sizeof(dias), "%d", RESUMENES_RECIENTES);
	return db_exec(conn, err,
	    "SELECT * FROM (SELECT DISTINCT ON (a.id) m.id, m.titulo,"
	    "  v.numero, c.numero AS cn, c.titulo, a.numero AS an,"
	    "  a.descripcion, a.responsable_nombre, a.responsable_institucion,"
	    "  a.fecha_limite::text,"
	    "  (av.reportado AT TIME ZONE m.zona_horaria)::date::text,"
	    "  av.evidencia_url, u.nombre"
	    "  FROM avances av"
	    "  JOIN actividades a ON a.id = av.actividad_id"
	    "  JOIN compromisos c ON c.id = a.compromiso_id"
	    "  JOIN mesas m ON m.id = a.mesa_id"
	    "  LEFT JOIN pal_versiones v ON v.mesa_id = m.id"
	    "   AND v.anulada IS NULL"
	    "  LEFT JOIN usuarios u ON u.id = av.usuario_id"
	    "  WHERE av.estado = 'cumplida' AND a.estado = 'cumplida'"
	    "  AND m.fase IN ('en_seguimiento', 'concluida')"
	    "  AND ($1::text IS NULL OR m.entidad = $1::text)"
	    "  AND av.reportado > now() - ($2::int + 1) * interval '1 day'"
	    "  AND (av.reportado AT TIME ZONE m.zona_horaria)::date >"
	    "   (now() AT TIME ZONE m.zona_horaria)::date - $2::int"
	    "  ORDER BY a.id, av.reportado DESC, av.id DESC) h"
	    " ORDER BY 11, 1, cn, an", 2, v);
}

/* Where the activity sits: its commitment and its PAL, three lines. */
static void
resumenes_donde(struct buf *b, long long cnum, long long anum,
    const char *descripcion, const char *comp, const char *mesa,
    const json_t *version)
{
	buf_printf(b, "  - Actividad %lld.%lld: ", cnum, anum);
	buf_put_short(b, descripcion, RESUMENES_DESCRIPCION_MAX);
	buf_printf(b, "\n    Compromiso %lld: «%s»\n", cnum, comp);
	buf_printf(b, "    PAL de la mesa «%s»", mesa);
	if (json_is_integer(version))
		buf_printf(b, " (versión %lld)",
		    (long long)json_integer_value(version));
	buf_putc(b, '\n');
}

static void
resumenes_responsable(struct buf *b, const char *nombre,
    const char *institucion)
{
	buf_printf(b, "    Responsable: %s", nombre);
	if (institucion != NULL && institucion[0] != '\0')
		buf_printf(b, " (%s)", institucion);
	buf_putc(b, '\n');
}

static void
resumenes_actividad(struct buf *b, const json_t *a)
{
	long long dias = resumenes_jint(a, "dias");

	resumenes_donde(b, resumenes_jint(a, "compromiso_numero"),
	    resumenes_jint(a, "numero"), resumenes_jstr(a, "actividad"),
	    resumenes_jstr(a, "compromiso"), resumenes_jstr(a, "mesa"),
	    json_object_get(a, "version"));
	buf_puts(b, "    Fecha límite: ");
	resumenes_fecha(b, resumenes_jstr(a, "fecha_limite"));
	if (dias < 0)
		buf_printf(b, " (vencida hace %lld %s)", -dias,
		    resumenes_dias_txt(dias));
	else if (dias == 0)
		buf_puts(b, " (vence hoy)");
	else if (dias == 1)
		buf_puts(b, " (vence mañana)");
	else
		buf_printf(b, " (faltan %lld días)", dias);
	buf_putc(b, '\n');
	resumenes_responsable(b, resumenes_jstr(a, "responsable"),
	    json_string_value(json_object_get(a, "institucion_responsable")));
	if (resumenes_jint(a, "avance") > 0)
		buf_printf(b, "    Avance informado: %lld %%\n",
		    resumenes_jint(a, "avance"));
}

static void
resumenes_hecha(struct buf *b, const PGresult *h, int r)
{
	const char *ev = resumenes_str(h, r, HECHA_EVIDENCIA);
	const char *por = resumenes_str(h, r, HECHA_POR);
	json_t *version = PQgetisnull(h, r, HECHA_VERSION) ? NULL :
	    json_integer(resumenes_int(h, r, HECHA_VERSION));

	resumenes_donde(b, resumenes_int(h, r, HECHA_COMP_NUMERO),
	    resumenes_int(h, r, HECHA_NUMERO),
	    PQgetvalue(h, r, HECHA_DESCRIPCION),
	    PQgetvalue(h, r, HECHA_COMP_TITULO),
	    PQgetvalue(h, r, HECHA_MESA_TITULO), version);
	json_decref(version);
	buf_puts(b, "    Fecha límite: ");
	resumenes_fecha(b, PQgetvalue(h, r, HECHA_LIMITE));
	buf_puts(b, "\n    Cumplida el ");
	resumenes_fecha(b, PQgetvalue(h, r, HECHA_FECHA));
	if (por != NULL)
		buf_printf(b, " (informó %s)", por);
	else
		buf_puts(b, " (informó la persona responsable con su enlace)");
	buf_putc(b, '\n');
	resumenes_responsable(b, PQgetvalue(h, r, HECHA_RESPONSABLE),
	    resumenes_str(h, r, HECHA_INSTITUCION));
	if (ev != NULL)
		buf_printf(b, "    Evidencia: %s\n", ev);
}

/* Sorts the rows of a section by deadline, then as monitoreo lists them. */
struct resumenes_fila {
	const json_t	*a;
	const char	*fecha;
	size_t		 orden;
};

static int
resumenes_cmp_fila(const void *x, const void *y)
{
	const struct resumenes_fila *a = x, *b = y;
	int c = strcmp(a->fecha, b->fecha);

	if (c != 0)
		return c;
	return (a->orden > b->orden) - (a->orden < b->orden);
}

/*
 * A section of the activities whose dias (deadline minus the mesa's
 * local today) lies in [desde, hasta] and are not cumplida.
 */
static size_t
resumenes_seccion(struct buf *b, const json_t *acts, long long desde,
    long long hasta)
{
	struct resumenes_fila *f;
	size_t n = 0, i;
	json_t *a;

	f = xcalloc(json_array_size(acts) + 1, sizeof(*f));
	json_array_foreach(acts, i, a) {
		long long dias = resumenes_jint(a, "dias");

		if (strcmp(resumenes_jstr(a, "estado"), "cumplida") == 0 ||
		    dias < desde || dias > hasta)
			continue;
		f[n].a = a;
		f[n].fecha = resumenes_jstr(a, "fecha_limite");
		f[n].orden = i;
		n++;
	}
	qsort(f, n, sizeof(*f), resumenes_cmp_fila);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(b, '\n');
		resumenes_actividad(b, f[i].a);
	}
	if (n == 0)
		buf_puts(b, "  Nada esta semana.\n");
	free(f);
	return n;
}

static void
resumenes_titulo(struct buf *b, const char *titulo, size_t n)
{
	buf_printf(b, "\n%s", titulo);
	if (n > 0)
		buf_printf(b, " (%zu)", n);
	buf_puts(b, "\n\n");
}

/* The totals of acts: PALs, and activities by traffic light. */
static void
resumenes_totales(struct buf *b, const json_t *acts, size_t vencieron,
    size_t vencen, size_t cumplidas)
{
	static const char *const luces[4] = { "cumplido", "a_tiempo",
	    "por_vencer", "vencido" };
	long long n[4] = { 0, 0, 0, 0 }, pals = 0, ultima = 0;
	size_t i;
	json_t *a;

	json_array_foreach(acts, i, a) {
		const char *s = resumenes_jstr(a, "semaforo");

		if (resumenes_jint(a, "mesa_id") != ultima) {
			ultima = resumenes_jint(a, "mesa_id");
			pals++;
		}
		for (int k = 0; k < 4; k++)
			if (strcmp(s, luces[k]) == 0)
				n[k]++;
	}
	buf_puts(b, "\nTOTALES\n\n");
	buf_printf(b, "  PAL en seguimiento: %lld\n", pals);
	buf_printf(b, "  Actividades: %zu\n", json_array_size(acts));
	buf_printf(b, "    cumplidas: %lld\n", n[0]);
	buf_printf(b, "    a tiempo: %lld\n", n[1]);
	buf_printf(b, "    por vencer en %d días: %lld\n", RESUMENES_PROXIMAS,
	    n[2]);
	buf_printf(b, "    vencidas: %lld\n", n[3]);
	buf_printf(b, "  Esta semana: %zu %s, %zu por vencer y %zu %s.\n",
	    vencieron, vencieron == 1 ? "venció" : "vencieron", vencen,
	    cumplidas, cumplidas == 1 ? "cumplida" : "cumplidas");
}

static bool
resumenes_entidad_cargar(PGconn *conn, struct resumenes_entidad *e,
    const char *entidad, int semana, struct error *err)
{
	struct monitoreo_filtro f;
	char lunes[64];
	size_t vencieron, vencen, n;
	const char *nombre = entidad != NULL ? entidad : "todas las entidades";

	memset(e, 0, sizeof(*e));
	buf_init(&e->cuerpo);
	e->entidad = entidad;
	memset(&f, 0, sizeof(f));
	f.entidad_garante = entidad;
	f.proximas = RESUMENES_PROXIMAS;
	if ((e->acts = store_monitoreo_actividades(conn, &f, err)) == NULL)
		return false;
	if ((e->hechas = resumenes_hechas(conn, entidad, err)) == NULL)
		return false;
	e->asunto = xasprintf("Resumen semanal del seguimiento de los PAL de "
	    "%s", nombre);
	dates_format_long(semana, lunes, sizeof(lunes));
	buf_printf(&e->cuerpo, "Este es el resumen de la semana del %s sobre "
	    "los Planes de Acción Local (PAL) en seguimiento de %s: lo que "
	    "venció en los últimos %d días, lo que vence en los próximos %d "
	    "y lo que se cumplió en los últimos %d.\n", lunes, nombre,
	    RESUMENES_RECIENTES, RESUMENES_PROXIMAS, RESUMENES_RECIENTES);

	/* Sections are written to scratch first: titles carry counts. */
	{
		struct buf s;

		buf_init(&s);
		vencieron = resumenes_seccion(&s, e->acts,
		    -RESUMENES_RECIENTES, -1);
		resumenes_titulo(&e->cuerpo, "VENCIERON EN LOS ÚLTIMOS 7 DÍAS",
		    vencieron);
		buf_puts(&e->cuerpo, s.data);
		buf_reset(&s);
		vencen = resumenes_seccion(&s, e->acts, 0,
		    RESUMENES_PROXIMAS);
		resumenes_titulo(&e->cuerpo, "VENCEN EN LOS PRÓXIMOS 14 DÍAS",
		    vencen);
		buf_puts(&e->cuerpo, s.data);
		buf_reset(&s);
		n = (size_t)PQntuples(e->hechas);
		for (int r = 0; r < PQntuples(e->hechas); r++) {
			if (r > 0)
				buf_putc(&s, '\n');
			resumenes_hecha(&s, e->hechas, r);
		}
		if (n == 0)
			buf_puts(&s, "  Nada esta semana.\n");
		resumenes_titulo(&e->cuerpo, "CUMPLIDAS EN LOS ÚLTIMOS 7 DÍAS",
		    n);
		buf_puts(&e->cuerpo, s.data);
		buf_cleanup(&s);
	}
	resumenes_totales(&e->cuerpo, e->acts, vencieron, vencen, n);
	return true;
}

static void
resumenes_entidad_cleanup(struct resumenes_entidad *e)
{
	json_decref(e->acts);
	PQclear(e->hechas);
	free(e->asunto);
	buf_cleanup(&e->cuerpo);
	memset(e, 0, sizeof(*e));
}

/* Columns of the garantes' query. */
enum { GAR_ID, GAR_NOMBRE, GAR_EMAIL, GAR_ENTIDAD };

/*
 * One garante's digest: its row first, then its link and email. Appends
 * to lista what it queued; a row another writer holds queues nothing.
 */
static bool
resumenes_garante(PGconn *conn, const PGresult *g, int r,
    const struct resumenes_entidad *e, int semana, json_t *lista,
    struct error *err)
{
	char token[TOKEN_TEXT_LEN + 1], sem[16], fecha[11], oid[24];
	const char *v[2];
	const char *nombre = PQgetvalue(g, r, GAR_NOMBRE);
	const char *email = PQgetvalue(g, r, GAR_EMAIL);
	long long id = strtoll(PQgetvalue(g, r, GAR_ID), NULL, 10);
	long long resumen, outbox_id;
	struct outbox_mail mail;
	struct error merr;
	struct buf text;
	PGresult *res;
	bool ok = false;

	snprintf(sem, sizeof(sem), "%d", semana);
	v[0] = PQgetvalue(g, r, GAR_ID);
	v[1] = sem;
	res = db_exec(conn, err, "INSERT INTO resumenes (usuario_id, semana)"
	    " VALUES ($1, " RESUMENES_EPOCH " + $2::int)"
	    " ON CONFLICT ON CONSTRAINT resumenes_unico DO NOTHING"
	    " RETURNING id", 2, v);
	if (res == NULL)
		return false;
	if (PQntuples(res) == 0) {
		PQclear(res);
		log_info("digest: user %lld got this week's already", id);
		return true;
	}
	resumen = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	/*
	 * A bad address keeps its row without email: retrying it every
	 * pass would only fail again.
	 */
	if (!validate_email(email, "email", &merr)) {
		log_warn("digest to user %lld not queued: %s", id,
		    merr.message);
		return true;
	}
	if (!web_monitoreo_enlace_crear(conn, id, RESUMENES_ENLACE_DIAS,
	    token, err))
		return false;

	buf_init(&text);
	buf_printf(&text, "Estimada/o %s:\n\n", nombre);
	buf_puts(&text, e->cuerpo.data);
	buf_printf(&text, "\nEl tablero de monitoreo muestra cada plazo de "
	    "cada PAL con su semáforo. Ábralo con su enlace personal, válido "
	    "por %d días:\n\n    %s/e/%s\n\n"
	    "Recibe este resumen una vez por semana como usuario garante de "
	    "%s en el sistema de seguimiento de los Planes de Acción Local.\n",
	    RESUMENES_ENLACE_DIAS, config_live->public_url, token,
	    e->entidad != NULL ? e->entidad : "todas las entidades");
	memset(&mail, 0, sizeof(mail));
	mail.tipo = "resumen";
	mail.to_name = nombre;
	mail.to_addr = email;
	mail.subject = e->asunto;
	mail.text = text.data;
	if (!outbox_enqueue(conn, &mail, &outbox_id, NULL, err))
		goto out;
	snprintf(oid, sizeof(oid), "%lld", outbox_id);
	snprintf(sem, sizeof(sem), "%lld", resumen);
	v[0] = sem;
	v[1] = oid;
	if (!db_command(conn, err, "UPDATE resumenes SET outbox_id = $2"
	    " WHERE id = $1", 2, v))
		goto out;
	dates_format(semana, fecha);
	json_array_append_new(lista, json_pack("{s:I, s:s, s:s, s:I}",
	    "usuario_id", (json_int_t)id, "email", email, "semana", fecha,
	    "outbox_id", (json_int_t)outbox_id));
	ok = true;
out:
	explicit_bzero(token, sizeof(token));
	buf_cleanup(&text);
	return ok;
}

/* Same entidad, NULL included. */
static bool
resumenes_misma(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

json_t *
resumenes_enviar(PGconn *conn, const struct resumenes_settings *s,
    bool forzar, struct error *err)
{
	struct resumenes_entidad e;
	char dia[16], hora[16], fecha[11];
	const char *v[3];
	PGresult *res = NULL, *g = NULL;
	json_t *lista = NULL, *out = NULL;
	int semana, n;
	bool toca, cargada = false;

	memset(&e, 0, sizeof(e));
	if (!db_command(conn, err, "SELECT pg_advisory_xact_lock("
	    RESUMENES_LOCK ")", 0, NULL))
		return NULL;
	if (!resumenes_zona_conocida(conn, s->zona, err))
		return NULL;
	resumenes_params(s, dia, hora, v);
	res = db_exec(conn, err, "SELECT l.semana - " RESUMENES_EPOCH ","
	    " l.toca FROM " RESUMENES_RELOJ, 3, v);
	if (res == NULL)
		return NULL;
	semana = atoi(PQgetvalue(res, 0, 0));
	toca = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	PQclear(res);
	dates_format(semana, fecha);
	lista = json_array();
	if (!toca && !forzar)
		goto done;

	/* Empty or blank entidad: the garante of every entidad. */
	v[0] = fecha;
	g = db_exec(conn, err, "SELECT u.id, u.nombre, u.email,"
	    " nullif(u.entidad, '')"
	    " FROM usuarios u CROSS JOIN (SELECT $1::date AS semana) l"
	    " WHERE" RESUMENES_GARANTES " ORDER BY 4 NULLS FIRST, u.id", 1, v);
	if (g == NULL)
		goto fail;
	n = PQntuples(g);
	for (int r = 0; r < n; r++) {
		const char *entidad = resumenes_str(g, r, GAR_ENTIDAD);

		if (!cargada || !resumenes_misma(entidad, e.entidad)) {
			resumenes_entidad_cleanup(&e);
			cargada = true;
			if (!resumenes_entidad_cargar(conn, &e, entidad,
			    semana, err))
				goto fail;
		}
		if (!resumenes_garante(conn, g, r, &e, semana, lista, err))
			goto fail;
	}
	if (json_array_size(lista) > 0)
		log_info("digest: %zu queued for the week of %s",
		    json_array_size(lista), fecha);
done:
	out = json_pack("{s:I, s:s, s:O}", "enviados",
	    (json_int_t)json_array_size(lista), "semana", fecha,
	    "resumenes", lista);
fail:
	json_decref(lista);
	resumenes_entidad_cleanup(&e);
	PQclear(g);
	return out;
}

/*
 * The scheduled pass.
 */

/*
 * Whether the moment has come and some garante lacks this week's digest:
 * one indexed query, outside any transaction. False on error (logged).
 */
static bool
resumenes_pendientes(struct pasada *p, PGconn *conn)
{
	const struct resumenes_settings *s =
	    &((struct resumenes_job *)p)->s;
	char dia[16], hora[16];
	const char *v[3];
	struct error err;
	PGresult *res;
	bool si;

	if (strcmp(resumenes_zona_vista, s->zona) != 0) {
		error_clear(&err);
		resumenes_zona_vista_ok = resumenes_zona_conocida(conn,
		    s->zona, &err);
		if (!resumenes_zona_vista_ok &&
		    strcmp(err.code, "zona_horaria_invalida") != 0) {
			log_warn("digest: %s", err.message);
			return false;	/* the database; ask again */
		}
		snprintf(resumenes_zona_vista, sizeof(resumenes_zona_vista),
		    "%s", s->zona);
		if (!resumenes_zona_vista_ok)
			log_error("digest: resumen_zona_horaria \"%s\" is "
			    "unknown to PostgreSQL; no digest goes out until "
			    "it is fixed", s->zona);
	}
	if (!resumenes_zona_vista_ok)
		return false;
	resumenes_params(s, dia, hora, v);
	res = db_exec(conn, &err, "SELECT EXISTS (SELECT 1 FROM usuarios u"
	    " WHERE" RESUMENES_GARANTES ") FROM " RESUMENES_RELOJ
	    " WHERE l.toca", 3, v);
	if (res == NULL) {
		log_warn("digest: %s", err.message);
		return false;
	}
	si = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	return si;
}

static bool
resumenes_correr(struct pasada *p, PGconn *conn, struct error *err)
{
	struct resumenes_job *rj = (struct resumenes_job *)p;
	json_t *out = resumenes_enviar(conn, &rj->s, false, err);
	bool ok = out != NULL;

	json_decref(out);
	return ok;
}

static struct resumenes_job resumenes_job = {
	.pasada = {
		.nombre = "digest",
		.lock = RESUMENES_LOCK,
		.pendiente = resumenes_pendientes,
		.correr = resumenes_correr,
	},
};

/*
 * Called by the scheduler every second: refreshes the settings snapshot
 * and, every RESUMENES_PERIODO_MS (the first time one period after
 * startup, as the reminder planner does), queues a pass unless the last
 * one is still queued or running.
 */
void
resumenes_tick(void)
{
	struct pasada *p = &resumenes_job.pasada;

	resumenes_settings_refresh();
	if (!pasada_toca(p, RESUMENES_PERIODO_MS))
		return;
	resumenes_settings_load(&resumenes_job.s);
	pasada_encolar(p);
}
