/*
 * fuzz_results_csv — hostile bytes into results_parse, the parser of the
 * regional results CSV (tetrad-hub results import). Whatever it accepts
 * must hold only rows that pass the documented checks; whatever it refuses
 * must leave *out NULL with a message.
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
	}
	for (size_t i = 0; i < results_set_n_bad_kept(s); i++)
		if (strncmp(results_set_bad(s, i), "строка ", 13) != 0)
			abort();
	results_set_free(s);
	return 0;
}
