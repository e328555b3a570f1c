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

int
store_record_get(struct store *s, const uint8_t id[UUID7_BYTES],
    struct localdb_record **out, struct terr *e)
{
	return localdb_record_get(s->db, id, out, e);
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
store_record_put(struct store *s, const struct localdb_record *r, struct terr *e)
{
	return localdb_record_put(s->db, r, e);
}

void
store_record_free(struct localdb_record *r)
{
	localdb_record_free(r);
}

int
store_record_each(struct store *s, const char *form_id, const char *status,
    store_record_cb cb, void *arg, struct terr *e)
{
	return localdb_record_each(s->db, form_id, status, cb, arg, e);
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
	return localdb_hlc_next(s->db, out, e);
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
