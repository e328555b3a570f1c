/*
 * dash_reports — the overview and the indicators' pages: each report of
 * `tetrad-hub report` (report.h) with its filters (school, period) as a
 * page, and its downloads — .xlsx (report_xlsx.c), CSV and JSON — built
 * from the same model in the same request, so the page and the file never
 * disagree. A school account sees its own school only (dash_school_scope).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dash_chart.h"
#include "dash_private.h"
#include "dash_table.h"
#include "report_render.h"
#include "report_xlsx.h"

#define DASH_PAGE_ROWS 500           /* rows of a section shown on a page */

struct dash_report_def {
	const char *name, *nav, *title;
};

static const struct dash_report_def dash_reports[] = {
	{ "verification", "verification", "Верификация рисковых профилей" },
	{ "mediation", "mediation", "Службы примирения (медиация)" },
	{ "passport", "passport", "Социальные паспорта, ИСБШ и статус" },
	{ "identification", "identification", "Выявление школ" },
	{ "surveys", "surveys", "Анкетирование" },
	{ "completeness", "overview", "Полнота сбора по срокам" },
};

enum dash_format { DASH_HTML, DASH_XLSX, DASH_CSV, DASH_JSON };

static const struct dash_report_def *
dash_report_def(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(dash_reports) / sizeof(dash_reports[0]); i++)
		if (strlen(dash_reports[i].name) == len && strncmp(dash_reports[i].name, name, len) == 0)
			return &dash_reports[i];
	return NULL;
}

/* The query string of the page's filters (for the download links), "" when none. */
static void
dash_filter_query(const struct report_opts *o, char *out, size_t cap)
{
	char esc[DASH_ARG_MAX * 3];
	size_t n = 0;
	const char *names[] = { "school", "from", "to" };
	const char *vals[] = { o->school, o->from, o->to };

	out[0] = '\0';
	for (size_t i = 0; i < 3; i++) {
		if (vals[i] == NULL || !webreq_query_escape(vals[i], esc, sizeof(esc)))
			continue;
		n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%c%s=%s", n ? '&' : '?',
		    names[i], esc);
	}
	if (n >= cap)
		out[0] = '\0';
}

/* The filters; silent (the overview's days, 0: none) kept as a hidden field. */
static void
dash_filter_form(struct dash_req *rq, struct html *h, const char *action,
    const struct report_opts *o, long long silent)
{
	html_open(h, "form", "method", "get", "action", action, "class", "filters", NULL);
	if (silent > 0) {
		char num[24];

		snprintf(num, sizeof(num), "%lld", silent);
		html_void(h, "input", "type", "hidden", "name", "silent", "value", num, NULL);
	}
	if (rq->who.role != ACCOUNTS_SCHOOL) {
		html_open(h, "label", NULL);
		html_text(h, "Школа (код) ");
		html_void(h, "input", "type", "text", "name", "school", "value", o->school ? o->school :
		    "", "placeholder", "все школы", "size", "10", "pattern", "[0-9A-Za-z_-]{1,32}",
		    NULL);
		html_close(h, "label");
	}
	html_open(h, "label", NULL);
	html_text(h, "С ");
	html_void(h, "input", "type", "date", "name", "from", "value", o->from ? o->from : "", NULL);
	html_close(h, "label");
	html_open(h, "label", NULL);
	html_text(h, "по ");
	html_void(h, "input", "type", "date", "name", "to", "value", o->to ? o->to : "", NULL);
	html_close(h, "label");
	html_elem(h, "button", "Показать", "type", "submit", "class", "primary", NULL);
	html_close(h, "form");
}

static void
dash_download_links(struct html *h, const char *name, const struct report_opts *o)
{
	char q[DASH_ARG_MAX * 10], href[DASH_ARG_MAX * 10 + 64];
	static const char *const kinds[][2] = {
		{ "xlsx", "Скачать Excel (.xlsx)" },
		{ "csv", "CSV" },
		{ "json", "JSON" },
	};

	dash_filter_query(o, q, sizeof(q));
	html_open(h, "p", "class", "downloads", NULL);
	for (size_t i = 0; i < 3; i++) {
		snprintf(href, sizeof(href), "/report/%s.%s%s", name, kinds[i][0], q);
		html_elem(h, "a", kinds[i][1], "href", href, "class", i == 0 ? "btn" : "btn quiet",
		    "download", "", NULL);
		html_text(h, " ");
	}
	html_close(h, "p");
}

/* The report as a file: rendered into memory, recorded in the audit log, sent. */
static int
dash_report_file(struct dash_req *rq, const struct report_out *rep,
    const struct report_opts *o, enum dash_format fmt)
{
	static const char *const ext[] = { "", "xlsx", "csv", "json" };
	static const char *const ctype[] = { "",
	    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	    "text/csv; charset=utf-8", "application/json" };
	char *buf = NULL, fname[160], obj[HUBDB_AUDIT_TEXT_MAX];
	size_t len = 0;
	struct terr e;
	FILE *f;
	int r;

	terr_clear(&e);
	if ((f = open_memstream(&buf, &len)) == NULL)
		return dash_reply_html(rq, 503, NULL);
	r = fmt == DASH_XLSX ? report_render_xlsx(rep, o, NULL, f, &e) :
	    fmt == DASH_CSV ? report_render_csv(rep, f, ';', &e) :
	    report_render_json(rep, o, f, &e);
	if (fclose(f) != 0 && r == 0)
		r = terr_set(&e, TERR_NOMEM, "недостаточно памяти для выгрузки");
	if (r != 0) {
		free(buf);
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s %s.%s: %s", rq->addr, rep->name, ext[fmt],
		    e.msg);
		return dash_error(rq, r == TERR_TOO_LARGE ? 413 : 503, "Выгрузка не получилась",
		    "%s", e.msg);
	}
	snprintf(obj, sizeof(obj), "%s.%s school=%s from=%s to=%s", rep->name, ext[fmt],
	    o->school ? o->school : "все", o->from ? o->from : "-", o->to ? o->to : "-");
	/* a download nobody could trace is not given */
	if (dash_audit(rq, NULL, "download", obj, "ok") != 0) {
		free(buf);
		return dash_error(rq, 503, "Выгрузка не получилась", "Хаб не смог записать выгрузку "
		    "в журнал аудита. Повторите позже.");
	}
	snprintf(fname, sizeof(fname), "%s-%s%s%s%s%s.%s", rep->name, o->school ? o->school :
	    "all", o->from ? "-" : "", o->from ? o->from : "", o->to ? "-" : "", o->to ? o->to : "",
	    ext[fmt]);
	return dash_reply_bytes(rq, 200, ctype[fmt], buf, len, fname);
}

/* Builds report name for the request's filters; false with an error page replied. */
static bool
dash_report_build(struct dash_req *rq, const char *name, struct report_opts *o,
    struct report_out *rep)
{
	const char *school;
	struct terr e;
	int r;

	terr_clear(&e);
	memset(o, 0, sizeof(*o));
	if (!dash_school_scope(rq, &school))
		return false;
	o->name = name;
	o->school = school;
	o->from = dash_arg_set(rq, "from");
	o->to = dash_arg_set(rq, "to");
	o->format = REPORT_JSON;
	o->forms_dir = dash_config(rq->d)->forms_dir;
	if ((r = report_build(rq->db, o, rep, &e)) == 0)
		return true;
	if (r == TERR_ARG)
		dash_error(rq, 400, "Неверный фильтр", "%s", e.msg);
	else {
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s report %s: %s", rq->addr, name, e.msg);
		rq->retry_after = 30;
		dash_error(rq, 503, "Отчёт не построен", "Хаб сейчас не может построить отчёт. "
		    "Повторите через минуту.");
	}
	return false;
}

int
dash_report_page(struct dash_req *rq, const char *rest)
{
	const char *dot = strchr(rest, '.');
	size_t nlen = dot ? (size_t)(dot - rest) : strlen(rest);
	const struct dash_report_def *def = dash_report_def(rest, nlen);
	enum dash_format fmt = DASH_HTML;
	struct report_opts o;
	struct report_out rep;
	char action[64];
	struct html *h;

	if (def == NULL || (dot != NULL && strcmp(dot, ".xlsx") != 0 && strcmp(dot, ".csv") != 0 &&
	    strcmp(dot, ".json") != 0))
		return dash_error(rq, 404, "Нет такого отчёта", "Такого отчёта нет. Выберите раздел "
		    "в меню.");
	if (dot != NULL)
		fmt = strcmp(dot, ".xlsx") == 0 ? DASH_XLSX : strcmp(dot, ".csv") == 0 ? DASH_CSV :
		    DASH_JSON;
	if (!dash_report_build(rq, def->name, &o, &rep))
		return 0;
	if (fmt != DASH_HTML) {
		dash_report_file(rq, &rep, &o, fmt);
		report_model_free(&rep);
		return 0;
	}
	if ((h = dash_page_begin(rq, def->title, def->nav)) == NULL) {
		report_model_free(&rep);
		return dash_reply_html(rq, 503, NULL);
	}
	snprintf(action, sizeof(action), "/report/%s", def->name);
	dash_filter_form(rq, h, action, &o, 0);
	dash_download_links(h, def->name, &o);
	dash_table_report_meta(h, &rep);
	dash_charts(h, &rep);
	for (size_t i = 0; i < rep.nsects; i++)
		dash_table_report_section(h, &rep.sects[i], DASH_PAGE_ROWS);
	report_model_free(&rep);
	return dash_page_end(rq, h);
}

/* ---- the overview ------------------------------------------------------- */

struct dash_counts {
	long long conflicts, quarantine, silent, devices;
	long long silent_days;
	char cutoff[HUBDB_TIME_MAX];
};

static int
dash_count_row(void *ctx, size_t ncols, const struct hubdb_col *cols)
{
	long long *n = ctx;

	(void)ncols;
	(void)cols;
	(*n)++;
	return 0;
}

static int
dash_silent_row(void *ctx, size_t ncols, const struct hubdb_col *cols)
{
	struct dash_counts *c = ctx;
	const struct hubdb_col *st = hubdb_col_find(ncols, cols, "status");
	const struct hubdb_col *seen = hubdb_col_find(ncols, cols, "last_seen_at");

	if (st == NULL || st->type != HUBDB_COL_TEXT || strcmp(st->s, "active") != 0)
		return 0;
	c->devices++;
	if (seen == NULL || seen->type != HUBDB_COL_TEXT || strcmp(seen->s, c->cutoff) < 0)
		c->silent++;
	return 0;
}

/*
 * The overview's N of "silent for more than N days": ?silent= (whole days,
 * 1–SERVER_SILENT_DAYS_MAX), else hub.conf's silent_days. *bad: a value was
 * given and refused (the page says so and counts with the default).
 */
static long long
dash_silent_days(struct dash_req *rq, bool *given, bool *bad)
{
	const struct dash_cfg *cfg = dash_config(rq->d);
	long long dflt = cfg->silent_days ? cfg->silent_days : SERVER_DEFAULT_SILENT_DAYS, v = 0;
	const char *s = dash_arg_set(rq, "silent");

	*given = *bad = false;
	if (s == NULL)
		return dflt;
	/* digits only, and few enough for atoll */
	if (strspn(s, "0123456789") == strlen(s) && strlen(s) <= 6)
		v = atoll(s);
	if (v < 1 || v > SERVER_SILENT_DAYS_MAX) {
		*bad = true;
		return dflt;
	}
	*given = true;
	return v;
}

/* The silent days' form, the filters kept; bad: says the value given was refused. */
static void
dash_silent_form(struct html *h, const struct dash_req *rq, long long days, bool bad)
{
	static const char *const keep[] = { "school", "from", "to" };
	char num[24], max[24];

	snprintf(num, sizeof(num), "%lld", days);
	snprintf(max, sizeof(max), "%d", SERVER_SILENT_DAYS_MAX);
	html_open(h, "form", "method", "get", "action", "/", "class", "filters silent", NULL);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (dash_arg_set(rq, keep[i]) != NULL)
			html_void(h, "input", "type", "hidden", "name", keep[i], "value",
			    dash_arg_set(rq, keep[i]), NULL);
	html_open(h, "label", NULL);
	html_text(h, "Молчащие устройства: дольше, дней ");
	html_void(h, "input", "type", "number", "name", "silent", "value", num, "min", "1", "max",
	    max, "step", "1", "required", "", NULL);
	html_close(h, "label");
	html_elem(h, "button", "Пересчитать", "type", "submit", NULL);
	html_close(h, "form");
	if (bad) {
		html_open(h, "p", "class", "flash error", "role", "alert", NULL);
		html_textf(h, "Такое число дней не подходит: нужно целое число от 1 до %d. "
		    "Показано за %lld дн. (по умолчанию).", SERVER_SILENT_DAYS_MAX, days);
		html_close(h, "p");
	}
}

/* A count; a link to its list when there is one the role may open (href). */
static void
dash_stat(struct html *h, long long n, const char *label, const char *href, const char *cls)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", n);
	if (href != NULL)
		html_open(h, "a", "class", cls, "href", href, NULL);
	else
		html_open(h, "div", "class", cls, NULL);
	html_elem(h, "span", num, "class", "n", NULL);
	html_elem(h, "span", label, "class", "label", NULL);
	html_close(h, href != NULL ? "a" : "div");
}

/*
 * A section of the completeness report: an empty «Чего не хватает к сроку»
 * says nothing is missing when there are schools to miss it (without them
 * the period holds no data, as the other sections say).
 */
static void
dash_overview_section(struct html *h, const struct report_out *rep, size_t i)
{
	const struct report_sect *s = &rep->sects[i];
	bool schools = false;

	for (size_t k = 0; k < rep->nsects; k++)
		if (strcmp(rep->sects[k].key, "schools") == 0 && rep->sects[k].nrows > 0)
			schools = true;
	if (strcmp(s->key, "missing") != 0 || s->nrows > 0 || !schools) {
		dash_table_report_section(h, s, DASH_PAGE_ROWS);
		return;
	}
	html_open(h, "section", "class", "report-sect", "data-key", s->key, NULL);
	html_elem(h, "h2", s->title, NULL);
	html_elem(h, "p", "Ничего: всё сдано к сроку.", "class", "flash", "data-empty",
	    "nothing-missing", NULL);
	html_close(h, "section");
}

int
dash_overview(struct dash_req *rq, const char *rest)
{
	struct dash_counts cnt;
	struct report_opts o;
	struct report_out rep;
	struct html *h;
	struct terr e;
	time_t cut;
	struct tm tm;
	bool silent_given, silent_bad;

	(void)rest;
	terr_clear(&e);
	memset(&cnt, 0, sizeof(cnt));
	cnt.silent_days = dash_silent_days(rq, &silent_given, &silent_bad);
	cut = (time_t)(rq->now - cnt.silent_days * 86400);
	gmtime_r(&cut, &tm);
	strftime(cnt.cutoff, sizeof(cnt.cutoff), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (rq->who.role != ACCOUNTS_SCHOOL &&
	    (hubdb_conflicts_open(rq->db, &cnt.conflicts, &e) != 0 ||
	    hubdb_list(rq->db, HUBDB_LIST_QUARANTINE, dash_count_row, &cnt.quarantine, &e) != 0 ||
	    hubdb_list(rq->db, HUBDB_LIST_DEVICES, dash_silent_row, &cnt, &e) != 0)) {
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s overview: %s", rq->addr, e.msg);
		return dash_error(rq, 503, "Обзор не построен", "Хаб сейчас не может прочитать "
		    "данные. Повторите через минуту.");
	}
	if (!dash_report_build(rq, "completeness", &o, &rep))
		return 0;
	if ((h = dash_page_begin(rq, "Обзор", "overview")) == NULL) {
		report_model_free(&rep);
		return dash_reply_html(rq, 503, NULL);
	}
	if (rq->who.role != ACCOUNTS_SCHOOL) {
		char label[96];

		/* the devices' list is the administrator's: a coordinator sees the counts */
		const char *devices = rq->who.role == ACCOUNTS_ADMIN ? "/admin/devices" : NULL;

		html_open(h, "div", "class", "stats", NULL);
		dash_stat(h, cnt.devices, "устройств подключено", devices, "stat");
		snprintf(label, sizeof(label), "молчат дольше %lld дн.", cnt.silent_days);
		dash_stat(h, cnt.silent, label, devices, cnt.silent ? "stat waiting silent" :
		    "stat silent");
		dash_stat(h, cnt.quarantine, "отклонённых наборов", "/review/quarantine",
		    cnt.quarantine ? "stat refused" : "stat");
		dash_stat(h, cnt.conflicts, "нерешённых конфликтов", "/review/conflicts",
		    cnt.conflicts ? "stat waiting" : "stat");
		html_close(h, "div");
		dash_silent_form(h, rq, cnt.silent_days, silent_bad);
	}
	html_elem(h, "h2", rep.title, NULL);
	dash_filter_form(rq, h, "/", &o, silent_given ? cnt.silent_days : 0);
	dash_download_links(h, "completeness", &o);
	dash_table_report_meta(h, &rep);
	for (size_t i = 0; i < rep.nsects; i++)
		dash_overview_section(h, &rep, i);
	report_model_free(&rep);
	return dash_page_end(rq, h);
}
