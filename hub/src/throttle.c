/*
 * throttle — failures per client address in a fixed table (throttle.h).
 *
 * A bucket is kept as the time it will be full again (the "theoretical
 * arrival time" of GCRA): each failure moves it refill_ms later, and an
 * attempt is allowed while it lies less than (burst - 1) refills ahead.
 * A slot whose time has passed is free: nothing to forget explicitly.
 */
#include "hub/throttle.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define THROTTLE_KEY_BYTES 9    /* family, then 4 (IPv4) or 8 (IPv6 /64) bytes */

struct throttle_slot {
	uint8_t key[THROTTLE_KEY_BYTES];
	int64_t full_at;            /* ms; ≤ now: the slot is free */
};

struct throttle {
	struct throttle_cfg cfg;
	pthread_mutex_t mu;
	uint8_t hash_key[crypto_shorthash_KEYBYTES];
	int64_t global_full_at;
	struct throttle_slot *slot;
};

int
throttle_new(const struct throttle_cfg *cfg, struct throttle **out, struct terr *e)
{
	struct throttle *t;

	*out = NULL;
	if (cfg->burst == 0 || cfg->global_burst == 0 || cfg->slots == 0 ||
	    cfg->slots > (1u << 20))
		return terr_set(e, TERR_ARG, "неверные пределы частоты попыток");
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->slot = calloc(cfg->slots, sizeof(*t->slot))) == NULL) {
		free(t);
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	if (pthread_mutex_init(&t->mu, NULL) != 0) {
		free(t->slot);
		free(t);
		return terr_set(e, TERR_NOMEM, "не удалось создать мьютекс");
	}
	t->cfg = *cfg;
	randombytes_buf(t->hash_key, sizeof(t->hash_key));
	*out = t;
	return 0;
}

void
throttle_free(struct throttle *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->mu);
	free(t->slot);
	free(t);
}

/* The table key of sa; 0 when the family is neither IPv4 nor IPv6. */
static int
throttle_key(const struct sockaddr *sa, uint8_t key[THROTTLE_KEY_BYTES])
{
	memset(key, 0, THROTTLE_KEY_BYTES);
	if (sa != NULL && sa->sa_family == AF_INET) {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)sa;

		key[0] = 4;
		memcpy(key + 1, &a4->sin_addr, 4);
		return 1;
	}
	if (sa != NULL && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
			/* a dual-stack socket's IPv4 client is that IPv4 address */
			key[0] = 4;
			memcpy(key + 1, a6->sin6_addr.s6_addr + 12, 4);
		} else {
			key[0] = 6;
			memcpy(key + 1, a6->sin6_addr.s6_addr, 8);
		}
		return 1;
	}
	return 0;
}

/*
 * The slot of key: the one holding it, else (claim) a free one among its
 * THROTTLE_PROBE; NULL when none. Called with the mutex held.
 */
static struct throttle_slot *
throttle_find(struct throttle *t, const uint8_t key[THROTTLE_KEY_BYTES], int64_t now,
    int claim)
{
	uint8_t h[crypto_shorthash_BYTES];
	struct throttle_slot *free_slot = NULL;
	uint64_t start;

	crypto_shorthash(h, key, THROTTLE_KEY_BYTES, t->hash_key);
	memcpy(&start, h, sizeof(start));
	for (size_t i = 0; i < THROTTLE_PROBE && i < t->cfg.slots; i++) {
		struct throttle_slot *s = &t->slot[(start + i) % t->cfg.slots];
		int is_free = s->key[0] == 0 || s->full_at <= now;

		if (!is_free && memcmp(s->key, key, THROTTLE_KEY_BYTES) == 0)
			return s;
		if (is_free && free_slot == NULL)
			free_slot = s;
	}
	if (!claim || free_slot == NULL)
		return NULL;
	memcpy(free_slot->key, key, THROTTLE_KEY_BYTES);
	free_slot->full_at = now;
	return free_slot;
}

/* ms to wait before a bucket that is full at full_at allows one more failure. */
static int64_t
throttle_wait_ms(int64_t full_at, int64_t now, unsigned burst, unsigned refill_ms)
{
	int64_t ahead = full_at - now, allowed = (int64_t)(burst - 1) * refill_ms;

	return ahead > allowed ? ahead - allowed : 0;
}

/* A failure moves a bucket one refill later, never past a whole burst ahead. */
static int64_t
throttle_take(int64_t full_at, int64_t now, unsigned burst, unsigned refill_ms)
{
	int64_t cap = now + (int64_t)burst * refill_ms;

	if (full_at < now)
		full_at = now;
	full_at += refill_ms;
	return full_at > cap ? cap : full_at;
}

unsigned
throttle_check(struct throttle *t, const struct sockaddr *sa, int64_t now_ms)
{
	uint8_t key[THROTTLE_KEY_BYTES];
	struct throttle_slot *s;
	int64_t wait, w;

	pthread_mutex_lock(&t->mu);
	wait = throttle_wait_ms(t->global_full_at, now_ms, t->cfg.global_burst,
	    t->cfg.global_refill_ms);
	if (throttle_key(sa, key) && (s = throttle_find(t, key, now_ms, 0)) != NULL) {
		w = throttle_wait_ms(s->full_at, now_ms, t->cfg.burst, t->cfg.refill_ms);
		if (w > wait)
			wait = w;
	}
	pthread_mutex_unlock(&t->mu);
	return wait > 0 ? (unsigned)((wait + 999) / 1000) : 0;
}

void
throttle_fail(struct throttle *t, const struct sockaddr *sa, int64_t now_ms)
{
	uint8_t key[THROTTLE_KEY_BYTES];
	struct throttle_slot *s;

	pthread_mutex_lock(&t->mu);
	t->global_full_at = throttle_take(t->global_full_at, now_ms, t->cfg.global_burst,
	    t->cfg.global_refill_ms);
	if (throttle_key(sa, key) && (s = throttle_find(t, key, now_ms, 1)) != NULL)
		s->full_at = throttle_take(s->full_at, now_ms, t->cfg.burst, t->cfg.refill_ms);
	pthread_mutex_unlock(&t->mu);
}

void
throttle_addr_text(const struct sockaddr *sa, char *out, size_t cap)
{
	const void *a = NULL;

	if (sa != NULL && sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa != NULL && sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (a == NULL || inet_ntop(sa->sa_family, a, out, (socklen_t)cap) == NULL)
		snprintf(out, cap, "?");
}
