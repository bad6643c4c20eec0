/*
 * The one table of pal's commands and the machinery it drives: lookup,
 * option and argument parsing with the local checks of each value's kind,
 * every help text, and the program's entry point (global options, --help,
 * settings, dispatch). The handlers are in the cmd_*.c files (cmd.h).
 *
 * Nothing here validates what the server validates (emails, lengths,
 * whether a date is in the past): the table gives each value a kind (an
 * id, a date, one of a few words) that commands_parse checks, so a typo
 * ends in exit 1 before any request, and everything else is left to the
 * server's Spanish error messages. Nothing here talks HTTP either.
 */
#include "commands.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "cmd.h"
#include "dates.h"
#include "output.h"
#include "settings.h"

#ifndef PALD_VERSION
#define PALD_VERSION	"desconocida"
#endif

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
static const char *const commands_tipos_compromiso[] = {
    "contrataciones_abiertas", "plan_nacional", "local", NULL };
static const char *const commands_criterios[] = { "medible", "especifico",
    "replicable", "sostenible", "alto_impacto", NULL };
static const char *const commands_formatos[] = { "json", "csv", NULL };
static const char *const commands_estados_avance[] = { "en_progreso",
    "cumplida", NULL };

/* The argument every command of a mesa starts with. */
#define COMMANDS_MESA	{ .name = "MESA", .kind = COMMANDS_NUMBER }
#define COMMANDS_COMPROMISO	\
	{ .name = "COMPROMISO", .kind = COMMANDS_NUMBER }

/*
 * The fields of a compromiso, for agregar (titulo, tipo and inicio
 * required) and editar (all optional); cmd_pal.c sends each one given
 * under the same name.
 */
#define COMMANDS_COMPROMISO_OPTIONS(req)				\
	{ .name = "titulo", .has_value = true, .required = (req) },	\
	{ .name = "tipo", .has_value = true, .required = (req),		\
	    .kind = COMMANDS_CHOICE,					\
	    .choices = commands_tipos_compromiso },			\
	{ .name = "inicio", .has_value = true, .required = (req),	\
	    .kind = COMMANDS_DATE },					\
	{ .name = "alineacion", .has_value = true },			\
	{ .name = "problema", .has_value = true },			\
	{ .name = "descripcion", .has_value = true },			\
	{ .name = "indicador", .has_value = true },			\
	{ .name = "meta", .has_value = true },				\
	{ .name = "institucion", .has_value = true }

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
		.noun = "mesa", .verb = "recordatorios",
		.usage = "MESA [--dias-antes 30,7,1,0] [--vencida-cada N] "
		    "[--copia-facilitador N] [--copia-garante N] "
		    "[--hora HH:MM] [--predeterminados]",
		.summary = "Muestra o cambia la cadencia de recordatorios de "
		    "la mesa.",
		.notes = "Sin opciones la muestra, con el origen de cada "
		    "valor: propio de la mesa o general (la configuración de "
		    "pald). Cada opción fija un valor propio: --dias-antes "
		    "los días antes del plazo (0 es el día del vencimiento; "
		    "«ninguno» para avisar solo al vencer), --vencida-cada "
		    "cada cuántos días se recuerda una actividad vencida, "
		    "--copia-facilitador y --copia-garante desde cuántos "
		    "días de retraso reciben copia, --hora la hora local de "
		    "envío. "
		    "--predeterminados vuelve todos a los generales (las "
		    "demás opciones dadas con ella se aplican después).",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_mesa_recordatorios,
		.options = {
			{ .name = "dias-antes", .has_value = true },
			{ .name = "vencida-cada", .has_value = true },
			{ .name = "copia-facilitador", .has_value = true },
			{ .name = "copia-garante", .has_value = true },
			{ .name = "hora", .has_value = true,
			    .kind = COMMANDS_TIME },
			{ .name = "predeterminados" },
		},
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
	{
		.noun = "compromiso", .verb = "agregar",
		.usage = "MESA --titulo T --tipo contrataciones_abiertas|"
		    "plan_nacional|local --inicio AAAA-MM-DD [--alineacion A] "
		    "[--problema P] [--descripcion D] [--indicador I] "
		    "[--meta M] [--institucion I]",
		.summary = "Agrega al PAL de la mesa un compromiso de un año.",
		.notes = "El compromiso termina un año después de --inicio, "
		    "menos un día. --alineacion nombra el compromiso del Plan "
		    "de Acción nacional 2013-2015 con el que se alinea; es "
		    "obligatoria con --tipo plan_nacional.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_compromiso_agregar,
		.options = { COMMANDS_COMPROMISO_OPTIONS(true) },
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "compromiso", .verb = "editar",
		.usage = "MESA COMPROMISO [--titulo T] "
		    "[--tipo contrataciones_abiertas|plan_nacional|local] "
		    "[--inicio AAAA-MM-DD] [--alineacion A] [--problema P] "
		    "[--descripcion D] [--indicador I] [--meta M] "
		    "[--institucion I]",
		.summary = "Cambia los campos indicados de un compromiso.",
		.notes = "COMPROMISO es el id que muestra «pal compromiso "
		    "listar», no su número. Con una versión del PAL cerrada, "
		    "reábrala antes con «pal pal reabrir MESA».",
		.min_args = 2, .max_args = 2,
		.needs_token = true,
		.handler = cmd_compromiso_editar,
		.options = { COMMANDS_COMPROMISO_OPTIONS(false) },
		.positional = { COMMANDS_MESA, COMMANDS_COMPROMISO },
	},
	{
		.noun = "compromiso", .verb = "listar",
		.usage = "MESA",
		.summary = "Lista los compromisos de la mesa con sus criterios "
		    "y actividades.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_compromiso_listar,
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "actividad", .verb = "agregar",
		.usage = "COMPROMISO --descripcion D --responsable N --email E "
		    "--fecha AAAA-MM-DD [--cargo C] [--institucion I] "
		    "[--entregable E]",
		.summary = "Agrega a un compromiso una actividad, su "
		    "responsable y su plazo.",
		.notes = "--responsable, --email, --cargo e --institucion "
		    "describen a la persona responsable, que no necesita "
		    "cuenta. --fecha es la fecha límite: cae dentro del año "
		    "del compromiso.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_actividad_agregar,
		.options = {
			{ .name = "descripcion", .has_value = true,
			    .required = true },
			{ .name = "responsable", .has_value = true,
			    .required = true },
			{ .name = "email", .has_value = true,
			    .required = true },
			{ .name = "fecha", .has_value = true, .required = true,
			    .kind = COMMANDS_DATE },
			{ .name = "cargo", .has_value = true },
			{ .name = "institucion", .has_value = true },
			{ .name = "entregable", .has_value = true },
		},
		.positional = { COMMANDS_COMPROMISO },
	},
	{
		.noun = "actividad", .verb = "avance",
		.usage = "ACTIVIDAD --estado en_progreso|cumplida [--avance N] "
		    "[--evidencia URL] [--nota T]",
		.summary = "Registra un reporte de avance de una actividad de "
		    "un PAL en seguimiento.",
		.notes = "--avance es el porcentaje, de 0 a 100; «cumplida» lo "
		    "deja en 100 y detiene los recordatorios. --evidencia es "
		    "un enlace http:// o https:// al entregable; --nota "
		    "explica el avance o el retraso. Los responsables, que no "
		    "tienen cuenta, reportan con el enlace de sus "
		    "recordatorios.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_actividad_avance,
		.options = {
			{ .name = "estado", .has_value = true,
			    .required = true, .kind = COMMANDS_CHOICE,
			    .choices = commands_estados_avance },
			{ .name = "avance", .has_value = true },
			{ .name = "evidencia", .has_value = true },
			{ .name = "nota", .has_value = true },
		},
		.positional = { { .name = "ACTIVIDAD",
		    .kind = COMMANDS_NUMBER } },
	},
	{
		.noun = "actividad", .verb = "avances",
		.usage = "ACTIVIDAD",
		.summary = "Muestra una actividad y sus reportes de avance, "
		    "en orden.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_actividad_avances,
		.positional = { { .name = "ACTIVIDAD",
		    .kind = COMMANDS_NUMBER } },
	},
	{
		.noun = "criterio", .verb = "atestiguar",
		.usage = "COMPROMISO --criterio medible|especifico|replicable|"
		    "sostenible|alto_impacto --quien Q --justificacion J",
		.summary = "Registra quién atestigua un criterio de calidad de "
		    "un compromiso.",
		.notes = "--quien nombra a quien lo atestigua y "
		    "--justificacion dice por qué se cumple. Atestiguar de "
		    "nuevo el mismo criterio reemplaza lo registrado; la línea "
		    "de tiempo conserva lo anterior.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_criterio_atestiguar,
		.options = {
			{ .name = "criterio", .has_value = true,
			    .required = true, .kind = COMMANDS_CHOICE,
			    .choices = commands_criterios },
			{ .name = "quien", .has_value = true,
			    .required = true },
			{ .name = "justificacion", .has_value = true,
			    .required = true },
		},
		.positional = { COMMANDS_COMPROMISO },
	},
	{
		.noun = "pal", .verb = "validar",
		.usage = "MESA",
		.summary = "Comprueba las reglas del PAL y muestra las que no "
		    "cumple.",
		.notes = "Sale con 0 si el PAL cumple todas las reglas y con 2 "
		    "si no cumple alguna, también con --json, para que un "
		    "guion pueda comprobarlo.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_pal_validar,
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "pal", .verb = "cerrar",
		.usage = "MESA",
		.summary = "Cierra una versión del PAL y pide su conformidad a "
		    "los asistentes.",
		.notes = "Muestra el número de la versión, el SHA-256 de su "
		    "contenido canónico y el de su PDF, y sus páginas. Se "
		    "niega, y dice por qué, si el PAL no cumple todas las "
		    "reglas.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_pal_cerrar,
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "pal", .verb = "ver",
		.usage = "MESA",
		.summary = "Muestra la versión vigente del PAL, sus "
		    "conformidades y quién falta.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_pal_ver,
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "pal", .verb = "pdf",
		.usage = "MESA [-o ARCHIVO] [--version N]",
		.summary = "Guarda el PDF del PAL en un archivo nuevo (nunca "
		    "sobrescribe).",
		.notes = "Sin -o, lo guarda como pal-MESA-vN.pdf en el "
		    "directorio actual; con «-o -», lo escribe en la salida "
		    "estándar. Sin --version, es el de la versión vigente.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_pal_pdf,
		.options = {
			{ .name = "salida", .short_name = 'o',
			    .has_value = true },
			{ .name = "version", .has_value = true,
			    .kind = COMMANDS_NUMBER },
		},
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "pal", .verb = "reabrir",
		.usage = "MESA",
		.summary = "Anula la versión vigente y sus conformidades para "
		    "editar el PAL.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_pal_reabrir,
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "pal", .verb = "enviar",
		.usage = "MESA",
		.summary = "Envía el PAL firmado a cada actor, con sus plazos "
		    "en un calendario.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_pal_enviar,
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "pal", .verb = "datos",
		.usage = "MESA [--formato json|csv] [-o ARCHIVO]",
		.summary = "Descarga los datos abiertos del PAL, en JSON o en "
		    "CSV.",
		.notes = "Sin -o, los escribe en la salida estándar; con -o, "
		    "en un archivo nuevo (nunca sobrescribe). JSON si no se "
		    "indica --formato.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_pal_datos,
		.options = {
			{ .name = "formato", .has_value = true,
			    .kind = COMMANDS_CHOICE,
			    .choices = commands_formatos },
			{ .name = "salida", .short_name = 'o',
			    .has_value = true },
		},
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "pal", .verb = "evidencia",
		.usage = "MESA --version N ARCHIVO",
		.summary = "Guarda con una versión el escaneo del PAL firmado "
		    "en papel.",
		.min_args = 2, .max_args = 2,
		.needs_token = true,
		.handler = cmd_pal_evidencia,
		.options = {
			{ .name = "version", .has_value = true,
			    .required = true, .kind = COMMANDS_NUMBER },
		},
		.positional = { COMMANDS_MESA, { .name = "ARCHIVO" } },
	},
	{
		.noun = "conformidad", .verb = "registrar",
		.usage = "MESA --actor A [--version V] [--medio M]",
		.summary = "Registra la conformidad de un asistente con la "
		    "versión vigente.",
		.notes = "Con --version, se niega (sale con 2) si V no es la "
		    "versión vigente, para no registrar una conformidad con un "
		    "texto que ya cambió. --medio dice cómo se expresó, por "
		    "ejemplo «en sesión».",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_conformidad_registrar,
		.options = {
			{ .name = "actor", .has_value = true,
			    .required = true, .kind = COMMANDS_NUMBER },
			{ .name = "version", .has_value = true,
			    .kind = COMMANDS_NUMBER },
			{ .name = "medio", .has_value = true },
		},
		.positional = { COMMANDS_MESA },
	},
	{
		.noun = "recordatorios", .verb = "ejecutar",
		.usage = "",
		.summary = "Planifica ahora los recordatorios que tocan y "
		    "muestra la cola.",
		.notes = "Solo para administradores. pald planifica los "
		    "recordatorios por sí solo cada cierto tiempo; esta orden "
		    "hace una pasada en el momento. Un recordatorio nunca se "
		    "envía dos veces.",
		.needs_token = true,
		.handler = cmd_recordatorios_ejecutar,
	},
	{
		.noun = "resumenes", .verb = "ejecutar",
		.usage = "",
		.summary = "Envía ahora el resumen semanal a los garantes que "
		    "no lo tienen.",
		.notes = "Solo para administradores. pald envía el resumen por "
		    "sí solo el día y la hora de resumen_dia y resumen_hora; "
		    "esta orden no los espera. Un garante nunca recibe dos "
		    "resúmenes en la misma semana.",
		.needs_token = true,
		.handler = cmd_resumenes_ejecutar,
	},
	{
		.noun = "monitoreo", .verb = NULL,
		.usage = "[exportar [--formato json|csv] [-o ARCHIVO] | enlace] "
		    "[--entidad E] [--vencidas] [--proximas DIAS]",
		.summary = "Muestra el semáforo de los PAL en seguimiento o "
		    "exporta sus actividades.",
		.notes = "--proximas fija cuántos días antes del vencimiento "
		    "una actividad está «por vencer» (14 si no se indica, "
		    "de 1 a 366); --vencidas deja solo las actividades "
		    "vencidas. «exportar» escribe todas las actividades, en "
		    "JSON si no se indica --formato, en la salida estándar "
		    "o, con -o, en un archivo nuevo (nunca sobrescribe). "
		    "«enlace» muestra un enlace personal a su tablero web "
		    "de monitoreo, válido 7 días.",
		.min_args = 0, .max_args = 1,
		.needs_token = true,
		.handler = cmd_monitoreo,
		.options = {
			{ .name = "entidad", .has_value = true },
			{ .name = "vencidas" },
			{ .name = "proximas", .has_value = true,
			    .kind = COMMANDS_NUMBER },
			{ .name = "formato", .has_value = true,
			    .kind = COMMANDS_CHOICE,
			    .choices = commands_formatos },
			{ .name = "salida", .short_name = 'o',
			    .has_value = true },
		},
		.positional = { { .name = "exportar" } },
	},
	{
		.noun = "feed", .verb = "crear",
		.usage = "[--email E]",
		.summary = "Crea un calendario de fechas límite y muestra su "
		    "enlace.",
		.notes = "Un organismo garante obtiene, sin --email, el "
		    "calendario de todas las actividades que monitorea; un "
		    "facilitador o un administrador, con --email, el de las "
		    "actividades de ese responsable. El enlace se muestra una "
		    "sola vez: quien lo tenga puede ver el calendario.",
		.needs_token = true,
		.handler = cmd_feed_crear,
		.options = {
			{ .name = "email", .has_value = true },
		},
	},
	{
		.noun = "feed", .verb = "revocar",
		.usage = "TOKEN_O_URL",
		.summary = "Revoca un calendario de fechas límite.",
		.min_args = 1, .max_args = 1,
		.needs_token = true,
		.handler = cmd_feed_revocar,
		.positional = { { .name = "TOKEN_O_URL" } },
	},
	{ .noun = NULL },
};

/* Options pal takes before the noun, named in a hint when given after. */
static const char *const commands_globals[] = { "url", "token", "json" };

/* Usage and help. */

/*
 * Prints text broken at spaces into lines of about width bytes (usage
 * texts are ASCII; notes in UTF-8 only wrap a little early), continuation
 * lines starting with indent. A space inside [] or () does not break, so
 * "[--fecha AAAA-MM-DD]" stays whole.
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

/*
 * The help of one command: usage, summary, notes, and the words its usage
 * omits.
 */
static void
commands_help_entry(FILE *fp, const struct commands_entry *e)
{
	commands_print_usage(fp, "uso: ", e);
	fprintf(fp, "%s\n", e->summary);
	if (e->notes != NULL)
		commands_wrap(fp, e->notes, 79, "");
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

int
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


/* A real calendar date, AAAA-MM-DD (the server checks again). */
static bool
commands_date_valid(const char *s)
{
	int days;

	return dates_parse(s, &days);
}

static bool
commands_time_valid(const char *s)
{
	int minutes;

	return dates_parse_time(s, &minutes);
}

/* Checks a list "3,4,5" of positive integers without repeats. */
static bool
commands_numbers_valid(const char *what, const char *s, struct error *err)
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
		return commands_numbers_valid(what, value, err);
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
