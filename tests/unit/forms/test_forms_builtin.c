/*
 * test_forms_builtin — the forms that ship with the client (forms):
 * every definition loads with its dictionaries; each accepts a realistic
 * filled record (tests/data/forms/<id>.good.json) as final, as draft and, with
 * local fields stripped, at the hub; and each rejects broken records with the
 * Russian messages a curator or mediator will read.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tetrad/fileio.h"
#include "tetrad/formfile.h"
#include "tetrad/form.h"
#include "tetrad/textin.h"

#ifndef TETRAD_FORMS_DIR
#error "TETRAD_FORMS_DIR must be defined by the build"
#endif
#define DATA_DIR TETRAD_SOURCE_DIR "/tests/data/forms"

static const char *const builtin_ids[] = { "risk_visit", "mediation_case",
    "social_passport", "survey_director", "survey_teacher", "survey_student",
    "survey_parent", NULL };

static struct form *
load_form(const char *id)
{
	char path[1024];
	struct form *f = NULL;
	struct terr e;
	int r;

	snprintf(path, sizeof(path), "%s/%s.json", TETRAD_FORMS_DIR, id);
	r = formfile_load(path, TETRAD_FORMS_DIR "/dict", &f, &e);
	if (r != 0)
		fprintf(stderr, "  %s: %s\n", path, e.msg);
	CHECK_INT_EQ(r, 0);
	if (f != NULL)
		CHECK_STR_EQ(form_id(f), id);
	return f;
}

static cJSON *
load_good(const char *id)
{
	char path[1024];
	uint8_t *buf = NULL;
	size_t n = 0;
	cJSON *v = NULL;

	snprintf(path, sizeof(path), "%s/%s.good.json", DATA_DIR, id);
	CHECK_INT_EQ(fileio_read_all(path, FORM_MAX_BYTES, &buf, &n, NULL), 0);
	if (buf != NULL)
		v = cJSON_ParseWithLength((const char *)buf, n);
	free(buf);
	CHECK(v != NULL);
	return v;
}

static int
has(const struct form_problems *p, const char *path, const char *msg)
{
	for (size_t i = 0; p != NULL && i < p->n; i++)
		if (strcmp(p->items[i].path, path) == 0 &&
		    strcmp(p->items[i].message, msg) == 0)
			return 1;
	fprintf(stderr, "  wanted [%s] %s; got:\n", path, msg);
	for (size_t i = 0; p != NULL && i < p->n; i++)
		fprintf(stderr, "    [%s] %s\n", p->items[i].path,
		    p->items[i].message);
	return 0;
}

/* Validates a copy of the good record after edit(); returns the problems. */
static struct form_problems *
broken(const struct form *f, const cJSON *good, enum form_mode mode,
    void (*edit)(cJSON *), int *rc)
{
	cJSON *v = cJSON_Duplicate(good, 1);
	struct form_problems *p = NULL;
	struct terr e;

	edit(v);
	*rc = form_validate(f, v, mode, &p, &e);
	if (*rc == TERR_INVALID)
		CHECK(e.msg[0] != '\0');
	cJSON_Delete(v);
	return p;
}

static void
set_num(cJSON *v, const char *k, double x)
{
	cJSON_DeleteItemFromObjectCaseSensitive(v, k);
	cJSON_AddNumberToObject(v, k, x);
}

static void
set_str(cJSON *v, const char *k, const char *s)
{
	cJSON_DeleteItemFromObjectCaseSensitive(v, k);
	cJSON_AddStringToObject(v, k, s);
}

static void
set_bool(cJSON *v, const char *k, int b)
{
	cJSON_DeleteItemFromObjectCaseSensitive(v, k);
	cJSON_AddBoolToObject(v, k, b);
}

/* ---- every built-in form: loads, accepts its example ---- */

static void
test_all_load_and_accept(void)
{
	DIR *d = opendir(TETRAD_FORMS_DIR);
	struct dirent *de;
	size_t n_files = 0;

	CHECK(d != NULL);
	/* every definition in the folder loads (also ones added later) */
	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char path[1024];
		struct form *f = NULL;
		struct terr e;

		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", TETRAD_FORMS_DIR, de->d_name);
		CHECK_INT_EQ(formfile_load(path, TETRAD_FORMS_DIR "/dict", &f, &e), 0);
		n_files++;
		form_free(f);
	}
	if (d != NULL)
		closedir(d);
	CHECK(n_files >= 7);

	for (size_t i = 0; builtin_ids[i] != NULL; i++) {
		struct form *f = load_form(builtin_ids[i]);
		cJSON *good = load_good(builtin_ids[i]), *s;
		struct form_problems *p = NULL;
		struct terr e;
		int r;

		if (f == NULL || good == NULL) {
			form_free(f);
			cJSON_Delete(good);
			continue;
		}
		CHECK(form_version(f) >= 1);
		CHECK(form_title(f) != NULL && form_title(f)[0] != '\0');
		r = form_validate(f, good, FORM_FINAL, &p, &e);
		if (r != 0)
			fprintf(stderr, "  %s good example: %s\n", builtin_ids[i],
			    e.msg);
		CHECK_INT_EQ(r, 0);
		form_problems_free(p);
		p = NULL;
		CHECK_INT_EQ(form_validate(f, good, FORM_DRAFT, &p, &e), 0);
		form_problems_free(p);
		p = NULL;
		s = form_strip_local(f, good);
		CHECK(s != NULL);
		r = form_validate(f, s, FORM_HUB, &p, &e);
		if (r != 0)
			fprintf(stderr, "  %s stripped at hub: %s\n", builtin_ids[i],
			    e.msg);
		CHECK_INT_EQ(r, 0);
		form_problems_free(p);
		p = NULL;
		/* an empty record is a valid draft and an invalid final one */
		{
			cJSON *empty = cJSON_CreateObject();

			CHECK_INT_EQ(form_validate(f, empty, FORM_DRAFT, &p, &e), 0);
			form_problems_free(p);
			p = NULL;
			CHECK_INT_EQ(form_validate(f, empty, FORM_FINAL, &p, &e),
			    TERR_INVALID);
			CHECK(p != NULL && p->n > 0);
			form_problems_free(p);
			p = NULL;
			cJSON_Delete(empty);
		}
		cJSON_Delete(s);
		cJSON_Delete(good);
		form_free(f);
	}
}

/* ---- social passport ---- */

static void sp_too_many(cJSON *v) { set_num(v, "large_families", 415); }
/* 380 of 412 students, but of 371 families: too many families (version 2) */
static void sp_families(cJSON *v) { set_num(v, "large_families", 380); }
static void sp_grades(cJSON *v) { set_num(v, "students_4_11", 413); }
static void sp_no_grades(cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(v, "students_4_11");
}
static void sp_class_no_name(cJSON *v) { set_str(v, "level", "class"); }
static void
sp_several(cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(v, "migrant_families");
	set_num(v, "orphans", -1);
	set_num(v, "special_needs", 12.5);
	set_str(v, "class_name", "5А");
	set_str(v, "snapshot_date", "20.09.2021");
	set_str(v, "academic_year", "2021-2022");
}

static void
test_social_passport(void)
{
	struct form *f = load_form("social_passport");
	cJSON *good = load_good("social_passport");
	struct form_problems *p;
	int rc;

	if (f == NULL || good == NULL)
		goto out;
	p = broken(f, good, FORM_FINAL, sp_too_many, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK(has(p, "large_families", "Многодетные семьи: не может быть больше, "
	    "чем «Всего семей»"));
	CHECK_INT_EQ(p ? p->n : 0, 1);
	form_problems_free(p);
	/* version 2: a count of families is bounded by the families */
	CHECK_INT_EQ(form_version(f), 2);
	p = broken(f, good, FORM_FINAL, sp_families, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK(has(p, "large_families", "Многодетные семьи: не может быть больше, "
	    "чем «Всего семей»"));
	CHECK_INT_EQ(p ? p->n : 0, 1);
	form_problems_free(p);
	p = broken(f, good, FORM_HUB, sp_families, &rc);   /* the hub: the same code */
	CHECK_INT_EQ(rc, TERR_INVALID);
	form_problems_free(p);
	p = broken(f, good, FORM_FINAL, sp_grades, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK(has(p, "students_4_11", "Обучающихся 4–11 классов: не может быть "
	    "больше, чем «Всего обучающихся»"));
	form_problems_free(p);
	/* optional: a passport without it is complete */
	p = broken(f, good, FORM_FINAL, sp_no_grades, &rc);
	CHECK_INT_EQ(rc, 0);
	form_problems_free(p);
	/* version 1 stays loadable and judges its records as before */
	{
		struct form *f1 = NULL;
		struct terr e1;

		CHECK_INT_EQ(formfile_load(TETRAD_FORMS_DIR "/social_passport-v1.json",
		    TETRAD_FORMS_DIR "/dict", &f1, &e1), 0);
		if (f1 != NULL) {
			CHECK_INT_EQ(form_version(f1), 1);
			CHECK(form_find(f1, "students_4_11") == NULL);
			p = broken(f1, good, FORM_FINAL, sp_families, &rc);
			/* 380 ≤ 412 students; students_4_11 is unknown to v1 */
			CHECK(p != NULL && p->n == 1 && strcmp(p->items[0].path,
			    "students_4_11") == 0);
			form_problems_free(p);
			p = broken(f1, good, FORM_FINAL, sp_too_many, &rc);
			CHECK(has(p, "large_families", "Многодетные семьи: не может быть "
			    "больше, чем «Всего обучающихся»"));
			form_problems_free(p);
		}
		form_free(f1);
	}
	/* not for a draft: a draft is always savable, finalizing judges it */
	p = broken(f, good, FORM_DRAFT, sp_too_many, &rc);
	CHECK_INT_EQ(rc, 0);
	form_problems_free(p);
	p = broken(f, good, FORM_FINAL, sp_class_no_name, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK(has(p, "class_name", "Класс: обязательное поле, если «Уровень "
	    "сведений» — «класс»"));
	form_problems_free(p);
	p = broken(f, good, FORM_FINAL, sp_several, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK(has(p, "migrant_families", "Дети из семей мигрантов: обязательное "
	    "поле"));
	CHECK(has(p, "orphans", "Дети-сироты и дети, оставшиеся без попечения "
	    "родителей: не может быть меньше 0"));
	CHECK(has(p, "special_needs", "Обучающиеся с ОВЗ: нужно целое число"));
	CHECK(has(p, "class_name", "Класс: заполняется, только если «Уровень "
	    "сведений» — «класс»"));
	CHECK(has(p, "snapshot_date", "Дата сведений: нужна дата в виде "
	    "ДД.ММ.ГГГГ (например, 10.03.2021)"));
	CHECK(has(p, "academic_year", "Учебный год: нужно в виде «9999/9999», "
	    "где 9 — цифра"));
	CHECK_INT_EQ(p ? p->n : 0, 6);
	form_problems_free(p);
	/* a CSV cell typed the Russian way converts to the stored form */
	{
		const struct form_field *fl = form_find(f, "snapshot_date");
		cJSON *val = NULL;
		struct terr e;

		CHECK_INT_EQ(textin_value(fl, "20.09.2021", &val, &e), 0);
		CHECK(val != NULL && strcmp(val->valuestring, "2021-09-20") == 0);
		cJSON_Delete(val);
		val = NULL;
		CHECK_INT_EQ(textin_value(form_find(f, "level"), "класс",
		    &val, &e), 0);
		CHECK(val != NULL && strcmp(val->valuestring, "class") == 0);
		cJSON_Delete(val);
	}
 out:
	cJSON_Delete(good);
	form_free(f);
}

/* ---- risk-profile verification visit ---- */

static cJSON *
factor_item(cJSON *v, const char *code)
{
	cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(v, "factors"))
		if (strcmp(cJSON_GetObjectItemCaseSensitive(it,
		    "factor")->valuestring, code) == 0)
			return it;
	return NULL;
}

static void
rv_broken(cJSON *v)
{
	cJSON *fs = cJSON_GetObjectItemCaseSensitive(v, "factors");
	int i = 0;
	cJSON *it;

	/* drop R05, leave R04 (not confirmed) without its comment */
	cJSON_ArrayForEach(it, fs) {
		if (strcmp(cJSON_GetObjectItemCaseSensitive(it,
		    "factor")->valuestring, "R05") == 0)
			break;
		i++;
	}
	cJSON_DeleteItemFromArray(fs, i);
	cJSON_DeleteItemFromObjectCaseSensitive(factor_item(v, "R04"), "comment");
	set_str(factor_item(v, "R01"), "decision", "rejected");
	set_str(v, "medk_date", "2021-03-01");
	set_str(v, "visit_type", "inspection");
}

static void
rv_not_entered(cJSON *v)
{
	set_bool(v, "medk_entered", 0);
}

static void
rv_entered_no_date(cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(v, "medk_date");
}

static void
rv_two_factors(cJSON *v)
{
	cJSON *fs = cJSON_GetObjectItemCaseSensitive(v, "factors");

	while (cJSON_GetArraySize(fs) > 2)
		cJSON_DeleteItemFromArray(fs, 2);
}

static void
rv_duplicate(cJSON *v)
{
	cJSON *fs = cJSON_GetObjectItemCaseSensitive(v, "factors");

	cJSON_AddItemToArray(fs, cJSON_Duplicate(cJSON_GetArrayItem(fs, 0), 1));
}

static void
test_risk_visit(void)
{
	struct form *f = load_form("risk_visit");
	cJSON *good = load_good("risk_visit");
	struct form_problems *p;
	const struct form_field *key;
	int rc;

	if (f == NULL || good == NULL)
		goto out;
	/* one item per factor of the year's dictionary */
	key = form_field_find_path(f, "factors.factor");
	CHECK(key != NULL && key->n_choices == 11);
	CHECK(form_dictionary_find(f, "risk_factors") != NULL);
	CHECK_INT_EQ(form_dictionary_find(f, "risk_factors")->version, 2021);
	CHECK(form_field_find_path(f, "factors.profile_level")->readonly);
	/* version 2: the visit is filed under the school it names; version 1
	 * stays loadable for the records made with it, without a school field */
	CHECK(form_version(f) >= 2);
	CHECK(form_school_field(f) != NULL &&
	    strcmp(form_school_field(f)->id, "school_code") == 0);
	{
		struct form *v1 = NULL;
		struct terr e;

		CHECK_INT_EQ(formfile_load(TETRAD_FORMS_DIR "/risk_visit-v1.json",
		    TETRAD_FORMS_DIR "/dict", &v1, &e), 0);
		if (v1 != NULL) {
			CHECK_STR_EQ(form_id(v1), "risk_visit");
			CHECK_INT_EQ(form_version(v1), 1);
			CHECK(form_school_field(v1) == NULL);
			CHECK_INT_EQ(form_validate(v1, good, FORM_FINAL, &p, &e), 0);
			form_problems_free(p);
		}
		form_free(v1);
	}

	p = broken(f, good, FORM_FINAL, rv_broken, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK(has(p, "factors", "Факторы риска: нет записи для «Несформированность "
	    "внутришкольной системы повышения квалификации» (R05)"));
	CHECK(has(p, "factors[3].comment", "Комментарий (Факторы риска: «Риски "
	    "низкой адаптивности учебного процесса»): обязательное поле, если "
	    "«Решение куратора» — «не подтверждён» или «требует уточнения»"));
	CHECK(has(p, "factors[0].decision", "Решение куратора (Факторы риска: "
	    "«Низкий уровень оснащения школы»): нет такого варианта в списке"));
	CHECK(has(p, "medk_date", "Дата внесения в ИС МЭДК: не может быть раньше, "
	    "чем «Дата посещения»"));
	CHECK(has(p, "visit_type", "Вид посещения: нет такого варианта "
	    "в списке"));
	CHECK_INT_EQ(p ? p->n : 0, 5);
	form_problems_free(p);
	p = broken(f, good, FORM_FINAL, rv_not_entered, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK(has(p, "medk_date", "Дата внесения в ИС МЭДК: заполняется, только "
	    "если «Отметки внесены в ИС МЭДК» — «да»"));
	form_problems_free(p);
	p = broken(f, good, FORM_FINAL, rv_entered_no_date, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK(has(p, "medk_date", "Дата внесения в ИС МЭДК: обязательное поле, "
	    "если «Отметки внесены в ИС МЭДК» — «да»"));
	form_problems_free(p);
	/* a visit half entered is a fine draft, not a final record */
	p = broken(f, good, FORM_DRAFT, rv_two_factors, &rc);
	CHECK_INT_EQ(rc, 0);
	form_problems_free(p);
	p = broken(f, good, FORM_FINAL, rv_two_factors, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK_INT_EQ(p ? p->n : 0, 9);
	form_problems_free(p);
	p = broken(f, good, FORM_DRAFT, rv_duplicate, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK(has(p, "factors", "Факторы риска: запись для «Низкий уровень "
	    "оснащения школы» повторяется (2 записи)"));
	form_problems_free(p);
 out:
	cJSON_Delete(good);
	form_free(f);
}

/* ---- mediation case ---- */

static void
mc_broken(cJSON *v)
{
	char summary[501 * 2 + 1];

	/* 501 Cyrillic letters: 1002 bytes, one character too many */
	for (int i = 0; i < 501; i++)
		memcpy(summary + 2 * i, "ы", 2);
	summary[1002] = '\0';
	set_str(v, "summary", summary);
	set_str(v, "agreement_date", "2021-02-14");
	set_num(v, "mediators_count", 0);
	set_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(v, "parties"),
	    1), "role", "adult");
}

static void
mc_not_completed(cJSON *v)
{
	set_str(v, "status", "not_completed");
}

static void
mc_no_parties(cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(v, "parties");
	cJSON_AddItemToObject(v, "parties", cJSON_CreateArray());
}

static void
mc_received(cJSON *v)
{
	/* just received: nothing about the programme yet */
	static const char *const later[] = { "programme", "programme_date",
	    "mediators_count", "student_comediator", "children_count",
	    "adults_count", "agreement", "agreement_date", "agreement_follow_up",
	    NULL };

	set_str(v, "status", "received");
	for (size_t i = 0; later[i] != NULL; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(v, later[i]);
}

static void
test_mediation_case(void)
{
	struct form *f = load_form("mediation_case");
	cJSON *good = load_good("mediation_case"), *s;
	struct form_problems *p = NULL;
	struct terr e;
	int rc;
	char *txt;

	if (f == NULL || good == NULL)
		goto out;
	p = broken(f, good, FORM_FINAL, mc_broken, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK(has(p, "summary", "Суть конфликта: не длиннее 500 символов (сейчас "
	    "501)"));
	CHECK(has(p, "agreement_date", "Дата примирительного договора: не может "
	    "быть раньше, чем «Дата проведения программы»"));
	CHECK(has(p, "mediators_count", "Число медиаторов: не может быть меньше 1"));
	CHECK(has(p, "parties[1].class_name", "Класс (Стороны конфликта, запись "
	    "2): заполняется, только если «Роль» — «обучающийся»"));
	CHECK_INT_EQ(p ? p->n : 0, 4);
	form_problems_free(p);
	p = broken(f, good, FORM_FINAL, mc_not_completed, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK(has(p, "not_completed_reason", "Причина незавершения: обязательное "
	    "поле, если «Статус случая» — «не завершена»"));
	form_problems_free(p);
	p = broken(f, good, FORM_FINAL, mc_no_parties, &rc);
	CHECK_INT_EQ(rc, TERR_INVALID);
	CHECK(has(p, "parties", "Стороны конфликта: не меньше 1 записи (сейчас 0)"));
	form_problems_free(p);
	p = broken(f, good, FORM_FINAL, mc_received, &rc);
	CHECK_INT_EQ(rc, 0);
	form_problems_free(p);
	p = NULL;

	/* names, phones and the summary never leave the device */
	CHECK_INT_EQ(form_validate(f, good, FORM_HUB, &p, &e), TERR_INVALID);
	CHECK(has(p, "summary", "Суть конфликта: локальное поле не должно "
	    "покидать устройство"));
	CHECK(has(p, "parties[0].full_name", "ФИО (Стороны конфликта, запись 1): "
	    "локальное поле не должно покидать устройство"));
	CHECK(has(p, "parties[0].phone", "Телефон (Стороны конфликта, запись 1): "
	    "локальное поле не должно покидать устройство"));
	CHECK_INT_EQ(p ? p->n : 0, 4);
	form_problems_free(p);
	p = NULL;
	s = form_strip_local(f, good);
	txt = cJSON_PrintUnformatted(s);
	CHECK(txt != NULL);
	if (txt != NULL) {
		CHECK(strstr(txt, "Сидоров") == NULL);
		CHECK(strstr(txt, "Кузнецов") == NULL);
		CHECK(strstr(txt, "+7 900") == NULL);
		CHECK(strstr(txt, "Драка") == NULL);
		CHECK(strstr(txt, "\"children_count\":2") != NULL);
		CHECK(strstr(txt, "\"class_name\":\"7Б\"") != NULL);
	}
	free(txt);
	cJSON_Delete(s);
 out:
	cJSON_Delete(good);
	form_free(f);
}

/* ---- questionnaires ---- */

static void sd_broken(cJSON *v)
{
	set_num(v, "teachers_trained", 35);
	set_num(v, "safe_climate", 6);
	set_num(v, "underachievers_percent", 100.5);
	set_str(v, "internet", "5G");
}

static void st_broken(cJSON *v)
{
	set_bool(v, "training_last_year", 0);
	set_num(v, "workload", 3.25);
	cJSON_DeleteItemFromObjectCaseSensitive(v, "subjects");
}

static void ss_broken(cJSON *v)
{
	/* anonymous: there is no place for a name */
	set_str(v, "name", "Иванов Иван");
	set_num(v, "grade", 12);
	cJSON_DeleteItemFromObjectCaseSensitive(v, "feel_safe");
}

static void spa_broken(cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(v, "help_subjects");
	set_num(v, "satisfaction", 0);
}

static void
test_surveys(void)
{
	static const char *const ids[] = { "survey_director", "survey_teacher",
	    "survey_student", "survey_parent" };
	void (*edits[])(cJSON *) = { sd_broken, st_broken, ss_broken, spa_broken };

	for (size_t i = 0; i < 4; i++) {
		struct form *f = load_form(ids[i]);
		cJSON *good = load_good(ids[i]);
		struct form_problems *p;
		int rc;

		if (f == NULL || good == NULL) {
			cJSON_Delete(good);
			form_free(f);
			continue;
		}
		/* every scale offers «затрудняюсь ответить»; nothing is local */
		for (size_t k = 0; k < form_n_fields(f); k++) {
			const struct form_field *fl = form_field_at(f, k);

			if (fl->type == FORM_SCALE)
				CHECK(fl->no_answer && fl->min == 1 && fl->max == 5);
			CHECK_INT_EQ(fl->sync, FORM_SYNC_HUB);
		}
		p = broken(f, good, FORM_FINAL, edits[i], &rc);
		CHECK_INT_EQ(rc, TERR_INVALID);
		switch (i) {
		case 0:
			CHECK(has(p, "teachers_trained", "Педагогов, прошедших "
			    "повышение квалификации за 3 года: не может быть больше, "
			    "чем «Педагогических работников всего»"));
			CHECK(has(p, "safe_climate", "Школьная среда безопасна и "
			    "доброжелательна: нужна оценка от 1 до 5"));
			CHECK(has(p, "underachievers_percent", "Доля обучающихся с "
			    "академической неуспешностью, %: не может быть больше 100"));
			CHECK(has(p, "internet", "Доступ к интернету в школе: нет "
			    "такого варианта в списке"));
			CHECK_INT_EQ(p ? p->n : 0, 4);
			break;
		case 1:
			CHECK(has(p, "training_useful", "Повышение квалификации "
			    "помогает в работе: заполняется, только если «За последний "
			    "год вы проходили повышение квалификации» — «да»"));
			CHECK(has(p, "workload", "Нагрузка, ставок: не может быть "
			    "больше 3"));
			CHECK(has(p, "subjects", "Предметы, которые вы преподаёте: "
			    "обязательное поле"));
			CHECK_INT_EQ(p ? p->n : 0, 3);
			break;
		case 2:
			CHECK(has(p, "name", "Неизвестное поле «name»: в форме его нет"));
			CHECK(has(p, "grade", "Класс (параллель): не может быть больше "
			    "11"));
			CHECK(has(p, "feel_safe", "Я чувствую себя в школе в "
			    "безопасности: обязательное поле"));
			/* version 2: «после 9 класса» is asked in grades 8–9 only */
			CHECK(has(p, "plans", "Что ты планируешь после 9 класса: "
			    "заполняется, только если «Класс (параллель)» — «8» или «9»"));
			CHECK_INT_EQ(p ? p->n : 0, 4);
			break;
		default:
			CHECK(has(p, "help_subjects", "По каким предметам нужна помощь: "
			    "обязательное поле, если «Ребёнку нужна дополнительная "
			    "помощь в учёбе» — «да»"));
			CHECK(has(p, "satisfaction", "В целом я доволен(льна) школой: "
			    "нужна оценка от 1 до 5"));
			CHECK_INT_EQ(p ? p->n : 0, 2);
			break;
		}
		form_problems_free(p);
		cJSON_Delete(good);
		form_free(f);
	}
}

int
main(void)
{
	test_all_load_and_accept();
	test_social_passport();
	test_risk_visit();
	test_mediation_case();
	test_surveys();
	return check_summary();
}
