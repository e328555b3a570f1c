/*
 * sync — one synchronisation run (see sync.h for the policy).
 */
#include "syncd/sync.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "syncd/boxkey.h"
#include "syncd/devfiles.h"
#include "syncd/fetch.h"
#include "syncd/net.h"
#include "syncd/probe.h"
#include "syncd/pull.h"
#include "syncd/retry.h"
#include "syncd/syncdb.h"
#include "tetrad/fileio.h"
#include "tetrad/keyfile.h"
#include "tetrad/envelope.h"
#include "tetrad/formsdir.h"
#include "tetrad/localdb.h"
#include "tetrad/sigblob.h"
#include "tetrad/termsafe.h"
#include "tetrad/wire.h"

#define SYNC_ACK_MAX (SIGBLOB_HEADER_BYTES + 64 * 1024 + 64)

void
sync_logf(const struct sync_opts *o, enum sync_log_level lvl, const char *fmt, ...)
{
	char buf[1024], safe[TERMSAFE_CAP(1024)];
	va_list ap;

	if (o->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* lines carry the hub's reasons and other outside text: escaped, one line */
	termsafe_write(safe, sizeof(safe), buf, strlen(buf));
	o->log(o->ud, lvl, safe);
}

static int64_t
sync_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sync_ctx_free(struct sync_ctx *c)
{
	if (c == NULL)
		return;
	syncdb_close(c->db);
	keys_sign_wipe(&c->dev);
	sodium_memzero(c, sizeof(*c));
	free(c);
}

static int
sync_meta_hex(struct localdb *db, const char *key, uint8_t *out, size_t len, struct terr *e)
{
	char hex[130];
	int r;

	if ((r = syncdb_meta_get(db, key, hex, sizeof(hex), e)) < 0)
		return r;
	if (r == 0 || hex[0] == '\0')
		return terr_set(e, TERR_ARG, "устройство не зарегистрировано на хабе (нет %s): "
		    "выполните «tetrad enroll --hub АДРЕС --token КОД»", key);
	if (strlen(hex) != 2 * len || keys_unhex(hex, out, len) != 0)
		return terr_set(e, TERR_PARSE, "значение %s в базе данных повреждено", key);
	return 0;
}

int
sync_ctx_open(const char *db_path, const char *passphrase_file,
    struct sync_ctx **out, struct terr *e)
{
	struct sync_ctx *c = NULL;
	char keypath[SYNCDB_PATH_MAX], pass[KEYS_PASSPHRASE_MAX + 2], kind[32], id[KEYS_ID_HEXLEN + 8];
	int r;

	*out = NULL;
	pass[0] = '\0';
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	if (strlen(db_path) >= sizeof(c->db_path)) {
		r = terr_set(e, TERR_ARG, "слишком длинный путь к базе данных");
		goto out;
	}
	strcpy(c->db_path, db_path);
	if ((r = syncdb_open(db_path, &c->db, e)) != 0)
		goto out;
	if ((r = syncdb_meta_get(c->db, "hub_url", c->hub_url, sizeof(c->hub_url), e)) < 0)
		goto out;
	if (r == 0 || c->hub_url[0] == '\0') {
		r = terr_set(e, TERR_ARG, "устройство не зарегистрировано на хабе: "
		    "выполните «tetrad enroll --hub АДРЕС --token КОД»");
		goto out;
	}
	if ((r = syncdb_meta_get(c->db, "hub_ca_file", c->ca_file, sizeof(c->ca_file), e)) < 0 ||
	    (r = syncdb_meta_get(c->db, "hub_pin", c->pin, sizeof(c->pin), e)) < 0)
		goto out;
	if ((r = sync_meta_hex(c->db, "hub_enc_pk", c->push.hub_enc_pk, KEYS_ENC_PK_BYTES, e)) != 0 ||
	    (r = sync_meta_hex(c->db, "hub_sign_pk", c->push.hub_sign_pk, KEYS_SIGN_PK_BYTES, e)) != 0)
		goto out;
	if ((r = syncdb_meta_get(c->db, "device_kind", kind, sizeof(kind), e)) < 0)
		goto out;
	if (strcmp(kind, "curator") != 0) {
		if ((r = syncdb_meta_get(c->db, "school", c->push.school, sizeof(c->push.school), e)) < 0)
			goto out;
	}
	if ((r = syncdb_meta_get(c->db, "device_key_path", keypath, sizeof(keypath), e)) < 0)
		goto out;
	if (keypath[0] == '\0' &&
	    snprintf(keypath, sizeof(keypath), "%s.device.key", db_path) >= (int)sizeof(keypath)) {
		r = terr_set(e, TERR_ARG, "слишком длинный путь к базе данных");
		goto out;
	}
	if (passphrase_file && (r = fileio_read_passphrase(passphrase_file, pass, sizeof(pass), e)) != 0)
		goto out;
	if ((r = devfiles_key_check(keypath, e)) != 0)
		goto out;
	if ((r = keyfile_load(keypath, KEYS_DEVICE_SIGN, c->dev.sk, KEYS_SIGN_SK_BYTES,
	    pass[0] ? pass : NULL, e)) != 0)
		goto out;
	keys_sign_pk_from_sk(c->dev.sk, c->dev.pk);
	/* a device enrolled before two-way sync gets its box key here */
	if ((r = boxkey_load(db_path, pass, true, &c->box, NULL, e)) != 0)
		goto out;
	keys_id(c->dev.pk, c->push.device_id);
	keys_id_hex(c->dev.pk, c->push.device_hex);
	if (syncdb_meta_get(c->db, "device_id", id, sizeof(id), NULL) == 1 && id[0] &&
	    strcmp(id, c->push.device_hex) != 0) {
		r = terr_set(e, TERR_DEVICE_KEY, "ключ устройства %s не совпадает с зарегистрированным "
		    "устройством %s", keypath, id);
		goto out;
	}
	c->push.db = c->db;
	c->push.wal = syncdb_wal(c->db);
	c->push.dev = &c->dev;
	*out = c;
	c = NULL;
	r = 0;
 out:
	sodium_memzero(pass, sizeof(pass));
	sync_ctx_free(c);
	return r;
}

/* Sleeps ms in short steps so a stop request (or *quit) is noticed; 1 if stopped. */
static int
sync_sleep(const struct sync_opts *o, const atomic_int *quit, int64_t ms)
{
	int64_t end = sync_mono_ms() + ms;

	for (;;) {
		int64_t left = end - sync_mono_ms();
		struct timespec ts;

		if ((o->stop && o->stop(o->ud)) || (quit && atomic_load(quit)))
			return 1;
		if (left <= 0)
			return 0;
		if (left > 100)
			left = 100;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000L;
		nanosleep(&ts, NULL);
	}
}

/* Full jitter: uniform in [0, min(max, base·2^attempt)]. */
static int64_t
sync_backoff_ms(const struct sync_opts *o, int attempt)
{
	int64_t cap = o->backoff_ms > 0 ? o->backoff_ms : SYNC_DEFAULT_BACKOFF_MS;
	int64_t max = o->backoff_max_ms > 0 ? o->backoff_max_ms : SYNC_DEFAULT_BACKOFF_MAX_MS;

	for (int i = 0; i < attempt && cap < max; i++)
		cap *= 2;
	if (cap > max)
		cap = max;
	return (int64_t)randombytes_uniform((uint32_t)(cap > 0x7fffffff ? 0x7fffffff : cap) + 1);
}

enum sync_outcome {
	SYNC_OUT_ACKED, SYNC_OUT_QUARANTINED, SYNC_OUT_GAP, SYNC_OUT_STOP,
};

/*
 * One batch on its way to the hub. While it travels only the network and
 * the counters below are touched (by the sender thread, see sync_pipe), so
 * the main thread can meanwhile seal the next batch and record the answer
 * to the previous one: the database is the main thread's alone.
 */
struct sync_flight {
	struct push_batch b;
	struct net *n;
	const struct sync_opts *o;
	const atomic_int *quit;       /* the run is over: give up retrying */
	struct net_resp resp;
	int answered;                 /* resp holds a definite answer */
	int done;                     /* the sender has finished with it */
	/* counted here, added to the run's result when settled */
	int64_t bytes_sent, retries;
	int unreachable, hub_error, stopped;
	/* the connection opened ahead failed: that was this batch's first attempt */
	int connect_failed;
	struct terr connect_err;
};

/* Sends until the hub gives a definite answer, attempts run out or a stop. */
static void
sync_transmit(struct sync_flight *f)
{
	const struct sync_opts *o = f->o;
	const struct push_batch *b = &f->b;
	int max_attempts = o->max_attempts > 0 ? o->max_attempts : SYNC_DEFAULT_ATTEMPTS;
	struct terr ne;
	int attempt = 0, r;

	for (;;) {
		int64_t wait;

		if ((o->stop && o->stop(o->ud)) || atomic_load(f->quit)) {
			f->stopped = 1;
			return;
		}
		net_resp_free(&f->resp);
		terr_clear(&ne);
		if (f->connect_failed) {
			f->connect_failed = 0;
			ne = f->connect_err;
			r = TERR_IO;
		} else {
			r = net_request(f->n, "POST", WIRE_PATH_CHANGESETS, "application/octet-stream",
			    b->envelope, b->len, SYNC_ACK_MAX, &f->resp, &ne);
			f->bytes_sent += (int64_t)b->len;
		}
		if (r == 0 && f->resp.status >= 200 && f->resp.status < 500 && f->resp.status != 429) {
			f->answered = 1;
			return;
		}
		attempt++;
		if (attempt >= max_attempts) {
			if (r != 0) {
				f->unreachable = 1;
				sync_logf(o, SYNC_LOG_WARN, "набор %llu–%llu не отправлен: %s",
				    (unsigned long long)b->first_seq, (unsigned long long)b->last_seq, ne.msg);
			} else {
				f->hub_error = 1;
				sync_logf(o, SYNC_LOG_WARN, "хаб отвечает ошибкой %ld на набор %llu–%llu после %d попыток",
				    f->resp.status, (unsigned long long)b->first_seq, (unsigned long long)b->last_seq, attempt);
			}
			net_resp_free(&f->resp);
			return;
		}
		wait = sync_backoff_ms(o, attempt - 1);
		if (r == 0 && f->resp.retry_after_s > 0 && f->resp.retry_after_s * 1000 > wait)
			wait = f->resp.retry_after_s * 1000;
		f->retries++;
		if (r != 0)
			sync_logf(o, SYNC_LOG_WARN, "попытка %d: %s; повтор через %lld мс", attempt, ne.msg, (long long)wait);
		else
			sync_logf(o, SYNC_LOG_WARN, "попытка %d: хаб ответил %ld; повтор через %lld мс", attempt,
			    f->resp.status, (long long)wait);
		if (sync_sleep(o, f->quit, wait)) {
			f->stopped = 1;
			net_resp_free(&f->resp);
			return;
		}
	}
}

/*
 * What the hub's answer to a batch means for the device's database. Returns
 * an outcome (>= 0) or a negative storage error.
 */
static int
sync_settle(struct sync_ctx *c, const struct sync_opts *o, struct sync_flight *f,
    struct sync_result *res, int *gaps, struct terr *e)
{
	const struct push_batch *b = &f->b;
	struct net_resp *resp = &f->resp;
	struct push_ack ack;
	struct terr ne;
	int r;

	res->bytes_sent += f->bytes_sent;
	res->retries += f->retries;
	res->unreachable |= f->unreachable;
	res->hub_error |= f->hub_error;
	res->stopped |= f->stopped;
	if (!f->answered)
		return SYNC_OUT_STOP;
	res->sets_sent++;
	terr_clear(&ne);
	if (resp->status == 400 || resp->status == 413 ||
	    push_parse_ack(&c->push, tbuf_ptr(resp->body), tbuf_len(resp->body), &ack, &ne) != 0) {
		/* Unsigned or unexpected: nothing may change on the strength of it. */
		res->hub_error = 1;
		if (resp->status == 400 || resp->status == 413)
			sync_logf(o, SYNC_LOG_WARN, "хаб не принял набор %llu–%llu (HTTP %ld): повреждён или слишком велик",
			    (unsigned long long)b->first_seq, (unsigned long long)b->last_seq, resp->status);
		else
			sync_logf(o, SYNC_LOG_WARN, "ответ хаба на набор %llu–%llu (HTTP %ld) не принят: %s",
			    (unsigned long long)b->first_seq, (unsigned long long)b->last_seq, resp->status, ne.msg);
		return SYNC_OUT_STOP;
	}
	r = SYNC_OUT_STOP;
	switch (ack.status) {
	case PUSH_ST_APPLIED:
		if (ack.first != b->first_seq || ack.last != b->last_seq ||
		    (ack.have_hash && memcmp(ack.set_hash, b->set_hash, CHANGESET_HASH_BYTES) != 0)) {
			res->hub_error = 1;
			sync_logf(o, SYNC_LOG_WARN, "хаб подтвердил не тот набор (%llu–%llu вместо %llu–%llu)",
			    (unsigned long long)ack.first, (unsigned long long)ack.last,
			    (unsigned long long)b->first_seq, (unsigned long long)b->last_seq);
			break;
		}
		if ((r = push_mark_acked(&c->push, b, tbuf_ptr(resp->body), tbuf_len(resp->body), e)) != 0)
			break;
		{
			int changed;

			if ((r = push_adopt_hub_key(&c->push, &ack, &changed, e)) != 0)
				break;
			if (changed)
				sync_logf(o, SYNC_LOG_INFO, "хаб сменил ключ шифрования: следующие наборы "
				    "шифруются новым ключом");
		}
		res->sets_acked++;
		res->entries_acked += (int64_t)(b->last_seq - b->first_seq + 1);
		r = SYNC_OUT_ACKED;
		break;
	case PUSH_ST_GAP:
		if (++*gaps > SYNC_MAX_GAP_REWINDS || ack.expected_seq == 0) {
			res->hub_error = 1;
			sync_logf(o, SYNC_LOG_WARN, "хаб снова сообщает о пропуске (ожидает №%llu): нужна помощь администратора",
			    (unsigned long long)ack.expected_seq);
			break;
		}
		sync_logf(o, SYNC_LOG_WARN, "хаб ожидает изменения с №%llu: отправка с этого места",
		    (unsigned long long)ack.expected_seq);
		if ((r = push_rewind(&c->push, ack.expected_seq, NULL, &ne)) != 0) {
			res->hub_error = 1;
			sync_logf(o, SYNC_LOG_WARN, "%s", ne.msg);
			r = SYNC_OUT_STOP;
			break;
		}
		r = SYNC_OUT_GAP;
		break;
	case PUSH_ST_BUSY:
		res->hub_error = 1;
		sync_logf(o, SYNC_LOG_WARN, "хаб занят: %s", ack.reason);
		break;
	default: {
		/* refused, fork, revoked, unknown device, future HLC: a person must look. */
		char reason[PUSH_REASON_MAX + 64];

		snprintf(reason, sizeof(reason), "%s", ack.reason[0] ? ack.reason : "отклонено хабом без объяснения");
		if ((r = push_quarantine(&c->push, b, reason, ack.retry, tbuf_ptr(resp->body),
		    tbuf_len(resp->body), e)) != 0)
			break;
		res->sets_quarantined++;
		res->entries_quarantined += (int64_t)(b->last_seq - b->first_seq + 1);
		sync_logf(o, SYNC_LOG_WARN, "набор %llu–%llu помещён в карантин: %s",
		    (unsigned long long)b->first_seq, (unsigned long long)b->last_seq, reason);
		if (ack.status == PUSH_ST_REVOKED) {
			res->revoked = 1;
			wire_text_copy(res->revoked_msg, sizeof(res->revoked_msg), reason);
		}
		if (ack.status == PUSH_ST_REFUSED || ack.status == PUSH_ST_FUTURE_HLC) {
			r = SYNC_OUT_QUARANTINED;
		} else {
			res->hub_error = 1;
			r = SYNC_OUT_STOP;
		}
		break;
	}
	}
	return r;
}

/*
 * The next batch to send after one ending at after_seq (0: the first): one
 * already sealed, else a new one from the outbox (stored as sent, since it
 * is about to be). 1 found, 0 nothing left, < 0 storage error.
 */
static int
sync_next_batch(struct sync_ctx *c, uint64_t after_seq, struct push_batch *b, struct terr *e)
{
	int r;

	if ((r = push_next(&c->push, after_seq, b, e)) != 0)
		return r;
	return push_build_sent(&c->push, b, e);
}

/*
 * Batches go to the hub in order, one on the wire at a time, but without
 * pauses: the sender thread takes the next sealed batch the moment the hub
 * answers the previous one, while the main thread records that answer and
 * seals the batch after. The sender goes on by itself only after an HTTP
 * 200 (applied); any other answer halts it until the main thread has dealt
 * with it. A batch sealed ahead is stored like any other, so if the run
 * ends or the chain is rewound first, it is sent, resealed or dissolved by
 * the same rules as one left by an interrupted run.
 */
#define SYNC_PIPE_SLOTS 3         /* being settled, on the wire, sealed ahead */

struct sync_pipe {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sync_flight slot[SYNC_PIPE_SLOTS];
	uint64_t head;                /* oldest unsettled */
	uint64_t next_send;           /* next for the sender */
	uint64_t tail;                /* next free */
	int halt;                     /* sender waits for the main thread */
	uint64_t halted_at;           /* the batch whose answer halted it */
	int busy;                     /* sender holds slot[next_send] */
	atomic_int quit;
	/*
	 * When set, the sender opens the connection (TCP, TLS, the hub's
	 * certificate) while the main thread seals the first batch: a TLS
	 * handshake costs both ends a few milliseconds of CPU, which otherwise
	 * wait for the sealing. A failure there counts as the first batch's
	 * first attempt, so an unreachable hub takes no more attempts than
	 * before.
	 */
	struct net *connect_ahead;
};

static void *
sync_sender(void *arg)
{
	struct sync_pipe *p = arg;
	struct terr ce;
	int failed = 0;

	if (p->connect_ahead != NULL) {
		terr_clear(&ce);
		failed = net_connect(p->connect_ahead, &ce) != 0;
	}
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct sync_flight *f;

		while (!atomic_load(&p->quit) && (p->halt || p->next_send == p->tail))
			pthread_cond_wait(&p->cv, &p->mu);
		if (atomic_load(&p->quit))
			break;
		f = &p->slot[p->next_send % SYNC_PIPE_SLOTS];
		if (failed) {
			f->connect_failed = 1;
			f->connect_err = ce;
			failed = 0;
		}
		p->busy = 1;
		pthread_mutex_unlock(&p->mu);
		sync_transmit(f);
		pthread_mutex_lock(&p->mu);
		p->busy = 0;
		f->done = 1;
		p->next_send++;
		if (!f->answered || f->resp.status != 200) {
			p->halt = 1;
			p->halted_at = p->next_send - 1;
		}
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* Seals (or finds) the batch after the newest in the pipe and queues it. */
static int
sync_pipe_fill(struct sync_pipe *p, struct sync_ctx *c, struct net *n,
    const struct sync_opts *o, uint64_t *after_seq, struct terr *e)
{
	struct sync_flight *f;
	int r;

	while (p->tail - p->head < SYNC_PIPE_SLOTS) {
		f = &p->slot[p->tail % SYNC_PIPE_SLOTS];
		memset(f, 0, sizeof(*f));
		if ((r = sync_next_batch(c, *after_seq, &f->b, e)) <= 0)
			return r;
		if (strcmp(f->b.state, "sent") != 0 && (r = push_mark_sent(&c->push, &f->b, e)) != 0) {
			push_batch_clear(&f->b);
			return r;
		}
		f->n = n;
		f->o = o;
		f->quit = &p->quit;
		*after_seq = f->b.last_seq;
		pthread_mutex_lock(&p->mu);
		p->tail++;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return 1;
}

/*
 * Forgets the batches queued after the settled ones (they stay stored):
 * halts the sender and waits for it to let go of the one it holds.
 */
static void
sync_pipe_clear(struct sync_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	p->halt = 1;
	while (p->busy)
		pthread_cond_wait(&p->cv, &p->mu);
	for (uint64_t i = p->head; i < p->tail; i++) {
		struct sync_flight *f = &p->slot[i % SYNC_PIPE_SLOTS];

		net_resp_free(&f->resp);
		push_batch_clear(&f->b);
	}
	p->tail = p->next_send = p->head;
	pthread_mutex_unlock(&p->mu);
}

static void
sync_pipe_stop(struct sync_pipe *p, pthread_t *th)
{
	atomic_store(&p->quit, 1);
	sync_pipe_clear(p);
	if (th != NULL) {
		pthread_mutex_lock(&p->mu);
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		pthread_join(*th, NULL);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
}

static int
sync_push_all(struct sync_ctx *c, struct net *n, const struct sync_opts *o,
    struct sync_result *res, struct terr *e)
{
	struct sync_pipe p;
	pthread_t th;
	uint64_t after_seq = 0;
	int r = 0, filled, gaps = 0, threaded;

	memset(&p, 0, sizeof(p));
	atomic_init(&p.quit, 0);
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	/* nothing to send (or the queue unreadable, which sealing will report): no connection */
	if (push_has_work(c->db, NULL) == 1)
		p.connect_ahead = n;
	threaded = pthread_create(&th, NULL, sync_sender, &p) == 0;
	for (;;) {
		struct sync_flight *f;

		if ((filled = sync_pipe_fill(&p, c, n, o, &after_seq, e)) < 0 && p.tail == p.head) {
			r = filled;
			break;
		}
		if (p.tail == p.head)
			break;              /* nothing left to send */
		f = &p.slot[p.head % SYNC_PIPE_SLOTS];
		if (!threaded) {
			/* no thread to spare: the same, one step after the other */
			sync_transmit(f);
			f->done = 1;
			p.next_send++;
		}
		pthread_mutex_lock(&p.mu);
		while (!f->done)
			pthread_cond_wait(&p.cv, &p.mu);
		pthread_mutex_unlock(&p.mu);
		/* the hub's answer is recorded even when sealing ahead failed */
		r = sync_settle(c, o, f, res, &gaps, filled < 0 ? NULL : e);
		net_resp_free(&f->resp);
		push_batch_clear(&f->b);
		pthread_mutex_lock(&p.mu);
		/* the chain goes on after an applied or a refused set */
		if (p.halt && p.halted_at == p.head && filled >= 0 &&
		    (r == SYNC_OUT_ACKED || r == SYNC_OUT_QUARANTINED))
			p.halt = 0;
		p.head++;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
		if (filled < 0) {
			r = filled;
			break;
		}
		if (r < 0 || r == SYNC_OUT_STOP) {
			r = r < 0 ? r : 0;
			break;
		}
		if (r == SYNC_OUT_GAP) {
			/* the rewind may have resealed or dissolved the batches sealed ahead */
			sync_pipe_clear(&p);
			pthread_mutex_lock(&p.mu);
			p.halt = 0;
			pthread_mutex_unlock(&p.mu);
			after_seq = 0;
		}
		r = 0;
	}
	sync_pipe_stop(&p, threaded ? &th : NULL);
	return r;
}

static const char *
sync_builtin_dir(const struct sync_opts *o)
{
	const char *d = o->forms_builtin_dir;

	/* none found: d is the (missing) install dir, which the pull reads
	 * as no built-in forms, as before */
	if (d == NULL || *d == '\0')
		(void)formsdir_builtin(&d, NULL);
	return d;
}

int
sync_run(const struct sync_opts *o, struct sync_result *res, struct terr *e)
{
	struct sync_ctx *c = NULL;
	struct net *n = NULL;
	struct net_opts no;
	struct terr pe;
	int64_t t0 = sync_mono_ms();
	char buf[64];
	int r, lockfd = -1;

	memset(res, 0, sizeof(*res));
	if ((r = devfiles_lock(o->db_path, &lockfd, e)) != 0)
		return r;
	if ((r = sync_ctx_open(o->db_path, o->passphrase_file, &c, e)) != 0)
		goto out;
	c->push.max_ops = o->max_ops;
	c->push.max_bytes = o->max_bytes ? o->max_bytes : PUSH_DEFAULT_MAX_BYTES;
	memset(&no, 0, sizeof(no));
	no.base_url = c->hub_url;
	no.ca_file = c->ca_file;
	no.pin = c->pin;
	no.connect_timeout_ms = o->connect_timeout_ms;
	no.timeout_ms = o->timeout_ms;
	if ((r = net_new(&no, &n, e)) != 0)
		goto out;
	if (!o->pull_only && ((r = retry_run(c, n, o, res, e)) != 0 ||
	    (r = sync_push_all(c, n, o, res, e)) != 0))
		goto out;
	/* nothing went: the hub has not said whether it still takes us */
	if (res->sets_sent == 0 && !res->unreachable && !res->stopped && !o->pull_only)
		probe_run(c, n, res);
	if (res->revoked)
		sync_logf(o, SYNC_LOG_WARN, "ВНИМАНИЕ: %s", res->revoked_msg);
	if (!o->no_pull && !res->unreachable && !res->stopped) {
		terr_clear(&pe);
		if (pull_run(n, c->push.hub_sign_pk, c->db_path, sync_builtin_dir(o),
		    &res->forms_installed, &pe) != 0)
			sync_logf(o, SYNC_LOG_WARN, "формы с хаба не получены: %s", pe.msg);
		/* records after forms: a pulled record's form is then known here */
		if (!res->revoked && (r = fetch_sync(c, n, o, sync_builtin_dir(o), res, e)) != 0)
			goto out;
	}
	res->have_skew = net_clock_skew(n, &res->skew_ms);
	if (res->have_skew && (res->skew_ms > SYNC_SKEW_WARN_MS || res->skew_ms < -SYNC_SKEW_WARN_MS))
		sync_logf(o, SYNC_LOG_WARN, "часы этого компьютера %s хаба на %lld мин: проверьте дату, "
		    "время и часовой пояс", res->skew_ms > 0 ? "спешат относительно" : "отстают от",
		    /* to the nearest minute: the hub's Date is to the second */
		    (long long)(((res->skew_ms > 0 ? res->skew_ms : -res->skew_ms) + 30000) / 60000));
	if ((r = push_counts(c->db, &res->left, e)) != 0)
		goto out;
	res->duration_ms = sync_mono_ms() - t0;
	/* what the client's status shows, in one commit */
	if ((r = syncdb_begin(c->db, e)) != 0)
		goto out;
	if (res->have_skew) {
		snprintf(buf, sizeof(buf), "%lld", (long long)res->skew_ms);
		if ((r = syncdb_meta_set(c->db, "clock_skew_ms", buf, e)) != 0)
			goto meta_fail;
	}
	syncdb_now_iso(buf);
	if ((r = syncdb_meta_set(c->db, "last_sync_at", buf, e)) != 0)
		goto meta_fail;
	switch (sync_exit_code(0, res)) {
	case SYNC_EXIT_OK: snprintf(buf, sizeof(buf), "ok"); break;
	case SYNC_EXIT_USAGE: snprintf(buf, sizeof(buf), "revoked"); break;
	case SYNC_EXIT_QUARANTINED: snprintf(buf, sizeof(buf), "quarantined"); break;
	case SYNC_EXIT_UNREACHABLE: snprintf(buf, sizeof(buf), "unreachable"); break;
	default: snprintf(buf, sizeof(buf), "pending"); break;
	}
	if ((r = syncdb_meta_set(c->db, "last_sync_result", buf, e)) != 0)
		goto meta_fail;
	r = syncdb_commit(c->db, e);
	goto out;
 meta_fail:
	syncdb_rollback(c->db);
 out:
	res->duration_ms = sync_mono_ms() - t0;
	net_free(n);
	sync_ctx_free(c);
	devfiles_unlock(lockfd);
	return r;
}

int
sync_exit_code(int r, const struct sync_result *res)
{
	if (r != 0) {
		/* Configuration a person fixes (enroll, passphrase, key file)
		 * versus what is wrong in the database or its entries. */
		switch (r) {
		case TERR_ARG: case TERR_KEYFILE: case TERR_PASSPHRASE: case TERR_DEVICE_KEY:
		case TERR_HUB_KEY: case TERR_MAGIC: case TERR_VERSION:
			return SYNC_EXIT_USAGE;
		default:
			return SYNC_EXIT_STORAGE;
		}
	}
	/* revoked: nothing will go until a person acts (docs/syncd.md) */
	if (res->revoked)
		return SYNC_EXIT_USAGE;
	if (res->unreachable)
		return SYNC_EXIT_UNREACHABLE;
	if (res->left.pending > 0 || res->left.sent > 0 || res->stopped || res->hub_error)
		return SYNC_EXIT_PENDING;
	if (res->sets_quarantined > 0)
		return SYNC_EXIT_QUARANTINED;
	return SYNC_EXIT_OK;
}

void
sync_summary(const struct sync_result *res, int code, char *buf, size_t cap)
{
	snprintf(buf, cap, "sync exit=%d sets_sent=%lld sets_acked=%lld sets_quarantined=%lld "
	    "entries_acked=%lld entries_quarantined=%lld retries=%lld bytes=%lld forms=%lld "
	    "pending=%lld quarantined_total=%lld skew_ms=%s%lld duration_ms=%lld requeued=%lld "
	    "pulled=%lld pull_conflicts=%lld%s",
	    code, (long long)res->sets_sent, (long long)res->sets_acked, (long long)res->sets_quarantined,
	    (long long)res->entries_acked, (long long)res->entries_quarantined, (long long)res->retries,
	    (long long)res->bytes_sent, (long long)res->forms_installed,
	    (long long)(res->left.pending + res->left.sent), (long long)res->left.quarantined,
	    res->have_skew ? "" : "?", (long long)(res->have_skew ? res->skew_ms : 0),
	    (long long)res->duration_ms, (long long)res->entries_requeued,
	    (long long)res->pulled.records, (long long)res->pulled.conflicts,
	    res->pull_restarted ? " pull_restarted=1" : "");
}
