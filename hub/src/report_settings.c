/*
 * report_settings — the reports' settings (see report_settings.h).
 */
#include <stdio.h>
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
	{ "surveys.deadline", "02-15", "Срок анкетирования",
	    "ММ-ДД: анкета, заполненная позже этого дня (до 31 августа того же "
	    "года), отмечается в отчёте surveys как поданная после срока" },
};

static const char *const isbsh_keys[REPORT_ISBSH_SCALES][2] = {
	[REPORT_ISBSH_SCALE_8] = { "isbsh.unfavourable_max", "isbsh.favourable_min" },
	[REPORT_ISBSH_SCALE_100] = { "isbsh_100.unfavourable_max", "isbsh_100.favourable_min" },
};

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
	if (strcmp(key, "verification.deadline") == 0 ||
	    strcmp(key, "surveys.deadline") == 0) {
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
	int r, known = 0;

	if (db == NULL)
		return terr_set(e, TERR_ARG, "база хаба не открыта");
	for (size_t i = 0; i < REPORT_SETTINGS_N; i++)
		if (key && strcmp(key, setting_defs[i].key) == 0)
			known = 1;
	if (!known)
		return terr_set(e, TERR_ARG, "неизвестная настройка «%.64s»; допустимы: "
		    "identification.low_threshold, identification.low_comparison, "
		    "identification.high_threshold, identification.combine, "
		    "verification.deadline, isbsh.unfavourable_max, isbsh.favourable_min, "
		    "isbsh_100.unfavourable_max, isbsh_100.favourable_min, surveys.deadline",
		    key ? key : "");
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
	return 0;
}

