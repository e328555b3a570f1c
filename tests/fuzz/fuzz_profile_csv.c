/*
 * fuzz_profile_csv — hostile bytes into profile_parse, the parser of the
 * issued risk profile CSV (tetrad-hub profile import). Accepted rows must
 * pass the documented checks; a refusal leaves *out NULL with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/profile.h"
#include "tetrad/school.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile_set *s = NULL;
	struct terr e;
	int r;

	terr_clear(&e);
	r = profile_parse((const char *)data, size, &s, &e);
	if (r != 0) {
		if (s != NULL || e.code != r || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (s == NULL || profile_set_n_bad_kept(s) > profile_set_n_bad(s))
		abort();
	for (size_t i = 0; i < profile_set_n_rows(s); i++) {
		const struct profile_row *w = profile_set_row(s, i);

		if (w == NULL || !school_code_ok(w->school) || w->year < 2000 || w->year > 2100 ||
		    w->factor[0] < 'A' || w->factor[0] > 'Z' ||
		    strlen(w->factor) > PROFILE_FACTOR_MAX ||
		    profile_level_index(w->level) < 0 || w->line < 2)
			abort();
		/* sorted by school, year, factor: the store replaces each (school, year) once */
		if (i > 0) {
			const struct profile_row *p = profile_set_row(s, i - 1);
			int c = strcmp(p->school, w->school);

			if (c > 0 || (c == 0 && (p->year > w->year || (p->year == w->year &&
			    strcmp(p->factor, w->factor) > 0))))
				abort();
		}
	}
	for (size_t i = 0; i < profile_set_n_bad_kept(s); i++)
		if (strncmp(profile_set_bad(s, i), "строка ", 13) != 0)
			abort();
	profile_set_free(s);
	return 0;
}
