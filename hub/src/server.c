/*
 * server — HTTPS endpoints of the hub (server.h, docs/hub-api.md): routes,
 * body caps, answers. Store handles come from dbpool.c, connection
 * deadlines are kept by connwatch.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "connwatch.h"
#include "dbpool.h"
#include "hub/hubdb.h"
#include "hub/server.h"
#include "hub/throttle.h"
#include "hub/tokens.h"
#include "tetrad/hlc.h"
#include "tetrad/wire.h"

#define SERVER_MIN_RATE 1024      /* body bytes/s a client must sustain */
#define SERVER_DRAIN_MAX (1u << 20) /* read and dropped past a cap, for a clean 413 */

enum server_route {
	ROUTE_NONE = 0,
	ROUTE_HEALTH,
	ROUTE_ENROLL,
	ROUTE_CHANGESETS,
	ROUTE_FORMS,            /* the list and one form: both under /v1/forms */
};

struct server {
	struct server_cfg cfg;
	struct MHD_Daemon *d;
	uint16_t port;
	atomic_int inflight;
	struct dbpool *pool;
	struct connwatch *watch;
	struct throttle *enroll_throttle;   /* failed enrollments per address */
};

static void
server_set_deadline(struct server *s, struct MHD_Connection *c, uint64_t extra_ms)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL)
		connwatch_extend(s->watch, ci->socket_context, extra_ms);
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
	/* called before libmicrohttpd closes the descriptor: no reuse race */
	connwatch_remove(s->watch, *socket_context);
	*socket_context = NULL;
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
	if ((db = dbpool_get(s->pool, &e)) == NULL)
		return server_send_error(c, 503, "busy", e.msg, INGEST_RETRY_AFTER);
	if ((b = tbuf_new(SIGBLOB_MAX_PAYLOAD + 1024)) == NULL) {
		dbpool_put(s->pool, db);
		return MHD_NO;
	}
	if (strcmp(url, WIRE_PATH_FORMS) == 0 || strcmp(url, WIRE_PATH_FORMS_PREFIX) == 0) {
		tbuf_put_u8(b, '[');
		r = hubdb_list(db, HUBDB_LIST_FORMS, server_forms_row, b, &e);
		dbpool_put(s->pool, db);
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
	dbpool_put(s->pool, db);
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
	dbpool_put(s->pool, db);
 notfound_free:
	tbuf_free(b);
	return server_send_error(c, 404, "not_found", "такой формы на хабе нет", 0);
}

/*
 * POST /v1/enroll. An address (or the whole network) past its share of
 * failed attempts (throttle.h) is answered 429 + Retry-After before the
 * store is touched; every answer but 200 and 503 counts as a failure. The
 * log names the client's address and the error code, never the token.
 */
static enum MHD_Result
server_enroll(struct server *s, struct MHD_Connection *c, struct server_req *q)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	struct wire_error we;
	struct timespec ts;
	struct terr e;
	struct hubdb *db;
	struct tbuf *out;
	enum MHD_Result ret;
	char addr[INET6_ADDRSTRLEN + 1], msg[256];
	int64_t now_ms;
	unsigned wait;
	int http = 500, r;

	terr_clear(&e);
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	sa = ci != NULL ? ci->client_addr : NULL;
	throttle_addr_text(sa, addr, sizeof(addr));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if ((wait = throttle_check(s->enroll_throttle, sa, now_ms)) > 0) {
		server_log(s, "enroll 429 too_many from %s (retry after %u s)", addr, wait);
		snprintf(msg, sizeof(msg), "слишком много неудачных попыток регистрации с этого "
		    "адреса; повторите через %u с", wait);
		return server_send_error(c, 429, "too_many", msg, (int)wait);
	}
	if ((out = tbuf_new(16384)) == NULL)
		return MHD_NO;
	if ((db = dbpool_get(s->pool, &e)) == NULL) {
		tbuf_free(out);
		return server_send_error(c, 503, "busy", e.msg, INGEST_RETRY_AFTER);
	}
	r = tokens_enroll(db, s->cfg.ingest->enc, s->cfg.ingest->sign,
	    q->body ? (const char *)tbuf_ptr(q->body) : "", q->body ? tbuf_len(q->body) : 0,
	    &http, out, &e);
	dbpool_put(s->pool, db);
	if (r == TERR_FULL || r == TERR_BUSY) {
		server_log(s, "enroll 503 from %s: %s", addr, e.msg);
		ret = server_send_error(c, 503, "busy", "хаб временно не может принять "
		    "регистрацию; повторите позже", INGEST_RETRY_AFTER);
	} else if (r != 0) {
		server_log(s, "enroll 500 from %s: %s", addr, e.msg);
		ret = server_send_error(c, 500, "internal", "внутренняя ошибка хаба", 0);
	} else {
		if (http != 200) {
			throttle_fail(s->enroll_throttle, sa, now_ms);
			if (wire_error_parse(tbuf_ptr(out), tbuf_len(out), &we, NULL) != 0)
				snprintf(we.error, sizeof(we.error), "?");
			server_log(s, "enroll %d %s from %s", http, we.error, addr);
		} else
			server_log(s, "enroll 200 from %s", addr);
		ret = server_send(c, http, "application/json", tbuf_ptr(out), tbuf_len(out), 0);
	}
	tbuf_free(out);
	return ret;
}

/* The HTTP status an ingest outcome is answered with (docs/hub-api.md). */
static int
server_ingest_status(enum ingest_outcome o)
{
	switch (o) {
	case INGEST_APPLIED:
		return 200;
	case INGEST_REFUSED:
		return 422;
	case INGEST_UNKNOWN_DEVICE:
	case INGEST_REVOKED:
		return 403;
	case INGEST_GAP:
	case INGEST_FORK:
		return 409;
	case INGEST_BUSY:
		return 503;
	case INGEST_TOO_LARGE:
		return 413;
	case INGEST_MALFORMED:
	case INGEST_HUB_KEY:
	case INGEST_SIGNATURE:
		return 400;
	}
	return 500;
}

static enum MHD_Result
server_changeset(struct server *s, struct MHD_Connection *c, struct server_req *q)
{
	struct ingest_result res;
	struct terr e;
	struct hubdb *db;
	enum MHD_Result ret;
	uint64_t t0 = connwatch_now_ms();
	int r;

	terr_clear(&e);
	memset(&res, 0, sizeof(res));
	if (q->body == NULL || tbuf_len(q->body) == 0)
		return server_send_error(c, 400, "malformed", "пустое тело запроса: ожидался "
		    "набор изменений", 0);
	if ((res.body = tbuf_new(INGEST_BODY_MAX)) == NULL)
		return MHD_NO;
	if ((db = dbpool_get(s->pool, &e)) == NULL) {
		tbuf_free(res.body);
		server_log(s, "changeset 503: %s", e.msg);
		return server_send_error(c, 503, "busy", "хаб временно недоступен; повторите "
		    "позже", INGEST_RETRY_AFTER);
	}
	r = ingest_envelope(db, s->cfg.ingest, tbuf_ptr(q->body), tbuf_len(q->body),
	    hlc_wall_now(), &res, &e);
	dbpool_put(s->pool, db);
	if (r != 0) {
		server_log(s, "changeset device=%s %" PRIu64 "-%" PRIu64 " 500: %s", res.device,
		    res.first, res.last, e.msg);
		ret = server_send_error(c, 500, "internal", "внутренняя ошибка хаба", 0);
	} else {
		int http = server_ingest_status(res.outcome);
		int retry_after = res.outcome == INGEST_BUSY ? INGEST_RETRY_AFTER : 0;

		server_log(s, "changeset device=%s %" PRIu64 "-%" PRIu64 " %d %s%s applied=%u "
		    "conflicts=%u ms=%" PRIu64, res.device[0] ? res.device : "-", res.first,
		    res.last, http, res.status, res.replay ? " replay" : "", res.applied,
		    res.conflicts, connwatch_now_ms() - t0);
		if (ingest_outcome_signed(res.outcome))
			ret = server_send(c, http, "application/octet-stream", tbuf_ptr(res.body),
			    tbuf_len(res.body), retry_after);
		else
			ret = server_send_error(c, http, res.status, res.reason, retry_after);
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

/* The end of server_stop and of a failed server_start. */
static void
server_free(struct server *s)
{
	connwatch_stop(s->watch);
	dbpool_close(s->pool);
	throttle_free(s->enroll_throttle);
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
	if (s->cfg.threads > DBPOOL_MAX - 2)
		s->cfg.threads = DBPOOL_MAX - 2;
	if (s->cfg.conn_limit == 0)
		s->cfg.conn_limit = SERVER_DEFAULT_CONN_LIMIT;
	if (s->cfg.timeout_s == 0)
		s->cfg.timeout_s = SERVER_DEFAULT_TIMEOUT;
	atomic_init(&s->inflight, 0);
	if ((r = throttle_new(&(struct throttle_cfg){ THROTTLE_ENROLL_BURST,
	    THROTTLE_ENROLL_REFILL_MS, THROTTLE_ENROLL_GLOBAL_BURST,
	    THROTTLE_ENROLL_GLOBAL_REFILL_MS, THROTTLE_ENROLL_SLOTS }, &s->enroll_throttle,
	    e)) != 0 ||
	    (r = dbpool_open(s->cfg.db_path, s->cfg.threads + 1, s->cfg.log, s->cfg.log_ctx,
	    &s->pool, e)) != 0 ||
	    (r = connwatch_start(s->cfg.timeout_s, &s->watch, e)) != 0)
		goto fail;
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
	server_free(s);
}
