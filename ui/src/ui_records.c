/*
 * ui_records — the record list (filters by form, status, school and period,
 * a search, pages over localdb_record_list's index walk), a record's page
 * (formview_show) and delete with a confirmation page.
 *
 * The search may be a child's name: it is posted, never put in a URL (the
 * browser's history, a proxy's log); the other filters are codes and dates
 * and travel in the query string, so a list can be reloaded and gone back to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "client/rec.h"
#include "client/rec_school.h"
#include "tetrad/uuid7.h"
#include "web/formview.h"
#include "ui_private.h"

#define UI_RECORDS_PAGE 50
#define UI_RECORDS_Q_MAX 200
#define UI_HREF_MAX 1024

/* What /records was asked for (pointers into the request or a parsed query). */
struct ui_rf {
	const char *form, *status, *school, *from, *to, *q;
	long page;
};

struct ui_rlist {
	struct ui *u;
	struct html *h;
	int64_t n;
};

/* ---- dates ---------------------------------------------------------------- */

/* An HLC's wall time (its first 12 hex digits, ms) as ДД.ММ.ГГГГ ЧЧ:ММ, local. */
static void
ui_hlc_time(const char *hlc, char *out, size_t cap)
{
	char wall[13];
	struct tm tm;
	time_t t;

	snprintf(wall, sizeof(wall), "%s", hlc);
	t = (time_t)(strtoull(wall, NULL, 16) / 1000);
	if (strlen(wall) != 12 || localtime_r(&t, &tm) == NULL ||
	    strftime(out, cap, "%d.%m.%Y %H:%M", &tm) == 0)
		snprintf(out, cap, "—");
}

/*
 * A day the person typed ("2026-12-03" from a date field, or 03.12.2026) as
 * the HLC prefix of its local midnight, plus days; false when it is not a
 * date.
 */
static bool
ui_day_hlc(const char *s, int plus_days, char out[13])
{
	struct tm tm;
	int y, m, d;
	char tail;
	time_t t;

	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 &&
	    sscanf(s, "%2d.%2d.%4d%c", &d, &m, &y, &tail) != 3)
		return false;
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d + plus_days;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1 || t < 0)
		return false;
	snprintf(out, 13, "%012llx", (unsigned long long)t * 1000ULL);
	return true;
}

/* ---- words ---------------------------------------------------------------- */

static const char *
ui_state_words(const char *status, const char *state)
{
	if (strcmp(status, "draft") == 0)
		return "Черновик";
	if (strcmp(status, "deleted") == 0)
		return strcmp(state, "pending") == 0 ? "Удалена, ждёт отправки" : "Удалена";
	if (strcmp(state, "pending") == 0)
		return "Готова, ждёт отправки";
	if (strcmp(state, "sent") == 0)
		return "Отправлена, ждёт ответа хаба";
	if (strcmp(state, "acked") == 0)
		return "Принята хабом";
	if (strcmp(state, "quarantined") == 0)
		return "Не принята хабом";
	return "Готова";
}

/* The badge's class (app.css) for a row's words. */
static const char *
ui_state_class(const char *status, const char *state)
{
	if (strcmp(status, "draft") == 0 || strcmp(status, "deleted") == 0)
		return "badge draft";
	if (strcmp(state, "pending") == 0)
		return "badge queued";
	if (strcmp(state, "sent") == 0 || strcmp(state, "acked") == 0)
		return "badge sent";
	if (strcmp(state, "quarantined") == 0)
		return "badge refused";
	return "badge final";
}

static const char *
ui_form_title(struct ui *u, const char *form_id)
{
	const struct form *f = catalog_latest(ui_catalog(u), form_id);

	return f != NULL ? form_title(f) : form_id;
}

/* ---- the list ------------------------------------------------------------- */

static bool
ui_rf_status_ok(const char *s)
{
	return strcmp(s, "draft") == 0 || strcmp(s, "final") == 0 || strcmp(s, "deleted") == 0;
}

/* "" and unknown values as absent. */
static const char *
ui_rf_val(const char *v)
{
	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* /records?… for rf at page (q left out: it is posted). */
static void
ui_rf_href(const struct ui_rf *rf, long page, char *out, size_t cap)
{
	const char *names[] = { "form", "status", "school", "from", "to" };
	const char *vals[] = { rf->form, rf->status, rf->school, rf->from, rf->to };
	char esc[256];
	size_t n;

	n = (size_t)snprintf(out, cap, "/records?page=%ld", page);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && n < cap; i++) {
		if (vals[i] == NULL || !webreq_query_escape(vals[i], esc, sizeof(esc)))
			continue;
		n += (size_t)snprintf(out + n, cap - n, "&%s=%s", names[i], esc);
	}
}

static void
ui_hidden(struct html *h, const char *name, const char *value)
{
	if (value != NULL)
		html_void(h, "input", "type", "hidden", "name", name, "value", value, NULL);
}

static void
ui_option(struct html *h, const char *value, const char *label, const char *current)
{
	bool sel = current != NULL ? strcmp(value, current) == 0 : value[0] == '\0';

	html_elem(h, "option", label, "value", value, "selected", sel ? "" : NULL, NULL);
}

static void
ui_records_filters(struct ui *u, const struct ui_rf *rf, struct html *h)
{
	const struct catalog *cat = ui_catalog(u);
	char *schools = NULL;
	bool curator = false;
	struct terr e = { 0 };

	html_open(h, "form", "method", "post", "action", "/records", "class", "filters", NULL);
	html_void(h, "input", "type", "hidden", "name", UI_CSRF_FIELD, "value", ui_csrf(u), NULL);

	html_open(h, "label", NULL);
	html_text(h, "Форма ");
	html_open(h, "select", "name", "form", NULL);
	ui_option(h, "", "Все формы", rf->form);
	for (size_t i = 0; i < catalog_count(cat); i++) {
		const struct form *f = catalog_at(cat, i);

		/* sorted by id then version: the last of each id is the newest */
		if (i + 1 < catalog_count(cat) &&
		    strcmp(form_id(catalog_at(cat, i + 1)), form_id(f)) == 0)
			continue;
		ui_option(h, form_id(f), form_title(f), rf->form);
	}
	html_close(h, "select");
	html_close(h, "label");

	html_open(h, "label", NULL);
	html_text(h, "Состояние ");
	html_open(h, "select", "name", "status", NULL);
	ui_option(h, "", "Все, кроме удалённых", rf->status);
	ui_option(h, "draft", "Черновики", rf->status);
	ui_option(h, "final", "Готовые", rf->status);
	ui_option(h, "deleted", "Удалённые", rf->status);
	html_close(h, "select");
	html_close(h, "label");

	if (rec_school_choices(ui_store(u), &schools, &curator, &e) == 0 && schools != NULL &&
	    strchr(schools, ',') != NULL) {
		char *save = NULL;

		html_open(h, "label", NULL);
		html_text(h, "Школа ");
		html_open(h, "select", "name", "school", NULL);
		ui_option(h, "", "Все школы", rf->school);
		for (char *c = strtok_r(schools, ",", &save); c; c = strtok_r(NULL, ",", &save))
			ui_option(h, c, c, rf->school);
		html_close(h, "select");
		html_close(h, "label");
	}
	free(schools);

	html_open(h, "label", NULL);
	html_text(h, "Созданы с ");
	html_void(h, "input", "type", "date", "name", "from", "value", rf->from ? rf->from : "", NULL);
	html_close(h, "label");
	html_open(h, "label", NULL);
	html_text(h, "по ");
	html_void(h, "input", "type", "date", "name", "to", "value", rf->to ? rf->to : "", NULL);
	html_close(h, "label");
	html_open(h, "label", NULL);
	html_text(h, "Поиск ");
	html_void(h, "input", "type", "search", "name", "q", "value", rf->q ? rf->q : "",
	    "maxlength", "200", "placeholder", "номер записи или текст", NULL);
	html_close(h, "label");
	html_elem(h, "button", "Показать", "type", "submit", "class", "btn primary", NULL);
	html_elem(h, "a", "Сбросить", "href", "/records", "class", "btn quiet", NULL);
	html_close(h, "form");
}

static int
ui_records_row(const struct localdb_list_row *r, void *arg)
{
	struct ui_rlist *l = arg;
	struct html *h = l->h;
	char id[UUID7_STRLEN + 1], href[64], when[32], cls[32];

	uuid7_format(r->id, id);
	snprintf(href, sizeof(href), "/record?id=%s", id);
	snprintf(cls, sizeof(cls), "status-%s", r->status);
	ui_hlc_time(r->created_hlc, when, sizeof(when));
	html_open(h, "tr", "class", cls, NULL);
	html_elem(h, "td", when, "class", "nowrap", NULL);
	html_open(h, "td", NULL);
	html_elem(h, "a", ui_form_title(l->u, r->form_id), "href", href, NULL);
	html_close(h, "td");
	html_elem(h, "td", r->school, NULL);
	html_open(h, "td", NULL);
	html_elem(h, "span", ui_state_words(r->status, r->state), "class",
	    ui_state_class(r->status, r->state), NULL);
	html_close(h, "td");
	html_open(h, "td", "class", "small nowrap", NULL);
	/* whole: the first digits are the time, the same for records made together */
	html_elem(h, "a", id, "href", href, NULL);
	html_close(h, "td");
	html_close(h, "tr");
	l->n++;
	return 0;
}

/* One link (or, with a search, one posted button) of the pager. */
static void
ui_records_pagelink(struct ui *u, const struct ui_rf *rf, long page, const char *text,
    struct html *h)
{
	char href[UI_HREF_MAX], num[24];

	if (rf->q == NULL) {
		ui_rf_href(rf, page, href, sizeof(href));
		html_elem(h, "a", text, "href", href, "class", "btn", NULL);
		return;
	}
	snprintf(num, sizeof(num), "%ld", page);
	html_open(h, "form", "method", "post", "action", "/records", "class", "inline", NULL);
	html_void(h, "input", "type", "hidden", "name", UI_CSRF_FIELD, "value", ui_csrf(u), NULL);
	ui_hidden(h, "form", rf->form);
	ui_hidden(h, "status", rf->status);
	ui_hidden(h, "school", rf->school);
	ui_hidden(h, "from", rf->from);
	ui_hidden(h, "to", rf->to);
	ui_hidden(h, "q", rf->q);
	ui_hidden(h, "page", num);
	html_elem(h, "button", text, "type", "submit", "class", "btn", NULL);
	html_close(h, "form");
}

static int
ui_records_list(struct ui *u, const struct ui_rf *in, struct html *h, struct terr *e)
{
	struct ui_rf rf = *in;
	struct localdb_list_filter f = { 0 };
	struct ui_rlist l = { u, h, 0 };
	char from[13], to[13];
	int64_t total = 0, pages;
	int r;

	/* what does not parse filters nothing, and says so */
	if (rf.form != NULL && !form_ident_ok(rf.form))
		rf.form = NULL;
	if (rf.status != NULL && !ui_rf_status_ok(rf.status))
		rf.status = NULL;
	if (rf.school != NULL && strlen(rf.school) > 64)
		rf.school = NULL;
	if (rf.q != NULL && strlen(rf.q) > UI_RECORDS_Q_MAX)
		rf.q = NULL;
	if (rf.page < 1)
		rf.page = 1;
	html_elem(h, "h1", "Записи", NULL);
	ui_records_filters(u, &rf, h);
	if (rf.from != NULL && !ui_day_hlc(rf.from, 0, from)) {
		html_elem(h, "p", "Дата «с» не понята: нужна в виде ДД.ММ.ГГГГ. Без неё.",
		    "class", "flash warn", NULL);
		rf.from = NULL;
	}
	if (rf.to != NULL && !ui_day_hlc(rf.to, 1, to)) {
		html_elem(h, "p", "Дата «по» не понята: нужна в виде ДД.ММ.ГГГГ. Без неё.",
		    "class", "flash warn", NULL);
		rf.to = NULL;
	}
	f.form_id = rf.form;
	f.status = rf.status;
	f.school = rf.school;
	f.from_hlc = rf.from ? from : NULL;
	f.to_hlc = rf.to ? to : NULL;
	f.search = rf.q;
	f.limit = UI_RECORDS_PAGE;
	f.offset = (int64_t)(rf.page - 1) * UI_RECORDS_PAGE;
	html_open(h, "table", "class", "list", NULL);
	html_open(h, "thead", NULL);
	html_open(h, "tr", NULL);
	html_elem(h, "th", "Создана", NULL);
	html_elem(h, "th", "Форма", NULL);
	html_elem(h, "th", "Школа", NULL);
	html_elem(h, "th", "Состояние", NULL);
	html_elem(h, "th", "Номер", NULL);
	html_close(h, "tr");
	html_close(h, "thead");
	html_open(h, "tbody", NULL);
	if ((r = localdb_record_list(store_localdb(ui_store(u)), &f, &total, ui_records_row,
	    &l, e)) != 0)
		return r;
	html_close(h, "tbody");
	html_close(h, "table");
	pages = (total + UI_RECORDS_PAGE - 1) / UI_RECORDS_PAGE;
	if (total == 0) {
		html_open(h, "p", "class", "empty", NULL);
		html_text(h, "Записей не найдено. ");
		html_elem(h, "a", "Новая запись", "href", "/new", NULL);
		html_close(h, "p");
		return 0;
	}
	html_open(h, "nav", "class", "pager", NULL);
	if (rf.page > 1)
		ui_records_pagelink(u, &rf, rf.page - 1, "← Назад", h);
	html_open(h, "span", "class", "current", NULL);
	html_textf(h, "Страница %ld из %lld", rf.page > pages ? (long)pages : rf.page,
	    (long long)pages);
	html_close(h, "span");
	html_open(h, "span", "class", "gap", NULL);
	html_textf(h, "всего записей: %lld", (long long)total);
	html_close(h, "span");
	if (rf.page < pages)
		ui_records_pagelink(u, &rf, rf.page + 1, "Вперёд →", h);
	html_close(h, "nav");
	return 0;
}

int
ui_records_render(struct ui *u, const char *query, struct html *h, struct terr *e)
{
	struct webform *q = NULL;
	struct ui_rf rf = { 0 };
	const char *page;
	int r;

	if ((r = webreq_urlencoded(query ? query : "", query ? strlen(query) : 0, &q, e)) != 0)
		return r;
	rf.form = ui_rf_val(webform_get(q, "form"));
	rf.status = ui_rf_val(webform_get(q, "status"));
	rf.school = ui_rf_val(webform_get(q, "school"));
	rf.from = ui_rf_val(webform_get(q, "from"));
	rf.to = ui_rf_val(webform_get(q, "to"));
	rf.q = ui_rf_val(webform_get(q, "q"));
	page = webform_get(q, "page");
	rf.page = page ? strtol(page, NULL, 10) : 1;
	r = ui_records_list(u, &rf, h, e);
	webform_free(q);
	return r;
}

int
ui_page_records(struct ui_req *rq)
{
	const struct webform *p = ui_req_form(rq);
	struct ui_rf rf = { 0 };
	struct terr e = { 0 };
	struct html *h;
	const char *page;

#define UI_RF_GET(name) ui_rf_val(p ? webform_get(p, name) : ui_req_query(rq, name))
	rf.form = UI_RF_GET("form");
	rf.status = UI_RF_GET("status");
	rf.school = UI_RF_GET("school");
	rf.from = UI_RF_GET("from");
	rf.to = UI_RF_GET("to");
	/* posted only: a URL never carries the search */
	rf.q = p ? ui_rf_val(webform_get(p, "q")) : NULL;
	page = UI_RF_GET("page");
#undef UI_RF_GET
	rf.page = page ? strtol(page, NULL, 10) : 1;
	if (p != NULL && rf.q == NULL) {
		/* nothing private posted: the list gets its URL back */
		char href[UI_HREF_MAX];

		ui_rf_href(&rf, rf.page, href, sizeof(href));
		return ui_reply_redirect(rq, href);
	}
	if ((h = ui_page_begin(rq, "Записи — Тетрад")) == NULL)
		return ui_page_end(rq, NULL, 500);
	if (ui_records_list(ui_req_ui(rq), &rf, h, &e) != 0) {
		html_free(h);
		return ui_reply_error(rq, 500, e.msg);
	}
	return ui_page_end(rq, h, 200);
}

/* ---- one record ----------------------------------------------------------- */

/* The record of ?id= (a full id or an unambiguous beginning), or a reply. */
static int
ui_record_load(struct ui_req *rq, struct localdb_record **out, int *reply)
{
	struct store *s = ui_store(ui_req_ui(rq));
	const char *text = ui_req_query(rq, "id");
	uint8_t id[UUID7_BYTES];
	struct terr e = { 0 };
	int r;

	*out = NULL;
	if (text == NULL || text[0] == '\0') {
		*reply = ui_reply_error(rq, 400, "Не указана запись.");
		return -1;
	}
	if ((r = store_record_resolve(s, text, id, &e)) != 0 ||
	    (r = store_record_get(s, id, out, &e)) != 0) {
		*reply = ui_reply_error(rq, r == STORE_NOTFOUND ? 404 : r == TERR_ARG ? 400 : 500,
		    r == STORE_NOTFOUND ? "Такой записи нет на этом компьютере." : e.msg);
		return -1;
	}
	return 0;
}

static void
ui_record_meta(struct ui *u, const struct localdb_record *r, struct html *h)
{
	char id[UUID7_STRLEN + 1], made[32], changed[32];

	uuid7_format(r->id, id);
	ui_hlc_time(r->created_hlc, made, sizeof(made));
	ui_hlc_time(r->updated_hlc, changed, sizeof(changed));
	html_elem(h, "h1", ui_form_title(u, r->form_id), NULL);
	html_open(h, "dl", "class", "show", NULL);
	html_elem(h, "dt", "Школа", NULL);
	html_elem(h, "dd", r->school, NULL);
	html_elem(h, "dt", "Создана", NULL);
	html_elem(h, "dd", made, NULL);
	html_elem(h, "dt", "Изменена", NULL);
	html_elem(h, "dd", changed, NULL);
	html_elem(h, "dt", "Номер", NULL);
	html_elem(h, "dd", id, "class", "small", NULL);
	html_close(h, "dl");
}

/* The hub's reason when this record's change is in quarantine. */
struct ui_refusal {
	const uint8_t *id;
	char reason[512];
	bool found;
};

static int
ui_record_refusal(const struct localdb_quarantined *q, void *arg)
{
	struct ui_refusal *r = arg;

	if (q->record_id_len != UUID7_BYTES || memcmp(q->record_id, r->id, UUID7_BYTES) != 0)
		return 0;
	ui_refused_reason(q->reason, q->seq, r->reason, sizeof(r->reason));
	r->found = true;
	return 0;
}

int
ui_page_record(struct ui_req *rq)
{
	struct ui *u = ui_req_ui(rq);
	struct store *s = ui_store(u);
	struct localdb_record *r = NULL;
	struct formview_opts o = { 0 };
	const struct form *f;
	cJSON *values = NULL;
	struct terr e = { 0 };
	struct html *h = NULL;
	char id[UUID7_STRLEN + 1], href[256], next[96], esc[200];
	int reply = 0;

	if (ui_record_load(rq, &r, &reply) != 0)
		return reply;
	uuid7_format(r->id, id);
	if ((h = ui_page_begin(rq, "Запись — Тетрад")) == NULL) {
		reply = ui_page_end(rq, NULL, 500);
		goto out;
	}
	ui_record_meta(u, r, h);
	if (strcmp(r->status, "deleted") == 0)
		html_elem(h, "p", "Запись удалена.", "class", "flash warn", NULL);
	else if (strcmp(r->status, "draft") == 0)
		html_elem(h, "p", "Черновик: на хаб не отправляется, пока его не завершат.",
		    "class", "muted", NULL);
	{
		struct ui_refusal rf = { r->id, "", false };
		struct terr qe = { 0 };

		if (localdb_quarantined_each(store_localdb(s), 0, ui_record_refusal, &rf, &qe) == 0 &&
		    rf.found) {
			html_open(h, "div", "class", "flash error", NULL);
			html_textf(h, "Хаб не принял эту запись: %s. ", rf.reason);
			html_elem(h, "a", "Исправить и отправить снова", "href", "/refused", NULL);
			html_close(h, "div");
		}
	}
	if (store_record_damaged(s, r))
		html_elem(h, "p", "Скрытые личные сведения этой записи повреждены и не "
		    "открываются; остальное показано.", "class", "flash warn", NULL);
	if (store_locked(s) && r->sealed != NULL) {
		snprintf(next, sizeof(next), "/record?id=%s", id);
		webreq_query_escape(next, esc, sizeof(esc));
		snprintf(href, sizeof(href), "/unlock?next=%s", esc);
		html_open(h, "p", "class", "flash warn", NULL);
		html_text(h, "Личные сведения скрыты паролем. ");
		html_elem(h, "a", "Ввести пароль", "href", href, NULL);
		html_close(h, "p");
		o.local_hidden = true;
	}
	f = catalog_get(ui_catalog(u), r->form_id, r->form_version);
	values = cJSON_Parse(r->data);
	if (f == NULL)
		html_elem(h, "p", "Этой версии формы на компьютере нет (формы приходят при "
		    "синхронизации): запись не показать.", "class", "flash warn", NULL);
	else if (values == NULL || formview_show(h, f, values, &o, &e) != 0)
		html_elem(h, "p", e.msg[0] ? e.msg : "Запись не удалось прочитать.",
		    "class", "flash error", NULL);
	html_open(h, "div", "class", "buttons", NULL);
	if (strcmp(r->status, "deleted") != 0) {
		snprintf(href, sizeof(href), "/fill?id=%s", id);
		html_elem(h, "a", "Изменить", "href", href, "class", "btn primary", NULL);
		if (strcmp(r->status, "draft") == 0) {
			snprintf(href, sizeof(href), "/review?id=%s", id);
			html_elem(h, "a", "Проверить и завершить", "href", href, "class", "btn", NULL);
		}
		snprintf(href, sizeof(href), "/delete?id=%s", id);
		html_elem(h, "a", "Удалить", "href", href, "class", "btn danger", NULL);
	}
	html_elem(h, "a", "К списку записей", "href", "/records", "class", "btn quiet", NULL);
	html_close(h, "div");
	reply = ui_page_end(rq, h, 200);
 out:
	cJSON_Delete(values);
	store_record_free(r);
	return reply;
}

int
ui_page_delete(struct ui_req *rq)
{
	struct ui *u = ui_req_ui(rq);
	struct localdb_record *r = NULL;
	struct terr e = { 0 };
	struct html *h;
	char id[UUID7_STRLEN + 1], href[96];
	int reply = 0, rc;

	if (ui_record_load(rq, &r, &reply) != 0)
		return reply;
	uuid7_format(r->id, id);
	if (strcmp(r->status, "deleted") == 0) {
		reply = ui_reply_error(rq, 409, "Эта запись уже удалена.");
		goto out;
	}
	if (ui_req_post(rq)) {
		if ((rc = rec_delete(ui_store(u), r->id, &e)) != 0) {
			reply = ui_reply_error(rq, 500, e.msg[0] ? e.msg : "Запись удалить не удалось.");
			goto out;
		}
		ui_flash(u, "Запись удалена.");
		reply = ui_reply_redirect(rq, "/records");
		goto out;
	}
	if ((h = ui_page_begin(rq, "Удалить запись — Тетрад")) == NULL) {
		reply = ui_page_end(rq, NULL, 500);
		goto out;
	}
	ui_record_meta(u, r, h);
	html_open(h, "div", "class", "confirm", NULL);
	html_elem(h, "p", strcmp(r->status, "draft") == 0 ?
	    "Удалить этот черновик? Вернуть его будет нельзя." :
	    "Удалить эту запись? Она удалится и на хабе при следующей синхронизации; "
	    "вернуть её будет нельзя.", NULL);
	snprintf(href, sizeof(href), "/delete?id=%s", id);
	html_open(h, "form", "method", "post", "action", href, "class", "buttons", NULL);
	ui_csrf_input(rq, h);
	html_elem(h, "button", "Да, удалить", "type", "submit", "class", "btn danger", NULL);
	snprintf(href, sizeof(href), "/record?id=%s", id);
	html_elem(h, "a", "Отмена", "href", href, "class", "btn quiet", NULL);
	html_close(h, "form");
	html_close(h, "div");
	reply = ui_page_end(rq, h, 200);
 out:
	store_record_free(r);
	return reply;
}
