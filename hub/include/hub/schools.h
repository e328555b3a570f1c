/*
 * schools — the municipality's register of schools (code → name): added one
 * by one, or imported from the spreadsheet the education department
 * already keeps. Reports print these names.
 */
#ifndef TETRAD_HUB_SCHOOLS_H
#define TETRAD_HUB_SCHOOLS_H

#include <stdbool.h>
#include <stdio.h>

#include "hub/hubdb.h"

#define SCHOOLS_NAME_MAX 200            /* bytes of UTF-8 */
#define SCHOOLS_FILE_MAX (4u << 20)
#define SCHOOLS_ROWS_MAX 20000u
#define SCHOOLS_REPORT_MAX 1000         /* bad rows listed; the rest counted */

/*
 * Adds the school or renames it. TERR_ARG names what is wrong (the code
 * rule is school_code_ok, tetrad/school.h).
 */
int schools_add(struct hubdb *db, const char *code, const char *name, struct terr *e);

/*
 * Imports a CSV (UTF-8, optional BOM, ';' or ',' guessed from the header,
 * RFC 4180 quoting; a header naming the code and name columns, others
 * ignored) all or nothing: if any row is bad nothing is written, every bad
 * row is listed on report («строка 7: …») and TERR_INVALID returned. A code
 * already known is renamed. *imported gets the number of rows written.
 */
int schools_import(struct hubdb *db, const char *path, FILE *report, size_t *imported,
    struct terr *e);

#endif
