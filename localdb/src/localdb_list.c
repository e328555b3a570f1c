/*
 * localdb_list — the record list of `tetrad ui`: filtered, newest first, a
 * page at a time over the indexes schema 9 made (records_created,
 * records_form_created), with the count of all that match.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "localdb_int.h"

#define LOCALDB_LIST_SQL_MAX 1024
#define LOCALDB_SEARCH_MAX 256

/*
 * The WHERE clause of f into sql: only the terms f uses, so SQLite picks
 * the index that fits (by form when a form is chosen). Values are bound,
 * never written into the text: ?1 form, ?2 status, ?3 school, ?4 from,
 * ?5 to, ?6 id prefix (hex, upper case), ?7 text pattern.
 */
static void
localdb_list_where(const struct localdb_list_filter *f, char *sql, size_t cap)
{
	size_t n = strlen(sql);

#define LOCALDB_TERM(text) \
	n += (size_t)snprintf(sql + n, n < cap ? cap - n : 0, "%s", text)
	LOCALDB_TERM(f->status ? " WHERE status = ?2" : " WHERE status <> 'deleted'");
	if (f->form_id)
		LOCALDB_TERM(" AND form_id = ?1");
	if (f->school)
		LOCALDB_TERM(" AND school = ?3");
	if (f->from_hlc)
		LOCALDB_TERM(" AND created_hlc >= ?4");
	if (f->to_hlc)
		LOCALDB_TERM(" AND created_hlc < ?5");
	if (f->search)
		LOCALDB_TERM(" AND (hex(id) LIKE ?6 || '%' OR data LIKE ?7 ESCAPE '\\')");
#undef LOCALDB_TERM
}

/* The search text as an id prefix (hex digits, dashes dropped, upper case;
 * "" when it is not one) and as a LIKE pattern with % and _ escaped. */
static int
localdb_list_search(const char *s, char *hex, size_t hcap, char *pat, size_t pcap)
{
	size_t h = 0, p = 0;
	bool is_hex = true;

	for (const char *c = s; *c; c++) {
		char u = *c >= 'a' && *c <= 'f' ? (char)(*c - 'a' + 'A') : *c;

		if (*c == '-')
			continue;
		if (!((u >= '0' && u <= '9') || (u >= 'A' && u <= 'F')))
			is_hex = false;
		else if (h + 1 < hcap)
			hex[h++] = u;
	}
	hex[is_hex && h >= 4 ? h : 0] = '\0';
	if (pcap < 3)
		return TERR_TOO_LARGE;
	pat[p++] = '%';
	for (const char *c = s; *c; c++) {
		if (p + 4 >= pcap)
			return TERR_TOO_LARGE;
		if (*c == '%' || *c == '_' || *c == '\\')
			pat[p++] = '\\';
		pat[p++] = *c;
	}
	pat[p++] = '%';
	pat[p] = '\0';
	return 0;
}

static void
localdb_list_bind(sqlite3_stmt *st, const struct localdb_list_filter *f,
    const char *hex, const char *pat)
{
	if (f->form_id)
		sqlite3_bind_text(st, 1, f->form_id, -1, SQLITE_STATIC);
	if (f->status)
		sqlite3_bind_text(st, 2, f->status, -1, SQLITE_STATIC);
	if (f->school)
		sqlite3_bind_text(st, 3, f->school, -1, SQLITE_STATIC);
	if (f->from_hlc)
		sqlite3_bind_text(st, 4, f->from_hlc, -1, SQLITE_STATIC);
	if (f->to_hlc)
		sqlite3_bind_text(st, 5, f->to_hlc, -1, SQLITE_STATIC);
	if (f->search) {
		/* an id prefix never matches when the text is not one */
		sqlite3_bind_text(st, 6, hex[0] ? hex : "-", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, pat, -1, SQLITE_STATIC);
	}
}

static void
localdb_list_copy(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src ? (const char *)src : "");
}

int
localdb_record_list(struct localdb *db, const struct localdb_list_filter *f,
    int64_t *total, localdb_list_cb cb, void *arg, struct terr *e)
{
	char sql[LOCALDB_LIST_SQL_MAX], hex[40] = "", pat[LOCALDB_SEARCH_MAX * 2 + 4] = "";
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	if (f->limit <= 0 || f->offset < 0)
		return terr_set(e, TERR_ARG, "неверная страница списка");
	if (f->search && localdb_list_search(f->search, hex, sizeof(hex), pat, sizeof(pat)) != 0)
		return terr_set(e, TERR_TOO_LARGE, "слишком длинный текст для поиска");
	if (total != NULL) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM records");
		localdb_list_where(f, sql, sizeof(sql));
		if ((rc = sqlite3_prepare_v2(localdb_sqlite(db), sql, -1, &st, NULL)) != SQLITE_OK)
			return localdb_sqlerr(db, rc, "прочитать список записей", e);
		localdb_list_bind(st, f, hex, pat);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			r = localdb_sqlerr(db, rc, "прочитать список записей", e);
			goto out;
		}
		*total = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		st = NULL;
	}
	/*
	 * The page's ids first, from the index alone (a deep page or a filter
	 * that matches little walks index entries, not 2 KB rows); then only
	 * those rows. An HLC names its device: no two records share one.
	 */
	snprintf(sql, sizeof(sql), "SELECT id, form_id, form_version, school, status, "
	    "created_hlc, updated_hlc, (SELECT state FROM outbox_queue q WHERE "
	    "q.record_id = records.id ORDER BY q.seq DESC LIMIT 1) FROM records "
	    "WHERE id IN (SELECT id FROM records");
	localdb_list_where(f, sql, sizeof(sql));
	snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
	    " ORDER BY created_hlc DESC LIMIT ?8 OFFSET ?9) ORDER BY created_hlc DESC");
	if ((rc = sqlite3_prepare_v2(localdb_sqlite(db), sql, -1, &st, NULL)) != SQLITE_OK)
		return localdb_sqlerr(db, rc, "прочитать список записей", e);
	localdb_list_bind(st, f, hex, pat);
	sqlite3_bind_int64(st, 8, f->limit);
	sqlite3_bind_int64(st, 9, f->offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct localdb_list_row row;
		const void *id = sqlite3_column_blob(st, 0);

		memset(&row, 0, sizeof(row));
		if (id != NULL && sqlite3_column_bytes(st, 0) == LOCALDB_ID_BYTES)
			memcpy(row.id, id, LOCALDB_ID_BYTES);
		localdb_list_copy(row.form_id, sizeof(row.form_id), sqlite3_column_text(st, 1));
		row.form_version = (uint32_t)sqlite3_column_int64(st, 2);
		localdb_list_copy(row.school, sizeof(row.school), sqlite3_column_text(st, 3));
		localdb_list_copy(row.status, sizeof(row.status), sqlite3_column_text(st, 4));
		localdb_list_copy(row.created_hlc, sizeof(row.created_hlc), sqlite3_column_text(st, 5));
		localdb_list_copy(row.updated_hlc, sizeof(row.updated_hlc), sqlite3_column_text(st, 6));
		localdb_list_copy(row.state, sizeof(row.state), sqlite3_column_text(st, 7));
		if ((r = cb(&row, arg)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = localdb_sqlerr(db, rc, "прочитать список записей", e);
 out:
	sqlite3_finalize(st);
	return r;
}
