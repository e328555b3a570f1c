/*
 * server — HTTPS endpoints of the hub (server.h, docs/hub-api.md): routes,
 * body caps, a change set's header before its body, admission. Store
 * handles come from dbpool.c, connection deadlines are kept by connwatch.c,
 * budgets by admit.c; the answers are built in reply.c, a request's head
 * (client address, framing) read in reqhead.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "dash.h"
#include "dbpool.h"
#include "listenaddr.h"
#include "hub/admit.h"
#include "hub/connwatch.h"
#include "hub/groupcommit.h"
#include "hub/hubdb.h"
#include "hub/server.h"
#include "hub/throttle.h"
#include "reply.h"
#include "reply_enroll.h"
#include "reqhead.h"
#include "workers.h"
#include "tetrad/hlc.h"
#include "tetrad/wire.h"

#define SERVER_DRAIN_MAX (1u << 20) /* read and dropped past a cap, for a clean 413 */
/*
 * Threads that run change sets' ingest (workers.h). Most of a set's time
 * there is the wait for the writer's commit, so there are many more than
 * cores: the sets that arrive together all wait in one group.
 */
#define SERVER_INGEST_WORKERS 64
/* After a body this large its memory is handed back to the system at once. */
#define SERVER_TRIM_AFTER (1u << 20)
/*
 * Only AEAD ciphers and forward-secret (EC)DHE key exchange, TLS 1.2 and
 * 1.3: no CBC suites (padding oracles, Lucky13), no SHA-1 MACs, no static
 * RSA key exchange. Every client we ship (libcurl with GnuTLS or OpenSSL on
 * Debian 12, Windows 10+) has ECDHE with AES-GCM or ChaCha20-Poly1305.
 */
#define SERVER_TLS_PRIORITIES "SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:" \
	"-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD:" \
	"-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA"


struct server {
	struct server_cfg cfg;
	struct MHD_Daemon *d;
	uint16_t port;
	atomic_int inflight;
	/* server_stop has begun: no job goes to the workers any more (they are
	 * stopped and freed while keep-alive connections may still send) */
	atomic_bool stopping;
	struct dbpool *pool;
	struct connwatch *watch;
	struct throttle *enroll_throttle;   /* failed enrollments per address */
	struct admit *admit;
	struct ingest_cfg ingest;           /* cfg.ingest with the writer below */
	struct hubdb *writer_db;            /* the writer's handle, from the pool */
	struct groupcommit *writer;         /* applies verified sets in groups */
	struct workers *workers;            /* run each set's ingest (workers.h) */
	struct dash *dash;                  /* the dashboard's pages (dash.h) */
};

static void
server_log(struct server *s, enum server_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The connection's watch (connwatch.h), NULL if it could not be watched. */
static struct connwatch_conn *
server_watch(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

static void
server_notify_conn(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct server *s = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci;

		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = ci != NULL ? connwatch_add(s->watch, ci->connect_fd) : NULL;
		return;
	}
	{
		enum connwatch_phase ph;

		if (connwatch_cut(*socket_context, &ph)) {
			char addr[ADMIT_ADDR_MAX];

			reqhead_addr(c, addr);
			server_log(s, SERVER_LOG_WARNING, "addr=%s cut: past its deadline (%s)", addr,
			    ph == CONNWATCH_HEADERS ? "handshake and headers" :
			    ph == CONNWATCH_BODY ? "body below the minimum rate or over the "
			    "request ceiling" : "answer not read in time");
		}
	}
	/* called before libmicrohttpd closes the descriptor: no reuse race */
	connwatch_remove(*socket_context);
	*socket_context = NULL;
}

/*
 * One request. A change set's body goes first into hdr; only once the
 * header is checked and the body admitted (admit.h) is set allocated, at
 * exactly the declared length. A body refused from its header is drained:
 * counted (for its rate) and dropped, and the answer decided then (early)
 * is sent when it ends — libmicrohttpd 0.9.75 cannot queue a response
 * while a body is arriving (MHD_queue_response refuses outside the
 * headers-processed and full-request states), and closing instead would
 * leave syncd without the signed "unknown_device" it must hear.
 */
struct server_req {
	enum reqhead_route route;
	struct tbuf *body;              /* enrollment */
	size_t cap;
	bool too_large;
	bool answered;
	bool drain;                     /* the rest of the body is dropped */
	char addr[ADMIT_ADDR_MAX];      /* the client's, for budgets and logs */
	struct connwatch_conn *cw;
	uint64_t cl;                    /* Content-Length; 0 with none (chunked) */
	uint64_t received;              /* body bytes so far */
	uint8_t hdr[ENVELOPE_HEADER_BYTES];
	size_t hdr_got;
	uint8_t *set;                   /* the admitted envelope, set_len bytes */
	size_t set_len, set_got;
	struct admit_ticket *ticket;
	struct ingest_result *early;    /* decided from the header, sent at the end */
	int early_http;
	bool early_plain;               /* the hub's own error, not ingest's answer */
	/* the set's ingest, on a worker while the connection is suspended */
	struct workers_job job;
	struct server *s;
	struct MHD_Connection *c;
	struct ingest_result *res;
	struct reply_pull *pull;        /* a pull's answer, on a worker (reply.h) */
	struct dash_job *page;          /* a dashboard page, on a worker (dash.h) */
	atomic_int job_state;           /* enum server_job */
	int job_rc;                     /* ingest's code; SERVER_JOB_NO_DB: no handle */
	char job_err[TERR_MSG_MAX];
	uint64_t t0;
};

enum server_job { JOB_NONE = 0, JOB_RUNNING, JOB_DONE, JOB_REPLIED };
#define SERVER_JOB_NO_DB 1

static void
server_log(struct server *s, enum server_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_vlogf(s->cfg.log, s->cfg.log_ctx, lvl, fmt, ap);
	va_end(ap);
}

static void server_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
server_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct server *s = cls;
	char line[512];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	server_log(s, SERVER_LOG_WARNING, "microhttpd: %s", line);
}

/*
 * On a worker (workers.h): the set's ingest, which waits for the writer's
 * commit. Resuming the connection is the last touch of q: once resumed,
 * the connection may end and free it.
 */
static void
server_changeset_job(void *arg)
{
	struct server_req *q = arg;
	struct server *s = q->s;
	struct MHD_Connection *c = q->c;
	struct hubdb *db;
	struct terr e;

	terr_clear(&e);
	if ((db = dbpool_get(s->pool, &e)) == NULL)
		q->job_rc = SERVER_JOB_NO_DB;
	else {
		/* a body cut short (chunked) is answered as the truncated envelope it is */
		q->job_rc = ingest_envelope(db, &s->ingest, q->set, q->set_got, hlc_wall_now(),
		    q->res, &e);
		dbpool_put(s->pool, db);
	}
	snprintf(q->job_err, sizeof(q->job_err), "%s", e.msg);
	atomic_store(&q->job_state, JOB_DONE);
	MHD_resume_connection(c);
}

/*
 * The whole set is in: hand it to a worker and suspend the connection, so
 * this thread goes on serving its other connections while the set waits
 * for its group's commit. The answer is sent when the connection resumes
 * (server_changeset_reply).
 */
static enum MHD_Result
server_changeset(struct server *s, struct MHD_Connection *c, struct server_req *q)
{
	if ((q->res = calloc(1, sizeof(*q->res))) == NULL ||
	    (q->res->body = tbuf_new(INGEST_BODY_MAX)) == NULL)
		return MHD_NO;
	q->s = s;
	q->c = c;
	q->t0 = connwatch_now_ms();
	q->job.run = server_changeset_job;
	q->job.arg = q;
	atomic_store(&q->job_state, JOB_RUNNING);
	MHD_suspend_connection(c);
	workers_submit(s->workers, &q->job);
	return MHD_YES;
}

static enum MHD_Result
server_changeset_reply(struct server *s, struct MHD_Connection *c, struct server_req *q)
{
	struct ingest_result *res = q->res;
	int http;

	if (q->job_rc == SERVER_JOB_NO_DB) {
		server_log(s, SERVER_LOG_WARNING, "changeset addr=%s 503: %s", q->addr, q->job_err);
		return reply_error(c, 503, "busy", "хаб временно недоступен; повторите позже",
		    INGEST_RETRY_AFTER);
	}
	if (q->job_rc != 0) {
		server_log(s, SERVER_LOG_ERR, "changeset addr=%s device=%s %" PRIu64 "-%" PRIu64
		    " 500: %s", q->addr, res->device, res->first, res->last, q->job_err);
		return reply_error(c, 500, "internal", "внутренняя ошибка хаба", 0);
	}
	http = reply_status(res->outcome);
	/* quarantine_full: refused but not stored, the device's quarantine is at its cap;
	 * anything but applied (a refused set, a gap) is a warning: someone may have to act */
	server_log(s, http == 200 ? SERVER_LOG_INFO : SERVER_LOG_WARNING, "changeset addr=%s "
	    "device=%s %" PRIu64 "-%" PRIu64 " %d %s%s%s applied=%u conflicts=%u ms=%" PRIu64, q->addr, res->device[0] ? res->device : "-",
	    res->first, res->last, http, res->status, res->replay ? " replay" : "",
	    res->dropped ? " quarantine_full" : "", res->applied, res->conflicts,
	    connwatch_now_ms() - q->t0);
	return reply_result(c, res, http);
}

/*
 * The envelope header is in (q->hdr): admit the body, or decide its answer
 * and drain the rest. Returns MHD_NO only when out of memory.
 */
static enum MHD_Result
server_admit(struct server *s, struct server_req *q)
{
	struct ingest_result *res;
	struct hubdb *db;
	struct terr e;
	enum admit_verdict v;
	size_t total = 0;
	bool admitted = false;
	int r;

	terr_clear(&e);
	if ((res = calloc(1, sizeof(*res))) == NULL ||
	    (res->body = tbuf_new(INGEST_BODY_MAX)) == NULL) {
		free(res);
		return MHD_NO;
	}
	q->drain = true;
	q->early = res;
	if ((db = dbpool_get(s->pool, &e)) == NULL) {
		q->early_http = 503;
		q->early_plain = true;
		snprintf(res->status, sizeof(res->status), "busy");
		snprintf(res->reason, sizeof(res->reason), "хаб временно недоступен; повторите позже");
		return MHD_YES;
	}
	r = ingest_admit(db, &s->ingest, q->hdr, (size_t)q->cl, &total, res, &admitted, &e);
	dbpool_put(s->pool, db);
	if (r != 0) {
		q->early_http = 500;
		q->early_plain = true;
		snprintf(res->status, sizeof(res->status), "internal");
		snprintf(res->reason, sizeof(res->reason), "внутренняя ошибка хаба");
		server_log(s, SERVER_LOG_ERR, "changeset addr=%s 500 at header: %s", q->addr, e.msg);
		return MHD_YES;
	}
	if (!admitted) {
		q->early_http = reply_status(res->outcome);
		server_log(s, SERVER_LOG_WARNING, "changeset addr=%s device=%s %" PRIu64 "-%" PRIu64
		    " %d %s at header", q->addr, res->device[0] ? res->device : "-", res->first, res->last,
		    q->early_http, res->status);
		return MHD_YES;
	}
	v = admit_take(s->admit, q->addr, res->device, total, &q->ticket);
	if (v != ADMIT_OK) {
		q->early_http = 503;
		q->early_plain = true;
		snprintf(res->status, sizeof(res->status), "busy");
		snprintf(res->reason, sizeof(res->reason), "%s", v == ADMIT_DEVICE_BUSY ?
		    "набор этого устройства уже передаётся; повторите позже" :
		    "хаб принимает слишком много наборов сразу; повторите позже");
		server_log(s, SERVER_LOG_WARNING, "changeset addr=%s device=%s 503 %s (%zu bytes)", q->addr,
		    res->device, admit_verdict_str(v), total);
		return MHD_YES;
	}
	/* one buffer, exactly the envelope: no growth, handed back whole */
	if ((q->set = malloc(total)) == NULL) {
		admit_release(s->admit, q->ticket);
		q->ticket = NULL;
		return MHD_NO;
	}
	memcpy(q->set, q->hdr, ENVELOPE_HEADER_BYTES);
	q->set_len = total;
	q->set_got = ENVELOPE_HEADER_BYTES;
	q->drain = false;
	tbuf_free(res->body);
	free(res);
	q->early = NULL;
	return MHD_YES;
}

/* A change set's body bytes: header first, then the admitted buffer. */
static enum MHD_Result
server_changeset_bytes(struct server *s, struct server_req *q, const char *data, size_t n)
{
	if (q->hdr_got < ENVELOPE_HEADER_BYTES) {
		size_t k = ENVELOPE_HEADER_BYTES - q->hdr_got;

		if (k > n)
			k = n;
		memcpy(q->hdr + q->hdr_got, data, k);
		q->hdr_got += k;
		data += k;
		n -= k;
		if (q->hdr_got == ENVELOPE_HEADER_BYTES && server_admit(s, q) != MHD_YES)
			return MHD_NO;
	}
	if (n == 0 || q->drain)
		return MHD_YES;
	if (n > q->set_len - q->set_got) {
		/* more than its own header says (chunked): no answer is owed */
		server_log(s, SERVER_LOG_WARNING, "changeset addr=%s: body longer than its envelope header says; "
		    "connection closed", q->addr);
		return MHD_NO;
	}
	memcpy(q->set + q->set_got, data, n);
	q->set_got += n;
	return MHD_YES;
}

/* The first call of a request: its headers are in, none of its body. */
static enum MHD_Result
server_begin(struct server *s, struct MHD_Connection *c, struct server_req *q,
    const char *url, const char *method)
{
	const char *why;
	bool method_ok;
	char msg[256];
	int st;

	q->cw = server_watch(c);
	connwatch_body(q->cw);
	reqhead_addr(c, q->addr);
	q->route = reqhead_route(url, method, &q->cap, &method_ok);
	/* an answer given now closes the connection: the body is never read */
	q->answered = true;
	if (q->route == REQHEAD_ROUTE_NONE)
		return reply_error(c, 404, "not_found", "нет такого адреса API", 0);
	if (!method_ok)
		return reply_error(c, 405, "method", "метод не поддерживается "
		    "для этого адреса", 0);
	if ((st = reqhead_framing(c, &q->cl, &why)) == REQHEAD_BAD) {
		server_log(s, SERVER_LOG_WARNING, "addr=%s %s %s 400: %s", q->addr, method, url, why);
		return reply_error(c, 400, "malformed", why, 0);
	}
	snprintf(msg, sizeof(msg), "тело запроса больше допустимых %zu байт", q->cap);
	if (st == REQHEAD_HUGE || q->cl > q->cap) {
		server_log(s, SERVER_LOG_WARNING, "addr=%s %s %s 413 declared %" PRIu64 " bytes",
		    q->addr, method, url, q->cl);
		/*
		 * Far too large: refused before one byte of the body is read,
		 * and the connection closed. A body at most SERVER_DRAIN_MAX
		 * over is read and dropped first: answering at once would
		 * close a connection still receiving, the kernel would reset
		 * it, and the client might never read the 413.
		 */
		if (st == REQHEAD_HUGE || q->cl - q->cap > SERVER_DRAIN_MAX)
			return q->route == REQHEAD_ROUTE_WEB ? dash_too_large(c, q->cap) :
			    reply_error(c, 413, "too_large", msg, 0);
		q->too_large = true;
	}
	if ((q->route == REQHEAD_ROUTE_ENROLL || q->route == REQHEAD_ROUTE_PULL ||
	    q->route == REQHEAD_ROUTE_PULL_ACK || q->route == REQHEAD_ROUTE_WEB) &&
	    !q->too_large) {
		/* small, but counted: a flood of them must not add up */
		enum admit_verdict v = admit_take(s->admit, q->addr, NULL,
		    q->cl ? (size_t)q->cl : q->cap, &q->ticket);

		if (v != ADMIT_OK) {
			server_log(s, SERVER_LOG_WARNING, "%s addr=%s 503 %s", q->route == REQHEAD_ROUTE_ENROLL ?
			    "enroll" : q->route == REQHEAD_ROUTE_WEB ? "web" : "pull", q->addr,
			    admit_verdict_str(v));
			return reply_error(c, 503, "busy", "хаб принимает слишком много "
			    "запросов сразу; повторите позже", INGEST_RETRY_AFTER);
		}
	}
	q->answered = false;
	return MHD_YES;
}

/* Body bytes: kept where admitted, otherwise counted and dropped. */
static enum MHD_Result
server_body(struct server *s, struct server_req *q, const char *data, size_t n)
{
	connwatch_progress(q->cw, n);
	q->received += n;
	/* a chunked body has no declared end: the cap (and the drain allowance) is it */
	if (q->received > (uint64_t)q->cap + SERVER_DRAIN_MAX) {
		server_log(s, SERVER_LOG_WARNING, "addr=%s: body over %zu bytes; connection closed",
		    q->addr, q->cap);
		return MHD_NO;
	}
	if (q->received > q->cap)
		q->too_large = true;
	if (q->answered || q->too_large)
		return MHD_YES;
	if (q->route == REQHEAD_ROUTE_CHANGESETS)
		return server_changeset_bytes(s, q, data, n);
	if (q->body == NULL && (q->body = tbuf_new(q->cap)) == NULL)
		return MHD_NO;
	if (tbuf_put(q->body, data, n) != 0)
		q->too_large = true;
	return MHD_YES;
}

/* The body is complete: the answer. */
static enum MHD_Result
server_end(struct server *s, struct MHD_Connection *c, struct server_req *q, const char *url,
    const char *method)
{
	struct envelope_header h;
	struct terr le;
	char msg[256];

	q->answered = true;
	connwatch_answer(q->cw, 0);
	if (q->too_large) {
		server_log(s, SERVER_LOG_WARNING, "addr=%s 413 body over %zu bytes", q->addr, q->cap);
		if (q->route == REQHEAD_ROUTE_WEB)
			return dash_too_large(c, q->cap);
		snprintf(msg, sizeof(msg), "тело запроса больше допустимых %zu байт", q->cap);
		return reply_error(c, 413, "too_large", msg, 0);
	}
	if (q->early != NULL && q->early_plain)
		return reply_error(c, q->early_http, q->early->status, q->early->reason,
		    q->early_http == 503 ? INGEST_RETRY_AFTER : 0);
	if (q->early != NULL)
		return reply_result(c, q->early, q->early_http);
	/* read after inflight was counted (server_access): server_stop sets it
	 * before it waits for inflight, so a job handed on below is waited for */
	if ((q->route == REQHEAD_ROUTE_CHANGESETS || q->route == REQHEAD_ROUTE_PULL ||
	    q->route == REQHEAD_ROUTE_PULL_ACK || q->route == REQHEAD_ROUTE_WEB) &&
	    atomic_load(&s->stopping)) {
		server_log(s, SERVER_LOG_NOTICE, "addr=%s 503: хаб останавливается", q->addr);
		return reply_error(c, 503, "stopping", "хаб останавливается; повторите позже",
		    INGEST_RETRY_AFTER);
	}
	switch (q->route) {
	case REQHEAD_ROUTE_HEALTH:
		return reply_health(c);
	case REQHEAD_ROUTE_ENROLL:
		return reply_enroll(&(struct reply_enroll_cfg){ s->pool, s->enroll_throttle,
		    s->cfg.ingest->enc, s->cfg.ingest->sign, s->cfg.log, s->cfg.log_ctx }, c,
		    q->addr, q->body);
	case REQHEAD_ROUTE_CHANGESETS:
		if (q->hdr_got == 0)
			return reply_error(c, 400, "malformed", "пустое тело запроса: "
			    "ожидался набор изменений", 0);
		if (q->hdr_got < ENVELOPE_HEADER_BYTES) {
			terr_clear(&le);
			(void)envelope_parse_header(q->hdr, q->hdr_got, &h, &le);
			server_log(s, SERVER_LOG_WARNING, "changeset addr=%s 400 malformed: %zu bytes",
			    q->addr, q->hdr_got);
			return reply_error(c, 400, "malformed", le.msg, 0);
		}
		return server_changeset(s, c, q);
	case REQHEAD_ROUTE_FORMS:
		if (strcmp(url, WIRE_PATH_FORMS_KNOWN) == 0)
			return reply_forms_known(s->pool, s->ingest.forms, c);
		return reply_forms(s->pool, c, url, s->admit, q->addr, &q->ticket);
	case REQHEAD_ROUTE_DEVICE:
		return reply_device(s->pool, c, url);
	case REQHEAD_ROUTE_PULL:
	case REQHEAD_ROUTE_PULL_ACK:
		return reply_pull(s->workers, s->pool, &(struct hubpull_cfg){ .sign =
		    s->cfg.ingest->sign, .forms = s->ingest.forms, .max_ahead_ms =
		    s->ingest.max_ahead_ms }, c, q->route == REQHEAD_ROUTE_PULL_ACK, q->body,
		    s->admit, q->addr, &q->ticket, s->cfg.log, s->cfg.log_ctx, &q->pull);
	case REQHEAD_ROUTE_WEB:
		return dash_request(s->dash, c, method, url, q->addr, q->body, &q->page);
	case REQHEAD_ROUTE_NONE:
		break;
	}
	return reply_error(c, 404, "not_found", "нет такого адреса API", 0);
}

static enum MHD_Result
server_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct server *s = cls;
	struct server_req *q = *con_cls;
	enum MHD_Result r;

	(void)version;
	if (q == NULL) {
		if ((q = calloc(1, sizeof(*q))) == NULL)
			return MHD_NO;
		*con_cls = q;
		atomic_fetch_add(&s->inflight, 1);
		return server_begin(s, c, q, url, method);
	}
	if (*upload_data_size > 0) {
		r = server_body(s, q, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return r;
	}
	if (q->answered) {
		if (q->pull != NULL)
			return reply_pull_finish(q->pull);
		if (q->page != NULL)
			return dash_finish(q->page);
		/* resumed: the worker has the set's answer */
		if (atomic_load(&q->job_state) == JOB_DONE) {
			atomic_store(&q->job_state, JOB_REPLIED);
			return server_changeset_reply(s, c, q);
		}
		return MHD_YES;
	}
	return server_end(s, c, q, url, method);
}

static void
server_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct server_req *q = *con_cls;
	bool large;

	(void)c;
	(void)toe;
	if (q == NULL)
		return;
	/* keep-alive: the next request's headers get a fresh timeout */
	connwatch_next(q->cw);
	admit_release(s->admit, q->ticket);
	large = q->set_len >= SERVER_TRIM_AFTER;
	free(q->set);
	tbuf_free(q->body);
	reply_pull_free(q->pull);
	dash_job_free(q->page);
	if (q->early != NULL)
		tbuf_free(q->early->body);
	free(q->early);
	if (q->res != NULL)
		tbuf_free(q->res->body);
	free(q->res);
	free(q);
	*con_cls = NULL;
#ifdef __GLIBC__
	/*
	 * The body's buffer is above the mmap threshold (cmd_serve fixes it)
	 * and went back with free; what ingest allocated around it in small
	 * pieces sits in this thread's arena: give its free pages back too.
	 */
	if (large)
		malloc_trim(0);
#else
	(void)large;
#endif
	atomic_fetch_sub(&s->inflight, 1);
}

/* The end of server_stop and of a failed server_start. */
static void
server_free(struct server *s)
{
	workers_stop(s->workers);
	dash_free(s->dash);
	connwatch_stop(s->watch);
	admit_free(s->admit);
	/* every request is over: the writer has nothing left but what is queued */
	if (s->writer != NULL) {
		struct groupcommit_stats st;

		groupcommit_stats(s->writer, &st);
		server_log(s, SERVER_LOG_INFO, "writer: %" PRIu64 " sets in %" PRIu64 " transactions (largest %"
		    PRIu64 ", waited for sets coming %" PRIu64 ", joined while beginning %" PRIu64
		    ", taken while writing %" PRIu64 ", run again each release awaited %" PRIu64
		    ", run again without a failed set %" PRIu64 ")", st.items, st.groups, st.largest,
		    st.gathered, st.joined, st.late, st.careful, st.retried);
	}
	groupcommit_stop(s->writer);
	dbpool_put(s->pool, s->writer_db);
	dbpool_close(s->pool);
	throttle_free(s->enroll_throttle);
	free(s);
}

/* The writer of change sets (groupcommit.h), on a handle of its own. */
static int
server_writer_start(struct server *s, struct terr *e)
{
	if ((s->writer_db = dbpool_get(s->pool, e)) == NULL)
		return e->code != 0 ? e->code : TERR_IO;
	s->ingest.writer = NULL;
	if (groupcommit_start(s->writer_db, &s->writer, e) != 0)
		return e->code;
	s->ingest.writer = s->writer;
	return 0;
}

int
server_start(const struct server_cfg *cfg, struct server **out, struct terr *e)
{
	struct server *s = NULL;
	struct sockaddr_storage ss;
	struct connwatch_limits lim;
	const union MHD_DaemonInfo *info;
	unsigned flags;
	int r;

	*out = NULL;
	if ((r = listenaddr_parse(cfg->listen ? cfg->listen : SERVER_DEFAULT_LISTEN, &ss,
	    e)) != 0)
		return r;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	s->cfg = *cfg;
	s->ingest = *cfg->ingest;
	if (s->cfg.threads == 0)
		s->cfg.threads = SERVER_DEFAULT_THREADS;
	if (s->cfg.threads > DBPOOL_MAX - SERVER_INGEST_WORKERS - 2)
		s->cfg.threads = DBPOOL_MAX - SERVER_INGEST_WORKERS - 2;
	if (s->cfg.conn_limit == 0)
		s->cfg.conn_limit = SERVER_DEFAULT_CONN_LIMIT;
	if (s->cfg.per_ip_limit == 0)
		s->cfg.per_ip_limit = SERVER_DEFAULT_PER_IP_LIMIT;
	if (s->cfg.timeout_s == 0)
		s->cfg.timeout_s = SERVER_DEFAULT_TIMEOUT;
	if (s->cfg.min_rate == 0)
		s->cfg.min_rate = SERVER_DEFAULT_MIN_RATE;
	if (s->cfg.request_max_s == 0)
		s->cfg.request_max_s = SERVER_DEFAULT_REQUEST_MAX;
	if (s->cfg.body_budget == 0)
		s->cfg.body_budget = SERVER_DEFAULT_BODY_BUDGET;
	if (s->cfg.body_per_ip == 0)
		s->cfg.body_per_ip = SERVER_DEFAULT_BODY_PER_IP;
	lim.header_ms = (uint64_t)s->cfg.timeout_s * 1000;
	lim.min_rate = s->cfg.min_rate;
	lim.request_ms = (uint64_t)s->cfg.request_max_s * 1000;
	atomic_init(&s->inflight, 0);
	atomic_init(&s->stopping, false);
	if ((r = throttle_new(&(struct throttle_cfg){ THROTTLE_ENROLL_BURST,
	    THROTTLE_ENROLL_REFILL_MS, THROTTLE_ENROLL_GLOBAL_BURST,
	    THROTTLE_ENROLL_GLOBAL_REFILL_MS, THROTTLE_ENROLL_SLOTS }, &s->enroll_throttle,
	    e)) != 0 ||
	    /* a handle per request thread and ingest worker, the writer's, a spare */
	    (r = dbpool_open(s->cfg.db_path, s->cfg.threads + SERVER_INGEST_WORKERS + 2, s->cfg.log, s->cfg.log_ctx,
	    &s->pool, e)) != 0 ||
	    (r = server_writer_start(s, e)) != 0 ||
	    (r = workers_start(SERVER_INGEST_WORKERS, &s->workers, e)) != 0 ||
	    (r = dash_new(&(struct dash_cfg){ s->pool, s->workers, cfg->forms_dir, cfg->cert_path,
	    cfg->public_url, s->ingest.forms, cfg->forms_published,
	    cfg->ingest ? cfg->ingest->sign : NULL, cfg->log, cfg->log_ctx, cfg->silent_days },
	    &s->dash, e)) != 0 ||
	    (r = connwatch_start(&lim, &s->watch, e)) != 0 ||
	    (r = admit_new(s->cfg.body_budget, s->cfg.body_per_ip, &s->admit, e)) != 0)
		goto fail;
	flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, server_access, s,
	    MHD_OPTION_EXTERNAL_LOGGER, server_mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_HTTPS_MEM_CERT, cfg->cert_pem,
	    MHD_OPTION_HTTPS_MEM_KEY, cfg->key_pem,
	    MHD_OPTION_HTTPS_PRIORITIES, SERVER_TLS_PRIORITIES,
	    MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads,
	    MHD_OPTION_CONNECTION_LIMIT, s->cfg.conn_limit,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->cfg.per_ip_limit,
	    /* inactivity only, reset by every byte: a backstop, connwatch bounds */
	    MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.timeout_s,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVER_CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, server_completed, s,
	    MHD_OPTION_NOTIFY_CONNECTION, server_notify_conn, s,
	    MHD_OPTION_END);
	if (s->d == NULL) {
		r = terr_set(e, TERR_IO, "не удалось запустить HTTPS-сервер на %s: адрес занят, "
		    "недоступен или сертификат/ключ не подходят", cfg->listen);
		goto fail;
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	*out = s;
	return 0;
 fail:
	server_free(s);
	return r;
}

uint16_t
server_port(const struct server *s)
{
	return s->port;
}

void
server_stop(struct server *s, unsigned max_wait_ms)
{
	MHD_socket fd;
	unsigned waited = 0;

	if (s == NULL)
		return;
	/* stop accepting first, then let the requests in flight finish; new
	 * requests on open connections are answered 503 from here on */
	atomic_store(&s->stopping, true);
	fd = MHD_quiesce_daemon(s->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	while (atomic_load(&s->inflight) > 0 && waited < max_wait_ms) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		waited += 20;
	}
	/* the sets still with a worker are answered (resumed) while the daemon runs */
	workers_stop(s->workers);
	s->workers = NULL;
	MHD_stop_daemon(s->d);
	server_free(s);
}
