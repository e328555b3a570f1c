/*
 * dbpool — store handles for request workers and the WAL checkpointer
 * (dbpool.h).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dbpool.h"

struct dbpool {
	char *db_path;
	server_log_fn log;
	void *log_ctx;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct hubdb *pool[DBPOOL_MAX];
	size_t n;             /* handles opened */
	size_t idle;          /* handles in pool[0..idle) are idle */
	size_t cap;
	/* WAL checkpoints, off the requests' path; guarded by kmu */
	pthread_mutex_t kmu;
	pthread_cond_t kcv;
	struct hubdb *ckpt_db;
	bool ckpt_due;
	bool ckpt_stop;
	bool ckpt_started;
	pthread_t ckpt;
};

/* Called by a committing request: wake the checkpointer once the WAL is big. */
static void
dbpool_wal_grew(void *ctx, int wal_pages)
{
	struct dbpool *p = ctx;

	if (wal_pages < DBPOOL_CKPT_PAGES)
		return;
	pthread_mutex_lock(&p->kmu);
	p->ckpt_due = true;
	pthread_cond_signal(&p->kcv);
	pthread_mutex_unlock(&p->kmu);
}

static void *
dbpool_checkpointer(void *arg)
{
	struct dbpool *p = arg;
	struct terr e;

	pthread_mutex_lock(&p->kmu);
	while (!p->ckpt_stop) {
		if (!p->ckpt_due) {
			pthread_cond_wait(&p->kcv, &p->kmu);
			continue;
		}
		p->ckpt_due = false;
		pthread_mutex_unlock(&p->kmu);
		terr_clear(&e);
		if (hubdb_checkpoint(p->ckpt_db, &e) != 0 && p->log != NULL)
			p->log(p->log_ctx, SERVER_LOG_ERR, e.msg);
		pthread_mutex_lock(&p->kmu);
	}
	pthread_mutex_unlock(&p->kmu);
	return NULL;
}

int
dbpool_open(const char *db_path, size_t cap, server_log_fn log,
    void *log_ctx, struct dbpool **out, struct terr *e)
{
	struct dbpool *p;
	int r;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL || (p->db_path = strdup(db_path)) == NULL) {
		free(p);
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	p->cap = cap < DBPOOL_MAX ? cap : DBPOOL_MAX;
	p->log = log;
	p->log_ctx = log_ctx;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	pthread_mutex_init(&p->kmu, NULL);
	pthread_cond_init(&p->kcv, NULL);
	if ((r = hubdb_open(p->db_path, &p->ckpt_db, e)) != 0)
		goto fail;
	if (pthread_create(&p->ckpt, NULL, dbpool_checkpointer, p) != 0) {
		r = terr_set(e, TERR_INTERNAL, "не удалось запустить поток контрольных точек");
		goto fail;
	}
	/* top -H and perf tell the hub's threads apart by it */
	pthread_setname_np(p->ckpt, "hub-checkpoint");
	p->ckpt_started = true;
	*out = p;
	return 0;
 fail:
	dbpool_close(p);
	return r;
}

struct hubdb *
dbpool_get(struct dbpool *p, struct terr *e)
{
	struct hubdb *db = NULL;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		if (p->idle > 0) {
			db = p->pool[--p->idle];
			break;
		}
		if (p->n < p->cap) {
			p->n++;
			pthread_mutex_unlock(&p->mu);
			/* the checkpointer's handle, opened first, migrated the store */
			if (hubdb_open_more(p->db_path, &db, e) != 0) {
				pthread_mutex_lock(&p->mu);
				p->n--;
				db = NULL;
				break;
			}
			hubdb_defer_checkpoints(db, dbpool_wal_grew, p);
			return db;
		}
		pthread_cond_wait(&p->cv, &p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	return db;
}

void
dbpool_put(struct dbpool *p, struct hubdb *db)
{
	if (db == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->pool[p->idle++] = db;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

void
dbpool_close(struct dbpool *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->idle; i++)
		hubdb_close(p->pool[i]);
	if (p->ckpt_started) {
		pthread_mutex_lock(&p->kmu);
		p->ckpt_stop = true;
		pthread_cond_signal(&p->kcv);
		pthread_mutex_unlock(&p->kmu);
		pthread_join(p->ckpt, NULL);
	}
	hubdb_close(p->ckpt_db);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->kmu);
	pthread_cond_destroy(&p->kcv);
	free(p->db_path);
	free(p);
}
