/*
 * What every libFuzzer target of tests/fuzz shares: the entry point
 * libFuzzer calls, turning the raw input into C strings, and the check
 * that aborts (so libFuzzer saves the input) when an invariant breaks.
 */
#ifndef PAL_FUZZ_H
#define PAL_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called by libFuzzer once per input; data is borrowed for the call. */
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Prints "fuzz: file:line: what" and aborts: libFuzzer reports a crash
 * and writes the input to its artifact prefix.
 */
void	fuzz_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

#define FUZZ_ASSERT(cond, ...) do {					\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, __VA_ARGS__);		\
} while (0)

/*
 * Splits data at its NUL bytes into at most max fields, each an owned
 * NUL-terminated copy (free with fuzz_fields_free); fields past the end
 * of the input are NULL. Returns how many fields the input held.
 */
size_t	fuzz_fields(const uint8_t *data, size_t size, char **fields,
	    size_t max);
void	fuzz_fields_free(char **fields, size_t max);

/*
 * Decodes one UTF-8 sequence at s[0..len) into *cp and returns its
 * length, or 0 if it is not well-formed. Written apart from
 * common/validate.c (minimum code point per length instead of narrowed
 * second-byte ranges) so that it can serve as an oracle for it.
 */
size_t	fuzz_utf8_next(const unsigned char *s, size_t len, uint32_t *cp);
bool	fuzz_utf8_ok(const char *s, size_t len);

#endif
