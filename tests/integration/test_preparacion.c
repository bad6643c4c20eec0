/*
 * The preparation of a mesa from end to end, through the real `pal`, as a
 * facilitator, an actor and the garante would live it (issue 3): actors
 * and materials, the emails with the files and the personal links, the
 * receipts confirmed through those links (GET shows, POST records), the
 * 10-day gate in the mesa's time zone, the convocatoria with its
 * iCalendar invitation, a late actor suspending it, receipts recorded by
 * another channel and backdated, permissions, and bad input.
 *
 * The tests are written to docs/API.md and DESIGN.md, not to the code:
 * each assertion is something a person would notice (the email parsed
 * back from the SMTP server, the row stored, the error printed, the exit
 * code). They deliberately do not check wording the documents leave
 * open (the text of a page or of an email beyond the facts it must
 * carry). The session itself is in test_sesion.c.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "escenario.h"
#include "harness.h"

#define TZ_MX		"America/Mexico_City"

static struct h_db db;
static struct h_smtp smtp;
static struct h_pald pald;
static char admin[80];

static void
setup(void)
{
	esc_setup(&db, &smtp, &pald, NULL, admin, sizeof(admin));
}

TestSuite(preparacion, .init = setup, .fini = esc_teardown, .timeout = 90);

/*
 * Small tools (the common ones are escenario.h's).
 */

/* Asserts that every needle appears in text, in this order. */
static void
assert_in_order(const char *what, const char *text,
    const char *const *needles, size_t n)
{
	const char *at = text;

	for (size_t i = 0; i < n; i++) {
		const char *p = strstr(at, needles[i]);

		cr_assert_not_null(p, "%s: «%s» missing (or out of order) in:\n"
		    "%s", what, needles[i], text);
		at = p + strlen(needles[i]);
	}
}

/*
 * The domain, through pal.
 */

static long long
mesa_create(const char *tok, const char *titulo, const char *entidad,
    const char *tz)
{
	json_t *j;

	if (tz != NULL)
		j = esc_pal_json(tok, "mesa", "crear", "--titulo", titulo,
		    "--entidad", entidad, "--zona-horaria", tz);
	else
		j = esc_pal_json(tok, "mesa", "crear", "--titulo", titulo,
		    "--entidad", entidad);
	cr_assert_str_eq(esc_jstr(j, "titulo"), titulo);
	cr_assert_str_eq(esc_jstr(j, "fase"), "preparacion");
	cr_assert_str_eq(esc_jstr(j, "zona_horaria"), tz != NULL ? tz : TZ_MX);
	return esc_jint(j, "id");
}

static json_t *
mesa_ver(const char *tok, long long mesa)
{
	return esc_pal_json(tok, "mesa", "ver", esc_id_text(mesa));
}

/* The actors the tests use: one per sector, the first with accents. */
static const struct esc_actor ACTORES[] = {
	{ "José Ángel Núñez Peña", "jose.nunez@colectivo.mx",
	    "sociedad_civil", "Colectivo Ciudadano de Tlacolula",
	    "Coordinador" },
	{ "Lucía Hernández Ruiz", "lucia.hernandez@tlacolula.gob.mx",
	    "institucion_publica", "Municipio de Tlacolula",
	    "Directora de Transparencia" },
	{ "Ramón Ortiz Villalobos", "ramon.ortiz@garante-oax.org.mx",
	    "organismo_garante", "Órgano Garante de Acceso a la Información",
	    "Comisionado" },
	{ "Sofía Martínez Cruz", "sofia.martinez@stl-oaxaca.org.mx", "stl",
	    "Secretariado Técnico Local", "Enlace" },
};

static long long
actor_add(const char *tok, long long mesa, int i)
{
	json_t *j = esc_actor_agregar(tok, mesa, &ACTORES[i]);

	cr_assert_str_eq(esc_jstr(j, "nombre"), ACTORES[i].nombre);
	cr_assert_str_eq(esc_jstr(j, "sector"), ACTORES[i].sector);
	cr_assert_eq(esc_jint(j, "mesa_id"), mesa);
	return esc_jint(j, "id");
}

/* A text material; fecha may be NULL (today). The reply, kept. */
static json_t *
material_text(const char *tok, long long mesa, long long autor,
    const char *tipo, const char *titulo, const char *fecha,
    const char *texto)
{
	json_t *j;

	if (fecha != NULL)
		j = esc_pal_json(tok, "material", "agregar", esc_id_text(mesa),
		    "--actor", esc_id_text(autor), "--tipo", tipo, "--titulo",
		    titulo, "--fecha", fecha, "--texto", texto);
	else
		j = esc_pal_json(tok, "material", "agregar", esc_id_text(mesa),
		    "--actor", esc_id_text(autor), "--tipo", tipo, "--titulo",
		    titulo, "--texto", texto);
	cr_assert_str_eq(esc_jstr(j, "titulo"), titulo);
	cr_assert_str_eq(esc_jstr(j, "sha256"), esc_sha256_hex(texto,
	    strlen(texto)));
	cr_assert_eq(esc_jint(j, "tamano"), (long long)strlen(texto));
	return j;
}

/* A file material at path; fecha may be NULL. The reply, kept. */
static json_t *
material_file(const char *tok, long long mesa, long long autor,
    const char *tipo, const char *titulo, const char *fecha, const char *path)
{
	if (fecha != NULL)
		return esc_pal_json(tok, "material", "agregar",
		    esc_id_text(mesa), "--actor", esc_id_text(autor), "--tipo",
		    tipo, "--titulo", titulo, "--fecha", fecha, path);
	return esc_pal_json(tok, "material", "agregar", esc_id_text(mesa),
	    "--actor", esc_id_text(autor), "--tipo", tipo, "--titulo", titulo,
	    path);
}

/* `pal acuse registrar`; fecha may be NULL. The reply, kept. */
static json_t *
acuse_add(const char *tok, long long mesa, long long actor,
    long long material, const char *medio, const char *fecha)
{
	json_t *j;

	if (fecha != NULL)
		j = esc_pal_json(tok, "acuse", "registrar", esc_id_text(mesa),
		    "--actor", esc_id_text(actor), "--material",
		    esc_id_text(material), "--medio", medio, "--fecha", fecha);
	else
		j = esc_pal_json(tok, "acuse", "registrar", esc_id_text(mesa),
		    "--actor", esc_id_text(actor), "--material",
		    esc_id_text(material), "--medio", medio);
	cr_assert_eq(esc_jint(j, "actor_id"), actor);
	cr_assert_eq(esc_jint(j, "material_id"), material);
	cr_assert_str_eq(esc_jstr(j, "medio"), medio);
	return j;
}

/* A PDF-looking binary file of n bytes at h_path(name). */
static const char *
write_pdf(const char *name, size_t n, const char **sha)
{
	char *data = malloc(n);
	const char *head = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
	const char *path = h_path(name);

	cr_assert_not_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 31 + 7 + (i >> 8));
	memcpy(data, head, strlen(head) < n ? strlen(head) : n);
	h_write_file(path, data, n);
	*sha = esc_sha256_hex(data, n);
	free(data);
	return path;
}

/*
 * Mail.
 */

/* esc_check_mail_basics, and the To: header names rcpt. */
static void
check_mail_basics(json_t *msg, const char *rcpt)
{
	esc_check_mail_basics(msg, rcpt);
	cr_assert(esc_find_ci(esc_jstr(msg, "to"), rcpt) != NULL, "To: %s",
	    esc_jstr(msg, "to"));
}

static void
check_invalid_link(const char *method, const char *token)
{
	const char *body, *ctype;
	long st = esc_link_http(method, token, "", &body, NULL, &ctype);

	cr_assert_eq(st, 404, "%s /e/%s: %ld", method, token, st);
	esc_check_html(ctype, body);
	cr_assert(strstr(body, "Enlace no válido") != NULL, "%s /e/%s: %s",
	    method, token, body);
}

/*
 * The iCalendar invitation, read as a calendar program would: unfolded,
 * with the event at the mesa's local time in its own zone.
 */

/* RFC 5545 TEXT unescaped. Test-lived. */
static const char *
ics_unescape(const char *v)
{
	char *out = malloc(strlen(v) + 1), *o = out;
	const char *r;

	cr_assert_not_null(out);
	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] != '\0') {
			v++;
			*o++ = (*v == 'n' || *v == 'N') ? '\n' : *v;
		} else
			*o++ = *v;
	}
	*o = '\0';
	r = h_strf("%s", out);
	free(out);
	return r;
}

/* What identifies an invitation to a calendar program. */
struct ics_id {
	const char	*uid;		/* test-lived */
	long		 sequence;	/* -1 if absent (means 0) */
};

static struct ics_id
check_ics(const char *ics, size_t len, const char *tz, const char *fecha,
    const char *hora, const char *lugar, const char *titulo,
    const char *const *emails, size_t n_emails)
{
	struct ics_id id = { NULL, -1 };
	char *unf, *line, *save = NULL;
	size_t n_attendees = 0;
	bool seen[16] = { false };
	bool method = false, vtz = false, tzid = false, dtstart = false,
	    vevent = false, uid = false, location = false, summary = false;
	const char *want_dtstart;
	int y, mo, d, hh, mm;

	cr_assert_lt(n_emails, 16);
	cr_assert_eq(sscanf(fecha, "%d-%d-%d", &y, &mo, &d), 3);
	cr_assert_eq(sscanf(hora, "%d:%d", &hh, &mm), 2);
	want_dtstart = h_strf("DTSTART;TZID=%s:%04d%02d%02dT%02d%02d00", tz,
	    y, mo, d, hh, mm);

	/* Every line ends in CRLF and has at most 75 octets. */
	unf = esc_ics_unfold(ics, len, "the invitation", true);
	for (line = strtok_r(unf, "\r\n", &save); line != NULL;
	    line = strtok_r(NULL, "\r\n", &save)) {
		size_t name_len = strcspn(line, ";:");

		if (strcmp(line, "METHOD:REQUEST") == 0)
			method = true;
		else if (strcmp(line, "BEGIN:VTIMEZONE") == 0)
			vtz = true;
		else if (strcmp(line, h_strf("TZID:%s", tz)) == 0)
			tzid = true;
		else if (strcmp(line, "BEGIN:VEVENT") == 0)
			vevent = true;
		else if (strncmp(line, "UID:", 4) == 0 && line[4] != '\0') {
			uid = true;
			id.uid = h_strf("%s", line + 4);
		} else if (strncmp(line, "SEQUENCE:", 9) == 0)
			id.sequence = strtol(line + 9, NULL, 10);
		else if (strncmp(line, "DTSTART", 7) == 0 &&
		    (line[7] == ';' || line[7] == ':') && vevent) {
			cr_assert_str_eq(line, want_dtstart);
			dtstart = true;
		} else if (strncmp(line, "LOCATION", 8) == 0 &&
		    (line[8] == ':' || line[8] == ';')) {
			cr_assert_str_eq(ics_unescape(strchr(line, ':') + 1),
			    lugar);
			location = true;
		} else if (strncmp(line, "SUMMARY", 7) == 0 &&
		    (line[7] == ':' || line[7] == ';')) {
			cr_assert(strstr(ics_unescape(strchr(line, ':') + 1),
			    titulo) != NULL, "SUMMARY without the title: %s",
			    line);
			summary = true;
		} else if (name_len == 8 &&
		    strncasecmp(line, "ATTENDEE", 8) == 0) {
			bool matched = false;

			n_attendees++;
			for (size_t k = 0; k < n_emails; k++) {
				if (esc_find_ci(line, h_strf("mailto:%s",
				    emails[k])) != NULL) {
					cr_assert(!seen[k], "%s invited twice",
					    emails[k]);
					seen[k] = matched = true;
				}
			}
			cr_assert(matched, "an attendee who is not an actor: "
			    "%s", line);
		}
	}
	cr_assert(method, "no METHOD:REQUEST in the invitation");
	cr_assert(vtz, "no VTIMEZONE in the invitation");
	cr_assert(tzid, "no TZID:%s in the invitation", tz);
	cr_assert(vevent, "no VEVENT in the invitation");
	cr_assert(uid, "no UID in the invitation");
	cr_assert(dtstart, "no DTSTART in the invitation");
	cr_assert(location, "no LOCATION in the invitation");
	cr_assert(summary, "no SUMMARY in the invitation");
	cr_assert_eq(n_attendees, n_emails, "%zu ATTENDEE lines for %zu "
	    "actors", n_attendees, n_emails);
	free(unf);
	return id;
}

/*
 * The convocatoria to rcpt (message at or after `from`): date, time and
 * place in the text, the invitation attached and correct.
 */
static struct ics_id
check_convocatoria(const char *rcpt, int from, const char *titulo,
    const char *tz, const char *fecha, const char *hora, const char *lugar,
    const char *const *emails, size_t n_emails)
{
	json_t *msg = esc_mail_to(rcpt, from, NULL), *ics;
	const char *text;
	char *data;
	size_t len;
	struct ics_id id;

	check_mail_basics(msg, rcpt);
	cr_assert(strstr(esc_jstr(msg, "subject"), h_strf("«%s»", titulo)) !=
	    NULL, "convocatoria subject: %s", esc_jstr(msg, "subject"));
	text = esc_jstr(msg, "text");
	cr_assert(strstr(text, fecha) != NULL ||
	    strstr(text, esc_date_long(fecha)) != NULL,
	    "the convocatoria to %s does not give the date %s:\n%s", rcpt,
	    fecha, text);
	cr_assert(strstr(text, hora) != NULL, "no time %s in:\n%s", hora,
	    text);
	cr_assert(strstr(text, lugar) != NULL, "no place in:\n%s", text);
	ics = esc_attachment_of_type(msg, "text/calendar");
	cr_assert_not_null(ics, "the convocatoria to %s has no text/calendar "
	    "attachment", rcpt);
	data = esc_b64_decode(esc_jstr(ics, "data_base64"), &len);
	id = check_ics(data, len, tz, fecha, hora, lugar, titulo, emails,
	    n_emails);
	free(data);
	return id;
}

/*
 * The timeline.
 */

/* Ids increase, instants do not go back, every event has a sentence. */
static void
check_eventos_shape(json_t *eventos)
{
	size_t i;
	json_t *e;
	long long prev_id = 0;
	const char *prev = "";

	json_array_foreach(eventos, i, e) {
		cr_assert_gt(esc_jint(e, "id"), prev_id);
		prev_id = esc_jint(e, "id");
		cr_assert_not_null(esc_jstr(e, "instante"));
		cr_assert_geq(strcmp(esc_jstr(e, "instante"), prev), 0,
		    "the timeline goes back in time at event %zu", i);
		prev = esc_jstr(e, "instante");
		cr_assert(esc_jstr(e, "descripcion") != NULL &&
		    strlen(esc_jstr(e, "descripcion")) > 0);
	}
}

/* Every event of tipos[i] comes before any of tipos[i + 1]. */
static void
check_event_order(json_t *eventos, const char *const *tipos, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cr_assert_geq(esc_event_index(eventos, tipos[i], false), 0,
		    "no %s event on the timeline", tipos[i]);
	for (size_t i = 0; i + 1 < n; i++)
		cr_assert_lt(esc_event_index(eventos, tipos[i], true),
		    esc_event_index(eventos, tipos[i + 1], false),
		    "a %s event after a %s event", tipos[i], tipos[i + 1]);
}

/*
 * The gate's refusal as the client prints it.
 */
static void
check_pendientes_printed(const char *err, const char *actor,
    const char *material)
{
	const char *line = h_strf("- %s no ha recibido «%s»", actor, material);

	cr_assert(strstr(err, line) != NULL, "missing line «%s» in:\n%s",
	    line, err);
}

/* ------------------------------------------------------------------ */

/*
 * 1. A whole preparation: a facilitator runs it with pal alone, the
 * actors confirm through their links, the gate counts 10 local days,
 * and the convocatoria arrives with a correct invitation.
 */
Test(preparacion, whole_preparation)
{
	const char *titulo = "Mesa de Tlacolula: participación ciudadana y "
	    "obra pública";
	const char *hoy = esc_today_in(TZ_MX);
	const char *m0_titulo = "Problemáticas y soluciones de la colonia "
	    "Centro";
	const char *m1_titulo = "Resultados de la consulta pública en "
	    "ventanillas";
	const char *m1_texto = "Consulta pública en ventanillas (marzo):\n"
	    "1. Falta información sobre contratos de obra.\n"
	    "2. Las solicitudes de información tardan más de 20 días.\n";
	const char *lugar = "Salón de Cabildo, Palacio Municipal de "
	    "Tlacolula";
	const char *emails[4];
	struct esc_usuario fac;
	long long mesa, a[4], m[2];
	const char *pdf_path, *pdf_sha, *sha[2], *token[3], *first;
	json_t *j, *p, *e, *eventos;
	struct esc_out o;
	size_t i;
	int before;

	fac = esc_usuario_crear("Laura Gómez Facilitadora",
	    "laura.gomez@stl.org.mx", "facilitador", "Oaxaca");
	mesa = mesa_create(fac.token, titulo, "Oaxaca", NULL);
	j = mesa_ver(fac.token, mesa);
	cr_assert_str_eq(esc_jstr(j, "hoy"), hoy);
	cr_assert_eq(esc_jint(json_object_get(j, "facilitador"), "id"), fac.id);
	cr_assert_null(esc_jstr(j, "fecha"));

	for (i = 0; i < 4; i++) {
		a[i] = actor_add(fac.token, mesa, (int)i);
		emails[i] = ACTORES[i].email;
	}
	o = esc_pal_ok(fac.token, "actor", "listar", esc_id_text(mesa));
	for (i = 0; i < 4; i++)
		cr_assert(strstr(o.out, ACTORES[i].nombre) != NULL,
		    "pal actor listar: %s", o.out);

	/* Civil society brings a file, the institution a text. */
	pdf_path = write_pdf("diagnóstico ciudadano.pdf", 6000, &pdf_sha);
	j = material_file(fac.token, mesa, a[0], "problematicas", m0_titulo,
	    NULL, pdf_path);
	m[0] = esc_jint(j, "id");
	sha[0] = pdf_sha;
	cr_assert_str_eq(esc_jstr(j, "sha256"), pdf_sha);
	cr_assert_eq(esc_jint(j, "tamano"), 6000);
	cr_assert_str_eq(esc_jstr(j, "archivo"), "diagnóstico ciudadano.pdf");
	cr_assert_str_eq(esc_jstr(j, "tipo_medio"), "application/pdf");
	cr_assert_str_eq(esc_jstr(j, "fecha_entrega"), hoy);
	cr_assert_eq(esc_jint(json_object_get(j, "autor"), "id"), a[0]);
	j = material_text(fac.token, mesa, a[1], "consulta_publica",
	    m1_titulo, NULL, m1_texto);
	m[1] = esc_jint(j, "id");
	sha[1] = esc_jstr(j, "sha256");
	cr_assert(strncmp(esc_jstr(j, "tipo_medio"), "text/plain", 10) == 0,
	    "tipo_medio %s", esc_jstr(j, "tipo_medio"));
	cr_assert_null(esc_jstr(j, "archivo"));
	cr_assert_str_eq(esc_jstr(j, "fecha_entrega"), hoy);

	/* The file comes back byte for byte. */
	esc_pal_ok(fac.token, "material", "descargar", esc_id_text(mesa),
	    esc_id_text(m[0]), "-o", h_path("descargado.pdf"));
	{
		size_t len;
		char *back = h_read_file(h_path("descargado.pdf"), &len);

		cr_assert_not_null(back, "pal material descargar -o wrote "
		    "nothing");
		cr_assert_str_eq(esc_sha256_hex(back, len), pdf_sha);
		free(back);
	}

	/* The STL actor got both at a meeting: a receipt by hand, today. */
	for (i = 0; i < 2; i++) {
		j = acuse_add(fac.token, mesa, a[3], m[i],
		    "entrega en la sesión del STL", NULL);
		cr_assert_str_eq(esc_jstr(j, "fecha"), hoy);
		cr_assert(json_is_false(json_object_get(j, "retroactivo")));
	}

	/* What blocks the mesa: four pairs, each printed for people. */
	j = mesa_ver(fac.token, mesa);
	p = esc_jarr(json_object_get(j, "bloqueos"), "pendientes");
	cr_assert_eq(json_array_size(p), 4, "pendientes: %zu",
	    json_array_size(p));
	{
		long long want[4][2] = { { a[1], m[0] }, { a[2], m[0] },
		    { a[0], m[1] }, { a[2], m[1] } };
		bool found[4] = { false };

		json_array_foreach(p, i, e) {
			for (int k = 0; k < 4; k++)
				if (esc_jint(e, "actor_id") == want[k][0] &&
				    esc_jint(e, "material_id") == want[k][1])
					found[k] = true;
		}
		for (int k = 0; k < 4; k++)
			cr_assert(found[k], "pair %d missing from pendientes",
			    k);
	}
	cr_assert(json_is_null(json_object_get(json_object_get(j, "bloqueos"),
	    "fecha_minima")));
	cr_assert(esc_jstr(j, "siguiente_paso") != NULL &&
	    strlen(esc_jstr(j, "siguiente_paso")) > 0);
	o = esc_pal_ok(fac.token, "mesa", "ver", esc_id_text(mesa));
	cr_assert(strstr(o.out, titulo) != NULL, "pal mesa ver: %s", o.out);
	for (i = 0; i < 3; i++)
		cr_assert(strstr(o.out, ACTORES[i].nombre) != NULL,
		    "pal mesa ver does not show who lacks something: %s",
		    o.out);
	cr_assert(strstr(o.out, m0_titulo) != NULL, "%s", o.out);
	cr_assert(strstr(o.out, m1_titulo) != NULL, "%s", o.out);

	/* Send: one email per actor who lacks something (not the STL). */
	j = esc_pal_json(fac.token, "material", "enviar", esc_id_text(mesa));
	cr_assert_eq(json_array_size(esc_jarr(j, "envios")), 3);
	json_array_foreach(esc_jarr(j, "envios"), i, e) {
		long long who = esc_jint(e, "actor_id");
		size_t nm = json_array_size(esc_jarr(e, "materiales"));

		cr_assert(who == a[0] || who == a[1] || who == a[2],
		    "a send to actor %lld", who);
		cr_assert_eq(nm, who == a[2] ? 2u : 1u, "actor %lld: %zu "
		    "materials", who, nm);
	}
	cr_assert_eq(h_smtp_wait(&smtp, 3, ESC_MAIL_WAIT_MS), 3);
	h_sleep_ms(400);
	cr_assert_eq(h_smtp_count(&smtp), 3, "%d emails for 3 actors",
	    h_smtp_count(&smtp));
	cr_assert_eq(h_smtp_find(&smtp, ACTORES[3].email, 0), -1,
	    "the STL actor, who has everything, got an email");

	for (i = 0; i < 3; i++) {
		json_t *msg = esc_mail_to(ACTORES[i].email, 0, NULL), *att;
		/* What each one lacks. */
		bool lacks[2] = { i != 0, i != 1 };
		size_t n_lacks = (size_t)lacks[0] + (size_t)lacks[1];

		check_mail_basics(msg, ACTORES[i].email);
		cr_assert(strstr(esc_jstr(msg, "subject"), h_strf("«%s»",
		    titulo)) != NULL, "subject: %s", esc_jstr(msg, "subject"));
		cr_assert_eq(json_array_size(esc_jarr(msg, "attachments")),
		    n_lacks, "%s got %zu attachments for %zu materials",
		    ACTORES[i].email,
		    json_array_size(esc_jarr(msg, "attachments")), n_lacks);
		for (int k = 0; k < 2; k++) {
			if (!lacks[k])
				continue;
			att = esc_attachment_with(msg, sha[k]);
			cr_assert_not_null(att, "%s did not get material %d "
			    "intact", ACTORES[i].email, k);
			if (k == 0) {
				cr_assert_str_eq(esc_jstr(att, "filename"),
				    "diagnóstico ciudadano.pdf");
				cr_assert_str_eq(esc_jstr(att, "content_type"),
				    "application/pdf");
			}
		}
		token[i] = esc_link_token(esc_jstr(msg, "text"));
		for (size_t k = 0; k < i; k++)
			cr_assert_str_neq(token[i], token[k]);
		/* Stored hashed, never in clear. */
		cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces "
		    "WHERE hash = $1 AND actor_id = $2",
		    esc_sha256_hex(token[i], 64), esc_id_text(a[i])), 1,
		    "the link of %s is not stored as the SHA-256 of its token",
		    ACTORES[i].nombre);
		cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"
		    " WHERE hash = $1", token[i]), 0);
	}

	/* Accepted by SMTP is "sent", not "received". */
	cr_assert_eq(h_db_wait_int(&db, 5000, 3, "SELECT count(*) FROM outbox"
	    " WHERE estado = 'enviado'"), 3);
	cr_assert_eq(esc_count_in("acuses", mesa), 4);
	j = mesa_ver(fac.token, mesa);
	cr_assert_eq(json_array_size(esc_jarr(json_object_get(j, "bloqueos"),
	    "pendientes")), 4);

	/* Each actor opens the link (twice: a mail scanner, then them). */
	for (i = 0; i < 3; i++) {
		const char *body, *ctype, *sid = esc_id_text(a[i]);
		long long had = esc_count_in("acuses", mesa);
		long long lacked = i == 2 ? 2 : 1;

		for (int k = 0; k < 2; k++) {
			cr_assert_eq(esc_link_http("GET", token[i], "", &body,
			    NULL, &ctype), 200, "GET link of %s: %s",
			    ACTORES[i].nombre, body);
			esc_check_html(ctype, body);
			cr_assert(strstr(body, ACTORES[i].nombre) != NULL,
			    "the page does not name %s:\n%s",
			    ACTORES[i].nombre, body);
			if (i != 0)
				cr_assert(strstr(body, m0_titulo) != NULL,
				    "the page does not list «%s»:\n%s",
				    m0_titulo, body);
			if (i != 1)
				cr_assert(strstr(body, m1_titulo) != NULL,
				    "the page does not list «%s»:\n%s",
				    m1_titulo, body);
			cr_assert_eq(esc_count_in("acuses", mesa), had,
			    "a GET recorded a receipt");
		}
		cr_assert_eq(esc_link_http("POST", token[i], "", &body, NULL,
		    &ctype), 200, "POST link of %s: %s", ACTORES[i].nombre,
		    body);
		esc_check_html(ctype, body);
		first = body;
		cr_assert_eq(esc_count_in("acuses", mesa), had + lacked);
		cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM acuses"
		    " WHERE mesa_id = $1 AND actor_id = $2 AND fecha = $3"
		    " AND medio = 'enlace' AND registrado_por IS NULL",
		    esc_id_text(mesa), sid, hoy), lacked,
		    "receipts of %s are not dated today (%s) through the "
		    "link", ACTORES[i].nombre, hoy);

		/* A second click: already confirmed, nothing added. */
		cr_assert_eq(esc_link_http("POST", token[i], "", &body, NULL,
		    &ctype), 200);
		esc_check_html(ctype, body);
		cr_assert(esc_find_ci(body, "ya ") != NULL &&
		    esc_find_ci(body, "confirm") != NULL,
		    "the second POST does not say it was already confirmed:"
		    "\n%s", body);
		cr_assert_str_neq(body, first, "the second POST shows the "
		    "same page as the first");
		cr_assert_eq(esc_count_in("acuses", mesa), had + lacked);
	}

	/* Nobody lacks anything: a new send sends nothing. */
	before = h_smtp_count(&smtp);
	j = esc_pal_json(fac.token, "material", "enviar", esc_id_text(mesa));
	cr_assert_eq(json_array_size(esc_jarr(j, "envios")), 0);

	/* Everybody has everything: the earliest date is today + 10. */
	j = mesa_ver(fac.token, mesa);
	cr_assert_eq(json_array_size(esc_jarr(json_object_get(j, "bloqueos"),
	    "pendientes")), 0);
	cr_assert_str_eq(esc_jstr(json_object_get(j, "bloqueos"),
	    "ultima_recepcion"), hoy);
	cr_assert_str_eq(esc_jstr(json_object_get(j, "bloqueos"),
	    "fecha_minima"), esc_date_add(hoy, 10));
	j = esc_pal_json(fac.token, "actor", "listar", esc_id_text(mesa));
	json_array_foreach(esc_jarr(j, "actores"), i, e) {
		cr_assert_eq(esc_jint(e, "materiales_recibidos"), 2);
		cr_assert_eq(esc_jint(e, "materiales_total"), 2);
	}
	j = esc_pal_json(fac.token, "material", "listar", esc_id_text(mesa));
	cr_assert_eq(json_array_size(esc_jarr(j, "materiales")), 2);
	json_array_foreach(esc_jarr(j, "materiales"), i, e) {
		cr_assert_eq(json_array_size(esc_jarr(e, "acuses")), 4);
		cr_assert_eq(json_array_size(esc_jarr(e, "pendientes")), 0);
	}
	o = esc_pal_ok(fac.token, "material", "listar", esc_id_text(mesa));
	cr_assert(strstr(o.out, m0_titulo) != NULL, "%s", o.out);
	cr_assert(strstr(o.out, m1_titulo) != NULL, "%s", o.out);
	cr_assert(strstr(o.out, hoy) != NULL,
	    "pal material listar does not say when: %s", o.out);

	/* Nine days is not enough; the client says which date would do. */
	o = esc_pal_expect(fac.token, 2, "plazo_insuficiente", "mesa",
	    "programar", esc_id_text(mesa), "--fecha", esc_date_add(hoy, 9),
	    "--hora", "10:30", "--lugar", lugar);
	cr_assert(strstr(o.err, h_strf("Fecha más próxima permitida: %s",
	    esc_date_add(hoy, 10))) != NULL, "%s", o.err);
	cr_assert_str_eq(esc_mesa_fase(admin, mesa), "preparacion");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM outbox"), 3);

	/* Ten days is. */
	cr_assert_eq(h_smtp_count(&smtp), before, "an empty send mailed");
	j = esc_pal_json(fac.token, "mesa", "programar", esc_id_text(mesa),
	    "--fecha", esc_date_add(hoy, 10), "--hora", "10:30", "--lugar",
	    lugar);
	cr_assert_str_eq(esc_jstr(j, "fase"), "convocada");
	j = mesa_ver(fac.token, mesa);
	cr_assert_str_eq(esc_jstr(j, "fase"), "convocada");
	cr_assert_str_eq(esc_jstr(j, "fecha"), esc_date_add(hoy, 10));
	cr_assert_str_eq(esc_jstr(j, "hora"), "10:30");
	cr_assert_str_eq(esc_jstr(j, "lugar"), lugar);
	o = esc_pal_ok(fac.token, "mesa", "ver", esc_id_text(mesa));
	cr_assert(strstr(o.out, esc_date_add(hoy, 10)) != NULL ||
	    strstr(o.out, esc_date_long(esc_date_add(hoy, 10))) != NULL,
	    "pal mesa ver does not show the date:\n%s", o.out);
	cr_assert(strstr(o.out, "10:30") != NULL, "%s", o.out);
	cr_assert(strstr(o.out, lugar) != NULL, "%s", o.out);

	/* The convocatoria reaches every actor, with the invitation. */
	cr_assert_eq(h_smtp_wait(&smtp, before + 4, ESC_MAIL_WAIT_MS),
	    before + 4);
	for (i = 0; i < 4; i++)
		check_convocatoria(ACTORES[i].email, before, titulo, TZ_MX,
		    esc_date_add(hoy, 10), "10:30", lugar, emails, 4);

	/* The timeline tells the story in order. */
	eventos = esc_mesa_eventos(fac.token, mesa);
	check_eventos_shape(eventos);
	check_event_order(eventos, esc_argv("mesa.creada", "actor.agregado",
	    "material.agregado", "material.enviado", "acuse.confirmado",
	    "mesa.programada"), 6);
	cr_assert_eq(esc_event_count(eventos, "actor.agregado"), 4);
	cr_assert_eq(esc_event_count(eventos, "material.agregado"), 2);
	cr_assert_eq(esc_event_count(eventos, "mesa.programada"), 1);
	cr_assert_geq(esc_event_count(eventos, "acuse.confirmado"), 3);
	json_array_foreach(eventos, i, e) {
		json_t *who = json_object_get(e, "actor");

		if (strcmp(esc_jstr(e, "tipo"), "acuse.confirmado") != 0)
			continue;
		cr_assert(json_is_object(who), "acuse.confirmado without "
		    "its actor");
		cr_assert(esc_jint(who, "id") == a[0] ||
		    esc_jint(who, "id") == a[1] || esc_jint(who, "id") == a[2]);
		cr_assert(json_is_null(json_object_get(e, "usuario")),
		    "a receipt confirmed by the actor is attributed to a "
		    "user");
	}
	o = esc_pal_ok(fac.token, "mesa", "linea-tiempo", esc_id_text(mesa));
	{
		const char *needles[64];
		size_t n = 0;

		json_array_foreach(eventos, i, e) {
			if (n < 64)
				needles[n++] = esc_utf8_prefix(esc_jstr(e,
				    "descripcion"), 40);
		}
		assert_in_order("pal mesa linea-tiempo", o.out, needles, n);
	}
}

/*
 * 2. The gate refuses, says why, and changes nothing.
 */
Test(preparacion, gate_before_every_receipt)
{
	const char *hoy = esc_today_in(TZ_MX);
	const char *titulo = "Mesa de Etla: agua potable";
	const char *t0 = "Criterios mínimos del colectivo";
	const char *t1 = "Estadísticas de solicitudes de información";
	const char *pdf_sha, *path;
	struct esc_usuario fac;
	long long mesa, a[3], m[2];
	json_t *j, *d;
	struct esc_out o;
	const char *sm;

	fac = esc_usuario_crear("Pedro Álvarez", "pedro.alvarez@stl.org.mx",
	    "facilitador", "Oaxaca");
	mesa = mesa_create(fac.token, titulo, "Oaxaca", NULL);
	sm = esc_id_text(mesa);

	esc_pal_expect(fac.token, 2, "sin_actores", "mesa", "programar", sm,
	    "--fecha", esc_date_add(hoy, 20), "--hora", "10:00", "--lugar",
	    "Casa de la Cultura");
	for (int i = 0; i < 3; i++)
		a[i] = actor_add(fac.token, mesa, i);
	esc_pal_expect(fac.token, 2, "sin_materiales", "mesa", "programar", sm,
	    "--fecha", esc_date_add(hoy, 20), "--hora", "10:00", "--lugar",
	    "Casa de la Cultura");
	esc_api_refused("POST", h_strf("/v1/mesas/%s/programar", sm), fac.token,
	    h_strf("{\"fecha\": \"%s\", \"hora\": \"10:00\", \"lugar\": "
	    "\"Casa de la Cultura\"}", esc_date_add(hoy, 20)), 409,
	    "sin_materiales");

	m[0] = esc_jint(material_text(fac.token, mesa, a[0],
	    "criterios_minimos", t0, NULL,
	    "Criterios: medibles, específicos y replicables."), "id");
	path = write_pdf("estadisticas.pdf", 3000, &pdf_sha);
	m[1] = esc_jint(material_file(fac.token, mesa, a[1], "estadisticas", t1,
	    NULL, path), "id");

	/* Each missing pair, readable; the authors have their own. */
	o = esc_pal_expect(fac.token, 2, "materiales_pendientes", "mesa",
	    "programar", sm, "--fecha", esc_date_add(hoy, 20), "--hora",
	    "10:00", "--lugar", "Casa de la Cultura");
	check_pendientes_printed(o.err, ACTORES[1].nombre, t0);
	check_pendientes_printed(o.err, ACTORES[2].nombre, t0);
	check_pendientes_printed(o.err, ACTORES[0].nombre, t1);
	check_pendientes_printed(o.err, ACTORES[2].nombre, t1);
	cr_assert_null(strstr(o.err, h_strf("- %s no ha recibido «%s»",
	    ACTORES[0].nombre, t0)), "the author lacks its own material:\n%s",
	    o.err);
	cr_assert_null(strstr(o.err, h_strf("- %s no ha recibido «%s»",
	    ACTORES[1].nombre, t1)), "the author lacks its own material:\n%s",
	    o.err);
	j = esc_api("POST", h_strf("/v1/mesas/%s/programar", sm), fac.token,
	    h_strf("{\"fecha\": \"%s\", \"hora\": \"10:00\", \"lugar\": "
	    "\"Casa de la Cultura\"}", esc_date_add(hoy, 20)), 409);
	j = json_object_get(j, "error");
	cr_assert_str_eq(esc_jstr(j, "code"), "materiales_pendientes");
	d = json_object_get(j, "detalles");
	cr_assert_eq(json_array_size(esc_jarr(d, "pendientes")), 4);
	cr_assert(json_is_null(json_object_get(d, "fecha_minima")));

	/* Everything received today by hand. */
	acuse_add(fac.token, mesa, a[1], m[0], "correo electrónico", NULL);
	acuse_add(fac.token, mesa, a[2], m[0], "correo electrónico", NULL);
	acuse_add(fac.token, mesa, a[0], m[1], "correo electrónico", NULL);
	acuse_add(fac.token, mesa, a[2], m[1], "correo electrónico", NULL);

	/* A date in the past, a date that does not exist, a bad time. */
	esc_pal_expect(fac.token, 2, "fecha_pasada", "mesa", "programar", sm,
	    "--fecha", esc_date_add(hoy, -1), "--hora", "10:00", "--lugar",
	    "Casa de la Cultura");
	esc_api_refused("POST", h_strf("/v1/mesas/%s/programar", sm), fac.token,
	    h_strf("{\"fecha\": \"%s\", \"hora\": \"10:00\", \"lugar\": "
	    "\"Casa de la Cultura\"}", esc_date_add(hoy, -1)), 422,
	    "fecha_pasada");
	esc_pal_fails(fac.token, "fecha_invalida", "mesa", "programar", sm,
	    "--fecha", "2031-02-30", "--hora", "10:00", "--lugar", "Casa");
	esc_api_refused("POST", h_strf("/v1/mesas/%s/programar", sm), fac.token,
	    "{\"fecha\": \"2031-02-30\", \"hora\": \"10:00\", \"lugar\": "
	    "\"Casa\"}", 422, "fecha_invalida");
	esc_pal_fails(fac.token, "hora_invalida", "mesa", "programar", sm,
	    "--fecha", esc_date_add(hoy, 20), "--hora", "24:00", "--lugar",
	    "Casa");
	esc_api_refused("POST", h_strf("/v1/mesas/%s/programar", sm), fac.token,
	    h_strf("{\"fecha\": \"%s\", \"hora\": \"9.30\", \"lugar\": "
	    "\"Casa\"}", esc_date_add(hoy, 20)), 422, "hora_invalida");
	esc_api_refused("POST", h_strf("/v1/mesas/%s/programar", sm), fac.token,
	    h_strf("{\"fecha\": \"%s\", \"hora\": \"10:00\", \"lugar\": "
	    "\"Casa\\r\\nBcc: x@y.mx\"}", esc_date_add(hoy, 20)), 422,
	    "texto_invalido");

	/* Received today: nine days is too soon, and says so. */
	o = esc_pal_expect(fac.token, 2, "plazo_insuficiente", "mesa",
	    "programar", sm, "--fecha", esc_date_add(hoy, 9), "--hora", "10:00",
	    "--lugar", "Casa de la Cultura");
	cr_assert(strstr(o.err, h_strf("Fecha más próxima permitida: %s",
	    esc_date_add(hoy, 10))) != NULL, "%s", o.err);
	j = esc_api("POST", h_strf("/v1/mesas/%s/programar", sm), fac.token,
	    h_strf("{\"fecha\": \"%s\", \"hora\": \"10:00\", \"lugar\": "
	    "\"Casa de la Cultura\"}", esc_date_add(hoy, 9)), 409);
	j = json_object_get(j, "error");
	cr_assert_str_eq(esc_jstr(j, "code"), "plazo_insuficiente");
	d = json_object_get(j, "detalles");
	cr_assert_str_eq(esc_jstr(d, "ultima_recepcion"), hoy);
	cr_assert_str_eq(esc_jstr(d, "fecha_minima"), esc_date_add(hoy, 10));

	/* Nothing changed: no convocatoria, no date, no event, no mail. */
	j = mesa_ver(fac.token, mesa);
	cr_assert_str_eq(esc_jstr(j, "fase"), "preparacion");
	cr_assert_null(esc_jstr(j, "fecha"));
	cr_assert_null(esc_jstr(j, "lugar"));
	cr_assert_eq(esc_event_count(esc_mesa_eventos(fac.token, mesa),
	    "mesa.programada"), 0);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM outbox"), 0);
	h_sleep_ms(500);
	cr_assert_eq(h_smtp_count(&smtp), 0);
}

/*
 * 3. Receipts by another channel, backdated, visible to the garante; and
 * every bad receipt refused with nothing stored.
 */
Test(preparacion, manual_receipts_and_backdating)
{
	const char *hoy = esc_today_in(TZ_MX);
	const char *d20 = esc_date_add(hoy, -20), *d15 = esc_date_add(hoy, -15);
	const char *titulo = "Mesa de Zaachila: seguridad vial";
	const char *medio = "entrega en mano";
	struct esc_usuario fac, gar;
	long long mesa, a[3], m[2];
	const char *sm, *sa2, *sm1;
	json_t *j, *e, *eventos;
	struct esc_out o;
	size_t i;
	long long n;
	int retro_acuses = 0, retro_materiales = 0;

	fac = esc_usuario_crear("Carmen Ibáñez", "carmen.ibanez@stl.org.mx",
	    "facilitador", "Oaxaca");
	gar = esc_usuario_crear("Auditoría del Garante",
	    "auditoria@garante.org.mx", "garante", "Oaxaca");
	mesa = mesa_create(fac.token, titulo, "Oaxaca", NULL);
	sm = esc_id_text(mesa);
	for (int k = 0; k < 3; k++)
		a[k] = actor_add(fac.token, mesa, k);

	/* Exchanged before the mesa was in pald. */
	j = material_text(fac.token, mesa, a[0], "soluciones",
	    "Soluciones propuestas por vecinos", d20,
	    "Semáforos peatonales en la calle Hidalgo.");
	m[0] = esc_jint(j, "id");
	cr_assert_str_eq(esc_jstr(j, "fecha_entrega"), d20);
	j = material_text(fac.token, mesa, a[1], "solicitudes_informacion",
	    "Solicitudes de información recurrentes", d20,
	    "Presupuesto de obra vial 2024 y 2025.");
	m[1] = esc_jint(j, "id");
	cr_assert_str_eq(esc_jstr(j, "fecha_entrega"), d20);
	sm1 = esc_id_text(m[1]);
	sa2 = esc_id_text(a[2]);

	j = acuse_add(fac.token, mesa, a[1], m[0], medio, d15);
	cr_assert_str_eq(esc_jstr(j, "fecha"), d15);
	cr_assert(json_is_true(json_object_get(j, "retroactivo")));
	acuse_add(fac.token, mesa, a[2], m[0], medio, d15);
	acuse_add(fac.token, mesa, a[0], m[1], medio, d15);

	/* Bad receipts for (a2, m1), each refused, nothing stored. */
	n = esc_count_in("acuses", mesa);
	esc_pal_expect(fac.token, 2, "fecha_futura", "acuse", "registrar", sm,
	    "--actor", sa2, "--material", sm1, "--medio", medio, "--fecha",
	    esc_date_add(hoy, 1));
	esc_api_refused("POST", h_strf("/v1/mesas/%s/acuses", sm), fac.token,
	    h_strf("{\"actor\": %s, \"material\": %s, \"medio\": \"x\", "
	    "\"fecha\": \"%s\"}", sa2, sm1, esc_date_add(hoy, 1)), 422,
	    "fecha_futura");
	esc_pal_expect(fac.token, 2, "fecha_anterior_al_material", "acuse",
	    "registrar", sm, "--actor", sa2, "--material", sm1, "--medio",
	    medio, "--fecha", esc_date_add(hoy, -21));
	esc_api_refused("POST", h_strf("/v1/mesas/%s/acuses", sm), fac.token,
	    h_strf("{\"actor\": %s, \"material\": %s, \"medio\": \"x\", "
	    "\"fecha\": \"%s\"}", sa2, sm1, esc_date_add(hoy, -21)), 422,
	    "fecha_anterior_al_material");
	esc_pal_fails(fac.token, "fecha_invalida", "acuse", "registrar", sm,
	    "--actor", sa2, "--material", sm1, "--medio", medio, "--fecha",
	    "2025-02-30");
	esc_pal_fails(fac.token, "fecha_invalida", "acuse", "registrar", sm,
	    "--actor", sa2, "--material", sm1, "--medio", medio, "--fecha",
	    "ayer");
	esc_api_refused("POST", h_strf("/v1/mesas/%s/acuses", sm), fac.token,
	    h_strf("{\"actor\": %s, \"material\": %s, \"medio\": \"x\", "
	    "\"fecha\": \"15/03/2025\"}", sa2, sm1), 422, "fecha_invalida");
	esc_api_refused("POST", h_strf("/v1/mesas/%s/acuses", sm), fac.token,
	    h_strf("{\"actor\": %s, \"material\": %s, \"medio\": "
	    "\"mano\\r\\nX\"}", sa2, sm1), 422, "texto_invalido");
	esc_pal_expect(fac.token, 2, "actor_no_encontrado", "acuse",
	    "registrar", sm, "--actor", "999999", "--material", sm1, "--medio",
	    medio);
	esc_api_refused("POST", h_strf("/v1/mesas/%s/acuses", sm), fac.token,
	    h_strf("{\"actor\": 999999, \"material\": %s, \"medio\": "
	    "\"x\"}", sm1), 404, "actor_no_encontrado");
	esc_pal_expect(fac.token, 2, "material_no_encontrado", "acuse",
	    "registrar", sm, "--actor", sa2, "--material", "999999", "--medio",
	    medio);
	esc_api_refused("POST", h_strf("/v1/mesas/%s/acuses", sm), fac.token,
	    h_strf("{\"actor\": %s, \"material\": 999999, \"medio\": "
	    "\"x\"}", sa2), 404, "material_no_encontrado");
	esc_pal_expect(fac.token, 2, "mesa_no_encontrada", "acuse", "registrar",
	    "999999", "--actor", sa2, "--material", sm1, "--medio", medio);
	esc_api_refused("POST", "/v1/mesas/999999/acuses", fac.token,
	    h_strf("{\"actor\": %s, \"material\": %s, \"medio\": \"x\"}",
	    sa2, sm1), 404, "mesa_no_encontrada");
	cr_assert_eq(esc_count_in("acuses", mesa), n,
	    "a refused receipt was stored");
	j = mesa_ver(fac.token, mesa);
	cr_assert_eq(json_array_size(esc_jarr(json_object_get(j, "bloqueos"),
	    "pendientes")), 1);

	/* The last pair, then the same pair again. */
	acuse_add(fac.token, mesa, a[2], m[1], medio, d15);
	esc_pal_expect(fac.token, 2, "acuse_duplicado", "acuse", "registrar",
	    sm, "--actor", sa2, "--material", sm1, "--medio", "otra vez");
	esc_api_refused("POST", h_strf("/v1/mesas/%s/acuses", sm), fac.token,
	    h_strf("{\"actor\": %s, \"material\": %s, \"medio\": \"x\"}",
	    sa2, sm1), 409, "acuse_duplicado");
	/* The author already has its material. */
	esc_pal_expect(fac.token, 2, "acuse_duplicado", "acuse", "registrar",
	    sm, "--actor", esc_id_text(a[0]), "--material", esc_id_text(m[0]),
	    "--medio", medio);
	cr_assert_eq(esc_count_in("acuses", mesa), n + 1);

	/* Last receipt 15 days ago: the mesa may be held today. */
	j = mesa_ver(fac.token, mesa);
	cr_assert_eq(json_array_size(esc_jarr(json_object_get(j, "bloqueos"),
	    "pendientes")), 0);
	cr_assert_str_eq(esc_jstr(json_object_get(j, "bloqueos"),
	    "ultima_recepcion"), d15);
	cr_assert_str_eq(esc_jstr(json_object_get(j, "bloqueos"),
	    "fecha_minima"), hoy);
	j = esc_pal_json(fac.token, "mesa", "programar", sm, "--fecha", hoy,
	    "--hora", "17:00", "--lugar", "Auditorio municipal");
	cr_assert_str_eq(esc_jstr(j, "fase"), "convocada");

	/* The receipts as the list shows them. */
	j = esc_pal_json(fac.token, "material", "listar", sm);
	json_array_foreach(esc_jarr(j, "materiales"), i, e) {
		size_t k;
		json_t *ac;
		int manual = 0;

		cr_assert_str_eq(esc_jstr(e, "fecha_entrega"), d20);
		json_array_foreach(esc_jarr(e, "acuses"), k, ac) {
			if (esc_jstr(ac, "medio") == NULL ||
			    strcmp(esc_jstr(ac, "medio"), medio) != 0)
				continue;
			manual++;
			cr_assert_str_eq(esc_jstr(ac, "fecha"), d15);
			cr_assert(json_is_true(json_object_get(ac,
			    "retroactivo")));
		}
		cr_assert_eq(manual, 2);
	}

	/* The garante audits the backdated entries: who and which date. */
	eventos = esc_mesa_eventos(gar.token, mesa);
	check_eventos_shape(eventos);
	json_array_foreach(eventos, i, e) {
		json_t *datos = json_object_get(e, "datos");
		json_t *u = json_object_get(e, "usuario");

		if (!json_is_object(datos) ||
		    !json_is_true(json_object_get(datos, "retroactivo")))
			continue;
		cr_assert(json_is_object(u), "a backdated %s without who "
		    "recorded it", esc_jstr(e, "tipo"));
		cr_assert_eq(esc_jint(u, "id"), fac.id);
		cr_assert_str_eq(esc_jstr(u, "nombre"), fac.nombre);
		if (strcmp(esc_jstr(e, "tipo"), "acuse.registrado") == 0 &&
		    strcmp(esc_jstr(datos, "fecha"), d15) == 0) {
			retro_acuses++;
		} else if (strcmp(esc_jstr(e, "tipo"),
		    "acuse.registrado") == 0) {
			/* An author's own receipt, if it is an event. */
			cr_assert_str_eq(esc_jstr(datos, "fecha"), d20);
		} else if (strcmp(esc_jstr(e, "tipo"),
		    "material.agregado") == 0) {
			cr_assert_str_eq(esc_jstr(datos, "fecha"), d20);
			retro_materiales++;
		}
	}
	cr_assert_eq(retro_acuses, 4, "%d backdated acuse.registrado events",
	    retro_acuses);
	cr_assert_eq(retro_materiales, 2, "%d backdated material.agregado "
	    "events", retro_materiales);
	o = esc_pal_ok(gar.token, "mesa", "linea-tiempo", sm);
	cr_assert(strstr(o.out, fac.nombre) != NULL, "the timeline does not "
	    "say who recorded the backdated receipts:\n%s", o.out);
	cr_assert(strstr(o.out, d15) != NULL, "the timeline does not show "
	    "the backdated date %s:\n%s", d15, o.out);
}

/*
 * 4. An actor added after the convocatoria suspends it, the facilitator
 * is told by email, and it cannot be rescheduled until the newcomer has
 * everything.
 */
Test(preparacion, late_actor_suspends_convocatoria)
{
	const char *hoy = esc_today_in(TZ_MX);
	const char *d20 = esc_date_add(hoy, -20), *d15 = esc_date_add(hoy, -15);
	const char *titulo = "Mesa de Mitla: turismo y patrimonio";
	const char *t0 = "Problemáticas del comercio en el centro histórico";
	const char *late = "Teresa Ávila Ruiz";
	const char *late_email = "teresa.avila@garante-oax.org.mx";
	const char *emails[3] = { ACTORES[0].email, ACTORES[1].email,
	    late_email };
	struct esc_usuario fac;
	long long mesa, a[3], m0;
	const char *sm;
	json_t *j, *msg, *eventos;
	struct esc_out o;
	int before, idx;
	struct ics_id first, second;

	fac = esc_usuario_crear("Andrés Peña", "andres.pena@stl.org.mx",
	    "facilitador", "Oaxaca");
	mesa = mesa_create(fac.token, titulo, "Oaxaca", NULL);
	sm = esc_id_text(mesa);
	a[0] = actor_add(fac.token, mesa, 0);
	a[1] = actor_add(fac.token, mesa, 1);
	m0 = esc_jint(material_text(fac.token, mesa, a[0], "problematicas", t0,
	    d20, "Ambulantaje y falta de baños públicos."), "id");
	acuse_add(fac.token, mesa, a[1], m0, "entrega en mano", d15);
	esc_pal_json(fac.token, "mesa", "programar", sm, "--fecha",
	    esc_date_add(hoy, 3), "--hora", "11:00", "--lugar", "Casa ejidal");
	cr_assert_str_eq(esc_mesa_fase(admin, mesa), "convocada");
	cr_assert_eq(h_smtp_wait(&smtp, 2, ESC_MAIL_WAIT_MS), 2);
	first = check_convocatoria(ACTORES[0].email, 0, titulo, TZ_MX,
	    esc_date_add(hoy, 3), "11:00", "Casa ejidal", emails, 2);

	/* A late actor: the convocatoria is suspended. */
	j = esc_pal_json(fac.token, "actor", "agregar", sm, "--nombre", late,
	    "--email", late_email, "--sector", "organismo_garante");
	a[2] = esc_jint(j, "id");
	j = mesa_ver(fac.token, mesa);
	cr_assert_str_eq(esc_jstr(j, "fase"), "suspendida");
	cr_assert_eq(json_array_size(esc_jarr(json_object_get(j, "bloqueos"),
	    "pendientes")), 1);

	msg = esc_mail_to(fac.email, 0, &idx);
	check_mail_basics(msg, fac.email);
	cr_assert(esc_find_ci(esc_jstr(msg, "subject"), "suspendida") != NULL,
	    "subject: %s", esc_jstr(msg, "subject"));
	cr_assert(strstr(esc_jstr(msg, "subject"), h_strf("«%s»", titulo)) !=
	    NULL, "subject: %s", esc_jstr(msg, "subject"));
	cr_assert(strstr(esc_jstr(msg, "text"), late) != NULL, "the email does "
	    "not say who suspended it:\n%s", esc_jstr(msg, "text"));

	eventos = esc_mesa_eventos(fac.token, mesa);
	check_event_order(eventos, esc_argv("mesa.programada",
	    "mesa.suspendida"), 2);
	cr_assert_eq(esc_event_count(eventos, "actor.agregado"), 3);

	/* Rescheduling waits for the newcomer. */
	o = esc_pal_expect(fac.token, 2, "materiales_pendientes", "mesa",
	    "programar", sm, "--fecha", esc_date_add(hoy, 3), "--hora", "11:00",
	    "--lugar", "Casa ejidal");
	check_pendientes_printed(o.err, late, t0);
	cr_assert_str_eq(esc_mesa_fase(admin, mesa), "suspendida");

	/* Received today by another channel: ten more days. */
	acuse_add(fac.token, mesa, a[2], m0, "mensajería", NULL);
	o = esc_pal_expect(fac.token, 2, "plazo_insuficiente", "mesa",
	    "programar", sm, "--fecha", esc_date_add(hoy, 9), "--hora", "11:00",
	    "--lugar", "Casa ejidal");
	cr_assert(strstr(o.err, h_strf("Fecha más próxima permitida: %s",
	    esc_date_add(hoy, 10))) != NULL, "%s", o.err);
	before = h_smtp_count(&smtp);
	j = esc_pal_json(fac.token, "mesa", "programar", sm, "--fecha",
	    esc_date_add(hoy, 10), "--hora", "11:00", "--lugar", "Casa ejidal");
	cr_assert_str_eq(esc_jstr(j, "fase"), "convocada");
	cr_assert_str_eq(esc_mesa_fase(admin, mesa), "convocada");
	check_convocatoria(late_email, before, titulo, TZ_MX,
	    esc_date_add(hoy, 10), "11:00", "Casa ejidal", emails, 3);
	/* For the others it is the same event, moved: calendars update it
	 * instead of showing two mesas. */
	second = check_convocatoria(ACTORES[0].email, before, titulo, TZ_MX,
	    esc_date_add(hoy, 10), "11:00", "Casa ejidal", emails, 3);
	cr_assert_str_eq(second.uid, first.uid, "the new invitation has "
	    "another UID: calendars will show two mesas");
	cr_assert_gt(second.sequence, first.sequence, "the new invitation's "
	    "SEQUENCE (%ld) is not above the first's (%ld): calendars will "
	    "ignore it", second.sequence, first.sequence);

	/* A material added now suspends it again. */
	material_text(fac.token, mesa, a[1], "estudios",
	    "Estudio de afluencia turística", NULL, "Visitantes por mes.");
	cr_assert_str_eq(esc_mesa_fase(admin, mesa), "suspendida");
	esc_mail_to(fac.email, idx + 1, NULL);
	cr_assert_eq(esc_event_count(esc_mesa_eventos(fac.token, mesa),
	    "mesa.suspendida"), 2);
}

/*
 * 5. Dates are local to the mesa: in a zone whose date differs from the
 * UTC date right now, the receipt and the gate use the local date.
 */
Test(preparacion, timezone_local_date)
{
	const char *zone, *local, *utc, *body, *ctype, *token;
	const char *titulo = "Mesa en otra zona horaria";
	const char *emails[2] = { ACTORES[0].email, ACTORES[1].email };
	struct esc_usuario fac;
	long long mesa, a[2], m0, s, margin_kir, margin_w12;
	json_t *j;
	struct esc_out o;
	int before;

	/*
	 * Pacific/Kiritimati (UTC+14) is a day ahead of UTC from 10:00 UTC
	 * to midnight, Etc/GMT+12 (UTC-12) a day behind before 12:00 UTC.
	 * Take the one farther from its flip; right at a flip, wait it out.
	 */
	for (int tries = 0;; tries++) {
		s = h_db_query_int(&db, "SELECT (extract(epoch FROM now())"
		    "::bigint % 86400)");
		margin_kir = s >= 36000 ? 86400 - s : -1;
		margin_w12 = s < 43200 ? 43200 - s : -1;
		zone = margin_kir > margin_w12 ? "Pacific/Kiritimati" :
		    "Etc/GMT+12";
		if ((margin_kir > margin_w12 ? margin_kir : margin_w12) > 30 ||
		    tries > 0)
			break;
		h_sleep_ms(31000);
	}
	local = esc_today_in(zone);
	utc = esc_today_in("UTC");
	cr_assert_str_neq(local, utc, "%s: the local date equals UTC's", zone);

	fac = esc_usuario_crear("Irene Solís", "irene.solis@stl.org.mx",
	    "facilitador", "Oaxaca");
	mesa = mesa_create(fac.token, titulo, "Oaxaca", zone);
	j = mesa_ver(fac.token, mesa);
	cr_assert_str_eq(esc_jstr(j, "zona_horaria"), zone);
	cr_assert_str_eq(esc_jstr(j, "hoy"), local);
	a[0] = actor_add(fac.token, mesa, 0);
	a[1] = actor_add(fac.token, mesa, 1);
	j = material_text(fac.token, mesa, a[0], "problematicas",
	    "Diagnóstico local", NULL, "Texto del diagnóstico.");
	m0 = esc_jint(j, "id");
	cr_assert_str_eq(esc_jstr(j, "fecha_entrega"), local, "the material's "
	    "default date is not today in %s", zone);

	esc_pal_json(fac.token, "material", "enviar", esc_id_text(mesa));
	token = esc_link_token(esc_jstr(esc_mail_to(ACTORES[1].email, 0, NULL),
	    "text"));
	cr_assert_eq(esc_link_http("POST", token, "", &body, NULL, &ctype), 200,
	    "%s", body);
	cr_assert_str_eq(h_db_query_str(&db, "SELECT fecha::text FROM acuses"
	    " WHERE actor_id = $1 AND material_id = $2", esc_id_text(a[1]),
	    esc_id_text(m0)), local, "the receipt is not dated in %s (UTC: %s)",
	    zone, utc);

	j = json_object_get(mesa_ver(fac.token, mesa), "bloqueos");
	cr_assert_str_eq(esc_jstr(j, "ultima_recepcion"), local);
	cr_assert_str_eq(esc_jstr(j, "fecha_minima"), esc_date_add(local, 10));
	o = esc_pal_expect(fac.token, 2, "plazo_insuficiente", "mesa",
	    "programar", esc_id_text(mesa), "--fecha", esc_date_add(local, 9),
	    "--hora", "09:00", "--lugar", "Sala de juntas");
	cr_assert(strstr(o.err, h_strf("Fecha más próxima permitida: %s",
	    esc_date_add(local, 10))) != NULL, "%s", o.err);
	before = h_smtp_count(&smtp);
	esc_pal_json(fac.token, "mesa", "programar", esc_id_text(mesa),
	    "--fecha", esc_date_add(local, 10), "--hora", "09:00", "--lugar",
	    "Sala de juntas");
	check_convocatoria(ACTORES[0].email, before, titulo, zone,
	    esc_date_add(local, 10), "09:00", "Sala de juntas", emails, 2);
}

/*
 * 6. Who may do what: the owner and the admin change a mesa, a garante
 * reads those of its entidad, everybody else gets prohibido.
 */
Test(preparacion, permissions)
{
	const char *hoy = esc_today_in(TZ_MX);
	struct esc_usuario fac1, fac2, gar_oax, gar_jal, gar_all;
	long long m1, m2, a[2], mat;
	const char *s1, *path, *sha;
	json_t *j;
	long long n_actores, n_materiales, n_acuses, n_eventos, n_outbox,
	    n_enlaces, n_sesiones;

	fac1 = esc_usuario_crear("Facilitadora Uno", "uno@stl.org.mx",
	    "facilitador", "Oaxaca");
	fac2 = esc_usuario_crear("Facilitador Dos", "dos@stl.org.mx",
	    "facilitador", "Oaxaca");
	gar_oax = esc_usuario_crear("Garante Oaxaca", "garante@oax.org.mx",
	    "garante", "Oaxaca");
	gar_jal = esc_usuario_crear("Garante Jalisco", "garante@jal.org.mx",
	    "garante", "Jalisco");
	gar_all = esc_usuario_crear("Garante Nacional",
	    "garante@nacional.org.mx", "garante", NULL);
	m1 = mesa_create(fac1.token, "Mesa de Oaxaca", "Oaxaca", NULL);
	m2 = mesa_create(fac2.token, "Mesa de Guadalajara", "Jalisco", NULL);
	s1 = esc_id_text(m1);
	a[0] = actor_add(fac1.token, m1, 0);
	a[1] = actor_add(fac1.token, m1, 1);
	path = write_pdf("criterios.pdf", 2000, &sha);
	mat = esc_jint(material_file(fac1.token, m1, a[0], "criterios_minimos",
	    "Criterios mínimos", NULL, path), "id");

	n_actores = h_db_query_int(&db, "SELECT count(*) FROM actores");
	n_materiales = h_db_query_int(&db, "SELECT count(*) FROM materiales");
	n_acuses = h_db_query_int(&db, "SELECT count(*) FROM acuses");
	n_eventos = h_db_query_int(&db, "SELECT count(*) FROM eventos");
	n_outbox = h_db_query_int(&db, "SELECT count(*) FROM outbox");
	n_enlaces = h_db_query_int(&db, "SELECT count(*) FROM enlaces");
	n_sesiones = h_db_query_int(&db, "SELECT count(*) FROM sesiones");

	/* Another facilitator: every write and every read is refused. */
	esc_pal_expect(fac2.token, 2, "prohibido", "actor", "agregar", s1,
	    "--nombre", "Intruso", "--email", "intruso@ejemplo.mx",
	    "--sector", "stl");
	esc_pal_expect(fac2.token, 2, "prohibido", "material", "agregar", s1,
	    "--actor", esc_id_text(a[0]), "--tipo", "otro", "--titulo",
	    "Intruso", "--texto", "hola");
	esc_pal_expect(fac2.token, 2, "prohibido", "material", "enviar", s1);
	esc_pal_expect(fac2.token, 2, "prohibido", "acuse", "registrar", s1,
	    "--actor", esc_id_text(a[1]), "--material", esc_id_text(mat),
	    "--medio", "correo");
	esc_pal_expect(fac2.token, 2, "prohibido", "mesa", "programar", s1,
	    "--fecha", esc_date_add(hoy, 10), "--hora", "10:00", "--lugar",
	    "X");
	esc_pal_expect(fac2.token, 2, "prohibido", "actor", "revocar-enlaces",
	    s1, esc_id_text(a[0]));
	esc_pal_expect(fac2.token, 2, "prohibido", "sesion", "abrir", s1,
	    "--asistentes", esc_id_text(a[0]));
	esc_pal_expect(fac2.token, 2, "prohibido", "aportacion", "agregar", s1,
	    "--actor", esc_id_text(a[0]), "--tipo", "duda", "¿Quién soy?");
	esc_pal_expect(fac2.token, 2, "prohibido", "mesa", "ver", s1);
	esc_pal_expect(fac2.token, 2, "prohibido", "mesa", "linea-tiempo", s1);
	esc_pal_expect(fac2.token, 2, "prohibido", "actor", "listar", s1);
	esc_pal_expect(fac2.token, 2, "prohibido", "material", "listar", s1);
	esc_pal_expect(fac2.token, 2, "prohibido", "material", "descargar", s1,
	    esc_id_text(mat), "-o", h_path("robado.pdf"));
	cr_assert(!h_file_exists(h_path("robado.pdf")), "a refused download "
	    "left a file");
	esc_pal_expect(fac2.token, 2, "prohibido", "sesion", "ver", s1);
	esc_api_refused("GET", h_strf("/v1/mesas/%s", s1), fac2.token, NULL,
	    403, "prohibido");
	esc_api_refused("GET", h_strf("/v1/mesas/%s/materiales/%lld/contenido",
	    s1, mat), fac2.token, NULL, 403, "prohibido");

	/* The garante of the entidad reads, and changes nothing. */
	j = mesa_ver(gar_oax.token, m1);
	cr_assert_str_eq(esc_jstr(j, "titulo"), "Mesa de Oaxaca");
	j = esc_pal_json(gar_oax.token, "material", "listar", s1);
	cr_assert_eq(json_array_size(esc_jarr(j, "materiales")), 1);
	esc_pal_ok(gar_oax.token, "actor", "listar", s1);
	esc_pal_ok(gar_oax.token, "mesa", "linea-tiempo", s1);
	esc_pal_ok(gar_oax.token, "material", "descargar", s1, esc_id_text(mat),
	    "-o", h_path("garante.pdf"));
	{
		size_t len;
		char *back = h_read_file(h_path("garante.pdf"), &len);

		cr_assert_not_null(back);
		cr_assert_str_eq(esc_sha256_hex(back, len), sha);
		free(back);
	}
	esc_pal_expect(gar_oax.token, 2, "prohibido", "actor", "agregar", s1,
	    "--nombre", "Otro", "--email", "otro@ejemplo.mx", "--sector",
	    "stl");
	esc_pal_expect(gar_oax.token, 2, "prohibido", "acuse", "registrar", s1,
	    "--actor", esc_id_text(a[1]), "--material", esc_id_text(mat),
	    "--medio", "correo");
	esc_pal_expect(gar_oax.token, 2, "prohibido", "material", "enviar", s1);
	esc_pal_expect(gar_oax.token, 2, "prohibido", "mesa", "crear",
	    "--titulo", "Mesa del garante", "--entidad", "Oaxaca");

	/* A garante of another entidad does not even read it. */
	esc_pal_expect(gar_jal.token, 2, "prohibido", "mesa", "ver", s1);
	esc_pal_expect(gar_jal.token, 2, "prohibido", "material", "listar", s1);
	esc_pal_expect(gar_jal.token, 2, "prohibido", "mesa", "linea-tiempo",
	    s1);

	/* Unknown is 404, not 403. */
	esc_pal_expect(fac1.token, 2, "mesa_no_encontrada", "mesa", "ver",
	    "999999");
	esc_api_refused("GET", "/v1/mesas/999999", fac2.token, NULL, 404,
	    "mesa_no_encontrada");

	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM actores"),
	    n_actores);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM materiales"),
	    n_materiales);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM acuses"),
	    n_acuses);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM eventos"),
	    n_eventos);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM outbox"),
	    n_outbox);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM enlaces"),
	    n_enlaces);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM sesiones"),
	    n_sesiones);
	cr_assert_str_eq(esc_mesa_fase(admin, m1), "preparacion");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM mesas"), 2);

	/* Each one lists what it may see. */
	{
		struct {
			const char *tok;
			bool sees1, sees2;
		} who[] = {
			{ fac1.token, true, false },
			{ fac2.token, false, true },
			{ gar_oax.token, true, false },
			{ gar_jal.token, false, true },
			{ gar_all.token, true, true },
			{ admin, true, true },
		};

		for (size_t w = 0; w < sizeof(who) / sizeof(who[0]); w++) {
			json_t *list = esc_jarr(esc_pal_json(who[w].tok, "mesa",
			    "listar"), "mesas"), *e;
			bool saw1 = false, saw2 = false;
			size_t i;

			json_array_foreach(list, i, e) {
				saw1 |= esc_jint(e, "id") == m1;
				saw2 |= esc_jint(e, "id") == m2;
			}
			cr_assert_eq(json_array_size(list),
			    (size_t)who[w].sees1 + (size_t)who[w].sees2,
			    "user %zu lists %zu mesas", w,
			    json_array_size(list));
			cr_assert_eq(saw1, who[w].sees1, "user %zu, mesa 1",
			    w);
			cr_assert_eq(saw2, who[w].sees2, "user %zu, mesa 2",
			    w);
		}
	}
	j = esc_jarr(esc_pal_json(admin, "mesa", "listar", "--entidad",
	    "Jalisco"), "mesas");
	cr_assert_eq(json_array_size(j), 1);
	cr_assert_eq(esc_jint(json_array_get(j, 0), "id"), m2);
	j = esc_jarr(esc_pal_json(admin, "mesa", "listar", "--fase",
	    "convocada"), "mesas");
	cr_assert_eq(json_array_size(j), 0);
	j = esc_jarr(esc_pal_json(admin, "mesa", "listar", "--fase",
	    "preparacion"), "mesas");
	cr_assert_eq(json_array_size(j), 2);
	{
		struct esc_out o = esc_pal_ok(gar_oax.token, "mesa", "listar");

		cr_assert(strstr(o.out, "Mesa de Oaxaca") != NULL, "%s",
		    o.out);
		cr_assert_null(strstr(o.out, "Mesa de Guadalajara"), "%s",
		    o.out);
	}
	/* The admin changes any mesa. */
	actor_add(admin, m2, 3);
}

/*
 * 7. Bad input: a clear error, the right status, nothing stored.
 */
Test(preparacion, bad_inputs)
{
	struct esc_usuario fac;
	long long mesa, a[2];
	const char *sm, *path, *sha, *token, *body, *ctype, *token2;
	struct h_http r;
	json_t *j;
	char big[10240];
	int before;

	fac = esc_usuario_crear("Elena Ruiz", "elena.ruiz@stl.org.mx",
	    "facilitador", "Oaxaca");
	mesa = mesa_create(fac.token, "Mesa de Ocotlán", "Oaxaca", NULL);
	sm = esc_id_text(mesa);
	a[0] = actor_add(fac.token, mesa, 0);
	a[1] = actor_add(fac.token, mesa, 1);

	/* Actors. */
	esc_pal_expect(fac.token, 2, "actor_duplicado", "actor", "agregar", sm,
	    "--nombre", "El mismo", "--email", "JOSE.Nunez@Colectivo.MX",
	    "--sector", "stl");
	esc_api_refused("POST", h_strf("/v1/mesas/%s/actores", sm), fac.token,
	    "{\"nombre\": \"El mismo\", \"email\": \"Jose.NUNEZ@colectivo.mx\","
	    " \"sector\": \"stl\"}", 409, "actor_duplicado");
	esc_pal_fails(fac.token, "email_invalido", "actor", "agregar", sm,
	    "--nombre", "Ana", "--email", "ana@ejemplo.mx\r\nRCPT TO:<x@y.mx>",
	    "--sector", "stl");
	esc_api_refused("POST", h_strf("/v1/mesas/%s/actores", sm), fac.token,
	    "{\"nombre\": \"Ana\", \"email\": \"ana@ejemplo.mx\\r\\nRCPT TO:"
	    "<x@y.mx>\", \"sector\": \"stl\"}", 422, "email_invalido");
	esc_pal_fails(fac.token, "email_invalido", "actor", "agregar", sm,
	    "--nombre", "Ana", "--email", "ana.ejemplo.mx", "--sector", "stl");
	esc_api_refused("POST", h_strf("/v1/mesas/%s/actores", sm), fac.token,
	    "{\"nombre\": \"Ana\\r\\nBcc: x@y.mx\", \"email\": "
	    "\"ana@ejemplo.mx\", \"sector\": \"stl\"}", 422, "texto_invalido");
	esc_pal_expect(fac.token, 1, NULL, "actor", "agregar", sm, "--nombre",
	    "Ana", "--email", "ana@ejemplo.mx", "--sector", "academia");
	esc_api_refused("POST", h_strf("/v1/mesas/%s/actores", sm), fac.token,
	    "{\"nombre\": \"Ana\", \"email\": \"ana@ejemplo.mx\", \"sector\":"
	    " \"academia\"}", 422, "sector_invalido");
	esc_pal_expect(fac.token, 2, "mesa_no_encontrada", "actor", "agregar",
	    "999999", "--nombre", "Ana", "--email", "ana@ejemplo.mx",
	    "--sector", "stl");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM actores"), 2);

	/* Materials. */
	esc_pal_fails(fac.token, NULL, "material", "agregar", sm, "--actor",
	    esc_id_text(a[0]), "--tipo", "chismes", "--titulo", "X", "--texto",
	    "hola");
	r = h_http("POST", h_strf("%s/v1/mesas/%s/materiales?actor=%lld"
	    "&tipo=chismes&titulo=X", pald.url, sm, a[0]), fac.token,
	    "text/plain; charset=utf-8", "hola", 4);
	cr_assert_eq(r.status, 422, "unknown tipo: %ld %s", r.status, r.body);
	h_http_free(&r);
	esc_pal_expect(fac.token, 2, "actor_no_encontrado", "material",
	    "agregar", sm, "--actor", "999999", "--tipo", "otro", "--titulo",
	    "X", "--texto", "hola");
	esc_pal_expect(fac.token, 2, "fecha_futura", "material", "agregar", sm,
	    "--actor", esc_id_text(a[0]), "--tipo", "otro", "--titulo", "X",
	    "--fecha", esc_date_add(esc_today_in(TZ_MX), 1), "--texto", "hola");
	h_write_file(h_path("vacio.pdf"), "", 0);
	esc_pal_fails(fac.token, "material_vacio", "material", "agregar", sm,
	    "--actor", esc_id_text(a[0]), "--tipo", "otro", "--titulo", "Vacío",
	    h_path("vacio.pdf"));
	r = h_http("POST", h_strf("%s/v1/mesas/%s/materiales?actor=%lld"
	    "&tipo=otro&titulo=X", pald.url, sm, a[0]), fac.token,
	    "application/pdf", "", 0);
	cr_assert_eq(r.status, 422, "empty material: %ld %s", r.status,
	    r.body);
	h_http_free(&r);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM materiales"),
	    0);

	/* Illegal phase moves before the session. */
	esc_pal_expect(fac.token, 2, NULL, "aportacion", "agregar", sm,
	    "--actor", esc_id_text(a[0]), "--tipo", "duda",
	    "¿Cuándo empezamos?");
	esc_api("POST", h_strf("/v1/mesas/%s/aportaciones", sm), fac.token,
	    h_strf("{\"actor\": %lld, \"tipo\": \"duda\", \"texto\": \"x\"}",
	    a[0]), 409);
	esc_pal_expect(fac.token, 2, NULL, "sesion", "abrir", sm,
	    "--asistentes", esc_id_text(a[0]));
	esc_api("POST", h_strf("/v1/mesas/%s/sesion", sm), fac.token,
	    h_strf("{\"asistentes\": [%lld]}", a[0]), 409);
	esc_pal_expect(fac.token, 2, "sesion_no_encontrada", "sesion", "ver",
	    sm);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM sesiones"), 0);
	cr_assert_str_eq(esc_mesa_fase(admin, mesa), "preparacion");

	/* A mesa in a zone that does not exist. */
	esc_pal_expect(fac.token, 2, "zona_horaria_invalida", "mesa", "crear",
	    "--titulo", "Mesa en Marte", "--entidad", "Oaxaca",
	    "--zona-horaria", "Marte/Olimpo");
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM mesas"), 1);

	/* Links: invalid, malformed, then revoked. */
	material_text(fac.token, mesa, a[0], "problematicas", "Problemas",
	    NULL, "Baches en todas las calles.");
	esc_pal_json(fac.token, "material", "enviar", sm);
	token = esc_link_token(esc_jstr(esc_mail_to(ACTORES[1].email, 0, NULL),
	    "text"));
	check_invalid_link("GET", "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef");
	check_invalid_link("POST", "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef");
	check_invalid_link("GET", "abc");
	check_invalid_link("POST", h_strf("%.63sX", token));
	cr_assert_eq(esc_link_http("GET", token, "", &body, NULL, &ctype), 200,
	    "%s", body);
	j = esc_pal_json(fac.token, "actor", "revocar-enlaces", sm,
	    esc_id_text(a[1]));
	cr_assert_eq(esc_jint(j, "revocados"), 1);
	check_invalid_link("GET", token);
	check_invalid_link("POST", token);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM acuses WHERE "
	    "actor_id = $1", esc_id_text(a[1])), 0, "a revoked link recorded a "
	    "receipt");
	cr_assert_eq(esc_event_count(esc_mesa_eventos(fac.token, mesa),
	    "enlace.revocado"), 1);
	/* A new send makes a new link, which works. */
	before = h_smtp_count(&smtp);
	esc_pal_json(fac.token, "material", "enviar", sm);
	token2 = esc_link_token(esc_jstr(esc_mail_to(ACTORES[1].email, before,
	    NULL), "text"));
	cr_assert_str_neq(token2, token);
	cr_assert_eq(esc_link_http("POST", token2, "", &body, NULL, &ctype),
	    200, "%s", body);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM acuses WHERE "
	    "actor_id = $1", esc_id_text(a[1])), 1);
	check_invalid_link("POST", token);

	/* Oversized uploads, with a 4 KiB limit. */
	h_pald_stop(&pald);
	h_pald_start(&pald, &db, &smtp, "material_max_bytes = 4096\n");
	path = write_pdf("grande.pdf", sizeof(big), &sha);
	esc_pal_expect(fac.token, 2, NULL, "material", "agregar", sm, "--actor",
	    esc_id_text(a[1]), "--tipo", "estudios", "--titulo",
	    "Estudio grande", path);
	memset(big, 'x', sizeof(big));
	r = h_http("POST", h_strf("%s/v1/mesas/%s/materiales?actor=%lld"
	    "&tipo=estudios&titulo=Grande", pald.url, sm, a[1]), fac.token,
	    "text/plain; charset=utf-8", big, sizeof(big));
	cr_assert_eq(r.status, 413, "oversized upload: %ld %s", r.status,
	    r.body);
	h_http_free(&r);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM materiales"),
	    1);
	/* Exactly the limit is fine. */
	path = write_pdf("justo.pdf", 4096, &sha);
	j = material_file(fac.token, mesa, a[1], "estudios", "Estudio justo",
	    NULL, path);
	cr_assert_str_eq(esc_jstr(j, "sha256"), sha);
	cr_assert_eq(h_db_query_int(&db, "SELECT count(*) FROM materiales"),
	    2);
}
