/*
 * The printable PAL: the canonical JSON of a version laid out on Letter
 * pages with pango and written as PDF by cairo.
 *
 * The body is laid out once, page by page, into cairo recording surfaces;
 * only when the last page is known are the pages replayed into the PDF
 * surface, each under its header ("Página X de Y" needs Y) and above its
 * row of initials boxes. Text flows in blocks (one PangoLayout each) that
 * are drawn line by line, so a paragraph or a table row taller than what
 * is left of a page continues on the next one instead of being clipped.
 *
 * It deliberately does not read the database, hash anything or decide
 * what a valid PAL is: the caller hands it a version already frozen and
 * its SHA-256. Everything it allocates is per call (font map included),
 * so DB workers may render concurrently.
 */
#include "pdf.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "dates.h"
#include "xmalloc.h"

#define PDF_PAGE_W	612.0
#define PDF_PAGE_H	792.0
#define PDF_MARGIN	50.0
#define PDF_WIDTH	(PDF_PAGE_W - 2 * PDF_MARGIN)

/* The header band: mesa and page on one line, the hash under it. */
#define PDF_HEADER_Y	30.0
#define PDF_BODY_TOP	74.0

/* The initials boxes at the foot of every page. */
#define PDF_FOOT_BOTTOM	(PDF_PAGE_H - 26.0)
#define PDF_BOX_H	24.0
#define PDF_BOX_LABEL_H	9.0
#define PDF_BOX_ROW_H	(PDF_BOX_H + PDF_BOX_LABEL_H + 3.0)
#define PDF_BOX_GAP	6.0
#define PDF_BOX_W	44.0
#define PDF_BOX_W_MIN	30.0
#define PDF_FOOT_CAPTION_H 12.0
/* Below this much body per page the actors' boxes have eaten the page. */
#define PDF_BODY_MIN	200.0

/* Label column of the label/value fields. */
#define PDF_LABEL_W	118.0
#define PDF_VALUE_X	(PDF_MARGIN + PDF_LABEL_W + 8.0)
#define PDF_VALUE_W	(PDF_PAGE_W - PDF_MARGIN - PDF_VALUE_X)

#define PDF_CELL_PAD	3.0
/* Height of an actor's entry in Anexo 2: room for a signature. */
#define PDF_SIGN_H	46.0
#define PDF_MAX_COLS	5

enum pdf_font {
	PDF_F_BODY,
	PDF_F_BOLD,
	PDF_F_SMALL,
	PDF_F_SMALL_BOLD,
	PDF_F_TINY,
	PDF_F_TINY_BOLD,
	PDF_F_MONO,
	PDF_F_H0,
	PDF_F_H1,
	PDF_F_H2,
	PDF_F_H3,
	PDF_F_SUB,
	PDF_F_COUNT
};

/* Sizes are points: the pango context runs at 72 dpi. */
static const char *const pdf_font_names[PDF_F_COUNT] = {
	[PDF_F_BODY] = "DejaVu Sans 9",
	[PDF_F_BOLD] = "DejaVu Sans Bold 9",
	[PDF_F_SMALL] = "DejaVu Sans 7.5",
	[PDF_F_SMALL_BOLD] = "DejaVu Sans Bold 7.5",
	[PDF_F_TINY] = "DejaVu Sans 6",
	[PDF_F_TINY_BOLD] = "DejaVu Sans Bold 6",
	[PDF_F_MONO] = "DejaVu Sans Mono 7",
	[PDF_F_H0] = "DejaVu Sans Bold 22",
	[PDF_F_H1] = "DejaVu Sans Bold 15",
	[PDF_F_H2] = "DejaVu Sans Bold 12",
	[PDF_F_H3] = "DejaVu Sans Bold 10",
	[PDF_F_SUB] = "DejaVu Sans 11",
};

static const struct {
	const char	*key;
	const char	*name;
} pdf_sectores[] = {
	{ "sociedad_civil", "Sociedad civil" },
	{ "institucion_publica", "Institución pública" },
	{ "organismo_garante", "Organismo garante" },
	{ "stl", "Secretariado Técnico Local" },
}, pdf_tipo_names[] = {
	{ "contrataciones_abiertas", "Contrataciones abiertas" },
	{ "plan_nacional", "Alineado al Plan de Acción Nacional 2013-2015" },
	{ "local", "Problema local" },
}, pdf_criterio_names[] = {
	{ "medible", "Medible" },
	{ "especifico", "Específico" },
	{ "replicable", "Replicable" },
	{ "sostenible", "Sostenible" },
	{ "alto_impacto", "Alto impacto transformador" },
};

#define PDF_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* One line of a laid-out block, in points from the top of the layout. */
struct pdf_line {
	double	top;
	double	bottom;
	double	baseline;
	double	x;
};

/*
 * A block of text at a fixed x and width, drawn a run of lines at a time
 * so that it can continue on the next page.
 */
struct pdf_block {
	PangoLayout	*layout;	/* owned */
	struct pdf_line	*lines;		/* owned, nlines of them */
	int		 nlines;
	int		 next;		/* first line not drawn yet */
	double		 x;
	double		 w;
};

/* A table's columns; its header row repeats on every page it spans. */
struct pdf_table {
	int		 ncols;
	const char	*titles[PDF_MAX_COLS];
	double		 widths[PDF_MAX_COLS];
};

struct pdf {
	PangoFontMap		*fontmap;	/* owned */
	PangoContext		*pango;		/* owned */
	PangoFontDescription	*fonts[PDF_F_COUNT];	/* owned */

	cairo_surface_t	**pages;	/* owned, one recording per page */
	int		  npages;
	int		  cap;
	cairo_t		 *cr;		/* owned, draws the last page */
	double		  y;		/* next free point of the body */
	double		  rgb[3];	/* text colour, kept across pages */
	double		  bottom;	/* end of the body */
	/* The table being drawn, whose header a page break repeats. */
	const struct pdf_table *table;
	bool		  header_due;	/* its first row is still to come */

	/* Borrowed from the canonical JSON. */
	const char	*mesa;
	const char	*sha256;
	long long	 version;

	/* The initials boxes: one label per actor, owned. */
	char		**iniciales;
	int		  nactores;
	int		  box_per_row;
	int		  box_rows;
	double		  box_w;
};

static pthread_once_t pdf_once = PTHREAD_ONCE_INIT;

/*
 * The first font map of the process initialises fontconfig and pango's
 * global caches; doing it once here, before any concurrent call, keeps
 * two DB workers from racing through that initialisation.
 */
static void
pdf_warm_up(void)
{
	PangoFontMap *fm;
	PangoContext *ctx;
	PangoLayout *layout;
	PangoFontDescription *fd;
	int w, h;

	fm = pango_cairo_font_map_new();
	ctx = pango_font_map_create_context(fm);
	layout = pango_layout_new(ctx);
	fd = pango_font_description_from_string(pdf_font_names[PDF_F_BODY]);
	pango_layout_set_font_description(layout, fd);
	pango_layout_set_text(layout, "Acción", -1);
	pango_layout_get_size(layout, &w, &h);
	pango_font_description_free(fd);
	g_object_unref(layout);
	g_object_unref(ctx);
	g_object_unref(fm);
}

static const char *
pdf_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The value, or a dash where the canonical content has none. */
static const char *
pdf_or_dash(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "—";
}

static const char *
pdf_lookup(const char *key, bool criterio)
{
	size_t i;

	if (key == NULL)
		return "—";
	if (criterio) {
		for (i = 0; i < PDF_NELEM(pdf_criterio_names); i++)
			if (strcmp(key, pdf_criterio_names[i].key) == 0)
				return pdf_criterio_names[i].name;
	} else {
		for (i = 0; i < PDF_NELEM(pdf_tipo_names); i++)
			if (strcmp(key, pdf_tipo_names[i].key) == 0)
				return pdf_tipo_names[i].name;
	}
	return key;
}

/* "8 de diciembre de 2026" (the long form without the weekday). */
static void
pdf_date_long(const char *s, char *out, int size)
{
	char tmp[80];
	const char *sp;
	int days;

	if (s == NULL || !dates_parse(s, &days)) {
		snprintf(out, (size_t)size, "%s", pdf_or_dash(s));
		return;
	}
	dates_format_long(days, tmp, sizeof(tmp));
	sp = strchr(tmp, ' ');
	snprintf(out, (size_t)size, "%s", sp != NULL ? sp + 1 : tmp);
}

/* "31/03/2027", the short form Mexican forms use, for table cells. */
static void
pdf_date_short(const char *s, char *out, int size)
{
	int days, y, m, d;

	if (s == NULL || !dates_parse(s, &days)) {
		snprintf(out, (size_t)size, "%s", pdf_or_dash(s));
		return;
	}
	dates_to_ymd(days, &y, &m, &d);
	snprintf(out, (size_t)size, "%02d/%02d/%04d", d, m, y);
}

static bool
pdf_is_connector(const char *w, size_t len)
{
	static const char *const words[] = {
		"de", "del", "la", "las", "los", "y", "e", "van", "von",
	};
	size_t i;

	for (i = 0; i < PDF_NELEM(words); i++)
		if (strlen(words[i]) == len && strncmp(w, words[i], len) == 0)
			return true;
	return false;
}

/*
 * The initials of a name, upper case, connectors ("de", "la") skipped:
 * "José Ñúñez" -> "JÑ", "María de la Luz Pérez" -> "MLP". Owned.
 */
static char *
pdf_initials(const char *nombre)
{
	struct buf b;
	const char *p, *start;
	char utf8[8], *s;
	gunichar c;
	int n = 0, len;

	buf_init(&b);
	p = nombre != NULL && g_utf8_validate(nombre, -1, NULL) ? nombre : "";
	while (*p != '\0' && n < 4) {
		while (*p != '\0' && !g_unichar_isalnum(g_utf8_get_char(p)))
			p = g_utf8_next_char(p);
		if (*p == '\0')
			break;
		start = p;
		c = g_utf8_get_char(p);
		while (*p != '\0' && g_unichar_isalnum(g_utf8_get_char(p)))
			p = g_utf8_next_char(p);
		if (pdf_is_connector(start, (size_t)(p - start)))
			continue;
		len = g_unichar_to_utf8(g_unichar_toupper(c), utf8);
		buf_append(&b, utf8, (size_t)len);
		n++;
	}
	if (b.len == 0)
		buf_puts(&b, "?");
	s = buf_steal(&b);
	buf_cleanup(&b);
	return s;
}

/*
 * One label per actor for the boxes; two actors with the same initials
 * get a number after them so that a box is never ambiguous.
 */
static void
pdf_actor_labels(struct pdf *p, const json_t *actores)
{
	char **base;
	size_t i, j;
	int same, rank;

	p->nactores = (int)json_array_size(actores);
	p->iniciales = xcalloc((size_t)p->nactores + 1, sizeof(char *));
	base = xcalloc((size_t)p->nactores + 1, sizeof(char *));
	for (i = 0; i < (size_t)p->nactores; i++)
		base[i] = pdf_initials(pdf_str(json_array_get(actores, i),
		    "nombre"));
	for (i = 0; i < (size_t)p->nactores; i++) {
		same = 0;
		rank = 0;
		for (j = 0; j < (size_t)p->nactores; j++) {
			if (strcmp(base[i], base[j]) != 0)
				continue;
			same++;
			if (j <= i)
				rank++;
		}
		p->iniciales[i] = same > 1 ?
		    xasprintf("%s%d", base[i], rank) : xstrdup(base[i]);
	}
	for (i = 0; i < (size_t)p->nactores; i++)
		free(base[i]);
	free(base);
}

/*
 * Box geometry: as few rows as boxes of at least PDF_BOX_W_MIN allow, the
 * boxes shared evenly among them and as wide as the rows leave room for
 * (at most PDF_BOX_W).
 */
static void
pdf_footer_geometry(struct pdf *p)
{
	int n = p->nactores, most;

	most = (int)((PDF_WIDTH + PDF_BOX_GAP) / (PDF_BOX_W_MIN + PDF_BOX_GAP));
	p->box_rows = (n + most - 1) / most;
	p->box_per_row = p->box_rows > 0 ?
	    (n + p->box_rows - 1) / p->box_rows : 1;
	p->box_w = floor((PDF_WIDTH + PDF_BOX_GAP) / p->box_per_row) -
	    PDF_BOX_GAP;
	if (p->box_w > PDF_BOX_W)
		p->box_w = PDF_BOX_W;
	p->bottom = PDF_FOOT_BOTTOM - p->box_rows * PDF_BOX_ROW_H -
	    PDF_FOOT_CAPTION_H - 10.0;
}

static PangoLayout *
pdf_layout(struct pdf *p, enum pdf_font font, const char *text, bool markup,
    double width, PangoAlignment align)
{
	PangoLayout *layout;

	layout = pango_layout_new(p->pango);
	pango_layout_set_font_description(layout, p->fonts[font]);
	if (width > 0) {
		pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_set_alignment(layout, align);
	if (markup)
		pango_layout_set_markup(layout, text, -1);
	else
		pango_layout_set_text(layout, text, -1);
	return layout;
}

static void
pdf_block_init(struct pdf *p, struct pdf_block *b, enum pdf_font font,
    const char *text, bool markup, double x, double w, PangoAlignment align)
{
	PangoLayoutIter *it;
	PangoRectangle logical;
	int y0, y1, i = 0;

	b->layout = pdf_layout(p, font, text, markup, w, align);
	b->nlines = pango_layout_get_line_count(b->layout);
	b->lines = xcalloc((size_t)b->nlines + 1, sizeof(*b->lines));
	b->next = 0;
	b->x = x;
	b->w = w;
	it = pango_layout_get_iter(b->layout);
	do {
		if (i >= b->nlines)
			break;
		pango_layout_iter_get_line_yrange(it, &y0, &y1);
		pango_layout_iter_get_line_extents(it, NULL, &logical);
		b->lines[i].top = (double)y0 / PANGO_SCALE;
		b->lines[i].bottom = (double)y1 / PANGO_SCALE;
		b->lines[i].baseline =
		    (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
		b->lines[i].x = (double)logical.x / PANGO_SCALE;
		i++;
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	b->nlines = i;
}

static void
pdf_block_cleanup(struct pdf_block *b)
{
	if (b->layout != NULL)
		g_object_unref(b->layout);
	free(b->lines);
	b->layout = NULL;
	b->lines = NULL;
}

static bool
pdf_block_done(const struct pdf_block *b)
{
	return b->next >= b->nlines;
}

/* Height of the lines not drawn yet. */
static double
pdf_block_rest(const struct pdf_block *b)
{
	if (pdf_block_done(b))
		return 0;
	return b->lines[b->nlines - 1].bottom - b->lines[b->next].top;
}

/* How many of the remaining lines fit in avail points. */
static int
pdf_block_fit(const struct pdf_block *b, double avail)
{
	int j;

	for (j = b->next; j < b->nlines; j++)
		if (b->lines[j].bottom - b->lines[b->next].top > avail + 0.01)
			break;
	return j - b->next;
}

/* Draws count lines from the next one with their top at y; their height. */
static double
pdf_block_draw(struct pdf *p, struct pdf_block *b, int count, double y)
{
	PangoLayoutLine *line;
	double origin, h;
	int j;

	if (count <= 0)
		return 0;
	origin = b->lines[b->next].top;
	for (j = b->next; j < b->next + count; j++) {
		line = pango_layout_get_line_readonly(b->layout, j);
		cairo_move_to(p->cr, b->x + b->lines[j].x,
		    y + b->lines[j].baseline - origin);
		pango_cairo_show_layout_line(p->cr, line);
	}
	h = b->lines[b->next + count - 1].bottom - origin;
	b->next += count;
	return h;
}

static void
pdf_color(struct pdf *p, double r, double g, double b)
{
	p->rgb[0] = r;
	p->rgb[1] = g;
	p->rgb[2] = b;
	cairo_set_source_rgb(p->cr, r, g, b);
}

static void pdf_table_header(struct pdf *p);

/* Ends the page in hand (if any) and starts a new one. */
static void
pdf_page_new(struct pdf *p)
{
	cairo_rectangle_t extents = { 0, 0, PDF_PAGE_W, PDF_PAGE_H };
	cairo_surface_t *rec;

	if (p->cr != NULL)
		cairo_destroy(p->cr);
	rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA,
	    &extents);
	if (p->npages == p->cap) {
		p->cap = p->cap == 0 ? 16 : p->cap * 2;
		p->pages = xrealloc(p->pages, (size_t)p->cap *
		    sizeof(*p->pages));
	}
	p->pages[p->npages++] = rec;
	p->cr = cairo_create(rec);
	cairo_set_source_rgb(p->cr, p->rgb[0], p->rgb[1], p->rgb[2]);
	p->y = PDF_BODY_TOP;
	if (p->table != NULL && !p->header_due)
		pdf_table_header(p);
}

static bool
pdf_at_top(const struct pdf *p)
{
	return p->y <= PDF_BODY_TOP + 0.5;
}

/* Keeps what follows together: a new page unless h points are left. */
static void
pdf_need(struct pdf *p, double h)
{
	if (p->y + h > p->bottom && !pdf_at_top(p))
		pdf_page_new(p);
}

/*
 * Draws a row of blocks side by side starting at p->y, breaking across
 * pages where needed. A kept row moves whole to the next page when it
 * fits there; any row taller than a page is split by lines, every column
 * continuing where it stopped. With boxed, each segment gets its
 * rectangles drawn; with shade, a grey background (table headers).
 */
static void
pdf_row(struct pdf *p, struct pdf_block *cells, int n, bool keep,
    bool boxed, bool shade, double pad)
{
	int fit[PDF_MAX_COLS];
	double rest, seg, h, avail, full;
	bool any, blocked, fresh;
	int i;

	/*
	 * On a fresh page (nothing but a repeated table header above) the
	 * row never moves on again: whatever fits is drawn, so every turn
	 * of the loop makes progress.
	 */
	fresh = pdf_at_top(p);
	for (;;) {
		avail = p->bottom - p->y - 2 * pad;
		full = p->bottom - PDF_BODY_TOP - 2 * pad;
		rest = 0;
		for (i = 0; i < n; i++)
			if (pdf_block_rest(&cells[i]) > rest)
				rest = pdf_block_rest(&cells[i]);
		if (keep && rest > avail && rest <= full && !fresh) {
			pdf_page_new(p);
			fresh = true;
			continue;
		}
		any = blocked = false;
		for (i = 0; i < n; i++) {
			fit[i] = pdf_block_fit(&cells[i], avail);
			if (fit[i] > 0)
				any = true;
			else if (!pdf_block_done(&cells[i]))
				blocked = true;
		}
		if ((blocked || !any) && !fresh) {
			/* Not even one line of every column fits here. */
			pdf_page_new(p);
			fresh = true;
			continue;
		}
		if (!any) {
			/* A line taller than a page: draw it anyway. */
			for (i = 0; i < n; i++)
				fit[i] = pdf_block_done(&cells[i]) ? 0 : 1;
		}
		seg = 0;
		for (i = 0; i < n && shade; i++) {
			if (fit[i] == 0)
				continue;
			h = cells[i].lines[cells[i].next + fit[i] - 1].bottom -
			    cells[i].lines[cells[i].next].top;
			if (h > seg)
				seg = h;
		}
		if (shade) {
			cairo_save(p->cr);
			cairo_set_source_rgb(p->cr, 0.86, 0.89, 0.93);
			cairo_rectangle(p->cr, cells[0].x - pad, p->y,
			    cells[n - 1].x + cells[n - 1].w + pad -
			    (cells[0].x - pad), seg + 2 * pad);
			cairo_fill(p->cr);
			cairo_restore(p->cr);
		}
		h = 0;
		for (i = 0; i < n; i++) {
			double d = pdf_block_draw(p, &cells[i], fit[i],
			    p->y + pad);

			if (d > h)
				h = d;
		}
		if (boxed) {
			cairo_save(p->cr);
			cairo_set_line_width(p->cr, 0.5);
			cairo_set_source_rgb(p->cr, 0.45, 0.45, 0.45);
			for (i = 0; i < n; i++)
				cairo_rectangle(p->cr, cells[i].x - pad, p->y,
				    cells[i].w + 2 * pad, h + 2 * pad);
			cairo_stroke(p->cr);
			cairo_restore(p->cr);
		}
		p->y += h + 2 * pad;
		for (i = 0; i < n; i++)
			if (!pdf_block_done(&cells[i]))
				break;
		if (i == n)
			return;
		pdf_page_new(p);
		fresh = true;
	}
}

/* A single block across the body width, flowing freely. */
static void
pdf_paragraph(struct pdf *p, enum pdf_font font, const char *text,
    bool markup, PangoAlignment align, double after)
{
	struct pdf_block b;

	pdf_block_init(p, &b, font, text, markup, PDF_MARGIN, PDF_WIDTH,
	    align);
	pdf_row(p, &b, 1, false, false, false, 0);
	pdf_block_cleanup(&b);
	p->y += after;
}

/* A section heading, kept with at least a few lines of what follows. */
static void
pdf_heading(struct pdf *p, enum pdf_font font, const char *text,
    double before)
{
	struct pdf_block b;

	if (!pdf_at_top(p))
		p->y += before;
	pdf_block_init(p, &b, font, text, false, PDF_MARGIN, PDF_WIDTH,
	    PANGO_ALIGN_LEFT);
	pdf_need(p, pdf_block_rest(&b) + 48.0);
	pdf_color(p, 0.10, 0.22, 0.40);
	pdf_row(p, &b, 1, true, false, false, 0);
	pdf_color(p, 0, 0, 0);
	pdf_block_cleanup(&b);
	p->y += 4.0;
}

/* "Label    value", the value flowing across pages when long. */
static void
pdf_field(struct pdf *p, const char *label, const char *value)
{
	struct pdf_block cells[2];

	pdf_block_init(p, &cells[0], PDF_F_BOLD, label, false, PDF_MARGIN,
	    PDF_LABEL_W, PANGO_ALIGN_LEFT);
	pdf_block_init(p, &cells[1], PDF_F_BODY, pdf_or_dash(value), false,
	    PDF_VALUE_X, PDF_VALUE_W, PANGO_ALIGN_LEFT);
	pdf_row(p, cells, 2, false, false, false, 0);
	pdf_block_cleanup(&cells[0]);
	pdf_block_cleanup(&cells[1]);
	p->y += 5.0;
}

static void
pdf_table_cells(struct pdf *p, const struct pdf_table *t,
    struct pdf_block *cells, const char *const *texts, const bool *markup,
    enum pdf_font font)
{
	double x = PDF_MARGIN + PDF_CELL_PAD;
	int i;

	for (i = 0; i < t->ncols; i++) {
		pdf_block_init(p, &cells[i], font, texts[i],
		    markup != NULL && markup[i], x,
		    t->widths[i] - 2 * PDF_CELL_PAD, PANGO_ALIGN_LEFT);
		x += t->widths[i];
	}
}

/* The header row of p->table, on a fresh page or at the table's start. */
static void
pdf_table_header(struct pdf *p)
{
	const struct pdf_table *t = p->table;
	struct pdf_block cells[PDF_MAX_COLS];
	int i;

	/* A header is never split, so no page break can recurse here. */
	p->table = NULL;
	pdf_table_cells(p, t, cells, t->titles, NULL, PDF_F_SMALL_BOLD);
	pdf_row(p, cells, t->ncols, true, true, true, PDF_CELL_PAD);
	for (i = 0; i < t->ncols; i++)
		pdf_block_cleanup(&cells[i]);
	p->table = t;
}

/* The height of the rows of cells, padding included. */
static double
pdf_cells_height(const struct pdf_block *cells, int n)
{
	double h = 0;
	int i;

	for (i = 0; i < n; i++)
		if (pdf_block_rest(&cells[i]) > h)
			h = pdf_block_rest(&cells[i]);
	return h + 2 * PDF_CELL_PAD;
}

/* The header is drawn with the first row, so that they share a page. */
static void
pdf_table_begin(struct pdf *p, const struct pdf_table *t)
{
	p->table = t;
	p->header_due = true;
}

static void
pdf_table_row(struct pdf *p, const char *const *texts, const bool *markup)
{
	const struct pdf_table *t = p->table;
	struct pdf_block cells[PDF_MAX_COLS], head[PDF_MAX_COLS];
	double header, row;
	int i;

	pdf_table_cells(p, t, cells, texts, markup, PDF_F_SMALL);
	if (p->header_due) {
		pdf_table_cells(p, t, head, t->titles, NULL,
		    PDF_F_SMALL_BOLD);
		header = pdf_cells_height(head, t->ncols);
		for (i = 0; i < t->ncols; i++)
			pdf_block_cleanup(&head[i]);
		row = pdf_cells_height(cells, t->ncols);
		/* A row taller than a page starts wherever 3 lines fit. */
		if (header + row > p->bottom - PDF_BODY_TOP)
			row = 40.0;
		pdf_need(p, header + row);
		p->header_due = false;
		pdf_table_header(p);
	}
	pdf_row(p, cells, t->ncols, true, true, false, PDF_CELL_PAD);
	for (i = 0; i < t->ncols; i++)
		pdf_block_cleanup(&cells[i]);
}

static void
pdf_table_end(struct pdf *p)
{
	p->table = NULL;
	p->header_due = false;
	p->y += 8.0;
}

static const char *
pdf_sector_name(const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < PDF_NELEM(pdf_sectores); i++)
		if (strcmp(key, pdf_sectores[i].key) == 0)
			return pdf_sectores[i].name;
	return pdf_or_dash(key);
}

static bool
pdf_known_sector(const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < PDF_NELEM(pdf_sectores); i++)
		if (strcmp(key, pdf_sectores[i].key) == 0)
			return true;
	return false;
}

/* One table of the actors of a sector (key NULL: any unknown sector). */
static void
pdf_actors_of(struct pdf *p, const json_t *actores, const char *key,
    const char *name)
{
	static const struct pdf_table t = {
		4, { "Nombre", "Organización", "Cargo", "Asistencia" },
		{ 150, 180, 112, 70 },
	};
	const char *texts[4];
	const char *sector;
	json_t *a;
	size_t i;
	bool any = false;

	json_array_foreach(actores, i, a) {
		sector = pdf_str(a, "sector");
		if (key != NULL ? sector == NULL || strcmp(sector, key) != 0 :
		    pdf_known_sector(sector))
			continue;
		if (!any) {
			pdf_heading(p, PDF_F_H3, name, 4.0);
			pdf_table_begin(p, &t);
			any = true;
		}
		texts[0] = pdf_or_dash(pdf_str(a, "nombre"));
		texts[1] = pdf_or_dash(pdf_str(a, "organizacion"));
		texts[2] = pdf_or_dash(pdf_str(a, "cargo"));
		texts[3] = json_is_true(json_object_get(a, "asistio")) ?
		    "Asistió" : "No asistió";
		pdf_table_row(p, texts, NULL);
	}
	if (any)
		pdf_table_end(p);
}

static void
pdf_title_page(struct pdf *p, const json_t *canonico)
{
	const json_t *mesa = json_object_get(canonico, "mesa");
	const json_t *actores = json_object_get(canonico, "actores");
	const json_t *compromisos = json_object_get(canonico, "compromisos");
	const char *municipio = pdf_str(mesa, "municipio");
	const char *hora = pdf_str(mesa, "hora");
	const char *zona = pdf_str(mesa, "zona_horaria");
	const char *entidad, *tipo;
	char fecha[80], *s;
	struct buf b;
	json_t *a, *c;
	size_t i;
	int tipos[3] = { 0, 0, 0 }, asistentes = 0, k;

	p->y += 18;
	pdf_color(p, 0.10, 0.22, 0.40);
	pdf_paragraph(p, PDF_F_H0, "Plan de Acción Local", false,
	    PANGO_ALIGN_CENTER, 4);
	pdf_color(p, 0.35, 0.35, 0.35);
	pdf_paragraph(p, PDF_F_SUB, "Gobierno Abierto: Cocreación desde lo "
	    "local", false, PANGO_ALIGN_CENTER, 22);
	pdf_color(p, 0, 0, 0);
	pdf_paragraph(p, PDF_F_H1, pdf_or_dash(p->mesa), false,
	    PANGO_ALIGN_CENTER, 6);
	entidad = pdf_or_dash(pdf_str(mesa, "entidad"));
	s = municipio != NULL ? xasprintf("%s, %s", municipio, entidad) :
	    xstrdup(entidad);
	pdf_paragraph(p, PDF_F_SUB, s, false, PANGO_ALIGN_CENTER, 22);
	free(s);

	pdf_heading(p, PDF_F_H2, "Datos de la mesa de diálogo", 0);
	if (municipio != NULL)
		pdf_field(p, "Municipio", municipio);
	pdf_field(p, "Entidad federativa", pdf_str(mesa, "entidad"));
	pdf_date_long(pdf_str(mesa, "fecha"), fecha, sizeof(fecha));
	pdf_field(p, "Fecha", fecha);
	s = hora != NULL && zona != NULL ?
	    xasprintf("%s h (%s)", hora, zona) :
	    xstrdup(pdf_or_dash(hora));
	pdf_field(p, "Hora", s);
	free(s);
	pdf_field(p, "Lugar", pdf_str(mesa, "lugar"));
	s = xasprintf("%lld", p->version);
	pdf_field(p, "Versión del PAL", s);
	free(s);
	json_array_foreach(compromisos, i, c) {
		tipo = pdf_str(c, "tipo");
		for (k = 0; k < 3 && tipo != NULL; k++)
			if (strcmp(tipo, pdf_tipo_names[k].key) == 0)
				tipos[k]++;
	}
	s = xasprintf("%zu (%d de contrataciones abiertas, %d alineados al "
	    "Plan de Acción Nacional 2013-2015, %d de problemas locales)",
	    json_array_size(compromisos), tipos[0], tipos[1], tipos[2]);
	pdf_field(p, "Compromisos", s);
	free(s);

	pdf_heading(p, PDF_F_H2, "Actores del Secretariado Técnico Local",
	    12);
	for (i = 0; i < PDF_NELEM(pdf_sectores); i++)
		pdf_actors_of(p, actores, pdf_sectores[i].key,
		    pdf_sectores[i].name);
	pdf_actors_of(p, actores, NULL, "Otros");

	pdf_heading(p, PDF_F_H2, "Asistentes", 8);
	buf_init(&b);
	json_array_foreach(actores, i, a) {
		if (!json_is_true(json_object_get(a, "asistio")))
			continue;
		asistentes++;
		buf_printf(&b, "\n•  %s", pdf_or_dash(pdf_str(a, "nombre")));
		if (pdf_str(a, "organizacion") != NULL)
			buf_printf(&b, " (%s)", pdf_str(a, "organizacion"));
		buf_printf(&b, ", %s",
		    pdf_sector_name(pdf_str(a, "sector")));
	}
	s = xasprintf("Asistieron a la mesa %d de los %zu actores "
	    "convocados.%s", asistentes, json_array_size(actores), b.data);
	pdf_paragraph(p, PDF_F_BODY, s, false, PANGO_ALIGN_LEFT, 6);
	free(s);
	buf_cleanup(&b);
}

static void
pdf_criterios(struct pdf *p, const json_t *criterios)
{
	static const struct pdf_table t = {
		3, { "Criterio", "Atestiguado por", "Justificación" },
		{ 96, 120, 296 },
	};
	const char *texts[3];
	json_t *c;
	size_t i;

	pdf_heading(p, PDF_F_H3, "Criterios de calidad", 6);
	if (json_array_size(criterios) == 0) {
		pdf_paragraph(p, PDF_F_BODY, "Sin criterios atestiguados.",
		    false, PANGO_ALIGN_LEFT, 6);
		return;
	}
	pdf_table_begin(p, &t);
	json_array_foreach(criterios, i, c) {
		texts[0] = pdf_lookup(pdf_str(c, "criterio"), true);
		texts[1] = pdf_or_dash(pdf_str(c, "quien"));
		texts[2] = pdf_or_dash(pdf_str(c, "justificacion"));
		pdf_table_row(p, texts, NULL);
	}
	pdf_table_end(p);
}

static void
pdf_actividades(struct pdf *p, const json_t *actividades, long long cn)
{
	static const struct pdf_table t = {
		5, { "No.", "Actividad", "Responsable", "Fecha límite",
		    "Entregable" },
		{ 30, 168, 142, 62, 110 },
	};
	static const bool markup[5] = { false, false, true, false, false };
	const json_t *r;
	const char *texts[5], *cargo, *inst, *email;
	char num[48], fecha[32];
	char *resp;
	json_t *a;
	size_t i;

	pdf_heading(p, PDF_F_H3, "Actividades", 6);
	if (json_array_size(actividades) == 0) {
		pdf_paragraph(p, PDF_F_BODY, "Sin actividades.", false,
		    PANGO_ALIGN_LEFT, 6);
		return;
	}
	pdf_table_begin(p, &t);
	json_array_foreach(actividades, i, a) {
		r = json_object_get(a, "responsable");
		snprintf(num, sizeof(num), "%lld.%lld", cn,
		    json_is_integer(json_object_get(a, "numero")) ?
		    (long long)json_integer_value(json_object_get(a,
		    "numero")) : (long long)i + 1);
		pdf_date_short(pdf_str(a, "fecha_limite"), fecha,
		    sizeof(fecha));
		cargo = pdf_str(r, "cargo");
		inst = pdf_str(r, "institucion");
		email = pdf_str(r, "email");
		resp = g_markup_printf_escaped("<b>%s</b>%s%s%s%s%s%s",
		    pdf_or_dash(pdf_str(r, "nombre")),
		    cargo != NULL ? "\n" : "", cargo != NULL ? cargo : "",
		    inst != NULL ? "\n" : "", inst != NULL ? inst : "",
		    email != NULL ? "\n" : "", email != NULL ? email : "");
		texts[0] = num;
		texts[1] = pdf_or_dash(pdf_str(a, "descripcion"));
		texts[2] = resp;
		texts[3] = fecha;
		texts[4] = pdf_or_dash(pdf_str(a, "entregable"));
		pdf_table_row(p, texts, markup);
		g_free(resp);
	}
	pdf_table_end(p);
}

static void
pdf_compromiso(struct pdf *p, const json_t *c, size_t index)
{
	const json_t *n = json_object_get(c, "numero");
	long long num = json_is_integer(n) ? (long long)json_integer_value(n) :
	    (long long)index + 1;
	char inicio[64], fin[64];
	char *s;

	/* Each commitment opens a page: the STL reads them one by one. */
	pdf_page_new(p);
	s = xasprintf("Compromiso %lld. %s", num,
	    pdf_or_dash(pdf_str(c, "titulo")));
	pdf_heading(p, PDF_F_H2, s, 0);
	free(s);
	cairo_set_line_width(p->cr, 1.0);
	pdf_color(p, 0.10, 0.22, 0.40);
	cairo_move_to(p->cr, PDF_MARGIN, p->y);
	cairo_line_to(p->cr, PDF_MARGIN + PDF_WIDTH, p->y);
	cairo_stroke(p->cr);
	pdf_color(p, 0, 0, 0);
	p->y += 8;

	pdf_field(p, "Tipo", pdf_lookup(pdf_str(c, "tipo"), false));
	if (pdf_str(c, "alineacion") != NULL)
		pdf_field(p, "Alineación", pdf_str(c, "alineacion"));
	pdf_field(p, "Problema", pdf_str(c, "problema"));
	pdf_field(p, "Descripción", pdf_str(c, "descripcion"));
	pdf_field(p, "Indicador", pdf_str(c, "indicador"));
	pdf_field(p, "Meta", pdf_str(c, "meta"));
	pdf_field(p, "Institución responsable", pdf_str(c, "institucion"));
	pdf_date_long(pdf_str(c, "inicio"), inicio, sizeof(inicio));
	pdf_date_long(pdf_str(c, "fin"), fin, sizeof(fin));
	s = xasprintf("Del %s al %s", inicio, fin);
	pdf_field(p, "Vigencia", s);
	free(s);
	pdf_criterios(p, json_object_get(c, "criterios"));
	pdf_actividades(p, json_object_get(c, "actividades"), num);
}

/* Anexo 2: a signature line per actor, then place and date. */
static void
pdf_firmas(struct pdf *p, const json_t *canonico)
{
	const json_t *mesa = json_object_get(canonico, "mesa");
	const json_t *actores = json_object_get(canonico, "actores");
	struct pdf_block cells[2];
	char fecha[80], *s, *left;
	const char *v;
	json_t *a;
	size_t i;
	double line_y, h;

	pdf_page_new(p);
	pdf_heading(p, PDF_F_H2, "Anexo 2. Firmas", 0);
	s = xasprintf("Quienes firman manifiestan su conformidad con la "
	    "versión %lld de este Plan de Acción Local, cuyo contenido "
	    "canónico tiene el SHA-256 impreso en el encabezado de cada "
	    "página, y la rubrican en el recuadro de sus iniciales al pie "
	    "de cada página.", p->version);
	pdf_paragraph(p, PDF_F_BODY, s, false, PANGO_ALIGN_LEFT, 14);
	free(s);

	json_array_foreach(actores, i, a) {
		v = pdf_str(a, "cargo");
		left = g_markup_printf_escaped("<b>%s</b>  "
		    "<span size=\"small\">(rúbrica: %s)</span>\n%s%s%s\n%s",
		    pdf_or_dash(pdf_str(a, "nombre")), p->iniciales[i],
		    v != NULL ? v : "", v != NULL ? ", " : "",
		    pdf_or_dash(pdf_str(a, "organizacion")),
		    pdf_sector_name(pdf_str(a, "sector")));
		pdf_block_init(p, &cells[0], PDF_F_BODY, left, true,
		    PDF_MARGIN, 290, PANGO_ALIGN_LEFT);
		pdf_block_init(p, &cells[1], PDF_F_SMALL, "Firma", false,
		    PDF_MARGIN + 310, PDF_WIDTH - 310, PANGO_ALIGN_CENTER);
		g_free(left);
		/*
		 * Room to sign above the line, which sits level with the
		 * block's third line; the block is never split.
		 */
		h = fmax(pdf_block_rest(&cells[0]), PDF_SIGN_H);
		pdf_need(p, h + 14.0);
		line_y = p->y + PDF_SIGN_H - 8.0;
		pdf_block_draw(p, &cells[0], cells[0].nlines, p->y);
		cairo_set_line_width(p->cr, 0.6);
		cairo_move_to(p->cr, cells[1].x, line_y);
		cairo_line_to(p->cr, cells[1].x + cells[1].w, line_y);
		cairo_stroke(p->cr);
		pdf_color(p, 0.35, 0.35, 0.35);
		pdf_block_draw(p, &cells[1], cells[1].nlines, line_y + 2.0);
		pdf_color(p, 0, 0, 0);
		p->y += h + 14.0;
		pdf_block_cleanup(&cells[0]);
		pdf_block_cleanup(&cells[1]);
	}

	pdf_date_long(pdf_str(mesa, "fecha"), fecha, sizeof(fecha));
	if (pdf_str(mesa, "municipio") != NULL)
		s = xasprintf("%s, %s, %s, a %s.",
		    pdf_or_dash(pdf_str(mesa, "lugar")),
		    pdf_str(mesa, "municipio"),
		    pdf_or_dash(pdf_str(mesa, "entidad")), fecha);
	else
		s = xasprintf("%s, %s, a %s.",
		    pdf_or_dash(pdf_str(mesa, "lugar")),
		    pdf_or_dash(pdf_str(mesa, "entidad")), fecha);
	p->y += 6;
	pdf_paragraph(p, PDF_F_BODY, s, false, PANGO_ALIGN_LEFT, 0);
	free(s);
}

/* A text with its top-left corner at x, y; returns its height. */
static double
pdf_put(struct pdf *p, cairo_t *cr, enum pdf_font font, const char *text,
    double x, double y, double width, PangoAlignment align,
    bool ellipsize)
{
	PangoLayout *layout;
	int w, h;

	layout = pdf_layout(p, font, text, false, width, align);
	if (ellipsize)
		pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, layout);
	pango_layout_get_size(layout, &w, &h);
	g_object_unref(layout);
	return (double)h / PANGO_SCALE;
}

/* Header and initials boxes of page `page` of `total`, drawn on cr. */
static void
pdf_decorate(struct pdf *p, cairo_t *cr, int page, int total)
{
	PangoLayout *layout;
	char *right;
	double rw, h, x, y;
	int w, hh, i, row, col;

	right = xasprintf("Versión %lld  ·  Página %d de %d", p->version, page,
	    total);
	layout = pdf_layout(p, PDF_F_SMALL_BOLD, right, false, 0,
	    PANGO_ALIGN_LEFT);
	pango_layout_get_size(layout, &w, &hh);
	rw = (double)w / PANGO_SCALE;
	cairo_set_source_rgb(cr, 0.10, 0.22, 0.40);
	cairo_move_to(cr, PDF_MARGIN + PDF_WIDTH - rw, PDF_HEADER_Y);
	pango_cairo_show_layout(cr, layout);
	g_object_unref(layout);
	free(right);
	right = xasprintf("Plan de Acción Local — %s", pdf_or_dash(p->mesa));
	pdf_put(p, cr, PDF_F_SMALL_BOLD, right, PDF_MARGIN, PDF_HEADER_Y,
	    PDF_WIDTH - rw - 14, PANGO_ALIGN_LEFT, true);
	free(right);
	cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
	right = xasprintf("SHA-256: %s", p->sha256);
	h = pdf_put(p, cr, PDF_F_MONO, right, PDF_MARGIN, PDF_HEADER_Y + 13,
	    PDF_WIDTH, PANGO_ALIGN_LEFT, false);
	free(right);
	cairo_set_line_width(cr, 0.8);
	cairo_set_source_rgb(cr, 0.10, 0.22, 0.40);
	cairo_move_to(cr, PDF_MARGIN, PDF_HEADER_Y + 13 + h + 4);
	cairo_line_to(cr, PDF_MARGIN + PDF_WIDTH, PDF_HEADER_Y + 13 + h + 4);
	cairo_stroke(cr);

	/* The foot: a rule, a caption and one box per actor. */
	y = PDF_FOOT_BOTTOM - p->box_rows * PDF_BOX_ROW_H - PDF_FOOT_CAPTION_H;
	cairo_set_line_width(cr, 0.5);
	cairo_move_to(cr, PDF_MARGIN, y - 3);
	cairo_line_to(cr, PDF_MARGIN + PDF_WIDTH, y - 3);
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
	pdf_put(p, cr, PDF_F_TINY, "Rúbricas: cada actor rubrica esta página "
	    "en el recuadro de sus iniciales (Anexo 2).", PDF_MARGIN, y,
	    PDF_WIDTH, PANGO_ALIGN_LEFT, true);
	y += PDF_FOOT_CAPTION_H;
	for (i = 0; i < p->nactores; i++) {
		row = i / p->box_per_row;
		col = i % p->box_per_row;
		x = PDF_MARGIN + col * (p->box_w + PDF_BOX_GAP);
		cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
		cairo_set_line_width(cr, 0.6);
		cairo_rectangle(cr, x, y + row * PDF_BOX_ROW_H, p->box_w,
		    PDF_BOX_H);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
		pdf_put(p, cr, PDF_F_TINY_BOLD, p->iniciales[i], x,
		    y + row * PDF_BOX_ROW_H + PDF_BOX_H + 1.5, p->box_w,
		    PANGO_ALIGN_CENTER, true);
	}
}

/* "2026-12-08T10:00:00" from the mesa's fecha and hora; false if bad. */
static bool
pdf_iso_date(const json_t *mesa, char out[32])
{
	const char *fecha = pdf_str(mesa, "fecha");
	const char *hora = pdf_str(mesa, "hora");
	int days, minutes = 0;

	if (fecha == NULL || !dates_parse(fecha, &days))
		return false;
	if (hora != NULL && !dates_parse_time(hora, &minutes))
		minutes = 0;
	snprintf(out, 32, "%sT%02d:%02d:00", fecha, minutes / 60,
	    minutes % 60);
	return true;
}

static cairo_status_t
pdf_write_cb(void *closure, const unsigned char *data, unsigned int length)
{
	buf_append(closure, data, length);
	return CAIRO_STATUS_SUCCESS;
}

static bool
pdf_check_input(const json_t *canonico, const char *sha256,
    struct error *err)
{
	size_t i;

	if (!json_is_object(canonico) ||
	    !json_is_object(json_object_get(canonico, "mesa")) ||
	    !json_is_array(json_object_get(canonico, "actores")) ||
	    !json_is_array(json_object_get(canonico, "compromisos")) ||
	    !json_is_integer(json_object_get(canonico, "version"))) {
		error_set(err, 500, "error_interno", "no se pudo generar el "
		    "PDF: el contenido canónico no tiene mesa, actores, "
		    "compromisos y versión");
		return false;
	}
	for (i = 0; sha256 != NULL && sha256[i] != '\0'; i++)
		if (strchr("0123456789abcdefABCDEF", sha256[i]) == NULL)
			break;
	if (sha256 == NULL || i != 64 || sha256[i] != '\0') {
		error_set(err, 500, "error_interno", "no se pudo generar el "
		    "PDF: el SHA-256 no tiene 64 dígitos hexadecimales");
		return false;
	}
	return true;
}

static void
pdf_cleanup(struct pdf *p)
{
	int i;

	if (p->cr != NULL)
		cairo_destroy(p->cr);
	for (i = 0; i < p->npages; i++)
		cairo_surface_destroy(p->pages[i]);
	free(p->pages);
	for (i = 0; p->iniciales != NULL && i < p->nactores; i++)
		free(p->iniciales[i]);
	free(p->iniciales);
	for (i = 0; i < PDF_F_COUNT; i++)
		if (p->fonts[i] != NULL)
			pango_font_description_free(p->fonts[i]);
	if (p->pango != NULL)
		g_object_unref(p->pango);
	if (p->fontmap != NULL)
		g_object_unref(p->fontmap);
}

/* The body of every page, into recording surfaces; false if cairo failed. */
static bool
pdf_layout_body(struct pdf *p, const json_t *canonico)
{
	cairo_font_options_t *fo;
	json_t *c;
	size_t i;
	int k;

	p->fontmap = pango_cairo_font_map_new();
	p->pango = pango_font_map_create_context(p->fontmap);
	pango_cairo_context_set_resolution(p->pango, 72.0);
	/*
	 * Unhinted metrics: positions must not depend on a device grid,
	 * PDF has none, and the layout must be the same on every call.
	 */
	fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(p->pango, fo);
	cairo_font_options_destroy(fo);
	pango_context_set_round_glyph_positions(p->pango, FALSE);
	pango_context_set_language(p->pango,
	    pango_language_from_string("es-mx"));
	for (k = 0; k < PDF_F_COUNT; k++)
		p->fonts[k] = pango_font_description_from_string(
		    pdf_font_names[k]);

	pdf_page_new(p);
	pdf_title_page(p, canonico);
	json_array_foreach(json_object_get(canonico, "compromisos"), i, c)
		pdf_compromiso(p, c, i);
	pdf_firmas(p, canonico);
	for (k = 0; k < p->npages; k++)
		if (cairo_surface_status(p->pages[k]) != CAIRO_STATUS_SUCCESS)
			return false;
	return cairo_status(p->cr) == CAIRO_STATUS_SUCCESS;
}

bool
pdf_pal(const json_t *canonico, const char *sha256, struct buf *out,
    int *paginas, struct error *err)
{
	struct pdf p;
	struct buf doc;
	cairo_surface_t *surface;
	cairo_status_t status;
	cairo_t *cr;
	char *title, iso[32];
	int i;

	*paginas = 0;
	if (!pdf_check_input(canonico, sha256, err))
		return false;
	pthread_once(&pdf_once, pdf_warm_up);
	memset(&p, 0, sizeof(p));
	p.mesa = pdf_str(json_object_get(canonico, "mesa"), "titulo");
	p.sha256 = sha256;
	p.version = (long long)json_integer_value(json_object_get(canonico,
	    "version"));
	pdf_actor_labels(&p, json_object_get(canonico, "actores"));
	pdf_footer_geometry(&p);
	if (p.bottom - PDF_BODY_TOP < PDF_BODY_MIN) {
		error_set(err, 500, "error_interno", "no se pudo generar el "
		    "PDF: %d actores no caben en el pie de página",
		    p.nactores);
		pdf_cleanup(&p);
		return false;
	}
	if (!pdf_layout_body(&p, canonico)) {
		error_set(err, 500, "error_interno", "no se pudo generar el "
		    "PDF: cairo falló al componer las páginas");
		pdf_cleanup(&p);
		return false;
	}

	buf_init(&doc);
	surface = cairo_pdf_surface_create_for_stream(pdf_write_cb, &doc,
	    PDF_PAGE_W, PDF_PAGE_H);
	title = xasprintf("Plan de Acción Local — %s", pdf_or_dash(p.mesa));
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
	    title);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR,
	    "pald");
	free(title);
	/*
	 * The document's date is the mesa's, not the clock's: the same
	 * version then renders to the same bytes, so anyone holding the
	 * canonical JSON can regenerate the PDF and check its SHA-256.
	 */
	if (pdf_iso_date(json_object_get(canonico, "mesa"), iso))
		cairo_pdf_surface_set_metadata(surface,
		    CAIRO_PDF_METADATA_CREATE_DATE, iso);
	cr = cairo_create(surface);
	for (i = 0; i < p.npages; i++) {
		cairo_set_source_surface(cr, p.pages[i], 0, 0);
		cairo_paint(cr);
		pdf_decorate(&p, cr, i + 1, p.npages);
		cairo_show_page(cr);
	}
	status = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_finish(surface);
	if (status == CAIRO_STATUS_SUCCESS)
		status = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	if (status != CAIRO_STATUS_SUCCESS) {
		error_set(err, 500, "error_interno", "no se pudo generar el "
		    "PDF: %s", cairo_status_to_string(status));
		buf_cleanup(&doc);
		pdf_cleanup(&p);
		return false;
	}
	buf_append(out, doc.data, doc.len);
	*paginas = p.npages;
	buf_cleanup(&doc);
	pdf_cleanup(&p);
	return true;
}
