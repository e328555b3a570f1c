/*
 * fuzz_webreq_cookie — hostile request headers: the Cookie header
 * (webreq_cookie), Host and Origin (webreq_host_local, _origin_local), and
 * the percent-encoding of query values (webreq_query_escape). The input is
 * a cookie name up to the first NUL, then the header's text; the first two
 * bytes also give a port and a buffer size.
 *   - a cookie found is a piece of the header, shorter than the buffer;
 *     one that does not fit leaves the buffer empty;
 *   - a header accepted as Host is exactly 127.0.0.1:PORT or
 *     localhost:PORT; as Origin, the same after "http://";
 *   - any text, escaped, holds only unreserved characters and %XX, and
 *     parses back (webreq_urlencoded) to itself when it is text at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web/webreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_is_local(const char *s, unsigned port)
{
	char a[32], b[32];

	snprintf(a, sizeof(a), "127.0.0.1:%u", port);
	snprintf(b, sizeof(b), "localhost:%u", port);
	return strcasecmp(s, a) == 0 || strcasecmp(s, b) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name, *header, *out, *esc, *q;
	const uint8_t *z;
	size_t cap, nlen;
	unsigned port;
	int r;

	if (size < 2 || size > 8192)
		return 0;
	port = (unsigned)(data[0] << 8 | data[1]);
	cap = (size_t)(data[0] % 64);
	data += 2;
	size -= 2;
	z = memchr(data, '\0', size);
	nlen = z ? (size_t)(z - data) : 0;
	if ((name = strndup((const char *)data, nlen)) == NULL)
		abort();
	data += z ? nlen + 1 : 0;
	size -= z ? nlen + 1 : 0;
	if ((header = strndup((const char *)data, size)) == NULL || (out = malloc(cap + 1)) == NULL)
		abort();

	r = webreq_cookie(header, name, out, cap);
	if (r == 1) {
		if (strlen(out) >= cap || strstr(header, out) == NULL)
			abort();
	} else if (r == TERR_TOO_LARGE) {
		if (cap > 0 && out[0] != '\0')
			abort();
	} else if (r != 0)
		abort();

	if (webreq_host_local(header, (uint16_t)port) && (port == 0 || !fuzz_is_local(header, port)))
		abort();
	if (webreq_origin_local(header, (uint16_t)port) &&
	    (strncasecmp(header, "http://", 7) != 0 || !fuzz_is_local(header + 7, port)))
		abort();

	/* escape and back */
	cap = 3 * strlen(header) + 3;
	if ((esc = malloc(cap)) == NULL || (q = malloc(cap + 2)) == NULL)
		abort();
	if (!webreq_query_escape(header, esc, cap))
		abort();
	for (const char *p = esc; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~%", *p)))
			abort();
	snprintf(q, cap + 2, "k=%s", esc);
	{
		struct webform *f = NULL;
		struct terr e;

		if (webreq_urlencoded(q, strlen(q), &f, &e) == 0 &&
		    strcmp(webform_get(f, "k"), header) != 0)
			abort();
		webform_free(f);
	}
	free(q);
	free(esc);
	free(out);
	free(header);
	free(name);
	return 0;
}
