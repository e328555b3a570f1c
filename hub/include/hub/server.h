/*
 * server — the hub's HTTPS API (docs/hub-api.md) on libmicrohttpd + GnuTLS.
 *
 * A pool of worker threads polls with epoll. What a client that has not
 * proved who it is can cost the hub is bounded by design
 * (docs/security.md, "Denial of service"):
 *  - time: connwatch.h — headers within the timeout, a body at a minimum
 *    average rate, every request within an absolute ceiling;
 *  - connections: a global and a per-address limit;
 *  - memory: request headers within SERVER_CONN_MEMORY per connection; a
 *    change set's first ENVELOPE_HEADER_BYTES go into a fixed array and are
 *    checked (ingest_admit: known device, right hub key, declared length
 *    within the cap and equal to Content-Length) before one buffer of
 *    exactly the declared length is reserved, against a global budget and a
 *    per-address share, one body per device at a time (admit.h). A body
 *    refused from its header is read and dropped, never kept.
 * Each worker borrows a store handle from a small pool for the request.
 */
#ifndef TETRAD_HUB_SERVER_H
#define TETRAD_HUB_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "hub/ingest.h"
#include "tetrad/terr.h"

#define SERVER_DEFAULT_LISTEN "127.0.0.1:8443"
#define SERVER_DEFAULT_THREADS 8          /* serve connections; ingest has its own */
#define SERVER_DEFAULT_CONN_LIMIT 4096
#define SERVER_DEFAULT_PER_IP_LIMIT 256    /* connections from one address */
#define SERVER_DEFAULT_TIMEOUT 20          /* s: handshake + headers; body grace */
#define SERVER_DEFAULT_MIN_RATE 4096       /* body bytes/s on average (32 kbit/s) */
#define SERVER_DEFAULT_REQUEST_MAX 1200    /* s: ceiling of one request */
#define SERVER_DEFAULT_BODY_BUDGET (128u << 20) /* bytes of bodies in flight, all */
#define SERVER_DEFAULT_BODY_PER_IP (64u << 20)  /* ... from one address */
#define SERVER_DEFAULT_SILENT_DAYS 14   /* the dashboard's "devices silent for over N days" */
#define SERVER_SILENT_DAYS_MAX 365
#define SERVER_CONN_MEMORY (32u << 10)     /* per connection: request headers */
#define SERVER_VERSION "0.1.0"

/*
 * A log line's priority: syslog's numbers (as cmdline/logline.h), so that
 * `tetrad-hub serve` under systemd hands them to the journal as they are
 * and `journalctl -p warning` shows what needs a look: a client refused or
 * cut off, a busy hub (warning); the hub's own failure (err); a request
 * served (info).
 */
enum server_log_level {
	SERVER_LOG_ERR = 3,
	SERVER_LOG_WARNING = 4,
	SERVER_LOG_NOTICE = 5,
	SERVER_LOG_INFO = 6,
};

typedef void (*server_log_fn)(void *ctx, enum server_log_level level, const char *line);

struct server_cfg {
	const char *listen;            /* "HOST:PORT", "[v6]:PORT" */
	unsigned threads;
	unsigned conn_limit;
	unsigned per_ip_limit;         /* 0: SERVER_DEFAULT_PER_IP_LIMIT */
	unsigned timeout_s;
	unsigned min_rate;             /* 0: SERVER_DEFAULT_MIN_RATE */
	unsigned request_max_s;        /* 0: SERVER_DEFAULT_REQUEST_MAX */
	size_t body_budget;            /* 0: SERVER_DEFAULT_BODY_BUDGET */
	size_t body_per_ip;            /* 0: SERVER_DEFAULT_BODY_PER_IP */
	const char *cert_pem, *key_pem;
	const char *db_path;           /* each worker opens its own handle */
	const struct ingest_cfg *ingest;
	const char *forms_dir;         /* the dashboard's survey labels; NULL: codes only */
	const char *cert_path;         /* the certificate served: its pin in enrollment files */
	const char *public_url;        /* hub.conf's public_url (NULL: the page's own address) */
	const char *forms_published;   /* DIR/forms: the dashboard publishes there; NULL: it does not */
	unsigned silent_days;          /* the overview's "silent for" default; 0: the default */
	/* one line per request, never field values; may be NULL */
	server_log_fn log;
	void *log_ctx;
};

struct server;

int server_start(const struct server_cfg *cfg, struct server **out, struct terr *e);
/* The port actually bound (useful with port 0). */
uint16_t server_port(const struct server *s);
/*
 * Graceful stop: stop accepting, let requests in flight finish (up to
 * max_wait_ms), then close every connection and free s. Accepts NULL.
 */
void server_stop(struct server *s, unsigned max_wait_ms);

#endif
