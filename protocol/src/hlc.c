/*
 * hlc — hybrid logical clock (Kulkarni et al.), persisted by the caller.
 *
 * School PCs often have clocks days off: never trust wall time alone. The
 * clock only moves forward; a backwards wall jump is absorbed by the counter.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tetrad/hlc.h"

struct hlc {
	struct hlc_ts last;
};

struct hlc *
hlc_new(uint64_t node, const struct hlc_ts *last)
{
	struct hlc *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if (last != NULL)
		c->last = *last;
	c->last.node = node;
	return c;
}

void
hlc_free(struct hlc *c)
{
	free(c);
}

uint64_t
hlc_wall_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Moves the clock to (wall, counter), carrying counter overflow into wall. */
static int
hlc_advance(struct hlc *c, uint64_t wall, uint64_t counter, struct hlc_ts *out)
{
	if (counter > HLC_COUNTER_MAX) {
		wall++;
		counter = 0;
	}
	if (wall > HLC_WALL_MAX)
		return TERR_CLOCK;
	c->last.wall_ms = wall;
	c->last.counter = (uint32_t)counter;
	if (out != NULL)
		*out = c->last;
	return 0;
}

int
hlc_now(struct hlc *c, uint64_t wall_ms, struct hlc_ts *out)
{
	if (wall_ms > c->last.wall_ms)
		return hlc_advance(c, wall_ms, 0, out);
	return hlc_advance(c, c->last.wall_ms, (uint64_t)c->last.counter + 1, out);
}

int
hlc_update(struct hlc *c, const struct hlc_ts *received, uint64_t wall_ms,
    uint64_t max_ahead_ms, struct hlc_ts *out, struct terr *e)
{
	uint64_t wall, counter;

	if (received->wall_ms > HLC_WALL_MAX || received->counter > HLC_COUNTER_MAX)
		return terr_set(e, TERR_CLOCK, "недопустимая метка времени");
	if (received->wall_ms > wall_ms && received->wall_ms - wall_ms > max_ahead_ms) {
		uint64_t ahead = received->wall_ms - wall_ms;

		if (ahead >= 86400000u)
			return terr_set(e, TERR_CLOCK,
			    "метка времени на %" PRIu64 " дн. впереди часов: проверьте дату и время на устройстве",
			    ahead / 86400000u);
		return terr_set(e, TERR_CLOCK,
		    "метка времени на %" PRIu64 " мин. впереди часов: проверьте дату и время на устройстве",
		    ahead / 60000u);
	}
	wall = c->last.wall_ms;
	if (received->wall_ms > wall)
		wall = received->wall_ms;
	if (wall_ms > wall)
		wall = wall_ms;
	if (wall == c->last.wall_ms && wall == received->wall_ms)
		counter = (c->last.counter > received->counter ? c->last.counter : received->counter) + 1u;
	else if (wall == c->last.wall_ms)
		counter = (uint64_t)c->last.counter + 1;
	else if (wall == received->wall_ms)
		counter = (uint64_t)received->counter + 1;
	else
		counter = 0;
	return hlc_advance(c, wall, counter, out);
}

void
hlc_last(const struct hlc *c, struct hlc_ts *out)
{
	*out = c->last;
}

int
hlc_compare(const struct hlc_ts *a, const struct hlc_ts *b)
{
	if (a->wall_ms != b->wall_ms)
		return a->wall_ms < b->wall_ms ? -1 : 1;
	if (a->counter != b->counter)
		return a->counter < b->counter ? -1 : 1;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return 0;
}

static void
hlc_put_hex(char *out, uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";

	for (int i = digits - 1; i >= 0; i--, v >>= 4)
		out[i] = hex[v & 0xf];
}

/* By hand rather than snprintf: the hub writes one per record it reads and stores. */
void
hlc_encode(const struct hlc_ts *t, char out[HLC_STRLEN + 1])
{
	hlc_put_hex(out, t->wall_ms & HLC_WALL_MAX, 12);
	out[12] = '-';
	hlc_put_hex(out + 13, t->counter & HLC_COUNTER_MAX, 4);
	out[17] = '-';
	hlc_put_hex(out + 18, t->node, 16);
	out[HLC_STRLEN] = '\0';
}

/* Lowercase only, by hand like hlc_encode: the canonical reader decodes a clock per operation. */
static int
hlc_hex(const char *s, size_t n, uint64_t *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int d;

		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			d = ch - 'a' + 10;
		else
			return -1;
		*v = *v << 4 | (uint64_t)d;
	}
	return 0;
}

int
hlc_decode(const char *s, struct hlc_ts *out)
{
	uint64_t wall, counter, node;

	if (s == NULL || strlen(s) != HLC_STRLEN || s[12] != '-' || s[17] != '-')
		return TERR_CLOCK;
	if (hlc_hex(s, 12, &wall) != 0 || hlc_hex(s + 13, 4, &counter) != 0 ||
	    hlc_hex(s + 18, 16, &node) != 0)
		return TERR_CLOCK;
	out->wall_ms = wall;
	out->counter = (uint32_t)counter;
	out->node = node;
	return 0;
}
