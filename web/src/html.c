/*
 * html — the escaping HTML writer (html.h). Text and attribute values are
 * escaped on the way in; names are checked; a URL attribute may not carry a
 * scheme that runs something (javascript:, vbscript:, data:). Text that is
 * not valid UTF-8 is written with U+FFFD in place of the bad bytes, so a
 * damaged value can never merge with the markup around it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/tbuf.h"
#include "web/html.h"

#define HTML_NAME_MAX 64
/* Room for one escaped character: "&quot;" or four UTF-8 bytes. */
#define HTML_ESC_MAX 6

struct html {
	struct tbuf *b;
	struct terr err;      /* sticky: the first failure */
};

static const char html_fffd[] = "\xef\xbf\xbd";

struct html *
html_new(size_t max)
{
	struct html *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	if ((h->b = tbuf_new(max ? max : HTML_MAX_DEFAULT)) == NULL) {
		free(h);
		return NULL;
	}
	return h;
}

void
html_free(struct html *h)
{
	if (h == NULL)
		return;
	/* tbuf_free wipes: a page may hold a child's name or a phone number. */
	tbuf_free(h->b);
	free(h);
}

static void
html_fail(struct html *h, int code, const char *what)
{
	if (h->err.code != 0)
		return;
	if (code == TERR_TOO_LARGE)
		terr_set(&h->err, code, "страница больше допустимого (%zu байт)", tbuf_max(h->b));
	else if (code == TERR_NOMEM)
		terr_set(&h->err, code, "не хватило памяти для страницы");
	else
		terr_set(&h->err, code, "ошибка в разметке страницы: %s", what);
}

static void
html_put(struct html *h, const char *s, size_t n)
{
	int r;

	if (h->err.code != 0 || n == 0)
		return;
	if ((r = tbuf_put(h->b, s, n)) != 0)
		html_fail(h, r, "");
}

static void
html_puts(struct html *h, const char *s)
{
	html_put(h, s, strlen(s));
}

/*
 * Length of the valid UTF-8 character at s (n bytes left): 1..4, or 0 for
 * a byte that does not start one (a stray continuation, an overlong form, a
 * surrogate, past U+10FFFF, a sequence cut short).
 */
static size_t
html_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t need, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < need || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need;
}

/*
 * The escaped form of the character at s into out (HTML_ESC_MAX bytes, not
 * NUL-terminated): its length in *outlen; returns how many input bytes it
 * took. NUL and the C0 controls other than tab, LF and CR are dropped (they
 * have no business in a page and some browsers mis-handle them).
 */
static size_t
html_esc_char(const char *s, size_t n, char *out, size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *rep = NULL;
	size_t k;

	switch (u[0]) {
	case '&': rep = "&amp;"; break;
	case '<': rep = "&lt;"; break;
	case '>': rep = "&gt;"; break;
	case '"': rep = "&quot;"; break;
	case '\'': rep = "&#39;"; break;
	default: break;
	}
	if (rep != NULL) {
		*outlen = strlen(rep);
		memcpy(out, rep, *outlen);
		return 1;
	}
	if (u[0] < 0x20 && u[0] != '\t' && u[0] != '\n' && u[0] != '\r') {
		*outlen = 0;
		return 1;
	}
	if (u[0] == 0x7f) {
		*outlen = 0;
		return 1;
	}
	if ((k = html_utf8_len(u, n)) == 0) {
		memcpy(out, html_fffd, 3);
		*outlen = 3;
		return 1;
	}
	memcpy(out, s, k);
	*outlen = k;
	return k;
}

static void
html_put_escaped(struct html *h, const char *s, size_t n)
{
	size_t i = 0, run = 0, k, olen;
	char esc[HTML_ESC_MAX];

	/* Plain ASCII runs go in one copy: most of a page is such text. */
	while (i < n && h->err.code == 0) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '&' && c != '<' && c != '>' &&
		    c != '"' && c != '\'') {
			i++;
			run++;
			continue;
		}
		html_put(h, s + i - run, run);
		run = 0;
		k = html_esc_char(s + i, n - i, esc, &olen);
		html_put(h, esc, olen);
		i += k;
	}
	html_put(h, s + i - run, run);
}

bool
html_escape(const char *s, char *out, size_t cap)
{
	size_t n, i = 0, o = 0, k, olen;
	char esc[HTML_ESC_MAX];

	if (cap == 0)
		return false;
	n = s ? strlen(s) : 0;
	while (i < n) {
		k = html_esc_char(s + i, n - i, esc, &olen);
		if (o + olen + 1 > cap) {
			out[o] = '\0';
			return false;
		}
		memcpy(out + o, esc, olen);
		o += olen;
		i += k;
	}
	out[o] = '\0';
	return true;
}

/* [a-z][a-z0-9-]*, bounded: the only names a tag or an attribute may have. */
static bool
html_name_ok(const char *name)
{
	size_t i;

	if (name == NULL || name[0] < 'a' || name[0] > 'z')
		return false;
	for (i = 1; name[i] != '\0'; i++) {
		char c = name[i];

		if (i >= HTML_NAME_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

static bool
html_is_url_attr(const char *name)
{
	static const char *const urls[] = { "href", "src", "action", "formaction",
	    "poster", "cite", "srcset", "xlink-href", NULL };

	for (size_t i = 0; urls[i]; i++)
		if (strcmp(name, urls[i]) == 0)
			return true;
	return false;
}

/*
 * A URL attribute's value is a path of this server, a fragment, a query, or
 * an http(s) / mailto address. A scheme is what comes before the first ':'
 * when no '/', '?' or '#' comes earlier; browsers ignore tabs and newlines
 * inside it ("java\tscript:"), so those count as scheme letters here too.
 */
static bool
html_url_ok(const char *v)
{
	const char *p;
	char scheme[16];
	size_t n = 0;

	for (p = v; *p != '\0' && *p != '/' && *p != '?' && *p != '#'; p++) {
		if (*p == ':')
			break;
		if (*p == '\t' || *p == '\n' || *p == '\r')
			continue;
		if (n + 1 < sizeof(scheme))
			scheme[n++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		else
			n = sizeof(scheme);   /* too long to be an allowed one */
	}
	if (*p != ':')
		return true;          /* no scheme: relative */
	if (n >= sizeof(scheme))
		return false;
	scheme[n] = '\0';
	return strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0 ||
	    strcmp(scheme, "mailto") == 0;
}

static void
html_attrs(struct html *h, va_list ap)
{
	const char *name, *value;
	char what[HTML_NAME_MAX + 64];

	while ((name = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		if (h->err.code != 0)
			continue;
		if (!html_name_ok(name)) {
			html_fail(h, TERR_ARG, "недопустимое имя атрибута");
			continue;
		}
		/* Event handlers would be inline script: CSP forbids it anyway,
		 * and the writer refuses to produce it at all. */
		if (strncmp(name, "on", 2) == 0) {
			snprintf(what, sizeof(what), "атрибут %s (обработчик событий)", name);
			html_fail(h, TERR_ARG, what);
			continue;
		}
		if (value == NULL)
			continue;
		if (html_is_url_attr(name) && !html_url_ok(value)) {
			snprintf(what, sizeof(what), "адрес в атрибуте %s с недопустимой схемой", name);
			html_fail(h, TERR_ARG, what);
			continue;
		}
		html_put(h, " ", 1);
		html_puts(h, name);
		if (value[0] == '\0')
			continue;
		html_put(h, "=\"", 2);
		html_put_escaped(h, value, strlen(value));
		html_put(h, "\"", 1);
	}
}

static void
html_tag(struct html *h, const char *tag, va_list ap)
{
	if (h == NULL || h->err.code != 0)
		return;
	if (!html_name_ok(tag)) {
		html_fail(h, TERR_ARG, "недопустимое имя элемента");
		return;
	}
	html_put(h, "<", 1);
	html_puts(h, tag);
	html_attrs(h, ap);
	html_put(h, ">", 1);
}

void
html_openv(struct html *h, const char *tag, va_list attrs)
{
	html_tag(h, tag, attrs);
}

void
html_open(struct html *h, const char *tag, ...)
{
	va_list ap;

	va_start(ap, tag);
	html_tag(h, tag, ap);
	va_end(ap);
}

void
html_void(struct html *h, const char *tag, ...)
{
	va_list ap;

	va_start(ap, tag);
	html_tag(h, tag, ap);
	va_end(ap);
}

void
html_close(struct html *h, const char *tag)
{
	if (h == NULL || h->err.code != 0)
		return;
	if (!html_name_ok(tag)) {
		html_fail(h, TERR_ARG, "недопустимое имя элемента");
		return;
	}
	html_put(h, "</", 2);
	html_puts(h, tag);
	html_put(h, ">", 1);
}

void
html_text(struct html *h, const char *s)
{
	if (h == NULL || s == NULL || h->err.code != 0)
		return;
	html_put_escaped(h, s, strlen(s));
}

void
html_textn(struct html *h, const char *s, size_t len)
{
	if (h == NULL || s == NULL || h->err.code != 0)
		return;
	html_put_escaped(h, s, len);
}

void
html_textf(struct html *h, const char *fmt, ...)
{
	va_list ap;
	char small[256], *big = NULL;
	int n;

	if (h == NULL || h->err.code != 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		html_fail(h, TERR_ARG, "формат текста");
		return;
	}
	if ((size_t)n < sizeof(small)) {
		html_put_escaped(h, small, (size_t)n);
		return;
	}
	if ((size_t)n >= tbuf_max(h->b)) {
		html_fail(h, TERR_TOO_LARGE, "");
		return;
	}
	if ((big = malloc((size_t)n + 1)) == NULL) {
		html_fail(h, TERR_NOMEM, "");
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	html_put_escaped(h, big, (size_t)n);
	free(big);
}

void
html_elem(struct html *h, const char *tag, const char *text, ...)
{
	va_list ap;

	va_start(ap, text);
	html_tag(h, tag, ap);
	va_end(ap);
	html_text(h, text);
	html_close(h, tag);
}

void
html_raw_const(struct html *h, const char *markup)
{
	if (h == NULL || markup == NULL)
		return;
	html_puts(h, markup);
}

int
html_status(const struct html *h, struct terr *e)
{
	if (h == NULL)
		return terr_set(e, TERR_NOMEM, "не хватило памяти для страницы");
	if (h->err.code == 0)
		return 0;
	return terr_set(e, h->err.code, "%s", h->err.msg);
}

char *
html_take(struct html *h, size_t *len, struct terr *e)
{
	uint8_t *p;
	int r;

	if (len != NULL)
		*len = 0;
	if ((r = html_status(h, e)) != 0)
		goto fail;
	if ((r = tbuf_terminate(h->b)) != 0) {
		html_fail(h, r, "");
		html_status(h, e);
		goto fail;
	}
	p = tbuf_steal(h->b, len);
	if (p == NULL) {
		/* an empty page: still a string */
		if ((p = calloc(1, 1)) == NULL) {
			terr_set(e, TERR_NOMEM, "не хватило памяти для страницы");
			return NULL;
		}
	}
	return (char *)p;
fail:
	if (h != NULL) {
		tbuf_reset(h->b);
		terr_clear(&h->err);
	}
	return NULL;
}

const char *
html_data(const struct html *h, size_t *len)
{
	const char *p = h ? (const char *)tbuf_ptr(h->b) : NULL;

	*len = h ? tbuf_len(h->b) : 0;
	return p ? p : "";
}
