/*
 * test_csvio — the bounded RFC 4180 parser (quotes, line breaks, BOM,
 * refusals), CSV/JSON export of a built-in form, and all-or-nothing import
 * with a report of every bad row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "check.h"
#include "client/catalog.h"
#include "client/csvio.h"
#include "client/rec.h"
#include "client/store.h"

static char tmpdir[] = "/tmp/test_csvio.XXXXXX";

struct rows {
	char text[4096];   /* cells joined by '|', rows by '\n' */
	size_t n;
	size_t lines[16];
};

static int
rows_cb(size_t line, size_t n, char *const *cells, void *arg)
{
	struct rows *r = arg;
	size_t len = strlen(r->text);

	if (r->n < 16)
		r->lines[r->n] = line;
	r->n++;
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(r->text + len, sizeof(r->text) - len, "%s%s",
		    i ? "|" : "", cells[i]);
	snprintf(r->text + len, sizeof(r->text) - len, "\n");
	return 0;
}

static int
parse(const char *buf, char delim, struct rows *r, struct terr *e)
{
	memset(r, 0, sizeof(*r));
	return csv_parse(buf, strlen(buf), delim, rows_cb, r, e);
}

static void
test_parser(void)
{
	struct rows r;
	struct terr e = { 0 };
	char *big;

	CHECK_INT_EQ(parse("a;b;c\n1;2;3\n", ';', &r, &e), 0);
	CHECK_STR_EQ(r.text, "a|b|c\n1|2|3\n");
	CHECK_INT_EQ(r.n, 2);
	/* BOM, CRLF, no final newline, empty cells */
	CHECK_INT_EQ(parse("\xef\xbb\xbfid;имя\r\n;x\r\n;", ';', &r, &e), 0);
	CHECK_STR_EQ(r.text, "id|имя\n|x\n|\n");
	/* quotes: delimiter, doubled quote, line break inside */
	CHECK_INT_EQ(parse("\"a;b\";\"say \"\"hi\"\"\";\"two\nlines\"\nz;\"\";y\n", ';',
	    &r, &e), 0);
	CHECK_STR_EQ(r.text, "a;b|say \"hi\"|two\nlines\nz||y\n");
	CHECK_INT_EQ(r.lines[1], 3);  /* the row after a 2-line cell */
	CHECK_INT_EQ(parse("a,b\n1,2\n", ',', &r, &e), 0);
	CHECK_STR_EQ(r.text, "a|b\n1|2\n");
	CHECK_INT_EQ(parse("", ';', &r, &e), 0);
	CHECK_INT_EQ(r.n, 0);
	CHECK_INT_EQ(parse("\n\n", ';', &r, &e), 0);
	CHECK_INT_EQ(r.n, 2);

	CHECK_INT_EQ(parse("a;\"b\nc;d\n", ';', &r, &e), TERR_PARSE);
	CHECK_CONTAINS(e.msg, "не закрыта кавычка");
	CHECK_INT_EQ(parse("a;b\"c\n", ';', &r, &e), TERR_PARSE);
	CHECK_CONTAINS(e.msg, "Строка 1");
	CHECK_INT_EQ(parse("ok\n\"a\"b;c\n", ';', &r, &e), TERR_PARSE);
	CHECK_CONTAINS(e.msg, "Строка 2");
	CHECK_INT_EQ(parse("a;\xff\xfe\n", ';', &r, &e), TERR_UTF8);
	CHECK_CONTAINS(e.msg, "UTF-8");
	CHECK_INT_EQ(parse("a;\xd0\n", ';', &r, &e), TERR_UTF8);
	CHECK_INT_EQ(parse("a;b\n", '"', &r, &e), TERR_ARG);
	CHECK_INT_EQ(csv_parse("a\0b", 3, ';', rows_cb, &r, &e), TERR_PARSE);

	/* bounds: columns and cell size */
	big = malloc(CSV_MAX_CELL + 16);
	if (big) {
		memset(big, ';', CSV_MAX_COLS + 1);
		big[CSV_MAX_COLS + 1] = '\0';
		CHECK_INT_EQ(parse(big, ';', &r, &e), TERR_TOO_LARGE);
		memset(big, 'x', CSV_MAX_CELL + 8);
		big[CSV_MAX_CELL + 8] = '\0';
		CHECK_INT_EQ(parse(big, ';', &r, &e), TERR_TOO_LARGE);
		free(big);
	}

	CHECK_INT_EQ(csv_guess_delim("a;b;c\n", 6), ';');
	CHECK_INT_EQ(csv_guess_delim("a,b,c\n", 6), ',');
	CHECK_INT_EQ(csv_guess_delim("\"a;b\",c,d\n", 10), ',');
	CHECK_INT_EQ(csv_guess_delim("abc\n", 4), ';');
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	if (n >= 0 && (buf = calloc(1, (size_t)n + 1)) != NULL &&
	    fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

static void
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");

	if (fp) {
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

#define SP_HEADER "academic_year;snapshot_date;level;class_name;students_total;" \
	"families_total;large_families;low_income_families;single_parent_families;" \
	"foster_children;orphans;disabled_children;special_needs;sop_families;" \
	"tjs_families;kdn_registered;pdn_registered;school_registered;" \
	"unemployed_parents;parents_higher_education;non_native_russian;migrant_families\n"

static void
test_import_export(void)
{
	char db[256], csv[256], out[256], *text, *report = NULL;
	struct store *s = NULL;
	struct catalog *c = NULL;
	struct terr e = { 0 };
	size_t n = 0;
	FILE *fp;

	snprintf(db, sizeof(db), "%s/csv.db", tmpdir);
	snprintf(csv, sizeof(csv), "%s/in.csv", tmpdir);
	snprintf(out, sizeof(out), "%s/out.csv", tmpdir);
	CHECK_INT_EQ(store_open(db, true, &s, &e), 0);
	if (s == NULL)
		return;
	CHECK_INT_EQ(store_meta_set(s, "school", "170103", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_id", "a1b2c3d4e5f60718", &e), 0);
	CHECK_INT_EQ(catalog_load(TETRAD_FORMS_DIR, NULL, &c, &e), 0);
	if (c == NULL || catalog_latest(c, "social_passport") == NULL) {
		fprintf(stderr, "built-in forms: %s\n", e.msg);
		CHECK(0);
		goto out;
	}

	/* a bad row among good ones: nothing written, every problem listed */
	write_text(csv, SP_HEADER
	    "2021/2022;01.10.2021;class;5А;25;20;3;2;4;1;0;1;2;0;1;0;0;1;2;5;1;0\n"
	    "2021/2022;01.10.2021;class;5Б;25;20;30;2;4;1;0;1;2;0;1;0;0;1;2;5;1;0\n"
	    "2021/2022;31.02.2021;class;5В;abc;20;3;2;4;1;0;1;2;0;1;0;0;1;2;5;1;0\n");
	CHECK_INT_EQ(csvio_import(s, c, "social_passport", csv, 0, &n, &report, &e),
	    TERR_INVALID);
	CHECK_INT_EQ(n, 0);
	CHECK_CONTAINS(report, "Строка 3: Многодетные семьи");
	CHECK_CONTAINS(report, "Строка 4");
	CHECK_CONTAINS(e.msg, "ничего не записано");
	if (report)
		fprintf(stderr, "(expected report)\n%s", report);
	free(report);
	report = NULL;
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records"), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 0);

	/* unknown column named in the report */
	write_text(csv, "academic_year;колонка\n2021/2022;1\n");
	CHECK_INT_EQ(csvio_import(s, c, "social_passport", csv, 0, &n, &report, &e),
	    TERR_INVALID);
	CHECK_CONTAINS(report, "колонка");
	free(report);
	report = NULL;

	/* good file (comma-separated, with a blank line at the end): all rows */
	write_text(csv,
	    "academic_year,snapshot_date,level,class_name,students_total,families_total,"
	    "large_families,low_income_families,single_parent_families,foster_children,"
	    "orphans,disabled_children,special_needs,sop_families,tjs_families,"
	    "kdn_registered,pdn_registered,school_registered,unemployed_parents,"
	    "parents_higher_education,non_native_russian,migrant_families\n"
	    "2021/2022,01.10.2021,class,5А,25,20,3,2,4,1,0,1,2,0,1,0,0,1,2,5,1,0\n"
	    "2021/2022,2021-10-01,class,\"5 \"\"Б\"\"\",26,21,3,2,4,1,0,1,2,0,1,0,0,1,2,5,1,0\n"
	    ",,,,,,,,,,,,,,,,,,,,,\n");
	CHECK_INT_EQ(csvio_import(s, c, "social_passport", csv, 0, &n, &report, &e), 0);
	if (report)
		fprintf(stderr, "unexpected report:\n%s", report);
	free(report);
	report = NULL;
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records WHERE status='final'"), 2);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 2);
	CHECK_INT_EQ(q_int(s, "SELECT MAX(seq) FROM outbox"), 2);

	/* export: BOM, ';', quoted cell survives, re-imports */
	fp = fopen(out, "wb");
	CHECK(fp != NULL);
	if (fp) {
		CHECK_INT_EQ(csvio_export(s, c, "social_passport", CSVIO_CSV, 0, fp, &e), 0);
		fclose(fp);
	}
	text = slurp(out);
	CHECK(text && strncmp(text, "\xef\xbb\xbfid;status;form_version;academic_year;", 40) == 0);
	CHECK_CONTAINS(text, ";\"5 \"\"Б\"\"\";26;");
	CHECK_CONTAINS(text, ";final;1;2021/2022;2021-10-01;class;5А;25;");
	free(text);
	CHECK_INT_EQ(csvio_import(s, c, "social_passport", out, 0, &n, &report, &e), 0);
	free(report);
	report = NULL;
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 4);

	/* JSON export and the other delimiter */
	fp = fopen(out, "wb");
	if (fp) {
		CHECK_INT_EQ(csvio_export(s, c, "social_passport", CSVIO_JSON, 0, fp, &e), 0);
		fclose(fp);
	}
	text = slurp(out);
	if (text) {
		cJSON *j = cJSON_Parse(text);

		CHECK(cJSON_IsArray(j));
		CHECK_INT_EQ(cJSON_GetArraySize(j), 4);
		cJSON_Delete(j);
	}
	free(text);
	fp = fopen(out, "wb");
	if (fp) {
		CHECK_INT_EQ(csvio_export(s, c, "social_passport", CSVIO_CSV, ',', fp, &e), 0);
		fclose(fp);
	}
	text = slurp(out);
	CHECK_CONTAINS(text, "id,status,form_version,");
	free(text);
	CHECK_INT_EQ(csvio_export(s, c, "nope", CSVIO_CSV, 0, stdout, &e), STORE_NOTFOUND);
	CHECK_INT_EQ(csvio_import(s, c, "social_passport", "/nonexistent.csv", 0, &n,
	    &report, &e), TERR_ARG);
 out:
	catalog_free(c);
	store_close(s);
}

static void
test_write_cell(void)
{
	char buf[256] = { 0 };
	FILE *fp = fmemopen(buf, sizeof(buf) - 1, "w");

	if (fp == NULL)
		return;
	CHECK_INT_EQ(csvio_write_cell(fp, "plain", ';'), 0);
	fputc('|', fp);
	CHECK_INT_EQ(csvio_write_cell(fp, "a;b", ';'), 0);
	fputc('|', fp);
	CHECK_INT_EQ(csvio_write_cell(fp, "q\"q", ';'), 0);
	fputc('|', fp);
	CHECK_INT_EQ(csvio_write_cell(fp, "a,b", ';'), 0);
	fputc('|', fp);
	CHECK_INT_EQ(csvio_write_cell(fp, "two\nlines", ','), 0);
	fputc('|', fp);
	/* found by fuzz_csv_parse: a cell starting with U+FEFF at the start of
	 * a file would be read back as a byte-order mark */
	CHECK_INT_EQ(csvio_write_cell(fp, "\xEF\xBB\xBFid", ';'), 0);
	fclose(fp);
	CHECK_STR_EQ(buf, "plain|\"a;b\"|\"q\"\"q\"|a,b|\"two\nlines\"|\"\xEF\xBB\xBFid\"");
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_parser();
	test_write_cell();
	test_import_export();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary();
}
