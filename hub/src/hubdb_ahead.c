/*
 * hubdb_ahead — a tally's windowed sums read ahead on a connection of
 * their own (hubdb.h, hubdb_tally_key_sums_ahead).
 *
 * A report reads one thing after another on its handle's connection, so
 * while the server sums (the surveys report's late windows: 8,000 pairs of
 * school and form at region scale) the report waits, and while the report
 * parses what came before (its passports) the server waits. The sums are
 * one statement whose rows are few, so they can be read apart: a second
 * connection, begun at the exported snapshot of the handle's read
 * transaction, reads exactly what the handle would; the rows wait in
 * memory until the report asks for them. Anything that keeps the second
 * connection from starting (the server's connection limit, a store on
 * SQLite, no read transaction to share) leaves the sums to be read on the
 * handle when asked, as before.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hubdb_impl.h"

struct ahead_row {
	size_t school, form_id;       /* offsets into text */
	long long n;
	double total;
	int64_t day;
};

struct hubdb_ahead {
	struct hubdb *db;             /* the caller's: where the sums are read if not apart */
	char *form_prefix, *school, *key;
	int64_t *lo, *hi;
	size_t nwin;
	char snapshot[HUBDB_SNAPSHOT_MAX];
	pthread_t thread;
	bool started;                 /* the thread runs or has not been joined */
	bool apart;                   /* the rows were read on the second connection */
	int r;                        /* the thread's result; its message in why */
	struct terr why;
	struct ahead_row *rows;
	size_t nrows, caprows;
	char *text;
	size_t ntext, captext;
};

static char *
ahead_dup(const char *s, bool *ok)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*ok = false;
	return d;
}

/* s copied into the text arena; its offset, or (size_t)-1 on no memory. */
static size_t
ahead_text(struct hubdb_ahead *a, const char *s)
{
	size_t n = strlen(s) + 1, at = a->ntext;

	if (a->ntext + n > a->captext) {
		size_t cap = a->captext ? a->captext : 65536;
		char *t;

		while (cap < a->ntext + n)
			cap *= 2;
		if ((t = realloc(a->text, cap)) == NULL)
			return (size_t)-1;
		a->text = t;
		a->captext = cap;
	}
	memcpy(a->text + at, s, n);
	a->ntext += n;
	return at;
}

/* hubdb_tally_cb of the second connection: the row kept for the caller. */
static int
ahead_keep(void *ctx, const struct hubdb_tally_row *row)
{
	struct hubdb_ahead *a = ctx;
	struct ahead_row *r;

	if (a->nrows == a->caprows) {
		size_t cap = a->caprows ? a->caprows * 2 : 1024;
		struct ahead_row *v = realloc(a->rows, cap * sizeof(*v));

		if (v == NULL)
			return TERR_NOMEM;
		a->rows = v;
		a->caprows = cap;
	}
	r = &a->rows[a->nrows];
	if ((r->school = ahead_text(a, row->school)) == (size_t)-1 ||
	    (r->form_id = ahead_text(a, row->form_id)) == (size_t)-1)
		return TERR_NOMEM;
	r->n = row->n;
	r->total = row->total;
	r->day = row->day;
	a->nrows++;
	return 0;
}

static void *
ahead_run(void *arg)
{
	struct hubdb_ahead *a = arg;
	struct hubdb *db = NULL;
	int r;

	terr_clear(&a->why);
	if ((r = hubdb_open_more(a->db->where, &db, &a->why)) == 0 &&
	    (r = hubdb_begin_read_at(db, a->snapshot, &a->why)) == 0) {
		r = hubdb_tally_key_walk_pg(db, a->form_prefix, a->school, a->key, a->lo, a->hi,
		    a->nwin, ahead_keep, a, &a->why);
		hubdb_rollback(db);
	}
	hubdb_close(db);
	a->r = r;
	return NULL;
}

int
hubdb_tally_key_sums_ahead(struct hubdb *db, const char *form_prefix, const char *school,
    const char *key, const int64_t *lo, const int64_t *hi, size_t nwin,
    struct hubdb_ahead **out, struct terr *e)
{
	struct hubdb_ahead *a;
	struct terr own;
	bool ok = true;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	a->db = db;
	a->nwin = nwin;
	a->form_prefix = ahead_dup(form_prefix, &ok);
	a->school = ahead_dup(school, &ok);
	a->key = ahead_dup(key, &ok);
	if (nwin > 0) {
		if ((a->lo = malloc(nwin * sizeof(*a->lo))) == NULL ||
		    (a->hi = malloc(nwin * sizeof(*a->hi))) == NULL)
			ok = false;
		else {
			memcpy(a->lo, lo, nwin * sizeof(*a->lo));
			memcpy(a->hi, hi, nwin * sizeof(*a->hi));
		}
	}
	if (!ok) {
		hubdb_ahead_free(a);
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	}
	*out = a;
	/*
	 * Nothing to share, or nothing to read: the sums wait for the finish.
	 * Only a read transaction's snapshot is what the handle itself reads
	 * (a writer's own changes are not in what it exports).
	 */
	if (!db->pg || db->where == NULL || nwin == 0 || !db->reading ||
	    hsql_autocommit(db->db))
		return 0;
	terr_clear(&own);
	if (hubdb_snapshot_export(db, a->snapshot, &own) != 0)
		return 0;
	if (pthread_create(&a->thread, NULL, ahead_run, a) == 0)
		a->started = true;
	return 0;
}

/* Waits for the thread; whether its rows are there to hand over. */
static bool
ahead_join(struct hubdb_ahead *a)
{
	if (a->started) {
		pthread_join(a->thread, NULL);
		a->started = false;
		a->apart = a->r == 0;
	}
	return a->apart;
}

int
hubdb_ahead_finish(struct hubdb_ahead *a, hubdb_tally_cb cb, void *ctx, struct terr *e)
{
	int r;

	if (a == NULL)
		return 0;
	if (!ahead_join(a))
		/* a connection could not be had, or failed: the handle reads them */
		return hubdb_tally_key_sums(a->db, a->form_prefix, a->school, a->key, a->lo, a->hi,
		    a->nwin, cb, ctx, e);
	for (size_t i = 0; i < a->nrows; i++) {
		const struct ahead_row *ar = &a->rows[i];
		struct hubdb_tally_row row = { a->text + ar->school, a->text + ar->form_id, a->key,
		    ar->n, ar->total, ar->day };

		if ((r = cb(ctx, &row)) != 0)
			return r;
	}
	return 0;
}

bool
hubdb_ahead_apart(struct hubdb_ahead *a)
{
	return a != NULL && ahead_join(a);
}

void
hubdb_ahead_free(struct hubdb_ahead *a)
{
	if (a == NULL)
		return;
	ahead_join(a);
	free(a->form_prefix);
	free(a->school);
	free(a->key);
	free(a->lo);
	free(a->hi);
	free(a->rows);
	free(a->text);
	free(a);
}
