/*
 * bench_hub_small — many devices each sending a chain of one-record change
 * sets (the load ODK Central is built for) to a real hub over HTTPS on
 * 127.0.0.1 with 1, 8 and 32 concurrent clients, and in the same run the
 * in-process floor on the same envelopes, with the ratios.
 *
 *   bench_hub_small [--rounds N] [--devices N] [--sets N] [--threads N]
 *   (defaults: 5 rounds, 256 devices × 8 sets of one record, the hub's
 *   default number of request threads)
 *
 * HTTPS: client i of n takes devices i, i + n, ...; a device's sets go in
 * order, each only after the answer to the one before (as syncd sends
 * them). sets/s over the whole run, and the latency of each set (request
 * to answer, a 503 sent again included) at p50 and p99.
 *
 * The floor is what the hub cannot do without, on one thread: per set the
 * Ed25519 signature check and the opening (decrypt, inflate, parse), then
 * what ingest writes (hub/src/ingest.c, ingest_commit: the school, each op
 * through merge_apply, the device's head, the set with its envelope and an
 * acknowledgement-sized blob), 32 sets to one durable commit
 * (synchronous=FULL, as the hub); and the same with one commit per set, the
 * limit of a hub that commits every set alone. Not in the floor: the form
 * check, the device look-ups, signing the acknowledgement, HTTP and TLS. Its
 * WAL is checkpointed by SQLite on the committing thread (the hub does that
 * on a thread of its own).
 *
 * Every run starts from an empty store; the envelopes are sealed once
 * beforehand (sealing is the devices' cost). The runs of a round are
 * interleaved and each round starts one run later than the one before, so
 * a slow minute of this shared machine falls on every kind of run alike;
 * figures are min/median/max over the rounds, ratios taken within a round.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/hubdb.h"
#include "hub/hubforms.h"
#include "hub/ingest.h"
#include "hub/merge.h"
#include "hub/server.h"
#include "hubbench.h"
#include "tetrad/envelope.h"
#include "tetrad/sigblob.h"
#include "tetrad/wire.h"

#define FLOOR_GROUP 32
#define MAX_ROUNDS 50

/* The runs of a round: two floors, then HTTPS with 1, 8 and 32 clients. */
enum { RUN_FLOOR_GROUP, RUN_FLOOR_ALONE, RUN_HTTPS1, RUN_HTTPS8, RUN_HTTPS32, RUN_KINDS };
static const int run_clients[RUN_KINDS] = { 0, 0, 1, 8, 32 };

/* Where a floor run's time went, summed over its sets (seconds). */
struct floor_parts {
	double verify, open, apply, commit;
	size_t commits;
	double written;         /* bytes written to storage, the close's checkpoint included */
};

/* What one round measured. */
struct round {
	double rate[RUN_KINDS];                 /* sets/s */
	double p50[RUN_KINDS], p99[RUN_KINDS];  /* HTTPS latency, s */
	struct floor_parts parts;               /* of the grouped floor */
};

struct bench {
	struct hubbench hb;
	unsigned threads;
	int rounds;
	struct tbuf *ack;                       /* a signed acknowledgement of a set */
	double *latency;                        /* ndevs × nsets */
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The value at quantile q of v (n values, sorted here). */
static double
quantile(double *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)n);

	qsort(v, n, sizeof(*v), cmp_double);
	if ((double)i < q * (double)n)
		i++;
	return v[i > 0 ? i - 1 : 0];
}

/*
 * The acknowledgement the hub signs for an applied one-record set, built
 * once: the floor stores bytes of its size, as ingest stores the real one.
 */
static struct tbuf *
make_ack(struct bench *b)
{
	struct tbuf *p = tbuf_new(WIRE_ACK_MAX), *out = tbuf_new(INGEST_BODY_MAX);
	struct wire_ack a;
	struct terr e;

	memset(&a, 0, sizeof(a));
	snprintf(a.device_id, sizeof(a.device_id), "%s", b->hb.devs[0].id);
	a.first = a.last = 1;
	a.status = WIRE_ACK_APPLIED;
	a.have_hash = true;
	memset(a.set_hash, 0x5a, sizeof(a.set_hash));
	a.expected_seq = 2;
	a.applied = 1;
	a.have_enc_pk = true;
	memcpy(a.hub_enc_pk, b->hb.enc.pk, KEYS_ENC_PK_BYTES);
	snprintf(a.reason, sizeof(a.reason), "набор 1–1 принят: изменений 1, конфликтов 0");
	if (p == NULL || out == NULL || wire_ack_write(p, &a, &e) != 0 ||
	    sigblob_sign(SIGBLOB_ACK, tbuf_ptr(p), tbuf_len(p), &b->hb.sign, out, &e) != 0)
		hubbench_die(&b->hb, "ack", "could not build an acknowledgement");
	tbuf_free(p);
	return out;
}

/* One set of the floor, inside the open transaction: what ingest_commit writes. */
static void
floor_apply(struct bench *b, const struct hubbench_dev *dev, const struct tbuf *env,
    struct hubdb *db, struct hubforms *forms, struct floor_parts *parts)
{
	const struct hubbench *hb = &b->hb;
	struct envelope_header h;
	struct changeset *cs = NULL;
	uint8_t hash[CHANGESET_HASH_BYTES];
	unsigned conflicts = 0;
	struct terr e;
	double t0 = hubbench_now(), t1, t2;

	if (envelope_parse_header(tbuf_ptr(env), tbuf_len(env), &h, &e) != 0 ||
	    envelope_verify_parsed(tbuf_ptr(env), tbuf_len(env), &h, dev->k.pk, &e) != 0)
		hubbench_die(hb, "verify", e.msg);
	t1 = hubbench_now();
	if (envelope_open_verified(tbuf_ptr(env), tbuf_len(env), &h, &hb->enc, &cs, hash,
	    &e) != 0)
		hubbench_die(hb, "open", e.msg);
	t2 = hubbench_now();
	/* as ingest_apply: the store knows which forms take feed positions */
	if (hubforms_feed_forms(forms, db, &e) != 0)
		hubbench_die(hb, "feed_forms", e.msg);
	if (hubdb_school_put(db, cs->ops[0].school, NULL, &e) != 0)
		hubbench_die(hb, "school_put", e.msg);
	for (size_t i = 0; i < cs->n_ops; i++)
		if (merge_apply(db, dev->id, &cs->ops[i], &conflicts, &e) != 0)
			hubbench_die(hb, "merge_apply", e.msg);
	if (hubdb_device_set_head(db, dev->id, h.last_seq, hash, &e) != 0 ||
	    hubdb_set_put(db, dev->id, h.first_seq, h.last_seq, hash, "applied", 200,
	    tbuf_ptr(env), tbuf_len(env), tbuf_ptr(b->ack), tbuf_len(b->ack), &e) != 0)
		hubbench_die(hb, "set", e.msg);
	changeset_free(cs);
	parts->verify += t1 - t0;
	parts->open += t2 - t1;
	parts->apply += hubbench_now() - t2;
}

/* The floor with group sets to one durable commit; returns its seconds. */
static double
floor_run(struct bench *b, size_t group, struct floor_parts *parts)
{
	const struct hubbench *hb = &b->hb;
	size_t n = 0, total = hb->ndevs * hb->nsets;
	char name[32], path[512];
	struct hubforms *forms = NULL;
	struct hubdb *db;
	struct terr e;
	double t0, tc;

	snprintf(name, sizeof(name), "floor%zu", group);
	db = hubbench_fresh_db(hb, name, path, &forms);
	memset(parts, 0, sizeof(*parts));
	parts->written = hubbench_written();
	t0 = hubbench_now();
	for (size_t s = 0; s < hb->nsets; s++)
		for (size_t d = 0; d < hb->ndevs; d++) {
			if (n % group == 0 && hubdb_begin(db, &e) != 0)
				hubbench_die(hb, "hubdb_begin", e.msg);
			floor_apply(b, &hb->devs[d], hb->devs[d].sets[s], db, forms, parts);
			if (++n % group == 0 || n == total) {
				tc = hubbench_now();
				if (hubdb_commit(db, &e) != 0)
					hubbench_die(hb, "hubdb_commit", e.msg);
				parts->commit += hubbench_now() - tc;
				parts->commits++;
			}
		}
	t0 = hubbench_now() - t0;
	hubbench_check_heads(hb, db);
	hubdb_close(db);
	parts->written = hubbench_written() - parts->written;
	hubforms_free(forms);
	return t0;
}

static void
run_one(struct bench *b, int round, int kind, struct round *r)
{
	const struct hubbench *hb = &b->hb;
	size_t total = hb->ndevs * hb->nsets;
	struct floor_parts parts;
	double t;

	if (kind == RUN_FLOOR_GROUP || kind == RUN_FLOOR_ALONE) {
		t = floor_run(b, kind == RUN_FLOOR_GROUP ? FLOOR_GROUP : 1, &parts);
		r->rate[kind] = (double)total / t;
		printf("round %d, floor, %s: %.2f s, %.0f sets/s (per set: verify %.0f µs, "
		    "open %.0f µs, apply %.0f µs; %.2f ms per commit; wrote %.1f KiB)\n", round + 1,
		    kind == RUN_FLOOR_GROUP ? "32 sets per commit" : "one commit per set", t,
		    r->rate[kind], 1e6 * parts.verify / (double)total,
		    1e6 * parts.open / (double)total, 1e6 * parts.apply / (double)total,
		    1e3 * parts.commit / (double)parts.commits,
		    parts.written / 1024.0 / (double)total);
		if (kind == RUN_FLOOR_GROUP)
			r->parts = parts;
	} else {
		struct hubbench_https run = { .latency = b->latency };
		char name[32];

		snprintf(name, sizeof(name), "https%d", run_clients[kind]);
		hubbench_https_run(hb, name, run_clients[kind], b->threads, &run);
		if (run.failures) {
			fprintf(stderr, "%ld requests failed\n", run.failures);
			hubbench_die(hb, "https", "a run had failures: its figures mean nothing");
		}
		r->rate[kind] = (double)total / run.seconds;
		r->p50[kind] = quantile(b->latency, total, 0.50);
		r->p99[kind] = quantile(b->latency, total, 0.99);
		printf("round %d, HTTPS, %2d clients: %.2f s, %.0f sets/s, p50 %.1f ms, "
		    "p99 %.1f ms, %.1f sets per commit\n", round + 1, run_clients[kind],
		    run.seconds, r->rate[kind], 1e3 * r->p50[kind], 1e3 * r->p99[kind],
		    run.sets_per_commit);
		printf("  per set: hub CPU %.0f µs, clients' CPU %.0f µs, hub context switches "
		    "%.1f, hub wrote %.1f KiB\n", 1e6 * run.hub_cpu / (double)total,
		    1e6 * run.client_cpu / (double)total, (double)run.hub_csw / (double)total,
		    run.hub_written / 1024.0 / (double)total);
		if (run.busy)
			printf("  (%ld busy answers, 503, each sent again at once)\n", run.busy);
	}
	fflush(stdout);
}

/* min, median, max of v[0..n) (n ≤ MAX_ROUNDS; v is sorted here). */
static void
spread(double *v, int n, double out[3])
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	out[0] = v[0];
	out[1] = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	out[2] = v[n - 1];
}

/* What a round measured, as one number: which, of which kind of run. */
enum figure { FIG_RATE, FIG_P50, FIG_P99, FIG_VERIFY, FIG_OPEN, FIG_APPLY, FIG_COMMIT };

static double
figure(const struct round *r, enum figure f, int kind, size_t sets)
{
	switch (f) {
	case FIG_RATE:
		return r->rate[kind];
	case FIG_P50:
		return r->p50[kind];
	case FIG_P99:
		return r->p99[kind];
	case FIG_VERIFY:
		return r->parts.verify / (double)sets;
	case FIG_OPEN:
		return r->parts.open / (double)sets;
	case FIG_APPLY:
		return r->parts.apply / (double)sets;
	case FIG_COMMIT:
		break;
	}
	return r->parts.commit / (double)r->parts.commits;
}

/* min, median, max over the rounds of one figure. */
static void
over_rounds(const struct bench *b, const struct round *r, enum figure f, int kind,
    double out[3])
{
	double v[MAX_ROUNDS];

	for (int i = 0; i < b->rounds; i++)
		v[i] = figure(&r[i], f, kind, b->hb.ndevs * b->hb.nsets);
	spread(v, b->rounds, out);
}

/* Per round, sets/s of kind a over those of kind b; min, median, max of that. */
static void
ratio(const struct bench *b, const struct round *r, int ka, int kb, double out[3])
{
	double v[MAX_ROUNDS];

	for (int i = 0; i < b->rounds; i++)
		v[i] = r[i].rate[ka] / r[i].rate[kb];
	spread(v, b->rounds, out);
}

static void
summary(const struct bench *b, const struct round *r)
{
	static const char *const label[RUN_KINDS] = {
		"floor: verify + open + apply, 32 sets per durable commit",
		"floor: the same, one durable commit per set",
		"HTTPS, 1 client", "HTTPS, 8 clients", "HTTPS, 32 clients",
	};
	double s[3], p50[3], p99[3], q[3], ve[3], op[3], ap[3], co[3];

	printf("\nsummary: %zu devices × %zu one-record sets = %zu sets a run, %d rounds, "
	    "%u server threads; min / median / max over the rounds\n\n", b->hb.ndevs,
	    b->hb.nsets, b->hb.ndevs * b->hb.nsets, b->rounds, b->threads);
	printf("| path | sets/s min | median | max | p50 ms | p99 ms | of the floor "
	    "(32 per commit), median (min–max) |\n|---|---:|---:|---:|---:|---:|---:|\n");
	for (int k = 0; k < RUN_KINDS; k++) {
		over_rounds(b, r, FIG_RATE, k, s);
		ratio(b, r, k, RUN_FLOOR_GROUP, q);
		printf("| %s | %.0f | %.0f | %.0f |", label[k], s[0], s[1], s[2]);
		if (run_clients[k] > 0) {
			over_rounds(b, r, FIG_P50, k, p50);
			over_rounds(b, r, FIG_P99, k, p99);
			printf(" %.1f | %.1f |", 1e3 * p50[1], 1e3 * p99[1]);
		} else
			printf(" | |");
		if (k == RUN_FLOOR_GROUP)
			printf(" 100%% |\n");
		else
			printf(" %.0f%% (%.0f–%.0f%%) |\n", 100 * q[1], 100 * q[0], 100 * q[2]);
	}
	over_rounds(b, r, FIG_VERIFY, RUN_FLOOR_GROUP, ve);
	over_rounds(b, r, FIG_OPEN, RUN_FLOOR_GROUP, op);
	over_rounds(b, r, FIG_APPLY, RUN_FLOOR_GROUP, ap);
	over_rounds(b, r, FIG_COMMIT, RUN_FLOOR_GROUP, co);
	printf("\nfloor per set (medians): verify %.0f µs, open %.0f µs, apply %.0f µs; "
	    "a durable commit of 32 sets %.2f ms\n", 1e6 * ve[1], 1e6 * op[1], 1e6 * ap[1],
	    1e3 * co[1]);
	/* the two halves bound a hub that checks sets on one core while one
	 * writer writes: the slower half is its limit */
	printf("so, on one core each: verify + open %.0f sets/s; the writer (apply, and a "
	    "commit shared by 32) %.0f sets/s\n", 1 / (ve[1] + op[1]),
	    1 / (ap[1] + co[1] / FLOOR_GROUP));
	ratio(b, r, RUN_FLOOR_GROUP, RUN_FLOOR_ALONE, q);
	printf("floor, 32 sets per commit / one commit per set: %.2f× (%.2f–%.2f)\n",
	    q[1], q[0], q[2]);
	ratio(b, r, RUN_HTTPS8, RUN_HTTPS1, q);
	printf("HTTPS, 8 clients / 1 client: %.2f× (%.2f–%.2f)\n", q[1], q[0], q[2]);
	ratio(b, r, RUN_HTTPS32, RUN_HTTPS1, q);
	printf("HTTPS, 32 clients / 1 client: %.2f× (%.2f–%.2f)\n", q[1], q[0], q[2]);
}

static int
arg_num(const char *flag, const char *v, long lo, long hi)
{
	char *end;
	long n = v ? strtol(v, &end, 10) : 0;

	if (v == NULL || *end != '\0' || n < lo || n > hi) {
		fprintf(stderr, "bench_hub_small: %s takes a number from %ld to %ld\n", flag,
		    lo, hi);
		exit(2);
	}
	return (int)n;
}

int
main(int argc, char **argv)
{
	struct round *rounds = NULL;
	struct bench b;
	int ndevs = 256, nsets = 8;

	memset(&b, 0, sizeof(b));
	b.rounds = 5;
	b.threads = SERVER_DEFAULT_THREADS;
	for (int i = 1; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--rounds") == 0)
			b.rounds = arg_num(argv[i], v, 1, MAX_ROUNDS);
		else if (strcmp(argv[i], "--devices") == 0)
			ndevs = arg_num(argv[i], v, 32, 10000);
		else if (strcmp(argv[i], "--sets") == 0)
			nsets = arg_num(argv[i], v, 1, 1000);
		else if (strcmp(argv[i], "--threads") == 0)
			b.threads = (unsigned)arg_num(argv[i], v, 1, 256);
		else {
			fprintf(stderr, "usage: bench_hub_small [--rounds N] [--devices N] "
			    "[--sets N] [--threads N]\n");
			return 2;
		}
	}
	hubbench_init(&b.hb, "bench_hub_small", (size_t)ndevs, (size_t)nsets, 1);
	b.ack = make_ack(&b);
	if ((b.latency = calloc((size_t)ndevs * (size_t)nsets, sizeof(double))) == NULL ||
	    (rounds = calloc((size_t)b.rounds, sizeof(*rounds))) == NULL)
		hubbench_die(&b.hb, "calloc", "no memory");
	printf("hub, one-record sets: %d devices × %d sets = %d sets a run, each set %zu "
	    "bytes sealed; %u server threads; %d rounds\n", ndevs, nsets, ndevs * nsets,
	    tbuf_len(b.hb.devs[0].sets[0]), b.threads, b.rounds);
	for (int i = 0; i < b.rounds; i++)
		for (int k = 0; k < RUN_KINDS; k++)
			run_one(&b, i, (i + k) % RUN_KINDS, &rounds[i]);
	summary(&b, rounds);
	free(rounds);
	free(b.latency);
	tbuf_free(b.ack);
	hubbench_cleanup(&b.hb);
	return 0;
}
