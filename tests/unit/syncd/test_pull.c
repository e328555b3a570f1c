/*
 * test_pull — what syncd does with what it pulls: names of forms and
 * dictionaries checked before they become file names, a form bundle
 * installed atomically (form and dictionaries), and refused before anything
 * is written when its names are hostile, its id or version not the ones
 * asked for, or its form not one the device can read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "syncd/pull.h"

static void
test_names(void)
{
	struct terr e;

	CHECK_INT_EQ(pull_check_name("social_passport", &e), 0);
	CHECK_INT_EQ(pull_check_name("../etc", &e), TERR_ARG);
	CHECK_INT_EQ(pull_check_name("a/b", &e), TERR_ARG);
	CHECK_INT_EQ(pull_check_name("-x", &e), TERR_ARG);
	CHECK_INT_EQ(pull_check_name("", &e), TERR_ARG);
	CHECK_INT_EQ(pull_check_name("форма", &e), TERR_ARG);
}

static void
test_install(void)
{
	char dir[64] = "/tmp/test_pull.XXXXXX", forms[128], path[256], cmd[128];
	const char *good = "{\"form\":{\"id\":\"visits\",\"version\":3,\"title\":\"Визит\","
	    "\"fields\":[{\"id\":\"factor\",\"label\":\"Фактор\",\"type\":\"choice\","
	    "\"dictionary\":\"risk_factors\"}]},"
	    "\"dictionaries\":{\"risk_factors\":{\"name\":\"risk_factors\",\"version\":1,"
	    "\"title\":\"Факторы\",\"entries\":[{\"code\":\"R01\",\"label\":\"Первый\"}]}}}";
	/* Right id and version, valid JSON, but a field of unknown type: the
	 * device must refuse it before writing anything. */
	const char *broken = "{\"form\":{\"id\":\"visits\",\"version\":6,\"title\":\"В\","
	    "\"fields\":[{\"id\":\"a\",\"label\":\"А\",\"type\":\"colour\"}]}}";
	const char *evil = "{\"form\":{\"id\":\"visits\",\"version\":4},"
	    "\"dictionaries\":{\"../../evil\":{\"name\":\"x\"}}}";
	const char *other = "{\"form\":{\"id\":\"other\",\"version\":3}}";
	struct stat sb;
	struct terr e;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(forms, sizeof(forms), "%s/db.forms", dir);
	CHECK_INT_EQ(pull_install(forms, "visits", 3, (const uint8_t *)good, strlen(good), &e), 0);
	snprintf(path, sizeof(path), "%s/visits-v3.json", forms);
	CHECK_INT_EQ(stat(path, &sb), 0);
	snprintf(path, sizeof(path), "%s/dict/risk_factors.json", forms);
	CHECK_INT_EQ(stat(path, &sb), 0);
	CHECK_INT_EQ(pull_install(forms, "visits", 4, (const uint8_t *)evil, strlen(evil), &e), TERR_ARG);
	snprintf(path, sizeof(path), "%s/visits-v4.json", forms);
	CHECK(stat(path, &sb) != 0);
	CHECK_INT_EQ(pull_install(forms, "visits", 3, (const uint8_t *)other, strlen(other), &e), TERR_SCHEMA);
	CHECK_INT_EQ(pull_install(forms, "visits", 5, (const uint8_t *)good, strlen(good), &e), TERR_SCHEMA);
	CHECK_INT_EQ(pull_install(forms, "../x", 3, (const uint8_t *)good, strlen(good), &e), TERR_ARG);
	CHECK_INT_EQ(pull_install(forms, "visits", 3, (const uint8_t *)"{", 1, &e), TERR_PARSE);
	CHECK(pull_install(forms, "visits", 6, (const uint8_t *)broken, strlen(broken), &e) != 0);
	snprintf(path, sizeof(path), "%s/visits-v6.json", forms);
	CHECK(stat(path, &sb) != 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT_EQ(system(cmd), 0);
}

int
main(void)
{
	test_names();
	test_install();
	return check_summary();
}
