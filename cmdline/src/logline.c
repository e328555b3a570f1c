/*
 * logline — one log line of a daemon, shaped for where stderr goes
 * (logline.h): the journal gets "<N>text" (sd-daemon(3) prefixes, which
 * journald turns into the entry's PRIORITY, so `journalctl -p warning`
 * filters) and no timestamp of ours; anything else gets
 * "TIME PROG[PID] LEVEL: text", the format tetrad-syncd always wrote.
 */
#include "cmdline/logline.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* systemd sets JOURNAL_STREAM=DEV:INODE of the stream it connected to the
 * journal; a child whose stderr was redirected inherits the variable, so
 * it counts only if stderr is still that very stream. */
static int
logline_is_journal(FILE *out)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char tail;

	if (env == NULL || out == NULL)
		return 0;
	if (sscanf(env, "%llu:%llu%c", &dev, &ino, &tail) != 2)
		return 0;
	if (fstat(fileno(out), &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
logline_open(struct logline *l, FILE *out, const char *prog, enum logline_level min)
{
	l->out = out;
	l->prog = prog;
	l->journal = logline_is_journal(out);
	l->min = min;
}

static const char *
logline_level_name(enum logline_level level)
{
	switch (level) {
	case LOGLINE_ERR: return "error";
	case LOGLINE_WARNING: return "warn";
	case LOGLINE_NOTICE: return "notice";
	case LOGLINE_INFO: return "info";
	case LOGLINE_DEBUG: return "debug";
	}
	return "info";
}

void
logline_put(const struct logline *l, enum logline_level level, const char *text)
{
	const char *p = text ? text : "";

	if (l->out == NULL || (int)level > (int)l->min)
		return;
	if (l->journal) {
		/* every line of a multi-line text carries the prefix: journald
		 * reads each line as its own entry, and an unprefixed one would
		 * fall back to the unit's default priority */
		do {
			size_t len = strcspn(p, "\n");

			if (len > 0 || *p == '\0')
				fprintf(l->out, "<%d>%.*s\n", (int)level, (int)len, p);
			p += len;
			if (*p == '\n')
				p++;
		} while (*p != '\0');
	} else {
		char ts[32];
		time_t t = time(NULL);
		struct tm tm;
		size_t len = strlen(p);

		while (len > 0 && p[len - 1] == '\n')
			len--;
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		fprintf(l->out, "%s %s[%ld] %s: %.*s\n", ts, l->prog ? l->prog : "tetrad",
		    (long)getpid(), logline_level_name(level), (int)len, p);
	}
	fflush(l->out);
}

void
logline_printf(const struct logline *l, enum logline_level level, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	if (l->out == NULL || (int)level > (int)l->min)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	logline_put(l, level, buf);
}
