/*
 * ingest — exactly-once application of a device's envelope (ingest.h).
 *
 * The expensive steps (signature, decryption, parsing, form checks) run
 * before the write transaction so several workers can do them at once; the
 * sequence check is repeated inside the transaction, where it is final.
 * Each is done once per set: the header is parsed once and every later
 * step takes that parse, the signature is checked once (a retry after
 * another worker moved the device's head only looks at sequence again).
 * What came of the set is an outcome and a reason (ingest.h); turning it
 * into HTTP is the server's business.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hub/groupcommit.h"
#include "hub/hubforms.h"
#include "hub/hubkeys.h"
#include "hub/ingest.h"
#include "hub/merge.h"
#include "tetrad/school.h"
#include "tetrad/sigblob.h"
#include "tetrad/wire.h"

/* Looks at a device whose head another worker keeps moving this many times. */
#define INGEST_TRIES 5

/*
 * The store keeps with each set the HTTP status its answer went out with
 * (hubdb_set_put's http_status, as every running hub has it): one value for
 * an applied set, another for a refused one. A replay reads it back.
 */
enum { INGEST_STORED_APPLIED = 200, INGEST_STORED_REFUSED = 422 };

/* How a write ended, when it did not fail. */
enum ingest_txn {
	INGEST_TXN_DONE,            /* committed, or answered (busy) */
	INGEST_TXN_MOVED,           /* the device's head moved meanwhile: look again */
};

struct ingest_job {
	struct hubdb *db;
	const struct ingest_cfg *cfg;
	const uint8_t *buf;
	size_t len;
	uint64_t now_ms;
	struct ingest_result *res;
	struct envelope_header h;
	struct hubdb_device dev;
	const struct keys_enc *enc;     /* the hub key the set was sealed to */
	struct changeset *cs;
	uint8_t set_hash[CHANGESET_HASH_BYTES];
	bool have_hash;
	bool verified;      /* signature checked: once, a device's key never changes */
	bool coming;        /* announced to the writer, not yet arrived (groupcommit.h) */
	const char *refused;        /* the ack status of a refusal; "" to apply */
	enum wire_retry retry;      /* whether a refusal may go again as it is (wire.h) */
	enum ingest_txn txn;        /* how the last write ended */
	char reason[INGEST_REASON_MAX];
};


/* The JSON error body (wire.h); message of any length and bytes. */
int
ingest_json_error(struct tbuf *out, const char *code, const char *msg)
{
	struct wire_error w;

	wire_error_set(&w, code, msg);
	return wire_error_write(out, &w, NULL);
}

/* An answer before anything was trusted: no signature, no record kept. */
static int
ingest_error(struct ingest_job *j, enum ingest_outcome outcome, const char *code,
    const char *msg)
{
	struct ingest_result *res = j->res;

	res->outcome = outcome;
	snprintf(res->status, sizeof(res->status), "%s", code);
	snprintf(res->reason, sizeof(res->reason), "%s", msg);
	terr_utf8_trim(res->reason);
	tbuf_reset(res->body);
	return 0;
}

bool
ingest_outcome_signed(enum ingest_outcome o)
{
	switch (o) {
	case INGEST_APPLIED:
	case INGEST_REFUSED:
	case INGEST_UNKNOWN_DEVICE:
	case INGEST_REVOKED:
	case INGEST_GAP:
	case INGEST_FORK:
	case INGEST_BUSY:
		return true;
	case INGEST_TOO_LARGE:
	case INGEST_MALFORMED:
	case INGEST_HUB_KEY:
	case INGEST_SIGNATURE:
		break;
	}
	return false;
}

/* The acknowledgement payload (wire.h), signed; also what gets stored for
 * replays, so its bytes must never drift. */
static int
ingest_ack(struct ingest_job *j, enum ingest_outcome outcome, const char *status,
    uint64_t expected, const char *reason, struct terr *e)
{
	struct ingest_result *res = j->res;
	struct tbuf *p = NULL;
	struct wire_ack a;
	int r = TERR_NOMEM;

	memset(&a, 0, sizeof(a));
	snprintf(a.device_id, sizeof(a.device_id), "%s", res->device);
	a.first = j->h.first_seq;
	a.last = j->h.last_seq;
	a.status = wire_ack_status_of(status);
	a.have_hash = j->have_hash;
	if (j->have_hash)
		memcpy(a.set_hash, j->set_hash, sizeof(a.set_hash));
	a.expected_seq = expected;
	a.applied = res->applied;
	a.conflicts = res->conflicts;
	a.retry = outcome == INGEST_REFUSED ? j->retry : WIRE_RETRY_NO;
	/* The current encryption key, under the hub's signature: how devices
	 * learn of a key rotation (hubkeys.h). */
	a.have_enc_pk = true;
	memcpy(a.hub_enc_pk, j->cfg->enc->pk, KEYS_ENC_PK_BYTES);
	/* a reason cut at a buffer's end must still be valid UTF-8 */
	wire_text_copy(a.reason, sizeof(a.reason), reason);

	if ((p = tbuf_new(INGEST_REASON_MAX * 2 + 1024)) == NULL)
		goto out;
	if ((r = wire_ack_write(p, &a, e)) != 0)
		goto out;
	tbuf_reset(res->body);
	if ((r = sigblob_sign(SIGBLOB_ACK, tbuf_ptr(p), tbuf_len(p), j->cfg->sign,
	    res->body, e)) != 0)
		goto out;
	res->outcome = outcome;
	snprintf(res->status, sizeof(res->status), "%s", status);
	wire_text_copy(res->reason, sizeof(res->reason), reason);
	r = 0;
 out:
	if (r == TERR_NOMEM)
		terr_set(e, r, "недостаточно памяти");
	tbuf_free(p);
	return r;
}

static void
ingest_append_reason(struct ingest_job *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ingest_append_reason(struct ingest_job *j, const char *fmt, ...)
{
	size_t used = strlen(j->reason);
	va_list ap;

	if (used + 8 >= sizeof(j->reason))
		return;
	if (used > 0) {
		snprintf(j->reason + used, sizeof(j->reason) - used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(j->reason + used, sizeof(j->reason) - used, fmt, ap);
	va_end(ap);
	terr_utf8_trim(j->reason);
}

/*
 * Content checks of an authentic, in-sequence set: the device's own school,
 * every op's school authorised, HLCs not in the future and of this device,
 * fields valid for their form. Returns the ack status ("" if all is well)
 * and leaves the reasons in j->reason.
 */
static int
ingest_check_content(struct ingest_job *j, const char **status, struct terr *e)
{
	const struct changeset *cs = j->cs;
	uint64_t max_ahead = j->cfg->max_ahead_ms ? j->cfg->max_ahead_ms : INGEST_MAX_AHEAD_MS;
	uint64_t node = keys_id_u64(j->h.device_id);
	bool future = false, bad = false, unknown = false, synced = false;
	int r;

	*status = "";
	j->retry = WIRE_RETRY_NO;
	if (strcmp(j->dev.kind, "school") == 0 ? strcmp(cs->school, j->dev.schools) != 0 :
	    cs->school[0] != '\0') {
		ingest_append_reason(j, "набор подписан как набор школы «%s», а устройство "
		    "зарегистрировано для «%s»", cs->school, j->dev.schools);
		bad = true;
	}
	if (cs->created.wall_ms > j->now_ms && cs->created.wall_ms - j->now_ms > max_ahead) {
		ingest_append_reason(j, "время создания набора опережает время хаба "
		    "больше чем на 10 минут: проверьте часы компьютера");
		future = true;
	}
	for (size_t i = 0; i < cs->n_ops && strlen(j->reason) + 64 < sizeof(j->reason); i++) {
		const struct op *op = &cs->ops[i];

		if (!school_list_has(j->dev.schools, op->school)) {
			ingest_append_reason(j, "изменение %" PRIu64 ": школа %s не входит в школы этого "
			    "устройства", op->seq, op->school);
			bad = true;
		}
		if (op->hlc.wall_ms > j->now_ms && op->hlc.wall_ms - j->now_ms > max_ahead) {
			ingest_append_reason(j, "изменение %" PRIu64 ": метка времени опережает время хаба "
			    "больше чем на 10 минут: проверьте часы компьютера", op->seq);
			future = true;
		}
		if (op->hlc.node != node) {
			ingest_append_reason(j, "изменение %" PRIu64 ": метка времени выдана не этим "
			    "устройством", op->seq);
			bad = true;
		}
		/* a delete names a form too, and its tombstone keeps it */
		if (j->cfg->forms != NULL) {
			char why[1024];

			r = hubforms_check_op(j->cfg->forms, op, why, sizeof(why), e);
			/* published by another hub process on the store: loaded, then
			 * checked again, before the set is refused for it */
			if (r == TERR_NOTFOUND && !synced) {
				synced = true;
				if ((r = hubforms_sync(j->cfg->forms, j->db, e)) != 0)
					return r;
				r = hubforms_check_op(j->cfg->forms, op, why, sizeof(why), e);
			}
			if (r == TERR_INVALID || r == TERR_NOTFOUND) {
				terr_utf8_trim(why);
				ingest_append_reason(j, "изменение %" PRIu64 ": %s", op->seq, why);
				*(r == TERR_NOTFOUND ? &unknown : &bad) = true;
			} else if (r != 0)
				return r;
		}
	}
	/*
	 * The device may send the set again as it is only when every cause
	 * passes by itself: forms the hub has not got yet, or stamps its
	 * clock has not reached yet. Anything else needs a person.
	 */
	if (future) {
		*status = "future_hlc";
		if (!bad && !unknown)
			j->retry = WIRE_RETRY_CLOCK;
	} else if (bad || unknown) {
		*status = "refused";
		if (!bad)
			j->retry = WIRE_RETRY_FORMS;
	}
	return 0;
}

/*
 * Whether the device changed since we looked: its head (another worker, same
 * device), its revocation, or what it may write for (enrolled again for
 * other schools while this set was being checked against the old ones).
 * The answer to hubdb_device_ask.
 */
static int
ingest_recheck(struct ingest_job *j, struct hubdb *db, bool *moved, struct terr *e)
{
	struct hubdb_device now;
	bool found;
	int r;

	if ((r = hubdb_device_answer(db, &now, &found, e)) != 0)
		return r;
	*moved = !found || now.watermark != j->dev.watermark ||
	    memcmp(now.last_hash, j->dev.last_hash, CHANGESET_HASH_BYTES) != 0 ||
	    now.revoked != j->dev.revoked || strcmp(now.kind, j->dev.kind) != 0 ||
	    strcmp(now.schools, j->dev.schools) != 0;
	return 0;
}

/* Store failures a device should retry later (INGEST_BUSY); others stay errors. */
static int
ingest_busy(struct ingest_job *j, int code, struct terr *e)
{
	if (code != TERR_FULL && code != TERR_BUSY)
		return code;
	j->res->applied = j->res->conflicts = 0;
	return ingest_ack(j, INGEST_BUSY, "busy", j->dev.watermark + 1, code == TERR_FULL ?
	    "на хабе закончилось место на диске; набор не принят, повторите позже" :
	    "хаб занят; набор не принят, повторите позже", e);
}

/*
 * The set's ops, or its refusal (j->refused: the ack status; "" to apply),
 * the device's head, the stored envelope and the signed answer, for
 * ingest_apply.
 */
static int
ingest_write(struct ingest_job *j, struct hubdb *db, struct terr *e)
{
	struct ingest_result *res = j->res;
	char msg[INGEST_REASON_MAX + 128];
	const char *last_school = NULL;
	int stored, r;
	bool kept;

	if (j->refused[0] == '\0') {
		/* records of forms nobody shares take no feed position; a form
		 * loaded since the last set may have become shared */
		if ((r = hubforms_feed_forms(j->cfg->forms, db, e)) != 0 ||
		    (r = hubdb_records_expect(db, j->cs->ops, j->cs->n_ops, e)) != 0)
			return r;
		for (size_t i = 0; i < j->cs->n_ops; i++) {
			const struct op *op = &j->cs->ops[i];

			if (last_school == NULL || strcmp(last_school, op->school) != 0) {
				if ((r = hubdb_school_put(db, op->school, NULL, e)) != 0)
					return r;
				last_school = op->school;
			}
			r = merge_apply(db, res->device, op, &res->conflicts, e);
			if (r == TERR_INVALID) {
				/* a record of another school or form, or damaged: refuse the
				 * set; the writer undoes its ops and calls again */
				snprintf(j->reason, sizeof(j->reason), "%s", e ? e->msg :
				    "запись принадлежит другой школе или форме");
				j->refused = "refused";
				j->retry = WIRE_RETRY_NO;
				return GROUPCOMMIT_AGAIN;
			}
			if (r != 0)
				return r;
			res->applied++;
		}
		snprintf(msg, sizeof(msg), "набор %" PRIu64 "–%" PRIu64 " принят: изменений %u, "
		    "конфликтов %u", j->h.first_seq, j->h.last_seq, res->applied, res->conflicts);
		stored = INGEST_STORED_APPLIED;
		r = ingest_ack(j, INGEST_APPLIED, "applied", j->h.last_seq + 1, msg, e);
	} else {
		res->applied = res->conflicts = 0;
		snprintf(msg, sizeof(msg), "набор %" PRIu64 "–%" PRIu64 " отклонён и помещён в "
		    "карантин: %s", j->h.first_seq, j->h.last_seq, j->reason);
		if ((r = hubdb_quarantine_add(db, res->device, j->h.first_seq, j->h.last_seq,
		    j->refused, j->reason, j->buf, j->len, &kept, e)) != 0)
			return r;
		res->dropped = !kept;
		stored = INGEST_STORED_REFUSED;
		r = ingest_ack(j, INGEST_REFUSED, j->refused, j->h.last_seq + 1, msg, e);
	}
	if (r != 0)
		return r;
	if ((r = hubdb_device_set_head(db, res->device, j->h.last_seq, j->set_hash, e)) != 0)
		return r;
	return hubdb_set_put(db, res->device, j->h.first_seq, j->h.last_seq, j->set_hash,
	    res->status, stored, j->buf, j->len, tbuf_ptr(res->body), tbuf_len(res->body), e);
}

/*
 * The writing of a set (groupcommit.h: runs on the writer's thread, inside
 * the group's transaction and its own savepoint, on the writer's handle db).
 * Called again after GROUPCOMMIT_AGAIN, or when the group runs again
 * without a set that failed, so it starts from j alone each time.
 *
 * The device's head as it is in this transaction (after the sets before in
 * the group, and any other process's) is asked for first and looked at
 * after the set is written: on PostgreSQL its answer comes with the set's
 * first statement the writer waits for (hubdb_device_ask), one round trip
 * less per set while the group holds the store's write lock. A set written
 * for a device that had moved meanwhile (rare: its sets raced into two
 * processes) is undone to its savepoint, and answered outside as before.
 */
static int
ingest_apply(void *arg, struct hubdb *db, struct terr *e)
{
	struct ingest_job *j = arg;
	struct ingest_result *res = j->res;
	struct terr re;
	bool moved;
	int r, rr;

	j->txn = INGEST_TXN_DONE;
	res->applied = res->conflicts = 0;
	res->dropped = false;
	if ((r = hubdb_device_ask(db, res->device, e)) != 0)
		return r;
	r = ingest_write(j, db, e);
	terr_clear(&re);
	if ((rr = ingest_recheck(j, db, &moved, &re)) != 0) {
		/* the write's own error first: the read failed with it */
		if (r != 0 && r != GROUPCOMMIT_AGAIN)
			return r;
		return terr_set(e, rr, "%s", re.msg);
	}
	if (!moved)
		return r;
	/* the next attempt looks at the set afresh (ingest_attempt) */
	j->txn = INGEST_TXN_MOVED;
	res->applied = res->conflicts = 0;
	res->dropped = false;
	return hubdb_savepoint_undo(db, e);
}

/* The set is at the writer's door, or will not come to it (groupcommit_coming). */
static void
ingest_arrived(struct ingest_job *j)
{
	if (j->coming) {
		groupcommit_arrived(j->cfg->writer);
		j->coming = false;
	}
}

/*
 * Writes the set through the server's writer, or alone on the job's handle;
 * the answer stands only once the commit is durable. A store that is full
 * or locked is a 503 the device retries (the ack apply made is replaced).
 */
static int
ingest_commit(struct ingest_job *j, struct terr *e)
{
	int r;

	ingest_arrived(j);
	if (j->cfg->writer != NULL)
		r = groupcommit_run(j->cfg->writer, ingest_apply, j, e);
	else
		r = groupcommit_run_alone(j->db, ingest_apply, j, e);
	if (r != 0) {
		j->txn = INGEST_TXN_DONE;
		return ingest_busy(j, r, e);
	}
	return 0;
}

static int
ingest_fork(struct ingest_job *j, const char *why, struct terr *e)
{
	char msg[512];
	bool kept;
	int r;

	snprintf(msg, sizeof(msg), "набор %" PRIu64 "–%" PRIu64 " расходится с уже принятыми "
	    "данными (%s); ожидался номер %" PRIu64 "; набор помещён в карантин для проверки",
	    j->h.first_seq, j->h.last_seq, why, j->dev.watermark + 1);
	if ((r = hubdb_quarantine_add(j->db, j->res->device, j->h.first_seq, j->h.last_seq,
	    "fork", msg, j->buf, j->len, &kept, e)) != 0)
		return ingest_busy(j, r, e);
	j->res->dropped = !kept;
	return ingest_ack(j, INGEST_FORK, "fork", j->dev.watermark + 1, msg, e);
}

/*
 * One look at the device's state and, if the set is next in its chain, one
 * transaction. Authentication happens on the first look only.
 */
static int
ingest_attempt(struct ingest_job *j, enum ingest_txn *txn, struct terr *e)
{
	struct ingest_result *res = j->res;
	const struct ingest_cfg *cfg = j->cfg;
	struct terr le;
	const char *refused = "";
	char msg[700];
	bool found, kept;
	int r;
	uint8_t zero[CHANGESET_HASH_BYTES] = { 0 };

	*txn = INGEST_TXN_DONE;
	terr_clear(&le);
	if ((r = hubdb_device_get(j->db, res->device, &j->dev, &found, e)) != 0)
		return ingest_busy(j, r, e);
	if (!found) {
		snprintf(msg, sizeof(msg), "устройство %s не зарегистрировано на этом хабе; "
		    "зарегистрируйте его кодом от координатора", res->device);
		return ingest_ack(j, INGEST_UNKNOWN_DEVICE, "unknown_device", 0, msg, e);
	}
	/*
	 * The signature first, with the device's key even when it is revoked:
	 * the signed answer below tells when it was revoked and where its chain
	 * stands, which only the device itself may learn.
	 */
	if (!j->verified) {
		/* A set sealed to a previous hub key (before the device heard of a
		 * rotation) still opens while that key is kept. */
		j->enc = hubkeys_find(cfg->enc, cfg->old_enc, cfg->n_old_enc, j->h.hub_key_id);
		if (j->enc == NULL)
			return ingest_error(j, INGEST_HUB_KEY, "hub_key", "набор зашифрован для "
			    "другого хаба (ключ хаба не совпадает); зарегистрируйте устройство заново");
		if (envelope_verify_parsed(j->buf, j->len, &j->h, j->dev.pk, &le) != 0)
			return ingest_error(j, INGEST_SIGNATURE, "signature", le.msg);
		j->verified = true;
	}
	if (j->dev.revoked) {
		snprintf(msg, sizeof(msg), "набор %" PRIu64 "–%" PRIu64 " отклонён: устройство %s "
		    "отозвано %s", j->h.first_seq, j->h.last_seq, res->device, j->dev.revoked_at);
		return ingest_ack(j, INGEST_REVOKED, "revoked", j->dev.watermark + 1, msg, e);
	}

	/* sequence and chain, before anything is decrypted */
	if (j->h.first_seq > j->dev.watermark + 1) {
		snprintf(msg, sizeof(msg), "пропуск в нумерации: получен набор %" PRIu64 "–%"
		    PRIu64 ", а ожидался номер %" PRIu64, j->h.first_seq, j->h.last_seq,
		    j->dev.watermark + 1);
		return ingest_ack(j, INGEST_GAP, "gap", j->dev.watermark + 1, msg, e);
	}
	if (j->h.first_seq == j->dev.watermark + 1 &&
	    memcmp(j->h.prev_hash, j->dev.watermark ? j->dev.last_hash : zero,
	    CHANGESET_HASH_BYTES) != 0)
		return ingest_fork(j, "ссылка на предыдущий набор не совпадает", e);
	if (j->h.first_seq <= j->dev.watermark && j->h.last_seq > j->dev.watermark)
		return ingest_fork(j, "диапазон частично перекрывает принятые номера", e);

	if (j->cs == NULL) {
		r = envelope_open_verified(j->buf, j->len, &j->h, j->enc, &j->cs, j->set_hash, &le);
		if (r == TERR_NOMEM)
			return terr_set(e, r, "недостаточно памяти");
		if (r != 0) {
			/* authentic but unreadable: kept for review, range not consumed */
			if ((r = hubdb_quarantine_add(j->db, res->device, j->h.first_seq,
			    j->h.last_seq, "malformed", le.msg, j->buf, j->len, &kept, e)) != 0)
				return ingest_busy(j, r, e);
			res->dropped = !kept;
			return ingest_error(j, INGEST_MALFORMED, "malformed", le.msg);
		}
		j->have_hash = true;
	}

	if (j->h.last_seq <= j->dev.watermark) {
		uint8_t stored[CHANGESET_HASH_BYTES];
		int code = 0;

		tbuf_reset(res->body);
		if ((r = hubdb_set_get(j->db, res->device, j->h.first_seq, j->h.last_seq, &found,
		    stored, &code, res->body, e)) != 0)
			return ingest_busy(j, r, e);
		if (found && sodium_memcmp(stored, j->set_hash, CHANGESET_HASH_BYTES) == 0) {
			/* a replay: the stored acknowledgement, byte for byte */
			res->outcome = code == INGEST_STORED_APPLIED ? INGEST_APPLIED : INGEST_REFUSED;
			res->replay = true;
			snprintf(res->status, sizeof(res->status), "%s",
			    code == INGEST_STORED_APPLIED ? "applied" : "refused");
			snprintf(res->reason, sizeof(res->reason), "набор %" PRIu64 "–%" PRIu64
			    " уже был получен; ответ тот же", j->h.first_seq, j->h.last_seq);
			return 0;
		}
		return ingest_fork(j, found ? "тот же диапазон с другим содержимым" :
		    "этот диапазон уже принят в другом разбиении", e);
	}

	j->reason[0] = '\0';
	if ((r = ingest_check_content(j, &refused, e)) != 0)
		return r;
	j->refused = refused;
	r = ingest_commit(j, e);
	*txn = j->txn;
	return r;
}

/* A job on db and a result that says nothing yet: both doors start here. */
static void
ingest_job_start(struct ingest_job *j, struct hubdb *db, const struct ingest_cfg *cfg,
    struct ingest_result *res)
{
	memset(j, 0, sizeof(*j));
	j->db = db;
	j->cfg = cfg;
	j->res = res;
	res->outcome = INGEST_BUSY;
	res->status[0] = res->reason[0] = '\0';
	res->applied = res->conflicts = 0;
	res->replay = res->dropped = false;
	res->device[0] = '\0';
	res->first = res->last = 0;
}

int
ingest_envelope(struct hubdb *db, const struct ingest_cfg *cfg,
    const uint8_t *buf, size_t len, uint64_t now_ms, struct ingest_result *res,
    struct terr *e)
{
	struct ingest_job j;
	struct terr le;
	enum ingest_txn txn;
	char msg[128];
	int r;

	ingest_job_start(&j, db, cfg, res);
	j.buf = buf;
	j.len = len;
	j.now_ms = now_ms;
	terr_clear(&le);
	if (len > ENVELOPE_MAX_BYTES) {
		snprintf(msg, sizeof(msg), "набор больше допустимого размера %u байт",
		    ENVELOPE_MAX_BYTES);
		return ingest_error(&j, INGEST_TOO_LARGE, "too_large", msg);
	}
	/* the one parse of the header: every later step takes j.h */
	if (envelope_parse_header(buf, len, &j.h, &le) != 0)
		return ingest_error(&j, INGEST_MALFORMED, "malformed", le.msg);
	keys_hex(j.h.device_id, KEYS_ID_BYTES, res->device);
	res->first = j.h.first_seq;
	res->last = j.h.last_seq;
	/* the writer may wait a moment for this set rather than commit without it */
	if (cfg->writer != NULL) {
		groupcommit_coming(cfg->writer);
		j.coming = true;
	}
	for (int tries = 1;; tries++) {
		if ((r = ingest_attempt(&j, &txn, e)) != 0 || txn != INGEST_TXN_MOVED)
			break;
		/* another worker applied a set of this device meanwhile */
		if (tries == INGEST_TRIES) {
			r = ingest_busy(&j, TERR_BUSY, e);
			break;
		}
	}
	ingest_arrived(&j);
	/*
	 * An answer read from the store here rather than made by the writer (a
	 * replay, a gap, a fork, a revoked device) may rest on a group that
	 * another process has committed but not yet seen on disk (hubdb.h,
	 * hubdb_group_writer): the device acts on it, so it goes once that is.
	 */
	if (r == 0 && (res->replay || res->outcome == INGEST_GAP ||
	    res->outcome == INGEST_FORK || res->outcome == INGEST_REVOKED) &&
	    (r = hubdb_durable(db, e)) != 0)
		r = ingest_busy(&j, r, e);
	changeset_free(j.cs);
	return r;
}

/*
 * The door before a body is read (ingest.h): only the envelope's header is
 * here. Everything it can decide without the rest is decided now, so a body
 * nobody will accept is never held in memory: not an envelope, a length that
 * disagrees with Content-Length, an unknown device (the same signed ack as
 * ingest_envelope gives), a hub key this hub does not hold. A revoked device
 * is admitted: its refusal comes from ingest_envelope after the signature,
 * so that garbage naming it learns nothing.
 */
int
ingest_admit(struct hubdb *db, const struct ingest_cfg *cfg,
    const uint8_t hdr[ENVELOPE_HEADER_BYTES], size_t content_length, size_t *total,
    struct ingest_result *res, bool *admitted, struct terr *e)
{
	struct ingest_job j;
	struct terr le;
	char msg[256];
	bool found;
	int r;

	ingest_job_start(&j, db, cfg, res);
	*admitted = false;
	*total = 0;
	terr_clear(&le);
	/* as ingest_envelope answers a bad header: malformed, whatever the field */
	if (envelope_parse_header_only(hdr, &j.h, total, &le) != 0)
		return ingest_error(&j, INGEST_MALFORMED, "malformed", le.msg);
	keys_hex(j.h.device_id, KEYS_ID_BYTES, res->device);
	res->first = j.h.first_seq;
	res->last = j.h.last_seq;
	if (content_length != 0 && content_length != *total) {
		snprintf(msg, sizeof(msg), "длина тела %zu байт не совпадает с длиной пакета %zu "
		    "байт из его заголовка", content_length, *total);
		return ingest_error(&j, INGEST_MALFORMED, "malformed", msg);
	}
	if ((r = hubdb_device_get(db, res->device, &j.dev, &found, e)) != 0)
		return ingest_busy(&j, r, e);
	if (!found) {
		snprintf(msg, sizeof(msg), "устройство %s не зарегистрировано на этом хабе; "
		    "зарегистрируйте его кодом от координатора", res->device);
		return ingest_ack(&j, INGEST_UNKNOWN_DEVICE, "unknown_device", 0, msg, e);
	}
	if (hubkeys_find(cfg->enc, cfg->old_enc, cfg->n_old_enc, j.h.hub_key_id) == NULL)
		return ingest_error(&j, INGEST_HUB_KEY, "hub_key", "набор зашифрован для "
		    "другого хаба (ключ хаба не совпадает); зарегистрируйте устройство заново");
	*admitted = true;
	return 0;
}
