/*
 * test_termsafe — outside text made safe to print: C0, DEL, C1, bidi
 * overrides and isolates, invalid UTF-8 become visible escapes; Cyrillic
 * passes; a short buffer never ends inside an escape or a character.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tetrad/termsafe.h"

/* Whether s holds no byte a terminal acts on and no C1 or bidi control. */
static int
inert(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	for (; *u; u++) {
		if (*u < 0x20 || *u == 0x7f || (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) ||
		    (u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0xaa && u[2] <= 0xae) ||
		    (u[0] == 0xe2 && u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9))
			return 0;
	}
	return 1;
}

static void
expect(const char *in, size_t len, const char *want)
{
	char out[256];
	size_t n = termsafe_write(out, sizeof(out), in, len);

	CHECK_STR_EQ(out, want);
	CHECK_INT_EQ(n, strlen(want));
	CHECK(inert(out));
}

int
main(void)
{
	char small[8];
	char *d;

	expect("form_1", 6, "form_1");
	expect("Школа №5", strlen("Школа №5"), "Школа №5");
	CHECK(termsafe_clean("Школа №5", strlen("Школа №5")));
	/* ESC, an OSC sequence ending in BEL, tab, newline, DEL */
	expect("a\x1b[31mb", 7, "a\\x1b[31mb");
	expect("\x1b]0;pwned\x07", 10, "\\x1b]0;pwned\\x07");
	expect("x\ty\nz\x7f", 6, "x\\x09y\\x0az\\x7f");
	CHECK(!termsafe_clean("x\ty", 3));
	/* NUL inside the given length */
	expect("a\0b", 3, "a\\x00b");
	/* the backslash itself, so an escape in the input stays distinguishable */
	expect("\\x1b", 4, "\\\\x1b");
	/* C1: U+0085 and U+009B (CSI) as UTF-8 */
	expect("\xc2\x85\xc2\x9b", 4, "\\u0085\\u009b");
	/* bidi: RLO U+202E, LRE U+202A, isolates U+2066 and U+2069 */
	expect("ab\xe2\x80\xae" "cd", 7, "ab\\u202ecd");
	expect("\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9", 9, "\\u202a\\u2066\\u2069");
	CHECK(!termsafe_clean("\xe2\x80\xae", 3));
	/* neighbours of the ranges pass: U+2029, U+202F, U+2065, U+206A */
	expect("\xe2\x80\xa9\xe2\x80\xaf", 6, "\xe2\x80\xa9\xe2\x80\xaf");
	/* invalid UTF-8: a lone continuation, a cut sequence, an overlong NUL,
	 * an encoded surrogate, a byte past U+10FFFF */
	expect("\x80", 1, "\\x80");
	expect("a\xd0", 2, "a\\xd0");
	expect("\xc0\x80", 2, "\\xc0\\x80");
	expect("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");
	expect("\xf5\x80\x80\x80", 4, "\\xf5\\x80\\x80\\x80");
	/* 4-byte characters pass */
	expect("\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80");

	/* a short buffer: whole escapes and characters only, length still told */
	CHECK_INT_EQ(termsafe_write(small, sizeof(small), "ab\x1b\x1b", 4), 10);
	CHECK_STR_EQ(small, "ab\\x1b");
	CHECK_INT_EQ(termsafe_write(small, 4, "aЖЖ", 5), 5);
	CHECK_STR_EQ(small, "aЖ");
	CHECK_INT_EQ(termsafe_write(small, 1, "abc", 3), 3);
	CHECK_STR_EQ(small, "");

	d = termsafe_dup("id\x1b]8;;http://x\x07\xe2\x80\xae");
	CHECK_STR_EQ(d, "id\\x1b]8;;http://x\\x07\\u202e");
	free(d);
	/* JSON: quotes and backslashes, controls, C1 and bidi as \u, bad bytes as U+FFFD */
	d = termsafe_json_dup("\"a\\\x1b\xc2\x9b\xe2\x81\xa7\xff Ж");
	CHECK_STR_EQ(d, "\\\"a\\\\\\u001b\\u009b\\u2067\\ufffd Ж");
	free(d);
	d = termsafe_dup(NULL);
	CHECK_STR_EQ(d, "");
	free(d);
	return check_summary();
}
