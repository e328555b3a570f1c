/*
 * test_report — every hub report on a fixed data set in a store the hub
 * itself creates (hubdb_open on a temporary file, records put through the
 * store), checked against numbers computed by hand (the arithmetic is in the
 * comments), in JSON, CSV and table form; the results CSV import (good,
 * bad rows all-or-nothing, parser edge cases) and the settings.
 */
#include <limits.h>
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
#include "tetrad/formfile.h"
#include "tetrad/form.h"
/* the picker is the reports' own: tested here, where its records are */
#include "../../../hub/src/report_pick.h"
#include "../../../hub/src/report_model.h"
#include "../../../hub/src/report_render.h"

static int rec_counter;
/* Where report_run finds form definitions for labels (NULL: codes only). */
static const char *forms_dir = TETRAD_FORMS_DIR;

static void
put(struct hubdb *db, const char *form, const char *school, int deleted,
    const char *received, const char *data)
{
	struct hubdb_record r;
	struct terr e;

	memset(&r, 0, sizeof(r));
	rec_counter++;
	r.id[14] = (unsigned char)(rec_counter >> 8);
	r.id[15] = (unsigned char)rec_counter;
	snprintf(r.hlc, sizeof(r.hlc), "%020d", rec_counter);
	snprintf(r.form_id, sizeof(r.form_id), "%s", form);
	r.form_version = 1;
	snprintf(r.school, sizeof(r.school), "%s", school);
	snprintf(r.device_id, sizeof(r.device_id), "00112233aabbccdd");
	r.deleted = deleted != 0;
	r.data = strdup(data);
	CHECK_INT_EQ(hubdb_record_import(db, &r, received ? received :
	    "2021-10-01T08:00:00Z", &e), 0);
	hubdb_record_clear(&r);
}

static void
fill(struct hubdb *db)
{
	/* verification: 170101 visited twice, 170102 once, 170103 in 2020 */
	put(db, "risk_visit", "170101", 0, NULL, "{\"visit_type\":\"verification\","
	    "\"visit_date\":\"2021-03-01\",\"factors\":["
	    "{\"factor\":\"R01\",\"decision\":\"confirmed\",\"comment\":\"секрет\"},"
	    "{\"factor\":\"R02\",\"decision\":\"not_confirmed\"}]}");
	put(db, "risk_visit", "170101", 0, NULL, "{\"visit_type\":\"monitoring\","
	    "\"visit_date\":\"2021-03-05\",\"factors\":["
	    "{\"factor\":\"R01\",\"decision\":\"not_confirmed\"},"
	    "{\"factor\":\"R03\",\"decision\":\"confirmed\"}],"
	    "\"conclusions\":\"Иванов И.И. молодец\"}");
	put(db, "risk_visit", "170102", 0, NULL, "{\"visit_date\":\"2021-03-02\","
	    "\"visit_type\":\"verification\",\"project_year\":2020,"
	    "\"factors\":[{\"factor\":\"R01\",\"decision\":\"confirmed\"},"
	    "{\"factor\":\"R02\",\"decision\":\"needs_clarification\"}]}");
	put(db, "risk_visit", "170103", 0, NULL, "{\"visit_date\":\"2020-12-01\","
	    "\"factors\":[{\"factor\":\"R01\",\"decision\":\"confirmed\"}]}");
	put(db, "risk_visit", "170104", 1, NULL, "{\"visit_date\":\"2021-03-03\","
	    "\"factors\":[{\"factor\":\"R01\",\"decision\":\"confirmed\"}]}");

	/* mediation */
	put(db, "mediation_case", "170101", 0, NULL, "{\"case_number\":\"1\","
	    "\"received_date\":\"2021-02-01\",\"source\":\"teacher\","
	    "\"situation_kind\":\"conflict\",\"conflict_type\":\"student_student\","
	    "\"status\":\"completed\",\"programme\":\"mediation\",\"children_count\":2,"
	    "\"adults_count\":1,\"agreement\":true,\"difficulties\":\"Петров П.\","
	    "\"parties\":[{\"role\":\"student\",\"age\":12}]}");
	put(db, "mediation_case", "170101", 0, NULL, "{\"received_date\":\"2021-02-10\","
	    "\"source\":\"parents\",\"situation_kind\":\"bullying\","
	    "\"conflict_type\":\"student_student\",\"status\":\"held\","
	    "\"programme\":\"community_circle\",\"children_count\":10,"
	    "\"adults_count\":2,\"agreement\":false}");
	put(db, "mediation_case", "170101", 0, NULL, "{\"received_date\":\"2021-03-01\","
	    "\"source\":\"teacher\",\"situation_kind\":\"conflict\","
	    "\"conflict_type\":\"parent_teacher\",\"status\":\"received\"}");
	put(db, "mediation_case", "170101", 0, NULL, "{\"received_date\":\"2020-11-01\","
	    "\"source\":\"self\",\"situation_kind\":\"conflict\","
	    "\"conflict_type\":\"student_teacher\",\"status\":\"completed\","
	    "\"programme\":\"mediation\",\"children_count\":1,\"adults_count\":1,"
	    "\"agreement\":true}");
	put(db, "mediation_case", "170102", 0, NULL, "{\"received_date\":\"2021-04-01\","
	    "\"source\":\"kdn\",\"situation_kind\":\"offence\","
	    "\"conflict_type\":\"student_student\",\"status\":\"not_completed\","
	    "\"programme\":\"shuttle_mediation\",\"children_count\":2,"
	    "\"adults_count\":0,\"agreement\":false}");
	put(db, "mediation_case", "170102", 1, NULL, "{\"received_date\":\"2021-04-02\","
	    "\"source\":\"kdn\",\"status\":\"completed\"}");

	/*
	 * passports, 2021/2022: 170101 by class (5А sent twice: the later one
	 * counts; 6Б), the others whole-school; 170101 also has an older year
	 * and 170104 a class passport beside its whole-school one (ignored).
	 */
	put(db, "social_passport", "170101", 0, NULL, "{\"academic_year\":\"2021/2022\","
	    "\"snapshot_date\":\"2021-09-15\",\"level\":\"class\",\"class_name\":\"5А\","
	    "\"students_total\":40,\"sop_families\":1,\"low_income_families\":1}");
	put(db, "social_passport", "170101", 0, NULL, "{\"academic_year\":\"2021/2022\","
	    "\"snapshot_date\":\"2021-09-20\",\"level\":\"class\",\"class_name\":\"5А\","
	    "\"students_total\":50,\"families_total\":45,\"large_families\":6,"
	    "\"sop_families\":5,\"tjs_families\":7,\"unemployed_parents\":20,"
	    "\"low_income_families\":15,\"single_parent_families\":15,"
	    "\"non_native_russian\":5,\"special_needs\":4,\"parents_higher_education\":5}");
	put(db, "social_passport", "170101", 0, NULL, "{\"academic_year\":\"2021/2022\","
	    "\"snapshot_date\":\"2021-09-15\",\"level\":\"class\",\"class_name\":\"6Б\","
	    "\"students_total\":50,\"families_total\":40,\"large_families\":4,"
	    "\"sop_families\":4,\"tjs_families\":7,\"unemployed_parents\":15,"
	    "\"low_income_families\":15,\"single_parent_families\":15,"
	    "\"non_native_russian\":5,\"special_needs\":4,\"parents_higher_education\":5}");
	put(db, "social_passport", "170101", 0, NULL, "{\"academic_year\":\"2020/2021\","
	    "\"snapshot_date\":\"2020-09-20\",\"level\":\"school\","
	    "\"students_total\":200,\"low_income_families\":100}");
	put(db, "social_passport", "170102", 0, NULL, "{\"academic_year\":\"2021/2022\","
	    "\"snapshot_date\":\"2021-09-25\",\"level\":\"school\",\"students_total\":100,"
	    "\"families_total\":90,\"sop_families\":1,\"tjs_families\":2,"
	    "\"unemployed_parents\":5,\"low_income_families\":10,"
	    "\"single_parent_families\":10,\"non_native_russian\":2,\"special_needs\":2,"
	    "\"parents_higher_education\":40}");
	put(db, "social_passport", "170103", 0, NULL, "{\"academic_year\":\"2021/2022\","
	    "\"snapshot_date\":\"2021-09-25\",\"level\":\"school\",\"students_total\":100,"
	    "\"families_total\":90,\"sop_families\":2,\"tjs_families\":4,"
	    "\"unemployed_parents\":10,\"low_income_families\":20,"
	    "\"single_parent_families\":20,\"non_native_russian\":4,\"special_needs\":4,"
	    "\"parents_higher_education\":20}");
	put(db, "social_passport", "170104", 0, NULL, "{\"academic_year\":\"2021/2022\","
	    "\"snapshot_date\":\"2021-09-25\",\"level\":\"school\",\"students_total\":100,"
	    "\"families_total\":90,\"sop_families\":8,\"tjs_families\":12,"
	    "\"unemployed_parents\":30,\"low_income_families\":40,"
	    "\"single_parent_families\":40,\"non_native_russian\":20,\"special_needs\":10,"
	    "\"parents_higher_education\":5}");
	put(db, "social_passport", "170104", 0, NULL, "{\"academic_year\":\"2021/2022\","
	    "\"snapshot_date\":\"2021-09-26\",\"level\":\"class\",\"class_name\":\"1А\","
	    "\"students_total\":25,\"sop_families\":25}");

	/* surveys (received_at is their date) */
	put(db, "survey_student", "170101", 0, "2021-05-10T10:00:00Z",
	    "{\"grade\":5,\"enough_equipment\":4,\"feel_safe\":5,\"bullying\":\"never\","
	    "\"difficult_subjects\":[\"math\",\"russian\"],\"russian_at_home\":true,"
	    "\"wish\":\"хочу новый спортзал\"}");
	put(db, "survey_student", "170101", 0, "2021-05-11T10:00:00Z",
	    "{\"grade\":7,\"enough_equipment\":2,\"feel_safe\":null,\"bullying\":\"rarely\","
	    "\"difficult_subjects\":[\"math\"],\"russian_at_home\":false,\"wish\":\"ok\"}");
	put(db, "survey_student", "170101", 0, "2021-06-01T10:00:00Z",
	    "{\"grade\":6,\"enough_equipment\":null,\"bullying\":\"never\"}");
	put(db, "survey_director", "170101", 0, "2021-05-10T09:00:00Z",
	    "{\"position\":\"director\",\"teachers_total\":20,\"safe_climate\":4,"
	    "\"comment\":\"all_good\"}");
	put(db, "survey_teacher", "170101", 0, "2021-05-10T09:00:00Z",
	    "{\"experience\":\"lt3\",\"team_climate\":3}");
	put(db, "survey_teacher", "170101", 0, "2021-05-10T09:30:00Z",
	    "{\"experience\":\"gt20\",\"team_climate\":5}");
	put(db, "survey_parent", "170101", 0, "2021-05-12T09:30:00Z",
	    "{\"informed\":4,\"meetings\":\"always\"}");
	put(db, "survey_parent", "170102", 1, "2021-05-12T09:30:00Z",
	    "{\"informed\":1,\"meetings\":\"never\"}");
}

/* Runs a report into a string (caller frees); the return code in *rc. */
static char *
run(struct hubdb *db, const char *name, const char *school, const char *from,
    const char *to, enum report_format fmt, char delim, int *rc, struct terr *e)
{
	struct report_opts o = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	o.name = name;
	o.school = school;
	o.from = from;
	o.to = to;
	o.format = fmt;
	o.delimiter = delim;
	o.forms_dir = forms_dir;
	terr_clear(e);
	*rc = report_run(db, &o, f, e);
	fclose(f);
	return buf;
}

static cJSON *
run_json(struct hubdb *db, const char *name, const char *school, const char *from,
    const char *to)
{
	return report_json(db, name, school, from, to, forms_dir);
}

static void
test_verification(struct hubdb *db)
{
	cJSON *j = run_json(db, "verification", NULL, NULL, NULL);
	const cJSON *r;
	const cJSON *sum;
	struct terr e;
	int rc;
	char *s;

	/* latest visit per factor: 170101 R01 from 03-05, R02 from 03-01 */
	CHECK_INT_EQ(nrows(j, "factors"), 6);
	r = row(j, "factors", "school", "170101", "factor", "R01");
	CHECK_STR_EQ(str(r, "decision"), "not_confirmed");
	CHECK_STR_EQ(str(r, "decision_label"), "не подтверждён");
	CHECK_STR_EQ(str(r, "visit_date"), "2021-03-05");
	CHECK_STR_EQ(str(r, "school_name"), "Школа №1");
	CHECK_STR_EQ(str(r, "factor_label"), "Низкий уровень оснащения школы");
	r = row(j, "factors", "school", "170101", "factor", "R02");
	CHECK_STR_EQ(str(r, "decision"), "not_confirmed");
	CHECK_STR_EQ(str(r, "visit_date"), "2021-03-01");
	r = row(j, "factors", "school", "170101", "factor", "R03");
	CHECK_STR_EQ(str(r, "decision"), "confirmed");
	r = row(j, "factors", "school", "170102", "factor", "R02");
	CHECK_STR_EQ(str(r, "decision_label"), "требует уточнения");
	CHECK(row(j, "factors", "school", "170104", NULL, NULL) == NULL); /* deleted */
	r = row(j, "visits", "school", "170101", NULL, NULL);
	CHECK_INT_EQ(num(r, "visits"), 2);
	CHECK_STR_EQ(str(r, "last_visit"), "2021-03-05");
	/* first verification visit 2021-03-01, project year 2021: deadline 03-10 */
	CHECK_STR_EQ(str(r, "verification_visit"), "2021-03-01");
	CHECK_STR_EQ(str(r, "deadline"), "2021-03-10");
	CHECK_STR_EQ(str(r, "in_time"), "да");
	/* 170102: project year 2020, visited 2021-03-02: late */
	r = row(j, "visits", "school", "170102", NULL, NULL);
	CHECK_STR_EQ(str(r, "deadline"), "2020-03-10");
	CHECK_STR_EQ(str(r, "in_time"), "нет");
	r = row(j, "visits", "school", "170103", NULL, NULL);
	CHECK(is_null(r, "verification_visit"));   /* no visit_type given */
	CHECK_STR_EQ(str(cJSON_GetObjectItemCaseSensitive(j, "meta"),
	    "verification.deadline"), "03-10");
	/* not visited: 170104 (its only visit is deleted) and 170105 */
	CHECK_INT_EQ(nrows(j, "not_visited"), 2);
	CHECK(row(j, "not_visited", "school", "170104", NULL, NULL) != NULL);
	CHECK(row(j, "not_visited", "school", "170105", NULL, NULL) != NULL);
	/* municipality: R01 confirmed at 170102 and 170103, not at 170101 */
	sum = cJSON_GetObjectItemCaseSensitive(j, "summary");
	CHECK_INT_EQ(cJSON_GetArraySize(sum), 3);
	CHECK_STR_EQ(str(cJSON_GetArrayItem(sum, 0), "factor"), "R01");
	CHECK_STR_EQ(str(cJSON_GetArrayItem(sum, 1), "factor"), "R03");
	CHECK_STR_EQ(str(cJSON_GetArrayItem(sum, 2), "factor"), "R02");
	r = row(j, "summary", "factor", "R01", NULL, NULL);
	CHECK_INT_EQ(num(r, "confirmed"), 2);
	CHECK_INT_EQ(num(r, "not_confirmed"), 1);
	CHECK_INT_EQ(num(r, "schools"), 3);
	r = row(j, "summary", "factor", "R02", NULL, NULL);
	CHECK_INT_EQ(num(r, "not_confirmed"), 1);
	CHECK_INT_EQ(num(r, "needs_clarification"), 1);
	cJSON_Delete(j);

	/* 2021 only: 170103's visit of 2020 drops out */
	j = run_json(db, "verification", NULL, "2021-01-01", "2021-12-31");
	CHECK_INT_EQ(nrows(j, "factors"), 5);
	CHECK_INT_EQ(nrows(j, "not_visited"), 3);
	CHECK(row(j, "not_visited", "school", "170103", NULL, NULL) != NULL);
	cJSON_Delete(j);

	j = run_json(db, "verification", "170101", NULL, NULL);
	CHECK_INT_EQ(nrows(j, "factors"), 3);
	CHECK_INT_EQ(nrows(j, "not_visited"), 0);
	CHECK_STR_EQ(str(cJSON_GetObjectItemCaseSensitive(j, "filters"), "school"),
	    "170101");
	cJSON_Delete(j);

	s = run(db, "verification", NULL, NULL, NULL, REPORT_CSV, 0, &rc, &e);
	CHECK_INT_EQ(rc, 0);
	CHECK(s && memcmp(s, "\xef\xbb\xbf", 3) == 0);
	CHECK_CONTAINS(s, "Код ОО;Школа;Фактор;Фактор риска;Решение куратора;"
	    "Дата визита;Год проекта;Уровень в РПШ;Совпадает с РПШ\r\n");
	/* no profile imported here: the level and the comparison are empty */
	CHECK_CONTAINS(s, "\r\n170101;Школа №1;R01;Низкий уровень оснащения школы;"
	    "не подтверждён;2021-03-05;2021;;\r\n");
	CHECK_CONTAINS(s, "\r\nR01;Низкий уровень оснащения школы;2;1;0;3\r\n");
	CHECK(strstr(s, "Иванов") == NULL && strstr(s, "секрет") == NULL);
	free(s);
	s = run(db, "verification", NULL, NULL, NULL, REPORT_TABLE, 0, &rc, &e);
	CHECK_INT_EQ(rc, 0);
	CHECK_CONTAINS(s, "Школы без визита за период");
	CHECK_CONTAINS(s, "2021-03-01       2021-03-10  да");
	CHECK_CONTAINS(s, "170105  Школа №5");
	CHECK(strstr(s, "Иванов") == NULL);
	free(s);

	/* a stricter deadline: 02-28 makes 170101's visit of 03-01 late */
	CHECK_INT_EQ(report_setting_set(db, "verification.deadline", "13-01", &e),
	    TERR_ARG);
	CHECK_INT_EQ(report_setting_set(db, "verification.deadline", "02-28", &e), 0);
	j = run_json(db, "verification", "170101", NULL, NULL);
	r = row(j, "visits", "school", "170101", NULL, NULL);
	CHECK_STR_EQ(str(r, "deadline"), "2021-02-28");
	CHECK_STR_EQ(str(r, "in_time"), "нет");
	cJSON_Delete(j);
	CHECK_INT_EQ(report_setting_set(db, "verification.deadline", NULL, &e), 0);
}

static void
test_mediation(struct hubdb *db)
{
	cJSON *j = run_json(db, "mediation", NULL, NULL, NULL);
	const cJSON *r;
	struct terr e;
	int rc;
	char *s;

	/*
	 * 170101: 4 cases; held = completed or held: cases 1, 2, 4 -> 3;
	 * closed (completed / not_completed) 1, 4 -> 2, open 2, 3 -> 2;
	 * completed 1, 4 -> 2 of 2 closed (100 %); closed with an agreement
	 * 1, 4 -> 2 of 2 (100 %); children 2 + 10 + 1 = 13, adults 1 + 2 + 1 = 4.
	 */
	r = row(j, "summary", "school", "170101", NULL, NULL);
	CHECK_INT_EQ(num(r, "cases"), 4);
	CHECK_INT_EQ(num(r, "held"), 3);
	CHECK_INT_EQ(num(r, "completed"), 2);
	CHECK_INT_EQ(num(r, "closed"), 2);
	CHECK_INT_EQ(num(r, "open"), 2);
	CHECK_NUM(r, "completed_share", 100.0);
	CHECK_INT_EQ(num(r, "agreement"), 2);
	CHECK_NUM(r, "agreement_share", 100.0);
	CHECK_INT_EQ(num(r, "children"), 13);
	CHECK_INT_EQ(num(r, "adults"), 4);
	/* 170102: one case not completed (the deleted one does not count) */
	r = row(j, "summary", "school", "170102", NULL, NULL);
	CHECK_INT_EQ(num(r, "cases"), 1);
	CHECK_INT_EQ(num(r, "held"), 0);
	CHECK_NUM(r, "completed_share", 0.0);
	CHECK_INT_EQ(num(r, "children"), 2);
	/* total row: 5 cases, 3 closed, 2 completed = 66.7 % */
	CHECK_INT_EQ(nrows(j, "summary"), 3);
	r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "summary"), 2);
	CHECK(is_null(r, "school"));
	CHECK_INT_EQ(num(r, "cases"), 5);
	CHECK_NUM(r, "completed_share", 66.7);
	CHECK_INT_EQ(num(r, "children"), 15);
	r = row(j, "by_source", "school", "170101", "code", "teacher");
	CHECK_INT_EQ(num(r, "count"), 2);
	CHECK_STR_EQ(str(r, "label"), "педагог");
	r = row(j, "by_source", "school", "170102", "code", "kdn");
	CHECK_INT_EQ(num(r, "count"), 1);
	CHECK_INT_EQ(nrows(j, "by_source"), 4);
	r = row(j, "by_kind", "school", "170101", "code", "conflict");
	CHECK_INT_EQ(num(r, "count"), 3);
	r = row(j, "by_conflict_type", "school", "170101", "code", "student_student");
	CHECK_INT_EQ(num(r, "count"), 2);
	r = row(j, "by_programme", "school", "170101", "code", "mediation");
	CHECK_INT_EQ(num(r, "count"), 2);
	CHECK_INT_EQ(nrows(j, "by_programme"), 2);   /* 170102's was not held */
	cJSON_Delete(j);

	/* 2021: case 4 (2020-11-01) drops out: 3 cases, 1 closed, completed = 100 % */
	j = run_json(db, "mediation", "170101", "2021-01-01", "2021-12-31");
	r = row(j, "summary", "school", "170101", NULL, NULL);
	CHECK_INT_EQ(num(r, "cases"), 3);
	CHECK_INT_EQ(num(r, "held"), 2);
	CHECK_NUM(r, "completed_share", 100.0);
	CHECK_NUM(r, "agreement_share", 100.0);
	CHECK_INT_EQ(num(r, "children"), 12);
	CHECK_INT_EQ(num(r, "adults"), 3);
	CHECK_INT_EQ(nrows(j, "summary"), 1);   /* one school: no total row */
	cJSON_Delete(j);

	s = run(db, "mediation", NULL, NULL, NULL, REPORT_CSV, 0, &rc, &e);
	CHECK_INT_EQ(rc, 0);
	CHECK(s && strncmp(s, "\xef\xbb\xbfИтоги по школам\r\n", 28) == 0);
	CHECK_CONTAINS(s, "\r\n170101;Школа №1;4;2;2;3;2;100,0;2;100,0;13;4;0\r\n");
	CHECK_CONTAINS(s, "\r\n;Итого по муниципалитету;5;2;3;3;2;66,7;2;66,7;15;4;0\r\n");
	CHECK_CONTAINS(s, "\r\n\r\nСлучаи по источнику обращения\r\n");
	CHECK(strstr(s, "Петров") == NULL);
	free(s);
	s = run(db, "mediation", NULL, NULL, NULL, REPORT_CSV, ',', &rc, &e);
	CHECK_CONTAINS(s, "\r\n170101,Школа №1,4,2,2,3,2,100.0,2,100.0,13,4,0\r\n");
	CHECK_CONTAINS(s, "\r\n170101,Школа №1,родители (законные представители),1\r\n");
	free(s);
	s = run(db, "mediation", NULL, NULL, NULL, REPORT_TABLE, 0, &rc, &e);
	CHECK_INT_EQ(rc, 0);
	CHECK_CONTAINS(s, "Итого по муниципалитету");
	CHECK_CONTAINS(s, "66,7");
	CHECK(strstr(s, "Петров") == NULL);
	free(s);
}

static void
test_passport(struct hubdb *db)
{
	cJSON *j = run_json(db, "passport", NULL, NULL, NULL);
	const cJSON *r;
	struct terr e;
	int rc;
	char *s;

	/*
	 * 170101 = 5А (second sending, 50) + 6Б (50) = 100 students. With 100
	 * students everywhere a count is its share. Quartiles (type 7, n = 4:
	 * Q1 = v0 + 0.75 (v1 - v0), Q3 = v2 + 0.25 (v3 - v2)), e.g. sop 1,2,8,9:
	 * Q1 1.75, Q3 8.25. Scores: 170101 is above Q3 on sop 9, tjs 14,
	 * unemployed 35 -> -3; 170102 below Q1 on every adverse share and above
	 * Q3 on higher education -> +8; 170103 0; 170104 above Q3 on low
	 * income, single parent, non-native, ОВЗ and below Q1 on higher
	 * education -> -5. 170103's imported -4 replaces its 0.
	 */
	r = row(j, "schools", "school", "170101", NULL, NULL);
	CHECK_STR_EQ(str(r, "academic_year"), "2021/2022");
	CHECK_INT_EQ(num(r, "records"), 2);
	CHECK_INT_EQ(num(r, "students"), 100);
	CHECK_NUM(r, "isbsh", -3);
	CHECK_STR_EQ(str(r, "isbsh_method"), "isbsh-v1");
	CHECK_STR_EQ(str(r, "status"), "unfavourable");
	CHECK_STR_EQ(str(r, "status_label"), "неблагоприятный");
	r = row(j, "schools", "school", "170102", NULL, NULL);
	CHECK_NUM(r, "isbsh", 8);
	CHECK_STR_EQ(str(r, "status_label"), "благоприятный");
	r = row(j, "schools", "school", "170103", NULL, NULL);
	CHECK_NUM(r, "isbsh", -4);
	CHECK_NUM(r, "isbsh_computed", 0);
	CHECK_STR_EQ(str(r, "isbsh_method"), "импорт 2021");
	CHECK_STR_EQ(str(r, "status"), "unfavourable");
	r = row(j, "schools", "school", "170104", NULL, NULL);
	CHECK_NUM(r, "isbsh", -5);
	CHECK_INT_EQ(num(r, "records"), 1);   /* whole-school wins over 1А */
	CHECK_INT_EQ(num(r, "students"), 100);
	CHECK(row(j, "schools", "school", "170105", NULL, NULL) == NULL);
	CHECK_STR_EQ(str(cJSON_GetObjectItemCaseSensitive(j, "meta"), "isbsh_method"),
	    "isbsh-v1");
	CHECK_NUM(cJSON_GetObjectItemCaseSensitive(j, "meta"), "isbsh_schools", 4);
	r = row(j, "shares", "school", "170101", "category", "large_families");
	CHECK_INT_EQ(num(r, "count"), 10);
	CHECK_NUM(r, "share", 11.8);   /* a count of families over the 85 families */
	CHECK_STR_EQ(str(r, "base"), "families");
	r = row(j, "shares", "school", "170101", "category", "special_needs");
	CHECK_NUM(r, "share", 8.0);    /* a count of children over the 100 students */
	CHECK_STR_EQ(str(r, "base"), "students");
	r = row(j, "shares", "school", "170101", "category", "families_total");
	CHECK_INT_EQ(num(r, "count"), 85);
	CHECK(is_null(r, "share"));
	r = row(j, "isbsh_scores", "school", "170101", "indicator", "sop_families");
	CHECK_NUM(r, "q1", 1.75);
	CHECK_NUM(r, "q3", 8.25);
	CHECK_NUM(r, "share", 9);
	CHECK_INT_EQ(num(r, "score"), -1);
	r = row(j, "isbsh_scores", "school", "170104", "indicator",
	    "parents_higher_education");
	CHECK_NUM(r, "q1", 8.75);
	CHECK_NUM(r, "q3", 25);
	CHECK_INT_EQ(num(r, "score"), -1);
	r = row(j, "isbsh_scores", "school", "170102", "indicator",
	    "parents_higher_education");
	CHECK_INT_EQ(num(r, "score"), 1);
	cJSON_Delete(j);

	/* from 2021-09-16: 5А of 09-20 only for 170101 (50 students) */
	j = run_json(db, "passport", "170101", "2021-09-16", "2021-12-31");
	CHECK_INT_EQ(nrows(j, "schools"), 1);
	r = row(j, "schools", "school", "170101", NULL, NULL);
	CHECK_INT_EQ(num(r, "students"), 50);
	CHECK_INT_EQ(num(r, "records"), 1);
	r = row(j, "shares", "school", "170101", "category", "large_families");
	CHECK_NUM(r, "share", 13.3);   /* 6 / 45 families */
	cJSON_Delete(j);

	/* 2020 only: one school has a passport: no distribution, no index */
	j = run_json(db, "passport", NULL, "2020-01-01", "2020-12-31");
	r = row(j, "schools", "school", "170101", NULL, NULL);
	CHECK_INT_EQ(num(r, "students"), 200);
	CHECK(is_null(r, "isbsh"));
	CHECK(is_null(r, "status_label"));
	cJSON_Delete(j);

	s = run(db, "passport", NULL, NULL, NULL, REPORT_CSV, 0, &rc, &e);
	CHECK_INT_EQ(rc, 0);
	CHECK_CONTAINS(s, "\r\n170101;Школа №1;2021/2022;2;100;;-3,0;isbsh-v1;−8…+8;"
	    "неблагоприятный\r\n");
	CHECK_CONTAINS(s, "\r\n170103;Школа №3;2021/2022;1;100;;-4,0;импорт 2021;−8…+8;"
	    "неблагоприятный\r\n");
	CHECK_CONTAINS(s, "\r\n170101;Школа №1;Всего семей;85;;\r\n");
	CHECK_CONTAINS(s, "\r\n170101;Школа №1;Многодетные семьи;10;семей;11,8\r\n");
	CHECK(strstr(s, "5А") == NULL);
	free(s);
	s = run(db, "passport", NULL, NULL, NULL, REPORT_TABLE, 0, &rc, &e);
	CHECK_INT_EQ(rc, 0);
	CHECK_CONTAINS(s, "Метод ИСБШ по умолчанию: isbsh-v1");
	CHECK_CONTAINS(s, "благоприятный");
	free(s);
}

static void
test_surveys(struct hubdb *db)
{
	cJSON *j = run_json(db, "surveys", NULL, NULL, NULL);
	const cJSON *r;
	struct terr e;
	int rc;
	char *s;

	/* coverage: students 3 of 100; parents 1 of 85 families; teachers 2 of
	 * the director's 20; the director 1 of 1 */
	r = row(j, "responses", "school", "170101", "group", "survey_student");
	CHECK_INT_EQ(num(r, "responses"), 3);
	CHECK_INT_EQ(num(r, "base"), 100);
	CHECK_NUM(r, "coverage", 3.0);
	CHECK_STR_EQ(str(r, "group_label"), "обучающийся");
	r = row(j, "responses", "school", "170101", "group", "survey_parent");
	CHECK_INT_EQ(num(r, "responses"), 1);
	CHECK_INT_EQ(num(r, "base"), 85);
	CHECK_NUM(r, "coverage", 1.2);
	r = row(j, "responses", "school", "170101", "group", "survey_teacher");
	CHECK_INT_EQ(num(r, "base"), 20);
	CHECK_NUM(r, "coverage", 10.0);
	r = row(j, "responses", "school", "170101", "group", "survey_director");
	CHECK_NUM(r, "coverage", 100.0);
	CHECK_INT_EQ(nrows(j, "responses"), 4);   /* 170102's parent is deleted */
	/* bullying: never 2 of 3, rarely 1 of 3 */
	r = row(j, "distribution", "question", "bullying", "answer", "never");
	CHECK_INT_EQ(num(r, "count"), 2);
	CHECK_NUM(r, "share", 66.7);
	/* labels from the built-in survey_student form */
	CHECK_STR_EQ(str(r, "answer_label"), "нет");
	CHECK_CONTAINS(str(r, "question_label"), "травлей");
	r = row(j, "distribution", "question", "difficult_subjects", "answer", "math");
	CHECK_INT_EQ(num(r, "count"), 2);
	CHECK_NUM(r, "share", 100.0);
	r = row(j, "distribution", "question", "difficult_subjects", "answer", "russian");
	CHECK_NUM(r, "share", 50.0);
	r = row(j, "distribution", "question", "russian_at_home", "answer", "true");
	CHECK_STR_EQ(str(r, "answer_label"), "да");
	CHECK_INT_EQ(num(r, "count"), 1);
	CHECK_NUM(r, "share", 50.0);
	CHECK(row(j, "distribution", "question", "wish", NULL, NULL) == NULL);
	CHECK(row(j, "distribution", "question", "comment", NULL, NULL) == NULL);
	/* enough_equipment: 4 and 2 (the null is «затрудняюсь ответить») */
	r = row(j, "scales", "question", "enough_equipment", NULL, NULL);
	CHECK_INT_EQ(num(r, "answered"), 2);
	CHECK_NUM(r, "average", 3.0);
	r = row(j, "scales", "question", "feel_safe", NULL, NULL);
	CHECK_INT_EQ(num(r, "answered"), 1);
	CHECK_NUM(r, "average", 5.0);
	r = row(j, "scales", "question", "team_climate", NULL, NULL);
	CHECK_NUM(r, "average", 4.0);
	r = row(j, "scales", "question", "grade", NULL, NULL);
	CHECK_NUM(r, "average", 6.0);
	cJSON_Delete(j);

	/* until 2021-05-31 (received_at): the third student drops out */
	j = run_json(db, "surveys", "170101", NULL, "2021-05-31");
	r = row(j, "responses", "school", "170101", "group", "survey_student");
	CHECK_INT_EQ(num(r, "responses"), 2);
	r = row(j, "distribution", "question", "bullying", "answer", "never");
	CHECK_NUM(r, "share", 50.0);
	cJSON_Delete(j);

	s = run(db, "surveys", NULL, NULL, NULL, REPORT_CSV, 0, &rc, &e);
	CHECK_INT_EQ(rc, 0);
	/* the passport has no students_4_11: all students, said so; no dates */
	CHECK_CONTAINS(s, "\r\n170101;Школа №1;обучающийся;3;100;все обучающиеся: в "
	    "паспорте нет числа 4–11 классов;3,0;0;0\r\n");
	CHECK_CONTAINS(s, "\r\n170101;Школа №1;обучающийся;Сталкивался(ась) ли ты с "
	    "травлей в школе в этом году;нет;2;66,7\r\n");
	CHECK_CONTAINS(s, "\r\n170101;Школа №1;обучающийся;На уроках хватает "
	    "оборудования (компьютеры, приборы);2;3,00\r\n");
	CHECK(strstr(s, "спортзал") == NULL && strstr(s, "all_good") == NULL);
	free(s);
	s = run(db, "surveys", NULL, NULL, NULL, REPORT_TABLE, 0, &rc, &e);
	CHECK_INT_EQ(rc, 0);
	CHECK_CONTAINS(s, "Распределение ответов");
	CHECK(strstr(s, "спортзал") == NULL);
	free(s);

	/* without form definitions: the same numbers, codes for labels */
	forms_dir = NULL;
	j = run_json(db, "surveys", NULL, NULL, NULL);
	r = row(j, "distribution", "question", "bullying", "answer", "never");
	CHECK_INT_EQ(num(r, "count"), 2);
	CHECK_STR_EQ(str(r, "answer_label"), "never");
	CHECK_STR_EQ(str(r, "question_label"), "bullying");
	CHECK(row(j, "distribution", "question", "wish", NULL, NULL) == NULL);
	cJSON_Delete(j);
	forms_dir = TETRAD_FORMS_DIR;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int
count_one(void *ctx, const struct hubdb_result *r)
{
	(void)r;
	(*(long long *)ctx)++;
	return 0;
}

static long long
count_results(struct hubdb *db)
{
	struct terr e;
	long long n = 0;

	if (hubdb_results_each(db, HUBDB_RESULTS_ISBSH, 0, 9999, count_one, &n, &e) != 0 ||
	    hubdb_results_each(db, HUBDB_RESULTS_LOW, 0, 9999, count_one, &n, &e) != 0)
		return -1;
	return n;
}

static void
test_results_import(struct hubdb *db, const char *dir)
{
	char path[512], *rep = NULL;
	size_t replen = 0, imported = 0;
	struct terr e;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/results.csv", dir);
	write_file(path, "\xef\xbb\xbfschool;year;indicator;value\r\n"
	    "170101;2021;vpr4_rus;40\r\n"
	    "170101;2021;vpr4_math;30\r\n"
	    "170101;2021;oge9_rus;20\r\n"
	    "170101;2021;oge9_math;30\r\n"
	    "170102;2021;low_share;5\r\n"
	    "\r\n"
	    "170103;2021;low_share;30\r\n"
	    "170103;2021;isbsh;-4\r\n"
	    "170104;2021;vpr4_rus;5\r\n"
	    "170104;2021;oge9_math;9 %\r\n"             /* a space before % */
	    "170104;2020;low_share;50\r\n"
	    "170105;2021;LOW_SHARE;\"12,5\xc2\xa0%\"\r\n"); /* a no-break one */
	f = open_memstream(&rep, &replen);
	rc = results_import_report(db, path, f, &imported, &e);
	fclose(f);
	CHECK_INT_EQ(rc, 0);
	CHECK_INT_EQ(imported, 11);
	CHECK_CONTAINS(rep, "Импортировано строк: 11");
	free(rep);
	CHECK_INT_EQ(count_results(db), 11);

	/* four bad rows: nothing written, every one reported */
	snprintf(path, sizeof(path), "%s/bad.csv", dir);
	write_file(path, "Код ОО,Год,Показатель,Значение,Название\n"
	    "170101,2022,vpr4_rus,40,Школа 1\n"
	    "170101,20x1,vpr4_rus,40,Школа 1\n"
	    "170102,2022,unknown,5,\n"
	    "170103,2022,low_share,150,\n"
	    "170101,2022,vpr4_rus,41,\n"
	    "170104,2022,vpr4_math,\"7,5\",\"Школа, 4\"\n");
	rep = NULL;
	f = open_memstream(&rep, &replen);
	rc = results_import_report(db, path, f, &imported, &e);
	fclose(f);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK_INT_EQ(imported, 0);
	CHECK_CONTAINS(e.msg, "строк с ошибками: 4");
	CHECK_CONTAINS(rep, "строка 3: год «20x1»");
	CHECK_CONTAINS(rep, "строка 4: показатель «unknown» неизвестен");
	CHECK_CONTAINS(rep, "строка 5: значение «150» вне допустимого диапазона");
	CHECK_CONTAINS(rep, "строка 6: повторяет строку 2");
	free(rep);
	CHECK_INT_EQ(count_results(db), 11);

	/* structural problems */
	snprintf(path, sizeof(path), "%s/nohdr.csv", dir);
	write_file(path, "school;year;value\n170101;2021;5\n");
	CHECK_INT_EQ(results_import(db, path, &e), TERR_PARSE);
	CHECK_CONTAINS(e.msg, "indicator");
	write_file(path, "school;year;indicator;value\n170101;2021;low_share;\"5\n");
	CHECK_INT_EQ(results_import(db, path, &e), TERR_PARSE);
	CHECK_CONTAINS(e.msg, "кавычка");
	write_file(path, "school;year;indicator;value\n170101;2021;low_share;\xff\n");
	CHECK_INT_EQ(results_import(db, path, &e), TERR_UTF8);
	write_file(path, "school;year;indicator;value\n");
	CHECK_INT_EQ(results_import(db, path, &e), TERR_INVALID);
	CHECK_INT_EQ(results_import(db, "/nonexistent/x.csv", &e), TERR_IO);
	CHECK_INT_EQ(count_results(db), 11);
}

static void
test_results_parse(void)
{
	struct results_set *s = NULL;
	struct terr e;
	const struct results_row *w;
	static const char quoted[] = "\"school\",\"year\",\"indicator\",\"value\"\n"
	    "\"17\"\"01\",2021,isbsh,1\n"
	    "170101,2021,isbsh,\"-2,5\"\n"
	    "170102,2021,isbsh,-8\n"
	    "170103,2021,isbsh,8.0\n";

	CHECK_INT_EQ(results_parse(quoted, sizeof(quoted) - 1, &s, &e), 0);
	CHECK_INT_EQ(results_set_n_rows(s), 3);
	CHECK_INT_EQ(results_set_n_bad(s), 1);   /* 17"01 is not a school code */
	CHECK_CONTAINS(results_set_bad(s, 0), "строка 2: код ОО");
	w = results_set_row(s, 0);
	CHECK(w && w->value == -2.5 && w->year == 2021 && w->line == 3);
	CHECK_STR_EQ(w ? w->indicator : NULL, "isbsh");
	results_set_free(s);

	CHECK_INT_EQ(results_parse("", 0, &s, &e), TERR_PARSE);
	CHECK(s == NULL);
	{
		/* tab-separated after a blank line; a stray quote is refused by line */
		static const char tabs[] = "\r\nschool\tyear\tindicator\tvalue\n170101\t2021\tisbsh\t3\n";
		static const char stray[] = "school;year;indicator;value\n170101;2021;isbsh;3\n"
		    "170102;20\"21;isbsh;3\n";

		CHECK_INT_EQ(results_parse(tabs, sizeof(tabs) - 1, &s, &e), 0);
		CHECK_INT_EQ(results_set_n_rows(s), 1);
		w = results_set_row(s, 0);
		CHECK(w && w->value == 3 && w->line == 3);
		results_set_free(s);
		CHECK_INT_EQ(results_parse(stray, sizeof(stray) - 1, &s, &e), TERR_PARSE);
		CHECK(s == NULL);
		CHECK_CONTAINS(e.msg, "Строка 3");
		CHECK_CONTAINS(e.msg, "кавычка");
	}
	CHECK_INT_EQ(results_parse("a;b;c;d\n", 8, &s, &e), TERR_PARSE);
	CHECK_INT_EQ(results_parse("school;year;indicator;value;year\n", 33, &s, &e),
	    TERR_PARSE);
	CHECK_CONTAINS(e.msg, "дважды");
	CHECK_INT_EQ(results_parse("x", (size_t)RESULTS_MAX_BYTES + 1, &s, &e),
	    TERR_TOO_LARGE);
	{
		static const char few[] = "school;year;indicator;value\n170101;2021\n"
		    "170101;2021;isbsh;1e3\n170101;2021;isbsh;9\n";

		CHECK_INT_EQ(results_parse(few, sizeof(few) - 1, &s, &e), 0);
		CHECK_INT_EQ(results_set_n_bad(s), 3);
		CHECK_CONTAINS(results_set_bad(s, 0), "столбцов 2");
		CHECK_CONTAINS(results_set_bad(s, 1), "не число");
		CHECK_CONTAINS(results_set_bad(s, 2), "вне допустимого");
		results_set_free(s);
	}
}

static void
test_identification(struct hubdb *db)
{
	cJSON *j = run_json(db, "identification", NULL, NULL, NULL);
	const cJSON *r;
	struct terr e;
	int rc;
	char *s;

	/*
	 * 170101: mean (40 + 30 + 20 + 30) / 4 = 30 >= 30 -> low -> crisis;
	 * 170102: 5 < 10 -> high, favourable -> outside the clusters;
	 * 170103: 30 -> low -> crisis (imported index -4: НСУ);
	 * 170104: 2021 beats 2020: (5 + 9) / 2 = 7 -> high, unfavourable ->
	 * resilient; 170105: 12.5 medium, no status -> no data.
	 */
	r = row(j, "schools", "school", "170101", NULL, NULL);
	CHECK_NUM(r, "low_share", 30.0);
	CHECK_INT_EQ(num(r, "results_year"), 2021);
	CHECK_STR_EQ(str(r, "level"), "low");
	CHECK_STR_EQ(str(r, "nor"), "да");
	CHECK_STR_EQ(str(r, "nsu"), "да");
	CHECK_STR_EQ(str(r, "cluster"), "crisis");
	CHECK_STR_EQ(str(r, "cluster_label"), "кризисная ситуация");
	r = row(j, "schools", "school", "170102", NULL, NULL);
	CHECK_STR_EQ(str(r, "level"), "high");
	CHECK_STR_EQ(str(r, "cluster"), "none");
	CHECK_STR_EQ(str(r, "nsu"), "нет");
	r = row(j, "schools", "school", "170103", NULL, NULL);
	CHECK_STR_EQ(str(r, "cluster"), "crisis");
	CHECK_NUM(r, "isbsh", -4);
	r = row(j, "schools", "school", "170104", NULL, NULL);
	CHECK_NUM(r, "low_share", 7.0);
	CHECK_STR_EQ(str(r, "cluster"), "resilient");
	CHECK_STR_EQ(str(r, "cluster_label"), "резильентные");
	r = row(j, "schools", "school", "170105", NULL, NULL);
	CHECK_NUM(r, "low_share", 12.5);
	CHECK_STR_EQ(str(r, "level"), "medium");
	CHECK(is_null(r, "cluster"));
	CHECK_STR_EQ(str(r, "cluster_label"), "нет данных");
	CHECK_NUM(cJSON_GetObjectItemCaseSensitive(j, "meta"),
	    "identification.low_threshold", 30);
	cJSON_Delete(j);

	/* "more than 30 %": 30 is no longer low -> medium -> zone of risk */
	CHECK_INT_EQ(report_setting_set(db, "identification.low_comparison", ">", &e), 0);
	j = run_json(db, "identification", NULL, NULL, NULL);
	r = row(j, "schools", "school", "170101", NULL, NULL);
	CHECK_STR_EQ(str(r, "level"), "medium");
	CHECK_STR_EQ(str(r, "cluster"), "risk_zone");
	CHECK_STR_EQ(str(r, "cluster_label"), "зона риска");
	CHECK_STR_EQ(str(r, "nor"), "нет");
	r = row(j, "schools", "school", "170103", NULL, NULL);
	CHECK_STR_EQ(str(r, "cluster"), "risk_zone");
	cJSON_Delete(j);
	CHECK_INT_EQ(report_setting_set(db, "identification.low_comparison", NULL, &e), 0);

	/* max of subjects: 170101 -> 40 -> low; threshold 45 -> medium */
	CHECK_INT_EQ(report_setting_set(db, "identification.combine", "max", &e), 0);
	CHECK_INT_EQ(report_setting_set(db, "identification.low_threshold", "45", &e), 0);
	j = run_json(db, "identification", "170101", NULL, NULL);
	CHECK_INT_EQ(nrows(j, "schools"), 1);
	r = row(j, "schools", "school", "170101", NULL, NULL);
	CHECK_NUM(r, "low_share", 40.0);
	CHECK_STR_EQ(str(r, "cluster"), "risk_zone");
	cJSON_Delete(j);
	CHECK_INT_EQ(report_setting_set(db, "identification.low_threshold", "x", &e),
	    TERR_ARG);
	CHECK_INT_EQ(report_setting_set(db, "identification.bogus", "1", &e), TERR_ARG);
	CHECK_INT_EQ(report_setting_set(db, "identification.combine", "avg", &e),
	    TERR_ARG);
	CHECK_INT_EQ(report_setting_set(db, "identification.high_threshold", "-1", &e),
	    TERR_ARG);
	CHECK_INT_EQ(report_setting_set(db, "identification.low_threshold", "101", &e),
	    TERR_ARG);
	CHECK_CONTAINS(e.msg, "от 0 до 100");
	/* a decimal comma is fine; 12,5 > 7 keeps 170104 high */
	CHECK_INT_EQ(report_setting_set(db, "identification.high_threshold", "12,5", &e),
	    0);
	j = run_json(db, "identification", "170104", NULL, NULL);
	CHECK_STR_EQ(str(row(j, "schools", "school", "170104", NULL, NULL), "level"),
	    "high");
	CHECK_NUM(cJSON_GetObjectItemCaseSensitive(j, "meta"),
	    "identification.high_threshold", 12.5);
	cJSON_Delete(j);
	/* high above low, or a value broken by hand: refused, not guessed */
	CHECK_INT_EQ(report_setting_set(db, "identification.high_threshold", "50", &e), 0);
	free(run(db, "identification", NULL, NULL, NULL, REPORT_TABLE, 0, &rc, &e));
	CHECK_INT_EQ(rc, TERR_ARG);
	CHECK_CONTAINS(e.msg, "порог высоких результатов");
	/* a value broken by hand, behind report_setting_set's back */
	CHECK_INT_EQ(hubdb_setting_put(db, "identification.high_threshold", "abc", &e), 0);
	free(run(db, "identification", NULL, NULL, NULL, REPORT_TABLE, 0, &rc, &e));
	CHECK_INT_EQ(rc, TERR_ARG);
	CHECK_CONTAINS(e.msg, "identification.high_threshold");
	CHECK_INT_EQ(report_setting_set(db, "identification.high_threshold", NULL, &e), 0);
	s = run(db, "settings", NULL, NULL, NULL, REPORT_CSV, 0, &rc, &e);
	CHECK_INT_EQ(rc, 0);
	CHECK_CONTAINS(s, "identification.combine;max;mean;");
	CHECK_CONTAINS(s, "identification.low_threshold;45;30;");
	free(s);
	CHECK_INT_EQ(report_setting_set(db, "identification.combine", NULL, &e), 0);
	CHECK_INT_EQ(report_setting_set(db, "identification.low_threshold", NULL, &e), 0);

	/* 2020: 170104's low_share 50 -> crisis */
	j = run_json(db, "identification", "170104", "2020-01-01", "2020-12-31");
	r = row(j, "schools", "school", "170104", NULL, NULL);
	CHECK_INT_EQ(num(r, "results_year"), 2020);
	CHECK_STR_EQ(str(r, "cluster"), "crisis");
	cJSON_Delete(j);

	s = run(db, "identification", NULL, NULL, NULL, REPORT_CSV, 0, &rc, &e);
	CHECK_INT_EQ(rc, 0);
	CHECK_CONTAINS(s, "\r\n170104;Школа №4;-5,0;−8…+8;неблагоприятный;2021;;;7,0;"
	    "по процентам, без числа участников;высокий;нет;да;резильентные\r\n");
	CHECK_CONTAINS(s, "\r\n170105;Школа №5;;;;2021;;;12,5;общая доля из импорта;"
	    "средний;нет;;нет данных\r\n");
	free(s);
	s = run(db, "identification", NULL, NULL, NULL, REPORT_TABLE, 0, &rc, &e);
	CHECK_INT_EQ(rc, 0);
	CHECK_CONTAINS(s, "Порог низких результатов, %: 30");
	/* coded settings in words, numbers with a decimal comma */
	CHECK_CONTAINS(s, "Сравнение с порогом: не менее порога (>=)");
	CHECK_CONTAINS(s, "Сведение предметов: по всем участникам вместе");
	CHECK_CONTAINS(s, "ИСБШ 0–100: неблагоприятный не выше: 31,25");
	CHECK(strstr(s, ": mean") == NULL);
	CHECK_CONTAINS(s, "кризисная ситуация");
	free(s);
}

static void
test_errors(struct hubdb *db)
{
	struct terr e;
	int rc;
	char *s;

	s = run(db, "nosuch", NULL, NULL, NULL, REPORT_TABLE, 0, &rc, &e);
	CHECK_INT_EQ(rc, TERR_ARG);
	CHECK_CONTAINS(e.msg, "неизвестный отчёт");
	free(s);
	s = run(db, "mediation", NULL, "2021-13-01", NULL, REPORT_TABLE, 0, &rc, &e);
	CHECK_INT_EQ(rc, TERR_ARG);
	CHECK_CONTAINS(e.msg, "--from");
	free(s);
	s = run(db, "mediation", NULL, "2021-05-01", "2021-01-01", REPORT_TABLE, 0,
	    &rc, &e);
	CHECK_INT_EQ(rc, TERR_ARG);
	free(s);
	/* an unknown school: empty sections, not an error */
	s = run(db, "mediation", "999999", NULL, NULL, REPORT_TABLE, 0, &rc, &e);
	CHECK_INT_EQ(rc, 0);
	CHECK_CONTAINS(s, "(нет данных)");
	free(s);
}

/* The reports read these fields by id: the built-in forms must have them. */
static void
test_forms_contract(void)
{
	static const struct {
		const char *form, *path, *choice;
	} need[] = {
		{ "risk_visit", "visit_date", NULL },
		{ "risk_visit", "factors.factor", NULL },
		{ "risk_visit", "factors.decision", "confirmed" },
		{ "risk_visit", "factors.decision", "not_confirmed" },
		{ "risk_visit", "factors.decision", "needs_clarification" },
		{ "mediation_case", "received_date", NULL },
		{ "mediation_case", "source", "kdn" },
		{ "mediation_case", "situation_kind", "bullying" },
		{ "mediation_case", "conflict_type", "student_student" },
		{ "mediation_case", "status", "held" },
		{ "mediation_case", "status", "completed" },
		{ "mediation_case", "programme", "community_circle" },
		{ "mediation_case", "children_count", NULL },
		{ "mediation_case", "adults_count", NULL },
		{ "mediation_case", "agreement", NULL },
		{ "social_passport", "academic_year", NULL },
		{ "social_passport", "snapshot_date", NULL },
		{ "social_passport", "level", "school" },
		{ "social_passport", "level", "class" },
		{ "social_passport", "class_name", NULL },
		{ "social_passport", "students_total", NULL },
		{ "social_passport", "families_total", NULL },
		{ "social_passport", "low_income_families", NULL },
		{ "social_passport", "single_parent_families", NULL },
		{ "social_passport", "sop_families", NULL },
		{ "social_passport", "tjs_families", NULL },
		{ "social_passport", "unemployed_parents", NULL },
		{ "social_passport", "non_native_russian", NULL },
		{ "social_passport", "special_needs", NULL },
		{ "social_passport", "parents_higher_education", NULL },
		{ "social_passport", "migrant_families", NULL },
		{ "survey_director", "teachers_total", NULL },
		{ "survey_student", "bullying", "never" },
	};
	char path[1024], dicts[1024];

	snprintf(dicts, sizeof(dicts), "%s/dict", TETRAD_FORMS_DIR);
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		struct form *f = NULL;
		const struct form_field *ff;
		struct terr e;

		snprintf(path, sizeof(path), "%s/%s.json", TETRAD_FORMS_DIR, need[i].form);
		CHECK_INT_EQ(formfile_load(path, dicts, &f, &e), 0);
		ff = f ? form_field_find_path(f, need[i].path) : NULL;
		if (ff == NULL)
			fprintf(stderr, "form %s has no field %s\n", need[i].form, need[i].path);
		CHECK(ff != NULL);
		if (ff && need[i].choice)
			CHECK(form_choice_find(ff, need[i].choice) != NULL);
		form_free(f);
	}
}

/*
 * Many schools whose passports, visits and cases arrive interleaved (HLC
 * order is not school order), in a store of their own. Even schools: two
 * whole-school passports of one day (the later record counts) after an
 * older one and a class passport (ignored); odd schools: 5А sent twice (the
 * later snapshot counts), 6Б, and a class without a name sent twice (both
 * count). The sums are those the report gave when it compared every
 * passport with every other.
 */
static void
test_many_schools(const char *dir)
{
	enum { N = 60 };
	struct hubdb *db = NULL;
	struct terr e;
	char path[600], code[16], data[512];
	const cJSON *r;
	cJSON *j;

	test_store(path, sizeof(path), dir, "many.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db == NULL)
		return;
	for (int step = 0; step < 5; step++)
		for (int i = 0; i < N; i++) {
			/* students -1: (step + 1) * 100 + i */
			static const struct { const char *f; int students; } even[] = {
				{ "\"level\":\"school\",\"snapshot_date\":\"2021-09-10\"", -1 },
				{ "\"level\":\"class\",\"class_name\":\"5А\",\"snapshot_date\":"
				  "\"2021-09-25\"", 7 },
				{ "\"level\":\"school\",\"snapshot_date\":\"2021-09-20\"", -1 },
				{ "\"level\":\"school\",\"snapshot_date\":\"2021-09-20\"", -1 },
				{ NULL, 0 },
			}, odd[] = {
				{ "\"level\":\"class\",\"class_name\":\"5А\",\"snapshot_date\":"
				  "\"2021-09-10\"", 20 },
				{ "\"level\":\"class\",\"class_name\":\"5А\",\"snapshot_date\":"
				  "\"2021-09-12\"", 25 },
				{ "\"level\":\"class\",\"class_name\":\"6Б\",\"snapshot_date\":"
				  "\"2021-09-11\"", 30 },
				{ "\"level\":\"class\",\"snapshot_date\":\"2021-09-11\"", 5 },
				{ "\"level\":\"class\",\"snapshot_date\":\"2021-09-11\"", 5 },
			};
			const char *f = (i % 2 ? odd : even)[step].f;
			int students = (i % 2 ? odd : even)[step].students;

			snprintf(code, sizeof(code), "%d", 171000 + i);
			if (step == 4) {
				/* one visit and one case each, interleaved as well */
				put(db, "risk_visit", code, 0, NULL, "{\"visit_date\":\"2021-10-01\","
				    "\"factors\":[{\"factor\":\"R01\",\"decision\":\"confirmed\"}]}");
				put(db, "mediation_case", code, 0, NULL, "{\"received_date\":"
				    "\"2021-10-01\",\"status\":\"completed\",\"source\":\"teacher\"}");
			}
			if (f == NULL)
				continue;
			snprintf(data, sizeof(data), "{\"academic_year\":\"2021/2022\",%s,"
			    "\"students_total\":%d,\"low_income_families\":%d}", f,
			    students < 0 ? (step + 1) * 100 + i : students, i % 7);
			put(db, "social_passport", code, 0, NULL, data);
		}

	j = run_json(db, "passport", NULL, NULL, NULL);
	CHECK_INT_EQ(nrows(j, "schools"), N);
	for (int i = 0; i < N; i++) {
		snprintf(code, sizeof(code), "%d", 171000 + i);
		r = row(j, "schools", "school", code, NULL, NULL);
		/* even: the later of the two 09-20 passports (400 + i); odd: 25 + 30 + 5 + 5 */
		CHECK_INT_EQ(num(r, "records"), i % 2 ? 4 : 1);
		CHECK_INT_EQ(num(r, "students"), i % 2 ? 65 : 400 + i);
		r = row(j, "shares", "school", code, "category", "low_income_families");
		CHECK_INT_EQ(num(r, "count"), i % 2 ? 4 * (i % 7) : i % 7);
	}
	CHECK_NUM(cJSON_GetObjectItemCaseSensitive(j, "meta"), "isbsh_schools", N);
	cJSON_Delete(j);

	/* tallies filled in HLC order come out by school */
	j = run_json(db, "verification", NULL, NULL, NULL);
	CHECK_INT_EQ(nrows(j, "visits"), N);
	CHECK_INT_EQ(nrows(j, "factors"), N);
	CHECK_STR_EQ(str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "visits"), 0),
	    "school"), "171000");
	CHECK_STR_EQ(str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "visits"),
	    N - 1), "school"), "171059");
	r = row(j, "summary", "factor", "R01", NULL, NULL);
	CHECK_INT_EQ(num(r, "confirmed"), N);
	cJSON_Delete(j);
	j = run_json(db, "mediation", NULL, NULL, NULL);
	CHECK_INT_EQ(nrows(j, "summary"), N + 1);
	CHECK_STR_EQ(str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "summary"),
	    N - 1), "school"), "171059");
	r = row(j, "by_source", "school", "171031", "code", "teacher");
	CHECK_INT_EQ(num(r, "count"), 1);
	cJSON_Delete(j);
	hubdb_close(db);
}

/* report_pick_parse of text with pick, printed unformatted, against want (NULL: no tree). */
static void
pick_check(const char *text, const struct report_pick *pick, const char *want)
{
	cJSON *j = report_pick_parse(text, strlen(text), pick);
	char *got = j ? cJSON_PrintUnformatted(j) : NULL;

	if (want == NULL)
		CHECK(j == NULL);
	else {
		CHECK(got != NULL);
		if (got != NULL && strcmp(got, want) != 0)
			fprintf(stderr, "pick %s:\n  got  %s\n  want %s\n", text, got, want);
		CHECK(got != NULL && strcmp(got, want) == 0);
	}
	free(got);
	cJSON_Delete(j);
}

/*
 * A cell's text against printf's, the way report_model_cell_text wrote it
 * before it formatted the digits itself: numbers half-way, negative ones
 * rounding to zero, the largest integers, and 20,000 pseudo-random ones.
 */
static const char *
cell_text_printf(const struct report_cell *c, int dec, char decsep, char *buf, size_t cap)
{
	if (c->kind == REPORT_CELL_INT) {
		snprintf(buf, cap, "%lld", c->i);
		return buf;
	}
	snprintf(buf, cap, "%.*f", dec, report_model_round(c->d, dec));
	for (char *q = buf; *q; q++)
		if (*q == '.')
			*q = decsep;
	if (strncmp(buf, "-0", 2) == 0 && strspn(buf + 1, "0,.") == strlen(buf + 1))
		memmove(buf, buf + 1, strlen(buf));
	return buf;
}

static void
test_cell_text(void)
{
	static const double nums[] = { 0, -0.0, 0.05, -0.05, 0.049, -0.049, 2.5, -2.5, 0.125,
	    99.95, 100, 1e12, -1e12, 123456789.123, 8.9e14, -8.9e14, 1e300, 33.333333 };
	static const long long ints[] = { 0, 1, -1, 9, 10, -10, 1234567, LLONG_MAX, LLONG_MIN };
	unsigned long long x = 88172645463325252ULL;
	char want[400], got[400];
	int bad = 0;

	for (int dec = 0; dec <= 3; dec++)
		for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
			struct report_cell c = { .kind = REPORT_CELL_NUM, .d = nums[i] };

			cell_text_printf(&c, dec, ',', want, sizeof(want));
			CHECK_STR_EQ(report_model_cell_text(&c, dec, ',', got, sizeof(got)), want);
		}
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		struct report_cell c = { .kind = REPORT_CELL_INT, .i = ints[i] };

		cell_text_printf(&c, 0, ',', want, sizeof(want));
		CHECK_STR_EQ(report_model_cell_text(&c, 0, ',', got, sizeof(got)), want);
	}
	for (int n = 0; n < 20000; n++) {
		struct report_cell c = { .kind = REPORT_CELL_NUM, .d = 0 };
		int dec = n % 4;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* shares, counts and money: up to 10^(n % 10) */
		c.d = (double)(x % 2000001) / 1000.0 - 1000.0;
		for (int k = 0; k < n % 10; k++)
			c.d *= 10;
		cell_text_printf(&c, dec, '.', want, sizeof(want));
		if (strcmp(report_model_cell_text(&c, dec, '.', got, sizeof(got)), want) != 0 &&
		    bad++ < 5)
			fprintf(stderr, "cell %.17g, %d decimals: %s, printf %s\n", c.d, dec, got, want);
	}
	CHECK_INT_EQ(bad, 0);
}

/*
 * A section's rows across the blocks they are kept in (report_model.h): each
 * cell read back where it was written, a row's cells empty until written
 * (the first row of every block among them), and the CSV holding every row
 * in order.
 */
static void
test_model_blocks(void)
{
	static const struct report_col cols[] = {
		{ "n", "Номер", 0, 0 }, { "name", "Имя", 0, 0 }, { "share", "Доля", 2, 0 },
	};
	enum { N = 3 * REPORT_MODEL_BLOCK_ROWS + 7 };
	struct report_out o;
	struct report_sect *s;
	struct terr e;
	char name[48], *csv = NULL, *line;
	size_t len = 0;
	FILE *f;
	int bad = 0;

	memset(&o, 0, sizeof(o));
	o.name = "blocks";
	o.title = "Блоки";
	s = report_model_sect(&o, "rows", "Строки", cols, REPORT_NCOLS(cols));
	CHECK(s != NULL);
	if (s == NULL)
		return;
	for (long i = 0; i < N; i++) {
		long r = report_model_row(s);

		CHECK_INT_EQ(r, i);
		if (r < 0)
			break;
		/* a new row is empty: no cell of a block's last use shows through */
		if (report_model_at(s, (size_t)r, 1)->kind != REPORT_CELL_NULL ||
		    report_model_at(s, (size_t)r, 2)->kind != REPORT_CELL_NULL)
			bad++;
		report_model_int(s, r, 0, i * 7);
		if (i % 3 == 0) {
			snprintf(name, sizeof(name), "строка %ld", i);
			CHECK_INT_EQ(report_model_str(s, r, 1, name), 0);
		}
		report_model_num(s, r, 2, (double)i / 4);
	}
	CHECK_INT_EQ(s->nrows, N);
	for (size_t i = 0; i < s->nrows; i++) {
		const struct report_cell *a = report_model_at(s, i, 0), *b = report_model_at(s, i, 1),
		    *c = report_model_at(s, i, 2);

		snprintf(name, sizeof(name), "строка %zu", i);
		if (a->kind != REPORT_CELL_INT || a->i != (long long)i * 7 ||
		    c->kind != REPORT_CELL_NUM || c->d != (double)i / 4 ||
		    (i % 3 == 0 ? b->kind != REPORT_CELL_STR || strcmp(b->s, name) != 0 :
		    b->kind != REPORT_CELL_NULL))
			bad++;
	}
	CHECK_INT_EQ(bad, 0);
	f = open_memstream(&csv, &len);
	CHECK(f != NULL);
	if (f == NULL) {
		report_model_free(&o);
		return;
	}
	CHECK_INT_EQ(report_render_csv(&o, f, ';', &e), 0);
	fclose(f);
	/* the header, then row i on line i + 1: the rows each side of a block's edge */
	CHECK_CONTAINS(csv, "\r\n3577;;127,75\r\n3584;;128,00\r\n3591;строка 513;128,25\r\n");
	CHECK_CONTAINS(csv, "\r\n7161;строка 1023;255,75\r\n7168;;256,00\r\n");
	line = csv;
	for (int k = 0; k < N + 1; k++) {
		line = strstr(line, "\r\n");
		CHECK(line != NULL);
		if (line == NULL)
			break;
		line += 2;
	}
	if (line != NULL)
		CHECK_STR_EQ(line, "");
	free(csv);
	report_model_free(&o);
}

/*
 * The picker gives the members a report names, as a whole parse would: the
 * first of a repeated name, escaped quotes and brackets in the texts it
 * steps over, repeat groups narrowed, and a whole parse of what it does not
 * follow (an escaped name, a non-object, broken text).
 */
static void
test_pick(void)
{
	static const struct report_pick sub[] = { { "f", NULL }, { NULL, NULL } };
	static const struct report_pick pick[] = {
		{ "a", NULL }, { "n", NULL }, { "g", sub }, { NULL, NULL },
	};

	pick_check("{\"a\":\"x\",\"t\":\"q\\\"}]{[\\\\\",\"n\":1.5}", pick,
	    "{\"a\":\"x\",\"n\":1.5}");
	pick_check(" { \"t\" : [1,{\"a\":\"no\"},[\"]\"]] , \"a\" : true ,\"a\":false} ", pick,
	    "{\"a\":true}");
	pick_check("{\"g\":[{\"f\":\"R1\",\"c\":\"}\",\"f\":\"R9\"},7,{\"d\":[]}],\"n\":null}",
	    pick, "{\"g\":[{\"f\":\"R1\"},7,{}],\"n\":null}");
	/* a repeat group that is not an array is given whole */
	pick_check("{\"g\":{\"f\":1,\"x\":2}}", pick, "{\"g\":{\"f\":1,\"x\":2}}");
	pick_check("{}", pick, "{}");
	pick_check("{\"g\":[]}", pick, "{\"g\":[]}");
	/* not followed: parsed whole */
	pick_check("{\"\\u0061\":1,\"t\":2}", pick, "{\"a\":1,\"t\":2}");
	pick_check("[1,2]", pick, "[1,2]");
	pick_check("{\"a\":1,\"t\":\"open}", pick, NULL);
	pick_check("{\"a\":tru}", pick, NULL);
	pick_check("{\"a\":1", pick, NULL);
	/* counts made by the picker, other numbers by cJSON: the same values */
	pick_check("{\"n\":42}", pick, "{\"n\":42}");
	pick_check("{\"n\":007 ,\"a\":0}", pick, "{\"n\":7,\"a\":0}");
	pick_check("{\"n\":-3}", pick, "{\"n\":-3}");
	pick_check("{\"n\":1e3}", pick, "{\"n\":1000}");
	pick_check("{\"n\":1234567890123456}", pick, "{\"n\":1234567890123456}");
	pick_check("{\"n\":12x}", pick, NULL);
	{
		static const char big[] = "{\"n\":3000000000}";
		cJSON *a = report_pick_parse(big, strlen(big), pick);
		cJSON *b = cJSON_Parse(big);
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, "n");
		const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, "n");

		CHECK(x != NULL && y != NULL && cJSON_IsNumber(x) && x->valueint == y->valueint &&
		    x->valuedouble == y->valuedouble);
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
	/* no pick: the whole document */
	pick_check("{\"t\":[1],\"a\":2}", NULL, "{\"t\":[1],\"a\":2}");
}

/* Copies a result into another store (test_engines_agree's twin). */
static int
copy_result(void *ctx, const struct hubdb_result *r)
{
	struct terr e;

	CHECK_INT_EQ(hubdb_result_put(ctx, r, &e), 0);
	return 0;
}

/*
 * The PostgreSQL lane only: the same schools, records and imported
 * results in a SQLite store beside it, and every report, for the region and for a school, over the
 * whole time and over a period, the same text from both (sums of doubles,
 * order, integer and real columns, NULLs: issue 20). The records get the
 * ids and clocks fill gave the first store.
 */
static void
test_engines_agree(struct hubdb *pg, const char *dir, int counter_before)
{
	static const char *const names[] = { "verification", "mediation", "passport",
	    "surveys", "identification", "settings", "completeness" };
	static const struct {
		const char *school, *from, *to;
	} asks[] = {
		{ NULL, NULL, NULL }, { "170101", NULL, NULL }, { "170102", NULL, NULL },
		{ NULL, "2021-05-11", "2021-12-31" }, { NULL, "2020-01-01", "2021-05-11" },
	};
	static const char *const codes[] = { "170101", "170102", "170103", "170104",
	    "170105" };
	char path[600];
	struct hubdb *lite = NULL;
	struct terr e;
	int saved = rec_counter;

	snprintf(path, sizeof(path), "%s/twin.db", dir);
	CHECK_INT_EQ(hubdb_open(path, &lite, &e), 0);
	if (lite == NULL)
		return;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		char name[32];

		snprintf(name, sizeof(name), "Школа №%zu", i + 1);
		CHECK_INT_EQ(hubdb_school_put(lite, codes[i], name, &e), 0);
	}
	rec_counter = counter_before;
	fill(lite);
	CHECK_INT_EQ(rec_counter, saved);
	rec_counter = saved;
	CHECK_INT_EQ(hubdb_results_each(pg, HUBDB_RESULTS_ISBSH, 0, 9999, copy_result, lite,
	    &e), 0);
	CHECK_INT_EQ(hubdb_results_each(pg, HUBDB_RESULTS_LOW, 0, 9999, copy_result, lite, &e),
	    0);
	CHECK(count_results(lite) > 0);
	CHECK_INT_EQ(count_results(lite), count_results(pg));
	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++)
		for (size_t a = 0; a < sizeof(asks) / sizeof(asks[0]); a++)
			for (int csv = 0; csv < 2; csv++) {
				enum report_format fmt = csv ? REPORT_CSV : REPORT_JSON;
				int rc_pg, rc_lite;
				char *x = run(pg, names[n], asks[a].school, asks[a].from, asks[a].to,
				    fmt, ';', &rc_pg, &e);
				char *y = run(lite, names[n], asks[a].school, asks[a].from,
				    asks[a].to, fmt, ';', &rc_lite, &e);

				CHECK_INT_EQ(rc_pg, 0);
				CHECK_INT_EQ(rc_pg, rc_lite);
				if (x && y && strcmp(x, y) != 0)
					fprintf(stderr, "%s, ask %zu:\nPostgreSQL: %s\nSQLite: %s\n",
					    names[n], a, x, y);
				CHECK_STR_EQ(x ? x : "", y ? y : "");
				free(x);
				free(y);
			}
	hubdb_close(lite);
}

int
main(void)
{
	char dir[] = "/tmp/test_report.XXXXXX", path[600];
	struct hubdb *db = NULL;
	struct terr e;
	int counter;

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
	CHECK_INT_EQ(hubdb_school_put(db, "170101", "Школа №1", &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "170102", "Школа №2", &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "170103", "Школа №3", &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "170104", "Школа №4", &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "170105", "Школа №5", &e), 0);
	counter = rec_counter;
	fill(db);

	test_pick();
	test_cell_text();
	test_model_blocks();
	test_forms_contract();
	test_results_parse();
	test_results_import(db, dir);
	/* after the imports, before any test writes again */
	if (test_store_pg())
		test_engines_agree(db, dir, counter);
	test_verification(db);
	test_mediation(db);
	test_passport(db);
	test_surveys(db);
	test_identification(db);
	test_errors(db);
	test_many_schools(dir);

	hubdb_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
