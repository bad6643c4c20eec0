/*
 * Unit tests for common/mime.c. Every encoder is checked by decoding its
 * output again with small independent decoders written here (RFC 2047 Q
 * words, quoted-printable) or with OpenSSL (base64), and by the line
 * rules: CRLF only, at most 78 (76 with encoded words) characters.
 */
#include "mime.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>
#include <openssl/evp.h>

#include "validate.h"

/* Test helpers: decoders and line checks. */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Removes every CRLF that is followed by a space or a tab (RFC 5322). */
static char *
unfold(const char *s)
{
	size_t n = strlen(s), j = 0;
	char *out = malloc(n + 1);

	cr_assert_not_null(out);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r' && s[i + 1] == '\n' &&
		    (s[i + 2] == ' ' || s[i + 2] == '\t')) {
			i++;
			continue;
		}
		out[j++] = s[i];
	}
	out[j] = '\0';
	return out;
}

/*
 * Decodes the payload of one Q word into out; false if it holds a byte a
 * Q word may not carry (RFC 2047 section 4.2 and 5).
 */
static bool
q_decode(const char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '_')
			buf_putc(out, ' ');
		else if (s[i] == '=') {
			if (i + 2 >= len || hexval(s[i + 1]) < 0 ||
			    hexval(s[i + 2]) < 0)
				return false;
			buf_putc(out, (char)(hexval(s[i + 1]) * 16 +
			    hexval(s[i + 2])));
			i += 2;
		} else if (s[i] <= ' ' || s[i] > '~' || s[i] == '?')
			return false;
		else
			buf_putc(out, s[i]);
	}
	return true;
}

/*
 * A small RFC 2047 decoder for an unfolded header value: encoded words
 * ("=?UTF-8?Q?...?=", charset and encoding in any case) are decoded, the
 * white space between two adjacent words is dropped, everything else is
 * copied. Each word must be at most 75 characters and must decode to
 * valid UTF-8 by itself: a character split across words fails. Returns
 * malloc'ed text.
 */
static char *
rfc2047_decode(const char *value)
{
	struct buf out, word;
	const char *p = value, *q, *end, *ws;
	bool prev_word = false;

	buf_init(&out);
	buf_init(&word);
	while (*p != '\0') {
		/* White space between two words is dropped, else kept. */
		ws = p;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "=?", 2) == 0 && (q = strchr(p + 2, '?')) !=
		    NULL && (q[1] == 'Q' || q[1] == 'q') && q[2] == '?' &&
		    (end = strstr(q + 3, "?=")) != NULL) {
			cr_assert(strncasecmp(p + 2, "UTF-8?", 6) == 0,
			    "charset in %s", p);
			cr_assert_leq((size_t)(end + 2 - p), 75,
			    "encoded word longer than 75: %.*s",
			    (int)(end + 2 - p), p);
			if (!prev_word)
				buf_append(&out, ws, (size_t)(p - ws));
			buf_reset(&word);
			cr_assert(q_decode(q + 3, (size_t)(end - q - 3), &word),
			    "bad Q payload in %s", p);
			cr_assert(validate_utf8(word.data, word.len),
			    "word does not decode to whole UTF-8: %.*s",
			    (int)(end + 2 - p), p);
			buf_append(&out, word.data, word.len);
			p = end + 2;
			prev_word = true;
			continue;
		}
		buf_append(&out, ws, (size_t)(p - ws));
		if (*p == '\0')
			break;
		/* Copy a run of non-white text. */
		while (*p != '\0' && *p != ' ' && *p != '\t')
			buf_putc(&out, *p++);
		prev_word = false;
	}
	buf_cleanup(&word);
	return out.data;
}

/* Decodes quoted-printable; line ends stay CRLF, soft breaks go. */
static void
qp_decode(const char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] != '=') {
			buf_putc(out, s[i]);
			continue;
		}
		if (i + 2 < len && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
			continue;
		}
		cr_assert(i + 2 < len, "truncated escape");
		cr_assert(hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0,
		    "bad escape =%c%c", s[i + 1], s[i + 2]);
		cr_assert(isupper((unsigned char)s[i + 1]) ||
		    isdigit((unsigned char)s[i + 1]), "lowercase hex");
		buf_putc(out, (char)(hexval(s[i + 1]) * 16 +
		    hexval(s[i + 2])));
		i += 2;
	}
}

/*
 * Every CR is followed by LF and every LF preceded by CR, and no line is
 * longer than max characters (a UTF-8 sequence counts as one).
 */
static void
assert_crlf_lines(const char *s, size_t len, size_t max)
{
	size_t col = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\r') {
			cr_assert(i + 1 < len && s[i + 1] == '\n',
			    "bare CR at %zu", i);
			continue;
		}
		if (s[i] == '\n') {
			cr_assert(i > 0 && s[i - 1] == '\r', "bare LF at %zu",
			    i);
			col = 0;
			continue;
		}
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			col++;
		cr_assert_leq(col, max, "line longer than %zu at %zu: %.60s",
		    max, i, s + i - (col > 60 ? 60 : col - 1));
	}
}

/* text with every bare LF made CRLF, the form QP decodes back to. */
static char *
canonical_crlf(const char *s, size_t len, size_t *out_len)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			buf_putc(&b, '\r');
		buf_putc(&b, s[i]);
	}
	*out_len = b.len;
	return b.data;
}

/*
 * The whole header line "name: value" keeps to 78 characters, and once
 * unfolded its value (leading white space skipped, as readers do)
 * decodes back to text.
 */
static void
assert_subject_roundtrip(const char *name, const char *text)
{
	char *v = mime_encode_header(name, text), *line, *u, *d, *p;

	cr_assert_not_null(v);
	cr_assert_eq(asprintf(&line, "%s: %s", name, v) > 0, true);
	assert_crlf_lines(line, strlen(line), 78);
	u = unfold(line);
	p = u + strlen(name) + 1;
	while (*p == ' ')
		p++;
	d = rfc2047_decode(p);
	cr_assert_str_eq(d, text);
	free(d);
	free(u);
	free(line);
	free(v);
}

/* Builds a Spanish subject of exactly n characters (not bytes). */
static char *
spanish_text(size_t n)
{
	static const char *const words[] = {
		"Plan", "de", "Acción", "Local:", "compromiso", "número",
		"año", "contratación", "pública", "¿qué?", "señora",
		"pingüino", "información", "€", "😀", "«garantía»", "ÑANDÚ",
	};
	struct buf b;
	size_t chars = 0, i = 0;

	buf_init(&b);
	while (chars < n) {
		const char *w = words[i++ % (sizeof(words) / sizeof(words[0]))];
		size_t k = 0;

		if (chars > 0) {
			buf_putc(&b, ' ');
			chars++;
		}
		/* Append whole characters until n is reached. */
		while (w[k] != '\0' && chars < n) {
			size_t len = 1;

			while (((unsigned char)w[k + len] & 0xC0) == 0x80)
				len++;
			buf_append(&b, w + k, len);
			k += len;
			chars++;
		}
	}
	return b.data;
}

/* RFC 2047 encoded words. */

Test(mime_header, accents_encode_and_decode)
{
	char *v = mime_encode_header("Subject", "Plan de Acción Local");

	cr_assert_not_null(strstr(v, "=?UTF-8?Q?"), "%s", v);
	cr_assert_str_eq(v, "=?UTF-8?Q?Plan_de_Acci=C3=B3n_Local?=");
	free(v);
	assert_subject_roundtrip("Subject", "Plan de Acción Local");
	assert_subject_roundtrip("Subject", "¿Año? ñ ü É «» €");
}

Test(mime_header, ascii_left_plain)
{
	char *v;

	v = mime_encode_header("Subject", "Convocatoria a la mesa 7");
	cr_assert_str_eq(v, "Convocatoria a la mesa 7");
	free(v);
	v = mime_encode_header("Subject", "");
	cr_assert_str_eq(v, "");
	free(v);
}

Test(mime_header, plain_length_boundary)
{
	char text[80], *v;

	memset(text, 'a', 69);
	text[69] = '\0';			/* 9 + 69 = 78 */
	v = mime_encode_header("Subject", text);
	cr_assert_str_eq(v, text);
	free(v);
	text[69] = 'a';
	text[70] = '\0';			/* 79 */
	v = mime_encode_header("Subject", text);
	cr_assert_str_neq(v, text);
	free(v);
	assert_subject_roundtrip("Subject", text);
}

Test(mime_header, ascii_that_looks_encoded_is_encoded)
{
	char *v = mime_encode_header("Subject", "=?UTF-8?Q?falso?=");

	cr_assert_str_neq(v, "=?UTF-8?Q?falso?=");
	free(v);
	assert_subject_roundtrip("Subject", "=?UTF-8?Q?falso?=");
	assert_subject_roundtrip("Subject", "a=b ? c_d");
}

Test(mime_header, long_spanish_subject_folds)
{
	char *text = spanish_text(300), *v, *u, *d, *p;
	size_t words = 0;

	cr_assert_gt(strlen(text), 300);	/* multi-byte characters */
	assert_subject_roundtrip("Subject", text);
	v = mime_encode_header("Subject", text);
	/* Folded with CRLF SP into several words, nothing else. */
	cr_assert_not_null(strstr(v, "?=\r\n =?UTF-8?Q?"));
	for (p = v; (p = strstr(p, "=?UTF-8?Q?")) != NULL; p++)
		words++;
	cr_assert_gt(words, 5);
	u = unfold(v);
	d = rfc2047_decode(u);
	cr_assert_str_eq(d, text);
	free(d);
	free(u);
	free(v);
	free(text);
}

Test(mime_header, never_splits_a_character)
{
	/*
	 * Every length from 1 to 120 characters puts word boundaries at
	 * every position of the multi-byte characters; rfc2047_decode
	 * checks each word decodes to whole UTF-8 by itself.
	 */
	for (size_t n = 1; n <= 120; n++) {
		char *text = spanish_text(n);

		assert_subject_roundtrip("Subject", text);
		free(text);
	}
	assert_subject_roundtrip("Subject",
	    "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀");
	assert_subject_roundtrip("Subject",
	    "ñññññññññññññññññññññññññññññññññññññññññññññññññññññññ");
}

Test(mime_header, long_ascii_subject)
{
	char *text = malloc(301);

	for (size_t i = 0; i < 300; i++)
		text[i] = i % 7 == 6 ? ' ' : (char)('a' + i % 26);
	text[300] = '\0';
	assert_subject_roundtrip("Subject", text);
	/* One long word with no spaces at all. */
	memset(text, 'x', 300);
	assert_subject_roundtrip("Subject", text);
	free(text);
}

Test(mime_header, long_header_name_keeps_lines_short)
{
	const char *name =
	    "X-Un-Encabezado-Con-Un-Nombre-Muy-Largo-Para-Probar-El-Pliegue";

	assert_subject_roundtrip(name, "Acción");
	assert_subject_roundtrip(name, "Plan de Acción Local, año 2017");
}

Test(mime_header, controls_cannot_inject)
{
	/* Even unvalidated input never yields a raw CR or LF. */
	char *v = mime_encode_header("Subject", "hola\r\nBcc: x@y.org");

	cr_assert_null(strstr(v, "\r\nBcc"));
	assert_crlf_lines(v, strlen(v), 78);
	free(v);
	assert_subject_roundtrip("Subject", "hola\r\nBcc: x@y.org");
}

/* Mailboxes. */

/* "name: value" keeps every line within max characters. */
static void
assert_header_line(const char *name, const char *value, size_t max)
{
	char *line;

	cr_assert(asprintf(&line, "%s: %s", name, value) > 0);
	assert_crlf_lines(line, strlen(line), max);
	free(line);
}

Test(mime_mailbox, address_alone)
{
	char *v;

	v = mime_encode_mailbox(NULL, "ana@example.org");
	cr_assert_str_eq(v, "ana@example.org");
	free(v);
	v = mime_encode_mailbox("", "ana@example.org");
	cr_assert_str_eq(v, "ana@example.org");
	free(v);
}

Test(mime_mailbox, ascii_name_quoted)
{
	char *v;

	v = mime_encode_mailbox("Ana Lopez", "ana@example.org");
	cr_assert_str_eq(v, "\"Ana Lopez\" <ana@example.org>");
	free(v);
	v = mime_encode_mailbox("Juan \"Pepe\" O\\Brien, Jr. <x>",
	    "j@example.org");
	cr_assert_str_eq(v,
	    "\"Juan \\\"Pepe\\\" O\\\\Brien, Jr. <x>\" <j@example.org>");
	free(v);
}

Test(mime_mailbox, long_ascii_name_folds_at_spaces)
{
	char name[201], *v, *u;

	for (size_t i = 0; i < 200; i++)
		name[i] = i % 9 == 8 ? ' ' : 'n';
	name[200] = '\0';
	v = mime_encode_mailbox(name, "ana@example.org");
	cr_assert_not_null(strstr(v, "\r\n "));
	assert_header_line("Reply-To", v, 78);
	u = unfold(v);
	cr_assert_eq(u[0], '"');
	cr_assert_eq(strncmp(u + 1, name, 200), 0);
	cr_assert_str_eq(u + 201, "\" <ana@example.org>");
	free(u);
	free(v);
}

Test(mime_mailbox, spanish_name_encoded)
{
	char *v, *u, *d;

	v = mime_encode_mailbox("Ana López Núñez", "ana@example.org");
	cr_assert_str_eq(v,
	    "=?UTF-8?Q?Ana_L=C3=B3pez_N=C3=BA=C3=B1ez?= <ana@example.org>");
	d = rfc2047_decode(v);
	cr_assert_str_eq(d, "Ana López Núñez <ana@example.org>");
	free(d);
	free(v);

	/* A long one folds and still decodes. */
	v = mime_encode_mailbox("Secretaría Técnica Local de Gobierno "
	    "Abierto del Estado de Michoacán de Ocampo, Comisión Ñ",
	    "stl@example.org");
	assert_header_line("Reply-To", v, 76);
	u = unfold(v);
	d = rfc2047_decode(u);
	cr_assert_str_eq(d, "Secretaría Técnica Local de Gobierno "
	    "Abierto del Estado de Michoacán de Ocampo, Comisión Ñ "
	    "<stl@example.org>");
	free(d);
	free(u);
	free(v);
}

Test(mime_mailbox, specials_in_encoded_name)
{
	/* Non-ASCII with specials: the specials must be encoded too. */
	char *v = mime_encode_mailbox("Peña, \"José\" <x>", "j@example.org");
	const char *end = strstr(v, "?= <j@example.org>");

	cr_assert_not_null(end, "%s", v);
	for (const char *p = v; p < end; p++)
		cr_assert_null(strchr(",\"<>() ", *p), "raw %c in %s", *p, v);
	free(v);
}

/* Quoted-printable. */

static void
assert_qp_roundtrip(const char *text, size_t len)
{
	struct buf enc, dec;
	char *want;
	size_t want_len;

	buf_init(&enc);
	buf_init(&dec);
	mime_qp_encode(&enc, text, len);
	assert_crlf_lines(enc.data, enc.len, 76);
	for (size_t i = 0; i < enc.len; i++) {
		unsigned char c = (unsigned char)enc.data[i];

		/* Only printable ASCII, SP and TAB, and CRLF. */
		cr_assert((c >= 32 && c <= 126) || c == '\t' || c == '\r' ||
		    c == '\n', "byte %02x in QP output", c);
		/* No white space at a line end, hard or soft. */
		if (c == '\r')
			cr_assert(i == 0 || (enc.data[i - 1] != ' ' &&
			    enc.data[i - 1] != '\t'), "white space at EOL");
	}
	if (enc.len > 0)
		cr_assert(enc.data[enc.len - 1] != ' ' &&
		    enc.data[enc.len - 1] != '\t');
	qp_decode(enc.data, enc.len, &dec);
	want = canonical_crlf(text, len, &want_len);
	cr_assert_eq(dec.len, want_len);
	cr_assert_eq(memcmp(dec.data, want, want_len), 0);
	free(want);
	buf_cleanup(&dec);
	buf_cleanup(&enc);
}

static char *
qp(const char *text)
{
	struct buf b;

	buf_init(&b);
	mime_qp_encode(&b, text, strlen(text));
	return b.data;
}

Test(mime_qp, known_outputs)
{
	char *v;

	v = qp("año=ñ");
	cr_assert_str_eq(v, "a=C3=B1o=3D=C3=B1");
	free(v);
	v = qp("hola mundo");
	cr_assert_str_eq(v, "hola mundo");
	free(v);
	/* Trailing white space before a line end and at the very end. */
	v = qp("hola \nadiós\t\r\n fin ");
	cr_assert_str_eq(v, "hola=20\r\nadi=C3=B3s=09\r\n fin=20");
	free(v);
	/* Bare LF becomes CRLF; a lone CR is data. */
	v = qp("a\nb\r\nc\rd\n");
	cr_assert_str_eq(v, "a\r\nb\r\nc=0Dd\r\n");
	free(v);
	v = qp("");
	cr_assert_str_eq(v, "");
	free(v);
	assert_qp_roundtrip("año=ñ", strlen("año=ñ"));
}

Test(mime_qp, long_line_soft_breaks)
{
	char line[201], *v;

	memset(line, 'a', 200);
	line[200] = '\0';
	v = qp(line);
	/* 75 characters and "=" per line, then the rest. */
	cr_assert_eq(strncmp(v + 75, "=\r\n", 3), 0, "%s", v);
	cr_assert_eq(strlen(v), 200 + 2 * 3);
	free(v);
	assert_qp_roundtrip(line, 200);

	/* A line of exactly 76 needs no soft break; 77 does. */
	line[76] = '\0';
	v = qp(line);
	cr_assert_str_eq(v, line);
	free(v);
	line[76] = 'a';
	line[77] = '\0';
	v = qp(line);
	cr_assert_neq(strstr(v, "=\r\n"), NULL);
	free(v);
	assert_qp_roundtrip(line, 77);
}

Test(mime_qp, escapes_never_split)
{
	char *text = spanish_text(200), *v;

	assert_qp_roundtrip(text, strlen(text));
	free(text);
	text = malloc(401);
	for (size_t i = 0; i < 200; i++)
		memcpy(text + 2 * i, "ñ", 2);
	text[400] = '\0';
	v = qp(text);
	/*
	 * 25 escapes fill 75 columns, then a soft break. It may fall inside
	 * a UTF-8 sequence (QP works on bytes), never inside an escape.
	 */
	cr_assert_eq(strncmp(v + 75, "=\r\n=B1", 6), 0, "%s", v);
	free(v);
	assert_qp_roundtrip(text, 400);
	free(text);
}

Test(mime_qp, white_space_around_soft_breaks)
{
	char line[300];

	/* Spaces land at every column near the break in turn. */
	for (size_t k = 60; k < 80; k++) {
		memset(line, 'b', sizeof(line));
		for (size_t i = k; i < k + 5; i++)
			line[i] = i % 2 ? ' ' : '\t';
		line[k + 5] = '\n';
		line[k + 6] = '\0';
		assert_qp_roundtrip(line, k + 6);
		line[k + 5] = '\0';
		assert_qp_roundtrip(line, k + 5);
	}
}

Test(mime_qp, random_inputs_roundtrip)
{
	static const char *const pieces[] = {
		"a", "Z", " ", "\t", "=", "ñ", "😀", "\n", "\r\n", "\r", ".",
		"\x01", "\xff", "~", "-",
	};
	unsigned long long state = 42;
	char text[600];

	for (int round = 0; round < 400; round++) {
		size_t len = 0, want;

		state = state * 6364136223846793005ULL + 1442695040888963407ULL;
		want = (size_t)(state >> 33) % 500;
		while (len < want) {
			const char *p;

			state = state * 6364136223846793005ULL +
			    1442695040888963407ULL;
			p = pieces[(state >> 33) %
			    (sizeof(pieces) / sizeof(pieces[0]))];
			memcpy(text + len, p, strlen(p));
			len += strlen(p);
		}
		assert_qp_roundtrip(text, len);
	}
}

/* Base64. */

static char *
b64(const void *data, size_t len)
{
	struct buf b;

	buf_init(&b);
	mime_base64_encode(&b, data, len);
	return b.data;
}

/* Decodes CRLF-separated base64 lines with OpenSSL. */
static unsigned char *
b64_decode(const char *s, size_t *out_len)
{
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	size_t len = strlen(s);
	unsigned char *out = malloc(len + 1);
	int n = 0, fin = 0;

	cr_assert_not_null(ctx);
	EVP_DecodeInit(ctx);
	cr_assert_geq(EVP_DecodeUpdate(ctx, out, &n,
	    (const unsigned char *)s, (int)len), 0);
	cr_assert_eq(EVP_DecodeFinal(ctx, out + n, &fin), 1);
	EVP_ENCODE_CTX_free(ctx);
	*out_len = (size_t)(n + fin);
	return out;
}

Test(mime_base64, rfc4648_vectors)
{
	static const char *const vectors[][2] = {
		{ "", "" },
		{ "f", "Zg==\r\n" },
		{ "fo", "Zm8=\r\n" },
		{ "foo", "Zm9v\r\n" },
		{ "foob", "Zm9vYg==\r\n" },
		{ "fooba", "Zm9vYmE=\r\n" },
		{ "foobar", "Zm9vYmFy\r\n" },
	};

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char *v = b64(vectors[i][0], strlen(vectors[i][0]));

		cr_assert_str_eq(v, vectors[i][1]);
		free(v);
	}
}

Test(mime_base64, lines_of_76)
{
	unsigned char data[1000];
	unsigned char *dec;
	size_t n;
	char *v;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7 + 3);
	v = b64(data, 57);
	cr_assert_eq(strlen(v), 78);
	cr_assert_eq(strcmp(v + 76, "\r\n"), 0);
	free(v);
	v = b64(data, 58);
	cr_assert_eq(strlen(v), 78 + 4 + 2);
	free(v);

	v = b64(data, sizeof(data));
	assert_crlf_lines(v, strlen(v), 76);
	/* Every line but the last is exactly 76. */
	for (char *p = v; *p != '\0'; p = strstr(p, "\r\n") + 2) {
		size_t l = (size_t)(strstr(p, "\r\n") - p);

		if (p[l + 2] != '\0')
			cr_assert_eq(l, 76);
	}
	dec = b64_decode(v, &n);
	cr_assert_eq(n, sizeof(data));
	cr_assert_eq(memcmp(dec, data, n), 0);
	free(dec);
	free(v);
}

/* Message-ID. */

Test(mime_message_id, shape_and_uniqueness)
{
	char *a = mime_message_id("pal.example.org");
	char *b = mime_message_id("pal.example.org");
	char *c = mime_message_id(NULL);

	cr_assert_eq(strlen(a), 1 + 32 + 1 + strlen("pal.example.org") + 1);
	cr_assert_eq(a[0], '<');
	for (size_t i = 1; i <= 32; i++)
		cr_assert_not_null(strchr("0123456789abcdef", a[i]));
	cr_assert_str_eq(a + 33, "@pal.example.org>");
	cr_assert_str_neq(a, b);
	cr_assert_str_eq(c + 33, "@localhost>");
	free(a);
	free(b);
	free(c);
}

/* Whole messages. */

struct parsed {
	char	*headers;	/* unfolded, each line CRLF-ended */
	char	*body;
	size_t	 body_len;
};

/* Splits a message at the first empty line, checking CRLF everywhere. */
static void
parse_message(const struct buf *msg, struct parsed *p)
{
	const char *sep;
	char *h;

	assert_crlf_lines(msg->data, msg->len, 998);
	cr_assert_eq(strlen(msg->data), msg->len, "NUL inside the message");
	sep = strstr(msg->data, "\r\n\r\n");
	cr_assert_not_null(sep);
	/* Header lines themselves stay within 78. */
	assert_crlf_lines(msg->data, (size_t)(sep - msg->data), 78);
	h = strndup(msg->data, (size_t)(sep - msg->data) + 2);
	p->headers = unfold(h);
	free(h);
	p->body = (char *)sep + 4;
	p->body_len = msg->len - (size_t)(p->body - msg->data);
}

/* The unfolded value of header name, malloc'ed, or NULL. */
static char *
header_value(const char *headers, const char *name)
{
	size_t n = strlen(name);

	for (const char *l = headers; *l != '\0';
	    l = strstr(l, "\r\n") + 2) {
		const char *e = strstr(l, "\r\n");

		if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
			l += n + 1;
			while (*l == ' ')
				l++;
			return strndup(l, (size_t)(e - l));
		}
	}
	return NULL;
}

static void
assert_header(const char *headers, const char *name, const char *want)
{
	char *v = header_value(headers, name);

	cr_assert_not_null(v, "no %s header", name);
	cr_assert_str_eq(v, want, "%s: %s", name, v);
	free(v);
}

static void
assert_header_decodes(const char *headers, const char *name,
    const char *want)
{
	char *v = header_value(headers, name), *d;

	cr_assert_not_null(v, "no %s header", name);
	d = rfc2047_decode(v);
	cr_assert_str_eq(d, want, "%s: %s", name, v);
	free(d);
	free(v);
}

static void
message_init(struct mime_message *m)
{
	memset(m, 0, sizeof(*m));
	m->from_name = "Plan de Acción Local";
	m->from_addr = "pal@example.org";
	m->to_name = "María José Núñez";
	m->to_addr = "maria@example.org";
	m->subject = "Convocatoria: mesa de diálogo del Plan de Acción Local";
	m->text = "Estimada María José:\n\nLe enviamos la convocatoria "
	    "(año 2017). Una línea larga que pasa de setenta y seis "
	    "caracteres para forzar un salto suave en el cuerpo.\n"
	    "Saludos cordiales.\n";
	m->message_id = "<0123456789abcdef@example.org>";
	m->date = 1512045296;	/* Thu, 30 Nov 2017 12:34:56 UTC */
}

Test(mime_build, single_part)
{
	struct mime_message m;
	struct parsed p;
	struct buf msg, dec;
	struct error err;
	char *want;
	size_t want_len;

	message_init(&m);
	buf_init(&msg);
	error_clear(&err);
	cr_assert(mime_build(&m, &msg, &err), "%s", err.message);
	cr_assert_not(error_is_set(&err));
	parse_message(&msg, &p);

	/* The headers come in the documented order. */
	cr_assert_eq(strncmp(msg.data, "Date: ", 6), 0);
	cr_assert_lt(strstr(msg.data, "\r\nFrom:"),
	    strstr(msg.data, "\r\nTo:"));
	cr_assert_lt(strstr(msg.data, "\r\nTo:"),
	    strstr(msg.data, "\r\nSubject:"));
	cr_assert_lt(strstr(msg.data, "\r\nSubject:"),
	    strstr(msg.data, "\r\nMessage-ID:"));
	cr_assert_lt(strstr(msg.data, "\r\nMessage-ID:"),
	    strstr(msg.data, "\r\nMIME-Version:"));

	assert_header(p.headers, "Date", "Thu, 30 Nov 2017 12:34:56 +0000");
	assert_header_decodes(p.headers, "From",
	    "Plan de Acción Local <pal@example.org>");
	assert_header_decodes(p.headers, "To",
	    "María José Núñez <maria@example.org>");
	assert_header_decodes(p.headers, "Subject", m.subject);
	assert_header(p.headers, "Message-ID", m.message_id);
	assert_header(p.headers, "MIME-Version", "1.0");
	assert_header(p.headers, "Content-Type", "text/plain; charset=UTF-8");
	assert_header(p.headers, "Content-Transfer-Encoding",
	    "quoted-printable");

	buf_init(&dec);
	qp_decode(p.body, p.body_len, &dec);
	want = canonical_crlf(m.text, strlen(m.text), &want_len);
	cr_assert_eq(dec.len, want_len);
	cr_assert_eq(memcmp(dec.data, want, want_len), 0);
	assert_crlf_lines(p.body, p.body_len, 76);
	free(want);
	buf_cleanup(&dec);
	free(p.headers);
	buf_cleanup(&msg);
}

Test(mime_build, dates_are_english_utc)
{
	static const struct {
		time_t		 t;
		const char	*want;
	} cases[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 +0000" },
		{ 951782400, "Tue, 29 Feb 2000 00:00:00 +0000" },
		{ 1483228799, "Sat, 31 Dec 2016 23:59:59 +0000" },
		{ 1496275200, "Thu, 01 Jun 2017 00:00:00 +0000" },
		{ 1695513600, "Sun, 24 Sep 2023 00:00:00 +0000" },
	};
	struct mime_message m;
	struct parsed p;
	struct buf msg;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		message_init(&m);
		m.date = cases[i].t;
		buf_init(&msg);
		cr_assert(mime_build(&m, &msg, NULL));
		parse_message(&msg, &p);
		assert_header(p.headers, "Date", cases[i].want);
		free(p.headers);
		buf_cleanup(&msg);
	}
}

Test(mime_build, plain_names_and_no_names)
{
	struct mime_message m;
	struct parsed p;
	struct buf msg;

	message_init(&m);
	m.from_name = NULL;
	m.to_name = "";
	m.subject = "Recordatorio";
	m.message_id = NULL;
	buf_init(&msg);
	cr_assert(mime_build(&m, &msg, NULL));
	parse_message(&msg, &p);
	assert_header(p.headers, "From", "pal@example.org");
	assert_header(p.headers, "To", "maria@example.org");
	assert_header(p.headers, "Subject", "Recordatorio");
	/* Without one, a Message-ID is made in the sender's domain. */
	{
		char *id = header_value(p.headers, "Message-ID");

		cr_assert_not_null(id);
		cr_assert_eq(id[0], '<');
		cr_assert_eq(strlen(id), 1 + 32 + strlen("@example.org>"));
		cr_assert_str_eq(id + 33, "@example.org>");
		free(id);
	}
	free(p.headers);
	buf_cleanup(&msg);
}

/* The body of a multipart message split at its boundary. */
static size_t
split_parts(const struct parsed *p, char *parts[], size_t max)
{
	char *ct = header_value(p->headers, "Content-Type"), *b, *delim;
	char *cur, *next;
	size_t n = 0;

	cr_assert_not_null(ct);
	cr_assert_eq(strncmp(ct, "multipart/mixed;", 16), 0, "%s", ct);
	b = strstr(ct, "boundary=\"");
	cr_assert_not_null(b, "%s", ct);
	b += strlen("boundary=\"");
	*strchr(b, '"') = '\0';
	cr_assert_gt(strlen(b), 20);
	cr_assert(asprintf(&delim, "\r\n--%s", b) > 0);

	/* The first delimiter starts the body (no preamble). */
	cr_assert_eq(strncmp(p->body, delim + 2, strlen(delim) - 2), 0);
	cur = p->body + strlen(delim) - 2;
	for (;;) {
		cr_assert(strncmp(cur, "\r\n", 2) == 0 ||
		    strncmp(cur, "--\r\n", 4) == 0);
		if (strncmp(cur, "--\r\n", 4) == 0) {
			cr_assert_eq(cur + 4, p->body + p->body_len,
			    "text after the close delimiter");
			break;
		}
		cur += 2;
		next = strstr(cur, delim);
		cr_assert_not_null(next, "unterminated part");
		cr_assert_lt(n, max);
		parts[n++] = strndup(cur, (size_t)(next - cur));
		cur = next + strlen(delim);
	}
	free(delim);
	free(ct);
	return n;
}

Test(mime_build, multipart_attachments_roundtrip)
{
	unsigned char pdf[3000];
	struct mime_attachment att[3];
	struct mime_message m;
	struct parsed p, part;
	struct buf msg, dec, whole;
	char *parts[8], *v, *want;
	unsigned char *bytes;
	size_t n, len, want_len;

	/* Every byte value, NULs included. */
	for (size_t i = 0; i < sizeof(pdf); i++)
		pdf[i] = (unsigned char)((i * 31 + i / 256) & 0xFF);
	att[0].filename = "informe \"final\".pdf";
	att[0].content_type = "application/pdf";
	att[0].data = pdf;
	att[0].len = sizeof(pdf);
	att[1].filename = "Acta de sesión — año 2017.txt";
	att[1].content_type = "text/plain; charset=UTF-8";
	att[1].data = "Acción\n";
	att[1].len = strlen("Acción\n");
	att[2].filename = "vacío.bin";
	att[2].content_type = "application/octet-stream";
	att[2].data = NULL;
	att[2].len = 0;

	message_init(&m);
	m.attachments = att;
	m.n_attachments = 3;
	buf_init(&msg);
	cr_assert(mime_build(&m, &msg, NULL));
	parse_message(&msg, &p);
	assert_header(p.headers, "MIME-Version", "1.0");
	assert_header_decodes(p.headers, "Subject", m.subject);
	n = split_parts(&p, parts, 8);
	cr_assert_eq(n, 4);

	/* Part 1: the text, quoted-printable. */
	buf_init(&whole);
	buf_append(&whole, parts[0], strlen(parts[0]));
	parse_message(&whole, &part);
	assert_header(part.headers, "Content-Type",
	    "text/plain; charset=UTF-8");
	assert_header(part.headers, "Content-Transfer-Encoding",
	    "quoted-printable");
	buf_init(&dec);
	qp_decode(part.body, part.body_len, &dec);
	want = canonical_crlf(m.text, strlen(m.text), &want_len);
	cr_assert_eq(dec.len, want_len);
	cr_assert_eq(memcmp(dec.data, want, want_len), 0);
	free(want);
	buf_cleanup(&dec);
	free(part.headers);

	/* Part 2: the PDF, ASCII name quoted, bytes intact. */
	buf_reset(&whole);
	buf_append(&whole, parts[1], strlen(parts[1]));
	parse_message(&whole, &part);
	assert_header(part.headers, "Content-Type",
	    "application/pdf; name=\"informe \\\"final\\\".pdf\"");
	assert_header(part.headers, "Content-Disposition",
	    "attachment; filename=\"informe \\\"final\\\".pdf\"");
	assert_header(part.headers, "Content-Transfer-Encoding", "base64");
	assert_crlf_lines(part.body, part.body_len, 76);
	bytes = b64_decode(part.body, &len);
	cr_assert_eq(len, sizeof(pdf));
	cr_assert_eq(memcmp(bytes, pdf, len), 0);
	free(bytes);
	free(part.headers);

	/* Part 3: a non-ASCII name in RFC 2231 form. */
	buf_reset(&whole);
	buf_append(&whole, parts[2], strlen(parts[2]));
	parse_message(&whole, &part);
	assert_header(part.headers, "Content-Type",
	    "text/plain; charset=UTF-8; name*=UTF-8''"
	    "Acta%20de%20sesi%C3%B3n%20%E2%80%94%20a%C3%B1o%202017.txt");
	assert_header(part.headers, "Content-Disposition",
	    "attachment; filename*=UTF-8''"
	    "Acta%20de%20sesi%C3%B3n%20%E2%80%94%20a%C3%B1o%202017.txt");
	bytes = b64_decode(part.body, &len);
	cr_assert_eq(len, strlen("Acción\n"));
	cr_assert_eq(memcmp(bytes, "Acción\n", len), 0);
	free(bytes);
	free(part.headers);

	/* Part 4: empty. */
	buf_reset(&whole);
	buf_append(&whole, parts[3], strlen(parts[3]));
	parse_message(&whole, &part);
	v = header_value(part.headers, "Content-Disposition");
	cr_assert_str_eq(v, "attachment; filename*=UTF-8''vac%C3%ADo.bin");
	free(v);
	bytes = b64_decode(part.body, &len);
	cr_assert_eq(len, 0);
	free(bytes);
	free(part.headers);

	for (size_t i = 0; i < n; i++)
		free(parts[i]);
	buf_cleanup(&whole);
	free(p.headers);
	buf_cleanup(&msg);
}

Test(mime_build, boundaries_differ)
{
	struct mime_attachment att = { "a.txt", "text/plain", "x", 1 };
	struct mime_message m;
	struct buf a, b;
	char *ca, *cb;

	message_init(&m);
	m.attachments = &att;
	m.n_attachments = 1;
	buf_init(&a);
	buf_init(&b);
	cr_assert(mime_build(&m, &a, NULL));
	cr_assert(mime_build(&m, &b, NULL));
	ca = strstr(a.data, "boundary=");
	cb = strstr(b.data, "boundary=");
	cr_assert_not_null(ca);
	cr_assert_not_null(cb);
	cr_assert_neq(strncmp(ca, cb, 40), 0);
	buf_cleanup(&a);
	buf_cleanup(&b);
}

/* mime_build refuses m and leaves out exactly as it was. */
static void
assert_refused(const struct mime_message *m, const char *code)
{
	struct buf out;
	struct error err;

	buf_init(&out);
	buf_puts(&out, "previo");
	error_clear(&err);
	cr_assert_not(mime_build(m, &out, &err), "accepted");
	cr_assert_eq(err.status, 422);
	cr_assert_str_eq(err.code, code);
	cr_assert_neq(err.message[0], '\0');
	cr_assert_eq(out.len, 6);
	cr_assert_str_eq(out.data, "previo");
	buf_cleanup(&out);
}

Test(mime_build, refuses_smtp_injection_in_to)
{
	struct mime_message m;
	struct buf out;
	struct error err;

	message_init(&m);
	m.to_addr = "maria@example.org\r\nRCPT TO:<x@y>";
	assert_refused(&m, "email_invalido");

	buf_init(&out);
	cr_assert_not(mime_build(&m, &out, &err));
	cr_assert_eq(out.len, 0);
	cr_assert(strstr(err.message, "«destinatario»") != NULL, "%s",
	    err.message);
	buf_cleanup(&out);
}

Test(mime_build, refuses_bad_addresses)
{
	struct mime_message m;

	message_init(&m);
	m.from_addr = "pal@example.org\nBcc: x@y.org";
	assert_refused(&m, "email_invalido");
	message_init(&m);
	m.to_addr = NULL;
	assert_refused(&m, "email_invalido");
	message_init(&m);
	m.to_addr = "Maria <maria@example.org>";
	assert_refused(&m, "email_invalido");
}

Test(mime_build, refuses_bad_header_values)
{
	struct mime_message m;
	char subject[1000], name[202];

	message_init(&m);
	m.subject = "Hola\r\nBcc: x@y.org";
	assert_refused(&m, "texto_invalido");
	message_init(&m);
	m.to_name = "María\nBcc: x@y.org";
	assert_refused(&m, "texto_invalido");
	message_init(&m);
	m.from_name = "PAL\r";
	assert_refused(&m, "texto_invalido");
	message_init(&m);
	m.subject = "acci\xF3n";		/* Latin-1, not UTF-8 */
	assert_refused(&m, "texto_invalido");
	message_init(&m);
	m.message_id = "<a@b>\r\nBcc: x@y.org";
	assert_refused(&m, "texto_invalido");
	message_init(&m);
	m.message_id = "sin-angulos@example.org";
	assert_refused(&m, "texto_invalido");
	message_init(&m);
	m.text = "cuerpo \xC3";
	assert_refused(&m, "texto_invalido");

	/* Subject: 998 bytes pass, 999 do not. */
	memset(subject, 's', 999);
	subject[998] = '\0';
	message_init(&m);
	m.subject = subject;
	{
		struct buf out;

		buf_init(&out);
		cr_assert(mime_build(&m, &out, NULL));
		buf_cleanup(&out);
	}
	subject[998] = 's';
	subject[999] = '\0';
	assert_refused(&m, "texto_invalido");

	/* Names: 200 bytes pass, 201 do not. */
	memset(name, 'n', 201);
	name[200] = '\0';
	message_init(&m);
	m.to_name = name;
	{
		struct buf out;

		buf_init(&out);
		cr_assert(mime_build(&m, &out, NULL));
		buf_cleanup(&out);
	}
	name[200] = 'n';
	name[201] = '\0';
	assert_refused(&m, "texto_invalido");
}

Test(mime_build, refuses_bad_attachments)
{
	struct mime_attachment att = { "acta.pdf", "application/pdf", "x", 1 };
	struct mime_message m;
	static const char *const bad_types[] = {
		"application", "/pdf", "application/", "text/plain\r\nBcc: x",
		"text/plain;", "text/plain; charset", "text/plain; =x",
		"application/pdf; name=\"a\r\nb\"", "application/pdf; name=\"a",
		"text /plain", "text/pl ain", "tipo/ñ", "",
	};
	static const char *const good_types[] = {
		"application/pdf", "text/plain; charset=UTF-8",
		"text/calendar; method=REQUEST; charset=\"UTF-8\"",
		"application/vnd.openxmlformats-officedocument.spreadsheetml"
		".sheet", "application/x-foo;a=b;c=\"d \\\" e\"",
	};

	message_init(&m);
	m.attachments = &att;
	m.n_attachments = 1;
	for (size_t i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]);
	    i++) {
		att.content_type = bad_types[i];
		assert_refused(&m, "texto_invalido");
	}
	att.content_type = NULL;
	assert_refused(&m, "texto_invalido");
	for (size_t i = 0; i < sizeof(good_types) / sizeof(good_types[0]);
	    i++) {
		struct buf out;
		struct error err;

		att.content_type = good_types[i];
		buf_init(&out);
		cr_assert(mime_build(&m, &out, &err), "%s: %s",
		    good_types[i], err.message);
		buf_cleanup(&out);
	}

	att.content_type = "application/pdf";
	att.filename = "acta\r\n.pdf";
	assert_refused(&m, "texto_invalido");
	att.filename = "";
	assert_refused(&m, "texto_invalido");
	att.filename = NULL;
	assert_refused(&m, "texto_invalido");
	att.filename = "factura\xE2\x80\xAE" "fdp.exe";
	assert_refused(&m, "texto_invalido");
}
