/*
 * inbox — applies one opened pull answer (pullmsg.h) to the device
 * database, in one transaction: every record joined per field with what
 * the device holds (recmerge_state; the form's local fields are left
 * alone on both sides, and the local members of group items are put back
 * by position), a record never seen inserted as final or deleted by its
 * existence clock, every value of THIS device that lost logged in
 * `conflicts` (one it changed by an edit or a delete; a value it wrote
 * with the record's whole put that another device changed later is an
 * update, not a conflict), the issued risk profiles (meta risk_profile, per school
 * replaced) and the register's names (meta school_names) stored, the
 * device's clock moved past the newest clock seen, and meta pull_after set
 * to the answer's upto. Killed before the commit: nothing applied. A
 * pulled record never enters the outbox.
 *
 * A batch holding anything of a school that is not one of the device's
 * (meta device_schools) is refused whole, with the reason, before
 * anything is written.
 */
#ifndef TETRAD_SYNCD_INBOX_H
#define TETRAD_SYNCD_INBOX_H

#include <stdint.h>

#include "tetrad/localdb.h"
#include "tetrad/pullmsg.h"
#include "tetrad/terr.h"

struct inbox;

struct inbox_result {
	int64_t records;       /* records in the answers */
	int64_t created;       /* of them, new on this device */
	int64_t changed;       /* of them, a value changed here (not only clocks) */
	int64_t conflicts;     /* values of this device that lost */
	int64_t profiles;      /* risk profiles stored */
	int64_t schools;       /* register entries stored */
};

/*
 * The device's context for applying answers: its id (hex) and schools from
 * meta, the forms it knows (built-in dir, and `<db_path>.forms/`).
 * builtin_dir may be NULL (no built-in forms).
 */
int inbox_new(struct localdb *db, const char *db_path, const char *builtin_dir,
    struct inbox **out, struct terr *e);
void inbox_free(struct inbox *ib);

/*
 * Applies b (opened and checked by pullmsg_open; the caller has checked
 * b->after against the cursor) in one transaction of its own, adding to
 * *res. On any failure nothing is applied (rolled back): TERR_ARG with the
 * reason for an answer the device refuses (a school not its own), the
 * store's codes otherwise.
 */
int inbox_apply(struct inbox *ib, const struct pullmsg_batch *b,
    struct inbox_result *res, struct terr *e);

/* The cursor: what the device holds of its feed (meta pull_after; 0 none). */
int inbox_cursor(struct inbox *ib, uint64_t *after, struct terr *e);

#endif
