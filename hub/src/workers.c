/*
 * workers — threads that run queued jobs, in the order queued (workers.h).
 *
 * An idle worker waits on a condition of its own, on a stack: a job goes
 * to the worker that went idle last. A set at a time (one device syncing)
 * then runs on the same thread every time, with its malloc arena, its
 * store handle and its caches still warm; handed round the 64 threads in
 * turn, each set of 1,000 visits faulted in some 10 MB of fresh memory (a
 * tenth of the hub's time on them). Under load every worker is busy anyway.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "workers.h"

struct workers_idle {
	pthread_cond_t cv;
	struct workers_job *job;        /* handed over by workers_submit */
	struct workers_idle *next;
};

struct workers {
	pthread_mutex_t mu;
	struct workers_job *head, *tail;  /* jobs no worker was free for */
	struct workers_idle *idle;        /* the last one idle on top */
	bool stop;
	size_t n;                 /* threads started */
	pthread_t *threads;
};

static void *
workers_main(void *arg)
{
	struct workers *w = arg;
	struct workers_idle me;

	pthread_cond_init(&me.cv, NULL);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct workers_job *job;
		void (*run)(void *);
		void *job_arg;

		if (w->head != NULL) {
			job = w->head;
			w->head = job->next;
			if (w->head == NULL)
				w->tail = NULL;
		} else if (w->stop) {
			break;
		} else {
			me.job = NULL;
			me.next = w->idle;
			w->idle = &me;
			/* workers_submit or workers_stop takes me off the stack */
			while (me.job == NULL && !w->stop)
				pthread_cond_wait(&me.cv, &w->mu);
			if ((job = me.job) == NULL)
				continue;   /* stopping: run what is queued, then leave */
		}
		/* read before run: run may free the job */
		run = job->run;
		job_arg = job->arg;
		pthread_mutex_unlock(&w->mu);
		run(job_arg);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	pthread_cond_destroy(&me.cv);
	return NULL;
}

int
workers_start(size_t n, struct workers **out, struct terr *e)
{
	struct workers *w;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->threads = calloc(n, sizeof(*w->threads))) == NULL) {
		free(w);
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	pthread_mutex_init(&w->mu, NULL);
	for (; w->n < n; w->n++)
		if (pthread_create(&w->threads[w->n], NULL, workers_main, w) != 0) {
			workers_stop(w);
			return terr_set(e, TERR_INTERNAL, "не удалось запустить рабочие потоки хаба");
		}
	/* top -H and perf tell the hub's threads apart by it */
	for (size_t i = 0; i < w->n; i++)
		pthread_setname_np(w->threads[i], "hub-worker");
	*out = w;
	return 0;
}

void
workers_submit(struct workers *w, struct workers_job *job)
{
	struct workers_idle *idle;

	job->next = NULL;
	pthread_mutex_lock(&w->mu);
	if ((idle = w->idle) != NULL) {
		w->idle = idle->next;
		idle->job = job;
		pthread_cond_signal(&idle->cv);
	} else {
		if (w->tail != NULL)
			w->tail->next = job;
		else
			w->head = job;
		w->tail = job;
	}
	pthread_mutex_unlock(&w->mu);
}

void
workers_stop(struct workers *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	for (struct workers_idle *i = w->idle; i != NULL; i = i->next)
		pthread_cond_signal(&i->cv);
	w->idle = NULL;
	pthread_mutex_unlock(&w->mu);
	for (size_t i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	pthread_mutex_destroy(&w->mu);
	free(w->threads);
	free(w);
}
