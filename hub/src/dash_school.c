/*
 * dash_school — a school's page (/school/CODE): everything about one
 * school across the years, from the same reports the indicators' pages
 * show, each built for this school (and the page's period): its programmes
 * and deadlines, the verification visits and the issued profile against
 * the curators' decisions, social passports and the ИСБШ, identification,
 * the mediation service's cases, the surveys. A school account opens only
 * its own school's page.
 */
#include <stdio.h>
#include <string.h>

#include "dash_chart.h"
#include "dash_private.h"
#include "dash_table.h"
#include "report_render.h"
#include "tetrad/school.h"

#define DASH_SCHOOL_ROWS 200

struct dash_school_part {
	const char *report, *title;
	const char *sects[3];          /* the sections shown, NULL-ended */
	bool matrix;                   /* the report's charts above them (the matrix, ИСБШ by year) */
};

static const struct dash_school_part dash_school_parts[] = {
	{ "completeness", "Программы и сроки", { "schools", "missing", NULL }, false },
	/* not "issued": it counts every school's visits (docs/reports.md, Filters),
	 * and on a school's page it would read as the school's own; the matrix
	 * above the visits sets this school's issued levels against its decisions */
	{ "verification", "Верификация рискового профиля", { "visits", NULL }, true },
	{ "passport", "Социальный паспорт и ИСБШ", { "schools", "shares", NULL }, true },
	{ "identification", "Выявление", { "schools", NULL }, false },
	{ "mediation", "Служба примирения", { "summary", "by_programme", NULL }, false },
	{ "surveys", "Анкетирование", { "responses", NULL }, false },
};

/* The school's name from a report's rows (the register's, as every report has it). */
static void
dash_school_name(const struct report_out *rep, char *out, size_t cap)
{
	for (size_t i = 0; i < rep->nsects && out[0] == '\0'; i++) {
		const struct report_sect *s = &rep->sects[i];

		for (size_t c = 0; c < s->ncols; c++)
			if (strcmp(s->cols[c].key, "school_name") == 0 && s->nrows > 0 &&
			    report_model_at(s, 0, c)->kind == REPORT_CELL_STR) {
				snprintf(out, cap, "%s", report_model_at(s, 0, c)->s);
				break;
			}
	}
}

int
dash_school_page(struct dash_req *rq, const char *code)
{
	struct report_out reps[sizeof(dash_school_parts) / sizeof(dash_school_parts[0])];
	const char *names[sizeof(dash_school_parts) / sizeof(dash_school_parts[0])];
	const size_t nparts = sizeof(dash_school_parts) / sizeof(dash_school_parts[0]);
	char title[200], name[160] = "", href[96], obj[DASH_PATH_MAX];
	struct report_opts o;
	struct html *h = NULL;
	struct terr e;
	int r = 0;

	terr_clear(&e);
	memset(reps, 0, sizeof(reps));
	if (!school_code_ok(code))
		return dash_error(rq, 404, "Нет такой школы", "Код школы «%.32s» записан неверно.",
		    code);
	if (rq->who.role == ACCOUNTS_SCHOOL && strcmp(code, rq->who.school) != 0) {
		snprintf(obj, sizeof(obj), "%.190s", rq->path_log);
		dash_audit(rq, NULL, "forbidden", obj, "refused");
		return dash_error(rq, 403, "Нет доступа", "Учётной записи школы %s доступны только "
		    "страницы своей школы.", rq->who.school);
	}
	memset(&o, 0, sizeof(o));
	o.school = code;
	o.from = dash_arg_set(rq, "from");
	o.to = dash_arg_set(rq, "to");
	o.format = REPORT_JSON;
	o.forms_dir = dash_config(rq->d)->forms_dir;
	for (size_t i = 0; i < nparts; i++)
		names[i] = dash_school_parts[i].report;
	/*
	 * In one reading of the store: the schools and labels once, the ИСБШ
	 * of every school once for passport and identification, and each
	 * report's records of this school only where its rows need no other's.
	 */
	if ((r = report_build_many(rq->db, &o, names, nparts, reps, &e)) == 0)
		for (size_t i = 0; i < nparts; i++)
			dash_school_name(&reps[i], name, sizeof(name));
	if (r == TERR_ARG) {
		dash_error(rq, 400, "Неверный фильтр", "%s", e.msg);
		goto out;
	}
	if (r != 0) {
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s school %s: %s", rq->addr, code, e.msg);
		rq->retry_after = 30;
		dash_error(rq, 503, "Страница не построена", "Хаб сейчас не может построить "
		    "страницу школы. Повторите через минуту.");
		goto out;
	}
	snprintf(title, sizeof(title), "%s%s%s", code, name[0] ? " — " : "", name);
	if ((h = dash_page_begin(rq, title, NULL)) == NULL) {
		dash_reply_html(rq, 503, NULL);
		goto out;
	}
	html_open(h, "nav", "class", "tabs", NULL);
	for (size_t i = 0; i < nparts; i++) {
		char anchor[48];

		snprintf(anchor, sizeof(anchor), "#%s", dash_school_parts[i].report);
		html_elem(h, "a", dash_school_parts[i].title, "href", anchor, NULL);
	}
	html_close(h, "nav");
	for (size_t i = 0; i < nparts; i++) {
		const struct dash_school_part *p = &dash_school_parts[i];

		html_open(h, "section", "id", p->report, "class", "school-part", NULL);
		html_elem(h, "h2", p->title, NULL);
		snprintf(href, sizeof(href), "/report/%s?school=%s", p->report, code);
		html_open(h, "p", "class", "downloads", NULL);
		html_elem(h, "a", "Весь отчёт по школе", "href", href, NULL);
		snprintf(href, sizeof(href), "/report/%s.xlsx?school=%s", p->report, code);
		html_elem(h, "a", "Excel", "href", href, "class", "btn quiet", "download", "", NULL);
		html_close(h, "p");
		if (p->matrix)
			dash_charts(h, &reps[i]);
		for (size_t k = 0; p->sects[k] != NULL; k++)
			for (size_t s = 0; s < reps[i].nsects; s++)
				if (strcmp(reps[i].sects[s].key, p->sects[k]) == 0)
					dash_table_report_section(h, &reps[i].sects[s], DASH_SCHOOL_ROWS);
		html_close(h, "section");
	}
	dash_page_end(rq, h);
 out:
	for (size_t i = 0; i < nparts; i++)
		report_model_free(&reps[i]);
	return 0;
}
