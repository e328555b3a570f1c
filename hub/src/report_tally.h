/*
 * report_tally — counters and latest values keyed by (school, dimension,
 * code). A report fills them while walking records (in HLC order, so keys
 * arrive in no useful order: they are appended and found through a hash),
 * then sorts them once and reads them school by school, dimension by
 * dimension.
 */
#ifndef TETRAD_HUB_REPORT_TALLY_H
#define TETRAD_HUB_REPORT_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "report_labels.h"

/* A key's code: one code, or up to three joined (the surveys' group, question, answer). */
#define REPORT_TALLY_CODE_MAX (3 * REPORT_LABELS_CODE_MAX + 2)

struct report_tally {
	size_t school;
	int dim;
	char code[REPORT_TALLY_CODE_MAX + 1];
	long long n;
	char val[REPORT_LABELS_CODE_MAX + 1];   /* verification: decision */
	char date[11];
	double sum;
};

/*
 * A key's slot in the hash: its entry's index in v + 1 (0: empty) and its
 * hash, compared before the entry is read. At region scale the entries
 * (tens of MiB) lie beyond the CPU caches, the slots much less so.
 */
struct report_tally_slot {
	uint32_t idx, hash;
};

/* Zero-initialised; free with report_tally_free. */
struct report_tallies {
	struct report_tally *v;          /* sorted by key after report_tally_sort */
	size_t n, cap;
	struct report_tally_slot *slot;  /* hash of keys */
	size_t nslot;
};

/* The entry for the key, created zeroed if new; NULL on no memory. */
struct report_tally *report_tally_get(struct report_tallies *t, size_t school, int dim,
    const char *code);
/* The entry for the key or NULL; never inserts (safe while iterating). */
struct report_tally *report_tally_find(struct report_tallies *t, size_t school, int dim,
    const char *code);
/*
 * Starts loading the key's slot into the CPU cache; changes nothing. A
 * report about to look up several keys of one record (a visit's eleven
 * factors) announces them all first, so that their cache misses overlap
 * instead of coming one after another: at region scale the slots (MiBs)
 * lie beyond the caches and the misses grew the verification report's
 * time faster than the data.
 */
void report_tally_prefetch(const struct report_tallies *t, size_t school, int dim,
    const char *code);
/* Adds add to the key's counter; TERR_NOMEM. */
int report_tally_add(struct report_tallies *t, size_t school, int dim, const char *code,
    long long add);
/*
 * Sorts the entries by school, dimension, code (pointers from get or find
 * before it no longer hold); TERR_NOMEM. get and find keep working after.
 */
int report_tally_sort(struct report_tallies *t);
/* After report_tally_sort: the index after the last entry of (school, dim), or
 * where it would be. */
size_t report_tally_end(const struct report_tallies *t, size_t school, int dim);
/* Empties t, keeping its memory for the next keys. */
void report_tally_reset(struct report_tallies *t);
void report_tally_free(struct report_tallies *t);

#endif
