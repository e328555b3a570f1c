/*
 * dash_login — the login page, logout, a person's own password, and the
 * built-in assets (CSS, script) the pages load.
 *
 * The login form has no session to take a CSRF token from: it gets one of
 * its own, in a cookie and in the form alike (a page of another site can
 * send neither). The session's cookie is __Host- prefixed (Secure, Path=/,
 * no Domain: no other host can set it), HttpOnly and SameSite=Strict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "dash_private.h"
#include "hub/hubdb_web.h"
#include "web/page.h"

#define DASH_LOGIN_FIELD "_login"

/*
 * Where to go after the login: a path of this site, never another's. Only
 * the bytes of a plain path and query pass: a browser drops tabs and line
 * ends from a Location before it reads it, so "/<TAB>/evil.example" would
 * leave as "//evil.example" (another site) if anything else were let by.
 */
static const char *
dash_next(const char *next)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789/._~%?&=-";

	if (next == NULL || next[0] != '/' || next[1] == '/' || strlen(next) >= DASH_PATH_MAX ||
	    strspn(next, ok) != strlen(next) || strncmp(next, "/login", 6) == 0)
		return "/";
	return next;
}

static int
dash_login_form(struct dash_req *rq, int status, const char *error, const char *login)
{
	char token[65];
	uint8_t raw[32];
	struct html *h;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
	snprintf(rq->set_cookie[0], sizeof(rq->set_cookie[0]), "%s=%s%s; Max-Age=3600",
	    DASH_LOGIN_COOKIE, token, DASH_COOKIE_ATTRS);
	rq->logged_in = false;
	if ((h = dash_page_begin(rq, "Вход в панель координатора", NULL)) == NULL)
		return dash_reply_html(rq, 503, NULL);
	if (error != NULL)
		html_elem(h, "p", error, "class", "flash error", "role", "alert", NULL);
	else if (!rq->post && dash_arg(rq, "changed") != NULL)
		html_elem(h, "p", "Пароль изменён. Войдите с новым паролем.", "class", "flash",
		    "role", "status", NULL);
	html_open(h, "form", "method", "post", "action", "/login", "class", "tform login", NULL);
	html_void(h, "input", "type", "hidden", "name", DASH_LOGIN_FIELD, "value", token, NULL);
	html_void(h, "input", "type", "hidden", "name", "next", "value",
	    dash_next(rq->post ? dash_field(rq, "next") : dash_arg(rq, "next")), NULL);
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", "Логин", "for", "login", NULL);
	html_void(h, "input", "type", "text", "name", "login", "id", "login", "value",
	    login ? login : "", "autocomplete", "username", "autocapitalize", "none",
	    "required", "", "autofocus", "", NULL);
	html_close(h, "div");
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", "Пароль", "for", "password", NULL);
	html_void(h, "input", "type", "password", "name", "password", "id", "password",
	    "autocomplete", "current-password", "required", "", NULL);
	html_close(h, "div");
	html_open(h, "p", "class", "buttons", NULL);
	html_elem(h, "button", "Войти", "type", "submit", "class", "primary", NULL);
	html_close(h, "p");
	html_close(h, "form");
	html_elem(h, "p", "Учётную запись создаёт администратор хаба; он же задаёт новый "
	    "пароль, если этот забыт.", "class", "muted small", NULL);
	html_close(h, "main");
	web_page_end(h);
	return dash_reply_html(rq, status, h);
}

int
dash_login_page(struct dash_req *rq, const char *rest)
{
	(void)rest;
	return dash_login_form(rq, 200, NULL, NULL);
}

/* The login field as the audit log may keep it: only a login that exists
 * (a password typed into the login field must not land in the log). */
static void
dash_login_audit_name(struct dash_req *rq, const char *login, char out[HUBDB_LOGIN_MAX + 1])
{
	struct hubdb_user u;
	struct terr e;
	bool found = false;

	terr_clear(&e);
	out[0] = '\0';
	if (accounts_login_norm(login, out) &&
	    (hubdb_user_get(rq->db, out, &u, &found, &e) != 0 || !found))
		out[0] = '\0';
	sodium_memzero(u.pwhash, sizeof(u.pwhash));
}

int
dash_login_post(struct dash_req *rq, const char *rest)
{
	const char *login = dash_field(rq, "login"), *password = dash_field(rq, "password");
	const char *sent = dash_field(rq, DASH_LOGIN_FIELD);
	enum accounts_verdict v = ACCOUNTS_WRONG;
	struct accounts_session who;
	char cookie[80], name[HUBDB_LOGIN_MAX + 1];
	unsigned wait_s = 0;
	struct terr e;
	int r;

	(void)rest;
	terr_clear(&e);
	/*
	 * A form refused before any check, or from an address that waits, is
	 * not written to the audit log: anyone can send them, as fast as they
	 * like, and each row is a write (the hub's log has the request line).
	 * A refused form counts as a failure of its address, so a flood of
	 * them waits like a flood of wrong passwords.
	 */
	if ((wait_s = dash_login_throttled(rq->d, rq)) > 0) {
		rq->retry_after = wait_s;
		return dash_error(rq, 429, "Вход временно закрыт", "С этого адреса было слишком "
		    "много неудачных попыток входа. Повторите через %u с.", wait_s);
	}
	if (webreq_cookie(rq->cookie, DASH_LOGIN_COOKIE, cookie, sizeof(cookie)) != 1 ||
	    sent == NULL || strlen(sent) != strlen(cookie) ||
	    sodium_memcmp(sent, cookie, strlen(cookie)) != 0) {
		dash_login_failed(rq->d, rq);
		return dash_login_form(rq, 403, "Форма входа устарела. Введите логин и пароль ещё "
		    "раз.", NULL);
	}
	if (!dash_login_slot(rq->d)) {
		rq->retry_after = 5;
		return dash_error(rq, 503, "Хаб занят", "Сейчас входят слишком многие. Повторите "
		    "через несколько секунд.");
	}
	r = accounts_login(rq->db, login, password, rq->addr, rq->now, &v, &wait_s, &who, &e);
	dash_login_done(rq->d);
	if (r != 0) {
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s login: %s", rq->addr, e.msg);
		return dash_error(rq, 503, "Вход не удался", "Хаб не смог проверить пароль. "
		    "Повторите через минуту; если не поможет — сообщите администратору хаба.");
	}
	dash_login_audit_name(rq, login, name);
	if (v == ACCOUNTS_LOCKED) {
		/* counted against the address too: else a flood at a locked account
		 * would write an audit row per request */
		dash_login_failed(rq->d, rq);
		dash_audit(rq, name, "login_locked", "", "refused");
		rq->retry_after = wait_s;
		return dash_error(rq, 429, "Вход временно закрыт", "Для этой учётной записи было "
		    "слишком много неудачных попыток. Повторите через %u с или попросите "
		    "администратора задать новый пароль.", wait_s);
	}
	if (v != ACCOUNTS_OK) {
		char typed[HUBDB_LOGIN_MAX + 1];

		dash_login_failed(rq->d, rq);
		dash_audit(rq, name, "login_failed", name[0] ? "" : "неизвестный логин", "refused");
		/* the login as typed, whether it exists or not: the form tells nothing */
		if (!accounts_login_norm(login, typed))
			typed[0] = '\0';
		return dash_login_form(rq, 401, "Неверный логин или пароль.", typed);
	}
	rq->who = who;
	rq->logged_in = true;
	snprintf(rq->set_cookie[0], sizeof(rq->set_cookie[0]), "%s=%s%s", DASH_SESSION_COOKIE,
	    who.token, DASH_COOKIE_ATTRS);
	snprintf(rq->set_cookie[1], sizeof(rq->set_cookie[1]), "%s=" DASH_COOKIE_ATTRS
	    "; Max-Age=0", DASH_LOGIN_COOKIE);
	sodium_memzero(who.token, sizeof(who.token));
	sodium_memzero(rq->who.token, sizeof(rq->who.token));
	dash_audit(rq, NULL, "login", "", "ok");
	return dash_redirect(rq, dash_next(dash_field(rq, "next")));
}

int
dash_logout_post(struct dash_req *rq, const char *rest)
{
	char token[ACCOUNTS_TOKEN_HEX + 8];
	struct terr e;

	(void)rest;
	terr_clear(&e);
	if (webreq_cookie(rq->cookie, DASH_SESSION_COOKIE, token, sizeof(token)) == 1 &&
	    accounts_logout(rq->db, token, &e) != 0)
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s logout: %s", rq->addr, e.msg);
	sodium_memzero(token, sizeof(token));
	dash_audit(rq, NULL, "logout", "", "ok");
	snprintf(rq->set_cookie[0], sizeof(rq->set_cookie[0]), "%s=" DASH_COOKIE_ATTRS
	    "; Max-Age=0", DASH_SESSION_COOKIE);
	return dash_redirect(rq, "/login");
}

static int
dash_account_form(struct dash_req *rq, int status, const char *error)
{
	struct html *h;

	if ((h = dash_page_begin(rq, "Смена пароля", NULL)) == NULL)
		return dash_reply_html(rq, 503, NULL);
	if (error != NULL)
		html_elem(h, "p", error, "class", "flash error", "role", "alert", NULL);
	html_textf(h, "Учётная запись %s. После смены пароля все её сеансы закрываются: "
	    "войдите с новым паролем.", rq->who.login);
	html_open(h, "form", "method", "post", "action", "/account", "class", "tform", NULL);
	dash_csrf_input(rq, h);
	static const char *const fields[][3] = {
		{ "current", "Нынешний пароль", "current-password" },
		{ "new", "Новый пароль (не короче 10 символов)", "new-password" },
		{ "again", "Новый пароль ещё раз", "new-password" },
	};
	for (size_t i = 0; i < 3; i++) {
		html_open(h, "div", "class", "field", NULL);
		html_elem(h, "label", fields[i][1], "for", fields[i][0], NULL);
		html_void(h, "input", "type", "password", "name", fields[i][0], "id", fields[i][0],
		    "autocomplete", fields[i][2], "required", "", NULL);
		html_close(h, "div");
	}
	html_open(h, "p", "class", "buttons", NULL);
	html_elem(h, "button", "Сменить пароль", "type", "submit", "class", "primary", NULL);
	html_close(h, "p");
	html_close(h, "form");
	html_close(h, "main");
	web_page_end(h);
	return dash_reply_html(rq, status, h);
}

int
dash_account_page(struct dash_req *rq, const char *rest)
{
	(void)rest;
	return dash_account_form(rq, 200, NULL);
}

int
dash_account_post(struct dash_req *rq, const char *rest)
{
	const char *cur = dash_field(rq, "current"), *pw = dash_field(rq, "new");
	const char *again = dash_field(rq, "again");
	enum accounts_verdict v = ACCOUNTS_WRONG;
	unsigned wait_s = 0;
	struct terr e;
	int r;

	(void)rest;
	terr_clear(&e);
	if (pw == NULL || again == NULL || strcmp(pw, again) != 0)
		return dash_account_form(rq, 400, "Новые пароли не совпали.");
	if (accounts_password_check(pw, &e) != 0)
		return dash_account_form(rq, 400, e.msg);
	if (!dash_login_slot(rq->d)) {
		rq->retry_after = 5;
		return dash_error(rq, 503, "Хаб занят", "Повторите через несколько секунд.");
	}
	r = accounts_check_password(rq->db, rq->who.login, cur, rq->now, &v, &wait_s, &e);
	dash_login_done(rq->d);
	if (r == 0 && v == ACCOUNTS_OK && (r = accounts_set_password(rq->db, rq->who.login, pw,
	    &e)) == TERR_ARG)
		return dash_account_form(rq, 400, e.msg);
	if (r != 0) {
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s password change: %s", rq->addr, e.msg);
		return dash_error(rq, 503, "Пароль не изменён", "Хаб не смог сменить пароль. "
		    "Повторите позже.");
	}
	if (v != ACCOUNTS_OK) {
		dash_audit(rq, NULL, "password_change", "", "refused");
		if (v == ACCOUNTS_LOCKED) {
			rq->retry_after = wait_s;
			return dash_error(rq, 429, "Слишком много попыток", "Повторите через %u с.",
			    wait_s);
		}
		return dash_account_form(rq, 400, "Нынешний пароль введён неверно.");
	}
	dash_audit(rq, NULL, "password_change", "", "ok");
	snprintf(rq->set_cookie[0], sizeof(rq->set_cookie[0]), "%s=" DASH_COOKIE_ATTRS
	    "; Max-Age=0", DASH_SESSION_COOKIE);
	return dash_redirect(rq, "/login?changed=1");
}

int
dash_asset(struct dash_req *rq, const char *rest)
{
	const struct web_asset *a = web_asset_find(rest);
	char *copy;

	if (a == NULL)
		return dash_error(rq, 404, "Нет такого файла", "Такого файла нет.");
	if ((copy = malloc(a->len ? a->len : 1)) == NULL)
		return dash_reply_html(rq, 503, NULL);
	memcpy(copy, a->data, a->len);
	return dash_reply_bytes(rq, 200, a->content_type, copy, a->len, NULL);
}
