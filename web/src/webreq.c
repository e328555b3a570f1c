/*
 * webreq — urlencoded bodies and query strings, the Cookie, Host and Origin
 * headers (webreq.h); multipart bodies are webreq_multipart.c. Everything
 * here reads bytes a browser — or anything else on the machine that can
 * reach 127.0.0.1 — sent: lengths are checked before they are used, and
 * what does not parse is refused with a message, never guessed at. The
 * messages never quote a value (it may be a child's name).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/changeset.h"
#include "webreq_private.h"

struct webform {
	struct webfield *v;
	size_t n, cap;
};

struct webform *
webform_new(void)
{
	return calloc(1, sizeof(struct webform));
}

static void
webfield_clear(struct webfield *w)
{
	free(w->name);
	/* A value may be a name or a phone number: not left in freed memory. */
	if (w->value != NULL)
		memset(w->value, 0, w->len);
	free(w->value);
	free(w->filename);
	free(w->content_type);
}

void
webform_free(struct webform *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++)
		webfield_clear(&f->v[i]);
	free(f->v);
	free(f);
}

int
webform_add(struct webform *f, char *name, char *value, size_t len,
    char *filename, char *content_type, size_t max, struct terr *e)
{
	struct webfield w = { name, value, len, filename, content_type };
	int r;

	if (name == NULL || value == NULL) {
		r = terr_set(e, TERR_NOMEM, "не хватило памяти для разбора формы");
		goto fail;
	}
	if (f->n >= max) {
		r = terr_set(e, TERR_TOO_LARGE, "в форме больше %zu полей", max);
		goto fail;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct webfield *v;

		if (cap > max)
			cap = max;
		if ((v = realloc(f->v, cap * sizeof(*v))) == NULL) {
			r = terr_set(e, TERR_NOMEM, "не хватило памяти для разбора формы");
			goto fail;
		}
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = w;
	return 0;
fail:
	webfield_clear(&w);
	return r;
}

size_t
webform_count(const struct webform *f)
{
	return f ? f->n : 0;
}

const struct webfield *
webform_at(const struct webform *f, size_t i)
{
	return f && i < f->n ? &f->v[i] : NULL;
}

const struct webfield *
webform_field(const struct webform *f, const char *name)
{
	if (f == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].name, name) == 0)
			return &f->v[i];
	return NULL;
}

const char *
webform_get(const struct webform *f, const char *name)
{
	const struct webfield *w = webform_field(f, name);

	return w ? w->value : NULL;
}

char *
webreq_strndup(const char *s, size_t len)
{
	char *p;

	if ((p = malloc(len + 1)) == NULL)
		return NULL;
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

bool
webreq_name_ok(const char *s, size_t len)
{
	if (len == 0 || len > WEBREQ_MAX_NAME)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return false;
	return changeset_check_utf8(s, len) == 0;
}

bool
webreq_text_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return false;
	}
	return changeset_check_utf8(s, len) == 0;
}

static int
webreq_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * s[0..len) percent-decoded ('+' a space) into a new string (*out, *outlen);
 * a '%' not followed by two hex digits is refused. Decoding only shrinks,
 * so the copy is never larger than the input.
 */
static int
webreq_decode(const char *s, size_t len, char **out, size_t *outlen,
    struct terr *e)
{
	char *p;
	size_t o = 0;

	*out = NULL;
	if ((p = malloc(len + 1)) == NULL)
		return terr_set(e, TERR_NOMEM, "не хватило памяти для разбора формы");
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+')
			p[o++] = ' ';
		else if (s[i] == '%') {
			int hi, lo;

			if (i + 2 >= len) {
				free(p);
				return terr_set(e, TERR_PARSE, "форма: обрезанная %%-последовательность");
			}
			hi = webreq_hexval(s[i + 1]);
			lo = webreq_hexval(s[i + 2]);
			if (hi < 0 || lo < 0) {
				free(p);
				return terr_set(e, TERR_PARSE, "форма: неверная %%-последовательность");
			}
			p[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			p[o++] = s[i];
	}
	p[o] = '\0';
	*out = p;
	*outlen = o;
	return 0;
}

int
webreq_urlencoded(const char *body, size_t len, struct webform **out,
    struct terr *e)
{
	struct webform *f = NULL;
	size_t i = 0, nfield = 0;
	int r;

	*out = NULL;
	if (len > WEBREQ_MAX_BODY)
		return terr_set(e, TERR_TOO_LARGE, "форма больше %u байт", WEBREQ_MAX_BODY);
	if (body == NULL && len > 0)
		return terr_set(e, TERR_ARG, "форма: нет данных");
	if ((f = webform_new()) == NULL)
		return terr_set(e, TERR_NOMEM, "не хватило памяти для разбора формы");
	while (i < len) {
		const char *seg = body + i, *amp, *eq;
		size_t seglen, rawname, namelen, vlen;
		char *name = NULL, *value = NULL;

		amp = memchr(seg, '&', len - i);
		seglen = amp ? (size_t)(amp - seg) : len - i;
		i += seglen + (amp ? 1 : 0);
		if (seglen == 0)
			continue;         /* "a=1&&b=2": an empty pair is nothing */
		nfield++;
		eq = memchr(seg, '=', seglen);
		rawname = eq ? (size_t)(eq - seg) : seglen;
		if (rawname == 0) {
			r = terr_set(e, TERR_PARSE, "форма: поле %zu без имени", nfield);
			goto out;
		}
		/* A name is short: refuse a huge one before decoding it. */
		if (rawname > 3 * WEBREQ_MAX_NAME) {
			r = terr_set(e, TERR_TOO_LARGE, "форма: имя поля %zu длиннее %d байт",
			    nfield, WEBREQ_MAX_NAME);
			goto out;
		}
		if ((r = webreq_decode(seg, rawname, &name, &namelen, e)) != 0)
			goto out;
		if (!webreq_name_ok(name, namelen)) {
			free(name);
			r = terr_set(e, TERR_PARSE, "форма: недопустимое имя поля %zu", nfield);
			goto out;
		}
		if (eq != NULL)
			r = webreq_decode(eq + 1, seglen - rawname - 1, &value, &vlen, e);
		else
			r = webreq_decode("", 0, &value, &vlen, e);
		if (r != 0) {
			free(name);
			goto out;
		}
		if (!webreq_text_ok(value, vlen)) {
			free(name);
			memset(value, 0, vlen);
			free(value);
			r = terr_set(e, TERR_UTF8, "форма: значение поля %zu — не текст в UTF-8 "
			    "или с управляющими символами", nfield);
			goto out;
		}
		if ((r = webform_add(f, name, value, vlen, NULL, NULL, WEBREQ_MAX_FIELDS, e)) != 0)
			goto out;
	}
	*out = f;
	f = NULL;
	r = 0;
out:
	webform_free(f);
	return r;
}

/* ASCII case-insensitive equality of n bytes. */
static bool
webreq_ieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return false;
	}
	return true;
}

int
webreq_cookie(const char *header, const char *name, char *out, size_t cap)
{
	const char *p, *end;
	size_t nlen;

	if (out != NULL && cap > 0)
		out[0] = '\0';
	if (header == NULL || name == NULL || name[0] == '\0')
		return 0;
	if (out == NULL || cap == 0)
		return TERR_TOO_LARGE;
	nlen = strlen(name);
	for (p = header; *p != '\0'; p = *end ? end + 1 : end) {
		const char *eq, *v, *ve;
		size_t vlen;

		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			continue;
		ve = eq;
		while (ve > p && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		/* The whole name, never a prefix or a suffix of another. */
		if ((size_t)(ve - p) != nlen || memcmp(p, name, nlen) != 0)
			continue;
		v = eq + 1;
		ve = end;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (ve - v >= 2 && v[0] == '"' && ve[-1] == '"') {
			v++;
			ve--;
		}
		vlen = (size_t)(ve - v);
		if (vlen + 1 > cap)
			return TERR_TOO_LARGE;
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		return 1;
	}
	return 0;
}

/*
 * s is exactly "<host>:<port>" with host one of the two local names
 * (ASCII case-insensitive) and port the decimal of port without a leading
 * zero, sign or anything after it.
 */
static bool
webreq_hostport_local(const char *s, size_t n, uint16_t port)
{
	static const char *const names[] = { "127.0.0.1", "localhost" };
	char want[8];
	size_t k, plen;
	int m;

	m = snprintf(want, sizeof(want), "%u", (unsigned)port);
	if (m <= 0 || (size_t)m >= sizeof(want))
		return false;
	plen = (size_t)m;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		k = strlen(names[i]);
		if (n == k + 1 + plen && webreq_ieq(s, names[i], k) && s[k] == ':' &&
		    memcmp(s + k + 1, want, plen) == 0)
			return true;
	}
	return false;
}

bool
webreq_host_local(const char *host, uint16_t port)
{
	if (host == NULL || port == 0)
		return false;
	return webreq_hostport_local(host, strlen(host), port);
}

bool
webreq_origin_local(const char *origin, uint16_t port)
{
	static const char scheme[] = "http://";
	size_t n;

	if (origin == NULL)
		return true;
	n = strlen(origin);
	if (port == 0 || n < sizeof(scheme) - 1 || !webreq_ieq(origin, scheme, sizeof(scheme) - 1))
		return false;
	return webreq_hostport_local(origin + sizeof(scheme) - 1, n - (sizeof(scheme) - 1), port);
}

bool
webreq_query_escape(const char *s, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (cap == 0)
		return false;
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';

		if (o + (plain ? 1 : 3) + 1 > cap) {
			out[o] = '\0';
			return false;
		}
		if (plain)
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return true;
}
