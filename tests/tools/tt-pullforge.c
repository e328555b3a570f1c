/*
 * tt-pullforge — test tool: pull answers the hub would never send, signed
 * with the hub's real signing key, for test_pull_hostile.sh. A device must
 * refuse each by its own check even though the signature is good.
 *
 *   tt-pullforge answer HUBDIR REQUEST AFTER UPTO SCHOOL OUT
 *       an answer to the device request in file REQUEST (its nonce echoed,
 *       sealed to its box key) covering (AFTER, UPTO], with one social
 *       passport record of SCHOOL (large_families 999) at position UPTO
 *   tt-pullforge file HUBDIR REQUEST AFTER UPTO SCHOOL OUT
 *       the same answer with a zero nonce in a USB file of changes (TTPF)
 *
 * REQUEST is any request or ack the device signed (the proxy saves them;
 * an export's FILE.ack will do). Exit 0, or 2 on any error (printed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tetrad/fileio.h"
#include "tetrad/hlc.h"
#include "tetrad/keyfile.h"
#include "tetrad/keys.h"
#include "tetrad/pullmsg.h"
#include "tetrad/tbuf.h"
#include "tetrad/terr.h"
#include "tetrad/usbfile.h"
#include "tetrad/uuid7.h"

static int
forge(int argc, char **argv, struct terr *e)
{
	struct keys_sign hub;
	struct pullmsg_request rq;
	struct pullmsg_builder *b = NULL;
	struct tbuf *out = NULL;
	struct hlc_ts t;
	struct usbfile_sink sink = { fileio_fwrite, NULL };
	char path[4096], hlc[HLC_STRLEN + 1], clocks[256];
	const char *data = "{\"large_families\":999}";
	uint8_t *req = NULL, id[UUID7_BYTES];
	size_t len = 0;
	uint64_t after, upto;
	bool file;
	FILE *f = NULL;
	int r;

	if (argc != 8 || (strcmp(argv[1], "answer") != 0 && strcmp(argv[1], "file") != 0))
		return terr_set(e, TERR_ARG, "usage: tt-pullforge answer|file HUBDIR REQUEST AFTER UPTO SCHOOL OUT");
	file = strcmp(argv[1], "file") == 0;
	after = strtoull(argv[4], NULL, 10);
	upto = strtoull(argv[5], NULL, 10);
	snprintf(path, sizeof(path), "%s/hub.sign.key", argv[2]);
	if ((r = keyfile_load(path, KEYS_HUB_SIGN, hub.sk, KEYS_SIGN_SK_BYTES, NULL, e)) != 0)
		return r;
	keys_sign_pk_from_sk(hub.sk, hub.pk);
	if ((r = fileio_read_all(argv[3], PULLMSG_REQ_BYTES, &req, &len, e)) != 0 ||
	    (r = pullmsg_request_parse(req, len, &rq, e)) != 0)
		goto out;
	t.wall_ms = hlc_wall_now();
	t.counter = 0;
	t.node = 0xff;
	hlc_encode(&t, hlc);
	snprintf(clocks, sizeof(clocks), "{\"p\":[\"%s\",\"00000000000000ff\"],"
	    "\"x\":[\"%s\",\"00000000000000ff\",0]}", hlc, hlc);
	uuid7_new(id, t.wall_ms);
	if ((b = pullmsg_builder_new(rq.device_id, after, 0)) == NULL ||
	    (out = tbuf_new(PULLMSG_MAX_BYTES + 1024)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "out of memory");
		goto out;
	}
	if ((r = pullmsg_add_record(b, upto, id, "social_passport", 1, argv[6], data, strlen(data),
	    clocks, strlen(clocks), e)) != 0 ||
	    (r = pullmsg_seal(b, upto, false, file ? NULL : rq.nonce, &hub, rq.box_pk, NULL, out, e)) != 0)
		goto out;
	if ((f = fopen(argv[7], "wb")) == NULL) {
		r = terr_set(e, TERR_IO, "cannot create %s", argv[7]);
		goto out;
	}
	sink.ctx = f;
	if (file) {
		if ((r = pullmsg_file_write_header(&sink, rq.device_id, 1, e)) != 0 ||
		    (r = pullmsg_file_write_answer(&sink, rq.device_id, tbuf_ptr(out), tbuf_len(out), e)) != 0)
			goto out;
	} else if ((r = fileio_fwrite(f, tbuf_ptr(out), tbuf_len(out), e)) != 0) {
		goto out;
	}
	if (fclose(f) != 0)
		r = terr_set(e, TERR_IO, "cannot write %s", argv[7]);
	f = NULL;
 out:
	if (f != NULL)
		fclose(f);
	keys_sign_wipe(&hub);
	pullmsg_builder_free(b);
	tbuf_free(out);
	free(req);
	return r;
}

int
main(int argc, char **argv)
{
	struct terr e;

	terr_clear(&e);
	if (keys_init(&e) != 0 || forge(argc, argv, &e) != 0) {
		fprintf(stderr, "tt-pullforge: %s\n", e.msg);
		return 2;
	}
	return 0;
}
