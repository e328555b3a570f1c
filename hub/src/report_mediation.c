/*
 * report_mediation — the mediation report (see report_mediation.h). Labels
 * of sources, situation kinds, conflict types and programmes come from the
 * mediation_case form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_mediation.h"
#include "report_tally.h"

enum { M_TOTAL = 0, M_SOURCE, M_KIND, M_CTYPE, M_PROG };

/* Codes of the summary counters (dimension M_TOTAL). */
static const char *const m_totals[] = {
	"cases", "held", "completed", "agreement", "children", "adults",
};

/* What mediation_rec reads of a case: not its parties and texts. */
static const struct report_pick m_pick[] = {
	{ "received_date", NULL }, { "status", NULL }, { "source", NULL },
	{ "situation_kind", NULL }, { "conflict_type", NULL }, { "programme", NULL },
	{ "agreement", NULL }, { "children_count", NULL }, { "adults_count", NULL },
	{ NULL, NULL },
};

static int
mediation_rec(struct report_ctx *c, size_t si, const char *fid, const cJSON *d,
    const char *date, const char *hlc, void *arg, struct terr *e)
{
	struct report_tallies *t = arg;
	const char *v, *status = report_ctx_jcode(d, "status");
	bool held = status && (strcmp(status, "held") == 0 ||
	    strcmp(status, "completed") == 0);
	struct report_tally *cases;
	long long n;

	(void)c;
	(void)fid;
	(void)date;
	(void)hlc;
	if ((cases = report_tally_get(t, si, M_TOTAL, m_totals[0])) == NULL)
		return REPORT_NOMEM(e);
	/* every counter of the summary exists once the school has a case */
	if (cases->n++ == 0)
		for (size_t k = 1; k < REPORT_NCOLS(m_totals); k++)
			if (report_tally_add(t, si, M_TOTAL, m_totals[k], 0))
				return REPORT_NOMEM(e);
	if ((v = report_ctx_jcode(d, "source")) && report_tally_add(t, si, M_SOURCE, v, 1))
		return REPORT_NOMEM(e);
	if ((v = report_ctx_jcode(d, "situation_kind")) && report_tally_add(t, si, M_KIND, v, 1))
		return REPORT_NOMEM(e);
	if ((v = report_ctx_jcode(d, "conflict_type")) && report_tally_add(t, si, M_CTYPE, v, 1))
		return REPORT_NOMEM(e);
	if (held) {
		if (report_tally_add(t, si, M_TOTAL, "held", 1))
			return REPORT_NOMEM(e);
		if ((v = report_ctx_jcode(d, "programme")) && report_tally_add(t, si, M_PROG, v, 1))
			return REPORT_NOMEM(e);
	}
	if (status && strcmp(status, "completed") == 0 &&
	    report_tally_add(t, si, M_TOTAL, "completed", 1))
		return REPORT_NOMEM(e);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "agreement")) &&
	    report_tally_add(t, si, M_TOTAL, "agreement", 1))
		return REPORT_NOMEM(e);
	if ((n = report_ctx_jcount(d, "children_count")) > 0 &&
	    report_tally_add(t, si, M_TOTAL, "children", n))
		return REPORT_NOMEM(e);
	if ((n = report_ctx_jcount(d, "adults_count")) > 0 &&
	    report_tally_add(t, si, M_TOTAL, "adults", n))
		return REPORT_NOMEM(e);
	return 0;
}

static const struct report_col m_sum_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "cases", "Случаев", 0, 0 }, { "held", "Проведено программ", 0, 0 },
	{ "completed", "Завершено", 0, 0 },
	{ "completed_share", "Доля завершённых, %", 1, 0 },
	{ "agreement", "С примирительным договором", 0, 0 },
	{ "agreement_share", "Доля с договором, %", 1, 0 },
	{ "children", "Участники: дети", 0, 0 },
	{ "adults", "Участники: взрослые", 0, 0 },
};
#define M_DIM_COLS(name, head, count) \
static const struct report_col name[] = { \
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 }, \
	{ "code", "", 0, REPORT_COL_JSON_ONLY }, { "label", head, 0, 0 }, \
	{ "count", count, 0, 0 }, \
}
M_DIM_COLS(m_source_cols, "Источник обращения", "Случаев");
M_DIM_COLS(m_kind_cols, "Вид ситуации", "Случаев");
M_DIM_COLS(m_ctype_cols, "Тип конфликта", "Случаев");
M_DIM_COLS(m_prog_cols, "Программа", "Проведено");

static int
mediation_summary_row(struct report_sect *s, long row, const long long v[6])
{
	report_model_int(s, row, 2, v[0]);
	report_model_int(s, row, 3, v[1]);
	report_model_int(s, row, 4, v[2]);
	report_model_num(s, row, 5, report_model_pct(v[2], v[0]));
	report_model_int(s, row, 6, v[3]);
	report_model_num(s, row, 7, report_model_pct(v[3], v[0]));
	report_model_int(s, row, 8, v[4]);
	report_model_int(s, row, 9, v[5]);
	return 0;
}

int
report_mediation_run(struct report_ctx *c, struct report_out *o, struct terr *e)
{
	/* the mediation_case field each dimension counts, for its labels */
	static const char *const dim_fields[] = {
		NULL, "source", "situation_kind", "conflict_type", "programme",
	};
	struct report_tallies t = { 0 };
	struct report_sect *sect[5];
	long long total[6] = { 0 };
	int r;

	o->title = "Службы примирения (медиации): случаи и программы";
	sect[M_TOTAL] = report_model_sect(o, "summary", "Итоги по школам", m_sum_cols,
	    REPORT_NCOLS(m_sum_cols));
	sect[M_SOURCE] = report_model_sect(o, "by_source", "Случаи по источнику обращения",
	    m_source_cols, REPORT_NCOLS(m_source_cols));
	sect[M_KIND] = report_model_sect(o, "by_kind", "Случаи по виду ситуации",
	    m_kind_cols, REPORT_NCOLS(m_kind_cols));
	sect[M_CTYPE] = report_model_sect(o, "by_conflict_type", "Случаи по типу конфликта",
	    m_ctype_cols, REPORT_NCOLS(m_ctype_cols));
	sect[M_PROG] = report_model_sect(o, "by_programme", "Проведённые программы по виду",
	    m_prog_cols, REPORT_NCOLS(m_prog_cols));
	if ((r = report_ctx_each_record(c, "mediation_case", false, "received_date",
	    m_pick, mediation_rec, &t, e)) != 0)
		goto out;
	if (report_tally_sort(&t) != 0) {
		r = REPORT_NOMEM(e);
		goto out;
	}
	/* Tallies are sorted by school, then dimension: one pass fills all. */
	for (size_t i = 0; i < t.n; i++) {
		struct report_tally *x = &t.v[i];
		long row;

		if (!report_ctx_school_shown(c, x->school))
			continue;
		if (x->dim == M_TOTAL) {
			long long v[6] = { 0 };

			if (strcmp(x->code, "cases") != 0)
				continue;
			for (size_t k = 0; k < REPORT_NCOLS(m_totals); k++) {
				struct report_tally *y = report_tally_find(&t, x->school, M_TOTAL,
				    m_totals[k]);

				v[k] = y ? y->n : 0;
				total[k] += v[k];
			}
			if ((row = report_ctx_school_row(sect[M_TOTAL], c, x->school, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			mediation_summary_row(sect[M_TOTAL], row, v);
			continue;
		}
		if ((row = report_ctx_school_row(sect[x->dim], c, x->school, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (report_model_str(sect[x->dim], row, 2, x->code) ||
		    report_model_str(sect[x->dim], row, 3, report_labels_choice(c->labels,
		    "mediation_case", dim_fields[x->dim], x->code)))
			goto nomem;
		report_model_int(sect[x->dim], row, 4, x->n);
	}
	if (c->o->school == NULL && sect[M_TOTAL]->nrows > 1) {
		long row = report_model_row(sect[M_TOTAL]);

		if (row < 0 || report_model_str(sect[M_TOTAL], row, 1, "Итого по муниципалитету"))
			goto nomem;
		mediation_summary_row(sect[M_TOTAL], row, total);
	}
	r = 0;
	goto out;
 nomem:
	r = REPORT_NOMEM(e);
 out:
	report_tally_free(&t);
	return r;
}

