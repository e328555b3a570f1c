/*
 * recmerge — the merge of one record's states: per-field last writer wins by
 * HLC. One rule, used by the hub (hub/src/merge.c, every op it ingests) and by
 * a device (every record it pulls), so both ends agree on what a record is.
 *
 * A record's state is its data (a JSON object: field → value, a field that
 * is not there has "no answer") and its clock document:
 *
 *   {"f":{"<field>":["<hlc>","<device>"],…},   per-field clocks
 *    "p":["<hlc>","<device>"],                   last whole put
 *    "x":["<hlc>","<device>",0|1]}               existence: 1 = deleted
 *
 * A field without an entry in "f" has the clock of "p" (none: the field was
 * never written). Clocks order by HLC text (which orders like the clock),
 * then by device; HLC text includes the writer's node, so two writers never
 * share one in practice. Read that way a state is a function
 * field → (clock, value), and joining two states takes, field by field, the
 * pair with the greater clock (equal clocks with different values — a
 * damaged or forged document — are ordered by the values' text, so the join
 * stays a function of its inputs). The join is commutative, associative and
 * idempotent: whatever order changes and states arrive in, every place that
 * saw the same ones holds the same record.
 *
 * Nothing here prints, touches storage or knows forms: skip and the loser
 * callback are how a caller brings those in.
 */
#ifndef TETRAD_RECMERGE_H
#define TETRAD_RECMERGE_H

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "tetrad/terr.h"

/*
 * The writer id of the hub's own changes: a coordinator's decision on a
 * conflict (hub/review.h), written as an edit the devices pull. No device
 * key hashes to it in practice. A device does not list a value of its own
 * that lost to it as a conflict: a person chose it, seeing both values.
 */
#define RECMERGE_HUB_WRITER "0000000000000000"

enum recmerge_kind { RECMERGE_PUT = 1, RECMERGE_EDIT = 2, RECMERGE_DELETE = 3 };

/* A value that lost to another device's. Every pointer lives only during the
 * callback. */
struct recmerge_loser {
	const char *field;             /* "" for existence (deleted vs changed) */
	const cJSON *loser;            /* never NULL */
	const char *loser_hlc, *loser_device;
	const cJSON *winner;           /* NULL: "no answer" won */
	const char *winner_hlc, *winner_device;
};

/* Non-zero stops the merge and is returned by it (data/clocks are then
 * partly merged: the caller drops them, as it would on any failure). */
typedef int (*recmerge_loser_cb)(const struct recmerge_loser *l, void *arg);
/*
 * skip(field) true: a field that never travels (a form's `local` field): left
 * alone on both sides — its value and its clock stay as they were, whatever
 * the other side says. NULL: none skipped.
 */
typedef bool (*recmerge_skip_fn)(const char *field, void *arg);

struct recmerge_opts {
	recmerge_skip_fn skip;
	void *skip_arg;
	recmerge_loser_cb on_loser;    /* NULL: losers are not reported */
	void *loser_arg;
	/*
	 * An edit that says nothing of the record's existence: its fields take
	 * its clock, "x" stays as it was. A person's decision on a conflict
	 * (hub/review.h) is one: a deletion made before it on a device, not yet
	 * synced, still deletes the record when it arrives.
	 */
	bool fields_only;
};

/*
 * One change of device at hlc (HLC text) into data/clocks (JSON objects,
 * changed in place; empty objects for a record not seen yet). o may be NULL.
 *
 * PUT: fields is the whole synced state (a field it lacks is "no answer" at
 * hlc; JSON null is "no answer" too); EDIT: only the fields listed (JSON
 * null = answer removed), each at hlc, the others untouched; DELETE: fields
 * NULL, a tombstone. Existence: puts and edits say "exists", deletes
 * "deleted"; the later HLC wins (a later edit brings a deleted record back).
 *
 * *changed (may be NULL): data or clocks moved. Losers are reported only when
 * the two writers are different devices and the values differ ("no answer"
 * losing is not a conflict). The result is compacted (recmerge_compact).
 * TERR_ARG for a kind/fields mismatch, TERR_NOMEM.
 */
int recmerge_change(cJSON *data, cJSON *clocks, enum recmerge_kind kind,
    const char *hlc, const char *device, const cJSON *fields,
    const struct recmerge_opts *o, bool *changed, struct terr *e);

/*
 * Joins a whole state (data_in, clocks_in: a pulled record, checked with
 * recmerge_check_clocks first) into data/clocks, as recmerge_change does.
 */
int recmerge_state(cJSON *data, cJSON *clocks, const cJSON *data_in,
    const cJSON *clocks_in, const struct recmerge_opts *o, bool *changed,
    struct terr *e);

/* Drops the "f" entries equal to "p" (and "f" itself when that empties it). */
void recmerge_compact(cJSON *clocks);

/* "x" says deleted. */
bool recmerge_deleted(const cJSON *clocks);

/* The newest clock of the document (max of p, x, f entries): for HLC
 * observe. Points into clocks; NULL when it has none. */
const char *recmerge_newest(const cJSON *clocks);

/*
 * A clock document from outside (a pull): an object of "f", "p", "x" only
 * ("x" required), each clock an array of HLC text (hlc_decode) and device
 * id (KEYS_ID_HEXLEN lowercase hex), "x" with a third member 0 or 1, at
 * most CHANGESET_MAX_FIELDS entries in "f" with names like a change set's.
 * TERR_PARSE with the reason.
 */
int recmerge_check_clocks(const cJSON *clocks, struct terr *e);

#endif
