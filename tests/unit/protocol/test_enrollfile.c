/*
 * test_enrollfile — the enrollment file: a hub's file read back whole, the
 * optional members, and each way a wrong file is refused with a Russian
 * message naming what is wrong (a person picked the wrong file).
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tetrad/enrollfile.h"

#define PIN "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static int
parse(const char *text, struct enrollfile *ef, struct terr *e)
{
	terr_clear(e);
	return enrollfile_parse(text, strlen(text), ef, e);
}

static void
test_school_file(void)
{
	struct enrollfile ef, back;
	struct terr e;
	char *text = NULL;

	CHECK_INT_EQ(parse("{\"format\": 1, \"hub\": \"https://hub.example:8443\", "
	    "\"token\": \"ABCD-EFGH-1234\", \"pin\": \"" PIN "\", \"school\": \"sch-12\", "
	    "\"expires\": \"2026-12-10T12:00:00Z\"}", &ef, &e), 0);
	CHECK_STR_EQ(ef.hub, "https://hub.example:8443");
	CHECK_STR_EQ(ef.token, "ABCD-EFGH-1234");
	CHECK_STR_EQ(ef.pin, PIN);
	CHECK_STR_EQ(ef.school, "sch-12");
	CHECK_STR_EQ(ef.curator, "");
	CHECK_INT_EQ(ef.n_schools, 0);
	CHECK_STR_EQ(ef.expires, "2026-12-10T12:00:00Z");
	/* written and read again: the same */
	CHECK_INT_EQ(enrollfile_format(&ef, &text, &e), 0);
	CHECK(text != NULL && text[strlen(text) - 1] == '\n');
	CHECK_INT_EQ(parse(text, &back, &e), 0);
	CHECK_MEM_EQ(&ef, &back, sizeof(ef));
	free(text);
}

static void
test_curator_file(void)
{
	struct enrollfile ef, back;
	struct terr e;
	char *text = NULL;

	/* the minimum: hub, token, pin; format may be left out */
	CHECK_INT_EQ(parse("{\"hub\":\"https://10.0.0.1:8443\",\"token\":\"T\",\"pin\":\""
	    PIN "\"}", &ef, &e), 0);
	CHECK_STR_EQ(ef.school, "");
	CHECK_INT_EQ(parse("{\"hub\":\"https://h\",\"token\":\"T\",\"pin\":\"" PIN "\","
	    "\"curator\":\"Иванова М. П.\",\"schools\":[\"A1\",\"B2\",\"C_3\"]}", &ef, &e), 0);
	CHECK_STR_EQ(ef.curator, "Иванова М. П.");
	CHECK_INT_EQ(ef.n_schools, 3);
	CHECK_STR_EQ(ef.schools[2], "C_3");
	CHECK_INT_EQ(enrollfile_format(&ef, &text, &e), 0);
	CHECK_INT_EQ(parse(text, &back, &e), 0);
	CHECK_MEM_EQ(&ef, &back, sizeof(ef));
	free(text);

	/* the most schools still fit the file when written */
	memset(&ef, 0, sizeof(ef));
	strcpy(ef.hub, "https://hub.example:8443");
	strcpy(ef.token, "TOKEN");
	strcpy(ef.pin, PIN);
	strcpy(ef.curator, "Куратор");
	for (size_t i = 0; i < ENROLLFILE_SCHOOLS_MAX; i++)
		snprintf(ef.schools[i], sizeof(ef.schools[i]), "school-%03zu-xxxxxxxxxxxxxxxx", i);
	ef.n_schools = ENROLLFILE_SCHOOLS_MAX;
	text = NULL;
	terr_clear(&e);
	if (enrollfile_format(&ef, &text, &e) == 0) {
		CHECK_INT_EQ(parse(text, &back, &e), 0);
		CHECK_MEM_EQ(&ef, &back, sizeof(ef));
	} else {
		/* too long for the file: refused when written, never a file it cannot read */
		CHECK_CONTAINS(e.msg, "файл подключения");
	}
	free(text);
}

struct bad {
	const char *text, *says;
	int code;
};

static void
test_refused(void)
{
	static const struct bad bad[] = {
		{ "", "объектом JSON", TERR_PARSE },
		{ "[1]", "объектом JSON", TERR_PARSE },
		{ "ФАЙЛ", "объектом JSON", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"token\":\"T\"}", "pin", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"pin\":\"" PIN "\"}", "token", TERR_PARSE },
		{ "{\"token\":\"T\",\"pin\":\"" PIN "\"}", "hub", TERR_PARSE },
		{ "{\"hub\":\"http://h\",\"token\":\"T\",\"pin\":\"" PIN "\"}", "https://", TERR_PARSE },
		{ "{\"hub\":\"https://h x\",\"token\":\"T\",\"pin\":\"" PIN "\"}", "https://", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"token\":\"T T\",\"pin\":\"" PIN "\"}", "код регистрации", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"token\":\"T\",\"pin\":\"sha256//abc\"}", "отпечаток", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"token\":\"T\",\"pin\":\"md5//" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}", "отпечаток", TERR_PARSE },
		{ "{\"format\":2,\"hub\":\"https://h\",\"token\":\"T\",\"pin\":\"" PIN "\"}", "формат", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"token\":\"T\",\"pin\":\"" PIN "\",\"extra\":1}", "extra", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"token\":\"T\",\"pin\":\"" PIN "\",\"school\":\"школа\"}", "school", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"token\":\"T\",\"pin\":\"" PIN "\",\"school\":\"A\",\"curator\":\"B\"}", "куратор", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"token\":\"T\",\"pin\":\"" PIN "\",\"schools\":[\"A\",\"A\"]}", "дважды", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"token\":\"T\",\"pin\":\"" PIN "\",\"schools\":\"A\"}", "schools", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"token\":\"T\",\"pin\":\"" PIN "\",\"schools\":[1]}", "schools", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"token\":\"T\",\"pin\":\"" PIN "\",\"expires\":\"завтра\"}", "expires", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"hub\":\"https://g\",\"token\":\"T\",\"pin\":\"" PIN "\"}", "повторяется", TERR_PARSE },
		{ "{\"hub\":\"https://h\",\"token\":\"T\",\"pin\":\"" PIN "\"} x", "лишний", TERR_PARSE },
	};
	struct enrollfile ef, zero;
	struct terr e;

	memset(&zero, 0, sizeof(zero));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(bad[i].text, &ef, &e);

		if (r != bad[i].code)
			fprintf(stderr, "case %zu: %s\n", i, e.msg);
		CHECK_INT_EQ(r, bad[i].code);
		CHECK_INT_EQ(e.code, r);
		CHECK_CONTAINS(e.msg, "файл подключения");
		CHECK_CONTAINS(e.msg, bad[i].says);
		CHECK_MEM_EQ(&ef, &zero, sizeof(ef));
	}
	/* over the cap: too large, whatever it holds */
	{
		size_t n = ENROLLFILE_MAX + 1;
		char *big = malloc(n);

		memset(big, ' ', n);
		big[0] = '{';
		big[n - 1] = '}';
		terr_clear(&e);
		CHECK_INT_EQ(enrollfile_parse(big, n, &ef, &e), TERR_TOO_LARGE);
		free(big);
	}
	/* a NUL inside */
	terr_clear(&e);
	CHECK(enrollfile_parse("{\"hub\":\"https://h\0\"}", 18, &ef, &e) != 0);
	CHECK(e.msg[0] != '\0');
}

int
main(void)
{
	test_school_file();
	test_curator_file();
	test_refused();
	return check_summary();
}
