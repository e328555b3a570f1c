/*
 * fuzz_cmdline — any argv into the one argument parser (cmdline.h). The
 * input is split at NUL bytes into words; the first byte picks a spec (a
 * command with options, or a top level that stops at the command word).
 * Whatever the words: every call ends in one of the documented results;
 * an option's value is one of the words or a tail of one; at CMDLINE_END
 * the positional count keeps spec's bounds; a mistake's message is
 * non-empty, bounded, valid UTF-8 when the words were, and names the
 * command; a second parse of the same words gives the same answers
 * (getopt's globals reset).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline/cmdline.h"
#include "tetrad/changeset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_WORDS 40

static const struct cmdline_opt fuzz_opts[] = {
	{ "out", 1, 1, 'o' },
	{ "json", 0, 2, 'j' },
	{ "outbox", 0, 3, 0 },
	{ "batch", 1, 4, 'b' },
	{ "h", 0, 5, 0 },
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec fuzz_specs[] = {
	{ "tetrad", "export", "Использование: x\n", fuzz_opts, 1, 2, 0 },
	{ "tetrad", NULL, "Использование: x\n", fuzz_opts, 1, -1, 1 },
	{ "tetrad-hub", "keys list", "Использование: x\n", NULL, 0, 0, 0 },
};

/* value points into one of the words */
static int
fuzz_in_words(const char *v, char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		if (v >= argv[i] && v <= argv[i] + strlen(argv[i]))
			return 1;
	return 0;
}

/* one whole parse; the answers into trace (ids, final code) */
static int
fuzz_parse(const struct cmdline_spec *spec, int argc, char **argv, int *trace, int *n_trace,
    struct cmdline *c)
{
	const char *v;
	int r;

	*n_trace = 0;
	cmdline_begin(c, spec, argc, argv);
	for (;;) {
		r = cmdline_next(c, &v);
		if (*n_trace < 256)
			trace[(*n_trace)++] = r;
		if (r <= 0)
			break;
		if (r > 5)
			abort();
		if ((r == 1 || r == 4) && (v == NULL || !fuzz_in_words(v, argv, argc)))
			abort();
		if (r != 1 && r != 4 && v != NULL)
			abort();
	}
	if (r != CMDLINE_END && r != CMDLINE_HELP && r != CMDLINE_VERSION && r != CMDLINE_BAD)
		abort();
	/* ended stays ended */
	if (cmdline_next(c, NULL) != r)
		abort();
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[FUZZ_WORDS + 1], *copy[FUZZ_WORDS + 1];
	int argc = 0, t1[256], t2[256], n1, n2, r, utf8_ok = 1;
	const struct cmdline_spec *spec;
	struct cmdline c;
	size_t i, start;

	if (size < 1 || size > 4096)
		return 0;
	spec = &fuzz_specs[data[0] % 3];
	if ((buf = malloc(size)) == NULL)
		abort();
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	argv[argc++] = (char *)(uintptr_t)"cmd";
	for (start = 0, i = 0; i < size && argc < FUZZ_WORDS; i++) {
		if (buf[i] != '\0')
			continue;
		argv[argc++] = buf + start;
		start = i + 1;
		if (start >= size)
			break;
	}
	argv[argc] = NULL;
	memcpy(copy, argv, sizeof(argv));
	for (int k = 1; k < argc; k++)
		if (changeset_check_utf8(argv[k], strlen(argv[k])) != 0)
			utf8_ok = 0;

	r = fuzz_parse(spec, argc, argv, t1, &n1, &c);
	if (r == CMDLINE_BAD) {
		size_t n = strlen(c.msg);
		const char *who = spec->command ? spec->command : spec->prog;

		if (n == 0 || n >= CMDLINE_MSG_MAX || strstr(c.msg, who) == NULL)
			abort();
		/* valid words make a valid message: nothing cut mid-letter */
		if (utf8_ok && changeset_check_utf8(c.msg, n) != 0)
			abort();
	} else if (c.msg[0] != '\0') {
		abort();
	}
	if (r == CMDLINE_END) {
		int max = spec->max_pos < 0 ? CMDLINE_MAX_POS : spec->max_pos;

		if (c.n_pos > max || c.n_pos < 0)
			abort();
		if (!spec->stop_at_pos && c.n_pos < spec->min_pos)
			abort();
		if (spec->stop_at_pos && (c.next < 1 || c.next >= argc || c.pos[0] != argv[c.next]))
			abort();
	}
	/* argv is not permuted, and a second parse says the same */
	if (memcmp(copy, argv, sizeof(argv)) != 0)
		abort();
	if (fuzz_parse(spec, argc, argv, t2, &n2, &c) != r || n1 != n2 ||
	    memcmp(t1, t2, (size_t)n1 * sizeof(int)) != 0)
		abort();
	free(buf);
	return 0;
}
