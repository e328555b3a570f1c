/*
 * test_net — what syncd accepts as a hub address and a key pin before it
 * connects: https:// only, no spaces; sha256// pins of the right length,
 * one or several, nothing that could break out of the libcurl option.
 */
#include "check.h"
#include "syncd/net.h"

static void
test_checks(void)
{
	struct terr e;

	CHECK_INT_EQ(net_check_url("https://hub.example:8443", &e), 0);
	CHECK_INT_EQ(net_check_url("http://hub.example", &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "https://");
	CHECK_INT_EQ(net_check_url("https://a b", &e), TERR_ARG);
	CHECK_INT_EQ(net_check_url("", &e), TERR_ARG);
	CHECK_INT_EQ(net_check_pin("sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=", &e), 0);
	CHECK_INT_EQ(net_check_pin("sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=;"
	    "sha256//t62CeU2tQiqkexU74Gxa2eg7fRbEgoChTociMee9wno=", &e), 0);
	CHECK_INT_EQ(net_check_pin("sha256//short", &e), TERR_ARG);
	CHECK_INT_EQ(net_check_pin("md5//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=", &e), TERR_ARG);
	CHECK_INT_EQ(net_check_pin("sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRM\"E=", &e), TERR_ARG);
}

int
main(void)
{
	test_checks();
	return check_summary();
}
