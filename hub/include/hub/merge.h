/*
 * merge — applies one operation to the hub's record store: per-field last
 * writer wins by HLC, every losing value goes to the conflict log.
 *
 * The rule is protocol's recmerge (recmerge.h), which devices use too. A put
 * carries the record's whole synced state at its HLC: a field it does not
 * carry is "no answer" at that HLC; an edit carries only the fields it
 * changed; a delete is a tombstone. Each record keeps a clock per field, a
 * clock of its last put (the implicit clock of fields without their own) and
 * an existence clock that puts, edits and deletes compete for. The record is
 * therefore the same whatever order devices' sets arrive in. A loser is
 * logged when the two writers are different devices and the values differ
 * ("no answer" losing is not); which values meet depends on the order, so
 * the log may differ between orders where three or more writers meet.
 *
 * Called inside the caller's hubdb transaction.
 */
#ifndef TETRAD_HUB_MERGE_H
#define TETRAD_HUB_MERGE_H

#include "hub/hubdb.h"
#include "tetrad/changeset.h"

/*
 * Applies op, written by device_id. Adds the number of conflicts logged to
 * *conflicts. TERR_INVALID (nothing written, the reason in e) when the op
 * may not touch the stored record: it exists with another form or school
 * (a device may not move records between schools), or it is damaged (its
 * stored data or clocks do not read as JSON objects: merging would replace
 * it, so it is left for a person to look at).
 */
int merge_apply(struct hubdb *db, const char *device_id, const struct op *op,
    unsigned *conflicts, struct terr *e);

/*
 * A person's decision on a conflict (hub/review.h): the edit op, written by
 * writer (REVIEW_WRITER), merged as any other change but with no loser
 * logged — the value it replaces is the one the person chose against — and
 * the record's existence left as it is (recmerge_opts.fields_only).
 */
int merge_apply_decision(struct hubdb *db, const char *writer, const struct op *op,
    struct terr *e);

#endif
