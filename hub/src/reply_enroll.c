/*
 * reply_enroll — POST /v1/enroll (reply_enroll.h).
 */
#include <stdint.h>
#include <stdio.h>

#include "hub/connwatch.h"
#include "hub/ingest.h"
#include "hub/tokens.h"
#include "reply.h"
#include "reply_enroll.h"
#include "tetrad/wire.h"

enum MHD_Result
reply_enroll(const struct reply_enroll_cfg *cfg, struct MHD_Connection *c,
    const char *addr, const struct tbuf *body)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	struct wire_error we;
	struct terr e;
	struct hubdb *db;
	struct tbuf *out;
	enum MHD_Result ret;
	char msg[256];
	int64_t now_ms = (int64_t)connwatch_now_ms();
	unsigned wait;
	int http = 500, r;

	terr_clear(&e);
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	sa = ci != NULL ? ci->client_addr : NULL;
	if ((wait = throttle_check(cfg->throttle, sa, now_ms)) > 0) {
		reply_logf(cfg->log, cfg->log_ctx, SERVER_LOG_WARNING,
		    "enroll 429 too_many from %s (retry after %u s)", addr, wait);
		snprintf(msg, sizeof(msg), "слишком много неудачных попыток регистрации с этого "
		    "адреса; повторите через %u с", wait);
		return reply_error(c, 429, "too_many", msg, (int)wait);
	}
	if ((out = tbuf_new(16384)) == NULL)
		return MHD_NO;
	if ((db = dbpool_get(cfg->pool, &e)) == NULL) {
		tbuf_free(out);
		return reply_error(c, 503, "busy", e.msg, INGEST_RETRY_AFTER);
	}
	r = tokens_enroll(db, cfg->enc, cfg->sign, body ? (const char *)tbuf_ptr(body) : "",
	    body ? tbuf_len(body) : 0, &http, out, &e);
	dbpool_put(cfg->pool, db);
	if (r == TERR_FULL || r == TERR_BUSY) {
		reply_logf(cfg->log, cfg->log_ctx, SERVER_LOG_WARNING, "enroll 503 from %s: %s",
		    addr, e.msg);
		ret = reply_error(c, 503, "busy", "хаб временно не может принять "
		    "регистрацию; повторите позже", INGEST_RETRY_AFTER);
	} else if (r != 0) {
		reply_logf(cfg->log, cfg->log_ctx, SERVER_LOG_ERR, "enroll 500 from %s: %s", addr, e.msg);
		ret = reply_error(c, 500, "internal", "внутренняя ошибка хаба", 0);
	} else {
		if (http != 200) {
			throttle_fail(cfg->throttle, sa, now_ms);
			if (wire_error_parse(tbuf_ptr(out), tbuf_len(out), &we, NULL) != 0)
				snprintf(we.error, sizeof(we.error), "?");
			reply_logf(cfg->log, cfg->log_ctx, SERVER_LOG_WARNING, "enroll %d %s from %s",
			    http, we.error, addr);
		} else
			reply_logf(cfg->log, cfg->log_ctx, SERVER_LOG_NOTICE, "enroll 200 from %s", addr);
		ret = reply_send(c, http, "application/json", tbuf_ptr(out), tbuf_len(out), 0);
	}
	tbuf_free(out);
	return ret;
}
