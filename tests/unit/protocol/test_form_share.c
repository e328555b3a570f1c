/*
 * test_form_share — a form's "share" rule (docs/forms.md): who gets its
 * records back from the hub. Each accepted spelling, each refusal with its
 * Russian reason, and the rule of every built-in form, which is what keeps
 * a mediation case away from curators and questionnaires on the hub alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tetrad/form.h"
#include "tetrad/formfile.h"

#define HEAD "{\"id\":\"t\",\"version\":1,\"title\":\"Тест\","
#define FIELDS "\"fields\":[{\"id\":\"a\",\"label\":\"А\",\"type\":\"text\"}]}"

/* The share bits of a definition with share (NULL: no member), or -1. */
static int
share_of(const char *share)
{
	char def[512];
	struct form *f = NULL;
	struct terr e;
	int r;

	if (share != NULL)
		snprintf(def, sizeof(def), HEAD "\"share\":%s," FIELDS, share);
	else
		snprintf(def, sizeof(def), HEAD FIELDS);
	if (form_parse(def, strlen(def), NULL, &f, &e) != 0)
		return -1;
	r = (int)form_share(f);
	form_free(f);
	return r;
}

static void
refused(const char *share, const char *msg)
{
	char def[512];
	struct form *f = (struct form *)1;
	struct terr e;

	snprintf(def, sizeof(def), HEAD "\"share\":%s," FIELDS, share);
	terr_clear(&e);
	CHECK_INT_EQ(form_parse(def, strlen(def), NULL, &f, &e), TERR_FORM);
	CHECK(f == NULL);
	CHECK_CONTAINS(e.msg, msg);
}

static void
test_parse(void)
{
	CHECK_INT_EQ(share_of(NULL), 0);
	CHECK_INT_EQ(share_of("[]"), 0);
	CHECK_INT_EQ(share_of("[\"school\"]"), FORM_SHARE_SCHOOL);
	CHECK_INT_EQ(share_of("[\"curators\"]"), FORM_SHARE_CURATORS);
	CHECK_INT_EQ(share_of("[\"school\",\"curators\"]"), FORM_SHARE_SCHOOL | FORM_SHARE_CURATORS);
	CHECK_INT_EQ(share_of("[\"curators\",\"school\"]"), FORM_SHARE_SCHOOL | FORM_SHARE_CURATORS);
	refused("\"school\"", "«share» должен быть списком");
	refused("{\"school\":true}", "«share» должен быть списком");
	refused("[\"school\",\"curators\",\"school\"]", "«share» должен быть списком");
	refused("[\"school\",\"school\"]", "значение повторяется");
	refused("[\"all\"]", "допустимы только");
	refused("[\"School\"]", "допустимы только");
	refused("[1]", "допустимы только");
	refused("[null]", "допустимы только");
	refused("null", "«share» должен быть списком");
}

static unsigned
builtin_share(const char *id)
{
	char path[1024], dicts[1024];
	struct form *f = NULL;
	struct terr e;
	unsigned s = 0xffu;

	snprintf(path, sizeof(path), "%s/%s.json", TETRAD_FORMS_DIR, id);
	snprintf(dicts, sizeof(dicts), "%s/dict", TETRAD_FORMS_DIR);
	CHECK_INT_EQ(formfile_load(path, dicts, &f, &e), 0);
	if (f != NULL)
		s = form_share(f);
	form_free(f);
	return s;
}

static void
test_builtin(void)
{
	CHECK_INT_EQ(builtin_share("social_passport"), FORM_SHARE_SCHOOL | FORM_SHARE_CURATORS);
	CHECK_INT_EQ(builtin_share("risk_visit"), FORM_SHARE_SCHOOL | FORM_SHARE_CURATORS);
	/* mediation is confidential: the school's own devices, never a curator */
	CHECK_INT_EQ(builtin_share("mediation_case"), FORM_SHARE_SCHOOL);
	CHECK_INT_EQ(builtin_share("survey_student"), 0);
	CHECK_INT_EQ(builtin_share("survey_parent"), 0);
	CHECK_INT_EQ(builtin_share("survey_teacher"), 0);
	CHECK_INT_EQ(builtin_share("survey_director"), 0);
}

int
main(void)
{
	test_parse();
	test_builtin();
	return check_summary();
}
