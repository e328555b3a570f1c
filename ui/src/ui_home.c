/*
 * ui_home — the start page (the device's school(s), what waits to be sent,
 * what the hub refused, the last sync in words, the four big buttons) and
 * the passphrase page, asked at the start when the store is locked, before
 * any page shows or writes a `local` value; the recovery key works there
 * too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "client/app.h"
#include "client/rec.h"
#include "client/rec_school.h"
#include "client/vault.h"
#include "ui_private.h"

static void
ui_home_count(struct html *h, const char *cls, const char *label, int64_t n,
    const char *href)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", (long long)n);
	if (href != NULL && n > 0)
		html_open(h, "a", "class", cls, "href", href, NULL);
	else
		html_open(h, "div", "class", cls, NULL);
	html_elem(h, "span", num, "class", "n", NULL);
	html_elem(h, "span", label, "class", "label", NULL);
	html_close(h, href != NULL && n > 0 ? "a" : "div");
}

/* Refused records in words (the first three): the record's form and school
 * and the hub's reason, without the set's and the change's numbers, which
 * say nothing to a person. */
struct ui_home_reasons {
	struct html *h;
	const struct catalog *cat;
	int shown;
};

static int
ui_home_reason(const struct localdb_quarantined *q, void *arg)
{
	struct ui_home_reasons *r = arg;
	const struct form *f = r->cat ? catalog_latest(r->cat, q->form_id) : NULL;
	char p[512];

	if (r->shown++ == 3)
		return 1;
	ui_refused_reason(q->reason, q->seq, p, sizeof(p));
	html_open(r->h, "li", NULL);
	html_elem(r->h, "b", f ? form_title(f) : q->form_id, NULL);
	html_textf(r->h, ", школа %s%s: %s", q->school,
	    strcmp(q->op, "delete") == 0 ? " (удаление)" :
	    strcmp(q->op, "edit") == 0 ? " (исправление)" : "",
	    p);
	html_close(r->h, "li");
	return 0;
}

/* A curator's laptop: all its schools (the header shows three). */
static void
ui_home_schools(struct store *s, struct html *h)
{
	struct terr e = { 0 };
	char *list = NULL, *save = NULL, name[256];
	bool curator = false;
	int n = 0;

	if (rec_school_choices(s, &list, &curator, &e) != 0 || !curator) {
		free(list);
		return;
	}
	html_open(h, "p", NULL);
	if (list == NULL || list[0] == '\0') {
		html_text(h, "Школ у этого ноутбука пока нет: они придут с регистрацией на хабе.");
	} else {
		html_text(h, "Ваши школы: ");
		for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
			if (n++ > 0)
				html_text(h, ", ");
			if (localdb_school_name(store_localdb(s), c, name, sizeof(name), &e) == 1)
				html_textf(h, "%s — %s", c, name);
			else
				html_text(h, c);
		}
	}
	html_close(h, "p");
	free(list);
}

/* A button that posts (starting a sync changes things: never a GET). */
static void
ui_home_post_button(struct ui_req *rq, struct html *h, const char *action,
    const char *text)
{
	html_open(h, "form", "method", "post", "action", action, NULL);
	ui_csrf_input(rq, h);
	html_elem(h, "button", text, "type", "submit", "class", "bigbtn", NULL);
	html_close(h, "form");
}

int
ui_page_home(struct ui_req *rq)
{
	struct ui *u = ui_req_ui(rq);
	struct store *s = ui_store(u);
	struct store_counts n;
	struct terr e = { 0 };
	struct html *h;
	char *at = NULL, *result = NULL, *hub = NULL, when[64];
	int r;

	if (store_locked(s) && !ui_unlock_deferred(u))
		return ui_reply_redirect(rq, "/unlock");
	if ((r = store_counts(s, &n, &e)) != 0)
		return ui_reply_error(rq, 500, e.msg);
	if (store_meta_get(s, "last_sync_at", &at, &e) != 0 ||
	    store_meta_get(s, "last_sync_result", &result, &e) != 0 ||
	    store_meta_get(s, "hub_url", &hub, &e) != 0) {
		free(at);
		free(result);
		return ui_reply_error(rq, 500, e.msg);
	}
	h = ui_page_begin(rq, "Тетрад");
	if (h == NULL)
		goto out;
	html_elem(h, "h1", "Тетрад", NULL);
	ui_home_schools(s, h);
	html_open(h, "div", "class", "actions", NULL);
	html_elem(h, "a", "Новая запись", "href", "/new", "class", "bigbtn primary", NULL);
	html_elem(h, "a", "Записи", "href", "/records", "class", "bigbtn", NULL);
	ui_home_post_button(rq, h, "/sync", "Синхронизировать");
	html_elem(h, "a", "Выгрузить", "href", "/export", "class", "bigbtn", NULL);
	html_close(h, "div");

	html_open(h, "section", NULL);
	html_elem(h, "h2", "Записи на этом компьютере", NULL);
	html_open(h, "div", "class", "stats", NULL);
	ui_home_count(h, "stat", "черновики", n.drafts, "/records?status=draft");
	ui_home_count(h, "stat", "готовые записи", n.finals, "/records?status=final");
	ui_home_count(h, "stat waiting", "ждут отправки", n.pending, NULL);
	ui_home_count(h, "stat", "отправлены, ждут ответа хаба", n.sent, NULL);
	ui_home_count(h, "stat sent", "приняты хабом", n.acked, NULL);
	ui_home_count(h, "stat refused", "не приняты хабом", n.quarantined, "/refused");
	html_close(h, "div");
	if (n.quarantined > 0) {
		struct ui_home_reasons rs = { h, ui_catalog(u), 0 };

		html_open(h, "div", "class", "flash error", NULL);
		html_text(h, "Хаб не принял часть записей:");
		html_open(h, "ul", NULL);
		(void)localdb_quarantined_each(store_localdb(s), 0, ui_home_reason, &rs, &e);
		html_close(h, "ul");
		if (rs.shown > 3)
			html_elem(h, "p", "и другие.", NULL);
		html_elem(h, "a", "Посмотреть записи и исправить", "href", "/refused", NULL);
		html_close(h, "div");
	}
	html_close(h, "section");

	html_open(h, "section", NULL);
	html_elem(h, "h2", "Синхронизация", NULL);
	if (ui_sync_running(ui_sync_of(u))) {
		html_open(h, "p", NULL);
		html_text(h, "Синхронизация идёт сейчас. ");
		html_elem(h, "a", "Посмотреть", "href", "/sync", NULL);
		html_close(h, "p");
	}
	if (hub == NULL || hub[0] == '\0') {
		html_open(h, "p", "class", "flash warn", NULL);
		html_text(h, "Компьютер ещё не зарегистрирован на хабе: записи копятся здесь. ");
		html_elem(h, "a", "Зарегистрировать по файлу с хаба", "href", "/enroll", NULL);
		html_close(h, "p");
	} else if (at == NULL || at[0] == '\0') {
		html_elem(h, "p", "Синхронизации ещё не было.", NULL);
	} else {
		app_time_local(at, when, sizeof(when));
		html_open(h, "p", NULL);
		html_textf(h, "Последняя синхронизация: %s — %s.", when,
		    app_sync_result_words(result));
		html_close(h, "p");
	}
	html_close(h, "section");

	html_open(h, "p", "class", "muted", NULL);
	html_elem(h, "a", "Загрузить CSV (социальные паспорта классов)", "href", "/import", NULL);
	html_text(h, " · ");
	html_elem(h, "a", "Регистрация на хабе", "href", "/enroll", NULL);
	html_close(h, "p");
 out:
	free(at);
	free(result);
	free(hub);
	return ui_page_end(rq, h, 200);
}

/* ---- the passphrase ------------------------------------------------------ */

static int
ui_unlock_form(struct ui_req *rq, const char *next, const char *error)
{
	struct store *s = ui_store(ui_req_ui(rq));
	struct vault_limits lim;
	bool has_recovery = false;
	struct html *h = ui_page_begin(rq, "Пароль — Тетрад");

	if (h == NULL)
		return ui_page_end(rq, NULL, 500);
	vault_info(store_vault(s), &lim, &has_recovery);
	html_elem(h, "h1", "Введите пароль", NULL);
	html_elem(h, "p", "ФИО, телефоны и другие личные сведения на этом компьютере "
	    "закрыты паролем. Без него их не видно, и записи с ними не открыть.", NULL);
	if (error != NULL)
		html_elem(h, "p", error, "class", "flash error", "role", "alert", NULL);
	html_open(h, "form", "method", "post", "action", "/unlock", "class", "unlock", NULL);
	ui_csrf_input(rq, h);
	html_void(h, "input", "type", "hidden", "name", "next", "value", next, NULL);
	html_open(h, "p", NULL);
	html_elem(h, "label", "Пароль", "for", "pass", NULL);
	html_void(h, "input", "type", "password", "name", "pass", "id", "pass",
	    "autocomplete", "current-password", "autofocus", "", "required", "", NULL);
	html_close(h, "p");
	html_elem(h, "button", "Открыть", "type", "submit", "class", "btn primary", NULL);
	html_close(h, "form");

	if (has_recovery) {
		html_open(h, "details", "class", "recovery", NULL);
		html_elem(h, "summary", "Забыли пароль? Ключ восстановления", NULL);
		html_open(h, "form", "method", "post", "action", "/unlock", NULL);
		ui_csrf_input(rq, h);
		html_void(h, "input", "type", "hidden", "name", "next", "value", next, NULL);
		html_open(h, "p", NULL);
		html_elem(h, "label", "Ключ восстановления (из сейфа школы)", "for", "recovery", NULL);
		html_void(h, "input", "type", "text", "name", "recovery", "id", "recovery",
		    "autocomplete", "off", "spellcheck", "false",
		    "placeholder", "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX", NULL);
		html_close(h, "p");
		html_elem(h, "button", "Открыть ключом", "type", "submit", "class", "btn", NULL);
		html_close(h, "form");
		html_close(h, "details");
	}
	html_open(h, "form", "method", "post", "action", "/unlock", "class", "later", NULL);
	ui_csrf_input(rq, h);
	html_void(h, "input", "type", "hidden", "name", "next", "value", next, NULL);
	html_void(h, "input", "type", "hidden", "name", "later", "value", "1", NULL);
	html_elem(h, "button", "Позже — работать без личных сведений", "type", "submit",
	    "class", "btn quiet", NULL);
	html_close(h, "form");
	/* 200 with the message: the page is the answer, not a failed request */
	return ui_page_end(rq, h, 200);
}

/* A posted secret wiped in the request's copy once used. */
static void
ui_unlock_wipe(const struct webform *f, const char *name)
{
	const struct webfield *w = f ? webform_field(f, name) : NULL;

	if (w != NULL && w->value != NULL)
		sodium_memzero(w->value, w->len);
}

int
ui_page_unlock(struct ui_req *rq)
{
	struct ui *u = ui_req_ui(rq);
	struct store *s = ui_store(u);
	const struct webform *f = ui_req_form(rq);
	const char *next = ui_local_path(f ? webform_get(f, "next") : ui_req_query(rq, "next"));
	const char *pass, *recovery;
	struct terr e = { 0 };
	unsigned ms = 0;
	int r, rc;

	if (!store_locked(s))
		return ui_reply_redirect(rq, next);
	if (f == NULL)
		return ui_unlock_form(rq, next, NULL);
	if (webform_get(f, "later") != NULL) {
		ui_unlock_defer(u);
		return ui_reply_redirect(rq, strcmp(next, "/unlock") == 0 ? "/" : next);
	}
	pass = webform_get(f, "pass");
	recovery = webform_get(f, "recovery");
	if ((pass == NULL || pass[0] == '\0') && (recovery == NULL || recovery[0] == '\0'))
		return ui_unlock_form(rq, next, "Введите пароль.");
	if ((r = vault_wait(store_vault(s), store_localdb(s), &ms, &e)) != 0) {
		rc = ui_unlock_form(rq, next, e.msg);
		goto out;
	}
	if (ms > 0) {
		char msg[160];

		snprintf(msg, sizeof(msg), "Слишком много неверных попыток: попробуйте снова "
		    "через %u с.", (ms + 999) / 1000);
		rc = ui_unlock_form(rq, next, msg);
		goto out;
	}
	if (pass != NULL && pass[0] != '\0')
		r = vault_unlock(store_vault(s), store_localdb(s), pass, strlen(pass), &e);
	else
		r = vault_unlock_recovery(store_vault(s), store_localdb(s), recovery, &e);
	if (r != 0) {
		rc = ui_unlock_form(rq, next, e.msg[0] ? e.msg : "Пароль не подошёл.");
		goto out;
	}
	if (pass != NULL && pass[0] != '\0')
		ui_flash(u, "Личные сведения открыты.");
	else
		ui_flash(u, "Открыто ключом восстановления. Задайте новый пароль: "
		    "tetrad passphrase change --recovery.");
	rc = ui_reply_redirect(rq, strcmp(next, "/unlock") == 0 ? "/" : next);
 out:
	ui_unlock_wipe(f, "pass");
	ui_unlock_wipe(f, "recovery");
	return rc;
}
