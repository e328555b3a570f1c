/*
 * report_tally — counters and latest values keyed by (school, dimension,
 * code), kept sorted by that key, so a report that fills them while walking
 * records then reads them school by school, dimension by dimension.
 */
#ifndef TETRAD_HUB_REPORT_TALLY_H
#define TETRAD_HUB_REPORT_TALLY_H

#include <stddef.h>

#include "report_labels.h"

struct report_tally {
	size_t school;
	int dim;
	char code[REPORT_LABELS_CODE_MAX + 1];
	long long n;
	char val[REPORT_LABELS_CODE_MAX + 1];   /* verification: decision */
	char date[11];
	double sum;
};

/* Zero-initialised; free v when done. */
struct report_tallies {
	struct report_tally *v;
	size_t n, cap;
};

/* The entry for the key, created zeroed if new; NULL on no memory. */
struct report_tally *report_tally_get(struct report_tallies *t, size_t school, int dim,
    const char *code);
/* The entry for the key or NULL; never inserts (safe while iterating). */
struct report_tally *report_tally_find(struct report_tallies *t, size_t school, int dim,
    const char *code);
/* Adds add to the key's counter; TERR_NOMEM. */
int report_tally_add(struct report_tallies *t, size_t school, int dim, const char *code,
    long long add);

#endif
