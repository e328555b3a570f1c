/* Unit tests for uuid7 and hlc: ordering, clock jumps, strict text forms. */
#include <stdlib.h>

#include "check.h"
#include "tetrad/hlc.h"
#include "tetrad/keys.h"
#include "tetrad/uuid7.h"

static void
test_uuid7(void)
{
	uint8_t a[UUID7_BYTES], b[UUID7_BYTES], c[UUID7_BYTES];
	char s[UUID7_STRLEN + 1], s2[UUID7_STRLEN + 1];

	CHECK_INT_EQ(uuid7_new(a, 1700000000000ULL), 0);
	CHECK_INT_EQ(uuid7_new(b, 1700000000001ULL), 0);
	CHECK_INT_EQ(a[6] >> 4, 7);         /* version */
	CHECK_INT_EQ(a[8] >> 6, 2);         /* variant 10 */
	CHECK(memcmp(a, b, UUID7_BYTES) < 0); /* later ms sorts later */
	CHECK(uuid7_unix_ms(a) == 1700000000000ULL);
	uuid7_format(a, s);
	CHECK_INT_EQ(strlen(s), UUID7_STRLEN);
	CHECK_INT_EQ(s[8], '-');
	CHECK_INT_EQ(s[14], '7');
	CHECK_INT_EQ(uuid7_parse(s, c), 0);
	CHECK_MEM_EQ(a, c, UUID7_BYTES);
	for (size_t i = 0; i < strlen(s); i++)
		s2[i] = (char)((s[i] >= 'a' && s[i] <= 'f') ? s[i] - 32 : s[i]);
	s2[UUID7_STRLEN] = '\0';
	CHECK_INT_EQ(uuid7_parse(s2, c), 0); /* upper case accepted */
	CHECK_MEM_EQ(a, c, UUID7_BYTES);
	CHECK_INT_EQ(uuid7_parse("0192f3a4-b5c6-7d8e-9f00-11223344556", c), TERR_PARSE);
	CHECK_INT_EQ(uuid7_parse("0192f3a4-b5c6-7d8e-9f00-1122334455667", c), TERR_PARSE);
	CHECK_INT_EQ(uuid7_parse("0192f3a4xb5c6-7d8e-9f00-112233445566", c), TERR_PARSE);
	CHECK_INT_EQ(uuid7_parse("0192f3a4-b5c6-7d8e-9f00-11223344556g", c), TERR_PARSE);
	CHECK_INT_EQ(uuid7_parse(NULL, c), TERR_PARSE);
	CHECK_INT_EQ(uuid7_new(a, 1ULL << 48), TERR_ARG);
	CHECK_INT_EQ(uuid7_new(a, 0), 0); /* now */
	CHECK(uuid7_unix_ms(a) > 1700000000000ULL);
}

static void
test_monotonic(void)
{
	struct hlc *c = hlc_new(42, NULL);
	struct hlc_ts t1, t2, t3, t4;

	CHECK_INT_EQ(hlc_now(c, 1000, &t1), 0);
	CHECK(t1.wall_ms == 1000 && t1.counter == 0 && t1.node == 42);
	CHECK_INT_EQ(hlc_now(c, 1000, &t2), 0);          /* same ms: counter */
	CHECK(hlc_compare(&t1, &t2) < 0 && t2.counter == 1);
	CHECK_INT_EQ(hlc_now(c, 500, &t3), 0);           /* wall clock jumped back */
	CHECK(hlc_compare(&t2, &t3) < 0);
	CHECK(t3.wall_ms == 1000 && t3.counter == 2);
	CHECK_INT_EQ(hlc_now(c, 2000, &t4), 0);          /* wall clock caught up */
	CHECK(t4.wall_ms == 2000 && t4.counter == 0);
	hlc_free(c);

	/* counter overflow advances the wall component by one ms */
	t1.wall_ms = 5000;
	t1.counter = HLC_COUNTER_MAX;
	t1.node = 7;
	c = hlc_new(7, &t1);
	CHECK_INT_EQ(hlc_now(c, 10, &t2), 0);
	CHECK(t2.wall_ms == 5001 && t2.counter == 0);
	CHECK(hlc_compare(&t1, &t2) < 0);
	hlc_free(c);

	/* exhausted: the very last representable timestamp */
	t1.wall_ms = HLC_WALL_MAX;
	t1.counter = HLC_COUNTER_MAX;
	c = hlc_new(7, &t1);
	CHECK_INT_EQ(hlc_now(c, 10, &t2), TERR_CLOCK);
	hlc_last(c, &t3);
	CHECK(hlc_compare(&t1, &t3) == 0); /* unchanged */
	hlc_free(c);
	hlc_free(NULL);
}

static void
test_update(void)
{
	struct hlc *c = hlc_new(1, NULL);
	struct hlc_ts own, recv = { 5000, 3, 2 }, out, far = { 0, 0, 3 };
	struct terr e;

	CHECK_INT_EQ(hlc_now(c, 1000, &own), 0);
	CHECK_INT_EQ(hlc_update(c, &recv, 1000, 600000, &out, &e), 0);
	CHECK(out.wall_ms == 5000 && out.counter == 4 && out.node == 1);
	CHECK(hlc_compare(&recv, &out) < 0);
	CHECK_INT_EQ(hlc_now(c, 1000, &own), 0);          /* stays ahead of what it saw */
	CHECK(hlc_compare(&out, &own) < 0);
	far.wall_ms = 1000 + 3ULL * 86400000;              /* three days ahead */
	CHECK_INT_EQ(hlc_update(c, &far, 1000, 600000, &out, &e), TERR_CLOCK);
	CHECK_CONTAINS(e.msg, "3 дн.");
	hlc_last(c, &out);
	CHECK(out.wall_ms == 5000);                        /* not dragged along */
	hlc_free(c);
}

static void
test_text(void)
{
	struct hlc_ts a = { 0x192f3a4b5c6ULL, 1, 0xa1b2c3d4e5f60718ULL }, b, c = { 0x192f3a4b5c6ULL, 0x10, 1 };
	char sa[HLC_STRLEN + 1], sc[HLC_STRLEN + 1];

	hlc_encode(&a, sa);
	CHECK_STR_EQ(sa, "0192f3a4b5c6-0001-a1b2c3d4e5f60718");
	CHECK_INT_EQ(hlc_decode(sa, &b), 0);
	CHECK(hlc_compare(&a, &b) == 0);
	hlc_encode(&c, sc);
	CHECK((strcmp(sa, sc) < 0) == (hlc_compare(&a, &c) < 0)); /* text order = clock order */
	/* every digit, and the wall clock and counter cut to their widths */
	c = (struct hlc_ts){ UINT64_MAX, UINT32_MAX, UINT64_MAX };
	hlc_encode(&c, sc);
	CHECK_STR_EQ(sc, "ffffffffffff-ffff-ffffffffffffffff");
	c = (struct hlc_ts){ 0, 0, 0x0123456789abcdefULL };
	hlc_encode(&c, sc);
	CHECK_STR_EQ(sc, "000000000000-0000-0123456789abcdef");
	CHECK_INT_EQ(hlc_decode("0192F3A4B5C6-0001-a1b2c3d4e5f60718", &b), TERR_CLOCK);
	CHECK_INT_EQ(hlc_decode("0192f3a4b5c6-0001-a1b2c3d4e5f6071", &b), TERR_CLOCK);
	CHECK_INT_EQ(hlc_decode("0192f3a4b5c6_0001-a1b2c3d4e5f60718", &b), TERR_CLOCK);
	CHECK_INT_EQ(hlc_decode("", &b), TERR_CLOCK);
	/* random pairs: text order always equals hlc_compare */
	srand(7);
	for (int i = 0; i < 2000; i++) {
		struct hlc_ts x = { (uint64_t)rand() % 4, (uint32_t)rand() % 3, (uint64_t)rand() % 3 };
		struct hlc_ts y = { (uint64_t)rand() % 4, (uint32_t)rand() % 3, (uint64_t)rand() % 3 };
		char sx[HLC_STRLEN + 1], sy[HLC_STRLEN + 1];
		int t, h;

		hlc_encode(&x, sx);
		hlc_encode(&y, sy);
		t = strcmp(sx, sy);
		h = hlc_compare(&x, &y);
		CHECK((t < 0) == (h < 0) && (t == 0) == (h == 0));
	}
}

int
main(void)
{
	struct terr e;

	if (keys_init(&e) != 0)
		return 1;
	test_uuid7();
	test_monotonic();
	test_update();
	test_text();
	return check_summary();
}
