/*
 * admit — budgets for bodies of not yet authenticated senders (admit.h).
 *
 * The reservations are one list under one mutex: there are at most as many
 * as requests in flight (the connection limit), and a request looks at the
 * list once when its body is admitted and once when it ends, so a scan is
 * cheaper than keeping indexes right.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/admit.h"

struct admit_ticket {
	char addr[ADMIT_ADDR_MAX];
	char device[KEYS_ID_HEXLEN + 1];     /* "" for none */
	size_t bytes;
	struct admit_ticket *prev, *next;
};

struct admit {
	size_t total, per_addr;
	pthread_mutex_t mu;          /* guards everything below */
	size_t used;
	struct admit_ticket *list;
};

int
admit_new(size_t total, size_t per_addr, struct admit **out, struct terr *e)
{
	struct admit *a;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	a->total = total;
	a->per_addr = per_addr < total ? per_addr : total;
	pthread_mutex_init(&a->mu, NULL);
	*out = a;
	return 0;
}

/* Bytes reserved by addr; a->mu held. */
static size_t
admit_addr_used(const struct admit *a, const char *addr)
{
	size_t n = 0;

	for (const struct admit_ticket *t = a->list; t != NULL; t = t->next)
		if (strcmp(t->addr, addr) == 0)
			n += t->bytes;
	return n;
}

enum admit_verdict
admit_take(struct admit *a, const char *addr, const char *device, size_t bytes,
    struct admit_ticket **out)
{
	struct admit_ticket *t;
	enum admit_verdict v = ADMIT_OK;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return ADMIT_TOTAL_FULL;
	snprintf(t->addr, sizeof(t->addr), "%s", addr);
	if (device != NULL)
		snprintf(t->device, sizeof(t->device), "%s", device);
	t->bytes = bytes;
	pthread_mutex_lock(&a->mu);
	if (t->device[0] != '\0')
		for (const struct admit_ticket *o = a->list; o != NULL; o = o->next)
			if (strcmp(o->device, t->device) == 0) {
				v = ADMIT_DEVICE_BUSY;
				break;
			}
	if (v == ADMIT_OK && bytes > a->total - a->used)
		v = ADMIT_TOTAL_FULL;
	if (v == ADMIT_OK) {
		size_t mine = admit_addr_used(a, t->addr);

		if (mine > a->per_addr || bytes > a->per_addr - mine)
			v = ADMIT_ADDR_FULL;
	}
	if (v == ADMIT_OK) {
		a->used += bytes;
		t->next = a->list;
		if (a->list != NULL)
			a->list->prev = t;
		a->list = t;
	}
	pthread_mutex_unlock(&a->mu);
	if (v != ADMIT_OK)
		free(t);
	else
		*out = t;
	return v;
}

void
admit_release(struct admit *a, struct admit_ticket *t)
{
	if (t == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		a->list = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	a->used -= t->bytes;
	pthread_mutex_unlock(&a->mu);
	free(t);
}

size_t
admit_reserved(struct admit *a, const char *addr)
{
	size_t n;

	pthread_mutex_lock(&a->mu);
	n = addr != NULL ? admit_addr_used(a, addr) : a->used;
	pthread_mutex_unlock(&a->mu);
	return n;
}

const char *
admit_verdict_str(enum admit_verdict v)
{
	switch (v) {
	case ADMIT_OK:
		return "admitted";
	case ADMIT_DEVICE_BUSY:
		return "device_busy";
	case ADMIT_ADDR_FULL:
		return "address_budget";
	case ADMIT_TOTAL_FULL:
		return "global_budget";
	}
	return "?";
}

void
admit_free(struct admit *a)
{
	struct admit_ticket *t, *next;

	if (a == NULL)
		return;
	for (t = a->list; t != NULL; t = next) {
		next = t->next;
		free(t);
	}
	pthread_mutex_destroy(&a->mu);
	free(a);
}
