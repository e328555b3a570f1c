/*
 * test_form — parsing form definitions and dictionaries: what is accepted,
 * what is refused and with which Russian message (definitions come from the
 * hub, so every malformed one must be turned away cleanly), the caps, the
 * accessors and dictionary loading from a directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tetrad/formfile.h"
#include "tetrad/form.h"

#define HEAD "{\"id\":\"t\",\"version\":1,\"title\":\"Тест\",\"fields\":["
#define TAIL "]}"

static struct form *
parse_ok(const char *json, const char *dir)
{
	struct form *f = NULL;
	struct terr e;
	int r;

	terr_clear(&e);
	r = formfile_parse(json, strlen(json), dir, &f, &e);
	if (r != 0)
		fprintf(stderr, "  unexpected refusal: %s\n", e.msg);
	CHECK_INT_EQ(r, 0);
	CHECK(f != NULL);
	return f;
}

static void
parse_bad(const char *json, int code, const char *msg)
{
	struct form *f = (struct form *)1;
	struct terr e;

	terr_clear(&e);
	CHECK_INT_EQ(form_parse(json, strlen(json), NULL, &f, &e), code);
	CHECK(f == NULL);
	CHECK_CONTAINS(e.msg, msg);
}

static void
test_minimal(void)
{
	struct form *f = parse_ok(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":"
	    "\"text\"}" TAIL, NULL);
	const struct form_field *a;

	if (f == NULL)
		return;
	CHECK_STR_EQ(form_id(f), "t");
	CHECK_INT_EQ(form_version(f), 1);
	CHECK_STR_EQ(form_title(f), "Тест");
	CHECK(form_description(f) == NULL);
	CHECK_INT_EQ(form_n_fields(f), 1);
	a = form_field_at(f, 0);
	CHECK(a != NULL && a == form_find(f, "a"));
	CHECK(form_field_at(f, 1) == NULL);
	CHECK(form_find(f, "b") == NULL);
	if (a != NULL) {
		CHECK_INT_EQ(a->type, FORM_TEXT);
		CHECK_INT_EQ(a->sync, FORM_SYNC_HUB);
		CHECK(!a->required);
		CHECK_INT_EQ(a->max_length, FORM_TEXT_DEFAULT_MAX);
		CHECK_INT_EQ(a->depth, 0);
		CHECK(a->parent == NULL);
	}
	CHECK_INT_EQ(form_n_dictionaries(f), 0);
	form_free(f);
	form_free(NULL);
	CHECK(form_id(NULL) == NULL);
	CHECK_INT_EQ(form_n_fields(NULL), 0);
}

static void
test_refusals(void)
{
	/* JSON level */
	parse_bad("", TERR_PARSE, "ошибка в JSON");
	parse_bad("{\"id\":", TERR_PARSE, "ошибка в JSON");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\"}" TAIL "x",
	    TERR_PARSE, "лишние данные");
	parse_bad("{\"id\":\"t\xff\"}", TERR_UTF8, "UTF-8");
	parse_bad("[1,2]", TERR_FORM, "JSON-объектом");
	/* top level */
	parse_bad("{\"version\":1,\"title\":\"Т\",\"fields\":[]}", TERR_FORM,
	    "нет обязательного ключа «id»");
	parse_bad("{\"id\":\"Bad-Id\",\"version\":1}", TERR_FORM,
	    "недопустимый id формы «Bad-Id»");
	parse_bad("{\"id\":\"t\",\"title\":\"Т\",\"fields\":[]}", TERR_FORM,
	    "Форма «t»: нет обязательного ключа «version»");
	parse_bad("{\"id\":\"t\",\"version\":0,\"title\":\"Т\"}", TERR_FORM,
	    "«version»: число вне допустимых пределов");
	parse_bad("{\"id\":\"t\",\"version\":1.5,\"title\":\"Т\"}", TERR_FORM,
	    "«version» должен быть целым числом");
	parse_bad("{\"id\":\"t\",\"version\":1,\"format\":2,\"title\":\"Т\"}",
	    TERR_FORM, "«format»");
	parse_bad("{\"id\":\"t\",\"version\":1,\"title\":\"Т\",\"colour\":1,"
	    "\"fields\":[]}", TERR_FORM, "неизвестный ключ «colour» в описании формы");
	parse_bad("{\"id\":\"t\",\"version\":1,\"title\":\"Т\",\"title\":\"Ы\","
	    "\"fields\":[]}", TERR_FORM, "ключ «title» повторяется");
	parse_bad("{\"id\":\"t\",\"version\":1,\"title\":\"Т\",\"fields\":[]}",
	    TERR_FORM, "список полей «fields» пуст");
	parse_bad("{\"id\":\"t\",\"version\":1,\"title\":\"\",\"fields\":[]}",
	    TERR_FORM, "«title» не может быть пустым");
	/* fields */
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\","
	    "\"maxlen\":5}" TAIL, TERR_FORM,
	    "Форма «t», поле «a»: неизвестный ключ «maxlen» в поле типа text");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"integer\","
	    "\"choices\":[]}" TAIL, TERR_FORM, "неизвестный ключ «choices»");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"texte\"}" TAIL,
	    TERR_FORM, "неизвестный тип «texte»");
	parse_bad(HEAD "{\"id\":\"a\",\"type\":\"text\"}" TAIL, TERR_FORM,
	    "нет обязательного ключа «label»");
	parse_bad(HEAD "{\"id\":\"1a\",\"label\":\"А\",\"type\":\"text\"}" TAIL,
	    TERR_FORM, "недопустимый id поля «1a»");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\"},"
	    "{\"id\":\"a\",\"label\":\"Б\",\"type\":\"integer\"}" TAIL, TERR_FORM,
	    "id поля «a» повторяется");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\","
	    "\"required\":\"yes\"}" TAIL, TERR_FORM,
	    "«required» должен быть true или false");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\","
	    "\"sync\":\"cloud\"}" TAIL, TERR_FORM, "«sync» может быть «hub» или «local»");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"integer\","
	    "\"min\":5,\"max\":1}" TAIL, TERR_FORM, "«min» больше «max»");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"integer\","
	    "\"min\":0.5}" TAIL, TERR_FORM, "«min» должен быть целым числом");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"date\","
	    "\"min\":\"01.01.2020\"}" TAIL, TERR_FORM, "ГГГГ-ММ-ДД");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\","
	    "\"max_length\":0}" TAIL, TERR_FORM, "«max_length»");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\","
	    "\"mask\":\"ГГГГ\"}" TAIL, TERR_FORM, "«mask» должен содержать");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"integer\","
	    "\"mask\":\"99\"}" TAIL, TERR_FORM, "неизвестный ключ «mask»");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"scale\"}" TAIL,
	    TERR_FORM, "у шкалы должны быть «min» и «max»");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"scale\",\"min\":1,"
	    "\"max\":5,\"no_answer_label\":\"не знаю\"}" TAIL, TERR_FORM,
	    "«no_answer_label» без «no_answer»");
	/* choices */
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"choice\"}" TAIL,
	    TERR_FORM, "нет вариантов ответа");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"choice\","
	    "\"choices\":[]}" TAIL, TERR_FORM, "список «choices» пуст");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"multi\","
	    "\"choices\":[{\"code\":\"x\",\"label\":\"X\"},{\"code\":\"x\","
	    "\"label\":\"Y\"}]}" TAIL, TERR_FORM, "код «x» повторяется");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"choice\","
	    "\"choices\":[{\"code\":\"x y\",\"label\":\"X\"}]}" TAIL, TERR_FORM,
	    "недопустимый код «x y»");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"choice\","
	    "\"choices\":[{\"code\":\"x\"}]}" TAIL, TERR_FORM,
	    "нет обязательного ключа «label»");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"choice\","
	    "\"choices\":[{\"code\":\"x\",\"label\":\"X\",\"color\":1}]}" TAIL,
	    TERR_FORM, "неизвестный ключ «color» в варианте ответа");
	/* rules */
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"integer\","
	    "\"max_field\":\"nope\"}" TAIL, TERR_FORM,
	    "«max_field» ссылается на несуществующее поле «nope»");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"integer\","
	    "\"max_field\":\"a\"}" TAIL, TERR_FORM, "ссылается на само поле");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"integer\","
	    "\"max_field\":\"b\"},{\"id\":\"b\",\"label\":\"Б\",\"type\":\"date\"}"
	    TAIL, TERR_FORM, "сравнивать можно только числа с числами");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\","
	    "\"relevant\":{\"field\":\"b\"}},{\"id\":\"b\",\"label\":\"Б\","
	    "\"type\":\"boolean\"}" TAIL, TERR_FORM,
	    "нужен ровно один из ключей «equals» или «in»");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\","
	    "\"relevant\":{\"field\":\"b\",\"equals\":\"zz\"}},{\"id\":\"b\","
	    "\"label\":\"Б\",\"type\":\"choice\",\"choices\":[{\"code\":\"x\","
	    "\"label\":\"X\"}]}" TAIL, TERR_FORM, "значение не подходит полю «b»");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\","
	    "\"required_if\":{\"field\":\"b\",\"in\":[]}},{\"id\":\"b\","
	    "\"label\":\"Б\",\"type\":\"boolean\"}" TAIL, TERR_FORM,
	    "«in» должен быть непустым списком");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\","
	    "\"relevant\":{\"field\":\"b\",\"equals\":true,\"x\":1}},{\"id\":\"b\","
	    "\"label\":\"Б\",\"type\":\"boolean\"}" TAIL, TERR_FORM,
	    "неизвестный ключ «x» в relevant");
	parse_bad(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\","
	    "\"relevant\":{\"field\":\"b\",\"equals\":true}},{\"id\":\"b\","
	    "\"label\":\"Б\",\"type\":\"boolean\",\"sync\":\"local\"}" TAIL,
	    TERR_FORM, "не может зависеть от локального поля «b»");
	/* groups */
	parse_bad(HEAD "{\"id\":\"g\",\"label\":\"Г\",\"type\":\"group\"}" TAIL,
	    TERR_FORM, "у группы нет ключа «fields»");
	parse_bad(HEAD "{\"id\":\"g\",\"label\":\"Г\",\"type\":\"group\","
	    "\"min_items\":3,\"max_items\":2,\"fields\":[{\"id\":\"a\","
	    "\"label\":\"А\",\"type\":\"text\"}]}" TAIL, TERR_FORM,
	    "«min_items» больше «max_items»");
	parse_bad(HEAD "{\"id\":\"g\",\"label\":\"Г\",\"type\":\"group\","
	    "\"max_items\":1001,\"fields\":[{\"id\":\"a\",\"label\":\"А\","
	    "\"type\":\"text\"}]}" TAIL, TERR_FORM, "«max_items»");
	parse_bad(HEAD "{\"id\":\"g\",\"label\":\"Г\",\"type\":\"group\","
	    "\"fields\":[{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\","
	    "\"bad\":1}]}" TAIL, TERR_FORM, "поле «g.a»: неизвестный ключ «bad»");
	parse_bad(HEAD "{\"id\":\"g\",\"label\":\"Г\",\"type\":\"group\","
	    "\"per_dictionary\":\"d\",\"fields\":[{\"id\":\"a\",\"label\":\"А\","
	    "\"type\":\"text\"}]}" TAIL, TERR_FORM,
	    "«per_dictionary» и «item_key» задаются вместе");
	parse_bad(HEAD "{\"id\":\"g\",\"label\":\"Г\",\"type\":\"group\","
	    "\"per_dictionary\":\"d\",\"item_key\":\"k\",\"fields\":[{\"id\":"
	    "\"k\",\"label\":\"К\",\"type\":\"choice\"}]}" TAIL, TERR_FORM,
	    "словарь «d» не найден");
	parse_bad(HEAD "{\"id\":\"g\",\"label\":\"Г\",\"type\":\"group\","
	    "\"per_dictionary\":\"d\",\"item_key\":\"zz\",\"fields\":[{\"id\":"
	    "\"k\",\"label\":\"К\",\"type\":\"integer\"}]}" TAIL, TERR_FORM,
	    "«item_key» «zz» должен быть полем группы");
	/* a group inside a group inside a group inside a group: too deep */
	parse_bad(HEAD "{\"id\":\"g1\",\"label\":\"1\",\"type\":\"group\",\"fields\":["
	    "{\"id\":\"g2\",\"label\":\"2\",\"type\":\"group\",\"fields\":["
	    "{\"id\":\"g3\",\"label\":\"3\",\"type\":\"group\",\"fields\":["
	    "{\"id\":\"g4\",\"label\":\"4\",\"type\":\"group\",\"fields\":["
	    "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\"}]}]}]}]}" TAIL,
	    TERR_FORM, "группы вложены глубже");
	/* dictionaries embedded */
	parse_bad("{\"id\":\"t\",\"version\":1,\"title\":\"Т\",\"dictionaries\":"
	    "{\"d\":{\"version\":1,\"entries\":[]}},\"fields\":[{\"id\":\"a\","
	    "\"label\":\"А\",\"type\":\"choice\",\"dictionary\":\"d\"}]}",
	    TERR_FORM, "список «entries» пуст");
	parse_bad("{\"id\":\"t\",\"version\":1,\"title\":\"Т\",\"dictionaries\":"
	    "{\"d\":{\"name\":\"e\",\"version\":1,\"entries\":[{\"code\":\"x\","
	    "\"label\":\"X\"}]}},\"fields\":[{\"id\":\"a\",\"label\":\"А\","
	    "\"type\":\"choice\",\"dictionary\":\"d\"}]}",
	    TERR_FORM, "словарь называется «e», а ожидался «d»");
	parse_bad("{\"id\":\"t\",\"version\":1,\"title\":\"Т\",\"dictionaries\":"
	    "{\"d\":{\"version\":1,\"entries\":[{\"code\":\"x\",\"label\":\"X\"}]}},"
	    "\"fields\":[{\"id\":\"a\",\"label\":\"А\",\"type\":\"choice\","
	    "\"dictionary\":\"d\",\"choices\":[{\"code\":\"y\",\"label\":\"Y\"}]}]}",
	    TERR_FORM, "а не оба");
	/* an unused embedded dictionary is still checked */
	parse_bad("{\"id\":\"t\",\"version\":1,\"title\":\"Т\",\"dictionaries\":"
	    "{\"d\":{\"version\":1}},\"fields\":[{\"id\":\"a\",\"label\":\"А\","
	    "\"type\":\"text\"}]}", TERR_FORM, "«entries» должен быть списком");
}

static void
test_caps(void)
{
	size_t cap = FORM_MAX_BYTES + 64, n;
	char *big = malloc(cap);
	struct form *f = NULL;
	struct terr e;

	if (big == NULL)
		return;
	/* over the byte cap: refused before parsing */
	memset(big, ' ', cap);
	CHECK_INT_EQ(form_parse(big, FORM_MAX_BYTES + 1, NULL, &f, &e),
	    TERR_TOO_LARGE);
	CHECK(f == NULL);
	/* 513 fields */
	n = (size_t)snprintf(big, cap, HEAD);
	for (int i = 0; i < FORM_MAX_FIELDS + 1; i++)
		n += (size_t)snprintf(big + n, cap - n, "%s{\"id\":\"f%d\",\"label\":"
		    "\"П\",\"type\":\"boolean\"}", i ? "," : "", i);
	n += (size_t)snprintf(big + n, cap - n, TAIL);
	CHECK_INT_EQ(form_parse(big, n, NULL, &f, &e), TERR_FORM);
	CHECK_CONTAINS(e.msg, "больше 512 полей");
	/* exactly the cap is fine */
	n = (size_t)snprintf(big, cap, HEAD);
	for (int i = 0; i < FORM_MAX_FIELDS; i++)
		n += (size_t)snprintf(big + n, cap - n, "%s{\"id\":\"f%d\",\"label\":"
		    "\"П\",\"type\":\"boolean\"}", i ? "," : "", i);
	n += (size_t)snprintf(big + n, cap - n, TAIL);
	CHECK_INT_EQ(form_parse(big, n, NULL, &f, &e), 0);
	CHECK_INT_EQ(form_n_fields(f), FORM_MAX_FIELDS);
	form_free(f);
	f = NULL;
	/* 257 choices */
	n = (size_t)snprintf(big, cap, HEAD "{\"id\":\"a\",\"label\":\"А\","
	    "\"type\":\"choice\",\"choices\":[");
	for (int i = 0; i < FORM_MAX_CHOICES + 1; i++)
		n += (size_t)snprintf(big + n, cap - n, "%s{\"code\":\"c%d\","
		    "\"label\":\"В\"}", i ? "," : "", i);
	n += (size_t)snprintf(big + n, cap - n, "]}" TAIL);
	CHECK_INT_EQ(form_parse(big, n, NULL, &f, &e), TERR_FORM);
	CHECK_CONTAINS(e.msg, "слишком много элементов");
	/* an over-long label */
	n = (size_t)snprintf(big, cap, HEAD "{\"id\":\"a\",\"label\":\"");
	memset(big + n, 'x', FORM_LABEL_MAX + 1);
	n += FORM_LABEL_MAX + 1;
	n += (size_t)snprintf(big + n, cap - n, "\",\"type\":\"text\"}" TAIL);
	CHECK_INT_EQ(form_parse(big, n, NULL, &f, &e), TERR_FORM);
	CHECK_CONTAINS(e.msg, "«label»: слишком длинная строка");
	/* deep JSON nesting is refused, not a crash */
	n = 0;
	for (int i = 0; i < 5000; i++)
		big[n++] = '[';
	CHECK(form_parse(big, n, NULL, &f, &e) < 0);
	CHECK(f == NULL);
	free(big);
	/* NULL arguments */
	CHECK_INT_EQ(form_parse(NULL, 0, NULL, &f, &e), TERR_ARG);
	CHECK_INT_EQ(form_parse("{}", 2, NULL, NULL, &e), TERR_ARG);
}

static void
test_groups_and_rules(void)
{
	const char *def = "{\"id\":\"t\",\"version\":7,\"title\":\"Т\","
	    "\"description\":\"Описание\",\"dictionaries\":{\"d\":{\"version\":2,"
	    "\"title\":\"Словарь\",\"entries\":[{\"code\":\"A1\",\"label\":\"Первый\"},"
	    "{\"code\":\"A2\",\"label\":\"Второй\"}]}},\"fields\":["
	    "{\"id\":\"flag\",\"label\":\"Флаг\",\"type\":\"boolean\"},"
	    "{\"id\":\"g\",\"label\":\"Группа\",\"type\":\"group\",\"sync\":\"local\","
	    " \"fields\":[{\"id\":\"x\",\"label\":\"Икс\",\"type\":\"integer\","
	    " \"relevant\":{\"field\":\"flag\",\"equals\":true}}]},"
	    "{\"id\":\"per\",\"label\":\"По словарю\",\"type\":\"group\","
	    " \"per_dictionary\":\"d\",\"item_key\":\"k\",\"fields\":["
	    " {\"id\":\"k\",\"label\":\"Ключ\",\"type\":\"choice\"},"
	    " {\"id\":\"v\",\"label\":\"Решение\",\"type\":\"choice\",\"choices\":["
	    "  {\"code\":\"y\",\"label\":\"да\"},{\"code\":\"n\",\"label\":\"нет\"},"
	    "  {\"code\":\"u\",\"label\":\"неясно\"}]},"
	    " {\"id\":\"c\",\"label\":\"Комментарий\",\"type\":\"text\","
	    "  \"required_if\":{\"field\":\"v\",\"in\":[\"n\",\"u\"]}}]}]}";
	struct form *f = parse_ok(def, NULL);
	const struct form_field *x, *g, *k, *c;
	const struct form_dictionary *d;
	char *txt;

	if (f == NULL)
		return;
	CHECK_STR_EQ(form_description(f), "Описание");
	g = form_find(f, "g");
	x = form_field_find_path(f, "g.x");
	CHECK(x != NULL && x == form_field_child(g, "x"));
	CHECK(x == form_field_find_path(f, "g[12].x"));
	CHECK(form_field_find_path(f, "g.y") == NULL);
	CHECK(form_field_find_path(f, "g[1") == NULL);
	CHECK(form_field_find_path(f, "") == NULL);
	if (x != NULL) {
		/* a member of a local group is local */
		CHECK_INT_EQ(x->sync, FORM_SYNC_LOCAL);
		CHECK_INT_EQ(x->depth, 1);
		CHECK(x->parent == g);
		/* the condition resolved outwards, to the record level */
		CHECK(x->relevant.target == form_find(f, "flag"));
		CHECK_INT_EQ(x->relevant.depth, 0);
		txt = form_cond_describe(&x->relevant);
		CHECK_STR_EQ(txt, "«Флаг» — «да»");
		free(txt);
	}
	c = form_field_find_path(f, "per.c");
	if (c != NULL) {
		CHECK_INT_EQ(c->required_if.depth, 1);
		txt = form_cond_describe(&c->required_if);
		CHECK_STR_EQ(txt, "«Решение» — «нет» или «неясно»");
		free(txt);
	}
	CHECK(form_cond_describe(NULL) == NULL);
	k = form_field_find_path(f, "per.k");
	CHECK(k != NULL && k->required && k->n_choices == 2);
	CHECK(k != NULL && form_choice_find(k, "A2") != NULL);
	CHECK(form_choice_find(k, "A3") == NULL);
	CHECK_INT_EQ(form_n_dictionaries(f), 1);
	d = form_dictionary_find(f, "d");
	CHECK(d != NULL && d == form_dictionary_at(f, 0));
	if (d != NULL) {
		CHECK_INT_EQ(d->version, 2);
		CHECK_STR_EQ(d->title, "Словарь");
		CHECK_INT_EQ(d->n_entries, 2);
		CHECK_STR_EQ(d->entries[1].label, "Второй");
	}
	CHECK(form_dictionary_find(f, "zz") == NULL);
	form_free(f);
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	CHECK(fp != NULL);
	if (fp == NULL)
		return;
	fputs(text, fp);
	fclose(fp);
}

static void
test_files(void)
{
	char dir[] = "/tmp/tetrad-test-form-XXXXXX", path[256], dpath[256];
	const char *def = "{\"id\":\"t\",\"version\":1,\"title\":\"Т\",\"fields\":["
	    "{\"id\":\"per\",\"label\":\"По словарю\",\"type\":\"group\","
	    "\"per_dictionary\":\"factors\",\"item_key\":\"k\",\"fields\":["
	    "{\"id\":\"k\",\"label\":\"Ключ\",\"type\":\"choice\"}]}]}";
	struct form *f = NULL;
	struct form_dictionary *d = NULL;
	struct terr e;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/t.json", dir);
	snprintf(dpath, sizeof(dpath), "%s/factors.json", dir);
	write_file(path, def);
	/* dictionary missing */
	CHECK_INT_EQ(formfile_load(path, dir, &f, &e), TERR_IO);
	CHECK_CONTAINS(e.msg, "словарь «factors» не загружен");
	/* no dicts_dir and nothing embedded */
	CHECK_INT_EQ(formfile_load(path, NULL, &f, &e), TERR_FORM);
	CHECK_CONTAINS(e.msg, "словарь «factors» не найден");
	/* a broken dictionary */
	write_file(dpath, "{\"name\":\"factors\",\"version\":1,\"entries\":"
	    "[{\"code\":\"R1\"}]}");
	CHECK_INT_EQ(formfile_load(path, dir, &f, &e), TERR_FORM);
	CHECK_CONTAINS(e.msg, "словарь «factors»");
	CHECK_CONTAINS(e.msg, "«label»");
	write_file(dpath, "{\"name\":\"factors\",\"version\":2021,\"title\":"
	    "\"Факторы\",\"entries\":[{\"code\":\"R01\",\"label\":\"Один\"},"
	    "{\"code\":\"R02\",\"label\":\"Два\"}]}");
	CHECK_INT_EQ(formfile_load(path, dir, &f, &e), 0);
	if (f != NULL) {
		CHECK_INT_EQ(form_dictionary_find(f, "factors")->version, 2021);
		CHECK_INT_EQ(form_field_find_path(f, "per.k")->n_choices, 2);
	}
	form_free(f);
	f = NULL;
	/* dictionary on its own */
	{
		const char *dj = "{\"name\":\"x\",\"version\":3,\"entries\":"
		    "[{\"code\":\"a\",\"label\":\"А\"}]}";

		CHECK_INT_EQ(form_dictionary_parse(dj, strlen(dj), &d, &e), 0);
		CHECK(d != NULL && d->n_entries == 1 && d->version == 3);
		CHECK(d != NULL && strcmp(d->title, "x") == 0);
		form_dictionary_free(d);
		d = NULL;
		dj = "{\"name\":\"x\",\"version\":3,\"entries\":[],\"extra\":1}";
		CHECK_INT_EQ(form_dictionary_parse(dj, strlen(dj), &d, &e),
		    TERR_FORM);
		CHECK(d == NULL);
		CHECK_CONTAINS(e.msg, "неизвестный ключ «extra» в словаре");
		form_dictionary_free(NULL);
	}
	/* file errors */
	CHECK_INT_EQ(formfile_load("/nonexistent/x.json", NULL, &f, &e), TERR_IO);
	CHECK_CONTAINS(e.msg, "/nonexistent/x.json");
	CHECK_INT_EQ(formfile_load(dir, NULL, &f, &e), TERR_IO);
	write_file(path, "{\"id\":\"t\"");
	CHECK_INT_EQ(formfile_load(path, dir, &f, &e), TERR_PARSE);
	CHECK_CONTAINS(e.msg, path);
	unlink(path);
	unlink(dpath);
	rmdir(dir);
}

static void
bundle_bad(const char *json, int code, const char *msg)
{
	struct form *f = (struct form *)1;
	struct terr e;

	terr_clear(&e);
	CHECK_INT_EQ(form_bundle_parse(json, strlen(json), &f, &e), code);
	CHECK(f == NULL);
	CHECK_CONTAINS(e.msg, msg);
}

/* The hub's bundle: definition plus the dictionaries it names. */
static void
test_bundle(void)
{
#define DEF "{\"id\":\"t\",\"version\":4,\"title\":\"Т\",\"fields\":[" \
	"{\"id\":\"per\",\"label\":\"П\",\"type\":\"group\"," \
	"\"per_dictionary\":\"factors\",\"item_key\":\"k\",\"fields\":[" \
	"{\"id\":\"k\",\"label\":\"К\",\"type\":\"choice\"}]}]}"
#define DICT "{\"version\":2021,\"entries\":[{\"code\":\"R01\"," \
	"\"label\":\"Один\"}]}"
	const char *ok = "{\"form\":" DEF ",\"dictionaries\":{\"factors\":" DICT "}}";
	struct form *f = NULL;
	struct terr e;

	CHECK_INT_EQ(form_bundle_parse(ok, strlen(ok), &f, &e), 0);
	if (f != NULL) {
		CHECK_INT_EQ(form_version(f), 4);
		CHECK_INT_EQ(form_dictionary_find(f, "factors")->version, 2021);
		CHECK_INT_EQ(form_field_find_path(f, "per.k")->n_choices, 1);
	}
	form_free(f);
	bundle_bad("{\"form\":" DEF "}", TERR_FORM, "словарь «factors» не найден");
	bundle_bad("{\"form\":" DEF ",\"dictionaries\":{\"factors\":" DICT
	    ",\"other\":" DICT "}}", TERR_FORM,
	    "словарь «other» не используется формой");
	bundle_bad("{\"form\":" DEF ",\"dictionaries\":{\"factors\":" DICT
	    ",\"factors\":" DICT "}}", TERR_FORM, "словарь «factors» в пакете дважды");
	bundle_bad("{\"form\":" DEF ",\"dictionaries\":{\"factors\":{\"version\":1,"
	    "\"entries\":[]}}}", TERR_FORM, "список «entries» пуст");
	bundle_bad("{\"form\":" DEF ",\"signature\":1}", TERR_FORM,
	    "неизвестный ключ «signature» в пакете формы");
	bundle_bad("{\"dictionaries\":{}}", TERR_FORM, "нет описания формы");
	bundle_bad("[]", TERR_FORM, "пакет должен быть JSON-объектом");
	bundle_bad("{\"form\":{", TERR_PARSE, "Пакет формы: ошибка в JSON");
	CHECK_INT_EQ(form_bundle_parse("{}", 2, NULL, &e), TERR_ARG);
#undef DEF
#undef DICT
}

static void
test_dates(void)
{
	long d = 0;
	char out[11];

	CHECK_INT_EQ(form_date_days("1970-01-01", &d), 0);
	CHECK_INT_EQ(d, 0);
	CHECK_INT_EQ(form_date_days("2021-03-10", &d), 0);
	form_date_format(d, out);
	CHECK_STR_EQ(out, "2021-03-10");
	CHECK_INT_EQ(form_date_days("2000-02-29", &d), 0);
	CHECK_INT_EQ(form_date_days("1900-02-29", &d), -1);
	CHECK_INT_EQ(form_date_days("2021-13-01", &d), -1);
	CHECK_INT_EQ(form_date_days("2021-1-01", &d), -1);
	CHECK_INT_EQ(form_date_days("2021-01-01x", &d), -1);
	CHECK_INT_EQ(form_date_days(NULL, &d), -1);
	for (long day = -25567; day < 40000; day += 997) {
		long back = 0;

		form_date_format(day, out);
		CHECK_INT_EQ(form_date_days(out, &back), 0);
		CHECK_INT_EQ(back, day);
	}
	/* as people read them: shape only, the calendar is form_date_days' */
	CHECK(form_date_ru("2026-02-15", out));
	CHECK_STR_EQ(out, "15.02.2026");
	CHECK(form_date_ru("2026-02-31", out));
	CHECK_STR_EQ(out, "31.02.2026");
	CHECK(!form_date_ru("2026-2-15", out));
	CHECK_STR_EQ(out, "");
	CHECK(!form_date_ru("2026-02-1x", out));
	CHECK(!form_date_ru("", out));
	CHECK(!form_date_ru(NULL, out));
}

/* The one id rule for forms and fields, which the change-set reader uses too. */
static void
test_ident_rule(void)
{
	char longid[FORM_ID_MAX + 2];

	CHECK(form_ident_ok("social_passport"));
	CHECK(form_ident_ok("a1_b2"));
	CHECK(!form_ident_ok(NULL));
	CHECK(!form_ident_ok(""));
	CHECK(!form_ident_ok("1abc"));
	CHECK(!form_ident_ok("_abc"));
	CHECK(!form_ident_ok("Social"));
	CHECK(!form_ident_ok("social-passport"));
	CHECK(!form_ident_ok("../../hub.enc"));
	CHECK(!form_ident_ok("a\x1b]0;x\x07"));
	CHECK(!form_ident_ok("a\xe2\x80\xae" "b"));
	CHECK(!form_ident_ok("школа"));
	memset(longid, 'a', FORM_ID_MAX);
	longid[FORM_ID_MAX] = '\0';
	CHECK(form_ident_ok(longid));
	longid[FORM_ID_MAX] = 'a';
	longid[FORM_ID_MAX + 1] = '\0';
	CHECK(!form_ident_ok(longid));
}

/* "school_field": the field whose value files the record under its school. */
static void
test_school_field(void)
{
#define SF_HEAD "{\"id\":\"t\",\"version\":1,\"title\":\"Т\",\"school_field\":"
	struct form *f = parse_ok(SF_HEAD "\"school_code\",\"fields\":["
	    "{\"id\":\"school_code\",\"label\":\"Код ОО\",\"type\":\"text\",\"required\":true},"
	    "{\"id\":\"b\",\"label\":\"Б\",\"type\":\"text\"}]}", NULL);

	if (f != NULL) {
		CHECK(form_school_field(f) == form_find(f, "school_code"));
		form_free(f);
	}
	f = parse_ok(HEAD "{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\"}" TAIL, NULL);
	if (f != NULL) {
		CHECK(form_school_field(f) == NULL);
		form_free(f);
	}
	parse_bad(SF_HEAD "\"nope\",\"fields\":[{\"id\":\"a\",\"label\":\"А\","
	    "\"type\":\"text\",\"required\":true}]}", TERR_FORM,
	    "«school_field»: в форме нет поля верхнего уровня «nope»");
	parse_bad(SF_HEAD "3,\"fields\":[{\"id\":\"a\",\"label\":\"А\","
	    "\"type\":\"text\",\"required\":true}]}", TERR_FORM,
	    "«school_field» должен быть строкой");
	/* optional, kept on the device, or a number: the hub could not file the record */
	parse_bad(SF_HEAD "\"a\",\"fields\":[{\"id\":\"a\",\"label\":\"А\","
	    "\"type\":\"text\"}]}", TERR_FORM, "должно быть обязательным текстовым полем");
	parse_bad(SF_HEAD "\"a\",\"fields\":[{\"id\":\"a\",\"label\":\"А\","
	    "\"type\":\"text\",\"required\":true,\"sync\":\"local\"}]}", TERR_FORM,
	    "должно быть обязательным текстовым полем");
	parse_bad(SF_HEAD "\"a\",\"fields\":[{\"id\":\"a\",\"label\":\"А\","
	    "\"type\":\"integer\",\"required\":true}]}", TERR_FORM,
	    "должно быть обязательным текстовым полем");
#undef SF_HEAD
}

int
main(void)
{
	test_minimal();
	test_school_field();
	test_ident_rule();
	test_refusals();
	test_caps();
	test_groups_and_rules();
	test_files();
	test_bundle();
	test_dates();
	return check_summary();
}
