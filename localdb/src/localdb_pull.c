/*
 * localdb_pull — what two-way sync keeps on the device besides records:
 * the device's clock (issued and observed HLCs), the conflict log, the
 * pull cursor and the school register the hub sent (localdb.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/hlc.h"
#include "tetrad/keys.h"

#include "localdb_int.h"

int
localdb_device_id(struct localdb *db, char out[LOCALDB_DEVICE_HEX + 1],
    struct terr *e)
{
	uint8_t id[KEYS_ID_BYTES];
	int r = localdb_meta_copy(db, "device_id", out, LOCALDB_DEVICE_HEX + 1, e);

	if (r == TERR_TOO_LARGE || r == 0 || (r == 1 && (strlen(out) != LOCALDB_DEVICE_HEX ||
	    keys_unhex(out, id, sizeof(id)) != 0)))
		return terr_set(e, TERR_ARG, "В базе нет идентификатора устройства: "
		    "выполните «tetrad init».");
	return r < 0 ? r : 0;
}

/* The device's clock from meta (device_id, hlc_last): *c malloc'd. */
static int
localdb_clock(struct localdb *db, struct hlc **c, struct terr *e)
{
	char dev[LOCALDB_DEVICE_HEX + 1], last_text[LOCALDB_HLC_LEN + 1];
	uint8_t node_id[KEYS_ID_BYTES];
	struct hlc_ts last;
	int r, found;

	*c = NULL;
	if ((r = localdb_device_id(db, dev, e)) != 0)
		return r;
	if (keys_unhex(dev, node_id, sizeof(node_id)) != 0)
		return terr_set(e, TERR_ARG, "В базе нет идентификатора устройства: "
		    "выполните «tetrad init».");
	found = localdb_meta_copy(db, "hlc_last", last_text, sizeof(last_text), e);
	if (found == TERR_TOO_LARGE || (found == 1 && hlc_decode(last_text, &last) != 0))
		return terr_set(e, TERR_CLOCK, "Повреждена метка времени hlc_last в "
		    "базе «%s».", db->path);
	if (found < 0)
		return found;
	if ((*c = hlc_new(keys_id_u64(node_id), found ? &last : NULL)) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	return 0;
}

int
localdb_hlc_next(struct localdb *db, char out[LOCALDB_HLC_LEN + 1], struct terr *e)
{
	struct hlc *c = NULL;
	struct hlc_ts now;
	int r;

	if ((r = localdb_clock(db, &c, e)) != 0)
		goto out;
	if ((r = hlc_now(c, hlc_wall_now(), &now)) != 0) {
		terr_set(e, r, "Часы устройства исчерпаны: метка времени не может "
		    "быть выдана.");
		goto out;
	}
	hlc_encode(&now, out);
	r = localdb_meta_set(db, "hlc_last", out, e);
 out:
	hlc_free(c);
	return r;
}

int
localdb_hlc_observe(struct localdb *db, const char *recv, struct terr *e)
{
	char last_text[LOCALDB_HLC_LEN + 1];
	struct hlc *c = NULL;
	struct hlc_ts seen, next;
	int r;

	if (recv == NULL || hlc_decode(recv, &seen) != 0)
		return terr_set(e, TERR_CLOCK, "Недопустимая метка времени «%.40s».",
		    recv ? recv : "");
	/* the text orders like the clock: most clocks of a pull are older */
	r = localdb_meta_copy(db, "hlc_last", last_text, sizeof(last_text), e);
	if (r < 0 && r != TERR_TOO_LARGE)
		return r;
	if (r == 1 && strcmp(recv, last_text) < 0)
		return 0;
	if ((r = localdb_clock(db, &c, e)) != 0)
		goto out;
	/* no limit ahead: the hub took it, and our own wall clock may be behind */
	if ((r = hlc_update(c, &seen, hlc_wall_now(), UINT64_MAX, &next, e)) != 0)
		goto out;
	hlc_encode(&next, last_text);
	r = localdb_meta_set(db, "hlc_last", last_text, e);
 out:
	hlc_free(c);
	return r;
}

/* ---- conflicts ---- */

static const char localdb_sql_conflict_add[] = "INSERT INTO conflicts(record_id,"
    "form_id,school,field,mine,mine_hlc,theirs,theirs_hlc,theirs_device,at)"
    " VALUES(?,?,?,?,?,?,?,?,?,?)";

static void
localdb_bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int
localdb_conflict_add(struct localdb *db, const struct localdb_conflict *c,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc;

	localdb_now_iso(now);
	if ((rc = localdb_prepare(db, localdb_sql_conflict_add, &st)) == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, c->record_id, LOCALDB_ID_BYTES, SQLITE_STATIC);
		localdb_bind_opt(st, 2, c->form_id);
		localdb_bind_opt(st, 3, c->school);
		sqlite3_bind_text(st, 4, c->field ? c->field : "", -1, SQLITE_STATIC);
		localdb_bind_opt(st, 5, c->mine);
		localdb_bind_opt(st, 6, c->mine_hlc);
		localdb_bind_opt(st, 7, c->theirs);
		localdb_bind_opt(st, 8, c->theirs_hlc);
		localdb_bind_opt(st, 9, c->theirs_device);
		sqlite3_bind_text(st, 10, c->at ? c->at : now, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	localdb_done(db, st);
	if (rc != SQLITE_DONE)
		return localdb_sqlerr(db, rc, "записать конфликт", e);
	return 0;
}

int
localdb_conflict_each(struct localdb *db, localdb_conflict_cb cb, void *arg,
    struct terr *e)
{
	struct localdb_conflict c;
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	if ((rc = sqlite3_prepare_v2(db->db, "SELECT id,record_id,form_id,school,field,"
	    "mine,mine_hlc,theirs,theirs_hlc,theirs_device,at FROM conflicts ORDER BY id",
	    -1, &st, NULL)) != SQLITE_OK)
		return localdb_sqlerr(db, rc, "прочитать конфликты", e);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		c.id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == LOCALDB_ID_BYTES)
			memcpy(c.record_id, sqlite3_column_blob(st, 1), LOCALDB_ID_BYTES);
		c.form_id = (const char *)sqlite3_column_text(st, 2);
		c.school = (const char *)sqlite3_column_text(st, 3);
		c.field = (const char *)sqlite3_column_text(st, 4);
		c.mine = (const char *)sqlite3_column_text(st, 5);
		c.mine_hlc = (const char *)sqlite3_column_text(st, 6);
		c.theirs = (const char *)sqlite3_column_text(st, 7);
		c.theirs_hlc = (const char *)sqlite3_column_text(st, 8);
		c.theirs_device = (const char *)sqlite3_column_text(st, 9);
		c.at = (const char *)sqlite3_column_text(st, 10);
		if (c.field == NULL)
			c.field = "";
		if ((r = cb(&c, arg)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = localdb_sqlerr(db, rc, "прочитать конфликты", e);
	sqlite3_finalize(st);
	return r;
}

int
localdb_conflict_count(struct localdb *db, int64_t *n, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if ((rc = sqlite3_prepare_v2(db->db, "SELECT COUNT(*) FROM conflicts", -1, &st,
	    NULL)) == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return localdb_sqlerr(db, rc, "прочитать конфликты", e);
	return 0;
}

int
localdb_conflict_clear(struct localdb *db, int64_t upto_id, int64_t *n,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (n)
		*n = 0;
	if ((rc = sqlite3_prepare_v2(db->db, "DELETE FROM conflicts WHERE ?1 = 0 OR id <= ?1",
	    -1, &st, NULL)) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, upto_id);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_DONE && n)
		*n = sqlite3_changes64(db->db);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return localdb_sqlerr(db, rc, "очистить список конфликтов", e);
	return 0;
}

/* ---- pull cursor ---- */

int
localdb_pull_after(struct localdb *db, uint64_t *after, struct terr *e)
{
	char text[32], *end;
	unsigned long long v;
	int r = localdb_meta_copy(db, "pull_after", text, sizeof(text), e);

	*after = 0;
	if (r == 0)
		return 0;
	if (r == 1) {
		errno = 0;
		v = strtoull(text, &end, 10);
		if (text[0] >= '0' && text[0] <= '9' && *end == '\0' && errno == 0) {
			*after = (uint64_t)v;
			return 0;
		}
	}
	if (r < 0 && r != TERR_TOO_LARGE)
		return r;
	return terr_set(e, TERR_PARSE, "Повреждена отметка получения с хаба "
	    "(pull_after) в базе «%s».", db->path);
}

int
localdb_pull_after_set(struct localdb *db, uint64_t after, struct terr *e)
{
	char text[32];

	snprintf(text, sizeof(text), "%llu", (unsigned long long)after);
	return localdb_meta_set(db, "pull_after", text, e);
}

/* ---- school register ---- */

/* meta school_names as an object: a missing or damaged value is empty
 * (it is the hub's, and comes again with the next change of the register). */
static int
localdb_school_names(struct localdb *db, cJSON **out, struct terr *e)
{
	char *text = NULL;
	int r;

	*out = NULL;
	if ((r = localdb_meta_get(db, "school_names", &text, e)) != 0)
		return r;
	if (text != NULL)
		*out = cJSON_Parse(text);
	free(text);
	if (*out != NULL && !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	if (*out == NULL && (*out = cJSON_CreateObject()) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	return 0;
}

int
localdb_school_name(struct localdb *db, const char *code, char *out, size_t cap,
    struct terr *e)
{
	const cJSON *v;
	cJSON *names = NULL;
	int r;

	if (cap > 0)
		out[0] = '\0';
	if ((r = localdb_school_names(db, &names, e)) != 0)
		return r;
	v = cJSON_GetObjectItemCaseSensitive(names, code);
	if (cJSON_IsString(v) && *v->valuestring != '\0') {
		snprintf(out, cap, "%s", v->valuestring);
		r = 1;
	}
	cJSON_Delete(names);
	return r;
}

int
localdb_school_name_set(struct localdb *db, const char *code, const char *name,
    struct terr *e)
{
	cJSON *names = NULL, *v = NULL;
	char *text = NULL;
	int r;

	if ((r = localdb_school_names(db, &names, e)) != 0)
		goto out;
	cJSON_DeleteItemFromObjectCaseSensitive(names, code);
	if ((v = cJSON_CreateString(name)) == NULL || !cJSON_AddItemToObject(names, code, v)) {
		cJSON_Delete(v);
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	if ((text = cJSON_PrintUnformatted(names)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	r = localdb_meta_set(db, "school_names", text, e);
 out:
	cJSON_free(text);
	cJSON_Delete(names);
	return r;
}
