/*
 * localdb_queue — the statements on the outbox and batches: the client
 * appends entries, syncd streams pending ones into sealed batches and moves
 * batches and their entries through sent, acked and quarantined (the state
 * machine is drawn in syncd/include/syncd/push.h). Every statement is
 * prepared once per handle: syncd runs each of them once per set, the
 * client once per record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "localdb_int.h"

static const char localdb_sql_max_seq[] = "SELECT COALESCE(MAX(seq),0) FROM outbox_queue";
/* Two rows per entry (schema 5): syncd changes the state of the first
 * twice and never writes the second. */
static const char localdb_sql_append[] = "INSERT INTO outbox_queue(seq,record_id,op,"
    "form_id,form_version,school,hlc,state) VALUES(?,?,?,?,?,?,?,'pending')";
static const char localdb_sql_append_fields[] = "INSERT INTO outbox_fields(seq,fields) "
    "VALUES(?,?)";

int
localdb_outbox_append(struct localdb *db, const struct localdb_entry *en,
    int64_t *seq, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	char *next_text = NULL;
	char buf[32];
	int64_t max = 0, next = 1;
	int r, rc;

	if (!localdb_in_tx(db))
		return terr_set(e, TERR_INTERNAL, "Запись в очередь отправки вне "
		    "транзакции.");
	/* meta next_seq survives pruning of acknowledged rows; MAX(seq) guards
	 * against a meta value left behind by an older program. */
	if ((rc = localdb_prepare(db, localdb_sql_max_seq, &st)) == SQLITE_OK &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW) {
		max = sqlite3_column_int64(st, 0);
		rc = SQLITE_DONE;
	}
	localdb_done(db, st);
	st = NULL;
	if (rc != SQLITE_DONE) {
		r = localdb_sqlerr(db, rc, "прочитать базу данных", e);
		goto out;
	}
	if ((r = localdb_meta_get(db, "next_seq", &next_text, e)) != 0)
		goto out;
	if (next_text)
		next = strtoll(next_text, NULL, 10);
	if (next < max + 1)
		next = max + 1;
	if ((rc = localdb_prepare(db, localdb_sql_append, &st)) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, next);
		sqlite3_bind_blob(st, 2, en->record_id, (int)en->record_id_len, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, en->op, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, en->form_id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, en->form_version);
		sqlite3_bind_text(st, 6, en->school, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, en->hlc, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	localdb_done(db, st);
	st = NULL;
	if (rc == SQLITE_DONE &&
	    (rc = localdb_prepare(db, localdb_sql_append_fields, &st)) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, next);
		if (en->fields)
			sqlite3_bind_text(st, 2, en->fields, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 2);
		rc = sqlite3_step(st);
	}
	if (rc != SQLITE_DONE) {
		r = localdb_sqlerr(db, rc, "добавить изменение в очередь отправки", e);
		goto out;
	}
	snprintf(buf, sizeof(buf), "%lld", (long long)(next + 1));
	if ((r = localdb_meta_set(db, "next_seq", buf, e)) != 0)
		goto out;
	if (seq)
		*seq = next;
	r = 0;
 out:
	localdb_done(db, st);
	free(next_text);
	return r;
}

static const char localdb_sql_pending[] = "SELECT q.seq, q.record_id, q.op, q.form_id, "
    "q.form_version, q.school, q.hlc, f.fields FROM outbox_queue q LEFT JOIN outbox_fields f "
    "ON f.seq = q.seq WHERE q.state = 'pending' AND q.batch_id IS NULL ORDER BY q.seq LIMIT ?";

int
localdb_outbox_pending(struct localdb *db, size_t limit, localdb_entry_cb cb,
    void *arg, struct terr *e)
{
	struct localdb_entry en;
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	if ((rc = localdb_prepare(db, localdb_sql_pending, &st)) != SQLITE_OK)
		return localdb_sqlerr(db, rc, "прочитать очередь отправки", e);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		en.seq = (uint64_t)sqlite3_column_int64(st, 0);
		en.record_id = sqlite3_column_blob(st, 1);
		en.record_id_len = (size_t)sqlite3_column_bytes(st, 1);
		en.op = (const char *)sqlite3_column_text(st, 2);
		en.form_id = (const char *)sqlite3_column_text(st, 3);
		en.form_version = sqlite3_column_int64(st, 4);
		en.school = (const char *)sqlite3_column_text(st, 5);
		en.hlc = (const char *)sqlite3_column_text(st, 6);
		en.fields = (const char *)sqlite3_column_text(st, 7);
		en.fields_len = (size_t)sqlite3_column_bytes(st, 7);
		if ((r = cb(&en, arg)) != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = localdb_sqlerr(db, rc, "прочитать очередь отправки", e);
	localdb_done(db, st);
	return r < 0 ? r : 0;
}

/* One pass over each table with nothing to sort: no index has every row's
 * state (schema 3), and GROUP BY would sort a million of them in memory. */
static const char localdb_sql_counts[] = "SELECT COUNT(*) FILTER (WHERE state = 'pending'), "
    "COUNT(*) FILTER (WHERE state = 'sent'), COUNT(*) FILTER (WHERE state = 'acked'), "
    "COUNT(*) FILTER (WHERE state = 'quarantined') FROM outbox_queue";
static const char localdb_sql_record_counts[] = "SELECT COUNT(*) FILTER (WHERE status = 'draft'), "
    "COUNT(*) FILTER (WHERE status = 'final'), COUNT(*) FILTER (WHERE status = 'deleted') "
    "FROM records";

int
localdb_counts(struct localdb *db, bool with_records, struct localdb_counts *c,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = localdb_prepare(db, localdb_sql_counts, &st)) == SQLITE_OK &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW) {
		c->pending = sqlite3_column_int64(st, 0);
		c->sent = sqlite3_column_int64(st, 1);
		c->acked = sqlite3_column_int64(st, 2);
		c->quarantined = sqlite3_column_int64(st, 3);
		rc = SQLITE_DONE;
	}
	localdb_done(db, st);
	st = NULL;
	if (rc == SQLITE_DONE && with_records &&
	    (rc = localdb_prepare(db, localdb_sql_record_counts, &st)) == SQLITE_OK &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW) {
		c->drafts = sqlite3_column_int64(st, 0);
		c->finals = sqlite3_column_int64(st, 1);
		c->deleted = sqlite3_column_int64(st, 2);
		rc = SQLITE_DONE;
	}
	localdb_done(db, st);
	if (rc != SQLITE_DONE)
		return localdb_sqlerr(db, rc, "посчитать записи", e);
	return 0;
}

static const char localdb_sql_reasons[] = "SELECT COALESCE(reason, ''), COUNT(*) "
    "FROM outbox_queue WHERE state = 'quarantined' GROUP BY 1 ORDER BY 2 DESC, 1";

int
localdb_quarantine_reasons(struct localdb *db, localdb_reason_cb cb, void *arg,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	if ((rc = localdb_prepare(db, localdb_sql_reasons, &st)) == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);

			if ((r = cb(t ? (const char *)t : "", sqlite3_column_int64(st, 1),
			    arg)) != 0)
				break;
		}
	}
	localdb_done(db, st);
	if (r != 0)
		return r;
	if (rc != SQLITE_DONE)
		return localdb_sqlerr(db, rc, "прочитать причины карантина", e);
	return 0;
}

/* both found by index: the open sets by state, the entries by outbox_pending */
static const char localdb_sql_has_work[] = "SELECT EXISTS(SELECT 1 FROM batches WHERE "
    "state IN ('sealed', 'sent')) OR EXISTS(SELECT 1 FROM outbox_queue WHERE state = 'pending' "
    "AND batch_id IS NULL)";

int
localdb_has_work(struct localdb *db, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	if ((rc = localdb_prepare(db, localdb_sql_has_work, &st)) == SQLITE_OK &&
	    (rc = sqlite3_step(st)) == SQLITE_ROW)
		r = sqlite3_column_int(st, 0) != 0;
	else
		r = localdb_sqlerr(db, rc, "прочитать очередь отправки", e);
	localdb_done(db, st);
	return r;
}

static const char localdb_sql_batch_insert[] = "INSERT INTO batches(first_seq, last_seq, "
    "prev_hash, set_hash, envelope, state, created_at, sent_at) VALUES(?1, ?2, ?3, ?4, ?5, "
    "CASE WHEN ?7 THEN 'sent' ELSE 'sealed' END, ?6, CASE WHEN ?7 THEN ?6 END)";
static const char localdb_sql_batch_assign[] = "UPDATE outbox_queue SET batch_id = ?1, "
    "state = CASE WHEN ?4 THEN 'sent' ELSE state END WHERE seq BETWEEN ?2 AND ?3 "
    "AND state = 'pending' AND batch_id IS NULL";

int
localdb_batch_insert(struct localdb *db, struct localdb_batch *b, int sending,
    size_t n_ops, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int rc;

	localdb_now_iso(now);
	if ((rc = localdb_prepare(db, localdb_sql_batch_insert, &st)) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)b->first_seq);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)b->last_seq);
		sqlite3_bind_blob(st, 3, b->prev_hash, LOCALDB_HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, b->set_hash, LOCALDB_HASH_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 5, b->envelope, (int)b->len, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 7, sending);
		rc = sqlite3_step(st);
	}
	localdb_done(db, st);
	if (rc != SQLITE_DONE)
		return localdb_sqlerr(db, rc, "сохранить набор", e);
	b->id = sqlite3_last_insert_rowid(db->db);
	if ((rc = localdb_prepare(db, localdb_sql_batch_assign, &st)) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, b->id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)b->first_seq);
		sqlite3_bind_int64(st, 3, (sqlite3_int64)b->last_seq);
		sqlite3_bind_int(st, 4, sending);
		rc = sqlite3_step(st);
	}
	localdb_done(db, st);
	if (rc != SQLITE_DONE)
		return localdb_sqlerr(db, rc, "обновить очередь отправки", e);
	if ((size_t)sqlite3_changes(db->db) != n_ops)
		return terr_set(e, TERR_INTERNAL, "очередь изменилась во время упаковки набора");
	return 0;
}

static const char localdb_sql_batch_next[] = "SELECT id, first_seq, last_seq, prev_hash, "
    "set_hash, envelope, state FROM batches WHERE state IN ('sealed', 'sent') AND "
    "first_seq > ? ORDER BY first_seq, id LIMIT 1";

int
localdb_batch_next(struct localdb *db, uint64_t after_seq, size_t max_len,
    struct localdb_batch *b, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	memset(b, 0, sizeof(*b));
	if ((rc = localdb_prepare(db, localdb_sql_batch_next, &st)) != SQLITE_OK)
		return localdb_sqlerr(db, rc, "прочитать наборы", e);
	sqlite3_bind_int64(st, 1, (sqlite3_int64)after_seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		goto out;
	if (rc != SQLITE_ROW) {
		r = localdb_sqlerr(db, rc, "прочитать наборы", e);
		goto out;
	}
	b->id = sqlite3_column_int64(st, 0);
	b->first_seq = (uint64_t)sqlite3_column_int64(st, 1);
	b->last_seq = (uint64_t)sqlite3_column_int64(st, 2);
	if (sqlite3_column_bytes(st, 3) != LOCALDB_HASH_BYTES ||
	    sqlite3_column_bytes(st, 4) != LOCALDB_HASH_BYTES ||
	    sqlite3_column_bytes(st, 5) <= 0 ||
	    (size_t)sqlite3_column_bytes(st, 5) > max_len) {
		r = terr_set(e, TERR_SCHEMA, "набор %lld повреждён в базе данных", (long long)b->id);
		goto out;
	}
	memcpy(b->prev_hash, sqlite3_column_blob(st, 3), LOCALDB_HASH_BYTES);
	memcpy(b->set_hash, sqlite3_column_blob(st, 4), LOCALDB_HASH_BYTES);
	b->len = (size_t)sqlite3_column_bytes(st, 5);
	if ((b->envelope = malloc(b->len)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	memcpy(b->envelope, sqlite3_column_blob(st, 5), b->len);
	snprintf(b->state, sizeof(b->state), "%s", (const char *)sqlite3_column_text(st, 6));
	r = 1;
 out:
	localdb_done(db, st);
	if (r <= 0) {
		free(b->envelope);
		memset(b, 0, sizeof(*b));
	}
	return r;
}

/*
 * The two statements of each state change, with ?1 = batch id, ?2 now,
 * ?3 reason, ?4 ack, ?5/?6 the batch's first and last seq (outbox rows are
 * found by primary key, not by batch_id, which has no index), ?7 the retry
 * class of a quarantine (NULL: none).
 */
static const char *const localdb_sql_state[][2] = {
	[LOCALDB_BATCH_SENT] = {
		"UPDATE batches SET state = 'sent', sent_at = COALESCE(sent_at, ?2) "
		"WHERE id = ?1 AND state = 'sealed'",
		"UPDATE outbox_queue SET state = 'sent' WHERE seq BETWEEN ?5 AND ?6 "
		"AND batch_id = ?1 AND state = 'pending'",
	},
	[LOCALDB_BATCH_ACKED] = {
		"UPDATE batches SET state = 'acked', acked_at = ?2, "
		"sent_at = COALESCE(sent_at, ?2), ack = ?4, reason = ?3 WHERE id = ?1",
		"UPDATE outbox_queue SET state = 'acked' WHERE seq BETWEEN ?5 AND ?6 "
		"AND batch_id = ?1 AND state IN ('pending', 'sent')",
	},
	[LOCALDB_BATCH_QUARANTINED] = {
		"UPDATE batches SET state = 'quarantined', reason = ?3, "
		"acked_at = ?2, ack = ?4, retry = ?7 WHERE id = ?1",
		"UPDATE outbox_queue SET state = 'quarantined', reason = ?3 "
		"WHERE seq BETWEEN ?5 AND ?6 AND batch_id = ?1 AND state IN ('pending', 'sent')",
	},
};

int
localdb_batch_set_state(struct localdb *db, const struct localdb_batch *b,
    enum localdb_batch_state state, const char *reason, const uint8_t *ack,
    size_t ack_len, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	char now[32];
	int r, rc = SQLITE_DONE;

	if ((unsigned)state > LOCALDB_BATCH_QUARANTINED)
		return terr_set(e, TERR_INTERNAL, "неизвестное состояние набора");
	localdb_now_iso(now);
	if ((r = localdb_begin(db, e)) != 0)
		return r;
	for (int i = 0; i < 2 && rc == SQLITE_DONE; i++) {
		if ((rc = localdb_prepare(db, localdb_sql_state[state][i], &st)) != SQLITE_OK)
			break;
		/* binding a number the statement does not use is harmless (in
		 * range) or SQLITE_RANGE (ignored) */
		sqlite3_bind_int64(st, 1, b->id);
		sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		if (reason)
			sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
		if (ack)
			sqlite3_bind_blob(st, 4, ack, (int)ack_len, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, (sqlite3_int64)b->first_seq);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)b->last_seq);
		if (b->retry[0] != '\0')
			sqlite3_bind_text(st, 7, b->retry, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		localdb_done(db, st);
		st = NULL;
	}
	if (rc != SQLITE_DONE) {
		r = localdb_sqlerr(db, rc, "обновить наборы", e);
		localdb_rollback(db);
		return r;
	}
	return localdb_commit(db, e);
}

static const char localdb_sql_hash_ending[] = "SELECT set_hash FROM batches WHERE "
    "last_seq = ? ORDER BY id DESC LIMIT 1";
static const char localdb_sql_starts[] = "SELECT id FROM batches WHERE first_seq = ? "
    "AND prev_hash = ? AND state != 'quarantined' ORDER BY id DESC LIMIT 1";

/* Steps sql with ?1 = seq and ?2 = hash when given: SQLITE_ROW with a
 * row on *st (the caller calls localdb_done), or another result. */
static int
localdb_seq_query(struct localdb *db, const char *sql, uint64_t seq,
    const uint8_t *hash, sqlite3_stmt **st)
{
	int rc;

	*st = NULL;
	if ((rc = localdb_prepare(db, sql, st)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(*st, 1, (sqlite3_int64)seq);
	if (hash)
		sqlite3_bind_blob(*st, 2, hash, LOCALDB_HASH_BYTES, SQLITE_STATIC);
	return sqlite3_step(*st);
}

int
localdb_batch_hash_ending(struct localdb *db, uint64_t seq,
    uint8_t out[LOCALDB_HASH_BYTES], struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0, rc = localdb_seq_query(db, localdb_sql_hash_ending, seq, NULL, &st);

	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == LOCALDB_HASH_BYTES) {
		memcpy(out, sqlite3_column_blob(st, 0), LOCALDB_HASH_BYTES);
		r = 1;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		r = localdb_sqlerr(db, rc, "прочитать наборы", e);
	}
	localdb_done(db, st);
	return r;
}

int
localdb_batch_starts(struct localdb *db, uint64_t seq,
    const uint8_t prev_hash[LOCALDB_HASH_BYTES], struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0, rc = localdb_seq_query(db, localdb_sql_starts, seq, prev_hash, &st);

	if (rc == SQLITE_ROW)
		r = 1;
	else if (rc != SQLITE_DONE)
		r = localdb_sqlerr(db, rc, "перемотать наборы", e);
	localdb_done(db, st);
	return r;
}

/* Runs the statements of a rewind in turn, each with ?1 = seq. */
static int
localdb_seq_exec(struct localdb *db, const char *const *sql, size_t n, uint64_t seq,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_DONE;

	for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
		rc = localdb_seq_query(db, sql[i], seq, NULL, &st);
		localdb_done(db, st);
	}
	if (rc != SQLITE_DONE)
		return localdb_sqlerr(db, rc, "перемотать наборы", e);
	return 0;
}

static const char *const localdb_sql_reopen[] = {
	"UPDATE outbox_queue SET state = 'pending' WHERE seq >= ?1 AND batch_id IN "
	"(SELECT id FROM batches WHERE first_seq >= ?1 AND state != 'quarantined')",
	"UPDATE batches SET state = 'sealed', ack = NULL, acked_at = NULL "
	"WHERE first_seq >= ?1 AND state != 'quarantined'",
};

static const char *const localdb_sql_dissolve[] = {
	"UPDATE outbox_queue SET state = CASE WHEN seq < ?1 THEN 'acked' "
	"ELSE 'pending' END, batch_id = CASE WHEN seq < ?1 THEN batch_id ELSE NULL END "
	"WHERE seq >= (SELECT MIN(first_seq) FROM batches WHERE last_seq >= ?1) "
	"AND batch_id IN (SELECT id FROM batches WHERE last_seq >= ?1 AND "
	"state != 'quarantined')",
	"DELETE FROM batches WHERE last_seq >= ?1 AND first_seq >= ?1 "
	"AND state != 'quarantined'",
	"UPDATE batches SET state = 'acked', reason = 'частично принят хабом' "
	"WHERE last_seq >= ?1 AND first_seq < ?1 AND state != 'quarantined'",
};

int
localdb_batch_reopen(struct localdb *db, uint64_t seq, struct terr *e)
{
	return localdb_seq_exec(db, localdb_sql_reopen, 2, seq, e);
}

int
localdb_batch_dissolve(struct localdb *db, uint64_t seq, struct terr *e)
{
	return localdb_seq_exec(db, localdb_sql_dissolve, 3, seq, e);
}
