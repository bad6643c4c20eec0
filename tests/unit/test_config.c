/*
 * The configuration table and parser: defaults, good files, file:line
 * errors for unknown keys and bad values, and the example file in deploy/
 * documenting exactly the keys of the table.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static char *
write_temp(const char *text)
{
	char *path = strdup("/tmp/pald-config-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

static bool
load_text(struct config *c, const char *text, struct error *err)
{
	char *path = write_temp(text);
	bool ok = config_load(c, path, err);

	unlink(path);
	free(path);
	return ok;
}

Test(config, defaults)
{
	struct config c;

	config_init(&c);
	cr_assert_str_eq(c.listen_address, "127.0.0.1");
	cr_assert_eq(c.listen_port, 8080);
	cr_assert_eq(c.db_workers, 4);
	cr_assert_str_eq(c.mail_from_name, "Plan de Acción Local");
	cr_assert_not(c.smtp_require_tls);
	config_cleanup(&c);
}

Test(config, good_file)
{
	struct config c;
	struct error err;

	config_init(&c);
	cr_assert(load_text(&c,
	    "# a comment\n"
	    "\n"
	    "listen_port = 0\n"
	    "  database =   host=/tmp dbname=x  \n"
	    "smtp_require_tls = yes\n"
	    "mail_from_name = \" Mesa de diálogo \"\n"
	    "log_level = DEBUG\n", &err), "%s", err.message);
	cr_assert_eq(c.listen_port, 0);
	cr_assert_str_eq(c.database, "host=/tmp dbname=x");
	cr_assert(c.smtp_require_tls);
	cr_assert_str_eq(c.mail_from_name, " Mesa de diálogo ");
	cr_assert_str_eq(c.log_level, "DEBUG");
	config_cleanup(&c);
}

Test(config, unknown_key_names_file_and_line)
{
	struct config c;
	struct error err;
	char *path = write_temp("listen_port = 1\n\nlisten_prot = 2\n");

	config_init(&c);
	cr_assert_not(config_load(&c, path, &err));
	cr_assert(strstr(err.message, path) == err.message, "%s",
	    err.message);
	cr_assert(strstr(err.message, ":3:") != NULL, "%s", err.message);
	cr_assert(strstr(err.message, "listen_prot") != NULL, "%s",
	    err.message);
	unlink(path);
	free(path);
	config_cleanup(&c);
}

Test(config, out_of_range_and_malformed)
{
	static const char *const bad[] = {
		"listen_port = 65536\n",
		"listen_port = -1\n",
		"db_workers = 0\n",
		"db_workers = 4x\n",
		"db_workers =\n",
		"smtp_require_tls = quizá\n",
		"log_level = loud\n",
		"just a line\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config c;
		struct error err;

		config_init(&c);
		cr_assert_not(load_text(&c, bad[i], &err), "accepted %s",
		    bad[i]);
		cr_assert(strstr(err.message, ":1:") != NULL, "%s",
		    err.message);
		config_cleanup(&c);
	}
}

Test(config, boundaries_accepted)
{
	struct config c;
	struct error err;

	config_init(&c);
	cr_assert(load_text(&c, "listen_port = 65535\ndb_workers = 1\n"
	    "mail_threads = 0\n", &err), "%s", err.message);
	cr_assert_eq(c.listen_port, 65535);
	cr_assert_eq(c.db_workers, 1);
	cr_assert_eq(c.mail_threads, 0);
	config_cleanup(&c);
}

Test(config, reload_copies_only_reloadable_keys)
{
	struct config live, fresh;

	config_init(&live);
	config_init(&fresh);
	cr_assert(config_set(&fresh, "log_level", "debug", NULL));
	cr_assert(config_set(&fresh, "mail_poll_ms", "50", NULL));
	cr_assert(config_set(&fresh, "listen_port", "9999", NULL));
	config_reload_into(&live, &fresh);
	cr_assert_str_eq(live.log_level, "debug");
	cr_assert_eq(live.mail_poll_ms, 50);
	cr_assert_eq(live.listen_port, 8080);
	config_cleanup(&live);
	config_cleanup(&fresh);
}

/* Every key of the table appears, set, in the example file, and no other. */
Test(config, example_file_matches_table)
{
	const char *name, *doc;
	char path[4096], line[4096];
	const char *src = getenv("PALD_TEST_SRC");
	struct config c;
	struct error err;
	FILE *f;
	int nkeys = 0, nset = 0;

	snprintf(path, sizeof(path), "%s/deploy/pald.conf.example",
	    src ? src : ".");
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	for (int i = 0; config_key_at(i, &name, &doc); i++) {
		bool found = false;

		nkeys++;
		rewind(f);
		while (fgets(line, sizeof(line), f) != NULL) {
			char *p = line;

			if (*p == '#')
				p++;
			while (*p == ' ')
				p++;
			if (strncmp(p, name, strlen(name)) == 0 &&
			    (p[strlen(name)] == ' ' || p[strlen(name)] == '='))
				found = true;
		}
		cr_assert(found, "key %s is not documented in %s", name,
		    path);
	}
	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] != '#' && strchr(line, '=') != NULL)
			nset++;
	fclose(f);
	cr_assert_leq(nset, nkeys);
	/* And the file as shipped must load without errors. */
	config_init(&c);
	cr_assert(config_load(&c, path, &err), "%s", err.message);
	config_cleanup(&c);
}
