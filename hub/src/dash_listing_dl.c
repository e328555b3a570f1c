/*
 * dash_listing_dl — a store listing (hubdb_list) as a file, by the code the
 * reports' downloads use: the listing becomes a report model of one
 * section, written as .xlsx (report_xlsx.c: one sheet, the Russian headers
 * frozen with a filter over them, numbers as number cells) or as CSV
 * (report_render.c: UTF-8 with BOM, ';'). Columns a page hides stay out of
 * the file; every download is recorded in the audit log, as a report's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dash_private.h"
#include "dash_table.h"
#include "report_model.h"
#include "report_render.h"
#include "report_xlsx.h"

#define DASH_DL_COLS 16

/* The sheet's title (the page's own title where the listing has a page). */
static const char *const dash_dl_titles[] = {
	[HUBDB_LIST_DEVICES] = "Устройства",
	[HUBDB_LIST_CONFLICTS] = "Конфликты значений",
	[HUBDB_LIST_QUARANTINE] = "Отклонённые наборы",
	[HUBDB_LIST_FORMS] = "Опубликованные формы",
	[HUBDB_LIST_TOKENS] = "Коды регистрации",
	[HUBDB_LIST_QUARANTINE_FULL] = "Переполненный карантин",
	[HUBDB_LIST_SCHOOLS] = "Реестр школ",
	[HUBDB_LIST_PROGRAMMES] = "Программы школ",
	[HUBDB_LIST_USERS] = "Учётные записи",
	[HUBDB_LIST_AUDIT] = "Журнал аудита",
};

struct dash_dl {
	struct report_sect *s;
	size_t map[DASH_DL_COLS];        /* listing column → section column; SIZE_MAX: hidden */
	size_t n;                        /* the listing's columns */
};

static bool
dash_dl_hidden(const char *const *hide, const char *key)
{
	for (size_t i = 0; hide != NULL && hide[i] != NULL; i++)
		if (strcmp(hide[i], key) == 0)
			return true;
	return false;
}

static int
dash_dl_row(void *ctx, size_t n, const struct hubdb_col *cols)
{
	struct dash_dl *d = ctx;
	long row = report_model_row(d->s);
	char *list;
	int r = 0;

	if (row < 0)
		return TERR_NOMEM;
	for (size_t i = 0; i < n && i < d->n && r == 0; i++) {
		size_t k = d->map[i];

		if (k == SIZE_MAX)
			continue;
		switch (cols[i].type) {
		case HUBDB_COL_INT:
			report_model_int(d->s, row, k, cols[i].i);
			break;
		case HUBDB_COL_BOOL:
			r = report_model_str(d->s, row, k, cols[i].i ? "да" : "нет");
			break;
		case HUBDB_COL_TEXT:
			r = report_model_str(d->s, row, k, hubdb_list_word(cols[i].key, cols[i].s));
			break;
		case HUBDB_COL_LIST:
			if ((list = dash_table_list_text(cols[i].key, cols[i].s)) == NULL)
				return TERR_NOMEM;
			r = report_model_str(d->s, row, k, list);
			free(list);
			break;
		case HUBDB_COL_NULL:
			break;
		}
	}
	return r;
}

int
dash_listing_download(struct dash_req *rq, enum hubdb_listing what, const char *const *hide,
    const char *format, const char *basename)
{
	struct hubdb_col lc[DASH_DL_COLS];
	struct report_col rc[DASH_DL_COLS];
	struct report_out o;
	struct dash_dl d;
	char *buf = NULL, fname[160], obj[HUBDB_AUDIT_TEXT_MAX], day[16];
	bool xlsx = format != NULL && strcmp(format, "xlsx") == 0;
	size_t len = 0, nc = 0;
	struct terr e;
	time_t now = (time_t)rq->now;
	struct tm tm;
	FILE *f = NULL;
	int r;

	terr_clear(&e);
	memset(&o, 0, sizeof(o));
	memset(&d, 0, sizeof(d));
	if ((!xlsx && (format == NULL || strcmp(format, "csv") != 0)) ||
	    (size_t)what >= sizeof(dash_dl_titles) / sizeof(dash_dl_titles[0]) ||
	    dash_dl_titles[what] == NULL)
		return dash_error(rq, 404, "Нет такой выгрузки", "Список выгружается в .xlsx или CSV.");
	d.n = hubdb_list_cols(what, lc, DASH_DL_COLS);
	for (size_t i = 0; i < d.n; i++) {
		d.map[i] = SIZE_MAX;
		if (dash_dl_hidden(hide, lc[i].key))
			continue;
		rc[nc] = (struct report_col){ lc[i].key, lc[i].header, 0, 0 };
		d.map[i] = nc++;
	}
	o.name = basename;
	o.title = dash_dl_titles[what];
	o.bare = true;
	if ((d.s = report_model_sect(&o, basename, o.title, rc, nc)) == NULL) {
		r = terr_set(&e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if ((r = hubdb_list(rq->db, what, dash_dl_row, &d, &e)) != 0) {
		if (r == TERR_NOMEM)
			terr_set(&e, TERR_NOMEM, "недостаточно памяти для выгрузки");
		goto out;
	}
	if ((f = open_memstream(&buf, &len)) == NULL) {
		r = terr_set(&e, TERR_NOMEM, "недостаточно памяти для выгрузки");
		goto out;
	}
	r = xlsx ? report_render_xlsx(&o, NULL, NULL, f, &e) : report_render_csv(&o, f, ';', &e);
	if (fclose(f) != 0 && r == 0)
		r = terr_set(&e, TERR_NOMEM, "недостаточно памяти для выгрузки");
 out:
	report_model_free(&o);
	if (r != 0) {
		free(buf);
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s %s.%s: %s", rq->addr, basename,
		    xlsx ? "xlsx" : "csv", e.msg);
		rq->retry_after = r == TERR_TOO_LARGE ? 0 : 30;
		return dash_error(rq, r == TERR_TOO_LARGE ? 413 : 503, "Выгрузка не получилась",
		    "%s", r == TERR_TOO_LARGE ? e.msg : "Хаб сейчас не может выгрузить список. "
		    "Повторите через минуту.");
	}
	snprintf(obj, sizeof(obj), "%s.%s", basename, xlsx ? "xlsx" : "csv");
	/* a download nobody could trace is not given */
	if (dash_audit(rq, NULL, "download", obj, "ok") != 0) {
		free(buf);
		return dash_error(rq, 503, "Выгрузка не получилась", "Хаб не смог записать выгрузку "
		    "в журнал аудита. Повторите позже.");
	}
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	snprintf(fname, sizeof(fname), "%s-%s.%s", basename, day, xlsx ? "xlsx" : "csv");
	return dash_reply_bytes(rq, 200, xlsx ? "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet" : "text/csv; charset=utf-8", buf, len, fname);
}
