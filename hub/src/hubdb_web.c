/*
 * hubdb_web — the SQLite statements of the dashboard's accounts, sessions
 * and audit log (hub/hubdb_web.h). The tables are made with the others in
 * hubdb_schema.c. A page costs a few of these, so each statement is
 * prepared per call rather than cached per handle.
 */
#include <string.h>

#include "hub/hubdb_web.h"
#include "hubdb_impl.h"

static void
hubdb_web_text(struct hsql_stmt *st, int col, char *dst, size_t cap)
{
	const unsigned char *t = hsql_column_text(st, col);

	hubdb_copy(dst, cap, t ? (const char *)t : "");
}

/* Runs a statement that returns no rows; *changed: rows it changed (may be NULL). */
static int
hubdb_web_run(struct hubdb *db, struct hsql_stmt *st, int *changed, const char *what,
    struct terr *e)
{
	int rc = hsql_step(st);

	if (changed != NULL)
		*changed = hsql_changes(db->db);
	hsql_finalize(st);
	return rc == HSQL_DONE ? 0 : hubdb_err(db, rc, e, what);
}

static struct hsql_stmt *
hubdb_web_prep(struct hubdb *db, const char *sql, const char *what, struct terr *e)
{
	struct hsql_stmt *st = NULL;

	if (hsql_prepare(db->db, sql, 0, &st) != HSQL_OK) {
		hubdb_err(db, HSQL_ERROR, e, what);
		hsql_finalize(st);
		return NULL;
	}
	return st;
}

/* Runs sql with text as ?1 (no rows); *changed as hubdb_web_run. */
static int
hubdb_web_text1(struct hubdb *db, const char *sql, const char *text, int *changed,
    const char *what, struct terr *e)
{
	struct hsql_stmt *st;

	if ((st = hubdb_web_prep(db, sql, what, e)) == NULL)
		return e->code;
	hsql_bind_text(st, 1, text, -1);
	return hubdb_web_run(db, st, changed, what, e);
}

#define USER_COLS "login, role, school, pwhash, disabled_at IS NOT NULL, fail_n, " \
	"locked_until, created_at, changed_at"

static void
hubdb_user_read(struct hsql_stmt *st, struct hubdb_user *u)
{
	memset(u, 0, sizeof(*u));
	hubdb_web_text(st, 0, u->login, sizeof(u->login));
	hubdb_web_text(st, 1, u->role, sizeof(u->role));
	hubdb_web_text(st, 2, u->school, sizeof(u->school));
	hubdb_web_text(st, 3, u->pwhash, sizeof(u->pwhash));
	u->disabled = hsql_column_int(st, 4) != 0;
	u->fail_n = hsql_column_int64(st, 5);
	u->locked_until = hsql_column_int64(st, 6);
	hubdb_web_text(st, 7, u->created_at, sizeof(u->created_at));
	hubdb_web_text(st, 8, u->changed_at, sizeof(u->changed_at));
}

int
hubdb_user_get(struct hubdb *db, const char *login, struct hubdb_user *u, bool *found,
    struct terr *e)
{
	const char *what = "чтение учётной записи";
	struct hsql_stmt *st;
	int rc;

	*found = false;
	if ((st = hubdb_web_prep(db, "SELECT " USER_COLS " FROM web_users WHERE login = ?1",
	    what, e)) == NULL)
		return e->code;
	hsql_bind_text(st, 1, login, -1);
	if ((rc = hsql_step(st)) == HSQL_ROW) {
		hubdb_user_read(st, u);
		*found = true;
	}
	hsql_finalize(st);
	return rc == HSQL_ROW || rc == HSQL_DONE ? 0 : hubdb_err(db, rc, e, what);
}

int
hubdb_user_add(struct hubdb *db, const struct hubdb_user *u, struct terr *e)
{
	const char *what = "создание учётной записи";
	char now[HUBDB_TIME_MAX];
	struct hsql_stmt *st;
	int changed = 0, r;

	hubdb_now_iso(now);
	if ((st = hubdb_web_prep(db, "INSERT INTO web_users(login, role, school, "
	    "pwhash, created_at, changed_at) VALUES(?1, ?2, ?3, ?4, ?5, ?5) "
	    "ON CONFLICT DO NOTHING", what, e)) == NULL)
		return e->code;
	hsql_bind_text(st, 1, u->login, -1);
	hsql_bind_text(st, 2, u->role, -1);
	if (u->school[0])
		hsql_bind_text(st, 3, u->school, -1);
	hsql_bind_text(st, 4, u->pwhash, -1);
	hsql_bind_text(st, 5, now, -1);
	if ((r = hubdb_web_run(db, st, &changed, what, e)) != 0)
		return r;
	if (changed == 0)
		return terr_set(e, TERR_ARG, "учётная запись «%s» уже есть", u->login);
	return 0;
}

/* TERR_ARG when no row of login changed. */
static int
hubdb_user_update(struct hubdb *db, struct hsql_stmt *st, const char *login, const char *what,
    struct terr *e)
{
	int changed = 0, r;

	if ((r = hubdb_web_run(db, st, &changed, what, e)) != 0)
		return r;
	if (changed == 0)
		return terr_set(e, TERR_ARG, "нет учётной записи «%s»", login);
	return 0;
}

int
hubdb_user_set_password(struct hubdb *db, const char *login, const char *pwhash,
    struct terr *e)
{
	const char *what = "смена пароля";
	char now[HUBDB_TIME_MAX];
	struct hsql_stmt *st;

	hubdb_now_iso(now);
	if ((st = hubdb_web_prep(db, "UPDATE web_users SET pwhash = ?2, changed_at = ?3, "
	    "fail_n = 0, locked_until = 0 WHERE login = ?1", what, e)) == NULL)
		return e->code;
	hsql_bind_text(st, 1, login, -1);
	hsql_bind_text(st, 2, pwhash, -1);
	hsql_bind_text(st, 3, now, -1);
	return hubdb_user_update(db, st, login, what, e);
}

int
hubdb_user_set_disabled(struct hubdb *db, const char *login, bool disabled, struct terr *e)
{
	const char *what = "блокировка учётной записи";
	char now[HUBDB_TIME_MAX];
	struct hsql_stmt *st;

	hubdb_now_iso(now);
	if ((st = hubdb_web_prep(db, "UPDATE web_users SET disabled_at = ?2, fail_n = 0, "
	    "locked_until = 0 WHERE login = ?1", what, e)) == NULL)
		return e->code;
	hsql_bind_text(st, 1, login, -1);
	if (disabled)
		hsql_bind_text(st, 2, now, -1);
	return hubdb_user_update(db, st, login, what, e);
}

int
hubdb_users_enabled(struct hubdb *db, const char *role, int64_t *n, struct terr *e)
{
	const char *what = "подсчёт учётных записей";
	struct hsql_stmt *st;
	int rc;

	*n = 0;
	if ((st = hubdb_web_prep(db, "SELECT count(*) FROM web_users WHERE role = ?1 AND "
	    "disabled_at IS NULL", what, e)) == NULL)
		return e->code;
	hsql_bind_text(st, 1, role, -1);
	if ((rc = hsql_step(st)) == HSQL_ROW)
		*n = hsql_column_int64(st, 0);
	hsql_finalize(st);
	return rc == HSQL_ROW ? 0 : hubdb_err(db, rc, e, what);
}

int
hubdb_user_set_failures(struct hubdb *db, const char *login, int64_t fail_n,
    int64_t locked_until, struct terr *e)
{
	const char *what = "учёт неудачных входов";
	struct hsql_stmt *st;

	if ((st = hubdb_web_prep(db, "UPDATE web_users SET fail_n = ?2, locked_until = ?3 "
	    "WHERE login = ?1", what, e)) == NULL)
		return e->code;
	hsql_bind_text(st, 1, login, -1);
	hsql_bind_int64(st, 2, fail_n);
	hsql_bind_int64(st, 3, locked_until);
	return hubdb_web_run(db, st, NULL, what, e);
}

int
hubdb_session_add(struct hubdb *db, const struct hubdb_session *s, struct terr *e)
{
	const char *what = "открытие сеанса";
	struct hsql_stmt *st;

	if ((st = hubdb_web_prep(db, "INSERT INTO web_sessions(hash, login, csrf, created_at, "
	    "seen_at, addr) VALUES(?1, ?2, ?3, ?4, ?5, ?6)", what, e)) == NULL)
		return e->code;
	hsql_bind_blob(st, 1, s->hash, sizeof(s->hash));
	hsql_bind_text(st, 2, s->login, -1);
	hsql_bind_text(st, 3, s->csrf, -1);
	hsql_bind_int64(st, 4, s->created_at);
	hsql_bind_int64(st, 5, s->seen_at);
	hsql_bind_text(st, 6, s->addr, -1);
	return hubdb_web_run(db, st, NULL, what, e);
}

int
hubdb_session_get(struct hubdb *db, const uint8_t hash[32], struct hubdb_session *s,
    bool *found, struct terr *e)
{
	const char *what = "чтение сеанса";
	struct hsql_stmt *st;
	int rc;

	*found = false;
	if ((st = hubdb_web_prep(db, "SELECT login, csrf, created_at, seen_at, addr FROM "
	    "web_sessions WHERE hash = ?1", what, e)) == NULL)
		return e->code;
	hsql_bind_blob(st, 1, hash, 32);
	if ((rc = hsql_step(st)) == HSQL_ROW) {
		memset(s, 0, sizeof(*s));
		memcpy(s->hash, hash, sizeof(s->hash));
		hubdb_web_text(st, 0, s->login, sizeof(s->login));
		hubdb_web_text(st, 1, s->csrf, sizeof(s->csrf));
		s->created_at = hsql_column_int64(st, 2);
		s->seen_at = hsql_column_int64(st, 3);
		hubdb_web_text(st, 4, s->addr, sizeof(s->addr));
		*found = true;
	}
	hsql_finalize(st);
	return rc == HSQL_ROW || rc == HSQL_DONE ? 0 : hubdb_err(db, rc, e, what);
}

int
hubdb_session_touch(struct hubdb *db, const uint8_t hash[32], int64_t seen_at, struct terr *e)
{
	const char *what = "продление сеанса";
	struct hsql_stmt *st;

	if ((st = hubdb_web_prep(db, "UPDATE web_sessions SET seen_at = ?2 WHERE hash = ?1",
	    what, e)) == NULL)
		return e->code;
	hsql_bind_blob(st, 1, hash, 32);
	hsql_bind_int64(st, 2, seen_at);
	return hubdb_web_run(db, st, NULL, what, e);
}

int
hubdb_session_del(struct hubdb *db, const uint8_t hash[32], struct terr *e)
{
	const char *what = "закрытие сеанса";
	struct hsql_stmt *st;

	if ((st = hubdb_web_prep(db, "DELETE FROM web_sessions WHERE hash = ?1", what, e)) == NULL)
		return e->code;
	hsql_bind_blob(st, 1, hash, 32);
	return hubdb_web_run(db, st, NULL, what, e);
}

int
hubdb_sessions_del_login(struct hubdb *db, const char *login, struct terr *e)
{
	return hubdb_web_text1(db, "DELETE FROM web_sessions WHERE login = ?1", login, NULL,
	    "закрытие сеансов учётной записи", e);
}

int
hubdb_sessions_expire(struct hubdb *db, int64_t idle_before, int64_t created_before,
    struct terr *e)
{
	const char *what = "удаление истёкших сеансов";
	struct hsql_stmt *st;

	if ((st = hubdb_web_prep(db, "DELETE FROM web_sessions WHERE seen_at < ?1 OR "
	    "created_at < ?2", what, e)) == NULL)
		return e->code;
	hsql_bind_int64(st, 1, idle_before);
	hsql_bind_int64(st, 2, created_before);
	return hubdb_web_run(db, st, NULL, what, e);
}

int
hubdb_audit_add(struct hubdb *db, const struct hubdb_audit *a, struct terr *e)
{
	const char *what = "запись в журнал аудита";
	char now[HUBDB_TIME_MAX];
	struct hsql_stmt *st;

	hubdb_now_iso(now);
	if ((st = hubdb_web_prep(db, "INSERT INTO web_audit(at, login, addr, action, object, "
	    "outcome) VALUES(?1, ?2, ?3, ?4, ?5, ?6)", what, e)) == NULL)
		return e->code;
	hsql_bind_text(st, 1, now, -1);
	hsql_bind_text(st, 2, a->login, -1);
	hsql_bind_text(st, 3, a->addr, -1);
	hsql_bind_text(st, 4, a->action, -1);
	hsql_bind_text(st, 5, a->object, -1);
	hsql_bind_text(st, 6, a->outcome, -1);
	return hubdb_web_run(db, st, NULL, what, e);
}

int
hubdb_audit_purge(struct hubdb *db, const char *before, struct terr *e)
{
	return hubdb_web_text1(db, "DELETE FROM web_audit WHERE at < ?1", before, NULL,
	    "очистка журнала аудита", e);
}
