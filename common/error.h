/*
 * The error value every layer fills: an HTTP status, a stable machine code
 * and a Spanish message for the person who reads it. Functions return bool
 * (or NULL) and fill an optional caller-provided struct error.
 */
#ifndef PAL_ERROR_H
#define PAL_ERROR_H

#include <stdbool.h>

struct error {
	int	status;		/* HTTP status to answer with, 0 if unset */
	char	code[48];	/* stable, e.g. "email_invalido" */
	char	message[512];	/* Spanish, one sentence */
};

/* err may be NULL, in which case nothing is recorded. */
void	error_set(struct error *err, int status, const char *code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	error_clear(struct error *err);
bool	error_is_set(const struct error *err);
/*
 * Makes s valid UTF-8 in place: a byte that does not start a complete,
 * valid sequence (a message cut inside a character, or quoting bad input)
 * becomes '?'. error_set applies it to every message.
 */
void	error_sanitize_utf8(char *s);

#endif
