/*
 * Unit tests for common/validate.c: UTF-8 well-formedness at every
 * boundary of RFC 3629 table 3-7, addr-specs (shape, lengths, injection)
 * and one-line texts (accents welcome, controls and bad UTF-8 refused).
 */
#include "validate.h"

#include <string.h>

#include <criterion/criterion.h>

static bool
utf8(const char *s)
{
	return validate_utf8(s, strlen(s));
}

Test(validate_utf8, accepts_well_formed)
{
	cr_assert(utf8(""));
	cr_assert(utf8("Plan de Acción Local"));
	cr_assert(utf8("¿Qué año? Ñandú, pingüino"));
	cr_assert(utf8("\xE2\x82\xAC"));		/* U+20AC */
	cr_assert(utf8("\xF0\x9F\x98\x80"));		/* U+1F600 */
	cr_assert(utf8("\xC2\x80"));			/* U+0080 */
	cr_assert(utf8("\xDF\xBF"));			/* U+07FF */
	cr_assert(utf8("\xE0\xA0\x80"));		/* U+0800 */
	cr_assert(utf8("\xED\x9F\xBF"));		/* U+D7FF */
	cr_assert(utf8("\xEE\x80\x80"));		/* U+E000 */
	cr_assert(utf8("\xEF\xBF\xBF"));		/* U+FFFF */
	cr_assert(utf8("\xF0\x90\x80\x80"));		/* U+10000 */
	cr_assert(utf8("\xF4\x8F\xBF\xBF"));		/* U+10FFFF */
	/* The length is what counts, not a NUL. */
	cr_assert(validate_utf8("a\0b", 3));
}

Test(validate_utf8, refuses_overlongs)
{
	cr_assert_not(utf8("\xC0\xAF"));		/* '/' in 2 bytes */
	cr_assert_not(utf8("\xC1\xBF"));
	cr_assert_not(utf8("\xE0\x80\xAF"));		/* '/' in 3 bytes */
	cr_assert_not(utf8("\xE0\x9F\xBF"));		/* U+07FF in 3 */
	cr_assert_not(utf8("\xF0\x80\x80\xAF"));	/* '/' in 4 bytes */
	cr_assert_not(utf8("\xF0\x8F\xBF\xBF"));	/* U+FFFF in 4 */
	cr_assert_not(utf8("\xC0\x80"));		/* modified UTF-8 NUL */
}

Test(validate_utf8, refuses_surrogates_and_out_of_range)
{
	cr_assert_not(utf8("\xED\xA0\x80"));		/* U+D800 */
	cr_assert_not(utf8("\xED\xBF\xBF"));		/* U+DFFF */
	cr_assert_not(utf8("\xED\xA0\xBD\xED\xB8\x80"));	/* CESU pair */
	cr_assert_not(utf8("\xF4\x90\x80\x80"));	/* U+110000 */
	cr_assert_not(utf8("\xF5\x80\x80\x80"));
	cr_assert_not(utf8("\xF8\x88\x80\x80\x80"));
	cr_assert_not(utf8("\xFE"));
	cr_assert_not(utf8("\xFF"));
}

Test(validate_utf8, refuses_truncated_and_stray)
{
	cr_assert_not(utf8("\xC3"));
	cr_assert_not(utf8("acci\xC3"));
	cr_assert_not(utf8("\xE2\x82"));
	cr_assert_not(utf8("\xF0\x9F\x98"));
	cr_assert_not(utf8("\x80"));			/* lone continuation */
	cr_assert_not(utf8("a\xBF" "b"));
	cr_assert_not(utf8("\xC3(")); 			/* bad continuation */
	cr_assert_not(utf8("\xE2\x28\xA1"));
	/* A sequence cut by the length is truncated even if bytes follow. */
	cr_assert_not(validate_utf8("\xC3\xB1", 1));
	cr_assert(validate_utf8("\xC3\xB1", 2));
}

static void
assert_email_ok(const char *addr)
{
	struct error err;

	error_clear(&err);
	cr_assert(validate_email(addr, "email", &err), "refused: %s", addr);
	cr_assert_not(error_is_set(&err));
}

static void
assert_email_bad(const char *addr)
{
	struct error err;

	error_clear(&err);
	cr_assert_not(validate_email(addr, "email", &err), "accepted: %s",
	    addr != NULL ? addr : "(null)");
	cr_assert_eq(err.status, 422);
	cr_assert_str_eq(err.code, "email_invalido");
	cr_assert(strstr(err.message, "«email»") != NULL, "%s",
	    err.message);
}

Test(validate_email, accepts_addr_specs)
{
	assert_email_ok("ana@example.org");
	assert_email_ok("a@localhost");
	assert_email_ok("nombre.apellido+mesa7@sub.dominio.gob.mx");
	assert_email_ok("x_y-z@a-b.c0");
	assert_email_ok("o'higgins@example.cl");
	assert_email_ok("!#$%&'*+-/=?^_`{|}~@example.org");
	assert_email_ok("A@EXAMPLE.ORG");
	assert_email_ok("1@2.3");
}

Test(validate_email, message_names_the_field)
{
	struct error err;

	cr_assert_not(validate_email("sin-arroba", "email", &err));
	cr_assert_eq(err.status, 422);
	cr_assert_str_eq(err.code, "email_invalido");
	cr_assert_str_eq(err.message,
	    "El campo «email» no es una dirección de correo válida.");
	cr_assert_not(validate_email("x", "correo del responsable", &err));
	cr_assert(strstr(err.message, "«correo del responsable»") != NULL);
	/* err may be NULL. */
	cr_assert_not(validate_email("x", "email", NULL));
	cr_assert(validate_email("a@b.c", "email", NULL));
}

Test(validate_email, refuses_bad_shapes)
{
	assert_email_bad(NULL);
	assert_email_bad("");
	assert_email_bad("sin-arroba.org");
	assert_email_bad("a@@example.org");
	assert_email_bad("a@b@example.org");
	assert_email_bad("@example.org");
	assert_email_bad("ana@");
	assert_email_bad(".ana@example.org");
	assert_email_bad("ana.@example.org");
	assert_email_bad("a..b@example.org");
	assert_email_bad("ana@.example.org");
	assert_email_bad("ana@example.org.");
	assert_email_bad("ana@example..org");
	assert_email_bad("ana@-example.org");
	assert_email_bad("ana@example-.org");
	assert_email_bad("ana@exa_mple.org");
	/* No quoted local parts, no address literals. */
	assert_email_bad("\"ana\"@example.org");
	assert_email_bad("ana@[127.0.0.1]");
	assert_email_bad("Ana <ana@example.org>");
	assert_email_bad("ana(c)@example.org");
	assert_email_bad("josé@example.org");		/* raw UTF-8 */
	assert_email_bad("ana@méxico.mx");
}

Test(validate_email, refuses_spaces_and_controls)
{
	assert_email_bad("ana @example.org");
	assert_email_bad("ana@ example.org");
	assert_email_bad(" ana@example.org");
	assert_email_bad("ana@example.org ");
	assert_email_bad("ana@exa mple.org");
	assert_email_bad("ana\t@example.org");
	assert_email_bad("ana@example.org\r\nRCPT TO:<x@y>");
	assert_email_bad("ana@example.org\nBcc: x@y.org");
	assert_email_bad("ana@example.org\r");
	assert_email_bad("ana\r\n@example.org");
	assert_email_bad("ana\x7f@example.org");
	assert_email_bad("ana\x01@example.org");
}

/* local@domain with the local part and the domain of the given lengths. */
static char *
make_addr(char *out, size_t local_len, size_t domain_len)
{
	size_t i, n = 0, label = 0;

	for (i = 0; i < local_len; i++)
		out[n++] = 'l';
	out[n++] = '@';
	/* Labels of 63, the longest allowed, never ending with a dot. */
	for (i = 0; i < domain_len; i++) {
		if (label == 63 && i + 1 < domain_len) {
			out[n++] = '.';
			label = 0;
			continue;
		}
		out[n++] = 'd';
		label++;
	}
	out[n] = '\0';
	return out;
}

Test(validate_email, length_boundaries)
{
	char addr[600];

	/* 254 bytes in all is the limit (RFC 5321 path minus brackets). */
	make_addr(addr, 64, 189);
	cr_assert_eq(strlen(addr), 254);
	assert_email_ok(addr);
	make_addr(addr, 64, 190);
	cr_assert_eq(strlen(addr), 255);
	assert_email_bad(addr);
	make_addr(addr, 64, 400);
	assert_email_bad(addr);

	/* A local part of 64 bytes, not 65. */
	make_addr(addr, 64, 11);
	assert_email_ok(addr);
	make_addr(addr, 65, 11);
	assert_email_bad(addr);

	/* A label of 63 bytes, not 64. */
	strcpy(addr, "a@");
	memset(addr + 2, 'd', 63);
	strcpy(addr + 65, ".mx");
	assert_email_ok(addr);
	strcpy(addr, "a@");
	memset(addr + 2, 'd', 64);
	strcpy(addr + 66, ".mx");
	assert_email_bad(addr);
}

Test(validate_email, too_long_message)
{
	struct error err;
	char addr[600];

	make_addr(addr, 64, 300);
	cr_assert_not(validate_email(addr, "email", &err));
	cr_assert_str_eq(err.code, "email_invalido");
	cr_assert(strstr(err.message, "254") != NULL, "%s", err.message);
}

static void
assert_line_ok(const char *s, size_t max, bool allow_empty)
{
	struct error err;

	error_clear(&err);
	cr_assert(validate_line(s, "nombre", max, allow_empty, &err),
	    "refused: %s (%s)", s != NULL ? s : "(null)", err.message);
}

static void
assert_line_bad(const char *s, size_t max, bool allow_empty)
{
	struct error err;

	error_clear(&err);
	cr_assert_not(validate_line(s, "nombre", max, allow_empty, &err),
	    "accepted: %s", s != NULL ? s : "(null)");
	cr_assert_eq(err.status, 422);
	cr_assert_str_eq(err.code, "texto_invalido");
	cr_assert(strstr(err.message, "«nombre»") != NULL, "%s",
	    err.message);
}

Test(validate_line, accepts_spanish_text)
{
	assert_line_ok("José Pérez Núñez", 200, false);
	assert_line_ok("Plan de Acción Local", 200, false);
	assert_line_ok("¿Qué opina la ciudadanía? ¡Mucho!", 200, false);
	assert_line_ok("Pingüino, Ñuñoa, Óscar, Úrsula", 200, false);
	assert_line_ok("Comisión de Transparencia — 2017 «PAL» 😀", 200,
	    false);
	assert_line_ok("  espacios  internos  ", 200, false);
	assert_line_ok("\"comillas\" y \\barras\\ <y> ángulos", 200, false);
}

Test(validate_line, empty)
{
	struct error err;

	assert_line_ok("", 10, true);
	assert_line_ok(NULL, 10, true);
	assert_line_bad("", 10, false);
	assert_line_bad(NULL, 10, false);
	cr_assert_not(validate_line("", "título", 10, false, &err));
	cr_assert_str_eq(err.message,
	    "El campo «título» no puede estar vacío.");
}

Test(validate_line, max_bytes_counts_bytes)
{
	struct error err;

	assert_line_ok("abc", 3, false);
	assert_line_bad("abcd", 3, false);
	/* "ñ" is two bytes. */
	assert_line_ok("ñ", 2, false);
	assert_line_bad("ñ", 1, false);
	cr_assert_not(validate_line("abcd", "asunto", 3, false, &err));
	cr_assert(strstr(err.message, "«asunto»") != NULL);
	cr_assert(strstr(err.message, "3") != NULL);
}

Test(validate_line, refuses_controls)
{
	assert_line_bad("uno\ndos", 200, false);
	assert_line_bad("uno\r\ndos", 200, false);
	assert_line_bad("uno\rdos", 200, false);
	assert_line_bad("Asunto\r\nBcc: x@y.org", 200, false);
	assert_line_bad("tab\there", 200, false);
	assert_line_bad("\x01", 200, false);
	assert_line_bad("\x1b[31mrojo", 200, false);
	assert_line_bad("del\x7f", 200, false);
	assert_line_bad("nel\xC2\x85", 200, false);	/* U+0085, C1 */
	assert_line_bad("\xC2\x9F", 200, false);	/* U+009F */
	assert_line_bad("ls\xE2\x80\xA8" "x", 200, false);	/* U+2028 */
	assert_line_bad("ps\xE2\x80\xA9" "x", 200, false);	/* U+2029 */
	/* Right-to-left override: "factura<RLO>fdp.exe". */
	assert_line_bad("factura\xE2\x80\xAE" "fdp.exe", 200, false);
	assert_line_bad("\xE2\x81\xA6" "x", 200, false);	/* U+2066 */
	/* Neighbours of the refused ranges stay allowed. */
	assert_line_ok("\xC2\xA0" "nbsp", 200, false);	/* U+00A0 */
	assert_line_ok("\xE2\x80\xA7", 200, false);	/* U+2027 */
	assert_line_ok("\xE2\x80\xAF", 200, false);	/* U+202F */
	assert_line_ok("~", 200, false);
}

Test(validate_line, refuses_invalid_utf8)
{
	struct error err;

	assert_line_bad("acci\xC3", 200, false);	/* truncated */
	assert_line_bad("acci\xC3n", 200, false);
	assert_line_bad("\xC0\xAF", 200, false);	/* overlong */
	assert_line_bad("\xE0\x80\xAF", 200, false);
	assert_line_bad("\xED\xA0\x80", 200, false);	/* surrogate */
	assert_line_bad("Latin-1 acci\xF3n", 200, false);
	assert_line_bad("\xFF\xFE", 200, false);
	cr_assert_not(validate_line("\xC3", "nombre", 200, false, &err));
	cr_assert_str_eq(err.message,
	    "El campo «nombre» no es texto UTF-8 válido.");
}
