/*
 * dash_table — a report's model and a store listing as HTML tables
 * (dash_table.c). Numbers in cells carry class "num"; headers carry the
 * column's JSON key (data-key), so a test can match a page against the
 * report's JSON.
 */
#ifndef TETRAD_HUB_DASH_TABLE_H
#define TETRAD_HUB_DASH_TABLE_H

#include <stddef.h>

#include "hub/hubdb.h"
#include "report_model.h"
#include "web/html.h"

/* One section: its title, its table (up to max_rows rows) and the count. */
void dash_table_report_section(struct html *h, const struct report_sect *s, size_t max_rows);
/* The report's meta values (period, thresholds, ...) as a small table. */
void dash_table_report_meta(struct html *h, const struct report_out *o);
/* A listing (hubdb.h) without the columns in hide (NULL-terminated, may be
 * NULL), up to max_rows rows; empty: what to say when there is no row. */
int dash_table_listing(struct html *h, struct hubdb *db, enum hubdb_listing what,
    const char *const *hide, size_t max_rows, const char *empty, struct terr *e);

/* A listing's comma list ("0101,0102") as the pages and downloads show it:
 * "0101, 0102", each item as its word where it has one; malloc'd, NULL: no
 * memory. */
char *dash_table_list_text(const char *key, const char *s);

#endif
