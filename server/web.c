/*
 * The HTML every page of pald shares. Pages are built as text in a
 * struct buf: the skeleton comes from here and every value that came
 * from a person goes through web_escape, so a name like
 * "<script>" shows as text. The style sheet is inline and small: the
 * pages are read on phones, often on slow connections, and must work
 * with no other request.
 *
 * It deliberately has no templates, no scripts and no forms of its own:
 * each page (web_enlaces.c, the dashboard) writes its content.
 */
#include "web.h"

#include <stdarg.h>

static const char web_css[] =
    "*{box-sizing:border-box}"
    "html{-webkit-text-size-adjust:100%}"
    "body{margin:0;background:#f4f5f7;color:#1d2330;"
    "font:1.05rem/1.55 system-ui,-apple-system,\"Segoe UI\",Roboto,"
    "\"Noto Sans\",\"DejaVu Sans\",sans-serif}"
    "main{max-width:40rem;margin:0 auto;padding:1.25rem 1rem 2rem;"
    "background:#fff;min-height:100vh}"
    "h1{font-size:1.45rem;line-height:1.25;margin:.5rem 0 1rem;"
    "color:#13315c}"
    "h2{font-size:1.15rem;margin:1.5rem 0 .5rem}"
    "p{margin:.75rem 0}"
    "ul.lista{list-style:none;padding:0;margin:1rem 0}"
    "ul.lista li{border:1px solid #d8dce3;border-radius:.5rem;"
    "padding:.7rem .85rem;margin:.5rem 0}"
    ".meta{display:block;color:#5a6272;font-size:.9rem}"
    ".estado{display:inline-block;margin-top:.3rem;font-size:.9rem;"
    "font-weight:600;padding:.1rem .5rem;border-radius:1rem}"
    ".ok{background:#e3f4e8;color:#1b6b34}"
    ".pendiente{background:#fff3d6;color:#7a5200}"
    ".vencida{background:#fde4e2;color:#9b1c13}"
    ".aviso{background:#eef3fb;border-left:4px solid #13315c;"
    "padding:.75rem .9rem;border-radius:.25rem}"
    ".nota{color:#5a6272;font-size:.92rem}"
    "form{margin:1.5rem 0}"
    "button{display:block;width:100%;font:inherit;font-weight:600;"
    "color:#fff;background:#13315c;border:0;border-radius:.5rem;"
    "padding:.9rem 1rem;cursor:pointer}"
    "button:hover,button:focus{background:#1f4a87}"
    "table{width:100%;border-collapse:collapse;font-size:.95rem}"
    "th,td{text-align:left;padding:.45rem .4rem;"
    "border-bottom:1px solid #e3e6eb;vertical-align:top}"
    "footer{max-width:40rem;margin:0 auto;padding:1rem;color:#5a6272;"
    "font-size:.85rem}"
    "@media (min-width:42rem){main{margin-top:1.5rem;border-radius:.5rem;"
    "min-height:0}}";

void
web_escape(struct buf *b, const char *s)
{
	const char *run = s;

	if (s == NULL)
		return;
	/* Copy runs of plain bytes at once; UTF-8 passes through. */
	for (; *s != '\0'; s++) {
		const char *rep;

		switch (*s) {
		case '&':	rep = "&amp;"; break;
		case '<':	rep = "&lt;"; break;
		case '>':	rep = "&gt;"; break;
		case '"':	rep = "&quot;"; break;
		case '\'':	rep = "&#39;"; break;
		default:	continue;
		}
		buf_append(b, run, (size_t)(s - run));
		buf_puts(b, rep);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}

void
web_escapef(struct buf *b, const char *fmt, ...)
{
	struct buf tmp;
	va_list ap;

	buf_init(&tmp);
	va_start(ap, fmt);
	buf_vprintf(&tmp, fmt, ap);
	va_end(ap);
	web_escape(b, tmp.data);
	buf_cleanup(&tmp);
}

void
web_page_begin(struct buf *b, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
	    "<title>");
	web_escape(b, title);
	buf_puts(b, " · Plan de Acción Local</title>\n<style>");
	buf_puts(b, web_css);
	buf_puts(b, "</style>\n</head>\n<body>\n<main>\n<h1>");
	web_escape(b, title);
	buf_puts(b, "</h1>\n");
}

void
web_page_end(struct buf *b)
{
	buf_puts(b, "</main>\n<footer>Plan de Acción Local · Gobierno "
	    "Abierto: Cocreación desde lo local</footer>\n</body>\n"
	    "</html>\n");
}

void
web_reply(struct req *rq, int status, struct buf *b)
{
	reply_bytes(rq, status, WEB_HTML_TYPE, b->data, b->len);
	buf_reset(b);
}

void
web_reply_message(struct req *rq, int status, const char *title,
    const char *text)
{
	struct buf b;

	buf_init(&b);
	web_page_begin(&b, title);
	buf_puts(&b, "<p>");
	web_escape(&b, text);
	buf_puts(&b, "</p>\n");
	web_page_end(&b);
	web_reply(rq, status, &b);
	buf_cleanup(&b);
}
