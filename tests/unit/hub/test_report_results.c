/*
 * test_report_results — counts over the right base (issue 17), on a store
 * the hub itself creates: the share of low results pooled from imported
 * participant counts (and how it differs from the mean of percentages), a
 * percent-only import accepted and marked, ИСБШ imported on the 0–100
 * scale and placed in the status band set for that scale, and the
 * passport's family counts taken over families. Every expected number is
 * worked out by hand in the comments.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "test_store.h"
#include "report_json.h"
#include "hub/hubdb.h"
#include "hub/report.h"
#include "hub/results.h"

static int rec_counter;
static char dir[] = "/tmp/test_report_results.XXXXXX";

static void
put_passport(struct hubdb *db, const char *school, const char *data)
{
	struct hubdb_record r;
	struct terr e;

	memset(&r, 0, sizeof(r));
	rec_counter++;
	r.id[14] = (unsigned char)(rec_counter >> 8);
	r.id[15] = (unsigned char)rec_counter;
	snprintf(r.hlc, sizeof(r.hlc), "%020d", rec_counter);
	snprintf(r.form_id, sizeof(r.form_id), "social_passport");
	r.form_version = 2;
	snprintf(r.school, sizeof(r.school), "%s", school);
	snprintf(r.device_id, sizeof(r.device_id), "00112233aabbccdd");
	r.data = strdup(data);
	CHECK_INT_EQ(hubdb_record_import(db, &r, "2025-10-01T08:00:00Z", &e), 0);
	hubdb_record_clear(&r);
}

/* Writes text to dir/name and imports it; the report text in *rep (freed by caller). */
static int
import(struct hubdb *db, const char *name, const char *text, char **rep, struct terr *e)
{
	char path[600];
	size_t len = 0;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f == NULL)
		return -1;
	fputs(text, f);
	fclose(f);
	*rep = NULL;
	f = open_memstream(rep, &len);
	rc = results_import_report(db, path, f, NULL, e);
	fclose(f);
	return rc;
}

/* Row of section sect of school, with category cat if given. */
static const cJSON *
school_row(const cJSON *j, const char *sect, const char *school, const char *cat)
{
	return row(j, sect, "school", school, cat ? "category" : NULL, cat);
}

static cJSON *
run_json(struct hubdb *db, const char *name, const char *school)
{
	return report_json(db, name, school, NULL, NULL, TETRAD_FORMS_DIR);
}

static char *
run_text(struct hubdb *db, const char *name, enum report_format fmt, int *rc)
{
	struct report_opts o = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct terr e;

	o.name = name;
	o.format = fmt;
	o.forms_dir = TETRAD_FORMS_DIR;
	*rc = report_run(db, &o, f, &e);
	fclose(f);
	return buf;
}

/*
 * The crafted case. 170201: ВПР русский 10 of 20 below the minimum (50 %),
 * ОГЭ математика 8 of 80 (10 %). The mean of the percentages is
 * (50 + 10) / 2 = 30 — low at the default «≥ 30»; over all participants it
 * is (10 + 8) / (20 + 80) = 18 / 100 = 18 % — medium (10 ≤ 18 < 30).
 * 170202 has the same percentages without counts: 30, low, and marked.
 * 170203 has counts for one subject only: nothing to pool, mean 30, marked.
 */
static void
test_pooled(struct hubdb *db)
{
	cJSON *j;
	const cJSON *r;
	struct terr e;
	char *rep;
	int rc;

	rc = import(db, "counts.csv", "Код ОО;Год;Показатель;Участников;"
	    "Ниже минимального уровня;Значение\r\n"
	    "170201;2025;vpr4_rus;20;10;\r\n"
	    "170201;2025;oge9_math;80;8;10\r\n"
	    "170202;2025;vpr4_rus;;;50\r\n"
	    "170202;2025;oge9_math;;;10%\r\n"
	    "170203;2025;vpr4_rus;20;10;50,0\r\n"
	    "170203;2025;oge9_math;;;10\r\n", &rep, &e);
	if (rc != 0)
		fprintf(stderr, "import: %s\n%s", e.msg, rep ? rep : "");
	CHECK_INT_EQ(rc, 0);
	CHECK_CONTAINS(rep, "Импортировано строк: 6");
	free(rep);

	j = run_json(db, "identification", NULL);
	r = school_row(j, "schools", "170201", NULL);
	CHECK_NUM(r, "low_share", 18.0);
	CHECK_INT_EQ(num(r, "participants"), 100);
	CHECK_INT_EQ(num(r, "below"), 18);
	CHECK_STR_EQ(str(r, "low_share_basis"), "counts");
	CHECK_STR_EQ(str(r, "low_share_basis_label"), "по числу участников");
	CHECK_STR_EQ(str(r, "level"), "medium");
	CHECK_STR_EQ(str(r, "nor"), "нет");
	r = school_row(j, "schools", "170202", NULL);
	CHECK_NUM(r, "low_share", 30.0);
	CHECK(is_null(r, "participants"));
	CHECK_STR_EQ(str(r, "low_share_basis"), "percent");
	CHECK_STR_EQ(str(r, "low_share_basis_label"), "по процентам, без числа участников");
	CHECK_STR_EQ(str(r, "level"), "low");
	CHECK_STR_EQ(str(r, "nor"), "да");
	r = school_row(j, "schools", "170203", NULL);
	CHECK_NUM(r, "low_share", 30.0);
	CHECK_STR_EQ(str(r, "low_share_basis"), "percent");
	cJSON_Delete(j);

	/* «более 30 %»: 170202's 30 is no longer low; 170201 stays medium */
	CHECK_INT_EQ(report_setting_set(db, "identification.low_comparison", ">", &e), 0);
	j = run_json(db, "identification", NULL);
	CHECK_STR_EQ(str(school_row(j, "schools", "170202", NULL), "level"), "medium");
	CHECK_STR_EQ(str(school_row(j, "schools", "170201", NULL), "level"), "medium");
	cJSON_Delete(j);
	CHECK_INT_EQ(report_setting_set(db, "identification.low_comparison", NULL, &e), 0);

	/* max: the worst subject's own share, 10 / 20 = 50 -> low */
	CHECK_INT_EQ(report_setting_set(db, "identification.combine", "max", &e), 0);
	j = run_json(db, "identification", "170201");
	r = school_row(j, "schools", "170201", NULL);
	CHECK_NUM(r, "low_share", 50.0);
	CHECK_STR_EQ(str(r, "level"), "low");
	cJSON_Delete(j);
	CHECK_INT_EQ(report_setting_set(db, "identification.combine", NULL, &e), 0);

	/*
	 * 170201 again, ВПР русский with its percent only: the stored counts
	 * of that subject go, nothing is pooled, the mean (50 + 10) / 2 = 30.
	 */
	rc = import(db, "pct.csv", "school;year;indicator;value\n"
	    "170201;2025;vpr4_rus;50\n", &rep, &e);
	CHECK_INT_EQ(rc, 0);
	free(rep);
	j = run_json(db, "identification", "170201");
	r = school_row(j, "schools", "170201", NULL);
	CHECK_NUM(r, "low_share", 30.0);
	CHECK_STR_EQ(str(r, "low_share_basis"), "percent");
	CHECK_STR_EQ(str(r, "level"), "low");
	cJSON_Delete(j);
	/* and with its counts once more: pooled, 18 % */
	rc = import(db, "counts2.csv", "school;year;indicator;participants;below\n"
	    "170201;2025;vpr4_rus;20;10\n", &rep, &e);
	CHECK_INT_EQ(rc, 0);
	free(rep);
	j = run_json(db, "identification", "170201");
	CHECK_NUM(school_row(j, "schools", "170201", NULL), "low_share", 18.0);
	cJSON_Delete(j);
}

/* Counts that cannot be: every bad row named, nothing written. */
static void
test_counts_refused(struct hubdb *db)
{
	struct results_set *s = NULL;
	struct terr e;
	char *rep;
	int rc;
	static const char bad[] = "school;year;indicator;participants;below;value\n"
	    "170209;2025;vpr4_rus;20;21;\n"       /* 2: more below than participants */
	    "170209;2025;vpr4_math;20;;\n"        /* 3: one count of two */
	    "170209;2025;isbsh;20;2;1\n"          /* 4: counts for the index */
	    "170209;2025;oge9_rus;40;10;35\n"     /* 5: 10 of 40 is 25 %, not 35 */
	    "170209;2025;oge9_math;0;0;\n"        /* 6: no participants */
	    "170209;2026;vpr4_rus;2,5;1;\n"       /* 7: not a whole number */
	    "170209;2026;vpr4_math;;;\n"          /* 8: nothing at all */
	    "170209;2026;oge9_rus;3;1;33\n";      /* 9: fine: 33,3 % typed as 33 */

	CHECK_INT_EQ(results_parse(bad, sizeof(bad) - 1, &s, &e), 0);
	CHECK_INT_EQ(results_set_n_rows(s), 1);
	CHECK_INT_EQ(results_set_n_bad(s), 7);
	CHECK_CONTAINS(results_set_bad(s, 0), "строка 2: ниже минимального 21 — больше, "
	    "чем участников (20)");
	CHECK_CONTAINS(results_set_bad(s, 1), "строка 3: нужны оба числа");
	CHECK_CONTAINS(results_set_bad(s, 2), "строка 4: у показателя isbsh не бывает "
	    "числа участников");
	CHECK_CONTAINS(results_set_bad(s, 3), "строка 5: значение «35» не сходится с "
	    "числами: 10 из 40 — это 25,0 %");
	CHECK_CONTAINS(results_set_bad(s, 4), "строка 6: участников «0»");
	CHECK_CONTAINS(results_set_bad(s, 5), "строка 7: участников «2,5»");
	CHECK_CONTAINS(results_set_bad(s, 6), "строка 8: нет значения");
	{
		const struct results_row *w = results_set_row(s, 0);

		CHECK(w && w->counts && w->participants == 3 && w->below == 1 &&
		    w->value > 33.33 && w->value < 33.34 && w->line == 9);
	}
	results_set_free(s);

	rc = import(db, "bad.csv", bad, &rep, &e);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK_CONTAINS(e.msg, "строк с ошибками: 7");
	CHECK_CONTAINS(rep, "строка 5: значение «35» не сходится");
	free(rep);
	/* a header with one count column of two is the file's shape: refused */
	CHECK_INT_EQ(results_parse("school;year;indicator;participants\n", 35, &s, &e),
	    TERR_PARSE);
	CHECK_CONTAINS(e.msg, "нет столбца below");
	CHECK_INT_EQ(results_parse("school;year;indicator\n", 22, &s, &e), TERR_PARSE);
	CHECK_CONTAINS(e.msg, "value");
}

/*
 * ИСБШ on the 0–100 scale: 170201 gets 25. Default bands of that scale
 * (−3 and +3 of −8…+8 carried over: (−3 + 8) / 16 × 100 = 31.25 and
 * (3 + 8) / 16 × 100 = 68.75): 25 ≤ 31.25 -> неблагоприятный. With the
 * municipality's bands 20 / 60: neutral; 10 / 24: favourable.
 */
static void
test_isbsh_scale(struct hubdb *db)
{
	cJSON *j;
	const cJSON *r;
	struct terr e;
	char *rep, *s;
	int rc;

	rc = import(db, "isbsh.csv", "school;year;indicator;value\n"
	    "170201;2025;isbsh_100;25\n"
	    "170202;2025;isbsh;-2\n", &rep, &e);
	CHECK_INT_EQ(rc, 0);
	free(rep);
	j = run_json(db, "passport", NULL);
	r = school_row(j, "schools", "170201", NULL);
	CHECK_NUM(r, "isbsh", 25);
	CHECK_STR_EQ(str(r, "isbsh_scale"), "0..100");
	CHECK_STR_EQ(str(r, "isbsh_scale_label"), "0–100");
	CHECK_STR_EQ(str(r, "isbsh_method"), "импорт 2025");
	CHECK_STR_EQ(str(r, "status"), "unfavourable");
	r = school_row(j, "schools", "170202", NULL);
	CHECK_STR_EQ(str(r, "isbsh_scale"), "-8..8");
	CHECK_STR_EQ(str(r, "status"), "neutral");
	CHECK_NUM(cJSON_GetObjectItemCaseSensitive(j, "meta"), "isbsh_100.unfavourable_max",
	    31.25);
	cJSON_Delete(j);
	j = run_json(db, "identification", "170201");
	r = school_row(j, "schools", "170201", NULL);
	CHECK_NUM(r, "isbsh", 25);
	CHECK_STR_EQ(str(r, "isbsh_scale_label"), "0–100");
	CHECK_STR_EQ(str(r, "nsu"), "да");
	cJSON_Delete(j);

	CHECK_INT_EQ(report_setting_set(db, "isbsh_100.unfavourable_max", "20", &e), 0);
	CHECK_INT_EQ(report_setting_set(db, "isbsh_100.favourable_min", "60", &e), 0);
	j = run_json(db, "passport", "170201");
	CHECK_STR_EQ(str(school_row(j, "schools", "170201", NULL), "status"), "neutral");
	cJSON_Delete(j);
	j = run_json(db, "identification", "170201");
	CHECK_STR_EQ(str(school_row(j, "schools", "170201", NULL), "nsu"), "нет");
	cJSON_Delete(j);
	CHECK_INT_EQ(report_setting_set(db, "isbsh_100.unfavourable_max", "10", &e), 0);
	CHECK_INT_EQ(report_setting_set(db, "isbsh_100.favourable_min", "24", &e), 0);
	j = run_json(db, "passport", "170201");
	CHECK_STR_EQ(str(school_row(j, "schools", "170201", NULL), "status"), "favourable");
	cJSON_Delete(j);
	/* the −8…+8 bands are their own: −2 with «≤ −2» is unfavourable */
	CHECK_INT_EQ(report_setting_set(db, "isbsh.unfavourable_max", "-2", &e), 0);
	j = run_json(db, "passport", "170202");
	CHECK_STR_EQ(str(school_row(j, "schools", "170202", NULL), "status"), "unfavourable");
	cJSON_Delete(j);
	/* bad values refused; crossed bands stop the report with the keys named */
	CHECK_INT_EQ(report_setting_set(db, "isbsh.unfavourable_max", "-9", &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "от −8 до 8");
	CHECK_INT_EQ(report_setting_set(db, "isbsh_100.favourable_min", "101", &e), TERR_ARG);
	s = run_text(db, "settings", REPORT_CSV, &rc);
	CHECK_INT_EQ(rc, 0);
	CHECK_CONTAINS(s, "isbsh_100.favourable_min;24;68.75;");
	free(s);
	CHECK_INT_EQ(report_setting_set(db, "isbsh_100.unfavourable_max", "30", &e), 0);
	free(run_text(db, "passport", REPORT_TABLE, &rc));
	CHECK_INT_EQ(rc, TERR_ARG);
	CHECK_INT_EQ(report_setting_set(db, "isbsh_100.unfavourable_max", NULL, &e), 0);
	CHECK_INT_EQ(report_setting_set(db, "isbsh_100.favourable_min", NULL, &e), 0);
	CHECK_INT_EQ(report_setting_set(db, "isbsh.unfavourable_max", NULL, &e), 0);

	/* one scale per school and year: the other is replaced, not kept */
	rc = import(db, "isbsh8.csv", "school;year;indicator;value\n"
	    "170201;2025;isbsh;3\n", &rep, &e);
	CHECK_INT_EQ(rc, 0);
	free(rep);
	j = run_json(db, "passport", "170201");
	r = school_row(j, "schools", "170201", NULL);
	CHECK_NUM(r, "isbsh", 3);
	CHECK_STR_EQ(str(r, "isbsh_scale"), "-8..8");
	CHECK_STR_EQ(str(r, "status"), "favourable");
	cJSON_Delete(j);
	/* both scales for one school and year in one file: a repeat */
	rc = import(db, "both.csv", "school;year;indicator;value\n"
	    "170204;2025;isbsh;3\n170204;2025;isbsh_100;70\n", &rep, &e);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK_CONTAINS(rep, "строка 3: повторяет строку 2");
	free(rep);
	rc = import(db, "range.csv", "school;year;indicator;value\n"
	    "170204;2025;isbsh_100;101\n", &rep, &e);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK_CONTAINS(rep, "вне допустимого диапазона 0…100");
	free(rep);
}

/*
 * Family counts over families. 170205 by class: 5А 30 students, 20 of
 * grades 4–11, 25 families, 5 многодетных, 3 ОВЗ; 6Б 20 students, all 20
 * of grades 4–11, 15 families, 3 многодетных, 1 ОВЗ. Sum: 50 students, 40
 * families: многодетные 8 / 40 = 20 % of families (of students it would be
 * 16 %); ОВЗ 4 / 50 = 8 % of students; grades 4–11: 20 + 20 = 40.
 * 170206 sent a class without students_4_11 (version 1): the sum is unknown.
 */
static void
test_family_shares(struct hubdb *db)
{
	cJSON *j;
	const cJSON *r;

	put_passport(db, "170205", "{\"academic_year\":\"2025/2026\","
	    "\"snapshot_date\":\"2025-09-20\",\"level\":\"class\",\"class_name\":\"5А\","
	    "\"students_total\":30,\"students_4_11\":20,\"families_total\":25,"
	    "\"large_families\":5,\"special_needs\":3}");
	put_passport(db, "170205", "{\"academic_year\":\"2025/2026\","
	    "\"snapshot_date\":\"2025-09-20\",\"level\":\"class\",\"class_name\":\"6Б\","
	    "\"students_total\":20,\"students_4_11\":20,\"families_total\":15,"
	    "\"large_families\":3,\"special_needs\":1}");
	put_passport(db, "170206", "{\"academic_year\":\"2025/2026\","
	    "\"snapshot_date\":\"2025-09-20\",\"level\":\"class\",\"class_name\":\"5А\","
	    "\"students_total\":30,\"students_4_11\":30,\"families_total\":25}");
	put_passport(db, "170206", "{\"academic_year\":\"2025/2026\","
	    "\"snapshot_date\":\"2025-09-20\",\"level\":\"class\",\"class_name\":\"2А\","
	    "\"students_total\":20,\"families_total\":20}");
	put_passport(db, "170207", "{\"academic_year\":\"2025/2026\","
	    "\"snapshot_date\":\"2025-09-20\",\"level\":\"school\","
	    "\"students_total\":10,\"families_total\":0,\"special_needs\":1}");
	j = run_json(db, "passport", NULL);
	r = school_row(j, "schools", "170205", NULL);
	CHECK_INT_EQ(num(r, "students"), 50);
	CHECK_INT_EQ(num(r, "students_4_11"), 40);
	r = school_row(j, "schools", "170206", NULL);
	CHECK_INT_EQ(num(r, "students"), 50);
	CHECK(is_null(r, "students_4_11"));
	r = school_row(j, "shares", "170205", "large_families");
	CHECK_INT_EQ(num(r, "count"), 8);
	CHECK_NUM(r, "share", 20.0);
	CHECK_STR_EQ(str(r, "base"), "families");
	CHECK_STR_EQ(str(r, "base_label"), "семей");
	r = school_row(j, "shares", "170205", "special_needs");
	CHECK_NUM(r, "share", 8.0);
	CHECK_STR_EQ(str(r, "base"), "students");
	r = school_row(j, "shares", "170205", "families_total");
	CHECK_INT_EQ(num(r, "count"), 40);
	CHECK(is_null(r, "share"));
	CHECK(is_null(r, "base"));
	r = school_row(j, "shares", "170206", "sop_families");
	CHECK_NUM(r, "share", 0.0);   /* 0 of 45 families */
	/* no families: the share of a family count is unknown, not a division by 0 */
	r = school_row(j, "shares", "170207", "sop_families");
	CHECK(is_null(r, "share"));
	CHECK_NUM(school_row(j, "shares", "170207", "special_needs"), "share", 10.0);
	cJSON_Delete(j);
}

int
main(void)
{
	char path[600];
	struct hubdb *db = NULL;
	struct terr e;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_store(path, sizeof(path), dir, "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL) {
		fprintf(stderr, "hubdb_open: %s\n", e.msg);
		return 1;
	}
	test_counts_refused(db);
	test_pooled(db);
	test_isbsh_scale(db);
	test_family_shares(db);
	hubdb_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
