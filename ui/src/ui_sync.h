/*
 * ui_sync — the one child process `tetrad ui` may run at a time:
 * `tetrad-syncd --once` for «Синхронизировать» or `tetrad-syncd enroll
 * --file` for the enrollment page (ui_enroll.c). The server has one thread
 * and a sync may take minutes: the child's output comes through a pipe read
 * without blocking on every request (ui_sync_poll), and its end is picked
 * up with waitpid(WNOHANG). Both pages show its progress and its result in
 * words from the exit code (docs/syncd.md's table).
 */
#ifndef TETRAD_UI_SYNC_H
#define TETRAD_UI_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "ui_private.h"

enum ui_child {
	UI_CHILD_NONE = 0,
	UI_CHILD_SYNC,
	UI_CHILD_ENROLL,
};

/*
 * Starts the child of kind: sync, or enroll with file (a private file of
 * this program's, removed when the child ends). TERR_BUSY-like refusal
 * (TERR_ARG with a Russian message) when a child is running already.
 */
int ui_sync_start(struct ui_sync *s, enum ui_child kind, const char *file,
    struct terr *e);
/* The kind of the running child, else of the last one this launch. */
enum ui_child ui_sync_kind(const struct ui_sync *s);
/* A child of kind ended this launch: its exit code (negative: killed by
 * that signal). */
bool ui_sync_ended(const struct ui_sync *s, enum ui_child kind, int *code);
/* Seconds since the running (or last) child started, until it ended. */
long ui_sync_seconds(const struct ui_sync *s);
/* The last lines of its output (stdout and stderr as they came). */
const char *ui_sync_output(const struct ui_sync *s);

/*
 * The progress block both pages show while a child runs: what runs, the
 * seconds, its output so far, «Обновить» (the way without script); marked
 * for web/assets/sync.js, which polls /sync/status and reloads the page
 * when the child ends.
 */
void ui_sync_progress(struct ui_sync *s, struct html *h, const char *what,
    const char *page);
/* The output block (the last lines), nothing when there is none; open
 * (unfolded) when the run went wrong and the words matter. */
void ui_sync_output_block(struct ui_sync *s, struct html *h, bool open);

#endif
