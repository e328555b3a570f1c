/*
 * results — checks and all-or-nothing import of the regional results CSV
 * (ВПР/ОГЭ participants and those below the minimum level, or their
 * shares; an imported ИСБШ on its scale). The format is in
 * docs/reports.md. The file is read by the shared bounded CSV parser
 * (tetrad/csv.h); every row is checked here, all bad rows reported at once.
 * libFuzzer target: tests/fuzz/fuzz_results_csv.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hub/results.h"
#include "tetrad/csv.h"
#include "tetrad/csvtab.h"
#include "tetrad/decimal.h"
#include "tetrad/fileio.h"
#include "tetrad/school.h"

#define RESULTS_MSG_MAX 400

struct results_set {
	struct results_row *rows;
	size_t n_rows, cap_rows;
	char **bad;
	size_t n_bad, n_bad_kept;
};

struct indicator_def {
	const char *code;
	double lo, hi;
	bool counts;          /* a subject: participants and below may be given */
};

static const struct indicator_def indicators[] = {
	{ "vpr4_rus", 0, 100, true },
	{ "vpr4_math", 0, 100, true },
	{ "oge9_rus", 0, 100, true },
	{ "oge9_math", 0, 100, true },
	{ "low_share", 0, 100, false },
	{ RESULTS_ISBSH, -8, 8, false },
	{ RESULTS_ISBSH_100, 0, 100, false },
};

#define INDICATORS_LIST "vpr4_rus, vpr4_math, oge9_rus, oge9_math, low_share, " \
	"isbsh, isbsh_100"

/*
 * A count's percent and a percent typed beside it agree when they differ by
 * at most half a point: the region rounds to a whole percent or finer.
 */
#define RESULTS_PCT_SLACK 0.5

int
results_indicator_known(const char *code, double *lo, double *hi)
{
	for (size_t i = 0; i < sizeof(indicators) / sizeof(indicators[0]); i++) {
		if (strcmp(code, indicators[i].code) == 0) {
			if (lo)
				*lo = indicators[i].lo;
			if (hi)
				*hi = indicators[i].hi;
			return 1;
		}
	}
	return 0;
}

int
results_indicator_counts(const char *code)
{
	for (size_t i = 0; i < sizeof(indicators) / sizeof(indicators[0]); i++)
		if (strcmp(code, indicators[i].code) == 0)
			return indicators[i].counts;
	return 0;
}

void
results_set_free(struct results_set *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n_bad_kept; i++)
		free(s->bad[i]);
	free(s->bad);
	free(s->rows);
	free(s);
}

size_t
results_set_n_rows(const struct results_set *s)
{
	return s ? s->n_rows : 0;
}

const struct results_row *
results_set_row(const struct results_set *s, size_t i)
{
	return s && i < s->n_rows ? &s->rows[i] : NULL;
}

size_t
results_set_n_bad(const struct results_set *s)
{
	return s ? s->n_bad : 0;
}

size_t
results_set_n_bad_kept(const struct results_set *s)
{
	return s ? s->n_bad_kept : 0;
}

const char *
results_set_bad(const struct results_set *s, size_t i)
{
	return s && i < s->n_bad_kept ? s->bad[i] : NULL;
}

static int
set_add_bad(struct results_set *s, const char *msg)
{
	s->n_bad++;
	if (s->n_bad_kept >= RESULTS_BAD_KEEP)
		return 0;
	if (s->bad == NULL) {
		s->bad = calloc(RESULTS_BAD_KEEP, sizeof(*s->bad));
		if (s->bad == NULL)
			return TERR_NOMEM;
	}
	if ((s->bad[s->n_bad_kept] = strdup(msg)) == NULL)
		return TERR_NOMEM;
	s->n_bad_kept++;
	return 0;
}

/* One row as row_validate reads it: cells cut to RESULTS_FIELD_MAX. */
struct results_record {
	size_t n;                    /* cells in the row (may exceed RESULTS_MAX_COLS) */
	char f[RESULTS_MAX_COLS][RESULTS_FIELD_MAX + 1];
	size_t len[RESULTS_MAX_COLS];
	bool too_long;
	size_t line;                 /* line the row starts on */
};

/* Trims ASCII blanks in place. */
static char *
trim(char *s)
{
	char *t;

	while (*s == ' ' || *s == '\t')
		s++;
	t = s + strlen(s);
	while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
		*--t = '\0';
	return s;
}

/*
 * school, year and indicator are required; value, or participants and
 * below together (the counts a regional export has), or all three.
 */
enum { COL_SCHOOL, COL_YEAR, COL_INDICATOR, COL_VALUE, COL_PARTICIPANTS, COL_BELOW,
	COL_N };
#define COL_NAMES 6

static const char *const col_names[COL_N][COL_NAMES] = {
	[COL_SCHOOL] = { "school", "school_code", "код оо", "код", "код школы", NULL },
	[COL_YEAR] = { "year", "год", NULL, NULL, NULL, NULL },
	[COL_INDICATOR] = { "indicator", "показатель", NULL, NULL, NULL, NULL },
	[COL_VALUE] = { "value", "значение", "доля", NULL, NULL, NULL },
	[COL_PARTICIPANTS] = { "participants", "участников", "участники",
	    "число участников", "количество участников", NULL },
	[COL_BELOW] = { "below", "below_min", "ниже минимального",
	    "ниже минимального уровня", "не достигли минимального уровня",
	    "число ниже минимального" },
};

static const char *const col_titles[COL_N] = {
	"school (код ОО)", "year (год)", "indicator (показатель)", "value (значение)",
	"participants (участников)", "below (ниже минимального)",
};

static int
header_column(const char *name)
{
	char low[RESULTS_FIELD_MAX * 2 + 4];

	csvtab_lower(name, low, sizeof(low));
	for (int k = 0; k < COL_N; k++)
		for (int j = 0; j < COL_NAMES && col_names[k][j]; j++)
			if (strcmp(low, col_names[k][j]) == 0)
				return k;
	return -1;
}

/*
 * Decimal "35", "-2,5", "12.75", "40%": decimal_parse's numbers, and a
 * trailing percent sign as spreadsheets write shares, also after a space,
 * a no-break space or a narrow one («31,5 %», as Russian typography and a
 * Russian spreadsheet's percent format write it). 0 on success.
 */
static int
parse_decimal(const char *s, double *out)
{
	char buf[RESULTS_FIELD_MAX + 1];
	size_t n = strlen(s);

	if (n > 0 && s[n - 1] == '%') {
		n--;
		if (n > 0 && s[n - 1] == ' ')
			n--;
		else if (n > 2 && memcmp(s + n - 2, "\xc2\xa0", 2) == 0)
			n -= 2;                     /* U+00A0 */
		else if (n > 3 && memcmp(s + n - 3, "\xe2\x80\xaf", 3) == 0)
			n -= 3;                     /* U+202F */
	}
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return decimal_parse(buf, false, out);
}

/* Appends "; what" (or "what" first) to msg, bounded. */
static void
msg_add(char *msg, size_t cap, const char *what)
{
	size_t n = strlen(msg);

	if (n >= cap - 1)
		return;
	snprintf(msg + n, cap - n, "%s%s", msg[n - 1] == ':' ? " " : "; ", what);
}

/* 100 × below / participants of a row with counts. */
static double
pct_of(const struct results_row *row)
{
	return 100.0 * (double)row->below / (double)row->participants;
}

/* A whole count of people: digits only, at most max. */
static int
parse_count(const char *s, long long max, long long *out)
{
	double v;

	if (s[0] < '0' || s[0] > '9' || decimal_parse(s, true, &v) != 0 || v > (double)max)
		return -1;
	*out = (long long)v;
	return 0;
}

/*
 * The participants and below cells of a row that has one of them: both
 * needed, whole numbers, 1 ≤ participants, below ≤ participants, and only
 * for a subject. Problems are appended to msg; row->counts is set when
 * all is well.
 */
static void
row_counts(struct results_row *row, const char *p, const char *b, char *msg,
    size_t cap)
{
	char what[200], q[64];
	bool ok = true;

	if (p[0] == '\0' || b[0] == '\0') {
		msg_add(msg, cap, "нужны оба числа: участников и ниже минимального "
		    "уровня (или ни одного)");
		return;
	}
	if (row->indicator[0] && !results_indicator_counts(row->indicator)) {
		snprintf(what, sizeof(what), "у показателя %s не бывает числа участников "
		    "(оно только у vpr4_rus, vpr4_math, oge9_rus, oge9_math)",
		    row->indicator);
		msg_add(msg, cap, what);
		return;
	}
	if (parse_count(p, RESULTS_PARTICIPANTS_MAX, &row->participants) != 0 ||
	    row->participants < 1) {
		csvtab_quote(p, q, sizeof(q));
		snprintf(what, sizeof(what), "участников «%s» — нужно целое число от 1 "
		    "до %d", q, RESULTS_PARTICIPANTS_MAX);
		msg_add(msg, cap, what);
		ok = false;
	}
	if (parse_count(b, RESULTS_PARTICIPANTS_MAX, &row->below) != 0) {
		csvtab_quote(b, q, sizeof(q));
		snprintf(what, sizeof(what), "ниже минимального «%s» — нужно целое "
		    "число от 0", q);
		msg_add(msg, cap, what);
		ok = false;
	} else if (ok && row->below > row->participants) {
		snprintf(what, sizeof(what), "ниже минимального %lld — больше, чем "
		    "участников (%lld)", row->below, row->participants);
		msg_add(msg, cap, what);
		ok = false;
	}
	row->counts = ok;
}

static int
row_validate(struct results_set *s, struct results_record *r, const int map[COL_N],
    size_t ncols)
{
	char msg[RESULTS_MSG_MAX], what[320], q[64];
	struct results_row row;
	size_t n0;
	double lo = 0, hi = 0;
	char *school, *year, *ind, *cnt_p = NULL, *cnt_b = NULL;
	const char *val;
	char ind_low[RESULTS_INDICATOR_MAX * 2 + 8];
	bool counts = false;

	memset(&row, 0, sizeof(row));
	row.line = r->line;
	snprintf(msg, sizeof(msg), "строка %zu:", r->line);
	n0 = strlen(msg);
	if (r->n != ncols) {
		snprintf(what, sizeof(what), "столбцов %zu, а в заголовке %zu", r->n, ncols);
		msg_add(msg, sizeof(msg), what);
		return set_add_bad(s, msg);
	}
	if (r->too_long) {
		snprintf(what, sizeof(what), "ячейка длиннее %d байт", RESULTS_FIELD_MAX);
		msg_add(msg, sizeof(msg), what);
		return set_add_bad(s, msg);
	}
	school = trim(r->f[map[COL_SCHOOL]]);
	year = trim(r->f[map[COL_YEAR]]);
	ind = trim(r->f[map[COL_INDICATOR]]);
	val = map[COL_VALUE] >= 0 ? trim(r->f[map[COL_VALUE]]) : "";
	if (map[COL_PARTICIPANTS] >= 0) {
		cnt_p = trim(r->f[map[COL_PARTICIPANTS]]);
		cnt_b = trim(r->f[map[COL_BELOW]]);
		counts = cnt_p[0] != '\0' || cnt_b[0] != '\0';
	}

	if (!school_code_ok(school)) {
		csvtab_quote(school, q, sizeof(q));
		snprintf(what, sizeof(what), "код ОО «%s» — нужны цифры или латинские "
		    "буквы, не длиннее %d", q, RESULTS_SCHOOL_MAX);
		msg_add(msg, sizeof(msg), what);
	} else {
		snprintf(row.school, sizeof(row.school), "%s", school);
	}

	{
		char *end = NULL;
		long y;

		errno = 0;
		y = strtol(year, &end, 10);
		if (*year < '0' || *year > '9' || errno || *end ||
		    y < RESULTS_YEAR_MIN || y > RESULTS_YEAR_MAX) {
			csvtab_quote(year, q, sizeof(q));
			snprintf(what, sizeof(what), "год «%s» — нужно число от %d до %d",
			    q, RESULTS_YEAR_MIN, RESULTS_YEAR_MAX);
			msg_add(msg, sizeof(msg), what);
		} else {
			row.year = (int)y;
		}
	}

	csvtab_lower(ind, ind_low, sizeof(ind_low));
	if (strlen(ind_low) > RESULTS_INDICATOR_MAX ||
	    !results_indicator_known(ind_low, &lo, &hi)) {
		csvtab_quote(ind, q, sizeof(q));
		snprintf(what, sizeof(what), "показатель «%s» неизвестен (допустимы: "
		    INDICATORS_LIST ")", q);
		msg_add(msg, sizeof(msg), what);
	} else {
		/* known codes are short: the length was checked above */
		memcpy(row.indicator, ind_low, strlen(ind_low) + 1);
	}

	if (counts)
		row_counts(&row, cnt_p, cnt_b, msg, sizeof(msg));
	if (counts && val[0] == '\0') {
		/* the percent is the counts' */
	} else if (parse_decimal(val, &row.value) != 0) {
		csvtab_quote(val, q, sizeof(q));
		if (val[0])
			snprintf(what, sizeof(what), "значение «%s» — не число", q);
		else
			snprintf(what, sizeof(what), "нет значения: нужна доля, %% (или "
			    "число участников и число ниже минимального уровня)");
		msg_add(msg, sizeof(msg), what);
	} else if (row.indicator[0] && (row.value < lo || row.value > hi)) {
		csvtab_quote(val, q, sizeof(q));
		snprintf(what, sizeof(what), "значение «%s» вне допустимого диапазона "
		    "%g…%g", q, lo, hi);
		msg_add(msg, sizeof(msg), what);
	} else if (row.counts && (row.value - pct_of(&row) > RESULTS_PCT_SLACK ||
	    pct_of(&row) - row.value > RESULTS_PCT_SLACK)) {
		char pct[32], *dot;

		/* a Russian reader writes 25,0 */
		snprintf(pct, sizeof(pct), "%.1f", pct_of(&row));
		if ((dot = strchr(pct, '.')) != NULL)
			*dot = ',';
		csvtab_quote(val, q, sizeof(q));
		snprintf(what, sizeof(what), "значение «%s» не сходится с числами: %lld "
		    "из %lld — это %s %%", q, row.below, row.participants, pct);
		msg_add(msg, sizeof(msg), what);
	}
	/* with counts the stored percent is theirs, not a rounded copy */
	if (row.counts)
		row.value = pct_of(&row);

	if (strlen(msg) != n0)
		return set_add_bad(s, msg);
	if (s->n_rows >= RESULTS_MAX_ROWS)
		return TERR_TOO_LARGE;
	if (s->n_rows == s->cap_rows) {
		size_t cap = s->cap_rows ? s->cap_rows * 2 : 64;
		struct results_row *nr = realloc(s->rows, cap * sizeof(*nr));

		if (nr == NULL)
			return TERR_NOMEM;
		s->rows = nr;
		s->cap_rows = cap;
	}
	s->rows[s->n_rows++] = row;
	return 0;
}

/* The key a row may hold once per school and year: both ИСБШ scales are one. */
static const char *
row_key_indicator(const struct results_row *w)
{
	return strcmp(w->indicator, RESULTS_ISBSH_100) == 0 ? RESULTS_ISBSH : w->indicator;
}

static int
row_key_cmp(const void *a, const void *b)
{
	const struct results_row *x = *(const struct results_row *const *)a;
	const struct results_row *y = *(const struct results_row *const *)b;
	int c;

	if ((c = strcmp(x->school, y->school)) != 0)
		return c;
	if (x->year != y->year)
		return x->year < y->year ? -1 : 1;
	if ((c = strcmp(row_key_indicator(x), row_key_indicator(y))) != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The same school, year and indicator twice in one file is a mistake. */
static int
find_duplicates(struct results_set *s)
{
	const struct results_row **idx;
	int r = 0;

	if (s->n_rows < 2)
		return 0;
	if ((idx = calloc(s->n_rows, sizeof(*idx))) == NULL)
		return TERR_NOMEM;
	for (size_t i = 0; i < s->n_rows; i++)
		idx[i] = &s->rows[i];
	qsort(idx, s->n_rows, sizeof(*idx), row_key_cmp);
	for (size_t i = 1; i < s->n_rows && r == 0; i++) {
		const struct results_row *a = idx[i - 1], *b = idx[i];
		char msg[RESULTS_MSG_MAX];

		if (strcmp(a->school, b->school) || a->year != b->year ||
		    strcmp(row_key_indicator(a), row_key_indicator(b)))
			continue;
		snprintf(msg, sizeof(msg), "строка %zu: повторяет строку %zu "
		    "(код ОО %s, год %d, показатель %s)", b->line, a->line,
		    b->school, b->year, b->indicator);
		r = set_add_bad(s, msg);
	}
	free(idx);
	return r;
}

/* State of results_parse between the rows tetrad/csv.h hands it. */
struct results_reader {
	struct results_set *s;
	struct results_record *rec;
	int map[COL_N];
	size_t ncols;
	bool have_header;
	struct terr *e;
};

/* The header: the columns it names, in any order, extra ones allowed. */
static int
results_header(struct results_reader *rd)
{
	struct results_record *rec = rd->rec;

	if (rec->n > RESULTS_MAX_COLS || rec->too_long)
		return terr_set(rd->e, TERR_PARSE, "строка %zu: в заголовке больше %d столбцов "
		    "или слишком длинное имя столбца", rec->line, RESULTS_MAX_COLS);
	rd->ncols = rec->n;
	for (int k = 0; k < COL_N; k++)
		rd->map[k] = -1;
	for (size_t i = 0; i < rd->ncols; i++) {
		int k = header_column(trim(rec->f[i]));

		if (k < 0)
			continue;   /* extra columns (school name, ...) are allowed */
		if (rd->map[k] >= 0)
			return terr_set(rd->e, TERR_PARSE, "строка %zu: столбец %s указан в "
			    "заголовке дважды", rec->line, col_titles[k]);
		rd->map[k] = (int)i;
	}
	for (int k = 0; k <= COL_INDICATOR; k++)
		if (rd->map[k] < 0)
			return terr_set(rd->e, TERR_PARSE, "строка %zu: в заголовке нет столбца %s "
			    "(нужны school, year, indicator и value или participants и below "
			    "через «;» или «,»)", rec->line, col_titles[k]);
	if ((rd->map[COL_PARTICIPANTS] < 0) != (rd->map[COL_BELOW] < 0)) {
		int has = rd->map[COL_PARTICIPANTS] >= 0 ? COL_PARTICIPANTS : COL_BELOW;

		return terr_set(rd->e, TERR_PARSE, "строка %zu: в заголовке есть столбец %s, "
		    "но нет столбца %s: числа участников и ниже минимального уровня "
		    "нужны вместе", rec->line, col_titles[has],
		    col_titles[has == COL_BELOW ? COL_PARTICIPANTS : COL_BELOW]);
	}
	if (rd->map[COL_VALUE] < 0 && rd->map[COL_PARTICIPANTS] < 0)
		return terr_set(rd->e, TERR_PARSE, "строка %zu: в заголовке нет столбца %s "
		    "(или столбцов participants и below с числами участников)", rec->line,
		    col_titles[COL_VALUE]);
	rd->have_header = true;
	return 0;
}

static int
results_row(size_t line, size_t n, char *const *cells, void *arg)
{
	struct results_reader *rd = arg;
	struct results_record *rec = rd->rec;
	struct results_set *s = rd->s;
	int r;

	if (n == 1 && cells[0][0] == '\0')
		return 0;   /* blank line */
	rec->n = n;
	rec->line = line;
	rec->too_long = false;
	for (size_t i = 0; i < n && i < RESULTS_MAX_COLS; i++) {
		size_t l = strlen(cells[i]);

		if (l > RESULTS_FIELD_MAX) {
			rec->too_long = true;
			l = RESULTS_FIELD_MAX;
		}
		memcpy(rec->f[i], cells[i], l);
		rec->f[i][l] = '\0';
		rec->len[i] = l;
	}
	/* Header: the first non-blank row. */
	if (!rd->have_header)
		return results_header(rd);
	if (s->n_rows + s->n_bad >= RESULTS_MAX_ROWS)
		return terr_set(rd->e, TERR_TOO_LARGE, "в файле результатов больше %d строк",
		    RESULTS_MAX_ROWS);
	if ((r = row_validate(s, rec, rd->map, rd->ncols)) != 0)
		return terr_set(rd->e, r, "строка %zu: %s", line, r == TERR_NOMEM ?
		    "недостаточно памяти" : "слишком много строк");
	return 0;
}

int
results_parse(const char *buf, size_t len, struct results_set **out,
    struct terr *e)
{
	struct results_reader rd;
	size_t skip = 0;
	int r;

	*out = NULL;
	if (len > RESULTS_MAX_BYTES)
		return terr_set(e, TERR_TOO_LARGE, "файл результатов больше %u МБ",
		    RESULTS_MAX_BYTES >> 20);
	memset(&rd, 0, sizeof(rd));
	rd.e = e;
	if ((rd.s = calloc(1, sizeof(*rd.s))) == NULL ||
	    (rd.rec = malloc(sizeof(*rd.rec))) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти для файла результатов");
		goto out;
	}
	/* The delimiter is the one the header row uses (blank lines before it
	 * do not count); ';' wins a tie. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		skip = 3;
	while (skip < len && (buf[skip] == '\n' || buf[skip] == '\r'))
		skip++;
	if ((r = csv_parse(buf, len, csv_guess_delim(buf + skip, len - skip), results_row,
	    &rd, e)) != 0)
		goto out;
	if (!rd.have_header) {
		r = terr_set(e, TERR_PARSE, "файл результатов пуст: нужна строка "
		    "заголовка (school;year;indicator;value)");
		goto out;
	}
	if ((r = find_duplicates(rd.s)) != 0) {
		r = terr_set(e, r, "недостаточно памяти");
		goto out;
	}
	*out = rd.s;
	rd.s = NULL;
	r = 0;
 out:
	free(rd.rec);
	results_set_free(rd.s);
	return r;
}

/*
 * One row and what goes with it: a subject's counts beside its percent
 * (or, for a percent-only row, no stale counts of an earlier import); an
 * ИСБШ on one scale removes the same year's value on the other.
 */
static int
store_row(struct hubdb *db, const struct results_row *w, struct terr *e)
{
	char pk[RESULTS_INDICATOR_MAX + 32], bk[RESULTS_INDICATOR_MAX + 32];
	struct hubdb_result res = { w->school, w->year, w->indicator, w->value };
	int r;

	if ((r = hubdb_result_put(db, &res, e)) != 0)
		return r;
	if (strcmp(w->indicator, RESULTS_ISBSH) == 0)
		return hubdb_result_del(db, w->school, w->year, RESULTS_ISBSH_100, e);
	if (strcmp(w->indicator, RESULTS_ISBSH_100) == 0)
		return hubdb_result_del(db, w->school, w->year, RESULTS_ISBSH, e);
	if (!results_indicator_counts(w->indicator))
		return 0;
	snprintf(pk, sizeof(pk), "%s" RESULTS_SUFFIX_PARTICIPANTS, w->indicator);
	snprintf(bk, sizeof(bk), "%s" RESULTS_SUFFIX_BELOW, w->indicator);
	if (!w->counts) {
		if ((r = hubdb_result_del(db, w->school, w->year, pk, e)) != 0)
			return r;
		return hubdb_result_del(db, w->school, w->year, bk, e);
	}
	res.indicator = pk;
	res.value = (double)w->participants;
	if ((r = hubdb_result_put(db, &res, e)) != 0)
		return r;
	res.indicator = bk;
	res.value = (double)w->below;
	return hubdb_result_put(db, &res, e);
}

/* All rows or none: one transaction, rolled back on the first failure. */
static int
store_rows(struct hubdb *db, const struct results_set *s, struct terr *e)
{
	int r;

	if ((r = hubdb_begin(db, e)) != 0)
		return r;
	for (size_t i = 0; i < s->n_rows; i++) {
		if ((r = store_row(db, &s->rows[i], e)) != 0) {
			hubdb_rollback(db);
			return r;
		}
	}
	return hubdb_commit(db, e);
}

int
results_import_report(struct hubdb *db, const char *csv_path, FILE *report,
    size_t *imported, struct terr *e)
{
	struct results_set *s = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	if (imported)
		*imported = 0;
	if (db == NULL || csv_path == NULL)
		return terr_set(e, TERR_ARG, "не указан файл результатов");
	if ((r = fileio_read_all(csv_path, RESULTS_MAX_BYTES, &buf, &len, e)) != 0)
		goto out;
	if ((r = results_parse((const char *)buf, len, &s, e)) != 0)
		goto out;
	if (s->n_bad > 0) {
		if (report) {
			for (size_t i = 0; i < s->n_bad_kept; i++)
				fprintf(report, "%s\n", s->bad[i]);
			if (s->n_bad > s->n_bad_kept)
				fprintf(report, "… и ещё строк с ошибками: %zu\n",
				    s->n_bad - s->n_bad_kept);
		}
		r = terr_set(e, TERR_INVALID, "файл «%.120s» не импортирован, строк с "
		    "ошибками: %zu. Первая — %.300s", csv_path, s->n_bad, s->bad[0]);
		goto out;
	}
	if (s->n_rows == 0) {
		r = terr_set(e, TERR_INVALID, "в файле «%.200s» нет строк с данными, "
		    "только заголовок", csv_path);
		goto out;
	}
	if ((r = store_rows(db, s, e)) != 0)
		goto out;
	if (imported)
		*imported = s->n_rows;
	if (report)
		fprintf(report, "Импортировано строк: %zu\n", s->n_rows);
	terr_clear(e);
	r = 0;
 out:
	results_set_free(s);
	free(buf);
	return r;
}

int
results_import(struct hubdb *db, const char *csv_path, struct terr *e)
{
	return results_import_report(db, csv_path, NULL, NULL, e);
}
