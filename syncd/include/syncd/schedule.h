/*
 * schedule — `tetrad-syncd --daemon`: sleeps until a random moment inside the
 * nightly window (so a whole municipality does not arrive at the hub in the
 * same second), syncs, repeats.
 *
 * Signals are blocked in the daemon and taken with sigtimedwait, so no
 * handler and no global flag exist: SIGTERM/SIGINT — finish the current
 * request and exit; SIGHUP — re-read the --config file and reschedule;
 * SIGUSR1 — sync now (`tetrad sync` on a machine with the daemon, or
 * `systemctl kill -s USR1 tetrad-syncd`).
 */
#ifndef TETRAD_SYNCD_SCHED_H
#define TETRAD_SYNCD_SCHED_H

#include <stdint.h>
#include <time.h>

#include "syncd/sync.h"
#include "tetrad/terr.h"

struct schedule_window {
	int start_min, end_min;  /* minutes after local midnight; end may be < start */
};

/* Parses "HH:MM-HH:MM" (the end may be past midnight: "23:00-02:00"). */
int schedule_parse_window(const char *s, struct schedule_window *w, struct terr *e);

/*
 * Seconds from now (local time tm_now) until the next run: a moment chosen
 * by rnd (uniform 32-bit random) inside the window. If now is inside the
 * window and after_run is 0, the moment is in what is left of this window;
 * otherwise in the next occurrence.
 */
int64_t schedule_delay_s(const struct schedule_window *w, const struct tm *tm_now,
    uint32_t rnd, int after_run);

struct schedule_opts {
	struct sync_opts sync;
	struct schedule_window window;
	int64_t interval_s;        /* > 0: every interval_s seconds instead of the window */
	const char *config_path;   /* key=value: window=, interval= ; re-read on SIGHUP */
};

/* Reads window= and interval= from a config file into o. */
int schedule_read_config(const char *path, struct schedule_opts *o, struct terr *e);

/* 1 if SIGTERM or SIGINT is pending (the signals are blocked by the daemon). */
int schedule_stop_pending(void *ud);

/*
 * The daemon loop; the caller has blocked SIGTERM, SIGINT, SIGHUP and
 * SIGUSR1. Returns 0 after a clean stop, negative if it cannot go on.
 */
int schedule_run(struct schedule_opts *o, struct terr *e);

#endif
