/*
 * cmd_calendar — the programmes' calendar at the hub: `programmes import|
 * set|unset|list` (programmes.h) and `profile import` (profile.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hub/profile.h"
#include "hub/programmes.h"

/* The rows an import refused, for the person to correct (before the error line). */
static void
cmd_calendar_report(char *report)
{
	if (report != NULL)
		fputs(report, stderr);
	free(report);
}

static const struct cmdline_opt cmd_calendar_opts[] = {
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_programmes_import_spec = {
	CMD_PROG, "programmes import",
	"Использование: tetrad-hub programmes import ФАЙЛ.csv\n"
	"\n"
	"Загружает списки школ программ по годам (столбцы «Код ОО», «Год»,\n"
	"«Программа»: ШНОР, ШНСУ, 500+, ШАНС, школа-партнёр). Файл заменяет для\n"
	"каждой названной в нём пары (год, программа) её список. Всё или ничего:\n"
	"неверные строки перечисляются, ничего не записывается.\n"
	"\n" CMD_COMMON_HELP,
	cmd_calendar_opts, 1, 1, 0,
};

int
cmd_programmes_import(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct cmdline c;
	char *report = NULL;
	const char *v;
	size_t n = 0;
	int r, id;

	cmdline_begin(&c, &cmd_programmes_import_spec, argc, argv);
	if ((id = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	r = programmes_import(h->db, c.pos[0], &report, &n, e);
	cmd_calendar_report(report);
	if (r != 0)
		return r;
	printf("Загружено строк программ: %zu.\n", n);
	return 0;
}

#define CMD_PROGRAMMES_SET_USAGE(word, what) \
	"Использование: tetrad-hub programmes " word " КОД ГОД ПРОГРАММА\n" \
	"\n" what "\n" \
	"ПРОГРАММА: ШНОР, ШНСУ, 500+, ШАНС или школа-партнёр (или shnor, shnsu,\n" \
	"p500, shans, partner); ГОД — от 2000 до 2100.\n" \
	"\n" CMD_COMMON_HELP

static const struct cmdline_spec cmd_programmes_set_spec = {
	CMD_PROG, "programmes set", CMD_PROGRAMMES_SET_USAGE("set",
	"Добавляет школу КОД в программу на год ГОД."),
	cmd_calendar_opts, 3, 3, 0,
};

static const struct cmdline_spec cmd_programmes_unset_spec = {
	CMD_PROG, "programmes unset", CMD_PROGRAMMES_SET_USAGE("unset",
	"Снимает школу КОД с программы на год ГОД."),
	cmd_calendar_opts, 3, 3, 0,
};

static int
cmd_calendar_set(struct hubconf *h, const struct cmdline_spec *spec, bool on, int argc,
    char **argv, struct terr *e)
{
	struct cmdline c;
	const char *v;
	int r, id;

	cmdline_begin(&c, spec, argc, argv);
	if ((id = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if ((r = hubconf_open(h, false, e)) != 0 ||
	    (r = programmes_set(h->db, c.pos[0], c.pos[1], c.pos[2], on, e)) != 0)
		return r;
	printf("Школа %s, %s год: программа «%s» %s.\n", c.pos[0], c.pos[1],
	    programmes_label(programmes_code_of(c.pos[2])), on ? "добавлена" : "снята");
	return 0;
}

int
cmd_programmes_set(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_calendar_set(h, &cmd_programmes_set_spec, true, argc, argv, e);
}

int
cmd_programmes_unset(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_calendar_set(h, &cmd_programmes_unset_spec, false, argc, argv, e);
}

static const struct cmdline_spec cmd_programmes_list_spec = {
	CMD_PROG, "programmes list",
	"Использование: tetrad-hub programmes list [--year ГГГГ] [--json]\n"
	"\n"
	"Школы программ: код, год и программы школы в этом году.\n"
	"\n"
	"Параметры:\n"
	"  --year ГГГГ   только этот год\n"
	"  --json        массив объектов JSON вместо таблицы\n"
	"\n" CMD_COMMON_HELP,
	NULL, 0, 0, 0,
};

int
cmd_programmes_list(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_listing(h, &cmd_programmes_list_spec, CMD_LIST_PROGRAMMES, argc, argv, e);
}

static const struct cmdline_spec cmd_profile_import_spec = {
	CMD_PROG, "profile import",
	"Использование: tetrad-hub profile import ФАЙЛ.csv\n"
	"\n"
	"Загружает выданный рисковый профиль школ (РПШ: школа, год проекта, фактор,\n"
	"уровень); его получат устройства школы и её кураторы при следующей\n"
	"синхронизации. Формат — docs/reports.md. Всё или ничего.\n"
	"\n" CMD_COMMON_HELP,
	cmd_calendar_opts, 1, 1, 0,
};

int
cmd_profile_import(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct cmdline c;
	char *report = NULL;
	const char *v;
	size_t n = 0;
	int r, id;

	cmdline_begin(&c, &cmd_profile_import_spec, argc, argv);
	if ((id = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	r = profile_import(h->db, c.pos[0], &report, &n, e);
	cmd_calendar_report(report);
	if (r != 0)
		return r;
	printf("Загружено уровней рискового профиля: %zu.\n", n);
	return 0;
}
