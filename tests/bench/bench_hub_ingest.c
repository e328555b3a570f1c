/*
 * bench_hub_ingest — hub ingest throughput over real HTTPS on 127.0.0.1
 * (libmicrohttpd + GnuTLS server, libcurl clients with keep-alive) with 1, 8
 * and 32 concurrent clients, and in the same run the in-process limit on the
 * same envelopes (verify + decrypt + validate + apply, no HTTP), with the
 * ratio. Every run starts from an empty store; the envelopes are sealed once
 * beforehand (sealing is the devices' cost, not the hub's).
 *
 *   bench_hub_ingest [SETS_PER_DEVICE [OPS_PER_SET]]   (default 4 × 250)
 *
 * 32 devices; each record has 10 fields of a bench form (integers, a choice,
 * a date, text). Many devices sending one-record sets: bench_hub_small.
 * The scaffolding (keys, sealing, stores, the hub and its clients) is
 * hubbench.h's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hub/hubdb.h"
#include "hub/hubforms.h"
#include "hub/ingest.h"
#include "hubbench.h"
#include "tetrad/envelope.h"

#define DEVICES 32

static double
run_inprocess(const struct hubbench *hb)
{
	struct hubforms *forms = NULL;
	char path[512];
	struct hubdb *db = hubbench_fresh_db(hb, "inproc", path, &forms);
	struct ingest_cfg cfg = { .enc = &hb->enc, .sign = &hb->sign, .forms = forms,
	    .max_ahead_ms = INGEST_MAX_AHEAD_MS };
	struct ingest_result res;
	struct terr e;
	double t0;

	memset(&res, 0, sizeof(res));
	res.body = tbuf_new(INGEST_BODY_MAX);
	t0 = hubbench_now();
	for (size_t s = 0; s < hb->nsets; s++)
		for (size_t d = 0; d < hb->ndevs; d++) {
			const struct tbuf *b = hb->devs[d].sets[s];

			if (ingest_envelope(db, &cfg, tbuf_ptr(b), tbuf_len(b), hlc_wall_now(), &res,
			    &e) != 0 || res.outcome != INGEST_APPLIED)
				hubbench_die(hb, "ingest", res.outcome == INGEST_APPLIED ? e.msg :
				    res.status);
		}
	t0 = hubbench_now() - t0;
	hubbench_check_heads(hb, db);
	tbuf_free(res.body);
	hubforms_free(forms);
	hubdb_close(db);
	return t0;
}

int
main(int argc, char **argv)
{
	const int clients[3] = { 1, 8, 32 };
	struct hubbench hb;
	size_t nsets = 4, nops = 250;
	double t_in, sets, recs;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = cpus > 1 ? (unsigned)cpus : 2;

	if (argc > 1)
		nsets = (size_t)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		nops = (size_t)strtoul(argv[2], NULL, 10);
	if (nsets == 0 || nops == 0 || nops > CHANGESET_MAX_OPS) {
		fprintf(stderr, "usage: bench_hub_ingest [SETS_PER_DEVICE [OPS_PER_SET]]\n");
		return 1;
	}
	hubbench_init(&hb, "bench_hub_ingest", DEVICES, nsets, nops);
	sets = (double)(DEVICES * nsets);
	recs = sets * (double)nops;
	printf("hub ingest: %d devices × %zu sets × %zu records = %.0f records, %.0f sets; "
	    "%ld CPUs, %u server threads\n", DEVICES, nsets, nops, recs, sets, cpus, threads);
	t_in = run_inprocess(&hb);
	printf("in-process limit (verify+decrypt+validate+apply, 1 thread): %.2f s, "
	    "%.0f sets/s, %.0f records/s\n", t_in, sets / t_in, recs / t_in);
	for (int i = 0; i < 3; i++) {
		struct hubbench_https run = { 0 };
		char name[32];

		snprintf(name, sizeof(name), "https%d", clients[i]);
		hubbench_https_run(&hb, name, clients[i], threads, &run);
		printf("HTTPS, %2d clients: %.2f s, %.0f sets/s, %.0f records/s, %.0f%% of the "
		    "in-process limit%s\n", clients[i], run.seconds, sets / run.seconds,
		    recs / run.seconds, 100.0 * t_in / run.seconds,
		    run.failures ? " (FAILURES)" : "");
		if (run.failures)
			fprintf(stderr, "%ld requests failed\n", run.failures);
		if (run.busy)
			fprintf(stderr, "%ld busy answers (503), each sent again\n", run.busy);
	}
	hubbench_cleanup(&hb);
	return 0;
}
