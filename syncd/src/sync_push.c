/*
 * sync_push — the pipelined push of a run (sync_push.h; the policy is in
 * sync.h, the pipeline described at struct sync_pipe below).
 */
#include "sync_push.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "syncd/push.h"
#include "tetrad/sigblob.h"
#include "tetrad/wire.h"

#define SYNC_ACK_MAX (SIGBLOB_HEADER_BYTES + 64 * 1024 + 64)

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
	/* A gap or a busy hub changes nothing of this set; every other answer
	 * marks or quarantines it, so it must be about this very set. */
	if (ack.status != PUSH_ST_GAP && ack.status != PUSH_ST_BUSY && !push_ack_answers(&ack, b)) {
		res->hub_error = 1;
		sync_logf(o, SYNC_LOG_WARN, "хаб ответил не на тот набор (%llu–%llu вместо %llu–%llu): "
		    "ничего не изменено", (unsigned long long)ack.first, (unsigned long long)ack.last,
		    (unsigned long long)b->first_seq, (unsigned long long)b->last_seq);
		return r;
	}
	switch (ack.status) {
	case PUSH_ST_APPLIED:
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

/*
 * The entries that wait (pending or sent, in a set or not) when the push
 * begins: what the progress counts up to. 0 when there is no one to tell,
 * or the count cannot be read (then sealing reports the trouble).
 */
static uint64_t
sync_push_total(struct sync_ctx *c, const struct sync_opts *o)
{
	struct push_counts n;

	if (o->progress == NULL || push_counts(c->db, &n, NULL) != 0)
		return 0;
	return (uint64_t)(n.pending + n.sent);
}

/* Entries answered so far (acknowledged or quarantined) since base. */
static void
sync_push_progress(const struct sync_opts *o, const struct sync_result *res, int64_t base,
    uint64_t total)
{
	uint64_t done = (uint64_t)(res->entries_acked + res->entries_quarantined - base);

	if (total == 0)
		return;
	/* a rewind after a gap may send some again: never past the end */
	o->progress(o->progress_ud, done < total ? done : total, total);
}

int
sync_push_all(struct sync_ctx *c, struct net *n, const struct sync_opts *o,
    struct sync_result *res, struct terr *e)
{
	struct sync_pipe p;
	pthread_t th;
	uint64_t after_seq = 0, total = sync_push_total(c, o);
	int64_t base = res->entries_acked + res->entries_quarantined;
	int r = 0, filled, gaps = 0, threaded;

	memset(&p, 0, sizeof(p));
	atomic_init(&p.quit, 0);
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	/* nothing to send (or the queue unreadable, which sealing will report): no connection */
	if (push_has_work(c->db, NULL) == 1)
		p.connect_ahead = n;
	threaded = pthread_create(&th, NULL, sync_sender, &p) == 0;
	sync_push_progress(o, res, base, total);
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
		sync_push_progress(o, res, base, total);
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
