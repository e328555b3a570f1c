/*
 * test_report_xlsx — the hub's reports as Excel workbooks (report_xlsx.h).
 * The workbook is opened here as Excel would: the zip's central directory
 * read, its members inflated (zlib), the XML looked at. Checked: the zip
 * signature; sheet names (cut to 31 units after a word, Excel's forbidden
 * characters, unique without regard to case, «History»); two sections of
 * one title; each cell's kind (a text starting with "=" an inline string,
 * never a formula; numbers as <v>, rounded to their decimals; a percent
 * column's format "0.0", not Excel's %; empty cells absent; columns kept
 * for JSON only left out; control characters gone); the frozen header and
 * the filter; Excel's row limit (TERR_TOO_LARGE, nothing written); a
 * temporary folder that cannot be used (TERR_IO naming it, $TMPDIR taken)
 * and no temporary file left behind; every report of a store with records
 * rendered, each sheet with the JSON's rows.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <zlib.h>

#include "check.h"
#include "test_store.h"
#include "report_json.h"
#include "hub/hubdb.h"
#include "hub/report.h"
#include "../../../hub/src/report_model.h"
#include "../../../hub/src/report_xlsx.h"

static char tmp[64];   /* this test's folder */

/* --- a zip, read as a spreadsheet program reads it --------------------- */

static uint32_t
le(const unsigned char *p, int n)
{
	uint32_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Member name of the zip z (n bytes), inflated and NUL-terminated, or NULL. */
static char *
zip_member(const unsigned char *z, size_t n, const char *name)
{
	size_t eocd, cd, entries;

	if (n < 22)
		return NULL;
	for (eocd = n - 22; eocd > 0 && le(z + eocd, 4) != 0x06054b50; eocd--)
		;
	entries = le(z + eocd + 10, 2);
	cd = le(z + eocd + 16, 4);
	for (size_t i = 0; i < entries && cd + 46 <= n && le(z + cd, 4) == 0x02014b50; i++) {
		size_t method = le(z + cd + 10, 2), csize = le(z + cd + 20, 4);
		size_t usize = le(z + cd + 24, 4), nlen = le(z + cd + 28, 2);
		size_t off = le(z + cd + 42, 4), data;
		char *out;

		if (nlen == strlen(name) && memcmp(z + cd + 46, name, nlen) == 0) {
			if (off + 30 > n)
				return NULL;
			data = off + 30 + le(z + off + 26, 2) + le(z + off + 28, 2);
			if (data + csize > n || (out = malloc(usize + 1)) == NULL)
				return NULL;
			if (method == 0) {
				memcpy(out, z + data, usize);
			} else {
				z_stream zs;

				memset(&zs, 0, sizeof(zs));
				zs.next_in = (unsigned char *)(uintptr_t)(z + data);
				zs.avail_in = (uInt)csize;
				zs.next_out = (unsigned char *)out;
				zs.avail_out = (uInt)usize;
				if (inflateInit2(&zs, -MAX_WBITS) != Z_OK ||
				    inflate(&zs, Z_FINISH) != Z_STREAM_END || zs.total_out != usize) {
					inflateEnd(&zs);
					free(out);
					return NULL;
				}
				inflateEnd(&zs);
			}
			out[usize] = '\0';
			return out;
		}
		cd += 46 + nlen + le(z + cd + 30, 2) + le(z + cd + 32, 2);
	}
	return NULL;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t k = 0;

	for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p++)
		k++;
	return k;
}

/* Renders o into *buf (caller frees); the result code. */
static int
render(const struct report_out *o, const char *dir, char **buf, size_t *len, struct terr *e)
{
	FILE *f = open_memstream(buf, len);
	int r;

	terr_clear(e);
	r = report_render_xlsx(o, NULL, dir, f, e);
	fclose(f);
	return r;
}

static bool
dir_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;

	while (d && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = false;
	if (d)
		closedir(d);
	return d != NULL && empty;
}

/* Units of a sheet's name as Excel counts them (UTF-16). */
static size_t
units(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n += ((unsigned char)*s >= 0xf0) ? 2 : 1;
	return n;
}

/* --- sheet names -------------------------------------------------------- */

static void
test_sheet_names(void)
{
	char out[REPORT_XLSX_NAME_CAP];
	const char *taken[] = { "Параметры", "Школы", "Школы (2)" };
	const char *longt = "Решения куратора по факторам риска (последний визит школы за период)";

	report_xlsx_sheet_name("Визиты по школам", taken, 1, out);
	CHECK_STR_EQ(out, "Визиты по школам");
	/* too long: cut after a word, «…», 31 units at most */
	report_xlsx_sheet_name(longt, taken, 1, out);
	CHECK_STR_EQ(out, "Решения куратора по факторам…");
	CHECK(units(out) <= REPORT_XLSX_SHEET_NAME_MAX);
	/* one word longer than a name: cut inside it */
	report_xlsx_sheet_name("Ааааааааааааааааааааааааааааааааааааааааа", NULL, 0, out);
	CHECK_INT_EQ(units(out), REPORT_XLSX_SHEET_NAME_MAX);
	CHECK_STR_EQ(out + strlen(out) - strlen("…"), "…");
	/* forbidden characters, blanks tidied, no apostrophe at the ends */
	report_xlsx_sheet_name("'Итоги: [школы]/годы * ? \\ всё'", NULL, 0, out);
	CHECK_STR_EQ(out, "Итоги школы годы всё");
	report_xlsx_sheet_name("a\tb\nc\x01" "d", NULL, 0, out);
	CHECK_STR_EQ(out, "a b c d");
	/* nothing left, or nothing at all */
	report_xlsx_sheet_name(":::", NULL, 0, out);
	CHECK_STR_EQ(out, "Лист");
	report_xlsx_sheet_name(NULL, NULL, 0, out);
	CHECK_STR_EQ(out, "Лист");
	/* taken, without regard to case (Cyrillic and Ё too): numbered */
	report_xlsx_sheet_name("Школы", taken, 2, out);
	CHECK_STR_EQ(out, "Школы (2)");
	report_xlsx_sheet_name("ШКОЛЫ", taken, 3, out);
	CHECK_STR_EQ(out, "ШКОЛЫ (3)");
	report_xlsx_sheet_name("параметры", taken, 1, out);
	CHECK_STR_EQ(out, "параметры (2)");
	{
		const char *yo[] = { "Ёлки" };

		report_xlsx_sheet_name("ёЛКИ", yo, 1, out);
		CHECK_STR_EQ(out, "ёЛКИ (2)");
	}
	/* Excel's own name */
	report_xlsx_sheet_name("history", NULL, 0, out);
	CHECK_STR_EQ(out, "history (2)");
	/* a long title taken: the number still fits in 31 */
	{
		char first[REPORT_XLSX_NAME_CAP];
		const char *t1[1];

		report_xlsx_sheet_name(longt, NULL, 0, first);
		t1[0] = first;
		report_xlsx_sheet_name(longt, t1, 1, out);
		CHECK(strcmp(out, first) != 0);
		CHECK(units(out) <= REPORT_XLSX_SHEET_NAME_MAX);
		CHECK_STR_EQ(out + strlen(out) - strlen("… (2)"), "… (2)");
	}
	/* characters outside the BMP count two */
	report_xlsx_sheet_name("\xf0\x9f\x93\x8a\xf0\x9f\x93\x8a\xf0\x9f\x93\x8a\xf0\x9f\x93\x8a"
	    "\xf0\x9f\x93\x8a\xf0\x9f\x93\x8a\xf0\x9f\x93\x8a\xf0\x9f\x93\x8a\xf0\x9f\x93\x8a"
	    "\xf0\x9f\x93\x8a\xf0\x9f\x93\x8a\xf0\x9f\x93\x8a\xf0\x9f\x93\x8a\xf0\x9f\x93\x8a"
	    "\xf0\x9f\x93\x8a\xf0\x9f\x93\x8a", NULL, 0, out);
	CHECK(units(out) <= REPORT_XLSX_SHEET_NAME_MAX);
	/* bytes that are not UTF-8 are dropped */
	report_xlsx_sheet_name("Шк\xffолы\xd0", NULL, 0, out);
	CHECK_STR_EQ(out, "Школы");
}

/* --- a model of every kind of cell ------------------------------------- */

static const struct report_col cols_a[] = {
	{ "school", "Код ОО", 0, 0 },
	{ "code", "", 0, REPORT_COL_JSON_ONLY },
	{ "label", "Название", 0, 0 },
	{ "count", "Случаев", 0, 0 },
	{ "share", "Подтверждено, %", 1, 0 },
	{ "mean", "Среднее по шкале", 2, 0 },
};

static const struct report_col cols_b[] = {
	{ "school", "Код ОО", 0, 0 },
};

static void
model(struct report_out *o)
{
	struct report_sect *a, *b;
	long r;

	memset(o, 0, sizeof(*o));
	o->name = "test";
	o->title = "Проверочный отчёт";
	report_model_meta(o, "deadline", "Срок (ММ-ДД)", false, "03-10");
	report_model_meta(o, "schools", "Школ в распределении", true, "12");
	a = report_model_sect(o, "schools", "Школы", cols_a, REPORT_NCOLS(cols_a));
	b = report_model_sect(o, "again", "школы", cols_b, REPORT_NCOLS(cols_b));
	r = report_model_row(a);
	CHECK_INT_EQ(report_model_str(a, r, 0, "170101"), 0);
	CHECK_INT_EQ(report_model_str(a, r, 1, "SECRETCODE"), 0);
	CHECK_INT_EQ(report_model_str(a, r, 2, "=1+2"), 0);
	report_model_int(a, r, 3, 5);
	report_model_num(a, r, 4, 14.5454);
	report_model_num(a, r, 5, 3.14159);
	r = report_model_row(a);
	CHECK_INT_EQ(report_model_str(a, r, 0, "170102"), 0);
	CHECK_INT_EQ(report_model_str(a, r, 2, ""), 0);
	report_model_num(a, r, 4, 100.0);
	report_model_num(a, r, 5, -0.004);
	r = report_model_row(a);
	CHECK_INT_EQ(report_model_str(a, r, 0, "x\x01y"), 0);
	CHECK_INT_EQ(report_model_str(a, r, 2, "@SUM(A1)"), 0);
	report_model_int(a, r, 3, -7);
	r = report_model_row(b);
	CHECK_INT_EQ(report_model_str(b, r, 0, "170103"), 0);
}

static void
test_cells(void)
{
	struct report_out o;
	struct terr e;
	char *buf = NULL, *wb, *s1, *s2, *s3, *st;
	size_t len = 0;

	model(&o);
	CHECK_INT_EQ(render(&o, tmp, &buf, &len, &e), 0);
	CHECK(len > 4 && memcmp(buf, "PK\x03\x04", 4) == 0);
	CHECK(dir_empty(tmp));
	wb = zip_member((unsigned char *)buf, len, "xl/workbook.xml");
	s1 = zip_member((unsigned char *)buf, len, "xl/worksheets/sheet1.xml");
	s2 = zip_member((unsigned char *)buf, len, "xl/worksheets/sheet2.xml");
	s3 = zip_member((unsigned char *)buf, len, "xl/worksheets/sheet3.xml");
	st = zip_member((unsigned char *)buf, len, "xl/styles.xml");
	CHECK(wb && s1 && s2 && s3 && st);
	/* the sheets: parameters, then the sections; one title twice, two names */
	CHECK_CONTAINS(wb, "<sheet name=\"Параметры\" sheetId=\"1\"");
	CHECK_CONTAINS(wb, "<sheet name=\"Школы\" sheetId=\"2\"");
	CHECK_CONTAINS(wb, "<sheet name=\"школы (2)\" sheetId=\"3\"");
	/* «Параметры»: title, meta (a number as a number), the sheets' sections */
	CHECK_CONTAINS(s1, "<t>Проверочный отчёт</t>");
	CHECK_CONTAINS(s1, "<t>03-10</t>");
	CHECK_CONTAINS(s1, "<v>12</v>");
	CHECK_CONTAINS(s1, "<t>Составлен</t>");
	CHECK_CONTAINS(s1, "<t>школы (2)</t>");
	/* the header row, the JSON-only column left out */
	CHECK_CONTAINS(s2, "<c r=\"A1\"");
	CHECK_CONTAINS(s2, "<t>Подтверждено, %</t>");
	CHECK(strstr(s2, "SECRETCODE") == NULL);
	CHECK(strstr(s2, "<c r=\"F1\"") == NULL);
	/* texts are strings, never formulas */
	CHECK_CONTAINS(s2, "t=\"inlineStr\"><is><t>=1+2</t></is>");
	CHECK_CONTAINS(s2, "<t>@SUM(A1)</t>");
	CHECK(strstr(s2, "<f>") == NULL && strstr(s2, "<f ") == NULL);
	/* numbers as numbers, rounded to their decimals */
	CHECK_CONTAINS(s2, "<c r=\"C2\"");
	CHECK_CONTAINS(s2, "><v>5</v></c>");
	CHECK_CONTAINS(s2, "><v>14.5</v></c>");
	CHECK_CONTAINS(s2, "><v>3.14</v></c>");
	CHECK_CONTAINS(s2, "><v>100</v></c>");
	CHECK_CONTAINS(s2, "><v>-7</v></c>");
	/* -0.004 to two decimals is 0, not "-0" */
	CHECK(strstr(s2, "<v>-0</v>") == NULL);
	CHECK_CONTAINS(s2, "><v>0</v></c>");
	/* empty cells are absent: row 3 has its code, share and mean only (its
	 * label is "", its count none), row 4 no share and no mean */
	CHECK(strstr(s2, "<c r=\"B3\"") == NULL);
	CHECK(strstr(s2, "<c r=\"C3\"") == NULL);
	CHECK_CONTAINS(s2, "<c r=\"D3\"");
	CHECK_CONTAINS(s2, "<c r=\"E3\"");
	CHECK(strstr(s2, "<c r=\"D4\"") == NULL);
	CHECK(strstr(s2, "<c r=\"E4\"") == NULL);
	/* a control character is not in the XML */
	CHECK(strchr(s2, '\x01') == NULL);
	CHECK_CONTAINS(s2, "<t>x y</t>");
	/* decimals formats; none of them Excel's percent */
	CHECK_CONTAINS(st, "formatCode=\"0.0\"");
	CHECK_CONTAINS(st, "formatCode=\"0.00\"");
	CHECK(strchr(strstr(st, "<numFmts") ? strstr(st, "<numFmts") : "", '%') == NULL);
	/* the header frozen, a filter over the table, bold header */
	CHECK_CONTAINS(s2, "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
	    "state=\"frozen\"/>");
	CHECK_CONTAINS(s2, "<autoFilter ref=\"A1:E4\"/>");
	CHECK_CONTAINS(s3, "<autoFilter ref=\"A1:A2\"/>");
	CHECK_INT_EQ(count(s2, "<row "), 4);
	CHECK_CONTAINS(st, "<b/>");
	free(wb);
	free(s1);
	free(s2);
	free(s3);
	free(st);
	free(buf);
	report_model_free(&o);
}

/* An empty report and an empty section: a header and its filter alone. */
static void
test_empty(void)
{
	struct report_out o;
	struct terr e;
	char *buf = NULL, *s2;
	size_t len = 0;

	memset(&o, 0, sizeof(o));
	o.name = "empty";
	o.title = "Пустой";
	CHECK_INT_EQ(render(&o, tmp, &buf, &len, &e), 0);
	CHECK(len > 4 && memcmp(buf, "PK\x03\x04", 4) == 0);
	free(buf);
	buf = NULL;
	report_model_sect(&o, "none", "Нет строк", cols_a, REPORT_NCOLS(cols_a));
	CHECK_INT_EQ(render(&o, tmp, &buf, &len, &e), 0);
	s2 = zip_member((unsigned char *)buf, len, "xl/worksheets/sheet2.xml");
	CHECK_CONTAINS(s2, "<autoFilter ref=\"A1:E1\"/>");
	CHECK_INT_EQ(count(s2, "<row "), 1);
	free(s2);
	free(buf);
	report_model_free(&o);
}

/* More rows than a sheet holds: refused before anything is made. */
static void
test_too_large(void)
{
	struct report_out o;
	struct report_sect *s;
	struct terr e;
	char *buf = NULL;
	size_t len = 0;

	memset(&o, 0, sizeof(o));
	o.name = "big";
	o.title = "Большой";
	s = report_model_sect(&o, "rows", "Строки", cols_b, REPORT_NCOLS(cols_b));
	for (unsigned long i = 0; i <= REPORT_XLSX_ROWS_MAX; i++)
		report_model_int(s, report_model_row(s), 0, (long long)i);
	CHECK_INT_EQ(s->nrows, REPORT_XLSX_ROWS_MAX + 1);
	CHECK_INT_EQ(render(&o, tmp, &buf, &len, &e), TERR_TOO_LARGE);
	CHECK_CONTAINS(e.msg, "в разделе «Строки» 1048576 строк");
	CHECK_CONTAINS(e.msg, "--format csv");
	CHECK_INT_EQ(len, 0);
	CHECK(dir_empty(tmp));
	free(buf);
	report_model_free(&o);
}

/* A temporary folder that cannot be used: TERR_IO naming it, nothing written. */
static void
test_tmpdir(void)
{
	struct report_out o;
	struct terr e;
	char *buf = NULL, file[128];
	size_t len = 0;
	FILE *f;

	model(&o);
	CHECK_INT_EQ(render(&o, "/nonexistent/tetrad-test", &buf, &len, &e), TERR_IO);
	CHECK_CONTAINS(e.msg, "не удалось создать временный файл книги Excel в "
	    "/nonexistent/tetrad-test");
	CHECK_INT_EQ(len, 0);
	free(buf);
	buf = NULL;
	/* a file where the folder should be */
	snprintf(file, sizeof(file), "%s/file", tmp);
	f = fopen(file, "w");
	CHECK(f != NULL);
	if (f)
		fclose(f);
	CHECK_INT_EQ(render(&o, file, &buf, &len, &e), TERR_IO);
	CHECK_INT_EQ(len, 0);
	free(buf);
	buf = NULL;
	unlink(file);
	/* NULL: $TMPDIR */
	setenv("TMPDIR", "/nonexistent/from-env", 1);
	CHECK_INT_EQ(render(&o, NULL, &buf, &len, &e), TERR_IO);
	CHECK_CONTAINS(e.msg, "/nonexistent/from-env");
	free(buf);
	buf = NULL;
	setenv("TMPDIR", tmp, 1);
	CHECK_INT_EQ(render(&o, NULL, &buf, &len, &e), 0);
	CHECK(dir_empty(tmp));
	unsetenv("TMPDIR");
	free(buf);
	report_model_free(&o);
}

/* --- every report of a store with records ------------------------------ */

static void
put(struct hubdb *db, const char *form, const char *school, const char *received,
    const char *data)
{
	static int n;
	struct hubdb_record r;
	struct terr e;

	memset(&r, 0, sizeof(r));
	n++;
	r.id[14] = (unsigned char)(n >> 8);
	r.id[15] = (unsigned char)n;
	snprintf(r.hlc, sizeof(r.hlc), "%020d", n);
	snprintf(r.form_id, sizeof(r.form_id), "%s", form);
	r.form_version = 1;
	snprintf(r.school, sizeof(r.school), "%s", school);
	snprintf(r.device_id, sizeof(r.device_id), "00112233aabbccdd");
	r.data = strdup(data);
	CHECK_INT_EQ(hubdb_record_import(db, &r, received, &e), 0);
	hubdb_record_clear(&r);
}

static void
fill(struct hubdb *db)
{
	struct terr e;

	CHECK_INT_EQ(hubdb_school_put(db, "170101", "=HYPERLINK(\"x\")", &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "170102", "Школа №2", &e), 0);
	put(db, "risk_visit", "170101", "2021-03-01T08:00:00Z", "{\"visit_type\":"
	    "\"verification\",\"visit_date\":\"2021-03-01\",\"factors\":["
	    "{\"factor\":\"R01\",\"decision\":\"confirmed\"},"
	    "{\"factor\":\"R02\",\"decision\":\"not_confirmed\"},"
	    "{\"factor\":\"R03\",\"decision\":\"confirmed\"}]}");
	put(db, "mediation_case", "170101", "2021-02-01T08:00:00Z", "{\"case_number\":\"1\","
	    "\"received_date\":\"2021-02-01\",\"source\":\"teacher\","
	    "\"situation_kind\":\"conflict\",\"conflict_type\":\"student_student\","
	    "\"status\":\"completed\",\"programme\":\"mediation\",\"children_count\":2,"
	    "\"adults_count\":1,\"agreement\":true}");
	put(db, "social_passport", "170102", "2021-09-25T08:00:00Z", "{\"academic_year\":"
	    "\"2021/2022\",\"snapshot_date\":\"2021-09-25\",\"level\":\"school\","
	    "\"students_total\":100,\"families_total\":90,\"sop_families\":1,"
	    "\"tjs_families\":2,\"unemployed_parents\":5,\"low_income_families\":10,"
	    "\"single_parent_families\":10,\"non_native_russian\":2,\"special_needs\":2,"
	    "\"parents_higher_education\":40}");
	put(db, "survey_student", "170101", "2021-05-10T10:00:00Z", "{\"grade\":5,"
	    "\"enough_equipment\":4,\"feel_safe\":5,\"bullying\":\"never\","
	    "\"difficult_subjects\":[\"math\",\"russian\"],\"russian_at_home\":true}");
	put(db, "survey_teacher", "170101", "2021-05-10T09:00:00Z",
	    "{\"experience\":\"lt3\",\"team_climate\":3}");
}

static void
test_reports(struct hubdb *db)
{
	static const char *names[] = { "verification", "mediation", "passport", "surveys",
	    "identification", "completeness", "settings" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct report_opts o = { 0 };
		cJSON *j = report_json(db, names[i], NULL, NULL, NULL, TETRAD_FORMS_DIR), *it;
		struct terr e;
		char *buf = NULL, member[64], *x;
		size_t len = 0, k = 0, numbers = 0;
		FILE *f = open_memstream(&buf, &len);
		int rc;

		o.name = names[i];
		o.format = REPORT_XLSX;
		o.forms_dir = TETRAD_FORMS_DIR;
		terr_clear(&e);
		rc = report_run(db, &o, f, &e);
		fclose(f);
		CHECK_INT_EQ(rc, 0);
		if (rc != 0)
			fprintf(stderr, "report %s: %s\n", names[i], e.msg);
		CHECK(len > 4 && memcmp(buf, "PK\x03\x04", 4) == 0);
		/* the sections in the JSON's order, each with the JSON's rows */
		cJSON_ArrayForEach(it, j) {
			if (!cJSON_IsArray(it))
				continue;
			snprintf(member, sizeof(member), "xl/worksheets/sheet%zu.xml", k + 2);
			x = zip_member((unsigned char *)buf, len, member);
			CHECK(x != NULL);
			if (count(x, "<row ") != (size_t)cJSON_GetArraySize(it) + 1)
				fprintf(stderr, "report %s, %s: %zu rows, JSON %d\n", names[i],
				    it->string, count(x, "<row "), cJSON_GetArraySize(it));
			CHECK_INT_EQ(count(x, "<row "), cJSON_GetArraySize(it) + 1);
			CHECK(strstr(x ? x : "", "<f>") == NULL);
			numbers += count(x, "<v>");
			free(x);
			k++;
		}
		CHECK(k > 0);
		snprintf(member, sizeof(member), "xl/worksheets/sheet%zu.xml", k + 2);
		CHECK((x = zip_member((unsigned char *)buf, len, member)) == NULL);
		free(x);
		/* the records give numbers to show (identification needs results) */
		CHECK(strcmp(names[i], "settings") == 0 || strcmp(names[i], "identification") == 0 ||
		    numbers > 0);
		cJSON_Delete(j);
		free(buf);
	}
}

int
main(void)
{
	char path[128];
	struct hubdb *db = NULL;
	struct terr e;

	snprintf(tmp, sizeof(tmp), "/tmp/test_report_xlsx.XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_sheet_names();
	test_cells();
	test_empty();
	test_too_large();
	test_tmpdir();
	test_store(path, sizeof(path), tmp, "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db != NULL) {
		fill(db);
		test_reports(db);
		hubdb_close(db);
	}
	unlink(path);
	{
		/* the store's side files, if any */
		char side[160];

		snprintf(side, sizeof(side), "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof(side), "%s-shm", path);
		unlink(side);
	}
	rmdir(tmp);
	return check_summary();
}
