/*
 * pullmsg_internal — what the pullmsg_*.c files share and nobody else uses:
 * big-endian helpers, the answer header's layout, the plaintext reader.
 */
#ifndef TETRAD_PULLMSG_INTERNAL_H
#define TETRAD_PULLMSG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tetrad/pullmsg.h"

/* Byte offsets of the answer header (docs/protocol.md, "Pull"). */
enum {
	PA_MAGIC = 0, PA_VERSION = 4, PA_FLAGS = 5, PA_RESERVED = 6, PA_DEVICE = 8,
	PA_HUB = 16, PA_AFTER = 24, PA_UPTO = 32, PA_COUNT = 40, PA_PLAIN = 44,
	PA_REQ_NONCE = 48, PA_EPH = 80, PA_NONCE = 112, PA_CIPHER = 136, PA_END = 140
};

#define PULLMSG_MAX_CIPHER (PULLMSG_MAX_BYTES - PULLMSG_HEADER_BYTES - PULLMSG_SIG_BYTES)

static inline void
pullmsg_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
pullmsg_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static inline uint32_t
pullmsg_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline uint64_t
pullmsg_get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Writes h as the PULLMSG_HEADER_BYTES of an answer header. */
void pullmsg_header_write(const struct pullmsg_header *h, uint8_t p[PULLMSG_HEADER_BYTES]);

/*
 * Parses the plaintext (plain_len bytes, not NUL-terminated) of an answer
 * whose header is h into a batch: bounds, shape, then the cross-checks
 * against h. *out NULL on failure.
 */
int pullmsg_items_parse(const uint8_t *plain, size_t len, const struct pullmsg_header *h,
    struct pullmsg_batch **out, struct terr *e);

#endif
