/*
 * cli_profile — `tetrad profile import FILE.csv`: the issued risk profile
 * onto the device (client/riskprof.h), so a visit shows each factor's level.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli_private.h"
#include "client/riskprof.h"

int
cli_profile(struct cli *c)
{
	struct store *s = NULL;
	char *report = NULL;
	size_t n = 0;
	int r, rc;

	/* the subcommand word was read by cli.c: pos[0] is the file */
	if (c->n_pos != 1)
		return cli_usage(c, "укажите файл: tetrad profile import ФАЙЛ.csv "
		    "(столбцы Код ОО; Год; Фактор; Уровень).");
	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	r = riskprof_import(s, c->pos[0], &report, &n, &c->e);
	if (report != NULL)
		fputs(report, c->err);
	free(report);
	if (r != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	fprintf(c->out, "Загружено уровней рискового профиля: %zu. Новые визиты покажут "
	    "уровень рядом с каждым фактором.\n", n);
	rc = CLI_OK;
 out:
	store_close(s);
	return rc;
}
