/*
 * cmd_args — tetrad-syncd's modes and commands on cmdline.h: each has its
 * own options table and usage text; --help after a mode or a command
 * prints that one's usage.
 *
 * The modes are options (--once, --daemon: documented so, and the units
 * and `tetrad sync` run them so); the commands are words. Options may
 * stand before the command word too — `tetrad` runs `tetrad-syncd --db DB
 * enroll …` — so the top level reads every option there is, stops at the
 * command word, and then each option read before it must be one the
 * chosen mode or command takes.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "cmdline/cmdline.h"
#include "syncd/sync.h"

enum {
	O_DB = 1, O_ONCE, O_DAEMON, O_WINDOW, O_INTERVAL, O_CONFIG, O_PASS, O_BATCH, O_MAXBYTES,
	O_ATTEMPTS, O_BACKOFF, O_BACKOFF_MAX, O_TIMEOUT, O_CONNECT_TIMEOUT, O_NOPULL, O_QUIET,
	O_HUB, O_TOKEN, O_CA, O_PIN, O_FILE, O_LABEL, O_FORCE, O_OUT,
	O_COUNT
};

#define R_DB { "db", 1, O_DB, 0 }
#define R_PASS { "passphrase-file", 1, O_PASS, 0 }
#define R_SET { "batch", 1, O_BATCH, 0 }, { "max-bytes", 1, O_MAXBYTES, 0 }
#define R_NET { "attempts", 1, O_ATTEMPTS, 0 }, { "backoff-ms", 1, O_BACKOFF, 0 }, \
	{ "backoff-max-ms", 1, O_BACKOFF_MAX, 0 }, R_TIMEOUTS
#define R_TIMEOUTS { "timeout-ms", 1, O_TIMEOUT, 0 }, \
	{ "connect-timeout-ms", 1, O_CONNECT_TIMEOUT, 0 }
#define R_END { NULL, 0, 0, 0 }

static const struct cmdline_opt opts_all[] = {
	R_DB, R_PASS, R_SET, R_NET, { "once", 0, O_ONCE, 0 }, { "daemon", 0, O_DAEMON, 0 },
	{ "window", 1, O_WINDOW, 0 }, { "interval", 1, O_INTERVAL, 0 },
	{ "config", 1, O_CONFIG, 0 }, { "no-pull", 0, O_NOPULL, 0 }, { "quiet", 0, O_QUIET, 0 },
	{ "hub", 1, O_HUB, 0 }, { "token", 1, O_TOKEN, 0 }, { "ca", 1, O_CA, 0 },
	{ "pin", 1, O_PIN, 0 }, { "file", 1, O_FILE, 0 }, { "label", 1, O_LABEL, 0 },
	{ "force", 0, O_FORCE, 0 }, { "out", 1, O_OUT, 0 }, R_END,
};
static const struct cmdline_opt opts_once[] = {
	R_DB, R_PASS, R_SET, R_NET, { "once", 0, O_ONCE, 0 }, { "no-pull", 0, O_NOPULL, 0 },
	{ "quiet", 0, O_QUIET, 0 }, R_END,
};
static const struct cmdline_opt opts_daemon[] = {
	R_DB, R_PASS, R_SET, R_NET, { "daemon", 0, O_DAEMON, 0 }, { "window", 1, O_WINDOW, 0 },
	{ "interval", 1, O_INTERVAL, 0 }, { "config", 1, O_CONFIG, 0 },
	{ "no-pull", 0, O_NOPULL, 0 }, { "quiet", 0, O_QUIET, 0 }, R_END,
};
static const struct cmdline_opt opts_enroll[] = {
	R_DB, R_PASS, R_TIMEOUTS, { "hub", 1, O_HUB, 0 }, { "token", 1, O_TOKEN, 0 },
	{ "ca", 1, O_CA, 0 }, { "pin", 1, O_PIN, 0 }, { "file", 1, O_FILE, 0 },
	{ "label", 1, O_LABEL, 0 }, { "force", 0, O_FORCE, 0 }, R_END,
};
static const struct cmdline_opt opts_export[] = {
	R_DB, R_PASS, R_SET, { "out", 1, O_OUT, 0 }, R_END,
};
static const struct cmdline_opt opts_file[] = { R_DB, R_PASS, R_END };
static const struct cmdline_opt opts_pull[] = {
	R_DB, R_PASS, R_NET, { "quiet", 0, O_QUIET, 0 }, R_END,
};

#define EXIT_TEXT_RUN \
	"Коды завершения:\n" \
	"  0   всё отправленное подтверждено хабом\n" \
	"  10  остались неотправленные записи (хаб временно отказал, остановка по сигналу)\n" \
	"  11  часть наборов помещена в карантин (причины: «tetrad status»)\n" \
	"  12  хаб недоступен (сеть, DNS, TLS); записи отправятся в следующий раз\n" \
	"  2   ошибка вызова или настройки (не зарегистрировано, неверная парольная\n" \
	"      фраза, нет базы данных); устройство отозвано на хабе\n" \
	"  4   ошибка базы данных или записи в очереди\n"

#define OPTS_TEXT_RUN \
	"  --db ФАЙЛ               база данных; иначе $TETRAD_DB, иначе\n" \
	"                          ~/.local/share/tetrad/tetrad.db (как у tetrad)\n" \
	"  --passphrase-file Ф     файл с парольной фразой ключа устройства (первая строка)\n" \
	"  --attempts N            попыток на запрос, 1–100 (по умолчанию 5)\n" \
	"  --backoff-ms N          первая пауза между попытками, мс (1000; дальше вдвое)\n" \
	"  --backoff-max-ms N      наибольшая пауза, мс (60000)\n" \
	"  --timeout-ms N          предел одного запроса, мс (120000, больше для больших наборов)\n" \
	"  --connect-timeout-ms N  предел установки соединения, мс (10000)\n" \
	"  --quiet                 без итогов на stdout и без информационных строк журнала\n" \
	"                          (предупреждения и ошибки остаются)\n"

#define OPTS_TEXT_SET \
	"  --batch N               записей в одном наборе, 1–10000 (по умолчанию 1000)\n" \
	"  --max-bytes N           байт одного набора до шифрования, 1024–12582912 (4 МиБ)\n"

#define HELP_TEXT \
	"  -h, --help              эта справка\n" \
	"  -V, --version           версия программы\n"

static const char usage_top[] =
    "Использование: tetrad-syncd --once | --daemon | КОМАНДА [ПАРАМЕТРЫ]\n"
    "Синхронизация устройства Tetrad с хабом: отправляет записи этого устройства,\n"
    "получает с хаба формы и записи, регистрирует устройство, переносит изменения\n"
    "на флешке, когда сети нет.\n"
    "\n"
    "Режимы:\n"
    "  --once            одна синхронизация (её запускает «tetrad sync»)\n"
    "  --daemon          служба: синхронизация каждую ночь или через интервал\n"
    "Команды:\n"
    "  enroll            зарегистрировать устройство на хабе\n"
    "  pull              только получить с хаба формы и записи\n"
    "  export            выгрузить неотправленные изменения в файл (флешка)\n"
    "  import-acks       загрузить ответы хаба на выгрузку\n"
    "  import-changes    загрузить файл изменений с хаба\n"
    "\n"
    "Общие параметры (и до команды, и после неё):\n"
    "  --db ФАЙЛ         база данных; иначе $TETRAD_DB, иначе\n"
    "                    ~/.local/share/tetrad/tetrad.db (как у tetrad)\n"
    "  --passphrase-file Ф  файл с парольной фразой ключа устройства\n"
    "  -h, --help        эта справка; после режима или команды — её справка:\n"
    "                    tetrad-syncd --once --help, tetrad-syncd enroll --help\n"
    "  -V, --version     версия программы\n"
    "\n"
    "Коды завершения: 0 готово; 10 остались неотправленные записи; 11 есть наборы\n"
    "в карантине; 12 хаб недоступен; 2 ошибка вызова или настройки, устройство\n"
    "отозвано; 4 ошибка базы данных или файла.\n"
    "Подробно: man tetrad-syncd, docs/syncd.md.\n";

static const char usage_once[] =
    "Использование: tetrad-syncd --once [--db ФАЙЛ] [ПАРАМЕТРЫ]\n"
    "Одна синхронизация: отправляет на хаб всё, что ждёт отправки, затем получает\n"
    "новые версии форм и записи, которые устройство разделяет с другими; итог —\n"
    "на stdout, строки журнала — на stderr. На терминале, пока идёт отправка,\n"
    "видна строка хода работы («Отправка: 1 200 из 10 000 записей (12%)»).\n"
    "\n"
    "Параметры:\n"
    OPTS_TEXT_RUN
    OPTS_TEXT_SET
    "  --no-pull               только отправить: формы и записи с хаба не получать\n"
    HELP_TEXT
    "\n"
    EXIT_TEXT_RUN;

static const char usage_daemon[] =
    "Использование: tetrad-syncd --daemon [--db ФАЙЛ] [--window ЧЧ:ММ-ЧЧ:ММ | --interval СЕК]\n"
    "                           [--config ФАЙЛ] [ПАРАМЕТРЫ]\n"
    "Служба: ждёт случайного момента в ночном окне (по умолчанию 01:00-05:00,\n"
    "местное время), синхронизирует, как --once, и ждёт следующей ночи; с\n"
    "--interval синхронизирует сразу и затем каждые СЕК секунд. Работает до SIGTERM.\n"
    "\n"
    "Параметры:\n"
    "  --window ЧЧ:ММ-ЧЧ:ММ    окно синхронизации (может переходить через полночь)\n"
    "  --interval СЕК          вместо окна: каждые СЕК секунд, 1–604800\n"
    "  --config ФАЙЛ           строки window=ЧЧ:ММ-ЧЧ:ММ или interval=СЕК;\n"
    "                          перечитывается по SIGHUP\n"
    OPTS_TEXT_RUN
    OPTS_TEXT_SET
    "  --no-pull               только отправлять: формы и записи с хаба не получать\n"
    HELP_TEXT
    "\n"
    "Сигналы: SIGTERM, SIGINT — закончить запрос и выйти; SIGHUP — перечитать\n"
    "--config; SIGUSR1 — синхронизировать сейчас.\n"
    "Журнал — на stderr; под systemd с приоритетами журнала, без своего времени:\n"
    "journalctl -u tetrad-syncd -p warning покажет только предупреждения и ошибки.\n"
    "Коды завершения: 0 остановлена сигналом; 2 ошибка вызова или настройки.\n";

static const char usage_enroll[] =
    "Использование: tetrad-syncd enroll [--db ФАЙЛ] --hub https://ХОСТ:ПОРТ --token КОД\n"
    "                                   [--ca ФАЙЛ | --pin sha256//BASE64] [ПАРАМЕТРЫ]\n"
    "               tetrad-syncd enroll [--db ФАЙЛ] --file ФАЙЛ_ПОДКЛЮЧЕНИЯ [ПАРАМЕТРЫ]\n"
    "Регистрирует устройство на хабе одноразовым кодом («tetrad-hub token create»)\n"
    "или файлом подключения («tetrad-hub token create … --enroll-file ФАЙЛ»).\n"
    "\n"
    "Параметры:\n"
    "  --hub АДРЕС             адрес хаба, https://ХОСТ:ПОРТ\n"
    "  --token КОД             одноразовый код регистрации\n"
    "  --ca ФАЙЛ               сертификат центра сертификации хаба (PEM)\n"
    "  --pin sha256//BASE64    отпечаток открытого ключа сертификата хаба\n"
    "  --file ФАЙЛ             файл подключения: адрес, код и отпечаток в нём\n"
    "                          (вместо --hub, --token, --pin; без --ca)\n"
    "  --passphrase-file Ф     парольная фраза ключей устройства (первая строка файла)\n"
    "  --label ИМЯ             имя устройства на хабе (по умолчанию имя компьютера)\n"
    "  --force                 зарегистрировать заново уже зарегистрированное устройство\n"
    "  --timeout-ms N          предел запроса, мс\n"
    "  --connect-timeout-ms N  предел установки соединения, мс\n"
    "  --db ФАЙЛ               база данных; иначе $TETRAD_DB, иначе\n"
    "                          ~/.local/share/tetrad/tetrad.db\n"
    HELP_TEXT
    "\n"
    "Коды завершения: 0 зарегистрировано; 12 хаб недоступен или его сертификат не\n"
    "принят; 2 код не принят (использован, просрочен, неизвестен; устройство\n"
    "отозвано), негодный файл подключения, ошибка вызова; 4 ошибка базы данных или\n"
    "файла.\n";

static const char usage_export[] =
    "Использование: tetrad-syncd export [--db ФАЙЛ] --out ФАЙЛ [--passphrase-file Ф]\n"
    "                                   [--batch N] [--max-bytes N]\n"
    "Выгружает все изменения, ещё не подтверждённые хабом, в файл для флешки (школа\n"
    "без сети); рядом пишет ФАЙЛ.ack — подтверждение полученного с хаба. На хабе:\n"
    "«tetrad-hub import ФАЙЛ». Записи остаются в очереди, пока хаб их не подтвердит.\n"
    "На терминале при выгрузке видна строка хода работы.\n"
    "\n"
    "Параметры:\n"
    "  --out ФАЙЛ              новый файл выгрузки (существующий не перезаписывается)\n"
    "  --passphrase-file Ф     файл с парольной фразой ключа устройства\n"
    OPTS_TEXT_SET
    "  --db ФАЙЛ               база данных; иначе $TETRAD_DB, иначе\n"
    "                          ~/.local/share/tetrad/tetrad.db\n"
    HELP_TEXT
    "\n"
    "Коды завершения: 0 готово (или выгружать нечего: файла нет); 2 ошибка вызова,\n"
    "файл уже есть, нет папки (флешка не подключена?); 4 ошибка базы данных или\n"
    "записи файла.\n";

static const char usage_import_acks[] =
    "Использование: tetrad-syncd import-acks [--db ФАЙЛ] [--passphrase-file Ф]\n"
    "                                        ФАЙЛ_ПОДТВЕРЖДЕНИЙ\n"
    "Загружает ответы хаба на выгрузку (файл от «tetrad-hub import … --acks»):\n"
    "каждый проверяется по подписи хаба, и набор подтверждается или уходит в\n"
    "карантин, как при отправке по сети. Повторная загрузка ничего не меняет.\n"
    "\n"
    "Параметры:\n"
    "  --passphrase-file Ф     файл с парольной фразой ключа устройства\n"
    "  --db ФАЙЛ               база данных; иначе $TETRAD_DB, иначе\n"
    "                          ~/.local/share/tetrad/tetrad.db\n"
    HELP_TEXT
    "\n"
    "Коды завершения: 0 готово; 11 часть наборов в карантине; 2 ошибка вызова или\n"
    "негодный файл; 4 ошибка базы данных или файла.\n";

static const char usage_pull[] =
    "Использование: tetrad-syncd pull [--db ФАЙЛ] [ПАРАМЕТРЫ]\n"
    "Только получает с хаба новые версии форм и записи, которые устройство\n"
    "разделяет с другими; ничего не отправляет (это делает --once).\n"
    "\n"
    "Параметры:\n"
    OPTS_TEXT_RUN
    HELP_TEXT
    "\n"
    "Коды завершения: как у --once (tetrad-syncd --once --help); ответ хаба, который\n"
    "не принят (подделан, повторён, чужой), — 10.\n";

static const char usage_import_changes[] =
    "Использование: tetrad-syncd import-changes [--db ФАЙЛ] [--passphrase-file Ф]\n"
    "                                           ФАЙЛ_ИЗМЕНЕНИЙ\n"
    "Загружает файл изменений с хаба («tetrad-hub export-changes --device ИД --out\n"
    "ФАЙЛ»): двусторонняя синхронизация без сети. Каждый ответ в файле проверяется\n"
    "и применяется отдельно; повторная загрузка ничего не меняет.\n"
    "\n"
    "Параметры:\n"
    "  --passphrase-file Ф     файл с парольной фразой ключа устройства\n"
    "  --db ФАЙЛ               база данных; иначе $TETRAD_DB, иначе\n"
    "                          ~/.local/share/tetrad/tetrad.db\n"
    HELP_TEXT
    "\n"
    "Коды завершения: 0 готово; 2 файл или один из его ответов не принят (ответы\n"
    "до него остаются применены); 4 ошибка базы данных.\n";

#define SPEC(cmd, opts, usage, minp, maxp) \
	{ "tetrad-syncd", cmd, usage, opts, minp, maxp, 0 }

static const struct cmdline_spec spec_top = {
	"tetrad-syncd", NULL, usage_top, opts_all, 0, -1, 1,
};
static const struct cmdline_spec spec_once = SPEC("--once", opts_once, usage_once, 0, 0);
static const struct cmdline_spec spec_daemon = SPEC("--daemon", opts_daemon, usage_daemon, 0, 0);

/* The commands, by word. */
static const struct cmd_word {
	const char *word;
	enum cmd_which which;
	struct cmdline_spec spec;
} cmd_words[] = {
	{ "enroll", CMD_ENROLL, SPEC("enroll", opts_enroll, usage_enroll, 0, 0) },
	{ "export", CMD_EXPORT, SPEC("export", opts_export, usage_export, 0, 0) },
	{ "import-acks", CMD_IMPORT_ACKS,
	    SPEC("import-acks", opts_file, usage_import_acks, 1, 1) },
	{ "pull", CMD_PULL, SPEC("pull", opts_pull, usage_pull, 0, 0) },
	{ "import-changes", CMD_IMPORT_CHANGES,
	    SPEC("import-changes", opts_file, usage_import_changes, 1, 1) },
};

/*
 * Prints a mistake the way every command of the three programs does. Under
 * systemd the lines are errors in the journal: a unit whose arguments are
 * wrong (an unquoted Environment= value) must show up in `journalctl -p err`.
 */
static int
cmd_args_bad(const struct cmdline_spec *spec, const char *msg)
{
	struct logline ll;
	char help[128];

	if (spec->command)
		snprintf(help, sizeof(help), "Справка: %s %s --help", spec->prog, spec->command);
	else
		snprintf(help, sizeof(help), "Справка: %s --help", spec->prog);
	logline_open(&ll, stderr, spec->prog, LOGLINE_ERR);
	if (ll.journal) {
		logline_printf(&ll, LOGLINE_ERR, "Ошибка: %s", msg);
		logline_put(&ll, LOGLINE_ERR, help);
	} else
		fprintf(stderr, "Ошибка: %s\n%s\n", msg, help);
	return SYNC_EXIT_USAGE;
}

static int
cmd_args_version(void)
{
	char line[96];

	cmdline_version_line("tetrad-syncd", line, sizeof(line));
	fputs(line, stdout);
	return 0;
}

static int
cmd_args_has(const struct cmdline_opt *opts, int id)
{
	for (; opts->name != NULL; opts++)
		if (opts->id == id)
			return 1;
	return 0;
}

static const char *
cmd_args_name(int id)
{
	for (const struct cmdline_opt *o = opts_all; o->name != NULL; o++)
		if (o->id == id)
			return o->name;
	return "?";
}

/* Stores one option's value into a; -1 with c->msg set when it is wrong. */
static int
cmd_args_put(struct cmdline *c, struct cmd_args *a, int id, const char *v)
{
	long long *num = NULL, min = 1, max = 0;

	switch (id) {
	case O_DB: a->db = v; break;
	case O_ONCE: case O_DAEMON: break;
	case O_WINDOW: a->window = v; break;
	case O_CONFIG: a->config = v; break;
	case O_PASS: a->pass = v; break;
	case O_NOPULL: a->no_pull = 1; break;
	case O_QUIET: a->quiet = 1; break;
	case O_HUB: a->hub = v; break;
	case O_TOKEN: a->token = v; break;
	case O_CA: a->ca = v; break;
	case O_PIN: a->pin = v; break;
	case O_FILE: a->file = v; break;
	case O_LABEL: a->label = v; break;
	case O_FORCE: a->force = 1; break;
	case O_OUT: a->out = v; break;
	case O_BATCH: num = &a->batch; max = 10000; break;
	case O_MAXBYTES: num = &a->max_bytes; min = 1024; max = 12LL << 20; break;
	case O_ATTEMPTS: num = &a->attempts; max = 100; break;
	case O_BACKOFF: num = &a->backoff; max = 3600000; break;
	case O_BACKOFF_MAX: num = &a->backoff_max; max = 3600000; break;
	case O_INTERVAL: num = &a->interval; max = 7 * 86400; break;
	case O_TIMEOUT: num = &a->timeout; min = 100; max = 3600000; break;
	case O_CONNECT_TIMEOUT: num = &a->connect_timeout; min = 100; max = 600000; break;
	}
	if (num != NULL)
		return cmdline_number(c, cmd_args_name(id), v, min, max, num);
	return 0;
}

/* The spec a mistake's help points at: the mode's, once one was named. */
static const struct cmdline_spec *
cmd_args_mode_spec(const struct cmdline_spec *spec, int mode)
{
	return mode == O_ONCE ? &spec_once : mode == O_DAEMON ? &spec_daemon : spec;
}

/*
 * Reads one spec's options into a. Returns -1 at the end of the options
 * (c->pos, c->next tell the rest), or the exit code after help, version or
 * a mistake. seen (may be NULL) collects the ids read, for the top level.
 */
static int
cmd_args_read(struct cmdline *c, const struct cmdline_spec *spec, int argc, char **argv,
    struct cmd_args *a, unsigned char *seen, int *mode)
{
	const char *v;
	int id;

	cmdline_begin(c, spec, argc, argv);
	while ((id = cmdline_next(c, &v)) > 0) {
		if (seen != NULL)
			seen[id] = 1;
		if (id == O_ONCE || id == O_DAEMON) {
			/* both: the mistake is said once the command line is read */
			*mode = *mode != 0 && *mode != id ? -1 : id;
		}
		if (cmd_args_put(c, a, id, v) != 0)
			return cmd_args_bad(cmd_args_mode_spec(spec, *mode), c->msg);
	}
	switch (id) {
	case CMDLINE_HELP:
		/* "--help after a mode prints that mode's usage" */
		fputs(cmd_args_mode_spec(spec, *mode)->usage, stdout);
		return 0;
	case CMDLINE_VERSION:
		return cmd_args_version();
	case CMDLINE_BAD:
		return cmd_args_bad(cmd_args_mode_spec(spec, *mode), c->msg);
	}
	return -1;
}

/* Every option read before the command word must be one spec takes. */
static int
cmd_args_fit(const struct cmdline_spec *spec, const unsigned char *seen)
{
	char msg[CMDLINE_MSG_MAX];

	for (int id = 1; id < O_COUNT; id++) {
		if (!seen[id] || cmd_args_has(spec->opts, id))
			continue;
		snprintf(msg, sizeof(msg), "%s %s: параметр «--%s» не относится к %s", spec->prog,
		    spec->command, cmd_args_name(id), spec->command[0] == '-' ?
		    "этому режиму" : "этой команде");
		return cmd_args_bad(spec, msg);
	}
	return -1;
}

int
cmd_parse(int argc, char **argv, struct cmd_args *a)
{
	struct cmdline c;
	unsigned char seen[O_COUNT];
	const struct cmdline_spec *spec;
	const struct cmd_word *w = NULL;
	char msg[CMDLINE_MSG_MAX];
	int r, mode = 0;

	memset(a, 0, sizeof(*a));
	memset(seen, 0, sizeof(seen));
	if ((r = cmd_args_read(&c, &spec_top, argc, argv, a, seen, &mode)) >= 0)
		return r;
	if (mode < 0)
		return cmd_args_bad(&spec_top, "tetrad-syncd: укажите один режим: --once или --daemon");
	if (c.next < argc) {
		for (size_t i = 0; i < sizeof(cmd_words) / sizeof(cmd_words[0]); i++)
			if (strcmp(argv[c.next], cmd_words[i].word) == 0)
				w = &cmd_words[i];
		if (w == NULL) {
			snprintf(msg, sizeof(msg), "tetrad-syncd: неизвестная команда «%.64s»",
			    argv[c.next]);
			return cmd_args_bad(&spec_top, msg);
		}
		if (mode != 0) {
			snprintf(msg, sizeof(msg), "tetrad-syncd: укажите либо режим %s, либо команду "
			    "%s", mode == O_ONCE ? "--once" : "--daemon", w->word);
			return cmd_args_bad(&spec_top, msg);
		}
		spec = &w->spec;
		if ((r = cmd_args_fit(spec, seen)) >= 0)
			return r;
		/* the command's own options: argv[next] is its word, as getopt wants */
		if ((r = cmd_args_read(&c, spec, argc - c.next, argv + c.next, a, NULL, &mode)) >= 0)
			return r;
		a->which = w->which;
		if (c.n_pos > 0)
			a->arg = c.pos[0];
	} else if (mode != 0) {
		spec = mode == O_ONCE ? &spec_once : &spec_daemon;
		if ((r = cmd_args_fit(spec, seen)) >= 0)
			return r;
		a->which = mode == O_ONCE ? CMD_ONCE : CMD_DAEMON;
	} else {
		return cmd_args_bad(&spec_top, "tetrad-syncd: укажите режим (--once, --daemon) "
		    "или команду (enroll, pull, export, import-acks, import-changes)");
	}
	/* the client's rule: --db, else $TETRAD_DB, else the default place */
	if (localdb_path(a->db, a->db_buf, sizeof(a->db_buf)) != 0) {
		snprintf(msg, sizeof(msg), "tetrad-syncd: не указан файл базы данных (--db или "
		    "TETRAD_DB)");
		return cmd_args_bad(spec, msg);
	}
	a->db = a->db_buf;
	return -1;
}
