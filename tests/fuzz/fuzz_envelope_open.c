/*
 * fuzz_envelope_open — hostile bytes into envelope_open with the fixed
 * test-vector keys (the hub and device of tests/vectors). Mutations of the
 * seed envelopes explore the header checks; the signature keeps them from
 * going further, which is what fuzz_envelope_inner is for.
 */
#include <stdlib.h>
#include <string.h>

#include "vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vec_keys k;
	static int ready;
	struct changeset *cs = NULL;
	struct envelope_header h;
	uint8_t hash[CHANGESET_HASH_BYTES];
	struct terr e;
	int r;

	if (!ready) {
		if (keys_init(NULL) != 0 || vec_keys(&k) != 0)
			abort();
		ready = 1;
	}
	terr_clear(&e);
	(void)envelope_parse_header(data, size, &h, NULL);
	r = envelope_open(data, size, k.device.pk, &k.hub_enc, &cs, hash, &e);
	if (r != 0) {
		if (cs != NULL || e.code != r || e.msg[0] == '\0')
			abort();
		return 0;
	}
	if (cs == NULL || cs->n_ops == 0)
		abort();
	changeset_free(cs);
	return 0;
}
