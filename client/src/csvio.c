/*
 * csvio — CSV/JSON export of a form's records for people with
 * spreadsheets, and the column layout the import (csvio_import.c) reads
 * back. Cells by csv_put_cell / csv_put_num: nothing can become a formula.
 */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "tetrad/fileio.h"
#include "tetrad/form.h"
#include "tetrad/tbuf.h"
#include "tetrad/uuid7.h"

#include "client/csvio.h"

#include "csvio_private.h"

/* A CSV row is built whole in a buffer, then written: the cap only stops
 * a runaway, rows come from our own store. */
#define CSVIO_ROW_MAX (256u << 20)

/* columns */

static char *
csvio_strcat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = malloc(la + lb + lc + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

static int
csvio_cols_add(struct csvio_cols *c, enum csvio_col_kind kind,
    const struct form_field *fd, const struct form_field *group, size_t gi,
    char *label_head, char *code_head)
{
	struct csvio_col *col = &c->v[c->n];

	if (label_head == NULL || code_head == NULL) {
		free(label_head);
		free(code_head);
		return TERR_NOMEM;
	}
	col->kind = kind;
	col->fd = fd;
	col->group = group;
	col->gi = gi;
	col->label_head = label_head;
	col->code_head = code_head;
	c->n++;
	return 0;
}

/* Whether head i equals another column's head of the same mode. */
static bool
csvio_head_dup(const struct csvio_cols *c, size_t i, bool codes)
{
	const char *h = codes ? c->v[i].code_head : c->v[i].label_head;

	for (size_t j = 0; j < c->n; j++)
		if (j != i && strcmp(h, codes ? c->v[j].code_head :
		    c->v[j].label_head) == 0)
			return true;
	return false;
}

int
csvio_cols_build(const struct form *f, struct csvio_cols *out, struct terr *e)
{
	struct csvio_cols c = { 0 };
	size_t cap = 3, nf = form_n_fields(f);
	bool *dup = NULL;
	int r = TERR_NOMEM;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nf; i++) {
		const struct form_field *fd = form_field_at(f, i);

		cap += fd->type == FORM_GROUP ? 1 + fd->n_children : 1;
	}
	if ((c.v = calloc(cap, sizeof(*c.v))) == NULL ||
	    (c.groups = calloc(nf ? nf : 1, sizeof(*c.groups))) == NULL)
		goto out;
	/* meta columns: code names start with '_', which no field id may, so
	 * they never clash with a field ("status" of mediation_case) */
	if ((r = csvio_cols_add(&c, CSVIO_COL_ID, NULL, NULL, 0,
	    strdup("Запись"), strdup("_record"))) != 0 ||
	    (r = csvio_cols_add(&c, CSVIO_COL_STATUS, NULL, NULL, 0,
	    strdup("Статус записи"), strdup("_status"))) != 0 ||
	    (r = csvio_cols_add(&c, CSVIO_COL_VERSION, NULL, NULL, 0,
	    strdup("Версия формы"), strdup("_form_version"))) != 0)
		goto out;
	for (size_t i = 0; i < nf; i++) {
		const struct form_field *fd = form_field_at(f, i);
		size_t gi = c.ngroups;

		if (fd->type != FORM_GROUP) {
			if ((r = csvio_cols_add(&c, CSVIO_COL_FIELD, fd, NULL, 0,
			    strdup(fd->label), strdup(fd->id))) != 0)
				goto out;
			continue;
		}
		c.groups[c.ngroups++] = fd;
		if ((r = csvio_cols_add(&c, CSVIO_COL_ITEM, NULL, fd, gi,
		    csvio_strcat3(fd->label, ": ", "№"),
		    csvio_strcat3(fd->id, ".", "_item"))) != 0)
			goto out;
		for (size_t k = 0; k < fd->n_children; k++) {
			const struct form_field *m = &fd->children[k];

			if ((r = csvio_cols_add(&c, CSVIO_COL_FIELD, m, fd, gi,
			    csvio_strcat3(fd->label, ": ", m->label),
			    csvio_strcat3(fd->id, ".", m->id))) != 0)
				goto out;
		}
	}
	/* two fields with one label: both get their path, "Комментарий
	 * (factors.comment)", so a spreadsheet's filter and the import can
	 * tell them apart */
	r = TERR_NOMEM;
	if ((dup = calloc(c.n, sizeof(*dup))) == NULL)
		goto out;
	for (size_t i = 0; i < c.n; i++)
		dup[i] = csvio_head_dup(&c, i, false);
	for (size_t i = 0; i < c.n; i++) {
		char *h, *h2 = NULL;

		if (!dup[i])
			continue;
		if ((h = csvio_strcat3(c.v[i].label_head, " (", c.v[i].code_head)) ==
		    NULL || (h2 = csvio_strcat3(h, ")", "")) == NULL) {
			free(h);
			goto out;
		}
		free(h);
		free(c.v[i].label_head);
		c.v[i].label_head = h2;
	}
	for (size_t i = 0; i < c.n; i++)
		if (csvio_head_dup(&c, i, false) || csvio_head_dup(&c, i, true)) {
			r = terr_set(e, TERR_INTERNAL, "В форме «%s» два столбца "
			    "«%s»: выгрузка невозможна.", form_title(f),
			    c.v[i].label_head);
			goto out;
		}
	*out = c;
	memset(&c, 0, sizeof(c));
	r = 0;
 out:
	if (r == TERR_NOMEM)
		terr_set(e, r, "Недостаточно памяти.");
	free(dup);
	csvio_cols_free(&c);
	return r;
}

void
csvio_cols_free(struct csvio_cols *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; c->v && i < c->n; i++) {
		free(c->v[i].label_head);
		free(c->v[i].code_head);
	}
	free(c->v);
	free(c->groups);
	memset(c, 0, sizeof(*c));
}

/* export */

/* Appends one cell to row, after the delimiter unless it is the first. */
static int
csvio_cell(struct tbuf *row, const char *text, bool num, char delim, bool first)
{
	int r;

	if (!first && (r = tbuf_put_u8(row, (uint8_t)delim)) != 0)
		return r;
	return num ? csv_put_num(row, text, delim) : csv_put_cell(row, text, delim);
}

/* Ends row with CRLF, writes it to out and empties it. */
static int
csvio_row_write(struct tbuf *row, FILE *out)
{
	int r;

	if ((r = tbuf_put(row, "\r\n", 2)) != 0)
		return r;
	if (fwrite(tbuf_ptr(row), 1, tbuf_len(row), out) != tbuf_len(row))
		return TERR_IO;
	tbuf_reset(row);
	return 0;
}

/* A choice's label, or the code itself if this version has no such choice
 * (a record of an older version): textin reads either back. */
static const char *
csvio_choice_text(const struct form_field *fd, const char *code, bool codes)
{
	const struct form_choice *ch;

	if (codes || (ch = form_choice_find(fd, code)) == NULL)
		return code;
	return ch->label;
}

/* Joins the members of a multiple choice: codes by ',' (what people type),
 * labels by CSVIO_MULTI_SEP (a label may hold a comma). */
static char *
csvio_multi_text(const struct form_field *fd, const cJSON *v, bool codes)
{
	const char *sep = codes ? "," : CSVIO_MULTI_SEP;
	const cJSON *m;
	size_t n = 1;
	char *s;

	cJSON_ArrayForEach(m, v) {
		if (!cJSON_IsString(m))
			return NULL;
		n += strlen(csvio_choice_text(fd, m->valuestring, codes)) + strlen(sep);
	}
	if ((s = malloc(n)) == NULL)
		return NULL;
	*s = '\0';
	cJSON_ArrayForEach(m, v) {
		if (*s != '\0')
			strcat(s, sep);
		strcat(s, csvio_choice_text(fd, m->valuestring, codes));
	}
	return s;
}

/*
 * A value as a person reads it and textin reads it back: labels (codes
 * with codes), dates ДД.ММ.ГГГГ (ISO with codes), да/нет, a decimal comma
 * (a point with codes). A scale's null is its «затрудняюсь ответить»
 * label; any other null or absent value an empty cell. *num is set for a
 * number, which the writer leaves unguarded (-5 stays a number).
 */
char *
csvio_value_text(const struct form_field *fd, const cJSON *v, bool codes,
    bool *num)
{
	char buf[64];

	*num = false;
	if (v == NULL)
		return strdup("");
	if (cJSON_IsNull(v))
		return strdup(fd->type == FORM_SCALE && fd->no_answer ?
		    fd->no_answer_label : "");
	if (cJSON_IsString(v)) {
		long days;

		if (fd->type == FORM_DATE && !codes &&
		    form_date_days(v->valuestring, &days) == 0 &&
		    form_date_ru(v->valuestring, buf))
			return strdup(buf);
		if (fd->type == FORM_CHOICE)
			return strdup(csvio_choice_text(fd, v->valuestring, codes));
		return strdup(v->valuestring);
	}
	if (cJSON_IsBool(v))
		return strdup(cJSON_IsTrue(v) ? "да" : "нет");
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (d == floor(d) && fabs(d) < 1e15)
			snprintf(buf, sizeof(buf), "%.0f", d);
		else
			snprintf(buf, sizeof(buf), "%.15g", d);
		if (!codes)
			for (char *p = buf; *p; p++)
				if (*p == '.')
					*p = ',';
		*num = csv_is_number(buf);
		return strdup(buf);
	}
	if (cJSON_IsArray(v) && fd->type == FORM_MULTI) {
		char *s = csvio_multi_text(fd, v, codes);

		if (s != NULL)
			return s;
	}
	/* a group inside a group's item (none in the built-in forms), or a
	 * value of the wrong shape: kept whole as JSON */
	return cJSON_PrintUnformatted(v);
}

struct csvio_export_ctx {
	const struct form *f;
	const struct catalog *cat;
	struct csvio_cols cols;
	enum csvio_format fmt;
	bool codes;
	char delim;
	FILE *out;
	struct tbuf *row;   /* CSV only */
	size_t n;
	int err;
	progress_fn progress;
	void *progress_ud;
	uint64_t total;
};

static int
csvio_export_json(struct csvio_export_ctx *x, const struct localdb_record *r,
    const char *idtext, cJSON **data)
{
	cJSON *o = cJSON_CreateObject();
	char *txt;
	int rv = 0;

	if (o == NULL || !cJSON_AddStringToObject(o, "id", idtext) ||
	    !cJSON_AddStringToObject(o, "form_id", r->form_id) ||
	    !cJSON_AddNumberToObject(o, "form_version", r->form_version) ||
	    !cJSON_AddStringToObject(o, "school", r->school) ||
	    !cJSON_AddStringToObject(o, "status", r->status) ||
	    !cJSON_AddStringToObject(o, "created_hlc", r->created_hlc) ||
	    !cJSON_AddStringToObject(o, "updated_hlc", r->updated_hlc)) {
		cJSON_Delete(o);
		return TERR_NOMEM;
	}
	if (*data && cJSON_AddItemToObject(o, "data", *data))
		*data = NULL;
	/* its local values are «скрыто»: the vault is locked */
	if (r->sealed != NULL && !cJSON_AddTrueToObject(o, "hidden")) {
		cJSON_Delete(o);
		return TERR_NOMEM;
	}
	if ((txt = cJSON_PrintUnformatted(o)) == NULL) {
		cJSON_Delete(o);
		return TERR_NOMEM;
	}
	if (fprintf(x->out, "%s  %s", x->n ? ",\n" : "", txt) < 0)
		rv = TERR_IO;
	cJSON_free(txt);
	cJSON_Delete(o);
	x->n++;
	return rv;
}

/* The text of column col in row k of a record (k: the item of each group). */
static char *
csvio_export_cell(const struct csvio_export_ctx *x, const struct csvio_col *col,
    const struct localdb_record *r, const char *idtext, const cJSON *data,
    size_t k, bool *num)
{
	char buf[32];
	const cJSON *item = NULL;

	*num = false;
	switch (col->kind) {
	case CSVIO_COL_ID:
		return strdup(idtext);
	case CSVIO_COL_STATUS:
		if (x->codes)
			return strdup(r->status);
		return strdup(strcmp(r->status, "draft") == 0 ? CSVIO_DRAFT_LABEL :
		    CSVIO_FINAL_LABEL);
	case CSVIO_COL_VERSION:
		snprintf(buf, sizeof(buf), "%u", r->form_version);
		*num = true;
		return strdup(buf);
	default:
		break;
	}
	if (col->group == NULL)
		return csvio_value_text(col->fd, data ?
		    cJSON_GetObjectItemCaseSensitive(data, col->fd->id) : NULL,
		    x->codes, num);
	if (data != NULL)
		item = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(data,
		    col->group->id), (int)k);
	if (!cJSON_IsObject(item))
		return strdup("");
	if (col->kind == CSVIO_COL_ITEM) {
		snprintf(buf, sizeof(buf), "%zu", k + 1);
		*num = true;
		return strdup(buf);
	}
	return csvio_value_text(col->fd, cJSON_GetObjectItemCaseSensitive(item,
	    col->fd->id), x->codes, num);
}

/* One row per item of the longest group (one row if none): the record's
 * own fields and its id repeated on each, so a filter on the id column
 * shows the whole record. */
static int
csvio_export_row(const struct localdb_record *r, void *arg)
{
	struct csvio_export_ctx *x = arg;
	char idtext[UUID7_STRLEN + 1];
	cJSON *data = cJSON_Parse(r->data);
	size_t rows = 1;
	int rv = 0;

	if (strcmp(r->status, "deleted") == 0)
		goto out;
	/* the vault locked: «скрыто» for each local value (csvio_hidden.c) */
	if (r->sealed != NULL) {
		const struct form *rf = catalog_get(x->cat, r->form_id,
		    r->form_version);

		if ((rv = csvio_mark_hidden(rf ? rf : x->f, data)) != 0)
			goto out;
	}
	uuid7_format(r->id, idtext);
	if (x->fmt == CSVIO_JSON) {
		rv = csvio_export_json(x, r, idtext, &data);
		if (rv == 0 && x->progress != NULL)
			x->progress(x->progress_ud, x->n, x->total);
		goto out;
	}
	for (size_t g = 0; data && g < x->cols.ngroups; g++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(data,
		    x->cols.groups[g]->id);

		if (cJSON_IsArray(a) && (size_t)cJSON_GetArraySize(a) > rows)
			rows = (size_t)cJSON_GetArraySize(a);
	}
	for (size_t k = 0; k < rows; k++) {
		for (size_t i = 0; i < x->cols.n; i++) {
			bool num;
			char *t = csvio_export_cell(x, &x->cols.v[i], r, idtext, data,
			    k, &num);

			if (t == NULL) {
				rv = TERR_NOMEM;
				goto out;
			}
			rv = csvio_cell(x->row, t, num, x->delim, i == 0);
			free(t);
			if (rv)
				goto out;
		}
		if ((rv = csvio_row_write(x->row, x->out)) != 0)
			goto out;
	}
	x->n++;
	if (x->progress != NULL)
		x->progress(x->progress_ud, x->n, x->total);
 out:
	cJSON_Delete(data);
	if (rv)
		x->err = rv;
	return rv;
}

/*
 * Records of form_id an export writes (not deleted), for the progress
 * line's «из N»; 0 (not known) if counting fails — the export itself then
 * says what is wrong.
 */
uint64_t
csvio_export_count(struct store *s, const char *form_id)
{
	sqlite3_stmt *st = NULL;
	uint64_t n = 0;

	if (sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM records WHERE "
	    "form_id = ?1 AND status <> 'deleted'", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0)
		n = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int
csvio_export(struct store *s, const struct catalog *c, const char *form_id,
    enum csvio_format fmt, bool codes, char delim, FILE *out, struct terr *e)
{
	return csvio_export_progress(s, c, form_id, fmt, codes, delim, out, NULL, NULL, e);
}

int
csvio_export_progress(struct store *s, const struct catalog *c,
    const char *form_id, enum csvio_format fmt, bool codes, char delim, FILE *out,
    progress_fn progress, void *progress_ud, struct terr *e)
{
	struct csvio_export_ctx x = { 0 };
	int r = 0;

	if ((x.progress = progress) != NULL) {
		x.progress_ud = progress_ud;
		x.total = csvio_export_count(s, form_id);
	}
	x.f = catalog_latest(c, form_id);
	x.cat = c;
	x.fmt = fmt;
	x.codes = codes;
	x.delim = delim ? delim : ';';
	x.out = out;
	if (x.f == NULL)
		return terr_set(e, STORE_NOTFOUND, "Форма «%s» не найдена. Список "
		    "форм: «tetrad forms».", form_id);
	if (fmt == CSVIO_CSV) {
		if ((r = csvio_cols_build(x.f, &x.cols, e)) != 0)
			return r;
		if ((x.row = tbuf_new(CSVIO_ROW_MAX)) == NULL) {
			r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
			goto out;
		}
		/* the BOM is what makes Excel read the file as UTF-8 */
		if (fputs("\xef\xbb\xbf", out) < 0)
			goto io;
		for (size_t i = 0; i < x.cols.n; i++)
			if ((r = csvio_cell(x.row, codes ? x.cols.v[i].code_head :
			    x.cols.v[i].label_head, false, x.delim, i == 0)) != 0)
				goto fail;
		if ((r = csvio_row_write(x.row, out)) != 0)
			goto fail;
	} else if (fputs("[\n", out) < 0) {
		goto io;
	}
	if ((r = store_record_each(s, form_id, NULL, csvio_export_row, &x, e)) != 0) {
		if (x.err != 0)
			r = x.err;
		goto fail;
	}
	if (fmt == CSVIO_JSON && fputs(x.n ? "\n]\n" : "]\n", out) < 0)
		goto io;
	if (fflush(out) != 0)
		goto io;
	r = 0;
	goto out;
 fail:
	/* our own failures get a message here; a store error has its own */
	if (r == TERR_IO)
		goto io;
	if (r == TERR_NOMEM)
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	else if (r == TERR_TOO_LARGE)
		r = terr_set(e, TERR_TOO_LARGE, "Строка выгрузки длиннее %u МБ.",
		    CSVIO_ROW_MAX >> 20);
	goto out;
 io:
	r = terr_set(e, TERR_IO, "Не удалось записать выгрузку: %s.",
	    terr_strerror(errno));
 out:
	csvio_cols_free(&x.cols);
	tbuf_free(x.row);
	return r;
}

/* import's input */

/* The whole file through fileio_read_all; a file that cannot be read is the caller's argument. */
int
csvio_read_file(const char *path, char **out, size_t *len, struct terr *e)
{
	uint8_t *buf = NULL;
	char m[TERR_MSG_MAX];
	int r;

	*out = NULL;
	if ((r = fileio_read_all(path, CSV_MAX_BYTES, &buf, len, e)) == TERR_TOO_LARGE)
		return terr_set(e, r, "Файл «%s» больше %u МБ: разделите его на части.", path,
		    CSV_MAX_BYTES >> 20);
	if (r == TERR_IO) {
		snprintf(m, sizeof(m), "%s", e != NULL ? e->msg : "");
		return terr_set(e, TERR_ARG, "Не удалось прочитать файл «%s»: %s.", path, m);
	}
	if (r != 0)
		return r;
	*out = (char *)buf;
	return 0;
}

int
csvio_import(struct store *s, const struct catalog *c, const char *form_id,
    const char *path, char delim, size_t *imported, char **report,
    struct terr *e)
{
	struct csvio_counts n;
	int r = csvio_import_at(s, c, form_id, NULL, path, delim, &n, report, e);

	*imported = n.added + n.updated + n.unchanged;
	return r;
}

int
csvio_import_at(struct store *s, const struct catalog *c, const char *form_id,
    const char *school, const char *path, char delim, struct csvio_counts *n,
    char **report, struct terr *e)
{
	return csvio_import_progress(s, c, form_id, school, path, delim, n, report,
	    NULL, NULL, e);
}

int
csvio_import_progress(struct store *s, const struct catalog *c,
    const char *form_id, const char *school, const char *path, char delim,
    struct csvio_counts *n, char **report, progress_fn progress,
    void *progress_ud, struct terr *e)
{
	char *buf = NULL;
	size_t len = 0;
	int r;

	memset(n, 0, sizeof(*n));
	*report = NULL;
	if (catalog_latest(c, form_id) == NULL)
		return terr_set(e, STORE_NOTFOUND, "Форма «%s» не найдена. Список "
		    "форм: «tetrad forms».", form_id);
	if ((r = csvio_read_file(path, &buf, &len, e)) != 0)
		return r;
	r = csvio_import_buf_progress(s, c, form_id, school, path, buf, len, delim,
	    n, report, progress, progress_ud, e);
	free(buf);
	return r;
}

int
csvio_import_buf_at(struct store *s, const struct catalog *c,
    const char *form_id, const char *school, const char *what, const char *buf,
    size_t len, char delim, struct csvio_counts *n, char **report,
    struct terr *e)
{
	return csvio_import_buf_progress(s, c, form_id, school, what, buf, len, delim,
	    n, report, NULL, NULL, e);
}

/* Our own export starts with the id column's header: the character after
 * it is the delimiter, whatever commas the labels after it hold. Anything
 * else: csv_guess_delim. */
char
csvio_guess_delim(const struct csvio_cols *cols, const char *buf, size_t len)
{
	size_t skip = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;

	for (int codes = 0; cols->n > 0 && codes <= 1; codes++) {
		const char *h = codes ? cols->v[0].code_head : cols->v[0].label_head;
		size_t n = strlen(h);

		if (len > skip + n && memcmp(buf + skip, h, n) == 0 &&
		    strchr(";,\t|", buf[skip + n]) != NULL && buf[skip + n] != '\0')
			return buf[skip + n];
	}
	return csv_guess_delim(buf, len);
}

/* import's report */

void
csvio_report_add(struct csvio_report *rep, size_t line, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	int n;

	rep->problems++;
	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(text)) {
		/* cut on a character: a report line is shown and may be saved */
		terr_utf8_trim(text);
		n = (int)strlen(text);
	}
	/* past the cap the problems are still counted, not kept */
	if (rep->bytes + (size_t)n + 1 > CSVIO_REPORT_MAX)
		return;
	if (rep->n == rep->cap) {
		size_t ncap = rep->cap ? rep->cap * 2 : 64;
		struct csvio_problem *t = realloc(rep->v, ncap * sizeof(*t));

		if (t == NULL)
			return;
		rep->v = t;
		rep->cap = ncap;
	}
	if ((rep->v[rep->n].text = strndup(text, (size_t)n)) == NULL)
		return;
	rep->v[rep->n].line = line;
	rep->v[rep->n].seq = rep->n;
	rep->n++;
	rep->bytes += (size_t)n + 1;
}

static int
csvio_problem_cmp(const void *a, const void *b)
{
	const struct csvio_problem *p = a, *q = b;

	if (p->line != q->line)
		return p->line < q->line ? -1 : 1;
	return p->seq < q->seq ? -1 : p->seq > q->seq;
}

char *
csvio_report_text(struct csvio_report *rep)
{
	char *s, *w;

	if ((s = w = malloc(rep->bytes + 1)) == NULL)
		return NULL;
	if (rep->n > 1)   /* none kept (no memory): rep->v is NULL */
		qsort(rep->v, rep->n, sizeof(*rep->v), csvio_problem_cmp);
	for (size_t i = 0; i < rep->n; i++) {
		size_t l = strlen(rep->v[i].text);

		memcpy(w, rep->v[i].text, l);
		w += l;
		*w++ = '\n';
	}
	*w = '\0';
	return s;
}

void
csvio_report_free(struct csvio_report *rep)
{
	for (size_t i = 0; i < rep->n; i++)
		free(rep->v[i].text);
	free(rep->v);
	memset(rep, 0, sizeof(*rep));
}
