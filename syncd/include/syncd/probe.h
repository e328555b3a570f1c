/*
 * probe — a run that had nothing to send still asks the hub whether it
 * takes this device's sets (wire.h, device state), so a revoked device is
 * told on every sync, not only the next time it has a record to send.
 */
#ifndef TETRAD_SYNCD_PROBE_H
#define TETRAD_SYNCD_PROBE_H

#include <stddef.h>

#include "syncd/net.h"
#include "syncd/sync.h"
#include "tetrad/terr.h"

/*
 * Asks; on "revoked" sets res->revoked and copies the hub's message into
 * res->revoked_msg. An older hub (no such address), an unreachable one or
 * any other answer leaves res as it is: the push will tell.
 */
void probe_run(struct sync_ctx *c, struct net *n, struct sync_result *res);

#endif
