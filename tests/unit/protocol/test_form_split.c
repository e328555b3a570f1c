/*
 * test_form_split — a record split into its hub part and its local part
 * (form_split_local; the client seals the local part at rest) and grafted
 * back (form_graft_local): the mediation case of forms/mediation_case.json
 * with names, phones and the summary; members the form does not know kept;
 * the original restored exactly; a group shortened by a pull; nested groups
 * and a local group; records without local values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tetrad/form.h"
#include "tetrad/formfile.h"

#ifndef TETRAD_FORMS_DIR
#error "TETRAD_FORMS_DIR must be defined by the build"
#endif

static const char case_values[] =
"{\"case_number\":\"2026-07\",\"received_date\":\"2026-09-14\",\"source\":\"teacher\","
" \"situation_kind\":\"conflict\",\"conflict_type\":\"student_student\","
" \"parties\":["
"   {\"role\":\"student\",\"class_name\":\"7Б\",\"age\":12,\"full_name\":\"Иванов Пётр\","
"    \"phone\":\"+7 900 111-22-33\",\"x_future\":5},"
"   {\"role\":\"student\",\"class_name\":\"7А\",\"age\":13},"
"   {\"role\":\"adult\",\"age\":41,\"full_name\":\"Петрова Анна Сергеевна\"}],"
" \"summary\":\"Ссора на перемене из-за телефона\",\"status\":\"received\","
" \"zz_unknown\":{\"kept\":[1,2]}}";

static const char case_hub[] =
"{\"case_number\":\"2026-07\",\"received_date\":\"2026-09-14\",\"source\":\"teacher\","
" \"situation_kind\":\"conflict\",\"conflict_type\":\"student_student\","
" \"parties\":["
"   {\"role\":\"student\",\"class_name\":\"7Б\",\"age\":12,\"x_future\":5},"
"   {\"role\":\"student\",\"class_name\":\"7А\",\"age\":13},"
"   {\"role\":\"adult\",\"age\":41}],"
" \"status\":\"received\",\"zz_unknown\":{\"kept\":[1,2]}}";

static const char case_local[] =
"{\"parties\":[{\"full_name\":\"Иванов Пётр\",\"phone\":\"+7 900 111-22-33\"},{},"
"  {\"full_name\":\"Петрова Анна Сергеевна\"}],"
" \"summary\":\"Ссора на перемене из-за телефона\"}";

static struct form *
load_mediation(void)
{
	struct form *f = NULL;
	struct terr e = { 0 };
	int r = formfile_load(TETRAD_FORMS_DIR "/mediation_case.json",
	    TETRAD_FORMS_DIR "/dict", &f, &e);

	if (r != 0)
		fprintf(stderr, "  mediation_case.json: %s\n", e.msg);
	CHECK_INT_EQ(r, 0);
	return f;
}

static bool
same(const cJSON *a, const char *text)
{
	cJSON *b = cJSON_Parse(text);
	bool ok = b != NULL && cJSON_Compare(a, b, true);

	if (!ok) {
		char *p = cJSON_PrintUnformatted(a);

		fprintf(stderr, "  got  %s\n  want %s\n", p ? p : "(null)", text);
		free(p);
	}
	cJSON_Delete(b);
	return ok;
}

/* a without its fingerprints (a mirror as it was before they existed) */
static void
unbind(cJSON *a)
{
	cJSON_DeleteItemFromObjectCaseSensitive(a, FORM_FP_KEY);
	for (cJSON *c = a->child; c != NULL; c = c->next)
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			unbind(c);
}

/* local (a split's) is text once its fingerprints are removed, and every
 * item of a group that holds local fields has one */
static bool
same_local(const cJSON *local, const char *text)
{
	cJSON *c = cJSON_Duplicate(local, 1);
	bool ok;

	if (c != NULL)
		unbind(c);
	ok = same(c, text);
	cJSON_Delete(c);
	return ok;
}

static void
test_mediation(void)
{
	struct form *f = load_mediation();
	cJSON *v = cJSON_Parse(case_values), *hub = NULL, *local = NULL, *stripped;
	cJSON *pulled = NULL;
	size_t left = 9;

	CHECK(v != NULL);
	if (f == NULL || v == NULL)
		goto out;
	CHECK(form_has_local(f));
	CHECK_INT_EQ(form_split_local(f, v, &hub, &local), 1);
	CHECK(same(hub, case_hub));
	CHECK(same_local(local, case_local));
	{
		const cJSON *ps = cJSON_GetObjectItem(local, "parties"), *it;

		CHECK_INT_EQ(cJSON_GetArraySize(ps), 3);
		cJSON_ArrayForEach(it, ps) {
			const cJSON *h = cJSON_GetObjectItem(it, FORM_FP_KEY);

			CHECK(cJSON_IsString(h) && strlen(h->valuestring) == FORM_FP_LEN);
		}
	}
	/* form_strip_local (what is sent) drops the unknown members too */
	stripped = form_strip_local(f, v);
	CHECK(stripped != NULL && cJSON_GetObjectItem(stripped, "zz_unknown") == NULL);
	CHECK(stripped != NULL && !cJSON_Compare(stripped, hub, true));
	cJSON_Delete(stripped);
	/* the graft restores the record exactly */
	CHECK_INT_EQ(form_graft_local(hub, local, NULL), 0);
	CHECK(cJSON_Compare(hub, v, true));

	/* after a pull the hub's copy has fewer parties: each party that
	 * remains gets its own values back, the rest are not invented */
	pulled = cJSON_Parse("{\"case_number\":\"2026-07\",\"parties\":["
	    "{\"role\":\"student\",\"class_name\":\"7Б\",\"age\":12,\"x_future\":5},"
	    "{\"role\":\"adult\",\"age\":41}],\"status\":\"held\"}");
	CHECK_INT_EQ(form_graft_local(pulled, local, &left), 0);
	CHECK_INT_EQ(left, 0);
	CHECK(same(pulled, "{\"case_number\":\"2026-07\",\"parties\":["
	    "{\"role\":\"student\",\"class_name\":\"7Б\",\"age\":12,\"x_future\":5,"
	    "\"full_name\":\"Иванов Пётр\",\"phone\":\"+7 900 111-22-33\"},"
	    "{\"role\":\"adult\",\"age\":41,\"full_name\":\"Петрова Анна Сергеевна\"}],"
	    "\"status\":\"held\",\"summary\":\"Ссора на перемене из-за телефона\"}"));
	cJSON_Delete(pulled);
	/* other parties: none is given a name it did not have */
	pulled = cJSON_Parse("{\"parties\":[{\"age\":1},{\"age\":2},{\"age\":3},{\"age\":4}]}");
	CHECK_INT_EQ(form_graft_local(pulled, local, &left), 0);
	CHECK_INT_EQ(left, 2);
	CHECK(same(pulled, "{\"parties\":[{\"age\":1},{\"age\":2},{\"age\":3},"
	    "{\"age\":4}],\"summary\":\"Ссора на перемене из-за телефона\"}"));
	cJSON_Delete(pulled);
	/* a pull that emptied the group: no item is invented */
	pulled = cJSON_Parse("{\"status\":\"held\",\"parties\":[]}");
	CHECK_INT_EQ(form_graft_local(pulled, local, &left), 0);
	CHECK_INT_EQ(left, 2);
	CHECK(same(pulled, "{\"status\":\"held\",\"parties\":[],"
	    "\"summary\":\"Ссора на перемене из-за телефона\"}"));
	cJSON_Delete(pulled);
 out:
	cJSON_Delete(hub);
	cJSON_Delete(local);
	cJSON_Delete(v);
	form_free(f);
}

static void
split_is(const struct form *f, const char *values, int want, const char *want_hub,
    const char *want_local, bool exact)
{
	cJSON *v = cJSON_Parse(values), *hub = NULL, *local = NULL;

	CHECK(v != NULL);
	CHECK_INT_EQ(form_split_local(f, v, &hub, &local), want);
	CHECK(same(hub, want_hub));
	CHECK(same_local(local, want_local));
	if (hub != NULL && local != NULL) {
		CHECK_INT_EQ(form_graft_local(hub, local, NULL), 0);
		/* restored (but for dropped nulls and repeated keys) */
		if (exact)
			CHECK(cJSON_Compare(hub, v, true));
	}
	cJSON_Delete(v);
	cJSON_Delete(hub);
	cJSON_Delete(local);
}

static void
test_shapes(void)
{
	struct form *f = load_mediation(), *g = NULL, *plain = NULL;
	struct terr e = { 0 };
	static const char nested[] = "{\"format\":1,\"id\":\"n\",\"version\":1,\"title\":\"N\","
	    "\"fields\":[{\"id\":\"a\",\"label\":\"A\",\"type\":\"text\"},"
	    "{\"id\":\"secret_list\",\"label\":\"S\",\"type\":\"group\",\"sync\":\"local\","
	    "  \"fields\":[{\"id\":\"x\",\"label\":\"X\",\"type\":\"text\"}]},"
	    "{\"id\":\"outer\",\"label\":\"O\",\"type\":\"group\",\"fields\":["
	    "  {\"id\":\"k\",\"label\":\"K\",\"type\":\"integer\"},"
	    "  {\"id\":\"inner\",\"label\":\"I\",\"type\":\"group\",\"fields\":["
	    "    {\"id\":\"nm\",\"label\":\"N\",\"type\":\"text\",\"sync\":\"local\"},"
	    "    {\"id\":\"q\",\"label\":\"Q\",\"type\":\"integer\"}]},"
	    "  {\"id\":\"plain\",\"label\":\"P\",\"type\":\"group\",\"fields\":["
	    "    {\"id\":\"z\",\"label\":\"Z\",\"type\":\"text\"}]}]}]}";
	static const char nolocal[] = "{\"format\":1,\"id\":\"p\",\"version\":1,\"title\":\"P\","
	    "\"fields\":[{\"id\":\"a\",\"label\":\"A\",\"type\":\"text\"},"
	    "{\"id\":\"g\",\"label\":\"G\",\"type\":\"group\",\"fields\":["
	    "  {\"id\":\"z\",\"label\":\"Z\",\"type\":\"text\"}]}]}";
	cJSON *hub = NULL, *local = NULL, *d;

	if (f == NULL)
		return;
	/* no local values at all: 0 and {} */
	split_is(f, "{\"case_number\":\"1\",\"parties\":[{\"age\":5},{\"age\":6}]}", 0,
	    "{\"case_number\":\"1\",\"parties\":[{\"age\":5},{\"age\":6}]}", "{}", true);
	split_is(f, "{}", 0, "{}", "{}", true);
	/* a local null is no answer: dropped, and nothing to seal */
	split_is(f, "{\"summary\":null,\"parties\":[{\"phone\":null}]}", 0,
	    "{\"parties\":[{}]}", "{}", false);
	/* a key repeated by hand leaves no local value behind */
	split_is(f, "{\"summary\":\"один\",\"summary\":\"два\",\"status\":\"held\"}", 1,
	    "{\"status\":\"held\"}", "{\"summary\":\"один\"}", false);
	/* an item that is not an object still takes its position; the graft
	 * leaves it as it was */
	split_is(f, "{\"parties\":[null,{\"full_name\":\"Сидоров\"},7]}", 1,
	    "{\"parties\":[null,{},7]}", "{\"parties\":[{},{\"full_name\":\"Сидоров\"},{}]}", true);
	/* a group that is not an array is left to the validator */
	split_is(f, "{\"parties\":\"x\",\"summary\":\"s\"}", 1,
	    "{\"parties\":\"x\"}", "{\"summary\":\"s\"}", true);

	CHECK_INT_EQ(form_parse(nested, strlen(nested), NULL, &g, &e), 0);
	if (g != NULL) {
		CHECK(form_has_local(g));
		split_is(g, "{\"a\":\"1\",\"secret_list\":[{\"x\":\"тайна\"}],"
		    "\"outer\":[{\"k\":1,\"inner\":[{\"nm\":\"Имя\",\"q\":2},{\"q\":3}],"
		    "\"plain\":[{\"z\":\"z\"}]},{\"k\":2}]}", 1,
		    "{\"a\":\"1\",\"outer\":[{\"k\":1,\"inner\":[{\"q\":2},{\"q\":3}],"
		    "\"plain\":[{\"z\":\"z\"}]},{\"k\":2}]}",
		    "{\"secret_list\":[{\"x\":\"тайна\"}],"
		    "\"outer\":[{\"inner\":[{\"nm\":\"Имя\"},{}]},{}]}", true);
		form_free(g);
	}
	CHECK_INT_EQ(form_parse(nolocal, strlen(nolocal), NULL, &plain, &e), 0);
	if (plain != NULL) {
		CHECK(!form_has_local(plain));
		split_is(plain, "{\"a\":\"1\",\"g\":[{\"z\":\"2\"}],\"other\":3}", 0,
		    "{\"a\":\"1\",\"g\":[{\"z\":\"2\"}],\"other\":3}", "{}", true);
		form_free(plain);
	}
	CHECK(!form_has_local(NULL));

	/* not an object: an empty split; the graft refuses */
	d = cJSON_CreateArray();
	CHECK_INT_EQ(form_split_local(f, d, &hub, &local), 0);
	CHECK(same(hub, "{}") && same_local(local, "{}"));
	CHECK_INT_EQ(form_graft_local(d, local, NULL), TERR_ARG);
	CHECK_INT_EQ(form_graft_local(hub, d, NULL), TERR_ARG);
	cJSON_Delete(hub);
	cJSON_Delete(local);
	CHECK_INT_EQ(form_split_local(NULL, d, &hub, &local), TERR_ARG);
	CHECK(hub == NULL && local == NULL);
	cJSON_Delete(d);
	/* local replaces a scalar data holds under its key; an empty object
	 * leaves data's item alone */
	d = cJSON_Parse("{\"summary\":\"старое\",\"parties\":[5,{\"a\":1}]}");
	local = cJSON_Parse("{\"summary\":\"новое\",\"parties\":[{},{\"b\":2}]}");
	CHECK_INT_EQ(form_graft_local(d, local, NULL), 0);
	CHECK(same(d, "{\"summary\":\"новое\",\"parties\":[5,{\"a\":1,\"b\":2}]}"));
	cJSON_Delete(d);
	cJSON_Delete(local);
	form_free(f);
}

/* data (a hub part after a pull) with people's local values grafted */
static void
graft_is(const cJSON *local, const char *data, const char *want, size_t want_left)
{
	cJSON *d = cJSON_Parse(data);
	size_t left = 99;

	CHECK(d != NULL);
	if (d == NULL)
		return;
	CHECK_INT_EQ(form_graft_local(d, local, &left), 0);
	CHECK(same(d, want));
	CHECK_INT_EQ(left, want_left);
	cJSON_Delete(d);
}

/* Each item gets its own hidden values back, whatever another device did
 * to the group: never another child's name. */
static void
test_pairing(void)
{
	static const char form[] = "{\"format\":1,\"id\":\"p\",\"version\":1,"
	    "\"title\":\"P\",\"fields\":[{\"id\":\"t\",\"label\":\"T\",\"type\":\"text\"},"
	    "{\"id\":\"people\",\"label\":\"P\",\"type\":\"group\",\"fields\":["
	    "  {\"id\":\"name\",\"label\":\"N\",\"type\":\"text\",\"sync\":\"local\"},"
	    "  {\"id\":\"age\",\"label\":\"A\",\"type\":\"integer\"},"
	    "  {\"id\":\"cls\",\"label\":\"C\",\"type\":\"text\"}]}]}";
	struct form *f = NULL;
	struct terr e = { 0 };
	cJSON *v = cJSON_Parse("{\"t\":\"x\",\"people\":["
	    "{\"name\":\"Аня\",\"age\":1,\"cls\":\"1А\"},"
	    "{\"name\":\"Боря\",\"age\":2,\"cls\":\"2Б\"},"
	    "{\"name\":\"Вера\",\"age\":3,\"cls\":\"3В\"}]}");
	cJSON *hub = NULL, *local = NULL;
	const char *na[3] = { "a", "b", NULL }, *nb[3] = { "b", "c", "a" };
	long pair[3];

	CHECK_INT_EQ(form_parse(form, strlen(form), NULL, &f, &e), 0);
	if (f == NULL || v == NULL)
		goto out;
	CHECK_INT_EQ(form_split_local(f, v, &hub, &local), 1);
	/* the first party removed */
	graft_is(local, "{\"t\":\"x\",\"people\":[{\"age\":2,\"cls\":\"2Б\"},"
	    "{\"age\":3,\"cls\":\"3В\"}]}",
	    "{\"t\":\"x\",\"people\":[{\"age\":2,\"cls\":\"2Б\",\"name\":\"Боря\"},"
	    "{\"age\":3,\"cls\":\"3В\",\"name\":\"Вера\"}]}", 1);
	/* the last removed, members in another order (a pull's print) */
	graft_is(local, "{\"people\":[{\"cls\":\"1А\",\"age\":1},{\"cls\":\"2Б\",\"age\":2}]}",
	    "{\"people\":[{\"cls\":\"1А\",\"age\":1,\"name\":\"Аня\"},"
	    "{\"cls\":\"2Б\",\"age\":2,\"name\":\"Боря\"}]}", 1);
	/* replaced: the first removed, a new party added at the end */
	graft_is(local, "{\"people\":[{\"age\":2,\"cls\":\"2Б\"},{\"age\":3,\"cls\":\"3В\"},"
	    "{\"age\":9,\"cls\":\"9Г\"}]}",
	    "{\"people\":[{\"age\":2,\"cls\":\"2Б\",\"name\":\"Боря\"},"
	    "{\"age\":3,\"cls\":\"3В\",\"name\":\"Вера\"},{\"age\":9,\"cls\":\"9Г\"}]}", 1);
	/* replaced: the middle one by another, the length changed */
	graft_is(local, "{\"people\":[{\"age\":1,\"cls\":\"1А\"},{\"age\":8,\"cls\":\"8Д\"}]}",
	    "{\"people\":[{\"age\":1,\"cls\":\"1А\",\"name\":\"Аня\"},"
	    "{\"age\":8,\"cls\":\"8Д\"}]}", 2);
	/* reordered */
	graft_is(local, "{\"people\":[{\"age\":3,\"cls\":\"3В\"},{\"age\":1,\"cls\":\"1А\"},"
	    "{\"age\":2,\"cls\":\"2Б\"}]}",
	    "{\"people\":[{\"age\":3,\"cls\":\"3В\",\"name\":\"Вера\"},"
	    "{\"age\":1,\"cls\":\"1А\",\"name\":\"Аня\"},"
	    "{\"age\":2,\"cls\":\"2Б\",\"name\":\"Боря\"}]}", 0);
	/* a hub field of one party edited on another device: same place */
	graft_is(local, "{\"people\":[{\"age\":1,\"cls\":\"1А\"},{\"age\":2,\"cls\":\"5Б\"},"
	    "{\"age\":3,\"cls\":\"3В\"}]}",
	    "{\"people\":[{\"age\":1,\"cls\":\"1А\",\"name\":\"Аня\"},"
	    "{\"age\":2,\"cls\":\"5Б\",\"name\":\"Боря\"},"
	    "{\"age\":3,\"cls\":\"3В\",\"name\":\"Вера\"}]}", 0);
	/* an edit that made the first party equal to the second: each keeps
	 * its own (unchanged in place wins over the first equal one) */
	graft_is(local, "{\"people\":[{\"age\":2,\"cls\":\"2Б\"},{\"age\":2,\"cls\":\"2Б\"},"
	    "{\"age\":3,\"cls\":\"3В\"}]}",
	    "{\"people\":[{\"age\":2,\"cls\":\"2Б\",\"name\":\"Аня\"},"
	    "{\"age\":2,\"cls\":\"2Б\",\"name\":\"Боря\"},"
	    "{\"age\":3,\"cls\":\"3В\",\"name\":\"Вера\"}]}", 0);
	/* the group removed, or null: the parties do not come back */
	graft_is(local, "{\"t\":\"y\"}", "{\"t\":\"y\"}", 3);
	graft_is(local, "{\"people\":null}", "{\"people\":null}", 3);
	graft_is(local, "{\"people\":\"x\"}", "{\"people\":\"x\"}", 3);
	/* the pairing itself: equal first, each once; the rest only in place
	 * and only when the length stayed */
	form_pair_items(na, 3, nb, 3, pair);
	CHECK(pair[0] == 2 && pair[1] == 0 && pair[2] == -1);
	form_pair_items(nb, 3, na, 2, pair);
	CHECK(pair[0] == 1 && pair[1] == -1 && pair[2] == 0);
 out:
	cJSON_Delete(hub);
	cJSON_Delete(local);
	cJSON_Delete(v);
	form_free(f);
}

int
main(void)
{
	test_mediation();
	test_shapes();
	test_pairing();
	return check_summary();
}
