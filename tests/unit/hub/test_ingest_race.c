/*
 * test_ingest_race — the same device's next set raced into two hub
 * processes at once (issue 20). Two hub processes share nothing but the
 * store, so two handles on one store in two threads race as they do: each
 * thread is a process's ingest on its own connection. 300 rounds: both get
 * the same set at the same moment (a barrier); exactly one applies it and
 * the other answers as for a replay (the same signed acknowledgement) —
 * never both, never neither; a store that is busy answers 503 and the set
 * is sent again, as a device would. Afterwards the store holds every set
 * once: watermark, change sets, records, no conflict, no quarantine. Runs
 * on both stores (test_store.h): on SQLite the two handles are a pool's.
 * Then a set of several new records (one COPY on PostgreSQL) with text
 * that COPY must escape comes back as it went.
 */
#include <pthread.h>

#include "hub_fixture.h"

#define ROUNDS 300

struct racer {
	struct hubdb *db;
	const struct ingest_cfg *cfg;
	pthread_barrier_t *go;
	const struct tbuf *env;
	struct ingest_result res;
	int rc;
	unsigned busy;
};

static void *
racer_run(void *arg)
{
	struct racer *r = arg;
	struct terr e;

	pthread_barrier_wait(r->go);
	/* busy (a lock held past its timeout): the device's answer is 503, it
	 * sends the same set again */
	do {
		tbuf_reset(r->res.body);
		r->rc = ingest_envelope(r->db, r->cfg, tbuf_ptr(r->env), tbuf_len(r->env),
		    NOW + 1000, &r->res, &e);
	} while (r->rc == 0 && r->res.outcome == INGEST_BUSY && ++r->busy < 50);
	return NULL;
}

static void
test_race(void)
{
	struct th t;
	struct hubdb *other = NULL;
	struct dev d;
	struct terr e;
	pthread_barrier_t go;
	unsigned both = 0, neither = 0, same_ack = 0, busy = 0;
	char *v = NULL;

	th_open(&t, "race");
	CHECK_INT_EQ(hubdb_open(t.path, &other, &e), 0);
	dev_new(&d);
	enroll(&t, &d, "school", "170101");
	pthread_barrier_init(&go, NULL, 2);
	for (unsigned i = 0; i < ROUNDS; i++) {
		char rec[64];
		struct opspec op;
		struct tbuf *env;
		struct racer r[2];
		pthread_t th[2];
		unsigned applied = 0, replays = 0;

		snprintf(rec, sizeof(rec), "019a3e6e-3000-7000-8000-%012x", i + 1);
		op = (struct opspec){ rec, "170101", NOW + i, "{\"n\":7}", NULL };
		env = seal(&d, "170101", &op, 1, true);
		for (int k = 0; k < 2; k++) {
			memset(&r[k], 0, sizeof(r[k]));
			r[k].db = k == 0 ? t.db : other;
			r[k].cfg = &t.cfg;
			r[k].go = &go;
			r[k].env = env;
			r[k].res.body = tbuf_new(INGEST_BODY_MAX);
			pthread_create(&th[k], NULL, racer_run, &r[k]);
		}
		for (int k = 0; k < 2; k++) {
			pthread_join(th[k], NULL);
			CHECK_INT_EQ(r[k].rc, 0);
			busy += r[k].busy;
			if (r[k].res.outcome == INGEST_APPLIED && !r[k].res.replay)
				applied++;
			else if (r[k].res.outcome == INGEST_APPLIED && r[k].res.replay)
				replays++;
			else
				fprintf(stderr, "round %u: outcome %d (%s): %s\n", i, r[k].res.outcome,
				    r[k].res.status, r[k].res.reason);
		}
		both += applied > 1;
		neither += applied == 0;
		CHECK_INT_EQ(applied, 1);
		CHECK_INT_EQ(replays, 1);
		/* the replay's answer is the stored one, byte for byte */
		if (tbuf_len(r[0].res.body) == tbuf_len(r[1].res.body) &&
		    memcmp(tbuf_ptr(r[0].res.body), tbuf_ptr(r[1].res.body),
		    tbuf_len(r[0].res.body)) == 0)
			same_ack++;
		for (int k = 0; k < 2; k++)
			tbuf_free(r[k].res.body);
		tbuf_free(env);
	}
	printf("# %u rounds: applied twice %u, applied by neither %u, the same answer %u, "
	    "busy answers %u\n", ROUNDS, both, neither, same_ack, busy);
	CHECK_INT_EQ(same_ack, ROUNDS);
	/* the store: each set once, nothing else */
	CHECK_INT_EQ(hubdb_test_query(t.db, "SELECT count(*) FROM changesets", &v, &e), 0);
	CHECK_STR_EQ(v, "300");
	free(v);
	CHECK_INT_EQ(hubdb_test_query(t.db, "SELECT max(watermark) FROM devices", &v, &e), 0);
	CHECK_STR_EQ(v, "300");
	free(v);
	CHECK_INT_EQ(hubdb_test_query(t.db, "SELECT count(*) FROM hub_records", &v, &e), 0);
	CHECK_STR_EQ(v, "300");
	free(v);
	CHECK_INT_EQ(hubdb_test_query(t.db, "SELECT count(*) FROM conflicts", &v, &e), 0);
	CHECK_STR_EQ(v, "0");
	free(v);
	CHECK_INT_EQ(hubdb_test_query(t.db, "SELECT count(*) FROM quarantine", &v, &e), 0);
	CHECK_STR_EQ(v, "0");
	free(v);
	/*
	 * A set of several new records goes to PostgreSQL as one COPY
	 * (hubdb_pending.c): text with a backslash, a newline and a tab comes
	 * back as it went.
	 */
	{
		static const char *const texts[3] = { "{\"t\":\"a\\\\b\"}",
		    "{\"t\":\"c\\nd\\te\"}", "{\"t\":\"ф \\\"ё\\\" \\\\N\"}" };
		struct opspec ops[3];
		char rec[3][64];
		struct outcome o;
		struct tbuf *env;

		for (int k = 0; k < 3; k++) {
			snprintf(rec[k], sizeof(rec[k]), "019a3e6e-3000-7000-8000-%012x", 9000 + k);
			ops[k] = (struct opspec){ rec[k], "170101", NOW + 5000, texts[k], NULL };
		}
		env = seal(&d, "170101", ops, 3, true);
		push(&t, env, NOW + 6000, &o);
		CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
		CHECK_INT_EQ(o.applied, 3);
		for (int k = 0; k < 3; k++) {
			struct hubdb_record r;
			uint8_t id[16];
			bool found = false;
			cJSON *want = cJSON_Parse(texts[k]), *got;

			CHECK_INT_EQ(uuid7_parse(rec[k], id), 0);
			CHECK_INT_EQ(hubdb_record_get(t.db, id, &r, &found, &e), 0);
			CHECK(found);
			got = found ? cJSON_Parse(r.data) : NULL;
			CHECK(got != NULL && cJSON_Compare(want, got, 1));
			cJSON_Delete(want);
			cJSON_Delete(got);
			hubdb_record_clear(&r);
		}
		outcome_free(&o);
		tbuf_free(env);
	}
	pthread_barrier_destroy(&go);
	hubdb_close(other);
	th_close(&t);
}

int
main(void)
{
	if (fixture_init("test_ingest_race") != 0)
		return 1;
	test_race();
	fixture_done();
	return check_summary();
}
