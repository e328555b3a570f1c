/*
 * cmd — the tetrad-syncd program's command layer (not the library): the
 * arguments of each mode and command (cmd_args.c, on cmdline.h), the runs
 * that print and log (cmd_run.c: --once, pull, --daemon) and the file and
 * enrollment commands (cmd_usb.c). main.c parses, sets up and dispatches.
 */
#ifndef TETRAD_SYNCD_CMD_H
#define TETRAD_SYNCD_CMD_H

#include <pthread.h>

#include "cmdline/logline.h"
#include "cmdline/progress.h"
#include "syncd/inbox.h"
#include "syncd/sync.h"
#include "tetrad/localdb.h"

/* What to run: a mode (an option, as documented) or a command word. */
enum cmd_which {
	CMD_NONE, CMD_ONCE, CMD_DAEMON, CMD_ENROLL, CMD_EXPORT, CMD_IMPORT_ACKS, CMD_PULL,
	CMD_IMPORT_CHANGES,
};

struct cmd_args {
	enum cmd_which which;
	const char *arg;                 /* import-acks, import-changes: the file */
	const char *db, *window, *config, *pass, *hub, *token, *ca, *pin, *label, *out;
	const char *file;                /* enroll --file: the hub's enrollment file */
	int no_pull, force, quiet;
	long long batch, max_bytes, attempts, backoff, backoff_max, interval, timeout, connect_timeout;
	char db_buf[LOCALDB_PATH_MAX];   /* the database when --db is not given */
};

/*
 * Parses argv into *a. Returns -1 when there is something to run; otherwise
 * the exit code, everything said: 0 after --help (that mode's or command's
 * usage on stdout) or --version, SYNC_EXIT_USAGE after a mistake («Ошибка:
 * …» and where the help is, on stderr).
 */
int cmd_parse(int argc, char **argv, struct cmd_args *a);

/*
 * Where lines go: the log (logline.h: the journal's priorities under
 * systemd) and, on a terminal, one progress line. The sender thread of a
 * run logs too: mu keeps a log line from cutting into the progress line.
 */
struct cmd_log {
	struct logline ll;
	struct progress pg;
	int progress_on;                 /* pg is open */
	uint64_t pull_done;              /* the pull's last count: drawn once more at the end */
	pthread_mutex_t mu;
};

void cmd_log_open(struct cmd_log *lg, int quiet);
void cmd_log_close(struct cmd_log *lg);
/* A sync_log_fn (sync.h): ud is the struct cmd_log. */
void cmd_log_line(void *ud, enum sync_log_level level, const char *msg);
/*
 * A failure the person or the journal must see: under the journal a line
 * with priority err, otherwise «tetrad-syncd: MSG» as the program always
 * said it (a person at a terminal needs no timestamp on a mistake).
 */
void cmd_fail(struct cmd_log *lg, const char *msg);
/* Progress on stderr from now on (a terminal only); cmd_progress is its progress_fn. */
void cmd_progress_begin(struct cmd_log *lg, const char *what, const char *unit);
void cmd_progress(void *ud, uint64_t done, uint64_t total);
void cmd_progress_end(struct cmd_log *lg);

/* What came from the hub, in Russian, on stdout (nothing when nothing came). */
void cmd_pulled(const struct inbox_result *in);

/* The modes and commands: each returns its exit code (docs/syncd.md). */
int cmd_once(const struct cmd_args *a, struct cmd_log *lg, int pull_only);
int cmd_daemon(const struct cmd_args *a, struct cmd_log *lg);
int cmd_enroll(const struct cmd_args *a, struct cmd_log *lg);
int cmd_export(const struct cmd_args *a, struct cmd_log *lg);
int cmd_import_acks(const struct cmd_args *a, struct cmd_log *lg);
int cmd_import_changes(const struct cmd_args *a, struct cmd_log *lg);

#endif
