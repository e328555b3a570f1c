/*
 * test_tokens — enrollment tokens on a real store: a token typed in lower
 * case without dashes still enrolls, an expired one answers 410
 * token_expired, garbage 400; what was stored (two tokens, one device: the
 * expired token enrolled nobody).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hub/hubdb.h"
#include "hub/tokens.h"

static char dir[256];
static struct keys_enc enc;
static struct keys_sign sign;

static int
count_rows(void *ctx, int n, const char *const *names, const char *const *vals)
{
	(void)names;
	(void)vals;
	(void)n;
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
		snprintf(body, sizeof(body), "{\"token\":\"%s\",\"device_pk\":\"%s\"}", lower, pk);
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
		snprintf(body, sizeof(body), "{\"token\":\"%s\",\"device_pk\":\"%s\"}", tok, pk);
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
	snprintf(path, sizeof(path), "%s/hub.db", dir);
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	if (db != NULL)
		test_tokens(db);
	hubdb_close(db);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
