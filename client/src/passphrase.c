/*
 * passphrase — set, change, remove and reset of the store's passphrase,
 * each in one IMMEDIATE transaction, and the scrub after
 * (client/passphrase.h).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "tetrad/localdb.h"
#include "tetrad/uuid7.h"

#include "client/passphrase.h"

/* Records to rewrite, collected first: a walk over records must not meet
 * the rows it replaces. */
struct pp_item {
	uint8_t id[LOCALDB_ID_BYTES];
	const struct form *f;
};

struct pp_list {
	struct pp_item *v;
	size_t n, cap;
};

static int
pp_add(struct pp_list *l, const void *id, int id_len, const struct form *f)
{
	if (id == NULL || id_len != LOCALDB_ID_BYTES)
		return 0;           /* not a record id: nothing of ours */
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct pp_item *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return TERR_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	memcpy(l->v[l->n].id, id, LOCALDB_ID_BYTES);
	l->v[l->n].f = f;
	l->n++;
	return 0;
}

/* The form a record is read by: its own version, else the newest. */
static const struct form *
pp_form(const struct catalog *c, const char *id, uint32_t version)
{
	const struct form *f = catalog_get(c, id, version);

	return f != NULL ? f : catalog_latest(c, id);
}

/*
 * The records to visit: sealed (want_sealed) or, when not, those with
 * nothing sealed whose form (c) has local fields; records of forms c lacks
 * are counted in *unknown.
 */
static int
pp_collect(struct store *s, const struct catalog *c, bool want_sealed,
    struct pp_list *l, int64_t *unknown, struct terr *e)
{
	static const char sql_sealed[] = "SELECT id FROM records WHERE sealed IS NOT NULL";
	static const char sql_plain[] = "SELECT id, form_id, form_version FROM records "
	    "WHERE sealed IS NULL ORDER BY form_id, form_version";
	char fid[FORM_ID_MAX + 2] = "";
	int64_t fver = -1;
	const struct form *f = NULL;
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	if ((rc = sqlite3_prepare_v2(store_db(s), want_sealed ? sql_sealed : sql_plain,
	    -1, &st, NULL)) != SQLITE_OK)
		return store_sqlerr(s, rc, "прочитать записи", e);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const unsigned char *form = want_sealed ? NULL : sqlite3_column_text(st, 1);
		int64_t ver = want_sealed ? 0 : sqlite3_column_int64(st, 2);

		if (!want_sealed) {
			if (form == NULL)
				form = (const unsigned char *)"";
			/* rows come by form: one lookup per form version */
			if (strcmp(fid, (const char *)form) != 0 || fver != ver) {
				snprintf(fid, sizeof(fid), "%s", (const char *)form);
				fver = ver;
				f = ver >= 0 && ver <= UINT32_MAX ?
				    pp_form(c, fid, (uint32_t)ver) : NULL;
			}
			if (f == NULL) {
				(*unknown)++;
				continue;
			}
			if (!form_has_local(f))
				continue;
		}
		if (pp_add(l, sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0),
		    f) != 0) {
			r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
			goto out;
		}
	}
	if (rc != SQLITE_DONE)
		r = store_sqlerr(s, rc, "прочитать записи", e);
 out:
	sqlite3_finalize(st);
	return r;
}

/* Seals the plain local values of every record whose form the catalog
 * knows. Inside the caller's transaction, the vault open. */
static int
pp_seal_all(struct store *s, const struct catalog *c,
    struct passphrase_report *rep, struct terr *e)
{
	struct pp_list l = { 0 };
	struct localdb_record *r = NULL;
	int rv;

	if ((rv = pp_collect(s, c, false, &l, &rep->unknown, e)) != 0)
		goto out;
	for (size_t i = 0; i < l.n; i++) {
		if ((rv = localdb_record_get(store_localdb(s), l.v[i].id, &r, e)) != 0)
			goto out;
		if ((rv = store_record_seal(s, r, l.v[i].f, e)) < 0)
			goto out;
		if (rv == 1) {
			if ((rv = localdb_record_put(store_localdb(s), r, e)) != 0)
				goto out;
			rep->sealed++;
		}
		localdb_record_free(r);
		r = NULL;
	}
	rv = 0;
 out:
	localdb_record_free(r);
	free(l.v);
	return rv;
}

/* Meta PASSPHRASE_META_UNSEALED as unknown says: "1" when records of
 * unknown forms may still hold plain local values, else no row. Inside the
 * caller's transaction. */
static int
pp_mark_unsealed(struct store *s, int64_t unknown, struct terr *e)
{
	int rc;

	if (unknown > 0)
		return store_meta_set(s, PASSPHRASE_META_UNSEALED, "1", e);
	if ((rc = sqlite3_exec(store_db(s), "DELETE FROM meta WHERE key='"
	    PASSPHRASE_META_UNSEALED "'", NULL, NULL, NULL)) != SQLITE_OK)
		return store_sqlerr(s, rc, "сохранить изменения", e);
	return 0;
}

/* Old versions of rows are overwritten where SQLite frees them. */
static int
pp_secure_delete(struct store *s, struct terr *e)
{
	int rc = sqlite3_exec(store_db(s), "PRAGMA secure_delete=ON", NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_sqlerr(s, rc, "включить стирание удалённого", e);
}

/* Records that still hold sealed values (the key row was removed): a new
 * key could not open them, so only reset (which deletes them) may go on. */
static int
pp_orphans(struct store *s, struct terr *e)
{
	bool any;
	int r;

	if ((r = localdb_record_sealed_any(store_localdb(s), &any, e)) != 0)
		return r;
	if (any)
		return terr_set(e, TERR_ARG, "В базе есть скрытые поля, зашифрованные "
		    "ключом, которого больше нет: задать пароль нельзя. Удалить их и "
		    "задать новый пароль: tetrad passphrase reset.");
	return 0;
}

/* A change that failed (r): rolled back, the vault as the file holds it, no
 * recovery key shown for a vault that does not exist. When the vault cannot
 * be read back, the store's is left locked without a key (it refuses to
 * seal under a key whose wrap was rolled back) and that error is returned. */
static int
pp_undo(struct store *s, char *recovery, int r, struct terr *e)
{
	struct terr le = { 0 };
	int u;

	store_rollback(s);
	if ((u = store_vault_reload(s, &le)) != 0) {
		if (e != NULL)
			*e = le;
		r = u;
	}
	if (recovery != NULL)
		sodium_memzero(recovery, VAULT_RECOVERY_TEXT);
	return r;
}

/* After the commit: a failure leaves the flag for store_open. */
static void
pp_scrub(struct store *s, struct passphrase_report *rep)
{
	struct terr le = { 0 };
	bool done = false;

	if (store_scrub(s, &done, &le) != 0)
		done = false;
	rep->scrubbed = done;
	rep->scrub_pending = !done;
}

int
passphrase_set(struct store *s, const struct catalog *c, const char *pass,
    size_t len, const struct vault_limits *lim, char recovery[VAULT_RECOVERY_TEXT],
    struct passphrase_report *rep, struct terr *e)
{
	struct vault *v = store_vault(s);
	int r;

	memset(rep, 0, sizeof(*rep));
	if (vault_state(v) != VAULT_NONE)
		return terr_set(e, TERR_ARG, "Пароль уже задан. Сменить его: "
		    "tetrad passphrase change.");
	if ((r = vault_pass_check(pass, len, e)) != 0 ||
	    (r = pp_orphans(s, e)) != 0 ||
	    (r = pp_secure_delete(s, e)) != 0 ||
	    (r = store_begin(s, e)) != 0)
		return r;
	if ((r = vault_create(v, store_localdb(s), pass, len, lim, recovery, e)) != 0 ||
	    (r = pp_seal_all(s, c, rep, e)) != 0 ||
	    (r = pp_mark_unsealed(s, rep->unknown, e)) != 0 ||
	    (r = store_meta_set(s, STORE_META_SCRUB, "1", e)) != 0 ||
	    (r = store_commit(s, e)) != 0) {
		r = pp_undo(s, recovery, r, e);
		memset(rep, 0, sizeof(*rep));
		return r;
	}
	pp_scrub(s, rep);
	return 0;
}

int
passphrase_change(struct store *s, const char *pass, size_t len,
    const struct vault_limits *lim, struct terr *e)
{
	struct vault *v = store_vault(s);
	int r;

	if (vault_state(v) != VAULT_OPEN)
		return terr_set(e, TERR_PASSPHRASE, "Сначала нужно ввести текущий пароль "
		    "или ключ восстановления.");
	if ((r = vault_pass_check(pass, len, e)) != 0 ||
	    (r = store_begin(s, e)) != 0)
		return r;
	if ((r = vault_rewrap(v, store_localdb(s), pass, len, lim, e)) != 0 ||
	    (r = store_commit(s, e)) != 0) {
		return pp_undo(s, NULL, r, e);
	}
	return 0;
}

int
passphrase_remove(struct store *s, struct passphrase_report *rep, struct terr *e)
{
	struct vault *v = store_vault(s);
	struct pp_list l = { 0 };
	struct localdb_record *r = NULL;
	int rv, rc;

	memset(rep, 0, sizeof(*rep));
	if (vault_state(v) == VAULT_NONE)
		return terr_set(e, TERR_ARG, "Пароль не задан.");
	if (vault_state(v) != VAULT_OPEN)
		return terr_set(e, TERR_PASSPHRASE, "Чтобы снять пароль, сначала "
		    "введите его (или ключ восстановления).");
	if ((rv = store_begin(s, e)) != 0)
		return rv;
	if ((rv = pp_collect(s, NULL, true, &l, NULL, e)) != 0)
		goto out;
	for (size_t i = 0; i < l.n; i++) {
		/* opened and grafted by the store: data whole, sealed NULL */
		if ((rv = store_record_get(s, l.v[i].id, &r, e)) != 0)
			goto out;
		/* without the key a damaged blob could never be tried again */
		if (store_record_damaged(s, r)) {
			char idt[UUID7_STRLEN + 1];

			uuid7_format(r->id, idt);
			rv = terr_set(e, TERR_DECRYPT, "Скрытые поля записи %s повреждены "
			    "(не расшифровываются): пароль не снят, иначе они пропали бы "
			    "насовсем. Верните базу из резервной копии (или tetrad "
			    "passphrase reset: скрытые поля всех записей пропадут).", idt);
			goto out;
		}
		if ((rv = localdb_record_put(store_localdb(s), r, e)) != 0)
			goto out;
		rep->opened++;
		localdb_record_free(r);
		r = NULL;
	}
	if ((rc = sqlite3_exec(store_db(s), "DELETE FROM meta WHERE key='"
	    STORE_META_SCRUB "'", NULL, NULL, NULL)) != SQLITE_OK) {
		rv = store_sqlerr(s, rc, "сохранить изменения", e);
		goto out;
	}
	if ((rv = pp_mark_unsealed(s, 0, e)) != 0 ||
	    (rv = vault_drop(v, store_localdb(s), e)) != 0)
		goto out;
	rv = store_commit(s, e);
 out:
	localdb_record_free(r);
	free(l.v);
	if (rv != 0) {
		rv = pp_undo(s, NULL, rv, e);
		memset(rep, 0, sizeof(*rep));
	}
	return rv;
}

int
passphrase_reset(struct store *s, const struct catalog *c, const char *pass,
    size_t len, const struct vault_limits *lim, char recovery[VAULT_RECOVERY_TEXT],
    struct passphrase_report *rep, struct terr *e)
{
	struct vault *v = store_vault(s);
	int r, rc;

	memset(rep, 0, sizeof(*rep));
	if (vault_state(v) == VAULT_NONE)
		return terr_set(e, TERR_ARG, "Пароль не задан: сбрасывать "
		    "нечего. Задать его: tetrad passphrase set.");
	if ((r = vault_pass_check(pass, len, e)) != 0 ||
	    (r = pp_secure_delete(s, e)) != 0 ||
	    (r = store_begin(s, e)) != 0)
		return r;
	/* the values under the forgotten key are lost; nothing else is */
	if ((rc = sqlite3_exec(store_db(s), "UPDATE records SET sealed = NULL "
	    "WHERE sealed IS NOT NULL", NULL, NULL, NULL)) != SQLITE_OK) {
		r = store_sqlerr(s, rc, "удалить скрытые значения", e);
		goto fail;
	}
	rep->dropped = sqlite3_changes(store_db(s));
	if ((r = vault_drop(v, store_localdb(s), e)) != 0 ||
	    (r = vault_create(v, store_localdb(s), pass, len, lim, recovery, e)) != 0 ||
	    (r = pp_seal_all(s, c, rep, e)) != 0 ||
	    (r = pp_mark_unsealed(s, rep->unknown, e)) != 0 ||
	    (r = store_meta_set(s, STORE_META_SCRUB, "1", e)) != 0 ||
	    (r = store_commit(s, e)) != 0)
		goto fail;
	pp_scrub(s, rep);
	return 0;
 fail:
	r = pp_undo(s, recovery, r, e);
	memset(rep, 0, sizeof(*rep));
	return r;
}

int
passphrase_seal(struct store *s, const struct catalog *c,
    struct passphrase_report *rep, struct terr *e)
{
	int r;

	memset(rep, 0, sizeof(*rep));
	if (vault_state(store_vault(s)) != VAULT_OPEN)
		return terr_set(e, TERR_PASSPHRASE, "Сначала нужно ввести пароль.");
	if ((r = pp_secure_delete(s, e)) != 0 ||
	    (r = store_begin(s, e)) != 0)
		return r;
	if ((r = pp_seal_all(s, c, rep, e)) != 0 ||
	    (r = pp_mark_unsealed(s, rep->unknown, e)) != 0 ||
	    (rep->sealed > 0 && (r = store_meta_set(s, STORE_META_SCRUB, "1", e)) != 0) ||
	    (r = store_commit(s, e)) != 0) {
		store_rollback(s);
		memset(rep, 0, sizeof(*rep));
		return r;
	}
	if (rep->sealed > 0)
		pp_scrub(s, rep);
	else
		rep->scrubbed = true;
	return 0;
}

int
passphrase_scrub(struct store *s, struct passphrase_report *rep, struct terr *e)
{
	bool done = false;
	int r;

	memset(rep, 0, sizeof(*rep));
	if ((r = store_scrub(s, &done, e)) != 0)
		return r;
	rep->scrubbed = done;
	rep->scrub_pending = !done;
	return 0;
}

int
passphrase_status(struct store *s, struct passphrase_status *st, struct terr *e)
{
	sqlite3_stmt *q = NULL;
	char *flag = NULL;
	int r = 0, rc;

	memset(st, 0, sizeof(*st));
	st->state = vault_state(store_vault(s));
	if (st->state != VAULT_NONE)
		vault_info(store_vault(s), &st->limits, &st->has_recovery);
	if ((rc = sqlite3_prepare_v2(store_db(s), "SELECT COUNT(*) FROM records "
	    "WHERE sealed IS NOT NULL", -1, &q, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_step(q)) != SQLITE_ROW) {
		r = store_sqlerr(s, rc, "прочитать записи", e);
		goto out;
	}
	st->hidden = sqlite3_column_int64(q, 0);
	if ((r = store_meta_get(s, STORE_META_SCRUB, &flag, e)) != 0)
		goto out;
	st->scrub_pending = st->state != VAULT_NONE && flag != NULL &&
	    strcmp(flag, "1") == 0;
 out:
	free(flag);
	sqlite3_finalize(q);
	return r;
}
