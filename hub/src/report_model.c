/*
 * report_model — the report's sections of typed cells (see report_model.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_model.h"
#include "tetrad/terr.h"

#define REPORT_MODEL_BLOCK 65536   /* bytes of cell texts per block */

struct report_sect *
report_model_sect(struct report_out *o, const char *key, const char *title,
    const struct report_col *cols, size_t ncols)
{
	struct report_sect *s;

	if (o->nsects >= REPORT_MAX_SECTS)
		return NULL;
	s = &o->sects[o->nsects++];
	memset(s, 0, sizeof(*s));
	s->key = key;
	s->title = title;
	s->cols = cols;
	s->ncols = ncols;
	return s;
}

void
report_model_meta(struct report_out *o, const char *key, const char *label, bool number,
    const char *val)
{
	if (o->nmeta >= REPORT_MAX_META)
		return;
	o->meta[o->nmeta].key = key;
	o->meta[o->nmeta].label = label;
	o->meta[o->nmeta].number = number;
	snprintf(o->meta[o->nmeta].val, sizeof(o->meta[o->nmeta].val), "%s", val);
	o->nmeta++;
}

void
report_model_free(struct report_out *o)
{
	for (size_t k = 0; k < o->nsects; k++) {
		struct report_sect *s = &o->sects[k];

		while (s->strs != NULL) {
			struct report_strs *b = s->strs;

			s->strs = b->next;
			free(b);
		}
		for (size_t b = 0; b < s->nblocks; b++)
			free(s->blocks[b]);
		free(s->blocks);
	}
}

long
report_model_row(struct report_sect *s)
{
	size_t b = s->nrows / REPORT_MODEL_BLOCK_ROWS;

	if (s->nrows == s->cap) {
		/* the first block doubles up to its full size; later ones come full */
		size_t rows = b == 0 ? (s->cap ? s->cap * 2 : 16) : REPORT_MODEL_BLOCK_ROWS;
		struct report_cell *blk;

		if (b == s->capblocks) {
			size_t cap = s->capblocks ? s->capblocks * 2 : 4;
			struct report_cell **v = realloc(s->blocks, cap * sizeof(*v));

			if (v == NULL)
				return -1;
			s->blocks = v;
			s->capblocks = cap;
		}
		if (b == s->nblocks)
			s->blocks[s->nblocks++] = NULL;
		if ((blk = realloc(s->blocks[b], rows * s->ncols * sizeof(*blk))) == NULL)
			return -1;
		s->blocks[b] = blk;
		s->cap = b * REPORT_MODEL_BLOCK_ROWS + rows;
	}
	memset(report_model_cell(s, (long)s->nrows, 0), 0, s->ncols * sizeof(struct report_cell));
	return (long)s->nrows++;
}

struct report_cell *
report_model_cell(struct report_sect *s, long row, size_t col)
{
	size_t r = (size_t)row;

	return &s->blocks[r / REPORT_MODEL_BLOCK_ROWS][r % REPORT_MODEL_BLOCK_ROWS * s->ncols + col];
}

const struct report_cell *
report_model_at(const struct report_sect *s, size_t row, size_t col)
{
	return &s->blocks[row / REPORT_MODEL_BLOCK_ROWS][row % REPORT_MODEL_BLOCK_ROWS * s->ncols +
	    col];
}

/*
 * A copy of str among the section's texts. A strdup per cell was a malloc
 * and a free for each of the surveys report's ~2 M text cells at region
 * scale (malloc and free were ~12% of it); blocks of 64 KiB hold them all.
 */
static char *
report_model_text(struct report_sect *s, const char *str)
{
	size_t n = strlen(str) + 1;
	struct report_strs *b = s->strs;
	char *t;

	if (b == NULL || b->cap - b->len < n) {
		size_t cap = n > REPORT_MODEL_BLOCK ? n : REPORT_MODEL_BLOCK;

		if ((b = malloc(sizeof(*b) + cap)) == NULL)
			return NULL;
		b->next = s->strs;
		b->len = 0;
		b->cap = cap;
		s->strs = b;
	}
	t = b->text + b->len;
	memcpy(t, str, n);
	b->len += n;
	return t;
}

int
report_model_str(struct report_sect *s, long row, size_t col, const char *str)
{
	struct report_cell *c = report_model_cell(s, row, col);

	if (str == NULL)
		return 0;
	if ((c->s = report_model_text(s, str)) == NULL)
		return TERR_NOMEM;
	c->kind = REPORT_CELL_STR;
	return 0;
}

void
report_model_int(struct report_sect *s, long row, size_t col, long long v)
{
	struct report_cell *c = report_model_cell(s, row, col);

	c->kind = REPORT_CELL_INT;
	c->i = v;
}

void
report_model_num(struct report_sect *s, long row, size_t col, double v)
{
	struct report_cell *c = report_model_cell(s, row, col);

	c->kind = REPORT_CELL_NUM;
	c->d = v;
}

/* 10^dec, without libm: the hub links it only for the forms engine. */
static double
report_model_ten(int dec)
{
	double p = 1;

	for (int i = 0; i < dec; i++)
		p *= 10;
	return p;
}

/* d × p rounded half away from zero; |d × p| below 2^63. */
static long long
report_model_half_away(double d, double p)
{
	return (long long)(d * p + (d >= 0 ? 0.5 : -0.5));
}

double
report_model_round(double d, int dec)
{
	double p = report_model_ten(dec);

	return (double)report_model_half_away(d, p) / p;
}

/*
 * k as decimal digits with a separator before the last dec of them: what
 * snprintf("%.*f", dec, k / 10^dec) prints for |k| < 2^53, where k / 10^dec
 * is the double nearest to that decimal. A surveys report at region scale
 * has 257,000 lines of numbers, each measured and then written: snprintf
 * was a quarter of its rendering.
 */
static const char *
report_model_fixed(long long k, int dec, char decsep, char *buf, size_t cap)
{
	char tmp[32];
	size_t n = 0, o = 0;
	unsigned long long u = k < 0 ? 0ULL - (unsigned long long)k : (unsigned long long)k;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0 || n <= (size_t)dec);
	if (n + 3 > cap)
		return "";
	if (k < 0)
		buf[o++] = '-';
	while (n > 0) {
		if (dec > 0 && n == (size_t)dec)
			buf[o++] = decsep;
		buf[o++] = tmp[--n];
	}
	buf[o] = '\0';
	return buf;
}

const char *
report_model_cell_text(const struct report_cell *c, int dec, char decsep, char *buf, size_t cap)
{
	double p;

	switch (c->kind) {
	case REPORT_CELL_STR:
		return c->s;
	case REPORT_CELL_INT:
		return report_model_fixed(c->i, 0, decsep, buf, cap);
	case REPORT_CELL_NUM:
		p = report_model_ten(dec);
		/* as report_model_round rounds; beyond 2^53 the printf path below */
		if (dec >= 0 && dec <= 9 && c->d * p > -9.0e15 && c->d * p < 9.0e15)
			return report_model_fixed(report_model_half_away(c->d, p), dec, decsep,
			    buf, cap);
		snprintf(buf, cap, "%.*f", dec, report_model_round(c->d, dec));
		for (char *q = buf; *q; q++)
			if (*q == '.' || *q == ',')
				*q = decsep;
		if (strncmp(buf, "-0", 2) == 0) {
			/* -0.0 after rounding is just 0 */
			bool zero = true;

			for (char *q = buf + 1; *q; q++)
				if (*q >= '1' && *q <= '9')
					zero = false;
			if (zero)
				memmove(buf, buf + 1, strlen(buf));
		}
		return buf;
	default:
		return "";
	}
}

double
report_model_pct(long long n, long long d)
{
	return d > 0 ? 100.0 * (double)n / (double)d : 0;
}

