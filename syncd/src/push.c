/*
 * push — building, sealing and tracking change sets (see push.h).
 */
#include "syncd/push.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "syncd/syncdb.h"
#include "tetrad/envelope.h"
#include "tetrad/hlc.h"
#include "tetrad/sigblob.h"
#include "tetrad/tbuf.h"
#include "tetrad/wire.h"

/* Canonical bytes of an op besides its fields: ids, form, HLC, names. */
#define PUSH_OP_OVERHEAD 260

void
push_batch_clear(struct push_batch *b)
{
	if (b == NULL)
		return;
	free(b->envelope);
	memset(b, 0, sizeof(*b));
}

static int
push_prev_hash(sqlite3 *db, uint8_t out[CHANGESET_HASH_BYTES], struct terr *e)
{
	char hex[2 * CHANGESET_HASH_BYTES + 1];
	int r;

	memset(out, 0, CHANGESET_HASH_BYTES);
	if ((r = syncdb_meta_get(db, "last_set_hash", hex, sizeof(hex), e)) < 0)
		return r;
	if (r == 0 || hex[0] == '\0')
		return 0;
	if (strlen(hex) != 2 * CHANGESET_HASH_BYTES || keys_unhex(hex, out, CHANGESET_HASH_BYTES) != 0)
		return terr_set(e, TERR_PARSE, "meta last_set_hash повреждён");
	return 0;
}

static int
push_set_prev_hash(sqlite3 *db, const uint8_t h[CHANGESET_HASH_BYTES], struct terr *e)
{
	char hex[2 * CHANGESET_HASH_BYTES + 1];

	keys_hex(h, CHANGESET_HASH_BYTES, hex);
	return syncdb_meta_set(db, "last_set_hash", hex, e);
}

/*
 * The op of the current outbox row. A put's fields are given as the row's
 * text (valid until the next step): the client writes it canonically, and
 * changeset_add takes it as it stands; push_row_fields reads it otherwise.
 */
static int
push_row_op(sqlite3_stmt *st, struct op *op, struct terr *e)
{
	const void *rid = sqlite3_column_blob(st, 1);
	const char *kind = (const char *)sqlite3_column_text(st, 2);
	const char *form = (const char *)sqlite3_column_text(st, 3);
	const char *school = (const char *)sqlite3_column_text(st, 5);
	const char *hlc = (const char *)sqlite3_column_text(st, 6);
	const char *fields = (const char *)sqlite3_column_text(st, 7);
	int flen = sqlite3_column_bytes(st, 7);
	int64_t fv = sqlite3_column_int64(st, 4);

	memset(op, 0, sizeof(*op));
	op->seq = (uint64_t)sqlite3_column_int64(st, 0);
	if (rid == NULL || sqlite3_column_bytes(st, 1) != UUID7_BYTES)
		return terr_set(e, TERR_SCHEMA, "запись очереди %llu: неверный идентификатор записи",
		    (unsigned long long)op->seq);
	memcpy(op->record_id, rid, UUID7_BYTES);
	if (form == NULL || strlen(form) == 0 || strlen(form) > CHANGESET_ID_MAX ||
	    school == NULL || strlen(school) == 0 || strlen(school) > CHANGESET_SCHOOL_MAX ||
	    fv < 0 || fv > (int64_t)UINT32_MAX)
		return terr_set(e, TERR_SCHEMA, "запись очереди %llu: неверная форма или школа",
		    (unsigned long long)op->seq);
	strcpy(op->form_id, form);
	strcpy(op->school, school);
	op->form_version = (uint32_t)fv;
	if (hlc == NULL || hlc_decode(hlc, &op->hlc) != 0)
		return terr_set(e, TERR_CLOCK, "запись очереди %llu: неверная метка времени",
		    (unsigned long long)op->seq);
	if (kind && strcmp(kind, "delete") == 0) {
		op->kind = OP_DELETE;
		return 0;
	}
	if (kind == NULL || strcmp(kind, "put") != 0)
		return terr_set(e, TERR_SCHEMA, "запись очереди %llu: неизвестная операция",
		    (unsigned long long)op->seq);
	op->kind = OP_PUT;
	if (fields == NULL || flen <= 0 || (size_t)flen > PUSH_FIELDS_MAX)
		return terr_set(e, TERR_TOO_LARGE, "запись очереди %llu: поля отсутствуют или длиннее %u байт",
		    (unsigned long long)op->seq, PUSH_FIELDS_MAX);
	op->fields_text = fields;
	op->fields_len = (size_t)flen;
	return 0;
}

/* op->fields read from its text, for changeset_add to encode (caller frees). */
static int
push_row_fields(struct op *op, struct terr *e)
{
	op->fields = cJSON_ParseWithLength(op->fields_text, op->fields_len);
	if (op->fields == NULL || !cJSON_IsObject(op->fields)) {
		cJSON_Delete(op->fields);
		op->fields = NULL;
		return terr_set(e, TERR_PARSE, "запись очереди %llu: поля не являются объектом JSON",
		    (unsigned long long)op->seq);
	}
	return 0;
}

static int
push_created(const struct push_ctx *c, struct hlc_ts *out, struct terr *e)
{
	char txt[HLC_STRLEN + 8];
	struct hlc_ts last, *lastp = NULL;
	struct hlc *clk;
	int r;

	if (syncdb_meta_get(c->db, "hlc_last", txt, sizeof(txt), NULL) == 1 &&
	    hlc_decode(txt, &last) == 0)
		lastp = &last;
	if ((clk = hlc_new(keys_id_u64(c->device_id), lastp)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	r = hlc_now(clk, hlc_wall_now(), out);
	hlc_free(clk);
	if (r != 0)
		return terr_set(e, r, "не удалось получить метку времени");
	return 0;
}

/*
 * Seals and stores the next batch; with sending, in the state push_mark_sent
 * would give it, in the same transaction: one commit and one rewrite of the
 * set's outbox rows instead of two, for the batch that goes out at once.
 */
static int
push_seal(const struct push_ctx *c, int sending, struct push_batch *b, struct terr *e)
{
	sqlite3_stmt *st = NULL, *ins = NULL, *upd = NULL;
	struct changeset *cs = NULL;
	struct tbuf *env = NULL;
	struct op op;
	size_t bytes = 0, max_ops, max_bytes;
	uint64_t expect = 0;
	char now[32];
	int r, rc;

	memset(b, 0, sizeof(*b));
	memset(&op, 0, sizeof(op));
	max_ops = c->max_ops == 0 || c->max_ops > CHANGESET_MAX_OPS ? PUSH_DEFAULT_MAX_OPS : c->max_ops;
	max_bytes = c->max_bytes == 0 ? PUSH_DEFAULT_MAX_BYTES : c->max_bytes;
	if ((r = syncdb_begin(c->db, e)) != 0)
		return r;
	if ((cs = changeset_new()) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if ((r = push_prev_hash(c->db, cs->prev_hash, e)) != 0)
		goto out;
	if (sqlite3_prepare_v2(c->db, "SELECT seq, record_id, op, form_id, form_version, school, hlc, fields "
	    "FROM outbox WHERE state = 'pending' AND batch_id IS NULL ORDER BY seq LIMIT ?",
	    -1, &st, NULL) != SQLITE_OK) {
		r = syncdb_err(c->db, e, "чтение очереди");
		goto out;
	}
	sqlite3_bind_int64(st, 1, (sqlite3_int64)max_ops);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		size_t est = PUSH_OP_OVERHEAD + (size_t)sqlite3_column_bytes(st, 7);

		/* A set covers contiguous seqs; the rest goes into the next one. */
		if (cs->n_ops > 0 && ((uint64_t)sqlite3_column_int64(st, 0) != expect ||
		    bytes + est > max_bytes))
			break;
		if ((r = push_row_op(st, &op, e)) != 0)
			goto out;
		/* rows written before the client wrote canonical text, or by hand */
		if ((r = changeset_add(cs, &op, e)) == TERR_PARSE && op.kind == OP_PUT) {
			terr_clear(e);
			if ((r = push_row_fields(&op, e)) == 0)
				r = changeset_add(cs, &op, e);
		}
		if (r != 0)
			goto out;
		cJSON_Delete(op.fields);
		op.fields = NULL;
		bytes += est;
		expect = op.seq + 1;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		r = syncdb_err(c->db, e, "чтение очереди");
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (cs->n_ops == 0) {
		syncdb_rollback(c->db);
		r = 0;
		goto out;
	}
	cs->format_version = CHANGESET_FORMAT_VERSION;
	memcpy(cs->device_id, c->device_id, KEYS_ID_BYTES);
	snprintf(cs->school, sizeof(cs->school), "%s", c->school);
	cs->first_seq = cs->ops[0].seq;
	cs->last_seq = cs->ops[cs->n_ops - 1].seq;
	if ((r = push_created(c, &cs->created, e)) != 0)
		goto out;
	if ((env = tbuf_new(ENVELOPE_MAX_BYTES)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if ((r = envelope_seal(cs, c->dev, c->hub_enc_pk, NULL, env, b->set_hash, e)) != 0)
		goto out;
	syncdb_now_iso(now);
	if (sqlite3_prepare_v2(c->db, "INSERT INTO batches(first_seq, last_seq, prev_hash, set_hash, "
	    "envelope, state, created_at, sent_at) VALUES(?1, ?2, ?3, ?4, ?5, "
	    "CASE WHEN ?7 THEN 'sent' ELSE 'sealed' END, ?6, CASE WHEN ?7 THEN ?6 END)",
	    -1, &ins, NULL) != SQLITE_OK) {
		r = syncdb_err(c->db, e, "сохранение набора");
		goto out;
	}
	sqlite3_bind_int64(ins, 1, (sqlite3_int64)cs->first_seq);
	sqlite3_bind_int64(ins, 2, (sqlite3_int64)cs->last_seq);
	sqlite3_bind_blob(ins, 3, cs->prev_hash, CHANGESET_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 4, b->set_hash, CHANGESET_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(ins, 5, tbuf_ptr(env), (int)tbuf_len(env), SQLITE_STATIC);
	sqlite3_bind_text(ins, 6, now, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 7, sending);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		r = syncdb_err(c->db, e, "сохранение набора");
		goto out;
	}
	b->id = sqlite3_last_insert_rowid(c->db);
	if (sqlite3_prepare_v2(c->db, "UPDATE outbox SET batch_id = ?1, "
	    "state = CASE WHEN ?4 THEN 'sent' ELSE state END WHERE seq BETWEEN ?2 AND ?3 "
	    "AND state = 'pending' AND batch_id IS NULL", -1, &upd, NULL) != SQLITE_OK) {
		r = syncdb_err(c->db, e, "обновление очереди");
		goto out;
	}
	sqlite3_bind_int64(upd, 1, b->id);
	sqlite3_bind_int64(upd, 2, (sqlite3_int64)cs->first_seq);
	sqlite3_bind_int64(upd, 3, (sqlite3_int64)cs->last_seq);
	sqlite3_bind_int(upd, 4, sending);
	if (sqlite3_step(upd) != SQLITE_DONE) {
		r = syncdb_err(c->db, e, "обновление очереди");
		goto out;
	}
	if ((size_t)sqlite3_changes(c->db) != cs->n_ops) {
		r = terr_set(e, TERR_INTERNAL, "очередь изменилась во время упаковки набора");
		goto out;
	}
	if ((r = push_set_prev_hash(c->db, b->set_hash, e)) != 0)
		goto out;
	if ((r = syncdb_commit(c->db, e)) != 0)
		goto out;
	b->first_seq = cs->first_seq;
	b->last_seq = cs->last_seq;
	memcpy(b->prev_hash, cs->prev_hash, CHANGESET_HASH_BYTES);
	snprintf(b->state, sizeof(b->state), "%s", sending ? "sent" : "sealed");
	b->envelope = tbuf_steal(env, &b->len);
	if (b->envelope == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	r = 1;
 out:
	if (r < 0) {
		syncdb_rollback(c->db);
		push_batch_clear(b);
	}
	cJSON_Delete(op.fields);
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	sqlite3_finalize(upd);
	changeset_free(cs);
	tbuf_free(env);
	return r;
}

int
push_build(const struct push_ctx *c, struct push_batch *b, struct terr *e)
{
	return push_seal(c, 0, b, e);
}

int
push_build_sent(const struct push_ctx *c, struct push_batch *b, struct terr *e)
{
	return push_seal(c, 1, b, e);
}

int
push_next(const struct push_ctx *c, uint64_t after_seq, struct push_batch *b,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	memset(b, 0, sizeof(*b));
	if (sqlite3_prepare_v2(c->db, "SELECT id, first_seq, last_seq, prev_hash, set_hash, envelope, state "
	    "FROM batches WHERE state IN ('sealed', 'sent') AND first_seq > ? "
	    "ORDER BY first_seq, id LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return syncdb_err(c->db, e, "чтение наборов");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)after_seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		goto out;
	if (rc != SQLITE_ROW) {
		r = syncdb_err(c->db, e, "чтение наборов");
		goto out;
	}
	b->id = sqlite3_column_int64(st, 0);
	b->first_seq = (uint64_t)sqlite3_column_int64(st, 1);
	b->last_seq = (uint64_t)sqlite3_column_int64(st, 2);
	if (sqlite3_column_bytes(st, 3) != CHANGESET_HASH_BYTES ||
	    sqlite3_column_bytes(st, 4) != CHANGESET_HASH_BYTES ||
	    sqlite3_column_bytes(st, 5) <= 0 ||
	    (size_t)sqlite3_column_bytes(st, 5) > ENVELOPE_MAX_BYTES) {
		r = terr_set(e, TERR_SCHEMA, "набор %lld повреждён в базе данных", (long long)b->id);
		goto out;
	}
	memcpy(b->prev_hash, sqlite3_column_blob(st, 3), CHANGESET_HASH_BYTES);
	memcpy(b->set_hash, sqlite3_column_blob(st, 4), CHANGESET_HASH_BYTES);
	b->len = (size_t)sqlite3_column_bytes(st, 5);
	if ((b->envelope = malloc(b->len)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	memcpy(b->envelope, sqlite3_column_blob(st, 5), b->len);
	snprintf(b->state, sizeof(b->state), "%s", (const char *)sqlite3_column_text(st, 6));
	r = 1;
 out:
	if (r <= 0)
		push_batch_clear(b);
	sqlite3_finalize(st);
	return r;
}

/*
 * Runs sql in the open transaction with ?1 = batch id, ?5/?6 = its first and
 * last seq (outbox rows are found by primary key, not by batch_id, which has
 * no index), ?2 ?3 text and ?4 blob when given.
 */
static int
push_exec_batch(sqlite3 *db, const char *sql, const struct push_batch *b, const char *t2,
    const char *t3, const uint8_t *blob, size_t blen, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return syncdb_err(db, e, "обновление наборов");
	sqlite3_bind_int64(st, 1, b->id);
	if (sqlite3_bind_parameter_count(st) >= 6) {
		sqlite3_bind_int64(st, 5, (sqlite3_int64)b->first_seq);
		sqlite3_bind_int64(st, 6, (sqlite3_int64)b->last_seq);
	}
	if (t2)
		sqlite3_bind_text(st, 2, t2, -1, SQLITE_STATIC);
	if (t3)
		sqlite3_bind_text(st, 3, t3, -1, SQLITE_STATIC);
	if (blob)
		sqlite3_bind_blob(st, 4, blob, (int)blen, SQLITE_STATIC);
	else if (sqlite3_bind_parameter_count(st) >= 4)
		sqlite3_bind_null(st, 4);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = syncdb_err(db, e, "обновление наборов");
	sqlite3_finalize(st);
	return r;
}

int
push_mark_sent(const struct push_ctx *c, const struct push_batch *b, struct terr *e)
{
	char now[32];
	int r;

	syncdb_now_iso(now);
	if ((r = syncdb_begin(c->db, e)) != 0)
		return r;
	if ((r = push_exec_batch(c->db, "UPDATE batches SET state = 'sent', sent_at = COALESCE(sent_at, ?2) "
	    "WHERE id = ?1 AND state = 'sealed'", b, now, NULL, NULL, 0, e)) != 0 ||
	    (r = push_exec_batch(c->db, "UPDATE outbox SET state = 'sent' WHERE seq BETWEEN ?5 AND ?6 "
	    "AND batch_id = ?1 AND state = 'pending'", b, NULL, NULL, NULL, 0, e)) != 0) {
		syncdb_rollback(c->db);
		return r;
	}
	return syncdb_commit(c->db, e);
}

int
push_mark_acked(const struct push_ctx *c, const struct push_batch *b,
    const uint8_t *ack, size_t ack_len, struct terr *e)
{
	char now[32];
	int r;

	syncdb_now_iso(now);
	/*
	 * Not waited onto the disk: an acknowledgement lost with the power is a
	 * set sent once more, which the hub answers as applied already. Sealing
	 * the next set, which must be on the disk before the set leaves, takes
	 * this commit onto it too. Only in WAL mode: with a rollback journal,
	 * NORMAL can cost the database itself.
	 */
	if (c->wal && (r = syncdb_exec(c->db, "PRAGMA synchronous=NORMAL", e)) != 0)
		return r;
	if ((r = syncdb_begin(c->db, e)) == 0) {
		if ((r = push_exec_batch(c->db, "UPDATE batches SET state = 'acked', acked_at = ?2, "
		    "sent_at = COALESCE(sent_at, ?2), ack = ?4, reason = ?3 WHERE id = ?1", b, now, NULL,
		    ack, ack_len, e)) != 0 ||
		    (r = push_exec_batch(c->db, "UPDATE outbox SET state = 'acked' WHERE seq BETWEEN ?5 AND ?6 "
		    "AND batch_id = ?1 AND state IN ('pending', 'sent')", b, NULL, NULL, NULL, 0, e)) != 0)
			syncdb_rollback(c->db);
		else
			r = syncdb_commit(c->db, e);
	}
	if (syncdb_exec(c->db, "PRAGMA synchronous=FULL", NULL) != 0 && r == 0)
		r = terr_set(e, TERR_IO, "не удалось вернуть синхронную запись базы данных");
	return r;
}

int
push_quarantine(const struct push_ctx *c, const struct push_batch *b,
    const char *reason, const uint8_t *ack, size_t ack_len, struct terr *e)
{
	char now[32];
	int r;

	syncdb_now_iso(now);
	if ((r = syncdb_begin(c->db, e)) != 0)
		return r;
	if ((r = push_exec_batch(c->db, "UPDATE batches SET state = 'quarantined', reason = ?3, "
	    "acked_at = ?2, ack = ?4 WHERE id = ?1", b, now, reason, ack, ack_len, e)) != 0 ||
	    (r = push_exec_batch(c->db, "UPDATE outbox SET state = 'quarantined', reason = ?3 "
	    "WHERE seq BETWEEN ?5 AND ?6 AND batch_id = ?1 AND state IN ('pending', 'sent')", b, NULL, reason, NULL, 0, e)) != 0) {
		syncdb_rollback(c->db);
		return r;
	}
	return syncdb_commit(c->db, e);
}

/* set_hash of the latest batch ending at seq; 1 found, 0 not, <0 error. */
static int
push_hash_ending_at(sqlite3 *db, uint64_t seq, uint8_t out[CHANGESET_HASH_BYTES], struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0, rc;

	if (sqlite3_prepare_v2(db, "SELECT set_hash FROM batches WHERE last_seq = ? "
	    "ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return syncdb_err(db, e, "чтение наборов");
	sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == CHANGESET_HASH_BYTES) {
		memcpy(out, sqlite3_column_blob(st, 0), CHANGESET_HASH_BYTES);
		r = 1;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		r = syncdb_err(db, e, "чтение наборов");
	}
	sqlite3_finalize(st);
	return r;
}

static int
push_exec2(sqlite3 *db, const char *sql, int64_t a, const uint8_t *blob, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return syncdb_err(db, e, "перемотка наборов");
	sqlite3_bind_int64(st, 1, a);
	if (blob)
		sqlite3_bind_blob(st, 2, blob, CHANGESET_HASH_BYTES, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = syncdb_err(db, e, "перемотка наборов");
	sqlite3_finalize(st);
	return r;
}

int
push_rewind(const struct push_ctx *c, uint64_t expected_seq,
    const uint8_t *hub_hash, struct terr *e)
{
	uint8_t p[CHANGESET_HASH_BYTES];
	sqlite3_stmt *st = NULL;
	int r, found = 0;
	int64_t E = (int64_t)expected_seq;

	if (expected_seq < 1 || expected_seq > (1ULL << 53))
		return terr_set(e, TERR_ARG, "хаб сообщил недопустимый номер %llu", (unsigned long long)expected_seq);
	if ((r = syncdb_begin(c->db, e)) != 0)
		return r;
	memset(p, 0, sizeof(p));
	if (expected_seq > 1) {
		if ((r = push_hash_ending_at(c->db, expected_seq - 1, p, e)) < 0)
			goto out;
		if (r == 0 && hub_hash) {
			memcpy(p, hub_hash, sizeof(p));
			r = 1;
		}
		if (r == 0) {
			r = terr_set(e, TERR_MISMATCH, "хаб ожидает набор с номера %llu, но цепочку "
			    "нельзя продолжить: на устройстве нет набора, заканчивающегося на %llu",
			    (unsigned long long)expected_seq, (unsigned long long)(expected_seq - 1));
			goto out;
		}
	}
	/* A stored batch that starts where the hub stands: resend those bytes. */
	if (sqlite3_prepare_v2(c->db, "SELECT id FROM batches WHERE first_seq = ? AND prev_hash = ? "
	    "AND state != 'quarantined' ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK) {
		r = syncdb_err(c->db, e, "перемотка наборов");
		goto out;
	}
	sqlite3_bind_int64(st, 1, E);
	sqlite3_bind_blob(st, 2, p, sizeof(p), SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		found = 1;
	sqlite3_finalize(st);
	st = NULL;
	if (found) {
		if ((r = push_exec2(c->db, "UPDATE outbox SET state = 'pending' WHERE seq >= ?1 AND batch_id IN "
		    "(SELECT id FROM batches WHERE first_seq >= ?1 AND state != 'quarantined')", E, NULL, e)) != 0 ||
		    (r = push_exec2(c->db, "UPDATE batches SET state = 'sealed', ack = NULL, acked_at = NULL "
		    "WHERE first_seq >= ?1 AND state != 'quarantined'", E, NULL, e)) != 0)
			goto out;
	} else {
		/*
		 * Dissolve every batch that reaches expected_seq: entries before it
		 * are on the hub already (its watermark says so), the rest are
		 * sealed again, chained to the hub's last hash.
		 */
		if ((r = push_exec2(c->db, "UPDATE outbox SET state = CASE WHEN seq < ?1 THEN 'acked' "
		    "ELSE 'pending' END, batch_id = CASE WHEN seq < ?1 THEN batch_id ELSE NULL END "
		    "WHERE seq >= (SELECT MIN(first_seq) FROM batches WHERE last_seq >= ?1) "
		    "AND batch_id IN (SELECT id FROM batches WHERE last_seq >= ?1 AND "
		    "state != 'quarantined')", E, NULL, e)) != 0 ||
		    (r = push_exec2(c->db, "DELETE FROM batches WHERE last_seq >= ?1 AND first_seq >= ?1 "
		    "AND state != 'quarantined'", E, NULL, e)) != 0 ||
		    (r = push_exec2(c->db, "UPDATE batches SET state = 'acked', reason = 'частично принят хабом' "
		    "WHERE last_seq >= ?1 AND first_seq < ?1 AND state != 'quarantined'", E, NULL, e)) != 0)
			goto out;
		if ((r = push_set_prev_hash(c->db, p, e)) != 0)
			goto out;
	}
	r = syncdb_commit(c->db, e);
 out:
	if (r < 0)
		syncdb_rollback(c->db);
	sqlite3_finalize(st);
	return r < 0 ? r : 0;
}

int
push_parse_ack(const struct push_ctx *c, const uint8_t *blob, size_t len,
    struct push_ack *a, struct terr *e)
{
	const uint8_t *payload = NULL;
	size_t plen = 0;
	struct wire_ack w;
	int r;

	memset(a, 0, sizeof(*a));
	if ((r = sigblob_open(blob, len, SIGBLOB_ACK, c->hub_sign_pk, &payload, &plen, e)) != 0)
		return r;
	if ((r = wire_ack_parse(payload, plen, &w, e)) != 0)
		return r;
	if (strcmp(w.device_id, c->device_hex) != 0)
		return terr_set(e, TERR_SCHEMA, "подтверждение хаба относится к другому устройству");
	/* the two enums name the same statuses in the same order */
	a->status = (enum push_status)w.status;
	a->first = w.first;
	a->last = w.last;
	a->expected_seq = w.expected_seq;
	a->applied = (int64_t)w.applied;
	a->conflicts = (int64_t)w.conflicts;
	a->have_hash = w.have_hash;
	memcpy(a->set_hash, w.set_hash, sizeof(a->set_hash));
	wire_text_copy(a->reason, sizeof(a->reason), w.reason);
	a->have_enc_pk = w.have_enc_pk;
	memcpy(a->hub_enc_pk, w.hub_enc_pk, sizeof(a->hub_enc_pk));
	return 0;
}

_Static_assert((int)PUSH_ST_APPLIED == (int)WIRE_ACK_APPLIED &&
    (int)PUSH_ST_REFUSED == (int)WIRE_ACK_REFUSED && (int)PUSH_ST_GAP == (int)WIRE_ACK_GAP &&
    (int)PUSH_ST_FORK == (int)WIRE_ACK_FORK && (int)PUSH_ST_REVOKED == (int)WIRE_ACK_REVOKED &&
    (int)PUSH_ST_UNKNOWN_DEVICE == (int)WIRE_ACK_UNKNOWN_DEVICE &&
    (int)PUSH_ST_FUTURE_HLC == (int)WIRE_ACK_FUTURE_HLC && (int)PUSH_ST_BUSY == (int)WIRE_ACK_BUSY,
    "push_status and wire_ack_status must agree");

int
push_adopt_hub_key(struct push_ctx *c, const struct push_ack *a, int *changed,
    struct terr *e)
{
	char hex[2 * KEYS_ENC_PK_BYTES + 1];
	int r;

	*changed = 0;
	if (!a->have_enc_pk || memcmp(a->hub_enc_pk, c->hub_enc_pk, KEYS_ENC_PK_BYTES) == 0)
		return 0;
	keys_hex(a->hub_enc_pk, KEYS_ENC_PK_BYTES, hex);
	if ((r = syncdb_meta_set(c->db, "hub_enc_pk", hex, e)) != 0)
		return r;
	memcpy(c->hub_enc_pk, a->hub_enc_pk, KEYS_ENC_PK_BYTES);
	*changed = 1;
	return 0;
}

int
push_has_work(sqlite3 *db, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r;

	/* both found by index: the open sets by state, the entries by outbox_pending */
	if (sqlite3_prepare_v2(db, "SELECT EXISTS(SELECT 1 FROM batches WHERE state IN ('sealed', 'sent')) "
	    "OR EXISTS(SELECT 1 FROM outbox WHERE state = 'pending' AND batch_id IS NULL)",
	    -1, &st, NULL) != SQLITE_OK)
		return syncdb_err(db, e, "чтение очереди");
	if (sqlite3_step(st) == SQLITE_ROW)
		r = sqlite3_column_int(st, 0) != 0;
	else
		r = syncdb_err(db, e, "чтение очереди");
	sqlite3_finalize(st);
	return r;
}

int
push_counts(sqlite3 *db, struct push_counts *n, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(n, 0, sizeof(*n));
	/* One pass over the table with nothing to sort: no index has every
	 * row's state (client schema 3), and GROUP BY would sort a million
	 * of them in memory (temp_store=MEMORY). */
	if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FILTER (WHERE state = 'pending'), "
	    "COUNT(*) FILTER (WHERE state = 'sent'), COUNT(*) FILTER (WHERE state = 'acked'), "
	    "COUNT(*) FILTER (WHERE state = 'quarantined') FROM outbox", -1, &st, NULL) != SQLITE_OK)
		return syncdb_err(db, e, "подсчёт очереди");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		n->pending = sqlite3_column_int64(st, 0);
		n->sent = sqlite3_column_int64(st, 1);
		n->acked = sqlite3_column_int64(st, 2);
		n->quarantined = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return syncdb_err(db, e, "подсчёт очереди");
	return 0;
}
