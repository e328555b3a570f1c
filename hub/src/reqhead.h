/*
 * reqhead — a request's head, read before any of its body: the route, the
 * client's address and how the body is framed.
 */
#ifndef TETRAD_HUB_REQHEAD_H
#define TETRAD_HUB_REQHEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "hub/admit.h"

enum reqhead_framing {
	REQHEAD_OK = 0,     /* *cl: Content-Length, 0 with none (chunked, or no body) */
	REQHEAD_BAD,        /* 400 and close: *why says why, in Russian */
	REQHEAD_HUGE,       /* a Content-Length no number fits: 413 */
};

enum reqhead_route {
	REQHEAD_ROUTE_NONE = 0,
	REQHEAD_ROUTE_HEALTH,
	REQHEAD_ROUTE_ENROLL,
	REQHEAD_ROUTE_CHANGESETS,
	REQHEAD_ROUTE_FORMS,            /* the list and one form: both under /v1/forms */
	REQHEAD_ROUTE_DEVICE,           /* a device's own state: /v1/devices/<id> */
	REQHEAD_ROUTE_PULL,             /* a pull request, /v1/pull */
	REQHEAD_ROUTE_PULL_ACK,         /* a pull acknowledgement, /v1/pull/ack */
	REQHEAD_ROUTE_WEB,              /* the dashboard: every path outside /v1/ (dash.h) */
};

/*
 * Which API path url is, whether method fits it, and the largest body it
 * takes (*cap; 0: none is read).
 */
enum reqhead_route reqhead_route(const char *url, const char *method, size_t *cap,
    bool *method_ok);

/* The client's address as text ("?" if unknown), for budgets and logs. */
void reqhead_addr(struct MHD_Connection *c, char out[ADMIT_ADDR_MAX]);

/* How the body's length is framed (RFC 9112 §6). */
enum reqhead_framing reqhead_framing(struct MHD_Connection *c, uint64_t *cl,
    const char **why);

#endif
