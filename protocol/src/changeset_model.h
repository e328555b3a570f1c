/*
 * changeset_model — what the set's encoder, canonical reader and full
 * parser share (private to the protocol library): the caps, the set's
 * never-moving memory, the checks every set must pass, and the two byte
 * helpers the reader's hot path inlines.
 */
#ifndef TETRAD_CHANGESET_MODEL_H
#define TETRAD_CHANGESET_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "tetrad/tbuf.h"
#include "tetrad/changeset.h"

/*
 * JSON values (containers, strings, numbers, literals) in one set. Bounds the
 * memory cJSON may take for a 32 MiB plaintext of "0,0,0,…" (each value is a
 * 64-byte node); 10,000 ops of a large form need well under this.
 */
#define CHANGESET_MAX_VALUES 2000000u
/* Field names, bytes. */
#define CHANGESET_KEY_MAX 64
/* Integers in the top-level members must be exact in a double. */
#define CHANGESET_INT_MAX 9007199254740992.0 /* 2^53 */

/* Depth of a field value object ("fields") inside the set. */
#define CHANGESET_FIELDS_DEPTH 4

/* Wipes (field values are personal data) and deletes a cJSON tree; NULL is fine. */
void changeset_free_json(cJSON *j);

/*
 * size bytes aligned for any type in memory that never moves and is wiped
 * and freed with cs, or NULL on no memory.
 */
void *changeset_chunk_take(struct changeset *cs, size_t size);

/*
 * ops grows in powers of two from 8; the capacity is implied by n_ops so the
 * public struct needs no extra member.
 */
size_t changeset_capacity(size_t n);

/* Offset of the first invalid byte, or len if s is valid UTF-8 without NUL. */
size_t changeset_utf8_bad(const uint8_t *s, size_t len);

/* Caps and ranges that can be checked without encoding anything. */
int changeset_check(const struct changeset *cs, struct terr *e);

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 if invalid. */
static inline size_t
changeset_utf8_seq(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];

	if (c == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		if (n < 2 || (s[1] & 0xc0) != 0x80)
			return 0;
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* UTF-16 surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0; /* continuation byte, 0xc0/0xc1 overlongs, 0xf5.. */
}

/* The value of a hex digit, or -1. */
static inline int
changeset_hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Members of JSON read from outside (a change set, a pull answer): an
 * integer 0 … max that a double holds exactly (never above 2^53), or a
 * string of min … max bytes (*s points into j). 0, or -1 without a message:
 * the caller names the member.
 */
int changeset_json_uint(const cJSON *j, uint64_t max, uint64_t *out);
int changeset_json_str(const cJSON *j, size_t min, size_t max, const char **s);

#endif
