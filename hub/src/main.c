/*
 * tetrad-hub — the municipal hub: command line (docs/hub.md). This file
 * reads the options before the command, the command words ("token
 * create", "report passport") and dispatches; the commands are in cmd/,
 * each with its own usage and options (cmdline.h). `--help` after any
 * command words prints that command's or group's usage and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmdline/logline.h"
#include "hub/proctune.h"
#include "tetrad/keys.h"

static const char main_usage[] =
"Использование: tetrad-hub [--data ПАПКА] [--passphrase-file ФАЙЛ] КОМАНДА ...\n"
"\n"
"Муниципальный хаб Тетрады: принимает наборы записей школ и кураторов по HTTPS\n"
"или с флешки, регистрирует устройства, публикует формы, строит отчёты.\n"
"\n"
"Команды:\n"
"  init                    создать хаб в папке: ключи, тестовый сертификат\n"
"  serve                   принимать наборы по HTTPS до SIGTERM\n"
"  token create|list       коды регистрации устройств\n"
"  device list|revoke      устройства: список, отзыв\n"
"  import ФАЙЛ             выгрузка школы с флешки (или её файл подтверждения)\n"
"  export-changes          изменения для устройства на флешку\n"
"  keys list|rotate|retire ключ шифрования хаба и его смена\n"
"  schools add|list|import реестр школ\n"
"  programmes import|set|unset|list  школы программ по годам\n"
"  profile import          выданный рисковый профиль школ\n"
"  conflicts list          значения, уступившие более позднему изменению\n"
"  quarantine list         отклонённые наборы, сохранённые для разбора\n"
"  forms publish|list      формы хаба\n"
"  report ОТЧЁТ            отчёты: verification, mediation, passport, surveys,\n"
"                          identification, completeness, settings\n"
"  results import          результаты оценочных процедур\n"
"  settings set            настройки отчётов\n"
"  user add|passwd|list    учётные записи панели координатора\n"
"  audit list              журнал аудита панели\n"
"  migrate                 перенести базу хаба из SQLite в PostgreSQL\n"
"\n"
"Справка по команде: tetrad-hub КОМАНДА --help (например, tetrad-hub token\n"
"create --help, tetrad-hub report passport --help). Подробно: docs/hub.md,\n"
"man tetrad-hub.\n"
"\n"
"Общие параметры (до или после команды):\n"
"  --data ПАПКА            папка хаба (иначе переменная TETRAD_HUB_DATA)\n"
"  --passphrase-file ФАЙЛ  парольная фраза ключей хаба (первая строка файла;\n"
"                          иначе passphrase_file в hub.conf)\n"
"  --help, -h              справка; --version, -V — версия\n"
"\n" CMD_EXIT_HELP;

/* A group of subcommands: its word, its --help, its subcommands. */
struct main_sub {
	const char *word;
	cmd_fn *run;
};

struct main_group {
	const char *word;
	const char *usage;
	struct main_sub subs[8];  /* word NULL ends; "*" takes any word (report NAME) */
};

#define MAIN_GROUP_TAIL(g, ex) \
	"\n" \
	"Справка по подкоманде: tetrad-hub " g " " ex " --help\n" \
	"\n" CMD_COMMON_HELP

static const struct main_group main_groups[] = {
	{ "token",
	"Использование: tetrad-hub token ПОДКОМАНДА ...\n"
	"\n"
	"Коды регистрации: одноразовый код, по которому устройство школы или\n"
	"ноутбук куратора регистрируется на хабе.\n"
	"\n"
	"Подкоманды:\n"
	"  token create    выдать код школе (--school) или куратору (--curator)\n"
	"  token list      все коды: кому, до какого срока, использованы ли\n"
	MAIN_GROUP_TAIL("token", "create"),
	{ { "create", cmd_token_create }, { "list", cmd_token_list }, { NULL, NULL } } },
	{ "device",
	"Использование: tetrad-hub device ПОДКОМАНДА ...\n"
	"\n"
	"Зарегистрированные устройства школ и кураторов.\n"
	"\n"
	"Подкоманды:\n"
	"  device list      устройства, их отметки и синхронизация\n"
	"  device revoke    отозвать устройство (потерян или украден ноутбук)\n"
	MAIN_GROUP_TAIL("device", "revoke"),
	{ { "list", cmd_device_list }, { "revoke", cmd_device_revoke }, { NULL, NULL } } },
	{ "keys",
	"Использование: tetrad-hub keys ПОДКОМАНДА ...\n"
	"\n"
	"Ключ шифрования хаба: смена без потери наборов, зашифрованных прежним.\n"
	"\n"
	"Подкоманды:\n"
	"  keys list      текущий и прежние ключи\n"
	"  keys rotate    создать новый ключ, прежний сохранить\n"
	"  keys retire    удалить прежний ключ\n"
	MAIN_GROUP_TAIL("keys", "rotate"),
	{ { "list", cmd_keys_list }, { "rotate", cmd_keys_rotate }, { "retire", cmd_keys_retire },
	  { NULL, NULL } } },
	{ "schools",
	"Использование: tetrad-hub schools ПОДКОМАНДА ...\n"
	"\n"
	"Реестр школ муниципалитета: коды и названия для отчётов.\n"
	"\n"
	"Подкоманды:\n"
	"  schools add       добавить или переименовать школу\n"
	"  schools list      реестр школ\n"
	"  schools import    загрузить реестр из CSV\n"
	MAIN_GROUP_TAIL("schools", "import"),
	{ { "add", cmd_schools_add }, { "list", cmd_schools_list },
	  { "import", cmd_schools_import }, { NULL, NULL } } },
	{ "programmes",
	"Использование: tetrad-hub programmes ПОДКОМАНДА ...\n"
	"\n"
	"Школы программ (ШНОР, ШНСУ, 500+, ШАНС, школа-партнёр) по годам.\n"
	"\n"
	"Подкоманды:\n"
	"  programmes import    загрузить списки из CSV\n"
	"  programmes set       добавить школу в программу на год\n"
	"  programmes unset     снять школу с программы на год\n"
	"  programmes list      школы программ\n"
	MAIN_GROUP_TAIL("programmes", "import"),
	{ { "import", cmd_programmes_import }, { "set", cmd_programmes_set },
	  { "unset", cmd_programmes_unset }, { "list", cmd_programmes_list }, { NULL, NULL } } },
	{ "profile",
	"Использование: tetrad-hub profile ПОДКОМАНДА ...\n"
	"\n"
	"Выданный рисковый профиль школ (РПШ).\n"
	"\n"
	"Подкоманды:\n"
	"  profile import    загрузить профиль из CSV\n"
	MAIN_GROUP_TAIL("profile", "import"),
	{ { "import", cmd_profile_import }, { NULL, NULL } } },
	{ "conflicts",
	"Использование: tetrad-hub conflicts ПОДКОМАНДА ...\n"
	"\n"
	"Журнал конфликтов правок одной записи с разных устройств.\n"
	"\n"
	"Подкоманды:\n"
	"  conflicts list      уступившие значения и решения по ним\n"
	"  conflicts resolve   решение: оставить принятое или взять отклонённое\n"
	MAIN_GROUP_TAIL("conflicts", "list"),
	{ { "list", cmd_conflicts_list }, { "resolve", cmd_conflicts_resolve },
	  { NULL, NULL } } },
	{ "quarantine",
	"Использование: tetrad-hub quarantine ПОДКОМАНДА ...\n"
	"\n"
	"Наборы, которые хаб отклонил, но сохранил для разбора.\n"
	"\n"
	"Подкоманды:\n"
	"  quarantine list      отклонённые наборы\n"
	MAIN_GROUP_TAIL("quarantine", "list"),
	{ { "list", cmd_quarantine_list }, { NULL, NULL } } },
	{ "forms",
	"Использование: tetrad-hub forms ПОДКОМАНДА ...\n"
	"\n"
	"Формы, по которым хаб проверяет записи и которые получают устройства.\n"
	"\n"
	"Подкоманды:\n"
	"  forms publish   опубликовать новую версию формы\n"
	"  forms list      встроенные и опубликованные формы\n"
	MAIN_GROUP_TAIL("forms", "publish"),
	{ { "publish", cmd_forms_publish }, { "list", cmd_forms_list }, { NULL, NULL } } },
	{ "report",
	"Использование: tetrad-hub report ОТЧЁТ [ПАРАМЕТРЫ]\n"
	"\n"
	"Отчёты по данным хаба (docs/reports.md): таблица, CSV или JSON.\n"
	"\n"
	"Отчёты:\n"
	"  report verification     верификация рисковых профилей школ\n"
	"  report mediation        службы примирения (медиации): случаи и программы\n"
	"  report passport         социальный паспорт, ИСБШ и социальный статус школ\n"
	"  report surveys          анкетирование\n"
	"  report identification   выявление школ: социальный статус × уровень результатов\n"
	"  report completeness     полнота сбора по срокам программ\n"
	"  report settings         текущие настройки отчётов\n"
	MAIN_GROUP_TAIL("report", "passport"),
	{ { "*", cmd_report }, { NULL, NULL } } },
	{ "results",
	"Использование: tetrad-hub results ПОДКОМАНДА ...\n"
	"\n"
	"Результаты оценочных процедур школ по годам (для отчётов).\n"
	"\n"
	"Подкоманды:\n"
	"  results import    загрузить результаты из CSV\n"
	MAIN_GROUP_TAIL("results", "import"),
	{ { "import", cmd_results_import }, { NULL, NULL } } },
	{ "settings",
	"Использование: tetrad-hub settings ПОДКОМАНДА ...\n"
	"\n"
	"Настройки отчётов (текущие значения: tetrad-hub report settings).\n"
	"\n"
	"Подкоманды:\n"
	"  settings set       изменить или сбросить настройку\n"
	MAIN_GROUP_TAIL("settings", "set"),
	{ { "set", cmd_settings_set }, { NULL, NULL } } },
	{ "user",
	"Использование: tetrad-hub user ПОДКОМАНДА ...\n"
	"\n"
	"Учётные записи панели координатора (https://адрес-хаба/): кто входит,\n"
	"с какой ролью и паролем.\n"
	"\n"
	"Подкоманды:\n"
	"  user add        создать (--role admin|coordinator|school, --school КОД)\n"
	"  user passwd     новый пароль (забытый), снять блокировку входа\n"
	"  user disable    заблокировать; user enable — разблокировать\n"
	"  user list       все учётные записи\n"
	MAIN_GROUP_TAIL("user", "add"),
	{ { "add", cmd_user_add }, { "passwd", cmd_user_passwd },
	  { "disable", cmd_user_disable }, { "enable", cmd_user_enable },
	  { "list", cmd_user_list }, { NULL, NULL } } },
	{ "audit",
	"Использование: tetrad-hub audit list [--json]\n"
	"\n"
	"Журнал аудита панели координатора: входы, выгрузки, действия\n"
	"администраторов — кто, когда, откуда.\n"
	MAIN_GROUP_TAIL("audit", "list"),
	{ { "list", cmd_audit_list }, { NULL, NULL } } },
};

/* The commands of one word. */
static const struct main_sub main_single[] = {
	{ "init", cmd_init },
	{ "serve", cmd_serve },
	{ "import", cmd_import },
	{ "export-changes", cmd_export_changes },
	{ "migrate", cmd_migrate },
};

#define MAIN_N(a) (sizeof(a) / sizeof((a)[0]))

static const struct cmdline_opt main_opts[] = {
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

/*
 * A group's words: options before the subcommand (--help prints the
 * group's usage), then the subcommand, which gets the rest with its own
 * word first.
 */
static int
main_group(struct hubconf *h, const struct main_group *g, int argc, char **argv,
    struct terr *e)
{
	const struct cmdline_spec spec = { CMD_PROG, g->word, g->usage, main_opts, 0, -1, 1 };
	struct cmdline c;
	const char *v, *word;
	int id;

	cmdline_begin(&c, &spec, argc, argv);
	if ((id = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if (c.next >= argc)
		return cmd_usage(e, g->word, "%s: укажите подкоманду", g->word);
	word = argv[c.next];
	for (const struct main_sub *s = g->subs; s->word != NULL; s++)
		if (strcmp(s->word, word) == 0 || strcmp(s->word, "*") == 0)
			return s->run(h, argc - c.next, argv + c.next, e);
	return cmd_usage(e, g->word, "%s: неизвестная подкоманда «%.64s»", g->word, word);
}

static int
main_dispatch(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	const struct cmdline_spec spec = { CMD_PROG, NULL, main_usage, main_opts, 0, -1, 1 };
	const char *v, *word;
	struct cmdline c;
	int id;

	cmdline_begin(&c, &spec, argc, argv);
	if ((id = cmd_next(h, &c, &v)) != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if (c.next >= argc)
		return cmd_usage(e, NULL, "укажите команду");
	word = argv[c.next];
	for (size_t i = 0; i < MAIN_N(main_single); i++)
		if (strcmp(main_single[i].word, word) == 0)
			return main_single[i].run(h, argc - c.next, argv + c.next, e);
	for (size_t i = 0; i < MAIN_N(main_groups); i++)
		if (strcmp(main_groups[i].word, word) == 0)
			return main_group(h, &main_groups[i], argc - c.next, argv + c.next, e);
	return cmd_usage(e, NULL, "неизвестная команда «%.64s»", word);
}

/*
 * The last word of a failed command, on stderr. Under systemd (the unit's
 * `serve`: stderr is the journal) through logline as an error, so a hub
 * that cannot listen or read its certificate shows in `journalctl -p err`
 * and not as info; one line there (the journal splits on newlines, and the
 * help hint's line would lose the priority). Elsewhere «Ошибка: …» as
 * tetrad and tetrad-syncd say it.
 */
static void
main_error(const char *msg)
{
	struct logline l;
	char line[TERR_MSG_MAX];

	logline_open(&l, stderr, CMD_PROG, LOGLINE_DEBUG);
	if (!l.journal) {
		fprintf(stderr, "Ошибка: %s\n", msg);
		return;
	}
	snprintf(line, sizeof(line), "%s", msg);
	for (char *p = line; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	logline_printf(&l, LOGLINE_ERR, "Ошибка: %s", line);
}

int
main(int argc, char **argv)
{
	struct hubconf *h = NULL;
	struct terr e;
	int r;

	terr_clear(&e);
	proctune_apply();
	if (keys_init(&e) != 0) {
		main_error(e.msg);
		return CMD_EXIT_OTHER;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		main_error("недостаточно памяти");
		return CMD_EXIT_OTHER;
	}
	r = main_dispatch(h, argc, argv, &e);
	/* a positive code without a message has said everything already */
	if (r < 0 || (r > 0 && e.msg[0] != '\0'))
		main_error(e.msg[0] ? e.msg : terr_str(r));
	hubconf_close(h);
	free(h);
	return cmd_exit_code(r);
}
