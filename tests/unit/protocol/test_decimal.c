/*
 * test_decimal — the one decimal parser: signs, separators, the 15-digit
 * cap, exactness, no "-0", and what it refuses.
 */
#include <math.h>
#include <stdbool.h>

#include "check.h"
#include "tetrad/decimal.h"

static void
ok(const char *s, bool integral, double want)
{
	double d = -1;

	CHECK_INT_EQ(decimal_parse(s, integral, &d), 0);
	CHECK(d == want);
}

static void
bad(const char *s, bool integral)
{
	double d = 0;

	CHECK_INT_EQ(decimal_parse(s, integral, &d), -1);
}

int
main(void)
{
	double d = 1;

	ok("0", true, 0);
	ok("412", true, 412);
	ok("+7", true, 7);
	ok("-12", true, -12);
	ok("1.5", false, 1.5);
	ok("1,25", false, 1.25);
	ok(",5", false, 0.5);
	ok("0.1", false, 0.1);
	ok("123456789012345", true, 123456789012345.0);
	ok("000000000000000000001", true, 1);   /* leading zeros are not significant */
	CHECK_INT_EQ(decimal_parse("-0", false, &d), 0);
	CHECK(d == 0 && !signbit(d));
	bad("", false);
	bad("-", false);
	bad("+", true);
	bad("1.5", true);
	bad("1,5", true);
	bad("5,", false);
	bad("1.2.3", false);
	bad("1e3", false);
	bad(" 1", false);
	bad("1 000", true);
	bad("inf", false);
	bad("nan", false);
	bad("1234567890123456", true);
	bad("0,0000000000000001", false);
	return check_summary();
}
