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

struct bench_row {
	double sqlite, pg1, pg3;          /* records/s */
};

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
	printf("  %-28s %2d clients: %6.2f s, %8.0f records/s, %7.0f sets/s%s\n", name, clients,
	    run.seconds, recs / run.seconds, (double)(hb->ndevs * hb->nsets) / run.seconds,
	    run.failures ? " (FAILURES)" : "");
	fflush(stdout);
	return run.failures ? 0 : recs / run.seconds;
}

static void
bench_workload(const char *pg, size_t nsets, size_t nops)
{
	const int clients[2] = { 8, 32 };
	struct bench_row row[2];
	struct hubbench hb;

	hubbench_init(&hb, "bench_hub_pg", DEVICES, nsets, nops);
	printf("%zu-record sets: %d devices × %zu sets = %zu records\n", nops, DEVICES, nsets,
	    DEVICES * nsets * nops);
	for (int i = 0; i < 2; i++) {
		row[i].sqlite = bench_one(&hb, "", 1, clients[i], "sqlite");
		row[i].pg1 = bench_one(&hb, pg, 1, clients[i], "pg1");
		row[i].pg3 = bench_one(&hb, pg, 3, clients[i], "pg3");
	}
	for (int i = 0; i < 2; i++)
		printf("  ratio, %2d clients: PostgreSQL/SQLite %.2f (one process), %.2f (three); "
		    "three processes/one %.2f\n", clients[i], row[i].pg1 / row[i].sqlite,
		    row[i].pg3 / row[i].sqlite, row[i].pg3 / row[i].pg1);
	hubbench_cleanup(&hb);
}

int
main(int argc, char **argv)
{
	const char *pg = getenv("TETRAD_BENCH_PG");
	size_t big = argc > 1 ? strtoul(argv[1], NULL, 10) : 4;
	size_t small = argc > 2 ? strtoul(argv[2], NULL, 10) : 50;

	if (pg == NULL || pg[0] == '\0' || big == 0 || small == 0) {
		fprintf(stderr, "usage: TETRAD_BENCH_PG='host=... dbname=postgres' bench_hub_pg "
		    "[SETS_OF_250 [SETS_OF_1]]\n");
		return 2;
	}
	printf("hub ingest, SQLite against PostgreSQL (one and three hub processes); %ld CPUs\n",
	    sysconf(_SC_NPROCESSORS_ONLN));
	bench_workload(pg, big, 250);
	bench_workload(pg, small, 1);
	return 0;
}
