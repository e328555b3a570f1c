/*
 * accounts — the people who log in to the hub's dashboard: their accounts
 * (login, role, school, an Argon2id password hash), the failed logins that
 * lock an account for a while, and sessions (docs/hub.md, "The
 * dashboard"). The store keeps them (hub/hubdb_web.h); this module decides.
 *
 * A session is a random token in the browser's cookie; the store holds its
 * BLAKE2b hash, so a copy of the database opens no session. It ends after
 * ACCOUNTS_IDLE_S without a request, ACCOUNTS_ABSOLUTE_S after the login,
 * at logout, and when its account's password is changed or the account is
 * disabled. Each session has its own CSRF token, which every form posts.
 *
 * A wrong login and a wrong password look the same from outside, and take
 * the same time (an unknown login is checked against a hash too).
 */
#ifndef TETRAD_HUB_ACCOUNTS_H
#define TETRAD_HUB_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "hub/hubdb_web.h"
#include "tetrad/terr.h"

#define ACCOUNTS_IDLE_S (30 * 60)          /* a session unused this long ends */
#define ACCOUNTS_ABSOLUTE_S (12 * 3600)    /* and every session after a working day */
#define ACCOUNTS_TOUCH_S 60                /* seen_at is written at most this often */
#define ACCOUNTS_PASSWORD_MIN 10           /* characters */
#define ACCOUNTS_PASSWORD_MAX 256          /* bytes */
#define ACCOUNTS_FAIL_FREE 5               /* failures before an account is locked */
#define ACCOUNTS_LOCK_BASE_S 30            /* the first lock; doubles with each failure */
#define ACCOUNTS_LOCK_MAX_S (15 * 60)
#define ACCOUNTS_TOKEN_HEX 64              /* the cookie's token: 32 random bytes */
#define ACCOUNTS_AUDIT_KEEP_DAYS 400       /* the audit log keeps a school year and more */

enum accounts_role { ACCOUNTS_ADMIN, ACCOUNTS_COORDINATOR, ACCOUNTS_SCHOOL };

/* "admin", "coordinator", "school" → *role; false for anything else. */
bool accounts_role_parse(const char *s, enum accounts_role *role);
/* The role's name in Russian, for pages. */
const char *accounts_role_label(enum accounts_role role);

/*
 * A login: 1 to HUBDB_LOGIN_MAX of a-z, 0-9, '.', '_', '-', starting with a
 * letter or digit (stored lower case: accounts_login_norm). TERR_ARG in
 * Russian otherwise.
 */
int accounts_login_check(const char *login, struct terr *e);
/* login lower-cased into out (HUBDB_LOGIN_MAX + 1 bytes); false if it is no login. */
bool accounts_login_norm(const char *login, char out[HUBDB_LOGIN_MAX + 1]);
/* At least ACCOUNTS_PASSWORD_MIN characters, at most ACCOUNTS_PASSWORD_MAX bytes of
 * UTF-8 without control characters; TERR_ARG in Russian otherwise. */
int accounts_password_check(const char *password, struct terr *e);

/*
 * A new account. role "school" needs school (a valid code); the other roles
 * take none. TERR_ARG in Russian for a bad login, role, school or password
 * or a login already taken.
 */
int accounts_add(struct hubdb *db, const char *login, enum accounts_role role,
    const char *school, const char *password, struct terr *e);
/* A new password (checked as above); every session of the account ends. */
int accounts_set_password(struct hubdb *db, const char *login, const char *password,
    struct terr *e);
/* Disables or enables an account; disabling ends its sessions. The last
 * enabled administrator is not disabled (TERR_ARG). */
int accounts_set_disabled(struct hubdb *db, const char *login, bool disabled,
    struct terr *e);

/* Who is logged in, as a page needs it. */
struct accounts_session {
	char login[HUBDB_LOGIN_MAX + 1];
	enum accounts_role role;
	char school[CHANGESET_SCHOOL_MAX + 1];   /* role school: its code */
	char csrf[HUBDB_CSRF_MAX];
	char token[ACCOUNTS_TOKEN_HEX + 1];      /* only from accounts_login: the cookie */
};

enum accounts_verdict {
	ACCOUNTS_OK,            /* *out is the new session */
	ACCOUNTS_WRONG,         /* no such login, a wrong password or a disabled account */
	ACCOUNTS_LOCKED,        /* too many failures: *wait_s to wait */
};

/*
 * Checks login and password (about 0.15 s of CPU and 64 MiB: Argon2id;
 * callers bound how many run at once) at now (Unix seconds). On success
 * opens a session from addr; a failure counts against the account.
 * Returns 0 with *verdict set, or the store's error.
 */
int accounts_login(struct hubdb *db, const char *login, const char *password,
    const char *addr, int64_t now, enum accounts_verdict *verdict, unsigned *wait_s,
    struct accounts_session *out, struct terr *e);
/*
 * The session of the cookie's token at now: *valid false when there is
 * none (unknown, expired — then removed —, its account gone or disabled).
 * Marks it used.
 */
int accounts_session(struct hubdb *db, const char *token, int64_t now, bool *valid,
    struct accounts_session *out, struct terr *e);
/*
 * Whether password is login's (an enabled account's), as accounts_login
 * checks it but without a session: a person changing their own password
 * gives the old one first. A wrong one counts as a failed login.
 */
int accounts_check_password(struct hubdb *db, const char *login, const char *password,
    int64_t now, enum accounts_verdict *verdict, unsigned *wait_s, struct terr *e);
/* Ends the session of token (none: nothing to do). */
int accounts_logout(struct hubdb *db, const char *token, struct terr *e);

#endif
