/*
 * workers — a fixed set of threads that run jobs handed to them, for the
 * HTTPS server: a change set's verification, decryption and the wait for
 * the writer's group commit run here while its connection is suspended, so
 * the threads that serve connections never block on a commit and every set
 * that arrives at once can wait in the same group (groupcommit.h).
 */
#ifndef TETRAD_HUB_WORKERS_H
#define TETRAD_HUB_WORKERS_H

#include <stddef.h>

#include "tetrad/terr.h"

/*
 * One job, embedded in the caller's own state: nothing is allocated per
 * job. run(arg) is called once on a worker's thread; the job is not
 * touched by the workers once run has begun, so run may free it.
 */
struct workers_job {
	void (*run)(void *arg);
	void *arg;
	struct workers_job *next;
};

struct workers;

int workers_start(size_t n, struct workers **out, struct terr *e);

/* Queues job (run and arg set); it runs as soon as a worker is free. */
void workers_submit(struct workers *w, struct workers_job *job);

/* Runs every job still queued, joins the threads and frees w. Accepts NULL. */
void workers_stop(struct workers *w);

#endif
