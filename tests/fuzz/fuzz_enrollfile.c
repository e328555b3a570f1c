/*
 * fuzz_enrollfile — hostile bytes as an enrollment file (a file a person
 * uploads in `tetrad ui` or passes to `tetrad enroll --file`). What the
 * parser accepts must be bounded NUL-terminated text in every member,
 * a valid pin and https address, and survive a round trip (written again,
 * parsed again: the same struct); what it refuses must leave a message and
 * a zero struct.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/enrollfile.h"
#include "tetrad/school.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_terminated(const char *s, size_t cap)
{
	if (memchr(s, '\0', cap) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct enrollfile ef, back, zero;
	struct terr e;
	char *text = NULL;
	int r;

	terr_clear(&e);
	r = enrollfile_parse((const char *)data, size, &ef, &e);
	if (r != 0) {
		if ((r != TERR_PARSE && r != TERR_TOO_LARGE && r != TERR_NOMEM) || e.code != r ||
		    e.msg[0] == '\0' || memcmp(&ef, &zero, sizeof(ef)) != 0)
			abort();
		return 0;
	}
	if (size > ENROLLFILE_MAX || ef.n_schools > ENROLLFILE_SCHOOLS_MAX)
		abort();
	fuzz_terminated(ef.hub, sizeof(ef.hub));
	fuzz_terminated(ef.token, sizeof(ef.token));
	fuzz_terminated(ef.pin, sizeof(ef.pin));
	fuzz_terminated(ef.school, sizeof(ef.school));
	fuzz_terminated(ef.curator, sizeof(ef.curator));
	fuzz_terminated(ef.expires, sizeof(ef.expires));
	if (strncmp(ef.hub, "https://", 8) != 0 || strncmp(ef.pin, "sha256//", 8) != 0 ||
	    ef.token[0] == '\0' || (ef.school[0] && !school_code_ok(ef.school)))
		abort();
	for (size_t i = 0; i < ef.n_schools; i++)
		if (!school_code_ok(ef.schools[i]))
			abort();
	if (enrollfile_format(&ef, &text, &e) != 0) {
		/* only a file grown past the cap by indentation may not be written */
		if (e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (enrollfile_parse(text, strlen(text), &back, &e) != 0 ||
	    memcmp(&ef, &back, sizeof(ef)) != 0)
		abort();
	free(text);
	return 0;
}
