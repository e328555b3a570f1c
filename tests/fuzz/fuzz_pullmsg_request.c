/*
 * fuzz_pullmsg_request — hostile bytes into the hub's reading of a pull
 * request or ack: parse, then the signature with the vectors' device key.
 * A request that parses must name what it carries exactly as the bytes say.
 */
#include <stdlib.h>
#include <string.h>

#include "pull_vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vec_keys k;
	static int ready;
	struct pullmsg_request rq;
	struct terr e;
	int r;

	if (!ready) {
		if (keys_init(NULL) != 0 || vec_keys(&k) != 0)
			abort();
		ready = 1;
	}
	terr_clear(&e);
	r = pullmsg_request_parse(data, size, &rq, &e);
	if (r != 0) {
		if (e.code != r || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (size != PULLMSG_REQ_BYTES || (rq.kind != PULLMSG_REQUEST && rq.kind != PULLMSG_ACK) ||
	    rq.max_items > PULLMSG_MAX_ITEMS || strlen(rq.hlc) != HLC_STRLEN)
		abort();
	r = pullmsg_request_verify(data, size, k.device.pk, &e);
	if (r != 0 && (e.code != r || e.msg[0] == '\0'))
		abort();
	return 0;
}
