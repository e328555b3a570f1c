/*
 * reply — the hub's HTTP answers (docs/hub-api.md): JSON errors, signed
 * acknowledgements, health and the form catalogue. Every answer starts the
 * connection's answer phase (connwatch.h): the client gets its time to read
 * it at the minimum rate, no more.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/connwatch.h"
#include "hub/server.h"
#include "reply.h"
#include "tetrad/wire.h"

void
reply_vlogf(server_log_fn log, void *ctx, enum server_log_level lvl, const char *fmt,
    va_list ap)
{
	char line[1024];

	if (log == NULL)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	log(ctx, lvl, line);
}

void
reply_logf(server_log_fn log, void *ctx, enum server_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	reply_vlogf(log, ctx, lvl, fmt, ap);
	va_end(ap);
}

enum MHD_Result
reply_send(struct MHD_Connection *c, int status, const char *ctype, const void *body,
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
	/* the client has its time to read the answer, at the minimum rate */
	{
		const union MHD_ConnectionInfo *ci;

		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
		if (ci != NULL)
			connwatch_answer(ci->socket_context, len);
	}
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
reply_error(struct MHD_Connection *c, int status, const char *code,
    const char *msg, int retry_after)
{
	struct tbuf *b = tbuf_new(4096);
	enum MHD_Result ret = MHD_NO;

	if (b != NULL && ingest_json_error(b, code, msg) == 0)
		ret = reply_send(c, status, "application/json", tbuf_ptr(b), tbuf_len(b),
		    retry_after);
	tbuf_free(b);
	return ret;
}

enum MHD_Result
reply_health(struct MHD_Connection *c)
{
	char now[HUBDB_TIME_MAX], body[256];

	hubdb_now_iso(now);
	snprintf(body, sizeof(body), "{\"status\":\"ok\",\"version\":\"%s\",\"time\":\"%s\"}\n",
	    SERVER_VERSION, now);
	return reply_send(c, 200, "application/json", body, strlen(body), 0);
}

static int
reply_forms_row(void *ctx, size_t n, const struct hubdb_col *cols)
{
	struct tbuf *b = ctx;
	const struct hubdb_col *id = hubdb_col_find(n, cols, "id");
	const struct hubdb_col *ver = hubdb_col_find(n, cols, "version");
	const struct hubdb_col *sha = hubdb_col_find(n, cols, "sha256");

	if (id == NULL || id->type != HUBDB_COL_TEXT || ver == NULL || ver->type != HUBDB_COL_INT)
		return 0;
	if (tbuf_len(b) > 1 && tbuf_put_u8(b, ',') != 0)
		return 1;
	/* ids are checked at publish time (form ids are [a-z0-9_-]) */
	return tbuf_putf(b, "{\"id\":\"%s\",\"version\":%lld,\"sha256\":\"%s\"}", id->s, ver->i,
	    sha != NULL && sha->type == HUBDB_COL_TEXT ? sha->s : "") != 0;
}

enum MHD_Result
reply_forms(struct dbpool *pool, struct MHD_Connection *c, const char *url,
    struct admit *a, const char *addr, struct admit_ticket **t)
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
	if ((db = dbpool_get(pool, &e)) == NULL)
		return reply_error(c, 503, "busy", e.msg, INGEST_RETRY_AFTER);
	if ((b = tbuf_new(SIGBLOB_MAX_PAYLOAD + 1024)) == NULL) {
		dbpool_put(pool, db);
		return MHD_NO;
	}
	if (strcmp(url, WIRE_PATH_FORMS) == 0 || strcmp(url, WIRE_PATH_FORMS_PREFIX) == 0) {
		tbuf_put_u8(b, '[');
		r = hubdb_list(db, HUBDB_LIST_FORMS, reply_forms_row, b, &e);
		dbpool_put(pool, db);
		if (r != 0 || tbuf_put(b, "]\n", 2) != 0)
			/* a row that did not fit the buffer stops the listing without a message */
			ret = reply_error(c, 503, "busy", e.msg[0] ? e.msg : "хаб занят; повторите "
			    "позже", INGEST_RETRY_AFTER);
		else
			ret = reply_send(c, 200, "application/json", tbuf_ptr(b), tbuf_len(b), 0);
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
	dbpool_put(pool, db);
	if (r != 0) {
		tbuf_free(b);
		return reply_error(c, 503, "busy", e.msg, INGEST_RETRY_AFTER);
	}
	if (!found)
		goto notfound_free;
	/*
	 * Anyone may fetch a bundle (up to SIGBLOB_MAX_PAYLOAD) and read it at
	 * the minimum rate: its copy is held until then, so it counts against
	 * the same budgets as bodies of strangers (admit.h).
	 */
	if (admit_take(a, addr, NULL, tbuf_len(b), t) != ADMIT_OK) {
		tbuf_free(b);
		return reply_error(c, 503, "busy", "хаб отдаёт слишком много форм сразу; "
		    "повторите позже", INGEST_RETRY_AFTER);
	}
	ret = reply_send(c, 200, "application/octet-stream", tbuf_ptr(b), tbuf_len(b), 0);
	tbuf_free(b);
	return ret;
 notfound:
	dbpool_put(pool, db);
 notfound_free:
	tbuf_free(b);
	return reply_error(c, 404, "not_found", "такой формы на хабе нет", 0);
}

static int
reply_known_one(const char *id, uint32_t version, void *arg)
{
	struct tbuf *b = arg;

	if (tbuf_len(b) > 1 && tbuf_put_u8(b, ',') != 0)
		return 1;
	/* ids are checked when a form loads (form ids are [a-z0-9_-]) */
	return tbuf_putf(b, "{\"id\":\"%s\",\"version\":%" PRIu32 "}", id, version) != 0;
}

enum MHD_Result
reply_forms_known(struct dbpool *pool, struct hubforms *forms, struct MHD_Connection *c)
{
	struct terr e;
	struct hubdb *db;
	struct tbuf *b;
	enum MHD_Result ret;
	int r;

	terr_clear(&e);
	if ((b = tbuf_new(SIGBLOB_MAX_PAYLOAD)) == NULL)
		return MHD_NO;
	if ((db = dbpool_get(pool, &e)) == NULL) {
		tbuf_free(b);
		return reply_error(c, 503, "busy", e.msg, INGEST_RETRY_AFTER);
	}
	/* published versions not yet loaded are in the store: load those that
	 * load (hubforms_sync), then list the catalogue — exactly what
	 * hubforms_check_op can check, each version once */
	r = hubforms_sync(forms, db, &e);
	dbpool_put(pool, db);
	if (r == 0)
		r = tbuf_put_u8(b, '[') != 0 || hubforms_each(forms, reply_known_one, b) != 0;
	if (r != 0 || tbuf_put(b, "]\n", 2) != 0)
		ret = reply_error(c, 503, "busy", e.msg[0] ? e.msg : "хаб занят; повторите позже",
		    INGEST_RETRY_AFTER);
	else
		ret = reply_send(c, 200, "application/json", tbuf_ptr(b), tbuf_len(b), 0);
	tbuf_free(b);
	return ret;
}

enum MHD_Result
reply_device(struct dbpool *pool, struct MHD_Connection *c, const char *url)
{
	static const char active[] = "{\"status\":\"active\"}\n";
	const char *id = url + strlen(WIRE_PATH_DEVICES_PREFIX);
	const char *sig = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "sig");
	struct hubdb_device d;
	struct hubdb *db;
	struct terr e;
	char msg[256];
	bool found = false;
	int r;

	terr_clear(&e);
	if (strlen(id) != KEYS_ID_HEXLEN || strspn(id, "0123456789abcdef") != KEYS_ID_HEXLEN)
		return reply_error(c, 404, "unknown_device", "такого устройства на хабе нет", 0);
	if ((db = dbpool_get(pool, &e)) == NULL)
		return reply_error(c, 503, "busy", e.msg, INGEST_RETRY_AFTER);
	r = hubdb_device_get(db, id, &d, &found, &e);
	dbpool_put(pool, db);
	if (r != 0)
		return reply_error(c, 503, "busy", "хаб занят; повторите позже", INGEST_RETRY_AFTER);
	if (!found || !wire_device_state_sig_ok(id, sig, d.pk))
		return reply_error(c, 404, "unknown_device", "устройство не зарегистрировано на "
		    "этом хабе; зарегистрируйте его кодом от координатора", 0);
	if (d.revoked) {
		snprintf(msg, sizeof(msg), "устройство %s отозвано на хабе %s: его записи хаб "
		    "больше не принимает; обратитесь к координатору", id, d.revoked_at);
		return reply_error(c, 403, "revoked", msg, 0);
	}
	return reply_send(c, 200, "application/json", active, strlen(active), 0);
}

/* The HTTP status an ingest outcome is answered with (docs/hub-api.md). */
int
reply_status(enum ingest_outcome o)
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

/* Sends res (from ingest_envelope or ingest_admit) with its status. */
enum MHD_Result
reply_result(struct MHD_Connection *c, const struct ingest_result *res, int http)
{
	int retry_after = res->outcome == INGEST_BUSY ? INGEST_RETRY_AFTER : 0;

	if (ingest_outcome_signed(res->outcome))
		return reply_send(c, http, "application/octet-stream", tbuf_ptr(res->body),
		    tbuf_len(res->body), retry_after);
	return reply_error(c, http, res->status, res->reason, retry_after);
}

/* What a pull's answer may hold in memory: the plaintext and the sealed answer. */
#define REPLY_PULL_RESERVE ((size_t)PULLMSG_BUILD_PLAIN_DEFAULT + PULLMSG_MAX_BYTES)

enum { PULL_RUNNING = 0, PULL_DONE, PULL_REPLIED };

struct reply_pull {
	struct workers_job job;
	struct dbpool *pool;
	struct hubpull_cfg cfg;
	struct MHD_Connection *c;
	bool ack;
	uint8_t body[PULLMSG_REQ_BYTES];
	size_t len;
	char addr[ADMIT_ADDR_MAX];
	server_log_fn log;
	void *log_ctx;
	atomic_int state;
	int rc;                           /* hubpull's code; 1: no store handle */
	struct terr e;
	struct hubpull_result res;
	struct tbuf *out;
};

/* On a worker: the store's part and the sealing. Resuming is the last touch. */
static void
reply_pull_job(void *arg)
{
	struct reply_pull *j = arg;
	struct MHD_Connection *c = j->c;
	struct hubdb *db;

	terr_clear(&j->e);
	memset(&j->res, 0, sizeof(j->res));
	if ((db = dbpool_get(j->pool, &j->e)) == NULL)
		j->rc = 1;
	else {
		j->rc = j->ack ? hubpull_ack(db, &j->cfg, j->body, j->len, hlc_wall_now(), &j->res,
		    &j->e) : hubpull_request(db, &j->cfg, j->body, j->len, hlc_wall_now(), j->out,
		    &j->res, &j->e);
		dbpool_put(j->pool, db);
	}
	atomic_store(&j->state, PULL_DONE);
	MHD_resume_connection(c);
}

void
reply_pull_free(struct reply_pull *j)
{
	if (j == NULL)
		return;
	tbuf_free(j->out);
	free(j);
}

enum MHD_Result
reply_pull(struct workers *w, struct dbpool *pool, const struct hubpull_cfg *cfg,
    struct MHD_Connection *c, bool ack, const struct tbuf *body, struct admit *a,
    const char *addr, struct admit_ticket **t, server_log_fn log, void *log_ctx,
    struct reply_pull **out)
{
	struct pullmsg_request rq;
	struct reply_pull *j;
	struct terr pe;
	char line[256], dev[KEYS_ID_HEXLEN + 1] = "";

	*out = NULL;
	terr_clear(&pe);
	if (!ack && body != NULL && pullmsg_request_parse(tbuf_ptr(body), tbuf_len(body), &rq,
	    &pe) == 0) {
		/*
		 * The answer's memory, before anything is read: one pull per device
		 * at a time, beside its change set (a device's pull is "P" and 15 of
		 * its 16 hex digits, never a device id of the same budget).
		 */
		for (size_t i = 0; i < KEYS_ID_BYTES; i++)
			snprintf(dev + 2 * i, 3, "%02x", rq.device_id[i]);
		dev[0] = 'P';
		admit_release(a, *t);
		*t = NULL;
		if (admit_take(a, addr, dev, REPLY_PULL_RESERVE, t) != ADMIT_OK) {
			snprintf(line, sizeof(line), "pull addr=%s device=%s 503 budget", addr, dev);
			if (log != NULL)
				log(log_ctx, SERVER_LOG_WARNING, line);
			return reply_error(c, 503, "busy", "хаб отдаёт слишком много изменений "
			    "сразу; повторите позже", INGEST_RETRY_AFTER);
		}
	}
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (!ack && (j->out = tbuf_new(PULLMSG_MAX_BYTES)) == NULL)) {
		free(j);
		return MHD_NO;
	}
	j->pool = pool;
	j->cfg = *cfg;
	j->c = c;
	j->ack = ack;
	/* the route's cap is the message's size: a longer body never gets here */
	if (body != NULL && tbuf_len(body) <= sizeof(j->body)) {
		j->len = tbuf_len(body);
		memcpy(j->body, tbuf_ptr(body), j->len);
	}
	snprintf(j->addr, sizeof(j->addr), "%s", addr);
	j->log = log;
	j->log_ctx = log_ctx;
	j->job.run = reply_pull_job;
	j->job.arg = j;
	*out = j;
	/* building an answer reads and seals megabytes: not on a connection thread */
	MHD_suspend_connection(c);
	workers_submit(w, &j->job);
	return MHD_YES;
}

enum MHD_Result
reply_pull_finish(struct reply_pull *j)
{
	struct MHD_Connection *c = j->c;
	struct hubpull_result *res = &j->res;
	const char *what = j->ack ? "pull-ack" : "pull";
	enum MHD_Result ret;
	enum server_log_level lvl = SERVER_LOG_INFO;
	char line[1024];
	int expect = PULL_DONE;

	if (!atomic_compare_exchange_strong(&j->state, &expect, PULL_REPLIED))
		return MHD_YES;
	if (j->rc == 1 || j->rc == TERR_BUSY || j->rc == TERR_FULL) {
		snprintf(line, sizeof(line), "%s addr=%s device=%s 503: %s", what, j->addr,
		    res->device[0] ? res->device : "?", j->e.msg);
		lvl = SERVER_LOG_WARNING;
		ret = reply_error(c, 503, "busy", "хаб временно не может ответить; повторите "
		    "позже", INGEST_RETRY_AFTER);
	} else if (j->rc != 0) {
		snprintf(line, sizeof(line), "%s addr=%s device=%s 500: %s", what, j->addr,
		    res->device[0] ? res->device : "?", j->e.msg);
		lvl = SERVER_LOG_ERR;
		ret = reply_error(c, 500, "internal", "внутренняя ошибка хаба", 0);
	} else if (res->http != 200) {
		snprintf(line, sizeof(line), "%s addr=%s device=%s %d %s", what, j->addr,
		    res->device[0] ? res->device : "?", res->http, res->error);
		lvl = SERVER_LOG_WARNING;
		ret = reply_error(c, res->http, res->error, res->message, 0);
	} else if (j->ack) {
		char json[96];

		snprintf(line, sizeof(line), "%s addr=%s device=%s 200 upto=%" PRIu64, what,
		    j->addr, res->device, res->batch.upto);
		snprintf(json, sizeof(json), "{\"status\":\"ok\",\"acked\":%" PRIu64 "}\n",
		    res->batch.upto);
		ret = reply_send(c, 200, "application/json", json, strlen(json), 0);
	} else {
		snprintf(line, sizeof(line), "%s addr=%s device=%s 200 after=%" PRIu64
		    " upto=%" PRIu64 " records=%zu profiles=%zu schools=%zu skipped=%zu more=%d "
		    "bytes=%zu%s", what, j->addr, res->device, res->batch.after, res->batch.upto,
		    res->batch.records, res->batch.profiles, res->batch.schools, res->batch.skipped,
		    res->batch.more, tbuf_len(j->out),
		    res->box_registered ? " box_key=registered" : "");
		ret = reply_send(c, 200, "application/octet-stream", tbuf_ptr(j->out),
		    tbuf_len(j->out), 0);
	}
	if (j->log != NULL)
		j->log(j->log_ctx, lvl, line);
	return ret;
}
