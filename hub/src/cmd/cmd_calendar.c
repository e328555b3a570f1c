/*
 * cmd_calendar — the programmes' calendar at the hub: `programmes import|
 * set|unset|list` (programmes.h) and `profile import` (profile.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd_list.h"
#include "hub/profile.h"
#include "hub/programmes.h"
#include "tetrad/csvtab.h"

/* The rows an import refused, for the person to correct (before the error line). */
static void
cmd_calendar_report(char *report)
{
	if (report != NULL)
		fputs(report, stderr);
	free(report);
}

int
cmd_programmes(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	char *report = NULL;
	size_t n = 0;
	int r;

	if (argc == 2 && strcmp(argv[0], "import") == 0) {
		if ((r = hubconf_open(h, false, e)) != 0)
			return r;
		r = programmes_import(h->db, argv[1], &report, &n, e);
		cmd_calendar_report(report);
		if (r != 0)
			return r;
		printf("Загружено строк программ: %zu.\n", n);
		return 0;
	}
	if (argc == 4 && (strcmp(argv[0], "set") == 0 || strcmp(argv[0], "unset") == 0)) {
		bool on = strcmp(argv[0], "set") == 0;

		if ((r = hubconf_open(h, false, e)) != 0 ||
		    (r = programmes_set(h->db, argv[1], argv[2], argv[3], on, e)) != 0)
			return r;
		printf("Школа %s, %s год: программа «%s» %s.\n", argv[1], argv[2],
		    programmes_label(programmes_code_of(argv[3])), on ? "добавлена" : "снята");
		return 0;
	}
	if (argc >= 1 && strcmp(argv[0], "list") == 0) {
		struct cmd_list_opts o = { false, NULL };

		for (int i = 1; i < argc; i++) {
			if (strcmp(argv[i], "--json") == 0)
				o.json = true;
			else if (strcmp(argv[i], "--year") == 0 && i + 1 < argc) {
				if (csvtab_year((o.year = argv[++i])) < 0)
					return terr_set(e, TERR_ARG, "programmes list: --year «%.16s» — "
					    "нужен год от 2000 до 2100", argv[i]);
			} else
				return terr_set(e, TERR_ARG, "programmes list: неизвестный параметр "
				    "«%s» (допустимы --year ГГГГ и --json)", argv[i]);
		}
		return cmd_list_show(h, CMD_LIST_PROGRAMMES, &o, e);
	}
	return terr_set(e, TERR_ARG, "programmes: укажите import ФАЙЛ.csv, set КОД ГОД ПРОГРАММА, "
	    "unset КОД ГОД ПРОГРАММА или list [--year ГГГГ] [--json]");
}

int
cmd_profile(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	char *report = NULL;
	size_t n = 0;
	int r;

	if (argc != 2 || strcmp(argv[0], "import") != 0)
		return terr_set(e, TERR_ARG, "profile: ожидается «profile import ФАЙЛ.csv»");
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	r = profile_import(h->db, argv[1], &report, &n, e);
	cmd_calendar_report(report);
	if (r != 0)
		return r;
	printf("Загружено уровней рискового профиля: %zu.\n", n);
	return 0;
}
