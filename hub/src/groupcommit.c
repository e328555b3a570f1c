/*
 * groupcommit — one writer, one transaction per group of waiting sets
 * (groupcommit.h).
 *
 * The queue is a list of items that live on the requesting threads' stacks:
 * a request blocks in groupcommit_run until the writer marks its item done,
 * so nothing is allocated per set. The writer takes everything waiting (up
 * to GROUPCOMMIT_MAX_GROUP) at once: while it commits one group, the next
 * one gathers, which is what makes the groups grow with the load.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hub/groupcommit.h"

struct gc_item {
	groupcommit_fn apply;
	void *arg;
	struct terr *e;         /* the requester's; written by the writer */
	struct terr own;        /* where e points when the requester passed NULL */
	int result;
	bool done;
	struct gc_item *next;
};

struct groupcommit {
	struct hubdb *db;
	pthread_mutex_t mu;
	pthread_cond_t work;    /* the writer waits for items */
	pthread_cond_t done;    /* requesters wait for their item */
	struct gc_item *head, *tail;
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

/*
 * Runs the n items of live[] in one transaction on db (see groupcommit.h);
 * every item's result is set when it returns. *retried counts the times the
 * group was run again without an item that failed.
 */
static void
gc_run_group(struct hubdb *db, struct gc_item **live, size_t n, uint64_t *retried)
{
	struct terr e;
	int r;

	for (;;) {
		size_t failed = n;

		terr_clear(&e);
		if (n == 0)
			return;
		if ((r = hubdb_begin(db, &e)) != 0) {
			gc_fail_all(live, n, r, &e);
			return;
		}
		for (size_t i = 0; i < n && failed == n; i++) {
			struct gc_item *it = live[i];

			if ((r = hubdb_savepoint(db, &e)) != 0)
				goto store_failed;
			terr_clear(it->e);
			r = it->apply(it->arg, db, it->e);
			if (r == GROUPCOMMIT_AGAIN) {
				if ((r = hubdb_savepoint_undo(db, &e)) != 0)
					goto store_failed;
				r = it->apply(it->arg, db, it->e);
				if (r == GROUPCOMMIT_AGAIN)
					r = terr_set(it->e, TERR_INTERNAL, "запись набора не завершилась "
					    "и со второй попытки");
			}
			if (r < 0) {
				it->result = r;
				failed = i;
				break;
			}
			if ((r = hubdb_savepoint_release(db, &e)) != 0)
				goto store_failed;
		}
		if (failed == n) {
			r = hubdb_commit(db, &e);
			if (r != 0)
				gc_fail_all(live, n, r, &e);
			else
				for (size_t i = 0; i < n; i++)
					live[i]->result = 0;
			return;
		}
		/*
		 * One item failed: its code may be the store's own (a full disk,
		 * an I/O error), after which SQLite may have ended the transaction
		 * already; so the whole group is undone and the others run again
		 * without it. Each round removes one item.
		 */
		hubdb_rollback(db);
		memmove(&live[failed], &live[failed + 1], (n - failed - 1) * sizeof(live[0]));
		n--;
		(*retried)++;
	}
 store_failed:
	hubdb_rollback(db);
	gc_fail_all(live, n, r, &e);
}

static void *
gc_writer(void *arg)
{
	struct groupcommit *g = arg;
	struct gc_item *live[GROUPCOMMIT_MAX_GROUP];

	pthread_mutex_lock(&g->mu);
	for (;;) {
		size_t n = 0;
		uint64_t retried = 0;

		while (g->head == NULL && !g->stop)
			pthread_cond_wait(&g->work, &g->mu);
		if (g->head == NULL)
			break;
		while (g->head != NULL && n < GROUPCOMMIT_MAX_GROUP) {
			live[n++] = g->head;
			g->head = g->head->next;
			g->stats.waiting--;
		}
		if (g->head == NULL)
			g->tail = NULL;
		pthread_mutex_unlock(&g->mu);

		{
			/* gc_run_group drops failed items from its copy of the list */
			struct gc_item *group[GROUPCOMMIT_MAX_GROUP];

			memcpy(group, live, n * sizeof(live[0]));
			gc_run_group(g->db, group, n, &retried);
		}

		pthread_mutex_lock(&g->mu);
		for (size_t i = 0; i < n; i++)
			live[i]->done = true;
		g->stats.groups++;
		g->stats.items += n;
		g->stats.retried += retried;
		if (n > g->stats.largest)
			g->stats.largest = n;
		pthread_cond_broadcast(&g->done);
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
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->work, NULL);
	pthread_cond_init(&g->done, NULL);
	if (pthread_create(&g->thread, NULL, gc_writer, g) != 0) {
		groupcommit_stop(g);
		return terr_set(e, TERR_INTERNAL, "не удалось запустить поток записи хаба");
	}
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
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->work);
	pthread_cond_destroy(&g->done);
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
	pthread_mutex_lock(&g->mu);
	if (g->tail != NULL)
		g->tail->next = &it;
	else
		g->head = &it;
	g->tail = &it;
	g->stats.waiting++;
	pthread_cond_signal(&g->work);
	while (!it.done)
		pthread_cond_wait(&g->done, &g->mu);
	pthread_mutex_unlock(&g->mu);
	return it.result;
}

int
groupcommit_run_alone(struct hubdb *db, groupcommit_fn apply, void *arg, struct terr *e)
{
	struct gc_item it, *live[1] = { &it };
	uint64_t retried = 0;

	gc_item_init(&it, apply, arg, e);
	gc_run_group(db, live, 1, &retried);
	return it.result;
}

void
groupcommit_stats(struct groupcommit *g, struct groupcommit_stats *out)
{
	pthread_mutex_lock(&g->mu);
	*out = g->stats;
	pthread_mutex_unlock(&g->mu);
}
