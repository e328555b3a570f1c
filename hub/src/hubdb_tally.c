/*
 * hubdb_tally — the SQLite store's tallies: counters that writers keep up
 * in the transaction that writes a record, and that reports sum instead of
 * reading records (see hubdb.h). The store knows nothing of what a key
 * means; the table is (school, form_id, key, day) -> (n, total).
 */
#include <stdlib.h>
#include <string.h>

#include "hubdb_impl.h"

/*
 * Adds wait in the handle until the transaction commits (hubdb_commit calls
 * hubdb_tally_flush), summed per row: a change set of a class's 25
 * responses moves a few dozen rows, not 25 times as many, and an upsert
 * costs as much as writing the record. A PostgreSQL store would do the
 * same on its side of the connection. Never more than this many rows wait:
 * past it they are written at once (still in the transaction).
 */
#define HUBDB_TALLY_PENDING_MAX 65536

struct hubdb_tally_ent {
	char *k;                      /* "school\0form_id\0key", NULL: a free slot */
	int64_t day;
	uint64_t hash;
	long long n;
	double total;
};

struct hubdb_tally_buf {
	struct hubdb_tally_ent *v;
	size_t cap, n;                /* cap: a power of two, kept over twice n */
};

/*
 * The key's columns lead with school, form and key and end with the day:
 * a report sums a key's days as one run of the primary key's order (no
 * sort), and a record's keys land next to each other when it is written.
 * The upserts name the table's own columns (tally.n): PostgreSQL finds a
 * bare n ambiguous beside excluded.n.
 */
/* the upserts name the table's own column (tally.n): PostgreSQL finds a bare
 * n ambiguous next to excluded.n, SQLite takes either */
static const char *const hubdb_tally_sql[ST_COUNT] = {
	[ST_TALLY_ADD] = "INSERT INTO tally(school, form_id, key, day, n, total) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(school, form_id, key, day) DO UPDATE "
	    "SET n = tally.n + excluded.n, total = tally.total + excluded.total",
	[ST_TALLY_DROP] = "DELETE FROM tally WHERE school = ?1 AND form_id = ?2 AND "
	    "key = ?3 AND day = ?4 AND n = 0",
	[ST_TALLY_ALL_ADD] = "INSERT INTO tally_all(school, form_id, key, n, total) "
	    "VALUES(?1, ?2, ?3, ?5, ?6) ON CONFLICT(school, form_id, key) DO UPDATE "
	    "SET n = tally_all.n + excluded.n, total = tally_all.total + excluded.total",
	[ST_TALLY_ALL_DROP] = "DELETE FROM tally_all WHERE school = ?1 AND form_id = ?2 AND "
	    "key = ?3 AND n = 0",
	[ST_TALLY_STALE] = "SELECT 1 FROM tally_stale WHERE form_prefix = ?1",
	[ST_REC_RECEIVED] = "SELECT received_at FROM hub_records WHERE id = ?1",
};

static struct hsql_stmt *
hubdb_tally_stmt(struct hubdb *db, enum hubdb_stmt s, struct terr *e)
{
	return hubdb_stmt(db, s, hubdb_tally_sql[s], e);
}

static void
hubdb_tally_bind_key(struct hsql_stmt *st, const char *form_id, const char *school,
    const char *key, int64_t day)
{
	hsql_bind_text(st, 1, school, -1);
	hsql_bind_text(st, 2, form_id, -1);
	hsql_bind_text(st, 3, key, -1);
	hsql_bind_int64(st, 4, day);
}

/*
 * Writes one row's add to the table now: to tally (day >= its own, or
 * HUBDB_TALLY_NODAY) or, all_days, to tally_all (the key's days summed).
 */
static int
hubdb_tally_write_to(struct hubdb *db, bool all_days, const char *form_id,
    const char *school, const char *key, int64_t day, long long dn, double dsum,
    struct terr *e)
{
	struct hsql_stmt *st = hubdb_tally_stmt(db, all_days ? ST_TALLY_ALL_ADD : ST_TALLY_ADD, e);
	int r;

	if (st == NULL)
		return TERR_IO;
	hubdb_tally_bind_key(st, form_id, school, key, day);
	hsql_bind_int64(st, 5, dn);
	hsql_bind_double(st, 6, dsum);
	if ((r = hubdb_exec_stmt(db, st, e, "учёт ответов")) != 0 || dn >= 0)
		return r;
	/* only a subtraction can bring a row to 0: edits and deletes, the rare writes */
	if ((st = hubdb_tally_stmt(db, all_days ? ST_TALLY_ALL_DROP : ST_TALLY_DROP, e)) == NULL)
		return TERR_IO;
	hubdb_tally_bind_key(st, form_id, school, key, day);
	return hubdb_exec_stmt(db, st, e, "учёт ответов");
}

/* Both tables at once: an add outside a transaction or too long to wait. */
static int
hubdb_tally_write(struct hubdb *db, const char *form_id, const char *school,
    const char *key, int64_t day, long long dn, double dsum, struct terr *e)
{
	int r = hubdb_tally_write_to(db, false, form_id, school, key, day, dn, dsum, e);

	return r != 0 ? r : hubdb_tally_write_to(db, true, form_id, school, key, day, dn, dsum, e);
}

static uint64_t
hubdb_tally_hash(const char *k, size_t len, int64_t day)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)day;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)k[i]) * 1099511628211ULL;
	return h;
}

/* The slot of (k, day), or the free slot where it goes. */
static struct hubdb_tally_ent *
hubdb_tally_slot(struct hubdb_tally_buf *b, const char *k, size_t len, int64_t day,
    uint64_t h)
{
	size_t i = (size_t)h & (b->cap - 1);

	for (;; i = (i + 1) & (b->cap - 1)) {
		struct hubdb_tally_ent *x = &b->v[i];

		if (x->k == NULL || (x->hash == h && x->day == day &&
		    memcmp(x->k, k, len) == 0 && x->k[len - 1] == '\0'))
			return x;
	}
}

static int
hubdb_tally_grow(struct hubdb_tally_buf *b)
{
	size_t cap = b->cap ? b->cap * 2 : 1024;
	struct hubdb_tally_ent *v = calloc(cap, sizeof(*v)), *old = b->v;

	if (v == NULL)
		return -1;
	b->v = v;
	for (size_t i = 0, ocap = b->cap; i < ocap; i++) {
		size_t j;

		if (old[i].k == NULL)
			continue;
		for (j = (size_t)old[i].hash & (cap - 1); v[j].k != NULL; j = (j + 1) & (cap - 1))
			;
		v[j] = old[i];
	}
	b->cap = cap;
	free(old);
	return 0;
}

/* The length of "school\0form_id\0key\0". */
static size_t
hubdb_tally_klen(const char *k)
{
	const char *p = k;

	for (int part = 0; part < 3; part++)
		p += strlen(p) + 1;
	return (size_t)(p - k);
}

static int
hubdb_tally_ent_cmp(const void *a, const void *b)
{
	const struct hubdb_tally_ent *x = *(const struct hubdb_tally_ent *const *)a;
	const struct hubdb_tally_ent *y = *(const struct hubdb_tally_ent *const *)b;
	const char *p = x->k, *q = y->k;
	int c;

	/* school, form, key: the table's order, so the writes walk its pages once */
	for (int part = 0; part < 3; part++) {
		if ((c = strcmp(p, q)) != 0)
			return c;
		p += strlen(p) + 1;
		q += strlen(q) + 1;
	}
	return x->day < y->day ? -1 : x->day > y->day;
}

void
hubdb_tally_discard(struct hubdb *db)
{
	struct hubdb_tally_buf *b = db->tally;

	if (b == NULL)
		return;
	for (size_t i = 0; i < b->cap; i++)
		free(b->v[i].k);
	free(b->v);
	free(b);
	db->tally = NULL;
}

int
hubdb_tally_flush(struct hubdb *db, struct terr *e)
{
	struct hubdb_tally_buf *b = db->tally;
	struct hubdb_tally_ent **order = NULL;
	size_t n = 0;
	int r = 0;

	if (b == NULL || b->n == 0)
		return 0;
	if ((order = malloc(b->n * sizeof(*order))) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	for (size_t i = 0; i < b->cap; i++)
		if (b->v[i].k != NULL && (b->v[i].n != 0 || b->v[i].total != 0))
			order[n++] = &b->v[i];
	qsort(order, n, sizeof(*order), hubdb_tally_ent_cmp);
	for (size_t i = 0, j; i < n && r == 0; i = j) {
		const char *school = order[i]->k, *form_id = school + strlen(school) + 1;
		const char *key = form_id + strlen(form_id) + 1;
		size_t klen = (size_t)(key - school) + strlen(key) + 1;
		long long an = 0;
		double at = 0;

		/* a key's days are next to each other in this order: one add to tally_all */
		for (j = i; j < n && r == 0 && (j == i || (hubdb_tally_klen(order[j]->k) == klen &&
		    memcmp(order[j]->k, school, klen) == 0)); j++) {
			r = hubdb_tally_write_to(db, false, form_id, school, key, order[j]->day,
			    order[j]->n, order[j]->total, e);
			an += order[j]->n;
			at += order[j]->total;
		}
		if (r == 0 && (an != 0 || at != 0))
			r = hubdb_tally_write_to(db, true, form_id, school, key, 0, an, at, e);
	}
 out:
	free(order);
	hubdb_tally_discard(db);
	return r;
}

int
hubdb_tally_add(struct hubdb *db, const char *form_id, const char *school,
    const char *key, int64_t day, long long dn, double dsum, struct terr *e)
{
	struct hubdb_tally_buf *b = db->tally;
	struct hubdb_tally_ent *x;
	size_t ls = strlen(school), lf = strlen(form_id), lk = strlen(key), len;
	char kbuf[512];
	uint64_t h;

	/* outside a transaction there is no commit to wait for */
	if (hsql_autocommit(db->db))
		return hubdb_tally_write(db, form_id, school, key, day, dn, dsum, e);
	len = ls + lf + lk + 3;
	if (len > sizeof(kbuf))
		return hubdb_tally_write(db, form_id, school, key, day, dn, dsum, e);
	memcpy(kbuf, school, ls + 1);
	memcpy(kbuf + ls + 1, form_id, lf + 1);
	memcpy(kbuf + ls + lf + 2, key, lk + 1);
	if (b == NULL && (b = db->tally = calloc(1, sizeof(*b))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	if ((b->n + 1) * 2 > b->cap && hubdb_tally_grow(b) != 0)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	h = hubdb_tally_hash(kbuf, len, day);
	x = hubdb_tally_slot(b, kbuf, len, day, h);
	if (x->k == NULL) {
		if ((x->k = malloc(len)) == NULL)
			return terr_set(e, TERR_NOMEM, "недостаточно памяти");
		memcpy(x->k, kbuf, len);
		x->day = day;
		x->hash = h;
		x->n = 0;
		x->total = 0;
		b->n++;
	}
	x->n += dn;
	x->total += dsum;
	return b->n >= HUBDB_TALLY_PENDING_MAX ? hubdb_tally_flush(db, e) : 0;
}

/* The (school, form, key) whose days hubdb_tally_each is summing. */
struct hubdb_tally_group {
	char *text;                   /* "school\0form_id\0key\0" */
	size_t len, cap;
	long long n;
	double total;
	bool open;
};

static bool
hubdb_tally_group_is(const struct hubdb_tally_group *g, const char *school,
    const char *form_id, const char *key)
{
	const char *p = g->text;

	if (!g->open || strcmp(p, school) != 0)
		return false;
	p += strlen(p) + 1;
	if (strcmp(p, form_id) != 0)
		return false;
	p += strlen(p) + 1;
	return strcmp(p, key) == 0;
}

static int
hubdb_tally_group_start(struct hubdb_tally_group *g, const char *school,
    const char *form_id, const char *key)
{
	size_t ls = strlen(school) + 1, lf = strlen(form_id) + 1, lk = strlen(key) + 1;

	if (ls + lf + lk > g->cap) {
		size_t cap = (ls + lf + lk) * 2;
		char *t = realloc(g->text, cap);

		if (t == NULL)
			return -1;
		g->text = t;
		g->cap = cap;
	}
	memcpy(g->text, school, ls);
	memcpy(g->text + ls, form_id, lf);
	memcpy(g->text + ls + lf, key, lk);
	g->n = 0;
	g->total = 0;
	g->open = true;
	return 0;
}

/* Hands the summed group to cb (unless it sums to nothing) and closes it. */
static int
hubdb_tally_group_end(struct hubdb_tally_group *g, hubdb_tally_cb cb, void *ctx)
{
	struct hubdb_tally_row row;

	if (!g->open)
		return 0;
	g->open = false;
	if (g->n == 0)
		return 0;
	row.school = g->text;
	row.form_id = row.school + strlen(row.school) + 1;
	row.key = row.form_id + strlen(row.form_id) + 1;
	row.n = g->n;
	row.total = g->total;
	row.day = HUBDB_TALLY_NODAY;
	return cb(ctx, &row);
}

/*
 * The days of a key are next to each other in the table's order, so they
 * are summed here as the rows pass: SQLite's GROUP BY and a prefix test in
 * SQL cost three times the scan (265,000 rows at region scale: 0.24 s and
 * 0.5 s against 0.07 s).
 */
int
hubdb_tally_each(struct hubdb *db, const char *form_prefix, const char *school,
    int64_t day_lo, int64_t day_hi, hubdb_tally_cb cb, void *ctx, struct terr *e)
{
	/* one school: its rows are one range of the key; all: one pass of the table */
	static const char all_sql[] =
	    "SELECT school, form_id, key, n, total FROM tally"
	    " WHERE day BETWEEN ?1 AND ?2 ORDER BY school, form_id, key, day";
	static const char one_sql[] =
	    "SELECT school, form_id, key, n, total FROM tally"
	    " WHERE school = ?3 AND day BETWEEN ?1 AND ?2 ORDER BY school, form_id, key, day";
	/*
	 * Every day: the sums kept beside the days (tally_all), a row per key
	 * instead of one per key and day (responses dated over a school year
	 * make ~60 times as many rows).
	 */
	static const char all_days_sql[] =
	    "SELECT school, form_id, key, n, total FROM tally_all ORDER BY school, form_id, key";
	static const char one_all_days_sql[] =
	    "SELECT school, form_id, key, n, total FROM tally_all"
	    " WHERE school = ?3 ORDER BY school, form_id, key";
	bool all_days = day_lo == HUBDB_TALLY_NODAY && day_hi == INT64_MAX;
	struct hubdb_tally_group g = { 0 };
	size_t plen = strlen(form_prefix);
	struct hsql_stmt *st = NULL;
	int rc, r;

	if ((r = hubdb_tally_flush(db, e)) != 0 || (r = hubdb_scan_begin(db, e)) != 0)
		return r;
	/* HSQL_SCAN: the whole tally at region scale, through a cursor on PostgreSQL */
	if (hsql_prepare(db->db, all_days ? (school ? one_all_days_sql : all_days_sql) :
	    school ? one_sql : all_sql, HSQL_SCAN, &st) != HSQL_OK) {
		/* the message first: scan_end's statement would replace SQLite's */
		r = hubdb_err(db, HSQL_ERROR, e, "чтение сводки ответов");
		hubdb_scan_end(db);
		return r;
	}
	hsql_bind_int64(st, 1, day_lo);
	hsql_bind_int64(st, 2, day_hi);
	if (school)
		hsql_bind_text(st, 3, school, -1);
	while ((rc = hsql_step(st)) == HSQL_ROW) {
		const char *sc = (const char *)hsql_column_text(st, 0);
		const char *fid = (const char *)hsql_column_text(st, 1);
		const char *key = (const char *)hsql_column_text(st, 2);

		if (sc == NULL || fid == NULL || key == NULL || strncmp(fid, form_prefix, plen) != 0)
			continue;
		if (!hubdb_tally_group_is(&g, sc, fid, key)) {
			if ((r = hubdb_tally_group_end(&g, cb, ctx)) != 0)
				break;
			if (hubdb_tally_group_start(&g, sc, fid, key) != 0) {
				r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
				break;
			}
		}
		g.n += hsql_column_int64(st, 3);
		g.total += hsql_column_double(st, 4);
	}
	if (r == 0 && rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение сводки ответов");
	if (r == 0)
		r = hubdb_tally_group_end(&g, cb, ctx);
	hsql_finalize(st);
	hubdb_scan_end(db);
	free(g.text);
	return r;
}

/*
 * The table's order leads with (school, form_id): the pairs are walked by
 * seeking past each one (a skip scan SQLite does not do by itself), and
 * each pair's rows of the key are one range. The surveys' late responses
 * read one key of ~15 per day this way: scanning the table for it once
 * per year of the period cost 14 scans of the whole tally.
 */
/*
 * One key of a tally pair summed by SQLite over each window lo[w] … hi[w]
 * that the pair's days reach (row.day lo[w]). With several windows the
 * pair's first and last day are looked up first, two seeks, so a window of
 * a year without rows costs nothing.
 */
struct hubdb_tally_days {
	struct hsql_stmt *days, *first, *last;
	const int64_t *lo, *hi;
	size_t nwin;
};

static int
hubdb_tally_pair_days(struct hubdb *db, struct hubdb_tally_days *d, const char *sc,
    const char *fid, const char *key, hubdb_tally_cb cb, void *ctx, struct terr *e)
{
	int64_t first = INT64_MIN, last = INT64_MAX;
	int rc;

	if (d->nwin > 1) {
		struct hsql_stmt *ends[2] = { d->first, d->last };

		for (int k = 0; k < 2; k++) {
			hsql_reset(ends[k]);
			hsql_bind_text(ends[k], 1, sc, -1);
			hsql_bind_text(ends[k], 2, fid, -1);
			hsql_bind_text(ends[k], 3, key, -1);
			if ((rc = hsql_step(ends[k])) != HSQL_ROW)
				return hubdb_err(db, rc, e, "чтение сводки ответов");
			if (hsql_column_type(ends[k], 0) == HSQL_NULL)
				return 0;   /* the pair has no row of the key */
			if (k == 0)
				first = hsql_column_int64(ends[k], 0);
			else
				last = hsql_column_int64(ends[k], 0);
		}
	}
	for (size_t w = 0; w < d->nwin; w++) {
		if (d->lo[w] > last || d->hi[w] < first || d->lo[w] > d->hi[w])
			continue;
		hsql_reset(d->days);
		hsql_bind_text(d->days, 1, sc, -1);
		hsql_bind_text(d->days, 2, fid, -1);
		hsql_bind_text(d->days, 3, key, -1);
		hsql_bind_int64(d->days, 4, d->lo[w]);
		hsql_bind_int64(d->days, 5, d->hi[w]);
		/* one row: the count of the rows summed first (none: no sum) */
		if ((rc = hsql_step(d->days)) != HSQL_ROW)
			return hubdb_err(db, rc, e, "чтение сводки ответов");
		if (hsql_column_int64(d->days, 0) > 0) {
			struct hubdb_tally_row row = { sc, fid, key, hsql_column_int64(d->days, 1),
			    hsql_column_double(d->days, 2), d->lo[w] };
			int r;

			if ((r = cb(ctx, &row)) != 0)
				return r;
		}
	}
	return 0;
}

static int
hubdb_tally_key_walk(struct hubdb *db, const char *form_prefix, const char *school,
    const char *key, const int64_t *lo, const int64_t *hi, size_t nwin, hubdb_tally_cb cb,
    void *ctx, struct terr *e)
{
	/*
	 * The pairs: the first (of the school, or of all), then the next form of
	 * the school, then the first of the next school. Each is one seek; a
	 * row value "(school, form_id) > (?, ?)" is not: SQLite seeks to the
	 * pair and then steps over every row of it.
	 */
	static const char *const pair_sql[] = {
		"SELECT school, form_id FROM tally ORDER BY school, form_id LIMIT 1",
		"SELECT school, form_id FROM tally WHERE school = ?1 ORDER BY form_id LIMIT 1",
		"SELECT school, form_id FROM tally WHERE school = ?1 AND form_id > ?2"
		" ORDER BY form_id LIMIT 1",
		"SELECT school, form_id FROM tally WHERE school > ?1 ORDER BY school, form_id"
		" LIMIT 1",
	};
	enum { P_FIRST, P_FIRST_OF, P_NEXT_FORM, P_NEXT_SCHOOL, P_N };
	/*
	 * Summed by SQLite: a row per (school, form) and window instead of one
	 * per day for the caller (the overview's responses: 2.4 M rows of a
	 * region's year, each a call, a school's lookup and a counter's)
	 */
	static const char sum_sql[] =
	    "SELECT count(*), sum(n), sum(total) FROM tally WHERE school = ?1 AND form_id = ?2"
	    " AND key = ?3 AND day BETWEEN ?4 AND ?5 AND n <> 0";
	/*
	 * The doubles added in the days' order, as SQLite adds them along its
	 * key: PostgreSQL's scan order is its own, and a sum of doubles depends
	 * on the order (a report's average could round the other way)
	 */
	static const char sum_sql_pg[] =
	    "SELECT count(*), sum(n), sum(total ORDER BY day) FROM tally WHERE school = ?1"
	    " AND form_id = ?2 AND key = ?3 AND day BETWEEN ?4 AND ?5 AND n <> 0";
	static const char *const ends_sql[2] = {
		"SELECT min(day) FROM tally WHERE school = ?1 AND form_id = ?2 AND key = ?3",
		"SELECT max(day) FROM tally WHERE school = ?1 AND form_id = ?2 AND key = ?3",
	};
	struct hubdb_tally_days d = { NULL, NULL, NULL, lo, hi, nwin };
	struct hsql_stmt *pair[P_N] = { NULL };
	size_t plen = strlen(form_prefix);
	char *sc = NULL, *fid = NULL;
	int rc = HSQL_DONE, r;

	if ((r = hubdb_tally_flush(db, e)) != 0 || (r = hubdb_scan_begin(db, e)) != 0)
		return r;
	for (int i = 0; i < P_N; i++)
		if (hsql_prepare(db->db, pair_sql[i], 0, &pair[i]) != HSQL_OK) {
			r = hubdb_err(db, HSQL_ERROR, e, "чтение сводки ответов");
			goto out;
		}
	if (hsql_prepare(db->db, HUBDB_SQL(db, sum_sql, sum_sql_pg), 0, &d.days) !=
	    HSQL_OK || (nwin > 1 && (hsql_prepare(db->db, ends_sql[0], 0, &d.first) != HSQL_OK || hsql_prepare(db->db, ends_sql[1], 0, &d.last) !=
	    HSQL_OK))) {
		r = hubdb_err(db, HSQL_ERROR, e, "чтение сводки ответов");
		goto out;
	}
	for (int step = school ? P_FIRST_OF : P_FIRST;;) {
		struct hsql_stmt *st = pair[step];
		const char *s, *f;

		hsql_reset(st);
		hsql_bind_text_copy(st, 1, step == P_FIRST_OF ? school : sc, -1);
		hsql_bind_text_copy(st, 2, fid, -1);
		rc = hsql_step(st);
		if (rc == HSQL_DONE && step == P_NEXT_FORM && school == NULL) {
			step = P_NEXT_SCHOOL;
			continue;
		}
		if (rc != HSQL_ROW)
			break;
		step = P_NEXT_FORM;
		s = (const char *)hsql_column_text(st, 0);
		f = (const char *)hsql_column_text(st, 1);
		if (s == NULL || f == NULL) {
			rc = HSQL_DONE;
			break;
		}
		free(sc);
		free(fid);
		fid = NULL;
		if ((sc = strdup(s)) == NULL || (fid = strdup(f)) == NULL) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			goto out;
		}
		if (strncmp(fid, form_prefix, plen) != 0)
			continue;
		if ((r = hubdb_tally_pair_days(db, &d, sc, fid, key, cb, ctx, e)) != 0)
			goto out;
	}
	if (rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение сводки ответов");
 out:
	for (int i = 0; i < P_N; i++)
		hsql_finalize(pair[i]);
	hsql_finalize(d.days);
	hsql_finalize(d.first);
	hsql_finalize(d.last);
	hubdb_scan_end(db);
	free(sc);
	free(fid);
	return r;
}

int
hubdb_tally_key_sums(struct hubdb *db, const char *form_prefix, const char *school,
    const char *key, const int64_t *lo, const int64_t *hi, size_t nwin, hubdb_tally_cb cb,
    void *ctx, struct terr *e)
{
	if (nwin == 0)
		return 0;
	if (db->pg)
		return hubdb_tally_key_walk_pg(db, form_prefix, school, key, lo, hi, nwin, cb, ctx,
		    e);
	return hubdb_tally_key_walk(db, form_prefix, school, key, lo, hi, nwin, cb, ctx, e);
}

int
hubdb_tally_stale(struct hubdb *db, const char *form_prefix, bool *stale, struct terr *e)
{
	struct hsql_stmt *st = hubdb_tally_stmt(db, ST_TALLY_STALE, e);
	int rc, r = 0;

	*stale = false;
	if (st == NULL)
		return TERR_IO;
	hsql_bind_text(st, 1, form_prefix, -1);
	rc = hsql_step(st);
	if (rc == HSQL_ROW)
		*stale = true;
	else if (rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение сводки ответов");
	hubdb_done(st);
	return r;
}

int
hubdb_tally_reset(struct hubdb *db, const char *form_prefix, struct terr *e)
{
	static const char *const sql[] = {
		"DELETE FROM tally WHERE substr(form_id, 1, length(?1)) = ?1",
		"DELETE FROM tally_all WHERE substr(form_id, 1, length(?1)) = ?1",
		"DELETE FROM tally_stale WHERE form_prefix = ?1",
	};
	int r;

	/* what waits was added before the reset: it goes with the rest */
	hubdb_tally_discard(db);
	r = 0;
	for (size_t i = 0; i < sizeof(sql) / sizeof(sql[0]) && r == 0; i++) {
		struct hsql_stmt *st = NULL;
		int rc;

		if (hsql_prepare(db->db, sql[i], 0, &st) != HSQL_OK)
			return hubdb_err(db, HSQL_ERROR, e, "перестройка сводки ответов");
		hsql_bind_text(st, 1, form_prefix, -1);
		if ((rc = hsql_step(st)) != HSQL_DONE)
			r = hubdb_err(db, rc, e, "перестройка сводки ответов");
		hsql_finalize(st);
	}
	return r;
}

int
hubdb_tally_records(struct hubdb *db, const char *form_prefix,
    hubdb_tally_record_cb cb, void *ctx, struct terr *e)
{
	static const char sql[] =
	    "SELECT id, school, form_id, hlc, received_at, data FROM hub_records"
	    " WHERE deleted = 0 AND substr(form_id, 1, length(?1)) = ?1"
	    " ORDER BY form_id, school, id";
	struct hsql_stmt *st = NULL;
	int rc, r = 0;

	/* HSQL_SCAN: every survey record, read through a cursor on PostgreSQL */
	if (hsql_prepare(db->db, sql, HSQL_SCAN, &st) != HSQL_OK)
		return hubdb_err(db, HSQL_ERROR, e, "чтение записей");
	hsql_bind_text(st, 1, form_prefix, -1);
	while ((rc = hsql_step(st)) == HSQL_ROW) {
		struct hubdb_tally_record rec;
		const char *hlc, *recv;

		if (hsql_column_bytes(st, 0) != 16)
			continue;
		rec.id = hsql_column_blob(st, 0);
		rec.school = (const char *)hsql_column_text(st, 1);
		rec.form_id = (const char *)hsql_column_text(st, 2);
		hlc = (const char *)hsql_column_text(st, 3);
		recv = (const char *)hsql_column_text(st, 4);
		rec.data = (const char *)hsql_column_text(st, 5);
		rec.data_len = (size_t)hsql_column_bytes(st, 5);
		rec.hlc = hlc ? hlc : "";
		rec.received_at = recv ? recv : "";
		if (rec.school == NULL || rec.form_id == NULL || rec.data == NULL)
			continue;
		if ((r = cb(ctx, &rec)) != 0)
			break;
	}
	if (r == 0 && rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение записей");
	hsql_finalize(st);
	return r;
}

int
hubdb_record_received(struct hubdb *db, const uint8_t id[16], char out[HUBDB_TIME_MAX],
    bool *found, struct terr *e)
{
	struct hsql_stmt *st = hubdb_tally_stmt(db, ST_REC_RECEIVED, e);
	int rc, r = 0;

	*found = false;
	out[0] = '\0';
	if (st == NULL)
		return TERR_IO;
	hsql_bind_blob(st, 1, id, 16);
	rc = hsql_step(st);
	if (rc == HSQL_ROW) {
		*found = true;
		hubdb_copy_text(out, HUBDB_TIME_MAX, st, 0);
	} else if (rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение записи");
	hubdb_done(st);
	return r;
}
