/*
 * test_formsdir — where the programs find the built-in forms: the
 * environment wins; else the install dir if it exists; else the source
 * tree's forms/ (a program run from a build tree); else a Russian error that
 * names TETRAD_FORMS_DIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "tetrad/formsdir.h"

#define MISSING "/nonexistent/tetrad-test/forms"

static void
test_pick(void)
{
	struct terr e;
	const char *d = NULL;

	terr_clear(&e);
	/* set: used as given, even if it does not exist (it fails where read) */
	CHECK_INT_EQ(formsdir_pick("/somewhere/forms", TETRAD_FORMS_DIR, TETRAD_FORMS_DIR,
	    &d, &e), 0);
	CHECK_STR_EQ(d, "/somewhere/forms");
	CHECK_INT_EQ(formsdir_pick(MISSING, NULL, NULL, &d, &e), 0);
	CHECK_STR_EQ(d, MISSING);
	/* empty counts as unset */
	CHECK_INT_EQ(formsdir_pick("", TETRAD_FORMS_DIR, NULL, &d, &e), 0);
	CHECK_STR_EQ(d, TETRAD_FORMS_DIR);
	/* the install dir before the source tree */
	CHECK_INT_EQ(formsdir_pick(NULL, TETRAD_FORMS_DIR, "/tmp", &d, &e), 0);
	CHECK_STR_EQ(d, TETRAD_FORMS_DIR);
	/* not installed: the source tree */
	CHECK_INT_EQ(formsdir_pick(NULL, MISSING, TETRAD_FORMS_DIR, &d, &e), 0);
	CHECK_STR_EQ(d, TETRAD_FORMS_DIR);
	/* a file is not a forms directory */
	CHECK_INT_EQ(formsdir_pick(NULL, MISSING, TETRAD_FORMS_DIR "/risk_visit.json",
	    &d, &e), TERR_IO);
	/* nothing: a clear error, and the install dir for callers that go on */
	terr_clear(&e);
	CHECK_INT_EQ(formsdir_pick(NULL, MISSING, MISSING "-src", &d, &e), TERR_IO);
	CHECK_STR_EQ(d, MISSING);
	CHECK_INT_EQ(e.code, TERR_IO);
	CHECK_CONTAINS(e.msg, "Встроенные формы не найдены");
	CHECK_CONTAINS(e.msg, MISSING);
	CHECK_CONTAINS(e.msg, MISSING "-src");
	CHECK_CONTAINS(e.msg, "TETRAD_FORMS_DIR");
	terr_clear(&e);
	CHECK_INT_EQ(formsdir_pick(NULL, MISSING, NULL, &d, &e), TERR_IO);
	CHECK_CONTAINS(e.msg, "TETRAD_FORMS_DIR");
	CHECK_INT_EQ(formsdir_pick(NULL, MISSING, NULL, &d, NULL), TERR_IO);
}

static void
test_builtin(void)
{
	struct terr e;
	const char *d = NULL;
	char path[4096];

	terr_clear(&e);
	CHECK_INT_EQ(setenv(FORMSDIR_ENV, MISSING, 1), 0);
	CHECK_INT_EQ(formsdir_builtin(&d, &e), 0);
	CHECK_STR_EQ(d, MISSING);
	/* unset: the forms this test was built beside, unless an installed
	 * copy exists on this machine (then that one, which has them too) */
	CHECK_INT_EQ(unsetenv(FORMSDIR_ENV), 0);
	CHECK_INT_EQ(formsdir_builtin(&d, &e), 0);
	CHECK(d != NULL);
	if (d != NULL && strcmp(d, TETRAD_FORMS_DIR) != 0) {
		fprintf(stderr, "note: built-in forms found installed at %s\n", d);
		CHECK(strstr(d, "tetrad/forms") != NULL);
	}
	snprintf(path, sizeof(path), "%s/social_passport.json", d ? d : "");
	CHECK_INT_EQ(access(path, R_OK), 0);
}

int
main(void)
{
	test_pick();
	test_builtin();
	return check_summary();
}
