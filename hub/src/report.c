/*
 * report — the dispatcher of the hub's reports (hub/report.h): checks the
 * options, opens the context (period, schools, labels) in one read
 * transaction of the store, lets the named report fill a model and has it
 * rendered. The modules, for a newcomer:
 *
 *   report_ctx       period, schools, the walk over a form's records
 *   report_model     sections of typed cells
 *   report_render    aligned table, CSV, JSON
 *   report_xlsx      Excel workbook
 *   report_labels    labels from the built-in forms; the reports' own ones
 *   report_tally     sorted counters
 *   report_settings  thresholds and deadline; the settings report
 *   report_calendar  programme schools by year, the issued risk profile
 *   report_verification, report_mediation, report_passport,
 *   report_surveys, report_identification, report_completeness   one report each
 *
 * Only codes that look like codes, counts, shares and dates leave these
 * modules: a free-text value of a record is never printed, whatever its
 * field.
 */
#include <string.h>

#include "hub/report.h"
#include "report_completeness.h"
#include "report_ctx.h"
#include "report_identification.h"
#include "report_mediation.h"
#include "report_model.h"
#include "report_passport.h"
#include "report_render.h"
#include "report_settings.h"
#include "report_surveys.h"
#include "report_verification.h"
#include "report_xlsx.h"

struct report_def {
	const char *name;
	int (*fn)(struct report_ctx *, struct report_out *, struct terr *);
};

static const struct report_def reports[] = {
	{ "verification", report_verification_run },
	{ "mediation", report_mediation_run },
	{ "passport", report_passport_run },
	{ "surveys", report_surveys_run },
	{ "identification", report_identification_run },
	{ "settings", report_settings_run },
	{ "completeness", report_completeness_run },
};

int
report_build_many(struct hubdb *db, const struct report_opts *o, const char *const *names,
    size_t n, struct report_out *reps, struct terr *e)
{
	const struct report_def *defs[REPORT_NCOLS(reports)];
	struct report_opts one;
	struct report_ctx c;
	size_t i;
	int r;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < n; i++)
		memset(&reps[i], 0, sizeof(reps[i]));
	if (db == NULL || o == NULL || n > REPORT_NCOLS(reports))
		return terr_set(e, TERR_ARG, "отчёт: не заданы база или параметры");
	for (i = 0; i < n; i++) {
		defs[i] = NULL;
		for (size_t k = 0; names[i] && k < REPORT_NCOLS(reports); k++)
			if (strcmp(names[i], reports[k].name) == 0)
				defs[i] = &reports[k];
		if (defs[i] == NULL)
			return terr_set(e, TERR_ARG, "неизвестный отчёт «%.64s»; есть: "
			    "verification, mediation, passport, surveys, identification, "
			    "settings, completeness", names[i] ? names[i] : "");
	}
	if ((r = hubdb_begin_read(db, e)) != 0)
		return r;
	one = *o;
	r = report_ctx_open(&c, db, &one, e);
	for (i = 0; r == 0 && i < n; i++) {
		one.name = defs[i]->name;
		reps[i].name = defs[i]->name;
		r = defs[i]->fn(&c, &reps[i], e);
	}
	/* everything is read: the snapshot is no longer needed while writing */
	hubdb_rollback(db);
	report_ctx_clear(&c);
	if (r != 0)
		for (i = 0; i < n; i++)
			report_model_free(&reps[i]);
	return r;
}

int
report_build(struct hubdb *db, const struct report_opts *o, struct report_out *rep,
    struct terr *e)
{
	if (o == NULL) {
		memset(rep, 0, sizeof(*rep));
		return terr_set(e, TERR_ARG, "отчёт: не заданы база или параметры");
	}
	return report_build_many(db, o, &o->name, 1, rep, e);
}

int
report_run(struct hubdb *db, const struct report_opts *o, FILE *out, struct terr *e)
{
	struct report_out rep;
	char delim;
	int r;

	memset(&rep, 0, sizeof(rep));
	if (db == NULL || o == NULL || out == NULL)
		return terr_set(e, TERR_ARG, "отчёт: не заданы база или параметры");
	delim = o->delimiter ? o->delimiter : ';';
	if (delim == '"' || delim == '\n' || delim == '\r')
		return terr_set(e, TERR_ARG, "недопустимый разделитель CSV");
	if ((r = report_build(db, o, &rep, e)) != 0)
		return r;
	switch (o->format) {
	case REPORT_CSV:
		r = report_render_csv(&rep, out, delim, e);
		break;
	case REPORT_JSON:
		r = report_render_json(&rep, o, out, e);
		break;
	case REPORT_XLSX:
		/* made in a private temporary file in $TMPDIR or /tmp, then copied */
		r = report_render_xlsx(&rep, o, NULL, out, e);
		break;
	default:
		report_render_table(&rep, out);
		break;
	}
	if (r == 0 && (fflush(out) != 0 || ferror(out)))
		r = terr_set(e, TERR_IO, "не удалось записать отчёт");
	report_model_free(&rep);
	return r;
}
