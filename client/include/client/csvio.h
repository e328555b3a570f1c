/*
 * csvio — CSV for people with spreadsheets: export of a form's records
 * (UTF-8 with BOM and ';' by default so Russian Excel opens it right) and
 * all-or-nothing import with a report of every bad row. The parser and the
 * cell writer are the shared ones of tetrad/csv.h.
 */
#ifndef TETRAD_CLIENT_CSVIO_H
#define TETRAD_CLIENT_CSVIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "cmdline/progress.h"
#include "tetrad/csv.h"
#include "tetrad/form.h"
#include "tetrad/terr.h"

#include "client/catalog.h"
#include "client/store.h"

#define CSVIO_REPORT_MAX (1u << 20)  /* import report text */

enum csvio_format { CSVIO_CSV = 1, CSVIO_JSON = 2 };

/*
 * Exports every non-deleted record of form_id. CSV columns follow the
 * newest version (csvio_private.h): «Запись», «Статус записи», «Версия
 * формы», then every field, local ones too (the export stays on this
 * computer); a repeat group is an item-number column and a column per
 * member, one row per item, the record's own cells repeated on each.
 * Headers are Russian labels and cells labels, ДД.ММ.ГГГГ dates and
 * decimal commas; codes: ids, codes, ISO dates and decimal points.
 */
int csvio_export(struct store *s, const struct catalog *c, const char *form_id,
    enum csvio_format fmt, bool codes, char delim, FILE *out, struct terr *e);
/* The same, progress (NULL: none) told of each record written, with the
 * number of records to write (0 when it could not be counted). */
int csvio_export_progress(struct store *s, const struct catalog *c,
    const char *form_id, enum csvio_format fmt, bool codes, char delim, FILE *out,
    progress_fn progress, void *progress_ud, struct terr *e);

/* What an import did: records added, stored records changed, and stored
 * records the file names with nothing different (nothing written). */
struct csvio_counts {
	size_t added, updated, unchanged;
};

/*
 * Imports path into records of form_id in one transaction. Header cells
 * are the export's headers of either mode, field ids or labels; rows with
 * the same «Запись» cell are one record (its items one per row).
 * A «Запись» cell naming a record of this database (an exported file
 * edited and imported back on the same device) edits that record as
 * `tetrad edit` does: its own form version, its school field fixed once
 * final, a final record's change queued as an edit, nothing written when
 * nothing differs; a field without a column keeps its value; a draft
 * becomes final only if its status cell says so; a deleted record, a
 * final one marked «черновик» or another form's record is a problem.
 * Any other row group is a new record (the cell only links its rows):
 * final unless a status cell says «черновик», of the version a «Версия
 * формы» cell names (the newest if none). delim 0 guesses. If any row is
 * bad nothing is written, TERR_INVALID is returned and *report lists
 * every problem ("Строка 7: …"). *imported gets the records the file
 * holds (added, updated and unchanged).
 */
int csvio_import(struct store *s, const struct catalog *c, const char *form_id,
    const char *path, char delim, size_t *imported, char **report,
    struct terr *e);

/* The same with the records' school (`tetrad import --school`: a curator's
 * laptop, for a form without a school field; NULL: the device's own, as
 * rec_create decides), and the counts by kind (zero unless it succeeded). */
int csvio_import_at(struct store *s, const struct catalog *c, const char *form_id,
    const char *school, const char *path, char delim, struct csvio_counts *n,
    char **report, struct terr *e);
/* The same, progress (NULL: none) told of each record written in the
 * transaction, out of all the file's records (after every row was checked:
 * the checks are quick, the writes are what a person waits for). */
int csvio_import_progress(struct store *s, const struct catalog *c,
    const char *form_id, const char *school, const char *path, char delim,
    struct csvio_counts *n, char **report, progress_fn progress,
    void *progress_ud, struct terr *e);

/* The same from a buffer (what names it in messages). s NULL checks only:
 * nothing is written, every row group counts as added. */
int csvio_import_buf(struct store *s, const struct catalog *c,
    const char *form_id, const char *what, const char *buf, size_t len,
    char delim, size_t *imported, char **report, struct terr *e);
int csvio_import_buf_at(struct store *s, const struct catalog *c,
    const char *form_id, const char *school, const char *what, const char *buf,
    size_t len, char delim, struct csvio_counts *n, char **report,
    struct terr *e);
int csvio_import_buf_progress(struct store *s, const struct catalog *c,
    const char *form_id, const char *school, const char *what, const char *buf,
    size_t len, char delim, struct csvio_counts *n, char **report,
    progress_fn progress, void *progress_ud, struct terr *e);

/*
 * «скрыто» (VAULT_HIDDEN, client/vault.h): the vault locked, a record with
 * sealed values (r->sealed non-NULL after store_record_get) has its local
 * values out of data. csvio_mark_hidden puts VAULT_HIDDEN as the value of
 * each local field of f in data, at the top level and in every item of a
 * group, for the export, `show` and `list --json` (0 or TERR_NOMEM).
 */
int csvio_mark_hidden(const struct form *f, cJSON *data);
/*
 * Values sent back (an import, `edit --json`, `new --json`) that may hold
 * VAULT_HIDDEN (a file made while locked): each local value that is exactly
 * VAULT_HIDDEN becomes the stored value at the same place, or is removed
 * when stored (NULL for a new record) has none. In a group, the stored
 * item is the one the item is (paired by its hub fields as the store's
 * graft pairs them; a CSV row's «№» must name that same item): an item
 * with VAULT_HIDDEN that matches no stored item is refused (TERR_INVALID,
 * Russian message), never given another item's value. 0, TERR_INVALID or
 * TERR_NOMEM.
 */
int csvio_hidden_keep_stored(const struct form *f, cJSON *values,
    const cJSON *stored, struct terr *e);

#endif
