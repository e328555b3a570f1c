/*
 * test_throttle — failures per address: a burst, then one per refill; other
 * addresses untouched; one IPv6 /64 is one address, a v4-mapped address is
 * its IPv4; the global ceiling stops many addresses; a table of 4 slots
 * holds 1,000 addresses without growing (the rest count globally); slots
 * are reused once refilled; four threads at once keep the counts exact.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "hub/throttle.h"
#include "tetrad/keys.h"

static struct sockaddr_storage
addr(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, text, &((struct sockaddr_in *)&ss)->sin_addr) == 1)
		ss.ss_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1)
		ss.ss_family = AF_INET6;
	return ss;
}

#define SA(x) ((const struct sockaddr *)&(x))

static void
test_burst(void)
{
	struct throttle_cfg cfg = { 5, 2000, 1000, 10, 64 };
	struct sockaddr_storage a = addr("192.0.2.1"), b = addr("192.0.2.2");
	struct throttle *t;
	struct terr e;
	char text[64];

	CHECK_INT_EQ(throttle_new(&cfg, &t, &e), 0);
	for (int i = 0; i < 5; i++) {
		CHECK_INT_EQ(throttle_check(t, SA(a), 1000), 0);
		throttle_fail(t, SA(a), 1000);
	}
	CHECK_INT_EQ(throttle_check(t, SA(a), 1000), 2);   /* one refill: 2 s */
	CHECK_INT_EQ(throttle_check(t, SA(a), 2500), 1);   /* 0.5 s left: rounded up */
	CHECK_INT_EQ(throttle_check(t, SA(b), 1000), 0);   /* another address */
	CHECK_INT_EQ(throttle_check(t, SA(a), 3000), 0);   /* one more after a refill */
	throttle_fail(t, SA(a), 3000);
	CHECK_INT_EQ(throttle_check(t, SA(a), 3000), 2);
	/* failures past the limit do not push the wait further than one burst */
	for (int i = 0; i < 100; i++)
		throttle_fail(t, SA(a), 3000);
	CHECK_INT_EQ(throttle_check(t, SA(a), 3000), 2);
	CHECK_INT_EQ(throttle_check(t, SA(a), 3000 + 5 * 2000), 0);
	throttle_addr_text(SA(a), text, sizeof(text));
	CHECK_STR_EQ(text, "192.0.2.1");
	throttle_addr_text(NULL, text, sizeof(text));
	CHECK_STR_EQ(text, "?");
	throttle_free(t);
}

static void
test_ipv6(void)
{
	struct throttle_cfg cfg = { 2, 1000, 1000, 10, 64 };
	struct sockaddr_storage a = addr("2001:db8:1:2::1"), a2 = addr("2001:db8:1:2:ffff::9"),
	    other = addr("2001:db8:1:3::1"), m = addr("::ffff:198.51.100.7"),
	    v4 = addr("198.51.100.7");
	struct throttle *t;
	struct terr e;

	CHECK_INT_EQ(throttle_new(&cfg, &t, &e), 0);
	throttle_fail(t, SA(a), 0);
	throttle_fail(t, SA(a2), 0);           /* the same /64 */
	CHECK(throttle_check(t, SA(a), 0) > 0);
	CHECK_INT_EQ(throttle_check(t, SA(other), 0), 0);
	throttle_fail(t, SA(m), 0);
	throttle_fail(t, SA(m), 0);
	CHECK(throttle_check(t, SA(v4), 0) > 0);
	throttle_free(t);
}

static void
test_global_and_table(void)
{
	struct throttle_cfg cfg = { 3, 1000, 50, 100, 4 };
	struct sockaddr_storage s;
	struct throttle *t;
	struct terr e;
	char text[32];

	CHECK_INT_EQ(throttle_new(&cfg, &t, &e), 0);
	/* 50 addresses, one failure each: the global ceiling is reached */
	for (int i = 0; i < 50; i++) {
		snprintf(text, sizeof(text), "10.0.%d.%d", i / 250, i % 250 + 1);
		s = addr(text);
		CHECK_INT_EQ(throttle_check(t, SA(s), 0), 0);
		throttle_fail(t, SA(s), 0);
	}
	s = addr("203.0.113.9");
	CHECK_INT_EQ(throttle_check(t, SA(s), 0), 1);       /* 100 ms: rounded up */
	CHECK_INT_EQ(throttle_check(t, SA(s), 100), 0);
	CHECK_INT_EQ(throttle_check(t, NULL, 100), 0);
	throttle_free(t);
	/* 1,000 addresses in 4 slots: no growth, and past the slots they count
	 * globally only (here a large global burst) */
	cfg.global_burst = 100000;
	CHECK_INT_EQ(throttle_new(&cfg, &t, &e), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(text, sizeof(text), "10.1.%d.%d", i / 250, i % 250 + 1);
		s = addr(text);
		for (int k = 0; k < 3; k++)
			throttle_fail(t, SA(s), 0);
	}
	{
		int held = 0;

		for (int i = 0; i < 1000; i++) {
			snprintf(text, sizeof(text), "10.1.%d.%d", i / 250, i % 250 + 1);
			s = addr(text);
			held += throttle_check(t, SA(s), 0) > 0;
		}
		CHECK(held >= 1 && held <= 4);
	}
	/* once refilled, the slots are free for others */
	s = addr("192.0.2.77");
	for (int k = 0; k < 3; k++)
		throttle_fail(t, SA(s), 5000);
	CHECK(throttle_check(t, SA(s), 5000) > 0);
	throttle_free(t);
	cfg.burst = 0;
	CHECK_INT_EQ(throttle_new(&cfg, &t, &e), TERR_ARG);
	throttle_free(NULL);
}

struct worker {
	struct throttle *t;
	int n;
};

static void *
worker_run(void *p)
{
	struct worker *w = p;
	struct sockaddr_storage s = addr("192.0.2.200");

	for (int i = 0; i < 10000; i++)
		if (throttle_check(w->t, SA(s), 0) == 0) {
			throttle_fail(w->t, SA(s), 0);
			w->n++;
		}
	return NULL;
}

static void
test_threads(void)
{
	/* fail after check is not atomic: a few threads may each pass the last
	 * check, so at most burst + threads - 1 failures get through */
	struct throttle_cfg cfg = { 100, 60000, 100000, 1, 64 };
	struct throttle *t;
	struct worker w[4];
	pthread_t th[4];
	struct terr e;
	int total = 0;

	CHECK_INT_EQ(throttle_new(&cfg, &t, &e), 0);
	for (int i = 0; i < 4; i++) {
		w[i].t = t;
		w[i].n = 0;
		CHECK_INT_EQ(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += w[i].n;
	}
	CHECK(total >= 100 && total <= 103);
	throttle_free(t);
}

int
main(void)
{
	struct terr e;

	CHECK_INT_EQ(keys_init(&e), 0);
	test_burst();
	test_ipv6();
	test_global_and_table();
	test_threads();
	return check_summary();
}
