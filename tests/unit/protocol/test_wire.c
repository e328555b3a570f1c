/*
 * test_wire — the syncd–hub JSON messages: each writer's output read back by
 * its parser, the bytes the hub and syncd have always sent (the hub signs
 * acknowledgements: they must never drift), the acknowledgement of the test
 * vectors, and each kind of refusal.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tetrad/school.h"
#include "tetrad/wire.h"
#include "vectors.h"

#define DEV "9d24e2eeaf27c2a0"

static struct vec_keys K;

/* Parses text with fn into a struct of size n; returns the code, and on
 * failure checks the message and that the struct is left all zero. */
typedef int (*parse_fn)(const void *, size_t, void *, struct terr *);

static int
refuse(parse_fn fn, const char *text, size_t len, size_t n)
{
	void *s = malloc(n), *zero = calloc(1, n);
	struct terr e;
	int r;

	terr_clear(&e);
	memset(s, 0xa5, n);
	r = fn(text, len, s, &e);
	CHECK(r < 0);
	if (r < 0) {
		CHECK_INT_EQ(e.code, r);
		CHECK(e.msg[0] != '\0');
		CHECK(changeset_check_utf8(e.msg, strlen(e.msg)) == 0);
		CHECK_MEM_EQ(s, zero, n);
	}
	free(s);
	free(zero);
	return r;
}

static int
ack_parse(const void *b, size_t n, void *s, struct terr *e)
{
	return wire_ack_parse(b, n, s, e);
}

static int
req_parse(const void *b, size_t n, void *s, struct terr *e)
{
	return wire_enroll_req_parse(b, n, s, e);
}

static int
ans_parse(const void *b, size_t n, void *s, struct terr *e)
{
	return wire_enroll_ans_parse(b, n, s, e);
}

static int
err_parse(const void *b, size_t n, void *s, struct terr *e)
{
	return wire_error_parse(b, n, s, e);
}

#define REFUSE_ACK(text) refuse(ack_parse, text, strlen(text), sizeof(struct wire_ack))
#define REFUSE_REQ(text) refuse(req_parse, text, strlen(text), sizeof(struct wire_enroll_req))
#define REFUSE_ANS(text) refuse(ans_parse, text, strlen(text), sizeof(struct wire_enroll_ans))
#define REFUSE_ERR(text) refuse(err_parse, text, strlen(text), sizeof(struct wire_error))

static void
test_paths(void)
{
	CHECK_STR_EQ(WIRE_PATH_HEALTH, "/v1/health");
	CHECK_STR_EQ(WIRE_PATH_ENROLL, "/v1/enroll");
	CHECK_STR_EQ(WIRE_PATH_CHANGESETS, "/v1/changesets");
	CHECK_STR_EQ(WIRE_PATH_FORMS, "/v1/forms");
	CHECK_STR_EQ(WIRE_PATH_FORMS_PREFIX "social_passport/3", "/v1/forms/social_passport/3");
	for (int i = WIRE_ACK_APPLIED; i <= WIRE_ACK_BUSY; i++)
		CHECK_INT_EQ(wire_ack_status_of(wire_ack_status_name((enum wire_ack_status)i)), i);
	CHECK(wire_ack_status_name(0) == NULL);
	CHECK(wire_ack_status_name(WIRE_ACK_BUSY + 1) == NULL);
	CHECK_INT_EQ(wire_ack_status_of("weird"), 0);
}

/* The hub's acknowledgement, as ingest.c wrote it before wire existed. */
static const char ack_known[] =
    "{\"device_id\":\"" DEV "\",\"first\":41,\"last\":57,\"status\":\"refused\","
    "\"set_hash\":\"1111111111111111111111111111111111111111111111111111111111111111\","
    "\"expected_seq\":58,\"applied\":0,\"conflicts\":3,"
    "\"hub_enc_pk\":\"2222222222222222222222222222222222222222222222222222222222222222\","
    "\"reason\":\"набор 41–57 отклонён: поле «x\\\\y» \\\"z\\\"\\u000a\\u0009\x7f\"}";

static void
test_ack(void)
{
	struct wire_ack a, b;
	struct tbuf *t = tbuf_new(WIRE_ACK_MAX);
	struct terr e;

	memset(&a, 0, sizeof(a));
	strcpy(a.device_id, DEV);
	a.first = 41;
	a.last = 57;
	a.status = WIRE_ACK_REFUSED;
	a.have_hash = true;
	memset(a.set_hash, 0x11, sizeof(a.set_hash));
	a.expected_seq = 58;
	a.conflicts = 3;
	a.have_enc_pk = true;
	memset(a.hub_enc_pk, 0x22, sizeof(a.hub_enc_pk));
	strcpy(a.reason, "набор 41–57 отклонён: поле «x\\y» \"z\"\n\t\x7f");
	CHECK_INT_EQ(wire_ack_write(t, &a, &e), 0);
	CHECK_INT_EQ(tbuf_len(t), strlen(ack_known));
	CHECK_MEM_EQ(tbuf_ptr(t), ack_known, strlen(ack_known));
	CHECK_INT_EQ(wire_ack_parse(tbuf_ptr(t), tbuf_len(t), &b, &e), 0);
	CHECK_MEM_EQ(&a, &b, sizeof(a));

	/* no hash (refused before decryption), no key: null, and no member */
	tbuf_reset(t);
	a.have_hash = false;
	memset(a.set_hash, 0, sizeof(a.set_hash));
	a.have_enc_pk = false;
	memset(a.hub_enc_pk, 0, sizeof(a.hub_enc_pk));
	a.status = WIRE_ACK_GAP;
	memset(a.reason, 0, sizeof(a.reason));
	CHECK_INT_EQ(wire_ack_write(t, &a, &e), 0);
	CHECK_INT_EQ(tbuf_terminate(t), 0);
	CHECK_STR_EQ((const char *)tbuf_ptr(t), "{\"device_id\":\"" DEV "\",\"first\":41,"
	    "\"last\":57,\"status\":\"gap\",\"set_hash\":null,\"expected_seq\":58,\"applied\":0,"
	    "\"conflicts\":3,\"reason\":\"\"}");
	CHECK_INT_EQ(wire_ack_parse(tbuf_ptr(t), tbuf_len(t), &b, &e), 0);
	CHECK_MEM_EQ(&a, &b, sizeof(a));

	/* what the writer refuses */
	a.status = 0;
	CHECK_INT_EQ(wire_ack_write(t, &a, &e), TERR_ARG);
	a.status = WIRE_ACK_APPLIED;
	strcpy(a.device_id, "9D24E2EEAF27C2A0");
	CHECK_INT_EQ(wire_ack_write(t, &a, &e), TERR_ARG);
	strcpy(a.device_id, DEV);
	a.reason[0] = '\xff';
	a.reason[1] = '\0';
	CHECK_INT_EQ(wire_ack_write(t, &a, &e), TERR_ARG);
	tbuf_free(t);
}

/* The retry class: written only when there is one (old acks replay byte
 * for byte), read back, and a class a device does not know reads as none. */
static void
test_ack_retry(void)
{
	static const char head[] = "{\"device_id\":\"" DEV "\",\"first\":1,\"last\":2,"
	    "\"status\":\"refused\",\"set_hash\":null,\"expected_seq\":3,\"applied\":0,"
	    "\"conflicts\":0,\"reason\":\"форма «x» версии 2 хабу неизвестна\"";
	struct wire_ack a, b;
	struct tbuf *t = tbuf_new(WIRE_ACK_MAX);
	struct terr e;
	char buf[1024];

	memset(&a, 0, sizeof(a));
	strcpy(a.device_id, DEV);
	a.first = 1;
	a.last = 2;
	a.expected_seq = 3;
	a.status = WIRE_ACK_REFUSED;
	strcpy(a.reason, "форма «x» версии 2 хабу неизвестна");
	a.retry = WIRE_RETRY_FORMS;
	CHECK_INT_EQ(wire_ack_write(t, &a, &e), 0);
	CHECK_INT_EQ(tbuf_terminate(t), 0);
	snprintf(buf, sizeof(buf), "%s,\"retry\":\"forms\"}", head);
	CHECK_STR_EQ((const char *)tbuf_ptr(t), buf);
	CHECK_INT_EQ(wire_ack_parse(tbuf_ptr(t), tbuf_len(t), &b, &e), 0);
	CHECK_INT_EQ(b.retry, WIRE_RETRY_FORMS);
	CHECK_MEM_EQ(&a, &b, sizeof(a));
	a.retry = WIRE_RETRY_NO;
	tbuf_reset(t);
	CHECK_INT_EQ(wire_ack_write(t, &a, &e), 0);
	CHECK_INT_EQ(tbuf_terminate(t), 0);
	snprintf(buf, sizeof(buf), "%s}", head);
	CHECK_STR_EQ((const char *)tbuf_ptr(t), buf);
	snprintf(buf, sizeof(buf), "%s,\"retry\":\"someday\"}", head);
	CHECK_INT_EQ(wire_ack_parse(buf, strlen(buf), &b, &e), 0);
	CHECK_INT_EQ(b.retry, WIRE_RETRY_NO);
	snprintf(buf, sizeof(buf), "%s,\"retry\":\"clock\"}", head);
	CHECK_INT_EQ(wire_ack_parse(buf, strlen(buf), &b, &e), 0);
	CHECK_INT_EQ(b.retry, WIRE_RETRY_CLOCK);
	snprintf(buf, sizeof(buf), "%s,\"retry\":1}", head);
	CHECK_INT_EQ(wire_ack_parse(buf, strlen(buf), &b, &e), TERR_SCHEMA);
	a.retry = (enum wire_retry)7;
	CHECK_INT_EQ(wire_ack_write(t, &a, &e), TERR_ARG);
	CHECK_STR_EQ(wire_retry_name(WIRE_RETRY_CLOCK), "clock");
	CHECK(wire_retry_name(WIRE_RETRY_NO) == NULL);
	tbuf_free(t);
}

/* The acknowledgement of tests/vectors (sigblob_ack.hex): only the members
 * a device must have; the rest read as absent. */
static void
test_ack_vector(void)
{
	char path[1024], idhex[KEYS_ID_HEXLEN + 1], want[256], *hex, *mine;
	struct tbuf *b = tbuf_new(4096);
	struct wire_ack a;
	struct terr e;
	const uint8_t *p;
	size_t pl;

	keys_id_hex(K.device.pk, idhex);
	snprintf(want, sizeof(want), VEC_ACK_PAYLOAD, idhex);
	CHECK_INT_EQ(sigblob_sign(SIGBLOB_ACK, (const uint8_t *)want, strlen(want), &K.hub_sign,
	    b, &e), 0);
	mine = vec_hex_lines(tbuf_ptr(b), tbuf_len(b));
	snprintf(path, sizeof(path), "%s/tests/vectors/sigblob_ack.hex", TETRAD_SOURCE_DIR);
	hex = vec_read_file(path, NULL);
	CHECK_STR_EQ(mine, hex);
	CHECK_INT_EQ(sigblob_open(tbuf_ptr(b), tbuf_len(b), SIGBLOB_ACK, K.hub_sign.pk, &p, &pl,
	    &e), 0);
	CHECK_INT_EQ(wire_ack_parse(p, pl, &a, &e), 0);
	CHECK_STR_EQ(a.device_id, idhex);
	CHECK_INT_EQ(a.first, 1);
	CHECK_INT_EQ(a.last, 2);
	CHECK_INT_EQ(a.status, WIRE_ACK_APPLIED);
	CHECK(!a.have_hash && !a.have_enc_pk);
	CHECK_INT_EQ(a.expected_seq, 0);
	CHECK_STR_EQ(a.reason, "");
	free(mine);
	free(hex);
	tbuf_free(b);
}

static void
test_ack_refusals(void)
{
	char big[WIRE_ACK_MAX + 64];
	const char *head = "{\"device_id\":\"" DEV "\",\"first\":1,\"last\":2,\"status\":\"applied\"";

	CHECK_INT_EQ(REFUSE_ACK(""), TERR_PARSE);
	CHECK_INT_EQ(REFUSE_ACK("[1]"), TERR_PARSE);
	CHECK_INT_EQ(REFUSE_ACK("{\"device_id\":"), TERR_PARSE);
	/* trailing text, repeated members, NUL */
	snprintf(big, sizeof(big), "%s} {}", head);
	CHECK_INT_EQ(REFUSE_ACK(big), TERR_TRAILING);
	snprintf(big, sizeof(big), "%s}x", head);
	CHECK_INT_EQ(REFUSE_ACK(big), TERR_TRAILING);
	snprintf(big, sizeof(big), "%s,\"first\":1}", head);
	CHECK_INT_EQ(REFUSE_ACK(big), TERR_SCHEMA);
	snprintf(big, sizeof(big), "%s,\"reason\":\"a\\u0000b\"}", head);
	CHECK_INT_EQ(REFUSE_ACK(big), TERR_PARSE);
	snprintf(big, sizeof(big), "%s,\"reason\":\"a\\\\u0000b\"}", head);
	{
		struct wire_ack a;

		/* an escaped backslash before u0000 is no NUL */
		CHECK_INT_EQ(wire_ack_parse(big, strlen(big), &a, NULL), 0);
		CHECK_STR_EQ(a.reason, "a\\u0000b");
	}
	CHECK_INT_EQ(refuse(ack_parse, "{\"a\":\"\0\"}", 9, sizeof(struct wire_ack)), TERR_UTF8);
	CHECK_INT_EQ(REFUSE_ACK("{\"reason\":\"\xc0\x80\"}"), TERR_UTF8);
	/* wrong types and values */
	CHECK_INT_EQ(REFUSE_ACK("{\"device_id\":1,\"first\":1,\"last\":2,\"status\":\"gap\"}"),
	    TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ACK("{\"device_id\":\"9d24\",\"first\":1,\"last\":2,\"status\":\"gap\"}"),
	    TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ACK("{\"device_id\":\"" DEV "\",\"first\":\"1\",\"last\":2,"
	    "\"status\":\"gap\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ACK("{\"device_id\":\"" DEV "\",\"first\":1.5,\"last\":2,"
	    "\"status\":\"gap\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ACK("{\"device_id\":\"" DEV "\",\"first\":-1,\"last\":2,"
	    "\"status\":\"gap\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ACK("{\"device_id\":\"" DEV "\",\"first\":1e300,\"last\":2,"
	    "\"status\":\"gap\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ACK("{\"device_id\":\"" DEV "\",\"last\":2,\"status\":\"gap\"}"),
	    TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ACK("{\"device_id\":\"" DEV "\",\"first\":1,\"last\":2,"
	    "\"status\":\"weird\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ACK("{\"device_id\":\"" DEV "\",\"first\":1,\"last\":2,"
	    "\"status\":null}"), TERR_SCHEMA);
	snprintf(big, sizeof(big), "%s,\"set_hash\":\"00\"}", head);
	CHECK_INT_EQ(REFUSE_ACK(big), TERR_SCHEMA);
	snprintf(big, sizeof(big), "%s,\"set_hash\":7}", head);
	CHECK_INT_EQ(REFUSE_ACK(big), TERR_SCHEMA);
	snprintf(big, sizeof(big), "%s,\"hub_enc_pk\":null}", head);
	CHECK_INT_EQ(REFUSE_ACK(big), TERR_SCHEMA);
	snprintf(big, sizeof(big), "%s,\"reason\":[]}", head);
	CHECK_INT_EQ(REFUSE_ACK(big), TERR_SCHEMA);
	/* over-long: a reason, the whole payload, too many members */
	{
		size_t n = (size_t)snprintf(big, sizeof(big), "%s,\"reason\":\"", head);

		memset(big + n, 'a', WIRE_ACK_REASON_MAX + 1);
		strcpy(big + n + WIRE_ACK_REASON_MAX + 1, "\"}");
		CHECK_INT_EQ(REFUSE_ACK(big), TERR_TOO_LARGE);
		big[n + WIRE_ACK_REASON_MAX] = '"';
		big[n + WIRE_ACK_REASON_MAX + 1] = '}';
		big[n + WIRE_ACK_REASON_MAX + 2] = '\0';
		{
			struct wire_ack a;

			CHECK_INT_EQ(wire_ack_parse(big, strlen(big), &a, NULL), 0);
			CHECK_INT_EQ(strlen(a.reason), WIRE_ACK_REASON_MAX);
		}
		memset(big, ' ', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		big[0] = '{';
		big[sizeof(big) - 2] = '}';
		CHECK_INT_EQ(REFUSE_ACK(big), TERR_TOO_LARGE);
		n = (size_t)snprintf(big, sizeof(big), "%s", head);
		for (int i = 0; i < WIRE_MEMBERS_MAX; i++)
			n += (size_t)snprintf(big + n, sizeof(big) - n, ",\"m%d\":0", i);
		snprintf(big + n, sizeof(big) - n, "}");
		CHECK_INT_EQ(REFUSE_ACK(big), TERR_TOO_LARGE);
	}
	/* members it does not know are left alone (a newer hub) */
	{
		struct wire_ack a;

		snprintf(big, sizeof(big), "%s,\"later\":{\"x\":[1,2]}} \n", head);
		CHECK_INT_EQ(wire_ack_parse(big, strlen(big), &a, NULL), 0);
		CHECK_INT_EQ(a.status, WIRE_ACK_APPLIED);
	}
}

static void
test_enroll_req(void)
{
	static const char known[] = "{\"token\":\"7RJ1-9FGR-38N0-477D-RH9K\",\"device_pk\":"
	    "\"a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0\","
	    "\"label\":\"ПК соцпедагога\"}";
	struct wire_enroll_req q, p;
	struct tbuf *t = tbuf_new(WIRE_ENROLL_REQ_MAX);
	struct terr e;
	char big[WIRE_ENROLL_REQ_MAX + 64];

	memset(&q, 0, sizeof(q));
	strcpy(q.token, "7RJ1-9FGR-38N0-477D-RH9K");
	memset(q.device_pk, 0xa0, sizeof(q.device_pk));
	strcpy(q.label, "ПК соцпедагога");
	CHECK_INT_EQ(wire_enroll_req_write(t, &q, &e), 0);
	CHECK_INT_EQ(tbuf_len(t), strlen(known));
	CHECK_MEM_EQ(tbuf_ptr(t), known, strlen(known));
	CHECK_INT_EQ(wire_enroll_req_parse(tbuf_ptr(t), tbuf_len(t), &p, &e), 0);
	CHECK_MEM_EQ(&q, &p, sizeof(q));
	/* no label: no member; upper-case hex is read too */
	tbuf_reset(t);
	memset(q.label, 0, sizeof(q.label));
	CHECK_INT_EQ(wire_enroll_req_write(t, &q, &e), 0);
	CHECK_INT_EQ(wire_enroll_req_parse(tbuf_ptr(t), tbuf_len(t), &p, &e), 0);
	CHECK_MEM_EQ(&q, &p, sizeof(q));
	snprintf(big, sizeof(big), "{\"token\":\"A\",\"device_pk\":\"%s\"}",
	    "A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0A0");
	CHECK_INT_EQ(wire_enroll_req_parse(big, strlen(big), &p, &e), 0);
	CHECK_MEM_EQ(p.device_pk, q.device_pk, sizeof(q.device_pk));
	/* the writer refuses what the hub would */
	strcpy(q.label, "a\nb");
	CHECK_INT_EQ(wire_enroll_req_write(t, &q, &e), TERR_ARG);
	q.label[0] = '\0';
	q.token[0] = '\0';
	CHECK_INT_EQ(wire_enroll_req_write(t, &q, &e), TERR_ARG);

	CHECK_INT_EQ(REFUSE_REQ("{}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("[1]"), TERR_PARSE);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":1}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"\xff\"}"), TERR_UTF8);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"A\",\"device_pk\":\"00\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"\",\"device_pk\":\"0000000000000000000000000000"
	    "000000000000000000000000000000000000\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"A\",\"token\":\"B\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"label\":\"\",\"label\":\"B\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"A\",\"extra\":\"B\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"A\\u0000\"}"), TERR_PARSE);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"A\\nB\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"A\"}{"), TERR_TRAILING);
	snprintf(big, sizeof(big), "{\"token\":\"%0*d\"}", WIRE_ENROLL_TOKEN_MAX + 1, 0);
	CHECK_INT_EQ(REFUSE_REQ(big), TERR_TOO_LARGE);
	snprintf(big, sizeof(big), "{\"token\":\"A\",\"device_pk\":\"%064d\",\"label\":\"%0*d\"}",
	    0, WIRE_ENROLL_LABEL_MAX + 1, 0);
	CHECK_INT_EQ(REFUSE_REQ(big), TERR_TOO_LARGE);
	memset(big, ' ', WIRE_ENROLL_REQ_MAX + 1);
	big[0] = '{';
	big[WIRE_ENROLL_REQ_MAX] = '}';
	big[WIRE_ENROLL_REQ_MAX + 1] = '\0';
	CHECK_INT_EQ(REFUSE_REQ(big), TERR_TOO_LARGE);
	tbuf_free(t);
}

/* The schools a device names, and every \u0000 and trailing-text case. */
static void
test_enroll_req_schools(void)
{
#define PK "\"device_pk\":\"a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0\""
	static const char known[] = "{\"token\":\"T\"," PK ",\"schools\":[\"170103\",\"x-1_Z\"]}";
	struct wire_enroll_req q, p;
	struct tbuf *t = tbuf_new(WIRE_ENROLL_REQ_MAX);
	struct terr e;
	char big[WIRE_ENROLL_REQ_MAX + 64];
	size_t k;

	memset(&q, 0, sizeof(q));
	strcpy(q.token, "T");
	memset(q.device_pk, 0xa0, sizeof(q.device_pk));
	q.have_schools = true;
	strcpy(q.schools, "170103,x-1_Z");
	CHECK_INT_EQ(wire_enroll_req_write(t, &q, &e), 0);
	CHECK_INT_EQ(tbuf_len(t), strlen(known));
	CHECK_MEM_EQ(tbuf_ptr(t), known, strlen(known));
	CHECK_INT_EQ(wire_enroll_req_parse(known, strlen(known), &p, &e), 0);
	CHECK_MEM_EQ(&q, &p, sizeof(q));
	/* an empty list: present, no school (a device not set up yet) */
	CHECK_INT_EQ(wire_enroll_req_parse("{\"token\":\"T\"," PK ",\"schools\":[]}", 0 +
	    strlen("{\"token\":\"T\"," PK ",\"schools\":[]}"), &p, &e), 0);
	CHECK(p.have_schools);
	CHECK_STR_EQ(p.schools, "");
	tbuf_reset(t);
	q.schools[0] = '\0';
	CHECK_INT_EQ(wire_enroll_req_write(t, &q, &e), 0);
	tbuf_terminate(t);
	CHECK_CONTAINS((const char *)tbuf_ptr(t), "\"schools\":[]");
	/* absent: have_schools false */
	CHECK_INT_EQ(wire_enroll_req_parse("{\"token\":\"T\"," PK "}",
	    strlen("{\"token\":\"T\"," PK "}"), &p, &e), 0);
	CHECK(!p.have_schools);
	/* whitespace after the object is not trailing text */
	CHECK_INT_EQ(wire_enroll_req_parse("{\"token\":\"T\"," PK "} \r\n\t",
	    strlen("{\"token\":\"T\"," PK "} \r\n\t"), &p, &e), 0);
	/* an escaped backslash before u0000 is text, not NUL */
	CHECK_INT_EQ(wire_enroll_req_parse("{\"token\":\"T\"," PK ",\"label\":\"a\\\\u0000\"}",
	    strlen("{\"token\":\"T\"," PK ",\"label\":\"a\\\\u0000\"}"), &p, &e), 0);
	CHECK_STR_EQ(p.label, "a\\u0000");
	/* the writer refuses what the parser would */
	strcpy(q.schools, "170103,170103");
	CHECK_INT_EQ(wire_enroll_req_write(t, &q, &e), TERR_ARG);
	strcpy(q.schools, "170103,");
	CHECK_INT_EQ(wire_enroll_req_write(t, &q, &e), TERR_ARG);
	strcpy(q.schools, "17 01");
	CHECK_INT_EQ(wire_enroll_req_write(t, &q, &e), TERR_ARG);

	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK ",\"schools\":\"170103\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK ",\"schools\":[170103]}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK ",\"schools\":[\"\"]}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK ",\"schools\":[\"17 01\"]}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK ",\"schools\":[\"1701\\u00e9\"]}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK ",\"schools\":[\"a,b\"]}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK ",\"schools\":[\"a\",\"a\"]}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK ",\"schools\":[\"a\"],\"schools\":[]}"),
	    TERR_SCHEMA);
	snprintf(big, sizeof(big), "{\"token\":\"T\"," PK ",\"schools\":[\"%0*d\"]}",
	    SCHOOL_CODE_MAX + 1, 0);
	CHECK_INT_EQ(REFUSE_REQ(big), TERR_SCHEMA);
	k = (size_t)snprintf(big, sizeof(big), "{\"token\":\"T\"," PK ",\"schools\":[");
	for (int i = 0; i <= WIRE_ENROLL_REQ_NSCHOOLS_MAX; i++)
		k += (size_t)snprintf(big + k, sizeof(big) - k, "%s\"s%d\"", i ? "," : "", i);
	snprintf(big + k, sizeof(big) - k, "]}");
	CHECK_INT_EQ(REFUSE_REQ(big), TERR_SCHEMA);
	/* NUL, escaped, anywhere: a label that would read "ok", a school, a
	 * member's name, the token */
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK ",\"label\":\"ok\\u0000\\u0007\"}"),
	    TERR_PARSE);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK ",\"schools\":[\"17\\u0000\"]}"), TERR_PARSE);
	CHECK_INT_EQ(REFUSE_REQ("{\"to\\u0000ken\":\"T\"," PK "}"), TERR_PARSE);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"\\u0000\"," PK "}"), TERR_PARSE);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK ",\"label\":\"ok\\u0007\"}"), TERR_SCHEMA);
	/* a raw NUL byte */
	CHECK_INT_EQ(refuse(req_parse, "{\"token\":\"T\0\"}", 13, sizeof(struct wire_enroll_req)),
	    TERR_UTF8);
	CHECK_INT_EQ(refuse(req_parse, "{\"token\":\"T\"}\0", 14, sizeof(struct wire_enroll_req)),
	    TERR_UTF8);
	/* trailing text of every kind */
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK "} x"), TERR_TRAILING);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK "}{}"), TERR_TRAILING);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK "}\n{\"token\":\"U\"}"), TERR_TRAILING);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\"," PK "}]"), TERR_TRAILING);
	tbuf_free(t);
#undef PK
}

static void
test_enroll_ans(void)
{
	static const char known[] = "{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"curator\","
	    "\"schools\":[\"170103\",\"170104\"],"
	    "\"hub_enc_pk\":\"1111111111111111111111111111111111111111111111111111111111111111\","
	    "\"hub_sign_pk\":\"2222222222222222222222222222222222222222222222222222222222222222\","
	    "\"hub_key_id\":\"8ba758f8f8561b7a\",\"name\":\"Куратор \\\"Север\\\"\\n\"}\n";
	struct wire_enroll_ans a, b;
	struct tbuf *t = tbuf_new(WIRE_ENROLL_ANS_MAX);
	struct terr e;
	char big[1024];

	memset(&a, 0, sizeof(a));
	strcpy(a.device_id, "ccfc28637d54de8b");
	strcpy(a.kind, "curator");
	strcpy(a.schools, "170103,170104");
	a.nschools = 2;
	memset(a.hub_enc_pk, 0x11, sizeof(a.hub_enc_pk));
	memset(a.hub_sign_pk, 0x22, sizeof(a.hub_sign_pk));
	strcpy(a.hub_key_id, "8ba758f8f8561b7a");
	strcpy(a.name, "Куратор \"Север\"\n");
	CHECK_INT_EQ(wire_enroll_ans_write(t, &a, &e), 0);
	CHECK_INT_EQ(tbuf_len(t), strlen(known));
	CHECK_MEM_EQ(tbuf_ptr(t), known, strlen(known));
	CHECK_INT_EQ(wire_enroll_ans_parse(tbuf_ptr(t), tbuf_len(t), &b, &e), 0);
	CHECK_MEM_EQ(&a, &b, sizeof(a));
	/* the hub's list may hold empty items: skipped */
	tbuf_reset(t);
	strcpy(a.schools, ",170103,,170104,");
	CHECK_INT_EQ(wire_enroll_ans_write(t, &a, &e), 0);
	CHECK_MEM_EQ(tbuf_ptr(t), known, strlen(known));
	/* a school device has exactly one school */
	strcpy(a.kind, "school");
	CHECK_INT_EQ(wire_enroll_ans_write(t, &a, &e), TERR_ARG);
	memset(a.schools, 0, sizeof(a.schools));
	strcpy(a.schools, "170103");
	a.nschools = 1;
	tbuf_reset(t);
	CHECK_INT_EQ(wire_enroll_ans_write(t, &a, &e), 0);
	CHECK_INT_EQ(wire_enroll_ans_parse(tbuf_ptr(t), tbuf_len(t), &b, &e), 0);
	CHECK_MEM_EQ(&a, &b, sizeof(a));

#define ANS_KEYS "\"hub_enc_pk\":\"1111111111111111111111111111111111111111111111111111111111111111\"," \
	"\"hub_sign_pk\":\"2222222222222222222222222222222222222222222222222222222222222222\""
	CHECK_INT_EQ(REFUSE_ANS("{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"school\","
	    "\"schools\":[\"1\",\"2\"]," ANS_KEYS "}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ANS("{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"admin\","
	    "\"schools\":[\"1\"]," ANS_KEYS "}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ANS("{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"curator\","
	    "\"schools\":[\"1,2\"]," ANS_KEYS "}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ANS("{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"curator\","
	    "\"schools\":[1]," ANS_KEYS "}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ANS("{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"curator\","
	    "\"schools\":\"1\"," ANS_KEYS "}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ANS("{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"curator\","
	    "\"schools\":[\"123456789012345678901234567890123\"]," ANS_KEYS "}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ANS("{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"curator\","
	    "\"schools\":[]," ANS_KEYS ",\"hub_key_id\":\"xyz\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ANS("{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"curator\","
	    "\"schools\":[]," ANS_KEYS ",\"name\":\"a\\u0000\"}"), TERR_PARSE);
	CHECK_INT_EQ(REFUSE_ANS("{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"curator\","
	    "\"schools\":[]," ANS_KEYS ",\"name\":\"a\",\"name\":\"b\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ANS("{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"curator\","
	    "\"schools\":[]," ANS_KEYS "}\n\n1"), TERR_TRAILING);
	CHECK_INT_EQ(REFUSE_ANS("{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"curator\","
	    "\"schools\":[]}"), TERR_SCHEMA);
	snprintf(big, sizeof(big), "{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"curator\","
	    "\"schools\":[],%s,\"name\":\"%0*d\"}", ANS_KEYS, WIRE_ENROLL_NAME_MAX + 1, 0);
	CHECK_INT_EQ(REFUSE_ANS(big), TERR_TOO_LARGE);
	/* a curator of no school, and what it does not know */
	snprintf(big, sizeof(big), "{\"device_id\":\"ccfc28637d54de8b\",\"kind\":\"curator\","
	    "\"schools\":[],%s,\"new\":[{}]}", ANS_KEYS);
	CHECK_INT_EQ(wire_enroll_ans_parse(big, strlen(big), &b, &e), 0);
	CHECK_INT_EQ(b.nschools, 0);
	tbuf_free(t);
}

static void
test_error(void)
{
	static const char known[] = "{\"error\":\"token_used\",\"message\":\"код «A\\\\B» уже "
	    "использован\\u000a\"}\n";
	struct wire_error w, v;
	struct tbuf *t = tbuf_new(WIRE_ERROR_MAX);
	struct terr e;
	char *longmsg = malloc(4 * WIRE_ERROR_MESSAGE_MAX);

	wire_error_set(&w, "token_used", "код «A\\B» уже использован\n");
	CHECK_INT_EQ(wire_error_write(t, &w, &e), 0);
	CHECK_INT_EQ(tbuf_len(t), strlen(known));
	CHECK_MEM_EQ(tbuf_ptr(t), known, strlen(known));
	CHECK_INT_EQ(wire_error_parse(tbuf_ptr(t), tbuf_len(t), &v, &e), 0);
	CHECK_MEM_EQ(&w, &v, sizeof(w));
	/* any message fits: cut at a character, bytes not UTF-8 as "?" */
	for (size_t i = 0; i + 2 < 4 * WIRE_ERROR_MESSAGE_MAX; i += 2)
		memcpy(longmsg + i, "ж", 2);
	longmsg[4 * WIRE_ERROR_MESSAGE_MAX - 2] = '\0';
	longmsg[1] = '\xff';
	wire_error_set(&w, "busy", longmsg + 1);
	CHECK_INT_EQ(strlen(w.message), WIRE_ERROR_MESSAGE_MAX - 1);  /* "?" and whole "ж"s */
	CHECK(w.message[0] == '?');
	tbuf_reset(t);
	CHECK_INT_EQ(wire_error_write(t, &w, &e), 0);
	CHECK_INT_EQ(wire_error_parse(tbuf_ptr(t), tbuf_len(t), &v, &e), 0);
	CHECK_MEM_EQ(&w, &v, sizeof(w));
	wire_error_set(&w, "Not A Code", "x");
	CHECK_INT_EQ(wire_error_write(t, &w, &e), TERR_ARG);

	CHECK_INT_EQ(wire_error_parse("{\"error\":\"not_found\"}", 21, &v, &e), 0);
	CHECK_STR_EQ(v.message, "");
	CHECK_INT_EQ(REFUSE_ERR("{\"message\":\"x\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ERR("{\"error\":\"a b\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ERR("{\"error\":\"a\",\"message\":1}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ERR("{\"error\":\"a\",\"error\":\"b\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_ERR("{\"error\":\"a\\u0000\"}"), TERR_PARSE);
	CHECK_INT_EQ(REFUSE_ERR("{\"error\":\"a\"}]"), TERR_TRAILING);
	CHECK_INT_EQ(REFUSE_ERR("<html>502</html>"), TERR_PARSE);
	free(longmsg);
	tbuf_free(t);
}

/* The request's signature: bound to token, key and schools; round trip. */
static void
test_enroll_req_sig(void)
{
	struct wire_enroll_req q, p;
	struct tbuf *t = tbuf_new(WIRE_ENROLL_REQ_MAX);
	struct keys_sign k;
	struct terr e;

	CHECK_INT_EQ(keys_sign_generate(&k), 0);
	memset(&q, 0, sizeof(q));
	strcpy(q.token, "7RJ1-9FGR-38N0-477D-RH9K");
	memcpy(q.device_pk, k.pk, sizeof(q.device_pk));
	q.have_schools = true;
	strcpy(q.schools, "170104");
	CHECK(!wire_enroll_req_sig_ok(&q));
	wire_enroll_req_sign(&q, k.sk);
	CHECK(q.have_sig);
	CHECK(wire_enroll_req_sig_ok(&q));
	CHECK_INT_EQ(wire_enroll_req_write(t, &q, &e), 0);
	tbuf_terminate(t);
	CHECK_CONTAINS((const char *)tbuf_ptr(t), "\"sig\":\"");
	CHECK_INT_EQ(wire_enroll_req_parse(tbuf_ptr(t), tbuf_len(t), &p, &e), 0);
	CHECK_MEM_EQ(&q, &p, sizeof(q));
	CHECK(wire_enroll_req_sig_ok(&p));
	p = q;
	strcpy(p.schools, "170103");
	CHECK(!wire_enroll_req_sig_ok(&p));
	p = q;
	p.token[0] = '8';
	CHECK(!wire_enroll_req_sig_ok(&p));
	p = q;
	p.device_pk[0] ^= 1;
	CHECK(!wire_enroll_req_sig_ok(&p));
	p = q;
	p.have_schools = false;          /* the schools list is signed, not the flag */
	CHECK(wire_enroll_req_sig_ok(&p));
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\",\"device_pk\":\"a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
	    "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0\",\"sig\":\"00\"}"), TERR_SCHEMA);
	CHECK_INT_EQ(REFUSE_REQ("{\"token\":\"T\",\"device_pk\":\"a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"
	    "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0\",\"sig\":1}"), TERR_SCHEMA);
	keys_sign_wipe(&k);
	tbuf_free(t);
}

int
main(void)
{
	if (keys_init(NULL) != 0 || vec_keys(&K) != 0)
		return 1;
	test_paths();
	test_ack();
	test_ack_retry();
	test_ack_vector();
	test_ack_refusals();
	test_enroll_req();
	test_enroll_req_schools();
	test_enroll_req_sig();
	test_enroll_ans();
	test_error();
	return check_summary();
}
