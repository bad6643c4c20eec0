/*
 * GET /v1/correos and POST /v1/correos/prueba. The test message goes
 * through the outbox like every other message, so it exercises exactly
 * the path a real convocatoria takes: operators use it to check their SMTP
 * settings.
 */
#include "api_correo.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "outbox.h"
#include "validate.h"
#include "xmalloc.h"

#define CORREO_LIST_DEFAULT	100
#define CORREO_LIST_MAX		1000

void
api_correo_listar(struct req *rq)
{
	char *estado = req_query(rq, "estado");
	char *limite = req_query(rq, "limite");
	struct error err;
	json_t *list = NULL;
	long n = CORREO_LIST_DEFAULT;

	if (estado != NULL && strcmp(estado, "pendiente") != 0 &&
	    strcmp(estado, "enviado") != 0 && strcmp(estado, "fallido") != 0) {
		reply_errorf(rq, 422, "estado_invalido",
		    "El estado debe ser pendiente, enviado o fallido.");
		goto out;
	}
	if (limite != NULL) {
		char *end;

		n = strtol(limite, &end, 10);
		if (*limite == '\0' || *end != '\0' || n < 1 ||
		    n > CORREO_LIST_MAX) {
			reply_errorf(rq, 422, "limite_invalido",
			    "El límite debe ser un número entre 1 y %d.",
			    CORREO_LIST_MAX);
			goto out;
		}
	}
	list = outbox_list(rq->db, estado, (int)n, &err);
	if (list == NULL) {
		reply_error(rq, &err);
		goto out;
	}
	reply_json(rq, 200, json_pack("{s:o}", "correos", list));
out:
	free(estado);
	free(limite);
}

/* Decodes standard base64 (no line breaks); NULL if malformed. */
static unsigned char *
correo_base64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s);
	unsigned char *out;
	int r;

	if (n % 4 != 0)
		return NULL;
	out = xmalloc(n / 4 * 3 + 1);
	r = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
	if (r < 0) {
		free(out);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as data bytes. */
	if (n > 0 && s[n - 1] == '=')
		r--;
	if (n > 1 && s[n - 2] == '=')
		r--;
	*len = (size_t)r;
	return out;
}

void
api_correo_probar(struct req *rq)
{
	const char *email = NULL, *nombre = NULL, *tipo = NULL,
	    *contenido = NULL;
	json_t *body, *adjunto = NULL;
	json_error_t jerr;
	struct error err;
	struct mime_attachment att;
	struct outbox_mail m;
	unsigned char *data = NULL;
	char *message_id = NULL;
	long long id;

	if ((body = req_json(rq)) == NULL)
		return;
	if (json_unpack_ex(body, &jerr, 0, "{s:s, s?o}", "email", &email,
	    "adjunto", &adjunto) != 0 ||
	    (adjunto != NULL && json_unpack_ex(adjunto, &jerr, 0,
	    "{s:s, s:s, s:s}", "nombre", &nombre, "tipo", &tipo,
	    "contenido", &contenido) != 0)) {
		reply_errorf(rq, 422, "campo_invalido",
		    "Se espera email (texto) y, opcional, adjunto con nombre, "
		    "tipo y contenido en base64.");
		goto out;
	}
	if (!validate_email(email, "email", &err)) {
		reply_error(rq, &err);
		goto out;
	}
	memset(&m, 0, sizeof(m));
	m.tipo = "prueba";
	m.to_addr = email;
	m.subject = "Prueba de correo: Plan de Acción Local";
	m.text = "Este es un mensaje de prueba enviado por pald.\n\n"
	    "Si lo recibió, la configuración del correo funciona: las "
	    "convocatorias, los acuses y los recordatorios de las "
	    "actividades llegarán por este mismo camino.\n";
	if (adjunto != NULL) {
		att.filename = nombre;
		att.content_type = tipo;
		att.data = data = correo_base64_decode(contenido, &att.len);
		if (data == NULL) {
			reply_errorf(rq, 422, "adjunto_invalido",
			    "El contenido del adjunto no es base64 válido.");
			goto out;
		}
		m.attachments = &att;
		m.n_attachments = 1;
	}
	if (!outbox_enqueue(rq->db, &m, &id, &message_id, &err)) {
		reply_error(rq, &err);
		goto out;
	}
	reply_json(rq, 202, json_pack("{s:I, s:s, s:s, s:s}", "id",
	    (json_int_t)id, "message_id", message_id, "destinatario", email,
	    "estado", "pendiente"));
out:
	free(data);
	free(message_id);
	json_decref(body);
}
