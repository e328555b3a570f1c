/*
 * csv — the bounded RFC 4180 parser for files people bring from
 * spreadsheets (the client's form import, the hub's school list and
 * results), and the one cell writer for every CSV Tetrad writes (the
 * client's export, the hub's reports). Buffers only, no I/O. The parser is
 * fuzzed by tests/fuzz/fuzz_csv_parse.c.
 */
#ifndef TETRAD_CSV_H
#define TETRAD_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "tetrad/tbuf.h"
#include "tetrad/terr.h"

#define CSV_MAX_BYTES (64u << 20)  /* one file */
#define CSV_MAX_CELL (64u << 10)   /* one cell, bytes */
#define CSV_MAX_COLS 1024
#define CSV_MAX_ROWS 1000000u

/* Called per row; line is the 1-based line where the row starts. cells
 * belong to the parser and are valid during the call. Non-zero stops. */
typedef int (*csv_row_cb)(size_t line, size_t n, char *const *cells,
    void *arg);

/*
 * Parses buf (a leading UTF-8 BOM is skipped) with delimiter delim.
 * Quoted cells may hold the delimiter, quotes ("") and line breaks. Refuses
 * bytes that are not UTF-8, NUL bytes, a stray quote inside an unquoted
 * cell, an unterminated quote, and anything over the CSV_MAX_* bounds.
 */
int csv_parse(const char *buf, size_t len, char delim, csv_row_cb cb,
    void *arg, struct terr *e);

/* ';' or ',' or '\t', whichever occurs (outside quotes) in the first line
 * most; ';' if none. */
char csv_guess_delim(const char *buf, size_t len);

/*
 * Appends text as one text cell for delimiter delim. The cell is quoted
 * (quotes doubled) when it holds the delimiter, a quote or a line break,
 * when it starts or ends with a space (Excel would trim it), and when it
 * starts with U+FEFF (at the start of a file it would be taken for the
 * byte-order mark; quoted it reads back as itself).
 *
 * No cell can become a formula: text starting with '=', '+', '-', '@', a
 * tab or a CR (what Excel and LibreOffice take for a formula or a DDE
 * call) is written quoted with a single quote in front ("'=1+1"), which
 * both show as text. So that the prefix can be told from the text, text
 * that itself starts with a single quote gets one more. csv_cell_unguard
 * takes the prefix off again. TERR_TOO_LARGE if out is full.
 */
int csv_put_cell(struct tbuf *out, const char *text, char delim);

/*
 * Appends a number: written as it is when text is one (an optional '-',
 * digits, an optional '.' or ',' and digits) so a spreadsheet reads -5 as
 * minus five; anything else goes through csv_put_cell's guard.
 */
int csv_put_num(struct tbuf *out, const char *text, char delim);

/* Whether text is what csv_put_num writes unguarded. */
bool csv_is_number(const char *text);

/*
 * Takes the formula guard of csv_put_cell off a parsed cell, in place: a
 * single quote followed by '=', '+', '-', '@', tab, CR or another single
 * quote is dropped. Any other text is left as it is (a quote a person
 * typed before ordinary text stays). Returns whether it dropped one.
 */
bool csv_cell_unguard(char *cell);

#endif
