/*
 * dash_private — what the dashboard's files share (dash.h says how a
 * request goes). One file per group of pages:
 *   dash.c          the request: intake, session, CSRF, role, the reply
 *   dash_routes.c   the table of routes and who may use each
 *   dash_page.c     the frame of a page (header, navigation), error pages,
 *                   the filter form, links that keep the filters
 *   dash_login.c    login, logout, one's own password
 *   dash_reports.c  overview and the indicators' pages, their downloads
 *   dash_school.c   a school's page: every report of one school
 *   dash_table.c    a report's model and a store listing as HTML tables
 *   dash_chart.c    the charts (SVG) of a report's page; dash_chart_trend.c
 *                   the passports year over year, dash_chart_answers.c the
 *                   surveys' answers, dash_chart_stack.c their stacked bars
 *   dash_admin.c    administration and review listings, the audit log
 *   dash_review.c   the conflicts to review and the decision on one
 *   dash_enroll.c   enrollment tokens (the file and its QR code), revoking
 *                   a device
 *   dash_users.c    accounts: create, a new password, disable and enable
 *   dash_registry.c schools, their programmes, publishing a form (upload)
 *   dash_listing_dl.c  a listing as .xlsx or CSV
 */
#ifndef TETRAD_HUB_DASH_PRIVATE_H
#define TETRAD_HUB_DASH_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dash.h"
#include "hub/accounts.h"
#include "hub/admit.h"
#include "hub/hubdb.h"
#include "web/html.h"
#include "web/webreq.h"

#define DASH_PATH_MAX 256
#define DASH_ARGS_MAX 16             /* query parameters kept (others ignored) */
#define DASH_ARG_MAX 256             /* bytes of a query parameter's value */
#define DASH_COOKIE_MAX 4096
#define DASH_SESSION_COOKIE "__Host-tetrad_session"
#define DASH_LOGIN_COOKIE "__Host-tetrad_login"   /* the login form's CSRF token */
#define DASH_CSRF_FIELD "_csrf"
#define DASH_COOKIE_ATTRS "; Path=/; Secure; HttpOnly; SameSite=Strict"

struct dash_arg {
	char name[32];
	char value[DASH_ARG_MAX];
};

/* One request and its reply. */
struct dash_req {
	struct dash *d;
	struct hubdb *db;                /* borrowed for the page */
	bool post;
	char path[DASH_PATH_MAX];
	char path_log[DASH_PATH_MAX * 4 + 1];   /* path as termsafe.h escapes it: logs, audit */
	struct dash_arg args[DASH_ARGS_MAX];
	size_t nargs;
	bool args_dropped;               /* a parameter too long, or too many of them */
	bool store_error;                /* the session could not be read: 503, not logged out */
	struct webform *form;            /* a POST's fields (CSRF checked before the route) */
	char addr[ADMIT_ADDR_MAX];
	struct sockaddr_storage sa;      /* for the login throttle */
	bool has_sa;
	char cookie[DASH_COOKIE_MAX];    /* the Cookie header */
	char origin[256], host[256];
	bool has_origin;
	int64_t now;                     /* Unix seconds */
	struct accounts_session who;
	bool logged_in;
	/* the reply */
	int status;
	const char *ctype;
	char *body;                      /* malloc'd */
	size_t len;
	char set_cookie[2][256];
	char location[DASH_PATH_MAX + 512];
	char disposition[160];           /* attachment; filename=… */
	unsigned retry_after;
	bool replied;
};

/* ---- dash.c ---- */
/* A query parameter's value, or NULL. */
const char *dash_arg(const struct dash_req *rq, const char *name);
/* A POST field's value, or NULL. */
const char *dash_field(const struct dash_req *rq, const char *name);
/* What the server gave the dashboard (forms folder, certificate, address). */
const struct dash_cfg *dash_config(const struct dash *d);
/* A query parameter's value when given and not empty, or NULL. */
const char *dash_arg_set(const struct dash_req *rq, const char *name);
/* Whether a login check may start now (at most a few at once: 64 MiB each);
 * dash_login_done when it is over. */
bool dash_login_slot(struct dash *d);
void dash_login_done(struct dash *d);
/* The address throttle of failed logins: 0, or seconds to wait. */
unsigned dash_login_throttled(struct dash *d, const struct dash_req *rq);
void dash_login_failed(struct dash *d, const struct dash_req *rq);
/*
 * One line of the audit log: who (the session's login, or login when
 * given), from where, what. 0, or the store's error (a download is refused
 * when it cannot be recorded).
 */
int dash_audit(struct dash_req *rq, const char *login, const char *action,
    const char *object, const char *outcome);
void dash_log(struct dash_req *rq, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Replies: each sets the reply and returns 0. */
int dash_reply_html(struct dash_req *rq, int status, struct html *h);
int dash_reply_bytes(struct dash_req *rq, int status, const char *ctype, char *body,
    size_t len, const char *filename);
int dash_redirect(struct dash_req *rq, const char *location);

/* ---- dash_routes.c ---- */
enum dash_access {
	DASH_PUBLIC,          /* no session: login, the assets */
	DASH_ANY,             /* every role (a school's pages narrow to its school) */
	DASH_STAFF,           /* admin and coordinator */
	DASH_ADMIN,
};
typedef int (*dash_page_fn)(struct dash_req *rq, const char *rest);
struct dash_route {
	const char *path;     /* exact, or a prefix ending in '/' */
	bool post;
	enum dash_access access;
	dash_page_fn fn;
};
/* The route of path and method, or NULL; *rest: what follows a prefix. */
const struct dash_route *dash_route_find(const char *path, bool post, const char **rest,
    bool *other_method);
bool dash_access_ok(const struct dash_req *rq, enum dash_access a);

/* ---- dash_page.c ---- */
/* A page with the frame (header, navigation for the role, the logout
 * button); NULL on no memory. nav: the navigation entry to mark current. */
struct html *dash_page_begin(struct dash_req *rq, const char *title, const char *nav);
int dash_page_end(struct dash_req *rq, struct html *h);
/* A page that says what went wrong (status 4xx/5xx), in the frame when logged in. */
int dash_error(struct dash_req *rq, int status, const char *title, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* <input type=hidden name=_csrf> of the session. */
void dash_csrf_input(struct dash_req *rq, struct html *h);
/* The school a page is about: a school account's own, or ?school= (checked);
 * false with an error page replied when the school is not the account's. */
bool dash_school_scope(struct dash_req *rq, const char **school);

/* ---- the pages ---- */
int dash_login_page(struct dash_req *rq, const char *rest);
int dash_login_post(struct dash_req *rq, const char *rest);
int dash_logout_post(struct dash_req *rq, const char *rest);
int dash_account_page(struct dash_req *rq, const char *rest);
int dash_account_post(struct dash_req *rq, const char *rest);
int dash_asset(struct dash_req *rq, const char *rest);
int dash_overview(struct dash_req *rq, const char *rest);
int dash_report_page(struct dash_req *rq, const char *rest);
int dash_school_page(struct dash_req *rq, const char *rest);
int dash_admin_page(struct dash_req *rq, const char *rest);
int dash_review_page(struct dash_req *rq, const char *rest);
int dash_conflicts_page(struct dash_req *rq, const char *rest);
int dash_conflicts_post(struct dash_req *rq, const char *rest);
int dash_token_post(struct dash_req *rq, const char *rest);
int dash_enroll_file_post(struct dash_req *rq, const char *rest);
int dash_revoke_post(struct dash_req *rq, const char *rest);
/* dash_enroll.c for dash_admin.c: the forms above a listing. */
void dash_token_form(struct dash_req *rq, struct html *h);
void dash_revoke_forms(struct dash_req *rq, struct html *h);
int dash_user_add_post(struct dash_req *rq, const char *rest);
int dash_user_passwd_post(struct dash_req *rq, const char *rest);
int dash_user_disable_post(struct dash_req *rq, const char *rest);
int dash_user_enable_post(struct dash_req *rq, const char *rest);
int dash_school_post(struct dash_req *rq, const char *rest);
int dash_programme_post(struct dash_req *rq, const char *rest);
int dash_form_publish_post(struct dash_req *rq, const char *rest);
/* dash_users.c, dash_registry.c for dash_admin.c: the forms above a listing. */
void dash_users_forms(struct dash_req *rq, struct html *h);
void dash_school_form(struct dash_req *rq, struct html *h);
void dash_programme_form(struct dash_req *rq, struct html *h);
void dash_publish_form(struct dash_req *rq, struct html *h);
/*
 * dash_admin.c: the page after an administrative action, from a page's
 * POST: back to the listing at path ("/admin/users") with the confirmation
 * done (a code dash_admin.c words) about what (a login, a school code …).
 */
int dash_admin_done(struct dash_req *rq, const char *path, const char *done,
    const char *what);
/* dash_registry.c: whether code is in the schools' register. */
int dash_school_known(struct dash_req *rq, const char *code, bool *known, struct terr *e);

/* ---- dash_listing_dl.c ---- */
/*
 * The listing what, without the columns in hide (NULL-terminated, may be
 * NULL), as a file: format "xlsx" (one sheet: Russian headers, frozen, a
 * filter, numbers as numbers) or "csv" (UTF-8 with BOM, ';'), named
 * basename-YYYY-MM-DD.ext; recorded in the audit log ("download",
 * basename.ext). Replies (an error page when it cannot) and returns 0.
 */
int dash_listing_download(struct dash_req *rq, enum hubdb_listing what,
    const char *const *hide, const char *format, const char *basename);

#endif
