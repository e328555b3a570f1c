/*
 * check — the tiny assert harness of the unit tests (after OpenSSH's
 * ASSERT_INT_EQ and Redis' test_cond). A failed check prints where and what,
 * and the test goes on so one run shows every failure; main returns
 * check_summary(), which prints "N passed, N failed".
 */
#ifndef TETRAD_TEST_CHECK_H
#define TETRAD_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct check_counts {
	unsigned long passed, failed;
};
/* One per test program: tests are single-threaded processes. */
static struct check_counts check_counts;

#define CHECK(cond) do { \
	if (cond) { check_counts.passed++; } else { check_counts.failed++; \
		fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_INT_EQ(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (check_a_ == check_b_) { check_counts.passed++; } else { check_counts.failed++; \
		fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, \
		    #a, #b, check_a_, check_b_); } \
} while (0)

#define CHECK_STR_EQ(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) { check_counts.passed++; } \
	else { check_counts.failed++; \
		fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, \
		    #a, #b, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); } \
} while (0)

#define CHECK_MEM_EQ(a, b, n) do { \
	if (memcmp((a), (b), (n)) == 0) { check_counts.passed++; } else { check_counts.failed++; \
		fprintf(stderr, "%s:%d: memory %s == %s (%zu bytes) failed\n", __FILE__, __LINE__, \
		    #a, #b, (size_t)(n)); } \
} while (0)

/* Substring check, for messages shown to users. */
#define CHECK_CONTAINS(hay, needle) do { \
	const char *check_h_ = (hay), *check_n_ = (needle); \
	if (check_h_ && strstr(check_h_, check_n_)) { check_counts.passed++; } else { \
		check_counts.failed++; fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", \
		    __FILE__, __LINE__, check_h_ ? check_h_ : "(null)", check_n_); } \
} while (0)

static inline int
check_summary(void)
{
	printf("%lu passed, %lu failed\n", check_counts.passed, check_counts.failed);
	return check_counts.failed == 0 && check_counts.passed > 0 ? 0 : 1;
}

#endif
