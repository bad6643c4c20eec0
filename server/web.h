/*
 * HTML for people without an account: the personal-link pages and the
 * dashboard. One page skeleton (Spanish, UTF-8, inline CSS that reads on
 * a phone, no scripts, no external resources) and the escaping every
 * piece of text from the database goes through.
 */
#ifndef PALD_WEB_H
#define PALD_WEB_H

#include "buf.h"
#include "http.h"

#define WEB_HTML_TYPE	"text/html; charset=utf-8"

/* Appends s with &, <, >, " and ' escaped; NULL appends nothing. */
void	web_escape(struct buf *b, const char *s);
/* Formats like printf, then appends the result escaped. */
void	web_escapef(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Starts a page: doctype, head (charset, viewport, no referrer, so the
 * secret in a link's URL never leaks to another site; noindex; the
 * style sheet) and the body up to an <h1> holding title (escaped). The
 * caller appends the content, then calls web_page_end.
 */
void	web_page_begin(struct buf *b, const char *title);
/* Closes what web_page_begin opened, with the common footer. */
void	web_page_end(struct buf *b);

/*
 * Replies with the page in b (WEB_HTML_TYPE). b is left empty and
 * initialised: the caller still calls buf_cleanup.
 */
void	web_reply(struct req *rq, int status, struct buf *b);
/* A whole page: title and one paragraph of text, both escaped. */
void	web_reply_message(struct req *rq, int status, const char *title,
	    const char *text);

#endif
