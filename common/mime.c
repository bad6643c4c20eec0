/*
 * Builds the exact bytes of an outgoing mail: RFC 5322 headers with
 * RFC 2047 encoded words for non-ASCII Subject and display names, a
 * quoted-printable UTF-8 text part, base64 attachments named with
 * RFC 2231 when their names are not ASCII, CRLF line ends throughout.
 * libcurl sends the result as is, so every value that reaches a header is
 * validated here first: a CR or LF in an address would otherwise become
 * an SMTP command or a forged header.
 *
 * It deliberately does not parse or decode mail, write HTML parts, sign
 * (DKIM, S/MIME) or dot-stuff lines: curl does the SMTP dot-stuffing.
 */
#include "mime.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "validate.h"
#include "xmalloc.h"

#define MIME_LINE_MAX		78	/* RFC 5322 2.1.1, SHOULD */
#define MIME_EW_LINE_MAX	76	/* RFC 2047 2, lines with words */
#define MIME_EW_MAX		75	/* RFC 2047 2, one encoded word */
#define MIME_EW_OPEN		"=?UTF-8?Q?"
#define MIME_EW_OPEN_LEN	10
#define MIME_EW_CLOSE		"?="
#define MIME_EW_CLOSE_LEN	2
#define MIME_QP_LINE_MAX	76	/* RFC 2045 6.7 rule 5 */
#define MIME_B64_IN_LINE	57	/* 57 bytes make 76 characters */
#define MIME_B64_OUT_LINE	76

/*
 * A mailbox does not know the header it goes in; assume the longest we
 * use it with ("Reply-To: ") so the first line stays within bounds.
 */
#define MIME_MAILBOX_COL	10

#define MIME_NAME_MAX		200
#define MIME_SUBJECT_MAX	998	/* RFC 5322 line limit */
#define MIME_FILENAME_MAX	255	/* what file systems keep */
#define MIME_CTYPE_MAX		200
#define MIME_MSGID_MAX		250
#define MIME_RANDOM_BYTES	16	/* 32 hex characters */

static const char mime_hex_digits[] = "0123456789ABCDEF";

static const char *const mime_days[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
};

static const char *const mime_months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static void
mime_hex_lower(const unsigned char *raw, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[raw[i] >> 4];
		out[2 * i + 1] = digits[raw[i] & 0x0F];
	}
	out[2 * n] = '\0';
}

static void
mime_put_hex(struct buf *b, char lead, unsigned char c)
{
	char t[3];

	t[0] = lead;
	t[1] = mime_hex_digits[c >> 4];
	t[2] = mime_hex_digits[c & 0x0F];
	buf_append(b, t, sizeof(t));
}

/* Printable ASCII with no "=?", which a reader would try to decode. */
static bool
mime_is_plain(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7E)
			return false;
		if (c == '=' && i + 1 < len && s[i + 1] == '?')
			return false;
	}
	return true;
}

/*
 * Length of the character at s: a whole UTF-8 sequence, so no encoded
 * word ever ends in the middle of one. Bad input (which validation keeps
 * out) is taken a byte at a time rather than trusted.
 */
static size_t
mime_utf8_char_len(const unsigned char *s, size_t len)
{
	size_t n;

	if (s[0] < 0xC0)
		n = 1;
	else if (s[0] < 0xE0)
		n = 2;
	else if (s[0] < 0xF0)
		n = 3;
	else
		n = 4;
	if (n > len)
		n = len;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return i;
	return n;
}

/*
 * Characters left as they are in a Q encoded word. This is the set RFC
 * 2047 section 5 (3) allows inside a phrase, the strictest of the three
 * places, so one encoder serves Subject and display names alike.
 */
static bool
mime_q_safe(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '!' || c == '*' || c == '+' ||
	    c == '-' || c == '/';
}

static size_t
mime_q_len(const unsigned char *s, size_t n)
{
	size_t e = 0;

	for (size_t i = 0; i < n; i++)
		e += mime_q_safe(s[i]) || s[i] == ' ' ? 1 : 3;
	return e;
}

static void
mime_q_put(struct buf *b, const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (mime_q_safe(s[i]))
			buf_putc(b, (char)s[i]);
		else if (s[i] == ' ')
			buf_putc(b, '_');
		else
			mime_put_hex(b, '=', s[i]);
	}
}

/*
 * Appends text as Q encoded words, *col characters being already on the
 * current line. Words are folded with CRLF SP; the spaces of the text are
 * encoded inside the words, because readers drop the white space between
 * two adjacent encoded words.
 */
static void
mime_put_words(struct buf *b, size_t *col, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i, n, e, word = 0;
	bool open = false;

	for (i = 0; i < len; i += n) {
		n = mime_utf8_char_len(s + i, len - i);
		e = mime_q_len(s + i, n);
		if (open && (*col + e + MIME_EW_CLOSE_LEN > MIME_EW_LINE_MAX ||
		    word + e + MIME_EW_CLOSE_LEN > MIME_EW_MAX)) {
			buf_puts(b, MIME_EW_CLOSE "\r\n ");
			*col = 1;
			open = false;
		}
		if (!open) {
			/* Only a long header name leaves no room at first. */
			if (*col > 1 && *col + MIME_EW_OPEN_LEN + e +
			    MIME_EW_CLOSE_LEN > MIME_EW_LINE_MAX) {
				buf_puts(b, "\r\n ");
				*col = 1;
			}
			buf_puts(b, MIME_EW_OPEN);
			*col += MIME_EW_OPEN_LEN;
			word = MIME_EW_OPEN_LEN;
			open = true;
		}
		mime_q_put(b, s + i, n);
		*col += e;
		word += e;
	}
	if (open) {
		buf_puts(b, MIME_EW_CLOSE);
		*col += MIME_EW_CLOSE_LEN;
	}
}

/*
 * Appends an ASCII display name as a quoted string. A long one is folded
 * at its spaces: unfolding removes only the CRLF, so the space survives.
 */
static void
mime_put_quoted(struct buf *b, size_t *col, const char *s, size_t len)
{
	size_t i = 0, j, k, w;

	buf_putc(b, '"');
	(*col)++;
	for (;;) {
		/* s[i..j) is the next run of non-spaces, w its width. */
		for (j = i, w = 0; j < len && s[j] != ' '; j++)
			w += s[j] == '"' || s[j] == '\\' ? 2 : 1;
		if (j == len)
			w++;	/* the closing quote */
		if (i > 0) {
			/* s[i - 1] is a space; never fold before nothing. */
			if (j > i && *col + 1 + w > MIME_LINE_MAX) {
				buf_puts(b, "\r\n ");
				*col = 1;
			} else {
				buf_putc(b, ' ');
				(*col)++;
			}
		}
		for (k = i; k < j; k++) {
			if (s[k] == '"' || s[k] == '\\') {
				buf_putc(b, '\\');
				(*col)++;
			}
			buf_putc(b, s[k]);
			(*col)++;
		}
		if (j == len)
			break;
		i = j + 1;
	}
	buf_putc(b, '"');
	(*col)++;
}

char *
mime_encode_header(const char *header_name, const char *text)
{
	struct buf b;
	size_t col, len;

	if (text == NULL)
		text = "";
	len = strlen(text);
	col = (header_name != NULL ? strlen(header_name) : 0) + 2;
	if (mime_is_plain(text, len) && col + len <= MIME_LINE_MAX)
		return xstrdup(text);
	buf_init(&b);
	mime_put_words(&b, &col, text, len);
	/* The storage becomes the caller's; b is not used again. */
	return b.data;
}

char *
mime_encode_mailbox(const char *name, const char *addr)
{
	struct buf b;
	size_t col = MIME_MAILBOX_COL, len, limit;

	if (addr == NULL)
		addr = "";
	if (name == NULL || name[0] == '\0')
		return xstrdup(addr);
	len = strlen(name);
	buf_init(&b);
	if (mime_is_plain(name, len)) {
		mime_put_quoted(&b, &col, name, len);
		limit = MIME_LINE_MAX;
	} else {
		mime_put_words(&b, &col, name, len);
		limit = MIME_EW_LINE_MAX;
	}
	/* An address cannot be folded; it gets a line of its own if needed. */
	if (col + strlen(addr) + 3 > limit)
		buf_puts(&b, "\r\n");
	buf_printf(&b, " <%s>", addr);
	return b.data;
}

/* True if text[i] starts a line break: LF, or CR immediately before LF. */
static size_t
mime_line_break_len(const char *text, size_t len, size_t i)
{
	if (text[i] == '\n')
		return 1;
	if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n')
		return 2;
	return 0;
}

void
mime_qp_encode(struct buf *out, const char *text, size_t len)
{
	size_t i = 0, col = 0, brk, limit;
	bool at_eol;

	while (i < len) {
		unsigned char c = (unsigned char)text[i];

		if ((brk = mime_line_break_len(text, len, i)) > 0) {
			buf_puts(out, "\r\n");
			col = 0;
			i += brk;
			continue;
		}
		at_eol = i + 1 == len || mime_line_break_len(text, len, i + 1);
		/*
		 * The last character of a line may use column 76; any other
		 * must leave room for the "=" of a soft break.
		 */
		limit = at_eol ? MIME_QP_LINE_MAX : MIME_QP_LINE_MAX - 1;
		if ((c >= 33 && c <= 126 && c != '=') ||
		    ((c == ' ' || c == '\t') && !at_eol)) {
			if (col + 1 > limit) {
				buf_puts(out, "=\r\n");
				col = 0;
			}
			buf_putc(out, (char)c);
			col++;
		} else {
			/*
			 * '=', bytes outside ASCII, controls (a lone CR too)
			 * and white space a transport could strip at a line
			 * end.
			 */
			if (col + 3 > limit) {
				buf_puts(out, "=\r\n");
				col = 0;
			}
			mime_put_hex(out, '=', c);
			col += 3;
		}
		i++;
	}
}

void
mime_base64_encode(struct buf *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned char line[MIME_B64_OUT_LINE + 1];
	size_t n;
	int k;

	while (len > 0) {
		n = len < MIME_B64_IN_LINE ? len : MIME_B64_IN_LINE;
		k = EVP_EncodeBlock(line, p, (int)n);
		buf_append(out, line, (size_t)k);
		buf_puts(out, "\r\n");
		p += n;
		len -= n;
	}
}

/*
 * 32 hex characters from RAND_bytes. Should the generator fail, a value
 * from the clock, the pid and a counter is still unique, which is all a
 * Message-ID or a boundary needs; the boundary cannot collide with the
 * encoded content anyway (see mime_build).
 */
static void
mime_random_hex(char out[2 * MIME_RANDOM_BYTES + 1])
{
	static atomic_ulong counter;
	unsigned char raw[MIME_RANDOM_BYTES];
	struct timespec ts;

	if (RAND_bytes(raw, sizeof(raw)) == 1) {
		mime_hex_lower(raw, sizeof(raw), out);
		return;
	}
	log_warn("RAND_bytes failed; using clock and counter for an id");
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(out, 2 * MIME_RANDOM_BYTES + 1, "%010llx%06lx%08lx%08lx",
	    (unsigned long long)ts.tv_sec & 0xFFFFFFFFFFULL,
	    (unsigned long)getpid() & 0xFFFFFFUL,
	    (unsigned long)ts.tv_nsec & 0xFFFFFFFFUL,
	    (unsigned long)atomic_fetch_add(&counter, 1) & 0xFFFFFFFFUL);
}

char *
mime_message_id(const char *domain)
{
	char hex[2 * MIME_RANDOM_BYTES + 1];

	if (domain == NULL || domain[0] == '\0')
		domain = "localhost";
	mime_random_hex(hex);
	return xasprintf("<%s@%s>", hex, domain);
}

/* RFC 2045 token characters. */
static bool
mime_is_tchar(unsigned char c)
{
	return c > 0x20 && c < 0x7F && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static size_t
mime_token_len(const char *s)
{
	size_t n = 0;

	while (mime_is_tchar((unsigned char)s[n]))
		n++;
	return n;
}

/* type "/" subtype *(";" attribute "=" (token / quoted-string)). */
static bool
mime_content_type_ok(const char *ct)
{
	size_t n;

	if (ct == NULL || strlen(ct) > MIME_CTYPE_MAX)
		return false;
	if ((n = mime_token_len(ct)) == 0 || ct[n] != '/')
		return false;
	ct += n + 1;
	if ((n = mime_token_len(ct)) == 0)
		return false;
	ct += n;
	for (;;) {
		while (*ct == ' ')
			ct++;
		if (*ct == '\0')
			return true;
		if (*ct++ != ';')
			return false;
		while (*ct == ' ')
			ct++;
		if ((n = mime_token_len(ct)) == 0 || ct[n] != '=')
			return false;
		ct += n + 1;
		if (*ct != '"') {
			if ((n = mime_token_len(ct)) == 0)
				return false;
			ct += n;
			continue;
		}
		for (ct++; *ct != '"'; ct++) {
			if (*ct == '\\')
				ct++;
			if ((unsigned char)*ct < 0x20 ||
			    (unsigned char)*ct > 0x7E)
				return false;	/* the NUL included */
		}
		ct++;
	}
}

/* "<" id-left "@" id-right ">" in printable ASCII, nothing to fold. */
static bool
mime_message_id_ok(const char *id)
{
	size_t len;

	if (id == NULL)
		return false;
	len = strlen(id);
	if (len < 5 || len > MIME_MSGID_MAX || id[0] != '<' ||
	    id[len - 1] != '>' || strchr(id, '@') == NULL)
		return false;
	for (size_t i = 1; i + 1 < len; i++)
		if (id[i] <= 0x20 || id[i] >= 0x7F || id[i] == '<' ||
		    id[i] == '>')
			return false;
	return true;
}

static bool
mime_validate(const struct mime_message *m, struct error *err)
{
	const struct mime_attachment *a;
	const char *text = m->text != NULL ? m->text : "";

	if (!validate_email(m->from_addr, "remitente", err) ||
	    !validate_email(m->to_addr, "destinatario", err) ||
	    !validate_line(m->from_name, "nombre del remitente", MIME_NAME_MAX,
	    true, err) ||
	    !validate_line(m->to_name, "nombre del destinatario",
	    MIME_NAME_MAX, true, err) ||
	    !validate_line(m->subject, "asunto", MIME_SUBJECT_MAX, true, err))
		return false;
	if (m->message_id != NULL && !mime_message_id_ok(m->message_id)) {
		error_set(err, 422, "texto_invalido", "El campo «Message-ID» "
		    "no es un identificador de mensaje válido.");
		return false;
	}
	if (!validate_utf8(text, strlen(text))) {
		error_set(err, 422, "texto_invalido",
		    "El campo «texto del correo» no es texto UTF-8 válido.");
		return false;
	}
	if (m->n_attachments > 0 && m->attachments == NULL)
		goto internal;
	for (size_t i = 0; i < m->n_attachments; i++) {
		a = &m->attachments[i];
		if (a->data == NULL && a->len > 0)
			goto internal;
		if (!validate_line(a->filename, "nombre del adjunto",
		    MIME_FILENAME_MAX, false, err))
			return false;
		if (!mime_content_type_ok(a->content_type)) {
			error_set(err, 422, "texto_invalido",
			    "El campo «tipo del adjunto» no es un tipo MIME "
			    "válido.");
			return false;
		}
	}
	return true;

internal:
	/* A programming error, not something a person typed. */
	log_error("mime_build called with attachment data missing");
	error_set(err, 500, "error_interno",
	    "Error interno del servidor; quedó registrado en la bitácora.");
	return false;
}

/*
 * RFC 5322 date in UTC. Names come from tables, not strftime, so the
 * locale cannot turn "Mon" into "lun".
 */
static bool
mime_format_date(time_t t, char *out, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 0 ||
	    tm.tm_year > 9999 - 1900)
		return false;
	snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    mime_days[tm.tm_wday], tm.tm_mday, mime_months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return true;
}

/*
 * A parameter whose value is a file name: a quoted string when it is
 * printable ASCII, otherwise RFC 2231 "attr*=UTF-8''" with %XX for every
 * byte outside RFC 5987's attr-char. Each goes on a folded line of its
 * own to keep lines short.
 */
static void
mime_put_name_param(struct buf *b, const char *attr, const char *value)
{
	size_t len = strlen(value);
	const unsigned char *s = (const unsigned char *)value;

	if (mime_is_plain(value, len)) {
		buf_printf(b, ";\r\n %s=\"", attr);
		for (size_t i = 0; i < len; i++) {
			if (s[i] == '"' || s[i] == '\\')
				buf_putc(b, '\\');
			buf_putc(b, (char)s[i]);
		}
		buf_puts(b, "\"\r\n");
		return;
	}
	buf_printf(b, ";\r\n %s*=UTF-8''", attr);
	for (size_t i = 0; i < len; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    strchr("!#$&+-.^_`|~", s[i]) != NULL)
			buf_putc(b, (char)s[i]);
		else
			mime_put_hex(b, '%', s[i]);
	}
	buf_puts(b, "\r\n");
}

static void
mime_put_text_part(struct buf *out, const char *text)
{
	buf_puts(out, "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	mime_qp_encode(out, text, strlen(text));
}

bool
mime_build(const struct mime_message *m, struct buf *out, struct error *err)
{
	char date[64], boundary[2 * MIME_RANDOM_BYTES + 8];
	char *owned_id = NULL, *s;
	const char *message_id, *text, *at;

	if (!mime_validate(m, err))
		return false;
	if (!mime_format_date(m->date, date, sizeof(date))) {
		error_set(err, 422, "fecha_invalida",
		    "La fecha del mensaje está fuera del intervalo admitido.");
		return false;
	}
	/* Nothing can fail from here on, so nothing half-built is left. */
	message_id = m->message_id;
	if (message_id == NULL) {
		at = strrchr(m->from_addr, '@');
		message_id = owned_id = mime_message_id(at + 1);
	}
	text = m->text != NULL ? m->text : "";

	buf_printf(out, "Date: %s\r\n", date);
	s = mime_encode_mailbox(m->from_name, m->from_addr);
	buf_printf(out, "From: %s\r\n", s);
	free(s);
	s = mime_encode_mailbox(m->to_name, m->to_addr);
	buf_printf(out, "To: %s\r\n", s);
	free(s);
	s = mime_encode_header("Subject", m->subject);
	buf_printf(out, "Subject: %s\r\n", s);
	free(s);
	buf_printf(out, "Message-ID: %s\r\n", message_id);
	buf_puts(out, "MIME-Version: 1.0\r\n");
	free(owned_id);

	if (m->n_attachments == 0) {
		mime_put_text_part(out, text);
		/* SMTP wants the message to end with a line end. */
		if (out->len < 2 ||
		    memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
			buf_puts(out, "\r\n");
		return true;
	}

	/*
	 * "=_" never occurs in quoted-printable or base64 output, so the
	 * boundary cannot appear in any part whatever the random part is.
	 */
	memcpy(boundary, "=_pal_", 6);
	mime_random_hex(boundary + 6);
	buf_printf(out, "Content-Type: multipart/mixed;\r\n"
	    " boundary=\"%s\"\r\n\r\n", boundary);
	buf_printf(out, "--%s\r\n", boundary);
	mime_put_text_part(out, text);
	/* This CRLF belongs to the delimiter, not to the text. */
	buf_puts(out, "\r\n");
	for (size_t i = 0; i < m->n_attachments; i++) {
		const struct mime_attachment *a = &m->attachments[i];

		buf_printf(out, "--%s\r\nContent-Type: %s", boundary,
		    a->content_type);
		mime_put_name_param(out, "name", a->filename);
		buf_puts(out, "Content-Disposition: attachment");
		mime_put_name_param(out, "filename", a->filename);
		buf_puts(out, "Content-Transfer-Encoding: base64\r\n\r\n");
		/* Every base64 line ends in CRLF: the delimiter's CRLF. */
		if (a->len == 0)
			buf_puts(out, "\r\n");
		else
			mime_base64_encode(out, a->data, a->len);
	}
	buf_printf(out, "--%s--\r\n", boundary);
	return true;
}
