/*
 * cmd_args — what every `tetrad-hub` command shares on its command line
 * (issue 24): the exit codes (docs/hub.md "Exit codes", aligned with
 * tetrad's: docs/client.md), the one place TERR_* codes become exit codes,
 * the options every command takes (--data, --passphrase-file: before or
 * after the command words), and the end of a parse (--help, --version, a
 * mistake) over cmdline.h.
 *
 * A command returns 0, a positive exit code from enum cmd_exit (with e's
 * message set when there is something to say), or a negative TERR_* code
 * with e set; main() prints e and exits with cmd_exit_code(r).
 */
#ifndef TETRAD_HUB_CMD_ARGS_H
#define TETRAD_HUB_CMD_ARGS_H

#include "cmdline/cmdline.h"
#include "hubconf.h"

#define CMD_PROG "tetrad-hub"

/*
 * USAGE: unknown command or option, a missing or extra argument, an option
 *        value of the wrong form;
 * INVALID: data refused (a file, a value the hub judges, refused sets);
 * NOTFOUND: no hub in the folder, an unknown device or key, no forms;
 * STORAGE: the store or a file (unreadable, full, busy, from a newer program);
 * OTHER: out of memory, a bug, libsodium refused;
 * KEYS: the passphrase missing or wrong, a key file damaged or open to others;
 * LISTEN: serve cannot listen, its TLS certificate or key missing or unusable.
 */
enum cmd_exit {
	CMD_EXIT_OK = 0,
	CMD_EXIT_USAGE = 1,
	CMD_EXIT_INVALID = 2,
	CMD_EXIT_NOTFOUND = 3,
	CMD_EXIT_STORAGE = 4,
	CMD_EXIT_OTHER = 5,
	CMD_EXIT_KEYS = 6,
	CMD_EXIT_LISTEN = 7,
};

/* The usage line of the exit codes, shared by `tetrad-hub --help` and docs. */
#define CMD_EXIT_HELP \
	"Коды выхода: 0 — успешно, 1 — ошибка в команде, 2 — данные не приняты,\n" \
	"3 — не найдено (нет хаба в папке, устройства, ключа, формы), 4 — ошибка\n" \
	"базы или файла, 5 — прочие ошибки, 6 — ключи хаба: парольная фраза не\n" \
	"подошла или не указана, 7 — serve: не удалось слушать адрес или прочитать\n" \
	"сертификат TLS.\n"

/* The options every command accepts (ids above any command's own). */
enum {
	CMD_OPT_DATA = 900,
	CMD_OPT_PASSPHRASE_FILE,
};
#define CMD_COMMON_OPTS \
	{ "data", 1, CMD_OPT_DATA, 0 }, \
	{ "passphrase-file", 1, CMD_OPT_PASSPHRASE_FILE, 0 }

/* The usage lines of the common options, at the end of every command's --help. */
#define CMD_COMMON_HELP \
	"Общие параметры (до или после команды): --data ПАПКА — папка хаба (иначе\n" \
	"$TETRAD_HUB_DATA), --passphrase-file ФАЙЛ — парольная фраза ключей хаба;\n" \
	"--help — эта справка, --version — версия.\n"

/* The help of a listing command: what it lists and its one option. */
#define CMD_LIST_USAGE(cmd, what) \
	"Использование: tetrad-hub " cmd " [--json]\n" \
	"\n" what "\n" \
	"\n" \
	"Параметры:\n" \
	"  --json    массив объектов JSON (ключи — латиницей, значения типизированы)\n" \
	"            вместо таблицы\n" \
	"\n" CMD_COMMON_HELP

/* The exit code of a command's result r (0, enum cmd_exit, or TERR_*). */
int cmd_exit_code(int r);

/*
 * A mistake in the command `command` ("token create"): sets e's message
 * (with «Справка: tetrad-hub COMMAND --help») and returns CMD_EXIT_USAGE.
 */
int cmd_usage(struct terr *e, const char *command, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets e's message and returns code (an enum cmd_exit): a failure with its own exit code. */
int cmd_fail(struct terr *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * cmdline_next with the common options taken in: --data sets h->dir,
 * --passphrase-file h->passphrase_file; a folder path too long becomes a
 * mistake (CMDLINE_BAD with c->msg).
 */
int cmd_next(struct hubconf *h, struct cmdline *c, const char **value);

/*
 * The end of a parse that did not reach CMDLINE_END: --help prints the
 * command's usage and --version the version line on stdout (returns 0:
 * the command is done); a mistake becomes cmd_usage (CMD_EXIT_USAGE).
 */
int cmd_stop(const struct cmdline *c, int id, struct terr *e);

/* The hub's folder from --data or $TETRAD_HUB_DATA into h->dir; 0 or CMD_EXIT_USAGE. */
int cmd_set_dir(struct hubconf *h, const char *dir, struct terr *e);

#endif
