/*
 * pald: startup order, command-line modes and signals. Startup is
 * config, logging, libraries, migrations, DB pool, mailer, HTTP, port
 * file, scheduler; shutdown runs the other way round after in-flight
 * requests are answered. Signals are events on the loop, never handlers
 * that do work. Nothing here serves a request: see http.c.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "config.h"
#include "db.h"
#include "dbpool.h"
#include "http.h"
#include "log.h"
#include "mailer.h"
#include "migrate.h"
#include "scheduler.h"
#include "store_usuarios.h"
#include "xmalloc.h"

/* How long SIGTERM waits for in-flight requests before leaving anyway. */
#define SHUTDOWN_GRACE_MS	10000
#define SHUTDOWN_POLL_MS	20

static struct event_base *main_base;
static struct event *main_drain_ev;
static const char *main_config_path;
static int main_drain_waited_ms;

static void
main_usage(FILE *out)
{
	fprintf(out,
	    "uso: pald [-c ARCHIVO] [--check-config | --migrate |\n"
	    "          --create-admin NOMBRE EMAIL | --dump-config |\n"
	    "          --version | --help]\n"
	    "\n"
	    "  -c, --config ARCHIVO   archivo de configuración (clave = valor)\n"
	    "      --check-config     valida la configuración y termina\n"
	    "      --migrate          aplica las migraciones pendientes y termina\n"
	    "      --create-admin NOMBRE EMAIL\n"
	    "                         crea un administrador e imprime su token\n"
	    "      --dump-config      imprime la configuración en vigor\n"
	    "      --version          imprime la versión\n"
	    "      --help             muestra esta ayuda\n");
}

static void
main_libevent_log_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_ERR)
		log_error("libevent: %s", msg);
	else if (severity == EVENT_LOG_WARN)
		log_warn("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

static void
main_apply_log_level(void)
{
	enum log_level lv;

	if (log_parse_level(config_live->log_level, &lv))
		log_level_min = lv;
}

/* Writes the bound port atomically, for tests and supervisors. */
static bool
main_write_port_file(const char *path, int port)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	bool ok = false;

	if (f != NULL) {
		ok = fprintf(f, "%d\n", port) > 0;
		ok = (fclose(f) == 0) && ok;
		ok = ok && rename(tmp, path) == 0;
	}
	if (!ok)
		log_error("could not write port file %s: %s", path,
		    strerror(errno));
	free(tmp);
	return ok;
}

/* Connects once and applies the migrations; for every mode. */
static PGconn *
main_connect_and_migrate(void)
{
	struct error err;
	PGconn *conn;

	conn = db_connect(config_live->database,
	    config_live->db_connect_timeout_s, &err);
	if (conn == NULL) {
		fprintf(stderr, "pald: no se pudo conectar a la base de datos "
		    "(%s): %s\n", config_live->database, err.message);
		return NULL;
	}
	if (!migrate_apply(conn, &err)) {
		fprintf(stderr, "pald: %s\n", err.message);
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

static int
main_create_admin(const char *nombre, const char *email)
{
	struct error err;
	PGconn *conn;
	json_t *u;

	if ((conn = main_connect_and_migrate()) == NULL)
		return 1;
	if (!db_command(conn, &err, "BEGIN", 0, NULL))
		goto fail;
	u = store_usuario_crear(conn, nombre, email, "admin", NULL, &err);
	if (u == NULL || !db_command(conn, &err, "COMMIT", 0, NULL)) {
		json_decref(u);
		goto fail;
	}
	/* The token alone on stdout, so scripts can capture it. */
	printf("%s\n", json_string_value(json_object_get(u, "token")));
	fprintf(stderr, "Administrador %s <%s> creado (id %lld). Guarde el "
	    "token: no se volverá a mostrar.\n", nombre, email,
	    (long long)json_integer_value(json_object_get(u, "id")));
	json_decref(u);
	PQfinish(conn);
	return 0;
fail:
	fprintf(stderr, "pald: %s\n", err.message);
	PQfinish(conn);
	return 1;
}

static void
main_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	main_drain_waited_ms += SHUTDOWN_POLL_MS;
	if (http_in_flight() > 0 && main_drain_waited_ms < SHUTDOWN_GRACE_MS)
		return;
	if (http_in_flight() > 0)
		log_warn("leaving with %d requests unanswered",
		    http_in_flight());
	event_del(main_drain_ev);
	event_base_loopexit(main_base, NULL);
}

static void
main_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct timeval tv = { 0, SHUTDOWN_POLL_MS * 1000 };

	(void)what;
	(void)arg;
	if (sig == SIGHUP) {
		struct config fresh;
		struct error err;

		config_init(&fresh);
		if (main_config_path != NULL &&
		    !config_load(&fresh, main_config_path, &err)) {
			log_error("reload refused, keeping the old "
			    "configuration: %s", err.message);
		} else {
			config_reload_into(config_live, &fresh);
			main_apply_log_level();
			log_info("configuration reloaded");
		}
		config_cleanup(&fresh);
		return;
	}
	if (main_drain_ev != NULL)
		return;		/* already stopping */
	log_info("signal %d: stopping, %d requests in flight", (int)sig,
	    http_in_flight());
	http_stop_accepting();
	scheduler_stop();
	main_drain_ev = event_new(main_base, -1, EV_PERSIST, main_drain_cb,
	    NULL);
	event_add(main_drain_ev, &tv);
}

static int
main_serve(void)
{
	struct event *sig_ev[3];
	static const int sigs[3] = { SIGTERM, SIGINT, SIGHUP };
	struct timespec t0, t1;
	struct error err;
	PGconn *conn;
	int port = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((conn = main_connect_and_migrate()) == NULL)
		return 1;
	PQfinish(conn);

	main_base = event_base_new();
	if (main_base == NULL) {
		fprintf(stderr, "pald: no se pudo crear el ciclo de eventos\n");
		return 1;
	}
	if (!dbpool_start(main_base, &err) || !mailer_start(&err) ||
	    !http_start(main_base, &port, &err)) {
		fprintf(stderr, "pald: %s\n", err.message);
		return 1;
	}
	if (config_live->public_url[0] == '\0') {
		free(config_live->public_url);
		config_live->public_url = xasprintf("http://%s:%d",
		    config_live->listen_address, port);
		log_warn("public_url is not set: personal links will point at "
		    "%s", config_live->public_url);
	} else {
		/* Links are built as public_url + "/e/...": no double slash. */
		size_t n = strlen(config_live->public_url);

		while (n > 0 && config_live->public_url[n - 1] == '/')
			config_live->public_url[--n] = '\0';
	}
	if (config_live->port_file[0] != '\0' &&
	    !main_write_port_file(config_live->port_file, port))
		return 1;
	for (int i = 0; i < 3; i++) {
		sig_ev[i] = evsignal_new(main_base, sigs[i], main_signal_cb,
		    NULL);
		event_add(sig_ev[i], NULL);
	}
	scheduler_start(main_base);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_info("pald %s ready on %s:%d in %.1f ms", PALD_VERSION,
	    config_live->listen_address, port,
	    (double)(t1.tv_sec - t0.tv_sec) * 1000.0 +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);

	event_base_dispatch(main_base);

	/* In-flight requests are answered; now stop the threads. */
	dbpool_stop();
	mailer_stop();
	for (int i = 0; i < 3; i++)
		event_free(sig_ev[i]);
	if (main_drain_ev != NULL)
		event_free(main_drain_ev);
	scheduler_stop();
	http_free();
	event_base_free(main_base);
	log_info("pald stopped");
	return 0;
}

int
main(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_MIGRATE, OPT_ADMIN, OPT_DUMP, OPT_VERSION,
	    OPT_HELP };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "migrate", no_argument, NULL, OPT_MIGRATE },
		{ "create-admin", no_argument, NULL, OPT_ADMIN },
		{ "dump-config", no_argument, NULL, OPT_DUMP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	static struct config config;
	struct error err;
	int mode = 0, c, rc;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			main_config_path = optarg;
			break;
		case OPT_VERSION:
			printf("pald %s\n", PALD_VERSION);
			return 0;
		case 'h':
		case OPT_HELP:
			main_usage(stdout);
			return 0;
		case OPT_CHECK:
		case OPT_MIGRATE:
		case OPT_ADMIN:
		case OPT_DUMP:
			mode = c;
			break;
		default:
			main_usage(stderr);
			return 2;
		}
	}
	if ((mode == OPT_ADMIN) != (argc - optind == 2) ||
	    (mode != OPT_ADMIN && optind != argc)) {
		main_usage(stderr);
		return 2;
	}

	config_init(&config);
	config_live = &config;
	if (main_config_path != NULL &&
	    !config_load(&config, main_config_path, &err)) {
		fprintf(stderr, "pald: %s\n", err.message);
		return 1;
	}
	main_apply_log_level();
	if (mode == OPT_CHECK) {
		printf("%s: configuración válida\n",
		    main_config_path ? main_config_path : "(valores por omisión)");
		return 0;
	}
	if (mode == OPT_DUMP) {
		config_dump(&config, stdout);
		return 0;
	}

	signal(SIGPIPE, SIG_IGN);
	event_set_log_callback(main_libevent_log_cb);
	evthread_use_pthreads();
	/* Before any thread: curl_global_init is not thread-safe. */
	curl_global_init(CURL_GLOBAL_DEFAULT);

	if (mode == OPT_MIGRATE) {
		PGconn *conn = main_connect_and_migrate();

		rc = conn != NULL ? 0 : 1;
		PQfinish(conn);
	} else if (mode == OPT_ADMIN) {
		rc = main_create_admin(argv[optind], argv[optind + 1]);
	} else {
		rc = main_serve();
	}
	curl_global_cleanup();
	libevent_global_shutdown();
	config_cleanup(&config);
	return rc;
}
