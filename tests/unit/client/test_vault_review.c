/*
 * test_vault_review — the defects a security review of issue 21 found, one
 * test each: a removed key row with sealed values left (H), «скрыто» sent
 * back by `edit --json` / `new --json` (A), hidden values of group items
 * kept with their own items through edits (C), the weak test limits
 * reported (D), the wrong-attempt counter outside the caller's
 * transaction (E), the Argon2id caps (F), a failed reload after a failed
 * change (G).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "store_fixture.h"
#include "client/catalog.h"
#include "client/passphrase.h"
#include "client/rec.h"
#include "client/store.h"
#include "client/vault.h"
#include "tetrad/form.h"

static char tmpdir[] = "/tmp/test_vault_review.XXXXXX";
static char builtin[512];

#define PASS "верный пароль 1"
#define NAME1 "Зюзикова Аглая"
#define NAME2 "Пряников Тимофей"

static const char form_case[] =
"{\"format\":1,\"id\":\"t_case\",\"version\":1,\"title\":\"Случай\","
" \"fields\":["
"  {\"id\":\"title\",\"label\":\"Название\",\"type\":\"text\",\"required\":true},"
"  {\"id\":\"secret\",\"label\":\"Суть\",\"type\":\"text\",\"sync\":\"local\"},"
"  {\"id\":\"people\",\"label\":\"Стороны\",\"type\":\"group\",\"max_items\":5,\"fields\":["
"    {\"id\":\"name\",\"label\":\"ФИО\",\"type\":\"text\",\"sync\":\"local\"},"
"    {\"id\":\"age\",\"label\":\"Возраст\",\"type\":\"integer\",\"min\":1}]}"
" ]}";




static int
new_json(struct store *s, const struct catalog *c, const char *json,
    uint8_t id[UUID7_BYTES], struct terr *e)
{
	struct form_problems *pr = NULL;
	cJSON *v = cJSON_Parse(json);
	int r = rec_new(s, c, "t_case", NULL, v, false, id, &pr, e);

	form_problems_free(pr);
	cJSON_Delete(v);
	return r;
}


/* The record as the store gives it (NULL on error). */
static char *
data_of(struct store *s, const uint8_t id[UUID7_BYTES])
{
	struct localdb_record *r = NULL;
	struct terr e = { 0 };
	char *d = NULL;

	if (store_record_get(s, id, &r, &e) == 0)
		d = strdup(r->data);
	store_record_free(r);
	return d;
}

static bool
has(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

/* H: meta "vault" emptied by hand while records hold sealed values. */
static void
test_key_removed(const struct catalog *c)
{
	char db[512];
	struct store *s = NULL;
	struct passphrase_report rep;
	struct terr e = { 0 };
	uint8_t id[UUID7_BYTES];

	if ((s = device_at(tmpdir, "removed.db", db, sizeof(db))) == NULL)
		return;
	CHECK_INT_EQ(new_json(s, c, "{\"title\":\"Т\",\"secret\":\"тайна\"}", id, &e), 0);
	CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e), 0);
	CHECK_INT_EQ(sqlite3_exec(store_db(s), "UPDATE meta SET value='' WHERE key='vault'",
	    NULL, NULL, NULL), SQLITE_OK);
	store_close(s);
	s = NULL;
	CHECK_INT_EQ(store_open(db, false, &s, &e), TERR_PARSE);
	CHECK(s == NULL && has(e.msg, "повреждён") && has(e.msg, "passphrase reset"));
	store_close(s);
	s = NULL;
	/* as a damaged row: `passphrase reset` opens it and starts afresh */
	CHECK_INT_EQ(store_open_damaged(db, &s, &e), 0);
	if (s != NULL) {
		CHECK(store_vault_damaged(s));
		CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e),
		    TERR_ARG);
		CHECK_INT_EQ(passphrase_reset(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e), 0);
		CHECK_INT_EQ(rep.dropped, 1);
		store_close(s);
		s = NULL;
	}
	CHECK_INT_EQ(store_open(db, false, &s, &e), 0);
	CHECK(s != NULL && store_locked(s));
	store_close(s);
	s = NULL;
	/* and emptied again */
	{
		sqlite3 *h = NULL;

		CHECK_INT_EQ(sqlite3_open(db, &h), SQLITE_OK);
		CHECK_INT_EQ(sqlite3_exec(h, "UPDATE records SET sealed=x'00'", NULL, NULL,
		    NULL), SQLITE_OK);
		sqlite3_close(h);
	}
	/* absent, not only empty */
	{
		sqlite3 *h = NULL;

		CHECK_INT_EQ(sqlite3_open(db, &h), SQLITE_OK);
		CHECK_INT_EQ(sqlite3_exec(h, "DELETE FROM meta WHERE key='vault'", NULL, NULL,
		    NULL), SQLITE_OK);
		sqlite3_close(h);
	}
	CHECK_INT_EQ(store_open(db, false, &s, &e), TERR_PARSE);
	store_close(s);
	/* without sealed rows an empty row is "no passphrase", as before */
	{
		sqlite3 *h = NULL;

		CHECK_INT_EQ(sqlite3_open(db, &h), SQLITE_OK);
		CHECK_INT_EQ(sqlite3_exec(h, "UPDATE records SET sealed=NULL", NULL, NULL,
		    NULL), SQLITE_OK);
		sqlite3_close(h);
	}
	s = NULL;
	CHECK_INT_EQ(store_open(db, false, &s, &e), 0);
	CHECK(s != NULL && vault_state(store_vault(s)) == VAULT_NONE);
	store_close(s);
}

#define CASE2 "{\"title\":\"Т\",\"secret\":\"тайна\",\"people\":[" \
	"{\"name\":\"" NAME1 "\",\"age\":12},{\"name\":\"" NAME2 "\",\"age\":13}]}"

/* A: what a locked `show --json` printed, sent back by `edit --json`. */
static void
test_hidden_sent_back(const struct catalog *c)
{
	char db[512], *d;
	struct store *s = NULL;
	struct passphrase_report rep;
	struct terr e = { 0 };
	uint8_t id[UUID7_BYTES], id2[UUID7_BYTES];

	if ((s = device_at(tmpdir, "back.db", db, sizeof(db))) == NULL)
		return;
	CHECK_INT_EQ(new_json(s, c, CASE2, id, &e), 0);
	CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e), 0);
	if ((s = reopen(s, db)) == NULL)
		return;
	/* locked: a top-level «скрыто» keeps the sealed value */
	CHECK_INT_EQ(edit(s, c, id, "{\"title\":\"Т1\",\"secret\":\"" VAULT_HIDDEN "\"}",
	    &e), 0);
	CHECK_INT_EQ(vault_unlock(store_vault(s), store_localdb(s), PASS, strlen(PASS), &e), 0);
	/* open: the whole record as show printed it while locked */
	CHECK_INT_EQ(edit(s, c, id, "{\"title\":\"Т2\",\"secret\":\"" VAULT_HIDDEN "\","
	    "\"people\":[{\"name\":\"" VAULT_HIDDEN "\",\"age\":12},"
	    "{\"name\":\"" VAULT_HIDDEN "\",\"age\":13}]}", &e), 0);
	d = data_of(s, id);
	CHECK(has(d, "тайна") && has(d, NAME1) && has(d, NAME2) && has(d, "Т2"));
	CHECK(!has(d, VAULT_HIDDEN));
	free(d);
	/* the first party deleted from the file: the second keeps its own */
	CHECK_INT_EQ(edit(s, c, id, "{\"people\":[{\"name\":\"" VAULT_HIDDEN "\","
	    "\"age\":13}]}", &e), 0);
	d = data_of(s, id);
	CHECK(has(d, NAME2) && !has(d, NAME1) && !has(d, VAULT_HIDDEN));
	free(d);
	/* its age corrected in place: still its own */
	CHECK_INT_EQ(edit(s, c, id, "{\"people\":[{\"name\":\"" VAULT_HIDDEN "\","
	    "\"age\":14}]}", &e), 0);
	d = data_of(s, id);
	CHECK(has(d, NAME2) && has(d, "14") && !has(d, VAULT_HIDDEN));
	free(d);
	/* an item that matches no stored one: refused, nothing written */
	CHECK_INT_EQ(edit(s, c, id, "{\"people\":[{\"age\":5},{\"name\":\"" VAULT_HIDDEN
	    "\",\"age\":6}]}", &e), TERR_INVALID);
	CHECK(has(e.msg, VAULT_HIDDEN));
	d = data_of(s, id);
	CHECK(has(d, NAME2) && has(d, "14"));
	free(d);
	/* new --json of such a copy: no value, never the word */
	CHECK_INT_EQ(new_json(s, c, "{\"title\":\"Н\",\"secret\":\"" VAULT_HIDDEN "\","
	    "\"people\":[{\"name\":\"" VAULT_HIDDEN "\",\"age\":7}]}", id2, &e), 0);
	d = data_of(s, id2);
	CHECK(d != NULL && !has(d, VAULT_HIDDEN) && !has(d, "secret") && has(d, "7"));
	free(d);
	store_close(s);
}

/* C: another device removed a party (a pull writes the hub part, the
 * sealed values stay): the remaining party keeps its own name. */
static void
test_party_removed(const struct catalog *c)
{
	char db[512], *d;
	struct store *s = NULL;
	struct passphrase_report rep;
	struct terr e = { 0 };
	uint8_t id[UUID7_BYTES];

	if ((s = device_at(tmpdir, "pulled.db", db, sizeof(db))) == NULL)
		return;
	CHECK_INT_EQ(new_json(s, c, CASE2, id, &e), 0);
	CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e), 0);
	if ((s = reopen(s, db)) == NULL)
		return;
	/* locked: replacing a party (one removed, one added) is refused */
	CHECK_INT_EQ(edit(s, c, id, "{\"people\":[{\"age\":13},{\"age\":77}]}", &e),
	    TERR_PASSPHRASE);
	CHECK_INT_EQ(sqlite3_exec(store_db(s), "UPDATE records SET "
	    "data = json_remove(data, '$.people[0]')", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(vault_unlock(store_vault(s), store_localdb(s), PASS, strlen(PASS), &e), 0);
	d = data_of(s, id);
	CHECK(has(d, NAME2) && !has(d, NAME1) && !has(d, FORM_FP_KEY));
	free(d);
	CHECK_INT_EQ(store_unpaired(s), 1);
	/* the group removed by a pull: the parties do not come back */
	CHECK_INT_EQ(sqlite3_exec(store_db(s), "UPDATE records SET "
	    "data = json_remove(data, '$.people')", NULL, NULL, NULL), SQLITE_OK);
	d = data_of(s, id);
	CHECK(!has(d, NAME2) && !has(d, NAME1) && !has(d, "people") && has(d, "тайна"));
	free(d);
	CHECK_INT_EQ(sqlite3_exec(store_db(s), "UPDATE records SET "
	    "data = json_set(data, '$.people', json('null'))", NULL, NULL, NULL), SQLITE_OK);
	d = data_of(s, id);
	CHECK(!has(d, NAME2) && has(d, "\"people\":null"));
	free(d);
	store_close(s);
}

/* G: the vault read back after a failed change does not read: the store
 * must not keep sealing with the key it held. */
static void
test_reload_fails(const struct catalog *c)
{
	char db[512];
	struct store *s = NULL;
	struct passphrase_report rep;
	struct terr e = { 0 };
	uint8_t id[UUID7_BYTES];

	if ((s = device_at(tmpdir, "reload.db", db, sizeof(db))) == NULL)
		return;
	CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e), 0);
	CHECK_INT_EQ(vault_state(store_vault(s)), VAULT_OPEN);
	CHECK_INT_EQ(sqlite3_exec(store_db(s), "UPDATE meta SET value='{\"v\":9}' "
	    "WHERE key='vault'", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(store_vault_reload(s, &e), TERR_PARSE);
	CHECK(store_locked(s));
	CHECK_INT_EQ(new_json(s, c, "{\"title\":\"Т\",\"secret\":\"тайна\"}", id, &e),
	    TERR_PASSPHRASE);
	CHECK_INT_EQ(vault_seal(store_vault(s), id, "{}", 2, &(uint8_t *){ NULL },
	    &(size_t){ 0 }, &e) != 0, 1);
	store_close(s);
}

/* D: the test limits are reported, the defaults are not weak. */
static void
test_weak_limits(void)
{
	struct vault_limits l;

	vault_limits_default(&l);
	CHECK(vault_limits_weak(&l));          /* main sets TETRAD_PWHASH=test */
	unsetenv("TETRAD_PWHASH");
	vault_limits_default(&l);
	CHECK(!vault_limits_weak(&l));
	setenv("TETRAD_PWHASH", "test", 1);
	l.ops = 2;
	CHECK(vault_limits_weak(&l));
}

int
main(void)
{
	struct catalog *c = NULL;
	struct terr e = { 0 };

	setenv("TETRAD_PWHASH", "test", 1);
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(builtin, sizeof(builtin), "%s/builtin", tmpdir);
	mkdir(builtin, 0700);
	write_file(builtin, "t_case.json", form_case);
	CHECK_INT_EQ(catalog_load(builtin, NULL, &c, &e), 0);
	if (c != NULL) {
		test_key_removed(c);
		test_hidden_sent_back(c);
		test_party_removed(c);
		test_reload_fails(c);
		test_weak_limits();
	}
	catalog_free(c);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return check_summary();
}
