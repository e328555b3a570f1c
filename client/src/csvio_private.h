/*
 * csvio_private — the column layout of a form's CSV, shared by the export
 * (csvio.c) and the import (csvio_import.c) so that the import reads back
 * exactly what the export writes, in both header modes.
 */
#ifndef CLIENT_CSVIO_PRIVATE_H
#define CLIENT_CSVIO_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/terr.h"
#include "tetrad/uuid7.h"

#include "client/catalog.h"
#include "client/store.h"

enum csvio_col_kind {
	CSVIO_COL_ID = 1,      /* the record's id: links the rows of one record */
	CSVIO_COL_STATUS,
	CSVIO_COL_VERSION,
	CSVIO_COL_FIELD,       /* a top-level field or a member of a group */
	CSVIO_COL_ITEM,        /* the item's number within its group (1, 2, ...) */
};

struct csvio_col {
	enum csvio_col_kind kind;
	const struct form_field *fd;     /* FIELD: the field */
	const struct form_field *group;  /* ITEM, FIELD of a member: the top-level group */
	size_t gi;                       /* index of group in csvio_cols.groups */
	char *label_head;                /* Russian header (the default) */
	char *code_head;                 /* header with --codes: ids */
};

struct csvio_cols {
	struct csvio_col *v;
	size_t n;
	const struct form_field **groups; /* the form's top-level groups */
	size_t ngroups;
};

/*
 * Lays out f's columns: id, status, form version, then each top-level
 * field in order, a group as its item-number column and one column per
 * member. Headers are unique within each mode (a repeated label gets its
 * field path in brackets); TERR_INTERNAL if they cannot be made so.
 */
int csvio_cols_build(const struct form *f, struct csvio_cols *out,
    struct terr *e);
void csvio_cols_free(struct csvio_cols *c);

/*
 * A value as the label-mode export writes it (codes: as --codes does):
 * labels, ДД.ММ.ГГГГ dates, да/нет, a decimal comma, a scale's «затрудняюсь
 * ответить»; "" for null or absent. *num: a number. malloc'd; NULL on no
 * memory. The workbook export (xlsxio.c) writes the same texts.
 */
char *csvio_value_text(const struct form_field *fd, const cJSON *v, bool codes,
    bool *num);

/* The whole file at path (at most CSV_MAX_BYTES) in *out (malloc'd); a
 * file that cannot be read is TERR_ARG, the caller's argument. */
/* Records of form_id an export writes, for its progress (0: not known). */
uint64_t csvio_export_count(struct store *s, const char *form_id);
int csvio_read_file(const char *path, char **out, size_t *len,
    struct terr *e);
/* The delimiter of buf: the character after the export's first header
 * (either mode) if it starts so, else csv_guess_delim. */
char csvio_guess_delim(const struct csvio_cols *cols, const char *buf,
    size_t len);

/* Record statuses as the label-mode export writes them. */
#define CSVIO_DRAFT_LABEL "черновик"
/* A group item's «№» cell, kept in an item with a «скрыто» cell until
 * csvio_hidden_keep_stored finds the stored item it names (then removed). */
#define CSVIO_ITEM_NUM "#n"
/* Whether a member of obj (a group row's item) is a «скрыто» cell. */
bool csvio_hidden_cells(const cJSON *obj);
#define CSVIO_FINAL_LABEL "окончательная"

/* Multiple choices' labels are joined by this in label mode (labels may
 * hold commas); the import splits on ';' and line breaks. */
#define CSVIO_MULTI_SEP "; "

/* The import's report: one problem per line, sorted by the row it is
 * about (cell problems are found while reading, a record's own after it),
 * at most CSVIO_REPORT_MAX bytes kept (past it problems are still
 * counted). */
struct csvio_problem {
	size_t line, seq;
	char *text;
};

struct csvio_report {
	struct csvio_problem *v;
	size_t n, cap, bytes;
	size_t problems;
};

void csvio_report_add(struct csvio_report *rep, size_t line, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
/* The kept problems sorted by line, one a line; NULL on no memory. */
char *csvio_report_text(struct csvio_report *rep);
void csvio_report_free(struct csvio_report *rep);

/*
 * The value of a non-blank cell for fd (csvio_cell.c), after taking off
 * the export's formula guard (cell is changed). 0 with *out set; 1 if the
 * cell is wrong (reported in rep); TERR_NOMEM.
 */
int csvio_cell_value(struct csvio_report *rep, const struct form_field *fd,
    char *cell, size_t line, cJSON **out, struct terr *e);

/*
 * csvio_match (csvio_match.c): does a row group's «Запись» cell name a
 * record of this database (same form)? Then the import is an edit of it.
 */
struct csvio_match_in {
	const char *key;           /* the «Запись» cell */
	size_t line;               /* the group's first row */
	const cJSON *values;       /* what the file gives */
	const cJSON *covered;      /* object: the field ids the file has columns for */
	const struct form *file_f; /* its «Версия формы», or NULL */
	bool status_set, draft;    /* its «Статус записи» */
};

struct csvio_target {
	bool update;               /* false: a new record */
	uint8_t id[UUID7_BYTES];
	const struct form *f;      /* the record's own form version */
	bool finalize, final;      /* a draft made final; final after the edit */
	cJSON *values;             /* the stored values with the file's in */
};

/* 0 with t filled (t->update false: not a record of this database);
 * 1 when the row group cannot edit the record it names (reported in rep:
 * another form's record, a deleted one, a final one made a draft, another
 * form version); else an error. */
int csvio_match(struct store *s, const struct catalog *c, const char *form,
    const struct csvio_match_in *in, struct csvio_report *rep,
    struct csvio_target *t, struct terr *e);

#endif
