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
