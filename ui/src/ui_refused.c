/*
 * ui_refused — /refused: the records the hub did not take (the outbox's
 * quarantine), each with the hub's reason in its words, what a person can
 * do about it, and «исправить и отправить снова».
 *
 * The hub refuses a change set whole, so a refusal is about a batch: the
 * fix of one record sends the batch's other entries again
 * (localdb_requeue_others) and opens the record to correct; its own refused
 * entries stay quarantined until the correction is saved, which supersedes
 * them and queues the whole record (rec.c rec_stamp) — the refused content
 * is never sent again ahead of the fix.
 * Batches the hub said may go again as they are (its form was unknown, its
 * clock behind) go by themselves at the next sync; the buttons at the top
 * send them now (`tetrad retry`) or send everything (`retry --all`).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tetrad/localdb.h"
#include "tetrad/uuid7.h"

#include "ui_private.h"

#define UI_REFUSED_SHOWN 500          /* rows listed; the rest counted */

struct ui_refused_list {
	struct ui_req *rq;
	struct html *h;
	const struct catalog *cat;
	size_t n, retryable;
};

const char *
ui_refused_split(const char *reason, uint64_t *named)
{
	static const char tail[] = " отклонён и помещён в карантин: ";
	static const char change[] = "изменение ";
	const char *p = reason, *t;
	unsigned long long n;
	int used = 0;

	*named = 0;
	if (strncmp(p, "набор ", strlen("набор ")) == 0 && (t = strstr(p, tail)) != NULL)
		p = t + strlen(tail);
	if (strncmp(p, change, strlen(change)) == 0 &&
	    sscanf(p + strlen(change), "%llu: %n", &n, &used) == 1 && used > 0 && n > 0) {
		*named = (uint64_t)n;
		p += strlen(change) + (size_t)used;
	}
	return p;
}

void
ui_refused_reason(const char *reason, uint64_t seq, char *out, size_t cap)
{
	uint64_t named;
	const char *p;

	if (reason == NULL || reason[0] == '\0') {
		snprintf(out, cap, "хаб не назвал причину");
		return;
	}
	p = ui_refused_split(reason, &named);
	if (named != 0 && named != seq)
		snprintf(out, cap, "хаб не принял всю отправку из-за другой записи в ней: %s", p);
	else
		snprintf(out, cap, "%s", p);
}

/* What a fix of one record in a refused set finds about it. */
struct ui_refused_fix {
	const uint8_t *rid;
	bool own, retry, named_self, named_other;
};

static int
ui_refused_fix_scan(const struct localdb_quarantined *q, void *arg)
{
	struct ui_refused_fix *x = arg;
	uint64_t named;
	bool mine = q->record_id_len == UUID7_BYTES &&
	    memcmp(q->record_id, x->rid, UUID7_BYTES) == 0;

	(void)ui_refused_split(q->reason, &named);
	x->retry |= q->retry[0] != '\0';
	x->own |= mine;
	if (named != 0 && named == q->seq) {
		if (mine)
			x->named_self = true;
		else
			x->named_other = true;
	}
	return 0;
}

/* "2026-12-03T10:00:00Z" or "2026-12-03 10:00:00" as ДД.ММ.ГГГГ ЧЧ:ММ. */
static void
ui_refused_when(const char *at, char *out, size_t cap)
{
	int y, mo, d, hh, mm;

	if (at != NULL && sscanf(at, "%4d-%2d-%2d%*1[T ]%2d:%2d", &y, &mo, &d, &hh, &mm) == 5)
		snprintf(out, cap, "%02d.%02d.%04d %02d:%02d", d, mo, y, hh, mm);
	else
		snprintf(out, cap, "%s", at ? at : "");
}

static int
ui_refused_row(const struct localdb_quarantined *q, void *arg)
{
	struct ui_refused_list *l = arg;
	struct html *h = l->h;
	const struct form *f = catalog_latest(l->cat, q->form_id);
	char id[UUID7_STRLEN + 1], when[32], batch[24], view[64], why[1024];

	l->retryable += q->retry[0] != '\0';
	if (++l->n > UI_REFUSED_SHOWN)
		return 0;
	if (q->record_id_len == UUID7_BYTES)
		uuid7_format(q->record_id, id);
	else
		snprintf(id, sizeof(id), "?");
	snprintf(view, sizeof(view), "/record?id=%s", id);
	ui_refused_when(q->at, when, sizeof(when));
	snprintf(batch, sizeof(batch), "%lld", (long long)q->batch_id);
	html_open(h, "tr", NULL);
	html_elem(h, "td", f ? form_title(f) : q->form_id, NULL);
	html_elem(h, "td", q->school, NULL);
	html_elem(h, "td", strcmp(q->op, "delete") == 0 ? "удаление" :
	    strcmp(q->op, "edit") == 0 ? "изменение" : "новая запись", NULL);
	html_elem(h, "td", when, "class", "nowrap", NULL);
	html_open(h, "td", NULL);
	ui_refused_reason(q->reason, q->seq, why, sizeof(why));
	html_text(h, why);
	if (strcmp(q->retry, "forms") == 0)
		html_elem(h, "div", "Хаб ещё не знал формы: отправка уйдёт снова сама, когда "
		    "хаб её получит.", "class", "muted small", NULL);
	else if (strcmp(q->retry, "clock") == 0)
		html_elem(h, "div", "Время отправки впереди часов хаба: проверьте дату и время "
		    "компьютера; отправка уйдёт снова сама.", "class", "muted small", NULL);
	html_close(h, "td");
	html_open(h, "td", NULL);
	if (q->record_id_len == UUID7_BYTES && strcmp(q->op, "delete") != 0) {
		html_open(h, "form", "method", "post", "action", "/refused", "class", "inline",
		    NULL);
		ui_csrf_input(l->rq, h);
		html_void(h, "input", "type", "hidden", "name", "act", "value", "fix", NULL);
		html_void(h, "input", "type", "hidden", "name", "id", "value", id, NULL);
		html_void(h, "input", "type", "hidden", "name", "batch", "value", batch, NULL);
		html_elem(h, "button", "Исправить и отправить снова", "type", "submit",
		    "class", "btn primary", NULL);
		html_close(h, "form");
		html_open(h, "div", "class", "small", NULL);
		html_elem(h, "a", "Посмотреть запись", "href", view, NULL);
		html_close(h, "div");
	}
	html_close(h, "td");
	html_close(h, "tr");
	return 0;
}

static void
ui_refused_all_buttons(struct ui_req *rq, struct html *h, size_t retryable)
{
	html_open(h, "div", "class", "buttons", NULL);
	if (retryable > 0) {
		html_open(h, "form", "method", "post", "action", "/refused", "class", "inline",
		    NULL);
		ui_csrf_input(rq, h);
		html_void(h, "input", "type", "hidden", "name", "act", "value", "retry", NULL);
		html_elem(h, "button", "Отправить снова те, что хаб разрешил", "type", "submit",
		    "class", "btn", NULL);
		html_close(h, "form");
	}
	html_open(h, "form", "method", "post", "action", "/refused", "class", "inline", NULL);
	ui_csrf_input(rq, h);
	html_void(h, "input", "type", "hidden", "name", "act", "value", "retry_all", NULL);
	html_elem(h, "button", "Причина устранена — отправить снова все", "type", "submit",
	    "class", "btn", NULL);
	html_close(h, "form");
	html_close(h, "div");
}

/* POST: act=fix (id, batch) | retry | retry_all. */
static int
ui_refused_post(struct ui_req *rq)
{
	const struct webform *f = ui_req_form(rq);
	struct ui *u = ui_req_ui(rq);
	const char *act = webform_get(f, "act"), *id = webform_get(f, "id");
	const char *batch = webform_get(f, "batch");
	struct localdb *db = store_localdb(ui_store(u));
	struct terr e = { 0 };
	struct ui_refused_fix x = { NULL, false, false, false, false };
	uint8_t rid[UUID7_BYTES];
	char next[64];
	int64_t moved = 0, b = 0;
	char *end = NULL;

	if (act != NULL && strcmp(act, "fix") == 0) {
		if (id == NULL || uuid7_parse(id, rid) != 0 || batch == NULL ||
		    (b = strtoll(batch, &end, 10)) <= 0 || *end != '\0')
			return ui_reply_error(rq, 400, "Не понятно, какую запись исправлять: "
			    "откройте список отклонённых записей заново.");
		/* the hub refused the set whole. When it refused this record's own
		 * content (no retry class, and the reason names no other record's
		 * change), the set's other records go again as they are while this
		 * record's entries stay quarantined until the correction is saved:
		 * that supersedes them and queues the whole corrected record
		 * (client/rec.c rec_stamp), so the refused content never goes again
		 * ahead of it and takes the correction down with it. Otherwise
		 * (the hub did not know the form, its clock was behind, another
		 * record was at fault) the set goes again whole. */
		x.rid = rid;
		if (localdb_quarantined_each(db, b, ui_refused_fix_scan, &x, &e) != 0)
			return ui_reply_error(rq, 500, e.msg);
		if ((x.own && !x.retry && (x.named_self || !x.named_other) ?
		    localdb_requeue_others(db, b, rid, &moved, &e) :
		    localdb_requeue(db, b, false, &moved, &e)) != 0)
			return ui_reply_error(rq, 500, e.msg);
		ui_flash(u, "Исправьте запись и сохраните её: исправление уйдёт на хаб при "
		    "следующей синхронизации.");
		snprintf(next, sizeof(next), "/fill?id=%s", id);
		return ui_reply_redirect(rq, next);
	}
	if (act != NULL && (strcmp(act, "retry") == 0 || strcmp(act, "retry_all") == 0)) {
		if (localdb_requeue(db, 0, strcmp(act, "retry") == 0, &moved, &e) != 0)
			return ui_reply_error(rq, 500, e.msg);
		if (moved > 0)
			ui_flash(u, "Снова в очереди отправки: %lld. Они уйдут на хаб при "
			    "следующей синхронизации.", (long long)moved);
		else
			ui_flash(u, "Отправлять снова нечего.");
		return ui_reply_redirect(rq, "/refused");
	}
	return ui_reply_error(rq, 400, "Неизвестное действие: откройте страницу заново.");
}

int
ui_page_refused(struct ui_req *rq)
{
	struct ui *u = ui_req_ui(rq);
	struct ui_refused_list l = { rq, NULL, ui_catalog(u), 0, 0 };
	struct terr e = { 0 };
	struct html *h;
	int r;

	if (ui_req_post(rq))
		return ui_refused_post(rq);
	if ((h = ui_page_begin(rq, "Не приняты хабом")) == NULL)
		return ui_page_end(rq, h, 500);
	l.h = h;
	html_elem(h, "h1", "Записи, которые хаб не принял", NULL);
	html_elem(h, "p", "Хаб проверяет каждую отправку и не принимает её целиком, если "
	    "что-то в ней не так. Причина — словами хаба. Исправьте запись и сохраните: "
	    "она уйдёт снова со следующей синхронизацией.", "class", "muted", NULL);
	html_open(h, "div", "class", "tablewrap", NULL);
	html_open(h, "table", "class", "list", "id", "refused", NULL);
	html_open(h, "thead", NULL);
	html_open(h, "tr", NULL);
	html_elem(h, "th", "Форма", NULL);
	html_elem(h, "th", "Школа", NULL);
	html_elem(h, "th", "Что отправлялось", NULL);
	html_elem(h, "th", "Ответ хаба", NULL);
	html_elem(h, "th", "Причина", NULL);
	html_elem(h, "th", "", NULL);
	html_close(h, "tr");
	html_close(h, "thead");
	html_open(h, "tbody", NULL);
	r = localdb_quarantined_each(store_localdb(ui_store(u)), 0, ui_refused_row, &l, &e);
	html_close(h, "tbody");
	html_close(h, "table");
	html_close(h, "div");
	if (r != 0)
		html_elem(h, "p", e.msg, "class", "flash error", NULL);
	else if (l.n == 0)
		html_elem(h, "p", "Хаб принял всё, что было отправлено: исправлять нечего.",
		    "class", "empty", NULL);
	if (l.n > UI_REFUSED_SHOWN) {
		html_open(h, "p", "class", "muted", NULL);
		html_textf(h, "Показаны первые %d из %zu.", UI_REFUSED_SHOWN, l.n);
		html_close(h, "p");
	}
	if (l.n > 0)
		ui_refused_all_buttons(rq, h, l.retryable);
	return ui_page_end(rq, h, 200);
}
