/*
 * test_logline — the daemons' log line (logline.h): under the journal
 * (JOURNAL_STREAM naming stderr's very device and inode) a "<N>" priority
 * prefix on every line and no timestamp; anywhere else the old
 * "TIME PROG[PID] LEVEL: text"; lines below the minimum dropped.
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline/logline.h"

/* Everything written to f so far, from its start. */
static void
slurp(FILE *f, char *buf, size_t size)
{
	size_t n;

	fflush(f);
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
}

static void
test_journal(void)
{
	FILE *f = tmpfile();
	struct logline l;
	struct stat st;
	char env[64], buf[1024];

	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK_INT_EQ(fstat(fileno(f), &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	logline_open(&l, f, "tetrad-syncd", LOGLINE_INFO);
	CHECK_INT_EQ(l.journal, 1);
	logline_put(&l, LOGLINE_WARNING, "набор 41–57 отклонён");
	logline_put(&l, LOGLINE_INFO, "две\nстроки\n");
	logline_put(&l, LOGLINE_DEBUG, "не видно");
	logline_printf(&l, LOGLINE_ERR, "ошибка %d: %s", 5, "нет сети");
	slurp(f, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "<4>набор 41–57 отклонён\n<6>две\n<6>строки\n<3>ошибка 5: нет сети\n");
	fclose(f);
}

static void
test_plain(void)
{
	FILE *f = tmpfile();
	struct logline l;
	char buf[1024], want[128];

	CHECK(f != NULL);
	if (f == NULL)
		return;
	/* inherited from a parent whose stderr was the journal, but ours is
	 * redirected: not the journal */
	setenv("JOURNAL_STREAM", "1:1", 1);
	logline_open(&l, f, "tetrad-hub", LOGLINE_WARNING);
	CHECK_INT_EQ(l.journal, 0);
	logline_put(&l, LOGLINE_INFO, "тихо: ниже минимума");
	logline_put(&l, LOGLINE_WARNING, "внимание\n");
	logline_put(&l, LOGLINE_ERR, "сбой");
	slurp(f, buf, sizeof(buf));
	/* "2026-12-03T10:00:00Z tetrad-hub[PID] warn: внимание" */
	CHECK(strlen(buf) > 21 && buf[4] == '-' && buf[10] == 'T' && buf[19] == 'Z' && buf[20] == ' ');
	snprintf(want, sizeof(want), " tetrad-hub[%ld] warn: внимание\n", (long)getpid());
	CHECK(strncmp(buf + 20, want, strlen(want)) == 0);
	snprintf(want, sizeof(want), " tetrad-hub[%ld] error: сбой\n", (long)getpid());
	CHECK_CONTAINS(buf, want);
	CHECK(strstr(buf, "тихо") == NULL);
	CHECK(strchr(buf, '<') == NULL);
	fclose(f);

	/* garbage in the variable is not the journal either */
	f = tmpfile();
	if (f == NULL)
		return;
	setenv("JOURNAL_STREAM", "abc", 1);
	logline_open(&l, f, "x", LOGLINE_DEBUG);
	CHECK_INT_EQ(l.journal, 0);
	unsetenv("JOURNAL_STREAM");
	logline_open(&l, f, "x", LOGLINE_DEBUG);
	CHECK_INT_EQ(l.journal, 0);
	fclose(f);
}

int
main(void)
{
	test_journal();
	test_plain();
	return check_summary();
}
