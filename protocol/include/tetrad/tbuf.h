/*
 * tbuf — a growable byte buffer with a hard upper bound.
 *
 * Every buffer that holds outside input is created with the cap that the
 * protocol documents, so growth past it fails with TERR_TOO_LARGE instead of
 * eating memory (curl's dynbuf "toobig", OpenSSH's SSHBUF_SIZE_MAX).
 */
#ifndef TETRAD_TBUF_H
#define TETRAD_TBUF_H

#include <stddef.h>
#include <stdint.h>

struct tbuf;

/* A new empty buffer that may grow to max bytes; NULL on allocation failure. */
struct tbuf *tbuf_new(size_t max);
/* Frees b; accepts NULL. Contents are wiped first (they may be plaintext). */
void tbuf_free(struct tbuf *b);

/* Appends; TERR_TOO_LARGE past the cap, TERR_NOMEM; b unchanged on failure. */
int tbuf_put(struct tbuf *b, const void *data, size_t len);
int tbuf_put_u8(struct tbuf *b, uint8_t v);
int tbuf_put_u32be(struct tbuf *b, uint32_t v);
int tbuf_put_u64be(struct tbuf *b, uint64_t v);
/* A C string without its NUL; v in decimal ("-12"). Cheaper than tbuf_putf
 * in the encoders' inner loops, which format a few numbers per record. */
int tbuf_put_str(struct tbuf *b, const char *s);
int tbuf_put_dec(struct tbuf *b, int64_t v);
int tbuf_putf(struct tbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/*
 * Makes room for len more bytes without writing them, so that appending
 * them later copies nothing: for a writer that knows roughly how much is
 * coming. 0, or TERR_TOO_LARGE / TERR_NOMEM (b unchanged).
 */
int tbuf_expect(struct tbuf *b, size_t len);
/* Reserves len bytes at the end and returns where to write them, or NULL. */
uint8_t *tbuf_reserve(struct tbuf *b, size_t len);

const uint8_t *tbuf_ptr(const struct tbuf *b);
uint8_t *tbuf_mutable_ptr(struct tbuf *b);
size_t tbuf_len(const struct tbuf *b);
size_t tbuf_max(const struct tbuf *b);
/* Empties b (wiping the old contents) but keeps its allocation. */
void tbuf_reset(struct tbuf *b);
/* Drops bytes after len (len <= current length), wiping them. */
void tbuf_truncate(struct tbuf *b, size_t len);
/*
 * Gives back the end of a tbuf_reserve that was never written: the length
 * becomes len (<= current length) and nothing is wiped, so only a caller
 * that knows bytes from len on were left untouched may use it (zlib writes
 * its output in order and says how much).
 */
void tbuf_unreserve(struct tbuf *b, size_t len);
/* Appends a NUL that is not counted in the length; for handing text to C APIs. */
int tbuf_terminate(struct tbuf *b);
/* Hands the contents to the caller (free with free()) and empties b. */
uint8_t *tbuf_steal(struct tbuf *b, size_t *lenp);

/* Big-endian readers over a bounds-checked cursor. */
struct tbuf_reader {
	const uint8_t *p;
	size_t len;
	size_t off;
};
void tbuf_reader_init(struct tbuf_reader *r, const void *p, size_t len);
int tbuf_read(struct tbuf_reader *r, void *out, size_t len);   /* TERR_TRUNCATED */
int tbuf_read_u8(struct tbuf_reader *r, uint8_t *v);
int tbuf_read_u16be(struct tbuf_reader *r, uint16_t *v);
int tbuf_read_u32be(struct tbuf_reader *r, uint32_t *v);
int tbuf_read_u64be(struct tbuf_reader *r, uint64_t *v);
size_t tbuf_reader_left(const struct tbuf_reader *r);

#endif
