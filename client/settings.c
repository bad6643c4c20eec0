/*
 * Settings of pal: the server url and the token, resolved flag > env >
 * config file > default, and the config file itself, read line by line
 * and written atomically with mode 0600 because it holds a secret.
 *
 * It knows nothing of commands or HTTP; "pal login" checks the token with
 * the server before asking this module to save it.
 */
#include "settings.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "xmalloc.h"

#define SETTINGS_DIR	".config/pal"
#define SETTINGS_FILE	"config"

void
settings_init(struct settings *s)
{
	s->url = NULL;
	s->token = NULL;
	s->json = false;
}

void
settings_cleanup(struct settings *s)
{
	free(s->url);
	free(s->token);
	s->url = s->token = NULL;
}

char *
settings_normalize_url(const char *url, struct error *err)
{
	const char *rest;
	size_t len;

	if (strncasecmp(url, "http://", 7) == 0)
		rest = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		rest = url + 8;
	else {
		error_set(err, 0, "uso",
		    "la URL «%s» debe empezar con http:// o https://", url);
		return NULL;
	}
	for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f) {
			error_set(err, 0, "uso",
			    "la URL no puede tener espacios ni caracteres de "
			    "control");
			return NULL;
		}
	}
	len = strlen(url);
	while (len > (size_t)(rest - url) && url[len - 1] == '/')
		len--;
	if (len == (size_t)(rest - url)) {
		error_set(err, 0, "uso", "la URL «%s» no tiene servidor", url);
		return NULL;
	}
	return xstrndup(url, len);
}

bool
settings_check_token(const char *token, struct error *err)
{
	if (*token == '\0') {
		error_set(err, 0, "uso", "el token está vacío");
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)token; *p; p++) {
		if (*p <= 0x20 || *p >= 0x7f) {
			error_set(err, 0, "uso",
			    "el token solo puede tener caracteres ASCII "
			    "visibles");
			return false;
		}
	}
	return true;
}

char *
settings_config_path(void)
{
	const char *home = getenv("HOME");

	if (home == NULL || *home == '\0')
		return NULL;
	return xasprintf("%s/%s/%s", home, SETTINGS_DIR, SETTINGS_FILE);
}

/* Trims spaces and tabs at both ends, in place. */
static char *
settings_trim(char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n'))
		s[--len] = '\0';
	return s;
}

bool
settings_read_file(const char *path, char **url, char **token,
    struct error *err)
{
	FILE *fp;
	char *line = NULL, *key, *value, *eq;
	size_t cap = 0;
	unsigned lineno = 0;
	struct stat st;
	bool ok = false;

	*url = *token = NULL;
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return true;
		error_set(err, 0, "uso", "no se pudo leer %s: %s", path,
		    strerror(errno));
		return false;
	}
	/* Like ssh, warn (and go on) when others could read the token. */
	if (fstat(fileno(fp), &st) == 0 && (st.st_mode & 077) != 0)
		fprintf(stderr, "aviso: otros usuarios pueden leer %s; "
		    "corríjalo con «chmod 600 %s»\n", path, path);
	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		key = settings_trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			error_set(err, 0, "uso",
			    "%s:%u: falta «=» (se espera «clave = valor»)",
			    path, lineno);
			goto out;
		}
		*eq = '\0';
		key = settings_trim(key);
		value = settings_trim(eq + 1);
		if (*value == '\0') {
			error_set(err, 0, "uso", "%s:%u: «%s» no tiene valor",
			    path, lineno, key);
			goto out;
		}
		if (strcmp(key, "url") == 0) {
			free(*url);
			*url = xstrdup(value);
		} else if (strcmp(key, "token") == 0) {
			free(*token);
			*token = xstrdup(value);
		} else {
			error_set(err, 0, "uso",
			    "%s:%u: clave desconocida «%s» (se admiten url y "
			    "token)", path, lineno, key);
			goto out;
		}
	}
	if (ferror(fp)) {
		error_set(err, 0, "uso", "no se pudo leer %s: %s", path,
		    strerror(errno));
		goto out;
	}
	ok = true;
out:
	if (!ok) {
		free(*url);
		free(*token);
		*url = *token = NULL;
	}
	free(line);
	fclose(fp);
	return ok;
}

/* Empty environment variables are treated as unset. */
static const char *
settings_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

bool
settings_load(struct settings *s, const char *flag_url,
    const char *flag_token, struct error *err)
{
	const char *url, *token;
	char *path, *file_url = NULL, *file_token = NULL;
	bool ok = false;

	url = flag_url != NULL ? flag_url : settings_env("PAL_URL");
	token = flag_token != NULL ? flag_token : settings_env("PAL_TOKEN");

	/* The file is only read when something is still missing. */
	if ((url == NULL || token == NULL) &&
	    (path = settings_config_path()) != NULL) {
		bool read = settings_read_file(path, &file_url, &file_token,
		    err);

		free(path);
		if (!read)
			return false;
	}
	if (url == NULL)
		url = file_url != NULL ? file_url : SETTINGS_DEFAULT_URL;
	if (token == NULL)
		token = file_token;

	free(s->url);
	free(s->token);
	s->token = NULL;
	if ((s->url = settings_normalize_url(url, err)) == NULL)
		goto out;
	if (token != NULL) {
		if (!settings_check_token(token, err))
			goto out;
		s->token = xstrdup(token);
	}
	ok = true;
out:
	free(file_url);
	free(file_token);
	return ok;
}

/* Creates dir with mode 0700 unless it exists already. */
static bool
settings_mkdir(const char *dir, struct error *err)
{
	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return true;
	error_set(err, 0, "local", "no se pudo crear el directorio %s: %s",
	    dir, strerror(errno));
	return false;
}

bool
settings_write_file(const char *url, const char *token, struct error *err)
{
	const char *home = getenv("HOME");
	char *config_dir = NULL, *pal_dir = NULL, *path = NULL, *tmp = NULL;
	struct buf text;
	size_t off = 0;
	ssize_t n;
	int fd = -1, dfd;
	bool ok = false, created = false;

	buf_init(&text);
	if (home == NULL || *home == '\0') {
		error_set(err, 0, "local",
		    "HOME no está definido: no hay dónde guardar la "
		    "configuración");
		goto out;
	}
	config_dir = xasprintf("%s/.config", home);
	pal_dir = xasprintf("%s/%s", home, SETTINGS_DIR);
	path = xasprintf("%s/%s", pal_dir, SETTINGS_FILE);
	tmp = xasprintf("%s/.%s.XXXXXX", pal_dir, SETTINGS_FILE);
	if (!settings_mkdir(config_dir, err) || !settings_mkdir(pal_dir, err))
		goto out;

	/* mkstemp creates the file with mode 0600; fchmod says it again. */
	if ((fd = mkstemp(tmp)) != -1)
		created = true;
	if (fd == -1 || fchmod(fd, 0600) == -1) {
		error_set(err, 0, "local", "no se pudo crear %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	buf_printf(&text,
	    "# Escrito por «pal login». Contiene un token secreto.\n"
	    "url = %s\ntoken = %s\n", url, token);
	while (off < text.len) {
		n = write(fd, text.data + off, text.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			error_set(err, 0, "local", "no se pudo escribir %s: %s",
			    tmp, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		error_set(err, 0, "local", "no se pudo escribir %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		error_set(err, 0, "local", "no se pudo renombrar %s a %s: %s",
		    tmp, path, strerror(errno));
		goto out;
	}
	/* Make the rename itself durable; failing here loses nothing. */
	if ((dfd = open(pal_dir, O_RDONLY | O_DIRECTORY)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	ok = true;
out:
	if (fd != -1)
		close(fd);
	if (!ok && created)
		(void)unlink(tmp);
	buf_cleanup(&text);
	free(tmp);
	free(path);
	free(pal_dir);
	free(config_dir);
	return ok;
}
