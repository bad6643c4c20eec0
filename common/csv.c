/*
 * One CSV field at a time, as RFC 4180 writes it: a field holding a
 * comma, a quote or a line break is quoted, its quotes doubled, and rows
 * end in CRLF. It does not read CSV, and it does not check that the text
 * is UTF-8: the database already holds only valid text.
 */
#include "csv.h"

#include <string.h>

void
csv_field(struct buf *out, const char *s, bool last)
{
	bool quote;

	if (s == NULL)
		s = "";
	quote = strpbrk(s, ",\"\r\n") != NULL;
	/* RFC 4180 only takes a quote that opens the field as quoting. */
	if (quote)
		buf_putc(out, '"');
	/*
	 * A spreadsheet runs a cell that starts like a formula; published
	 * open data must not, so such text gets a leading apostrophe,
	 * inside the quotes.
	 */
	if (*s != '\0' && strchr("=+-@\t\r", *s) != NULL)
		buf_putc(out, '\'');
	if (quote) {
		for (; *s; s++) {
			if (*s == '"')
				buf_putc(out, '"');
			buf_putc(out, *s);
		}
		buf_putc(out, '"');
	} else {
		buf_puts(out, s);
	}
	buf_puts(out, last ? "\r\n" : ",");
}
