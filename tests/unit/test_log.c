/*
 * Unit tests for common/log.c's holding: held lines reach stderr only on
 * log_flush or before a WARN or ERROR line, always in the order they
 * were logged, and nothing is lost when the buffer fills.
 */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

static int saved_stderr = -1;
static char path[] = "/tmp/pald-test-log.XXXXXX";

static void
capture(void)
{
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	saved_stderr = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	log_level_min = LG_DEBUG;
}

static void
release(void)
{
	log_flush();
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	unlink(path);
	log_level_min = LG_INFO;
}

/* What stderr has received so far (owned). */
static char *
written(void)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 1 << 20);
	size_t n;

	cr_assert_not_null(f);
	n = fread(s, 1, (1 << 20) - 1, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

TestSuite(log, .init = capture, .fini = release);

Test(log, held_lines_wait_for_the_flush)
{
	char *s;

	log_hold();
	log_info("uno");
	log_debug("dos");
	s = written();
	cr_assert_str_empty(s, "held lines were written: %s", s);
	free(s);
	log_flush();
	s = written();
	cr_assert(strstr(s, "INFO uno\n") != NULL, "%s", s);
	cr_assert(strstr(s, "DEBUG dos\n") > strstr(s, "INFO uno"), "%s", s);
	free(s);
	/* Not holding any more: a line goes out at once. */
	log_info("tres");
	s = written();
	cr_assert(strstr(s, "INFO tres\n") != NULL, "%s", s);
	free(s);
}

Test(log, a_warning_goes_out_at_once_after_what_was_held)
{
	char *s, *uno, *aviso;

	log_hold();
	log_info("uno");
	log_warn("aviso");
	s = written();
	uno = strstr(s, "INFO uno\n");
	aviso = strstr(s, "WARN aviso\n");
	cr_assert(uno != NULL && aviso != NULL && uno < aviso, "%s", s);
	free(s);
}

Test(log, a_full_buffer_loses_nothing)
{
	char *s;
	int n = 0;

	log_hold();
	for (int i = 0; i < 2000; i++)
		log_info("línea %04d de relleno para llenar el búfer", i);
	log_flush();
	s = written();
	for (char *p = s; (p = strstr(p, "de relleno")) != NULL; p++)
		n++;
	cr_assert_eq(n, 2000);
	cr_assert(strstr(s, "línea 1999") > strstr(s, "línea 0000"));
	free(s);
}
