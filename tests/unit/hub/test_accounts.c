/*
 * test_accounts — the dashboard's accounts on a real store: logins and
 * passwords checked (a login is lower-cased, a short password refused, a
 * school account needs its school), a login opens a session found by its
 * cookie's token, the store holds only the token's hash, a wrong password
 * and an unknown login look alike, five failures lock the account with a
 * lock that grows and a success clears, sessions end when idle, after the
 * absolute limit, at logout, at a password change and when the account is
 * disabled; the audit log keeps its entries newest first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "test_store.h"
#include "hub/accounts.h"
#include "hub/hubdb_web.h"

#define PW "correct horse battery"
#define T0 1800000000LL

static struct hubdb *db;

static void
test_rules(void)
{
	char out[HUBDB_LOGIN_MAX + 1];
	struct terr e;
	enum accounts_role r;

	CHECK(accounts_login_norm("Anna.Petrova_2", out));
	CHECK_STR_EQ(out, "anna.petrova_2");
	CHECK(!accounts_login_norm(".anna", out));
	CHECK(!accounts_login_norm("анна", out));
	CHECK(!accounts_login_norm("a b", out));
	CHECK(!accounts_login_norm("", out));
	CHECK_INT_EQ(accounts_password_check("short", &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "короче 10");
	/* ten characters, Cyrillic: counted as characters, not bytes */
	CHECK_INT_EQ(accounts_password_check("пароль1234", &e), 0);
	CHECK_INT_EQ(accounts_password_check("пароль123", &e), TERR_ARG);
	CHECK_INT_EQ(accounts_password_check("with\ttab-long", &e), TERR_ARG);
	CHECK(accounts_role_parse("coordinator", &r) && r == ACCOUNTS_COORDINATOR);
	CHECK(!accounts_role_parse("root", &r));
	CHECK_INT_EQ(accounts_add(db, "dir", ACCOUNTS_SCHOOL, NULL, PW, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "код её школы");
	CHECK_INT_EQ(accounts_add(db, "coord", ACCOUNTS_COORDINATOR, "0101", PW, &e), TERR_ARG);
	CHECK_INT_EQ(accounts_add(db, "Anna", ACCOUNTS_COORDINATOR, NULL, PW, &e), 0);
	CHECK_INT_EQ(accounts_add(db, "anna", ACCOUNTS_ADMIN, NULL, PW, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "уже есть");
	CHECK_INT_EQ(accounts_add(db, "dir", ACCOUNTS_SCHOOL, "0101", PW, &e), 0);
}

static void
test_login_session(void)
{
	struct accounts_session s, again;
	enum accounts_verdict v;
	struct hubdb_session row;
	uint8_t raw[32], hash[32];
	unsigned wait = 0;
	bool valid = false, found = false;
	size_t got = 0;
	struct terr e;
	char *dump = NULL;

	CHECK_INT_EQ(accounts_login(db, "ANNA", PW, "192.0.2.1", T0, &v, &wait, &s, &e), 0);
	CHECK_INT_EQ(v, ACCOUNTS_OK);
	CHECK_STR_EQ(s.login, "anna");
	CHECK_INT_EQ(s.role, ACCOUNTS_COORDINATOR);
	CHECK_INT_EQ(strlen(s.token), ACCOUNTS_TOKEN_HEX);
	CHECK_INT_EQ(strlen(s.csrf), 64);
	/* the store holds the hash of the token, never the token */
	CHECK_INT_EQ(sodium_hex2bin(raw, sizeof(raw), s.token, 64, NULL, &got, NULL), 0);
	crypto_generichash(hash, 32, raw, 32, NULL, 0);
	CHECK_INT_EQ(hubdb_session_get(db, hash, &row, &found, &e), 0);
	CHECK(found);
	CHECK_STR_EQ(row.addr, "192.0.2.1");
	/* the hash as hex in each engine's words (PostgreSQL has no hex()) */
	CHECK_INT_EQ(hubdb_test_query(db, test_store_pg() ? "SELECT encode(hash, 'hex') FROM "
	    "web_sessions" : "SELECT lower(hex(hash)) FROM web_sessions", &dump, &e), 0);
	CHECK(dump != NULL && strstr(dump, s.token) == NULL);
	free(dump);
	CHECK_INT_EQ(accounts_session(db, s.token, T0 + 60, &valid, &again, &e), 0);
	CHECK(valid);
	CHECK_STR_EQ(again.login, "anna");
	CHECK_STR_EQ(again.csrf, s.csrf);
	CHECK_STR_EQ(again.token, "");
	/* a token one digit off, garbage, nothing */
	again.login[0] = '\0';
	s.token[0] = s.token[0] == '0' ? '1' : '0';
	CHECK_INT_EQ(accounts_session(db, s.token, T0 + 60, &valid, &again, &e), 0);
	CHECK(!valid);
	CHECK_INT_EQ(accounts_session(db, "zz", T0 + 60, &valid, &again, &e), 0);
	CHECK(!valid);
	CHECK_INT_EQ(accounts_session(db, NULL, T0 + 60, &valid, &again, &e), 0);
	CHECK(!valid);
}

/* A fresh session of login at now; its token into token. */
static void
open_session(const char *login, int64_t now, char token[ACCOUNTS_TOKEN_HEX + 1])
{
	struct accounts_session s;
	enum accounts_verdict v = ACCOUNTS_WRONG;
	unsigned wait = 0;
	struct terr e;

	CHECK_INT_EQ(accounts_login(db, login, PW, "192.0.2.1", now, &v, &wait, &s, &e), 0);
	CHECK_INT_EQ(v, ACCOUNTS_OK);
	memcpy(token, s.token, ACCOUNTS_TOKEN_HEX + 1);
}

static bool
session_valid(const char *token, int64_t now)
{
	struct accounts_session s;
	bool valid = false;
	struct terr e;

	CHECK_INT_EQ(accounts_session(db, token, now, &valid, &s, &e), 0);
	return valid;
}

static void
test_expiry(void)
{
	char a[ACCOUNTS_TOKEN_HEX + 1], b[ACCOUNTS_TOKEN_HEX + 1], c[ACCOUNTS_TOKEN_HEX + 1];
	int64_t t = T0 + 10000;
	struct terr e;

	open_session("anna", t, a);
	/* used every 20 minutes: alive; then idle past 30 minutes: gone */
	CHECK(session_valid(a, t + 1200));
	CHECK(session_valid(a, t + 2400));
	CHECK(!session_valid(a, t + 2400 + ACCOUNTS_IDLE_S + 1));
	/* used often, still ends a working day after the login */
	open_session("anna", t, b);
	for (int64_t at = t + 600; at < t + ACCOUNTS_ABSOLUTE_S; at += 600)
		if (!session_valid(b, at)) {
			CHECK(!"a session in use ended early");
			break;
		}
	CHECK(!session_valid(b, t + ACCOUNTS_ABSOLUTE_S + 1));
	/* logout */
	open_session("anna", t, c);
	CHECK_INT_EQ(accounts_logout(db, c, &e), 0);
	CHECK(!session_valid(c, t + 1));
	/* a password change ends every session of the account, not others' */
	open_session("anna", t, a);
	open_session("dir", t, b);
	CHECK_INT_EQ(accounts_set_password(db, "Anna", "another good password", &e), 0);
	CHECK(!session_valid(a, t + 1));
	CHECK(session_valid(b, t + 1));
	CHECK_INT_EQ(accounts_set_password(db, "anna", PW, &e), 0);
	CHECK_INT_EQ(accounts_set_password(db, "nobody", PW, &e), TERR_ARG);
	/* disabled: its sessions end and it cannot log in; enabled again: it can */
	open_session("dir", t, b);
	CHECK_INT_EQ(accounts_set_disabled(db, "dir", true, &e), 0);
	CHECK(!session_valid(b, t + 1));
	{
		struct accounts_session s;
		enum accounts_verdict v;
		unsigned wait;

		CHECK_INT_EQ(accounts_login(db, "dir", PW, "x", t, &v, &wait, &s, &e), 0);
		CHECK_INT_EQ(v, ACCOUNTS_WRONG);
	}
	CHECK_INT_EQ(accounts_set_disabled(db, "dir", false, &e), 0);
	open_session("dir", t, b);
}

/* The last enabled administrator stays: nobody could administer the hub
 * from the dashboard after it. A disabled one, or another role, may go. */
static void
test_last_admin(void)
{
	struct terr e;

	CHECK_INT_EQ(accounts_add(db, "boss", ACCOUNTS_ADMIN, NULL, PW, &e), 0);
	CHECK_INT_EQ(accounts_add(db, "boss2", ACCOUNTS_ADMIN, NULL, PW, &e), 0);
	CHECK_INT_EQ(accounts_set_disabled(db, "boss", true, &e), 0);
	CHECK_INT_EQ(accounts_set_disabled(db, "Boss2", true, &e), TERR_ARG);
	CHECK(strstr(e.msg, "последний") != NULL);
	CHECK_INT_EQ(accounts_set_disabled(db, "boss", true, &e), 0);
	CHECK_INT_EQ(accounts_set_disabled(db, "anna", true, &e), 0);
	CHECK_INT_EQ(accounts_set_disabled(db, "anna", false, &e), 0);
	CHECK_INT_EQ(accounts_set_disabled(db, "boss", false, &e), 0);
	CHECK_INT_EQ(accounts_set_disabled(db, "boss2", true, &e), 0);
	CHECK_INT_EQ(accounts_set_disabled(db, "boss", true, &e), TERR_ARG);
	CHECK_INT_EQ(accounts_set_disabled(db, "boss2", false, &e), 0);
}

static enum accounts_verdict
try_login(const char *login, const char *pw, int64_t now, unsigned *wait)
{
	struct accounts_session s;
	enum accounts_verdict v = ACCOUNTS_OK;
	struct terr e;

	CHECK_INT_EQ(accounts_login(db, login, pw, "192.0.2.9", now, &v, wait, &s, &e), 0);
	return v;
}

static void
test_lockout(void)
{
	struct hubdb_user u;
	int64_t t = T0 + 100000;
	unsigned wait = 0;
	bool found = false;
	struct terr e;

	/* an unknown login and a wrong password: the same answer */
	CHECK_INT_EQ(try_login("nobody", PW, t, &wait), ACCOUNTS_WRONG);
	for (int i = 0; i < ACCOUNTS_FAIL_FREE - 1; i++)
		CHECK_INT_EQ(try_login("anna", "wrong password!", t, &wait), ACCOUNTS_WRONG);
	/* the fifth failure locks; the right password then waits too */
	CHECK_INT_EQ(try_login("anna", "wrong password!", t, &wait), ACCOUNTS_WRONG);
	CHECK_INT_EQ(try_login("anna", PW, t + 1, &wait), ACCOUNTS_LOCKED);
	CHECK_INT_EQ(wait, ACCOUNTS_LOCK_BASE_S - 1);
	/* after the lock a failure locks again, for twice as long */
	CHECK_INT_EQ(try_login("anna", "wrong password!", t + ACCOUNTS_LOCK_BASE_S, &wait),
	    ACCOUNTS_WRONG);
	CHECK_INT_EQ(hubdb_user_get(db, "anna", &u, &found, &e), 0);
	CHECK_INT_EQ(u.fail_n, ACCOUNTS_FAIL_FREE + 1);
	CHECK_INT_EQ(u.locked_until, t + ACCOUNTS_LOCK_BASE_S + 2 * ACCOUNTS_LOCK_BASE_S);
	/* never longer than the ceiling */
	for (int i = 0; i < 12; i++)
		try_login("anna", "wrong password!", u.locked_until + 100000 * (i + 1), &wait);
	CHECK_INT_EQ(hubdb_user_get(db, "anna", &u, &found, &e), 0);
	CHECK(u.locked_until - (u.locked_until - ACCOUNTS_LOCK_MAX_S) == ACCOUNTS_LOCK_MAX_S);
	/* a success after the lock clears the count */
	CHECK_INT_EQ(try_login("anna", PW, u.locked_until + 1, &wait), ACCOUNTS_OK);
	CHECK_INT_EQ(hubdb_user_get(db, "anna", &u, &found, &e), 0);
	CHECK_INT_EQ(u.fail_n, 0);
	CHECK_INT_EQ(u.locked_until, 0);
	/* an administrator's new password clears a lock at once */
	for (int i = 0; i < ACCOUNTS_FAIL_FREE; i++)
		try_login("dir", "wrong password!", t, &wait);
	CHECK_INT_EQ(try_login("dir", PW, t, &wait), ACCOUNTS_LOCKED);
	CHECK_INT_EQ(accounts_set_password(db, "dir", PW, &e), 0);
	CHECK_INT_EQ(try_login("dir", PW, t, &wait), ACCOUNTS_OK);
	/* the own-password check counts failures the same way */
	{
		enum accounts_verdict v;

		CHECK_INT_EQ(accounts_check_password(db, "dir", "wrong password!", t, &v, &wait, &e),
		    0);
		CHECK_INT_EQ(v, ACCOUNTS_WRONG);
		CHECK_INT_EQ(accounts_check_password(db, "dir", PW, t, &v, &wait, &e), 0);
		CHECK_INT_EQ(v, ACCOUNTS_OK);
	}
}

struct audit_seen {
	char text[1024];
	unsigned limit;
};

/* The newest entries' actions, as the listing (and the audit page) reads them. */
static int
audit_row(void *ctx, size_t ncols, const struct hubdb_col *cols)
{
	struct audit_seen *a = ctx;
	const struct hubdb_col *act = hubdb_col_find(ncols, cols, "action");
	size_t n = strlen(a->text);

	if (a->limit == 0)
		return 1;
	a->limit--;
	snprintf(a->text + n, sizeof(a->text) - n, "%s;", act && act->s ? act->s : "?");
	return 0;
}

static void
audit_newest(unsigned limit, const char *want)
{
	struct audit_seen a = { "", limit };
	struct terr e;
	int r = hubdb_list(db, HUBDB_LIST_AUDIT, audit_row, &a, &e);

	CHECK(r == 0 || r == 1);
	CHECK_STR_EQ(a.text, want);
}

static void
test_audit(void)
{
	struct hubdb_audit a;
	struct terr e;

	memset(&a, 0, sizeof(a));
	snprintf(a.login, sizeof(a.login), "anna");
	snprintf(a.addr, sizeof(a.addr), "192.0.2.1");
	snprintf(a.outcome, sizeof(a.outcome), "ok");
	snprintf(a.action, sizeof(a.action), "login");
	CHECK_INT_EQ(hubdb_audit_add(db, &a, &e), 0);
	snprintf(a.action, sizeof(a.action), "download");
	snprintf(a.object, sizeof(a.object), "verification.xlsx school=все");
	CHECK_INT_EQ(hubdb_audit_add(db, &a, &e), 0);
	snprintf(a.action, sizeof(a.action), "logout");
	CHECK_INT_EQ(hubdb_audit_add(db, &a, &e), 0);
	audit_newest(2, "logout;download;");
	/* the retention: entries before a moment go, later ones stay */
	CHECK_INT_EQ(hubdb_audit_purge(db, "2000-01-01T00:00:00Z", &e), 0);
	audit_newest(1, "logout;");
	CHECK_INT_EQ(hubdb_audit_purge(db, "9999-01-01T00:00:00Z", &e), 0);
	audit_newest(10, "");
}

int
main(void)
{
	char dir[] = "/tmp/tetrad-accounts.XXXXXX", path[256];
	struct terr e;

	if (sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 1;
	test_store(path, sizeof(path), dir, "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db != NULL) {
		test_rules();
		test_login_session();
		test_expiry();
		test_last_admin();
		test_lockout();
		test_audit();
		hubdb_close(db);
	}
	unlink(path);
	snprintf(path, sizeof(path), "%s/hub.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/hub.db-shm", dir);
	unlink(path);
	rmdir(dir);
	return check_summary();
}
