/*
 * csvio_import — all-or-nothing import of a spreadsheet's CSV into records
 * of a form: new ones, and edits of this database's own records when a
 * «Запись» cell names one (csvio_match.c: an exported file edited in Excel
 * comes back as updates, not copies). Reads back what csvio_export writes in either header
 * mode (Russian labels or --codes ids, labels or codes in cells), and what
 * people type: one row per record, or one row per item of a repeat group
 * with the rows of a record linked by the «Запись» column.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/uuid7.h"

#include "client/csvio.h"
#include "client/rec.h"

#include "csvio_private.h"

/* One item of a repeat group as read: its number orders the items. */
struct csvio_item {
	size_t num, line;
	cJSON *obj;
};

struct csvio_items {
	struct csvio_item *v;
	size_t n, cap;
};

/* One record being gathered from its rows. */
struct csvio_rec {
	char *key;                  /* the «Запись» cell; NULL: a row of its own */
	size_t line;                /* its first row */
	bool draft, status_set;
	bool bad;                   /* a cell of its rows is wrong (reported) */
	const struct form *f;       /* its «Версия формы», or NULL: the newest */
	cJSON *values;              /* the record's own fields */
	struct csvio_items *items;  /* per group of the form */
	struct csvio_target tgt;    /* a stored record it edits, if any */
};

struct csvio_import_ctx {
	struct store *s;                 /* NULL: a check only */
	const struct catalog *cat;
	cJSON *covered;                  /* field ids the header has columns for */
	const struct form *f;            /* the newest version: the columns */
	struct csvio_cols cols;
	struct csvio_col *legacy;        /* per group: its items as one JSON cell */
	const struct csvio_col **map;    /* per header cell; NULL: ignored */
	size_t ncols, key_col;           /* key_col SIZE_MAX: no «Запись» column */
	size_t ver_col;                  /* SIZE_MAX: no «Версия формы» column */
	bool header_done;
	struct csvio_rec *recs;
	size_t nrecs, cap;
	size_t *hash, hcap;              /* recs index + 1 by key; 0 empty */
	struct csvio_report rep;
	struct terr *e;
};

static bool
csvio_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return false;
	return true;
}

/* header */

/*
 * The column a header cell names: this layout's Russian or code header,
 * a group member's own label when no other member has it, and (files of
 * older versions) a group's id or label for its items as JSON. 1 for a
 * column to ignore (the old «status»), -1 for an unknown one.
 */
static int
csvio_find_column(struct csvio_import_ctx *x, const char *name,
    const struct csvio_col **out)
{
	const struct csvio_col *hit = NULL;

	*out = NULL;
	for (size_t i = 0; i < x->cols.n; i++)
		if (strcmp(x->cols.v[i].label_head, name) == 0) {
			*out = &x->cols.v[i];
			return 0;
		}
	for (size_t i = 0; i < x->cols.n; i++)
		if (strcmp(x->cols.v[i].code_head, name) == 0) {
			*out = &x->cols.v[i];
			return 0;
		}
	if (strcmp(name, "id") == 0) {
		*out = &x->cols.v[0];
		return 0;
	}
	if (strcmp(name, "status") == 0 || strcmp(name, "form_version") == 0)
		return 1;
	for (size_t g = 0; g < x->cols.ngroups; g++)
		if (strcmp(x->cols.groups[g]->id, name) == 0 ||
		    strcmp(x->cols.groups[g]->label, name) == 0) {
			*out = &x->legacy[g];
			return 0;
		}
	for (size_t i = 0; i < x->cols.n; i++) {
		const struct csvio_col *c = &x->cols.v[i];

		if (c->kind != CSVIO_COL_FIELD || c->group == NULL ||
		    strcmp(c->fd->label, name) != 0)
			continue;
		if (hit != NULL)
			return -1;
		hit = c;
	}
	*out = hit;
	return hit ? 0 : -1;
}

static int
csvio_header(struct csvio_import_ctx *x, size_t line, size_t n,
    char *const *cells)
{
	x->header_done = true;
	x->ncols = n;
	x->key_col = x->ver_col = SIZE_MAX;
	if ((x->map = calloc(n ? n : 1, sizeof(*x->map))) == NULL)
		return terr_set(x->e, TERR_NOMEM, "Недостаточно памяти.");
	for (size_t i = 0; i < n; i++) {
		const char *h = cells[i];
		int k;

		if (csvio_blank(h))
			continue;
		if ((k = csvio_find_column(x, h, &x->map[i])) < 0) {
			csvio_report_add(&x->rep, line, "Строка %zu (заголовок), "
			    "столбец %zu: в форме «%s» нет поля «%s».", line, i + 1,
			    form_title(x->f), h);
			continue;
		}
		for (size_t j = 0; x->map[i] && j < i; j++)
			if (x->map[j] == x->map[i])
				csvio_report_add(&x->rep, line, "Строка %zu (заголовок): "
				    "поле «%s» указано дважды.", line, h);
		if (x->map[i] && x->map[i]->kind == CSVIO_COL_VERSION)
			x->ver_col = i;
		if (x->map[i] && x->map[i]->kind == CSVIO_COL_ID)
			x->key_col = i;
		if (x->map[i] && (x->map[i]->kind == CSVIO_COL_FIELD ||
		    x->map[i]->kind == CSVIO_COL_ITEM)) {
			const struct form_field *fd = x->map[i]->group ?
			    x->map[i]->group : x->map[i]->fd;

			if (!cJSON_HasObjectItem(x->covered, fd->id) &&
			    cJSON_AddTrueToObject(x->covered, fd->id) == NULL)
				return terr_set(x->e, TERR_NOMEM, "Недостаточно памяти.");
		}
	}
	return 0;
}

/* records by key */

static size_t
csvio_hash(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static int
csvio_hash_grow(struct csvio_import_ctx *x)
{
	size_t ncap = x->hcap ? x->hcap * 2 : 1024, *t;

	if ((t = calloc(ncap, sizeof(*t))) == NULL)
		return TERR_NOMEM;
	for (size_t i = 0; i < x->nrecs; i++) {
		size_t h;

		if (x->recs[i].key == NULL)
			continue;
		for (h = csvio_hash(x->recs[i].key) & (ncap - 1); t[h] != 0;
		    h = (h + 1) & (ncap - 1))
			;
		t[h] = i + 1;
	}
	free(x->hash);
	x->hash = t;
	x->hcap = ncap;
	return 0;
}

/* The record with key (NULL: always a new one) in *out. */
static int
csvio_rec_get(struct csvio_import_ctx *x, const char *key, size_t line,
    struct csvio_rec **out)
{
	struct csvio_rec *rec;
	size_t h = 0;

	if (key != NULL) {
		for (h = csvio_hash(key) & (x->hcap - 1); x->hash[h] != 0;
		    h = (h + 1) & (x->hcap - 1))
			if (strcmp(x->recs[x->hash[h] - 1].key, key) == 0) {
				*out = &x->recs[x->hash[h] - 1];
				return 0;
			}
	}
	if (x->nrecs == x->cap) {
		size_t ncap = x->cap ? x->cap * 2 : 64;
		struct csvio_rec *t = realloc(x->recs, ncap * sizeof(*t));

		if (t == NULL)
			return TERR_NOMEM;
		x->recs = t;
		x->cap = ncap;
	}
	rec = &x->recs[x->nrecs];
	memset(rec, 0, sizeof(*rec));
	rec->line = line;
	if ((rec->values = cJSON_CreateObject()) == NULL ||
	    (rec->items = calloc(x->cols.ngroups ? x->cols.ngroups : 1,
	    sizeof(*rec->items))) == NULL ||
	    (key != NULL && (rec->key = strdup(key)) == NULL)) {
		cJSON_Delete(rec->values);
		free(rec->items);
		return TERR_NOMEM;
	}
	x->nrecs++;
	if (key != NULL) {
		x->hash[h] = x->nrecs;
		/* at most half full: probes stay short */
		if (x->nrecs * 2 > x->hcap && csvio_hash_grow(x) != 0)
			return TERR_NOMEM;
	}
	*out = rec;
	return 0;
}

static void
csvio_rec_free(struct csvio_rec *rec, size_t ngroups)
{
	free(rec->key);
	cJSON_Delete(rec->values);
	cJSON_Delete(rec->tgt.values);
	for (size_t g = 0; rec->items && g < ngroups; g++) {
		for (size_t i = 0; i < rec->items[g].n; i++)
			cJSON_Delete(rec->items[g].v[i].obj);
		free(rec->items[g].v);
	}
	free(rec->items);
}

/* The record's status from its cell: «черновик» / draft or final. */
static void
csvio_status(struct csvio_import_ctx *x, struct csvio_rec *rec,
    const char *cell, size_t line)
{
	bool draft;

	if (strcmp(cell, CSVIO_DRAFT_LABEL) == 0 || strcmp(cell, "draft") == 0)
		draft = true;
	else if (strcmp(cell, CSVIO_FINAL_LABEL) == 0 || strcmp(cell, "final") == 0)
		draft = false;
	else {
		csvio_report_add(&x->rep, line, "Строка %zu: статус записи «%s» не "
		    "понятен: «%s» или «%s».", line, cell, CSVIO_DRAFT_LABEL,
		    CSVIO_FINAL_LABEL);
		return;
	}
	if (rec->status_set && rec->draft != draft)
		csvio_report_add(&x->rep, line, "Строка %zu: статус записи не совпадает "
		    "со строкой %zu той же записи.", line, rec->line);
	rec->draft = draft;
	rec->status_set = true;
}

/*
 * The record's form version from its «Версия формы» cell: a record keeps
 * the version it was made with (an export of older records imports back
 * under their own rules), if this device has it.
 */
static void
csvio_version(struct csvio_import_ctx *x, struct csvio_rec *rec,
    const char *cell, size_t line)
{
	const struct form *f = NULL;
	char *end = NULL;
	unsigned long v = strtoul(cell, &end, 10);

	if (cell[0] >= '1' && cell[0] <= '9' && end != NULL && *end == '\0' &&
	    v <= UINT32_MAX)
		f = catalog_get(x->cat, form_id(x->f), (uint32_t)v);
	if (f == NULL) {
		csvio_report_add(&x->rep, line, "Строка %zu: версии «%s» формы «%s» "
		    "на этом устройстве нет. Оставьте ячейку «Версия формы» пустой: "
		    "запись будет новейшей версии %u.", line, cell, form_title(x->f),
		    form_version(x->f));
		return;
	}
	if (rec->f != NULL && rec->f != f)
		csvio_report_add(&x->rep, line, "Строка %zu: версия формы не "
		    "совпадает со строкой %zu той же записи.", line, rec->line);
	rec->f = f;
}

/* A record field of one row: the first row of a record gives it, later
 * rows may repeat it (what the export writes) or leave it blank. */
static int
csvio_rec_field(struct csvio_import_ctx *x, struct csvio_rec *rec,
    const struct csvio_col *col, char *cell, size_t line)
{
	const cJSON *had = cJSON_GetObjectItemCaseSensitive(rec->values,
	    col->fd->id);
	cJSON *v = NULL;
	int r;

	if ((r = csvio_cell_value(&x->rep, col->fd, cell, line, &v, x->e)) != 0)
		return r == 1 ? 0 : r;
	if (had != NULL) {
		if (!cJSON_Compare(had, v, true))
			csvio_report_add(&x->rep, line, "Строка %zu: «%s» не совпадает со "
			    "строкой %zu той же записи.", line, col->fd->label,
			    rec->line);
		cJSON_Delete(v);
		return 0;
	}
	if (!cJSON_AddItemToObject(rec->values, col->fd->id, v)) {
		cJSON_Delete(v);
		return terr_set(x->e, TERR_NOMEM, "Недостаточно памяти.");
	}
	return 0;
}

/* The item of group g on one row, if any of its cells is filled. */
static int
csvio_rec_item(struct csvio_import_ctx *x, struct csvio_rec *rec, size_t g,
    size_t n, char *const *cells, size_t line)
{
	const struct form_field *grp = x->cols.groups[g];
	struct csvio_items *it = &rec->items[g];
	struct csvio_item item = { 0 };
	const char *num = NULL;
	bool any = false, bad = false;
	int r = 0;

	for (size_t i = 0; i < n; i++)
		if (x->map[i] && x->map[i]->group == grp && !csvio_blank(cells[i])) {
			any = true;
			if (x->map[i]->kind == CSVIO_COL_ITEM)
				num = cells[i];
		}
	if (!any)
		return 0;
	item.line = line;
	if (num != NULL) {
		char *end = NULL;
		unsigned long k = strtoul(num, &end, 10);

		while (end && (*end == ' ' || *end == '\t'))
			end++;
		if (num[0] < '0' || num[0] > '9' || end == NULL || *end != '\0' ||
		    k < 1 || k > FORM_MAX_REPEAT) {
			csvio_report_add(&x->rep, line, "Строка %zu: «%s: №» — номер "
			    "элемента от 1 до %d, а не «%s».", line, grp->label,
			    FORM_MAX_REPEAT, num);
			return 0;
		}
		item.num = k;
	} else {
		for (size_t i = 0; i < it->n; i++)
			if (it->v[i].num > item.num)
				item.num = it->v[i].num;
		item.num++;
	}
	for (size_t i = 0; i < it->n; i++)
		if (it->v[i].num == item.num) {
			csvio_report_add(&x->rep, line, "Строка %zu: элемент №%zu "
			    "группы «%s» уже есть в строке %zu той же записи.", line, item.num,
			    grp->label, it->v[i].line);
			return 0;
		}
	if (it->n >= FORM_MAX_REPEAT) {
		csvio_report_add(&x->rep, line, "Строка %zu: в группе «%s» больше %d "
		    "элементов.", line, grp->label, FORM_MAX_REPEAT);
		return 0;
	}
	if ((item.obj = cJSON_CreateObject()) == NULL)
		return terr_set(x->e, TERR_NOMEM, "Недостаточно памяти.");
	for (size_t i = 0; i < n; i++) {
		const struct csvio_col *c = x->map[i];
		cJSON *v = NULL;

		if (c == NULL || c->group != grp || c->kind != CSVIO_COL_FIELD ||
		    csvio_blank(cells[i]))
			continue;
		if ((r = csvio_cell_value(&x->rep, c->fd, cells[i], line, &v,
		    x->e)) == 1) {
			bad = true;
			continue;
		}
		if (r != 0 || !cJSON_AddItemToObject(item.obj, c->fd->id, v)) {
			cJSON_Delete(v);
			r = r ? r : terr_set(x->e, TERR_NOMEM, "Недостаточно памяти.");
			goto out;
		}
	}
	if (bad)
		goto out;
	if (it->n == it->cap) {
		size_t ncap = it->cap ? it->cap * 2 : 8;
		struct csvio_item *t = realloc(it->v, ncap * sizeof(*t));

		if (t == NULL) {
			r = terr_set(x->e, TERR_NOMEM, "Недостаточно памяти.");
			goto out;
		}
		it->v = t;
		it->cap = ncap;
	}
	it->v[it->n++] = item;
	item.obj = NULL;
 out:
	cJSON_Delete(item.obj);
	return r;
}

static int
csvio_import_row(size_t line, size_t n, char *const *cells, void *arg)
{
	struct csvio_import_ctx *x = arg;
	struct csvio_rec *rec;
	const char *key = NULL;
	bool empty = true;
	size_t before;
	int r;

	if (!x->header_done)
		return csvio_header(x, line, n, cells);
	for (size_t i = 0; i < n; i++)
		if (!csvio_blank(cells[i]))
			empty = false;
	if (empty)  /* spreadsheets leave blank lines at the end */
		return 0;
	if (n > x->ncols) {
		csvio_report_add(&x->rep, line, "Строка %zu: %zu значений, а столбцов в "
		    "заголовке %zu.", line, n, x->ncols);
		return 0;
	}
	if (x->key_col < n && !csvio_blank(cells[x->key_col]))
		key = cells[x->key_col];
	if ((r = csvio_rec_get(x, key, line, &rec)) != 0)
		return terr_set(x->e, r, "Недостаточно памяти.");
	before = x->rep.problems;
	for (size_t i = 0; i < n; i++) {
		const struct csvio_col *c = x->map[i];

		if (c == NULL || csvio_blank(cells[i]))
			continue;
		if (c->kind == CSVIO_COL_STATUS)
			csvio_status(x, rec, cells[i], line);
		else if (c->kind == CSVIO_COL_VERSION)
			csvio_version(x, rec, cells[i], line);
		else if (c->kind == CSVIO_COL_FIELD && c->group == NULL &&
		    (r = csvio_rec_field(x, rec, c, cells[i], line)) != 0)
			return r;
	}
	for (size_t g = 0; g < x->cols.ngroups; g++)
		if ((r = csvio_rec_item(x, rec, g, n, cells, line)) != 0)
			return r;
	if (x->rep.problems != before)
		rec->bad = true;
	return 0;
}

static int
csvio_item_cmp(const void *a, const void *b)
{
	const struct csvio_item *p = a, *q = b;

	return p->num < q->num ? -1 : p->num > q->num;
}

/* The record's values: its fields and each group's items by number.
 * Takes the items' objects. */
static cJSON *
csvio_rec_values(struct csvio_import_ctx *x, struct csvio_rec *rec)
{
	cJSON *v = cJSON_Duplicate(rec->values, true);

	for (size_t g = 0; v != NULL && g < x->cols.ngroups; g++) {
		struct csvio_items *it = &rec->items[g];
		cJSON *a;

		if (it->n == 0)
			continue;
		if ((a = cJSON_AddArrayToObject(v, x->cols.groups[g]->id)) == NULL) {
			cJSON_Delete(v);
			return NULL;
		}
		qsort(it->v, it->n, sizeof(*it->v), csvio_item_cmp);
		for (size_t i = 0; i < it->n; i++) {
			/* which stored item a «скрыто» cell stands for: its «№» */
			if (csvio_hidden_cells(it->v[i].obj) &&
			    !cJSON_AddNumberToObject(it->v[i].obj, CSVIO_ITEM_NUM,
			    (double)it->v[i].num)) {
				cJSON_Delete(v);
				return NULL;
			}
			if (!cJSON_AddItemToArray(a, it->v[i].obj)) {
				cJSON_Delete(v);
				return NULL;
			}
			it->v[i].obj = NULL;
		}
		it->n = 0;
	}
	return v;
}

/* Whether rec edits a record of this database (csvio_match): 0, 1 if it
 * cannot (reported), or an error. */
static int
csvio_rec_target(struct csvio_import_ctx *x, struct csvio_rec *rec,
    const cJSON *v)
{
	struct csvio_match_in in = { 0 };

	if (x->s == NULL || rec->key == NULL)
		return 0;
	in.key = rec->key;
	in.line = rec->line;
	in.values = v;
	in.covered = x->covered;
	in.file_f = rec->f;
	in.status_set = rec->status_set;
	in.draft = rec->draft;
	return csvio_match(x->s, x->cat, form_id(x->f), &in, &x->rep, &rec->tgt,
	    x->e);
}

/* Every record gathered: checked as a draft or final record (reported;
 * an edit of a stored record with its own form version, as the status it
 * will have), then the values in vals (an array, in file order). */
static int
csvio_check_all(struct csvio_import_ctx *x, cJSON *vals)
{
	for (size_t i = 0; i < x->nrecs; i++) {
		struct csvio_rec *rec = &x->recs[i];
		struct form_problems *probs = NULL;
		cJSON *v;
		int r;

		/* a record with a wrong cell is not checked whole: its messages
		 * would only repeat the cell's */
		if (rec->bad)
			continue;
		v = csvio_rec_values(x, rec);

		if (v == NULL || !cJSON_AddItemToArray(vals, v)) {
			cJSON_Delete(v);
			return terr_set(x->e, TERR_NOMEM, "Недостаточно памяти.");
		}
		if ((r = csvio_rec_target(x, rec, v)) == 1)
			continue;
		if (r != 0)
			return r;
		/* a new record: a «скрыто» cell is no value */
		if (!rec->tgt.update && (r = csvio_hidden_keep_stored(rec->f ? rec->f :
		    x->f, v, NULL, x->e)) != 0)
			return r;
		if (rec->tgt.update)
			r = form_validate(rec->tgt.f, rec->tgt.values, rec->tgt.final ?
			    FORM_FINAL : FORM_DRAFT, &probs, x->e);
		else
			r = form_validate(rec->f ? rec->f : x->f, v,
			    rec->draft ? FORM_DRAFT : FORM_FINAL, &probs, x->e);
		if (r == TERR_INVALID) {
			for (size_t k = 0; probs && k < probs->n; k++)
				csvio_report_add(&x->rep, rec->line, "Строка %zu: %s",
				    rec->line, probs->items[k].message);
			form_problems_free(probs);
		} else if (r != 0) {
			return r;
		}
	}
	return 0;
}

static int
csvio_import_ctx_init(struct csvio_import_ctx *x, const struct catalog *c,
    const char *form_id, struct terr *e)
{
	int r;

	x->e = e;
	x->cat = c;
	if ((x->covered = cJSON_CreateObject()) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	if ((x->f = catalog_latest(c, form_id)) == NULL)
		return terr_set(e, STORE_NOTFOUND, "Форма «%s» не найдена. Список "
		    "форм: «tetrad forms».", form_id);
	if ((r = csvio_cols_build(x->f, &x->cols, e)) != 0)
		return r;
	if ((x->legacy = calloc(x->cols.ngroups ? x->cols.ngroups : 1,
	    sizeof(*x->legacy))) == NULL || csvio_hash_grow(x) != 0)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	for (size_t g = 0; g < x->cols.ngroups; g++) {
		x->legacy[g].kind = CSVIO_COL_FIELD;
		x->legacy[g].fd = x->cols.groups[g];
	}
	return 0;
}

static void
csvio_import_ctx_free(struct csvio_import_ctx *x)
{
	for (size_t i = 0; i < x->nrecs; i++)
		csvio_rec_free(&x->recs[i], x->cols.ngroups);
	free(x->recs);
	free(x->hash);
	free(x->map);
	free(x->legacy);
	cJSON_Delete(x->covered);
	csvio_report_free(&x->rep);
	csvio_cols_free(&x->cols);
}

/* The edit of a stored record (same path as `tetrad edit`), counted as
 * updated or, when nothing differs, unchanged (nothing written or queued).
 * Runs in the caller's transaction. */
static int
csvio_rec_update(struct store *s, const struct catalog *c,
    const struct csvio_rec *rec, struct csvio_counts *n, struct terr *e)
{
	struct form_problems *probs = NULL;
	bool changed = false;
	int r = rec_update(s, c, rec->tgt.id, rec->tgt.values, rec->tgt.finalize,
	    true, NULL, &changed, &probs, e);

	/* checked before the transaction; a problem here would be a rule on
	 * the stored records, named by rec_update's message */
	form_problems_free(probs);
	if (r == 0 && changed)
		n->updated++;
	else if (r == 0)
		n->unchanged++;
	return r;
}

int
csvio_import_buf(struct store *s, const struct catalog *c, const char *form_id,
    const char *what, const char *buf, size_t len, char delim, size_t *imported,
    char **report, struct terr *e)
{
	struct csvio_counts n;
	int r = csvio_import_buf_at(s, c, form_id, NULL, what, buf, len, delim,
	    &n, report, e);

	*imported = n.added + n.updated + n.unchanged;
	return r;
}

int
csvio_import_buf_progress(struct store *s, const struct catalog *c, const char *form_id,
    const char *school, const char *what, const char *buf, size_t len, char delim,
    struct csvio_counts *n, char **report, progress_fn progress, void *progress_ud,
    struct terr *e)
{
	struct csvio_import_ctx x = { 0 };
	cJSON *vals = NULL;
	const cJSON *v;
	size_t i = 0;
	int r;

	memset(n, 0, sizeof(*n));
	*report = NULL;
	x.s = s;
	if ((r = csvio_import_ctx_init(&x, c, form_id, e)) != 0)
		goto out;
	if (delim == 0)
		delim = csvio_guess_delim(&x.cols, buf, len);
	if ((r = csv_parse(buf, len, delim, csvio_import_row, &x, e)) != 0) {
		if (r != TERR_NOMEM && e) {
			char why[TERR_MSG_MAX];

			snprintf(why, sizeof(why), "%s", e->msg);
			r = terr_set(e, TERR_INVALID, "Файл «%s» не прочитан, ничего не "
			    "записано: %s", what, why);
		} else if (r != TERR_NOMEM) {
			r = TERR_INVALID;
		}
		goto out;
	}
	if (!x.header_done) {
		r = terr_set(e, TERR_INVALID, "Файл «%s» пуст: нужна строка "
		    "заголовка с именами полей.", what);
		goto out;
	}
	if ((vals = cJSON_CreateArray()) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	if ((r = csvio_check_all(&x, vals)) != 0)
		goto out;
	if (x.rep.problems > 0) {
		r = terr_set(e, TERR_INVALID, "Файл «%s» не загружен, ничего не "
		    "записано: ошибок — %zu.", what, x.rep.problems);
		if ((*report = csvio_report_text(&x.rep)) == NULL)
			r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	if (s == NULL) {  /* a check only (the fuzz target) */
		n->added = x.nrecs;
		r = 0;
		goto out;
	}
	if ((r = store_begin(s, e)) != 0)
		goto out;
	cJSON_ArrayForEach(v, vals) {
		const struct csvio_rec *rec = &x.recs[i++];
		uint8_t id[UUID7_BYTES];

		if (rec->tgt.update)
			r = csvio_rec_update(s, c, rec, n, e);
		else if ((r = rec_create(s, rec->f ? rec->f : x.f, school, v,
		    rec->draft, true, id, e)) == 0)
			n->added++;
		if (r != 0) {
			store_rollback(s);
			/* refused by a rule on the stored records (the school, a
			 * case number once per year): say which row */
			if (r == TERR_INVALID && e != NULL) {
				char why[TERR_MSG_MAX];

				snprintf(why, sizeof(why), "%s", e->msg);
				terr_set(e, r, "Строка %zu: %s Файл не загружен, ничего не "
				    "записано.", rec->line, why);
			}
			goto out;
		}
		if (progress != NULL)
			progress(progress_ud, i, x.nrecs);
	}
	r = store_commit(s, e);
 out:
	if (r != 0)
		memset(n, 0, sizeof(*n));
	cJSON_Delete(vals);
	csvio_import_ctx_free(&x);
	return r;
}
