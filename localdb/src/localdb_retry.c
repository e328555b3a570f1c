/*
 * localdb_retry — quarantined entries: listed for people (`tetrad status`)
 * and sent again (`tetrad retry`, and syncd when the hub's answer says the
 * cause is gone: wire.h wire_retry). A quarantined set is never resent as
 * it is — the hub has consumed its sequence numbers — so its entries go
 * again as new entries at the end of the outbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "localdb_int.h"

static const char localdb_sql_quarantined_all[] = "SELECT q.seq, q.record_id, q.op, "
    "q.form_id, q.form_version, q.school, COALESCE(q.reason, ''), COALESCE(b.retry, ''), "
    "COALESCE(b.acked_at, ''), COALESCE(q.batch_id, 0), q.hlc FROM outbox_queue q LEFT JOIN "
    "batches b ON b.id = q.batch_id WHERE q.state = 'quarantined' ORDER BY q.seq";
/* one batch: its rows by primary key (batch_id has no index) */
static const char localdb_sql_quarantined_batch[] = "SELECT q.seq, q.record_id, q.op, "
    "q.form_id, q.form_version, q.school, COALESCE(q.reason, ''), COALESCE(b.retry, ''), "
    "COALESCE(b.acked_at, ''), q.batch_id, q.hlc FROM batches b JOIN outbox_queue q ON q.seq "
    "BETWEEN b.first_seq AND b.last_seq AND q.batch_id = b.id WHERE b.id = ?1 AND "
    "q.state = 'quarantined' ORDER BY q.seq";

static const char *
localdb_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? (const char *)t : "";
}

int
localdb_quarantined_each(struct localdb *db, int64_t batch_id, localdb_quarantined_cb cb,
    void *arg, struct terr *e)
{
	struct localdb_quarantined q;
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	rc = localdb_prepare(db, batch_id ? localdb_sql_quarantined_batch :
	    localdb_sql_quarantined_all, &st);
	if (rc != SQLITE_OK)
		return localdb_sqlerr(db, rc, "прочитать карантин", e);
	if (batch_id)
		sqlite3_bind_int64(st, 1, batch_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&q, 0, sizeof(q));
		q.seq = (uint64_t)sqlite3_column_int64(st, 0);
		q.record_id = sqlite3_column_blob(st, 1);
		q.record_id_len = (size_t)sqlite3_column_bytes(st, 1);
		q.op = localdb_col_text(st, 2);
		q.form_id = localdb_col_text(st, 3);
		q.form_version = sqlite3_column_int64(st, 4);
		q.school = localdb_col_text(st, 5);
		q.reason = localdb_col_text(st, 6);
		q.retry = localdb_col_text(st, 7);
		q.at = localdb_col_text(st, 8);
		q.batch_id = sqlite3_column_int64(st, 9);
		q.hlc = localdb_col_text(st, 10);
		if ((r = cb(&q, arg)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = localdb_sqlerr(db, rc, "прочитать карантин", e);
	localdb_done(db, st);
	return r;
}

/* the partial index batches_retry holds exactly these rows */
static const char localdb_sql_retry_batches[] = "SELECT id, retry FROM batches "
    "WHERE retry IS NOT NULL ORDER BY id";

int
localdb_retry_batches(struct localdb *db, localdb_retry_cb cb, void *arg, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	if ((rc = localdb_prepare(db, localdb_sql_retry_batches, &st)) != SQLITE_OK)
		return localdb_sqlerr(db, rc, "прочитать карантин", e);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((r = cb(sqlite3_column_int64(st, 0), localdb_col_text(st, 1), arg)) != 0)
			break;
	if (r == 0 && rc != SQLITE_DONE)
		r = localdb_sqlerr(db, rc, "прочитать карантин", e);
	localdb_done(db, st);
	return r;
}

/* The rows to move, gathered first: the copies are written while no
 * statement reads the table. */
struct localdb_seqs {
	uint64_t *v;
	size_t n, cap;
	int64_t *batches;
	size_t nb, capb;
};

static int
localdb_seqs_add(const struct localdb_quarantined *q, void *arg)
{
	struct localdb_seqs *s = arg;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		uint64_t *v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL)
			return TERR_NOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = q->seq;
	if (s->nb == 0 || s->batches[s->nb - 1] != q->batch_id) {
		if (s->nb == s->capb) {
			size_t cap = s->capb ? s->capb * 2 : 16;
			int64_t *b = realloc(s->batches, cap * sizeof(*b));

			if (b == NULL)
				return TERR_NOMEM;
			s->batches = b;
			s->capb = cap;
		}
		s->batches[s->nb++] = q->batch_id;
	}
	return 0;
}

struct localdb_pick {
	struct localdb_seqs *s;
	bool retryable_only;
	const uint8_t *except;          /* a record whose entries stay, or NULL */
};

static int
localdb_pick_one(const struct localdb_quarantined *q, void *arg)
{
	struct localdb_pick *p = arg;

	if (p->retryable_only && q->retry[0] == '\0')
		return 0;
	if (p->except != NULL && q->record_id_len == LOCALDB_ID_BYTES &&
	    memcmp(q->record_id, p->except, LOCALDB_ID_BYTES) == 0)
		return 0;
	return localdb_seqs_add(q, p->s);
}

static const char localdb_sql_copy[] = "INSERT INTO outbox_queue(seq, record_id, op, "
    "form_id, form_version, school, hlc, state) SELECT ?2, record_id, op, form_id, "
    "form_version, school, hlc, 'pending' FROM outbox_queue WHERE seq = ?1";
static const char localdb_sql_copy_fields[] = "INSERT INTO outbox_fields(seq, fields) "
    "SELECT ?2, fields FROM outbox_fields WHERE seq = ?1";
static const char localdb_sql_drop[] = "DELETE FROM outbox_queue WHERE seq = ?1";
static const char localdb_sql_drop_fields[] = "DELETE FROM outbox_fields WHERE seq = ?1";
static const char localdb_sql_unmark[] = "UPDATE batches SET retry = NULL WHERE id = ?1";
static const char localdb_sql_max[] = "SELECT COALESCE(MAX(seq), 0) FROM outbox_queue";

/* Runs sql with ?1 = a and ?2 = b: SQLITE_DONE or the failure. */
static int
localdb_step2(struct localdb *db, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = localdb_prepare(db, sql, &st)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	rc = sqlite3_step(st);
	localdb_done(db, st);
	return rc;
}

static int
localdb_requeue_pick(struct localdb *db, int64_t batch_id, bool retryable_only,
    const uint8_t *except, int64_t *moved, struct terr *e)
{
	struct localdb_seqs s = { 0 };
	struct localdb_pick p = { &s, retryable_only, except };
	sqlite3_stmt *st = NULL;
	char *next_text = NULL, buf[32];
	int64_t next = 1, max = 0;
	int r, rc = SQLITE_DONE;

	if (moved)
		*moved = 0;
	if ((r = localdb_begin(db, e)) != 0)
		return r;
	if ((r = localdb_quarantined_each(db, batch_id, localdb_pick_one, &p, e)) != 0) {
		if (r == TERR_NOMEM)
			terr_set(e, r, "недостаточно памяти");
		goto out;
	}
	if (s.n == 0)
		goto out;
	/* the numbering of localdb_outbox_append: meta next_seq, never below MAX + 1 */
	if ((rc = localdb_prepare(db, localdb_sql_max, &st)) == SQLITE_OK &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW) {
		max = sqlite3_column_int64(st, 0);
		rc = SQLITE_DONE;
	}
	localdb_done(db, st);
	if (rc == SQLITE_DONE && (r = localdb_meta_get(db, "next_seq", &next_text, e)) != 0)
		goto out;
	if (next_text)
		next = strtoll(next_text, NULL, 10);
	if (next < max + 1)
		next = max + 1;
	for (size_t i = 0; i < s.n && rc == SQLITE_DONE; i++, next++) {
		int64_t old = (int64_t)s.v[i];

		if ((rc = localdb_step2(db, localdb_sql_copy, old, next)) == SQLITE_DONE &&
		    (rc = localdb_step2(db, localdb_sql_copy_fields, old, next)) == SQLITE_DONE &&
		    (rc = localdb_step2(db, localdb_sql_drop_fields, old, 0)) == SQLITE_DONE)
			rc = localdb_step2(db, localdb_sql_drop, old, 0);
	}
	for (size_t i = 0; i < s.nb && rc == SQLITE_DONE; i++)
		rc = localdb_step2(db, localdb_sql_unmark, s.batches[i], 0);
	if (rc != SQLITE_DONE) {
		r = localdb_sqlerr(db, rc, "вернуть записи из карантина в очередь отправки", e);
		goto out;
	}
	snprintf(buf, sizeof(buf), "%lld", (long long)next);
	r = localdb_meta_set(db, "next_seq", buf, e);
 out:
	if (r == 0)
		r = localdb_commit(db, e);
	else
		localdb_rollback(db);
	if (r == 0 && moved)
		*moved = (int64_t)s.n;
	free(next_text);
	free(s.v);
	free(s.batches);
	return r;
}

int
localdb_requeue(struct localdb *db, int64_t batch_id, bool retryable_only, int64_t *moved,
    struct terr *e)
{
	return localdb_requeue_pick(db, batch_id, retryable_only, NULL, moved, e);
}

int
localdb_requeue_others(struct localdb *db, int64_t batch_id,
    const uint8_t record_id[LOCALDB_ID_BYTES], int64_t *moved, struct terr *e)
{
	return localdb_requeue_pick(db, batch_id, false, record_id, moved, e);
}

/* by the record_id index: a record has few outbox rows */
static const char localdb_sql_superseded[] = "SELECT seq FROM outbox_queue "
    "WHERE record_id = ?1 AND state = 'quarantined' ORDER BY seq";

int
localdb_quarantine_supersede(struct localdb *db, const uint8_t record_id[LOCALDB_ID_BYTES],
    int64_t *superseded, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int64_t seqs[64];
	size_t n;
	int rc;

	*superseded = 0;
	/* in rounds: the rows are deleted while no statement reads the table */
	do {
		n = 0;
		if ((rc = localdb_prepare(db, localdb_sql_superseded, &st)) != SQLITE_OK)
			return localdb_sqlerr(db, rc, "прочитать карантин", e);
		sqlite3_bind_blob(st, 1, record_id, LOCALDB_ID_BYTES, SQLITE_STATIC);
		while (n < sizeof(seqs) / sizeof(seqs[0]) &&
		    (rc = sqlite3_step(st)) == SQLITE_ROW)
			seqs[n++] = sqlite3_column_int64(st, 0);
		if (n < sizeof(seqs) / sizeof(seqs[0]) && rc != SQLITE_DONE) {
			localdb_done(db, st);
			return localdb_sqlerr(db, rc, "прочитать карантин", e);
		}
		localdb_done(db, st);
		rc = SQLITE_DONE;
		for (size_t i = 0; i < n && rc == SQLITE_DONE; i++)
			if ((rc = localdb_step2(db, localdb_sql_drop_fields, seqs[i], 0)) ==
			    SQLITE_DONE)
				rc = localdb_step2(db, localdb_sql_drop, seqs[i], 0);
		if (rc != SQLITE_DONE)
			return localdb_sqlerr(db, rc, "снять исправленную запись с карантина", e);
		*superseded += (int64_t)n;
	} while (n == sizeof(seqs) / sizeof(seqs[0]));
	return 0;
}
