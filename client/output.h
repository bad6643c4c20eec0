/*
 * What pal prints for people: aligned tables for lists, "campo: valor"
 * lines for one object, and the server's errors, all in Spanish and aware
 * that UTF-8 characters are not bytes. A command describes its columns or
 * fields in a static table and hands over the parsed JSON.
 */
#ifndef PAL_OUTPUT_H
#define PAL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/*
 * Formats a cell or a value from a whole row (or object) when one member
 * alone does not say it. Returns owned memory (free()), never NULL.
 */
typedef char *output_format_fn(const json_t *row);

struct output_column {
	const char		*title;		/* borrowed; Spanish header */
	const char		*key;		/* borrowed; member shown */
	size_t			 max_width;	/* columns, 0 for no limit */
	bool			 numeric;	/* right-aligned */
	output_format_fn	*format;	/* used instead of key if set */
};

struct output_field {
	const char		*label;		/* borrowed; Spanish label */
	const char		*key;		/* borrowed; member shown */
	output_format_fn	*format;	/* used instead of key if set */
};

/* True if s is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool	 output_utf8_valid(const char *s);

/*
 * Terminal columns of UTF-8 text: one per character, none for combining
 * marks (U+0300..U+036F and a few more), one per byte that is not valid
 * UTF-8, so a bad byte can never make the count shrink.
 */
size_t	 output_width(const char *s);

/*
 * An owned copy of s that fits in width columns: control characters (tabs,
 * newlines, escapes) become spaces, and text that is too wide is cut at a
 * character boundary and ends in "…". width 0 means no limit.
 */
char	*output_cell(const char *s, size_t width);

/*
 * The text of a JSON value for people, owned: strings as they are, numbers
 * in decimal, true/false as "sí"/"no", null or a missing value as "-",
 * arrays and objects as compact JSON.
 */
char	*output_value(const json_t *v);

/*
 * Prints rows (a borrowed JSON array of objects) as a table with a header
 * line and columns two spaces apart, padded by display width. With no rows
 * it prints only the Spanish sentence empty.
 */
void	 output_table(FILE *fp, const struct output_column *cols,
	    size_t ncols, const json_t *rows, const char *empty);

/* Prints "label: value" lines for obj (borrowed), values aligned. */
void	 output_fields(FILE *fp, const struct output_field *fields,
	    size_t nfields, const json_t *obj);

/*
 * Prints one line: fmt formatted, control characters of the result turned
 * into spaces (values from the server may hold any), then a newline.
 */
void	 output_line(FILE *fp, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Prints the (actor, material) pairs not yet received, a borrowed array
 * of {actor, material} objects, as "  - Ana no ha recibido «Diagnóstico»"
 * lines. The same lines serve "pal mesa ver" and a refused programar.
 */
void	 output_pendientes(FILE *fp, const json_t *pendientes);

/*
 * Prints the broken rules of a PAL, a borrowed array of {code, message,
 * ...} objects as "pal pal validar" and a refused "pal pal cerrar" get
 * them, as one "  - <message>" line each ("  - <code>" when an item has
 * no message).
 */
void	 output_errores(FILE *fp, const json_t *errores);

/*
 * The Spanish sentence for an HTTP status when the body says nothing
 * usable (413 becomes "el archivo o la petición excede el tamaño
 * permitido"). Static storage.
 */
const char *output_status_message(long status);

/*
 * Prints a refused or failed request on fp: "error: <message> (<code>)"
 * from a JSON error body (borrowed, may be NULL), then its "detalles" as
 * an indented list; without a usable body, the sentence for status.
 * Members of the gate's detalles read as sentences: "pendientes" as
 * output_pendientes lines, "ultima_recepcion" and "fecha_minima" as
 * "Última recepción: ..." and "Fecha más próxima permitida: ..." (not at
 * all when null); the "errores" of a refused PAL as output_errores lines.
 */
void	 output_server_error(FILE *fp, long status, const json_t *body);

#endif
