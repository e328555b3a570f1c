/*
 * report_passport_years — the passport report's years (docs/reports.md,
 * «passport», sections `years` and `municipal_years`): each school's
 * passports of every academic year in the period summed as its latest year
 * is, scored by isbsh-v1 against that year's municipal distribution, and
 * the schools shown summed per year (passports, students, the mean index,
 * how many schools in each social status). What the dashboard draws year
 * over year.
 */
#ifndef TETRAD_HUB_REPORT_PASSPORT_YEARS_H
#define TETRAD_HUB_REPORT_PASSPORT_YEARS_H

#include "report_ctx.h"
#include "report_model.h"
#include "report_passport.h"
#include "report_settings.h"

#define REPORT_PASSPORT_YEARS_MAX 16     /* academic years shown (the latest) */

/* Adds the two sections to o from p (report_passport_build's). */
int report_passport_years_run(struct report_ctx *c, struct report_out *o,
    const struct report_passport *p, const struct report_settings *set, struct terr *e);

#endif
