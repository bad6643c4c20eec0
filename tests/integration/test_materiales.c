/*
 * Materials from end to end against a real pald, PostgreSQL and SMTP
 * catcher, driven with raw HTTP: uploads (binary and text) stored with
 * their hash and the author's receipt, downloads identical to the
 * upload, refusals that store nothing, the send by email with the
 * files attached and a personal link, the link's page (GET records
 * nothing, POST records the receipts once), receipts recorded by the
 * facilitator, and a facilitator who does not own the mesa kept out.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escenario.h"
#include "harness.h"

#define ZONA	"America/Mexico_City"

static struct h_db db;
static struct h_smtp smtp;
static struct h_pald pald;
static char admin[80];

/* The facilitator who owns the mesa, another one, the mesa, actors. */
static char fac[80], otro[80];
static long long fac_id, mesa, ana, beto, carla;

/* A request that must answer want; its JSON body (new reference). */
static json_t *
call(const char *method, const char *path, const char *token,
    const char *body, long want)
{
	struct h_http r = h_api(&pald, method, path, token, body);
	json_t *j;

	cr_assert_eq(r.status, want, "%s %s: %ld, want %ld: %s", method, path,
	    r.status, want, r.body ? r.body : "");
	j = h_http_json(&r);
	cr_assert_not_null(j, "%s %s: not JSON: %s", method, path, r.body);
	h_http_free(&r);
	return j;
}

static long long
id_of(json_t *o)
{
	return (long long)json_integer_value(json_object_get(o, "id"));
}

static const char *
str_of(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The error code of an error reply. */
static const char *
code_of(const struct h_http *r)
{
	json_t *j = h_http_json(r);
	const char *c;

	cr_assert_not_null(j, "not JSON: %s", r->body);
	c = h_strf("%s", json_string_value(json_object_get(
	    json_object_get(j, "error"), "code")));
	json_decref(j);
	return c;
}

/* Percent-encodes s for a query string. Test-lived. */
static const char *
enc(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = calloc(strlen(s) * 3 + 1, 1);
	const char *kept;
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	kept = h_strf("%s", out);
	free(out);
	return kept;
}

/* Today in the mesa's zone plus `days`, as PostgreSQL computes it. */
static const char *
hoy_mas(int days)
{
	return esc_date_add(esc_today_in(ZONA), days);
}

/* POST of an upload; query is the part after "?". */
static struct h_http
upload(const char *token, long long mesa_id, const char *query,
    const char *ctype, const void *data, size_t len)
{
	return h_http("POST", h_strf("%s/v1/mesas/%lld/materiales?%s",
	    pald.url, mesa_id, query), token, ctype, data, len);
}

/* An upload that must succeed; the material (new reference). */
static json_t *
upload_ok(long long autor, const char *tipo, const char *titulo,
    const char *archivo, const char *fecha, const char *ctype,
    const void *data, size_t len)
{
	const char *q = h_strf("actor=%lld&tipo=%s&titulo=%s%s%s%s%s", autor,
	    tipo, enc(titulo), archivo ? "&archivo=" : "",
	    archivo ? enc(archivo) : "", fecha ? "&fecha=" : "",
	    fecha ? fecha : "");
	struct h_http r = upload(fac, mesa, q, ctype, data, len);
	json_t *j;

	cr_assert_eq(r.status, 201, "upload %s: %ld %s", titulo, r.status,
	    r.body);
	j = h_http_json(&r);
	h_http_free(&r);
	return j;
}

static long long
count(const char *sql)
{
	return h_db_query_int(&db, sql);
}

static void
setup(void)
{
	json_t *j;

	esc_setup(&db, &smtp, &pald, "material_max_bytes = 2048\n", admin,
	    sizeof(admin));

	j = call("POST", "/v1/usuarios", admin, "{\"nombre\": \"Fabiola "
	    "Ríos\", \"email\": \"fabiola@ejemplo.mx\", \"rol\": "
	    "\"facilitador\"}", 201);
	snprintf(fac, sizeof(fac), "%s", str_of(j, "token"));
	fac_id = id_of(j);
	json_decref(j);
	j = call("POST", "/v1/usuarios", admin, "{\"nombre\": \"Otro "
	    "Facilitador\", \"email\": \"otro@ejemplo.mx\", \"rol\": "
	    "\"facilitador\"}", 201);
	snprintf(otro, sizeof(otro), "%s", str_of(j, "token"));
	json_decref(j);

	j = call("POST", "/v1/mesas", fac, "{\"titulo\": \"Transparencia "
	    "en obra pública\", \"entidad\": \"Oaxaca\"}", 201);
	mesa = id_of(j);
	json_decref(j);
	j = call("POST", h_strf("/v1/mesas/%lld/actores", mesa), fac,
	    "{\"nombre\": \"Ana Pérez\", \"email\": \"ana@ejemplo.mx\", "
	    "\"sector\": \"sociedad_civil\"}", 201);
	ana = id_of(j);
	json_decref(j);
	j = call("POST", h_strf("/v1/mesas/%lld/actores", mesa), fac,
	    "{\"nombre\": \"Beto Ruiz\", \"email\": \"beto@ejemplo.mx\", "
	    "\"sector\": \"institucion_publica\"}", 201);
	beto = id_of(j);
	json_decref(j);
	j = call("POST", h_strf("/v1/mesas/%lld/actores", mesa), fac,
	    "{\"nombre\": \"Carla Núñez\", \"email\": \"carla@ejemplo.mx\", "
	    "\"sector\": \"organismo_garante\"}", 201);
	carla = id_of(j);
	json_decref(j);
}

static void
teardown(void)
{
	esc_teardown();
}

TestSuite(materiales, .init = setup, .fini = teardown, .timeout = 120);

/* 1500 bytes with NULs and every byte value: a real binary. */
static unsigned char binario[1500];

static void
fill_binario(void)
{
	for (size_t i = 0; i < sizeof(binario); i++)
		binario[i] = (unsigned char)(i * 31 + 7);
	binario[10] = 0;
}

static const char texto[] = "Criterios mínimos: que la información sea "
    "pública y útil.\nSegunda línea, con ñandú.\n";

Test(materiales, upload_download_and_list)
{
	const char *sha;
	struct h_http r;
	json_t *bin, *txt, *list, *m0, *ac;
	const char *disp;

	fill_binario();
	sha = esc_sha256_hex(binario, sizeof(binario));
	bin = upload_ok(ana, "problematicas", "Diagnóstico ciudadano",
	    "diagnóstico 2026.pdf", NULL, "application/PDF", binario,
	    sizeof(binario));
	cr_assert_str_eq(str_of(bin, "sha256"), sha);
	cr_assert_eq(json_integer_value(json_object_get(bin, "tamano")),
	    (json_int_t)sizeof(binario));
	cr_assert_str_eq(str_of(bin, "tipo_medio"), "application/pdf");
	cr_assert_str_eq(str_of(bin, "archivo"), "diagnóstico 2026.pdf");
	cr_assert_str_eq(str_of(bin, "tipo"), "problematicas");
	cr_assert_str_eq(str_of(bin, "fecha_entrega"), hoy_mas(0));
	cr_assert_eq(id_of(json_object_get(bin, "autor")), ana);
	cr_assert_str_eq(str_of(json_object_get(bin, "autor"), "nombre"),
	    "Ana Pérez");

	/* Stored as uploaded, and the author has it, from today. */
	cr_assert_str_eq(h_db_query_str(&db, "SELECT sha256 FROM materiales"
	    " WHERE id = $1", h_strf("%lld", id_of(bin))), sha);
	cr_assert_eq(h_db_query_int(&db, "SELECT octet_length(contenido)"
	    " FROM materiales WHERE id = $1", h_strf("%lld", id_of(bin))),
	    (long long)sizeof(binario));
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM acuses"
	    " WHERE material_id = $1 AND actor_id = $2 AND medio = 'autor'"
	    " AND fecha = (now() AT TIME ZONE $3)::date"
	    " AND NOT es_retroactivo AND registrado_por = $4",
	    h_strf("%lld", id_of(bin)), h_strf("%lld", ana), ZONA,
	    h_strf("%lld", fac_id)), 1);
	cr_assert_eq(count("SELECT count(*) FROM eventos"
	    " WHERE tipo = 'material.agregado'"), 1);

	/* A text material: no file name, UTF-8. */
	txt = upload_ok(beto, "criterios_minimos", "Criterios mínimos", NULL,
	    NULL, "text/plain; charset=UTF-8", texto, strlen(texto));
	cr_assert_str_eq(str_of(txt, "tipo_medio"),
	    "text/plain; charset=utf-8");
	cr_assert(json_is_null(json_object_get(txt, "archivo")));
	sha = esc_sha256_hex(texto, strlen(texto));
	cr_assert_str_eq(str_of(txt, "sha256"), sha);

	/* Downloads give back the very bytes, type and name. */
	r = h_http("GET", h_strf("%s/v1/mesas/%lld/materiales/%lld/contenido",
	    pald.url, mesa, id_of(bin)), fac, NULL, NULL, 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_eq(r.len, sizeof(binario));
	cr_assert(memcmp(r.body, binario, sizeof(binario)) == 0);
	cr_assert_str_eq(h_http_header(&r, "Content-Type"), "application/pdf");
	disp = h_http_header(&r, "Content-Disposition");
	cr_assert_not_null(disp);
	cr_assert_str_eq(disp, "attachment; filename=\"diagn_stico 2026.pdf\";"
	    " filename*=UTF-8''diagn%C3%B3stico%202026.pdf");
	h_http_free(&r);
	r = h_http("GET", h_strf("%s/v1/mesas/%lld/materiales/%lld/contenido",
	    pald.url, mesa, id_of(txt)), fac, NULL, NULL, 0);
	cr_assert_eq(r.status, 200);
	cr_assert_eq(r.len, strlen(texto));
	cr_assert(memcmp(r.body, texto, r.len) == 0);
	cr_assert(strstr(h_http_header(&r, "Content-Disposition"),
	    "Criterios%20m%C3%ADnimos.txt") != NULL);
	h_http_free(&r);
	r = h_http("GET", h_strf("%s/v1/mesas/%lld/materiales/999/contenido",
	    pald.url, mesa), fac, NULL, NULL, 0);
	cr_assert_eq(r.status, 404);
	cr_assert_str_eq(code_of(&r), "material_no_encontrado");
	h_http_free(&r);

	/* The listing: who has each material and who does not. */
	list = call("GET", h_strf("/v1/mesas/%lld/materiales", mesa), fac,
	    NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(list, "materiales")), 2);
	m0 = json_array_get(json_object_get(list, "materiales"), 0);
	cr_assert_eq(id_of(m0), id_of(bin));
	cr_assert_str_eq(str_of(m0, "sha256"), str_of(bin, "sha256"));
	cr_assert_eq(json_array_size(json_object_get(m0, "acuses")), 1);
	ac = json_array_get(json_object_get(m0, "acuses"), 0);
	cr_assert_eq(json_integer_value(json_object_get(ac, "actor_id")), ana);
	cr_assert_str_eq(str_of(ac, "medio"), "autor");
	cr_assert_str_eq(str_of(ac, "fecha"), hoy_mas(0));
	cr_assert(json_is_false(json_object_get(ac, "retroactivo")));
	cr_assert_eq(json_array_size(json_object_get(m0, "pendientes")), 2);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(
	    json_object_get(m0, "pendientes"), 0), "actor_id")), beto);
	json_decref(list);
	json_decref(bin);
	json_decref(txt);
}

Test(materiales, refusals_store_nothing)
{
	static const char *const casos[][4] = {
		/* query, content type, expected status, code */
		{ "actor=%A&tipo=inventado&titulo=X&archivo=a.pdf",
		    "application/pdf", "422", "tipo_invalido" },
		{ "actor=999999&tipo=otro&titulo=X&archivo=a.pdf",
		    "application/pdf", "404", "actor_no_encontrado" },
		{ "actor=abc&tipo=otro&titulo=X&archivo=a.pdf",
		    "application/pdf", "422", "campo_invalido" },
		{ "tipo=otro&titulo=X&archivo=a.pdf",
		    "application/pdf", "422", "campo_invalido" },
		{ "actor=%A&tipo=otro&titulo=X&archivo=a.pdf&fecha=%F",
		    "application/pdf", "422", "fecha_futura" },
		{ "actor=%A&tipo=otro&titulo=X&archivo=a.pdf&fecha=2026-02-30",
		    "application/pdf", "422", "fecha_invalida" },
		{ "actor=%A&tipo=otro&titulo=X&archivo=..%2Fetc.pdf",
		    "application/pdf", "422", "texto_invalido" },
		{ "actor=%A&tipo=otro&titulo=%0Aotra&archivo=a.pdf",
		    "application/pdf", "422", "texto_invalido" },
		{ "actor=%A&tipo=otro&titulo=X",
		    "application/pdf", "422", "tipo_medio_invalido" },
		{ "actor=%A&tipo=otro&titulo=X&archivo=a.pdf",
		    "no es un tipo", "422", "tipo_medio_invalido" },
	};
	char latin1[] = "caf\xe9 sin UTF-8";
	char grande[3000];
	struct h_http r;

	fill_binario();
	for (size_t i = 0; i < sizeof(casos) / sizeof(casos[0]); i++) {
		/* %A is Ana's id, %F tomorrow. */
		const char *src = casos[i][0];
		char q[512];
		size_t n = 0;

		for (; *src && n + 32 < sizeof(q); src++) {
			if (src[0] == '%' && src[1] == 'A') {
				n += (size_t)snprintf(q + n, sizeof(q) - n,
				    "%lld", ana);
				src++;
			} else if (src[0] == '%' && src[1] == 'F') {
				n += (size_t)snprintf(q + n, sizeof(q) - n,
				    "%s", hoy_mas(1));
				src++;
			} else {
				q[n++] = *src;
			}
		}
		q[n] = '\0';
		r = upload(fac, mesa, q, casos[i][1], binario, 100);
		cr_assert_eq(r.status, atol(casos[i][2]), "%s: %ld %s", q,
		    r.status, r.body);
		cr_assert_str_eq(code_of(&r), casos[i][3], "%s: %s", q,
		    r.body);
		h_http_free(&r);
	}

	/* Empty, not UTF-8 for a text, too large. */
	r = upload(fac, mesa, h_strf("actor=%lld&tipo=otro&titulo=X&"
	    "archivo=a.pdf", ana), "application/pdf", "", 0);
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_assert_str_eq(code_of(&r), "material_vacio");
	h_http_free(&r);
	r = upload(fac, mesa, h_strf("actor=%lld&tipo=otro&titulo=X", ana),
	    "text/plain; charset=utf-8", latin1, strlen(latin1));
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_assert_str_eq(code_of(&r), "texto_invalido");
	h_http_free(&r);
	memset(grande, 'x', sizeof(grande));
	r = upload(fac, mesa, h_strf("actor=%lld&tipo=otro&titulo=X&"
	    "archivo=a.bin", ana), "application/octet-stream", grande,
	    sizeof(grande));
	cr_assert_eq(r.status, 413, "%s", r.body);
	h_http_free(&r);

	cr_assert_eq(count("SELECT count(*) FROM materiales"), 0);
	cr_assert_eq(count("SELECT count(*) FROM acuses"), 0);
	cr_assert_eq(count("SELECT count(*) FROM eventos"
	    " WHERE tipo LIKE 'material.%'"), 0);

	/* Just under the limit is fine. */
	r = upload(fac, mesa, h_strf("actor=%lld&tipo=otro&titulo=X&"
	    "archivo=a.bin", ana), "application/octet-stream", grande, 2048);
	cr_assert_eq(r.status, 201, "%s", r.body);
	h_http_free(&r);

	/* After the session opened the list is closed. */
	h_db_exec(&db, "UPDATE mesas SET fase = 'cancelada' WHERE id = $1",
	    h_strf("%lld", mesa));
	r = upload(fac, mesa, h_strf("actor=%lld&tipo=otro&titulo=Y&"
	    "archivo=b.bin", ana), "application/octet-stream", binario, 10);
	cr_assert_eq(r.status, 409, "%s", r.body);
	cr_assert_str_eq(code_of(&r), "transicion_invalida");
	h_http_free(&r);
	cr_assert_eq(count("SELECT count(*) FROM materiales"), 1);
}

Test(materiales, backdated_upload_and_suspension)
{
	json_t *mat, *ev;
	const char *fecha = hoy_mas(-5);

	fill_binario();
	mat = upload_ok(ana, "estudios", "Estudio previo", "estudio.pdf",
	    fecha, "application/pdf", binario, 200);
	cr_assert_str_eq(str_of(mat, "fecha_entrega"), fecha);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM acuses"
	    " WHERE actor_id = $1 AND es_retroactivo AND fecha = $2::date",
	    h_strf("%lld", ana), fecha), 1);
	json_decref(mat);
	ev = call("GET", h_strf("/v1/mesas/%lld/eventos", mesa), fac, NULL,
	    200);
	for (size_t i = 0; i < json_array_size(json_object_get(ev,
	    "eventos")); i++) {
		json_t *e = json_array_get(json_object_get(ev, "eventos"), i);

		if (strcmp(str_of(e, "tipo"), "material.agregado") != 0)
			continue;
		cr_assert(json_is_true(json_object_get(json_object_get(e,
		    "datos"), "retroactivo")));
		cr_assert_str_eq(str_of(json_object_get(e, "datos"), "fecha"),
		    fecha);
		cr_assert_eq(id_of(json_object_get(e, "usuario")), fac_id);
	}
	json_decref(ev);

	/* A material added to a convocada mesa suspends it. */
	h_db_exec(&db, "UPDATE mesas SET fase = 'convocada', fecha = "
	    "current_date + 20, hora = '10:00', lugar = 'Sala' WHERE id = $1",
	    h_strf("%lld", mesa));
	mat = upload_ok(beto, "estadisticas", "Cifras", "cifras.csv", NULL,
	    "text/csv", "a,b\n1,2\n", 8);
	json_decref(mat);
	cr_assert_str_eq(h_db_query_str(&db, "SELECT fase FROM mesas"
	    " WHERE id = $1", h_strf("%lld", mesa)), "suspendida");
	cr_assert_eq(count("SELECT count(*) FROM eventos"
	    " WHERE tipo = 'mesa.suspendida'"), 1);
}

/* The personal link in an email's text, or NULL. Test-lived. */
static const char *
link_in(const char *text)
{
	const char *base = h_strf("%s/e/", pald.url);
	const char *p = strstr(text, base);

	if (p == NULL)
		return NULL;
	p += strlen(base);
	cr_assert_eq(strspn(p, "0123456789abcdef"), 64, "%s", text);
	return h_strf("%s%.64s", base, p);
}

/* The email to rcpt at or after message from; new reference. */
static json_t *
mail_to(const char *rcpt, int from)
{
	int i = h_smtp_find(&smtp, rcpt, from);

	cr_assert_geq(i, 0, "no email to %s", rcpt);
	return h_smtp_message(&smtp, i);
}

Test(materiales, send_link_and_confirm)
{
	const char *shabin, *shatxt;
	json_t *bin, *txt, *res, *envios, *msg, *atts;
	const char *link_carla, *link_ana, *text;
	struct h_http r;
	bool seen_bin = false, seen_txt = false;

	fill_binario();
	shabin = esc_sha256_hex(binario, sizeof(binario));
	shatxt = esc_sha256_hex(texto, strlen(texto));
	bin = upload_ok(ana, "problematicas", "Diagnóstico ciudadano",
	    "diagnóstico.pdf", NULL, "application/pdf", binario,
	    sizeof(binario));
	txt = upload_ok(beto, "criterios_minimos", "Criterios mínimos", NULL,
	    NULL, "text/plain; charset=utf-8", texto, strlen(texto));

	res = call("POST", h_strf("/v1/mesas/%lld/materiales/enviar", mesa),
	    fac, NULL, 200);
	envios = json_object_get(res, "envios");
	cr_assert_eq(json_array_size(envios), 3);
	/* Carla lacks both, in id order; Ana only the text. */
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(
	    envios, 2), "actor_id")), carla);
	cr_assert_eq(json_array_size(json_object_get(json_array_get(envios,
	    2), "materiales")), 2);
	cr_assert_eq(json_integer_value(json_array_get(json_object_get(
	    json_array_get(envios, 0), "materiales"), 0)), id_of(txt));
	cr_assert_str_eq(str_of(json_array_get(envios, 0), "email"),
	    "ana@ejemplo.mx");
	cr_assert_gt(json_integer_value(json_object_get(json_array_get(
	    envios, 0), "outbox_id")), 0);
	json_decref(res);
	cr_assert_eq(count("SELECT count(*) FROM outbox WHERE tipo ="
	    " 'materiales' AND mesa_id IS NOT NULL"), 3);
	cr_assert_eq(count("SELECT count(*) FROM eventos"
	    " WHERE tipo = 'material.enviado' AND actor_id IS NOT NULL"), 3);
	cr_assert_eq(count("SELECT count(*) FROM enlaces"
	    " WHERE proposito = 'acuse'"), 3);

	cr_assert_eq(h_smtp_wait(&smtp, 3, 15000), 3);
	msg = mail_to("carla@ejemplo.mx", 0);
	cr_assert_str_eq(str_of(msg, "subject"),
	    "Materiales para la mesa «Transparencia en obra pública»");
	text = str_of(msg, "text");
	cr_assert(strstr(text, "Carla Núñez") != NULL, "%s", text);
	cr_assert(strstr(text, "Oaxaca") != NULL, "%s", text);
	cr_assert(strstr(text, "Diagnóstico ciudadano") != NULL, "%s", text);
	cr_assert(strstr(text, "Problemáticas") != NULL, "%s", text);
	cr_assert(strstr(text, "no puede convocarse") != NULL, "%s", text);
	link_carla = link_in(text);
	cr_assert_not_null(link_carla, "no link in: %s", text);
	atts = json_object_get(msg, "attachments");
	cr_assert_eq(json_array_size(atts), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *a = json_array_get(atts, i);

		if (strcmp(str_of(a, "sha256"), shabin) == 0) {
			seen_bin = true;
			cr_assert_str_eq(str_of(a, "filename"),
			    "diagnóstico.pdf");
			cr_assert_str_eq(str_of(a, "content_type"),
			    "application/pdf");
		} else if (strcmp(str_of(a, "sha256"), shatxt) == 0) {
			seen_txt = true;
			cr_assert_str_eq(str_of(a, "filename"),
			    "Criterios mínimos.txt");
		}
	}
	cr_assert(seen_bin && seen_txt);
	cr_assert(json_is_true(json_object_get(msg, "raw_7bit")));
	json_decref(msg);
	msg = mail_to("ana@ejemplo.mx", 0);
	link_ana = link_in(str_of(msg, "text"));
	cr_assert_not_null(link_ana);
	cr_assert_eq(json_array_size(json_object_get(msg, "attachments")), 1);
	json_decref(msg);
	/* Only the token's hash is stored. */
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"
	    " WHERE hash = $1", link_carla + strlen(link_carla) - 64), 0);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"
	    " WHERE hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')"
	    " AND actor_id = $2", link_carla + strlen(link_carla) - 64,
	    h_strf("%lld", carla)), 1);

	/* GET shows the page and records nothing. */
	r = h_http("GET", link_carla, NULL, NULL, NULL, 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert_str_eq(h_http_header(&r, "Content-Type"),
	    "text/html; charset=utf-8");
	cr_assert(strstr(r.body, "Confirmo que recibí los materiales"));
	cr_assert(strstr(r.body, "Carla Núñez") != NULL);
	cr_assert(strstr(r.body, "Diagnóstico ciudadano") != NULL);
	cr_assert(strstr(r.body, "Criterios mínimos") != NULL);
	cr_assert(strstr(r.body, "<form method=\"post\">") != NULL);
	h_http_free(&r);
	cr_assert_eq(count("SELECT count(*) FROM acuses"), 2);

	/* POST records both receipts, dated today (local). */
	r = h_http("POST", link_carla, NULL,
	    "application/x-www-form-urlencoded", "", 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "Gracias, Carla Núñez: quedó registrado que "
	    "recibió 2 materiales el ") != NULL, "%s", r.body);
	h_http_free(&r);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM acuses"
	    " WHERE actor_id = $1 AND medio = 'enlace' AND enlace_id IS NOT"
	    " NULL AND registrado_por IS NULL AND NOT es_retroactivo"
	    " AND fecha = (now() AT TIME ZONE $2)::date",
	    h_strf("%lld", carla), ZONA), 2);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM eventos"
	    " WHERE tipo = 'acuse.confirmado' AND actor_id = $1"
	    " AND usuario_id IS NULL AND jsonb_array_length(datos->"
	    "'materiales') = 2", h_strf("%lld", carla)), 1);

	/* A second POST: already confirmed, nothing new. */
	r = h_http("POST", link_carla, NULL, NULL, NULL, 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "Estos materiales ya estaban confirmados")
	    != NULL, "%s", r.body);
	h_http_free(&r);
	cr_assert_eq(count("SELECT count(*) FROM acuses"), 4);
	cr_assert_eq(count("SELECT count(*) FROM eventos"
	    " WHERE tipo = 'acuse.confirmado'"), 1);
	/* And the page now says so, without the button. */
	r = h_http("GET", link_carla, NULL, NULL, NULL, 0);
	cr_assert_eq(r.status, 200);
	cr_assert(strstr(r.body, "Recibido el ") != NULL, "%s", r.body);
	cr_assert(strstr(r.body, "<form") == NULL);
	h_http_free(&r);

	/* A revoked link, garbage and unknown tokens are 404 pages. */
	h_db_exec(&db, "UPDATE enlaces SET revocado = now()"
	    " WHERE actor_id = $1", h_strf("%lld", ana));
	r = h_http("GET", link_ana, NULL, NULL, NULL, 0);
	cr_assert_eq(r.status, 404);
	cr_assert(strstr(r.body, "Enlace no válido") != NULL, "%s", r.body);
	cr_assert_str_eq(h_http_header(&r, "Content-Type"),
	    "text/html; charset=utf-8");
	h_http_free(&r);
	r = h_http("POST", link_ana, NULL, NULL, NULL, 0);
	cr_assert_eq(r.status, 404);
	h_http_free(&r);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM acuses"
	    " WHERE actor_id = $1", h_strf("%lld", ana)), 1);
	r = h_http("GET", h_strf("%s/e/basura", pald.url), NULL, NULL, NULL,
	    0);
	cr_assert_eq(r.status, 404);
	cr_assert(strstr(r.body, "Enlace no válido") != NULL);
	h_http_free(&r);
	r = h_http("POST", h_strf("%s/e/%064d", pald.url, 0), NULL, NULL,
	    NULL, 0);
	cr_assert_eq(r.status, 404);
	h_http_free(&r);

	/* A new send reaches only who still lacks something. */
	res = call("POST", h_strf("/v1/mesas/%lld/materiales/enviar", mesa),
	    fac, NULL, 200);
	envios = json_object_get(res, "envios");
	cr_assert_eq(json_array_size(envios), 2);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(
	    envios, 0), "actor_id")), ana);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(
	    envios, 1), "actor_id")), beto);
	json_decref(res);
	cr_assert_eq(h_smtp_wait(&smtp, 5, 15000), 5);
	msg = mail_to("ana@ejemplo.mx", 3);
	link_ana = link_in(str_of(msg, "text"));
	json_decref(msg);
	r = h_http("POST", link_ana, NULL, NULL, NULL, 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "recibió 1 material el ") != NULL, "%s",
	    r.body);
	h_http_free(&r);
	json_decref(bin);
	json_decref(txt);
}

/* POST /acuses with body; the reply (new reference) if want is 201. */
static struct h_http
acuse(const char *token, long long actor, long long material,
    const char *medio, const char *fecha)
{
	const char *body = fecha != NULL
	    ? h_strf("{\"actor\": %lld, \"material\": %lld, \"medio\": "
		"\"%s\", \"fecha\": \"%s\"}", actor, material, medio, fecha)
	    : h_strf("{\"actor\": %lld, \"material\": %lld, \"medio\": "
		"\"%s\"}", actor, material, medio);

	return h_api(&pald, "POST", h_strf("/v1/mesas/%lld/acuses", mesa),
	    token, body);
}

Test(materiales, manual_receipts)
{
	const char *entrega = hoy_mas(-10), *fecha = hoy_mas(-3);
	json_t *mat, *j, *ev;
	struct h_http r;
	long long mid;
	bool found = false;

	fill_binario();
	mat = upload_ok(ana, "soluciones", "Soluciones propuestas",
	    "soluciones.pdf", entrega, "application/pdf", binario, 300);
	mid = id_of(mat);
	json_decref(mat);

	/* Backdated: retroactivo, on the timeline with who recorded it. */
	r = acuse(fac, beto, mid, "entrega en mano", fecha);
	cr_assert_eq(r.status, 201, "%s", r.body);
	j = h_http_json(&r);
	cr_assert_str_eq(str_of(j, "fecha"), fecha);
	cr_assert_str_eq(str_of(j, "medio"), "entrega en mano");
	cr_assert(json_is_true(json_object_get(j, "retroactivo")));
	cr_assert_eq(json_integer_value(json_object_get(j, "actor_id")), beto);
	cr_assert_eq(json_integer_value(json_object_get(j, "material_id")),
	    mid);
	json_decref(j);
	h_http_free(&r);
	ev = call("GET", h_strf("/v1/mesas/%lld/eventos", mesa), fac, NULL,
	    200);
	for (size_t i = 0; i < json_array_size(json_object_get(ev,
	    "eventos")); i++) {
		json_t *e = json_array_get(json_object_get(ev, "eventos"), i);
		json_t *d = json_object_get(e, "datos");

		if (strcmp(str_of(e, "tipo"), "acuse.registrado") != 0)
			continue;
		found = true;
		cr_assert(json_is_true(json_object_get(d, "retroactivo")));
		cr_assert_str_eq(str_of(d, "fecha"), fecha);
		cr_assert_str_eq(str_of(d, "medio"), "entrega en mano");
		cr_assert_eq(id_of(json_object_get(e, "usuario")), fac_id);
		cr_assert_eq(id_of(json_object_get(e, "actor")), beto);
	}
	cr_assert(found);
	json_decref(ev);

	/* Refusals. */
	r = acuse(fac, carla, mid, "correo postal", hoy_mas(1));
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_assert_str_eq(code_of(&r), "fecha_futura");
	h_http_free(&r);
	r = acuse(fac, carla, mid, "correo postal", hoy_mas(-11));
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_assert_str_eq(code_of(&r), "fecha_anterior_al_material");
	h_http_free(&r);
	r = acuse(fac, carla, mid, "correo postal", "2026-13-01");
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_assert_str_eq(code_of(&r), "fecha_invalida");
	h_http_free(&r);
	r = acuse(fac, beto, mid, "otra vez", NULL);
	cr_assert_eq(r.status, 409, "%s", r.body);
	cr_assert_str_eq(code_of(&r), "acuse_duplicado");
	h_http_free(&r);
	r = acuse(fac, 999999, mid, "correo postal", NULL);
	cr_assert_eq(r.status, 404, "%s", r.body);
	cr_assert_str_eq(code_of(&r), "actor_no_encontrado");
	h_http_free(&r);
	r = acuse(fac, carla, 999999, "correo postal", NULL);
	cr_assert_eq(r.status, 404, "%s", r.body);
	cr_assert_str_eq(code_of(&r), "material_no_encontrado");
	h_http_free(&r);
	r = acuse(fac, carla, mid, "enlace", NULL);
	cr_assert_eq(r.status, 422, "%s", r.body);
	h_http_free(&r);
	cr_assert_eq(count("SELECT count(*) FROM acuses"), 2);
	cr_assert_eq(count("SELECT count(*) FROM eventos"
	    " WHERE tipo = 'acuse.registrado'"), 1);

	/* Without a date: today, not retroactive. */
	r = acuse(fac, carla, mid, "correo postal", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	j = h_http_json(&r);
	cr_assert_str_eq(str_of(j, "fecha"), hoy_mas(0));
	cr_assert(json_is_false(json_object_get(j, "retroactivo")));
	json_decref(j);
	h_http_free(&r);

	/* Everyone has it now: a send has nobody to write to. */
	j = call("POST", h_strf("/v1/mesas/%lld/materiales/enviar", mesa),
	    fac, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(j, "envios")), 0);
	json_decref(j);
}

Test(materiales, other_facilitator_is_forbidden)
{
	struct h_http r;
	json_t *mat;
	long long mid;

	fill_binario();
	mat = upload_ok(ana, "otro", "Nota", "nota.pdf", NULL,
	    "application/pdf", binario, 50);
	mid = id_of(mat);
	json_decref(mat);

	r = upload(otro, mesa, h_strf("actor=%lld&tipo=otro&titulo=X&"
	    "archivo=x.pdf", ana), "application/pdf", binario, 50);
	cr_assert_eq(r.status, 403, "%s", r.body);
	cr_assert_str_eq(code_of(&r), "prohibido");
	h_http_free(&r);
	r = h_api(&pald, "POST", h_strf("/v1/mesas/%lld/materiales/enviar",
	    mesa), otro, NULL);
	cr_assert_eq(r.status, 403, "%s", r.body);
	h_http_free(&r);
	r = acuse(otro, beto, mid, "correo postal", NULL);
	cr_assert_eq(r.status, 403, "%s", r.body);
	h_http_free(&r);
	r = h_api(&pald, "GET", h_strf("/v1/mesas/%lld/materiales", mesa),
	    otro, NULL);
	cr_assert_eq(r.status, 403, "%s", r.body);
	h_http_free(&r);
	r = h_http("GET", h_strf("%s/v1/mesas/%lld/materiales/%lld/contenido",
	    pald.url, mesa, mid), otro, NULL, NULL, 0);
	cr_assert_eq(r.status, 403, "%s", r.body);
	h_http_free(&r);
	/* No token at all. */
	r = upload(NULL, mesa, h_strf("actor=%lld&tipo=otro&titulo=X&"
	    "archivo=x.pdf", ana), "application/pdf", binario, 50);
	cr_assert_eq(r.status, 401, "%s", r.body);
	h_http_free(&r);
	/* A mesa that does not exist. */
	r = upload(fac, 999999, h_strf("actor=%lld&tipo=otro&titulo=X&"
	    "archivo=x.pdf", ana), "application/pdf", binario, 50);
	cr_assert_eq(r.status, 404, "%s", r.body);
	h_http_free(&r);

	cr_assert_eq(count("SELECT count(*) FROM materiales"), 1);
	cr_assert_eq(count("SELECT count(*) FROM acuses"), 1);
	cr_assert_eq(count("SELECT count(*) FROM envios"), 0);
	cr_assert_eq(count("SELECT count(*) FROM outbox"), 0);

	/* The admin may do everything. */
	r = acuse(admin, beto, mid, "correo postal", NULL);
	cr_assert_eq(r.status, 201, "%s", r.body);
	h_http_free(&r);
}

Test(materiales, pages_escape_what_people_typed)
{
	const char *titulo = "Informe \"final\" <v2> & anexos";
	json_t *j, *msg;
	const char *link;
	struct h_http r;

	fill_binario();
	j = call("POST", h_strf("/v1/mesas/%lld/actores", mesa), fac,
	    "{\"nombre\": \"Lía <script>alert(1)</script>\", \"email\": "
	    "\"lia@ejemplo.mx\", \"sector\": \"stl\"}", 201);
	json_decref(j);
	j = upload_ok(ana, "estudios", titulo, NULL, NULL,
	    "text/plain", "hola", 4);
	cr_assert_str_eq(str_of(j, "tipo_medio"), "text/plain; charset=utf-8");
	json_decref(j);
	j = call("POST", h_strf("/v1/mesas/%lld/materiales/enviar", mesa),
	    fac, NULL, 200);
	cr_assert_eq(json_array_size(json_object_get(j, "envios")), 3);
	json_decref(j);
	cr_assert_eq(h_smtp_wait(&smtp, 3, 15000), 3);
	msg = mail_to("lia@ejemplo.mx", 0);
	cr_assert_str_eq(str_of(json_array_get(json_object_get(msg,
	    "attachments"), 0), "filename"), h_strf("%s.txt", titulo));
	link = link_in(str_of(msg, "text"));
	json_decref(msg);

	r = h_http("GET", link, NULL, NULL, NULL, 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "<script") == NULL, "%s", r.body);
	cr_assert(strstr(r.body, "Lía &lt;script&gt;alert(1)&lt;/script&gt;")
	    != NULL, "%s", r.body);
	cr_assert(strstr(r.body, "Informe &quot;final&quot; &lt;v2&gt; &amp; "
	    "anexos") != NULL, "%s", r.body);
	cr_assert(strstr(r.body, "name=\"referrer\" content=\"no-referrer\"")
	    != NULL);
	h_http_free(&r);
	r = h_http("POST", link, NULL, NULL, NULL, 0);
	cr_assert_eq(r.status, 200, "%s", r.body);
	cr_assert(strstr(r.body, "<script") == NULL, "%s", r.body);
	h_http_free(&r);
}

/* After the preparation a receipt means nothing: the link refuses it. */
Test(materiales, link_after_preparation_records_nothing)
{
	const char *link;
	json_t *res, *msg;
	struct h_http r;
	long long antes;
	int n;

	json_decref(upload_ok(ana, "problematicas", "Diagnóstico ciudadano",
	    NULL, NULL, "text/plain; charset=utf-8", texto, strlen(texto)));
	res = call("POST", h_strf("/v1/mesas/%lld/materiales/enviar", mesa),
	    fac, NULL, 200);
	n = (int)json_array_size(json_object_get(res, "envios"));
	json_decref(res);
	cr_assert_gt(n, 0);
	cr_assert_eq(h_smtp_wait(&smtp, n, 15000), n);
	msg = mail_to("carla@ejemplo.mx", 0);
	link = link_in(str_of(msg, "text"));
	cr_assert_not_null(link);
	link = h_strf("%s", link);
	json_decref(msg);

	h_db_exec(&db, "UPDATE mesas SET fase = 'en_sesion',"
	    " fecha = current_date, hora = '10:00', lugar = 'Sala'"
	    " WHERE id = $1", h_strf("%lld", mesa));
	antes = count("SELECT count(*) FROM acuses");
	r = h_http("POST", link, NULL, "application/x-www-form-urlencoded",
	    "", 0);
	cr_assert_eq(r.status, 409, "%s", r.body);
	cr_assert(strstr(r.body, "ya no está en preparación") != NULL, "%s",
	    r.body);
	h_http_free(&r);
	cr_assert_eq(count("SELECT count(*) FROM acuses"), antes);
	cr_assert_eq(count("SELECT count(*) FROM eventos"
	    " WHERE tipo = 'acuse.confirmado'"), 0);
}
