/*
 * test_csvio — the bounded RFC 4180 parser (quotes, line breaks, BOM,
 * refusals), CSV/JSON export of a built-in form and byte for byte of every
 * quoting rule, the cell writer, and all-or-nothing import with a report of
 * every bad row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "check.h"
#include "tetrad/uuid7.h"
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
	CHECK_CONTAINS(text, ";final;2;2021/2022;2021-10-01;class;5А;25;;");
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

/* A form whose cells need every quoting rule the writer has. */
static const char bytes_form[] =
"{\"format\":1,\"id\":\"t_csv\",\"version\":1,\"title\":\"CSV\",\"fields\":["
" {\"id\":\"t\",\"label\":\"Текст\",\"type\":\"text\"},"
" {\"id\":\"n\",\"label\":\"Число\",\"type\":\"integer\"},"
" {\"id\":\"d\",\"label\":\"Дробь\",\"type\":\"decimal\"},"
" {\"id\":\"b\",\"label\":\"Да/нет\",\"type\":\"boolean\"},"
" {\"id\":\"m\",\"label\":\"Несколько\",\"type\":\"multi\",\"choices\":["
"  {\"code\":\"x\",\"label\":\"X\"},{\"code\":\"y\",\"label\":\"Y\"}]},"
" {\"id\":\"g\",\"label\":\"Группа\",\"type\":\"group\",\"fields\":["
"  {\"id\":\"k\",\"label\":\"К\",\"type\":\"text\"}]}]}";

/* Each row of the export after its id, byte for byte (the writer's rules:
 * quote on the delimiter, a quote, a line break, a space at either end and
 * a leading U+FEFF; quotes doubled; CRLF; a BOM first). */
static const char *const bytes_rows[] = {
	"\xef\xbb\xbfid;status;form_version;t;n;d;b;m;g",
	";final;1;plain;1;2.5;да;x,y;",
	";final;1;\"a;b\";-3;0.1;нет;x;\"[{\"\"k\"\":\"\"q\\\"\"q\"\"}]\"",
	";final;1;\"say \"\"hi\"\"\";;;;;",
	";final;1;\"two\nlines\";;;;;",
	";final;1;\" lead\";;;;;",
	";final;1;\"trail \";;;;;",
	";final;1;\"\xef\xbb\xbf" "bom\";;;;;",
	";final;1;a,b;;;;;",
};

static void
test_export_bytes(void)
{
	static const char *const values[] = {
		"{\"t\":\"plain\",\"n\":1,\"d\":2.5,\"b\":true,\"m\":[\"x\",\"y\"]}",
		"{\"t\":\"a;b\",\"n\":-3,\"d\":0.1,\"b\":false,\"m\":[\"x\"],\"g\":[{\"k\":\"q\\\"q\"}]}",
		"{\"t\":\"say \\\"hi\\\"\"}",
		"{\"t\":\"two\\nlines\"}",
		"{\"t\":\" lead\"}",
		"{\"t\":\"trail \"}",
		"{\"t\":\"\xef\xbb\xbf" "bom\"}",
		"{\"t\":\"a,b\"}",
	};
	char db[256], dir[256], path[300], out[256], *text, *line, *save = NULL;
	struct store *s = NULL;
	struct catalog *c = NULL;
	struct terr e = { 0 };
	size_t row = 0;
	enum { nrows = sizeof(bytes_rows) / sizeof(bytes_rows[0]) };
	bool seen[nrows] = { false };
	FILE *fp;

	snprintf(db, sizeof(db), "%s/bytes.db", tmpdir);
	snprintf(dir, sizeof(dir), "%s/bytes_forms", tmpdir);
	snprintf(path, sizeof(path), "%s/t_csv.json", dir);
	snprintf(out, sizeof(out), "%s/bytes.csv", tmpdir);
	CHECK_INT_EQ(mkdir(dir, 0700), 0);
	write_text(path, bytes_form);
	CHECK_INT_EQ(store_open(db, true, &s, &e), 0);
	CHECK_INT_EQ(catalog_load(dir, NULL, &c, &e), 0);
	if (s == NULL || c == NULL) {
		fprintf(stderr, "setup: %s\n", e.msg);
		goto out;
	}
	CHECK_INT_EQ(store_meta_set(s, "school", "170103", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_id", "a1b2c3d4e5f60718", &e), 0);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		cJSON *v = cJSON_Parse(values[i]);
		struct form_problems *pr = NULL;
		uint8_t id[UUID7_BYTES];

		CHECK(v != NULL);
		CHECK_INT_EQ(rec_new(s, c, "t_csv", NULL, v, false, id, &pr, &e), 0);
		form_problems_free(pr);
		cJSON_Delete(v);
	}
	if ((fp = fopen(out, "wb")) == NULL)
		goto out;
	CHECK_INT_EQ(csvio_export(s, c, "t_csv", CSVIO_CSV, 0, fp, &e), 0);
	fclose(fp);
	if ((text = slurp(out)) == NULL)
		goto out;
	/* the last row ends with CRLF too: nothing after it */
	CHECK(strlen(text) > 2 && strcmp(text + strlen(text) - 2, "\r\n") == 0);
	for (line = text; (save = strstr(line, "\r\n")) != NULL; line = save + 2) {
		*save = '\0';
		if (row >= sizeof(bytes_rows) / sizeof(bytes_rows[0])) {
			CHECK(0);
			break;
		}
		if (row == 0) {
			CHECK_STR_EQ(line, bytes_rows[0]);
		} else {
			/* rows come in id order, and records made in the same
			 * millisecond have ids in no particular order: match each
			 * row to an expected one not matched yet */
			size_t k = 1;

			CHECK(strlen(line) > UUID7_STRLEN);
			while (k < nrows && (seen[k] || strlen(line) <= UUID7_STRLEN ||
			    strcmp(line + UUID7_STRLEN, bytes_rows[k]) != 0))
				k++;
			if (k < nrows)
				seen[k] = true;
			else
				fprintf(stderr, "unexpected row: %s\n", line);
			CHECK(k < nrows);
		}
		row++;
	}
	CHECK_INT_EQ(row, sizeof(bytes_rows) / sizeof(bytes_rows[0]));
	free(text);
 out:
	catalog_free(c);
	store_close(s);
}

static void
test_write_cell(void)
{
	struct tbuf *b = tbuf_new(256);

	if (b == NULL)
		return;
	CHECK_INT_EQ(csv_put_cell(b, "plain", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_cell(b, "a;b", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_cell(b, "q\"q", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_cell(b, "a,b", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_cell(b, "two\nlines", ','), 0);
	tbuf_put_u8(b, '|');
	/* found by fuzz_csv_parse: a cell starting with U+FEFF at the start of
	 * a file would be read back as a byte-order mark */
	CHECK_INT_EQ(csv_put_cell(b, "\xEF\xBB\xBFid", ';'), 0);
	CHECK_INT_EQ(tbuf_terminate(b), 0);
	CHECK_STR_EQ((const char *)tbuf_ptr(b),
	    "plain|\"a;b\"|\"q\"\"q\"|a,b|\"two\nlines\"|\"\xEF\xBB\xBFid\"");
	tbuf_free(b);
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
	test_export_bytes();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary();
}
