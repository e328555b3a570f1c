/*
 * cmd_reports — the hub's register and its outputs: `schools add|list|
 * import`, `forms publish|list`, `report NAME`, `results import`,
 * `settings set`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "hub/report.h"
#include "hub/results.h"
#include "hub/schools.h"
#include "tetrad/fileio.h"

static const struct cmdline_opt cmd_reports_common_opts[] = {
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

enum { SA_NAME = 1 };

static const struct cmdline_opt cmd_schools_add_opts[] = {
	{ "name", 1, SA_NAME, 0 },
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_schools_add_spec = {
	CMD_PROG, "schools add",
	"Использование: tetrad-hub schools add КОД --name НАИМЕНОВАНИЕ\n"
	"\n"
	"Добавляет школу в реестр или переименовывает её; отчёты печатают эти\n"
	"названия. Код: латинские буквы, цифры, - и _, до 32 знаков.\n"
	"\n"
	"Параметры:\n"
	"  --name НАИМЕНОВАНИЕ   название школы (до 200 байт)\n"
	"\n" CMD_COMMON_HELP,
	cmd_schools_add_opts, 1, 1, 0,
};

/* The register of schools (schools.h). */
int
cmd_schools_add(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct cmdline c;
	const char *name = NULL, *v;
	int r, id;

	cmdline_begin(&c, &cmd_schools_add_spec, argc, argv);
	while ((id = cmd_next(h, &c, &v)) > 0)
		if (id == SA_NAME)
			name = v;
	if (id != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if (name == NULL)
		return cmd_usage(e, "schools add", "schools add: укажите --name НАИМЕНОВАНИЕ");
	if ((r = hubconf_open(h, false, e)) != 0 ||
	    (r = schools_add(h->db, c.pos[0], name, e)) != 0)
		return r;
	printf("Школа %s: «%s».\n", c.pos[0], name);
	return 0;
}

static const struct cmdline_spec cmd_schools_list_spec = {
	CMD_PROG, "schools list",
	CMD_LIST_USAGE("schools list",
	"Реестр школ: код, название, действующие устройства школы и её записи."),
	NULL, 0, 0, 0,
};

int
cmd_schools_list(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_listing(h, &cmd_schools_list_spec, CMD_LIST_SCHOOLS, argc, argv, e);
}

static const struct cmdline_spec cmd_schools_import_spec = {
	CMD_PROG, "schools import",
	"Использование: tetrad-hub schools import ФАЙЛ.csv\n"
	"\n"
	"Загружает реестр школ из таблицы управления образования (UTF-8, «;» или «,»,\n"
	"столбцы «Код ОО» и «Наименование»). Всё или ничего: если хоть одна строка\n"
	"неверна, ничего не записывается и перечисляются все неверные строки.\n"
	"\n" CMD_COMMON_HELP,
	cmd_reports_common_opts, 1, 1, 0,
};

int
cmd_schools_import(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct cmdline c;
	const char *v;
	size_t n = 0;
	int r, id;

	cmdline_begin(&c, &cmd_schools_import_spec, argc, argv);
	if ((id = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	if ((r = schools_import(h->db, c.pos[0], stderr, &n, e)) != 0)
		return r;
	printf("Загружено школ: %zu.\n", n);
	return 0;
}

static const struct cmdline_spec cmd_forms_publish_spec = {
	CMD_PROG, "forms publish",
	"Использование: tetrad-hub forms publish ФАЙЛ\n"
	"\n"
	"Проверяет определение формы, подписывает его ключом хаба вместе со\n"
	"справочниками и публикует: устройства получат форму при следующей\n"
	"синхронизации. Номер версии должен быть новым (встроенные и опубликованные\n"
	"версии не заменяются).\n"
	"\n" CMD_COMMON_HELP,
	cmd_reports_common_opts, 1, 1, 0,
};

int
cmd_forms_publish(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	char dir[PATH_MAX + 16], id[CHANGESET_ID_MAX + 1];
	struct cmdline c;
	uint32_t version = 0;
	const char *v;
	int r, opt;

	cmdline_begin(&c, &cmd_forms_publish_spec, argc, argv);
	if ((opt = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, opt, e);
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	hubconf_path(h, "forms", dir, sizeof(dir));
	if ((r = hubforms_publish(h->db, &h->sign, c.pos[0], hub_builtin_forms(), dir, id,
	    &version, e)) != 0)
		return r;
	printf("Форма «%s» версии %" PRIu32 " опубликована: устройства получат её при "
	    "следующей синхронизации.\n", id, version);
	return 0;
}

static const struct cmdline_spec cmd_forms_list_spec = {
	CMD_PROG, "forms list",
	CMD_LIST_USAGE("forms list",
	"Формы, по которым хаб проверяет записи: встроенные и опубликованные, с\n"
	"версиями."),
	NULL, 0, 0, 0,
};

int
cmd_forms_list(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	return cmd_listing(h, &cmd_forms_list_spec, CMD_LIST_FORMS, argc, argv, e);
}

/*
 * A period's date as people type it, ДД.ММ.ГГГГ (what the client's prompts
 * and exports use), turned into the ГГГГ-ММ-ДД the reports take; anything
 * else is passed on as it is and judged there.
 */
static const char *
report_date_arg(const char *v, char buf[11])
{
	static const char shape[] = "dd.dd.dddd";

	for (size_t i = 0; i < sizeof(shape) - 1; i++)
		if (v[i] == '\0' || (shape[i] == 'd' ? (v[i] < '0' || v[i] > '9') :
		    v[i] != '.'))
			return v;
	if (v[sizeof(shape) - 1] != '\0')
		return v;
	snprintf(buf, 11, "%.4s-%.2s-%.2s", v + 6, v + 3, v);
	return buf;
}

/* The reports (report.c's table) and their titles (docs/reports.md). */
static const struct {
	const char *name, *title;
} cmd_reports[] = {
	{ "verification", "Верификация рисковых профилей школ" },
	{ "mediation", "Службы примирения (медиации): случаи и программы" },
	{ "passport", "Социальный паспорт, ИСБШ и социальный статус школ" },
	{ "surveys", "Анкетирование" },
	{ "identification", "Выявление школ: социальный статус × уровень результатов" },
	{ "completeness", "Полнота сбора по срокам программ" },
	{ "settings", "Настройки отчётов: текущие значения (меняет «tetrad-hub settings set»)" },
};

#define CMD_REPORT_NAMES \
	"verification, mediation, passport, surveys, identification, completeness, settings"

/* One report's --help: its name and title, then what every report takes. */
#define CMD_REPORT_USAGE \
	"Использование: tetrad-hub report %s [--school КОД] [--from ДАТА] [--to ДАТА]\n" \
	"                          [--format table|csv|json|xlsx] [--delimiter C]\n" \
	"                          [--out ФАЙЛ]\n" \
	"\n" \
	"Отчёт «%s» (docs/reports.md).\n" \
	"\n" \
	"Параметры:\n" \
	"  --school КОД          только строки этой школы\n" \
	"  --from ДАТА, --to ДАТА  период включительно: ДД.ММ.ГГГГ или ГГГГ-ММ-ДД\n" \
	"  --format ФОРМАТ       table (по умолчанию), csv (UTF-8 с BOM), json или\n" \
	"                        xlsx (книга Excel: лист «Параметры» и лист на каждый\n" \
	"                        раздел; не на терминал — укажите --out)\n" \
	"  --delimiter C         разделитель CSV (по умолчанию «;»)\n" \
	"  --out ФАЙЛ            записать в новый файл (0600) вместо вывода: он\n" \
	"                        появляется только целым, существующий не заменяется;\n" \
	"                        --output ФАЙЛ — то же\n" \
	"\n" CMD_COMMON_HELP

enum { RP_SCHOOL = 1, RP_FROM, RP_TO, RP_FORMAT, RP_DELIM, RP_OUT };

static const struct cmdline_opt cmd_report_opts[] = {
	{ "school", 1, RP_SCHOOL, 0 },
	{ "from", 1, RP_FROM, 0 },
	{ "to", 1, RP_TO, 0 },
	{ "format", 1, RP_FORMAT, 0 },
	{ "delimiter", 1, RP_DELIM, 0 },
	{ "out", 1, RP_OUT, 0 },
	/* the same: the name people guess from other programs */
	{ "output", 1, RP_OUT, 0 },
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

/* argv[0] is the report's name (main.c dispatches `report NAME` here). */
int
cmd_report(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	char from[11], to[11], usage[2048], command[64];
	struct report_opts o;
	struct cmdline_spec spec = { CMD_PROG, command, usage, cmd_report_opts, 0, 0, 0 };
	struct cmdline c;
	const char *out_path = NULL, *v;
	struct fileio_private *w = NULL;
	FILE *out = stdout;
	size_t k;
	int r, id;

	memset(&o, 0, sizeof(o));
	o.format = REPORT_TABLE;
	for (k = 0; k < sizeof(cmd_reports) / sizeof(cmd_reports[0]); k++)
		if (strcmp(argv[0], cmd_reports[k].name) == 0)
			break;
	if (k == sizeof(cmd_reports) / sizeof(cmd_reports[0]))
		return cmd_usage(e, "report", "report: неизвестный отчёт «%.64s»; есть: "
		    CMD_REPORT_NAMES, argv[0]);
	o.name = cmd_reports[k].name;
	snprintf(command, sizeof(command), "report %s", o.name);
	snprintf(usage, sizeof(usage), CMD_REPORT_USAGE, o.name, cmd_reports[k].title);
	cmdline_begin(&c, &spec, argc, argv);
	while ((id = cmd_next(h, &c, &v)) > 0) {
		switch (id) {
		case RP_SCHOOL:
			o.school = v;
			break;
		case RP_FROM:
			o.from = report_date_arg(v, from);
			break;
		case RP_TO:
			o.to = report_date_arg(v, to);
			break;
		case RP_OUT:
			out_path = v;
			break;
		case RP_DELIM:
			if (strlen(v) != 1)
				return cmd_usage(e, command, "%s: --delimiter — один знак, а не "
				    "«%.16s»", command, v);
			o.delimiter = v[0];
			break;
		case RP_FORMAT:
			if (strcmp(v, "table") == 0)
				o.format = REPORT_TABLE;
			else if (strcmp(v, "csv") == 0)
				o.format = REPORT_CSV;
			else if (strcmp(v, "json") == 0)
				o.format = REPORT_JSON;
			else if (strcmp(v, "xlsx") == 0)
				o.format = REPORT_XLSX;
			else
				return cmd_usage(e, command, "%s: формат «%.16s» неизвестен: "
				    "table, csv, json или xlsx", command, v);
			break;
		}
	}
	if (id != CMDLINE_END)
		return cmd_stop(&c, id, e);
	/* a workbook is a zip: on a terminal it is noise, and may upset it */
	if (o.format == REPORT_XLSX && out_path == NULL && isatty(STDOUT_FILENO))
		return cmd_usage(e, command, "%s: книга Excel — двоичный файл, на терминал её "
		    "не выводят: укажите --out ФАЙЛ.xlsx или перенаправьте вывод в файл",
		    command);
	o.forms_dir = hub_builtin_forms();
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	if (out_path != NULL) {
		if (access(out_path, F_OK) == 0)
			return terr_set(e, TERR_IO, "файл %s уже существует: укажите другое имя "
			    "или удалите его", out_path);
		/* fileio's private path: 0600 (a school's small counts can point at a
		 * child), linked into place whole, an existing file never replaced */
		if ((r = fileio_private_open(out_path, &w, e)) != 0)
			return r;
		if ((out = fileio_private_stream(w, e)) == NULL) {
			fileio_private_abort(w);
			return TERR_IO;
		}
	}
	r = report_run(h->db, &o, out, e);
	if (out_path != NULL) {
		if (r == 0)
			r = fileio_private_commit(w, true, e);
		else
			fileio_private_abort(w);
		if (r == 0)
			fprintf(stderr, "Отчёт записан в %s\n", out_path);
	}
	return r;
}

static const struct cmdline_spec cmd_results_import_spec = {
	CMD_PROG, "results import",
	"Использование: tetrad-hub results import ФАЙЛ.csv\n"
	"\n"
	"Загружает результаты оценочных процедур (и, если есть, ИСБШ) по школам и годам\n"
	"для отчётов passport и identification; формат — docs/reports.md. Всё или\n"
	"ничего: неверные строки перечисляются, ничего не записывается.\n"
	"\n" CMD_COMMON_HELP,
	cmd_reports_common_opts, 1, 1, 0,
};

int
cmd_results_import(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct cmdline c;
	const char *v;
	size_t n = 0;
	int r, id;

	cmdline_begin(&c, &cmd_results_import_spec, argc, argv);
	if ((id = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	return results_import_report(h->db, c.pos[0], stdout, &n, e);
}

static const struct cmdline_spec cmd_settings_set_spec = {
	CMD_PROG, "settings set",
	"Использование: tetrad-hub settings set КЛЮЧ [ЗНАЧЕНИЕ]\n"
	"       tetrad-hub settings set КЛЮЧ -- -ЗНАЧЕНИЕ   (значение с минусом)\n"
	"\n"
	"Меняет настройку отчётов (ключи — docs/reports.md, например\n"
	"identification.low_threshold 30); без ЗНАЧЕНИЯ возвращает значение по\n"
	"умолчанию. Текущие значения: «tetrad-hub report settings».\n"
	"\n" CMD_COMMON_HELP,
	cmd_reports_common_opts, 1, 2, 0,
};

int
cmd_settings_set(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct cmdline c;
	const char *v, *value;
	int r, id;

	cmdline_begin(&c, &cmd_settings_set_spec, argc, argv);
	if ((id = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, id, e);
	value = c.n_pos == 2 ? c.pos[1] : NULL;
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	if ((r = report_setting_set(h->db, c.pos[0], value, e)) != 0)
		return r;
	printf("Настройка %s %s.\n", c.pos[0], value ? "изменена" : "сброшена");
	return 0;
}
