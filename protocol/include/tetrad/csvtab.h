/*
 * csvtab — a table reader for imports whose rows are checked one by one
 * (the hub's programmes, the issued risk profile at the hub and on a
 * device: tetrad/riskprofile.h): a CSV held in memory, read by the bounded
 * parser of tetrad/csv.h, whose header names the columns a caller wants (in any
 * order, case-insensitive, Russian or Latin names, others ignored); each
 * data row goes to the caller's check with its cells in the caller's
 * order, trimmed. Bad rows become Russian messages «строка N: …» (all
 * counted, the first CSVTAB_BAD_KEEP kept), so an import can refuse a
 * file naming every mistake at once. Library code: prints nothing.
 */
#ifndef TETRAD_CSVTAB_H
#define TETRAD_CSVTAB_H

#include <stdbool.h>
#include <stddef.h>

#include "tetrad/terr.h"

#define CSVTAB_MAX_BYTES (8u << 20)
#define CSVTAB_MAX_ROWS 100000
#define CSVTAB_MAX_COLS 32
#define CSVTAB_FIELD_MAX 256
#define CSVTAB_BAD_KEEP 1000
#define CSVTAB_WANT_MAX 6

/* A wanted column: its accepted header names, lower case, NULL-terminated. */
struct csvtab_col {
	const char *names[8];
	const char *title;                /* for messages: «Код ОО» */
};

struct csvtab {
	size_t nbad, nbad_kept;
	char **bad;
	size_t nrows;                     /* data rows handed to the check */
};

/* Checks one data row; cells[i] is wanted column i. Non-zero stops (e set). */
typedef int (*csvtab_row_fn)(void *arg, struct csvtab *t, size_t line, char **cells,
    struct terr *e);

/*
 * Reads buf (len bytes): TERR_TOO_LARGE over a bound, TERR_UTF8/TERR_PARSE
 * for a file that is not CSV, TERR_PARSE for a header without a wanted
 * column (what names the file: «файл программ»). Rows with the wrong
 * number of cells or a cell over CSVTAB_FIELD_MAX are bad rows, not errors.
 */
int csvtab_read(struct csvtab *t, const char *buf, size_t len, const struct csvtab_col *cols,
    size_t ncols, const char *what, csvtab_row_fn fn, void *arg, struct terr *e);
/* Records a bad row: «строка LINE: MSG». TERR_NOMEM. */
int csvtab_bad(struct csvtab *t, size_t line, const char *msg);
void csvtab_clear(struct csvtab *t);
/* ASCII and Russian letters to lower case into out (cap bytes). */
void csvtab_lower(const char *in, char *out, size_t cap);
/* A cell for a message: at most 40 bytes, cut on a character boundary. */
void csvtab_quote(const char *s, char *out, size_t cap);
/* A year cell 2000…2100; -1 when it is not one. */
int csvtab_year(const char *s);

/* Appends "; what" (or what, to an empty msg) to msg of cap bytes. */
void csvtab_msg_add(char *msg, size_t cap, const char *what);
/*
 * The cells every import has, checked with one wording: a school code
 * (tetrad/school.h), false and «код ОО «…» недопустим…» appended to msg
 * when it is not one; a year 2000…2100, -1 and «год «…» — …» appended
 * when it is not one.
 */
bool csvtab_check_school(const char *cell, char *msg, size_t cap);
int csvtab_check_year(const char *cell, char *msg, size_t cap);
/*
 * The kept bad rows, one a line, and «… и ещё строк с ошибками: N» for
 * those not kept, as one malloc'd text ("" for none) for the import
 * commands to show; NULL on no memory.
 */
char *csvtab_report(const struct csvtab *t);

#endif
