/*
 * cli_cmds — what each `tetrad` command accepts and what its --help says:
 * one usage text and one options table per command and subcommand (read
 * by cmdline, cmdline/cmdline.h), the table of commands cli.c dispatches
 * on, and the one place an option's value lands in struct cli. A command
 * takes only its own options (a stray --codes on `new` is a mistake, not
 * silently ignored), plus the database and secret files, which the docs
 * let follow any command.
 */
#include <string.h>

#include "cli_private.h"

enum {
	O_DB = 1, O_PASS_FILE, O_NEW_PASS_FILE, O_RECOVERY_FILE,
	O_SET, O_JSON, O_JSON_FILE, O_DRAFT, O_SCHOOL, O_NAME, O_CURATOR,
	O_STATUS, O_FORMAT, O_CODES, O_OUT, O_DELIM, O_CSV, O_ALL, O_CLEAR,
	O_NO_RECOVERY, O_RECOVERY, O_YES,
};

/* the database and the secret files: before the command or after it */
#define CLI_O_FILES \
	{ "db", 1, O_DB, 0 }, \
	{ "passphrase-file", 1, O_PASS_FILE, 0 }, \
	{ "new-passphrase-file", 1, O_NEW_PASS_FILE, 0 }, \
	{ "recovery-file", 1, O_RECOVERY_FILE, 0 }
#define CLI_O_END { NULL, 0, 0, 0 }

/* Said at the end of every command's usage. */
#define CLI_U_COMMON \
"\nОбщие параметры (до или после команды): --db ПУТЬ, --passphrase-file ФАЙЛ,\n" \
"--new-passphrase-file ФАЙЛ, --recovery-file ФАЙЛ — см. tetrad --help.\n"

const char cli_usage_top[] =
"Использование: tetrad [--db ПУТЬ] КОМАНДА [ПАРАМЕТРЫ]\n"
"       tetrad КОМАНДА --help      справка по команде\n"
"       tetrad --version\n"
"\n"
"Команды:\n"
"  init        создать базу: --school КОД (компьютер школы) или --curator\n"
"  forms       список форм\n"
"  new         новая запись (без значений на терминале — вопросы по одному полю)\n"
"  edit        изменить запись (или одно её поле)\n"
"  finalize    сделать черновик окончательным\n"
"  delete      удалить запись\n"
"  list        список записей\n"
"  show        одна запись\n"
"  export      выгрузка записей формы: csv, json или xlsx (Excel)\n"
"  import      загрузка записей из таблицы CSV\n"
"  status      школа, устройство, очередь отправки, карантин\n"
"  retry       снова отправить записи из карантина\n"
"  conflicts   ваши значения, уступившие другому устройству\n"
"  profile     рисковый профиль школы: profile import ФАЙЛ.csv\n"
"  passphrase  пароль на ФИО, телефоны и суть конфликта: set, change, remove,\n"
"              reset, status\n"
"  enroll      регистрация на хабе (tetrad-syncd enroll)\n"
"  sync        отправить и получить записи (tetrad-syncd --once)\n"
"  ui          то же в браузере: формы, записи, синхронизация, выгрузка в Excel\n"
"  help        справка: tetrad help КОМАНДА [ПОДКОМАНДА]\n"
"\n"
"Общие параметры:\n"
"  --db ПУТЬ                   база данных; иначе $TETRAD_DB, иначе\n"
"                              ~/.local/share/tetrad/tetrad.db\n"
"  --passphrase-file ФАЙЛ      пароль из файла (иначе $TETRAD_PASSPHRASE_FILE,\n"
"                              иначе вопрос на терминале)\n"
"  --new-passphrase-file ФАЙЛ  новый пароль ($TETRAD_NEW_PASSPHRASE_FILE)\n"
"  --recovery-file ФАЙЛ        ключ восстановления из файла\n"
"  -h, --help                  справка; -V, --version — версия\n"
"В файле — первая строка. В командной строке пароль не указывается.\n"
"\n"
"Коды выхода: 0 — успешно, 1 — ошибка в команде, 2 — неверные данные,\n"
"3 — не найдено, 4 — ошибка файла базы, 5 — прочие ошибки,\n"
"6 — пароль не подошёл или нужен, а спросить негде.\n"
"enroll и sync завершаются с кодами tetrad-syncd (tetrad-syncd --help).\n";

static const struct cmdline_opt o_files[] = { CLI_O_FILES, CLI_O_END };

/* the program's own options, up to the command word */
const struct cmdline_spec cli_spec_top = { "tetrad", NULL, cli_usage_top, o_files,
    0, -1, 1 };

static const struct cmdline_opt o_init[] = {
	{ "school", 1, O_SCHOOL, 0 }, { "name", 1, O_NAME, 0 },
	{ "curator", 0, O_CURATOR, 0 }, CLI_O_FILES, CLI_O_END,
};
static const struct cmdline_opt o_json[] = {
	{ "json", 0, O_JSON, 0 }, CLI_O_FILES, CLI_O_END,
};
static const struct cmdline_opt o_new[] = {
	{ "set", 1, O_SET, 's' }, { "json", 1, O_JSON_FILE, 0 },
	{ "draft", 0, O_DRAFT, 0 }, { "school", 1, O_SCHOOL, 0 },
	CLI_O_FILES, CLI_O_END,
};
static const struct cmdline_opt o_edit[] = {
	{ "set", 1, O_SET, 's' }, { "json", 1, O_JSON_FILE, 0 },
	CLI_O_FILES, CLI_O_END,
};
static const struct cmdline_opt o_list[] = {
	{ "status", 1, O_STATUS, 0 }, { "json", 0, O_JSON, 0 },
	CLI_O_FILES, CLI_O_END,
};
static const struct cmdline_opt o_export[] = {
	{ "format", 1, O_FORMAT, 0 }, { "codes", 0, O_CODES, 0 },
	{ "out", 1, O_OUT, 0 }, { "delimiter", 1, O_DELIM, 0 },
	CLI_O_FILES, CLI_O_END,
};
static const struct cmdline_opt o_import[] = {
	{ "csv", 1, O_CSV, 0 }, { "delimiter", 1, O_DELIM, 0 },
	{ "school", 1, O_SCHOOL, 0 }, CLI_O_FILES, CLI_O_END,
};
static const struct cmdline_opt o_retry[] = {
	{ "all", 0, O_ALL, 0 }, { "json", 0, O_JSON, 0 }, CLI_O_FILES, CLI_O_END,
};
static const struct cmdline_opt o_conflicts[] = {
	{ "clear", 0, O_CLEAR, 0 }, { "json", 0, O_JSON, 0 }, CLI_O_FILES, CLI_O_END,
};
static const struct cmdline_opt o_pass_set[] = {
	{ "no-recovery", 0, O_NO_RECOVERY, 0 }, CLI_O_FILES, CLI_O_END,
};
static const struct cmdline_opt o_pass_change[] = {
	{ "recovery", 0, O_RECOVERY, 0 }, CLI_O_FILES, CLI_O_END,
};
static const struct cmdline_opt o_pass_remove[] = {
	{ "yes", 0, O_YES, 'y' }, { "recovery", 0, O_RECOVERY, 0 },
	CLI_O_FILES, CLI_O_END,
};
static const struct cmdline_opt o_pass_reset[] = {
	{ "yes", 0, O_YES, 'y' }, { "no-recovery", 0, O_NO_RECOVERY, 0 },
	CLI_O_FILES, CLI_O_END,
};

#define SPEC(cmd, usage, opts, lo, hi) \
	{ "tetrad", cmd, usage, opts, lo, hi, 0 }

static const struct cli_cmd cli_cmds[] = {
	{ NULL, SPEC("init",
"Использование: tetrad init --school КОД [--name НАЗВАНИЕ]\n"
"       tetrad init --curator [--name ФИО]\n"
"\n"
"Создаёт базу, ключ устройства и настройки. Компьютер школы — с её кодом\n"
"(латинские буквы, цифры, «-», «_», не длиннее 32 знаков); ноутбук куратора —\n"
"без своей школы: его школы придут с кодом регистрации (tetrad enroll).\n"
"\n"
"Параметры:\n"
"  --school КОД        код школы\n"
"  --curator           ноутбук куратора (вместо --school)\n"
"  --name НАЗВАНИЕ     название школы или ФИО куратора\n"
CLI_U_COMMON, o_init, 0, 0), cli_setup_init, NULL },
	{ NULL, SPEC("forms",
"Использование: tetrad forms [--json]\n"
"\n"
"Известные формы: каждая версия, новейшая отмечена.\n"
"\n"
"Параметры:\n"
"  --json              массив JSON: id, version, title, latest, fields\n"
CLI_U_COMMON, o_json, 0, 0), cli_view_forms, NULL },
	{ NULL, SPEC("new",
"Использование: tetrad new ФОРМА [--set ПОЛЕ=ЗНАЧЕНИЕ]... [--json ФАЙЛ|-]\n"
"                  [--draft] [--school КОД]\n"
"\n"
"Новая запись по новейшей версии ФОРМЫ (список: tetrad forms); печатает её\n"
"номер. Без значений и на терминале — вопросы по одному полю.\n"
"\n"
"Параметры:\n"
"  -s, --set ПОЛЕ=ЗНАЧЕНИЕ  значение поля (можно много раз; «ПОЛЕ=» — пусто)\n"
"  --json ФАЙЛ|-            объект JSON со значениями (из файла или stdin)\n"
"  --draft                  сохранить черновиком (без полной проверки)\n"
"  --school КОД             школа записи (ноутбук куратора)\n"
CLI_U_COMMON, o_new, 1, 1), cli_record_new, NULL },
	{ NULL, SPEC("edit",
"Использование: tetrad edit НОМЕР [--set ПОЛЕ=ЗНАЧЕНИЕ]... [--json ФАЙЛ|-]\n"
"       tetrad edit НОМЕР [ПОЛЕ]     вопросы на терминале (все или одного поля)\n"
"\n"
"Изменяет запись: проверка — по версии формы самой записи. НОМЕР — полностью\n"
"или начало не короче 8 знаков.\n"
"\n"
"Параметры:\n"
"  -s, --set ПОЛЕ=ЗНАЧЕНИЕ  новое значение поля («ПОЛЕ=» — убрать ответ)\n"
"  --json ФАЙЛ|-            объект JSON с новыми значениями\n"
CLI_U_COMMON, o_edit, 1, 2), cli_record_edit, NULL },
	{ NULL, SPEC("finalize",
"Использование: tetrad finalize НОМЕР\n"
"\n"
"Делает черновик окончательным после полной проверки и ставит в очередь\n"
"отправки.\n"
CLI_U_COMMON, o_files, 1, 1), cli_record_finalize, NULL },
	{ NULL, SPEC("delete",
"Использование: tetrad delete НОМЕР\n"
"\n"
"Удаляет запись: окончательная уходит на хаб как удаление, черновик\n"
"просто помечается удалённым.\n"
CLI_U_COMMON, o_files, 1, 1), cli_record_delete, NULL },
	{ NULL, SPEC("list",
"Использование: tetrad list [ФОРМА] [--status draft|final|deleted] [--json]\n"
"\n"
"Записи (всех форм или одной), старые первыми; время — ДД.ММ.ГГГГ ЧЧ:ММ.\n"
"\n"
"Параметры:\n"
"  --status СОСТОЯНИЕ  draft (черновики), final (окончательные), deleted\n"
"  --json              массив JSON: id, form_id, form_version, school,\n"
"                      status, created_hlc, updated_hlc, data\n"
CLI_U_COMMON, o_list, 0, 1), cli_view_list, NULL },
	{ NULL, SPEC("show",
"Использование: tetrad show НОМЕР [--json]\n"
"\n"
"Одна запись с подписями полей и вариантов ответа.\n"
"\n"
"Параметры:\n"
"  --json              объект JSON (значения как хранятся)\n"
CLI_U_COMMON, o_json, 1, 1), cli_view_show, NULL },
	{ NULL, SPEC("export",
"Использование: tetrad export ФОРМА [--format csv|json|xlsx] [--codes]\n"
"                  [--out ФАЙЛ] [--delimiter ЗНАК]\n"
"\n"
"Выгрузка записей ФОРМЫ (кроме удалённых). csv и json — на экран или в файл,\n"
"xlsx (книга Excel) — только в файл. На терминале виден ход выгрузки.\n"
"\n"
"Параметры:\n"
"  --format ВИД        csv (по умолчанию), json или xlsx\n"
"  --codes             коды и номера вместо русских подписей (csv, json)\n"
"  --out ФАЙЛ          записать в файл (доступен только владельцу)\n"
"  --delimiter ЗНАК    разделитель csv: ; , | или tab (по умолчанию ;)\n"
CLI_U_COMMON, o_export, 1, 1), cli_io_export, NULL },
	{ NULL, SPEC("import",
"Использование: tetrad import ФОРМА --csv ФАЙЛ [--delimiter ЗНАК] [--school КОД]\n"
"\n"
"Новые записи и изменения своих записей из таблицы CSV — всё или ничего:\n"
"при любой ошибке ничего не записывается, все ошибки названы. На терминале\n"
"виден ход загрузки.\n"
"\n"
"Параметры:\n"
"  --csv ФАЙЛ          таблица (UTF-8)\n"
"  --delimiter ЗНАК    ; , | или tab (по умолчанию — по строке заголовков)\n"
"  --school КОД        школа записей (ноутбук куратора)\n"
CLI_U_COMMON, o_import, 1, 1), cli_io_import, NULL },
	{ NULL, SPEC("status",
"Использование: tetrad status [--json]\n"
"\n"
"Школа, устройство, хаб, число записей, очередь отправки, конфликты, записи\n"
"в карантине с причинами, последняя синхронизация, пароль.\n"
"\n"
"Параметры:\n"
"  --json              объект JSON (числа — числами, списки — массивами)\n"
CLI_U_COMMON, o_json, 0, 0), cli_status, NULL },
	{ NULL, SPEC("retry",
"Использование: tetrad retry [--all] [--json]\n"
"\n"
"Записи из карантина снова в очередь отправки: по умолчанию те, что хаб\n"
"разрешил отправить как есть.\n"
"\n"
"Параметры:\n"
"  --all               все записи из карантина\n"
"  --json              {\"requeued\": N, \"left\": M}\n"
CLI_U_COMMON, o_retry, 0, 0), cli_retry, NULL },
	{ NULL, SPEC("conflicts",
"Использование: tetrad conflicts [--json] [--clear]\n"
"\n"
"Ваши значения, уступившие значениям другого устройства, и как вернуть своё.\n"
"\n"
"Параметры:\n"
"  --json              массив JSON (с --clear: {\"cleared\": N, \"left\": M})\n"
"  --clear             очистить список показанного\n"
CLI_U_COMMON, o_conflicts, 0, 0), cli_conflicts, NULL },
	{ NULL, { "tetrad", "profile",
"Использование: tetrad profile ПОДКОМАНДА\n"
"\n"
"Подкоманды:\n"
"  profile import ФАЙЛ.csv   выданный рисковый профиль школы (РПШ) из файла\n",
	    o_files, 0, -1, 1 }, NULL,
	    "Укажите, что сделать: tetrad profile import ФАЙЛ.csv (столбцы Код ОО; "
	    "Год; Фактор; Уровень)." },
	{ "profile", SPEC("profile import",
"Использование: tetrad profile import ФАЙЛ.csv\n"
"\n"
"Выданный рисковый профиль школы (РПШ): столбцы Код ОО; Год; Фактор; Уровень\n"
"(высокий / средний / низкий / не выявлен). Всё или ничего; профиль каждой\n"
"школы и года из файла заменяет прежний.\n"
CLI_U_COMMON, o_files, 1, 1), cli_profile, NULL },
	{ NULL, { "tetrad", "passphrase",
"Использование: tetrad passphrase ПОДКОМАНДА [ПАРАМЕТРЫ]\n"
"\n"
"Пароль скрывает ФИО, телефоны и суть конфликта в файле базы.\n"
"\n"
"Подкоманды:\n"
"  passphrase set [--no-recovery]    задать пароль; показать ключ\n"
"                                    восстановления\n"
"  passphrase change [--recovery]    сменить пароль (по старому или по ключу)\n"
"  passphrase remove [--yes]         снять пароль: значения снова открыты\n"
"  passphrase reset [--yes] [--no-recovery]\n"
"                                    забыты и пароль, и ключ: скрытые значения\n"
"                                    удаляются, задаётся новый пароль\n"
"  passphrase status [--json]        задан ли пароль, сколько записей скрыто\n"
"\n"
"Справка по подкоманде: tetrad passphrase ПОДКОМАНДА --help\n",
	    o_files, 0, -1, 1 }, NULL,
	    "Укажите, что сделать: tetrad passphrase set (задать), change (сменить), "
	    "remove (снять), reset (забыты и пароль, и ключ восстановления), status "
	    "(задан ли)." },
	{ "passphrase", SPEC("passphrase set",
"Использование: tetrad passphrase set [--no-recovery]\n"
"\n"
"Задаёт пароль: ФИО, телефоны и суть конфликта всех записей шифруются.\n"
"Новый пароль — из --new-passphrase-file (или --passphrase-file), иначе\n"
"дважды на терминале. Ключ восстановления печатается один раз.\n"
"\n"
"Параметры:\n"
"  --no-recovery       без ключа восстановления\n"
CLI_U_COMMON, o_pass_set, 0, 0), cli_passphrase_set, NULL },
	{ "passphrase", SPEC("passphrase change",
"Использование: tetrad passphrase change [--recovery]\n"
"\n"
"Меняет пароль: нужен старый (или ключ восстановления), затем новый.\n"
"Ключ восстановления остаётся прежним.\n"
"\n"
"Параметры:\n"
"  --recovery          вместо старого пароля — ключ восстановления\n"
"                      (из --recovery-file или с терминала)\n"
CLI_U_COMMON, o_pass_change, 0, 0), cli_passphrase_change, NULL },
	{ "passphrase", SPEC("passphrase remove",
"Использование: tetrad passphrase remove [--yes] [--recovery]\n"
"\n"
"Снимает пароль: скрытые значения снова хранятся открыто. Нужен пароль\n"
"(или ключ восстановления), на терминале — подтверждение.\n"
"\n"
"Параметры:\n"
"  -y, --yes           без вопроса\n"
"  --recovery          вместо пароля — ключ восстановления\n"
CLI_U_COMMON, o_pass_remove, 0, 0), cli_passphrase_remove, NULL },
	{ "passphrase", SPEC("passphrase reset",
"Использование: tetrad passphrase reset [--yes] [--no-recovery]\n"
"\n"
"Забыты и пароль, и ключ восстановления: скрытые значения УДАЛЯЮТСЯ (остальное\n"
"в записях остаётся), задаётся новый пароль и печатается новый ключ.\n"
"Не на терминале нужен --yes.\n"
"\n"
"Параметры:\n"
"  -y, --yes           без вопроса\n"
"  --no-recovery       без ключа восстановления\n"
CLI_U_COMMON, o_pass_reset, 0, 0), cli_passphrase_reset, NULL },
	{ "passphrase", SPEC("passphrase status",
"Использование: tetrad passphrase status [--json]\n"
"\n"
"Задан ли пароль, параметры его защиты, есть ли ключ восстановления, сколько\n"
"записей скрыто. Секретов не печатает.\n"
"\n"
"Параметры:\n"
"  --json              объект JSON: set, damaged, kdf, ops, mem, recovery,\n"
"                      weak, hidden_records, scrub_pending\n"
CLI_U_COMMON, o_json, 0, 0), cli_passphrase_status, NULL },
	/* handed to tetrad-syncd whole: these specs only say what --help prints */
	{ NULL, SPEC("enroll",
"Использование: tetrad enroll --file ФАЙЛ_РЕГИСТРАЦИИ [--passphrase-file ФАЙЛ]\n"
"       tetrad enroll --hub https://АДРЕС:ПОРТ --token КОД [--pin ОТПЕЧАТОК]\n"
"\n"
"Регистрация устройства на хабе: запускает tetrad-syncd enroll с базой\n"
"этой команды (--db). Файл регистрации выдаёт хаб (tetrad-hub token create\n"
"… --enroll-file). Все параметры и коды выхода: tetrad-syncd enroll --help.\n", NULL, 0, -1), NULL, NULL },
	{ NULL, SPEC("sync",
"Использование: tetrad sync [ПАРАМЕТРЫ tetrad-syncd --once]\n"
"\n"
"Отправить записи на хаб и получить новое: запускает tetrad-syncd --once с\n"
"базой этой команды (--db). Коды выхода — tetrad-syncd; все параметры:\n"
"tetrad-syncd --once --help.\n", NULL, 0, -1), NULL, NULL },
	{ NULL, SPEC("help",
"Использование: tetrad help [КОМАНДА [ПОДКОМАНДА]]\n"
"\n"
"Справка по программе или по команде (то же, что tetrad КОМАНДА --help).\n",
	    NULL, 0, 2), NULL, NULL },
};

const struct cli_cmd *
cli_cmd_find(const char *group, const char *name)
{
	for (size_t i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++) {
		const struct cli_cmd *k = &cli_cmds[i];
		const char *word = k->spec.command;

		if ((group == NULL) != (k->group == NULL))
			continue;
		if (group != NULL) {
			if (strcmp(group, k->group) != 0)
				continue;
			word += strlen(group) + 1;   /* "passphrase set" → "set" */
		}
		if (strcmp(word, name) == 0)
			return k;
	}
	return NULL;
}

int
cli_opt_apply(struct cli *c, int id, const char *v)
{
	switch (id) {
	case O_DB: c->db_opt = v; break;
	case O_PASS_FILE: c->pass_file = v; break;
	case O_NEW_PASS_FILE: c->new_pass_file = v; break;
	case O_RECOVERY_FILE: c->recovery_file = v; break;
	case O_SET:
		if (c->n_sets == CLI_MAX_SETS)
			return cli_usage(c, "слишком много --set (больше %d).", CLI_MAX_SETS);
		c->sets[c->n_sets++] = v;
		break;
	case O_JSON: c->json = true; break;
	case O_JSON_FILE: c->json_file = v; break;
	case O_DRAFT: c->draft = true; break;
	case O_SCHOOL: c->school = v; break;
	case O_NAME: c->name = v; break;
	case O_CURATOR: c->curator = true; break;
	case O_STATUS: c->status_filter = v; break;
	case O_FORMAT: c->format = v; break;
	case O_CODES: c->codes = true; break;
	case O_OUT: c->out_file = v; break;
	case O_CSV: c->csv_file = v; break;
	case O_ALL: c->all = true; break;
	case O_CLEAR: c->clear = true; break;
	case O_NO_RECOVERY: c->no_recovery = true; break;
	case O_RECOVERY: c->recovery = true; break;
	case O_YES: c->yes = true; break;
	case O_DELIM:
		if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0)
			c->delim = '\t';
		else if (strlen(v) == 1 && strchr(",;|\t", v[0]))
			c->delim = v[0];
		else
			return cli_usage(c, "разделитель «%s» не поддерживается: "
			    "используйте ; , | или tab.", v);
		break;
	default:
		return cli_usage(c, "внутренняя ошибка: параметр %d без обработчика.", id);
	}
	return CLI_OK;
}
