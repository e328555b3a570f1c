/*
 * connwatch — time limits for the HTTPS server's connections.
 *
 * libmicrohttpd's own timeout counts inactivity only, and every byte resets
 * it: a client trickling a byte every few seconds would hold a connection
 * for as long as it likes. Here a connection earns its time by what it
 * sends, and every request has a ceiling whatever it sends:
 *
 *  - headers: the TLS handshake and the request headers must be complete
 *    within header_ms of the connection's start (or of the end of its
 *    previous request): slowloris gets header_ms, not more;
 *  - body: after a grace of header_ms the body must have come at
 *    min_rate bytes/s on average (deadline = body start + header_ms +
 *    received / min_rate), and the whole request must be in within
 *    request_ms of its start;
 *  - answer: the hub's work is not the client's time; the answer must be
 *    read within header_ms + its length / min_rate.
 *
 * A watchdog thread looks every CONNWATCH_TICK_MS and shuts down the socket
 * of a connection past its deadline; libmicrohttpd then closes it as a
 * failed connection (and calls the request's completion, which releases
 * whatever the request held).
 */
#ifndef TETRAD_HUB_CONNWATCH_H
#define TETRAD_HUB_CONNWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tetrad/terr.h"

#define CONNWATCH_TICK_MS 250     /* how often deadlines are looked at */

struct connwatch_limits {
	uint64_t header_ms;       /* handshake + headers; grace of a body; answer */
	uint64_t min_rate;        /* body bytes/s on average after the grace (> 0) */
	uint64_t request_ms;      /* ceiling of one request, headers to last byte */
};

enum connwatch_phase {
	CONNWATCH_HEADERS = 0,
	CONNWATCH_BODY,
	CONNWATCH_ANSWER,
};

/* Where a connection is: what its deadline is computed from. */
struct connwatch_clock {
	enum connwatch_phase phase;
	uint64_t request_start_ms;  /* accepted, or previous request ended */
	uint64_t phase_start_ms;
	uint64_t bytes;             /* body bytes received, or answer bytes to send */
};

struct connwatch;
struct connwatch_conn;

/* The deadline (monotonic ms) of a connection on clock k under limits l. */
uint64_t connwatch_deadline(const struct connwatch_limits *l,
    const struct connwatch_clock *k);

/* Starts the watchdog. */
int connwatch_start(const struct connwatch_limits *l, struct connwatch **out,
    struct terr *e);

/* Watches socket fd from now on (headers phase); NULL (unwatched) when out of memory. */
struct connwatch_conn *connwatch_add(struct connwatch *w, int fd);

/*
 * Forgets c and frees it; called before the socket is closed, so the
 * watchdog never shuts down a descriptor that was reused. Accepts NULL.
 */
void connwatch_remove(struct connwatch_conn *c);

/* The request's headers are in: its body phase starts now. Accepts NULL. */
void connwatch_body(struct connwatch_conn *c);

/* n more body bytes arrived. Accepts NULL. */
void connwatch_progress(struct connwatch_conn *c, size_t n);

/* The hub answers now with out_bytes to send. Accepts NULL. */
void connwatch_answer(struct connwatch_conn *c, size_t out_bytes);

/* The request ended: the next one's headers phase starts now. Accepts NULL. */
void connwatch_next(struct connwatch_conn *c);

/* Whether the watchdog cut c (and in which phase), for the log line of its close. */
bool connwatch_cut(struct connwatch_conn *c, enum connwatch_phase *phase);

/* Milliseconds of the monotonic clock deadlines are kept in. */
uint64_t connwatch_now_ms(void);

/* Stops the watchdog and frees w (and any connection still on it). Accepts NULL. */
void connwatch_stop(struct connwatch *w);

#endif
