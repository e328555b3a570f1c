/*
 * connwatch — per-connection deadlines and the watchdog that enforces them
 * (connwatch.h).
 */
#include <pthread.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <sys/socket.h>

#include "hub/connwatch.h"

struct connwatch_conn {
	struct connwatch *w;
	int fd;
	struct connwatch_clock k;
	bool killed;
	struct connwatch_conn *prev, *next;
};

struct connwatch {
	struct connwatch_limits lim;
	pthread_mutex_t mu;       /* guards everything below and every conn's k */
	pthread_cond_t cv;
	struct connwatch_conn *conns;
	bool stop;
	bool closed;              /* a connection went since the last trim */
	pthread_t th;
};

/*
 * Every connection's TLS session and buffers are many small blocks: when a
 * crowd of them closes, the freed pages stay in the allocator's arenas
 * (a burst of 700 connections left the hub at 33 MiB instead of 9). The
 * watchdog hands them back now and then, after connections went.
 */
#define CONNWATCH_TRIM_MS 5000

uint64_t
connwatch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
connwatch_deadline(const struct connwatch_limits *l, const struct connwatch_clock *k)
{
	uint64_t rate = l->min_rate ? l->min_rate : 1;
	uint64_t earned, ceiling;

	/* bytes are at most a body or an answer (a few MiB): no overflow */
	earned = k->bytes * 1000 / rate;
	switch (k->phase) {
	case CONNWATCH_HEADERS:
		return k->phase_start_ms + l->header_ms;
	case CONNWATCH_BODY:
		ceiling = k->request_start_ms + l->request_ms;
		/* time is earned by bytes sent: a trickle runs out of it */
		return k->phase_start_ms + l->header_ms + earned < ceiling ?
		    k->phase_start_ms + l->header_ms + earned : ceiling;
	case CONNWATCH_ANSWER:
		return k->phase_start_ms + l->header_ms + earned;
	}
	return k->phase_start_ms;
}

static void *
connwatch_run(void *arg)
{
	struct connwatch *w = arg;

	uint64_t last_trim = connwatch_now_ms();

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		struct timespec ts;
		uint64_t now = connwatch_now_ms();

		if (w->closed && now - last_trim >= CONNWATCH_TRIM_MS) {
			w->closed = false;
			last_trim = now;
#ifdef __GLIBC__
			pthread_mutex_unlock(&w->mu);
			malloc_trim(0);
			pthread_mutex_lock(&w->mu);
			continue;
#endif
		}

		for (struct connwatch_conn *c = w->conns; c != NULL; c = c->next)
			if (!c->killed && now > connwatch_deadline(&w->lim, &c->k)) {
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
connwatch_start(const struct connwatch_limits *l, struct connwatch **out, struct terr *e)
{
	struct connwatch *w;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	w->lim = *l;
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
	c->w = w;
	c->fd = fd;
	pthread_mutex_lock(&w->mu);
	c->k.phase = CONNWATCH_HEADERS;
	c->k.request_start_ms = c->k.phase_start_ms = connwatch_now_ms();
	c->next = w->conns;
	if (w->conns != NULL)
		w->conns->prev = c;
	w->conns = c;
	pthread_mutex_unlock(&w->mu);
	return c;
}

void
connwatch_remove(struct connwatch_conn *c)
{
	struct connwatch *w;

	if (c == NULL)
		return;
	w = c->w;
	pthread_mutex_lock(&w->mu);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	w->closed = true;
	pthread_mutex_unlock(&w->mu);
	free(c);
}

/* Moves c to phase p from now, with bytes counted from zero. */
static void
connwatch_phase(struct connwatch_conn *c, enum connwatch_phase p, uint64_t bytes)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->w->mu);
	c->k.phase = p;
	c->k.phase_start_ms = connwatch_now_ms();
	if (p == CONNWATCH_HEADERS)
		c->k.request_start_ms = c->k.phase_start_ms;
	c->k.bytes = bytes;
	pthread_mutex_unlock(&c->w->mu);
}

void
connwatch_body(struct connwatch_conn *c)
{
	connwatch_phase(c, CONNWATCH_BODY, 0);
}

void
connwatch_progress(struct connwatch_conn *c, size_t n)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->w->mu);
	c->k.bytes += n;
	pthread_mutex_unlock(&c->w->mu);
}

void
connwatch_answer(struct connwatch_conn *c, size_t out_bytes)
{
	connwatch_phase(c, CONNWATCH_ANSWER, out_bytes);
}

void
connwatch_next(struct connwatch_conn *c)
{
	connwatch_phase(c, CONNWATCH_HEADERS, 0);
}

bool
connwatch_cut(struct connwatch_conn *c, enum connwatch_phase *phase)
{
	bool cut;

	if (c == NULL)
		return false;
	pthread_mutex_lock(&c->w->mu);
	cut = c->killed;
	*phase = c->k.phase;
	pthread_mutex_unlock(&c->w->mu);
	return cut;
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
