/*
 * report_identification — which schools need support: each school's social
 * status (report_passport) against the level of its imported results
 * (ВПР/ОГЭ shares of low results, combined as the settings say), NOR/NSU
 * flags and the cluster (docs/reports.md, «identification»).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_identification.h"
#include "report_passport.h"
#include "report_settings.h"

static const char *const subject_indicators[] = {
	"vpr4_rus", "vpr4_math", "oge9_rus", "oge9_math",
};

struct sresult {
	int year;                        /* 0 = none */
	double low_share;                /* imported combined share, if any */
	bool has_low_share;
	double sum, max;
	int n;
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
	if (x->year == 0)
		x->year = row->year;
	if (x->year != row->year)
		return 0;
	if (strcmp(row->indicator, "low_share") == 0) {
		x->low_share = row->value;
		x->has_low_share = true;
		return 0;
	}
	for (size_t k = 0; k < REPORT_NCOLS(subject_indicators); k++) {
		if (strcmp(row->indicator, subject_indicators[k]) != 0)
			continue;
		x->sum += row->value;
		if (x->n == 0 || row->value > x->max)
			x->max = row->value;
		x->n++;
	}
	return 0;
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
	{ "status", "", 0, REPORT_COL_JSON_ONLY },
	{ "status_label", "Социальный статус", 0, 0 },
	{ "results_year", "Год результатов", 0, 0 },
	{ "low_share", "Доля низких результатов, %", 1, 0 },
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
		double v, low = 0;
		bool has_low = false;
		long row;

		if (!report_ctx_school_shown(c, i))
			continue;
		if ((row = report_ctx_school_row(s, c, i, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (report_passport_index(&p.s[i], &v)) {
			report_model_num(s, row, 2, v);
			status = report_passport_status(v);
		}
		if (x->year) {
			report_model_int(s, row, 5, x->year);
			if (x->has_low_share) {
				low = x->low_share;
				has_low = true;
			} else if (x->n > 0) {
				low = set.combine_max ? x->max : x->sum / x->n;
				has_low = true;
			}
		}
		if (has_low) {
			bool is_low = set.low_strict ? low > set.low_threshold :
			    low >= set.low_threshold;

			report_model_num(s, row, 6, low);
			level = is_low ? "low" : low < set.high_threshold ? "high" :
			    "medium";
		}
		/* Low results decide alone; otherwise status and level together. */
		if (level && strcmp(level, "low") == 0)
			cluster = "crisis";
		else if (level && status)
			cluster = strcmp(status, "favourable") == 0 ? "none" :
			    strcmp(level, "high") == 0 ? "resilient" : "risk_zone";
		if (status && (report_model_str(s, row, 3, status) ||
		    report_model_str(s, row, 4, report_labels_of(report_labels_status, status))))
			goto nomem;
		if (level && (report_model_str(s, row, 7, level) ||
		    report_model_str(s, row, 8, report_labels_of(report_labels_level, level)) ||
		    report_model_str(s, row, 9, strcmp(level, "low") == 0 ? "да" : "нет")))
			goto nomem;
		if (status && report_model_str(s, row, 10, strcmp(status, "unfavourable") == 0 ?
		    "да" : "нет"))
			goto nomem;
		if (report_model_str(s, row, 11, cluster) ||
		    report_model_str(s, row, 12, cluster ?
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

