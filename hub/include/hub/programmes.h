/*
 * programmes — each school's programmes by year, the municipality's
 * yearly list («ежегодное формирование списка»): ШНОР, ШНСУ, «500+»,
 * ШАНС, школа-партнёр. Imported from the education department's CSV
 * (Код ОО; Год; Программа), set and unset one by one. The reports
 * read it to know which schools a completeness list must cover
 * (docs/reports.md, «Школы программ»).
 *
 * The CSV is outside input: the shared bounded reader (tetrad/csv.h),
 * caps below, all or nothing with every bad row named; fuzzed by
 * tests/fuzz/fuzz_programmes_csv.c.
 */
#ifndef TETRAD_HUB_PROGRAMMES_H
#define TETRAD_HUB_PROGRAMMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "hub/hubdb.h"
#include "tetrad/terr.h"

#define PROGRAMMES_N 5                   /* shnor, shnsu, p500, shans, partner */
#define PROGRAMMES_CODE_MAX 8
#define PROGRAMMES_MAX_BYTES (8u << 20)
#define PROGRAMMES_MAX_ROWS 100000

/* The programme's code by index (0 … PROGRAMMES_N-1), in a fixed order. */
const char *programmes_code_at(size_t i);
/* Index of a code, or -1. */
int programmes_index(const char *code);
/* Russian label of a code («ШНОР», «500+», «школа-партнёр»); NULL for an unknown code. */
const char *programmes_label(const char *code);
/*
 * The code a person's text names: the code itself or the label, any case,
 * with or without «» (ШНОР, шнор, 500+, «500+», партнёр, школа-партнёр …);
 * NULL when it names none.
 */
const char *programmes_code_of(const char *text);

/* One validated row of an import file. */
struct programmes_row {
	char school[33];
	int year;
	char programme[PROGRAMMES_CODE_MAX + 1];
	size_t line;
};
struct programmes_set;

/*
 * Parses a programmes CSV held in memory (need not be NUL-terminated).
 * 0 with *out when the file's shape is usable (bad rows are kept in the
 * set as messages); TERR_TOO_LARGE, TERR_UTF8 or TERR_PARSE with *out NULL.
 */
int programmes_parse(const char *buf, size_t len, struct programmes_set **out,
    struct terr *e);
void programmes_set_free(struct programmes_set *s);
size_t programmes_set_n_rows(const struct programmes_set *s);
const struct programmes_row *programmes_set_row(const struct programmes_set *s, size_t i);
size_t programmes_set_n_bad(const struct programmes_set *s);
size_t programmes_set_n_bad_kept(const struct programmes_set *s);
const char *programmes_set_bad(const struct programmes_set *s, size_t i);

/*
 * Imports the file all or nothing, in one transaction: for each (year,
 * programme) the file names, the stored list of that programme and year is
 * replaced by the file's schools (so a list sent per programme leaves the
 * other programmes alone, and a school dropped from a list is dropped).
 * With bad rows TERR_INVALID is returned and, unless report is NULL,
 * *report gets them as one malloc'd text for the caller to show (and free).
 */
int programmes_import(struct hubdb *db, const char *path, char **report, size_t *imported,
    struct terr *e);
/* Adds (on) or removes one school's programme of a year; TERR_ARG names a bad argument. */
int programmes_set(struct hubdb *db, const char *school, const char *year,
    const char *programme, bool on, struct terr *e);

#endif
