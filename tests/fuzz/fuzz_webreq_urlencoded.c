/*
 * fuzz_webreq_urlencoded — hostile bytes as a POST body or a query string
 * (webreq_urlencoded). A body is refused with a message or every pair that
 * comes out holds: a name of 1..WEBREQ_MAX_NAME bytes of UTF-8 without a
 * control character, a value of valid UTF-8 whose length is its strlen and
 * whose only controls are tab, CR and LF, no more than WEBREQ_MAX_FIELDS
 * pairs; and the pairs percent-encoded again (webreq_query_escape) parse
 * back to the very same pairs.
 */
#include <stdlib.h>
#include <string.h>

#include "tetrad/changeset.h"
#include "web/webreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_text(const char *s, size_t n, int name)
{
	if (strlen(s) != n || changeset_check_utf8(s, n) != 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0x7f || (c < 0x20 && (name || (c != '\t' && c != '\r' && c != '\n'))))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct webform *f = NULL, *g = NULL;
	struct terr e;
	char *again = NULL;
	size_t cap, len = 0;
	int r;

	if (size > 65536)
		return 0;
	r = webreq_urlencoded((const char *)data, size, &f, &e);
	if (r != 0) {
		if (f != NULL || e.code != r || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (f == NULL || webform_count(f) > WEBREQ_MAX_FIELDS)
		abort();
	/* every byte may become %XX: three times the input, and the '=' '&' */
	cap = 3 * size + 2 * webform_count(f) + 1;
	if ((again = malloc(cap)) == NULL)
		abort();
	for (size_t i = 0; i < webform_count(f); i++) {
		const struct webfield *w = webform_at(f, i);
		size_t nl = strlen(w->name);

		if (nl == 0 || nl > WEBREQ_MAX_NAME || w->filename || w->content_type)
			abort();
		fuzz_text(w->name, nl, 1);
		fuzz_text(w->value, w->len, 0);
		if (i > 0)
			again[len++] = '&';
		if (!webreq_query_escape(w->name, again + len, cap - len))
			abort();
		len += strlen(again + len);
		again[len++] = '=';
		if (!webreq_query_escape(w->value, again + len, cap - len))
			abort();
		len += strlen(again + len);
	}
	if (webreq_urlencoded(again, len, &g, &e) != 0 || webform_count(g) != webform_count(f))
		abort();
	for (size_t i = 0; i < webform_count(f); i++) {
		const struct webfield *a = webform_at(f, i), *b = webform_at(g, i);

		if (strcmp(a->name, b->name) != 0 || a->len != b->len ||
		    memcmp(a->value, b->value, a->len) != 0)
			abort();
		if (webform_get(f, a->name) == NULL || webform_field(f, a->name) == NULL)
			abort();
	}
	free(again);
	webform_free(g);
	webform_free(f);
	return 0;
}
