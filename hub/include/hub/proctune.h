/*
 * proctune — the hub's process-wide settings, made once before any thread,
 * connection or allocation of note: by tetrad-hub for every command, and by
 * the benchmarks that run the hub inside their own process, so that they
 * measure it as it runs.
 */
#ifndef HUB_PROCTUNE_H
#define HUB_PROCTUNE_H

void proctune_apply(void);

#endif
