/*
 * hubdb_report — what the SQLite store gives the reports: the school codes
 * known anywhere, live records of a form in HLC order, imported results and
 * report settings, and the writes of `results import` and `settings set`
 * (see hubdb.h). The reports compute everything else themselves, so a
 * second store needs only these few plain queries.
 */
#include <stdlib.h>
#include <string.h>

#include "hubdb_sqlite.h"

static const char *const hubdb_report_sql[ST_COUNT] = {
	[ST_RESULT_PUT] = "INSERT OR REPLACE INTO results(school, year, indicator, value, "
	    "imported_at) VALUES(?1, ?2, ?3, ?4, ?5)",
	[ST_SETTING_PUT] = "INSERT OR REPLACE INTO settings(key, value) VALUES(?1, ?2)",
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
	    " UNION ALL SELECT DISTINCT school, NULL FROM results)"
	    " WHERE code IS NOT NULL AND code <> '' GROUP BY code ORDER BY code";
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return hubdb_err(db, SQLITE_ERROR, e, "чтение списка школ");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hubdb_report_school s;

		s.code = (const char *)sqlite3_column_text(st, 0);
		s.name = (const char *)sqlite3_column_text(st, 1);
		if (s.code != NULL && (r = cb(ctx, &s)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, "чтение списка школ");
	sqlite3_finalize(st);
	return r;
}

/*
 * One form's live records in HLC order (the index hub_records_report
 * gives that order, so nothing is sorted): a cursor of the merge below.
 */
struct hubdb_report_cursor {
	sqlite3_stmt *st;
	bool row;                         /* st stands on a row */
};

/* Whether cursor a's row comes before b's: hlc, then id (ORDER BY hlc, id). */
static bool
hubdb_report_before(sqlite3_stmt *a, sqlite3_stmt *b)
{
	const unsigned char *ha = sqlite3_column_text(a, 2), *hb = sqlite3_column_text(b, 2);
	const void *ia, *ib;
	int c, na, nb;

	/* NULL sorts first, as in SQL */
	if (ha == NULL || hb == NULL)
		return ha == NULL && hb != NULL;
	if ((c = strcmp((const char *)ha, (const char *)hb)) != 0)
		return c < 0;
	ia = sqlite3_column_blob(a, 5);
	na = sqlite3_column_bytes(a, 5);
	ib = sqlite3_column_blob(b, 5);
	nb = sqlite3_column_bytes(b, 5);
	c = memcmp(ia ? ia : "", ib ? ib : "", (size_t)(na < nb ? na : nb));
	return c < 0 || (c == 0 && na < nb);
}

/*
 * The form ids starting with prefix, each found by one seek in the index
 * (a DISTINCT would read every entry of the range). upper is the least text
 * above every id with the prefix; when there is none, a zero-length blob,
 * which sorts after every text.
 */
static int
hubdb_report_forms(struct hubdb *db, const char *prefix, char ***out, size_t *n,
    struct terr *e)
{
	/* the first at or above the prefix, then each one above the last found */
	static const char *const sql[2] = {
		"SELECT min(form_id) FROM hub_records WHERE form_id >= ?1 AND form_id < ?2",
		"SELECT min(form_id) FROM hub_records WHERE form_id > ?1 AND form_id < ?2",
	};
	size_t plen = strlen(prefix), cap = 0, k;
	char *upper = NULL;
	sqlite3_stmt *st[2] = { NULL, NULL };
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	if ((upper = strdup(prefix)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	for (k = plen; k > 0 && (unsigned char)upper[k - 1] == 0xff; k--)
		;
	if (k > 0) {
		upper[k - 1] = (char)((unsigned char)upper[k - 1] + 1);
		upper[k] = '\0';
	}
	for (int i = 0; i < 2; i++)
		if (sqlite3_prepare_v2(db->db, sql[i], -1, &st[i], NULL) != SQLITE_OK) {
			r = hubdb_err(db, SQLITE_ERROR, e, "чтение записей");
			goto out;
		}
	for (;;) {
		sqlite3_stmt *q = st[*n > 0];
		const char *f;

		sqlite3_reset(q);
		sqlite3_bind_text(q, 1, *n > 0 ? (*out)[*n - 1] : prefix, -1, SQLITE_STATIC);
		if (k > 0)
			sqlite3_bind_text(q, 2, upper, -1, SQLITE_STATIC);
		else
			sqlite3_bind_zeroblob(q, 2, 0);
		if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
			r = hubdb_err(db, rc, e, "чтение записей");
			goto out;
		}
		if ((f = (const char *)sqlite3_column_text(q, 0)) == NULL)
			break;
		if (*n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			char **v = realloc(*out, ncap * sizeof(*v));

			if (v == NULL)
				goto nomem;
			*out = v;
			cap = ncap;
		}
		if (((*out)[*n] = strdup(f)) == NULL)
			goto nomem;
		(*n)++;
	}
	goto out;
 nomem:
	r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
 out:
	sqlite3_finalize(st[0]);
	sqlite3_finalize(st[1]);
	free(upper);
	return r;
}

int
hubdb_report_records(struct hubdb *db, const char *form_id, bool prefix,
    hubdb_report_record_cb cb, void *ctx, struct terr *e)
{
	/*
	 * Per form from the index on (form_id, deleted, hlc): only that form's
	 * live records are read, already in HLC order. A prefix (the survey
	 * groups) merges its forms' cursors instead of sorting their records.
	 */
	static const char sql[] =
	    "SELECT school, form_id, hlc, data, substr(received_at, 1, 10), id"
	    " FROM hub_records"
	    " WHERE form_id = ?1 AND deleted = 0 ORDER BY hlc, id";
	struct hubdb_report_cursor *cur = NULL;
	char **forms = NULL;
	size_t nforms = 0;
	int rc = SQLITE_DONE, r = 0;

	if (prefix) {
		if ((r = hubdb_report_forms(db, form_id, &forms, &nforms, e)) != 0)
			goto out;
	} else {
		nforms = 1;
	}
	if ((cur = calloc(nforms + 1, sizeof(*cur))) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	for (size_t i = 0; i < nforms; i++) {
		if (sqlite3_prepare_v2(db->db, sql, -1, &cur[i].st, NULL) != SQLITE_OK) {
			r = hubdb_err(db, SQLITE_ERROR, e, "чтение записей");
			goto out;
		}
		sqlite3_bind_text(cur[i].st, 1, prefix ? forms[i] : form_id, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(cur[i].st)) != SQLITE_ROW && rc != SQLITE_DONE) {
			r = hubdb_err(db, rc, e, "чтение записей");
			goto out;
		}
		cur[i].row = rc == SQLITE_ROW;
	}
	for (;;) {
		struct hubdb_report_record rec;
		sqlite3_stmt *st = NULL;
		size_t at = 0;
		const char *hlc, *recv;
		int dlen;

		for (size_t i = 0; i < nforms; i++)
			if (cur[i].row && (st == NULL || hubdb_report_before(cur[i].st, st))) {
				st = cur[i].st;
				at = i;
			}
		if (st == NULL)
			break;
		dlen = sqlite3_column_bytes(st, 3);
		/* the length first: a record too large is skipped unread */
		if (dlen >= 0 && (size_t)dlen <= HUBDB_REPORT_DATA_MAX) {
			rec.school = (const char *)sqlite3_column_text(st, 0);
			rec.form_id = (const char *)sqlite3_column_text(st, 1);
			hlc = (const char *)sqlite3_column_text(st, 2);
			rec.data = (const char *)sqlite3_column_text(st, 3);
			rec.data_len = (size_t)sqlite3_column_bytes(st, 3);
			recv = (const char *)sqlite3_column_text(st, 4);
			rec.hlc = hlc ? hlc : "";
			rec.received_date = recv ? recv : "";
			if (rec.school != NULL && rec.form_id != NULL && rec.data != NULL &&
			    (r = cb(ctx, &rec)) != 0)
				goto out;
		}
		if ((rc = sqlite3_step(st)) != SQLITE_ROW && rc != SQLITE_DONE) {
			r = hubdb_err(db, rc, e, "чтение записей");
			goto out;
		}
		cur[at].row = rc == SQLITE_ROW;
	}
 out:
	for (size_t i = 0; cur != NULL && i < nforms; i++)
		sqlite3_finalize(cur[i].st);
	free(cur);
	for (size_t i = 0; i < nforms && forms != NULL; i++)
		free(forms[i]);
	free(forms);
	return r;
}

int
hubdb_results_each(struct hubdb *db, enum hubdb_results_kind kind,
    int from_year, int to_year, hubdb_result_cb cb, void *ctx, struct terr *e)
{
	static const char isbsh_sql[] = "SELECT school, year, indicator, value FROM results"
	    " WHERE indicator = 'isbsh' AND year BETWEEN ?1 AND ?2 ORDER BY year";
	static const char low_sql[] = "SELECT school, year, indicator, value FROM results"
	    " WHERE indicator <> 'isbsh' AND year BETWEEN ?1 AND ?2"
	    " ORDER BY school, year DESC";
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	if (kind != HUBDB_RESULTS_ISBSH && kind != HUBDB_RESULTS_LOW)
		return terr_set(e, TERR_ARG, "неизвестный вид результатов");
	if (sqlite3_prepare_v2(db->db, kind == HUBDB_RESULTS_ISBSH ? isbsh_sql : low_sql,
	    -1, &st, NULL) != SQLITE_OK)
		return hubdb_err(db, SQLITE_ERROR, e, "чтение результатов");
	sqlite3_bind_int(st, 1, from_year);
	sqlite3_bind_int(st, 2, to_year);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hubdb_result res;

		res.school = (const char *)sqlite3_column_text(st, 0);
		res.year = sqlite3_column_int(st, 1);
		res.indicator = (const char *)sqlite3_column_text(st, 2);
		res.value = sqlite3_column_double(st, 3);
		if (res.school == NULL || res.indicator == NULL)
			continue;
		if ((r = cb(ctx, &res)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, "чтение результатов");
	sqlite3_finalize(st);
	return r;
}

int
hubdb_result_put(struct hubdb *db, const struct hubdb_result *res, struct terr *e)
{
	sqlite3_stmt *st = hubdb_stmt(db, ST_RESULT_PUT, hubdb_report_sql[ST_RESULT_PUT], e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_cached(db, now);
	sqlite3_bind_text(st, 1, res->school, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, res->year);
	sqlite3_bind_text(st, 3, res->indicator, -1, SQLITE_STATIC);
	sqlite3_bind_double(st, 4, res->value);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	return hubdb_exec_stmt(db, st, e, "сохранение результатов");
}

int
hubdb_settings_each(struct hubdb *db, hubdb_setting_cb cb, void *ctx, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	if (sqlite3_prepare_v2(db->db, "SELECT key, value FROM settings ORDER BY key", -1,
	    &st, NULL) != SQLITE_OK)
		return hubdb_err(db, SQLITE_ERROR, e, "чтение настроек отчётов");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);

		if (k == NULL || v == NULL)
			continue;
		if ((r = cb(ctx, k, v)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, "чтение настроек отчётов");
	sqlite3_finalize(st);
	return r;
}

int
hubdb_setting_put(struct hubdb *db, const char *key, const char *value, struct terr *e)
{
	enum hubdb_stmt s = value ? ST_SETTING_PUT : ST_SETTING_DEL;
	sqlite3_stmt *st = hubdb_stmt(db, s, hubdb_report_sql[s], e);

	if (st == NULL)
		return TERR_IO;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (value)
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	return hubdb_exec_stmt(db, st, e, "сохранение настройки");
}
