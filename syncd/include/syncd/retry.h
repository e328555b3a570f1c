/*
 * retry — the sets the hub refused for a cause that goes away by itself
 * (wire.h wire_retry: forms it did not know yet, stamps ahead of its
 * clock) go again once its answer says the cause is gone: every form of
 * the set is in GET /v1/forms/known, or the hub's clock (its Date) has
 * passed the set's stamps. Their entries become new pending entries
 * (localdb_requeue) that the run's push sends. With no such set nothing is
 * asked of the hub.
 */
#ifndef TETRAD_SYNCD_RETRY_H
#define TETRAD_SYNCD_RETRY_H

#include "syncd/net.h"
#include "syncd/sync.h"
#include "tetrad/terr.h"

/* Adds what went back to the outbox to res->entries_requeued. A hub that
 * cannot say is no error (logged); a storage error is returned. */
int retry_run(struct sync_ctx *c, struct net *n, const struct sync_opts *o,
    struct sync_result *res, struct terr *e);

#endif
