/*
 * store — the client's view of the device database: records and their
 * record-level statements, the outbox append and HLC of a change, over the
 * shared schema, open, meta and outbox of localdb; and the vault that
 * seals a record's local values at rest (client/vault.h): records are
 * split on the way in and grafted on the way out.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tetrad/keys.h"
#include "tetrad/localdb.h"

#include "client/store.h"
#include "client/vault.h"

struct store {
	struct localdb *db;
	struct vault *vault;
	size_t unpaired;        /* hidden values of group items left out */
	int64_t damaged;        /* reads whose sealed values did not open */
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

/* PRAGMA wal_checkpoint(TRUNCATE): true when every frame went into the
 * file and the WAL was cut to nothing (no reader held an old snapshot). */
static int
store_checkpoint(struct store *s, bool *done, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	*done = false;
	if ((rc = sqlite3_prepare_v2(localdb_sqlite(s->db),
	    "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, NULL)) != SQLITE_OK)
		return store_sqlerr(s, rc, "очистить журнал базы", e);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		/* busy, frames in the WAL, frames checkpointed (-1: not WAL) */
		*done = sqlite3_column_int(st, 0) == 0 &&
		    sqlite3_column_int(st, 1) == sqlite3_column_int(st, 2);
	else if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
		r = store_sqlerr(s, rc, "очистить журнал базы", e);
	sqlite3_finalize(st);
	return r;
}

int
store_scrub(struct store *s, bool *done, struct terr *e)
{
	sqlite3 *db = localdb_sqlite(s->db);
	struct terr le = { 0 };
	bool ok = false;
	int rc, r;

	*done = false;
	if (localdb_in_tx(s->db))
		return terr_set(e, TERR_INTERNAL, "Очистка файла базы внутри транзакции.");
	if ((rc = sqlite3_exec(db, "PRAGMA secure_delete=ON", NULL, NULL, NULL)) != SQLITE_OK)
		return store_sqlerr(s, rc, "включить стирание удалённого", e);
	/* free pages and old versions of rows: the file is written anew */
	rc = sqlite3_exec(db, "VACUUM", NULL, NULL, NULL);
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return 0;
	if (rc != SQLITE_OK)
		return store_sqlerr(s, rc, "очистить файл базы", e);
	/* old page images in the WAL: copied over and the WAL cut */
	if ((r = store_checkpoint(s, &ok, e)) != 0 || !ok)
		return r;
	/* the flag was set in the transaction that left plaintext behind */
	if ((rc = sqlite3_exec(db, "DELETE FROM meta WHERE key='" STORE_META_SCRUB "'",
	    NULL, NULL, NULL)) != SQLITE_OK)
		return store_sqlerr(s, rc, "сохранить изменения", e);
	(void)store_checkpoint(s, &ok, &le);   /* that one page, best effort */
	*done = true;
	return 0;
}

/* A scrub a change of the vault could not finish, tried once more. Cheap
 * without a passphrase (no read at all) and without the flag (one meta
 * read); a failure stays for the next open. */
static void
store_scrub_retry(struct store *s)
{
	struct terr le = { 0 };
	char *flag = NULL;
	bool done;

	if (vault_state(s->vault) == VAULT_NONE)
		return;
	if (localdb_meta_get(s->db, STORE_META_SCRUB, &flag, &le) == 0 && flag != NULL &&
	    strcmp(flag, "1") == 0)
		(void)store_scrub(s, &done, &le);
	free(flag);
}

static int
store_open_as(const char *path, bool create, bool any_vault, struct store **out,
    struct terr *e)
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
	if ((r = (any_vault ? vault_load_any : vault_load)(s->db, &s->vault, e)) != 0) {
		store_close(s);
		if (r == TERR_PARSE)
			/* every command would stop here: name the way out */
			terr_set(e, r, "Ключ в базе данных повреждён: скрытые поля "
			    "(ФИО, телефоны, суть конфликта) не открыть. Верните базу из резервной копии или сбросьте "
			    "пароль: tetrad passphrase reset (скрытые значения всех "
			    "записей будут потеряны, остальное останется).");
		return r;
	}
	terr_clear(e);
	store_scrub_retry(s);
	*out = s;
	return 0;
}

int
store_open(const char *path, bool create, struct store **out, struct terr *e)
{
	return store_open_as(path, create, false, out, e);
}

int
store_open_damaged(const char *path, struct store **out, struct terr *e)
{
	return store_open_as(path, false, true, out, e);
}

bool
store_vault_damaged(const struct store *s)
{
	return vault_damaged(s->vault);
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	vault_free(s->vault);
	localdb_close(s->db);
	free(s);
}

size_t
store_unpaired(const struct store *s)
{
	return s->unpaired;
}

struct vault *
store_vault(struct store *s)
{
	return s->vault;
}

bool
store_locked(const struct store *s)
{
	return vault_state(s->vault) == VAULT_LOCKED;
}

int
store_vault_reload(struct store *s, struct terr *e)
{
	struct vault *v = NULL;
	int r;

	/* unreadable: whatever key it held may belong to a wrap rolled back */
	if ((r = vault_load(s->db, &v, e)) != 0) {
		vault_lock(s->vault);
		return r;
	}
	vault_free(s->vault);
	s->vault = v;
	return 0;
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

/* Frees a text that held local values, wiping it first. */
static void
store_text_wipe(char *t)
{
	if (t != NULL)
		sodium_memzero(t, strlen(t));
	free(t);
}

static void
store_json_zero(cJSON *j)
{
	for (cJSON *c = j->child; c != NULL; c = c->next)
		store_json_zero(c);
	if (j->valuestring != NULL)
		sodium_memzero(j->valuestring, strlen(j->valuestring));
	if (j->string != NULL && !(j->type & cJSON_StringIsConst))
		sodium_memzero(j->string, strlen(j->string));
}

/* Wipes the strings of a JSON tree that held local values, then frees it. */
static void
store_json_wipe(cJSON *j)
{
	if (j == NULL)
		return;
	store_json_zero(j);
	cJSON_Delete(j);
}

/* *out: r->data with r->sealed opened and grafted in (malloc'd). */
static int
store_unseal(struct store *s, const struct localdb_record *r, char **out,
    struct terr *e)
{
	char *local = NULL, idt[UUID7_STRLEN + 1];
	cJSON *data = NULL, *loc = NULL;
	size_t left = 0;
	int rv;

	*out = NULL;
	uuid7_format(r->id, idt);
	if ((rv = vault_open(s->vault, r->id, r->sealed, r->sealed_len, &local, e)) != 0) {
		if (rv == TERR_DECRYPT)
			terr_set(e, rv, "Скрытые поля записи %s повреждены: их не удалось "
			    "расшифровать.", idt);
		goto out;
	}
	if ((data = cJSON_Parse(r->data)) == NULL || !cJSON_IsObject(data) ||
	    (loc = cJSON_Parse(local)) == NULL || !cJSON_IsObject(loc)) {
		rv = terr_set(e, TERR_PARSE, "Данные записи %s повреждены.", idt);
		goto out;
	}
	if (form_graft_local(data, loc, &left) < 0 ||
	    (*out = cJSON_PrintUnformatted(data)) == NULL) {
		rv = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	/* items a pull removed or replaced: their values are not shown on
	 * another child's item; the caller warns */
	s->unpaired += left;
	rv = 0;
 out:
	store_text_wipe(local);
	store_json_wipe(loc);
	store_json_wipe(data);
	return rv;
}

/*
 * A blob that does not open under the open key (damaged on disk, or moved
 * from another record: the id is its associated data) costs that record its
 * hidden values, not the whole listing: the record is handed on as a locked
 * read would hand it (r->sealed kept, «скрыто»), counted for the caller's
 * warning, and the blob stays as it is on disk (store_seal refuses to seal
 * over it).
 */
static bool
store_damaged_skip(struct store *s, int rv, struct terr *e)
{
	if (rv != TERR_DECRYPT)
		return false;
	s->damaged++;
	terr_clear(e);
	return true;
}

int64_t
store_damaged(const struct store *s)
{
	return s->damaged;
}

bool
store_record_damaged(const struct store *s, const struct localdb_record *r)
{
	return r->sealed != NULL && vault_state(s->vault) == VAULT_OPEN;
}

/* With the vault open, r's sealed values go back into its data. */
static int
store_record_open(struct store *s, struct localdb_record *r, struct terr *e)
{
	char *data;
	int rv;

	if (r->sealed == NULL || vault_state(s->vault) != VAULT_OPEN)
		return 0;
	if ((rv = store_unseal(s, r, &data, e)) != 0)
		return store_damaged_skip(s, rv, e) ? 0 : rv;
	free(r->data);
	r->data = data;
	free(r->sealed);
	r->sealed = NULL;
	r->sealed_len = 0;
	return 0;
}

int
store_record_get(struct store *s, const uint8_t id[UUID7_BYTES],
    struct localdb_record **out, struct terr *e)
{
	int r;

	if ((r = localdb_record_get(s->db, id, out, e)) != 0)
		return r;
	if ((r = store_record_open(s, *out, e)) != 0) {
		localdb_record_free(*out);
		*out = NULL;
	}
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

/* r carries sealed values its writer did not see: its groups must keep the
 * stored record's items. */
static int
store_shape_check(struct store *s, const struct localdb_record *r,
    const struct form *f, const cJSON *values, struct terr *e)
{
	struct localdb_record *cur = NULL;
	cJSON *old = NULL;
	char idt[UUID7_STRLEN + 1];
	size_t n = form_n_fields(f);
	int rv;

	if ((rv = localdb_record_find(s->db, r->id, &cur, e)) <= 0)
		return rv;
	old = cJSON_Parse(cur->data);
	rv = old != NULL && cur->sealed != NULL && n > 0 ?
	    form_items_kept(form_field_at(f, 0), n, values, old) : 1;
	if (rv == 0) {
		uuid7_format(r->id, idt);
		rv = terr_set(e, TERR_PASSPHRASE, "Нужен пароль: в записи %s есть "
		    "скрытые поля в строках групп; удалять или заменять эти строки можно, "
		    "только введя пароль (иначе скрытые значения пропадут или съедут к "
		    "чужим строкам).", idt);
	} else if (rv < 0)
		rv = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	else
		rv = 0;
	cJSON_Delete(old);
	localdb_record_free(cur);
	return rv;
}

/* A mirror without its fingerprints: grafted item by item (by position). */
static void
store_unbind(cJSON *j)
{
	cJSON_DeleteItemFromObjectCaseSensitive(j, FORM_FP_KEY);
	for (cJSON *c = j->child; c != NULL; c = c->next)
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			store_unbind(c);
}

/* *out: prev (sealed values) grafted onto hub (the hub part of a record
 * being written, each item paired with its own mirror item) and split off
 * again, unbound: its items now line up with hub's by position. */
static int
store_align(const struct form *f, const cJSON *hub, const cJSON *prev, cJSON **out,
    struct terr *e)
{
	cJSON *hp = cJSON_Duplicate(hub, 1), *h2 = NULL;
	int r;

	*out = NULL;
	if (hp == NULL || form_graft_local(hp, prev, NULL) < 0 ||
	    (r = form_split_local(f, hp, &h2, out)) < 0) {
		store_json_wipe(hp);
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	}
	store_unbind(*out);
	store_json_wipe(hp);
	cJSON_Delete(h2);
	return 0;
}

/*
 * The split of a record of f with local fields: *data the hub part
 * (malloc'd), *sealed the sealed local values or NULL, as store_record_put
 * says for the vault's state. 1 when local values were given, 0 when not.
 */
static int
store_seal(struct store *s, const struct localdb_record *r, const struct form *f,
    char **data, uint8_t **sealed, size_t *sealed_len, struct terr *e)
{
	enum vault_state vs = vault_state(s->vault);
	char *ltext = NULL, *old = NULL, idt[UUID7_STRLEN + 1];
	cJSON *values = NULL, *hub = NULL, *local = NULL, *prev = NULL, *aligned = NULL;
	int rv, has = 0;

	*data = NULL;
	*sealed = NULL;
	*sealed_len = 0;
	uuid7_format(r->id, idt);
	if ((values = cJSON_Parse(r->data)) == NULL || !cJSON_IsObject(values)) {
		rv = terr_set(e, TERR_PARSE, "Данные записи %s повреждены.", idt);
		goto out;
	}
	if ((has = form_split_local(f, values, &hub, &local)) < 0) {
		rv = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	if (has && vs != VAULT_OPEN) {
		rv = terr_set(e, TERR_PASSPHRASE, "Нужен пароль: скрытые поля (ФИО, "
		    "телефоны, суть конфликта) записи %s без него не сохранить.", idt);
		goto out;
	}
	if (r->sealed != NULL && (rv = store_shape_check(s, r, f, values, e)) != 0)
		goto out;
	if (has && r->sealed != NULL) {
		/* read while locked: the values it held, those given over them */
		if ((rv = vault_open(s->vault, r->id, r->sealed, r->sealed_len, &old,
		    e)) != 0) {
			if (rv == TERR_DECRYPT)
				terr_set(e, rv, "Скрытые поля записи %s повреждены (не "
				    "расшифровываются): менять их нельзя — записанное "
				    "поверх стёрло бы то, что ещё можно вернуть из "
				    "резервной копии базы.", idt);
			goto out;
		}
		if ((prev = cJSON_Parse(old)) == NULL || !cJSON_IsObject(prev)) {
			rv = terr_set(e, TERR_PARSE, "Данные записи %s повреждены.", idt);
			goto out;
		}
		/* the old values onto the hub part they were split from (paired by
		 * fingerprint), split again so they line up with values' items */
		if ((rv = store_align(f, hub, prev, &aligned, e)) != 0)
			goto out;
		store_unbind(local);
		if (form_graft_local(values, aligned, NULL) < 0 ||
		    form_graft_local(values, local, NULL) < 0) {
			rv = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
			goto out;
		}
		cJSON_Delete(hub);
		store_json_wipe(local);
		if ((has = form_split_local(f, values, &hub, &local)) < 0) {
			rv = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
			goto out;
		}
	}
	if ((*data = cJSON_PrintUnformatted(hub)) == NULL ||
	    (has && (ltext = cJSON_PrintUnformatted(local)) == NULL)) {
		rv = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	if (has)
		rv = vault_seal(s->vault, r->id, ltext, strlen(ltext), sealed, sealed_len, e);
	else if (r->sealed != NULL && (*sealed = malloc(r->sealed_len)) == NULL)
		rv = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	else {
		/* no local value given: the hidden ones it had stay */
		if (r->sealed != NULL) {
			memcpy(*sealed, r->sealed, r->sealed_len);
			*sealed_len = r->sealed_len;
		}
		rv = 0;
	}
 out:
	if (rv != 0) {
		free(*data);
		*data = NULL;
	}
	store_text_wipe(old);
	store_text_wipe(ltext);
	store_json_wipe(prev);
	store_json_wipe(aligned);
	store_json_wipe(local);
	store_json_wipe(values);
	cJSON_Delete(hub);
	return rv != 0 ? rv : has;
}

int
store_record_seal(struct store *s, struct localdb_record *r, const struct form *f,
    struct terr *e)
{
	char *data;
	uint8_t *sealed;
	size_t len;
	int rv;

	if (vault_state(s->vault) == VAULT_NONE || !form_has_local(f))
		return 0;
	if ((rv = store_seal(s, r, f, &data, &sealed, &len, e)) < 0)
		return rv;
	store_text_wipe(r->data);
	r->data = data;
	free(r->sealed);
	r->sealed = sealed;
	r->sealed_len = len;
	return rv;
}

int
store_record_put(struct store *s, const struct localdb_record *r,
    const struct form *f, struct terr *e)
{
	struct localdb_record w;
	int rv;

	/* as given: no key, a form without local fields, an unknown form */
	if (f == NULL || vault_state(s->vault) == VAULT_NONE || !form_has_local(f))
		return localdb_record_put(s->db, r, e);
	w = *r;
	if ((rv = store_seal(s, r, f, &w.data, &w.sealed, &w.sealed_len, e)) < 0)
		return rv;
	rv = localdb_record_put(s->db, &w, e);
	free(w.data);
	free(w.sealed);
	return rv;
}

void
store_record_free(struct localdb_record *r)
{
	localdb_record_free(r);
}

struct store_each {
	struct store *s;
	store_record_cb cb;
	void *arg;
	struct terr *e;
};

static int
store_each_cb(const struct localdb_record *r, void *arg)
{
	struct store_each *w = arg;
	struct localdb_record o;
	int rv;

	/* most records have nothing sealed: handed on untouched */
	if (r->sealed == NULL || vault_state(w->s->vault) != VAULT_OPEN)
		return w->cb(r, w->arg);
	o = *r;
	if ((rv = store_unseal(w->s, r, &o.data, w->e)) != 0)
		return store_damaged_skip(w->s, rv, w->e) ? w->cb(r, w->arg) : rv;
	o.sealed = NULL;
	o.sealed_len = 0;
	rv = w->cb(&o, w->arg);
	store_text_wipe(o.data);
	return rv;
}

int
store_record_each(struct store *s, const char *form_id, const char *status,
    store_record_cb cb, void *arg, struct terr *e)
{
	struct store_each w = { .s = s, .cb = cb, .arg = arg, .e = e };

	return localdb_record_each(s->db, form_id, status, store_each_cb, &w, e);
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
