/*
 * bench_hub_pg — the hub's ingest over real HTTPS on 127.0.0.1 with its
 * store on PostgreSQL, one hub process and three (issue 20), against the
 * SQLite store on the same envelopes, in one run: records/s of each and the
 * ratios (PostgreSQL / SQLite, three processes / one). Two workloads:
 * 250-record sets and one-record sets, each with 8 and 32 clients; every
 * run starts from an empty store.
 *
 *   TETRAD_BENCH_PG='host=... dbname=postgres' bench_hub_pg [SETS_250 [SETS_1]]
 *
 * SETS_250 (default 16) and SETS_1 (50): sets per device; 32 devices; 0
 * leaves that workload out.
 * TETRAD_BENCH_STORES: the configurations to run, of "sqlite,pg1,pg3" (all
 * by default; one alone is for a profiler: perf record -a), and
 * TETRAD_BENCH_CLIENTS the client counts, of "8,32".
 * TETRAD_BENCH_ROUNDS (default 3): each configuration runs so many times,
 * the three stores in turn within a round; min, median and max are printed
 * and the ratios are of the medians (this host's load moves single runs by
 * up to 2x).
 *
 * TETRAD_BENCH_PG: a libpq string of a server on which the bench may make
 * and drop databases bench_* (scripts/bench.sh starts one with
 * tests/tools/pgcluster.sh). Three processes are forked hubs on the one
 * database, each client sending to one of them in turn (no load balancer
 * in between: the hub is what is measured).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hubbench.h"

#define DEVICES 32

#define ROUNDS_MAX 9

/* records/s of every round of one configuration */
struct bench_cfg {
	double r[ROUNDS_MAX];
	int n;
};

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* min, median and max of the rounds (sorted in place) */
static double
bench_median(struct bench_cfg *c, double *lo, double *hi)
{
	qsort(c->r, (size_t)c->n, sizeof(double), bench_cmp);
	*lo = c->r[0];
	*hi = c->r[c->n - 1];
	return c->n % 2 ? c->r[c->n / 2] : (c->r[c->n / 2 - 1] + c->r[c->n / 2]) / 2;
}

static double
bench_one(struct hubbench *hb, const char *pg, int procs, int clients, const char *name)
{
	struct hubbench_https run = { 0 };
	double recs = (double)(hb->ndevs * hb->nsets * hb->nops);

	snprintf(hb->pg, sizeof(hb->pg), "%s", pg);
	run.procs = procs;
	hubbench_https_run(hb, name, clients, 2, &run);
	if (run.failures)
		fprintf(stderr, "%s: %ld requests failed\n", name, run.failures);
	if (run.busy)
		fprintf(stderr, "%s: %ld busy answers (503), each sent again\n", name, run.busy);
	printf("  %-8s %2d clients: %6.2f s, %8.0f records/s, %7.0f sets/s%s\n", name, clients,
	    run.seconds, recs / run.seconds, (double)(hb->ndevs * hb->nsets) / run.seconds,
	    run.failures ? " (FAILURES)" : "");
	fflush(stdout);
	return run.failures ? 0 : recs / run.seconds;
}

/*
 * Every round runs the three stores one after the other, so a change in
 * the host's load (it is shared) falls on all three alike; the ratios are
 * of the medians.
 */
static void
bench_workload(const char *pg, size_t nsets, size_t nops, int rounds, const char *stores,
    const char *counts)
{
	static const int clients[2] = { 8, 32 };
	static const char *const names[3] = { "sqlite", "pg1", "pg3" };
	static const char *const counts_named[2] = { "8", "32" };
	struct bench_cfg cfg[2][3];
	double med[2][3], lo, hi;
	struct hubbench hb;

	memset(cfg, 0, sizeof(cfg));
	hubbench_init(&hb, "bench_hub_pg", DEVICES, nsets, nops);
	printf("%zu-record sets: %d devices × %zu sets = %zu records, %d rounds\n", nops, DEVICES,
	    nsets, DEVICES * nsets * nops, rounds);
	for (int k = 0; k < rounds; k++)
		for (int i = 0; i < 2; i++)
			for (int s = 0; s < 3; s++)
				if (hubbench_listed(stores, names[s]) &&
				    hubbench_listed(counts, counts_named[i]))
					cfg[i][s].r[cfg[i][s].n++] = bench_one(&hb, s == 0 ? "" : pg,
					    s == 2 ? 3 : 1, clients[i], names[s]);
	printf("  records/s, min / median / max of %d rounds:\n", rounds);
	for (int i = 0; i < 2; i++)
		for (int s = 0; s < 3; s++) {
			med[i][s] = 0;
			if (cfg[i][s].n == 0)
				continue;
			med[i][s] = bench_median(&cfg[i][s], &lo, &hi);
			printf("  %-8s %2d clients: %8.0f / %8.0f / %8.0f\n", names[s], clients[i], lo,
			    med[i][s], hi);
		}
	for (int i = 0; i < 2; i++) {
		if ((med[i][0] > 0) + (med[i][1] > 0) + (med[i][2] > 0) < 2)
			continue;
		printf("  ratio of medians, %2d clients:", clients[i]);
		if (med[i][0] > 0 && med[i][1] > 0)
			printf(" PostgreSQL/SQLite %.2f (one process)", med[i][1] / med[i][0]);
		if (med[i][0] > 0 && med[i][2] > 0)
			printf(" %.2f (three)", med[i][2] / med[i][0]);
		if (med[i][1] > 0 && med[i][2] > 0)
			printf("; three processes/one %.2f", med[i][2] / med[i][1]);
		printf("\n");
	}
	hubbench_cleanup(&hb);
}

int
main(int argc, char **argv)
{
	const char *pg = getenv("TETRAD_BENCH_PG");
	const char *r = getenv("TETRAD_BENCH_ROUNDS");
	const char *stores = getenv("TETRAD_BENCH_STORES");
	const char *counts = getenv("TETRAD_BENCH_CLIENTS");
	size_t big = argc > 1 ? strtoul(argv[1], NULL, 10) : 16;
	size_t small = argc > 2 ? strtoul(argv[2], NULL, 10) : 50;
	int rounds = r ? atoi(r) : 3;

	if (pg == NULL || pg[0] == '\0' || (big == 0 && small == 0) || rounds < 1 ||
	    rounds > ROUNDS_MAX) {
		fprintf(stderr, "usage: TETRAD_BENCH_PG='host=... dbname=postgres' "
		    "[TETRAD_BENCH_ROUNDS=1..%d] [TETRAD_BENCH_STORES=sqlite,pg1,pg3] "
		    "[TETRAD_BENCH_CLIENTS=8,32] bench_hub_pg [SETS_OF_250 [SETS_OF_1]]\n", ROUNDS_MAX);
		return 2;
	}
	printf("hub ingest, SQLite against PostgreSQL (one and three hub processes); %ld CPUs\n",
	    sysconf(_SC_NPROCESSORS_ONLN));
	if (big > 0)
		bench_workload(pg, big, 250, rounds, stores, counts);
	if (small > 0)
		bench_workload(pg, small, 1, rounds, stores, counts);
	return 0;
}
