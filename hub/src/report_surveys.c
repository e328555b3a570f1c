/*
 * report_surveys — the questionnaires: responses per school and group with
 * their coverage (students and families from the passport, teachers from
 * the director's answer), the distribution of coded answers and the
 * averages of scales (docs/reports.md, «surveys»). Question and answer
 * labels come from the survey forms; a free-text answer is never printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include "report_passport.h"
#include "report_settings.h"
#include "report_tally.h"
#include "report_surveys.h"
#include "hub/survey_facts.h"
#include "tetrad/form.h"

/* S_LATE lives in a tally of its own (survey_out.late), kept for the whole run. */
enum { S_RESP = 0, S_DIST, S_QANS, S_SCALE, S_STAFF, S_DATED, S_LATE };

/* The last day a late response can be for the year's survey: from 1
 * September responses are for the next year's. */
#define SURVEY_YEAR_END "08-31"

/* Keys: S_RESP "<group>"; S_DIST "<group>\x1f<question>\x1f<answer>";
 * S_QANS/S_SCALE "<group>\x1f<question>". */
static int
survey_key(char *out, size_t cap, const char *g, const char *q, const char *a)
{
	int n = snprintf(out, cap, "%s%s%s%s%s", g, q ? "\x1f" : "", q ? q : "",
	    a ? "\x1f" : "", a ? a : "");

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* The teachers on staff by the school's latest director's answer, or -1. */
static long long
survey_staff(const struct report_tallies *t, size_t school)
{
	size_t i = report_tally_end(t, school, S_STAFF);
	const struct report_tally *x = i > 0 ? &t->v[i - 1] : NULL;

	if (x == NULL || x->school != school || x->dim != S_STAFF || x->n <= 0)
		return -1;
	return (long long)(x->sum / (double)x->n);
}

/*
 * The last question looked up in the forms. Counters and rows come a
 * question's answers after each other, and finding a field is a walk of the
 * form's fields: at region scale 300,000 rows × three lookups were a tenth
 * of the report.
 */
struct survey_memo {
	bool ok;
	char g[REPORT_LABELS_CODE_MAX + 1], q[REPORT_LABELS_CODE_MAX + 1];
	const struct form_field *ff;
};

/* Field q of form g in the forms the report is given, or NULL. */
static const struct form_field *
survey_field(struct report_ctx *c, struct survey_memo *m, const char *g, const char *q)
{
	const struct form *f;

	if (m->ok && strcmp(m->q, q) == 0 && strcmp(m->g, g) == 0)
		return m->ff;
	f = report_labels_form(c->labels, g);
	m->ff = f ? form_find(f, q) : NULL;
	m->ok = strlen(g) < sizeof(m->g) && strlen(q) < sizeof(m->q);
	if (m->ok) {
		strcpy(m->g, g);
		strcpy(m->q, q);
	}
	return m->ff;
}

/*
 * Whether the report shows question q of form g: not a text, date, group
 * or device-only field of the form the report is given. Decided here, not
 * when the answers are counted, so the counters do not depend on the forms
 * the hub had when a record came.
 */
static bool
survey_question_shown(struct report_ctx *c, struct survey_memo *m, const char *g,
    const char *q)
{
	const struct form_field *ff = survey_field(c, m, g, q);

	return !(ff && (ff->type == FORM_TEXT || ff->type == FORM_DATE ||
	    ff->type == FORM_GROUP || ff->sync == FORM_SYNC_LOCAL));
}

/* Where the rows of the surveys report go, and what they are computed from. */
struct survey_out {
	struct report_sect *sr, *sd, *sv;
	const struct report_passport *p;  /* coverage of students and families */
	struct survey_memo memo;
	struct report_tallies late;       /* S_LATE "<group>": responses after the deadline */
	char deadline[6];                 /* surveys.deadline, MM-DD */
};

/*
 * Whether a response filled on day is after the deadline of its year's
 * survey: after MM-DD of its year and not yet in September, when the next
 * year's survey starts.
 */
static bool
survey_late(const struct survey_out *so, int64_t day)
{
	char d[11];

	if (day == HUBDB_TALLY_NODAY || day < -100000000 || day > 100000000)
		return false;
	form_date_format((long)day, d);
	return strcmp(d + 5, so->deadline) > 0 && strcmp(d + 5, SURVEY_YEAR_END) <= 0;
}

/* State of survey_take's callers: the counters and where they go. */
struct survey_fill {
	struct report_ctx *c;
	struct report_tallies *t;
	struct survey_out *out;
	size_t school;
	const char *form_id;
	long last_si;                     /* the tally's rows come by school: */
	char last_school[32];             /* its last lookup */
	struct terr *e;
	bool stale;                       /* counting from the responses themselves */
	bool has_from, has_to;            /* stale: the period, checked per response */
	long from_days, to_days;
};

static int survey_render(struct report_ctx *c, struct report_tallies *t,
    struct survey_out *so, struct terr *e);

/* One tally key of form fid at school si, n contributions adding up to total. */
static int
survey_take(struct survey_fill *s, size_t si, const char *fid, const char *key,
    long long n, double total, struct terr *e)
{
	char buf[SURVEY_FACTS_KEY_MAX + 1], k[REPORT_TALLY_CODE_MAX + 1];
	enum survey_fact_kind kind;
	const char *q, *a;
	struct report_tally *x;
	int dim;

	if (survey_facts_key_parse(key, buf, &kind, &q, &a) != 0)
		return 0;
	switch (kind) {
	case SURVEY_FACT_RESP:
		dim = S_RESP;
		q = a = NULL;
		break;
	case SURVEY_FACT_ANSWER:
		dim = S_DIST;
		break;
	case SURVEY_FACT_ANSWERED:
		dim = S_QANS;
		break;
	case SURVEY_FACT_SCALE:
		dim = S_SCALE;
		break;
	case SURVEY_FACT_DATED:
		dim = S_DATED;
		q = a = NULL;
		/* one response, total its day: only when read from the responses;
		 * from the tally the late ones are counted by days (survey_late_all) */
		if (s->stale && n == 1 && survey_late(s->out, (int64_t)total) &&
		    report_tally_add(&s->out->late, si, S_LATE, fid, 1))
			return REPORT_NOMEM(e);
		break;
	default:
		/* the latest answer last: its key is the ordering text */
		if ((x = report_tally_get(s->t, si, S_STAFF, q)) == NULL)
			return REPORT_NOMEM(e);
		x->n = n;
		x->sum = total;
		return 0;
	}
	if (q != NULL && !survey_question_shown(s->c, &s->out->memo, fid, q))
		return 0;
	if (survey_key(k, sizeof(k), fid, q, a) != 0)
		return 0;
	if ((x = report_tally_get(s->t, si, dim, k)) == NULL)
		return REPORT_NOMEM(e);
	x->n += n;
	x->sum += total;
	return 0;
}

static int
survey_tally_row(void *arg, const struct hubdb_tally_row *row)
{
	struct survey_fill *s = arg;

	if (strcmp(row->school, s->last_school) != 0) {
		int r;

		/*
		 * The tally hands its rows over school by school, in the order of
		 * the schools' codes, which is the report's: a school's counters
		 * are rendered and dropped when the next school starts, so the
		 * hash and the sort only ever hold one school's keys (they fit the
		 * CPU caches; all of a region's did not).
		 */
		if ((r = survey_render(s->c, s->t, s->out, s->e)) != 0)
			return r;
		s->last_si = report_ctx_school_find(s->c, row->school);
		snprintf(s->last_school, sizeof(s->last_school), "%s", row->school);
	}
	if (s->last_si < 0)
		return 0;   /* not a school code: no report shows it */
	return survey_take(s, (size_t)s->last_si, row->form_id, row->key, row->n, row->total,
	    s->e);
}

static int
survey_fact(void *arg, const char *key, double num, struct terr *e)
{
	struct survey_fill *s = arg;

	return survey_take(s, s->school, s->form_id, key, 1, num, e);
}

/* A response read from the store: only while the tally is still to be built. */
static int
survey_rec(struct report_ctx *c, size_t si, const char *fid, const cJSON *d,
    const char *date, const char *hlc, void *arg, struct terr *e)
{
	struct survey_fill *s = arg;
	/* the tally's day: the response's own date, else the day received */
	int64_t day = survey_facts_record_day(d, survey_facts_day(date[0] ? date : NULL));

	(void)c;
	if ((s->has_from || s->has_to) && (day == HUBDB_TALLY_NODAY ||
	    (s->has_from && day < (int64_t)s->from_days) ||
	    (s->has_to && day > (int64_t)s->to_days)))
		return 0;
	s->school = si;
	s->form_id = fid;
	/* in HLC order, so the last director's answer read is the latest */
	return survey_facts_each(fid, d, hlc, NULL, survey_fact, s, e);
}

/* The day of "YYYY-MM-DD" made of year y and md, or of the day before
 * 1 March for a 29 February the year has not. */
static int64_t
survey_day_of(int y, const char *md)
{
	char d[16];
	long days;

	snprintf(d, sizeof(d), "%04d-%.5s", y, md);
	if (form_date_days(d, &days) == 0)
		return days;
	snprintf(d, sizeof(d), "%04d-03-01", y);
	return form_date_days(d, &days) == 0 ? days - 1 : HUBDB_TALLY_NODAY;
}

/* Years of a period with a late window each (a longer period: its first ones). */
#define SURVEY_LATE_YEARS 200

/* State of survey_late_row: where the late responses go. */
struct survey_late_fill {
	struct report_ctx *c;
	struct survey_out *so;
	int y0, y1;                       /* the years of the period */
	int64_t lo, hi;                   /* the year's window (lo > hi: none) */
	struct terr *e;
};

/*
 * The window of late days of year y: after its deadline up to 31 August,
 * within the period; none for a year outside the period's years.
 */
static void
survey_late_year(struct survey_late_fill *l, int y)
{
	struct report_ctx *c = l->c;

	l->lo = survey_day_of(y, l->so->deadline);
	l->hi = survey_day_of(y, SURVEY_YEAR_END);
	if (y < l->y0 || y > l->y1 || y - l->y0 >= SURVEY_LATE_YEARS ||
	    l->lo == HUBDB_TALLY_NODAY || l->hi == HUBDB_TALLY_NODAY) {
		l->lo = 1;
		l->hi = 0;
		return;
	}
	l->lo++;
	if (c->has_from && l->lo < (int64_t)c->from_days)
		l->lo = (int64_t)c->from_days;
	if (c->has_to && l->hi > (int64_t)c->to_days)
		l->hi = (int64_t)c->to_days;
}

/* A school and form's dated responses in one year's late window. */
static int
survey_late_row(void *arg, const struct hubdb_tally_row *row)
{
	struct survey_late_fill *l = arg;
	long si;

	if ((si = report_ctx_school_find(l->c, row->school)) < 0)
		return 0;
	return report_tally_add(&l->so->late, (size_t)si, S_LATE, row->form_id, row->n) ?
	    REPORT_NOMEM(l->e) : 0;
}

/*
 * The dated responses after the deadline, from the tally: for each year of
 * the period, the days after its deadline up to 31 August. Started first
 * (survey_late_start), the store summing them while the passports are
 * read; taken before the main pass (survey_late_all), which forgets each
 * school's counters once rendered.
 */
static int
survey_late_start(struct report_ctx *c, struct survey_out *so, struct hubdb_ahead **late,
    struct terr *e)
{
	struct survey_late_fill l = { c, so, 2015, 2100, 1, 0, e };
	int64_t lo[SURVEY_LATE_YEARS], hi[SURVEY_LATE_YEARS];
	size_t nwin = 0;
	char d[11];

	/* the questionnaires take dates from 2015 (the forms' "min") */
	if (c->has_from) {
		form_date_format(c->from_days, d);
		l.y0 = atoi(d);
	}
	if (c->has_to) {
		form_date_format(c->to_days, d);
		l.y1 = atoi(d);
	} else {
		time_t now = time(NULL);
		struct tm tm;

		l.y1 = gmtime_r(&now, &tm) ? tm.tm_year + 1900 + 1 : 2100;
	}
	/*
	 * The "dated" rows summed by the store over each year's window, a
	 * school's form read only in the windows its days reach: a sum over
	 * the table per year of the period was 14 scans of the whole tally
	 * (2.4 M rows at 150 schools), and the rows handed over day by day a
	 * third of this report at region scale.
	 */
	for (int y = l.y0; y <= l.y1 && y - l.y0 < SURVEY_LATE_YEARS; y++) {
		survey_late_year(&l, y);
		if (l.lo <= l.hi) {
			lo[nwin] = l.lo;
			hi[nwin++] = l.hi;
		}
	}
	return hubdb_tally_key_sums_ahead(c->db, SURVEY_FACTS_PREFIX, c->o->school, "dated", lo,
	    hi, nwin, late, e);
}

static int
survey_late_all(struct report_ctx *c, struct survey_out *so, struct hubdb_ahead *late,
    struct terr *e)
{
	struct survey_late_fill l = { c, so, 0, 0, 1, 0, e };
	int r;

	if ((r = hubdb_ahead_finish(late, survey_late_row, &l, e)) != 0)
		return r;
	return report_tally_sort(&so->late) != 0 ? REPORT_NOMEM(e) : 0;
}

/*
 * The counters of the responses in the period: summed from the tally the
 * hub keeps as records arrive (survey_facts.h); from the records themselves
 * on a store migrated from before the tally, until its first write builds it
 * (a report only reads).
 */
static int
survey_count_all(struct report_ctx *c, struct report_tallies *t, struct survey_out *so,
    struct hubdb_ahead *late, struct terr *e)
{
	struct survey_fill s = { c, t, so, 0, NULL, -1, "", e, false, c->has_from, c->has_to,
	    c->from_days, c->to_days };
	int64_t lo, hi;
	bool stale;
	int r;

	if ((r = hubdb_tally_stale(c->db, SURVEY_FACTS_PREFIX, &stale, e)) != 0)
		return r;
	s.stale = stale;
	if (!stale && (r = survey_late_all(c, so, late, e)) != 0)
		return r;
	/* the records come in HLC order, schools mixed: rendered once, at the end */
	if (stale) {
		/*
		 * A response's day is its own date or, without one, the day
		 * received: no one field the walk could filter by. The walk gets
		 * no period (and hands over the day received); survey_rec
		 * applies it as the tally would.
		 */
		c->has_from = c->has_to = false;
		r = report_ctx_each_record(c, SURVEY_FACTS_PREFIX, true, NULL, NULL, survey_rec,
		    &s, e);
		c->has_from = s.has_from;
		c->has_to = s.has_to;
	} else {
		/* a record without a received day counts only when no period is asked for */
		lo = c->has_from ? (int64_t)c->from_days : c->has_to ?
		    HUBDB_TALLY_NODAY + 1 : HUBDB_TALLY_NODAY;
		hi = c->has_to ? (int64_t)c->to_days : INT64_MAX;
		r = hubdb_tally_each(c->db, SURVEY_FACTS_PREFIX, c->o->school, lo, hi,
		    survey_tally_row, &s, e);
	}
	return r != 0 ? r : survey_render(c, t, so, e);
}

static const struct report_col s_resp_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "group", "", 0, REPORT_COL_JSON_ONLY }, { "group_label", "Группа", 0, 0 },
	{ "responses", "Ответов", 0, 0 },
	{ "base", "Контингент", 0, 0 },
	{ "base_source", "", 0, REPORT_COL_JSON_ONLY },
	{ "base_label", "Контингент: кто", 0, 0 },
	{ "coverage", "Охват, %", 1, 0 },
	{ "dated", "С датой заполнения", 0, 0 },
	{ "late", "Заполнено после срока", 0, 0 },
};
static const struct report_col s_dist_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "group", "", 0, REPORT_COL_JSON_ONLY }, { "group_label", "Группа", 0, 0 },
	{ "question", "", 0, REPORT_COL_JSON_ONLY }, { "question_label", "Вопрос", 0, 0 },
	{ "answer", "", 0, REPORT_COL_JSON_ONLY }, { "answer_label", "Ответ", 0, 0 },
	{ "count", "Число", 0, 0 },
	{ "share", "Доля ответивших, %", 1, 0 },
};
static const struct report_col s_scale_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "group", "", 0, REPORT_COL_JSON_ONLY }, { "group_label", "Группа", 0, 0 },
	{ "question", "", 0, REPORT_COL_JSON_ONLY }, { "question_label", "Вопрос", 0, 0 },
	{ "answered", "Ответили", 0, 0 },
	{ "average", "Среднее", 2, 0 },
};

/* The question's label from its form, else its code. */
static const char *
question_label(struct report_ctx *c, struct survey_memo *m, const char *g, const char *q)
{
	const struct form_field *ff = survey_field(c, m, g, q);

	return ff && ff->label ? ff->label : q;
}

/* The answer's label: да/нет, the choice's label from the form, else the code. */
static const char *
answer_label(struct report_ctx *c, struct survey_memo *m, const char *g, const char *q,
    const char *a)
{
	const struct form_field *ff = survey_field(c, m, g, q);
	const struct form_choice *ch;

	if (strcmp(a, "true") == 0)
		return "да";
	if (strcmp(a, "false") == 0)
		return "нет";
	ch = ff ? form_choice_find(ff, a) : NULL;
	return ch && ch->label ? ch->label : a;
}

/* Splits "a\x1fb\x1fc" in place. */
static void
key_split(char *k, char **g, char **q, char **a)
{
	*g = k;
	*q = *a = NULL;
	if ((k = strchr(k, '\x1f')) != NULL) {
		*k++ = '\0';
		*q = k;
		if ((k = strchr(k, '\x1f')) != NULL) {
			*k++ = '\0';
			*a = k;
		}
	}
}

/*
 * The base of group g's coverage at a school and what it is (its code and
 * label): students of the surveyed grades 4–11 from the passport, all its
 * students when the passport does not give those (an older passport), the
 * families, the teachers by the latest director's answer, the director.
 * -1 when unknown.
 */
static long long
survey_base(const struct report_tallies *t, const struct survey_out *so, size_t school,
    const char *g, const char **code, const char **label)
{
	const struct report_pschool *ps = &so->p->s[school];

	*code = *label = NULL;
	if (ps->has && strcmp(g, "survey_student") == 0) {
		if (ps->has_4_11) {
			*code = "students_4_11";
			*label = "обучающиеся 4–11 классов (паспорт)";
			return ps->students_4_11;
		}
		*code = "students_total";
		*label = "все обучающиеся: в паспорте нет числа 4–11 классов";
		return ps->students;
	}
	if (ps->has && strcmp(g, "survey_parent") == 0) {
		*code = "families_total";
		*label = "семьи (паспорт)";
		return ps->n[report_passport_category("families_total")];
	}
	if (strcmp(g, "survey_director") == 0) {
		*code = "director";
		*label = "директор";
		return 1;
	}
	if (strcmp(g, "survey_teacher") == 0) {
		long long n = survey_staff(t, school);

		if (n >= 0) {
			*code = "teachers_total";
			*label = "учителя (анкета директора)";
		}
		return n;
	}
	return -1;
}

/* The responses row of group g at x's school. */
static int
survey_resp_row(struct report_ctx *c, struct report_tallies *t, struct survey_out *so,
    const struct report_tally *x, const char *g, struct terr *e)
{
	const struct report_tally *y;
	const char *code, *label;
	long long base = survey_base(t, so, x->school, g, &code, &label);
	long row;

	if ((row = report_ctx_school_row(so->sr, c, x->school, e)) < 0)
		return TERR_NOMEM;
	if (report_model_str(so->sr, row, 2, g) ||
	    report_model_str(so->sr, row, 3, report_labels_of(report_labels_group, g)))
		return REPORT_NOMEM(e);
	report_model_int(so->sr, row, 4, x->n);
	if (base >= 0) {
		report_model_int(so->sr, row, 5, base);
		if (report_model_str(so->sr, row, 6, code) ||
		    report_model_str(so->sr, row, 7, label))
			return REPORT_NOMEM(e);
		if (base > 0)
			report_model_num(so->sr, row, 8, report_model_pct(x->n, base));
	}
	y = report_tally_find(t, x->school, S_DATED, g);
	report_model_int(so->sr, row, 9, y ? y->n : 0);
	y = report_tally_find(&so->late, x->school, S_LATE, g);
	report_model_int(so->sr, row, 10, y ? y->n : 0);
	return 0;
}

/*
 * Renders the counters in t (one school's, or all of them) school by
 * school, group by group, and empties t.
 */
static int
survey_render(struct report_ctx *c, struct report_tallies *t, struct survey_out *so,
    struct terr *e)
{
	int r;

	if (t->n == 0)
		return 0;
	/* school by school, group by group; the latest director's answer last */
	if (report_tally_sort(t) != 0)
		goto nomem;
	for (size_t i = 0; i < t->n; i++) {
		struct report_tally *x = &t->v[i];
		char key[sizeof(x->code)], *g, *q, *a;
		long row;

		if (!report_ctx_school_shown(c, x->school))
			continue;
		memcpy(key, x->code, sizeof(key));
		key_split(key, &g, &q, &a);
		if (x->dim == S_QANS || x->dim == S_STAFF || x->dim == S_DATED)
			continue;
		if (x->dim == S_RESP) {
			if ((r = survey_resp_row(c, t, so, x, g, e)) != 0)
				goto out;
			continue;
		}
		if (x->dim == S_DIST) {
			char qk[sizeof(x->code)];
			struct report_tally *qa;

			if (survey_key(qk, sizeof(qk), g, q, NULL) != 0 ||
			    (qa = report_tally_find(t, x->school, S_QANS, qk)) == NULL)
				continue;   /* cannot happen: an answer implies its question */
			if ((row = report_ctx_school_row(so->sd, c, x->school, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			if (report_model_str(so->sd, row, 2, g) ||
			    report_model_str(so->sd, row, 3, report_labels_of(report_labels_group, g)) ||
			    report_model_str(so->sd, row, 4, q) ||
			    report_model_str(so->sd, row, 5, question_label(c, &so->memo, g, q)) ||
			    report_model_str(so->sd, row, 6, a) ||
			    report_model_str(so->sd, row, 7, answer_label(c, &so->memo, g, q, a)))
				goto nomem;
			report_model_int(so->sd, row, 8, x->n);
			report_model_num(so->sd, row, 9, report_model_pct(x->n, qa->n));
			continue;
		}
		if ((row = report_ctx_school_row(so->sv, c, x->school, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (report_model_str(so->sv, row, 2, g) ||
		    report_model_str(so->sv, row, 3, report_labels_of(report_labels_group, g)) ||
		    report_model_str(so->sv, row, 4, q) ||
		    report_model_str(so->sv, row, 5, question_label(c, &so->memo, g, q)))
			goto nomem;
		report_model_int(so->sv, row, 6, x->n);
		report_model_num(so->sv, row, 7, x->n > 0 ? x->sum / (double)x->n : 0);
	}
	report_tally_reset(t);
	return 0;
 nomem:
	r = REPORT_NOMEM(e);
 out:
	return r;
}

int
report_surveys_run(struct report_ctx *c, struct report_out *o, struct terr *e)
{
	struct report_tallies t = { 0 };
	struct report_passport p = { 0 };
	struct report_settings set;
	struct survey_out so;
	struct hubdb_ahead *late = NULL;
	int r;

	o->title = "Анкетирование: ответы, распределения, средние по шкалам";
	so.sr = report_model_sect(o, "responses", "Ответы по школам и группам", s_resp_cols,
	    REPORT_NCOLS(s_resp_cols));
	so.sd = report_model_sect(o, "distribution", "Распределение ответов", s_dist_cols,
	    REPORT_NCOLS(s_dist_cols));
	so.sv = report_model_sect(o, "scales", "Средние по шкалам и числовым вопросам "
	    "(без «затрудняюсь ответить»)", s_scale_cols, REPORT_NCOLS(s_scale_cols));
	so.p = &p;
	so.memo.ok = false;
	memset(&so.late, 0, sizeof(so.late));
	if ((r = report_settings_load(c->db, &set, e)) != 0)
		goto out;
	memcpy(so.deadline, set.surveys_deadline, sizeof(so.deadline));
	report_model_meta(o, "surveys.deadline", "Срок анкетирования (ММ-ДД; позже — до 31.08 "
	    "того же года — «после срока»)", false, so.deadline);
	if ((r = survey_late_start(c, &so, &late, e)) != 0)
		goto out;
	/* Coverage: students and families from the latest passport. */
	if ((r = report_passport_build_students(c, &p, e)) != 0)
		goto out;
	r = survey_count_all(c, &t, &so, late, e);
 out:
	hubdb_ahead_free(late);
	report_passport_free(&p);
	report_tally_free(&so.late);
	report_tally_free(&t);
	return r;
}
