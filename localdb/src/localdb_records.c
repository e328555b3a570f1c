/*
 * localdb_records — the statements on records, shared by the client (which
 * makes and edits them) and syncd (which applies what the hub sends back),
 * and a record's clock document, stored or implicit (schema < 7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "localdb_int.h"

#define LOCALDB_RECORD_COLS "id,form_id,form_version,school,status,created_hlc," \
	"updated_hlc,data,clocks,sealed"

static const char localdb_sql_record_get[] = "SELECT " LOCALDB_RECORD_COLS
    " FROM records WHERE id=?";
static const char localdb_sql_record_put[] = "INSERT OR REPLACE INTO records("
    LOCALDB_RECORD_COLS ") VALUES(?,?,?,?,?,?,?,?,?,?)";

static void
localdb_copy(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src ? (const char *)src : "");
}

/* A row of LOCALDB_RECORD_COLS as a malloc'd record; TERR_NOMEM. */
static int
localdb_record_row(sqlite3_stmt *st, struct localdb_record **out)
{
	struct localdb_record *r = calloc(1, sizeof(*r));
	const void *id = sqlite3_column_blob(st, 0);
	const unsigned char *data = sqlite3_column_text(st, 7);
	const unsigned char *clocks = sqlite3_column_text(st, 8);
	const void *sealed = sqlite3_column_blob(st, 9);
	size_t sealed_len = (size_t)sqlite3_column_bytes(st, 9);

	*out = NULL;
	if (r == NULL)
		return TERR_NOMEM;
	if (id && sqlite3_column_bytes(st, 0) == LOCALDB_ID_BYTES)
		memcpy(r->id, id, LOCALDB_ID_BYTES);
	localdb_copy(r->form_id, sizeof(r->form_id), sqlite3_column_text(st, 1));
	r->form_version = (uint32_t)sqlite3_column_int64(st, 2);
	localdb_copy(r->school, sizeof(r->school), sqlite3_column_text(st, 3));
	localdb_copy(r->status, sizeof(r->status), sqlite3_column_text(st, 4));
	localdb_copy(r->created_hlc, sizeof(r->created_hlc), sqlite3_column_text(st, 5));
	localdb_copy(r->updated_hlc, sizeof(r->updated_hlc), sqlite3_column_text(st, 6));
	if ((r->data = strdup(data ? (const char *)data : "{}")) == NULL ||
	    (clocks != NULL && (r->clocks = strdup((const char *)clocks)) == NULL) ||
	    (sealed != NULL && sealed_len > 0 && (r->sealed = malloc(sealed_len)) == NULL)) {
		localdb_record_free(r);
		return TERR_NOMEM;
	}
	if (r->sealed != NULL) {
		memcpy(r->sealed, sealed, sealed_len);
		r->sealed_len = sealed_len;
	}
	*out = r;
	return 0;
}

/* The id as people see it (uuid7 text form, 8-4-4-4-12). */
static void
localdb_id_text(const uint8_t id[LOCALDB_ID_BYTES], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < LOCALDB_ID_BYTES; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[id[i] >> 4];
		out[o++] = hex[id[i] & 15];
	}
	out[o] = '\0';
}

int
localdb_record_find(struct localdb *db, const uint8_t id[LOCALDB_ID_BYTES],
    struct localdb_record **out, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	*out = NULL;
	if ((rc = localdb_prepare(db, localdb_sql_record_get, &st)) != SQLITE_OK) {
		r = localdb_sqlerr(db, rc, "прочитать запись", e);
		goto out;
	}
	sqlite3_bind_blob(st, 1, id, LOCALDB_ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		r = 0;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = localdb_sqlerr(db, rc, "прочитать запись", e);
		goto out;
	}
	if ((r = localdb_record_row(st, out)) != 0) {
		terr_set(e, r, "Недостаточно памяти.");
		goto out;
	}
	r = 1;
 out:
	localdb_done(db, st);
	return r;
}

int
localdb_record_get(struct localdb *db, const uint8_t id[LOCALDB_ID_BYTES],
    struct localdb_record **out, struct terr *e)
{
	char text[37];
	int r = localdb_record_find(db, id, out, e);

	if (r < 0)
		return r;
	if (r == 0) {
		localdb_id_text(id, text);
		return terr_set(e, LOCALDB_NOTFOUND, "Запись %s не найдена.", text);
	}
	return 0;
}

int
localdb_record_put(struct localdb *db, const struct localdb_record *r,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = localdb_prepare(db, localdb_sql_record_put, &st)) == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, r->id, LOCALDB_ID_BYTES, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->form_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, r->form_version);
		sqlite3_bind_text(st, 4, r->school, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->created_hlc, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, r->updated_hlc, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, r->data ? r->data : "{}", -1, SQLITE_STATIC);
		if (r->clocks)
			sqlite3_bind_text(st, 9, r->clocks, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 9);
		if (r->sealed && r->sealed_len > 0)
			sqlite3_bind_blob(st, 10, r->sealed, (int)r->sealed_len, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 10);
		rc = sqlite3_step(st);
	}
	localdb_done(db, st);
	if (rc != SQLITE_DONE)
		return localdb_sqlerr(db, rc, "сохранить запись", e);
	return 0;
}

void
localdb_record_free(struct localdb_record *r)
{
	if (r == NULL)
		return;
	free(r->data);
	free(r->clocks);
	free(r->sealed);
	free(r);
}

int
localdb_record_each(struct localdb *db, const char *form_id, const char *status,
    localdb_record_cb cb, void *arg, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	struct localdb_record *rec = NULL;
	int r, rc;

	/* not cached: a walk holds its statement across the callbacks, which
	 * may read records themselves */
	if ((rc = sqlite3_prepare_v2(db->db, "SELECT " LOCALDB_RECORD_COLS
	    " FROM records WHERE (?1 IS NULL OR form_id=?1) AND"
	    " (?2 IS NULL OR status=?2) ORDER BY id", -1, &st, NULL)) != SQLITE_OK) {
		r = localdb_sqlerr(db, rc, "прочитать записи", e);
		goto out;
	}
	if (form_id)
		sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
	if (status)
		sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = localdb_record_row(st, &rec)) != 0) {
			terr_set(e, r, "Недостаточно памяти.");
			goto out;
		}
		r = cb(rec, arg);
		localdb_record_free(rec);
		rec = NULL;
		if (r != 0)
			goto out;
	}
	if (rc != SQLITE_DONE) {
		r = localdb_sqlerr(db, rc, "прочитать записи", e);
		goto out;
	}
	r = 0;
 out:
	sqlite3_finalize(st);
	return r;
}

int
localdb_record_sealed_any(struct localdb *db, bool *any, struct terr *e)
{
	static const char sql[] = "SELECT 1 FROM records WHERE sealed IS NOT NULL LIMIT 1";
	sqlite3_stmt *st = NULL;
	int rc;

	*any = false;
	if ((rc = localdb_prepare(db, sql, &st)) == SQLITE_OK &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*any = true;
		rc = SQLITE_DONE;
	}
	localdb_done(db, st);
	return rc == SQLITE_DONE ? 0 : localdb_sqlerr(db, rc, "прочитать записи", e);
}

int
localdb_record_clocks(struct localdb *db, const struct localdb_record *r,
    char **out, struct terr *e)
{
	char dev[LOCALDB_DEVICE_HEX + 1];
	size_t n = 2 * LOCALDB_HLC_LEN + 2 * LOCALDB_DEVICE_HEX + 40;
	int rv;

	*out = NULL;
	if (r->clocks != NULL) {
		if ((*out = strdup(r->clocks)) == NULL)
			return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		return 0;
	}
	if ((rv = localdb_device_id(db, dev, e)) != 0)
		return rv;
	if ((*out = malloc(n)) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	snprintf(*out, n, "{\"p\":[\"%s\",\"%s\"],\"x\":[\"%s\",\"%s\",%d]}",
	    r->updated_hlc, dev, r->updated_hlc, dev,
	    strcmp(r->status, "deleted") == 0 ? 1 : 0);
	return 0;
}
