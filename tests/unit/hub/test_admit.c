/*
 * test_admit — the budgets of bodies from not yet authenticated senders
 * (admit.h), and the connection deadlines they go with (connwatch.h's
 * connwatch_deadline: headers, the body's minimum rate after a grace, the
 * request's ceiling, the answer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "hub/admit.h"
#include "hub/connwatch.h"

#define MIB (1u << 20)

static void
test_budgets(void)
{
	struct admit *a = NULL;
	struct admit_ticket *t1, *t2, *t3, *t4, *t5;
	struct terr e;

	CHECK_INT_EQ(admit_new(64 * MIB, 32 * MIB, &a, &e), 0);
	/* one address: its share, not more */
	CHECK_INT_EQ(admit_take(a, "10.0.0.1", "aaaaaaaaaaaaaaaa", 16 * MIB, &t1), ADMIT_OK);
	CHECK_INT_EQ(admit_take(a, "10.0.0.1", "bbbbbbbbbbbbbbbb", 16 * MIB, &t2), ADMIT_OK);
	CHECK_INT_EQ(admit_take(a, "10.0.0.1", "cccccccccccccccc", 1, &t3), ADMIT_ADDR_FULL);
	CHECK(t3 == NULL);
	CHECK_INT_EQ(admit_reserved(a, "10.0.0.1"), 32 * MIB);
	/* one device: one body in flight, from any address */
	CHECK_INT_EQ(admit_take(a, "10.0.0.2", "aaaaaaaaaaaaaaaa", 100, &t3), ADMIT_DEVICE_BUSY);
	/* the global budget */
	CHECK_INT_EQ(admit_take(a, "10.0.0.2", "dddddddddddddddd", 16 * MIB, &t3), ADMIT_OK);
	CHECK_INT_EQ(admit_take(a, "10.0.0.3", "eeeeeeeeeeeeeeee", 16 * MIB, &t4), ADMIT_OK);
	CHECK_INT_EQ(admit_take(a, "10.0.0.4", NULL, 1, &t5), ADMIT_TOTAL_FULL);
	CHECK_INT_EQ(admit_reserved(a, NULL), 64 * MIB);
	/* released: room again, and the device may send again */
	admit_release(a, t1);
	CHECK_INT_EQ(admit_reserved(a, "10.0.0.1"), 16 * MIB);
	CHECK_INT_EQ(admit_take(a, "10.0.0.2", "aaaaaaaaaaaaaaaa", 100, &t1), ADMIT_OK);
	/* enrollment bodies (no device) count, several per address */
	CHECK_INT_EQ(admit_take(a, "10.0.0.5", NULL, 4096, &t5), ADMIT_OK);
	admit_release(a, t5);
	CHECK_INT_EQ(admit_take(a, "10.0.0.5", NULL, 4096, &t5), ADMIT_OK);
	admit_release(a, t5);
	admit_release(a, t1);
	admit_release(a, t2);
	admit_release(a, t3);
	admit_release(a, t4);
	admit_release(a, NULL);
	CHECK_INT_EQ(admit_reserved(a, NULL), 0);
	CHECK_STR_EQ(admit_verdict_str(ADMIT_DEVICE_BUSY), "device_busy");
	admit_free(a);
}

/* A NAT: many schools behind one address fit its share with sets of the usual size. */
static void
test_nat(void)
{
	struct admit *a = NULL;
	struct admit_ticket *t[200];
	struct terr e;
	char dev[17];
	int ok = 0;

	CHECK_INT_EQ(admit_new(128 * MIB, 64 * MIB, &a, &e), 0);
	for (int i = 0; i < 200; i++) {
		snprintf(dev, sizeof(dev), "%016x", i);
		/* a typical set: a few hundred KiB */
		if (admit_take(a, "192.0.2.1", dev, 256 * 1024, &t[i]) == ADMIT_OK)
			ok++;
	}
	CHECK_INT_EQ(ok, 200);
	for (int i = 0; i < 200; i++)
		admit_release(a, t[i]);
	admit_free(a);
}

static void
test_deadlines(void)
{
	struct connwatch_limits l = { .header_ms = 20000, .min_rate = 4096, .request_ms = 1200000 };
	struct connwatch_clock k;

	memset(&k, 0, sizeof(k));
	k.request_start_ms = k.phase_start_ms = 1000;
	/* headers: the timeout, whatever arrives */
	k.phase = CONNWATCH_HEADERS;
	CHECK_INT_EQ(connwatch_deadline(&l, &k), 21000);
	/* a body: the grace, then time earned by bytes at the minimum rate */
	k.phase = CONNWATCH_BODY;
	k.phase_start_ms = 3000;
	CHECK_INT_EQ(connwatch_deadline(&l, &k), 23000);
	k.bytes = 10;                         /* a trickle earns nothing to speak of */
	CHECK_INT_EQ(connwatch_deadline(&l, &k), 23002);
	k.bytes = 4096 * 60;                  /* a minute's worth at the floor */
	CHECK_INT_EQ(connwatch_deadline(&l, &k), 83000);
	/* 16 MiB at the floor would take 68 min: the ceiling is 20 min from the start */
	k.bytes = 16 * MIB;
	CHECK_INT_EQ(connwatch_deadline(&l, &k), 1000 + 1200000);
	/* the answer: the timeout plus its length at the floor */
	k.phase = CONNWATCH_ANSWER;
	k.phase_start_ms = 50000;
	k.bytes = 4096;
	CHECK_INT_EQ(connwatch_deadline(&l, &k), 71000);
	/* a zero rate is taken as 1 byte/s, not a division by zero */
	l.min_rate = 0;
	k.bytes = 2;
	CHECK_INT_EQ(connwatch_deadline(&l, &k), 72000);
}

int
main(void)
{
	test_budgets();
	test_nat();
	test_deadlines();
	return check_summary();
}
