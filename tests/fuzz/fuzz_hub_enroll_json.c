/*
 * fuzz_hub_enroll_json — hostile bytes into the hub's enrollment request
 * parser (POST /v1/enroll body). Whatever it accepts must hold a bounded,
 * NUL-terminated token and label of valid UTF-8 without control characters;
 * whatever it refuses must leave a message and an all-zero request.
 */
#include <stdlib.h>
#include <string.h>

#include "hub/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tokens_enroll_req zero;
	struct tokens_enroll_req req;
	struct terr e;
	int r;

	terr_clear(&e);
	r = tokens_parse_enroll((const char *)data, size, &req, &e);
	if (r != 0) {
		if (e.code != r || e.msg[0] == '\0' || memcmp(&req, &zero, sizeof(req)) != 0)
			abort();
		return 0;
	}
	if (size > TOKENS_ENROLL_BODY_MAX || req.token[0] == '\0' ||
	    memchr(req.token, '\0', sizeof(req.token)) == NULL ||
	    memchr(req.label, '\0', sizeof(req.label)) == NULL ||
	    changeset_check_utf8(req.token, strlen(req.token)) != 0 ||
	    changeset_check_utf8(req.label, strlen(req.label)) != 0)
		abort();
	for (const char *p = req.label; *p; p++)
		if ((unsigned char)*p < 0x20)
			abort();
	return 0;
}
