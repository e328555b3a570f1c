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

_Static_assert(LOCALDB_HASH_BYTES == CHANGESET_HASH_BYTES, "one hash size");

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
push_prev_hash(struct localdb *db, uint8_t out[CHANGESET_HASH_BYTES], struct terr *e)
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
push_set_prev_hash(struct localdb *db, const uint8_t h[CHANGESET_HASH_BYTES], struct terr *e)
{
	char hex[2 * CHANGESET_HASH_BYTES + 1];

	keys_hex(h, CHANGESET_HASH_BYTES, hex);
	return syncdb_meta_set(db, "last_set_hash", hex, e);
}

/*
 * The op of an outbox entry. A put's fields are given as the row's text
 * (valid until the next row): the client writes it canonically, and
 * changeset_add takes it as it stands; push_row_fields reads it otherwise.
 */
static int
push_row_op(const struct localdb_entry *en, struct op *op, struct terr *e)
{
	const char *form = en->form_id, *school = en->school;
	int64_t fv = en->form_version;

	memset(op, 0, sizeof(*op));
	op->seq = en->seq;
	if (en->record_id == NULL || en->record_id_len != UUID7_BYTES)
		return terr_set(e, TERR_SCHEMA, "запись очереди %llu: неверный идентификатор записи",
		    (unsigned long long)op->seq);
	memcpy(op->record_id, en->record_id, UUID7_BYTES);
	if (form == NULL || strlen(form) == 0 || strlen(form) > CHANGESET_ID_MAX ||
	    school == NULL || strlen(school) == 0 || strlen(school) > CHANGESET_SCHOOL_MAX ||
	    fv < 0 || fv > (int64_t)UINT32_MAX)
		return terr_set(e, TERR_SCHEMA, "запись очереди %llu: неверная форма или школа",
		    (unsigned long long)op->seq);
	strcpy(op->form_id, form);
	strcpy(op->school, school);
	op->form_version = (uint32_t)fv;
	if (en->hlc == NULL || hlc_decode(en->hlc, &op->hlc) != 0)
		return terr_set(e, TERR_CLOCK, "запись очереди %llu: неверная метка времени",
		    (unsigned long long)op->seq);
	if (en->op && strcmp(en->op, "delete") == 0) {
		op->kind = OP_DELETE;
		return 0;
	}
	/* an edit carries only the fields it changed (changeset.h OP_EDIT) */
	if (en->op && strcmp(en->op, "edit") == 0)
		op->kind = OP_EDIT;
	else if (en->op && strcmp(en->op, "put") == 0)
		op->kind = OP_PUT;
	else
		return terr_set(e, TERR_SCHEMA, "запись очереди %llu: неизвестная операция",
		    (unsigned long long)op->seq);
	if (en->fields == NULL || en->fields_len == 0 || en->fields_len > PUSH_FIELDS_MAX)
		return terr_set(e, TERR_TOO_LARGE, "запись очереди %llu: поля отсутствуют или длиннее %u байт",
		    (unsigned long long)op->seq, PUSH_FIELDS_MAX);
	op->fields_text = en->fields;
	op->fields_len = en->fields_len;
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
 * The page cache for one set's transaction. Between sets syncd keeps
 * SQLite's cache small (LOCALDB_SYNCD_CACHE_KIB), but a set's transaction
 * reads its rows, seals them, then rewrites the same rows: when the rows
 * outgrow the cache (1,000 risk visits are 1,000 pages, the cache 128), each
 * page is read twice and the dirty ones are spilled into the WAL mid-way.
 * So once a set's rows pass PUSH_WIDE_AT bytes the cache is widened to hold
 * them — at most twice the set's estimated bytes, a row just over half a
 * page wasting the rest — and narrowed again when the transaction ends,
 * which frees those pages: memory stays bounded by a set, not by what
 * waits. Sets of small records (a questionnaire, 1,000 in 60 pages) never
 * widen it and cost no memory more. Since schema 5 the rows rewritten are
 * the narrow outbox_queue ones and each fields page is read once, so this
 * matters less: without it 1,000 visits cost the same CPU with 3.6 MiB less
 * peak RSS, but sets of 10,000 small records ~7% more (one run each): kept
 * until measured on a quiet machine.
 */
#define PUSH_WIDE_AT ((size_t)LOCALDB_SYNCD_CACHE_KIB << 9)   /* half the small cache */

static long
push_cache_kib(const struct push_ctx *c)
{
	size_t max_bytes = c->max_bytes == 0 ? PUSH_DEFAULT_MAX_BYTES : c->max_bytes;

	return LOCALDB_SYNCD_CACHE_KIB + (long)(2 * (max_bytes >> 10));
}

/* What push_take gathers while the outbox is streamed into one set. */
struct push_fill {
	const struct push_ctx *c;
	struct changeset *cs;
	struct op op;
	size_t bytes, max_bytes, rows_bytes;
	uint64_t expect;
	int wide;
	struct terr *e;
};

/* One pending entry into the set; 1 when it belongs to the next set. */
static int
push_take(const struct localdb_entry *en, void *arg)
{
	struct push_fill *f = arg;
	size_t est = PUSH_OP_OVERHEAD + en->fields_len;
	int r;

	/* A set covers contiguous seqs; the rest goes into the next one. */
	if (f->cs->n_ops > 0 && (en->seq != f->expect || f->bytes + est > f->max_bytes))
		return 1;
	if ((r = push_row_op(en, &f->op, f->e)) != 0)
		return r;
	/* rows written before the client wrote canonical text, or by hand */
	if ((r = changeset_add(f->cs, &f->op, f->e)) == TERR_PARSE && OP_HAS_FIELDS(f->op.kind)) {
		terr_clear(f->e);
		if ((r = push_row_fields(&f->op, f->e)) == 0)
			r = changeset_add(f->cs, &f->op, f->e);
	}
	cJSON_Delete(f->op.fields);
	f->op.fields = NULL;
	if (r != 0)
		return r;
	f->bytes += est;
	f->expect = f->op.seq + 1;
	f->rows_bytes += en->fields_len;
	if (!f->wide && f->rows_bytes > PUSH_WIDE_AT) {
		if ((r = localdb_cache_kib(f->c->db, push_cache_kib(f->c), f->e)) != 0)
			return r;
		f->wide = 1;
	}
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
	struct push_fill f;
	struct localdb_batch lb;
	struct tbuf *env = NULL;
	size_t max_ops;
	int r;

	memset(b, 0, sizeof(*b));
	memset(&f, 0, sizeof(f));
	memset(&lb, 0, sizeof(lb));
	f.e = e;
	max_ops = c->max_ops == 0 || c->max_ops > CHANGESET_MAX_OPS ? PUSH_DEFAULT_MAX_OPS : c->max_ops;
	f.max_bytes = c->max_bytes == 0 ? PUSH_DEFAULT_MAX_BYTES : c->max_bytes;
	f.c = c;
	if ((r = syncdb_begin(c->db, e)) != 0)
		return r;
	if ((f.cs = changeset_new()) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if ((r = push_prev_hash(c->db, f.cs->prev_hash, e)) != 0)
		goto out;
	if ((r = localdb_outbox_pending(c->db, max_ops, push_take, &f, e)) != 0)
		goto out;
	if (f.cs->n_ops == 0) {
		syncdb_rollback(c->db);
		r = 0;
		goto out;
	}
	f.cs->format_version = CHANGESET_FORMAT_VERSION;
	memcpy(f.cs->device_id, c->device_id, KEYS_ID_BYTES);
	snprintf(f.cs->school, sizeof(f.cs->school), "%s", c->school);
	f.cs->first_seq = f.cs->ops[0].seq;
	f.cs->last_seq = f.cs->ops[f.cs->n_ops - 1].seq;
	if ((r = push_created(c, &f.cs->created, e)) != 0)
		goto out;
	if ((env = tbuf_new(ENVELOPE_MAX_BYTES)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if ((r = envelope_seal(f.cs, c->dev, c->hub_enc_pk, NULL, env, b->set_hash, e)) != 0)
		goto out;
	b->first_seq = f.cs->first_seq;
	b->last_seq = f.cs->last_seq;
	memcpy(b->prev_hash, f.cs->prev_hash, CHANGESET_HASH_BYTES);
	snprintf(b->state, sizeof(b->state), "%s", sending ? "sent" : "sealed");
	if ((b->envelope = tbuf_steal(env, &b->len)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	lb.first_seq = b->first_seq;
	lb.last_seq = b->last_seq;
	memcpy(lb.prev_hash, b->prev_hash, CHANGESET_HASH_BYTES);
	memcpy(lb.set_hash, b->set_hash, CHANGESET_HASH_BYTES);
	lb.envelope = b->envelope;
	lb.len = b->len;
	if ((r = localdb_batch_insert(c->db, &lb, sending, f.cs->n_ops, e)) != 0)
		goto out;
	b->id = lb.id;
	b->wide = f.wide;
	if ((r = push_set_prev_hash(c->db, b->set_hash, e)) != 0)
		goto out;
	if ((r = syncdb_commit(c->db, e)) != 0)
		goto out;
	r = 1;
 out:
	if (r < 0) {
		syncdb_rollback(c->db);
		push_batch_clear(b);
	}
	if (f.wide)
		localdb_cache_kib(c->db, LOCALDB_SYNCD_CACHE_KIB, NULL);
	cJSON_Delete(f.op.fields);
	changeset_free(f.cs);
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
	struct localdb_batch lb;
	int r;

	memset(b, 0, sizeof(*b));
	if ((r = localdb_batch_next(c->db, after_seq, ENVELOPE_MAX_BYTES, &lb, e)) <= 0)
		return r;
	b->id = lb.id;
	b->first_seq = lb.first_seq;
	b->last_seq = lb.last_seq;
	memcpy(b->prev_hash, lb.prev_hash, CHANGESET_HASH_BYTES);
	memcpy(b->set_hash, lb.set_hash, CHANGESET_HASH_BYTES);
	b->envelope = lb.envelope;
	b->len = lb.len;
	memcpy(b->state, lb.state, sizeof(b->state));
	return 1;
}

static int push_set_state_retry(const struct push_ctx *c, const struct push_batch *b,
    enum localdb_batch_state state, const char *reason, enum wire_retry retry,
    const uint8_t *ack, size_t ack_len, struct terr *e);

/* The batch as localdb names it for a state change (id and seq range). */
static int
push_set_state(const struct push_ctx *c, const struct push_batch *b,
    enum localdb_batch_state state, const char *reason, const uint8_t *ack,
    size_t ack_len, struct terr *e)
{
	return push_set_state_retry(c, b, state, reason, WIRE_RETRY_NO, ack, ack_len, e);
}

static int
push_set_state_retry(const struct push_ctx *c, const struct push_batch *b,
    enum localdb_batch_state state, const char *reason, enum wire_retry retry,
    const uint8_t *ack, size_t ack_len, struct terr *e)
{
	struct localdb_batch lb;
	const char *rn = wire_retry_name(retry);

	memset(&lb, 0, sizeof(lb));
	lb.id = b->id;
	lb.first_seq = b->first_seq;
	lb.last_seq = b->last_seq;
	snprintf(lb.retry, sizeof(lb.retry), "%s", rn ? rn : "");
	return localdb_batch_set_state(c->db, &lb, state, reason, ack, ack_len, e);
}

int
push_mark_sent(const struct push_ctx *c, const struct push_batch *b, struct terr *e)
{
	return push_set_state(c, b, LOCALDB_BATCH_SENT, NULL, NULL, 0, e);
}

int
push_mark_acked(const struct push_ctx *c, const struct push_batch *b,
    const uint8_t *ack, size_t ack_len, struct terr *e)
{
	int r;

	/*
	 * Not waited onto the disk: an acknowledgement lost with the power is a
	 * set sent once more, which the hub answers as applied already. Sealing
	 * the next set, which must be on the disk before the set leaves, takes
	 * this commit onto it too. Only in WAL mode: with a rollback journal,
	 * NORMAL can cost the database itself.
	 */
	if (c->wal && (r = localdb_durable(c->db, false, e)) != 0)
		return r;
	/* rewrites the set's rows: the cache they were sealed with (push_cache_kib) */
	if (!b->wide || (r = localdb_cache_kib(c->db, push_cache_kib(c), e)) == 0)
		r = push_set_state(c, b, LOCALDB_BATCH_ACKED, NULL, ack, ack_len, e);
	if (b->wide)
		localdb_cache_kib(c->db, LOCALDB_SYNCD_CACHE_KIB, NULL);
	if (localdb_durable(c->db, true, NULL) != 0 && r == 0)
		r = terr_set(e, TERR_IO, "не удалось вернуть синхронную запись базы данных");
	return r;
}

int
push_quarantine(const struct push_ctx *c, const struct push_batch *b,
    const char *reason, enum wire_retry retry, const uint8_t *ack, size_t ack_len,
    struct terr *e)
{
	return push_set_state_retry(c, b, LOCALDB_BATCH_QUARANTINED, reason, retry, ack,
	    ack_len, e);
}

int
push_rewind(const struct push_ctx *c, uint64_t expected_seq,
    const uint8_t *hub_hash, struct terr *e)
{
	uint8_t p[CHANGESET_HASH_BYTES];
	int r;

	if (expected_seq < 1 || expected_seq > (1ULL << 53))
		return terr_set(e, TERR_ARG, "хаб сообщил недопустимый номер %llu", (unsigned long long)expected_seq);
	if ((r = syncdb_begin(c->db, e)) != 0)
		return r;
	memset(p, 0, sizeof(p));
	if (expected_seq > 1) {
		if ((r = localdb_batch_hash_ending(c->db, expected_seq - 1, p, e)) < 0)
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
	if ((r = localdb_batch_starts(c->db, expected_seq, p, e)) < 0)
		goto out;
	if (r == 1) {
		if ((r = localdb_batch_reopen(c->db, expected_seq, e)) != 0)
			goto out;
	} else {
		/*
		 * Dissolve every batch that reaches expected_seq: entries before it
		 * are on the hub already (its watermark says so), the rest are
		 * sealed again, chained to the hub's last hash.
		 */
		if ((r = localdb_batch_dissolve(c->db, expected_seq, e)) != 0 ||
		    (r = push_set_prev_hash(c->db, p, e)) != 0)
			goto out;
	}
	r = syncdb_commit(c->db, e);
 out:
	if (r < 0)
		syncdb_rollback(c->db);
	return r < 0 ? r : 0;
}

bool
push_ack_answers(const struct push_ack *a, const struct push_batch *b)
{
	return a->first == b->first_seq && a->last == b->last_seq &&
	    (!a->have_hash || memcmp(a->set_hash, b->set_hash, CHANGESET_HASH_BYTES) == 0);
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
	/* only a refusal can be retried (a hub may not say otherwise) */
	a->retry = a->status == PUSH_ST_REFUSED || a->status == PUSH_ST_FUTURE_HLC ?
	    w.retry : WIRE_RETRY_NO;
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
push_has_work(struct localdb *db, struct terr *e)
{
	return localdb_has_work(db, e);
}

int
push_counts(struct localdb *db, struct push_counts *n, struct terr *e)
{
	struct localdb_counts c;
	int r;

	memset(n, 0, sizeof(*n));
	if ((r = localdb_counts(db, false, &c, e)) != 0)
		return r;
	n->pending = c.pending;
	n->sent = c.sent;
	n->acked = c.acked;
	n->quarantined = c.quarantined;
	return 0;
}
