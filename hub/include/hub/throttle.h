/*
 * throttle — how often a client address may fail at something (the hub
 * uses it for enrollment: wrong tokens, refused keys, garbage), in a table
 * of fixed size.
 *
 * Each address (IPv4 /32, IPv6 /64: one host usually holds a whole /64)
 * has a bucket of `burst` failures that refills at one every
 * `refill_ms`; a global bucket (`global_burst`, one every
 * `global_refill_ms`) is shared by all addresses, so that many addresses
 * cannot together cost more. Only failures take from the buckets: a NAT
 * with many schools behind one address that enroll correctly is never
 * slowed, and a few typos cost a few of its `burst`.
 *
 * Memory is the table given at creation and nothing else. An address
 * whose bucket has refilled is forgotten (its slot is free). When the
 * slots an address may use are all held by addresses still being
 * throttled, the new address is counted against the global bucket only.
 * The slot of an address depends on a secret hash key, so an attacker
 * cannot aim addresses at one slot. Thread-safe (one mutex); no global
 * state.
 */
#ifndef TETRAD_HUB_THROTTLE_H
#define TETRAD_HUB_THROTTLE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "tetrad/terr.h"

struct throttle;

struct throttle_cfg {
	unsigned burst;               /* failures of one address before it waits */
	unsigned refill_ms;           /* one more failure allowed every refill_ms */
	unsigned global_burst;        /* failures of all addresses together */
	unsigned global_refill_ms;
	size_t slots;                 /* addresses remembered at once */
};

/* The hub's enrollment limits (docs/security.md says why these). */
#define THROTTLE_ENROLL_BURST 20
#define THROTTLE_ENROLL_REFILL_MS 3000
#define THROTTLE_ENROLL_GLOBAL_BURST 200
#define THROTTLE_ENROLL_GLOBAL_REFILL_MS 50     /* 20 failures/s sustained */
#define THROTTLE_ENROLL_SLOTS 4096
#define THROTTLE_PROBE 8                        /* slots an address may use */

int throttle_new(const struct throttle_cfg *cfg, struct throttle **out, struct terr *e);
void throttle_free(struct throttle *t);

/*
 * 0 when the address sa may make an attempt at now_ms (a monotonic clock);
 * else the whole seconds (≥ 1) it is to wait, for Retry-After. A NULL or
 * unknown-family address counts against the global bucket only.
 */
unsigned throttle_check(struct throttle *t, const struct sockaddr *sa, int64_t now_ms);

/* Records a failed attempt of sa at now_ms. */
void throttle_fail(struct throttle *t, const struct sockaddr *sa, int64_t now_ms);

/* The address as text (for the log), "?" when there is none. */
void throttle_addr_text(const struct sockaddr *sa, char *out, size_t cap);

#endif
