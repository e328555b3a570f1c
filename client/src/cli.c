/*
 * cli — `tetrad` dispatch: global options, the usage text, the options every
 * command may take, exit codes, and the helpers the command groups share
 * (cli_private.h). The commands themselves live in cli_<group>.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "client/app.h"

#include "cli_private.h"

static const char cli_usage_text[] =
"Использование: tetrad [--db ПУТЬ] КОМАНДА [ПАРАМЕТРЫ]\n"
"\n"
"Команды:\n"
"  init --school КОД [--name НАЗВАНИЕ]   создать базу и ключ устройства школы\n"
"  init --curator [--name ФИО]           ноутбук куратора: школы — из кода регистрации\n"
"  forms [--json]                        список форм\n"
"  new ФОРМА [--set ПОЛЕ=ЗНАЧЕНИЕ]... [--json ФАЙЛ|-] [--draft] [--school КОД]\n"
"                                        новая запись (без значений на терминале —\n"
"                                        вопросы по одному полю)\n"
"  edit НОМЕР [--set ПОЛЕ=ЗНАЧЕНИЕ]... [--json ФАЙЛ|-]   изменить запись\n"
"  edit НОМЕР ПОЛЕ                       изменить одно поле (вопрос на терминале)\n"
"  finalize НОМЕР                        сделать черновик окончательным\n"
"  delete НОМЕР                          удалить запись\n"
"  list [ФОРМА] [--status draft|final|deleted] [--json]\n"
"  show НОМЕР [--json]\n"
"  export ФОРМА --format csv|json|xlsx [--codes] [--out ФАЙЛ] [--delimiter ,]\n"
"  import ФОРМА --csv ФАЙЛ [--delimiter ;] [--school КОД]\n"
"  status [--json]                       школа, устройство, очередь отправки\n"
"  retry [--all] [--json]                снова отправить записи из карантина\n"
"  profile import ФАЙЛ.csv               выданный РПШ из файла (обычно приходит с хаба)\n"
"  conflicts [--json] [--clear]          ваши значения, уступившие другому устройству\n"
"  passphrase set [--no-recovery]        задать пароль: скрыть ФИО, телефоны, суть\n"
"                                        конфликта; показать ключ восстановления\n"
"  passphrase change [--recovery]        сменить пароль (по старому или по ключу)\n"
"  passphrase remove [--yes]             снять пароль: значения снова открыты\n"
"  passphrase reset [--yes] [--no-recovery]  забыты и пароль, и ключ: скрытые\n"
"                                        значения удаляются, задаётся новый пароль\n"
"  passphrase status [--json]            задан ли пароль, сколько записей скрыто\n"
"  enroll --file ФАЙЛ | ...              регистрация на хабе (tetrad-syncd enroll)\n"
"  sync ...                              отправить и получить записи (tetrad-syncd --once)\n"
"  ui [--port N] [--no-browser]          то же в браузере: формы, записи, синхронизация,\n"
"                                        выгрузка в Excel (docs/ui.md)\n"
"\n"
"База данных: --db ПУТЬ, иначе $TETRAD_DB, иначе ~/.local/share/tetrad/tetrad.db.\n"
"Пароль: спрашивается на терминале, или --passphrase-file ФАЙЛ\n"
"(иначе $TETRAD_PASSPHRASE_FILE); новый — --new-passphrase-file ФАЙЛ\n"
"($TETRAD_NEW_PASSPHRASE_FILE); ключ восстановления — --recovery-file ФАЙЛ.\n"
"В файле — первая строка. В командной строке пароль не указывается.\n"
"Коды выхода: 0 — успешно, 1 — ошибка в команде, 2 — неверные данные,\n"
"3 — не найдено, 4 — ошибка файла базы, 5 — прочие ошибки,\n"
"6 — пароль не подошёл или нужен, а спросить негде.\n";

int
cli_exit_code(int code)
{
	switch (code) {
	case 0:
		return CLI_OK;
	case TERR_INVALID:
	case TERR_PARSE:
	case TERR_ARG:
	case TERR_UTF8:
	case TERR_TOO_LARGE:
	case TERR_SCHEMA:
	case TERR_DEPTH:
		return CLI_INVALID;
	case STORE_NOTFOUND:
		return CLI_NOTFOUND;
	case TERR_IO:
	case TERR_VERSION:
		return CLI_STORAGE;
	case TERR_PASSPHRASE:
		return CLI_PASSPHRASE;
	default:
		return CLI_OTHER;
	}
}

int
cli_db_path(const char *opt, char *buf, size_t size)
{
	return app_db_path(opt, buf, size);
}

int
cli_fail(struct cli *c, int code)
{
	if (c->e.msg[0])
		fprintf(c->err, "Ошибка: %s\n", c->e.msg);
	else
		fprintf(c->err, "Ошибка: %s.\n", terr_str(code));
	return cli_exit_code(code);
}

int
cli_usage(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fputs("Ошибка: ", c->err);
	va_start(ap, fmt);
	vfprintf(c->err, fmt, ap);
	va_end(ap);
	fputs("\nСправка: tetrad --help\n", c->err);
	return CLI_USAGE;
}

void
cli_problems(struct cli *c, const struct form_problems *p)
{
	if (p == NULL)
		return;
	fprintf(c->err, "Найдены ошибки (%zu):\n", p->n);
	for (size_t i = 0; i < p->n; i++)
		fprintf(c->err, "  • %s\n", p->items[i].message);
}

/* Options every command may take; returns CLI_OK or CLI_USAGE. */
static int
cli_parse(struct cli *c, const char *cmd, int argc, char **argv)
{
	/* --json takes a file for new/edit and is a flag elsewhere */
	bool json_file = strcmp(cmd, "new") == 0 || strcmp(cmd, "edit") == 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

#define CLI_OPT(name, field) \
	if (strcmp(a, name) == 0) { \
		if (v == NULL) \
			return cli_usage(c, "после %s нужно значение.", name); \
		field = v; \
		i++; \
		continue; \
	}
		CLI_OPT("--db", c->db_opt)
		CLI_OPT("--status", c->status_filter)
		CLI_OPT("--format", c->format)
		CLI_OPT("--out", c->out_file)
		CLI_OPT("--csv", c->csv_file)
		CLI_OPT("--school", c->school)
		CLI_OPT("--name", c->name)
		CLI_OPT("--passphrase-file", c->pass_file)
		CLI_OPT("--new-passphrase-file", c->new_pass_file)
		CLI_OPT("--recovery-file", c->recovery_file)
#undef CLI_OPT
		if (strcmp(a, "--set") == 0 || strcmp(a, "-s") == 0) {
			if (v == NULL)
				return cli_usage(c, "после --set нужно ПОЛЕ=ЗНАЧЕНИЕ.");
			if (c->n_sets == CLI_MAX_SETS)
				return cli_usage(c, "слишком много --set (больше %d).",
				    CLI_MAX_SETS);
			c->sets[c->n_sets++] = v;
			i++;
			continue;
		}
		if (strncmp(a, "--set=", 6) == 0 && c->n_sets < CLI_MAX_SETS) {
			c->sets[c->n_sets++] = a + 6;
			continue;
		}
		if (strcmp(a, "--delimiter") == 0) {
			if (v == NULL)
				return cli_usage(c, "после --delimiter нужен символ.");
			if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
				c->delim = '\t';
			else if (strlen(v) == 1 && strchr(",;|\t", v[0]))
				c->delim = v[0];
			else
				return cli_usage(c, "разделитель «%s» не поддерживается: "
				    "используйте ; , | или tab.", v);
			i++;
			continue;
		}
		if (strcmp(a, "--codes") == 0) {
			c->codes = true;
			continue;
		}
		if (strcmp(a, "--json") == 0) {
			if (!json_file) {
				c->json = true;
				continue;
			}
			if (v == NULL)
				return cli_usage(c, "после --json нужен файл или «-».");
			c->json_file = v;
			i++;
			continue;
		}
		if (strcmp(a, "--draft") == 0) {
			c->draft = true;
			continue;
		}
		if (strcmp(a, "--curator") == 0) {
			c->curator = true;
			continue;
		}
		if (strcmp(a, "--no-recovery") == 0) {
			c->no_recovery = true;
			continue;
		}
		if (strcmp(a, "--recovery") == 0) {
			c->recovery = true;
			continue;
		}
		if (strcmp(a, "--yes") == 0) {
			c->yes = true;
			continue;
		}
		if (a[0] == '-' && a[1] != '\0')
			return cli_usage(c, "неизвестный параметр «%s».", a);
		if (c->n_pos == sizeof(c->pos) / sizeof(c->pos[0]))
			return cli_usage(c, "слишком много аргументов.");
		c->pos[c->n_pos++] = a;
	}
	return CLI_OK;
}

static int
cli_open_as(struct cli *c, struct store **s, bool damaged_vault)
{
	const char *limit = getenv("TETRAD_TEST_MAX_PAGES");
	int r;

	if (cli_db_path(c->db_opt, c->db, sizeof(c->db)) != 0)
		return cli_usage(c, "не удалось определить путь к базе: укажите --db.");
	if ((r = damaged_vault ? store_open_damaged(c->db, s, &c->e) :
	    store_open(c->db, false, s, &c->e)) != 0)
		return cli_fail(c, r);
	if (limit && *limit && (r = store_limit_pages(*s, strtol(limit, NULL, 10), &c->e)) != 0) {
		store_close(*s);
		*s = NULL;
		return cli_fail(c, r);
	}
	return CLI_OK;
}

int
cli_open(struct cli *c, struct store **s)
{
	return cli_open_as(c, s, false);
}

int
cli_open_damaged(struct cli *c, struct store **s)
{
	return cli_open_as(c, s, true);
}

int
cli_catalog(struct cli *c, struct catalog **cat)
{
	int r;

	if ((r = app_catalog(c->db, cat, &c->e)) != 0)
		return cli_fail(c, r);
	if (catalog_warnings(*cat)[0])
		fprintf(c->err, "Предупреждение: %s", catalog_warnings(*cat));
	return CLI_OK;
}

int
cli_run(int argc, char **argv, FILE *in, FILE *out, FILE *err)
{
	return cli_run_ext(argc, argv, in, out, err, NULL);
}

int
cli_run_ext(int argc, char **argv, FILE *in, FILE *out, FILE *err,
    const struct cli_ext *ext)
{
	struct cli *c = calloc(1, sizeof(*c));
	const char *cmd = NULL;
	int i = 1, rc;

	if (c == NULL) {
		fputs("Ошибка: недостаточно памяти.\n", err);
		return CLI_OTHER;
	}
	c->in = in;
	c->out = out;
	c->err = err;
	/* global options before the command */
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			c->db_opt = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc) {
			c->pass_file = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--new-passphrase-file") == 0 && i + 1 < argc) {
			c->new_pass_file = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--recovery-file") == 0 && i + 1 < argc) {
			c->recovery_file = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(cli_usage_text, out);
			rc = CLI_OK;
			goto out;
		} else if (strcmp(argv[i], "--version") == 0) {
			fputs("tetrad 0.1.0\n", out);
			rc = CLI_OK;
			goto out;
		} else {
			rc = cli_usage(c, "неизвестный параметр «%s».", argv[i]);
			goto out;
		}
	}
	if (i >= argc) {
		fputs(cli_usage_text, err);
		rc = CLI_USAGE;
		goto out;
	}
	cmd = argv[i++];
	if (strcmp(cmd, "help") == 0) {
		fputs(cli_usage_text, out);
		rc = CLI_OK;
		goto out;
	}
	if (strcmp(cmd, "enroll") == 0 || strcmp(cmd, "sync") == 0) {
		for (int j = i; j + 1 < argc; j++)
			if (strcmp(argv[j], "--db") == 0)
				c->db_opt = argv[j + 1];
		rc = cli_setup_exec_syncd(c, argc - i, argv + i, strcmp(cmd, "sync") == 0);
		goto out;
	}
	if (strcmp(cmd, "ui") == 0 && ext != NULL && ext->ui != NULL) {
		if (cli_db_path(c->db_opt, c->db, sizeof(c->db)) != 0) {
			rc = cli_usage(c, "путь к базе данных слишком длинный.");
			goto out;
		}
		rc = ext->ui(argc - (i - 1), argv + (i - 1), c->db, out, err);
		goto out;
	}
	if (strcmp(cmd, "retry") == 0) {
		rc = cli_retry(c, argc - i, argv + i);
		goto out;
	}
	if (strcmp(cmd, "conflicts") == 0) {
		rc = cli_conflicts(c, argc - i, argv + i);
		goto out;
	}
	if ((rc = cli_parse(c, cmd, argc - i, argv + i)) != CLI_OK)
		goto out;
	if (strcmp(cmd, "init") == 0)
		rc = cli_setup_init(c);
	else if (strcmp(cmd, "forms") == 0)
		rc = cli_view_forms(c);
	else if (strcmp(cmd, "new") == 0)
		rc = cli_record_new(c);
	else if (strcmp(cmd, "edit") == 0)
		rc = cli_record_edit(c);
	else if (strcmp(cmd, "finalize") == 0)
		rc = cli_record_finalize_delete(c, false);
	else if (strcmp(cmd, "delete") == 0)
		rc = cli_record_finalize_delete(c, true);
	else if (strcmp(cmd, "list") == 0)
		rc = cli_view_list(c);
	else if (strcmp(cmd, "show") == 0)
		rc = cli_view_show(c);
	else if (strcmp(cmd, "export") == 0)
		rc = cli_io_export(c);
	else if (strcmp(cmd, "import") == 0)
		rc = cli_io_import(c);
	else if (strcmp(cmd, "status") == 0)
		rc = cli_status(c);
	else if (strcmp(cmd, "profile") == 0)
		rc = cli_profile(c);
	else if (strcmp(cmd, "passphrase") == 0)
		rc = cli_passphrase(c);
	else
		rc = cli_usage(c, "неизвестная команда «%s».", cmd);
 out:
	free(c);
	return rc;
}
