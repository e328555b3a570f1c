/*
 * cli — the `tetrad` command line: argument parsing, the commands, and the
 * mapping of errors to documented exit codes (docs/client.md). This is the
 * one client module that talks to people: it writes to the streams given.
 */
#ifndef TETRAD_CLIENT_CLI_H
#define TETRAD_CLIENT_CLI_H

#include <stdio.h>

enum cli_exit {
	CLI_OK = 0,
	CLI_USAGE = 1,
	CLI_INVALID = 2,
	CLI_NOTFOUND = 3,
	CLI_STORAGE = 4,
	CLI_OTHER = 5,
	CLI_PASSPHRASE = 6,   /* wrong passphrase, or the vault locked */
};

/* Runs one command; returns the process exit code. enroll and sync replace
 * the process with tetrad-syncd and return only if that fails. */
int cli_run(int argc, char **argv, FILE *in, FILE *out, FILE *err);

/*
 * Commands other libraries of the program provide, so the client library
 * does not depend on them: ui is `tetrad ui` (ui/ui.h's ui_main; NULL: the
 * program has no web interface). argv[0] is the command's name, db_path
 * the database the global options name.
 */
struct cli_ext {
	int (*ui)(int argc, char **argv, const char *db_path, FILE *out, FILE *err);
};
int cli_run_ext(int argc, char **argv, FILE *in, FILE *out, FILE *err,
    const struct cli_ext *ext);

/* Exit code for a negative TERR_* / STORE_* code. */
int cli_exit_code(int terr_code);

/* The database path: opt (--db), else $TETRAD_DB, else
 * ${XDG_DATA_HOME:-~/.local/share}/tetrad/tetrad.db; into buf. */
int cli_db_path(const char *opt, char *buf, size_t size);

#endif
