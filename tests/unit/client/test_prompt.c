/*
 * test_prompt — interactive entry from a scripted input: choices by number,
 * re-asking on invalid answers, relevance (a question that does not apply
 * is skipped and its old answer dropped), repeat groups with a minimum,
 * per-dictionary items, scales with «затрудняюсь ответить», end of input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "client/prompt.h"

static const char form_json[] =
"{\"format\":1,\"id\":\"t_prompt\",\"version\":1,\"title\":\"Проверка\","
" \"dictionaries\":{\"facts\":{\"name\":\"facts\",\"version\":1,\"title\":\"Факторы\","
"   \"entries\":[{\"code\":\"F1\",\"label\":\"Первый\"},{\"code\":\"F2\",\"label\":\"Второй\"}]}},"
" \"fields\":["
"  {\"id\":\"kind\",\"label\":\"Вид\",\"type\":\"choice\",\"required\":true,"
"   \"choices\":[{\"code\":\"a\",\"label\":\"первый\"},{\"code\":\"b\",\"label\":\"второй\"}]},"
"  {\"id\":\"why\",\"label\":\"Почему\",\"type\":\"text\","
"   \"relevant\":{\"field\":\"kind\",\"equals\":\"b\"}},"
"  {\"id\":\"n\",\"label\":\"Число\",\"type\":\"integer\",\"min\":1,\"max\":9},"
"  {\"id\":\"tags\",\"label\":\"Метки\",\"type\":\"multi\","
"   \"choices\":[{\"code\":\"x\",\"label\":\"икс\"},{\"code\":\"y\",\"label\":\"игрек\"},{\"code\":\"z\",\"label\":\"зет\"}]},"
"  {\"id\":\"mood\",\"label\":\"Настроение\",\"type\":\"scale\",\"min\":1,\"max\":5,\"no_answer\":true},"
"  {\"id\":\"people\",\"label\":\"Люди\",\"type\":\"group\",\"min_items\":1,\"max_items\":3,\"fields\":["
"    {\"id\":\"age\",\"label\":\"Возраст\",\"type\":\"integer\",\"required\":true}]},"
"  {\"id\":\"facts\",\"label\":\"По факторам\",\"type\":\"group\",\"per_dictionary\":\"facts\","
"   \"item_key\":\"code\",\"fields\":["
"    {\"id\":\"code\",\"label\":\"Фактор\",\"type\":\"choice\",\"dictionary\":\"facts\"},"
"    {\"id\":\"ok\",\"label\":\"Подтверждён\",\"type\":\"boolean\",\"required\":true}]}"
" ]}";

static int
run(const struct form *f, cJSON *values, const char *input, char **transcript,
    struct terr *e)
{
	FILE *in = fmemopen((void *)(uintptr_t)input, strlen(input), "r");
	size_t len = 0;
	FILE *out = open_memstream(transcript, &len);
	int r;

	if (in == NULL || out == NULL)
		return -1;
	r = prompt_fill(f, values, in, out, e);
	fclose(in);
	fclose(out);
	return r;
}

int
main(void)
{
	struct form *f = NULL;
	struct terr e = { 0 };
	cJSON *v = NULL;
	char *tr = NULL;
	char *s;

	CHECK_INT_EQ(form_parse(form_json, strlen(form_json), NULL, &f, &e), 0);
	if (f == NULL) {
		fprintf(stderr, "%s\n", e.msg);
		return check_summary();
	}
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "why", "старый ответ");
	/* kind: 3 is no choice -> asked again, 1 -> "a"; "why" not relevant;
	 * n: 0 out of range, then 4; tags "1,3"; mood: Enter = no answer;
	 * people: one item without asking, age 30, then "нет";
	 * facts: F1 да, F2 "может" -> asked again -> нет */
	CHECK_INT_EQ(run(f, v, "3\n1\n0\n4\n1,3\n\n30\nнет\nда\nможет\nнет\n", &tr, &e), 0);
	CHECK_CONTAINS(tr, "1) первый");
	CHECK_CONTAINS(tr, "Неверно");
	/* not asked; its old answer dropped, and the person told */
	CHECK(strstr(tr, "\nПочему\n") == NULL);
	CHECK_CONTAINS(tr, "Ответ «Почему» убран");
	CHECK_CONTAINS(tr, "Первый (F1)");
	CHECK_CONTAINS(tr, "Второй (F2)");
	s = cJSON_PrintUnformatted(v);
	CHECK_STR_EQ(s, "{\"kind\":\"a\",\"n\":4,\"tags\":[\"x\",\"z\"],\"mood\":null,"
	    "\"people\":[{\"age\":30}],\"facts\":[{\"code\":\"F1\",\"ok\":true},"
	    "{\"code\":\"F2\",\"ok\":false}]}");
	free(s);
	free(tr);
	tr = NULL;
	{
		struct form_problems *p = NULL;

		CHECK_INT_EQ(form_validate(f, v, FORM_FINAL, &p, &e), 0);
		form_problems_free(p);
	}

	/* editing: Enter keeps answers; "b" makes "why" relevant; a second
	 * person is added; end of input is an error */
	CHECK_INT_EQ(run(f, v, "2\nпотому\n\n\n\n\nда\n41\n", &tr, &e), TERR_ARG);
	CHECK_CONTAINS(tr, "сейчас: первый");
	CHECK_CONTAINS(tr, "Почему");
	CHECK_STR_EQ(cJSON_GetObjectItem(v, "why") ? cJSON_GetObjectItem(v, "why")->valuestring : "",
	    "потому");
	CHECK_INT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(v, "people")), 2);
	free(tr);
	tr = NULL;

	/* a required question: Enter asks again, "-" leaves it empty */
	cJSON_Delete(v);
	v = cJSON_CreateObject();
	CHECK_INT_EQ(run(f, v, "\n-\n\n\n\n-\nнет\n-\n-\n", &tr, &e), 0);
	CHECK_CONTAINS(tr, "обязательное");
	CHECK(cJSON_GetObjectItem(v, "kind") == NULL);
	free(tr);

	{
		bool yes = false;
		const char *txt = "может\nда\n";
		FILE *in = fmemopen((void *)(uintptr_t)txt, strlen(txt), "r");
		FILE *out = fopen("/dev/null", "w");

		if (in && out) {
			CHECK_INT_EQ(prompt_yesno(in, out, "Сохранить?", &yes, &e), 0);
			CHECK(yes);
			CHECK_INT_EQ(prompt_yesno(in, out, "Ещё?", &yes, &e), TERR_ARG);
		}
		if (in)
			fclose(in);
		if (out)
			fclose(out);
	}
	cJSON_Delete(v);
	form_free(f);
	return check_summary();
}
