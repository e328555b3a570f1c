/*
 * test_rec — record life cycle: drafts stay out of the outbox, every final
 * change writes exactly one outbox row, local fields never reach it (planted
 * values), invalid input writes nothing, records keep their form version.
 * Also the catalogue (built-in + pulled forms, all versions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "check.h"
#include "client/catalog.h"
#include "client/rec.h"
#include "client/rec_school.h"
#include "client/store.h"

static char tmpdir[] = "/tmp/test_rec.XXXXXX";

#define PLANT_NAME "ПЛАНТ-Имя-7f3a"
#define PLANT_SECRET "ПЛАНТ-Секрет-91c2"

static const char form_v1[] =
"{\"format\":1,\"id\":\"t_case\",\"version\":1,\"title\":\"Тестовая форма\","
" \"fields\":["
"  {\"id\":\"title\",\"label\":\"Название\",\"type\":\"text\",\"required\":true},"
"  {\"id\":\"total\",\"label\":\"Всего\",\"type\":\"integer\",\"min\":0},"
"  {\"id\":\"part\",\"label\":\"Часть\",\"type\":\"integer\",\"min\":0,\"max_field\":\"total\"},"
"  {\"id\":\"secret\",\"label\":\"Секрет\",\"type\":\"text\",\"sync\":\"local\"},"
"  {\"id\":\"people\",\"label\":\"Люди\",\"type\":\"group\",\"max_items\":5,\"fields\":["
"    {\"id\":\"name\",\"label\":\"Имя\",\"type\":\"text\",\"sync\":\"local\"},"
"    {\"id\":\"age\",\"label\":\"Возраст\",\"type\":\"integer\",\"min\":1}]}"
" ]}";

/* v2 adds a required field: records made with v1 must stay valid */
static const char form_v2[] =
"{\"format\":1,\"id\":\"t_case\",\"version\":2,\"title\":\"Тестовая форма\","
" \"fields\":["
"  {\"id\":\"title\",\"label\":\"Название\",\"type\":\"text\",\"required\":true},"
"  {\"id\":\"extra\",\"label\":\"Новое поле\",\"type\":\"integer\",\"required\":true},"
"  {\"id\":\"total\",\"label\":\"Всего\",\"type\":\"integer\",\"min\":0},"
"  {\"id\":\"part\",\"label\":\"Часть\",\"type\":\"integer\",\"min\":0,\"max_field\":\"total\"},"
"  {\"id\":\"secret\",\"label\":\"Секрет\",\"type\":\"text\",\"sync\":\"local\"},"
"  {\"id\":\"people\",\"label\":\"Люди\",\"type\":\"group\",\"max_items\":5,\"fields\":["
"    {\"id\":\"name\",\"label\":\"Имя\",\"type\":\"text\",\"sync\":\"local\"},"
"    {\"id\":\"age\",\"label\":\"Возраст\",\"type\":\"integer\",\"min\":1}]}"
" ]}";

static void
write_file(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((fp = fopen(p, "w")) != NULL) {
		fputs(text, fp);
		fclose(fp);
	}
}

static long long
q_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -999;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
test_lifecycle(void)
{
	char db[512], builtin[512], pulled[512];
	struct store *s = NULL;
	struct catalog *c = NULL, *c2 = NULL;
	struct form_problems *pr = NULL;
	struct localdb_record *rec = NULL;
	struct terr e = { 0 };
	const struct form *f;
	cJSON *v = NULL, *ch = NULL;
	uint8_t id[UUID7_BYTES], id2[UUID7_BYTES];

	snprintf(builtin, sizeof(builtin), "%s/builtin", tmpdir);
	snprintf(pulled, sizeof(pulled), "%s/rec.db.forms", tmpdir);
	mkdir(builtin, 0700);
	write_file(builtin, "t_case.json", form_v1);
	snprintf(db, sizeof(db), "%s/rec.db", tmpdir);
	CHECK_INT_EQ(store_open(db, true, &s, &e), 0);
	if (s == NULL)
		return;
	CHECK_INT_EQ(store_meta_set(s, "school", "170103", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_id", "a1b2c3d4e5f60718", &e), 0);
	/* a curator laptop set up with a school, enrolled for two */
	CHECK_INT_EQ(store_meta_set(s, "device_kind", "curator", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_schools", "170103,170104", &e), 0);
	CHECK_INT_EQ(catalog_load(builtin, pulled, &c, &e), 0);
	if (c == NULL)
		goto out;
	CHECK_INT_EQ(catalog_count(c), 1);
	f = catalog_latest(c, "t_case");
	CHECK(f != NULL);

	/* --set conversions, group paths, planted local values */
	v = cJSON_CreateObject();
	CHECK_INT_EQ(rec_apply_set(f, v, "title=Случай", &e), 0);
	CHECK_INT_EQ(rec_apply_set(f, v, "total=10", &e), 0);
	CHECK_INT_EQ(rec_apply_set(f, v, "part=3", &e), 0);
	CHECK_INT_EQ(rec_apply_set(f, v, "secret=" PLANT_SECRET, &e), 0);
	CHECK_INT_EQ(rec_apply_set(f, v, "people[1].name=" PLANT_NAME, &e), 0);
	CHECK_INT_EQ(rec_apply_set(f, v, "people[1].age=12", &e), 0);
	CHECK_INT_EQ(rec_apply_set(f, v, "people[0].age=9", &e), 0);
	CHECK_INT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(v, "people")), 2);
	CHECK_INT_EQ(rec_apply_set(f, v, "nope=1", &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "nope");
	CHECK_INT_EQ(rec_apply_set(f, v, "total=много", &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "Всего");
	CHECK_INT_EQ(rec_apply_set(f, v, "people[x].age=1", &e), TERR_ARG);
	CHECK_INT_EQ(rec_apply_set(f, v, "people[0].zzz=1", &e), TERR_INVALID);
	CHECK_INT_EQ(rec_apply_set(f, v, "noequals", &e), TERR_ARG);

	/* a final record: one outbox row, without local fields */
	CHECK_INT_EQ(rec_new(s, c, "t_case", NULL, v, false, id, &pr, &e), 0);
	CHECK(pr == NULL);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 1);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE instr(fields,'"
	    PLANT_NAME "') OR instr(fields,'" PLANT_SECRET "') OR "
	    "instr(fields,'secret') OR instr(fields,'\"name\"')"), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE instr(fields,'\"age\":12')"
	    " AND instr(fields,'\"part\":3') AND op='put' AND seq=1"), 1);
	/* ... but the record itself keeps them on the device */
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records WHERE instr(data,'"
	    PLANT_NAME "') AND instr(data,'" PLANT_SECRET "')"), 1);

	/* invalid: every problem reported, nothing written */
	cJSON_Delete(v);
	v = cJSON_CreateObject();
	CHECK_INT_EQ(rec_apply_set(f, v, "total=2", &e), 0);
	CHECK_INT_EQ(rec_apply_set(f, v, "part=5", &e), 0);
	CHECK_INT_EQ(rec_new(s, c, "t_case", NULL, v, false, id2, &pr, &e), TERR_INVALID);
	CHECK(pr != NULL && pr->n == 2);
	for (size_t i = 0; pr && i < pr->n; i++)
		fprintf(stderr, "  (expected problem) %s\n", pr->items[i].message);
	form_problems_free(pr);
	pr = NULL;
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records"), 1);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 1);
	CHECK_INT_EQ(rec_new(s, c, "no_such_form", NULL, v, false, id2, &pr, &e),
	    STORE_NOTFOUND);

	/* a draft may be incomplete, and break a rule between fields
	 * (finalizing judges it: a draft is always savable), but not hold a
	 * value of the wrong type; it stays off the outbox */
	cJSON_ReplaceItemInObject(v, "part", cJSON_CreateString("пять"));
	CHECK_INT_EQ(rec_new(s, c, "t_case", NULL, v, true, id2, &pr, &e), TERR_INVALID);
	form_problems_free(pr);
	pr = NULL;
	cJSON_DeleteItemFromObject(v, "part");
	CHECK_INT_EQ(rec_new(s, c, "t_case", NULL, v, true, id2, &pr, &e), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 1);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records WHERE status='draft'"), 1);
	/* edit of a draft: still no outbox row */
	ch = cJSON_Parse("{\"secret\":\"" PLANT_SECRET "\"}");
	CHECK_INT_EQ(rec_edit(s, c, id2, ch, &pr, &e), 0);
	cJSON_Delete(ch);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 1);
	/* a page's whole-form save (the web form): refused with nothing written
	 * when the record moved on after the page was made (a pull, another
	 * tab), written when made from the record as it stands */
	{
		struct localdb_record *r0 = NULL;
		char was[LOCALDB_HLC_LEN + 1] = "";
		uint8_t id3[UUID7_BYTES];
		bool changed = true;
		cJSON *page = cJSON_Parse("{\"total\":3}");

		ch = cJSON_Parse("{\"total\":2}");
		CHECK_INT_EQ(rec_new(s, c, "t_case", NULL, ch, true, id3, &pr, &e), 0);
		cJSON_Delete(ch);
		CHECK_INT_EQ(store_record_get(s, id3, &r0, &e), 0);
		if (r0 != NULL)
			snprintf(was, sizeof(was), "%s", r0->updated_hlc);
		store_record_free(r0);
		r0 = NULL;
		ch = cJSON_Parse("{\"total\":4}");
		CHECK_INT_EQ(rec_edit(s, c, id3, ch, &pr, &e), 0);
		cJSON_Delete(ch);
		CHECK_INT_EQ(rec_update(s, c, id3, page, false, false, was, &changed, &pr, &e), 1);
		CHECK(!changed);
		CHECK_INT_EQ(store_record_get(s, id3, &r0, &e), 0);
		CHECK(r0 != NULL && strstr(r0->data, "\"total\":4") != NULL);
		if (r0 != NULL) {
			CHECK_INT_EQ(rec_update(s, c, id3, page, false, false, r0->updated_hlc,
			    &changed, &pr, &e), 0);
			CHECK(changed);
		}
		store_record_free(r0);
		r0 = NULL;
		CHECK_INT_EQ(store_record_get(s, id3, &r0, &e), 0);
		CHECK(r0 != NULL && strstr(r0->data, "\"total\":3") != NULL);
		store_record_free(r0);
		cJSON_Delete(page);
		CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 1);   /* drafts */
	}
	/* finalize refuses while "title" is missing, then succeeds */
	CHECK_INT_EQ(rec_finalize(s, c, id2, &pr, &e), TERR_INVALID);
	CHECK(pr != NULL && pr->n == 1 && strstr(pr->items[0].message, "Название"));
	form_problems_free(pr);
	pr = NULL;
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 1);
	ch = cJSON_Parse("{\"title\":\"Второй\"}");
	CHECK_INT_EQ(rec_edit(s, c, id2, ch, &pr, &e), 0);
	cJSON_Delete(ch);
	CHECK_INT_EQ(rec_finalize(s, c, id2, &pr, &e), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 2);
	CHECK_INT_EQ(rec_finalize(s, c, id2, &pr, &e), 1);  /* already final */
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 2);

	/* a newer version arrives: old records keep and are judged by theirs */
	mkdir(pulled, 0700);
	write_file(pulled, "t_case-v2.json", form_v2);
	write_file(pulled, "broken-v1.json", "{\"format\":1,\"id\":");
	CHECK_INT_EQ(catalog_load(builtin, pulled, &c2, &e), 0);
	if (c2 == NULL)
		goto out;
	CHECK_INT_EQ(catalog_count(c2), 2);
	CHECK_INT_EQ(form_version(catalog_latest(c2, "t_case")), 2);
	CHECK(catalog_get(c2, "t_case", 1) != NULL);
	CHECK_CONTAINS(catalog_warnings(c2), "broken-v1.json");
	ch = cJSON_Parse("{\"total\":20,\"part\":20}");
	CHECK_INT_EQ(rec_edit(s, c2, id, ch, &pr, &e), 0);  /* no "extra" needed */
	cJSON_Delete(ch);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 3);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE seq=3 AND form_version=1"
	    " AND instr(fields,'\"part\":20') AND NOT instr(fields,'" PLANT_NAME "')"), 1);
	CHECK_INT_EQ(store_record_get(s, id, &rec, &e), 0);
	if (rec)
		CHECK_INT_EQ(rec->form_version, 1);
	store_record_free(rec);
	rec = NULL;
	/* an invalid edit of a final record writes nothing */
	ch = cJSON_Parse("{\"part\":21}");
	CHECK_INT_EQ(rec_edit(s, c2, id, ch, &pr, &e), TERR_INVALID);
	cJSON_Delete(ch);
	CHECK(pr != NULL && pr->n == 1 && strstr(pr->items[0].message, "Часть"));
	form_problems_free(pr);
	pr = NULL;
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 3);
	/* new records get v2 and must fill the new field */
	CHECK_INT_EQ(rec_new(s, c2, "t_case", NULL, v, false, id2, &pr, &e), TERR_INVALID);
	form_problems_free(pr);
	pr = NULL;
	cJSON_AddStringToObject(v, "title", "Третий");
	cJSON_AddNumberToObject(v, "extra", 1);
	CHECK_INT_EQ(rec_new(s, c2, "t_case", "170104", v, false, id2, &pr, &e), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records WHERE form_version=2 AND "
	    "school='170104'"), 1);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 4);

	/* delete: a final record queues a tombstone; deleted stays deleted */
	CHECK_INT_EQ(rec_delete(s, id, &e), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE seq=5 AND op='delete'"
	    " AND fields IS NULL"), 1);
	CHECK_INT_EQ(rec_delete(s, id, &e), TERR_INVALID);
	ch = cJSON_Parse("{\"total\":1}");
	CHECK_INT_EQ(rec_edit(s, c2, id, ch, &pr, &e), TERR_INVALID);
	cJSON_Delete(ch);
	CHECK_CONTAINS(e.msg, "удалена");
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 5);
	/* a deleted draft never reaches the outbox */
	CHECK_INT_EQ(rec_new(s, c2, "t_case", NULL, v, true, id2, &pr, &e), 0);
	CHECK_INT_EQ(rec_delete(s, id2, &e), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 5);
	/* the sequence is contiguous and HLCs grow with it */
	CHECK_INT_EQ(q_int(s, "SELECT MAX(seq)-MIN(seq)+1-COUNT(*) FROM outbox"), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox a JOIN outbox b ON b.seq=a.seq+1"
	    " WHERE b.hlc <= a.hlc"), 0);
	/* nothing anywhere in the outbox holds a planted value */
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE instr(fields,'ПЛАНТ')"), 0);
 out:
	cJSON_Delete(v);
	catalog_free(c);
	catalog_free(c2);
	store_close(s);
}

/* a form whose "school" field is the record's school (risk_visit v2) */
static const char form_visit[] =
"{\"format\":1,\"id\":\"t_visit\",\"version\":1,\"title\":\"Посещение\","
" \"school_field\":\"school\", \"fields\":["
"  {\"id\":\"school\",\"label\":\"Код ОО\",\"type\":\"text\",\"required\":true},"
"  {\"id\":\"note\",\"label\":\"Заметка\",\"type\":\"text\"}]}";

static const char *
rec_school(struct store *s, const uint8_t id[UUID7_BYTES], char *buf, size_t cap)
{
	struct localdb_record *rec = NULL;
	struct terr e;

	buf[0] = '\0';
	if (store_record_get(s, id, &rec, &e) == 0)
		snprintf(buf, cap, "%s", rec->school);
	store_record_free(rec);
	return buf;
}

/* One device: kind, own school (NULL: none), its schools. */
static struct store *
school_device(const char *name, const char *kind, const char *own, const char *list)
{
	char db[512];
	struct store *s = NULL;
	struct terr e;

	snprintf(db, sizeof(db), "%s/%s", tmpdir, name);
	CHECK_INT_EQ(store_open(db, true, &s, &e), 0);
	if (s == NULL)
		return NULL;
	CHECK_INT_EQ(store_meta_set(s, "device_id", "a1b2c3d4e5f60718", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_kind", kind, &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_schools", list, &e), 0);
	if (own)
		CHECK_INT_EQ(store_meta_set(s, "school", own, &e), 0);
	return s;
}

static void
test_school_field(void)
{
	char dir[512], buf[80], *list = NULL;
	struct store *s = NULL;
	struct catalog *c = NULL;
	struct form_problems *pr = NULL;
	struct terr e = { 0 };
	cJSON *v = NULL, *ch = NULL;
	uint8_t id[UUID7_BYTES], id2[UUID7_BYTES];
	bool curator = true;

	snprintf(dir, sizeof(dir), "%s/visit", tmpdir);
	mkdir(dir, 0700);
	write_file(dir, "t_visit.json", form_visit);
	CHECK_INT_EQ(catalog_load(dir, NULL, &c, &e), 0);
	if (c == NULL)
		return;

	/* a school device: the field is its school without asking; another
	 * school is refused, naming the device's */
	if ((s = school_device("school.db", "school", "170103", "170103")) == NULL)
		goto out;
	CHECK_INT_EQ(rec_school_choices(s, &list, &curator, &e), 0);
	CHECK_STR_EQ(list, "170103");
	CHECK(!curator);
	free(list);
	list = NULL;
	v = cJSON_Parse("{\"note\":\"x\"}");
	CHECK_INT_EQ(rec_new(s, c, "t_visit", NULL, v, false, id, &pr, &e), 0);
	CHECK_STR_EQ(rec_school(s, id, buf, sizeof(buf)), "170103");
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE school='170103' AND "
	    "instr(fields,'\"school\":\"170103\"')"), 1);
	cJSON_Delete(v);
	v = cJSON_Parse("{\"school\":\"170104\"}");
	CHECK_INT_EQ(rec_new(s, c, "t_visit", NULL, v, false, id2, &pr, &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "не ведёт записи школы «170104»: школа устройства — 170103");
	CHECK_INT_EQ(rec_new(s, c, "t_visit", "170104", v, true, id2, &pr, &e), TERR_INVALID);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records"), 1);
	/* a draft with the field removed gets it back when finalized */
	cJSON_Delete(v);
	v = cJSON_Parse("{\"note\":\"черновик\"}");
	CHECK_INT_EQ(rec_new(s, c, "t_visit", NULL, v, true, id2, &pr, &e), 0);
	ch = cJSON_Parse("{\"school\":null}");
	CHECK_INT_EQ(rec_edit(s, c, id2, ch, &pr, &e), 0);
	cJSON_Delete(ch);
	CHECK_INT_EQ(rec_finalize(s, c, id2, &pr, &e), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE school='170103'"), 2);
	store_close(s);

	/* a curator (set up with no school of its own, enrolled for two) */
	if ((s = school_device("curator.db", "curator", NULL, "170103,170104")) == NULL)
		goto out;
	CHECK_INT_EQ(rec_school_choices(s, &list, &curator, &e), 0);
	CHECK_STR_EQ(list, "170103,170104");
	CHECK(curator);
	free(list);
	list = NULL;
	cJSON_Delete(v);
	v = cJSON_Parse("{\"school\":\"170104\"}");
	CHECK_INT_EQ(rec_new(s, c, "t_visit", NULL, v, false, id, &pr, &e), 0);
	CHECK_STR_EQ(rec_school(s, id, buf, sizeof(buf)), "170104");
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE school='170104'"), 1);
	/* --school fills an empty field; one that disagrees is refused */
	cJSON_Delete(v);
	v = cJSON_Parse("{}");
	CHECK_INT_EQ(rec_new(s, c, "t_visit", "170103", v, false, id2, &pr, &e), 0);
	CHECK_STR_EQ(rec_school(s, id2, buf, sizeof(buf)), "170103");
	cJSON_Delete(v);
	v = cJSON_Parse("{\"school\":\"170104\"}");
	CHECK_INT_EQ(rec_new(s, c, "t_visit", "170103", v, false, id2, &pr, &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "--school 170103 не совпадает с полем «Код ОО» (170104)");
	cJSON_Delete(v);
	v = cJSON_Parse("{\"school\":\"170105\"}");
	CHECK_INT_EQ(rec_new(s, c, "t_visit", NULL, v, false, id2, &pr, &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "«170105»: школы куратора — 170103, 170104");
	/* with no value, nothing to guess: a final record needs it */
	cJSON_Delete(v);
	v = cJSON_Parse("{\"note\":\"x\"}");
	CHECK_INT_EQ(rec_new(s, c, "t_visit", NULL, v, false, id2, &pr, &e), TERR_INVALID);
	form_problems_free(pr);
	pr = NULL;
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records"), 2);
	/* a final record's school field cannot move it; a draft's can */
	ch = cJSON_Parse("{\"school\":\"170103\"}");
	CHECK_INT_EQ(rec_edit(s, c, id, ch, &pr, &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "удалите запись");
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 2);
	CHECK_INT_EQ(rec_new(s, c, "t_visit", NULL, v, true, id2, &pr, &e), 0);
	CHECK_INT_EQ(rec_edit(s, c, id2, ch, &pr, &e), 0);
	CHECK_STR_EQ(rec_school(s, id2, buf, sizeof(buf)), "170103");
	CHECK_INT_EQ(rec_finalize(s, c, id2, &pr, &e), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE school='170103'"), 2);
	cJSON_Delete(ch);
	store_close(s);

	/* a curator not enrolled yet knows no school */
	if ((s = school_device("new.db", "curator", NULL, "")) == NULL)
		goto out;
	CHECK_INT_EQ(rec_new(s, c, "t_visit", NULL, v, true, id2, &pr, &e), 0);
	CHECK_INT_EQ(rec_school_check(s, "170103", &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "tetrad enroll");
 out:
	cJSON_Delete(v);
	store_close(s);
	catalog_free(c);
}

static void
test_builtin_forms(void)
{
	struct catalog *c = NULL;
	struct terr e = { 0 };

	CHECK_INT_EQ(catalog_load(TETRAD_FORMS_DIR, "/nonexistent/tetrad.forms", &c, &e), 0);
	if (c == NULL) {
		fprintf(stderr, "%s\n", e.msg);
		return;
	}
	CHECK(catalog_count(c) >= 3);
	CHECK(catalog_latest(c, "social_passport") != NULL);
	CHECK(catalog_latest(c, "mediation_case") != NULL);
	CHECK(catalog_latest(c, "risk_visit") != NULL);
	catalog_free(c);
	CHECK_INT_EQ(catalog_load("/nonexistent/forms", NULL, &c, &e), TERR_IO);
	CHECK(c == NULL);
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_lifecycle();
	test_school_field();
	test_builtin_forms();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary();
}
