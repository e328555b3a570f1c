/*
 * sync — one synchronisation run: push every pending change set to the hub
 * with the retry policy, then pull newer form bundles, then the records the
 * device shares (fetch.h).
 *
 * Retry policy (docs/syncd.md): network errors and 5xx are retried with
 * exponential backoff and full jitter, at most max_attempts times per
 * request, waiting at least what Retry-After asks; a 409 gap rewinds to the
 * hub's expected sequence; 422 quarantines the set and goes on (the hub has
 * consumed the range, the chain continues); 409 fork and 403 quarantine the
 * set and stop pushing. A run holds an exclusive lock (<db>.syncd.lock) so
 * a daemon and `tetrad sync` never push at the same time.
 */
#ifndef TETRAD_SYNCD_SYNC_H
#define TETRAD_SYNCD_SYNC_H

#include <stddef.h>
#include <stdint.h>


#include "cmdline/progress.h"
#include "syncd/inbox.h"
#include "syncd/push.h"
#include "tetrad/keys.h"
#include "tetrad/terr.h"

#define SYNC_SKEW_WARN_MS (5LL * 60 * 1000)
#define SYNC_DEFAULT_ATTEMPTS 5
#define SYNC_DEFAULT_BACKOFF_MS 1000L
#define SYNC_DEFAULT_BACKOFF_MAX_MS 60000L
#define SYNC_MAX_GAP_REWINDS 3

/* Exit codes of `tetrad-syncd --once` (docs/syncd.md, "Exit codes"). */
enum sync_exit {
	SYNC_EXIT_OK = 0, SYNC_EXIT_USAGE = 2, SYNC_EXIT_STORAGE = 4,
	SYNC_EXIT_PENDING = 10, SYNC_EXIT_QUARANTINED = 11, SYNC_EXIT_UNREACHABLE = 12,
};

/*
 * A log line's priority: syslog's numbers (as cmdline/logline.h), so the
 * daemon's lines reach the journal with them and `journalctl -p warning`
 * shows the runs a person should look at.
 */
enum sync_log_level {
	SYNC_LOG_ERR = 3,             /* the run could not be done: database, key, setup */
	SYNC_LOG_WARN = 4,            /* a set refused, the hub unreachable, a retry */
	SYNC_LOG_INFO = 6,            /* what went as it should */
};
typedef void (*sync_log_fn)(void *ud, enum sync_log_level lvl, const char *msg);
/* Returns nonzero when the run should stop after the current request. */
typedef int (*sync_stop_fn)(void *ud);

struct sync_opts {
	const char *db_path;
	const char *passphrase_file;  /* NULL: the key must be unprotected */
	size_t max_ops, max_bytes;    /* 0: defaults of push.h */
	int max_attempts;             /* per request; 0: SYNC_DEFAULT_ATTEMPTS */
	long backoff_ms, backoff_max_ms;
	long connect_timeout_ms, timeout_ms;
	int no_pull;                  /* neither forms nor records from the hub */
	int pull_only;                /* `tetrad-syncd pull`: forms and records, no push */
	const char *forms_builtin_dir;  /* NULL: formsdir_builtin (tetrad/formsdir.h) */
	sync_log_fn log;
	sync_stop_fn stop;
	void *ud;
	/* NULL: none. The push's entries answered of those waiting (sync_push.h) */
	progress_fn progress;
	void *progress_ud;
	/* NULL: none. Records received so far (total 0: the hub does not say
	 * how many will come), after each answer of a pull that takes more
	 * than one (fetch.h): a small pull draws nothing */
	progress_fn pull_progress;
	void *pull_progress_ud;
};

struct sync_result {
	int64_t sets_sent, sets_acked, sets_quarantined;
	int64_t entries_acked, entries_quarantined;
	int64_t retries, bytes_sent;
	int64_t forms_installed;
	int64_t entries_requeued;     /* quarantined entries sent again: their cause is gone */
	struct inbox_result pulled;   /* records from the hub (fetch.h) */
	int pull_refused;             /* an answer of the hub was refused (logged) */
	int pull_restarted;           /* the hub's feed was behind the cursor: pulled from 0 */
	struct push_counts left;      /* outbox after the run */
	int unreachable;              /* the hub could not be reached */
	int stopped;                  /* a stop was asked */
	int hub_error;                /* the hub refused in a way that needs a person */
	int revoked;                  /* the hub says this device is revoked */
	char revoked_msg[512];        /* its words (wire.h: they name the date) */
	int have_skew;
	int64_t skew_ms;
	int64_t duration_ms;
};

/* Everything a run needs from the database and the key file. */
struct sync_ctx {
	struct localdb *db;
	struct keys_sign dev;
	struct keys_enc box;          /* <db>.box.key (boxkey.h): pull answers */
	struct push_ctx push;
	char db_path[4096];
	char hub_url[1100];
	char ca_file[4096];
	char pin[1100];
};

/*
 * Opens the database and loads the enrollment (meta) and the device key.
 * TERR_ARG "не зарегистрировано" when the device is not enrolled.
 */
int sync_ctx_open(const char *db_path, const char *passphrase_file,
    struct sync_ctx **out, struct terr *e);
void sync_ctx_free(struct sync_ctx *c);

/*
 * A line to o->log (if set), formatted, escaped for a terminal and kept on
 * one line: lines carry the hub's reasons and other outside text. At most
 * 1 KiB of it is kept. For the run's modules (sync.c, retry.c).
 */
void sync_logf(const struct sync_opts *o, enum sync_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * One run. Returns 0 when the run went through (its outcome is in *res:
 * pending, quarantined, unreachable), negative on a configuration or
 * storage error (not enrolled, key, database).
 */
int sync_run(const struct sync_opts *o, struct sync_result *res, struct terr *e);

/* The exit code for a run that returned r with *res (docs/syncd.md,
 * "Exit codes"). */
int sync_exit_code(int r, const struct sync_result *res);

/* The priority of a run's summary line for its exit code: info when all
 * went, warning when something waits or was refused, err when the run
 * could not be done or the device is revoked (a person must act). */
enum sync_log_level sync_exit_level(int code);

/* The one log line of a run: counts and duration, never values or names. */
void sync_summary(const struct sync_result *res, int code, char *buf, size_t cap);

#endif
