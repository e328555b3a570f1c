/*
 * hubdb_devices — the SQLite store's devices, enrollment tokens and the
 * school register (see hubdb.h).
 */
#include <string.h>

#include "hubdb_impl.h"

#define DEVICE_GET_SQL "SELECT id, pk, kind, label, schools, revoked_at, watermark, " \
	"last_hash, box_pk, pull_acked FROM devices WHERE id = ?1"

static const char *const hubdb_devices_sql[ST_COUNT] = {
	[ST_DEVICE_GET] = DEVICE_GET_SQL,
	[ST_DEVICE_ASK] = DEVICE_GET_SQL,
	[ST_DEVICE_ADD] = "INSERT INTO devices(id, pk, kind, label, schools, enrolled_at, "
	    "watermark, last_hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)",
	[ST_DEVICE_HEAD] = "UPDATE devices SET watermark = ?2, last_hash = ?3, "
	    "last_seen_at = ?4 WHERE id = ?1",
	[ST_DEVICE_REVOKE] = "UPDATE devices SET revoked_at = ?2 WHERE id = ?1 "
	    "AND revoked_at IS NULL",
	[ST_TOKEN_ADD] = "INSERT INTO tokens(hash, kind, name, schools, created_at, "
	    "expires_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[ST_TOKEN_GET] = "SELECT kind, name, schools, expires_at, used_by FROM tokens "
	    "WHERE hash = ?1",
	[ST_TOKEN_USE] = "UPDATE tokens SET used_by = ?2, used_at = ?3 WHERE hash = ?1 "
	    "AND used_by IS NULL",
	[ST_SCHOOL_ADD] = "INSERT INTO schools(code, name, feed_pos) VALUES(?1, ?2, ?3) "
	    "ON CONFLICT DO NOTHING",
	[ST_SCHOOL_NAME] = "UPDATE schools SET name = ?2, feed_pos = ?3 WHERE code = ?1 "
	    "AND name IS DISTINCT FROM ?2",
};

/* The cached statement of slot s (its SQL above). */
static struct hsql_stmt *
hubdb_devices_stmt(struct hubdb *db, enum hubdb_stmt s, struct terr *e)
{
	return hubdb_stmt(db, s, hubdb_devices_sql[s], e);
}

/* The device row of st, bound and asked (or sent), into d; st reset. */
static int
hubdb_device_read(struct hubdb *db, struct hsql_stmt *st, struct hubdb_device *d,
    bool *found, struct terr *e)
{
	int rc, r = 0;

	*found = false;
	memset(d, 0, sizeof(*d));
	rc = hsql_step(st);
	if (rc == HSQL_ROW) {
		*found = true;
		hubdb_copy_text(d->id, sizeof(d->id), st, 0);
		if (hsql_column_bytes(st, 1) == KEYS_SIGN_PK_BYTES)
			memcpy(d->pk, hsql_column_blob(st, 1), KEYS_SIGN_PK_BYTES);
		hubdb_copy_text(d->kind, sizeof(d->kind), st, 2);
		hubdb_copy_text(d->label, sizeof(d->label), st, 3);
		hubdb_copy_text(d->schools, sizeof(d->schools), st, 4);
		d->revoked = hsql_column_type(st, 5) != HSQL_NULL;
		hubdb_copy_text(d->revoked_at, sizeof(d->revoked_at), st, 5);
		d->watermark = (uint64_t)hsql_column_int64(st, 6);
		if (hsql_column_bytes(st, 7) == CHANGESET_HASH_BYTES)
			memcpy(d->last_hash, hsql_column_blob(st, 7), CHANGESET_HASH_BYTES);
		if (hsql_column_bytes(st, 8) == KEYS_ENC_PK_BYTES) {
			d->has_box = true;
			memcpy(d->box_pk, hsql_column_blob(st, 8), KEYS_ENC_PK_BYTES);
		}
		d->pull_acked = (uint64_t)hsql_column_int64(st, 9);
	} else if (rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение устройства");
	hubdb_done(st);
	return r;
}

int
hubdb_device_get(struct hubdb *db, const char *id, struct hubdb_device *d,
    bool *found, struct terr *e)
{
	struct hsql_stmt *st = hubdb_devices_stmt(db, ST_DEVICE_GET, e);

	*found = false;
	if (st == NULL)
		return TERR_IO;
	hsql_bind_text(st, 1, id, -1);
	return hubdb_device_read(db, st, d, found, e);
}

int
hubdb_device_ask(struct hubdb *db, const char *id, struct terr *e)
{
	struct hsql_stmt *st = hubdb_devices_stmt(db, ST_DEVICE_ASK, e);
	struct terr own;

	if (st == NULL)
		return TERR_IO;
	/* an earlier question not answered is dropped */
	hubdb_done(st);
	db->device_asked = HUBDB_ASKED_NONE;
	hsql_bind_text_copy(st, 1, id, -1);
	if (hsql_send(st)) {
		db->device_asked = HUBDB_ASKED_SENT;
		return 0;
	}
	/* read now: the answer is of this moment either way */
	terr_clear(&own);
	db->asked_r = hubdb_device_read(db, st, &db->asked_dev, &db->asked_found, &own);
	db->device_asked = HUBDB_ASKED_READ;
	return db->asked_r != 0 ? terr_set(e, db->asked_r, "%s", own.msg) : 0;
}

int
hubdb_device_answer(struct hubdb *db, struct hubdb_device *d, bool *found, struct terr *e)
{
	struct hsql_stmt *st = db->st[ST_DEVICE_ASK];
	int was = db->device_asked;

	*found = false;
	db->device_asked = HUBDB_ASKED_NONE;
	if (was == HUBDB_ASKED_SENT && st != NULL)
		return hubdb_device_read(db, st, d, found, e);
	if (was != HUBDB_ASKED_READ || db->asked_r != 0)
		return terr_set(e, TERR_INTERNAL, "ответ об устройстве без вопроса");
	*d = db->asked_dev;
	*found = db->asked_found;
	return 0;
}

int
hubdb_device_add(struct hubdb *db, const struct hubdb_device *d, struct terr *e)
{
	struct hsql_stmt *st = hubdb_devices_stmt(db, ST_DEVICE_ADD, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	hsql_bind_text(st, 1, d->id, -1);
	hsql_bind_blob(st, 2, d->pk, KEYS_SIGN_PK_BYTES);
	hsql_bind_text(st, 3, d->kind, -1);
	hsql_bind_text(st, 4, d->label, -1);
	hsql_bind_text(st, 5, d->schools, -1);
	hsql_bind_text(st, 6, now, -1);
	hsql_bind_blob(st, 7, (const uint8_t[CHANGESET_HASH_BYTES]){ 0 }, CHANGESET_HASH_BYTES);
	return hubdb_exec_stmt(db, st, e, "регистрация устройства");
}

int
hubdb_device_set_head(struct hubdb *db, const char *id, uint64_t watermark,
    const uint8_t hash[CHANGESET_HASH_BYTES], struct terr *e)
{
	struct hsql_stmt *st = hubdb_devices_stmt(db, ST_DEVICE_HEAD, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	hsql_bind_text(st, 1, id, -1);
	hsql_bind_int64(st, 2, (int64_t)watermark);
	hsql_bind_blob(st, 3, hash, CHANGESET_HASH_BYTES);
	hsql_bind_text(st, 4, now, -1);
	return hubdb_exec_stmt(db, st, e, "обновление отметки устройства");
}

int
hubdb_device_revoke(struct hubdb *db, const char *id, struct terr *e)
{
	struct hsql_stmt *st = hubdb_devices_stmt(db, ST_DEVICE_REVOKE, e);
	struct hubdb_device d;
	char now[HUBDB_TIME_MAX];
	bool found;
	int r;

	if (st == NULL)
		return TERR_IO;
	if ((r = hubdb_device_get(db, id, &d, &found, e)) != 0)
		return r;
	if (!found)
		return terr_set(e, TERR_ARG, "устройство %s не найдено", id);
	if (d.revoked)
		return terr_set(e, TERR_ARG, "устройство %s уже отозвано (%s)", id,
		    d.revoked_at);
	hubdb_now_iso(now);
	hsql_bind_text(st, 1, id, -1);
	hsql_bind_text(st, 2, now, -1);
	return hubdb_exec_stmt(db, st, e, "отзыв устройства");
}

int
hubdb_token_add(struct hubdb *db, const struct hubdb_token *t, struct terr *e)
{
	struct hsql_stmt *st = hubdb_devices_stmt(db, ST_TOKEN_ADD, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	hsql_bind_blob(st, 1, t->hash, 32);
	hsql_bind_text(st, 2, t->kind, -1);
	hsql_bind_text(st, 3, t->name, -1);
	hsql_bind_text(st, 4, t->schools, -1);
	hsql_bind_text(st, 5, now, -1);
	hsql_bind_int64(st, 6, t->expires_at);
	return hubdb_exec_stmt(db, st, e, "сохранение кода регистрации");
}

int
hubdb_token_get(struct hubdb *db, const uint8_t hash[32], struct hubdb_token *t,
    bool *found, struct terr *e)
{
	struct hsql_stmt *st = hubdb_devices_stmt(db, ST_TOKEN_GET, e);
	int rc, r = 0;

	*found = false;
	memset(t, 0, sizeof(*t));
	if (st == NULL)
		return TERR_IO;
	hsql_bind_blob(st, 1, hash, 32);
	rc = hsql_step(st);
	if (rc == HSQL_ROW) {
		*found = true;
		memcpy(t->hash, hash, 32);
		hubdb_copy_text(t->kind, sizeof(t->kind), st, 0);
		hubdb_copy_text(t->name, sizeof(t->name), st, 1);
		hubdb_copy_text(t->schools, sizeof(t->schools), st, 2);
		t->expires_at = hsql_column_int64(st, 3);
		t->used = hsql_column_type(st, 4) != HSQL_NULL;
		hubdb_copy_text(t->used_by, sizeof(t->used_by), st, 4);
	} else if (rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение кода регистрации");
	hubdb_done(st);
	return r;
}

int
hubdb_token_use(struct hubdb *db, const uint8_t hash[32], const char *device_id,
    struct terr *e)
{
	struct hsql_stmt *st = hubdb_devices_stmt(db, ST_TOKEN_USE, e);
	char now[HUBDB_TIME_MAX];
	int r;

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	hsql_bind_blob(st, 1, hash, 32);
	hsql_bind_text(st, 2, device_id, -1);
	hsql_bind_text(st, 3, now, -1);
	if ((r = hubdb_exec_stmt(db, st, e, "погашение кода регистрации")) != 0)
		return r;
	/* two enrollments racing for one token: only the first may win */
	if (hsql_changes(db->db) != 1)
		return terr_set(e, TERR_ARG, "код регистрации уже использован");
	return 0;
}

/*
 * A school added, or given another name, takes the next feed position
 * (hubdb.h): its register entry travels to the devices of the school.
 * Adding one already there (ingest does it for every set) takes none.
 */
int
hubdb_school_put(struct hubdb *db, const char *code, const char *name,
    struct terr *e)
{
	struct hsql_stmt *st = hubdb_devices_stmt(db, ST_SCHOOL_ADD, e);
	uint64_t pos;
	bool own;
	int r;

	if (st == NULL)
		return TERR_IO;
	if ((name == NULL || name[0] == '\0') && !hsql_autocommit(db->db) &&
	    hubdb_schools_known(db->schools, code))
		return 0;
	if ((r = hubdb_feed_own_begin(db, &own, e)) != 0)
		return r;
	if ((r = hubdb_feed_next(db, &pos, e)) != 0)
		goto out;
	hsql_bind_text(st, 1, code, -1);
	if (name != NULL && name[0] != '\0')
		hsql_bind_text(st, 2, name, -1);
	hsql_bind_int64(st, 3, (int64_t)pos);
	if ((r = hubdb_exec_stmt(db, st, e, "сохранение школы")) != 0)
		goto out;
	if (!hsql_autocommit(db->db))
		hubdb_schools_seen(&db->schools, code);
	if (hsql_changes(db->db) > 0) {
		if ((r = hubdb_feed_take(db, pos, e)) != 0)
			goto out;
		pos++;
	}
	if (name == NULL || name[0] == '\0')
		goto out;
	if ((st = hubdb_devices_stmt(db, ST_SCHOOL_NAME, e)) == NULL) {
		r = TERR_IO;
		goto out;
	}
	hsql_bind_text(st, 1, code, -1);
	hsql_bind_text(st, 2, name, -1);
	hsql_bind_int64(st, 3, (int64_t)pos);
	if ((r = hubdb_exec_stmt(db, st, e, "сохранение школы")) == 0 &&
	    hsql_changes(db->db) > 0)
		r = hubdb_feed_take(db, pos, e);
 out:
	return hubdb_feed_own_end(db, own, r, e);
}

int
hubdb_device_rebind(struct hubdb *db, const struct hubdb_device *d, struct terr *e)
{
	static const char sql[] =
	    "UPDATE devices SET kind = ?2, label = ?3, schools = ?4"
	    " WHERE id = ?1 AND watermark = 0 AND revoked_at IS NULL"
	    " AND NOT EXISTS(SELECT 1 FROM changesets WHERE device_id = ?1)"
	    " AND NOT EXISTS(SELECT 1 FROM quarantine WHERE device_id = ?1)";
	struct hsql_stmt *st = NULL;
	int rc;

	if (hsql_prepare(db->db, sql, 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "перерегистрация устройства");
	hsql_bind_text(st, 1, d->id, -1);
	hsql_bind_text(st, 2, d->kind, -1);
	hsql_bind_text(st, 3, d->label, -1);
	hsql_bind_text(st, 4, d->schools, -1);
	rc = hsql_step(st);
	hsql_finalize(st);
	if (rc != HSQL_DONE)
		return hubdb_err(db, rc, e, "перерегистрация устройства");
	if (hsql_changes(db->db) != 1)
		return terr_set(e, TERR_ARG, "устройство %s уже присылало данные или отозвано: "
		    "перерегистрировать его нельзя", d->id);
	return 0;
}
