/*
 * fuzz_results_csv — hostile bytes into results_parse, the parser of the
 * regional results CSV (tetrad-hub results import), in both shapes: the
 * percent column and the participant counts (participants, below; the
 * corpus holds files of each and of both). Whatever it accepts must hold
 * only rows that pass the documented checks — a row with counts is a
 * subject's, 1 ≤ participants ≤ RESULTS_PARTICIPANTS_MAX, below ≤
 * participants, its value exactly their percent; whatever it refuses must
 * leave *out NULL with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct results_set *s = NULL;
	struct terr e;
	int r;

	terr_clear(&e);
	r = results_parse((const char *)data, size, &s, &e);
	if (r != 0) {
		if (s != NULL || e.code != r || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (s == NULL || results_set_n_rows(s) > RESULTS_MAX_ROWS ||
	    results_set_n_bad_kept(s) > results_set_n_bad(s) ||
	    results_set_n_bad_kept(s) > RESULTS_BAD_KEEP)
		abort();
	for (size_t i = 0; i < results_set_n_rows(s); i++) {
		const struct results_row *w = results_set_row(s, i);
		double lo, hi;

		if (w == NULL || w->school[0] == '\0' ||
		    strlen(w->school) > RESULTS_SCHOOL_MAX ||
		    w->year < RESULTS_YEAR_MIN || w->year > RESULTS_YEAR_MAX ||
		    !results_indicator_known(w->indicator, &lo, &hi) ||
		    !(w->value >= lo && w->value <= hi) || w->line < 2)
			abort();
		if (w->counts && (!results_indicator_counts(w->indicator) ||
		    w->participants < 1 || w->participants > RESULTS_PARTICIPANTS_MAX ||
		    w->below < 0 || w->below > w->participants ||
		    w->value != 100.0 * (double)w->below / (double)w->participants))
			abort();
	}
	for (size_t i = 0; i < results_set_n_bad_kept(s); i++)
		if (strncmp(results_set_bad(s, i), "строка ", 13) != 0)
			abort();
	results_set_free(s);
	return 0;
}
