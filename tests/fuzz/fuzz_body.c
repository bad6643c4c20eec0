/*
 * Target "body": a request body exactly as the API receives it. req_json
 * either answers 400 "json_invalido" with an error that is itself valid
 * JSON, or yields an object; every string of that object, keys included,
 * then goes through the pure checks the handlers build their field
 * validation from, each compared with an oracle written here:
 * validate_utf8, validate_line, validate_email, dates_parse,
 * dates_parse_time and the phase and criterion names.
 *
 * It deliberately does not call the handlers: their field checks are
 * static in server/api_*.c and run inside a database transaction.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "dates.h"
#include "http.h"
#include "rules.h"
#include "validate.h"

#define BODY_LINE_MAX	200	/* a name or a title, as the API allows */
#define BODY_DEPTH_MAX	8

/* What validate.h calls a control character in a one-line text. */
static bool
body_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 ||
	    cp == 0x2029 || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

static void
body_check_error(const struct error *err, int status, const char *code)
{
	FUZZ_ASSERT(err->status == status, "status %d, not %d", err->status,
	    status);
	FUZZ_ASSERT(strcmp(err->code, code) == 0, "code %s, not %s",
	    err->code, code);
	FUZZ_ASSERT(err->message[0] != '\0', "empty message for %s", code);
	/* The message quotes the field name and goes out as JSON. */
	FUZZ_ASSERT(fuzz_utf8_ok(err->message, strlen(err->message)),
	    "message of %s is not UTF-8", code);
}

static void
body_check_line(const char *key, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	struct error err;
	bool want, got;
	uint32_t cp;
	size_t n;

	want = len > 0 && len <= BODY_LINE_MAX;
	for (size_t i = 0; want && i < len; i += n) {
		n = fuzz_utf8_next(p + i, len - i, &cp);
		want = n > 0 && !body_is_control(cp);
	}
	memset(&err, 0, sizeof(err));
	got = validate_line(s, key, BODY_LINE_MAX, false, &err);
	FUZZ_ASSERT(got == want, "validate_line said %d for a %zu-byte text",
	    got, len);
	if (!got)
		body_check_error(&err, 422, "texto_invalido");
	FUZZ_ASSERT(validate_line(s, key, BODY_LINE_MAX, true, NULL) ==
	    (want || len == 0), "allow_empty changed more than the empty case");
}

static bool
body_is_atext(unsigned char c)
{
	return c != '\0' && (strchr("abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~", c) !=
	    NULL);
}

/* The grammar validate.h documents, checked piece by piece. */
static bool
body_email_oracle(const char *s, size_t len)
{
	const char *at = memchr(s, '@', len), *label, *end;
	size_t local;

	if (len > VALIDATE_EMAIL_MAX || at == NULL)
		return false;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || s[local - 1] == '.')
		return false;
	for (size_t i = 0; i < local; i++)
		if (!(body_is_atext((unsigned char)s[i]) ||
		    (s[i] == '.' && s[i + 1] != '.')))
			return false;
	end = s + len;
	for (label = at + 1;; label++) {
		const char *dot = memchr(label, '.', (size_t)(end - label));
		size_t l = (size_t)((dot != NULL ? dot : end) - label);

		if (l == 0 || l > 63 || label[0] == '-' || label[l - 1] == '-')
			return false;
		for (size_t i = 0; i < l; i++)
			if (label[i] == '\0' || strchr("abcdefghijklmnopqrstu"
			    "vwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-",
			    label[i]) == NULL)
				return false;
		if (dot == NULL)
			return true;
		label = dot;
	}
}

static void
body_check_email(const char *key, const char *s, size_t len)
{
	struct error err;
	bool got;

	memset(&err, 0, sizeof(err));
	got = validate_email(s, key, &err);
	FUZZ_ASSERT(got == body_email_oracle(s, len),
	    "validate_email said %d for \"%s\"", got, s);
	if (!got) {
		body_check_error(&err, 422, "email_invalido");
		return;
	}
	/* What keeps SMTP commands and headers out of the envelope. */
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT(s[i] > 0x20 && s[i] < 0x7F,
		    "accepted address holds byte 0x%02x", (unsigned char)s[i]);
}

/* Whether s is a real AAAA-MM-DD date in range, asking timegm. */
static bool
body_date_oracle(const char *s, size_t len, int *days)
{
	struct tm tm;
	time_t t;
	int y, m, d;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = atoi(s);
	m = (s[5] - '0') * 10 + s[6] - '0';
	d = (s[8] - '0') * 10 + s[9] - '0';
	if (y < DATES_MIN_YEAR || y > DATES_MAX_YEAR)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	t = timegm(&tm);
	/* timegm normalises 2026-02-30 into March: compare back. */
	if (tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d)
		return false;
	*days = (int)((t - 12 * 3600) / 86400);
	return true;
}

static void
body_check_dates(const char *s, size_t len)
{
	char out[11];
	int days = 0, want_days = 0, minutes = -1;
	bool got, want;

	got = dates_parse(s, &days);
	want = body_date_oracle(s, len, &want_days);
	FUZZ_ASSERT(got == want, "dates_parse said %d for \"%s\"", got, s);
	if (got) {
		FUZZ_ASSERT(days == want_days, "\"%s\" is day %d, not %d", s,
		    days, want_days);
		dates_format(days, out);
		FUZZ_ASSERT(strcmp(out, s) == 0, "\"%s\" formats back as %s",
		    s, out);
	}
	got = dates_parse_time(s, &minutes);
	want = len == 5 && s[2] == ':' && strspn(s, "0123456789:") == 5 &&
	    strchr(s + 3, ':') == NULL && strchr(s, ':') == s + 2 &&
	    atoi(s) < 24 && atoi(s + 3) < 60;
	FUZZ_ASSERT(got == want, "dates_parse_time said %d for \"%s\"", got,
	    s);
	if (got)
		FUZZ_ASSERT(minutes == atoi(s) * 60 + atoi(s + 3),
		    "\"%s\" is %d minutes", s, minutes);
}

static void
body_check_names(const char *s)
{
	enum fase f;
	unsigned bit;

	if (rules_fase_parse(s, &f))
		FUZZ_ASSERT(strcmp(rules_fase_name(f), s) == 0,
		    "phase \"%s\" names back as %s", s, rules_fase_name(f));
	bit = rules_criterio_bit(s);
	if (bit != 0)
		FUZZ_ASSERT(rules_criterio_name(bit) != NULL &&
		    strcmp(rules_criterio_name(bit), s) == 0,
		    "criterion \"%s\" does not name back", s);
}

/* Every check a handler might apply to a string field. */
static void
body_check_string(const char *key, const char *s, size_t len)
{
	/* Without JSON_ALLOW_NUL jansson never yields an embedded NUL. */
	FUZZ_ASSERT(strlen(s) == len, "string with an embedded NUL");
	FUZZ_ASSERT(fuzz_utf8_ok(s, len), "jansson yielded invalid UTF-8");
	FUZZ_ASSERT(validate_utf8(s, len), "validate_utf8 refused UTF-8");
	body_check_line(key, s, len);
	body_check_email(key, s, len);
	body_check_dates(s, len);
	body_check_names(s);
}

static void
body_walk(const char *key, json_t *v, int depth)
{
	const char *k;
	json_t *m;
	size_t i;

	if (depth > BODY_DEPTH_MAX)
		return;
	if (json_is_string(v))
		body_check_string(key, json_string_value(v),
		    json_string_length(v));
	else if (json_is_object(v)) {
		json_object_foreach(v, k, m) {
			body_check_string("clave", k, strlen(k));
			body_walk(k, m, depth + 1);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			body_walk(key, m, depth + 1);
	}
}

/* A refused body gets 400 and a JSON error naming json_invalido. */
static void
body_check_reply(const struct req *rq)
{
	json_error_t jerr;
	json_t *reply, *code, *message;

	FUZZ_ASSERT(rq->status == 400, "refused body got status %d",
	    rq->status);
	reply = json_loads(rq->out.data, 0, &jerr);
	FUZZ_ASSERT(reply != NULL, "error reply is not JSON: %s",
	    rq->out.data);
	code = json_object_get(json_object_get(reply, "error"), "code");
	message = json_object_get(json_object_get(reply, "error"),
	    "message");
	FUZZ_ASSERT(json_is_string(code) &&
	    strcmp(json_string_value(code), "json_invalido") == 0,
	    "error reply has the wrong code: %s", rq->out.data);
	FUZZ_ASSERT(json_is_string(message) &&
	    json_string_length(message) > 0, "error reply has no message");
	json_decref(reply);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct req rq;
	json_t *body;

	memset(&rq, 0, sizeof(rq));
	buf_init(&rq.out);
	/* As http.c stores it: the bytes, then a NUL it does not count. */
	rq.body = malloc(size + 1);
	if (rq.body == NULL)
		abort();
	memcpy(rq.body, data, size);
	rq.body[size] = '\0';
	rq.body_len = size;

	body = req_json(&rq);
	if (body == NULL)
		body_check_reply(&rq);
	else {
		FUZZ_ASSERT(json_is_object(body), "req_json yielded a "
		    "non-object");
		FUZZ_ASSERT(rq.status == 0, "accepted body was replied to");
		body_walk("cuerpo", body, 0);
		json_decref(body);
	}
	free(rq.out_type);
	buf_cleanup(&rq.out);
	free(rq.body);
	return 0;
}
