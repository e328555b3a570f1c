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

int
main(void)
{
	test_round_trip_builtin();
	return check_summary();
}
