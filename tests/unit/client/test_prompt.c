/*
 * test_prompt — interactive entry from a scripted input: choices by number,
 * re-asking on invalid answers, relevance (a question that does not apply
 * is skipped and its old answer dropped), repeat groups with a minimum,
 * per-dictionary items, scales with «затрудняюсь ответить», end of input;
 * a rule between two answers refused at the second question, «назад» (also
 * across a group's «add?» question), the summary (numbers and labels,
 * «изменить N», a draft offered only when it can be saved, «нет» asked
 * twice), one field only, the stop flag, choosing from a list.
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

static const char dates_json[] =
"{\"format\":1,\"id\":\"t_dates\",\"version\":1,\"title\":\"Даты\","
" \"fields\":["
"  {\"id\":\"d1\",\"label\":\"Дата поступления\",\"type\":\"date\",\"required\":true},"
"  {\"id\":\"d2\",\"label\":\"Дата программы\",\"type\":\"date\",\"required\":true,"
"   \"min_field\":\"d1\"},"
"  {\"id\":\"parts\",\"label\":\"Части\",\"type\":\"group\",\"fields\":["
"    {\"id\":\"x\",\"label\":\"Икс\",\"type\":\"integer\"}]},"
"  {\"id\":\"note\",\"label\":\"Заметка\",\"type\":\"text\"}"
" ]}";

/* prompt_walk (o may be NULL) or, with end, prompt_review */
static int
run_opts(const struct form *f, cJSON *values, const char *input,
    char **transcript, const struct prompt_opts *o, enum prompt_end *end,
    struct terr *e)
{
	FILE *in = fmemopen((void *)(uintptr_t)input, strlen(input), "r");
	size_t len = 0;
	FILE *out = open_memstream(transcript, &len);
	int r;

	if (in == NULL || out == NULL)
		return -1;
	r = end ? prompt_review(f, values, in, out, o, end, e) :
	    prompt_walk(f, values, in, out, o, e);
	fclose(in);
	fclose(out);
	return r;
}

static char *
json(const cJSON *v)
{
	static char buf[1024];
	char *s = cJSON_PrintUnformatted(v);

	snprintf(buf, sizeof(buf), "%s", s ? s : "?");
	free(s);
	return buf;
}

/* The walk with the rules, «назад», the summary, one field, the stop flag. */
static void
test_walk_and_review(void)
{
	struct form *f = NULL;
	struct terr e = { 0 };
	struct prompt_opts o = { 0 };
	enum prompt_end end = PROMPT_END_FINAL;
	volatile sig_atomic_t stop = 0;
	cJSON *v;
	char *tr = NULL;

	CHECK_INT_EQ(form_parse(dates_json, strlen(dates_json), NULL, &f, &e), 0);
	if (f == NULL)
		return;
	v = cJSON_CreateObject();
	/* d2 before d1: refused at once with the reason, then a good one;
	 * «<» at the first question goes nowhere; at «add?» back to d2 */
	CHECK_INT_EQ(run_opts(f, v, "<\n10.03.2026\n01.03.2026\n12.03.2026\n"
	    "назад\n\nда\n5\nнет\nзаметка\n", &tr, NULL, NULL, &e), 0);
	CHECK_CONTAINS(tr, "Это первый вопрос");
	CHECK_CONTAINS(tr, "Неверно: Дата программы: не может быть раньше, чем "
	    "«Дата поступления»");
	CHECK_CONTAINS(tr, "сейчас: 12.03.2026");
	CHECK_STR_EQ(json(v), "{\"d1\":\"2026-03-10\",\"d2\":\"2026-03-12\","
	    "\"parts\":[{\"x\":5}],\"note\":\"заметка\"}");
	free(tr);
	tr = NULL;

	/* going back to d1 and moving it past d2: d1 is refused (d2's rule) */
	CHECK_INT_EQ(run_opts(f, v, "\n\nнет\n<\n<\n<\n20.03.2026\n11.03.2026\n"
	    "\n\nнет\n\n", &tr, NULL, NULL, &e), 0);
	CHECK_CONTAINS(tr, "Неверно: Дата программы: не может быть раньше, чем "
	    "«Дата поступления»");
	CHECK_STR_EQ(json(v), "{\"d1\":\"2026-03-11\",\"d2\":\"2026-03-12\","
	    "\"note\":\"заметка\"}");
	free(tr);
	tr = NULL;

	/* the summary: numbered with labels; «изменить 2» asks only d2 */
	CHECK_INT_EQ(run_opts(f, v, "изменить 2\n13.03.2026\nда\n", &tr, &o, &end,
	    &e), 0);
	CHECK_INT_EQ(end, PROMPT_END_FINAL);
	CHECK_CONTAINS(tr, "1) Дата поступления: 11.03.2026");
	CHECK_CONTAINS(tr, "2) Дата программы: 12.03.2026");
	CHECK_CONTAINS(tr, "2) Дата программы: 13.03.2026");
	CHECK_CONTAINS(tr, "3) Заметка: заметка");
	CHECK(strstr(tr, "\nЗаметка\n") == NULL);   /* not asked again */
	CHECK_STR_EQ(cJSON_GetObjectItem(v, "d2")->valuestring, "2026-03-13");
	free(tr);
	tr = NULL;

	/* not complete: «да» is refused, the draft is offered and taken */
	cJSON_DeleteItemFromObject(v, "d1");
	CHECK_INT_EQ(run_opts(f, v, "да\nчерновик\n", &tr, &o, &end, &e), 0);
	CHECK_INT_EQ(end, PROMPT_END_DRAFT);
	CHECK_CONTAINS(tr, "Запись ещё не готова");
	CHECK_CONTAINS(tr, "Дата поступления: обязательное поле");
	free(tr);
	tr = NULL;
	/* a final record: no draft offered; «нет» asks once more */
	o.no_draft = true;
	CHECK_INT_EQ(run_opts(f, v, "черновик\nнет\nнет\nнет\nда\n", &tr, &o,
	    &end, &e), 0);
	CHECK_INT_EQ(end, PROMPT_END_DISCARD);
	CHECK(strstr(tr, "«черновик» — сохранить") == NULL);
	CHECK_CONTAINS(tr, "Выйти без сохранения?");
	free(tr);
	tr = NULL;
	/* end of input at the summary: TERR_ARG, the answers stay */
	CHECK_INT_EQ(run_opts(f, v, "", &tr, &o, &end, &e), TERR_ARG);
	CHECK(cJSON_GetObjectItem(v, "d2") != NULL);
	free(tr);
	tr = NULL;
	o.no_draft = false;

	/* one field only */
	o.only = form_find(f, "note");
	CHECK_INT_EQ(run_opts(f, v, "<\nдругая\n", &tr, &o, NULL, &e), 0);
	CHECK_CONTAINS(tr, "Это первый вопрос");
	CHECK(strstr(tr, "Дата программы") == NULL);
	CHECK_STR_EQ(cJSON_GetObjectItem(v, "note")->valuestring, "другая");
	free(tr);
	tr = NULL;
	o.only = NULL;

	/* the stop flag (set by a signal handler): input ends at once */
	stop = 1;
	o.stop = &stop;
	CHECK_INT_EQ(run_opts(f, v, "01.01.2026\n", &tr, &o, NULL, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "прерван");
	CHECK_STR_EQ(cJSON_GetObjectItem(v, "d2")->valuestring, "2026-03-13");
	free(tr);
	cJSON_Delete(v);
	form_free(f);
}

static void
test_choose(void)
{
	static const char *const items[] = { "170103", "170104", "170105" };
	const char *txt = "9\nшкола\n2\n170105\n";
	FILE *in = fmemopen((void *)(uintptr_t)txt, strlen(txt), "r");
	FILE *out = fopen("/dev/null", "w");
	struct terr e = { 0 };
	size_t pick = 99;

	if (in && out) {
		CHECK_INT_EQ(prompt_choose(in, out, "Школа?", items, 3, &pick, NULL,
		    &e), 0);
		CHECK_INT_EQ(pick, 1);
		CHECK_INT_EQ(prompt_choose(in, out, "Школа?", items, 3, &pick, NULL,
		    &e), 0);
		CHECK_INT_EQ(pick, 2);
		CHECK_INT_EQ(prompt_choose(in, out, "Школа?", items, 3, &pick, NULL,
		    &e), TERR_ARG);
	}
	if (in)
		fclose(in);
	if (out)
		fclose(out);
}

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
	test_walk_and_review();
	test_choose();
	return check_summary();
}
