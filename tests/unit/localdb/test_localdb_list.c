/*
 * test_localdb_list — schema 9's record list (`tetrad ui`'s /records): each
 * filter, the search by id and by text (with LIKE's own characters taken
 * literally), newest first, pages and the count, the outbox state of a
 * record's newest change; and the plan: a page walks an index, never the
 * table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "check.h"
#include "tetrad/localdb.h"

#define N_RECORDS 300

static char dir[64];

struct got {
	int n;
	char first[LOCALDB_HLC_LEN + 1], last[LOCALDB_HLC_LEN + 1];
	char state[16];
	uint8_t first_id[LOCALDB_ID_BYTES];
	int ordered;
};

static int
collect(const struct localdb_list_row *r, void *arg)
{
	struct got *g = arg;

	if (g->n == 0) {
		snprintf(g->first, sizeof(g->first), "%s", r->created_hlc);
		memcpy(g->first_id, r->id, LOCALDB_ID_BYTES);
		snprintf(g->state, sizeof(g->state), "%s", r->state);
	} else if (strcmp(r->created_hlc, g->last) >= 0) {
		g->ordered = 0;
	}
	snprintf(g->last, sizeof(g->last), "%s", r->created_hlc);
	g->n++;
	return 0;
}

static int64_t
list(struct localdb *db, struct localdb_list_filter *f, struct got *g)
{
	struct terr e = { 0 };
	int64_t total = -1;

	memset(g, 0, sizeof(*g));
	g->ordered = 1;
	if (f->limit == 0)
		f->limit = 50;
	CHECK_INT_EQ(localdb_record_list(db, f, &total, collect, g, &e), 0);
	return total;
}

/* Record i: forms a/b/c by turn, school 1 or 2, every 5th a draft, every
 * 7th deleted; created one minute apart from a fixed time. */
static void
fill(struct localdb *db)
{
	struct terr e = { 0 };

	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	for (int i = 0; i < N_RECORDS; i++) {
		struct localdb_record r;
		char data[128];

		memset(&r, 0, sizeof(r));
		r.id[0] = 0x01;
		r.id[14] = (uint8_t)(i >> 8);
		r.id[15] = (uint8_t)i;
		snprintf(r.form_id, sizeof(r.form_id), "form_%c", 'a' + i % 3);
		r.form_version = 1;
		snprintf(r.school, sizeof(r.school), "%d", 1 + i % 2);
		snprintf(r.status, sizeof(r.status), "%s", i % 7 == 0 ? "deleted" :
		    i % 5 == 0 ? "draft" : "final");
		snprintf(r.created_hlc, sizeof(r.created_hlc), "%012llx-0000-a1b2c3d4e5f60718",
		    1764720000000ULL + (unsigned long long)i * 60000ULL);
		snprintf(r.updated_hlc, sizeof(r.updated_hlc), "%s", r.created_hlc);
		snprintf(data, sizeof(data), "{\"n\":%d,\"note\":\"%s\"}", i,
		    i == 40 ? "1q%_done" : i == 41 ? "1q done" : "x");
		r.data = data;
		CHECK_INT_EQ(localdb_record_put(db, &r, &e), 0);
	}
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
}

static int
count_where(int (*pred)(int))
{
	int n = 0;

	for (int i = 0; i < N_RECORDS; i++)
		n += pred(i);
	return n;
}

static int live(int i) { return i % 7 != 0; }
static int live_b(int i) { return i % 7 != 0 && i % 3 == 1; }
static int draft_2(int i) { return i % 7 != 0 && i % 5 == 0 && i % 2 == 1; }
static int deleted(int i) { return i % 7 == 0; }

static void
test_filters(struct localdb *db)
{
	struct localdb_list_filter f;
	struct got g;
	char from[13], to[13], newest[LOCALDB_HLC_LEN + 1];

	memset(&f, 0, sizeof(f));
	CHECK_INT_EQ(list(db, &f, &g), count_where(live));
	CHECK_INT_EQ(g.n, 50);
	CHECK_INT_EQ(g.ordered, 1);
	/* newest first: record 299 is not deleted (299 % 7 = 5) */
	snprintf(newest, sizeof(newest), "%012llx-0000-a1b2c3d4e5f60718",
	    1764720000000ULL + 299ULL * 60000ULL);
	CHECK_STR_EQ(g.first, newest);

	memset(&f, 0, sizeof(f));
	f.form_id = "form_b";
	CHECK_INT_EQ(list(db, &f, &g), count_where(live_b));
	memset(&f, 0, sizeof(f));
	f.status = "draft";
	f.school = "2";
	CHECK_INT_EQ(list(db, &f, &g), count_where(draft_2));
	memset(&f, 0, sizeof(f));
	f.status = "deleted";
	CHECK_INT_EQ(list(db, &f, &g), count_where(deleted));

	/* a period: records 10 … 19 (minutes 10 to 19) */
	snprintf(from, sizeof(from), "%012llx", 1764720000000ULL + 10ULL * 60000ULL);
	snprintf(to, sizeof(to), "%012llx", 1764720000000ULL + 20ULL * 60000ULL);
	memset(&f, 0, sizeof(f));
	f.from_hlc = from;
	f.to_hlc = to;
	CHECK_INT_EQ(list(db, &f, &g), 9);   /* 14 is deleted */

	/* pages: the last one holds the rest, past it nothing */
	memset(&f, 0, sizeof(f));
	f.offset = 250;
	CHECK_INT_EQ(list(db, &f, &g), count_where(live));
	CHECK_INT_EQ(g.n, count_where(live) - 250);
	f.offset = 1000;
	list(db, &f, &g);
	CHECK_INT_EQ(g.n, 0);
	f.limit = -1;
	{
		struct terr e = { 0 };

		CHECK(localdb_record_list(db, &f, NULL, collect, &g, &e) == TERR_ARG);
	}
}

static void
test_search(struct localdb *db)
{
	struct localdb_list_filter f;
	struct got g;

	/* LIKE's % and _ are the text's own characters */
	memset(&f, 0, sizeof(f));
	f.search = "1q%_";
	CHECK_INT_EQ(list(db, &f, &g), 1);
	f.search = "1q";
	CHECK_INT_EQ(list(db, &f, &g), 2);
	/* an id's beginning, dashes and case as people type them */
	f.search = "0100-0000";
	CHECK_INT_EQ(list(db, &f, &g), count_where(live));
	f.search = "01000000-0000-0000-0000-00000000012b";   /* record 299 */
	CHECK_INT_EQ(list(db, &f, &g), 1);
	CHECK_INT_EQ(g.first_id[15], 0x2b);
	f.search = "нет такого";
	CHECK_INT_EQ(list(db, &f, &g), 0);
}

static void
test_state(struct localdb *db)
{
	struct localdb_list_filter f;
	struct localdb_entry en;
	struct terr e = { 0 };
	struct got g;
	uint8_t id[LOCALDB_ID_BYTES] = { 0x01 };
	int64_t seq;

	id[14] = 0x01;   /* record 299, the newest */
	id[15] = 0x2b;
	memset(&en, 0, sizeof(en));
	en.record_id = id;
	en.record_id_len = sizeof(id);
	en.op = "put";
	en.form_id = "form_c";
	en.form_version = 1;
	en.school = "2";
	en.hlc = "019ae293fa20-0000-a1b2c3d4e5f60718";
	en.fields = "{}";
	en.fields_len = 2;
	CHECK_INT_EQ(localdb_begin(db, &e), 0);
	CHECK_INT_EQ(localdb_outbox_append(db, &en, &seq, &e), 0);
	CHECK_INT_EQ(localdb_commit(db, &e), 0);
	memset(&f, 0, sizeof(f));
	list(db, &f, &g);
	CHECK_STR_EQ(g.state, "pending");
}

/* The plan: an index walk, the table read only for the rows shown. */
static void
test_plan(struct localdb *db)
{
	static const char *const q[] = {
		"EXPLAIN QUERY PLAN SELECT id FROM records WHERE status <> 'deleted' "
		    "ORDER BY created_hlc DESC LIMIT 50 OFFSET 0",
		"EXPLAIN QUERY PLAN SELECT id FROM records WHERE status <> 'deleted' AND "
		    "form_id = 'form_a' ORDER BY created_hlc DESC LIMIT 50 OFFSET 0",
	};
	sqlite3 *raw = localdb_sqlite(db);

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		sqlite3_stmt *st = NULL;
		char plan[512] = "";

		CHECK_INT_EQ(sqlite3_prepare_v2(raw, q[i], -1, &st, NULL), SQLITE_OK);
		while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
			const unsigned char *d = sqlite3_column_text(st, 3);

			strncat(plan, d ? (const char *)d : "", sizeof(plan) - strlen(plan) - 2);
			strcat(plan, ";");
		}
		sqlite3_finalize(st);
		CHECK_CONTAINS(plan, "COVERING INDEX records_");
		CHECK(strstr(plan, "TEMP B-TREE") == NULL);
	}
}

int
main(void)
{
	struct localdb *db = NULL;
	struct terr e = { 0 };
	char p[128], cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/test_localdb_list.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(p, sizeof(p), "%s/list.db", dir);
	CHECK_INT_EQ(localdb_open(p, LOCALDB_CREATE, &db, &e), 0);
	if (db != NULL) {
		fill(db);
		test_filters(db);
		test_search(db);
		test_state(db);
		test_plan(db);
		localdb_close(db);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT_EQ(system(cmd), 0);
	return check_summary();
}
