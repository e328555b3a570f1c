/*
 * workers — threads that run queued jobs, in the order queued (workers.h).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "workers.h"

struct workers {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct workers_job *head, *tail;
	bool stop;
	size_t n;                 /* threads started */
	pthread_t *threads;
};

static void *
workers_main(void *arg)
{
	struct workers *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct workers_job *job;
		void (*run)(void *);
		void *job_arg;

		while (w->head == NULL && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->head == NULL)
			break;
		job = w->head;
		w->head = job->next;
		if (w->head == NULL)
			w->tail = NULL;
		/* read before run: run may free the job */
		run = job->run;
		job_arg = job->arg;
		pthread_mutex_unlock(&w->mu);
		run(job_arg);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
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
	pthread_cond_init(&w->cv, NULL);
	for (; w->n < n; w->n++)
		if (pthread_create(&w->threads[w->n], NULL, workers_main, w) != 0) {
			workers_stop(w);
			return terr_set(e, TERR_INTERNAL, "не удалось запустить рабочие потоки хаба");
		}
	*out = w;
	return 0;
}

void
workers_submit(struct workers *w, struct workers_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->mu);
	if (w->tail != NULL)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void
workers_stop(struct workers *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (size_t i = 0; i < w->n; i++)
		pthread_join(w->threads[i], NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w->threads);
	free(w);
}
