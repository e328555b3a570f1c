/*
 * test_html — the one HTML writer: every text and attribute value escaped,
 * bad names and script-running URLs refused (sticky: the page is lost,
 * never half-right), invalid UTF-8 shown as U+FFFD, the cap honoured; the
 * page frame and the assets built into the program.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "web/html.h"
#include "web/page.h"

/* The page so far, as a string the test owns. */
static char *
page(struct html *h)
{
	struct terr e;
	char *s = html_take(h, NULL, &e);

	if (s == NULL)
		fprintf(stderr, "html_take: %s\n", e.msg);
	return s;
}

static void
test_escape_text(void)
{
	struct html *h = html_new(0);
	char *s;

	html_open(h, "p", "class", "x", NULL);
	html_text(h, "<script>alert(\"x\")</script> & 'Тетрад'");
	html_close(h, "p");
	s = page(h);
	CHECK_STR_EQ(s, "<p class=\"x\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
	    "&amp; &#39;Тетрад&#39;</p>");
	free(s);

	/* attribute values: a quote cannot end the attribute */
	html_void(h, "input", "name", "a\"onfocus=\"x", "value", "'><img src=x>", NULL);
	s = page(h);
	CHECK_STR_EQ(s, "<input name=\"a&quot;onfocus=&quot;x\" value=\"&#39;&gt;&lt;img src=x&gt;\">");
	free(s);

	/* NULL skips an attribute, "" writes it bare */
	html_void(h, "input", "type", "checkbox", "checked", "", "disabled", NULL, "name", "c", NULL);
	s = page(h);
	CHECK_STR_EQ(s, "<input type=\"checkbox\" checked name=\"c\">");
	free(s);

	html_elem(h, "td", "1 < 2", "class", "num", NULL);
	html_textf(h, "%d%% из %s", 50, "<b>");
	s = page(h);
	CHECK_STR_EQ(s, "<td class=\"num\">1 &lt; 2</td>50% из &lt;b&gt;");
	free(s);

	/* textn stops at len, even mid-string */
	html_textn(h, "abc<def", 4);
	s = page(h);
	CHECK_STR_EQ(s, "abc&lt;");
	free(s);
	html_free(h);
}

static void
test_utf8_and_controls(void)
{
	struct html *h = html_new(0);
	char *s;

	/* a stray continuation, an overlong '<', a surrogate, a cut sequence */
	html_text(h, "a\x80" "b\xc0\xbc" "c\xed\xa0\x80" "d\xd0");
	s = page(h);
	CHECK_STR_EQ(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "d\xef\xbf\xbd");
	free(s);
	/* controls dropped, tab and newlines kept; 4-byte characters pass */
	html_text(h, "x\x01y\x7fz\t\r\n\xf0\x9f\x98\x80");
	s = page(h);
	CHECK_STR_EQ(s, "xyz\t\r\n\xf0\x9f\x98\x80");
	free(s);
	html_free(h);
}

static void
test_refusals(void)
{
	struct html *h = html_new(0);
	struct terr e;
	size_t len = 99;

	/* a bad tag name: the whole page is refused, later calls do nothing */
	html_open(h, "p", NULL);
	html_open(h, "p onclick=x", NULL);
	html_text(h, "more");
	CHECK_INT_EQ(html_status(h, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "элемента");
	CHECK(html_take(h, &len, &e) == NULL);
	CHECK_INT_EQ(len, 0);
	CHECK_INT_EQ(e.code, TERR_ARG);
	/* emptied for reuse */
	CHECK_INT_EQ(html_status(h, &e), 0);

	html_open(h, "div", "Class", "x", NULL);
	CHECK_INT_EQ(html_status(h, &e), TERR_ARG);
	html_take(h, NULL, &e);
	html_open(h, "div", "data-x\"", "x", NULL);
	CHECK_INT_EQ(html_status(h, &e), TERR_ARG);
	html_take(h, NULL, &e);
	html_close(h, "div>");
	CHECK_INT_EQ(html_status(h, &e), TERR_ARG);
	html_take(h, NULL, &e);
	html_open(h, "", NULL);
	CHECK_INT_EQ(html_status(h, &e), TERR_ARG);
	html_take(h, NULL, &e);

	/* event handlers are inline script */
	html_void(h, "img", "onerror", "x", NULL);
	CHECK_INT_EQ(html_status(h, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "onerror");
	html_take(h, NULL, &e);

	/* URLs: paths, queries, http(s) pass; script schemes never */
	{
		static const char *const good[] = { "/records?form=a&page=2", "?x=1", "#top",
		    "static/app.css", "https://example.org/a:b", "http://127.0.0.1:8080/",
		    "mailto:a@b", "/a:b", "", NULL };
		static const char *const bad[] = { "javascript:alert(1)", "JavaScript:x",
		    "java\tscript:x", " javascript:x", "vbscript:x", "data:text/html,x",
		    "jav\nascript:x", "file:///etc/passwd", NULL };
		char *s;

		for (size_t i = 0; good[i]; i++) {
			html_open(h, "a", "href", good[i], NULL);
			CHECK_INT_EQ(html_status(h, &e), 0);
			s = page(h);
			CHECK(s != NULL);
			free(s);
		}
		for (size_t i = 0; bad[i]; i++) {
			html_open(h, "a", "href", bad[i], NULL);
			CHECK_INT_EQ(html_status(h, &e), TERR_ARG);
			html_take(h, NULL, &e);
			html_void(h, "form", "action", bad[i], NULL);
			CHECK_INT_EQ(html_status(h, &e), TERR_ARG);
			html_take(h, NULL, &e);
			html_void(h, "script", "src", bad[i], NULL);
			CHECK_INT_EQ(html_status(h, &e), TERR_ARG);
			html_take(h, NULL, &e);
		}
		/* the same text elsewhere is only text */
		html_void(h, "input", "value", "javascript:alert(1)", NULL);
		CHECK_INT_EQ(html_status(h, &e), 0);
		s = page(h);
		CHECK_STR_EQ(s, "<input value=\"javascript:alert(1)\">");
		free(s);
	}
	html_free(h);
	html_free(NULL);
}

static void
test_cap(void)
{
	struct html *h = html_new(64);
	struct terr e;
	char big[300];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	html_text(h, "short");
	CHECK_INT_EQ(html_status(h, &e), 0);
	html_text(h, big);
	CHECK_INT_EQ(html_status(h, &e), TERR_TOO_LARGE);
	CHECK(html_take(h, NULL, &e) == NULL);
	CHECK_INT_EQ(e.code, TERR_TOO_LARGE);
	/* textf over the cap */
	html_textf(h, "%s", big);
	CHECK_INT_EQ(html_status(h, &e), TERR_TOO_LARGE);
	html_free(h);

	/* textf longer than its stack buffer */
	h = html_new(0);
	html_textf(h, "%s<", big);
	{
		size_t len;
		const char *d = html_data(h, &len);

		CHECK_INT_EQ(len, sizeof(big) - 1 + 4);
		CHECK(memcmp(d + len - 4, "&lt;", 4) == 0);
	}
	{
		char *s;
		size_t len;

		s = html_take(h, &len, &e);
		CHECK(s != NULL && strlen(s) == len);
		free(s);
		/* an empty page is still a string */
		s = html_take(h, &len, &e);
		CHECK(s != NULL && len == 0 && s[0] == '\0');
		free(s);
	}
	html_raw_const(h, "<!DOCTYPE html>");
	{
		char *s = page(h);

		CHECK_STR_EQ(s, "<!DOCTYPE html>");
		free(s);
	}
	html_free(h);
}

static void
test_escape_buffer(void)
{
	char out[16];

	CHECK(html_escape("a<b", out, sizeof(out)));
	CHECK_STR_EQ(out, "a&lt;b");
	CHECK(html_escape(NULL, out, sizeof(out)));
	CHECK_STR_EQ(out, "");
	/* never a cut entity or character */
	CHECK(!html_escape("abcd\"efgh", out, 8));
	CHECK_STR_EQ(out, "abcd");
	CHECK(!html_escape("абвгд", out, 8));
	CHECK_STR_EQ(out, "абв");
	CHECK(!html_escape("x", out, 1));
	CHECK_STR_EQ(out, "");
	CHECK(!html_escape("x", out, 0));
}

static void
test_page(void)
{
	struct html *h = html_new(0);
	const struct web_asset *css;
	char *s;

	CHECK(web_asset_count() >= 1);
	css = web_asset_find("app.css");
	CHECK(css != NULL);
	if (css != NULL) {
		CHECK_STR_EQ(css->content_type, "text/css; charset=utf-8");
		CHECK(css->len > 1000);
		/* the bytes are the file's, and a NUL follows them */
		CHECK(css->data[css->len] == '\0');
		CHECK(strstr((const char *)css->data, ".bigbtn") != NULL);
	}
	CHECK(web_asset_find("nothing.css") == NULL);
	CHECK(web_asset_find("../app.css") == NULL);
	CHECK(web_asset_find(NULL) == NULL);
	CHECK(web_asset_at(web_asset_count()) == NULL);
	for (size_t i = 0; i < web_asset_count(); i++) {
		const struct web_asset *a = web_asset_at(i);

		CHECK(a != NULL && web_asset_find(a->name) == a);
		if (i > 0)
			CHECK(strcmp(web_asset_at(i - 1)->name, a->name) < 0);
	}

	/* Nothing is fetched from anywhere: no @import, every url() a data:
	 * URL, no script loading another one. */
	for (size_t i = 0; i < web_asset_count(); i++) {
		const struct web_asset *a = web_asset_at(i);
		const char *d = (const char *)a->data, *u;

		CHECK(strstr(d, "@import") == NULL);
		/* a stylesheet whose braces do not pair is cut short by the browser
		 * at the first stray one: every rule after it is lost */
		if (strcmp(a->content_type, "text/css; charset=utf-8") == 0) {
			long depth = 0;
			bool neg = false, comment = false;

			for (size_t k = 0; k < a->len; k++) {
				if (!comment && d[k] == '/' && d[k + 1] == '*')
					comment = true;
				else if (comment && d[k] == '*' && d[k + 1] == '/') {
					comment = false;
					k++;
				} else if (!comment && d[k] == '{')
					depth++;
				else if (!comment && d[k] == '}' && --depth < 0)
					neg = true;
			}
			if (depth != 0 || neg || comment)
				fprintf(stderr, "%s: braces do not pair\n", a->name);
			CHECK(depth == 0 && !neg && !comment);
		}
		for (u = strstr(d, "url("); u != NULL; u = strstr(u + 4, "url(")) {
			const char *v = u + 4;

			if (*v == '"' || *v == '\'')
				v++;
			if (strncmp(v, "data:", 5) != 0) {
				fprintf(stderr, "%s: url() that is not data:\n", a->name);
				CHECK(0);
			}
		}
		/* the form's script works on the page alone */
		CHECK(strcmp(a->name, "form.js") != 0 ||
		    (strstr(d, "fetch(") == NULL && strstr(d, "XMLHttpRequest") == NULL));
	}

	web_page_begin(h, "Записи <все>");
	html_elem(h, "h1", "Записи", NULL);
	web_page_end(h);
	s = page(h);
	CHECK(s != NULL && strncmp(s, "<!DOCTYPE html>\n<html lang=\"ru\"><head>", 38) == 0);
	CHECK_CONTAINS(s, "<meta charset=\"utf-8\">");
	CHECK_CONTAINS(s, "<title>Записи &lt;все&gt;</title>");
	CHECK_CONTAINS(s, "<link rel=\"stylesheet\" href=\"/static/app.css\">");
	CHECK_CONTAINS(s, "<meta name=\"referrer\" content=\"same-origin\">");
	CHECK_CONTAINS(s, "</head><body><h1>Записи</h1></body></html>\n");
	if (web_asset_find("form.js") != NULL)
		CHECK_CONTAINS(s, "<script src=\"/static/form.js\" defer></script>");
	/* no inline script or style: the CSP would refuse it */
	CHECK(strstr(s, "<script>") == NULL && strstr(s, "<style") == NULL &&
	    strstr(s, "style=") == NULL);
	free(s);
	html_free(h);
	CHECK(strstr(WEB_CSP, "script-src 'self'") != NULL);
	CHECK(strstr(WEB_CSP, "unsafe-inline") == NULL);
}

int
main(void)
{
	test_escape_text();
	test_utf8_and_controls();
	test_refusals();
	test_cap();
	test_escape_buffer();
	test_page();
	return check_summary();
}
