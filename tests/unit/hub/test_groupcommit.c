/*
 * test_groupcommit — the hub's one writer: items queued while it is busy
 * share one transaction; an item that fails is undone alone and the others
 * of its group are committed; GROUPCOMMIT_AGAIN undoes an item's writes and
 * calls it once more; a full disk fails every item and stores nothing; run
 * alone, the same contract on the caller's handle. Then through ingest: eight
 * change sets of eight devices verified on their own threads and applied in
 * one group, one of them refused by the merge (a record of another school),
 * which is quarantined while the seven others are applied. A set announced
 * as coming holds a group back only for a bounded moment. A device enrolled
 * again for another school between its set's checks and its apply has the
 * set judged again. The write lock: readers never wait for it, another
 * writer waits a bounded moment and is told busy.
 *
 * A group is made deterministic by a blocker: an item whose apply waits on
 * the writer's thread until the test has seen the others queued
 * (groupcommit_stats: waiting), so they are all taken together into the
 * blocker's transaction, which is still open (stats: late).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "hub/groupcommit.h"
#include "hub/merge.h"
#include "hub_fixture.h"

struct blocker {
	atomic_int entered;     /* the writer is in the blocker's apply */
	atomic_int release;
	struct groupcommit *g;
	int result;             /* its group's: the items taken late share its commit */
};

static int
block_apply(void *arg, struct hubdb *db, struct terr *e)
{
	struct blocker *b = arg;
	struct timespec ts = { 0, 1000 * 1000 };

	(void)db;
	(void)e;
	atomic_store(&b->entered, 1);
	while (!atomic_load(&b->release))
		nanosleep(&ts, NULL);
	return 0;
}

static void *
block_thread(void *arg)
{
	struct blocker *b = arg;
	struct terr e;

	b->result = groupcommit_run(b->g, block_apply, b, &e);
	return NULL;
}

/* Waits (bounded: 60 s) until the writer is inside the blocker: it is taken alone. */
static void
wait_entered(struct blocker *b)
{
	struct timespec ts = { 0, 1000 * 1000 };

	for (int i = 0; i < 60000 && !atomic_load(&b->entered); i++)
		nanosleep(&ts, NULL);
	CHECK(atomic_load(&b->entered));
}

/* Waits (bounded: 60 s) until n items are queued behind the blocker, then lets it go. */
static void
release_when_waiting(struct blocker *b, uint64_t n)
{
	struct groupcommit_stats st;
	struct timespec ts = { 0, 2 * 1000 * 1000 };

	for (int i = 0; i < 30000; i++) {
		groupcommit_stats(b->g, &st);
		if (st.waiting >= n)
			break;
		nanosleep(&ts, NULL);
	}
	CHECK_INT_EQ((int)st.waiting, (int)n);
	atomic_store(&b->release, 1);
}

/* ------------------------------------------------------------------ */

enum item_kind { ITEM_WRITE, ITEM_POISON, ITEM_AGAIN, ITEM_SET };

struct item {
	struct groupcommit *g;
	enum item_kind kind;
	char code[32];
	char name[200];
	int calls;
	int result;
	struct terr e;
};

static int
item_apply(void *arg, struct hubdb *db, struct terr *e)
{
	struct item *it = arg;
	char code[48];
	int r;

	it->calls++;
	switch (it->kind) {
	case ITEM_WRITE:
		return hubdb_school_put(db, it->code, it->name, e);
	case ITEM_POISON:
		if ((r = hubdb_school_put(db, it->code, it->name, e)) != 0)
			return r;
		return terr_set(e, TERR_IO, "отравленный набор");
	case ITEM_SET:
		/* a stored set under code as its device (a deferred write on
		 * PostgreSQL: its error comes at the savepoint's release) */
		{
			static const uint8_t hash[CHANGESET_HASH_BYTES] = { 1 };

			return hubdb_set_put(db, it->code, 1, 1, hash, "applied", 200,
			    (const uint8_t *)"env", 3, (const uint8_t *)"ack", 3, e);
		}
	case ITEM_AGAIN:
		/* first call: a write to be undone; second: the one that stays */
		snprintf(code, sizeof(code), "%s_%d", it->code, it->calls);
		if ((r = hubdb_school_put(db, code, it->name, e)) != 0)
			return r;
		return it->calls == 1 ? GROUPCOMMIT_AGAIN : 0;
	}
	return TERR_INTERNAL;
}

static void *
item_thread(void *arg)
{
	struct item *it = arg;

	terr_clear(&it->e);
	it->result = groupcommit_run(it->g, item_apply, it, &it->e);
	return NULL;
}

static long
count_of(struct hubdb *db, const char *sql)
{
	struct terr e;
	char *v = NULL;
	long n = -1;

	CHECK_INT_EQ(hubdb_test_query(db, sql, &v, &e), 0);
	if (v != NULL)
		n = strtol(v, NULL, 10);
	free(v);
	return n;
}

/*
 * Runs items[] as one group behind a blocker, taken into its transaction;
 * returns the stats after, and the blocker's result.
 */
static int
run_group(struct groupcommit *g, struct item *items, size_t n, struct groupcommit_stats *st)
{
	struct blocker b;
	pthread_t bt, th[16];

	atomic_init(&b.release, 0);
	b.g = g;
	atomic_init(&b.entered, 0);
	CHECK_INT_EQ(pthread_create(&bt, NULL, block_thread, &b), 0);
	wait_entered(&b);
	for (size_t i = 0; i < n; i++) {
		items[i].g = g;
		CHECK_INT_EQ(pthread_create(&th[i], NULL, item_thread, &items[i]), 0);
	}
	release_when_waiting(&b, n);
	pthread_join(bt, NULL);
	for (size_t i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	groupcommit_stats(g, st);
	return b.result;
}

static void
test_group(const char *path)
{
	struct hubdb *wdb = NULL, *rdb = NULL;
	struct groupcommit *g = NULL;
	struct groupcommit_stats st;
	struct item items[8];
	struct terr e;

	CHECK_INT_EQ(hubdb_open(path, &wdb, &e), 0);
	CHECK_INT_EQ(hubdb_open(path, &rdb, &e), 0);
	CHECK_INT_EQ(groupcommit_start(wdb, &g, &e), 0);
	if (g == NULL)
		return;
	memset(items, 0, sizeof(items));
	for (int i = 0; i < 8; i++) {
		items[i].kind = ITEM_WRITE;
		snprintf(items[i].code, sizeof(items[i].code), "G%d", i);
		snprintf(items[i].name, sizeof(items[i].name), "школа %d", i);
	}
	items[3].kind = ITEM_POISON;
	items[5].kind = ITEM_AGAIN;
	CHECK_INT_EQ(run_group(g, items, 8, &st), 0);

	/* the blocker's transaction took the eight: the poison met in the first
	 * round, found in the careful one, and the group run again without it */
	CHECK_INT_EQ((int)st.groups, 1);
	CHECK_INT_EQ((int)st.largest, 9);
	CHECK_INT_EQ((int)st.late, 8);
	CHECK_INT_EQ((int)st.careful, 1);
	CHECK_INT_EQ((int)st.retried, 1);
	for (int i = 0; i < 8; i++)
		CHECK_INT_EQ(items[i].result, i == 3 ? TERR_IO : 0);
	CHECK_CONTAINS(items[3].e.msg, "отравленный");
	CHECK_INT_EQ(count_of(rdb, "SELECT count(*) FROM schools WHERE code = 'G3'"), 0);
	CHECK_INT_EQ(count_of(rdb, "SELECT count(*) FROM schools WHERE code IN "
	    "('G0','G1','G2','G4','G6','G7')"), 6);
	/* AGAIN: the first call's write undone, the second's kept */
	CHECK_INT_EQ(count_of(rdb, "SELECT count(*) FROM schools WHERE code = 'G5_1'"), 0);
	CHECK_INT_EQ(count_of(rdb, "SELECT count(*) FROM schools WHERE code LIKE 'G5_%'"), 1);

	/* a full disk: every item of the group fails, nothing of it is stored */
	memset(items, 0, sizeof(items));
	for (int i = 0; i < 3; i++) {
		items[i].kind = ITEM_WRITE;
		snprintf(items[i].code, sizeof(items[i].code), "F%d", i);
		memset(items[i].name, 'x', sizeof(items[i].name) - 1);
	}
	/*
	 * SQLite: the file may not grow, and the free pages it has are filled
	 * first. PostgreSQL has no page cap to set: a trigger behind the
	 * store's back answers every new school with the server's own
	 * disk_full (53100), as a full tablespace would.
	 */
	if (!test_store_pg())
		CHECK_INT_EQ(hubdb_test_cap_growth(wdb, 0, &e), 0);
	else
		CHECK_INT_EQ(test_store_exec(path, "CREATE FUNCTION full_disk() RETURNS trigger "
		    "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file' "
		    "USING ERRCODE = 'disk_full'; END $$; CREATE TRIGGER full_disk BEFORE INSERT "
		    "OR UPDATE ON schools FOR EACH ROW EXECUTE FUNCTION full_disk()"), 0);
	{
		/* fill what free pages the file has, so the group's writes need more */
		struct item fill;

		memset(&fill, 0, sizeof(fill));
		fill.kind = ITEM_WRITE;
		for (int i = 0; i < 2000; i++) {
			snprintf(fill.code, sizeof(fill.code), "fill%d", i);
			memset(fill.name, 'y', sizeof(fill.name) - 1);
			if (groupcommit_run(g, item_apply, &fill, &e) != 0)
				break;
		}
		CHECK_INT_EQ(e.code, TERR_FULL);
	}
	{
		uint64_t retried = st.retried, careful = st.careful;

		/* the blocker too: its transaction is theirs */
		CHECK_INT_EQ(run_group(g, items, 3, &st), TERR_FULL);
		/* failed together at once, not run again item by item */
		CHECK_INT_EQ((int)(st.retried - retried), 0);
		CHECK_INT_EQ((int)(st.careful - careful), 0);
	}
	for (int i = 0; i < 3; i++)
		CHECK_INT_EQ(items[i].result, TERR_FULL);
	CHECK_INT_EQ(count_of(rdb, "SELECT count(*) FROM schools WHERE code LIKE 'F_'"), 0);
	if (!test_store_pg())
		CHECK_INT_EQ(hubdb_test_cap_growth(wdb, -1, &e), 0);
	else
		CHECK_INT_EQ(test_store_exec(path, "DROP TRIGGER full_disk ON schools"), 0);

	/* alone on the caller's handle: the same AGAIN contract */
	memset(items, 0, sizeof(items));
	items[0].kind = ITEM_AGAIN;
	snprintf(items[0].code, sizeof(items[0].code), "A");
	CHECK_INT_EQ(groupcommit_run_alone(rdb, item_apply, &items[0], &e), 0);
	CHECK_INT_EQ(count_of(rdb, "SELECT count(*) FROM schools WHERE code LIKE 'A_%'"), 1);
	items[1].kind = ITEM_POISON;
	snprintf(items[1].code, sizeof(items[1].code), "P");
	CHECK_INT_EQ(groupcommit_run_alone(rdb, item_apply, &items[1], &e), TERR_IO);
	CHECK_INT_EQ(count_of(rdb, "SELECT count(*) FROM schools WHERE code = 'P'"), 0);

	groupcommit_stop(g);
	groupcommit_stop(NULL);
	hubdb_close(wdb);
	hubdb_close(rdb);
}

/* ------------------------------------------------------------------ */

struct pusher {
	struct hubdb *db;       /* opened before the blocker holds the write lock */
	struct ingest_cfg cfg;
	const struct tbuf *env;
	struct ingest_result res;
	int rc;
};

static void *
push_thread(void *arg)
{
	struct pusher *p = arg;
	struct terr e;

	p->rc = ingest_envelope(p->db, &p->cfg, tbuf_ptr(p->env), tbuf_len(p->env), NOW,
	    &p->res, &e);
	return NULL;
}

static void
test_ingest_group(void)
{
	static const char *schools[7] = { "170101", "170102", "170103", "170104", "170105",
		"170106", "170107" };
	struct th t;
	struct dev d[7], cur;
	struct hubdb *wdb = NULL;
	struct groupcommit *g = NULL;
	struct groupcommit_stats st;
	struct pusher p[8];
	struct tbuf *env[8];
	struct blocker b;
	struct outcome o;
	pthread_t bt, th[8];
	struct terr e;
	char rid[8][40];
	int applied = 0, refused = 0;

	th_open(&t, "ingest");
	for (int i = 0; i < 7; i++) {
		dev_new(&d[i]);
		enroll(&t, &d[i], "school", schools[i]);
	}
	dev_new(&cur);
	enroll(&t, &cur, "curator", "170101,170102");
	for (int i = 0; i < 8; i++)
		snprintf(rid[i], sizeof(rid[i]), "019a3e6e-3000-7000-8000-0000000001%02u", (unsigned)i % 100u);
	/* R1 exists in 170101; the curator will send it as a record of 170102 */
	{
		struct opspec op = { R1, "170101", NOW - 5000, "{\"n\":1}", NULL };
		struct tbuf *e0 = seal(&d[0], "170101", &op, 1, true);

		push(&t, e0, NOW, &o);
		CHECK_STR_EQ(o.status, "applied");
		outcome_free(&o);
		tbuf_free(e0);
	}
	for (int i = 0; i < 7; i++) {
		struct opspec op = { rid[i], schools[i], NOW - 1000, "{\"n\":7,\"t\":\"группа\"}",
			NULL };

		env[i] = seal(&d[i], schools[i], &op, 1, true);
	}
	{
		struct opspec op = { R1, "170102", NOW - 1000, "{\"n\":9}", NULL };

		env[7] = seal(&cur, "", &op, 1, true);
	}

	CHECK_INT_EQ(hubdb_open(t.path, &wdb, &e), 0);
	CHECK_INT_EQ(groupcommit_start(wdb, &g, &e), 0);
	if (g == NULL)
		return;
	memset(p, 0, sizeof(p));
	for (int i = 0; i < 8; i++)
		CHECK_INT_EQ(hubdb_open(t.path, &p[i].db, &e), 0);
	atomic_init(&b.release, 0);
	atomic_init(&b.entered, 0);
	b.g = g;
	CHECK_INT_EQ(pthread_create(&bt, NULL, block_thread, &b), 0);
	wait_entered(&b);
	for (int i = 0; i < 8; i++) {
		p[i].cfg = t.cfg;
		p[i].cfg.writer = g;
		p[i].env = env[i];
		p[i].res.body = tbuf_new(INGEST_BODY_MAX);
		CHECK_INT_EQ(pthread_create(&th[i], NULL, push_thread, &p[i]), 0);
	}
	release_when_waiting(&b, 8);
	pthread_join(bt, NULL);
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		CHECK_INT_EQ(p[i].rc, 0);
		if (p[i].res.outcome == INGEST_APPLIED)
			applied++;
		if (p[i].res.outcome == INGEST_REFUSED)
			refused++;
	}
	groupcommit_stats(g, &st);
	CHECK_INT_EQ(b.result, 0);
	CHECK_INT_EQ((int)st.largest, 9);
	CHECK_INT_EQ(applied, 7);
	CHECK_INT_EQ(refused, 1);
	CHECK_INT_EQ((int)p[7].res.outcome, (int)INGEST_REFUSED);
	CHECK_CONTAINS(p[7].res.reason, "отклонён");
	for (int i = 0; i < 7; i++) {
		struct hubdb_record r;
		uint8_t id[16];
		bool found = false;

		memset(&r, 0, sizeof(r));
		CHECK_INT_EQ(uuid7_parse(rid[i], id), 0);
		CHECK_INT_EQ(hubdb_record_get(t.db, id, &r, &found, &e), 0);
		CHECK(found);
		CHECK_STR_EQ(r.school, schools[i]);
		hubdb_record_clear(&r);
	}
	/* the refused set moved the curator's chain and is in quarantine; R1 unchanged */
	CHECK_INT_EQ(count_of(t.db, "SELECT count(*) FROM quarantine"), 1);
	CHECK_INT_EQ(count_of(t.db, "SELECT count(*) FROM devices WHERE watermark = 1 AND kind = "
	    "'curator'"), 1);
	{
		struct hubdb_record r;
		uint8_t id[16];
		bool found = false;

		memset(&r, 0, sizeof(r));
		CHECK_INT_EQ(uuid7_parse(R1, id), 0);
		CHECK_INT_EQ(hubdb_record_get(t.db, id, &r, &found, &e), 0);
		CHECK(found);
		CHECK_STR_EQ(r.school, "170101");
		CHECK_CONTAINS(r.data, "\"n\":1");
		hubdb_record_clear(&r);
	}
	/* a replay of an applied set through the writer: the stored answer */
	{
		struct pusher again;

		memset(&again, 0, sizeof(again));
		again.db = t.db;
		again.cfg = t.cfg;
		again.cfg.writer = g;
		again.env = env[2];
		again.res.body = tbuf_new(INGEST_BODY_MAX);
		push_thread(&again);
		CHECK_INT_EQ(again.rc, 0);
		CHECK((int)again.res.outcome == (int)INGEST_APPLIED && again.res.replay);
		CHECK_INT_EQ((int)tbuf_len(again.res.body), (int)tbuf_len(p[2].res.body));
		CHECK(memcmp(tbuf_ptr(again.res.body), tbuf_ptr(p[2].res.body),
		    tbuf_len(p[2].res.body)) == 0);
		tbuf_free(again.res.body);
	}
	groupcommit_stop(g);
	hubdb_close(wdb);
	for (int i = 0; i < 8; i++) {
		hubdb_close(p[i].db);
		tbuf_free(p[i].res.body);
		tbuf_free(env[i]);
	}
	th_close(&t);
}

/*
 * A device enrolled again for another school (the same key, nothing sent
 * yet) while its first set, checked against the old school, waits for the
 * writer: the writer sees the binding changed and the set is judged again,
 * as a record of a school the device no longer writes for. The rebinding is
 * done by the blocker, on the writer's handle, so it lands exactly between
 * the set's checks and its apply.
 */
struct rebinder {
	struct blocker b;
	const char *device, *schools;
	int rc;
};

static int
rebind_apply(void *arg, struct hubdb *db, struct terr *e)
{
	struct rebinder *rb = arg;
	struct hubdb_device d;
	struct timespec ts = { 0, 1000 * 1000 };
	bool found = false;

	atomic_store(&rb->b.entered, 1);
	while (!atomic_load(&rb->b.release))
		nanosleep(&ts, NULL);
	if ((rb->rc = hubdb_device_get(db, rb->device, &d, &found, e)) != 0 || !found)
		return rb->rc ? rb->rc : TERR_INTERNAL;
	snprintf(d.schools, sizeof(d.schools), "%s", rb->schools);
	return rb->rc = hubdb_device_rebind(db, &d, e);
}

static void *
rebind_thread(void *arg)
{
	struct rebinder *rb = arg;
	struct terr e;

	CHECK_INT_EQ(groupcommit_run(rb->b.g, rebind_apply, rb, &e), 0);
	return NULL;
}

static void
test_rebind_meanwhile(void)
{
	static const char rid[] = "019a3e6e-3000-7000-8000-000000000201";
	struct opspec op = { rid, "170101", NOW - 1000, "{\"n\":1}", NULL };
	struct th t;
	struct dev d;
	struct hubdb *wdb = NULL;
	struct groupcommit *g = NULL;
	struct rebinder rb;
	struct pusher p;
	struct hubdb_record r;
	struct tbuf *env;
	pthread_t bt, pt;
	struct terr e;
	uint8_t id[16];
	bool found = true;

	th_open(&t, "rebind");
	dev_new(&d);
	enroll(&t, &d, "school", "170101");
	env = seal(&d, "170101", &op, 1, true);
	CHECK_INT_EQ(hubdb_open(t.path, &wdb, &e), 0);
	CHECK_INT_EQ(groupcommit_start(wdb, &g, &e), 0);
	if (g == NULL)
		return;
	memset(&p, 0, sizeof(p));
	CHECK_INT_EQ(hubdb_open(t.path, &p.db, &e), 0);   /* before the writer holds the lock */
	memset(&rb, 0, sizeof(rb));
	atomic_init(&rb.b.release, 0);
	atomic_init(&rb.b.entered, 0);
	rb.b.g = g;
	rb.device = d.id;
	rb.schools = "170102";
	CHECK_INT_EQ(pthread_create(&bt, NULL, rebind_thread, &rb), 0);
	wait_entered(&rb.b);
	p.cfg = t.cfg;
	p.cfg.writer = g;
	p.env = env;
	p.res.body = tbuf_new(INGEST_BODY_MAX);
	CHECK_INT_EQ(pthread_create(&pt, NULL, push_thread, &p), 0);
	/* checked against 170101 and queued: now the device is 170102's */
	release_when_waiting(&rb.b, 1);
	pthread_join(bt, NULL);
	pthread_join(pt, NULL);
	CHECK_INT_EQ(rb.rc, 0);
	CHECK_INT_EQ(p.rc, 0);
	CHECK((int)p.res.outcome != (int)INGEST_APPLIED);
	memset(&r, 0, sizeof(r));
	CHECK_INT_EQ(uuid7_parse(rid, id), 0);
	CHECK_INT_EQ(hubdb_record_get(t.db, id, &r, &found, &e), 0);
	CHECK(!found);
	hubdb_record_clear(&r);
	groupcommit_stop(g);
	hubdb_close(wdb);
	hubdb_close(p.db);
	tbuf_free(p.res.body);
	tbuf_free(env);
	th_close(&t);
}

/*
 * Sets announced as coming: a group waits for them at most
 * GROUPCOMMIT_GATHER_US, so one that never comes delays nothing for long;
 * with nothing announced the writer never waits.
 */
static void
test_gather(const char *path)
{
	struct hubdb *wdb = NULL;
	struct groupcommit *g = NULL;
	struct groupcommit_stats st;
	struct item it;
	struct terr e;
	struct timespec t0, t1;
	double ms;

	CHECK_INT_EQ(hubdb_open(path, &wdb, &e), 0);
	CHECK_INT_EQ(groupcommit_start(wdb, &g, &e), 0);
	if (g == NULL)
		return;
	memset(&it, 0, sizeof(it));
	it.kind = ITEM_WRITE;
	snprintf(it.code, sizeof(it.code), "W0");
	snprintf(it.name, sizeof(it.name), "школа");
	CHECK_INT_EQ(groupcommit_run(g, item_apply, &it, &e), 0);
	groupcommit_stats(g, &st);
	CHECK_INT_EQ((int)st.gathered, 0);

	/* announced and never written: the group waits its bounded moment, once */
	groupcommit_coming(g);
	snprintf(it.code, sizeof(it.code), "W1");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT_EQ(groupcommit_run(g, item_apply, &it, &e), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	groupcommit_stats(g, &st);
	CHECK_INT_EQ((int)st.gathered, 1);
	/* far above the bound, so only a wait that does not end would fail it */
	CHECK(ms < 5000.0);
	groupcommit_arrived(g);

	/* taken back: no more waiting */
	snprintf(it.code, sizeof(it.code), "W2");
	CHECK_INT_EQ(groupcommit_run(g, item_apply, &it, &e), 0);
	groupcommit_stats(g, &st);
	CHECK_INT_EQ((int)st.gathered, 1);
	CHECK_INT_EQ((int)st.groups, 3);
	groupcommit_stop(g);
	hubdb_close(wdb);
}

/*
 * Two hub processes (two handles, each with its writer) given the same
 * change sets at the same moment: each set is applied exactly once, the
 * other process answers it as a replay of the stored answer, and the
 * device's chain and the records read as after one push each.
 */
static void
test_two_writers(void)
{
	enum { SETS = 6 };
	struct th t;
	struct dev a;
	struct hubdb *wdb[2] = { NULL, NULL };
	struct groupcommit *g[2] = { NULL, NULL };
	struct pusher p[2];
	struct tbuf *env[SETS];
	char rid[SETS][40];
	struct terr e;
	int fresh = 0, replays = 0;

	th_open(&t, "two");
	dev_new(&a);
	enroll(&t, &a, "school", "170101");
	for (int i = 0; i < SETS; i++) {
		struct opspec op;

		snprintf(rid[i], sizeof(rid[i]), "019a3e6e-3000-7000-8000-0000000003%02u", (unsigned)i % 100u);
		op = (struct opspec){ rid[i], "170101", NOW - 1000 + i, "{\"n\":1}", NULL };
		env[i] = seal(&a, "170101", &op, 1, true);
	}
	for (int k = 0; k < 2; k++) {
		CHECK_INT_EQ(hubdb_open(t.path, &wdb[k], &e), 0);
		CHECK_INT_EQ(groupcommit_start(wdb[k], &g[k], &e), 0);
		memset(&p[k], 0, sizeof(p[k]));
		CHECK_INT_EQ(hubdb_open(t.path, &p[k].db, &e), 0);
		p[k].cfg = t.cfg;
		p[k].cfg.writer = g[k];
		p[k].res.body = tbuf_new(INGEST_BODY_MAX);
	}
	if (g[0] == NULL || g[1] == NULL)
		return;
	for (int i = 0; i < SETS; i++) {
		pthread_t th[2];

		for (int k = 0; k < 2; k++) {
			struct tbuf *body = p[k].res.body;

			p[k].env = env[i];
			memset(&p[k].res, 0, sizeof(p[k].res));
			tbuf_reset(body);
			p[k].res.body = body;
			CHECK_INT_EQ(pthread_create(&th[k], NULL, push_thread, &p[k]), 0);
		}
		for (int k = 0; k < 2; k++) {
			pthread_join(th[k], NULL);
			CHECK_INT_EQ(p[k].rc, 0);
			CHECK_INT_EQ((int)p[k].res.outcome, (int)INGEST_APPLIED);
			if (p[k].res.replay)
				replays++;
			else
				fresh++;
		}
		/* the same signed answer from both */
		CHECK_INT_EQ((int)tbuf_len(p[0].res.body), (int)tbuf_len(p[1].res.body));
		CHECK(memcmp(tbuf_ptr(p[0].res.body), tbuf_ptr(p[1].res.body),
		    tbuf_len(p[0].res.body)) == 0);
	}
	CHECK_INT_EQ(fresh, SETS);
	CHECK_INT_EQ(replays, SETS);
	CHECK_INT_EQ(count_of(t.db, "SELECT count(*) FROM hub_records"), SETS);
	CHECK_INT_EQ(count_of(t.db, "SELECT count(*) FROM changesets"), SETS);
	CHECK_INT_EQ(count_of(t.db, "SELECT watermark FROM devices"), SETS);
	CHECK_INT_EQ(count_of(t.db, "SELECT count(*) FROM quarantine"), 0);
	for (int k = 0; k < 2; k++) {
		groupcommit_stop(g[k]);
		hubdb_close(wdb[k]);
		hubdb_close(p[k].db);
		tbuf_free(p[k].res.body);
	}
	for (int i = 0; i < SETS; i++)
		tbuf_free(env[i]);
	th_close(&t);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * The store's write lock, the same on both engines (SQLite's BEGIN
 * IMMEDIATE and busy timeout; PostgreSQL's advisory lock and
 * lock_timeout, hubdb_begin): while the writer is inside a group, a
 * reader of another handle is not held up, another handle's write
 * transaction waits the store's bounded moment (5 s) and is told busy,
 * the writer's group is unharmed, and once it ends the other handle
 * writes.
 */
static void
test_write_lock(const char *path)
{
	struct hubdb *wdb = NULL, *odb = NULL;
	struct groupcommit *g = NULL;
	struct blocker b;
	struct timespec t0;
	pthread_t bt;
	struct terr e;
	double ms;
	int r;

	CHECK_INT_EQ(hubdb_open(path, &wdb, &e), 0);
	CHECK_INT_EQ(hubdb_open(path, &odb, &e), 0);   /* before the writer holds the lock */
	CHECK_INT_EQ(groupcommit_start(wdb, &g, &e), 0);
	if (g == NULL || odb == NULL)
		return;
	atomic_init(&b.release, 0);
	atomic_init(&b.entered, 0);
	b.g = g;
	CHECK_INT_EQ(pthread_create(&bt, NULL, block_thread, &b), 0);
	wait_entered(&b);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_INT_EQ(count_of(odb, "SELECT count(*) FROM schools WHERE code = 'L1'"), 0);
	ms = ms_since(&t0);
	CHECK(ms < 2000.0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	terr_clear(&e);
	r = hubdb_begin(odb, &e);
	ms = ms_since(&t0);
	CHECK_INT_EQ(r, TERR_BUSY);
	CHECK_CONTAINS(e.msg, "занята");
	/* waited its moment, and no longer than bounded */
	CHECK(ms >= 4000.0 && ms < 30000.0);
	if (r == 0)
		hubdb_rollback(odb);

	atomic_store(&b.release, 1);
	pthread_join(bt, NULL);
	CHECK_INT_EQ(b.result, 0);
	CHECK_INT_EQ(hubdb_begin(odb, &e), 0);
	CHECK_INT_EQ(hubdb_school_put(odb, "L1", "школа", &e), 0);
	CHECK_INT_EQ(hubdb_commit(odb, &e), 0);
	CHECK_INT_EQ(count_of(wdb, "SELECT count(*) FROM schools WHERE code = 'L1'"), 1);

	/*
	 * A commit says what was stored: a statement that failed inside the
	 * transaction (PostgreSQL aborts the transaction there, SQLite goes
	 * on) leaves a commit that either stored the write or says it did not.
	 */
	{
		char *v = NULL;

		CHECK_INT_EQ(hubdb_begin(odb, &e), 0);
		/* a write with no feed position: the commit itself must tell */
		CHECK_INT_EQ(hubdb_setting_put(odb, "lock_probe", "1", &e), 0);
		CHECK(hubdb_test_query(odb, "SELECT no_such_column FROM schools", &v, &e) != 0);
		free(v);
		r = hubdb_commit(odb, &e);
		if (r != 0)
			hubdb_rollback(odb);
		CHECK_INT_EQ(count_of(wdb, "SELECT count(*) FROM settings WHERE key = 'lock_probe'"),
		    r == 0 ? 1 : 0);
		/* and the transaction is over either way: the next one begins */
		CHECK_INT_EQ(hubdb_begin(odb, &e), 0);
		hubdb_rollback(odb);
	}
	groupcommit_stop(g);
	hubdb_close(wdb);
	hubdb_close(odb);
}

/*
 * Writes whose error the store answers only at the set's savepoint release
 * (hubdb.h, deferred on PostgreSQL): a set stored twice fails alone and the
 * others of its group commit, whether the first round met its error at the
 * next set's statement or at the commit (the careful round tells whose it
 * was); a full disk met by such a write fails the whole group at once, as
 * any write's does.
 */
static void
test_deferred(const char *path)
{
	struct hubdb *wdb = NULL;
	struct groupcommit *g = NULL;
	struct groupcommit_stats st;
	struct item items[3];
	struct terr e;
	uint64_t retried;

	CHECK_INT_EQ(hubdb_open(path, &wdb, &e), 0);
	CHECK_INT_EQ(groupcommit_start(wdb, &g, &e), 0);
	if (g == NULL)
		return;
	memset(items, 0, sizeof(items));
	items[0].kind = ITEM_SET;
	snprintf(items[0].code, sizeof(items[0].code), "dddddddddddddddd");
	CHECK_INT_EQ(groupcommit_run(g, item_apply, &items[0], &e), 0);

	for (int twice = 1; twice <= 2; twice++) {
		uint64_t careful;
		char sql[128];

		memset(items, 0, sizeof(items));
		for (int i = 0; i < 3; i++) {
			items[i].kind = i == twice ? ITEM_SET : ITEM_WRITE;
			snprintf(items[i].code, sizeof(items[i].code), i == twice ? "dddddddddddddddd" :
			    "D%d%d", twice, i);
			snprintf(items[i].name, sizeof(items[i].name), "школа %d", i);
		}
		groupcommit_stats(g, &st);
		retried = st.retried;
		careful = st.careful;
		CHECK_INT_EQ(run_group(g, items, 3, &st), 0);
		for (int i = 0; i < 3; i++)
			CHECK_INT_EQ(items[i].result != 0, i == twice);
		CHECK(items[twice].e.msg[0] != '\0');
		CHECK_INT_EQ((int)(st.careful - careful), 1);
		CHECK_INT_EQ((int)(st.retried - retried), 1);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM schools WHERE code LIKE 'D%d_'", twice);
		CHECK_INT_EQ(count_of(wdb, sql), 2);
		CHECK_INT_EQ(count_of(wdb, "SELECT count(*) FROM changesets"), 1);
	}

	if (test_store_pg()) {
		CHECK_INT_EQ(test_store_exec(path, "CREATE FUNCTION full_sets() RETURNS trigger "
		    "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file' "
		    "USING ERRCODE = 'disk_full'; END $$; CREATE TRIGGER full_sets BEFORE INSERT "
		    "ON changesets FOR EACH ROW EXECUTE FUNCTION full_sets()"), 0);
		memset(items, 0, sizeof(items));
		for (int i = 0; i < 3; i++) {
			items[i].kind = i == 1 ? ITEM_SET : ITEM_WRITE;
			snprintf(items[i].code, sizeof(items[i].code), i == 1 ? "eeeeeeeeeeeeeeee" :
			    "E%d", i);
			snprintf(items[i].name, sizeof(items[i].name), "школа %d", i);
		}
		retried = st.retried;
		CHECK_INT_EQ(run_group(g, items, 3, &st), TERR_FULL);
		for (int i = 0; i < 3; i++)
			CHECK_INT_EQ(items[i].result, TERR_FULL);
		CHECK_INT_EQ((int)(st.retried - retried), 0);
		CHECK_INT_EQ(count_of(wdb, "SELECT count(*) FROM schools WHERE code LIKE 'E_'"), 0);
		CHECK_INT_EQ(test_store_exec(path, "DROP TRIGGER full_sets ON changesets"), 0);
	}
	groupcommit_stop(g);
	hubdb_close(wdb);
}

/*
 * Sets that queue while the writer's transaction waits for the store's
 * write lock (another hub process committing) share that transaction: one
 * commit for all of them, not one wait for the lock each.
 */
static void
test_joined(const char *path)
{
	struct hubdb *wdb = NULL, *odb = NULL;
	struct groupcommit *g = NULL;
	struct groupcommit_stats st;
	struct item items[3];
	pthread_t th[3];
	struct timespec ts = { 0, 1000 * 1000 };
	struct terr e;

	CHECK_INT_EQ(hubdb_open(path, &wdb, &e), 0);
	CHECK_INT_EQ(hubdb_open(path, &odb, &e), 0);
	CHECK_INT_EQ(groupcommit_start(wdb, &g, &e), 0);
	if (g == NULL || odb == NULL)
		return;
	/* the other "process" holds the write lock */
	CHECK_INT_EQ(hubdb_begin(odb, &e), 0);
	CHECK_INT_EQ(hubdb_school_put(odb, "J0", "школа", &e), 0);
	memset(items, 0, sizeof(items));
	for (int i = 0; i < 3; i++) {
		items[i].g = g;
		items[i].kind = ITEM_WRITE;
		snprintf(items[i].code, sizeof(items[i].code), "J%d", i + 1);
		snprintf(items[i].name, sizeof(items[i].name), "школа %d", i + 1);
	}
	/* the first is taken by the writer, whose begin then waits for the lock */
	CHECK_INT_EQ(pthread_create(&th[0], NULL, item_thread, &items[0]), 0);
	for (int i = 0; i < 2000; i++) {
		groupcommit_stats(g, &st);
		if (st.beginning == 1)
			break;
		nanosleep(&ts, NULL);
	}
	CHECK_INT_EQ((int)st.beginning, 1);
	for (int i = 1; i < 3; i++)
		CHECK_INT_EQ(pthread_create(&th[i], NULL, item_thread, &items[i]), 0);
	for (int i = 0; i < 2000; i++) {
		groupcommit_stats(g, &st);
		if (st.waiting == 2)
			break;
		nanosleep(&ts, NULL);
	}
	CHECK_INT_EQ((int)st.waiting, 2);
	/* well within the store's 5 s wait for the lock */
	CHECK_INT_EQ(hubdb_commit(odb, &e), 0);
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		CHECK_INT_EQ(items[i].result, 0);
	}
	groupcommit_stats(g, &st);
	CHECK_INT_EQ((int)st.groups, 1);
	CHECK_INT_EQ((int)st.items, 3);
	CHECK_INT_EQ((int)st.joined, 2);
	CHECK_INT_EQ(count_of(wdb, "SELECT count(*) FROM schools WHERE code LIKE 'J%'"), 4);
	groupcommit_stop(g);
	hubdb_close(wdb);
	hubdb_close(odb);
}

int
main(void)
{
	char path[600];

	if (fixture_init("test_groupcommit") != 0)
		return 1;
	test_store(path, sizeof(path), tmpdir, "group.db");
	test_group(path);
	test_store(path, sizeof(path), tmpdir, "gather.db");
	test_gather(path);
	test_store(path, sizeof(path), tmpdir, "lock.db");
	test_write_lock(path);
	test_store(path, sizeof(path), tmpdir, "joined.db");
	test_joined(path);
	test_store(path, sizeof(path), tmpdir, "deferred.db");
	test_deferred(path);
	test_ingest_group();
	test_rebind_meanwhile();
	test_two_writers();
	fixture_done();
	return check_summary();
}
