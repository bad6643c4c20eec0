/*
 * Users through the real client: an admin creates a facilitator, the
 * facilitator logs in with the token printed once, `pal estado` shows who
 * they are, and bad input is refused with a clear error and no row.
 */
#include <criterion/criterion.h>

#include <string.h>
#include <sys/stat.h>

#include "harness.h"

static struct h_db db;
static struct h_pald pald;
static char admin[80];

static void
setup(void)
{
	h_db_create(&db);
	h_pald_start(&pald, &db, NULL, NULL);
	h_pald_admin_token(&pald, admin, sizeof(admin));
}

static void
teardown(void)
{
	h_pald_stop(&pald);
	h_db_drop(&db);
}

TestSuite(usuarios, .init = setup, .fini = teardown);

/* The 64-hex token in pal's output, copied to out. */
static bool
find_token(const char *text, char out[65])
{
	for (const char *p = text; *p; p++) {
		size_t n = strspn(p, "0123456789abcdef");

		if (n == 64) {
			memcpy(out, p, 64);
			out[64] = '\0';
			return true;
		}
		if (n > 0)
			p += n - 1;
	}
	return false;
}

Test(usuarios, create_login_and_estado)
{
	struct h_run run;
	char tok[65];
	struct stat st;

	run = h_pal(&pald, admin, "usuario", "crear", "--nombre",
	    "María José Núñez", "--email", "mjn@ejemplo.mx", "--rol",
	    "facilitador");
	cr_assert_eq(run.status, 0, "%s%s", run.out, run.err);
	cr_assert(find_token(run.out, tok), "no token in: %s", run.out);
	cr_assert(strstr(run.out, "María José Núñez") != NULL, "%s", run.out);
	h_run_free(&run);

	/* Stored as a hash only. */
	cr_assert_eq(h_db_query_int(&db,
	    "SELECT count(*) FROM tokens t JOIN usuarios u"
	    " ON u.id = t.usuario_id WHERE u.email = 'mjn@ejemplo.mx'"), 1);
	cr_assert_eq(h_db_query_int(&db,
	    "SELECT count(*) FROM tokens WHERE hash = $1", tok), 0);

	run = h_pal(NULL, NULL, "login", pald.url, tok);
	cr_assert_eq(run.status, 0, "%s%s", run.out, run.err);
	cr_assert(strstr(run.out, "María José Núñez") != NULL, "%s", run.out);
	h_run_free(&run);
	cr_assert_eq(stat(h_path("home/.config/pal/config"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);

	/* No --url, no --token: the saved configuration is used. */
	run = h_pal(NULL, NULL, "estado");
	cr_assert_eq(run.status, 0, "%s%s", run.out, run.err);
	cr_assert(strstr(run.out, "María José Núñez") != NULL, "%s", run.out);
	cr_assert(strstr(run.out, "facilitador") != NULL, "%s", run.out);
	h_run_free(&run);

	/* A facilitator is not an admin. */
	run = h_pal(NULL, NULL, "usuario", "listar");
	cr_assert_eq(run.status, 2, "%s%s", run.out, run.err);
	cr_assert(strstr(run.err, "prohibido") != NULL, "%s", run.err);
	h_run_free(&run);
}

Test(usuarios, listar_as_json_carries_ids)
{
	struct h_run run = h_pal(&pald, admin, "--json", "usuario", "listar");
	json_t *j, *u;

	cr_assert_eq(run.status, 0, "%s", run.err);
	j = json_loads(run.out, 0, NULL);
	cr_assert_not_null(j, "not JSON: %s", run.out);
	u = json_array_get(json_object_get(j, "usuarios"), 0);
	cr_assert(json_integer_value(json_object_get(u, "id")) > 0);
	cr_assert_str_eq(json_string_value(json_object_get(u, "rol")),
	    "admin");
	json_decref(j);
	h_run_free(&run);
}

Test(usuarios, bad_input_is_refused_and_nothing_stored)
{
	struct {
		const char *email, *rol, *code;
		int status;
	} cases[] = {
		{ "sin-arroba", "facilitador", "email_invalido", 2 },
		{ "a@b.mx\r\nBcc: x@y.mx", "facilitador", "email_invalido", 2 },
		{ "admin@ejemplo.mx", "facilitador", "email_duplicado", 2 },
		{ "ADMIN@EJEMPLO.MX", "garante", "email_duplicado", 2 },
		{ "ok@ejemplo.mx", "jefe", NULL, 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct h_run run = h_pal(&pald, admin, "usuario", "crear",
		    "--nombre", "Alguien", "--email", cases[i].email, "--rol",
		    cases[i].rol);

		cr_assert_eq(run.status, cases[i].status, "case %zu: %s%s", i,
		    run.out, run.err);
		if (cases[i].code != NULL)
			cr_assert(strstr(run.err, cases[i].code) != NULL,
			    "case %zu: %s", i, run.err);
		h_run_free(&run);
	}
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM usuarios"), 1);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM tokens"), 1);
}

Test(usuarios, unreachable_server_exits_3)
{
	struct h_run run = h_pal(NULL, admin, "--url", "http://127.0.0.1:1",
	    "estado");

	cr_assert_eq(run.status, 3, "%s%s", run.out, run.err);
	cr_assert(strstr(run.err, "127.0.0.1:1") != NULL, "%s", run.err);
	h_run_free(&run);
}
