/*
 * report_verification — the verification report (see report_verification.h).
 * Risk factor and decision labels come from the risk_visit form and its
 * risk_factors dictionary; the issued levels from the imported profile
 * (report_calendar.h), else from the visit's own profile_level.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/riskprofile.h"
#include "report_calendar.h"
#include "report_settings.h"
#include "report_tally.h"
#include "report_verification.h"

enum { V_DEC = 0, V_VISIT = 1, V_VERIF = 2, V_LEVEL = 3 };

/* Decisions across visits per factor and issued level (index RISKPROFILE_LEVELS: none). */
struct v_issued {
	char factor[REPORT_LABELS_CODE_MAX + 1];
	int level;
	long long n[3];
};

/* What verification_rec fills. */
struct v_state {
	struct report_tallies t;
	const struct report_calendar *cal;
	struct v_issued *iss;
	size_t niss, cap;
};

/* The project year of a visit: its project_year, else the year of its date. */
static int
verification_year(const cJSON *d, const char *date)
{
	const cJSON *py = cJSON_GetObjectItemCaseSensitive(d, "project_year");

	return cJSON_IsNumber(py) && py->valuedouble >= 2000 && py->valuedouble <= 2100 ?
	    (int)py->valuedouble : atoi(date);
}

static int
decision_index(const char *dec)
{
	return strcmp(dec, "confirmed") == 0 ? 0 : strcmp(dec, "not_confirmed") == 0 ? 1 :
	    strcmp(dec, "needs_clarification") == 0 ? 2 : -1;
}

/* Counts one visit's decision on a factor under the factor's issued level. */
static int
verification_issued(struct v_state *st, const char *f, const char *level, const char *dec)
{
	int li = level ? riskprofile_level_index(level) : -1, di = decision_index(dec);
	size_t i;

	if (di < 0)
		return 0;
	if (li < 0)
		li = RISKPROFILE_LEVELS;
	for (i = 0; i < st->niss; i++)
		if (st->iss[i].level == li && strcmp(st->iss[i].factor, f) == 0)
			break;
	if (i == st->niss) {
		if (st->niss == st->cap) {
			size_t cap = st->cap ? st->cap * 2 : 32;
			struct v_issued *n = realloc(st->iss, cap * sizeof(*n));

			if (n == NULL)
				return TERR_NOMEM;
			st->iss = n;
			st->cap = cap;
		}
		memset(&st->iss[i], 0, sizeof(st->iss[i]));
		snprintf(st->iss[i].factor, sizeof(st->iss[i].factor), "%s", f);
		st->iss[i].level = li;
		st->niss++;
	}
	st->iss[i].n[di]++;
	return 0;
}

/* The issued level of factor f (of visit factor it) at school si in year. */
static const char *
verification_level(const struct v_state *st, size_t si, int year, const char *f,
    const cJSON *it)
{
	const char *own = report_ctx_jcode(it, "profile_level");
	const char *level = report_calendar_level(st->cal, si, year, f);

	/* the imported profile is the issued one; a level the visit carries fills in */
	if (level == NULL && own != NULL && riskprofile_level_index(own) >= 0)
		level = own;
	return level;
}

static int
verification_rec(struct report_ctx *c, size_t si, const char *fid, const cJSON *d,
    const char *date, const char *hlc, void *arg, struct terr *e)
{
	struct v_state *st = arg;
	struct report_tallies *t = &st->t;
	const cJSON *factors = cJSON_GetObjectItemCaseSensitive(d, "factors"), *it;
	struct report_tally *v;
	const char *vt;
	int year = verification_year(d, date);

	(void)fid;
	(void)hlc;
	/*
	 * Another school's visit than --school's counts only in the issued
	 * table, which is of every visit: its counters would never be shown
	 * (a school's page reads the region's visits for that table alone).
	 */
	if (!report_ctx_school_shown(c, si)) {
		cJSON_ArrayForEach(it, factors) {
			const char *f = report_ctx_jcode(it, "factor");
			const char *dec = report_ctx_jcode(it, "decision");

			if (f != NULL && dec != NULL &&
			    verification_issued(st, f, verification_level(st, si, year, f, it),
			    dec) != 0)
				return REPORT_NOMEM(e);
		}
		return 0;
	}
	if ((v = report_tally_get(t, si, V_VISIT, "visits")) == NULL)
		return REPORT_NOMEM(e);
	v->n++;
	if (strcmp(date, v->date) > 0)
		memcpy(v->date, date, 11);
	/* the first verification visit, against the deadline of its project year */
	vt = report_ctx_jcode(d, "visit_type");
	if (vt && strcmp(vt, "verification") == 0 && date[0]) {
		if ((v = report_tally_get(t, si, V_VERIF, "first")) == NULL)
			return REPORT_NOMEM(e);
		if (v->date[0] == '\0' || strcmp(date, v->date) < 0) {
			memcpy(v->date, date, 11);
			v->n = year;
		}
	}
	/* the factors' counters, loaded together (report_tally_prefetch) */
	cJSON_ArrayForEach(it, factors) {
		const char *f = report_ctx_jcode(it, "factor");

		if (f != NULL) {
			report_tally_prefetch(t, si, V_DEC, f);
			report_tally_prefetch(t, si, V_LEVEL, f);
		}
	}
	cJSON_ArrayForEach(it, factors) {
		const char *f = report_ctx_jcode(it, "factor"), *dec = report_ctx_jcode(it, "decision");
		const char *level;
		struct report_tally *x, *l;

		if (f == NULL || dec == NULL)
			continue;
		level = verification_level(st, si, year, f, it);
		if (verification_issued(st, f, level, dec) != 0)
			return REPORT_NOMEM(e);
		if ((x = report_tally_get(t, si, V_DEC, f)) == NULL)
			return REPORT_NOMEM(e);
		/* The latest visit decides; same day: the later record (HLC order). */
		if (x->date[0] == '\0' || strcmp(date, x->date) >= 0) {
			snprintf(x->val, sizeof(x->val), "%s", dec);
			memcpy(x->date, date, 11);
			x->n = year;
			if ((l = report_tally_get(t, si, V_LEVEL, f)) == NULL)
				return REPORT_NOMEM(e);
			snprintf(l->val, sizeof(l->val), "%s", level ? level : "");
		}
	}
	return 0;
}

/* What verification_rec reads of a visit: not its comments and evidence. */
static const struct report_pick v_factor_pick[] = {
	{ "factor", NULL }, { "decision", NULL }, { "profile_level", NULL }, { NULL, NULL },
};
static const struct report_pick v_pick[] = {
	{ "visit_date", NULL }, { "visit_type", NULL }, { "project_year", NULL },
	{ "factors", v_factor_pick }, { NULL, NULL },
};

struct vsum {
	char code[REPORT_TALLY_CODE_MAX + 1];
	long long n[3];
};

static int
vsum_cmp(const void *a, const void *b)
{
	const struct vsum *x = a, *y = b;

	if (x->n[0] != y->n[0])
		return x->n[0] > y->n[0] ? -1 : 1;
	return strcmp(x->code, y->code);
}

static const struct report_col v_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "factor", "Фактор", 0, 0 }, { "factor_label", "Фактор риска", 0, 0 },
	{ "decision", "", 0, REPORT_COL_JSON_ONLY },
	{ "decision_label", "Решение куратора", 0, 0 },
	{ "visit_date", "Дата визита", 0, 0 },
	{ "project_year", "Год проекта", 0, 0 },
	{ "profile_level", "", 0, REPORT_COL_JSON_ONLY },
	{ "profile_level_label", "Уровень в РПШ", 0, 0 },
	{ "agrees", "Совпадает с РПШ", 0, 0 },
};
static const struct report_col v_visit_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "visits", "Визитов", 0, 0 }, { "last_visit", "Последний визит", 0, 0 },
	{ "verification_visit", "Верификация РПШ", 0, 0 },
	{ "deadline", "Срок", 0, 0 },
	{ "in_time", "В срок", 0, 0 },
};
static const struct report_col v_not_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
};
static const struct report_col v_sum_cols[] = {
	{ "factor", "Фактор", 0, 0 }, { "factor_label", "Фактор риска", 0, 0 },
	{ "confirmed", "Подтверждён", 0, 0 },
	{ "not_confirmed", "Не подтверждён", 0, 0 },
	{ "needs_clarification", "Требует уточнения", 0, 0 },
	{ "schools", "Школ с решением", 0, 0 },
};
static const struct report_col v_iss_cols[] = {
	{ "factor", "Фактор", 0, 0 }, { "factor_label", "Фактор риска", 0, 0 },
	{ "profile_level", "", 0, REPORT_COL_JSON_ONLY },
	{ "profile_level_label", "Уровень в РПШ", 0, 0 },
	{ "confirmed", "Подтверждён", 0, 0 },
	{ "not_confirmed", "Не подтверждён", 0, 0 },
	{ "needs_clarification", "Требует уточнения", 0, 0 },
	{ "decisions", "Решений", 0, 0 },
	{ "confirmed_share", "Подтверждено, %", 1, 0 },
};

static int
v_issued_cmp(const void *a, const void *b)
{
	const struct v_issued *x = a, *y = b;
	int c = strcmp(x->factor, y->factor);

	return c ? c : x->level - y->level;
}

/*
 * Whether the curator's decision agrees with the issued level: a factor
 * issued at high or medium risk agrees when confirmed, one issued low or
 * not found when not confirmed; «требует уточнения» or no level: no answer.
 */
static const char *
v_agrees(const char *level, const char *dec)
{
	int li = level && level[0] ? riskprofile_level_index(level) : -1;

	if (li < 0 || strcmp(dec, "needs_clarification") == 0)
		return NULL;
	if (li <= 1)
		return strcmp(dec, "confirmed") == 0 ? "да" : "нет";
	return strcmp(dec, "not_confirmed") == 0 ? "да" : "нет";
}

int
report_verification_run(struct report_ctx *c, struct report_out *o, struct terr *e)
{
	struct v_state st;
	struct report_calendar cal;
	struct vsum *sum = NULL;
	size_t nsum = 0;
	struct report_sect *sf, *sv, *sn, *ss, *si;
	struct report_settings set;
	struct report_tally *y;
	int r;

	memset(&st, 0, sizeof(st));
	memset(&cal, 0, sizeof(cal));
	st.cal = &cal;

	o->title = "Верификация рисковых профилей школ";
	if ((r = report_settings_load(c->db, &set, e)) != 0)
		return r;
	report_model_meta(o, "verification.deadline", "Срок верификационного визита (ММ-ДД)",
	    false, set.deadline);
	if ((r = report_calendar_load(&cal, c, true, e)) != 0)
		goto out;
	report_calendar_meta(&cal, o);
	sf = report_model_sect(o, "factors", "Решения куратора по факторам риска (последний "
	    "визит)", v_cols, REPORT_NCOLS(v_cols));
	sv = report_model_sect(o, "visits", "Визиты по школам", v_visit_cols,
	    REPORT_NCOLS(v_visit_cols));
	sn = report_model_sect(o, "not_visited", "Школы без визита за период", v_not_cols,
	    REPORT_NCOLS(v_not_cols));
	ss = report_model_sect(o, "summary", "Факторы по муниципалитету (чаще всего "
	    "подтверждаемые — сверху)", v_sum_cols, REPORT_NCOLS(v_sum_cols));
	si = report_model_sect(o, "issued", "Выданный РПШ и решения кураторов (все визиты "
	    "периода)", v_iss_cols, REPORT_NCOLS(v_iss_cols));
	if ((r = report_ctx_each_record(c, "risk_visit", false, "visit_date", v_pick,
	    verification_rec, &st, e)) != 0)
		goto out;
	if (report_tally_sort(&st.t) != 0) {
		r = REPORT_NOMEM(e);
		goto out;
	}
	if ((sum = calloc(st.t.n + 1, sizeof(*sum))) == NULL) {
		r = REPORT_NOMEM(e);
		goto out;
	}
	for (size_t i = 0; i < st.t.n; i++) {
		struct report_tally *x = &st.t.v[i];
		long row;
		size_t k;

		if (!report_ctx_school_shown(c, x->school))
			continue;
		if (x->dim == V_VISIT) {
			if ((row = report_ctx_school_row(sv, c, x->school, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			report_model_int(sv, row, 2, x->n);
			if ((r = report_model_str(sv, row, 3, x->date[0] ? x->date : NULL)) != 0)
				goto nomem;
			if ((y = report_tally_find(&st.t, x->school, V_VERIF, "first")) != NULL) {
				char dl[11];

				report_settings_deadline(&set, "verification", (int)y->n, dl);
				if (report_model_str(sv, row, 4, y->date) ||
				    report_model_str(sv, row, 5, dl) ||
				    report_model_str(sv, row, 6,
				    strcmp(y->date, dl) <= 0 ? "да" : "нет"))
					goto nomem;
			}
			continue;
		}
		if (x->dim == V_VERIF || x->dim == V_LEVEL)
			continue;
		if ((row = report_ctx_school_row(sf, c, x->school, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (report_model_str(sf, row, 2, x->code) || report_model_str(sf, row, 3,
		    report_labels_choice(c->labels, "risk_visit", "factors.factor",
		    x->code)) ||
		    report_model_str(sf, row, 4, x->val) ||
		    report_model_str(sf, row, 5, report_labels_choice(c->labels, "risk_visit",
		    "factors.decision", x->val)) ||
		    report_model_str(sf, row, 6, x->date[0] ? x->date : NULL))
			goto nomem;
		if (x->n >= 2000)   /* a visit without a date or project year has none */
			report_model_int(sf, row, 7, x->n);
		if ((y = report_tally_find(&st.t, x->school, V_LEVEL, x->code)) != NULL &&
		    y->val[0] && (report_model_str(sf, row, 8, y->val) ||
		    report_model_str(sf, row, 9, riskprofile_level_label(y->val)) ||
		    report_model_str(sf, row, 10, v_agrees(y->val, x->val))))
			goto nomem;
		for (k = 0; k < nsum; k++)
			if (strcmp(sum[k].code, x->code) == 0)
				break;
		if (k == nsum)
			snprintf(sum[nsum++].code, sizeof(sum[0].code), "%s", x->code);
		if (strcmp(x->val, "confirmed") == 0)
			sum[k].n[0]++;
		else if (strcmp(x->val, "not_confirmed") == 0)
			sum[k].n[1]++;
		else if (strcmp(x->val, "needs_clarification") == 0)
			sum[k].n[2]++;
	}
	for (size_t i = 0; i < c->nschools; i++) {
		long row;

		if (!report_ctx_school_shown(c, i))
			continue;
		if (report_tally_find(&st.t, i, V_VISIT, "visits") != NULL)
			continue;
		/* programme schools only, once any programme is known (report_calendar_meta) */
		if (cal.any_programmes && !report_calendar_in_period(&cal, c, i))
			continue;
		if ((row = report_ctx_school_row(sn, c, i, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
	}
	if (nsum > 1)   /* qsort wants a non-NULL array even for none */
		qsort(sum, nsum, sizeof(*sum), vsum_cmp);
	for (size_t k = 0; k < nsum; k++) {
		long row = report_model_row(ss);

		if (row < 0 || report_model_str(ss, row, 0, sum[k].code) ||
		    report_model_str(ss, row, 1, report_labels_choice(c->labels, "risk_visit",
		    "factors.factor", sum[k].code)))
			goto nomem;
		report_model_int(ss, row, 2, sum[k].n[0]);
		report_model_int(ss, row, 3, sum[k].n[1]);
		report_model_int(ss, row, 4, sum[k].n[2]);
		report_model_int(ss, row, 5, sum[k].n[0] + sum[k].n[1] + sum[k].n[2]);
	}
	if (st.niss > 1)
		qsort(st.iss, st.niss, sizeof(*st.iss), v_issued_cmp);
	for (size_t k = 0; k < st.niss; k++) {
		const struct v_issued *w = &st.iss[k];
		const char *lv = riskprofile_level_at((size_t)w->level);
		long long all = w->n[0] + w->n[1] + w->n[2];
		long row = report_model_row(si);

		if (row < 0 || report_model_str(si, row, 0, w->factor) ||
		    report_model_str(si, row, 1, report_labels_choice(c->labels, "risk_visit",
		    "factors.factor", w->factor)) ||
		    report_model_str(si, row, 2, lv) ||
		    report_model_str(si, row, 3, lv ? riskprofile_level_label(lv) : "нет в РПШ"))
			goto nomem;
		report_model_int(si, row, 4, w->n[0]);
		report_model_int(si, row, 5, w->n[1]);
		report_model_int(si, row, 6, w->n[2]);
		report_model_int(si, row, 7, all);
		report_model_num(si, row, 8, report_model_pct(w->n[0], all));
	}
	r = 0;
	goto out;
 nomem:
	r = REPORT_NOMEM(e);
 out:
	free(sum);
	free(st.iss);
	report_calendar_clear(&cal);
	report_tally_free(&st.t);
	return r;
}

