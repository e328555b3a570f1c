/*
 * fuzz_wire_enroll_hub — hostile bytes as the body of POST /v1/enroll into
 * the hub's handler (tokens_enroll) on a real store holding one valid
 * school token and one curator token (their texts are in the corpus; the
 * store keeps its state between inputs, so a token once spent stays
 * spent). Whatever the body: the handler
 * answers 200 with an answer syncd can parse, or 400/403/409/410 with an
 * error body syncd can parse; a refusal registers no device and spends no
 * token; a key that cannot sign is never registered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "hub/hubdb.h"
#include "hub/tokens.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hubdb *db;
static struct keys_enc enc;
static struct keys_sign sign;

static int
fuzz_count(void *ctx, size_t n, const struct hubdb_col *cols)
{
	(void)n;
	(void)cols;
	(*(int *)ctx)++;
	return 0;
}

static int
fuzz_rows(enum hubdb_listing what)
{
	struct terr e;
	int n = 0;

	if (hubdb_list(db, what, fuzz_count, &n, &e) != 0)
		abort();
	return n;
}

static void
fuzz_token(const char *norm, const char *kind, const char *schools)
{
	struct hubdb_token t;
	struct terr e;

	memset(&t, 0, sizeof(t));
	crypto_generichash(t.hash, sizeof(t.hash), (const uint8_t *)norm, strlen(norm), NULL, 0);
	snprintf(t.kind, sizeof(t.kind), "%s", kind);
	snprintf(t.schools, sizeof(t.schools), "%s", schools);
	t.expires_at = INT64_MAX / 2;
	if (hubdb_token_add(db, &t, &e) != 0)
		abort();
}

static void
fuzz_open(void)
{
	char dir[] = "/tmp/fuzz_enroll_hub.XXXXXX", path[64], tok[TOKENS_TEXT_MAX + 1];
	struct terr e;

	if (keys_init(&e) != 0 || mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/hub.db", dir);
	keys_enc_generate(&enc);
	keys_sign_generate(&sign);
	if (hubdb_open(path, &db, &e) != 0 ||
	    tokens_create(db, "school", "Ш", "170103", 3600, tok, &e) != 0)
		abort();
	/* tokens the corpus knows (a random one would never be hit): their
	 * hash as tokens.c stores it, of the normalised text */
	fuzz_token("7RJ19FGR38N0477DRH9K", "school", "170103");
	fuzz_token("AAAABBBBCCCCDDDDEEEE", "curator", "170103,170104");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tbuf *out = tbuf_new(16384);
	struct wire_enroll_ans a;
	struct wire_error we;
	struct terr e;
	const char *why = NULL;
	int http = 0, before, r;

	if (out == NULL)
		return 0;
	if (db == NULL)
		fuzz_open();
	before = fuzz_rows(HUBDB_LIST_DEVICES);
	terr_clear(&e);
	r = tokens_enroll(db, &enc, &sign, (const char *)data, size, &http, out, &e);
	if (r != 0)
		abort();        /* a store failure: not from hostile bytes */
	if (http == 200) {
		struct tokens_enroll_req q;

		if (wire_enroll_ans_parse(tbuf_ptr(out), tbuf_len(out), &a, &e) != 0 ||
		    tokens_parse_enroll((const char *)data, size, &q, &e) != 0)
			abort();
		why = tokens_key_unusable(q.device_pk, &enc, &sign);
		if (why != NULL)
			abort();
		if (fuzz_rows(HUBDB_LIST_DEVICES) < before)
			abort();
	} else {
		if ((http != 400 && http != 403 && http != 409 && http != 410) ||
		    wire_error_parse(tbuf_ptr(out), tbuf_len(out), &we, &e) != 0 ||
		    fuzz_rows(HUBDB_LIST_DEVICES) != before)
			abort();
	}
	tbuf_free(out);
	return 0;
}
