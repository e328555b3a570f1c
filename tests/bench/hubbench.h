/*
 * hubbench — what the hub benchmarks share: a scratch folder with a bench
 * form, the hub's keys and a self-signed certificate; devices with real
 * Ed25519 keys and their chains of envelopes sealed beforehand (sealing is
 * the devices' cost, not the hub's); an empty store with every device
 * registered; and one run of many devices against a real hub over HTTPS on
 * 127.0.0.1 (libmicrohttpd + GnuTLS server, libcurl keep-alive clients).
 *
 * Clients are forked processes, one libcurl handle each: the syncd
 * library's include folder, which every test links, shadows <sched.h> and
 * with it <pthread.h>. A bench is a program, not library code: every helper
 * here prints what failed and exits.
 */
#ifndef TETRAD_BENCH_HUBBENCH_H
#define TETRAD_BENCH_HUBBENCH_H

#include <stdbool.h>
#include <stddef.h>

#include "hub/hubdb.h"
#include "hub/hubforms.h"
#include "tetrad/keys.h"
#include "tetrad/tbuf.h"

struct hubbench_dev {
	struct keys_sign k;
	char id[KEYS_ID_HEXLEN + 1];
	char school[16];
	struct tbuf **sets;                 /* nsets envelopes, in chain order */
};

struct hubbench {
	const char *prog;                   /* for messages */
	char base[256];                     /* scratch folder, removed at the end */
	struct keys_enc enc;                /* the hub's keys */
	struct keys_sign sign;
	char *cert, *key;                   /* PEM text of the server's certificate */
	char ca[512];                       /* path of the certificate clients trust */
	struct hubbench_dev *devs;
	size_t ndevs, nsets, nops;          /* devices × sets each × records per set */
	char pg[512];                       /* "": stores are SQLite files; else the
	                                     * libpq string of a PostgreSQL server whose
	                                     * databases bench_<name> the runs make anew */
};

#define HUBBENCH_PROCS_MAX 8

/* One HTTPS run: what it took and what came back. */
struct hubbench_https {
	double seconds;                     /* clients told the port → last one done */
	long failures;                      /* answers other than 200 (and 503) */
	long busy;                          /* 503 answers, sent again at once */
	double *latency;                    /* per set, s: [d * nsets + s]; NULL: not kept */
	double sets_per_commit;             /* the hub writer's, from its stop line; 0: none */
	/*
	 * The hub's own costs over the run, which this shared machine's other
	 * loads do not change the way they change wall time: CPU (user + sys)
	 * of the hub's process (the clients are children, counted apart),
	 * its voluntary context switches, and the bytes its threads wrote to
	 * storage (/proc/self/io write_bytes; 0 where that is not readable).
	 */
	double hub_cpu, client_cpu;         /* s */
	long hub_csw;
	double hub_written;                 /* bytes */
	/*
	 * Set by the caller: hub processes on the store (0 or 1: one, in this
	 * process). More are forked `serve`s of their own on the one store
	 * (PostgreSQL), each client sending to one of them in turn; the hub's
	 * CPU, writes and writer line are then not measured (0).
	 */
	int procs;
};

void hubbench_die(const struct hubbench *hb, const char *what, const char *msg)
    __attribute__((noreturn));
double hubbench_now(void);
/* Whether name is in the comma-separated list (every name when it is NULL or empty). */
bool hubbench_listed(const char *list, const char *name);
/* Bytes this process has had written to storage so far (/proc/self/io); 0 if unknown. */
double hubbench_written(void);

/*
 * Makes the scratch folder (forms, keys, TLS), then ndevs devices each with
 * nsets sets of nops records (10 fields of the bench form), sealed.
 */
void hubbench_init(struct hubbench *hb, const char *prog, size_t ndevs, size_t nsets,
    size_t nops);
/* Removes the scratch folder and frees what init made. */
void hubbench_cleanup(struct hubbench *hb);

/*
 * A store at <base>/<name>.db made anew (any old one and its WAL removed)
 * with every device registered for its school; the path in path (cap 512).
 * With forms not NULL, also the published bench form.
 */
struct hubdb *hubbench_fresh_db(const struct hubbench *hb, const char *name,
    char path[512], struct hubforms **forms);

/*
 * Starts a hub on an empty store <name>, lets nclients clients send every
 * set (client i takes devices i, i + nclients, ...: each device's sets go
 * in order, the next only after the answer to the one before), stops the
 * hub and checks that every device's chain reached the hub whole. Fills
 * run (run->latency, when not NULL, has ndevs × nsets places).
 */
void hubbench_https_run(const struct hubbench *hb, const char *name, int nclients,
    unsigned threads, struct hubbench_https *run);

/* Dies unless every device's watermark in db is nsets × nops. */
void hubbench_check_heads(const struct hubbench *hb, struct hubdb *db);

#endif
