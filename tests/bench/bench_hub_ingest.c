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
 * a date, text). Clients are forked processes (one libcurl handle each):
 * the syncd library's include folder, which every test links, shadows
 * <sched.h> and with it <pthread.h>.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "hub/hubdb.h"
#include "hub/hubforms.h"
#include "hub/ingest.h"
#include "hub/server.h"
#include "hub/tls.h"
#include "tetrad/envelope.h"
#include "tetrad/wire.h"

#define DEVICES 32

static struct keys_enc hub_enc;
static struct keys_sign hub_sign;
static char base[256];

struct dev {
	struct keys_sign k;
	char id[KEYS_ID_HEXLEN + 1];
	struct tbuf **sets;
};

static struct dev devs[DEVICES];
static size_t nsets = 4, nops = 250;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_hub_ingest: %s: %s\n", what, msg);
	exit(1);
}

static void
seal_all(void)
{
	struct terr e;
	uint64_t wall = hlc_wall_now() - 3600 * 1000;

	for (int d = 0; d < DEVICES; d++) {
		uint8_t prev[32] = { 0 }, id[KEYS_ID_BYTES];
		uint64_t seq = 1;

		keys_sign_generate(&devs[d].k);
		keys_id_hex(devs[d].k.pk, devs[d].id);
		keys_id(devs[d].k.pk, id);
		devs[d].sets = calloc(nsets, sizeof(*devs[d].sets));
		for (size_t s = 0; s < nsets; s++) {
			struct changeset *cs = changeset_new();

			memcpy(cs->device_id, id, KEYS_ID_BYTES);
			cs->format_version = CHANGESET_FORMAT_VERSION;
			snprintf(cs->school, sizeof(cs->school), "%d", 170100 + d);
			cs->first_seq = seq;
			cs->last_seq = seq + nops - 1;
			memcpy(cs->prev_hash, prev, 32);
			cs->created.wall_ms = wall;
			cs->created.node = keys_id_u64(id);
			for (size_t i = 0; i < nops; i++) {
				struct op op;
				char fields[512];

				memset(&op, 0, sizeof(op));
				op.seq = seq + i;
				uuid7_new(op.record_id, 0);
				snprintf(op.form_id, sizeof(op.form_id), "bench");
				op.form_version = 1;
				snprintf(op.school, sizeof(op.school), "%d", 170100 + d);
				op.kind = OP_PUT;
				op.hlc.wall_ms = wall++;
				op.hlc.node = cs->created.node;
				snprintf(fields, sizeof(fields), "{\"a\":%zu,\"b\":%zu,\"c\":%zu,\"d\":%zu,"
				    "\"e\":%zu,\"f\":%zu,\"g\":\"%s\",\"h\":\"2026-03-%02zu\","
				    "\"i\":true,\"j\":\"класс %zu, классный руководитель\"}",
				    i % 30, i % 7, i % 11, i % 13, i % 3, i % 5,
				    (i % 2) ? "blag" : "neitr", 1 + i % 28, i % 11);
				op.fields = cJSON_Parse(fields);
				if (changeset_add(cs, &op, &e) != 0)
					die("changeset_add", e.msg);
				cJSON_Delete(op.fields);
			}
			devs[d].sets[s] = tbuf_new(ENVELOPE_MAX_BYTES);
			if (envelope_seal(cs, &devs[d].k, hub_enc.pk, NULL, devs[d].sets[s], prev,
			    &e) != 0)
				die("envelope_seal", e.msg);
			seq += nops;
			changeset_free(cs);
		}
	}
}

static struct hubdb *
fresh_db(const char *name, struct hubforms **forms)
{
	char path[512], fdir[512], cmd[1700];
	struct hubdb *db;
	struct terr e;

	snprintf(path, sizeof(path), "%s/%s.db", base, name);
	snprintf(cmd, sizeof(cmd), "rm -f '%s' '%s-wal' '%s-shm'", path, path, path);
	if (system(cmd) != 0)
		die("rm", path);
	if (hubdb_open(path, &db, &e) != 0)
		die("hubdb_open", e.msg);
	for (int d = 0; d < DEVICES; d++) {
		struct hubdb_device hd;

		memset(&hd, 0, sizeof(hd));
		snprintf(hd.id, sizeof(hd.id), "%s", devs[d].id);
		memcpy(hd.pk, devs[d].k.pk, 32);
		snprintf(hd.kind, sizeof(hd.kind), "school");
		snprintf(hd.label, sizeof(hd.label), "bench %d", d);
		snprintf(hd.schools, sizeof(hd.schools), "%d", 170100 + d);
		if (hubdb_device_add(db, &hd, &e) != 0)
			die("device_add", e.msg);
	}
	snprintf(fdir, sizeof(fdir), "%s/forms", base);
	if (forms != NULL && hubforms_open(fdir, NULL, forms, &e) != 0)
		die("hubforms_open", e.msg);
	return db;
}

static double
run_inprocess(void)
{
	struct hubforms *forms = NULL;
	struct hubdb *db = fresh_db("inproc", &forms);
	struct ingest_cfg cfg = { &hub_enc, &hub_sign, forms, INGEST_MAX_AHEAD_MS, NULL, 0, NULL };
	struct ingest_result res;
	struct terr e;
	double t0;

	memset(&res, 0, sizeof(res));
	res.body = tbuf_new(INGEST_BODY_MAX);
	t0 = now_s();
	for (size_t s = 0; s < nsets; s++)
		for (int d = 0; d < DEVICES; d++) {
			const struct tbuf *b = devs[d].sets[s];

			if (ingest_envelope(db, &cfg, tbuf_ptr(b), tbuf_len(b), hlc_wall_now(), &res,
			    &e) != 0 || res.outcome != INGEST_APPLIED)
				die("ingest", res.outcome == INGEST_APPLIED ? e.msg : res.status);
		}
	t0 = now_s() - t0;
	tbuf_free(res.body);
	hubforms_free(forms);
	hubdb_close(db);
	return t0;
}

struct client {
	int index, nclients;
	const char *url, *ca;
	int failures;
};

static size_t
sink(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

static void
client_main(struct client *c)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/octet-stream");

	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_CAINFO, c->ca);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
	for (size_t s = 0; s < nsets; s++)
		for (int d = c->index; d < DEVICES; d += c->nclients) {
			const struct tbuf *b = devs[d].sets[s];
			long code = 0;

			curl_easy_setopt(h, CURLOPT_POSTFIELDS, tbuf_ptr(b));
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)tbuf_len(b));
			if (curl_easy_perform(h) != CURLE_OK ||
			    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK ||
			    code != 200)
				c->failures++;
		}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
}

static double
run_https(int nclients, unsigned threads, const char *cert, const char *key, int *failures)
{
	struct hubforms *forms = NULL;
	struct hubdb *db;
	struct ingest_cfg cfg = { &hub_enc, &hub_sign, NULL, INGEST_MAX_AHEAD_MS, NULL, 0, NULL };
	struct server_cfg sc;
	struct server *srv = NULL;
	struct client cl;
	pid_t pids[DEVICES];
	char name[32], url[128], ca[512], dbpath[512];
	struct terr e;
	double t0;

	snprintf(name, sizeof(name), "https%d", nclients);
	db = fresh_db(name, &forms);
	hubdb_close(db);
	cfg.forms = forms;
	snprintf(dbpath, sizeof(dbpath), "%s/%s.db", base, name);
	snprintf(ca, sizeof(ca), "%s/tls/ca.pem", base);
	memset(&sc, 0, sizeof(sc));
	sc.listen = "127.0.0.1:0";
	sc.threads = threads;
	sc.timeout_s = 60;
	sc.cert_pem = cert;
	sc.key_pem = key;
	sc.db_path = dbpath;
	sc.ingest = &cfg;
	if (server_start(&sc, &srv, &e) != 0)
		die("server_start", e.msg);
	snprintf(url, sizeof(url), "https://127.0.0.1:%u" WIRE_PATH_CHANGESETS, server_port(srv));
	t0 = now_s();
	for (int i = 0; i < nclients; i++) {
		if ((pids[i] = fork()) == 0) {
			cl = (struct client){ i, nclients, url, ca, 0 };
			client_main(&cl);
			_exit(cl.failures > 100 ? 100 : cl.failures);
		}
	}
	*failures = 0;
	for (int i = 0; i < nclients; i++) {
		int status = 0;

		if (pids[i] < 0 || waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status))
			(*failures)++;
		else
			*failures += WEXITSTATUS(status);
	}
	t0 = now_s() - t0;
	server_stop(srv, 5000);
	hubforms_free(forms);
	return t0;
}

int
main(int argc, char **argv)
{
	const int clients[3] = { 1, 8, 32 };
	struct terr e;
	char path[512], *cert = NULL, *key = NULL;
	double t_in, sets, recs;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = cpus > 1 ? (unsigned)cpus : 2;
	FILE *f;

	if (argc > 1)
		nsets = (size_t)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		nops = (size_t)strtoul(argv[2], NULL, 10);
	if (nsets == 0 || nops == 0 || nops > CHANGESET_MAX_OPS)
		die("usage", "bench_hub_ingest [SETS_PER_DEVICE [OPS_PER_SET]]");
	if (keys_init(&e) != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die("init", "libsodium or libcurl");
	snprintf(base, sizeof(base), "/tmp/bench_hub_ingest.XXXXXX");
	if (mkdtemp(base) == NULL)
		die("mkdtemp", base);
	snprintf(path, sizeof(path), "%s/forms", base);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/forms/bench.json", base);
	if ((f = fopen(path, "w")) == NULL)
		die("write", path);
	fputs("{\"format\":1,\"id\":\"bench\",\"version\":1,\"title\":\"Замер\",\"fields\":["
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
	    "{\"id\":\"j\",\"label\":\"J\",\"type\":\"text\",\"max_length\":200}]}", f);
	fclose(f);
	keys_enc_generate(&hub_enc);
	keys_sign_generate(&hub_sign);
	snprintf(path, sizeof(path), "%s/tls", base);
	if (tls_make_self_signed(path, "127.0.0.1", &e) != 0)
		die("tls", e.msg);
	snprintf(path, sizeof(path), "%s/tls/server.pem", base);
	if (tls_read_pem(path, &cert, &e) != 0)
		die("cert", e.msg);
	snprintf(path, sizeof(path), "%s/tls/server.key", base);
	if (tls_read_pem(path, &key, &e) != 0)
		die("key", e.msg);

	seal_all();
	sets = (double)(DEVICES * nsets);
	recs = sets * (double)nops;
	printf("hub ingest: %d devices × %zu sets × %zu records = %.0f records, %.0f sets; "
	    "%ld CPUs, %u server threads\n", DEVICES, nsets, nops, recs, sets, cpus, threads);
	t_in = run_inprocess();
	printf("in-process limit (verify+decrypt+validate+apply, 1 thread): %.2f s, "
	    "%.0f sets/s, %.0f records/s\n", t_in, sets / t_in, recs / t_in);
	for (int i = 0; i < 3; i++) {
		int fails = 0;
		double t = run_https(clients[i], threads, cert, key, &fails);

		printf("HTTPS, %2d clients: %.2f s, %.0f sets/s, %.0f records/s, %.0f%% of the "
		    "in-process limit%s\n", clients[i], t, sets / t, recs / t, 100.0 * t_in / t,
		    fails ? " (FAILURES)" : "");
		if (fails)
			fprintf(stderr, "%d requests failed\n", fails);
	}
	snprintf(path, sizeof(path), "rm -rf '%s'", base);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", base);
	free(cert);
	free(key);
	for (int d = 0; d < DEVICES; d++) {
		for (size_t s = 0; s < nsets; s++)
			tbuf_free(devs[d].sets[s]);
		free(devs[d].sets);
	}
	curl_global_cleanup();
	return 0;
}
