/*
 * bench_vault — what the store's passphrase costs (issue 21; not a test):
 *   (a) unlocking: vault_unlock at the default Argon2id limits (ops 3,
 *       256 MiB) and at the test limits (TETRAD_PWHASH=test), min / median
 *       / max of ROUNDS runs, each on a store opened anew, and the peak RSS
 *       the unlock adds (VmHWM reset through /proc/self/clear_refs);
 *   (b) reading RECORDS mediation cases with local values (two parties'
 *       names and phones, a summary) through store_record_each: no
 *       passphrase (plain), passphrase set but locked, unlocked — ROUNDS
 *       interleaved rounds, min / median / max, µs per record and the
 *       ratios to plain;
 *   (c) `passphrase set` on those records (the migration in one
 *       transaction and the scrub, at the default limits) and `change`
 *       (ROUNDS times: should be one Argon2id and a small transaction).
 * Usage: bench_vault [RECORDS [ROUNDS]] (defaults 10000, 7).
 * Databases live in $TMPDIR (or /tmp); forms from $TETRAD_FORMS_DIR (else
 * the installed ones, else the source tree's). Figures: docs/performance.md,
 * "The store's passphrase".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include <sodium.h>

#include "client/catalog.h"
#include "client/passphrase.h"
#include "client/rec.h"
#include "client/store.h"
#include "client/vault.h"
#include "tetrad/formsdir.h"

#define PASS "Медиация-тест-2021"
#define PASS2 "другой пароль хранилища"
#define MAX_ROUNDS 64

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
cpu_ms(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
	    (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

/* min / median / max of n figures (sorted in place) */
struct mmm {
	double min, med, max;
};

static struct mmm
stats(double *t, int n)
{
	struct mmm m;

	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	m.min = t[0];
	m.med = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	m.max = t[n - 1];
	return m;
}

/* kB of a "Name:   N kB" line of /proc/self/status, -1 if unknown */
static long
status_kb(const char *name)
{
	char line[256];
	size_t n = strlen(name);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* resets VmHWM to the current RSS (Linux >= 4.0); false if it cannot */
static bool
hwm_reset(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	bool ok;

	if (f == NULL)
		return false;
	ok = fputs("5", f) >= 0;
	return fclose(f) == 0 && ok;
}

static const char case_fmt[] =
	"{\"case_number\":\"Б-%05d\",\"received_date\":\"2021-02-10\",\"source\":\"teacher\","
	"\"situation_kind\":\"conflict\",\"conflict_type\":\"student_student\","
	"\"parties\":[{\"role\":\"student\",\"class_name\":\"7Б\",\"age\":13,"
	"\"full_name\":\"Сидоров Павел %05d\",\"phone\":\"+7 900 111-22-33\"},"
	"{\"role\":\"student\",\"class_name\":\"7Б\",\"age\":13,"
	"\"full_name\":\"Кузнецов Артём %05d\",\"phone\":\"+7 900 444-55-66\"}],"
	"\"summary\":\"Драка на перемене из-за испорченного телефона\",\"status\":\"completed\","
	"\"programme\":\"mediation\",\"programme_date\":\"2021-02-15\",\"mediators_count\":2,"
	"\"student_comediator\":true,\"children_count\":2,\"adults_count\":1,\"agreement\":true,"
	"\"agreement_date\":\"2021-02-15\",\"agreement_follow_up\":\"fulfilled\","
	"\"reaction_ways\":[\"restorative_programme\",\"class_work\"]}";

/* a new store at path, set up as school 170103's device */
static int
store_new(const char *path, struct store **s, struct terr *e)
{
	if (store_open(path, true, s, e) != 0 ||
	    store_meta_set(*s, "school", "170103", e) != 0 ||
	    store_meta_set(*s, "device_schools", "170103", e) != 0 ||
	    store_meta_set(*s, "device_kind", "school", e) != 0 ||
	    store_meta_set(*s, "device_id", "a1b2c3d4e5f60718", e) != 0)
		return -1;
	return 0;
}

/*
 * n final mediation cases in one transaction. The first goes through
 * rec_create (validation, clock document, outbox row); the rest are its
 * copies with their own id, clock, case number and names, written with
 * store_record_put — the form's "unique" rule scans every final case of the
 * school for each new one, which would make the set-up quadratic.
 */
static int
fill(struct store *s, const struct form *f, int n, struct terr *e)
{
	char text[sizeof(case_fmt) + 64];
	uint8_t id[UUID7_BYTES];
	struct localdb_record *first = NULL, r;
	cJSON *v;
	int rv = -1;

	snprintf(text, sizeof(text), case_fmt, 0, 0, 0);
	if ((v = cJSON_Parse(text)) == NULL)
		return -1;
	if (store_begin(s, e) != 0)
		goto out;
	if (rec_create(s, f, NULL, v, false, true, id, e) != 0 ||
	    store_record_get(s, id, &first, e) != 0)
		goto fail;
	for (int i = 1; i < n; i++) {
		r = *first;
		snprintf(text, sizeof(text), case_fmt, i, i, i);
		r.data = text;
		if (uuid7_new(r.id, 0) != 0 || store_hlc_next(s, r.created_hlc, e) != 0)
			goto fail;
		memcpy(r.updated_hlc, r.created_hlc, sizeof(r.updated_hlc));
		if (store_record_put(s, &r, f, e) != 0)
			goto fail;
	}
	if (store_commit(s, e) != 0)
		goto out;
	rv = 0;
	goto out;
 fail:
	store_rollback(s);
 out:
	store_record_free(first);
	cJSON_Delete(v);
	return rv;
}

/* what a read of every record touched */
struct tally {
	long records, bytes, sealed;
};

static int
count_cb(const struct localdb_record *r, void *arg)
{
	struct tally *t = arg;

	t->records++;
	t->bytes += (long)strlen(r->data);
	t->sealed += r->sealed != NULL;
	return 0;
}

static int
read_all(struct store *s, struct tally *t, double *ms, struct terr *e)
{
	double t0 = now_ms();

	memset(t, 0, sizeof(*t));
	if (store_record_each(s, "mediation_case", NULL, count_cb, t, e) != 0)
		return -1;
	*ms = now_ms() - t0;
	return 0;
}

static int
unlock(struct store *s, const char *pass, double *ms, struct terr *e)
{
	double t0 = now_ms();

	if (vault_unlock(store_vault(s), store_localdb(s), pass, strlen(pass), e) != 0)
		return -1;
	*ms = now_ms() - t0;
	return 0;
}

/*
 * (a) a small store whose passphrase was set with lim; rounds opens and
 * unlocks, timed; *kb the largest VmHWM - VmRSS an unlock added.
 */
static int
bench_unlock(const char *dir, const char *name, const struct vault_limits *lim,
    int rounds, double *t, long *kb, struct terr *e)
{
	char path[600];
	struct store *s = NULL;
	long rss, hwm;

	snprintf(path, sizeof(path), "%s/%s.db", dir, name);
	if (store_new(path, &s, e) != 0 ||
	    vault_create(store_vault(s), store_localdb(s), PASS, strlen(PASS), lim, NULL, e) != 0)
		goto fail;
	store_close(s);
	s = NULL;
	*kb = -1;
	for (int i = 0; i < rounds; i++) {
		if (store_open(path, false, &s, e) != 0 || store_locked(s) == false)
			goto fail;
		rss = hwm_reset() ? status_kb("VmRSS") : -1;
		if (unlock(s, PASS, &t[i], e) != 0)
			goto fail;
		hwm = status_kb("VmHWM");
		if (rss >= 0 && hwm >= 0 && hwm - rss > *kb)
			*kb = hwm - rss;
		store_close(s);
		s = NULL;
	}
	return 0;
 fail:
	store_close(s);
	return -1;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	int rounds = argc > 2 ? atoi(argv[2]) : 7;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[512], plain[600], sealed[600], sealed_t[600], sql[700], cmd[700];
	char recovery[VAULT_RECOVERY_TEXT];
	const char *forms = NULL;
	struct store *sp = NULL, *sl = NULL, *su = NULL, *sm = NULL, *st = NULL;
	struct catalog *c = NULL;
	const struct form *f;
	struct terr e = { 0 };
	struct vault_limits def, test;
	struct passphrase_report rep;
	struct tally tp, tl, tu;
	struct mmm a_def, a_test, rp, rl, ru, ch, un;
	double t_def[MAX_ROUNDS], t_test[MAX_ROUNDS], t_plain[MAX_ROUNDS],
	    t_locked[MAX_ROUNDS], t_open[MAX_ROUNDS], t_change[MAX_ROUNDS],
	    t_unl2[MAX_ROUNDS];
	double t0, c0, t_fill, t_set, t_set_t, c_set_t, ms;
	long kb_def, kb_test;
	int rc = 1;

	if (n < 1 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: bench_vault [RECORDS [ROUNDS ≤ %d]]\n", MAX_ROUNDS);
		return 2;
	}
	unsetenv("TETRAD_PWHASH");
	vault_limits_default(&def);
	test.ops = crypto_pwhash_OPSLIMIT_MIN;
	test.mem = crypto_pwhash_MEMLIMIT_MIN;
	snprintf(dir, sizeof(dir), "%s/bench_vault.XXXXXX", tmp);
	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 1;
	snprintf(plain, sizeof(plain), "%s/plain.db", dir);
	snprintf(sealed, sizeof(sealed), "%s/sealed.db", dir);
	snprintf(sealed_t, sizeof(sealed_t), "%s/sealed-test.db", dir);

	/* (a) unlocking: the test limits first, so the peak RSS of each is its own */
	if (bench_unlock(dir, "test", &test, rounds, t_test, &kb_test, &e) != 0 ||
	    bench_unlock(dir, "default", &def, rounds, t_def, &kb_def, &e) != 0) {
		fprintf(stderr, "unlock: %s\n", e.msg);
		goto out;
	}
	a_test = stats(t_test, rounds);
	a_def = stats(t_def, rounds);
	printf("unlock, default limits (ops %llu, mem %zu MiB), %d runs: "
	    "min %.0f ms, median %.0f ms, max %.0f ms; peak RSS added %.1f MiB\n",
	    def.ops, def.mem >> 20, rounds, a_def.min, a_def.med, a_def.max,
	    kb_def / 1024.0);
	printf("unlock, test limits (ops %llu, mem %zu KiB), %d runs: "
	    "min %.3f ms, median %.3f ms, max %.3f ms; peak RSS added %.1f MiB\n",
	    test.ops, test.mem >> 10, rounds, a_test.min, a_test.med, a_test.max,
	    kb_test / 1024.0);

	/* the records, plain; a copy becomes the sealed store */
	if (store_new(plain, &sp, &e) != 0 || formsdir_builtin(&forms, &e) != 0 ||
	    catalog_load(forms, NULL, &c, &e) != 0) {
		fprintf(stderr, "setup: %s\n", e.msg);
		goto out;
	}
	if ((f = catalog_latest(c, "mediation_case")) == NULL) {
		fprintf(stderr, "setup: no form mediation_case in %s\n", forms);
		goto out;
	}
	t0 = now_ms();
	if (fill(sp, f, n, &e) != 0) {
		fprintf(stderr, "insert: %s\n", e.msg);
		goto out;
	}
	t_fill = now_ms() - t0;
	for (int i = 0; i < 2; i++) {
		snprintf(sql, sizeof(sql), "VACUUM INTO '%s'", i ? sealed_t : sealed);
		if (sqlite3_exec(store_db(sp), sql, NULL, NULL, NULL) != SQLITE_OK) {
			fprintf(stderr, "copy: %s\n", sqlite3_errmsg(store_db(sp)));
			goto out;
		}
	}
	printf("%d mediation cases (2 parties with names and phones, a summary) "
	    "written in %.0f ms\n", n, t_fill);

	/* (c) set: the migration of every record and the scrub */
	if (store_open(sealed, false, &sm, &e) != 0)
		goto fail;
	t0 = now_ms();
	if (passphrase_set(sm, c, PASS, strlen(PASS), &def, recovery, &rep, &e) != 0)
		goto fail;
	t_set = now_ms() - t0;
	if (rep.sealed != n || !rep.scrubbed) {
		fprintf(stderr, "set: %lld records sealed, scrubbed %d\n",
		    (long long)rep.sealed, rep.scrubbed);
		goto out;
	}
	/* the same at the test limits: the migration and the scrub alone */
	if (store_open(sealed_t, false, &st, &e) != 0)
		goto fail;
	t0 = now_ms();
	c0 = cpu_ms();
	if (passphrase_set(st, c, PASS, strlen(PASS), &test, recovery, &rep, &e) != 0)
		goto fail;
	t_set_t = now_ms() - t0;
	c_set_t = cpu_ms() - c0;
	store_close(st);
	st = NULL;
	printf("passphrase set, %d records sealed in one transaction + scrub "
	    "(secure_delete, VACUUM, WAL truncated): %.0f ms at the default limits; "
	    "%.0f ms at the test limits (%.1f µs a record without Argon2id; CPU %.0f ms)\n",
	    n, t_set, t_set_t, t_set_t * 1e3 / n, c_set_t);
	/* (c) change: one Argon2id and a rewrap, each way in turn; each round
	 * also unlocks a fresh handle, so the two are compared in the same
	 * minutes (a shared host's Argon2id moves by ±30% from hour to hour) */
	for (int i = 0; i < rounds; i++) {
		const char *from = i % 2 ? PASS2 : PASS, *to = i % 2 ? PASS : PASS2;
		struct store *sx = NULL;

		if (store_open(sealed, false, &sx, &e) != 0 ||
		    unlock(sx, from, &t_unl2[i], &e) != 0) {
			store_close(sx);
			goto fail;
		}
		store_close(sx);
		t0 = now_ms();
		if (passphrase_change(sm, to, strlen(to), &def, &e) != 0)
			goto fail;
		t_change[i] = now_ms() - t0;
	}
	ch = stats(t_change, rounds);
	un = stats(t_unl2, rounds);
	printf("passphrase change (store open), %d runs: min %.0f ms, median %.0f ms, "
	    "max %.0f ms; an unlock in the same rounds: median %.0f ms (change / unlock "
	    "%.2f)\n", rounds, ch.min, ch.med, ch.max, un.med, ch.med / un.med);
	/* leave it with PASS */
	if (rounds % 2 && passphrase_change(sm, PASS, strlen(PASS), &def, &e) != 0)
		goto fail;
	store_close(sm);
	sm = NULL;

	/* (b) reading: plain, locked, unlocked, interleaved */
	if (store_open(sealed, false, &sl, &e) != 0 || store_open(sealed, false, &su, &e) != 0 ||
	    unlock(su, PASS, &ms, &e) != 0)
		goto fail;
	for (int i = 0; i < rounds; i++) {
		if (read_all(sp, &tp, &t_plain[i], &e) != 0 ||
		    read_all(sl, &tl, &t_locked[i], &e) != 0 ||
		    read_all(su, &tu, &t_open[i], &e) != 0)
			goto fail;
	}
	if (tp.records != n || tl.records != n || tu.records != n || tl.sealed != n ||
	    tu.sealed != 0 || tp.sealed != 0 || tu.bytes != tp.bytes) {
		fprintf(stderr, "read: records %ld/%ld/%ld, sealed %ld/%ld/%ld, "
		    "bytes %ld/%ld/%ld (plain/locked/open)\n", tp.records, tl.records,
		    tu.records, tp.sealed, tl.sealed, tu.sealed, tp.bytes, tl.bytes, tu.bytes);
		goto out;
	}
	rp = stats(t_plain, rounds);
	rl = stats(t_locked, rounds);
	ru = stats(t_open, rounds);
	printf("read %d records (store_record_each), %d interleaved rounds, "
	    "min / median / max ms, median µs a record:\n", n, rounds);
	printf("  plain (no passphrase)  %7.1f %7.1f %7.1f  %6.2f µs\n",
	    rp.min, rp.med, rp.max, rp.med * 1e3 / n);
	printf("  locked                 %7.1f %7.1f %7.1f  %6.2f µs  (%.2f× plain; "
	    "data %ld B a record without the local values)\n",
	    rl.min, rl.med, rl.max, rl.med * 1e3 / n, rl.med / rp.med, tl.bytes / n);
	printf("  unlocked               %7.1f %7.1f %7.1f  %6.2f µs  (%.2f× plain; "
	    "+%.2f µs a record to open and graft)\n",
	    ru.min, ru.med, ru.max, ru.med * 1e3 / n,
	    ru.med / rp.med, (ru.med - rp.med) * 1e3 / n);
	rc = 0;
	goto out;
 fail:
	fprintf(stderr, "bench_vault: %s\n", e.msg);
 out:
	store_close(st);
	store_close(sm);
	store_close(su);
	store_close(sl);
	store_close(sp);
	catalog_free(c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
