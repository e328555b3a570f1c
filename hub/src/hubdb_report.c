/*
 * hubdb_report — what the SQLite store gives the reports: the school codes
 * known anywhere, live records of a form in HLC order, imported results and
 * report settings, and the writes of `results import` and `settings set`
 * (see hubdb.h). The reports compute everything else themselves, so a
 * second store needs only these few plain queries.
 */
#include <string.h>

#include "hubdb_impl.h"

static const char *const hubdb_report_sql[ST_COUNT] = {
	[ST_RESULT_PUT] = "INSERT INTO results(school, year, indicator, value, "
	    "imported_at) VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(school, year, indicator) "
	    "DO UPDATE SET value = excluded.value, imported_at = excluded.imported_at",
	[ST_RESULT_DEL] = "DELETE FROM results WHERE school = ?1 AND year = ?2 AND "
	    "indicator = ?3",
	[ST_SETTING_PUT] = "INSERT INTO settings(key, value) VALUES(?1, ?2) "
	    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[ST_SETTING_DEL] = "DELETE FROM settings WHERE key = ?1",
};

int
hubdb_report_schools(struct hubdb *db, hubdb_report_school_cb cb, void *ctx,
    struct terr *e)
{
	/*
	 * The register, not the records: every path that stores a record
	 * registers its school (ingest for each op's school, hubdb_record_import),
	 * so listing schools costs the register's size, not the store's (a scan
	 * of hub_records took 14 s at 2.8 M records). Results' schools come from
	 * that table's key.
	 */
	static const char sql[] =
	    "SELECT code, max(name) FROM ("
	    " SELECT code, name FROM schools"
	    " UNION ALL SELECT DISTINCT school, NULL FROM results) AS s"
	    " WHERE code IS NOT NULL AND code <> '' GROUP BY code ORDER BY code";
	struct hsql_stmt *st = NULL;
	int rc, r = 0;

	if (hsql_prepare(db->db, sql, 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение списка школ");
	while ((rc = hsql_step(st)) == HSQL_ROW) {
		struct hubdb_report_school s;

		s.code = (const char *)hsql_column_text(st, 0);
		s.name = (const char *)hsql_column_text(st, 1);
		if (s.code != NULL && (r = cb(ctx, &s)) != 0)
			break;
	}
	if (r == 0 && rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение списка школ");
	hsql_finalize(st);
	return r;
}

/* Hands cb the rows of st, a statement of hubdb_report_records' columns. */
static int
hubdb_report_rows(struct hubdb *db, struct hsql_stmt *st, hubdb_report_record_cb cb, void *ctx,
    struct terr *e)
{
	int rc, r = 0;

	while ((rc = hsql_step(st)) == HSQL_ROW) {
		struct hubdb_report_record rec;
		const char *hlc, *recv;
		int dlen = hsql_column_bytes(st, 3);

		/* the length first: a record too large is skipped unread */
		if (dlen < 0 || (size_t)dlen > HUBDB_REPORT_DATA_MAX)
			continue;
		rec.school = (const char *)hsql_column_text(st, 0);
		rec.form_id = (const char *)hsql_column_text(st, 1);
		hlc = (const char *)hsql_column_text(st, 2);
		rec.data = (const char *)hsql_column_text(st, 3);
		rec.data_len = (size_t)hsql_column_bytes(st, 3);
		recv = (const char *)hsql_column_text(st, 4);
		rec.hlc = hlc ? hlc : "";
		rec.received_date = recv ? recv : "";
		if (rec.school == NULL || rec.form_id == NULL || rec.data == NULL)
			continue;
		if ((r = cb(ctx, &rec)) != 0)
			break;
	}
	if (r == 0 && rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение записей");
	return r;
}

int
hubdb_report_records(struct hubdb *db, const char *form_id, bool prefix,
    hubdb_report_record_cb cb, void *ctx, struct terr *e)
{
	/*
	 * One form: a range of the table's key (form, HLC, id; schema 6), only
	 * its live records, already in HLC order. A prefix is read only by the
	 * surveys report of a store whose counters are not built yet (it is
	 * answered from them otherwise), once: sorting is fine there.
	 */
	static const char one_sql[] =
	    "SELECT school, form_id, hlc, data, substr(received_at, 1, 10)"
	    " FROM hub_records WHERE form_id = ?1 AND deleted = 0 ORDER BY hlc, id";
	static const char prefix_sql[] =
	    "SELECT school, form_id, hlc, data, substr(received_at, 1, 10)"
	    " FROM hub_records WHERE deleted = 0 AND substr(form_id, 1, length(?1)) = ?1"
	    " ORDER BY hlc, id";
	struct hsql_stmt *st = NULL;
	int r;

	if ((r = hubdb_scan_begin(db, e)) != 0)
		return r;
	/* HSQL_SCAN: a form's records, millions at region scale, read through a
	 * cursor on PostgreSQL rather than held at once (the report's read
	 * transaction, report_run) */
	if (hsql_prepare(db->db, prefix ? prefix_sql : one_sql, HSQL_SCAN, &st) !=
	    HSQL_OK) {
		r = hubdb_err(db, HSQL_ERROR, e, "чтение записей");
		goto out;
	}
	hsql_bind_text(st, 1, form_id, -1);
	r = hubdb_report_rows(db, st, cb, ctx, e);
 out:
	hsql_finalize(st);
	hubdb_scan_end(db);
	return r;
}

/* Whether the store numbered form_id's records for the feed (table feed_forms). */
static int
hubdb_report_form_numbered(struct hubdb *db, const char *form_id, bool *numbered,
    struct terr *e)
{
	struct hsql_stmt *st = NULL;
	int rc;

	*numbered = false;
	if (hsql_prepare(db->db, "SELECT 1 FROM feed_forms WHERE form_id = ?1", 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение записей");
	hsql_bind_text(st, 1, form_id, -1);
	rc = hsql_step(st);
	*numbered = rc == HSQL_ROW;
	hsql_finalize(st);
	return rc == HSQL_ROW || rc == HSQL_DONE ? 0 : hubdb_err(db, rc, e, "чтение записей");
}

int
hubdb_report_school_records(struct hubdb *db, const char *form_id, const char *school,
    hubdb_report_record_cb cb, void *ctx, struct terr *e)
{
	/*
	 * A form the store numbered for the feed (a shared one: the reports'
	 * visits, passports and mediation cases) has a position on every
	 * record, and the feed's index hub_records_feed(school, form_id,
	 * feed_pos) finds one school's: a range of it, a row looked up for each
	 * of the school's records, sorted back to HLC order (tens of them). An
	 * index of its own cost every such record's ingest 12% (measured:
	 * docs/performance.md). Another form is read whole, the school's rows
	 * kept (no report asks for that: the questionnaires' read the tallies).
	 */
	static const char feed_sql[] =
	    "SELECT school, form_id, hlc, data, substr(received_at, 1, 10)"
	    " FROM hub_records INDEXED BY hub_records_feed"
	    " WHERE school = ?2 AND form_id = ?1 AND feed_pos IS NOT NULL AND deleted = 0"
	    " ORDER BY hlc, id";
	static const char form_sql[] =
	    "SELECT school, form_id, hlc, data, substr(received_at, 1, 10)"
	    " FROM hub_records WHERE form_id = ?1 AND school = ?2 AND deleted = 0"
	    " ORDER BY hlc, id";
	struct hsql_stmt *st = NULL;
	bool numbered;
	int r;

	if ((r = hubdb_report_form_numbered(db, form_id, &numbered, e)) != 0)
		return r;
	/* HSQL_SCAN: a school's share of a form is unbounded in principle */
	if (hsql_prepare(db->db, numbered ? feed_sql : form_sql, HSQL_SCAN, &st) !=
	    HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение записей");
	hsql_bind_text(st, 1, form_id, -1);
	hsql_bind_text(st, 2, school, -1);
	r = hubdb_report_rows(db, st, cb, ctx, e);
	hsql_finalize(st);
	return r;
}

int
hubdb_results_each(struct hubdb *db, enum hubdb_results_kind kind,
    int from_year, int to_year, hubdb_result_cb cb, void *ctx, struct terr *e)
{
	/* ИСБШ on either scale (hub/results.h: isbsh −8…+8, isbsh_100 0–100) */
	static const char isbsh_sql[] = "SELECT school, year, indicator, value FROM results"
	    " WHERE indicator IN ('isbsh', 'isbsh_100') AND year BETWEEN ?1 AND ?2"
	    " ORDER BY year, school, indicator";
	static const char low_sql[] = "SELECT school, year, indicator, value FROM results"
	    " WHERE indicator NOT IN ('isbsh', 'isbsh_100') AND year BETWEEN ?1 AND ?2"
	    " ORDER BY school, year DESC, indicator";
	struct hsql_stmt *st = NULL;
	int rc, r = 0;

	/*
	 * The last row of a school wins (report_passport.c): ties of a year
	 * (isbsh and isbsh_100 both imported) broken by the key, else each
	 * engine picks by its own scan order
	 */
	if (kind != HUBDB_RESULTS_ISBSH && kind != HUBDB_RESULTS_LOW)
		return terr_set(e, TERR_ARG, "неизвестный вид результатов");
	if (hsql_prepare(db->db, kind == HUBDB_RESULTS_ISBSH ? isbsh_sql : low_sql, 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение результатов");
	hsql_bind_int(st, 1, from_year);
	hsql_bind_int(st, 2, to_year);
	while ((rc = hsql_step(st)) == HSQL_ROW) {
		struct hubdb_result res;

		res.school = (const char *)hsql_column_text(st, 0);
		res.year = hsql_column_int(st, 1);
		res.indicator = (const char *)hsql_column_text(st, 2);
		res.value = hsql_column_double(st, 3);
		if (res.school == NULL || res.indicator == NULL)
			continue;
		if ((r = cb(ctx, &res)) != 0)
			break;
	}
	if (r == 0 && rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение результатов");
	hsql_finalize(st);
	return r;
}

int
hubdb_result_put(struct hubdb *db, const struct hubdb_result *res, struct terr *e)
{
	struct hsql_stmt *st = hubdb_stmt(db, ST_RESULT_PUT, hubdb_report_sql[ST_RESULT_PUT], e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_cached(db, now);
	hsql_bind_text(st, 1, res->school, -1);
	hsql_bind_int(st, 2, res->year);
	hsql_bind_text(st, 3, res->indicator, -1);
	hsql_bind_double(st, 4, res->value);
	hsql_bind_text(st, 5, now, -1);
	return hubdb_exec_stmt(db, st, e, "сохранение результатов");
}

int
hubdb_result_del(struct hubdb *db, const char *school, int year, const char *indicator,
    struct terr *e)
{
	struct hsql_stmt *st = hubdb_stmt(db, ST_RESULT_DEL, hubdb_report_sql[ST_RESULT_DEL], e);

	if (st == NULL)
		return TERR_IO;
	hsql_bind_text(st, 1, school, -1);
	hsql_bind_int(st, 2, year);
	hsql_bind_text(st, 3, indicator, -1);
	return hubdb_exec_stmt(db, st, e, "сохранение результатов");
}

int
hubdb_settings_each(struct hubdb *db, hubdb_setting_cb cb, void *ctx, struct terr *e)
{
	struct hsql_stmt *st = NULL;
	int rc, r = 0;

	if (hsql_prepare(db->db, "SELECT key, value FROM settings ORDER BY key", 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение настроек отчётов");
	while ((rc = hsql_step(st)) == HSQL_ROW) {
		const char *k = (const char *)hsql_column_text(st, 0);
		const char *v = (const char *)hsql_column_text(st, 1);

		if (k == NULL || v == NULL)
			continue;
		if ((r = cb(ctx, k, v)) != 0)
			break;
	}
	if (r == 0 && rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение настроек отчётов");
	hsql_finalize(st);
	return r;
}

int
hubdb_setting_put(struct hubdb *db, const char *key, const char *value, struct terr *e)
{
	enum hubdb_stmt s = value ? ST_SETTING_PUT : ST_SETTING_DEL;
	struct hsql_stmt *st = hubdb_stmt(db, s, hubdb_report_sql[s], e);

	if (st == NULL)
		return TERR_IO;
	hsql_bind_text(st, 1, key, -1);
	if (value)
		hsql_bind_text(st, 2, value, -1);
	return hubdb_exec_stmt(db, st, e, "сохранение настройки");
}
