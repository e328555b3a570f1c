/*
 * prompt — field-by-field entry of a record on a terminal, in Russian:
 * shows each relevant field with its label, hint and choices, re-asks until
 * the answer converts and keeps the form's rules with the answers so far
 * (form_answer_check: a date before «Дата поступления» is refused at its
 * question), walks repeat groups and per-factor (per-dictionary) items,
 * goes back a question on «<» / «назад», and ends with a numbered summary
 * to save, keep as a draft or correct one answer. Reads lines from in and
 * writes questions to out.
 */
#ifndef TETRAD_CLIENT_PROMPT_H
#define TETRAD_CLIENT_PROMPT_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "tetrad/form.h"
#include "tetrad/terr.h"

/* Longest answer line accepted (bytes). */
#define PROMPT_LINE_MAX 8192

/* What the person chose at the summary (prompt_review). */
enum prompt_end {
	PROMPT_END_FINAL = 0,  /* save: the answers pass every check */
	PROMPT_END_DRAFT,      /* keep as a draft (the form's draft check passes) */
	PROMPT_END_DISCARD,    /* leave without saving (asked twice) */
};

struct prompt_opts {
	/* answered before the walk (the record's school): shown, not asked */
	const struct form_field *preset;
	/* a top-level field: only its questions are asked (`tetrad edit ID
	 * FIELD`); NULL: all */
	const struct form_field *only;
	/* set by the caller's signal handler (Ctrl+C, a closed terminal):
	 * input then ends as at end of file; NULL: none */
	const volatile sig_atomic_t *stop;
	/* a final record: no draft is offered at the summary */
	bool no_draft;
	/*
	 * Called when the items of a per-dictionary group have been made and
	 * before they are walked, with the whole record: puts in read-only
	 * values that come from outside the entry (the issued risk profile's
	 * levels), so each is shown beside its item. NULL: none.
	 */
	int (*fill_readonly)(void *ctx, const struct form *f, cJSON *values,
	    struct terr *e);
	void *fill_ctx;
};

/*
 * Asks for every field of f into values (an object, may hold earlier
 * answers which are offered as defaults). TERR_ARG if input ends (EOF, or
 * *o->stop set) before the walk is complete: values then hold the answers
 * given so far (the caller keeps them as a draft). o may be NULL.
 */
int prompt_walk(const struct form *f, cJSON *values, FILE *in, FILE *out,
    const struct prompt_opts *o, struct terr *e);

/* prompt_walk with no options (kept for the tests and simple callers). */
int prompt_fill(const struct form *f, cJSON *values, FILE *in, FILE *out,
    struct terr *e);

/*
 * The summary after the walk: every answer numbered with its label, the
 * problems of the final checks if any, then «Сохранить? [да / черновик /
 * изменить N / нет]» until answered; «изменить N» (or just N) asks answer N
 * again (and every required question left empty after it) and shows the
 * summary again. «да» only when the final checks pass, «черновик» only when
 * the draft check passes (never a draft that cannot be saved). TERR_ARG when
 * input ends (values hold every answer given).
 */
int prompt_review(const struct form *f, cJSON *values, FILE *in, FILE *out,
    const struct prompt_opts *o, enum prompt_end *end, struct terr *e);

/* Asks a yes/no question until answered; TERR_ARG on end of input. */
int prompt_yesno(FILE *in, FILE *out, const char *question, bool *answer,
    struct terr *e);

/*
 * Offers items (n ≥ 1) as a numbered list under question and reads a number
 * or an item itself until one is chosen (*pick: its index). TERR_ARG when
 * input ends or *stop is set (stop may be NULL).
 */
int prompt_choose(FILE *in, FILE *out, const char *question,
    const char *const *items, size_t n, size_t *pick,
    const volatile sig_atomic_t *stop, struct terr *e);

#endif
