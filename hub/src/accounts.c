/*
 * accounts — logins, passwords, failures and sessions of the dashboard
 * (hub/accounts.h). Argon2id through libsodium's crypto_pwhash_str at its
 * "interactive" cost: about 0.15 s and 64 MiB a check on this project's
 * machines, which a person logging in does not notice and which makes a
 * stolen database's hashes slow to guess.
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "hub/accounts.h"
#include "tetrad/school.h"

/*
 * What an unknown login's password is checked against, so that a wrong
 * login costs the same time as a wrong password (made once with
 * crypto_pwhash_str at the same cost; its password is not secret).
 */
static const char accounts_dummy_hash[] =
    "$argon2id$v=19$m=65536,t=2,p=1$flCu2O77fFBsJj8gzHXXIg$"
    "atfRsfC7bIl30Fp1ZaP634f36vE5I42T5PQvbIMnLwQ";

static const char *const role_names[] = { "admin", "coordinator", "school" };
static const char *const role_labels[] = { "администратор", "координатор", "школа" };

bool
accounts_role_parse(const char *s, enum accounts_role *role)
{
	for (size_t i = 0; s != NULL && i < sizeof(role_names) / sizeof(role_names[0]); i++)
		if (strcmp(s, role_names[i]) == 0) {
			*role = (enum accounts_role)i;
			return true;
		}
	return false;
}

const char *
accounts_role_label(enum accounts_role role)
{
	return (unsigned)role < 3 ? role_labels[role] : "?";
}

bool
accounts_login_norm(const char *login, char out[HUBDB_LOGIN_MAX + 1])
{
	size_t n = login ? strlen(login) : 0;

	out[0] = '\0';
	if (n == 0 || n > HUBDB_LOGIN_MAX || !isalnum((unsigned char)login[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)login[i];

		if (c >= 0x80 || !(isalnum(c) || c == '.' || c == '_' || c == '-'))
			return false;
		out[i] = (char)tolower(c);
	}
	out[n] = '\0';
	return true;
}

int
accounts_login_check(const char *login, struct terr *e)
{
	char norm[HUBDB_LOGIN_MAX + 1];

	if (!accounts_login_norm(login, norm))
		return terr_set(e, TERR_ARG, "логин — от 1 до %d латинских букв, цифр, «.», «_» "
		    "или «-», первым буква или цифра", HUBDB_LOGIN_MAX);
	return 0;
}

int
accounts_password_check(const char *pw, struct terr *e)
{
	size_t chars = 0, n = pw ? strlen(pw) : 0;

	if (n > ACCOUNTS_PASSWORD_MAX)
		return terr_set(e, TERR_ARG, "пароль длиннее %d байт", ACCOUNTS_PASSWORD_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pw[i];

		if (c < 0x20 || c == 0x7f)
			return terr_set(e, TERR_ARG, "в пароле не должно быть управляющих символов");
		if ((c & 0xc0) != 0x80)
			chars++;
	}
	if (chars < ACCOUNTS_PASSWORD_MIN)
		return terr_set(e, TERR_ARG, "пароль короче %d символов", ACCOUNTS_PASSWORD_MIN);
	return 0;
}

static int
accounts_hash(const char *password, char out[HUBDB_PWHASH_MAX], struct terr *e)
{
	_Static_assert(crypto_pwhash_STRBYTES <= HUBDB_PWHASH_MAX, "hash fits");
	if (crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти для хеширования пароля");
	return 0;
}

int
accounts_add(struct hubdb *db, const char *login, enum accounts_role role,
    const char *school, const char *password, struct terr *e)
{
	struct hubdb_user u;
	int r;

	memset(&u, 0, sizeof(u));
	if ((r = accounts_login_check(login, e)) != 0)
		return r;
	accounts_login_norm(login, u.login);
	if ((unsigned)role > ACCOUNTS_SCHOOL)
		return terr_set(e, TERR_ARG, "неизвестная роль");
	if (role == ACCOUNTS_SCHOOL && (school == NULL || !school_code_ok(school)))
		return terr_set(e, TERR_ARG, "для роли «школа» нужен код её школы");
	if (role != ACCOUNTS_SCHOOL && school != NULL && school[0])
		return terr_set(e, TERR_ARG, "код школы задаётся только для роли «школа»");
	if ((r = accounts_password_check(password, e)) != 0)
		return r;
	snprintf(u.role, sizeof(u.role), "%s", role_names[role]);
	if (role == ACCOUNTS_SCHOOL)
		snprintf(u.school, sizeof(u.school), "%s", school);
	if ((r = accounts_hash(password, u.pwhash, e)) != 0)
		return r;
	r = hubdb_user_add(db, &u, e);
	sodium_memzero(u.pwhash, sizeof(u.pwhash));
	return r;
}

int
accounts_set_password(struct hubdb *db, const char *login, const char *password,
    struct terr *e)
{
	char norm[HUBDB_LOGIN_MAX + 1], hash[HUBDB_PWHASH_MAX];
	int r;

	if (!accounts_login_norm(login, norm))
		return terr_set(e, TERR_ARG, "нет учётной записи «%.64s»", login ? login : "");
	if ((r = accounts_password_check(password, e)) != 0 ||
	    (r = accounts_hash(password, hash, e)) != 0)
		return r;
	/* the new hash and the end of the old sessions together, or neither */
	if ((r = hubdb_begin(db, e)) != 0)
		return r;
	if ((r = hubdb_user_set_password(db, norm, hash, e)) != 0 ||
	    (r = hubdb_sessions_del_login(db, norm, e)) != 0 ||
	    (r = hubdb_commit(db, e)) != 0)
		hubdb_rollback(db);
	return r;
}

/* TERR_ARG when login is the last enabled administrator: nobody could
 * administer the hub from the dashboard after it is disabled. */
static int
accounts_keep_admin(struct hubdb *db, const char *norm, struct terr *e)
{
	struct hubdb_user u;
	bool found = false;
	int64_t n = 0;
	int r;

	if ((r = hubdb_user_get(db, norm, &u, &found, e)) != 0)
		return r;
	sodium_memzero(u.pwhash, sizeof(u.pwhash));
	if (!found || u.disabled || strcmp(u.role, role_names[ACCOUNTS_ADMIN]) != 0)
		return 0;
	if ((r = hubdb_users_enabled(db, role_names[ACCOUNTS_ADMIN], &n, e)) != 0)
		return r;
	if (n <= 1)
		return terr_set(e, TERR_ARG, "«%s» — последний действующий администратор: "
		    "сначала создайте или разблокируйте другого", norm);
	return 0;
}

int
accounts_set_disabled(struct hubdb *db, const char *login, bool disabled, struct terr *e)
{
	char norm[HUBDB_LOGIN_MAX + 1];
	int r;

	if (!accounts_login_norm(login, norm))
		return terr_set(e, TERR_ARG, "нет учётной записи «%.64s»", login ? login : "");
	if ((r = hubdb_begin(db, e)) != 0)
		return r;
	/* counted inside the transaction: two administrators disabling each
	 * other at once cannot both pass */
	if (disabled && (r = accounts_keep_admin(db, norm, e)) != 0) {
		hubdb_rollback(db);
		return r;
	}
	if ((r = hubdb_user_set_disabled(db, norm, disabled, e)) != 0 ||
	    (disabled && (r = hubdb_sessions_del_login(db, norm, e)) != 0) ||
	    (r = hubdb_commit(db, e)) != 0)
		hubdb_rollback(db);
	return r;
}

/* The hash of a cookie's token (hex); false when it is no token. */
static bool
accounts_token_hash(const char *token, uint8_t hash[32])
{
	uint8_t raw[ACCOUNTS_TOKEN_HEX / 2];
	size_t got = 0;

	if (token == NULL || strlen(token) != ACCOUNTS_TOKEN_HEX ||
	    sodium_hex2bin(raw, sizeof(raw), token, ACCOUNTS_TOKEN_HEX, NULL, &got, NULL) != 0 ||
	    got != sizeof(raw))
		return false;
	crypto_generichash(hash, 32, raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	return true;
}

static void
accounts_random_hex(char *out, size_t hexlen)
{
	uint8_t raw[32];

	randombytes_buf(raw, hexlen / 2);
	sodium_bin2hex(out, hexlen + 1, raw, hexlen / 2);
	sodium_memzero(raw, sizeof(raw));
}

/* The user's part of a session; false when the account cannot log in. */
static bool
accounts_fill(const struct hubdb_user *u, struct accounts_session *out)
{
	if (u->disabled || !accounts_role_parse(u->role, &out->role))
		return false;
	snprintf(out->login, sizeof(out->login), "%s", u->login);
	snprintf(out->school, sizeof(out->school), "%s", u->school);
	return !(out->role == ACCOUNTS_SCHOOL && !school_code_ok(out->school));
}

/*
 * Counts an attempt of login at now as a failure before its password is
 * checked, in one write transaction: *u is the account as the attempt
 * found it (its lock as it was, its count with this attempt). An account
 * locked at now is left as it is: the attempt is refused without a check.
 */
static int
accounts_charge(struct hubdb *db, const char *login, int64_t now, struct hubdb_user *u,
    bool *found, struct terr *e)
{
	int64_t n, until = 0;
	int r;

	*found = false;
	if ((r = hubdb_begin(db, e)) != 0)
		return r;
	if ((r = hubdb_user_get(db, login, u, found, e)) != 0 || !*found ||
	    u->locked_until > now)
		goto out;
	n = u->fail_n + 1;
	if (n >= ACCOUNTS_FAIL_FREE) {
		int64_t lock = ACCOUNTS_LOCK_BASE_S;

		for (int64_t i = ACCOUNTS_FAIL_FREE; i < n && lock < ACCOUNTS_LOCK_MAX_S; i++)
			lock *= 2;
		until = now + (lock < ACCOUNTS_LOCK_MAX_S ? lock : ACCOUNTS_LOCK_MAX_S);
	}
	if ((r = hubdb_user_set_failures(db, login, n, until, e)) == 0 &&
	    (r = hubdb_commit(db, e)) == 0)
		u->fail_n = n;
 out:
	hubdb_rollback(db);
	return r;
}

/*
 * The check both callers share: *verdict, and on ACCOUNTS_OK the account's
 * row in *u (its hash wiped by the caller).
 */
static int
accounts_verify(struct hubdb *db, const char *norm, bool norm_ok, const char *password,
    int64_t now, struct hubdb_user *u, enum accounts_verdict *verdict, unsigned *wait_s,
    struct accounts_session *out, struct terr *e)
{
	bool found = false, ok;
	int r;

	*verdict = ACCOUNTS_WRONG;
	*wait_s = 0;
	memset(u, 0, sizeof(*u));
	if (password == NULL || strlen(password) > ACCOUNTS_PASSWORD_MAX)
		password = "";
	/*
	 * The attempt is counted as a failure before the password is checked,
	 * in one write transaction with the look at the lock: attempts sent at
	 * once (4 checks run in parallel) all meet the count of the ones before
	 * them, so none gets past a lock another has just set. A right
	 * password then clears the count (the callers' reset).
	 */
	if (norm_ok && (r = accounts_charge(db, norm, now, u, &found, e)) != 0)
		return r;
	if (found && u->locked_until > now) {
		/* no check while locked: a correct guess must not tell itself apart */
		*verdict = ACCOUNTS_LOCKED;
		*wait_s = (unsigned)(u->locked_until - now);
		return 0;
	}
	ok = crypto_pwhash_str_verify(found ? u->pwhash : accounts_dummy_hash, password,
	    strlen(password)) == 0 && found;
	if (!ok || !accounts_fill(u, out)) {
		memset(out, 0, sizeof(*out));
		return 0;
	}
	*verdict = ACCOUNTS_OK;
	return 0;
}

int
accounts_check_password(struct hubdb *db, const char *login, const char *password,
    int64_t now, enum accounts_verdict *verdict, unsigned *wait_s, struct terr *e)
{
	struct accounts_session who;
	struct hubdb_user u;
	char norm[HUBDB_LOGIN_MAX + 1];
	bool norm_ok = accounts_login_norm(login, norm);
	int r;

	r = accounts_verify(db, norm, norm_ok, password, now, &u, verdict, wait_s, &who, e);
	if (r == 0 && *verdict == ACCOUNTS_OK && u.fail_n != 0)
		r = hubdb_user_set_failures(db, norm, 0, 0, e);
	sodium_memzero(u.pwhash, sizeof(u.pwhash));
	sodium_memzero(&who, sizeof(who));
	return r;
}

int
accounts_login(struct hubdb *db, const char *login, const char *password,
    const char *addr, int64_t now, enum accounts_verdict *verdict, unsigned *wait_s,
    struct accounts_session *out, struct terr *e)
{
	struct hubdb_user u;
	struct hubdb_session s;
	char norm[HUBDB_LOGIN_MAX + 1], before[HUBDB_TIME_MAX] = "";
	bool norm_ok = accounts_login_norm(login, norm);
	int r;

	memset(out, 0, sizeof(*out));
	r = accounts_verify(db, norm, norm_ok, password, now, &u, verdict, wait_s, out, e);
	if (r != 0 || *verdict != ACCOUNTS_OK)
		goto out;
	*verdict = ACCOUNTS_WRONG;
	memset(&s, 0, sizeof(s));
	accounts_random_hex(out->token, ACCOUNTS_TOKEN_HEX);
	accounts_random_hex(out->csrf, HUBDB_CSRF_MAX - 1);
	accounts_token_hash(out->token, s.hash);
	snprintf(s.login, sizeof(s.login), "%s", norm);
	snprintf(s.csrf, sizeof(s.csrf), "%s", out->csrf);
	s.created_at = s.seen_at = now;
	snprintf(s.addr, sizeof(s.addr), "%s", addr ? addr : "?");
	if ((r = hubdb_begin(db, e)) != 0)
		goto out;
	/* the housekeeping of a login: old sessions and old audit entries go */
	{
		time_t cut = (time_t)(now - (int64_t)ACCOUNTS_AUDIT_KEEP_DAYS * 86400);
		struct tm tm;

		if (gmtime_r(&cut, &tm) != NULL)
			strftime(before, sizeof(before), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if ((r = hubdb_sessions_expire(db, now - ACCOUNTS_IDLE_S, now - ACCOUNTS_ABSOLUTE_S,
	    e)) != 0 || (before[0] && (r = hubdb_audit_purge(db, before, e)) != 0) ||
	    (u.fail_n != 0 && (r = hubdb_user_set_failures(db, norm, 0, 0, e)) != 0) ||
	    (r = hubdb_session_add(db, &s, e)) != 0 ||
	    (r = hubdb_commit(db, e)) != 0) {
		hubdb_rollback(db);
		goto out;
	}
	*verdict = ACCOUNTS_OK;
 out:
	if (*verdict != ACCOUNTS_OK)
		sodium_memzero(out, sizeof(*out));
	sodium_memzero(u.pwhash, sizeof(u.pwhash));
	return r;
}

int
accounts_session(struct hubdb *db, const char *token, int64_t now, bool *valid,
    struct accounts_session *out, struct terr *e)
{
	struct hubdb_session s;
	struct hubdb_user u;
	uint8_t hash[32];
	bool found = false;
	int r;

	*valid = false;
	memset(out, 0, sizeof(*out));
	if (!accounts_token_hash(token, hash))
		return 0;
	if ((r = hubdb_session_get(db, hash, &s, &found, e)) != 0 || !found)
		return r;
	if (s.seen_at < now - ACCOUNTS_IDLE_S || s.created_at < now - ACCOUNTS_ABSOLUTE_S)
		return hubdb_session_del(db, hash, e);
	if ((r = hubdb_user_get(db, s.login, &u, &found, e)) != 0)
		return r;
	sodium_memzero(u.pwhash, sizeof(u.pwhash));
	if (!found || !accounts_fill(&u, out)) {
		memset(out, 0, sizeof(*out));
		return hubdb_session_del(db, hash, e);
	}
	snprintf(out->csrf, sizeof(out->csrf), "%s", s.csrf);
	/*
	 * A page a second must not cost a write a second. A touch that fails
	 * (a busy store) is not the end of a session already found valid: the
	 * next page touches it.
	 */
	if (now - s.seen_at >= ACCOUNTS_TOUCH_S) {
		struct terr te;

		terr_clear(&te);
		(void)hubdb_session_touch(db, hash, now, &te);
	}
	*valid = true;
	return 0;
}

int
accounts_logout(struct hubdb *db, const char *token, struct terr *e)
{
	uint8_t hash[32];

	if (!accounts_token_hash(token, hash))
		return 0;
	return hubdb_session_del(db, hash, e);
}
