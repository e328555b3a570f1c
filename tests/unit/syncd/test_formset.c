/*
 * test_formset — the local fields of the built-in forms (mediation_case:
 * summary at the top, names and phones inside parties), nothing local in
 * the passport, and the graft that puts a device's local values back after
 * a merge: top level and inside group items by position, extra items left
 * as they came, a form it does not know left alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "syncd/formset.h"

int
main(void)
{
	struct formset *fs = NULL;
	struct terr e;
	cJSON *data, *old;
	char *txt;

	CHECK_INT_EQ(formset_new(TETRAD_FORMS_DIR, "/nonexistent", &fs, &e), 0);
	CHECK(formset_count(fs) > 5);
	CHECK(formset_is_local(fs, "mediation_case", "summary"));
	CHECK(!formset_is_local(fs, "mediation_case", "status"));
	CHECK(!formset_is_local(fs, "mediation_case", "parties"));
	CHECK(!formset_is_local(fs, "social_passport", "large_families"));
	CHECK(!formset_is_local(fs, "no_such_form", "summary"));

	data = cJSON_Parse("{\"status\":\"held\",\"parties\":[{\"role\":\"student\",\"age\":11},"
	    "{\"role\":\"adult\"},{\"role\":\"adult\",\"age\":40}]}");
	old = cJSON_Parse("{\"status\":\"received\",\"summary\":\"тайна\",\"parties\":["
	    "{\"role\":\"student\",\"age\":10,\"full_name\":\"Иванов\",\"phone\":\"1\"},"
	    "{\"role\":\"adult\",\"full_name\":\"Петрова\"}]}");
	CHECK_INT_EQ(formset_graft_local(fs, "mediation_case", data, old, &e), 0);
	txt = cJSON_PrintUnformatted(data);
	/* each party its own values (found by its hub fields); the first,
	 * edited while the group grew, cannot be told from a new one: no name
	 * rather than a guess */
	CHECK_STR_EQ(txt, "{\"status\":\"held\",\"parties\":[{\"role\":\"student\",\"age\":11},"
	    "{\"role\":\"adult\",\"full_name\":\"Петрова\"},"
	    "{\"role\":\"adult\",\"age\":40}],\"summary\":\"тайна\"}");
	cJSON_free(txt);
	cJSON_Delete(data);
	/* the first party removed on another device: the second keeps hers */
	data = cJSON_Parse("{\"parties\":[{\"role\":\"adult\"}]}");
	CHECK_INT_EQ(formset_graft_local(fs, "mediation_case", data, old, &e), 0);
	txt = cJSON_PrintUnformatted(data);
	CHECK_STR_EQ(txt, "{\"parties\":[{\"role\":\"adult\",\"full_name\":\"Петрова\"}],"
	    "\"summary\":\"тайна\"}");
	cJSON_free(txt);
	cJSON_Delete(data);
	/* a hub field edited in place (the length kept): still its own */
	data = cJSON_Parse("{\"parties\":[{\"role\":\"student\",\"age\":11},{\"role\":\"adult\"}]}");
	CHECK_INT_EQ(formset_graft_local(fs, "mediation_case", data, old, &e), 0);
	txt = cJSON_PrintUnformatted(data);
	CHECK_STR_EQ(txt, "{\"parties\":[{\"role\":\"student\",\"age\":11,\"full_name\":\"Иванов\","
	    "\"phone\":\"1\"},{\"role\":\"adult\",\"full_name\":\"Петрова\"}],\"summary\":\"тайна\"}");
	cJSON_free(txt);
	cJSON_Delete(data);
	/* a form it does not know: nothing moves */
	data = cJSON_Parse("{\"a\":1}");
	CHECK_INT_EQ(formset_graft_local(fs, "no_such_form", data, old, &e), 0);
	txt = cJSON_PrintUnformatted(data);
	CHECK_STR_EQ(txt, "{\"a\":1}");
	cJSON_free(txt);
	cJSON_Delete(data);
	cJSON_Delete(old);
	formset_free(fs);
	return check_summary();
}
