/*
 * Unit tests for common/buf.c's buf_put_short: descriptions shortened for
 * digests and tooltips must stay valid UTF-8 and say when they were cut.
 */
#include "buf.h"

#include <criterion/criterion.h>

#include "validate.h"

static void
check_short(const char *s, size_t max, const char *want)
{
	struct buf b;

	buf_init(&b);
	buf_put_short(&b, s, max);
	cr_assert_str_eq(b.data, want, "«%s» cut to %zu", s, max);
	cr_assert(validate_utf8(b.data, b.len));
	buf_cleanup(&b);
}

Test(buf, short_text_is_kept_whole)
{
	check_short("Publicar contratos", 80, "Publicar contratos");
	check_short("", 5, "");
}

Test(buf, only_the_first_line)
{
	check_short("Primera\nsegunda", 80, "Primera…");
	check_short("Primera\r\nsegunda", 80, "Primera…");
}

Test(buf, cut_between_characters)
{
	/* "información": bytes 9 and 10 are "ó"; a cut at 10 would split it. */
	check_short("información pública", 10, "informaci…");
	check_short("información pública", 11, "informació…");
	check_short("ñ", 1, "…");
}
