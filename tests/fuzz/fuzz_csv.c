/*
 * Target "csv": the input's NUL-separated fields written as one row with
 * csv_field, then read back with an RFC 4180 reader written here. The
 * row must end in CRLF, read back as exactly as many fields, each equal
 * to its input, except that a field a spreadsheet would run as a formula
 * (starting with = + - @ TAB or CR) reads back with a leading apostrophe.
 *
 * It deliberately reads only what RFC 4180 allows: a quote inside an
 * unquoted field, or anything between a closing quote and the next
 * separator, is a failure.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"

#define FCSV_FIELDS	16

/* Reads one field at *p into out; returns the separator that ended it. */
static char
fcsv_read(const char **p, const char *end, struct buf *out)
{
	const char *s = *p;

	buf_reset(out);
	if (s < end && *s == '"') {
		for (s++;; s++) {
			FUZZ_ASSERT(s < end, "unterminated quoted field");
			if (*s == '"') {
				if (s + 1 < end && s[1] == '"') {
					buf_putc(out, '"');
					s++;
					continue;
				}
				s++;
				break;
			}
			buf_putc(out, *s);
		}
	} else {
		for (; s < end && *s != ',' && *s != '\r'; s++) {
			FUZZ_ASSERT(*s != '"' && *s != '\n',
			    "'%c' in an unquoted field", *s == '\n' ? 'n' : *s);
			buf_putc(out, *s);
		}
	}
	if (s < end && *s == ',') {
		*p = s + 1;
		return ',';
	}
	FUZZ_ASSERT(end - s == 2 && s[0] == '\r' && s[1] == '\n',
	    "field not followed by a comma or the final CRLF");
	*p = end;
	return '\n';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *f[FCSV_FIELDS];
	size_t n = fuzz_fields(data, size, f, FCSV_FIELDS);
	struct buf row, field, want;
	const char *p, *end;

	buf_init(&row);
	buf_init(&field);
	buf_init(&want);
	for (size_t i = 0; i < n; i++)
		csv_field(&row, f[i], i + 1 == n);
	p = row.data;
	end = row.data + row.len;
	for (size_t i = 0; i < n; i++) {
		char sep = fcsv_read(&p, end, &field);

		FUZZ_ASSERT(sep == (i + 1 == n ? '\n' : ','),
		    "field %zu of %zu ended the row early", i, n);
		buf_reset(&want);
		if (f[i][0] != '\0' && strchr("=+-@\t\r", f[i][0]) != NULL)
			buf_putc(&want, '\'');
		buf_puts(&want, f[i]);
		FUZZ_ASSERT(field.len == want.len &&
		    memcmp(field.data, want.data, want.len) == 0,
		    "field %zu reads \"%s\", not \"%s\"", i, field.data,
		    want.data);
	}
	FUZZ_ASSERT(p == end, "bytes after the row");
	buf_cleanup(&row);
	buf_cleanup(&field);
	buf_cleanup(&want);
	fuzz_fields_free(f, FCSV_FIELDS);
	return 0;
}
