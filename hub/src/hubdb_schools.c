/*
 * hubdb_schools — the school codes a handle knows are stored
 * (hubdb_schools.h): a sorted array of the committed ones, searched by
 * bisection, and the few of the open transaction beside it.
 */
#include <stdlib.h>
#include <string.h>

#include "hubdb_schools.h"

/* A region has about 2,000 schools; past this the handle stops learning. */
#define HUBDB_SCHOOLS_MAX 65536

struct hubdb_schools {
	char **known;                 /* committed, sorted */
	size_t nknown, capknown;
	char **fresh;                 /* this transaction's, in arrival order */
	size_t nfresh, capfresh;
};

static int
schools_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool
hubdb_schools_known(const struct hubdb_schools *s, const char *code)
{
	if (s == NULL)
		return false;
	if (s->nknown > 0 && bsearch(&code, s->known, s->nknown, sizeof(char *), schools_cmp))
		return true;
	for (size_t i = 0; i < s->nfresh; i++)
		if (strcmp(s->fresh[i], code) == 0)
			return true;
	return false;
}

void
hubdb_schools_seen(struct hubdb_schools **sp, const char *code)
{
	struct hubdb_schools *s = *sp;
	char *dup;

	if (s == NULL && (s = *sp = calloc(1, sizeof(*s))) == NULL)
		return;
	if (hubdb_schools_known(s, code) || s->nknown + s->nfresh >= HUBDB_SCHOOLS_MAX)
		return;
	if (s->nfresh == s->capfresh) {
		size_t cap = s->capfresh ? 2 * s->capfresh : 16;
		char **p = realloc(s->fresh, cap * sizeof(*p));

		if (p == NULL)
			return;
		s->fresh = p;
		s->capfresh = cap;
	}
	if ((dup = strdup(code)) == NULL)
		return;
	s->fresh[s->nfresh++] = dup;
}

void
hubdb_schools_commit(struct hubdb_schools *s)
{
	if (s == NULL || s->nfresh == 0)
		return;
	if (s->nknown + s->nfresh > s->capknown) {
		size_t cap = s->capknown ? s->capknown : 64;
		char **p;

		while (cap < s->nknown + s->nfresh)
			cap *= 2;
		if ((p = realloc(s->known, cap * sizeof(*p))) == NULL) {
			hubdb_schools_undo(s);    /* forgotten: asked again */
			return;
		}
		s->known = p;
		s->capknown = cap;
	}
	memcpy(s->known + s->nknown, s->fresh, s->nfresh * sizeof(char *));
	s->nknown += s->nfresh;
	s->nfresh = 0;
	qsort(s->known, s->nknown, sizeof(char *), schools_cmp);
}

void
hubdb_schools_undo(struct hubdb_schools *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nfresh; i++)
		free(s->fresh[i]);
	s->nfresh = 0;
}

void
hubdb_schools_free(struct hubdb_schools *s)
{
	if (s == NULL)
		return;
	hubdb_schools_undo(s);
	for (size_t i = 0; i < s->nknown; i++)
		free(s->known[i]);
	free(s->known);
	free(s->fresh);
	free(s);
}
