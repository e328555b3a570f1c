/*
 * hubpull — what the hub sends each device back (two-way sync): the scope
 * of a device, one sealed answer of its feed after a cursor, the online
 * request and acknowledgement (POST /v1/pull, /v1/pull/ack), and the USB
 * file of changes with the acknowledgement file that comes back.
 *
 * Scope (docs/security.md, "What a device can read"): a school device
 * (kind "school") gets the records of its school whose form shares with
 * the school (form.h FORM_SHARE_SCHOOL); a curator device the records of
 * its schools whose form shares with curators (FORM_SHARE_CURATORS); both
 * get the issued risk profiles and register entries of their schools.
 * Nothing else: the rule of a form is that of its newest version the hub
 * has loaded (hubforms_share_each), a form nobody shares (the surveys) is
 * never read, and the mediation journal never reaches a curator.
 *
 * Requests are checked in this order, each refusal with its wire error
 * code (docs/hub-api.md): the body's form (malformed), the device named
 * (unknown_device), its signature (signature), revoked (revoked), the
 * device's clock not far ahead of the hub's (clock), its box key equal to
 * the one registered, which is registered at the first request (box_key),
 * the cursor not past the hub's feed (cursor_ahead). Nothing is read or
 * written for a request that fails a check before it.
 */
#ifndef TETRAD_HUB_HUBPULL_H
#define TETRAD_HUB_HUBPULL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hub/hubdb.h"
#include "hub/hubforms.h"
#include "tetrad/keys.h"
#include "tetrad/pullmsg.h"
#include "tetrad/tbuf.h"
#include "tetrad/terr.h"

#define HUBPULL_MESSAGE_MAX 512

struct hubpull_cfg {
	const struct keys_sign *sign;     /* the hub's signing key */
	struct hubforms *forms;           /* the share rules */
	size_t max_plain;                 /* plaintext of one answer; 0: PULLMSG_BUILD_PLAIN_DEFAULT */
	uint64_t max_ahead_ms;            /* device clock ahead of the hub; 0: INGEST_MAX_AHEAD_MS */
};

/* A device's scope: its schools and the forms shared with its kind. */
struct hubpull_scope;
int hubpull_scope_of(struct hubforms *forms, const struct hubdb_device *d,
    struct hubpull_scope **out, struct terr *e);
void hubpull_scope_free(struct hubpull_scope *s);
/* The scope as the store reads it (valid while s lives). */
const struct hubdb_feed_scope *hubpull_scope_feed(const struct hubpull_scope *s);

/* One answer: what hubpull_answer sealed. */
struct hubpull_batch {
	uint64_t after, upto;
	bool more;
	size_t records, profiles, schools;
	size_t skipped;                   /* records whose stored text cannot travel */
};

/*
 * Seals the answer to device d (its box key registered) for the items of
 * its scope after `after`: at most max_items (0 or over PULLMSG_MAX_ITEMS:
 * PULLMSG_MAX_ITEMS) and cfg->max_plain bytes, read from one snapshot.
 * upto is the last item's position when more follow, else the feed's head
 * (so the device's cursor passes what is outside its scope too). nonce:
 * the request's, NULL for a USB file (zeros). Appends to out. An item
 * over the byte bound alone goes alone, in an answer of the largest bound
 * (PULLMSG_MAX_PLAIN); a record whose stored text the answer cannot carry
 * (damaged on the hub) is skipped and counted, never blocking the rest.
 */
int hubpull_answer(struct hubdb *db, const struct hubpull_cfg *cfg,
    const struct hubdb_device *d, uint64_t after, uint32_t max_items,
    const uint8_t nonce[PULLMSG_NONCE_BYTES], struct tbuf *out,
    struct hubpull_batch *b, struct terr *e);

/* The outcome of a request or an acknowledgement, for the answer. */
struct hubpull_result {
	int http;                         /* 200, or the refusal's status */
	char error[32];                   /* wire error code when http != 200 */
	char message[HUBPULL_MESSAGE_MAX];  /* Russian, when http != 200 */
	char device[KEYS_ID_HEXLEN + 1];  /* the device named ("" if unreadable) */
	struct hubpull_batch batch;       /* a request's answer (http 200) */
	bool box_registered;              /* this request registered the box key */
};

/*
 * POST /v1/pull: body (a PULLMSG_REQUEST) checked as above; on 200 the
 * sealed answer is appended to out. now_ms: the hub's wall clock. Returns
 * 0 with res filled whatever the verdict; a negative code only when the
 * store failed (TERR_BUSY/TERR_FULL: answer 503) or memory ran out.
 */
int hubpull_request(struct hubdb *db, const struct hubpull_cfg *cfg,
    const uint8_t *body, size_t len, uint64_t now_ms, struct tbuf *out,
    struct hubpull_result *res, struct terr *e);

/*
 * POST /v1/pull/ack, and an ack file brought on a USB stick (`tetrad-hub
 * import`): body (a PULLMSG_ACK) checked as a request is; then the
 * device's cursor moves to its `after` (never back). The first ack of a
 * device that never pulled online registers its box key, so the hub can
 * write its USB file of changes.
 */
int hubpull_ack(struct hubdb *db, const struct hubpull_cfg *cfg, const uint8_t *body,
    size_t len, uint64_t now_ms, struct hubpull_result *res, struct terr *e);

/* What hubpull_export wrote. */
struct hubpull_export_counts {
	uint64_t after, upto;             /* the device's cursor, the last upto */
	unsigned answers;
	size_t records, profiles, schools;
};

/*
 * `tetrad-hub export-changes --device ID --out FILE`: every item of the
 * device's scope after its acknowledged cursor, as answers with a zero
 * nonce in a USB file of changes (pullmsg.h "TTPF"), written to a
 * temporary file, synced and renamed to path (which must not exist).
 * TERR_NOTFOUND for an unknown device; TERR_ARG with the reason for a
 * revoked device, or one whose box key the hub does not have yet (its
 * first ack file brings it); TERR_IO when path exists already.
 */
int hubpull_export(struct hubdb *db, const struct hubpull_cfg *cfg, const char *device_id,
    const char *path, struct hubpull_export_counts *n, struct terr *e);

#endif
