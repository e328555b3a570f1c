/*
 * fuzz_wire_error — hostile bytes into the parser of the hub's JSON error
 * bodies (wire_error_parse, read by syncd on a refused enrollment). What it
 * accepts must survive a round trip (written again, parsed again: the same
 * struct); what it refuses must leave a message and a zero struct.
 */
#include <stdlib.h>
#include <string.h>

#include "tetrad/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire_error w, v, zero;
	struct tbuf *t;
	struct terr e;
	int r;

	terr_clear(&e);
	r = wire_error_parse(data, size, &w, &e);
	if (r != 0) {
		if (e.code != r || e.msg[0] == '\0' || memcmp(&w, &zero, sizeof(w)) != 0)
			abort();
		return 0;
	}
	if (w.error[0] == '\0' || memchr(w.error, '\0', sizeof(w.error)) == NULL ||
	    memchr(w.message, '\0', sizeof(w.message)) == NULL)
		abort();
	if ((t = tbuf_new(8 * WIRE_ERROR_MAX)) == NULL)
		return 0;
	if (wire_error_write(t, &w, &e) != 0 || wire_error_parse(tbuf_ptr(t), tbuf_len(t), &v, &e) != 0 ||
	    memcmp(&w, &v, sizeof(w)) != 0)
		abort();
	tbuf_free(t);
	return 0;
}
