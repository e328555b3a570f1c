/*
 * admit — budgets for request bodies held in memory before their sender is
 * authenticated.
 *
 * A body is reserved by its exact declared size once its first bytes passed
 * the checks that need no memory (the envelope header: known device, right
 * hub key, length within the cap; an enrollment's Content-Length), and
 * released when its request ends. Three rules, each a bound by design:
 * the bytes reserved by all senders stay within a global budget; the bytes
 * of one client address within its share; and one device id has at most one
 * body in flight (a stranger naming a known device cannot stack copies).
 * What does not fit is refused (the server answers 503 + Retry-After);
 * nothing waits in a queue.
 */
#ifndef TETRAD_HUB_ADMIT_H
#define TETRAD_HUB_ADMIT_H

#include <stddef.h>
#include <stdint.h>

#include "tetrad/keys.h"
#include "tetrad/terr.h"

#define ADMIT_ADDR_MAX 64     /* a client address as text (IPv6 fits) */

enum admit_verdict {
	ADMIT_OK = 0,
	ADMIT_DEVICE_BUSY,        /* a body of this device is already in flight */
	ADMIT_ADDR_FULL,          /* the address's share is spent */
	ADMIT_TOTAL_FULL,         /* the global budget is spent */
};

struct admit;
struct admit_ticket;

/* total: bytes for all senders; per_addr: one address's share (<= total). */
int admit_new(size_t total, size_t per_addr, struct admit **out, struct terr *e);

/*
 * Reserves bytes for a body from addr; device (its id in hex) is the device
 * the body claims to come from, NULL for none (enrollment). ADMIT_OK with
 * *t set, to be given back to admit_release; anything else reserves nothing.
 * Out of memory for the ticket counts as a full budget.
 */
enum admit_verdict admit_take(struct admit *a, const char *addr,
    const char *device, size_t bytes, struct admit_ticket **t);

/* Gives a reservation back. Accepts NULL. */
void admit_release(struct admit *a, struct admit_ticket *t);

/* Bytes reserved now: all senders, and addr alone (for tests and logs). */
size_t admit_reserved(struct admit *a, const char *addr);

/* A verdict in words for a log line. */
const char *admit_verdict_str(enum admit_verdict v);

/* Frees a (every ticket must have been released). Accepts NULL. */
void admit_free(struct admit *a);

#endif
