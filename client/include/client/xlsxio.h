/*
 * xlsxio — a form's records as a real Excel workbook (libxlsxwriter): the
 * same rows and columns as csvio's CSV export (labels not codes, Russian
 * headers), plus what a spreadsheet can hold: one sheet for the records
 * and one per repeat group (each item a row, linked by «Запись»), dates as
 * dates (ДД.ММ.ГГГГ), numbers as numbers, a frozen header, autofilter.
 */
#ifndef TETRAD_CLIENT_XLSXIO_H
#define TETRAD_CLIENT_XLSXIO_H

#include "cmdline/progress.h"
#include "tetrad/terr.h"
#include "client/catalog.h"
#include "client/store.h"

/* Writes every non-deleted record of form_id to a new file at path (made
 * beside it and renamed into place: never a half-written workbook). With
 * the vault locked, hidden values are «скрыто» as in the CSV. */
int xlsxio_export(struct store *s, const struct catalog *c, const char *form_id,
    const char *path, struct terr *e);
/* The same, progress (NULL: none) told of each record written, out of the
 * records to write (0 when they could not be counted). */
int xlsxio_export_progress(struct store *s, const struct catalog *c,
    const char *form_id, const char *path, progress_fn progress, void *progress_ud,
    struct terr *e);

#endif
