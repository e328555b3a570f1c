/*
 * vault_meta — what the vault stores and what people type: meta "vault",
 * the wrong attempts counter, the recovery key's text, the passphrase rules.
 *
 * meta "vault" lives in a file anyone holding the laptop can edit, so it is
 * read strictly and bounded: exact members, exact sizes, canonical base64,
 * Argon2id limits capped (a crafted row must not make one unlock spend an
 * hour or all the memory). Anything else is TERR_PARSE.
 *
 * The recovery key is RFC 4648 base32 without padding, shown in groups of
 * four. Reading it ignores dashes, white space and case, and takes the
 * digits 0, 1, 8 for the letters O, I, B: those digits are not in the
 * alphabet, so the mapping never turns one valid key into another one, and
 * a wrong reading is caught by the wrap's tag like any wrong key.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "vault_private.h"

static const char vault_b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static int
vault_bad(struct terr *e, const char *what)
{
	return terr_set(e, TERR_PARSE, "Ключ в базе данных повреждён или удалён "
	    "(%s): скрытые поля не открыть. Восстановите базу из резервной "
	    "копии.", what);
}

/*
 * meta "vault" absent or emptied while records still hold sealed values: the
 * key was removed (by hand, or the row damaged). Treated as a damaged row,
 * never as "no passphrase" (which would store new names in plain text next
 * to the sealed ones). One probe (LIMIT 1), only when the row is empty.
 */
int
vault_orphans_check(struct localdb *db, struct terr *e)
{
	bool any;
	int r;

	if ((r = localdb_record_sealed_any(db, &any, e)) != 0)
		return r;
	return any ? vault_bad(e, "его нет, а зашифрованные поля в записях есть") : 0;
}

void
vault_limits_default(struct vault_limits *l)
{
	const char *t = getenv("TETRAD_PWHASH");

	if (t != NULL && strcmp(t, "test") == 0) {
		l->ops = crypto_pwhash_opslimit_min();
		l->mem = crypto_pwhash_memlimit_min();
	} else {
		l->ops = crypto_pwhash_OPSLIMIT_MODERATE;
		l->mem = crypto_pwhash_MEMLIMIT_MODERATE;
	}
}

bool
vault_limits_weak(const struct vault_limits *l)
{
	return l->ops < crypto_pwhash_OPSLIMIT_MODERATE ||
	    l->mem < crypto_pwhash_MEMLIMIT_MODERATE;
}

static unsigned long long
vault_ops_max(void)
{
	unsigned long long m = crypto_pwhash_opslimit_max();

	return m < VAULT_OPS_MAX ? m : VAULT_OPS_MAX;
}

static unsigned long long
vault_mem_max(void)
{
	unsigned long long m = crypto_pwhash_memlimit_max();

	if (m > VAULT_MEM_MAX)
		m = VAULT_MEM_MAX;
	if (m > SIZE_MAX)
		m = SIZE_MAX;
	return m;
}

static bool
vault_limits_ok(const struct vault_limits *l)
{
	return l->ops >= crypto_pwhash_opslimit_min() && l->ops <= vault_ops_max() &&
	    l->mem >= crypto_pwhash_memlimit_min() && l->mem <= vault_mem_max();
}

/* ---- meta "vault" ------------------------------------------------------ */

/* An integral JSON number within lo..hi (hi well below 2^53). */
static int
vault_json_uint(const cJSON *v, unsigned long long lo, unsigned long long hi,
    unsigned long long *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	/* range first: converting an out-of-range double is undefined */
	if (!(d >= (double)lo && d <= (double)hi))
		return -1;
	if ((double)(unsigned long long)d != d)
		return -1;
	*out = (unsigned long long)d;
	return 0;
}

/* Exactly n bytes in canonical padded base64 (libsodium refuses stray
 * characters and non-zero spare bits; the length check the rest). */
static int
vault_json_b64(const cJSON *v, uint8_t *out, size_t n)
{
	const char *s, *end = NULL;
	size_t sl, got = 0;

	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return -1;
	s = v->valuestring;
	sl = strlen(s);
	if (sl != sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) - 1)
		return -1;
	if (sodium_base642bin(out, n, s, sl, NULL, &got, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || got != n || end != s + sl)
		return -1;
	return 0;
}

enum { VK_V, VK_KDF, VK_OPS, VK_MEM, VK_SALT, VK_WRAP, VK_RECOVERY, VK_N };
static const char *const vault_keys[VK_N] = {
	"v", "kdf", "ops", "mem", "salt", "wrap", "recovery"
};
#define VK_REQUIRED ((1u << VK_V) | (1u << VK_KDF) | (1u << VK_OPS) | \
    (1u << VK_MEM) | (1u << VK_SALT) | (1u << VK_WRAP))

/* One member of the meta object into v; -1 with *why set when bad. */
static int
vault_member(struct vault *v, int k, const cJSON *m, const char **why)
{
	unsigned long long n;

	switch (k) {
	case VK_V:
		if (vault_json_uint(m, 1, 1, &n) != 0)
			return *why = "версия", -1;
		return 0;
	case VK_KDF:
		if (!cJSON_IsString(m) || m->valuestring == NULL ||
		    strcmp(m->valuestring, "argon2id13") != 0)
			return *why = "kdf", -1;
		return 0;
	case VK_OPS:
		if (vault_json_uint(m, crypto_pwhash_opslimit_min(), vault_ops_max(), &n) != 0)
			return *why = "ops", -1;
		v->lim.ops = n;
		return 0;
	case VK_MEM:
		if (vault_json_uint(m, crypto_pwhash_memlimit_min(), vault_mem_max(), &n) != 0)
			return *why = "mem", -1;
		v->lim.mem = (size_t)n;
		return 0;
	case VK_SALT:
		if (vault_json_b64(m, v->salt, sizeof(v->salt)) != 0)
			return *why = "salt", -1;
		return 0;
	case VK_WRAP:
		if (vault_json_b64(m, v->wrap, sizeof(v->wrap)) != 0)
			return *why = "wrap", -1;
		return 0;
	case VK_RECOVERY:
		if (vault_json_b64(m, v->recovery, sizeof(v->recovery)) != 0)
			return *why = "recovery", -1;
		v->has_recovery = true;
		return 0;
	}
	return *why = "?", -1;
}

int
vault_parse(struct vault *v, const char *text, size_t len, struct terr *e)
{
	cJSON *root = NULL;
	const char *end = NULL, *why = NULL;
	unsigned seen = 0;
	int r = 0;

	if (len > VAULT_META_MAX)
		return vault_bad(e, "слишком длинная запись");
	if (memchr(text, '\0', len) != NULL)
		return vault_bad(e, "нулевой байт");
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root == NULL || !cJSON_IsObject(root)) {
		r = vault_bad(e, "не JSON-объект");
		goto out;
	}
	while (end < text + len && strchr(" \t\r\n", *end) != NULL)
		end++;
	if (end != text + len) {
		r = vault_bad(e, "лишнее после JSON");
		goto out;
	}
	for (const cJSON *m = root->child; m != NULL; m = m->next) {
		int k;

		for (k = 0; k < VK_N; k++)
			if (m->string != NULL && strcmp(m->string, vault_keys[k]) == 0)
				break;
		if (k == VK_N) {
			r = vault_bad(e, "неизвестный ключ");
			goto out;
		}
		if (seen & (1u << k)) {
			r = vault_bad(e, "ключ повторён");
			goto out;
		}
		seen |= 1u << k;
		if (vault_member(v, k, m, &why) != 0) {
			r = vault_bad(e, why);
			goto out;
		}
	}
	if ((seen & VK_REQUIRED) != VK_REQUIRED) {
		r = vault_bad(e, "нет обязательного ключа");
		goto out;
	}
	v->state = VAULT_LOCKED;
 out:
	cJSON_Delete(root);
	return r;
}

static void
vault_b64(char *out, size_t cap, const uint8_t *b, size_t n)
{
	sodium_bin2base64(out, cap, b, n, sodium_base64_VARIANT_ORIGINAL);
}

/* The meta text of the given wraps (recovery may be NULL). */
int
vault_meta_write(struct localdb *db, const struct vault_limits *lim,
    const uint8_t salt[VAULT_SALT], const uint8_t wrap[VAULT_WRAP_BYTES],
    const uint8_t *recovery, struct terr *e)
{
	char s[sodium_base64_ENCODED_LEN(VAULT_SALT, sodium_base64_VARIANT_ORIGINAL)];
	char w[sodium_base64_ENCODED_LEN(VAULT_WRAP_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	char rw[sizeof(w)], rec[sizeof(w) + 16], text[512];
	int n;

	vault_b64(s, sizeof(s), salt, VAULT_SALT);
	vault_b64(w, sizeof(w), wrap, VAULT_WRAP_BYTES);
	rec[0] = '\0';
	if (recovery != NULL) {
		vault_b64(rw, sizeof(rw), recovery, VAULT_WRAP_BYTES);
		snprintf(rec, sizeof(rec), ",\"recovery\":\"%s\"", rw);
	}
	n = snprintf(text, sizeof(text), "{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":%llu,"
	    "\"mem\":%zu,\"salt\":\"%s\",\"wrap\":\"%s\"%s}", lim->ops, lim->mem, s, w, rec);
	if (n < 0 || (size_t)n >= sizeof(text))
		return terr_set(e, TERR_INTERNAL, "Ключ не уместился в запись базы данных.");
	return localdb_meta_set(db, VAULT_META, text, e);
}

/* ---- recovery text ----------------------------------------------------- */

void
vault_recovery_format(const uint8_t b[VAULT_RECOVERY_BYTES],
    char out[VAULT_RECOVERY_TEXT])
{
	unsigned acc = 0, bits = 0, sym = 0;
	size_t o = 0;

	for (size_t i = 0; i < VAULT_RECOVERY_BYTES; i++) {
		acc = ((acc << 8) | b[i]) & 0x1fffu;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			if (sym > 0 && sym % 4 == 0)
				out[o++] = '-';
			out[o++] = vault_b32[(acc >> bits) & 31u];
			sym++;
		}
	}
	out[o] = '\0';
}

int
vault_recovery_parse(const char *text, uint8_t out[VAULT_RECOVERY_BYTES])
{
	unsigned acc = 0, bits = 0, syms = 0;
	size_t o = 0;

	if (text == NULL)
		return -1;
	for (const char *p = text; *p != '\0'; p++) {
		int c = (unsigned char)*p, val;

		if (p - text > 256)
			return -1;
		if (c == '-' || c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		if (c == '0')
			c = 'O';
		else if (c == '1')
			c = 'I';
		else if (c == '8')
			c = 'B';
		if (c >= 'A' && c <= 'Z')
			val = c - 'A';
		else if (c >= '2' && c <= '7')
			val = c - '2' + 26;
		else
			return -1;
		if (++syms > VAULT_RECOVERY_CHARS)
			return -1;
		acc = ((acc << 5) | (unsigned)val) & 0x1fffu;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return syms == VAULT_RECOVERY_CHARS ? 0 : -1;
}

/* ---- wrong attempts ---------------------------------------------------- */

int64_t
vault_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (int64_t)time(NULL) * 1000;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

unsigned
vault_wait_of(unsigned n, int64_t at, int64_t now)
{
	unsigned w, exp;

	if (n < VAULT_FREE_TRIES)
		return 0;
	exp = n - VAULT_FREE_TRIES + 1;
	w = exp >= 6 ? VAULT_WAIT_MAX : 1u << exp;
	if (w > VAULT_WAIT_MAX)
		w = VAULT_WAIT_MAX;
	/* a clock set back (school PCs' clocks are often off) must not lock a
	 * person out for as long as it jumped: a failure "in the future" is not
	 * waited for. The counter slows guessing at the keyboard; someone with
	 * the file can edit it anyway, and Argon2id is what protects the key. */
	w *= 1000;
	if (at > now || now - at >= (int64_t)w)
		return 0;
	return w - (unsigned)(now - at);
}

/* Strict decimal digits into *out (at most 18 of them); -1 when not. */
static int
vault_digits(const char *s, int64_t *out)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 18)
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	if (i == 0)
		return -1;
	*out = n;
	return 0;
}

/* A damaged counter counts as many failures (the longest wait, once); a
 * damaged time as long ago. */
int
vault_failures_read(struct localdb *db, unsigned *n, int64_t *at, struct terr *e)
{
	char buf[32];
	struct terr le = { 0 };
	int64_t v;
	int r;

	*n = 0;
	*at = 0;
	r = localdb_meta_copy(db, VAULT_META_FAILURES, buf, sizeof(buf), &le);
	if (r < 0 && r != TERR_TOO_LARGE)
		goto fail;
	if (r != 0)
		*n = r == 1 && vault_digits(buf, &v) == 0 ? (v > 1000 ? 1000u : (unsigned)v) :
		    VAULT_FREE_TRIES + 10;
	if (*n == 0)
		return 0;
	r = localdb_meta_copy(db, VAULT_META_FAILED_AT, buf, sizeof(buf), &le);
	if (r < 0 && r != TERR_TOO_LARGE)
		goto fail;
	if (r == 1 && vault_digits(buf, &v) == 0)
		*at = v;
	return 0;
 fail:
	if (e != NULL)
		*e = le;
	return r;
}

/* Writes the counter (the reset: in the caller's transaction, if any). */
static int
vault_failures_write(struct localdb *db, unsigned n, int64_t at, struct terr *e)
{
	char a[24], b[24];
	bool own = !localdb_in_tx(db);
	int r;

	snprintf(a, sizeof(a), "%u", n);
	snprintf(b, sizeof(b), "%" PRId64, at);
	if (own && (r = localdb_begin(db, e)) != 0)
		return r;
	if ((r = localdb_meta_set(db, VAULT_META_FAILURES, a, e)) == 0)
		r = localdb_meta_set(db, VAULT_META_FAILED_AT, b, e);
	if (own) {
		if (r == 0)
			r = localdb_commit(db, e);
		else
			localdb_rollback(db);
	}
	return r;
}

int
vault_failures_bump(struct localdb *db, int64_t at, struct terr *e)
{
	sqlite3 *h = localdb_sqlite(db);
	sqlite3_stmt *st = NULL;
	struct terr le = { 0 };
	int r, rc;

	/* a rollback of the caller's would erase the count */
	if (localdb_in_tx(db))
		return terr_set(e, TERR_INTERNAL, "Счётчик попыток ввода пароля "
		    "записывается внутри чужой транзакции.");
	if ((r = localdb_begin(db, &le)) != 0)
		goto fail;
	/* one statement: concurrent processes never lose an increment */
	rc = sqlite3_exec(h, "INSERT INTO meta(key, value) VALUES('" VAULT_META_FAILURES
	    "', '1') ON CONFLICT(key) DO UPDATE SET value = CAST(MIN(1000, "
	    "CAST(value AS INTEGER) + 1) AS TEXT)", NULL, NULL, NULL);
	if (rc == SQLITE_OK &&
	    (rc = sqlite3_prepare_v2(h, "INSERT INTO meta(key, value) VALUES('"
	    VAULT_META_FAILED_AT "', ?1) ON CONFLICT(key) DO UPDATE SET value = "
	    "excluded.value", -1, &st, NULL)) == SQLITE_OK) {
		char b[24];

		snprintf(b, sizeof(b), "%" PRId64, at);
		sqlite3_bind_text(st, 1, b, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(h);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_OK) {
		localdb_rollback(db);
		r = TERR_IO;
		goto fail;
	}
	if ((r = localdb_commit(db, &le)) == 0)
		return 0;
 fail:
	/* no count, no check: else a database made read-only would allow
	 * guessing without the waits */
	return terr_set(e, TERR_IO, "Не удалось записать счётчик попыток ввода "
	    "пароля, поэтому пароль не проверен (база только для чтения или занята "
	    "другой программой?). Повторите позже.");
}

int
vault_failures_reset(struct localdb *db, struct terr *e)
{
	unsigned n;
	int64_t at;
	int r;

	if ((r = vault_failures_read(db, &n, &at, e)) != 0)
		return r;
	return n == 0 ? 0 : vault_failures_write(db, 0, 0, e);
}

int
vault_wait(struct vault *v, struct localdb *db, unsigned *ms, struct terr *e)
{
	unsigned n;
	int64_t at;
	int r;

	*ms = 0;
	if (v == NULL || db == NULL)
		return terr_set(e, TERR_ARG, "vault_wait: нет ключа или базы данных");
	if (v->state == VAULT_NONE)
		return 0;
	if ((r = vault_failures_read(db, &n, &at, e)) != 0)
		return r;
	*ms = vault_wait_of(n, at, vault_now_ms());
	return 0;
}

int
vault_limits_pick(const struct vault_limits *lim, struct vault_limits *out,
    struct terr *e)
{
	if (lim == NULL)
		vault_limits_default(out);
	else
		*out = *lim;
	if (!vault_limits_ok(out))
		return terr_set(e, TERR_ARG, "Параметры Argon2id вне допустимого: "
		    "ops %llu (%llu…%llu), память %zu байт (%llu…%llu).", out->ops,
		    (unsigned long long)crypto_pwhash_opslimit_min(), vault_ops_max(), out->mem,
		    (unsigned long long)crypto_pwhash_memlimit_min(), vault_mem_max());
	return 0;
}

/* ---- passphrase rules -------------------------------------------------- */

static bool
vault_all_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || (c >= '\t' && c <= '\r'))
			continue;
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0xa0) {
			i++;                    /* no-break space */
			continue;
		}
		return false;
	}
	return true;
}

int
vault_pass_check(const char *pass, size_t len, struct terr *e)
{
	size_t chars;

	if (pass == NULL && len > 0)
		return terr_set(e, TERR_ARG, "Пароль не задан.");
	if (len > VAULT_PASS_MAX)
		return terr_set(e, TERR_ARG, "Пароль слишком длинный: не больше %d байт.",
		    VAULT_PASS_MAX);
	if (len > 0 && memchr(pass, '\0', len) != NULL)
		return terr_set(e, TERR_ARG, "Пароль содержит нулевой байт.");
	chars = len > 0 ? form_utf8_chars(pass, len) : 0;
	if (chars == (size_t)-1)
		return terr_set(e, TERR_ARG, "Пароль не в кодировке UTF-8.");
	if (chars < VAULT_PASS_MIN_CHARS)
		return terr_set(e, TERR_ARG, "Пароль слишком короткий: нужно не меньше "
		    "%d знаков.", VAULT_PASS_MIN_CHARS);
	if (vault_all_space(pass, len))
		return terr_set(e, TERR_ARG, "Пароль не может состоять из одних пробелов.");
	return 0;
}
