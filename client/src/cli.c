/*
 * cli — `tetrad` dispatch: global options, the usage text, the options every
 * command may take, exit codes, and the helpers the command groups share
 * (cli_private.h). The commands themselves live in cli_<group>.c.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/app.h"

#include "cli_private.h"

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

/* «Справка: tetrad export --help» for the command run, else the program's. */
static void
cli_usage_hint(struct cli *c)
{
	if (c->cmd != NULL)
		fprintf(c->err, "Справка: tetrad %s --help\n", c->cmd->spec.command);
	else
		fputs("Справка: tetrad --help\n", c->err);
}

int
cli_usage(struct cli *c, const char *fmt, ...)
{
	va_list ap;

	fputs("Ошибка: ", c->err);
	va_start(ap, fmt);
	vfprintf(c->err, fmt, ap);
	va_end(ap);
	fputc('\n', c->err);
	cli_usage_hint(c);
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

/*
 * What every parse of cmdline ends with but the options themselves: --help
 * and --version answered on out (exit 0), a mistake on err (exit 1).
 * Returns -1 when the parse reached its end and the command may run.
 */
static int
cli_parse_end(struct cli *c, struct cmdline *p, int k)
{
	char line[128];

	switch (k) {
	case CMDLINE_HELP:
		fputs(p->spec->usage, c->out);
		return CLI_OK;
	case CMDLINE_VERSION:
		cmdline_version_line("tetrad", line, sizeof(line));
		fputs(line, c->out);
		return CLI_OK;
	case CMDLINE_BAD:
		fprintf(c->err, "Ошибка: %s\n", p->msg);
		cli_usage_hint(c);
		return CLI_USAGE;
	default:
		return -1;
	}
}

/* Reads the options of one command into c; -1 to run it, else the exit code. */
static int
cli_parse_cmd(struct cli *c, const struct cli_cmd *k, int argc, char **argv)
{
	struct cmdline p;
	const char *v;
	int id, rc;

	c->cmd = k;
	cmdline_begin(&p, &k->spec, argc, argv);
	while ((id = cmdline_next(&p, &v)) > 0)
		if ((rc = cli_opt_apply(c, id, v)) != CLI_OK)
			return rc;
	if ((rc = cli_parse_end(c, &p, id)) >= 0)
		return rc;
	for (int i = 0; i < p.n_pos; i++)
		c->pos[i] = p.pos[i];
	c->n_pos = (size_t)p.n_pos;
	return -1;
}

/*
 * enroll and sync hand their arguments to tetrad-syncd as they are; only
 * --help and --version (before a "--") are ours, so `tetrad sync --help`
 * names `tetrad sync` and works without tetrad-syncd. --db is ours too: the
 * database of this command.
 */
static int
cli_handover(struct cli *c, const struct cli_cmd *k, int argc, char **argv)
{
	char line[128];

	c->cmd = k;
	for (int j = 1; j < argc && strcmp(argv[j], "--") != 0; j++) {
		if (strcmp(argv[j], "--help") == 0 || strcmp(argv[j], "-h") == 0) {
			fputs(k->spec.usage, c->out);
			return CLI_OK;
		}
		if (strcmp(argv[j], "--version") == 0 || strcmp(argv[j], "-V") == 0) {
			cmdline_version_line("tetrad", line, sizeof(line));
			fputs(line, c->out);
			return CLI_OK;
		}
		if (strcmp(argv[j], "--db") == 0 && j + 1 < argc)
			c->db_opt = argv[j + 1];
		else if (strncmp(argv[j], "--db=", 5) == 0)
			c->db_opt = argv[j] + 5;
	}
	return cli_setup_exec_syncd(c, argc - 1, argv + 1,
	    strcmp(k->spec.command, "sync") == 0);
}

/* `tetrad help [CMD [SUB]]`: that command's usage, or the program's. */
static int
cli_help(struct cli *c)
{
	const struct cli_cmd *k = NULL, *sub;

	if (c->n_pos == 0) {
		fputs(cli_usage_top, c->out);
		return CLI_OK;
	}
	if (strcmp(c->pos[0], "ui") == 0 && c->n_pos == 1 && c->ext != NULL &&
	    c->ext->ui != NULL) {
		/* ui's usage is ui.c's: asked the way a person would */
		char *args[] = { (char *)(uintptr_t)"ui", (char *)(uintptr_t)"--help", NULL };

		return c->ext->ui(2, args, "", c->out, c->err);
	}
	if ((k = cli_cmd_find(NULL, c->pos[0])) == NULL) {
		c->cmd = NULL;
		return cli_usage(c, "неизвестная команда «%s».", c->pos[0]);
	}
	if (c->n_pos == 2) {
		if ((sub = cli_cmd_find(k->spec.command, c->pos[1])) == NULL) {
			c->cmd = k;
			return cli_usage(c, "у команды «%s» нет подкоманды «%s».",
			    k->spec.command, c->pos[1]);
		}
		k = sub;
	}
	fputs(k->spec.usage, c->out);
	return CLI_OK;
}

int
cli_run_ext(int argc, char **argv, FILE *in, FILE *out, FILE *err,
    const struct cli_ext *ext)
{
	struct cli *c = calloc(1, sizeof(*c));
	struct cmdline p;
	const struct cli_cmd *k;
	const char *v, *cmd;
	int id, rc;

	if (c == NULL) {
		fputs("Ошибка: недостаточно памяти.\n", err);
		return CLI_OTHER;
	}
	c->in = in;
	c->out = out;
	c->err = err;
	c->ext = ext;
	/* global options before the command, up to the command word */
	cmdline_begin(&p, &cli_spec_top, argc, argv);
	while ((id = cmdline_next(&p, &v)) > 0)
		if ((rc = cli_opt_apply(c, id, v)) != CLI_OK)
			goto out;
	if ((rc = cli_parse_end(c, &p, id)) >= 0)
		goto out;
	if (p.next >= argc) {
		fputs(cli_usage_top, err);
		rc = CLI_USAGE;
		goto out;
	}
	argc -= p.next;
	argv += p.next;
	cmd = argv[0];
	if (strcmp(cmd, "ui") == 0 && ext != NULL && ext->ui != NULL) {
		/* its options are ui.c's (docs/ui.md) */
		if (cli_db_path(c->db_opt, c->db, sizeof(c->db)) != 0) {
			rc = cli_usage(c, "путь к базе данных слишком длинный.");
			goto out;
		}
		rc = ext->ui(argc, argv, c->db, out, err);
		goto out;
	}
	if ((k = cli_cmd_find(NULL, cmd)) == NULL) {
		rc = cli_usage(c, "неизвестная команда «%s».", cmd);
		goto out;
	}
	if (k->group == NULL && k->spec.stop_at_pos) {
		/* a group: its own --help, then the subcommand word */
		c->cmd = k;
		cmdline_begin(&p, &k->spec, argc, argv);
		while ((id = cmdline_next(&p, &v)) > 0)
			if ((rc = cli_opt_apply(c, id, v)) != CLI_OK)
				goto out;
		if ((rc = cli_parse_end(c, &p, id)) >= 0)
			goto out;
		if (p.next >= argc) {
			fprintf(err, "%s\n", k->missing);
			cli_usage_hint(c);
			rc = CLI_USAGE;
			goto out;
		}
		argc -= p.next;
		argv += p.next;
		if ((k = cli_cmd_find(k->spec.command, argv[0])) == NULL) {
			rc = cli_usage(c, "у команды «%s» нет подкоманды «%s».",
			    c->cmd->spec.command, argv[0]);
			goto out;
		}
	}
	if (k->run == NULL && strcmp(k->spec.command, "help") != 0) {
		rc = cli_handover(c, k, argc, argv);
		goto out;
	}
	if ((rc = cli_parse_cmd(c, k, argc, argv)) >= 0)
		goto out;
	rc = k->run != NULL ? k->run(c) : cli_help(c);
 out:
	free(c);
	return rc;
}
