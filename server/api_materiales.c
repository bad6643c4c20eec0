/*
 * /v1/mesas/{id}/materiales and /acuses: what each actor brings to the
 * preparation, who has received it, and the email that carries it with
 * a personal link to confirm receipt. A material is a file or a UTF-8
 * text; the author has it from the day it was submitted, and every
 * other actor from the day it confirms (web_enlaces.c) or the day the
 * facilitator records for a receipt by another channel.
 *
 * It does not decide the gate (rules.c does, from the receipts written
 * here) and it never sends mail itself: messages go to the outbox in
 * the request's transaction.
 */
#include "api_materiales.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_mesas.h"
#include "buf.h"
#include "config.h"
#include "dates.h"
#include "outbox.h"
#include "store_actores.h"
#include "store_eventos.h"
#include "store_materiales.h"
#include "token.h"
#include "validate.h"
#include "xmalloc.h"

/* The column allows 255; mime.c attaches types of at most 200. */
#define TIPO_MEDIO_MAX		200
#define ARCHIVO_MAX		255
#define TITULO_MAX		300
#define MEDIO_MAX		200
#define TEXTO_TIPO_MEDIO	"text/plain; charset=utf-8"

/*
 * Materials are prepared, sent and received before the session; after
 * it opens the list is closed. False after replying 409.
 */
static bool
api_materiales_fase(struct req *rq, const struct mesa *m, const char *que)
{
	if (m->fase == FASE_PREPARACION || m->fase == FASE_CONVOCADA ||
	    m->fase == FASE_SUSPENDIDA)
		return true;
	reply_errorf(rq, 409, "transicion_invalida", "No se puede %s en una "
	    "mesa en «%s»: los materiales se preparan antes de la sesión.",
	    que, rules_fase_label(m->fase));
	return false;
}

/* A positive decimal id, nothing else. */
static bool
api_materiales_id(const char *s, long long *out)
{
	char *end;

	if (s == NULL || *s < '1' || *s > '9' || strlen(s) > 18)
		return false;
	*out = strtoll(s, &end, 10);
	return *end == '\0';
}

/* True if s has something other than spaces. */
static bool
api_materiales_no_blanco(const char *s)
{
	return s[strspn(s, " \t")] != '\0';
}

/* The first character of a type or subtype, as the column's CHECK. */
static bool
api_materiales_tipo_char(unsigned char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return !first && c != '\0' && strchr("!#$&^_.+-", c) != NULL;
}

/* RFC 2045 token characters (parameter names and bare values). */
static bool
api_materiales_tchar(unsigned char c)
{
	return c > 0x20 && c < 0x7F && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* Length of a type or subtype at s, 0 if there is none. */
static size_t
api_materiales_tipo_len(const char *s)
{
	size_t n = 0;

	if (!api_materiales_tipo_char((unsigned char)s[0], true))
		return 0;
	while (api_materiales_tipo_char((unsigned char)s[n], n == 0))
		n++;
	return n;
}

/*
 * A media type as the client sent it, checked and written to *out in a
 * normal form: "type/subtype" lowercased, then "; name=value" for each
 * parameter (names lowercased, values as given). *charset gets the
 * charset parameter lowercased and unquoted ("" if absent), so the
 * caller can tell a UTF-8 text. False if it is not
 * type "/" subtype *(";" name "=" (token / quoted-string)).
 */
static bool
api_materiales_tipo_medio(const char *in, struct buf *out, char *charset,
    size_t charset_size)
{
	const char *s = in;
	size_t n;

	buf_reset(out);
	charset[0] = '\0';
	s += strspn(s, " \t");
	if ((n = api_materiales_tipo_len(s)) == 0 || s[n] != '/')
		return false;
	for (size_t i = 0; i < n; i++)
		buf_putc(out, (char)(s[i] | (s[i] >= 'A' && s[i] <= 'Z'
		    ? 0x20 : 0)));
	buf_putc(out, '/');
	s += n + 1;
	if ((n = api_materiales_tipo_len(s)) == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		buf_putc(out, (char)(s[i] | (s[i] >= 'A' && s[i] <= 'Z'
		    ? 0x20 : 0)));
	s += n;
	for (;;) {
		size_t name_at, value_at;
		bool is_charset;

		s += strspn(s, " \t");
		if (*s == '\0')
			break;
		if (*s++ != ';')
			return false;
		s += strspn(s, " \t");
		if (*s == '\0')
			break;		/* a trailing ";" is common, harmless */
		buf_puts(out, "; ");
		name_at = out->len;
		for (n = 0; api_materiales_tchar((unsigned char)s[n]); n++)
			buf_putc(out, (char)(s[n] | (s[n] >= 'A' &&
			    s[n] <= 'Z' ? 0x20 : 0)));
		if (n == 0)
			return false;
		is_charset = out->len - name_at == 7 &&
		    memcmp(out->data + name_at, "charset", 7) == 0;
		s += n;
		s += strspn(s, " \t");
		if (*s++ != '=')
			return false;
		s += strspn(s, " \t");
		buf_putc(out, '=');
		value_at = out->len;
		if (*s == '"') {
			buf_putc(out, *s++);
			for (; *s != '"'; s++) {
				if (*s == '\\')
					buf_putc(out, *s++);
				if ((unsigned char)*s < 0x20 ||
				    (unsigned char)*s > 0x7E)
					return false;	/* NUL too */
				buf_putc(out, *s);
			}
			buf_putc(out, *s++);
		} else {
			for (n = 0; api_materiales_tchar((unsigned char)s[n]);
			    n++)
				buf_putc(out, s[n]);
			if (n == 0)
				return false;
			s += n;
		}
		if (is_charset) {
			const char *v = out->data + value_at;
			size_t len = out->len - value_at, k = 0;

			if (*v == '"') {
				v++;
				len -= 2;
			}
			for (size_t i = 0; i < len && k + 1 < charset_size;
			    i++)
				if (v[i] != '\\')
					charset[k++] = (char)(v[i] |
					    (v[i] >= 'A' && v[i] <= 'Z'
					    ? 0x20 : 0));
			charset[k] = '\0';
		}
	}
	return out->len <= TIPO_MEDIO_MAX;
}

/*
 * The name a material travels with: its file name, or for a text its
 * title plus ".txt" (no '/' or '\', cut at a character boundary).
 */
static void
api_materiales_nombre(const char *archivo, const char *titulo, char *out,
    size_t size)
{
	size_t n = 0, max;

	if (archivo[0] != '\0') {
		snprintf(out, size, "%s", archivo);
		return;
	}
	max = size > 5 ? size - 5 : 0;
	if (max > ARCHIVO_MAX - 4)
		max = ARCHIVO_MAX - 4;
	for (size_t i = 0; titulo[i] != '\0'; i++) {
		unsigned char c = (unsigned char)titulo[i];
		size_t clen = 1;

		if (c >= 0xF0)
			clen = 4;
		else if (c >= 0xE0)
			clen = 3;
		else if (c >= 0xC0)
			clen = 2;
		if (n + clen > max)
			break;
		for (size_t k = 0; k < clen && titulo[i + k] != '\0'; k++)
			out[n++] = titulo[i + k] == '/' ||
			    titulo[i + k] == '\\' ? '-' : titulo[i + k];
		i += clen - 1;
	}
	memcpy(out + n, ".txt", 5);
}

/*
 * Content-Disposition for a download (RFC 6266): an ASCII fallback in
 * filename= and the exact UTF-8 name in filename*=. Owned.
 */
static char *
api_materiales_disposition(const char *name)
{
	const unsigned char *s;
	struct buf b;
	char *out;

	buf_init(&b);
	buf_puts(&b, "attachment; filename=\"");
	for (s = (const unsigned char *)name; *s != '\0'; s++) {
		if (*s >= 0x80) {
			/* One '_' per character, not per byte. */
			if ((*s & 0xC0) != 0x80)
				buf_putc(&b, '_');
		} else if (*s < 0x20 || *s == 0x7F || *s == '"' ||
		    *s == '\\' || *s == '%') {
			buf_putc(&b, '_');
		} else {
			buf_putc(&b, (char)*s);
		}
	}
	buf_puts(&b, "\"; filename*=UTF-8''");
	for (s = (const unsigned char *)name; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') ||
		    strchr("!#$&+-.^_`|~", *s) != NULL)
			buf_putc(&b, (char)*s);
		else
			buf_printf(&b, "%%%02X", *s);
	}
	out = buf_steal(&b);
	buf_cleanup(&b);
	return out;
}

/* The query parameters of an upload; every pointer owned. */
struct api_subida {
	char	*actor;
	char	*tipo;
	char	*titulo;
	char	*fecha;
	char	*archivo;
};

static void
api_subida_cleanup(struct api_subida *s)
{
	free(s->actor);
	free(s->tipo);
	free(s->titulo);
	free(s->fecha);
	free(s->archivo);
}

/*
 * Checks an upload's fields and bytes; fills *n (pointers into s, rq and
 * tipo_medio) and the author's name. False after replying.
 */
static bool
api_materiales_validar(struct req *rq, const struct mesa *m,
    const struct api_subida *s, struct buf *tipo_medio, char *autor,
    size_t autor_size, struct material_nuevo *n)
{
	char charset[32];
	struct error err;
	bool texto;

	memset(n, 0, sizeof(*n));
	if (s->actor == NULL || s->tipo == NULL || s->titulo == NULL) {
		reply_errorf(rq, 422, "campo_invalido", "Se requieren los "
		    "parámetros «actor», «tipo» y «titulo» (y opcionalmente "
		    "«fecha» y «archivo»).");
		return false;
	}
	if (!api_materiales_id(s->actor, &n->autor_id)) {
		reply_errorf(rq, 422, "campo_invalido", "El parámetro «actor» "
		    "debe ser el número de un actor de la mesa.");
		return false;
	}
	if (store_material_tipo_label(s->tipo) == NULL) {
		reply_errorf(rq, 422, "tipo_invalido", "El tipo «%s» no "
		    "existe; use problematicas, criterios_minimos, soluciones, "
		    "compromisos_preliminares, consulta_publica, "
		    "solicitudes_informacion, estadisticas, estudios u otro.",
		    validate_utf8(s->tipo, strlen(s->tipo)) ? s->tipo : "?");
		return false;
	}
	n->tipo = s->tipo;
	if (!validate_line(s->titulo, "titulo", TITULO_MAX, false, &err)) {
		reply_error(rq, &err);
		return false;
	}
	if (!api_materiales_no_blanco(s->titulo)) {
		reply_errorf(rq, 422, "texto_invalido",
		    "El campo «titulo» no puede estar en blanco.");
		return false;
	}
	n->titulo = s->titulo;
	if (s->archivo != NULL) {
		if (!validate_line(s->archivo, "archivo", ARCHIVO_MAX, false,
		    &err)) {
			reply_error(rq, &err);
			return false;
		}
		if (strpbrk(s->archivo, "/\\") != NULL ||
		    !api_materiales_no_blanco(s->archivo)) {
			reply_errorf(rq, 422, "texto_invalido", "El campo "
			    "«archivo» debe ser un nombre de archivo, sin "
			    "carpetas.");
			return false;
		}
		n->archivo = s->archivo;
	}

	if (rq->body_len == 0) {
		reply_errorf(rq, 422, "material_vacio",
		    "El material está vacío: envíe el contenido en el cuerpo.");
		return false;
	}
	if (!api_materiales_tipo_medio(rq->body_type != NULL ? rq->body_type
	    : "application/octet-stream", tipo_medio, charset,
	    sizeof(charset))) {
		reply_errorf(rq, 422, "tipo_medio_invalido", "El tipo de "
		    "contenido (Content-Type) no es un tipo MIME válido, como "
		    "application/pdf.");
		return false;
	}
	texto = strncmp(tipo_medio->data, "text/plain", 10) == 0 &&
	    (tipo_medio->data[10] == '\0' || tipo_medio->data[10] == ';');
	if (n->archivo == NULL) {
		/* No file name: a text typed or pasted, stored as UTF-8. */
		if (!texto || (charset[0] != '\0' &&
		    strcmp(charset, "utf-8") != 0)) {
			reply_errorf(rq, 422, "tipo_medio_invalido", "Un "
			    "material sin «archivo» es un texto y se envía "
			    "como " TEXTO_TIPO_MEDIO "; para un archivo, "
			    "indique su nombre en «archivo».");
			return false;
		}
		buf_reset(tipo_medio);
		buf_puts(tipo_medio, TEXTO_TIPO_MEDIO);
		snprintf(charset, sizeof(charset), "utf-8");
	}
	n->tipo_medio = tipo_medio->data;
	/* A text that says it is UTF-8 must be, and has no NULs. */
	if (strncmp(tipo_medio->data, "text/", 5) == 0 &&
	    strcmp(charset, "utf-8") == 0 &&
	    (!validate_utf8(rq->body, rq->body_len) ||
	    memchr(rq->body, '\0', rq->body_len) != NULL)) {
		reply_errorf(rq, 422, "texto_invalido", "El contenido no es "
		    "texto UTF-8 válido, como declara su tipo.");
		return false;
	}
	n->contenido = rq->body;
	n->len = rq->body_len;

	n->fecha_entrega = m->hoy;
	if (s->fecha != NULL && !dates_parse(s->fecha, &n->fecha_entrega)) {
		reply_errorf(rq, 422, "fecha_invalida", "La fecha «%s» no es "
		    "una fecha válida con formato AAAA-MM-DD.",
		    validate_utf8(s->fecha, strlen(s->fecha)) ? s->fecha
		    : "?");
		return false;
	}
	if (n->fecha_entrega > m->hoy) {
		char hoy[11];

		dates_format(m->hoy, hoy);
		reply_errorf(rq, 422, "fecha_futura", "La fecha de entrega %s "
		    "es posterior a hoy (%s, hora local de la mesa).",
		    s->fecha, hoy);
		return false;
	}
	n->retroactivo = n->fecha_entrega < m->hoy;
	n->usuario_id = rq->user.id;
	if (!store_actor_nombre(rq->db, m->id, n->autor_id, autor,
	    autor_size, &err)) {
		reply_error(rq, &err);
		return false;
	}
	return true;
}

void
api_materiales_agregar(struct req *rq)
{
	char sha[TOKEN_HASH_LEN + 1], fecha[11], autor[201], *motivo;
	struct material_nuevo n;
	struct api_subida s;
	struct buf tipo_medio;
	struct error err;
	struct mesa m;
	json_t *mat;
	long long id;

	if (!api_mesa_abrir(rq, 0, true, &m))
		return;
	memset(&s, 0, sizeof(s));
	buf_init(&tipo_medio);
	s.actor = req_query(rq, "actor");
	s.tipo = req_query(rq, "tipo");
	s.titulo = req_query(rq, "titulo");
	s.fecha = req_query(rq, "fecha");
	s.archivo = req_query(rq, "archivo");
	if (!api_materiales_fase(rq, &m, "agregar materiales") ||
	    !api_materiales_validar(rq, &m, &s, &tipo_medio, autor,
	    sizeof(autor), &n))
		goto out;
	token_sha256_hex(n.contenido, n.len, sha);
	n.sha256 = sha;
	if ((mat = store_material_crear(rq->db, m.id, &n, &err)) == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	id = json_integer_value(json_object_get(mat, "id"));
	dates_format(n.fecha_entrega, fecha);
	motivo = xasprintf("se agregó el material «%s»", n.titulo);
	if (!store_evento(rq->db, m.id, rq->user.id, n.autor_id,
	    "material.agregado", json_pack("{s:I, s:s, s:s, s:s, s:I, s:s,"
	    " s:b}", "material_id", (json_int_t)id, "tipo", n.tipo,
	    "titulo", n.titulo, "sha256", sha, "tamano", (json_int_t)n.len,
	    "fecha", fecha, "retroactivo", n.retroactivo), &err,
	    "Material agregado: «%s» (%s) de %s, entregado el %s%s.",
	    n.titulo, store_material_tipo_label(n.tipo), autor, fecha,
	    n.retroactivo ? ", fecha anterior a su registro" : "") ||
	    !store_mesa_suspender(rq->db, &m, rq->user.id, motivo, &err)) {
		free(motivo);
		json_decref(mat);
		reply_error(rq, &err);
		goto out;
	}
	free(motivo);
	reply_json(rq, 201, mat);
out:
	buf_cleanup(&tipo_medio);
	api_subida_cleanup(&s);
}

void
api_materiales_listar(struct req *rq)
{
	struct error err;
	struct mesa m;
	json_t *o;

	if (!api_mesa_abrir(rq, 0, false, &m))
		return;
	if ((o = store_materiales_listar(rq->db, m.id, &err)) == NULL)
		reply_error(rq, &err);
	else
		reply_json(rq, 200, o);
}

void
api_materiales_contenido(struct req *rq)
{
	char nombre[ARCHIVO_MAX + 1];
	struct material mat;
	struct error err;
	struct mesa m;
	long long id;

	if (!api_mesa_abrir(rq, 0, false, &m) || !req_param_id(rq, 1, &id))
		return;
	if (!store_material_cargar(rq->db, m.id, id, true, &mat, &err)) {
		reply_error(rq, &err);
		return;
	}
	api_materiales_nombre(mat.archivo, mat.titulo, nombre,
	    sizeof(nombre));
	reply_bytes(rq, 200, mat.tipo_medio, mat.contenido, mat.len);
	free(rq->out_disposition);
	rq->out_disposition = api_materiales_disposition(nombre);
	store_material_cleanup(&mat);
}

/* "1 material" / "3 materiales". */
static const char *
api_materiales_plural(size_t n)
{
	return n == 1 ? "material" : "materiales";
}

/* The email of a send: greeting, what it carries, the link. Owned. */
static char *
api_materiales_texto(const struct mesa *m, const struct faltante *f,
    const struct material *mats, const char *nombres, const char *url)
{
	struct buf b;
	char *out;
	bool uno = f->n == 1;

	buf_init(&b);
	buf_printf(&b, "Estimada/o %s:\n\n"
	    "Para preparar la mesa de diálogo «%s» del Plan de Acción Local "
	    "de %s, le enviamos %s que aún no tiene:\n\n",
	    f->nombre, m->titulo, m->entidad,
	    uno ? "el material" : "los materiales");
	for (size_t i = 0; i < f->n; i++) {
		const struct material *x = &mats[f->materiales[i]];

		buf_printf(&b, "- %s: «%s», de %s (adjunto: %s)\n",
		    store_material_tipo_label(x->tipo), x->titulo, x->autor,
		    nombres + i * (ARCHIVO_MAX + 1));
	}
	buf_printf(&b, "\n%s\n\n"
	    "Por favor, confirme que %s recibió: abra su enlace personal y "
	    "pulse el botón «Confirmo que recibí los materiales».\n\n"
	    "%s\n\n"
	    "La mesa no puede convocarse hasta que todos los actores "
	    "confirmen que recibieron todos los materiales, y cada actor "
	    "debe tenerlos al menos %d días antes de la mesa: su "
	    "confirmación cuenta.\n\n"
	    "El enlace es personal; no lo reenvíe. Si le falta algún "
	    "archivo o no puede abrir el enlace, escriba a su "
	    "facilitador(a).\n\n"
	    "%s\nFacilitación del Secretariado Técnico Local\n",
	    uno ? "El archivo va adjunto a este correo."
	    : "Los archivos van adjuntos a este correo.",
	    uno ? "lo" : "los", url, RULES_DIAS_ANTICIPACION,
	    m->facilitador_nombre);
	out = buf_steal(&b);
	buf_cleanup(&b);
	return out;
}

/*
 * One send to the actor of f: a link, the email with what it lacks
 * attached, the envio and its event. Returns the send as docs/API.md
 * shows it (new reference), or NULL with err.
 */
static json_t *
api_materiales_enviar_uno(PGconn *conn, const struct mesa *m,
    long long usuario_id, const struct material *mats,
    const struct faltante *f, struct error *err)
{
	char token[TOKEN_TEXT_LEN + 1], hash[TOKEN_HASH_LEN + 1];
	char *nombres, *text = NULL, *subject = NULL, *url = NULL;
	const char *base = config_live->public_url;
	struct mime_attachment *att;
	struct outbox_mail mail;
	long long *ids, outbox_id, envio_id;
	json_t *jids, *out = NULL;
	size_t blen = strlen(base);

	nombres = xcalloc(f->n, ARCHIVO_MAX + 1);
	att = xcalloc(f->n, sizeof(*att));
	ids = xcalloc(f->n, sizeof(*ids));
	jids = json_array();
	for (size_t i = 0; i < f->n; i++) {
		const struct material *x = &mats[f->materiales[i]];
		char *nombre = nombres + i * (ARCHIVO_MAX + 1);

		api_materiales_nombre(x->archivo, x->titulo, nombre,
		    ARCHIVO_MAX + 1);
		att[i].filename = nombre;
		att[i].content_type = x->tipo_medio;
		att[i].data = x->contenido;
		att[i].len = x->len;
		ids[i] = x->id;
		json_array_append_new(jids, json_integer(x->id));
	}
	if (!token_generate(token)) {
		error_set(err, 500, "error_interno", "No se pudo generar el "
		    "enlace personal; intente de nuevo.");
		goto out;
	}
	token_hash(token, hash);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	url = xasprintf("%.*s/e/%s", (int)blen, base, token);
	text = api_materiales_texto(m, f, mats, nombres, url);
	subject = xasprintf("Materiales para la mesa «%s»", m->titulo);
	memset(&mail, 0, sizeof(mail));
	mail.tipo = "materiales";
	mail.mesa_id = m->id;
	mail.to_name = f->nombre;
	mail.to_addr = f->email;
	mail.subject = subject;
	mail.text = text;
	mail.attachments = att;
	mail.n_attachments = f->n;
	if (!outbox_enqueue(conn, &mail, &outbox_id, NULL, err) ||
	    !store_envio_crear(conn, m->id, f->actor_id, hash, usuario_id,
	    outbox_id, ids, f->n, &envio_id, err) ||
	    !store_evento(conn, m->id, usuario_id, f->actor_id,
	    "material.enviado", json_pack("{s:I, s:O, s:I}", "envio_id",
	    (json_int_t)envio_id, "materiales", jids, "outbox_id",
	    (json_int_t)outbox_id), err,
	    "Se enviaron %zu %s a %s (%s) con su enlace para confirmar la "
	    "recepción.", f->n, api_materiales_plural(f->n), f->nombre,
	    f->email))
		goto out;
	out = json_pack("{s:I, s:I, s:s, s:s, s:O, s:I}",
	    "id", (json_int_t)envio_id, "actor_id", (json_int_t)f->actor_id,
	    "actor", f->nombre, "email", f->email, "materiales", jids,
	    "outbox_id", (json_int_t)outbox_id);
out:
	/* The clear token lives only in the email. */
	memset(token, 0, sizeof(token));
	if (url != NULL)
		memset(url, 0, strlen(url));
	if (text != NULL)
		memset(text, 0, strlen(text));
	free(url);
	free(text);
	free(subject);
	json_decref(jids);
	free(ids);
	free(att);
	free(nombres);
	return out;
}

void
api_materiales_enviar(struct req *rq)
{
	struct material *mats = NULL;
	struct faltante *fs = NULL;
	size_t nmats = 0, nfs = 0;
	struct error err;
	struct mesa m;
	json_t *envios;

	if (!api_mesa_abrir(rq, 0, true, &m) ||
	    !api_materiales_fase(rq, &m, "enviar materiales"))
		return;
	if (!store_materiales_faltantes(rq->db, m.id, &mats, &nmats, &fs,
	    &nfs, &err)) {
		reply_error(rq, &err);
		return;
	}
	envios = json_array();
	for (size_t i = 0; i < nfs; i++) {
		json_t *e = api_materiales_enviar_uno(rq->db, &m, rq->user.id,
		    mats, &fs[i], &err);

		if (e == NULL) {
			reply_error(rq, &err);
			goto out;
		}
		json_array_append_new(envios, e);
	}
	reply_json(rq, 200, json_pack("{s:O}", "envios", envios));
out:
	json_decref(envios);
	store_faltantes_free(mats, nmats, fs, nfs);
}

void
api_acuses_registrar(struct req *rq)
{
	const char *medio = NULL, *fecha_s;
	json_int_t actor = 0, material = 0;
	char nombre[201], fecha[11];
	json_t *body, *jfecha = NULL, *acuse;
	json_error_t jerr;
	struct material mat;
	struct error err;
	struct mesa m;
	int dia;
	bool retro;

	if (!api_mesa_abrir(rq, 0, true, &m))
		return;
	if ((body = req_json(rq)) == NULL)
		return;
	if (json_unpack_ex(body, &jerr, 0, "{s:I, s:I, s:s, s?o}", "actor",
	    &actor, "material", &material, "medio", &medio, "fecha",
	    &jfecha) != 0 ||
	    (jfecha != NULL && !json_is_string(jfecha) &&
	    !json_is_null(jfecha))) {
		reply_errorf(rq, 422, "campo_invalido", "Se requieren «actor» "
		    "y «material» (números) y «medio» (texto); «fecha» "
		    "(AAAA-MM-DD) es opcional.");
		goto out;
	}
	if (!validate_line(medio, "medio", MEDIO_MAX, false, &err)) {
		reply_error(rq, &err);
		goto out;
	}
	if (!api_materiales_no_blanco(medio) ||
	    strcasecmp(medio, "enlace") == 0 ||
	    strcasecmp(medio, "autor") == 0) {
		reply_errorf(rq, 422, "texto_invalido", "El campo «medio» dice "
		    "por qué vía llegó el material (por ejemplo «correo "
		    "postal» o «entrega en mano»); «enlace» y «autor» los "
		    "registra pald.");
		goto out;
	}
	dia = m.hoy;
	fecha_s = json_string_value(jfecha);
	if (fecha_s != NULL && !dates_parse(fecha_s, &dia)) {
		reply_errorf(rq, 422, "fecha_invalida", "La fecha «%s» no es "
		    "una fecha válida con formato AAAA-MM-DD.", fecha_s);
		goto out;
	}
	dates_format(dia, fecha);
	if (dia > m.hoy) {
		char hoy[11];

		dates_format(m.hoy, hoy);
		reply_errorf(rq, 422, "fecha_futura", "La fecha de recepción "
		    "%s es posterior a hoy (%s, hora local de la mesa).",
		    fecha, hoy);
		goto out;
	}
	if (!api_materiales_fase(rq, &m, "registrar acuses"))
		goto out;
	if (!store_actor_nombre(rq->db, m.id, actor, nombre, sizeof(nombre),
	    &err) ||
	    !store_material_cargar(rq->db, m.id, material, false, &mat,
	    &err)) {
		reply_error(rq, &err);
		goto out;
	}
	if (dia < mat.fecha_entrega) {
		char entrega[11];

		dates_format(mat.fecha_entrega, entrega);
		reply_errorf(rq, 422, "fecha_anterior_al_material", "La fecha "
		    "de recepción %s es anterior a la entrega del material "
		    "«%s» (%s).", fecha, mat.titulo, entrega);
		goto out;
	}
	retro = dia < m.hoy;
	acuse = store_acuse_registrar(rq->db, m.id, actor, material, dia,
	    medio, retro, rq->user.id, &err);
	if (acuse == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	if (!store_evento(rq->db, m.id, rq->user.id, actor,
	    "acuse.registrado", json_pack("{s:b, s:s, s:s, s:I}",
	    "retroactivo", retro, "fecha", fecha, "medio", medio,
	    "material_id", material), &err,
	    "%s registró que %s recibió «%s» el %s por %s%s.",
	    rq->user.nombre, nombre, mat.titulo, fecha, medio,
	    retro ? " (fecha anterior a su registro)" : "")) {
		json_decref(acuse);
		reply_error(rq, &err);
		goto out;
	}
	reply_json(rq, 201, acuse);
out:
	json_decref(body);
}
