/*
 * The mailer: threads that drain the outbox table into an SMTP relay. Each
 * thread owns one PGconn and one libcurl easy handle, kept for its whole
 * life so curl reuses the SMTP connection from one message to the next.
 * A thread claims a batch of due rows (FOR UPDATE SKIP LOCKED plus a
 * lease, in one short statement), sends each in its own SMTP transaction
 * with exactly one recipient, and records the outcome right after the
 * send, guarded by its lease so a thread that lost its lease cannot
 * overwrite someone else's result.
 *
 * It does not build messages (outbox.c does, at enqueue time), does not
 * call curl_global_init (main does, before any thread starts, because it
 * is not thread-safe), and never logs a message body or a full recipient
 * address: logs name the outbox id and the recipient's domain only.
 */
#include "mailer.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "validate.h"
#include "xmalloc.h"

#define MAILER_REPLY_MAX	500	/* bytes of server reply we keep */
#define MAILER_STATS_PERIOD_MS	1000
#define MAILER_DB_RETRY_MIN_MS	100
/* Seconds of lease we want left, beyond smtp_timeout_s, to start a send. */
#define MAILER_LEASE_MARGIN_S	2

enum mailer_outcome {
	MAILER_SENT,
	MAILER_FAILED,
	MAILER_RETRY,
};

static const char *const mailer_outcome_names[] = {
	[MAILER_SENT] = "sent",
	[MAILER_FAILED] = "failed",
	[MAILER_RETRY] = "retry",
};

/* What one delivery attempt produced. */
struct mailer_result {
	enum mailer_outcome outcome;
	long	 code;			/* SMTP code to store, 0: none */
	bool	 relay_problem;		/* not this message's fault */
	char	 text[MAILER_REPLY_MAX + 1];
};

struct mailer_thread {
	pthread_t	 tid;
	int		 index;
	char		 lease_por[160];	/* host:pid:index */
	PGconn		*conn;		/* owned; NULL while DB is down */
	CURL		*curl;		/* owned; one for every message */
	unsigned int	 seed;		/* rand_r state for the jitter */
	/* Filled by mailer_debug_cb during a transfer. */
	struct buf	 reply;		/* server's last complete reply */
	bool		 reply_done;	/* next reply line starts anew */
	char		 last_cmd[5];	/* verb of our last command */
	bool		 quitting;	/* QUIT sent: ignore its reply */
	char		 errbuf[CURL_ERROR_SIZE];
};

/* The message being uploaded by curl's read callback. */
struct mailer_upload {
	const unsigned char	*data;	/* borrowed */
	size_t			 len;
	size_t			 pos;
};

/*
 * Shared state. The lock is static so mailer_get_stats and mailer_wake
 * work even when no thread was started; the condition variable uses the
 * monotonic clock and is set up once by mailer_init_once.
 */
static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	bool		 stopping;
	unsigned long	 wake_seq;	/* bumped by mailer_wake */
	struct timespec	 stats_at;	/* last refresh, monotonic */
	struct mailer_stats stats;
	struct mailer_thread *threads;	/* owned */
	int		 nthreads;
} mailer = { .lock = PTHREAD_MUTEX_INITIALIZER };

static pthread_once_t mailer_once = PTHREAD_ONCE_INIT;

/*
 * The claim, in one statement and so one short transaction. ARRAY(...)
 * makes the locking subquery run exactly once; the outer ORDER BY hands
 * the rows back oldest first, since RETURNING keeps no order. mensaje
 * comes back as hex text (db_exec asks for text results) and is decoded
 * with PQunescapeBytea.
 */
static const char mailer_claim_sql[] =
    "WITH claimed AS ("
    " UPDATE outbox SET lease_hasta = now() + make_interval(secs => $1),"
    " lease_por = $2, intentos = intentos + 1"
    " WHERE id = ANY (ARRAY("
    "  SELECT id FROM outbox WHERE estado = 'pendiente'"
    "  AND proximo_intento <= now()"
    "  AND (lease_hasta IS NULL OR lease_hasta < now())"
    "  ORDER BY proximo_intento, id LIMIT $3 FOR UPDATE SKIP LOCKED))"
    " AND estado = 'pendiente'"
    " RETURNING id, destinatario, mensaje, intentos, proximo_intento)"
    " SELECT id, destinatario, mensaje, intentos FROM claimed"
    " ORDER BY proximo_intento, id";

/* Outcomes: $1 id, $2 lease_por, $3 code, $4 reply, $5 retry delay (s). */
static const char mailer_sent_sql[] =
    "UPDATE outbox SET estado = 'enviado', enviado = now(),"
    " ultimo_codigo = $3, ultima_respuesta = $4, lease_hasta = NULL"
    " WHERE id = $1 AND lease_por = $2 AND estado = 'pendiente'";
static const char mailer_failed_sql[] =
    "UPDATE outbox SET estado = 'fallido',"
    " ultimo_codigo = $3, ultima_respuesta = $4, lease_hasta = NULL"
    " WHERE id = $1 AND lease_por = $2 AND estado = 'pendiente'";
static const char mailer_retry_sql[] =
    "UPDATE outbox SET proximo_intento = now() + make_interval(secs => $5),"
    " ultimo_codigo = $3, ultima_respuesta = $4, lease_hasta = NULL"
    " WHERE id = $1 AND lease_por = $2 AND estado = 'pendiente'";

/*
 * Gives back claimed rows that were never attempted: the attempt the claim
 * counted is undone, and proximo_intento moves only forward ($3 seconds
 * from now, 0 to make them due at once).
 */
static const char mailer_release_sql[] =
    "UPDATE outbox SET lease_hasta = NULL,"
    " intentos = greatest(intentos - 1, 0),"
    " proximo_intento = greatest(proximo_intento,"
    "  now() + make_interval(secs => $3))"
    " WHERE id = ANY ($1::bigint[]) AND lease_por = $2"
    " AND estado = 'pendiente'";

static const char mailer_stats_sql[] =
    "SELECT estado, count(*) FROM outbox GROUP BY estado";

static void
mailer_init_cb(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&mailer.cond, &attr);
	pthread_condattr_destroy(&attr);
}

static void
mailer_init_once(void)
{
	pthread_once(&mailer_once, mailer_init_cb);
}

static long long
mailer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool
mailer_stopping(void)
{
	bool s;

	pthread_mutex_lock(&mailer.lock);
	s = mailer.stopping;
	pthread_mutex_unlock(&mailer.lock);
	return s;
}

/*
 * Sleeps up to timeout_ms, returning early when mailer_stop is called or,
 * if wake is set, when mailer_wake was called since wake_seen was read.
 */
static void
mailer_wait(int timeout_ms, bool wake, unsigned long wake_seen)
{
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&mailer.lock);
	while (!mailer.stopping && !(wake && mailer.wake_seq != wake_seen))
		if (pthread_cond_timedwait(&mailer.cond, &mailer.lock,
		    &deadline) != 0)
			break;
	pthread_mutex_unlock(&mailer.lock);
}

/*
 * Connects t->conn, retrying with exponential backoff up to
 * db_retry_max_ms while the database is down. Outages are probed with
 * PQpingParams, which logs nothing, so an outage costs one WARN line and
 * its end one INFO line. False only when mailer_stop was called.
 */
static bool
mailer_connect(struct mailer_thread *t)
{
	const char *const keys[] = { "dbname", "connect_timeout", NULL };
	const char *vals[3];
	char timeout[16];
	struct error err;
	int delay_ms = MAILER_DB_RETRY_MIN_MS;
	bool warned = false;
	PGPing ping;

	snprintf(timeout, sizeof(timeout), "%d",
	    config_live->db_connect_timeout_s);
	vals[0] = config_live->database;
	vals[1] = timeout;
	vals[2] = NULL;
	while (!mailer_stopping()) {
		/* Keywords after dbname override what the conninfo says. */
		ping = PQpingParams(keys, vals, 1);
		if (ping != PQPING_NO_RESPONSE && ping != PQPING_REJECT) {
			t->conn = db_connect(config_live->database,
			    config_live->db_connect_timeout_s, &err);
			if (t->conn != NULL) {
				if (warned)
					log_info("mailer %d: database "
					    "reachable again", t->index);
				return true;
			}
		}
		if (!warned) {
			log_warn("mailer %d: database unavailable; retrying "
			    "with backoff up to %d ms", t->index,
			    config_live->db_retry_max_ms);
			warned = true;
		}
		mailer_wait(delay_ms, false, 0);
		delay_ms *= 2;
		if (delay_ms > config_live->db_retry_max_ms)
			delay_ms = config_live->db_retry_max_ms;
	}
	return false;
}

/*
 * Runs one statement, reconnecting as long as the database is down, so
 * the outcome of a message already handed to the relay is not lost to a
 * short outage (losing it would send the message again once the lease
 * expires). Returns the result (owned) or NULL if the statement failed
 * for another reason or mailer_stop was called during the outage.
 */
static PGresult *
mailer_exec(struct mailer_thread *t, const char *sql, int nparams,
    const char *const *values)
{
	struct error err;
	PGresult *res;

	for (;;) {
		if (t->conn != NULL) {
			error_clear(&err);
			res = db_exec(t->conn, &err, sql, nparams, values);
			if (res != NULL)
				return res;
			if (err.status != 503)
				return NULL;	/* db.c logged it */
			PQfinish(t->conn);
			t->conn = NULL;
		}
		if (!mailer_connect(t))
			return NULL;
	}
}

/*
 * Keeps the server's last complete reply (a multi-line reply joined with
 * spaces). Lines come one per call from curl, but a call holding several
 * is handled too.
 */
static void
mailer_reply_line(struct mailer_thread *t, const char *data, size_t size)
{
	const char *end = data + size, *nl;
	size_t n;

	while (data < end) {
		nl = memchr(data, '\n', (size_t)(end - data));
		n = (nl != NULL ? (size_t)(nl - data) : (size_t)(end - data));
		if (n > 0 && data[n - 1] == '\r')
			n--;
		if (t->reply_done) {
			buf_reset(&t->reply);
			t->reply_done = false;
		}
		if (t->reply.len > 0 && t->reply.len < MAILER_REPLY_MAX + 8)
			buf_putc(&t->reply, ' ');
		if (t->reply.len < MAILER_REPLY_MAX + 8)
			buf_append(&t->reply, data, n);
		/* "250-..." continues a reply; "250 ..." ends it. */
		if (n < 4 || data[3] != '-')
			t->reply_done = true;
		data = nl != NULL ? nl + 1 : end;
	}
}

/*
 * Curl's debug callback (called only because CURLOPT_VERBOSE is on; with
 * a callback nothing is printed). HEADER_IN lines are the server's SMTP
 * replies; HEADER_OUT the commands we send, of which only the verb is
 * kept, to know what a failure answered. The end-of-data marker and AUTH
 * payloads never start with a verb worth keeping. After a failure curl
 * ends the session with QUIT inside the same transfer: that exchange is
 * ignored, so its "221" does not hide the reply that failed. The body
 * (DATA_OUT) is ignored: it is personal data.
 */
static int
mailer_debug_cb(CURL *handle, curl_infotype type, char *data, size_t size,
    void *arg)
{
	struct mailer_thread *t = arg;
	char verb[5];
	size_t i;

	(void)handle;
	if (type == CURLINFO_HEADER_IN && !t->quitting) {
		mailer_reply_line(t, data, size);
	} else if (type == CURLINFO_HEADER_OUT && size >= 4 &&
	    isalpha((unsigned char)data[0])) {
		for (i = 0; i < 4; i++)
			verb[i] = (char)toupper((unsigned char)data[i]);
		verb[4] = '\0';
		/* A new session after QUIT (an old connection closed). */
		t->quitting = strcmp(verb, "QUIT") == 0;
		if (!t->quitting)
			memcpy(t->last_cmd, verb, sizeof(verb));
	}
	return 0;
}

static size_t
mailer_read_cb(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct mailer_upload *up = arg;
	size_t n = size * nmemb;

	if (n > up->len - up->pos)
		n = up->len - up->pos;
	memcpy(ptr, up->data + up->pos, n);
	up->pos += n;
	return n;
}

/*
 * Copies text into r->text: at most MAILER_REPLY_MAX bytes, cut on a
 * UTF-8 character boundary, control characters turned into spaces, and
 * any byte above ASCII replaced if the whole is not valid UTF-8 (the
 * column is text and PostgreSQL refuses invalid UTF-8).
 */
static void
mailer_set_text(struct mailer_result *r, const char *prefix,
    const char *text)
{
	size_t n, i;

	n = (size_t)snprintf(r->text, sizeof(r->text), "%s%s", prefix, text);
	if (n > MAILER_REPLY_MAX) {
		n = MAILER_REPLY_MAX;
		while (n > 0 && ((unsigned char)r->text[n] & 0xC0) == 0x80)
			n--;
		r->text[n] = '\0';
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)r->text[i] < 0x20 || r->text[i] == 0x7f)
			r->text[i] = ' ';
	if (!validate_utf8(r->text, n))
		for (i = 0; i < n; i++)
			if ((unsigned char)r->text[i] >= 0x80)
				r->text[i] = '?';
}

/*
 * Sends one message to one recipient and classifies the result by the
 * last SMTP reply code. A 5xx to RCPT or to the message (DATA) fails the
 * message for good and a 4xx there is retried. Anything else that went
 * wrong (no connection, timeout, TLS, AUTH, a refusal of MAIL FROM or of
 * the session) is the relay's problem, not this message's: it is retried
 * and flagged so the caller postpones the rest of its batch.
 */
static void
mailer_send(struct mailer_thread *t, const char *rcpt,
    const unsigned char *msg, size_t len, struct mailer_result *r)
{
	struct mailer_upload up = { msg, len, 0 };
	struct curl_slist *rcpts;
	struct error err;
	char *to;
	long code = 0;
	bool per_message;
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	/*
	 * The address was valid at enqueue time; checking again keeps CR/LF
	 * (SMTP command injection in curl 7.88) out of curl whatever wrote
	 * the row.
	 */
	if (!validate_email(rcpt, "destinatario", &err)) {
		r->outcome = MAILER_FAILED;
		mailer_set_text(r, "", "Dirección de destinatario inválida; "
		    "no se intentó el envío.");
		return;
	}

	to = xasprintf("<%s>", rcpt);
	rcpts = curl_slist_append(NULL, to);
	if (rcpts == NULL) {
		log_error("mailer %d: curl_slist_append failed", t->index);
		abort();
	}
	buf_reset(&t->reply);
	t->reply_done = false;
	t->last_cmd[0] = '\0';
	t->quitting = false;
	t->errbuf[0] = '\0';
	curl_easy_setopt(t->curl, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(t->curl, CURLOPT_READDATA, &up);
	curl_easy_setopt(t->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(t->curl);
	curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &code);
	/* Nothing in the handle may point at what is freed now. */
	curl_easy_setopt(t->curl, CURLOPT_MAIL_RCPT, NULL);
	curl_easy_setopt(t->curl, CURLOPT_READDATA, NULL);
	curl_slist_free_all(rcpts);
	free(to);

	per_message = strcmp(t->last_cmd, "RCPT") == 0 ||
	    strcmp(t->last_cmd, "DATA") == 0;
	if (rc == CURLE_OK) {
		r->outcome = MAILER_SENT;
		r->code = code;
		mailer_set_text(r, "", t->reply.data);
	} else if (code >= 400 && code < 600) {
		r->outcome = code >= 500 && per_message ? MAILER_FAILED :
		    MAILER_RETRY;
		r->relay_problem = !per_message;
		r->code = code;
		mailer_set_text(r, "", t->reply.len > 0 ? t->reply.data :
		    t->errbuf);
	} else {
		r->outcome = MAILER_RETRY;
		r->relay_problem = true;
		mailer_set_text(r, "Fallo de comunicación con el servidor "
		    "SMTP: ", t->errbuf[0] != '\0' ? t->errbuf :
		    curl_easy_strerror(rc));
	}
}

/* The delay before retry number `intentos`, in seconds, with jitter. */
static double
mailer_backoff_s(struct mailer_thread *t, int intentos)
{
	double d = config_live->mail_retry_base_s;
	double cap = config_live->mail_retry_max_s;
	int k;

	for (k = 1; k < intentos && d < cap; k++)
		d *= 2;
	if (d > cap)
		d = cap;
	/* ±20% so messages that failed together do not retry together. */
	return d * (0.8 + 0.4 * ((double)rand_r(&t->seed) / RAND_MAX));
}

/* Records r for row id and counts it; the lease guards the update. */
static void
mailer_record(struct mailer_thread *t, const char *id, int intentos,
    const struct mailer_result *r)
{
	const char *values[5], *sql;
	char code[16], delay[32];
	PGresult *res;

	snprintf(code, sizeof(code), "%ld", r->code);
	snprintf(delay, sizeof(delay), "%.3f",
	    r->outcome == MAILER_RETRY ? mailer_backoff_s(t, intentos) : 0.0);
	values[0] = id;
	values[1] = t->lease_por;
	values[2] = r->code > 0 ? code : NULL;
	values[3] = r->text[0] != '\0' ? r->text : NULL;
	values[4] = delay;
	switch (r->outcome) {
	case MAILER_SENT:
		sql = mailer_sent_sql;
		break;
	case MAILER_FAILED:
		sql = mailer_failed_sql;
		break;
	default:
		sql = mailer_retry_sql;
		break;
	}
	res = mailer_exec(t, sql, sql == mailer_retry_sql ? 5 : 4, values);
	if (res == NULL) {
		log_error("outbox id=%s: could not record outcome %s; the "
		    "message will be sent again when its lease expires", id,
		    mailer_outcome_names[r->outcome]);
	} else {
		if (strcmp(PQcmdTuples(res), "0") == 0)
			log_warn("outbox id=%s: lease lost before outcome %s "
			    "was recorded", id,
			    mailer_outcome_names[r->outcome]);
		PQclear(res);
	}

	pthread_mutex_lock(&mailer.lock);
	if (r->outcome == MAILER_SENT)
		mailer.stats.sent_here++;
	else if (r->outcome == MAILER_FAILED)
		mailer.stats.failed_here++;
	else
		mailer.stats.retried_here++;
	pthread_mutex_unlock(&mailer.lock);
}

/*
 * Gives back rows [from, n) of a claim, due again after delay_s seconds
 * (0: at once, for another thread or daemon).
 */
static void
mailer_release(struct mailer_thread *t, const PGresult *claim, int from,
    double delay_s)
{
	const char *values[3];
	struct buf ids;
	char delay[32];
	PGresult *res;
	int i;

	buf_init(&ids);
	buf_putc(&ids, '{');
	for (i = from; i < PQntuples(claim); i++)
		buf_printf(&ids, "%s%s", i > from ? "," : "",
		    PQgetvalue(claim, i, 0));
	buf_putc(&ids, '}');
	snprintf(delay, sizeof(delay), "%.3f", delay_s);
	values[0] = ids.data;
	values[1] = t->lease_por;
	values[2] = delay;
	res = mailer_exec(t, mailer_release_sql, 3, values);
	if (res != NULL)
		PQclear(res);
	else
		log_warn("mailer %d: could not release %d claimed messages; "
		    "they are due again when their lease expires", t->index,
		    PQntuples(claim) - from);
	buf_cleanup(&ids);
}

/*
 * Claims a batch and works through it. Returns the number of rows
 * claimed (0 when none was due) or -1 when the relay or the database
 * failed, in which case the caller should pause before the next claim.
 */
static int
mailer_run_batch(struct mailer_thread *t)
{
	const char *values[3], *id, *rcpt, *domain;
	char lease[16], batch[16];
	struct mailer_result r;
	unsigned char *msg;
	size_t len;
	long long claimed_ms, elapsed_s;
	int i, n, intentos, status = 0;
	bool gave_up;
	PGresult *claim;

	snprintf(lease, sizeof(lease), "%d", config_live->mail_lease_s);
	snprintf(batch, sizeof(batch), "%d", config_live->mail_batch);
	values[0] = lease;
	values[1] = t->lease_por;
	values[2] = batch;
	claimed_ms = mailer_now_ms();
	claim = mailer_exec(t, mailer_claim_sql, 3, values);
	if (claim == NULL)
		return -1;
	n = PQntuples(claim);
	for (i = 0; i < n; i++) {
		/*
		 * Start a send only if it can end before the lease does, or
		 * another daemon could take the row and send it twice. The
		 * first row always goes, so a lease shorter than the SMTP
		 * timeout still makes progress (mailer_start warns).
		 */
		elapsed_s = (mailer_now_ms() - claimed_ms) / 1000;
		if (mailer_stopping() || (i > 0 && elapsed_s +
		    config_live->smtp_timeout_s + MAILER_LEASE_MARGIN_S >
		    config_live->mail_lease_s)) {
			mailer_release(t, claim, i, 0);
			break;
		}
		id = PQgetvalue(claim, i, 0);
		rcpt = PQgetvalue(claim, i, 1);
		intentos = atoi(PQgetvalue(claim, i, 3));
		msg = PQunescapeBytea((const unsigned char *)
		    PQgetvalue(claim, i, 2), &len);
		if (msg == NULL) {
			log_error("outbox id=%s: could not decode the message",
			    id);
			abort();
		}
		mailer_send(t, rcpt, msg, len, &r);
		PQfreemem(msg);
		gave_up = r.outcome == MAILER_RETRY &&
		    intentos >= config_live->mail_max_attempts;
		if (gave_up)
			r.outcome = MAILER_FAILED;
		domain = strrchr(rcpt, '@');
		log_info("outbox id=%s to=@%s attempt=%d code=%ld outcome=%s%s",
		    id, domain != NULL ? domain + 1 : "?", intentos, r.code,
		    mailer_outcome_names[r.outcome],
		    gave_up ? " (attempts exhausted)" : "");
		mailer_record(t, id, intentos, &r);
		if (r.relay_problem) {
			/*
			 * The next message would meet the same relay: leave
			 * the rest for later without counting an attempt,
			 * instead of waiting out a timeout for each.
			 */
			if (i + 1 < n)
				mailer_release(t, claim, i + 1,
				    mailer_backoff_s(t, 1));
			status = -1;
			break;
		}
	}
	PQclear(claim);
	return status < 0 ? -1 : n;
}

/*
 * Refreshes the shared estado counters, at most once per second across
 * all threads: the first thread to find them stale takes the turn.
 */
static void
mailer_refresh_stats(struct mailer_thread *t)
{
	struct error err;
	struct timespec now;
	long long p = 0, e = 0, f = 0, v;
	const char *estado;
	PGresult *res;
	int i;

	if (t->conn == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&mailer.lock);
	if (mailer.stats_at.tv_sec != 0 &&
	    (now.tv_sec - mailer.stats_at.tv_sec) * 1000 +
	    (now.tv_nsec - mailer.stats_at.tv_nsec) / 1000000 <
	    MAILER_STATS_PERIOD_MS) {
		pthread_mutex_unlock(&mailer.lock);
		return;
	}
	mailer.stats_at = now;
	pthread_mutex_unlock(&mailer.lock);

	res = db_exec(t->conn, &err, mailer_stats_sql, 0, NULL);
	if (res == NULL) {
		if (err.status == 503) {
			PQfinish(t->conn);
			t->conn = NULL;
		}
		return;
	}
	for (i = 0; i < PQntuples(res); i++) {
		estado = PQgetvalue(res, i, 0);
		v = strtoll(PQgetvalue(res, i, 1), NULL, 10);
		if (strcmp(estado, "pendiente") == 0)
			p = v;
		else if (strcmp(estado, "enviado") == 0)
			e = v;
		else if (strcmp(estado, "fallido") == 0)
			f = v;
	}
	PQclear(res);
	pthread_mutex_lock(&mailer.lock);
	mailer.stats.pendiente = p;
	mailer.stats.enviado = e;
	mailer.stats.fallido = f;
	pthread_mutex_unlock(&mailer.lock);
}

static void *
mailer_main(void *arg)
{
	struct mailer_thread *t = arg;
	unsigned long seen;
	int n;

	while (!mailer_stopping()) {
		if (t->conn == NULL && !mailer_connect(t))
			break;
		pthread_mutex_lock(&mailer.lock);
		seen = mailer.wake_seq;
		pthread_mutex_unlock(&mailer.lock);
		n = mailer_run_batch(t);
		mailer_refresh_stats(t);
		if (n > 0)
			continue;
		/*
		 * mail_poll_ms is reloadable: read it each time. A failure
		 * (n < 0) waits the poll interval too, ignoring wake-ups,
		 * so a broken relay or table is not hammered.
		 */
		mailer_wait(config_live->mail_poll_ms, n == 0, seen);
	}
	if (t->conn != NULL)
		PQfinish(t->conn);
	t->conn = NULL;
	return NULL;
}

/* A handle with every option that does not change between messages. */
static CURL *
mailer_curl_new(struct mailer_thread *t)
{
	const struct config *c = config_live;
	CURL *h;
	char *from;

	h = curl_easy_init();
	if (h == NULL)
		return NULL;
	from = xasprintf("<%s>", c->mail_from);
	curl_easy_setopt(h, CURLOPT_URL, c->smtp_url);
	/* Copied by curl, like every string option. */
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	free(from);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, mailer_read_cb);
	/* Signals belong to the loop thread; curl must not use SIGALRM. */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)c->smtp_timeout_s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)c->smtp_timeout_s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, mailer_debug_cb);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, t);
	if (c->smtp_require_tls)
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (c->smtp_user != NULL && c->smtp_user[0] != '\0')
		curl_easy_setopt(h, CURLOPT_USERNAME, c->smtp_user);
	if (c->smtp_password != NULL && c->smtp_password[0] != '\0')
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->smtp_password);
	return h;
}

static void
mailer_thread_cleanup(struct mailer_thread *t)
{
	if (t->curl != NULL)
		curl_easy_cleanup(t->curl);	/* sends QUIT if connected */
	t->curl = NULL;
	buf_cleanup(&t->reply);
}

/*
 * curl_global_init must have been called (by main, before any thread):
 * curl_easy_init would otherwise call it, and it is not thread-safe.
 */
bool
mailer_start(struct error *err)
{
	const struct config *c = config_live;
	struct mailer_thread *t;
	char host[128];
	int i, rc;

	mailer_init_once();
	if (c->mail_threads <= 0) {
		log_info("mailer disabled (mail_threads = 0); mail stays "
		    "queued");
		return true;
	}
	if (!validate_email(c->mail_from, "mail_from", NULL)) {
		error_set(err, 500, "configuracion_invalida",
		    "mail_from no es una dirección de correo válida.");
		return false;
	}
	if (c->mail_lease_s < c->smtp_timeout_s + MAILER_LEASE_MARGIN_S)
		log_warn("mail_lease_s (%d) is shorter than smtp_timeout_s "
		    "(%d) plus %d s: a slow send may outlive its lease and "
		    "be sent twice", c->mail_lease_s, c->smtp_timeout_s,
		    MAILER_LEASE_MARGIN_S);
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';

	pthread_mutex_lock(&mailer.lock);
	mailer.stopping = false;
	pthread_mutex_unlock(&mailer.lock);
	mailer.threads = xcalloc((size_t)c->mail_threads,
	    sizeof(*mailer.threads));
	for (i = 0; i < c->mail_threads; i++) {
		t = &mailer.threads[i];
		t->index = i;
		snprintf(t->lease_por, sizeof(t->lease_por), "%s:%ld:%d", host,
		    (long)getpid(), i);
		t->seed = (unsigned int)time(NULL) ^
		    (unsigned int)getpid() * 2654435761u ^ (unsigned int)i;
		buf_init(&t->reply);
		t->curl = mailer_curl_new(t);
		if (t->curl == NULL) {
			error_set(err, 500, "error_interno",
			    "No se pudo iniciar el envío de correo.");
			log_error("mailer: curl_easy_init failed");
			buf_cleanup(&t->reply);
			break;
		}
		rc = pthread_create(&t->tid, NULL, mailer_main, t);
		if (rc != 0) {
			error_set(err, 500, "error_interno",
			    "No se pudo iniciar el envío de correo.");
			log_error("mailer: pthread_create: %s", strerror(rc));
			mailer_thread_cleanup(t);
			break;
		}
		mailer.nthreads++;
	}
	if (mailer.nthreads < c->mail_threads) {
		mailer_stop();
		return false;
	}
	log_info("mailer started: %d threads, relay %s", mailer.nthreads,
	    c->smtp_url);
	return true;
}

void
mailer_wake(void)
{
	mailer_init_once();
	pthread_mutex_lock(&mailer.lock);
	mailer.wake_seq++;
	pthread_cond_broadcast(&mailer.cond);
	pthread_mutex_unlock(&mailer.lock);
}

void
mailer_stop(void)
{
	int i;

	mailer_init_once();
	pthread_mutex_lock(&mailer.lock);
	mailer.stopping = true;
	pthread_cond_broadcast(&mailer.cond);
	pthread_mutex_unlock(&mailer.lock);
	for (i = 0; i < mailer.nthreads; i++) {
		pthread_join(mailer.threads[i].tid, NULL);
		mailer_thread_cleanup(&mailer.threads[i]);
	}
	free(mailer.threads);
	mailer.threads = NULL;
	mailer.nthreads = 0;
}

void
mailer_get_stats(struct mailer_stats *out)
{
	pthread_mutex_lock(&mailer.lock);
	*out = mailer.stats;
	pthread_mutex_unlock(&mailer.lock);
}
