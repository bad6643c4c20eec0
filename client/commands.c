/*
 * The commands of pal and the one table that lists them. The table drives
 * dispatch, option parsing and every help text; each handler builds one
 * request, checks the shape of the reply and prints it through output.c
 * (or prints the server's JSON as received under --json).
 *
 * Handlers do not validate what the server validates (emails, lengths,
 * whether a date is in the past): the table gives each value a kind (an
 * id, a date, one of a few words) that commands_parse checks, so a typo
 * ends in exit 1 before any request, and everything else is left to the
 * server's Spanish error messages.
 */
#include "commands.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "api.h"
#include "buf.h"
#include "output.h"
#include "xmalloc.h"

#ifndef PALD_VERSION
#define PALD_VERSION	"desconocida"
#endif

/* Local files sent inside a JSON body; the server has its own, lower cap. */
#define COMMANDS_MAX_FILE	(256u * 1024 * 1024)

static commands_fn cmd_login;
static commands_fn cmd_estado;
static commands_fn cmd_usuario_crear;
static commands_fn cmd_usuario_listar;
static commands_fn cmd_correo_listar;
static commands_fn cmd_correo_probar;
static commands_fn cmd_mesa_crear;
static commands_fn cmd_mesa_listar;
static commands_fn cmd_mesa_ver;
static commands_fn cmd_mesa_linea_tiempo;
static commands_fn cmd_mesa_programar;
static commands_fn cmd_actor_agregar;
static commands_fn cmd_actor_listar;
static commands_fn cmd_actor_revocar_enlaces;
static commands_fn cmd_material_agregar;
static commands_fn cmd_material_listar;
static commands_fn cmd_material_descargar;
static commands_fn cmd_material_enviar;
static commands_fn cmd_acuse_registrar;
static commands_fn cmd_sesion_abrir;
static commands_fn cmd_sesion_ver;
static commands_fn cmd_aportacion_agregar;

/* The words the server accepts, as docs/API.md lists them. */
static const char *const commands_roles[] = { "facilitador", "garante",
    "admin", NULL };
static const char *const commands_estados_correo[] = { "pendiente",
    "enviado", "fallido", NULL };
static const char *const commands_fases[] = { "preparacion", "convocada",
    "en_sesion", "acuerdos", "firmada", "en_seguimiento", "concluida",
    "suspendida", "cancelada", NULL };
static const char *const commands_sectores[] = { "sociedad_civil",
    "institucion_publica", "organismo_garante", "stl", NULL };
static const char *const commands_tipos_material[] = { "problematicas",
    "criterios_minimos", "soluciones", "compromisos_preliminares",
    "consulta_publica", "solicitudes_informacion", "estadisticas",
    "estudios", "otro", NULL };
static const char *const commands_tipos_aportacion[] = { "duda",
    "aportacion", "retroalimentacion", NULL };

/* The argument every command of a mesa starts with. */
#define COMMANDS_MESA	{ .name = "MESA", .kind = COMMANDS_NUMBER }

const struct commands_entry commands_table[] = {
	{
		.noun = "login", .verb = NULL,
		.usage = "URL TOKEN",
		.summary = "Comprueba el token con el servidor y lo guarda en "
		    "~/.config/pal/config.",
		.min_args = 2, .max_args = 2,
		.own_settings = true,
		.handler = cmd_login,
	},
	{
		.noun = "estado", .verb = NULL,
		.usage = "",
		.summary = "Muestra el servidor, su versión, su base de datos "
		    "y su usuario.",
		.handler = cmd_estado,
	},
	{
		.noun = "usuario", .verb = "crear",
		.usage = "--nombre N --email E --rol facilitador|garante|admin "
		    "[--entidad E]",
		.summary = "Crea un usuario y muestra su token una sola vez.",
		.needs_token = true,
		.handler = cmd_usuario_crear,
		.options = {
			{ .name = "nombre", .has_value = true,
			    .required = true },
			{ .name = "email", .has_value = true,
			    .required = true },
			{ .name = "rol", .has_value = true, .required = true,
			    .kind = COMMANDS_CHOICE,
			    .choices = commands_roles },
			{ .name = "entidad", .has_value = true },
		},
	},
	{
		.noun = "usuario", .verb = "listar",
		.usage = "",
		.summary = "Lista los usuarios.",
		.needs_token = true,
		.handler = cmd_usuario_listar,
	},
	{
		.noun = "correo", .verb = "listar",
		.usage = "[--estado pendiente|enviado|fallido] [--limite N]",
		.summary = "Lista los correos de la bandeja de salida.",
		.needs_token = true,
		.handler = cmd_correo_listar,
		.options = {
			{ .name = "estado", .has_value = true,
			    .kind = COMMANDS_CHOICE,
			    .choices = commands_estados_correo },
			{ .name = "limite", .has_value = true,
			    .kind = COMMANDS_NUMBER },
		},
	},
	{
		.noun = "correo", .verb = "probar",
		.usage = "EMAIL [--adjunto ARCHIVO]",
		.summary = "Encola un correo de prueba, con un adjunto si se "
		    "indica.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_correo_probar,
		.options = {
			{ .name = "adjunto", .has_value = true },
		},
	},
	{
		.noun = "mesa", .verb = "crear",
		.usage = "--titulo T --entidad E [--municipio M] "
		    "[--zona-horaria TZ]",
		.summary = "Crea una mesa de diálogo, en preparación, a su "
		    "cargo.",
		.needs_token = true,
		.handler = cmd_mesa_crear,
		.options = {
			{ .name = "titulo", .has_value = true,
			    .required = true },
			{ .name = "entidad", .has_value = true,
			    .required = true },
			{ .name = "municipio", .has_value = true },
			{ .name = "zona-horaria", .has_value = true },
		},
	},
	{
		.noun = "mesa", .verb = "listar",
		.usage = "[--entidad E] [--fase F]",
		.summary = "Lista las mesas que puede consultar.",
		.needs_token = true,
		.handler = cmd_mesa_listar,
		.options = {
			{ .name = "entidad", .has_value = true },
			{ .name = "fase", .has_value = true,
			    .kind = COMMANDS_CHOICE,
			    .choices = commands_fases },
		},
	},
	{
		.noun = "mesa", .verb = "ver",
		.usage = "MESA",
		.summary = "Muestra una mesa, lo que falta para programarla y "
		    "el siguiente paso.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_mesa_ver,
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "mesa", .verb = "linea-tiempo",
		.usage = "MESA",
		.summary = "Muestra la línea de tiempo de la mesa: qué pasó, "
		    "cuándo y quién lo hizo.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_mesa_linea_tiempo,
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "mesa", .verb = "programar",
		.usage = "MESA --fecha AAAA-MM-DD --hora HH:MM --lugar L",
		.summary = "Fija fecha, hora y lugar y convoca; se niega si "
		    "faltan acuses o plazo.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_mesa_programar,
		.options = {
			{ .name = "fecha", .has_value = true, .required = true,
			    .kind = COMMANDS_DATE },
			{ .name = "hora", .has_value = true, .required = true,
			    .kind = COMMANDS_TIME },
			{ .name = "lugar", .has_value = true,
			    .required = true },
		},
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "actor", .verb = "agregar",
		.usage = "MESA --nombre N --email E --sector S "
		    "[--organizacion O] [--cargo C]",
		.summary = "Agrega un actor a la mesa.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_actor_agregar,
		.options = {
			{ .name = "nombre", .has_value = true,
			    .required = true },
			{ .name = "email", .has_value = true,
			    .required = true },
			{ .name = "sector", .has_value = true,
			    .required = true, .kind = COMMANDS_CHOICE,
			    .choices = commands_sectores },
			{ .name = "organizacion", .has_value = true },
			{ .name = "cargo", .has_value = true },
		},
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "actor", .verb = "listar",
		.usage = "MESA",
		.summary = "Lista los actores de la mesa y cuántos materiales "
		    "ha recibido cada uno.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_actor_listar,
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "actor", .verb = "revocar-enlaces",
		.usage = "MESA ACTOR",
		.summary = "Revoca todos los enlaces personales de un actor de "
		    "la mesa.",
		.min_args = 2, .max_args = 2,
		.needs_token = true,
		.handler = cmd_actor_revocar_enlaces,
		.positional = { COMMANDS_MESA,
		    { .name = "ACTOR", .kind = COMMANDS_NUMBER } },
	},
	{
		.noun = "material", .verb = "agregar",
		.usage = "MESA --actor A --tipo T --titulo T "
		    "[--fecha AAAA-MM-DD] (ARCHIVO | --texto TEXTO)",
		.summary = "Agrega un material entregado por un actor, de un "
		    "archivo o de un texto.",
		.min_args = 1, .max_args = 2,
		.needs_token = true,
		.handler = cmd_material_agregar,
		.options = {
			{ .name = "actor", .has_value = true,
			    .required = true, .kind = COMMANDS_NUMBER },
			{ .name = "tipo", .has_value = true, .required = true,
			    .kind = COMMANDS_CHOICE,
			    .choices = commands_tipos_material },
			{ .name = "titulo", .has_value = true,
			    .required = true },
			{ .name = "fecha", .has_value = true,
			    .kind = COMMANDS_DATE },
			{ .name = "texto", .has_value = true },
		},
		.positional = { COMMANDS_MESA, { .name = "ARCHIVO" } },
	},
	{
		.noun = "material", .verb = "listar",
		.usage = "MESA",
		.summary = "Lista los materiales de la mesa, quién los recibió "
		    "y a quién le faltan.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_material_listar,
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "material", .verb = "descargar",
		.usage = "MESA MATERIAL [-o ARCHIVO]",
		.summary = "Guarda un material en un archivo nuevo (nunca "
		    "sobrescribe).",
		.min_args = 2, .max_args = 2,
		.needs_token = true,
		.handler = cmd_material_descargar,
		.options = {
			{ .name = "salida", .short_name = 'o',
			    .has_value = true },
		},
		.positional = { COMMANDS_MESA,
		    { .name = "MATERIAL", .kind = COMMANDS_NUMBER } },
	},
	{
		.noun = "material", .verb = "enviar",
		.usage = "MESA",
		.summary = "Envía a cada actor, por correo, los materiales que "
		    "le faltan.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_material_enviar,
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "acuse", .verb = "registrar",
		.usage = "MESA --actor A --material M --medio TEXTO "
		    "[--fecha AAAA-MM-DD]",
		.summary = "Registra que un actor recibió un material por otro "
		    "medio.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_acuse_registrar,
		.options = {
			{ .name = "actor", .has_value = true,
			    .required = true, .kind = COMMANDS_NUMBER },
			{ .name = "material", .has_value = true,
			    .required = true, .kind = COMMANDS_NUMBER },
			{ .name = "medio", .has_value = true,
			    .required = true },
			{ .name = "fecha", .has_value = true,
			    .kind = COMMANDS_DATE },
		},
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "sesion", .verb = "abrir",
		.usage = "MESA --asistentes A,B,...",
		.summary = "Abre la sesión de la mesa convocada y registra a "
		    "los actores presentes.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_sesion_abrir,
		.options = {
			{ .name = "asistentes", .has_value = true,
			    .required = true, .kind = COMMANDS_NUMBERS },
		},
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "sesion", .verb = "ver",
		.usage = "MESA",
		.summary = "Muestra la minuta de la sesión: asistentes y "
		    "aportaciones en orden.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_sesion_ver,
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "aportacion", .verb = "agregar",
		.usage = "MESA --actor A --tipo duda|aportacion|"
		    "retroalimentacion TEXTO",
		.summary = "Registra una duda, aportación o retroalimentación "
		    "en la minuta.",
		.min_args = 2, .max_args = 2,
		.needs_token = true,
		.handler = cmd_aportacion_agregar,
		.options = {
			{ .name = "actor", .has_value = true,
			    .required = true, .kind = COMMANDS_NUMBER },
			{ .name = "tipo", .has_value = true, .required = true,
			    .kind = COMMANDS_CHOICE,
			    .choices = commands_tipos_aportacion },
		},
		.positional = { COMMANDS_MESA, { .name = "TEXTO" } },
	},
	{ .noun = NULL },
};

/* How people read the words above; a word not listed reads as itself. */
static const struct {
	const char	*code;
	const char	*label;
} commands_labels[] = {
	{ "preparacion", "preparación" },
	{ "en_sesion", "en sesión" },
	{ "en_seguimiento", "en seguimiento" },
	{ "sociedad_civil", "sociedad civil" },
	{ "institucion_publica", "institución pública" },
	{ "organismo_garante", "organismo garante" },
	{ "stl", "STL" },
	{ "problematicas", "problemáticas" },
	{ "criterios_minimos", "criterios mínimos" },
	{ "compromisos_preliminares", "compromisos preliminares" },
	{ "consulta_publica", "consulta pública" },
	{ "solicitudes_informacion", "solicitudes de información" },
	{ "estadisticas", "estadísticas" },
	{ "aportacion", "aportación" },
	{ "retroalimentacion", "retroalimentación" },
};

/* Options pal takes before the noun, named in a hint when given after. */
static const char *const commands_globals[] = { "url", "token", "json" };

/* Usage and help. */

/*
 * Prints text broken at spaces into lines of about width bytes (usage
 * texts are ASCII), continuation lines starting with indent. A space
 * inside [] or () does not break, so "[--fecha AAAA-MM-DD]" stays whole.
 */
static void
commands_wrap(FILE *fp, const char *text, size_t width, const char *indent)
{
	size_t col = 0, gap = 0;

	while (*text != '\0') {
		size_t word = 0;
		int depth = 0;

		for (; text[word] != '\0' && (text[word] != ' ' || depth > 0);
		    word++) {
			if (text[word] == '[' || text[word] == '(')
				depth++;
			else if ((text[word] == ']' || text[word] == ')') &&
			    depth > 0)
				depth--;
		}

		/* The spaces before a word go out only if it stays here. */
		if (col > 0 && col + gap + word > width) {
			fprintf(fp, "\n%s", indent);
			col = strlen(indent);
		} else
			for (col += gap; gap > 0; gap--)
				fputc(' ', fp);
		fwrite(text, 1, word, fp);
		col += word;
		text += word;
		gap = strspn(text, " ");
		text += gap;
	}
	fputc('\n', fp);
}

static void
commands_print_usage(FILE *fp, const char *prefix,
    const struct commands_entry *e)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%spal %s", prefix, e->noun);
	if (e->verb != NULL)
		buf_printf(&b, " %s", e->verb);
	if (*e->usage != '\0')
		buf_printf(&b, " %s", e->usage);
	commands_wrap(fp, b.data, 79, "        ");
	buf_cleanup(&b);
}

static void
commands_print_entry(FILE *fp, const struct commands_entry *e)
{
	commands_print_usage(fp, "  ", e);
	fprintf(fp, "      %s\n", e->summary);
}

static void
commands_help_all(FILE *fp)
{
	fprintf(fp,
	    "uso: pal [--url URL] [--token TOKEN] [--json] ORDEN [VERBO] "
	    "[ARGUMENTOS]\n"
	    "\n"
	    "Opciones globales (antes de la orden):\n"
	    "  --url URL       servidor; si no se indica: PAL_URL, "
	    "~/.config/pal/config\n"
	    "                  o " SETTINGS_DEFAULT_URL "\n"
	    "  --token TOKEN   token de acceso; si no se indica: PAL_TOKEN o\n"
	    "                  ~/.config/pal/config\n"
	    "  --json          imprime el JSON del servidor tal como llega\n"
	    "  --help          muestra esta ayuda\n"
	    "  --version       muestra la versión\n"
	    "\n"
	    "Órdenes:\n");
	for (const struct commands_entry *e = commands_table; e->noun; e++)
		commands_print_entry(fp, e);
	fprintf(fp,
	    "\n"
	    "Ayuda de una orden: pal ORDEN --help\n"
	    "Códigos de salida: 0 correcto, 1 uso incorrecto o fallo local, "
	    "2 rechazado por\n"
	    "el servidor (4xx), 3 servidor inaccesible o con fallas (5xx).\n");
}

static void
commands_help_noun(FILE *fp, const char *noun)
{
	fprintf(fp, "Órdenes de «%s»:\n", noun);
	for (const struct commands_entry *e = commands_table; e->noun; e++)
		if (strcmp(e->noun, noun) == 0)
			commands_print_entry(fp, e);
}

static bool
commands_noun_exists(const char *noun)
{
	for (const struct commands_entry *e = commands_table; e->noun; e++)
		if (strcmp(e->noun, noun) == 0)
			return true;
	return false;
}

/* "a, b, c o d" for a NULL-ended list of words. */
static void
commands_choices_text(struct buf *b, const char *const *choices)
{
	for (size_t i = 0; choices[i] != NULL; i++) {
		if (i > 0)
			buf_puts(b, choices[i + 1] == NULL ? " o " : ", ");
		buf_puts(b, choices[i]);
	}
}

/* The help of one command: usage, summary, and words its usage omits. */
static void
commands_help_entry(FILE *fp, const struct commands_entry *e)
{
	commands_print_usage(fp, "uso: ", e);
	fprintf(fp, "%s\n", e->summary);
	for (int i = 0; i < COMMANDS_MAX_OPTIONS && e->options[i].name; i++) {
		const struct commands_option *o = &e->options[i];
		struct buf b;

		if (o->kind != COMMANDS_CHOICE ||
		    strstr(e->usage, o->choices[0]) != NULL)
			continue;
		buf_init(&b);
		buf_printf(&b, "  --%s: ", o->name);
		commands_choices_text(&b, o->choices);
		commands_wrap(fp, b.data, 78, "      ");
		buf_cleanup(&b);
	}
}

/* Prints "error: ..." and the command's usage line; returns PAL_EXIT_USAGE. */
static int
commands_usage_error(const struct commands_entry *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
commands_usage_error(const struct commands_entry *e, const char *fmt, ...)
{
	va_list ap;

	fputs("error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	commands_print_usage(stderr, "uso: ", e);
	return PAL_EXIT_USAGE;
}

/* Lookup and parsing. */

const struct commands_entry *
commands_find(const char *noun, const char *verb)
{
	for (const struct commands_entry *e = commands_table; e->noun; e++) {
		if (strcmp(e->noun, noun) != 0)
			continue;
		if (e->verb == NULL && verb == NULL)
			return e;
		if (e->verb != NULL && verb != NULL &&
		    strcmp(e->verb, verb) == 0)
			return e;
	}
	return NULL;
}

static bool
commands_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * True if s[0..len) is a positive integer in plain digits (no sign, no
 * spaces), stored in *n. Eighteen digits cannot overflow a json_int_t.
 */
static bool
commands_number_valid(const char *s, size_t len, json_int_t *n)
{
	json_int_t v = 0;

	if (len == 0 || len > 18)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!commands_is_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*n = v;
	return v > 0;
}

/* The two-digit number at s, or -1. */
static int
commands_two_digits(const char *s)
{
	if (!commands_is_digit(s[0]) || !commands_is_digit(s[1]))
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* AAAA-MM-DD in shape; whether 2026-02-30 exists is the server's call. */
static bool
commands_date_valid(const char *s)
{
	int m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    commands_two_digits(s) < 0 || commands_two_digits(s + 2) < 0)
		return false;
	m = commands_two_digits(s + 5);
	d = commands_two_digits(s + 8);
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static bool
commands_time_valid(const char *s)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':')
		return false;
	h = commands_two_digits(s);
	m = commands_two_digits(s + 3);
	return h >= 0 && h <= 23 && m >= 0 && m <= 59;
}

/*
 * Checks a list "3,4,5" of positive integers without repeats; with ids
 * (may be NULL) it also appends them to that JSON array.
 */
static bool
commands_numbers_valid(const char *what, const char *s, json_t *ids,
    struct error *err)
{
	json_t *seen = json_array();
	const char *p = s;
	bool ok = false;

	for (;;) {
		size_t len = strcspn(p, ",");
		json_int_t n;
		size_t i;
		json_t *v;

		if (!commands_number_valid(p, len, &n)) {
			error_set(err, 0, "uso", "%s debe ser una lista de "
			    "números enteros positivos separados por comas "
			    "(como 3,4,5), no «%s»", what, s);
			goto out;
		}
		json_array_foreach(seen, i, v) {
			if (json_integer_value(v) == n) {
				error_set(err, 0, "uso", "%s repite el "
				    "número %" JSON_INTEGER_FORMAT, what, n);
				goto out;
			}
		}
		json_array_append_new(seen, json_integer(n));
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	if (ids != NULL)
		json_array_extend(ids, seen);
	ok = true;
out:
	json_decref(seen);
	return ok;
}

/*
 * Checks value against kind; what names it in the message ("--fecha",
 * "MESA").
 */
static bool
commands_kind_valid(const char *what, enum commands_kind kind,
    const char *const *choices, const char *value, struct error *err)
{
	struct buf b;
	json_int_t n;

	switch (kind) {
	case COMMANDS_TEXT:
		return true;
	case COMMANDS_NUMBER:
		if (commands_number_valid(value, strlen(value), &n))
			return true;
		error_set(err, 0, "uso", "%s debe ser un número entero "
		    "positivo, no «%s»", what, value);
		return false;
	case COMMANDS_NUMBERS:
		return commands_numbers_valid(what, value, NULL, err);
	case COMMANDS_DATE:
		if (commands_date_valid(value))
			return true;
		error_set(err, 0, "uso", "%s debe ser una fecha AAAA-MM-DD, "
		    "no «%s»", what, value);
		return false;
	case COMMANDS_TIME:
		if (commands_time_valid(value))
			return true;
		error_set(err, 0, "uso", "%s debe ser una hora HH:MM (de "
		    "00:00 a 23:59), no «%s»", what, value);
		return false;
	case COMMANDS_CHOICE:
		for (size_t i = 0; choices[i] != NULL; i++)
			if (strcmp(value, choices[i]) == 0)
				return true;
		buf_init(&b);
		commands_choices_text(&b, choices);
		error_set(err, 0, "uso", "%s debe ser %s, no «%s»", what,
		    b.data, value);
		buf_cleanup(&b);
		return false;
	}
	return true;
}

static int
commands_option_index(const struct commands_entry *e, const char *name,
    size_t len, char short_name)
{
	for (int i = 0; i < COMMANDS_MAX_OPTIONS && e->options[i].name; i++) {
		const struct commands_option *o = &e->options[i];

		if (short_name != '\0' ? o->short_name == short_name :
		    strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return i;
	}
	return -1;
}

static bool
commands_unknown_option(const char *name, size_t len, struct error *err)
{
	for (size_t i = 0; i < sizeof(commands_globals) /
	    sizeof(commands_globals[0]); i++) {
		if (strlen(commands_globals[i]) == len &&
		    strncmp(commands_globals[i], name, len) == 0) {
			error_set(err, 0, "uso",
			    "--%s es una opción global: escríbala antes de la "
			    "orden (pal --%s ...)", commands_globals[i],
			    commands_globals[i]);
			return false;
		}
	}
	error_set(err, 0, "uso", "opción desconocida: --%.*s", (int)len,
	    name);
	return false;
}

bool
commands_parse(const struct commands_entry *e, int argc, char **argv,
    struct commands_args *a, struct error *err)
{
	bool only_args = false;

	memset(a, 0, sizeof(*a));
	a->entry = e;
	for (int k = 0; k < argc; k++) {
		const char *arg = argv[k], *name, *eq, *value;
		char short_name = '\0';
		size_t len;
		int i;

		if (!output_utf8_valid(arg)) {
			error_set(err, 0, "uso",
			    "el argumento %d no es texto UTF-8 válido", k + 1);
			return false;
		}
		if (!only_args && strcmp(arg, "--") == 0) {
			only_args = true;
			continue;
		}
		if (only_args || arg[0] != '-' || arg[1] == '\0') {
			/* "-" alone is an argument (standard input, say). */
			if (a->nargs == e->max_args ||
			    a->nargs == COMMANDS_MAX_ARGS) {
				error_set(err, 0, "uso",
				    "sobra el argumento «%s»", arg);
				return false;
			}
			a->args[a->nargs++] = arg;
			continue;
		}

		if (arg[1] == '-') {
			name = arg + 2;
			eq = strchr(name, '=');
			len = eq != NULL ? (size_t)(eq - name) : strlen(name);
		} else {
			/* "-o FILE" or "-oFILE". */
			short_name = arg[1];
			name = arg + 1;
			len = 1;
			eq = arg[2] != '\0' ? arg + 1 : NULL;
		}
		if ((i = commands_option_index(e, name, len, short_name)) < 0) {
			if (short_name != '\0') {
				error_set(err, 0, "uso",
				    "opción desconocida: -%c", short_name);
				return false;
			}
			return commands_unknown_option(name, len, err);
		}
		name = e->options[i].name;
		if (!e->options[i].has_value) {
			if (eq != NULL) {
				error_set(err, 0, "uso",
				    "la opción --%s no lleva valor", name);
				return false;
			}
			value = "";
		} else if (eq != NULL)
			value = eq + 1;
		else if (k + 1 < argc) {
			value = argv[++k];
			if (!output_utf8_valid(value)) {
				error_set(err, 0, "uso",
				    "el valor de --%s no es texto UTF-8 "
				    "válido", name);
				return false;
			}
		} else {
			error_set(err, 0, "uso", "falta el valor de --%s",
			    name);
			return false;
		}
		if (e->options[i].has_value && *value == '\0') {
			error_set(err, 0, "uso",
			    "el valor de --%s no puede estar vacío", name);
			return false;
		}
		if (a->values[i] != NULL) {
			error_set(err, 0, "uso",
			    "la opción --%s se indicó más de una vez", name);
			return false;
		}
		if (e->options[i].has_value) {
			char what[64];

			snprintf(what, sizeof(what), "--%s", name);
			if (!commands_kind_valid(what, e->options[i].kind,
			    e->options[i].choices, value, err))
				return false;
		}
		a->values[i] = value;
	}

	for (int i = 0; i < COMMANDS_MAX_OPTIONS && e->options[i].name; i++) {
		if (e->options[i].required && a->values[i] == NULL) {
			error_set(err, 0, "uso", "falta la opción --%s",
			    e->options[i].name);
			return false;
		}
	}
	if (a->nargs < e->min_args) {
		error_set(err, 0, "uso", "faltan argumentos");
		return false;
	}
	for (size_t k = 0; k < a->nargs; k++) {
		const struct commands_positional *p = &e->positional[k];

		if (p->name != NULL && !commands_kind_valid(p->name, p->kind,
		    NULL, a->args[k], err))
			return false;
	}
	return true;
}

const char *
commands_opt(const struct commands_args *a, const char *name)
{
	int i = commands_option_index(a->entry, name, strlen(name), '\0');

	return i >= 0 ? a->values[i] : NULL;
}

/* Requests and replies. */

/* Prints the body as it came, ended by a newline, for --json. */
static void
commands_print_body(const struct api_response *r)
{
	fwrite(r->body.data, 1, r->body.len, stdout);
	if (r->body.len > 0 && r->body.data[r->body.len - 1] != '\n')
		fputc('\n', stdout);
}

/*
 * Reports a request that got no reply or a reply that is not 2xx, and
 * returns the exit code for it; PAL_EXIT_OK for a 2xx reply, which the
 * caller prints. Under --json a JSON error body also goes to stdout, so
 * scripts can read the error code.
 */
static int
commands_check(const struct settings *s, bool replied,
    const struct api_response *r)
{
	if (!replied) {
		fprintf(stderr, "error: %s\n", r->error);
		return PAL_EXIT_UNAVAILABLE;
	}
	if (api_exit_code(r->status) == PAL_EXIT_OK)
		return PAL_EXIT_OK;
	if (s->json && r->json != NULL)
		commands_print_body(r);
	output_server_error(stderr, r->status, r->json);
	return api_exit_code(r->status);
}

static int
commands_call(const struct settings *s, const char *method, const char *path,
    json_t *body, struct api_response *r)
{
	return commands_check(s, api_request(s, method, path, body, r), r);
}

/*
 * The reply's JSON object, with member key an array when key is given,
 * or NULL after saying that the reply is not what this pal expects.
 */
static const json_t *
commands_expect(const struct api_response *r, const char *key)
{
	if (json_is_object(r->json) &&
	    (key == NULL || json_is_array(json_object_get(r->json, key))))
		return r->json;
	fprintf(stderr, "error: respuesta inesperada del servidor (HTTP %ld); "
	    "¿coinciden las versiones de pal y pald?\n", r->status);
	return NULL;
}

/* Local files. */

static const char *
commands_errno_text(int e)
{
	switch (e) {
	case ENOENT:
		return "no existe";
	case EACCES:
		return "permiso denegado";
	case EISDIR:
		return "es un directorio";
	default:
		return strerror(e);
	}
}

/* Reads a whole regular file into out, or false with err naming it. */
static bool
commands_read_file(const char *path, struct buf *out, struct error *err)
{
	char chunk[65536];
	struct stat st;
	FILE *fp;
	size_t n;
	bool ok = false;

	if ((fp = fopen(path, "rb")) == NULL) {
		error_set(err, 0, "uso", "no se pudo leer el archivo «%s»: %s",
		    path, commands_errno_text(errno));
		return false;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		error_set(err, 0, "uso", "no se pudo leer el archivo «%s»: %s",
		    path, commands_errno_text(EISDIR));
		goto out;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (out->len + n > COMMANDS_MAX_FILE) {
			error_set(err, 0, "uso",
			    "el archivo «%s» excede %u MiB", path,
			    COMMANDS_MAX_FILE / (1024 * 1024));
			goto out;
		}
		buf_append(out, chunk, n);
	}
	if (ferror(fp)) {
		error_set(err, 0, "uso", "no se pudo leer el archivo «%s»: %s",
		    path, commands_errno_text(errno));
		goto out;
	}
	ok = true;
out:
	fclose(fp);
	return ok;
}

/* The media type of a file from its extension; octet-stream if unknown. */
static const char *
commands_media_type(const char *filename)
{
	static const struct {
		const char	*ext;
		const char	*type;
	} types[] = {
		{ "pdf", "application/pdf" },
		{ "txt", "text/plain" },
		{ "csv", "text/csv" },
		{ "html", "text/html" },
		{ "htm", "text/html" },
		{ "ics", "text/calendar" },
		{ "json", "application/json" },
		{ "xml", "application/xml" },
		{ "png", "image/png" },
		{ "jpg", "image/jpeg" },
		{ "jpeg", "image/jpeg" },
		{ "gif", "image/gif" },
		{ "svg", "image/svg+xml" },
		{ "zip", "application/zip" },
		{ "doc", "application/msword" },
		{ "docx", "application/vnd.openxmlformats-officedocument."
		    "wordprocessingml.document" },
		{ "xls", "application/vnd.ms-excel" },
		{ "xlsx", "application/vnd.openxmlformats-officedocument."
		    "spreadsheetml.sheet" },
		{ "pptx", "application/vnd.openxmlformats-officedocument."
		    "presentationml.presentation" },
		{ "odt", "application/vnd.oasis.opendocument.text" },
		{ "ods", "application/vnd.oasis.opendocument.spreadsheet" },
	};
	const char *dot = strrchr(filename, '.');

	if (dot != NULL && dot != filename)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
	return "application/octet-stream";
}

/*
 * The JSON attachment {"nombre","tipo","contenido"} for the file at path,
 * with the contents in base64; new reference, or NULL with err.
 */
static json_t *
commands_attachment(const char *path, struct error *err)
{
	const char *name = strrchr(path, '/');
	unsigned char *b64;
	struct buf data;
	json_t *att = NULL;

	name = name != NULL ? name + 1 : path;
	if (*name == '\0') {
		error_set(err, 0, "uso", "«%s» no nombra un archivo", path);
		return NULL;
	}
	buf_init(&data);
	if (!commands_read_file(path, &data, err))
		goto out;
	b64 = xmalloc(4 * ((data.len + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)data.data, (int)data.len);
	att = json_pack("{s:s, s:s, s:s}", "nombre", name, "tipo",
	    commands_media_type(name), "contenido", (const char *)b64);
	free(b64);
	if (att == NULL)
		error_set(err, 0, "uso",
		    "el nombre del archivo «%s» no es texto UTF-8 válido",
		    path);
out:
	buf_cleanup(&data);
	return att;
}

/* Handlers. */

static int
cmd_login(const struct settings *s, const struct commands_args *a)
{
	struct settings check = { .json = s->json };
	struct api_response r;
	struct error err;
	const json_t *yo;
	int rc;

	error_clear(&err);
	if ((check.url = settings_normalize_url(a->args[0], &err)) == NULL)
		return commands_usage_error(a->entry, "%s", err.message);
	if (!settings_check_token(a->args[1], &err)) {
		free(check.url);
		return commands_usage_error(a->entry, "%s", err.message);
	}
	check.token = xstrdup(a->args[1]);

	api_response_init(&r);
	rc = commands_call(&check, "GET", "/v1/yo", NULL, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (r.status != 200 || (yo = commands_expect(&r, NULL)) == NULL) {
		rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	if (!settings_write_file(check.url, check.token, &err)) {
		fprintf(stderr, "error: %s\n", err.message);
		rc = PAL_EXIT_USAGE;
		goto out;
	}
	if (s->json)
		commands_print_body(&r);
	else {
		char *nombre = output_value(json_object_get(yo, "nombre"));
		char *rol = output_value(json_object_get(yo, "rol"));

		printf("Sesión iniciada como %s (%s) en %s.\n", nombre, rol,
		    check.url);
		free(rol);
		free(nombre);
	}
out:
	api_response_cleanup(&r);
	settings_cleanup(&check);
	return rc;
}

/* "Ana <ana@ejemplo.mx> (admin, Jalisco)" for the reply of /v1/yo. */
static char *
commands_user_line(const json_t *yo)
{
	const char *nombre = json_string_value(json_object_get(yo, "nombre"));
	const char *email = json_string_value(json_object_get(yo, "email"));
	const char *rol = json_string_value(json_object_get(yo, "rol"));
	const char *entidad = json_string_value(json_object_get(yo,
	    "entidad"));
	struct buf b;
	char *user;

	buf_init(&b);
	buf_puts(&b, nombre != NULL ? nombre : "?");
	if (email != NULL)
		buf_printf(&b, " <%s>", email);
	buf_printf(&b, " (%s", rol != NULL ? rol : "?");
	if (entidad != NULL)
		buf_printf(&b, ", %s", entidad);
	buf_putc(&b, ')');
	user = xstrdup(b.data);
	buf_cleanup(&b);
	return user;
}

static int
cmd_estado(const struct settings *s, const struct commands_args *a)
{
	static const struct output_field fields[] = {
		{ .label = "servidor", .key = "servidor" },
		{ .label = "versión", .key = "version" },
		{ .label = "estado", .key = "estado" },
		{ .label = "base de datos", .key = "base_de_datos" },
		{ .label = "usuario", .key = "usuario" },
	};
	/* /healthz needs no token, and a bad one must not hide the state. */
	struct settings anon = { .url = s->url, .json = s->json };
	struct api_response health, yo;
	const json_t *h;
	json_t *view = NULL;
	char *user = NULL;
	bool replied, degraded;
	int rc = PAL_EXIT_OK, yo_rc = PAL_EXIT_OK;

	(void)a;
	api_response_init(&health);
	api_response_init(&yo);
	replied = api_request(&anon, "GET", "/healthz", NULL, &health);
	/* A 503 from a proxy, not from pald, has no state to show. */
	if (!replied || (health.status != 200 && health.status != 503) ||
	    (health.status == 503 && !json_is_object(health.json))) {
		rc = commands_check(s, replied, &health);
		if (rc == PAL_EXIT_OK)	/* a 2xx other than 200 */
			rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	if ((h = commands_expect(&health, NULL)) == NULL) {
		rc = PAL_EXIT_UNAVAILABLE;
		goto out;
	}
	degraded = health.status == 503;

	/*
	 * Not commands_call: under --json a refusal must end up inside the
	 * one object printed below, not as a second document.
	 */
	if (s->token == NULL)
		user = xstrdup("sin sesión (use «pal login URL TOKEN»)");
	else if (!api_request(s, "GET", "/v1/yo", NULL, &yo)) {
		fprintf(stderr, "error: %s\n", yo.error);
		user = xstrdup("no se pudo consultar");
		yo_rc = PAL_EXIT_UNAVAILABLE;
	} else if ((yo_rc = api_exit_code(yo.status)) != PAL_EXIT_OK) {
		output_server_error(stderr, yo.status, yo.json);
		user = xstrdup(yo_rc == PAL_EXIT_REFUSED ?
		    "token rechazado" : "no se pudo consultar");
	} else if (commands_expect(&yo, NULL) == NULL) {
		user = xstrdup("respuesta inesperada");
		yo_rc = PAL_EXIT_UNAVAILABLE;
	} else
		user = commands_user_line(yo.json);

	if (s->json) {
		/* Two replies: both, as received, under one object. */
		view = json_pack("{s:s, s:O, s:O?}", "url", s->url, "healthz",
		    health.json, "yo", yo.json);
		json_dumpf(view, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	} else {
		view = json_pack("{s:s, s:O?, s:O?, s:O?, s:s}",
		    "servidor", s->url,
		    "version", json_object_get(h, "version"),
		    "estado", json_object_get(h, "estado"),
		    "base_de_datos", json_object_get(h, "base_de_datos"),
		    "usuario", user);
		output_fields(stdout, fields, sizeof(fields) /
		    sizeof(fields[0]), view);
	}
	if (degraded) {
		fprintf(stderr, "error: el servidor responde, pero su base de "
		    "datos no está disponible (HTTP 503)\n");
		rc = PAL_EXIT_UNAVAILABLE;
	} else
		rc = yo_rc;
out:
	json_decref(view);
	free(user);
	api_response_cleanup(&yo);
	api_response_cleanup(&health);
	return rc;
}

static int
cmd_usuario_crear(const struct settings *s, const struct commands_args *a)
{
	static const struct output_field fields[] = {
		{ .label = "id", .key = "id" },
		{ .label = "nombre", .key = "nombre" },
		{ .label = "email", .key = "email" },
		{ .label = "rol", .key = "rol" },
		{ .label = "entidad", .key = "entidad" },
		{ .label = "token", .key = "token" },
	};
	struct api_response r;
	json_t *body;
	int rc;

	/* commands_parse checked --rol against the table. */
	body = json_pack("{s:s, s:s, s:s, s:s*}",
	    "nombre", commands_opt(a, "nombre"),
	    "email", commands_opt(a, "email"),
	    "rol", commands_opt(a, "rol"),
	    "entidad", commands_opt(a, "entidad"));
	api_response_init(&r);
	rc = commands_call(s, "POST", "/v1/usuarios", body, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (s->json)
		commands_print_body(&r);
	else if (commands_expect(&r, NULL) == NULL)
		rc = PAL_EXIT_UNAVAILABLE;
	else {
		output_fields(stdout, fields, sizeof(fields) /
		    sizeof(fields[0]), r.json);
		printf("\nGuarde este token ahora: no se volverá a mostrar.\n");
	}
out:
	api_response_cleanup(&r);
	json_decref(body);
	return rc;
}

static int
cmd_usuario_listar(const struct settings *s, const struct commands_args *a)
{
	static const struct output_column cols[] = {
		{ .title = "ID", .key = "id", .numeric = true },
		{ .title = "NOMBRE", .key = "nombre", .max_width = 30 },
		{ .title = "EMAIL", .key = "email", .max_width = 40 },
		{ .title = "ROL", .key = "rol" },
		{ .title = "ENTIDAD", .key = "entidad", .max_width = 24 },
		{ .title = "ACTIVO", .key = "activo" },
		{ .title = "CREADO", .key = "creado" },
	};
	struct api_response r;
	int rc;

	(void)a;
	api_response_init(&r);
	rc = commands_call(s, "GET", "/v1/usuarios", NULL, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (s->json)
		commands_print_body(&r);
	else if (commands_expect(&r, "usuarios") == NULL)
		rc = PAL_EXIT_UNAVAILABLE;
	else
		output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]),
		    json_object_get(r.json, "usuarios"), "No hay usuarios.");
out:
	api_response_cleanup(&r);
	return rc;
}

/* "250 2.0.0 Ok: queued" from the last SMTP code and reply, or "-". */
static char *
commands_correo_respuesta(const json_t *row)
{
	const json_t *code = json_object_get(row, "ultimo_codigo");
	const char *text = json_string_value(json_object_get(row,
	    "ultima_respuesta"));

	if (json_is_integer(code) && text != NULL)
		return xasprintf("%" JSON_INTEGER_FORMAT " %s",
		    json_integer_value(code), text);
	if (json_is_integer(code))
		return output_value(code);
	return xstrdup(text != NULL ? text : "-");
}

static int
cmd_correo_listar(const struct settings *s, const struct commands_args *a)
{
	static const struct output_column cols[] = {
		{ .title = "ID", .key = "id", .numeric = true },
		{ .title = "DESTINATARIO", .key = "destinatario",
		    .max_width = 32 },
		{ .title = "ASUNTO", .key = "asunto", .max_width = 40 },
		{ .title = "ESTADO", .key = "estado" },
		{ .title = "INTENTOS", .key = "intentos", .numeric = true },
		{ .title = "ÚLTIMA RESPUESTA", .max_width = 40,
		    .format = commands_correo_respuesta },
	};
	const char *estado = commands_opt(a, "estado");
	const char *limite = commands_opt(a, "limite");
	struct api_response r;
	struct buf path;
	int rc;

	/*
	 * commands_parse checked both; the server owns the upper bound of
	 * --limite.
	 */
	buf_init(&path);
	buf_puts(&path, "/v1/correos");
	api_query_add(&path, "estado", estado);
	api_query_add(&path, "limite", limite);
	api_response_init(&r);
	rc = commands_call(s, "GET", path.data, NULL, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (s->json)
		commands_print_body(&r);
	else if (commands_expect(&r, "correos") == NULL)
		rc = PAL_EXIT_UNAVAILABLE;
	else
		output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]),
		    json_object_get(r.json, "correos"), "No hay correos.");
out:
	api_response_cleanup(&r);
	buf_cleanup(&path);
	return rc;
}

static int
cmd_correo_probar(const struct settings *s, const struct commands_args *a)
{
	const char *email = a->args[0];
	const char *adjunto = commands_opt(a, "adjunto");
	struct api_response r;
	struct error err;
	json_t *body, *att;
	char *id;
	int rc;

	error_clear(&err);
	body = json_pack("{s:s}", "email", email);
	if (adjunto != NULL) {
		if ((att = commands_attachment(adjunto, &err)) == NULL) {
			json_decref(body);
			fprintf(stderr, "error: %s\n", err.message);
			return PAL_EXIT_USAGE;
		}
		json_object_set_new(body, "adjunto", att);
	}
	api_response_init(&r);
	rc = commands_call(s, "POST", "/v1/correos/prueba", body, &r);
	if (rc != PAL_EXIT_OK)
		goto out;
	if (s->json)
		commands_print_body(&r);
	else if (commands_expect(&r, NULL) == NULL)
		rc = PAL_EXIT_UNAVAILABLE;
	else {
		const char *to = json_string_value(json_object_get(r.json,
		    "destinatario"));

		id = output_value(json_object_get(r.json, "id"));
		printf("Correo de prueba encolado (id %s) para %s.\n", id,
		    to != NULL ? to : email);
		free(id);
	}
out:
	api_response_cleanup(&r);
	json_decref(body);
	return rc;
}

/* Replies of the mesa commands. */

/*
 * Prints a reply for people; reply is the borrowed JSON object whose
 * shape commands_finish checked, a the command line.
 */
typedef void commands_print_fn(const json_t *reply,
    const struct commands_args *a);

/*
 * Finishes a request: reports a failure, prints the body as received
 * under --json, or checks that the reply is an object (with member key an
 * array when key is given) and hands it to print. Returns the exit code.
 */
static int
commands_finish(const struct settings *s, const struct commands_args *a,
    bool replied, const struct api_response *r, const char *key,
    commands_print_fn *print)
{
	int rc;

	if ((rc = commands_check(s, replied, r)) != PAL_EXIT_OK)
		return rc;
	if (s->json) {
		commands_print_body(r);
		return PAL_EXIT_OK;
	}
	if (commands_expect(r, key) == NULL)
		return PAL_EXIT_UNAVAILABLE;
	print(r->json, a);
	return PAL_EXIT_OK;
}

/* One JSON request (body borrowed, may be NULL) and its reply printed. */
static int
commands_run(const struct settings *s, const struct commands_args *a,
    const char *method, const char *path, json_t *body, const char *key,
    commands_print_fn *print)
{
	struct api_response r;
	int rc;

	api_response_init(&r);
	rc = commands_finish(s, a, api_request(s, method, path, body, &r), &r,
	    key, print);
	api_response_cleanup(&r);
	return rc;
}

/* The value of a number commands_parse has checked already. */
static json_int_t
commands_number(const char *s)
{
	json_int_t n = 0;

	for (; *s != '\0'; s++)
		n = n * 10 + (*s - '0');
	return n;
}

/* "/v1/mesas/<MESA>" followed by rest, owned. */
static char *
commands_mesa_path(const struct commands_args *a, const char *rest)
{
	return xasprintf("/v1/mesas/%" JSON_INTEGER_FORMAT "%s",
	    commands_number(a->args[0]), rest);
}

/* The label of a word of the API for people; "-" for NULL. Static. */
static const char *
commands_label(const char *code)
{
	if (code == NULL)
		return "-";
	for (size_t i = 0; i < sizeof(commands_labels) /
	    sizeof(commands_labels[0]); i++)
		if (strcmp(code, commands_labels[i].code) == 0)
			return commands_labels[i].label;
	return code;
}

/* The string member key of obj (borrowed), or "-" when it is not one. */
static const char *
commands_str(const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v != NULL ? v : "-";
}

static json_int_t
commands_int(const json_t *obj, const char *key)
{
	return json_integer_value(json_object_get(obj, key));
}

/* "nombre" of the object member key, such as autor or facilitador. */
static const char *
commands_name_of(const json_t *obj, const char *key)
{
	return commands_str(json_object_get(obj, key), "nombre");
}

/* "1 material", "2 materiales": n and the right form of the noun. */
static char *
commands_count(json_int_t n, const char *one, const char *many)
{
	return xasprintf("%" JSON_INTEGER_FORMAT " %s", n, n == 1 ? one :
	    many);
}

/* "812 bytes", "12.3 KiB", "4.0 MiB". */
static char *
commands_size(json_int_t n)
{
	if (n < 1024)
		return commands_count(n, "byte", "bytes");
	if (n < 1024 * 1024)
		return xasprintf("%.1f KiB", (double)n / 1024);
	return xasprintf("%.1f MiB", (double)n / (1024 * 1024));
}

/* The text of b, owned, with b released. */
static char *
commands_steal(struct buf *b)
{
	char *text = buf_steal(b);

	buf_cleanup(b);
	return text;
}

/* Cell formatters: each reads one member and shows its label. */

static char *
commands_fase_cell(const json_t *row)
{
	return xstrdup(commands_label(json_string_value(json_object_get(row,
	    "fase"))));
}

static char *
commands_sector_cell(const json_t *row)
{
	return xstrdup(commands_label(json_string_value(json_object_get(row,
	    "sector"))));
}

static char *
commands_tipo_cell(const json_t *row)
{
	return xstrdup(commands_label(json_string_value(json_object_get(row,
	    "tipo"))));
}

static char *
commands_autor_cell(const json_t *row)
{
	return xstrdup(commands_name_of(row, "autor"));
}

/* "Ana Ruiz <ana@ejemplo.mx>", or the name alone. */
static char *
commands_facilitador_cell(const json_t *row)
{
	const json_t *f = json_object_get(row, "facilitador");
	const char *email = json_string_value(json_object_get(f, "email"));

	if (email != NULL)
		return xasprintf("%s <%s>", commands_str(f, "nombre"), email);
	return xstrdup(commands_str(f, "nombre"));
}

static char *
commands_facilitador_nombre_cell(const json_t *row)
{
	return xstrdup(commands_name_of(row, "facilitador"));
}

/* "2026-12-07 10:00" when the mesa is scheduled, "-" otherwise. */
static char *
commands_fecha_hora_cell(const json_t *row)
{
	const char *fecha = json_string_value(json_object_get(row, "fecha"));
	const char *hora = json_string_value(json_object_get(row, "hora"));

	if (fecha == NULL)
		return xstrdup("-");
	return xasprintf("%s %s", fecha, hora != NULL ? hora : "");
}

static void
commands_print_mesa_creada(const json_t *m, const struct commands_args *a)
{
	const char *paso = json_string_value(json_object_get(m,
	    "siguiente_paso"));

	(void)a;
	output_line(stdout, "Mesa %" JSON_INTEGER_FORMAT " creada: «%s» "
	    "(%s), en %s.", commands_int(m, "id"), commands_str(m, "titulo"),
	    commands_str(m, "entidad"),
	    commands_label(json_string_value(json_object_get(m, "fase"))));
	if (paso != NULL)
		output_line(stdout, "Siguiente paso: %s", paso);
}

/*
 * Optional members are packed with "s*": an option not given is left out
 * of the body, so the server applies its default ("s?" would send null).
 */
static int
cmd_mesa_crear(const struct settings *s, const struct commands_args *a)
{
	json_t *body = json_pack("{s:s, s:s, s:s*, s:s*}",
	    "titulo", commands_opt(a, "titulo"),
	    "entidad", commands_opt(a, "entidad"),
	    "municipio", commands_opt(a, "municipio"),
	    "zona_horaria", commands_opt(a, "zona-horaria"));
	int rc;

	rc = commands_run(s, a, "POST", "/v1/mesas", body, NULL,
	    commands_print_mesa_creada);
	json_decref(body);
	return rc;
}

static void
commands_print_mesas(const json_t *reply, const struct commands_args *a)
{
	static const struct output_column cols[] = {
		{ .title = "ID", .key = "id", .numeric = true },
		{ .title = "TÍTULO", .key = "titulo", .max_width = 36 },
		{ .title = "ENTIDAD", .key = "entidad", .max_width = 20 },
		{ .title = "MUNICIPIO", .key = "municipio", .max_width = 20 },
		{ .title = "FASE", .format = commands_fase_cell },
		{ .title = "FECHA", .format = commands_fecha_hora_cell },
		{ .title = "FACILITADOR", .max_width = 24,
		    .format = commands_facilitador_nombre_cell },
		{ .title = "ACTORES", .key = "actores", .numeric = true },
		{ .title = "MATERIALES", .key = "materiales",
		    .numeric = true },
	};

	(void)a;
	output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]),
	    json_object_get(reply, "mesas"), "No hay mesas.");
}

static int
cmd_mesa_listar(const struct settings *s, const struct commands_args *a)
{
	struct buf path;
	int rc;

	buf_init(&path);
	buf_puts(&path, "/v1/mesas");
	api_query_add(&path, "entidad", commands_opt(a, "entidad"));
	api_query_add(&path, "fase", commands_opt(a, "fase"));
	rc = commands_run(s, a, "GET", path.data, NULL, "mesas",
	    commands_print_mesas);
	buf_cleanup(&path);
	return rc;
}

static void
commands_print_mesa(const json_t *m, const struct commands_args *a)
{
	static const struct output_field head[] = {
		{ .label = "id", .key = "id" },
		{ .label = "título", .key = "titulo" },
		{ .label = "entidad", .key = "entidad" },
		{ .label = "municipio", .key = "municipio" },
		{ .label = "zona horaria", .key = "zona_horaria" },
		{ .label = "fase", .format = commands_fase_cell },
	};
	static const struct output_field fecha[] = {
		{ .label = "fecha", .key = "fecha" },
		{ .label = "hora", .key = "hora" },
		{ .label = "lugar", .key = "lugar" },
	};
	static const struct output_field tail[] = {
		{ .label = "facilitador", .format = commands_facilitador_cell },
		{ .label = "actores", .key = "actores" },
		{ .label = "materiales", .key = "materiales" },
	};
	const size_t nhead = sizeof(head) / sizeof(head[0]);
	const size_t nfecha = sizeof(fecha) / sizeof(fecha[0]);
	const size_t ntail = sizeof(tail) / sizeof(tail[0]);
	struct output_field fields[sizeof(head) / sizeof(head[0]) +
	    sizeof(fecha) / sizeof(fecha[0]) + sizeof(tail) / sizeof(tail[0])];
	const json_t *bloqueos = json_object_get(m, "bloqueos");
	const json_t *pendientes = json_object_get(bloqueos, "pendientes");
	const char *ultima = json_string_value(json_object_get(bloqueos,
	    "ultima_recepcion"));
	const char *minima = json_string_value(json_object_get(bloqueos,
	    "fecha_minima"));
	const char *paso = json_string_value(json_object_get(m,
	    "siguiente_paso"));
	size_t n = nhead;

	(void)a;
	/* One call, so that every label lines up with the others. */
	memcpy(fields, head, sizeof(head));
	if (json_is_string(json_object_get(m, "fecha"))) {
		memcpy(fields + n, fecha, sizeof(fecha));
		n += nfecha;
	}
	memcpy(fields + n, tail, sizeof(tail));
	n += ntail;
	output_fields(stdout, fields, n, m);

	if (json_array_size(pendientes) > 0 || ultima != NULL ||
	    minima != NULL || paso != NULL)
		fputc('\n', stdout);
	if (json_array_size(pendientes) > 0) {
		printf("Pendientes para programar:\n");
		output_pendientes(stdout, pendientes);
	}
	if (ultima != NULL)
		output_line(stdout, "Última recepción: %s", ultima);
	if (minima != NULL)
		output_line(stdout, "Fecha más próxima permitida: %s", minima);
	if (paso != NULL)
		output_line(stdout, "Siguiente paso: %s", paso);
}

static int
cmd_mesa_ver(const struct settings *s, const struct commands_args *a)
{
	char *path = commands_mesa_path(a, "");
	int rc;

	rc = commands_run(s, a, "GET", path, NULL, NULL, commands_print_mesa);
	free(path);
	return rc;
}

/* Who did it: the user, else the actor (through a link), else pald. */
static char *
commands_quien_cell(const json_t *row)
{
	const char *u = json_string_value(json_object_get(json_object_get(row,
	    "usuario"), "nombre"));
	const char *act = json_string_value(json_object_get(
	    json_object_get(row, "actor"), "nombre"));

	return xstrdup(u != NULL ? u : act != NULL ? act : "sistema");
}

/* The description, and for a backdated entry who recorded it. */
static char *
commands_descripcion_cell(const json_t *row)
{
	const char *d = commands_str(row, "descripcion");
	const char *u = json_string_value(json_object_get(json_object_get(row,
	    "usuario"), "nombre"));

	if (!json_is_true(json_object_get(json_object_get(row, "datos"),
	    "retroactivo")))
		return xstrdup(d);
	if (u == NULL)
		return xasprintf("%s (retroactivo)", d);
	return xasprintf("%s (retroactivo, registrado por %s)", d, u);
}

static void
commands_print_eventos(const json_t *reply, const struct commands_args *a)
{
	static const struct output_column cols[] = {
		{ .title = "INSTANTE", .key = "instante" },
		{ .title = "QUIÉN", .max_width = 28,
		    .format = commands_quien_cell },
		{ .title = "TIPO", .key = "tipo" },
		{ .title = "DESCRIPCIÓN", .format = commands_descripcion_cell },
	};

	(void)a;
	output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]),
	    json_object_get(reply, "eventos"), "La mesa no tiene eventos.");
}

static int
cmd_mesa_linea_tiempo(const struct settings *s,
    const struct commands_args *a)
{
	char *path = commands_mesa_path(a, "/eventos");
	int rc;

	rc = commands_run(s, a, "GET", path, NULL, "eventos",
	    commands_print_eventos);
	free(path);
	return rc;
}

static void
commands_print_programada(const json_t *m, const struct commands_args *a)
{
	(void)a;
	output_line(stdout, "Mesa %" JSON_INTEGER_FORMAT " convocada para el "
	    "%s a las %s en %s.", commands_int(m, "id"),
	    commands_str(m, "fecha"), commands_str(m, "hora"),
	    commands_str(m, "lugar"));
}

/*
 * A refusal by the gate prints its pairs and dates through
 * output_server_error, like every other refusal.
 */
static int
cmd_mesa_programar(const struct settings *s, const struct commands_args *a)
{
	char *path = commands_mesa_path(a, "/programar");
	json_t *body = json_pack("{s:s, s:s, s:s}",
	    "fecha", commands_opt(a, "fecha"),
	    "hora", commands_opt(a, "hora"),
	    "lugar", commands_opt(a, "lugar"));
	int rc;

	rc = commands_run(s, a, "POST", path, body, NULL,
	    commands_print_programada);
	json_decref(body);
	free(path);
	return rc;
}

/* Actores. */

static void
commands_print_actor(const json_t *act, const struct commands_args *a)
{
	(void)a;
	output_line(stdout, "Actor %" JSON_INTEGER_FORMAT " agregado a la mesa "
	    "%" JSON_INTEGER_FORMAT ": %s <%s>, %s.", commands_int(act, "id"),
	    commands_int(act, "mesa_id"), commands_str(act, "nombre"),
	    commands_str(act, "email"),
	    commands_label(json_string_value(json_object_get(act,
	    "sector"))));
}

static int
cmd_actor_agregar(const struct settings *s, const struct commands_args *a)
{
	char *path = commands_mesa_path(a, "/actores");
	json_t *body = json_pack("{s:s, s:s, s:s, s:s*, s:s*}",
	    "nombre", commands_opt(a, "nombre"),
	    "email", commands_opt(a, "email"),
	    "sector", commands_opt(a, "sector"),
	    "organizacion", commands_opt(a, "organizacion"),
	    "cargo", commands_opt(a, "cargo"));
	int rc;

	rc = commands_run(s, a, "POST", path, body, NULL,
	    commands_print_actor);
	json_decref(body);
	free(path);
	return rc;
}

/* "2/3": materials received out of all. */
static char *
commands_recibidos_cell(const json_t *row)
{
	return xasprintf("%" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
	    commands_int(row, "materiales_recibidos"),
	    commands_int(row, "materiales_total"));
}

static void
commands_print_actores(const json_t *reply, const struct commands_args *a)
{
	static const struct output_column cols[] = {
		{ .title = "ID", .key = "id", .numeric = true },
		{ .title = "NOMBRE", .key = "nombre", .max_width = 30 },
		{ .title = "EMAIL", .key = "email", .max_width = 36 },
		{ .title = "SECTOR", .format = commands_sector_cell },
		{ .title = "ORGANIZACIÓN", .key = "organizacion",
		    .max_width = 30 },
		{ .title = "CARGO", .key = "cargo", .max_width = 24 },
		{ .title = "RECIBIDOS", .numeric = true,
		    .format = commands_recibidos_cell },
	};

	(void)a;
	output_table(stdout, cols, sizeof(cols) / sizeof(cols[0]),
	    json_object_get(reply, "actores"),
	    "La mesa no tiene actores.");
}

static int
cmd_actor_listar(const struct settings *s, const struct commands_args *a)
{
	char *path = commands_mesa_path(a, "/actores");
	int rc;

	rc = commands_run(s, a, "GET", path, NULL, "actores",
	    commands_print_actores);
	free(path);
	return rc;
}

static void
commands_print_revocados(const json_t *reply, const struct commands_args *a)
{
	json_int_t n = commands_int(reply, "revocados");
	json_int_t actor = commands_number(a->args[1]);

	if (n == 0)
		printf("El actor %" JSON_INTEGER_FORMAT " no tenía enlaces "
		    "vigentes.\n", actor);
	else
		printf("%s %" JSON_INTEGER_FORMAT " %s del actor %"
		    JSON_INTEGER_FORMAT ".\n", n == 1 ? "Se revocó" :
		    "Se revocaron", n, n == 1 ? "enlace" : "enlaces", actor);
}

static int
cmd_actor_revocar_enlaces(const struct settings *s,
    const struct commands_args *a)
{
	char *rest = xasprintf("/actores/%" JSON_INTEGER_FORMAT
	    "/revocar-enlaces", commands_number(a->args[1]));
	char *path = commands_mesa_path(a, rest);
	int rc;

	rc = commands_run(s, a, "POST", path, NULL, NULL,
	    commands_print_revocados);
	free(path);
	free(rest);
	return rc;
}

/* Materiales. */

static void
commands_print_material(const json_t *m, const struct commands_args *a)
{
	char *size = commands_size(commands_int(m, "tamano"));

	(void)a;
	output_line(stdout, "Material %" JSON_INTEGER_FORMAT " agregado a la "
	    "mesa %" JSON_INTEGER_FORMAT ": «%s» (%s, %s), de %s, entregado "
	    "el %s.", commands_int(m, "id"), commands_int(m, "mesa_id"),
	    commands_str(m, "titulo"),
	    commands_label(json_string_value(json_object_get(m, "tipo"))),
	    size, commands_name_of(m, "autor"),
	    commands_str(m, "fecha_entrega"));
	free(size);
}

/*
 * The body is the material itself, not JSON: a file's bytes as its media
 * type, or the text given with --texto as UTF-8 plain text.
 */
static int
cmd_material_agregar(const struct settings *s, const struct commands_args *a)
{
	const char *file = a->nargs > 1 ? a->args[1] : NULL;
	const char *texto = commands_opt(a, "texto");
	const char *name = NULL, *type;
	struct api_response r;
	struct error err;
	struct buf path, data;
	int rc;

	if ((file != NULL) == (texto != NULL))
		return commands_usage_error(a->entry, file != NULL ?
		    "indique ARCHIVO o --texto, no ambos" :
		    "falta el material: indique ARCHIVO o --texto");
	error_clear(&err);
	buf_init(&data);
	if (file != NULL) {
		name = strrchr(file, '/');
		name = name != NULL ? name + 1 : file;
		if (*name == '\0') {
			buf_cleanup(&data);
			return commands_usage_error(a->entry,
			    "«%s» no nombra un archivo", file);
		}
		if (!commands_read_file(file, &data, &err)) {
			buf_cleanup(&data);
			fprintf(stderr, "error: %s\n", err.message);
			return PAL_EXIT_USAGE;
		}
		type = commands_media_type(name);
	} else {
		buf_puts(&data, texto);
		type = "text/plain; charset=utf-8";
	}

	buf_init(&path);
	buf_printf(&path, "/v1/mesas/%" JSON_INTEGER_FORMAT "/materiales",
	    commands_number(a->args[0]));
	api_query_add(&path, "actor", commands_opt(a, "actor"));
	api_query_add(&path, "tipo", commands_opt(a, "tipo"));
	api_query_add(&path, "titulo", commands_opt(a, "titulo"));
	api_query_add(&path, "fecha", commands_opt(a, "fecha"));
	api_query_add(&path, "archivo", name);
	api_response_init(&r);
	rc = commands_finish(s, a, api_request_raw(s, "POST", path.data, type,
	    data.data, data.len, "application/json", &r), &r, NULL,
	    commands_print_material);
	api_response_cleanup(&r);
	buf_cleanup(&path);
	buf_cleanup(&data);
	return rc;
}

/* "diag.pdf, application/pdf, 12.3 KiB", or "texto, 812 bytes". */
static char *
commands_archivo_cell(const json_t *row)
{
	const char *archivo = json_string_value(json_object_get(row,
	    "archivo"));
	char *size = commands_size(commands_int(row, "tamano"));
	char *cell;

	if (archivo != NULL)
		cell = xasprintf("%s, %s, %s", archivo,
		    commands_str(row, "tipo_medio"), size);
	else
		cell = xasprintf("texto, %s", size);
	free(size);
	return cell;
}

/* "Ana (2026-11-20, autor), Luis (2026-11-21, correo)", or "nadie". */
static char *
commands_acuses_cell(const json_t *row)
{
	const json_t *acuse;
	struct buf b;
	size_t i;

	buf_init(&b);
	json_array_foreach(json_object_get(row, "acuses"), i, acuse)
		buf_printf(&b, "%s%s (%s, %s)", i > 0 ? ", " : "",
		    commands_str(acuse, "actor"), commands_str(acuse, "fecha"),
		    commands_str(acuse, "medio"));
	if (b.len == 0)
		buf_puts(&b, "nadie");
	return commands_steal(&b);
}

/* "Marta, Pedro", or "nadie". */
static char *
commands_pendientes_cell(const json_t *row)
{
	const json_t *p;
	struct buf b;
	size_t i;

	buf_init(&b);
	json_array_foreach(json_object_get(row, "pendientes"), i, p)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "",
		    commands_str(p, "actor"));
	if (b.len == 0)
		buf_puts(&b, "nadie");
	return commands_steal(&b);
}

static void
commands_print_materiales(const json_t *reply,
    const struct commands_args *a)
{
	static const struct output_field fields[] = {
		{ .label = "id", .key = "id" },
		{ .label = "título", .key = "titulo" },
		{ .label = "tipo", .format = commands_tipo_cell },
		{ .label = "autor", .format = commands_autor_cell },
		{ .label = "fecha de entrega", .key = "fecha_entrega" },
		{ .label = "contenido", .format = commands_archivo_cell },
		{ .label = "recibido por", .format = commands_acuses_cell },
		{ .label = "pendiente", .format = commands_pendientes_cell },
	};
	const json_t *materiales = json_object_get(reply, "materiales");
	const json_t *m;
	size_t i;

	(void)a;
	if (json_array_size(materiales) == 0) {
		printf("La mesa no tiene materiales.\n");
		return;
	}
	json_array_foreach(materiales, i, m) {
		if (i > 0)
			fputc('\n', stdout);
		output_fields(stdout, fields, sizeof(fields) /
		    sizeof(fields[0]), m);
	}
}

static int
cmd_material_listar(const struct settings *s, const struct commands_args *a)
{
	char *path = commands_mesa_path(a, "/materiales");
	int rc;

	rc = commands_run(s, a, "GET", path, NULL, "materiales",
	    commands_print_materiales);
	free(path);
	return rc;
}

static int
commands_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the %XX escapes of s[0..len) into out; false on a bad one. */
static bool
commands_percent_decode(const char *s, size_t len, struct buf *out)
{
	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			buf_putc(out, s[i]);
			continue;
		}
		if (i + 2 >= len || (hi = commands_hex(s[i + 1])) < 0 ||
		    (lo = commands_hex(s[i + 2])) < 0 || hi + lo == 0)
			return false;
		buf_putc(out, (char)(hi * 16 + lo));
		i += 2;
	}
	return true;
}

/*
 * name (borrowed) when it is a plain file name for the current directory:
 * the last path component, not empty, no leading dot, no control
 * characters, valid UTF-8. Owned copy, or NULL.
 */
static char *
commands_safe_name(const char *name)
{
	const char *base = name;

	for (const char *p = name; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return NULL;
		if (*p == '/' || *p == '\\')
			base = p + 1;
	}
	if (*base == '\0' || *base == '.' || !output_utf8_valid(base))
		return NULL;
	return xstrdup(base);
}

/*
 * The file name a Content-Disposition header (borrowed, may be NULL)
 * suggests, owned, or NULL. filename*=UTF-8''... wins over filename=.
 * Only a plain name in the current directory is accepted: no path, no
 * leading dot, no control characters, valid UTF-8; so a server can
 * never make pal write anywhere else.
 */
static char *
commands_disposition_name(const char *disp)
{
	struct buf plain, ext;
	const char *p = disp;
	char *name = NULL;

	if (disp == NULL)
		return NULL;
	buf_init(&plain);
	buf_init(&ext);
	while ((p = strchr(p, ';')) != NULL) {
		const char *key, *eq;
		size_t klen;

		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		key = p;
		if ((eq = strchr(key, '=')) == NULL)
			break;
		klen = (size_t)(eq - key);
		while (klen > 0 && (key[klen - 1] == ' ' ||
		    key[klen - 1] == '\t'))
			klen--;
		p = eq + 1;
		while (*p == ' ' || *p == '\t')
			p++;
		if (klen == 9 && strncasecmp(key, "filename*", 9) == 0) {
			size_t vlen = strcspn(p, ";");
			const char *q = p, *end = p + vlen;

			/* charset'language'value, only UTF-8 taken. */
			if (vlen > 7 && strncasecmp(q, "UTF-8'", 6) == 0 &&
			    (q = memchr(q + 6, '\'', (size_t)(end - q - 6)))
			    != NULL) {
				buf_reset(&ext);
				if (!commands_percent_decode(q + 1,
				    (size_t)(end - q - 1), &ext))
					buf_reset(&ext);
			}
			p = end;
		} else if (klen == 8 && strncasecmp(key, "filename", 8) == 0) {
			buf_reset(&plain);
			if (*p == '"') {
				for (p++; *p != '\0' && *p != '"'; p++) {
					if (*p == '\\' && p[1] != '\0')
						p++;
					buf_putc(&plain, *p);
				}
			} else
				buf_append(&plain, p, strcspn(p, "; \t"));
		}
	}
	name = commands_safe_name(ext.len > 0 ? ext.data : plain.data);
	buf_cleanup(&ext);
	buf_cleanup(&plain);
	return name;
}

/*
 * Writes data[0..len) to a new file at path, or to standard output for
 * "-". An existing file is never replaced (O_EXCL), and a file left half
 * written is removed.
 */
static bool
commands_write_new(const char *path, const void *data, size_t len,
    struct error *err)
{
	const char *p = data;
	size_t off = 0;
	ssize_t n;
	int fd;

	if (strcmp(path, "-") == 0) {
		if (fwrite(data, 1, len, stdout) != len ||
		    fflush(stdout) != 0) {
			error_set(err, 0, "uso", "no se pudo escribir la "
			    "salida: %s", strerror(errno));
			return false;
		}
		return true;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0666)) == -1) {
		if (errno == EEXIST)
			error_set(err, 0, "uso", "el archivo «%s» ya existe y "
			    "no se sobrescribe; elija otro con -o", path);
		else
			error_set(err, 0, "uso", "no se pudo crear «%s»: %s",
			    path, commands_errno_text(errno));
		return false;
	}
	while (off < len) {
		if ((n = write(fd, p + off, len - off)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		off += (size_t)n;
	}
	if (off < len || close(fd) == -1) {
		error_set(err, 0, "uso", "no se pudo escribir «%s»: %s", path,
		    strerror(errno));
		if (off < len)
			close(fd);
		(void)unlink(path);
		return false;
	}
	return true;
}

static int
cmd_material_descargar(const struct settings *s,
    const struct commands_args *a)
{
	json_int_t id = commands_number(a->args[1]);
	const char *salida = commands_opt(a, "salida");
	char *rest, *path, *name = NULL, *size;
	struct api_response r;
	struct error err;
	FILE *say;
	int rc;

	/* Refuse before downloading when the answer is known already. */
	if (salida != NULL && strcmp(salida, "-") != 0 &&
	    access(salida, F_OK) == 0) {
		fprintf(stderr, "error: el archivo «%s» ya existe y no se "
		    "sobrescribe; elija otro con -o\n", salida);
		return PAL_EXIT_USAGE;
	}
	rest = xasprintf("/materiales/%" JSON_INTEGER_FORMAT "/contenido", id);
	path = commands_mesa_path(a, rest);
	api_response_init(&r);
	rc = commands_check(s, api_request_raw(s, "GET", path, NULL, NULL, 0,
	    "*/*", &r), &r);
	if (rc != PAL_EXIT_OK)
		goto out;

	if (salida != NULL)
		name = xstrdup(salida);
	else if ((name = commands_disposition_name(r.disposition)) == NULL)
		name = xasprintf("material-%" JSON_INTEGER_FORMAT, id);
	error_clear(&err);
	if (!commands_write_new(name, r.body.data, r.body.len, &err)) {
		fprintf(stderr, "error: %s\n", err.message);
		rc = PAL_EXIT_USAGE;
		goto out;
	}
	/* Standard output may hold the bytes, or a script's JSON. */
	say = strcmp(name, "-") == 0 || s->json ? stderr : stdout;
	size = commands_size((json_int_t)r.body.len);
	if (strcmp(name, "-") != 0)
		output_line(say, "Material %" JSON_INTEGER_FORMAT " guardado "
		    "en «%s» (%s).", id, name, size);
	free(size);
out:
	api_response_cleanup(&r);
	free(name);
	free(path);
	free(rest);
	return rc;
}

static void
commands_print_envios(const json_t *reply, const struct commands_args *a)
{
	const json_t *envios = json_object_get(reply, "envios");
	const json_t *e;
	size_t i;

	(void)a;
	if (json_array_size(envios) == 0) {
		printf("Nadie tiene materiales pendientes.\n");
		return;
	}
	json_array_foreach(envios, i, e) {
		char *n = commands_count((json_int_t)json_array_size(
		    json_object_get(e, "materiales")), "material",
		    "materiales");

		output_line(stdout, "Enviado a %s <%s>: %s.",
		    commands_str(e, "actor"), commands_str(e, "email"), n);
		free(n);
	}
}

static int
cmd_material_enviar(const struct settings *s, const struct commands_args *a)
{
	char *path = commands_mesa_path(a, "/materiales/enviar");
	int rc;

	rc = commands_run(s, a, "POST", path, NULL, "envios",
	    commands_print_envios);
	free(path);
	return rc;
}

/* Acuses. */

static void
commands_print_acuse(const json_t *acuse, const struct commands_args *a)
{
	(void)a;
	output_line(stdout, "Acuse %" JSON_INTEGER_FORMAT " registrado: el "
	    "actor %" JSON_INTEGER_FORMAT " recibió el material %"
	    JSON_INTEGER_FORMAT " el %s por «%s»%s.",
	    commands_int(acuse, "id"), commands_int(acuse, "actor_id"),
	    commands_int(acuse, "material_id"), commands_str(acuse, "fecha"),
	    commands_str(acuse, "medio"),
	    json_is_true(json_object_get(acuse, "retroactivo")) ?
	    " (retroactivo)" : "");
}

static int
cmd_acuse_registrar(const struct settings *s, const struct commands_args *a)
{
	char *path = commands_mesa_path(a, "/acuses");
	json_t *body = json_pack("{s:I, s:I, s:s, s:s*}",
	    "actor", commands_number(commands_opt(a, "actor")),
	    "material", commands_number(commands_opt(a, "material")),
	    "medio", commands_opt(a, "medio"),
	    "fecha", commands_opt(a, "fecha"));
	int rc;

	rc = commands_run(s, a, "POST", path, body, NULL,
	    commands_print_acuse);
	json_decref(body);
	free(path);
	return rc;
}

/* Sesión. */

/* The minutes: attendees, then every contribution in order. */
static void
commands_print_sesion(const json_t *acta, const struct commands_args *a)
{
	const json_t *asistentes = json_object_get(acta, "asistentes");
	const json_t *aportaciones = json_object_get(acta, "aportaciones");
	const json_t *v;
	size_t i;

	(void)a;
	output_line(stdout, "Sesión de la mesa %" JSON_INTEGER_FORMAT ", %s "
	    "(%s).", commands_int(acta, "mesa_id"), commands_str(acta, "fecha"),
	    json_is_true(json_object_get(acta, "abierta")) ? "abierta" :
	    "cerrada");
	printf("\nAsistentes (%zu):\n", json_array_size(asistentes));
	json_array_foreach(asistentes, i, v) {
		const char *org = json_string_value(json_object_get(v,
		    "organizacion"));

		output_line(stdout, "  - %s (%s%s%s)",
		    commands_str(v, "nombre"),
		    commands_label(json_string_value(json_object_get(v,
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
		    commands_int(v, "orden"),
		    commands_label(json_string_value(json_object_get(v,
		    "tipo"))), commands_str(v, "actor"),
		    commands_str(v, "texto"));
}

static int
cmd_sesion_abrir(const struct settings *s, const struct commands_args *a)
{
	char *path = commands_mesa_path(a, "/sesion");
	json_t *ids = json_array();
	json_t *body;
	int rc;

	/* Checked by commands_parse already: this only fills ids. */
	(void)commands_numbers_valid("--asistentes",
	    commands_opt(a, "asistentes"), ids, NULL);
	body = json_pack("{s:o}", "asistentes", ids);
	rc = commands_run(s, a, "POST", path, body, NULL,
	    commands_print_sesion);
	json_decref(body);
	free(path);
	return rc;
}

static int
cmd_sesion_ver(const struct settings *s, const struct commands_args *a)
{
	char *path = commands_mesa_path(a, "/sesion");
	int rc;

	rc = commands_run(s, a, "GET", path, NULL, NULL,
	    commands_print_sesion);
	free(path);
	return rc;
}

static void
commands_print_aportacion(const json_t *ap, const struct commands_args *a)
{
	output_line(stdout, "Aportación %" JSON_INTEGER_FORMAT " registrada en "
	    "la minuta de la mesa %" JSON_INTEGER_FORMAT ": [%s] %s.",
	    commands_int(ap, "orden"), commands_number(a->args[0]),
	    commands_label(json_string_value(json_object_get(ap, "tipo"))),
	    commands_str(ap, "actor"));
}

static int
cmd_aportacion_agregar(const struct settings *s,
    const struct commands_args *a)
{
	char *path = commands_mesa_path(a, "/aportaciones");
	json_t *body = json_pack("{s:I, s:s, s:s}",
	    "actor", commands_number(commands_opt(a, "actor")),
	    "tipo", commands_opt(a, "tipo"),
	    "texto", a->args[1]);
	int rc;

	rc = commands_run(s, a, "POST", path, body, NULL,
	    commands_print_aportacion);
	json_decref(body);
	free(path);
	return rc;
}

/* The program. */

/*
 * Takes "--name value" or "--name=value" for a global option at argv[*i];
 * true when argv[*i] is that option, with *value set (NULL if missing).
 */
static bool
commands_global_value(int argc, char **argv, int *i, const char *name,
    const char **value)
{
	const char *arg = argv[*i] + 2;
	size_t len = strlen(name);

	if (strncmp(arg, name, len) != 0)
		return false;
	if (arg[len] == '=') {
		*value = arg + len + 1;
		return true;
	}
	if (arg[len] != '\0')
		return false;
	*value = *i + 1 < argc ? argv[++*i] : NULL;
	return true;
}

static bool
commands_is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

int
commands_main(int argc, char **argv)
{
	const char *flag_url = NULL, *flag_token = NULL, *noun, *verb = NULL;
	const struct commands_entry *e;
	struct commands_args a;
	struct settings s;
	struct error err;
	bool json = false, help = false;
	int i, rc;

	error_clear(&err);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *arg = argv[i], **slot = NULL, *value = NULL;

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(arg, "--json") == 0)
			json = true;
		else if (commands_is_help(arg))
			help = true;
		else if (strcmp(arg, "--version") == 0 ||
		    strcmp(arg, "-V") == 0) {
			printf("pal %s\n", PALD_VERSION);
			return PAL_EXIT_OK;
		} else if (commands_global_value(argc, argv, &i, "url",
		    &value))
			slot = &flag_url;
		else if (commands_global_value(argc, argv, &i, "token",
		    &value))
			slot = &flag_token;
		else {
			fprintf(stderr, "error: opción global desconocida: "
			    "%s\nUse «pal --help».\n", arg);
			return PAL_EXIT_USAGE;
		}
		if (slot != NULL) {
			if (value == NULL || *value == '\0') {
				fprintf(stderr, "error: falta el valor de "
				    "%.*s\n", (int)strcspn(arg, "="), arg);
				return PAL_EXIT_USAGE;
			}
			*slot = value;
		}
	}

	if (i == argc) {
		if (help) {
			commands_help_all(stdout);
			return PAL_EXIT_OK;
		}
		fprintf(stderr, "error: falta la orden\n");
		commands_help_all(stderr);
		return PAL_EXIT_USAGE;
	}
	noun = argv[i++];
	if (!commands_noun_exists(noun)) {
		fprintf(stderr, "error: orden desconocida: «%s»\n"
		    "Use «pal --help» para ver las órdenes.\n", noun);
		return PAL_EXIT_USAGE;
	}
	if ((e = commands_find(noun, NULL)) == NULL) {
		if (i == argc || argv[i][0] == '-') {
			if (help || (i < argc && commands_is_help(argv[i]))) {
				commands_help_noun(stdout, noun);
				return PAL_EXIT_OK;
			}
			fprintf(stderr, "error: falta el verbo de «%s»\n",
			    noun);
			commands_help_noun(stderr, noun);
			return PAL_EXIT_USAGE;
		}
		verb = argv[i++];
		if ((e = commands_find(noun, verb)) == NULL) {
			fprintf(stderr, "error: «%s» no es un verbo de «%s»\n",
			    verb, noun);
			commands_help_noun(stderr, noun);
			return PAL_EXIT_USAGE;
		}
	}
	for (int k = i; k < argc && strcmp(argv[k], "--") != 0; k++)
		help = help || commands_is_help(argv[k]);
	if (help) {
		commands_help_entry(stdout, e);
		return PAL_EXIT_OK;
	}
	if (!commands_parse(e, argc - i, argv + i, &a, &err))
		return commands_usage_error(e, "%s", err.message);

	/* login must work even when the config file it replaces is bad. */
	settings_init(&s);
	if (!e->own_settings && !settings_load(&s, flag_url, flag_token,
	    &err)) {
		fprintf(stderr, "error: %s\n", err.message);
		settings_cleanup(&s);
		return PAL_EXIT_USAGE;
	}
	s.json = json;
	if (e->needs_token && s.token == NULL) {
		fprintf(stderr, "error: no hay token: use «pal login URL "
		    "TOKEN», --token o PAL_TOKEN\n");
		settings_cleanup(&s);
		return PAL_EXIT_USAGE;
	}
	rc = e->handler(&s, &a);
	settings_cleanup(&s);
	if (fflush(stdout) == EOF && rc == PAL_EXIT_OK) {
		fprintf(stderr, "error: no se pudo escribir la salida: %s\n",
		    strerror(errno));
		rc = PAL_EXIT_USAGE;
	}
	return rc;
}
