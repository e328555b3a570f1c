/*
 * report_passport — the social passport report: each school's latest
 * academic year summed (a whole-school passport wins over class ones, a
 * class sent twice counts once), the category shares (family counts over
 * families, the others over students), the ИСБШ computed by isbsh-v1
 * against the municipal quartiles or imported on its scale, and the social
 * status by the bands set for that scale (docs/reports.md, «passport»). The identification and surveys
 * reports use the same build.
 */
#ifndef TETRAD_HUB_REPORT_PASSPORT_H
#define TETRAD_HUB_REPORT_PASSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "report_ctx.h"
#include "report_model.h"
#include "report_settings.h"

#define REPORT_PASSPORT_N_CAT 17         /* categories counted */
#define REPORT_PASSPORT_N_ISBSH 8        /* shares scored by isbsh-v1 */
#define REPORT_PASSPORT_MIN_SCHOOLS 4    /* fewer: no municipal distribution */
#define REPORT_PASSPORT_CLASS_MAX 16

struct report_prec;

/* A school's passport summed for its latest academic year. */
struct report_pschool {
	bool has;
	char year[24];
	size_t records;
	long long students;
	long long students_4_11;         /* grades 4–11, summed ... */
	bool has_4_11;                   /* ... and every summed passport gave it */
	long long n[REPORT_PASSPORT_N_CAT];
	double share[REPORT_PASSPORT_N_ISBSH];
	int score[REPORT_PASSPORT_N_ISBSH];
	bool computed;
	double isbsh;                    /* computed (isbsh-v1) */
	bool imported;
	double isbsh_import;
	int import_year;
	enum report_isbsh_scale import_scale;
};

struct report_passport {
	struct report_prec *v;
	size_t n, cap;
	struct report_pschool *s;               /* per school (index into ctx schools) */
	double q1[REPORT_PASSPORT_N_ISBSH], q3[REPORT_PASSPORT_N_ISBSH];
	size_t n_dist;                   /* schools in the distribution */
};

/*
 * Fills p for every school (the ИСБШ distribution is municipal, so
 * --school only narrows what is printed, not what is compared with).
 * Free p with report_passport_free, also on failure.
 */
int report_passport_build(struct report_ctx *c, struct report_passport *p, struct terr *e);
/*
 * Only each school's sums of its latest year's passports (has, year,
 * students, students_4_11, families_total in n[]): the surveys' coverage.
 * Reads three counts of each passport instead of twenty, and neither scores
 * the index nor reads the imported one. With --school, of that school
 * alone. Free with report_passport_free.
 */
int report_passport_build_students(struct report_ctx *c, struct report_passport *p,
    struct terr *e);
void report_passport_free(struct report_passport *p);
/*
 * The academic years of p's passports (as report_passport_build read them),
 * oldest first, at most max of them (the latest when there are more); their
 * number.
 */
size_t report_passport_years(const struct report_passport *p, char years[][24], size_t max);
/*
 * Each school's passports of one academic year summed as the latest year is
 * (has: the school has a passport that year) and scored by isbsh-v1 against
 * that year's municipal distribution, into y, which borrows p's records:
 * free it with report_passport_year_free (also on failure), before p.
 */
int report_passport_build_year(struct report_ctx *c, const struct report_passport *p,
    const char *year, struct report_passport *y, struct terr *e);
void report_passport_year_free(struct report_passport *y);
/* The index used: imported if there is one, else computed; false if none. */
bool report_passport_index(const struct report_pschool *s, double *v);
/* The scale of that index (the computed one is on −8…+8). */
enum report_isbsh_scale report_passport_scale(const struct report_pschool *s);
/* A scale's code ("-8..8", "0..100") and its label for people ("−8…+8", "0–100"). */
const char *report_passport_scale_code(enum report_isbsh_scale k);
const char *report_passport_scale_label(enum report_isbsh_scale k);
/*
 * The social status code of the school's index by the bands set for its
 * scale: unfavourable, neutral, favourable; NULL without an index.
 */
const char *report_passport_status(const struct report_pschool *s,
    const struct report_settings *set);
/* Index of a category ("families_total") in report_pschool.n, or -1. */
int report_passport_category(const char *id);

int report_passport_run(struct report_ctx *c, struct report_out *o, struct terr *e);

#endif
