/*
 * fuzz_envelope_header — hostile bytes into envelope_parse_header_only, the
 * hub's check of a body's first ENVELOPE_HEADER_BYTES before it reserves
 * memory for the rest. It must never accept what envelope_parse_header
 * refuses on the same bytes, and must agree on the fields and the length.
 */
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct envelope_header full, only;
	struct terr e1, e2;
	size_t total = 0;
	int r1, r2;

	if (size < ENVELOPE_HEADER_BYTES)
		return 0;
	r2 = envelope_parse_header_only(data, &only, &total, &e2);
	if (r2 != 0) {
		if (total != 0 || e2.code != r2 || e2.msg[0] == '\0')
			abort();
		/* refused by its header: the whole parse refuses it too */
		if (envelope_parse_header(data, size, &full, &e1) == 0)
			abort();
		return 0;
	}
	if (total < ENVELOPE_HEADER_BYTES + ENVELOPE_SIG_BYTES || total > ENVELOPE_MAX_BYTES)
		abort();
	r1 = envelope_parse_header(data, size, &full, &e1);
	if (size == total ? r1 != 0 || memcmp(&full, &only, sizeof(full)) != 0 : r1 == 0)
		abort();
	return 0;
}
