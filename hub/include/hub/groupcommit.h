/*
 * groupcommit — the one writer of the hub's change sets.
 *
 * Request threads verify and decrypt their sets in parallel, then hand the
 * writing to this writer, which applies every set waiting, and those that
 * come while it writes, in one store transaction and commits once: a
 * durable commit (an fsync) costs about as
 * much for 32 sets as for one, and one writer never waits on another's lock.
 * Each request is answered only after the commit that holds its set is
 * durable, so an acknowledgement keeps its promise across a crash.
 *
 * A set is applied inside a savepoint of the group's transaction:
 *  - apply returns 0: its writes stay and are committed with the group;
 *  - apply returns GROUPCOMMIT_AGAIN: what it wrote is undone and it is
 *    called once more, in the same transaction (ingest: the merge refused
 *    the set, so the second call stores the refusal instead);
 *  - apply returns a negative code: the group's transaction is rolled back,
 *    that item gets its code and the others are applied again, without it, in
 *    a new transaction. A set that breaks the store therefore never fails the
 *    sets that happened to arrive with it; apply must be safe to call again.
 *    An error of its writes that the store answers only at the release of
 *    its savepoint (hubdb.h: deferred errors) is the item's the same way:
 *    the group's first round does not wait for each release (one round
 *    trip less per set on PostgreSQL), so an error met there runs the
 *    group again with every release waited for, which tells whose it was.
 * If the commit itself fails (a full disk), every item of the group gets the
 * commit's code and nothing of the group is stored.
 *
 * The store needs only transactions and savepoints (hubdb.h), which
 * PostgreSQL has as SQLite does: a PostgreSQL hub process runs its own
 * writer the same way, and several processes serialise per device in the
 * store (hubdb.h: hubdb_begin).
 */
#ifndef TETRAD_HUB_GROUPCOMMIT_H
#define TETRAD_HUB_GROUPCOMMIT_H

#include <stdint.h>

#include "hub/hubdb.h"
#include "tetrad/terr.h"

#define GROUPCOMMIT_AGAIN 1
/* Sets in one transaction at most: a bound on the time the first one waits. */
#define GROUPCOMMIT_MAX_GROUP 256
/*
 * How long the writer waits, at most, for sets announced as coming before
 * it commits the group it has: about what verifying and opening a small set
 * takes on a busy hub, and far below a request's own round trip.
 */
#define GROUPCOMMIT_GATHER_US 1000

struct groupcommit;

/* Writes one item inside the writer's transaction, on db; see above. */
typedef int (*groupcommit_fn)(void *arg, struct hubdb *db, struct terr *e);

/*
 * Starts the writer's thread on db, which it uses alone until
 * groupcommit_stop (the caller keeps ownership and closes it after).
 */
int groupcommit_start(struct hubdb *db, struct groupcommit **out, struct terr *e);

/*
 * Applies every item still waiting, stops the thread and frees g. No
 * groupcommit_run may be called from then on. Accepts NULL.
 */
void groupcommit_stop(struct groupcommit *g);

/*
 * Queues apply(arg) for the writer and waits until the transaction that
 * holds it is committed (0: durable) or has failed (its code, e filled).
 * apply runs on the writer's thread; arg must live until this returns.
 */
int groupcommit_run(struct groupcommit *g, groupcommit_fn apply, void *arg,
    struct terr *e);

/*
 * A set is on its way to groupcommit_run (its request thread is verifying
 * and opening it): a writer about to commit waits a moment for it (see
 * GROUPCOMMIT_GATHER_US). Each groupcommit_coming is matched by exactly one
 * groupcommit_arrived, called just before groupcommit_run or when the set
 * will not be written after all (refused, a replay, an error).
 */
void groupcommit_coming(struct groupcommit *g);
void groupcommit_arrived(struct groupcommit *g);

/*
 * The same contract on the caller's own handle and thread, one item in its
 * own transaction: for the paths that write one set at a time (USB import).
 */
int groupcommit_run_alone(struct hubdb *db, groupcommit_fn apply, void *arg,
    struct terr *e);

struct groupcommit_stats {
	uint64_t groups;        /* transactions committed or failed */
	uint64_t items;         /* items they held */
	uint64_t largest;       /* items in the largest group */
	uint64_t retried;       /* groups run again after one item failed */
	uint64_t careful;       /* groups run again, each release waited for, after an
	                         * error whose item the first round could not tell */
	uint64_t waiting;       /* items queued now, not yet taken by the writer */
	uint64_t gathered;      /* groups that waited for sets announced as coming */
	uint64_t joined;        /* items taken while the group's transaction began */
	uint64_t late;          /* items taken into the open transaction after the
	                         * first ones were written */
	uint64_t beginning;     /* 1 while the writer waits for its transaction to begin
	                         * (another process holds the store's write lock) */
};
void groupcommit_stats(struct groupcommit *g, struct groupcommit_stats *out);

#endif
