/*
 * form_fixture — the test form every check of form values runs on: one field
 * of each type, bounds, cross-field rules, relevance, a dictionary, repeat
 * groups and local fields. protocol/test_form_validate checks typed values
 * against it, protocol/test_textin the text a person types into it.
 */
#ifndef TETRAD_TEST_FORM_FIXTURE_H
#define TETRAD_TEST_FORM_FIXTURE_H

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

#endif
