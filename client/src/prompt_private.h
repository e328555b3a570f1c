/*
 * prompt_private — what prompt.c (the walk) and prompt_review.c (the
 * summary after it) share: the state of one entry and the helpers both use.
 */
#ifndef TETRAD_CLIENT_PROMPT_PRIVATE_H
#define TETRAD_CLIENT_PROMPT_PRIVATE_H

#include <stdint.h>

#include "client/prompt.h"

/* The walk starts over (a positive code: never a TERR_*). */
#define PROMPT_BACK 1
#define PROMPT_NONE SIZE_MAX

struct prompt {
	const struct form *f;
	FILE *in, *out;
	struct terr *e;
	struct prompt_opts o;
	char line[PROMPT_LINE_MAX];
	const cJSON *scopes[FORM_MAX_DEPTH + 2];
	cJSON *root;         /* the record being walked (scopes[0], writable) */
	bool summary;        /* print the answers, numbered, instead of asking */
	size_t qno;          /* questions met so far in this walk */
	size_t replay;       /* questions before this one are kept as they are */
	size_t fix;          /* PROMPT_NONE, or the one question to ask again */
	size_t floor;        /* the first question that may be asked: «назад» stops there */
	const struct form_field *top;   /* the top-level field being walked */
	size_t *shown;       /* summary: line number - 1 -> question */
	size_t n_shown, cap_shown;
};

/* A new state (NULL with e set on no memory); o may be NULL. */
struct prompt *prompt_new(const struct form *f, FILE *in, FILE *out,
    const struct prompt_opts *o, struct terr *e);
void prompt_free(struct prompt *p);
/* Reads one line into p->line, trimmed; TERR_ARG on end of input or a stop. */
int prompt_read(struct prompt *p);
/* Whether s (leading blanks skipped) is one of words (NULL-terminated). */
bool prompt_word(const char *s, const char *const *words);
/* Walks the whole form as p says (asking, or the summary), again after
 * every «назад»; 0 or a TERR_* code. */
int prompt_run(struct prompt *p, cJSON *values);

extern const char *const prompt_yes[], *const prompt_no[], *const prompt_back[];

#endif
