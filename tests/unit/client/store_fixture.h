/*
 * store_fixture — a school device's store for the client's unit tests that
 * work on whole databases (test_passphrase, test_vault_review): a fresh
 * store with a device identity, a reopen, an edit, and a form file written
 * into a folder. Static, like check.h; include check.h first.
 */
#ifndef TETRAD_TEST_STORE_FIXTURE_H
#define TETRAD_TEST_STORE_FIXTURE_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "client/catalog.h"
#include "client/rec.h"
#include "client/store.h"

static void
write_file(const char *dir, const char *name, const char *text)
{
	char p[600];
	FILE *fp;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if ((fp = fopen(p, "w")) != NULL) {
		fputs(text, fp);
		fclose(fp);
	}
}

/* A school device's store at dir/name (path receives it), fresh. */
static struct store *
device_at(const char *dir, const char *name, char *path, size_t cap)
{
	struct store *s = NULL;
	struct terr e = { 0 };

	snprintf(path, cap, "%s/%s", dir, name);
	CHECK_INT_EQ(store_open(path, true, &s, &e), 0);
	if (s == NULL)
		return NULL;
	CHECK_INT_EQ(store_meta_set(s, "device_id", "a1b2c3d4e5f60718", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_kind", "school", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "device_schools", "170103", &e), 0);
	CHECK_INT_EQ(store_meta_set(s, "school", "170103", &e), 0);
	return s;
}

static struct store *
reopen(struct store *s, const char *path)
{
	struct terr e = { 0 };

	store_close(s);
	s = NULL;
	CHECK_INT_EQ(store_open(path, false, &s, &e), 0);
	return s;
}

/* rec_edit of the record id with the changes in json. */
static int
edit(struct store *s, const struct catalog *c, const uint8_t id[UUID7_BYTES],
    const char *json, struct terr *e)
{
	struct form_problems *pr = NULL;
	cJSON *ch = cJSON_Parse(json);
	int r = rec_edit(s, c, id, ch, &pr, e);

	form_problems_free(pr);
	cJSON_Delete(ch);
	return r;
}

#endif
