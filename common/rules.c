/*
 * The rules of a mesa as pure functions over facts the server has already
 * loaded: phase names and labels, the table of allowed moves between
 * phases (docs/API.md), and the scheduling gate of DESIGN.md section 3
 * ("fecha_mesa - fecha_recibo >= 10" calendar days, every pair received);
 * then the PAL's rules (DESIGN.md section 1, step 5, and section 3): the
 * minimum count of each kind of commitment, the required fields, the five
 * attested criteria and every activity's deadline and responsable.
 *
 * It deliberately does no I/O and reads no clock: "today" is a local day
 * number the caller computed in the mesa's time zone.
 */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dates.h"
#include "validate.h"

static const struct {
	const char	*name;	/* stored in the database and sent in JSON */
	const char	*label;	/* for people */
} rules_fases[FASE_COUNT] = {
	[FASE_PREPARACION] =	{ "preparacion", "preparación" },
	[FASE_CONVOCADA] =	{ "convocada", "convocada" },
	[FASE_EN_SESION] =	{ "en_sesion", "en sesión" },
	[FASE_ACUERDOS] =	{ "acuerdos", "acuerdos" },
	[FASE_FIRMADA] =	{ "firmada", "firmada" },
	[FASE_EN_SEGUIMIENTO] =	{ "en_seguimiento", "en seguimiento" },
	[FASE_CONCLUIDA] =	{ "concluida", "concluida" },
	[FASE_SUSPENDIDA] =	{ "suspendida", "suspendida" },
	[FASE_CANCELADA] =	{ "cancelada", "cancelada" },
};

/*
 * Every allowed move, as docs/API.md lists them. "Any phase but concluida
 * may be cancelled" is spelled out pair by pair so that the table is the
 * whole truth; cancelada itself is terminal, so cancelling twice is
 * refused like any other move out of it.
 */
static const struct {
	enum fase	from;
	enum fase	to;
} rules_moves[] = {
	{ FASE_PREPARACION,	FASE_CONVOCADA },	/* programar */
	{ FASE_CONVOCADA,	FASE_CONVOCADA },	/* reprogramar */
	{ FASE_CONVOCADA,	FASE_SUSPENDIDA },	/* something added */
	{ FASE_SUSPENDIDA,	FASE_CONVOCADA },	/* programar again */
	{ FASE_CONVOCADA,	FASE_EN_SESION },	/* sesión abierta */
	{ FASE_EN_SESION,	FASE_ACUERDOS },
	{ FASE_ACUERDOS,	FASE_FIRMADA },
	{ FASE_FIRMADA,		FASE_EN_SEGUIMIENTO },
	{ FASE_FIRMADA,		FASE_ACUERDOS },	/* pal reabrir */
	{ FASE_EN_SEGUIMIENTO,	FASE_CONCLUIDA },
	{ FASE_PREPARACION,	FASE_CANCELADA },
	{ FASE_CONVOCADA,	FASE_CANCELADA },
	{ FASE_EN_SESION,	FASE_CANCELADA },
	{ FASE_ACUERDOS,	FASE_CANCELADA },
	{ FASE_FIRMADA,		FASE_CANCELADA },
	{ FASE_EN_SEGUIMIENTO,	FASE_CANCELADA },
	{ FASE_SUSPENDIDA,	FASE_CANCELADA },
};

static bool
rules_fase_valid(enum fase f)
{
	return (int)f >= 0 && f < FASE_COUNT;
}

bool
rules_fase_parse(const char *name, enum fase *out)
{
	if (name == NULL)
		return false;
	for (int f = 0; f < FASE_COUNT; f++) {
		if (strcmp(name, rules_fases[f].name) == 0) {
			*out = (enum fase)f;
			return true;
		}
	}
	return false;
}

const char *
rules_fase_name(enum fase f)
{
	/* Never NULL, so that a corrupt value cannot crash a printf. */
	return rules_fase_valid(f) ? rules_fases[f].name : "desconocida";
}

const char *
rules_fase_label(enum fase f)
{
	return rules_fase_valid(f) ? rules_fases[f].label : "desconocida";
}

bool
rules_transicion(enum fase from, enum fase to, struct error *err)
{
	size_t i;

	for (i = 0; i < sizeof(rules_moves) / sizeof(rules_moves[0]); i++)
		if (rules_moves[i].from == from && rules_moves[i].to == to)
			return true;
	error_set(err, 409, "transicion_invalida",
	    "La mesa está en «%s» y no puede pasar a «%s».",
	    rules_fase_label(from), rules_fase_label(to));
	return false;
}

bool
rules_gate(const int *fechas, size_t n, int hoy, int propuesta,
    int *fecha_minima, int *ultima, struct error *err)
{
	char a[11], b[11];
	size_t pendientes = 0;
	int last = RULES_NO_RECIBIDO;

	for (size_t i = 0; i < n; i++) {
		if (fechas[i] == RULES_NO_RECIBIDO)
			pendientes++;
		else if (last == RULES_NO_RECIBIDO || fechas[i] > last)
			last = fechas[i];
	}
	*ultima = last;
	*fecha_minima = RULES_NO_RECIBIDO;
	if (n == 0) {
		error_set(err, 409, "sin_materiales", "La mesa no tiene "
		    "materiales: agregue al menos uno antes de programarla.");
		return false;
	}
	if (pendientes > 0) {
		error_set(err, 409, "materiales_pendientes",
		    "Falta%s %zu acuse%s de recibo: cada actor debe tener "
		    "cada material antes de programar la mesa.",
		    pendientes == 1 ? "" : "n", pendientes,
		    pendientes == 1 ? "" : "s");
		return false;
	}
	if (last + RULES_DIAS_ANTICIPACION > hoy)
		*fecha_minima = last + RULES_DIAS_ANTICIPACION;
	else
		*fecha_minima = hoy;
	if (propuesta < hoy) {
		dates_format(propuesta, a);
		dates_format(hoy, b);
		error_set(err, 422, "fecha_pasada",
		    "La fecha %s ya pasó; hoy es %s.", a, b);
		return false;
	}
	if (propuesta - last < RULES_DIAS_ANTICIPACION) {
		dates_format(last, a);
		dates_format(*fecha_minima, b);
		error_set(err, 409, "plazo_insuficiente",
		    "La mesa debe celebrarse al menos %d días después de "
		    "la última recepción de materiales (%s); la fecha más "
		    "próxima permitida es %s.", RULES_DIAS_ANTICIPACION, a, b);
		return false;
	}
	return true;
}

/*
 * The five quality criteria, in the order their bits are numbered and
 * their violations reported: the name is the API's, the label is what a
 * person reads.
 */
static const struct {
	unsigned	 bit;
	const char	*name;
	const char	*label;
} rules_criterios[] = {
	{ RULES_CRITERIO_MEDIBLE,	"medible",	"medible" },
	{ RULES_CRITERIO_ESPECIFICO,	"especifico",	"específico" },
	{ RULES_CRITERIO_REPLICABLE,	"replicable",	"replicable" },
	{ RULES_CRITERIO_SOSTENIBLE,	"sostenible",	"sostenible" },
	{ RULES_CRITERIO_ALTO_IMPACTO,	"alto_impacto",	"alto impacto" },
};

#define RULES_NCRITERIOS \
	(sizeof(rules_criterios) / sizeof(rules_criterios[0]))

/*
 * The PAL-wide minimums of DESIGN.md section 1, step 5, in the order they
 * are reported. `what` completes "al menos N ...", already in the number
 * of its minimum.
 */
static const struct {
	const char	*tipo;
	size_t		 minimo;
	const char	*code;
	const char	*what;
} rules_minimos[] = {
	{ "contrataciones_abiertas", 1, "faltan_contrataciones_abiertas",
	    "compromiso de contrataciones abiertas" },
	{ "plan_nacional", 2, "faltan_plan_nacional",
	    "compromisos alineados al Plan de Acción Nacional" },
	{ "local", 2, "faltan_locales",
	    "compromisos sobre problemas locales" },
};

#define RULES_NMINIMOS	(sizeof(rules_minimos) / sizeof(rules_minimos[0]))

/*
 * A title quoted in a message is cut to this many bytes (and "…" added),
 * so that the rule itself, which comes after it, always fits in
 * struct rules_violacion's message.
 */
#define RULES_TITULO_MAX	200

unsigned
rules_criterio_bit(const char *name)
{
	if (name == NULL)
		return 0;
	for (size_t i = 0; i < RULES_NCRITERIOS; i++)
		if (strcmp(name, rules_criterios[i].name) == 0)
			return rules_criterios[i].bit;
	return 0;
}

const char *
rules_criterio_name(unsigned bit)
{
	for (size_t i = 0; i < RULES_NCRITERIOS; i++)
		if (bit == rules_criterios[i].bit)
			return rules_criterios[i].name;
	return NULL;
}

int
rules_compromiso_fin(int inicio)
{
	/*
	 * What PostgreSQL computes for "inicio + interval '1 year' -
	 * interval '1 day'": the same day a year later (29 February
	 * clamped to the 28th), then the day before.
	 */
	return dates_add_years(inicio, 1) - 1;
}

/* Whether a required text is absent: NULL, empty or only blanks. */
static bool
rules_blank(const char *s)
{
	if (s == NULL)
		return true;
	for (; *s != '\0'; s++)
		if (strchr(" \t\n\r\v\f", *s) == NULL)
			return false;
	return true;
}

/*
 * Length of the longest prefix of s[0..len) that does not end inside a
 * UTF-8 sequence, so that cutting there leaves valid text.
 */
static size_t
rules_utf8_prefix(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, need;

	if (len == 0)
		return 0;
	i = len - 1;
	while (i > 0 && (p[i] & 0xC0) == 0x80)
		i--;
	if (p[i] < 0x80)
		need = 1;
	else if ((p[i] & 0xE0) == 0xC0)
		need = 2;
	else if ((p[i] & 0xF0) == 0xE0)
		need = 3;
	else
		need = 4;
	return i + need <= len ? len : i;
}

/* The title as quoted in messages: at most RULES_TITULO_MAX bytes + "…". */
static const char *
rules_titulo(const char *titulo, char out[RULES_TITULO_MAX + 4])
{
	size_t len;

	if (titulo == NULL)
		return "";
	len = strlen(titulo);
	if (len <= RULES_TITULO_MAX)
		return titulo;
	len = rules_utf8_prefix(titulo, RULES_TITULO_MAX);
	memcpy(out, titulo, len);
	memcpy(out + len, "…", sizeof("…"));
	return out;
}

static void	rules_note(struct rules_violacion *out, size_t max,
		    size_t *count, const char *code, long long compromiso_id,
		    long long actividad_id, const char *fmt, ...)
		    __attribute__((format(printf, 7, 8)));

/*
 * Counts one broken rule and, while there is room in out[0..max), writes
 * it. A message too long for its buffer is cut on a character boundary.
 */
static void
rules_note(struct rules_violacion *out, size_t max, size_t *count,
    const char *code, long long compromiso_id, long long actividad_id,
    const char *fmt, ...)
{
	struct rules_violacion *v;
	va_list ap;
	int len;

	if (*count < max) {
		v = &out[*count];
		snprintf(v->code, sizeof(v->code), "%s", code);
		v->compromiso_id = compromiso_id;
		v->actividad_id = actividad_id;
		va_start(ap, fmt);
		len = vsnprintf(v->message, sizeof(v->message), fmt, ap);
		va_end(ap);
		if (len >= (int)sizeof(v->message))
			v->message[rules_utf8_prefix(v->message,
			    sizeof(v->message) - 1)] = '\0';
	}
	(*count)++;
}

/* The rules of one activity of commitment c. */
static void
rules_actividad_validar(const struct rules_compromiso *c,
    const struct rules_actividad *a, const char *titulo,
    struct rules_violacion *out, size_t max, size_t *count)
{
	char fecha[11], inicio[11], fin[11];

	if (a->fecha_limite < c->inicio || a->fecha_limite > c->fin) {
		dates_format(a->fecha_limite, fecha);
		dates_format(c->inicio, inicio);
		dates_format(c->fin, fin);
		rules_note(out, max, count, "fecha_fuera_de_plazo", c->id,
		    a->id, "Actividad %d.%d del compromiso «%s»: la fecha "
		    "límite %s está fuera de la vigencia (%s a %s).",
		    c->numero, a->numero, titulo, fecha, inicio, fin);
	}
	if (!validate_email(a->responsable_email, "responsable.email", NULL))
		rules_note(out, max, count, "email_invalido", c->id, a->id,
		    "Actividad %d.%d: el correo del responsable no es "
		    "válido.", c->numero, a->numero);
}

/* The rules of one commitment and then of each of its activities. */
static void
rules_compromiso_validar(const struct rules_compromiso *c,
    struct rules_violacion *out, size_t max, size_t *count)
{
	/* Parallel arrays, in the order the header documents. */
	const char *const fields[] = {
		c->problema, c->descripcion, c->indicador, c->meta,
		c->institucion,
	};
	static const char *const missing[] = {
		"el problema", "la descripción", "el indicador", "la meta",
		"la institución",
	};
	char buf[RULES_TITULO_MAX + 4];
	const char *titulo = rules_titulo(c->titulo, buf);

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (rules_blank(fields[i]))
			rules_note(out, max, count, "campo_requerido",
			    c->id, 0, "Compromiso %d «%s»: falta %s.",
			    c->numero, titulo, missing[i]);
	if (c->tipo != NULL && strcmp(c->tipo, "plan_nacional") == 0 &&
	    rules_blank(c->alineacion))
		rules_note(out, max, count, "alineacion_requerida", c->id, 0,
		    "Compromiso %d «%s»: falta la alineación al Plan de "
		    "Acción Nacional.", c->numero, titulo);
	if (c->n_actividades == 0)
		rules_note(out, max, count, "sin_actividades", c->id, 0,
		    "Compromiso %d «%s»: no tiene actividades.", c->numero,
		    titulo);
	for (size_t i = 0; i < RULES_NCRITERIOS; i++)
		if ((c->criterios & rules_criterios[i].bit) == 0)
			rules_note(out, max, count,
			    "criterio_sin_atestiguar", c->id, 0,
			    "Compromiso %d «%s»: el criterio «%s» no está "
			    "atestiguado.", c->numero, titulo,
			    rules_criterios[i].label);
	for (size_t i = 0; i < c->n_actividades; i++)
		rules_actividad_validar(c, &c->actividades[i], titulo, out,
		    max, count);
}

size_t
rules_pal_validar(const struct rules_compromiso *c, size_t n,
    struct rules_violacion *out, size_t max)
{
	size_t count = 0;

	for (size_t m = 0; m < RULES_NMINIMOS; m++) {
		size_t have = 0;
		char tail[32];

		for (size_t i = 0; i < n; i++)
			if (c[i].tipo != NULL &&
			    strcmp(c[i].tipo, rules_minimos[m].tipo) == 0)
				have++;
		if (have >= rules_minimos[m].minimo)
			continue;
		/*
		 * After "al menos 1" the missing one reads best as "no
		 * tiene ninguno"; after "al menos 2" the count is given,
		 * 0 included, so the two numbers can be compared.
		 */
		if (rules_minimos[m].minimo == 1)
			snprintf(tail, sizeof(tail), "no tiene ninguno");
		else
			snprintf(tail, sizeof(tail), "tiene %zu", have);
		rules_note(out, max, &count, rules_minimos[m].code, 0, 0,
		    "El PAL necesita al menos %zu %s; %s.",
		    rules_minimos[m].minimo, rules_minimos[m].what, tail);
	}
	for (size_t i = 0; i < n; i++)
		rules_compromiso_validar(&c[i], out, max, &count);
	return count;
}
