/*
 * fuzz_webreq_multipart — hostile uploads (webreq_multipart). The input is
 * a Content-Type header's value up to the first newline, then the body. A
 * body is refused with a message, or every part that comes out holds: a
 * name of 1..WEBREQ_MAX_NAME bytes of UTF-8 without controls; a text
 * field's value valid text; a file's name without a directory; a value
 * NUL-terminated at its length; no more than WEBREQ_MAX_PARTS parts. The
 * parts written again as a browser would (a boundary found in no value)
 * parse back to the very same parts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/changeset.h"
#include "web/webreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_BOUNDARY "----TetradFuzzBoundary7f3a9c"

static void
fuzz_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > WEBREQ_MAX_NAME || changeset_check_utf8(s, n) != 0)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f || s[i] == '"')
			abort();
}

/* The parts of f as Chromium would send them, or NULL when a value holds
 * the boundary (then there is nothing to compare). */
static char *
fuzz_rewrite(const struct webform *f, size_t *len)
{
	size_t cap = 64, o = 0;
	char *out;

	for (size_t i = 0; i < webform_count(f); i++) {
		const struct webfield *w = webform_at(f, i);

		cap += w->len + strlen(w->name) + 256 +
		    (w->filename ? strlen(w->filename) : 0) +
		    (w->content_type ? strlen(w->content_type) : 0);
		if (memmem(w->value, w->len, FUZZ_BOUNDARY, strlen(FUZZ_BOUNDARY)))
			return NULL;
	}
	if ((out = malloc(cap)) == NULL)
		abort();
	for (size_t i = 0; i < webform_count(f); i++) {
		const struct webfield *w = webform_at(f, i);

		o += (size_t)snprintf(out + o, cap - o, "--%s\r\nContent-Disposition: form-data; "
		    "name=\"%s\"", FUZZ_BOUNDARY, w->name);
		if (w->filename)
			o += (size_t)snprintf(out + o, cap - o, "; filename=\"%s\"", w->filename);
		o += (size_t)snprintf(out + o, cap - o, "\r\n");
		if (w->content_type)
			o += (size_t)snprintf(out + o, cap - o, "Content-Type: %s\r\n", w->content_type);
		o += (size_t)snprintf(out + o, cap - o, "\r\n");
		memcpy(out + o, w->value, w->len);
		o += w->len;
		o += (size_t)snprintf(out + o, cap - o, "\r\n");
	}
	o += (size_t)snprintf(out + o, cap - o, "--%s--\r\n", FUZZ_BOUNDARY);
	*len = o;
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webform *f = NULL, *g = NULL;
	struct terr e;
	const uint8_t *nl;
	char *ct, *again;
	size_t ctlen, len;
	int r;

	if (size > 65536)
		return 0;
	nl = memchr(data, '\n', size);
	ctlen = nl ? (size_t)(nl - data) : size;
	if ((ct = malloc(ctlen + 1)) == NULL)
		abort();
	memcpy(ct, data, ctlen);
	ct[ctlen] = '\0';
	data += nl ? ctlen + 1 : ctlen;
	size -= nl ? ctlen + 1 : ctlen;
	r = webreq_multipart(ct, (const char *)data, size, &f, &e);
	free(ct);
	if (r != 0) {
		if (f != NULL || e.code != r || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (f == NULL || webform_count(f) > WEBREQ_MAX_PARTS)
		abort();
	for (size_t i = 0; i < webform_count(f); i++) {
		const struct webfield *w = webform_at(f, i);

		fuzz_name(w->name);
		if (w->value[w->len] != '\0')
			abort();
		if (w->filename == NULL) {
			if (w->content_type != NULL || strlen(w->value) != w->len ||
			    changeset_check_utf8(w->value, w->len) != 0)
				abort();
		} else if (strchr(w->filename, '/') || strchr(w->filename, '\\') ||
		    strchr(w->filename, '"') || strchr(w->filename, '\r') || strchr(w->filename, '\n'))
			abort();
	}
	if ((again = fuzz_rewrite(f, &len)) != NULL) {
		if (webreq_multipart("multipart/form-data; boundary=" FUZZ_BOUNDARY, again, len,
		    &g, &e) != 0 || webform_count(g) != webform_count(f))
			abort();
		for (size_t i = 0; i < webform_count(f); i++) {
			const struct webfield *a = webform_at(f, i), *b = webform_at(g, i);

			if (strcmp(a->name, b->name) != 0 || a->len != b->len ||
			    memcmp(a->value, b->value, a->len) != 0 ||
			    (a->filename == NULL) != (b->filename == NULL) ||
			    (a->filename && strcmp(a->filename, b->filename) != 0))
				abort();
		}
		free(again);
		webform_free(g);
	}
	webform_free(f);
	return 0;
}
