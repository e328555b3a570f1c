/*
 * fuzz_programmes_csv — hostile bytes into programmes_parse, the parser of
 * the schools' programmes CSV (tetrad-hub programmes import). Whatever it
 * accepts must hold only rows that pass the documented checks; whatever it
 * refuses must leave *out NULL with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/programmes.h"
#include "tetrad/school.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct programmes_set *s = NULL;
	struct terr e;
	int r;

	terr_clear(&e);
	r = programmes_parse((const char *)data, size, &s, &e);
	if (r != 0) {
		if (s != NULL || e.code != r || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (s == NULL || programmes_set_n_rows(s) > PROGRAMMES_MAX_ROWS ||
	    programmes_set_n_bad_kept(s) > programmes_set_n_bad(s))
		abort();
	for (size_t i = 0; i < programmes_set_n_rows(s); i++) {
		const struct programmes_row *w = programmes_set_row(s, i);

		if (w == NULL || !school_code_ok(w->school) || w->year < 2000 || w->year > 2100 ||
		    programmes_index(w->programme) < 0 || w->line < 2)
			abort();
	}
	for (size_t i = 0; i < programmes_set_n_bad_kept(s); i++)
		if (strncmp(programmes_set_bad(s, i), "строка ", 13) != 0)
			abort();
	programmes_set_free(s);
	return 0;
}
