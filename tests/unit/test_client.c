/*
 * Unit tests of pal, the client: where settings come from, the config
 * file and its mode, command-line parsing against the command table and
 * the checks a handler makes before any request, UTF-8 aware widths and
 * cuts in tables, server errors as printed, and the mapping from HTTP
 * status to exit code. Requests against a real pald
 * are integration tests; here only an unreachable port is contacted.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "api.h"
#include "buf.h"
#include "cmd.h"
#include "commands.h"
#include "output.h"
#include "settings.h"

static char test_home[64];

/* A private HOME and no PAL_* variables, for every test of this file. */
static void
client_setup(void)
{
	snprintf(test_home, sizeof(test_home), "/tmp/pal-test-XXXXXX");
	cr_assert_not_null(mkdtemp(test_home));
	setenv("HOME", test_home, 1);
	unsetenv("PAL_URL");
	unsetenv("PAL_TOKEN");
}

static void
client_teardown(void)
{
	char *cmd = NULL;

	/* Criterion forks per test; the directory is ours alone. */
	if (asprintf(&cmd, "rm -rf '%s'", test_home) > 0)
		(void)!system(cmd);
	free(cmd);
}

static void
write_config(const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/.config", test_home);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/.config/pal", test_home);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/.config/pal/config", test_home);
	cr_assert_not_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
	chmod(path, 0600);
}

TestSuite(client_settings, .init = client_setup, .fini = client_teardown);

Test(client_settings, default_url_and_no_token)
{
	struct settings s;
	struct error err;

	settings_init(&s);
	cr_assert(settings_load(&s, NULL, NULL, &err));
	cr_assert_str_eq(s.url, SETTINGS_DEFAULT_URL);
	cr_assert_null(s.token);
	settings_cleanup(&s);
}

Test(client_settings, file_then_env_then_flag)
{
	struct settings s;
	struct error err;

	write_config("# comentario\n\nurl = http://archivo:1/\n"
	    "token\t=  tok-archivo  \n");
	settings_init(&s);
	cr_assert(settings_load(&s, NULL, NULL, &err));
	cr_assert_str_eq(s.url, "http://archivo:1");
	cr_assert_str_eq(s.token, "tok-archivo");

	setenv("PAL_URL", "https://entorno:2", 1);
	setenv("PAL_TOKEN", "tok-entorno", 1);
	cr_assert(settings_load(&s, NULL, NULL, &err));
	cr_assert_str_eq(s.url, "https://entorno:2");
	cr_assert_str_eq(s.token, "tok-entorno");

	cr_assert(settings_load(&s, "http://bandera:3//", "tok-bandera",
	    &err));
	cr_assert_str_eq(s.url, "http://bandera:3");
	cr_assert_str_eq(s.token, "tok-bandera");

	/* Each setting resolves on its own. */
	unsetenv("PAL_TOKEN");
	cr_assert(settings_load(&s, "http://bandera:3", NULL, &err));
	cr_assert_str_eq(s.url, "http://bandera:3");
	cr_assert_str_eq(s.token, "tok-archivo");
	settings_cleanup(&s);
}

Test(client_settings, empty_env_is_unset)
{
	struct settings s;
	struct error err;

	write_config("url = http://archivo:1\n");
	setenv("PAL_URL", "", 1);
	setenv("PAL_TOKEN", "", 1);
	settings_init(&s);
	cr_assert(settings_load(&s, NULL, NULL, &err));
	cr_assert_str_eq(s.url, "http://archivo:1");
	cr_assert_null(s.token);
	settings_cleanup(&s);
}

Test(client_settings, bad_file_lines_name_the_line)
{
	struct settings s;
	struct error err;

	write_config("url = http://x\nservidor = y\n");
	settings_init(&s);
	error_clear(&err);
	cr_assert_not(settings_load(&s, NULL, NULL, &err));
	cr_assert(strstr(err.message, "config:2:") != NULL, "%s",
	    err.message);
	cr_assert(strstr(err.message, "servidor") != NULL);

	write_config("url http://x\n");
	cr_assert_not(settings_load(&s, NULL, NULL, &err));
	cr_assert(strstr(err.message, "config:1:") != NULL, "%s",
	    err.message);

	write_config("token =\n");
	cr_assert_not(settings_load(&s, NULL, NULL, &err));
	settings_cleanup(&s);
}

Test(client_settings, rejects_bad_url_and_token)
{
	struct settings s;
	struct error err;

	settings_init(&s);
	cr_assert_not(settings_load(&s, "ftp://x", NULL, &err));
	cr_assert(strstr(err.message, "http://") != NULL);
	cr_assert_not(settings_load(&s, "http://", NULL, &err));
	cr_assert_not(settings_load(&s, "http://a b", NULL, &err));
	cr_assert_not(settings_load(&s, NULL, "abc\r\nX-Otro: 1", &err));
	cr_assert_not(settings_load(&s, NULL, "con espacio", &err));
	cr_assert(settings_load(&s, "HTTPS://Servidor", "abc", &err));
	settings_cleanup(&s);
}

Test(client_settings, write_is_private_and_reads_back)
{
	char path[128];
	struct stat st;
	struct error err;
	char *url, *token;
	DIR *d;
	struct dirent *de;
	int entries = 0;

	error_clear(&err);
	cr_assert(settings_write_file("http://srv:8080", "tok1", &err), "%s",
	    err.message);
	/* A second login replaces the file and keeps it private. */
	cr_assert(settings_write_file("http://srv:9090", "tok2", &err), "%s",
	    err.message);

	snprintf(path, sizeof(path), "%s/.config/pal", test_home);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/.config/pal/config", test_home);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0600, "mode %o", st.st_mode & 07777);

	cr_assert(settings_read_file(path, &url, &token, &err));
	cr_assert_str_eq(url, "http://srv:9090");
	cr_assert_str_eq(token, "tok2");
	free(url);
	free(token);

	/* No temporary file is left behind. */
	snprintf(path, sizeof(path), "%s/.config/pal", test_home);
	cr_assert_not_null(d = opendir(path));
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' || strlen(de->d_name) > 2)
			entries++;
	closedir(d);
	cr_assert_eq(entries, 1);
}

Test(client_settings, missing_file_is_no_error)
{
	struct error err;
	char *url, *token;

	cr_assert(settings_read_file("/nonexistent/pal/config", &url, &token,
	    &err));
	cr_assert_null(url);
	cr_assert_null(token);
}

/* Command-line parsing. */

static bool
parse(const char *noun, const char *verb, struct commands_args *a,
    struct error *err, int argc, ...)
{
	const struct commands_entry *e = commands_find(noun, verb);
	static char *argv[32];
	va_list ap;

	cr_assert_not_null(e, "no command %s %s", noun, verb);
	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	error_clear(err);
	return commands_parse(e, argc, argv, a, err);
}

Test(client_parse, long_options_both_forms)
{
	struct commands_args a;
	struct error err;

	cr_assert(parse("usuario", "crear", &a, &err, 5, "--nombre", "Lía",
	    "--email=lia@x.mx", "--rol", "admin"), "%s", err.message);
	cr_assert_str_eq(commands_opt(&a, "nombre"), "Lía");
	cr_assert_str_eq(commands_opt(&a, "email"), "lia@x.mx");
	cr_assert_str_eq(commands_opt(&a, "rol"), "admin");
	cr_assert_null(commands_opt(&a, "entidad"));
	cr_assert_eq(a.nargs, 0);

	/* A value may contain '=' and may start with '-'. */
	cr_assert(parse("usuario", "crear", &a, &err, 4, "--nombre=a=b",
	    "--email", "-x@y", "--rol=garante"), "%s", err.message);
	cr_assert_str_eq(commands_opt(&a, "nombre"), "a=b");
	cr_assert_str_eq(commands_opt(&a, "email"), "-x@y");
}

Test(client_parse, positionals_around_options)
{
	struct commands_args a;
	struct error err;

	cr_assert(parse("correo", "probar", &a, &err, 3, "--adjunto",
	    "f.pdf", "ana@x.mx"), "%s", err.message);
	cr_assert_eq(a.nargs, 1);
	cr_assert_str_eq(a.args[0], "ana@x.mx");
	cr_assert_str_eq(commands_opt(&a, "adjunto"), "f.pdf");

	/* After "--" everything is an argument. */
	cr_assert(parse("correo", "probar", &a, &err, 2, "--", "--raro"));
	cr_assert_str_eq(a.args[0], "--raro");
}

Test(client_parse, errors)
{
	struct commands_args a;
	struct error err;

	cr_assert_not(parse("usuario", "listar", &a, &err, 1, "--bogus"));
	cr_assert_str_eq(err.message, "opción desconocida: --bogus");
	cr_assert_not(parse("usuario", "listar", &a, &err, 1, "-q"));
	cr_assert_not(parse("correo", "listar", &a, &err, 1, "--limite"));
	cr_assert_str_eq(err.message, "falta el valor de --limite");
	cr_assert_not(parse("correo", "listar", &a, &err, 1, "--limite="));
	cr_assert(strstr(err.message, "vacío") != NULL);
	cr_assert_not(parse("correo", "listar", &a, &err, 4, "--limite", "1",
	    "--limite", "2"));
	cr_assert(strstr(err.message, "más de una vez") != NULL);
	cr_assert_not(parse("usuario", "crear", &a, &err, 4, "--nombre", "x",
	    "--rol", "admin"));
	cr_assert_str_eq(err.message, "falta la opción --email");
	cr_assert_not(parse("correo", "probar", &a, &err, 0));
	cr_assert_str_eq(err.message, "faltan argumentos");
	cr_assert_not(parse("correo", "probar", &a, &err, 2, "a@x", "b@x"));
	cr_assert(strstr(err.message, "sobra") != NULL);
	cr_assert_not(parse("usuario", "listar", &a, &err, 1, "--json"));
	cr_assert(strstr(err.message, "opción global") != NULL);
	cr_assert_not(parse("correo", "probar", &a, &err, 1, "a\xff"));
	cr_assert(strstr(err.message, "UTF-8") != NULL);
}

/* The table keeps its usage texts in step with its options. */
Test(client_parse, table_is_consistent)
{
	for (const struct commands_entry *e = commands_table; e->noun; e++) {
		cr_assert_not_null(e->handler);
		cr_assert_not_null(e->usage);
		cr_assert(e->summary != NULL && *e->summary != '\0');
		cr_assert(e->min_args <= e->max_args);
		cr_assert(e->max_args <= COMMANDS_MAX_ARGS);
		cr_assert_eq(commands_find(e->noun, e->verb), e,
		    "duplicate %s %s", e->noun, e->verb ? e->verb : "");
		for (int i = 0; i < COMMANDS_MAX_OPTIONS && e->options[i].name;
		    i++) {
			const struct commands_option *o = &e->options[i];
			char flag[64];
			const char *at;
			bool optional;

			/* "-o ARCHIVO" may stand for "--salida ARCHIVO". */
			snprintf(flag, sizeof(flag), "--%s", o->name);
			if (strstr(e->usage, flag) == NULL &&
			    o->short_name != '\0')
				snprintf(flag, sizeof(flag), "-%c ",
				    o->short_name);
			at = strstr(e->usage, flag);
			cr_assert_not_null(at, "%s %s: usage lacks %s", e->noun,
			    e->verb, flag);
			/*
			 * Required options are not shown in brackets, nor
			 * as an alternative "(X | --opción)".
			 */
			optional = at > e->usage && (at[-1] == '[' ||
			    (at > e->usage + 1 && at[-1] == ' ' &&
			    at[-2] == '|'));
			cr_assert_eq(optional, !o->required, "%s %s: %s",
			    e->noun, e->verb, flag);
			cr_assert_eq(o->kind == COMMANDS_CHOICE,
			    o->choices != NULL, "%s %s: %s", e->noun, e->verb,
			    flag);
			cr_assert(o->has_value || o->kind == COMMANDS_TEXT);
		}
		/* Typed positional arguments are named in the usage. */
		for (size_t k = 0; k < e->max_args; k++) {
			const struct commands_positional *p =
			    &e->positional[k];

			cr_assert(p->kind != COMMANDS_CHOICE);
			if (p->name != NULL)
				cr_assert_not_null(strstr(e->usage, p->name),
				    "%s %s: usage lacks %s", e->noun, e->verb,
				    p->name);
		}
	}
}

Test(client_parse, ids_are_positive_integers)
{
	struct commands_args a;
	struct error err;

	cr_assert(parse("mesa", "ver", &a, &err, 1, "12"), "%s", err.message);
	cr_assert_str_eq(a.args[0], "12");
	cr_assert(parse("actor", "revocar-enlaces", &a, &err, 2, "1", "3"),
	    "%s", err.message);

	cr_assert_not(parse("mesa", "ver", &a, &err, 1, "abc"));
	cr_assert_str_eq(err.message,
	    "MESA debe ser un número entero positivo, no «abc»");
	cr_assert_not(parse("mesa", "ver", &a, &err, 1, "0"));
	cr_assert_not(parse("mesa", "ver", &a, &err, 1, "+3"));
	cr_assert_not(parse("mesa", "ver", &a, &err, 1, " 3"));
	cr_assert_not(parse("mesa", "ver", &a, &err, 1, "3.0"));
	cr_assert_not(parse("mesa", "ver", &a, &err, 1, ""));
	cr_assert_not(parse("mesa", "ver", &a, &err, 1,
	    "99999999999999999999"));
	/* "-3" looks like an option and is refused as one. */
	cr_assert_not(parse("mesa", "ver", &a, &err, 1, "-3"));
	cr_assert_not(parse("actor", "revocar-enlaces", &a, &err, 2, "1",
	    "x"));
	cr_assert_str_eq(err.message,
	    "ACTOR debe ser un número entero positivo, no «x»");
	cr_assert_not(parse("material", "descargar", &a, &err, 2, "1",
	    "dos"));
	cr_assert(strncmp(err.message, "MATERIAL ", 9) == 0, "%s",
	    err.message);

	/* Ids given as options too. */
	cr_assert_not(parse("acuse", "registrar", &a, &err, 7, "1",
	    "--actor", "3", "--material", "cinco", "--medio", "oficio"));
	cr_assert_str_eq(err.message,
	    "--material debe ser un número entero positivo, no «cinco»");
	cr_assert_not(parse("correo", "listar", &a, &err, 2, "--limite",
	    "0"));
	cr_assert(parse("correo", "listar", &a, &err, 2, "--limite", "50"));
}

Test(client_parse, choices_are_checked)
{
	struct commands_args a;
	struct error err;

	cr_assert(parse("actor", "agregar", &a, &err, 7, "1", "--nombre",
	    "Ana", "--email", "ana@x.mx", "--sector", "sociedad_civil"), "%s",
	    err.message);
	cr_assert_not(parse("actor", "agregar", &a, &err, 7, "1", "--nombre",
	    "Ana", "--email", "ana@x.mx", "--sector", "gobierno"));
	cr_assert_str_eq(err.message, "--sector debe ser sociedad_civil, "
	    "institucion_publica, organismo_garante o stl, no «gobierno»");
	cr_assert_not(parse("mesa", "listar", &a, &err, 2, "--fase",
	    "preparación"));
	cr_assert(strstr(err.message, "--fase debe ser preparacion, ") ==
	    err.message, "%s", err.message);
	cr_assert(parse("mesa", "listar", &a, &err, 2, "--fase", "en_sesion"));
	cr_assert_not(parse("material", "agregar", &a, &err, 8, "1",
	    "--actor", "2", "--tipo", "diagnostico", "--titulo", "T", "f.pdf"));
	cr_assert(strstr(err.message, "--tipo debe ser problematicas,") ==
	    err.message, "%s", err.message);
	cr_assert_not(parse("aportacion", "agregar", &a, &err, 6, "1",
	    "--actor", "2", "--tipo", "pregunta", "¿Cuándo?"));
	cr_assert_str_eq(err.message, "--tipo debe ser duda, aportacion o "
	    "retroalimentacion, no «pregunta»");
	cr_assert(parse("aportacion", "agregar", &a, &err, 6, "1", "--actor",
	    "2", "--tipo", "retroalimentacion", "¿Cuándo?"), "%s",
	    err.message);
	cr_assert_str_eq(a.args[1], "¿Cuándo?");
	cr_assert_not(parse("usuario", "crear", &a, &err, 6, "--nombre", "n",
	    "--email", "e@x", "--rol", "jefe"));
	cr_assert_str_eq(err.message,
	    "--rol debe ser facilitador, garante o admin, no «jefe»");
}

Test(client_parse, date_and_time_shapes)
{
	static const char *const good_dates[] = { "2026-12-07", "2027-01-31",
	    "2024-02-29" };
	/* Dates that do not exist are refused before any request. */
	static const char *const bad_dates[] = { "1999-02-29", "2026-02-30",
	    "2026-04-31", "2026-12-7", "07/12/2026",
	    "2026-13-01", "2026-00-10", "2026-12-32", "2026-12-00",
	    "2026-12-07T10:00", "20261207", "2026-1a-01", "hoy" };
	static const char *const good_times[] = { "00:00", "09:30", "23:59" };
	static const char *const bad_times[] = { "9:30", "24:00", "12:60",
	    "12-30", "12:30:00", "mediodía" };
	struct commands_args a;
	struct error err;

	for (size_t i = 0; i < sizeof(good_dates) / sizeof(good_dates[0]);
	    i++)
		cr_assert(parse("mesa", "programar", &a, &err, 7, "1",
		    "--fecha", good_dates[i], "--hora", "10:00", "--lugar",
		    "Sala 2"), "%s: %s", good_dates[i], err.message);
	for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++)
		cr_assert_not(parse("mesa", "programar", &a, &err, 7, "1",
		    "--fecha", bad_dates[i], "--hora", "10:00", "--lugar",
		    "Sala 2"), "%s", bad_dates[i]);
	cr_assert_str_eq(err.message,
	    "--fecha debe ser una fecha AAAA-MM-DD, no «hoy»");
	for (size_t i = 0; i < sizeof(good_times) / sizeof(good_times[0]);
	    i++)
		cr_assert(parse("mesa", "programar", &a, &err, 7, "1",
		    "--fecha", "2026-12-07", "--hora", good_times[i],
		    "--lugar", "Sala 2"), "%s: %s", good_times[i],
		    err.message);
	for (size_t i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++)
		cr_assert_not(parse("mesa", "programar", &a, &err, 7, "1",
		    "--fecha", "2026-12-07", "--hora", bad_times[i],
		    "--lugar", "Sala 2"), "%s", bad_times[i]);
	cr_assert(strstr(err.message, "--hora debe ser una hora HH:MM") ==
	    err.message, "%s", err.message);

	/* The optional dates of materials and acuses too. */
	cr_assert_not(parse("acuse", "registrar", &a, &err, 9, "1", "--actor",
	    "3", "--material", "5", "--medio", "oficio", "--fecha",
	    "1/12/2026"));
	cr_assert_not(parse("material", "agregar", &a, &err, 10, "1",
	    "--actor", "2", "--tipo", "otro", "--titulo", "T", "--fecha",
	    "2026-2-1", "f.pdf"));
}

Test(client_parse, asistentes_list)
{
	static const char *const bad[] = { "3,,4", "a,b", "3,", ",3", "3 4",
	    "3;4", "0", "3,-4", "3,4,3" };
	struct commands_args a;
	struct error err;

	cr_assert(parse("sesion", "abrir", &a, &err, 3, "1", "--asistentes",
	    "3,4,5"), "%s", err.message);
	cr_assert_str_eq(commands_opt(&a, "asistentes"), "3,4,5");
	cr_assert(parse("sesion", "abrir", &a, &err, 3, "1", "--asistentes",
	    "7"), "%s", err.message);
	cr_assert(parse("sesion", "abrir", &a, &err, 2, "1",
	    "--asistentes=12,3"), "%s", err.message);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(parse("sesion", "abrir", &a, &err, 3, "1",
		    "--asistentes", bad[i]), "%s", bad[i]);
	cr_assert_str_eq(err.message, "--asistentes repite el número 3");
	cr_assert_not(parse("sesion", "abrir", &a, &err, 3, "1",
	    "--asistentes", "a,b"));
	cr_assert_str_eq(err.message, "--asistentes debe ser una lista de "
	    "números enteros positivos separados por comas (como 3,4,5), no "
	    "«a,b»");
	cr_assert_not(parse("sesion", "abrir", &a, &err, 3, "1",
	    "--asistentes", ""));
	cr_assert(strstr(err.message, "vacío") != NULL, "%s", err.message);
	cr_assert_not(parse("sesion", "abrir", &a, &err, 1, "1"));
	cr_assert_str_eq(err.message, "falta la opción --asistentes");
}

/* What sesion abrir sends for the list commands_parse accepted. */
Test(client_parse, asistentes_as_sent)
{
	json_t *ids = cmd_numbers("3,45,6");
	json_t *one = cmd_numbers("12");
	char *text = json_dumps(ids, JSON_COMPACT);

	cr_assert_str_eq(text, "[3,45,6]");
	free(text);
	text = json_dumps(one, JSON_COMPACT);
	cr_assert_str_eq(text, "[12]");
	free(text);
	json_decref(one);
	json_decref(ids);
}

Test(client_parse, short_option_of_descargar)
{
	struct commands_args a;
	struct error err;

	cr_assert(parse("material", "descargar", &a, &err, 4, "1", "5", "-o",
	    "acta.pdf"), "%s", err.message);
	cr_assert_str_eq(commands_opt(&a, "salida"), "acta.pdf");
	cr_assert(parse("material", "descargar", &a, &err, 3, "1", "5",
	    "--salida=x.pdf"), "%s", err.message);
	cr_assert(parse("material", "descargar", &a, &err, 2, "1", "5"));
	cr_assert_null(commands_opt(&a, "salida"));
}

Test(client_parse, compromisos)
{
	struct commands_args a;
	struct error err;

	cr_assert(parse("compromiso", "agregar", &a, &err, 9, "1", "--titulo",
	    "Contratos abiertos", "--tipo", "contrataciones_abiertas",
	    "--inicio", "2026-12-01", "--meta", "100 %"), "%s", err.message);
	cr_assert_str_eq(commands_opt(&a, "tipo"), "contrataciones_abiertas");
	cr_assert_str_eq(commands_opt(&a, "meta"), "100 %");
	cr_assert_null(commands_opt(&a, "alineacion"));
	/* plan_nacional without --alineacion parses: the handler refuses. */
	cr_assert(parse("compromiso", "agregar", &a, &err, 7, "1", "--titulo",
	    "T", "--tipo", "plan_nacional", "--inicio", "2026-12-01"), "%s",
	    err.message);

	cr_assert_not(parse("compromiso", "agregar", &a, &err, 7, "1",
	    "--titulo", "T", "--tipo", "nacional", "--inicio", "2026-12-01"));
	cr_assert_str_eq(err.message, "--tipo debe ser "
	    "contrataciones_abiertas, plan_nacional o local, no «nacional»");
	cr_assert_not(parse("compromiso", "agregar", &a, &err, 7, "1",
	    "--titulo", "T", "--tipo", "local", "--inicio", "1/12/2026"));
	cr_assert_str_eq(err.message,
	    "--inicio debe ser una fecha AAAA-MM-DD, no «1/12/2026»");
	cr_assert_not(parse("compromiso", "agregar", &a, &err, 5, "1",
	    "--titulo", "T", "--tipo", "local"));
	cr_assert_str_eq(err.message, "falta la opción --inicio");
	cr_assert_not(parse("compromiso", "agregar", &a, &err, 7, "uno",
	    "--titulo", "T", "--tipo", "local", "--inicio", "2026-12-01"));
	cr_assert(strncmp(err.message, "MESA ", 5) == 0, "%s", err.message);

	/* editar: every field optional, each still checked. */
	cr_assert(parse("compromiso", "editar", &a, &err, 2, "1", "4"), "%s",
	    err.message);
	cr_assert(parse("compromiso", "editar", &a, &err, 4, "1", "4",
	    "--alineacion", "Compromiso 12"), "%s", err.message);
	cr_assert_not(parse("compromiso", "editar", &a, &err, 1, "1"));
	cr_assert_str_eq(err.message, "faltan argumentos");
	cr_assert_not(parse("compromiso", "editar", &a, &err, 2, "1", "c4"));
	cr_assert_str_eq(err.message,
	    "COMPROMISO debe ser un número entero positivo, no «c4»");
	cr_assert_not(parse("compromiso", "editar", &a, &err, 4, "1", "4",
	    "--tipo", "Local"));
	cr_assert_not(parse("compromiso", "editar", &a, &err, 4, "1", "4",
	    "--inicio", "2026-13-01"));
	cr_assert_not(parse("compromiso", "listar", &a, &err, 1, "0"));
}

Test(client_parse, actividades_y_criterios)
{
	static const char *const bad_dates[] = { "2027-3-31", "31/03/2027",
	    "2027-03-32", "mañana" };
	struct commands_args a;
	struct error err;

	cr_assert(parse("actividad", "agregar", &a, &err, 11, "4",
	    "--descripcion", "Inventario", "--responsable", "Ana Ruiz",
	    "--email", "ana@x.mx", "--fecha", "2027-03-31", "--cargo",
	    "Directora"), "%s", err.message);
	cr_assert_str_eq(a.args[0], "4");
	cr_assert_str_eq(commands_opt(&a, "responsable"), "Ana Ruiz");
	cr_assert_null(commands_opt(&a, "entregable"));
	for (size_t i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++)
		cr_assert_not(parse("actividad", "agregar", &a, &err, 9, "4",
		    "--descripcion", "D", "--responsable", "N", "--email",
		    "e@x", "--fecha", bad_dates[i]), "%s", bad_dates[i]);
	cr_assert_str_eq(err.message,
	    "--fecha debe ser una fecha AAAA-MM-DD, no «mañana»");
	cr_assert_not(parse("actividad", "agregar", &a, &err, 7, "4",
	    "--descripcion", "D", "--responsable", "N", "--fecha",
	    "2027-03-31"));
	cr_assert_str_eq(err.message, "falta la opción --email");
	cr_assert_not(parse("actividad", "agregar", &a, &err, 9, "x",
	    "--descripcion", "D", "--responsable", "N", "--email", "e@x",
	    "--fecha", "2027-03-31"));
	cr_assert(strncmp(err.message, "COMPROMISO ", 11) == 0, "%s",
	    err.message);

	cr_assert(parse("criterio", "atestiguar", &a, &err, 7, "4",
	    "--criterio", "alto_impacto", "--quien", "Ana", "--justificacion",
	    "Cambia el gasto"), "%s", err.message);
	cr_assert_not(parse("criterio", "atestiguar", &a, &err, 7, "4",
	    "--criterio", "específico", "--quien", "Ana", "--justificacion",
	    "J"));
	cr_assert_str_eq(err.message, "--criterio debe ser medible, "
	    "especifico, replicable, sostenible o alto_impacto, no "
	    "«específico»");
	cr_assert_not(parse("criterio", "atestiguar", &a, &err, 5, "4",
	    "--criterio", "medible", "--quien", "Ana"));
	cr_assert_str_eq(err.message, "falta la opción --justificacion");
}

Test(client_parse, pal_y_conformidad)
{
	static const char *const bad_versions[] = { "0", "v2", "-1", "1.0",
	    "2,3" };
	struct commands_args a;
	struct error err;

	cr_assert(parse("pal", "validar", &a, &err, 1, "1"), "%s",
	    err.message);
	cr_assert_not(parse("pal", "cerrar", &a, &err, 2, "1", "2"));
	cr_assert(parse("pal", "pdf", &a, &err, 5, "1", "-o", "-",
	    "--version", "2"), "%s", err.message);
	cr_assert_str_eq(commands_opt(&a, "salida"), "-");
	cr_assert_str_eq(commands_opt(&a, "version"), "2");
	cr_assert(parse("pal", "pdf", &a, &err, 1, "1"), "%s", err.message);
	cr_assert_null(commands_opt(&a, "version"));

	cr_assert(parse("pal", "datos", &a, &err, 3, "1", "--formato",
	    "csv"), "%s", err.message);
	cr_assert(parse("pal", "datos", &a, &err, 3, "1", "-o",
	    "datos.json"), "%s", err.message);
	cr_assert_not(parse("pal", "datos", &a, &err, 3, "1", "--formato",
	    "xlsx"));
	cr_assert_str_eq(err.message,
	    "--formato debe ser json o csv, no «xlsx»");
	cr_assert_not(parse("pal", "datos", &a, &err, 3, "1", "--formato",
	    "CSV"));

	cr_assert(parse("pal", "evidencia", &a, &err, 4, "1", "--version",
	    "2", "acta.pdf"), "%s", err.message);
	cr_assert_str_eq(a.args[1], "acta.pdf");
	cr_assert_not(parse("pal", "evidencia", &a, &err, 2, "1",
	    "acta.pdf"));
	cr_assert_str_eq(err.message, "falta la opción --version");
	cr_assert_not(parse("pal", "evidencia", &a, &err, 3, "1",
	    "--version", "2"));
	cr_assert_str_eq(err.message, "faltan argumentos");

	cr_assert(parse("conformidad", "registrar", &a, &err, 7, "1",
	    "--actor", "4", "--version", "2", "--medio", "en sesión"), "%s",
	    err.message);
	cr_assert_not(parse("conformidad", "registrar", &a, &err, 1, "1"));
	cr_assert_str_eq(err.message, "falta la opción --actor");
	for (size_t i = 0; i < sizeof(bad_versions) / sizeof(bad_versions[0]);
	    i++) {
		cr_assert_not(parse("conformidad", "registrar", &a, &err, 5,
		    "1", "--actor", "4", "--version", bad_versions[i]), "%s",
		    bad_versions[i]);
		cr_assert_not(parse("pal", "pdf", &a, &err, 3, "1",
		    "--version", bad_versions[i]), "%s", bad_versions[i]);
		cr_assert_not(parse("pal", "evidencia", &a, &err, 4, "1",
		    "--version", bad_versions[i], "acta.pdf"), "%s",
		    bad_versions[i]);
	}
	cr_assert_not(parse("conformidad", "registrar", &a, &err, 5, "1",
	    "--actor", "4", "--version", "v2"));
	cr_assert_str_eq(err.message,
	    "--version debe ser un número entero positivo, no «v2»");
}

Test(client_main, usage_errors_exit_1, .init = client_setup,
    .fini = client_teardown)
{
	char *unknown[] = { "pal", "usuario", "crear", "--bogus", "x", NULL };
	char *noverb[] = { "pal", "usuario", NULL };
	char *badverb[] = { "pal", "usuario", "borrar", NULL };
	char *noun[] = { "pal", "nada", NULL };
	char *global[] = { "pal", "--url", NULL };
	char *notoken[] = { "pal", "usuario", "listar", NULL };
	char *rol[] = { "pal", "--token", "t", "usuario", "crear", "--nombre",
	    "n", "--email", "e@x", "--rol", "jefe", NULL };

	cr_redirect_stderr();
	cr_assert_eq(commands_main(4, unknown), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(2, noverb), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(3, badverb), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(2, noun), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(2, global), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(3, notoken), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(11, rol), PAL_EXIT_USAGE);
}

/*
 * Checks that need the whole command line run before any request: a
 * request would go to a closed port and exit 3, so exit 1 shows that pal
 * stopped first.
 */
Test(client_main, local_checks_before_any_request, .init = client_setup,
    .fini = client_teardown)
{
	char file[128];
	char *both[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "material", "agregar", "1", "--actor", "2", "--tipo", "otro",
	    "--titulo", "T", "--texto", "hola", file, NULL };
	char *neither[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "material", "agregar", "1", "--actor", "2", "--tipo", "otro",
	    "--titulo", "T", NULL };
	char *texto[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "material", "agregar", "1", "--actor", "2", "--tipo", "otro",
	    "--titulo", "T", "--texto", "hola", NULL };
	char *archivo[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "material", "agregar", "1", "--actor", "2", "--tipo", "otro",
	    "--titulo", "T", file, NULL };
	char *missing[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "material", "agregar", "1", "--actor", "2", "--tipo", "otro",
	    "--titulo", "T", "/nonexistent/f.pdf", NULL };
	char *exists[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "material", "descargar", "1", "5", "-o", file, NULL };
	char *sesion[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "sesion", "abrir", "1", "--asistentes", "3,,4", NULL };
	char *programar[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "mesa", "programar", "x", "--fecha", "2026-12-07", "--hora",
	    "10:00", "--lugar", "Sala", NULL };
	FILE *fp;

	snprintf(file, sizeof(file), "%s/diagnostico.pdf", test_home);
	cr_assert_not_null(fp = fopen(file, "w"));
	fputs("%PDF-1.4\n", fp);
	fclose(fp);

	cr_redirect_stderr();
	cr_assert_eq(commands_main(15, both), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(12, neither), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(13, missing), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(9, exists), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(8, sesion), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(12, programar), PAL_EXIT_USAGE);
	/* Well-formed: they get as far as the (closed) server. */
	cr_assert_eq(commands_main(14, texto), PAL_EXIT_UNAVAILABLE);
	cr_assert_eq(commands_main(13, archivo), PAL_EXIT_UNAVAILABLE);
}

Test(client_main, local_checks_of_the_pal, .init = client_setup,
    .fini = client_teardown)
{
	char file[128];
	char *sin_alineacion[] = { "pal", "--url=http://127.0.0.1:1",
	    "--token=t", "compromiso", "agregar", "1", "--titulo", "T",
	    "--tipo", "plan_nacional", "--inicio", "2026-12-01", NULL };
	char *con_alineacion[] = { "pal", "--url=http://127.0.0.1:1",
	    "--token=t", "compromiso", "agregar", "1", "--titulo", "T",
	    "--tipo", "plan_nacional", "--inicio", "2026-12-01",
	    "--alineacion", "Compromiso 12", NULL };
	char *local[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "compromiso", "agregar", "1", "--titulo", "T", "--tipo", "local",
	    "--inicio", "2026-12-01", NULL };
	char *sin_campos[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "compromiso", "editar", "1", "4", NULL };
	char *editar[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "compromiso", "editar", "1", "4", "--meta", "M", NULL };
	char *pdf_existe[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "pal", "pdf", "1", "-o", file, NULL };
	char *pdf_por_omision[] = { "pal", "--url=http://127.0.0.1:1",
	    "--token=t", "pal", "pdf", "3", "--version", "2", NULL };
	char *pdf_nuevo[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "pal", "pdf", "3", "--version", "1", NULL };
	char *datos_existe[] = { "pal", "--url=http://127.0.0.1:1",
	    "--token=t", "pal", "datos", "1", "--formato", "csv", "-o", file,
	    NULL };
	char *sin_archivo[] = { "pal", "--url=http://127.0.0.1:1",
	    "--token=t", "pal", "evidencia", "1", "--version", "2",
	    "/nonexistent/acta.pdf", NULL };
	char *evidencia[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "pal", "evidencia", "1", "--version", "2", file, NULL };
	char *criterio[] = { "pal", "--url=http://127.0.0.1:1", "--token=t",
	    "criterio", "atestiguar", "4", "--criterio", "durable", "--quien",
	    "Ana", "--justificacion", "J", NULL };
	char *conformidad[] = { "pal", "--url=http://127.0.0.1:1",
	    "--token=t", "conformidad", "registrar", "1", "--actor", "4",
	    "--version", "dos", NULL };
	FILE *fp;

	snprintf(file, sizeof(file), "%s/pal-3-v2.pdf", test_home);
	cr_assert_not_null(fp = fopen(file, "w"));
	fputs("%PDF-1.4\n", fp);
	fclose(fp);
	/* The default name is relative to the current directory. */
	cr_assert_eq(chdir(test_home), 0);

	cr_redirect_stderr();
	cr_assert_eq(commands_main(12, sin_alineacion), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(7, sin_campos), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(8, pdf_existe), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(8, pdf_por_omision), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(10, datos_existe), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(9, sin_archivo), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(12, criterio), PAL_EXIT_USAGE);
	cr_assert_eq(commands_main(10, conformidad), PAL_EXIT_USAGE);
	/* Well-formed: they get as far as the (closed) server. */
	cr_assert_eq(commands_main(14, con_alineacion), PAL_EXIT_UNAVAILABLE);
	cr_assert_eq(commands_main(12, local), PAL_EXIT_UNAVAILABLE);
	cr_assert_eq(commands_main(9, editar), PAL_EXIT_UNAVAILABLE);
	cr_assert_eq(commands_main(8, pdf_nuevo), PAL_EXIT_UNAVAILABLE);
	cr_assert_eq(commands_main(9, evidencia), PAL_EXIT_UNAVAILABLE);
	/* Nothing was written for the download that failed. */
	cr_assert_neq(access("pal-3-v1.pdf", F_OK), 0);
}

Test(client_main, help_lists_the_mesa_commands, .init = client_setup,
    .fini = client_teardown)
{
	static const char *const want[] = {
		"pal mesa crear --titulo T --entidad E",
		"pal mesa listar [--entidad E] [--fase F]",
		"pal mesa ver MESA\n",
		"pal mesa linea-tiempo MESA\n",
		"pal mesa programar MESA --fecha AAAA-MM-DD --hora HH:MM",
		"pal actor agregar MESA --nombre N --email E --sector S",
		"pal actor listar MESA\n",
		"pal actor revocar-enlaces MESA ACTOR\n",
		"pal material agregar MESA --actor A --tipo T --titulo T",
		"(ARCHIVO | --texto TEXTO)",
		"pal material listar MESA\n",
		"pal material descargar MESA MATERIAL [-o ARCHIVO]\n",
		"pal material enviar MESA\n",
		"pal acuse registrar MESA --actor A --material M --medio TEXTO",
		"pal sesion abrir MESA --asistentes A,B,...\n",
		"pal sesion ver MESA\n",
		"pal aportacion agregar MESA --actor A --tipo",
		"pal compromiso agregar MESA --titulo T --tipo",
		"contrataciones_abiertas|plan_nacional|local --inicio",
		"pal compromiso editar MESA COMPROMISO [--titulo T]",
		"pal compromiso listar MESA\n",
		"pal actividad agregar COMPROMISO --descripcion D",
		"pal criterio atestiguar COMPROMISO --criterio",
		"medible|especifico|replicable|sostenible|alto_impacto",
		"pal pal validar MESA\n",
		"pal pal cerrar MESA\n",
		"pal pal ver MESA\n",
		"pal pal pdf MESA [-o ARCHIVO] [--version N]\n",
		"pal pal reabrir MESA\n",
		"pal pal enviar MESA\n",
		"pal pal datos MESA [--formato json|csv] [-o ARCHIVO]\n",
		"pal pal evidencia MESA --version N ARCHIVO\n",
		"pal conformidad registrar MESA --actor A [--version V]",
		/* The notes of one command's help. */
		"Sale con 0 si el PAL cumple todas las reglas y con 2 si no",
	};
	char *all[] = { "pal", "--help", NULL };
	char *actor[] = { "pal", "actor", "agregar", "--help", NULL };
	char *validar[] = { "pal", "pal", "validar", "--help", NULL };
	char *pal[] = { "pal", "pal", "--help", NULL };
	char *text = NULL;
	size_t size;
	FILE *out;

	/* stdout, not the pipe cr_redirect gives, so it can be read back. */
	cr_assert_not_null(out = open_memstream(&text, &size));
	cr_redirect_stdout();
	cr_assert_eq(commands_main(2, all), PAL_EXIT_OK);
	cr_assert_eq(commands_main(4, actor), PAL_EXIT_OK);
	cr_assert_eq(commands_main(4, validar), PAL_EXIT_OK);
	cr_assert_eq(commands_main(3, pal), PAL_EXIT_OK);
	fflush(stdout);
	{
		FILE *got = cr_get_redirected_stdout();
		char chunk[4096];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), got)) > 0)
			fwrite(chunk, 1, n, out);
	}
	fclose(out);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_not_null(strstr(text, want[i]), "help lacks «%s»",
		    want[i]);
	/* A command's help names the words its usage leaves out. */
	cr_assert_not_null(strstr(text, "  --sector: sociedad_civil, "
	    "institucion_publica, organismo_garante o stl\n"));
	/* Lines stay within 80 columns. */
	for (char *line = text; *line != '\0';) {
		size_t len = strcspn(line, "\n");
		char save = line[len];

		line[len] = '\0';
		cr_assert(output_width(line) <= 80, "too wide: %s", line);
		line[len] = save;
		line += len + (save != '\0');
	}
	free(text);
}

Test(client_main, help_exits_0, .init = client_setup, .fini = client_teardown)
{
	char *all[] = { "pal", "--help", NULL };
	char *noun[] = { "pal", "usuario", "--help", NULL };
	char *cmd[] = { "pal", "usuario", "crear", "--help", NULL };

	cr_redirect_stdout();
	cr_assert_eq(commands_main(2, all), PAL_EXIT_OK);
	cr_assert_eq(commands_main(3, noun), PAL_EXIT_OK);
	cr_assert_eq(commands_main(4, cmd), PAL_EXIT_OK);
	fflush(stdout);
	cr_assert_stdout_neq_str("");
}

Test(client_main, unreachable_server_exits_3, .init = client_setup,
    .fini = client_teardown)
{
	char *argv[] = { "pal", "--url=http://127.0.0.1:1", "estado", NULL };

	static const char want[] = "error: no se pudo conectar con "
	    "http://127.0.0.1:1: ";
	char line[512] = "";
	FILE *err;

	cr_redirect_stderr();
	cr_assert_eq(commands_main(3, argv), PAL_EXIT_UNAVAILABLE);
	fflush(stderr);
	err = cr_get_redirected_stderr();
	cr_assert_not_null(fgets(line, sizeof(line), err));
	cr_assert(strncmp(line, want, sizeof(want) - 1) == 0, "%s", line);
}

/* Widths and cuts. */

Test(client_output, width_counts_characters)
{
	cr_assert_eq(output_width(""), 0);
	cr_assert_eq(output_width("abc"), 3);
	cr_assert_eq(output_width("ñandú"), 5);
	cr_assert_eq(output_width("ÚLTIMA RESPUESTA"), 16);
	cr_assert_eq(output_width("e\xcc\x81"), 1);	/* e + U+0301 */
	cr_assert_eq(output_width("日本"), 4);
	cr_assert_eq(output_width("a\xff" "b"), 3);	/* bad byte: one */
	cr_assert_eq(output_width("\xe2\x80"), 2);	/* cut character */
}

Test(client_output, utf8_validity)
{
	cr_assert(output_utf8_valid("Sesión iniciada"));
	cr_assert_not(output_utf8_valid("\xc3"));
	cr_assert_not(output_utf8_valid("\xc0\xaf"));		/* overlong */
	cr_assert_not(output_utf8_valid("\xed\xa0\x80"));	/* surrogate */
	cr_assert_not(output_utf8_valid("\xf4\x90\x80\x80"));	/* > 10FFFF */
}

Test(client_output, cell_cuts_between_characters)
{
	char *c;

	c = output_cell("ñandú", 10);
	cr_assert_str_eq(c, "ñandú");
	free(c);
	c = output_cell("ñandú", 5);
	cr_assert_str_eq(c, "ñandú");
	free(c);
	c = output_cell("ñandú", 4);
	cr_assert_str_eq(c, "ñan…");
	cr_assert_eq(output_width(c), 4);
	free(c);
	c = output_cell("ññññ", 3);
	cr_assert_str_eq(c, "ññ…");
	free(c);
	c = output_cell("日本語", 4);	/* a wide character never half fits */
	cr_assert_str_eq(c, "日…");
	cr_assert(output_width(c) <= 4);
	free(c);
	c = output_cell("ne\xcc\x81zz", 3);	/* the mark stays with its e */
	cr_assert_str_eq(c, "ne\xcc\x81…");
	free(c);
	c = output_cell("abc", 1);
	cr_assert_str_eq(c, "…");
	free(c);
	c = output_cell("a\tb\nc\x1b[31m", 0);
	cr_assert_str_eq(c, "a b c [31m");
	free(c);
	c = output_cell("a\xff", 0);
	cr_assert_str_eq(c, "a\xef\xbf\xbd");
	free(c);
}

Test(client_output, value_text)
{
	json_t *v = json_pack("{s:i, s:b, s:b, s:n, s:f, s:[i,i]}", "i", 42,
	    "t", 1, "f", 0, "n", "r", 1.5, "a", 1, 2);
	const char *keys[] = { "i", "t", "f", "n", "r", "a", "falta" };
	const char *want[] = { "42", "sí", "no", "-", "1.5", "[1,2]", "-" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char *s = output_value(json_object_get(v, keys[i]));

		cr_assert_str_eq(s, want[i]);
		free(s);
	}
	json_decref(v);
}

static char *
fp_text(FILE *fp, char **text)
{
	fclose(fp);
	return *text;
}

static char *
format_seen(const json_t *row)
{
	const char *s = json_string_value(json_object_get(row, "b"));

	return s != NULL ? strdup("X") : strdup("?");
}

Test(client_output, table_aligns_by_display_width)
{
	static const struct output_column cols[] = {
		{ .title = "N", .key = "n", .numeric = true },
		{ .title = "NOMBRE", .key = "a", .max_width = 6 },
		{ .title = "ÚLTIMO", .key = "b" },
		{ .title = "F", .format = format_seen },
	};
	json_t *rows = json_pack("[{s:i, s:s, s:s}, {s:i, s:s, s:n}]",
	    "n", 7, "a", "Núñez", "b", "ok",
	    "n", 12, "a", "Ángela Martínez", "b");
	char *text = NULL;
	size_t size;
	FILE *fp = open_memstream(&text, &size);

	output_table(fp, cols, 4, rows, "vacío");
	fp_text(fp, &text);
	cr_assert_str_eq(text,
	    " N  NOMBRE  ÚLTIMO  F\n"
	    " 7  Núñez   ok      X\n"
	    "12  Ángel…  -       ?\n");
	free(text);
	json_decref(rows);

	rows = json_array();
	fp = open_memstream(&text, &size);
	output_table(fp, cols, 4, rows, "No hay usuarios.");
	fp_text(fp, &text);
	cr_assert_str_eq(text, "No hay usuarios.\n");
	free(text);
	json_decref(rows);
}

Test(client_output, fields_align_labels)
{
	static const struct output_field fields[] = {
		{ .label = "id", .key = "id" },
		{ .label = "versión", .key = "v" },
	};
	json_t *obj = json_pack("{s:i, s:s}", "id", 2, "v", "0.1.0");
	char *text = NULL;
	size_t size;
	FILE *fp = open_memstream(&text, &size);

	output_fields(fp, fields, 2, obj);
	fp_text(fp, &text);
	cr_assert_str_eq(text, "id:      2\nversión: 0.1.0\n");
	free(text);
	json_decref(obj);
}

Test(client_output, server_errors)
{
	json_t *body = json_pack("{s:{s:s, s:s, s:[{s:s, s:s}, s]}}", "error",
	    "code", "materiales_pendientes", "message",
	    "Faltan materiales por recibir.", "detalles", "actor", "Ana",
	    "material", "problematicas", "otro");
	char *text = NULL;
	size_t size;
	FILE *fp = open_memstream(&text, &size);

	output_server_error(fp, 409, body);
	fp_text(fp, &text);
	cr_assert_str_eq(text,
	    "error: Faltan materiales por recibir. (materiales_pendientes)\n"
	    "  - actor: Ana, material: problematicas\n"
	    "  - otro\n");
	free(text);
	json_decref(body);

	/* evhttp's own HTML 413 is not JSON. */
	fp = open_memstream(&text, &size);
	output_server_error(fp, 413, NULL);
	fp_text(fp, &text);
	cr_assert_str_eq(text, "error: el archivo o la petición excede el "
	    "tamaño permitido (HTTP 413)\n");
	free(text);

	/* The gate's detalles read as sentences, a null date not at all. */
	body = json_pack("{s:{s:s, s:s, s:{s:[{s:i, s:s, s:i, s:s}, "
	    "{s:i, s:s, s:i, s:s}], s:n}}}", "error",
	    "code", "materiales_pendientes",
	    "message", "Faltan 2 acuses de recibo.",
	    "detalles", "pendientes",
	    "actor_id", 3, "actor", "Ana", "material_id", 5,
	    "material", "Diagnóstico",
	    "actor_id", 4, "actor", "Luis", "material_id", 5,
	    "material", "Diagnóstico",
	    "fecha_minima");
	fp = open_memstream(&text, &size);
	output_server_error(fp, 409, body);
	fp_text(fp, &text);
	cr_assert_str_eq(text,
	    "error: Faltan 2 acuses de recibo. (materiales_pendientes)\n"
	    "  - Ana no ha recibido «Diagnóstico»\n"
	    "  - Luis no ha recibido «Diagnóstico»\n");
	free(text);
	json_decref(body);

	body = json_pack("{s:{s:s, s:s, s:{s:s, s:s}}}", "error",
	    "code", "plazo_insuficiente",
	    "message", "Faltan días de plazo.",
	    "detalles", "ultima_recepcion", "2026-11-20",
	    "fecha_minima", "2026-11-30");
	fp = open_memstream(&text, &size);
	output_server_error(fp, 409, body);
	fp_text(fp, &text);
	cr_assert_str_eq(text,
	    "error: Faltan días de plazo. (plazo_insuficiente)\n"
	    "  Última recepción: 2026-11-20\n"
	    "  Fecha más próxima permitida: 2026-11-30\n");
	free(text);
	json_decref(body);

	body = json_pack("{s:{s:s, s:s, s:{s:s}}}", "error", "code",
	    "datos_invalidos", "message", "Datos inválidos.", "detalles",
	    "email", "no es válido");
	fp = open_memstream(&text, &size);
	output_server_error(fp, 422, body);
	fp_text(fp, &text);
	cr_assert_str_eq(text, "error: Datos inválidos. (datos_invalidos)\n"
	    "  - email: no es válido\n");
	free(text);
	json_decref(body);
}

Test(client_output, pal_errors)
{
	json_t *errores = json_pack("[{s:s, s:s, s:n, s:n}, "
	    "{s:s, s:s, s:i, s:n}, {s:s}]",
	    "code", "faltan_locales",
	    "message", "Faltan compromisos locales: hay 1, se requieren 2.",
	    "compromiso_id", "actividad_id",
	    "code", "sin_actividades",
	    "message", "Compromiso 2 «Padrón» no tiene actividades.",
	    "compromiso_id", 5, "actividad_id",
	    "code", "criterio_sin_atestiguar");
	json_t *body = json_pack("{s:{s:s, s:s, s:{s:O}}}", "error",
	    "code", "pal_invalido", "message", "El PAL no cumple 3 reglas.",
	    "detalles", "errores", errores);
	char *text = NULL;
	size_t size;
	FILE *fp = open_memstream(&text, &size);

	output_errores(fp, errores);
	fp_text(fp, &text);
	cr_assert_str_eq(text,
	    "  - Faltan compromisos locales: hay 1, se requieren 2.\n"
	    "  - Compromiso 2 «Padrón» no tiene actividades.\n"
	    "  - criterio_sin_atestiguar\n");
	free(text);

	fp = open_memstream(&text, &size);
	output_server_error(fp, 409, body);
	fp_text(fp, &text);
	cr_assert_str_eq(text,
	    "error: El PAL no cumple 3 reglas. (pal_invalido)\n"
	    "  - Faltan compromisos locales: hay 1, se requieren 2.\n"
	    "  - Compromiso 2 «Padrón» no tiene actividades.\n"
	    "  - criterio_sin_atestiguar\n");
	free(text);
	json_decref(body);
	json_decref(errores);
}

Test(client_output, pendientes_and_lines_are_clean)
{
	json_t *p = json_pack("[{s:s, s:s}, {s:s}]", "actor", "Ana\x1b[2J",
	    "material", "Diag\nnóstico", "actor", "Luis");
	char *text = NULL;
	size_t size;
	FILE *fp = open_memstream(&text, &size);

	output_pendientes(fp, p);
	output_line(fp, "Mesa %d en %s.", 3, "Sala\t2");
	fp_text(fp, &text);
	cr_assert_str_eq(text,
	    "  - Ana [2J no ha recibido «Diag nóstico»\n"
	    "  - Luis no ha recibido «?»\n"
	    "Mesa 3 en Sala 2.\n");
	free(text);
	json_decref(p);
}

/* HTTP. */

Test(client_api, exit_code_from_status)
{
	cr_assert_eq(api_exit_code(200), PAL_EXIT_OK);
	cr_assert_eq(api_exit_code(201), PAL_EXIT_OK);
	cr_assert_eq(api_exit_code(202), PAL_EXIT_OK);
	cr_assert_eq(api_exit_code(204), PAL_EXIT_OK);
	cr_assert_eq(api_exit_code(400), PAL_EXIT_REFUSED);
	cr_assert_eq(api_exit_code(401), PAL_EXIT_REFUSED);
	cr_assert_eq(api_exit_code(404), PAL_EXIT_REFUSED);
	cr_assert_eq(api_exit_code(409), PAL_EXIT_REFUSED);
	cr_assert_eq(api_exit_code(413), PAL_EXIT_REFUSED);
	cr_assert_eq(api_exit_code(422), PAL_EXIT_REFUSED);
	cr_assert_eq(api_exit_code(500), PAL_EXIT_UNAVAILABLE);
	cr_assert_eq(api_exit_code(502), PAL_EXIT_UNAVAILABLE);
	cr_assert_eq(api_exit_code(503), PAL_EXIT_UNAVAILABLE);
	cr_assert_eq(api_exit_code(0), PAL_EXIT_UNAVAILABLE);
	cr_assert_eq(api_exit_code(101), PAL_EXIT_UNAVAILABLE);
}

Test(client_api, query_is_escaped)
{
	struct buf path;

	buf_init(&path);
	buf_puts(&path, "/v1/correos");
	api_query_add(&path, "estado", "enviado");
	api_query_add(&path, "nada", NULL);
	api_query_add(&path, "q", "a b&c=ñ");
	cr_assert_str_eq(path.data,
	    "/v1/correos?estado=enviado&q=a%20b%26c%3D%C3%B1");
	buf_cleanup(&path);
}

Test(client_api, unreachable_is_not_a_reply)
{
	struct settings s = { .url = "http://127.0.0.1:1" };
	struct api_response r;

	api_response_init(&r);
	cr_assert_not(api_request(&s, "GET", "/healthz", NULL, &r));
	cr_assert_eq(r.status, 0);
	cr_assert(strncmp(r.error, "no se pudo conectar con "
	    "http://127.0.0.1:1: ", 44) == 0, "%s", r.error);
	api_response_cleanup(&r);
}
