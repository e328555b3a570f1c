/*
 * report_passport_years — the passport report year by year
 * (report_passport_years.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_labels.h"
#include "report_passport_years.h"

static const struct report_col y_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "academic_year", "Учебный год", 0, 0 },
	{ "records", "Паспортов", 0, 0 },
	{ "students", "Обучающихся", 0, 0 },
	{ "isbsh", "ИСБШ (" REPORT_ISBSH_METHOD ", распределение года)", 1, 0 },
	{ "status", "", 0, REPORT_COL_JSON_ONLY },
	{ "status_label", "Социальный статус", 0, 0 },
};
static const struct report_col m_cols[] = {
	{ "academic_year", "Учебный год", 0, 0 },
	{ "schools", "Школ с паспортом", 0, 0 },
	{ "records", "Паспортов", 0, 0 },
	{ "students", "Обучающихся", 0, 0 },
	{ "isbsh_schools", "Школ с ИСБШ", 0, 0 },
	{ "isbsh_mean", "Средний ИСБШ", 1, 0 },
	{ "unfavourable", "Неблагоприятный статус", 0, 0 },
	{ "neutral", "Нейтральный статус", 0, 0 },
	{ "favourable", "Благоприятный статус", 0, 0 },
};

/* The status of a computed index by the bands of the −8…+8 scale. */
static const char *
years_status(double v, const struct report_settings *set)
{
	struct report_pschool s = { 0 };

	s.computed = true;
	s.isbsh = v;
	return report_passport_status(&s, set);
}

/* One year's row of the schools shown, summed. */
static int
years_municipal(struct report_ctx *c, struct report_sect *m, const char *year,
    const struct report_passport *y, const struct report_settings *set, struct terr *e)
{
	long long schools = 0, records = 0, students = 0, indexed = 0, st[3] = { 0 };
	static const char *const codes[3] = { "unfavourable", "neutral", "favourable" };
	double sum = 0;
	long row;

	for (size_t i = 0; i < c->nschools; i++) {
		const struct report_pschool *s = &y->s[i];

		if (!s->has || !report_ctx_school_shown(c, i))
			continue;
		schools++;
		records += (long long)s->records;
		students += s->students;
		if (!s->computed)
			continue;
		indexed++;
		sum += s->isbsh;
		for (size_t k = 0; k < 3; k++)
			if (strcmp(years_status(s->isbsh, set), codes[k]) == 0)
				st[k]++;
	}
	if (schools == 0)
		return 0;
	if ((row = report_model_row(m)) < 0 || report_model_str(m, row, 0, year))
		return REPORT_NOMEM(e);
	report_model_int(m, row, 1, schools);
	report_model_int(m, row, 2, records);
	report_model_int(m, row, 3, students);
	report_model_int(m, row, 4, indexed);
	if (indexed > 0) {
		report_model_num(m, row, 5, sum / (double)indexed);
		for (size_t k = 0; k < 3; k++)
			report_model_int(m, row, 6 + k, st[k]);
	}
	return 0;
}

int
report_passport_years_run(struct report_ctx *c, struct report_out *o,
    const struct report_passport *p, const struct report_settings *set, struct terr *e)
{
	char years[REPORT_PASSPORT_YEARS_MAX][24];
	struct report_passport y[REPORT_PASSPORT_YEARS_MAX];
	struct report_sect *ys, *ms;
	size_t ny = report_passport_years(p, years, REPORT_PASSPORT_YEARS_MAX), built = 0;
	int r;

	ys = report_model_sect(o, "years", "Школы по учебным годам", y_cols,
	    REPORT_NCOLS(y_cols));
	ms = report_model_sect(o, "municipal_years", "Итоги по учебным годам",
	    m_cols, REPORT_NCOLS(m_cols));
	for (; built < ny; built++)
		if ((r = report_passport_build_year(c, p, years[built], &y[built], e)) != 0) {
			built++;
			goto out;
		}
	for (size_t i = 0; i < c->nschools; i++) {
		if (!report_ctx_school_shown(c, i))
			continue;
		for (size_t k = 0; k < ny; k++) {
			const struct report_pschool *s = &y[k].s[i];
			long row;

			if (!s->has)
				continue;
			if ((row = report_ctx_school_row(ys, c, i, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			if (report_model_str(ys, row, 2, years[k]))
				goto nomem;
			report_model_int(ys, row, 3, (long long)s->records);
			report_model_int(ys, row, 4, s->students);
			if (!s->computed)
				continue;
			report_model_num(ys, row, 5, s->isbsh);
			if (report_model_str(ys, row, 6, years_status(s->isbsh, set)) ||
			    report_model_str(ys, row, 7, report_labels_of(report_labels_status,
			    years_status(s->isbsh, set))))
				goto nomem;
		}
	}
	for (size_t k = 0; k < ny; k++)
		if ((r = years_municipal(c, ms, years[k], &y[k], set, e)) != 0)
			goto out;
	r = 0;
	goto out;
 nomem:
	r = REPORT_NOMEM(e);
 out:
	for (size_t k = 0; k < built; k++)
		report_passport_year_free(&y[k]);
	return r;
}
