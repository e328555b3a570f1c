/*
 * fuzz_html — hostile text through the HTML writer (html_text,
 * attribute values, html_escape). Whatever comes in, what comes out is
 * valid UTF-8 with no '<', '>', '"' or '\'' of its own and every '&' the
 * start of one of the writer's five entities, so a value can never end its
 * element or attribute; a short buffer gets a prefix of the whole escaped
 * text, never a cut entity or character; a URL attribute either refuses
 * the value or the value has no scheme but http, https or mailto.
 */
#include <stdlib.h>
#include <string.h>

#include "tetrad/changeset.h"
#include "web/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_inert(const char *s, size_t n)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&#39;" };

	if (changeset_check_utf8(s, n) != 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '<' || s[i] == '>' || s[i] == '"' || s[i] == '\'' || s[i] == '\0')
			abort();
		if (s[i] == '&') {
			size_t k;

			for (k = 0; k < 5; k++)
				if (strncmp(s + i, ents[k], strlen(ents[k])) == 0)
					break;
			if (k == 5)
				abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct html *h;
	struct terr e;
	char *z, *page, *cut;
	size_t len, cap;
	const char *d;

	if (size > 4096)
		return 0;
	if ((z = malloc(size + 1)) == NULL || (h = html_new(0)) == NULL)
		abort();
	memcpy(z, data, size);
	z[size] = '\0';

	html_textn(h, z, size);
	if ((page = html_take(h, &len, &e)) == NULL)
		abort();
	fuzz_inert(page, len);

	/* the same as an attribute value: the output is name="…" */
	html_void(h, "input", "value", z, NULL);
	d = html_data(h, &len);
	/* "" is written bare (<input value>), which HTML reads as "" */
	if (z[0] == '\0') {
		if (len != 13 || memcmp(d, "<input value>", 13) != 0)
			abort();
	} else if (len < 16 || memcmp(d, "<input value=\"", 14) != 0 || memcmp(d + len - 2, "\">", 2) != 0)
		abort();
	else
		fuzz_inert(d + 14, len - 16);
	free(page);
	page = html_take(h, &len, &e);
	free(page);

	/* a URL attribute: refused, or no script-running scheme */
	html_open(h, "a", "href", z, NULL);
	if (html_status(h, &e) == 0) {
		char low[16];
		size_t n = 0;
		const char *p;

		for (p = z; *p && *p != '/' && *p != '?' && *p != '#' && *p != ':'; p++)
			if (*p != '\t' && *p != '\n' && *p != '\r' && n < sizeof(low) - 1)
				low[n++] = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
		low[n] = '\0';
		if (*p == ':' && strcmp(low, "http") != 0 && strcmp(low, "https") != 0 &&
		    strcmp(low, "mailto") != 0)
			abort();
	}
	page = html_take(h, &len, &e);
	free(page);

	/* html_escape: the whole text as html_text wrote it, a prefix when short */
	html_text(h, z);
	d = html_data(h, &len);
	if ((cut = malloc(len + 1)) == NULL)
		abort();
	if (!html_escape(z, cut, len + 1) || strlen(cut) != len || memcmp(cut, d, len) != 0)
		abort();
	cap = size > 0 ? data[0] % (len + 1) + 1 : 1;
	if (html_escape(z, cut, cap) && cap <= len)
		abort();
	if (strlen(cut) >= cap || memcmp(cut, d, strlen(cut)) != 0)
		abort();
	fuzz_inert(cut, strlen(cut));
	free(cut);
	html_free(h);
	free(z);
	return 0;
}
