/*
 * test_ingest — the hub's ingest, merge and enrollment in process, on
 * real SQLite files with real keys: exactly-once (replay returns the stored
 * acknowledgement byte for byte), gap, fork, revoked and unknown devices,
 * foreign school, future HLC, a record moved between schools, per-field
 * last-writer-wins with the loser in the conflict log whatever order two
 * devices' sets arrive in, tombstones winning and losing by HLC, and a full
 * disk (SQLite max_page_count) refused with 503 and nothing half-applied,
 * and each set's signature verified once. The fixture is hub_fixture.h; a
 * damaged stored record is test_merge's.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "hub/merge.h"
#include "hub_fixture.h"

/*
 * Every Ed25519 verification in this program comes here: a definition in
 * the program itself takes precedence over the shared libsodium's, for the
 * protocol library's calls too. Counted, so a test can tell how many times
 * ingest checks a signature.
 */
static unsigned long verify_calls;

int
crypto_sign_verify_detached(const unsigned char *sig, const unsigned char *m,
    unsigned long long mlen, const unsigned char *pk)
{
	verify_calls++;
	return crypto_sign_ed25519_verify_detached(sig, m, mlen, pk);
}

static long long
q_int(struct th *t, const char *sql)
{
	struct terr e;
	char *text = NULL;
	long long v = -1;

	if (hubdb_test_query(t->db, sql, &text, &e) == 0 && text != NULL)
		v = strtoll(text, NULL, 10);
	free(text);
	return v;
}

static char *
q_text(struct th *t, const char *sql)
{
	struct terr e;
	char *v = NULL;

	if (hubdb_test_query(t->db, sql, &v, &e) != 0)
		v = NULL;
	return v;
}

static void
test_exactly_once(void)
{
	struct th t;
	struct dev a, c, ghost;
	struct outcome o, o2;
	struct opspec ops[3] = {
		{ R1, "170103", NOW - 5000, "{\"n\":1,\"t\":\"a\"}", NULL },
		{ R2, "170103", NOW - 4000, "{\"n\":2}", NULL },
		{ R3, "170103", NOW - 3000, "{\"n\":3}", NULL },
	};
	struct tbuf *s1, *gap, *fork, *x;

	th_open(&t, "once");
	dev_new(&a);
	enroll(&t, &a, "school", "170103");
	s1 = seal(&a, "170103", ops, 3, true);
	push(&t, s1, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
	CHECK_STR_EQ(o.status, "applied");
	CHECK_INT_EQ(o.applied, 3);
	CHECK_INT_EQ(o.expected, 4);
	CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM hub_records"), 3);
	CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM schools WHERE code='170103'"), 1);
	/* replay: the very same acknowledgement, nothing changes */
	push(&t, s1, NOW + 1000, &o2);
	CHECK_INT_EQ(o2.outcome, INGEST_APPLIED);
	CHECK_INT_EQ(tbuf_len(o2.ack), tbuf_len(o.ack));
	if (tbuf_len(o2.ack) == tbuf_len(o.ack))
		CHECK_MEM_EQ(tbuf_ptr(o2.ack), tbuf_ptr(o.ack), tbuf_len(o.ack));
	CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM hub_records"), 3);
	CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM changesets"), 1);
	outcome_free(&o2);
	outcome_free(&o);

	/* gap: sequence 6 when 4 is expected */
	a.next += 2;
	gap = seal(&a, "170103", ops, 1, false);
	a.next -= 2;
	push(&t, gap, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_GAP);
	CHECK_STR_EQ(o.status, "gap");
	CHECK_INT_EQ(o.expected, 4);
	outcome_free(&o);

	/* fork: the range 1-3 again with other content */
	{
		struct dev a2 = a;

		a2.next = 1;
		memset(a2.last, 0, 32);
		ops[1].fields = "{\"n\":99}";
		fork = seal(&a2, "170103", ops, 3, false);
		ops[1].fields = "{\"n\":2}";
	}
	push(&t, fork, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_FORK);
	CHECK_STR_EQ(o.status, "fork");
	CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM quarantine WHERE kind='fork'"), 1);
	CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM hub_records WHERE data LIKE '%99%'"), 0);
	outcome_free(&o);

	/* future HLC: refused, quarantined, the range consumed */
	{
		struct opspec f = { R2, "170103", NOW + 11 * 60 * 1000, "{\"n\":5}", NULL };

		x = seal(&a, "170103", &f, 1, true);
		push(&t, x, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
		CHECK_STR_EQ(o.status, "future_hlc");
		CHECK_INT_EQ(o.expected, 5);
		CHECK_INT_EQ(q_int(&t, "SELECT watermark FROM devices"), 4);
		outcome_free(&o);
		tbuf_free(x);
		/* nine minutes ahead is within the bound */
		f.wall = NOW + 9 * 60 * 1000;
		x = seal(&a, "170103", &f, 1, true);
		push(&t, x, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
		outcome_free(&o);
		tbuf_free(x);
	}

	/* foreign school, and a record moved to another school */
	{
		struct opspec f = { R3, "170104", NOW - 100, "{\"n\":5}", NULL };

		x = seal(&a, "170103", &f, 1, true);
		push(&t, x, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
		CHECK_STR_EQ(o.status, "refused");
		outcome_free(&o);
		tbuf_free(x);
		dev_new(&c);
		enroll(&t, &c, "school", "170104");
		x = seal(&c, "170104", &f, 1, true);
		push(&t, x, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
		CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM hub_records WHERE school='170104'"), 0);
		CHECK_INT_EQ(q_int(&t, "SELECT watermark FROM devices WHERE schools='170104'"), 1);
		outcome_free(&o);
		tbuf_free(x);
	}

	/* smuggled local field and a value out of range */
	{
		struct opspec f = { R1, "170103", NOW - 50, "{\"n\":1,\"note\":\"Петров\"}", NULL };

		x = seal(&a, "170103", &f, 1, true);
		push(&t, x, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
		CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM hub_records WHERE data LIKE '%Петров%'"), 0);
		outcome_free(&o);
		tbuf_free(x);
	}

	/* a long list of problems is cut, still valid UTF-8 (checked in push) */
	{
		struct opspec many[80];
		char ids[80][40];

		for (int i = 0; i < 80; i++) {
			snprintf(ids[i], sizeof(ids[i]), "019a3e6e-3000-7000-8000-%012d", 500 + i);
			many[i] = (struct opspec){ ids[i], "170103", NOW - 40 + i,
			    "{\"n\":-1,\"t\":\"ж\"}", NULL };
		}
		x = seal(&a, "170103", many, 80, true);
		push(&t, x, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
		outcome_free(&o);
		tbuf_free(x);
		CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM quarantine WHERE length(reason) > 1000"), 1);
	}

	/* unknown device, revoked device */
	dev_new(&ghost);
	x = seal(&ghost, "170103", ops, 1, false);
	push(&t, x, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_UNKNOWN_DEVICE);
	CHECK_STR_EQ(o.status, "unknown_device");
	outcome_free(&o);
	tbuf_free(x);
	{
		struct terr e;
		struct opspec f = { R1, "170103", NOW - 10, "{\"n\":4}", NULL };

		CHECK_INT_EQ(hubdb_device_revoke(t.db, a.id, &e), 0);
		CHECK(hubdb_device_revoke(t.db, a.id, &e) != 0);
		x = seal(&a, "170103", &f, 1, false);
		push(&t, x, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_REVOKED);
		CHECK_STR_EQ(o.status, "revoked");
		CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM hub_records WHERE school='170103'"), 3);
		outcome_free(&o);
		/* the same set with one byte changed names the revoked device but is
		 * not its: a plain signature error, nothing signed, no revocation time */
		tbuf_mutable_ptr(x)[tbuf_len(x) - 1] ^= 1;
		push(&t, x, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_SIGNATURE);
		CHECK_STR_EQ(o.status, "signature");
		CHECK(!ingest_outcome_signed(o.outcome));
		outcome_free(&o);
		tbuf_free(x);
	}
	tbuf_free(s1);
	tbuf_free(gap);
	tbuf_free(fork);
	th_close(&t);
}

/* Final state of record R1 on hub t as "deleted|data". */
static char *
state_of(struct th *t)
{
	/* a blob literal in each engine's words */
	return q_text(t, test_store_pg() ?
	    "SELECT deleted || '|' || data FROM hub_records WHERE "
	    "id = '\\x019a3e6e300070008000000000000001'" :
	    "SELECT deleted || '|' || data FROM hub_records WHERE "
	    "id = x'019a3e6e300070008000000000000001'");
}

/* The conflict log as one line (group_concat is string_agg on PostgreSQL). */
#define CONFLICT_LOG (test_store_pg() ? \
	"SELECT string_agg(field || '=' || loser_value || '@' || loser_device " \
	"|| '>' || winner_value, ';' ORDER BY field) FROM conflicts" : \
	"SELECT group_concat(field || '=' || loser_value || '@' || loser_device " \
	"|| '>' || winner_value, ';') FROM (SELECT * FROM conflicts ORDER BY field)")

static void
test_conflicts_both_orders(void)
{
	struct th h1, h2;
	struct dev a, b;
	struct outcome o;
	/* school device A writes later (t=2000) than curator B (t=1000), offline */
	struct opspec pa = { R1, "170103", NOW - 2000, "{\"n\":1,\"t\":\"школа\"}", NULL };
	struct opspec pb = { R1, "170103", NOW - 3000, "{\"n\":2,\"t\":\"куратор\"}", NULL };
	struct tbuf *sa, *sb;
	char *st1, *st2, *l1, *l2;

	dev_new(&a);
	dev_new(&b);
	th_open(&h1, "order1");
	th_open(&h2, "order2");
	enroll(&h1, &a, "school", "170103");
	enroll(&h2, &a, "school", "170103");
	enroll(&h1, &b, "curator", "170103,170105");
	enroll(&h2, &b, "curator", "170103,170105");
	sa = seal(&a, "170103", &pa, 1, true);
	sb = seal(&b, "", &pb, 1, true);

	push(&h1, sa, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
	outcome_free(&o);
	push(&h1, sb, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
	CHECK_INT_EQ(o.conflicts, 2);
	outcome_free(&o);

	push(&h2, sb, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
	CHECK_INT_EQ(o.conflicts, 0);
	outcome_free(&o);
	push(&h2, sa, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
	CHECK_INT_EQ(o.conflicts, 2);
	outcome_free(&o);

	st1 = state_of(&h1);
	st2 = state_of(&h2);
	CHECK_STR_EQ(st1, "0|{\"n\":1,\"t\":\"школа\"}");
	CHECK_STR_EQ(st1, st2);
	l1 = q_text(&h1, CONFLICT_LOG);
	l2 = q_text(&h2, CONFLICT_LOG);
	CHECK_STR_EQ(l1, l2);
	CHECK_CONTAINS(l1, "t=\"куратор\"@");
	CHECK_CONTAINS(l1, b.id);
	CHECK_CONTAINS(l1, "n=2@");
	free(st1);
	free(st2);
	free(l1);
	free(l2);
	tbuf_free(sa);
	tbuf_free(sb);
	th_close(&h1);
	th_close(&h2);
}

/* A delete names a form too: one the hub does not know is refused, no tombstone. */
static void
test_delete_unknown_form(void)
{
	struct opspec del = { R1, "170103", NOW - 8000, NULL, "no_such_form" };
	struct outcome o;
	struct tbuf *x;
	struct dev a;
	struct th t;

	dev_new(&a);
	th_open(&t, "delform");
	enroll(&t, &a, "school", "170103");
	x = seal(&a, "170103", &del, 1, true);
	push(&t, x, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
	CHECK_STR_EQ(o.status, "refused");
	CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM hub_records"), 0);
	CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM quarantine WHERE reason LIKE "
	    "'%no_such_form%хабу неизвестна%'"), 1);
	outcome_free(&o);
	tbuf_free(x);
	th_close(&t);
}

/* Tombstones: every arrival order of [A put@1000, A put@1500] and [B delete@2000]. */
static void
test_tombstones(void)
{
	struct opspec p1 = { R1, "170103", NOW - 9000, "{\"n\":1,\"t\":\"a\"}", NULL };
	struct opspec p2 = { R1, "170103", NOW - 8500, "{\"n\":3,\"t\":\"a\"}", NULL };
	struct opspec del = { R1, "170103", NOW - 8000, NULL, NULL };
	struct opspec p3 = { R1, "170103", NOW - 7000, "{\"n\":4,\"t\":\"b\"}", NULL };
	struct dev a, b;
	struct tbuf *s1, *s2, *sd, *s3;
	const int orders[3][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 2, 0, 1 } };
	char *first = NULL;

	dev_new(&a);
	dev_new(&b);
	s1 = seal(&a, "170103", &p1, 1, true);
	s2 = seal(&a, "170103", &p2, 1, true);
	sd = seal(&b, "", &del, 1, true);
	s3 = seal(&a, "170103", &p3, 1, true);
	for (int k = 0; k < 3; k++) {
		struct tbuf *sets[3] = { s1, s2, sd };
		struct outcome o;
		struct th t;
		char name[32], *st;

		snprintf(name, sizeof(name), "tomb%d", k);
		th_open(&t, name);
		enroll(&t, &a, "school", "170103");
		enroll(&t, &b, "curator", "170103");
		for (int i = 0; i < 3; i++) {
			push(&t, sets[orders[k][i]], NOW, &o);
			CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
			outcome_free(&o);
		}
		st = state_of(&t);
		/* the delete (newest) wins; fields still merge by their own clocks */
		CHECK_STR_EQ(st, "1|{\"n\":3,\"t\":\"a\"}");
		if (first == NULL)
			first = strdup(st ? st : "");
		else
			CHECK_STR_EQ(st, first);
		free(st);
		/* a later put brings the record back */
		push(&t, s3, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
		outcome_free(&o);
		st = state_of(&t);
		CHECK_STR_EQ(st, "0|{\"n\":4,\"t\":\"b\"}");
		free(st);
		th_close(&t);
	}
	free(first);
	tbuf_free(s1);
	tbuf_free(s2);
	tbuf_free(sd);
	tbuf_free(s3);
}

/*
 * Puts that leave fields out, every arrival order (each device's own sets in
 * sequence): a field's clock is "p"'s unless it differs, so a record written
 * once stores no field clocks, and the merge still ends in one state.
 *   A@1000 {n:1,t:"a"}, A@3000 {n:2} (t: no answer)
 *   B@2000 {n:5,t:"b"} (older than A@3000 for n and t), B@4000 {t:"c"}
 */
static void
test_partial_puts(void)
{
	struct opspec a1 = { R1, "170103", NOW - 9000, "{\"n\":1,\"t\":\"a\"}", NULL };
	struct opspec a2 = { R1, "170103", NOW - 7000, "{\"n\":2}", NULL };
	struct opspec b1 = { R1, "170103", NOW - 8000, "{\"n\":5,\"t\":\"b\"}", NULL };
	struct opspec b2 = { R1, "170103", NOW - 6000, "{\"t\":\"c\"}", NULL };
	/* 0 = A's next set, 1 = B's next set */
	const int orders[6][4] = { { 0, 0, 1, 1 }, { 0, 1, 0, 1 }, { 0, 1, 1, 0 },
	    { 1, 0, 0, 1 }, { 1, 0, 1, 0 }, { 1, 1, 0, 0 } };
	struct dev a, b;
	struct tbuf *sets[2][2];

	dev_new(&a);
	dev_new(&b);
	sets[0][0] = seal(&a, "170103", &a1, 1, true);
	sets[0][1] = seal(&a, "170103", &a2, 1, true);
	sets[1][0] = seal(&b, "", &b1, 1, true);
	sets[1][1] = seal(&b, "", &b2, 1, true);
	for (int k = 0; k < 6; k++) {
		struct outcome o;
		struct th t;
		char name[32], *st, *clocks;
		int next[2] = { 0, 0 };

		snprintf(name, sizeof(name), "partial%d", k);
		th_open(&t, name);
		enroll(&t, &a, "school", "170103");
		enroll(&t, &b, "curator", "170103");
		for (int i = 0; i < 4; i++) {
			int d = orders[k][i];

			push(&t, sets[d][next[d]++], NOW, &o);
			CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
			outcome_free(&o);
			if (k == 0 && i == 0) {
				/* one put: no clock of its own for any field */
				clocks = q_text(&t, "SELECT clocks FROM hub_records");
				CHECK(clocks != NULL && strstr(clocks, "\"f\"") == NULL);
				free(clocks);
			}
		}
		/* B@4000 is the last put: t from it, n answered by nobody after it */
		st = state_of(&t);
		CHECK_STR_EQ(st, "0|{\"t\":\"c\"}");
		free(st);
		clocks = q_text(&t, "SELECT clocks FROM hub_records");
		CHECK(clocks != NULL && strstr(clocks, "\"f\"") == NULL);
		free(clocks);
		th_close(&t);
	}
	for (int d = 0; d < 2; d++)
		for (int i = 0; i < 2; i++)
			tbuf_free(sets[d][i]);
}

/* A full disk: 503 busy, nothing applied, the same set succeeds later. */
static void
test_disk_full(void)
{
	struct th t;
	struct dev a;
	struct outcome o;
	struct opspec ops[200];
	char ids[200][40], fields[256];
	struct tbuf *s;
	struct terr e;

	th_open(&t, "full");
	dev_new(&a);
	enroll(&t, &a, "school", "170103");
	snprintf(fields, sizeof(fields), "{\"n\":7,\"t\":\"%s\"}",
	    "ааааааааааааааааааааааааааааааааааааааааааааааааааааааааа");
	for (int i = 0; i < 200; i++) {
		snprintf(ids[i], sizeof(ids[i]), "019a3e6e-3000-7000-8000-%012d", i + 1);
		ops[i] = (struct opspec){ ids[i], "170103", NOW - 1000 + i, fields, NULL };
	}
	s = seal(&a, "170103", ops, 200, true);
	/*
	 * SQLite: the file may grow two pages. PostgreSQL has no page cap to
	 * set; a trigger behind the store's back answers the third record
	 * with the server's own disk_full (53100), as a full tablespace would,
	 * mid-set.
	 */
	if (!test_store_pg())
		CHECK_INT_EQ(hubdb_test_cap_growth(t.db, 2, &e), 0);
	else
		CHECK_INT_EQ(test_store_exec(t.path, "CREATE FUNCTION full_disk() RETURNS trigger "
		    "LANGUAGE plpgsql AS $$ BEGIN IF (SELECT count(*) FROM hub_records) >= 2 THEN "
		    "RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END IF; "
		    "RETURN NEW; END $$; CREATE TRIGGER full_disk BEFORE INSERT ON hub_records "
		    "FOR EACH ROW EXECUTE FUNCTION full_disk()"), 0);
	push(&t, s, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_BUSY);
	CHECK_STR_EQ(o.status, "busy");
	CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM hub_records"), 0);
	CHECK_INT_EQ(q_int(&t, "SELECT watermark FROM devices"), 0);
	CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM changesets"), 0);
	outcome_free(&o);
	if (!test_store_pg())
		CHECK_INT_EQ(hubdb_test_cap_growth(t.db, -1, &e), 0);
	else
		CHECK_INT_EQ(test_store_exec(t.path, "DROP TRIGGER full_disk ON hub_records"), 0);
	push(&t, s, NOW, &o);
	CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
	CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM hub_records"), 200);
	outcome_free(&o);
	tbuf_free(s);
	th_close(&t);
}

/* One set in, no acknowledgement checked (that would verify a signature too). */
static enum ingest_outcome
ingest_only(struct th *t, const struct tbuf *env)
{
	struct ingest_result res;
	struct terr e;

	memset(&res, 0, sizeof(res));
	res.body = tbuf_new(INGEST_BODY_MAX);
	CHECK_INT_EQ(ingest_envelope(t->db, &t->cfg, tbuf_ptr(env), tbuf_len(env), NOW, &res,
	    &e), 0);
	tbuf_free(res.body);
	return res.outcome;
}

/* A set's signature is checked once, whatever comes of the set. */
static void
test_verify_once(void)
{
	struct opspec ops[3] = {
		{ R1, "170103", NOW - 3000, "{\"n\":1}", NULL },
		{ R2, "170103", NOW - 2000, "{\"n\":2}", NULL },
		{ R3, "170103", NOW - 1000, "{\"n\":3}", NULL },
	};
	struct tbuf *sets[3], *bad;
	unsigned long before;
	struct th t;
	struct dev a;

	th_open(&t, "verify");
	dev_new(&a);
	enroll(&t, &a, "school", "170103");
	for (int i = 0; i < 3; i++)
		sets[i] = seal(&a, "170103", &ops[i], 1, true);
	before = verify_calls;
	for (int i = 0; i < 3; i++)
		CHECK_INT_EQ(ingest_only(&t, sets[i]), INGEST_APPLIED);
	CHECK_INT_EQ(verify_calls - before, 3);
	/* a replay, and a forgery, are checked once too */
	before = verify_calls;
	CHECK_INT_EQ(ingest_only(&t, sets[1]), INGEST_APPLIED);
	CHECK_INT_EQ(verify_calls - before, 1);
	{
		struct tbuf *good = seal(&a, "170103", &ops[0], 1, false);
		size_t n = tbuf_len(good);
		uint8_t *copy = malloc(n);

		CHECK(copy != NULL);
		memcpy(copy, tbuf_ptr(good), n);
		copy[n - 1] ^= 1;     /* the signature's last byte */
		bad = tbuf_new(n);
		CHECK_INT_EQ(tbuf_put(bad, copy, n), 0);
		free(copy);
		tbuf_free(good);
	}
	before = verify_calls;
	CHECK_INT_EQ(ingest_only(&t, bad), INGEST_SIGNATURE);
	CHECK_INT_EQ(verify_calls - before, 1);
	tbuf_free(bad);
	for (int i = 0; i < 3; i++)
		tbuf_free(sets[i]);
	th_close(&t);
}

static void
test_enroll_parse(void)
{
	struct tokens_enroll_req req;
	struct terr e;
	const char *pk = "\"device_pk\":\"0000000000000000000000000000000000000000000000000000000000000000\"";
	char body[512];
	int64_t ttl;

	snprintf(body, sizeof(body), "{\"token\":\"ABCD-EFGH\",%s,\"label\":\"ПК\"}", pk);
	CHECK_INT_EQ(tokens_parse_enroll(body, strlen(body), &req, &e), 0);
	CHECK_STR_EQ(req.label, "ПК");
	CHECK(tokens_parse_enroll("{}", 2, &req, &e) != 0);
	CHECK(tokens_parse_enroll("[1]", 3, &req, &e) != 0);
	CHECK(tokens_parse_enroll("{\"token\":1}", 11, &req, &e) != 0);
	CHECK_INT_EQ(tokens_parse_enroll("{\"token\":\"\xff\"}", 13, &req, &e), TERR_UTF8);
	snprintf(body, sizeof(body), "{\"token\":\"A\",\"token\":\"B\",%s}", pk);
	CHECK(tokens_parse_enroll(body, strlen(body), &req, &e) != 0);
	snprintf(body, sizeof(body), "{\"token\":\"A\",%s,\"label\":\"a\\nb\"}", pk);
	CHECK(tokens_parse_enroll(body, strlen(body), &req, &e) != 0);
	CHECK_INT_EQ(tokens_parse_ttl("7d", &ttl, &e), 0);
	CHECK_INT_EQ(ttl, 7 * 86400);
	CHECK_INT_EQ(tokens_parse_ttl("12h", &ttl, &e), 0);
	CHECK_INT_EQ(ttl, 12 * 3600);
	CHECK(tokens_parse_ttl("7", &ttl, &e) != 0);
	CHECK(tokens_parse_ttl("-1d", &ttl, &e) != 0);
	CHECK(tokens_parse_ttl("99999d", &ttl, &e) != 0);
}

/*
 * A form whose "s" field is the record's school (as risk_visit v2): a
 * curator for 170103 and 170104 files a visit under the school it names;
 * a modified client that sends it as another school's record, or names a
 * school outside the device's, is refused with the reason.
 */
static void
test_school_field(void)
{
	char path[512];
	struct th t;
	struct dev cur;
	struct outcome o;
	struct tbuf *x;
	char *reason;
	FILE *f;

	snprintf(path, sizeof(path), "%s/forms/visit.json", tmpdir);
	if ((f = fopen(path, "w")) == NULL)
		return;
	fputs("{\"format\":1,\"id\":\"visit\",\"version\":1,\"title\":\"Посещение\","
	    "\"school_field\":\"s\",\"fields\":["
	    "{\"id\":\"s\",\"label\":\"Код ОО\",\"type\":\"text\",\"required\":true}]}", f);
	fclose(f);
	th_open(&t, "school_field");
	dev_new(&cur);
	enroll(&t, &cur, "curator", "170103,170104");
	{
		struct opspec ok[2] = {
			{ R1, "170103", NOW - 100, "{\"s\":\"170103\"}", "visit" },
			{ R2, "170104", NOW - 90, "{\"s\":\"170104\"}", "visit" },
		};

		x = seal(&cur, "", ok, 2, true);
		push(&t, x, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_APPLIED);
		outcome_free(&o);
		tbuf_free(x);
		CHECK_INT_EQ(q_int(&t, test_store_pg() ?
		    "SELECT count(*) FROM hub_records WHERE form_id='visit' AND "
		    "school = CAST(data AS json)->>'s'" :
		    "SELECT count(*) FROM hub_records WHERE form_id='visit' AND "
		    "school = json_extract(data, '$.s')"), 2);
	}
	{
		/* a visit to 170104 sent as a record of 170103 */
		struct opspec bad = { R3, "170103", NOW - 80, "{\"s\":\"170104\"}", "visit" };

		x = seal(&cur, "", &bad, 1, true);
		push(&t, x, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
		outcome_free(&o);
		tbuf_free(x);
		reason = q_text(&t, "SELECT reason FROM quarantine ORDER BY id DESC LIMIT 1");
		CHECK_CONTAINS(reason ? reason : "", "«Код ОО» называет школу 170104, а запись "
		    "подана как запись школы 170103");
		free(reason);
	}
	{
		/* a school outside the device's, field and op agreeing */
		struct opspec bad = { R3, "170105", NOW - 70, "{\"s\":\"170105\"}", "visit" };

		x = seal(&cur, "", &bad, 1, true);
		push(&t, x, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
		outcome_free(&o);
		tbuf_free(x);
		reason = q_text(&t, "SELECT reason FROM quarantine ORDER BY id DESC LIMIT 1");
		CHECK_CONTAINS(reason ? reason : "", "школа 170105 не входит в школы этого устройства");
		free(reason);
	}
	{
		/* the stored visit cannot move to the device's other school */
		struct opspec mv = { R1, "170104", NOW - 60, "{\"s\":\"170104\"}", "visit" };

		x = seal(&cur, "", &mv, 1, true);
		push(&t, x, NOW, &o);
		CHECK_INT_EQ(o.outcome, INGEST_REFUSED);
		outcome_free(&o);
		tbuf_free(x);
		reason = q_text(&t, "SELECT reason FROM quarantine ORDER BY id DESC LIMIT 1");
		CHECK_CONTAINS(reason ? reason : "", "школу записи изменить нельзя");
		free(reason);
		CHECK_INT_EQ(q_int(&t, "SELECT count(*) FROM hub_records WHERE school='170104'"), 1);
	}
	th_close(&t);
	unlink(path);
}

int
main(void)
{
	if (fixture_init("test_ingest") != 0)
		return 1;
	test_enroll_parse();
	test_exactly_once();
	test_conflicts_both_orders();
	test_tombstones();
	test_delete_unknown_form();
	test_partial_puts();
	test_disk_full();
	test_verify_once();
	test_school_field();
	fixture_done();
	return check_summary();
}
