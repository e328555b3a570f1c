/*
 * hubdb_web — the store's part of the dashboard (same contract as hubdb.h,
 * whose implementation it belongs to): the people who log in to the hub's
 * pages, their sessions and the audit log. A header of its own, like
 * hubdb_calendar.h; a second store implements these too.
 *
 * Nothing here decides anything: accounts.c checks passwords, counts
 * failures and expires sessions; the store keeps what it is given.
 * A session is stored by the hash of its token only, so a copy of the
 * database opens no session.
 */
#ifndef TETRAD_HUB_HUBDB_WEB_H
#define TETRAD_HUB_HUBDB_WEB_H

#include <stdbool.h>
#include <stdint.h>

#include "hub/hubdb.h"

#define HUBDB_LOGIN_MAX 64        /* bytes of a login */
#define HUBDB_ROLE_MAX 16         /* "admin" | "coordinator" | "school" */
#define HUBDB_PWHASH_MAX 128      /* an Argon2id string (crypto_pwhash_STRBYTES) */
#define HUBDB_CSRF_MAX 65         /* 32 bytes as hex */
#define HUBDB_ADDR_MAX 64         /* a client's address as text */
#define HUBDB_AUDIT_TEXT_MAX 200  /* an audit entry's action and object */

struct hubdb_user {
	char login[HUBDB_LOGIN_MAX + 1];
	char role[HUBDB_ROLE_MAX];
	char school[CHANGESET_SCHOOL_MAX + 1];   /* role "school": its code; else "" */
	char pwhash[HUBDB_PWHASH_MAX];
	bool disabled;
	int64_t fail_n;                   /* failed logins since the last success */
	int64_t locked_until;             /* Unix seconds; 0: not locked */
	char created_at[HUBDB_TIME_MAX];
	char changed_at[HUBDB_TIME_MAX];  /* password last set */
};

/* *found says whether the login exists. */
int hubdb_user_get(struct hubdb *db, const char *login, struct hubdb_user *u, bool *found,
    struct terr *e);
/* TERR_ARG (Russian) when the login is taken. */
int hubdb_user_add(struct hubdb *db, const struct hubdb_user *u, struct terr *e);
/* New password hash; clears failures and the lock. TERR_ARG: no such login. */
int hubdb_user_set_password(struct hubdb *db, const char *login, const char *pwhash,
    struct terr *e);
/* Disables (or enables) a login. TERR_ARG: no such login. */
int hubdb_user_set_disabled(struct hubdb *db, const char *login, bool disabled,
    struct terr *e);
/* *n: the enabled accounts of role ("admin", …): the last administrator is kept. */
int hubdb_users_enabled(struct hubdb *db, const char *role, int64_t *n, struct terr *e);
/* Records the failure count and the lock (0, 0 after a success). */
int hubdb_user_set_failures(struct hubdb *db, const char *login, int64_t fail_n,
    int64_t locked_until, struct terr *e);
struct hubdb_session {
	uint8_t hash[32];                 /* BLAKE2b-256 of the cookie's token */
	char login[HUBDB_LOGIN_MAX + 1];
	char csrf[HUBDB_CSRF_MAX];        /* the token every form of the session posts */
	int64_t created_at, seen_at;      /* Unix seconds */
	char addr[HUBDB_ADDR_MAX];        /* where it was opened from */
};

int hubdb_session_add(struct hubdb *db, const struct hubdb_session *s, struct terr *e);
int hubdb_session_get(struct hubdb *db, const uint8_t hash[32], struct hubdb_session *s,
    bool *found, struct terr *e);
int hubdb_session_touch(struct hubdb *db, const uint8_t hash[32], int64_t seen_at,
    struct terr *e);
int hubdb_session_del(struct hubdb *db, const uint8_t hash[32], struct terr *e);
/* Every session of login (a password changed, an account disabled). */
int hubdb_sessions_del_login(struct hubdb *db, const char *login, struct terr *e);
/* Sessions idle since before idle_before or opened before created_before. */
int hubdb_sessions_expire(struct hubdb *db, int64_t idle_before, int64_t created_before,
    struct terr *e);

/*
 * One entry of the audit log: who (login, "" before a login), when (the
 * store's clock, ISO UTC), from where, what (action: a fixed code such as
 * "login", "login_failed", "download"; object: what it was done to, e.g.
 * "verification.xlsx school=0101"), and how it ended. Never a password, a
 * token or a value of a record.
 */
struct hubdb_audit {
	int64_t id;
	char at[HUBDB_TIME_MAX];
	char login[HUBDB_LOGIN_MAX + 1];
	char addr[HUBDB_ADDR_MAX];
	char action[HUBDB_AUDIT_TEXT_MAX + 1];
	char object[HUBDB_AUDIT_TEXT_MAX + 1];
	char outcome[HUBDB_ROLE_MAX];     /* "ok" | "refused" | "failed" */
};
/* a->at is ignored: the entry gets the store's time. */
int hubdb_audit_add(struct hubdb *db, const struct hubdb_audit *a, struct terr *e);
/* Removes the entries written before before (ISO UTC text, as a->at).
 * The log is read through the listing HUBDB_LIST_AUDIT (hubdb.h). */
int hubdb_audit_purge(struct hubdb *db, const char *before, struct terr *e);

#endif
