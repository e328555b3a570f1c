/*
 * logline — one log line of a long-running program (tetrad-syncd --daemon,
 * tetrad-hub serve) to stderr, the way the place it runs wants it:
 *   - under systemd, when stderr is the journal (JOURNAL_STREAM names
 *     stderr's device and inode): "<N>text" — the sd-daemon priority prefix
 *     journald reads, so `journalctl -p warning` filters — and no timestamp
 *     of our own (the journal has one);
 *   - otherwise (a terminal, a file, a test): "2026-12-03T10:00:00Z
 *     PROG[PID] LEVEL: text", as before.
 * The choice is made once in logline_open; nothing global.
 */
#ifndef TETRAD_LOGLINE_H
#define TETRAD_LOGLINE_H

#include <stdio.h>

/* syslog's priorities (the numbers journald stores). */
enum logline_level {
	LOGLINE_ERR = 3,
	LOGLINE_WARNING = 4,
	LOGLINE_NOTICE = 5,
	LOGLINE_INFO = 6,
	LOGLINE_DEBUG = 7,
};

struct logline {
	FILE *out;               /* stderr */
	const char *prog;        /* "tetrad-syncd" */
	int journal;             /* 1: stderr is the journal */
	enum logline_level min;  /* lines below this priority (numerically above) are dropped */
};

/* Decides journal or not from JOURNAL_STREAM and out's fd. */
void logline_open(struct logline *l, FILE *out, const char *prog, enum logline_level min);

/* Writes one line (a trailing newline in text is not needed); flushes. */
void logline_put(const struct logline *l, enum logline_level level, const char *text);
void logline_printf(const struct logline *l, enum logline_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
