/*
 * hubdb_calendar — the SQLite statements of the programmes and the issued
 * risk profile (hub/hubdb_calendar.h). The tables are made with the others
 * in hubdb_schema.c. Imports are rare and small (a municipality's schools),
 * so each statement is prepared per call rather than cached per handle.
 */
#include "hub/hubdb_calendar.h"
#include "hubdb_impl.h"

/* Runs sql with t1 as ?1, year as ?2, t3 as ?3, t4 as ?4 (a NULL text: left unbound). */
static int
hubdb_cal_exec(struct hubdb *db, const char *sql, const char *t1, int year,
    const char *t3, const char *t4, const char *what, struct terr *e)
{
	struct hsql_stmt *st = NULL;
	int rc;

	if (hsql_prepare(db->db, sql, 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, what);
	if (t1)
		hsql_bind_text(st, 1, t1, -1);
	hsql_bind_int(st, 2, year);
	if (t3)
		hsql_bind_text(st, 3, t3, -1);
	if (t4)
		hsql_bind_text(st, 4, t4, -1);
	rc = hsql_step(st);
	hsql_finalize(st);
	return rc == HSQL_DONE ? 0 : hubdb_err(db, rc, e, what);
}

int
hubdb_programme_put(struct hubdb *db, const char *school, int year, const char *programme,
    bool on, struct terr *e)
{
	int r;

	if (!on)
		return hubdb_cal_exec(db, "DELETE FROM programmes WHERE school = ?1 AND "
		    "year = ?2 AND programme = ?3", school, year, programme, NULL,
		    "удаление программы школы", e);
	if ((r = hubdb_school_put(db, school, NULL, e)) != 0)
		return r;
	return hubdb_cal_exec(db, "INSERT INTO programmes(school, year, programme) "
	    "VALUES(?1, ?2, ?3) ON CONFLICT DO NOTHING", school, year, programme, NULL, "сохранение программы школы", e);
}

int
hubdb_programme_clear(struct hubdb *db, int year, const char *programme, struct terr *e)
{
	return hubdb_cal_exec(db, "DELETE FROM programmes WHERE year = ?2 AND programme = ?3",
	    NULL, year, programme, NULL, "удаление списка программы", e);
}

int
hubdb_programmes_each(struct hubdb *db, hubdb_programme_cb cb, void *ctx, struct terr *e)
{
	struct hsql_stmt *st = NULL;
	int rc, r = 0;

	if (hsql_prepare(db->db, "SELECT school, year, programme FROM programmes "
	    "ORDER BY school, year, programme", 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение программ школ");
	while ((rc = hsql_step(st)) == HSQL_ROW) {
		struct hubdb_programme p;

		p.school = (const char *)hsql_column_text(st, 0);
		p.year = hsql_column_int(st, 1);
		p.programme = (const char *)hsql_column_text(st, 2);
		if (p.school == NULL || p.programme == NULL)
			continue;
		if ((r = cb(ctx, &p)) != 0)
			break;
	}
	if (r == 0 && rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение программ школ");
	hsql_finalize(st);
	return r;
}

/* A change of a school's profile moves its feed position (hubdb.h). */
int
hubdb_profile_clear(struct hubdb *db, const char *school, int year, struct terr *e)
{
	bool own;
	int r;

	if ((r = hubdb_feed_own_begin(db, &own, e)) != 0)
		return r;
	if ((r = hubdb_cal_exec(db, "DELETE FROM risk_profile WHERE school = ?1 AND year = ?2",
	    school, year, NULL, NULL, "удаление рискового профиля", e)) == 0)
		r = hubdb_feed_profile(db, school, e);
	return hubdb_feed_own_end(db, own, r, e);
}

int
hubdb_profile_put(struct hubdb *db, const struct hubdb_profile *p, struct terr *e)
{
	char now[HUBDB_TIME_MAX];
	struct hsql_stmt *st = NULL;
	bool own;
	int r, rc;

	if ((r = hubdb_feed_own_begin(db, &own, e)) != 0)
		return r;
	if ((r = hubdb_school_put(db, p->school, NULL, e)) != 0 ||
	    (r = hubdb_feed_profile(db, p->school, e)) != 0)
		return hubdb_feed_own_end(db, own, r, e);
	hubdb_now_cached(db, now);
	if (hsql_prepare(db->db, "INSERT INTO risk_profile(school, year, "
	    "factor, level, imported_at) VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(school, year, "
	    "factor) DO UPDATE SET level = excluded.level, imported_at = excluded.imported_at",
	    0, &st) != HSQL_OK)
		return hubdb_feed_own_end(db, own, hubdb_err(db, HSQL_ERROR, e,
		    "сохранение рискового профиля"), e);
	hsql_bind_text(st, 1, p->school, -1);
	hsql_bind_int(st, 2, p->year);
	hsql_bind_text(st, 3, p->factor, -1);
	hsql_bind_text(st, 4, p->level, -1);
	hsql_bind_text(st, 5, now, -1);
	rc = hsql_step(st);
	hsql_finalize(st);
	r = rc == HSQL_DONE ? 0 : hubdb_err(db, rc, e, "сохранение рискового профиля");
	return hubdb_feed_own_end(db, own, r, e);
}

int
hubdb_profile_each(struct hubdb *db, hubdb_profile_cb cb, void *ctx, struct terr *e)
{
	struct hsql_stmt *st = NULL;
	int rc, r = 0;

	if (hsql_prepare(db->db, "SELECT school, year, factor, level FROM risk_profile "
	    "ORDER BY school, year, factor", 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение рискового профиля");
	while ((rc = hsql_step(st)) == HSQL_ROW) {
		struct hubdb_profile p;

		p.school = (const char *)hsql_column_text(st, 0);
		p.year = hsql_column_int(st, 1);
		p.factor = (const char *)hsql_column_text(st, 2);
		p.level = (const char *)hsql_column_text(st, 3);
		if (p.school == NULL || p.factor == NULL || p.level == NULL)
			continue;
		if ((r = cb(ctx, &p)) != 0)
			break;
	}
	if (r == 0 && rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение рискового профиля");
	hsql_finalize(st);
	return r;
}
