/*
 * test_report_school — a report for one school reads that school's records
 * only (issue 23: a school's page at region scale), and gives what the
 * store's whole form would: hubdb_report_school_records hands over, in the
 * same order, exactly the records of that school hubdb_report_records
 * does (edits, deletions, schools interleaved in HLC order; through the
 * feed's index once the shared forms are numbered, before that and for a
 * questionnaire by reading the form whole); the store's sums of a tally key over windows of days
 * are hubdb_tally_each's, and read ahead on a connection of their own at a
 * read transaction's snapshot (PostgreSQL) the same; report_build_many (the school's page) gives each
 * report byte for byte what report_build does alone, for a school and for
 * all of them. A form longer than PostgreSQL's cursor batch is walked whole,
 * in order, with statements run between its rows, and stopped early, in one
 * read transaction.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "test_store.h"
#include "hub/hubdb.h"
#include "hub/report.h"
#include "../../../hub/src/report_model.h"
#include "../../../hub/src/report_render.h"

/* five: the ИСБШ is scored against a distribution from four schools on */
static const char *const schools[] = { "170001", "170002", "170003", "170004", "170005" };
#define NSCHOOLS (sizeof(schools) / sizeof(schools[0]))
static const char *const forms[] = {
	"risk_visit", "social_passport", "mediation_case", "survey_student",
};

/* Puts (or, with the same n, edits) record n; hlc grows with each call. */
static void
put(struct hubdb *db, int n, const char *form, const char *school, bool deleted,
    const char *data)
{
	static int hlc;
	struct hubdb_record r;
	struct terr e;

	memset(&r, 0, sizeof(r));
	r.id[14] = (unsigned char)(n >> 8);
	r.id[15] = (unsigned char)n;
	snprintf(r.hlc, sizeof(r.hlc), "%020d", ++hlc);
	snprintf(r.form_id, sizeof(r.form_id), "%s", form);
	r.form_version = 2;
	snprintf(r.school, sizeof(r.school), "%s", school);
	snprintf(r.device_id, sizeof(r.device_id), "00112233aabbccdd");
	r.deleted = deleted;
	r.data = strdup(data);
	CHECK_INT_EQ(hubdb_record_import(db, &r, "2026-03-02T08:00:00Z", &e), 0);
	hubdb_record_clear(&r);
}

/* The records a walk handed over, one line each: school, form, hlc, data. */
struct seen {
	char text[16384];
	size_t len;
	const char *only;                 /* keep only this school's (the whole form's walk) */
};

static int
on_record(void *arg, const struct hubdb_report_record *r)
{
	struct seen *s = arg;

	if (s->only && strcmp(r->school, s->only) != 0)
		return 0;
	s->len += (size_t)snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s %s %s %s %s\n",
	    r->school, r->form_id, r->hlc, r->received_date, r->data);
	CHECK(s->len < sizeof(s->text));
	return 0;
}

static void
fill(struct hubdb *db)
{
	char data[512];
	int n = 0;

	/* the schools' records interleaved in HLC order, as a region's arrive */
	for (int round = 0; round < 4; round++)
		for (size_t si = 0; si < NSCHOOLS; si++) {
			snprintf(data, sizeof(data), "{\"visit_date\":\"2026-0%d-1%zu\","
			    "\"visit_type\":\"%s\",\"project_year\":2026,\"factors\":["
			    "{\"factor\":\"R0%d\",\"decision\":\"%s\",\"profile_level\":\"high\"}]}",
			    round + 1, si, round ? "support" : "verification", round + 1,
			    round % 2 ? "confirmed" : "not_confirmed");
			put(db, ++n, "risk_visit", schools[si], false, data);
			snprintf(data, sizeof(data), "{\"snapshot_date\":\"2026-0%d-01\","
			    "\"academic_year\":\"2025/2026\",\"level\":\"school\","
			    "\"students_total\":%d,\"families_total\":%d,\"low_income_families\":%d,"
			    "\"parents_higher_education\":%d}", round + 1, 500 + 40 * (int)si,
			    400, 10 * (int)si + round, 100 + (int)si);
			put(db, ++n, "social_passport", schools[si], false, data);
			snprintf(data, sizeof(data), "{\"case_number\":\"%d\","
			    "\"received_date\":\"2026-0%d-05\",\"status\":\"completed\","
			    "\"source\":\"teacher\",\"agreement\":true,\"children_count\":2}",
			    round % 2, round + 1);
			put(db, ++n, "mediation_case", schools[si], false, data);
			put(db, ++n, "survey_student", schools[si], false,
			    "{\"response_date\":\"2026-03-01\"}");
		}
	/* an edit (a later clock), and a deletion */
	put(db, 1, "risk_visit", schools[0], false, "{\"visit_date\":\"2026-05-20\","
	    "\"visit_type\":\"verification\",\"factors\":[]}");
	put(db, 6, "social_passport", schools[1], true, "{}");
}

/* The school's walk against the whole form's, filtered: the same lines. */
static void
check_walks(struct hubdb *db)
{
	static struct seen a, b;
	struct terr e;

	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++)
		for (size_t si = 0; si <= NSCHOOLS; si++) {
			const char *school = si < NSCHOOLS ? schools[si] : "999999";

			memset(&a, 0, sizeof(a));
			memset(&b, 0, sizeof(b));
			b.only = school;
			CHECK_INT_EQ(hubdb_report_school_records(db, forms[f], school, on_record,
			    &a, &e), 0);
			CHECK_INT_EQ(hubdb_report_records(db, forms[f], false, on_record, &b, &e),
			    0);
			CHECK_STR_EQ(a.text, b.text);
			/* nothing but the school's, and some for a known school */
			CHECK(si == NSCHOOLS ? a.len == 0 : a.len > 0);
		}
}

/* Tally rows of one key summed by (school, form) as text lines. */
struct rows {
	char text[4096];
	size_t len;
	char school[16], form[40];
	long long n;
	const int64_t *lo;                /* the windows' first days (a sum's row.day) */
	size_t nwin;
};

static void
rows_flush(struct rows *w)
{
	if (w->school[0])
		w->len += (size_t)snprintf(w->text + w->len, sizeof(w->text) - w->len,
		    "%s %s %lld\n", w->school, w->form, w->n);
	w->school[0] = '\0';
	w->n = 0;
}

static int
on_tally(void *arg, const struct hubdb_tally_row *r)
{
	struct rows *w = arg;
	bool window = false;

	/* a sum's row has its window's first day; hubdb_tally_each's none */
	for (size_t k = 0; k < w->nwin; k++)
		window = window || r->day == w->lo[k];
	CHECK(w->nwin ? window : r->day == HUBDB_TALLY_NODAY);
	if (strcmp(r->key, "resp") != 0)
		return 0;
	if (strcmp(w->school, r->school) != 0 || strcmp(w->form, r->form_id) != 0) {
		rows_flush(w);
		snprintf(w->school, sizeof(w->school), "%s", r->school);
		snprintf(w->form, sizeof(w->form), "%s", r->form_id);
	}
	w->n += r->n;
	return 0;
}

/*
 * The responses' counter summed by the store over windows of days: what
 * hubdb_tally_each sums of it, over one window and over several (two
 * years' windows, one of them with no day: read only where a school's days
 * reach).
 */
static void
check_key_sums(struct hubdb *db)
{
	static struct rows days, sums;
	/* 2026-03-01 is day 20513; 2025-03-01 … 2025-08-31 holds none */
	static const int64_t lo[][2] = { { 20513, 0 }, { 20200, 20400 }, { 20514, 0 } };
	static const int64_t hi[][2] = { { 20513, 0 }, { 20300, 20600 }, { 20600, 0 } };
	static const size_t nwin[] = { 1, 2, 1 };
	struct terr e;

	for (int k = 0; k < 4; k++) {
		const char *school = k == 3 ? schools[2] : NULL;
		int w = k == 3 ? 0 : k;

		memset(&days, 0, sizeof(days));
		memset(&sums, 0, sizeof(sums));
		sums.lo = lo[w];
		sums.nwin = nwin[w];
		for (size_t i = 0; i < nwin[w]; i++)
			CHECK_INT_EQ(hubdb_tally_each(db, "survey_", school, lo[w][i], hi[w][i],
			    on_tally, &days, &e), 0);
		CHECK_INT_EQ(hubdb_tally_key_sums(db, "survey_", school, "resp", lo[w], hi[w],
		    nwin[w], on_tally, &sums, &e), 0);
		rows_flush(&days);
		rows_flush(&sums);
		CHECK_STR_EQ(sums.text, days.text);
		CHECK(w == 2 ? sums.len == 0 : sums.len > 0);
	}
}

/*
 * The same sums read ahead (hubdb_tally_key_sums_ahead): in a read
 * transaction on PostgreSQL on a connection of their own, at the
 * handle's snapshot (a tally row another handle commits meanwhile is not
 * in them); outside a transaction, and on SQLite, read on the handle when
 * asked. Either way the rows hubdb_tally_key_sums gives.
 */
static void
check_key_sums_ahead(struct hubdb *db, const char *path)
{
	static const int64_t lo[] = { 20200, 20400 }, hi[] = { 20399, 20700 };
	static struct rows want, got, after;
	struct hubdb_ahead *a = NULL;
	struct hubdb *other = NULL;
	struct terr e;
	bool stale;

	memset(&want, 0, sizeof(want));
	want.lo = lo;
	want.nwin = 2;
	got = after = want;
	CHECK_INT_EQ(hubdb_tally_key_sums(db, "survey_", NULL, "resp", lo, hi, 2, on_tally,
	    &want, &e), 0);
	rows_flush(&want);
	CHECK(want.len > 0);

	CHECK_INT_EQ(hubdb_begin_read(db, &e), 0);
	/* a read first, as a report's: the snapshot is taken there */
	CHECK_INT_EQ(hubdb_tally_stale(db, "survey_", &stale, &e), 0);
	/* a response counted by another handle after the snapshot, before the
	 * read ahead begins: not in what the handle reads, so not in it */
	CHECK_INT_EQ(hubdb_open(path, &other, &e), 0);
	if (other != NULL) {
		CHECK_INT_EQ(hubdb_tally_add(other, "survey_student", schools[4], "resp", 20500,
		    5, 0, &e), 0);
		hubdb_close(other);
	}
	CHECK_INT_EQ(hubdb_tally_key_sums_ahead(db, "survey_", NULL, "resp", lo, hi, 2, &a, &e),
	    0);
	CHECK(hubdb_ahead_apart(a) == test_store_pg());
	CHECK_INT_EQ(hubdb_ahead_finish(a, on_tally, &got, &e), 0);
	rows_flush(&got);
	CHECK_STR_EQ(got.text, want.text);
	hubdb_ahead_free(a);
	hubdb_rollback(db);

	/* no transaction: nothing to share, the handle reads them, the new row too */
	a = NULL;
	CHECK_INT_EQ(hubdb_tally_key_sums_ahead(db, "survey_", NULL, "resp", lo, hi, 2, &a, &e),
	    0);
	CHECK(!hubdb_ahead_apart(a));
	CHECK_INT_EQ(hubdb_ahead_finish(a, on_tally, &after, &e), 0);
	rows_flush(&after);
	CHECK(strcmp(after.text, want.text) != 0);
	CHECK(strstr(after.text, "170005 survey_student") != NULL);
	hubdb_ahead_free(a);
	/* the row taken back: the store as the checks after expect it */
	CHECK_INT_EQ(hubdb_tally_add(db, "survey_student", schools[4], "resp", 20500, -5, 0, &e),
	    0);
	/* freed unfinished: the thread waited for */
	a = NULL;
	CHECK_INT_EQ(hubdb_begin_read(db, &e), 0);
	CHECK_INT_EQ(hubdb_tally_key_sums_ahead(db, "survey_", NULL, "resp", lo, hi, 2, &a, &e),
	    0);
	hubdb_ahead_free(a);
	hubdb_rollback(db);
}

/* A report's JSON as report_run writes it, from a built model. */
static char *
json_of(const struct report_out *rep, const struct report_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct terr e;

	CHECK_INT_EQ(report_render_json(rep, o, f, &e), 0);
	fclose(f);
	return buf;
}

/* The six reports of a school's page built together, against one by one. */
static void
check_many(struct hubdb *db, const char *school, const char *from)
{
	static const char *const names[] = {
		"completeness", "verification", "passport", "identification", "mediation",
		"surveys",
	};
	static const char *const bad[] = { "passport", "nosuch" };
	struct report_out many[6], one;
	struct report_opts o;
	struct terr e;

	memset(&o, 0, sizeof(o));
	o.school = school;
	o.from = from;
	o.format = REPORT_JSON;
	o.forms_dir = TETRAD_FORMS_DIR;
	CHECK_INT_EQ(report_build_many(db, &o, names, 6, many, &e), 0);
	for (size_t i = 0; i < 6; i++) {
		char *x, *y;

		o.name = names[i];
		CHECK_INT_EQ(report_build(db, &o, &one, &e), 0);
		x = json_of(&many[i], &o);
		y = json_of(&one, &o);
		CHECK_STR_EQ(x, y);
		/* the ИСБШ shared by passport and identification is the municipal one */
		if (strcmp(names[i], "identification") == 0)
			CHECK(strstr(x, "\"isbsh\"") != NULL);
		free(x);
		free(y);
		report_model_free(&one);
		report_model_free(&many[i]);
	}
	/* an unknown name: nothing built */
	CHECK_INT_EQ(report_build_many(db, &o, bad, 2, many, &e), TERR_ARG);
	CHECK_INT_EQ((int)many[0].nsects, 0);
}

/* A walk past the PostgreSQL cursor's batch (HSQL_SCAN_ROWS): count, order, stop. */
struct long_walk {
	char last[32];
	const char *school;               /* NULL: any */
	long n, stop_at;                  /* stop_at > 0: cb returns 1 at that row */
	bool ordered;
	struct hubdb *db;                 /* not NULL: a statement of its own every 1,000 rows */
};

static int
on_long(void *arg, const struct hubdb_report_record *r)
{
	struct long_walk *w = arg;

	if (strcmp(r->hlc, w->last) <= 0 || (w->school && strcmp(r->school, w->school) != 0))
		w->ordered = false;
	snprintf(w->last, sizeof(w->last), "%s", r->hlc);
	if (w->db != NULL && w->n % 1000 == 999) {
		struct terr e;
		bool stale;

		/* PostgreSQL: the cursor's next rows are already asked for */
		CHECK_INT_EQ(hubdb_tally_stale(w->db, "survey_", &stale, &e), 0);
	}
	return ++w->n == w->stop_at ? 1 : 0;
}

/*
 * A form of more records than one cursor batch (9,000; 4,500 of a school),
 * read in the report's read transaction as report_run reads (on PostgreSQL
 * through a cursor): every live record once in HLC order, the callback
 * running statements of its own meanwhile, then a walk the callback stops
 * early, then another read in the same transaction.
 */
static void
check_long_walk(const char *dir)
{
	enum { N = 9000 };
	struct long_walk w;
	struct hubdb *db = NULL;
	struct terr e;
	char path[256], data[64];

	test_store(path, sizeof(path), dir, "long.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return;
	CHECK_INT_EQ(hubdb_begin(db, &e), 0);
	for (int n = 1; n <= N; n++) {
		snprintf(data, sizeof(data), "{\"visit_date\":\"2026-03-%02d\"}", 1 + n % 28);
		put(db, 20000 + n, "risk_visit", schools[n % 2], n == N, data);
	}
	CHECK_INT_EQ(hubdb_commit(db, &e), 0);
	CHECK_INT_EQ(hubdb_begin_read(db, &e), 0);
	memset(&w, 0, sizeof(w));
	w.ordered = true;
	w.db = db;
	CHECK_INT_EQ(hubdb_report_records(db, "risk_visit", false, on_long, &w, &e), 0);
	CHECK_INT_EQ(w.n, N - 1);
	CHECK(w.ordered);
	memset(&w, 0, sizeof(w));
	w.ordered = true;
	w.school = schools[1];
	CHECK_INT_EQ(hubdb_report_school_records(db, "risk_visit", schools[1], on_long, &w, &e),
	    0);
	CHECK_INT_EQ(w.n, N / 2);
	CHECK(w.ordered);
	memset(&w, 0, sizeof(w));
	w.ordered = true;
	w.stop_at = 5000;
	CHECK_INT_EQ(hubdb_report_records(db, "risk_visit", false, on_long, &w, &e), 1);
	CHECK_INT_EQ(w.n, 5000);
	memset(&w, 0, sizeof(w));
	w.ordered = true;
	w.school = schools[0];
	CHECK_INT_EQ(hubdb_report_school_records(db, "risk_visit", schools[0], on_long, &w, &e),
	    0);
	CHECK_INT_EQ(w.n, N / 2 - 1);
	CHECK(w.ordered);
	hubdb_rollback(db);
	hubdb_close(db);
}

int
main(void)
{
	static const char *const shared[] = { "risk_visit", "social_passport", "mediation_case" };
	char dir[] = "/tmp/tetrad-test-report-school.XXXXXX", path[256], cmd[300];
	struct hubdb *db = NULL;
	struct terr e;

	CHECK(mkdtemp(dir) != NULL);
	test_store(path, sizeof(path), dir, "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	fill(db);
	/* no form numbered for the feed yet: every form read whole */
	check_walks(db);
	/* the shared forms numbered (as a hub with its forms does): their index */
	CHECK_INT_EQ(hubdb_feed_forms(db, shared, 3, 1, &e), 0);
	check_walks(db);
	/* records written after: a new visit and an edit take their positions */
	put(db, 900, "risk_visit", schools[3], false, "{\"visit_date\":\"2026-05-21\","
	    "\"visit_type\":\"support\",\"factors\":[]}");
	put(db, 3, "mediation_case", schools[0], false, "{\"case_number\":\"7\","
	    "\"received_date\":\"2026-05-05\",\"status\":\"held\"}");
	check_walks(db);
	check_key_sums(db);
	check_key_sums_ahead(db, path);
	check_many(db, "170002", NULL);
	check_many(db, "170001", "2026-02-01");
	check_many(db, NULL, NULL);
	hubdb_close(db);

	/* the set numbered is the store's: a handle not told reads the same */
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	check_walks(db);
	hubdb_close(db);
	check_long_walk(dir);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_INT_EQ(system(cmd), 0);
	return check_summary();
}
