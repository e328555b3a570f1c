/*
 * webreq_multipart — multipart/form-data (RFC 7578), the body of a file
 * upload (an imported CSV, the enrollment file). Only what browsers send is
 * taken: CRLF line ends, a Content-Disposition of form-data with a quoted
 * name on every part, a closing delimiter; anything else is refused. Part
 * headers are bounded in size and number, and the parts in number.
 */
#include <stdlib.h>
#include <string.h>

#include "webreq_private.h"

#define MP_BOUNDARY_MAX 70     /* RFC 2046 */
#define MP_HEAD_MAX 4096       /* one part's header block */
#define MP_HEAD_LINES 16
#define MP_PARAM_MAX 1024      /* a filename or a content type */

static char
mp_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool
mp_ieq_prefix(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);

	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if (mp_lower(s[i]) != lit[i])
			return false;
	return true;
}

static const char *
mp_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/*
 * The parameter pname of a header value "type; a=b; c=\"d\"" into *val
 * (a pointer into s) and *vlen. 1 found, 0 absent, -1 malformed. A quoted
 * value runs to the next quote: browsers percent-encode a quote in a name
 * and do not escape a backslash (a Windows path), so no escapes are read.
 */
static int
mp_param(const char *s, size_t n, const char *pname, const char **val, size_t *vlen)
{
	const char *p = s, *end = s + n;
	size_t plen = strlen(pname);

	/* past the type itself */
	while (p < end && *p != ';')
		p++;
	while (p < end) {
		const char *name, *v;
		size_t nl;

		p++;              /* the ';' */
		p = mp_skip_ws(p, end);
		name = p;
		while (p < end && *p != '=' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		nl = (size_t)(p - name);
		p = mp_skip_ws(p, end);
		if (p >= end || *p != '=') {
			if (p < end && *p != ';')
				return -1;
			continue;
		}
		p = mp_skip_ws(p + 1, end);
		if (p < end && *p == '"') {
			v = ++p;
			while (p < end && *p != '"')
				p++;
			if (p >= end)
				return -1;
			if (nl == plen && mp_ieq_prefix(name, nl, pname)) {
				*val = v;
				*vlen = (size_t)(p - v);
				return 1;
			}
			p = mp_skip_ws(p + 1, end);
			if (p < end && *p != ';')
				return -1;
		} else {
			v = p;
			while (p < end && *p != ';' && *p != ' ' && *p != '\t') {
				if (*p == '"')
					return -1;    /* a quote belongs at the start */
				p++;
			}
			if (nl == plen && mp_ieq_prefix(name, nl, pname)) {
				*val = v;
				*vlen = (size_t)(p - v);
				return 1;
			}
			p = mp_skip_ws(p, end);
			if (p < end && *p != ';')
				return -1;
		}
	}
	return 0;
}

/* The boundary of a Content-Type value, checked (RFC 2046's characters). */
static int
mp_boundary(const char *ct, const char **b, size_t *blen, struct terr *e)
{
	static const char ok[] = "'()+_,-./:=? ";
	size_t n;

	if (ct == NULL)
		return terr_set(e, TERR_PARSE, "отправка файла: нет заголовка Content-Type");
	n = strlen(ct);
	if (!mp_ieq_prefix(ct, n, "multipart/form-data") ||
	    (n > 19 && ct[19] != ';' && ct[19] != ' ' && ct[19] != '\t'))
		return terr_set(e, TERR_PARSE, "отправка файла: ожидался multipart/form-data");
	if (mp_param(ct, n, "boundary", b, blen) != 1 || *blen == 0 ||
	    *blen > MP_BOUNDARY_MAX)
		return terr_set(e, TERR_PARSE, "отправка файла: неверная граница частей");
	for (size_t i = 0; i < *blen; i++) {
		char c = (*b)[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr(ok, c) != NULL) || c == '\0')
			return terr_set(e, TERR_PARSE, "отправка файла: неверная граница частей");
	}
	if ((*b)[*blen - 1] == ' ')
		return terr_set(e, TERR_PARSE, "отправка файла: неверная граница частей");
	return 0;
}

/* The part's name, filename and content type from its header block. */
static int
mp_headers(const char *h, size_t n, size_t part, char **name, char **filename,
    char **ctype, struct terr *e)
{
	const char *p = h, *end = h + n;
	bool have_cd = false;
	int lines = 0;

	*name = *filename = *ctype = NULL;
	while (p < end) {
		const char *eol = p, *colon, *v;
		size_t vlen, len;

		while (eol + 1 < end && !(eol[0] == '\r' && eol[1] == '\n'))
			eol++;
		if (eol + 1 >= end)
			eol = end;        /* the last line (its CRLF is the blank line's) */
		len = (size_t)(eol - p);
		if (++lines > MP_HEAD_LINES)
			return terr_set(e, TERR_TOO_LARGE, "отправка файла: у части %zu слишком "
			    "много заголовков", part);
		if ((colon = memchr(p, ':', len)) == NULL)
			return terr_set(e, TERR_PARSE, "отправка файла: неверный заголовок части %zu", part);
		v = mp_skip_ws(colon + 1, eol);
		vlen = (size_t)(eol - v);
		for (size_t i = 0; i < vlen; i++)
			if ((unsigned char)v[i] < 0x20 && v[i] != '\t')
				return terr_set(e, TERR_PARSE, "отправка файла: неверный заголовок части %zu",
				    part);
		if ((size_t)(colon - p) == 19 && mp_ieq_prefix(p, 19, "content-disposition")) {
			const char *pv;
			size_t pl;
			int r;

			if (have_cd || !mp_ieq_prefix(v, vlen, "form-data") ||
			    (vlen > 9 && v[9] != ';' && v[9] != ' ' && v[9] != '\t'))
				return terr_set(e, TERR_PARSE, "отправка файла: часть %zu не поле формы", part);
			have_cd = true;
			if (mp_param(v, vlen, "name", &pv, &pl) != 1 || !webreq_name_ok(pv, pl))
				return terr_set(e, TERR_PARSE, "отправка файла: у части %zu неверное имя", part);
			if ((*name = webreq_strndup(pv, pl)) == NULL)
				return terr_set(e, TERR_NOMEM, "не хватило памяти для разбора формы");
			if ((r = mp_param(v, vlen, "filename", &pv, &pl)) < 0)
				return terr_set(e, TERR_PARSE, "отправка файла: у части %zu неверное имя файла", part);
			if (r == 1) {
				/* Only the last component: "C:\Users\…\список.csv" → "список.csv". */
				for (size_t i = pl; i > 0; i--)
					if (pv[i - 1] == '/' || pv[i - 1] == '\\') {
						pl -= i;
						pv += i;
						break;
					}
				if (pl > MP_PARAM_MAX || !webreq_text_ok(pv, pl) ||
				    memchr(pv, '\n', pl) || memchr(pv, '\r', pl) || memchr(pv, '\t', pl))
					return terr_set(e, TERR_PARSE, "отправка файла: у части %zu неверное "
					    "имя файла", part);
				if ((*filename = webreq_strndup(pv, pl)) == NULL)
					return terr_set(e, TERR_NOMEM, "не хватило памяти для разбора формы");
			}
		} else if ((size_t)(colon - p) == 12 && mp_ieq_prefix(p, 12, "content-type")) {
			if (*ctype != NULL || vlen > MP_PARAM_MAX)
				return terr_set(e, TERR_PARSE, "отправка файла: неверный тип части %zu", part);
			for (size_t i = 0; i < vlen; i++)
				if ((unsigned char)v[i] >= 0x7f)
					return terr_set(e, TERR_PARSE, "отправка файла: неверный тип части %zu", part);
			if ((*ctype = webreq_strndup(v, vlen)) == NULL)
				return terr_set(e, TERR_NOMEM, "не хватило памяти для разбора формы");
		}
		p = eol + 2;
	}
	if (!have_cd)
		return terr_set(e, TERR_PARSE, "отправка файла: у части %zu нет Content-Disposition", part);
	return 0;
}

int
webreq_multipart(const char *content_type, const char *body, size_t len,
    struct webform **out, struct terr *e)
{
	struct webform *f = NULL;
	const char *b, *p, *end = body + len;
	char delim[MP_BOUNDARY_MAX + 4];
	size_t blen, dlen, part = 0;
	int r;

	*out = NULL;
	if (len > WEBREQ_MAX_BODY)
		return terr_set(e, TERR_TOO_LARGE, "файл больше %u байт", WEBREQ_MAX_BODY);
	if (body == NULL)
		return terr_set(e, TERR_PARSE, "отправка файла: пустое тело запроса");
	if ((r = mp_boundary(content_type, &b, &blen, e)) != 0)
		return r;
	/* "\r\n--" + boundary: the delimiter between parts. The first one
	 * may come at the very start, without its CRLF. */
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, b, blen);
	dlen = blen + 4;
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0)
		p = body + dlen - 2;
	else {
		const char *d = memmem(body, len, delim, dlen);

		if (d == NULL)
			return terr_set(e, TERR_PARSE, "отправка файла: нет ни одной части");
		p = d + dlen;
	}
	if ((f = webform_new()) == NULL)
		return terr_set(e, TERR_NOMEM, "не хватило памяти для разбора формы");
	for (;;) {
		const char *hend, *cend;
		char *name = NULL, *filename = NULL, *ctype = NULL, *value;
		size_t vlen;

		/* After a delimiter: "--" closes the body; else padding, CRLF. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;
		p = mp_skip_ws(p, end);
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n') {
			r = terr_set(e, TERR_PARSE, "отправка файла: тело оборвано или испорчено");
			goto out;
		}
		p += 2;
		if (++part > WEBREQ_MAX_PARTS) {
			r = terr_set(e, TERR_TOO_LARGE, "отправка файла: больше %d частей", WEBREQ_MAX_PARTS);
			goto out;
		}
		/* The header block ends at the first empty line; it is searched
		 * for only within its cap. */
		{
			size_t room = (size_t)(end - p) < MP_HEAD_MAX + 4 ? (size_t)(end - p) : MP_HEAD_MAX + 4;

			if (room >= 2 && p[0] == '\r' && p[1] == '\n')
				hend = p;     /* no headers at all: refused below */
			else if ((hend = memmem(p, room, "\r\n\r\n", 4)) != NULL)
				hend += 2;
		}
		if (hend == NULL) {
			r = terr_set(e, (size_t)(end - p) > MP_HEAD_MAX ? TERR_TOO_LARGE : TERR_PARSE,
			    "отправка файла: заголовки части %zu слишком длинные или оборваны", part);
			goto out;
		}
		if ((r = mp_headers(p, (size_t)(hend - p), part, &name, &filename, &ctype, e)) != 0) {
			free(name);
			free(filename);
			free(ctype);
			goto out;
		}
		p = hend + 2;
		if ((cend = memmem(p, (size_t)(end - p), delim, dlen)) == NULL) {
			free(name);
			free(filename);
			free(ctype);
			r = terr_set(e, TERR_PARSE, "отправка файла: тело оборвано (нет конца части %zu)", part);
			goto out;
		}
		vlen = (size_t)(cend - p);
		if (filename == NULL && !webreq_text_ok(p, vlen)) {
			free(name);
			free(ctype);
			r = terr_set(e, TERR_UTF8, "отправка файла: значение поля в части %zu — не "
			    "текст в UTF-8 или с управляющими символами", part);
			goto out;
		}
		if (filename == NULL) {
			/* a type on a plain field means nothing to us */
			free(ctype);
			ctype = NULL;
		}
		value = webreq_strndup(p, vlen);
		if ((r = webform_add(f, name, value, vlen, filename, ctype, WEBREQ_MAX_PARTS, e)) != 0)
			goto out;
		p = cend + dlen;
	}
	*out = f;
	f = NULL;
	r = 0;
out:
	webform_free(f);
	return r;
}
