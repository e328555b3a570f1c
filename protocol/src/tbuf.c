/*
 * tbuf — growable byte buffer with a hard cap, and a bounds-checked reader.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tetrad/tbuf.h"
#include "tetrad/terr.h"

struct tbuf {
	uint8_t *data;
	size_t len;
	size_t alloc;
	size_t max;
	/*
	 * The most len has been since data was allocated: only [0, used) can
	 * hold anything to wipe. Wiping the whole allocation instead touched
	 * pages never written (a set's buffer doubles to 512 KiB for 330 KiB),
	 * which the kernel then had to fault in only to be zeroed.
	 */
	size_t used;
};

struct tbuf *
tbuf_new(size_t max)
{
	struct tbuf *b = calloc(1, sizeof(*b));

	if (b != NULL)
		b->max = max;
	return b;
}

void
tbuf_free(struct tbuf *b)
{
	if (b == NULL)
		return;
	if (b->data != NULL) {
		sodium_memzero(b->data, b->used);
		free(b->data);
	}
	free(b);
}

/* Makes room for need more bytes plus one for tbuf_terminate's NUL. */
static int
tbuf_grow(struct tbuf *b, size_t need)
{
	size_t want, nalloc;
	uint8_t *n;

	if (need > b->max || b->len > b->max - need)
		return TERR_TOO_LARGE;
	want = b->len + need + 1;
	if (want <= b->alloc)
		return 0;
	nalloc = b->alloc ? b->alloc : 256;
	while (nalloc < want)
		nalloc = nalloc > SIZE_MAX / 2 ? want : nalloc * 2;
	if (b->max < SIZE_MAX && nalloc > b->max + 1)
		nalloc = b->max + 1;
	/* Not realloc: the old block may hold plaintext and must be wiped. */
	if ((n = malloc(nalloc)) == NULL)
		return TERR_NOMEM;
	if (b->data != NULL) {
		memcpy(n, b->data, b->len);
		sodium_memzero(b->data, b->used);
		free(b->data);
	}
	b->data = n;
	b->alloc = nalloc;
	b->used = b->len;
	return 0;
}

int
tbuf_put(struct tbuf *b, const void *data, size_t len)
{
	int r;

	if (len == 0)
		return 0;
	if ((r = tbuf_grow(b, len)) != 0)
		return r;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	if (b->len > b->used)
		b->used = b->len;
	return 0;
}

int
tbuf_expect(struct tbuf *b, size_t len)
{
	return tbuf_grow(b, len);
}

uint8_t *
tbuf_reserve(struct tbuf *b, size_t len)
{
	uint8_t *p;

	if (tbuf_grow(b, len) != 0)
		return NULL;
	p = b->data + b->len;
	b->len += len;
	if (b->len > b->used)
		b->used = b->len;
	return p;
}

int
tbuf_put_u8(struct tbuf *b, uint8_t v)
{
	return tbuf_put(b, &v, 1);
}

int
tbuf_put_str(struct tbuf *b, const char *s)
{
	return tbuf_put(b, s, strlen(s));
}

int
tbuf_put_dec(struct tbuf *b, int64_t v)
{
	char digits[24], *p = digits + sizeof(digits);
	/* magnitude as unsigned: -INT64_MIN does not fit an int64_t */
	uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + m % 10);
		m /= 10;
	} while (m != 0);
	if (v < 0)
		*--p = '-';
	return tbuf_put(b, p, (size_t)(digits + sizeof(digits) - p));
}

int
tbuf_put_u32be(struct tbuf *b, uint32_t v)
{
	uint8_t p[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	return tbuf_put(b, p, sizeof(p));
}

int
tbuf_put_u64be(struct tbuf *b, uint64_t v)
{
	uint8_t p[8];

	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
	return tbuf_put(b, p, sizeof(p));
}

int
tbuf_putf(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n, r;
	char small[256];

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return TERR_INTERNAL;
	if ((size_t)n < sizeof(small))
		return tbuf_put(b, small, (size_t)n);
	if ((r = tbuf_grow(b, (size_t)n)) != 0)
		return r;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	if (b->len > b->used)
		b->used = b->len;
	return 0;
}

const uint8_t *
tbuf_ptr(const struct tbuf *b)
{
	return b->data;
}

uint8_t *
tbuf_mutable_ptr(struct tbuf *b)
{
	return b->data;
}

size_t
tbuf_len(const struct tbuf *b)
{
	return b->len;
}

size_t
tbuf_max(const struct tbuf *b)
{
	return b->max;
}

void
tbuf_reset(struct tbuf *b)
{
	if (b->data != NULL)
		sodium_memzero(b->data, b->used);
	b->len = b->used = 0;
}

void
tbuf_truncate(struct tbuf *b, size_t len)
{
	if (len < b->len) {
		sodium_memzero(b->data + len, b->len - len);
		b->len = len;
	}
}

void
tbuf_unreserve(struct tbuf *b, size_t len)
{
	if (len < b->len) {
		if (b->used == b->len)
			b->used = len;
		b->len = len;
	}
}

int
tbuf_terminate(struct tbuf *b)
{
	int r;

	/* tbuf_grow always leaves room for one more byte than len. */
	if (b->data == NULL && (r = tbuf_grow(b, 0)) != 0)
		return r;
	b->data[b->len] = '\0';
	return 0;
}

uint8_t *
tbuf_steal(struct tbuf *b, size_t *lenp)
{
	uint8_t *p = b->data;

	if (lenp != NULL)
		*lenp = b->len;
	b->data = NULL;
	b->len = b->alloc = b->used = 0;
	return p;
}

void
tbuf_reader_init(struct tbuf_reader *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
}

size_t
tbuf_reader_left(const struct tbuf_reader *r)
{
	return r->len - r->off;
}

int
tbuf_read(struct tbuf_reader *r, void *out, size_t len)
{
	if (len > tbuf_reader_left(r))
		return TERR_TRUNCATED;
	memcpy(out, r->p + r->off, len);
	r->off += len;
	return 0;
}

int
tbuf_read_u8(struct tbuf_reader *r, uint8_t *v)
{
	return tbuf_read(r, v, 1);
}

int
tbuf_read_u16be(struct tbuf_reader *r, uint16_t *v)
{
	uint8_t p[2];
	int rc;

	if ((rc = tbuf_read(r, p, sizeof(p))) != 0)
		return rc;
	*v = (uint16_t)((p[0] << 8) | p[1]);
	return 0;
}

int
tbuf_read_u32be(struct tbuf_reader *r, uint32_t *v)
{
	uint8_t p[4];
	int rc;

	if ((rc = tbuf_read(r, p, sizeof(p))) != 0)
		return rc;
	*v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
	return 0;
}

int
tbuf_read_u64be(struct tbuf_reader *r, uint64_t *v)
{
	uint8_t p[8];
	int rc;

	if ((rc = tbuf_read(r, p, sizeof(p))) != 0)
		return rc;
	*v = 0;
	for (int i = 0; i < 8; i++)
		*v = (*v << 8) | p[i];
	return 0;
}
