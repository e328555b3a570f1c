/*
 * report_completeness — the programmes' deadlines per programme school and
 * year (see report_completeness.h).
 *
 * The period (--from/--to) chooses the years, not the records: a year's
 * visit, МЭДК marks, questionnaires and passport are judged whole against
 * that year's deadlines (report_settings_deadline), whatever day the period
 * ends on. The years of a school are the years of its programmes; with no
 * programme imported at all, every school the hub knows, for the years its
 * visits and passports name (report_calendar_meta says so).
 */
#include "report_completeness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/programmes.h"
#include "hub/survey_facts.h"
#include "report_calendar.h"
#include "report_settings.h"
#include "report_tally.h"
#include "tetrad/form.h"

#define C_YEARS (REPORT_DEADLINE_YEAR_MAX - REPORT_DEADLINE_YEAR_MIN + 1)

enum { C_VISIT = 0, C_MEDK, C_PASS, C_SURV_IN, C_SURV_LATE };

static const char *const c_groups[4] = { "director", "teacher", "student", "parent" };

struct c_state {
	struct report_ctx *c;
	struct report_tallies t;          /* code: the year as 4 digits (+ ":group") */
	bool years[C_YEARS];              /* years the records name */
	bool want[C_YEARS];               /* years the report has rows for: surveys read */
	struct report_settings set;
	struct terr *e;
};

/* The record's school index, or -1 (not a school of the report). */
static long
c_school(struct c_state *s, const char *code)
{
	long si = report_ctx_school_find(s->c, code);

	return si >= 0 && report_ctx_school_shown(s->c, (size_t)si) ? si : -1;
}

/* A "YYYY-MM-DD" value of o[key] that is a real day, else NULL. */
static const char *
c_date(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	long d;

	return cJSON_IsString(v) && strlen(v->valuestring) == 10 &&
	    form_date_days(v->valuestring, &d) == 0 ? v->valuestring : NULL;
}

/* Keeps the earliest date under the key; n counts. */
static int
c_earliest(struct c_state *s, size_t si, int dim, int year, const char *date)
{
	char code[8];
	struct report_tally *x;

	if (year < REPORT_DEADLINE_YEAR_MIN || year > REPORT_DEADLINE_YEAR_MAX)
		return 0;
	s->years[year - REPORT_DEADLINE_YEAR_MIN] = true;
	snprintf(code, sizeof(code), "%04d", year);
	if ((x = report_tally_get(&s->t, si, dim, code)) == NULL)
		return REPORT_NOMEM(s->e);
	x->n++;
	if (date && (x->date[0] == '\0' || strcmp(date, x->date) < 0))
		memcpy(x->date, date, 11);
	return 0;
}

static const struct report_pick c_visit_pick[] = {
	{ "visit_type", NULL }, { "visit_date", NULL }, { "project_year", NULL },
	{ "medk_entered", NULL }, { "medk_date", NULL }, { NULL, NULL },
};

static int
c_visit(void *arg, const struct hubdb_report_record *rec)
{
	struct c_state *s = arg;
	long si = c_school(s, rec->school);
	const char *vt, *date, *md;
	const cJSON *py, *me;
	cJSON *d;
	int year, r = 0;

	if (si < 0 || (d = report_pick_parse(rec->data, rec->data_len, c_visit_pick)) == NULL)
		return 0;
	vt = report_ctx_jcode(d, "visit_type");
	date = c_date(d, "visit_date");
	py = cJSON_GetObjectItemCaseSensitive(d, "project_year");
	year = cJSON_IsNumber(py) && py->valuedouble >= 2000 && py->valuedouble <= 2100 ?
	    (int)py->valuedouble : date ? atoi(date) : 0;
	/* only the verification visit («первичное посещение») is due by the deadline */
	if (vt && strcmp(vt, "verification") == 0 && date) {
		r = c_earliest(s, (size_t)si, C_VISIT, year, date);
		me = cJSON_GetObjectItemCaseSensitive(d, "medk_entered");
		md = c_date(d, "medk_date");
		/* entered without a date counts as entered, its day unknown */
		if (r == 0 && cJSON_IsTrue(me))
			r = c_earliest(s, (size_t)si, C_MEDK, year, md);
	}
	cJSON_Delete(d);
	return r;
}

static const struct report_pick c_pass_pick[] = {
	{ "snapshot_date", NULL }, { NULL, NULL },
};

static int
c_passport(void *arg, const struct hubdb_report_record *rec)
{
	struct c_state *s = arg;
	long si = c_school(s, rec->school);
	const char *date;
	cJSON *d;
	int r = 0;

	if (si < 0 || (d = report_pick_parse(rec->data, rec->data_len, c_pass_pick)) == NULL)
		return 0;
	if ((date = c_date(d, "snapshot_date")) != NULL)
		r = c_earliest(s, (size_t)si, C_PASS, atoi(date), date);
	cJSON_Delete(d);
	return r;
}

/* The group of a survey form («survey_teacher» → teacher); NULL for another. */
static const char *
c_group(const char *form_id)
{
	size_t n = strlen(SURVEY_FACTS_PREFIX);

	for (size_t i = 0; i < 4; i++)
		if (strncmp(form_id, SURVEY_FACTS_PREFIX, n) == 0 &&
		    strcmp(form_id + n, c_groups[i]) == 0)
			return c_groups[i];
	return NULL;
}

/* Counts n responses of a group under the year: received in time or late. */
static int
c_survey_add(struct c_state *s, long si, const char *form_id, int year, bool late,
    long long n)
{
	const char *g = c_group(form_id);
	char code[32];

	if (si < 0 || g == NULL || year < REPORT_DEADLINE_YEAR_MIN ||
	    year > REPORT_DEADLINE_YEAR_MAX)
		return 0;
	s->years[year - REPORT_DEADLINE_YEAR_MIN] = true;
	snprintf(code, sizeof(code), "%04d:%s", year, g);
	return report_tally_add(&s->t, (size_t)si, late ? C_SURV_LATE : C_SURV_IN, code, n) ?
	    REPORT_NOMEM(s->e) : 0;
}

static int
c_survey_rec(void *arg, const struct hubdb_report_record *rec)
{
	struct c_state *s = arg;
	char dl[11];
	int year;
	long d;

	if (strlen(rec->received_date) < 10 || form_date_days(rec->received_date, &d) != 0)
		return 0;
	/* from 1 September a questionnaire belongs to the next year's survey */
	year = atoi(rec->received_date) + (strncmp(rec->received_date + 5, "09", 2) >= 0);
	report_settings_deadline(&s->set, "surveys", year, dl);
	return c_survey_add(s, c_school(s, rec->school), rec->form_id, year,
	    strncmp(rec->received_date, dl, 10) > 0, 1);
}

/* State of the survey tally walk of one year's window. */
struct c_surv_walk {
	struct c_state *s;
	int year;
	bool late;
};

static int
c_survey_tally(void *arg, const struct hubdb_tally_row *r)
{
	struct c_surv_walk *w = arg;

	if (strcmp(r->key, "resp") != 0)
		return 0;
	return c_survey_add(w->s, c_school(w->s, r->school), r->form_id, w->year, w->late, r->n);
}

/*
 * The questionnaires per school, group and year, in time or late: from the
 * counters the hub keeps per day (survey_facts.h: the day a response was
 * filled in when it carries one, else the day the hub received it), two
 * windows a year; from the records, by the day received, on a store whose
 * counters are not built yet.
 */
static int
c_surveys(struct c_state *s)
{
	bool stale;
	int r;

	if ((r = hubdb_tally_stale(s->c->db, SURVEY_FACTS_PREFIX, &stale, s->e)) != 0)
		return r;
	if (stale)
		return hubdb_report_records(s->c->db, SURVEY_FACTS_PREFIX, true, c_survey_rec, s,
		    s->e);
	for (int y = s->c->from_year < REPORT_DEADLINE_YEAR_MIN ? REPORT_DEADLINE_YEAR_MIN :
	    s->c->from_year; y <= s->c->to_year && y <= REPORT_DEADLINE_YEAR_MAX; y++) {
		char sep1[24], aug31[24], dl[11];
		long d0, d1, dd;
		int64_t lo, hi;
		struct c_surv_walk w = { s, y, false };

		/*
		 * Only the responses' counter ("resp"), its days summed by the
		 * store for each school and form: summing every key of the window
		 * read the answers' counters too, 2.4 M rows of a municipality's
		 * year (1.1 s; the dashboard's overview), and the days handed over
		 * one by one were 2.4 M calls at region scale
		 */
		if (!s->want[y - REPORT_DEADLINE_YEAR_MIN])
			continue;
		/* the survey of year y: 1 September before it to 31 August (as surveys) */
		snprintf(sep1, sizeof(sep1), "%04d-09-01", y - 1);
		snprintf(aug31, sizeof(aug31), "%04d-08-31", y);
		report_settings_deadline(&s->set, "surveys", y, dl);
		if (form_date_days(sep1, &d0) || form_date_days(aug31, &d1) ||
		    form_date_days(dl, &dd))
			continue;
		lo = d0;
		hi = dd;
		if ((r = hubdb_tally_key_sums(s->c->db, SURVEY_FACTS_PREFIX, s->c->o->school,
		    "resp", &lo, &hi, 1, c_survey_tally, &w, s->e)) != 0)
			return r;
		if (dd < d1) {
			w.late = true;
			lo = dd + 1;
			hi = d1;
			if ((r = hubdb_tally_key_sums(s->c->db, SURVEY_FACTS_PREFIX,
			    s->c->o->school, "resp", &lo, &hi, 1, c_survey_tally, &w, s->e)) != 0)
				return r;
		}
	}
	return 0;
}

static const struct report_col c_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "year", "Год", 0, 0 }, { "programmes", "Программы", 0, 0 },
	{ "verification_visit", "Верификационный визит", 0, 0 },
	{ "visit_deadline", "Срок визита", 0, 0 }, { "visit_in_time", "Визит в срок", 0, 0 },
	{ "medk_date", "Внесено в ИС МЭДК", 0, 0 },
	{ "medk_deadline", "Срок МЭДК", 0, 0 }, { "medk_in_time", "МЭДК в срок", 0, 0 },
	{ "surveys_deadline", "Срок анкет", 0, 0 },
	{ "surveys_director", "Анкет в срок: директор", 0, 0 },
	{ "surveys_teacher", "учителя", 0, 0 },
	{ "surveys_student", "обучающиеся", 0, 0 },
	{ "surveys_parent", "родители", 0, 0 },
	{ "surveys_late", "Анкет после срока", 0, 0 },
	{ "passport_date", "Социальный паспорт", 0, 0 },
	{ "passport_deadline", "Срок паспорта", 0, 0 },
	{ "passport_in_time", "Паспорт в срок", 0, 0 },
};
static const struct report_col c_miss_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "year", "Год", 0, 0 }, { "item", "", 0, REPORT_COL_JSON_ONLY },
	{ "item_label", "Чего не хватает", 0, 0 },
};

static const char *const c_group_labels[4] = {
	"директор", "учителя", "обучающиеся", "родители",
};

/* One line of the missing list. */
static int
c_missing(struct report_sect *m, struct report_ctx *c, size_t si, int year, const char *item,
    const char *text, struct terr *e)
{
	long row = report_ctx_school_row(m, c, si, e);

	if (row < 0)
		return TERR_NOMEM;
	report_model_int(m, row, 2, year);
	return report_model_str(m, row, 3, item) || report_model_str(m, row, 4, text) ?
	    REPORT_NOMEM(e) : 0;
}

/*
 * A dated item against its deadline: the date, the deadline and да/нет in
 * columns col..col+2; when due, a missing or late line.
 */
static int
c_dated(struct report_sect *sr, long row, size_t col, struct report_sect *m,
    struct report_ctx *c, size_t si, int year, const struct report_tally *x, const char *dl,
    bool due, const char *what, const char *item, struct terr *e)
{
	char text[200], code[40];
	const char *date = x && x->date[0] ? x->date : NULL;

	if (report_model_str(sr, row, col, date ? date : x ? "да, без даты" : NULL) ||
	    report_model_str(sr, row, col + 1, dl))
		return REPORT_NOMEM(e);
	if (date && report_model_str(sr, row, col + 2, strcmp(date, dl) <= 0 ? "да" : "нет"))
		return REPORT_NOMEM(e);
	if (!due)
		return 0;
	if (x == NULL) {
		snprintf(code, sizeof(code), "%s_missing", item);
		snprintf(text, sizeof(text), "нет: %s (срок %s)", what, dl);
		return c_missing(m, c, si, year, code, text, e);
	}
	if (date && strcmp(date, dl) > 0) {
		snprintf(code, sizeof(code), "%s_late", item);
		snprintf(text, sizeof(text), "после срока: %s %s (срок %s)", what, date, dl);
		return c_missing(m, c, si, year, code, text, e);
	}
	return 0;
}

/* One row for school si and year, with its missing lines. */
static int
c_row(struct c_state *s, struct report_sect *sr, struct report_sect *m, size_t si, int year,
    unsigned mask, bool all_due)
{
	struct report_ctx *c = s->c;
	struct report_tally *x;
	char ys[12], code[32], dl[11], progs[80], text[200];
	/* the visit, МЭДК and questionnaires are «500+»'s; the passport every school's */
	bool p500 = all_due || (mask & (1u << programmes_index("p500")));
	long long late = 0;
	long row;
	int r;

	snprintf(ys, sizeof(ys), "%04d", year);
	if ((row = report_ctx_school_row(sr, c, si, s->e)) < 0)
		return TERR_NOMEM;
	report_model_int(sr, row, 2, year);
	report_calendar_mask_text(mask, progs, sizeof(progs));
	if (report_model_str(sr, row, 3, progs[0] ? progs : NULL))
		return REPORT_NOMEM(s->e);
	report_settings_deadline(&s->set, "verification", year, dl);
	if ((r = c_dated(sr, row, 4, m, c, si, year, report_tally_find(&s->t, si, C_VISIT, ys),
	    dl, p500, "верификационный визит", "visit", s->e)) != 0)
		return r;
	report_settings_deadline(&s->set, "medk", year, dl);
	x = report_tally_find(&s->t, si, C_MEDK, ys);
	if ((r = c_dated(sr, row, 7, m, c, si, year, x, dl, p500,
	    "отметки в ИС МЭДК", "medk", s->e)) != 0)
		return r;
	report_settings_deadline(&s->set, "surveys", year, dl);
	if (report_model_str(sr, row, 10, dl))
		return REPORT_NOMEM(s->e);
	for (size_t g = 0; g < 4; g++) {
		snprintf(code, sizeof(code), "%04d:%s", year, c_groups[g]);
		x = report_tally_find(&s->t, si, C_SURV_IN, code);
		report_model_int(sr, row, 11 + g, x ? x->n : 0);
		if ((x = report_tally_find(&s->t, si, C_SURV_LATE, code)) != NULL)
			late += x->n;
		if (p500 && report_tally_find(&s->t, si, C_SURV_IN, code) == NULL) {
			char item[40];

			snprintf(item, sizeof(item), "surveys_%s_missing", c_groups[g]);
			snprintf(text, sizeof(text), "нет анкет до срока %s: %s", dl,
			    c_group_labels[g]);
			if ((r = c_missing(m, c, si, year, item, text, s->e)) != 0)
				return r;
		}
	}
	report_model_int(sr, row, 15, late);
	report_settings_deadline(&s->set, "passport", year, dl);
	return c_dated(sr, row, 16, m, c, si, year, report_tally_find(&s->t, si, C_PASS, ys), dl,
	    true, "социальный паспорт", "passport", s->e);
}

int
report_completeness_run(struct report_ctx *c, struct report_out *o, struct terr *e)
{
	struct c_state *s;
	struct report_calendar cal;
	struct report_sect *sr, *m;
	int r;

	o->title = "Полнота сбора по срокам программ";
	memset(&cal, 0, sizeof(cal));
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return REPORT_NOMEM(e);
	s->c = c;
	s->e = e;
	if ((r = report_settings_load(c->db, &s->set, e)) != 0 ||
	    (r = report_calendar_load(&cal, c, false, e)) != 0)
		goto out;
	report_calendar_meta(&cal, o);
	sr = report_model_sect(o, "schools", "Школы программ: сроки года", c_cols,
	    REPORT_NCOLS(c_cols));
	m = report_model_sect(o, "missing", "Чего не хватает к сроку", c_miss_cols,
	    REPORT_NCOLS(c_miss_cols));
	/* a school's rows are of its own visits and passports: only they are read */
	if ((r = report_ctx_records(c, "risk_visit", c_visit, s, e)) != 0 ||
	    (r = report_ctx_records(c, "social_passport", c_passport, s, e)) != 0)
		goto out;
	/*
	 * The years with rows: the programmes' (any school's), or without
	 * programmes the ones the visits and passports name.
	 */
	for (size_t i = 0; i < cal.nprogs; i++)
		if (cal.progs[i].year >= REPORT_DEADLINE_YEAR_MIN &&
		    cal.progs[i].year <= REPORT_DEADLINE_YEAR_MAX)
			s->want[cal.progs[i].year - REPORT_DEADLINE_YEAR_MIN] = true;
	if (!cal.any_programmes)
		memcpy(s->want, s->years, sizeof(s->want));
	if ((r = c_surveys(s)) != 0)
		goto out;
	for (size_t si = 0; si < c->nschools; si++) {
		if (!report_ctx_school_shown(c, si))
			continue;
		for (int y = REPORT_DEADLINE_YEAR_MIN; y <= REPORT_DEADLINE_YEAR_MAX; y++) {
			unsigned mask;

			if (y < c->from_year || y > c->to_year)
				continue;
			if (cal.any_programmes) {
				if ((mask = report_calendar_mask(&cal, si, y)) == 0)
					continue;
			} else if (!s->want[y - REPORT_DEADLINE_YEAR_MIN]) {
				continue;
			} else {
				mask = 0;
			}
			if ((r = c_row(s, sr, m, si, y, mask, !cal.any_programmes)) != 0)
				goto out;
		}
	}
	r = 0;
 out:
	report_calendar_clear(&cal);
	report_tally_free(&s->t);
	free(s);
	return r;
}
