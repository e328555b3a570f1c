/*
 * Hub key rotation (hubkeys) through ingest: a set sealed to the previous
 * key still opens after a rotation, the acknowledgement names the new key,
 * a retired key no longer opens anything. Also: a hub database of a newer
 * schema is refused, not overwritten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "test_store.h"
#include "hub/hubdb.h"
#include "hub/hubkeys.h"
#include "hub/ingest.h"
#include "tetrad/keyfile.h"
#include "tetrad/changeset.h"
#include "tetrad/envelope.h"
#include "tetrad/sigblob.h"
#include "tetrad/uuid7.h"

static char dir[64];

/* A one-op change set of device dev, seq n, chained to prev. */
static struct tbuf *
seal_one(const struct keys_sign *dev, const struct keys_enc *hub, uint64_t n,
    const uint8_t prev[CHANGESET_HASH_BYTES], uint8_t hash[CHANGESET_HASH_BYTES])
{
	struct changeset *cs = changeset_new();
	struct tbuf *out = tbuf_new(ENVELOPE_MAX_BYTES);
	struct op op;
	struct terr e;
	char text[64];

	keys_id(dev->pk, cs->device_id);
	cs->format_version = CHANGESET_FORMAT_VERSION;
	snprintf(cs->school, sizeof(cs->school), "170103");
	cs->first_seq = cs->last_seq = n;
	memcpy(cs->prev_hash, prev, CHANGESET_HASH_BYTES);
	cs->created.wall_ms = 1700000000000ull + n;
	cs->created.node = keys_id_u64(cs->device_id);
	memset(&op, 0, sizeof(op));
	op.seq = n;
	CHECK_INT_EQ(uuid7_new(op.record_id, 1700000000000ull + n), 0);
	snprintf(op.form_id, sizeof(op.form_id), "note");
	op.form_version = 1;
	snprintf(op.school, sizeof(op.school), "170103");
	op.kind = OP_PUT;
	op.hlc = cs->created;
	snprintf(text, sizeof(text), "{\"n\":%llu}", (unsigned long long)n);
	op.fields = cJSON_Parse(text);
	CHECK_INT_EQ(changeset_add(cs, &op, &e), 0);
	cJSON_Delete(op.fields);
	CHECK_INT_EQ(envelope_seal(cs, dev, hub->pk, NULL, out, hash, &e), 0);
	changeset_free(cs);
	return out;
}

static void
ack_key(const struct ingest_result *res, const struct keys_sign *hub_sign, char out[65])
{
	const uint8_t *p = NULL;
	size_t len = 0;
	cJSON *j;
	const cJSON *k;
	struct terr e;

	out[0] = '\0';
	if (sigblob_open(tbuf_ptr(res->body), tbuf_len(res->body), SIGBLOB_ACK, hub_sign->pk, &p,
	    &len, &e) != 0)
		return;
	j = cJSON_ParseWithLength((const char *)p, len);
	k = cJSON_GetObjectItemCaseSensitive(j, "hub_enc_pk");
	if (cJSON_IsString(k) && strlen(k->valuestring) == 64)
		memcpy(out, k->valuestring, 65);
	cJSON_Delete(j);
}

static void
test_rotation(void)
{
	struct hubdb *db = NULL;
	struct keys_enc cur, fresh;
	struct keys_sign hub_sign, dev;
	struct hubkeys_old old;
	struct ingest_cfg cfg;
	struct ingest_result res;
	struct tbuf *env1, *env2, *env3;
	uint8_t zero[CHANGESET_HASH_BYTES] = { 0 }, h1[CHANGESET_HASH_BYTES],
	    h2[CHANGESET_HASH_BYTES], h3[CHANGESET_HASH_BYTES];
	char path[256], hex[65], old_id[KEYS_ID_HEXLEN + 1];
	struct terr e;
	struct stat sb;

	CHECK_INT_EQ(keys_enc_generate(&cur), 0);
	CHECK_INT_EQ(keys_sign_generate(&hub_sign), 0);
	CHECK_INT_EQ(keys_sign_generate(&dev), 0);
	snprintf(path, sizeof(path), "%s/hub.enc.key", dir);
	CHECK_INT_EQ(keyfile_save(path, KEYS_HUB_ENC, cur.sk, KEYS_ENC_SK_BYTES, "pw", &e), 0);
	test_store(path, sizeof(path), dir, "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	{
		struct hubdb_device d;

		memset(&d, 0, sizeof(d));
		keys_id_hex(dev.pk, d.id);
		memcpy(d.pk, dev.pk, KEYS_SIGN_PK_BYTES);
		snprintf(d.kind, sizeof(d.kind), "school");
		snprintf(d.label, sizeof(d.label), "test");
		snprintf(d.schools, sizeof(d.schools), "170103");
		CHECK_INT_EQ(hubdb_device_add(db, &d, &e), 0);
	}

	/* Sealed to the current key before the rotation, sent after it. */
	env1 = seal_one(&dev, &cur, 1, zero, h1);
	keys_id_hex(cur.pk, old_id);

	CHECK_INT_EQ(hubkeys_rotate(dir, "pw", &cur, &fresh, &e), 0);
	CHECK(memcmp(fresh.pk, cur.pk, KEYS_ENC_PK_BYTES) != 0);
	snprintf(path, sizeof(path), "%s/keys/hub.enc.%s.key", dir, old_id);
	CHECK_INT_EQ(stat(path, &sb), 0);
	CHECK_INT_EQ(sb.st_mode & 077, 0);
	/* the new file is what a restarted hub loads */
	{
		struct keys_enc loaded;

		snprintf(path, sizeof(path), "%s/hub.enc.key", dir);
		CHECK_INT_EQ(keyfile_load(path, KEYS_HUB_ENC, loaded.sk, KEYS_ENC_SK_BYTES, "pw",
		    &e), 0);
		CHECK_MEM_EQ(loaded.sk, fresh.sk, KEYS_ENC_SK_BYTES);
		keys_enc_wipe(&loaded);
	}
	CHECK_INT_EQ(hubkeys_load_old(dir, "wrong", &old, &e), TERR_PASSPHRASE);
	CHECK_INT_EQ(hubkeys_load_old(dir, "pw", &old, &e), 0);
	CHECK_INT_EQ((int)old.n, 1);
	CHECK_MEM_EQ(old.key[0].pk, cur.pk, KEYS_ENC_PK_BYTES);

	memset(&cfg, 0, sizeof(cfg));
	cfg.enc = &fresh;
	cfg.sign = &hub_sign;
	cfg.old_enc = old.key;
	cfg.n_old_enc = old.n;
	memset(&res, 0, sizeof(res));
	res.body = tbuf_new(INGEST_BODY_MAX);

	CHECK_INT_EQ(ingest_envelope(db, &cfg, tbuf_ptr(env1), tbuf_len(env1), 1700000001000ull,
	    &res, &e), 0);
	CHECK_INT_EQ(res.outcome, INGEST_APPLIED);
	CHECK_STR_EQ(res.status, "applied");
	ack_key(&res, &hub_sign, hex);
	{
		char want[65];

		keys_hex(fresh.pk, KEYS_ENC_PK_BYTES, want);
		CHECK_STR_EQ(hex, want);  /* how the device learns the new key */
	}

	/* The next set, sealed to the new key, opens too. */
	env2 = seal_one(&dev, &fresh, 2, h1, h2);
	CHECK_INT_EQ(ingest_envelope(db, &cfg, tbuf_ptr(env2), tbuf_len(env2), 1700000002000ull,
	    &res, &e), 0);
	CHECK_INT_EQ(res.outcome, INGEST_APPLIED);

	/* Retired: a set still sealed to the old key is refused, not misread. */
	CHECK_INT_EQ(hubkeys_retire(dir, "zz", &e), TERR_ARG);
	CHECK_INT_EQ(hubkeys_retire(dir, "0123456789abcdef", &e), TERR_NOTFOUND);
	CHECK_CONTAINS(e.msg, "нет");
	CHECK_INT_EQ(hubkeys_retire(dir, old_id, &e), 0);
	hubkeys_wipe(&old);
	CHECK_INT_EQ(hubkeys_load_old(dir, "pw", &old, &e), 0);
	CHECK_INT_EQ((int)old.n, 0);
	cfg.old_enc = old.key;
	cfg.n_old_enc = old.n;
	env3 = seal_one(&dev, &cur, 3, h2, h3);
	CHECK_INT_EQ(ingest_envelope(db, &cfg, tbuf_ptr(env3), tbuf_len(env3), 1700000003000ull,
	    &res, &e), 0);
	CHECK_INT_EQ(res.outcome, INGEST_HUB_KEY);
	CHECK_STR_EQ(res.status, "hub_key");

	CHECK(hubkeys_find(&fresh, NULL, 0, h1) == NULL);
	tbuf_free(env1);
	tbuf_free(env2);
	tbuf_free(env3);
	tbuf_free(res.body);
	hubdb_close(db);
	keys_enc_wipe(&cur);
	keys_enc_wipe(&fresh);
}

/*
 * A store that holds only the version of a newer hub (SQLite's
 * user_version, PostgreSQL's hub_schema) is refused, and nothing is
 * written to it: no table made, the version left.
 */
static void
test_newer_schema(void)
{
	const bool pg = test_store_pg();
	struct hubdb *db = NULL;
	char path[1024], sql[128];
	struct terr e;

	test_store(path, sizeof(path), dir, "newer.db");
	snprintf(sql, sizeof(sql), pg ? "CREATE TABLE hub_schema(version INTEGER NOT NULL); "
	    "INSERT INTO hub_schema(version) VALUES(%d)" : "PRAGMA user_version = %d",
	    HUBDB_SCHEMA_VERSION + 1);
	CHECK_INT_EQ(test_store_exec(path, sql), 0);
	CHECK_INT_EQ(hubdb_open(path, &db, &e), TERR_VERSION);
	CHECK_CONTAINS(e.msg, "более новой");
	CHECK(db == NULL);
	CHECK_INT_EQ(test_store_int(path, pg ? "SELECT max(version) FROM hub_schema" :
	    "PRAGMA user_version"), HUBDB_SCHEMA_VERSION + 1);
	CHECK_INT_EQ(test_store_int(path, pg ? "SELECT count(*) FROM pg_tables WHERE "
	    "schemaname = 'public' AND tablename <> 'hub_schema'" :
	    "SELECT count(*) FROM sqlite_master"), 0);
}

int
main(void)
{
	struct terr e;
	char cmd[128];

	CHECK_INT_EQ(keys_init(&e), 0);
	snprintf(dir, sizeof(dir), "/tmp/test_hubkeys.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_rotation();
	test_newer_schema();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
