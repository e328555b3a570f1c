/*
 * test_survey_facts — the surveys tally the hub keeps as records arrive.
 * Responses written through merge_apply (first puts, edits from two devices,
 * puts that lose, deletes, puts after a delete) and hubdb_record_import
 * (other days, a time that is no date, a record moved to another school or
 * form): after each round the counters equal a rebuild from the records,
 * and the surveys report read from them equals the report read from the
 * records themselves, for every period and school asked. A store of schema
 * 2 is marked, reported from its records, and built by its first write,
 * once.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_store.h"
#include "hub/hubdb.h"
#include "hub/merge.h"
#include "hub/report.h"
#include "hub/survey_facts.h"

/* The hub's store through a connection of its own, as an outside hand would. */
static void
file_exec(const char *path, const char *sql)
{
	CHECK_INT_EQ(test_store_exec(path, sql), 0);
}

/* Every tally row, days and all, as one text. */
static char *
tally_dump(struct hubdb *db)
{
	struct terr e;
	char *s = NULL;

	/* PostgreSQL: its aggregate's own order, its rounding of a double */
	CHECK_INT_EQ(hubdb_test_query(db, test_store_pg() ?
	    "SELECT coalesce(string_agg(school || ',' || form_id || ',' || key || ',' || day"
	    " || ',' || n || ',' || round(total::numeric, 6), '|'"
	    " ORDER BY school, form_id, key, day), '') FROM tally" :
	    "SELECT coalesce(group_concat(r, '|'), '') FROM ("
	    "SELECT school || ',' || form_id || ',' || key || ',' || day || ',' || n || ','"
	    " || printf('%.6f', total) AS r FROM tally ORDER BY school, form_id, key, day)",
	    &s, &e), 0);
	return s ? s : strdup("");
}

/*
 * tally_all holds each key's days summed, exactly: as a dump of the sums
 * and of tally grouped (the same text when they agree).
 */
static void
check_all_days(struct hubdb *db, const char *what)
{
	struct terr e;
	char *sums = NULL, *grouped = NULL;

	CHECK_INT_EQ(hubdb_test_query(db, test_store_pg() ?
	    "SELECT coalesce(string_agg(school || ',' || form_id || ',' || key || ',' || n"
	    " || ',' || round(total::numeric, 6), '|' ORDER BY school, form_id, key), '')"
	    " FROM tally_all" :
	    "SELECT coalesce(group_concat(r, '|'), '') FROM ("
	    "SELECT school || ',' || form_id || ',' || key || ',' || n || ','"
	    " || printf('%.6f', total) AS r FROM tally_all ORDER BY school, form_id, key)",
	    &sums, &e), 0);
	CHECK_INT_EQ(hubdb_test_query(db, test_store_pg() ?
	    "SELECT coalesce(string_agg(r, '|' ORDER BY school, form_id, key), '') FROM ("
	    "SELECT school, form_id, key, school || ',' || form_id || ',' || key || ','"
	    " || sum(n) || ',' || round(sum(total)::numeric, 6) AS r FROM tally"
	    " GROUP BY school, form_id, key HAVING sum(n) <> 0) AS g" :
	    "SELECT coalesce(group_concat(r, '|'), '') FROM ("
	    "SELECT school || ',' || form_id || ',' || key || ',' || sum(n) || ','"
	    " || printf('%.6f', sum(total)) AS r FROM tally GROUP BY school, form_id, key"
	    " HAVING sum(n) <> 0 ORDER BY school, form_id, key)", &grouped, &e), 0);
	if (sums && grouped && strcmp(sums, grouped) != 0)
		fprintf(stderr, "%s:\ntally_all: %s\ntally:     %s\n", what, sums, grouped);
	CHECK(sums != NULL && grouped != NULL);
	if (sums && grouped)
		CHECK_STR_EQ(sums, grouped);
	free(sums);
	free(grouped);
}

/* The surveys report as JSON text (caller frees). */
static char *
report(struct hubdb *db, const char *school, const char *from, const char *to,
    const char *forms)
{
	struct report_opts o;
	struct terr e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	memset(&o, 0, sizeof(o));
	o.name = "surveys";
	o.school = school;
	o.from = from;
	o.to = to;
	o.format = REPORT_JSON;
	o.forms_dir = forms;
	CHECK(f != NULL);
	if (f == NULL)
		return strdup("");
	CHECK_INT_EQ(report_run(db, &o, f, &e), 0);
	fclose(f);
	return buf;
}

static const struct {
	const char *school, *from, *to, *forms;
} asks[] = {
	{ NULL, NULL, NULL, TETRAD_FORMS_DIR },
	{ NULL, NULL, NULL, NULL },
	{ "170101", NULL, NULL, TETRAD_FORMS_DIR },
	{ NULL, "2021-05-11", NULL, TETRAD_FORMS_DIR },
	{ NULL, NULL, "2021-05-11", TETRAD_FORMS_DIR },
	{ "170102", "2021-05-10", "2021-05-12", TETRAD_FORMS_DIR },
	{ NULL, "2000-01-01", "2100-01-01", NULL },
};

/*
 * The counters equal a rebuild from the records, and the report from them
 * equals the report from the records (the tally marked stale for a moment,
 * as on a migrated store).
 */
static void
check_round(struct hubdb *db, const char *path, const char *what)
{
	char *kept = tally_dump(db), *built, *a, *b;
	struct terr e;

	check_all_days(db, what);

	for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
		a = report(db, asks[i].school, asks[i].from, asks[i].to, asks[i].forms);
		file_exec(path, "INSERT INTO tally_stale VALUES('survey_')");
		b = report(db, asks[i].school, asks[i].from, asks[i].to, asks[i].forms);
		file_exec(path, "DELETE FROM tally_stale");
		if (strcmp(a, b) != 0)
			fprintf(stderr, "%s, ask %zu:\nfrom the tally: %s\nfrom the records: %s\n",
			    what, i, a, b);
		CHECK_STR_EQ(a, b);
		free(a);
		free(b);
	}
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(survey_facts_rebuild(db, &e), 0);
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	built = tally_dump(db);
	if (strcmp(kept, built) != 0)
		fprintf(stderr, "%s:\nkept:  %s\nbuilt: %s\n", what, kept, built);
	CHECK_STR_EQ(kept, built);
	check_all_days(db, what);
	free(kept);
	free(built);
}

static void
op_id(uint8_t id[16], int n)
{
	memset(id, 0, 16);
	id[0] = 0x01;
	id[6] = 0x70;
	id[8] = 0x80;
	id[14] = (uint8_t)(n >> 8);
	id[15] = (uint8_t)n;
}

/* Applies a put (json) or a delete (json NULL) by device dev at wall ms, in the
 * caller's transaction when tx, else in one of its own. */
static int
apply_tx(struct hubdb *db, bool tx, int dev, int rec, const char *form, const char *school,
    uint64_t wall, const char *json)
{
	static const char *const devs[] = { "00112233aabbccdd", "8899aabbccddeeff" };
	struct op op;
	struct terr e;
	unsigned conflicts = 0;
	int r;

	memset(&op, 0, sizeof(op));
	op_id(op.record_id, rec);
	snprintf(op.form_id, sizeof(op.form_id), "%s", form);
	op.form_version = 1;
	snprintf(op.school, sizeof(op.school), "%s", school);
	op.kind = json ? OP_PUT : OP_DELETE;
	op.hlc.wall_ms = wall;
	op.hlc.node = dev ? 0x8899aabbccddeeffULL : 0x00112233aabbccddULL;
	if (json && (op.fields = cJSON_Parse(json)) == NULL)
		return -1;
	if (!tx)
		CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	r = merge_apply(db, devs[dev], &op, &conflicts, &e);
	if (!tx && r == 0)
		CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	else if (!tx)
		hubdb_rollback(db);
	cJSON_Delete(op.fields);
	return r;
}

static int
apply(struct hubdb *db, int dev, int rec, const char *form, const char *school,
    uint64_t wall, const char *json)
{
	return apply_tx(db, false, dev, rec, form, school, wall, json);
}

static void
import(struct hubdb *db, int rec, const char *form, const char *school, bool deleted,
    const char *received, const char *hlc, const char *json)
{
	struct hubdb_record r;
	struct terr e;

	memset(&r, 0, sizeof(r));
	op_id(r.id, rec);
	snprintf(r.form_id, sizeof(r.form_id), "%s", form);
	r.form_version = 1;
	snprintf(r.school, sizeof(r.school), "%s", school);
	snprintf(r.device_id, sizeof(r.device_id), "00112233aabbccdd");
	snprintf(r.hlc, sizeof(r.hlc), "%s", hlc);
	r.deleted = deleted;
	r.data = strdup(json);
	CHECK_INT_EQ(hubdb_record_import(db, &r, received, &e), 0);
	hubdb_record_clear(&r);
}

/* A response of form f from a small deterministic generator: codes, free
 * text, numbers (halves: their sums are exact), nulls, booleans, lists. */
static void
response(char *out, size_t cap, const char *f, unsigned *seed)
{
	static const char *const codes[] = { "never", "rarely", "often", "math", "russian",
	    "lt3", "gt20", "always" };
	static const char *const qs[] = { "bullying", "feel_safe", "difficult_subjects",
	    "russian_at_home", "grade", "homework_hours", "wish", "plans", "team_climate",
	    "experience", "informed", "meetings", "teachers_total", "comment", "odd field" };
	/* version 2's own date: in and out of the asked periods, after the
	 * deadline, not a date at all, or absent (version 1) */
	static const char *const dates[] = { "2021-05-09", "2021-05-11", "2021-02-16",
	    "2021-02-30", "2021-05-12" };
	size_t n = 0;

	n += (size_t)snprintf(out + n, cap - n, "{");
	*seed = *seed * 1103515245u + 12345u;
	if ((*seed >> 16) % 7 < 5)
		n += (size_t)snprintf(out + n, cap - n, "\"response_date\":\"%s\"",
		    dates[(*seed >> 16) % 7]);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		unsigned v;

		*seed = *seed * 1103515245u + 12345u;
		v = (*seed >> 16) % 9;
		if (v == 0 || (strcmp(qs[i], "teachers_total") == 0 &&
		    strcmp(f, "survey_director") != 0))
			continue;
		n += (size_t)snprintf(out + n, cap - n, "%s\"%s\":", n > 1 ? "," : "", qs[i]);
		switch (v) {
		case 1:
		case 2:
			n += (size_t)snprintf(out + n, cap - n, "\"%s\"", codes[(*seed >> 8) % 8]);
			break;
		case 3:
			n += (size_t)snprintf(out + n, cap - n, "%u.5", (*seed >> 8) % 5);
			break;
		case 4:
			n += (size_t)snprintf(out + n, cap - n, "%u", (*seed >> 8) % 30);
			break;
		case 5:
			n += (size_t)snprintf(out + n, cap - n, "null");
			break;
		case 6:
			n += (size_t)snprintf(out + n, cap - n, "%s", (*seed >> 8) % 2 ? "true" :
			    "false");
			break;
		case 7:
			n += (size_t)snprintf(out + n, cap - n, "[\"%s\",\"%s\"]",
			    codes[(*seed >> 8) % 8], codes[(*seed >> 12) % 8]);
			break;
		default:
			n += (size_t)snprintf(out + n, cap - n, "\"свободный ответ %u\"", v);
			break;
		}
	}
	snprintf(out + n, cap - n, "}");
}

static void
test_maintained(const char *dir)
{
	static const char *const forms[] = { "survey_student", "survey_teacher",
	    "survey_parent", "survey_director" };
	static const char *const schools[] = { "170101", "170102", "170103" };
	char path[600], json[2048];
	struct hubdb *db = NULL;
	struct terr e;
	unsigned seed = 19;
	uint64_t wall = 1700000000000ULL;
	int n = 0;

	test_store(path, sizeof(path), dir, "kept.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return;
	CHECK_INT_EQ(hubdb_school_put(db, "170101", "Школа №1", &e), 0);
	/* round 1: first puts through merge, imports on other days */
	for (n = 1; n <= 60; n++) {
		const char *f = forms[n % 4];

		response(json, sizeof(json), f, &seed);
		CHECK_INT_EQ(apply(db, 0, n, f, schools[n % 3], wall + (uint64_t)n, json), 0);
	}
	for (; n <= 90; n++) {
		static const char *const days[] = { "2021-05-10T10:00:00Z", "2021-05-11T23:59:59Z",
		    "2021-05-12T00:00:00Z", "not a date", "" };
		char hlc[32];
		const char *f = forms[n % 4];

		response(json, sizeof(json), f, &seed);
		snprintf(hlc, sizeof(hlc), "%020d", n % 7);
		import(db, n, f, schools[n % 3], n % 11 == 0, days[n % 5], hlc, json);
	}
	/* a record of another form costs nothing and counts nowhere */
	CHECK_INT_EQ(apply(db, 0, 500, "risk_visit", "170101", wall, "{\"bullying\":\"never\"}"), 0);
	check_round(db, path, "first puts");

	/* round 2: edits from the other device, later (win) and earlier (lose) */
	for (int i = 1; i <= 60; i += 2) {
		response(json, sizeof(json), forms[i % 4], &seed);
		CHECK_INT_EQ(apply(db, 1, i, forms[i % 4], schools[i % 3],
		    wall + (i % 4 ? 1000 : 0) - (i % 3 ? 0 : 500), json), 0);
	}
	/* a same-HLC repeat changes nothing */
	response(json, sizeof(json), forms[2], &seed);
	CHECK_INT_EQ(apply(db, 0, 2, forms[2], schools[2], wall + 2, json), 0);
	check_round(db, path, "edits");

	/* round 3: deletes, a put after a delete, a delete losing to a put */
	for (int i = 3; i <= 60; i += 5)
		CHECK_INT_EQ(apply(db, 0, i, forms[i % 4], schools[i % 3], wall + 2000, NULL), 0);
	response(json, sizeof(json), forms[3], &seed);
	CHECK_INT_EQ(apply(db, 1, 3, forms[3], schools[0], wall + 3000, json), 0);
	CHECK_INT_EQ(apply(db, 0, 4, forms[0], schools[1], wall + 1, NULL), 0);
	CHECK_INT_EQ(apply(db, 0, 600, forms[0], schools[0], wall, NULL), 0);
	/* imports over stored records: edited, deleted, moved to another school and form */
	import(db, 61, forms[1], schools[1], false, "2021-05-10T10:00:00Z", "z",
	    "{\"experience\":\"gt20\",\"team_climate\":5}");
	import(db, 62, forms[2], schools[2], true, "2021-05-10T10:00:00Z", "z", "{}");
	import(db, 63, forms[0], "170104", false, "2021-05-11T10:00:00Z", "z",
	    "{\"bullying\":\"often\",\"grade\":7}");
	/* the director's latest word moves the teachers' base */
	import(db, 64, "survey_director", "170101", false, "2021-05-12T10:00:00Z",
	    "zzzzzzzzzzzzzzzzzzzz", "{\"teachers_total\":33}");
	check_round(db, path, "deletes and moves");

	/* group commit: a set undone to its savepoint takes its counters with it,
	 * the sets kept around it keep theirs, then a rollback forgets a whole group */
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
	CHECK_INT_EQ(apply_tx(db, true, 0, 700, forms[0], schools[0], wall + 5000,
	    "{\"bullying\":\"never\",\"grade\":3}"), 0);
	CHECK_INT_EQ(apply_tx(db, true, 1, 5, forms[5 % 4], schools[5 % 3], wall + 5000,
	    "{\"experience\":\"lt3\"}"), 0);
	CHECK_INT_EQ(hubdb_savepoint_release(db, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
	CHECK_INT_EQ(apply_tx(db, true, 0, 701, forms[0], schools[0], wall + 5001,
	    "{\"bullying\":\"often\",\"grade\":9}"), 0);
	CHECK_INT_EQ(apply_tx(db, true, 1, 7, forms[7 % 4], schools[7 % 3], wall + 5001, NULL),
	    0);
	CHECK_INT_EQ(hubdb_savepoint_undo(db, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint_release(db, &e), 0);
	CHECK_INT_EQ(hubdb_savepoint(db, &e), 0);
	CHECK_INT_EQ(apply_tx(db, true, 0, 702, forms[0], schools[1], wall + 5002,
	    "{\"bullying\":\"rarely\"}"), 0);
	CHECK_INT_EQ(hubdb_savepoint_release(db, &e), 0);
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	CHECK_INT_EQ(apply_tx(db, true, 0, 703, forms[0], schools[2], wall + 5003,
	    "{\"bullying\":\"never\"}"), 0);
	hubdb_rollback(db);
	check_round(db, path, "savepoints");
	hubdb_close(db);
}

/*
 * A store of schema 2 with responses: marked to be built, reported from
 * its records until then, built by its first write (a merge of any survey
 * record), and only once. An empty one is not marked.
 */
static void
test_migration(const char *dir)
{
	char path[600], *before, *after, *fresh, *dump, *v = NULL;
	struct hubdb *db = NULL;
	struct terr e;
	bool stale;

	test_store(path, sizeof(path), dir, "v2.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return;
	import(db, 1, "survey_student", "170101", false, "2021-05-10T10:00:00Z", "a",
	    "{\"bullying\":\"never\",\"grade\":5}");
	import(db, 2, "survey_teacher", "170101", false, "2021-05-10T10:00:00Z", "b",
	    "{\"experience\":\"lt3\"}");
	import(db, 3, "survey_director", "170101", false, "2021-05-09T10:00:00Z", "c",
	    "{\"teachers_total\":20}");
	fresh = report(db, NULL, NULL, NULL, TETRAD_FORMS_DIR);
	hubdb_close(db);
	/* as a hub of schema 2 left it */
	file_exec(path, "DROP TABLE tally; DROP TABLE tally_stale; PRAGMA user_version = 2");
	db = NULL;
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return;
	CHECK_INT_EQ(hubdb_test_query(db, "PRAGMA user_version", &v, &e), 0);
	CHECK_INT_EQ(v != NULL ? atoi(v) : -1, HUBDB_SCHEMA_VERSION);
	free(v);
	CHECK_INT_EQ(hubdb_tally_stale(db, SURVEY_FACTS_PREFIX, &stale, &e), 0);
	CHECK(stale);
	dump = tally_dump(db);
	CHECK_STR_EQ(dump, "");
	free(dump);
	before = report(db, NULL, NULL, NULL, TETRAD_FORMS_DIR);
	CHECK_STR_EQ(before, fresh);
	/* the first write builds it, with what it writes */
	CHECK_INT_EQ(apply(db, 0, 4, "survey_student", "170101", 1700000000000ULL,
	    "{\"bullying\":\"often\"}"), 0);
	CHECK_INT_EQ(hubdb_tally_stale(db, SURVEY_FACTS_PREFIX, &stale, &e), 0);
	CHECK(!stale);
	after = report(db, NULL, NULL, NULL, TETRAD_FORMS_DIR);
	CHECK_CONTAINS(after, "\"often\"");
	CHECK(strstr(before, "\"often\"") == NULL);
	check_round(db, path, "migrated");
	/* once: a row planted now survives the next writes */
	file_exec(path, "INSERT INTO tally VALUES('170101', 'survey_student', 'planted', 0, 1, 0)");
	CHECK_INT_EQ(apply(db, 0, 5, "survey_student", "170101", 1700000000001ULL,
	    "{\"bullying\":\"never\"}"), 0);
	import(db, 6, "survey_parent", "170101", false, "2021-05-10T10:00:00Z", "d", "{}");
	CHECK_INT_EQ(hubdb_test_query(db, "SELECT count(*) FROM tally WHERE key = 'planted'",
	    &v, &e), 0);
	CHECK_STR_EQ(v, "1");
	free(v);
	free(before);
	free(after);
	free(fresh);
	hubdb_close(db);

	/*
	 * A store of schema 4 from before tally_all: opened, it gains the
	 * table filled from the days, and reports as before.
	 */
	test_store(path, sizeof(path), dir, "no-all.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return;
	import(db, 1, "survey_student", "170101", false, "2021-05-10T10:00:00Z", "a",
	    "{\"bullying\":\"never\",\"grade\":5,\"response_date\":\"2021-03-01\"}");
	import(db, 2, "survey_student", "170102", false, "2021-05-11T10:00:00Z", "b",
	    "{\"bullying\":\"often\",\"grade\":7}");
	import(db, 3, "survey_director", "170101", false, "2021-05-09T10:00:00Z", "c",
	    "{\"teachers_total\":20}");
	fresh = report(db, NULL, NULL, NULL, TETRAD_FORMS_DIR);
	hubdb_close(db);
	file_exec(path, "DROP TABLE tally_all");
	db = NULL;
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return;
	CHECK_INT_EQ(hubdb_test_query(db, "SELECT count(*) > 0 FROM tally_all", &v, &e), 0);
	CHECK_STR_EQ(v, "1");
	free(v);
	check_all_days(db, "tally_all filled");
	after = report(db, NULL, NULL, NULL, TETRAD_FORMS_DIR);
	CHECK_STR_EQ(after, fresh);
	check_round(db, path, "tally_all filled");
	free(after);
	free(fresh);
	hubdb_close(db);

	/* an empty store of schema 2 has nothing to build */
	test_store(path, sizeof(path), dir, "v2-empty.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	hubdb_close(db);
	file_exec(path, "DROP TABLE tally; DROP TABLE tally_stale; PRAGMA user_version = 2");
	db = NULL;
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return;
	CHECK_INT_EQ(hubdb_tally_stale(db, SURVEY_FACTS_PREFIX, &stale, &e), 0);
	CHECK(!stale);
	hubdb_close(db);
}

/* Keys made by survey_facts_each read back; others refused. */
static void
test_keys(void)
{
	char buf[SURVEY_FACTS_KEY_MAX + 1];
	enum survey_fact_kind k;
	const char *q, *a;

	CHECK_INT_EQ(survey_facts_key_parse("resp", buf, &k, &q, &a), 0);
	CHECK_INT_EQ(k, SURVEY_FACT_RESP);
	CHECK_INT_EQ(survey_facts_key_parse("ans:bullying:never", buf, &k, &q, &a), 0);
	CHECK_INT_EQ(k, SURVEY_FACT_ANSWER);
	CHECK_STR_EQ(q, "bullying");
	CHECK_STR_EQ(a, "never");
	CHECK_INT_EQ(survey_facts_key_parse("scale:grade", buf, &k, &q, &a), 0);
	CHECK_INT_EQ(k, SURVEY_FACT_SCALE);
	CHECK(a == NULL);
	CHECK_INT_EQ(survey_facts_key_parse("staff:0001 ab", buf, &k, &q, &a), 0);
	CHECK_STR_EQ(q, "0001 ab");
	CHECK_INT_EQ(survey_facts_key_parse("ansq:a:b", buf, &k, &q, &a), -1);
	CHECK_INT_EQ(survey_facts_key_parse("ans:a", buf, &k, &q, &a), -1);
	CHECK_INT_EQ(survey_facts_key_parse("resp:x", buf, &k, &q, &a), -1);
	CHECK_INT_EQ(survey_facts_key_parse("other", buf, &k, &q, &a), -1);
	CHECK_INT_EQ(survey_facts_day("2021-05-10T10:00:00Z"), 18757);
	CHECK_INT_EQ(survey_facts_day("2021-05-1"), HUBDB_TALLY_NODAY);
	CHECK_INT_EQ(survey_facts_day("2021-02-30T00:00:00Z"), HUBDB_TALLY_NODAY);
	CHECK_INT_EQ(survey_facts_key_parse("dated", buf, &k, &q, &a), 0);
	CHECK_INT_EQ(k, SURVEY_FACT_DATED);
	/* a response's day: its own date, else the day received */
	{
		cJSON *d = cJSON_Parse("{\"response_date\":\"2021-05-10\"}");
		cJSON *bad = cJSON_Parse("{\"response_date\":\"10.05.2021\"}");

		CHECK_INT_EQ(survey_facts_response_day(d), 18757);
		CHECK_INT_EQ(survey_facts_record_day(d, 5), 18757);
		CHECK_INT_EQ(survey_facts_response_day(bad), HUBDB_TALLY_NODAY);
		CHECK_INT_EQ(survey_facts_record_day(bad, 5), 5);
		CHECK_INT_EQ(survey_facts_record_day(NULL, 5), 5);
		cJSON_Delete(d);
		cJSON_Delete(bad);
	}
}

int
main(void)
{
	char dir[] = "/tmp/test_survey_facts.XXXXXX", cmd[600];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_keys();
	test_maintained(dir);
	/* SQLite's old schemas (2, 4 before tally_all) and their migrations: a
	 * PostgreSQL store begins at the current schema and has none */
	if (!test_store_pg())
		test_migration(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
