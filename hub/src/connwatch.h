/*
 * connwatch — deadlines for the HTTPS server's connections.
 *
 * libmicrohttpd's timeout counts inactivity only: a client trickling one
 * byte a second would hold a connection forever. Every connection therefore
 * has a deadline (headers within the timeout, a body at the server's
 * minimum rate or better); a watchdog thread shuts down the socket of one
 * that misses it, and libmicrohttpd then closes it as a failed connection.
 */
#ifndef TETRAD_HUB_CONNWATCH_H
#define TETRAD_HUB_CONNWATCH_H

#include <stdint.h>

#include "tetrad/terr.h"

#define CONNWATCH_TICK_MS 250     /* how often deadlines are looked at */

struct connwatch;
struct connwatch_conn;

/* Starts the watchdog; a connection's deadline is timeout_s from its last extension. */
int connwatch_start(unsigned timeout_s, struct connwatch **out, struct terr *e);

/* Watches socket fd from now on; NULL (unwatched) when out of memory. */
struct connwatch_conn *connwatch_add(struct connwatch *w, int fd);

/*
 * Forgets c and frees it; called before the socket is closed, so the
 * watchdog never shuts down a descriptor that was reused. Accepts NULL.
 */
void connwatch_remove(struct connwatch *w, struct connwatch_conn *c);

/* Sets c's deadline to the timeout plus extra_ms from now. Accepts NULL c. */
void connwatch_extend(struct connwatch *w, struct connwatch_conn *c, uint64_t extra_ms);

/* Milliseconds of the monotonic clock deadlines are kept in. */
uint64_t connwatch_now_ms(void);

/* Stops the watchdog and frees w (and any connection still on it). Accepts NULL. */
void connwatch_stop(struct connwatch *w);

#endif
