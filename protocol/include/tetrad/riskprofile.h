/*
 * riskprofile — the issued risk profile of a school (РПШ, project «500+»)
 * as a CSV brings it: per school and project year, the level of each risk
 * factor (R01–R11 in the 2021 dictionary) — high, medium, low or not_found
 * (the codes of the risk_visit form's factors.profile_level). The hub
 * imports it (`tetrad-hub profile import`, hub/profile.h) and a device
 * keeps its own copy (`tetrad profile import`), both through this parser:
 * Код ОО; Год; Фактор; Уровень, bounded (tetrad/csvtab.h), every bad row
 * named. Fuzzed by tests/fuzz/fuzz_profile_csv.c.
 */
#ifndef TETRAD_RISKPROFILE_H
#define TETRAD_RISKPROFILE_H

#include <stddef.h>

#include "tetrad/terr.h"

#define RISKPROFILE_MAX_BYTES (8u << 20)
#define RISKPROFILE_FACTOR_MAX 16        /* R01: a letter and digits */
#define RISKPROFILE_LEVELS 4             /* high, medium, low, not_found */

/* The level's code by index in a fixed order (high first); NULL past the end. */
const char *riskprofile_level_at(size_t i);
/* Index of a level code, or -1. */
int riskprofile_level_index(const char *code);
/* Russian label of a level code («высокий» …), NULL for an unknown one. */
const char *riskprofile_level_label(const char *code);
/* The level a person's text names (code or label, any case); NULL when none. */
const char *riskprofile_level_of(const char *text);

struct riskprofile_row {
	char school[33];
	int year;
	char factor[RISKPROFILE_FACTOR_MAX + 1];   /* upper case: R01 */
	char level[12];
	size_t line;
};
struct riskprofile_set;

/*
 * Parses a profile CSV held in memory (need not be NUL-terminated). 0 with
 * *out when the file's shape is usable: its good rows sorted by school,
 * year and factor, its bad rows kept as messages («строка 4: …»; a factor
 * twice for one school and year is one). TERR_TOO_LARGE, TERR_UTF8 or
 * TERR_PARSE (no header, a missing column) with *out NULL.
 */
int riskprofile_parse(const char *buf, size_t len, struct riskprofile_set **out,
    struct terr *e);
void riskprofile_set_free(struct riskprofile_set *s);
size_t riskprofile_set_n_rows(const struct riskprofile_set *s);
const struct riskprofile_row *riskprofile_set_row(const struct riskprofile_set *s, size_t i);
size_t riskprofile_set_n_bad(const struct riskprofile_set *s);
size_t riskprofile_set_n_bad_kept(const struct riskprofile_set *s);
const char *riskprofile_set_bad(const struct riskprofile_set *s, size_t i);
/* The bad rows as one text, as csvtab_report makes it (tetrad/csvtab.h); NULL on no memory. */
char *riskprofile_set_report(const struct riskprofile_set *s);

#endif
