/*
 * reply — answers of the hub's HTTPS server (reply.c). Each queues one
 * response on c and returns what MHD_queue_response did.
 */
#ifndef TETRAD_HUB_REPLY_H
#define TETRAD_HUB_REPLY_H

#include <stdarg.h>
#include <stddef.h>

#include <microhttpd.h>

#include "dbpool.h"
#include "hub/admit.h"
#include "hub/hubforms.h"
#include "hub/hubpull.h"
#include "hub/ingest.h"
#include "hub/server.h"
#include "workers.h"

/* One line of the server's log, formatted (at most 1 KiB); nothing when log
 * is NULL. */
void reply_vlogf(server_log_fn log, void *ctx, enum server_log_level lvl,
    const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
void reply_logf(server_log_fn log, void *ctx, enum server_log_level lvl,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* body (len bytes) as ctype; Retry-After when retry_after > 0. */
enum MHD_Result reply_send(struct MHD_Connection *c, int status, const char *ctype,
    const void *body, size_t len, int retry_after);

/* {"error":code,"message":msg}. */
enum MHD_Result reply_error(struct MHD_Connection *c, int status, const char *code,
    const char *msg, int retry_after);

/* What ingest decided (res), with the status http: the signed ack or an error. */
enum MHD_Result reply_result(struct MHD_Connection *c, const struct ingest_result *res,
    int http);

/* The HTTP status an ingest outcome is answered with. */
int reply_status(enum ingest_outcome o);

/* GET /v1/health. */
enum MHD_Result reply_health(struct MHD_Connection *c);

/*
 * GET /v1/forms and /v1/forms/<id>/<version>, from a store handle of pool.
 * A bundle's copy is reserved from a for addr (*t, released by the caller
 * when the request ends); 503 when the budget is spent.
 */
enum MHD_Result reply_forms(struct dbpool *pool, struct MHD_Connection *c, const char *url,
    struct admit *a, const char *addr, struct admit_ticket **t);

/*
 * GET /v1/forms/known: every form version the hub judges records by (the
 * catalogue forms, built-in and loaded, and those published in the store),
 * [{"id":…,"version":…},…]. A device asks it before sending again sets
 * refused for forms the hub did not know (wire.h WIRE_RETRY_FORMS).
 */
enum MHD_Result reply_forms_known(struct dbpool *pool, struct hubforms *forms,
    struct MHD_Connection *c);

/*
 * GET /v1/devices/<id>?sig=…: the device's own state (wire.h, device
 * state) — 200 active, 403 "revoked" naming the date, 404 unknown_device
 * (also for a signature that does not hold: nothing is told to others).
 */
enum MHD_Result reply_device(struct dbpool *pool, struct MHD_Connection *c, const char *url);

/*
 * POST /v1/pull (ack false) and /v1/pull/ack (hubpull.h) with body (NULL:
 * empty). A request's answer is reserved from a for addr and the device it
 * names (*t: the body's reservation is given back and replaced; released by
 * the caller when the request ends), 503 when the budget is spent. The
 * work (store, sealing) runs on w with the connection suspended: *out is
 * the job; when the connection resumes, reply_pull_finish sends the answer
 * (once; before the job is done it does nothing) and logs one line to log
 * (may be NULL): info for an answer sent, warning for a refusal or a busy
 * hub, err for the hub's own failure. reply_pull_free when the request ends (accepts NULL).
 */
struct reply_pull;
enum MHD_Result reply_pull(struct workers *w, struct dbpool *pool,
    const struct hubpull_cfg *cfg, struct MHD_Connection *c, bool ack,
    const struct tbuf *body, struct admit *a, const char *addr, struct admit_ticket **t,
    server_log_fn log, void *log_ctx, struct reply_pull **out);
enum MHD_Result reply_pull_finish(struct reply_pull *j);
void reply_pull_free(struct reply_pull *j);

#endif
