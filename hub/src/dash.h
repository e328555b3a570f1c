/*
 * dash — the coordinator's dashboard: HTML pages on the hub's HTTPS
 * listener, beside the API (every path outside /v1/). docs/hub.md, "The
 * dashboard", says what a person sees; this is how a request goes:
 *
 *   server.c   reads the head and a body of at most DASH_BODY_MAX, then
 *              calls dash_request on its thread;
 *   dash.c     copies what the page needs of the request (path, query,
 *              cookie, Origin, Host, the body), suspends the connection
 *              and runs the page on a worker (a report at region scale
 *              reads for a second: not on a connection's thread); there it
 *              finds the session, checks CSRF and the role, and calls the
 *              route; dash_finish sends the page when the connection
 *              resumes, with the headers every page has (CSP, no caching,
 *              no framing).
 *
 * The routes are dash_routes.c's table; the pages are dash_*.c, each
 * owning a group (dash_private.h lists them).
 */
#ifndef TETRAD_HUB_DASH_H
#define TETRAD_HUB_DASH_H

#include <microhttpd.h>

#include "dbpool.h"
#include "hub/server.h"
#include "tetrad/keys.h"
#include "tetrad/tbuf.h"
#include "workers.h"

#define DASH_BODY_MAX (64u << 10)    /* a form's POST: logins, filters, decisions */
/* The one POST that carries a file: a form's definition (FORM_MAX_BYTES, 1 MiB)
 * as multipart/form-data, with room for its part headers and the other fields. */
#define DASH_UPLOAD_PATH "/admin/forms"
#define DASH_UPLOAD_MAX ((1u << 20) + (64u << 10))

struct dash;
struct dash_job;

struct hubforms;

struct dash_cfg {
	struct dbpool *pool;
	struct workers *workers;
	const char *forms_dir;           /* the surveys' labels; NULL: codes only */
	const char *cert_path;           /* the served certificate (its pin), may be NULL */
	const char *public_url;          /* how schools reach the hub, may be NULL */
	struct hubforms *forms;          /* which forms devices pull (review's edits) */
	const char *forms_published;     /* DIR/forms: where forms are published; NULL: no publishing */
	const struct keys_sign *sign;    /* the hub's signing key (forms' bundles); NULL as above */
	server_log_fn log;               /* may be NULL */
	void *log_ctx;
	unsigned silent_days;            /* the overview's default; 0: SERVER_DEFAULT_SILENT_DAYS */
};

int dash_new(const struct dash_cfg *cfg, struct dash **out, struct terr *e);
void dash_free(struct dash *d);

/* Whether url is the dashboard's (not under /v1/). */
bool dash_path(const char *url);
/* The largest body a POST to url may have (DASH_BODY_MAX, the upload's more). */
size_t dash_body_max(const char *url);
/* A body over that: a Russian page (413), the request's body never read. */
enum MHD_Result dash_too_large(struct MHD_Connection *c, size_t cap);

/*
 * A request whose body (NULL: none) is complete: the page runs on a worker
 * with c suspended (*out: the job, to free when the request ends). On
 * MHD_YES without *out the answer is already queued.
 */
enum MHD_Result dash_request(struct dash *d, struct MHD_Connection *c, const char *method,
    const char *url, const char *addr, const struct tbuf *body, struct dash_job **out);
/* The connection resumed: sends the page (once; nothing before it is ready). */
enum MHD_Result dash_finish(struct dash_job *j);
void dash_job_free(struct dash_job *j);

#endif
