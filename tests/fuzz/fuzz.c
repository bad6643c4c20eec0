/*
 * Helpers shared by the fuzz targets: splitting an input into fields, an
 * independent UTF-8 decoder used as an oracle, and the failure path.
 *
 * It deliberately holds no target logic and links nothing of pald's, so
 * that each target links only the code it exercises.
 */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

size_t
fuzz_fields(const uint8_t *data, size_t size, char **fields, size_t max)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i < max; i++)
		fields[i] = NULL;
	for (size_t i = 0; i <= size && n < max; i++) {
		if (i < size && data[i] != '\0')
			continue;
		fields[n] = malloc(i - start + 1);
		if (fields[n] == NULL)
			abort();
		memcpy(fields[n], data + start, i - start);
		fields[n][i - start] = '\0';
		n++;
		start = i + 1;
	}
	return n;
}

void
fuzz_fields_free(char **fields, size_t max)
{
	for (size_t i = 0; i < max; i++) {
		free(fields[i]);
		fields[i] = NULL;
	}
}

size_t
fuzz_utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t n;
	uint32_t v;

	if (len == 0)
		return 0;
	if ((s[0] & 0x80) == 0) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xE0) == 0xC0) {
		n = 2;
		v = s[0] & 0x1Fu;
	} else if ((s[0] & 0xF0) == 0xE0) {
		n = 3;
		v = s[0] & 0x0Fu;
	} else if ((s[0] & 0xF8) == 0xF0) {
		n = 4;
		v = s[0] & 0x07u;
	} else
		return 0;
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3Fu);
	}
	/* Overlong forms, surrogates and values past Unicode's end. */
	if (v < min_cp[n] || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
		return 0;
	*cp = v;
	return n;
}

bool
fuzz_utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	for (size_t i = 0; i < len; i += n)
		if ((n = fuzz_utf8_next(p + i, len - i, &cp)) == 0)
			return false;
	return true;
}
