/*
 * test_hub_misc — the hub's smaller modules on real files: form publishing
 * (a built-in form's next version bundled with the dictionary it names,
 * signed, stored, refused twice, loaded lazily by the catalogue), the test
 * certificate authority (files, modes, no overwrite), PEM reading bounds,
 * tokens typed in lower case or with O/I/L, expired tokens, store listings,
 * merge edge cases (a tombstone for a record never seen, a record
 * claimed by another form), and a schema 1 database migrated to schema 2
 * (field clocks moved into the record's row) and one of a newer hub refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "hub/hubdb.h"
#include "hub/hubforms.h"
#include "hub/merge.h"
#include "hub/tls.h"
#include "hub/tokens.h"
#include "tetrad/sigblob.h"

static char dir[256];
static struct keys_enc enc;
static struct keys_sign sign;

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (b != NULL && fread(b, 1, (size_t)n, f) == (size_t)n)
		b[n] = '\0';
	fclose(f);
	return b;
}

static void
test_publish(struct hubdb *db)
{
	char src[512], pub[512], out[600], id[CHANGESET_ID_MAX + 1], *def, *p;
	struct hubforms *cat = NULL;
	struct tbuf *bundle = tbuf_new(SIGBLOB_MAX_PAYLOAD + 1024);
	const uint8_t *payload;
	size_t plen;
	uint32_t version = 0;
	struct terr e;
	bool found = false;
	FILE *f;

	snprintf(src, sizeof(src), "%s/forms/risk_visit.json", TETRAD_SOURCE_DIR);
	snprintf(pub, sizeof(pub), "%s/forms", dir);
	mkdir(pub, 0700);
	/* the built-in version itself exists already */
	CHECK_INT_EQ(hubforms_publish(db, &sign, src, TETRAD_FORMS_DIR, pub, id, &version, &e),
	    TERR_FORM);
	CHECK_CONTAINS(e.msg, "уже есть");
	def = slurp(src);
	CHECK(def != NULL);
	if (def == NULL)
		return;
	p = strstr(def, "\"version\": 1");
	CHECK(p != NULL);
	if (p != NULL)
		p[strlen("\"version\": ")] = '2';
	snprintf(out, sizeof(out), "%s/risk_visit_v2.json", dir);
	f = fopen(out, "w");
	fputs(def, f);
	fclose(f);
	free(def);
	CHECK_INT_EQ(hubforms_publish(db, &sign, out, TETRAD_FORMS_DIR, pub, id, &version, &e), 0);
	CHECK_STR_EQ(id, "risk_visit");
	CHECK_INT_EQ(version, 2);
	CHECK_INT_EQ(hubforms_publish(db, &sign, out, TETRAD_FORMS_DIR, pub, id, &version, &e),
	    TERR_FORM);
	CHECK_INT_EQ(hubdb_form_get(db, "risk_visit", 2, bundle, &found, &e), 0);
	CHECK(found);
	CHECK_INT_EQ(sigblob_open(tbuf_ptr(bundle), tbuf_len(bundle), SIGBLOB_FORM_BUNDLE,
	    sign.pk, &payload, &plen, &e), 0);
	{
		cJSON *j = cJSON_ParseWithLength((const char *)payload, plen);

		CHECK(j != NULL);
		CHECK(cJSON_IsObject(cJSON_GetObjectItem(j, "form")));
		CHECK(cJSON_IsObject(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "dictionaries"),
		    "risk_factors")));
		cJSON_Delete(j);
	}
	snprintf(out, sizeof(out), "%s/risk_visit-v2.json", pub);
	CHECK_INT_EQ(access(out, R_OK), 0);
	CHECK_INT_EQ(hubdb_form_get(db, "risk_visit", 3, bundle, &found, &e), 0);
	CHECK(!found);

	/* a catalogue opened before the publication loads version 2 on demand */
	CHECK_INT_EQ(hubforms_open(TETRAD_FORMS_DIR, NULL, &cat, &e), 0);
	{
		struct op op;
		char why[1024];

		memset(&op, 0, sizeof(op));
		snprintf(op.form_id, sizeof(op.form_id), "risk_visit");
		op.form_version = 2;
		op.kind = OP_PUT;
		op.fields = cJSON_Parse("{\"nonsense\":1}");
		/* no published dir known: version 2 is unknown */
		CHECK_INT_EQ(hubforms_check_op(cat, &op, why, sizeof(why), &e), TERR_INVALID);
		CHECK_CONTAINS(why, "неизвестна");
		hubforms_free(cat);
		CHECK_INT_EQ(hubforms_open(TETRAD_FORMS_DIR, pub, &cat, &e), 0);
		CHECK_INT_EQ(hubforms_check_op(cat, &op, why, sizeof(why), &e), TERR_INVALID);
		CHECK_CONTAINS(why, "nonsense");
		snprintf(op.form_id, sizeof(op.form_id), "../../x");
		CHECK_INT_EQ(hubforms_check_op(cat, &op, why, sizeof(why), &e), TERR_INVALID);
		CHECK_CONTAINS(why, "неизвестна");
		cJSON_Delete(op.fields);
	}
	hubforms_free(cat);
	tbuf_free(bundle);
}

static void
test_tls(void)
{
	char tdir[512], path[600], *pem = NULL;
	struct stat st;
	struct terr e;
	FILE *f;

	snprintf(tdir, sizeof(tdir), "%s/tls", dir);
	CHECK_INT_EQ(tls_make_self_signed(tdir, "hub.example.org", &e), 0);
	snprintf(path, sizeof(path), "%s/server.key", tdir);
	CHECK_INT_EQ(stat(path, &st), 0);
	CHECK_INT_EQ(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/server.pem", tdir);
	CHECK_INT_EQ(tls_read_pem(path, &pem, &e), 0);
	CHECK(pem != NULL && strstr(pem, "BEGIN CERTIFICATE") != NULL);
	free(pem);
	/* never overwritten */
	CHECK_INT_EQ(tls_make_self_signed(tdir, "hub.example.org", &e), TERR_IO);
	CHECK_INT_EQ(tls_make_self_signed(tdir, "bad host,CN=x", &e), TERR_ARG);
	/* PEM files are bounded */
	snprintf(path, sizeof(path), "%s/big.pem", dir);
	f = fopen(path, "w");
	for (unsigned i = 0; i < TLS_PEM_MAX / 64 + 2; i++)
		fputs("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", f);
	fclose(f);
	CHECK_INT_EQ(tls_read_pem(path, &pem, &e), TERR_IO);
	CHECK(pem == NULL);
}

static int
count_rows(void *ctx, int n, const char *const *names, const char *const *vals)
{
	(void)names;
	(void)vals;
	(void)n;
	(*(int *)ctx)++;
	return 0;
}

static void
test_tokens(struct hubdb *db)
{
	char tok[TOKENS_TEXT_MAX + 1], body[512], lower[TOKENS_TEXT_MAX + 1];
	struct tbuf *out = tbuf_new(16384);
	struct keys_sign dev;
	struct terr e;
	int http = 0, rows = 0;

	CHECK_INT_EQ(tokens_create(db, "school", "Школа № 9", "170109", 3600, tok, &e), 0);
	/* typed in lower case, without dashes */
	{
		size_t k = 0;

		for (const char *p = tok; *p; p++)
			if (*p != '-')
				lower[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		lower[k] = '\0';
	}
	keys_sign_generate(&dev);
	{
		char pk[65];

		keys_hex(dev.pk, 32, pk);
		snprintf(body, sizeof(body), "{\"token\":\"%s\",\"device_pk\":\"%s\"}", lower, pk);
	}
	CHECK_INT_EQ(tokens_enroll(db, &enc, &sign, body, strlen(body), &http, out, &e), 0);
	CHECK_INT_EQ(http, 200);
	tbuf_terminate(out);
	CHECK_CONTAINS((const char *)tbuf_ptr(out), "\"name\":\"Школа № 9\"");
	/* expired */
	CHECK_INT_EQ(tokens_create(db, "school", "", "170110", -1, tok, &e), 0);
	keys_sign_generate(&dev);
	{
		char pk[65];

		keys_hex(dev.pk, 32, pk);
		snprintf(body, sizeof(body), "{\"token\":\"%s\",\"device_pk\":\"%s\"}", tok, pk);
	}
	CHECK_INT_EQ(tokens_enroll(db, &enc, &sign, body, strlen(body), &http, out, &e), 0);
	CHECK_INT_EQ(http, 410);
	tbuf_terminate(out);
	CHECK_CONTAINS((const char *)tbuf_ptr(out), "token_expired");
	/* garbage */
	CHECK_INT_EQ(tokens_enroll(db, &enc, &sign, "{", 1, &http, out, &e), 0);
	CHECK_INT_EQ(http, 400);
	CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_TOKENS, count_rows, &rows, &e), 0);
	CHECK_INT_EQ(rows, 2);
	rows = 0;
	CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_DEVICES, count_rows, &rows, &e), 0);
	CHECK_INT_EQ(rows, 1);
	tbuf_free(out);
}

static void
test_merge_edges(struct hubdb *db)
{
	struct op op;
	struct terr e;
	unsigned conflicts = 0;
	struct hubdb_record r;
	bool found;

	memset(&op, 0, sizeof(op));
	CHECK_INT_EQ(uuid7_parse("019a3e6e-3000-7000-8000-00000000beef", op.record_id), 0);
	snprintf(op.form_id, sizeof(op.form_id), "test");
	snprintf(op.school, sizeof(op.school), "170103");
	op.kind = OP_DELETE;
	op.hlc.wall_ms = 5000;
	op.hlc.node = 1;
	CHECK_INT_EQ(merge_apply(db, "0000000000000001", &op, &conflicts, &e), 0);
	CHECK_INT_EQ(hubdb_record_get(db, op.record_id, &r, &found, &e), 0);
	CHECK(found && r.deleted);
	hubdb_record_clear(&r);
	/* an older put of another device loses against the tombstone: logged */
	op.kind = OP_PUT;
	op.hlc.wall_ms = 4000;
	op.hlc.node = 2;
	op.fields = cJSON_Parse("{\"n\":1}");
	CHECK_INT_EQ(merge_apply(db, "0000000000000002", &op, &conflicts, &e), 0);
	CHECK_INT_EQ(hubdb_record_get(db, op.record_id, &r, &found, &e), 0);
	CHECK(found && r.deleted);
	CHECK_STR_EQ(r.data, "{\"n\":1}");
	hubdb_record_clear(&r);
	CHECK_INT_EQ(conflicts, 1);
	/* another form for the same id is refused, nothing written */
	snprintf(op.form_id, sizeof(op.form_id), "other");
	op.hlc.wall_ms = 9000;
	CHECK_INT_EQ(merge_apply(db, "0000000000000002", &op, &conflicts, &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "с формой «test»");
	cJSON_Delete(op.fields);
}

/* The tables of schema 1 that changed, with one record and its clocks. */
static const char hub_schema1[] =
    "CREATE TABLE hub_records("
    " id BLOB PRIMARY KEY, form_id TEXT, form_version INTEGER, school TEXT,"
    " device_id TEXT, hlc TEXT, deleted INTEGER NOT NULL DEFAULT 0,"
    " data TEXT NOT NULL, received_at TEXT) WITHOUT ROWID;"
    "CREATE INDEX hub_records_form ON hub_records(form_id, school);"
    "CREATE TABLE hub_clocks(record_id BLOB PRIMARY KEY, clocks TEXT NOT NULL) WITHOUT ROWID;"
    "INSERT INTO hub_records VALUES(x'019a3e6e30007000800000000000cafe', 'test', 1, '170103',"
    " '0000000000000001', 'h1', 0, '{\"n\":1}', 't');"
    "INSERT INTO hub_records VALUES(x'019a3e6e30007000800000000000babe', 'test', 1, '170103',"
    " '0000000000000001', 'h2', 0, '{\"n\":2}', 't');"
    "INSERT INTO hub_clocks VALUES(x'019a3e6e30007000800000000000cafe', '{\"p\":[\"h1\",\"d\"]}');"
    "PRAGMA user_version = 1;";

static int64_t
db_int(const char *path, const char *sql)
{
	sqlite3 *raw = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;

	if (sqlite3_open(path, &raw) == SQLITE_OK && sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	return v;
}

static void
test_migration(void)
{
	char path[512];
	sqlite3 *raw = NULL;
	struct hubdb *db = NULL;
	struct hubdb_record r;
	struct terr e;
	uint8_t id[16];
	bool found;

	snprintf(path, sizeof(path), "%s/hub-v1.db", dir);
	CHECK_INT_EQ(sqlite3_open(path, &raw), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_exec(raw, hub_schema1, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return;
	CHECK_INT_EQ(uuid7_parse("019a3e6e-3000-7000-8000-00000000cafe", id), 0);
	CHECK_INT_EQ(hubdb_record_get(db, id, &r, &found, &e), 0);
	CHECK(found);
	if (found) {
		CHECK_STR_EQ(r.data, "{\"n\":1}");
		CHECK_STR_EQ(r.clocks, "{\"p\":[\"h1\",\"d\"]}");
		hubdb_record_clear(&r);
	}
	/* a record that had no clocks row gets the empty document */
	CHECK_INT_EQ(uuid7_parse("019a3e6e-3000-7000-8000-00000000babe", id), 0);
	CHECK_INT_EQ(hubdb_record_get(db, id, &r, &found, &e), 0);
	CHECK(found);
	if (found) {
		CHECK_STR_EQ(r.clocks, "{}");
		hubdb_record_clear(&r);
	}
	hubdb_close(db);
	CHECK_INT_EQ(db_int(path, "PRAGMA user_version"), HUBDB_SCHEMA_VERSION);
	CHECK_INT_EQ(db_int(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'hub_clocks'"), 0);
	CHECK_INT_EQ(db_int(path, "SELECT COUNT(*) FROM hub_records"), 2);
	/* an existing database keeps its page size; a new one gets the hub's */
	CHECK_INT_EQ(db_int(path, "PRAGMA page_size"), 4096);
	snprintf(path, sizeof(path), "%s/hub-new.db", dir);
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	hubdb_close(db);
	CHECK_INT_EQ(db_int(path, "PRAGMA page_size"), HUBDB_PAGE_SIZE);
	snprintf(path, sizeof(path), "%s/hub-v1.db", dir);
	/* opened again: nothing left to migrate */
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	hubdb_close(db);
	/* a newer hub's database is refused and left as it was */
	CHECK_INT_EQ(sqlite3_open(path, &raw), SQLITE_OK);
	CHECK_INT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 3", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	db = NULL;
	CHECK_INT_EQ(hubdb_open(path, &db, &e), TERR_VERSION);
	CHECK(db == NULL);
	CHECK_CONTAINS(e.msg, "схема 3");
	CHECK_INT_EQ(db_int(path, "PRAGMA user_version"), 3);
}

int
main(void)
{
	struct hubdb *db = NULL;
	struct terr e;
	char path[512], cmd[600];

	CHECK_INT_EQ(keys_init(&e), 0);
	snprintf(dir, sizeof(dir), "/tmp/test_hub_misc.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	keys_enc_generate(&enc);
	keys_sign_generate(&sign);
	snprintf(path, sizeof(path), "%s/hub.db", dir);
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	test_publish(db);
	test_tls();
	test_tokens(db);
	test_merge_edges(db);
	hubdb_close(db);
	test_migration();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
