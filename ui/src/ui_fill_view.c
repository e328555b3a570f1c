/*
 * ui_fill_view — what the filling pages share (ui_fill.h): a stored record
 * opened for a page, the fill page with its buttons, the school of a new
 * record, the way to the passphrase page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/school.h"

#include "client/rec.h"
#include "client/rec_school.h"
#include "client/vault.h"
#include "web/formview.h"

#include "ui_fill.h"

bool
ui_fill_url(char *out, size_t cap, const char *path, const char *name,
    const char *value)
{
	char esc[UI_FILL_URL_MAX];
	int n;

	if (!webreq_query_escape(value, esc, sizeof(esc)))
		return false;
	n = snprintf(out, cap, "%s?%s=%s", path, name, esc);
	return n > 0 && (size_t)n < cap;
}

int
ui_fill_unlock(struct ui_req *rq, const char *next)
{
	char url[UI_FILL_URL_MAX * 3 + 16];
	struct html *h;

	if (!ui_fill_url(url, sizeof(url), "/unlock", "next", next))
		snprintf(url, sizeof(url), "/unlock");
	if (!ui_unlock_deferred(ui_req_ui(rq)))
		return ui_reply_redirect(rq, url);
	/* «Позже» chosen on the passphrase page: said here, not asked again
	 * and again by a redirect back to it */
	if ((h = ui_page_begin(rq, "Нужен пароль")) == NULL)
		return ui_page_end(rq, NULL, 500);
	html_elem(h, "h1", "Нужен пароль", NULL);
	html_elem(h, "p", "В этой форме есть личные сведения (ФИО, телефоны, суть "
	    "конфликта): они хранятся зашифрованными, и без пароля запись не "
	    "заполнить и не изменить.", NULL);
	html_open(h, "div", "class", "buttons", NULL);
	html_elem(h, "a", "Ввести пароль", "href", url, "class", "btn primary", NULL);
	html_elem(h, "a", "На главную", "href", "/", "class", "btn quiet", NULL);
	html_close(h, "div");
	return ui_page_end(rq, h, 403);
}

bool
ui_fill_needs_unlock(struct ui_req *rq, const struct form *f)
{
	return form_has_local(f) && store_locked(ui_store(ui_req_ui(rq)));
}

int
ui_fill_to_record(struct ui_req *rq, const char *idtext)
{
	char url[UI_FILL_URL_MAX];

	if (!ui_fill_url(url, sizeof(url), "/record", "id", idtext))
		return ui_reply_redirect(rq, "/records");
	return ui_reply_redirect(rq, url);
}

void
ui_fill_rec_close(struct ui_fill_rec *fr)
{
	store_record_free(fr->rec);
	cJSON_Delete(fr->values);
	memset(fr, 0, sizeof(*fr));
}

bool
ui_fill_rec_open(struct ui_req *rq, struct ui_fill_rec *fr, int *reply)
{
	struct ui *u = ui_req_ui(rq);
	struct store *s = ui_store(u);
	const char *q = ui_req_query(rq, "id");
	char next[UI_FILL_URL_MAX];
	struct terr e = { 0 };
	int r;

	memset(fr, 0, sizeof(*fr));
	if (q == NULL || uuid7_parse(q, fr->id) != 0) {
		*reply = ui_reply_error(rq, 404, "Запись не найдена: в адресе нет "
		    "её номера или он неверен.");
		return false;
	}
	uuid7_format(fr->id, fr->idtext);
	if ((r = store_record_get(s, fr->id, &fr->rec, &e)) != 0) {
		*reply = ui_reply_error(rq, r == STORE_NOTFOUND ? 404 : 500,
		    r == STORE_NOTFOUND ? "Запись не найдена: возможно, она удалена." :
		    e.msg);
		goto fail;
	}
	if ((fr->f = catalog_get(ui_catalog(u), fr->rec->form_id,
	    fr->rec->form_version)) == NULL) {
		char msg[400];

		snprintf(msg, sizeof(msg), "Нет версии %u формы «%s», которой "
		    "сделана запись: её нельзя показать для заполнения. Формы "
		    "приходят при синхронизации.", fr->rec->form_version,
		    fr->rec->form_id);
		*reply = ui_reply_error(rq, 404, msg);
		goto fail;
	}
	/* its hidden values are needed to fill it: the passphrase first, then
	 * back here (read again then, with them) */
	if (ui_fill_needs_unlock(rq, fr->f)) {
		snprintf(next, sizeof(next), "%s?id=%s", ui_req_path(rq), fr->idtext);
		*reply = ui_fill_unlock(rq, next);
		goto fail;
	}
	if (store_record_damaged(s, fr->rec)) {
		*reply = ui_reply_error(rq, 409, "Скрытые поля этой записи повреждены "
		    "(не расшифровываются): изменять её нельзя, чтобы не стереть то, "
		    "что ещё можно вернуть из резервной копии базы.");
		goto fail;
	}
	if ((fr->values = cJSON_Parse(fr->rec->data)) == NULL ||
	    !cJSON_IsObject(fr->values)) {
		*reply = ui_reply_error(rq, 500, "Данные записи повреждены: её нельзя "
		    "показать для заполнения.");
		goto fail;
	}
	return true;
 fail:
	ui_fill_rec_close(fr);
	return false;
}

/* ---- the school of a new record ---- */

int
ui_fill_school(struct ui_req *rq, const char *asked,
    char code[SCHOOL_CODE_MAX + 1], struct terr *e)
{
	struct store *s = ui_store(ui_req_ui(rq));
	char *list = NULL, *own = NULL, first[SCHOOL_CODE_MAX + 1];
	const char *cur;
	size_t n = 0;
	bool curator;
	int r;

	code[0] = '\0';
	if ((r = rec_school_choices(s, &list, &curator, e)) != 0 ||
	    (r = store_meta_get(s, "school", &own, e)) != 0)
		goto out;
	cur = list ? list : "";
	while (school_list_next(&cur, first) && n < 2)
		n++;
	if (curator && n == 0) {
		/* not enrolled yet: nothing to fill in vain (the page says how) */
		r = 2;
		goto out;
	}
	if (asked != NULL && asked[0] != '\0') {
		/* one of the device's, whatever the kind of device */
		if ((r = rec_school_check(s, asked, e)) != 0)
			goto out;
		snprintf(code, SCHOOL_CODE_MAX + 1, "%s", asked);
		goto out;
	}
	if (curator && n > 1) {
		r = 1;
		goto out;
	}
	cur = list ? list : "";
	if (curator && school_list_next(&cur, first))
		snprintf(code, SCHOOL_CODE_MAX + 1, "%s", first);
	else if (!curator && own != NULL)
		snprintf(code, SCHOOL_CODE_MAX + 1, "%s", own);
	r = 0;
 out:
	free(list);
	free(own);
	return r;
}

int
ui_fill_not_enrolled(struct ui_req *rq)
{
	struct html *h;

	if ((h = ui_page_begin(rq, "Устройство не зарегистрировано")) == NULL)
		return ui_page_end(rq, NULL, 500);
	html_elem(h, "h1", "Сначала регистрация", NULL);
	html_elem(h, "p", "Школы этого ноутбука куратора ещё не известны: они "
	    "приходят с регистрацией на хабе. Зарегистрируйте его файлом "
	    "регистрации, который даёт координатор, — после этого можно "
	    "заполнять записи.", NULL);
	html_open(h, "div", "class", "buttons", NULL);
	html_elem(h, "a", "Регистрация", "href", "/enroll", "class", "btn primary",
	    NULL);
	html_elem(h, "a", "На главную", "href", "/", "class", "btn quiet", NULL);
	html_close(h, "div");
	return ui_page_end(rq, h, 409);
}

/* ---- problems ---- */

int
ui_fill_problem_add(struct form_problems **a, const char *path,
    const char *message)
{
	struct form_problem *items;
	struct form_problems *p = *a;

	if (p == NULL && (p = *a = calloc(1, sizeof(*p))) == NULL)
		return TERR_NOMEM;
	if ((items = realloc(p->items, (p->n + 1) * sizeof(*items))) == NULL)
		return TERR_NOMEM;
	p->items = items;
	items[p->n].path = path ? strdup(path) : NULL;
	items[p->n].message = strdup(message ? message : "");
	if ((path && items[p->n].path == NULL) || items[p->n].message == NULL) {
		free(items[p->n].path);
		free(items[p->n].message);
		return TERR_NOMEM;
	}
	p->n++;
	return 0;
}

int
ui_fill_problems_merge(struct form_problems **a, const struct form_problems *b)
{
	int r;

	for (size_t i = 0; b != NULL && i < b->n; i++)
		if ((r = ui_fill_problem_add(a, b->items[i].path,
		    b->items[i].message)) != 0)
			return r;
	return 0;
}

/* ---- the fill page ---- */

/* The school field's choices: the record's one school, fixed (picked
 * before the page, as the CLI asks it first; a record keeps its school). */
struct ui_fill_schools {
	const char *codes[1];
	const char *names[1];
	char name[256];
};

static void
ui_fill_opts(struct ui_req *rq, const char *school, struct ui_fill_schools *sc,
    struct formview_opts *o)
{
	struct terr ignored = { 0 };

	memset(o, 0, sizeof(*o));
	if (school == NULL || school[0] == '\0')
		return;
	sc->codes[0] = school;
	sc->names[0] = NULL;
	if (localdb_school_name(store_localdb(ui_store(ui_req_ui(rq))), school,
	    sc->name, sizeof(sc->name), &ignored) == 1)
		sc->names[0] = sc->name;
	o->school_codes = sc->codes;
	o->school_names = sc->names;
	o->n_schools = 1;
	o->school_fixed = true;
}

static void
ui_fill_button(struct html *h, const char *value, const char *label,
    const char *cls)
{
	html_elem(h, "button", label, "type", "submit", "name", UI_FILL_DO,
	    "value", value, "class", cls, NULL);
}

int
ui_fill_page(struct ui_req *rq, const struct ui_fill_page *p)
{
	struct store *s = ui_store(ui_req_ui(rq));
	struct localdb_record *now = NULL;
	struct ui_fill_schools sc;
	struct formview_opts o;
	struct terr e = { 0 };
	char title[512], idtext[UUID7_STRLEN + 1];
	const char *kind;
	bool final = p->status != NULL && strcmp(p->status, "final") == 0;
	struct html *h;
	int r;

	kind = p->status == NULL ? "Новая запись" : final ? "Изменение записи" :
	    "Черновик";
	snprintf(title, sizeof(title), "%s: %s", kind, form_title(p->f));
	if ((h = ui_page_begin(rq, title)) == NULL)
		return ui_page_end(rq, NULL, 500);
	html_elem(h, "h1", title, NULL);
	ui_fill_opts(rq, p->school, &sc, &o);
	/* a form with a school field shows it there (the visit's «Код ОО») */
	if (o.n_schools == 1 && form_school_field(p->f) == NULL) {
		html_open(h, "p", "class", "fill-school", NULL);
		if (sc.names[0] != NULL)
			html_textf(h, "Школа: %s — %s", p->school, sc.names[0]);
		else
			html_textf(h, "Школа: %s", p->school);
		html_close(h, "p");
	}
	if (final)
		html_elem(h, "p", "Запись окончательная: изменения сохраняются "
		    "целиком, после проверки, и уходят в муниципалитет при "
		    "синхронизации.", "class", "muted", NULL);
	/* the CLI's warning too: without a passphrase the hidden fields are
	 * stored in the clear on this computer */
	if (form_has_local(p->f) && vault_state(store_vault(s)) == VAULT_NONE)
		html_elem(h, "p", "Пароль не задан: ФИО, телефоны и суть конфликта "
		    "хранятся на этом компьютере открыто. Задать пароль: tetrad "
		    "passphrase set.", "class", "flash warn", NULL);
	if (p->notice != NULL && p->notice[0] != '\0')
		html_elem(h, "p", p->notice, "class", "flash warn", "role", "alert", NULL);

	html_open(h, "form", "method", "post", "action", p->action,
	    "class", "fill", "novalidate", "", "accept-charset", "UTF-8", NULL);
	ui_csrf_input(rq, h);
	if (p->id != NULL) {
		/* the version this page shows: a change meanwhile is said */
		if (localdb_record_get(store_localdb(s), p->id, &now, &e) == 0)
			html_void(h, "input", "type", "hidden", "name", UI_FILL_HLC,
			    "value", now->updated_hlc, NULL);
		localdb_record_free(now);
	}
	if ((r = formview_render(h, p->f, p->values, p->typed, p->problems, &o,
	    &e)) != 0) {
		html_free(h);
		return ui_reply_error(rq, 500, e.msg[0] ? e.msg :
		    "Форму не удалось показать.");
	}
	html_open(h, "div", "class", "buttons", NULL);
	if (final) {
		ui_fill_button(h, "save", "Сохранить изменения", "btn primary");
	} else {
		ui_fill_button(h, "draft", "Сохранить черновик", "btn");
		ui_fill_button(h, "review", "Проверить и завершить", "btn primary");
	}
	if (p->id != NULL) {
		char url[UI_FILL_URL_MAX];

		uuid7_format(p->id, idtext);
		if (ui_fill_url(url, sizeof(url), "/record", "id", idtext))
			html_elem(h, "a", final ? "Отмена" : "К записи", "href", url,
			    "class", "btn quiet", NULL);
		/* an abandoned draft goes through the confirmation page */
		if (!final && ui_fill_url(url, sizeof(url), "/delete", "id", idtext))
			html_elem(h, "a", "Удалить черновик", "href", url,
			    "class", "btn quiet", NULL);
	} else
		html_elem(h, "a", "Отмена", "href", "/new", "class", "btn quiet", NULL);
	html_close(h, "div");
	html_close(h, "form");
	return ui_page_end(rq, h, p->http_status ? p->http_status : 200);
}
