/*
 * test_report_medsurv — the mediation and surveys reports over the right
 * base (issue 17), on a store the hub itself creates, against numbers
 * computed by hand (the arithmetic is in the comments): a case number
 * repeated by two devices listed and counted once, the shares over closed
 * cases with the open ones shown, the follow-up of agreements and the
 * school's reactions counted; the students' coverage over grades 4–11,
 * each response's own date as its day and the responses after the
 * deadline (surveys.deadline), also after an edit moves a response's
 * date. Plus the form-level "unique" rule as the forms reader sees it.
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
#include "tetrad/form.h"
#include "tetrad/formfile.h"

static const char *forms_dir = TETRAD_FORMS_DIR;

/* The last clock put gave: a second store is filled from 0 again. */
static int hlc;

/* Puts (or, with the same n, edits) record n: hlc grows with each call. */
static void
put(struct hubdb *db, int n, const char *form, const char *school,
    const char *received, const char *data)
{
	struct hubdb_record r;
	struct terr e;

	memset(&r, 0, sizeof(r));
	r.id[14] = (unsigned char)(n >> 8);
	r.id[15] = (unsigned char)n;
	snprintf(r.hlc, sizeof(r.hlc), "%020d", ++hlc);
	snprintf(r.form_id, sizeof(r.form_id), "%s", form);
	r.form_version = 2;
	snprintf(r.school, sizeof(r.school), "%s", school);
	/* two devices of one school: odd records from one, even from the other */
	snprintf(r.device_id, sizeof(r.device_id), n % 2 ? "00112233aabbccdd" :
	    "99887766aabbccdd");
	r.data = strdup(data);
	CHECK_INT_EQ(hubdb_record_import(db, &r, received, &e), 0);
	hubdb_record_clear(&r);
}

static cJSON *
run_json(struct hubdb *db, const char *name, const char *school, const char *from,
    const char *to)
{
	return report_json(db, name, school, from, to, forms_dir);
}

#define RCV "2026-06-01T08:00:00Z"

static void
fill_mediation(struct hubdb *db)
{
	/* A and B: «2026-07» of 2026 from two devices; B is the later record */
	put(db, 1, "mediation_case", "170201", RCV, "{\"case_number\":\"2026-07\","
	    "\"received_date\":\"2026-03-01\",\"status\":\"completed\",\"agreement\":true,"
	    "\"agreement_follow_up\":\"fulfilled\",\"source\":\"teacher\","
	    "\"reaction_ways\":[\"restorative_programme\",\"class_work\"],"
	    "\"children_count\":2,\"adults_count\":1}");
	put(db, 2, "mediation_case", "170201", RCV, "{\"case_number\":\"2026-07\","
	    "\"received_date\":\"2026-03-05\",\"status\":\"not_completed\",\"agreement\":false,"
	    "\"source\":\"parents\",\"reaction_ways\":[\"conversation\"],"
	    "\"children_count\":3,\"adults_count\":0}");
	/* C held with an agreement (open), D received (open) */
	put(db, 3, "mediation_case", "170201", RCV, "{\"case_number\":\"2026-08\","
	    "\"received_date\":\"2026-04-01\",\"status\":\"held\",\"agreement\":true,"
	    "\"agreement_follow_up\":\"partially\",\"source\":\"teacher\","
	    "\"reaction_ways\":[\"class_work\",\"psychologist\"]}");
	put(db, 5, "mediation_case", "170201", RCV, "{\"case_number\":\"2026-09\","
	    "\"received_date\":\"2026-04-02\",\"status\":\"received\",\"source\":\"self\"}");
	/* E: the same number in 2025, not a repeat; no follow-up entered */
	put(db, 7, "mediation_case", "170201", RCV, "{\"case_number\":\"2026-07\","
	    "\"received_date\":\"2025-12-01\",\"status\":\"completed\",\"agreement\":true,"
	    "\"source\":\"self\",\"reaction_ways\":[\"conversation\"]}");
	/* F: completed with an agreement not kept; a version 1 reaction text */
	put(db, 9, "mediation_case", "170201", RCV, "{\"case_number\":\"2026-10\","
	    "\"received_date\":\"2026-05-01\",\"status\":\"completed\",\"agreement\":true,"
	    "\"agreement_follow_up\":\"not_fulfilled\",\"source\":\"self\","
	    "\"school_reaction\":\"беседа с Ивановым\"}");
	/* 170202: «2026-07» again (another school: no repeat), and a name typed
	 * as the number twice (a repeat whose number is not printed) */
	put(db, 11, "mediation_case", "170202", RCV, "{\"case_number\":\"2026-07\","
	    "\"received_date\":\"2026-03-01\",\"status\":\"received\"}");
	put(db, 13, "mediation_case", "170202", RCV, "{\"case_number\":\"Петров 1\","
	    "\"received_date\":\"2026-03-02\",\"status\":\"received\"}");
	put(db, 14, "mediation_case", "170202", RCV, "{\"case_number\":\"Петров 1\","
	    "\"received_date\":\"2026-03-03\",\"status\":\"received\"}");
}

static void
test_mediation(struct hubdb *db)
{
	cJSON *j = run_json(db, "mediation", NULL, NULL, NULL);
	const cJSON *r;

	/*
	 * 170201: records A B C D E F, A and B one case (B counts) -> 5 cases.
	 * Closed: B (не завершена), E, F (завершена) -> 3; open C, D -> 2.
	 * Completed E, F: 2 / 3 = 66.7 %. Closed with an agreement E, F (B has
	 * none; C's is open): 2 / 3 = 66.7 %. Held (проведена or завершена):
	 * C, E, F -> 3. Children: B 3 (A's 2 not counted); adults 0. Repeats 1.
	 */
	r = row(j, "summary", "school", "170201", NULL, NULL);
	CHECK_INT_EQ(num(r, "cases"), 5);
	CHECK_INT_EQ(num(r, "closed"), 3);
	CHECK_INT_EQ(num(r, "open"), 2);
	CHECK_INT_EQ(num(r, "held"), 3);
	CHECK_INT_EQ(num(r, "completed"), 2);
	CHECK_NUM(r, "completed_share", 66.7);
	CHECK_INT_EQ(num(r, "agreement"), 2);
	CHECK_NUM(r, "agreement_share", 66.7);
	CHECK_INT_EQ(num(r, "children"), 3);
	CHECK_INT_EQ(num(r, "adults"), 0);
	CHECK_INT_EQ(num(r, "repeats"), 1);
	/* by source: B parents, C teacher, D E F self (A's teacher not counted) */
	CHECK_INT_EQ(num(row(j, "by_source", "school", "170201", "code", "teacher"), "count"), 1);
	CHECK_INT_EQ(num(row(j, "by_source", "school", "170201", "code", "self"), "count"), 3);
	/*
	 * The follow-up of every agreement of a counted case, open or closed:
	 * C partially, E not entered, F not fulfilled (A's «выполнен» is the
	 * repeat's, not counted).
	 */
	r = row(j, "by_follow_up", "school", "170201", "code", "partially");
	CHECK_INT_EQ(num(r, "count"), 1);
	CHECK_STR_EQ(str(r, "label"), "частично");
	r = row(j, "by_follow_up", "school", "170201", "code", "not_given");
	CHECK_INT_EQ(num(r, "count"), 1);
	CHECK_STR_EQ(str(r, "label"), "не указано");
	CHECK_INT_EQ(num(row(j, "by_follow_up", "school", "170201", "code", "not_fulfilled"),
	    "count"), 1);
	CHECK_INT_EQ(nrows(j, "by_follow_up"), 3);
	/* reactions: B conversation; C class_work, psychologist; E conversation */
	r = row(j, "by_reaction", "school", "170201", "code", "conversation");
	CHECK_INT_EQ(num(r, "count"), 2);
	CHECK_STR_EQ(str(r, "label"), "профилактическая беседа");
	CHECK_INT_EQ(num(row(j, "by_reaction", "school", "170201", "code", "class_work"),
	    "count"), 1);
	CHECK_INT_EQ(num(row(j, "by_reaction", "school", "170201", "code", "psychologist"),
	    "count"), 1);
	CHECK_INT_EQ(nrows(j, "by_reaction"), 3);
	/* the repeats: 170201's «2026-07» of 2026, 170202's name withheld */
	CHECK_INT_EQ(nrows(j, "repeats"), 2);
	r = row(j, "repeats", "school", "170201", NULL, NULL);
	CHECK_STR_EQ(str(r, "year"), "2026");
	CHECK_STR_EQ(str(r, "case_number"), "2026-07");
	CHECK_INT_EQ(num(r, "records"), 2);
	CHECK_STR_EQ(str(r, "dates"), "01.03.2026, 05.03.2026");
	CHECK_STR_EQ(str(r, "counted_date"), "05.03.2026");
	r = row(j, "repeats", "school", "170202", NULL, NULL);
	CHECK(str(r, "case_number") == NULL || strstr(str(r, "case_number"), "Петров") == NULL);
	/* 170202: 2 cases (the name's two records are one), all open: no share */
	r = row(j, "summary", "school", "170202", NULL, NULL);
	CHECK_INT_EQ(num(r, "cases"), 2);
	CHECK_INT_EQ(num(r, "open"), 2);
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "completed_share")));
	/* total: 7 cases, 3 closed, 2 completed -> 66.7 %, 2 repeats */
	r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "summary"), 2);
	CHECK_INT_EQ(num(r, "cases"), 7);
	CHECK_NUM(r, "completed_share", 66.7);
	CHECK_INT_EQ(num(r, "repeats"), 2);
	cJSON_Delete(j);

	/* 2026 only: E (2025) drops out; closed B, F: completed 1 / 2 = 50 % */
	j = run_json(db, "mediation", "170201", "2026-01-01", "2026-12-31");
	r = row(j, "summary", "school", "170201", NULL, NULL);
	CHECK_INT_EQ(num(r, "cases"), 4);
	CHECK_INT_EQ(num(r, "closed"), 2);
	CHECK_NUM(r, "completed_share", 50.0);
	CHECK_NUM(r, "agreement_share", 50.0);
	CHECK_INT_EQ(num(r, "repeats"), 1);
	cJSON_Delete(j);
	/* a period that holds only A: no repeat, A counts */
	j = run_json(db, "mediation", "170201", "2026-03-01", "2026-03-01");
	r = row(j, "summary", "school", "170201", NULL, NULL);
	CHECK_INT_EQ(num(r, "cases"), 1);
	CHECK_INT_EQ(num(r, "completed"), 1);
	CHECK_INT_EQ(num(r, "repeats"), 0);
	CHECK_INT_EQ(nrows(j, "repeats"), 0);
	cJSON_Delete(j);
}

/* A student's response of version 2 filled on date (NULL: version 1, no date). */
static void
student(struct hubdb *db, int n, const char *school, const char *date, const char *rcv)
{
	char data[256];

	if (date)
		snprintf(data, sizeof(data), "{\"response_date\":\"%s\",\"grade\":9,"
		    "\"feel_safe\":4,\"tasks_fit_level\":%d}", date, 3 + n % 2);
	else
		snprintf(data, sizeof(data), "{\"grade\":7,\"feel_safe\":4}");
	put(db, n, "survey_student", school, rcv, data);
}

static void
fill_surveys(struct hubdb *db)
{
	/* 170301: 500 students, 300 of them in grades 4–11 */
	put(db, 101, "social_passport", "170301", RCV, "{\"academic_year\":\"2025/2026\","
	    "\"snapshot_date\":\"2025-10-01\",\"level\":\"school\",\"students_total\":500,"
	    "\"students_4_11\":300,\"families_total\":250}");
	/* 170302: an older passport without the grades 4–11 */
	put(db, 102, "social_passport", "170302", RCV, "{\"academic_year\":\"2025/2026\","
	    "\"snapshot_date\":\"2025-10-01\",\"level\":\"school\",\"students_total\":200,"
	    "\"families_total\":150}");
	student(db, 111, "170301", "2026-02-10", "2026-02-11T08:00:00Z");  /* in time */
	student(db, 112, "170301", "2026-02-15", "2026-02-20T08:00:00Z");  /* the last day */
	student(db, 113, "170301", "2026-02-16", "2026-03-01T08:00:00Z");  /* late */
	student(db, 114, "170301", "2026-08-31", "2026-09-01T08:00:00Z");  /* late */
	student(db, 115, "170301", "2026-09-01", "2026-09-01T09:00:00Z");  /* next year's */
	student(db, 116, "170301", NULL, "2026-03-10T08:00:00Z");          /* version 1 */
	student(db, 121, "170302", "2026-02-01", "2026-02-01T08:00:00Z");
}

static void
test_surveys(struct hubdb *db)
{
	cJSON *j = run_json(db, "surveys", NULL, NULL, NULL);
	const cJSON *r;
	struct terr e;

	/*
	 * 170301: 6 responses over the 300 students of grades 4–11 = 2.0 %
	 * (over all 500 it would be 1.2 %); 5 carry a date; after 15.02 and up
	 * to 31.08: 16.02 and 31.08 -> 2 (01.09 starts the next year's survey,
	 * the undated one is never late).
	 */
	r = row(j, "responses", "school", "170301", "group", "survey_student");
	CHECK_INT_EQ(num(r, "responses"), 6);
	CHECK_INT_EQ(num(r, "base"), 300);
	CHECK_STR_EQ(str(r, "base_source"), "students_4_11");
	CHECK_NUM(r, "coverage", 2.0);
	CHECK_INT_EQ(num(r, "dated"), 5);
	CHECK_INT_EQ(num(r, "late"), 2);
	/* 170302: no grades 4–11 in its passport: all 200 students, said so */
	r = row(j, "responses", "school", "170302", "group", "survey_student");
	CHECK_INT_EQ(num(r, "base"), 200);
	CHECK_STR_EQ(str(r, "base_source"), "students_total");
	CHECK_NUM(r, "coverage", 0.5);
	CHECK_INT_EQ(num(r, "late"), 0);
	/* the R04 question is a scale: 4, 3, 4, 3, 4 (n % 2 + 3 for 111…115) = 3.6 */
	r = row(j, "scales", "school", "170301", "question", "tasks_fit_level");
	CHECK_INT_EQ(num(r, "answered"), 5);
	CHECK_NUM(r, "average", 3.6);
	CHECK_STR_EQ(str(cJSON_GetObjectItemCaseSensitive(j, "meta"), "surveys.deadline"),
	    "02-15");
	cJSON_Delete(j);

	/*
	 * The period is the response's own date (the undated one: the day
	 * received). Up to 15.02: 10.02 and 15.02 -> 2 (the second was received
	 * on 20.02 and still counts); from 16.02: 16.02, 31.08, 01.09 and the
	 * undated one received on 10.03 -> 4, of them 2 late.
	 */
	j = run_json(db, "surveys", "170301", NULL, "2026-02-15");
	r = row(j, "responses", "school", "170301", "group", "survey_student");
	CHECK_INT_EQ(num(r, "responses"), 2);
	CHECK_INT_EQ(num(r, "late"), 0);
	cJSON_Delete(j);
	j = run_json(db, "surveys", "170301", "2026-02-16", "2026-12-31");
	r = row(j, "responses", "school", "170301", "group", "survey_student");
	CHECK_INT_EQ(num(r, "responses"), 4);
	CHECK_INT_EQ(num(r, "dated"), 3);
	CHECK_INT_EQ(num(r, "late"), 2);
	cJSON_Delete(j);

	/* the deadline moved to 1 March: only 31.08 is late */
	CHECK_INT_EQ(report_setting_set(db, "surveys.deadline", "03-01", &e), 0);
	j = run_json(db, "surveys", "170301", NULL, NULL);
	r = row(j, "responses", "school", "170301", "group", "survey_student");
	CHECK_INT_EQ(num(r, "late"), 1);
	cJSON_Delete(j);
	CHECK_INT_EQ(report_setting_set(db, "surveys.deadline", "3 марта", &e), TERR_ARG);
	CHECK_INT_EQ(report_setting_set(db, "surveys.deadline", NULL, &e), 0);

	/* an edit moves 01.09 to 05.05: the tally follows, 3 late, and the
	 * period up to 15.02 is unchanged */
	student(db, 115, "170301", "2026-05-05", "2026-09-01T09:00:00Z");
	j = run_json(db, "surveys", "170301", NULL, NULL);
	r = row(j, "responses", "school", "170301", "group", "survey_student");
	CHECK_INT_EQ(num(r, "responses"), 6);
	CHECK_INT_EQ(num(r, "late"), 3);
	cJSON_Delete(j);
	j = run_json(db, "surveys", "170301", "2026-05-05", "2026-05-05");
	r = row(j, "responses", "school", "170301", "group", "survey_student");
	CHECK_INT_EQ(num(r, "responses"), 1);
	CHECK_INT_EQ(num(r, "late"), 1);
	cJSON_Delete(j);
}

/* The built-in mediation_case declares its rule; the reader refuses bad ones. */
static void
test_unique_rule(void)
{
	struct form *f = NULL;
	const struct form_unique *u;
	struct terr e;
	static const char *const bad[] = {
		"\"unique\":{\"fields\":[\"nope\"]}",
		"\"unique\":{\"fields\":[\"n\"],\"per\":\"region\"}",
		"\"unique\":{\"fields\":[\"n\"],\"year_of\":\"n\"}",
		"\"unique\":{\"fields\":[\"secret\"]}",
		"\"unique\":{\"fields\":[]}",
		"\"unique\":{\"fields\":[\"n\",\"n\"]}",
		"\"unique\":{\"fields\":[\"n\"],\"extra\":1}",
	};
	char path[1024], doc[1024];

	snprintf(path, sizeof(path), "%s/mediation_case.json", TETRAD_FORMS_DIR);
	CHECK_INT_EQ(formfile_load(path, TETRAD_FORMS_DIR "/dict", &f, &e), 0);
	u = form_unique(f);
	CHECK(u != NULL);
	if (u != NULL) {
		CHECK_INT_EQ(u->n_fields, 1);
		CHECK_STR_EQ(u->fields[0]->id, "case_number");
		CHECK(u->year_of != NULL && strcmp(u->year_of->id, "received_date") == 0);
	}
	form_free(f);
	/* version 1 had no rule */
	snprintf(path, sizeof(path), "%s/mediation_case-v1.json", TETRAD_FORMS_DIR);
	CHECK_INT_EQ(formfile_load(path, TETRAD_FORMS_DIR "/dict", &f, &e), 0);
	CHECK(form_unique(f) == NULL);
	CHECK_INT_EQ(form_version(f), 1);
	form_free(f);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(doc, sizeof(doc), "{\"format\":1,\"id\":\"t\",\"version\":1,"
		    "\"title\":\"T\",%s,\"fields\":[{\"id\":\"n\",\"label\":\"N\","
		    "\"type\":\"text\"},{\"id\":\"secret\",\"label\":\"S\",\"type\":\"text\","
		    "\"sync\":\"local\"}]}", bad[i]);
		f = NULL;
		CHECK_INT_EQ(form_parse(doc, strlen(doc), NULL, &f, &e), TERR_FORM);
		CHECK(strstr(e.msg, "unique") != NULL);
		form_free(f);
	}
}

/*
 * The PostgreSQL lane only: the same records in a SQLite store beside it,
 * and the reports these records feed, for the region, a school and
 * periods, the same JSON text from both stores (issue 20).
 */
static void
test_engines_agree(struct hubdb *pg, const char *dir)
{
	static const char *const names[] = { "mediation", "surveys", "completeness",
	    "passport" };
	static const struct {
		const char *school, *from, *to;
	} asks[] = {
		{ NULL, NULL, NULL }, { "170201", "2026-01-01", "2026-12-31" },
		{ "170301", NULL, "2026-02-15" }, { "170301", "2026-02-16", "2026-12-31" },
		{ NULL, "2026-03-01", "2026-03-01" },
	};
	char path[600];
	struct hubdb *lite = NULL;
	struct terr e;
	int saved = hlc;

	snprintf(path, sizeof(path), "%s/twin.db", dir);
	CHECK_INT_EQ(hubdb_open(path, &lite, &e), 0);
	if (lite == NULL)
		return;
	CHECK_INT_EQ(hubdb_school_put(lite, "170201", "Школа А", &e), 0);
	CHECK_INT_EQ(hubdb_school_put(lite, "170202", "Школа Б", &e), 0);
	hlc = 0;
	fill_mediation(lite);
	fill_surveys(lite);
	CHECK_INT_EQ(hlc, saved);
	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++)
		for (size_t a = 0; a < sizeof(asks) / sizeof(asks[0]); a++) {
			cJSON *jx = run_json(pg, names[n], asks[a].school, asks[a].from, asks[a].to);
			cJSON *jy = run_json(lite, names[n], asks[a].school, asks[a].from,
			    asks[a].to);
			char *x = jx ? cJSON_PrintUnformatted(jx) : NULL;
			char *y = jy ? cJSON_PrintUnformatted(jy) : NULL;

			if (x && y && strcmp(x, y) != 0)
				fprintf(stderr, "%s, ask %zu:\nPostgreSQL: %s\nSQLite: %s\n",
				    names[n], a, x, y);
			CHECK_STR_EQ(x ? x : "", y ? y : "");
			free(x);
			free(y);
			cJSON_Delete(jx);
			cJSON_Delete(jy);
		}
	hubdb_close(lite);
}

int
main(void)
{
	char dir[] = "/tmp/test_report_medsurv.XXXXXX", path[600];
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
	CHECK_INT_EQ(hubdb_school_put(db, "170201", "Школа А", &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "170202", "Школа Б", &e), 0);
	test_unique_rule();
	fill_mediation(db);
	test_mediation(db);
	fill_surveys(db);
	/* before test_surveys' edits: the twin has fill's records only */
	if (test_store_pg())
		test_engines_agree(db, dir);
	test_surveys(db);
	hubdb_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
