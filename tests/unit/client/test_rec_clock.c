/*
 * test_rec_clock — what record changes send and the clock documents they
 * leave: a creation or finalisation "put"s the whole synced state, an edit
 * of a final record sends only the synced fields it changed (null for an
 * answer removed; a group whole; nothing when only local fields changed),
 * a delete a tombstone; the record's document moves as the hub's does when
 * it applies the same ops (replayed here through recmerge_change); a
 * record from before schema 7 starts from its implicit document; an edit
 * after a clock seen far ahead (a pull) is later than it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "check.h"
#include "client/catalog.h"
#include "client/rec.h"
#include "client/rec_clock.h"
#include "client/store.h"
#include "tetrad/recmerge.h"

static char tmpdir[] = "/tmp/test_rec_clock.XXXXXX";
static const char me[] = "a1b2c3d4e5f60718";

#define PLANT_NAME "ПЛАНТ-Имя-5d21"
#define PLANT_NOTE "ПЛАНТ-Заметка-0be4"

static const char form_json[] =
"{\"format\":1,\"id\":\"t_pass\",\"version\":1,\"title\":\"Паспорт\","
" \"fields\":["
"  {\"id\":\"title\",\"label\":\"Название\",\"type\":\"text\",\"required\":true},"
"  {\"id\":\"large\",\"label\":\"Многодетные\",\"type\":\"integer\",\"min\":0},"
"  {\"id\":\"poor\",\"label\":\"Малообеспеченные\",\"type\":\"integer\",\"min\":0},"
"  {\"id\":\"note\",\"label\":\"Заметка\",\"type\":\"text\",\"sync\":\"local\"},"
"  {\"id\":\"kids\",\"label\":\"Дети\",\"type\":\"group\",\"max_items\":5,\"fields\":["
"    {\"id\":\"name\",\"label\":\"Имя\",\"type\":\"text\",\"sync\":\"local\"},"
"    {\"id\":\"age\",\"label\":\"Возраст\",\"type\":\"integer\",\"min\":1}]}"
" ]}";

static void
write_file(const char *dir, const char *name, const char *text)
{
	char p[1024];
	FILE *fp;

	if (snprintf(p, sizeof(p), "%s/%s", dir, name) >= (int)sizeof(p))
		return;
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

/* The text of one value (malloc'd, "" when none). */
static char *
q_text(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	char *v = NULL;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v ? v : strdup("");
}

/* A record's stored clock document, parsed. */
static cJSON *
doc_of(struct store *s, const uint8_t id[UUID7_BYTES])
{
	struct localdb_record *r = NULL;
	struct terr e = { 0 };
	cJSON *d = NULL;

	if (store_record_get(s, id, &r, &e) == 0 && r->clocks != NULL)
		d = cJSON_Parse(r->clocks);
	store_record_free(r);
	return d;
}

/*
 * The hub's view: every outbox row of the record, in order, through
 * recmerge_change from an empty state. Its document must be the device's.
 */
static cJSON *
hub_replay(struct store *s, cJSON **data)
{
	sqlite3_stmt *st = NULL;
	cJSON *clocks = cJSON_CreateObject();
	struct terr e = { 0 };

	*data = cJSON_CreateObject();
	if (sqlite3_prepare_v2(store_db(s), "SELECT op, hlc, fields FROM outbox ORDER BY seq",
	    -1, &st, NULL) != SQLITE_OK)
		return clocks;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *op = (const char *)sqlite3_column_text(st, 0);
		const char *hlc = (const char *)sqlite3_column_text(st, 1);
		const char *ft = (const char *)sqlite3_column_text(st, 2);
		cJSON *fields = ft ? cJSON_Parse(ft) : NULL;
		enum recmerge_kind k = strcmp(op, "put") == 0 ? RECMERGE_PUT :
		    strcmp(op, "edit") == 0 ? RECMERGE_EDIT : RECMERGE_DELETE;

		CHECK_INT_EQ(recmerge_change(*data, clocks, k, hlc, me, fields, NULL, NULL, &e), 0);
		cJSON_Delete(fields);
	}
	sqlite3_finalize(st);
	return clocks;
}

static void
check_agrees(struct store *s, const uint8_t id[UUID7_BYTES])
{
	cJSON *data = NULL, *hub = hub_replay(s, &data), *dev = doc_of(s, id);
	char *a = cJSON_PrintUnformatted(hub), *b = cJSON_PrintUnformatted(dev);

	CHECK(dev != NULL && cJSON_Compare(hub, dev, true));
	if (dev == NULL || !cJSON_Compare(hub, dev, true))
		fprintf(stderr, "  hub %s\n  dev %s\n", a ? a : "", b ? b : "");
	cJSON_free(a);
	cJSON_free(b);
	cJSON_Delete(hub);
	cJSON_Delete(dev);
	cJSON_Delete(data);
}

static int
edit(struct store *s, const struct catalog *c, const uint8_t id[UUID7_BYTES],
    const char *json)
{
	struct form_problems *pr = NULL;
	struct terr e = { 0 };
	cJSON *ch = cJSON_Parse(json);
	int r = rec_edit(s, c, id, ch, &pr, &e);

	if (r != 0)
		fprintf(stderr, "  edit %s: %s\n", json, e.msg);
	form_problems_free(pr);
	cJSON_Delete(ch);
	return r;
}

static void
test_edit_ops(void)
{
	char db[512], forms[512], *t = NULL;
	struct store *s = NULL;
	struct catalog *c = NULL;
	struct form_problems *pr = NULL;
	struct terr e = { 0 };
	cJSON *v = NULL, *d = NULL;
	uint8_t id[UUID7_BYTES], id2[UUID7_BYTES];

	snprintf(forms, sizeof(forms), "%s/forms", tmpdir);
	mkdir(forms, 0700);
	write_file(forms, "t_pass.json", form_json);
	snprintf(db, sizeof(db), "%s/edit.db", tmpdir);
	CHECK_INT_EQ(store_open(db, true, &s, &e), 0);
	if (s == NULL)
		return;
	CHECK_INT_EQ(store_meta_set(s, "school", "170103", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_id", me, &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_kind", "school", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_schools", "170103", &e), 0);
	CHECK_INT_EQ(catalog_load(forms, NULL, &c, &e), 0);
	if (c == NULL)
		goto out;

	/* creation: a put of the synced state; the document is p and x alone */
	v = cJSON_Parse("{\"title\":\"Паспорт школы\",\"large\":4,\"poor\":7,\"note\":\""
	    PLANT_NOTE "\",\"kids\":[{\"name\":\"" PLANT_NAME "\",\"age\":9}]}");
	CHECK_INT_EQ(rec_new(s, c, "t_pass", NULL, v, false, id, &pr, &e), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE op='put' AND "
	    "instr(fields,'\"poor\":7') AND NOT instr(fields,'" PLANT_NOTE "') AND NOT "
	    "instr(fields,'" PLANT_NAME "')"), 1);
	d = doc_of(s, id);
	CHECK(d != NULL && cJSON_GetObjectItem(d, "f") == NULL &&
	    cJSON_GetObjectItem(d, "p") != NULL && !recmerge_deleted(d));
	t = q_text(s, "SELECT clocks FROM records");
	CHECK_CONTAINS(t, me);
	free(t);
	cJSON_Delete(d);
	check_agrees(s, id);

	/* one field changed: an edit of that field alone, its clock in "f" */
	CHECK_INT_EQ(edit(s, c, id, "{\"large\":5}"), 0);
	t = q_text(s, "SELECT op || ' ' || fields FROM outbox WHERE seq=2");
	CHECK_STR_EQ(t, "edit {\"large\":5}");
	free(t);
	d = doc_of(s, id);
	{
		const cJSON *fl = cJSON_GetObjectItem(cJSON_GetObjectItem(d, "f"), "large");
		char *h = q_text(s, "SELECT hlc FROM outbox WHERE seq=2");

		CHECK(cJSON_IsArray(fl) && strcmp(cJSON_GetArrayItem(fl, 0)->valuestring, h) == 0 &&
		    strcmp(cJSON_GetArrayItem(fl, 1)->valuestring, me) == 0);
		CHECK_INT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(d, "f")), 1);
		free(h);
	}
	cJSON_Delete(d);
	check_agrees(s, id);

	/* only a local field changed: stored, nothing queued, document kept */
	t = q_text(s, "SELECT clocks FROM records");
	CHECK_INT_EQ(edit(s, c, id, "{\"note\":\"другая\"}"), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 2);
	{
		char *t2 = q_text(s, "SELECT clocks FROM records");

		CHECK_STR_EQ(t2, t);
		free(t2);
	}
	free(t);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records WHERE instr(data,'другая')"), 1);

	/* an answer removed: null; the same value again: nothing */
	CHECK_INT_EQ(edit(s, c, id, "{\"poor\":null}"), 0);
	t = q_text(s, "SELECT op || ' ' || fields FROM outbox WHERE seq=3");
	CHECK_STR_EQ(t, "edit {\"poor\":null}");
	free(t);
	CHECK_INT_EQ(edit(s, c, id, "{\"large\":5}"), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 3);
	check_agrees(s, id);

	/* a group item changed: the group whole, its local members never */
	CHECK_INT_EQ(edit(s, c, id, "{\"kids\":[{\"name\":\"" PLANT_NAME "\",\"age\":10}]}"), 0);
	t = q_text(s, "SELECT op || ' ' || fields FROM outbox WHERE seq=4");
	CHECK_STR_EQ(t, "edit {\"kids\":[{\"age\":10}]}");
	free(t);
	/* two fields at once: both, at one HLC */
	CHECK_INT_EQ(edit(s, c, id, "{\"large\":6,\"poor\":1}"), 0);
	t = q_text(s, "SELECT op || ' ' || fields FROM outbox WHERE seq=5");
	CHECK_STR_EQ(t, "edit {\"large\":6,\"poor\":1}");
	free(t);
	check_agrees(s, id);

	/* delete: a tombstone, "x" says deleted */
	CHECK_INT_EQ(rec_delete(s, id, &e), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE seq=6 AND op='delete' AND "
	    "fields IS NULL"), 1);
	d = doc_of(s, id);
	CHECK(d != NULL && recmerge_deleted(d));
	cJSON_Delete(d);
	check_agrees(s, id);

	/* a draft has no document until it is finalised, with a put */
	cJSON_DeleteItemFromObject(v, "title");
	CHECK_INT_EQ(rec_new(s, c, "t_pass", NULL, v, true, id2, &pr, &e), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records WHERE status='draft' AND "
	    "clocks IS NULL"), 1);
	CHECK_INT_EQ(edit(s, c, id2, "{\"title\":\"Второй\"}"), 0);
	CHECK_INT_EQ(rec_finalize(s, c, id2, &pr, &e), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE seq=7 AND op='put'"), 1);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records WHERE status='final' AND "
	    "clocks IS NOT NULL"), 1);
 out:
	cJSON_Delete(v);
	catalog_free(c);
	store_close(s);
}

/* A final record written before schema 7 (no document) and a clock seen
 * far ahead of this PC's wall clock. */
static void
test_legacy_and_observed(void)
{
	char db[512], forms[512], *t = NULL, *h = NULL;
	struct store *s = NULL;
	struct catalog *c = NULL;
	struct form_problems *pr = NULL;
	struct terr e = { 0 };
	cJSON *v = NULL, *d = NULL;
	uint8_t id[UUID7_BYTES];
	const char *ahead = "0fffffffffff-0005-b1b2c3d4e5f60718";

	snprintf(forms, sizeof(forms), "%s/forms", tmpdir);
	snprintf(db, sizeof(db), "%s/legacy.db", tmpdir);
	CHECK_INT_EQ(store_open(db, true, &s, &e), 0);
	if (s == NULL)
		return;
	CHECK_INT_EQ(store_meta_set(s, "school", "170103", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_id", me, &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_kind", "school", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_schools", "170103", &e), 0);
	CHECK_INT_EQ(catalog_load(forms, NULL, &c, &e), 0);
	if (c == NULL)
		goto out;
	v = cJSON_Parse("{\"title\":\"Старый\",\"large\":1,\"poor\":2}");
	CHECK_INT_EQ(rec_new(s, c, "t_pass", NULL, v, false, id, &pr, &e), 0);
	CHECK_INT_EQ(sqlite3_exec(store_db(s), "UPDATE records SET clocks=NULL", NULL, NULL,
	    NULL), SQLITE_OK);
	h = q_text(s, "SELECT updated_hlc FROM records");
	CHECK_INT_EQ(edit(s, c, id, "{\"poor\":3}"), 0);
	d = doc_of(s, id);
	t = cJSON_PrintUnformatted(cJSON_GetObjectItem(d, "p"));
	/* "p" is the implicit one: the last put, this device's */
	CHECK(t != NULL && strstr(t, h) != NULL && strstr(t, me) != NULL);
	cJSON_free(t);
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "f"), "poor") != NULL);
	CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(d, "f"), "large") == NULL);
	cJSON_Delete(d);
	check_agrees(s, id);

	/* a pulled clock far ahead: the next edit here is later than it */
	CHECK_INT_EQ(store_begin(s, &e), 0);
	CHECK_INT_EQ(localdb_hlc_observe(store_localdb(s), ahead, &e), 0);
	CHECK_INT_EQ(store_commit(s, &e), 0);
	CHECK_INT_EQ(edit(s, c, id, "{\"large\":8}"), 0);
	free(h);
	h = q_text(s, "SELECT hlc FROM outbox ORDER BY seq DESC LIMIT 1");
	CHECK(strcmp(h, ahead) > 0);
 out:
	free(h);
	cJSON_Delete(v);
	catalog_free(c);
	store_close(s);
}

int
main(void)
{
	char cmd[128];

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_edit_ops();
	test_legacy_and_observed();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	CHECK_INT_EQ(system(cmd), 0);
	return check_summary();
}
