/*
 * test_form_answer — form_answer_check, one answer against the answers so
 * far: its own min_field / max_field, the rules of fields that name it (in
 * its object and in the items of a group below), a field that does not
 * apply, per-item rules, and that every rule it refuses form_validate
 * refuses too (one engine, one verdict).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tetrad/form.h"

static const char def[] =
"{\"format\":1,\"id\":\"t_answer\",\"version\":1,\"title\":\"Проверка\","
" \"fields\":["
"  {\"id\":\"received\",\"label\":\"Дата поступления\",\"type\":\"date\"},"
"  {\"id\":\"status\",\"label\":\"Статус\",\"type\":\"choice\","
"   \"choices\":[{\"code\":\"open\",\"label\":\"открыт\"},{\"code\":\"held\",\"label\":\"проведена\"}]},"
"  {\"id\":\"held_on\",\"label\":\"Дата проведения\",\"type\":\"date\","
"   \"relevant\":{\"field\":\"status\",\"equals\":\"held\"},\"min_field\":\"received\"},"
"  {\"id\":\"total\",\"label\":\"Всего\",\"type\":\"integer\",\"min\":0},"
"  {\"id\":\"items\",\"label\":\"Части\",\"type\":\"group\",\"fields\":["
"    {\"id\":\"part\",\"label\":\"Часть\",\"type\":\"integer\",\"max_field\":\"total\"},"
"    {\"id\":\"lo\",\"label\":\"От\",\"type\":\"integer\"},"
"    {\"id\":\"hi\",\"label\":\"До\",\"type\":\"integer\",\"min_field\":\"lo\"}]}"
" ]}";

/* form_answer_check of field id (a path: "id" or "group[i].id") in v. */
static int
check(const struct form *f, const cJSON *v, const char *path, char *msg,
    size_t sz)
{
	const cJSON *scopes[FORM_MAX_DEPTH + 1] = { v };
	const struct form_field *fd;
	const char *br = strchr(path, '[');

	if (br == NULL)
		return form_answer_check(f, form_find(f, path), scopes, 1, msg, sz);
	{
		char gid[32];
		const struct form_field *g;
		const cJSON *arr;

		snprintf(gid, sizeof(gid), "%.*s", (int)(br - path), path);
		g = form_find(f, gid);
		arr = cJSON_GetObjectItemCaseSensitive(v, gid);
		scopes[1] = cJSON_GetArrayItem(arr, atoi(br + 1));
		fd = form_field_child(g, strchr(br, '.') + 1);
		return form_answer_check(f, fd, scopes, 2, msg, sz);
	}
}

/* The final verdict agrees: form_validate finds a problem naming msg's rule. */
static int
validate_says(const struct form *f, const cJSON *v, const char *text)
{
	struct form_problems *p = NULL;
	struct terr e;
	int found = 0;

	if (form_validate(f, v, FORM_FINAL, &p, &e) == TERR_INVALID)
		for (size_t i = 0; i < p->n; i++)
			if (strstr(p->items[i].message, text) != NULL)
				found = 1;
	form_problems_free(p);
	return found;
}

int
main(void)
{
	struct form *f = NULL;
	struct terr e;
	char msg[1024];
	cJSON *v;

	CHECK_INT_EQ(form_parse(def, sizeof(def) - 1, NULL, &f, &e), 0);
	if (f == NULL)
		return check_summary();

	/* the date asked second is before the first: refused at once */
	v = cJSON_Parse("{\"received\":\"2026-03-10\",\"status\":\"held\","
	    "\"held_on\":\"2026-03-01\"}");
	CHECK_INT_EQ(check(f, v, "held_on", msg, sizeof(msg)), 1);
	CHECK_STR_EQ(msg, "Дата проведения: не может быть раньше, чем «Дата "
	    "поступления»");
	CHECK(validate_says(f, v, "не может быть раньше, чем «Дата поступления»"));
	/* the first date changed afterwards: its own answer is refused, the
	 * rule named is the other field's */
	CHECK_INT_EQ(check(f, v, "received", msg, sizeof(msg)), 1);
	CHECK_STR_EQ(msg, "Дата проведения: не может быть раньше, чем «Дата "
	    "поступления»");
	/* same day is fine; only one of the two answered is fine */
	cJSON_ReplaceItemInObject(v, "held_on", cJSON_CreateString("2026-03-10"));
	CHECK_INT_EQ(check(f, v, "held_on", msg, sizeof(msg)), 0);
	CHECK_INT_EQ(check(f, v, "received", msg, sizeof(msg)), 0);
	cJSON_DeleteItemFromObject(v, "received");
	CHECK_INT_EQ(check(f, v, "held_on", msg, sizeof(msg)), 0);
	/* a field that does not apply has no rules to keep */
	cJSON_AddStringToObject(v, "received", "2026-04-01");
	cJSON_ReplaceItemInObject(v, "status", cJSON_CreateString("open"));
	CHECK_INT_EQ(check(f, v, "received", msg, sizeof(msg)), 0);
	cJSON_Delete(v);

	/* items below: a total lowered under a part already given */
	v = cJSON_Parse("{\"total\":3,\"items\":[{\"part\":2},{\"part\":5}]}");
	CHECK_INT_EQ(check(f, v, "total", msg, sizeof(msg)), 1);
	CHECK_STR_EQ(msg, "Часть: не может быть больше, чем «Всего»");
	CHECK_INT_EQ(check(f, v, "items[0].part", msg, sizeof(msg)), 0);
	CHECK_INT_EQ(check(f, v, "items[1].part", msg, sizeof(msg)), 1);
	CHECK(validate_says(f, v, "Часть (Части, запись 2): не может быть больше"));
	cJSON_Delete(v);

	/* a rule inside one item, both ways; another item's values do not count */
	v = cJSON_Parse("{\"items\":[{\"lo\":1,\"hi\":9},{\"lo\":10,\"hi\":4}]}");
	CHECK_INT_EQ(check(f, v, "items[0].hi", msg, sizeof(msg)), 0);
	CHECK_INT_EQ(check(f, v, "items[0].lo", msg, sizeof(msg)), 0);
	CHECK_INT_EQ(check(f, v, "items[1].hi", msg, sizeof(msg)), 1);
	CHECK_STR_EQ(msg, "До: не может быть меньше, чем «От»");
	CHECK_INT_EQ(check(f, v, "items[1].lo", msg, sizeof(msg)), 1);
	cJSON_Delete(v);

	/* a value wrong by itself; bad arguments */
	v = cJSON_Parse("{\"total\":-1}");
	CHECK_INT_EQ(check(f, v, "total", msg, sizeof(msg)), 1);
	CHECK_CONTAINS(msg, "Всего: ");
	{
		const cJSON *sc[2] = { v, v };

		CHECK_INT_EQ(form_answer_check(f, form_find(f, "total"), sc, 2, msg,
		    sizeof(msg)), TERR_ARG);
		CHECK_INT_EQ(form_answer_check(f, NULL, sc, 1, msg, sizeof(msg)),
		    TERR_ARG);
	}
	cJSON_Delete(v);
	form_free(f);
	return check_summary();
}
