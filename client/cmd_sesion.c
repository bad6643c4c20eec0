/*
 * The commands of the session: sesion abrir and ver, aportacion agregar.
 * The minutes are printed the same way whichever command returned them.
 */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "api.h"
#include "output.h"
#include "xmalloc.h"

/* The minutes: attendees, then every contribution in order. */
static void
cmd_sesion_print_sesion(const json_t *acta, const struct commands_args *a)
{
	const json_t *asistentes = json_object_get(acta, "asistentes");
	const json_t *aportaciones = json_object_get(acta, "aportaciones");
	const json_t *v;
	size_t i;

	(void)a;
	output_line(stdout, "Sesión de la mesa %" JSON_INTEGER_FORMAT ", %s "
	    "(%s).", cmd_int(acta, "mesa_id"), cmd_str(acta, "fecha"),
	    json_is_true(json_object_get(acta, "abierta")) ? "abierta" :
	    "cerrada");
	printf("\nAsistentes (%zu):\n", json_array_size(asistentes));
	json_array_foreach(asistentes, i, v) {
		const char *org = json_string_value(json_object_get(v,
		    "organizacion"));

		output_line(stdout, "  - %s (%s%s%s)",
		    cmd_str(v, "nombre"),
		    cmd_label(json_string_value(json_object_get(v,
		    "sector"))), org != NULL ? ", " : "",
		    org != NULL ? org : "");
	}
	if (json_array_size(aportaciones) == 0) {
		printf("\nAportaciones: ninguna todavía.\n");
		return;
	}
	printf("\nAportaciones (%zu):\n", json_array_size(aportaciones));
	json_array_foreach(aportaciones, i, v)
		output_line(stdout, "  %" JSON_INTEGER_FORMAT ". [%s] %s: %s",
		    cmd_int(v, "orden"),
		    cmd_label(json_string_value(json_object_get(v,
		    "tipo"))), cmd_str(v, "actor"),
		    cmd_str(v, "texto"));
}

int
cmd_sesion_abrir(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/sesion");
	json_t *body;
	int rc;

	body = json_pack("{s:o}", "asistentes",
	    cmd_numbers(commands_opt(a, "asistentes")));
	rc = cmd_run(s, a, "POST", path, body, NULL,
	    cmd_sesion_print_sesion);
	json_decref(body);
	free(path);
	return rc;
}

int
cmd_sesion_ver(const struct settings *s, const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/sesion");
	int rc;

	rc = cmd_run(s, a, "GET", path, NULL, NULL,
	    cmd_sesion_print_sesion);
	free(path);
	return rc;
}

static void
cmd_sesion_print_aportacion(const json_t *ap, const struct commands_args *a)
{
	output_line(stdout, "Aportación %" JSON_INTEGER_FORMAT " registrada en "
	    "la minuta de la mesa %" JSON_INTEGER_FORMAT ": [%s] %s.",
	    cmd_int(ap, "orden"), cmd_number(a->args[0]),
	    cmd_label(json_string_value(json_object_get(ap, "tipo"))),
	    cmd_str(ap, "actor"));
}

int
cmd_aportacion_agregar(const struct settings *s,
    const struct commands_args *a)
{
	char *path = cmd_mesa_path(a, "/aportaciones");
	json_t *body = json_pack("{s:I, s:s, s:s}",
	    "actor", cmd_number(commands_opt(a, "actor")),
	    "tipo", commands_opt(a, "tipo"),
	    "texto", a->args[1]);
	int rc;

	rc = cmd_run(s, a, "POST", path, body, NULL,
	    cmd_sesion_print_aportacion);
	json_decref(body);
	free(path);
	return rc;
}
