/*
 * reqhead — what the hub reads from a request's head before its body
 * (reqhead.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hub/throttle.h"
#include "reqhead.h"

/* The client's address as text, for budgets and log lines: the throttle's formatting. */
void
reqhead_addr(struct MHD_Connection *c, char out[ADMIT_ADDR_MAX])
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	throttle_addr_text(ci != NULL ? ci->client_addr : NULL, out, ADMIT_ADDR_MAX);
}

static enum MHD_Result
reqhead_count(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	unsigned *n = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		n[0]++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		n[1]++;
	return MHD_YES;
}

/*
 * How the body's length is framed. RFC 9112 §6.3: a request with both
 * Content-Length and Transfer-Encoding may be smuggling one request inside
 * another — refused (libmicrohttpd 0.9.75 itself would quietly prefer
 * Transfer-Encoding). Only "chunked" is understood, and one of each header
 * at most.
 */
enum reqhead_framing
reqhead_framing(struct MHD_Connection *c, uint64_t *cl, const char **why)
{
	const char *te, *v;
	unsigned n[2] = { 0, 0 };

	*cl = 0;
	*why = NULL;
	MHD_get_connection_values(c, MHD_HEADER_KIND, reqhead_count, n);
	te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (n[0] > 0 && n[1] > 0)
		*why = "в запросе и Content-Length, и Transfer-Encoding (RFC 9112, 6.3)";
	else if (n[0] > 1 || n[1] > 1)
		*why = "заголовок Content-Length или Transfer-Encoding повторён";
	else if (te != NULL && strcasecmp(te, "chunked") != 0)
		*why = "поддерживается только Transfer-Encoding: chunked";
	if (*why != NULL)
		return REQHEAD_BAD;
	if (v != NULL) {
		char *end = NULL;
		unsigned long long x;

		errno = 0;
		x = strtoull(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0')
			return REQHEAD_HUGE;
		*cl = x;
	}
	return REQHEAD_OK;
}
