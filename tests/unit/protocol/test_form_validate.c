/*
 * test_form_validate — every field type and rule of the forms engine on a
 * test form: types, bounds, lengths in characters, choices, cross-field
 * rules, relevance, required_if, repeat groups, per-dictionary groups,
 * unknown fields, FORM_HUB (smuggled local fields), drafts, stripping local
 * fields. Typed text (and the decimal-comma locale case) is in
 * protocol/test_textin.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "form_fixture.h"
#include "tetrad/form.h"


static const char good_values[] =
"{\"name\":\"Шкл\",\"total\":412,\"big\":40,\"rate\":1.5,\"start\":\"2021-03-01\","
"\"end\":\"2021-03-02\",\"ok\":true,\"kind\":\"a\",\"tags\":[\"x\",\"y\"],\"mark\":4,"
"\"secret\":\"тайна\",\"color\":\"C2\","
"\"people\":[{\"role\":\"s\",\"cls\":\"5А\",\"age\":11,\"fio\":\"Иванов\"},{\"role\":\"t\",\"age\":40}],"
"\"per\":[{\"code\":\"C1\",\"verdict\":\"yes\"},{\"code\":\"C2\",\"verdict\":\"no\",\"note\":\"нет\"}]}";

static struct form *
load(void)
{
	struct form *f = NULL;
	struct terr e;
	int r = form_parse(test_def, sizeof(test_def) - 1, NULL, &f, &e);

	if (r != 0)
		fprintf(stderr, "parse: %s\n", e.msg);
	CHECK_INT_EQ(r, 0);
	return f;
}

/* Validates JSON text; returns the problems (or NULL) and the code. */
static int
run(const struct form *f, const char *json, enum form_mode mode,
    struct form_problems **p)
{
	cJSON *v = cJSON_Parse(json);
	struct terr e;
	int r;

	CHECK(v != NULL);
	r = form_validate(f, v, mode, p, &e);
	if (r == TERR_INVALID)
		CHECK(e.msg[0] != '\0');
	cJSON_Delete(v);
	return r;
}

/* Whether some problem has this path and contains msg. */
static int
has(const struct form_problems *p, const char *path, const char *msg)
{
	for (size_t i = 0; p != NULL && i < p->n; i++)
		if (strcmp(p->items[i].path, path) == 0 &&
		    strstr(p->items[i].message, msg) != NULL)
			return 1;
	if (p != NULL) {
		fprintf(stderr, "  wanted [%s] %s; got:\n", path, msg);
		for (size_t i = 0; i < p->n; i++)
			fprintf(stderr, "    [%s] %s\n", p->items[i].path,
			    p->items[i].message);
	}
	return 0;
}

/* Whether no problem's message contains text: messages name the field and
 * the rule, never a value (the hub sends and keeps them). */
static int
lacks(const struct form_problems *p, const char *text)
{
	for (size_t i = 0; p != NULL && i < p->n; i++)
		if (strstr(p->items[i].message, text) != NULL) {
			fprintf(stderr, "  [%s] %s repeats «%s»\n", p->items[i].path,
			    p->items[i].message, text);
			return 0;
		}
	return 1;
}

/* Replaces (or adds) one member of good_values and validates. */
static int
run_with(const struct form *f, const char *key, const char *value_json,
    enum form_mode mode, struct form_problems **p)
{
	cJSON *v = cJSON_Parse(good_values);
	struct terr e;
	int r;

	cJSON_DeleteItemFromObjectCaseSensitive(v, key);
	if (value_json != NULL)
		cJSON_AddItemToObject(v, key, cJSON_Parse(value_json));
	r = form_validate(f, v, mode, p, &e);
	cJSON_Delete(v);
	return r;
}

static void
test_good(const struct form *f)
{
	struct form_problems *p = NULL;

	CHECK_INT_EQ(run(f, good_values, FORM_FINAL, &p), 0);
	CHECK(p == NULL);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run(f, good_values, FORM_DRAFT, &p), 0);
	form_problems_free(p);
}

static void
test_types(const struct form *f)
{
	struct form_problems *p = NULL;

	CHECK_INT_EQ(run_with(f, "total", "\"412\"", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "total", "Всего обучающихся: нужно целое число"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "total", "4.5", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "total", "нужно целое число"));
	CHECK(lacks(p, "4.5"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "total", "1001", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "total", "Всего обучающихся: не может быть больше 1000"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "total", "-1", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "total", "не может быть меньше 0"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "rate", "2.75", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "rate", "Ставка: не может быть больше 2.5"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "rate", "true", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "rate", "Ставка: нужно число"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "start", "\"2021-02-30\"", FORM_FINAL, &p),
	    TERR_INVALID);
	CHECK(has(p, "start", "Начало: такой даты нет в календаре: нужна существующая дата ДД.ММ.ГГГГ"));
	CHECK(lacks(p, "30.02.2021"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "start", "\"01.03.2021\"", FORM_FINAL, &p),
	    TERR_INVALID);
	CHECK(has(p, "start", "нужна дата в виде ДД.ММ.ГГГГ"));
	CHECK(lacks(p, "01.03.2021"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "start", "\"2019-12-31\"", FORM_FINAL, &p),
	    TERR_INVALID);
	CHECK(has(p, "start", "Начало: не может быть раньше 01.01.2020"));
	form_problems_free(p);
	p = NULL;
	/* leap day is a date */
	CHECK_INT_EQ(run_with(f, "start", "\"2024-02-29\"", FORM_FINAL, &p),
	    TERR_INVALID);
	CHECK(has(p, "end", "Окончание: не может быть раньше, чем «Начало»"));
	CHECK(lacks(p, "2024-02-29"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "ok", "\"да\"", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "ok", "Согласие: нужно «да» или «нет»"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "kind", "\"z\"", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "kind", "Вид: нет такого варианта в списке"));
	CHECK(lacks(p, "«z»"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "tags", "[\"x\",\"x\"]", FORM_FINAL, &p),
	    TERR_INVALID);
	CHECK(has(p, "tags", "Метки: один вариант указан дважды"));
	CHECK(lacks(p, "«x»"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "tags", "\"x\"", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "tags", "Метки: нужен список вариантов"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "tags", "[\"q\"]", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "tags", "нет такого варианта в списке"));
	CHECK(lacks(p, "q"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "mark", "6", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "mark", "Оценка: нужна оценка от 1 до 5"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "color", "\"C3\"", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "color", "Цвет: нет такого варианта в списке"));
	CHECK(lacks(p, "C3"));
	form_problems_free(p);
	p = NULL;
	/* an empty text or an empty list answers nothing */
	CHECK_INT_EQ(run_with(f, "name", "\"\"", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "name", "Название: обязательное поле"));
	CHECK_INT_EQ(p ? p->n : 0, 1);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "kind_other", "\"\"", FORM_FINAL, &p), 0);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "tags", "[]", FORM_FINAL, &p), 0);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "code", "\"12-Ж\"", FORM_FINAL, &p), 0);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "code", "\"12-Ж1\"", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "code", "Шифр: нужно в виде «99-Ж», где 9 — цифра"));
	CHECK(lacks(p, "12-Ж1"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "code", "\"1A-Ж\"", FORM_FINAL, &p), TERR_INVALID);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "name", "5", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "name", "Название: нужен текст"));
	form_problems_free(p);
}

/* max_length counts characters: 5 Cyrillic letters are 10 bytes but fit. */
static void
test_text_length(const struct form *f)
{
	struct form_problems *p = NULL;

	CHECK_INT_EQ(run_with(f, "name", "\"Школа\"", FORM_FINAL, &p), 0);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "name", "\"Школы№\"", FORM_FINAL, &p),
	    TERR_INVALID);
	CHECK(has(p, "name", "Название: не длиннее 5 символов (сейчас 6)"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "name", "\"Ш\"", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "name", "Название: не короче 2 символов (сейчас 1)"));
	form_problems_free(p);
	p = NULL;
	/* invalid UTF-8 inside a JSON string: cJSON passes it, we must not */
	{
		cJSON *v = cJSON_Parse(good_values);
		struct terr e;

		cJSON_ReplaceItemInObjectCaseSensitive(v, "name",
		    cJSON_CreateString("\xd0\xd0"));
		CHECK_INT_EQ(form_validate(f, v, FORM_FINAL, &p, &e), TERR_INVALID);
		CHECK(has(p, "name", "текст не в кодировке UTF-8"));
		cJSON_Delete(v);
	}
	form_problems_free(p);
	CHECK_INT_EQ(form_utf8_chars("Ёжик", strlen("Ёжик")), 4);
	CHECK_INT_EQ((long long)form_utf8_chars("\xc0\xaf", 2), -1); /* overlong */
	CHECK_INT_EQ((long long)form_utf8_chars("\xed\xa0\x80", 3), -1); /* surrogate */
}

static void
test_cross_field(const struct form *f)
{
	struct form_problems *p = NULL;

	CHECK_INT_EQ(run_with(f, "big", "413", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "big", "Многодетные семьи: не может быть больше, чем "
	    "«Всего обучающихся»"));
	CHECK(lacks(p, "412"));
	CHECK(lacks(p, "413"));
	CHECK_INT_EQ(p ? p->n : 0, 1);
	form_problems_free(p);
	p = NULL;
	/* equal is fine */
	CHECK_INT_EQ(run_with(f, "big", "412", FORM_FINAL, &p), 0);
	form_problems_free(p);
	p = NULL;
	/* nothing to compare with: no cross-field problem (total is reported) */
	CHECK_INT_EQ(run_with(f, "total", NULL, FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "total", "Всего обучающихся: обязательное поле"));
	CHECK_INT_EQ(p ? p->n : 0, 1);
	form_problems_free(p);
	p = NULL;
	/* a group member compared with a top-level field */
	CHECK_INT_EQ(run_with(f, "people", "[{\"role\":\"t\",\"age\":90}]",
	    FORM_FINAL, &p), 0);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "total", "39", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "people[1].age", "Возраст (Участники, запись 2): не может "
	    "быть больше, чем «Всего обучающихся»"));
	CHECK(has(p, "big", "Многодетные семьи: не может быть больше, чем "
	    "«Всего обучающихся»"));
	CHECK(lacks(p, "39"));
	CHECK_INT_EQ(p ? p->n : 0, 2);
	form_problems_free(p);
}

static void
test_required_relevance(const struct form *f)
{
	struct form_problems *p = NULL;

	/* required_if with "equals", relevant */
	CHECK_INT_EQ(run_with(f, "kind", "\"other\"", FORM_FINAL, &p),
	    TERR_INVALID);
	CHECK(has(p, "kind_other", "Иной вид: обязательное поле, если «Вид» — "
	    "«иное»"));
	CHECK(has(p, "why", "Причина: обязательное поле, если «Вид» — «второй» "
	    "или «иное»"));
	CHECK_INT_EQ(p ? p->n : 0, 2);
	form_problems_free(p);
	p = NULL;
	/* a draft does not ask for required fields */
	CHECK_INT_EQ(run_with(f, "kind", "\"other\"", FORM_DRAFT, &p), 0);
	form_problems_free(p);
	p = NULL;
	/* not relevant but filled */
	CHECK_INT_EQ(run_with(f, "kind_other", "\"что-то\"", FORM_FINAL, &p),
	    TERR_INVALID);
	CHECK(has(p, "kind_other", "Иной вид: заполняется, только если «Вид» — "
	    "«иное»"));
	form_problems_free(p);
	p = NULL;
	/* a draft keeps it (always savable: no answer lost); finalizing asks */
	CHECK_INT_EQ(run_with(f, "kind_other", "\"что-то\"", FORM_DRAFT, &p),
	    0);
	form_problems_free(p);
	p = NULL;
	/* but a draft's values are still checked for storing */
	CHECK_INT_EQ(run_with(f, "kind_other", "42", FORM_DRAFT, &p),
	    TERR_INVALID);
	form_problems_free(p);
	p = NULL;
	/* relevance inside a group: class only for students */
	CHECK_INT_EQ(run_with(f, "people", "[{\"role\":\"t\",\"cls\":\"5А\"}]",
	    FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "people[0].cls", "Класс (Участники, запись 1): заполняется, "
	    "только если «Роль» — «обучающийся»"));
	form_problems_free(p);
	p = NULL;
	/* scale: null is «затрудняюсь ответить» and answers a required scale */
	CHECK_INT_EQ(run_with(f, "mark", "null", FORM_FINAL, &p), 0);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "mark", NULL, FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "mark", "Оценка: обязательное поле"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "mark", NULL, FORM_DRAFT, &p), 0);
	form_problems_free(p);
	p = NULL;
	/* form_relevant with a scope */
	{
		cJSON *s = cJSON_Parse("{\"kind\":\"other\"}");
		const struct form_field *ko = form_find(f, "kind_other");

		CHECK(form_relevant(f, ko, s));
		cJSON_ReplaceItemInObjectCaseSensitive(s, "kind",
		    cJSON_CreateString("a"));
		CHECK(!form_relevant(f, ko, s));
		CHECK(form_relevant(f, form_find(f, "name"), s));
		cJSON_Delete(s);
	}
}

static void
test_groups(const struct form *f)
{
	struct form_problems *p = NULL;

	CHECK_INT_EQ(run_with(f, "people", "[]", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "people", "Участники: не меньше 1 записи (сейчас 0)"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "people", NULL, FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "people", "Участники: не меньше 1 записи (сейчас 0)"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "people", "[]", FORM_DRAFT, &p), 0);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "people", "[{\"role\":\"t\"},{\"role\":\"t\"},"
	    "{\"role\":\"t\"},{\"role\":\"t\"}]", FORM_DRAFT, &p), TERR_INVALID);
	CHECK(has(p, "people", "Участники: не больше 3 записей (сейчас 4)"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "people", "[{\"age\":3,\"x\":1},5]",
	    FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "people[0].role", "Роль (Участники, запись 1): обязательное "
	    "поле"));
	CHECK(has(p, "people[0].age", "Возраст (Участники, запись 1): не может "
	    "быть меньше 5"));
	CHECK(has(p, "people[0].x", "Неизвестное поле «x» (Участники, запись 1)"));
	CHECK(has(p, "people[1]", "Участники (Участники, запись 2): запись "
	    "должна быть объектом"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "people", "{}", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "people", "Участники: нужен список записей"));
	form_problems_free(p);
}

static void
test_per_dictionary(const struct form *f)
{
	struct form_problems *p = NULL;

	/* one entry missing: final refuses, draft accepts */
	CHECK_INT_EQ(run_with(f, "per", "[{\"code\":\"C1\",\"verdict\":\"yes\"}]",
	    FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "per", "По цветам: нет записи для «Синий» (C2)"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "per", "[{\"code\":\"C1\",\"verdict\":\"yes\"}]",
	    FORM_DRAFT, &p), 0);
	form_problems_free(p);
	p = NULL;
	/* duplicates, unknown codes, per-item rules named by the entry */
	CHECK_INT_EQ(run_with(f, "per", "[{\"code\":\"C1\",\"verdict\":\"yes\"},"
	    "{\"code\":\"C1\",\"verdict\":\"yes\"},{\"code\":\"C2\",\"verdict\":"
	    "\"no\"},{\"code\":\"C9\",\"verdict\":\"yes\"}]", FORM_DRAFT, &p),
	    TERR_INVALID);
	CHECK(has(p, "per", "По цветам: запись для «Красный» повторяется (2 записи)"));
	CHECK(has(p, "per[3].code", "Цвет (По цветам, запись 4): нет такого "
	    "варианта в списке"));
	CHECK(lacks(p, "C9"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run_with(f, "per", "[{\"code\":\"C1\",\"verdict\":\"yes\"},"
	    "{\"code\":\"C2\",\"verdict\":\"no\"}]", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "per[1].note", "Комментарий (По цветам: «Синий»): "
	    "обязательное поле, если «Решение» — «не подтверждён»"));
	form_problems_free(p);
	p = NULL;
	/* the key is a choice filled from the dictionary */
	{
		const struct form_field *k = form_field_find_path(f, "per[0].code");

		CHECK(k != NULL);
		if (k != NULL) {
			CHECK_INT_EQ(k->n_choices, 2);
			CHECK(k->required);
			CHECK_STR_EQ(k->choices[1].label, "Синий");
		}
	}
	CHECK_INT_EQ(run_with(f, "per", NULL, FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "per", "По цветам: нет записи для «Красный» (C1)"));
	form_problems_free(p);
}

static void
test_unknown_and_hub(const struct form *f)
{
	struct form_problems *p = NULL;

	CHECK_INT_EQ(run_with(f, "surprise", "1", FORM_DRAFT, &p), TERR_INVALID);
	CHECK(has(p, "surprise", "Неизвестное поле «surprise»"));
	form_problems_free(p);
	p = NULL;
	/* a field given twice (cJSON keeps both members); the others still checked */
	{
		cJSON *v = cJSON_Parse(good_values);
		struct terr e;

		cJSON_AddItemToObject(v, "total", cJSON_CreateNumber(3));
		cJSON_AddItemToObject(v, "zzz", cJSON_CreateNumber(3));
		cJSON_ReplaceItemInObjectCaseSensitive(v, "mark", cJSON_CreateNumber(99));
		CHECK_INT_EQ(form_validate(f, v, FORM_FINAL, &p, &e), TERR_INVALID);
		CHECK(has(p, "total", "значение указано дважды"));
		CHECK(has(p, "zzz", "Неизвестное поле «zzz»"));
		CHECK(has(p, "mark", "Оценка"));
		CHECK_INT_EQ(p != NULL ? p->n : 0, 3);
		cJSON_Delete(v);
		form_problems_free(p);
		p = NULL;
	}
	/* hub: the local field present is smuggled; nested one too */
	CHECK_INT_EQ(run(f, good_values, FORM_HUB, &p), TERR_INVALID);
	CHECK(has(p, "secret", "Секрет: локальное поле не должно покидать "
	    "устройство"));
	CHECK(has(p, "people[0].fio", "ФИО (Участники, запись 1): локальное поле"));
	CHECK_INT_EQ(p ? p->n : 0, 2);
	form_problems_free(p);
	p = NULL;
	/* what form_strip_local leaves passes the hub, and a required local
	 * field being absent is no problem there */
	{
		cJSON *v = cJSON_Parse(good_values), *s;
		struct terr e;
		char *txt;

		s = form_strip_local(f, v);
		CHECK(s != NULL);
		CHECK(cJSON_GetObjectItemCaseSensitive(s, "secret") == NULL);
		txt = cJSON_PrintUnformatted(s);
		CHECK(txt != NULL && strstr(txt, "Иванов") == NULL);
		CHECK(txt != NULL && strstr(txt, "тайна") == NULL);
		CHECK(txt != NULL && strstr(txt, "5А") != NULL);
		free(txt);
		CHECK_INT_EQ(form_validate(f, s, FORM_HUB, &p, &e), 0);
		CHECK(p == NULL);
		/* FINAL on the stripped record asks for the local field */
		CHECK_INT_EQ(form_validate(f, s, FORM_FINAL, &p, &e), TERR_INVALID);
		CHECK(has(p, "secret", "Секрет: обязательное поле"));
		form_problems_free(p);
		p = NULL;
		/* unknown fields are dropped by strip, refused by the hub */
		cJSON_AddNumberToObject(v, "zzz", 1);
		cJSON_Delete(s);
		s = form_strip_local(f, v);
		CHECK(cJSON_GetObjectItemCaseSensitive(s, "zzz") == NULL);
		cJSON_AddNumberToObject(s, "zzz", 1);
		CHECK_INT_EQ(form_validate(f, s, FORM_HUB, &p, &e), TERR_INVALID);
		CHECK(has(p, "zzz", "Неизвестное поле «zzz»"));
		form_problems_free(p);
		p = NULL;
		cJSON_Delete(s);
		cJSON_Delete(v);
	}
	/* not an object at all */
	{
		cJSON *a = cJSON_CreateArray();
		struct terr e;

		CHECK_INT_EQ(form_validate(f, a, FORM_FINAL, &p, &e), TERR_INVALID);
		CHECK(p != NULL && p->n == 1);
		form_problems_free(p);
		p = NULL;
		CHECK_INT_EQ(form_validate(f, a, 7, &p, &e), TERR_ARG);
		cJSON_Delete(a);
	}
	/* many problems are capped */
	{
		cJSON *v = cJSON_CreateObject();
		struct terr e;
		char k[32];
		clock_t t0;

		for (int i = 0; i < 1000; i++) {
			snprintf(k, sizeof(k), "u%d", i);
			cJSON_AddNumberToObject(v, k, i);
		}
		CHECK_INT_EQ(form_validate(f, v, FORM_FINAL, &p, &e), TERR_INVALID);
		CHECK(p != NULL && p->n == FORM_MAX_PROBLEMS);
		if (p != NULL && p->n > 0)
			CHECK_CONTAINS(p->items[p->n - 1].message, "Ошибок слишком много");
		form_problems_free(p);
		p = NULL;
		/* and a hostile record with 200,000 members stays cheap */
		for (int i = 1000; i < 200000; i++) {
			snprintf(k, sizeof(k), "u%d", i);
			cJSON_AddItemToObject(v, k, cJSON_CreateNull());
		}
		t0 = clock();
		CHECK_INT_EQ(form_validate(f, v, FORM_FINAL, &p, &e), TERR_INVALID);
		CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
		CHECK(p != NULL && p->n == 1);
		if (p != NULL && p->n > 0)
			CHECK_CONTAINS(p->items[0].message, "Слишком много полей в "
			    "записи: больше 2048");
		form_problems_free(p);
		cJSON_Delete(v);
	}
}

/* A per-dictionary group whose key is a text member, not a choice. */
static void
test_text_key(void)
{
	const char *def = "{\"id\":\"tk\",\"version\":1,\"title\":\"Т\","
	    "\"dictionaries\":{\"d\":{\"version\":1,\"title\":\"Коды\",\"entries\":["
	    "{\"code\":\"A\",\"label\":\"Альфа\"},{\"code\":\"B\",\"label\":\"Бета\"}]}},"
	    "\"fields\":[{\"id\":\"g\",\"label\":\"Группа\",\"type\":\"group\","
	    "\"per_dictionary\":\"d\",\"item_key\":\"code\",\"fields\":["
	    "{\"id\":\"code\",\"label\":\"Код\",\"type\":\"text\"},"
	    "{\"id\":\"n\",\"label\":\"Число\",\"type\":\"integer\",\"required\":true}]}]}";
	struct form *f = NULL;
	struct form_problems *p = NULL;
	struct terr e;

	CHECK_INT_EQ(form_parse(def, strlen(def), NULL, &f, &e), 0);
	if (f == NULL)
		return;
	CHECK_INT_EQ(run(f, "{\"g\":[{\"code\":\"A\",\"n\":1},{\"code\":\"B\","
	    "\"n\":2}]}", FORM_FINAL, &p), 0);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run(f, "{\"g\":[{\"code\":\"A\"},{\"code\":\"Z\",\"n\":2}]}",
	    FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "g[0].n", "Число (Группа: «Альфа»): обязательное поле"));
	CHECK(has(p, "g[1].code", "Код (Группа, запись 2): такого кода нет в словаре "
	    "«Коды»"));
	CHECK(lacks(p, "«Z»"));
	CHECK(has(p, "g", "Группа: нет записи для «Бета» (B)"));
	CHECK_INT_EQ(p ? p->n : 0, 3);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run(f, "{\"g\":[{\"n\":1}]}", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "g[0].code", "Код (Группа, запись 1): обязательное поле"));
	form_problems_free(p);
	form_free(f);
}

/* A required group needs an item; a group that is not relevant may be []. */
static void
test_required_group(void)
{
	const char *def = "{\"id\":\"rg\",\"version\":1,\"title\":\"Т\",\"fields\":["
	    "{\"id\":\"on\",\"label\":\"Включено\",\"type\":\"boolean\"},"
	    "{\"id\":\"g\",\"label\":\"Группа\",\"type\":\"group\",\"required\":true,"
	    "\"fields\":[{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\"}]},"
	    "{\"id\":\"h\",\"label\":\"Вторая\",\"type\":\"group\","
	    "\"relevant\":{\"field\":\"on\",\"equals\":true},"
	    "\"fields\":[{\"id\":\"b\",\"label\":\"Б\",\"type\":\"text\"}]}]}";
	struct form *f = NULL;
	struct form_problems *p = NULL;
	struct terr e;

	CHECK_INT_EQ(form_parse(def, strlen(def), NULL, &f, &e), 0);
	if (f == NULL)
		return;
	CHECK_INT_EQ(run(f, "{\"g\":[],\"h\":[]}", FORM_FINAL, &p), TERR_INVALID);
	CHECK(has(p, "g", "Группа: обязательное поле"));
	CHECK_INT_EQ(p ? p->n : 0, 1);
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run(f, "{\"g\":[{}],\"h\":[{\"b\":\"x\"}]}", FORM_FINAL, &p),
	    TERR_INVALID);
	CHECK(has(p, "h", "Вторая: заполняется, только если «Включено» — «да»"));
	form_problems_free(p);
	p = NULL;
	CHECK_INT_EQ(run(f, "{\"on\":true,\"g\":[{\"a\":\"x\"}],\"h\":[{\"b\":"
	    "\"x\"}]}", FORM_FINAL, &p), 0);
	form_problems_free(p);
	form_free(f);
}

/* Labels near the cap: messages are cut, but never inside a letter. */
static void
test_long_labels(void)
{
	char lab[501], def[4096], *msgs;
	struct form *f = NULL;
	struct form_problems *p = NULL;
	struct terr e;
	size_t n;

	for (int i = 0; i < 250; i++)
		memcpy(lab + 2 * i, "ж", 2);
	lab[500] = '\0';
	n = (size_t)snprintf(def, sizeof(def), "{\"id\":\"l\",\"version\":1,"
	    "\"title\":\"%s\",\"dictionaries\":{\"d\":{\"version\":1,\"entries\":"
	    "[{\"code\":\"A\",\"label\":\"%s\"}]}},\"fields\":[{\"id\":\"g\","
	    "\"label\":\"%s\",\"type\":\"group\",\"per_dictionary\":\"d\","
	    "\"item_key\":\"k\",\"fields\":[{\"id\":\"k\",\"label\":\"К\","
	    "\"type\":\"choice\"},{\"id\":\"x\",\"label\":\"%s\",\"type\":"
	    "\"integer\",\"max\":1}]}]}", lab, lab, lab, lab);
	CHECK(n < sizeof(def));
	CHECK_INT_EQ(form_parse(def, n, NULL, &f, &e), 0);
	if (f == NULL)
		return;
	CHECK_INT_EQ(run(f, "{\"g\":[{\"k\":\"A\",\"x\":5}]}", FORM_FINAL, &p),
	    TERR_INVALID);
	CHECK(p != NULL && p->n == 1);
	for (size_t i = 0; p != NULL && i < p->n; i++) {
		msgs = p->items[i].message;
		CHECK(form_utf8_chars(msgs, strlen(msgs)) != (size_t)-1);
		CHECK_CONTAINS(msgs, "не может быть больше 1");
	}
	form_problems_free(p);
	p = NULL;
	{
		cJSON *v = cJSON_Parse("{\"g\":[{\"k\":\"A\",\"x\":5}]}");

		CHECK_INT_EQ(form_validate(f, v, FORM_FINAL, &p, &e), TERR_INVALID);
		CHECK(strlen(e.msg) > 400);
		CHECK(form_utf8_chars(e.msg, strlen(e.msg)) != (size_t)-1);
		cJSON_Delete(v);
		form_problems_free(p);
		p = NULL;
	}
	/* a too-long text typed for the field: protocol/test_textin */
	form_free(f);
	/* the trimming itself */
	{
		char b1[] = "abc\xd0", b2[] = "\xd0\xb6", b3[] = "\xe2\x80", b4[] = "x\xf0\x9f\x98";

		terr_utf8_trim(b1);
		CHECK_STR_EQ(b1, "abc");
		terr_utf8_trim(b2);
		CHECK_STR_EQ(b2, "ж");
		terr_utf8_trim(b3);
		CHECK_STR_EQ(b3, "");
		terr_utf8_trim(b4);
		CHECK_STR_EQ(b4, "x");
	}
	/* terr_set itself never leaves half a letter at the cut */
	for (int pad = 0; pad < 2; pad++) {
		char big[TERR_MSG_MAX * 2];
		struct terr te;

		memset(big, 'x', (size_t)pad);
		for (size_t i = (size_t)pad; i + 2 < sizeof(big); i += 2)
			memcpy(big + i, "\xd0\xb6", 2);
		big[sizeof(big) - 2 + (size_t)0] = '\0';
		terr_set(&te, TERR_ARG, "%s", big);
		CHECK(strlen(te.msg) >= TERR_MSG_MAX - 3);
		CHECK(form_utf8_chars(te.msg, strlen(te.msg)) != (size_t)-1);
	}
}

int
main(void)
{
	struct form *f = load();

	if (f == NULL)
		return check_summary();
	CHECK_STR_EQ(form_id(f), "t");
	CHECK_INT_EQ(form_version(f), 3);
	test_good(f);
	test_types(f);
	test_text_length(f);
	test_cross_field(f);
	test_required_relevance(f);
	test_groups(f);
	test_per_dictionary(f);
	test_unknown_and_hub(f);
	test_text_key();
	test_long_labels();
	test_required_group();
	form_free(f);
	form_problems_free(NULL);
	return check_summary();
}
