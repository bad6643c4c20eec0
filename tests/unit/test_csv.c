/*
 * Unit tests for common/csv.c: RFC 4180 quoting, and text a spreadsheet
 * would run as a formula neutralised by an apostrophe that stays inside
 * the field's quotes (a quote that does not open a field is not quoting,
 * so an apostrophe before it would let a reader split the field).
 */
#include "csv.h"

#include <stdlib.h>

#include <criterion/criterion.h>

#include "buf.h"

/* One row of fields as csv_field writes them; owned by the caller. */
static char *
row(const char *const *fields, size_t n)
{
	struct buf b;

	buf_init(&b);
	for (size_t i = 0; i < n; i++)
		csv_field(&b, fields[i], i + 1 == n);
	return buf_steal(&b);
}

Test(csv, plain_and_empty_fields)
{
	const char *f[] = { "Oaxaca", NULL, "", "42" };
	char *r = row(f, 4);

	cr_assert_str_eq(r, "Oaxaca,,,42\r\n");
	free(r);
}

Test(csv, quotes_what_needs_quoting)
{
	const char *f[] = { "a,b", "dijo \"sí\"", "línea\nnueva", "x\r" };
	char *r = row(f, 4);

	cr_assert_str_eq(r, "\"a,b\",\"dijo \"\"sí\"\"\",\"línea\nnueva\","
	    "\"x\r\"\r\n");
	free(r);
}

Test(csv, formulas_get_an_apostrophe)
{
	const char *f[] = { "=SUMA(A1)", "+52 55", "-1", "@cmd", "\tx" };
	char *r = row(f, 5);

	cr_assert_str_eq(r, "'=SUMA(A1),'+52 55,'-1,'@cmd,'\tx\r\n");
	free(r);
}

Test(csv, apostrophe_goes_inside_the_quotes)
{
	const char *f[] = { "=HYPERLINK(\"http://x\",\"y\")", "-a,b" };
	char *r = row(f, 2);

	cr_assert_str_eq(r, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","
	    "\"'-a,b\"\r\n");
	free(r);
}
