/*
 * fetch — the records pull of a sync run: the hub's feed of what this
 * device shares (docs/syncd.md, "Records from the hub").
 *
 * Online loop: a request signed with the device key (after = meta
 * pull_after, a fresh nonce, the box key the answer is sealed to) →
 * POST /v1/pull → the answer opened (pullmsg_open: recipient, hub key,
 * signature, the request's nonce, decryption, parse) → its after checked
 * against the cursor → applied in one transaction (inbox.h) → again while
 * the hub says there is more → an ack of the cursor (POST /v1/pull/ack).
 * An answer refused at any step changes nothing on the device; its reason
 * is logged and the run goes on without pulling further. A pull of more
 * than one answer reports the records received to o->pull_progress.
 */
#ifndef TETRAD_SYNCD_FETCH_H
#define TETRAD_SYNCD_FETCH_H

#include <stdint.h>

#include "syncd/inbox.h"
#include "syncd/net.h"
#include "syncd/sync.h"
#include "tetrad/pullmsg.h"
#include "tetrad/terr.h"

#define FETCH_MAX_ITEMS 500u   /* asked per answer: a device parses one answer whole (≈15 MiB peak with 2.5 KB visits) */
#define FETCH_MAX_ANSWERS 100000             /* per run: a bound, not a plan */

struct fetch_result {
	int64_t answers;          /* answers applied */
	struct inbox_result in;
	uint64_t cursor;          /* meta pull_after after the run */
	int refused;              /* an answer was refused (reason logged) */
	int restarted;            /* the hub's feed was behind the cursor (409
	                           * cursor_ahead: a hub restored from an older
	                           * backup): pulled again from 0 */
	int unsupported;          /* the hub has no pull (an older hub) */
	int unreachable;
	int stopped;
};

/*
 * The online pull. 0 when the run went through, whatever the hub answered
 * (res says); negative on a storage or configuration error.
 */
int fetch_run(struct sync_ctx *c, struct net *n, const struct sync_opts *o,
    const char *builtin_dir, struct fetch_result *res, struct terr *e);

/* fetch_run as a step of sync_run: its outcome into res (pulled,
 * pull_refused, and hub_error, unreachable, stopped). */
int fetch_sync(struct sync_ctx *c, struct net *n, const struct sync_opts *o,
    const char *builtin_dir, struct sync_result *res, struct terr *e);

/* A signed ack (PULLMSG_ACK) of after, for the hub or a USB stick. */
int fetch_ack_sign(struct sync_ctx *c, uint64_t after, uint8_t out[PULLMSG_REQ_BYTES],
    struct terr *e);

/* The log words for the outcome of a pull: «Получено с хаба: …». */
void fetch_summary(const struct inbox_result *in, char *buf, size_t cap);

#endif
