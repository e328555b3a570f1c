/*
 * net — HTTPS requests to the hub through one libcurl easy handle.
 *
 * TLS verification is always on: the hub's certificate is checked against
 * the municipal CA file (hub_ca_file) or the system store, and, when a pin
 * ("sha256//<base64>") is configured, its public key must match the pin.
 * With a pin and no CA file the pin alone authenticates the hub (curl
 * checks it before any data is sent), which is how a self-signed hub is
 * trusted. One handle is reused so the connection stays alive between
 * change sets. Bodies are capped; the Date header gives the clock skew and
 * Retry-After the delay the hub asks for.
 */
#ifndef TETRAD_SYNCD_NET_H
#define TETRAD_SYNCD_NET_H

#include <stddef.h>
#include <stdint.h>

#include "tetrad/tbuf.h"
#include "tetrad/terr.h"

#define NET_URL_MAX 1024
#define NET_PIN_MAX 1024
#define NET_CONNECT_TIMEOUT_MS 10000L
#define NET_TIMEOUT_MS 120000L
#define NET_RETRY_AFTER_MAX_S 3600   /* a longer request is clamped */

struct net_opts {
	const char *base_url;    /* https://host:port, no trailing path */
	const char *ca_file;     /* NULL or "": system store */
	const char *pin;         /* NULL or "": no pin */
	long connect_timeout_ms; /* 0: NET_CONNECT_TIMEOUT_MS */
	long timeout_ms;         /* 0: NET_TIMEOUT_MS (grows with body size) */
};

struct net_resp {
	long status;             /* HTTP status, 0 if none */
	struct tbuf *body;       /* response body, owned */
	int64_t retry_after_s;   /* 0 if absent */
	char content_type[64];
};

struct net;

int net_new(const struct net_opts *o, struct net **out, struct terr *e);
void net_free(struct net *n);

/*
 * Performs method (GET or POST) on base_url + path. 0 when an HTTP response
 * arrived (whatever its status; r->body holds at most max_resp bytes, more
 * is TERR_TOO_LARGE); TERR_IO with a Russian message when the hub could not
 * be reached or the connection failed. r must be freed with net_resp_free.
 */
int net_request(struct net *n, const char *method, const char *path,
    const char *ctype, const void *body, size_t len, size_t max_resp,
    struct net_resp *r, struct terr *e);
void net_resp_free(struct net_resp *r);

/*
 * Opens the connection to the hub ahead of the first request (TCP, TLS,
 * the certificate and pin checked) by asking for /v1/health; the requests
 * after it reuse that connection. 0 when the hub answered, whatever the
 * status; TERR_IO with the message a request would have given otherwise.
 */
int net_connect(struct net *n, struct terr *e);

/* 1 and *skew_ms = local clock minus hub's Date when a Date was seen. */
int net_clock_skew(const struct net *n, int64_t *skew_ms);

/* Validates a URL for the hub: https only, bounded, no spaces. */
int net_check_url(const char *url, struct terr *e);
/* Validates a pin "sha256//<44 base64>" (several joined by ';'). */
int net_check_pin(const char *pin, struct terr *e);

#endif
