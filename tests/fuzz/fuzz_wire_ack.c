/*
 * fuzz_wire_ack — hostile bytes into the acknowledgement parser
 * (wire_ack_parse: the payload of the hub's signed ack, read by syncd).
 * Whatever it accepts must be bounded and NUL-terminated, of a known status,
 * and survive a round trip: written again and parsed again it gives the
 * same struct. Whatever it refuses must leave a message and a zero struct.
 */
#include <stdlib.h>
#include <string.h>

#include "tetrad/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire_ack a, b, zero;
	struct tbuf *t = NULL;
	struct terr e;
	int r;

	terr_clear(&e);
	r = wire_ack_parse(data, size, &a, &e);
	if (r != 0) {
		if (e.code != r || e.msg[0] == '\0' || memcmp(&a, &zero, sizeof(a)) != 0)
			abort();
		return 0;
	}
	if (size > WIRE_ACK_MAX || wire_ack_status_name(a.status) == NULL ||
	    memchr(a.device_id, '\0', sizeof(a.device_id)) == NULL ||
	    memchr(a.reason, '\0', sizeof(a.reason)) == NULL ||
	    a.first > WIRE_SEQ_MAX || a.last > WIRE_SEQ_MAX)
		abort();
	if ((t = tbuf_new(8 * WIRE_ACK_MAX)) == NULL)
		return 0;
	if (wire_ack_write(t, &a, &e) != 0 || wire_ack_parse(tbuf_ptr(t), tbuf_len(t), &b, &e) != 0 ||
	    memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	tbuf_free(t);
	return 0;
}
