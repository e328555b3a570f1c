/*
 * test_passphrase — the store with a vault and the passphrase's life:
 * planted names are nowhere in the database file, its WAL or shm after
 * `set` (also as UTF-16 and JSON escapes, also the versions edited away
 * before), and read back exactly with the passphrase; a locked store keeps
 * hidden values through hub-only edits and deletes and refuses new ones;
 * change, remove, reset, records of unknown forms, a scrub a reader holds
 * up and store_open finishing it; the cost of reading 10,000 records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "store_fixture.h"
#include "plant_search.h"
#include "client/catalog.h"
#include "client/passphrase.h"
#include "client/rec.h"
#include "client/store.h"
#include "client/vault.h"

static char tmpdir[] = "/tmp/test_passphrase.XXXXXX";
static char builtin[512];

#define PASS "верный пароль 1"
#define PASS2 "новый пароль 22"
#define PLANT_NAME "Зюзикова Аглая"
#define PLANT_PHONE "+7 913 555-01-77"
#define PLANT_SECRET "Драка на перемене из-за Зюзиковой"

/* what the byte search looks for: parts of every planted value */
static const char *const plants[] = { "Зюзиков", "Аглая", "913 555", "перемене" };
#define PLANTS plants, sizeof(plants) / sizeof(plants[0])

static const char form_case[] =
"{\"format\":1,\"id\":\"t_case\",\"version\":1,\"title\":\"Случай\","
" \"fields\":["
"  {\"id\":\"title\",\"label\":\"Название\",\"type\":\"text\",\"required\":true},"
"  {\"id\":\"secret\",\"label\":\"Суть\",\"type\":\"text\",\"sync\":\"local\"},"
"  {\"id\":\"people\",\"label\":\"Стороны\",\"type\":\"group\",\"max_items\":5,\"fields\":["
"    {\"id\":\"name\",\"label\":\"ФИО\",\"type\":\"text\",\"sync\":\"local\"},"
"    {\"id\":\"phone\",\"label\":\"Телефон\",\"type\":\"text\",\"sync\":\"local\"},"
"    {\"id\":\"age\",\"label\":\"Возраст\",\"type\":\"integer\",\"min\":1}]}"
" ]}";

static const char form_plain[] =
"{\"format\":1,\"id\":\"t_plain\",\"version\":1,\"title\":\"Без скрытых\","
" \"fields\":[{\"id\":\"note\",\"label\":\"Заметка\",\"type\":\"text\"}]}";


static long long
q_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v = -999;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}



/* A t_case record: title, secret, one party with name and phone. */
static int
new_case(struct store *s, const struct catalog *c, const char *title,
    const char *secret, const char *name, bool draft, uint8_t id[UUID7_BYTES],
    struct terr *e)
{
	struct form_problems *pr = NULL;
	cJSON *v = cJSON_CreateObject(), *people, *p;
	int r;

	cJSON_AddStringToObject(v, "title", title);
	if (secret)
		cJSON_AddStringToObject(v, "secret", secret);
	people = cJSON_AddArrayToObject(v, "people");
	p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "age", 12);
	cJSON_AddItemToArray(people, p);
	p = cJSON_CreateObject();
	if (name) {
		cJSON_AddStringToObject(p, "name", name);
		cJSON_AddStringToObject(p, "phone", PLANT_PHONE);
	}
	cJSON_AddNumberToObject(p, "age", 13);
	cJSON_AddItemToArray(people, p);
	r = rec_new(s, c, "t_case", NULL, v, draft, id, &pr, e);
	form_problems_free(pr);
	cJSON_Delete(v);
	return r;
}


/* The record's data as stored (raw) or as the store gives it. */
static char *
data_of(struct store *s, const uint8_t id[UUID7_BYTES], bool raw, bool *sealed)
{
	struct localdb_record *r = NULL;
	struct terr e = { 0 };
	char *d = NULL;

	if ((raw ? localdb_record_get(store_localdb(s), id, &r, &e) :
	    store_record_get(s, id, &r, &e)) == 0) {
		d = strdup(r->data);
		if (sealed)
			*sealed = r->sealed != NULL;
	}
	store_record_free(r);
	return d;
}

/* Meta PASSPHRASE_META_UNSEALED is "1" (else absent). */
static bool
unsealed_flag(struct store *s)
{
	struct terr e = { 0 };
	char *v = NULL;
	bool set;

	CHECK_INT_EQ(store_meta_get(s, PASSPHRASE_META_UNSEALED, &v, &e), 0);
	set = v != NULL && strcmp(v, "1") == 0;
	CHECK(v == NULL || set);
	free(v);
	return set;
}

static bool
has(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

/* ---- tests ----------------------------------------------------------- */

static void
test_set_scrub(const struct catalog *c)
{
	char db[512], rk[VAULT_RECOVERY_TEXT], *d;
	struct store *s = NULL;
	struct passphrase_report rep;
	struct passphrase_status ps;
	struct terr e = { 0 };
	uint8_t id[UUID7_BYTES], id2[UUID7_BYTES], id3[UUID7_BYTES];
	bool sealed = false;
	cJSON *got, *want;

	if ((s = device_at(tmpdir, "scrub.db", db, sizeof(db))) == NULL)
		return;
	CHECK(!store_locked(s));
	CHECK_INT_EQ(vault_state(store_vault(s)), VAULT_NONE);
	CHECK_INT_EQ(new_case(s, c, "Случай 1", PLANT_SECRET " (черновик)", PLANT_NAME "-0",
	    false, id, &e), 0);
	/* edited a few times: older versions sit in free pages and the WAL */
	for (int i = 1; i <= 4; i++) {
		char j[256];

		snprintf(j, sizeof(j), "{\"secret\":\"" PLANT_SECRET " %d\","
		    "\"people\":[{\"age\":12},{\"age\":13,\"name\":\"" PLANT_NAME "-%d\","
		    "\"phone\":\"" PLANT_PHONE "\"}]}", i, i);
		CHECK_INT_EQ(edit(s, c, id, j, &e), 0);
	}
	/* some of them checkpointed into the file itself */
	CHECK_INT_EQ(sqlite3_exec(store_db(s), "PRAGMA wal_checkpoint(TRUNCATE)", NULL,
	    NULL, NULL), SQLITE_OK);
	CHECK(file_has(db, PLANT_NAME, strlen(PLANT_NAME)));
	CHECK_INT_EQ(edit(s, c, id, "{\"secret\":\"" PLANT_SECRET "\",\"people\":["
	    "{\"age\":12},{\"age\":13,\"name\":\"" PLANT_NAME "\",\"phone\":\""
	    PLANT_PHONE "\"}]}", &e), 0);
	CHECK_INT_EQ(new_case(s, c, "Черновик", NULL, PLANT_NAME, true, id2, &e), 0);
	CHECK_INT_EQ(new_case(s, c, "Без имён", NULL, NULL, false, id3, &e), 0);
	CHECK(plant_hits(db, PLANTS, "before set") > 0);       /* the search finds them */

	CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, rk, &rep, &e), 0);
	CHECK_INT_EQ(rep.sealed, 2);
	CHECK_INT_EQ(rep.unknown, 0);
	CHECK(!unsealed_flag(s));
	CHECK(rep.scrubbed && !rep.scrub_pending);
	CHECK(strlen(rk) == 39 && rk[4] == '-');
	CHECK_INT_EQ(vault_state(store_vault(s)), VAULT_OPEN);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL"), 2);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM meta WHERE key='vault_scrub'"), 0);
	CHECK_INT_EQ(plant_hits(db, PLANTS, "after set, open"), 0);
	CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e), TERR_ARG);
	s = reopen(s, db);
	if (s == NULL)
		return;
	CHECK_INT_EQ(plant_hits(db, PLANTS, "after set, reopened"), 0);
	store_close(s);
	CHECK_INT_EQ(plant_hits(db, PLANTS, "after set, closed"), 0);
	s = reopen(NULL, db);
	if (s == NULL)
		return;

	/* locked: hub values readable, local ones hidden */
	CHECK(store_locked(s));
	d = data_of(s, id, false, &sealed);
	CHECK(sealed && has(d, "Случай 1") && !has(d, "secret") && !has(d, "name") &&
	    has(d, "\"age\":13"));
	free(d);
	CHECK_INT_EQ(passphrase_status(s, &ps, &e), 0);
	CHECK(ps.state == VAULT_LOCKED && ps.hidden == 2 && ps.has_recovery &&
	    !ps.scrub_pending);

	/* open: back exactly */
	CHECK_INT_EQ(vault_unlock(store_vault(s), store_localdb(s), "неверный пароль",
	    strlen("неверный пароль"), &e), TERR_PASSPHRASE);
	CHECK_INT_EQ(vault_unlock(store_vault(s), store_localdb(s), PASS, strlen(PASS), &e), 0);
	CHECK(!store_locked(s));
	d = data_of(s, id, false, &sealed);
	got = cJSON_Parse(d);
	want = cJSON_Parse("{\"title\":\"Случай 1\",\"secret\":\"" PLANT_SECRET "\","
	    "\"people\":[{\"age\":12},{\"age\":13,\"name\":\"" PLANT_NAME "\",\"phone\":\""
	    PLANT_PHONE "\"}]}");
	CHECK(!sealed && got != NULL && cJSON_Compare(got, want, true));
	if (got && !cJSON_Compare(got, want, true))
		fprintf(stderr, "  read back: %s\n", d);
	cJSON_Delete(got);
	cJSON_Delete(want);
	free(d);
	d = data_of(s, id2, false, &sealed);
	CHECK(!sealed && has(d, "\"name\":\"" PLANT_NAME "\""));
	free(d);
	d = data_of(s, id3, true, &sealed);
	CHECK(!sealed && has(d, "Без имён"));
	free(d);
	/* the recovery key opens it too */
	s = reopen(s, db);
	if (s == NULL)
		return;
	CHECK_INT_EQ(vault_unlock_recovery(store_vault(s), store_localdb(s), rk, &e), 0);
	d = data_of(s, id2, false, NULL);
	CHECK(has(d, PLANT_NAME));
	free(d);
	store_close(s);
}

struct walk {
	int n, sealed, named;
};

static int
walk_cb(const struct localdb_record *r, void *arg)
{
	struct walk *w = arg;

	w->n++;
	w->sealed += r->sealed != NULL;
	w->named += strstr(r->data, PLANT_NAME) != NULL;
	return 0;
}

static void
test_locked(const struct catalog *c)
{
	char db[512], *d;
	struct store *s = NULL;
	struct passphrase_report rep;
	struct terr e = { 0 };
	struct walk w = { 0 };
	uint8_t id[UUID7_BYTES], id2[UUID7_BYTES], id3[UUID7_BYTES];
	bool sealed = false;

	if ((s = device_at(tmpdir, "locked.db", db, sizeof(db))) == NULL)
		return;
	CHECK_INT_EQ(new_case(s, c, "Первый", PLANT_SECRET, PLANT_NAME, false, id, &e), 0);
	CHECK_INT_EQ(new_case(s, c, "Второй", PLANT_SECRET, PLANT_NAME, false, id2, &e), 0);
	CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e), 0);
	CHECK_INT_EQ(rep.sealed, 2);
	/* open: the walk grafts, a new record is sealed on the way in */
	CHECK_INT_EQ(new_case(s, c, "Третий", NULL, PLANT_NAME, false, id3, &e), 0);
	CHECK_INT_EQ(store_record_each(s, "t_case", NULL, walk_cb, &w, &e), 0);
	CHECK(w.n == 3 && w.sealed == 0 && w.named == 3);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL"
	    " AND instr(data, 'name') = 0"), 3);
	s = reopen(s, db);
	if (s == NULL)
		return;

	memset(&w, 0, sizeof(w));
	CHECK_INT_EQ(store_record_each(s, "t_case", NULL, walk_cb, &w, &e), 0);
	CHECK(w.n == 3 && w.sealed == 3 && w.named == 0);
	/* an edit of hub fields keeps the hidden values */
	CHECK_INT_EQ(edit(s, c, id, "{\"title\":\"Первый, исправлен\"}", &e), 0);
	/* locked, a party may be added but not removed: hidden values would
	 * move to the next one */
	CHECK_INT_EQ(edit(s, c, id, "{\"people\":[{\"age\":13}]}", &e), TERR_PASSPHRASE);
	CHECK_CONTAINS(e.msg, "удалять");
	CHECK_INT_EQ(edit(s, c, id, "{\"people\":[{\"age\":12},{\"age\":13},"
	    "{\"age\":14}]}", &e), 0);
	/* a local value cannot be written while locked; nothing changes */
	CHECK_INT_EQ(edit(s, c, id, "{\"secret\":\"новое\"}", &e), TERR_PASSPHRASE);
	CHECK_CONTAINS(e.msg, "Нужен пароль");
	CHECK_INT_EQ(new_case(s, c, "Четвёртый", "тайна", NULL, false, id3, &e),
	    TERR_PASSPHRASE);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records"), 3);
	/* a record without local values can be made */
	CHECK_INT_EQ(new_case(s, c, "Пятый", NULL, NULL, true, id3, &e), 0);
	d = data_of(s, id3, true, &sealed);
	CHECK(!sealed && has(d, "Пятый"));
	free(d);
	/* a delete needs no passphrase and keeps the hidden values */
	CHECK_INT_EQ(rec_delete(s, id2, &e), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records WHERE status='deleted' AND "
	    "sealed IS NOT NULL"), 1);

	CHECK_INT_EQ(vault_unlock(store_vault(s), store_localdb(s), PASS, strlen(PASS), &e), 0);
	d = data_of(s, id, false, &sealed);
	CHECK(!sealed && has(d, "Первый, исправлен") && has(d, PLANT_SECRET) &&
	    has(d, "{\"age\":13,\"name\":\"" PLANT_NAME "\",\"phone\":\"" PLANT_PHONE
	    "\"},{\"age\":14}]"));
	if (!has(d, "{\"age\":14}]"))
		fprintf(stderr, "  read back: %s\n", d);
	free(d);
	d = data_of(s, id2, false, NULL);
	CHECK(has(d, PLANT_NAME));
	free(d);
	/* open, an edit of the local values re-seals them */
	CHECK_INT_EQ(edit(s, c, id, "{\"secret\":\"другое\"}", &e), 0);
	d = data_of(s, id, true, &sealed);
	CHECK(sealed && !has(d, "другое") && !has(d, PLANT_NAME));
	free(d);
	d = data_of(s, id, false, NULL);
	CHECK(has(d, "другое") && has(d, PLANT_NAME) && !has(d, PLANT_SECRET));
	free(d);
	/* a delete while open: the tombstone keeps them sealed, never plain */
	CHECK_INT_EQ(rec_delete(s, id, &e), 0);
	d = data_of(s, id, true, &sealed);
	CHECK(sealed && !has(d, PLANT_NAME) && !has(d, "другое"));
	free(d);
	d = data_of(s, id, false, NULL);
	CHECK(has(d, PLANT_NAME));
	free(d);
	store_close(s);
}

static void
test_change_remove(const struct catalog *c)
{
	char db[512], rk[VAULT_RECOVERY_TEXT], *d;
	struct store *s = NULL;
	struct passphrase_report rep;
	struct passphrase_status ps;
	struct terr e = { 0 };
	uint8_t id[UUID7_BYTES];
	bool sealed = true;

	if ((s = device_at(tmpdir, "change.db", db, sizeof(db))) == NULL)
		return;
	CHECK_INT_EQ(new_case(s, c, "Случай", PLANT_SECRET, PLANT_NAME, false, id, &e), 0);
	CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, rk, &rep, &e), 0);
	s = reopen(s, db);
	if (s == NULL)
		return;
	CHECK_INT_EQ(passphrase_change(s, PASS2, strlen(PASS2), NULL, &e), TERR_PASSPHRASE);
	CHECK_INT_EQ(passphrase_remove(s, &rep, &e), TERR_PASSPHRASE);
	CHECK_INT_EQ(vault_unlock(store_vault(s), store_localdb(s), PASS, strlen(PASS), &e), 0);
	CHECK_INT_EQ(passphrase_change(s, "коротко", strlen("коротко"), NULL, &e), TERR_ARG);
	CHECK_INT_EQ(passphrase_change(s, PASS2, strlen(PASS2), NULL, &e), 0);
	s = reopen(s, db);
	if (s == NULL)
		return;
	CHECK_INT_EQ(vault_unlock(store_vault(s), store_localdb(s), PASS, strlen(PASS), &e),
	    TERR_PASSPHRASE);
	CHECK_INT_EQ(vault_unlock(store_vault(s), store_localdb(s), PASS2, strlen(PASS2), &e), 0);
	d = data_of(s, id, false, NULL);
	CHECK(has(d, PLANT_NAME));
	free(d);
	/* the recovery key printed at set-up still opens it */
	s = reopen(s, db);
	if (s == NULL)
		return;
	CHECK_INT_EQ(vault_unlock_recovery(store_vault(s), store_localdb(s), rk, &e), 0);

	CHECK_INT_EQ(passphrase_remove(s, &rep, &e), 0);
	CHECK_INT_EQ(rep.opened, 1);
	CHECK_INT_EQ(vault_state(store_vault(s)), VAULT_NONE);
	s = reopen(s, db);
	if (s == NULL)
		return;
	CHECK_INT_EQ(vault_state(store_vault(s)), VAULT_NONE);
	d = data_of(s, id, true, &sealed);
	CHECK(!sealed && has(d, PLANT_NAME) && has(d, PLANT_SECRET) && has(d, PLANT_PHONE));
	free(d);
	CHECK_INT_EQ(passphrase_status(s, &ps, &e), 0);
	CHECK(ps.state == VAULT_NONE && ps.hidden == 0);
	CHECK_INT_EQ(passphrase_remove(s, &rep, &e), TERR_ARG);
	CHECK_INT_EQ(passphrase_reset(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e), TERR_ARG);
	/* and set again */
	CHECK_INT_EQ(passphrase_set(s, c, PASS2, strlen(PASS2), NULL, NULL, &rep, &e), 0);
	CHECK_INT_EQ(rep.sealed, 1);
	store_close(s);
}

static void
test_reset_unknown(const struct catalog *c)
{
	char db[512], *d;
	struct store *s = NULL;
	struct passphrase_report rep;
	struct localdb_record r;
	struct terr e = { 0 };
	uint8_t id[UUID7_BYTES], id2[UUID7_BYTES];
	bool sealed = true;

	if ((s = device_at(tmpdir, "reset.db", db, sizeof(db))) == NULL)
		return;
	CHECK_INT_EQ(new_case(s, c, "Случай", PLANT_SECRET, PLANT_NAME, false, id, &e), 0);
	/* a record of a form this device does not have (yet) */
	memset(&r, 0, sizeof(r));
	CHECK_INT_EQ(uuid7_new(r.id, 0), 0);
	snprintf(r.form_id, sizeof(r.form_id), "t_gone");
	r.form_version = 4;
	snprintf(r.school, sizeof(r.school), "170103");
	snprintf(r.status, sizeof(r.status), "draft");
	r.data = (char *)(uintptr_t)"{\"who\":\"кто-то\"}";
	CHECK_INT_EQ(store_begin(s, &e), 0);
	CHECK_INT_EQ(store_hlc_next(s, r.created_hlc, &e), 0);
	memcpy(r.updated_hlc, r.created_hlc, sizeof(r.updated_hlc));
	CHECK_INT_EQ(store_record_put(s, &r, NULL, &e), 0);
	CHECK_INT_EQ(store_commit(s, &e), 0);
	memcpy(id2, r.id, sizeof(id2));
	CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e), 0);
	CHECK(rep.sealed == 1 && rep.unknown == 1);
	d = data_of(s, id2, true, &sealed);
	CHECK(!sealed && has(d, "кто-то"));
	free(d);
	/* nothing more to seal while the form stays unknown */
	CHECK_INT_EQ(passphrase_seal(s, c, &rep, &e), 0);
	CHECK(rep.sealed == 0 && rep.unknown == 1 && rep.scrubbed);
	CHECK(unsealed_flag(s));
	/* a plain local value written while the store had none: reset seals it */
	CHECK_INT_EQ(sqlite3_exec(store_db(s), "UPDATE records SET data = "
	    "'{\"title\":\"Открыто\",\"secret\":\"открытая тайна\"}', sealed = NULL "
	    "WHERE form_id = 't_case'", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(new_case(s, c, "Ещё", PLANT_SECRET, PLANT_NAME, false, id2, &e), 0);
	s = reopen(s, db);
	if (s == NULL)
		return;
	/* forgot everything: locked, reset with a new passphrase */
	CHECK(store_locked(s));
	CHECK_INT_EQ(passphrase_reset(s, c, "x", 1, NULL, NULL, &rep, &e), TERR_ARG);
	CHECK_INT_EQ(passphrase_reset(s, c, PASS2, strlen(PASS2), NULL, NULL, &rep, &e), 0);
	CHECK(rep.dropped == 1 && rep.sealed == 1 && rep.unknown == 1 && rep.scrubbed);
	CHECK_INT_EQ(vault_state(store_vault(s)), VAULT_OPEN);
	d = data_of(s, id2, false, &sealed);
	CHECK(!sealed && has(d, "Ещё") && !has(d, PLANT_NAME) && has(d, "\"age\":13"));
	free(d);
	d = data_of(s, id, false, NULL);
	CHECK(has(d, "открытая тайна"));
	free(d);
	s = reopen(s, db);
	if (s == NULL)
		return;
	CHECK_INT_EQ(vault_unlock(store_vault(s), store_localdb(s), PASS, strlen(PASS), &e),
	    TERR_PASSPHRASE);
	CHECK_INT_EQ(vault_unlock(store_vault(s), store_localdb(s), PASS2, strlen(PASS2), &e), 0);
	d = data_of(s, id, false, NULL);
	CHECK(has(d, "открытая тайна"));
	free(d);
	store_close(s);
}

/* A set that fails half-way (the disk fills up) changes nothing: no vault,
 * every value plain where it was; once there is room it succeeds. */
static void
test_set_fails(const struct catalog *c)
{
	char db[512], *d;
	struct store *s = NULL;
	struct passphrase_report rep;
	struct terr e = { 0 };
	uint8_t id[UUID7_BYTES];
	char rk[VAULT_RECOVERY_TEXT];
	bool sealed = true;
	long long pages;

	if ((s = device_at(tmpdir, "full.db", db, sizeof(db))) == NULL)
		return;
	CHECK_INT_EQ(store_begin(s, &e), 0);
	for (int i = 0; i < 300; i++) {
		cJSON *v = cJSON_Parse("{\"title\":\"Случай\",\"secret\":\"" PLANT_SECRET
		    "\",\"people\":[{\"age\":12,\"name\":\"" PLANT_NAME "\"}]}");

		CHECK_INT_EQ(rec_create(s, catalog_latest(c, "t_case"), NULL, v, true, true,
		    id, &e), 0);
		cJSON_Delete(v);
	}
	CHECK_INT_EQ(store_commit(s, &e), 0);
	pages = q_int(s, "PRAGMA page_count");
	CHECK_INT_EQ(store_limit_pages(s, (long)pages + 2, &e), 0);
	memset(rk, 'x', sizeof(rk));
	rk[sizeof(rk) - 1] = '\0';
	CHECK(passphrase_set(s, c, PASS, strlen(PASS), NULL, rk, &rep, &e) != 0);
	CHECK(rep.sealed == 0 && rk[0] == '\0');
	CHECK_INT_EQ(vault_state(store_vault(s)), VAULT_NONE);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM records WHERE sealed IS NOT NULL OR "
	    "instr(data, 'secret') = 0"), 0);
	CHECK_INT_EQ(q_int(s, "SELECT COUNT(*) FROM meta WHERE key IN ('vault', "
	    "'vault_scrub') AND value <> ''"), 0);
	s = reopen(s, db);
	if (s == NULL)
		return;
	CHECK_INT_EQ(vault_state(store_vault(s)), VAULT_NONE);
	CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e), 0);
	CHECK_INT_EQ(rep.sealed, 300);
	d = data_of(s, id, false, &sealed);
	CHECK(!sealed && has(d, PLANT_NAME));
	free(d);
	store_close(s);
}

/* A form unknown at set-up arrives later: passphrase_seal finishes the job. */
static void
test_seal_later(const struct catalog *c)
{
	char db[512], *d;
	struct store *s = NULL;
	struct catalog *partial = NULL;
	struct passphrase_report rep;
	struct terr e = { 0 };
	char dir[600];
	uint8_t id[UUID7_BYTES];
	bool sealed = false;

	snprintf(dir, sizeof(dir), "%s/partial", tmpdir);
	mkdir(dir, 0700);
	write_file(dir, "t_plain.json", form_plain);
	CHECK_INT_EQ(catalog_load(dir, NULL, &partial, &e), 0);
	if (partial == NULL || (s = device_at(tmpdir, "later.db", db, sizeof(db))) == NULL)
		goto out;
	CHECK_INT_EQ(new_case(s, c, "Случай", PLANT_SECRET, PLANT_NAME, false, id, &e), 0);
	CHECK_INT_EQ(passphrase_set(s, partial, PASS, strlen(PASS), NULL, NULL, &rep, &e), 0);
	CHECK(rep.sealed == 0 && rep.unknown == 1);
	CHECK(unsealed_flag(s));         /* written with the set: the CLI seals later */
	CHECK(plant_hits(db, PLANTS, "form unknown at set-up (expected)") > 0);
	CHECK_INT_EQ(passphrase_seal(s, c, &rep, &e), 0);
	CHECK(rep.sealed == 1 && rep.unknown == 0 && rep.scrubbed);
	CHECK(!unsealed_flag(s));
	CHECK_INT_EQ(plant_hits(db, PLANTS, "after passphrase_seal"), 0);
	d = data_of(s, id, true, &sealed);
	CHECK(sealed && !has(d, PLANT_NAME));
	free(d);
	d = data_of(s, id, false, &sealed);
	CHECK(!sealed && has(d, PLANT_NAME) && has(d, PLANT_SECRET));
	free(d);
 out:
	store_close(s);
	catalog_free(partial);
}

/* A reader (syncd) holding a snapshot: the scrub cannot cut the WAL; the
 * flag stays and the next open finishes it. */
static void
test_scrub_pending(const struct catalog *c)
{
	char db[512];
	struct store *s = NULL;
	struct passphrase_report rep;
	struct passphrase_status ps;
	struct terr e = { 0 };
	uint8_t id[UUID7_BYTES];
	sqlite3 *reader = NULL;

	if ((s = device_at(tmpdir, "pending.db", db, sizeof(db))) == NULL)
		return;
	CHECK_INT_EQ(new_case(s, c, "Случай", PLANT_SECRET, PLANT_NAME, false, id, &e), 0);
	CHECK_INT_EQ(edit(s, c, id, "{\"secret\":\"" PLANT_SECRET " 2\"}", &e), 0);
	CHECK_INT_EQ(sqlite3_open(db, &reader), SQLITE_OK);
	sqlite3_busy_timeout(reader, 100);
	CHECK_INT_EQ(sqlite3_exec(reader, "BEGIN; SELECT COUNT(*) FROM records",
	    NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e), 0);
	CHECK(rep.sealed == 1 && !rep.scrubbed && rep.scrub_pending);
	CHECK_INT_EQ(passphrase_status(s, &ps, &e), 0);
	CHECK(ps.scrub_pending);
	CHECK(plant_hits(db, PLANTS, "scrub held up (expected)") > 0);
	sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(reader);
	s = reopen(s, db);          /* retries the scrub */
	if (s == NULL)
		return;
	CHECK_INT_EQ(passphrase_status(s, &ps, &e), 0);
	CHECK(!ps.scrub_pending && ps.hidden == 1);
	CHECK_INT_EQ(plant_hits(db, PLANTS, "after the retried scrub"), 0);
	CHECK_INT_EQ(passphrase_scrub(s, &rep, &e), 0);
	CHECK(rep.scrubbed);
	store_close(s);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* 10,000 records with local values: a walk, plain / locked / open. */
static void
test_walk_cost(const struct catalog *c)
{
	char db[512];
	struct store *s = NULL;
	struct passphrase_report rep;
	struct terr e = { 0 };
	struct walk w;
	uint8_t id[UUID7_BYTES];
	double t0, plain, locked, open;
	const int n = 10000;

	if ((s = device_at(tmpdir, "walk.db", db, sizeof(db))) == NULL)
		return;
	CHECK_INT_EQ(store_begin(s, &e), 0);
	for (int i = 0; i < n; i++) {
		cJSON *v = cJSON_Parse("{\"title\":\"Случай\",\"secret\":\"" PLANT_SECRET
		    "\",\"people\":[{\"age\":12,\"name\":\"" PLANT_NAME "\"},"
		    "{\"age\":13,\"phone\":\"" PLANT_PHONE "\"}]}");

		if (rec_create(s, catalog_latest(c, "t_case"), NULL, v, false, true, id,
		    &e) != 0) {
			CHECK(0);
			cJSON_Delete(v);
			break;
		}
		cJSON_Delete(v);
	}
	CHECK_INT_EQ(store_commit(s, &e), 0);
	memset(&w, 0, sizeof(w));
	t0 = now_ms();
	CHECK_INT_EQ(store_record_each(s, NULL, NULL, walk_cb, &w, &e), 0);
	plain = now_ms() - t0;
	CHECK(w.n == n && w.named == n);
	t0 = now_ms();
	CHECK_INT_EQ(passphrase_set(s, c, PASS, strlen(PASS), NULL, NULL, &rep, &e), 0);
	CHECK_INT_EQ(rep.sealed, n);
	printf("  set over %d records (seal + scrub): %.0f ms\n", n, now_ms() - t0);
	s = reopen(s, db);
	if (s == NULL)
		return;
	memset(&w, 0, sizeof(w));
	t0 = now_ms();
	CHECK_INT_EQ(store_record_each(s, NULL, NULL, walk_cb, &w, &e), 0);
	locked = now_ms() - t0;
	CHECK(w.n == n && w.sealed == n && w.named == 0);
	CHECK_INT_EQ(vault_unlock(store_vault(s), store_localdb(s), PASS, strlen(PASS), &e), 0);
	memset(&w, 0, sizeof(w));
	t0 = now_ms();
	CHECK_INT_EQ(store_record_each(s, NULL, NULL, walk_cb, &w, &e), 0);
	open = now_ms() - t0;
	CHECK(w.n == n && w.sealed == 0 && w.named == n);
	printf("  walk of %d records: plain %.0f ms, locked %.0f ms, open %.0f ms\n",
	    n, plain, locked, open);
	/* generous: a sanitizer build is several times slower */
	CHECK(open < 20000);
	store_close(s);
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
	write_file(builtin, "t_plain.json", form_plain);
	CHECK_INT_EQ(catalog_load(builtin, NULL, &c, &e), 0);
	if (c != NULL) {
		test_set_scrub(c);
		test_locked(c);
		test_change_remove(c);
		test_reset_unknown(c);
		test_set_fails(c);
		test_seal_later(c);
		test_scrub_pending(c);
		test_walk_cost(c);
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
