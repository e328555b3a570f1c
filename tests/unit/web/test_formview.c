/*
 * test_formview — a form as an HTML form and back. Every built-in form is
 * rendered with a realistic record (tests/data/forms/<id>.good.json), the
 * page is "submitted" the way a browser does it (the controls outside
 * <template>s: text as typed, the checked radios and boxes, the selected
 * options), the body parsed by webreq and read back: the values must be
 * the record's, exactly. Then: typed text that does not convert is kept
 * and shown back with its message; answers to questions that do not apply
 * are dropped; repeat items added and removed (with their typed text);
 * read-only values come from the stored record, never from the post;
 * «затрудняюсь ответить»; the school field; escaping; the record for
 * reading.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tetrad/fileio.h"
#include "tetrad/form.h"
#include "tetrad/formfile.h"
#include "web/formview.h"
#include "web/html.h"
#include "web/page.h"
#include "web/webreq.h"

#ifndef TETRAD_FORMS_DIR
#error "TETRAD_FORMS_DIR must be defined by the build"
#endif
#define DATA_DIR TETRAD_SOURCE_DIR "/tests/data/forms"

static const char *const builtin_ids[] = { "risk_visit", "mediation_case",
    "social_passport", "survey_director", "survey_teacher", "survey_student",
    "survey_parent", NULL };

static struct form *
load_form(const char *id)
{
	char path[1024];
	struct form *f = NULL;
	struct terr e;

	snprintf(path, sizeof(path), "%s/%s.json", TETRAD_FORMS_DIR, id);
	if (formfile_load(path, TETRAD_FORMS_DIR "/dict", &f, &e) != 0)
		fprintf(stderr, "  %s: %s\n", path, e.msg);
	CHECK(f != NULL);
	return f;
}

static cJSON *
load_good(const char *id)
{
	char path[1024];
	uint8_t *buf = NULL;
	size_t n = 0;
	cJSON *v = NULL;

	snprintf(path, sizeof(path), "%s/%s.good.json", DATA_DIR, id);
	CHECK_INT_EQ(fileio_read_all(path, FORM_MAX_BYTES, &buf, &n, NULL), 0);
	if (buf != NULL)
		v = cJSON_ParseWithLength((const char *)buf, n);
	free(buf);
	CHECK(v != NULL);
	return v;
}

static char *
render(const struct form *f, const cJSON *values, const cJSON *typed,
    const struct form_problems *pr, const struct formview_opts *o)
{
	struct html *h = html_new(0);
	struct terr e;
	char *s = NULL;

	if (formview_render(h, f, values, typed, pr, o, &e) != 0)
		fprintf(stderr, "  render %s: %s\n", form_id(f), e.msg);
	else
		s = html_take(h, NULL, &e);
	html_free(h);
	CHECK(s != NULL);
	return s;
}

/* ---------- a browser's submission of the rendered page ---------- */

struct body {
	char *s;
	size_t len, cap;
};

static void
body_add(struct body *b, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *parts[2] = { name, value };

	for (int p = 0; p < 2; p++) {
		for (const unsigned char *c = (const unsigned char *)parts[p]; ; c++) {
			if (b->len + 8 > b->cap) {
				b->cap = b->cap ? 2 * b->cap : 4096;
				b->s = realloc(b->s, b->cap);
			}
			if (*c == '\0')
				break;
			if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			    (*c >= '0' && *c <= '9') || strchr("-._~", *c))
				b->s[b->len++] = (char)*c;
			else {
				b->s[b->len++] = '%';
				b->s[b->len++] = hex[*c >> 4];
				b->s[b->len++] = hex[*c & 15];
			}
		}
		b->s[b->len++] = p == 0 ? '=' : '&';
	}
	b->s[b->len] = '\0';
}

/* &amp; &lt; &gt; &quot; &#39; back to characters, in place. */
static void
unescape(char *s)
{
	static const char *const ent[][2] = { { "&amp;", "&" }, { "&lt;", "<" },
	    { "&gt;", ">" }, { "&quot;", "\"" }, { "&#39;", "'" } };
	char *w = s;

	while (*s) {
		size_t k;

		for (k = 0; k < 5; k++)
			if (strncmp(s, ent[k][0], strlen(ent[k][0])) == 0)
				break;
		if (k < 5) {
			*w++ = ent[k][1][0];
			s += strlen(ent[k][0]);
		} else
			*w++ = *s++;
	}
	*w = '\0';
}

/* The value of attribute name in the tag starting at p (malloc'd), or NULL. */
static char *
attr(const char *p, const char *name)
{
	const char *end = strchr(p, '>');
	size_t nl = strlen(name);

	for (const char *q = p; q && q < end; q++) {
		if (q[-1] != ' ' || strncmp(q, name, nl) != 0)
			continue;
		if (q[nl] == '=' && q[nl + 1] == '"') {
			const char *v = q + nl + 2, *ve = strchr(v, '"');
			char *out = strndup(v, (size_t)(ve - v));

			unescape(out);
			return out;
		}
		if (q[nl] == ' ' || q[nl] == '>' || q[nl] == '/')
			return strdup("");
	}
	return NULL;
}

/* The text between the tag at p and its end tag (malloc'd, unescaped). */
static char *
content(const char *p, const char *endtag)
{
	const char *s = strchr(p, '>') + 1, *e = strstr(s, endtag);
	char *out = strndup(s, (size_t)(e - s));

	unescape(out);
	return out;
}

static char *
submit(const char *page)
{
	struct body b = { 0 };
	int tpl = 0;

	body_add(&b, "_csrf", "x");
	for (const char *p = strchr(page, '<'); p; p = strchr(p + 1, '<')) {
		char *name, *type, *val;

		if (strncmp(p, "<template", 9) == 0)
			tpl++;
		else if (strncmp(p, "</template>", 11) == 0)
			tpl--;
		if (tpl > 0)
			continue;
		if (strncmp(p, "<input ", 7) == 0 && (name = attr(p, "name"))) {
			type = attr(p, "type");
			val = attr(p, "value");
			char *chk = attr(p, "checked");

			if ((strcmp(type, "radio") != 0 && strcmp(type, "checkbox") != 0) ||
			    chk != NULL)
				body_add(&b, name, val ? val : "");
			free(chk);
			free(name);
			free(type);
			free(val);
		} else if (strncmp(p, "<textarea ", 10) == 0 && (name = attr(p, "name"))) {
			val = content(p, "</textarea>");
			body_add(&b, name, val);
			free(name);
			free(val);
		} else if (strncmp(p, "<select ", 8) == 0 && (name = attr(p, "name"))) {
			const char *end = strstr(p, "</select>");
			char *first = NULL, *sel = NULL;

			for (const char *o = strstr(p, "<option "); o && o < end;
			    o = strstr(o + 1, "<option ")) {
				char *v = attr(o, "value"), *s = attr(o, "selected");

				if (first == NULL)
					first = strdup(v);
				if (s && sel == NULL)
					sel = strdup(v);
				free(v);
				free(s);
			}
			body_add(&b, name, sel ? sel : first ? first : "");
			free(first);
			free(sel);
			free(name);
		}
	}
	return b.s;
}

static struct webform *
post_of(const char *body)
{
	struct webform *w = NULL;
	struct terr e;

	if (webreq_urlencoded(body, strlen(body), &w, &e) != 0)
		fprintf(stderr, "  urlencoded: %s\n", e.msg);
	CHECK(w != NULL);
	return w;
}

/* Renders values, submits the page and reads it back. */
static int
round_trip(const struct form *f, const cJSON *values, const cJSON *stored,
    cJSON **out, cJSON **typed, struct form_problems **pr)
{
	char *page = render(f, values, NULL, NULL, NULL);
	char *body = page ? submit(page) : NULL;
	struct webform *w = body ? post_of(body) : NULL;
	struct terr e;
	int r = -1;

	if (w)
		r = formview_read(f, w, stored, out, typed, pr, &e);
	if (r != 0)
		fprintf(stderr, "  read %s: %s\n", form_id(f), e.msg);
	webform_free(w);
	free(body);
	free(page);
	return r;
}

static void
print_diff(const cJSON *a, const cJSON *b)
{
	char *x = cJSON_Print(a), *y = cJSON_Print(b);

	fprintf(stderr, "  wanted:\n%s\n  got:\n%s\n", x, y);
	free(x);
	free(y);
}

/* With TEST_FORMVIEW_DUMP=DIR, each page is written there to be looked at
 * in a browser (served with the assets under /static/). */
static void
dump(const char *name, const struct form *f, const cJSON *values,
    const cJSON *typed, const struct form_problems *pr, bool show)
{
	const char *dir = getenv("TEST_FORMVIEW_DUMP");
	struct html *h;
	struct terr e;
	char path[1024], *s;
	FILE *fp;

	if (dir == NULL || (h = html_new(0)) == NULL)
		return;
	web_page_begin(h, form_title(f));
	html_open(h, "main", NULL);
	html_elem(h, "h1", form_title(f), NULL);
	html_open(h, "form", "method", "post", "action", "/echo", "novalidate", "", NULL);
	if (show)
		formview_show(h, f, values, NULL, &e);
	else
		formview_render(h, f, values, typed, pr, NULL, &e);
	html_elem(h, "button", "Сохранить черновик", "type", "submit", "name", "_save",
	    "value", "1", NULL);
	html_close(h, "form");
	html_close(h, "main");
	web_page_end(h);
	snprintf(path, sizeof(path), "%s/%s.html", dir, name);
	if ((s = html_take(h, NULL, &e)) != NULL && (fp = fopen(path, "w")) != NULL) {
		fputs(s, fp);
		fclose(fp);
	}
	free(s);
	html_free(h);
}

static void
test_round_trip_builtin(void)
{
	for (size_t i = 0; builtin_ids[i]; i++) {
		struct form *f = load_form(builtin_ids[i]);
		cJSON *good = load_good(builtin_ids[i]), *got = NULL, *typed = NULL;
		struct form_problems *pr = NULL;

		if (f == NULL || good == NULL)
			goto next;
		char nm[64];

		snprintf(nm, sizeof(nm), "show-%s", builtin_ids[i]);
		dump(builtin_ids[i], f, good, NULL, NULL, false);
		if (strcmp(builtin_ids[i], "social_passport") == 0 ||
		    strcmp(builtin_ids[i], "risk_visit") == 0) {
			char *page = render(f, good, NULL, NULL, NULL);

			/* the bounds in words: the range, the fields compared with */
			CHECK_CONTAINS(page, i == 0 ? "<p class=\"hint tf-range\">Не раньше "
			    "01.01.2020</p>" : "<p class=\"hint tf-range\">Не меньше 0; "
			    "не больше, чем «Всего семей»</p>");
			if (i == 0)
				CHECK_CONTAINS(page, "Не раньше, чем «Дата посещения»");
			free(page);
		}
		dump(nm, f, good, NULL, NULL, true);
		CHECK_INT_EQ(round_trip(f, good, good, &got, &typed, &pr), 0);
		CHECK(got != NULL && cJSON_Compare(good, got, true));
		if (got && !cJSON_Compare(good, got, true)) {
			fprintf(stderr, "  form %s:\n", builtin_ids[i]);
			print_diff(good, got);
		}
		CHECK(typed == NULL);
		CHECK(pr == NULL);
		for (size_t k = 0; pr && k < pr->n; k++)
			fprintf(stderr, "  [%s] %s\n", pr->items[k].path, pr->items[k].message);
 next:
		cJSON_Delete(got);
		cJSON_Delete(typed);
		form_problems_free(pr);
		cJSON_Delete(good);
		form_free(f);
	}
}

/* ---------- the pieces ---------- */

/* A post of name, value pairs (NULL-terminated), as a browser encodes it. */
static struct webform *
post_pairs(const char *const *kv)
{
	struct body b = { 0 };
	struct webform *w;

	body_add(&b, "_csrf", "x");
	for (size_t i = 0; kv[i]; i += 2)
		body_add(&b, kv[i], kv[i + 1]);
	w = post_of(b.s);
	free(b.s);
	return w;
}

static const char *
str_at(const cJSON *obj, const char *path)
{
	const cJSON *v = obj;
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *t = strtok_r(buf, ".", &save); t && v; t = strtok_r(NULL, ".", &save)) {
		char *br = strchr(t, '[');

		if (br) {
			*br = '\0';
			v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(v, t), atoi(br + 1));
		} else
			v = cJSON_GetObjectItemCaseSensitive(v, t);
	}
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool
has_problem(const struct form_problems *p, const char *path, const char *msg)
{
	for (size_t i = 0; p && i < p->n; i++)
		if (strcmp(p->items[i].path, path) == 0 && strstr(p->items[i].message, msg))
			return true;
	fprintf(stderr, "  wanted [%s] %s; got:\n", path, msg);
	for (size_t i = 0; p && i < p->n; i++)
		fprintf(stderr, "    [%s] %s\n", p->items[i].path, p->items[i].message);
	return false;
}

/* A new record sent untouched reads back empty: nothing to save. */
static void
test_empty_new(void)
{
	for (size_t i = 0; builtin_ids[i]; i++) {
		struct form *f = load_form(builtin_ids[i]);
		cJSON *v = NULL, *t = NULL;
		struct form_problems *pr = NULL;

		CHECK_INT_EQ(round_trip(f, NULL, NULL, &v, &t, &pr), 0);
		/* a visit's rows are there, each with its factor only */
		if (v && strcmp(builtin_ids[i], "risk_visit") == 0) {
			const cJSON *fa = cJSON_GetObjectItem(v, "factors");

			CHECK_INT_EQ(cJSON_GetArraySize(fa), 11);
			CHECK_INT_EQ(cJSON_GetArraySize(cJSON_GetArrayItem(fa, 10)), 1);
			CHECK_STR_EQ(str_at(v, "factors[10].factor"), "R11");
			cJSON_DeleteItemFromObject(v, "factors");
		}
		CHECK(v != NULL && v->child == NULL);
		if (v && v->child) {
			char *x = cJSON_PrintUnformatted(v);

			fprintf(stderr, "  %s: %s\n", builtin_ids[i], x);
			free(x);
		}
		CHECK(t == NULL && pr == NULL);
		cJSON_Delete(v);
		form_free(f);
	}
}

/* A new case shows min_items parties, empty; their buttons say the list. */
static void
test_min_items_drawn(void)
{
	struct form *f = load_form("mediation_case");
	cJSON *v = cJSON_CreateObject();
	char *page = render(f, NULL, NULL, NULL, NULL), *page2;

	CHECK_CONTAINS(page, "name=\"_n.parties\" value=\"1\"");
	CHECK_CONTAINS(page, "id=\"w-parties[0]\"");
	CHECK(page == NULL || strstr(page, "id=\"w-parties[1]\"") == NULL);
	CHECK_CONTAINS(page, "formnovalidate disabled>Убрать: Стороны конфликта, "
	    "запись <span class=\"tf-num\">1</span></button>");
	CHECK_CONTAINS(page, ">Добавить: Стороны конфликта</button>");
	CHECK(page == NULL || strstr(page, "Удалить запись") == NULL);
	/* the group there but empty: the same */
	cJSON_AddArrayToObject(v, "parties");
	page2 = render(f, v, NULL, NULL, NULL);
	CHECK_CONTAINS(page2, "name=\"_n.parties\" value=\"1\"");
	free(page);
	free(page2);
	cJSON_Delete(v);
	form_free(f);
}

/* Two problems on one field: one error element (ids unique), two lines. */
static void
test_errors_one_id(void)
{
	struct form *f = load_form("mediation_case");
	struct form_problems pr;
	struct form_problem it[2] = {
		{ .path = (char *)"case_number", .message = (char *)"первая беда" },
		{ .path = (char *)"case_number", .message = (char *)"вторая беда" },
	};
	char *page;

	memset(&pr, 0, sizeof(pr));
	pr.items = it;
	pr.n = 2;
	page = render(f, NULL, NULL, &pr, NULL);
	CHECK_CONTAINS(page, "<p class=\"error\" id=\"e-case_number\"><span class="
	    "\"tf-errline\">первая беда</span><span class=\"tf-errline\">вторая "
	    "беда</span></p>");
	CHECK(page == NULL || strstr(strstr(page, "id=\"e-case_number\"") + 1,
	    "id=\"e-case_number\"") == NULL);
	free(page);
	form_free(f);
}

static void
test_typed_kept(void)
{
	static const char *const kv[] = { "case_number", "2026-01",
	    "received_date", "31.02.2026", "_n.parties", "1",
	    "parties[0].role", "student", "parties[0].age", "двенадцать",
	    "parties[0].full_name", "Иванов Иван", "status", "received", NULL };
	struct form *f = load_form("mediation_case");
	struct webform *w = post_pairs(kv);
	cJSON *v = NULL, *t = NULL;
	struct form_problems *pr = NULL;
	struct terr e;
	char *page;

	CHECK_INT_EQ(formview_read(f, w, NULL, &v, &t, &pr, &e), 0);
	CHECK_STR_EQ(str_at(v, "case_number"), "2026-01");
	CHECK_STR_EQ(str_at(v, "parties[0].role"), "student");
	CHECK_STR_EQ(str_at(v, "parties[0].full_name"), "Иванов Иван");
	CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(v, "parties"), 0),
	    "age") == NULL);
	CHECK(cJSON_GetObjectItem(v, "received_date") == NULL);
	/* what did not convert is kept as typed, with the engine's words */
	CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(t, "parties[0].age")),
	    "двенадцать");
	CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(t, "received_date")),
	    "31.02.2026");
	CHECK(has_problem(pr, "parties[0].age",
	    "Возраст (Стороны конфликта, запись 1): нужно целое число"));
	CHECK(has_problem(pr, "received_date", "Дата поступления: "));
	CHECK_INT_EQ(pr ? pr->n : 0, 2);
	/* shown back where it was typed, the message beside it */
	page = render(f, v, t, pr, NULL);
	CHECK_CONTAINS(page, "name=\"parties[0].age\" id=\"f-parties[0].age\" "
	    "value=\"двенадцать\"");
	CHECK_CONTAINS(page, "type=\"text\" name=\"received_date\" id=\"f-received_date\" "
	    "value=\"31.02.2026\"");
	CHECK_CONTAINS(page, "<p class=\"error\" id=\"e-parties[0].age\"><span "
	    "class=\"tf-errline\">Возраст (Стороны конфликта, запись 1): нужно целое число");
	CHECK_CONTAINS(page, "Проверьте ответы: 2 ошибки");
	CHECK_CONTAINS(page, "<a href=\"#w-parties[0].age\">");
	CHECK_CONTAINS(page, "class=\"field tf-field tf-t2 invalid\" id=\"w-parties[0].age\"");
	free(page);
	cJSON_Delete(v);
	cJSON_Delete(t);
	form_problems_free(pr);
	webform_free(w);
	form_free(f);
}

static void
test_irrelevant_dropped(void)
{
	static const char *const kv[] = { "status", "received",
	    "programme", "mediation", "agreement", "1", "agreement_date", "2026-01-01",
	    "_n.parties", "2", "parties[0].role", "adult", "parties[0].class_name",
	    "слишком длинный класс", "parties[1].role", "student",
	    "parties[1].class_name", "7Б", NULL };
	static const char *const kv2[] = { "response_date", "2026-02-01",
	    "grade", "8 класс", "plans", "college", NULL };
	struct form *f = load_form("mediation_case"), *fs = load_form("survey_student");
	struct webform *w = post_pairs(kv), *w2 = post_pairs(kv2);
	cJSON *v = NULL, *t = NULL;
	struct form_problems *pr = NULL;
	struct terr e;

	CHECK_INT_EQ(formview_read(f, w, NULL, &v, &t, &pr, &e), 0);
	CHECK_STR_EQ(str_at(v, "status"), "received");
	/* the person saw these hidden: their answers are not kept */
	CHECK(cJSON_GetObjectItem(v, "programme") == NULL);
	CHECK(cJSON_GetObjectItem(v, "agreement") == NULL);
	CHECK(cJSON_GetObjectItem(v, "agreement_date") == NULL);
	CHECK(str_at(v, "parties[0].class_name") == NULL);
	CHECK_STR_EQ(str_at(v, "parties[1].class_name"), "7Б");
	/* and neither their typed text nor its problem */
	CHECK(t == NULL);
	CHECK(pr == NULL);
	cJSON_Delete(v);
	cJSON_Delete(t);
	form_problems_free(pr);
	/* a question whose condition cannot be judged (its field holds text
	 * that did not convert) keeps its answer: nothing is lost to a typo */
	CHECK_INT_EQ(formview_read(fs, w2, NULL, &v, &t, &pr, &e), 0);
	CHECK_STR_EQ(str_at(v, "plans"), "college");
	CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(t, "grade")), "8 класс");
	CHECK(has_problem(pr, "grade", "Класс (параллель): нужно целое число"));
	cJSON_Delete(v);
	cJSON_Delete(t);
	form_problems_free(pr);
	webform_free(w);
	webform_free(w2);
	form_free(f);
	form_free(fs);
}

static void
test_add_remove(void)
{
	struct form *f = load_form("mediation_case"), *rv = load_form("risk_visit");
	cJSON *v = cJSON_CreateObject(), *t = cJSON_CreateObject();
	struct terr e;
	const cJSON *arr;

	CHECK_INT_EQ(formview_act(f, v, NULL, &e), 0);
	CHECK_INT_EQ(formview_act(f, v, "", &e), 0);
	/* no parties yet, the page showing min_items 1 empty: «add» gives
	 * that one and one more */
	CHECK_INT_EQ(formview_act(f, v, "add:parties", &e), 1);
	arr = cJSON_GetObjectItem(v, "parties");
	CHECK_INT_EQ(cJSON_GetArraySize(arr), 2);
	CHECK_INT_EQ(formview_act(f, v, "add:parties", &e), 1);
	CHECK_INT_EQ(cJSON_GetArraySize(arr), 3);
	cJSON_AddStringToObject(cJSON_GetArrayItem(arr, 0), "full_name", "Первый");
	cJSON_AddStringToObject(cJSON_GetArrayItem(arr, 2), "full_name", "Третий");
	cJSON_AddStringToObject(t, "parties[0].age", "a");
	cJSON_AddStringToObject(t, "parties[1].age", "b");
	cJSON_AddStringToObject(t, "parties[2].age", "c");
	cJSON_AddStringToObject(t, "case_number_x", "kept");
	CHECK_INT_EQ(formview_act_typed(f, v, t, "del:parties[1]", &e), 1);
	CHECK_INT_EQ(cJSON_GetArraySize(arr), 2);
	CHECK_STR_EQ(str_at(v, "parties[1].full_name"), "Третий");
	CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(t, "parties[0].age")), "a");
	CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(t, "parties[1].age")), "c");
	CHECK(cJSON_GetObjectItem(t, "parties[2].age") == NULL);
	CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(t, "case_number_x")), "kept");
	CHECK_INT_EQ(formview_act(f, v, "del:parties[0]", &e), 1);
	/* min_items 1: the last party stays */
	CHECK_INT_EQ(formview_act(f, v, "del:parties[0]", &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "Стороны конфликта: нужна хотя бы 1 запись");
	while (cJSON_GetArraySize(arr) < 40)
		CHECK_INT_EQ(formview_act(f, v, "add:parties", &e), 1);
	CHECK_INT_EQ(formview_act(f, v, "add:parties", &e), TERR_INVALID);
	CHECK_CONTAINS(e.msg, "не больше 40 записей");
	CHECK_INT_EQ(formview_act(f, v, "del:parties[40]", &e), TERR_ARG);
	CHECK_INT_EQ(formview_act(f, v, "del:parties", &e), TERR_ARG);
	CHECK_INT_EQ(formview_act(f, v, "add:parties[0]", &e), TERR_ARG);
	CHECK_INT_EQ(formview_act(f, v, "add:status", &e), TERR_ARG);
	CHECK_INT_EQ(formview_act(f, v, "add:nosuch", &e), TERR_ARG);
	CHECK_INT_EQ(formview_act(f, v, "zap:parties", &e), TERR_ARG);
	CHECK_INT_EQ(formview_act(f, v, "del:parties[0].role", &e), TERR_ARG);
	CHECK_INT_EQ(formview_act(f, v, "del:parties[-1]", &e), TERR_ARG);
	CHECK_INT_EQ(formview_act(f, v, "del:parties[0]x", &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "обновите страницу");
	/* the per-dictionary group has one item per entry: nothing to add */
	CHECK_INT_EQ(formview_act(rv, v, "add:factors", &e), TERR_ARG);
	CHECK_INT_EQ(cJSON_GetArraySize(arr), 40);
	cJSON_Delete(v);
	cJSON_Delete(t);
	form_free(f);
	form_free(rv);
}

/* The issued levels come from the stored record, never from the post. */
static void
test_readonly_stored(void)
{
	struct form *f = load_form("risk_visit");
	cJSON *good = load_good("risk_visit"), *rev = cJSON_CreateArray();
	cJSON *stored = cJSON_Duplicate(good, true), *v = NULL, *t = NULL, *it;
	struct form_problems *pr = NULL;
	char *page = render(f, good, NULL, NULL, NULL), *body = submit(page);
	struct body b = { .s = body, .len = strlen(body), .cap = strlen(body) + 1 };
	struct webform *w;
	struct terr e;

	CHECK_CONTAINS(page, "<td class=\"tf-field level tf-ro\" id=\"w-factors[0].profile_level\">"
	    "<span class=\"tf-static\">высокий</span>");
	body_add(&b, "factors[0].profile_level", "low");
	body_add(&b, "factors[0].factor", "R09");
	w = post_of(b.s);
	/* the stored items in another order: rows still follow the dictionary */
	while ((it = cJSON_DetachItemFromArray(cJSON_GetObjectItem(stored, "factors"), 0)))
		cJSON_InsertItemInArray(rev, 0, it);
	cJSON_ReplaceItemInObject(stored, "factors", rev);
	CHECK_INT_EQ(formview_read(f, w, stored, &v, &t, &pr, &e), 0);
	CHECK(cJSON_Compare(v, good, true));
	CHECK_STR_EQ(str_at(v, "factors[0].profile_level"), "high");
	CHECK_STR_EQ(str_at(v, "factors[0].factor"), "R01");
	cJSON_Delete(v);
	/* nothing stored: no level at all (the page cannot make one up) */
	CHECK_INT_EQ(formview_read(f, w, NULL, &v, &t, &pr, &e), 0);
	CHECK(str_at(v, "factors[0].profile_level") == NULL);
	CHECK_INT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(v, "factors")), 11);
	cJSON_Delete(v);
	free(page);
	page = render(f, stored, NULL, NULL, NULL);
	/* rendered from the reversed record: row 0 is still R01, high */
	CHECK_CONTAINS(page, "id=\"w-factors[0]\" class=\"tf-row\"><th scope=\"row\">"
	    "<span class=\"tf-code\">R01</span>");
	CHECK_CONTAINS(page, "id=\"w-factors[0].profile_level\"><span class=\"tf-static\">высокий");
	free(page);
	webform_free(w);
	free(b.s);
	cJSON_Delete(stored);
	cJSON_Delete(good);
	form_free(f);
}

static void
test_scale_no_answer(void)
{
	struct form *f = load_form("survey_student");
	cJSON *good = load_good("survey_student"), *v = NULL, *t = NULL;
	struct form_problems *pr = NULL;
	char *page;

	cJSON_ReplaceItemInObject(good, "enough_equipment", cJSON_CreateNull());
	cJSON_DeleteItemFromObject(good, "feel_safe");
	page = render(f, good, NULL, NULL, NULL);
	CHECK_CONTAINS(page, "<label class=\"dk\"><input type=\"radio\" "
	    "name=\"enough_equipment\" value=\"_na\" checked>");
	CHECK_INT_EQ(round_trip(f, good, NULL, &v, &t, &pr), 0);
	/* «затрудняюсь ответить» is an explicit null; unanswered stays absent */
	CHECK(cJSON_IsNull(cJSON_GetObjectItem(v, "enough_equipment")));
	CHECK(cJSON_GetObjectItem(v, "feel_safe") == NULL);
	CHECK(cJSON_Compare(v, good, true));
	free(page);
	cJSON_Delete(v);
	cJSON_Delete(good);
	form_free(f);
}

static void
test_school(void)
{
	static const char *const codes[] = { "170103", "170104" };
	static const char *const names[] = { "Школа № 3", "Гимназия <1>" };
	struct formview_opts o = { .school_codes = codes, .school_names = names,
	    .n_schools = 1, .school_fixed = true };
	struct form *f = load_form("risk_visit");
	cJSON *v = cJSON_CreateObject(), *got = NULL, *t = NULL;
	struct form_problems *pr = NULL;
	struct webform *w;
	struct terr e;
	char *page = render(f, v, NULL, NULL, &o), *body;

	/* a school device: shown, never asked, and posted back */
	CHECK_CONTAINS(page, "<input type=\"hidden\" name=\"school_code\" "
	    "id=\"f-school_code\" value=\"170103\"><span class=\"tf-static\">170103 — "
	    "Школа № 3</span>");
	body = submit(page);
	w = post_of(body);
	CHECK_INT_EQ(formview_read(f, w, NULL, &got, &t, &pr, &e), 0);
	CHECK_STR_EQ(str_at(got, "school_code"), "170103");
	free(page);
	free(body);
	webform_free(w);
	cJSON_Delete(got);
	cJSON_Delete(t);
	form_problems_free(pr);
	/* a curator: the schools to choose from, names escaped */
	o.school_fixed = false;
	o.n_schools = 2;
	page = render(f, v, NULL, NULL, &o);
	CHECK_CONTAINS(page, "<select name=\"school_code\" id=\"f-school_code\">"
	    "<option value selected>— выберите школу —</option><option "
	    "value=\"170103\">170103 — Школа № 3</option><option value=\"170104\">"
	    "170104 — Гимназия &lt;1&gt;</option></select>");
	free(page);
	cJSON_Delete(v);
	form_free(f);
}

static void
test_escaping(void)
{
	struct form *f = load_form("risk_visit");
	cJSON *good = load_good("risk_visit"), *v = NULL, *t = NULL;
	struct form_problems *pr = NULL;
	const char *evil = "\"><script>alert('x')</script>&amp;";
	char *page;

	cJSON_ReplaceItemInObject(good, "curator", cJSON_CreateString(evil));
	cJSON_ReplaceItemInObject(good, "conclusions", cJSON_CreateString(evil));
	page = render(f, good, NULL, NULL, NULL);
	CHECK(strstr(page, "<script>alert") == NULL);
	CHECK_CONTAINS(page, "value=\"&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)"
	    "&lt;/script&gt;&amp;amp;\"");
	CHECK_INT_EQ(round_trip(f, good, good, &v, &t, &pr), 0);
	CHECK_STR_EQ(str_at(v, "curator"), evil);
	CHECK_STR_EQ(str_at(v, "conclusions"), evil);
	free(page);
	cJSON_Delete(v);
	cJSON_Delete(good);
	form_free(f);
}

static char *
show(const struct form *f, const cJSON *v, const struct formview_opts *o)
{
	struct html *h = html_new(0);
	struct terr e;
	char *s = NULL;

	if (formview_show(h, f, v, o, &e) == 0)
		s = html_take(h, NULL, &e);
	else
		fprintf(stderr, "  show: %s\n", e.msg);
	html_free(h);
	CHECK(s != NULL);
	return s;
}

static void
test_show(void)
{
	struct formview_opts hidden = { .local_hidden = true };
	struct form *rv = load_form("risk_visit"), *mc = load_form("mediation_case");
	struct form *st = load_form("survey_teacher");
	cJSON *g1 = load_good("risk_visit"), *g2 = load_good("mediation_case");
	cJSON *g3 = load_good("survey_teacher");
	char *s;

	s = show(rv, g1, NULL);
	CHECK_CONTAINS(s, "<dt>Дата посещения</dt><dd>04.03.2021</dd>");
	CHECK_CONTAINS(s, "<dt>Вид посещения</dt><dd>первичное посещение (верификация РПШ)</dd>");
	CHECK_CONTAINS(s, "<dt>Отметки внесены в ИС МЭДК</dt><dd>да</dd>");
	CHECK_CONTAINS(s, "<th scope=\"row\"><span class=\"tf-code\">R01</span> Низкий "
	    "уровень оснащения школы</th><td>высокий</td><td>подтверждён</td>"
	    "<td>беседа с администрацией; анализ документов</td>");
	free(s);
	/* a question that does not apply is left out */
	cJSON_ReplaceItemInObject(g1, "medk_entered", cJSON_CreateFalse());
	s = show(rv, g1, NULL);
	CHECK(strstr(s, "Дата внесения в ИС МЭДК") == NULL);
	free(s);
	s = show(mc, g2, NULL);
	CHECK_CONTAINS(s, "Сидоров Павел");
	CHECK_CONTAINS(s, "<table class=\"grid ts-table\">");
	free(s);
	/* the vault closed: local values are «скрыто», never shown */
	s = show(mc, g2, &hidden);
	CHECK(strstr(s, "Сидоров Павел") == NULL);
	CHECK_CONTAINS(s, "<span class=\"empty\">скрыто</span>");
	free(s);
	s = show(st, g3, NULL);
	CHECK_CONTAINS(s, "<dd>1,5</dd>");
	free(s);
	cJSON_DeleteItemFromObject(g3, "workload");
	s = show(st, g3, NULL);
	CHECK_CONTAINS(s, "<span class=\"empty\">—</span>");
	free(s);
	cJSON_Delete(g1);
	cJSON_Delete(g2);
	cJSON_Delete(g3);
	form_free(rv);
	form_free(mc);
	form_free(st);
}

/* Hostile posts: counts and names bounded by the form. */
static void
test_bounds(void)
{
	static const char *const kv[] = { "_n.parties", "999999", "parties[5].role",
	    "adult", "parties[99999999999].role", "student", "status", "<nope>",
	    "nosuch", "1", "reaction_ways", "none", "reaction_ways", "none",
	    "reaction_ways", "bogus", NULL };
	static const char *const kv2[] = { "parties[2].role", "adult",
	    "parties[0].age", "7", "parties[x].age", "9", NULL };
	struct form *f = load_form("mediation_case");
	struct webform *w = post_pairs(kv), *w2 = post_pairs(kv2);
	cJSON *v = NULL, *t = NULL;
	struct form_problems *pr = NULL;
	struct terr e;

	CHECK_INT_EQ(formview_read(f, w, NULL, &v, &t, &pr, &e), 0);
	CHECK_INT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(v, "parties")), 40);
	CHECK_STR_EQ(str_at(v, "parties[5].role"), "adult");
	CHECK(cJSON_GetObjectItem(v, "nosuch") == NULL);
	CHECK(has_problem(pr, "status", "нет такого варианта"));
	CHECK(has_problem(pr, "reaction_ways", "нет такого варианта «bogus»"));
	CHECK_INT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(v, "reaction_ways")), 1);
	cJSON_Delete(v);
	cJSON_Delete(t);
	form_problems_free(pr);
	/* without "_n.": one past the highest index named */
	CHECK_INT_EQ(formview_read(f, w2, NULL, &v, &t, &pr, &e), 0);
	CHECK_INT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(v, "parties")), 3);
	CHECK_STR_EQ(str_at(v, "parties[2].role"), "adult");
	cJSON_Delete(v);
	cJSON_Delete(t);
	form_problems_free(pr);
	webform_free(w);
	webform_free(w2);
	form_free(f);
}


/* Groups inside groups (and inside a dictionary's row): drawn, posted and
 * read back like the built-in forms; the template's index is "*". */
static const char nested_json[] = "{\"id\":\"nest\",\"version\":1,\"title\":\"Вложенные\","
    "\"dictionaries\":{\"d\":{\"version\":1,\"entries\":[{\"code\":\"A\",\"label\":\"Альфа\"},"
    "{\"code\":\"B\",\"label\":\"Бета\"}]}},\"fields\":["
    "{\"id\":\"note\",\"label\":\"Заметка\",\"type\":\"text\",\"max_length\":1000},"
    "{\"id\":\"g\",\"label\":\"Группа\",\"type\":\"group\",\"fields\":["
    " {\"id\":\"x\",\"label\":\"Икс\",\"type\":\"integer\"},"
    " {\"id\":\"lvl\",\"label\":\"Уровень\",\"type\":\"text\",\"readonly\":true},"
    " {\"id\":\"h\",\"label\":\"Внутренняя\",\"type\":\"group\",\"fields\":["
    "  {\"id\":\"y\",\"label\":\"Игрек\",\"type\":\"decimal\"},"
    "  {\"id\":\"z\",\"label\":\"Зет\",\"type\":\"text\",\"relevant\":{\"field\":\"x\",\"equals\":1}}]}]},"
    "{\"id\":\"p\",\"label\":\"По словарю\",\"type\":\"group\",\"per_dictionary\":\"d\","
    " \"item_key\":\"k\",\"fields\":[{\"id\":\"k\",\"label\":\"Ключ\",\"type\":\"choice\"},"
    "  {\"id\":\"q\",\"label\":\"Кв\",\"type\":\"group\",\"fields\":["
    "   {\"id\":\"w\",\"label\":\"Вэ\",\"type\":\"boolean\"}]}]}]}";

static void
test_nested(void)
{
	static const char vals[] = "{\"note\":\"строка 1\\nстрока 2\",\"g\":["
	    "{\"x\":1,\"lvl\":\"L1\",\"h\":[{\"y\":2.5,\"z\":\"есть\"},{\"y\":-1}]},"
	    "{\"x\":2,\"h\":[{\"y\":0.1}]}],"
	    "\"p\":[{\"k\":\"A\",\"q\":[{\"w\":true},{\"w\":false}]},{\"k\":\"B\"}]}";
	struct form *f = NULL;
	struct terr e;
	cJSON *good = cJSON_Parse(vals), *v = NULL, *t = NULL;
	struct form_problems *pr = NULL;
	char *page;

	CHECK_INT_EQ(form_parse(nested_json, strlen(nested_json), NULL, &f, &e), 0);
	if (f == NULL) {
		fprintf(stderr, "  %s\n", e.msg);
		cJSON_Delete(good);
		return;
	}
	page = render(f, good, NULL, NULL, NULL);
	CHECK_CONTAINS(page, "name=\"g[0].h[1].y\"");
	CHECK_CONTAINS(page, "name=\"_n.g[1].h\" value=\"1\"");
	CHECK_CONTAINS(page, "<template class=\"tf-tpl\" data-group=\"g[0].h\">");
	CHECK_CONTAINS(page, "name=\"g[*].h[*].y\"");
	CHECK_CONTAINS(page, "data-rel=\"g[0].x\"");
	CHECK_CONTAINS(page, "name=\"p[0].q[1].w\"");
	CHECK_INT_EQ(round_trip(f, good, good, &v, &t, &pr), 0);
	CHECK(v && cJSON_Compare(v, good, true));
	if (v && !cJSON_Compare(v, good, true))
		print_diff(good, v);
	CHECK(t == NULL && pr == NULL);
	free(page);
	cJSON_Delete(v);
	cJSON_Delete(t);
	form_problems_free(pr);
	v = t = NULL;
	pr = NULL;
	/* a textarea posts CRLF; an item's number typed wrong names the item */
	{
		static const char *const kv[] = { "note", "a\r\nb\rc", "_n.g", "2",
		    "g[1].x", "1", "_n.g[1].h", "1", "g[1].h[0].y", "два", NULL };
		struct webform *w = post_pairs(kv);

		CHECK_INT_EQ(formview_read(f, w, NULL, &v, &t, &pr, &e), 0);
		CHECK_STR_EQ(str_at(v, "note"), "a\nb\nc");
		CHECK(has_problem(pr, "g[1].h[0].y",
		    "Игрек (Группа, запись 2; Внутренняя, запись 1): нужно число"));
		CHECK_INT_EQ(formview_act_typed(f, v, t, "del:g[0]", &e), 1);
		CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(t, "g[0].h[0].y")), "два");
		CHECK_INT_EQ(formview_act(f, v, "add:g[0].h", &e), 1);
		CHECK_INT_EQ(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetArrayItem(
		    cJSON_GetObjectItem(v, "g"), 0), "h")), 2);
		CHECK_INT_EQ(formview_act(f, v, "add:g[5].h", &e), TERR_ARG);
		webform_free(w);
	}
	cJSON_Delete(v);
	cJSON_Delete(t);
	form_problems_free(pr);
	cJSON_Delete(good);
	form_free(f);
}

int
main(void)
{
	test_round_trip_builtin();
	test_empty_new();
	test_min_items_drawn();
	test_errors_one_id();
	test_typed_kept();
	test_irrelevant_dropped();
	test_add_remove();
	test_readonly_stored();
	test_scale_no_answer();
	test_school();
	test_escaping();
	test_show();
	test_bounds();
	test_nested();
	return check_summary();
}
