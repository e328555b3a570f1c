/*
 * store — the client's view of the device database: records and their
 * record-level statements, the outbox append and HLC of a change, over the
 * shared schema, open, meta and outbox of localdb.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/keys.h"
#include "tetrad/localdb.h"

#include "client/store.h"

struct store {
	struct localdb *db;
};

int
store_sqlerr(struct store *s, int rc, const char *what, struct terr *e)
{
	return localdb_sqlerr(s ? s->db : NULL, rc, what, e);
}

int
store_migrate(sqlite3 *db, const char *path, struct terr *e)
{
	return localdb_migrate(db, path, e);
}

int
store_open(const char *path, bool create, struct store **out, struct terr *e)
{
	struct store *s = NULL;
	int r;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	if ((r = localdb_open(path, create ? LOCALDB_CREATE : 0, &s->db, e)) != 0) {
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	localdb_close(s->db);
	free(s);
}

sqlite3 *
store_db(struct store *s)
{
	return localdb_sqlite(s->db);
}

struct localdb *
store_localdb(struct store *s)
{
	return s->db;
}

const char *
store_path(const struct store *s)
{
	return localdb_file(s->db);
}

int
store_limit_pages(struct store *s, long n, struct terr *e)
{
	return localdb_limit_pages(s->db, n, e);
}

int
store_begin(struct store *s, struct terr *e)
{
	return localdb_begin(s->db, e);
}

int
store_commit(struct store *s, struct terr *e)
{
	return localdb_commit(s->db, e);
}

void
store_rollback(struct store *s)
{
	localdb_rollback(s->db);
}

int
store_meta_get(struct store *s, const char *key, char **out, struct terr *e)
{
	return localdb_meta_get(s->db, key, out, e);
}

int
store_meta_set(struct store *s, const char *key, const char *value,
    struct terr *e)
{
	return localdb_meta_set(s->db, key, value, e);
}

static void
store_copy(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src ? (const char *)src : "");
}

static int
store_row(sqlite3_stmt *st, struct store_record **out)
{
	struct store_record *r = calloc(1, sizeof(*r));
	const void *id = sqlite3_column_blob(st, 0);
	const unsigned char *data;

	if (r == NULL)
		return TERR_NOMEM;
	if (id && sqlite3_column_bytes(st, 0) == UUID7_BYTES)
		memcpy(r->id, id, UUID7_BYTES);
	store_copy(r->form_id, sizeof(r->form_id), sqlite3_column_text(st, 1));
	r->form_version = (uint32_t)sqlite3_column_int64(st, 2);
	store_copy(r->school, sizeof(r->school), sqlite3_column_text(st, 3));
	store_copy(r->status, sizeof(r->status), sqlite3_column_text(st, 4));
	store_copy(r->created_hlc, sizeof(r->created_hlc), sqlite3_column_text(st, 5));
	store_copy(r->updated_hlc, sizeof(r->updated_hlc), sqlite3_column_text(st, 6));
	data = sqlite3_column_text(st, 7);
	if ((r->data = strdup(data ? (const char *)data : "{}")) == NULL) {
		free(r);
		return TERR_NOMEM;
	}
	*out = r;
	return 0;
}

#define STORE_RECORD_COLS "id,form_id,form_version,school,status,created_hlc," \
	"updated_hlc,data"

int
store_record_get(struct store *s, const uint8_t id[UUID7_BYTES],
    struct store_record **out, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	*out = NULL;
	if ((rc = localdb_prepare(s->db, "SELECT " STORE_RECORD_COLS
	    " FROM records WHERE id=?", &st)) != SQLITE_OK) {
		r = store_sqlerr(s, rc, "прочитать запись", e);
		goto out;
	}
	sqlite3_bind_blob(st, 1, id, UUID7_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		char text[UUID7_STRLEN + 1];

		uuid7_format(id, text);
		r = terr_set(e, STORE_NOTFOUND, "Запись %s не найдена.", text);
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = store_sqlerr(s, rc, "прочитать запись", e);
		goto out;
	}
	if ((r = store_row(st, out)) != 0)
		terr_set(e, r, "Недостаточно памяти.");
 out:
	localdb_done(s->db, st);
	return r;
}

int
store_record_resolve(struct store *s, const char *text,
    uint8_t id[UUID7_BYTES], struct terr *e)
{
	char hex[33];
	size_t n = 0;
	sqlite3_stmt *st = NULL;
	int r, rc, found = 0;

	if (uuid7_parse(text, id) == 0)
		return 0;
	for (const char *p = text; *p; p++) {
		if (*p == '-')
			continue;
		if (!isxdigit((unsigned char)*p) || n >= 32)
			return terr_set(e, TERR_ARG, "«%s» не похоже на номер записи "
			    "(ожидается UUID, например 0193a1b2-…).", text);
		hex[n++] = (char)tolower((unsigned char)*p);
	}
	hex[n] = '\0';
	if (n < 8)
		return terr_set(e, TERR_ARG, "Номер записи «%s» слишком короткий: "
		    "укажите не меньше 8 знаков.", text);
	if ((rc = sqlite3_prepare_v2(localdb_sqlite(s->db), "SELECT id FROM records WHERE "
	    "lower(hex(id)) >= ?1 AND lower(hex(id)) < ?1 || 'g' LIMIT 2",
	    -1, &st, NULL)) != SQLITE_OK) {
		r = store_sqlerr(s, rc, "найти запись", e);
		goto out;
	}
	sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) == UUID7_BYTES)
			memcpy(id, sqlite3_column_blob(st, 0), UUID7_BYTES);
		found++;
	}
	if (rc != SQLITE_DONE) {
		r = store_sqlerr(s, rc, "найти запись", e);
		goto out;
	}
	if (found == 0)
		r = terr_set(e, STORE_NOTFOUND, "Запись «%s» не найдена.", text);
	else if (found > 1)
		r = terr_set(e, TERR_ARG, "Номер «%s» подходит к нескольким записям: "
		    "укажите его полностью.", text);
	else
		r = 0;
 out:
	sqlite3_finalize(st);
	return r;
}

int
store_record_put(struct store *s, const struct store_record *r, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = localdb_prepare(s->db, "INSERT OR REPLACE INTO records("
	    STORE_RECORD_COLS ") VALUES(?,?,?,?,?,?,?,?)", &st);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, r->id, UUID7_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->form_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, r->form_version);
		sqlite3_bind_text(st, 4, r->school, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->created_hlc, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, r->updated_hlc, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, r->data, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	localdb_done(s->db, st);
	if (rc != SQLITE_DONE)
		return store_sqlerr(s, rc, "сохранить запись", e);
	return 0;
}

void
store_record_free(struct store_record *r)
{
	if (r == NULL)
		return;
	free(r->data);
	free(r);
}

int
store_record_each(struct store *s, const char *form_id, const char *status,
    store_record_cb cb, void *arg, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	struct store_record *rec = NULL;
	int r, rc;

	if ((rc = sqlite3_prepare_v2(localdb_sqlite(s->db), "SELECT " STORE_RECORD_COLS
	    " FROM records WHERE (?1 IS NULL OR form_id=?1) AND"
	    " (?2 IS NULL OR status=?2) ORDER BY id", -1, &st, NULL)) != SQLITE_OK) {
		r = store_sqlerr(s, rc, "прочитать записи", e);
		goto out;
	}
	if (form_id)
		sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
	if (status)
		sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = store_row(st, &rec)) != 0) {
			terr_set(e, r, "Недостаточно памяти.");
			goto out;
		}
		r = cb(rec, arg);
		store_record_free(rec);
		rec = NULL;
		if (r != 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		r = store_sqlerr(s, rc, "прочитать записи", e);
		goto out;
	}
	r = 0;
 out:
	sqlite3_finalize(st);
	return r;
}

int
store_outbox_append(struct store *s, const uint8_t id[UUID7_BYTES],
    const char *op, const char *form_id, uint32_t form_version,
    const char *school, const char *hlc, const char *fields, int64_t *seq,
    struct terr *e)
{
	const struct localdb_entry en = {
		.record_id = id, .record_id_len = UUID7_BYTES, .op = op,
		.form_id = form_id, .form_version = form_version, .school = school,
		.hlc = hlc, .fields = fields,
	};

	return localdb_outbox_append(s->db, &en, seq, e);
}

int
store_hlc_next(struct store *s, char out[HLC_STRLEN + 1], struct terr *e)
{
	char *dev = NULL, *last_text = NULL;
	uint8_t node_id[KEYS_ID_BYTES];
	struct hlc_ts last, now;
	struct hlc *c = NULL;
	int r;

	if ((r = store_meta_get(s, "device_id", &dev, e)) != 0)
		goto out;
	if (dev == NULL || keys_unhex(dev, node_id, sizeof(node_id)) != 0) {
		r = terr_set(e, TERR_ARG, "В базе нет идентификатора устройства: "
		    "выполните «tetrad init».");
		goto out;
	}
	if ((r = store_meta_get(s, "hlc_last", &last_text, e)) != 0)
		goto out;
	if (last_text && hlc_decode(last_text, &last) != 0) {
		r = terr_set(e, TERR_CLOCK, "Повреждена метка времени hlc_last в "
		    "базе: «%s».", last_text);
		goto out;
	}
	if ((c = hlc_new(keys_id_u64(node_id), last_text ? &last : NULL)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	if ((r = hlc_now(c, hlc_wall_now(), &now)) != 0) {
		terr_set(e, r, "Часы устройства исчерпаны: метка времени не может "
		    "быть выдана.");
		goto out;
	}
	hlc_encode(&now, out);
	r = store_meta_set(s, "hlc_last", out, e);
 out:
	hlc_free(c);
	free(dev);
	free(last_text);
	return r;
}

int
store_counts(struct store *s, struct store_counts *c, struct terr *e)
{
	struct localdb_counts n;
	int r;

	memset(c, 0, sizeof(*c));
	if ((r = localdb_counts(s->db, true, &n, e)) != 0)
		return r;
	c->pending = n.pending;
	c->sent = n.sent;
	c->acked = n.acked;
	c->quarantined = n.quarantined;
	c->drafts = n.drafts;
	c->finals = n.finals;
	c->deleted = n.deleted;
	return 0;
}
