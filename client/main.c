/*
 * pal, the command-line client of pald. This file only brackets the
 * program with libcurl's global setup, which must happen once and before
 * any thread exists; everything else starts in commands.c (the table)
 * and the cmd_*.c files (the handlers).
 */
#include "commands.h"

#include "api.h"

#include <curl/curl.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "error: no se pudo iniciar libcurl\n");
		return PAL_EXIT_UNAVAILABLE;
	}
	rc = commands_main(argc, argv);
	curl_global_cleanup();
	return rc;
}
