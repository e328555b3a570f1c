/*
 * report_identification — which schools need support: each school's social
 * status (report_passport) against the level of its imported results
 * (ВПР/ОГЭ: participants below the minimum level over all participants,
 * pooled; a percent-only import combined as the settings say, and marked),
 * NOR/NSU flags and the cluster (docs/reports.md, «identification»).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/results.h"
#include "report_identification.h"
#include "report_passport.h"
#include "report_settings.h"

static const char *const subject_indicators[] = {
	"vpr4_rus", "vpr4_math", "oge9_rus", "oge9_math",
};

#define N_SUBJECTS REPORT_NCOLS(subject_indicators)

/* One school's latest year of results, as the store hands it over. */
struct sresult {
	int year;                        /* 0 = none */
	double low_share;                /* imported combined share, if any */
	bool has_low_share;
	bool has[N_SUBJECTS];            /* the subject's percent */
	double pct[N_SUBJECTS];
	double participants[N_SUBJECTS], below[N_SUBJECTS];   /* -1: not given */
};

/* How a school's share was made (the report's low_share_basis). */
enum share_basis { BASIS_NONE, BASIS_COUNTS, BASIS_PERCENT, BASIS_IMPORTED };

static const char *const basis_code[] = { NULL, "counts", "percent", "imported" };
static const char *const basis_label[] = {
	NULL, "по числу участников", "по процентам, без числа участников",
	"общая доля из импорта",
};

/* State of load_results while the store hands it rows. */
struct results_loader {
	struct report_ctx *c;
	struct sresult *res;
};

static int
load_results_row(void *arg, const struct hubdb_result *row)
{
	struct results_loader *ld = arg;
	long si = report_ctx_school_find(ld->c, row->school);
	struct sresult *x;

	if (si < 0)
		return 0;
	x = &ld->res[si];
	if (x->year == 0) {
		x->year = row->year;
		for (size_t k = 0; k < N_SUBJECTS; k++)
			x->participants[k] = x->below[k] = -1;
	}
	if (x->year != row->year)
		return 0;
	if (strcmp(row->indicator, "low_share") == 0) {
		x->low_share = row->value;
		x->has_low_share = true;
		return 0;
	}
	for (size_t k = 0; k < N_SUBJECTS; k++) {
		size_t n = strlen(subject_indicators[k]);
		const char *rest = row->indicator + n;

		if (strncmp(row->indicator, subject_indicators[k], n) != 0)
			continue;
		if (*rest == '\0') {
			x->has[k] = true;
			x->pct[k] = row->value;
		} else if (strcmp(rest, RESULTS_SUFFIX_PARTICIPANTS) == 0) {
			x->participants[k] = row->value;
		} else if (strcmp(rest, RESULTS_SUFFIX_BELOW) == 0) {
			x->below[k] = row->value;
		}
	}
	return 0;
}

/*
 * The school's share of low results. The programme's share is over all
 * participants: with every subject's counts, Σ below / Σ participants
 * (pooled; `max` takes the worst subject's own share instead). When a
 * subject has only its percent, nothing can be pooled: the percents are
 * combined (mean or max) and the basis says so. An imported low_share wins.
 */
static enum share_basis
school_share(const struct sresult *x, const struct report_settings *set, double *low,
    double *participants, double *below)
{
	double sp = 0, sb = 0, sum = 0, max = 0;
	bool all_counts = true;
	int n = 0;

	*participants = *below = -1;
	if (x->year == 0)
		return BASIS_NONE;
	if (x->has_low_share) {
		*low = x->low_share;
		return BASIS_IMPORTED;
	}
	for (size_t k = 0; k < N_SUBJECTS; k++) {
		if (!x->has[k])
			continue;
		if (x->participants[k] > 0 && x->below[k] >= 0) {
			sp += x->participants[k];
			sb += x->below[k];
		} else {
			all_counts = false;
		}
		sum += x->pct[k];
		if (n == 0 || x->pct[k] > max)
			max = x->pct[k];
		n++;
	}
	if (n == 0)
		return BASIS_NONE;
	if (all_counts) {
		*participants = sp;
		*below = sb;
		*low = set->combine_max ? max : 100.0 * sb / sp;
		return BASIS_COUNTS;
	}
	*low = set->combine_max ? max : sum / n;
	return BASIS_PERCENT;
}

/* Rows come latest year first: a school's latest year wins. */
static int
load_results(struct report_ctx *c, struct sresult *res, struct terr *e)
{
	struct results_loader ld = { c, res };

	return hubdb_results_each(c->db, HUBDB_RESULTS_LOW, c->from_year, c->to_year,
	    load_results_row, &ld, e);
}

static const struct report_col i_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "isbsh", "ИСБШ", 1, 0 },
	{ "isbsh_scale", "", 0, REPORT_COL_JSON_ONLY },
	{ "isbsh_scale_label", "Шкала ИСБШ", 0, 0 },
	{ "status", "", 0, REPORT_COL_JSON_ONLY },
	{ "status_label", "Социальный статус", 0, 0 },
	{ "results_year", "Год результатов", 0, 0 },
	{ "participants", "Участников", 0, 0 },
	{ "below", "Ниже минимального уровня", 0, 0 },
	{ "low_share", "Доля низких результатов, %", 1, 0 },
	{ "low_share_basis", "", 0, REPORT_COL_JSON_ONLY },
	{ "low_share_basis_label", "Как получена доля", 0, 0 },
	{ "level", "", 0, REPORT_COL_JSON_ONLY },
	{ "level_label", "Уровень результатов", 0, 0 },
	{ "nor", "НОР", 0, 0 },
	{ "nsu", "НСУ", 0, 0 },
	{ "cluster", "", 0, REPORT_COL_JSON_ONLY },
	{ "cluster_label", "Кластер", 0, 0 },
};

int
report_identification_run(struct report_ctx *c, struct report_out *o, struct terr *e)
{
	struct report_passport p = { 0 };
	struct sresult *res = NULL;
	struct report_settings set;
	struct report_sect *s;
	int r;

	o->title = "Выявление школ: социальный статус × уровень результатов";
	if ((r = report_settings_load(c->db, &set, e)) != 0)
		goto out;
	report_settings_meta_identification(o, &set);
	report_model_meta(o, "isbsh_method", "Метод ИСБШ по умолчанию", false,
	    REPORT_ISBSH_METHOD);
	report_settings_meta_isbsh(o, &set);
	s = report_model_sect(o, "schools", "Школы", i_cols, REPORT_NCOLS(i_cols));
	if ((r = report_passport_build(c, &p, e)) != 0)
		goto out;
	if ((res = calloc(c->nschools + 1, sizeof(*res))) == NULL) {
		r = REPORT_NOMEM(e);
		goto out;
	}
	if ((r = load_results(c, res, e)) != 0)
		goto out;
	for (size_t i = 0; i < c->nschools; i++) {
		const struct sresult *x = &res[i];
		const char *status = NULL, *level = NULL, *cluster = NULL;
		double v, low = 0, part, below;
		enum share_basis basis;
		long row;

		if (!report_ctx_school_shown(c, i))
			continue;
		if ((row = report_ctx_school_row(s, c, i, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (report_passport_index(&p.s[i], &v)) {
			enum report_isbsh_scale k = report_passport_scale(&p.s[i]);

			report_model_num(s, row, 2, v);
			if (report_model_str(s, row, 3, report_passport_scale_code(k)) ||
			    report_model_str(s, row, 4, report_passport_scale_label(k)))
				goto nomem;
			status = report_passport_status(&p.s[i], &set);
		}
		if (x->year)
			report_model_int(s, row, 7, x->year);
		if ((basis = school_share(x, &set, &low, &part, &below)) != BASIS_NONE) {
			bool is_low = set.low_strict ? low > set.low_threshold :
			    low >= set.low_threshold;

			if (part > 0) {
				report_model_int(s, row, 8, (long long)part);
				report_model_int(s, row, 9, (long long)below);
			}
			report_model_num(s, row, 10, low);
			if (report_model_str(s, row, 11, basis_code[basis]) ||
			    report_model_str(s, row, 12, basis_label[basis]))
				goto nomem;
			level = is_low ? "low" : low < set.high_threshold ? "high" :
			    "medium";
		}
		/* Low results decide alone; otherwise status and level together. */
		if (level && strcmp(level, "low") == 0)
			cluster = "crisis";
		else if (level && status)
			cluster = strcmp(status, "favourable") == 0 ? "none" :
			    strcmp(level, "high") == 0 ? "resilient" : "risk_zone";
		if (status && (report_model_str(s, row, 5, status) ||
		    report_model_str(s, row, 6, report_labels_of(report_labels_status, status))))
			goto nomem;
		if (level && (report_model_str(s, row, 13, level) ||
		    report_model_str(s, row, 14, report_labels_of(report_labels_level, level)) ||
		    report_model_str(s, row, 15, strcmp(level, "low") == 0 ? "да" : "нет")))
			goto nomem;
		if (status && report_model_str(s, row, 16, strcmp(status, "unfavourable") == 0 ?
		    "да" : "нет"))
			goto nomem;
		if (report_model_str(s, row, 17, cluster) ||
		    report_model_str(s, row, 18, cluster ?
		    report_labels_of(report_labels_cluster, cluster) :
		    "нет данных"))
			goto nomem;
	}
	r = 0;
	goto out;
 nomem:
	r = REPORT_NOMEM(e);
 out:
	free(res);
	report_passport_free(&p);
	return r;
}

