/*
 * The configuration table and the `key = value` parser. Every key lives in
 * config_keys[] with its type, default, bounds, reload flag and doc; the
 * parser, the dump used for the example file and the reload all read that
 * one table. It does not watch files: main re-reads on SIGHUP.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

struct config *config_live;

enum config_type {
	CONFIG_INT,
	CONFIG_STRING,
	CONFIG_BOOL,
	CONFIG_LOG_LEVEL,	/* a string restricted to the log levels */
	CONFIG_DAYS,		/* a string: comma-separated days, 0..366 */
	CONFIG_TIME,		/* a string: HH:MM */
	CONFIG_WEEKDAY,		/* an int, ISO 1..7, written lunes..domingo */
	CONFIG_ZONE,		/* a string: a zone of the tz database */
};

struct config_key {
	const char		*name;
	enum config_type	 type;
	size_t			 offset;
	const char		*def;
	long			 min, max;	/* CONFIG_INT only */
	bool			 reloadable;
	const char		*doc;
};

/*
 * Longest string value: with its name, " = " and quotes it still fits
 * the loader's line of 4,096 bytes, so a dump always loads again.
 */
#define CONFIG_VALUE_MAX	4000

#define KEY(n, t, d, lo, hi, r, doc) \
	{ #n, t, offsetof(struct config, n), d, lo, hi, r, doc }

static const struct config_key config_keys[] = {
	KEY(listen_address, CONFIG_STRING, "127.0.0.1", 0, 0, false,
	    "Address the HTTP API listens on."),
	KEY(listen_port, CONFIG_INT, "8080", 0, 65535, false,
	    "TCP port; 0 picks a free one (see port_file)."),
	KEY(port_file, CONFIG_STRING, "", 0, 0, false,
	    "If set, the port actually bound is written to this file."),
	KEY(public_url, CONFIG_STRING, "", 0, 0, false,
	    "Base URL of personal links in emails; empty: this host and port."),
	KEY(http_max_body_bytes, CONFIG_INT, "26214400", 1024, 1073741824,
	    false, "Hard cap on a request body; larger ones are refused."),
	KEY(http_max_json_bytes, CONFIG_INT, "1048576", 1024, 1073741824,
	    false, "Largest JSON body accepted (413 above)."),
	KEY(http_max_headers_bytes, CONFIG_INT, "16384", 1024, 1048576,
	    false, "Largest request header block."),
	KEY(http_timeout_s, CONFIG_INT, "30", 1, 3600, false,
	    "Read and write timeout of an HTTP connection, in seconds."),
	KEY(http_request_timeout_s, CONFIG_INT, "30", 1, 3600, false,
	    "Seconds a request may take to arrive whole, from its first byte "
	    "(slow clients are cut off)."),
	KEY(http_request_min_rate, CONFIG_INT, "500", 1, 1073741824, false,
	    "Bytes per second that earn a request one more second."),
	KEY(material_max_bytes, CONFIG_INT, "20971520", 1024, 1073741824, false,
	    "Largest material or evidence file accepted (413 above)."),
	KEY(database, CONFIG_STRING, "dbname=pald", 0, 0, false,
	    "libpq connection string of the PostgreSQL database."),
	KEY(db_workers, CONFIG_INT, "4", 1, 64, false,
	    "DB worker threads, each with one connection."),
	KEY(db_queue_max, CONFIG_INT, "1024", 1, 1000000, false,
	    "Requests waiting for a worker before new ones get 503."),
	KEY(db_connect_timeout_s, CONFIG_INT, "5", 1, 300, false,
	    "Timeout of one connection attempt to PostgreSQL, in seconds."),
	KEY(db_retry_max_ms, CONFIG_INT, "5000", 10, 600000, false,
	    "Ceiling of the reconnection backoff, in milliseconds."),
	KEY(smtp_url, CONFIG_STRING, "smtp://127.0.0.1:25", 0, 0, false,
	    "Mail relay: smtp://host:port or smtps://host:port."),
	KEY(smtp_require_tls, CONFIG_BOOL, "no", 0, 0, false,
	    "Require STARTTLS on smtp:// URLs."),
	KEY(smtp_user, CONFIG_STRING, "", 0, 0, false,
	    "SMTP AUTH user name; empty for none."),
	KEY(smtp_password, CONFIG_STRING, "", 0, 0, false,
	    "SMTP AUTH password."),
	KEY(smtp_timeout_s, CONFIG_INT, "30", 1, 600, false,
	    "Timeout of one SMTP transaction, in seconds."),
	KEY(mail_from, CONFIG_STRING, "pald@localhost", 0, 0, false,
	    "Sender address of every message."),
	KEY(mail_from_name, CONFIG_STRING, "Plan de Acción Local", 0, 0, false,
	    "Sender display name."),
	KEY(mail_threads, CONFIG_INT, "1", 0, 16, false,
	    "Mailer threads; 0 queues mail without sending it."),
	KEY(mail_poll_ms, CONFIG_INT, "1000", 10, 600000, true,
	    "How often an idle mailer looks for due messages, in ms."),
	KEY(mail_batch, CONFIG_INT, "50", 1, 10000, false,
	    "Messages a mailer thread claims at once."),
	KEY(mail_lease_s, CONFIG_INT, "300", 5, 86400, false,
	    "How long a claimed message is reserved for its sender, in s."),
	KEY(mail_retry_base_s, CONFIG_INT, "30", 1, 86400, false,
	    "First retry delay after a temporary failure, in s (doubles)."),
	KEY(mail_retry_max_s, CONFIG_INT, "3600", 1, 604800, false,
	    "Longest retry delay, in seconds."),
	KEY(mail_max_attempts, CONFIG_INT, "12", 1, 1000, false,
	    "Attempts before a message is marked fallido."),
	KEY(recordatorio_dias_antes, CONFIG_DAYS, "30,7,1,0", 0, 0, true,
	    "Days before an activity's deadline to remind (0 = on the day)."),
	KEY(recordatorio_vencida_cada, CONFIG_INT, "7", 1, 366, true,
	    "An overdue activity is reminded the day after, then every N days."),
	KEY(recordatorio_copia_facilitador, CONFIG_INT, "7", 0, 366, true,
	    "From this many days overdue the facilitator is copied."),
	KEY(recordatorio_copia_garante, CONFIG_INT, "14", 0, 366, true,
	    "From this many days overdue the organismo garante is copied."),
	KEY(recordatorio_hora, CONFIG_TIME, "09:00", 0, 0, true,
	    "Local hour (in each mesa's zone) from which reminders go out."),
	KEY(recordatorio_acuse_cada, CONFIG_INT, "3", 1, 366, true,
	    "An actor who has not confirmed receipt is reminded every N days."),
	KEY(recordatorio_periodo_s, CONFIG_INT, "60", 1, 86400, false,
	    "How often the reminder planner runs, in seconds."),
	KEY(resumen_dia, CONFIG_WEEKDAY, "lunes", 0, 0, true,
	    "Day (lunes..domingo) the garantes' weekly digest goes out."),
	KEY(resumen_hora, CONFIG_TIME, "08:00", 0, 0, true,
	    "Local hour (in resumen_zona_horaria) from which it goes out."),
	KEY(resumen_zona_horaria, CONFIG_ZONE, "America/Mexico_City", 0, 0,
	    true, "Time zone of the digest's day, hour and week."),
	KEY(log_level, CONFIG_LOG_LEVEL, "info", 0, 0, true,
	    "debug, info, warn or error."),
};

#define N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static const struct config_key *
config_find(const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

static bool
config_parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* "30,7,1,0": 1 to 16 distinct-or-not day counts from 0 to 366. */
static bool
config_days_valid(const char *v)
{
	int n = 0;

	for (;;) {
		char *end;
		long d;

		if (*v < '0' || *v > '9')
			return false;
		d = strtol(v, &end, 10);
		if (d > 366 || ++n > 16)
			return false;
		if (*end == '\0')
			return true;
		if (*end != ',')
			return false;
		v = end + 1;
	}
}

static bool
config_time_valid(const char *v)
{
	return strlen(v) == 5 && v[0] >= '0' && v[0] <= '2' &&
	    v[1] >= '0' && v[1] <= '9' && v[2] == ':' && v[3] >= '0' &&
	    v[3] <= '5' && v[4] >= '0' && v[4] <= '9' &&
	    (v[0] - '0') * 10 + (v[1] - '0') < 24;
}

/* The days of resumen_dia, by ISO number less one, as the dump writes them. */
static const char *const config_dias[7] = { "lunes", "martes", "miércoles",
	"jueves", "viernes", "sábado", "domingo" };

/*
 * A Spanish day name, in any ASCII case, with or without its accent
 * ("miercoles", "Sábado"): its ISO number 1..7, or 0.
 */
static int
config_weekday_parse(const char *v)
{
	for (int i = 0; i < 7; i++)
		if (strcasecmp(v, config_dias[i]) == 0)
			return i + 1;
	if (strcasecmp(v, "miercoles") == 0)
		return 3;
	if (strcasecmp(v, "sabado") == 0)
		return 6;
	return 0;
}

/*
 * A zone name spelt as the tz database spells them ("America/Mexico_City",
 * "Etc/GMT+6", "UTC") that names a TZif file of that database. PostgreSQL
 * reads the same files (Debian builds it --with-system-tzdata=
 * /usr/share/zoneinfo), so this is the list of pg_timezone_names that
 * mesas are checked against; TZDIR moves it, as for the C library. A pald
 * on a machine without the database checks only the spelling, and the
 * digest pass asks PostgreSQL itself (resumenes.c).
 */
static bool
config_zone_valid(const char *v)
{
	const char *dir = getenv("TZDIR");
	char path[PATH_MAX], magic[4];
	struct stat st;
	size_t len = strlen(v);
	ssize_t n;
	int fd;

	if (len == 0 || len > 63 || v[0] == '/' || v[len - 1] == '/')
		return false;
	for (const char *p = v; *p != '\0'; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '_' || *p == '-' || *p == '+' ||
		    (*p == '/' && p[-1] != '/');

		if (!ok)
			return false;	/* no "..", no spaces: a name */
	}
	if (dir == NULL || dir[0] == '\0')
		dir = "/usr/share/zoneinfo";
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return true;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, v) >=
	    sizeof(path))
		return false;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ?
	    read(fd, magic, sizeof(magic)) : -1;
	close(fd);
	return n == (ssize_t)sizeof(magic) && memcmp(magic, "TZif", 4) == 0;
}

static bool
config_apply(struct config *c, const struct config_key *k, const char *v,
    struct error *err)
{
	char *p = (char *)c + k->offset;
	char *end;
	long n;
	bool b;
	enum log_level lv;

	switch (k->type) {
	case CONFIG_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0') {
			error_set(err, 400, "config_invalida",
			    "%s: se esperaba un número entero, no «%s»", k->name, v);
			return false;
		}
		if (n < k->min || n > k->max) {
			error_set(err, 400, "config_invalida",
			    "%s: %ld está fuera del intervalo [%ld, %ld]", k->name, n,
			    k->min, k->max);
			return false;
		}
		*(int *)(void *)p = (int)n;
		return true;
	case CONFIG_BOOL:
		if (!config_parse_bool(v, &b)) {
			error_set(err, 400, "config_invalida",
			    "%s: se esperaba yes o no, no «%s»", k->name, v);
			return false;
		}
		*(bool *)(void *)p = b;
		return true;
	case CONFIG_WEEKDAY:
		if ((n = config_weekday_parse(v)) == 0) {
			error_set(err, 400, "config_invalida",
			    "%s: se esperaba un día de la semana (lunes, martes, "
			    "miércoles, jueves, viernes, sábado o domingo), no "
			    "«%s»", k->name, v);
			return false;
		}
		*(int *)(void *)p = (int)n;
		return true;
	case CONFIG_ZONE:
	case CONFIG_LOG_LEVEL:
	case CONFIG_DAYS:
	case CONFIG_TIME:
	case CONFIG_STRING:
		/* So that --dump-config writes it on a line pald can read. */
		if (strlen(v) > CONFIG_VALUE_MAX) {
			error_set(err, 400, "config_invalida",
			    "%s: el valor pasa de %d bytes", k->name,
			    CONFIG_VALUE_MAX);
			return false;
		}
		if (k->type == CONFIG_LOG_LEVEL && !log_parse_level(v, &lv)) {
			error_set(err, 400, "config_invalida",
			    "%s: se esperaba debug, info, warn o error, "
			    "no «%s»", k->name, v);
			return false;
		}
		if (k->type == CONFIG_DAYS && !config_days_valid(v)) {
			error_set(err, 400, "config_invalida",
			    "%s: se esperaba una lista de días entre 0 y 366 "
			    "separados por comas, como 30,7,1,0; no «%s»",
			    k->name, v);
			return false;
		}
		if (k->type == CONFIG_TIME && !config_time_valid(v)) {
			error_set(err, 400, "config_invalida",
			    "%s: se esperaba una hora HH:MM, no «%s»", k->name,
			    v);
			return false;
		}
		if (k->type == CONFIG_ZONE && !config_zone_valid(v)) {
			error_set(err, 400, "config_invalida",
			    "%s: la zona horaria «%s» no existe; use un nombre "
			    "como America/Mexico_City", k->name, v);
			return false;
		}
		free(*(char **)(void *)p);
		*(char **)(void *)p = xstrdup(v);
		return true;
	}
	return false;
}

bool
config_set(struct config *c, const char *key, const char *value,
    struct error *err)
{
	const struct config_key *k = config_find(key);

	if (k == NULL) {
		error_set(err, 400, "config_invalida", "clave desconocida «%s»",
		    key);
		return false;
	}
	return config_apply(c, k, value, err);
}

void
config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < N_KEYS; i++)
		if (!config_apply(c, &config_keys[i], config_keys[i].def,
		    NULL))
			abort();	/* a bad default is a programming error */
}

void
config_cleanup(struct config *c)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &config_keys[i];

		if (k->type != CONFIG_INT && k->type != CONFIG_BOOL &&
		    k->type != CONFIG_WEEKDAY) {
			char **p = (char **)(void *)((char *)c + k->offset);

			free(*p);
			*p = NULL;
		}
	}
}

static char *
config_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

bool
config_load(struct config *c, const char *path, struct error *err)
{
	FILE *f;
	char line[4096];
	int lineno = 0;
	bool ok = true;

	f = fopen(path, "r");
	if (f == NULL) {
		error_set(err, 400, "config_invalida", "%s: %s", path,
		    strerror(errno));
		return false;
	}
	while (ok && fgets(line, sizeof(line), f) != NULL) {
		char *s, *eq, *key, *value;
		struct error e;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			error_set(err, 400, "config_invalida",
			    "%s:%d: línea demasiado larga", path, lineno);
			ok = false;
			break;
		}
		s = config_trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (eq == NULL) {
			error_set(err, 400, "config_invalida",
			    "%s:%d: se esperaba «clave = valor»", path, lineno);
			ok = false;
			break;
		}
		*eq = '\0';
		key = config_trim(s);
		value = config_trim(eq + 1);
		/* Optional double quotes keep leading or trailing spaces. */
		if (value[0] == '"' && strlen(value) >= 2 &&
		    value[strlen(value) - 1] == '"') {
			value[strlen(value) - 1] = '\0';
			value++;
		}
		if (!config_set(c, key, value, &e)) {
			error_set(err, 400, "config_invalida", "%s:%d: %s",
			    path, lineno, e.message);
			ok = false;
		}
	}
	fclose(f);
	return ok;
}

void
config_reload_into(struct config *dst, const struct config *src)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &config_keys[i];
		const char *s = (const char *)src + k->offset;
		char *d = (char *)dst + k->offset;

		if (!k->reloadable)
			continue;
		switch (k->type) {
		case CONFIG_INT:
		case CONFIG_WEEKDAY:
			*(volatile int *)(void *)d = *(const int *)(const void *)s;
			break;
		case CONFIG_BOOL:
			*(volatile bool *)(void *)d =
			    *(const bool *)(const void *)s;
			break;
		case CONFIG_STRING:
		case CONFIG_LOG_LEVEL:
		case CONFIG_DAYS:
		case CONFIG_TIME:
		case CONFIG_ZONE:
			/*
			 * Reloadable strings are read only by the loop
			 * thread (log_level is applied by main; the reminder
			 * planner and the digest copy their settings into
			 * each job before handing it to a worker), so
			 * swapping the pointer here, on the loop thread, is
			 * safe.
			 */
			free(*(char **)(void *)d);
			*(char **)(void *)d =
			    xstrdup(*(char *const *)(const void *)s);
			break;
		}
	}
}

/*
 * "name = value", in double quotes where the loader would otherwise
 * change the value: blanks at either end (it trims them) or a value
 * that is itself in quotes (it takes one pair off).
 */
static void
config_dump_string(FILE *out, const char *name, const char *v)
{
	size_t n = strlen(v);
	bool quote = n > 0 && (isspace((unsigned char)v[0]) ||
	    isspace((unsigned char)v[n - 1]) ||
	    (n >= 2 && v[0] == '"' && v[n - 1] == '"'));

	fprintf(out, quote ? "%s = \"%s\"\n\n" : "%s = %s\n\n", name, v);
}

void
config_dump(const struct config *c, FILE *out)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &config_keys[i];
		const char *p = (const char *)c + k->offset;

		fprintf(out, "# %s%s\n", k->doc,
		    k->reloadable ? " Reloaded on SIGHUP." : "");
		switch (k->type) {
		case CONFIG_INT:
			fprintf(out, "%s = %d\n\n", k->name,
			    *(const int *)(const void *)p);
			break;
		case CONFIG_BOOL:
			fprintf(out, "%s = %s\n\n", k->name,
			    *(const bool *)(const void *)p ? "yes" : "no");
			break;
		case CONFIG_WEEKDAY:
			/* 1..7, lunes first. */
			fprintf(out, "%s = %s\n\n", k->name, config_dias[
			    (*(const int *)(const void *)p + 6) % 7]);
			break;
		case CONFIG_ZONE:
		case CONFIG_STRING:
		case CONFIG_LOG_LEVEL:
		case CONFIG_DAYS:
		case CONFIG_TIME:
			config_dump_string(out, k->name,
			    *(char *const *)(const void *)p);
			break;
		}
	}
}

bool
config_key_at(int i, const char **name, const char **doc)
{
	if (i < 0 || (size_t)i >= N_KEYS)
		return false;
	*name = config_keys[i].name;
	*doc = config_keys[i].doc;
	return true;
}
