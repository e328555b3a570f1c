/*
 * dash_chart_answers — the surveys' answers as stacked bars
 * (dash_chart_answers.h). The section holds a row per school, question and
 * answer with the answer's count and its share of the school's respondents
 * to the question; those respondents are count / share, summed once per
 * school. A question where one may tick several answers has more answers
 * than respondents: its shares do not add up to 100 and its heading says so.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash_chart.h"
#include "dash_chart_stack.h"
#include "dash_chart_answers.h"

#define ANSWERS_Q_MAX 400            /* questions drawn (all groups) */
#define ANSWERS_A_MAX 16             /* answers of a question; the rest summed as «прочие» */

struct answers_a {
	const char *code, *label;
	long long n;
	char shown[48];
};

struct answers_q {
	const char *group, *group_label, *question, *label;
	const char *last_school;         /* whose respondents were added last */
	long long answered;
	long long other;                 /* answers past ANSWERS_A_MAX */
	size_t na;
	struct answers_a a[ANSWERS_A_MAX];
};

struct answers_cols {
	long school, group, glabel, question, qlabel, answer, alabel, count, share;
};

static bool
answers_numeric(const char *s)
{
	if (*s == '-')
		s++;
	return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

/* Scales in their order, да before нет, choices the most given first. */
static int
answers_cmp(const void *x, const void *y)
{
	const struct answers_a *a = x, *b = y;

	if (answers_numeric(a->code) && answers_numeric(b->code))
		return atoll(a->code) < atoll(b->code) ? -1 : atoll(a->code) > atoll(b->code);
	if (strcmp(a->code, "true") == 0 || strcmp(b->code, "false") == 0)
		return -1;
	if (strcmp(b->code, "true") == 0 || strcmp(a->code, "false") == 0)
		return 1;
	return a->n > b->n ? -1 : a->n < b->n ? 1 : strcmp(a->code, b->code);
}

/* The question of row r (found, or added); NULL when full or the row is odd. */
static struct answers_q *
answers_find(struct answers_q *q, size_t *nq, size_t *hint, const struct report_sect *s,
    size_t r, const struct answers_cols *c)
{
	const char *g = chart_str(s, r, c->group), *qu = chart_str(s, r, c->question);

	if (g == NULL || qu == NULL)
		return NULL;
	/* rows come school by school in one order: the next question is the likely one */
	for (size_t k = 0; k < 2 && *hint + k < *nq; k++)
		if (strcmp(q[*hint + k].question, qu) == 0 && strcmp(q[*hint + k].group, g) == 0)
			return &q[*hint += k];
	for (size_t i = 0; i < *nq; i++)
		if (strcmp(q[i].question, qu) == 0 && strcmp(q[i].group, g) == 0)
			return &q[*hint = i];
	if (*nq == ANSWERS_Q_MAX)
		return NULL;
	q[*nq].group = g;
	q[*nq].group_label = chart_str(s, r, c->glabel) ? chart_str(s, r, c->glabel) : g;
	q[*nq].question = qu;
	q[*nq].label = chart_str(s, r, c->qlabel) ? chart_str(s, r, c->qlabel) : qu;
	*hint = *nq;
	return &q[(*nq)++];
}

static void
answers_add(struct answers_q *q, const struct report_sect *s, size_t r,
    const struct answers_cols *c)
{
	const char *code = chart_str(s, r, c->answer), *school = chart_str(s, r, c->school);
	double n, share;
	size_t i;

	if (code == NULL || !chart_num(s, r, c->count, &n))
		return;
	/* the school's respondents to the question, once per school */
	if (school != NULL && (q->last_school == NULL || strcmp(q->last_school, school) != 0) &&
	    chart_num(s, r, c->share, &share) && share > 0) {
		q->answered += llround(n * 100 / share);
		q->last_school = school;
	}
	for (i = 0; i < q->na && strcmp(q->a[i].code, code) != 0; i++)
		;
	if (i == q->na && q->na == ANSWERS_A_MAX) {
		q->other += (long long)n;
		return;
	}
	if (i == q->na) {
		q->a[i].code = code;
		q->a[i].label = chart_str(s, r, c->alabel) ? chart_str(s, r, c->alabel) : code;
		q->na++;
	}
	q->a[i].n += (long long)n;
}

/* The figure of one group: its questions' bars. */
static void
answers_figure(struct html *h, struct answers_q *q, size_t nq, const char *group)
{
	struct chart_part parts[ANSWERS_A_MAX + 1];
	char head[400], cap[200], other[48], pct[24];
	double hgt = 8, y = 4;
	bool multi_any = false;

	for (int pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			snprintf(cap, sizeof(cap), "Распределение ответов: %s", q[0].group_label);
			html_open(h, "figure", "class", "chart answers", "data-chart", "answers",
			    "data-key", group, NULL);
			html_elem(h, "figcaption", cap, NULL);
			chart_svg_open(h, CHART_W, (int)hgt, cap);
		}
		for (size_t i = 0; i < nq; i++) {
			long long sum = q[i].other;
			size_t np = 0;
			bool multi;

			if (strcmp(q[i].group, group) != 0 || q[i].answered <= 0)
				continue;
			for (size_t k = 0; k < q[i].na; k++)
				sum += q[i].a[k].n;
			multi = sum > q[i].answered;
			multi_any |= multi;
			for (size_t k = 0; k < q[i].na; k++) {
				snprintf(q[i].a[k].shown, sizeof(q[i].a[k].shown), "%s %% (%lld)",
				    chart_ru(pct, (double)q[i].a[k].n * 100 / (double)q[i].answered),
				    q[i].a[k].n);
				parts[np++] = (struct chart_part){ q[i].a[k].label, (double)q[i].a[k].n,
				    q[i].a[k].shown, NULL };
			}
			if (q[i].other > 0) {
				snprintf(other, sizeof(other), "(%lld)", q[i].other);
				parts[np++] = (struct chart_part){ "прочие", (double)q[i].other, other,
				    NULL };
			}
			snprintf(head, sizeof(head), "%s — ответили %lld%s", q[i].label, q[i].answered,
			    multi ? "; можно несколько ответов" : "");
			if (pass == 0)
				hgt += chart_stack_height(parts, np);
			else
				y += chart_stack_row(h, y, head, q[i].question, parts, np);
		}
	}
	html_close(h, "svg");
	html_elem(h, "p", multi_any ? "Доли — от ответивших на вопрос, в скобках — число ответов; "
	    "где можно несколько ответов, доли в сумме больше 100 %." : "Доли — от ответивших на "
	    "вопрос, в скобках — число ответов.", "class", "muted small", NULL);
	html_close(h, "figure");
}

void
dash_chart_answers(struct html *h, const struct report_out *o)
{
	const struct report_sect *s = chart_sect(o, "distribution");
	struct answers_cols c;
	struct answers_q *q;
	size_t nq = 0, hint = 0;

	if (s == NULL || s->nrows == 0)
		return;
	c = (struct answers_cols){ chart_col(s, "school"), chart_col(s, "group"),
	    chart_col(s, "group_label"), chart_col(s, "question"), chart_col(s, "question_label"),
	    chart_col(s, "answer"), chart_col(s, "answer_label"), chart_col(s, "count"),
	    chart_col(s, "share") };
	if (c.group < 0 || c.question < 0 || c.answer < 0 || c.count < 0 ||
	    (q = calloc(ANSWERS_Q_MAX, sizeof(*q))) == NULL)
		return;
	for (size_t r = 0; r < s->nrows; r++) {
		struct answers_q *x = answers_find(q, &nq, &hint, s, r, &c);

		if (x != NULL)
			answers_add(x, s, r, &c);
	}
	for (size_t i = 0; i < nq; i++)
		qsort(q[i].a, q[i].na, sizeof(q[i].a[0]), answers_cmp);
	/* a figure per group, in the order the groups come */
	for (size_t i = 0; i < nq; i++) {
		size_t k;

		for (k = 0; k < i && strcmp(q[k].group, q[i].group) != 0; k++)
			;
		if (k == i)
			answers_figure(h, q + i, nq - i, q[i].group);
	}
	free(q);
}
