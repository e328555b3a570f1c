/*
 * hubdb_records — the SQLite store's change sets, quarantine, records,
 * conflicts and published forms (see hubdb.h; the listings are hubdb_list.c).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hubdb_impl.h"
#include "hub/survey_facts.h"

static const char *const hubdb_records_sql[ST_COUNT] = {
	[ST_SET_GET] = "SELECT set_hash, http_status, ack FROM changesets "
	    "WHERE device_id = ?1 AND first_seq = ?2 AND last_seq = ?3",
	[ST_SET_PUT] = "INSERT INTO changesets(device_id, first_seq, last_seq, set_hash, "
	    "status, http_status, envelope, ack, received_at) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
	[ST_QUAR_ADD] = "INSERT INTO quarantine(device_id, first_seq, last_seq, kind, "
	    "reason, envelope, received_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[ST_REC_GET] = "SELECT form_id, form_version, school, device_id, hlc, deleted, data, "
	    "clocks FROM hub_records WHERE id = ?1",
	[ST_REC_PUT] = "INSERT INTO hub_records(id, form_id, form_version, school, "
	    "device_id, hlc, deleted, data, received_at, clocks, feed_pos) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT(id) DO UPDATE SET "
	    "form_id = excluded.form_id, form_version = excluded.form_version, "
	    "school = excluded.school, device_id = excluded.device_id, "
	    "hlc = excluded.hlc, deleted = excluded.deleted, data = excluded.data, "
	    "clocks = excluded.clocks, feed_pos = excluded.feed_pos",
	[ST_REC_ADD] = "INSERT INTO hub_records(id, form_id, form_version, school, "
	    "device_id, hlc, deleted, data, received_at, clocks, feed_pos) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT(id) DO NOTHING",
	[ST_CONFLICT_ADD] = "INSERT INTO conflicts(record_id, form_id, school, field, "
	    "loser_value, loser_hlc, loser_device, winner_value, winner_hlc, "
	    "winner_device, logged_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	/* a version is published once: two publications of one version at
	 * once (two administrators' pages) meet here, and the second fails */
	[ST_FORM_PUT] = "INSERT INTO hub_forms(id, version, sha256, bundle, "
	    "published_at) VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(id, version) DO NOTHING",
	[ST_FORM_GET] = "SELECT bundle FROM hub_forms WHERE id = ?1 AND version = ?2",
};

/* The cached statement of slot s (its SQL above). */
static struct hsql_stmt *
hubdb_records_stmt(struct hubdb *db, enum hubdb_stmt s, struct terr *e)
{
	return hubdb_stmt(db, s, hubdb_records_sql[s], e);
}

int
hubdb_set_get(struct hubdb *db, const char *device, uint64_t first,
    uint64_t last, bool *found, uint8_t hash[CHANGESET_HASH_BYTES],
    int *http_status, struct tbuf *ack, struct terr *e)
{
	struct hsql_stmt *st = hubdb_records_stmt(db, ST_SET_GET, e);
	int rc, r = 0;

	*found = false;
	if (st == NULL)
		return TERR_IO;
	hsql_bind_text(st, 1, device, -1);
	hsql_bind_int64(st, 2, (int64_t)first);
	hsql_bind_int64(st, 3, (int64_t)last);
	rc = hsql_step(st);
	if (rc == HSQL_ROW) {
		*found = true;
		if (hsql_column_bytes(st, 0) == CHANGESET_HASH_BYTES)
			memcpy(hash, hsql_column_blob(st, 0), CHANGESET_HASH_BYTES);
		*http_status = hsql_column_int(st, 1);
		if (ack != NULL && tbuf_put(ack, hsql_column_blob(st, 2),
		    (size_t)hsql_column_bytes(st, 2)) != 0)
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
	} else if (rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение набора изменений");
	hubdb_done(st);
	return r;
}

int
hubdb_set_put(struct hubdb *db, const char *device, uint64_t first,
    uint64_t last, const uint8_t hash[CHANGESET_HASH_BYTES], const char *status,
    int http_status, const uint8_t *envelope, size_t envelope_len,
    const uint8_t *ack, size_t ack_len, struct terr *e)
{
	struct hsql_stmt *st = hubdb_records_stmt(db, ST_SET_PUT, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	hsql_bind_text(st, 1, device, -1);
	hsql_bind_int64(st, 2, (int64_t)first);
	hsql_bind_int64(st, 3, (int64_t)last);
	hsql_bind_blob(st, 4, hash, CHANGESET_HASH_BYTES);
	hsql_bind_text(st, 5, status, -1);
	hsql_bind_int(st, 6, http_status);
	hsql_bind_blob(st, 7, envelope, envelope_len);
	hsql_bind_blob(st, 8, ack, ack_len);
	hsql_bind_text(st, 9, now, -1);
	return hubdb_exec_stmt(db, st, e, "сохранение набора изменений");
}

/*
 * Whether the device's quarantine has room for need more bytes. Quarantine
 * writes are rare (refused sets only): the statements are not cached.
 */
static int
hubdb_quarantine_room(struct hubdb *db, const char *device, size_t need, bool *room,
    struct terr *e)
{
	struct hsql_stmt *st = NULL;
	int rc, r = 0;

	*room = false;
	if (hsql_prepare(db->db, "SELECT count(*), coalesce(sum(length(envelope) + "
	    "length(reason)), 0) FROM quarantine WHERE device_id = ?1", 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение карантина");
	hsql_bind_text(st, 1, device, -1);
	if ((rc = hsql_step(st)) == HSQL_ROW)
		*room = hsql_column_int64(st, 0) < HUBDB_QUARANTINE_MAX_ENTRIES &&
		    (uint64_t)hsql_column_int64(st, 1) + need <= HUBDB_QUARANTINE_MAX_BYTES;
	else
		r = hubdb_err(db, rc, e, "чтение карантина");
	hsql_finalize(st);
	return r;
}

static int
hubdb_quarantine_drop(struct hubdb *db, const char *device, struct terr *e)
{
	struct hsql_stmt *st = NULL;
	char now[HUBDB_TIME_MAX];
	int rc, r;

	/* quarantine_dropped.dropped: PostgreSQL finds a bare column ambiguous */
	if (hsql_prepare(db->db, "INSERT INTO quarantine_dropped(device_id, dropped, "
	    "last_at) VALUES(?1, 1, ?2) ON CONFLICT(device_id) DO UPDATE SET "
	    "dropped = quarantine_dropped.dropped + 1, last_at = excluded.last_at", 0,
	    &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "учёт карантина");
	hubdb_now_iso(now);
	hsql_bind_text(st, 1, device, -1);
	hsql_bind_text_copy(st, 2, now, -1);
	rc = hsql_step(st);
	r = rc == HSQL_DONE ? 0 : hubdb_err(db, rc, e, "учёт карантина");
	hsql_finalize(st);
	return r;
}

int
hubdb_quarantine_add(struct hubdb *db, const char *device, uint64_t first,
    uint64_t last, const char *kind, const char *reason, const uint8_t *envelope,
    size_t envelope_len, bool *kept, struct terr *e)
{
	struct hsql_stmt *st;
	char now[HUBDB_TIME_MAX];
	bool room;
	int r;

	if (kept != NULL)
		*kept = false;
	if ((r = hubdb_quarantine_room(db, device, (envelope ? envelope_len : 0) +
	    strlen(reason), &room, e)) != 0)
		return r;
	if (!room)
		return hubdb_quarantine_drop(db, device, e);
	if ((st = hubdb_records_stmt(db, ST_QUAR_ADD, e)) == NULL)
		return TERR_IO;
	if (kept != NULL)
		*kept = true;
	hubdb_now_iso(now);
	hsql_bind_text(st, 1, device, -1);
	hsql_bind_int64(st, 2, (int64_t)first);
	hsql_bind_int64(st, 3, (int64_t)last);
	hsql_bind_text(st, 4, kind, -1);
	hsql_bind_text(st, 5, reason, -1);
	if (envelope != NULL)
		hsql_bind_blob(st, 6, envelope, envelope_len);
	hsql_bind_text(st, 7, now, -1);
	return hubdb_exec_stmt(db, st, e, "запись в карантин");
}

void
hubdb_record_clear(struct hubdb_record *r)
{
	if (r == NULL)
		return;
	free(r->data);
	free(r->clocks);
	memset(r, 0, sizeof(*r));
}

static char *
hubdb_column_dup(struct hsql_stmt *st, int col)
{
	const unsigned char *t = hsql_column_text(st, col);

	return strdup(t ? (const char *)t : "");
}

int
hubdb_record_get(struct hubdb *db, const uint8_t id[16], struct hubdb_record *r,
    bool *found, struct terr *e)
{
	struct hsql_stmt *st = hubdb_records_stmt(db, ST_REC_GET, e);
	int rc, ret = 0;

	*found = false;
	memset(r, 0, sizeof(*r));
	if (st == NULL)
		return TERR_IO;
	hsql_bind_blob(st, 1, id, 16);
	rc = hsql_step(st);
	if (rc == HSQL_ROW) {
		*found = true;
		memcpy(r->id, id, 16);
		hubdb_copy_text(r->form_id, sizeof(r->form_id), st, 0);
		r->form_version = (uint32_t)hsql_column_int64(st, 1);
		hubdb_copy_text(r->school, sizeof(r->school), st, 2);
		hubdb_copy_text(r->device_id, sizeof(r->device_id), st, 3);
		hubdb_copy_text(r->hlc, sizeof(r->hlc), st, 4);
		r->deleted = hsql_column_int(st, 5) != 0;
		r->data = hubdb_column_dup(st, 6);
		r->clocks = hubdb_column_dup(st, 7);
		if (r->data == NULL || r->clocks == NULL) {
			hubdb_record_clear(r);
			*found = false;
			ret = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		}
	} else if (rc != HSQL_DONE)
		ret = hubdb_err(db, rc, e, "чтение записи");
	hubdb_done(st);
	return ret;
}

/*
 * Writes the record at the next feed position (hubdb.h, "The feed"),
 * which it takes only if a row was written (*written); a record of a form
 * nobody shares is written without one, as before the feed.
 */
static int
hubdb_record_write(struct hubdb *db, enum hubdb_stmt which, const struct hubdb_record *r,
    const char *received_at, bool *written, struct terr *e)
{
	struct hsql_stmt *st = hubdb_records_stmt(db, which, e);
	char now[HUBDB_TIME_MAX];
	uint64_t pos = 0;
	bool own = false, fed = hubdb_feed_form_shared(db, r->form_id);
	int ret;

	*written = false;
	if (st == NULL)
		return TERR_IO;
	if (fed && (ret = hubdb_feed_own_begin(db, &own, e)) != 0)
		return ret;
	if (fed && (ret = hubdb_feed_next(db, &pos, e)) != 0)
		return hubdb_feed_own_end(db, own, ret, e);
	if (received_at == NULL)
		hubdb_now_cached(db, now);
	else
		hubdb_copy(now, sizeof(now), received_at);
	hsql_bind_blob(st, 1, r->id, 16);
	hsql_bind_text(st, 2, r->form_id, -1);
	hsql_bind_int64(st, 3, r->form_version);
	hsql_bind_text(st, 4, r->school, -1);
	hsql_bind_text(st, 5, r->device_id, -1);
	hsql_bind_text(st, 6, r->hlc, -1);
	hsql_bind_int(st, 7, r->deleted ? 1 : 0);
	hsql_bind_text(st, 8, r->data ? r->data : "{}", -1);
	hsql_bind_text(st, 9, now, -1);
	hsql_bind_text(st, 10, r->clocks ? r->clocks : "{}", -1);
	if (fed)
		hsql_bind_int64(st, 11, (int64_t)pos);
	else
		hsql_bind_null(st, 11);
	if ((ret = hubdb_exec_stmt(db, st, e, "сохранение записи")) == 0 &&
	    hsql_changes(db->db) > 0) {
		*written = true;
		if (fed)
			ret = hubdb_feed_take(db, pos, e);
	}
	return hubdb_feed_own_end(db, own, ret, e);
}

int
hubdb_record_put(struct hubdb *db, const struct hubdb_record *r, struct terr *e)
{
	bool written;

	return hubdb_record_write(db, ST_REC_PUT, r, NULL, &written, e);
}

int
hubdb_record_add(struct hubdb *db, const struct hubdb_record *r, bool *added, struct terr *e)
{
	int ret = hubdb_record_write(db, ST_REC_ADD, r, NULL, added, e);

	if (ret != 0)
		*added = false;
	return ret;
}

/*
 * The counters the hub keeps as records arrive move with the record, in one
 * savepoint (its own transaction when called outside one). Which counters a
 * record moves is the hub's knowledge of forms (survey_facts.c): the store
 * hands it the record before and after.
 */
int
hubdb_record_import(struct hubdb *db, const struct hubdb_record *r,
    const char *received_at, struct terr *e)
{
	struct hubdb_record old;
	bool found = false, written, own;
	int ret;

	memset(&old, 0, sizeof(old));
	/* tally adds that wait for a commit (hubdb_tally.c) are the savepoint's
	 * own: none before it, all written before it is released */
	if ((ret = hubdb_tally_flush(db, e)) != 0)
		return ret;
	/* outside a transaction: one that holds the write lock from its start,
	 * as the feed counter is read before the first write (hubdb_feed.c) */
	if ((ret = hubdb_feed_own_begin(db, &own, e)) != 0)
		return ret;
	if (hsql_exec(db->db, "SAVEPOINT record_import") != HSQL_OK)
		return hubdb_feed_own_end(db, own, hubdb_err(db, HSQL_ERROR, e,
		    "сохранение записи"), e);
	/* the reports list schools from the register alone, as ingest fills it */
	ret = r->school[0] != '\0' ? hubdb_school_put(db, r->school, NULL, e) : 0;
	if (ret == 0 && (ret = hubdb_record_get(db, r->id, &old, &found, e)) == 0 &&
	    (ret = hubdb_record_write(db, ST_REC_PUT, r, received_at, &written, e)) == 0 &&
	    (ret = survey_facts_update(db, found ? &old : NULL, r, NULL, e)) == 0)
		ret = hubdb_tally_flush(db, e);
	if (ret != 0) {
		hubdb_tally_discard(db);
		hsql_exec(db->db, "ROLLBACK TO record_import");
	}
	if (hsql_exec(db->db, "RELEASE record_import") != HSQL_OK &&
	    ret == 0)
		ret = hubdb_err(db, HSQL_ERROR, e, "сохранение записи");
	hubdb_record_clear(&old);
	return hubdb_feed_own_end(db, own, ret, e);
}

int
hubdb_conflict_add(struct hubdb *db, const struct hubdb_conflict *c, struct terr *e)
{
	struct hsql_stmt *st = hubdb_records_stmt(db, ST_CONFLICT_ADD, e);
	char now[HUBDB_TIME_MAX];

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	hsql_bind_blob(st, 1, c->record_id, 16);
	hsql_bind_text(st, 2, c->form_id, -1);
	hsql_bind_text(st, 3, c->school, -1);
	hsql_bind_text(st, 4, c->field, -1);
	hsql_bind_text(st, 5, c->loser_value, -1);
	hsql_bind_text(st, 6, c->loser_hlc, -1);
	hsql_bind_text(st, 7, c->loser_device, -1);
	hsql_bind_text(st, 8, c->winner_value, -1);
	hsql_bind_text(st, 9, c->winner_hlc, -1);
	hsql_bind_text(st, 10, c->winner_device, -1);
	hsql_bind_text(st, 11, now, -1);
	return hubdb_exec_stmt(db, st, e, "запись конфликта");
}

int
hubdb_form_put(struct hubdb *db, const char *id, uint32_t version,
    const char *sha256_hex, const uint8_t *bundle, size_t len, struct terr *e)
{
	struct hsql_stmt *st = hubdb_records_stmt(db, ST_FORM_PUT, e);
	char now[HUBDB_TIME_MAX];
	int r;

	if (st == NULL)
		return TERR_IO;
	hubdb_now_iso(now);
	hsql_bind_text(st, 1, id, -1);
	hsql_bind_int64(st, 2, version);
	hsql_bind_text(st, 3, sha256_hex, -1);
	hsql_bind_blob(st, 4, bundle, len);
	hsql_bind_text(st, 5, now, -1);
	if ((r = hubdb_exec_stmt(db, st, e, "публикация формы")) == 0 &&
	    hsql_changes(db->db) == 0)
		r = terr_set(e, TERR_FORM, "форма «%s» версии %" PRIu32 " уже опубликована: "
		    "увеличьте version в файле", id, version);
	return r;
}

int
hubdb_form_get(struct hubdb *db, const char *id, uint32_t version,
    struct tbuf *bundle, bool *found, struct terr *e)
{
	struct hsql_stmt *st = hubdb_records_stmt(db, ST_FORM_GET, e);
	int rc, r = 0;

	*found = false;
	if (st == NULL)
		return TERR_IO;
	hsql_bind_text(st, 1, id, -1);
	hsql_bind_int64(st, 2, version);
	rc = hsql_step(st);
	if (rc == HSQL_ROW) {
		*found = true;
		if (tbuf_put(bundle, hsql_column_blob(st, 0),
		    (size_t)hsql_column_bytes(st, 0)) != 0)
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
	} else if (rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение формы");
	hubdb_done(st);
	return r;
}
