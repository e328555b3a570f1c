/*
 * connwatch — per-connection deadlines and the watchdog that enforces them
 * (connwatch.h).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <sys/socket.h>

#include "connwatch.h"

struct connwatch_conn {
	int fd;
	uint64_t deadline_ms;
	bool killed;
	struct connwatch_conn *prev, *next;
};

struct connwatch {
	unsigned timeout_s;
	pthread_mutex_t mu;       /* guards everything below */
	pthread_cond_t cv;
	struct connwatch_conn *conns;
	bool stop;
	pthread_t th;
};

uint64_t
connwatch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void *
connwatch_run(void *arg)
{
	struct connwatch *w = arg;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		struct timespec ts;
		uint64_t now = connwatch_now_ms();

		for (struct connwatch_conn *c = w->conns; c != NULL; c = c->next)
			if (!c->killed && now > c->deadline_ms) {
				c->killed = true;
				shutdown(c->fd, SHUT_RDWR);
			}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += CONNWATCH_TICK_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&w->cv, &w->mu, &ts);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int
connwatch_start(unsigned timeout_s, struct connwatch **out, struct terr *e)
{
	struct connwatch *w;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	w->timeout_s = timeout_s;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->th, NULL, connwatch_run, w) != 0) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		free(w);
		return terr_set(e, TERR_INTERNAL, "не удалось запустить поток контроля соединений");
	}
	*out = w;
	return 0;
}

struct connwatch_conn *
connwatch_add(struct connwatch *w, int fd)
{
	struct connwatch_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->fd = fd;
	pthread_mutex_lock(&w->mu);
	c->deadline_ms = connwatch_now_ms() + (uint64_t)w->timeout_s * 1000;
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	pthread_mutex_unlock(&w->mu);
	return c;
}

void
connwatch_remove(struct connwatch *w, struct connwatch_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&w->mu);
	free(c);
}

void
connwatch_extend(struct connwatch *w, struct connwatch_conn *c, uint64_t extra_ms)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	c->deadline_ms = connwatch_now_ms() + (uint64_t)w->timeout_s * 1000 + extra_ms;
	pthread_mutex_unlock(&w->mu);
}

void
connwatch_stop(struct connwatch *w)
{
	struct connwatch_conn *c, *next;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	for (c = w->conns; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}
