/*
 * hubdb_tally_pg — one key's sums on PostgreSQL (hubdb_tally_key_sums).
 *
 * SQLite walks the tally's (school, form) pairs by seeking past each and
 * sums a window of days per pair (hubdb_tally.c): calls into a library,
 * cheap. On PostgreSQL every one of those statements is a round trip, and
 * a region's surveys report (2,000 schools, four forms, windows of a year)
 * took 8 s in them. Here the server does the walk: one query, the pairs
 * that have the key (from tally_all, a row per school, form and key), each
 * window summed through the tally's key (school, form_id, key, day), rows
 * in the order the SQLite walk gives them: by school, form, then window.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hubdb_impl.h"

/* The windows' bounds as a bigint[] literal: "{1,2,3}". NULL: no memory. */
static char *
hubdb_tally_pg_array(const int64_t *v, size_t n)
{
	size_t cap = 3 + n * 21, k = 0;
	char *s = malloc(cap);

	if (s == NULL)
		return NULL;
	s[k++] = '{';
	for (size_t i = 0; i < n; i++)
		k += (size_t)snprintf(s + k, cap - k, "%s%" PRId64, i ? "," : "", v[i]);
	snprintf(s + k, cap - k, "}");
	return s;
}

int
hubdb_tally_key_walk_pg(struct hubdb *db, const char *form_prefix, const char *school,
    const char *key, const int64_t *lo, const int64_t *hi, size_t nwin, hubdb_tally_cb cb,
    void *ctx, struct terr *e)
{
	/* the doubles added in the days' order, as SQLite adds them along its key */
	static const char sql[] =
	    "SELECT p.school, p.form_id, w.i, s.c, s.n, s.t FROM"
	    " (SELECT DISTINCT school, form_id FROM tally_all WHERE key = ?1"
	    "  AND substr(form_id, 1, length(CAST(?2 AS TEXT))) = ?2"
	    "  AND (CAST(?3 AS TEXT) IS NULL OR school = ?3)) AS p"
	    /* the pair's first and last day, two seeks: a window of a year
	     * without its rows is never summed (most of a decade's windows) */
	    " CROSS JOIN LATERAL (SELECT min(day) AS lo, max(day) AS hi FROM tally b"
	    "  WHERE b.school = p.school AND b.form_id = p.form_id AND b.key = ?1) AS b"
	    " CROSS JOIN unnest(CAST(?4 AS bigint[]), CAST(?5 AS bigint[]))"
	    "  WITH ORDINALITY AS w(lo, hi, i)"
	    " CROSS JOIN LATERAL (SELECT count(*) AS c, sum(n) AS n,"
	    "  sum(total ORDER BY day) AS t FROM tally t WHERE t.school = p.school"
	    "  AND t.form_id = p.form_id AND t.key = ?1 AND t.day BETWEEN w.lo AND w.hi"
	    "  AND t.n <> 0) AS s"
	    " WHERE w.lo <= w.hi AND w.lo <= b.hi AND w.hi >= b.lo AND s.c > 0"
	    " ORDER BY p.school, p.form_id, w.i";
	struct hsql_stmt *st = NULL;
	char *alo = hubdb_tally_pg_array(lo, nwin), *ahi = hubdb_tally_pg_array(hi, nwin);
	int rc, r = 0;

	if (alo == NULL || ahi == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if ((r = hubdb_tally_flush(db, e)) != 0)
		goto out;
	if ((rc = hsql_prepare(db->db, sql, HSQL_SCAN, &st)) != HSQL_OK) {
		r = hubdb_err(db, rc, e, "чтение сводки ответов");
		goto out;
	}
	hsql_bind_text(st, 1, key, -1);
	hsql_bind_text(st, 2, form_prefix, -1);
	if (school != NULL)
		hsql_bind_text(st, 3, school, -1);
	else
		hsql_bind_null(st, 3);
	hsql_bind_text(st, 4, alo, -1);
	hsql_bind_text(st, 5, ahi, -1);
	while ((rc = hsql_step(st)) == HSQL_ROW) {
		int64_t w = hsql_column_int64(st, 2) - 1;
		struct hubdb_tally_row row = { (const char *)hsql_column_text(st, 0),
		    (const char *)hsql_column_text(st, 1), key, hsql_column_int64(st, 4),
		    hsql_column_double(st, 5), w >= 0 && (size_t)w < nwin ? lo[w] : 0 };

		if (row.school == NULL || row.form_id == NULL)
			continue;
		if ((r = cb(ctx, &row)) != 0)
			goto out;
	}
	if (rc != HSQL_DONE)
		r = hubdb_err(db, rc, e, "чтение сводки ответов");
 out:
	hsql_finalize(st);
	free(alo);
	free(ahi);
	return r;
}
