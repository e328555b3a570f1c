/*
 * report_settings — the reports' settings (see report_settings.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub/report.h"
#include "report_settings.h"
#include "tetrad/decimal.h"
#include "tetrad/form.h"

struct setting_def {
	const char *key, *def, *label, *help;
};

static const struct setting_def setting_defs[REPORT_SETTINGS_N] = {
	{ "identification.low_threshold", "30", "Порог низких результатов, %",
	    "доля участников ниже минимального уровня (0–100), начиная с которой "
	    "результаты низкие" },
	{ "identification.low_comparison", ">=", "Сравнение с порогом",
	    "«>=» — не менее порога, «>» — более порога" },
	{ "identification.high_threshold", "10", "Порог высоких результатов, %",
	    "результаты высокие, если доля низких результатов меньше этого "
	    "значения (0–100, не больше порога низких); муниципальная настройка — "
	    "документы программы этот порог не задают" },
	{ "identification.combine", "mean", "Сведение предметов",
	    "как из результатов ВПР/ОГЭ (русский, математика) получить одну долю: "
	    "mean — по всем участникам вместе (если в импорте только проценты — "
	    "среднее процентов), max — наибольшая из долей предметов" },
	{ "verification.deadline", "03-10", "Срок верификационного визита",
	    "ММ-ДД: первичное посещение (верификация РПШ) в срок, если не позже "
	    "этого дня года проекта" },

	/* ИСБШ status bands, one pair per scale (docs/reports.md «Social status») */
	{ "isbsh.unfavourable_max", "-3", "ИСБШ −8…+8: неблагоприятный не выше",
	    "шкала −8…+8 (isbsh-v1, Ижевск): статус неблагоприятный, если ИСБШ не "
	    "больше этого числа (по концепции Ижевска −3)" },
	{ "isbsh.favourable_min", "3", "ИСБШ −8…+8: благоприятный не ниже",
	    "шкала −8…+8: статус благоприятный, если ИСБШ не меньше этого числа; "
	    "между границами — нейтральный" },
	{ "isbsh_100.unfavourable_max", "31.25", "ИСБШ 0–100: неблагоприятный не выше",
	    "шкала 0–100 (Свердловская область): статус неблагоприятный, если ИСБШ "
	    "не больше этого числа; по умолчанию — граница −3 шкалы −8…+8, "
	    "перенесённая на 0–100" },
	{ "isbsh_100.favourable_min", "68.75", "ИСБШ 0–100: благоприятный не ниже",
	    "шкала 0–100: статус благоприятный, если ИСБШ не меньше этого числа; "
	    "по умолчанию — граница +3 шкалы −8…+8, перенесённая на 0–100" },
	/* the programmes' calendar (report_completeness.c); per year: KIND.deadline.YYYY */
	{ "medk.deadline", "03-10", "Срок отметок в ИС МЭДК",
	    "ММ-ДД: отметки верификационного визита внесены в ИС МЭДК не позже "
	    "этого дня года проекта" },
	{ "surveys.deadline", "02-15", "Срок анкетирования",
	    "ММ-ДД: анкета, заполненная позже этого дня (до 31 августа того же "
	    "года), отмечается как поданная после срока (отчёты surveys и completeness)" },
	{ "passport.deadline", "10-31", "Срок социального паспорта",
	    "ММ-ДД: социальный паспорт года (дата сведений) не позже этого дня" },
};

static const char *const isbsh_keys[REPORT_ISBSH_SCALES][2] = {
	[REPORT_ISBSH_SCALE_8] = { "isbsh.unfavourable_max", "isbsh.favourable_min" },
	[REPORT_ISBSH_SCALE_100] = { "isbsh_100.unfavourable_max", "isbsh_100.favourable_min" },
};

/* The deadlines' kinds, in the order of report_settings.year_deadline. */
static const char *const deadline_kinds[REPORT_DEADLINE_KINDS] = {
	"verification", "medk", "surveys", "passport",
};

/*
 * A per-year deadline key «KIND.deadline.YYYY»: its kind's index and the
 * year, or -1. Such keys are not in setting_defs: any project year may
 * have one.
 */
static int
deadline_year_key(const char *key, int *year)
{
	for (int k = 0; k < REPORT_DEADLINE_KINDS; k++) {
		size_t n = strlen(deadline_kinds[k]);
		const char *y;

		if (strncmp(key, deadline_kinds[k], n) != 0 ||
		    strncmp(key + n, ".deadline.", sizeof(".deadline.") - 1) != 0)
			continue;
		y = key + n + sizeof(".deadline.") - 1;
		if (strlen(y) != 4 || y[0] < '0' || y[0] > '9' || y[1] < '0' || y[1] > '9' ||
		    y[2] < '0' || y[2] > '9' || y[3] < '0' || y[3] > '9')
			return -1;
		*year = atoi(y);
		return *year >= REPORT_DEADLINE_YEAR_MIN && *year <= REPORT_DEADLINE_YEAR_MAX ?
		    k : -1;
	}
	return -1;
}

/* A per-year value: a whole date «ГГГГ-ММ-ДД» in the project year or the next. */
static int
deadline_year_check(const char *key, int year, const char *value, struct terr *e)
{
	long days;

	if (strlen(value) != 10 || form_date_days(value, &days) != 0 ||
	    (atoi(value) != year && atoi(value) != year + 1))
		return terr_set(e, TERR_ARG, "значение «%.32s» для %s: нужна дата ГГГГ-ММ-ДД "
		    "в %d или %d году, например %d-03-10", value, key, year, year + 1, year);
	return 0;
}

void
report_settings_deadline(const struct report_settings *s, const char *kind, int year,
    char out[11])
{
	int k;

	for (k = 0; k < REPORT_DEADLINE_KINDS; k++)
		if (strcmp(kind, deadline_kinds[k]) == 0)
			break;
	if (k < REPORT_DEADLINE_KINDS && year >= REPORT_DEADLINE_YEAR_MIN &&
	    year <= REPORT_DEADLINE_YEAR_MAX &&
	    s->year_deadline[k][year - REPORT_DEADLINE_YEAR_MIN][0]) {
		memcpy(out, s->year_deadline[k][year - REPORT_DEADLINE_YEAR_MIN], 11);
		return;
	}
	for (size_t i = 0; i < REPORT_SETTINGS_N; i++) {
		size_t n = k < REPORT_DEADLINE_KINDS ? strlen(deadline_kinds[k]) : 0;

		if (n && strncmp(setting_defs[i].key, kind, n) == 0 &&
		    strcmp(setting_defs[i].key + n, ".deadline") == 0) {
			char d[16];

			snprintf(d, sizeof(d), "%04d-%.5s", year % 10000, s->raw[i]);
			memcpy(out, d, 10);
			out[10] = '\0';
			return;
		}
	}
	out[0] = '\0';
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
	if (strlen(key) > 9 && strcmp(key + strlen(key) - 9, ".deadline") == 0) {
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
	if (strncmp(key, "isbsh.", 6) == 0) {
		if (decimal_parse(value, false, &v) != 0 || !(v >= -8 && v <= 8))
			return terr_set(e, TERR_ARG, "значение «%.32s» для %s: нужно число "
			    "от −8 до 8", value, key);
		return 0;
	}
	if (decimal_parse(value, false, &v) != 0 || !(v >= 0 && v <= 100))
		return terr_set(e, TERR_ARG, "значение «%.32s» для %s: нужно число от 0 "
		    "до 100", value, key);
	return 0;
}

static int isbsh_bands_load(struct report_settings *s, struct terr *e);

static size_t setting_index(const char *key);

/* State of report_settings_load while the store hands it rows. */
struct report_settings_reader {
	struct report_settings *s;
	struct terr *e;
};

static int
report_settings_row(void *arg, const char *k, const char *v)
{
	struct report_settings_reader *rd = arg;
	int kind, year;

	if ((kind = deadline_year_key(k, &year)) >= 0) {
		if (deadline_year_check(k, year, v, rd->e) != 0)
			return terr_set(rd->e, TERR_ARG, "настройка %s в базе неверна («%.32s»); "
			    "исправьте её: tetrad-hub settings set %s ГГГГ-ММ-ДД", k, v, k);
		memcpy(rd->s->year_deadline[kind][year - REPORT_DEADLINE_YEAR_MIN], v, 11);
		return 0;
	}
	for (size_t i = 0; i < REPORT_SETTINGS_N; i++) {
		if (strcmp(k, setting_defs[i].key) != 0)
			continue;
		/* A value broken by hand must not silently change a report. */
		if (setting_check(k, v, rd->e) != 0)
			return terr_set(rd->e, TERR_ARG, "настройка %s в базе неверна («%.32s»); "
			    "исправьте её: tetrad-hub settings set %s ЗНАЧЕНИЕ", k, v, k);
		snprintf(rd->s->raw[i], sizeof(rd->s->raw[i]), "%s", v);
	}
	return 0;
}

int
report_settings_load(struct hubdb *db, struct report_settings *s, struct terr *e)
{
	struct report_settings_reader rd = { s, e };
	int r;

	memset(s->year_deadline, 0, sizeof(s->year_deadline));
	for (size_t i = 0; i < REPORT_SETTINGS_N; i++)
		snprintf(s->raw[i], sizeof(s->raw[i]), "%s", setting_defs[i].def);
	if ((r = hubdb_settings_each(db, report_settings_row, &rd, e)) != 0)
		return r;
	/* every raw value passed setting_check: they parse */
	decimal_parse(s->raw[0], false, &s->low_threshold);
	s->low_strict = strcmp(s->raw[1], ">") == 0;
	decimal_parse(s->raw[2], false, &s->high_threshold);
	s->combine_max = strcmp(s->raw[3], "max") == 0;
	memcpy(s->deadline, s->raw[4], 5);
	s->deadline[5] = '\0';
	memcpy(s->surveys_deadline, s->raw[setting_index("surveys.deadline")], 5);
	s->surveys_deadline[5] = '\0';
	if (s->high_threshold > s->low_threshold)
		return terr_set(e, TERR_ARG, "порог высоких результатов (%s) больше "
		    "порога низких (%s): исправьте настройки", s->raw[2], s->raw[0]);
	return isbsh_bands_load(s, e);
}

/* Index of key in setting_defs (a key of this file: always found). */
static size_t
setting_index(const char *key)
{
	size_t i = 0;

	while (i + 1 < REPORT_SETTINGS_N && strcmp(setting_defs[i].key, key) != 0)
		i++;
	return i;
}

/* The status bands of each ИСБШ scale; the unfavourable one must lie below. */
static int
isbsh_bands_load(struct report_settings *s, struct terr *e)
{
	for (int k = 0; k < REPORT_ISBSH_SCALES; k++) {
		const char *lo = s->raw[setting_index(isbsh_keys[k][0])];
		const char *hi = s->raw[setting_index(isbsh_keys[k][1])];

		decimal_parse(lo, false, &s->isbsh_unfav_max[k]);
		decimal_parse(hi, false, &s->isbsh_fav_min[k]);
		if (s->isbsh_unfav_max[k] >= s->isbsh_fav_min[k])
			return terr_set(e, TERR_ARG, "граница неблагоприятного статуса %s = %s "
			    "не ниже границы благоприятного %s = %s: исправьте настройки",
			    isbsh_keys[k][0], lo, isbsh_keys[k][1], hi);
	}
	return 0;
}

void
report_settings_meta_isbsh(struct report_out *o, const struct report_settings *s)
{
	for (int k = 0; k < REPORT_ISBSH_SCALES; k++)
		for (int j = 0; j < 2; j++) {
			size_t i = setting_index(isbsh_keys[k][j]);

			report_model_meta(o, setting_defs[i].key, setting_defs[i].label,
			    true, s->raw[i]);
		}
}

void
report_settings_meta_identification(struct report_out *o, const struct report_settings *s)
{
	for (size_t i = 0; i < REPORT_SETTINGS_N_ID; i++)
		report_model_meta(o, setting_defs[i].key, setting_defs[i].label,
		    i == 0 || i == 2, s->raw[i]);
}

int
report_setting_set(struct hubdb *db, const char *key, const char *value,
    struct terr *e)
{
	int r, known = 0, year;
	char names[512];

	if (db == NULL)
		return terr_set(e, TERR_ARG, "база хаба не открыта");
	if (key && deadline_year_key(key, &year) >= 0) {
		if (value && (r = deadline_year_check(key, year, value, e)) != 0)
			return r;
		return hubdb_setting_put(db, key, value, e);
	}
	names[0] = '\0';
	for (size_t i = 0; i < REPORT_SETTINGS_N; i++) {
		if (key && strcmp(key, setting_defs[i].key) == 0)
			known = 1;
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s, ",
		    setting_defs[i].key);
	}
	if (!known)
		return terr_set(e, TERR_ARG, "неизвестная настройка «%.64s»; допустимы: "
		    "%sа для срока одного года — ВИД.deadline.ГГГГ", key ? key : "", names);
	if (value && (r = setting_check(key, value, e)) != 0)
		return r;
	return hubdb_setting_put(db, key, value, e);
}

static const struct report_col set_cols[] = {
	{ "key", "Настройка", 0, 0 }, { "value", "Значение", 0, 0 },
	{ "default", "По умолчанию", 0, 0 }, { "description", "Описание", 0, 0 },
};

int
report_settings_run(struct report_ctx *c, struct report_out *o, struct terr *e)
{
	struct report_settings set;
	struct report_sect *s;
	int r;

	o->title = "Настройки отчётов";
	if ((r = report_settings_load(c->db, &set, e)) != 0)
		return r;
	s = report_model_sect(o, "settings", "Настройки (ключ = значение в таблице settings)",
	    set_cols, REPORT_NCOLS(set_cols));
	for (size_t i = 0; i < REPORT_SETTINGS_N; i++) {
		long row = report_model_row(s);

		if (row < 0 || report_model_str(s, row, 0, setting_defs[i].key) ||
		    report_model_str(s, row, 1, set.raw[i]) ||
		    report_model_str(s, row, 2, setting_defs[i].def) ||
		    report_model_str(s, row, 3, setting_defs[i].help))
			return REPORT_NOMEM(e);
	}
	/* the per-year deadlines that are set, by kind and year */
	for (int k = 0; k < REPORT_DEADLINE_KINDS; k++)
		for (int y = 0; y <= REPORT_DEADLINE_YEAR_MAX - REPORT_DEADLINE_YEAR_MIN; y++) {
			char key[48];
			long row;

			if (!set.year_deadline[k][y][0])
				continue;
			snprintf(key, sizeof(key), "%s.deadline.%d", deadline_kinds[k],
			    y + REPORT_DEADLINE_YEAR_MIN);
			if ((row = report_model_row(s)) < 0 || report_model_str(s, row, 0, key) ||
			    report_model_str(s, row, 1, set.year_deadline[k][y]) ||
			    report_model_str(s, row, 3, "срок этого года проекта (ГГГГ-ММ-ДД) "
			    "вместо ММ-ДД по умолчанию"))
				return REPORT_NOMEM(e);
		}
	return 0;
}

