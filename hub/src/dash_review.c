/*
 * dash_review — the conflicts to review (/review/conflicts): each field two
 * devices changed independently, the value that stands and the value that
 * lost, shown as people read them (the form's labels, the devices' names),
 * and the decision (hub/review.h): keep the value that stands or take the
 * other. Administrators and coordinators only (dash_routes.c). The values
 * are shown here, as the person must see them to choose; the audit log
 * records the decision, never a value.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "dash_private.h"
#include "hub/review.h"
#include "report_labels.h"
#include "tetrad/uuid7.h"

#define DASH_REVIEW_ROWS 200

struct dash_review_walk {
	struct dash_req *rq;
	struct html *h;
	struct report_labels *labels;
};

/* An HLC as a time for people: "04.12.2026 22:43 UTC" ("" when it does not read). */
static void
dash_review_time(const char *hlc, char *out, size_t cap)
{
	struct hlc_ts ts;
	struct tm tm;
	time_t t;

	out[0] = '\0';
	if (hlc_decode(hlc, &ts) != 0)
		return;
	t = (time_t)(ts.wall_ms / 1000);
	if (gmtime_r(&t, &tm) != NULL)
		strftime(out, cap, "%d.%m.%Y %H:%M UTC", &tm);
}

/* A stored value (its JSON text) as people read it, with the form's labels. */
static void
dash_review_value(struct dash_review_walk *w, const struct hubdb_conflict_row *c,
    const char *json)
{
	cJSON *v = cJSON_Parse(json);
	char *text;

	if (v == NULL)
		html_text(w->h, json);
	else if (cJSON_IsNull(v))
		html_elem(w->h, "span", "нет ответа", "class", "muted", NULL);
	else if (cJSON_IsBool(v))
		html_text(w->h, cJSON_IsTrue(v) ? "да" : "нет");
	else if (cJSON_IsString(v))
		html_text(w->h, report_labels_choice(w->labels, c->form_id, c->field,
		    v->valuestring));
	else if ((text = cJSON_PrintUnformatted(v)) != NULL) {
		html_text(w->h, text);
		cJSON_free(text);
	}
	cJSON_Delete(v);
}

/* Who wrote a value and when, under it. */
static void
dash_review_who(struct html *h, const char *device, const char *label, const char *hlc)
{
	char when[48];

	dash_review_time(hlc, when, sizeof(when));
	html_open(h, "div", "class", "small muted", NULL);
	if (strcmp(device, REVIEW_WRITER) == 0)
		html_text(h, "решение на хабе");
	else
		html_textf(h, "%s, устройство %s", label[0] ? label : "неизвестное", device);
	if (when[0])
		html_textf(h, ", %s", when);
	html_close(h, "div");
}

static int
dash_review_row(void *ctx, const struct hubdb_conflict_row *c)
{
	struct dash_review_walk *w = ctx;
	const struct form *f = report_labels_form(w->labels, c->form_id);
	struct html *h = w->h;
	char id[24], rec[UUID7_STRLEN + 1];

	snprintf(id, sizeof(id), "%" PRId64, c->id);
	uuid7_format(c->record_id, rec);
	html_open(h, "tr", NULL);
	html_elem(h, "td", id, "class", "num", NULL);
	html_open(h, "td", NULL);
	html_text(h, c->school_name[0] ? c->school_name : c->school);
	html_elem(h, "div", c->school, "class", "small muted", NULL);
	html_close(h, "td");
	html_open(h, "td", NULL);
	html_text(h, f != NULL ? form_title(f) : c->form_id);
	html_open(h, "div", NULL);
	html_elem(h, "strong", c->field[0] ? report_labels_field(w->labels, c->form_id,
	    c->field) : "запись удалена или изменена", NULL);
	html_close(h, "div");
	html_elem(h, "div", rec, "class", "small muted", NULL);
	html_close(h, "td");
	html_open(h, "td", "class", "stands", NULL);
	dash_review_value(w, c, c->winner_value);
	dash_review_who(h, c->winner_device, c->winner_label, c->winner_hlc);
	html_close(h, "td");
	html_open(h, "td", "class", "lost", NULL);
	dash_review_value(w, c, c->loser_value);
	dash_review_who(h, c->loser_device, c->loser_label, c->loser_hlc);
	html_close(h, "td");
	html_open(h, "td", NULL);
	if (c->decision[0] != '\0') {
		html_text(h, hubdb_list_word("decision", c->decision));
		html_open(h, "div", "class", "small muted", NULL);
		html_textf(h, "%s, %s", c->decided_by, c->decided_at);
		html_close(h, "div");
	} else {
		html_open(h, "form", "method", "post", "action", "/review/conflicts",
		    "class", "decide", NULL);
		dash_csrf_input(w->rq, h);
		html_void(h, "input", "type", "hidden", "name", "id", "value", id, NULL);
		html_elem(h, "button", "Оставить принятое", "type", "submit", "name", "choice",
		    "value", "keep", NULL);
		if (c->field[0] != '\0')
			html_elem(h, "button", "Взять отклонённое", "type", "submit", "name",
			    "choice", "value", "take", "class", "primary", NULL);
		html_close(h, "form");
	}
	html_close(h, "td");
	html_close(h, "tr");
	return 0;
}

/* The notice after a decision (?done=ID&how=kept|taken). */
static void
dash_review_flash(struct dash_req *rq, struct html *h)
{
	const char *done = dash_arg(rq, "done"), *how = dash_arg(rq, "how");

	if (done == NULL || how == NULL || strspn(done, "0123456789") != strlen(done) ||
	    strlen(done) > 18 || (strcmp(how, "kept") != 0 && strcmp(how, "taken") != 0))
		return;
	html_open(h, "p", "class", "flash", "role", "status", NULL);
	if (strcmp(how, "taken") == 0)
		html_textf(h, "Конфликт №%s: взято отклонённое значение. Хаб записал его; "
		    "устройства получат его при следующей синхронизации.", done);
	else
		html_textf(h, "Конфликт №%s: оставлено принятое значение.", done);
	html_close(h, "p");
}

int
dash_conflicts_page(struct dash_req *rq, const char *rest)
{
	bool all = dash_arg_set(rq, "all") != NULL;
	struct dash_review_walk w;
	char count[96];
	long long total = 0;
	struct terr e;
	int r;

	(void)rest;
	terr_clear(&e);
	memset(&w, 0, sizeof(w));
	w.rq = rq;
	if ((w.h = dash_page_begin(rq, "Конфликты значений", "review")) == NULL)
		return dash_reply_html(rq, 503, NULL);
	html_open(w.h, "nav", "class", "tabs", NULL);
	html_elem(w.h, "a", "Конфликты", "href", "/review/conflicts", "class", "current",
	    "aria-current", "page", NULL);
	html_elem(w.h, "a", "Отклонённые наборы", "href", "/review/quarantine", NULL);
	html_close(w.h, "nav");
	html_elem(w.h, "p", "Поле, которое два устройства изменили независимо: хаб принял более "
	    "позднее изменение, уступившее значение записано здесь. Выберите, какое значение "
	    "остаётся. Взятое отклонённое значение хаб запишет как свою правку, и все "
	    "устройства получат его при синхронизации. Если поле изменили после конфликта, "
	    "новое значение не перезаписывается.", "class", "muted", NULL);
	dash_review_flash(rq, w.h);
	html_open(w.h, "p", "class", "tabs-inline", NULL);
	html_elem(w.h, "a", "Нерешённые", "href", "/review/conflicts", "aria-current",
	    all ? NULL : "page", NULL);
	html_text(w.h, " · ");
	html_elem(w.h, "a", "Все, с решениями", "href", "/review/conflicts?all=1",
	    "aria-current", all ? "page" : NULL, NULL);
	html_close(w.h, "p");
	html_open(w.h, "p", "class", "downloads", NULL);
	html_text(w.h, "Все конфликты, с решениями: ");
	html_elem(w.h, "a", "Скачать .xlsx", "href", "/review/conflicts.xlsx", "class", "btn",
	    "download", "", NULL);
	html_elem(w.h, "a", "CSV", "href", "/review/conflicts.csv", "class", "btn quiet",
	    "download", "", NULL);
	html_close(w.h, "p");
	w.labels = report_labels_new(dash_config(rq->d)->forms_dir);
	html_open(w.h, "table", "class", "list review", NULL);
	html_open(w.h, "thead", NULL);
	html_open(w.h, "tr", NULL);
	html_elem(w.h, "th", "№", "class", "num", NULL);
	html_elem(w.h, "th", "Школа", NULL);
	html_elem(w.h, "th", "Форма, поле, запись", NULL);
	html_elem(w.h, "th", "Принятое значение", NULL);
	html_elem(w.h, "th", "Отклонённое значение", NULL);
	html_elem(w.h, "th", "Решение", NULL);
	html_close(w.h, "tr");
	html_close(w.h, "thead");
	html_open(w.h, "tbody", NULL);
	r = w.labels == NULL ? terr_set(&e, TERR_NOMEM, "недостаточно памяти") :
	    hubdb_conflicts_each(rq->db, !all, DASH_REVIEW_ROWS, dash_review_row, &w, &total, &e);
	html_close(w.h, "tbody");
	html_close(w.h, "table");
	report_labels_free(w.labels);
	if (r != 0) {
		html_free(w.h);
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s %s: %s", rq->addr, rq->path_log, e.msg);
		return dash_error(rq, 503, "Список не прочитан", "Хаб сейчас не может прочитать "
		    "конфликты. Повторите через минуту.");
	}
	if (total == 0)
		html_elem(w.h, "p", all ? "Конфликтов нет." : "Нерешённых конфликтов нет.", NULL);
	else {
		if (total > DASH_REVIEW_ROWS)
			snprintf(count, sizeof(count), "Показаны последние %d из %lld.",
			    DASH_REVIEW_ROWS, total);
		else
			snprintf(count, sizeof(count), "Всего: %lld.", total);
		html_elem(w.h, "p", count, "class", "muted", NULL);
	}
	return dash_page_end(rq, w.h);
}

int
dash_conflicts_post(struct dash_req *rq, const char *rest)
{
	const char *id_s = dash_field(rq, "id"), *how = dash_field(rq, "choice");
	enum review_choice choice;
	char obj[160], to[96], *end;
	long long id;
	struct terr e;
	int r, status;

	(void)rest;
	terr_clear(&e);
	if (id_s == NULL || how == NULL || (strcmp(how, "keep") != 0 && strcmp(how, "take") != 0))
		return dash_error(rq, 400, "Решение не принято", "Форма решения неполна: "
		    "выберите «Оставить принятое» или «Взять отклонённое».");
	errno = 0;
	id = strtoll(id_s, &end, 10);
	if (errno != 0 || end == id_s || *end != '\0' || id <= 0)
		return dash_error(rq, 400, "Решение не принято", "Неверный номер конфликта.");
	choice = strcmp(how, "take") == 0 ? REVIEW_TAKE : REVIEW_KEEP;
	snprintf(obj, sizeof(obj), "конфликт №%lld", id);
	r = review_decide(rq->db, dash_config(rq->d)->forms, id, choice, rq->who.login, NULL, &e);
	if (r != 0) {
		status = r == TERR_NOTFOUND ? 404 : r == TERR_REPLAY || r == TERR_INVALID ? 409 :
		    503;
		dash_audit(rq, NULL, choice == REVIEW_TAKE ? "conflict_take" : "conflict_keep", obj,
		    status == 503 ? "failed" : "refused");
		if (status == 503) {
			dash_log(rq, SERVER_LOG_ERR, "web addr=%s conflict %lld: %s", rq->addr, id,
			    e.msg);
			return dash_error(rq, 503, "Решение не принято", "Хаб сейчас не может "
			    "записать решение. Повторите через минуту.");
		}
		return dash_error(rq, status, "Решение не принято", "%s.", e.msg);
	}
	dash_audit(rq, NULL, choice == REVIEW_TAKE ? "conflict_take" : "conflict_keep", obj, "ok");
	snprintf(to, sizeof(to), "/review/conflicts?done=%lld&how=%s", id,
	    choice == REVIEW_TAKE ? "taken" : "kept");
	return dash_redirect(rq, to);
}
