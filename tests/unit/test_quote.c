/*
 * Unit tests for the two quoting helpers the server writes text through:
 * common/buf.c's buf_put_json_str (JSON strings of the answers and of the
 * reminder events) and server/db.c's db_array_str (elements of the array
 * literals that batch rows into one statement).
 */
#include "buf.h"

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "db.h"

static void
check_json(const char *s, const char *want)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "x");
	buf_put_json_str(&b, s);
	/* It appends, and only the string. */
	cr_assert_eq(b.data[0], 'x');
	cr_assert_str_eq(b.data + 1, want, "«%s»", s != NULL ? s : "NULL");
	cr_assert_eq(b.len, strlen(b.data));
	buf_cleanup(&b);
}

static void
check_array(const char *s, const char *want)
{
	struct buf b;

	buf_init(&b);
	buf_putc(&b, '{');
	db_array_str(&b, s);
	cr_assert_eq(b.data[0], '{');
	cr_assert_str_eq(b.data + 1, want, "«%s»", s != NULL ? s : "NULL");
	cr_assert_eq(b.len, strlen(b.data));
	buf_cleanup(&b);
}

Test(quote, json_plain_and_empty)
{
	check_json("Publicar contratos", "\"Publicar contratos\"");
	check_json("", "\"\"");
	check_json(NULL, "null");
}

Test(quote, json_quotes_and_backslashes)
{
	check_json("a\"b", "\"a\\\"b\"");
	check_json("\\", "\"\\\\\"");
	check_json("\"\\\"", "\"\\\"\\\\\\\"\"");
	check_json("C:\\dir\\\"x\"", "\"C:\\\\dir\\\\\\\"x\\\"\"");
}

Test(quote, json_control_characters)
{
	check_json("a\nb\rc\td\be\ff", "\"a\\nb\\rc\\td\\be\\ff\"");
	check_json("\x01", "\"\\u0001\"");
	check_json("x\x1fy", "\"x\\u001fy\"");
	check_json("\x0b\x1b", "\"\\u000b\\u001b\"");
}

Test(quote, json_leaves_the_rest_alone)
{
	/* DEL, '/', ' ' and multibyte UTF-8 are copied as they are. */
	check_json("\x7f", "\"\x7f\"");
	check_json("a/b </script>", "\"a/b </script>\"");
	check_json("Año — señal ✓ 😀", "\"Año — señal ✓ 😀\"");
}

/* Every byte from 1 to 0x7f, read back by jansson, is what went in. */
Test(quote, json_round_trips_through_jansson)
{
	char in[128], *dumped;
	struct buf b;
	json_t *v;

	for (int i = 1; i < 128; i++)
		in[i - 1] = (char)i;
	in[127] = '\0';
	buf_init(&b);
	buf_put_json_str(&b, in);
	v = json_loads(b.data, JSON_DECODE_ANY, NULL);
	cr_assert_not_null(v, "%s", b.data);
	cr_assert_str_eq(json_string_value(v), in);
	/* And jansson writes the same, but for its upper-case \u hex. */
	dumped = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	for (char *c = strstr(dumped, "\\u00"); c != NULL;
	    c = strstr(c + 1, "\\u00"))
		for (int k = 4; k < 6; k++)
			if (c[k] >= 'A' && c[k] <= 'F')
				c[k] = (char)(c[k] - 'A' + 'a');
	cr_assert_str_eq(b.data, dumped);
	free(dumped);
	json_decref(v);
	buf_cleanup(&b);
}

Test(quote, array_plain_null_and_empty)
{
	check_array("abc", "\"abc\"");
	check_array("", "\"\"");
	check_array(NULL, "NULL");
	/* The word NULL as text stays a quoted string. */
	check_array("NULL", "\"NULL\"");
}

Test(quote, array_quotes_and_backslashes)
{
	check_array("a\"b", "\"a\\\"b\"");
	check_array("a\\b", "\"a\\\\b\"");
	check_array("\"\\", "\"\\\"\\\\\"");
	check_array("{\"x\":\"a\\\\b\"}", "\"{\\\"x\\\":\\\"a\\\\\\\\b\\\"}\"");
}

Test(quote, array_leaves_the_rest_alone)
{
	/* Inside quotes commas, braces, blanks and newlines need nothing. */
	check_array("a,b {c} d\ne\tf", "\"a,b {c} d\ne\tf\"");
	check_array("Año — señal ✓", "\"Año — señal ✓\"");
}
