/*
 * Internet messages as RFC 5322 and MIME want them: RFC 2047 encoded words
 * for Subject and display names, quoted-printable UTF-8 text bodies,
 * base64 attachments, CRLF line ends everywhere. curl adds nothing to the
 * message it is given, so everything a mail reader needs is built here.
 */
#ifndef PAL_MIME_H
#define PAL_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "error.h"

/*
 * The value of an unstructured header (Subject) for a header named
 * header_name: plain if it is printable ASCII and short, otherwise RFC 2047
 * "=?UTF-8?Q?...?=" encoded words of at most 75 characters, folded with
 * CRLF SP so no line passes 78 characters. A multi-byte UTF-8 character is
 * never split across two words. Returns owned memory (free()); the input
 * must already be validated (no CR/LF).
 */
char	*mime_encode_header(const char *header_name, const char *text);

/*
 * A mailbox for From/To: `addr` alone when name is NULL or empty;
 * otherwise the name (quoted string if it is plain ASCII, encoded words if
 * not) followed by " <addr>". Returns owned memory.
 */
char	*mime_encode_mailbox(const char *name, const char *addr);

/* Quoted-printable (RFC 2045) with CRLF line ends and soft breaks at 76. */
void	mime_qp_encode(struct buf *out, const char *text, size_t len);
/* Base64 in lines of 76 characters, each ended by CRLF. */
void	mime_base64_encode(struct buf *out, const void *data, size_t len);

/* "<32 random hex characters@domain>", owned. */
char	*mime_message_id(const char *domain);

struct mime_attachment {
	const char	*filename;	/* borrowed; UTF-8, RFC 2231 if needed */
	const char	*content_type;	/* borrowed; e.g. "application/pdf" */
	const void	*data;		/* borrowed */
	size_t		 len;
};

struct mime_message {
	const char	*from_name;	/* borrowed, may be NULL */
	const char	*from_addr;	/* borrowed */
	const char	*to_name;	/* borrowed, may be NULL */
	const char	*to_addr;	/* borrowed */
	const char	*subject;	/* borrowed, UTF-8 */
	const char	*text;		/* borrowed, UTF-8 body, LF or CRLF */
	const char	*message_id;	/* borrowed, with the angle brackets */
	time_t		 date;
	const struct mime_attachment *attachments;	/* borrowed */
	size_t		 n_attachments;
};

/*
 * Appends the whole message (headers, blank line, body) to out. Validates
 * every address and header value first (CR/LF, length, syntax, UTF-8) and
 * appends nothing if one is bad: false with err (422). With attachments
 * the body is multipart/mixed, otherwise a single text/plain part. Adds
 * Date, Message-ID, MIME-Version, From, To, Subject.
 */
bool	mime_build(const struct mime_message *m, struct buf *out,
	    struct error *err);

#endif
