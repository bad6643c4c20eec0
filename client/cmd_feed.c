/*
 * pal feed crear and pal feed revocar: the calendar feeds of deadlines.
 * crear prints the feed's URL, the only time its token is shown, for
 * the person to paste into a calendar program; revocar takes that URL
 * or the bare token.
 *
 * Who may create which feed, and whether an address is valid, is the
 * server's to say: the client sends what it was given.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

static void
cmd_feed_print_crear(const json_t *reply, const struct commands_args *a)
{
	const char *email = json_string_value(json_object_get(reply,
	    "email"));

	(void)a;
	if (email != NULL)
		printf("Calendario de las fechas límite de %s:\n", email);
	else
		printf("Calendario de las fechas límite que monitorea:\n");
	printf("%s\n", cmd_str(reply, "url"));
	printf("Suscríbase a este enlace desde su programa de calendario; "
	    "no se volverá a mostrar.\n");
}

int
cmd_feed_crear(const struct settings *s, const struct commands_args *a)
{
	const char *email = commands_opt(a, "email");
	json_t *body = json_object();
	int rc;

	if (email != NULL)
		json_object_set_new(body, "email", json_string(email));
	rc = cmd_run(s, a, "POST", "/v1/feeds", body, NULL,
	    cmd_feed_print_crear);
	json_decref(body);
	return rc;
}

static void
cmd_feed_print_revocar(const json_t *reply, const struct commands_args *a)
{
	(void)reply;
	(void)a;
	printf("Calendario revocado: su enlace ya no funciona.\n");
}

int
cmd_feed_revocar(const struct settings *s, const struct commands_args *a)
{
	json_t *body = json_pack("{s:s}", "token", a->args[0]);
	int rc;

	if (body == NULL)
		return commands_usage_error(a->entry, "el token o la URL no "
		    "es texto UTF-8 válido");
	rc = cmd_run(s, a, "POST", "/v1/feeds/revocar", body, NULL,
	    cmd_feed_print_revocar);
	json_decref(body);
	return rc;
}
