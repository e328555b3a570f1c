/*
 * sync_push — the push part of a run (sync.h): every stored and pending
 * change set to the hub, pipelined (one on the wire, one sealed ahead, one
 * being recorded), with the retry policy of sync.h. Private to syncd/src:
 * sync.c calls it; it is its own file only to keep sync.c readable.
 */
#ifndef TETRAD_SYNCD_SYNC_PUSH_H
#define TETRAD_SYNCD_SYNC_PUSH_H

#include <stdint.h>

#include "syncd/net.h"
#include "syncd/sync.h"

/* Milliseconds on the monotonic clock (sync.c). */
int64_t sync_mono_ms(void);

/*
 * Sends everything that waits, in order, and records each answer in c's
 * database; counts into res. Reports to o->progress, when set, the entries
 * answered so far (acknowledged or quarantined) out of those that waited
 * when it began. 0 when the push went through or stopped for a reason in
 * res (unreachable, a refusal that needs a person, a stop); negative on a
 * storage error.
 */
int sync_push_all(struct sync_ctx *c, struct net *n, const struct sync_opts *o,
    struct sync_result *res, struct terr *e);

#endif
