/*
 * report_calendar — what the reports read of the programmes' calendar:
 * which schools are programme schools in which years (programmes.h) and
 * the issued risk profile (profile.h), loaded once per report into sorted
 * arrays indexed like report_ctx's schools.
 */
#ifndef TETRAD_HUB_REPORT_CALENDAR_H
#define TETRAD_HUB_REPORT_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>

#include "report_ctx.h"

struct report_cal_prog {
	size_t school;
	int year;
	unsigned mask;                    /* bit i: programmes_code_at(i) */
};

struct report_cal_level {
	size_t school;
	int year;
	char factor[17];
	const char *level;                /* a static code of profile.h */
};

/* Zero-initialised; clear with report_calendar_clear. */
struct report_calendar {
	bool any_programmes;              /* the table holds a row of a known school */
	struct report_cal_prog *progs;    /* by school, year */
	size_t nprogs, cap_progs;
	struct report_cal_level *levels;  /* by school, year, factor */
	size_t nlevels, cap_levels;
};

/* Loads the programmes, and the profile when with_profile. TERR_NOMEM, store errors. */
int report_calendar_load(struct report_calendar *k, struct report_ctx *c, bool with_profile,
    struct terr *e);
void report_calendar_clear(struct report_calendar *k);
/* School si's programmes in year (0 when none). */
unsigned report_calendar_mask(const struct report_calendar *k, size_t si, int year);
/*
 * Whether school si is a programme school of the period: a programme in a
 * year from c->from_year to c->to_year (any year without a period).
 */
bool report_calendar_in_period(const struct report_calendar *k, const struct report_ctx *c,
    size_t si);
/* The issued level of the factor for school si and project year, or NULL. */
const char *report_calendar_level(const struct report_calendar *k, size_t si, int year,
    const char *factor);
/*
 * The meta line every completeness list prints: which schools it covers —
 * the programme schools, or (no programme imported at all) every school the
 * hub knows, said so.
 */
void report_calendar_meta(const struct report_calendar *k, struct report_out *o);
/* Labels of a programme mask joined: «ШНОР, 500+» into out. */
void report_calendar_mask_text(unsigned mask, char *out, size_t cap);

#endif
