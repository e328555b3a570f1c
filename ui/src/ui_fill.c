/*
 * ui_fill — a new record and its filling: /new (the forms, then on a
 * curator's laptop with several schools which one — asked before anything
 * is typed, as the CLI asks it; a school device never asks) and
 * /fill (the form rendered from its definition; every post re-renders with
 * what was posted, so nothing typed is lost; «Сохранить черновик» stores
 * a draft at any moment, «Проверить и завершить» leads to /review; a final
 * record's edit is saved whole and queued as an edit). The same library
 * calls as `tetrad new` / `edit` (client/rec.h): rec_new, rec_update,
 * riskprof_fill.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/school.h"

#include "client/rec.h"
#include "client/rec_school.h"
#include "client/riskprof.h"
#include "web/formview.h"

#include "ui_fill.h"

/* a save from a page made before the record last changed */
#define UI_FILL_CHANGED_MEANWHILE "Пока вы заполняли форму, запись изменилась " \
	"(синхронизация или другая вкладка). Ваши ответы ниже ещё не сохранены: " \
	"проверьте их и сохраните снова."

/* ---- /new ---- */

/* The forms this device can fill: the newest version of each; school (a
 * curator's pick, or NULL) goes on with the choice. */
static int
ui_fill_forms(struct ui_req *rq, const char *school)
{
	const struct catalog *cat = ui_catalog(ui_req_ui(rq));
	struct html *h;
	char url[UI_FILL_URL_MAX * 2], sesc[SCHOOL_CODE_MAX * 3 + 1];
	size_t n;

	if (school != NULL && !webreq_query_escape(school, sesc, sizeof(sesc)))
		return ui_reply_error(rq, 400, "Неверный код школы.");
	if ((h = ui_page_begin(rq, "Новая запись")) == NULL)
		return ui_page_end(rq, NULL, 500);
	html_elem(h, "h1", "Новая запись", NULL);
	if (school != NULL) {
		html_open(h, "p", NULL);
		html_textf(h, "Школа: %s. Выберите форму.", school);
		html_close(h, "p");
	} else
		html_elem(h, "p", "Выберите форму.", NULL);
	html_open(h, "div", "class", "actions", NULL);
	for (size_t i = 0; i < catalog_count(cat); i++) {
		const struct form *f = catalog_at(cat, i);

		/* sorted by id then version: the last of each id is the newest */
		if (i + 1 < catalog_count(cat) &&
		    strcmp(form_id(catalog_at(cat, i + 1)), form_id(f)) == 0)
			continue;
		if (!ui_fill_url(url, sizeof(url), "/new", "form", form_id(f)))
			continue;
		n = strlen(url);
		if (school != NULL && snprintf(url + n, sizeof(url) - n, "&school=%s",
		    sesc) >= (int)(sizeof(url) - n))
			continue;
		html_open(h, "a", "href", url, "class", "bigbtn", NULL);
		html_text(h, form_title(f));
		if (form_description(f) != NULL)
			html_elem(h, "span", form_description(f), "class", "sub", NULL);
		html_close(h, "a");
	}
	html_close(h, "div");
	return ui_page_end(rq, h, 200);
}

/* A curator's device with several schools: which one, first (f NULL: the
 * forms for it come next) or for a form already chosen (a link from
 * elsewhere names the form). */
static int
ui_fill_pick(struct ui_req *rq, const struct form *f)
{
	struct store *s = ui_store(ui_req_ui(rq));
	char *list = NULL, code[SCHOOL_CODE_MAX + 1], name[256];
	char fesc[UI_FILL_URL_MAX], sesc[SCHOOL_CODE_MAX * 3 + 1];
	char url[UI_FILL_URL_MAX * 2];
	struct terr e = { 0 };
	const char *cur;
	struct html *h = NULL;
	bool curator;
	int r;

	if ((r = rec_school_choices(s, &list, &curator, &e)) != 0) {
		r = ui_reply_error(rq, 500, e.msg);
		goto out;
	}
	if (f != NULL && !webreq_query_escape(form_id(f), fesc, sizeof(fesc))) {
		r = ui_reply_error(rq, 400, "Неверное имя формы.");
		goto out;
	}
	if ((h = ui_page_begin(rq, "Новая запись: школа")) == NULL) {
		r = ui_page_end(rq, NULL, 500);
		goto out;
	}
	html_elem(h, "h1", f == NULL || form_school_field(f) ?
	    "Какую школу вы посетили?" : "Для какой школы эта запись?", NULL);
	html_open(h, "p", NULL);
	if (f != NULL)
		html_textf(h, "Форма: %s. Запись будет учтена за выбранной школой.",
		    form_title(f));
	else
		html_text(h, "Выберите школу, затем форму. Запись будет учтена за "
		    "выбранной школой.");
	html_close(h, "p");
	html_open(h, "div", "class", "actions", NULL);
	cur = list ? list : "";
	while (school_list_next(&cur, code)) {
		struct terr ignored = { 0 };

		if (!webreq_query_escape(code, sesc, sizeof(sesc)))
			continue;
		if (f != NULL)
			snprintf(url, sizeof(url), "/fill?form=%s&school=%s", fesc, sesc);
		else
			snprintf(url, sizeof(url), "/new?school=%s", sesc);
		html_open(h, "a", "href", url, "class", "bigbtn", NULL);
		html_text(h, code);
		if (localdb_school_name(store_localdb(s), code, name, sizeof(name),
		    &ignored) == 1)
			html_elem(h, "span", name, "class", "sub", NULL);
		html_close(h, "a");
	}
	html_close(h, "div");
	if (f != NULL)
		html_elem(h, "a", "Другая форма", "href", "/new", "class", "btn quiet", NULL);
	r = ui_page_end(rq, h, 200);
	h = NULL;
 out:
	free(list);
	return r;
}

/* The form ?form= names (its newest version), or NULL with *reply made. */
static const struct form *
ui_fill_form_of(struct ui_req *rq, int *reply)
{
	const char *fid = ui_req_query(rq, "form");
	const struct form *f;

	if (fid == NULL || fid[0] == '\0' ||
	    (f = catalog_latest(ui_catalog(ui_req_ui(rq)), fid)) == NULL) {
		*reply = ui_reply_error(rq, 404, "Такой формы нет на этом устройстве. "
		    "Выберите форму из списка «Новая запись».");
		return NULL;
	}
	return f;
}

/* "/fill?form=F[&school=S]": where a new record's page posts. */
static bool
ui_fill_new_url(char *out, size_t cap, const struct form *f, const char *school)
{
	char fesc[UI_FILL_URL_MAX], sesc[SCHOOL_CODE_MAX * 3 + 1];
	int n;

	if (!webreq_query_escape(form_id(f), fesc, sizeof(fesc)) ||
	    !webreq_query_escape(school, sesc, sizeof(sesc)))
		return false;
	n = school[0] ? snprintf(out, cap, "/fill?form=%s&school=%s", fesc, sesc) :
	    snprintf(out, cap, "/fill?form=%s", fesc);
	return n > 0 && (size_t)n < cap;
}

int
ui_page_new(struct ui_req *rq)
{
	char school[SCHOOL_CODE_MAX + 1], url[UI_FILL_URL_MAX];
	const struct form *f;
	struct terr e = { 0 };
	int r, reply;

	if (ui_req_query(rq, "form") == NULL) {
		/* a curator's laptop with several schools asks the school first
		 * (the visit is at one school; ?school= then lists the forms for
		 * it); a school device never asks */
		r = ui_fill_school(rq, ui_req_query(rq, "school"), school, &e);
		if (r < 0)
			return ui_reply_error(rq, 409, e.msg);
		if (r == 2)
			return ui_fill_not_enrolled(rq);
		if (r == 1)
			return ui_fill_pick(rq, NULL);
		return ui_fill_forms(rq, r == 0 && ui_req_query(rq, "school") ?
		    school : NULL);
	}
	if ((f = ui_fill_form_of(rq, &reply)) == NULL)
		return reply;
	r = ui_fill_school(rq, ui_req_query(rq, "school"), school, &e);
	if (r < 0)
		return ui_reply_error(rq, 409, e.msg);
	if (r == 2)
		return ui_fill_not_enrolled(rq);
	if (r == 1)
		return ui_fill_pick(rq, f);
	if (!ui_fill_new_url(url, sizeof(url), f, school))
		return ui_reply_error(rq, 400, "Неверное имя формы или школы.");
	return ui_reply_redirect(rq, url);
}

/* ---- /fill ---- */

/* What one post to /fill works on. */
struct ui_fill_post {
	const struct form *f;
	struct ui_fill_rec *fr;      /* a stored record, or NULL (new) */
	const char *school;          /* the record's school code, or "" */
	const char *action;          /* this page's address */
};

/* Puts the record's school into its school field (a fixed field the page
 * shows but does not ask). */
static int
ui_fill_school_value(const struct form *f, cJSON *values, const char *school,
    const cJSON *stored)
{
	const struct form_field *sf = form_school_field(f);
	const cJSON *was = sf && stored ?
	    cJSON_GetObjectItemCaseSensitive(stored, sf->id) : NULL;
	const char *v = cJSON_IsString(was) ? was->valuestring : school;

	if (sf == NULL || v == NULL || v[0] == '\0')
		return 0;
	cJSON_DeleteItemFromObjectCaseSensitive(values, sf->id);
	return cJSON_AddStringToObject(values, sf->id, v) ? 0 : TERR_NOMEM;
}

/* The page again, with what was posted. */
static int
ui_fill_again(struct ui_req *rq, const struct ui_fill_post *p,
    const uint8_t *id, const char *status, const char *action,
    const cJSON *values, const cJSON *typed, const struct form_problems *probs,
    const char *notice, int http_status)
{
	struct ui_fill_page pg = {
		.f = p->f, .action = action, .id = id, .status = status,
		.school = p->school, .values = values, .typed = typed,
		.problems = probs, .notice = notice, .http_status = http_status,
	};

	return ui_fill_page(rq, &pg);
}

/* After a save that stored everything: on to the next page (303). */
static int
ui_fill_saved(struct ui_req *rq, const struct ui_fill_post *p,
    const char *idtext, const char *what, const cJSON *values, bool changed)
{
	struct ui *u = ui_req_ui(rq);
	struct form_problems *fin = NULL;
	struct terr e = { 0 };
	char url[UI_FILL_URL_MAX * 2];
	bool final = p->fr != NULL && strcmp(p->fr->rec->status, "final") == 0;
	int r;

	if (final) {
		if (changed)
			ui_flash(u, "Изменения сохранены и поставлены в очередь отправки: "
			    "они уйдут в муниципалитет при синхронизации.");
		else
			ui_flash(u, "Изменений нет: запись осталась прежней.");
		return ui_fill_to_record(rq, idtext);
	}
	if (strcmp(what, "review") == 0) {
		/* every check before the review page; anything left back here */
		r = form_validate(p->f, values, FORM_FINAL, &fin, &e);
		form_problems_free(fin);
		snprintf(url, sizeof(url), r == TERR_INVALID ? "/fill?id=%s&check=1" :
		    "/review?id=%s", idtext);
		if (r == TERR_INVALID)
			ui_flash(u, "Черновик сохранён.");
		return ui_reply_redirect(rq, url);
	}
	ui_flash(u, changed ? "Черновик сохранён." :
	    "Изменений нет: черновик уже сохранён.");
	snprintf(url, sizeof(url), "/fill?id=%s", idtext);
	return ui_reply_redirect(rq, url);
}

/* Whether values hold an answer besides the school field (set, not typed). */
static bool
ui_fill_any_answer(const struct form *f, const cJSON *values)
{
	const struct form_field *sf = form_school_field(f);
	const cJSON *m;

	cJSON_ArrayForEach(m, values)
		if (m->string && !(sf && strcmp(m->string, sf->id) == 0))
			return true;
	return false;
}

/*
 * A stored draft's answer whose new text did not convert stays as it was
 * (a slip of the keyboard does not erase it; the page shows the text with
 * its problem). Top-level fields only: an item's position may have moved
 * since the page was made, so a group member is not matched by index.
 */
static int
ui_fill_keep_stored(cJSON *values, const cJSON *typed, const cJSON *stored)
{
	const cJSON *m, *old;

	cJSON_ArrayForEach(m, typed) {
		if (m->string == NULL || strpbrk(m->string, "[.") != NULL ||
		    cJSON_HasObjectItem(values, m->string) ||
		    (old = cJSON_GetObjectItemCaseSensitive(stored, m->string)) == NULL)
			continue;
		if (!cJSON_AddItemToObject(values, m->string, cJSON_Duplicate(old, 1)))
			return TERR_NOMEM;
	}
	return 0;
}

/* The save a pressed button asks for. */
static int
ui_fill_save(struct ui_req *rq, const struct ui_fill_post *p, const char *what,
    cJSON *values, const cJSON *typed, struct form_problems **probs)
{
	struct ui *u = ui_req_ui(rq);
	struct store *s = ui_store(u);
	struct form_problems *p2 = NULL;
	struct terr e = { 0 };
	uint8_t id[UUID7_BYTES];
	char idtext[UUID7_STRLEN + 1], action[UI_FILL_URL_MAX];
	const char *status = p->fr ? p->fr->rec->status : NULL;
	bool final = status != NULL && strcmp(status, "final") == 0;
	bool changed = true, leftover = typed != NULL || *probs != NULL;
	int r, reply;

	if (final && leftover)
		/* a final record is saved whole or not at all: a field whose text
		 * did not convert would otherwise lose its stored answer */
		return ui_fill_again(rq, p, p->fr->id, status, p->action, values, typed,
		    *probs, "Изменения не сохранены: исправьте отмеченные поля.", 422);
	if (p->fr == NULL && typed == NULL && !ui_fill_any_answer(p->f, values))
		return ui_fill_again(rq, p, NULL, NULL, p->action, values, typed,
		    *probs, "Ответов нет: сохранять нечего.", 200);
	if (p->fr == NULL)
		r = rec_new(s, ui_catalog(u), form_id(p->f), form_school_field(p->f) ?
		    NULL : p->school[0] ? p->school : NULL, values, true, id, &p2, &e);
	else if (typed != NULL && ui_fill_keep_stored(values, typed,
	    p->fr->values) != 0)
		return ui_reply_error(rq, 500, "Недостаточно памяти.");
	else {
		memcpy(id, p->fr->id, sizeof(id));
		/* the page's clock was checked against this request's read of the
		 * record; a pull committed since is caught in the write itself */
		r = rec_update(s, ui_catalog(u), id, values, false, false,
		    p->fr->rec->updated_hlc, &changed, &p2, &e);
		if (r == 1)
			return ui_fill_again(rq, p, id, status, p->action, values, typed,
			    *probs, UI_FILL_CHANGED_MEANWHILE, 409);
	}
	if (r == TERR_INVALID) {
		if ((r = ui_fill_problems_merge(probs, p2)) == 0 && p2 == NULL)
			r = ui_fill_problem_add(probs, NULL, e.msg);
		form_problems_free(p2);
		if (r != 0)
			return ui_reply_error(rq, 500, "Недостаточно памяти.");
		return ui_fill_again(rq, p, p->fr ? p->fr->id : NULL, status, p->action,
		    values, typed, *probs, final ? "Изменения не сохранены: исправьте "
		    "отмеченные поля." : "Черновик не сохранён: исправьте отмеченные "
		    "поля.", 422);
	}
	form_problems_free(p2);
	if (r < 0)
		/* nothing was written (one transaction): what was typed stays */
		return ui_fill_again(rq, p, p->fr ? p->fr->id : NULL, status, p->action,
		    values, typed, *probs, e.msg[0] ? e.msg : "Не удалось сохранить "
		    "запись.", r == TERR_PASSPHRASE ? 409 : r == TERR_BUSY ? 503 :
		    r == TERR_FULL ? 507 : 500);
	uuid7_format(id, idtext);
	if (!leftover)
		return ui_fill_saved(rq, p, idtext, what, values, changed);
	/* stored without the fields whose text did not convert: shown back as
	 * typed, with their problems, on the record's own page now */
	if (!ui_fill_url(action, sizeof(action), "/fill", "id", idtext))
		return ui_reply_error(rq, 500, "Неверный номер записи.");
	reply = ui_fill_again(rq, p, id, "draft", action, values, typed, *probs,
	    "Черновик сохранён, кроме отмеченных полей: исправьте их.", 200);
	return reply;
}

/* A post to /fill: the posted values read back, then a group's button, or
 * a save. */
static int
ui_fill_post(struct ui_req *rq, const struct ui_fill_post *p)
{
	const struct webform *post = ui_req_form(rq);
	struct store *s = ui_store(ui_req_ui(rq));
	const cJSON *stored = p->fr ? p->fr->values : NULL;
	cJSON *values = NULL, *typed = NULL;
	struct form_problems *probs = NULL;
	struct terr e = { 0 };
	const char *act, *what, *hlc, *notice = NULL;
	const uint8_t *id = p->fr ? p->fr->id : NULL;
	const char *status = p->fr ? p->fr->rec->status : NULL;
	bool final = status != NULL && strcmp(status, "final") == 0;
	int r;

	if (post == NULL)
		return ui_reply_error(rq, 400, "Форма не получена: отправьте её снова.");
	if ((r = formview_read(p->f, post, stored, &values, &typed, &probs, &e)) != 0) {
		r = ui_reply_error(rq, 400, e.msg[0] ? e.msg : "Форма не прочитана.");
		goto out;
	}
	if (ui_fill_school_value(p->f, values, p->school, stored) != 0) {
		r = ui_reply_error(rq, 500, "Недостаточно памяти.");
		goto out;
	}
	/* the issued profile's levels for the visit's factors (read-only) */
	if (riskprof_fill(s, p->school[0] ? p->school : NULL, p->f, values, NULL,
	    &e) != 0)
		notice = e.msg;
	/* the record changed since this page was made (a sync, another tab):
	 * said, and the next save is the person's informed choice */
	hlc = webform_get(post, UI_FILL_HLC);
	if (p->fr != NULL && hlc != NULL &&
	    strcmp(hlc, p->fr->rec->updated_hlc) != 0) {
		r = ui_fill_again(rq, p, id, status, p->action, values, typed, probs,
		    UI_FILL_CHANGED_MEANWHILE, 409);
		goto out;
	}
	/* a group's «add» / «remove», or no save asked for (Enter in a text
	 * box presses formview's «Обновить»): the page again, nothing stored */
	act = webform_get(post, "_act");
	what = webform_get(post, UI_FILL_DO);
	if ((act != NULL && act[0] != '\0') || what == NULL) {
		if (act != NULL && act[0] != '\0' &&
		    formview_act_typed(p->f, values, typed, act, &e) < 0)
			notice = e.msg;
		else if (riskprof_fill(s, p->school[0] ? p->school : NULL, p->f,
		    values, NULL, &e) != 0)
			notice = e.msg;
		r = ui_fill_again(rq, p, id, status, p->action, values, typed, probs,
		    notice, 200);
		goto out;
	}
	if (strcmp(what, "draft") != 0 && strcmp(what, "review") != 0 &&
	    strcmp(what, "save") != 0)
		what = final ? "save" : "draft";
	r = ui_fill_save(rq, p, what, values, typed, &probs);
 out:
	cJSON_Delete(values);
	cJSON_Delete(typed);
	form_problems_free(probs);
	return r;
}

/*
 * A new visit shows its eleven rows with the issued levels before anything
 * is typed: the rows of the per-dictionary group, and the project year the
 * issued profile (riskprof.h) has last for this school, shown as an answer
 * the curator may change (saving takes the levels again for the year then
 * given). Anything else, or no profile for the school: nothing.
 */
static int
ui_fill_visit_start(struct store *s, const struct form *f, const char *school,
    cJSON *values, struct terr *e)
{
	const struct form_field *g = form_find(f, "factors");
	const struct form_field *py = form_find(f, "project_year");
	const struct form_field *lv = g ? form_field_child(g, "profile_level") : NULL;
	const struct form_dictionary *d;
	const cJSON *years, *y;
	cJSON *prof = NULL, *items = NULL, *it;
	char *text = NULL;
	long best = 0, v;
	char *end;
	int r;

	if (g == NULL || g->type != FORM_GROUP || g->per_dictionary == NULL ||
	    g->item_key == NULL || lv == NULL || !lv->readonly || py == NULL ||
	    py->type != FORM_INTEGER || school == NULL || school[0] == '\0' ||
	    cJSON_HasObjectItem(values, py->id) || cJSON_HasObjectItem(values, g->id) ||
	    (d = form_dictionary_find(f, g->per_dictionary)) == NULL)
		return 0;
	if ((r = store_meta_get(s, RISKPROF_META_KEY, &text, e)) != 0 || text == NULL)
		goto out;
	/* a profile that does not read is riskprof's to say, at saving */
	if ((prof = cJSON_Parse(text)) == NULL ||
	    !cJSON_IsObject(years = cJSON_GetObjectItemCaseSensitive(prof, school)))
		goto out;
	cJSON_ArrayForEach(y, years) {
		v = strtol(y->string ? y->string : "", &end, 10);
		if (*end == '\0' && (!py->has_min || v >= py->min) &&
		    (!py->has_max || v <= py->max) && v > best)
			best = v;
	}
	if (best == 0)
		goto out;
	if ((items = cJSON_CreateArray()) == NULL)
		goto nomem;
	for (size_t i = 0; i < d->n_entries; i++)
		if ((it = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddItemToArray(items, it) ||
		    cJSON_AddStringToObject(it, g->item_key, d->entries[i].code) == NULL)
			goto nomem;
	if (cJSON_AddNumberToObject(values, py->id, (double)best) == NULL ||
	    !cJSON_AddItemToObject(values, g->id, items))
		goto nomem;
	items = NULL;
	r = riskprof_fill(s, school, f, values, NULL, e);
	goto out;
 nomem:
	r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
 out:
	cJSON_Delete(items);
	cJSON_Delete(prof);
	free(text);
	return r;
}

/* /fill?form=F[&school=S]: a new record. */
static int
ui_fill_new(struct ui_req *rq)
{
	struct store *s = ui_store(ui_req_ui(rq));
	char school[SCHOOL_CODE_MAX + 1], action[UI_FILL_URL_MAX];
	char url[UI_FILL_URL_MAX * 2];
	struct ui_fill_post p = { 0 };
	struct ui_fill_page pg = { 0 };
	const struct form *f;
	cJSON *values = NULL;
	struct terr e = { 0 };
	int r, reply;

	if ((f = ui_fill_form_of(rq, &reply)) == NULL)
		return reply;
	r = ui_fill_school(rq, ui_req_query(rq, "school"), school, &e);
	if (r < 0)
		return ui_reply_error(rq, 409, e.msg);
	if (r == 2)
		return ui_fill_not_enrolled(rq);
	if (r == 1 || !ui_fill_new_url(action, sizeof(action), f, school)) {
		/* which school: asked first */
		if (!ui_fill_url(url, sizeof(url), "/new", "form", form_id(f)))
			return ui_reply_error(rq, 400, "Неверное имя формы.");
		return ui_reply_redirect(rq, url);
	}
	/* the hidden fields need the vault: the passphrase before anything is
	 * typed that could not be stored */
	if (ui_fill_needs_unlock(rq, f))
		return ui_fill_unlock(rq, action);
	p.f = f;
	p.school = school;
	p.action = action;
	if (ui_req_post(rq))
		return ui_fill_post(rq, &p);
	if ((values = cJSON_CreateObject()) == NULL ||
	    ui_fill_school_value(f, values, school, NULL) != 0) {
		cJSON_Delete(values);
		return ui_reply_error(rq, 500, "Недостаточно памяти.");
	}
	pg.f = f;
	pg.action = action;
	pg.school = school;
	pg.values = values;
	if (ui_fill_visit_start(s, f, school, values, &e) != 0)
		pg.notice = e.msg;
	r = ui_fill_page(rq, &pg);
	cJSON_Delete(values);
	return r;
}

/* /fill?id=ID[&check=1]: a stored record (a draft, or a final one's edit). */
static int
ui_fill_stored(struct ui_req *rq)
{
	struct ui_fill_rec fr;
	struct ui_fill_post p = { 0 };
	struct ui_fill_page pg = { 0 };
	struct form_problems *probs = NULL;
	struct terr e = { 0 };
	char action[UI_FILL_URL_MAX];
	const char *check = ui_req_query(rq, "check");
	int r;

	if (!ui_fill_rec_open(rq, &fr, &r))
		return r;
	if (strcmp(fr.rec->status, "deleted") == 0) {
		r = ui_reply_error(rq, 409, "Запись удалена: её нельзя изменить.");
		goto out;
	}
	if (!ui_fill_url(action, sizeof(action), "/fill", "id", fr.idtext)) {
		r = ui_reply_error(rq, 500, "Неверный номер записи.");
		goto out;
	}
	p.f = fr.f;
	p.fr = &fr;
	p.school = fr.rec->school;
	p.action = action;
	if (ui_req_post(rq)) {
		r = ui_fill_post(rq, &p);
		goto out;
	}
	pg.f = fr.f;
	pg.action = action;
	pg.id = fr.id;
	pg.status = fr.rec->status;
	pg.school = fr.rec->school;
	pg.values = fr.values;
	/* back from «Проверить и завершить»: what finalizing would refuse */
	if (check != NULL && strcmp(fr.rec->status, "draft") == 0 &&
	    form_validate(fr.f, fr.values, FORM_FINAL, &probs, &e) == TERR_INVALID) {
		pg.problems = probs;
		pg.notice = "Чтобы завершить запись, исправьте отмеченные поля.";
	}
	r = ui_fill_page(rq, &pg);
 out:
	form_problems_free(probs);
	ui_fill_rec_close(&fr);
	return r;
}

int
ui_page_fill(struct ui_req *rq)
{
	if (ui_req_query(rq, "id") != NULL)
		return ui_fill_stored(rq);
	return ui_fill_new(rq);
}
