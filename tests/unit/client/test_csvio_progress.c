/*
 * test_csvio_progress — the progress the export and import functions report
 * (csvio_export_progress, xlsxio_export_progress, csvio_import_progress):
 * one call per record, counting up by one to the total, the total being the
 * records written (deleted ones not among them); an import that refuses its
 * file reports nothing (nothing was written); NULL means no reports.
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
#include "client/xlsxio.h"

static char tmpdir[] = "/tmp/test_csvio_progress.XXXXXX";

#define ROWS 37
#define LEFT (ROWS - 1)  /* one deleted before the exports */

struct seen {
	uint64_t calls, last, total;
	int bad;            /* a call that did not count up by one, or a total that moved */
};

static void
seen_cb(void *ud, uint64_t done, uint64_t total)
{
	struct seen *s = ud;

	if (done != s->last + 1 || (s->calls > 0 && total != s->total))
		s->bad++;
	s->calls++;
	s->last = done;
	s->total = total;
}

#define SP_HEADER "academic_year;snapshot_date;level;class_name;students_total;" \
	"families_total;large_families;low_income_families;single_parent_families;" \
	"foster_children;orphans;disabled_children;special_needs;sop_families;" \
	"tjs_families;kdn_registered;pdn_registered;school_registered;" \
	"unemployed_parents;parents_higher_education;non_native_russian;migrant_families\n"

static void
write_rows(const char *path, int rows, bool bad_last)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL) {
		CHECK(0);
		return;
	}
	fputs(SP_HEADER, fp);
	/* drafts: the form's one-passport-per-class rule is for final records */
	for (int i = 0; i < rows; i++)
		fprintf(fp, "2021/2022;01.10.2021;class;%dА;%s;20;3;2;4;1;0;1;2;0;1;0;0;1;2;5;1;0\n",
		    i + 1, bad_last && i == rows - 1 ? "много" : "25");
	fclose(fp);
}

int
main(void)
{
	char db[256], csv[256], out[256], *report = NULL;
	struct store *s = NULL;
	struct catalog *c = NULL;
	struct csvio_counts n;
	struct terr e = { 0 };
	struct seen seen;
	FILE *fp;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(db, sizeof(db), "%s/p.db", tmpdir);
	snprintf(csv, sizeof(csv), "%s/in.csv", tmpdir);
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	CHECK_INT_EQ(store_open(db, true, &s, &e), 0);
	CHECK_INT_EQ(catalog_load(TETRAD_FORMS_DIR, NULL, &c, &e), 0);
	if (s == NULL || c == NULL)
		goto out;
	CHECK_INT_EQ(store_meta_set(s, "school", "170103", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_id", "a1b2c3d4e5f60718", &e), 0);

	/* a refused file: every row checked first, nothing written, nothing reported */
	write_rows(csv, ROWS, true);
	memset(&seen, 0, sizeof(seen));
	CHECK_INT_EQ(csvio_import_progress(s, c, "social_passport", NULL, csv, 0, &n,
	    &report, seen_cb, &seen, &e), TERR_INVALID);
	CHECK_INT_EQ(seen.calls, 0);
	free(report);
	report = NULL;

	/* the import: one report per record written, up to all of them */
	write_rows(csv, ROWS, false);
	memset(&seen, 0, sizeof(seen));
	CHECK_INT_EQ(csvio_import_progress(s, c, "social_passport", NULL, csv, 0, &n,
	    &report, seen_cb, &seen, &e), 0);
	CHECK_INT_EQ(n.added, ROWS);
	CHECK_INT_EQ(seen.calls, ROWS);
	CHECK_INT_EQ(seen.last, ROWS);
	CHECK_INT_EQ(seen.total, ROWS);
	CHECK_INT_EQ(seen.bad, 0);
	free(report);
	report = NULL;

	/* a deleted record is neither written nor counted */
	{
		sqlite3_stmt *st = NULL;
		uint8_t id[UUID7_BYTES] = { 0 };

		CHECK_INT_EQ(sqlite3_prepare_v2(store_db(s), "SELECT id FROM records "
		    "LIMIT 1", -1, &st, NULL), SQLITE_OK);
		if (st != NULL && sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_bytes(st, 0) == UUID7_BYTES)
			memcpy(id, sqlite3_column_blob(st, 0), UUID7_BYTES);
		sqlite3_finalize(st);
		CHECK_INT_EQ(rec_delete(s, id, &e), 0);
	}
	for (int fmt = CSVIO_CSV; fmt <= CSVIO_JSON; fmt++) {
		memset(&seen, 0, sizeof(seen));
		if ((fp = fopen(out, "w")) == NULL) {
			CHECK(0);
			break;
		}
		CHECK_INT_EQ(csvio_export_progress(s, c, "social_passport", fmt, false, 0, fp,
		    seen_cb, &seen, &e), 0);
		fclose(fp);
		CHECK_INT_EQ(seen.calls, LEFT);
		CHECK_INT_EQ(seen.total, LEFT);
		CHECK_INT_EQ(seen.bad, 0);
	}
	memset(&seen, 0, sizeof(seen));
	snprintf(out, sizeof(out), "%s/out.xlsx", tmpdir);
	CHECK_INT_EQ(xlsxio_export_progress(s, c, "social_passport", out, seen_cb, &seen,
	    &e), 0);
	CHECK_INT_EQ(seen.calls, LEFT);
	CHECK_INT_EQ(seen.total, LEFT);
	CHECK_INT_EQ(seen.bad, 0);
	/* no callback: the same export, no reports to anyone */
	CHECK_INT_EQ(xlsxio_export_progress(s, c, "social_passport", out, NULL, NULL, &e), 0);
 out:
	catalog_free(c);
	store_close(s);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return check_summary();
}
