/*
 * test_inbox — pulled answers into a real device database: answers sealed
 * by a real hub key with pullmsg, opened as the device opens them, applied
 * with inbox_apply. A record never seen is inserted (final, or deleted by
 * its existence clock); a merge keeps the device's local fields, top-level
 * and inside group items; a value of this device that loses is logged in
 * conflicts, one of another device's is not; the device's clock moves past
 * what it saw; profiles and school names are stored; an answer with a
 * school not the device's is refused whole and nothing changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "syncd/inbox.h"
#include "tetrad/hlc.h"
#include "tetrad/keys.h"
#include "tetrad/localdb.h"
#include "tetrad/pullmsg.h"
#include "tetrad/uuid7.h"

#define OTHER "00000000000000aa"

static struct keys_sign hub;
static struct keys_enc box;
static uint8_t me_id[KEYS_ID_BYTES];
static char me[KEYS_ID_HEXLEN + 1];

/* An HLC text at wall ms w of node hex. */
static void
hlc_at(uint64_t w, const char *node, char out[HLC_STRLEN + 1])
{
	struct hlc_ts t = { w, 0, strtoull(node, NULL, 16) };

	hlc_encode(&t, out);
}

struct item {
	const uint8_t *id;
	const char *form, *school, *data, *clocks;
};

/* Seals items as one answer (after, upto] and applies it. */
static int
apply(struct inbox *ib, uint64_t after, uint64_t upto, const struct item *it, size_t n,
    const char *profile_school, struct inbox_result *res, struct terr *e)
{
	struct pullmsg_builder *b = pullmsg_builder_new(me_id, after, 0);
	struct pullmsg_batch *batch = NULL;
	struct tbuf *out = tbuf_new(PULLMSG_MAX_BYTES + 1024);
	uint64_t pos = after;
	int r;

	for (size_t i = 0; i < n; i++)
		CHECK_INT_EQ(pullmsg_add_record(b, ++pos, it[i].id, it[i].form, 1, it[i].school,
		    it[i].data, strlen(it[i].data), it[i].clocks, strlen(it[i].clocks), e), 0);
	if (profile_school) {
		const char *y = "{\"2026\":{\"R01\":\"high\"}}";

		CHECK_INT_EQ(pullmsg_add_profile(b, ++pos, profile_school, y, strlen(y), e), 0);
		CHECK_INT_EQ(pullmsg_add_school(b, ++pos, profile_school, "Школа №3", e), 0);
	}
	CHECK_INT_EQ(pullmsg_seal(b, upto, false, NULL, &hub, box.pk, NULL, out, e), 0);
	CHECK_INT_EQ(pullmsg_open(tbuf_ptr(out), tbuf_len(out), hub.pk, &box, me_id, NULL, &batch, e), 0);
	r = batch ? inbox_apply(ib, batch, res, e) : TERR_INTERNAL;
	pullmsg_batch_free(batch);
	pullmsg_builder_free(b);
	tbuf_free(out);
	return r;
}

static void
put_local(struct localdb *db, const uint8_t id[16], const char *form, const char *data,
    const char *clocks, const char *hlc)
{
	struct localdb_record r;
	struct terr e;
	char d[4096], c[1024];

	memset(&r, 0, sizeof(r));
	memcpy(r.id, id, 16);
	snprintf(r.form_id, sizeof(r.form_id), "%s", form);
	r.form_version = 1;
	snprintf(r.school, sizeof(r.school), "170103");
	snprintf(r.status, sizeof(r.status), "final");
	snprintf(r.created_hlc, sizeof(r.created_hlc), "%s", hlc);
	snprintf(r.updated_hlc, sizeof(r.updated_hlc), "%s", hlc);
	snprintf(d, sizeof(d), "%s", data);
	snprintf(c, sizeof(c), "%s", clocks);
	r.data = d;
	r.clocks = c;
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_record_put(db, &r, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
}

/* The record's data as parsed JSON (NULL when absent), and its status. */
static cJSON *
get(struct localdb *db, const uint8_t id[16], char status[8])
{
	struct localdb_record *r = NULL;
	struct terr e;
	cJSON *j = NULL;

	if (localdb_record_find(db, id, &r, &e) == 1) {
		j = cJSON_Parse(r->data);
		snprintf(status, 8, "%s", r->status);
	}
	localdb_record_free(r);
	return j;
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t
conflicts(struct localdb *db)
{
	int64_t n = -1;
	struct terr e;

	CHECK_INT_EQ(localdb_conflict_count(db, &n, &e), 0);
	return n;
}

int
main(void)
{
	char dir[] = "/tmp/test_inbox.XXXXXX", path[256], cmd[300], st[8];
	char h0[HLC_STRLEN + 1], h1[HLC_STRLEN + 1], h2[HLC_STRLEN + 1], h3[HLC_STRLEN + 1],
	    h4[HLC_STRLEN + 1], h5[HLC_STRLEN + 1];
	char data[2048], clocks[1024];
	struct keys_sign dev;
	struct localdb *db = NULL;
	struct inbox *ib = NULL;
	struct inbox_result res;
	struct terr e;
	uint8_t idx[16], idy[16], idz[16], idd[16];
	uint64_t after = 99;
	cJSON *j;
	char *txt = NULL;

	CHECK_INT_EQ(keys_init(&e), 0);
	CHECK(mkdtemp(dir) != NULL);
	CHECK_INT_EQ(keys_sign_generate(&hub), 0);
	CHECK_INT_EQ(keys_enc_generate(&box), 0);
	CHECK_INT_EQ(keys_sign_generate(&dev), 0);
	keys_id(dev.pk, me_id);
	keys_id_hex(dev.pk, me);
	snprintf(path, sizeof(path), "%s/dev.db", dir);
	CHECK_INT_EQ(localdb_open(path, LOCALDB_CREATE, &db, &e), 0);
	CHECK_INT_EQ(localdb_meta_set(db, "device_id", me, &e), 0);
	CHECK_INT_EQ(localdb_meta_set(db, "school", "170103", &e), 0);
	CHECK_INT_EQ(localdb_meta_set(db, "device_schools", "170103", &e), 0);
	CHECK_INT_EQ(inbox_new(db, path, TETRAD_FORMS_DIR, &ib, &e), 0);
	memset(&res, 0, sizeof(res));
	uuid7_new(idx, 1700000000000ULL);
	uuid7_new(idy, 1700000000001ULL);
	uuid7_new(idz, 1700000000002ULL);
	uuid7_new(idd, 1700000000003ULL);
	hlc_at(1800000000000ULL, me, h0);
	hlc_at(1800000001000ULL, OTHER, h1);
	hlc_at(1800000002000ULL, OTHER, h2);
	hlc_at(1800000003000ULL, me, h3);
	hlc_at(1800000004000ULL, OTHER, h4);
	hlc_at(1800000005000ULL, OTHER, h5);

	/* a record never seen: inserted as final, nothing of it logged */
	snprintf(clocks, sizeof(clocks), "{\"p\":[\"%s\",\"" OTHER "\"],\"x\":[\"%s\",\"" OTHER "\",0]}", h1, h1);
	{
		struct item it = { idx, "mediation_case", "170103",
		    "{\"case_number\":\"2026-1\",\"status\":\"received\"}", clocks };

		CHECK_INT_EQ(apply(ib, 0, after, &it, 1, "170103", &res, &e), 0);
	}
	CHECK_INT_EQ(res.records, 1);
	CHECK_INT_EQ(res.created, 1);
	CHECK_INT_EQ(res.profiles, 1);
	CHECK_INT_EQ(res.schools, 1);
	j = get(db, idx, st);
	CHECK_STR_EQ(str(j, "case_number"), "2026-1");
	CHECK_STR_EQ(st, "final");
	cJSON_Delete(j);
	{
		uint64_t c = 0;

		CHECK_INT_EQ(localdb_pull_after(db, &c, &e), 0);
		CHECK_INT_EQ(c, after);
	}
	CHECK_INT_EQ(localdb_meta_get(db, "risk_profile", &txt, &e), 0);
	CHECK_CONTAINS(txt, "\"170103\":{\"2026\":{\"R01\":\"high\"}}");
	free(txt);
	{
		char name[64];

		CHECK_INT_EQ(localdb_school_name(db, "170103", name, sizeof(name), &e), 1);
		CHECK_STR_EQ(name, "Школа №3");
	}

	/* the device's own mediation case: another PC changed its status and
	 * its parties (which reach it without names): names and summary stay */
	snprintf(clocks, sizeof(clocks), "{\"p\":[\"%s\",\"%s\"],\"x\":[\"%s\",\"%s\",0]}", h0, me, h0, me);
	put_local(db, idy, "mediation_case", "{\"case_number\":\"2026-2\",\"status\":\"received\","
	    "\"summary\":\"тайна\",\"parties\":[{\"role\":\"student\",\"age\":10,\"full_name\":\"Иванов\","
	    "\"phone\":\"123\"}]}", clocks, h0);
	snprintf(clocks, sizeof(clocks), "{\"f\":{\"status\":[\"%s\",\"" OTHER "\"],\"parties\":[\"%s\",\""
	    OTHER "\"]},\"p\":[\"%s\",\"%s\"],\"x\":[\"%s\",\"%s\",0]}", h2, h2, h0, me, h0, me);
	snprintf(data, sizeof(data), "{\"case_number\":\"2026-2\",\"status\":\"held\","
	    "\"parties\":[{\"role\":\"student\",\"age\":11}]}");
	{
		struct item it = { idy, "mediation_case", "170103", data, clocks };

		CHECK_INT_EQ(apply(ib, after, after + 10, &it, 1, NULL, &res, &e), 0);
		after += 10;
	}
	j = get(db, idy, st);
	CHECK_STR_EQ(str(j, "status"), "held");
	CHECK_STR_EQ(str(j, "summary"), "тайна");
	{
		const cJSON *p0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "parties"), 0);

		CHECK_STR_EQ(str(p0, "full_name"), "Иванов");
		CHECK_STR_EQ(str(p0, "phone"), "123");
		CHECK_INT_EQ(cJSON_GetObjectItemCaseSensitive(p0, "age")->valueint, 11);
	}
	cJSON_Delete(j);
	CHECK_INT_EQ(conflicts(db), 0);

	/* the same field on both: mine (h3) loses to a later one (h4), logged */
	snprintf(clocks, sizeof(clocks), "{\"f\":{\"a\":[\"%s\",\"%s\"]},\"p\":[\"%s\",\"%s\"],"
	    "\"x\":[\"%s\",\"%s\",0]}", h3, me, h0, me, h0, me);
	put_local(db, idz, "social_passport", "{\"a\":\"mine\",\"b\":\"keep\"}", clocks, h3);
	snprintf(clocks, sizeof(clocks), "{\"f\":{\"a\":[\"%s\",\"" OTHER "\"]},\"p\":[\"%s\",\"%s\"],"
	    "\"x\":[\"%s\",\"%s\",0]}", h4, h0, me, h0, me);
	{
		struct item it = { idz, "social_passport", "170103", "{\"a\":\"theirs\",\"b\":\"keep\"}", clocks };

		CHECK_INT_EQ(apply(ib, after, after + 1, &it, 1, NULL, &res, &e), 0);
		after += 1;
		/* the same answer's state again: joined already, nothing new logged */
		CHECK_INT_EQ(apply(ib, after, after + 1, &it, 1, NULL, &res, &e), 0);
		after += 1;
	}
	j = get(db, idz, st);
	CHECK_STR_EQ(str(j, "a"), "theirs");
	CHECK_STR_EQ(str(j, "b"), "keep");
	cJSON_Delete(j);
	CHECK_INT_EQ(conflicts(db), 1);
	CHECK_INT_EQ(res.conflicts, 1);
	/* the device's clock is past what it saw */
	CHECK_INT_EQ(localdb_meta_get(db, "hlc_last", &txt, &e), 0);
	CHECK(txt != NULL && strcmp(txt, h4) >= 0);
	free(txt);

	/* another device's value losing to mine is not my conflict */
	snprintf(clocks, sizeof(clocks), "{\"f\":{\"b\":[\"%s\",\"" OTHER "\"]},\"p\":[\"%s\",\"%s\"],"
	    "\"x\":[\"%s\",\"%s\",0]}", h1, h0, me, h0, me);
	{
		struct item it = { idz, "social_passport", "170103", "{\"a\":\"old\",\"b\":\"other\"}", clocks };

		CHECK_INT_EQ(apply(ib, after, after + 1, &it, 1, NULL, &res, &e), 0);
		after += 1;
	}
	j = get(db, idz, st);
	CHECK_STR_EQ(str(j, "a"), "theirs");
	CHECK_STR_EQ(str(j, "b"), "other");
	cJSON_Delete(j);
	CHECK_INT_EQ(conflicts(db), 1);

	/* a tombstone never seen: inserted as deleted */
	snprintf(clocks, sizeof(clocks), "{\"p\":[\"%s\",\"" OTHER "\"],\"x\":[\"%s\",\"" OTHER "\",1]}", h1, h5);
	{
		struct item it = { idd, "social_passport", "170103", "{}", clocks };

		CHECK_INT_EQ(apply(ib, after, after + 1, &it, 1, NULL, &res, &e), 0);
		after += 1;
	}
	j = get(db, idd, st);
	CHECK(j != NULL);
	CHECK_STR_EQ(st, "deleted");
	cJSON_Delete(j);

	/* another school's record: the whole answer refused, nothing changes */
	{
		uint8_t idn[16];
		struct item it[2] = {
			{ idx, "mediation_case", "170103", "{\"case_number\":\"zzz\"}", clocks },
			{ idn, "mediation_case", "999999", "{\"case_number\":\"x\"}", clocks },
		};
		uint64_t c = 0;

		uuid7_new(idn, 1700000000009ULL);
		CHECK_INT_EQ(apply(ib, after, after + 2, it, 2, NULL, &res, &e), TERR_ARG);
		CHECK_CONTAINS(e.msg, "999999");
		CHECK(get(db, idn, st) == NULL);
		j = get(db, idx, st);
		CHECK_STR_EQ(str(j, "case_number"), "2026-1");
		cJSON_Delete(j);
		CHECK_INT_EQ(localdb_pull_after(db, &c, &e), 0);
		CHECK_INT_EQ(c, after);
	}

	inbox_free(ib);
	localdb_close(db);
	keys_sign_wipe(&hub);
	keys_sign_wipe(&dev);
	keys_enc_wipe(&box);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT_EQ(system(cmd), 0);
	return check_summary();
}
