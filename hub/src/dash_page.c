/*
 * dash_page — the frame of every dashboard page: the header with who is
 * logged in and the navigation their role may use, the logout button (a
 * POST with the session's CSRF token), and the pages that say what went
 * wrong.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dash_private.h"
#include "tetrad/school.h"
#include "web/page.h"

struct dash_nav {
	const char *key, *href, *text;
	enum dash_access access;
};

static const struct dash_nav dash_navs[] = {
	{ "overview", "/", "Обзор", DASH_ANY },
	{ "verification", "/report/verification", "Верификация", DASH_ANY },
	{ "mediation", "/report/mediation", "Медиация", DASH_ANY },
	{ "passport", "/report/passport", "Соцпаспорта", DASH_ANY },
	{ "identification", "/report/identification", "Выявление", DASH_ANY },
	{ "surveys", "/report/surveys", "Анкеты", DASH_ANY },
	{ "review", "/review/conflicts", "Разбор", DASH_STAFF },
	{ "admin", "/admin/users", "Администрирование", DASH_ADMIN },
};

void
dash_csrf_input(struct dash_req *rq, struct html *h)
{
	html_void(h, "input", "type", "hidden", "name", DASH_CSRF_FIELD, "value", rq->who.csrf,
	    NULL);
}

struct html *
dash_page_begin(struct dash_req *rq, const char *title, const char *nav)
{
	struct html *h = html_new(0);
	char full[256];

	if (h == NULL)
		return NULL;
	snprintf(full, sizeof(full), "%s — Тетрад, панель координатора", title);
	web_page_begin(h, full);
	html_open(h, "header", "class", "top", NULL);
	html_elem(h, "a", "Тетрад", "href", "/", "class", "brand", NULL);
	if (rq->logged_in) {
		html_open(h, "span", "class", "where", NULL);
		html_open(h, "b", NULL);
		html_text(h, rq->who.login);
		html_close(h, "b");
		html_textf(h, " — %s", accounts_role_label(rq->who.role));
		if (rq->who.role == ACCOUNTS_SCHOOL)
			html_textf(h, " %s", rq->who.school);
		html_close(h, "span");
		html_open(h, "nav", "class", "main", NULL);
		for (size_t i = 0; i < sizeof(dash_navs) / sizeof(dash_navs[0]); i++) {
			const struct dash_nav *n = &dash_navs[i];
			bool here = nav != NULL && strcmp(nav, n->key) == 0;

			if (!dash_access_ok(rq, n->access))
				continue;
			html_elem(h, "a", n->text, "href", n->href, "class", here ? "current" : NULL,
			    "aria-current", here ? "page" : NULL, NULL);
		}
		html_close(h, "nav");
		html_open(h, "form", "method", "post", "action", "/logout", "class", "logout", NULL);
		dash_csrf_input(rq, h);
		html_elem(h, "a", "Пароль", "href", "/account", NULL);
		html_elem(h, "button", "Выйти", "type", "submit", "class", "quiet", NULL);
		html_close(h, "form");
	}
	html_close(h, "header");
	html_open(h, "main", NULL);
	html_elem(h, "h1", title, NULL);
	return h;
}

int
dash_page_end(struct dash_req *rq, struct html *h)
{
	if (h != NULL) {
		html_close(h, "main");
		web_page_end(h);
	}
	return dash_reply_html(rq, 200, h);
}

int
dash_error(struct dash_req *rq, int status, const char *title, const char *fmt, ...)
{
	struct html *h;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((h = dash_page_begin(rq, title, NULL)) == NULL)
		return dash_reply_html(rq, status, NULL);
	html_elem(h, "p", msg, "class", "flash error", "role", "alert", NULL);
	html_open(h, "p", NULL);
	html_elem(h, "a", rq->logged_in ? "На главную" : "Ко входу", "href",
	    rq->logged_in ? "/" : "/login", "class", "btn", NULL);
	html_close(h, "p");
	html_close(h, "main");
	web_page_end(h);
	dash_reply_html(rq, status, h);
	return 0;
}

bool
dash_school_scope(struct dash_req *rq, const char **school)
{
	const char *asked = dash_arg_set(rq, "school");

	*school = NULL;
	if (asked != NULL && !school_code_ok(asked)) {
		dash_error(rq, 400, "Неверный код школы", "Код школы «%.32s» записан неверно.", asked);
		return false;
	}
	if (rq->who.role != ACCOUNTS_SCHOOL) {
		*school = asked;
		return true;
	}
	if (asked != NULL && strcmp(asked, rq->who.school) != 0) {
		char obj[DASH_PATH_MAX + 48];

		snprintf(obj, sizeof(obj), "%.150s school=%.32s", rq->path_log, asked);
		dash_audit(rq, NULL, "forbidden", obj, "refused");
		dash_error(rq, 403, "Нет доступа", "Учётной записи школы %s доступны только "
		    "страницы своей школы.", rq->who.school);
		return false;
	}
	*school = rq->who.school;
	return true;
}
