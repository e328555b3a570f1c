/*
 * bench_ui — the server side of `tetrad ui` (issue 22): how long the pages a
 * curator waits for take to render, measured in the process, as the
 * server's one thread does them (no HTTP, no browser). Not a test: prints
 * figures.
 *
 *   bench_ui [RECORDS [RUNS]]     defaults 100,000 records, 200 runs
 *
 * - The eleven-factor visit form (forms/risk_visit.json), formview_render:
 *   a new, empty visit as /fill first shows it; a filled one with the
 *   eleven factors and three problems next to their fields, as a post that
 *   did not pass comes back; and formview_show, the review page.
 * - The record list (ui_records_render: the /records page's own query and
 *   render, filters, table and page links) over a curator's laptop database
 *   of RECORDS records of four schools: the first page, a page deep in the
 *   list, the last page, one form, one form and one school, a period, a
 *   search. The database is written first, the way `tetrad import` writes
 *   (rec_create in one transaction, outbox rows included), then opened
 *   with ui_open as `tetrad ui` opens it.
 *
 * Every figure is from RUNS renders, each into a fresh writer, interleaved:
 * one of every page in turn, round after round, so a slow second of the
 * shared machine falls on all of them. Printed: wall time (CLOCK_MONOTONIC,
 * what a person waits) median, p99 and max; the thread's CPU time median
 * (what the page costs, less moved by whatever else the machine runs); the
 * page's size. The database lives in $TMPDIR
 * (or /tmp) and is removed at the end. TETRAD_BENCH_UI_OUT=DIR writes each
 * page once as DIR/NN.html (NN its line in the output), to see what was
 * timed, and keeps the database (its path printed).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "client/catalog.h"
#include "client/rec.h"
#include "client/store.h"
#include "tetrad/form.h"
#include "tetrad/formsdir.h"
#include "ui_private.h"
#include "web/formview.h"
#include "web/html.h"

#define SCHOOLS "170103,170104,170105,170106"

static const char *const schools[] = { "170103", "170104", "170105", "170106" };

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (unsigned)(rng % n) : 0;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The thread's CPU time: what the page cost, whatever else the shared
 * machine runs meanwhile (wall time is what a person waits). */
static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A date of the school year 2025/26, day 0..299 from 1 September. */
static void
school_day(char out[11], unsigned day)
{
	static const int len[] = { 30, 31, 30, 31, 31, 28, 31, 30, 31, 30 };
	int m = 0, y = 2025, mon = 9;

	while (m < 9 && (int)day >= len[m])
		day -= (unsigned)len[m++];
	mon += m;
	if (mon > 12) {
		mon -= 12;
		y++;
	}
	{
		/* the values are in range; the compiler cannot see it (Debug) */
		char buf[48];

		snprintf(buf, sizeof(buf), "%04d-%02d-%02u", y, mon, day + 1);
		memcpy(out, buf, 10);
		out[10] = '\0';
	}
}

/* A verification visit of one school: eleven factors, one decision each. */
static cJSON *
visit(const char *school, const char *date)
{
	static const char *decisions[] = { "confirmed", "confirmed",
	    "not_confirmed", "needs_clarification" };
	static const char *evidence[] = { "talk_admin", "talk_teachers",
	    "documents", "results", "lesson_visit" };
	static const char *levels[] = { "high", "medium", "low" };
	cJSON *o = cJSON_CreateObject(), *fs = cJSON_AddArrayToObject(o, "factors");
	cJSON *p = cJSON_AddArrayToObject(o, "participants");

	cJSON_AddStringToObject(o, "school_code", school);
	cJSON_AddNumberToObject(o, "project_year", 2025);
	cJSON_AddStringToObject(o, "curator", "Петрова Мария Ивановна");
	cJSON_AddStringToObject(o, "visit_type", rnd(2) ? "verification" : "monitoring");
	cJSON_AddStringToObject(o, "visit_format", "onsite");
	cJSON_AddStringToObject(o, "visit_date", date);
	cJSON_AddItemToArray(p, cJSON_CreateString("director"));
	cJSON_AddItemToArray(p, cJSON_CreateString("teachers"));
	for (int i = 1; i <= 11; i++) {
		cJSON *it = cJSON_CreateObject(), *ev = cJSON_AddArrayToObject(it, "evidence");
		const char *dec = decisions[rnd(4)];
		char code[8];

		snprintf(code, sizeof(code), "R%02d", i);
		cJSON_AddStringToObject(it, "factor", code);
		cJSON_AddStringToObject(it, "profile_level", levels[rnd(3)]);
		cJSON_AddStringToObject(it, "decision", dec);
		cJSON_AddItemToArray(ev, cJSON_CreateString(evidence[rnd(5)]));
		if (strcmp(dec, "confirmed") != 0)
			cJSON_AddStringToObject(it, "comment",
			    "Не подтверждено документами школы");
		cJSON_AddItemToArray(fs, it);
	}
	cJSON_AddStringToObject(o, "conclusions", "Итоги посещения обсуждены с директором.");
	cJSON_AddStringToObject(o, "next_steps", "Концепция развития до конца четверти.");
	cJSON_AddTrueToObject(o, "medk_entered");
	cJSON_AddStringToObject(o, "medk_date", date);
	return o;
}

static cJSON *
passport(const char *date)
{
	static const char *classes[] = { "5А", "5Б", "6А", "7В", "8А", "9Б", "10А", "11А" };
	cJSON *o = cJSON_CreateObject();
	unsigned n = 20 + rnd(10);

	cJSON_AddStringToObject(o, "academic_year", "2025/2026");
	cJSON_AddStringToObject(o, "snapshot_date", date);
	cJSON_AddStringToObject(o, "level", "class");
	cJSON_AddStringToObject(o, "class_name", classes[rnd(8)]);
	cJSON_AddNumberToObject(o, "students_total", n);
	cJSON_AddNumberToObject(o, "students_4_11", n);
	cJSON_AddNumberToObject(o, "families_total", n - 2);
	cJSON_AddNumberToObject(o, "large_families", rnd(6));
	cJSON_AddNumberToObject(o, "low_income_families", rnd(6));
	cJSON_AddNumberToObject(o, "single_parent_families", rnd(6));
	cJSON_AddNumberToObject(o, "foster_children", rnd(2));
	cJSON_AddNumberToObject(o, "orphans", rnd(2));
	cJSON_AddNumberToObject(o, "disabled_children", rnd(2));
	cJSON_AddNumberToObject(o, "special_needs", rnd(3));
	cJSON_AddNumberToObject(o, "sop_families", rnd(2));
	cJSON_AddNumberToObject(o, "tjs_families", rnd(3));
	cJSON_AddNumberToObject(o, "kdn_registered", rnd(2));
	cJSON_AddNumberToObject(o, "pdn_registered", rnd(2));
	cJSON_AddNumberToObject(o, "school_registered", rnd(3));
	cJSON_AddNumberToObject(o, "unemployed_parents", rnd(5));
	cJSON_AddNumberToObject(o, "parents_higher_education", rnd(8));
	cJSON_AddNumberToObject(o, "non_native_russian", rnd(3));
	cJSON_AddNumberToObject(o, "migrant_families", rnd(2));
	return o;
}

static cJSON *
student(const char *date)
{
	static const char *bullying[] = { "never", "rarely", "often", "no_answer" };
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "response_date", date);
	cJSON_AddNumberToObject(o, "grade", 4 + rnd(8));
	cJSON_AddNumberToObject(o, "enough_equipment", 1 + rnd(5));
	cJSON_AddNumberToObject(o, "feel_safe", 1 + rnd(5));
	cJSON_AddStringToObject(o, "bullying", bullying[rnd(4)]);
	cJSON_AddNumberToObject(o, "like_learning", 1 + rnd(5));
	cJSON_AddNumberToObject(o, "teacher_helps", 1 + rnd(5));
	cJSON_AddNumberToObject(o, "tasks_fit_level", 1 + rnd(5));
	return o;
}

static cJSON *
parent(const char *date)
{
	static const char *meetings[] = { "always", "sometimes", "never" };
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "response_date", date);
	cJSON_AddNumberToObject(o, "child_grade", 1 + rnd(11));
	cJSON_AddNumberToObject(o, "informed", 1 + rnd(5));
	cJSON_AddStringToObject(o, "meetings", meetings[rnd(3)]);
	cJSON_AddNumberToObject(o, "child_safe", 1 + rnd(5));
	cJSON_AddNumberToObject(o, "child_likes_learning", 1 + rnd(5));
	cJSON_AddBoolToObject(o, "needs_help", rnd(2));
	cJSON_AddNumberToObject(o, "satisfaction", 1 + rnd(5));
	return o;
}

/*
 * A curator's laptop with n records of its four schools: a fifth visits,
 * three tenths class passports, the rest questionnaires (students and
 * parents), one in twenty a draft, dates across the school year.
 */
static int
build(const char *db, int n, const struct catalog *c, struct terr *e)
{
	struct store *s = NULL;
	const struct form *fv = catalog_latest(c, "risk_visit"),
	    *fp = catalog_latest(c, "social_passport"),
	    *fs = catalog_latest(c, "survey_student"),
	    *fpa = catalog_latest(c, "survey_parent");
	int r;

	if (fv == NULL || fp == NULL || fs == NULL || fpa == NULL) {
		terr_set(e, TERR_NOTFOUND, "a built-in form is missing");
		return TERR_NOTFOUND;
	}
	if ((r = store_open(db, true, &s, e)) != 0)
		return r;
	if ((r = store_begin(s, e)) != 0)
		goto out;
	if ((r = store_meta_set(s, "curator_name", "Петрова М. И.", e)) != 0 ||
	    (r = store_meta_set(s, "device_id", "a1b2c3d4e5f60718", e)) != 0 ||
	    (r = store_meta_set(s, "device_kind", "curator", e)) != 0 ||
	    (r = store_meta_set(s, "device_schools", SCHOOLS, e)) != 0 ||
	    (r = store_meta_set(s, "next_seq", "1", e)) != 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		const char *school = schools[rnd(4)];
		unsigned k = rnd(100);
		const struct form *f;
		uint8_t id[UUID7_BYTES];
		char date[11];
		cJSON *v;

		school_day(date, (unsigned)((uint64_t)i * 300 / (unsigned)n));
		if (k < 20) {
			f = fv;
			v = visit(school, date);
		} else if (k < 50) {
			f = fp;
			v = passport(date);
		} else if (k < 80) {
			f = fs;
			v = student(date);
		} else {
			f = fpa;
			v = parent(date);
		}
		r = rec_create(s, f, school, v, rnd(20) == 0, true, id, e);
		cJSON_Delete(v);
		if (r != 0)
			goto fail;
	}
	r = store_commit(s, e);
	goto out;
 fail:
	store_rollback(s);
 out:
	store_close(s);
	return r;
}

/*
 * The records were all made this second; a curator's were entered across
 * the school year, and the list's period filter is on the time a record
 * was made (created_hlc, its first 12 hex digits the wall clock in ms).
 * Their wall clocks are spread over 300 days from 1 September 2025 in the
 * order they were written, the rest of each HLC kept.
 */
static int
spread(const char *db, struct terr *e)
{
	sqlite3 *q = NULL;
	char *msg = NULL;
	int rc;

	rc = sqlite3_open_v2(db, &q, SQLITE_OPEN_READWRITE, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(q,
		    "UPDATE records SET created_hlc = format('%012x', 1756684800000 + "
		    "(o.n - 1) * 25920000000 / o.total) || substr(records.created_hlc, 13) "
		    "FROM (SELECT id, row_number() OVER (ORDER BY created_hlc) AS n, "
		    "count(*) OVER () AS total FROM records) AS o WHERE records.id = o.id",
		    NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		terr_set(e, TERR_IO, "spread: %s", msg ? msg : sqlite3_errmsg(q));
	sqlite3_free(msg);
	sqlite3_close(q);
	return rc == SQLITE_OK ? 0 : TERR_IO;
}

struct page {
	const char *name;
	const char *query;    /* a list page; NULL: a form render */
	int kind;             /* form renders: 0 new, 1 filled with problems, 2 show */
	double *t, *cpu;
	size_t bytes;
	int no;               /* its number, for TETRAD_BENCH_UI_OUT */
};

static int
render(struct page *p, struct ui *u, const struct form *f, const cJSON *filled,
    const struct form_problems *probs, const struct formview_opts *o,
    struct terr *e)
{
	struct html *h = html_new(0);
	size_t len = 0;
	int r;

	if (h == NULL) {
		terr_set(e, TERR_NOMEM, "out of memory");
		return TERR_NOMEM;
	}
	if (p->query != NULL)
		r = ui_records_render(u, p->query, h, e);
	else if (p->kind == 0)
		r = formview_render(h, f, NULL, NULL, NULL, o, e);
	else if (p->kind == 1)
		r = formview_render(h, f, filled, NULL, probs, o, e);
	else
		r = formview_show(h, f, filled, o, e);
	if (r == 0)
		r = html_status(h, e);
	{
		const char *data = html_data(h, &len);
		const char *dir = getenv("TETRAD_BENCH_UI_OUT");

		/* the pages once, to look at what was timed */
		if (r == 0 && dir != NULL && p->bytes == 0) {
			char path[1024];
			FILE *fp;

			snprintf(path, sizeof(path), "%s/%02d.html", dir, p->no);
			if ((fp = fopen(path, "w")) != NULL) {
				fwrite(data, 1, len, fp);
				fclose(fp);
			}
		}
	}
	p->bytes = len;
	html_free(h);
	return r;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000;
	int runs = argc > 2 ? atoi(argv[2]) : 200;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[512], db[600], cmd[700], last[64], deep[64];
	const char *forms = NULL;
	const char *codes[] = { "170103", "170104", "170105", "170106" };
	struct formview_opts o = { .school_codes = codes, .n_schools = 4 };
	struct catalog *c = NULL;
	struct ui *u = NULL;
	struct form_problems *probs = NULL;
	const struct form *f;
	cJSON *filled = NULL;
	struct terr e = { 0 };
	double t0;
	int rc = 1, pages;
	struct page pg[] = {
		{ "visit form, new (formview_render)", NULL, 0, NULL, NULL, 0, 0 },
		{ "visit form, 11 factors + 3 problems", NULL, 1, NULL, NULL, 0, 0 },
		{ "visit review (formview_show)", NULL, 2, NULL, NULL, 0, 0 },
		{ "list: first page", "", 0, NULL, NULL, 0, 0 },
		{ "list: page 2", "page=2", 0, NULL, NULL, 0, 0 },
		{ "list: a page in the middle", deep, 0, NULL, NULL, 0, 0 },
		{ "list: the last page", last, 0, NULL, NULL, 0, 0 },
		{ "list: one form (visits)", "form=risk_visit", 0, NULL, NULL, 0, 0 },
		{ "list: form + school + final", "form=social_passport&school=170104&status=final", 0, NULL, NULL, 0, 0 },
		{ "list: drafts", "status=draft", 0, NULL, NULL, 0, 0 },
		{ "list: a period (one month)", "from=2026-02-01&to=2026-02-28", 0, NULL, NULL, 0, 0 },
		{ "list: search «5А»", "q=5%D0%90", 0, NULL, NULL, 0, 0 },
	};
	const size_t np = sizeof(pg) / sizeof(pg[0]);

	if (n < 1 || runs < 1)
		return 2;
	/* the list's page size is the server's: 50 a page */
	pages = (n + 49) / 50;
	snprintf(deep, sizeof(deep), "page=%d", pages / 2);
	snprintf(last, sizeof(last), "page=%d", pages);
	snprintf(dir, sizeof(dir), "%s/bench_ui.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(db, sizeof(db), "%s/curator.db", dir);
	if (formsdir_builtin(&forms, &e) != 0 || catalog_load(forms, NULL, &c, &e) != 0) {
		fprintf(stderr, "forms: %s\n", e.msg);
		goto out;
	}
	t0 = now_ms();
	if (build(db, n, c, &e) != 0 || spread(db, &e) != 0) {
		fprintf(stderr, "build: %s\n", e.msg);
		goto out;
	}
	printf("database: %d records of 4 schools (visits 20%%, class passports 30%%, "
	    "questionnaires 50%%; 5%% drafts) written in %.1f s\n", n,
	    (now_ms() - t0) / 1e3);
	if (ui_open(db, &u, &e) != 0) {
		fprintf(stderr, "ui_open: %s\n", e.msg);
		goto out;
	}
	f = catalog_latest(c, "risk_visit");
	filled = visit("170104", "2026-03-04");
	/* three problems a post that did not pass brings back */
	{
		struct form_problems *all = NULL;
		cJSON *bad = cJSON_Duplicate(filled, true);
		cJSON *fs = cJSON_GetObjectItem(bad, "factors");

		cJSON_DeleteItemFromObject(bad, "curator");
		for (int i = 0; i < 2; i++) {
			cJSON *it = cJSON_GetArrayItem(fs, 3 + 4 * i);

			cJSON_ReplaceItemInObject(it, "decision",
			    cJSON_CreateString("not_confirmed"));
			cJSON_DeleteItemFromObject(it, "comment");
		}
		/* TERR_INVALID and the problems are what is wanted here */
		if (form_validate(f, bad, FORM_FINAL, &all, &e) != TERR_INVALID ||
		    all == NULL) {
			fprintf(stderr, "validate: the broken visit passed or failed "
			    "otherwise: %s\n", e.msg);
			cJSON_Delete(bad);
			goto out;
		}
		cJSON_Delete(filled);
		filled = bad;
		probs = all;
	}
	for (size_t i = 0; i < np; i++) {
		pg[i].no = (int)i + 1;
		if ((pg[i].t = calloc((size_t)runs, sizeof(double))) == NULL ||
		    (pg[i].cpu = calloc((size_t)runs, sizeof(double))) == NULL)
			goto out;
	}
	/* one warm-up round, not counted: the page cache, SQLite's statements */
	for (size_t i = 0; i < np; i++)
		if (render(&pg[i], u, f, filled, probs, &o, &e) != 0) {
			fprintf(stderr, "%s: %s\n", pg[i].name, e.msg);
			goto out;
		}
	for (int r = 0; r < runs; r++)
		for (size_t i = 0; i < np; i++) {
			double t = now_ms(), c0 = cpu_ms();

			if (render(&pg[i], u, f, filled, probs, &o, &e) != 0) {
				fprintf(stderr, "%s: %s\n", pg[i].name, e.msg);
				goto out;
			}
			pg[i].t[r] = now_ms() - t;
			pg[i].cpu[r] = cpu_ms() - c0;
		}
	printf("the filled visit carries %zu problems; %d renders of each page, "
	    "interleaved; ms\n", probs->n, runs);
	printf("  %-38s %8s %8s %8s %8s  %s\n", "", "wall med", "p99", "max",
	    "CPU med", "page");
	for (size_t i = 0; i < np; i++) {
		double *t = pg[i].t;

		qsort(t, (size_t)runs, sizeof(*t), cmp_double);
		qsort(pg[i].cpu, (size_t)runs, sizeof(double), cmp_double);
		printf("  %-38s %8.3f %8.3f %8.3f %8.3f  %5.1f KiB%s%s\n", pg[i].name,
		    t[runs / 2], t[(size_t)((runs - 1) * 0.99)], t[runs - 1],
		    pg[i].cpu[runs / 2], pg[i].bytes / 1024.0,
		    pg[i].query && *pg[i].query ? "  " : "",
		    pg[i].query ? pg[i].query : "");
	}
	printf("the last page against the first (medians): wall %.2f×, CPU %.2f×\n",
	    pg[6].t[runs / 2] / pg[3].t[runs / 2],
	    pg[6].cpu[runs / 2] / pg[3].cpu[runs / 2]);
	rc = 0;
 out:
	for (size_t i = 0; i < np; i++) {
		free(pg[i].t);
		free(pg[i].cpu);
	}
	form_problems_free(probs);
	cJSON_Delete(filled);
	ui_close(u);
	catalog_free(c);
	if (getenv("TETRAD_BENCH_UI_OUT") != NULL) {
		/* kept with the pages, to ask SQLite where the time goes */
		fprintf(stderr, "database kept: %s\n", db);
		return rc;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
