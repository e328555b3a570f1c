/*
 * server — HTTPS endpoints of the hub (server.h, docs/hub-api.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>

#include <microhttpd.h>

#include "hub/hubdb.h"
#include "hub/server.h"
#include "hub/tokens.h"
#include "tetrad/hlc.h"
#include "tetrad/wire.h"

#define SERVER_POOL_MAX 64
#define SERVER_MIN_RATE 1024      /* body bytes/s a client must sustain */
#define SERVER_DRAIN_MAX (1u << 20) /* read and dropped past a cap, for a clean 413 */
#define SERVER_WATCH_MS 250
#define SERVER_CKPT_PAGES 1000    /* SQLite's own autocheckpoint threshold */

/*
 * libmicrohttpd's timeout counts inactivity only: a client trickling one
 * byte a second would hold a connection forever. Every connection therefore
 * has a deadline (headers within the timeout, a body at SERVER_MIN_RATE or
 * better); a watchdog shuts down the socket of one that misses it, and
 * libmicrohttpd then closes it as a failed connection.
 */
struct server_conn {
	int fd;
	uint64_t deadline_ms;
	bool killed;
	struct server_conn *prev, *next;
};

enum server_route {
	ROUTE_NONE = 0,
	ROUTE_HEALTH,
	ROUTE_ENROLL,
	ROUTE_CHANGESETS,
	ROUTE_FORMS,
	ROUTE_FORM,
};

struct server {
	struct server_cfg cfg;
	struct MHD_Daemon *d;
	uint16_t port;
	atomic_int inflight;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct hubdb *pool[SERVER_POOL_MAX];
	size_t pool_n;        /* handles opened */
	size_t pool_free;     /* handles in pool[0..pool_free) are idle */
	size_t pool_cap;
	/* connection deadlines, guarded by cmu */
	pthread_mutex_t cmu;
	pthread_cond_t ccv;
	struct server_conn *conns;
	size_t nconns;
	bool watch_stop;
	bool watch_started;
	pthread_t watch;
	/* WAL checkpoints, off the requests' path; guarded by kmu */
	pthread_mutex_t kmu;
	pthread_cond_t kcv;
	struct hubdb *ckpt_db;
	bool ckpt_due;
	bool ckpt_stop;
	bool ckpt_started;
	pthread_t ckpt;
};

static uint64_t
server_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
server_set_deadline(struct server *s, struct MHD_Connection *c, uint64_t extra_ms)
{
	const union MHD_ConnectionInfo *ci;
	struct server_conn *sc;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci == NULL || (sc = ci->socket_context) == NULL)
		return;
	pthread_mutex_lock(&s->cmu);
	sc->deadline_ms = server_mono_ms() + (uint64_t)s->cfg.timeout_s * 1000 + extra_ms;
	pthread_mutex_unlock(&s->cmu);
}

static void
server_notify_conn(void *cls, struct MHD_Connection *c, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct server *s = cls;
	struct server_conn *sc = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci;

		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci == NULL || (sc = calloc(1, sizeof(*sc))) == NULL)
			return;
		sc->fd = ci->connect_fd;
		pthread_mutex_lock(&s->cmu);
		sc->deadline_ms = server_mono_ms() + (uint64_t)s->cfg.timeout_s * 1000;
		sc->next = s->conns;
		if (s->conns != NULL)
			s->conns->prev = sc;
		s->conns = sc;
		s->nconns++;
		pthread_mutex_unlock(&s->cmu);
		*socket_context = sc;
		return;
	}
	if (sc == NULL)
		return;
	/* called before libmicrohttpd closes the descriptor: no reuse race */
	pthread_mutex_lock(&s->cmu);
	if (sc->prev != NULL)
		sc->prev->next = sc->next;
	else
		s->conns = sc->next;
	if (sc->next != NULL)
		sc->next->prev = sc->prev;
	s->nconns--;
	pthread_mutex_unlock(&s->cmu);
	free(sc);
	*socket_context = NULL;
}

static void *
server_watchdog(void *arg)
{
	struct server *s = arg;

	pthread_mutex_lock(&s->cmu);
	while (!s->watch_stop) {
		struct timespec ts;
		uint64_t now = server_mono_ms();

		for (struct server_conn *sc = s->conns; sc != NULL; sc = sc->next)
			if (!sc->killed && now > sc->deadline_ms) {
				sc->killed = true;
				shutdown(sc->fd, SHUT_RDWR);
			}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += SERVER_WATCH_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->ccv, &s->cmu, &ts);
	}
	pthread_mutex_unlock(&s->cmu);
	return NULL;
}

struct server_req {
	enum server_route route;
	struct tbuf *body;
	size_t cap;
	bool too_large;
	bool answered;
};

static void
server_log(struct server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
server_log(struct server *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (s->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->cfg.log(s->cfg.log_ctx, line);
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
	server_log(s, "microhttpd: %s", line);
}

/* Called by a committing request: wake the checkpointer once the WAL is big. */
static void
server_wal_grew(void *ctx, int wal_pages)
{
	struct server *s = ctx;

	if (wal_pages < SERVER_CKPT_PAGES)
		return;
	pthread_mutex_lock(&s->kmu);
	s->ckpt_due = true;
	pthread_cond_signal(&s->kcv);
	pthread_mutex_unlock(&s->kmu);
}

static void *
server_checkpointer(void *arg)
{
	struct server *s = arg;
	struct terr e;

	pthread_mutex_lock(&s->kmu);
	while (!s->ckpt_stop) {
		if (!s->ckpt_due) {
			pthread_cond_wait(&s->kcv, &s->kmu);
			continue;
		}
		s->ckpt_due = false;
		pthread_mutex_unlock(&s->kmu);
		terr_clear(&e);
		if (hubdb_checkpoint(s->ckpt_db, &e) != 0)
			server_log(s, "%s", e.msg);
		pthread_mutex_lock(&s->kmu);
	}
	pthread_mutex_unlock(&s->kmu);
	return NULL;
}

/* Borrows a store handle; opens a new one while under the cap. */
static struct hubdb *
server_db_get(struct server *s, struct terr *e)
{
	struct hubdb *db = NULL;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		if (s->pool_free > 0) {
			db = s->pool[--s->pool_free];
			break;
		}
		if (s->pool_n < s->pool_cap) {
			s->pool_n++;
			pthread_mutex_unlock(&s->mu);
			if (hubdb_open(s->cfg.db_path, &db, e) != 0) {
				pthread_mutex_lock(&s->mu);
				s->pool_n--;
				db = NULL;
				break;
			}
			hubdb_defer_checkpoints(db, server_wal_grew, s);
			return db;
		}
		pthread_cond_wait(&s->cv, &s->mu);
	}
	pthread_mutex_unlock(&s->mu);
	return db;
}

static void
server_db_put(struct server *s, struct hubdb *db)
{
	if (db == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->pool[s->pool_free++] = db;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static enum MHD_Result
server_send(struct MHD_Connection *c, int status, const char *ctype, const void *body,
    size_t len, int retry_after)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	char ra[16];

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (retry_after > 0) {
		snprintf(ra, sizeof(ra), "%d", retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
server_send_error(struct MHD_Connection *c, int status, const char *code,
    const char *msg, int retry_after)
{
	struct tbuf *b = tbuf_new(4096);
	enum MHD_Result ret = MHD_NO;

	if (b != NULL && ingest_json_error(b, code, msg) == 0)
		ret = server_send(c, status, "application/json", tbuf_ptr(b), tbuf_len(b),
		    retry_after);
	tbuf_free(b);
	return ret;
}

static enum MHD_Result
server_health(struct MHD_Connection *c)
{
	char now[HUBDB_TIME_MAX], body[256];

	hubdb_now_iso(now);
	snprintf(body, sizeof(body), "{\"status\":\"ok\",\"version\":\"%s\",\"time\":\"%s\"}\n",
	    SERVER_VERSION, now);
	return server_send(c, 200, "application/json", body, strlen(body), 0);
}

static int
server_forms_row(void *ctx, int n, const char *const *names, const char *const *vals)
{
	struct tbuf *b = ctx;
	const char *id = NULL, *ver = NULL, *sha = NULL;

	for (int i = 0; i < n; i++) {
		if (strcmp(names[i], "id") == 0)
			id = vals[i];
		else if (strcmp(names[i], "version") == 0)
			ver = vals[i];
		else if (strcmp(names[i], "sha256") == 0)
			sha = vals[i];
	}
	if (id == NULL || ver == NULL)
		return 0;
	if (tbuf_len(b) > 1 && tbuf_put_u8(b, ',') != 0)
		return 1;
	/* ids are checked at publish time (form ids are [a-z0-9_-]) */
	return tbuf_putf(b, "{\"id\":\"%s\",\"version\":%s,\"sha256\":\"%s\"}", id, ver,
	    sha ? sha : "") != 0;
}

static enum MHD_Result
server_forms(struct server *s, struct MHD_Connection *c, const char *url)
{
	struct terr e;
	struct hubdb *db;
	struct tbuf *b = NULL;
	enum MHD_Result ret;
	char id[CHANGESET_ID_MAX + 1], *end = NULL;
	const char *rest;
	unsigned long ver;
	bool found = false;
	int r;

	terr_clear(&e);
	if ((db = server_db_get(s, &e)) == NULL)
		return server_send_error(c, 503, "busy", e.msg, INGEST_RETRY_AFTER);
	if ((b = tbuf_new(SIGBLOB_MAX_PAYLOAD + 1024)) == NULL) {
		server_db_put(s, db);
		return MHD_NO;
	}
	if (strcmp(url, WIRE_PATH_FORMS) == 0 || strcmp(url, WIRE_PATH_FORMS_PREFIX) == 0) {
		tbuf_put_u8(b, '[');
		r = hubdb_list(db, HUBDB_LIST_FORMS, server_forms_row, b, &e);
		server_db_put(s, db);
		if (r != 0 || tbuf_put(b, "]\n", 2) != 0)
			ret = server_send_error(c, 503, "busy", e.msg, INGEST_RETRY_AFTER);
		else
			ret = server_send(c, 200, "application/json", tbuf_ptr(b), tbuf_len(b), 0);
		tbuf_free(b);
		return ret;
	}
	/* /v1/forms/<id>/<version> */
	rest = url + strlen(WIRE_PATH_FORMS_PREFIX);
	{
		const char *slash = strchr(rest, '/');
		size_t l = slash ? (size_t)(slash - rest) : 0;

		if (slash == NULL || l == 0 || l >= sizeof(id))
			goto notfound;
		memcpy(id, rest, l);
		id[l] = '\0';
		errno = 0;
		ver = strtoul(slash + 1, &end, 10);
		if (errno != 0 || end == slash + 1 || *end != '\0' || ver > UINT32_MAX)
			goto notfound;
	}
	r = hubdb_form_get(db, id, (uint32_t)ver, b, &found, &e);
	server_db_put(s, db);
	if (r != 0) {
		tbuf_free(b);
		return server_send_error(c, 503, "busy", e.msg, INGEST_RETRY_AFTER);
	}
	if (!found)
		goto notfound_free;
	ret = server_send(c, 200, "application/octet-stream", tbuf_ptr(b), tbuf_len(b), 0);
	tbuf_free(b);
	return ret;
 notfound:
	server_db_put(s, db);
 notfound_free:
	tbuf_free(b);
	return server_send_error(c, 404, "not_found", "такой формы на хабе нет", 0);
}

static enum MHD_Result
server_enroll(struct server *s, struct MHD_Connection *c, struct server_req *q)
{
	struct terr e;
	struct hubdb *db;
	struct tbuf *out = tbuf_new(16384);
	enum MHD_Result ret;
	int http = 500, r;

	terr_clear(&e);
	if (out == NULL)
		return MHD_NO;
	if ((db = server_db_get(s, &e)) == NULL) {
		tbuf_free(out);
		return server_send_error(c, 503, "busy", e.msg, INGEST_RETRY_AFTER);
	}
	r = tokens_enroll(db, s->cfg.ingest->enc, s->cfg.ingest->sign,
	    q->body ? (const char *)tbuf_ptr(q->body) : "", q->body ? tbuf_len(q->body) : 0,
	    &http, out, &e);
	server_db_put(s, db);
	if (r == TERR_FULL || r == TERR_BUSY) {
		server_log(s, "enroll 503: %s", e.msg);
		ret = server_send_error(c, 503, "busy", "хаб временно не может принять "
		    "регистрацию; повторите позже", INGEST_RETRY_AFTER);
	} else if (r != 0) {
		server_log(s, "enroll 500: %s", e.msg);
		ret = server_send_error(c, 500, "internal", "внутренняя ошибка хаба", 0);
	} else {
		server_log(s, "enroll %d", http);
		ret = server_send(c, http, "application/json", tbuf_ptr(out), tbuf_len(out), 0);
	}
	tbuf_free(out);
	return ret;
}

static enum MHD_Result
server_changeset(struct server *s, struct MHD_Connection *c, struct server_req *q)
{
	struct ingest_result res;
	struct terr e;
	struct hubdb *db;
	enum MHD_Result ret;
	uint64_t t0 = server_mono_ms();
	int r;

	terr_clear(&e);
	memset(&res, 0, sizeof(res));
	if (q->body == NULL || tbuf_len(q->body) == 0)
		return server_send_error(c, 400, "malformed", "пустое тело запроса: ожидался "
		    "набор изменений", 0);
	if ((res.body = tbuf_new(INGEST_BODY_MAX)) == NULL)
		return MHD_NO;
	if ((db = server_db_get(s, &e)) == NULL) {
		tbuf_free(res.body);
		server_log(s, "changeset 503: %s", e.msg);
		return server_send_error(c, 503, "busy", "хаб временно недоступен; повторите "
		    "позже", INGEST_RETRY_AFTER);
	}
	r = ingest_envelope(db, s->cfg.ingest, tbuf_ptr(q->body), tbuf_len(q->body),
	    hlc_wall_now(), &res, &e);
	server_db_put(s, db);
	if (r != 0) {
		server_log(s, "changeset device=%s %" PRIu64 "-%" PRIu64 " 500: %s", res.device,
		    res.first, res.last, e.msg);
		ret = server_send_error(c, 500, "internal", "внутренняя ошибка хаба", 0);
	} else {
		server_log(s, "changeset device=%s %" PRIu64 "-%" PRIu64 " %d %s%s applied=%u "
		    "conflicts=%u ms=%" PRIu64, res.device[0] ? res.device : "-", res.first,
		    res.last, res.http, res.status, res.replay ? " replay" : "", res.applied,
		    res.conflicts, server_mono_ms() - t0);
		ret = server_send(c, res.http, res.content_type, tbuf_ptr(res.body),
		    tbuf_len(res.body), res.retry_after);
	}
	tbuf_free(res.body);
	return ret;
}

static enum server_route
server_route_of(const char *url, const char *method, size_t *cap, bool *method_ok)
{
	*cap = 0;
	*method_ok = true;
	if (strcmp(url, WIRE_PATH_HEALTH) == 0) {
		*method_ok = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
		return ROUTE_HEALTH;
	}
	if (strcmp(url, WIRE_PATH_ENROLL) == 0) {
		*method_ok = strcmp(method, "POST") == 0;
		*cap = TOKENS_ENROLL_BODY_MAX;
		return ROUTE_ENROLL;
	}
	if (strcmp(url, WIRE_PATH_CHANGESETS) == 0) {
		*method_ok = strcmp(method, "POST") == 0;
		*cap = ENVELOPE_MAX_BYTES;
		return ROUTE_CHANGESETS;
	}
	if (strcmp(url, WIRE_PATH_FORMS) == 0 ||
	    strncmp(url, WIRE_PATH_FORMS_PREFIX, strlen(WIRE_PATH_FORMS_PREFIX)) == 0) {
		*method_ok = strcmp(method, "GET") == 0;
		return ROUTE_FORMS;
	}
	return ROUTE_NONE;
}

static enum MHD_Result
server_access(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct server *s = cls;
	struct server_req *q = *con_cls;
	char msg[256];

	(void)version;
	if (q == NULL) {
		const char *cl;
		bool method_ok;

		if ((q = calloc(1, sizeof(*q))) == NULL)
			return MHD_NO;
		*con_cls = q;
		atomic_fetch_add(&s->inflight, 1);
		q->route = server_route_of(url, method, &q->cap, &method_ok);
		if (q->route == ROUTE_NONE) {
			q->answered = true;
			return server_send_error(c, 404, "not_found", "нет такого адреса API", 0);
		}
		if (!method_ok) {
			q->answered = true;
			return server_send_error(c, 405, "method", "метод не поддерживается "
			    "для этого адреса", 0);
		}
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL) {
			char *end = NULL;
			unsigned long long n;
			bool unreadable;

			errno = 0;
			n = strtoull(cl, &end, 10);
			unreadable = errno != 0 || end == cl || *end != '\0';
			if (unreadable || n > q->cap) {
				q->too_large = true;
				server_log(s, "%s %s 413 declared %s bytes", method, url, cl);
			}
			/*
			 * Far too large: refused before one byte of the body is read,
			 * and the connection closed. A body at most SERVER_DRAIN_MAX
			 * over is read and dropped first: answering at once would
			 * close a connection still receiving, the kernel would reset
			 * it, and the client might never read the 413.
			 */
			if (q->too_large && (unreadable || n - q->cap > SERVER_DRAIN_MAX)) {
				q->answered = true;
				snprintf(msg, sizeof(msg), "тело запроса больше допустимых %zu байт",
				    q->cap);
				return server_send_error(c, 413, "too_large", msg, 0);
			}
			/* a body being dropped gets no more time than one at the cap */
			server_set_deadline(s, c, (q->too_large ? q->cap : n) * 1000 / SERVER_MIN_RATE);
		} else
			server_set_deadline(s, c, (uint64_t)q->cap * 1000 / SERVER_MIN_RATE);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!q->answered && !q->too_large) {
			if (q->body == NULL && (q->body = tbuf_new(q->cap)) == NULL)
				return MHD_NO;
			if (tbuf_put(q->body, upload_data, *upload_data_size) != 0)
				q->too_large = true;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (q->answered)
		return MHD_YES;
	q->answered = true;
	if (q->too_large) {
		snprintf(msg, sizeof(msg), "тело запроса больше допустимых %zu байт", q->cap);
		return server_send_error(c, 413, "too_large", msg, 0);
	}
	switch (q->route) {
	case ROUTE_HEALTH:
		return server_health(c);
	case ROUTE_ENROLL:
		return server_enroll(s, c, q);
	case ROUTE_CHANGESETS:
		return server_changeset(s, c, q);
	case ROUTE_FORMS:
	case ROUTE_FORM:
		return server_forms(s, c, url);
	case ROUTE_NONE:
		break;
	}
	return server_send_error(c, 404, "not_found", "нет такого адреса API", 0);
}

static void
server_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct server_req *q = *con_cls;

	(void)toe;
	if (q == NULL)
		return;
	/* keep-alive: the next request's headers get a fresh timeout */
	server_set_deadline(s, c, 0);
	tbuf_free(q->body);
	free(q);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

static int
server_parse_listen(const char *listen, struct sockaddr_storage *ss, struct terr *e)
{
	char host[256];
	const char *colon;
	char *end = NULL;
	unsigned long port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (listen[0] == '[') {
		const char *rb = strchr(listen, ']');

		if (rb == NULL || rb[1] != ':')
			goto bad;
		hl = (size_t)(rb - listen - 1);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, listen + 1, hl);
		colon = rb + 1;
	} else {
		if ((colon = strrchr(listen, ':')) == NULL)
			goto bad;
		hl = (size_t)(colon - listen);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, listen, hl);
	}
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port > 65535)
		goto bad;
	{
		struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
			a4->sin_family = AF_INET;
			a4->sin_port = htons((uint16_t)port);
			return 0;
		}
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
			a6->sin6_family = AF_INET6;
			a6->sin6_port = htons((uint16_t)port);
			return 0;
		}
	}
 bad:
	return terr_set(e, TERR_ARG, "адрес «%s» не понят: ожидается IP:ПОРТ, например "
	    "127.0.0.1:8443 или [::1]:8443", listen);
}

/* Tells a thread waiting on cv under mu to stop, and joins it. */
static void
server_join(pthread_t th, bool *started, bool *stop, pthread_mutex_t *mu,
    pthread_cond_t *cv)
{
	if (!*started)
		return;
	pthread_mutex_lock(mu);
	*stop = true;
	pthread_cond_signal(cv);
	pthread_mutex_unlock(mu);
	pthread_join(th, NULL);
	*started = false;
}

/* The end of server_stop and of a failed server_start: the checkpointer
 * (its closing handle checkpoints what is left), the locks, the struct. */
static void
server_free(struct server *s)
{
	server_join(s->ckpt, &s->ckpt_started, &s->ckpt_stop, &s->kmu, &s->kcv);
	hubdb_close(s->ckpt_db);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->cmu);
	pthread_cond_destroy(&s->ccv);
	pthread_mutex_destroy(&s->kmu);
	pthread_cond_destroy(&s->kcv);
	free(s);
}

int
server_start(const struct server_cfg *cfg, struct server **out, struct terr *e)
{
	struct server *s = NULL;
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	unsigned flags;
	int r;

	*out = NULL;
	if ((r = server_parse_listen(cfg->listen ? cfg->listen : SERVER_DEFAULT_LISTEN, &ss,
	    e)) != 0)
		return r;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	s->cfg = *cfg;
	if (s->cfg.threads == 0)
		s->cfg.threads = SERVER_DEFAULT_THREADS;
	if (s->cfg.threads > SERVER_POOL_MAX - 2)
		s->cfg.threads = SERVER_POOL_MAX - 2;
	if (s->cfg.conn_limit == 0)
		s->cfg.conn_limit = SERVER_DEFAULT_CONN_LIMIT;
	if (s->cfg.timeout_s == 0)
		s->cfg.timeout_s = SERVER_DEFAULT_TIMEOUT;
	s->pool_cap = s->cfg.threads + 1;
	atomic_init(&s->inflight, 0);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	pthread_mutex_init(&s->cmu, NULL);
	pthread_cond_init(&s->ccv, NULL);
	pthread_mutex_init(&s->kmu, NULL);
	pthread_cond_init(&s->kcv, NULL);
	if ((r = hubdb_open(s->cfg.db_path, &s->ckpt_db, e)) != 0)
		goto fail;
	if (pthread_create(&s->ckpt, NULL, server_checkpointer, s) != 0) {
		r = terr_set(e, TERR_INTERNAL, "не удалось запустить поток контрольных точек");
		goto fail;
	}
	s->ckpt_started = true;
	flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ITC | MHD_USE_ERROR_LOG;
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, server_access, s,
	    MHD_OPTION_EXTERNAL_LOGGER, server_mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_HTTPS_MEM_CERT, cfg->cert_pem,
	    MHD_OPTION_HTTPS_MEM_KEY, cfg->key_pem,
	    /* TLS 1.2 and 1.3 only: older versions have known weaknesses */
	    MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
	    MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads,
	    MHD_OPTION_CONNECTION_LIMIT, s->cfg.conn_limit,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->cfg.per_ip_limit,
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
	if (pthread_create(&s->watch, NULL, server_watchdog, s) != 0) {
		MHD_stop_daemon(s->d);
		r = terr_set(e, TERR_INTERNAL, "не удалось запустить поток контроля соединений");
		goto fail;
	}
	s->watch_started = true;
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
	/* stop accepting first, then let the requests in flight finish */
	fd = MHD_quiesce_daemon(s->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	while (atomic_load(&s->inflight) > 0 && waited < max_wait_ms) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		waited += 20;
	}
	MHD_stop_daemon(s->d);
	server_join(s->watch, &s->watch_started, &s->watch_stop, &s->cmu, &s->ccv);
	for (size_t i = 0; i < s->pool_free; i++)
		hubdb_close(s->pool[i]);
	server_free(s);
}
