/*
 * Unit tests for server/pdf.c: a PAL is rendered and read back with
 * poppler's pdfinfo and pdftotext. Every page must carry the header
 * ("Página N de TOTAL", the version, the SHA-256) and every actor's
 * initials box; accents survive; every commitment and activity is there;
 * a description or an activity longer than a page continues on the next
 * one with no line lost; 20 actors still fit; bad input changes nothing;
 * concurrent calls work.
 */
#include "pdf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "buf.h"
#include "xmalloc.h"

#define SHA	"0f3a9c61d2b7e8450a1c9e3f7b2d6a8e" \
		"5c4f1b0a9d8e7f6a5b4c3d2e1f0a9b8c"

/* Twenty names with distinct initials and plenty of accents. */
static const char *const nombres[] = {
	"José Ñúñez", "María Pérez Gómez", "Ángela Ruiz", "Óscar Díaz",
	"Lucía Hernández", "Raúl Martínez", "Itzel Cruz", "Benito Juárez Maza",
	"Sofía Ortiz", "Tomás Vázquez", "Gabriela Núñez Ibarra",
	"Héctor López", "Xóchitl Reyes", "Ulises Fernández", "Carmen Aguilar",
	"Fernando Quiroz", "Elena Yáñez", "Pablo Zúñiga", "Nayeli Santos",
	"Wenceslao Trejo",
};
static const char *const iniciales[] = {
	"JÑ", "MPG", "ÁR", "ÓD", "LH", "RM", "IC", "BJM", "SO", "TV", "GNI",
	"HL", "XR", "UF", "CA", "FQ", "EY", "PZ", "NS", "WT",
};
static const char *const sectores[] = {
	"sociedad_civil", "institucion_publica", "organismo_garante", "stl",
};
static const char *const tipos[] = {
	"contrataciones_abiertas", "plan_nacional", "plan_nacional", "local",
	"local",
};
static const char *const titulos[] = {
	"Portal de contrataciones abiertas de Oaxaca",
	"Datos abiertos de obra pública municipal",
	"Transparencia proactiva en salud",
	"Rendición de cuentas del agua potable",
	"Participación juvenil en el presupuesto",
};

/* The text of b, owned by the caller; b is released. */
static char *
steal(struct buf *b)
{
	char *s = buf_steal(b);

	buf_cleanup(b);
	return s;
}

/* "[t1] sentence [t2] sentence ..." up to at least len bytes. */
static char *
long_text(const char *tag, size_t len)
{
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 1; b.len < len; i++)
		buf_printf(&b, "[%s%d] La participación ciudadana revisa cada "
		    "contrato, su ejecución y los entregables públicos. ",
		    tag, i);
	return steal(&b);
}

static int
long_text_count(const char *text, const char *tag)
{
	char needle[32];
	int n = 0;

	for (;;) {
		snprintf(needle, sizeof(needle), "[%s%d]", tag, n + 1);
		if (strstr(text, needle) == NULL)
			return n;
		n++;
	}
}

static json_t *
fixture(int ncomp, int nact, int nactores, bool largos)
{
	json_t *actores = json_array(), *compromisos = json_array();
	json_t *actividades, *criterios, *c;
	char *desc, titulo[200], act[300];
	int i, j, k;

	for (i = 0; i < nactores; i++)
		json_array_append_new(actores, json_pack("{s:b, s:s?, s:i, "
		    "s:s, s:s, s:s}", "asistio", i % 5 != 4, "cargo",
		    i % 2 ? "Coordinadora de Participación" : NULL, "id", i + 1,
		    "nombre", nombres[i % 20], "organizacion",
		    i % 2 ? "Instituto de Acceso a la Información de Oaxaca" :
		    "Colectivo Ciudadanía Activa A.C.", "sector",
		    sectores[i % 4]));
	for (i = 0; i < ncomp; i++) {
		actividades = json_array();
		for (j = 0; j < nact; j++) {
			if (largos && i == 3 && j == 0)
				desc = long_text("a", 5000);
			else {
				snprintf(act, sizeof(act), "Tarea %d.%d "
				    "revisión", i + 1, j + 1);
				desc = xstrdup(act);
			}
			json_array_append_new(actividades, json_pack("{s:s, "
			    "s:s, s:s, s:i, s:i, s:{s:s, s:s, s:s, s:s}}",
			    "descripcion", desc, "entregable",
			    "Informe público con evidencia fotográfica",
			    "fecha_limite", "2027-03-31", "id", 100 * i + j,
			    "numero", j + 1, "responsable", "cargo",
			    "Directora de Transparencia", "email",
			    "jose.nunez@oaxaca.gob.mx", "institucion",
			    "Secretaría de Administración", "nombre",
			    "José Ñúñez"));
			free(desc);
		}
		criterios = json_array();
		for (k = 0; k < 5; k++) {
			static const char *const crit[] = { "medible",
			    "especifico", "replicable", "sostenible",
			    "alto_impacto" };

			json_array_append_new(criterios, json_pack("{s:s, "
			    "s:s, s:s}", "criterio", crit[k], "justificacion",
			    "El indicador tiene línea base y meta anual.",
			    "quien", "Ángela Ruiz"));
		}
		desc = largos && i == 2 ? long_text("d", 6000) :
		    xstrdup("Publicar la información de cada contrato en "
		    "formato abierto.");
		snprintf(titulo, sizeof(titulo), "%s", titulos[i % 5]);
		c = json_pack("{s:o, s:s?, s:o, s:s, s:s, s:i, s:s, s:s, "
		    "s:s, s:s, s:i, s:s, s:s, s:s}",
		    "actividades", actividades,
		    "alineacion", strcmp(tipos[i % 5], "plan_nacional") == 0 ?
		    "Compromiso 17 del PAN 2013-2015: Datos abiertos" : NULL,
		    "criterios", criterios, "descripcion", desc,
		    "fin", "2027-11-30", "id", i + 1, "indicador",
		    "Porcentaje de contratos publicados", "inicio",
		    "2026-12-01", "institucion", "Secretaría de la Contraloría",
		    "meta", "100 % de los contratos de 2027", "numero", i + 1,
		    "problema", "La información de las compras públicas no es "
		    "accesible para la ciudadanía.", "tipo", tipos[i % 5],
		    "titulo", titulo);
		free(desc);
		json_array_append_new(compromisos, c);
	}
	return json_pack("{s:o, s:o, s:{s:s, s:s, s:s, s:i, s:s, s:s, s:s, "
	    "s:s}, s:i}", "actores", actores, "compromisos", compromisos,
	    "mesa", "entidad", "Oaxaca", "fecha", "2026-12-08", "hora",
	    "10:00", "id", 1, "lugar", "Sala de Cabildo, Palacio Municipal",
	    "municipio", "Oaxaca de Juárez", "titulo",
	    "Participación ciudadana en la contratación pública de Oaxaca",
	    "zona_horaria", "America/Mexico_City", "version", 3);
}

/* Renders c into a temporary file; its path is owned by the caller. */
static char *
render(json_t *c, int *paginas)
{
	struct buf out;
	struct error err = { 0 };
	char *path;
	FILE *f;
	int fd;

	buf_init(&out);
	cr_assert(pdf_pal(c, SHA, &out, paginas, &err), "pdf_pal: %s",
	    err.message);
	cr_assert_gt(*paginas, 0);
	cr_assert(out.len > 1000 && memcmp(out.data, "%PDF-", 5) == 0);
	path = xstrdup("/tmp/test_pdf-XXXXXX");
	fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	f = fdopen(fd, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(out.data, 1, out.len, f), out.len);
	fclose(f);
	buf_cleanup(&out);
	return path;
}

static char *
run(const char *cmd)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *f;

	f = popen(cmd, "r");
	cr_assert_not_null(f, "popen %s", cmd);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	cr_assert_eq(pclose(f), 0, "failed: %s", cmd);
	return steal(&b);
}

static int
pdfinfo_pages(const char *path)
{
	char *cmd, *out, *p;
	int pages;

	cmd = xasprintf("pdfinfo '%s'", path);
	out = run(cmd);
	p = strstr(out, "Pages:");
	cr_assert_not_null(p, "no Pages: in %s", out);
	pages = atoi(p + strlen("Pages:"));
	free(out);
	free(cmd);
	return pages;
}

/* The text of page n (0: all), with runs of white space made one space. */
static char *
page_text(const char *path, int n)
{
	char *cmd, *out, *r, *w;

	if (n > 0)
		cmd = xasprintf("pdftotext -layout -f %d -l %d '%s' -", n, n,
		    path);
	else
		cmd = xasprintf("pdftotext -layout '%s' -", path);
	out = run(cmd);
	free(cmd);
	for (r = w = out; *r != '\0'; r++) {
		if (*r == ' ' || *r == '\n' || *r == '\t' || *r == '\f') {
			if (w > out && w[-1] != ' ')
				*w++ = ' ';
		} else
			*w++ = *r;
	}
	*w = '\0';
	return out;
}

static void
assert_headers(const char *path, int pages, int nactores)
{
	char want[64];
	char *t;
	int i, k;

	for (i = 1; i <= pages; i++) {
		t = page_text(path, i);
		snprintf(want, sizeof(want), "Página %d de %d", i, pages);
		cr_assert_not_null(strstr(t, want), "page %d lacks \"%s\"", i,
		    want);
		cr_assert_not_null(strstr(t, "SHA-256: " SHA),
		    "page %d lacks the hash", i);
		cr_assert_not_null(strstr(t, "Versión 3"),
		    "page %d lacks the version", i);
		cr_assert_not_null(strstr(t, "Rúbricas"),
		    "page %d lacks the initials boxes", i);
		for (k = 0; k < nactores; k++)
			cr_assert_not_null(strstr(t, iniciales[k]),
			    "page %d lacks the box of %s", i, iniciales[k]);
		free(t);
	}
}

Test(pdf, full_pal_reads_back)
{
	json_t *c = fixture(5, 3, 6, true);
	char *path, *all, *t, want[64];
	int pages, i, j, first = 0, last = 0, na, nd;

	path = render(c, &pages);
	cr_assert_eq(pdfinfo_pages(path), pages);
	assert_headers(path, pages, 6);

	all = page_text(path, 0);
	cr_assert_not_null(strstr(all, "Plan de Acción Local"));
	cr_assert_not_null(strstr(all, "Participación ciudadana en la "
	    "contratación pública de Oaxaca"));
	cr_assert_not_null(strstr(all, "Ñúñez"));
	cr_assert_not_null(strstr(all, "8 de diciembre de 2026"));
	cr_assert_not_null(strstr(all, "Sociedad civil"));
	cr_assert_not_null(strstr(all, "Secretariado Técnico Local"));
	cr_assert_not_null(strstr(all, "No asistió"));
	cr_assert_not_null(strstr(all, "Alineado al Plan de Acción Nacional "
	    "2013-2015"));
	cr_assert_not_null(strstr(all, "Contrataciones abiertas"));
	cr_assert_not_null(strstr(all, "Problema local"));
	cr_assert_not_null(strstr(all, "31/03/2027"));
	for (i = 0; i < 5; i++) {
		snprintf(want, sizeof(want), "Compromiso %d. ", i + 1);
		cr_assert_not_null(strstr(all, want), "no \"%s\"", want);
		cr_assert_not_null(strstr(all, titulos[i]), "no title %s",
		    titulos[i]);
		for (j = 0; j < 3; j++) {
			if (i == 3 && j == 0)
				continue;
			snprintf(want, sizeof(want), "Tarea %d.%d revisión",
			    i + 1, j + 1);
			cr_assert_not_null(strstr(all, want), "no \"%s\"",
			    want);
		}
	}
	/* No line of the long texts is lost at a page break. */
	nd = long_text_count(all, "d");
	na = long_text_count(all, "a");
	cr_assert_geq(nd, 60, "description cut after [d%d]", nd);
	cr_assert_geq(na, 50, "activity cut after [a%d]", na);
	for (i = 1; i <= pages; i++) {
		t = page_text(path, i);
		if (strstr(t, "[d1]") != NULL)
			first = i;
		snprintf(want, sizeof(want), "[d%d]", nd);
		if (strstr(t, want) != NULL)
			last = i;
		free(t);
	}
	cr_assert(first > 0 && last > first,
	    "the long description should span pages (%d..%d)", first, last);

	t = page_text(path, pages);
	cr_assert_not_null(strstr(t, "Anexo 2"));
	for (i = 0; i < 6; i++)
		cr_assert_not_null(strstr(t, nombres[i]), "no signature line "
		    "for %s", nombres[i]);
	free(t);
	free(all);
	unlink(path);
	free(path);
	json_decref(c);
}

Test(pdf, twenty_actors_fit)
{
	json_t *c = fixture(5, 3, 20, false);
	char *path, *t;
	int pages;

	path = render(c, &pages);
	cr_assert_eq(pdfinfo_pages(path), pages);
	assert_headers(path, pages, 20);
	t = page_text(path, pages);
	cr_assert_not_null(strstr(t, "Wenceslao Trejo"));
	free(t);
	unlink(path);
	free(path);
	json_decref(c);
}

Test(pdf, bad_input_changes_nothing)
{
	json_t *c = fixture(5, 1, 4, false);
	struct buf out;
	struct error err = { 0 };
	int pages = 7;

	buf_init(&out);
	buf_puts(&out, "x");
	json_object_del(c, "mesa");
	cr_assert_not(pdf_pal(c, SHA, &out, &pages, &err));
	cr_assert_eq(err.status, 500);
	cr_assert_str_eq(err.code, "error_interno");
	cr_assert_eq(out.len, 1);
	cr_assert_eq(pages, 0);
	json_decref(c);

	c = fixture(5, 1, 4, false);
	error_clear(&err);
	cr_assert_not(pdf_pal(c, "abc", &out, &pages, &err));
	cr_assert(error_is_set(&err));
	cr_assert_not(pdf_pal(c, NULL, &out, &pages, &err));
	json_object_set_new(c, "version", json_string("1"));
	cr_assert_not(pdf_pal(c, SHA, &out, &pages, &err));
	cr_assert_eq(out.len, 1);
	json_decref(c);

	/* So many actors that their boxes would leave no page to write on. */
	c = fixture(5, 1, 400, false);
	error_clear(&err);
	cr_assert_not(pdf_pal(c, SHA, &out, &pages, &err));
	cr_assert_str_eq(err.code, "error_interno");
	cr_assert_eq(out.len, 1);
	buf_cleanup(&out);
	json_decref(c);
}

Test(pdf, missing_optional_fields)
{
	json_t *c = fixture(2, 1, 2, false);
	json_t *comp = json_array_get(json_object_get(c, "compromisos"), 0);
	struct buf out;
	struct error err = { 0 };
	int pages;

	json_object_set_new(json_object_get(c, "mesa"), "municipio",
	    json_null());
	json_object_set_new(comp, "descripcion", json_null());
	json_object_set_new(comp, "tipo", json_string("desconocido"));
	json_object_set_new(comp, "criterios", json_array());
	json_object_set_new(comp, "actividades", json_array());
	buf_init(&out);
	cr_assert(pdf_pal(c, SHA, &out, &pages, &err), "%s", err.message);
	cr_assert_geq(pages, 4);
	buf_cleanup(&out);
	json_decref(c);
}

struct job {
	json_t	*c;
	int	 pages;
	size_t	 len;
	bool	 ok;
};

static void *
job_cb(void *arg)
{
	struct job *j = arg;
	struct buf out;
	struct error err = { 0 };

	buf_init(&out);
	j->ok = pdf_pal(j->c, SHA, &out, &j->pages, &err);
	j->len = out.len;
	buf_cleanup(&out);
	return NULL;
}

Test(pdf, concurrent_calls)
{
	json_t *c = fixture(5, 3, 8, false);
	pthread_t th[4];
	struct job jobs[4];
	int i;

	for (i = 0; i < 4; i++) {
		jobs[i] = (struct job){ .c = c };
		cr_assert_eq(pthread_create(&th[i], NULL, job_cb, &jobs[i]),
		    0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		cr_assert(jobs[i].ok);
		cr_assert_eq(jobs[i].pages, jobs[0].pages);
		cr_assert_gt(jobs[i].len, 1000);
	}
	json_decref(c);
}

/* The date is the mesa's, so a version always renders to the same bytes. */
Test(pdf, same_version_same_bytes)
{
	json_t *c = fixture(5, 2, 4, false);
	struct buf a, b;
	struct error err = { 0 };
	int pa, pb;

	buf_init(&a);
	buf_init(&b);
	cr_assert(pdf_pal(c, SHA, &a, &pa, &err));
	cr_assert(pdf_pal(c, SHA, &b, &pb, &err));
	cr_assert_eq(pa, pb);
	cr_assert_eq(a.len, b.len);
	cr_assert(memcmp(a.data, b.data, a.len) == 0);
	buf_cleanup(&a);
	buf_cleanup(&b);
	json_decref(c);
}
