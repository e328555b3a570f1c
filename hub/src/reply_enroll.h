/*
 * reply_enroll — the answer to POST /v1/enroll (reply_enroll.c): a device
 * redeems a token for its key, behind a throttle of failed attempts.
 */
#ifndef TETRAD_HUB_REPLY_ENROLL_H
#define TETRAD_HUB_REPLY_ENROLL_H

#include <microhttpd.h>

#include "dbpool.h"
#include "hub/server.h"
#include "hub/throttle.h"
#include "tetrad/keys.h"
#include "tetrad/tbuf.h"

struct reply_enroll_cfg {
	struct dbpool *pool;
	struct throttle *throttle;          /* failed enrollments per address */
	const struct keys_enc *enc;         /* the hub's keys, for the answer */
	const struct keys_sign *sign;
	server_log_fn log;                  /* may be NULL */
	void *log_ctx;
};

/*
 * An address (or the whole network) past its share of failed attempts
 * (throttle.h) is answered 429 + Retry-After before the store is touched;
 * every answer but 200 and 503 counts as a failure. The log names the
 * client's address (addr) and the error code, never the token. body may be
 * NULL (an empty request).
 */
enum MHD_Result reply_enroll(const struct reply_enroll_cfg *cfg, struct MHD_Connection *c,
    const char *addr, const struct tbuf *body);

#endif
