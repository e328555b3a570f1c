/*
 * groupcommit — one writer, one transaction per group of waiting sets
 * (groupcommit.h).
 *
 * The queue is a list of items that live on the requesting threads' stacks:
 * a request blocks in groupcommit_run until the writer marks its item done,
 * so nothing is allocated per set. The writer takes everything waiting (up
 * to GROUPCOMMIT_MAX_GROUP) at once, and what queues while it writes them,
 * until it commits: while it commits one group, the next one gathers,
 * which is what makes the groups grow with the load. Sets
 * announced as coming (groupcommit_coming) that are still being verified
 * are waited for a moment (GROUPCOMMIT_GATHER_US) before the commit.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hub/groupcommit.h"

struct gc_item {
	groupcommit_fn apply;
	void *arg;
	struct terr *e;         /* the requester's; written by the writer */
	struct terr own;        /* where e points when the requester passed NULL */
	int result;
	bool done;
	/*
	 * Its requester waits on a condition of its own: one shared by all
	 * woke every waiting request at every commit, most of them only to
	 * sleep again (the queue of the next group is as long as the group).
	 */
	pthread_cond_t cv;
	struct gc_item *next;
};

struct groupcommit {
	struct hubdb *db;
	pthread_mutex_t mu;
	pthread_cond_t work;    /* the writer waits for items */
	pthread_condattr_t monotonic;
	struct gc_item *head, *tail;
	size_t coming;          /* announced, not yet queued (groupcommit_coming) */
	bool stop;
	bool started;
	pthread_t thread;
	struct groupcommit_stats stats;
};

static void
gc_fail_all(struct gc_item **live, size_t n, int code, const struct terr *why)
{
	for (size_t i = 0; i < n; i++) {
		live[i]->result = code;
		*live[i]->e = *why;
	}
}

/* What a round of gc_run_group counts: see struct groupcommit_stats. */
struct gc_rounds {
	uint64_t retried;
	uint64_t careful;
	uint64_t late;
};

/* Moves queued items into live[] (n there already); the new count. g->mu held. */
static size_t
gc_take(struct groupcommit *g, struct gc_item **live, size_t n)
{
	while (g->head != NULL && n < GROUPCOMMIT_MAX_GROUP) {
		live[n++] = g->head;
		g->head = g->head->next;
		g->stats.waiting--;
	}
	if (g->head == NULL)
		g->tail = NULL;
	return n;
}

/*
 * Sets queued while the first round of a group wrote: taken into its
 * transaction, at the end of live[] (*nlive) and of group[] (*n); whether
 * there were any.
 */
static bool
gc_take_late(struct groupcommit *g, struct gc_item **live, size_t *nlive,
    struct gc_item **group, size_t *n, struct gc_rounds *rounds)
{
	size_t had = *nlive;

	if (g == NULL)
		return false;
	pthread_mutex_lock(&g->mu);
	*nlive = gc_take(g, live, had);
	pthread_mutex_unlock(&g->mu);
	memcpy(&group[*n], &live[had], (*nlive - had) * sizeof(live[0]));
	*n += *nlive - had;
	rounds->late += *nlive - had;
	return *nlive > had;
}

/* The store's own trouble (a full disk, a lost server): every item would meet it. */
static bool
gc_store_trouble(int r)
{
	return r == TERR_FULL || r == TERR_BUSY;
}

/*
 * Runs the *nlive items of live[] in one transaction on db (see
 * groupcommit.h); every item's result is set when it returns. began: the
 * first round's transaction is open already (the writer's). g: the writer's
 * queue, NULL for an item alone.
 *
 * Sets queued while the first round writes are taken into it before the
 * commit (*nlive grows): the transaction is open, and on PostgreSQL with
 * several hub processes each new one waits for the store's write lock
 * behind the other processes' (docs/performance.md: three processes made
 * 1.7 times as many transactions as one with one-record sets).
 *
 * The first round keeps each item's savepoint without waiting for the
 * store's answer (hubdb_savepoint_keep: on PostgreSQL one round trip less
 * per set while the group holds the store's write lock; the commit reads
 * every answer). An error then shows at a later item's statement or at the
 * commit, and does not say whose it was: the group is undone and run again
 * carefully, each release waited for, where an item that fails on its own
 * is found and the others are committed without it. Errors are rare (a
 * set stored twice, a bug, the store's trouble), so the careful round is
 * too.
 */
static void
gc_run_group(struct groupcommit *g, struct hubdb *db, struct gc_item **live, size_t *nlive,
    bool began, struct gc_rounds *rounds)
{
	/* the items still to commit: live[] less those that failed on their own */
	struct gc_item *group[GROUPCOMMIT_MAX_GROUP];
	size_t n = *nlive;
	bool careful = false;
	struct terr e;
	int r;

	memcpy(group, live, n * sizeof(live[0]));
	for (;;) {
		size_t failed = SIZE_MAX;       /* the item whose call failed; SIZE_MAX: the store's */
		size_t i = 0;

		terr_clear(&e);
		if (n == 0) {
			if (began)
				hubdb_rollback(db);
			return;
		}
		if (!began && (r = hubdb_begin(db, &e)) != 0) {
			gc_fail_all(group, n, r, &e);
			return;
		}
		began = false;
		r = 0;
		do {
			for (; i < n && r == 0; i++) {
				struct gc_item *it = group[i];

				if ((r = hubdb_savepoint(db, &e)) != 0)
					break;
				terr_clear(it->e);
				r = it->apply(it->arg, db, it->e);
				if (r == GROUPCOMMIT_AGAIN) {
					if ((r = hubdb_savepoint_undo(db, &e)) != 0)
						break;
					r = it->apply(it->arg, db, it->e);
					if (r == GROUPCOMMIT_AGAIN)
						r = terr_set(it->e, TERR_INTERNAL, "запись набора не "
						    "завершилась и со второй попытки");
				}
				/* the release answers the set's deferred writes too
				 * (hubdb.h): its error is the set's, once waited for */
				if (r == 0)
					r = careful ? hubdb_savepoint_release(db, it->e) :
					    hubdb_savepoint_keep(db, it->e);
				if (r != 0)
					failed = i;
			}
		} while (r == 0 && !careful && gc_take_late(g, live, nlive, group, &n, rounds));
		if (r == 0) {
			if ((r = hubdb_commit(db, &e)) == 0) {
				for (size_t k = 0; k < n; k++)
					group[k]->result = 0;
				return;
			}
		} else
			hubdb_rollback(db);
		/*
		 * A full disk or a lost server: every other item would meet it
		 * too, one round each while holding the lock. A mark, undo or
		 * commit that fails in the careful round is the store's as well.
		 */
		if (gc_store_trouble(r) || (careful && failed == SIZE_MAX)) {
			gc_fail_all(group, n, r, failed == SIZE_MAX ? &e : group[failed]->e);
			return;
		}
		if (!careful) {
			careful = true;
			rounds->careful++;
			continue;
		}
		/*
		 * One item failed on its own (an I/O error of its read, a bug):
		 * SQLite may have ended the transaction already, so the whole group
		 * was undone and the others run again without it. Each round
		 * removes one item.
		 */
		group[failed]->result = r;
		memmove(&group[failed], &group[failed + 1], (n - failed - 1) * sizeof(group[0]));
		n--;
		rounds->retried++;
	}
}

/*
 * Sets are on their way (verified, decrypted and checked on other threads
 * right now): wait for them a moment, up to GROUPCOMMIT_GATHER_US, so that
 * they share this commit instead of each paying for the next one. With
 * nothing announced (one device sending alone) the group is committed at
 * once. The waiting costs no CPU, which the sets on their way need.
 */
static size_t
gc_gather(struct groupcommit *g, struct gc_item **live, size_t n)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += GROUPCOMMIT_GATHER_US * 1000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (g->coming > 0 && n < GROUPCOMMIT_MAX_GROUP && !g->stop) {
		int r = pthread_cond_timedwait(&g->work, &g->mu, &until);

		n = gc_take(g, live, n);
		if (r == ETIMEDOUT)
			break;
	}
	g->stats.gathered++;
	return n;
}

static void *
gc_writer(void *arg)
{
	struct groupcommit *g = arg;
	struct gc_item *live[GROUPCOMMIT_MAX_GROUP];

	pthread_mutex_lock(&g->mu);
	for (;;) {
		size_t n = 0;
		struct gc_rounds rounds = { 0, 0, 0 };

		while (g->head == NULL && !g->stop)
			pthread_cond_wait(&g->work, &g->mu);
		if (g->head == NULL)
			break;
		n = gc_take(g, live, n);
		if (g->coming > 0 && n < GROUPCOMMIT_MAX_GROUP && !g->stop)
			n = gc_gather(g, live, n);
		g->stats.beginning = 1;
		pthread_mutex_unlock(&g->mu);

		{
			struct terr e;
			int began = hubdb_begin(g->db, &e);

			/*
			 * The transaction first, then whatever queued while it began:
			 * on PostgreSQL with several hub processes the begin waits for
			 * the store's write lock while another process commits, and the
			 * sets that came meanwhile share this commit instead of each
			 * queueing for the lock again (on SQLite the wait is nil).
			 */
			pthread_mutex_lock(&g->mu);
			g->stats.beginning = 0;
			if (began == 0) {
				size_t before = n;

				n = gc_take(g, live, n);
				g->stats.joined += n - before;
			}
			pthread_mutex_unlock(&g->mu);
			if (began != 0)
				gc_fail_all(live, n, began, &e);
			else
				gc_run_group(g, g->db, live, &n, true, &rounds);
		}

		pthread_mutex_lock(&g->mu);
		for (size_t i = 0; i < n; i++) {
			live[i]->done = true;
			pthread_cond_signal(&live[i]->cv);
		}
		g->stats.groups++;
		g->stats.items += n;
		g->stats.retried += rounds.retried;
		g->stats.careful += rounds.careful;
		g->stats.late += rounds.late;
		if (n > g->stats.largest)
			g->stats.largest = n;
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

int
groupcommit_start(struct hubdb *db, struct groupcommit **out, struct terr *e)
{
	struct groupcommit *g;

	*out = NULL;
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	g->db = db;
	/* its commits wait for the disk after the write lock (hubdb.h) */
	hubdb_group_writer(db, true);
	pthread_mutex_init(&g->mu, NULL);
	/* gc_gather's deadline must not move with the wall clock */
	pthread_condattr_init(&g->monotonic);
	pthread_condattr_setclock(&g->monotonic, CLOCK_MONOTONIC);
	pthread_cond_init(&g->work, &g->monotonic);
	if (pthread_create(&g->thread, NULL, gc_writer, g) != 0) {
		groupcommit_stop(g);
		return terr_set(e, TERR_INTERNAL, "не удалось запустить поток записи хаба");
	}
	/* top -H and perf tell the hub's threads apart by it */
	pthread_setname_np(g->thread, "hub-writer");
	g->started = true;
	*out = g;
	return 0;
}

void
groupcommit_stop(struct groupcommit *g)
{
	if (g == NULL)
		return;
	if (g->started) {
		pthread_mutex_lock(&g->mu);
		g->stop = true;
		pthread_cond_signal(&g->work);
		pthread_mutex_unlock(&g->mu);
		pthread_join(g->thread, NULL);
	}
	/* the handle goes back to whoever lent it, as it came */
	hubdb_group_writer(g->db, false);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->work);
	pthread_condattr_destroy(&g->monotonic);
	free(g);
}

static void
gc_item_init(struct gc_item *it, groupcommit_fn apply, void *arg, struct terr *e)
{
	memset(it, 0, sizeof(*it));
	it->apply = apply;
	it->arg = arg;
	it->e = e != NULL ? e : &it->own;
}

int
groupcommit_run(struct groupcommit *g, groupcommit_fn apply, void *arg, struct terr *e)
{
	struct gc_item it;

	gc_item_init(&it, apply, arg, e);
	pthread_cond_init(&it.cv, NULL);
	pthread_mutex_lock(&g->mu);
	if (g->tail != NULL)
		g->tail->next = &it;
	else
		g->head = &it;
	g->tail = &it;
	g->stats.waiting++;
	pthread_cond_signal(&g->work);
	while (!it.done)
		pthread_cond_wait(&it.cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	pthread_cond_destroy(&it.cv);
	return it.result;
}

void
groupcommit_coming(struct groupcommit *g)
{
	pthread_mutex_lock(&g->mu);
	g->coming++;
	pthread_mutex_unlock(&g->mu);
}

void
groupcommit_arrived(struct groupcommit *g)
{
	pthread_mutex_lock(&g->mu);
	if (g->coming > 0 && --g->coming == 0)
		/* a writer gathering for it need not wait out its time */
		pthread_cond_signal(&g->work);
	pthread_mutex_unlock(&g->mu);
}

int
groupcommit_run_alone(struct hubdb *db, groupcommit_fn apply, void *arg, struct terr *e)
{
	struct gc_item it, *live[1] = { &it };
	struct gc_rounds rounds = { 0, 0, 0 };
	size_t n = 1;

	gc_item_init(&it, apply, arg, e);
	gc_run_group(NULL, db, live, &n, false, &rounds);
	return it.result;
}

void
groupcommit_stats(struct groupcommit *g, struct groupcommit_stats *out)
{
	pthread_mutex_lock(&g->mu);
	*out = g->stats;
	pthread_mutex_unlock(&g->mu);
}
