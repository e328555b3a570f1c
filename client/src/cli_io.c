/*
 * cli_io — `tetrad export` (CSV or JSON, to stdout or written whole to a
 * file) and `tetrad import` (a spreadsheet's CSV, all or nothing).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/csvio.h"

#include "cli_private.h"

int
cli_io_export(struct cli *c)
{
	struct store *s = NULL;
	struct catalog *cat = NULL;
	FILE *fp = NULL;
	enum csvio_format fmt;
	char tmp[PATH_MAX + 16];
	int r, rc;

	tmp[0] = '\0';
	if (c->n_pos != 1)
		return cli_usage(c, "tetrad export ФОРМА --format csv|json [--out ФАЙЛ].");
	if (c->format == NULL || strcmp(c->format, "csv") == 0)
		fmt = CSVIO_CSV;
	else if (strcmp(c->format, "json") == 0)
		fmt = CSVIO_JSON;
	else
		return cli_usage(c, "--format: csv или json, а не «%s».", c->format);
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	if (c->out_file) {
		/* a half-written export must never look like a whole one */
		snprintf(tmp, sizeof(tmp), "%s.tmp", c->out_file);
		if ((fp = fopen(tmp, "wb")) == NULL) {
			fprintf(c->err, "Ошибка: не удалось создать файл «%s»: %s.\n",
			    c->out_file, strerror(errno));
			tmp[0] = '\0';
			rc = CLI_STORAGE;
			goto out;
		}
	}
	r = csvio_export(s, cat, c->pos[0], fmt, c->delim, fp ? fp : c->out, &c->e);
	if (r == 0 && fp) {
		if (fflush(fp) != 0 || fsync(fileno(fp)) != 0)
			r = terr_set(&c->e, TERR_IO, "Не удалось записать «%s»: %s.",
			    c->out_file, strerror(errno));
		if (fclose(fp) != 0 && r == 0)
			r = terr_set(&c->e, TERR_IO, "Не удалось записать «%s»: %s.",
			    c->out_file, strerror(errno));
		fp = NULL;
		if (r == 0 && rename(tmp, c->out_file) != 0)
			r = terr_set(&c->e, TERR_IO, "Не удалось записать «%s»: %s.",
			    c->out_file, strerror(errno));
		if (r == 0)
			tmp[0] = '\0';
	}
	if (r != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (c->out_file)
		fprintf(c->err, "Выгрузка сохранена: %s\n", c->out_file);
	rc = CLI_OK;
 out:
	if (fp)
		fclose(fp);
	if (tmp[0])
		unlink(tmp);
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
	size_t n = 0;
	int r, rc;

	if (c->n_pos != 1 || c->csv_file == NULL)
		return cli_usage(c, "tetrad import ФОРМА --csv ФАЙЛ.");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if ((rc = cli_catalog(c, &cat)) != CLI_OK)
		goto out;
	r = csvio_import(s, cat, c->pos[0], c->csv_file, c->delim, &n, &report, &c->e);
	if (r != 0) {
		rc = cli_fail(c, r);
		if (report)
			fputs(report, c->err);
		goto out;
	}
	fprintf(c->out, "Загружено записей: %zu\n", n);
	rc = CLI_OK;
 out:
	free(report);
	catalog_free(cat);
	store_close(s);
	return rc;
}
