/*
 * Target "config": the input is a whole configuration file, handed to
 * config_load through a memfd. It must never crash or leak; a refusal is
 * 400 "config_invalida" with a valid UTF-8 message of the form
 * "path:N: reason" naming a line of the file; an accepted file dumps
 * (config_dump) under ASan and UBSan.
 *
 * The dump must also load again and hold the same values: string values
 * with blanks at either end or in double quotes are written quoted
 * (corpus/config/roundtrip-quoted-spaces), and no accepted value is too
 * long for the loader's line once dumped as "key = value"
 * (corpus/config/roundtrip-long-line).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

/* The file as a path config_load can open; the fd is the caller's. */
static int
fc_file(const void *data, size_t size, char *path, size_t path_size)
{
	int fd = memfd_create("pald.conf", 0);

	if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, path_size, "/proc/self/fd/%d", fd);
	return fd;
}

static size_t
fc_lines(const uint8_t *data, size_t size)
{
	size_t n = 1;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

static void
fc_check_refusal(const struct error *err, const char *path, size_t lines)
{
	size_t plen = strlen(path);
	char *end;
	long line;

	FUZZ_ASSERT(err->status == 400 &&
	    strcmp(err->code, "config_invalida") == 0,
	    "refusal is %d %s", err->status, err->code);
	FUZZ_ASSERT(fuzz_utf8_ok(err->message, strlen(err->message)),
	    "message is not UTF-8: %s", err->message);
	FUZZ_ASSERT(strncmp(err->message, path, plen) == 0 &&
	    err->message[plen] == ':', "message does not name the file: %s",
	    err->message);
	line = strtol(err->message + plen + 1, &end, 10);
	FUZZ_ASSERT(end != err->message + plen + 1 && *end == ':' &&
	    line >= 1 && (size_t)line <= lines,
	    "message does not name one of the %zu lines: %s", lines,
	    err->message);
}

static void
fc_check_dump(const struct config *c)
{
	struct config again;
	struct error err;
	char *text = NULL, path[64];
	size_t len = 0;
	FILE *mem;
	int fd;
	bool reloaded;

	mem = open_memstream(&text, &len);
	if (mem == NULL)
		abort();
	config_dump(c, mem);
	fclose(mem);
	fd = fc_file(text, len, path, sizeof(path));
	config_init(&again);
	memset(&err, 0, sizeof(err));
	reloaded = config_load(&again, path, &err);
	FUZZ_ASSERT(reloaded, "the dump of an accepted file is refused: %s",
	    err.message);
	{
		char *text2 = NULL;
		size_t len2 = 0;

		mem = open_memstream(&text2, &len2);
		if (mem == NULL)
			abort();
		config_dump(&again, mem);
		fclose(mem);
		FUZZ_ASSERT(len == len2 && memcmp(text, text2, len) == 0,
		    "the dump reads back with other values");
		free(text2);
	}
	config_cleanup(&again);
	close(fd);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct error err;
	char path[64];
	int fd;

	fd = fc_file(data, size, path, sizeof(path));
	config_init(&c);
	memset(&err, 0, sizeof(err));
	if (config_load(&c, path, &err))
		fc_check_dump(&c);
	else
		fc_check_refusal(&err, path, fc_lines(data, size));
	config_cleanup(&c);
	close(fd);
	return 0;
}
