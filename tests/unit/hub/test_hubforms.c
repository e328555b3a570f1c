/*
 * test_hubforms — form publishing on real files: a built-in form's next
 * version bundled with the dictionary it names, signed, stored, refused
 * twice (and the built-in version itself refused), loaded lazily by a
 * catalogue opened before the publication; hostile form ids unknown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "test_store.h"
#include "hub/hubdb.h"
#include "hub/hubforms.h"
#include "tetrad/sigblob.h"

static char dir[256];
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
	/* a version after every built-in one (risk_visit-v1.json, risk_visit.json) */
	p = strstr(def, "\"version\": ");
	CHECK(p != NULL);
	if (p != NULL)
		p[strlen("\"version\": ")] = '9';
	snprintf(out, sizeof(out), "%s/risk_visit_v9.json", dir);
	f = fopen(out, "w");
	fputs(def, f);
	fclose(f);
	free(def);
	CHECK_INT_EQ(hubforms_publish(db, &sign, out, TETRAD_FORMS_DIR, pub, id, &version, &e), 0);
	CHECK_STR_EQ(id, "risk_visit");
	CHECK_INT_EQ(version, 9);
	CHECK_INT_EQ(hubforms_publish(db, &sign, out, TETRAD_FORMS_DIR, pub, id, &version, &e),
	    TERR_FORM);
	CHECK_INT_EQ(hubdb_form_get(db, "risk_visit", 9, bundle, &found, &e), 0);
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
	snprintf(out, sizeof(out), "%s/risk_visit-v9.json", pub);
	CHECK_INT_EQ(access(out, R_OK), 0);
	/*
	 * Two publications of one version at once: the second passed the
	 * catalogue's check before the first wrote its file (here: the file
	 * gone). The store's row refuses it, and it writes no file.
	 */
	{
		char again[600], kept[sizeof(out) + 8];

		snprintf(kept, sizeof(kept), "%s.kept", out);
		CHECK_INT_EQ(rename(out, kept), 0);

		snprintf(again, sizeof(again), "%s/risk_visit_v9.json", dir);
		CHECK_INT_EQ(hubforms_publish(db, &sign, again, TETRAD_FORMS_DIR, pub, id, &version,
		    &e), TERR_FORM);
		CHECK_CONTAINS(e.msg, "уже опубликована");
		CHECK(access(out, F_OK) != 0);
		CHECK_INT_EQ(rename(kept, out), 0);
	}
	CHECK_INT_EQ(hubdb_form_get(db, "risk_visit", 10, bundle, &found, &e), 0);
	CHECK(!found);

	/* a catalogue opened before the publication loads version 9 on demand */
	CHECK_INT_EQ(hubforms_open(TETRAD_FORMS_DIR, NULL, &cat, &e), 0);
	{
		struct op op;
		char why[1024];

		memset(&op, 0, sizeof(op));
		snprintf(op.form_id, sizeof(op.form_id), "risk_visit");
		op.form_version = 9;
		op.kind = OP_PUT;
		op.fields = cJSON_Parse("{\"nonsense\":1}");
		/* no published dir known: version 9 is unknown */
		CHECK_INT_EQ(hubforms_check_op(cat, &op, why, sizeof(why), &e), TERR_NOTFOUND);
		CHECK_CONTAINS(why, "неизвестна");
		hubforms_free(cat);
		CHECK_INT_EQ(hubforms_open(TETRAD_FORMS_DIR, pub, &cat, &e), 0);
		CHECK_INT_EQ(hubforms_check_op(cat, &op, why, sizeof(why), &e), TERR_INVALID);
		CHECK_CONTAINS(why, "nonsense");
		/* what GET /v1/forms/known lists: what can be checked; a published
		 * file that does not load is not known (a device would only be
		 * refused again) */
		CHECK(hubforms_knows(cat, "risk_visit", 9));
		CHECK(hubforms_knows(cat, "risk_visit", 2));
		CHECK(!hubforms_knows(cat, "risk_visit", 12));
		snprintf(out, sizeof(out), "%s/risk_visit-v11.json", pub);
		{
			FILE *bf = fopen(out, "w");

			CHECK(bf != NULL);
			if (bf != NULL) {
				fputs("{\"id\": \"risk_visit\", \"version\": 11", bf);
				fclose(bf);
			}
		}
		CHECK(!hubforms_knows(cat, "risk_visit", 11));
		unlink(out);
		snprintf(op.form_id, sizeof(op.form_id), "../../x");
		CHECK_INT_EQ(hubforms_check_op(cat, &op, why, sizeof(why), &e), TERR_NOTFOUND);
		CHECK_CONTAINS(why, "неизвестна");
		cJSON_Delete(op.fields);
	}
	hubforms_free(cat);
	tbuf_free(bundle);
}

/* risk_visit v2 files a visit under its «Код ОО»: an op sent as another
 * school's record is refused; v1 (no school field) is judged as before */
static void
test_school_field(void)
{
	char path[512], why[1024], *good;
	struct hubforms *cat = NULL;
	struct terr e;
	struct op op;

	snprintf(path, sizeof(path), "%s/tests/data/forms/risk_visit.good.json", TETRAD_SOURCE_DIR);
	good = slurp(path);
	CHECK(good != NULL);
	CHECK_INT_EQ(hubforms_open(TETRAD_FORMS_DIR, NULL, &cat, &e), 0);
	if (good == NULL || cat == NULL)
		goto out;
	memset(&op, 0, sizeof(op));
	snprintf(op.form_id, sizeof(op.form_id), "risk_visit");
	op.form_version = 2;
	op.kind = OP_PUT;
	op.fields = cJSON_Parse(good);
	CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(op.fields, "school_code")), "170103");
	snprintf(op.school, sizeof(op.school), "170103");
	CHECK_INT_EQ(hubforms_check_op(cat, &op, why, sizeof(why), &e), 0);
	snprintf(op.school, sizeof(op.school), "170104");
	CHECK_INT_EQ(hubforms_check_op(cat, &op, why, sizeof(why), &e), TERR_INVALID);
	CHECK_CONTAINS(why, "«Код ОО» называет школу 170103, а запись подана как запись школы 170104");
	/* free text in the field (a name typed there) never reaches the stored reason */
	cJSON_ReplaceItemInObject(op.fields, "school_code", cJSON_CreateString("Иванов Пётр"));
	CHECK_INT_EQ(hubforms_check_op(cat, &op, why, sizeof(why), &e), TERR_INVALID);
	CHECK_CONTAINS(why, "в поле «Код ОО» не код школы, а запись подана как запись школы 170104");
	CHECK(strstr(why, "Иванов") == NULL);
	cJSON_ReplaceItemInObject(op.fields, "school_code", cJSON_CreateString("170103"));
	op.form_version = 1;
	CHECK_INT_EQ(hubforms_check_op(cat, &op, why, sizeof(why), &e), 0);
	/* a delete has no fields: its school is the stored record's (merge.c) */
	op.form_version = 2;
	op.kind = OP_DELETE;
	CHECK_INT_EQ(hubforms_check_op(cat, &op, why, sizeof(why), &e), 0);
	cJSON_Delete(op.fields);
 out:
	hubforms_free(cat);
	free(good);
}

/* One edit op's verdict: risk_visit v2 or mediation_case v2 of school 170103. */
static int
edit_check(struct hubforms *cat, const char *form, const char *fields, char *why, size_t cap)
{
	struct terr e;
	struct op op;
	int r;

	memset(&op, 0, sizeof(op));
	snprintf(op.form_id, sizeof(op.form_id), "%s", form);
	op.form_version = 2;
	snprintf(op.school, sizeof(op.school), "170103");
	op.kind = OP_EDIT;
	op.fields = cJSON_Parse(fields);
	CHECK(op.fields != NULL);
	why[0] = '\0';
	r = hubforms_check_op(cat, &op, why, cap, &e);
	cJSON_Delete(op.fields);
	return r;
}

/*
 * An edit carries only the fields it changed: each is checked by itself
 * (type, range, choice, unknown, local, the school field), never "required"
 * nor the rules between fields, which need the whole record.
 */
static void
test_edit(void)
{
	struct hubforms *cat = NULL;
	struct terr e;
	char why[1024];

	CHECK_INT_EQ(hubforms_open(TETRAD_FORMS_DIR, NULL, &cat, &e), 0);
	if (cat == NULL)
		return;
	/* required fields missing, one required answer removed: fine */
	CHECK_INT_EQ(edit_check(cat, "risk_visit", "{\"conclusions\":\"Выводы\"}", why, sizeof(why)), 0);
	CHECK_INT_EQ(edit_check(cat, "risk_visit", "{\"curator\":null,\"next_steps\":\"x\"}", why,
	    sizeof(why)), 0);
	/* each value by itself */
	CHECK_INT_EQ(edit_check(cat, "risk_visit", "{\"project_year\":1999}", why, sizeof(why)),
	    TERR_INVALID);
	CHECK_CONTAINS(why, "форма «risk_visit»: ");
	CHECK_INT_EQ(edit_check(cat, "risk_visit", "{\"visit_type\":\"nope\"}", why, sizeof(why)),
	    TERR_INVALID);
	CHECK_INT_EQ(edit_check(cat, "risk_visit", "{\"visit_date\":12}", why, sizeof(why)),
	    TERR_INVALID);
	CHECK_INT_EQ(edit_check(cat, "risk_visit", "{\"nonsense\":1}", why, sizeof(why)),
	    TERR_INVALID);
	CHECK_CONTAINS(why, "nonsense");
	/* the school field, when listed, still names the op's school */
	CHECK_INT_EQ(edit_check(cat, "risk_visit", "{\"school_code\":\"170103\"}", why, sizeof(why)), 0);
	CHECK_INT_EQ(edit_check(cat, "risk_visit", "{\"school_code\":\"170104\"}", why, sizeof(why)),
	    TERR_INVALID);
	CHECK_CONTAINS(why, "называет школу 170104, а запись подана как запись школы 170103");
	CHECK_INT_EQ(edit_check(cat, "risk_visit", "{\"school_code\":null}", why, sizeof(why)),
	    TERR_INVALID);
	CHECK_CONTAINS(why, "не код школы");
	/* local fields never leave a device: at the top, inside a group, or as null */
	CHECK_INT_EQ(edit_check(cat, "mediation_case", "{\"status\":\"held\"}", why, sizeof(why)), 0);
	CHECK_INT_EQ(edit_check(cat, "mediation_case", "{\"summary\":\"Суть\"}", why, sizeof(why)),
	    TERR_INVALID);
	CHECK_CONTAINS(why, "локальное поле");
	CHECK(strstr(why, "Суть") == NULL);
	CHECK_INT_EQ(edit_check(cat, "mediation_case", "{\"summary\":null}", why, sizeof(why)),
	    TERR_INVALID);
	CHECK_INT_EQ(edit_check(cat, "mediation_case",
	    "{\"parties\":[{\"role\":\"student\",\"age\":12}]}", why, sizeof(why)), 0);
	CHECK_INT_EQ(edit_check(cat, "mediation_case",
	    "{\"parties\":[{\"role\":\"student\",\"full_name\":\"Иванов\"}]}", why, sizeof(why)),
	    TERR_INVALID);
	CHECK_CONTAINS(why, "локальное поле");
	CHECK(strstr(why, "Иванов") == NULL);
	hubforms_free(cat);
}

int
main(void)
{
	struct hubdb *db = NULL;
	struct terr e;
	char path[512], cmd[600];

	CHECK_INT_EQ(keys_init(&e), 0);
	snprintf(dir, sizeof(dir), "/tmp/test_hubforms.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	keys_sign_generate(&sign);
	test_store(path, sizeof(path), dir, "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db != NULL)
		test_publish(db);
	test_school_field();
	test_edit();
	hubdb_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
