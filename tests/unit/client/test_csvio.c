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
		CHECK_INT_EQ(csvio_export(s, c, "social_passport", CSVIO_CSV, false, 0, fp, &e), 0);
		fclose(fp);
	}
	text = slurp(out);
	/* Russian headers, labels, dates ДД.ММ.ГГГГ */
	CHECK(text && strncmp(text, "\xef\xbb\xbfЗапись;Статус записи;Версия формы;"
	    "Учебный год;Дата сведений;", 80) == 0);
	CHECK_CONTAINS(text, ";\"5 \"\"Б\"\"\";26;");
	CHECK_CONTAINS(text, ";окончательная;2;2021/2022;01.10.2021;");
	CHECK(strstr(text, ";class;") == NULL);
	free(text);
	/* back into the same store: its «Запись» cells name these records,
	 * so this is an edit with nothing changed — no copies (it used to
	 * add two more and queue them: duplicates at the hub) */
	CHECK_INT_EQ(csvio_import(s, c, "social_passport", out, 0, &n, &report, &e), 0);
	free(report);
	report = NULL;
	CHECK_INT_EQ(n, 2);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records"), 2);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 2);

	/* JSON export and the other delimiter */
	fp = fopen(out, "wb");
	if (fp) {
		CHECK_INT_EQ(csvio_export(s, c, "social_passport", CSVIO_JSON, false, 0, fp, &e), 0);
		fclose(fp);
	}
	text = slurp(out);
	if (text) {
		cJSON *j = cJSON_Parse(text);

		CHECK(cJSON_IsArray(j));
		CHECK_INT_EQ(cJSON_GetArraySize(j), 2);
		cJSON_Delete(j);
	}
	free(text);
	fp = fopen(out, "wb");
	if (fp) {
		CHECK_INT_EQ(csvio_export(s, c, "social_passport", CSVIO_CSV, false, ',', fp, &e), 0);
		fclose(fp);
	}
	text = slurp(out);
	CHECK_CONTAINS(text, "Запись,Статус записи,Версия формы,");
	free(text);
	CHECK_INT_EQ(csvio_export(s, c, "nope", CSVIO_CSV, false, 0, stdout, &e), STORE_NOTFOUND);
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
"  {\"code\":\"x\",\"label\":\"X, икс\"},{\"code\":\"y\",\"label\":\"Y\"}]},"
" {\"id\":\"g\",\"label\":\"Группа\",\"type\":\"group\",\"fields\":["
"  {\"id\":\"k\",\"label\":\"К\",\"type\":\"text\"},"
"  {\"id\":\"t\",\"label\":\"Текст\",\"type\":\"text\"}]}]}";

/* The records of bytes_form: every quoting rule, and text a spreadsheet
 * would take for a formula. */
static const char *const bytes_values[] = {
	"{\"t\":\"plain\",\"n\":1,\"d\":2.5,\"b\":true,\"m\":[\"x\",\"y\"]}",
	"{\"t\":\"a;b\",\"n\":-3,\"d\":-0.1,\"b\":false,\"m\":[\"x\"],"
	"\"g\":[{\"k\":\"q\\\"q\"},{\"t\":\"-1+1\"}]}",
	"{\"t\":\"say \\\"hi\\\"\"}",
	"{\"t\":\"two\\nlines\"}",
	"{\"t\":\" lead\"}",
	"{\"t\":\"trail \"}",
	"{\"t\":\"\xef\xbb\xbf" "bom\"}",
	"{\"t\":\"a,b\"}",
	"{\"t\":\"=HYPERLINK(\\\"http://x.example/\\\";\\\"y\\\")\"}",
	"{\"t\":\"+1\"}",
	"{\"t\":\"-1+1\"}",
	"{\"t\":\"@SUM(A1:A2)\"}",
	"{\"t\":\"'=quoted\"}",
	"{\"t\":\"'plain\"}",
	"{\"t\":\"-5\",\"n\":-5}",
};

/* Each row of the export after its id, byte for byte (the writer's rules:
 * quote on the delimiter, a quote, a line break, a space at either end and
 * a leading U+FEFF; quotes doubled; a guard ' before text starting with
 * = + - @ or '; numbers as they are; CRLF; a BOM first). A record with
 * two group items is two rows. */
static const char *const bytes_rows[] = {
	"\xef\xbb\xbfЗапись;Статус записи;Версия формы;Текст;Число;Дробь;Да/нет;"
	"Несколько;Группа: №;Группа: К;Группа: Текст",
	";окончательная;1;plain;1;2,5;да;\"X, икс; Y\";;;",
	";окончательная;1;\"a;b\";-3;-0,1;нет;X, икс;1;\"q\"\"q\";",
	";окончательная;1;\"a;b\";-3;-0,1;нет;X, икс;2;;\"'-1+1\"",
	";окончательная;1;\"say \"\"hi\"\"\";;;;;;;",
	";окончательная;1;\"two\nlines\";;;;;;;",
	";окончательная;1;\" lead\";;;;;;;",
	";окончательная;1;\"trail \";;;;;;;",
	";окончательная;1;\"\xef\xbb\xbf" "bom\";;;;;;;",
	";окончательная;1;a,b;;;;;;;",
	";окончательная;1;\"'=HYPERLINK(\"\"http://x.example/\"\";\"\"y\"\")\";;;;;;;",
	";окончательная;1;\"'+1\";;;;;;;",
	";окончательная;1;\"'-1+1\";;;;;;;",
	";окончательная;1;\"'@SUM(A1:A2)\";;;;;;;",
	";окончательная;1;\"''=quoted\";;;;;;;",
	";окончательная;1;\"''plain\";;;;;;;",
	";окончательная;1;\"'-5\";-5;;;;;;",
};

/* Drops what an export cannot tell from absent: a null (but a scale's
 * «затрудняюсь ответить») and an empty list; recurses into items. */
static void
norm_values(const struct form_field *fields, size_t n, cJSON *obj)
{
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fd = &fields[i];
		cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, fd->id), *it;

		if (v == NULL)
			continue;
		if ((cJSON_IsNull(v) && !(fd->type == FORM_SCALE && fd->no_answer)) ||
		    (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 0)) {
			cJSON_DeleteItemFromObjectCaseSensitive(obj, fd->id);
			continue;
		}
		if (fd->type == FORM_GROUP)
			cJSON_ArrayForEach(it, v)
				norm_values(fd->children, fd->n_children, it);
	}
}

struct collect {
	const struct form *f;
	cJSON *all;   /* ["status", version, data] per record */
};

static int
collect_cb(const struct localdb_record *r, void *arg)
{
	struct collect *k = arg;
	cJSON *pair = cJSON_CreateArray(), *d = cJSON_Parse(r->data);

	if (d && k->f) {
		/* form_field_at's fields lie in one array: walk them one by one */
		for (size_t i = 0; i < form_n_fields(k->f); i++)
			norm_values(form_field_at(k->f, i), 1, d);
	}
	cJSON_AddItemToArray(pair, cJSON_CreateString(r->status));
	cJSON_AddItemToArray(pair, cJSON_CreateNumber(r->form_version));
	cJSON_AddItemToArray(pair, d);
	cJSON_AddItemToArray(k->all, pair);
	return 0;
}

/* Every record of form_id in s: ["status", version, normalised data]. */
static cJSON *
collect(struct store *s, const struct catalog *c, const char *form_id)
{
	struct collect k = { catalog_latest(c, form_id), cJSON_CreateArray() };
	struct terr e = { 0 };

	CHECK_INT_EQ(store_record_each(s, form_id, NULL, collect_cb, &k, &e), 0);
	return k.all;
}

/* Whether a and b hold the same records in any order (ids differ: an
 * import makes new records). */
static bool
same_records(const cJSON *a, const cJSON *b)
{
	int n = cJSON_GetArraySize(a);
	bool *used;
	const cJSON *x;
	bool ok = n == cJSON_GetArraySize(b);

	if (!ok || (used = calloc((size_t)n + 1, 1)) == NULL)
		return false;
	cJSON_ArrayForEach(x, a) {
		int k = 0;
		const cJSON *y;
		bool found = false;

		cJSON_ArrayForEach(y, b) {
			if (!used[k] && cJSON_Compare(x, y, true)) {
				used[k] = found = true;
				break;
			}
			k++;
		}
		if (!found) {
			char *t = cJSON_PrintUnformatted(x);

			fprintf(stderr, "record not read back: %s\n", t ? t : "?");
			free(t);
			ok = false;
		}
	}
	free(used);
	return ok;
}

static int
export_file_delim(struct store *s, const struct catalog *c, const char *form_id,
    bool codes, char delim, const char *path)
{
	struct terr e = { 0 };
	FILE *fp = fopen(path, "wb");
	int r;

	if (fp == NULL)
		return -1;
	r = csvio_export(s, c, form_id, CSVIO_CSV, codes, delim, fp, &e);
	if (r)
		fprintf(stderr, "export %s: %s\n", form_id, e.msg);
	fclose(fp);
	return r;
}

static int
export_file(struct store *s, const struct catalog *c, const char *form_id,
    bool codes, const char *path)
{
	return export_file_delim(s, c, form_id, codes, 0, path);
}

/* A new store in tmpdir named name, school 170103. */
static struct store *
new_store(const char *name)
{
	char db[300];
	struct store *s = NULL;
	struct terr e = { 0 };

	snprintf(db, sizeof(db), "%s/%s.db", tmpdir, name);
	CHECK_INT_EQ(store_open(db, true, &s, &e), 0);
	if (s == NULL)
		return NULL;
	CHECK_INT_EQ(store_meta_set(s, "school", "170103", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_id", "a1b2c3d4e5f60718", &e), 0);
	return s;
}

/* Export of from in both modes (and labels with ',': the import finds the
 * delimiter whatever commas the labels hold), each imported into a new
 * store with the delimiter guessed: the same records come back. */
static void
roundtrip(struct store *from, const struct catalog *c, const char *form_id,
    const char *tag)
{
	cJSON *want = collect(from, c, form_id);

	for (int pass = 0; pass <= 2; pass++) {
		bool codes = pass == 1;
		char path[300], name[128], *report = NULL;
		struct store *to;
		struct terr e = { 0 };
		size_t n = 0;
		cJSON *got;

		snprintf(name, sizeof(name), "%s_%s_%d", tag, form_id, pass);
		snprintf(path, sizeof(path), "%s/%s.csv", tmpdir, name);
		if ((to = new_store(name)) == NULL)
			break;
		CHECK_INT_EQ(export_file_delim(from, c, form_id, codes,
		    pass == 2 ? ',' : ';', path), 0);
		CHECK_INT_EQ(csvio_import(to, c, form_id, path, 0, &n, &report, &e), 0);
		if (report || e.msg[0])
			fprintf(stderr, "%s (pass %d): %s\n%s", form_id, pass, e.msg,
			    report ? report : "");
		free(report);
		CHECK_INT_EQ(n, (size_t)cJSON_GetArraySize(want));
		got = collect(to, c, form_id);
		if (!same_records(want, got))
			fprintf(stderr, "round trip of %s (pass %d) differs\n", form_id,
			    pass);
		CHECK(same_records(want, got));
		cJSON_Delete(got);
		store_close(to);
	}
	cJSON_Delete(want);
}

static void
test_export_bytes(void)
{
	char dir[256], path[300], out[256], *text, *line, *save = NULL;
	struct store *s = NULL;
	struct catalog *c = NULL;
	struct terr e = { 0 };
	size_t row = 0;
	enum { nrows = sizeof(bytes_rows) / sizeof(bytes_rows[0]) };
	bool seen[nrows] = { false };

	snprintf(dir, sizeof(dir), "%s/bytes_forms", tmpdir);
	snprintf(path, sizeof(path), "%s/t_csv.json", dir);
	snprintf(out, sizeof(out), "%s/bytes.csv", tmpdir);
	CHECK_INT_EQ(mkdir(dir, 0700), 0);
	write_text(path, bytes_form);
	s = new_store("bytes");
	CHECK_INT_EQ(catalog_load(dir, NULL, &c, &e), 0);
	if (s == NULL || c == NULL) {
		fprintf(stderr, "setup: %s\n", e.msg);
		goto out;
	}
	for (size_t i = 0; i < sizeof(bytes_values) / sizeof(bytes_values[0]); i++) {
		cJSON *v = cJSON_Parse(bytes_values[i]);
		struct form_problems *pr = NULL;
		uint8_t id[UUID7_BYTES];

		CHECK(v != NULL);
		CHECK_INT_EQ(rec_new(s, c, "t_csv", NULL, v, false, id, &pr, &e), 0);
		form_problems_free(pr);
		cJSON_Delete(v);
	}
	CHECK_INT_EQ(export_file(s, c, "t_csv", false, out), 0);
	if ((text = slurp(out)) == NULL)
		goto out;
	/* the last row ends with CRLF too: nothing after it */
	CHECK(strlen(text) > 2 && strcmp(text + strlen(text) - 2, "\r\n") == 0);
	for (line = text; (save = strstr(line, "\r\n")) != NULL; line = save + 2) {
		*save = '\0';
		if (row >= nrows) {
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
	CHECK_INT_EQ(row, nrows);
	free(text);
	/* and every cell reads back as it was, formulas-to-be as text */
	roundtrip(s, c, "t_csv", "bytes");
 out:
	catalog_free(c);
	store_close(s);
}

static void
test_write_cell(void)
{
	struct tbuf *b = tbuf_new(512);
	char cell[64];

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
	tbuf_reset(b);

	/* no text can become a formula; numbers stay numbers */
	CHECK_INT_EQ(csv_put_cell(b, "=HYPERLINK(\"http://x\")", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_cell(b, "+1", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_cell(b, "-1+1", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_cell(b, "@SUM(A1)", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_cell(b, "\tx", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_cell(b, "\rx", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_cell(b, "'x", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_cell(b, "-5", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_num(b, "-5", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_num(b, "-0,5", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_num(b, "2.5", ','), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_num(b, "2,5", ','), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_num(b, "-1+1", ';'), 0);
	tbuf_put_u8(b, '|');
	CHECK_INT_EQ(csv_put_num(b, "-", ';'), 0);
	CHECK_INT_EQ(tbuf_terminate(b), 0);
	CHECK_STR_EQ((const char *)tbuf_ptr(b),
	    "\"'=HYPERLINK(\"\"http://x\"\")\"|\"'+1\"|\"'-1+1\"|\"'@SUM(A1)\"|"
	    "\"'\tx\"|\"'\rx\"|\"''x\"|\"'-5\"|-5|-0,5|2.5|\"2,5\"|\"'-1+1\"|\"'-\"");
	tbuf_free(b);

	CHECK(csv_is_number("0") && csv_is_number("-12,50") && csv_is_number("3.5"));
	CHECK(!csv_is_number("") && !csv_is_number("-") && !csv_is_number("1e5") &&
	    !csv_is_number("1.") && !csv_is_number("+1") && !csv_is_number("1 000"));
	snprintf(cell, sizeof(cell), "'=1+1");
	CHECK(csv_cell_unguard(cell));
	CHECK_STR_EQ(cell, "=1+1");
	snprintf(cell, sizeof(cell), "''x");
	CHECK(csv_cell_unguard(cell));
	CHECK_STR_EQ(cell, "'x");
	/* a quote a person typed before ordinary text stays */
	snprintf(cell, sizeof(cell), "'007");
	CHECK(!csv_cell_unguard(cell));
	CHECK_STR_EQ(cell, "'007");
	snprintf(cell, sizeof(cell), "'");
	CHECK(!csv_cell_unguard(cell));
	CHECK_STR_EQ(cell, "'");
}

static const char *const builtin_forms[] = {
	"mediation_case", "risk_visit", "social_passport", "survey_director",
	"survey_parent", "survey_student", "survey_teacher",
};

/* The first top-level field of type t (with no_answer for a scale), or NULL. */
static const struct form_field *
first_field(const struct form *f, enum form_type t)
{
	for (size_t i = 0; i < form_n_fields(f); i++) {
		const struct form_field *fd = form_field_at(f, i);

		if (fd->type == t && (t != FORM_SCALE || fd->no_answer) &&
		    fd->relevant.field == NULL && fd->mask == NULL)
			return fd;
	}
	return NULL;
}

/* Adds a record of values to s if f takes it (as a draft or final). */
static void
add_record(struct store *s, const struct catalog *c, const char *form_id,
    const cJSON *values, bool draft, bool must)
{
	struct form_problems *pr = NULL;
	struct terr e = { 0 };
	uint8_t id[UUID7_BYTES];
	const struct form_unique *u = form_unique(catalog_latest(c, form_id));
	static unsigned serial;
	cJSON *v = cJSON_Duplicate(values, true);
	int r;

	/* the variants of one record are other records: the form's "unique"
	 * fields (mediation's case number) get a serial */
	serial++;
	for (size_t i = 0; u && v && i < u->n_fields; i++) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, u->fields[i]->id);
		char buf[128];

		if (!cJSON_IsString(t))
			continue;
		snprintf(buf, sizeof(buf), "%s-%u", t->valuestring, serial);
		cJSON_ReplaceItemInObjectCaseSensitive(v, u->fields[i]->id,
		    cJSON_CreateString(buf));
	}
	r = rec_new(s, c, form_id, NULL, v, draft, id, &pr, &e);
	cJSON_Delete(v);

	if (r != 0 && must) {
		fprintf(stderr, "%s: %s\n", form_id, e.msg);
		for (size_t i = 0; pr && i < pr->n; i++)
			fprintf(stderr, "  %s\n", pr->items[i].message);
	}
	if (must)
		CHECK_INT_EQ(r, 0);
	form_problems_free(pr);
}

/* A record of every older version of f this catalogue has, from the
 * realistic record at good_path without the fields that version lacks:
 * it must come back as a record of its own version. */
static void
add_older_versions(struct store *s, const struct catalog *c,
    const struct form *f, const char *good_path)
{
	char *json = slurp(good_path);

	for (uint32_t v = 1; json && v < form_version(f); v++) {
		const struct form *old = catalog_get(c, form_id(f), v);
		cJSON *vals = cJSON_Parse(json), *m, *next;
		struct form_problems *pr = NULL;
		struct terr e = { 0 };
		uint8_t id[UUID7_BYTES];

		if (old == NULL || vals == NULL) {
			cJSON_Delete(vals);
			continue;
		}
		for (m = vals->child; m != NULL; m = next) {
			next = m->next;
			if (form_find(old, m->string) == NULL)
				cJSON_DeleteItemFromObjectCaseSensitive(vals, m->string);
		}
		if (form_validate(old, vals, FORM_FINAL, &pr, &e) == 0) {
			CHECK_INT_EQ(rec_create(s, old, NULL, vals, false, false, id, &e), 0);
			fprintf(stderr, "%s: a record of version %u too\n", form_id(f), v);
		}
		form_problems_free(pr);
		cJSON_Delete(vals);
	}
	free(json);
}

/* The header row of a CSV file: every cell distinct. */
static void
check_unique_header(const char *path, const char *what)
{
	char *text = slurp(path), *eol;
	struct rows r;
	struct terr e = { 0 };

	if (text == NULL || (eol = strstr(text, "\r\n")) == NULL) {
		CHECK(0);
		free(text);
		return;
	}
	eol[2] = '\0';
	CHECK_INT_EQ(parse(text, ';', &r, &e), 0);
	CHECK_INT_EQ(r.n, 1);
	for (char *a = r.text, *next; a && *a && *a != '\n'; a = next) {
		size_t la = strcspn(a, "|\n");

		next = a[la] == '|' ? a + la + 1 : NULL;
		for (char *b = next; b && *b && *b != '\n';) {
			size_t lb = strcspn(b, "|\n");

			if (la == lb && memcmp(a, b, la) == 0) {
				fprintf(stderr, "%s: column «%.*s» twice\n", what, (int)la, a);
				CHECK(0);
			}
			b = b[lb] == '|' ? b + lb + 1 : NULL;
		}
	}
	free(text);
}

/*
 * Every built-in form: its realistic record (tests/data/forms), the same
 * with answers left empty where the form allows ("затрудняюсь ответить",
 * an empty multiple choice), text a spreadsheet would take for a formula,
 * and a draft missing its required answers, exported with labels and with
 * codes and imported back: the same records. Both headers have no column
 * twice.
 */
static void
test_roundtrip_builtin(void)
{
	struct catalog *c = NULL;
	struct terr e = { 0 };

	CHECK_INT_EQ(catalog_load(TETRAD_FORMS_DIR, NULL, &c, &e), 0);
	for (size_t k = 0; c && k < sizeof(builtin_forms) / sizeof(*builtin_forms); k++) {
		const char *id = builtin_forms[k];
		const struct form *f = catalog_latest(c, id);
		const struct form_field *fd;
		char path[400], *json;
		struct store *s;
		cJSON *good, *v;

		CHECK(f != NULL);
		snprintf(path, sizeof(path), "%s/tests/data/forms/%s.good.json",
		    TETRAD_SOURCE_DIR, id);
		if (f == NULL || (json = slurp(path)) == NULL) {
			CHECK(0);
			continue;
		}
		good = cJSON_Parse(json);
		free(json);
		CHECK(good != NULL);
		if (good == NULL || (s = new_store(id)) == NULL) {
			cJSON_Delete(good);
			continue;
		}
		add_record(s, c, id, good, false, true);
		/* answers left empty, formulas-to-be */
		v = cJSON_Duplicate(good, true);
		if ((fd = first_field(f, FORM_SCALE)) != NULL)
			cJSON_ReplaceItemInObjectCaseSensitive(v, fd->id, cJSON_CreateNull());
		if ((fd = first_field(f, FORM_TEXT)) != NULL && !fd->required) {
			cJSON_DeleteItemFromObjectCaseSensitive(v, fd->id);
			cJSON_AddStringToObject(v, fd->id, "=HYPERLINK(\"http://x/\";\"y\")");
		}
		add_record(s, c, id, v, false, true);
		cJSON_Delete(v);
		for (size_t i = 0; i < form_n_fields(f); i++) {
			/* one more: every optional answer dropped, if it passes */
			fd = form_field_at(f, i);
			if (!fd->required && fd->required_if.field == NULL &&
			    fd->type != FORM_GROUP && fd->min_field.field == NULL &&
			    fd->max_field.field == NULL)
				cJSON_DeleteItemFromObjectCaseSensitive(good, fd->id);
		}
		add_record(s, c, id, good, false, false);
		/* a draft: the first required answer missing */
		for (size_t i = 0; i < form_n_fields(f); i++)
			if (form_field_at(f, i)->required) {
				cJSON_DeleteItemFromObjectCaseSensitive(good,
				    form_field_at(f, i)->id);
				break;
			}
		add_record(s, c, id, good, true, true);
		cJSON_Delete(good);
		add_older_versions(s, c, f, path);
		roundtrip(s, c, id, "builtin");
		for (int codes = 0; codes <= 1; codes++) {
			snprintf(path, sizeof(path), "%s/builtin_%s_%d.csv", tmpdir, id, codes);
			check_unique_header(path, id);
		}
		for (int codes = 0; codes <= 1; codes++) {
			/* the same file again into the same store: every row
			 * names a record of it (older versions and a draft too),
			 * nothing differs, so nothing is written or queued — the
			 * export reads back exactly; a mediation case is not its
			 * own repeat (it used to be refused as one) */
			struct csvio_counts cn;
			char *report = NULL;
			long long nrec = q_int(s, "SELECT COUNT(*) FROM records"),
			    nout = q_int(s, "SELECT COUNT(*) FROM outbox");

			snprintf(path, sizeof(path), "%s/builtin_%s_%d.csv", tmpdir, id,
			    codes);
			CHECK_INT_EQ(csvio_import_at(s, c, id, NULL, path, 0, &cn,
			    &report, &e), 0);
			if (report)
				fprintf(stderr, "%s %d: %s\n%s", id, codes, e.msg, report);
			CHECK_INT_EQ(cn.added, 0);
			CHECK_INT_EQ(cn.updated, 0);
			CHECK_INT_EQ((long long)cn.unchanged, nrec);
			CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records"), nrec);
			CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), nout);
			free(report);
		}
		store_close(s);
	}
	catalog_free(c);
}

/* One row per item linked by «Запись», in any order, items numbered, a
 * conflicting repeated cell and a duplicate item number refused. */
static void
test_import_rows(void)
{
	struct catalog *c = NULL;
	struct store *s = new_store("rows");
	struct terr e = { 0 };
	char csv[300], *report = NULL;
	size_t n = 0;
	cJSON *got;

	snprintf(csv, sizeof(csv), "%s/rows.csv", tmpdir);
	CHECK_INT_EQ(catalog_load(TETRAD_FORMS_DIR, NULL, &c, &e), 0);
	if (c == NULL || s == NULL)
		goto out;
	/* a field a person fills only on the first row of a record, rows of
	 * two records interleaved (a spreadsheet sorted them), items out of
	 * order: the numbers order them */
	write_text(csv,
	    "Запись;Статус записи;t_not_a_field\n");
	CHECK_INT_EQ(csvio_import(s, c, "risk_visit", csv, 0, &n, &report, &e),
	    TERR_INVALID);
	CHECK_CONTAINS(report, "t_not_a_field");
	free(report);
	report = NULL;
	/* a problem line longer than the report keeps is cut on a character */
	{
		FILE *fp = fopen(csv, "w");

		CHECK(fp != NULL);
		if (fp != NULL) {
			/* both parities of the cut: one cell of ж, one of xж */
			fputs("Запись;", fp);
			for (int i = 0; i < 700; i++)
				fputs("ж", fp);
			fputs(";x", fp);
			for (int i = 0; i < 700; i++)
				fputs("ж", fp);
			fputs("\n", fp);
			fclose(fp);
		}
		CHECK_INT_EQ(csvio_import(s, c, "risk_visit", csv, 0, &n, &report, &e),
		    TERR_INVALID);
		CHECK(report != NULL && form_utf8_chars(report, strlen(report)) != (size_t)-1);
		free(report);
		report = NULL;
	}
	write_text(csv,
	    "_record;_status;school_code;project_year;curator;visit_type;visit_format;"
	    "visit_date;participants;factors._item;factors.factor;factors.profile_level;"
	    "factors.decision;factors.evidence\n"
	    "A;draft;170103;2021;Петрова;verification;onsite;04.03.2021;director;2;R02;"
	    "high;confirmed;documents\n"
	    "A;;;;;;;;;1;R01;high;confirmed;talk_admin,documents\n"
	    "B;draft;170103;2021;Петрова;verification;onsite;2021-03-05;director;;;;;\n");
	CHECK_INT_EQ(csvio_import(s, c, "risk_visit", csv, 0, &n, &report, &e), 0);
	if (report)
		fprintf(stderr, "%s", report);
	free(report);
	report = NULL;
	CHECK_INT_EQ(n, 2);
	got = collect(s, c, "risk_visit");
	if (got) {
		char *t = cJSON_PrintUnformatted(got);

		CHECK_CONTAINS(t, "\"factors\":[{\"factor\":\"R01\"");
		CHECK_CONTAINS(t, "[[\"draft\",");
		CHECK_CONTAINS(t, ",[\"draft\",");
		free(t);
	}
	cJSON_Delete(got);
	write_text(csv,
	    "_record;curator;factors._item;factors.factor\n"
	    "A;Петрова;1;R01\n"
	    "A;Иванова;1;R02\n");
	CHECK_INT_EQ(csvio_import(s, c, "risk_visit", csv, 0, &n, &report, &e),
	    TERR_INVALID);
	CHECK_CONTAINS(report, "Строка 3: «Куратор» не совпадает со строкой 2");
	CHECK(strstr(report ? report : "", "Строка 2: «Куратор»") == NULL);
	CHECK_CONTAINS(report, "Строка 3: элемент №1 группы «Факторы риска» уже есть "
	    "в строке 2");
	free(report);
	report = NULL;
	/* a version this device does not have */
	write_text(csv, "_record;_form_version;curator\nA;99;Петрова\n");
	CHECK_INT_EQ(csvio_import(s, c, "risk_visit", csv, 0, &n, &report, &e),
	    TERR_INVALID);
	CHECK_CONTAINS(report, "Строка 2: версии «99» формы");
	free(report);
 out:
	catalog_free(c);
	store_close(s);
}

/* store_record_each: the final record's id first, the draft's second
 * (made in one millisecond, their ids do not say which came first). */
struct upd_ids {
	uint8_t id[2][UUID7_BYTES];
	size_t n;
};

static int
upd_ids_cb(const struct localdb_record *r, void *arg)
{
	struct upd_ids *w = arg;

	memcpy(w->id[strcmp(r->status, "final") == 0 ? 0 : 1], r->id, UUID7_BYTES);
	w->n++;
	return 0;
}

#define UPD_HEAD "_record;_status;" SP_HEADER
#define UPD_ROW(n, mig) "2021/2022;01.10.2021;class;5А;" n ";20;3;2;4;1;0;1;2;0;1;" \
	"0;0;1;2;5;1;" mig "\n"

/*
 * An exported file edited and imported back into the same store: rows
 * whose «Запись» names a record of it update that record (nothing when
 * nothing differs), an id it does not hold is a new record, a draft turns
 * final only when its status cell says so, and a final record cannot be
 * made a draft nor a deleted one edited.
 */
static void
test_import_update(void)
{
	struct catalog *c = NULL;
	struct store *s = new_store("upd");
	struct terr e = { 0 };
	struct csvio_counts n;
	struct upd_ids ids = { 0 };
	struct localdb_record *got = NULL;
	char csv[300], a[UUID7_STRLEN + 1], b[UUID7_STRLEN + 1], text[2048];
	char *report = NULL;
	size_t k = 0;

	snprintf(csv, sizeof(csv), "%s/upd.csv", tmpdir);
	CHECK_INT_EQ(catalog_load(TETRAD_FORMS_DIR, NULL, &c, &e), 0);
	if (c == NULL || s == NULL)
		goto out;
	/* A final, B a draft (no «Запись»: new records) */
	write_text(csv, "_status;" SP_HEADER "final;" UPD_ROW("25", "0")
	    "draft;" UPD_ROW("24", "0"));
	CHECK_INT_EQ(csvio_import(s, c, "social_passport", csv, 0, &k, &report, &e), 0);
	CHECK_INT_EQ(store_record_each(s, "social_passport", NULL, upd_ids_cb, &ids,
	    &e), 0);
	CHECK_INT_EQ(ids.n, 2);
	if (ids.n != 2)
		goto out;
	uuid7_format(ids.id[0], a);
	uuid7_format(ids.id[1], b);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 1);

	/* A changed, B as it was (empty status: stays a draft), a third row
	 * with an id this store does not hold: a new record, its own id */
	snprintf(text, sizeof(text), UPD_HEAD "%s;;" UPD_ROW("26", "0")
	    "%s;;" UPD_ROW("24", "0") "019a0000-0000-7000-8000-000000000001;;"
	    UPD_ROW("30", "0"), a, b);
	write_text(csv, text);
	CHECK_INT_EQ(csvio_import_at(s, c, "social_passport", NULL, csv, 0, &n,
	    &report, &e), 0);
	CHECK_INT_EQ(n.added, 1);
	CHECK_INT_EQ(n.updated, 1);
	CHECK_INT_EQ(n.unchanged, 1);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records"), 3);
	{
		uint8_t other[UUID7_BYTES];

		CHECK_INT_EQ(uuid7_parse("019a0000-0000-7000-8000-000000000001",
		    other), 0);
		CHECK_INT_EQ(store_record_get(s, other, &got, &e), STORE_NOTFOUND);
		store_record_free(got);
		got = NULL;
	}
	/* A's edit queued as one "edit" of only the cell that differs from the
	 * stored record (not the whole row: a re-imported old export must not
	 * resend fields it did not change), B not at all */
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 3);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox WHERE op='edit' AND "
	    "fields='{\"students_total\":26}'"), 1);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(DISTINCT record_id) FROM outbox"), 2);
	CHECK_INT_EQ(store_record_get(s, ids.id[0], &got, &e), 0);
	CHECK_CONTAINS(got ? got->data : NULL, "\"students_total\":26");
	CHECK(got && strcmp(got->status, "final") == 0);
	store_record_free(got);
	got = NULL;
	CHECK_INT_EQ(store_record_get(s, ids.id[1], &got, &e), 0);
	CHECK(got && strcmp(got->status, "draft") == 0);
	store_record_free(got);
	got = NULL;

	/* B's status cell says final, and its column «migrant_families» is
	 * gone: B becomes final and queued, the missing column's answer kept */
	snprintf(text, sizeof(text), "_record;_status;academic_year;students_total\n"
	    "%s;окончательная;2021/2022;24\n", b);
	write_text(csv, text);
	CHECK_INT_EQ(csvio_import_at(s, c, "social_passport", NULL, csv, 0, &n,
	    &report, &e), 0);
	CHECK_INT_EQ(n.updated, 1);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 4);
	CHECK_INT_EQ(store_record_get(s, ids.id[1], &got, &e), 0);
	CHECK(got && strcmp(got->status, "final") == 0);
	CHECK_CONTAINS(got ? got->data : NULL, "\"migrant_families\":0");
	store_record_free(got);
	got = NULL;

	/* a final record marked a draft: refused, nothing written */
	snprintf(text, sizeof(text), UPD_HEAD "%s;черновик;" UPD_ROW("27", "0")
	    "%s;;" UPD_ROW("23", "0"), a, b);
	write_text(csv, text);
	CHECK_INT_EQ(csvio_import_at(s, c, "social_passport", NULL, csv, 0, &n,
	    &report, &e), TERR_INVALID);
	CHECK_CONTAINS(report, "Строка 2: запись ");
	CHECK_CONTAINS(report, "черновиком её сделать нельзя");
	CHECK_INT_EQ(n.updated, 0);
	free(report);
	report = NULL;
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM outbox"), 4);

	/* a deleted record cannot be edited */
	CHECK_INT_EQ(rec_delete(s, ids.id[0], &e), 0);
	snprintf(text, sizeof(text), UPD_HEAD "%s;;" UPD_ROW("27", "0"), a);
	write_text(csv, text);
	CHECK_INT_EQ(csvio_import_at(s, c, "social_passport", NULL, csv, 0, &n,
	    &report, &e), TERR_INVALID);
	CHECK_CONTAINS(report, "удалена на этом устройстве");
	free(report);
	report = NULL;
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records"), 3);
 out:
	free(report);
	catalog_free(c);
	store_close(s);
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
	test_roundtrip_builtin();
	test_import_rows();
	test_import_update();
	if (getenv("KEEP_TMP")) return check_summary();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary();
}
