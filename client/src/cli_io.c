/*
 * cli_io — `tetrad export` (CSV or JSON, to stdout or written whole to a
 * file; Russian headers and labels, or ids and codes with --codes; an
 * Excel workbook, xlsx, always to a file) and
 * `tetrad import` (a spreadsheet's CSV, all or nothing; reads either).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline/progress.h"

#include "client/csvio.h"
#include "client/rec.h"
#include "client/rec_school.h"
#include "client/xlsxio.h"
#include "client/vault.h"
#include "tetrad/fileio.h"

#include "cli_private.h"

/* A few records take no time: a line for them would only be noise. */
#define CLI_IO_PROGRESS_MIN 100

/* progress_update for work of at least CLI_IO_PROGRESS_MIN records. */
static void
cli_io_progress(void *ud, uint64_t done, uint64_t total)
{
	if (total >= CLI_IO_PROGRESS_MIN)
		progress_update(ud, done, total);
}

int
cli_io_export(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	struct fileio_private *w = NULL;
	FILE *fp = NULL;
	struct progress pr;
	enum csvio_format fmt = CSVIO_CSV;
	bool xlsx = false;
	long long hidden = 0;
	int r = 0, rc;

	if (c->n_pos != 1)
		return cli_usage(c, "tetrad export ФОРМА --format csv|json|xlsx [--codes] [--out ФАЙЛ].");
	if (c->format == NULL || strcmp(c->format, "csv") == 0)
		fmt = CSVIO_CSV;
	else if (strcmp(c->format, "json") == 0)
		fmt = CSVIO_JSON;
	else if (strcmp(c->format, "xlsx") == 0)
		xlsx = true;
	else
		return cli_usage(c, "--format: csv, json или xlsx, а не «%s».", c->format);
	/* a workbook is a zip archive: never to a terminal or a pipe */
	if (xlsx && c->out_file == NULL)
		return cli_usage(c, "для --format xlsx укажите файл: --out ФАЙЛ.xlsx.");
	if (xlsx && c->codes)
		return cli_usage(c, "--codes бывает только у csv и json: в книге Excel — "
		    "русские заголовки и подписи.");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	/* values the vault hides: asked for, or exported as «скрыто» */
	if (store_locked(s)) {
		if ((r = cli_hidden_count(c, s, c->pos[0], NULL, &hidden)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
		if (hidden > 0 && (rc = cli_unlock_show(c, s)) != CLI_OK)
			goto out;
	}
	/* children's data: a private file (0600, never through a planted link),
	 * put in place whole or not at all */
	/* a progress line only when the file is not the terminal itself */
	progress_open(&pr, c->err, "Выгрузка", "записей", 0);
	if (c->out_file == NULL && isatty(fileno(c->out)))
		pr.tty = 0;
	if (xlsx)
		r = xlsxio_export_progress(s, cat, c->pos[0], c->out_file, cli_io_progress,
		    &pr, &c->e);
	else if (c->out_file && ((r = fileio_private_open(c->out_file, &w, &c->e)) != 0 ||
	    (fp = fileio_private_stream(w, &c->e)) == NULL)) {
		rc = cli_fail(c, r != 0 ? r : TERR_IO);
		goto out;
	}
	if (!xlsx)
		r = csvio_export_progress(s, cat, c->pos[0], fmt, c->codes, c->delim,
		    fp ? fp : c->out, cli_io_progress, &pr, &c->e);
	progress_close(&pr);
	if (r == 0 && w != NULL) {
		r = fileio_private_commit(w, false, &c->e);
		w = NULL;
	}
	if (r != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (c->out_file)
		fprintf(c->err, "Выгрузка сохранена: %s\n", c->out_file);
	if (hidden > 0 && store_locked(s))
		fprintf(c->err, "Пароль не введён: ФИО, телефоны и суть конфликта "
		    "(записей: %lld) выгружены как «%s».\n", hidden, VAULT_HIDDEN);
	cli_damaged_warn(c, s);
	rc = CLI_OK;
 out:
	fileio_private_abort(w);
	catalog_free(cat);
	store_close(s);
	return rc;
}

int
cli_io_import(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	char *report = NULL;
	struct csvio_counts n = { 0 };
	struct progress pr;
	int r, rc;

	if (c->n_pos != 1 || c->csv_file == NULL)
		return cli_usage(c, "tetrad import ФОРМА --csv ФАЙЛ.");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	if (c->school && (r = rec_school_check(s, c->school, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	/* local values are written (and «скрыто» cells keep stored ones):
	 * the vault opened */
	if ((rc = cli_unlock_form(c, s, catalog_latest(cat, c->pos[0]), false)) != CLI_OK)
		goto out;
	progress_open(&pr, c->err, "Загрузка", "записей", 0);
	r = csvio_import_progress(s, cat, c->pos[0], c->school, c->csv_file, c->delim,
	    &n, &report, cli_io_progress, &pr, &c->e);
	progress_close(&pr);
	if (r != 0) {
		rc = cli_fail(c, r);
		if (report)
			fputs(report, c->err);
		goto out;
	}
	fprintf(c->out, "Добавлено записей: %zu; изменено: %zu; без изменений: %zu\n",
	    n.added, n.updated, n.unchanged);
	rc = CLI_OK;
 out:
	free(report);
	catalog_free(cat);
	store_close(s);
	return rc;
}
