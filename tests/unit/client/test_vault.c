/*
 * test_vault — the key that seals local values: create, seal/open, lock and
 * unlock across a reopened database, wrong passphrases and the waits they
 * earn, the recovery key, rewrap (the data key and the recovery wrap
 * survive), drop, tampered and moved blobs, and damaged meta rows. Argon2id
 * at the library minimum (TETRAD_PWHASH=test); the default limits are the
 * benchmark's (tests/bench/bench_vault.c). Run under ASan by the sanitizer
 * suite: the key lives in sodium_malloc'd memory with guard pages. An
 * unlock makes the process not dumpable (except in sanitizer builds).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/wait.h>
#endif

#include <sodium.h>
#include <sqlite3.h>

#include "check.h"
#include "client/vault.h"
#include "client/vault_internal.h"

static char tmpdir[] = "/tmp/test_vault.XXXXXX";
static const char pass1[] = "верный пароль 1";
static const char pass2[] = "другой пароль 2";
static const uint8_t id1[LOCALDB_ID_BYTES] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t id2[LOCALDB_ID_BYTES] = { 16, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1 };
static const char values[] = "{\"summary\":\"Иванов Пётр, 7Б\","
    "\"parties\":[{\"full_name\":\"Петрова Анна\",\"phone\":\"+7 900 000-00-00\"},{}]}";

static struct localdb *
db_open(const char *name)
{
	char p[256];
	struct localdb *db = NULL;
	struct terr e = { 0 };

	snprintf(p, sizeof(p), "%s/%s", tmpdir, name);
	CHECK_INT_EQ(localdb_open(p, LOCALDB_CREATE, &db, &e), 0);
	return db;
}

static void
meta_is(struct localdb *db, const char *key, const char *want)
{
	char *v = NULL;

	CHECK_INT_EQ(localdb_meta_get(db, key, &v, NULL), 0);
	CHECK_STR_EQ(v ? v : "(absent)", want);
	free(v);
}

static void
test_limits_and_pass(void)
{
	struct vault_limits l;
	struct terr e = { 0 };
	char long_pass[VAULT_PASS_MAX + 2];

	unsetenv("TETRAD_PWHASH");
	vault_limits_default(&l);
	CHECK_INT_EQ(l.ops, 3);
	CHECK_INT_EQ(l.mem, 256u << 20);
	setenv("TETRAD_PWHASH", "test", 1);
	vault_limits_default(&l);
	CHECK_INT_EQ(l.ops, crypto_pwhash_opslimit_min());
	CHECK_INT_EQ(l.mem, crypto_pwhash_memlimit_min());

	CHECK_INT_EQ(vault_pass_check("12345678", 8, &e), 0);
	CHECK_INT_EQ(vault_pass_check("1234567", 7, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "слишком короткий");
	/* characters, not bytes: 7 Cyrillic letters are 14 bytes */
	CHECK_INT_EQ(vault_pass_check("пароль!", strlen("пароль!"), &e), TERR_ARG);
	CHECK_INT_EQ(vault_pass_check("пароль!!", strlen("пароль!!"), &e), 0);
	CHECK_INT_EQ(vault_pass_check("abc\xff\xfe" "defgh", 10, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "UTF-8");
	CHECK_INT_EQ(vault_pass_check("abcd\0efgh", 9, &e), TERR_ARG);
	CHECK_INT_EQ(vault_pass_check("  \t     \xc2\xa0 ", 11, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "пробел");
	memset(long_pass, 'a', sizeof(long_pass));
	CHECK_INT_EQ(vault_pass_check(long_pass, VAULT_PASS_MAX, &e), 0);
	CHECK_INT_EQ(vault_pass_check(long_pass, VAULT_PASS_MAX + 1, &e), TERR_ARG);
	CHECK_INT_EQ(vault_pass_check(NULL, 0, &e), TERR_ARG);
}

static void
test_recovery_text(void)
{
	uint8_t b[VAULT_RECOVERY_BYTES], back[VAULT_RECOVERY_BYTES];
	char t[VAULT_RECOVERY_TEXT], u[VAULT_RECOVERY_TEXT + 20];
	size_t k = 0;

	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 37 + 11);
	vault_recovery_format(b, t);
	CHECK_INT_EQ(strlen(t), VAULT_RECOVERY_TEXT - 1);
	for (size_t i = 0; i < strlen(t); i++)
		CHECK(i % 5 == 4 ? t[i] == '-' : strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", t[i]) != NULL);
	CHECK_INT_EQ(vault_recovery_parse(t, back), 0);
	CHECK_MEM_EQ(back, b, sizeof(b));
	/* lower case, spaces instead of dashes */
	for (size_t i = 0; t[i]; i++)
		u[k++] = t[i] == '-' ? ' ' : (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] + 32 : t[i]);
	u[k] = '\0';
	memset(back, 0, sizeof(back));
	CHECK_INT_EQ(vault_recovery_parse(u, back), 0);
	CHECK_MEM_EQ(back, b, sizeof(b));
	/* all zero bytes are all 'A'; 0, 1, 8 read as O, I, B */
	memset(b, 0, sizeof(b));
	vault_recovery_format(b, t);
	CHECK_STR_EQ(t, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA");
	CHECK_INT_EQ(vault_recovery_parse("0000-1111-8888-AAAA-AAAA-AAAA-AAAA-AAAA", back), 0);
	CHECK_INT_EQ(vault_recovery_parse("OOOO-IIII-BBBB-AAAA-AAAA-AAAA-AAAA-AAAA", b), 0);
	CHECK_MEM_EQ(back, b, sizeof(b));
	CHECK_INT_EQ(vault_recovery_parse("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAA", back), -1);
	CHECK_INT_EQ(vault_recovery_parse("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAA", back), -1);
	CHECK_INT_EQ(vault_recovery_parse("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAA9", back), -1);
	CHECK_INT_EQ(vault_recovery_parse("AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAЖ", back), -1);
	CHECK_INT_EQ(vault_recovery_parse("", back), -1);
	CHECK_INT_EQ(vault_recovery_parse(NULL, back), -1);
}

static void
test_waits(void)
{
	const int64_t now = 1800000000000;	/* ms */

	for (unsigned n = 0; n < VAULT_FREE_TRIES; n++)
		CHECK_INT_EQ(vault_wait_of(n, now, now), 0);
	CHECK_INT_EQ(vault_wait_of(5, now, now), 2000);
	CHECK_INT_EQ(vault_wait_of(6, now, now), 4000);
	CHECK_INT_EQ(vault_wait_of(7, now, now), 8000);
	CHECK_INT_EQ(vault_wait_of(8, now, now), 16000);
	CHECK_INT_EQ(vault_wait_of(9, now, now), 32000);
	CHECK_INT_EQ(vault_wait_of(10, now, now), 60000);
	CHECK_INT_EQ(vault_wait_of(1000, now, now), 60000);
	CHECK_INT_EQ(vault_wait_of(7, now - 3000, now), 5000);
	/* to the millisecond: 1.999 s after the fifth failure, 1 ms is left */
	CHECK_INT_EQ(vault_wait_of(5, now - 1999, now), 1);
	CHECK_INT_EQ(vault_wait_of(5, now - 2000, now), 0);
	CHECK_INT_EQ(vault_wait_of(7, now - 8000, now), 0);
	/* a failure "in the future" (the clock was set back) is not waited for */
	CHECK_INT_EQ(vault_wait_of(7, now + 3600000, now), 0);
}

/* Seals values under v for id1 and checks it opens to the same text. */
static void
seal_open(struct vault *v, uint8_t **blob, size_t *len)
{
	char *back = NULL;
	struct terr e = { 0 };

	CHECK_INT_EQ(vault_seal(v, id1, values, strlen(values), blob, len, &e), 0);
	CHECK_INT_EQ(vault_open(v, id1, *blob, *len, &back, &e), 0);
	CHECK_STR_EQ(back, values);
	free(back);
	/* the text itself is nowhere in the blob */
	CHECK(*blob == NULL || memmem(*blob, *len, "Петрова", strlen("Петрова")) == NULL);
}

static void
test_create_unlock(void)
{
	struct localdb *db = db_open("a.db");
	struct vault *v = NULL;
	struct vault_limits l;
	struct terr e = { 0 };
	char rec[VAULT_RECOVERY_TEXT], *back = NULL;
	uint8_t *blob = NULL, *blob2 = NULL;
	size_t len = 0, len2 = 0;
	bool has_rec = true;

	if (db == NULL)
		return;
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	CHECK_INT_EQ(vault_state(v), VAULT_NONE);
	vault_info(v, &l, &has_rec);
	CHECK_INT_EQ(l.ops, 0);
	CHECK(!has_rec);
	CHECK_INT_EQ(vault_seal(v, id1, values, strlen(values), &blob, &len, &e), TERR_PASSPHRASE);
	CHECK_INT_EQ(vault_rewrap(v, db, pass1, strlen(pass1), NULL, &e), TERR_PASSPHRASE);
	CHECK_INT_EQ(vault_create(v, db, "short", 5, NULL, rec, &e), TERR_ARG);
	l.ops = 100;
	l.mem = crypto_pwhash_memlimit_min();
	CHECK_INT_EQ(vault_create(v, db, pass1, strlen(pass1), &l, rec, &e), TERR_ARG);
	CHECK_INT_EQ(vault_state(v), VAULT_NONE);
	meta_is(db, "vault", "(absent)");

	CHECK_INT_EQ(vault_create(v, db, pass1, strlen(pass1), NULL, rec, &e), 0);
	CHECK_INT_EQ(vault_state(v), VAULT_OPEN);
	CHECK_INT_EQ(strlen(rec), VAULT_RECOVERY_TEXT - 1);
	vault_info(v, &l, &has_rec);
	CHECK_INT_EQ(l.ops, crypto_pwhash_opslimit_min());
	CHECK(has_rec);
	CHECK_INT_EQ(vault_create(v, db, pass1, strlen(pass1), NULL, NULL, &e), TERR_ARG);
	seal_open(v, &blob, &len);
	/* padded to 64: one-byte and 60-byte texts give blobs of one size */
	CHECK_INT_EQ(vault_seal(v, id1, "{}", 2, &blob2, &len2, &e), 0);
	CHECK_INT_EQ(len2, 1 + 24 + 64 + 16);
	free(blob2);
	CHECK_INT_EQ(vault_seal(v, id1, values, 60, &blob2, &len2, &e), 0);
	CHECK_INT_EQ(len2, 1 + 24 + 64 + 16);
	free(blob2);
	CHECK_INT_EQ(vault_seal(v, id1, values, 64, &blob2, &len2, &e), 0);
	CHECK_INT_EQ(len2, 1 + 24 + 128 + 16);
	free(blob2);
	vault_free(v);
	v = NULL;
	localdb_close(db);

	/* a new process: locked until the passphrase */
	db = db_open("a.db");
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	CHECK_INT_EQ(vault_state(v), VAULT_LOCKED);
	vault_info(v, &l, &has_rec);
	CHECK_INT_EQ(l.mem, crypto_pwhash_memlimit_min());
	CHECK(has_rec);
	CHECK_INT_EQ(vault_seal(v, id1, values, strlen(values), &blob2, &len2, &e), TERR_PASSPHRASE);
	CHECK_CONTAINS(e.msg, "Нужен пароль");
	CHECK(blob2 == NULL);
	CHECK_INT_EQ(vault_open(v, id1, blob, len, &back, &e), TERR_PASSPHRASE);
	CHECK(back == NULL);
	CHECK_INT_EQ(vault_unlock(v, db, pass2, strlen(pass2), &e), TERR_PASSPHRASE);
	CHECK_STR_EQ(e.msg, "Неверный пароль.");
	CHECK_INT_EQ(vault_state(v), VAULT_LOCKED);
	meta_is(db, "vault_failures", "1");
	CHECK_INT_EQ(vault_unlock(v, db, pass1, strlen(pass1), &e), 0);
	CHECK_INT_EQ(vault_state(v), VAULT_OPEN);
	meta_is(db, "vault_failures", "0");
	CHECK_INT_EQ(vault_open(v, id1, blob, len, &back, &e), 0);
	CHECK_STR_EQ(back, values);
	free(back);
	/* an open vault still checks a passphrase given again */
	CHECK_INT_EQ(vault_unlock(v, db, pass2, strlen(pass2), &e), TERR_PASSPHRASE);
	CHECK_INT_EQ(vault_unlock(v, db, pass1, strlen(pass1), &e), 0);
	free(blob);
	vault_free(v);
	localdb_close(db);
}

#if defined(__SANITIZE_ADDRESS__)
#define TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_SANITIZED 1
#endif
#endif

/*
 * After an unlock the process is not dumpable (no core file, no ptrace or
 * /proc/PID/mem by the same user); a sanitizer build stays dumpable, for
 * LeakSanitizer. In a child made dumpable again: the state is the
 * process's (vault_create above already set it).
 */
static void
test_nodump(void)
{
#ifdef __linux__
	pid_t pid;
	int st = 0;

	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct localdb *db = db_open("a.db");
		struct vault *v = NULL;
		struct terr e = { 0 };
		int bad = 0;

		/* the parent's vault_create made it 0, and a fork keeps that */
		if (db == NULL || prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0 ||
		    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
			_exit(10);
		if (vault_load(db, &v, &e) != 0 || vault_state(v) != VAULT_LOCKED)
			_exit(11);
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
			bad = 12;       /* loading is not unlocking */
		if (vault_unlock(v, db, pass1, strlen(pass1), &e) != 0)
			_exit(13);
#ifdef TEST_SANITIZED
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1)
			bad = 14;
#else
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
			bad = 15;
#endif
		vault_free(v);
		localdb_close(db);
		_exit(bad);
	}
	CHECK(pid > 0);
	if (pid > 0)
		CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st));
	CHECK_INT_EQ(WEXITSTATUS(st), 0);
#ifdef TEST_SANITIZED
	printf("test_nodump: sanitizer build: the process stays dumpable "
	    "(LeakSanitizer needs ptrace); PR_SET_DUMPABLE not checked\n");
#endif
#endif
}

/* A blob sealed with the right key whose padding is wrong (no 0x80 mark):
 * authentic, yet refused, and nothing handed out. */
static void
forged_padding(void)
{
	uint8_t key[VAULT_KEY_BYTES], pt[64], blob[1 + 24 + 64 + 16];
	uint8_t ad[sizeof("tetrad-local-v1") - 1 + LOCALDB_ID_BYTES];
	struct vault *v = NULL;
	struct terr e = { 0 };
	char *back = NULL;

	memset(key, 9, sizeof(key));
	memset(pt, 'x', sizeof(pt));
	memcpy(ad, "tetrad-local-v1", sizeof(ad) - LOCALDB_ID_BYTES);
	memcpy(ad + sizeof(ad) - LOCALDB_ID_BYTES, id1, LOCALDB_ID_BYTES);
	blob[0] = 1;
	randombytes_buf(blob + 1, 24);
	crypto_aead_xchacha20poly1305_ietf_encrypt(blob + 25, NULL, pt, sizeof(pt), ad,
	    sizeof(ad), NULL, blob + 1, key);
	CHECK_INT_EQ(vault_from_key(key, &v, &e), 0);
	CHECK_INT_EQ(vault_open(v, id1, blob, sizeof(blob), &back, &e), TERR_DECRYPT);
	CHECK(back == NULL);
	/* the same with the mark: opens, so the refusal above was the padding */
	pt[10] = 0x80;
	memset(pt + 11, 0, sizeof(pt) - 11);
	crypto_aead_xchacha20poly1305_ietf_encrypt(blob + 25, NULL, pt, sizeof(pt), ad,
	    sizeof(ad), NULL, blob + 1, key);
	CHECK_INT_EQ(vault_open(v, id1, blob, sizeof(blob), &back, &e), 0);
	CHECK_STR_EQ(back, "xxxxxxxxxx");
	free(back);
	vault_free(v);
}

static void
test_blobs(void)
{
	uint8_t key[VAULT_KEY_BYTES], *blob = NULL, *big = NULL;
	struct vault *v = NULL, *other = NULL;
	struct terr e = { 0 };
	char *back = NULL;
	size_t len = 0, n;

	memset(key, 7, sizeof(key));
	CHECK_INT_EQ(vault_from_key(key, &v, &e), 0);
	key[0] ^= 1;
	CHECK_INT_EQ(vault_from_key(key, &other, &e), 0);
	if (v == NULL || other == NULL)
		goto out;
	seal_open(v, &blob, &len);
	if (blob == NULL)
		goto out;
	CHECK_INT_EQ(vault_open(v, id2, blob, len, &back, &e), TERR_DECRYPT);
	CHECK_CONTAINS(e.msg, "другой записи");
	CHECK_INT_EQ(vault_open(other, id1, blob, len, &back, &e), TERR_DECRYPT);
	for (size_t i = 0; i < len; i += 7) {
		blob[i] ^= 0x20;
		CHECK_INT_EQ(vault_open(v, id1, blob, len, &back, &e), TERR_DECRYPT);
		blob[i] ^= 0x20;
	}
	CHECK_INT_EQ(vault_open(v, id1, blob, len - 1, &back, &e), TERR_DECRYPT);
	CHECK_INT_EQ(vault_open(v, id1, blob, len - 64, &back, &e), TERR_DECRYPT);
	CHECK_INT_EQ(vault_open(v, id1, blob, 0, &back, &e), TERR_DECRYPT);
	CHECK_INT_EQ(vault_open(v, id1, NULL, 0, &back, &e), TERR_DECRYPT);
	CHECK_INT_EQ(vault_open(v, id1, blob, VAULT_SEALED_MAX + 1, &back, &e), TERR_TOO_LARGE);
	CHECK(back == NULL);
	CHECK_INT_EQ(vault_open(v, id1, blob, len, &back, &e), 0);
	free(back);
	back = NULL;
	blob[0] = 2;                    /* a format this build does not know */
	CHECK_INT_EQ(vault_open(v, id1, blob, len, &back, &e), TERR_DECRYPT);
	free(blob);
	blob = NULL;

	/* the cap: what fits seals and opens, one byte more does not */
	n = VAULT_SEALED_MAX - (1 + 24 + 64 + 16);
	if ((big = malloc(n + 1)) == NULL)
		goto out;
	memset(big, 'x', n + 1);
	CHECK_INT_EQ(vault_seal(v, id1, (char *)big, n + 1, &blob, &len, &e), TERR_TOO_LARGE);
	CHECK_INT_EQ(vault_seal(v, id1, (char *)big, n, &blob, &len, &e), 0);
	CHECK(len <= VAULT_SEALED_MAX);
	CHECK_INT_EQ(vault_open(v, id1, blob, len, &back, &e), 0);
	CHECK(back != NULL && strlen(back) == n);
 out:
	free(back);
	free(big);
	free(blob);
	vault_free(v);
	vault_free(other);
}

static void
test_failures(void)
{
	struct localdb *db = db_open("f.db");
	struct vault *v = NULL;
	struct terr e = { 0 };
	unsigned wait = 99;
	char at[32];

	if (db == NULL)
		return;
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	CHECK_INT_EQ(vault_wait(v, db, &wait, &e), 0);
	CHECK_INT_EQ(wait, 0);
	CHECK_INT_EQ(vault_create(v, db, pass1, strlen(pass1), NULL, NULL, &e), 0);
	vault_free(v);
	v = NULL;
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	for (int i = 0; i < VAULT_FREE_TRIES; i++) {
		CHECK_INT_EQ(vault_wait(v, db, &wait, &e), 0);
		CHECK_INT_EQ(wait, 0);
		CHECK_INT_EQ(vault_unlock(v, db, pass2, strlen(pass2), &e), TERR_PASSPHRASE);
		CHECK_STR_EQ(e.msg, "Неверный пароль.");
	}
	meta_is(db, "vault_failures", "5");
	CHECK_INT_EQ(vault_wait(v, db, &wait, &e), 0);
	CHECK(wait >= 1500 && wait <= 2000);
	/* too soon: refused without trying, even the right one, not counted */
	CHECK_INT_EQ(vault_unlock(v, db, pass1, strlen(pass1), &e), TERR_PASSPHRASE);
	CHECK_CONTAINS(e.msg, "Слишком много неверных попыток: повторите через");
	CHECK_INT_EQ(vault_state(v), VAULT_LOCKED);
	meta_is(db, "vault_failures", "5");

	/* another process waits too */
	vault_free(v);
	v = NULL;
	localdb_close(db);
	db = db_open("f.db");
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	CHECK_INT_EQ(vault_wait(v, db, &wait, &e), 0);
	CHECK(wait >= 1000 && wait <= 2000);
	/* time passes (the last failure moved back), one more wrong: 4 s */
	snprintf(at, sizeof(at), "%lld", (long long)vault_now_ms() - 100000);
	CHECK_INT_EQ(localdb_meta_set(db, "vault_failed_at", at, &e), 0);
	CHECK_INT_EQ(vault_wait(v, db, &wait, &e), 0);
	CHECK_INT_EQ(wait, 0);
	CHECK_INT_EQ(vault_unlock(v, db, pass2, strlen(pass2), &e), TERR_PASSPHRASE);
	meta_is(db, "vault_failures", "6");
	CHECK_INT_EQ(vault_wait(v, db, &wait, &e), 0);
	CHECK(wait >= 3000 && wait <= 4000);
	/* never inside the caller's transaction (its rollback would erase the
	 * count): refused, nothing checked, nothing counted */
	CHECK_INT_EQ(localdb_meta_set(db, "vault_failed_at", at, &e), 0);
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(vault_unlock(v, db, pass2, strlen(pass2), &e), TERR_INTERNAL);
	CHECK_INT_EQ(vault_unlock(v, db, pass1, strlen(pass1), &e), TERR_INTERNAL);
	CHECK_INT_EQ(vault_state(v), VAULT_LOCKED);
	localdb_rollback(db);
	meta_is(db, "vault_failures", "6");
	/* a count that cannot be written: TERR_IO, the passphrase not checked */
	{
		sqlite3 *h = NULL;

		CHECK_INT_EQ(sqlite3_open(localdb_file(db), &h), SQLITE_OK);
		CHECK_INT_EQ(sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
		CHECK_INT_EQ(vault_unlock(v, db, pass1, strlen(pass1), &e), TERR_IO);
		CHECK_INT_EQ(vault_state(v), VAULT_LOCKED);
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(h);
	}
	meta_is(db, "vault_failures", "6");
	/* a damaged counter waits the longest once */
	CHECK_INT_EQ(localdb_meta_set(db, "vault_failures", "много", &e), 0);
	CHECK_INT_EQ(localdb_meta_set(db, "vault_failed_at", "0", &e), 0);
	CHECK_INT_EQ(vault_wait(v, db, &wait, &e), 0);
	CHECK_INT_EQ(wait, 0);
	snprintf(at, sizeof(at), "%lld", (long long)vault_now_ms());
	CHECK_INT_EQ(localdb_meta_set(db, "vault_failed_at", at, &e), 0);
	CHECK_INT_EQ(vault_wait(v, db, &wait, &e), 0);
	CHECK(wait >= 59000 && wait <= 60000);
	/* the right one after the wait resets the count */
	snprintf(at, sizeof(at), "%lld", (long long)vault_now_ms() - 100000);
	CHECK_INT_EQ(localdb_meta_set(db, "vault_failed_at", at, &e), 0);
	CHECK_INT_EQ(vault_unlock(v, db, pass1, strlen(pass1), &e), 0);
	meta_is(db, "vault_failures", "0");
	CHECK_INT_EQ(vault_wait(v, db, &wait, &e), 0);
	CHECK_INT_EQ(wait, 0);
	vault_free(v);
	localdb_close(db);
}

static void
test_recovery_rewrap_drop(void)
{
	struct localdb *db = db_open("r.db");
	struct vault *v = NULL;
	struct terr e = { 0 };
	char rec[VAULT_RECOVERY_TEXT], lower[VAULT_RECOVERY_TEXT], *back = NULL;
	uint8_t *blob = NULL, *blob2 = NULL;
	size_t len = 0, len2 = 0;
	bool has_rec;

	if (db == NULL)
		return;
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	CHECK_INT_EQ(vault_create(v, db, pass1, strlen(pass1), NULL, rec, &e), 0);
	seal_open(v, &blob, &len);
	vault_free(v);
	v = NULL;

	/* the recovery key opens it, typed in lower case */
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	for (size_t i = 0; i < sizeof(rec); i++)
		lower[i] = (char)(rec[i] >= 'A' && rec[i] <= 'Z' ? rec[i] + 32 : rec[i]);
	CHECK_INT_EQ(vault_unlock_recovery(v, db, "ABCD-EFGH", &e), TERR_PASSPHRASE);
	CHECK_CONTAINS(e.msg, "не распознан");
	meta_is(db, "vault_failures", "(absent)");
	CHECK_INT_EQ(vault_unlock_recovery(v, db, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", &e),
	    TERR_PASSPHRASE);
	CHECK_STR_EQ(e.msg, "Неверный ключ восстановления.");
	meta_is(db, "vault_failures", "1");
	CHECK_INT_EQ(vault_unlock_recovery(v, db, lower, &e), 0);
	CHECK_INT_EQ(vault_state(v), VAULT_OPEN);
	CHECK_INT_EQ(vault_open(v, id1, blob, len, &back, &e), 0);
	CHECK_STR_EQ(back, values);
	free(back);
	back = NULL;

	/* a new passphrase: the same data key, the recovery wrap kept */
	CHECK_INT_EQ(vault_rewrap(v, db, "ко", strlen("ко"), NULL, &e), TERR_ARG);
	CHECK_INT_EQ(vault_rewrap(v, db, pass2, strlen(pass2), NULL, &e), 0);
	CHECK_INT_EQ(vault_seal(v, id2, values, strlen(values), &blob2, &len2, &e), 0);
	vault_free(v);
	v = NULL;
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	CHECK_INT_EQ(vault_unlock(v, db, pass1, strlen(pass1), &e), TERR_PASSPHRASE);
	CHECK_INT_EQ(vault_unlock(v, db, pass2, strlen(pass2), &e), 0);
	CHECK_INT_EQ(vault_open(v, id1, blob, len, &back, &e), 0);
	CHECK_STR_EQ(back, values);
	free(back);
	back = NULL;
	vault_free(v);
	v = NULL;
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	vault_info(v, NULL, &has_rec);
	CHECK(has_rec);
	CHECK_INT_EQ(vault_unlock_recovery(v, db, rec, &e), 0);
	CHECK_INT_EQ(vault_open(v, id2, blob2, len2, &back, &e), 0);
	CHECK_STR_EQ(back, values);
	free(back);
	back = NULL;
	vault_free(v);
	v = NULL;

	/* drop a locked vault (forgot everything), then create anew without
	 * a recovery key: the old blobs no longer open */
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	CHECK_INT_EQ(vault_unlock(v, db, pass1, strlen(pass1), &e), TERR_PASSPHRASE);
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(vault_drop(v, db, &e), 0);
	CHECK_INT_EQ(vault_state(v), VAULT_NONE);
	CHECK_INT_EQ(vault_create(v, db, pass1, strlen(pass1), NULL, NULL, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	meta_is(db, "vault_failures", "0");
	vault_info(v, NULL, &has_rec);
	CHECK(!has_rec);
	CHECK_INT_EQ(vault_open(v, id1, blob, len, &back, &e), TERR_DECRYPT);
	vault_free(v);
	v = NULL;
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	CHECK_INT_EQ(vault_unlock_recovery(v, db, rec, &e), TERR_PASSPHRASE);
	CHECK_CONTAINS(e.msg, "не создавался");
	CHECK_INT_EQ(vault_unlock(v, db, pass1, strlen(pass1), &e), 0);
	/* drop an open one: back to none, meta emptied */
	CHECK_INT_EQ(vault_drop(v, db, &e), 0);
	CHECK_INT_EQ(vault_state(v), VAULT_NONE);
	meta_is(db, "vault", "");
	CHECK_INT_EQ(vault_drop(v, db, &e), 0);
	vault_free(v);
	v = NULL;
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	CHECK_INT_EQ(vault_state(v), VAULT_NONE);
	vault_free(v);
	v = NULL;

	/* created inside a transaction that is rolled back: nothing stored */
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(vault_create(v, db, pass1, strlen(pass1), NULL, NULL, &e), 0);
	localdb_rollback(db);
	vault_free(v);
	v = NULL;
	CHECK_INT_EQ(vault_load(db, &v, &e), 0);
	CHECK_INT_EQ(vault_state(v), VAULT_NONE);
	vault_free(v);
	free(blob);
	free(blob2);
	localdb_close(db);
}

/* A well-formed meta text with one member replaced (or added) by extra. */
static void
damaged(const char *text, const char *why)
{
	struct vault *v = NULL;
	struct terr e = { 0 };
	int r = vault_parse_meta(text, strlen(text), &v, &e);

	CHECK_INT_EQ(r, TERR_PARSE);
	CHECK(v == NULL);
	if (r != TERR_PARSE)
		fprintf(stderr, "  accepted (%s): %s\n", why, text);
	CHECK_CONTAINS(e.msg, "Ключ в базе данных повреждён");
}

static void
test_damaged_meta(void)
{
	static const char salt[] = "AAAAAAAAAAAAAAAAAAAAAA==";
	char wrap[128], ok[512], t[6000];
	uint8_t zero[72] = { 0 };
	struct localdb *db = db_open("d.db");
	struct vault *v = NULL;
	struct terr e = { 0 };

	sodium_bin2base64(wrap, sizeof(wrap), zero, sizeof(zero), sodium_base64_VARIANT_ORIGINAL);
#define M(fmt, ...) (snprintf(t, sizeof(t), fmt, __VA_ARGS__), t)
	snprintf(ok, sizeof(ok), "{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":65536,"
	    "\"salt\":\"%s\",\"wrap\":\"%s\",\"recovery\":\"%s\"}", salt, wrap, wrap);
	CHECK_INT_EQ(vault_parse_meta(ok, strlen(ok), &v, &e), 0);
	CHECK_INT_EQ(vault_state(v), VAULT_LOCKED);
	vault_free(v);
	v = NULL;
	/* white space around is fine, as SQLite tools may leave it */
	snprintf(t, sizeof(t), " %s\n", ok);
	CHECK_INT_EQ(vault_parse_meta(t, strlen(t), &v, &e), 0);
	vault_free(v);
	v = NULL;

	damaged("", "empty");
	damaged("not json", "text");
	damaged("[1,2]", "array");
	damaged("null", "null");
	damaged(M("%s x", ok), "trailing");
	damaged(M("{\"v\":2,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "v2");
	damaged(M("{\"v\":\"1\",\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "v text");
	damaged(M("{\"v\":1,\"kdf\":\"argon2i13\",\"ops\":2,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "kdf");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":0,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "ops 0");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":33,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "ops 33");
	/* the caps: ops 10, 1 GiB (a crafted row must not take a minute or
	 * more memory than a school PC has) */
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":11,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "ops 11");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":1073742848,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "mem 1 GiB + 1 KiB");
	snprintf(t, sizeof(t), "{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":10,\"mem\":1073741824,"
	    "\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap);
	CHECK_INT_EQ(vault_parse_meta(t, strlen(t), &v, &e), 0);
	vault_free(v);
	v = NULL;
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2.5,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "ops 2.5");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":1e300,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "ops huge");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":-3,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "ops negative");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":1024,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "mem small");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":8589934592,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "mem 8 GiB");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":65536,\"salt\":\"AAAA\",\"wrap\":\"%s\"}", wrap), "salt short");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":65536,\"salt\":\"AAAAAAAAAAAAAAAAAAAAAB==\",\"wrap\":\"%s\"}", wrap), "salt spare bits");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":65536,\"salt\":\"AAAAAAAAAAAAAAAAAAAAAA\",\"wrap\":\"%s\"}", wrap), "salt unpadded");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":65536,\"salt\":\"AAAAAAAAAAAAAAAAAAAAA*==\",\"wrap\":\"%s\"}", wrap), "salt char");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, salt), "wrap short");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\",\"recovery\":1}", salt, wrap), "recovery number");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":65536,\"salt\":\"%s\"}", salt), "no wrap");
	damaged(M("{\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\",\"x\":1}", salt, wrap), "unknown key");
	damaged(M("{\"v\":1,\"v\":1,\"kdf\":\"argon2id13\",\"ops\":2,\"mem\":65536,\"salt\":\"%s\",\"wrap\":\"%s\"}", salt, wrap), "repeated key");
	memset(t, ' ', sizeof(t) - 1);
	t[sizeof(t) - 1] = '\0';
	memcpy(t, ok, strlen(ok));
	damaged(t, "too long");
	/* a NUL inside the given length */
	snprintf(t, sizeof(t), "%s", ok);
	CHECK_INT_EQ(vault_parse_meta(t, strlen(t) + 1, &v, &e), TERR_PARSE);
#undef M

	/* through the database, as a crafted file would bring it */
	if (db != NULL) {
		CHECK_INT_EQ(localdb_meta_set(db, "vault", "{\"v\":1}", &e), 0);
		CHECK_INT_EQ(vault_load(db, &v, &e), TERR_PARSE);
		CHECK(v == NULL);
		CHECK_CONTAINS(e.msg, "Ключ в базе данных повреждён");
		/* for `passphrase reset`: locked for good, only dropped */
		CHECK_INT_EQ(vault_load_any(db, &v, &e), 0);
		CHECK_INT_EQ(vault_state(v), VAULT_LOCKED);
		CHECK(vault_damaged(v));
		CHECK_INT_EQ(vault_unlock(v, db, pass1, strlen(pass1), &e), TERR_PARSE);
		CHECK_CONTAINS(e.msg, "tetrad passphrase reset");
		meta_is(db, "vault_failures", "(absent)");
		CHECK_INT_EQ(vault_drop(v, db, &e), 0);
		CHECK(vault_state(v) == VAULT_NONE && !vault_damaged(v));
		meta_is(db, "vault", "");
		vault_free(v);
		v = NULL;
		CHECK_INT_EQ(localdb_meta_set(db, "vault", ok, &e), 0);
		CHECK_INT_EQ(vault_load(db, &v, &e), 0);
		/* a zero wrap: every passphrase is wrong, nothing crashes */
		CHECK_INT_EQ(vault_unlock(v, db, pass1, strlen(pass1), &e), TERR_PASSPHRASE);
		CHECK_INT_EQ(vault_unlock_recovery(v, db, "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA", &e),
		    TERR_PASSPHRASE);
		vault_free(v);
		localdb_close(db);
	}
}

int
main(void)
{
	char cmd[300];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_limits_and_pass();     /* leaves TETRAD_PWHASH=test for the rest */
	test_recovery_text();
	test_waits();
	test_create_unlock();
	test_nodump();
	test_blobs();
	forged_padding();
	test_failures();
	test_recovery_rewrap_drop();
	test_damaged_meta();
	vault_free(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return check_summary();
}
