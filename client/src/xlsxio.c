/*
 * xlsxio — a form's records as an Excel workbook (xlsxio.h) through
 * libxlsxwriter. The columns and their texts are csvio's (csvio_private.h),
 * so a person sees the same headers and labels in the CSV and the
 * workbook; what a spreadsheet adds: the record's own fields on one sheet,
 * each repeat group's items on a sheet of their own (linked by «Запись»),
 * dates and numbers as Excel values, a frozen header and a filter.
 *
 * libxlsxwriter writes the file itself at workbook_close: it writes to a
 * private temporary file beside path (mkstemp: 0600, children's data),
 * which is renamed over path only when complete.
 */
#include "client/xlsxio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <xlsxwriter.h>

#include "tetrad/form.h"
#include "tetrad/uuid7.h"

#include "client/csvio.h"

#include "csvio_private.h"

#define XLSXIO_ROWS_MAX 1048575u     /* Excel's rows, less the header */
#define XLSXIO_CELL_MAX 32767u       /* bytes we put in one cell (Excel: characters) */
#define XLSXIO_SHEET_NAME_MAX 31     /* characters */
#define XLSXIO_WIDTH_MIN 8
#define XLSXIO_WIDTH_MAX 60
#define XLSXIO_CUT "… (обрезано)"
#define XLSXIO_RECORDS "Записи"
/* days from 1899-12-30 (Excel's day 0 in its 1900 system) to 1970-01-01 */
#define XLSXIO_EPOCH 25569

/* One sheet: which of csvio's columns it shows, in order. */
struct xlsxio_sheet {
	lxw_worksheet *ws;
	size_t *cols;                /* indices into csvio_cols.v */
	size_t n;
	size_t *width;               /* the widest text seen, characters */
	lxw_row_t row;               /* the next row to write (0: the header) */
	const struct form_field *group;  /* NULL: the records sheet */
};

struct xlsxio_ctx {
	const struct form *f;
	const struct catalog *cat;
	struct csvio_cols cols;
	lxw_workbook *wb;
	lxw_format *head, *date, *text;
	struct xlsxio_sheet *sheets; /* [0] records, then one per group */
	size_t nsheets;
	int err;
	struct terr *e;
	progress_fn progress;
	void *progress_ud;
	uint64_t done, total;
};

static size_t
xlsxio_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* A sheet name Excel takes: no []:*?/\, at most 31 characters, not empty,
 * not another sheet's (a second «Стороны» becomes «Стороны (2)»). */
static void
xlsxio_sheet_name(const struct xlsxio_ctx *x, const char *label, size_t k, char *out,
    size_t cap)
{
	char base[4 * XLSXIO_SHEET_NAME_MAX + 1];
	size_t o = 0, chars = 0;
	const char *p = label;

	/* whole characters only, leaving room for « (N)» */
	while (*p && chars < XLSXIO_SHEET_NAME_MAX - 4) {
		unsigned char c = (unsigned char)*p;
		size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;

		if (o + len >= sizeof(base) || strnlen(p, len) < len)
			break;
		if (len == 1 && (strchr("[]:*?/\\'", c) != NULL || c < 0x20))
			base[o] = ' ';
		else
			memcpy(base + o, p, len);
		o += len;
		p += len;
		chars++;
	}
	base[o] = '\0';
	/* trailing whitespace may come from a replaced character: tidy */
	while (o > 0 && base[o - 1] == ' ')
		base[--o] = '\0';
	if (o == 0)
		snprintf(base, sizeof(base), "Группа %zu", k);
	snprintf(out, cap, "%s", base);
	for (unsigned n = 2; n < 100; n++) {
		bool taken = strcmp(out, XLSXIO_RECORDS) == 0;

		for (size_t i = 0; !taken && i < x->nsheets; i++)
			taken = x->sheets[i].ws != NULL &&
			    strcmp(x->sheets[i].ws->name, out) == 0;
		if (!taken)
			return;
		snprintf(out, cap, "%s (%u)", base, n);
	}
}

static int
xlsxio_lxw(struct xlsxio_ctx *x, lxw_error le, const char *what)
{
	if (le == LXW_NO_ERROR)
		return 0;
	if (x->err == 0)
		x->err = terr_set(x->e, le == LXW_ERROR_MEMORY_MALLOC_FAILED ? TERR_NOMEM : TERR_IO,
		    "Не удалось составить книгу Excel (%s): %s.", what, lxw_strerror(le));
	return x->err;
}

/* The sheets and their headers. */
static int
xlsxio_sheets(struct xlsxio_ctx *x)
{
	char name[4 * XLSXIO_SHEET_NAME_MAX + 16];

	x->nsheets = 1 + x->cols.ngroups;
	if ((x->sheets = calloc(x->nsheets, sizeof(*x->sheets))) == NULL)
		return TERR_NOMEM;
	for (size_t s = 0; s < x->nsheets; s++) {
		struct xlsxio_sheet *sh = &x->sheets[s];

		sh->group = s == 0 ? NULL : x->cols.groups[s - 1];
		if ((sh->cols = calloc(x->cols.n, sizeof(*sh->cols))) == NULL ||
		    (sh->width = calloc(x->cols.n, sizeof(*sh->width))) == NULL)
			return TERR_NOMEM;
		for (size_t i = 0; i < x->cols.n; i++) {
			const struct csvio_col *c = &x->cols.v[i];

			/* records: the record's own columns; a group's sheet: the
			 * record's id, then the item's number and members */
			if (sh->group == NULL ? c->group == NULL :
			    (c->kind == CSVIO_COL_ID || c->group == sh->group))
				sh->cols[sh->n++] = i;
		}
		if (s == 0)
			snprintf(name, sizeof(name), "%s", XLSXIO_RECORDS);
		else
			xlsxio_sheet_name(x, sh->group->label, s, name, sizeof(name));
		if ((sh->ws = workbook_add_worksheet(x->wb, name)) == NULL)
			return xlsxio_lxw(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "лист");
		for (size_t j = 0; j < sh->n; j++) {
			const char *h = x->cols.v[sh->cols[j]].label_head;

			if (xlsxio_lxw(x, worksheet_write_string(sh->ws, 0, (lxw_col_t)j, h,
			    x->head), "заголовок") != 0)
				return x->err;
			sh->width[j] = xlsxio_chars(h);
		}
		sh->row = 1;
	}
	return 0;
}

/* A text cell, cut to what Excel holds (a long local text, rare). */
static int
xlsxio_put_text(struct xlsxio_ctx *x, struct xlsxio_sheet *sh, size_t j, const char *t)
{
	char *cut = NULL;
	size_t n = strlen(t), w;
	int r;

	if (n > XLSXIO_CELL_MAX) {
		size_t k = XLSXIO_CELL_MAX - sizeof(XLSXIO_CUT);

		while (k > 0 && ((unsigned char)t[k] & 0xc0) == 0x80)
			k--;
		if ((cut = malloc(k + sizeof(XLSXIO_CUT))) == NULL)
			return TERR_NOMEM;
		memcpy(cut, t, k);
		memcpy(cut + k, XLSXIO_CUT, sizeof(XLSXIO_CUT));
		t = cut;
	}
	w = xlsxio_chars(t);
	if (w > sh->width[j])
		sh->width[j] = w;
	r = *t == '\0' ? 0 : xlsxio_lxw(x, worksheet_write_string(sh->ws, sh->row, (lxw_col_t)j,
	    t, x->text), "ячейка");
	free(cut);
	return r;
}

/*
 * One cell: a date as an Excel date shown ДД.ММ.ГГГГ, a number as a number,
 * anything else as csvio's text (labels, да/нет, «затрудняюсь ответить»).
 */
static int
xlsxio_put_value(struct xlsxio_ctx *x, struct xlsxio_sheet *sh, size_t j,
    const struct form_field *fd, const cJSON *v)
{
	bool num;
	char *t;
	long days;
	int r;

	if (fd->type == FORM_DATE && cJSON_IsString(v) &&
	    form_date_days(v->valuestring, &days) == 0 && days + XLSXIO_EPOCH > 60) {
		if (sh->width[j] < 10)
			sh->width[j] = 10;
		return xlsxio_lxw(x, worksheet_write_number(sh->ws, sh->row, (lxw_col_t)j,
		    (double)(days + XLSXIO_EPOCH), x->date), "дата");
	}
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
		char buf[32];
		size_t w = (size_t)snprintf(buf, sizeof(buf), "%.15g", v->valuedouble);

		if (w > sh->width[j])
			sh->width[j] = w;
		return xlsxio_lxw(x, worksheet_write_number(sh->ws, sh->row, (lxw_col_t)j,
		    v->valuedouble, NULL), "число");
	}
	if ((t = csvio_value_text(fd, v, false, &num)) == NULL)
		return TERR_NOMEM;
	r = xlsxio_put_text(x, sh, j, t);
	free(t);
	return r;
}

/* Row sh->row of sheet sh: the record r, or (a group's sheet) its item. */
static int
xlsxio_put_row(struct xlsxio_ctx *x, struct xlsxio_sheet *sh, const struct localdb_record *r,
    const char *idtext, const cJSON *data, const cJSON *item, size_t k)
{
	int rv = 0;

	if (sh->row > XLSXIO_ROWS_MAX) {
		x->err = terr_set(x->e, TERR_TOO_LARGE, "На листе «%s» больше %u строк — "
		    "столько Excel не вмещает; выгрузите в CSV.", sh->ws->name, XLSXIO_ROWS_MAX);
		return x->err;
	}
	for (size_t j = 0; rv == 0 && j < sh->n; j++) {
		const struct csvio_col *c = &x->cols.v[sh->cols[j]];

		switch (c->kind) {
		case CSVIO_COL_ID:
			rv = xlsxio_put_text(x, sh, j, idtext);
			break;
		case CSVIO_COL_STATUS:
			rv = xlsxio_put_text(x, sh, j, strcmp(r->status, "draft") == 0 ?
			    CSVIO_DRAFT_LABEL : CSVIO_FINAL_LABEL);
			break;
		case CSVIO_COL_VERSION:
			rv = xlsxio_lxw(x, worksheet_write_number(sh->ws, sh->row, (lxw_col_t)j,
			    (double)r->form_version, NULL), "версия");
			break;
		case CSVIO_COL_ITEM:
			rv = xlsxio_lxw(x, worksheet_write_number(sh->ws, sh->row, (lxw_col_t)j,
			    (double)(k + 1), NULL), "номер");
			break;
		case CSVIO_COL_FIELD:
			rv = xlsxio_put_value(x, sh, j, c->fd, cJSON_GetObjectItemCaseSensitive(
			    item ? item : data, c->fd->id));
			break;
		}
	}
	sh->row++;
	return rv;
}

static int
xlsxio_record(const struct localdb_record *r, void *arg)
{
	struct xlsxio_ctx *x = arg;
	char idtext[UUID7_STRLEN + 1];
	cJSON *data = NULL;
	int rv = 0;

	if (strcmp(r->status, "deleted") == 0)
		return 0;
	if ((data = cJSON_Parse(r->data)) == NULL && (data = cJSON_CreateObject()) == NULL) {
		rv = TERR_NOMEM;
		goto out;
	}
	/* the vault locked: «скрыто» for each local value, as in the CSV */
	if (r->sealed != NULL) {
		const struct form *rf = catalog_get(x->cat, r->form_id, r->form_version);

		if ((rv = csvio_mark_hidden(rf ? rf : x->f, data)) != 0)
			goto out;
	}
	uuid7_format(r->id, idtext);
	if ((rv = xlsxio_put_row(x, &x->sheets[0], r, idtext, data, NULL, 0)) != 0)
		goto out;
	for (size_t s = 1; s < x->nsheets; s++) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(data, x->sheets[s].group->id);
		const cJSON *item;
		size_t k = 0;

		if (!cJSON_IsArray(a))
			continue;
		cJSON_ArrayForEach(item, a) {
			if (cJSON_IsObject(item) &&
			    (rv = xlsxio_put_row(x, &x->sheets[s], r, idtext, data, item, k)) != 0)
				goto out;
			k++;
		}
	}
	if (x->progress != NULL)
		x->progress(x->progress_ud, ++x->done, x->total);
 out:
	cJSON_Delete(data);
	if (rv != 0 && x->err == 0)
		x->err = rv;
	return rv;
}

/* Widths from the texts seen, the header frozen, a filter on it. */
static int
xlsxio_finish_sheets(struct xlsxio_ctx *x)
{
	for (size_t s = 0; s < x->nsheets; s++) {
		struct xlsxio_sheet *sh = &x->sheets[s];

		for (size_t j = 0; j < sh->n; j++) {
			size_t w = sh->width[j] + 2;

			w = w < XLSXIO_WIDTH_MIN ? XLSXIO_WIDTH_MIN : w > XLSXIO_WIDTH_MAX ?
			    XLSXIO_WIDTH_MAX : w;
			if (xlsxio_lxw(x, worksheet_set_column(sh->ws, (lxw_col_t)j, (lxw_col_t)j,
			    (double)w, NULL), "ширина столбца") != 0)
				return x->err;
		}
		worksheet_freeze_panes(sh->ws, 1, 0);
		if (sh->n > 0 && xlsxio_lxw(x, worksheet_autofilter(sh->ws, 0, 0, sh->row - 1,
		    (lxw_col_t)(sh->n - 1)), "фильтр") != 0)
			return x->err;
	}
	return 0;
}

static int
xlsxio_formats(struct xlsxio_ctx *x)
{
	if ((x->head = workbook_add_format(x->wb)) == NULL ||
	    (x->date = workbook_add_format(x->wb)) == NULL ||
	    (x->text = workbook_add_format(x->wb)) == NULL)
		return TERR_NOMEM;
	format_set_bold(x->head);
	format_set_text_wrap(x->head);
	format_set_align(x->head, LXW_ALIGN_VERTICAL_TOP);
	format_set_bottom(x->head, LXW_BORDER_THIN);
	format_set_bg_color(x->head, 0xEEEEEE);
	format_set_num_format(x->date, "DD.MM.YYYY");
	format_set_align(x->date, LXW_ALIGN_LEFT);
	/* "@": text stays text — a code like 0012 or 1-2 is not made a
	 * number or a date when the cell is edited */
	format_set_num_format(x->text, "@");
	format_set_align(x->text, LXW_ALIGN_VERTICAL_TOP);
	return 0;
}

/* The finished temporary file made durable and renamed over path. */
static int
xlsxio_commit(const char *tmp, const char *path, struct terr *e)
{
	char dir[PATH_MAX];
	int fd;

	if ((fd = open(tmp, O_RDONLY | O_CLOEXEC)) < 0 || fsync(fd) != 0) {
		int saved = errno;

		if (fd >= 0)
			close(fd);
		return terr_set(e, TERR_IO, "Не удалось записать %s: %s.", path,
		    terr_strerror(saved));
	}
	close(fd);
	if (rename(tmp, path) != 0)
		return terr_set(e, TERR_IO, "Не удалось записать %s: %s.", path,
		    terr_strerror(errno));
	snprintf(dir, sizeof(dir), "%s", path);
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	return 0;
}

int
xlsxio_export(struct store *s, const struct catalog *c, const char *form_id,
    const char *path, struct terr *e)
{
	return xlsxio_export_progress(s, c, form_id, path, NULL, NULL, e);
}

int
xlsxio_export_progress(struct store *s, const struct catalog *c, const char *form_id,
    const char *path, progress_fn progress, void *progress_ud, struct terr *e)
{
	struct xlsxio_ctx x = { 0 };
	lxw_workbook_options opt = { 0 };
	char *tmp = NULL, *tmpdir = NULL, *slash;
	bool made = false;
	size_t n;
	int fd = -1, r;

	x.e = e;
	x.cat = c;
	if ((x.progress = progress) != NULL) {
		x.progress_ud = progress_ud;
		x.total = csvio_export_count(s, form_id);
	}
	if ((x.f = catalog_latest(c, form_id)) == NULL)
		return terr_set(e, STORE_NOTFOUND, "Форма «%s» не найдена. Список форм: "
		    "«tetrad forms».", form_id);
	if ((r = csvio_cols_build(x.f, &x.cols, e)) != 0)
		return r;
	n = strlen(path);
	if ((tmp = malloc(n + sizeof(".XXXXXX"))) == NULL) {
		r = TERR_NOMEM;
		goto out;
	}
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".XXXXXX", sizeof(".XXXXXX"));
	/* 0600 and ours; libxlsxwriter opens this same file by name */
	if ((fd = mkstemp(tmp)) < 0) {
		r = terr_set(e, TERR_IO, "Не удалось создать файл рядом с %s: %s.", path,
		    terr_strerror(errno));
		goto out;
	}
	made = true;
	close(fd);
	/*
	 * libxlsxwriter spools each worksheet to a temporary file, by default
	 * in the system's shared /tmp: the rows (children's data) would sit
	 * there outside the database's folder. Beside the output instead —
	 * for `tetrad ui` that is the database's folder.
	 */
	if ((tmpdir = strdup(strchr(path, '/') != NULL ? path : ".")) == NULL) {
		r = TERR_NOMEM;
		goto out;
	}
	/* the folder: "/x" is "/", "d/x" is "d", "." stays */
	if ((slash = strrchr(tmpdir, '/')) == tmpdir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	opt.tmpdir = tmpdir;
	if ((x.wb = workbook_new_opt(tmp, &opt)) == NULL) {
		r = TERR_NOMEM;
		goto out;
	}
	if ((r = xlsxio_formats(&x)) != 0 || (r = xlsxio_sheets(&x)) != 0)
		goto out;
	if ((r = store_record_each(s, form_id, NULL, xlsxio_record, &x, e)) != 0) {
		if (x.err != 0)
			r = x.err;
		goto out;
	}
	if ((r = xlsxio_finish_sheets(&x)) != 0)
		goto out;
	{
		lxw_error le = workbook_close(x.wb);

		x.wb = NULL;
		if (le != LXW_NO_ERROR) {
			r = terr_set(e, TERR_IO, "Не удалось записать книгу Excel %s: %s.", path,
			    lxw_strerror(le));
			goto out;
		}
	}
	if ((r = xlsxio_commit(tmp, path, e)) == 0)
		made = false;
 out:
	if (r == TERR_NOMEM && e->code != TERR_NOMEM)
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	if (x.wb != NULL) {
		/* closing writes the file: it is removed just after */
		(void)workbook_close(x.wb);
	}
	if (made)
		unlink(tmp);
	free(tmp);
	free(tmpdir);
	for (size_t i = 0; x.sheets && i < x.nsheets; i++) {
		free(x.sheets[i].cols);
		free(x.sheets[i].width);
	}
	free(x.sheets);
	csvio_cols_free(&x.cols);
	return r;
}
