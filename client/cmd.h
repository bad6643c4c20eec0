/*
 * The handlers of pal's commands and what they share. commands.c holds
 * the table that points at the handlers; each cmd_<group>.c defines the
 * handlers of a few related nouns, and cmd.c the helpers every handler
 * uses: one request and its reply, the labels of the API's words, local
 * files. Private to the client: only commands.c and the cmd_*.c files
 * include it.
 *
 * A handler is named cmd_<noun>_<verb> after its command, whichever file
 * holds it, so that "grep '^cmd_pal_cerrar('" finds it; every other
 * function of a cmd_<group>.c is static and starts with its file's stem.
 */
#ifndef PAL_CMD_H
#define PAL_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api.h"
#include "buf.h"
#include "commands.h"
#include "error.h"
#include "settings.h"

/* Local files read into memory; the server has its own, lower cap. */
#define CMD_MAX_FILE	(256u * 1024 * 1024)

/* cmd_usuario.c: the session, the server, users and the outbox. */
commands_fn cmd_login;
commands_fn cmd_estado;
commands_fn cmd_usuario_crear;
commands_fn cmd_usuario_listar;
commands_fn cmd_correo_listar;
commands_fn cmd_correo_probar;

/* cmd_mesa.c: mesas and their actores. */
commands_fn cmd_mesa_crear;
commands_fn cmd_mesa_listar;
commands_fn cmd_mesa_ver;
commands_fn cmd_mesa_linea_tiempo;
commands_fn cmd_mesa_programar;
commands_fn cmd_actor_agregar;
commands_fn cmd_actor_listar;
commands_fn cmd_actor_revocar_enlaces;
commands_fn cmd_mesa_recordatorios;

/* cmd_material.c: materiales and acuses. */
commands_fn cmd_material_agregar;
commands_fn cmd_material_listar;
commands_fn cmd_material_descargar;
commands_fn cmd_material_enviar;
commands_fn cmd_acuse_registrar;

/* cmd_sesion.c: the session and its minutes. */
commands_fn cmd_sesion_abrir;
commands_fn cmd_sesion_ver;
commands_fn cmd_aportacion_agregar;

/* cmd_pal.c: the acuerdos (compromisos, actividades, criterios), the PAL. */
commands_fn cmd_compromiso_agregar;
commands_fn cmd_compromiso_editar;
commands_fn cmd_compromiso_listar;
commands_fn cmd_actividad_agregar;
commands_fn cmd_criterio_atestiguar;
commands_fn cmd_pal_validar;
commands_fn cmd_pal_cerrar;
commands_fn cmd_pal_ver;
commands_fn cmd_pal_pdf;
commands_fn cmd_pal_reabrir;
commands_fn cmd_pal_enviar;
commands_fn cmd_pal_datos;
commands_fn cmd_pal_evidencia;
commands_fn cmd_conformidad_registrar;

/* cmd_seguimiento.c: progress reports and reminders. */
commands_fn cmd_actividad_avance;
commands_fn cmd_actividad_avances;
commands_fn cmd_recordatorios_ejecutar;
commands_fn cmd_resumenes_ejecutar;

/* cmd_monitoreo.c: the garante's monitoring and its export. */
commands_fn cmd_monitoreo;

/* cmd_feed.c: calendar feeds of deadlines. */
commands_fn cmd_feed_crear;
commands_fn cmd_feed_revocar;

/* Requests and replies (cmd.c). */

/* Prints the body as it came, ended by a newline, for --json. */
void	 cmd_print_body(const struct api_response *r);

/*
 * Reports a request that got no reply (replied false) or a reply that is
 * not 2xx on stderr, and returns the exit code for it; PAL_EXIT_OK for a
 * 2xx reply, which the caller prints. Under --json a JSON error body also
 * goes to stdout, so scripts can read the error code.
 */
int	 cmd_check(const struct settings *s, bool replied,
	    const struct api_response *r);

/* api_request (body borrowed, may be NULL) and then cmd_check. */
int	 cmd_call(const struct settings *s, const char *method,
	    const char *path, json_t *body, struct api_response *r);

/*
 * The reply's JSON object (borrowed from r), with member key an array
 * when key is given, or NULL after saying on stderr that the reply is not
 * what this pal expects.
 */
const json_t *cmd_expect(const struct api_response *r, const char *key);

/*
 * Prints a reply for people; reply is the borrowed JSON object whose
 * shape cmd_finish checked, a the command line.
 */
typedef void cmd_print_fn(const json_t *reply,
    const struct commands_args *a);

/*
 * Finishes a request: reports a failure, prints the body as received
 * under --json, or checks that the reply is an object (with member key an
 * array when key is given) and hands it to print. Returns the exit code.
 */
int	 cmd_finish(const struct settings *s, const struct commands_args *a,
	    bool replied, const struct api_response *r, const char *key,
	    cmd_print_fn *print);

/* One JSON request (body borrowed, may be NULL) and its reply printed. */
int	 cmd_run(const struct settings *s, const struct commands_args *a,
	    const char *method, const char *path, json_t *body,
	    const char *key, cmd_print_fn *print);

/* Arguments. */

/* The value of a number commands_parse has checked already. */
json_int_t cmd_number(const char *s);

/*
 * The numbers of a list "3,4,5" commands_parse has checked already
 * (COMMANDS_NUMBERS), as a new JSON array.
 */
json_t	*cmd_numbers(const char *s);

/* "/v1/mesas/<MESA>" followed by rest, owned; MESA is a->args[0]. */
char	*cmd_mesa_path(const struct commands_args *a, const char *rest);

/* The last component of path (borrowed from it), "" when it ends in '/'. */
const char *cmd_basename(const char *path);

/* Reading replies. */

/* The label of a word of the API for people; "-" for NULL. Static. */
const char *cmd_label(const char *code);

/* The string member key of obj (borrowed), or "-" when it is not one. */
const char *cmd_str(const json_t *obj, const char *key);

/* The integer member key of obj, 0 when it is not one. */
json_int_t cmd_int(const json_t *obj, const char *key);

/* "nombre" of the object member key, such as autor or facilitador. */
const char *cmd_name_of(const json_t *obj, const char *key);

/* "1 material", "2 materiales": n and the right form of the noun. Owned. */
char	*cmd_count(json_int_t n, const char *one, const char *many);

/* "812 bytes", "12.3 KiB", "4.0 MiB". Owned. */
char	*cmd_size(json_int_t n);

/* The text of b, owned, with b released. */
char	*cmd_steal(struct buf *b);

/* Local files. */

/* The Spanish words for an errno value ("no existe"). Static. */
const char *cmd_errno_text(int e);

/*
 * Reads a whole regular file into out (initialised; appended to), or
 * false with err naming it (code "uso"); at most CMD_MAX_FILE bytes.
 */
bool	 cmd_read_file(const char *path, struct buf *out, struct error *err);

/* The media type of a file from its extension; octet-stream if unknown. */
const char *cmd_media_type(const char *filename);

/*
 * Writes data[0..len) to a new file at path, or to standard output for
 * "-". An existing file is never replaced (O_EXCL), and a file left half
 * written is removed. False with err (code "uso").
 */
bool	 cmd_write_new(const char *path, const void *data, size_t len,
	    struct error *err);

/*
 * True, after saying so on stderr, when path names a file that exists
 * already ("-" never does): a download checks this before it starts,
 * since cmd_write_new would refuse it at the end anyway.
 */
bool	 cmd_output_exists(const char *path);

#endif
