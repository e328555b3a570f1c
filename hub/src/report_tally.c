/*
 * report_tally — sorted counters of the reports (see report_tally.h).
 */
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

struct report_tally *
report_tally_get(struct report_tallies *t, size_t school, int dim, const char *code)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = report_tally_cmp(school, dim, code, &t->v[mid]);

		if (c == 0)
			return &t->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct report_tally *n = realloc(t->v, cap * sizeof(*n));

		if (n == NULL)
			return NULL;
		t->v = n;
		t->cap = cap;
	}
	memmove(&t->v[lo + 1], &t->v[lo], (t->n - lo) * sizeof(*t->v));
	memset(&t->v[lo], 0, sizeof(*t->v));
	t->v[lo].school = school;
	t->v[lo].dim = dim;
	snprintf(t->v[lo].code, sizeof(t->v[lo].code), "%s", code);
	t->n++;
	return &t->v[lo];
}

struct report_tally *
report_tally_find(struct report_tallies *t, size_t school, int dim, const char *code)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = report_tally_cmp(school, dim, code, &t->v[mid]);

		if (c == 0)
			return &t->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
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

