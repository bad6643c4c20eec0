/*
 * Target "mime": the header and body encoders of common/mime.c and the
 * whole message mime_build assembles. The input is split at NUL bytes
 * into a display name or subject, an address, a header-name selector,
 * more texts and an attachment; the raw input is also the body and the
 * attachment data. Every output is decoded again here and compared with
 * what went in, and must be 7-bit ASCII in which a CR only ever starts a
 * CRLF (followed by a space inside a header: a fold, never a new header),
 * with lines within RFC 2047's 76, RFC 5322's 78 or, at worst, its 998.
 *
 * It deliberately does not send mail or parse MIME generally: the
 * decoders accept exactly the subset the encoders write.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mime.h"
#include "validate.h"

#define FM_LINE_MAX	78	/* RFC 5322 2.1.1, SHOULD */
#define FM_LINE_HARD	998	/* RFC 5322 2.1.1, MUST */
#define FM_EW_LINE_MAX	76	/* RFC 2047 2 */
#define FM_EW_MAX	75	/* RFC 2047 2 */
#define FM_MAILBOX_COL	10	/* mime.h: "Reply-To: " */
#define FM_FIELDS	10

static const char *const fm_header_names[] = {
	"Subject", "To", "X", "", "Content-Description",
	"X-Pal-Encabezado-Con-Un-Nombre-Bastante-Largo",
};

enum fm_fold {
	FM_FOLD_SP,	/* every CRLF is followed by a space: a header value */
	FM_FOLD_ANY,	/* CRLF anywhere: a body */
};

/*
 * s is 7-bit printable ASCII (TAB allowed in bodies) whose only CRs
 * start CRLF pairs, followed by a space where fold says so.
 */
static void
fm_check_ascii(const char *what, const char *s, size_t len,
    enum fm_fold fold)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			FUZZ_ASSERT(i + 1 < len && s[i + 1] == '\n',
			    "%s: CR without LF at %zu", what, i);
			FUZZ_ASSERT(fold == FM_FOLD_ANY ||
			    (i + 2 < len && s[i + 2] == ' '),
			    "%s: CRLF not followed by a space at %zu", what,
			    i);
			i++;
			continue;
		}
		FUZZ_ASSERT(c != '\n', "%s: bare LF at %zu", what, i);
		FUZZ_ASSERT((c >= 0x20 && c <= 0x7E) ||
		    (c == '\t' && fold == FM_FOLD_ANY),
		    "%s: byte 0x%02x at %zu", what, c, i);
	}
}

/*
 * Physical lines of s are at most limit long, the first one counted from
 * column col0; a line equal to except (an address, which cannot fold)
 * is exempt.
 */
static void
fm_check_lines(const char *what, const char *s, size_t col0, size_t limit,
    const char *except)
{
	const char *p = s, *e;

	for (;;) {
		size_t n;

		e = strstr(p, "\r\n");
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (except == NULL || strlen(except) != n ||
		    memcmp(p, except, n) != 0)
			FUZZ_ASSERT(col0 + n <= limit,
			    "%s: line of %zu octets (limit %zu): %.*s", what,
			    col0 + n, limit, (int)n, p);
		if (e == NULL)
			return;
		p = e + 2;
		col0 = 0;
	}
}

static int
fm_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;	/* the encoders write upper case only */
}

/* Decodes one "=?UTF-8?Q?...?=" word, exactly, appending to out. */
static void
fm_q_word(const char *w, size_t len, struct buf *out)
{
	static const char open[] = "=?UTF-8?Q?";

	FUZZ_ASSERT(len <= FM_EW_MAX, "encoded word of %zu characters", len);
	FUZZ_ASSERT(len >= sizeof(open) - 1 + 2 &&
	    memcmp(w, open, sizeof(open) - 1) == 0 &&
	    memcmp(w + len - 2, "?=", 2) == 0, "not an encoded word: %.*s",
	    (int)len, w);
	for (size_t i = sizeof(open) - 1; i < len - 2; i++) {
		char c = w[i];

		if (c == '_')
			buf_putc(out, ' ');
		else if (c == '=') {
			FUZZ_ASSERT(i + 2 < len - 2 && fm_hex(w[i + 1]) >= 0 &&
			    fm_hex(w[i + 2]) >= 0, "bad escape in %.*s",
			    (int)len, w);
			buf_putc(out, (char)(fm_hex(w[i + 1]) * 16 +
			    fm_hex(w[i + 2])));
			i += 2;
		} else {
			/* RFC 2047 5 (3): what a phrase may hold as is. */
			FUZZ_ASSERT(c != '\0' && strchr("abcdefghijklmnopq"
			    "rstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "!*+-/", c) != NULL, "'%c' unencoded in %.*s", c,
			    (int)len, w);
			buf_putc(out, c);
		}
	}
}

/*
 * Decodes a value made of encoded words, one per physical line, folded
 * with CRLF SP; the first line may be empty when the header name left no
 * room. Each word on its own must be whole UTF-8 when the text was.
 */
static void
fm_decode_words(const char *s, bool utf8, struct buf *out)
{
	const char *p = s, *e;
	bool first = true;

	for (;;) {
		size_t n, before = out->len;

		e = strstr(p, "\r\n ");
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (!(first && n == 0 && e != NULL)) {
			fm_q_word(p, n, out);
			FUZZ_ASSERT(!utf8 || fuzz_utf8_ok(out->data + before,
			    out->len - before), "a word splits a character: "
			    "%.*s", (int)n, p);
		}
		if (e == NULL)
			return;
		p = e + 3;
		first = false;
	}
}

/* Printable ASCII without "=?": what may stay unencoded. */
static bool
fm_plain(const char *s)
{
	for (const char *p = s; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7E || (p[0] == '=' && p[1] == '?'))
			return false;
	return true;
}

static void
fm_check_header(const char *name, const char *text)
{
	char *enc = mime_encode_header(name, text);
	size_t col0 = strlen(name) + 2;
	struct buf dec;

	fm_check_ascii("header", enc, strlen(enc), FM_FOLD_SP);
	if (fm_plain(text) && col0 + strlen(text) <= FM_LINE_MAX) {
		FUZZ_ASSERT(strcmp(enc, text) == 0, "short plain text "
		    "was encoded: %s", enc);
		free(enc);
		return;
	}
	fm_check_lines("header", enc, col0, FM_EW_LINE_MAX, NULL);
	buf_init(&dec);
	fm_decode_words(enc, fuzz_utf8_ok(text, strlen(text)), &dec);
	FUZZ_ASSERT(strcmp(dec.data, text) == 0 && dec.len == strlen(text),
	    "header decodes as \"%s\", not \"%s\"", dec.data, text);
	buf_cleanup(&dec);
	free(enc);
}

/* Widest run of non-spaces in a quoted string, escapes included. */
static size_t
fm_widest_run(const char *s)
{
	size_t w = 0, best = 0;

	for (; *s != '\0'; s++) {
		w = *s == ' ' ? 0 : w + (*s == '"' || *s == '\\' ? 2 : 1);
		if (w > best)
			best = w;
	}
	return best;
}

/*
 * A copy of s without the spaces that end its lines, and without those
 * that end its quoted string along with the closing quote. The encoder
 * folds a quoted string only before a space that a non-space follows,
 * so a run of spaces stays on its line: only what precedes it must fit.
 * (Inside the string a '"' follows a backslash, never a space.)
 */
static char *
fm_trim_line_ends(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (out == NULL)
		abort();
	for (; *s != '\0'; s++) {
		if (*s == ' ' && s[strspn(s, " ")] == '"') {
			s += strspn(s, " ");
			continue;
		}
		if (*s == ' ' && s[strspn(s, " ")] == '\r')
			continue;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

static void
fm_check_mailbox(const char *name, const char *addr)
{
	char *enc = mime_encode_mailbox(name, addr), *tail;
	size_t len = strlen(enc), tlen;
	struct buf dec;

	if (name == NULL || name[0] == '\0') {
		FUZZ_ASSERT(strcmp(enc, addr) == 0, "bare address changed");
		free(enc);
		return;
	}
	fm_check_ascii("mailbox", enc, len, FM_FOLD_SP);
	tail = malloc(strlen(addr) + 4);
	if (tail == NULL)
		abort();
	tlen = (size_t)sprintf(tail, " <%s>", addr);
	/* An address cannot fold: on a line of its own it may be long. */
	if (!fm_plain(name))
		fm_check_lines("encoded name", enc, FM_MAILBOX_COL,
		    FM_EW_LINE_MAX, tail);
	else if (fm_widest_run(name) + FM_MAILBOX_COL + 3 <= FM_LINE_MAX) {
		char *trimmed = fm_trim_line_ends(enc);

		fm_check_lines("quoted name", trimmed, FM_MAILBOX_COL,
		    FM_LINE_MAX, tail);
		free(trimmed);
	}
	FUZZ_ASSERT(len > tlen && strcmp(enc + len - tlen, tail) == 0,
	    "mailbox does not end in \"%s\": %s", tail, enc);
	enc[len - tlen] = '\0';
	len -= tlen;
	if (len >= 2 && strcmp(enc + len - 2, "\r\n") == 0)
		enc[len -= 2] = '\0';
	buf_init(&dec);
	if (fm_plain(name)) {
		/* A quoted string; unfolding removes only the CRLF. */
		for (size_t i = 0; i < len; i++) {
			if (enc[i] == '\r') {
				i++;
				continue;
			}
			buf_putc(&dec, enc[i]);
		}
		FUZZ_ASSERT(dec.len >= 2 && dec.data[0] == '"' &&
		    dec.data[dec.len - 1] == '"', "name not quoted: %s",
		    dec.data);
		/* Unquote in place: each backslash takes the next byte. */
		{
			size_t o = 0;

			for (size_t i = 1; i + 1 < dec.len; i++) {
				FUZZ_ASSERT(dec.data[i] != '"',
				    "unescaped quote in %s", dec.data);
				if (dec.data[i] == '\\')
					i++;
				dec.data[o++] = dec.data[i];
			}
			dec.data[o] = '\0';
		}
		FUZZ_ASSERT(strcmp(dec.data, name) == 0,
		    "quoted name reads \"%s\", not \"%s\"", dec.data, name);
	} else {
		fm_decode_words(enc, fuzz_utf8_ok(name, strlen(name)), &dec);
		FUZZ_ASSERT(strcmp(dec.data, name) == 0,
		    "encoded name reads \"%s\", not \"%s\"", dec.data, name);
	}
	buf_cleanup(&dec);
	free(tail);
	free(enc);
}

static void
fm_check_qp(const uint8_t *data, size_t size)
{
	struct buf enc, dec, want;

	buf_init(&enc);
	buf_init(&dec);
	buf_init(&want);
	mime_qp_encode(&enc, (const char *)data, size);
	fm_check_ascii("quoted-printable", enc.data, enc.len, FM_FOLD_ANY);
	fm_check_lines("quoted-printable", enc.data, 0, 76, NULL);
	for (size_t i = 0; i < enc.len; i++) {
		char c = enc.data[i];

		/* Transports may strip white space at a line end. */
		if ((c == ' ' || c == '\t') && (i + 1 == enc.len ||
		    enc.data[i + 1] == '\r'))
			FUZZ_ASSERT(false, "white space at a line end");
		if (c != '=') {
			buf_putc(&dec, c);
			continue;
		}
		if (i + 2 < enc.len && enc.data[i + 1] == '\r') {
			FUZZ_ASSERT(enc.data[i + 2] == '\n', "bad soft break");
			i += 2;
			continue;
		}
		FUZZ_ASSERT(i + 2 < enc.len && fm_hex(enc.data[i + 1]) >= 0 &&
		    fm_hex(enc.data[i + 2]) >= 0, "bad escape at %zu", i);
		buf_putc(&dec, (char)(fm_hex(enc.data[i + 1]) * 16 +
		    fm_hex(enc.data[i + 2])));
		i += 2;
	}
	/* LF and CRLF both become CRLF; a lone CR is data. */
	for (size_t i = 0; i < size; i++) {
		if (data[i] == '\n' || (data[i] == '\r' && i + 1 < size &&
		    data[i + 1] == '\n')) {
			buf_puts(&want, "\r\n");
			i += data[i] == '\r';
			continue;
		}
		buf_putc(&want, (char)data[i]);
	}
	FUZZ_ASSERT(dec.len == want.len &&
	    memcmp(dec.data, want.data, want.len) == 0,
	    "quoted-printable does not decode back");
	buf_cleanup(&enc);
	buf_cleanup(&dec);
	buf_cleanup(&want);
}

static int
fm_b64(char c)
{
	const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c != '\0' ? strchr(alphabet, c) : NULL;

	return p != NULL ? (int)(p - alphabet) : -1;
}

static void
fm_check_base64(const uint8_t *data, size_t size)
{
	struct buf enc, dec;
	unsigned int acc = 0;
	int bits = 0;

	buf_init(&enc);
	buf_init(&dec);
	mime_base64_encode(&enc, data, size);
	fm_check_ascii("base64", enc.data, enc.len, FM_FOLD_ANY);
	fm_check_lines("base64", enc.data, 0, 76, NULL);
	FUZZ_ASSERT(size == 0 || (enc.len >= 2 &&
	    memcmp(enc.data + enc.len - 2, "\r\n", 2) == 0),
	    "base64 does not end in CRLF");
	for (size_t i = 0; i < enc.len; i++) {
		int v = fm_b64(enc.data[i]);

		if (enc.data[i] == '\r' || enc.data[i] == '\n' ||
		    enc.data[i] == '=')
			continue;
		FUZZ_ASSERT(v >= 0, "byte '%c' in base64", enc.data[i]);
		acc = (acc << 6 | (unsigned int)v) & 0xFFFFFF;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_putc(&dec, (char)(acc >> bits & 0xFF));
		}
	}
	FUZZ_ASSERT(dec.len == size && memcmp(dec.data, data, size) == 0,
	    "base64 does not decode back");
	buf_cleanup(&enc);
	buf_cleanup(&dec);
}

/* The Subject value of a built message, unfolded to its words. */
static void
fm_check_subject(const char *msg, const char *subject)
{
	const char *p = strstr(msg, "\r\nSubject: "), *e;
	char *value, *want;

	FUZZ_ASSERT(p != NULL, "no Subject header");
	p += strlen("\r\nSubject: ");
	/* The value runs until a CRLF that is not a fold. */
	for (e = p; (e = strstr(e, "\r\n")) != NULL && e[2] == ' '; e += 2)
		;
	FUZZ_ASSERT(e != NULL, "Subject runs off the end");
	value = strndup(p, (size_t)(e - p));
	want = mime_encode_header("Subject", subject != NULL ? subject : "");
	FUZZ_ASSERT(value != NULL && strcmp(value, want) == 0,
	    "Subject differs from mime_encode_header's");
	free(value);
	free(want);
}

/* The header block holds exactly the headers mime_build promises. */
static void
fm_check_headers(const char *msg, bool multipart)
{
	static const char *const names[] = {
		"Date", "From", "To", "Subject", "Message-ID", "MIME-Version",
		"Content-Type", "Content-Transfer-Encoding",
	};
	size_t n = sizeof(names) / sizeof(names[0]);
	int seen[sizeof(names) / sizeof(names[0])] = { 0 };
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg;

	FUZZ_ASSERT(end != NULL, "no blank line after the headers");
	while (p <= end) {
		size_t len = strcspn(p, ":\r"), i;

		if (*p != ' ') {
			for (i = 0; i < n; i++)
				if (strlen(names[i]) == len &&
				    strncmp(p, names[i], len) == 0 &&
				    p[len] == ':')
					break;
			FUZZ_ASSERT(i < n, "unexpected header line: %.40s", p);
			seen[i]++;
		}
		p = strstr(p, "\r\n") + 2;
	}
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(seen[i] == (i == n - 1 && multipart ? 0 : 1),
		    "header %s appears %d times", names[i], seen[i]);
}

static void
fm_check_build(char **f, const uint8_t *data, size_t size)
{
	struct mime_attachment att;
	struct mime_message m;
	struct error err;
	struct buf out;
	bool ok, sane;

	memset(&m, 0, sizeof(m));
	m.from_name = f[0];
	m.from_addr = "pald@example.org";
	m.to_addr = f[1] != NULL ? f[1] : "";
	m.to_name = f[3];
	m.subject = f[4];
	m.text = f[5];
	m.message_id = f[6] != NULL && f[6][0] != '\0' ? f[6] : NULL;
	m.date = 1767225600;	/* 2026-01-01 */
	if (f[9] != NULL && strlen(f[9]) >= sizeof(m.date))
		memcpy(&m.date, f[9], sizeof(m.date));
	if (f[7] != NULL) {
		att.filename = f[7];
		att.content_type = f[8] != NULL ? f[8] : "application/pdf";
		att.data = data;
		att.len = size;
		m.attachments = &att;
		m.n_attachments = 1;
	}
	/* What the callers validate first: then mime_build must succeed. */
	sane = validate_email(m.to_addr, NULL, NULL) &&
	    validate_line(m.from_name, NULL, 200, true, NULL) &&
	    validate_line(m.to_name, NULL, 200, true, NULL) &&
	    validate_line(m.subject, NULL, 998, true, NULL) &&
	    (m.text == NULL || validate_utf8(m.text, strlen(m.text))) &&
	    m.message_id == NULL && m.date == 1767225600 &&
	    (f[7] == NULL || (validate_line(f[7], NULL, 255, false, NULL) &&
	    f[8] == NULL));

	memset(&err, 0, sizeof(err));
	buf_init(&out);
	ok = mime_build(&m, &out, &err);
	if (!ok) {
		FUZZ_ASSERT(!sane, "valid message refused: %s", err.message);
		FUZZ_ASSERT(out.len == 0, "refused message left output");
		FUZZ_ASSERT(err.status == 422 && err.code[0] != '\0' &&
		    fuzz_utf8_ok(err.message, strlen(err.message)),
		    "bad error for a refused message");
		buf_cleanup(&out);
		return;
	}
	fm_check_ascii("message", out.data, out.len, FM_FOLD_ANY);
	fm_check_lines("message", out.data, 0, FM_LINE_HARD, NULL);
	FUZZ_ASSERT(out.len >= 2 &&
	    memcmp(out.data + out.len - 2, "\r\n", 2) == 0,
	    "message does not end in CRLF");
	fm_check_headers(out.data, m.n_attachments > 0);
	fm_check_subject(out.data, m.subject);
	buf_cleanup(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[FM_FIELDS];
	const char *name, *addr;
	size_t nh = sizeof(fm_header_names) / sizeof(fm_header_names[0]);

	fuzz_fields(data, size, f, FM_FIELDS);
	name = fm_header_names[f[2] != NULL && f[2][0] != '\0' ?
	    (unsigned char)f[2][0] % nh : 0];
	/* The encoders trust the caller for CR/LF; check them anyway. */
	fm_check_header(name, f[0]);
	addr = f[1] != NULL && validate_email(f[1], NULL, NULL) ? f[1] :
	    "actor@example.org";
	fm_check_mailbox(f[0], addr);
	fm_check_mailbox(NULL, addr);
	fm_check_qp(data, size);
	fm_check_base64(data, size);
	fm_check_build(f, data, size);
	fuzz_fields_free(f, FM_FIELDS);
	return 0;
}
