/*
 * hubbench — the hub benchmarks' shared scaffolding (hubbench.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include "hub/ingest.h"
#include "hub/proctune.h"
#include "hub/server.h"
#include "hub/tls.h"
#include "hubbench.h"
#include "tetrad/envelope.h"
#include "tetrad/wire.h"

/* Answers of one client, in memory the parent shares with it. */
struct hubbench_tally {
	long failures, busy;
};

/* A 503 is sent again at once; a client gives up on a set after this many. */
#define HUBBENCH_BUSY_TRIES 1000

static const char hubbench_form[] =
    "{\"format\":1,\"id\":\"bench\",\"version\":1,\"title\":\"Замер\",\"fields\":["
    "{\"id\":\"a\",\"label\":\"A\",\"type\":\"integer\",\"min\":0,\"max\":1000},"
    "{\"id\":\"b\",\"label\":\"B\",\"type\":\"integer\",\"min\":0,\"max\":1000},"
    "{\"id\":\"c\",\"label\":\"C\",\"type\":\"integer\",\"min\":0,\"max\":1000},"
    "{\"id\":\"d\",\"label\":\"D\",\"type\":\"integer\",\"min\":0,\"max\":1000},"
    "{\"id\":\"e\",\"label\":\"E\",\"type\":\"integer\",\"min\":0,\"max\":1000},"
    "{\"id\":\"f\",\"label\":\"F\",\"type\":\"integer\",\"min\":0,\"max\":1000},"
    "{\"id\":\"g\",\"label\":\"G\",\"type\":\"choice\",\"choices\":["
    "{\"code\":\"blag\",\"label\":\"благоприятный\"},{\"code\":\"neitr\",\"label\":\"нейтральный\"}]},"
    "{\"id\":\"h\",\"label\":\"H\",\"type\":\"date\"},"
    "{\"id\":\"i\",\"label\":\"I\",\"type\":\"boolean\"},"
    "{\"id\":\"j\",\"label\":\"J\",\"type\":\"text\",\"max_length\":200}]}";

void
hubbench_die(const struct hubbench *hb, const char *what, const char *msg)
{
	fprintf(stderr, "%s: %s: %s\n", hb->prog, what, msg);
	exit(1);
}

double
hubbench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool
hubbench_listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (list == NULL || list[0] == '\0')
		return true;
	for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return true;
	return false;
}

/* One record of the bench form; k varies the answers as a class's would. */
static void
hubbench_op(const struct hubbench *hb, struct changeset *cs, const char *school,
    uint64_t seq, uint64_t wall, size_t k)
{
	struct op op;
	struct terr e;
	char fields[512];

	memset(&op, 0, sizeof(op));
	op.seq = seq;
	uuid7_new(op.record_id, 0);
	snprintf(op.form_id, sizeof(op.form_id), "bench");
	op.form_version = 1;
	snprintf(op.school, sizeof(op.school), "%s", school);
	op.kind = OP_PUT;
	op.hlc.wall_ms = wall;
	op.hlc.node = cs->created.node;
	snprintf(fields, sizeof(fields), "{\"a\":%zu,\"b\":%zu,\"c\":%zu,\"d\":%zu,"
	    "\"e\":%zu,\"f\":%zu,\"g\":\"%s\",\"h\":\"2026-03-%02zu\","
	    "\"i\":true,\"j\":\"класс %zu, классный руководитель\"}",
	    k % 30, k % 7, k % 11, k % 13, k % 3, k % 5,
	    (k % 2) ? "blag" : "neitr", 1 + k % 28, k % 11);
	op.fields = cJSON_Parse(fields);
	if (changeset_add(cs, &op, &e) != 0)
		hubbench_die(hb, "changeset_add", e.msg);
	cJSON_Delete(op.fields);
}

static void
hubbench_seal(struct hubbench *hb)
{
	struct terr e;
	uint64_t wall = hlc_wall_now() - 3600 * 1000;

	for (size_t d = 0; d < hb->ndevs; d++) {
		struct hubbench_dev *dev = &hb->devs[d];
		uint8_t prev[32] = { 0 }, id[KEYS_ID_BYTES];
		uint64_t seq = 1;

		keys_sign_generate(&dev->k);
		keys_id_hex(dev->k.pk, dev->id);
		keys_id(dev->k.pk, id);
		snprintf(dev->school, sizeof(dev->school), "%zu", 170100 + d);
		if ((dev->sets = calloc(hb->nsets, sizeof(*dev->sets))) == NULL)
			hubbench_die(hb, "calloc", "no memory");
		for (size_t s = 0; s < hb->nsets; s++) {
			struct changeset *cs = changeset_new();

			memcpy(cs->device_id, id, KEYS_ID_BYTES);
			cs->format_version = CHANGESET_FORMAT_VERSION;
			snprintf(cs->school, sizeof(cs->school), "%s", dev->school);
			cs->first_seq = seq;
			cs->last_seq = seq + hb->nops - 1;
			memcpy(cs->prev_hash, prev, 32);
			cs->created.wall_ms = wall;
			cs->created.node = keys_id_u64(id);
			/* a one-record set's answers change along the device's chain */
			for (size_t i = 0; i < hb->nops; i++)
				hubbench_op(hb, cs, dev->school, seq + i, wall++, hb->nops > 1 ? i : s);
			dev->sets[s] = tbuf_new(ENVELOPE_MAX_BYTES);
			if (envelope_seal(cs, &dev->k, hb->enc.pk, NULL, dev->sets[s], prev, &e) != 0)
				hubbench_die(hb, "envelope_seal", e.msg);
			seq += hb->nops;
			changeset_free(cs);
		}
	}
}

void
hubbench_init(struct hubbench *hb, const char *prog, size_t ndevs, size_t nsets,
    size_t nops)
{
	struct terr e;
	char path[512];
	FILE *f;

	/* the hub in this process runs with tetrad-hub's own process settings */
	proctune_apply();
	memset(hb, 0, sizeof(*hb));
	hb->prog = prog;
	hb->ndevs = ndevs;
	hb->nsets = nsets;
	hb->nops = nops;
	if (keys_init(&e) != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		hubbench_die(hb, "init", "libsodium or libcurl");
	snprintf(hb->base, sizeof(hb->base), "/tmp/%s.XXXXXX", prog);
	if (mkdtemp(hb->base) == NULL)
		hubbench_die(hb, "mkdtemp", hb->base);
	snprintf(path, sizeof(path), "%s/forms", hb->base);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/forms/bench.json", hb->base);
	if ((f = fopen(path, "w")) == NULL)
		hubbench_die(hb, "write", path);
	fputs(hubbench_form, f);
	fclose(f);
	keys_enc_generate(&hb->enc);
	keys_sign_generate(&hb->sign);
	snprintf(path, sizeof(path), "%s/tls", hb->base);
	if (tls_make_self_signed(path, "127.0.0.1", &e) != 0)
		hubbench_die(hb, "tls", e.msg);
	snprintf(path, sizeof(path), "%s/tls/server.pem", hb->base);
	if (tls_read_pem(path, &hb->cert, &e) != 0)
		hubbench_die(hb, "cert", e.msg);
	snprintf(path, sizeof(path), "%s/tls/server.key", hb->base);
	if (tls_read_pem(path, &hb->key, &e) != 0)
		hubbench_die(hb, "key", e.msg);
	snprintf(hb->ca, sizeof(hb->ca), "%s/tls/ca.pem", hb->base);
	if ((hb->devs = calloc(ndevs, sizeof(*hb->devs))) == NULL)
		hubbench_die(hb, "calloc", "no memory");
	hubbench_seal(hb);
}

void
hubbench_cleanup(struct hubbench *hb)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", hb->base);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", hb->base);
	free(hb->cert);
	free(hb->key);
	for (size_t d = 0; d < hb->ndevs; d++) {
		for (size_t s = 0; s < hb->nsets; s++)
			tbuf_free(hb->devs[d].sets[s]);
		free(hb->devs[d].sets);
	}
	free(hb->devs);
	curl_global_cleanup();
}

/* A new database bench_<name> on the PostgreSQL server (an old one dropped). */
static void
hubbench_fresh_pg(const struct hubbench *hb, const char *name, char path[512])
{
	PGconn *c = PQconnectdb(hb->pg);
	char sql[3][256];

	if (PQstatus(c) != CONNECTION_OK)
		hubbench_die(hb, "PostgreSQL", PQerrorMessage(c));
	/* the first run's "does not exist, skipping" is not news */
	snprintf(sql[0], sizeof(sql[0]), "SET client_min_messages = warning");
	snprintf(sql[1], sizeof(sql[1]), "DROP DATABASE IF EXISTS bench_%s WITH (FORCE)", name);
	snprintf(sql[2], sizeof(sql[2]), "CREATE DATABASE bench_%s TEMPLATE template0 "
	    "ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'", name);
	for (size_t i = 0; i < 3; i++) {
		PGresult *res = PQexec(c, sql[i]);

		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			hubbench_die(hb, sql[i], PQerrorMessage(c));
		PQclear(res);
	}
	PQfinish(c);
	if (snprintf(path, 512, "%.400s dbname=bench_%.64s", hb->pg, name) >= 512)
		hubbench_die(hb, "PostgreSQL", "connection string too long");
}

struct hubdb *
hubbench_fresh_db(const struct hubbench *hb, const char *name, char path[512],
    struct hubforms **forms)
{
	char fdir[512], other[600];
	struct hubdb *db;
	struct terr e;

	if (hb->pg[0] != '\0')
		hubbench_fresh_pg(hb, name, path);
	else {
		snprintf(path, 512, "%s/%s.db", hb->base, name);
		unlink(path);
		snprintf(other, sizeof(other), "%s-wal", path);
		unlink(other);
		snprintf(other, sizeof(other), "%s-shm", path);
		unlink(other);
	}
	if (hubdb_open(path, &db, &e) != 0)
		hubbench_die(hb, "hubdb_open", e.msg);
	if (hubdb_begin(db, &e) != 0)
		hubbench_die(hb, "hubdb_begin", e.msg);
	for (size_t d = 0; d < hb->ndevs; d++) {
		struct hubdb_device hd;

		memset(&hd, 0, sizeof(hd));
		snprintf(hd.id, sizeof(hd.id), "%s", hb->devs[d].id);
		memcpy(hd.pk, hb->devs[d].k.pk, 32);
		snprintf(hd.kind, sizeof(hd.kind), "school");
		snprintf(hd.label, sizeof(hd.label), "bench %zu", d);
		snprintf(hd.schools, sizeof(hd.schools), "%s", hb->devs[d].school);
		if (hubdb_device_add(db, &hd, &e) != 0)
			hubbench_die(hb, "device_add", e.msg);
	}
	if (hubdb_commit(db, &e) != 0)
		hubbench_die(hb, "hubdb_commit", e.msg);
	snprintf(fdir, sizeof(fdir), "%s/forms", hb->base);
	if (forms != NULL && hubforms_open(fdir, NULL, forms, &e) != 0)
		hubbench_die(hb, "hubforms_open", e.msg);
	return db;
}

void
hubbench_check_heads(const struct hubbench *hb, struct hubdb *db)
{
	struct hubdb_device hd;
	struct terr e;
	bool found;

	for (size_t d = 0; d < hb->ndevs; d++) {
		if (hubdb_device_get(db, hb->devs[d].id, &hd, &found, &e) != 0)
			hubbench_die(hb, "device_get", e.msg);
		if (!found || hd.watermark != hb->nsets * hb->nops)
			hubbench_die(hb, "check", "a device's chain did not reach the store whole");
	}
}

static size_t
hubbench_sink(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/*
 * Client index of nclients: its devices' sets, set by set; each answer
 * before the next set. Latencies (if kept) and the tally go to memory the
 * parent shares.
 */
static void
hubbench_client(const struct hubbench *hb, int index, int nclients, int go,
    double *latency, struct hubbench_tally *t)
{
	CURL *h;
	struct curl_slist *hdr;
	uint16_t port;
	char url[128];

	/* the hub's port, once it listens; nothing (the parent died): no run */
	if (read(go, &port, sizeof(port)) != (ssize_t)sizeof(port))
		_exit(1);
	close(go);
	snprintf(url, sizeof(url), "https://127.0.0.1:%u" WIRE_PATH_CHANGESETS, port);
	h = curl_easy_init();
	hdr = curl_slist_append(NULL, "Content-Type: application/octet-stream");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CAINFO, hb->ca);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, hubbench_sink);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
	for (size_t s = 0; s < hb->nsets; s++)
		for (size_t d = (size_t)index; d < hb->ndevs; d += (size_t)nclients) {
			const struct tbuf *b = hb->devs[d].sets[s];
			double t0 = hubbench_now();
			long code = 0;

			curl_easy_setopt(h, CURLOPT_POSTFIELDS, tbuf_ptr(b));
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)tbuf_len(b));
			for (int tries = 0; tries < HUBBENCH_BUSY_TRIES; tries++) {
				code = 0;
				if (curl_easy_perform(h) != CURLE_OK ||
				    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
				    code != 503)
					break;
				/* as syncd does, the set goes again; no Retry-After wait
				 * here: the bench counts these instead */
				t->busy++;
			}
			if (code != 200)
				t->failures++;
			if (latency != NULL)
				latency[d * hb->nsets + s] = hubbench_now() - t0;
		}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
}

/* The hub's log: only the writer's line at stop, "N sets in M transactions". */
static void
hubbench_server_log(void *ctx, enum server_log_level level, const char *line)
{
	struct hubbench_https *run = ctx;
	unsigned long long sets, commits;

	(void)level;
	/* TETRAD_BENCH_WRITER=1: how the groups went, on stderr */
	if (getenv("TETRAD_BENCH_WRITER") != NULL && strncmp(line, "writer: ", 8) == 0)
		fprintf(stderr, "  hub %s\n", line);
	if (sscanf(line, "writer: %llu sets in %llu transactions", &sets, &commits) == 2 &&
	    commits > 0)
		run->sets_per_commit = (double)sets / (double)commits;
}

static double
hubbench_tv(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

double
hubbench_written(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	double v = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "write_bytes: %lf", &v) == 1)
			break;
	fclose(f);
	return v;
}

/*
 * nprocs hub processes on the store sc names, each a forked child serving
 * until stop (the parent's end of a pipe) is closed; their ports in ports.
 */
static void
hubbench_servers(const struct hubbench *hb, const struct server_cfg *sc, int nprocs,
    pid_t *spids, uint16_t *ports, int *stop)
{
	int stopper[2];

	if (nprocs > HUBBENCH_PROCS_MAX || pipe(stopper) != 0)
		hubbench_die(hb, "servers", "too many or no pipe");
	for (int k = 0; k < nprocs; k++) {
		int told[2];

		if (pipe(told) != 0)
			hubbench_die(hb, "pipe", "cannot make one");
		if ((spids[k] = fork()) == 0) {
			struct server *srv = NULL;
			struct terr e;
			char c;

			close(stopper[1]);
			close(told[0]);
			if (server_start(sc, &srv, &e) != 0)
				hubbench_die(hb, "server_start", e.msg);
			ports[k] = server_port(srv);
			if (write(told[1], &ports[k], sizeof(ports[k])) != (ssize_t)sizeof(ports[k]))
				_exit(1);
			close(told[1]);
			while (read(stopper[0], &c, 1) > 0)
				;
			server_stop(srv, 5000);
			_exit(0);
		}
		close(told[1]);
		if (spids[k] < 0 || read(told[0], &ports[k], sizeof(ports[k])) !=
		    (ssize_t)sizeof(ports[k]))
			hubbench_die(hb, "servers", "a hub process did not start");
		close(told[0]);
	}
	close(stopper[0]);
	*stop = stopper[1];
}

void
hubbench_https_run(const struct hubbench *hb, const char *name, int nclients,
    unsigned threads, struct hubbench_https *run)
{
	struct hubforms *forms = NULL;
	struct hubdb *db;
	/* designated: the server fills in the members it owns (a writer) */
	struct ingest_cfg cfg = { .enc = &hb->enc, .sign = &hb->sign,
	    .max_ahead_ms = INGEST_MAX_AHEAD_MS };
	struct server_cfg sc;
	struct server *srv = NULL;
	struct hubbench_tally *tally;
	size_t nlat = hb->ndevs * hb->nsets, shared;
	double *lat = NULL;
	pid_t *pids;
	int go[2];
	uint16_t port;
	char dbpath[512];
	int nprocs = run->procs > 1 ? run->procs : 1, stop = -1;
	pid_t spids[HUBBENCH_PROCS_MAX];
	uint16_t ports[HUBBENCH_PROCS_MAX];
	struct rusage self0, self1, kids0, kids1;
	double written0;
	struct terr e;

	db = hubbench_fresh_db(hb, name, dbpath, &forms);
	hubdb_close(db);
	cfg.forms = forms;
	/* the clients' answers and latencies, written by forked processes */
	shared = sizeof(*tally) * (size_t)nclients + (run->latency ? nlat * sizeof(double) : 0);
	tally = mmap(NULL, shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tally == MAP_FAILED)
		hubbench_die(hb, "mmap", "no memory");
	if (run->latency != NULL)
		lat = (double *)(void *)(tally + nclients);
	if ((pids = calloc((size_t)nclients, sizeof(*pids))) == NULL)
		hubbench_die(hb, "calloc", "no memory");
	memset(&sc, 0, sizeof(sc));
	sc.listen = "127.0.0.1:0";
	sc.threads = threads;
	sc.timeout_s = 60;
	sc.cert_pem = hb->cert;
	sc.key_pem = hb->key;
	sc.db_path = dbpath;
	sc.ingest = &cfg;
	sc.log = hubbench_server_log;
	sc.log_ctx = run;
	/*
	 * The clients are forked before the hub starts its threads: a child of a
	 * threaded process may inherit a lock another thread held (the
	 * sanitizers' allocator hung so). They wait on go for the port.
	 */
	if (pipe(go) != 0)
		hubbench_die(hb, "pipe", "cannot make one");
	for (int i = 0; i < nclients; i++) {
		if ((pids[i] = fork()) == 0) {
			close(go[1]);
			hubbench_client(hb, i, nclients, go[0], lat, &tally[i]);
			_exit(0);
		}
	}
	close(go[0]);
	if (nprocs > 1)
		hubbench_servers(hb, &sc, nprocs, spids, ports, &stop);
	else {
		if (server_start(&sc, &srv, &e) != 0)
			hubbench_die(hb, "server_start", e.msg);
		ports[0] = server_port(srv);
	}
	getrusage(RUSAGE_SELF, &self0);
	getrusage(RUSAGE_CHILDREN, &kids0);
	written0 = hubbench_written();
	run->seconds = hubbench_now();
	for (int i = 0; i < nclients; i++) {
		port = ports[i % nprocs];
		if (write(go[1], &port, sizeof(port)) != (ssize_t)sizeof(port))
			hubbench_die(hb, "pipe", "cannot start the clients");
	}
	close(go[1]);
	run->failures = run->busy = 0;
	for (int i = 0; i < nclients; i++) {
		int status = 0;

		if (pids[i] < 0 || waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			run->failures++;
		run->failures += tally[i].failures;
		run->busy += tally[i].busy;
	}
	run->seconds = hubbench_now() - run->seconds;
	if (nprocs > 1) {
		close(stop);
		for (int k = 0; k < nprocs; k++)
			waitpid(spids[k], NULL, 0);
	} else
		server_stop(srv, 5000);
	/* after the stop: the checkpoints and the writer's last commit count */
	getrusage(RUSAGE_SELF, &self1);
	getrusage(RUSAGE_CHILDREN, &kids1);
	run->hub_cpu = hubbench_tv(self1.ru_utime) + hubbench_tv(self1.ru_stime) -
	    hubbench_tv(self0.ru_utime) - hubbench_tv(self0.ru_stime);
	run->client_cpu = hubbench_tv(kids1.ru_utime) + hubbench_tv(kids1.ru_stime) -
	    hubbench_tv(kids0.ru_utime) - hubbench_tv(kids0.ru_stime);
	run->hub_csw = self1.ru_nvcsw - self0.ru_nvcsw;
	run->hub_written = hubbench_written() - written0;
	if (nprocs > 1)          /* the servers were children too: not told apart */
		run->hub_cpu = run->client_cpu = run->hub_written = 0, run->hub_csw = 0;
	hubforms_free(forms);
	if (run->latency != NULL)
		memcpy(run->latency, lat, nlat * sizeof(double));
	munmap(tally, shared);
	free(pids);
	if (run->failures == 0) {
		if (hubdb_open(dbpath, &db, &e) != 0)
			hubbench_die(hb, "hubdb_open", e.msg);
		hubbench_check_heads(hb, db);
		hubdb_close(db);
	}
}
