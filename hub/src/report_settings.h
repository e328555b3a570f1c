/*
 * report_settings — the reports' settings (thresholds of the
 * identification report, the ИСБШ status bands per scale, the verification
 * deadline): their keys, defaults
 * and checks, reading them from the store for a report, `settings set`, and
 * the settings report. The keys are documented in docs/reports.md.
 */
#ifndef TETRAD_HUB_REPORT_SETTINGS_H
#define TETRAD_HUB_REPORT_SETTINGS_H

#include <stdbool.h>

#include "hub/hubdb.h"
#include "report_ctx.h"
#include "report_model.h"

#define REPORT_SETTINGS_N 12
#define REPORT_SETTINGS_N_ID 4   /* the identification.* entries come first */
/* Deadlines: verification, medk, surveys, passport; per-year keys for these years. */
#define REPORT_DEADLINE_KINDS 4
#define REPORT_DEADLINE_YEAR_MIN 2000
#define REPORT_DEADLINE_YEAR_MAX 2100

/* The scales an ИСБШ arrives on (hub/results.h): −8…+8 and 0–100. */
enum report_isbsh_scale { REPORT_ISBSH_SCALE_8, REPORT_ISBSH_SCALE_100, REPORT_ISBSH_SCALES };

struct report_settings {
	double low_threshold, high_threshold;
	bool low_strict;      /* ">" instead of ">=" */
	bool combine_max;
	char deadline[6];     /* "MM-DD" */
	/* social status bands per scale: unfavourable ≤ max, favourable ≥ min */
	double isbsh_unfav_max[REPORT_ISBSH_SCALES], isbsh_fav_min[REPORT_ISBSH_SCALES];
	char surveys_deadline[6];   /* "MM-DD": surveys.deadline */
	char raw[REPORT_SETTINGS_N][32];
	/* «KIND.deadline.YYYY» values as stored ("" when unset) */
	char year_deadline[REPORT_DEADLINE_KINDS]
	    [REPORT_DEADLINE_YEAR_MAX - REPORT_DEADLINE_YEAR_MIN + 1][11];
};

/*
 * The settings as stored, defaults for the rest. A stored value that fails
 * its check (changed by hand) or thresholds that contradict each other are
 * TERR_ARG naming the fix: a report never guesses.
 */
int report_settings_load(struct hubdb *db, struct report_settings *s, struct terr *e);
/* The isbsh.* and isbsh_100.* settings (the status bands) as meta values. */
void report_settings_meta_isbsh(struct report_out *o, const struct report_settings *s);

/*
 * The deadline of kind ("verification", "medk", "surveys", "passport") for a
 * project year as "YYYY-MM-DD": the year's own setting if there is one,
 * else the year with the kind's MM-DD default.
 */
void report_settings_deadline(const struct report_settings *s, const char *kind, int year,
    char out[11]);
/* The identification.* settings as the report's meta values. */
void report_settings_meta_identification(struct report_out *o,
    const struct report_settings *s);
/* The settings report: every key, its value, default and meaning. */
int report_settings_run(struct report_ctx *c, struct report_out *o, struct terr *e);

#endif
