/*
 * report_tally — counters of the reports (see report_tally.h). Kept sorted
 * on every insert they cost a memmove of the entries after the new key:
 * quadratic in the keys, which at 2,000 schools × a dozen codes each went
 * into seconds. Appended and hashed, each key costs O(1), and one sort at
 * the end orders them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_tally.h"
#include "tetrad/terr.h"

static int
report_tally_cmp(size_t school, int dim, const char *code, const struct report_tally *t)
{
	if (school != t->school)
		return school < t->school ? -1 : 1;
	if (dim != t->dim)
		return dim < t->dim ? -1 : 1;
	return strcmp(code, t->code);
}

/* FNV-1a over the key. */
static uint32_t
report_tally_hash(size_t school, int dim, const char *code)
{
	uint64_t h = 14695981039346656037u;

	h = (h ^ (uint64_t)school) * 1099511628211u;
	h = (h ^ (uint64_t)(unsigned)dim) * 1099511628211u;
	for (const unsigned char *p = (const unsigned char *)code; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return (uint32_t)(h ^ (h >> 29) ^ (h >> 32));
}

/* The slot holding the key (hash h), or the empty slot where it would go. */
static struct report_tally_slot *
report_tally_slot(const struct report_tallies *t, uint32_t h, size_t school, int dim,
    const char *code)
{
	size_t mask = t->nslot - 1, i = h & mask;

	for (;; i = (i + 1) & mask) {
		struct report_tally_slot *s = &t->slot[i];

		if (s->idx == 0 || (s->hash == h &&
		    report_tally_cmp(school, dim, code, &t->v[s->idx - 1]) == 0))
			return s;
	}
}

/* Rebuilds the hash with room for twice the entries (load at most 1/2). */
static int
report_tally_rehash(struct report_tallies *t, size_t want)
{
	size_t nslot = 64;
	struct report_tally_slot *slot;

	while (nslot < want * 2)
		nslot *= 2;
	if ((slot = calloc(nslot, sizeof(*slot))) == NULL)
		return TERR_NOMEM;
	free(t->slot);
	t->slot = slot;
	t->nslot = nslot;
	for (size_t i = 0; i < t->n; i++) {
		const struct report_tally *x = &t->v[i];
		uint32_t h = report_tally_hash(x->school, x->dim, x->code);
		struct report_tally_slot *s = report_tally_slot(t, h, x->school, x->dim, x->code);

		s->idx = (uint32_t)(i + 1);
		s->hash = h;
	}
	return 0;
}

struct report_tally *
report_tally_get(struct report_tallies *t, size_t school, int dim, const char *code)
{
	uint32_t h = report_tally_hash(school, dim, code);
	struct report_tally_slot *s;
	struct report_tally *x;

	if (t->nslot > 0 && (s = report_tally_slot(t, h, school, dim, code))->idx != 0)
		return &t->v[s->idx - 1];
	/* entries are counted in 32 bits in the slots */
	if (t->n >= UINT32_MAX - 1)
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct report_tally *n = realloc(t->v, cap * sizeof(*n));

		if (n == NULL)
			return NULL;
		t->v = n;
		t->cap = cap;
	}
	if ((t->n + 1) * 2 > t->nslot && report_tally_rehash(t, t->n + 1) != 0)
		return NULL;
	x = &t->v[t->n];
	memset(x, 0, sizeof(*x));
	x->school = school;
	x->dim = dim;
	snprintf(x->code, sizeof(x->code), "%s", code);
	/* the code as stored (cut to its size) is the key: hash that */
	h = report_tally_hash(school, dim, x->code);
	s = report_tally_slot(t, h, school, dim, x->code);
	s->idx = (uint32_t)++t->n;
	s->hash = h;
	return x;
}

void
report_tally_prefetch(const struct report_tallies *t, size_t school, int dim,
    const char *code)
{
	if (t->nslot > 0)
		__builtin_prefetch(&t->slot[report_tally_hash(school, dim, code) & (t->nslot - 1)]);
}

struct report_tally *
report_tally_find(struct report_tallies *t, size_t school, int dim, const char *code)
{
	struct report_tally_slot *s;

	if (t->nslot == 0)
		return NULL;
	s = report_tally_slot(t, report_tally_hash(school, dim, code), school, dim, code);
	return s->idx ? &t->v[s->idx - 1] : NULL;
}

int
report_tally_add(struct report_tallies *t, size_t school, int dim, const char *code,
    long long add)
{
	struct report_tally *x = report_tally_get(t, school, dim, code);

	if (x == NULL)
		return TERR_NOMEM;
	x->n += add;
	return 0;
}

static int
report_tally_order(const void *a, const void *b)
{
	const struct report_tally *y = b;
	const struct report_tally *x = a;

	return report_tally_cmp(x->school, x->dim, x->code, y);
}

int
report_tally_sort(struct report_tallies *t)
{
	if (t->n == 0)
		return 0;
	qsort(t->v, t->n, sizeof(*t->v), report_tally_order);
	return report_tally_rehash(t, t->n);
}

size_t
report_tally_end(const struct report_tallies *t, size_t school, int dim)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct report_tally *x = &t->v[mid];

		if (x->school < school || (x->school == school && x->dim <= dim))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
report_tally_reset(struct report_tallies *t)
{
	t->n = 0;
	if (t->nslot > 0)
		memset(t->slot, 0, t->nslot * sizeof(*t->slot));
}

void
report_tally_free(struct report_tallies *t)
{
	free(t->v);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}
