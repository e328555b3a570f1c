/*
 * hubdb_tally — the SQLite store's tallies: counters that writers keep up
 * in the transaction that writes a record, and that reports sum instead of
 * reading records (see hubdb.h). The store knows nothing of what a key
 * means; the table is (school, form_id, key, day) -> (n, total).
 */
#include <string.h>

#include "hubdb_sqlite.h"

/*
 * The key's columns lead with school, form and key and end with the day:
 * a report sums a key's days as one run of the primary key's order (no
 * sort), and a record's keys land next to each other when it is written.
 */
static const char *const hubdb_tally_sql[ST_COUNT] = {
	[ST_TALLY_ADD] = "INSERT INTO tally(school, form_id, key, day, n, total) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(school, form_id, key, day) DO UPDATE "
	    "SET n = n + excluded.n, total = total + excluded.total",
	[ST_TALLY_DROP] = "DELETE FROM tally WHERE school = ?1 AND form_id = ?2 AND "
	    "key = ?3 AND day = ?4 AND n = 0",
	[ST_TALLY_STALE] = "SELECT 1 FROM tally_stale WHERE form_prefix = ?1",
	[ST_REC_RECEIVED] = "SELECT received_at FROM hub_records WHERE id = ?1",
};

static sqlite3_stmt *
hubdb_tally_stmt(struct hubdb *db, enum hubdb_stmt s, struct terr *e)
{
	return hubdb_stmt(db, s, hubdb_tally_sql[s], e);
}

static void
hubdb_tally_bind_key(sqlite3_stmt *st, const char *form_id, const char *school,
    const char *key, int64_t day)
{
	sqlite3_bind_text(st, 1, school, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, form_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, day);
}

int
hubdb_tally_add(struct hubdb *db, const char *form_id, const char *school,
    const char *key, int64_t day, long long dn, double dsum, struct terr *e)
{
	sqlite3_stmt *st = hubdb_tally_stmt(db, ST_TALLY_ADD, e);
	int r;

	if (st == NULL)
		return TERR_IO;
	hubdb_tally_bind_key(st, form_id, school, key, day);
	sqlite3_bind_int64(st, 5, dn);
	sqlite3_bind_double(st, 6, dsum);
	if ((r = hubdb_exec_stmt(db, st, e, "учёт ответов")) != 0 || dn >= 0)
		return r;
	/* only a subtraction can bring a row to 0: edits and deletes, the rare writes */
	if ((st = hubdb_tally_stmt(db, ST_TALLY_DROP, e)) == NULL)
		return TERR_IO;
	hubdb_tally_bind_key(st, form_id, school, key, day);
	return hubdb_exec_stmt(db, st, e, "учёт ответов");
}

int
hubdb_tally_each(struct hubdb *db, const char *form_prefix, const char *school,
    int64_t day_lo, int64_t day_hi, hubdb_tally_cb cb, void *ctx, struct terr *e)
{
	/* one school: its rows are one range of the key; all: one pass of the table */
	static const char all_sql[] =
	    "SELECT school, form_id, key, sum(n), sum(total) FROM tally"
	    " WHERE substr(form_id, 1, length(?1)) = ?1 AND day BETWEEN ?2 AND ?3"
	    " GROUP BY school, form_id, key HAVING sum(n) <> 0"
	    " ORDER BY school, form_id, key";
	static const char one_sql[] =
	    "SELECT school, form_id, key, sum(n), sum(total) FROM tally"
	    " WHERE school = ?4 AND substr(form_id, 1, length(?1)) = ?1"
	    " AND day BETWEEN ?2 AND ?3"
	    " GROUP BY school, form_id, key HAVING sum(n) <> 0"
	    " ORDER BY school, form_id, key";
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	if (sqlite3_prepare_v2(db->db, school ? one_sql : all_sql, -1, &st, NULL) != SQLITE_OK)
		return hubdb_err(db, SQLITE_ERROR, e, "чтение сводки ответов");
	sqlite3_bind_text(st, 1, form_prefix, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, day_lo);
	sqlite3_bind_int64(st, 3, day_hi);
	if (school)
		sqlite3_bind_text(st, 4, school, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hubdb_tally_row row;

		row.school = (const char *)sqlite3_column_text(st, 0);
		row.form_id = (const char *)sqlite3_column_text(st, 1);
		row.key = (const char *)sqlite3_column_text(st, 2);
		row.n = sqlite3_column_int64(st, 3);
		row.total = sqlite3_column_double(st, 4);
		if (row.school == NULL || row.form_id == NULL || row.key == NULL)
			continue;
		if ((r = cb(ctx, &row)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, "чтение сводки ответов");
	sqlite3_finalize(st);
	return r;
}

int
hubdb_tally_stale(struct hubdb *db, const char *form_prefix, bool *stale, struct terr *e)
{
	sqlite3_stmt *st = hubdb_tally_stmt(db, ST_TALLY_STALE, e);
	int rc, r = 0;

	*stale = false;
	if (st == NULL)
		return TERR_IO;
	sqlite3_bind_text(st, 1, form_prefix, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*stale = true;
	else if (rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, "чтение сводки ответов");
	hubdb_done(st);
	return r;
}

int
hubdb_tally_reset(struct hubdb *db, const char *form_prefix, struct terr *e)
{
	static const char *const sql[] = {
		"DELETE FROM tally WHERE substr(form_id, 1, length(?1)) = ?1",
		"DELETE FROM tally_stale WHERE form_prefix = ?1",
	};
	int r = 0;

	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]) && r == 0; i++) {
		sqlite3_stmt *st = NULL;
		int rc;

		if (sqlite3_prepare_v2(db->db, sql[i], -1, &st, NULL) != SQLITE_OK)
			return hubdb_err(db, SQLITE_ERROR, e, "перестройка сводки ответов");
		sqlite3_bind_text(st, 1, form_prefix, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			r = hubdb_err(db, rc, e, "перестройка сводки ответов");
		sqlite3_finalize(st);
	}
	return r;
}

int
hubdb_tally_records(struct hubdb *db, const char *form_prefix,
    hubdb_tally_record_cb cb, void *ctx, struct terr *e)
{
	static const char sql[] =
	    "SELECT id, school, form_id, hlc, received_at, data FROM hub_records"
	    " WHERE deleted = 0 AND substr(form_id, 1, length(?1)) = ?1"
	    " ORDER BY form_id, school, id";
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return hubdb_err(db, SQLITE_ERROR, e, "чтение записей");
	sqlite3_bind_text(st, 1, form_prefix, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct hubdb_tally_record rec;
		const char *hlc, *recv;

		if (sqlite3_column_bytes(st, 0) != 16)
			continue;
		rec.id = sqlite3_column_blob(st, 0);
		rec.school = (const char *)sqlite3_column_text(st, 1);
		rec.form_id = (const char *)sqlite3_column_text(st, 2);
		hlc = (const char *)sqlite3_column_text(st, 3);
		recv = (const char *)sqlite3_column_text(st, 4);
		rec.data = (const char *)sqlite3_column_text(st, 5);
		rec.data_len = (size_t)sqlite3_column_bytes(st, 5);
		rec.hlc = hlc ? hlc : "";
		rec.received_at = recv ? recv : "";
		if (rec.school == NULL || rec.form_id == NULL || rec.data == NULL)
			continue;
		if ((r = cb(ctx, &rec)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, "чтение записей");
	sqlite3_finalize(st);
	return r;
}

int
hubdb_record_received(struct hubdb *db, const uint8_t id[16], char out[HUBDB_TIME_MAX],
    bool *found, struct terr *e)
{
	sqlite3_stmt *st = hubdb_tally_stmt(db, ST_REC_RECEIVED, e);
	int rc, r = 0;

	*found = false;
	out[0] = '\0';
	if (st == NULL)
		return TERR_IO;
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*found = true;
		hubdb_copy_text(out, HUBDB_TIME_MAX, st, 0);
	} else if (rc != SQLITE_DONE)
		r = hubdb_err(db, rc, e, "чтение записи");
	hubdb_done(st);
	return r;
}
