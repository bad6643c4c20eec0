/*
 * pald as an operator meets it: command-line modes, configuration errors
 * that name the file and line, migrations applied once even when two
 * daemons start together, and SIGHUP reloading only a valid file.
 */
#include <criterion/criterion.h>

#include <signal.h>
#include <string.h>

#include "harness.h"

static struct h_db db;

static void
setup(void)
{
	h_db_create(&db);
}

static void
teardown(void)
{
	h_db_drop(&db);
}

TestSuite(daemon, .init = setup, .fini = teardown);

static const char *
pald_bin(void)
{
	return h_strf("%s/pald", getenv("PALD_TEST_BUILD"));
}

Test(daemon, version_and_help)
{
	struct h_run run = h_cmd(pald_bin(), "--version");

	cr_assert_eq(run.status, 0);
	cr_assert(strncmp(run.out, "pald ", 5) == 0, "%s", run.out);
	h_run_free(&run);
	run = h_cmd(pald_bin(), "--help");
	cr_assert_eq(run.status, 0);
	cr_assert(strstr(run.out, "--create-admin") != NULL);
	h_run_free(&run);
	run = h_cmd(pald_bin(), "--no-such-flag");
	cr_assert_neq(run.status, 0);
	h_run_free(&run);
}

Test(daemon, config_errors_name_file_and_line)
{
	const char *path = h_path("malo.conf");
	struct h_run run;

	h_write_file(path, "# ok\nlisten_port = 8080\ndb_workers = 0\n", 40);
	run = h_cmd(pald_bin(), "-c", path, "--check-config");
	cr_assert_eq(run.status, 1, "%s", run.err);
	cr_assert(strstr(run.err, h_strf("%s:3:", path)) != NULL, "%s",
	    run.err);
	cr_assert(strstr(run.err, "db_workers") != NULL, "%s", run.err);
	h_run_free(&run);

	h_write_file(path, "lisen_port = 1\n", 15);
	run = h_cmd(pald_bin(), "-c", path, "--check-config");
	cr_assert_eq(run.status, 1);
	cr_assert(strstr(run.err, h_strf("%s:1:", path)) != NULL, "%s",
	    run.err);
	cr_assert(strstr(run.err, "lisen_port") != NULL, "%s", run.err);
	h_run_free(&run);

	h_write_file(path, "listen_port = 0\n", 16);
	run = h_cmd(pald_bin(), "-c", path, "--check-config");
	cr_assert_eq(run.status, 0, "%s", run.err);
	h_run_free(&run);
}

Test(daemon, migrations_once_even_with_two_daemons_starting)
{
	struct h_pald a, b;

	h_pald_spawn(&a, &db, NULL, NULL);
	h_pald_spawn(&b, &db, NULL, NULL);
	cr_assert(h_pald_wait_ready(&a, H_START_TIMEOUT_MS));
	cr_assert(h_pald_wait_ready(&b, H_START_TIMEOUT_MS));
	cr_assert_eq(h_db_query_int(&db,
	    "SELECT count(*) FROM schema_migrations"),
	    h_db_query_int(&db, "SELECT count(DISTINCT nombre)"
	    " FROM schema_migrations"));
	cr_assert_geq(h_db_query_int(&db,
	    "SELECT count(*) FROM schema_migrations"), 1);
	/* The domain schema is there. */
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM"
	    " information_schema.tables WHERE table_name IN ('mesas',"
	    " 'actores', 'materiales', 'acuses', 'compromisos',"
	    " 'actividades', 'eventos', 'outbox', 'usuarios', 'tokens')"),
	    10);
	h_pald_stop(&a);
	h_pald_stop(&b);
}

Test(daemon, sighup_reloads_valid_file_and_keeps_old_on_error)
{
	struct h_pald p;
	struct h_http r;
	char *log;
	char *conf;
	size_t len;

	h_pald_start(&p, &db, NULL, "log_level = info\n");
	conf = h_read_file(p.conf_path, &len);

	/* An invalid file: refused, pald keeps serving. */
	h_write_file(p.conf_path, "log_level = ruidoso\n", 20);
	h_pald_signal(&p, SIGHUP);
	h_sleep_ms(300);
	r = h_api(&p, "GET", "/healthz", NULL, NULL);
	cr_assert_eq(r.status, 200);
	h_http_free(&r);
	log = h_pald_log(&p);
	cr_assert(strstr(log, "reload refused") != NULL, "%s", log);
	cr_assert(strstr(log, h_strf("%s:1:", p.conf_path)) != NULL);
	free(log);

	/* A valid one (later lines win): debug lines start to appear. */
	{
		const char *c2 = h_strf("%slog_level = debug\n", conf);

		h_write_file(p.conf_path, c2, strlen(c2));
	}
	free(conf);
	h_pald_signal(&p, SIGHUP);
	h_sleep_ms(300);
	log = h_pald_log(&p);
	cr_assert(strstr(log, "configuration reloaded") != NULL, "%s", log);
	free(log);
	r = h_api(&p, "GET", "/healthz", NULL, NULL);
	h_http_free(&r);
	h_sleep_ms(100);
	log = h_pald_log(&p);
	cr_assert(strstr(log, " DEBUG ") != NULL, "no debug line after reload");
	free(log);
	h_pald_stop(&p);
}

Test(daemon, sigterm_exits_zero_and_logs_stop)
{
	struct h_pald p;
	char *log;

	h_pald_start(&p, &db, NULL, NULL);
	h_pald_stop(&p);
	cr_assert_eq(p.exit_status, 0);
	log = h_read_file(p.log_path, NULL);
	cr_assert(strstr(log, "pald stopped") != NULL);
	cr_assert(strstr(log, " ready on ") != NULL);
	free(log);
}
