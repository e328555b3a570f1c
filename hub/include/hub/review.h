/*
 * review — a person's decision on a logged conflict: which of the two
 * values stands.
 *
 * Merge keeps the later of two independent changes of a field and logs the
 * other (merge.h). A coordinator who knows better can keep what stands
 * ("kept": only the decision is recorded) or take the value that lost
 * ("taken"): the hub then writes that value as an edit of its own, as the
 * writer REVIEW_WRITER, at a clock later than every clock of the record. The
 * edit is an ordinary change of the record — the reports' counters move
 * with it, and it takes a feed position, so every device that shares the
 * form pulls it and, by the same merge rule, holds the chosen value too.
 *
 * The value is taken only while the field still holds the value that won
 * (compared as JSON): a change made after the conflict is newer knowledge
 * and is not overwritten by a decision on an older one; the conflict can
 * still be closed as "kept". A record deleted since, and a conflict about
 * existence (a deletion against a change), cannot be taken over: the
 * decision would bring a deleted record back unseen.
 *
 * One decision per conflict, in one write transaction with its edit.
 */
#ifndef TETRAD_HUB_REVIEW_H
#define TETRAD_HUB_REVIEW_H

#include <stdint.h>

#include "hub/hubdb.h"
#include "hub/hubforms.h"
#include "tetrad/recmerge.h"

/* The hub's own writer id in clocks (tetrad/recmerge.h). */
#define REVIEW_WRITER RECMERGE_HUB_WRITER

enum review_choice {
	REVIEW_KEEP = 1,     /* the value that won stands */
	REVIEW_TAKE,         /* the value that lost replaces it */
};

/*
 * Decides conflict id for login. forms (may be NULL: then the edit takes a
 * feed position only if the handle already knows the form is shared): the
 * hub's catalogue, which says which forms devices pull. *hlc (may be NULL):
 * the clock of the edit written for REVIEW_TAKE. Errors, with a Russian
 * message for the person: TERR_NOTFOUND (no such conflict), TERR_REPLAY
 * (already decided), TERR_INVALID (the value cannot be taken: changed since,
 * the record deleted, an existence conflict), the store's errors.
 */
int review_decide(struct hubdb *db, struct hubforms *forms, int64_t id,
    enum review_choice choice, const char *login, char hlc[HLC_STRLEN + 1],
    struct terr *e);

#endif
