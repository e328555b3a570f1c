/*
 * hubdb_feed — the SQLite store's feed (see hubdb.h, "The feed"): the
 * position counter the writers take from, the reader a pull answers from,
 * and each device's pull cursor and box key.
 *
 * The counter is one row (feed_head). A write transaction reads it once, at
 * its first position, keeps it in the handle and writes it back once,
 * just before its COMMIT (hubdb_feed_flush; a row write per record cost
 * a fifth of what the store spends on a record): the single writer holds
 * the write lock from BEGIN IMMEDIATE to COMMIT, so no other writer can
 * take the same number, and positions commit in the order they were
 * taken. The handle forgets the counter at every commit and rollback
 * (SQLite's hooks), so the next transaction reads what the last one — of
 * any process — left; and a commit with a position taken but not written
 * back is turned into a rollback by the commit hook, never made durable
 * with a counter behind its records.
 *
 * Only records of the shared forms take positions (hubdb_feed_forms): the
 * handle keeps the sorted set, and the store keeps in feed_forms the set it
 * last numbered, so a form that becomes shared is numbered once.
 *
 * The reader merges one ordered range per (school, form) of the scope, plus
 * one entry per school for its profile and its register entry: a heap of
 * the next position of each range, each range probed through the index
 * hub_records_feed(school, form_id, feed_pos), so a read touches the
 * ranges of the scope and the items it returns, never the rest of the
 * store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hubdb_impl.h"

static int
hubdb_feed_commit_hook(void *arg)
{
	struct hubdb *db = arg;
	bool unwritten = db->feed_dirty;

	db->feed_known = db->feed_dirty = false;
	db->forms_seen = false;
	return unwritten ? 1 : 0;
}

static void
hubdb_feed_rollback_hook(void *arg)
{
	struct hubdb *db = arg;

	db->feed_known = db->feed_dirty = false;
	db->forms_seen = false;
	/* the catalogue's catching up may have failed with the transaction */
	db->forms_synced = -1;
	hubdb_schools_undo(db->schools);
	/* a numbering of hubdb_feed_forms may be undone: the caller tells again */
	db->feed_tag = 0;
}

void
hubdb_feed_hooks(struct hubdb *db)
{
	hsql_hooks(db->db, hubdb_feed_commit_hook, hubdb_feed_rollback_hook, db);
}

/* The committed counter as this connection sees it now. */
static int
hubdb_feed_read_head(struct hubdb *db, uint64_t *head, struct terr *e)
{
	struct hsql_stmt *st = hubdb_stmt(db, ST_FEED_HEAD, "SELECT pos FROM feed_head WHERE id = 1",
	    e);
	int rc, r = 0;

	*head = 0;
	if (st == NULL)
		return TERR_IO;
	rc = hsql_step(st);
	if (rc == HSQL_ROW)
		*head = (uint64_t)hsql_column_int64(st, 0);
	else if (rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение ленты изменений");
	hubdb_done(st);
	return r;
}

int
hubdb_feed_next(struct hubdb *db, uint64_t *pos, struct terr *e)
{
	int r;

	if (!db->feed_known) {
		if ((r = hubdb_feed_read_head(db, &db->feed_head, e)) != 0)
			return r;
		db->feed_known = true;
	}
	*pos = db->feed_head + 1;
	return 0;
}

int
hubdb_feed_take(struct hubdb *db, uint64_t pos, struct terr *e)
{
	(void)e;
	db->feed_head = pos;
	db->feed_dirty = true;
	return 0;
}

int
hubdb_feed_flush(struct hubdb *db, struct terr *e)
{
	struct hsql_stmt *st;
	int r;

	if (!db->feed_dirty)
		return 0;
	if ((st = hubdb_stmt(db, ST_FEED_TAKE, "INSERT INTO feed_head(id, pos) VALUES(1, ?1) "
	    "ON CONFLICT(id) DO UPDATE SET pos = excluded.pos", e)) == NULL)
		return TERR_IO;
	hsql_bind_int64(st, 1, (int64_t)db->feed_head);
	if ((r = hubdb_exec_stmt(db, st, e, "запись ленты изменений")) == 0)
		db->feed_dirty = false;
	return r;
}

int
hubdb_feed_own_begin(struct hubdb *db, bool *own, struct terr *e)
{
	*own = hsql_autocommit(db->db);
	return *own ? hubdb_begin(db, e) : 0;
}

int
hubdb_feed_own_end(struct hubdb *db, bool own, int r, struct terr *e)
{
	if (!own)
		return r;
	if (r == 0 && (r = hubdb_feed_flush(db, e)) == 0 &&
	    hsql_exec(db->db, "COMMIT") != HSQL_OK)
		r = hubdb_err(db, HSQL_ERROR, e, "запись транзакции");
	if (r != 0 && !hsql_autocommit(db->db))
		hsql_exec(db->db, "ROLLBACK");
	return r;
}

int
hubdb_feed_profile(struct hubdb *db, const char *school, struct terr *e)
{
	struct hsql_stmt *st;
	uint64_t pos;
	int r;

	if ((r = hubdb_feed_next(db, &pos, e)) != 0)
		return r;
	if ((st = hubdb_stmt(db, ST_FEED_PROFILE, "INSERT INTO profile_feed(school, feed_pos) "
	    "VALUES(?1, ?2) ON CONFLICT(school) DO UPDATE SET feed_pos = excluded.feed_pos",
	    e)) == NULL)
		return TERR_IO;
	hsql_bind_text(st, 1, school, -1);
	hsql_bind_int64(st, 2, (int64_t)pos);
	if ((r = hubdb_exec_stmt(db, st, e, "запись ленты изменений")) != 0)
		return r;
	return hubdb_feed_take(db, pos, e);
}

int
hubdb_feed_head(struct hubdb *db, uint64_t *head, struct terr *e)
{
	return hubdb_feed_read_head(db, head, e);
}

/* ------------------------------------------------------------------ */
/* Which forms take positions                                           */

static int
feed_form_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
feed_in(char *const *set, size_t n, const char *id)
{
	return n > 0 && bsearch(&id, set, n, sizeof(*set), feed_form_cmp) != NULL;
}

bool
hubdb_feed_form_shared(const struct hubdb *db, const char *form_id)
{
	if (!db->feed_told)
		return true;
	return form_id != NULL && feed_in(db->feed_forms, db->nfeed_forms, form_id);
}

static void
feed_set_free(char **set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(set[i]);
	free(set);
}

void
hubdb_feed_forms_free(struct hubdb *db)
{
	feed_set_free(db->feed_forms, db->nfeed_forms);
	db->feed_forms = NULL;
	db->nfeed_forms = 0;
}

bool
hubdb_forms_seen(struct hubdb *db)
{
	/* forms are only added, and only under the write lock: the same count
	 * as when the caller last caught up means the same forms */
	bool seen = db->forms_seen || (db->pg && db->forms_synced == db->forms_count);

	if (hsql_autocommit(db->db))
		return false;
	db->forms_seen = true;
	db->forms_synced = db->forms_count;
	return seen;
}

uint64_t
hubdb_feed_forms_tag(const struct hubdb *db)
{
	return db->feed_tag;
}

/* The set the store last numbered (table feed_forms), sorted. */
static int
feed_stored(struct hubdb *db, char ***out, size_t *n, struct terr *e)
{
	struct hsql_stmt *st = hubdb_stmt(db, ST_FEED_FORMS_GET, "SELECT form_id FROM feed_forms "
	    "ORDER BY form_id", e);
	char **set = NULL, **grown;
	size_t k = 0;
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	if (st == NULL)
		return TERR_IO;
	while ((rc = hsql_step(st)) == HSQL_ROW) {
		const char *id = (const char *)hsql_column_text(st, 0);

		if ((grown = realloc(set, (k + 1) * sizeof(*set))) == NULL ||
		    (set = grown, (set[k] = strdup(id ? id : "")) == NULL)) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			break;
		}
		k++;
	}
	if (r == 0 && rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение ленты изменений");
	hubdb_done(st);
	if (r != 0) {
		feed_set_free(set, k);
		return r;
	}
	*out = set;
	*n = k;
	return 0;
}

/* Positions for the records of form_id that have none, by arrival. */
static int
feed_backfill(struct hubdb *db, const char *form_id, struct terr *e)
{
	struct hsql_stmt *st;
	uint64_t pos;
	int r, k;

	if ((r = hubdb_feed_next(db, &pos, e)) != 0)
		return r;
	if ((st = hubdb_stmt(db, ST_FEED_BACKFILL, "UPDATE hub_records SET feed_pos = ?2 + n.rn "
	    "FROM (SELECT id, row_number() OVER (ORDER BY received_at, hlc, id) AS rn "
	    "FROM hub_records WHERE form_id = ?1 AND feed_pos IS NULL) AS n "
	    "WHERE n.id = hub_records.id", e)) == NULL)
		return TERR_IO;
	hsql_bind_text(st, 1, form_id, -1);
	hsql_bind_int64(st, 2, (int64_t)(pos - 1));
	if ((r = hubdb_exec_stmt(db, st, e, "нумерация ленты изменений")) != 0)
		return r;
	if ((k = hsql_changes(db->db)) > 0)
		r = hubdb_feed_take(db, pos - 1 + (uint64_t)k, e);
	return r;
}

/* feed_forms := set (n ids, sorted). */
static int
feed_store_set(struct hubdb *db, char *const *set, size_t n, struct terr *e)
{
	struct hsql_stmt *st;
	int r;

	if (hsql_exec(db->db, "DELETE FROM feed_forms") != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "запись ленты изменений");
	if ((st = hubdb_stmt(db, ST_FEED_FORMS_PUT, "INSERT INTO feed_forms(form_id) "
	    "VALUES(?1)", e)) == NULL)
		return TERR_IO;
	for (size_t i = 0; i < n; i++) {
		hsql_bind_text(st, 1, set[i], -1);
		if ((r = hubdb_exec_stmt(db, st, e, "запись ленты изменений")) != 0)
			return r;
	}
	return 0;
}

int
hubdb_feed_forms(struct hubdb *db, const char *const *forms, size_t n, uint64_t tag,
    struct terr *e)
{
	char **set = NULL, **stored = NULL;
	size_t k = 0, nstored = 0;
	bool own = false, began = false, same;
	int r = 0;

	if ((set = calloc(n + 1, sizeof(*set))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	for (size_t i = 0; i < n; i++) {
		if (forms[i] == NULL || feed_in(set, k, forms[i]))
			continue;
		if ((set[k] = strdup(forms[i])) == NULL) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			goto out;
		}
		k++;
		qsort(set, k, sizeof(*set), feed_form_cmp);
	}
	if ((r = feed_stored(db, &stored, &nstored, e)) != 0)
		goto out;
	same = nstored == k;
	for (size_t i = 0; i < k && same; i++)
		same = strcmp(set[i], stored[i]) == 0 &&
		    (!db->feed_told || feed_in(db->feed_forms, db->nfeed_forms, set[i]));
	if (!same) {
		/* a form new to the store, or to this handle (another process may
		 * have numbered it while this one wrote its records without) */
		if ((r = hubdb_feed_own_begin(db, &own, e)) != 0)
			goto out;
		began = true;
		for (size_t i = 0; i < k && r == 0; i++)
			if (!feed_in(stored, nstored, set[i]) || (db->feed_told &&
			    !feed_in(db->feed_forms, db->nfeed_forms, set[i])))
				r = feed_backfill(db, set[i], e);
		if (r == 0)
			r = feed_store_set(db, set, k, e);
	}
	if (r == 0) {
		hubdb_feed_forms_free(db);
		db->feed_forms = set;
		db->nfeed_forms = k;
		db->feed_told = true;
		set = NULL;
		k = 0;
	}
 out:
	if (began)
		r = hubdb_feed_own_end(db, own, r, e);
	/* a rollback of the caller's transaction, later, clears it (the hook) */
	if (r == 0)
		db->feed_tag = tag;
	feed_set_free(set, k);
	feed_set_free(stored, nstored);
	return r;
}

/* ------------------------------------------------------------------ */
/* The reader                                                           */

enum { FEED_R_RECORDS, FEED_R_PROFILE, FEED_R_SCHOOL };

struct feed_range {
	uint64_t next;                    /* the range's next position */
	unsigned school, form;            /* indexes into the scope */
	int kind;
};

struct feed_reader {
	struct hubdb *db;
	const struct hubdb_feed_scope *scope;
	struct hsql_stmt *probe[3];           /* next position of a range after ?N */
	struct hsql_stmt *rec;                /* a record at its position */
	struct hsql_stmt *years;              /* a school's profile rows */
	struct feed_range *heap;
	size_t n;
};

/*
 * The feed's reads of hub_records name their index: the table's own key
 * (form, HLC, id; schema 6) also starts with a column they bind, and with
 * no statistics SQLite took it, scanning the whole form for each record a
 * pull returned (200 of a 100,000-record form: 8.1 s against 6 ms).
 * hubdb_test_feed_plans shows what they do.
 */
static const char feed_rec_sql[] = "SELECT id, form_version, deleted, data, clocks "
    "FROM hub_records INDEXED BY hub_records_feed "
    "WHERE school = ?1 AND form_id = ?2 AND feed_pos = ?3";

static const char *const feed_probe_sql[3] = {
	[FEED_R_RECORDS] = "SELECT feed_pos FROM hub_records INDEXED BY hub_records_feed "
	    "WHERE school = ?1 AND form_id = ?2 AND feed_pos > ?3 ORDER BY feed_pos LIMIT 1",
	[FEED_R_PROFILE] = "SELECT feed_pos FROM profile_feed WHERE school = ?1 AND "
	    "feed_pos > ?3",
	[FEED_R_SCHOOL] = "SELECT feed_pos, name FROM schools WHERE code = ?1 AND "
	    "feed_pos > ?3 AND name IS NOT NULL AND name <> ''",
};

/* The range's next position after `after`: *found false when it has none. */
static int
feed_probe(struct feed_reader *f, struct feed_range *g, uint64_t after, bool *found,
    struct terr *e)
{
	struct hsql_stmt *st = f->probe[g->kind];
	int rc, r = 0;

	*found = false;
	hsql_bind_text(st, 1, f->scope->schools[g->school], -1);
	if (g->kind == FEED_R_RECORDS)
		hsql_bind_text(st, 2, f->scope->forms[g->form], -1);
	else
		hsql_bind_null(st, 2);
	hsql_bind_int64(st, 3, (int64_t)after);
	rc = hsql_step(st);
	if (rc == HSQL_ROW) {
		*found = true;
		g->next = (uint64_t)hsql_column_int64(st, 0);
	} else if (rc != HSQL_DONE)
		r = hubdb_err(f->db, rc, e, "чтение ленты изменений");
	hubdb_done(st);
	return r;
}

static void
feed_sift_down(struct feed_range *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		struct feed_range t;

		if (l < n && h[l].next < h[m].next)
			m = l;
		if (l + 1 < n && h[l + 1].next < h[m].next)
			m = l + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* {"<year>":{"<factor>":"<level>",…},…} of the school's profile rows. */
static int
feed_years(struct feed_reader *f, const char *school, char **out, struct terr *e)
{
	struct hsql_stmt *st = f->years;
	cJSON *o = cJSON_CreateObject(), *y = NULL;
	int rc, r = 0, year = -1;

	*out = NULL;
	if (o == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	hsql_bind_text(st, 1, school, -1);
	while ((rc = hsql_step(st)) == HSQL_ROW) {
		const char *factor = (const char *)hsql_column_text(st, 1);
		const char *level = (const char *)hsql_column_text(st, 2);
		char ys[16];

		if (factor == NULL || level == NULL)
			continue;
		if (y == NULL || hsql_column_int(st, 0) != year) {
			year = hsql_column_int(st, 0);
			snprintf(ys, sizeof(ys), "%d", year);
			if ((y = cJSON_AddObjectToObject(o, ys)) == NULL)
				break;
		}
		if (cJSON_AddStringToObject(y, factor, level) == NULL)
			break;
	}
	if (rc != HSQL_DONE && rc != HSQL_ROW)
		r = hubdb_err(f->db, rc, e, "чтение рискового профиля");
	else if (rc == HSQL_ROW || (*out = cJSON_PrintUnformatted(o)) == NULL)
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
	hubdb_done(st);
	cJSON_Delete(o);
	return r;
}

/* The item at the top of the heap, handed to cb. */
static int
feed_emit(struct feed_reader *f, const struct feed_range *g, hubdb_feed_cb cb, void *ctx,
    struct terr *e)
{
	struct hubdb_feed_item it;
	char *years = NULL;
	int rc, r = 0;

	memset(&it, 0, sizeof(it));
	it.pos = g->next;
	it.school = f->scope->schools[g->school];
	if (g->kind == FEED_R_PROFILE) {
		it.kind = HUBDB_FEED_PROFILE;
		if ((r = feed_years(f, it.school, &years, e)) == 0) {
			it.years = years;
			r = cb(ctx, &it);
		}
		cJSON_free(years);
		return r;
	}
	if (g->kind == FEED_R_SCHOOL) {
		struct hsql_stmt *st = f->probe[FEED_R_SCHOOL];

		/* the probe again, for the name */
		hsql_bind_text(st, 1, it.school, -1);
		hsql_bind_null(st, 2);
		hsql_bind_int64(st, 3, (int64_t)g->next - 1);
		if ((rc = hsql_step(st)) == HSQL_ROW) {
			it.kind = HUBDB_FEED_SCHOOL;
			it.name = (const char *)hsql_column_text(st, 1);
			r = it.name != NULL ? cb(ctx, &it) : 0;
		} else if (rc != HSQL_DONE)
			r = hubdb_err(f->db, rc, e, "чтение реестра школ");
		hubdb_done(f->probe[FEED_R_SCHOOL]);
		return r;
	}
	hsql_bind_text(f->rec, 1, it.school, -1);
	hsql_bind_text(f->rec, 2, f->scope->forms[g->form], -1);
	hsql_bind_int64(f->rec, 3, (int64_t)g->next);
	if ((rc = hsql_step(f->rec)) == HSQL_ROW &&
	    hsql_column_bytes(f->rec, 0) == 16) {
		it.kind = HUBDB_FEED_RECORD;
		it.id = hsql_column_blob(f->rec, 0);
		it.form_id = f->scope->forms[g->form];
		it.form_version = (uint32_t)hsql_column_int64(f->rec, 1);
		it.deleted = hsql_column_int(f->rec, 2) != 0;
		it.data = (const char *)hsql_column_text(f->rec, 3);
		it.data_len = (size_t)hsql_column_bytes(f->rec, 3);
		it.clocks = (const char *)hsql_column_text(f->rec, 4);
		it.clocks_len = (size_t)hsql_column_bytes(f->rec, 4);
		if (it.data == NULL || it.clocks == NULL)
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		else
			r = cb(ctx, &it);
	} else if (rc != HSQL_DONE && rc != HSQL_ROW)
		r = hubdb_err(f->db, rc, e, "чтение записи ленты");
	hubdb_done(f->rec);
	return r;
}

int
hubdb_feed_read(struct hubdb *db, const struct hubdb_feed_scope *scope,
    uint64_t after, size_t max_items, hubdb_feed_cb cb, void *ctx, struct terr *e)
{
	struct feed_reader f;
	size_t cap, sent = 0;
	int r = 0;

	memset(&f, 0, sizeof(f));
	f.db = db;
	f.scope = scope;
	cap = scope->nschools * (scope->nforms + 2);
	if (cap == 0 || max_items == 0)
		return 0;
	if ((f.heap = calloc(cap, sizeof(*f.heap))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	for (int k = 0; k < 3; k++)
		if (hsql_prepare(db->db, feed_probe_sql[k], 0, &f.probe[k]) != HSQL_OK) {
			r = hubdb_err(db, HSQL_ERROR, e, "чтение ленты изменений");
			goto out;
		}
	if (hsql_prepare(db->db, feed_rec_sql, 0, &f.rec) != HSQL_OK ||
	    hsql_prepare(db->db, "SELECT year, factor, level FROM risk_profile "
	    "WHERE school = ?1 ORDER BY year, factor", 0, &f.years) != HSQL_OK) {
		r = hubdb_err(db, HSQL_ERROR, e, "чтение ленты изменений");
		goto out;
	}
	/* every range's first position after `after`; the empty ones drop out */
	for (size_t s = 0; s < scope->nschools && r == 0; s++)
		for (size_t k = 0; k < scope->nforms + 2 && r == 0; k++) {
			struct feed_range *g = &f.heap[f.n];
			bool found;

			g->school = (unsigned)s;
			g->form = k < scope->nforms ? (unsigned)k : 0;
			g->kind = k < scope->nforms ? FEED_R_RECORDS :
			    k == scope->nforms ? FEED_R_PROFILE : FEED_R_SCHOOL;
			if ((r = feed_probe(&f, g, after, &found, e)) == 0 && found)
				f.n++;
		}
	for (size_t i = f.n / 2; i-- > 0;)
		feed_sift_down(f.heap, f.n, i);
	while (r == 0 && f.n > 0 && sent < max_items) {
		struct feed_range *g = &f.heap[0];
		bool found = false;

		if ((r = feed_emit(&f, g, cb, ctx, e)) != 0)
			break;
		sent++;
		/* a profile and a register entry are one position each */
		if (g->kind == FEED_R_RECORDS && (r = feed_probe(&f, g, g->next, &found, e)) != 0)
			break;
		if (!found)
			f.heap[0] = f.heap[--f.n];
		feed_sift_down(f.heap, f.n, 0);
	}
 out:
	for (int k = 0; k < 3; k++)
		hsql_finalize(f.probe[k]);
	hsql_finalize(f.rec);
	hsql_finalize(f.years);
	free(f.heap);
	return r;
}

/* ------------------------------------------------------------------ */
/* Devices' pull state                                                  */

int
hubdb_device_box(struct hubdb *db, const char *id, const uint8_t pk[KEYS_ENC_PK_BYTES],
    bool *registered, struct terr *e)
{
	struct hsql_stmt *st = NULL;
	int rc, r = 0;

	*registered = false;
	/* only where none is registered: two first pulls at once register one */
	if (hsql_prepare(db->db, "UPDATE devices SET box_pk = ?2 WHERE id = ?1 AND "
	    "box_pk IS NULL", 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "ключ шифрования устройства");
	hsql_bind_text(st, 1, id, -1);
	hsql_bind_blob(st, 2, pk, KEYS_ENC_PK_BYTES);
	rc = hsql_step(st);
	hsql_finalize(st);
	if (rc != HSQL_DONE)
		return hubdb_err(db, rc, e, "ключ шифрования устройства");
	if (hsql_changes(db->db) == 1) {
		*registered = true;
		return 0;
	}
	if (hsql_prepare(db->db, "SELECT box_pk FROM devices WHERE id = ?1", 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "ключ шифрования устройства");
	hsql_bind_text(st, 1, id, -1);
	rc = hsql_step(st);
	if (rc == HSQL_DONE)
		r = terr_set(e, TERR_ARG, "устройство %s не найдено", id);
	else if (rc != HSQL_ROW)
		r = hubdb_err(db, rc, e, "ключ шифрования устройства");
	else if (hsql_column_bytes(st, 0) != KEYS_ENC_PK_BYTES ||
	    memcmp(hsql_column_blob(st, 0), pk, KEYS_ENC_PK_BYTES) != 0)
		r = terr_set(e, TERR_ARG, "у устройства %s на хабе другой ключ шифрования: "
		    "ключ заменяется только перерегистрацией устройства", id);
	hsql_finalize(st);
	return r;
}

int
hubdb_device_pull_ack(struct hubdb *db, const char *id, uint64_t upto, struct terr *e)
{
	struct hsql_stmt *st = NULL;
	char now[HUBDB_TIME_MAX];
	int rc;

	if (hsql_prepare(db->db, HUBDB_SQL(db, "UPDATE devices SET pull_acked = "
	    "max(pull_acked, ?2), pull_at = ?3 WHERE id = ?1", "UPDATE devices SET pull_acked = "
	    "greatest(pull_acked, ?2), pull_at = ?3 WHERE id = ?1"), 0, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "отметка получения");
	hubdb_now_iso(now);
	hsql_bind_text(st, 1, id, -1);
	hsql_bind_int64(st, 2, (int64_t)upto);
	hsql_bind_text(st, 3, now, -1);
	rc = hsql_step(st);
	hsql_finalize(st);
	if (rc != HSQL_DONE)
		return hubdb_err(db, rc, e, "отметка получения");
	if (hsql_changes(db->db) != 1)
		return terr_set(e, TERR_ARG, "устройство %s не найдено", id);
	return 0;
}

int
hubdb_test_feed_plans(struct hubdb *db, char *out, size_t cap, struct terr *e)
{
	const char *const sql[] = { feed_probe_sql[FEED_R_RECORDS], feed_rec_sql };
	size_t n = 0;

	if (cap == 0)
		return terr_set(e, TERR_ARG, "нет места для плана");
	if (db->pg)
		return terr_set(e, TERR_ARG, "планы запросов ленты проверяются на SQLite");
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		struct hsql_stmt *st = NULL;
		char *q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql[i]);
		int rc;

		if (q == NULL)
			return terr_set(e, TERR_NOMEM, "недостаточно памяти");
		rc = hsql_prepare(db->db, q, 0, &st);
		sqlite3_free(q);
		if (rc != HSQL_OK)
			return hubdb_err(db, rc, e, "план ленты изменений");
		while (hsql_step(st) == HSQL_ROW) {
			int w = snprintf(out + n, cap - n, "%s; ", (const char *)hsql_column_text(st, 3));

			if (w > 0 && (size_t)w < cap - n)
				n += (size_t)w;
		}
		hsql_finalize(st);
		if (n + 2 < cap) {
			out[n++] = '|';
			out[n] = '\0';
		}
	}
	return 0;
}
