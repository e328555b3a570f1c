/*
 * ui_fill_review — /review?id=: a draft's answers as they will be read
 * (formview_show), then «Завершить»: rec_finalize, the record and its one
 * outbox row in one transaction, exactly as `tetrad finalize`. Anything
 * finalizing refuses (a required answer, a rule between fields, a repeated
 * case number) sends the person back to the form with it shown.
 */
#include <stdio.h>
#include <string.h>

#include "client/rec.h"
#include "web/formview.h"

#include "ui_fill.h"

/* The form again, with what finalizing refused. */
static int
ui_review_refused(struct ui_req *rq, struct ui_fill_rec *fr,
    struct form_problems *probs, const char *msg)
{
	struct ui_fill_page pg = { 0 };
	struct form_problems *own = NULL;
	char action[UI_FILL_URL_MAX];
	int r;

	/* a rule outside the form's (a repeated case number): its message */
	if (probs == NULL && ui_fill_problem_add(&own, NULL, msg) != 0) {
		r = ui_reply_error(rq, 500, "Недостаточно памяти.");
		goto out;
	}
	if (!ui_fill_url(action, sizeof(action), "/fill", "id", fr->idtext)) {
		r = ui_reply_error(rq, 500, "Неверный номер записи.");
		goto out;
	}
	pg.f = fr->f;
	pg.action = action;
	pg.id = fr->id;
	pg.status = fr->rec->status;
	pg.school = fr->rec->school;
	pg.values = fr->values;
	pg.problems = probs ? probs : own;
	pg.notice = "Запись не завершена: исправьте отмеченные поля.";
	pg.http_status = 422;
	r = ui_fill_page(rq, &pg);
 out:
	form_problems_free(own);
	return r;
}

static int
ui_review_finalize(struct ui_req *rq, struct ui_fill_rec *fr)
{
	struct ui *u = ui_req_ui(rq);
	const struct webform *post = ui_req_form(rq);
	const char *hlc = post ? webform_get(post, UI_FILL_HLC) : NULL;
	struct form_problems *probs = NULL;
	struct terr e = { 0 };
	char next[UI_FILL_URL_MAX];
	int r;

	snprintf(next, sizeof(next), "/review?id=%s", fr->idtext);
	/* what is finalized is what was reviewed */
	if (hlc != NULL && strcmp(hlc, fr->rec->updated_hlc) != 0) {
		ui_flash(u, "Запись изменилась, пока открыта проверка (синхронизация "
		    "или другая вкладка): проверьте её снова.");
		return ui_reply_redirect(rq, next);
	}
	r = rec_finalize(ui_store(u), ui_catalog(u), fr->id, &probs, &e);
	if (r == 1) {
		ui_flash(u, "Запись уже окончательная.");
		return ui_fill_to_record(rq, fr->idtext);
	}
	if (r == 0) {
		ui_flash(u, "Запись завершена и поставлена в очередь отправки: она "
		    "уйдёт в муниципалитет при синхронизации.");
		return ui_fill_to_record(rq, fr->idtext);
	}
	/* nothing was written (one transaction) */
	if (r == TERR_INVALID) {
		r = ui_review_refused(rq, fr, probs, e.msg);
		form_problems_free(probs);
		return r;
	}
	form_problems_free(probs);
	if (r == TERR_PASSPHRASE)
		return ui_fill_unlock(rq, next);
	return ui_reply_error(rq, 500, e.msg[0] ? e.msg : "Запись не завершена.");
}

int
ui_page_review(struct ui_req *rq)
{
	struct ui *u = ui_req_ui(rq);
	struct ui_fill_rec fr;
	struct form_problems *probs = NULL;
	struct formview_opts o = { 0 };
	struct terr e = { 0 };
	char title[512], url[UI_FILL_URL_MAX * 2], name[256];
	struct html *h;
	int r;

	if (!ui_fill_rec_open(rq, &fr, &r))
		return r;
	if (strcmp(fr.rec->status, "deleted") == 0) {
		r = ui_reply_error(rq, 409, "Запись удалена.");
		goto out;
	}
	if (strcmp(fr.rec->status, "final") == 0) {
		ui_flash(u, "Запись уже окончательная.");
		r = ui_fill_to_record(rq, fr.idtext);
		goto out;
	}
	if (ui_req_post(rq)) {
		r = ui_review_finalize(rq, &fr);
		goto out;
	}
	/* not ready yet: the form, with what is missing shown */
	if (form_validate(fr.f, fr.values, FORM_FINAL, &probs, &e) == TERR_INVALID) {
		snprintf(url, sizeof(url), "/fill?id=%s&check=1", fr.idtext);
		r = ui_reply_redirect(rq, url);
		goto out;
	}
	snprintf(title, sizeof(title), "Проверка: %s", form_title(fr.f));
	if ((h = ui_page_begin(rq, title)) == NULL) {
		r = ui_page_end(rq, NULL, 500);
		goto out;
	}
	html_elem(h, "h1", title, NULL);
	if (fr.rec->school[0] != '\0') {
		struct terr ignored = { 0 };

		html_open(h, "p", "class", "fill-school", NULL);
		if (localdb_school_name(store_localdb(ui_store(u)), fr.rec->school,
		    name, sizeof(name), &ignored) == 1)
			html_textf(h, "Школа: %s — %s", fr.rec->school, name);
		else
			html_textf(h, "Школа: %s", fr.rec->school);
		html_close(h, "p");
	}
	html_elem(h, "p", "Проверьте ответы. После «Завершить» запись станет "
	    "окончательной и уйдёт в муниципалитет при синхронизации; исправить "
	    "её можно и потом.", "class", "muted", NULL);
	if (formview_show(h, fr.f, fr.values, &o, &e) != 0) {
		html_free(h);
		r = ui_reply_error(rq, 500, e.msg[0] ? e.msg :
		    "Запись не удалось показать.");
		goto out;
	}
	snprintf(url, sizeof(url), "/review?id=%s", fr.idtext);
	html_open(h, "form", "method", "post", "action", url, "class", "review",
	    NULL);
	ui_csrf_input(rq, h);
	html_void(h, "input", "type", "hidden", "name", UI_FILL_HLC, "value",
	    fr.rec->updated_hlc, NULL);
	html_open(h, "div", "class", "buttons", NULL);
	html_elem(h, "button", "Завершить", "type", "submit", "class",
	    "btn primary", NULL);
	snprintf(url, sizeof(url), "/fill?id=%s", fr.idtext);
	html_elem(h, "a", "Вернуться к заполнению", "href", url, "class", "btn quiet",
	    NULL);
	html_close(h, "div");
	html_close(h, "form");
	r = ui_page_end(rq, h, 200);
 out:
	form_problems_free(probs);
	ui_fill_rec_close(&fr);
	return r;
}
