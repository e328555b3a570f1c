/*
 * cmdline — getopt_long over one command's arguments with the rules every
 * command of tetrad, tetrad-syncd and tetrad-hub shares (cmdline.h).
 *
 * How getopt_long is driven:
 *   - "-" first in the short options (return in order): a positional
 *     argument comes back as 1 with optarg, so options and positionals mix
 *     in GNU order without getopt permuting argv under the caller;
 *   - "+" instead for a top level (spec->stop_at_pos): the first positional
 *     is the command word, and what follows it is that command's business;
 *   - ":" next: a missing value comes back as ':' rather than a message
 *     printed by getopt itself (opterr is 0 too: library code never prints).
 * A long option's val is CMDLINE_VAL_BASE + its index in spec->opts, so it
 * never collides with a short letter, 1, '?' or ':'.
 *
 * A mistake does not end the scan at once: `--help` later in the same
 * arguments still wins («tetrad export --bad --help» shows the usage, which
 * is what the person asked for); the mistake is returned only at the end.
 */
#include "cmdline/cmdline.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline_version.h"

#define CMDLINE_VAL_BASE 1000
#define CMDLINE_VAL_HELP 'h'
#define CMDLINE_VAL_VERSION 'V'
/* A quoted piece of what the person typed, in a message: long enough to
 * recognise, short enough that the sentence fits c->msg. */
#define CMDLINE_QUOTE_MAX 64

/* c->done: 0 while reading; otherwise 1 - the result it ended with. */
static int
cmdline_finish(struct cmdline *c, int result)
{
	c->done = 1 - result;
	return result;
}

static size_t
cmdline_count(const struct cmdline_spec *spec)
{
	size_t n = 0;

	if (spec->opts == NULL)
		return 0;
	while (spec->opts[n].name != NULL)
		n++;
	return n;
}

/* Copies s into out (size CMDLINE_QUOTE_MAX + 4), cut on a UTF-8 character
 * boundary with "…" when too long, so a message never ends in half a letter. */
static void
cmdline_quote(const char *s, char *out, size_t size)
{
	size_t n = strlen(s);

	if (n <= CMDLINE_QUOTE_MAX && n < size) {
		memcpy(out, s, n + 1);
		return;
	}
	n = CMDLINE_QUOTE_MAX < size - 4 ? CMDLINE_QUOTE_MAX : size - 4;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(out, s, n);
	memcpy(out + n, "…", sizeof("…"));
}

/* "tetrad export" / "tetrad-hub": the command a message names. */
static void
cmdline_who(const struct cmdline *c, char *buf, size_t size)
{
	const char *prog = c->spec->prog ? c->spec->prog : "";

	if (c->spec->command)
		snprintf(buf, size, "%s %s", prog, c->spec->command);
	else
		snprintf(buf, size, "%s", prog);
}

/* Sets c->msg to "WHO: what" (what already formatted). */
static void
cmdline_say(struct cmdline *c, const char *what)
{
	char who[96];

	cmdline_who(c, who, sizeof(who));
	if (snprintf(c->msg, sizeof(c->msg), "%s: %s", who, what) >= (int)sizeof(c->msg)) {
		size_t at = sizeof(c->msg) - sizeof("…");

		while (at > 0 && ((unsigned char)c->msg[at] & 0xC0) == 0x80)
			at--;
		memcpy(c->msg + at, "…", sizeof("…"));
	}
}

void
cmdline_begin(struct cmdline *c, const struct cmdline_spec *spec, int argc, char **argv)
{
	memset(c, 0, sizeof(*c));
	c->spec = spec;
	c->argc = argc < 0 ? 0 : argc;
	c->argv = argv;
	c->next = c->argc;
	/* glibc: optind 0 makes getopt forget everything of the last parse
	 * (including a half-read "-abc" cluster), not just restart at 1 */
	optind = 0;
	opterr = 0;
}

/* The option (by index) whose short letter is ch, or -1. */
static int
cmdline_by_short(const struct cmdline_spec *spec, size_t n, int ch)
{
	for (size_t i = 0; i < n; i++)
		if (spec->opts[i].short_name != 0 && spec->opts[i].short_name == ch)
			return (int)i;
	return -1;
}

/* "--name" of what getopt's val/optopt points at, for a message. */
static void
cmdline_opt_text(const struct cmdline *c, size_t n, int val, char *buf, size_t size)
{
	int i = -1;

	if (val >= CMDLINE_VAL_BASE && (size_t)(val - CMDLINE_VAL_BASE) < n)
		i = val - CMDLINE_VAL_BASE;
	else if (val > 0 && val < 256)
		i = cmdline_by_short(c->spec, n, val);
	if (i >= 0)
		snprintf(buf, size, "--%s", c->spec->opts[i].name);
	else if (val == CMDLINE_VAL_HELP)
		snprintf(buf, size, "--help");
	else if (val == CMDLINE_VAL_VERSION)
		snprintf(buf, size, "--version");
	else if (val > 0 && val < 256)
		snprintf(buf, size, "-%c", val);
	else
		snprintf(buf, size, "?");
}

/* Records a mistake, the first one only: it is what the person sees. */
static void
cmdline_mistake(struct cmdline *c, const char *what)
{
	if (c->msg[0] == '\0')
		cmdline_say(c, what);
}

/* getopt_long says '?' for "--ou" when --out and --outbox both begin so;
 * naming both helps more than «неизвестный». 0 and what set if ambiguous. */
static int
cmdline_ambiguous(const struct cmdline *c, size_t n, const char *word, char *what, size_t size)
{
	const char *first = NULL, *second = NULL;
	size_t len;

	if (strncmp(word, "--", 2) != 0 || word[2] == '\0')
		return -1;
	word += 2;
	len = strlen(word);
	for (size_t i = 0; i < n + 2; i++) {
		const char *name = i < n ? c->spec->opts[i].name : i == n ? "help" : "version";

		if (strncmp(name, word, len) != 0)
			continue;
		if (first == NULL)
			first = name;
		else if (second == NULL)
			second = name;
	}
	if (second == NULL)
		return -1;
	snprintf(what, size, "параметр «--%s» неоднозначен: --%s или --%s?", word, first, second);
	return 0;
}

static void
cmdline_unknown(struct cmdline *c, size_t n)
{
	char text[CMDLINE_QUOTE_MAX + 8], what[CMDLINE_MSG_MAX];

	if (optopt >= CMDLINE_VAL_BASE || optopt == CMDLINE_VAL_HELP || optopt == CMDLINE_VAL_VERSION) {
		/* a long option without a value given one: "--json=yes" */
		char name[96];

		cmdline_opt_text(c, n, optopt, name, sizeof(name));
		snprintf(what, sizeof(what), "параметр «%s» не принимает значения", name);
	} else if (optopt > 0x20 && optopt < 0x7f) {
		snprintf(what, sizeof(what), "неизвестный параметр «-%c»", optopt);
	} else if (optopt != 0) {
		/* getopt read one byte of a letter typed in the Russian layout
		 * ("-р" for "-h"): that byte alone is not a character to show */
		snprintf(what, sizeof(what), "неизвестный параметр: после «-» не латинская буква "
		    "(параметры пишутся латиницей)");
	} else {
		/* an unknown or ambiguous long option: getopt moved past it */
		const char *arg = optind > 0 && optind <= c->argc ? c->argv[optind - 1] : "?";
		char word[CMDLINE_QUOTE_MAX + 8];
		size_t len = strcspn(arg, "=");

		/* one byte over the quote's limit keeps its "…" */
		if (len > sizeof(word) - 1)
			len = sizeof(word) - 1;
		memcpy(word, arg, len);
		word[len] = '\0';
		cmdline_quote(word, text, sizeof(text));
		if (cmdline_ambiguous(c, n, word, what, sizeof(what)) != 0)
			snprintf(what, sizeof(what), "неизвестный параметр «%s»", text);
	}
	cmdline_mistake(c, what);
}

static void
cmdline_add_pos(struct cmdline *c, char *arg)
{
	int max = c->spec->max_pos < 0 || c->spec->max_pos > CMDLINE_MAX_POS
	    ? CMDLINE_MAX_POS : c->spec->max_pos;
	char text[CMDLINE_QUOTE_MAX + 8], what[CMDLINE_MSG_MAX];

	if (c->n_pos < max) {
		c->pos[c->n_pos++] = arg;
		return;
	}
	cmdline_quote(arg, text, sizeof(text));
	if (max == 0)
		snprintf(what, sizeof(what), "лишний аргумент «%s» (команда не принимает аргументов)",
		    text);
	else
		snprintf(what, sizeof(what), "лишний аргумент «%s»", text);
	cmdline_mistake(c, what);
}

/* After the options: positionals past "--", then the count check. */
static int
cmdline_end(struct cmdline *c)
{
	char what[CMDLINE_MSG_MAX];

	if (c->spec->stop_at_pos) {
		c->next = optind < c->argc ? optind : c->argc;
		/* the command word, for a top level that wants it in pos[0] */
		if (c->next < c->argc && c->n_pos == 0)
			c->pos[c->n_pos++] = c->argv[c->next];
	} else {
		for (int i = optind; i < c->argc; i++)
			cmdline_add_pos(c, c->argv[i]);
		c->next = c->argc;
	}
	if (c->msg[0] != '\0')
		return cmdline_finish(c, CMDLINE_BAD);
	if (c->spec->stop_at_pos && c->next >= c->argc && c->spec->min_pos > 0) {
		cmdline_say(c, "не указана команда");
		return cmdline_finish(c, CMDLINE_BAD);
	}
	if (!c->spec->stop_at_pos && c->n_pos < c->spec->min_pos) {
		if (c->spec->min_pos == 1)
			snprintf(what, sizeof(what), "не хватает аргумента");
		else
			snprintf(what, sizeof(what), "не хватает аргументов: нужно не меньше %d, а дано %d",
			    c->spec->min_pos, c->n_pos);
		cmdline_say(c, what);
		return cmdline_finish(c, CMDLINE_BAD);
	}
	return cmdline_finish(c, CMDLINE_END);
}

int
cmdline_next(struct cmdline *c, const char **value)
{
	struct option longopts[CMDLINE_MAX_OPTS + 3];
	char shorts[4 + 2 * CMDLINE_MAX_OPTS + 8];
	size_t n = cmdline_count(c->spec), k = 0, s = 0;
	int r;

	if (value)
		*value = NULL;
	if (c->done)
		return 1 - c->done;
	if (n > CMDLINE_MAX_OPTS) {
		cmdline_say(c, "внутренняя ошибка: у команды больше параметров, чем умеет разбор");
		return cmdline_finish(c, CMDLINE_BAD);
	}
	if (c->argc < 1 || c->argv == NULL)
		return cmdline_end(c);
	shorts[s++] = c->spec->stop_at_pos ? '+' : '-';
	shorts[s++] = ':';
	shorts[s++] = CMDLINE_VAL_HELP;
	shorts[s++] = CMDLINE_VAL_VERSION;
	for (size_t i = 0; i < n; i++) {
		const struct cmdline_opt *o = &c->spec->opts[i];

		longopts[k].name = o->name;
		longopts[k].has_arg = o->takes_value ? required_argument : no_argument;
		longopts[k].flag = NULL;
		longopts[k].val = CMDLINE_VAL_BASE + (int)i;
		k++;
		if (o->short_name != 0 && o->short_name != CMDLINE_VAL_HELP &&
		    o->short_name != CMDLINE_VAL_VERSION) {
			shorts[s++] = o->short_name;
			if (o->takes_value)
				shorts[s++] = ':';
		}
	}
	longopts[k++] = (struct option){ "help", no_argument, NULL, CMDLINE_VAL_HELP };
	longopts[k++] = (struct option){ "version", no_argument, NULL, CMDLINE_VAL_VERSION };
	longopts[k] = (struct option){ NULL, 0, NULL, 0 };
	shorts[s] = '\0';

	for (;;) {
		r = getopt_long(c->argc, c->argv, shorts, longopts, NULL);
		if (r == -1)
			return cmdline_end(c);
		if (r == CMDLINE_VAL_HELP) {
			c->msg[0] = '\0'; /* a mistake before it is forgiven: msg is for BAD only */
			return cmdline_finish(c, CMDLINE_HELP);
		}
		if (c->msg[0] != '\0')
			continue; /* after a mistake, only a --help further on matters */
		if (r == 1) {
			cmdline_add_pos(c, optarg);
			continue;
		}
		if (r == '?') {
			cmdline_unknown(c, n);
			continue;
		}
		if (r == ':') {
			char name[96], what[CMDLINE_MSG_MAX];

			cmdline_opt_text(c, n, optopt, name, sizeof(name));
			snprintf(what, sizeof(what), "параметру «%s» нужно значение", name);
			cmdline_mistake(c, what);
			continue;
		}
		if (r == CMDLINE_VAL_VERSION)
			return cmdline_finish(c, CMDLINE_VERSION);
		if (r < CMDLINE_VAL_BASE) {
			int i = cmdline_by_short(c->spec, n, r);

			if (i < 0) {
				cmdline_mistake(c, "внутренняя ошибка разбора параметров");
				continue;
			}
			r = CMDLINE_VAL_BASE + i;
		}
		if (value && c->spec->opts[r - CMDLINE_VAL_BASE].takes_value)
			*value = optarg;
		return c->spec->opts[r - CMDLINE_VAL_BASE].id;
	}
}

const char *
cmdline_version(void)
{
	return CMDLINE_VERSION_TEXT;
}

void
cmdline_version_line(const char *prog, char *buf, size_t size)
{
	if (size == 0)
		return;
	snprintf(buf, size, "%s %s\n", prog ? prog : "tetrad", CMDLINE_VERSION_TEXT);
}

int
cmdline_number(struct cmdline *c, const char *opt_name, const char *value,
    long long min, long long max, long long *out)
{
	char text[CMDLINE_QUOTE_MAX + 8], what[CMDLINE_MSG_MAX];
	const char *p = value ? value : "";
	char *end = NULL;
	long long v;

	if (opt_name && strncmp(opt_name, "--", 2) == 0)
		opt_name += 2;
	errno = 0;
	/* strtoll alone takes " 12", "+12" and "0x1F"; a count on a command line
	 * is plain digits, maybe a minus */
	if ((p[0] >= '0' && p[0] <= '9') || (p[0] == '-' && p[1] >= '0' && p[1] <= '9')) {
		v = strtoll(p, &end, 10);
		if (errno == 0 && *end == '\0' && v >= min && v <= max) {
			*out = v;
			return 0;
		}
	}
	cmdline_quote(p, text, sizeof(text));
	snprintf(what, sizeof(what), "параметр «--%s»: нужно целое число от %lld до %lld, а не «%s»",
	    opt_name ? opt_name : "?", min, max, text);
	c->msg[0] = '\0';
	cmdline_say(c, what);
	return -1;
}
