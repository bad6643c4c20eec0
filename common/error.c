/*
 * Filling struct error. Messages are truncated to fit, never allocated, so
 * an error path cannot itself fail.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

void
error_sanitize_utf8(char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 :
		    (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;

		if (len == 0 || i + len > n || !validate_utf8(s + i, len)) {
			s[i++] = '?';
			continue;
		}
		i += len;
	}
}

void
error_set(struct error *err, int status, const char *code, const char *fmt,
    ...)
{
	va_list ap;

	if (err == NULL)
		return;
	err->status = status;
	snprintf(err->code, sizeof(err->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	error_sanitize_utf8(err->message);
}

void
error_clear(struct error *err)
{
	if (err == NULL)
		return;
	err->status = 0;
	err->code[0] = '\0';
	err->message[0] = '\0';
}

bool
error_is_set(const struct error *err)
{
	return err != NULL && err->code[0] != '\0';
}
