/*
 * cmdline — the one argument parser of tetrad, tetrad-syncd and tetrad-hub
 * (issue 24). It is getopt_long over one command's arguments, plus what
 * every command of the three programs must do the same way:
 *   - `--help` / `-h` anywhere in a command's arguments: that command's
 *     usage on stdout, exit 0 (the program prints spec->usage);
 *   - `--version` / `-V`: "PROG VERSION" on stdout, exit 0;
 *   - a mistake (unknown option, missing value, too many or too few
 *     positional arguments): one Russian sentence in c->msg, naming the
 *     command, so the program prints «Ошибка: …» and «Справка: PROG КОМАНДА
 *     --help» and exits with its usage code.
 * The program dispatches on command words itself (a command may be two
 * words: "passphrase set", "token create") and then hands the rest of argv
 * to cmdline_begin with that command's spec. Options and positional
 * arguments may be mixed (GNU order); "--" ends the options.
 *
 * getopt_long keeps its state in libc globals (optind, optarg); cmdline
 * resets them in cmdline_begin, so one parse at a time, from one thread —
 * which is how a main() runs. Library code never calls this: only the
 * programs' command layers (client/src/cli*.c, syncd/src/main.c,
 * hub/src/main.c + cmd/).
 */
#ifndef TETRAD_CMDLINE_H
#define TETRAD_CMDLINE_H

#include <stddef.h>

#define CMDLINE_MAX_POS 16
#define CMDLINE_MAX_OPTS 48
#define CMDLINE_MSG_MAX 320

/* One long option of a command. id > 0 is what cmdline_next returns. */
struct cmdline_opt {
	const char *name;        /* without "--"; NULL ends the table */
	int takes_value;         /* 1: "--out FILE" or "--out=FILE" */
	int id;                  /* > 0, unique within the table */
	char short_name;         /* 0: none ("-s" for --set, say) */
};

/* One command: what it accepts and what --help prints. */
struct cmdline_spec {
	const char *prog;        /* "tetrad", "tetrad-syncd", "tetrad-hub" */
	const char *command;     /* "export", "passphrase set"; NULL: the program's top level */
	const char *usage;       /* whole --help text, Russian, "Использование: …\n" first */
	const struct cmdline_opt *opts; /* may be NULL: no options but --help/--version */
	int min_pos, max_pos;    /* positional arguments allowed; max_pos < 0: up to CMDLINE_MAX_POS */
	int stop_at_pos;         /* 1: stop at the first positional (a top level that
	                          * dispatches on the command word after global options) */
};

/* What cmdline_next returns besides an option's id. */
enum {
	CMDLINE_END = 0,         /* all options read; positional ones in c->pos */
	CMDLINE_HELP = -1,       /* --help: print spec->usage to stdout, exit 0 */
	CMDLINE_VERSION = -2,    /* --version: print cmdline_version_line, exit 0 */
	CMDLINE_BAD = -3,        /* a mistake: c->msg says which, in Russian */
};

struct cmdline {
	const struct cmdline_spec *spec;
	int argc;
	char **argv;             /* argv[0] is the command word (or program name) */
	char *pos[CMDLINE_MAX_POS];
	int n_pos;
	int next;                /* at CMDLINE_END with stop_at_pos: index in argv of
	                          * the first word not read (the command word) */
	char msg[CMDLINE_MSG_MAX];
	/* private */
	int done;
};

/*
 * Starts a parse of argv[1..argc-1] (argv[0] is the command word or the
 * program's name, as getopt expects) against spec. Never fails: a
 * table longer than CMDLINE_MAX_OPTS is reported by the first next().
 */
void cmdline_begin(struct cmdline *c, const struct cmdline_spec *spec, int argc, char **argv);

/*
 * The next option: its id (> 0) with *value set for an option that takes
 * one (NULL otherwise); or CMDLINE_END / _HELP / _VERSION / _BAD. After
 * CMDLINE_END the positional arguments are in c->pos and their count was
 * checked against spec->min_pos/max_pos.
 */
int cmdline_next(struct cmdline *c, const char **value);

/* "tetrad 0.1.0\n"-style line for prog (the project's version, from CMake). */
void cmdline_version_line(const char *prog, char *buf, size_t size);

/* The project's version, "0.1.0" (CMake project(VERSION)). */
const char *cmdline_version(void);

/*
 * Reads a whole decimal number in [min, max] from an option's value.
 * Returns 0, or -1 with c->msg set («--batch: нужно целое число от 1 до
 * 100000, а не «abc»»).
 */
int cmdline_number(struct cmdline *c, const char *opt_name, const char *value,
    long long min, long long max, long long *out);

#endif
