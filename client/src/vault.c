/*
 * vault — the data key that seals a device's `local` values at rest
 * (client/vault.h has the contract and the meta layout): the key in locked
 * memory, unlocking, the key's lifecycle, sealing and opening a record's
 * values. vault_meta.c reads and writes what is stored.
 *
 * Wraps: nonce(24) || XChaCha20-Poly1305(data key)(32) || tag(16), with the
 * kind of wrap in the associated data, so a passphrase wrap copied into the
 * recovery slot does not open as one. A sealed record has the record id in
 * its associated data, so a blob moved to another record does not open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "vault_private.h"

/* ASan's LeakSanitizer looks at the process through ptrace at exit, which a
 * process that is not dumpable refuses: sanitizer builds stay dumpable. */
#if defined(__SANITIZE_ADDRESS__)
#define VAULT_KEEP_DUMPABLE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VAULT_KEEP_DUMPABLE 1
#endif
#endif

static const char vault_ad_pass[] = "tetrad-vault-v1 passphrase";
static const char vault_ad_recovery[] = "tetrad-vault-v1 recovery";
static const char vault_ad_local[] = "tetrad-local-v1";
static const char vault_recovery_ctx[] = "tetrad-recovery-v1";

static int
vault_sodium(struct terr *e)
{
	if (sodium_init() < 0)
		return terr_set(e, TERR_CRYPTO, "Не удалось инициализировать libsodium.");
	return 0;
}

static int
vault_nomem(struct terr *e)
{
	return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
}

/* A fresh 32-byte secret in locked memory (mlocked, out of core dumps,
 * guard pages); sodium_free wipes it. */
static uint8_t *
vault_secret(void)
{
	return sodium_malloc(VAULT_KEY_BYTES);
}

/* ---- keys and wraps ---------------------------------------------------- */

static int
vault_kek_pass(const char *pass, size_t len, const uint8_t salt[VAULT_SALT],
    const struct vault_limits *lim, uint8_t *kek, struct terr *e)
{
	if (crypto_pwhash(kek, VAULT_KEY_BYTES, len ? pass : "", len, salt, lim->ops,
	    lim->mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return terr_set(e, TERR_NOMEM, "Не хватило памяти для проверки пароля "
		    "(Argon2id, %zu МиБ).", lim->mem >> 20);
	return 0;
}

static void
vault_kek_recovery(const uint8_t rec[VAULT_RECOVERY_BYTES], uint8_t *kek)
{
	crypto_generichash(kek, VAULT_KEY_BYTES, rec, VAULT_RECOVERY_BYTES,
	    (const unsigned char *)vault_recovery_ctx, sizeof(vault_recovery_ctx) - 1);
}

static void
vault_wrap(const uint8_t *kek, const uint8_t *key, const char *ad,
    uint8_t out[VAULT_WRAP_BYTES])
{
	randombytes_buf(out, VAULT_NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + VAULT_NONCE, NULL, key,
	    VAULT_KEY_BYTES, (const unsigned char *)ad, strlen(ad), NULL, out, kek);
}

static int
vault_unwrap(const uint8_t *kek, const uint8_t wrap[VAULT_WRAP_BYTES],
    const char *ad, uint8_t *key)
{
	return crypto_aead_xchacha20poly1305_ietf_decrypt(key, NULL, NULL,
	    wrap + VAULT_NONCE, VAULT_KEY_BYTES + VAULT_TAG, (const unsigned char *)ad,
	    strlen(ad), wrap, kek);
}

/*
 * From the first unlock on, the process is not dumpable: no core file, and
 * other processes of the same user cannot ptrace it or read its
 * /proc/PID/mem — the key is mlocked and kept out of core dumps by
 * sodium_malloc, but the opened values (names, phones) pass through plain
 * heap buffers too. Here, not in the CLI: every way to VAULT_OPEN (unlock,
 * the recovery key, vault_create in set/reset) goes through this function,
 * so no caller can forget it, and it matters for any program that holds
 * the key (syncd never does). Never undone: freed buffers may still hold
 * values after vault_free. Best effort: a failure leaves the process as it
 * was, which is no worse than before.
 */
static void
vault_nodump(void)
{
#if defined(__linux__) && !defined(VAULT_KEEP_DUMPABLE)
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

static void
vault_key_set(struct vault *v, uint8_t *key)
{
	vault_nodump();
	sodium_mprotect_readonly(key);
	v->key = key;
	v->state = VAULT_OPEN;
}

/* ---- unlock ------------------------------------------------------------ */

static int
vault_unlock_begin(struct vault *v, struct localdb *db, struct terr *e)
{
	unsigned wait;
	int r;

	if (v == NULL || db == NULL)
		return terr_set(e, TERR_ARG, "vault_unlock: нет ключа или базы данных");
	if (v->state == VAULT_NONE)
		return terr_set(e, TERR_ARG, "Пароль не задан.");
	if (v->damaged)
		return terr_set(e, TERR_PARSE, "Ключ в базе данных повреждён: "
		    "пароль не проверить. Верните базу из резервной копии или "
		    "сбросьте пароль: tetrad passphrase reset.");
	if ((r = vault_wait(v, db, &wait, e)) != 0)
		return r;
	if (wait > 0)
		return terr_set(e, TERR_PASSPHRASE, "Слишком много неверных попыток: "
		    "повторите через %u с.", (wait + 999) / 1000);
	return 0;
}

/*
 * Opens wrap with kek, the attempt counted first (vault_failures_bump;
 * TERR_IO, nothing checked, when it cannot be). Wrong: TERR_PASSPHRASE with
 * wrong_msg. Right: the counter reset and the key installed (an OPEN vault
 * keeps its key: it was the same one, or the tag would not have matched a
 * wrap of this meta).
 */
static int
vault_unwrap_into(struct vault *v, struct localdb *db, const uint8_t *kek,
    const uint8_t wrap[VAULT_WRAP_BYTES], const char *ad, const char *wrong_msg,
    struct terr *e)
{
	uint8_t *key;
	struct terr le = { 0 };
	int r;

	/* counted as wrong until it proves right (reset below): no answer
	 * without the count, whatever happens to the process or the caller */
	if ((r = vault_failures_bump(db, vault_now_ms(), e)) != 0)
		return r;
	if ((key = vault_secret()) == NULL)
		return vault_nomem(e);
	if (vault_unwrap(kek, wrap, ad, key) != 0) {
		/* already counted (vault_unlock_begin) */
		sodium_free(key);
		return terr_set(e, TERR_PASSPHRASE, "%s", wrong_msg);
	}
	if (v->state == VAULT_OPEN)
		sodium_free(key);
	else
		vault_key_set(v, key);
	(void)vault_failures_reset(db, &le);
	return 0;
}

int
vault_unlock(struct vault *v, struct localdb *db, const char *pass, size_t len,
    struct terr *e)
{
	uint8_t *kek;
	int r;

	if ((r = vault_unlock_begin(v, db, e)) != 0)
		return r;
	if ((pass == NULL && len > 0) || len > VAULT_PASS_MAX)
		return terr_set(e, TERR_PASSPHRASE, "Неверный пароль.");
	if ((kek = vault_secret()) == NULL)
		return vault_nomem(e);
	if ((r = vault_kek_pass(pass, len, v->salt, &v->lim, kek, e)) == 0)
		r = vault_unwrap_into(v, db, kek, v->wrap, vault_ad_pass,
		    "Неверный пароль.", e);
	sodium_free(kek);
	return r;
}

int
vault_unlock_recovery(struct vault *v, struct localdb *db, const char *text,
    struct terr *e)
{
	uint8_t rec[VAULT_RECOVERY_BYTES], *kek;
	int r;

	if ((r = vault_unlock_begin(v, db, e)) != 0)
		return r;
	if (!v->has_recovery)
		return terr_set(e, TERR_PASSPHRASE, "Ключ восстановления для этой "
		    "базы данных не создавался.");
	/* a mistyped shape is not a guess: not counted */
	if (vault_recovery_parse(text, rec) != 0) {
		sodium_memzero(rec, sizeof(rec));
		return terr_set(e, TERR_PASSPHRASE, "Ключ восстановления не распознан: "
		    "нужно 32 знака (буквы A–Z и цифры 2–7) в группах по четыре, "
		    "например ABCD-EFGH-….");
	}
	if ((kek = vault_secret()) == NULL) {
		sodium_memzero(rec, sizeof(rec));
		return vault_nomem(e);
	}
	vault_kek_recovery(rec, kek);
	sodium_memzero(rec, sizeof(rec));
	r = vault_unwrap_into(v, db, kek, v->recovery, vault_ad_recovery,
	    "Неверный ключ восстановления.", e);
	sodium_free(kek);
	return r;
}

/* ---- lifecycle --------------------------------------------------------- */

static int
vault_load_as(struct localdb *db, bool any, struct vault **out, struct terr *e)
{
	struct vault *v = NULL;
	char *text = NULL;
	int r;

	*out = NULL;
	if ((r = vault_sodium(e)) != 0)
		return r;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return vault_nomem(e);
	if ((r = localdb_meta_get(db, VAULT_META, &text, e)) != 0)
		goto out;
	/* absent or emptied while records hold sealed values: as damaged */
	if (text != NULL && text[0] != '\0')
		r = vault_parse(v, text, strlen(text), e);
	else
		r = vault_orphans_check(db, e);
	if (r != 0) {
		if (!any || r != TERR_PARSE)
			goto out;
		/* set, but nothing of it usable: locked for good */
		sodium_memzero(v, sizeof(*v));
		v->state = VAULT_LOCKED;
		v->damaged = true;
	}
	r = 0;
	*out = v;
	v = NULL;
 out:
	free(text);
	vault_free(v);
	return r;
}

int
vault_load(struct localdb *db, struct vault **out, struct terr *e)
{
	return vault_load_as(db, false, out, e);
}

int
vault_load_any(struct localdb *db, struct vault **out, struct terr *e)
{
	return vault_load_as(db, true, out, e);
}

bool
vault_damaged(const struct vault *v)
{
	return v != NULL && v->damaged;
}

int
vault_parse_meta(const char *text, size_t len, struct vault **out, struct terr *e)
{
	struct vault *v;
	int r;

	*out = NULL;
	if ((r = vault_sodium(e)) != 0)
		return r;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return vault_nomem(e);
	if ((r = vault_parse(v, text, len, e)) != 0) {
		vault_free(v);
		return r;
	}
	*out = v;
	return 0;
}

int
vault_from_key(const uint8_t key[VAULT_KEY_BYTES], struct vault **out,
    struct terr *e)
{
	struct vault *v;
	uint8_t *k;
	int r;

	*out = NULL;
	if ((r = vault_sodium(e)) != 0)
		return r;
	if ((v = calloc(1, sizeof(*v))) == NULL || (k = vault_secret()) == NULL) {
		free(v);
		return vault_nomem(e);
	}
	memcpy(k, key, VAULT_KEY_BYTES);
	vault_key_set(v, k);
	*out = v;
	return 0;
}

void
vault_free(struct vault *v)
{
	if (v == NULL)
		return;
	sodium_free(v->key);
	sodium_memzero(v, sizeof(*v));
	free(v);
}

void
vault_lock(struct vault *v)
{
	if (v == NULL)
		return;
	sodium_free(v->key);
	v->key = NULL;
	v->state = VAULT_LOCKED;
}

enum vault_state
vault_state(const struct vault *v)
{
	return v ? v->state : VAULT_NONE;
}

void
vault_info(const struct vault *v, struct vault_limits *l, bool *has_recovery)
{
	if (l != NULL) {
		l->ops = v && v->state != VAULT_NONE ? v->lim.ops : 0;
		l->mem = v && v->state != VAULT_NONE ? v->lim.mem : 0;
	}
	if (has_recovery != NULL)
		*has_recovery = v && v->state != VAULT_NONE && v->has_recovery;
}

int
vault_create(struct vault *v, struct localdb *db, const char *pass, size_t len,
    const struct vault_limits *lim, char recovery_text[VAULT_RECOVERY_TEXT],
    struct terr *e)
{
	struct vault_limits l;
	uint8_t salt[VAULT_SALT], wrap[VAULT_WRAP_BYTES], rwrap[VAULT_WRAP_BYTES];
	uint8_t rec[VAULT_RECOVERY_BYTES], *key = NULL, *kek = NULL;
	int r;

	if (v == NULL || db == NULL)
		return terr_set(e, TERR_ARG, "vault_create: нет ключа или базы данных");
	if (v->state != VAULT_NONE)
		return terr_set(e, TERR_ARG, "Пароль уже задан.");
	if ((r = vault_sodium(e)) != 0 || (r = vault_pass_check(pass, len, e)) != 0 ||
	    (r = vault_limits_pick(lim, &l, e)) != 0)
		return r;
	if ((key = vault_secret()) == NULL || (kek = vault_secret()) == NULL) {
		r = vault_nomem(e);
		goto out;
	}
	randombytes_buf(key, VAULT_KEY_BYTES);
	randombytes_buf(salt, sizeof(salt));
	if ((r = vault_kek_pass(pass, len, salt, &l, kek, e)) != 0)
		goto out;
	vault_wrap(kek, key, vault_ad_pass, wrap);
	if (recovery_text != NULL) {
		randombytes_buf(rec, sizeof(rec));
		vault_kek_recovery(rec, kek);
		vault_wrap(kek, key, vault_ad_recovery, rwrap);
	}
	if ((r = vault_meta_write(db, &l, salt, wrap, recovery_text ? rwrap : NULL,
	    e)) != 0 || (r = vault_failures_reset(db, e)) != 0)
		goto out;
	v->lim = l;
	memcpy(v->salt, salt, sizeof(salt));
	memcpy(v->wrap, wrap, sizeof(wrap));
	v->has_recovery = recovery_text != NULL;
	if (v->has_recovery) {
		memcpy(v->recovery, rwrap, sizeof(rwrap));
		vault_recovery_format(rec, recovery_text);
	}
	vault_key_set(v, key);
	key = NULL;
 out:
	sodium_memzero(rec, sizeof(rec));
	sodium_free(kek);
	sodium_free(key);
	return r;
}

int
vault_rewrap(struct vault *v, struct localdb *db, const char *pass, size_t len,
    const struct vault_limits *lim, struct terr *e)
{
	struct vault_limits l;
	uint8_t salt[VAULT_SALT], wrap[VAULT_WRAP_BYTES], *kek = NULL;
	int r;

	if (v == NULL || db == NULL)
		return terr_set(e, TERR_ARG, "vault_rewrap: нет ключа или базы данных");
	if (v->state != VAULT_OPEN)
		return terr_set(e, TERR_PASSPHRASE, "Нужен пароль: "
		    "сначала введите его.");
	if ((r = vault_pass_check(pass, len, e)) != 0 ||
	    (r = vault_limits_pick(lim, &l, e)) != 0)
		return r;
	if ((kek = vault_secret()) == NULL)
		return vault_nomem(e);
	randombytes_buf(salt, sizeof(salt));
	if ((r = vault_kek_pass(pass, len, salt, &l, kek, e)) != 0)
		goto out;
	vault_wrap(kek, v->key, vault_ad_pass, wrap);
	if ((r = vault_meta_write(db, &l, salt, wrap,
	    v->has_recovery ? v->recovery : NULL, e)) != 0)
		goto out;
	v->lim = l;
	memcpy(v->salt, salt, sizeof(salt));
	memcpy(v->wrap, wrap, sizeof(wrap));
 out:
	sodium_free(kek);
	return r;
}

int
vault_drop(struct vault *v, struct localdb *db, struct terr *e)
{
	int r;

	if (v == NULL || db == NULL)
		return terr_set(e, TERR_ARG, "vault_drop: нет ключа или базы данных");
	if (v->state == VAULT_NONE)
		return 0;
	if ((r = localdb_meta_set(db, VAULT_META, "", e)) != 0 ||
	    (r = vault_failures_reset(db, e)) != 0)
		return r;
	sodium_free(v->key);
	sodium_memzero(v, sizeof(*v));
	v->state = VAULT_NONE;
	return 0;
}

/* ---- sealed values ----------------------------------------------------- */

static int
vault_need_open(const struct vault *v, struct terr *e)
{
	if (v == NULL || v->state == VAULT_NONE)
		return terr_set(e, TERR_PASSPHRASE, "Пароль не задан: "
		    "скрывать значения нечем.");
	if (v->state != VAULT_OPEN)
		return terr_set(e, TERR_PASSPHRASE, "Нужен пароль: "
		    "сначала введите его.");
	return 0;
}

static void
vault_ad_record(uint8_t ad[sizeof(vault_ad_local) - 1 + LOCALDB_ID_BYTES],
    const uint8_t id[LOCALDB_ID_BYTES])
{
	memcpy(ad, vault_ad_local, sizeof(vault_ad_local) - 1);
	memcpy(ad + sizeof(vault_ad_local) - 1, id, LOCALDB_ID_BYTES);
}

int
vault_seal(const struct vault *v, const uint8_t id[LOCALDB_ID_BYTES],
    const char *json, size_t len, uint8_t **out, size_t *out_len, struct terr *e)
{
	uint8_t ad[sizeof(vault_ad_local) - 1 + LOCALDB_ID_BYTES];
	uint8_t *pt = NULL, *blob = NULL;
	size_t padded = 0, total;
	int r;

	*out = NULL;
	*out_len = 0;
	if ((r = vault_need_open(v, e)) != 0)
		return r;
	if (id == NULL || (json == NULL && len > 0))
		return terr_set(e, TERR_ARG, "vault_seal: нет данных");
	if (len > VAULT_SEALED_MAX - VAULT_BLOB_MIN)
		return terr_set(e, TERR_TOO_LARGE, "Скрытые значения записи слишком велики "
		    "(%zu байт, можно не больше %u).", len, VAULT_SEALED_MAX - VAULT_BLOB_MIN);
	if ((pt = malloc(len + VAULT_PAD_BLOCK)) == NULL)
		return vault_nomem(e);
	if (len > 0)
		memcpy(pt, json, len);
	if (sodium_pad(&padded, pt, len, VAULT_PAD_BLOCK, len + VAULT_PAD_BLOCK) != 0) {
		r = terr_set(e, TERR_INTERNAL, "vault_seal: дополнение не удалось");
		goto out;
	}
	total = 1 + VAULT_NONCE + padded + VAULT_TAG;
	if ((blob = malloc(total)) == NULL) {
		r = vault_nomem(e);
		goto out;
	}
	blob[0] = VAULT_BLOB_VERSION;
	randombytes_buf(blob + 1, VAULT_NONCE);
	vault_ad_record(ad, id);
	crypto_aead_xchacha20poly1305_ietf_encrypt(blob + 1 + VAULT_NONCE, NULL, pt,
	    padded, ad, sizeof(ad), NULL, blob + 1, v->key);
	*out = blob;
	*out_len = total;
 out:
	sodium_memzero(pt, len + VAULT_PAD_BLOCK);
	free(pt);
	return r;
}

int
vault_open(const struct vault *v, const uint8_t id[LOCALDB_ID_BYTES],
    const uint8_t *blob, size_t len, char **json, struct terr *e)
{
	uint8_t ad[sizeof(vault_ad_local) - 1 + LOCALDB_ID_BYTES];
	uint8_t *pt = NULL;
	size_t mlen, unpadded = 0;
	int r;

	*json = NULL;
	if ((r = vault_need_open(v, e)) != 0)
		return r;
	if (id == NULL || (blob == NULL && len > 0))
		return terr_set(e, TERR_ARG, "vault_open: нет данных");
	if (len > VAULT_SEALED_MAX)
		return terr_set(e, TERR_TOO_LARGE, "Скрытые значения записи слишком велики "
		    "(%zu байт).", len);
	if (len < VAULT_BLOB_MIN || blob[0] != VAULT_BLOB_VERSION ||
	    (len - VAULT_BLOB_MIN) % VAULT_PAD_BLOCK != 0)
		return terr_set(e, TERR_DECRYPT, "Скрытые значения записи повреждены "
		    "(неизвестный формат).");
	mlen = len - 1 - VAULT_NONCE - VAULT_TAG;
	if ((pt = malloc(mlen + 1)) == NULL)
		return vault_nomem(e);
	vault_ad_record(ad, id);
	/* authenticated before anything is looked at: the tag covers the
	 * padding, so unpad below only reads what we wrote */
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(pt, NULL, NULL,
	    blob + 1 + VAULT_NONCE, len - 1 - VAULT_NONCE, ad, sizeof(ad),
	    blob + 1, v->key) != 0 ||
	    sodium_unpad(&unpadded, pt, mlen, VAULT_PAD_BLOCK) != 0) {
		sodium_memzero(pt, mlen + 1);
		free(pt);
		return terr_set(e, TERR_DECRYPT, "Скрытые значения записи не "
		    "расшифровываются: они повреждены или перенесены из другой записи.");
	}
	pt[unpadded] = '\0';
	*json = (char *)pt;
	return 0;
}
