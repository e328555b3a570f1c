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
#include "hub/tokens.h"
#include "tetrad/envelope.h"
#include "tetrad/pullmsg.h"
#include "tetrad/wire.h"
#include "dash.h"
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

enum reqhead_route
reqhead_route(const char *url, const char *method, size_t *cap, bool *method_ok)
{
	*cap = 0;
	*method_ok = true;
	if (strcmp(url, WIRE_PATH_HEALTH) == 0) {
		*method_ok = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
		return REQHEAD_ROUTE_HEALTH;
	}
	if (strcmp(url, WIRE_PATH_ENROLL) == 0) {
		*method_ok = strcmp(method, "POST") == 0;
		*cap = TOKENS_ENROLL_BODY_MAX;
		return REQHEAD_ROUTE_ENROLL;
	}
	if (strcmp(url, WIRE_PATH_CHANGESETS) == 0) {
		*method_ok = strcmp(method, "POST") == 0;
		*cap = ENVELOPE_MAX_BYTES;
		return REQHEAD_ROUTE_CHANGESETS;
	}
	if (strcmp(url, WIRE_PATH_FORMS) == 0 ||
	    strncmp(url, WIRE_PATH_FORMS_PREFIX, strlen(WIRE_PATH_FORMS_PREFIX)) == 0) {
		*method_ok = strcmp(method, "GET") == 0;
		return REQHEAD_ROUTE_FORMS;
	}
	if (strcmp(url, WIRE_PATH_PULL) == 0 || strcmp(url, WIRE_PATH_PULL_ACK) == 0) {
		*method_ok = strcmp(method, "POST") == 0;
		*cap = PULLMSG_REQ_BYTES;
		return strcmp(url, WIRE_PATH_PULL) == 0 ? REQHEAD_ROUTE_PULL :
		    REQHEAD_ROUTE_PULL_ACK;
	}
	if (strncmp(url, WIRE_PATH_DEVICES_PREFIX, strlen(WIRE_PATH_DEVICES_PREFIX)) == 0) {
		*method_ok = strcmp(method, "GET") == 0;
		return REQHEAD_ROUTE_DEVICE;
	}
	if (dash_path(url)) {
		/* no HEAD: it would build a report (or count a download) for no one */
		*method_ok = strcmp(method, "GET") == 0 || strcmp(method, "POST") == 0;
		*cap = dash_body_max(url);
		return REQHEAD_ROUTE_WEB;
	}
	return REQHEAD_ROUTE_NONE;
}
