/*
 * test_school — the one school-code rule and comma lists of codes: valid
 * codes, typed lists with spaces normalised, refusals, membership, walking.
 */
#include <string.h>

#include "check.h"
#include "tetrad/school.h"

int
main(void)
{
	char out[SCHOOL_LIST_MAX], code[SCHOOL_CODE_MAX + 1], longc[SCHOOL_CODE_MAX + 2];
	const char *cur;
	struct terr e;

	CHECK(school_code_ok("170103"));
	CHECK(school_code_ok("sch-1_A"));
	CHECK(!school_code_ok(""));
	CHECK(!school_code_ok(NULL));
	CHECK(!school_code_ok("170 103"));
	CHECK(!school_code_ok("школа"));
	memset(longc, '7', SCHOOL_CODE_MAX);
	longc[SCHOOL_CODE_MAX] = '\0';
	CHECK(school_code_ok(longc));
	longc[SCHOOL_CODE_MAX] = '7';
	longc[SCHOOL_CODE_MAX + 1] = '\0';
	CHECK(!school_code_ok(longc));

	CHECK_INT_EQ(school_list_normalize("170103, 170104 ,x", out, sizeof(out), &e), 0);
	CHECK_STR_EQ(out, "170103,170104,x");
	CHECK_INT_EQ(school_list_normalize("a", out, sizeof(out), &e), 0);
	CHECK_STR_EQ(out, "a");
	CHECK_INT_EQ(school_list_normalize("", out, sizeof(out), &e), TERR_ARG);
	CHECK_INT_EQ(school_list_normalize("  ", out, sizeof(out), &e), TERR_ARG);
	CHECK_INT_EQ(school_list_normalize("a,,b", out, sizeof(out), &e), TERR_ARG);
	CHECK_INT_EQ(school_list_normalize("a,", out, sizeof(out), &e), TERR_ARG);
	CHECK_INT_EQ(school_list_normalize("a, a", out, sizeof(out), &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "дважды");
	CHECK_INT_EQ(school_list_normalize("a,б", out, sizeof(out), &e), TERR_ARG);
	CHECK_INT_EQ(school_list_normalize(longc, out, sizeof(out), &e), TERR_ARG);
	CHECK_INT_EQ(school_list_normalize("abc,def", out, 6, &e), TERR_TOO_LARGE);

	CHECK(school_list_has("170103,170104", "170104"));
	CHECK(school_list_has("170103, 170104", "170104"));
	CHECK(!school_list_has("170103,170104", "17010"));
	CHECK(!school_list_has("", "a"));

	cur = "a, bb ,c";
	CHECK(school_list_next(&cur, code));
	CHECK_STR_EQ(code, "a");
	CHECK(school_list_next(&cur, code));
	CHECK_STR_EQ(code, "bb");
	CHECK(school_list_next(&cur, code));
	CHECK_STR_EQ(code, "c");
	CHECK(!school_list_next(&cur, code));
	return check_summary();
}
