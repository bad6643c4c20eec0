/*
 * Human output of pal: tables, "campo: valor" lines and server errors.
 * Widths are counted in terminal columns of UTF-8 characters, never in
 * bytes, and text is only ever cut between characters. Everything that
 * comes from the server is cleaned of control characters first, so a
 * newline or an escape sequence in a value cannot break a table or drive
 * the terminal.
 *
 * It does not decide what to print (the commands do, with static column
 * tables) and it does not talk HTTP: it sees a status and a parsed body.
 */
#include "output.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

#define OUTPUT_ELLIPSIS		"\xe2\x80\xa6"	/* U+2026 */
#define OUTPUT_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */
#define OUTPUT_GAP		2		/* spaces between columns */

/*
 * Decodes one UTF-8 character at s (n bytes available). Returns its length
 * and stores the code point, or returns 0 if the bytes there are not a
 * well-formed character (overlong, surrogate, beyond U+10FFFF, truncated).
 */
static size_t
output_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

struct output_range {
	uint32_t	first;
	uint32_t	last;
};

/* Characters that take no column of their own: they mark the previous one. */
static const struct output_range output_zero_width[] = {
	{ 0x0300, 0x036f },	/* combining diacritical marks */
	{ 0x1ab0, 0x1aff },
	{ 0x1dc0, 0x1dff },
	{ 0x200b, 0x200f },	/* zero-width space, joiners, marks */
	{ 0x20d0, 0x20ff },
	{ 0xfe00, 0xfe0f },	/* variation selectors */
	{ 0xfe20, 0xfe2f },
};

/* East Asian wide characters and emoji: two columns on a terminal. */
static const struct output_range output_double_width[] = {
	{ 0x1100, 0x115f },
	{ 0x2e80, 0x303e },
	{ 0x3041, 0xa4cf },
	{ 0xac00, 0xd7a3 },
	{ 0xf900, 0xfaff },
	{ 0xfe30, 0xfe4f },
	{ 0xff00, 0xff60 },
	{ 0xffe0, 0xffe6 },
	{ 0x1f300, 0x1f64f },
	{ 0x1f900, 0x1f9ff },
	{ 0x20000, 0x3fffd },
};

static bool
output_in(const struct output_range *r, size_t n, uint32_t cp)
{
	for (size_t i = 0; i < n; i++)
		if (cp >= r[i].first && cp <= r[i].last)
			return true;
	return false;
}

static size_t
output_cp_width(uint32_t cp)
{
	if (output_in(output_zero_width,
	    sizeof(output_zero_width) / sizeof(output_zero_width[0]), cp))
		return 0;
	if (output_in(output_double_width,
	    sizeof(output_double_width) / sizeof(output_double_width[0]), cp))
		return 2;
	return 1;
}

bool
output_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), len;
	uint32_t cp;

	while (n > 0) {
		if ((len = output_decode(p, n, &cp)) == 0)
			return false;
		p += len;
		n -= len;
	}
	return true;
}

size_t
output_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), len, w = 0;
	uint32_t cp;

	while (n > 0) {
		if ((len = output_decode(p, n, &cp)) == 0) {
			w++;
			len = 1;
		} else
			w += output_cp_width(cp);
		p += len;
		n -= len;
	}
	return w;
}

/*
 * Copies s into out with control characters turned into spaces and each
 * byte that is not UTF-8 into U+FFFD, so that what is left can be measured
 * and cut safely.
 */
static void
output_clean(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), len;
	uint32_t cp;

	while (n > 0) {
		if ((len = output_decode(p, n, &cp)) == 0) {
			buf_puts(out, OUTPUT_REPLACEMENT);
			len = 1;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
			buf_putc(out, ' ');
		else
			buf_append(out, p, len);
		p += len;
		n -= len;
	}
}

/* The text of b, owned, with b released (buf_steal leaves b allocated). */
static char *
output_steal(struct buf *b)
{
	char *s = buf_steal(b);

	buf_cleanup(b);
	return s;
}

char *
output_cell(const char *s, size_t width)
{
	struct buf clean, cut;
	const unsigned char *p;
	size_t n, len, used = 0, w;
	uint32_t cp;

	buf_init(&clean);
	output_clean(&clean, s);
	if (width == 0 || output_width(clean.data) <= width)
		return output_steal(&clean);

	/* Keep what fits in width - 1 columns, then the ellipsis. */
	buf_init(&cut);
	p = (const unsigned char *)clean.data;
	n = clean.len;
	while (n > 0) {
		len = output_decode(p, n, &cp);	/* clean text: never 0 */
		w = output_cp_width(cp);
		if (used + w > width - 1)
			break;
		buf_append(&cut, p, len);
		used += w;
		p += len;
		n -= len;
	}
	buf_puts(&cut, OUTPUT_ELLIPSIS);
	buf_cleanup(&clean);
	return output_steal(&cut);
}

char *
output_value(const json_t *v)
{
	char *dump;

	if (v == NULL || json_is_null(v))
		return xstrdup("-");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%.15g", json_real_value(v));
	if (json_is_true(v))
		return xstrdup("sí");
	if (json_is_false(v))
		return xstrdup("no");
	/* json_dumps allocates with malloc, so free() releases it. */
	dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return dump != NULL ? dump : xstrdup("?");
}

static void
output_pad(FILE *fp, size_t n)
{
	while (n-- > 0)
		fputc(' ', fp);
}

/* Prints cell in width columns, left or right aligned; no trailing pad. */
static void
output_put_cell(FILE *fp, const char *cell, size_t width, bool right,
    bool last)
{
	size_t w = output_width(cell);
	size_t pad = w < width ? width - w : 0;

	if (right)
		output_pad(fp, pad);
	fputs(cell, fp);
	if (!right && !last)
		output_pad(fp, pad);
	if (!last)
		output_pad(fp, OUTPUT_GAP);
}

void
output_table(FILE *fp, const struct output_column *cols, size_t ncols,
    const json_t *rows, const char *empty)
{
	size_t nrows = json_is_array(rows) ? json_array_size(rows) : 0;
	size_t *widths;
	char **cells;
	char *raw;

	if (nrows == 0) {
		fprintf(fp, "%s\n", empty);
		return;
	}
	widths = xcalloc(ncols, sizeof(*widths));
	cells = xcalloc(nrows * ncols, sizeof(*cells));
	for (size_t c = 0; c < ncols; c++)
		widths[c] = output_width(cols[c].title);
	for (size_t r = 0; r < nrows; r++) {
		const json_t *row = json_array_get(rows, r);

		for (size_t c = 0; c < ncols; c++) {
			size_t w;

			if (cols[c].format != NULL)
				raw = cols[c].format(row);
			else
				raw = output_value(json_object_get(row,
				    cols[c].key));
			cells[r * ncols + c] = output_cell(raw,
			    cols[c].max_width);
			free(raw);
			w = output_width(cells[r * ncols + c]);
			if (w > widths[c])
				widths[c] = w;
		}
	}

	for (size_t c = 0; c < ncols; c++)
		output_put_cell(fp, cols[c].title, widths[c], cols[c].numeric,
		    c + 1 == ncols);
	fputc('\n', fp);
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++)
			output_put_cell(fp, cells[r * ncols + c], widths[c],
			    cols[c].numeric, c + 1 == ncols);
		fputc('\n', fp);
	}

	for (size_t i = 0; i < nrows * ncols; i++)
		free(cells[i]);
	free(cells);
	free(widths);
}

void
output_fields(FILE *fp, const struct output_field *fields, size_t nfields,
    const json_t *obj)
{
	size_t width = 0, w;
	char *raw, *value;

	for (size_t i = 0; i < nfields; i++)
		if ((w = output_width(fields[i].label)) > width)
			width = w;
	for (size_t i = 0; i < nfields; i++) {
		if (fields[i].format != NULL)
			raw = fields[i].format(obj);
		else
			raw = output_value(json_object_get(obj, fields[i].key));
		value = output_cell(raw, 0);
		fprintf(fp, "%s:", fields[i].label);
		output_pad(fp, width - output_width(fields[i].label) + 1);
		fprintf(fp, "%s\n", value);
		free(value);
		free(raw);
	}
}

void
output_line(FILE *fp, const char *fmt, ...)
{
	struct buf line;
	va_list ap;
	char *clean;

	buf_init(&line);
	va_start(ap, fmt);
	buf_vprintf(&line, fmt, ap);
	va_end(ap);
	clean = output_cell(line.data, 0);
	fprintf(fp, "%s\n", clean);
	free(clean);
	buf_cleanup(&line);
}

void
output_pendientes(FILE *fp, const json_t *pendientes)
{
	const json_t *p;
	size_t i;

	json_array_foreach(pendientes, i, p) {
		const char *actor = json_string_value(json_object_get(p,
		    "actor"));
		const char *material = json_string_value(json_object_get(p,
		    "material"));

		output_line(fp, "  - %s no ha recibido «%s»",
		    actor != NULL ? actor : "?",
		    material != NULL ? material : "?");
	}
}

void
output_errores(FILE *fp, const json_t *errores)
{
	const json_t *e;
	size_t i;

	json_array_foreach(errores, i, e) {
		const char *message = json_string_value(json_object_get(e,
		    "message"));
		const char *code = json_string_value(json_object_get(e,
		    "code"));

		output_line(fp, "  - %s", message != NULL ? message :
		    code != NULL ? code : "?");
	}
}

const char *
output_status_message(long status)
{
	static const struct {
		long		 status;
		const char	*message;
	} messages[] = {
		{ 400, "la petición no es válida" },
		{ 401, "falta el token o no es válido; use «pal login»" },
		{ 403, "no tiene permiso para esta operación" },
		{ 404, "no se encontró lo que se pidió" },
		{ 405, "el servidor no admite esta operación" },
		{ 408, "el servidor dejó de esperar la petición" },
		{ 409, "la operación choca con el estado actual" },
		{ 413, "el archivo o la petición excede el tamaño permitido" },
		{ 415, "el servidor no acepta ese tipo de contenido" },
		{ 422, "los datos enviados no son válidos" },
		{ 429, "demasiadas peticiones; intente más tarde" },
		{ 500, "error interno del servidor" },
		{ 502, "el intermediario no pudo comunicarse con el servidor" },
		{ 503, "el servidor no está disponible" },
		{ 504, "el servidor tardó demasiado en responder" },
	};

	for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
		if (messages[i].status == status)
			return messages[i].message;
	if (status >= 400 && status < 500)
		return "el servidor rechazó la petición";
	if (status >= 500 && status < 600)
		return "el servidor falló al atender la petición";
	return "respuesta inesperada del servidor";
}

/*
 * One line of text for a detail: strings as they are, arrays as their
 * items joined by ", ", objects as "clave: valor" pairs.
 */
static void
output_inline(struct buf *out, const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;
	bool first = true;
	char *s;

	if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			if (!first)
				buf_puts(out, ", ");
			output_inline(out, item);
			first = false;
		}
	} else if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, item) {
			if (!first)
				buf_puts(out, ", ");
			buf_printf(out, "%s: ", key);
			if (json_is_object(item) || json_is_array(item)) {
				buf_putc(out, '(');
				output_inline(out, item);
				buf_putc(out, ')');
			} else
				output_inline(out, item);
			first = false;
		}
	} else {
		s = output_value(v);
		buf_puts(out, s);
		free(s);
	}
}

static void
output_detail_line(FILE *fp, const char *key, const json_t *v)
{
	struct buf line;
	char *clean;

	buf_init(&line);
	if (key != NULL)
		buf_printf(&line, "%s: ", key);
	output_inline(&line, v);
	clean = output_cell(line.data, 0);
	fprintf(fp, "  - %s\n", clean);
	free(clean);
	buf_cleanup(&line);
}

/*
 * The members of detalles that the gate of "programar" and the closing of
 * a PAL send, read as sentences rather than as JSON; true when key was
 * one of them.
 */
static bool
output_gate_detail(FILE *fp, const char *key, const json_t *item)
{
	if (strcmp(key, "pendientes") == 0 && json_is_array(item)) {
		output_pendientes(fp, item);
		return true;
	}
	if (strcmp(key, "errores") == 0 && json_is_array(item)) {
		output_errores(fp, item);
		return true;
	}
	if (strcmp(key, "ultima_recepcion") != 0 &&
	    strcmp(key, "fecha_minima") != 0)
		return false;
	if (json_is_string(item))
		output_line(fp, "  %s: %s", strcmp(key, "fecha_minima") == 0 ?
		    "Fecha más próxima permitida" : "Última recepción",
		    json_string_value(item));
	return json_is_string(item) || json_is_null(item);
}

static void
output_detalles(FILE *fp, const json_t *detalles)
{
	const char *key;
	json_t *item;
	size_t i;

	if (detalles == NULL || json_is_null(detalles))
		return;
	if (json_is_array(detalles)) {
		json_array_foreach(detalles, i, item)
			output_detail_line(fp, NULL, item);
	} else if (json_is_object(detalles)) {
		json_object_foreach((json_t *)detalles, key, item)
			if (!output_gate_detail(fp, key, item))
				output_detail_line(fp, key, item);
	} else
		output_detail_line(fp, NULL, detalles);
}

void
output_server_error(FILE *fp, long status, const json_t *body)
{
	const json_t *error = json_object_get(body, "error");
	const char *message = json_string_value(json_object_get(error,
	    "message"));
	const char *code = json_string_value(json_object_get(error, "code"));
	char *m, *c;

	if (message == NULL) {
		fprintf(fp, "error: %s (HTTP %ld)\n",
		    output_status_message(status), status);
		return;
	}
	m = output_cell(message, 0);
	c = output_cell(code != NULL ? code : "", 0);
	if (*c != '\0')
		fprintf(fp, "error: %s (%s)\n", m, c);
	else
		fprintf(fp, "error: %s (HTTP %ld)\n", m, status);
	free(c);
	free(m);
	output_detalles(fp, json_object_get(error, "detalles"));
}
