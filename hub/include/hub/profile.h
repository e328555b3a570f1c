/*
 * profile — the issued risk profile of a school (РПШ, project «500+»): per
 * school and project year, the level of each risk factor (R01–R11 in the
 * 2021 dictionary): high, medium, low or not_found. It is issued outside
 * Tetrad and imported at the hub from CSV (Код ОО; Год; Фактор; Уровень);
 * the verification report sets it against the curators' decisions.
 *
 * The CSV is outside input: the shared bounded reader (tetrad/csv.h),
 * caps as programmes.h, all or nothing with every bad row named; fuzzed by
 * tests/fuzz/fuzz_profile_csv.c.
 */
#ifndef TETRAD_HUB_PROFILE_H
#define TETRAD_HUB_PROFILE_H

#include <stddef.h>
#include <stdio.h>

#include "hub/hubdb.h"
#include "tetrad/terr.h"

#define PROFILE_MAX_BYTES (8u << 20)
#define PROFILE_FACTOR_MAX 16            /* R01: a letter and digits */
#define PROFILE_LEVELS 4                 /* high, medium, low, not_found */

/* The level's code by index in a fixed order (high first); NULL past the end. */
const char *profile_level_at(size_t i);
/* Index of a level code, or -1. */
int profile_level_index(const char *code);
/* Russian label of a level code («высокий» …), NULL for an unknown one. */
const char *profile_level_label(const char *code);
/* The level a person's text names (code or label, any case); NULL when none. */
const char *profile_level_of(const char *text);

struct profile_row {
	char school[33];
	int year;
	char factor[PROFILE_FACTOR_MAX + 1];   /* upper case: R01 */
	char level[12];
	size_t line;
};
struct profile_set;

/* As programmes_parse (programmes.h), for the profile's columns. */
int profile_parse(const char *buf, size_t len, struct profile_set **out, struct terr *e);
void profile_set_free(struct profile_set *s);
size_t profile_set_n_rows(const struct profile_set *s);
const struct profile_row *profile_set_row(const struct profile_set *s, size_t i);
size_t profile_set_n_bad(const struct profile_set *s);
size_t profile_set_n_bad_kept(const struct profile_set *s);
const char *profile_set_bad(const struct profile_set *s, size_t i);

/*
 * Imports the file all or nothing, in one transaction: the profile of each
 * (school, year) the file names replaces the stored one whole (a factor
 * missing from a corrected file is gone). Bad rows go to report (may be
 * NULL) and TERR_INVALID is returned.
 */
int profile_import(struct hubdb *db, const char *path, FILE *report, size_t *imported,
    struct terr *e);

#endif
