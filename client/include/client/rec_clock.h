/*
 * rec_clock — what one change of a record on this device sends, and the
 * record's clock document after it (recmerge.h; docs/client.md, "Two-way
 * sync"). A creation or finalisation sends the whole synced state ("put"),
 * an edit of a final record only the synced fields it changed ("edit", each
 * at the edit's HLC), a deletion a tombstone ("delete"). The document is
 * moved by the same recmerge_change the hub applies to the same op, so the
 * device and the hub agree on every field's clock.
 */
#ifndef TETRAD_CLIENT_REC_CLOCK_H
#define TETRAD_CLIENT_REC_CLOCK_H

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/localdb.h"
#include "tetrad/terr.h"

#include "client/store.h"

enum rec_clock_kind { REC_CLOCK_PUT = 1, REC_CLOCK_EDIT = 2, REC_CLOCK_DELETE = 3 };

/*
 * The change of r (its row before the write: status, clocks) at hlc of this
 * device. old: the values before (an edit), values: after (a put, an edit);
 * f may be NULL for a delete. On success *fields (caller frees) is what the
 * outbox carries — put: the synced fields of values (form_strip_local);
 * edit: only the synced fields whose value differs between old and values,
 * JSON null where an answer was removed; delete: NULL — and r->clocks is the
 * new clock document (malloc'd; the old one freed). An edit that changes no
 * synced field (only `local` ones) sets *fields NULL and leaves r->clocks:
 * nothing leaves the device. An edit of a record whose own earlier changes
 * sit in the outbox's quarantine (the hub refused them) supersedes them
 * (localdb_quarantine_supersede: never sent again) and becomes a put of
 * the whole record — *kind is set to REC_CLOCK_PUT — since the hub never
 * got what the edit would be a difference against.
 */
int rec_clock_change(struct store *s, const struct form *f,
    struct localdb_record *r, enum rec_clock_kind *kind, const cJSON *old,
    const cJSON *values, const char *hlc, cJSON **fields, struct terr *e);

/* True when field is one of f's `local` fields (recmerge skip function;
 * arg is the form). */
bool rec_clock_local(const char *field, void *arg);

#endif
