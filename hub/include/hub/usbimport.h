/*
 * usbimport — `tetrad-hub import FILE [--acks OUT]`: applies a USB export
 * (TTEX, tetrad/usbfile.h) set by set through ingest_envelope, exactly as
 * if each set had been pushed, and optionally writes the hub's signed
 * acknowledgements to OUT (TTAK) for the trip back to the school, where
 * `tetrad-syncd import-acks` marks the sets acknowledged.
 */
#ifndef TETRAD_HUB_USBIMPORT_H
#define TETRAD_HUB_USBIMPORT_H

#include <stdio.h>

#include "cmdline/progress.h"
#include "hub/hubdb.h"
#include "hub/ingest.h"

struct usbimport_counts {
	unsigned sets;       /* read from the file */
	unsigned applied;    /* newly applied */
	unsigned replayed;   /* had been applied before (a replay) */
	unsigned refused;    /* every other answer */
	unsigned acks;       /* written to the acknowledgements file */
};

/*
 * Applies in_path; one line per set goes to report (may be NULL). With
 * acks_path (NULL: none), which must not exist yet in an existing
 * directory, writes every signed answer there (temporary file, fsync,
 * rename) — also when the export turns out truncated, so the sets already
 * applied can still be acknowledged at the school. progress (may be NULL)
 * is called with progress_ud after each set, against the count the file's
 * header declares. Returns 0 when the whole file was read (refused sets are
 * counted, not errors), a negative code with e set when the file is
 * unreadable or malformed, or on a store failure.
 */
int usbimport_run(struct hubdb *db, const struct ingest_cfg *cfg, const char *in_path,
    const char *acks_path, FILE *report, progress_fn progress, void *progress_ud,
    struct usbimport_counts *n, struct terr *e);

#endif
