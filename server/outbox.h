/*
 * The transactional outbox: a message to send is a row written in the same
 * transaction as the change that causes it, holding the whole RFC 5322
 * message built at enqueue time (Date and Message-ID fixed then). The
 * mailer thread delivers it later; see mailer.h.
 */
#ifndef PALD_OUTBOX_H
#define PALD_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "buf.h"
#include "error.h"
#include "mime.h"

struct outbox_mail {
	const char	*tipo;		/* "prueba", "material", ... */
	long long	 mesa_id;	/* 0 if none */
	const char	*to_name;	/* may be NULL */
	const char	*to_addr;
	const char	*subject;
	const char	*text;
	const struct mime_attachment *attachments;
	size_t		 n_attachments;
};

/*
 * Builds the message (From from config_live) and inserts it as pendiente
 * inside the caller's open transaction. Fills *id_out and, if non-NULL,
 * message_id_out (owned, free()). False with err (422 for a bad address or
 * header, 503/500 from the database).
 */
bool	outbox_enqueue(PGconn *conn, const struct outbox_mail *m,
	    long long *id_out, char **message_id_out, struct error *err);

/*
 * Many messages queued with one statement, for a caller that writes
 * thousands in one transaction (the reminder planner): add builds each
 * message in memory at once (Date and Message-ID fixed then, as
 * outbox_enqueue does), flush inserts them all. The fields are private to
 * outbox.c.
 */
struct outbox_batch {
	struct buf	message_id;	/* PostgreSQL array literals */
	struct buf	mesa_id;
	struct buf	tipo;
	struct buf	to_addr;
	struct buf	to_name;
	struct buf	subject;
	struct buf	mensaje;	/* binary bytea[] */
	size_t		n;
};

void	outbox_batch_init(struct outbox_batch *b);

/*
 * Builds the message of m (borrowed, copied) into the batch. False with
 * err (422 for a bad address or header, 500 without tipo), the batch
 * unchanged.
 */
bool	outbox_batch_add(struct outbox_batch *b, const struct outbox_mail *m,
	    struct error *err);

/* The messages added since init or the last flush. */
size_t	outbox_batch_count(const struct outbox_batch *b);

/*
 * Inserts every message added as pendiente with one statement inside the
 * caller's open transaction, fills ids_out (caller's array of
 * outbox_batch_count entries, or NULL) with their ids in the order added,
 * and empties the batch. Nothing to insert is success. False with err
 * (503/500 from the database); the batch is emptied either way.
 */
bool	outbox_batch_flush(PGconn *conn, struct outbox_batch *b,
	    long long *ids_out, struct error *err);

/* Frees what the batch holds; it needs outbox_batch_init to be reused. */
void	outbox_batch_cleanup(struct outbox_batch *b);

/*
 * The outbox for `pal correo listar`: newest first, at most limit rows,
 * estado NULL for all. Returns a new reference to a JSON array of objects
 * {id, message_id, tipo, mesa_id, destinatario, asunto, estado, intentos,
 * ultimo_codigo, ultima_respuesta, creado, enviado}, or NULL with err.
 */
json_t	*outbox_list(PGconn *conn, const char *estado, int limit,
	    struct error *err);

/*
 * True (and resets the flag) if this thread enqueued a message since the
 * last call: the DB worker calls it after COMMIT to wake the mailer, and
 * after ROLLBACK to forget.
 */
bool	outbox_take_wake(void);

#endif
