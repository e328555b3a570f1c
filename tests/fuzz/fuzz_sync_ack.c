/*
 * fuzz_sync_ack — syncd's reading of a hub acknowledgement. The input is
 * the payload; it is signed here with a fixed hub key so the fuzzer reaches
 * the JSON handling behind the signature check (push_parse_ack), which must
 * never crash, leak or accept an ack for another device.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "syncd/push.h"
#include "tetrad/sigblob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t seed[32] = { 0x40, 0x41, 0x42, 0x43 };
	struct keys_sign hub;
	struct push_ctx c;
	struct push_ack a;
	struct tbuf *b;

	if (size > 64 * 1024 || keys_init(NULL) != 0)
		return 0;
	keys_sign_from_seed(&hub, seed);
	memset(&c, 0, sizeof(c));
	memcpy(c.hub_sign_pk, hub.pk, sizeof(c.hub_sign_pk));
	strcpy(c.device_hex, "9d24e2eeaf27c2a0");
	if ((b = tbuf_new(SIGBLOB_HEADER_BYTES + size + 64)) != NULL &&
	    sigblob_sign(SIGBLOB_ACK, data, size, &hub, b, NULL) == 0) {
		if (push_parse_ack(&c, tbuf_ptr(b), tbuf_len(b), &a, NULL) == 0) {
			/* Accepted only as this device's, with a known status. */
			if (a.status < PUSH_ST_APPLIED || a.status > PUSH_ST_BUSY ||
			    a.reason[sizeof(a.reason) - 1] != '\0')
				__builtin_trap();
		}
	}
	tbuf_free(b);
	keys_sign_wipe(&hub);
	return 0;
}
