/*
 * test_report_years — the passport report year by year (sections `years`
 * and `municipal_years`) on a store of its own, against numbers worked out
 * by hand: each year's passports summed as the latest year's are (a class
 * sent twice counts once) and scored against that year's distribution
 * (the same school scores +1 one year and −1 the next when the others
 * change places), a year with one school gets no index, the latest year
 * agrees with the `schools` section, and --school narrows the rows and the
 * sums but not the distribution.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "test_store.h"
#include "report_json.h"
#include "hub/hubdb.h"

static int rec_counter;

static void
put(struct hubdb *db, const char *school, const char *data)
{
	struct hubdb_record r;
	struct terr e;

	memset(&r, 0, sizeof(r));
	rec_counter++;
	r.id[15] = (unsigned char)rec_counter;
	snprintf(r.hlc, sizeof(r.hlc), "%020d", rec_counter);
	snprintf(r.form_id, sizeof(r.form_id), "social_passport");
	r.form_version = 2;
	snprintf(r.school, sizeof(r.school), "%s", school);
	snprintf(r.device_id, sizeof(r.device_id), "00112233aabbccdd");
	r.data = strdup(data);
	CHECK_INT_EQ(hubdb_record_import(db, &r, "2021-10-01T08:00:00Z", &e), 0);
	hubdb_record_clear(&r);
}

/* A whole-school passport of 100 students: sop families its only count. */
static void
put_school(struct hubdb *db, const char *school, const char *year, int sop)
{
	char data[256];

	snprintf(data, sizeof(data), "{\"academic_year\":\"%s\",\"snapshot_date\":\"%.4s-09-20\","
	    "\"level\":\"school\",\"students_total\":100,\"sop_families\":%d}", year, year, sop);
	put(db, school, data);
}

int
main(void)
{
	char dir[] = "/tmp/test_report_years.XXXXXX", path[600];
	static const char *const codes[] = { "170101", "170102", "170103", "170104" };
	static const int sop_2020[] = { 1, 2, 8, 9 }, sop_2021[] = { 9, 8, 2, 1 };
	struct hubdb *db = NULL;
	const cJSON *r;
	struct terr e;
	cJSON *j;

	if (mkdtemp(dir) == NULL)
		return 1;
	test_store(path, sizeof(path), dir, "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return 1;
	for (size_t i = 0; i < 4; i++)
		CHECK_INT_EQ(hubdb_school_put(db, codes[i], codes[i], &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "170105", "170105", &e), 0);
	/*
	 * 2020/2021: sop 1, 2, 8, 9 of 100 → Q1 1.75, Q3 8.25: 170101 +1,
	 * 170104 −1, the others 0 (every other share is 0, equal to its
	 * quartiles). 2021/2022 the other way round; 170101 by class: 5А twice
	 * (the later, 6 of 50, counts) and 6Б (3 of 50) → 9 of 100.
	 */
	for (size_t i = 0; i < 4; i++) {
		put_school(db, codes[i], "2020/2021", sop_2020[i]);
		if (i > 0)
			put_school(db, codes[i], "2021/2022", sop_2021[i]);
	}
	put(db, "170101", "{\"academic_year\":\"2021/2022\",\"snapshot_date\":\"2021-09-10\","
	    "\"level\":\"class\",\"class_name\":\"5А\",\"students_total\":50,\"sop_families\":1}");
	put(db, "170101", "{\"academic_year\":\"2021/2022\",\"snapshot_date\":\"2021-09-15\","
	    "\"level\":\"class\",\"class_name\":\"5А\",\"students_total\":50,\"sop_families\":6}");
	put(db, "170101", "{\"academic_year\":\"2021/2022\",\"snapshot_date\":\"2021-09-12\","
	    "\"level\":\"class\",\"class_name\":\"6Б\",\"students_total\":50,\"sop_families\":3}");
	/* 2019/2020: one school, no distribution */
	put_school(db, "170105", "2019/2020", 5);

	j = report_json(db, "passport", NULL, NULL, NULL, NULL);
	CHECK_INT_EQ(nrows(j, "years"), 9);
	r = row(j, "years", "school", "170101", "academic_year", "2020/2021");
	CHECK_INT_EQ(num(r, "records"), 1);
	CHECK_NUM(r, "isbsh", 1);
	CHECK_STR_EQ(str(r, "status"), "neutral");
	r = row(j, "years", "school", "170101", "academic_year", "2021/2022");
	CHECK_INT_EQ(num(r, "records"), 2);
	CHECK_INT_EQ(num(r, "students"), 100);
	CHECK_NUM(r, "isbsh", -1);
	r = row(j, "schools", "school", "170101", NULL, NULL);
	CHECK_NUM(r, "isbsh", -1);          /* the latest year, as in `years` */
	r = row(j, "years", "school", "170104", "academic_year", "2020/2021");
	CHECK_NUM(r, "isbsh", -1);
	r = row(j, "years", "school", "170104", "academic_year", "2021/2022");
	CHECK_NUM(r, "isbsh", 1);
	r = row(j, "years", "school", "170105", "academic_year", "2019/2020");
	CHECK_INT_EQ(num(r, "students"), 100);
	CHECK(is_null(r, "isbsh"));
	CHECK(is_null(r, "status_label"));
	CHECK_INT_EQ(nrows(j, "municipal_years"), 3);
	r = row(j, "municipal_years", "academic_year", "2019/2020", NULL, NULL);
	CHECK_INT_EQ(num(r, "schools"), 1);
	CHECK_INT_EQ(num(r, "isbsh_schools"), 0);
	CHECK(is_null(r, "isbsh_mean"));
	r = row(j, "municipal_years", "academic_year", "2021/2022", NULL, NULL);
	CHECK_INT_EQ(num(r, "schools"), 4);
	CHECK_INT_EQ(num(r, "records"), 5);
	CHECK_INT_EQ(num(r, "students"), 400);
	CHECK_INT_EQ(num(r, "isbsh_schools"), 4);
	CHECK_NUM(r, "isbsh_mean", 0);
	CHECK_INT_EQ(num(r, "neutral"), 4);
	CHECK_INT_EQ(num(r, "unfavourable"), 0);
	cJSON_Delete(j);

	/* one school: its rows, its sums; the index still against every school */
	j = report_json(db, "passport", "170104", NULL, NULL, NULL);
	CHECK_INT_EQ(nrows(j, "years"), 2);
	r = row(j, "municipal_years", "academic_year", "2020/2021", NULL, NULL);
	CHECK_INT_EQ(num(r, "schools"), 1);
	CHECK_NUM(r, "isbsh_mean", -1);
	CHECK(row_find(j, "municipal_years", "academic_year", "2019/2020", NULL, NULL) == NULL);
	cJSON_Delete(j);

	/* the period: 2021 only, the 2021/2022 passports */
	j = report_json(db, "passport", NULL, "2021-01-01", "2021-12-31", NULL);
	CHECK_INT_EQ(nrows(j, "municipal_years"), 1);
	cJSON_Delete(j);

	hubdb_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
