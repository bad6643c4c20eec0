/*
 * The transactional outbox: outbox_enqueue builds the whole RFC 5322
 * message (Date and Message-ID fixed now, so a retry resends the very same
 * bytes) and inserts it inside the caller's transaction, so the mail
 * exists if and only if the change that caused it commits; an
 * outbox_batch does the same for many messages with one INSERT, saving a
 * round trip per message. outbox_list
 * reads the table for `pal correo listar`.
 *
 * It does not send anything, open transactions or wake the mailer itself:
 * the caller owns the transaction, and only after COMMIT may it call
 * mailer_wake() (outbox_take_wake says whether it should).
 */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "xmalloc.h"

/*
 * Per thread: a DB worker runs one transaction at a time, so a flag per
 * thread says whether the transaction in hand queued mail.
 */
static _Thread_local bool outbox_wake;

static const char outbox_insert_sql[] =
    "INSERT INTO outbox (message_id, mesa_id, tipo, destinatario, "
    "destinatario_nombre, asunto, mensaje) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

/*
 * Timestamps leave the database already formatted as ISO 8601 in UTC, so
 * no C code parses or formats them.
 */
#define OUTBOX_ISO(col)							\
	"to_char(" col " AT TIME ZONE 'UTC', "				\
	"'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char outbox_list_sql[] =
    "SELECT id, message_id, tipo, mesa_id, destinatario, asunto, estado, "
    "intentos, ultimo_codigo, ultima_respuesta, "
    OUTBOX_ISO("creado") ", " OUTBOX_ISO("enviado") " "
    "FROM outbox WHERE ($1::text IS NULL OR estado = $1) "
    "ORDER BY id DESC LIMIT $2";

/* The column types of outbox_list_sql, in order, for the JSON objects. */
enum outbox_col {
	OUTBOX_TEXT,
	OUTBOX_INT,
};

static const struct {
	const char		*name;
	enum outbox_col		 type;
} outbox_list_cols[] = {
	{ "id", OUTBOX_INT },
	{ "message_id", OUTBOX_TEXT },
	{ "tipo", OUTBOX_TEXT },
	{ "mesa_id", OUTBOX_INT },
	{ "destinatario", OUTBOX_TEXT },
	{ "asunto", OUTBOX_TEXT },
	{ "estado", OUTBOX_TEXT },
	{ "intentos", OUTBOX_INT },
	{ "ultimo_codigo", OUTBOX_INT },
	{ "ultima_respuesta", OUTBOX_TEXT },
	{ "creado", OUTBOX_TEXT },
	{ "enviado", OUTBOX_TEXT },
};
#define OUTBOX_NCOLS \
	((int)(sizeof(outbox_list_cols) / sizeof(outbox_list_cols[0])))

/*
 * mime_message_id's random id behind the time of day in microseconds (13
 * hex digits until the year 2112): "<0623f1a2b3c4d.9f...@domain>". The
 * unique index on outbox.message_id then receives each new id next to the
 * previous ones instead of on a random page of an index as large as the
 * outbox: a batch of thousands of messages writes a few index pages, not
 * thousands. The random part alone keeps ids unique. Owned.
 */
static char *
outbox_message_id(const char *domain)
{
	struct timespec ts;
	char *random, *id;
	unsigned long long us;

	clock_gettime(CLOCK_REALTIME, &ts);
	us = (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL;
	random = mime_message_id(domain);
	/* An absurdly long domain keeps the id within what mime_build takes. */
	if (strlen(random) > 200)
		return random;
	/* random is "<...>": the time goes after its '<'. */
	id = xasprintf("<%013llx.%s", us, random + 1);
	free(random);
	return id;
}

/*
 * Builds the whole message of m into msg (initialised by the caller) and
 * its Message-ID into *message_id (owned, free(), set even on failure or
 * NULL). False with err.
 */
static bool
outbox_build(const struct outbox_mail *m, struct buf *msg, char **message_id,
    struct error *err)
{
	struct mime_message mm;
	const char *at;

	*message_id = NULL;
	if (m->tipo == NULL || m->tipo[0] == '\0') {
		/* A programming error, not something a person typed. */
		log_error("outbox called without tipo");
		error_set(err, 500, "error_interno",
		    "Error interno del servidor; quedó registrado en la "
		    "bitácora.");
		return false;
	}

	/*
	 * The Message-ID names our own domain, so replies and bounces can
	 * be matched to the row; mime_build validates mail_from itself.
	 */
	at = strrchr(config_live->mail_from, '@');
	*message_id = outbox_message_id(at != NULL ? at + 1 : "localhost");

	memset(&mm, 0, sizeof(mm));
	mm.from_name = config_live->mail_from_name;
	mm.from_addr = config_live->mail_from;
	mm.to_name = m->to_name;
	mm.to_addr = m->to_addr;
	mm.subject = m->subject;
	mm.text = m->text;
	mm.message_id = *message_id;
	mm.date = time(NULL);
	mm.attachments = m->attachments;
	mm.n_attachments = m->n_attachments;
	return mime_build(&mm, msg, err);
}

bool
outbox_enqueue(PGconn *conn, const struct outbox_mail *m, long long *id_out,
    char **message_id_out, struct error *err)
{
	struct buf msg;
	const char *values[7];
	int lengths[7] = { 0 }, formats[7] = { 0 };
	char *message_id, mesa[24];
	PGresult *res;
	bool ok = false;

	buf_init(&msg);
	if (!outbox_build(m, &msg, &message_id, err))
		goto out;

	if (m->mesa_id > 0)
		snprintf(mesa, sizeof(mesa), "%lld", m->mesa_id);
	values[0] = message_id;
	values[1] = m->mesa_id > 0 ? mesa : NULL;
	values[2] = m->tipo;
	values[3] = m->to_addr;
	values[4] = m->to_name != NULL && m->to_name[0] != '\0' ?
	    m->to_name : NULL;
	values[5] = m->subject;
	/* The message goes as binary bytea: no escaping, no doubling. */
	values[6] = msg.data;
	lengths[6] = (int)msg.len;
	formats[6] = 1;
	res = db_exec_bin(conn, err, outbox_insert_sql, 7, values, lengths,
	    formats);
	if (res == NULL)
		goto out;
	*id_out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);

	outbox_wake = true;
	log_debug("outbox id=%lld queued tipo=%s bytes=%zu", *id_out,
	    m->tipo, msg.len);
	if (message_id_out != NULL) {
		*message_id_out = message_id;
		message_id = NULL;
	}
	ok = true;
out:
	buf_cleanup(&msg);
	free(message_id);
	return ok;
}

/*
 * The batch: one PostgreSQL array literal per text column, "{...}" once
 * closed, each element quoted (or NULL) by db_array_str so that no text
 * needs more than escaping its quotes and backslashes.
 */

static void
outbox_arr_sep(struct buf *a, size_t n)
{
	buf_putc(a, n == 0 ? '{' : ',');
}

static void
outbox_arr_str(struct buf *a, size_t n, const char *s)
{
	outbox_arr_sep(a, n);
	db_array_str(a, s);
}

/*
 * The bytea[] of the messages goes in PostgreSQL's binary array format,
 * as outbox_enqueue sends one message: no hex or escaping doubles tens of
 * megabytes. A header of OUTBOX_ARR_HDR bytes (dimensions, flags, element
 * type, length, lower bound) is reserved by the first element and written
 * by flush; each element is its length, big-endian, and its bytes.
 */
#define OUTBOX_ARR_HDR	20
#define OUTBOX_BYTEAOID	17

static void
outbox_put32(unsigned char *p, unsigned long v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
outbox_arr_bytea(struct buf *a, size_t n, const char *data, size_t len)
{
	unsigned char word[4];

	if (n == 0) {
		memset(word, 0, sizeof(word));
		for (int i = 0; i < OUTBOX_ARR_HDR / 4; i++)
			buf_append(a, word, sizeof(word));
	}
	outbox_put32(word, (unsigned long)len);
	buf_append(a, word, sizeof(word));
	buf_append(a, data, len);
}

void
outbox_batch_init(struct outbox_batch *b)
{
	buf_init(&b->message_id);
	buf_init(&b->mesa_id);
	buf_init(&b->tipo);
	buf_init(&b->to_addr);
	buf_init(&b->to_name);
	buf_init(&b->subject);
	buf_init(&b->mensaje);
	b->n = 0;
}

bool
outbox_batch_add(struct outbox_batch *b, const struct outbox_mail *m,
    struct error *err)
{
	struct buf msg;
	char *message_id, mesa[24];
	bool ok = false;

	buf_init(&msg);
	if (!outbox_build(m, &msg, &message_id, err))
		goto out;
	if (m->mesa_id > 0)
		snprintf(mesa, sizeof(mesa), "%lld", m->mesa_id);
	outbox_arr_str(&b->message_id, b->n, message_id);
	outbox_arr_str(&b->mesa_id, b->n, m->mesa_id > 0 ? mesa : NULL);
	outbox_arr_str(&b->tipo, b->n, m->tipo);
	outbox_arr_str(&b->to_addr, b->n, m->to_addr);
	outbox_arr_str(&b->to_name, b->n,
	    m->to_name != NULL && m->to_name[0] != '\0' ? m->to_name : NULL);
	outbox_arr_str(&b->subject, b->n, m->subject);
	outbox_arr_bytea(&b->mensaje, b->n, msg.data, msg.len);
	b->n++;
	ok = true;
out:
	buf_cleanup(&msg);
	free(message_id);
	return ok;
}

size_t
outbox_batch_count(const struct outbox_batch *b)
{
	return b->n;
}

/* Empties the batch, keeping its memory for the next messages. */
static void
outbox_batch_reset(struct outbox_batch *b)
{
	buf_reset(&b->message_id);
	buf_reset(&b->mesa_id);
	buf_reset(&b->tipo);
	buf_reset(&b->to_addr);
	buf_reset(&b->to_name);
	buf_reset(&b->subject);
	buf_reset(&b->mensaje);
	b->n = 0;
}

/*
 * The ids are drawn from the sequence first, one per position, in a small
 * CTE that the INSERT joins by position and the reply reads back: nothing
 * is matched on the Message-ID or sorted with the messages in it (those
 * sorts spilled to disk: 6 MB per 4,096 messages).
 */
static const char outbox_batch_sql[] =
    "WITH ids AS MATERIALIZED (SELECT n, nextval('outbox_id_seq') AS id"
    "  FROM generate_series(1, cardinality($1::text[])) AS n),"
    " ins AS (INSERT INTO outbox (id, message_id, mesa_id, tipo,"
    "  destinatario, destinatario_nombre, asunto, mensaje)"
    "  SELECT ids.id, u.message_id, u.mesa_id, u.tipo, u.destinatario,"
    "   u.destinatario_nombre, u.asunto, u.mensaje"
    "  FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[],"
    "   $5::text[], $6::text[], $7::bytea[]) WITH ORDINALITY"
    "   AS u(message_id, mesa_id, tipo, destinatario, destinatario_nombre,"
    "   asunto, mensaje, n)"
    "  JOIN ids USING (n))"
    " SELECT id FROM ids ORDER BY n";

bool
outbox_batch_flush(PGconn *conn, struct outbox_batch *b, long long *ids_out,
    struct error *err)
{
	struct buf *cols[6] = {
		&b->message_id, &b->mesa_id, &b->tipo, &b->to_addr,
		&b->to_name, &b->subject,
	};
	const char *values[7];
	int lengths[7] = { 0 }, formats[7] = { 0 };
	unsigned char *hdr = (unsigned char *)b->mensaje.data;
	PGresult *res;
	size_t n = b->n;
	bool ok = false;

	if (n == 0)
		return true;
	for (int i = 0; i < 6; i++) {
		buf_putc(cols[i], '}');
		values[i] = cols[i]->data;
	}
	/* One dimension, no NULLs, bytea, n elements from 1. */
	outbox_put32(hdr, 1);
	outbox_put32(hdr + 4, 0);
	outbox_put32(hdr + 8, OUTBOX_BYTEAOID);
	outbox_put32(hdr + 12, (unsigned long)n);
	outbox_put32(hdr + 16, 1);
	values[6] = b->mensaje.data;
	lengths[6] = (int)b->mensaje.len;
	formats[6] = 1;
	res = db_exec_bin(conn, err, outbox_batch_sql, 7, values, lengths,
	    formats);
	if (res == NULL)
		goto out;
	if ((size_t)PQntuples(res) != n) {
		/* Cannot happen: every row inserts or the statement fails. */
		log_error("outbox batch of %zu messages returned %d rows", n,
		    PQntuples(res));
		error_set(err, 500, "error_interno",
		    "Error interno del servidor; quedó registrado en la "
		    "bitácora.");
		PQclear(res);
		goto out;
	}
	for (int r = 0; ids_out != NULL && r < PQntuples(res); r++)
		ids_out[r] = strtoll(PQgetvalue(res, r, 0), NULL, 10);
	PQclear(res);
	outbox_wake = true;
	log_debug("outbox: %zu messages queued in one batch", n);
	ok = true;
out:
	outbox_batch_reset(b);
	return ok;
}

void
outbox_batch_cleanup(struct outbox_batch *b)
{
	buf_cleanup(&b->message_id);
	buf_cleanup(&b->mesa_id);
	buf_cleanup(&b->tipo);
	buf_cleanup(&b->to_addr);
	buf_cleanup(&b->to_name);
	buf_cleanup(&b->subject);
	buf_cleanup(&b->mensaje);
	b->n = 0;
}

/*
 * A text cell as JSON: null for SQL NULL, and null too in the unlikely
 * case the database handed back bytes that are not UTF-8 (jansson refuses
 * them), rather than failing the whole listing.
 */
static json_t *
outbox_json_cell(const PGresult *res, int row, int col, enum outbox_col type)
{
	const char *v;
	json_t *j;

	if (PQgetisnull(res, row, col))
		return json_null();
	v = PQgetvalue(res, row, col);
	if (type == OUTBOX_INT)
		return json_integer(strtoll(v, NULL, 10));
	j = json_string(v);
	return j != NULL ? j : json_null();
}

json_t *
outbox_list(PGconn *conn, const char *estado, int limit, struct error *err)
{
	const char *values[2];
	char lim[16];
	PGresult *res;
	json_t *arr, *obj;
	int row, col;

	if (estado != NULL && strcmp(estado, "pendiente") != 0 &&
	    strcmp(estado, "enviado") != 0 && strcmp(estado, "fallido") != 0) {
		error_set(err, 422, "estado_invalido",
		    "El estado debe ser pendiente, enviado o fallido.");
		return NULL;
	}
	snprintf(lim, sizeof(lim), "%d", limit > 0 ? limit : 0);
	values[0] = estado;
	values[1] = lim;
	res = db_exec(conn, err, outbox_list_sql, 2, values);
	if (res == NULL)
		return NULL;

	arr = json_array();
	for (row = 0; row < PQntuples(res); row++) {
		obj = json_object();
		for (col = 0; col < OUTBOX_NCOLS; col++)
			json_object_set_new(obj, outbox_list_cols[col].name,
			    outbox_json_cell(res, row, col,
			    outbox_list_cols[col].type));
		json_array_append_new(arr, obj);
	}
	PQclear(res);
	return arr;
}

bool
outbox_take_wake(void)
{
	bool w = outbox_wake;

	outbox_wake = false;
	return w;
}
