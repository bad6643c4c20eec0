/*
 * Validation of what people type and what ends up in mail headers or SQL:
 * email addresses, single-line texts, UTF-8. Every failure fills err with
 * status 422, a stable code and a Spanish message naming the field.
 */
#ifndef PAL_VALIDATE_H
#define PAL_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define VALIDATE_EMAIL_MAX	254

/* True if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool	validate_utf8(const char *s, size_t len);

/*
 * An addr-spec as RFC 5321 accepts it for delivery: dot-atom local part,
 * a domain of dot-separated LDH labels (or a single label such as
 * "localhost"), at most 254 bytes, no spaces, no CR/LF or other control
 * characters. Code "email_invalido".
 */
bool	validate_email(const char *addr, const char *field, struct error *err);

/*
 * A one-line human text (a name, a title, a subject): valid UTF-8, no
 * control characters (CR and LF included), not empty unless allow_empty,
 * at most max_bytes bytes. Code "texto_invalido" naming field.
 */
bool	validate_line(const char *s, const char *field, size_t max_bytes,
	    bool allow_empty, struct error *err);

#endif
