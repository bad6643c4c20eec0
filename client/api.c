/*
 * HTTP for pal through a libcurl easy handle per request: pal makes one
 * or two requests per run, so there is nothing to gain from keeping
 * connections. Every request carries the same headers and limits (5 s to
 * connect, 120 s in all, http and https only, no redirects followed).
 *
 * It does not interpret replies beyond parsing a JSON body: which status
 * is success, and what to print, is the command's business.
 */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "xmalloc.h"

#ifndef PALD_VERSION
#define PALD_VERSION	"desconocida"
#endif

void
api_response_init(struct api_response *r)
{
	r->status = 0;
	r->json = NULL;
	buf_init(&r->body);
	r->content_type = NULL;
	r->disposition = NULL;
	r->error[0] = '\0';
}

void
api_response_cleanup(struct api_response *r)
{
	json_decref(r->json);
	r->json = NULL;
	buf_cleanup(&r->body);
	free(r->content_type);
	r->content_type = NULL;
	free(r->disposition);
	r->disposition = NULL;
}

static void
api_response_reset(struct api_response *r)
{
	r->status = 0;
	json_decref(r->json);
	r->json = NULL;
	buf_reset(&r->body);
	free(r->content_type);
	r->content_type = NULL;
	free(r->disposition);
	r->disposition = NULL;
	r->error[0] = '\0';
}

static size_t
api_write_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct buf *body = arg;

	buf_append(body, data, size * nmemb);
	return size * nmemb;
}

/*
 * Keeps the Content-Disposition of the reply, which names a downloaded
 * file; curl has no getinfo for it. A later header (after a 100
 * Continue, say) replaces an earlier one.
 */
static size_t
api_header_cb(char *data, size_t size, size_t nitems, void *arg)
{
	static const char name[] = "content-disposition:";
	struct api_response *r = arg;
	size_t len = size * nitems, n = sizeof(name) - 1;

	if (len > n && strncasecmp(data, name, n) == 0) {
		while (n < len && (data[n] == ' ' || data[n] == '\t'))
			n++;
		while (len > n && (data[len - 1] == '\r' ||
		    data[len - 1] == '\n' || data[len - 1] == ' '))
			len--;
		free(r->disposition);
		r->disposition = xstrndup(data + n, len - n);
	}
	return size * nitems;
}

/* Appends "Name: value" to list; curl copies the string. */
static struct curl_slist *
api_header(struct curl_slist *list, const char *name, const char *value)
{
	char *line = xasprintf("%s: %s", name, value);
	struct curl_slist *l = curl_slist_append(list, line);

	free(line);
	if (l == NULL) {
		fprintf(stderr, "fatal: out of memory in curl_slist_append\n");
		abort();
	}
	return l;
}

bool
api_request_raw(const struct settings *s, const char *method,
    const char *path, const char *content_type, const void *data,
    size_t len, const char *accept, struct api_response *r)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *headers = NULL;
	char *url = NULL, *auth = NULL;
	const char *ct;
	CURL *h;
	CURLcode rc;
	bool ok = false;

	api_response_reset(r);
	if ((h = curl_easy_init()) == NULL) {
		snprintf(r->error, sizeof(r->error),
		    "no se pudo iniciar libcurl");
		return false;
	}
	url = xasprintf("%s%s", s->url, path);
	headers = api_header(headers, "Accept",
	    accept != NULL ? accept : "application/json");
	if (content_type != NULL)
		headers = api_header(headers, "Content-Type", content_type);
	else if (strcmp(method, "GET") != 0)
		/*
		 * A POST without a body would otherwise claim curl's default
		 * form type; a header with no value tells curl to send none.
		 */
		headers = api_header(headers, "Content-Type", "");
	if (s->token != NULL) {
		auth = xasprintf("Bearer %s", s->token);
		headers = api_header(headers, "Authorization", auth);
	}

	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "pal/" PALD_VERSION);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT,
	    (long)API_CONNECT_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)API_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, api_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, api_header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	else {
		/*
		 * POSTFIELDS with an explicit size sends binary data as is
		 * and "Content-Length: 0" when there is none; any other
		 * method keeps that body handling and changes only its name.
		 */
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS,
		    data != NULL ? data : "");
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	}

	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	/*
	 * evhttp answers a body over its limit with 413 and closes the
	 * connection while curl may still be sending: curl then reports a
	 * send error although the refusal arrived. Keep such a refusal; a
	 * success cut short is a failure.
	 */
	if (rc != CURLE_OK && r->status < 400) {
		r->status = 0;
		buf_reset(&r->body);
		snprintf(r->error, sizeof(r->error),
		    "no se pudo conectar con %s: %s", s->url,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		r->content_type = xstrdup(ct);
	if (r->body.len > 0 && (r->content_type == NULL ||
	    strstr(r->content_type, "json") != NULL))
		r->json = json_loadb(r->body.data, r->body.len, 0, NULL);
	ok = true;
out:
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	free(auth);
	free(url);
	return ok;
}

bool
api_request(const struct settings *s, const char *method, const char *path,
    json_t *body, struct api_response *r)
{
	char *text = NULL;
	bool ok;

	if (body != NULL &&
	    (text = json_dumps(body, JSON_COMPACT)) == NULL) {
		api_response_reset(r);
		snprintf(r->error, sizeof(r->error),
		    "no se pudo codificar la petición como JSON");
		return false;
	}
	ok = api_request_raw(s, method, path,
	    body != NULL ? "application/json" : NULL, text,
	    text != NULL ? strlen(text) : 0, "application/json", r);
	free(text);
	return ok;
}

void
api_query_add(struct buf *path, const char *name, const char *value)
{
	char *n, *v;

	if (value == NULL)
		return;
	/* Since curl 7.82 the handle argument is ignored. */
	n = curl_easy_escape(NULL, name, 0);
	v = curl_easy_escape(NULL, value, 0);
	if (n == NULL || v == NULL) {
		fprintf(stderr, "fatal: curl_easy_escape failed\n");
		abort();
	}
	buf_printf(path, "%c%s=%s", strchr(path->data, '?') ? '&' : '?', n,
	    v);
	curl_free(v);
	curl_free(n);
}

int
api_exit_code(long status)
{
	if (status >= 200 && status < 400)
		return PAL_EXIT_OK;
	if (status >= 400 && status < 500)
		return PAL_EXIT_REFUSED;
	return PAL_EXIT_UNAVAILABLE;
}
