/*
 * test_cmdline — the one argument parser (cmdline.h): GNU-order options and
 * positionals, --help winning anywhere, --version, every kind of mistake as
 * one Russian sentence naming the command, a top level that stops at the
 * command word, and repeated parses in one process (getopt's globals).
 */
#include "check.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline/cmdline.h"

enum { OPT_OUT = 1, OPT_JSON, OPT_BATCH, OPT_OUTBOX, OPT_DB };

static const struct cmdline_opt export_opts[] = {
	{ "out", 1, OPT_OUT, 'o' },
	{ "json", 0, OPT_JSON, 'j' },
	{ "batch", 1, OPT_BATCH, 0 },
	{ "outbox", 0, OPT_OUTBOX, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec export_spec = {
	.prog = "tetrad", .command = "export",
	.usage = "Использование: tetrad export ФОРМА [--out ФАЙЛ]\n",
	.opts = export_opts, .min_pos = 1, .max_pos = 2,
};

/* argv from a list of words; argv[0] is the command word */
#define MAX_WORDS 24
struct words {
	char *argv[MAX_WORDS + 1];
	int argc;
};

static void
words_set(struct words *w, const char *first, ...)
{
	va_list ap;
	const char *s;

	memset(w, 0, sizeof(*w));
	va_start(ap, first);
	for (s = first; s != NULL && w->argc < MAX_WORDS; s = va_arg(ap, const char *))
		w->argv[w->argc++] = (char *)(uintptr_t)s;
	va_end(ap);
}

/* Runs a whole parse; returns the final code and records the options seen
 * as "id=value;" in seen. */
static int
run(struct cmdline *c, const struct cmdline_spec *spec, struct words *w, char *seen, size_t size)
{
	const char *v;
	int r;

	seen[0] = '\0';
	cmdline_begin(c, spec, w->argc, w->argv);
	while ((r = cmdline_next(c, &v)) > 0) {
		size_t used = strlen(seen);

		snprintf(seen + used, size - used, "%d=%s;", r, v ? v : "-");
	}
	return r;
}

static int
valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2
		    : (*p & 0xF8) == 0xF0 ? 3 : -1;

		if (n < 0)
			return 0;
		p++;
		for (int i = 0; i < n; i++, p++)
			if ((*p & 0xC0) != 0x80)
				return 0;
	}
	return 1;
}

static void
test_mixed_order(void)
{
	struct cmdline c;
	struct words w;
	char seen[256];

	words_set(&w, "export", "--out", "a.csv", "pupils", "-j", "--batch=50", "extra", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_END);
	CHECK_STR_EQ(seen, "1=a.csv;2=-;3=50;");
	CHECK_INT_EQ(c.n_pos, 2);
	CHECK_STR_EQ(c.pos[0], "pupils");
	CHECK_STR_EQ(c.pos[1], "extra");
	CHECK_STR_EQ(c.msg, "");
	/* argv is not permuted under the caller */
	CHECK_STR_EQ(w.argv[3], "pupils");

	/* short forms: "-o F" and "-oF"; a cluster "-jo F" */
	words_set(&w, "export", "-ob.csv", "pupils", "-jo", "c.csv", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_END);
	CHECK_STR_EQ(seen, "1=b.csv;2=-;1=c.csv;");

	/* "--" ends the options: what follows is positional even if it looks
	 * like one; a lone "-" is positional (stdin, by convention) */
	words_set(&w, "export", "-", "--", "--json", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_END);
	CHECK_STR_EQ(seen, "");
	CHECK_INT_EQ(c.n_pos, 2);
	CHECK_STR_EQ(c.pos[0], "-");
	CHECK_STR_EQ(c.pos[1], "--json");

	/* an unambiguous prefix is the option (getopt_long's rule) */
	words_set(&w, "export", "x", "--bat", "7", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_END);
	CHECK_STR_EQ(seen, "3=7;");

	/* once ended, it stays ended */
	CHECK_INT_EQ(cmdline_next(&c, NULL), CMDLINE_END);
}

static void
test_help_version(void)
{
	struct cmdline c;
	struct words w;
	char seen[256];

	words_set(&w, "export", "--help", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_HELP);
	/* -h, and before the required positional is even there */
	words_set(&w, "export", "--json", "-h", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_HELP);
	/* --help after a mistake still wins: the person asked for the usage */
	words_set(&w, "export", "--bogus", "a", "b", "c", "--out", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
	words_set(&w, "export", "--bogus", "a", "b", "c", "--help", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_HELP);
	CHECK_STR_EQ(c.msg, "");
	/* but not after "--": there it is a word */
	words_set(&w, "export", "x", "--", "--help", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_END);
	CHECK_STR_EQ(c.pos[1], "--help");
	/* nor as an option's value */
	words_set(&w, "export", "x", "--out", "--help", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_END);
	CHECK_STR_EQ(seen, "1=--help;");

	words_set(&w, "export", "--version", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_VERSION);
	words_set(&w, "export", "-V", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_VERSION);
	words_set(&w, "export", "--vers", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_VERSION);

	/* a spec with no options table still knows --help and --version */
	{
		static const struct cmdline_spec bare = {
			.prog = "tetrad-hub", .command = "keys list", .usage = "x\n",
			.opts = NULL, .min_pos = 0, .max_pos = 0,
		};
		words_set(&w, "list", "--help", NULL);
		CHECK_INT_EQ(run(&c, &bare, &w, seen, sizeof(seen)), CMDLINE_HELP);
		words_set(&w, "list", NULL);
		CHECK_INT_EQ(run(&c, &bare, &w, seen, sizeof(seen)), CMDLINE_END);
		words_set(&w, "list", "--json", NULL);
		CHECK_INT_EQ(run(&c, &bare, &w, seen, sizeof(seen)), CMDLINE_BAD);
		CHECK_STR_EQ(c.msg, "tetrad-hub keys list: неизвестный параметр «--json»");
		words_set(&w, "list", "junk", NULL);
		CHECK_INT_EQ(run(&c, &bare, &w, seen, sizeof(seen)), CMDLINE_BAD);
		CHECK_STR_EQ(c.msg, "tetrad-hub keys list: лишний аргумент «junk» "
		    "(команда не принимает аргументов)");
	}
}

static void
test_mistakes(void)
{
	struct cmdline c;
	struct words w;
	char seen[256];

	words_set(&w, "export", "x", "--bogus=1", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
	CHECK_STR_EQ(c.msg, "tetrad export: неизвестный параметр «--bogus»");

	/* the Russian layout: "-р" where "-h" was meant; no half letter shown */
	words_set(&w, "export", "x", "-р", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
	CHECK_STR_EQ(c.msg, "tetrad export: неизвестный параметр: после «-» не латинская буква "
	    "(параметры пишутся латиницей)");
	CHECK(valid_utf8(c.msg));

	words_set(&w, "export", "x", "-q", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
	CHECK_STR_EQ(c.msg, "tetrad export: неизвестный параметр «-q»");

	/* ambiguous: --outbox and --out both start so */
	words_set(&w, "export", "x", "--outb", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_END);
	CHECK_STR_EQ(seen, "4=-;");
	words_set(&w, "export", "x", "--ou", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
	CHECK_STR_EQ(c.msg, "tetrad export: параметр «--ou» неоднозначен: --out или --outbox?");
	/* an exact name is never ambiguous, though --outbox begins with it */
	words_set(&w, "export", "x", "--out", "f", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_END);

	words_set(&w, "export", "x", "--out", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
	CHECK_STR_EQ(c.msg, "tetrad export: параметру «--out» нужно значение");
	words_set(&w, "export", "x", "-o", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
	CHECK_STR_EQ(c.msg, "tetrad export: параметру «--out» нужно значение");

	words_set(&w, "export", "x", "--json=yes", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
	CHECK_STR_EQ(c.msg, "tetrad export: параметр «--json» не принимает значения");

	words_set(&w, "export", "--json", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
	CHECK_STR_EQ(c.msg, "tetrad export: не хватает аргумента");

	words_set(&w, "export", "a", "b", "c", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
	CHECK_STR_EQ(c.msg, "tetrad export: лишний аргумент «c»");

	/* the first mistake is the one reported */
	words_set(&w, "export", "--zzz", "--yyy", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
	CHECK_STR_EQ(c.msg, "tetrad export: неизвестный параметр «--zzz»");

	/* a huge word is cut on a letter boundary and the message stays
	 * valid UTF-8 within CMDLINE_MSG_MAX */
	{
		char big[600];

		strcpy(big, "--");
		for (size_t i = 2; i + 2 < sizeof(big); i += 2)
			memcpy(big + i, "ж", 2);
		big[sizeof(big) - 1] = '\0';
		words_set(&w, "export", big, NULL);
		CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
		CHECK(strlen(c.msg) < CMDLINE_MSG_MAX);
		CHECK(valid_utf8(c.msg));
		CHECK_CONTAINS(c.msg, "неизвестный параметр «--жж");
		CHECK_CONTAINS(c.msg, "…»");
		words_set(&w, "export", "x", "y", big + 2, NULL);
		CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_BAD);
		CHECK(valid_utf8(c.msg));
		CHECK_CONTAINS(c.msg, "лишний аргумент «жж");
	}
}

static void
test_top_level(void)
{
	static const struct cmdline_opt top_opts[] = {
		{ "db", 1, OPT_DB, 0 },
		{ NULL, 0, 0, 0 },
	};
	static const struct cmdline_spec top = {
		.prog = "tetrad", .command = NULL, .usage = "Использование: tetrad КОМАНДА\n",
		.opts = top_opts, .min_pos = 1, .max_pos = -1, .stop_at_pos = 1,
	};
	struct cmdline c;
	struct words w;
	char seen[256];

	/* the top level reads its own options and stops at the command word:
	 * the --help after it belongs to the command */
	words_set(&w, "tetrad", "--db", "x.db", "export", "--help", NULL);
	CHECK_INT_EQ(run(&c, &top, &w, seen, sizeof(seen)), CMDLINE_END);
	CHECK_STR_EQ(seen, "5=x.db;");
	CHECK_INT_EQ(c.next, 3);
	CHECK_INT_EQ(c.n_pos, 1);
	CHECK_STR_EQ(c.pos[0], "export");

	/* then the command's own parse, in the same process */
	{
		struct cmdline sub;
		struct words w2;

		words_set(&w2, "export", "--out", "o.csv", "pupils", NULL);
		CHECK_INT_EQ(run(&sub, &export_spec, &w2, seen, sizeof(seen)), CMDLINE_END);
		CHECK_STR_EQ(seen, "1=o.csv;");
		CHECK_STR_EQ(sub.pos[0], "pupils");
		CHECK_INT_EQ(run(&sub, &export_spec, &w, seen, sizeof(seen)), CMDLINE_HELP);
	}

	words_set(&w, "tetrad", "--help", NULL);
	CHECK_INT_EQ(run(&c, &top, &w, seen, sizeof(seen)), CMDLINE_HELP);
	words_set(&w, "tetrad", "-V", NULL);
	CHECK_INT_EQ(run(&c, &top, &w, seen, sizeof(seen)), CMDLINE_VERSION);
	words_set(&w, "tetrad", "--db", "x", NULL);
	CHECK_INT_EQ(run(&c, &top, &w, seen, sizeof(seen)), CMDLINE_BAD);
	CHECK_STR_EQ(c.msg, "tetrad: не указана команда");
	words_set(&w, "tetrad", "--nope", "list", NULL);
	CHECK_INT_EQ(run(&c, &top, &w, seen, sizeof(seen)), CMDLINE_BAD);
	CHECK_STR_EQ(c.msg, "tetrad: неизвестный параметр «--nope»");
	words_set(&w, "tetrad", "--", "list", NULL);
	CHECK_INT_EQ(run(&c, &top, &w, seen, sizeof(seen)), CMDLINE_END);
	CHECK_INT_EQ(c.next, 2);
	/* argc 0 (execve with an empty argv) must not crash */
	cmdline_begin(&c, &top, 0, w.argv);
	CHECK_INT_EQ(cmdline_next(&c, NULL), CMDLINE_BAD);
}

static void
test_reuse_after_cluster(void)
{
	struct cmdline c;
	struct words w;
	char seen[256];

	/* a parse abandoned in the middle of "-jq" (the program stopped at the
	 * mistake) must not leak into the next parse */
	words_set(&w, "export", "-qj", "x", NULL);
	cmdline_begin(&c, &export_spec, w.argc, w.argv);
	(void)cmdline_next(&c, NULL);
	words_set(&w, "export", "-j", "y", NULL);
	CHECK_INT_EQ(run(&c, &export_spec, &w, seen, sizeof(seen)), CMDLINE_END);
	CHECK_STR_EQ(seen, "2=-;");
	CHECK_STR_EQ(c.pos[0], "y");
}

static void
test_too_many_options(void)
{
	static struct cmdline_opt many[CMDLINE_MAX_OPTS + 2];
	static char names[CMDLINE_MAX_OPTS + 1][16];
	struct cmdline_spec spec = { .prog = "tetrad", .command = "x", .usage = "x\n",
		.opts = many, .max_pos = 0 };
	struct cmdline c;
	struct words w;

	for (int i = 0; i <= CMDLINE_MAX_OPTS; i++) {
		snprintf(names[i], sizeof(names[i]), "o%d", i);
		many[i] = (struct cmdline_opt){ names[i], 0, i + 1, 0 };
	}
	words_set(&w, "x", NULL);
	cmdline_begin(&c, &spec, w.argc, w.argv);
	CHECK_INT_EQ(cmdline_next(&c, NULL), CMDLINE_BAD);
	CHECK_CONTAINS(c.msg, "внутренняя ошибка");
	/* exactly the maximum is fine */
	many[CMDLINE_MAX_OPTS] = (struct cmdline_opt){ NULL, 0, 0, 0 };
	words_set(&w, "x", "--o47", NULL);
	cmdline_begin(&c, &spec, w.argc, w.argv);
	CHECK_INT_EQ(cmdline_next(&c, NULL), 48);
	CHECK_INT_EQ(cmdline_next(&c, NULL), CMDLINE_END);
}

static void
test_number_and_version(void)
{
	struct cmdline c;
	struct words w;
	long long v = -1;
	char line[64];

	words_set(&w, "export", NULL);
	cmdline_begin(&c, &export_spec, w.argc, w.argv);
	CHECK_INT_EQ(cmdline_number(&c, "batch", "250", 1, 100000, &v), 0);
	CHECK_INT_EQ(v, 250);
	CHECK_INT_EQ(cmdline_number(&c, "batch", "-5", -10, 10, &v), 0);
	CHECK_INT_EQ(v, -5);
	CHECK_INT_EQ(cmdline_number(&c, "batch", "100000", 1, 100000, &v), 0);
	v = 7;
	CHECK_INT_EQ(cmdline_number(&c, "batch", "abc", 1, 100000, &v), -1);
	CHECK_INT_EQ(v, 7);
	CHECK_STR_EQ(c.msg, "tetrad export: параметр «--batch»: нужно целое число от 1 до 100000, "
	    "а не «abc»");
	CHECK_INT_EQ(cmdline_number(&c, "--batch", "0", 1, 100000, &v), -1);
	CHECK_CONTAINS(c.msg, "«--batch»: нужно целое число от 1 до 100000, а не «0»");
	CHECK_INT_EQ(cmdline_number(&c, "batch", "100001", 1, 100000, &v), -1);
	CHECK_INT_EQ(cmdline_number(&c, "batch", "", 1, 100000, &v), -1);
	CHECK_INT_EQ(cmdline_number(&c, "batch", NULL, 1, 100000, &v), -1);
	CHECK_INT_EQ(cmdline_number(&c, "batch", " 12", 1, 100000, &v), -1);
	CHECK_INT_EQ(cmdline_number(&c, "batch", "+12", 1, 100000, &v), -1);
	CHECK_INT_EQ(cmdline_number(&c, "batch", "0x1F", 0, 100000, &v), -1);
	CHECK_INT_EQ(cmdline_number(&c, "batch", "12k", 1, 100000, &v), -1);
	CHECK_INT_EQ(cmdline_number(&c, "batch", "99999999999999999999", 1, 100000, &v), -1);
	CHECK_INT_EQ(v, 7);

	/* the version is CMake's project(VERSION): digits and dots */
	CHECK(strlen(cmdline_version()) >= 5);
	CHECK(strspn(cmdline_version(), "0123456789.") == strlen(cmdline_version()));
	cmdline_version_line("tetrad-hub", line, sizeof(line));
	CHECK(strncmp(line, "tetrad-hub ", 11) == 0);
	CHECK_STR_EQ(line + 11 + strlen(cmdline_version()), "\n");
	CHECK(strncmp(line + 11, cmdline_version(), strlen(cmdline_version())) == 0);
	cmdline_version_line("tetrad", line, 4);
	CHECK_STR_EQ(line, "tet");
}

int
main(void)
{
	test_mixed_order();
	test_help_version();
	test_mistakes();
	test_top_level();
	test_reuse_after_cluster();
	test_too_many_options();
	test_number_and_version();
	return check_summary();
}
