/* Unit tests for tbuf (capped buffer, bounded reader) and terr. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "check.h"
#include "tetrad/tbuf.h"
#include "tetrad/terr.h"

static void
test_cap(void)
{
	struct tbuf *b = tbuf_new(10);
	uint8_t *p;

	CHECK(b != NULL);
	CHECK_INT_EQ(tbuf_put(b, "0123456789", 10), 0);
	CHECK_INT_EQ(tbuf_len(b), 10);
	CHECK_INT_EQ(tbuf_put(b, "x", 1), TERR_TOO_LARGE);
	CHECK_INT_EQ(tbuf_len(b), 10); /* unchanged on failure */
	CHECK_INT_EQ(tbuf_terminate(b), 0);
	CHECK_STR_EQ((const char *)tbuf_ptr(b), "0123456789");
	tbuf_truncate(b, 4);
	CHECK_INT_EQ(tbuf_len(b), 4);
	CHECK((p = tbuf_reserve(b, 6)) != NULL);
	CHECK(tbuf_reserve(b, 1) == NULL);
	tbuf_reset(b);
	CHECK_INT_EQ(tbuf_len(b), 0);
	CHECK_INT_EQ(tbuf_putf(b, "%d-%s", 42, "ab"), 0);
	CHECK_INT_EQ(tbuf_len(b), 5);
	CHECK_INT_EQ(tbuf_putf(b, "%s", "123456"), TERR_TOO_LARGE);
	tbuf_free(b);
	tbuf_free(NULL);
}

static int
all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/*
 * What was written is wiped when it is dropped; the allocation is kept by
 * tbuf_reset, so a reserve afterwards shows the same bytes again.
 */
static void
test_wipe(void)
{
	struct tbuf *b = tbuf_new(1000);
	uint8_t *p;

	CHECK(b != NULL);
	CHECK_INT_EQ(tbuf_put(b, "secret answers", 14), 0);
	tbuf_reset(b);
	CHECK((p = tbuf_reserve(b, 14)) != NULL);
	CHECK(p != NULL && all_zero(p, 14));
	tbuf_reset(b);
	/* truncate wipes what it drops */
	CHECK_INT_EQ(tbuf_put(b, "abcdefgh", 8), 0);
	tbuf_truncate(b, 2);
	CHECK((p = tbuf_reserve(b, 6)) != NULL);
	CHECK(p != NULL && all_zero(p, 6));
	tbuf_reset(b);
	/* unreserve keeps what was written below len, and a reset still wipes it */
	CHECK((p = tbuf_reserve(b, 100)) != NULL);
	if (p != NULL)
		memcpy(p, "zlib", 4);
	tbuf_unreserve(b, 4);
	CHECK_INT_EQ(tbuf_len(b), 4);
	CHECK(memcmp(tbuf_ptr(b), "zlib", 4) == 0);
	CHECK_INT_EQ(tbuf_put(b, "!", 1), 0);
	CHECK(memcmp(tbuf_ptr(b), "zlib!", 5) == 0);
	tbuf_reset(b);
	CHECK((p = tbuf_reserve(b, 5)) != NULL);
	CHECK(p != NULL && all_zero(p, 5));
	tbuf_reset(b);
	/* a lower unreserve after a longer past: what the past wrote is still wiped */
	CHECK_INT_EQ(tbuf_put(b, "0123456789", 10), 0);
	tbuf_truncate(b, 0);
	CHECK((p = tbuf_reserve(b, 3)) != NULL);
	tbuf_unreserve(b, 1);
	CHECK_INT_EQ(tbuf_put(b, "xy", 2), 0);
	tbuf_reset(b);
	CHECK((p = tbuf_reserve(b, 10)) != NULL);
	CHECK(p != NULL && all_zero(p, 10));
	/* growing moves the contents to a new block */
	tbuf_reset(b);
	CHECK_INT_EQ(tbuf_put(b, "keep", 4), 0);
	CHECK((p = tbuf_reserve(b, 600)) != NULL);
	tbuf_unreserve(b, 4);
	CHECK_INT_EQ(tbuf_len(b), 4);
	CHECK(memcmp(tbuf_ptr(b), "keep", 4) == 0);
	tbuf_free(b);
}

/* Decimal numbers as printf would write them, the extremes included. */
static void
test_put_dec(void)
{
	const int64_t vals[] = { 0, 7, -7, 10, -10, 9007199254740992LL, -9007199254740992LL,
	    INT64_MAX, INT64_MIN };
	struct tbuf *b = tbuf_new(64);
	char want[32];

	CHECK(b != NULL);
	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		tbuf_reset(b);
		snprintf(want, sizeof(want), "%" PRId64, vals[i]);
		CHECK_INT_EQ(tbuf_put_dec(b, vals[i]), 0);
		CHECK_INT_EQ(tbuf_terminate(b), 0);
		CHECK_STR_EQ((const char *)tbuf_ptr(b), want);
	}
	tbuf_free(b);
	/* capped like every put: nothing written when it does not fit */
	b = tbuf_new(3);
	CHECK_INT_EQ(tbuf_put_str(b, "ab"), 0);
	CHECK_INT_EQ(tbuf_put_dec(b, 12), TERR_TOO_LARGE);
	CHECK_INT_EQ(tbuf_len(b), 2);
	tbuf_free(b);
}

static void
test_growth_and_steal(void)
{
	struct tbuf *b = tbuf_new(1 << 20);
	uint8_t *stolen;
	size_t n = 0;
	char big[600];

	memset(big, 'z', sizeof(big));
	for (int i = 0; i < 1000; i++)
		CHECK_INT_EQ(tbuf_put(b, big, sizeof(big)), i < 1747 ? 0 : TERR_TOO_LARGE);
	CHECK_INT_EQ(tbuf_len(b), 600000);
	CHECK_INT_EQ(tbuf_putf(b, "%.*s", 300, big), 0); /* longer than putf's small buffer */
	CHECK_INT_EQ(tbuf_len(b), 600300);
	stolen = tbuf_steal(b, &n);
	CHECK_INT_EQ(n, 600300);
	CHECK(stolen != NULL && stolen[599999] == 'z');
	CHECK_INT_EQ(tbuf_len(b), 0);
	free(stolen);
	tbuf_free(b);
}

static void
test_reader(void)
{
	struct tbuf *b = tbuf_new(64);
	struct tbuf_reader r;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	CHECK_INT_EQ(tbuf_put_u8(b, 0xab), 0);
	CHECK_INT_EQ(tbuf_put_u32be(b, 0x01020304u), 0);
	CHECK_INT_EQ(tbuf_put_u64be(b, 0x1122334455667788ull), 0);
	CHECK_INT_EQ(tbuf_put(b, "\xbe\xef", 2), 0);
	CHECK_INT_EQ(tbuf_ptr(b)[1], 0x01); /* big-endian on the wire */
	tbuf_reader_init(&r, tbuf_ptr(b), tbuf_len(b));
	CHECK_INT_EQ(tbuf_read_u8(&r, &u8), 0);
	CHECK_INT_EQ(u8, 0xab);
	CHECK_INT_EQ(tbuf_read_u32be(&r, &u32), 0);
	CHECK_INT_EQ(u32, 0x01020304u);
	CHECK_INT_EQ(tbuf_read_u64be(&r, &u64), 0);
	CHECK(u64 == 0x1122334455667788ull);
	CHECK_INT_EQ(tbuf_read_u16be(&r, &u16), 0);
	CHECK_INT_EQ(u16, 0xbeef);
	CHECK_INT_EQ(tbuf_reader_left(&r), 0);
	CHECK_INT_EQ(tbuf_read_u8(&r, &u8), TERR_TRUNCATED);
	tbuf_free(b);
}

static void
test_terr(void)
{
	struct terr e;

	terr_clear(&e);
	CHECK_INT_EQ(e.code, 0);
	CHECK_INT_EQ(terr_set(&e, TERR_SIGNATURE, "набор %d–%d: подпись", 41, 57), TERR_SIGNATURE);
	CHECK_INT_EQ(e.code, TERR_SIGNATURE);
	CHECK_STR_EQ(e.msg, "набор 41–57: подпись");
	CHECK_INT_EQ(terr_set(NULL, TERR_IO, "x"), TERR_IO);
	CHECK_STR_EQ(terr_name(TERR_DEPTH), "TERR_DEPTH");
	CHECK_STR_EQ(terr_name(12345), "TERR_UNKNOWN");
	/* every code has its own text */
	for (int c = TERR_KIND; c < 0; c++)
		for (int d = c + 1; d < 0; d++)
			CHECK(strcmp(terr_str(c), terr_str(d)) != 0);
	/* errno for people: Russian whatever the C library's locale */
	CHECK_STR_EQ(terr_strerror(ENOENT), "нет такого файла или папки");
	CHECK_STR_EQ(terr_strerror(EACCES), "нет прав доступа");
	CHECK_STR_EQ(terr_strerror(ENOSPC), "на диске нет места");
	CHECK_STR_EQ(terr_strerror(-12345), "системная ошибка");
}

int
main(void)
{
	test_cap();
	test_wipe();
	test_put_dec();
	test_growth_and_steal();
	test_reader();
	test_terr();
	return check_summary();
}
