/*
 * report_model — what a report is before it is written: a title, a few
 * named meta values and up to REPORT_MAX_SECTS sections, each a table of
 * typed cells (text, integer, number with its decimals) under columns with
 * a JSON key and a Russian header. The renderers (report_render.c) print
 * one model as a table, CSV or JSON.
 */
#ifndef TETRAD_HUB_REPORT_MODEL_H
#define TETRAD_HUB_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#define REPORT_MAX_SECTS 8
#define REPORT_MAX_META 12
#define REPORT_NCOLS(a) (sizeof(a) / sizeof((a)[0]))

enum report_cell_kind { REPORT_CELL_NULL = 0, REPORT_CELL_STR, REPORT_CELL_INT, REPORT_CELL_NUM };

/*
 * One value, read by its kind: 16 bytes, not 32 with a member for each. The
 * surveys report at region scale holds ~5 M cells (its table is measured
 * whole before it is written): their first touch was a seventh of its time.
 */
struct report_cell {
	enum report_cell_kind kind;
	union {
		long long i;
		double d;
		char *s;
	};
};

#define REPORT_COL_JSON_ONLY 1   /* a code beside its label: JSON keeps both */

struct report_col {
	const char *key;    /* JSON member */
	const char *head;   /* Russian header */
	int dec;            /* decimals of a REPORT_CELL_NUM */
	int flags;
};

/* A block of a section's cell texts: freed with the section, never moved. */
struct report_strs {
	struct report_strs *next;
	size_t len, cap;
	char text[];
};

/*
 * A section's rows live in blocks of this many that never move: the
 * surveys report's table at region scale grew by realloc, which copied it
 * whole at each doubling into memory touched for the first time (a fifth of
 * the report's CPU on PostgreSQL). The first block grows from 16 rows, so a
 * section of a few rows stays small. A power of two.
 */
#define REPORT_MODEL_BLOCK_ROWS 512

struct report_sect {
	const char *key, *title;
	const struct report_col *cols;
	size_t ncols;
	struct report_cell **blocks;      /* through report_model_cell / report_model_at */
	size_t nblocks, capblocks;
	size_t nrows, cap;                /* cap: rows the blocks hold now */
	struct report_strs *strs;         /* the cells' texts, newest block first */
};

struct report_meta {
	const char *key, *label;
	char val[80];
	bool number;
};

struct report_out {
	const char *name, *title;
	struct report_sect sects[REPORT_MAX_SECTS];
	size_t nsects;
	struct report_meta meta[REPORT_MAX_META];
	size_t nmeta;
	bool bare;          /* .xlsx: the sections' sheets only, no «Параметры» (a listing) */
};

/* A new empty section (cols are not copied: static tables); NULL when full. */
struct report_sect *report_model_sect(struct report_out *o, const char *key,
    const char *title, const struct report_col *cols, size_t ncols);
/* A meta value (number: JSON writes it as a number); ignored when full. */
void report_model_meta(struct report_out *o, const char *key, const char *label,
    bool number, const char *val);
void report_model_free(struct report_out *o);

/* Appends a row of empty cells; returns its index or -1 on no memory. */
long report_model_row(struct report_sect *s);
struct report_cell *report_model_cell(struct report_sect *s, long row, size_t col);
/* The same cell, to read (row < s->nrows, col < s->ncols). */
const struct report_cell *report_model_at(const struct report_sect *s, size_t row, size_t col);
/* NULL str leaves the cell empty (null in JSON); TERR_NOMEM. */
int report_model_str(struct report_sect *s, long row, size_t col, const char *str);
void report_model_int(struct report_sect *s, long row, size_t col, long long v);
void report_model_num(struct report_sect *s, long row, size_t col, double v);

/* d rounded half away from zero to dec decimals (no libm). */
double report_model_round(double d, int dec);
/* Text of a cell with the decimal separator given, whatever the locale. */
const char *report_model_cell_text(const struct report_cell *c, int dec, char decsep,
    char *buf, size_t cap);
/* n of d in percent; 0 when d is 0. */
double report_model_pct(long long n, long long d);

#endif
