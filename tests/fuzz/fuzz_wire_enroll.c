/*
 * fuzz_wire_enroll — hostile bytes into both enrollment parsers: the
 * request (wire_enroll_req_parse, the body of POST /v1/enroll on the hub)
 * and the answer (wire_enroll_ans_parse, read by syncd). What a parser
 * accepts must be bounded, NUL-terminated text without control characters
 * where the format says so (a request's schools: valid codes, none twice), and survive a round trip (written again, parsed
 * again: the same struct); what it refuses must leave a message and a zero
 * struct.
 */
#include <stdlib.h>
#include <string.h>

#include "tetrad/school.h"
#include "tetrad/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_plain(const char *s, size_t cap)
{
	if (memchr(s, '\0', cap) == NULL || changeset_check_utf8(s, strlen(s)) != 0)
		abort();
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			abort();
}

static void
fuzz_req(const uint8_t *data, size_t size, struct tbuf *t)
{
	static struct wire_enroll_req q, p, zero;
	struct terr e;
	int r;

	terr_clear(&e);
	r = wire_enroll_req_parse(data, size, &q, &e);
	if (r != 0) {
		if (e.code != r || e.msg[0] == '\0' || memcmp(&q, &zero, sizeof(q)) != 0)
			abort();
		return;
	}
	if (size > WIRE_ENROLL_REQ_MAX || q.token[0] == '\0')
		abort();
	fuzz_plain(q.token, sizeof(q.token));
	fuzz_plain(q.label, sizeof(q.label));
	fuzz_plain(q.schools, sizeof(q.schools));
	if (!q.have_schools && q.schools[0] != '\0')
		abort();
	{
		/* each school a valid code, none twice, at most the bound */
		char code[SCHOOL_CODE_MAX + 1];
		const char *cur = q.schools;
		size_t n = 0;

		while (school_list_next(&cur, code)) {
			if (!school_code_ok(code) || ++n > WIRE_ENROLL_REQ_NSCHOOLS_MAX)
				abort();
			for (const char *c2 = cur; *c2;) {
				char other[SCHOOL_CODE_MAX + 1];

				if (!school_list_next(&c2, other))
					break;
				if (strcmp(code, other) == 0)
					abort();
			}
		}
	}
	tbuf_reset(t);
	if (wire_enroll_req_write(t, &q, &e) != 0 ||
	    wire_enroll_req_parse(tbuf_ptr(t), tbuf_len(t), &p, &e) != 0 ||
	    memcmp(&q, &p, sizeof(q)) != 0)
		abort();
}

static void
fuzz_ans(const uint8_t *data, size_t size, struct tbuf *t)
{
	static struct wire_enroll_ans a, b, zero;
	struct terr e;
	int r;

	terr_clear(&e);
	r = wire_enroll_ans_parse(data, size, &a, &e);
	if (r != 0) {
		if (e.code != r || e.msg[0] == '\0' || memcmp(&a, &zero, sizeof(a)) != 0)
			abort();
		return;
	}
	fuzz_plain(a.device_id, sizeof(a.device_id));
	fuzz_plain(a.kind, sizeof(a.kind));
	fuzz_plain(a.schools, sizeof(a.schools));
	if (a.nschools > WIRE_ENROLL_NSCHOOLS_MAX ||
	    (strcmp(a.kind, "school") == 0 && a.nschools != 1) ||
	    memchr(a.name, '\0', sizeof(a.name)) == NULL)
		abort();
	tbuf_reset(t);
	if (wire_enroll_ans_write(t, &a, &e) != 0 ||
	    wire_enroll_ans_parse(tbuf_ptr(t), tbuf_len(t), &b, &e) != 0 ||
	    memcmp(&a, &b, sizeof(a)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tbuf *t = tbuf_new(8 * WIRE_ENROLL_ANS_MAX);

	if (t == NULL)
		return 0;
	fuzz_req(data, size, t);
	fuzz_ans(data, size, t);
	tbuf_free(t);
	return 0;
}
