/*
 * bench_form — CPU time of form_validate on 10,000 risk-profile visits
 * (forms/risk_visit.json: 11 fields and 11 factor items of 4–5 fields), as
 * the hub checks them (FORM_HUB, members in canonical order), and the same
 * in final and draft mode. Not a test: prints figures.
 *
 *   bench_form [RECORDS [ROUNDS]]   figures (default 10,000 records, 7 rounds)
 *   bench_form --dump [N]           every verdict, problem path and message
 *                                   of N (default 3,000) randomly broken
 *                                   records of every shipped form and the
 *                                   test fixture, in every mode: diff the
 *                                   output of two builds to show that a
 *                                   change of the validator kept them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tetrad/fileio.h"
#include "tetrad/form.h"
#include "tetrad/formfile.h"
#include "../unit/form_fixture.h"

#ifndef TETRAD_SOURCE_DIR
#error "TETRAD_SOURCE_DIR must be defined by the build"
#endif
#define FORMS_DIR TETRAD_SOURCE_DIR "/forms"
#define DATA_DIR TETRAD_SOURCE_DIR "/tests/data/forms"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return n ? (unsigned)(rng % n) : 0;
}

static double
cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static struct form *
load(const char *id)
{
	char path[1024];
	struct form *f = NULL;
	struct terr e;

	snprintf(path, sizeof(path), "%s/%s.json", FORMS_DIR, id);
	if (formfile_load(path, FORMS_DIR "/dict", &f, &e) != 0) {
		fprintf(stderr, "%s: %s\n", path, e.msg);
		exit(1);
	}
	return f;
}

/* One visit as vprof.sh makes them, members in canonical (sorted) order. */
static cJSON *
visit(void)
{
	static const char *curators[] = { "Петрова Мария Ивановна",
	    "Сидорова Анна Андреевна", "Кузнецов Олег Петрович" };
	static const char *comments[] = { "Не подтверждено документами школы",
	    "Требуется анализ результатов ВПР за два года",
	    "Данные администрации расходятся с данными педагогов" };
	static const char *evidence[] = { "talk_admin", "talk_teachers",
	    "talk_students", "talk_parents", "lesson_visit", "documents",
	    "results", "infrastructure" };
	static const char *decisions[] = { "confirmed", "confirmed",
	    "not_confirmed", "needs_clarification" };
	static const char *levels[] = { "high", "medium", "low" };
	static const char *parts[] = { "director", "deputy", "teachers" };
	cJSON *o = cJSON_CreateObject(), *fs = cJSON_CreateArray();
	char date[16];

	snprintf(date, sizeof(date), "2026-%02u-%02u", 1 + rnd(12), 1 + rnd(28));
	cJSON_AddStringToObject(o, "conclusions", "Итоги посещения обсуждены с директором.");
	cJSON_AddStringToObject(o, "curator", curators[rnd(3)]);
	for (int i = 1; i <= 11; i++) {
		cJSON *it = cJSON_CreateObject(), *ev = cJSON_CreateArray();
		const char *dec = decisions[rnd(4)];
		unsigned k = 1 + rnd(3), at = rnd(8 - k + 1);
		char code[8];

		snprintf(code, sizeof(code), "R%02d", i);
		if (strcmp(dec, "confirmed") != 0)
			cJSON_AddStringToObject(it, "comment", comments[rnd(3)]);
		cJSON_AddStringToObject(it, "decision", dec);
		for (unsigned j = 0; j < k; j++)
			cJSON_AddItemToArray(ev, cJSON_CreateString(evidence[at + j]));
		cJSON_AddItemToObject(it, "evidence", ev);
		cJSON_AddStringToObject(it, "factor", code);
		cJSON_AddStringToObject(it, "profile_level", levels[rnd(3)]);
		cJSON_AddItemToArray(fs, it);
	}
	cJSON_AddItemToObject(o, "factors", fs);
	cJSON_AddStringToObject(o, "medk_date", date);
	cJSON_AddTrueToObject(o, "medk_entered");
	cJSON_AddStringToObject(o, "next_steps", "Концепция развития до конца четверти.");
	{
		cJSON *p = cJSON_CreateArray();

		for (int j = 0; j < 3; j++)
			cJSON_AddItemToArray(p, cJSON_CreateString(parts[j]));
		cJSON_AddItemToObject(o, "participants", p);
	}
	cJSON_AddNumberToObject(o, "project_year", 2026);
	cJSON_AddStringToObject(o, "school_code", "170103");
	cJSON_AddStringToObject(o, "visit_date", date);
	cJSON_AddStringToObject(o, "visit_format", "onsite");
	cJSON_AddStringToObject(o, "visit_type", rnd(2) ? "verification" : "monitoring");
	return o;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int
bench(int n, int rounds)
{
	static const struct { enum form_mode mode; const char *name; } modes[] = {
		{ FORM_HUB, "hub" }, { FORM_FINAL, "final" }, { FORM_DRAFT, "draft" } };
	struct form *f = load("risk_visit");
	cJSON **recs = calloc((size_t)n, sizeof(*recs));
	double *t = calloc((size_t)rounds, sizeof(*t));

	if (recs == NULL || t == NULL)
		return 1;
	for (int i = 0; i < n; i++)
		recs[i] = visit();
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		for (int r = 0; r < rounds; r++) {
			double t0 = cpu_ms();

			for (int i = 0; i < n; i++) {
				struct form_problems *p = NULL;
				struct terr e;

				if (form_validate(f, recs[i], modes[m].mode, &p, &e) != 0) {
					fprintf(stderr, "record %d: %s\n", i, e.msg);
					return 1;
				}
			}
			t[r] = cpu_ms() - t0;
		}
		qsort(t, (size_t)rounds, sizeof(*t), cmp_double);
		printf("form_validate %-5s %d visits: CPU ms min %.1f median %.1f "
		    "max %.1f (%.2f us/record median)\n", modes[m].name, n, t[0],
		    t[rounds / 2], t[rounds - 1], t[rounds / 2] * 1e3 / n);
	}
	for (int i = 0; i < n; i++)
		cJSON_Delete(recs[i]);
	free(recs);
	free(t);
	form_free(f);
	return 0;
}

/* ---------- --dump: broken records, every problem printed ---------- */

static const char *const names[] = { "a", "zz", "factor", "factorx", "comment",
    "школа", "x\001y", "", "medk_date", "decision", "per", "name", "people",
    "code", "note", "kind", "age", "verdict" };

static cJSON *
junk(void)
{
	static const char *texts[] = { "", "R01", "R11", "R99", "x", "a", "b",
	    "other", "C1", "C2", "C9", "confirmed", "not_confirmed", "2021-03-04",
	    "2019-12-31", "2021-02-30", "170103", "12", "Петрова Мария Ивановна",
	    "\xd0", "abc\xff", "yes", "no", "s", "t", "onsite", "director",
	    "very long text very long text very long text very long text" };

	switch (rnd(9)) {
	case 0: return cJSON_CreateNull();
	case 1: return cJSON_CreateBool(rnd(2));
	case 2: return cJSON_CreateNumber((double)rnd(5000) - 100);
	case 3: return cJSON_CreateNumber(rnd(100) / 7.0);
	case 4: return cJSON_CreateArray();
	case 5: return cJSON_CreateObject();
	case 6: {
		cJSON *a = cJSON_CreateArray();

		for (unsigned i = rnd(4); i > 0; i--)
			cJSON_AddItemToArray(a, cJSON_CreateString(texts[rnd(
			    sizeof(texts) / sizeof(texts[0]))]));
		return a;
	}
	case 7: {
		/* a long text: over most max_length bounds, cut in a letter */
		size_t n = 1 + rnd(5000);
		char *s = malloc(2 * n + 1);
		cJSON *c;

		for (size_t i = 0; i < n; i++)
			memcpy(s + 2 * i, "ж", 2);
		s[2 * n] = '\0';
		c = cJSON_CreateString(s);
		free(s);
		return c;
	}
	default:
		return cJSON_CreateString(texts[rnd(sizeof(texts) / sizeof(texts[0]))]);
	}
}

static size_t
count(const cJSON *c)
{
	size_t n = 0;

	for (c = c->child; c != NULL; c = c->next)
		n++;
	return n;
}

/* The k-th node of the tree (preorder), or NULL; *k counts down. */
static cJSON *
pick(cJSON *c, unsigned *k)
{
	if ((*k)-- == 0)
		return c;
	for (cJSON *x = c->child; x != NULL; x = x->next) {
		cJSON *r = pick(x, k);

		if (r != NULL)
			return r;
	}
	return NULL;
}

static unsigned
nodes(const cJSON *c)
{
	unsigned n = 1;

	for (c = c->child; c != NULL; c = c->next)
		n += nodes(c);
	return n;
}

/* item into c under name (NULL: unnamed), or freed */
static void
add(cJSON *c, const char *name, cJSON *item)
{
	if (!(name == NULL ? cJSON_AddItemToArray(c, item) :
	    cJSON_AddItemToObject(c, name, item)))
		cJSON_Delete(item);
}

static void
shuffle(cJSON *c)
{
	size_t n = count(c), i = 0;
	cJSON **v;

	if (n < 2 || (v = calloc(n, sizeof(*v))) == NULL)
		return;
	while (c->child != NULL)
		v[i++] = cJSON_DetachItemViaPointer(c, c->child);
	for (i = n; i > 1; i--) {
		size_t j = rnd((unsigned)i);
		cJSON *t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
	for (i = 0; i < n; i++) {
		if (cJSON_IsArray(c))
			cJSON_AddItemToArray(c, v[i]);
		else    /* cJSON copies the name before freeing the old one */
			add(c, v[i]->string, v[i]);
	}
	free(v);
}

static void
mutate(cJSON *root)
{
	unsigned k = rnd(nodes(root));
	cJSON *c = pick(root, &k), *x;

	if (c == NULL)
		return;
	switch (rnd(9)) {
	case 0:         /* delete a member or an item */
		if (c != root && c->child == NULL && rnd(2))
			break;
		if (c->child != NULL) {
			unsigned at = rnd((unsigned)count(c));

			x = c->child;
			while (at-- > 0)
				x = x->next;
			cJSON_Delete(cJSON_DetachItemViaPointer(c, x));
		}
		break;
	case 1:         /* a duplicate: a member or an item twice */
		if (c->child != NULL) {
			x = cJSON_Duplicate(c->child, 1);
			add(c, cJSON_IsObject(c) ? c->child->string : NULL, x);
		}
		break;
	case 2:         /* an unknown member */
		if (cJSON_IsObject(c))
			add(c, names[rnd(sizeof(names) / sizeof(names[0]))], junk());
		break;
	case 3:
		shuffle(c);
		break;
	case 4:         /* another value in place of one */
	case 5:
		if (c->child != NULL) {
			unsigned at = rnd((unsigned)count(c));

			/* not cJSON_ReplaceItemViaPointer: 1.7.15 loses the
			 * list's tail when it replaces the last member */
			if (cJSON_IsArray(c)) {
				cJSON *j = junk();

				cJSON_DeleteItemFromArray(c, (int)at);
				if (!cJSON_InsertItemInArray(c, (int)at, j))
					cJSON_Delete(j);
				break;
			}
			x = c->child;
			while (at-- > 0)
				x = x->next;
			x = cJSON_DetachItemViaPointer(c, x);
			add(c, x->string, junk());
			cJSON_Delete(x);
		}
		break;
	case 8:         /* a member without a name: cJSON's lookups stop there */
		if (cJSON_IsObject(c))
			add(c, NULL, junk());
		break;
	case 6:         /* a known member renamed to another known one */
		if (cJSON_IsObject(c) && c->child != NULL) {
			x = cJSON_DetachItemViaPointer(c, c->child);
			add(c, names[rnd(sizeof(names) / sizeof(names[0]))], x);
		}
		break;
	case 7:         /* many items: over max_items */
		if (cJSON_IsArray(c) && c->child != NULL)
			for (unsigned i = rnd(30); i > 0; i--)
				cJSON_AddItemToArray(c, cJSON_Duplicate(c->child, 1));
		break;
	}
}

static void
dump_one(const struct form *f, const cJSON *v)
{
	static const char *modes[] = { "draft", "final", "hub" };

	for (int m = 0; m < 3; m++) {
		struct form_problems *p = NULL;
		struct terr e;
		int r = form_validate(f, v, (enum form_mode)m, &p, &e);

		printf(" %s r=%d %s\n", modes[m], r, r ? e.msg : "");
		for (size_t i = 0; p != NULL && i < p->n; i++)
			printf("  [%s] %s\n", p->items[i].path, p->items[i].message);
		form_problems_free(p);
	}
}

static int
dump(int n)
{
	static const char *ids[] = { "risk_visit", "mediation_case",
	    "social_passport", "survey_director", "survey_teacher",
	    "survey_student", "survey_parent", "t" };
	static const char fixture_good[] =
	    "{\"name\":\"Шкл\",\"total\":412,\"big\":40,\"rate\":1.5,"
	    "\"start\":\"2021-03-01\",\"end\":\"2021-03-02\",\"ok\":true,"
	    "\"kind\":\"a\",\"tags\":[\"x\",\"y\"],\"mark\":4,\"secret\":\"тайна\","
	    "\"color\":\"C2\",\"people\":[{\"role\":\"s\",\"cls\":\"5А\",\"age\":11,"
	    "\"fio\":\"Иванов\"},{\"role\":\"t\",\"age\":40}],\"per\":[{\"code\":"
	    "\"C1\",\"verdict\":\"yes\"},{\"code\":\"C2\",\"verdict\":\"no\","
	    "\"note\":\"нет\"}]}";

	for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		struct form *f = NULL;
		cJSON *good;
		struct terr e;

		if (strcmp(ids[k], "t") == 0) {
			if (form_parse(test_def, sizeof(test_def) - 1, NULL, &f, &e) != 0)
				return 1;
			good = cJSON_Parse(fixture_good);
		} else {
			char path[1024];
			uint8_t *buf = NULL;
			size_t len = 0;

			f = load(ids[k]);
			snprintf(path, sizeof(path), "%s/%s.good.json", DATA_DIR, ids[k]);
			if (fileio_read_all(path, FORM_MAX_BYTES, &buf, &len, &e) != 0)
				return 1;
			good = cJSON_ParseWithLength((const char *)buf, len);
			free(buf);
		}
		for (int i = 0; i < n; i++) {
			cJSON *v = cJSON_Duplicate(good, 1);

			for (unsigned j = 1 + rnd(6); j > 0; j--)
				mutate(v);
			printf("%s #%d\n", ids[k], i);
			dump_one(f, v);
			cJSON_Delete(v);
		}
		cJSON_Delete(good);
		form_free(f);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--dump") == 0)
		return dump(argc > 2 ? atoi(argv[2]) : 3000);
	return bench(argc > 1 ? atoi(argv[1]) : 10000,
	    argc > 2 ? atoi(argv[2]) : 7);
}
