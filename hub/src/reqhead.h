/*
 * reqhead — a request's head, read before any of its body: the client's
 * address and how the body is framed.
 */
#ifndef TETRAD_HUB_REQHEAD_H
#define TETRAD_HUB_REQHEAD_H

#include <stdint.h>

#include <microhttpd.h>

#include "hub/admit.h"

enum reqhead_framing {
	REQHEAD_OK = 0,     /* *cl: Content-Length, 0 with none (chunked, or no body) */
	REQHEAD_BAD,        /* 400 and close: *why says why, in Russian */
	REQHEAD_HUGE,       /* a Content-Length no number fits: 413 */
};

/* The client's address as text ("?" if unknown), for budgets and logs. */
void reqhead_addr(struct MHD_Connection *c, char out[ADMIT_ADDR_MAX]);

/* How the body's length is framed (RFC 9112 §6). */
enum reqhead_framing reqhead_framing(struct MHD_Connection *c, uint64_t *cl,
    const char **why);

#endif
