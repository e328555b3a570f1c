/*
 * test_textin — text a person typed into a field's value (client textin):
 * integers and decimals with commas and digit groups, ДД.ММ.ГГГГ dates,
 * да/нет, choices by code, label or number, multiple choices, a scale's
 * «затрудняюсь ответить», trimming, the single value's own bounds.
 * (The decimal-comma process-locale case stays in test_form_validate.)
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tetrad/form.h"
#include "client/textin.h"

/* The test form of test_form_validate. */
static const char test_def[] =
"{\"format\":1,\"id\":\"t\",\"version\":3,\"title\":\"Тест\","
"\"dictionaries\":{\"colors\":{\"name\":\"colors\",\"version\":1,\"title\":\"Цвета\","
"  \"entries\":[{\"code\":\"C1\",\"label\":\"Красный\"},{\"code\":\"C2\",\"label\":\"Синий\"}]}},"
"\"fields\":["
" {\"id\":\"name\",\"label\":\"Название\",\"type\":\"text\",\"required\":true,\"max_length\":5,\"min_length\":2},"
" {\"id\":\"total\",\"label\":\"Всего обучающихся\",\"type\":\"integer\",\"required\":true,\"min\":0,\"max\":1000},"
" {\"id\":\"big\",\"label\":\"Многодетные семьи\",\"type\":\"integer\",\"min\":0,\"max_field\":\"total\"},"
" {\"id\":\"rate\",\"label\":\"Ставка\",\"type\":\"decimal\",\"min\":0,\"max\":2.5},"
" {\"id\":\"start\",\"label\":\"Начало\",\"type\":\"date\",\"min\":\"2020-01-01\",\"max\":\"2030-12-31\"},"
" {\"id\":\"end\",\"label\":\"Окончание\",\"type\":\"date\",\"min_field\":\"start\"},"
" {\"id\":\"ok\",\"label\":\"Согласие\",\"type\":\"boolean\"},"
" {\"id\":\"kind\",\"label\":\"Вид\",\"type\":\"choice\",\"required\":true,\"choices\":["
"   {\"code\":\"a\",\"label\":\"первый\"},{\"code\":\"b\",\"label\":\"второй\"},{\"code\":\"other\",\"label\":\"иное\"}]},"
" {\"id\":\"kind_other\",\"label\":\"Иной вид\",\"type\":\"text\","
"   \"relevant\":{\"field\":\"kind\",\"equals\":\"other\"},\"required_if\":{\"field\":\"kind\",\"equals\":\"other\"}},"
" {\"id\":\"why\",\"label\":\"Причина\",\"type\":\"text\",\"required_if\":{\"field\":\"kind\",\"in\":[\"b\",\"other\"]}},"
" {\"id\":\"tags\",\"label\":\"Метки\",\"type\":\"multi\",\"choices\":["
"   {\"code\":\"x\",\"label\":\"икс\"},{\"code\":\"y\",\"label\":\"игрек, с запятой\"}]},"
" {\"id\":\"mark\",\"label\":\"Оценка\",\"type\":\"scale\",\"min\":1,\"max\":5,\"no_answer\":true,\"required\":true},"
" {\"id\":\"mark2\",\"label\":\"Оценка без отказа\",\"type\":\"scale\",\"min\":1,\"max\":5},"
" {\"id\":\"code\",\"label\":\"Шифр\",\"type\":\"text\",\"mask\":\"99-Ж\"},"
" {\"id\":\"secret\",\"label\":\"Секрет\",\"type\":\"text\",\"sync\":\"local\",\"required\":true},"
" {\"id\":\"color\",\"label\":\"Цвет\",\"type\":\"choice\",\"dictionary\":\"colors\"},"
" {\"id\":\"people\",\"label\":\"Участники\",\"type\":\"group\",\"min_items\":1,\"max_items\":3,\"fields\":["
"   {\"id\":\"role\",\"label\":\"Роль\",\"type\":\"choice\",\"required\":true,\"choices\":["
"     {\"code\":\"s\",\"label\":\"обучающийся\"},{\"code\":\"t\",\"label\":\"взрослый\"}]},"
"   {\"id\":\"cls\",\"label\":\"Класс\",\"type\":\"text\",\"relevant\":{\"field\":\"role\",\"equals\":\"s\"}},"
"   {\"id\":\"age\",\"label\":\"Возраст\",\"type\":\"integer\",\"min\":5,\"max\":100,\"max_field\":\"total\"},"
"   {\"id\":\"fio\",\"label\":\"ФИО\",\"type\":\"text\",\"sync\":\"local\"}]},"
" {\"id\":\"per\",\"label\":\"По цветам\",\"type\":\"group\",\"per_dictionary\":\"colors\",\"item_key\":\"code\",\"fields\":["
"   {\"id\":\"code\",\"label\":\"Цвет\",\"type\":\"choice\"},"
"   {\"id\":\"verdict\",\"label\":\"Решение\",\"type\":\"choice\",\"required\":true,\"choices\":["
"     {\"code\":\"yes\",\"label\":\"подтверждён\"},{\"code\":\"no\",\"label\":\"не подтверждён\"}]},"
"   {\"id\":\"note\",\"label\":\"Комментарий\",\"type\":\"text\",\"required_if\":{\"field\":\"verdict\",\"equals\":\"no\"}}]}"
"]}";

/* Text → value: what the CLI prompt and the CSV import hand over. */
static void
expect_text(const struct form *f, const char *path, const char *text,
    const char *want_json)
{
	const struct form_field *fl = form_field_find_path(f, path);
	cJSON *v = NULL;
	struct terr e;
	char *got;
	int r;

	CHECK(fl != NULL);
	if (fl == NULL)
		return;
	r = textin_value(fl, text, &v, &e);
	if (r != 0)
		fprintf(stderr, "  %s «%s»: %s\n", path, text, e.msg);
	CHECK_INT_EQ(r, 0);
	got = v ? cJSON_PrintUnformatted(v) : NULL;
	CHECK_STR_EQ(got, want_json);
	free(got);
	cJSON_Delete(v);
}

static void
expect_text_bad(const struct form *f, const char *path, const char *text,
    const char *msg)
{
	const struct form_field *fl = form_field_find_path(f, path);
	cJSON *v = NULL;
	struct terr e;

	CHECK(fl != NULL);
	if (fl == NULL)
		return;
	CHECK_INT_EQ(textin_value(fl, text, &v, &e), TERR_INVALID);
	CHECK(v == NULL);
	CHECK_CONTAINS(e.msg, msg);
}

static void
test_from_text(const struct form *f)
{
	expect_text(f, "total", " 412 ", "412");
	expect_text_bad(f, "total", "4,5", "Всего обучающихся: нужно целое число, "
	    "а не «4,5»");
	expect_text_bad(f, "total", "5000", "Всего обучающихся: не может быть "
	    "больше 1000");
	expect_text(f, "rate", "1,5", "1.5");
	expect_text(f, "rate", "1.25", "1.25");
	expect_text(f, "rate", "0,1", "0.1");
	expect_text_bad(f, "rate", "1.2.3", "Ставка: нужно число");
	expect_text_bad(f, "rate", "1e3", "Ставка: нужно число");
	expect_text_bad(f, "rate", "0,00000000000000000001", "Ставка: нужно число");
	expect_text_bad(f, "rate", "1234567890123456", "Ставка: нужно число");
	expect_text(f, "rate", ",5", "0.5");
	/* digit groups as Russian Excel writes them */
	expect_text(f, "total", "1 000", "1000");
	expect_text(f, "big", "9\xc2\xa0" "000", "9000");
	expect_text(f, "big", "1\xe2\x80\xaf" "000\xe2\x80\xaf" "000", "1000000");
	expect_text_bad(f, "rate", "1 000,5", "Ставка: не может быть больше 2.5");
	expect_text_bad(f, "total", "1 2", "нужно целое число, а не «1 2»");
	expect_text_bad(f, "total", "1 0000", "нужно целое число");
	expect_text_bad(f, "rate", "5,", "Ставка: нужно число");
	expect_text_bad(f, "rate", "-", "Ставка: нужно число");
	expect_text(f, "rate", "-0", "0");
	expect_text_bad(f, "rate", "-0,5", "Ставка: не может быть меньше 0");
	expect_text(f, "start", "10.03.2021", "\"2021-03-10\"");
	expect_text(f, "start", "1.3.2021", "\"2021-03-01\"");
	expect_text(f, "start", "2021-03-10", "\"2021-03-10\"");
	expect_text_bad(f, "start", "31.02.2021", "Начало: нужна дата");
	expect_text_bad(f, "start", "вчера", "а не «вчера»");
	expect_text(f, "ok", "Да", "true");
	expect_text(f, "ok", "НЕТ", "false");
	expect_text(f, "ok", "yes", "true");
	expect_text_bad(f, "ok", "может быть", "Согласие: нужно «да» или «нет»");
	expect_text(f, "kind", "b", "\"b\"");
	expect_text(f, "kind", "Второй", "\"b\"");
	expect_text(f, "kind", "3", "\"other\"");
	expect_text_bad(f, "kind", "четвёртый", "Вид: нет такого варианта "
	    "«четвёртый»");
	expect_text(f, "tags", "икс, y", "[\"x\",\"y\"]");
	expect_text(f, "tags", "игрек, с запятой", "[\"y\"]");
	expect_text(f, "tags", "x;x", "[\"x\"]");
	expect_text_bad(f, "tags", "x, зет", "Метки: нет такого варианта «зет»");
	expect_text(f, "mark", "5", "5");
	expect_text(f, "mark", "затрудняюсь ответить", "null");
	expect_text_bad(f, "mark", "7", "Оценка: нужна оценка от 1 до 5");
	expect_text_bad(f, "mark2", "затрудняюсь ответить", "Оценка без отказа: "
	    "нужно целое число");
	expect_text(f, "name", "  Шкл ", "\"Шкл\"");
	expect_text_bad(f, "name", "Шестая", "не длиннее 5 символов");
	expect_text(f, "name", "", "null");
	expect_text(f, "people.age", "12", "12");
	expect_text(f, "per[1].code", "синий", "\"C2\"");
	expect_text_bad(f, "people", "x", "Участники: группу записей нельзя ввести");
	expect_text_bad(f, "name", "\xff", "не в кодировке UTF-8");
}

int
main(void)
{
	struct form *f = NULL;
	struct terr e;
	int r = form_parse(test_def, sizeof(test_def) - 1, NULL, &f, &e);

	if (r != 0)
		fprintf(stderr, "parse: %s\n", e.msg);
	CHECK_INT_EQ(r, 0);
	if (f == NULL)
		return check_summary();
	test_from_text(f);
	form_free(f);
	return check_summary();
}
