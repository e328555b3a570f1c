/*
 * progress — «Отправка: 1 200 из 10 000 записей (12%)» redrawn in place on
 * a terminal (progress.h). Off a terminal it writes nothing, so logs,
 * pipes and tests see only the programs' result lines.
 */
#include "cmdline/progress.h"

#include <inttypes.h>
#include <time.h>
#include <unistd.h>

/* Redraws more often than this are flicker, and cost a write each. */
#define PROGRESS_EVERY_MS 100

static uint64_t
progress_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
progress_open(struct progress *p, FILE *out, const char *what, const char *unit, int force_tty)
{
	p->out = out;
	p->tty = out != NULL && (force_tty || isatty(fileno(out)));
	p->what = what ? what : "";
	p->unit = unit ? unit : "";
	p->last_ms = 0;
	p->drawn = 0;
}

/* 1200 → "1 200": groups of three, as Russian writes numbers. */
static void
progress_group(uint64_t v, char *buf, size_t size)
{
	char digits[24];
	int n = snprintf(digits, sizeof(digits), "%" PRIu64, v);
	size_t o = 0;

	for (int i = 0; i < n && o + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ' ';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

void
progress_update(void *ud, uint64_t done, uint64_t total)
{
	struct progress *p = ud;
	char d[32], t[32];
	uint64_t now;

	if (p == NULL || !p->tty)
		return;
	now = progress_now_ms();
	if (p->drawn && !(total > 0 && done >= total) && now - p->last_ms < PROGRESS_EVERY_MS)
		return;
	p->last_ms = now;
	progress_group(done, d, sizeof(d));
	/* "\r" back to the line's start, "\033[K" erases what a longer
	 * earlier line left to the right */
	if (total > 0) {
		/* done * 100 would wrap for counts no one exports, but cheaply avoided */
		uint64_t pct = done >= total ? 100
		    : total > UINT64_MAX / 100 ? done / (total / 100) : done * 100 / total;

		progress_group(total, t, sizeof(t));
		fprintf(p->out, "\r%s: %s из %s %s (%" PRIu64 "%%)\033[K", p->what, d, t, p->unit, pct);
	} else {
		fprintf(p->out, "\r%s: %s %s\033[K", p->what, d, p->unit);
	}
	fflush(p->out);
	p->drawn = 1;
}

void
progress_close(struct progress *p)
{
	if (p == NULL || !p->drawn)
		return;
	fputc('\n', p->out);
	fflush(p->out);
	p->drawn = 0;
}
