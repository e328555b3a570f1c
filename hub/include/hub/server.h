/*
 * server — the hub's HTTPS API (docs/hub-api.md) on libmicrohttpd + GnuTLS.
 *
 * A pool of worker threads polls with epoll; every connection has a time
 * limit (a slow client is dropped, others are served), a memory limit
 * (headers), and bodies are capped per endpoint: a declared Content-Length
 * over the cap is answered 413 before any of the body is read. Each worker
 * borrows a store handle from a small pool for the request.
 */
#ifndef TETRAD_HUB_SERVER_H
#define TETRAD_HUB_SERVER_H

#include <stdint.h>

#include "hub/ingest.h"
#include "tetrad/terr.h"

#define SERVER_DEFAULT_LISTEN "127.0.0.1:8443"
#define SERVER_DEFAULT_THREADS 4
#define SERVER_DEFAULT_CONN_LIMIT 4096
#define SERVER_DEFAULT_TIMEOUT 30          /* seconds a connection may idle */
#define SERVER_CONN_MEMORY (64u << 10)     /* per connection: request headers */
#define SERVER_VERSION "0.1.0"

struct server_cfg {
	const char *listen;            /* "HOST:PORT", "[v6]:PORT" */
	unsigned threads;
	unsigned conn_limit;
	unsigned per_ip_limit;         /* 0: no per-address limit */
	unsigned timeout_s;
	const char *cert_pem, *key_pem;
	const char *db_path;           /* each worker opens its own handle */
	const struct ingest_cfg *ingest;
	/* one line per request, never field values; may be NULL */
	void (*log)(void *ctx, const char *line);
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
