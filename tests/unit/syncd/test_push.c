/*
 * test_push — syncd's change-set building and state machine on a real
 * SQLite file shaped like the client schema, with real keys: bounds by count
 * and bytes, contiguity, the hash chain, sealing that the hub side opens,
 * sent/acked/quarantined transitions, signed acknowledgements, gap rewind,
 * and a 25,000-entry outbox streamed into bounded sets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>
#include <sodium.h>

#include "check.h"
#include "localdb_v1.h"
#include "syncd/push.h"
#include "syncd/sync.h"
#include "syncd/syncdb.h"
#include "tetrad/keyfile.h"
#include "tetrad/envelope.h"
#include "tetrad/sigblob.h"

static const char *schema =
	LOCALDB_V1_SCHEMA
	/* schema 2, as a client not yet updated leaves it: syncd migrates it */
	"CREATE INDEX outbox_state ON outbox(state, seq);"
	"PRAGMA user_version=2;";

struct fixture {
	char dir[256], db_path[300];
	struct keys_sign dev, hub_sign;
	struct keys_enc hub_enc;
	struct sync_ctx *ctx;
};

static void
meta(sqlite3 *db, const char *k, const char *v)
{
	sqlite3_stmt *st = NULL;

	CHECK_INT_EQ(sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)",
	    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	CHECK_INT_EQ(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

static void
fixture_init(struct fixture *f)
{
	char path[400], hex[130];
	sqlite3 *db = NULL;
	struct terr e;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_push.XXXXXX");
	CHECK(mkdtemp(f->dir) != NULL);
	snprintf(f->db_path, sizeof(f->db_path), "%s/client.db", f->dir);
	CHECK_INT_EQ(sqlite3_open(f->db_path, &db), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_exec(db, schema, NULL, NULL, NULL), SQLITE_OK);
	keys_sign_generate(&f->dev);
	keys_sign_generate(&f->hub_sign);
	keys_enc_generate(&f->hub_enc);
	snprintf(path, sizeof(path), "%s.device.key", f->db_path);
	CHECK_INT_EQ(keyfile_save(path, KEYS_DEVICE_SIGN, f->dev.sk, KEYS_SIGN_SK_BYTES, NULL, &e), 0);
	meta(db, "hub_url", "https://127.0.0.1:1");
	keys_hex(f->hub_enc.pk, 32, hex);
	meta(db, "hub_enc_pk", hex);
	keys_hex(f->hub_sign.pk, 32, hex);
	meta(db, "hub_sign_pk", hex);
	keys_id_hex(f->dev.pk, hex);
	meta(db, "device_id", hex);
	meta(db, "device_kind", "school");
	meta(db, "school", "170103");
	sqlite3_close(db);
	terr_clear(&e);
	CHECK_INT_EQ(sync_ctx_open(f->db_path, NULL, &f->ctx, &e), 0);
	if (e.code)
		fprintf(stderr, "sync_ctx_open: %s\n", e.msg);
}

static void
fixture_free(struct fixture *f)
{
	char cmd[400];

	sync_ctx_free(f->ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	CHECK_INT_EQ(system(cmd), 0);
}

/*
 * Appends outbox entries first..last (puts; every 7th a delete). Odd seqs
 * hold their fields canonically, as the client writes them, and even seqs
 * as older clients did (members unsorted): sets take both.
 */
static void
add_entries(struct fixture *f, uint64_t first, uint64_t last, size_t pad)
{
	sqlite3 *db = localdb_sqlite(f->ctx->db);
	sqlite3_stmt *st = NULL;
	char *fields = malloc(pad + 128);
	uint8_t id[16];

	CHECK_INT_EQ(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_prepare_v2(db, "INSERT INTO outbox(seq, record_id, op, form_id, form_version,"
	    " school, hlc, fields) VALUES(?, ?, ?, 'social_passport', 1, '170103', ?, ?)", -1, &st, NULL),
	    SQLITE_OK);
	for (uint64_t s = first; s <= last; s++) {
		struct hlc_ts t = { 1790000000000ULL + s, 0, keys_id_u64(f->ctx->push.device_id) };
		char hlc[HLC_STRLEN + 1];
		int del = s % 7 == 0;

		hlc_encode(&t, hlc);
		uuid7_new(id, 0);
		if (s % 2)
			snprintf(fields, pad + 128, "{\"class\":\"5А\",\"note\":\"%*s\",\"students\":%llu}",
			    (int)pad, "", (unsigned long long)s);
		else
			snprintf(fields, pad + 128, "{\"class\":\"5А\",\"students\":%llu,\"note\":\"%*s\"}",
			    (unsigned long long)s, (int)pad, "");
		sqlite3_bind_int64(st, 1, (sqlite3_int64)s);
		sqlite3_bind_blob(st, 2, id, 16, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, del ? "delete" : "put", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, hlc, -1, SQLITE_TRANSIENT);
		if (del)
			sqlite3_bind_null(st, 5);
		else
			sqlite3_bind_text(st, 5, fields, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(st) != SQLITE_DONE)
			CHECK(0);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	CHECK_INT_EQ(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	free(fields);
}

static int64_t
count(struct fixture *f, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(localdb_sqlite(f->ctx->db), sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Signs an acknowledgement the way the hub does. */
static size_t
make_ack(struct fixture *f, const struct keys_sign *signer, const char *device, uint64_t first,
    uint64_t last, const char *status, const char *extra, uint8_t *out, size_t cap)
{
	char payload[1024];
	struct tbuf *b = tbuf_new(8192);
	size_t n;

	(void)f;
	snprintf(payload, sizeof(payload), "{\"device_id\":\"%s\",\"first\":%llu,\"last\":%llu,"
	    "\"status\":\"%s\"%s}", device, (unsigned long long)first, (unsigned long long)last, status,
	    extra ? extra : "");
	CHECK_INT_EQ(sigblob_sign(SIGBLOB_ACK, (const uint8_t *)payload, strlen(payload), signer, b, NULL), 0);
	n = tbuf_len(b);
	CHECK(n <= cap);
	memcpy(out, tbuf_ptr(b), n);
	tbuf_free(b);
	return n;
}

static void
test_build_chain(void)
{
	struct fixture f;
	struct push_batch b[5];
	uint8_t zero[32] = { 0 };
	struct terr e;
	char hex[65];

	fixture_init(&f);
	add_entries(&f, 1, 10, 10);
	f.ctx->push.max_ops = 3;
	f.ctx->push.max_bytes = PUSH_DEFAULT_MAX_BYTES;
	for (int i = 0; i < 4; i++) {
		terr_clear(&e);
		CHECK_INT_EQ(push_build(&f.ctx->push, &b[i], &e), 1);
	}
	CHECK_INT_EQ(push_build(&f.ctx->push, &b[4], &e), 0);
	CHECK_INT_EQ(b[0].first_seq, 1);
	CHECK_INT_EQ(b[0].last_seq, 3);
	CHECK_INT_EQ(b[1].first_seq, 4);
	CHECK_INT_EQ(b[3].first_seq, 10);
	CHECK_INT_EQ(b[3].last_seq, 10);
	CHECK_MEM_EQ(b[0].prev_hash, zero, 32);
	for (int i = 1; i < 4; i++)
		CHECK_MEM_EQ(b[i].prev_hash, b[i - 1].set_hash, 32);
	CHECK_INT_EQ(syncdb_meta_get(f.ctx->db, "last_set_hash", hex, sizeof(hex), NULL), 1);
	{
		char want[65];

		keys_hex(b[3].set_hash, 32, want);
		CHECK_STR_EQ(hex, want);
	}
	/* The hub side opens what was sealed and finds the entries in order. */
	for (int i = 0; i < 4; i++) {
		struct changeset *cs = NULL;
		uint8_t h[32];

		CHECK_INT_EQ(envelope_open(b[i].envelope, b[i].len, f.dev.pk, &f.hub_enc, &cs, h, &e), 0);
		if (cs == NULL)
			continue;
		CHECK_MEM_EQ(h, b[i].set_hash, 32);
		CHECK_INT_EQ(cs->first_seq, b[i].first_seq);
		CHECK_INT_EQ(cs->n_ops, b[i].last_seq - b[i].first_seq + 1);
		CHECK_STR_EQ(cs->school, "170103");
		for (size_t k = 0; k < cs->n_ops; k++) {
			char want[128];

			CHECK_INT_EQ(cs->ops[k].seq, b[i].first_seq + k);
			CHECK_INT_EQ(cs->ops[k].kind, cs->ops[k].seq % 7 == 0 ? OP_DELETE : OP_PUT);
			if (cs->ops[k].kind != OP_PUT)
				continue;
			/* copied as it stood, or read and encoded: the same canonical text */
			snprintf(want, sizeof(want), "{\"class\":\"5А\",\"note\":\"%10s\",\"students\":%llu}",
			    "", (unsigned long long)cs->ops[k].seq);
			CHECK_INT_EQ(cs->ops[k].fields_len, strlen(want));
			if (cs->ops[k].fields_len == strlen(want))
				CHECK_MEM_EQ(cs->ops[k].fields_text, want, strlen(want));
		}
		changeset_free(cs);
	}
	/* Stored before sending: the stored bytes are what push_next gives back. */
	{
		struct push_batch n;

		CHECK_INT_EQ(push_next(&f.ctx->push, 0, &n, &e), 1);
		CHECK_INT_EQ(n.id, b[0].id);
		CHECK_INT_EQ(n.len, b[0].len);
		CHECK_MEM_EQ(n.envelope, b[0].envelope, b[0].len);
		CHECK_STR_EQ(n.state, "sealed");
		push_batch_clear(&n);
		CHECK_INT_EQ(push_next(&f.ctx->push, 3, &n, &e), 1);
		CHECK_INT_EQ(n.first_seq, 4);
		push_batch_clear(&n);
		CHECK_INT_EQ(push_next(&f.ctx->push, 10, &n, &e), 0);
	}
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE batch_id IS NULL"), 0);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), 10);
	for (int i = 0; i < 4; i++)
		push_batch_clear(&b[i]);
	fixture_free(&f);
}

static void
test_bounds(void)
{
	struct fixture f;
	struct push_batch b;
	struct terr e;

	fixture_init(&f);
	/* ~2.3 KB of fields per entry and a 5 KB bound: two entries a set. */
	add_entries(&f, 1, 6, 2000);
	f.ctx->push.max_ops = 1000;
	f.ctx->push.max_bytes = 5000;
	CHECK_INT_EQ(push_build(&f.ctx->push, &b, &e), 1);
	CHECK_INT_EQ(b.first_seq, 1);
	CHECK_INT_EQ(b.last_seq, 2);
	push_batch_clear(&b);
	/* One entry larger than the bound still goes, alone. */
	f.ctx->push.max_bytes = 100;
	CHECK_INT_EQ(push_build(&f.ctx->push, &b, &e), 1);
	CHECK_INT_EQ(b.first_seq, 3);
	CHECK_INT_EQ(b.last_seq, 3);
	push_batch_clear(&b);
	/* A hole in the sequence ends a set. */
	f.ctx->push.max_bytes = PUSH_DEFAULT_MAX_BYTES;
	CHECK_INT_EQ(sqlite3_exec(localdb_sqlite(f.ctx->db), "DELETE FROM outbox WHERE seq = 5", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(push_build(&f.ctx->push, &b, &e), 1);
	CHECK_INT_EQ(b.first_seq, 4);
	CHECK_INT_EQ(b.last_seq, 4);
	push_batch_clear(&b);
	/* Broken fields JSON: refused, nothing changed. */
	CHECK_INT_EQ(sqlite3_exec(localdb_sqlite(f.ctx->db), "UPDATE outbox SET fields = '{\"a\":' WHERE seq = 6", NULL, NULL, NULL),
	    SQLITE_OK);
	CHECK_INT_EQ(push_build(&f.ctx->push, &b, &e), TERR_PARSE);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM batches"), 3);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE seq = 6 AND batch_id IS NULL"), 1);
	fixture_free(&f);
}

static void
test_states_and_acks(void)
{
	struct fixture f;
	struct push_batch b1, b2;
	struct push_ack a;
	struct push_counts n;
	struct keys_sign other;
	uint8_t ack[2048];
	size_t alen;
	struct terr e;
	const char *dev;

	fixture_init(&f);
	dev = f.ctx->push.device_hex;
	add_entries(&f, 1, 8, 10);
	f.ctx->push.max_ops = 4;
	CHECK_INT_EQ(push_build(&f.ctx->push, &b1, &e), 1);
	CHECK_INT_EQ(push_build(&f.ctx->push, &b2, &e), 1);
	CHECK_INT_EQ(push_mark_sent(&f.ctx->push, &b1, &e), 0);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE state = 'sent'"), 4);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM batches WHERE state = 'sent' AND sent_at IS NOT NULL"), 1);

	alen = make_ack(&f, &f.hub_sign, dev, 1, 4, "applied", ",\"applied\":4,\"conflicts\":1", ack, sizeof(ack));
	CHECK_INT_EQ(push_parse_ack(&f.ctx->push, ack, alen, &a, &e), 0);
	CHECK_INT_EQ(a.status, PUSH_ST_APPLIED);
	CHECK_INT_EQ(a.first, 1);
	CHECK_INT_EQ(a.last, 4);
	CHECK_INT_EQ(a.applied, 4);
	CHECK_INT_EQ(a.conflicts, 1);
	/* Forged by someone else, altered, or for another device: refused. */
	keys_sign_generate(&other);
	{
		uint8_t bad[2048];
		size_t blen = make_ack(&f, &other, dev, 1, 4, "applied", NULL, bad, sizeof(bad));

		CHECK(push_parse_ack(&f.ctx->push, bad, blen, &a, &e) < 0);
		memcpy(bad, ack, alen);
		bad[SIGBLOB_HEADER_BYTES + 5] ^= 1;
		CHECK_INT_EQ(push_parse_ack(&f.ctx->push, bad, alen, &a, &e), TERR_SIGNATURE);
		blen = make_ack(&f, &f.hub_sign, "0000000000000000", 1, 4, "applied", NULL, bad, sizeof(bad));
		CHECK_INT_EQ(push_parse_ack(&f.ctx->push, bad, blen, &a, &e), TERR_SCHEMA);
		blen = make_ack(&f, &f.hub_sign, dev, 1, 4, "weird", NULL, bad, sizeof(bad));
		CHECK_INT_EQ(push_parse_ack(&f.ctx->push, bad, blen, &a, &e), TERR_SCHEMA);
	}
	CHECK_INT_EQ(push_mark_acked(&f.ctx->push, &b1, ack, alen, &e), 0);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE state = 'acked' AND seq <= 4"), 4);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM batches WHERE state = 'acked' AND ack IS NOT NULL"), 1);

	alen = make_ack(&f, &f.hub_sign, dev, 5, 8, "refused",
	    ",\"reason\":\"поле «x» не описано в форме\"", ack, sizeof(ack));
	CHECK_INT_EQ(push_parse_ack(&f.ctx->push, ack, alen, &a, &e), 0);
	CHECK_INT_EQ(a.status, PUSH_ST_REFUSED);
	CHECK_STR_EQ(a.reason, "поле «x» не описано в форме");
	/* A refusal quarantines only the set it names: the range, and the hash
	 * when the hub gives one (the same numbers with other content after a
	 * device is restored from a copy are another set). */
	CHECK(push_ack_answers(&a, &b2));
	CHECK(!push_ack_answers(&a, &b1));
	{
		struct push_ack other_set = a;

		other_set.have_hash = 1;
		memcpy(other_set.set_hash, b2.set_hash, sizeof(other_set.set_hash));
		CHECK(push_ack_answers(&other_set, &b2));
		other_set.set_hash[0] ^= 1;
		CHECK(!push_ack_answers(&other_set, &b2));
		other_set = a;
		other_set.last = 7;
		CHECK(!push_ack_answers(&other_set, &b2));
	}
	CHECK_INT_EQ(push_quarantine(&f.ctx->push, &b2, a.reason, a.retry, ack, alen, &e), 0);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE state = 'quarantined' "
	    "AND reason = 'поле «x» не описано в форме'"), 4);
	CHECK_INT_EQ(push_counts(f.ctx->db, &n, &e), 0);
	CHECK_INT_EQ(n.acked, 4);
	CHECK_INT_EQ(n.quarantined, 4);
	CHECK_INT_EQ(n.pending + n.sent, 0);
	/* Nothing left to send, nothing deleted. */
	push_batch_clear(&b1);
	CHECK_INT_EQ(push_next(&f.ctx->push, 0, &b1, &e), 0);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox"), 8);
	push_batch_clear(&b2);
	/* Sealed to go out at once: stored as sent in the one transaction. */
	add_entries(&f, 9, 12, 10);
	CHECK_INT_EQ(push_build_sent(&f.ctx->push, &b2, &e), 1);
	CHECK_STR_EQ(b2.state, "sent");
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE state = 'sent' AND seq BETWEEN 9 AND 12 "
	    "AND batch_id IS NOT NULL"), 4);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM batches WHERE state = 'sent' AND first_seq = 9 "
	    "AND sent_at IS NOT NULL"), 1);
	CHECK_INT_EQ(push_next(&f.ctx->push, 8, &b1, &e), 1);
	CHECK_STR_EQ(b1.state, "sent");
	CHECK_INT_EQ(b1.first_seq, 9);
	push_batch_clear(&b1);
	push_batch_clear(&b2);
	fixture_free(&f);
}

static void
test_rewind(void)
{
	struct fixture f;
	struct push_batch b[4], n;
	uint8_t hub_hash[32];
	struct terr e;

	fixture_init(&f);
	add_entries(&f, 1, 12, 10);
	f.ctx->push.max_ops = 3;
	for (int i = 0; i < 4; i++)
		CHECK_INT_EQ(push_build(&f.ctx->push, &b[i], &e), 1);
	CHECK_INT_EQ(push_mark_acked(&f.ctx->push, &b[0], (const uint8_t *)"x", 1, &e), 0);
	CHECK_INT_EQ(push_mark_acked(&f.ctx->push, &b[1], (const uint8_t *)"x", 1, &e), 0);
	/* The hub lost set 4–6 (restored from a backup): resend the same bytes from 4. */
	CHECK_INT_EQ(push_rewind(&f.ctx->push, 4, NULL, &e), 0);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM batches WHERE state = 'sealed'"), 3);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND seq >= 4"), 9);
	CHECK_INT_EQ(push_next(&f.ctx->push, 0, &n, &e), 1);
	CHECK_INT_EQ(n.first_seq, 4);
	CHECK_MEM_EQ(n.envelope, b[1].envelope, b[1].len);
	push_batch_clear(&n);
	/* Expected 5, inside set 4–6, with no set ending at 4: needs the hub's hash. */
	CHECK_INT_EQ(push_rewind(&f.ctx->push, 5, NULL, &e), TERR_MISMATCH);
	CHECK_CONTAINS(e.msg, "номера 5"); /* the message names the sequence */
	randombytes_buf(hub_hash, sizeof(hub_hash));
	CHECK_INT_EQ(push_rewind(&f.ctx->push, 5, hub_hash, &e), 0);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE state = 'acked' AND seq = 4"), 1);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND batch_id IS NULL"), 8);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM batches WHERE first_seq >= 5"), 0);
	f.ctx->push.max_ops = 100;
	CHECK_INT_EQ(push_build(&f.ctx->push, &n, &e), 1);
	CHECK_INT_EQ(n.first_seq, 5);
	CHECK_INT_EQ(n.last_seq, 12);
	CHECK_MEM_EQ(n.prev_hash, hub_hash, 32);
	push_batch_clear(&n);
	for (int i = 0; i < 4; i++)
		push_batch_clear(&b[i]);
	fixture_free(&f);
}

static void
test_streaming_large(void)
{
	struct fixture f;
	struct push_batch b;
	struct terr e;
	uint64_t next = 1;
	int sets = 0;

	fixture_init(&f);
	add_entries(&f, 1, 25000, 40);
	f.ctx->push.max_ops = CHANGESET_MAX_OPS;
	f.ctx->push.max_bytes = PUSH_DEFAULT_MAX_BYTES;
	while (push_build(&f.ctx->push, &b, &e) == 1) {
		CHECK_INT_EQ(b.first_seq, next);
		CHECK(b.last_seq - b.first_seq + 1 <= CHANGESET_MAX_OPS);
		CHECK(b.len <= ENVELOPE_MAX_BYTES);
		next = b.last_seq + 1;
		sets++;
		push_batch_clear(&b);
	}
	CHECK_INT_EQ(next, 25001);
	CHECK_INT_EQ(sets, 3);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(DISTINCT batch_id) FROM outbox"), 3);
	fixture_free(&f);
}

/*
 * Sets of large rows (a visit fills a page): push widens the page cache for
 * a set's transaction and gives it back after sealing, acknowledging and a
 * failed seal alike, so between sets syncd's memory is the small cache.
 */
static void
test_cache_per_set(void)
{
	struct fixture f;
	struct push_batch b;
	struct terr e;
	uint8_t ack[2048];
	size_t alen;

	fixture_init(&f);
	CHECK_INT_EQ(count(&f, "PRAGMA cache_size"), -LOCALDB_SYNCD_CACHE_KIB);
	CHECK_INT_EQ(count(&f, "PRAGMA wal_autocheckpoint"), 4096);
	/* small rows: the small cache holds a set of them */
	add_entries(&f, 1, 100, 40);
	f.ctx->push.max_ops = 100;
	CHECK_INT_EQ(push_build(&f.ctx->push, &b, &e), 1);
	CHECK_INT_EQ(b.wide, 0);
	push_batch_clear(&b);
	CHECK_INT_EQ(sqlite3_exec(localdb_sqlite(f.ctx->db), "UPDATE outbox SET state = 'acked'",
	    NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_exec(localdb_sqlite(f.ctx->db), "UPDATE batches SET state = 'acked'",
	    NULL, NULL, NULL), SQLITE_OK);
	add_entries(&f, 101, 900, 2300);
	f.ctx->push.max_ops = 500;
	CHECK_INT_EQ(push_build_sent(&f.ctx->push, &b, &e), 1);
	CHECK_INT_EQ(b.first_seq, 101);
	CHECK_INT_EQ(b.last_seq, 600);
	CHECK_INT_EQ(b.wide, 1);
	CHECK_INT_EQ(count(&f, "PRAGMA cache_size"), -LOCALDB_SYNCD_CACHE_KIB);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE state = 'sent'"), 500);
	alen = make_ack(&f, &f.hub_sign, f.ctx->push.device_hex, 101, 600, "applied",
	    ",\"applied\":500,\"conflicts\":0", ack, sizeof(ack));
	CHECK_INT_EQ(push_mark_acked(&f.ctx->push, &b, ack, alen, &e), 0);
	CHECK_INT_EQ(count(&f, "PRAGMA cache_size"), -LOCALDB_SYNCD_CACHE_KIB);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE state = 'acked'"), 600);
	push_batch_clear(&b);
	/* a row the set cannot take: the seal fails, the cache is narrowed all the same */
	CHECK_INT_EQ(sqlite3_exec(localdb_sqlite(f.ctx->db), "UPDATE outbox SET hlc = 'x' WHERE seq = 850",
	    NULL, NULL, NULL), SQLITE_OK);
	CHECK(push_build(&f.ctx->push, &b, &e) < 0);
	CHECK_INT_EQ(count(&f, "PRAGMA cache_size"), -LOCALDB_SYNCD_CACHE_KIB);
	CHECK_INT_EQ(count(&f, "SELECT COUNT(*) FROM outbox WHERE state = 'pending' AND batch_id IS NULL"), 300);
	fixture_free(&f);
}

static void
test_not_enrolled(void)
{
	struct fixture f;
	struct sync_ctx *c = NULL;
	struct terr e;

	fixture_init(&f);
	CHECK_INT_EQ(sqlite3_exec(localdb_sqlite(f.ctx->db), "DELETE FROM meta WHERE key = 'hub_url'", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(sync_ctx_open(f.db_path, NULL, &c, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "tetrad enroll");
	CHECK(c == NULL);
	CHECK_INT_EQ(sync_ctx_open("/nonexistent/x.db", NULL, &c, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "tetrad init");
	fixture_free(&f);
}

/* A key protected by a passphrase: refused without it, wrong one, opened with it. */
static void
test_passphrase(void)
{
	struct fixture f;
	struct sync_ctx *c = NULL;
	char key[400], pf[400], cmd[900];
	struct terr e;
	FILE *fp;

	fixture_init(&f);
	snprintf(key, sizeof(key), "%s.device.key", f.db_path);
	snprintf(cmd, sizeof(cmd), "rm -f '%s'", key);
	CHECK_INT_EQ(system(cmd), 0);
	CHECK_INT_EQ(keyfile_save(key, KEYS_DEVICE_SIGN, f.dev.sk, KEYS_SIGN_SK_BYTES, "пароль школы", &e), 0);
	CHECK_INT_EQ(sync_ctx_open(f.db_path, NULL, &c, &e), TERR_PASSPHRASE);
	CHECK_INT_EQ(sync_exit_code(TERR_PASSPHRASE, NULL), SYNC_EXIT_USAGE);
	snprintf(pf, sizeof(pf), "%s/pass", f.dir);
	CHECK((fp = fopen(pf, "w")) != NULL);
	fputs("неверный\n", fp);
	fclose(fp);
	/* a passphrase file others may read is refused before it is read (fileio) */
	CHECK_INT_EQ(sync_ctx_open(f.db_path, pf, &c, &e), TERR_PASSPHRASE);
	CHECK_CONTAINS(e.msg, "chmod 600");
	CHECK_INT_EQ(chmod(pf, 0600), 0);
	CHECK_INT_EQ(sync_ctx_open(f.db_path, pf, &c, &e), TERR_PASSPHRASE);
	CHECK((fp = fopen(pf, "w")) != NULL);
	fputs("пароль школы\n", fp);
	fclose(fp);
	CHECK_INT_EQ(sync_ctx_open(f.db_path, pf, &c, &e), 0);
	CHECK(c != NULL && memcmp(c->dev.pk, f.dev.pk, 32) == 0);
	sync_ctx_free(c);
	/* A key that is not the enrolled device's is refused. */
	CHECK_INT_EQ(sqlite3_exec(localdb_sqlite(f.ctx->db), "UPDATE meta SET value = '0011223344556677' WHERE key = 'device_id'",
	    NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(sync_ctx_open(f.db_path, pf, &c, &e), TERR_DEVICE_KEY);
	CHECK_CONTAINS(e.msg, "0011223344556677");
	fixture_free(&f);
}

int
main(void)
{
	struct terr e;

	if (keys_init(&e) != 0)
		return 1;
	test_build_chain();
	test_bounds();
	test_states_and_acks();
	test_rewind();
	test_streaming_large();
	test_cache_per_set();
	test_not_enrolled();
	test_passphrase();
	return check_summary();
}
