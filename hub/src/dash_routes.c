/*
 * dash_routes — every page of the dashboard, and who may open it. A role
 * never sees more by editing a URL: the role is checked here, before the
 * page runs, and a school account's pages narrow every query to its own
 * school (dash_school_scope).
 */
#include <string.h>

#include "dash_private.h"

static const struct dash_route dash_routes[] = {
	{ "/login", false, DASH_PUBLIC, dash_login_page },
	{ "/login", true, DASH_PUBLIC, dash_login_post },
	{ "/static/", false, DASH_PUBLIC, dash_asset },
	{ "/logout", true, DASH_ANY, dash_logout_post },
	{ "/account", false, DASH_ANY, dash_account_page },
	{ "/account", true, DASH_ANY, dash_account_post },
	{ "/", false, DASH_ANY, dash_overview },
	{ "/report/", false, DASH_ANY, dash_report_page },
	{ "/school/", false, DASH_ANY, dash_school_page },
	{ "/review/conflicts", false, DASH_STAFF, dash_conflicts_page },
	{ "/review/conflicts", true, DASH_STAFF, dash_conflicts_post },
	{ "/review/", false, DASH_STAFF, dash_review_page },
	{ "/admin/", false, DASH_ADMIN, dash_admin_page },
	{ "/admin/tokens", true, DASH_ADMIN, dash_token_post },
	{ "/admin/enroll-file", true, DASH_ADMIN, dash_enroll_file_post },
	{ "/admin/devices", true, DASH_ADMIN, dash_revoke_post },
	{ "/admin/users/add", true, DASH_ADMIN, dash_user_add_post },
	{ "/admin/users/passwd", true, DASH_ADMIN, dash_user_passwd_post },
	{ "/admin/users/disable", true, DASH_ADMIN, dash_user_disable_post },
	{ "/admin/users/enable", true, DASH_ADMIN, dash_user_enable_post },
	{ "/admin/schools", true, DASH_ADMIN, dash_school_post },
	{ "/admin/programmes", true, DASH_ADMIN, dash_programme_post },
	{ DASH_UPLOAD_PATH, true, DASH_ADMIN, dash_form_publish_post },
};

const struct dash_route *
dash_route_find(const char *path, bool post, const char **rest, bool *other_method)
{
	*other_method = false;
	*rest = "";
	for (size_t i = 0; i < sizeof(dash_routes) / sizeof(dash_routes[0]); i++) {
		const struct dash_route *r = &dash_routes[i];
		size_t n = strlen(r->path);
		bool prefix = n > 1 && r->path[n - 1] == '/';

		if (prefix ? strncmp(path, r->path, n) != 0 : strcmp(path, r->path) != 0)
			continue;
		if (r->post != post) {
			*other_method = true;
			continue;
		}
		*rest = prefix ? path + n : "";
		return r;
	}
	return NULL;
}

bool
dash_access_ok(const struct dash_req *rq, enum dash_access a)
{
	switch (a) {
	case DASH_PUBLIC:
		return true;
	case DASH_ANY:
		return rq->logged_in;
	case DASH_STAFF:
		return rq->logged_in && (rq->who.role == ACCOUNTS_ADMIN ||
		    rq->who.role == ACCOUNTS_COORDINATOR);
	case DASH_ADMIN:
		return rq->logged_in && rq->who.role == ACCOUNTS_ADMIN;
	}
	return false;
}
