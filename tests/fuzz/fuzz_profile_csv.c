/*
 * fuzz_profile_csv — hostile bytes into riskprofile_parse, the parser of the
 * issued risk profile CSV (tetrad-hub profile import). Accepted rows must
 * pass the documented checks; a refusal leaves *out NULL with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/riskprofile.h"
#include "tetrad/school.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct riskprofile_set *s = NULL;
	struct terr e;
	int r;

	terr_clear(&e);
	r = riskprofile_parse((const char *)data, size, &s, &e);
	if (r != 0) {
		if (s != NULL || e.code != r || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (s == NULL || riskprofile_set_n_bad_kept(s) > riskprofile_set_n_bad(s))
		abort();
	for (size_t i = 0; i < riskprofile_set_n_rows(s); i++) {
		const struct riskprofile_row *w = riskprofile_set_row(s, i);

		if (w == NULL || !school_code_ok(w->school) || w->year < 2000 || w->year > 2100 ||
		    w->factor[0] < 'A' || w->factor[0] > 'Z' ||
		    strlen(w->factor) > RISKPROFILE_FACTOR_MAX ||
		    riskprofile_level_index(w->level) < 0 || w->line < 2)
			abort();
		/* sorted by school, year, factor: the store replaces each (school, year) once */
		if (i > 0) {
			const struct riskprofile_row *p = riskprofile_set_row(s, i - 1);
			int c = strcmp(p->school, w->school);

			if (c > 0 || (c == 0 && (p->year > w->year || (p->year == w->year &&
			    strcmp(p->factor, w->factor) > 0))))
				abort();
		}
	}
	for (size_t i = 0; i < riskprofile_set_n_bad_kept(s); i++)
		if (strncmp(riskprofile_set_bad(s, i), "строка ", 13) != 0)
			abort();
	riskprofile_set_free(s);
	return 0;
}
