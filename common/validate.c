/*
 * Validation of input that ends up in mail headers, SMTP envelopes or the
 * database: strict UTF-8, addr-specs and one-line texts. Each check is a
 * pure function that fills a struct error (422) on refusal.
 *
 * It deliberately does not normalise or trim anything, does not accept
 * quoted local parts, address literals or non-ASCII (unencoded IDN)
 * domains, and does not ask DNS whether a domain exists.
 */
#include "validate.h"

#include <stdint.h>
#include <string.h>

/* RFC 5321 section 4.5.3.1: the longest local part and domain label. */
#define VALIDATE_LOCAL_MAX	64
#define VALIDATE_LABEL_MAX	63

/*
 * Decodes the sequence at s[0..len) into *cp and returns its length, or 0
 * if it is not well-formed UTF-8 (RFC 3629 table 3-7: no overlongs, no
 * surrogates, nothing above U+10FFFF, no truncated sequence).
 */
static size_t
validate_utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;	/* overlong below U+0800 */
		else if (c == 0xED)
			hi = 0x9F;	/* surrogates U+D800..U+DFFF */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;	/* overlong below U+10000 */
		else if (c == 0xF4)
			hi = 0x8F;	/* above U+10FFFF */
	} else
		return 0;
	if (len < n)
		return 0;
	/* Only the second byte has a narrowed range; the rest are 80..BF. */
	if (s[1] < lo || s[1] > hi)
		return 0;
	v = (v << 6) | (s[1] & 0x3F);
	for (size_t i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	*cp = v;
	return n;
}

bool
validate_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = validate_utf8_next(p + i, len - i, &cp);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

/*
 * Characters a one-line text may not hold: C0 and C1 controls and DEL
 * (CR, LF and TAB among them), the Unicode line and paragraph separators,
 * which some readers render as line breaks, and the bidirectional
 * embedding, override and isolate controls, which can make a file name
 * such as "factura\u202Efdp.exe" display as something it is not.
 */
static bool
validate_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
	    cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/* RFC 5322 atext: what a dot-atom may hold besides the dots. */
static bool
validate_is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool
validate_is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* A dot-atom: atext runs separated by single dots, no dot at either end. */
static bool
validate_dot_atom(const char *s, size_t len)
{
	bool after_dot = true;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (after_dot)
				return false;
			after_dot = true;
		} else if (validate_is_atext((unsigned char)s[i]))
			after_dot = false;
		else
			return false;
	}
	return !after_dot;
}

/* Dot-separated LDH labels of 1 to 63 characters, no hyphen at an end. */
static bool
validate_domain(const char *s, size_t len)
{
	size_t start = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.') {
			if (!validate_is_ldh((unsigned char)s[i]))
				return false;
			continue;
		}
		/* A label ends at s[i]. */
		if (i == start || i - start > VALIDATE_LABEL_MAX)
			return false;
		if (s[start] == '-' || s[i - 1] == '-')
			return false;
		start = i + 1;
	}
	return true;
}

bool
validate_email(const char *addr, const char *field, struct error *err)
{
	const char *at;
	size_t len;

	if (field == NULL)
		field = "email";
	if (addr == NULL)
		goto bad;
	/* Bounded, so a huge string is refused without a full scan. */
	len = strnlen(addr, VALIDATE_EMAIL_MAX + 1);
	if (len > VALIDATE_EMAIL_MAX) {
		error_set(err, 422, "email_invalido",
		    "El campo «%s» no es una dirección de correo válida: "
		    "supera los %d bytes.", field, VALIDATE_EMAIL_MAX);
		return false;
	}
	/* atext has no '@', so a second one fails the local part check. */
	at = strchr(addr, '@');
	if (at == NULL)
		goto bad;
	if ((size_t)(at - addr) > VALIDATE_LOCAL_MAX ||
	    !validate_dot_atom(addr, (size_t)(at - addr)))
		goto bad;
	if (!validate_domain(at + 1, len - (size_t)(at - addr) - 1))
		goto bad;
	return true;

bad:
	error_set(err, 422, "email_invalido",
	    "El campo «%s» no es una dirección de correo válida.", field);
	return false;
}

bool
validate_line(const char *s, const char *field, size_t max_bytes,
    bool allow_empty, struct error *err)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i, n;
	uint32_t cp;

	if (field == NULL)
		field = "texto";
	len = s != NULL ? strlen(s) : 0;
	if (len == 0) {
		if (allow_empty)
			return true;
		error_set(err, 422, "texto_invalido",
		    "El campo «%s» no puede estar vacío.", field);
		return false;
	}
	if (len > max_bytes) {
		error_set(err, 422, "texto_invalido",
		    "El campo «%s» supera el máximo de %zu bytes.", field,
		    max_bytes);
		return false;
	}
	for (i = 0; i < len; i += n) {
		n = validate_utf8_next(p + i, len - i, &cp);
		if (n == 0) {
			error_set(err, 422, "texto_invalido",
			    "El campo «%s» no es texto UTF-8 válido.", field);
			return false;
		}
		if (validate_is_control(cp)) {
			error_set(err, 422, "texto_invalido",
			    "El campo «%s» no puede contener saltos de línea "
			    "ni caracteres de control.", field);
			return false;
		}
	}
	return true;
}
