/*
 * test_tokens — enrollment tokens on a real store: a token typed in lower
 * case without dashes still enrolls, an expired one answers 410
 * token_expired, garbage 400; what was stored (two tokens, one device: the
 * expired token enrolled nobody). Then every refusal before a token is
 * spent: another school's token (409, both schools named), a curator's
 * token without the device's school, keys that cannot sign and the hub's
 * own, \u0000 and trailing text, a request without "schools"; each time
 * the same token then enrolls the right device, and the refused key is
 * not registered. A key registered for another school (an old program's
 * mistake) is refused 409 key_registered; one registered for what the
 * token gives gets its answer again without spending the token. With
 * another handle holding the write lock, refusals are still answered at
 * once (they are decided on a read snapshot). A key registered for another
 * school that never sent anything is re-bound by a request signed with it,
 * and not otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "test_store.h"
#include "hub/hubdb.h"
#include "hub/tokens.h"

static char dir[256];
static struct keys_enc enc;
static struct keys_sign sign;

static int
count_rows(void *ctx, size_t n, const struct hubdb_col *cols)
{
	(void)n;
	(void)cols;
	(*(int *)ctx)++;
	return 0;
}

static void
test_tokens(struct hubdb *db)
{
	char tok[TOKENS_TEXT_MAX + 1], body[512], lower[TOKENS_TEXT_MAX + 1];
	struct tbuf *out = tbuf_new(16384);
	struct keys_sign dev;
	struct terr e;
	int http = 0, rows = 0;

	CHECK_INT_EQ(tokens_create(db, "school", "Школа № 9", "170109", 3600, tok, &e), 0);
	/* typed in lower case, without dashes */
	{
		size_t k = 0;

		for (const char *p = tok; *p; p++)
			if (*p != '-')
				lower[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		lower[k] = '\0';
	}
	keys_sign_generate(&dev);
	{
		char pk[65];

		keys_hex(dev.pk, 32, pk);
		snprintf(body, sizeof(body), "{\"token\":\"%s\",\"device_pk\":\"%s\",\"schools\":[\"170109\"]}", lower, pk);
	}
	CHECK_INT_EQ(tokens_enroll(db, &enc, &sign, body, strlen(body), &http, out, &e), 0);
	CHECK_INT_EQ(http, 200);
	tbuf_terminate(out);
	CHECK_CONTAINS((const char *)tbuf_ptr(out), "\"name\":\"Школа № 9\"");
	/* expired */
	CHECK_INT_EQ(tokens_create(db, "school", "", "170110", -1, tok, &e), 0);
	keys_sign_generate(&dev);
	{
		char pk[65];

		keys_hex(dev.pk, 32, pk);
		snprintf(body, sizeof(body), "{\"token\":\"%s\",\"device_pk\":\"%s\",\"schools\":[]}", tok, pk);
	}
	CHECK_INT_EQ(tokens_enroll(db, &enc, &sign, body, strlen(body), &http, out, &e), 0);
	CHECK_INT_EQ(http, 410);
	tbuf_terminate(out);
	CHECK_CONTAINS((const char *)tbuf_ptr(out), "token_expired");
	/* garbage */
	CHECK_INT_EQ(tokens_enroll(db, &enc, &sign, "{", 1, &http, out, &e), 0);
	CHECK_INT_EQ(http, 400);
	CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_TOKENS, count_rows, &rows, &e), 0);
	CHECK_INT_EQ(rows, 2);
	rows = 0;
	CHECK_INT_EQ(hubdb_list(db, HUBDB_LIST_DEVICES, count_rows, &rows, &e), 0);
	CHECK_INT_EQ(rows, 1);
	tbuf_free(out);
}


/* POSTs {"token","device_pk"[,schools][,extra]} to the handler: the HTTP status; the
 * answer's text in ans (cap 4096). schools NULL: the member is left out. */
static int
post(struct hubdb *db, const char *tok, const uint8_t pk[32], const char *schools,
    const char *extra, char *ans)
{
	struct tbuf *out = tbuf_new(16384);
	char body[1024], hex[65], sch[300];
	struct terr e;
	int http = 0;

	keys_hex(pk, 32, hex);
	snprintf(sch, sizeof(sch), ",\"schools\":%s", schools ? schools : "");
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"device_pk\":\"%s\"%s%s}", tok, hex,
	    schools ? sch : "", extra ? extra : "");
	CHECK_INT_EQ(tokens_enroll(db, &enc, &sign, body, strlen(body), &http, out, &e), 0);
	tbuf_terminate(out);
	snprintf(ans, 4096, "%s", (const char *)tbuf_ptr(out));
	tbuf_free(out);
	return http;
}

static bool
registered(struct hubdb *db, const uint8_t pk[32])
{
	struct hubdb_device d;
	char id[KEYS_ID_HEXLEN + 1];
	struct terr e;
	bool found = false;

	keys_id_hex(pk, id);
	CHECK_INT_EQ(hubdb_device_get(db, id, &d, &found, &e), 0);
	return found;
}

static void
test_refusals(struct hubdb *db)
{
	static const char *const bad_keys[] = {
		/* all zero: y = 0, a point of order 4 */
		"0000000000000000000000000000000000000000000000000000000000000000",
		/* the identity */
		"0100000000000000000000000000000000000000000000000000000000000000",
		/* a point of order 8 */
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		/* y = p + 1: a non-canonical encoding (of the identity) */
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		/* y = p + 3 */
		"f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		/* the identity with the sign bit set (x = 0 written as negative) */
		"0100000000000000000000000000000000000000000000000000000000000080",
	};
	char tok[TOKENS_TEXT_MAX + 1], ctok[TOKENS_TEXT_MAX + 1], tok2[TOKENS_TEXT_MAX + 1];
	char ans[4096];
	struct keys_sign a, b, c;
	uint8_t pk[32];
	struct terr e;

	keys_sign_generate(&a);
	keys_sign_generate(&b);
	keys_sign_generate(&c);
	CHECK_INT_EQ(tokens_create(db, "school", "", "170103", 3600, tok, &e), 0);
	/* a PC set up for 170104 with 170103's token: refused, nothing spent */
	CHECK_INT_EQ(post(db, tok, a.pk, "[\"170104\"]", NULL, ans), 409);
	CHECK_CONTAINS(ans, "school_mismatch");
	CHECK_CONTAINS(ans, "выдан для школы 170103");
	CHECK_CONTAINS(ans, "подготовлено для школы 170104");
	CHECK(!registered(db, a.pk));
	/* an old program's request (no schools): refused, nothing spent */
	CHECK_INT_EQ(post(db, tok, b.pk, NULL, NULL, ans), 400);
	CHECK_CONTAINS(ans, "schools");
	CHECK(!registered(db, b.pk));
	/* keys that cannot sign, and the hub's own */
	for (size_t i = 0; i < sizeof(bad_keys) / sizeof(bad_keys[0]); i++) {
		CHECK_INT_EQ(keys_unhex(bad_keys[i], pk, 32), 0);
		CHECK(tokens_key_unusable(pk, &enc, &sign) != NULL);
		CHECK_INT_EQ(post(db, tok, pk, "[\"170103\"]", NULL, ans), 400);
		CHECK_CONTAINS(ans, "key_unusable");
		CHECK(!registered(db, pk));
	}
	CHECK_INT_EQ(post(db, tok, sign.pk, "[\"170103\"]", NULL, ans), 400);
	CHECK_CONTAINS(ans, "ключ подписи самого хаба");
	CHECK_INT_EQ(post(db, tok, enc.pk, "[\"170103\"]", NULL, ans), 400);
	CHECK_CONTAINS(ans, "ключ шифрования самого хаба");
	CHECK(tokens_key_unusable(a.pk, &enc, &sign) == NULL);
	/* NUL inside a string, text after the object: the parser's 400 */
	CHECK_INT_EQ(post(db, tok, b.pk, "[\"170103\"]", ",\"label\":\"ok\\u0000\\u0007\"", ans), 400);
	CHECK_CONTAINS(ans, "NUL");
	CHECK_INT_EQ(post(db, tok, b.pk, "[\"170103\"]", "} x", ans), 400);
	CHECK_INT_EQ(post(db, tok, b.pk, "[\"170103\"]", "}{}", ans), 400);
	CHECK_INT_EQ(post(db, tok, b.pk, "[\"170103\",\"170103\"]", NULL, ans), 400);
	CHECK_INT_EQ(post(db, tok, b.pk, "[\"17\\u00010\"]", NULL, ans), 400);
	CHECK(!registered(db, b.pk));
	/* the token still serves the right school */
	CHECK_INT_EQ(post(db, tok, b.pk, "[\"170103\"]", NULL, ans), 200);
	CHECK_CONTAINS(ans, "\"schools\":[\"170103\"]");
	/* and the wrong PC enrolls with its own school's token */
	CHECK_INT_EQ(tokens_create(db, "school", "", "170104", 3600, tok2, &e), 0);
	CHECK_INT_EQ(post(db, tok2, a.pk, "[\"170104\"]", NULL, ans), 200);
	CHECK_CONTAINS(ans, "\"schools\":[\"170104\"]");

	/* curators: the device's school must be one of the token's */
	CHECK_INT_EQ(tokens_create(db, "curator", "К.", "170103,170104", 3600, ctok, &e), 0);
	CHECK_INT_EQ(post(db, ctok, c.pk, "[\"170105\"]", NULL, ans), 409);
	CHECK_CONTAINS(ans, "170103,170104");
	CHECK_CONTAINS(ans, "170105");
	CHECK_INT_EQ(post(db, ctok, c.pk, "[\"170104\",\"170105\"]", NULL, ans), 409);
	CHECK(!registered(db, c.pk));
	CHECK_INT_EQ(post(db, ctok, c.pk, "[\"170104\"]", NULL, ans), 200);
	CHECK_CONTAINS(ans, "\"kind\":\"curator\"");
	CHECK(tokens_schools_fit("", "170103"));
	CHECK(tokens_schools_fit("170103", "170103"));
	CHECK(!tokens_schools_fit("1701", "170103"));
	CHECK(tokens_schools_fit("170104,170103", "170103,170104"));
	CHECK(!tokens_schools_fit("170103,170105", "170103,170104"));

	/* a key registered for 170103 (an old program enrolled it there) asks
	 * with 170104's token: refused, token unspent */
	{
		struct keys_sign old, other;
		char t3[TOKENS_TEXT_MAX + 1], t4[TOKENS_TEXT_MAX + 1];

		keys_sign_generate(&old);
		keys_sign_generate(&other);
		CHECK_INT_EQ(tokens_create(db, "school", "", "170103", 3600, t3, &e), 0);
		CHECK_INT_EQ(post(db, t3, old.pk, "[]", NULL, ans), 200);
		CHECK_INT_EQ(tokens_create(db, "school", "", "170104", 3600, t4, &e), 0);
		CHECK_INT_EQ(post(db, t4, old.pk, "[\"170104\"]", NULL, ans), 409);
		CHECK_CONTAINS(ans, "key_registered");
		CHECK_CONTAINS(ans, "170103");
		CHECK_INT_EQ(post(db, t4, other.pk, "[\"170104\"]", NULL, ans), 200);
	}
	/* registered for 170103 already, a new 170103 token: the same answer,
	 * and the new token is still there for another PC */
	{
		struct keys_sign k, other;
		char t5[TOKENS_TEXT_MAX + 1], t6[TOKENS_TEXT_MAX + 1], first[4096];

		keys_sign_generate(&k);
		keys_sign_generate(&other);
		CHECK_INT_EQ(tokens_create(db, "school", "", "170106", 3600, t5, &e), 0);
		CHECK_INT_EQ(post(db, t5, k.pk, "[\"170106\"]", NULL, first), 200);
		CHECK_INT_EQ(tokens_create(db, "school", "", "170106", 3600, t6, &e), 0);
		CHECK_INT_EQ(post(db, t6, k.pk, "[\"170106\"]", NULL, ans), 200);
		CHECK_STR_EQ(ans, first);
		CHECK_INT_EQ(post(db, t6, other.pk, "[\"170106\"]", NULL, ans), 200);
		CHECK_INT_EQ(post(db, t6, k.pk, "[\"170106\"]", NULL, ans), 410);
	}
}

/*
 * Refusals need no write lock: with another handle holding it, a wrong
 * token, another school and an unusable key are answered at once (a write
 * would wait the store's busy timeout, 5 s, and fail with TERR_BUSY).
 */
static void
test_no_write_lock(struct hubdb *db, const char *path)
{
	struct hubdb *other = NULL;
	char tok[TOKENS_TEXT_MAX + 1], ans[4096];
	struct keys_sign k;
	uint8_t zero[32] = { 0 };
	struct terr e;
	time_t t0;

	keys_sign_generate(&k);
	CHECK_INT_EQ(tokens_create(db, "school", "", "170120", 3600, tok, &e), 0);
	CHECK_INT_EQ(hubdb_open(path, &other, &e), 0);
	if (other == NULL)
		return;
	CHECK_INT_EQ(hubdb_begin(other, &e), 0);
	t0 = time(NULL);
	CHECK_INT_EQ(post(db, "AAAA-BBBB-CCCC-DDDD-EEEE", k.pk, "[]", NULL, ans), 403);
	CHECK_INT_EQ(post(db, tok, k.pk, "[\"170121\"]", NULL, ans), 409);
	CHECK_INT_EQ(post(db, tok, zero, "[]", NULL, ans), 400);
	CHECK(time(NULL) - t0 < 3);
	hubdb_rollback(other);
	hubdb_close(other);
	CHECK_INT_EQ(post(db, tok, k.pk, "[\"170120\"]", NULL, ans), 200);
}

/* A request signed with k (wire_enroll_req_sign), as syncd sends it. */
static int
post_signed(struct hubdb *db, const char *tok, const struct keys_sign *k, const char *schools,
    bool break_sig, char *ans)
{
	struct wire_enroll_req q;
	struct tbuf *b = tbuf_new(WIRE_ENROLL_REQ_MAX), *out = tbuf_new(16384);
	struct terr e;
	int http = 0;

	memset(&q, 0, sizeof(q));
	snprintf(q.token, sizeof(q.token), "%s", tok);
	memcpy(q.device_pk, k->pk, 32);
	q.have_schools = true;
	snprintf(q.schools, sizeof(q.schools), "%s", schools);
	wire_enroll_req_sign(&q, k->sk);
	if (break_sig)
		q.sig[5] ^= 1;
	CHECK_INT_EQ(wire_enroll_req_write(b, &q, &e), 0);
	CHECK_INT_EQ(tokens_enroll(db, &enc, &sign, (const char *)tbuf_ptr(b), tbuf_len(b), &http,
	    out, &e), 0);
	tbuf_terminate(out);
	snprintf(ans, 4096, "%s", (const char *)tbuf_ptr(out));
	tbuf_free(b);
	tbuf_free(out);
	return http;
}

/*
 * A key registered for 170130 that never sent anything, asking with
 * 170131's token: unsigned 409; a broken signature 400; signed, re-bound
 * to 170131 (the token spent). Once it has sent something (watermark) or
 * is revoked, a signed request is refused 409 too.
 */
static void
test_rebind(struct hubdb *db)
{
	char t0[TOKENS_TEXT_MAX + 1], t1[TOKENS_TEXT_MAX + 1], ans[4096], id[KEYS_ID_HEXLEN + 1];
	struct hubdb_device d;
	struct keys_sign k, other;
	uint8_t h[CHANGESET_HASH_BYTES] = { 1 };
	struct terr e;
	bool found;

	keys_sign_generate(&k);
	keys_sign_generate(&other);
	keys_id_hex(k.pk, id);
	CHECK_INT_EQ(tokens_create(db, "school", "", "170130", 3600, t0, &e), 0);
	CHECK_INT_EQ(post(db, t0, k.pk, "[]", NULL, ans), 200);
	CHECK_INT_EQ(tokens_create(db, "school", "", "170131", 3600, t1, &e), 0);
	CHECK_INT_EQ(post(db, t1, k.pk, "[\"170131\"]", NULL, ans), 409);
	CHECK_INT_EQ(post_signed(db, t1, &k, "170131", true, ans), 400);
	CHECK_CONTAINS(ans, "подпись");
	/* a signature by another key over this key's request */
	{
		struct keys_sign mix = other;

		memcpy(mix.pk, k.pk, 32);
		CHECK_INT_EQ(post_signed(db, t1, &mix, "170131", false, ans), 400);
	}
	CHECK_INT_EQ(post_signed(db, t1, &k, "170131", false, ans), 200);
	CHECK_CONTAINS(ans, "\"schools\":[\"170131\"]");
	CHECK_INT_EQ(hubdb_device_get(db, id, &d, &found, &e), 0);
	CHECK_STR_EQ(d.schools, "170131");
	CHECK_INT_EQ(post(db, t1, other.pk, "[]", NULL, ans), 410);      /* spent */
	/* after it has sent something: no more re-binding */
	CHECK_INT_EQ(hubdb_device_set_head(db, id, 1, h, &e), 0);
	CHECK_INT_EQ(tokens_create(db, "school", "", "170132", 3600, t0, &e), 0);
	CHECK_INT_EQ(post_signed(db, t0, &k, "170132", false, ans), 409);
	CHECK_CONTAINS(ans, "key_registered");
	CHECK_INT_EQ(post(db, t0, other.pk, "[]", NULL, ans), 200);      /* unspent */
	/* revoked: neither */
	keys_sign_generate(&k);
	keys_id_hex(k.pk, id);
	CHECK_INT_EQ(tokens_create(db, "school", "", "170133", 3600, t0, &e), 0);
	CHECK_INT_EQ(post(db, t0, k.pk, "[]", NULL, ans), 200);
	CHECK_INT_EQ(hubdb_device_revoke(db, id, &e), 0);
	CHECK_INT_EQ(tokens_create(db, "school", "", "170134", 3600, t1, &e), 0);
	CHECK_INT_EQ(post_signed(db, t1, &k, "170134", false, ans), 403);
	CHECK_CONTAINS(ans, "device_revoked");
	CHECK_CONTAINS(ans, "отозвано на хабе");
	/* the store's own guard: a revoked device is not re-bound */
	CHECK_INT_EQ(hubdb_device_revoke(db, id, &e), TERR_ARG);
	memset(&d, 0, sizeof(d));
	snprintf(d.id, sizeof(d.id), "%s", id);
	snprintf(d.kind, sizeof(d.kind), "school");
	snprintf(d.schools, sizeof(d.schools), "170134");
	CHECK_INT_EQ(hubdb_device_rebind(db, &d, &e), TERR_ARG);
}

int
main(void)
{
	struct hubdb *db = NULL;
	struct terr e;
	char path[512], cmd[600];

	CHECK_INT_EQ(keys_init(&e), 0);
	snprintf(dir, sizeof(dir), "/tmp/test_tokens.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	keys_enc_generate(&enc);
	keys_sign_generate(&sign);
	test_store(path, sizeof(path), dir, "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db != NULL) {
		test_tokens(db);
		test_refusals(db);
		test_no_write_lock(db, path);
		test_rebind(db);
	}
	hubdb_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
