/*
 * progress — a progress line on a terminal for long work: a sync of many
 * change sets, an export or import of many records, a USB export.
 * «Отправка: 1 200 из 10 000 записей (12%)», redrawn in place with "\r" at
 * most a few times a second and ended with a newline; nothing at all when
 * the stream is not a terminal (a pipe, a log, the journal, a test), so
 * scripts and logs see only the final result lines.
 *
 * Library code reports progress through a callback of this shape; only the
 * programs hold a struct progress and print.
 */
#ifndef TETRAD_PROGRESS_H
#define TETRAD_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

/* What a library calls as work goes on; total 0 = not known. */
typedef void (*progress_fn)(void *ud, uint64_t done, uint64_t total);

struct progress {
	FILE *out;               /* stderr */
	int tty;                 /* 0: draws nothing */
	const char *what;        /* «Отправка», «Выгрузка», «Загрузка» */
	const char *unit;        /* «записей», «наборов» (genitive plural, after «из N») */
	uint64_t last_ms;        /* last redraw, monotonic */
	int drawn;               /* 1: a line is on screen and needs its newline */
};

/* Set up for out; draws only if isatty(fileno(out)) (or force_tty, for tests). */
void progress_open(struct progress *p, FILE *out, const char *what, const char *unit,
    int force_tty);

/* A progress_fn: ud is the struct progress. Redraws at most every 100 ms,
 * and always at done == total. */
void progress_update(void *ud, uint64_t done, uint64_t total);

/* Ends the line (newline) if one was drawn. */
void progress_close(struct progress *p);

#endif
