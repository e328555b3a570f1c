/*
 * fuzz_pullmsg_open — hostile bytes into pullmsg_open with the pull vectors'
 * keys (tests/vectors/pull_vectors.h), expecting the vector request's nonce
 * and, for every other input, none (a USB file's answer). Mutations of the
 * seed answers explore the header checks; the hub's signature keeps them
 * from going further, which is what fuzz_pullmsg_inner is for. The USB
 * file's framing reader gets the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "pull_vectors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fsrc {
	const uint8_t *p;
	size_t len, off;
};

static int
fsrc_read(void *ctx, uint8_t *buf, size_t len, size_t *got, struct terr *e)
{
	struct fsrc *m = ctx;
	size_t n = m->len - m->off < len ? m->len - m->off : len;

	(void)e;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	*got = n;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pvec v;
	static uint8_t id[KEYS_ID_BYTES], *item;
	static int ready;
	struct pullmsg_batch *b = NULL;
	struct pullmsg_header h;
	struct fsrc m = { data, size, 0 };
	struct usbfile_src src = { fsrc_read, &m };
	struct usbfile_header fh;
	size_t len;
	struct terr e;
	int r;

	if (!ready) {
		if (keys_init(NULL) != 0 || pvec_make(&v, NULL) != 0 ||
		    (item = malloc(PULLMSG_MAX_BYTES)) == NULL)
			abort();
		keys_id(v.k.device.pk, id);
		ready = 1;
	}
	terr_clear(&e);
	(void)pullmsg_parse_header(data, size, &h, NULL);
	r = pullmsg_open(data, size, v.k.hub_sign.pk, &v.box, id, (size & 1) ? NULL : v.rq.nonce,
	    &b, &e);
	if (r != 0) {
		if (b != NULL || e.code != r || e.msg[0] == '\0')
			abort();
	} else {
		if (b == NULL || b->n_records + b->n_profiles + b->n_schools != b->h.count)
			abort();
		pullmsg_batch_free(b);
	}
	if (pullmsg_file_read_header(&src, &fh, &e) == 0) {
		for (uint32_t i = 0; i < fh.count && i < 4; i++) {
			if (pullmsg_file_read_answer(&src, item, &len, &e) != 0)
				return 0;
			if (pullmsg_open(item, len, v.k.hub_sign.pk, &v.box, id, NULL, &b, &e) == 0)
				pullmsg_batch_free(b);
		}
		(void)pullmsg_file_read_end(&src, &e);
	}
	return 0;
}
