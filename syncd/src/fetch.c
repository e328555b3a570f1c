/*
 * fetch — the online records pull (see fetch.h).
 */
#include "syncd/fetch.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "tetrad/hlc.h"
#include "tetrad/wire.h"

static int64_t
fetch_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms in short steps so a stop request is noticed; 1 if stopped. */
static int
fetch_sleep(const struct sync_opts *o, int64_t ms)
{
	int64_t end = fetch_mono_ms() + ms;

	for (;;) {
		int64_t left = end - fetch_mono_ms();
		struct timespec ts;

		if (o->stop && o->stop(o->ud))
			return 1;
		if (left <= 0)
			return 0;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(left > 100 ? 100 : left) * 1000000L;
		nanosleep(&ts, NULL);
	}
}

/* The device's clock now, for the hub's freshness check (never stored). */
static void
fetch_now(const struct sync_ctx *c, struct hlc_ts *t)
{
	memset(t, 0, sizeof(*t));
	t->wall_ms = hlc_wall_now();
	t->node = keys_id_u64(c->push.device_id);
}

int
fetch_ack_sign(struct sync_ctx *c, uint64_t after, uint8_t out[PULLMSG_REQ_BYTES],
    struct terr *e)
{
	struct pullmsg_request rq;
	struct hlc_ts now;

	fetch_now(c, &now);
	pullmsg_request_init(&rq, PULLMSG_ACK, after, c->box.pk, 0, &now);
	return pullmsg_request_sign(&rq, &c->dev, out, e);
}

/*
 * POSTs body to path until the hub gives a definite answer (not a network
 * error, 5xx or 429), attempts run out or a stop. 0 with resp filled;
 * TERR_IO with the last network error when the hub could not be reached.
 */
static int
fetch_post(struct net *n, const struct sync_opts *o, const char *path, const uint8_t *body,
    size_t len, size_t max_resp, struct net_resp *resp, int *stopped, struct terr *e)
{
	int max = o->max_attempts > 0 ? o->max_attempts : SYNC_DEFAULT_ATTEMPTS;
	int64_t base = o->backoff_ms > 0 ? o->backoff_ms : SYNC_DEFAULT_BACKOFF_MS;
	int64_t cap = o->backoff_max_ms > 0 ? o->backoff_max_ms : SYNC_DEFAULT_BACKOFF_MAX_MS;
	int r;

	for (int attempt = 1;; attempt++) {
		int64_t wait = base;

		net_resp_free(resp);
		r = net_request(n, "POST", path, "application/octet-stream", body, len, max_resp, resp, e);
		if (r == 0 && resp->status != 429 && resp->status < 500)
			return 0;
		if (r != 0 && r != TERR_IO)
			return r;
		if (attempt >= max)
			return r != 0 ? r : 0;
		for (int i = 1; i < attempt && wait < cap; i++)
			wait *= 2;
		if (wait > cap)
			wait = cap;
		wait = (int64_t)randombytes_uniform((uint32_t)(wait > 0x7fffffff ? 0x7fffffff : wait) + 1);
		if (r == 0 && resp->retry_after_s > 0 && resp->retry_after_s * 1000 > wait)
			wait = resp->retry_after_s * 1000;
		sync_logf(o, SYNC_LOG_WARN, "получение изменений, попытка %d: %s; повтор через %lld мс",
		    attempt, r != 0 ? e->msg : "хаб занят", (long long)wait);
		if (fetch_sleep(o, wait)) {
			*stopped = 1;
			return 0;
		}
	}
}

/* The hub's error body as a reason, or its status. */
static void
fetch_hub_reason(const struct net_resp *resp, char *out, size_t cap)
{
	struct wire_error we;

	if (wire_error_parse(tbuf_ptr(resp->body), tbuf_len(resp->body), &we, NULL) == 0 &&
	    we.message[0] != '\0')
		snprintf(out, cap, "%s", we.message);
	else
		snprintf(out, cap, "хаб ответил HTTP %ld", resp->status);
}

/* Whether the hub's error body names code. */
static int
fetch_hub_code_is(const struct net_resp *resp, const char *code)
{
	struct wire_error we;

	return wire_error_parse(tbuf_ptr(resp->body), tbuf_len(resp->body), &we, NULL) == 0 &&
	    strcmp(we.error, code) == 0;
}

/* Sends the ack of cursor; a failure is only logged (the next request says as much). */
static void
fetch_send_ack(struct sync_ctx *c, struct net *n, const struct sync_opts *o, uint64_t cursor)
{
	uint8_t ack[PULLMSG_REQ_BYTES];
	struct net_resp resp;
	struct terr ae;
	char why[WIRE_ERROR_MESSAGE_MAX + 64];
	int stopped = 0;

	memset(&resp, 0, sizeof(resp));
	terr_clear(&ae);
	if (fetch_ack_sign(c, cursor, ack, &ae) != 0 ||
	    fetch_post(n, o, WIRE_PATH_PULL_ACK, ack, sizeof(ack), 64 * 1024, &resp, &stopped, &ae) != 0) {
		sync_logf(o, SYNC_LOG_WARN, "подтверждение полученных изменений не отправлено: %s", ae.msg);
	} else if (!stopped && resp.status != 200 && resp.status != 204) {
		fetch_hub_reason(&resp, why, sizeof(why));
		sync_logf(o, SYNC_LOG_WARN, "хаб не принял подтверждение полученных изменений: %s", why);
	}
	net_resp_free(&resp);
}

void
fetch_summary(const struct inbox_result *in, char *buf, size_t cap)
{
	if (in->conflicts > 0)
		snprintf(buf, cap, "Получено с хаба записей: %lld; конфликтов: %lld — см. «tetrad conflicts».",
		    (long long)in->records, (long long)in->conflicts);
	else
		snprintf(buf, cap, "Получено с хаба записей: %lld; конфликтов нет.", (long long)in->records);
}

int
fetch_run(struct sync_ctx *c, struct net *n, const struct sync_opts *o,
    const char *builtin_dir, struct fetch_result *res, struct terr *e)
{
	struct inbox *ib = NULL;
	struct pullmsg_batch *b = NULL;
	struct net_resp resp;
	struct pullmsg_request rq;
	struct hlc_ts now;
	struct terr oe;
	uint8_t req[PULLMSG_REQ_BYTES];
	uint64_t start;
	char why[WIRE_ERROR_MESSAGE_MAX + 64];
	int r;

	memset(res, 0, sizeof(*res));
	memset(&resp, 0, sizeof(resp));
	if ((r = inbox_new(c->db, c->db_path, builtin_dir, &ib, e)) != 0)
		return r;
	if ((r = inbox_cursor(ib, &res->cursor, e)) != 0)
		goto out;
	start = res->cursor;
	for (int64_t i = 0; i < FETCH_MAX_ANSWERS; i++) {
		if (o->stop && o->stop(o->ud)) {
			res->stopped = 1;
			break;
		}
		fetch_now(c, &now);
		pullmsg_request_init(&rq, PULLMSG_REQUEST, res->cursor, c->box.pk, FETCH_MAX_ITEMS, &now);
		if ((r = pullmsg_request_sign(&rq, &c->dev, req, e)) != 0)
			goto out;
		terr_clear(&oe);
		if ((r = fetch_post(n, o, WIRE_PATH_PULL, req, sizeof(req), PULLMSG_MAX_BYTES, &resp,
		    &res->stopped, &oe)) != 0) {
			if (r != TERR_IO && r != TERR_TOO_LARGE) {
				terr_set(e, r, "%s", oe.msg);
				goto out;
			}
			res->unreachable = r == TERR_IO;
			res->refused = r == TERR_TOO_LARGE;
			sync_logf(o, SYNC_LOG_WARN, "изменения с хаба не получены: %s", oe.msg);
			r = 0;
			break;
		}
		if (res->stopped)
			break;
		if (resp.status == 204)
			break;      /* nothing after the cursor */
		if (resp.status == 404) {
			/* a hub older than two-way sync: nothing to pull, not an error */
			res->unsupported = 1;
			sync_logf(o, SYNC_LOG_INFO, "хаб не рассылает записи (старая версия хаба)");
			break;
		}
		if (resp.status == 409 && res->cursor != 0 && !res->restarted &&
		    fetch_hub_code_is(&resp, "cursor_ahead")) {
			/* the hub was restored from an older backup: its feed is shorter
			 * than what this device applied. States join idempotently, so
			 * pulling the whole scope again is safe; the cursor is cleared
			 * now so that a run stopped before the next answer starts at 0 */
			if ((r = localdb_pull_after_set(c->db, 0, e)) != 0)
				goto out;
			sync_logf(o, SYNC_LOG_WARN, "хаб сообщил, что у него меньше изменений, чем "
			    "устройство уже получило (отметка %" PRIu64 "): база хаба, видимо, "
			    "восстановлена из старой копии. Изменения получаются заново с начала; "
			    "это безопасно: записи объединяются, а не дублируются", res->cursor);
			res->restarted = 1;
			res->cursor = 0;
			start = 0;
			continue;
		}
		if (resp.status != 200) {
			res->refused = 1;
			fetch_hub_reason(&resp, why, sizeof(why));
			sync_logf(o, SYNC_LOG_WARN, "изменения с хаба не получены: %s", why);
			break;
		}
		if ((r = pullmsg_open(tbuf_ptr(resp.body), tbuf_len(resp.body), c->push.hub_sign_pk,
		    &c->box, c->push.device_id, rq.nonce, &b, &oe)) != 0 ||
		    (r = pullmsg_check_after(b, res->cursor, &oe)) != 0) {
			res->refused = 1;
			sync_logf(o, SYNC_LOG_WARN, "ответ хаба с изменениями не принят: %s", oe.msg);
			r = 0;
			break;
		}
		net_resp_free(&resp);
		/* nothing new (the usual answer): no write transaction for it */
		if (b->upto == res->cursor && b->n_records == 0 && b->n_profiles == 0 &&
		    b->n_schools == 0)
			break;
		if ((r = inbox_apply(ib, b, &res->in, &oe)) != 0) {
			/* the store's failures stop the run; anything else is the answer's fault */
			if (r == TERR_IO || r == TERR_FULL || r == TERR_BUSY || r == TERR_NOMEM) {
				terr_set(e, r, "%s", oe.msg);
				goto out;
			}
			res->refused = 1;
			sync_logf(o, SYNC_LOG_WARN, "ответ хаба с изменениями не принят: %s", oe.msg);
			r = 0;
			break;
		}
		res->answers++;
		res->cursor = b->upto;
		if (o->pull_progress != NULL && (b->more || res->answers > 1))
			o->pull_progress(o->pull_progress_ud, (uint64_t)res->in.records, 0);
		if (!b->more)
			break;
		pullmsg_batch_free(b);
		b = NULL;
	}
	if (res->cursor != start)
		fetch_send_ack(c, n, o, res->cursor);
	r = 0;
 out:
	pullmsg_batch_free(b);
	net_resp_free(&resp);
	inbox_free(ib);
	return r;
}

int
fetch_sync(struct sync_ctx *c, struct net *n, const struct sync_opts *o,
    const char *builtin_dir, struct sync_result *res, struct terr *e)
{
	struct fetch_result fr;
	int r;

	if ((r = fetch_run(c, n, o, builtin_dir, &fr, e)) != 0)
		return r;
	res->pulled = fr.in;
	res->pull_refused = fr.refused;
	res->pull_restarted = fr.restarted;
	res->hub_error |= fr.refused;
	res->unreachable |= fr.unreachable;
	res->stopped |= fr.stopped;
	return 0;
}
