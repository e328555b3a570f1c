/*
 * report_verification — the verification report (see report_verification.h).
 * Risk factor and decision labels come from the risk_visit form and its
 * risk_factors dictionary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_settings.h"
#include "report_tally.h"
#include "report_verification.h"

enum { V_DEC = 0, V_VISIT = 1, V_VERIF = 2 };

static int
verification_rec(struct report_ctx *c, size_t si, const char *fid, const cJSON *d,
    const char *date, const char *hlc, void *arg, struct terr *e)
{
	struct report_tallies *t = arg;
	const cJSON *factors = cJSON_GetObjectItemCaseSensitive(d, "factors"), *it;
	struct report_tally *v;
	const char *vt;

	(void)c;
	(void)fid;
	(void)hlc;
	if ((v = report_tally_get(t, si, V_VISIT, "visits")) == NULL)
		return REPORT_NOMEM(e);
	v->n++;
	if (strcmp(date, v->date) > 0)
		memcpy(v->date, date, 11);
	/* the first verification visit, against the deadline of its project year */
	vt = report_ctx_jcode(d, "visit_type");
	if (vt && strcmp(vt, "verification") == 0 && date[0]) {
		const cJSON *py = cJSON_GetObjectItemCaseSensitive(d, "project_year");

		if ((v = report_tally_get(t, si, V_VERIF, "first")) == NULL)
			return REPORT_NOMEM(e);
		if (v->date[0] == '\0' || strcmp(date, v->date) < 0) {
			memcpy(v->date, date, 11);
			v->n = cJSON_IsNumber(py) && py->valuedouble >= 2000 &&
			    py->valuedouble <= 2100 ? (long long)py->valuedouble :
			    atoi(date);
		}
	}
	cJSON_ArrayForEach(it, factors) {
		const char *f = report_ctx_jcode(it, "factor"), *dec = report_ctx_jcode(it, "decision");
		struct report_tally *x;

		if (f == NULL || dec == NULL)
			continue;
		if ((x = report_tally_get(t, si, V_DEC, f)) == NULL)
			return REPORT_NOMEM(e);
		/* The latest visit decides; same day: the later record (HLC order). */
		if (x->date[0] == '\0' || strcmp(date, x->date) >= 0) {
			snprintf(x->val, sizeof(x->val), "%s", dec);
			memcpy(x->date, date, 11);
		}
	}
	return 0;
}

/* What verification_rec reads of a visit: not its comments and evidence. */
static const struct report_pick v_factor_pick[] = {
	{ "factor", NULL }, { "decision", NULL }, { NULL, NULL },
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

int
report_verification_run(struct report_ctx *c, struct report_out *o, struct terr *e)
{
	struct report_tallies t = { 0 };
	struct vsum *sum = NULL;
	size_t nsum = 0;
	struct report_sect *sf, *sv, *sn, *ss;
	struct report_settings set;
	struct report_tally *y;
	int r;

	o->title = "Верификация рисковых профилей школ";
	if ((r = report_settings_load(c->db, &set, e)) != 0)
		return r;
	report_model_meta(o, "verification.deadline", "Срок верификационного визита (ММ-ДД)",
	    false, set.deadline);
	sf = report_model_sect(o, "factors", "Решения куратора по факторам риска (последний "
	    "визит)", v_cols, REPORT_NCOLS(v_cols));
	sv = report_model_sect(o, "visits", "Визиты по школам", v_visit_cols,
	    REPORT_NCOLS(v_visit_cols));
	sn = report_model_sect(o, "not_visited", "Школы без визита за период", v_not_cols,
	    REPORT_NCOLS(v_not_cols));
	ss = report_model_sect(o, "summary", "Факторы по муниципалитету (чаще всего "
	    "подтверждаемые — сверху)", v_sum_cols, REPORT_NCOLS(v_sum_cols));
	if ((r = report_ctx_each_record(c, "risk_visit", false, "visit_date", v_pick,
	    verification_rec, &t, e)) != 0)
		goto out;
	if (report_tally_sort(&t) != 0) {
		r = REPORT_NOMEM(e);
		goto out;
	}
	if ((sum = calloc(t.n + 1, sizeof(*sum))) == NULL) {
		r = REPORT_NOMEM(e);
		goto out;
	}
	for (size_t i = 0; i < t.n; i++) {
		struct report_tally *x = &t.v[i];
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
			if ((y = report_tally_find(&t, x->school, V_VERIF, "first")) != NULL) {
				char dl[16];

				snprintf(dl, sizeof(dl), "%04lld-%s", y->n % 10000, set.deadline);
				if (report_model_str(sv, row, 4, y->date) ||
				    report_model_str(sv, row, 5, dl) ||
				    report_model_str(sv, row, 6,
				    strcmp(y->date, dl) <= 0 ? "да" : "нет"))
					goto nomem;
			}
			continue;
		}
		if (x->dim == V_VERIF)
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
		if (report_tally_find(&t, i, V_VISIT, "visits") != NULL)
			continue;
		if ((row = report_ctx_school_row(sn, c, i, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
	}
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
	r = 0;
	goto out;
 nomem:
	r = REPORT_NOMEM(e);
 out:
	free(sum);
	report_tally_free(&t);
	return r;
}

