/*
 * cmd_reports — the hub's register and its outputs: `schools add|list|
 * import`, `forms publish`, `report NAME`, `results import`, `settings set`.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cmd_list.h"
#include "hub/report.h"
#include "hub/results.h"
#include "hub/schools.h"
#include "tetrad/fileio.h"

/* The register of schools (schools.h). */
int
cmd_schools(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	size_t n = 0;
	int r;

	if (argc == 4 && strcmp(argv[0], "add") == 0 && strcmp(argv[2], "--name") == 0) {
		if ((r = hubconf_open(h, false, e)) != 0 ||
		    (r = schools_add(h->db, argv[1], argv[3], e)) != 0)
			return r;
		printf("Школа %s: «%s».\n", argv[1], argv[3]);
		return 0;
	}
	if ((argc == 1 || (argc == 2 && strcmp(argv[1], "--json") == 0)) &&
	    strcmp(argv[0], "list") == 0) {
		struct cmd_list_opts o = { argc == 2, NULL };

		return cmd_list_show(h, CMD_LIST_SCHOOLS, &o, e);
	}
	if (argc == 2 && strcmp(argv[0], "import") == 0) {
		if ((r = hubconf_open(h, false, e)) != 0)
			return r;
		if ((r = schools_import(h->db, argv[1], stderr, &n, e)) != 0)
			return r;
		printf("Загружено школ: %zu.\n", n);
		return 0;
	}
	return terr_set(e, TERR_ARG, "schools: укажите add КОД --name НАИМЕНОВАНИЕ, list [--json] "
	    "или import ФАЙЛ.csv");
}

int
cmd_forms(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	char dir[PATH_MAX + 16], id[CHANGESET_ID_MAX + 1];
	uint32_t version = 0;
	int r;

	if (argc >= 1 && strcmp(argv[0], "list") == 0 && (argc == 1 ||
	    (argc == 2 && strcmp(argv[1], "--json") == 0))) {
		struct cmd_list_opts o = { argc == 2, NULL };

		return cmd_list_show(h, CMD_LIST_FORMS, &o, e);
	}
	if (argc != 2 || strcmp(argv[0], "publish") != 0)
		return terr_set(e, TERR_ARG, "forms: ожидается «forms publish ФАЙЛ» или "
		    "«forms list [--json]»");
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	hubconf_path(h, "forms", dir, sizeof(dir));
	if ((r = hubforms_publish(h->db, &h->sign, argv[1], hub_builtin_forms(), dir, id,
	    &version, e)) != 0)
		return r;
	printf("Форма «%s» версии %" PRIu32 " опубликована: устройства получат её при "
	    "следующей синхронизации.\n", id, version);
	return 0;
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

int
cmd_report(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	char from[11], to[11];
	struct report_opts o;
	const char *out_path = NULL;
	struct fileio_private *w = NULL;
	FILE *out = stdout;
	int r;

	memset(&o, 0, sizeof(o));
	o.format = REPORT_TABLE;
	o.forms_dir = hub_builtin_forms();
	if (argc < 1 || argv[0][0] == '-')
		return terr_set(e, TERR_ARG, "report: укажите название отчёта (verification, "
		    "mediation, passport, surveys, identification, settings, completeness)");
	o.name = argv[0];
	for (int i = 1; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (v == NULL)
			return terr_set(e, TERR_ARG, "report: у параметра «%s» нет значения", argv[i]);
		if (strcmp(argv[i], "--school") == 0)
			o.school = v;
		else if (strcmp(argv[i], "--from") == 0)
			o.from = report_date_arg(v, from);
		else if (strcmp(argv[i], "--to") == 0)
			o.to = report_date_arg(v, to);
		else if (strcmp(argv[i], "--out") == 0)
			out_path = v;
		else if (strcmp(argv[i], "--delimiter") == 0 && strlen(v) == 1)
			o.delimiter = v[0];
		else if (strcmp(argv[i], "--format") == 0) {
			if (strcmp(v, "table") == 0)
				o.format = REPORT_TABLE;
			else if (strcmp(v, "csv") == 0)
				o.format = REPORT_CSV;
			else if (strcmp(v, "json") == 0)
				o.format = REPORT_JSON;
			else
				return terr_set(e, TERR_ARG, "report: формат «%s» неизвестен: table, "
				    "csv или json", v);
		} else
			return terr_set(e, TERR_ARG, "report: неизвестный параметр «%s»", argv[i]);
	}
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

int
cmd_results(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	size_t n = 0;
	int r;

	if (argc != 2 || strcmp(argv[0], "import") != 0)
		return terr_set(e, TERR_ARG, "results: ожидается «results import ФАЙЛ.csv»");
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	if ((r = results_import_report(h->db, argv[1], stdout, &n, e)) != 0)
		return r;
	return 0;
}

int
cmd_settings(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	int r;

	if ((argc != 2 && argc != 3) || strcmp(argv[0], "set") != 0)
		return terr_set(e, TERR_ARG, "settings: ожидается «settings set КЛЮЧ [ЗНАЧЕНИЕ]»");
	if ((r = hubconf_open(h, false, e)) != 0)
		return r;
	if ((r = report_setting_set(h->db, argv[1], argc == 3 ? argv[2] : NULL,
	    e)) != 0)
		return r;
	printf("Настройка %s %s.\n", argv[1], argc == 3 ? "изменена" : "сброшена");
	return 0;
}
