/*
 * cli_private — what the `tetrad` command groups share: the parsed command
 * line (struct cli), the helpers every command uses (cli.c), each command's
 * usage and options (cli_cmds.c) and one entry per command, each in the
 * file of its group:
 *   cli_setup.c   init, enroll, sync (hand-over to tetrad-syncd)
 *   cli_record.c  new, edit, finalize, delete
 *   cli_view.c    forms, list, show
 *   cli_io.c      export, import
 *   cli_status.c  status
 *   cli_retry.c   retry
 *   cli_profile.c profile import (the issued risk profile)
 *   cli_conflicts.c conflicts (this device's values that lost to another's)
 *   cli_passphrase.c passphrase set|change|remove|reset|status
 *   cli_unlock.c  the vault's passphrase asked or read, «скрыто» in outputs
 */
#ifndef TETRAD_CLIENT_CLI_PRIVATE_H
#define TETRAD_CLIENT_CLI_PRIVATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "cmdline/cmdline.h"
#include "tetrad/form.h"
#include "tetrad/terr.h"

#include "client/catalog.h"
#include "client/cli.h"
#include "client/store.h"

#define CLI_MAX_SETS 1024

/* One command line, parsed by cli_run and read by the command. */
struct cli {
	FILE *in, *out, *err;
	const struct cli_cmd *cmd; /* the command run: its name in mistakes */
	const struct cli_ext *ext; /* ui: `tetrad help ui` asks it */
	const char *db_opt;
	char db[PATH_MAX];
	/* command options */
	const char *sets[CLI_MAX_SETS];
	size_t n_sets;
	const char *json_file, *status_filter, *format, *out_file, *csv_file;
	const char *school, *name;
	char delim;
	bool json, draft;
	bool curator;         /* init --curator: a laptop with no school of its own */
	bool codes;           /* export: ids and codes instead of labels */
	/* secrets are read from files or the terminal, never from argv */
	const char *pass_file, *new_pass_file, *recovery_file;
	bool no_recovery;     /* passphrase set/reset: no recovery key */
	bool recovery;        /* passphrase change: with the recovery key */
	bool yes;             /* passphrase remove/reset: no question */
	bool all;             /* retry --all */
	bool clear;           /* conflicts --clear */
	const char *pos[CMDLINE_MAX_POS]; /* positional arguments after the command */
	size_t n_pos;
	struct terr e;
};

/*
 * One command or subcommand (cli_cmds.c): group is "passphrase" for
 * "passphrase set" (NULL for a command of one word, and for a group's own
 * entry, whose spec has stop_at_pos and run NULL); run is NULL too for the
 * commands cli.c handles itself (enroll, sync, help: their spec is what
 * --help prints).
 */
struct cli_cmd {
	const char *group;
	struct cmdline_spec spec;
	int (*run)(struct cli *c);
	const char *missing;  /* a group: what to say when no subcommand is given */
};
extern const char cli_usage_top[];
extern const struct cmdline_spec cli_spec_top;
/* The command name (group NULL) or the subcommand of group; NULL: none. */
const struct cli_cmd *cli_cmd_find(const char *group, const char *name);
/* An option's value (id from cli_cmds.c's tables) into c; CLI_OK or the
 * printed CLI_USAGE (a bad --delimiter, too many --set). */
int cli_opt_apply(struct cli *c, int id, const char *value);

/* Prints e's message (or code's description) and returns the exit code. */
int cli_fail(struct cli *c, int code);
/* Prints a usage error with the --help hint of the command run; returns
 * CLI_USAGE. */
int cli_usage(struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints every problem of a failed validation (p may be NULL). */
void cli_problems(struct cli *c, const struct form_problems *p);
/* Opens the database of --db / $TETRAD_DB; prints and returns an exit
 * code on failure. */
int cli_open(struct cli *c, struct store **s);
/* The same, a damaged meta "vault" let through (store_open_damaged): for
 * `passphrase reset` and `passphrase status` only. */
int cli_open_damaged(struct cli *c, struct store **s);
/* Loads the built-in forms and those pulled beside c->db; prints and
 * returns an exit code on failure, warnings about skipped forms too. */
int cli_catalog(struct cli *c, struct catalog **cat);

/* The commands: each returns the process exit code. */
int cli_setup_init(struct cli *c);
/* Replaces the process with tetrad-syncd (enroll, or --once for sync);
 * returns only if that fails. */
int cli_setup_exec_syncd(struct cli *c, int argc, char **argv, bool once);
int cli_record_new(struct cli *c);
int cli_record_edit(struct cli *c);
int cli_record_finalize(struct cli *c);
int cli_record_delete(struct cli *c);
int cli_view_forms(struct cli *c);
int cli_view_list(struct cli *c);
int cli_view_show(struct cli *c);
int cli_io_export(struct cli *c);
int cli_io_import(struct cli *c);
int cli_status(struct cli *c);
int cli_retry(struct cli *c);
int cli_profile(struct cli *c);
int cli_conflicts(struct cli *c);
int cli_passphrase_set(struct cli *c);
int cli_passphrase_change(struct cli *c);
int cli_passphrase_remove(struct cli *c);
int cli_passphrase_reset(struct cli *c);
int cli_passphrase_status(struct cli *c);

/*
 * cli_unlock.c. The vault of s opened for a command that writes local
 * values (new/edit/finalize/import of form f with local fields): nothing to
 * do without a passphrase or with no local field in f; else the passphrase
 * from --passphrase-file / $TETRAD_PASSPHRASE_FILE, or asked on the
 * terminal (three tries), or exit 6. With warn and no passphrase set, the
 * warning that local values are kept in the open (once). CLI_OK or the
 * printed exit code.
 */
int cli_unlock_form(struct cli *c, struct store *s, const struct form *f,
    bool warn);
/*
 * The non-interactive new/edit/finalize try first with the vault locked
 * (the store passes sealed values through and refuses, TERR_PASSPHRASE,
 * only a write that needs the key); only then is the passphrase asked and
 * the command, one transaction, run again.
 * cli_path_local: whether path (summary, parties[0].full_name, parties;
 * "=…" after it ignored) names a local field of f, or a group with one.
 * cli_sets_local: whether c's --set or --json give or remove a local value
 * (then the key is needed: a value removed while locked would stay hidden).
 * cli_unlock_needed: whether r, from a write tried locked, calls for the
 * key: TERR_PASSPHRASE, or TERR_INVALID with a problem in a local field of
 * a record with hidden values (hidden, not missing).
 */
bool cli_path_local(const struct form *f, const char *path);
bool cli_sets_local(struct cli *c, const struct form *f);
bool cli_unlock_needed(struct store *s, int r, const struct form *f,
    const struct form_problems *probs, bool hidden);
/* finalize of id tried locked gave *r (and *probs): when the key is needed
 * (cli_unlock_needed), the vault opened and rec_finalize run again into *r
 * and *probs. CLI_OK or the printed exit code of a failed unlock. */
int cli_unlock_refinalize(struct cli *c, struct store *s,
    const struct catalog *cat, const uint8_t id[UUID7_BYTES], int *r,
    struct form_problems **probs);
/*
 * For an output that would show hidden values (show, list --json, export):
 * from a passphrase file the vault is opened (wrong: exit 6); on a terminal
 * the passphrase is asked, Enter keeps them hidden; otherwise they stay
 * «скрыто». CLI_OK (opened or not) or the printed exit code.
 */
int cli_unlock_show(struct cli *c, struct store *s);
/* Records with hidden values (sealed, the vault locked), of form_id and
 * status when not NULL, in *n. 0 or a TERR_* code (c->e). */
int cli_hidden_count(struct cli *c, struct store *s, const char *form_id,
    const char *status, long long *n);
/* Records of form_id, not deleted, in *n. */
int cli_records_count(struct cli *c, struct store *s, const char *form_id,
    long long *n);
/* One line on stderr when records read since the open had hidden values
 * the open vault could not decrypt (store_damaged): they are «скрыто»; and
 * one when hidden values of group items found no item (store_unpaired). */
void cli_damaged_warn(struct cli *c, const struct store *s);
/* «Пароль не задан: скрытые поля … хранятся открыто …» on stderr. */
void cli_unlock_warn(struct cli *c);
/* cli_passphrase.c, for `tetrad status`: the passphrase line (o NULL) or
 * the "passphrase" member of --json's object o. 0 or TERR_* (c->e). */
int cli_passphrase_summary(struct cli *c, struct store *s, cJSON *o);
/* A secret from file (refused when others can read it: passin_file) or, file NULL,
 * asked on the terminal with prompt. 0 or TERR_* (c->e); passin_free it. */
int cli_secret(struct cli *c, const char *file, const char *prompt, char **out,
    size_t *len);
/* Whether the terminal may be asked for a secret. */
bool cli_secret_tty(const struct cli *c);
/* One unlock attempt after the wait vault_wait asks for (said on stderr). */
int cli_unlock_try(struct cli *c, struct store *s, const char *pass, size_t len,
    bool recovery);
/*
 * The passphrase (recovery: the recovery key) asked on the terminal with
 * prompt, up to tries times, in one terminal session (passin_tty_open):
 * before each question the wait wrong attempts impose, then the question,
 * then the check, with echo off throughout (a recovery key is shown as
 * it is typed, echo on for its line only). 0 opened; 1 Enter (show only:
 * left locked); TERR_PASSPHRASE with *tried_out when every try was wrong;
 * else TERR_* (c->e: interrupted, no terminal).
 */
int cli_unlock_tty(struct cli *c, struct store *s, const char *prompt,
    bool recovery, bool show, int tries, bool *tried_out);
/* --passphrase-file or $TETRAD_PASSPHRASE_FILE; the same for the new one. */
const char *cli_pass_file(const struct cli *c);
const char *cli_new_pass_file(const struct cli *c);

/* cli_view.c, shared with cli_conflicts.c: an HLC's wall time as
 * ДД.ММ.ГГГГ ЧЧ:ММ local time ("?" when it is not an HLC), and a value as
 * people read it (choice labels, да/нет, dates; "—" for none). */
void cli_view_hlc_time(const char *hlc, char out[32]);
void cli_view_print_value(FILE *out, const struct form_field *fd, const cJSON *v);

#endif
