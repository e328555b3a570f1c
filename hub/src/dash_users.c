/*
 * dash_users — the administrator's actions on the dashboard's accounts, as
 * `tetrad-hub user add|passwd|disable|enable` does them and through the same
 * functions (hub/accounts.h: the login, role, school and password rules,
 * the Argon2id hash, the end of sessions): create an account, give one a
 * new password, disable and enable one. An administrator does not disable
 * their own account, and accounts.c keeps the last enabled administrator.
 * A password travels only in the POST's body: never in the audit log, a
 * URL or a log line.
 */
#include <string.h>

#include <sodium.h>

#include "dash_private.h"

/* What the forms' login choices list: every account, with its role and state. */
struct dash_user_opts {
	struct html *h;
};

static int
dash_user_option(void *ctx, size_t n, const struct hubdb_col *cols)
{
	struct dash_user_opts *o = ctx;
	const struct hubdb_col *login = hubdb_col_find(n, cols, "login");
	const struct hubdb_col *role = hubdb_col_find(n, cols, "role");
	const struct hubdb_col *st = hubdb_col_find(n, cols, "status");

	if (login == NULL || login->type != HUBDB_COL_TEXT)
		return 0;
	html_open(o->h, "option", "value", login->s, NULL);
	html_textf(o->h, "%s (%s, %s)", login->s, role && role->type == HUBDB_COL_TEXT ?
	    hubdb_list_word("role", role->s) : "—", st && st->type == HUBDB_COL_TEXT ?
	    hubdb_list_word("status", st->s) : "—");
	html_close(o->h, "option");
	return 0;
}

static void
dash_user_select(struct dash_req *rq, struct html *h, const char *name, const char *label)
{
	struct dash_user_opts o = { h };
	struct terr e;

	terr_clear(&e);
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", label, "for", name, NULL);
	html_open(h, "select", "name", name, "id", name, "required", "", NULL);
	if (hubdb_list(rq->db, HUBDB_LIST_USERS, dash_user_option, &o, &e) != 0)
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s accounts not listed: %s", rq->addr, e.msg);
	html_close(h, "select");
	html_close(h, "div");
}

static void
dash_user_input(struct html *h, const char *type, const char *name, const char *label,
    const char *autocomplete, bool required)
{
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", label, "for", name, NULL);
	html_void(h, "input", "type", type, "name", name, "id", name, "autocomplete", autocomplete,
	    "required", required ? "" : NULL, NULL);
	html_close(h, "div");
}

static void
dash_user_button(struct html *h, const char *label, const char *cls, const char *formaction)
{
	html_elem(h, "button", label, "type", "submit", "class", cls, "formaction", formaction,
	    NULL);
}

void
dash_users_forms(struct dash_req *rq, struct html *h)
{
	static const char *const roles[][2] = {
		{ "coordinator", "координатор — все показатели и разбор конфликтов" },
		{ "school", "школа — страницы только своей школы (директор)" },
		{ "admin", "администратор — ещё и администрирование" },
	};

	html_open(h, "details", "class", "action", NULL);
	html_elem(h, "summary", "Создать учётную запись", NULL);
	html_open(h, "form", "method", "post", "action", "/admin/users/add", "class", "tform",
	    "id", "user-add", NULL);
	dash_csrf_input(rq, h);
	dash_user_input(h, "text", "login", "Логин (латинские буквы, цифры, . _ -)", "off", true);
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", "Роль", "for", "role", NULL);
	html_open(h, "select", "name", "role", "id", "role", NULL);
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		html_elem(h, "option", roles[i][1], "value", roles[i][0], NULL);
	html_close(h, "select");
	html_close(h, "div");
	dash_user_input(h, "text", "school", "Код школы (только для роли «школа»)", "off", false);
	dash_user_input(h, "password", "password", "Пароль (не короче 10 символов)",
	    "new-password", true);
	dash_user_input(h, "password", "password2", "Пароль ещё раз", "new-password", true);
	html_open(h, "p", "class", "buttons", NULL);
	dash_user_button(h, "Создать учётную запись", "primary", NULL);
	html_close(h, "p");
	html_close(h, "form");
	html_close(h, "details");

	html_open(h, "details", "class", "action", NULL);
	html_elem(h, "summary", "Задать новый пароль", NULL);
	html_open(h, "form", "method", "post", "action", "/admin/users/passwd", "class", "tform",
	    "id", "user-passwd", NULL);
	dash_csrf_input(rq, h);
	dash_user_select(rq, h, "who", "Учётная запись");
	dash_user_input(h, "password", "newpw", "Новый пароль (не короче 10 символов)",
	    "new-password", true);
	dash_user_input(h, "password", "newpw2", "Новый пароль ещё раз", "new-password", true);
	html_open(h, "p", "class", "buttons", NULL);
	dash_user_button(h, "Задать пароль и закрыть сеансы записи", "primary", NULL);
	html_close(h, "p");
	html_close(h, "form");
	html_close(h, "details");

	html_open(h, "details", "class", "action", NULL);
	html_elem(h, "summary", "Заблокировать или разблокировать", NULL);
	html_open(h, "form", "method", "post", "action", "/admin/users/disable", "class", "tform",
	    "id", "user-toggle", NULL);
	dash_csrf_input(rq, h);
	dash_user_select(rq, h, "account", "Учётная запись");
	html_open(h, "p", "class", "buttons", NULL);
	dash_user_button(h, "Заблокировать: вход запрещён, сеансы закрываются", "danger", NULL);
	html_text(h, " ");
	dash_user_button(h, "Разблокировать", "quiet", "/admin/users/enable");
	html_close(h, "p");
	html_close(h, "form");
	html_close(h, "details");
}

/* The login of a form's field, lower-cased; false (an error page replied) when it is none. */
static bool
dash_user_login(struct dash_req *rq, const char *field, const char *title,
    char out[HUBDB_LOGIN_MAX + 1])
{
	const char *v = dash_field(rq, field);

	if (v == NULL || !accounts_login_norm(v, out)) {
		dash_error(rq, 400, title, "Выберите учётную запись из списка.");
		return false;
	}
	return true;
}

/* The two passwords typed; false (an error page replied) when they differ. */
static bool
dash_user_twice(struct dash_req *rq, const char *pw, const char *again, const char *title)
{
	size_t n = pw ? strlen(pw) : 0;

	if (pw == NULL || again == NULL || strlen(again) != n || sodium_memcmp(pw, again, n) != 0) {
		dash_error(rq, 400, title, "Пароли не совпали. Вернитесь назад и введите пароль "
		    "дважды одинаково.");
		return false;
	}
	return true;
}

/* After an account's change: what the store said, as a page and an audit row. */
static int
dash_user_result(struct dash_req *rq, int r, const struct terr *e, const char *action,
    const char *login, const char *title, const char *done)
{
	if (r == TERR_ARG || r == TERR_NOTFOUND) {
		dash_audit(rq, NULL, action, login, "refused");
		return dash_error(rq, 400, title, "%s.", e->msg);
	}
	if (r != 0) {
		dash_audit(rq, NULL, action, login, "failed");
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s %s %s: %s", rq->addr, action, login, e->msg);
		return dash_error(rq, 503, title, "Хаб сейчас не может изменить учётную запись. "
		    "Повторите через минуту.");
	}
	dash_audit(rq, NULL, action, login, "ok");
	return dash_admin_done(rq, "/admin/users", done, login);
}

int
dash_user_add_post(struct dash_req *rq, const char *rest)
{
	static const char title[] = "Учётная запись не создана";
	const char *login = dash_field(rq, "login"), *role_s = dash_field(rq, "role");
	const char *school = dash_field(rq, "school"), *pw = dash_field(rq, "password");
	char norm[HUBDB_LOGIN_MAX + 1];
	enum accounts_role role;
	struct terr e;
	int r;

	(void)rest;
	terr_clear(&e);
	if (login == NULL || accounts_login_check(login, &e) != 0)
		return dash_error(rq, 400, title, "%s.", login ? e.msg : "Укажите логин");
	accounts_login_norm(login, norm);
	if (role_s == NULL || !accounts_role_parse(role_s, &role))
		return dash_error(rq, 400, title, "Выберите роль из списка.");
	if (school != NULL && school[0] == '\0')
		school = NULL;
	if (!dash_user_twice(rq, pw, dash_field(rq, "password2"), title))
		return 0;
	if (role == ACCOUNTS_SCHOOL && school != NULL) {
		bool known = false;

		if (dash_school_known(rq, school, &known, &e) != 0)
			return dash_error(rq, 503, title, "Хаб сейчас не может прочитать реестр школ. "
			    "Повторите через минуту.");
		/* a director's account for a mistyped code would open no school */
		if (!known)
			return dash_error(rq, 400, title, "Школы с кодом %.40s нет в реестре. Проверьте "
			    "код (вкладка «Школы»).", school);
	}
	/* Argon2id: 64 MiB a hash, as many at once as logins take */
	if (!dash_login_slot(rq->d)) {
		rq->retry_after = 5;
		return dash_error(rq, 503, "Хаб занят", "Повторите через несколько секунд.");
	}
	r = accounts_add(rq->db, login, role, school, pw, &e);
	dash_login_done(rq->d);
	return dash_user_result(rq, r, &e, "user_add", norm, title, "user_added");
}

int
dash_user_passwd_post(struct dash_req *rq, const char *rest)
{
	static const char title[] = "Пароль не задан";
	char norm[HUBDB_LOGIN_MAX + 1];
	struct hubdb_user u;
	bool found = false;
	struct terr e;
	int r;

	(void)rest;
	terr_clear(&e);
	if (!dash_user_login(rq, "who", title, norm) ||
	    !dash_user_twice(rq, dash_field(rq, "newpw"), dash_field(rq, "newpw2"), title))
		return 0;
	if ((r = hubdb_user_get(rq->db, norm, &u, &found, &e)) == 0 && !found)
		r = terr_set(&e, TERR_NOTFOUND, "Нет учётной записи «%s»", norm);
	sodium_memzero(u.pwhash, sizeof(u.pwhash));
	if (r == 0) {
		if (!dash_login_slot(rq->d)) {
			rq->retry_after = 5;
			return dash_error(rq, 503, "Хаб занят", "Повторите через несколько секунд.");
		}
		r = accounts_set_password(rq->db, norm, dash_field(rq, "newpw"), &e);
		dash_login_done(rq->d);
	}
	if (r == 0 && strcmp(norm, rq->who.login) == 0) {
		/* one's own: this session ended with the others */
		dash_audit(rq, NULL, "user_passwd", norm, "ok");
		snprintf(rq->set_cookie[0], sizeof(rq->set_cookie[0]), "%s=" DASH_COOKIE_ATTRS
		    "; Max-Age=0", DASH_SESSION_COOKIE);
		return dash_redirect(rq, "/login?changed=1");
	}
	return dash_user_result(rq, r, &e, "user_passwd", norm, title, "user_passwd");
}

static int
dash_user_toggle(struct dash_req *rq, bool disable)
{
	const char *title = disable ? "Учётная запись не заблокирована" :
	    "Учётная запись не разблокирована";
	char norm[HUBDB_LOGIN_MAX + 1];
	struct terr e;
	int r;

	terr_clear(&e);
	if (!dash_user_login(rq, "account", title, norm))
		return 0;
	if (disable && strcmp(norm, rq->who.login) == 0) {
		dash_audit(rq, NULL, "user_disable", norm, "refused");
		return dash_error(rq, 400, title, "Свою учётную запись заблокировать нельзя: это "
		    "может сделать другой администратор.");
	}
	r = accounts_set_disabled(rq->db, norm, disable, &e);
	return dash_user_result(rq, r, &e, disable ? "user_disable" : "user_enable", norm, title,
	    disable ? "user_disabled" : "user_enabled");
}

int
dash_user_disable_post(struct dash_req *rq, const char *rest)
{
	(void)rest;
	return dash_user_toggle(rq, true);
}

int
dash_user_enable_post(struct dash_req *rq, const char *rest)
{
	(void)rest;
	return dash_user_toggle(rq, false);
}
