/*
 * cmd_args — exit codes, common options and the end of a parse for every
 * `tetrad-hub` command (cmd_args.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmd_args.h"

/*
 * The one place a library's TERR_* code becomes the hub's exit code. Before
 * issue 24 every failure was 1, so a script could not tell a typo from a
 * wrong passphrase; the classes follow tetrad's (docs/client.md).
 */
int
cmd_exit_code(int r)
{
	if (r >= 0)
		return r;
	switch (r) {
	case TERR_ARG:
	case TERR_TOO_LARGE:
	case TERR_TRUNCATED:
	case TERR_TRAILING:
	case TERR_MAGIC:
	case TERR_HEADER:
	case TERR_HUB_KEY:
	case TERR_DEVICE_KEY:
	case TERR_SIGNATURE:
	case TERR_DECRYPT:
	case TERR_DECOMPRESS:
	case TERR_PARSE:
	case TERR_DEPTH:
	case TERR_UTF8:
	case TERR_SCHEMA:
	case TERR_MISMATCH:
	case TERR_COUNT:
	case TERR_CLOCK:
	case TERR_FORM:
	case TERR_INVALID:
	case TERR_KIND:
	case TERR_REPLAY:
	case TERR_ORDER:
		return CMD_EXIT_INVALID;
	case TERR_NOTFOUND:
		return CMD_EXIT_NOTFOUND;
	case TERR_IO:
	case TERR_FULL:
	case TERR_BUSY:
	/* a store or key file written by a newer program (as tetrad's) */
	case TERR_VERSION:
		return CMD_EXIT_STORAGE;
	case TERR_KEYFILE:
	case TERR_PASSPHRASE:
		return CMD_EXIT_KEYS;
	default:
		return CMD_EXIT_OTHER;
	}
}

/* fmt may take e->msg itself as an argument: formatted aside first */
int
cmd_usage(struct terr *e, const char *command, const char *fmt, ...)
{
	char msg[TERR_MSG_MAX], help[96];
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	terr_clear(e);
	e->code = TERR_ARG;
	memcpy(e->msg, msg, sizeof(msg));
	snprintf(help, sizeof(help), "\nСправка: %s%s%s --help", CMD_PROG, command ? " " : "",
	    command ? command : "");
	n = strlen(e->msg);
	/* the hint always fits whole: the sentence gives way, on a character's boundary */
	if (n + strlen(help) >= sizeof(e->msg)) {
		e->msg[sizeof(e->msg) - strlen(help) - 1] = '\0';
		terr_utf8_trim(e->msg);
		n = strlen(e->msg);
	}
	memcpy(e->msg + n, help, strlen(help) + 1);
	return CMD_EXIT_USAGE;
}

int
cmd_fail(struct terr *e, int code, const char *fmt, ...)
{
	char msg[TERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	terr_clear(e);
	e->code = TERR_ARG;
	memcpy(e->msg, msg, sizeof(msg));
	return code;
}

int
cmd_set_dir(struct hubconf *h, const char *dir, struct terr *e)
{
	/* room for the longest name hubconf_path adds (keys/hub.enc.<id>.key) */
	if (strlen(dir) >= sizeof(h->dir) - 64)
		return cmd_usage(e, NULL, "слишком длинный путь к папке хаба");
	snprintf(h->dir, sizeof(h->dir), "%s", dir);
	return 0;
}

int
cmd_next(struct hubconf *h, struct cmdline *c, const char **value)
{
	struct terr e;
	int id;

	while ((id = cmdline_next(c, value)) == CMD_OPT_DATA || id == CMD_OPT_PASSPHRASE_FILE) {
		if (id == CMD_OPT_PASSPHRASE_FILE) {
			h->passphrase_file = *value;
			continue;
		}
		if (cmd_set_dir(h, *value, &e) != 0) {
			snprintf(c->msg, sizeof(c->msg), "--data: слишком длинный путь к папке "
			    "хаба");
			return CMDLINE_BAD;
		}
	}
	return id;
}

int
cmd_stop(const struct cmdline *c, int id, struct terr *e)
{
	char line[128];

	if (id == CMDLINE_HELP) {
		fputs(c->spec->usage, stdout);
		return 0;
	}
	if (id == CMDLINE_VERSION) {
		cmdline_version_line(CMD_PROG, line, sizeof(line));
		fputs(line, stdout);
		return 0;
	}
	return cmd_usage(e, c->spec->command, "%s", c->msg);
}
