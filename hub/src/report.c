/*
 * report — the hub's indicators over hub_records and schools, plus the
 * imported results and the settings (docs/reports.md defines every number).
 *
 * Each report fills sections (named tables of typed cells) which one of
 * three writers prints: an aligned table for a terminal, CSV (UTF-8 with
 * BOM, ';' and a decimal comma by default) or JSON. Only codes that look
 * like codes, counts, shares and dates leave this module: a free-text value
 * of a record is never printed, whatever its field.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hub/report.h"
#include "hub/results.h"
#include "tetrad/formfile.h"
#include "tetrad/form.h"

#define REPORT_DATA_MAX (1u << 20)    /* a record's JSON; larger ones are skipped */
#define REPORT_CODE_MAX 48            /* a choice code or field id we print */
#define REPORT_MAX_SECTS 8
#define REPORT_MAX_META 12
#define REPORT_ISBSH_MIN_SCHOOLS 4    /* fewer: no municipal distribution */
#define REPORT_SCHOOL_MAX 32
#define REPORT_CLASS_MAX 16

/* ------------------------------------------------------------------ */
/* Output model: sections of typed cells                               */

enum cell_kind { CELL_NULL = 0, CELL_STR, CELL_INT, CELL_NUM };

struct cell {
	enum cell_kind kind;
	long long i;
	double d;
	char *s;
};

#define COL_JSON_ONLY 1   /* a code beside its label: JSON keeps both */

struct col {
	const char *key;    /* JSON member */
	const char *head;   /* Russian header */
	int dec;            /* decimals of a CELL_NUM */
	int flags;
};

struct sect {
	const char *key, *title;
	const struct col *cols;
	size_t ncols;
	struct cell *cells;
	size_t nrows, cap;
};

struct meta {
	const char *key, *label;
	char val[80];
	bool number;
};

struct out {
	const char *name, *title;
	struct sect sects[REPORT_MAX_SECTS];
	size_t nsects;
	struct meta meta[REPORT_MAX_META];
	size_t nmeta;
};

#define NCOLS(a) (sizeof(a) / sizeof((a)[0]))

static int num_parse(const char *s, double *out);

static struct sect *
out_sect(struct out *o, const char *key, const char *title,
    const struct col *cols, size_t ncols)
{
	struct sect *s;

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

static void
out_meta(struct out *o, const char *key, const char *label, bool number,
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

static void
out_free(struct out *o)
{
	for (size_t k = 0; k < o->nsects; k++) {
		struct sect *s = &o->sects[k];

		for (size_t i = 0; i < s->nrows * s->ncols; i++)
			free(s->cells[i].s);
		free(s->cells);
	}
}

/* Appends a row of empty cells; returns its index or -1 on no memory. */
static long
sect_row(struct sect *s)
{
	if (s->nrows == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct cell *n = realloc(s->cells, cap * s->ncols * sizeof(*n));

		if (n == NULL)
			return -1;
		s->cells = n;
		s->cap = cap;
	}
	memset(&s->cells[s->nrows * s->ncols], 0, s->ncols * sizeof(struct cell));
	return (long)s->nrows++;
}

static struct cell *
cellp(struct sect *s, long row, size_t col)
{
	return &s->cells[(size_t)row * s->ncols + col];
}

/* NULL str leaves the cell empty (null in JSON). */
static int
set_str(struct sect *s, long row, size_t col, const char *str)
{
	struct cell *c = cellp(s, row, col);

	if (str == NULL)
		return 0;
	if ((c->s = strdup(str)) == NULL)
		return TERR_NOMEM;
	c->kind = CELL_STR;
	return 0;
}

static void
set_int(struct sect *s, long row, size_t col, long long v)
{
	struct cell *c = cellp(s, row, col);

	c->kind = CELL_INT;
	c->i = v;
}

static void
set_num(struct sect *s, long row, size_t col, double v)
{
	struct cell *c = cellp(s, row, col);

	c->kind = CELL_NUM;
	c->d = v;
}

/* Rounds half away from zero without libm. */
static double
round_dec(double d, int dec)
{
	double p = 1;
	long long k;

	for (int i = 0; i < dec; i++)
		p *= 10;
	k = (long long)(d * p + (d >= 0 ? 0.5 : -0.5));
	return (double)k / p;
}

/* Text of a cell; the decimal separator is given, whatever the locale. */
static const char *
cell_text(const struct cell *c, int dec, char decsep, char *buf, size_t cap)
{
	switch (c->kind) {
	case CELL_STR:
		return c->s;
	case CELL_INT:
		snprintf(buf, cap, "%lld", c->i);
		return buf;
	case CELL_NUM:
		snprintf(buf, cap, "%.*f", dec, round_dec(c->d, dec));
		for (char *p = buf; *p; p++)
			if (*p == '.' || *p == ',')
				*p = decsep;
		if (strcmp(buf, "-0") == 0 || strncmp(buf, "-0", 2) == 0) {
			/* -0.0 after rounding is just 0 */
			bool zero = true;

			for (char *p = buf + 1; *p; p++)
				if (*p >= '1' && *p <= '9')
					zero = false;
			if (zero)
				memmove(buf, buf + 1, strlen(buf));
		}
		return buf;
	default:
		return "";
	}
}

/* Characters on screen of UTF-8 text (Cyrillic is one column). */
static size_t
text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
put_pad(FILE *f, size_t n)
{
	while (n-- > 0)
		fputc(' ', f);
}

static void
render_table(const struct out *o, FILE *f)
{
	char buf[64];

	fprintf(f, "%s\n", o->title);
	for (size_t m = 0; m < o->nmeta; m++)
		fprintf(f, "%s: %s\n", o->meta[m].label, o->meta[m].val);
	for (size_t k = 0; k < o->nsects; k++) {
		const struct sect *s = &o->sects[k];
		size_t w[64] = { 0 }, last = 0;

		fprintf(f, "\n%s\n", s->title);
		/* the last shown column gets no padding: no trailing blanks */
		for (size_t c = 0; c < s->ncols && c < 64; c++)
			if (!(s->cols[c].flags & COL_JSON_ONLY))
				last = c;
		if (s->nrows == 0) {
			fprintf(f, "  (нет данных)\n");
			continue;
		}
		for (size_t c = 0; c < s->ncols && c < 64; c++) {
			if (s->cols[c].flags & COL_JSON_ONLY)
				continue;
			w[c] = text_width(s->cols[c].head);
			for (size_t r = 0; r < s->nrows; r++) {
				const struct cell *x = &s->cells[r * s->ncols + c];
				size_t tw = text_width(cell_text(x, s->cols[c].dec, ',',
				    buf, sizeof(buf)));

				if (x->kind == CELL_NULL)
					tw = 1;
				if (tw > w[c])
					w[c] = tw;
			}
		}
		for (int pass = 0; pass < 2; pass++) {
			bool first = true;

			for (size_t c = 0; c < s->ncols && c < 64; c++) {
				if (s->cols[c].flags & COL_JSON_ONLY)
					continue;
				if (!first)
					fputs("  ", f);
				first = false;
				if (pass == 0) {
					fputs(s->cols[c].head, f);
					if (c != last)
						put_pad(f, w[c] - text_width(s->cols[c].head));
				} else {
					for (size_t i = 0; i < w[c]; i++)
						fputc('-', f);
				}
			}
			fputc('\n', f);
		}
		for (size_t r = 0; r < s->nrows; r++) {
			bool first = true;

			for (size_t c = 0; c < s->ncols && c < 64; c++) {
				const struct cell *x = &s->cells[r * s->ncols + c];
				const char *t;
				bool num = x->kind == CELL_INT || x->kind == CELL_NUM;

				if (s->cols[c].flags & COL_JSON_ONLY)
					continue;
				t = x->kind == CELL_NULL ? "—" :
				    cell_text(x, s->cols[c].dec, ',', buf, sizeof(buf));
				if (!first)
					fputs("  ", f);
				first = false;
				if (num)
					put_pad(f, w[c] - text_width(t));
				fputs(t, f);
				if (!num && c != last)
					put_pad(f, w[c] - text_width(t));
			}
			fputc('\n', f);
		}
	}
}

static void
csv_field(FILE *f, const char *t, char delim)
{
	bool quote = false;

	for (const char *p = t; *p; p++)
		if (*p == delim || *p == '"' || *p == '\n' || *p == '\r')
			quote = true;
	if (*t == ' ' || (*t && t[strlen(t) - 1] == ' '))
		quote = true;
	if (!quote) {
		fputs(t, f);
		return;
	}
	fputc('"', f);
	for (const char *p = t; *p; p++) {
		if (*p == '"')
			fputc('"', f);
		fputc(*p, f);
	}
	fputc('"', f);
}

/*
 * One section: header row and rows. Several sections: each preceded by a
 * row holding its title, separated by an empty line (docs/reports.md).
 * With ';' (Russian spreadsheets) numbers take a decimal comma.
 */
static void
render_csv(const struct out *o, FILE *f, char delim)
{
	char buf[64], decsep = delim == ';' ? ',' : '.';

	fputs("\xef\xbb\xbf", f);
	for (size_t k = 0; k < o->nsects; k++) {
		const struct sect *s = &o->sects[k];

		if (o->nsects > 1) {
			if (k > 0)
				fputs("\r\n", f);
			csv_field(f, s->title, delim);
			fputs("\r\n", f);
		}
		for (int header = 1; header >= 0; header--) {
			for (size_t r = 0; r < (header ? 1 : s->nrows); r++) {
				bool first = true;

				for (size_t c = 0; c < s->ncols; c++) {
					const struct cell *x;

					if (s->cols[c].flags & COL_JSON_ONLY)
						continue;
					if (!first)
						fputc(delim, f);
					first = false;
					if (header) {
						csv_field(f, s->cols[c].head, delim);
						continue;
					}
					x = &s->cells[r * s->ncols + c];
					csv_field(f, cell_text(x, s->cols[c].dec, decsep, buf,
					    sizeof(buf)), delim);
				}
				fputs("\r\n", f);
			}
		}
	}
}

static cJSON *
cell_json(const struct cell *x, int dec)
{
	switch (x->kind) {
	case CELL_STR:
		return cJSON_CreateString(x->s);
	case CELL_INT:
		return cJSON_CreateNumber((double)x->i);
	case CELL_NUM:
		return cJSON_CreateNumber(round_dec(x->d, dec));
	default:
		return cJSON_CreateNull();
	}
}

static int
render_json(const struct out *o, const struct report_opts *opts, FILE *f,
    struct terr *e)
{
	cJSON *root = cJSON_CreateObject(), *filt, *meta = NULL;
	char *text = NULL;
	int r = TERR_NOMEM;

	if (root == NULL)
		goto out;
	if (!cJSON_AddStringToObject(root, "report", o->name) ||
	    !cJSON_AddStringToObject(root, "title", o->title) ||
	    (filt = cJSON_AddObjectToObject(root, "filters")) == NULL)
		goto out;
	if (!(opts->school ? cJSON_AddStringToObject(filt, "school", opts->school) :
	    cJSON_AddNullToObject(filt, "school")) ||
	    !(opts->from ? cJSON_AddStringToObject(filt, "from", opts->from) :
	    cJSON_AddNullToObject(filt, "from")) ||
	    !(opts->to ? cJSON_AddStringToObject(filt, "to", opts->to) :
	    cJSON_AddNullToObject(filt, "to")))
		goto out;
	if (o->nmeta > 0 && (meta = cJSON_AddObjectToObject(root, "meta")) == NULL)
		goto out;
	for (size_t m = 0; m < o->nmeta; m++) {
		double v = 0;

		if (o->meta[m].number && num_parse(o->meta[m].val, &v) == 0) {
			if (!cJSON_AddNumberToObject(meta, o->meta[m].key, v))
				goto out;
		} else if (!cJSON_AddStringToObject(meta, o->meta[m].key,
		    o->meta[m].val)) {
			goto out;
		}
	}
	for (size_t k = 0; k < o->nsects; k++) {
		const struct sect *s = &o->sects[k];
		cJSON *arr = cJSON_AddArrayToObject(root, s->key);

		if (arr == NULL)
			goto out;
		for (size_t rr = 0; rr < s->nrows; rr++) {
			cJSON *obj = cJSON_CreateObject();

			if (obj == NULL)
				goto out;
			cJSON_AddItemToArray(arr, obj);
			for (size_t c = 0; c < s->ncols; c++) {
				cJSON *v = cell_json(&s->cells[rr * s->ncols + c],
				    s->cols[c].dec);

				if (v == NULL)
					goto out;
				cJSON_AddItemToObject(obj, s->cols[c].key, v);
			}
		}
	}
	if ((text = cJSON_Print(root)) == NULL)
		goto out;
	fputs(text, f);
	fputc('\n', f);
	r = 0;
 out:
	if (r != 0)
		terr_set(e, r, "недостаточно памяти для отчёта");
	free(text);
	cJSON_Delete(root);
	return r;
}

/* ------------------------------------------------------------------ */
/* Labels of known codes (the built-in forms, docs/reports.md)         */

struct label {
	const char *code, *label;
};

static const struct label risk_factor_labels[] = {
	{ "R01", "Низкий уровень оснащения школы" },
	{ "R02", "Дефицит педагогических кадров" },
	{ "R03", "Недостаточная предметная и методическая компетентность "
	    "педагогических работников" },
	{ "R04", "Риски низкой адаптивности учебного процесса" },
	{ "R05", "Несформированность внутришкольной системы повышения квалификации" },
	{ "R06", "Низкое качество преодоления языковых и культурных барьеров" },
	{ "R07", "Пониженный уровень качества школьной образовательной и "
	    "воспитательной среды" },
	{ "R08", "Низкий уровень вовлеченности родителей" },
	{ "R09", "Низкая учебная мотивация обучающихся" },
	{ "R10", "Высокая доля обучающихся с рисками учебной неуспешности" },
	{ "R11", "Высокая доля обучающихся с ОВЗ" },
	{ NULL, NULL },
};

static const struct label decision_labels[] = {
	{ "confirmed", "подтверждён" },
	{ "not_confirmed", "не подтверждён" },
	{ "needs_clarification", "требует уточнения" },
	{ NULL, NULL },
};

static const struct label source_labels[] = {
	{ "self", "личное обращение" },
	{ "parents", "родители (законные представители)" },
	{ "teacher", "педагог" },
	{ "administration", "администрация ОО" },
	{ "witnesses", "свидетели ситуации" },
	{ "kdn", "КДНиЗП" },
	{ "pdn", "ПДН (ОДН)" },
	{ "other", "иное" },
	{ NULL, NULL },
};

static const struct label kind_labels[] = {
	{ "conflict", "конфликт" },
	{ "offence", "правонарушение" },
	{ "bullying", "травля (буллинг)" },
	{ "other", "иное" },
	{ NULL, NULL },
};

static const struct label ctype_labels[] = {
	{ "student_student", "обучающийся – обучающийся" },
	{ "student_teacher", "обучающийся – педагог" },
	{ "parent_teacher", "родитель – педагог" },
	{ "parent_child", "родитель – ребёнок" },
	{ "group", "групповой (класс)" },
	{ "teacher_teacher", "педагог – педагог" },
	{ "other", "иное" },
	{ NULL, NULL },
};

static const struct label programme_labels[] = {
	{ "mediation", "медиация" },
	{ "shuttle_mediation", "челночная медиация" },
	{ "community_circle", "круг сообщества" },
	{ "school_conference", "школьная восстановительная конференция" },
	{ "family_conference", "семейная конференция" },
	{ "preventive_programme", "профилактическая восстановительная программа" },
	{ "other", "иное" },
	{ NULL, NULL },
};

static const struct label group_labels[] = {
	{ "survey_director", "директор" },
	{ "survey_teacher", "учитель" },
	{ "survey_student", "обучающийся" },
	{ "survey_parent", "родитель" },
	{ NULL, NULL },
};

/* Label of a code, or the code itself when the table does not know it. */
static const char *
label_of(const struct label *t, const char *code)
{
	for (; t->code; t++)
		if (strcmp(t->code, code) == 0)
			return t->label;
	return code;
}

/* ------------------------------------------------------------------ */
/* Settings                                                            */

struct setting_def {
	const char *key, *def, *label, *help;
};

static const struct setting_def setting_defs[] = {
	{ "identification.low_threshold", "30", "Порог низких результатов, %",
	    "доля участников ниже минимального уровня (0–100), начиная с которой "
	    "результаты низкие" },
	{ "identification.low_comparison", ">=", "Сравнение с порогом",
	    "«>=» — не менее порога, «>» — более порога" },
	{ "identification.high_threshold", "10", "Порог высоких результатов, %",
	    "результаты высокие, если доля низких результатов меньше этого "
	    "значения (0–100, не больше порога низких)" },
	{ "identification.combine", "mean", "Сведение предметов",
	    "как из долей по ВПР/ОГЭ (русский, математика) получить одну: "
	    "mean — среднее, max — наибольшая" },
	{ "verification.deadline", "03-10", "Срок верификационного визита",
	    "ММ-ДД: первичное посещение (верификация РПШ) в срок, если не позже "
	    "этого дня года проекта" },
};

#define N_ID_SETTINGS 4   /* the identification.* entries come first */

#define N_SETTINGS NCOLS(setting_defs)

struct settings {
	double low_threshold, high_threshold;
	bool low_strict;      /* ">" instead of ">=" */
	bool combine_max;
	char deadline[6];     /* "MM-DD" */
	char raw[N_SETTINGS][32];
};

/*
 * A plain decimal ("30", "12.5", "12,5"): no sign, exponent or locale
 * (strtod would follow LC_NUMERIC). 0 on success.
 */
static int
num_parse(const char *s, double *out)
{
	double v = 0, scale = 1;
	int digits = 0, frac = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++digits > 12)
				return -1;
			if (frac) {
				scale /= 10;
				v += (*s - '0') * scale;
			} else {
				v = v * 10 + (*s - '0');
			}
		} else if ((*s == '.' || *s == ',') && !frac) {
			frac = 1;
		} else {
			return -1;
		}
	}
	if (digits == 0)
		return -1;
	*out = v;
	return 0;
}

static int
setting_check(const char *key, const char *value, struct terr *e)
{
	double v;

	if (strcmp(key, "identification.low_comparison") == 0) {
		if (strcmp(value, ">=") && strcmp(value, ">"))
			return terr_set(e, TERR_ARG, "значение «%.32s» для %s: допустимы "
			    "«>=» или «>»", value, key);
		return 0;
	}
	if (strcmp(key, "verification.deadline") == 0) {
		char d[16];
		long days;

		snprintf(d, sizeof(d), "2000-%.5s", value);
		if (strlen(value) != 5 || form_date_days(d, &days) != 0)
			return terr_set(e, TERR_ARG, "значение «%.32s» для %s: нужен день "
			    "как ММ-ДД, например 03-10", value, key);
		return 0;
	}
	if (strcmp(key, "identification.combine") == 0) {
		if (strcmp(value, "mean") && strcmp(value, "max"))
			return terr_set(e, TERR_ARG, "значение «%.32s» для %s: допустимы "
			    "mean или max", value, key);
		return 0;
	}
	if (num_parse(value, &v) != 0 || !(v >= 0 && v <= 100))
		return terr_set(e, TERR_ARG, "значение «%.32s» для %s: нужно число от 0 "
		    "до 100", value, key);
	return 0;
}

static int
settings_load(sqlite3 *db, struct settings *s, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0;

	for (size_t i = 0; i < N_SETTINGS; i++)
		snprintf(s->raw[i], sizeof(s->raw[i]), "%s", setting_defs[i].def);
	if (sqlite3_prepare_v2(db, "SELECT key, value FROM settings", -1, &st,
	    NULL) != SQLITE_OK)
		return terr_set(e, TERR_IO, "не удалось прочитать настройки отчётов: %s",
		    sqlite3_errmsg(db));
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);

		if (k == NULL || v == NULL)
			continue;
		for (size_t i = 0; i < N_SETTINGS; i++) {
			if (strcmp(k, setting_defs[i].key) != 0)
				continue;
			/* A value broken by hand must not silently change a report. */
			if (setting_check(k, v, e) != 0) {
				/* k and v live in the statement: message first */
				terr_set(e, TERR_ARG, "настройка %s в базе неверна («%.32s»); "
				    "исправьте её: tetrad-hub settings set %s ЗНАЧЕНИЕ", k, v, k);
				sqlite3_finalize(st);
				return TERR_ARG;
			}
			snprintf(s->raw[i], sizeof(s->raw[i]), "%s", v);
		}
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return terr_set(e, TERR_IO, "не удалось прочитать настройки отчётов: %s",
		    sqlite3_errmsg(db));
	/* every raw value passed setting_check: they parse */
	num_parse(s->raw[0], &s->low_threshold);
	s->low_strict = strcmp(s->raw[1], ">") == 0;
	num_parse(s->raw[2], &s->high_threshold);
	s->combine_max = strcmp(s->raw[3], "max") == 0;
	memcpy(s->deadline, s->raw[4], 5);
	s->deadline[5] = '\0';
	if (s->high_threshold > s->low_threshold)
		return terr_set(e, TERR_ARG, "порог высоких результатов (%s) больше "
		    "порога низких (%s): исправьте настройки", s->raw[2], s->raw[0]);
	return 0;
}

int
report_schema(sqlite3 *db, struct terr *e)
{
	static const char sql[] =
	    "CREATE TABLE IF NOT EXISTS results("
	    " school TEXT NOT NULL, year INTEGER NOT NULL, indicator TEXT NOT NULL,"
	    " value REAL NOT NULL, imported_at TEXT NOT NULL,"
	    " PRIMARY KEY(school, year, indicator)) WITHOUT ROWID;"
	    "CREATE TABLE IF NOT EXISTS settings("
	    " key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;";

	if (db == NULL)
		return terr_set(e, TERR_ARG, "база хаба не открыта");
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return terr_set(e, TERR_IO, "не удалось создать таблицы отчётов: %s",
		    sqlite3_errmsg(db));
	return 0;
}

int
report_setting_set(sqlite3 *db, const char *key, const char *value,
    struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r, known = 0;

	for (size_t i = 0; i < N_SETTINGS; i++)
		if (key && strcmp(key, setting_defs[i].key) == 0)
			known = 1;
	if (!known)
		return terr_set(e, TERR_ARG, "неизвестная настройка «%.64s»; допустимы: "
		    "identification.low_threshold, identification.low_comparison, "
		    "identification.high_threshold, identification.combine, "
		    "verification.deadline", key ? key : "");
	if (value && (r = setting_check(key, value, e)) != 0)
		return r;
	if ((r = report_schema(db, e)) != 0)
		return r;
	if (sqlite3_prepare_v2(db, value ?
	    "INSERT OR REPLACE INTO settings(key, value) VALUES(?1, ?2)" :
	    "DELETE FROM settings WHERE key = ?1", -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (value)
		sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto sqlerr;
	sqlite3_finalize(st);
	return 0;
 sqlerr:
	r = terr_set(e, TERR_IO, "не удалось сохранить настройку: %s",
	    sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return r;
}

/* ------------------------------------------------------------------ */
/* Reading the store                                                   */

struct school {
	char *code, *name;
};

static bool code_ok(const char *s);

#define REPORT_MAX_FORMS 16

/* A form definition read for labels; f NULL when it could not be read. */
struct rform {
	char id[REPORT_CODE_MAX + 1];
	struct form *f;
};

struct ctx {
	sqlite3 *db;
	const struct report_opts *o;
	bool has_from, has_to;
	long from_days, to_days;
	int from_year, to_year;           /* results: calendar years of the period */
	struct school *schools;           /* sorted by code */
	size_t nschools;
	struct rform forms[REPORT_MAX_FORMS];
	size_t nforms;
};

static void
ctx_clear(struct ctx *c)
{
	for (size_t i = 0; i < c->nforms; i++)
		form_free(c->forms[i].f);
	for (size_t i = 0; i < c->nschools; i++) {
		free(c->schools[i].code);
		free(c->schools[i].name);
	}
	free(c->schools);
}

static int
sqlerr(struct ctx *c, struct terr *e)
{
	return terr_set(e, TERR_IO, "ошибка чтения базы хаба: %s",
	    sqlite3_errmsg(c->db));
}

/* Every school code known to the hub: schools table, records, results. */
static int
load_schools(struct ctx *c, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int r;

	if (sqlite3_prepare_v2(c->db,
	    "SELECT code, max(name) FROM ("
	    " SELECT code, name FROM schools"
	    " UNION ALL SELECT DISTINCT school, NULL FROM hub_records WHERE deleted = 0"
	    " UNION ALL SELECT DISTINCT school, NULL FROM results)"
	    " WHERE code IS NOT NULL AND code <> '' GROUP BY code ORDER BY code",
	    -1, &st, NULL) != SQLITE_OK)
		return sqlerr(c, e);
	while ((r = sqlite3_step(st)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		struct school *s;

		if (code == NULL || strlen(code) > REPORT_SCHOOL_MAX)
			continue;
		if (c->nschools == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct school *n = realloc(c->schools, ncap * sizeof(*n));

			if (n == NULL)
				goto nomem;
			c->schools = n;
			cap = ncap;
		}
		s = &c->schools[c->nschools];
		s->code = strdup(code);
		s->name = name && strlen(name) < 512 ? strdup(name) : NULL;
		if (s->code == NULL) {
			free(s->name);
			goto nomem;
		}
		c->nschools++;
	}
	sqlite3_finalize(st);
	if (r != SQLITE_DONE)
		return sqlerr(c, e);
	return 0;
 nomem:
	sqlite3_finalize(st);
	return terr_set(e, TERR_NOMEM, "недостаточно памяти для списка школ");
}

static int
school_cmp(const void *key, const void *elem)
{
	return strcmp((const char *)key, ((const struct school *)elem)->code);
}

static long
school_find(const struct ctx *c, const char *code)
{
	const struct school *s;

	if (code == NULL || c->nschools == 0)
		return -1;
	s = bsearch(code, c->schools, c->nschools, sizeof(*s), school_cmp);
	return s ? (long)(s - c->schools) : -1;
}

/*
 * The built-in definition of form id, for labels, or NULL (no forms dir,
 * not there, does not parse): a report never fails for want of labels.
 */
static const struct form *
ctx_form(struct ctx *c, const char *id)
{
	char path[4096], dicts[4096];
	struct form *f = NULL;
	size_t i;

	if (c->o->forms_dir == NULL || !code_ok(id))
		return NULL;
	for (i = 0; i < c->nforms; i++)
		if (strcmp(c->forms[i].id, id) == 0)
			return c->forms[i].f;
	if (c->nforms >= REPORT_MAX_FORMS)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s.json", c->o->forms_dir, id);
	snprintf(dicts, sizeof(dicts), "%s/dict", c->o->forms_dir);
	if (formfile_load(path, dicts, &f, NULL) != 0)
		f = NULL;
	snprintf(c->forms[c->nforms].id, sizeof(c->forms[0].id), "%s", id);
	c->forms[c->nforms++].f = f;
	return f;
}

/* Whether the school passes --school. */
static bool
school_shown(const struct ctx *c, size_t i)
{
	return c->o->school == NULL || strcmp(c->o->school, c->schools[i].code) == 0;
}

/* Whether a "YYYY-MM-DD" text lies in --from/--to; date gets a copy. */
static bool
date_in(const struct ctx *c, const char *v, char date[11])
{
	long d;

	date[0] = '\0';
	if (v == NULL || strlen(v) < 10 || form_date_days(v, &d) != 0) {
		/* no usable date: counted only when no period is asked for */
		return !c->has_from && !c->has_to;
	}
	memcpy(date, v, 10);
	date[10] = '\0';
	if (c->has_from && d < c->from_days)
		return false;
	if (c->has_to && d > c->to_days)
		return false;
	return true;
}

typedef int (*rec_fn)(struct ctx *c, size_t school, const char *form_id,
    const cJSON *data, const char *date, const char *hlc, void *arg,
    struct terr *e);

/*
 * Calls fn for every live record of form_id (or every form id starting
 * with it when prefix) whose date_field lies in the period (date_field
 * NULL: the day the hub received it, received_at), in HLC order
 * (so a later edit comes after an earlier one). fn gets the record's
 * school as an index into c->schools.
 */
static int
each_record(struct ctx *c, const char *form_id, bool prefix,
    const char *date_field, rec_fn fn, void *arg, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int r = 0, step;

	if (sqlite3_prepare_v2(c->db,
	    "SELECT school, form_id, hlc, data, substr(received_at, 1, 10)"
	    " FROM hub_records"
	    " WHERE deleted = 0 AND (form_id = ?1 OR (?2 AND"
	    " substr(form_id, 1, length(?1)) = ?1)) ORDER BY hlc, id",
	    -1, &st, NULL) != SQLITE_OK)
		return sqlerr(c, e);
	sqlite3_bind_text(st, 1, form_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, prefix);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *school = (const char *)sqlite3_column_text(st, 0);
		const char *fid = (const char *)sqlite3_column_text(st, 1);
		const char *hlc = (const char *)sqlite3_column_text(st, 2);
		const char *data = (const char *)sqlite3_column_text(st, 3);
		int dlen = sqlite3_column_bytes(st, 3);
		const char *recv = (const char *)sqlite3_column_text(st, 4);
		const cJSON *dv;
		long si = school_find(c, school);
		cJSON *j;
		char date[11];

		if (si < 0 || data == NULL || fid == NULL ||
		    (size_t)dlen > REPORT_DATA_MAX)
			continue;
		if ((j = cJSON_ParseWithLength(data, (size_t)dlen)) == NULL)
			continue;   /* the store only holds validated JSON */
		dv = date_field ? cJSON_GetObjectItemCaseSensitive(j, date_field) : NULL;
		if (!cJSON_IsObject(j) || !date_in(c, date_field ?
		    (cJSON_IsString(dv) ? dv->valuestring : NULL) : recv, date)) {
			cJSON_Delete(j);
			continue;
		}
		r = fn(c, (size_t)si, fid, j, date, hlc ? hlc : "", arg, e);
		cJSON_Delete(j);
		if (r != 0)
			break;
	}
	if (r == 0 && step != SQLITE_DONE && step != SQLITE_ROW)
		r = sqlerr(c, e);
	sqlite3_finalize(st);
	return r;
}

/* A choice code or field id fit to print: [A-Za-z0-9_], 1..REPORT_CODE_MAX. */
static bool
code_ok(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return false;
	for (; *s; s++, n++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= 'A' && *s <= 'Z') || *s == '_') || n >= REPORT_CODE_MAX)
			return false;
	return n > 0;
}

static const char *
jcode(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) && code_ok(v->valuestring) ? v->valuestring : NULL;
}

/* A non-negative integral count, or -1. */
static long long
jcount(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e9 ||
	    v->valuedouble != (double)(long long)v->valuedouble)
		return -1;
	return (long long)v->valuedouble;
}

/* ------------------------------------------------------------------ */
/* Tallies: counters and latest values keyed by (school, dimension, code) */

struct tally {
	size_t school;
	int dim;
	char code[REPORT_CODE_MAX + 1];
	long long n;
	char val[REPORT_CODE_MAX + 1];   /* verification: decision */
	char date[11];
	double sum;
};

struct tallies {
	struct tally *v;
	size_t n, cap;
};

static int
tally_cmp(size_t school, int dim, const char *code, const struct tally *t)
{
	if (school != t->school)
		return school < t->school ? -1 : 1;
	if (dim != t->dim)
		return dim < t->dim ? -1 : 1;
	return strcmp(code, t->code);
}

/* The entry for the key, created zeroed if new; NULL on no memory. */
static struct tally *
tally_get(struct tallies *t, size_t school, int dim, const char *code)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = tally_cmp(school, dim, code, &t->v[mid]);

		if (c == 0)
			return &t->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct tally *n = realloc(t->v, cap * sizeof(*n));

		if (n == NULL)
			return NULL;
		t->v = n;
		t->cap = cap;
	}
	memmove(&t->v[lo + 1], &t->v[lo], (t->n - lo) * sizeof(*t->v));
	memset(&t->v[lo], 0, sizeof(*t->v));
	t->v[lo].school = school;
	t->v[lo].dim = dim;
	snprintf(t->v[lo].code, sizeof(t->v[lo].code), "%s", code);
	t->n++;
	return &t->v[lo];
}

/* The entry for the key or NULL; never inserts (safe while iterating). */
static struct tally *
tally_find(struct tallies *t, size_t school, int dim, const char *code)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = tally_cmp(school, dim, code, &t->v[mid]);

		if (c == 0)
			return &t->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int
tally_add(struct tallies *t, size_t school, int dim, const char *code,
    long long add)
{
	struct tally *x = tally_get(t, school, dim, code);

	if (x == NULL)
		return TERR_NOMEM;
	x->n += add;
	return 0;
}

static double
pct(long long n, long long d)
{
	return d > 0 ? 100.0 * (double)n / (double)d : 0;
}

#define NOMEM(e) terr_set((e), TERR_NOMEM, "недостаточно памяти для отчёта")

/* School code and name into the first two columns of a new row. */
static long
school_row(struct sect *s, const struct ctx *c, size_t si, struct terr *e)
{
	long row = sect_row(s);

	if (row < 0 || set_str(s, row, 0, c->schools[si].code) != 0 ||
	    set_str(s, row, 1, c->schools[si].name) != 0) {
		NOMEM(e);
		return -1;
	}
	return row;
}

/* ------------------------------------------------------------------ */
/* verification                                                        */

enum { V_DEC = 0, V_VISIT = 1, V_VERIF = 2 };

static int
verification_rec(struct ctx *c, size_t si, const char *fid, const cJSON *d,
    const char *date, const char *hlc, void *arg, struct terr *e)
{
	struct tallies *t = arg;
	const cJSON *factors = cJSON_GetObjectItemCaseSensitive(d, "factors"), *it;
	struct tally *v;
	const char *vt;

	(void)c;
	(void)fid;
	(void)hlc;
	if ((v = tally_get(t, si, V_VISIT, "visits")) == NULL)
		return NOMEM(e);
	v->n++;
	if (strcmp(date, v->date) > 0)
		memcpy(v->date, date, 11);
	/* the first verification visit, against the deadline of its project year */
	vt = jcode(d, "visit_type");
	if (vt && strcmp(vt, "verification") == 0 && date[0]) {
		const cJSON *py = cJSON_GetObjectItemCaseSensitive(d, "project_year");

		if ((v = tally_get(t, si, V_VERIF, "first")) == NULL)
			return NOMEM(e);
		if (v->date[0] == '\0' || strcmp(date, v->date) < 0) {
			memcpy(v->date, date, 11);
			v->n = cJSON_IsNumber(py) && py->valuedouble >= 2000 &&
			    py->valuedouble <= 2100 ? (long long)py->valuedouble :
			    atoi(date);
		}
	}
	cJSON_ArrayForEach(it, factors) {
		const char *f = jcode(it, "factor"), *dec = jcode(it, "decision");
		struct tally *x;

		if (f == NULL || dec == NULL)
			continue;
		if ((x = tally_get(t, si, V_DEC, f)) == NULL)
			return NOMEM(e);
		/* The latest visit decides; same day: the later record (HLC order). */
		if (x->date[0] == '\0' || strcmp(date, x->date) >= 0) {
			snprintf(x->val, sizeof(x->val), "%s", dec);
			memcpy(x->date, date, 11);
		}
	}
	return 0;
}

struct vsum {
	char code[REPORT_CODE_MAX + 1];
	long long n[3];
};

static int
vsum_cmp(const void *a, const void *b)
{
	const struct vsum *x = a, *y = b;

	if (x->n[0] != y->n[0])
		return x->n[0] > y->n[0] ? -1 : 1;
	return strcmp(x->code, y->code);
}

static const struct col v_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "factor", "Фактор", 0, 0 }, { "factor_label", "Фактор риска", 0, 0 },
	{ "decision", "", 0, COL_JSON_ONLY },
	{ "decision_label", "Решение куратора", 0, 0 },
	{ "visit_date", "Дата визита", 0, 0 },
};
static const struct col v_visit_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "visits", "Визитов", 0, 0 }, { "last_visit", "Последний визит", 0, 0 },
	{ "verification_visit", "Верификация РПШ", 0, 0 },
	{ "deadline", "Срок", 0, 0 },
	{ "in_time", "В срок", 0, 0 },
};
static const struct col v_not_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
};
static const struct col v_sum_cols[] = {
	{ "factor", "Фактор", 0, 0 }, { "factor_label", "Фактор риска", 0, 0 },
	{ "confirmed", "Подтверждён", 0, 0 },
	{ "not_confirmed", "Не подтверждён", 0, 0 },
	{ "needs_clarification", "Требует уточнения", 0, 0 },
	{ "schools", "Школ с решением", 0, 0 },
};

static int
report_verification(struct ctx *c, struct out *o, struct terr *e)
{
	struct tallies t = { 0 };
	struct vsum *sum = NULL;
	size_t nsum = 0;
	struct sect *sf, *sv, *sn, *ss;
	struct settings set;
	struct tally *y;
	int r;

	o->title = "Верификация рисковых профилей школ";
	if ((r = settings_load(c->db, &set, e)) != 0)
		return r;
	out_meta(o, "verification.deadline", "Срок верификационного визита (ММ-ДД)",
	    false, set.deadline);
	sf = out_sect(o, "factors", "Решения куратора по факторам риска (последний "
	    "визит)", v_cols, NCOLS(v_cols));
	sv = out_sect(o, "visits", "Визиты по школам", v_visit_cols,
	    NCOLS(v_visit_cols));
	sn = out_sect(o, "not_visited", "Школы без визита за период", v_not_cols,
	    NCOLS(v_not_cols));
	ss = out_sect(o, "summary", "Факторы по муниципалитету (чаще всего "
	    "подтверждаемые — сверху)", v_sum_cols, NCOLS(v_sum_cols));
	if ((r = each_record(c, "risk_visit", false, "visit_date", verification_rec,
	    &t, e)) != 0)
		goto out;
	if ((sum = calloc(t.n + 1, sizeof(*sum))) == NULL) {
		r = NOMEM(e);
		goto out;
	}
	for (size_t i = 0; i < t.n; i++) {
		struct tally *x = &t.v[i];
		long row;
		size_t k;

		if (!school_shown(c, x->school))
			continue;
		if (x->dim == V_VISIT) {
			if ((row = school_row(sv, c, x->school, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			set_int(sv, row, 2, x->n);
			if ((r = set_str(sv, row, 3, x->date[0] ? x->date : NULL)) != 0)
				goto nomem;
			if ((y = tally_find(&t, x->school, V_VERIF, "first")) != NULL) {
				char dl[16];

				snprintf(dl, sizeof(dl), "%04lld-%s", y->n % 10000, set.deadline);
				if (set_str(sv, row, 4, y->date) || set_str(sv, row, 5, dl) ||
				    set_str(sv, row, 6, strcmp(y->date, dl) <= 0 ? "да" : "нет"))
					goto nomem;
			}
			continue;
		}
		if (x->dim == V_VERIF)
			continue;
		if ((row = school_row(sf, c, x->school, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (set_str(sf, row, 2, x->code) || set_str(sf, row, 3,
		    label_of(risk_factor_labels, x->code)) ||
		    set_str(sf, row, 4, x->val) ||
		    set_str(sf, row, 5, label_of(decision_labels, x->val)) ||
		    set_str(sf, row, 6, x->date[0] ? x->date : NULL))
			goto nomem;
		for (k = 0; k < nsum; k++)
			if (strcmp(sum[k].code, x->code) == 0)
				break;
		if (k == nsum)
			snprintf(sum[nsum++].code, sizeof(sum[0].code), "%s", x->code);
		if (strcmp(x->val, "confirmed") == 0)
			sum[k].n[0]++;
		else if (strcmp(x->val, "not_confirmed") == 0)
			sum[k].n[1]++;
		else if (strcmp(x->val, "needs_clarification") == 0)
			sum[k].n[2]++;
	}
	for (size_t i = 0; i < c->nschools; i++) {
		long row;

		if (!school_shown(c, i))
			continue;
		if (tally_find(&t, i, V_VISIT, "visits") != NULL)
			continue;
		if ((row = school_row(sn, c, i, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
	}
	qsort(sum, nsum, sizeof(*sum), vsum_cmp);
	for (size_t k = 0; k < nsum; k++) {
		long row = sect_row(ss);

		if (row < 0 || set_str(ss, row, 0, sum[k].code) ||
		    set_str(ss, row, 1, label_of(risk_factor_labels, sum[k].code)))
			goto nomem;
		set_int(ss, row, 2, sum[k].n[0]);
		set_int(ss, row, 3, sum[k].n[1]);
		set_int(ss, row, 4, sum[k].n[2]);
		set_int(ss, row, 5, sum[k].n[0] + sum[k].n[1] + sum[k].n[2]);
	}
	r = 0;
	goto out;
 nomem:
	r = NOMEM(e);
 out:
	free(sum);
	free(t.v);
	return r;
}

/* ------------------------------------------------------------------ */
/* mediation                                                           */

enum { M_TOTAL = 0, M_SOURCE, M_KIND, M_CTYPE, M_PROG };

/* Codes of the summary counters (dimension M_TOTAL). */
static const char *const m_totals[] = {
	"cases", "held", "completed", "agreement", "children", "adults",
};

static int
mediation_rec(struct ctx *c, size_t si, const char *fid, const cJSON *d,
    const char *date, const char *hlc, void *arg, struct terr *e)
{
	struct tallies *t = arg;
	const char *v, *status = jcode(d, "status");
	bool held = status && (strcmp(status, "held") == 0 ||
	    strcmp(status, "completed") == 0);
	long long n;

	(void)c;
	(void)fid;
	(void)date;
	(void)hlc;
	/* every counter of the summary exists once the school has a case */
	for (size_t k = 0; k < NCOLS(m_totals); k++)
		if (tally_add(t, si, M_TOTAL, m_totals[k], 0))
			return NOMEM(e);
	if (tally_add(t, si, M_TOTAL, "cases", 1))
		return NOMEM(e);
	if ((v = jcode(d, "source")) && tally_add(t, si, M_SOURCE, v, 1))
		return NOMEM(e);
	if ((v = jcode(d, "situation_kind")) && tally_add(t, si, M_KIND, v, 1))
		return NOMEM(e);
	if ((v = jcode(d, "conflict_type")) && tally_add(t, si, M_CTYPE, v, 1))
		return NOMEM(e);
	if (held) {
		if (tally_add(t, si, M_TOTAL, "held", 1))
			return NOMEM(e);
		if ((v = jcode(d, "programme")) && tally_add(t, si, M_PROG, v, 1))
			return NOMEM(e);
	}
	if (status && strcmp(status, "completed") == 0 &&
	    tally_add(t, si, M_TOTAL, "completed", 1))
		return NOMEM(e);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "agreement")) &&
	    tally_add(t, si, M_TOTAL, "agreement", 1))
		return NOMEM(e);
	if ((n = jcount(d, "children_count")) > 0 &&
	    tally_add(t, si, M_TOTAL, "children", n))
		return NOMEM(e);
	if ((n = jcount(d, "adults_count")) > 0 &&
	    tally_add(t, si, M_TOTAL, "adults", n))
		return NOMEM(e);
	return 0;
}

static const struct col m_sum_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "cases", "Случаев", 0, 0 }, { "held", "Проведено программ", 0, 0 },
	{ "completed", "Завершено", 0, 0 },
	{ "completed_share", "Доля завершённых, %", 1, 0 },
	{ "agreement", "С примирительным договором", 0, 0 },
	{ "agreement_share", "Доля с договором, %", 1, 0 },
	{ "children", "Участники: дети", 0, 0 },
	{ "adults", "Участники: взрослые", 0, 0 },
};
#define M_DIM_COLS(name, head, count) \
static const struct col name[] = { \
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 }, \
	{ "code", "", 0, COL_JSON_ONLY }, { "label", head, 0, 0 }, \
	{ "count", count, 0, 0 }, \
}
M_DIM_COLS(m_source_cols, "Источник обращения", "Случаев");
M_DIM_COLS(m_kind_cols, "Вид ситуации", "Случаев");
M_DIM_COLS(m_ctype_cols, "Тип конфликта", "Случаев");
M_DIM_COLS(m_prog_cols, "Программа", "Проведено");

static int
mediation_summary_row(struct sect *s, long row, const long long v[6])
{
	set_int(s, row, 2, v[0]);
	set_int(s, row, 3, v[1]);
	set_int(s, row, 4, v[2]);
	set_num(s, row, 5, pct(v[2], v[0]));
	set_int(s, row, 6, v[3]);
	set_num(s, row, 7, pct(v[3], v[0]));
	set_int(s, row, 8, v[4]);
	set_int(s, row, 9, v[5]);
	return 0;
}

static int
report_mediation(struct ctx *c, struct out *o, struct terr *e)
{
	static const struct label *const dim_labels[] = {
		NULL, source_labels, kind_labels, ctype_labels, programme_labels,
	};
	struct tallies t = { 0 };
	struct sect *sect[5];
	long long total[6] = { 0 };
	int r;

	o->title = "Службы примирения (медиации): случаи и программы";
	sect[M_TOTAL] = out_sect(o, "summary", "Итоги по школам", m_sum_cols,
	    NCOLS(m_sum_cols));
	sect[M_SOURCE] = out_sect(o, "by_source", "Случаи по источнику обращения",
	    m_source_cols, NCOLS(m_source_cols));
	sect[M_KIND] = out_sect(o, "by_kind", "Случаи по виду ситуации",
	    m_kind_cols, NCOLS(m_kind_cols));
	sect[M_CTYPE] = out_sect(o, "by_conflict_type", "Случаи по типу конфликта",
	    m_ctype_cols, NCOLS(m_ctype_cols));
	sect[M_PROG] = out_sect(o, "by_programme", "Проведённые программы по виду",
	    m_prog_cols, NCOLS(m_prog_cols));
	if ((r = each_record(c, "mediation_case", false, "received_date",
	    mediation_rec, &t, e)) != 0)
		goto out;
	/* Tallies are sorted by school, then dimension: one pass fills all. */
	for (size_t i = 0; i < t.n; i++) {
		struct tally *x = &t.v[i];
		long row;

		if (!school_shown(c, x->school))
			continue;
		if (x->dim == M_TOTAL) {
			long long v[6] = { 0 };

			if (strcmp(x->code, "cases") != 0)
				continue;
			for (size_t k = 0; k < NCOLS(m_totals); k++) {
				struct tally *y = tally_find(&t, x->school, M_TOTAL, m_totals[k]);

				v[k] = y ? y->n : 0;
				total[k] += v[k];
			}
			if ((row = school_row(sect[M_TOTAL], c, x->school, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			mediation_summary_row(sect[M_TOTAL], row, v);
			continue;
		}
		if ((row = school_row(sect[x->dim], c, x->school, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (set_str(sect[x->dim], row, 2, x->code) ||
		    set_str(sect[x->dim], row, 3, label_of(dim_labels[x->dim], x->code)))
			goto nomem;
		set_int(sect[x->dim], row, 4, x->n);
	}
	if (c->o->school == NULL && sect[M_TOTAL]->nrows > 1) {
		long row = sect_row(sect[M_TOTAL]);

		if (row < 0 || set_str(sect[M_TOTAL], row, 1, "Итого по муниципалитету"))
			goto nomem;
		mediation_summary_row(sect[M_TOTAL], row, total);
	}
	r = 0;
	goto out;
 nomem:
	r = NOMEM(e);
 out:
	free(t.v);
	return r;
}

/* ------------------------------------------------------------------ */
/* passport and ИСБШ                                                    */

struct category {
	const char *id, *label;
	bool share;                      /* families_total is a count, not a share */
};

static const struct category categories[] = {
	{ "families_total", "Всего семей", false },
	{ "large_families", "Многодетные семьи", true },
	{ "low_income_families", "Малообеспеченные семьи", true },
	{ "single_parent_families", "Неполные семьи", true },
	{ "foster_children", "Опекаемые / приёмные дети", true },
	{ "orphans", "Дети-сироты и дети, оставшиеся без попечения родителей", true },
	{ "disabled_children", "Дети-инвалиды", true },
	{ "special_needs", "Обучающиеся с ОВЗ", true },
	{ "sop_families", "Семьи в социально опасном положении (СОП)", true },
	{ "tjs_families", "Семьи в трудной жизненной ситуации (ТЖС)", true },
	{ "kdn_registered", "На учёте в КДНиЗП", true },
	{ "pdn_registered", "На учёте в ПДН", true },
	{ "school_registered", "На внутришкольном учёте", true },
	{ "unemployed_parents", "Дети безработных родителей", true },
	{ "parents_higher_education", "Дети, у которых оба родителя с высшим "
	    "образованием", true },
	{ "non_native_russian", "Дети, для которых русский язык неродной", true },
	{ "migrant_families", "Дети из семей мигрантов", true },
};

#define N_CAT NCOLS(categories)

/* isbsh-v1: eight shares; a high share of an adverse one lowers the index. */
struct isbsh_ind {
	const char *id;
	int sign;     /* -1 adverse, +1 favourable */
};

static const struct isbsh_ind isbsh_v1[] = {
	{ "low_income_families", -1 },
	{ "single_parent_families", -1 },
	{ "sop_families", -1 },
	{ "tjs_families", -1 },
	{ "unemployed_parents", -1 },
	{ "non_native_russian", -1 },
	{ "special_needs", -1 },
	{ "parents_higher_education", +1 },
};

#define N_ISBSH NCOLS(isbsh_v1)

/* One passport record as read. */
struct prec {
	size_t school;
	char year[24];
	bool school_level;
	char cls[REPORT_CLASS_MAX + 1];
	char date[11];
	size_t seq;                      /* HLC order */
	long long students;
	long long n[N_CAT];
};

/* A school's passport summed for its latest academic year. */
struct pschool {
	bool has;
	char year[24];
	size_t records;
	long long students;
	long long n[N_CAT];
	double share[N_ISBSH];
	int score[N_ISBSH];
	bool computed;
	double isbsh;                    /* computed (isbsh-v1) */
	bool imported;
	double isbsh_import;
	int import_year;
};

struct passport {
	struct prec *v;
	size_t n, cap;
	struct pschool *s;               /* per school (index into ctx schools) */
	double q1[N_ISBSH], q3[N_ISBSH];
	size_t n_dist;                   /* schools in the distribution */
};

static int
cat_index(const char *id)
{
	for (size_t k = 0; k < N_CAT; k++)
		if (strcmp(categories[k].id, id) == 0)
			return (int)k;
	return -1;
}

static bool
year_ok(const char *y)
{
	/* "2025/2026" */
	if (strlen(y) != 9 || y[4] != '/')
		return false;
	for (int i = 0; i < 9; i++)
		if (i != 4 && (y[i] < '0' || y[i] > '9'))
			return false;
	return true;
}

static int
passport_rec(struct ctx *c, size_t si, const char *fid, const cJSON *d,
    const char *date, const char *hlc, void *arg, struct terr *e)
{
	struct passport *p = arg;
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(d, "academic_year");
	const cJSON *cls = cJSON_GetObjectItemCaseSensitive(d, "class_name");
	const char *lvl = jcode(d, "level");
	struct prec *x;

	(void)c;
	(void)fid;
	(void)hlc;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct prec *n = realloc(p->v, cap * sizeof(*n));

		if (n == NULL)
			return NOMEM(e);
		p->v = n;
		p->cap = cap;
	}
	x = &p->v[p->n];
	memset(x, 0, sizeof(*x));
	x->school = si;
	x->seq = p->n;
	memcpy(x->date, date, 11);
	if (cJSON_IsString(y) && year_ok(y->valuestring)) {
		memcpy(x->year, y->valuestring, 10);
	} else if (date[0]) {
		/* no academic year: September starts one */
		int yy = atoi(date), mm = atoi(date + 5);

		if (mm < 9)
			yy--;
		snprintf(x->year, sizeof(x->year), "%04d/%04d", yy, yy + 1);
	}
	x->school_level = lvl == NULL || strcmp(lvl, "class") != 0;
	/* The class name is only a key for "the same class sent again". */
	if (!x->school_level && cJSON_IsString(cls))
		snprintf(x->cls, sizeof(x->cls), "%s", cls->valuestring);
	if ((x->students = jcount(d, "students_total")) < 0)
		x->students = 0;
	for (size_t k = 0; k < N_CAT; k++)
		if ((x->n[k] = jcount(d, categories[k].id)) < 0)
			x->n[k] = 0;
	p->n++;
	return 0;
}

/* a is superseded by b: same class, later snapshot (or same day, later record). */
static bool
prec_newer(const struct prec *b, const struct prec *a)
{
	int dc = strcmp(b->date, a->date);

	return dc > 0 || (dc == 0 && b->seq > a->seq);
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile of sorted v[n] by linear interpolation (R type 7, Excel QUARTILE). */
static double
quantile(const double *v, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)h;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

/* Imported ИСБШ: the latest year in the period. */
static int
passport_imports(struct ctx *c, struct passport *p, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int step;

	if (sqlite3_prepare_v2(c->db, "SELECT school, year, value FROM results"
	    " WHERE indicator = 'isbsh' AND year BETWEEN ?1 AND ?2 ORDER BY year",
	    -1, &st, NULL) != SQLITE_OK)
		return sqlerr(c, e);
	sqlite3_bind_int(st, 1, c->from_year);
	sqlite3_bind_int(st, 2, c->to_year);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		long si = school_find(c, (const char *)sqlite3_column_text(st, 0));

		if (si < 0)
			continue;
		p->s[si].imported = true;
		p->s[si].import_year = sqlite3_column_int(st, 1);
		p->s[si].isbsh_import = sqlite3_column_double(st, 2);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return sqlerr(c, e);
	return 0;
}

/*
 * Fills p for every school (the ИСБШ distribution is municipal, so
 * --school only narrows what is printed, not what is compared with).
 */
static int
passport_build(struct ctx *c, struct passport *p, struct terr *e)
{
	double *dist = NULL;
	int r;

	if ((p->s = calloc(c->nschools + 1, sizeof(*p->s))) == NULL)
		return NOMEM(e);
	if ((r = each_record(c, "social_passport", false, "snapshot_date",
	    passport_rec, p, e)) != 0)
		return r;
	for (size_t i = 0; i < p->n; i++) {
		struct pschool *s = &p->s[p->v[i].school];

		if (!s->has || strcmp(p->v[i].year, s->year) > 0) {
			s->has = true;
			memcpy(s->year, p->v[i].year, sizeof(s->year));
		}
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct prec *a = &p->v[i];
		struct pschool *s = &p->s[a->school];
		bool skip = false, school_level_exists = false;

		if (strcmp(a->year, s->year) != 0)
			continue;
		/*
		 * A whole-school passport of the year wins over class passports;
		 * a class sent twice counts once (its latest snapshot).
		 */
		for (size_t j = 0; j < p->n && !skip; j++) {
			const struct prec *b = &p->v[j];

			if (j == i || b->school != a->school || strcmp(b->year, a->year))
				continue;
			if (b->school_level)
				school_level_exists = true;
			if (a->school_level && b->school_level && prec_newer(b, a))
				skip = true;
			if (!a->school_level && !b->school_level && a->cls[0] &&
			    strcmp(a->cls, b->cls) == 0 && prec_newer(b, a))
				skip = true;
		}
		if (skip || (!a->school_level && school_level_exists))
			continue;
		s->records++;
		s->students += a->students;
		for (size_t k = 0; k < N_CAT; k++)
			s->n[k] += a->n[k];
	}

	/* isbsh-v1: score each share against the municipal quartiles. */
	if ((dist = calloc(c->nschools + 1, sizeof(*dist))) == NULL)
		return NOMEM(e);
	for (size_t i = 0; i < c->nschools; i++) {
		struct pschool *s = &p->s[i];

		if (!s->has || s->students <= 0)
			continue;
		p->n_dist++;
		for (size_t k = 0; k < N_ISBSH; k++)
			s->share[k] = pct(s->n[cat_index(isbsh_v1[k].id)], s->students);
	}
	if (p->n_dist >= REPORT_ISBSH_MIN_SCHOOLS) {
		for (size_t k = 0; k < N_ISBSH; k++) {
			size_t n = 0;

			for (size_t i = 0; i < c->nschools; i++)
				if (p->s[i].has && p->s[i].students > 0)
					dist[n++] = p->s[i].share[k];
			qsort(dist, n, sizeof(*dist), dbl_cmp);
			p->q1[k] = quantile(dist, n, 0.25);
			p->q3[k] = quantile(dist, n, 0.75);
		}
		for (size_t i = 0; i < c->nschools; i++) {
			struct pschool *s = &p->s[i];
			int sum = 0;

			if (!s->has || s->students <= 0)
				continue;
			for (size_t k = 0; k < N_ISBSH; k++) {
				int sc = 0;

				if (s->share[k] > p->q3[k])
					sc = -1;
				else if (s->share[k] < p->q1[k])
					sc = 1;
				/* adverse: above Q3 -> -1; favourable: above Q3 -> +1 */
				s->score[k] = isbsh_v1[k].sign < 0 ? sc : -sc;
				sum += s->score[k];
			}
			s->computed = true;
			s->isbsh = sum;
		}
	}
	free(dist);
	return passport_imports(c, p, e);
}

static void
passport_free(struct passport *p)
{
	free(p->v);
	free(p->s);
}

/* The index used: imported if there is one, else computed; false if none. */
static bool
passport_index(const struct pschool *s, double *v)
{
	if (s->imported) {
		*v = s->isbsh_import;
		return true;
	}
	if (s->computed) {
		*v = s->isbsh;
		return true;
	}
	return false;
}

/* Social status code and label from the index (docs/reports.md). */
static const char *
status_code(double v)
{
	if (v <= -3)
		return "unfavourable";
	if (v >= 3)
		return "favourable";
	return "neutral";
}

static const struct label status_labels[] = {
	{ "unfavourable", "неблагоприятный" },
	{ "neutral", "нейтральный" },
	{ "favourable", "благоприятный" },
	{ NULL, NULL },
};

static const struct col p_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "academic_year", "Учебный год", 0, 0 },
	{ "records", "Паспортов", 0, 0 },
	{ "students", "Обучающихся", 0, 0 },
	{ "isbsh", "ИСБШ", 1, 0 },
	{ "isbsh_method", "Метод ИСБШ", 0, 0 },
	{ "isbsh_computed", "", 1, COL_JSON_ONLY },
	{ "status", "", 0, COL_JSON_ONLY },
	{ "status_label", "Социальный статус", 0, 0 },
};
static const struct col p_share_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "category", "", 0, COL_JSON_ONLY },
	{ "category_label", "Категория", 0, 0 },
	{ "count", "Число", 0, 0 },
	{ "share", "Доля от обучающихся, %", 1, 0 },
};
static const struct col p_score_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "indicator", "", 0, COL_JSON_ONLY },
	{ "indicator_label", "Показатель", 0, 0 },
	{ "share", "Доля, %", 1, 0 },
	{ "q1", "Нижний квартиль, %", 2, 0 },
	{ "q3", "Верхний квартиль, %", 2, 0 },
	{ "score", "Балл", 0, 0 },
};

static int
report_passport(struct ctx *c, struct out *o, struct terr *e)
{
	struct passport p = { 0 };
	struct sect *ss, *sh, *sc;
	char buf[32];
	int r;

	o->title = "Социальный паспорт, ИСБШ и социальный статус школ";
	out_meta(o, "isbsh_method", "Метод ИСБШ по умолчанию", false,
	    REPORT_ISBSH_METHOD);
	ss = out_sect(o, "schools", "Школы", p_cols, NCOLS(p_cols));
	sh = out_sect(o, "shares", "Доли категорий", p_share_cols,
	    NCOLS(p_share_cols));
	sc = out_sect(o, "isbsh_scores", "Расчёт ИСБШ (" REPORT_ISBSH_METHOD
	    "): баллы по показателям", p_score_cols, NCOLS(p_score_cols));
	if ((r = passport_build(c, &p, e)) != 0)
		goto out;
	snprintf(buf, sizeof(buf), "%zu", p.n_dist);
	out_meta(o, "isbsh_schools", "Школ в муниципальном распределении", true, buf);
	for (size_t i = 0; i < c->nschools; i++) {
		struct pschool *s = &p.s[i];
		double v;
		long row;

		if (!school_shown(c, i) || (!s->has && !s->imported))
			continue;
		if ((row = school_row(ss, c, i, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (s->has) {
			if (set_str(ss, row, 2, s->year[0] ? s->year : NULL))
				goto nomem;
			set_int(ss, row, 3, (long long)s->records);
			set_int(ss, row, 4, s->students);
		}
		if (s->computed)
			set_num(ss, row, 7, s->isbsh);
		if (passport_index(s, &v)) {
			set_num(ss, row, 5, v);
			if (s->imported)
				snprintf(buf, sizeof(buf), "импорт %d", s->import_year);
			else
				snprintf(buf, sizeof(buf), "%s", REPORT_ISBSH_METHOD);
			if (set_str(ss, row, 6, buf) ||
			    set_str(ss, row, 8, status_code(v)) ||
			    set_str(ss, row, 9, label_of(status_labels, status_code(v))))
				goto nomem;
		}
		if (!s->has)
			continue;
		for (size_t k = 0; k < N_CAT; k++) {
			if ((row = school_row(sh, c, i, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			if (set_str(sh, row, 2, categories[k].id) ||
			    set_str(sh, row, 3, categories[k].label))
				goto nomem;
			set_int(sh, row, 4, s->n[k]);
			if (categories[k].share && s->students > 0)
				set_num(sh, row, 5, pct(s->n[k], s->students));
		}
		if (!s->computed)
			continue;
		for (size_t k = 0; k < N_ISBSH; k++) {
			int ci = cat_index(isbsh_v1[k].id);

			if ((row = school_row(sc, c, i, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			if (set_str(sc, row, 2, isbsh_v1[k].id) ||
			    set_str(sc, row, 3, categories[ci].label))
				goto nomem;
			set_num(sc, row, 4, s->share[k]);
			set_num(sc, row, 5, p.q1[k]);
			set_num(sc, row, 6, p.q3[k]);
			set_int(sc, row, 7, s->score[k]);
		}
	}
	r = 0;
	goto out;
 nomem:
	r = NOMEM(e);
 out:
	passport_free(&p);
	return r;
}

/* ------------------------------------------------------------------ */
/* identification                                                      */

static const char *const subject_indicators[] = {
	"vpr4_rus", "vpr4_math", "oge9_rus", "oge9_math",
};

struct sresult {
	int year;                        /* 0 = none */
	double low_share;                /* imported combined share, if any */
	bool has_low_share;
	double sum, max;
	int n;
};

static int
load_results(struct ctx *c, struct sresult *res, struct terr *e)
{
	sqlite3_stmt *st = NULL;
	int step;

	/* Rows come latest year first: a school's latest year wins. */
	if (sqlite3_prepare_v2(c->db, "SELECT school, year, indicator, value FROM"
	    " results WHERE indicator <> 'isbsh' AND year BETWEEN ?1 AND ?2"
	    " ORDER BY school, year DESC", -1, &st, NULL) != SQLITE_OK)
		return sqlerr(c, e);
	sqlite3_bind_int(st, 1, c->from_year);
	sqlite3_bind_int(st, 2, c->to_year);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		long si = school_find(c, (const char *)sqlite3_column_text(st, 0));
		int year = sqlite3_column_int(st, 1);
		const char *ind = (const char *)sqlite3_column_text(st, 2);
		double v = sqlite3_column_double(st, 3);
		struct sresult *x;

		if (si < 0 || ind == NULL)
			continue;
		x = &res[si];
		if (x->year == 0)
			x->year = year;
		if (x->year != year)
			continue;
		if (strcmp(ind, "low_share") == 0) {
			x->low_share = v;
			x->has_low_share = true;
			continue;
		}
		for (size_t k = 0; k < NCOLS(subject_indicators); k++) {
			if (strcmp(ind, subject_indicators[k]) != 0)
				continue;
			x->sum += v;
			if (x->n == 0 || v > x->max)
				x->max = v;
			x->n++;
		}
	}
	sqlite3_finalize(st);
	if (step != SQLITE_DONE)
		return sqlerr(c, e);
	return 0;
}

static const struct label level_labels[] = {
	{ "high", "высокий" }, { "medium", "средний" }, { "low", "низкий" },
	{ NULL, NULL },
};

static const struct label cluster_labels[] = {
	{ "resilient", "резильентные" },
	{ "risk_zone", "зона риска" },
	{ "crisis", "кризисная ситуация" },
	{ "none", "вне кластеров" },
	{ NULL, NULL },
};

static const struct col i_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "isbsh", "ИСБШ", 1, 0 },
	{ "status", "", 0, COL_JSON_ONLY },
	{ "status_label", "Социальный статус", 0, 0 },
	{ "results_year", "Год результатов", 0, 0 },
	{ "low_share", "Доля низких результатов, %", 1, 0 },
	{ "level", "", 0, COL_JSON_ONLY },
	{ "level_label", "Уровень результатов", 0, 0 },
	{ "nor", "НОР", 0, 0 },
	{ "nsu", "НСУ", 0, 0 },
	{ "cluster", "", 0, COL_JSON_ONLY },
	{ "cluster_label", "Кластер", 0, 0 },
};

static int
report_identification(struct ctx *c, struct out *o, struct terr *e)
{
	struct passport p = { 0 };
	struct sresult *res = NULL;
	struct settings set;
	struct sect *s;
	int r;

	o->title = "Выявление школ: социальный статус × уровень результатов";
	if ((r = settings_load(c->db, &set, e)) != 0)
		goto out;
	for (size_t i = 0; i < N_ID_SETTINGS; i++)
		out_meta(o, setting_defs[i].key, setting_defs[i].label,
		    i == 0 || i == 2, set.raw[i]);
	out_meta(o, "isbsh_method", "Метод ИСБШ по умолчанию", false,
	    REPORT_ISBSH_METHOD);
	s = out_sect(o, "schools", "Школы", i_cols, NCOLS(i_cols));
	if ((r = passport_build(c, &p, e)) != 0)
		goto out;
	if ((res = calloc(c->nschools + 1, sizeof(*res))) == NULL) {
		r = NOMEM(e);
		goto out;
	}
	if ((r = load_results(c, res, e)) != 0)
		goto out;
	for (size_t i = 0; i < c->nschools; i++) {
		const struct sresult *x = &res[i];
		const char *status = NULL, *level = NULL, *cluster = NULL;
		double v, low = 0;
		bool has_low = false;
		long row;

		if (!school_shown(c, i))
			continue;
		if ((row = school_row(s, c, i, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (passport_index(&p.s[i], &v)) {
			set_num(s, row, 2, v);
			status = status_code(v);
		}
		if (x->year) {
			set_int(s, row, 5, x->year);
			if (x->has_low_share) {
				low = x->low_share;
				has_low = true;
			} else if (x->n > 0) {
				low = set.combine_max ? x->max : x->sum / x->n;
				has_low = true;
			}
		}
		if (has_low) {
			bool is_low = set.low_strict ? low > set.low_threshold :
			    low >= set.low_threshold;

			set_num(s, row, 6, low);
			level = is_low ? "low" : low < set.high_threshold ? "high" :
			    "medium";
		}
		/* Low results decide alone; otherwise status and level together. */
		if (level && strcmp(level, "low") == 0)
			cluster = "crisis";
		else if (level && status)
			cluster = strcmp(status, "favourable") == 0 ? "none" :
			    strcmp(level, "high") == 0 ? "resilient" : "risk_zone";
		if (status && (set_str(s, row, 3, status) ||
		    set_str(s, row, 4, label_of(status_labels, status))))
			goto nomem;
		if (level && (set_str(s, row, 7, level) ||
		    set_str(s, row, 8, label_of(level_labels, level)) ||
		    set_str(s, row, 9, strcmp(level, "low") == 0 ? "да" : "нет")))
			goto nomem;
		if (status && set_str(s, row, 10, strcmp(status, "unfavourable") == 0 ?
		    "да" : "нет"))
			goto nomem;
		if (set_str(s, row, 11, cluster) ||
		    set_str(s, row, 12, cluster ? label_of(cluster_labels, cluster) :
		    "нет данных"))
			goto nomem;
	}
	r = 0;
	goto out;
 nomem:
	r = NOMEM(e);
 out:
	free(res);
	passport_free(&p);
	return r;
}

/* ------------------------------------------------------------------ */
/* surveys                                                             */

enum { S_RESP = 0, S_DIST, S_QANS, S_SCALE, S_STAFF };

/* Keys: S_RESP "<group>"; S_DIST "<group>\x1f<question>\x1f<answer>";
 * S_QANS/S_SCALE "<group>\x1f<question>". */
static int
survey_key(char *out, size_t cap, const char *g, const char *q, const char *a)
{
	int n = snprintf(out, cap, "%s%s%s%s%s", g, q ? "\x1f" : "", q ? q : "",
	    a ? "\x1f" : "", a ? a : "");

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Survey keys are longer than one code: their own table. */
struct skey {
	size_t school;
	int dim;
	char key[3 * REPORT_CODE_MAX + 3];
	long long n;
	double sum;
};

struct skeys {
	struct skey *v;
	size_t n, cap;
};

/* The entry for the key; created zeroed if new and create, else NULL. */
static struct skey *
skey_get(struct skeys *t, size_t school, int dim, const char *key, bool create)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct skey *x = &t->v[mid];
		int c = school != x->school ? (school < x->school ? -1 : 1) :
		    dim != x->dim ? (dim < x->dim ? -1 : 1) : strcmp(key, x->key);

		if (c == 0)
			return &t->v[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (!create)
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		struct skey *n = realloc(t->v, cap * sizeof(*n));

		if (n == NULL)
			return NULL;
		t->v = n;
		t->cap = cap;
	}
	memmove(&t->v[lo + 1], &t->v[lo], (t->n - lo) * sizeof(*t->v));
	memset(&t->v[lo], 0, sizeof(*t->v));
	t->v[lo].school = school;
	t->v[lo].dim = dim;
	snprintf(t->v[lo].key, sizeof(t->v[lo].key), "%s", key);
	t->n++;
	return &t->v[lo];
}

/* Fields of a survey record that are not answers. */
static bool
survey_meta_field(const char *id)
{
	/* free-text questions of the built-in forms, never printed */
	static const char *const skip[] = {
		"comment", "wish", "school_code", "academic_year", NULL,
	};

	for (size_t i = 0; skip[i]; i++)
		if (strcmp(id, skip[i]) == 0)
			return true;
	return false;
}

static int
survey_count(struct skeys *t, size_t si, int dim, const char *g, const char *q,
    const char *a, double num, struct terr *e)
{
	char key[3 * REPORT_CODE_MAX + 3];
	struct skey *x;

	if (survey_key(key, sizeof(key), g, q, a) != 0)
		return 0;
	if ((x = skey_get(t, si, dim, key, true)) == NULL)
		return NOMEM(e);
	x->n++;
	x->sum += num;
	return 0;
}

/*
 * Answers are judged by their JSON type, so a free-text answer is never
 * printed: a string counts only if it is a code ([A-Za-z0-9_]), an array
 * only if all its members are codes; numbers go to averages (a scale's
 * «затрудняюсь ответить» is null and so left out), booleans to да/нет.
 */
static int
survey_rec(struct ctx *c, size_t si, const char *fid, const cJSON *d,
    const char *date, const char *hlc, void *arg, struct terr *e)
{
	struct skeys *t = arg;
	const struct form *sf = ctx_form(c, fid);
	const cJSON *f;
	int r;

	(void)date;
	(void)hlc;
	if (!code_ok(fid))
		return 0;
	if ((r = survey_count(t, si, S_RESP, fid, NULL, NULL, 0, e)) != 0)
		return r;
	/* teachers on staff, for the teachers' coverage: the latest director's word */
	if (strcmp(fid, "survey_director") == 0 && jcount(d, "teachers_total") >= 0) {
		struct skey *x = skey_get(t, si, S_STAFF, "teachers", true);

		if (x == NULL)
			return NOMEM(e);
		x->n = jcount(d, "teachers_total");
	}
	cJSON_ArrayForEach(f, d) {
		const char *q = f->string;

		const struct form_field *ff = sf ? form_find(sf, q) : NULL;

		if (!code_ok(q) || survey_meta_field(q))
			continue;
		if (ff && (ff->type == FORM_TEXT || ff->type == FORM_DATE ||
		    ff->type == FORM_GROUP || ff->sync == FORM_SYNC_LOCAL))
			continue;
		if (cJSON_IsString(f) && code_ok(f->valuestring)) {
			if ((r = survey_count(t, si, S_DIST, fid, q, f->valuestring, 0, e)) ||
			    (r = survey_count(t, si, S_QANS, fid, q, NULL, 0, e)))
				return r;
		} else if (cJSON_IsBool(f)) {
			if ((r = survey_count(t, si, S_DIST, fid, q,
			    cJSON_IsTrue(f) ? "true" : "false", 0, e)) ||
			    (r = survey_count(t, si, S_QANS, fid, q, NULL, 0, e)))
				return r;
		} else if (cJSON_IsNumber(f)) {
			if ((r = survey_count(t, si, S_SCALE, fid, q, NULL,
			    f->valuedouble, e)))
				return r;
		} else if (cJSON_IsArray(f) && cJSON_GetArraySize(f) > 0) {
			const cJSON *a;
			bool codes = true;

			cJSON_ArrayForEach(a, f)
				if (!cJSON_IsString(a) || !code_ok(a->valuestring))
					codes = false;
			if (!codes)
				continue;
			cJSON_ArrayForEach(a, f)
				if ((r = survey_count(t, si, S_DIST, fid, q, a->valuestring,
				    0, e)))
					return r;
			if ((r = survey_count(t, si, S_QANS, fid, q, NULL, 0, e)))
				return r;
		}
	}
	return 0;
}

static const struct col s_resp_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "group", "", 0, COL_JSON_ONLY }, { "group_label", "Группа", 0, 0 },
	{ "responses", "Ответов", 0, 0 },
	{ "base", "Контингент", 0, 0 },
	{ "coverage", "Охват, %", 1, 0 },
};
static const struct col s_dist_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "group", "", 0, COL_JSON_ONLY }, { "group_label", "Группа", 0, 0 },
	{ "question", "", 0, COL_JSON_ONLY }, { "question_label", "Вопрос", 0, 0 },
	{ "answer", "", 0, COL_JSON_ONLY }, { "answer_label", "Ответ", 0, 0 },
	{ "count", "Число", 0, 0 },
	{ "share", "Доля ответивших, %", 1, 0 },
};
static const struct col s_scale_cols[] = {
	{ "school", "Код ОО", 0, 0 }, { "school_name", "Школа", 0, 0 },
	{ "group", "", 0, COL_JSON_ONLY }, { "group_label", "Группа", 0, 0 },
	{ "question", "", 0, COL_JSON_ONLY }, { "question_label", "Вопрос", 0, 0 },
	{ "answered", "Ответили", 0, 0 },
	{ "average", "Среднее", 2, 0 },
};

/* The question's label from its form, else its code. */
static const char *
question_label(struct ctx *c, const char *g, const char *q)
{
	const struct form *f = ctx_form(c, g);
	const struct form_field *ff = f ? form_find(f, q) : NULL;

	return ff && ff->label ? ff->label : q;
}

/* The answer's label: да/нет, the choice's label from the form, else the code. */
static const char *
answer_label(struct ctx *c, const char *g, const char *q, const char *a)
{
	const struct form *f = ctx_form(c, g);
	const struct form_field *ff = f ? form_find(f, q) : NULL;
	const struct form_choice *ch;

	if (strcmp(a, "true") == 0)
		return "да";
	if (strcmp(a, "false") == 0)
		return "нет";
	ch = ff ? form_choice_find(ff, a) : NULL;
	return ch && ch->label ? ch->label : a;
}

/* Splits "a\x1fb\x1fc" in place. */
static void
key_split(char *k, char **g, char **q, char **a)
{
	*g = k;
	*q = *a = NULL;
	if ((k = strchr(k, '\x1f')) != NULL) {
		*k++ = '\0';
		*q = k;
		if ((k = strchr(k, '\x1f')) != NULL) {
			*k++ = '\0';
			*a = k;
		}
	}
}

static int
report_surveys(struct ctx *c, struct out *o, struct terr *e)
{
	struct skeys t = { 0 };
	struct passport p = { 0 };
	struct sect *sr, *sd, *sv;
	int r;

	o->title = "Анкетирование: ответы, распределения, средние по шкалам";
	sr = out_sect(o, "responses", "Ответы по школам и группам", s_resp_cols,
	    NCOLS(s_resp_cols));
	sd = out_sect(o, "distribution", "Распределение ответов", s_dist_cols,
	    NCOLS(s_dist_cols));
	sv = out_sect(o, "scales", "Средние по шкалам и числовым вопросам "
	    "(без «затрудняюсь ответить»)", s_scale_cols, NCOLS(s_scale_cols));
	if ((r = each_record(c, "survey_", true, NULL, survey_rec, &t,
	    e)) != 0)
		goto out;
	/* Coverage: students and families from the latest passport. */
	if ((r = passport_build(c, &p, e)) != 0)
		goto out;
	for (size_t i = 0; i < t.n; i++) {
		struct skey *x = &t.v[i];
		char key[sizeof(x->key)], *g, *q, *a;
		long row;

		if (!school_shown(c, x->school))
			continue;
		memcpy(key, x->key, sizeof(key));
		key_split(key, &g, &q, &a);
		if (x->dim == S_QANS || x->dim == S_STAFF)
			continue;
		if (x->dim == S_RESP) {
			const struct pschool *ps = &p.s[x->school];
			long long base = -1;

			if ((row = school_row(sr, c, x->school, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			if (set_str(sr, row, 2, g) ||
			    set_str(sr, row, 3, label_of(group_labels, g)))
				goto nomem;
			set_int(sr, row, 4, x->n);
			if (ps->has && strcmp(g, "survey_student") == 0)
				base = ps->students;
			else if (ps->has && strcmp(g, "survey_parent") == 0)
				base = ps->n[cat_index("families_total")];
			else if (strcmp(g, "survey_director") == 0)
				base = 1;
			else if (strcmp(g, "survey_teacher") == 0) {
				const struct skey *st = skey_get(&t, x->school, S_STAFF,
				    "teachers", false);

				base = st ? st->n : -1;
			}
			if (base >= 0) {
				set_int(sr, row, 5, base);
				if (base > 0)
					set_num(sr, row, 6, pct(x->n, base));
			}
			continue;
		}
		if (x->dim == S_DIST) {
			char qk[sizeof(x->key)];
			struct skey *qa;

			if (survey_key(qk, sizeof(qk), g, q, NULL) != 0 ||
			    (qa = skey_get(&t, x->school, S_QANS, qk, false)) == NULL)
				continue;   /* cannot happen: an answer implies its question */
			if ((row = school_row(sd, c, x->school, e)) < 0) {
				r = TERR_NOMEM;
				goto out;
			}
			if (set_str(sd, row, 2, g) ||
			    set_str(sd, row, 3, label_of(group_labels, g)) ||
			    set_str(sd, row, 4, q) ||
			    set_str(sd, row, 5, question_label(c, g, q)) ||
			    set_str(sd, row, 6, a) ||
			    set_str(sd, row, 7, answer_label(c, g, q, a)))
				goto nomem;
			set_int(sd, row, 8, x->n);
			set_num(sd, row, 9, pct(x->n, qa->n));
			continue;
		}
		if ((row = school_row(sv, c, x->school, e)) < 0) {
			r = TERR_NOMEM;
			goto out;
		}
		if (set_str(sv, row, 2, g) ||
		    set_str(sv, row, 3, label_of(group_labels, g)) ||
		    set_str(sv, row, 4, q) ||
		    set_str(sv, row, 5, question_label(c, g, q)))
			goto nomem;
		set_int(sv, row, 6, x->n);
		set_num(sv, row, 7, x->n > 0 ? x->sum / (double)x->n : 0);
	}
	r = 0;
	goto out;
 nomem:
	r = NOMEM(e);
 out:
	passport_free(&p);
	free(t.v);
	return r;
}

/* ------------------------------------------------------------------ */
/* settings                                                            */

static const struct col set_cols[] = {
	{ "key", "Настройка", 0, 0 }, { "value", "Значение", 0, 0 },
	{ "default", "По умолчанию", 0, 0 }, { "description", "Описание", 0, 0 },
};

static int
report_settings(struct ctx *c, struct out *o, struct terr *e)
{
	struct settings set;
	struct sect *s;
	int r;

	o->title = "Настройки отчётов";
	if ((r = settings_load(c->db, &set, e)) != 0)
		return r;
	s = out_sect(o, "settings", "Настройки (ключ = значение в таблице settings)",
	    set_cols, NCOLS(set_cols));
	for (size_t i = 0; i < N_SETTINGS; i++) {
		long row = sect_row(s);

		if (row < 0 || set_str(s, row, 0, setting_defs[i].key) ||
		    set_str(s, row, 1, set.raw[i]) ||
		    set_str(s, row, 2, setting_defs[i].def) ||
		    set_str(s, row, 3, setting_defs[i].help))
			return NOMEM(e);
	}
	return 0;
}

/* ------------------------------------------------------------------ */

struct report_def {
	const char *name;
	int (*fn)(struct ctx *, struct out *, struct terr *);
};

static const struct report_def reports[] = {
	{ "verification", report_verification },
	{ "mediation", report_mediation },
	{ "passport", report_passport },
	{ "surveys", report_surveys },
	{ "identification", report_identification },
	{ "settings", report_settings },
};

static int
parse_period(struct ctx *c, const struct report_opts *o, struct terr *e)
{
	c->from_year = 0;
	c->to_year = 9999;
	if (o->from) {
		if (form_date_days(o->from, &c->from_days) != 0)
			return terr_set(e, TERR_ARG, "дата --from «%.32s» неверна: нужна "
			    "ГГГГ-ММ-ДД", o->from);
		c->has_from = true;
		c->from_year = atoi(o->from);
	}
	if (o->to) {
		if (form_date_days(o->to, &c->to_days) != 0)
			return terr_set(e, TERR_ARG, "дата --to «%.32s» неверна: нужна "
			    "ГГГГ-ММ-ДД", o->to);
		c->has_to = true;
		c->to_year = atoi(o->to);
	}
	if (c->has_from && c->has_to && c->from_days > c->to_days)
		return terr_set(e, TERR_ARG, "период задан наоборот: --from %s позже "
		    "--to %s", o->from, o->to);
	return 0;
}

int
report_run(sqlite3 *db, const struct report_opts *o, FILE *out, struct terr *e)
{
	struct ctx c;
	struct out rep;
	const struct report_def *def = NULL;
	char delim;
	int r;

	memset(&c, 0, sizeof(c));
	memset(&rep, 0, sizeof(rep));
	if (db == NULL || o == NULL || out == NULL)
		return terr_set(e, TERR_ARG, "отчёт: не заданы база или параметры");
	for (size_t i = 0; o->name && i < NCOLS(reports); i++)
		if (strcmp(o->name, reports[i].name) == 0)
			def = &reports[i];
	if (def == NULL)
		return terr_set(e, TERR_ARG, "неизвестный отчёт «%.64s»; есть: "
		    "verification, mediation, passport, surveys, identification, "
		    "settings", o->name ? o->name : "");
	if (o->school && (strlen(o->school) > REPORT_SCHOOL_MAX || !*o->school))
		return terr_set(e, TERR_ARG, "код школы «%.40s» неверен", o->school);
	delim = o->delimiter ? o->delimiter : ';';
	if (delim == '"' || delim == '\n' || delim == '\r')
		return terr_set(e, TERR_ARG, "недопустимый разделитель CSV");
	c.db = db;
	c.o = o;
	if ((r = parse_period(&c, o, e)) != 0)
		return r;
	if ((r = report_schema(db, e)) != 0)
		return r;
	if ((r = load_schools(&c, e)) != 0)
		goto out;
	rep.name = def->name;
	if ((r = def->fn(&c, &rep, e)) != 0)
		goto out;
	switch (o->format) {
	case REPORT_CSV:
		render_csv(&rep, out, delim);
		break;
	case REPORT_JSON:
		r = render_json(&rep, o, out, e);
		break;
	default:
		render_table(&rep, out);
		break;
	}
	if (r == 0 && (fflush(out) != 0 || ferror(out)))
		r = terr_set(e, TERR_IO, "не удалось записать отчёт");
 out:
	out_free(&rep);
	ctx_clear(&c);
	return r;
}
