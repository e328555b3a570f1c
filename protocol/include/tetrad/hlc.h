/*
 * hlc — hybrid logical clock: (wall milliseconds, counter, node).
 *
 * School PCs often have clocks that are days off: never order edits by wall
 * time alone. A clock never goes backwards: if the wall clock jumps back, the
 * clock keeps its last wall value and counts up; if the counter would
 * overflow, the wall component is advanced by one millisecond.
 *
 * Text form: 12 hex digits of wall ms, '-', 4 hex digits of counter, '-',
 * 16 hex digits of node, lowercase, so byte order of the text equals
 * hlc_compare order (useful as an SQLite column).
 */
#ifndef TETRAD_HLC_H
#define TETRAD_HLC_H

#include <stdint.h>

#include "tetrad/terr.h"

#define HLC_STRLEN 34
#define HLC_WALL_MAX 0xffffffffffffULL /* 48 bits */
#define HLC_COUNTER_MAX 0xffffu

struct hlc_ts {
	uint64_t wall_ms; /* Unix ms, < 2^48 */
	uint32_t counter; /* <= HLC_COUNTER_MAX */
	uint64_t node;    /* first 8 bytes of the device key id, big-endian */
};

struct hlc;

/* A clock for node whose last issued timestamp is last (NULL: none yet). */
struct hlc *hlc_new(uint64_t node, const struct hlc_ts *last);
void hlc_free(struct hlc *c);

/* Current Unix time in ms from the system clock. */
uint64_t hlc_wall_now(void);

/* A timestamp for a local event at wall time wall_ms; strictly greater than
 * every timestamp this clock has issued or seen. TERR_CLOCK if exhausted. */
int hlc_now(struct hlc *c, uint64_t wall_ms, struct hlc_ts *out);

/*
 * Merges a received timestamp. Refuses (TERR_CLOCK, clock unchanged) one
 * whose wall time is more than max_ahead_ms ahead of wall_ms: a device whose
 * clock is set to next year must not drag everyone else's clock along.
 */
int hlc_update(struct hlc *c, const struct hlc_ts *received, uint64_t wall_ms,
    uint64_t max_ahead_ms, struct hlc_ts *out, struct terr *e);

/* The last timestamp issued or merged (for persisting between runs). */
void hlc_last(const struct hlc *c, struct hlc_ts *out);

/* <0, 0, >0 as a orders before, equal to, after b (wall, counter, node). */
int hlc_compare(const struct hlc_ts *a, const struct hlc_ts *b);

void hlc_encode(const struct hlc_ts *t, char out[HLC_STRLEN + 1]);
/* Parses the text form exactly (length, lowercase hex); TERR_CLOCK otherwise. */
int hlc_decode(const char *s, struct hlc_ts *out);

#endif
