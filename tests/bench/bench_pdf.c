/*
 * Benchmark of server/pdf.c: a PAL of 50 commitments with 10 activities
 * each, texts of realistic length, rendered 5 times; prints the minimum
 * and median wall time and the page count. The target (DESIGN.md section
 * 9) is under 500 ms. A standalone program, not a test:
 *
 *	gcc -std=c11 -D_GNU_SOURCE -O2 -iquote common -iquote server \
 *	    -o bench_pdf tests/bench/bench_pdf.c tests/bench/bench.c \
 *	    server/pdf.c common/[a-z]*.c \
 *	    $(pkg-config --cflags --libs pangocairo jansson libcrypto)
 *	./bench_pdf [salida.pdf]
 *
 * With an argument, the last PDF is also written there to look at.
 */
#include "pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "buf.h"

#define RUNS		5
#define COMPROMISOS	50
#define ACTIVIDADES	10
#define ACTORES		12
#define SHA		"0f3a9c61d2b7e8450a1c9e3f7b2d6a8e" \
			"5c4f1b0a9d8e7f6a5b4c3d2e1f0a9b8c"

static const char *const sectores[] = {
	"sociedad_civil", "institucion_publica", "organismo_garante", "stl",
};
static const char *const tipos[] = {
	"contrataciones_abiertas", "plan_nacional", "local",
};
static const char *const criterios[] = {
	"medible", "especifico", "replicable", "sostenible", "alto_impacto",
};

/* About n bytes of plausible Spanish prose. */
static json_t *
prose(size_t n)
{
	static const char *const frases[] = {
		"La ciudadanía podrá consultar cada contrato, su monto y su "
		"estado de ejecución en formato abierto. ",
		"La institución publicará trimestralmente los avances y las "
		"evidencias en su portal de transparencia. ",
		"El organismo garante verificará el cumplimiento y emitirá "
		"recomendaciones públicas. ",
		"Las organizaciones de la sociedad civil acompañarán la "
		"revisión y difundirán los resultados. ",
	};
	struct buf b;
	json_t *s;
	int i = 0;

	buf_init(&b);
	while (b.len < n)
		buf_puts(&b, frases[i++ % 4]);
	s = json_string(b.data);
	buf_cleanup(&b);
	return s;
}

static json_t *
fixture(void)
{
	json_t *actores = json_array(), *compromisos = json_array();
	json_t *acts, *crits;
	char nombre[64], titulo[160];
	int i, j;

	for (i = 0; i < ACTORES; i++) {
		snprintf(nombre, sizeof(nombre), "Integrante %c. Núñez Ávila",
		    'A' + i);
		json_array_append_new(actores, json_pack("{s:b, s:s, s:i, s:s, "
		    "s:s, s:s}", "asistio", i != 5, "cargo", "Coordinación de "
		    "Participación Ciudadana", "id", i + 1, "nombre", nombre,
		    "organizacion", "Colectivo por la Transparencia de Oaxaca "
		    "A.C.", "sector", sectores[i % 4]));
	}
	for (i = 0; i < COMPROMISOS; i++) {
		acts = json_array();
		for (j = 0; j < ACTIVIDADES; j++)
			json_array_append_new(acts, json_pack("{s:o, s:o, s:s, "
			    "s:i, s:i, s:{s:s, s:s, s:s, s:s}}",
			    "descripcion", prose(220), "entregable",
			    prose(90), "fecha_limite", "2027-06-30", "id",
			    i * 100 + j, "numero", j + 1, "responsable",
			    "cargo", "Titular de la Unidad de Transparencia",
			    "email", "transparencia@oaxaca.gob.mx",
			    "institucion", "Secretaría de Finanzas del Estado",
			    "nombre", "Ana Sofía Martínez Ríos"));
		crits = json_array();
		for (j = 0; j < 5; j++)
			json_array_append_new(crits, json_pack("{s:s, s:o, "
			    "s:s}", "criterio", criterios[j], "justificacion",
			    prose(120), "quien", "Integrante B. Núñez Ávila"));
		snprintf(titulo, sizeof(titulo), "Compromiso de apertura de "
		    "información pública número %d", i + 1);
		json_array_append_new(compromisos, json_pack("{s:o, s:s?, s:o, "
		    "s:o, s:s, s:i, s:o, s:s, s:s, s:o, s:i, s:o, s:s, s:s}",
		    "actividades", acts, "alineacion", i % 3 == 1 ?
		    "Compromiso 17 del Plan de Acción 2013-2015: Datos "
		    "abiertos para el desarrollo" : NULL, "criterios", crits,
		    "descripcion", prose(900), "fin", "2027-11-30", "id", i + 1,
		    "indicador", prose(150), "inicio", "2026-12-01",
		    "institucion", "Secretaría de la Contraloría del Estado",
		    "meta", prose(150), "numero", i + 1, "problema",
		    prose(500), "tipo", tipos[i % 3], "titulo", titulo));
	}
	return json_pack("{s:o, s:o, s:{s:s, s:s, s:s, s:i, s:s, s:s, s:s, "
	    "s:s}, s:i}", "actores", actores, "compromisos", compromisos,
	    "mesa", "entidad", "Oaxaca", "fecha", "2026-12-08", "hora",
	    "10:00", "id", 1, "lugar", "Sala de Cabildo, Palacio Municipal",
	    "municipio", "Oaxaca de Juárez", "titulo",
	    "Participación ciudadana en la contratación pública de Oaxaca",
	    "zona_horaria", "America/Mexico_City", "version", 1);
}

int
main(int argc, char **argv)
{
	json_t *c = fixture();
	double t0;
	struct error err = { 0 };
	struct buf out;
	double ms[RUNS];
	int i, pages = 0;
	FILE *f;

	buf_init(&out);
	for (i = 0; i < RUNS; i++) {
		buf_reset(&out);
		t0 = bench_now_ms();
		if (!pdf_pal(c, SHA, &out, &pages, &err)) {
			fprintf(stderr, "pdf_pal: %s\n", err.message);
			return 1;
		}
		ms[i] = bench_now_ms() - t0;
	}
	qsort(ms, RUNS, sizeof(ms[0]), bench_cmp_double);
	printf("pdf_pal %d compromisos x %d actividades: %d páginas, "
	    "%zu bytes, min %.1f ms, mediana %.1f ms (%d corridas)\n",
	    COMPROMISOS, ACTIVIDADES, pages, out.len, ms[0], ms[RUNS / 2],
	    RUNS);
	if (argc > 1) {
		f = fopen(argv[1], "wb");
		if (f == NULL || fwrite(out.data, 1, out.len, f) != out.len ||
		    fclose(f) != 0) {
			perror(argv[1]);
			return 1;
		}
	}
	buf_cleanup(&out);
	json_decref(c);
	return 0;
}
