/*
 * Filling struct error. Messages are truncated to fit, never allocated, so
 * an error path cannot itself fail.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
