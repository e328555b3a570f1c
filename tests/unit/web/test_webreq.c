/*
 * test_webreq — what a browser sends: urlencoded bodies (Chromium's own
 * encoding of Russian text, repeats, the caps), multipart uploads as
 * Chromium and Firefox write them (a Windows path for a file name, binary
 * content, a missing end), the cookie of the launch secret, and the Host
 * and Origin checks that stop DNS rebinding and other sites.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "web/webreq.h"

static void
test_urlencoded(void)
{
	struct webform *f = NULL;
	struct terr e;
	const char *body = "_csrf=ab12&full_name=%D0%98%D0%B2%D0%B0%D0%BD%D0%BE%D0%B2+"
	    "%D0%98.&parties%5B1%5D.phone=%2B7+900&x=&flag&x=2&&note=a%0D%0Ab";

	CHECK_INT_EQ(webreq_urlencoded(body, strlen(body), &f, &e), 0);
	CHECK_INT_EQ(webform_count(f), 7);
	CHECK_STR_EQ(webform_get(f, "_csrf"), "ab12");
	CHECK_STR_EQ(webform_get(f, "full_name"), "Иванов И.");
	CHECK_STR_EQ(webform_get(f, "parties[1].phone"), "+7 900");
	CHECK_STR_EQ(webform_get(f, "x"), "");          /* the first of a repeat */
	CHECK_STR_EQ(webform_at(f, 5)->value, "2");
	CHECK_STR_EQ(webform_get(f, "flag"), "");       /* no '=': empty value */
	CHECK_STR_EQ(webform_get(f, "note"), "a\r\nb");
	CHECK_INT_EQ(webform_field(f, "note")->len, 4);
	CHECK(webform_field(f, "note")->filename == NULL);
	CHECK(webform_get(f, "nothing") == NULL);
	CHECK(webform_get(f, "ful") == NULL);
	CHECK(webform_at(f, 7) == NULL);
	webform_free(f);

	CHECK_INT_EQ(webreq_urlencoded("", 0, &f, &e), 0);
	CHECK_INT_EQ(webform_count(f), 0);
	webform_free(f);
	CHECK_INT_EQ(webreq_urlencoded(NULL, 0, &f, &e), 0);
	webform_free(f);
	/* len, not the NUL, says where the body ends */
	CHECK_INT_EQ(webreq_urlencoded("a=1&b=2", 3, &f, &e), 0);
	CHECK_INT_EQ(webform_count(f), 1);
	webform_free(f);

	/* refusals, each with a message and no form */
	{
		static const struct { const char *body; int code; } bad[] = {
			{ "a=%", TERR_PARSE }, { "a=%4", TERR_PARSE }, { "a=%zz", TERR_PARSE },
			{ "=v", TERR_PARSE }, { "a=%00", TERR_UTF8 }, { "a=%01", TERR_UTF8 },
			{ "a=%7F", TERR_UTF8 }, { "a=%D0", TERR_UTF8 }, { "a=%C0%BC", TERR_UTF8 },
			{ "a%0A=1", TERR_PARSE }, { "a%09=1", TERR_PARSE }, { "%FF=1", TERR_PARSE },
			{ "%00=1", TERR_PARSE },
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			f = (struct webform *)1;
			e.msg[0] = '\0';
			CHECK_INT_EQ(webreq_urlencoded(bad[i].body, strlen(bad[i].body), &f, &e), bad[i].code);
			CHECK(f == NULL);
			CHECK(e.msg[0] != '\0');
		}
	}
	/* tab, CR, LF are text in a value; a value never shows in a message */
	CHECK_INT_EQ(webreq_urlencoded("a=%09%0D%0A", 11, &f, &e), 0);
	webform_free(f);
	CHECK_INT_EQ(webreq_urlencoded("a=secret%01", 11, &f, &e), TERR_UTF8);
	CHECK(strstr(e.msg, "secret") == NULL);
}

static void
test_urlencoded_caps(void)
{
	struct webform *f = NULL;
	struct terr e;
	size_t n = WEBREQ_MAX_FIELDS + 1, len = 0;
	char *body = malloc(n * 4 + 1024);

	/* WEBREQ_MAX_FIELDS pairs pass, one more does not */
	for (size_t i = 0; i < n - 1; i++) {
		memcpy(body + len, "a=1&", 4);
		len += 4;
	}
	CHECK_INT_EQ(webreq_urlencoded(body, len, &f, &e), 0);
	CHECK_INT_EQ(webform_count(f), WEBREQ_MAX_FIELDS);
	webform_free(f);
	memcpy(body + len, "a=1", 3);
	CHECK_INT_EQ(webreq_urlencoded(body, len + 3, &f, &e), TERR_TOO_LARGE);
	CHECK(f == NULL);

	/* a name of WEBREQ_MAX_NAME bytes passes, one more does not */
	memset(body, 'n', WEBREQ_MAX_NAME);
	memcpy(body + WEBREQ_MAX_NAME, "=1", 2);
	CHECK_INT_EQ(webreq_urlencoded(body, WEBREQ_MAX_NAME + 2, &f, &e), 0);
	webform_free(f);
	memset(body, 'n', WEBREQ_MAX_NAME + 1);
	memcpy(body + WEBREQ_MAX_NAME + 1, "=1", 2);
	CHECK_INT_EQ(webreq_urlencoded(body, WEBREQ_MAX_NAME + 3, &f, &e), TERR_PARSE);
	memset(body, 'n', 1000);
	memcpy(body + 1000, "=1", 2);
	CHECK_INT_EQ(webreq_urlencoded(body, 1002, &f, &e), TERR_TOO_LARGE);
	free(body);
	/* the body cap, checked before anything is read */
	CHECK_INT_EQ(webreq_urlencoded("", (size_t)WEBREQ_MAX_BODY + 1, &f, &e), TERR_TOO_LARGE);
}

/* A multipart body as Chromium writes it. */
static const char mp_ct[] = "multipart/form-data; boundary=----WebKitFormBoundaryx7Yq2";
static const char mp_body[] =
    "------WebKitFormBoundaryx7Yq2\r\n"
    "Content-Disposition: form-data; name=\"_csrf\"\r\n"
    "\r\n"
    "ab12\r\n"
    "------WebKitFormBoundaryx7Yq2\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"C:\\Users\\Учитель\\паспорт 5А.csv\"\r\n"
    "Content-Type: text/csv\r\n"
    "\r\n"
    "a;b\r\n\x00\xff\r\n--\r\n"
    "------WebKitFormBoundaryx7Yq2\r\n"
    "content-disposition: form-data; name=\"note\"\r\n"
    "\r\n"
    "строка 1\r\nстрока 2\r\n"
    "------WebKitFormBoundaryx7Yq2--\r\n";

static void
test_multipart(void)
{
	struct webform *f = NULL;
	struct terr e;
	const struct webfield *w;
	size_t len = sizeof(mp_body) - 1;

	CHECK_INT_EQ(webreq_multipart(mp_ct, mp_body, len, &f, &e), 0);
	CHECK_INT_EQ(webform_count(f), 3);
	CHECK_STR_EQ(webform_get(f, "_csrf"), "ab12");
	CHECK(webform_field(f, "_csrf")->filename == NULL);
	w = webform_field(f, "file");
	CHECK(w != NULL);
	if (w != NULL) {
		CHECK_STR_EQ(w->filename, "паспорт 5А.csv");
		CHECK_STR_EQ(w->content_type, "text/csv");
		CHECK_INT_EQ(w->len, 11);
		CHECK_MEM_EQ(w->value, "a;b\r\n\x00\xff\r\n--", 11);
		CHECK(w->value[11] == '\0');
	}
	CHECK_STR_EQ(webform_get(f, "note"), "строка 1\r\nстрока 2");
	webform_free(f);

	/* Firefox: a quoted boundary, a preamble, an empty file chosen */
	{
		const char *ct = "Multipart/Form-Data; charset=utf-8; boundary=\"xyz\"";
		const char *body = "preamble\r\n--xyz\r\n"
		    "Content-Disposition: form-data; name=\"f\"; filename=\"\"\r\n"
		    "Content-Type: application/octet-stream\r\n\r\n"
		    "\r\n--xyz--";

		CHECK_INT_EQ(webreq_multipart(ct, body, strlen(body), &f, &e), 0);
		w = webform_field(f, "f");
		CHECK(w != NULL && w->len == 0 && w->filename && w->filename[0] == '\0');
		webform_free(f);
	}
	/* a unix path, a name with a '\' kept whole by the browser */
	{
		const char *body = "--b\r\nContent-Disposition: form-data; name=\"f\"; "
		    "filename=\"../../etc/passwd\"\r\n\r\nx\r\n--b--\r\n";

		CHECK_INT_EQ(webreq_multipart("multipart/form-data; boundary=b", body,
		    strlen(body), &f, &e), 0);
		CHECK_STR_EQ(webform_field(f, "f")->filename, "passwd");
		webform_free(f);
	}

	/* refusals */
	{
		static const struct { const char *ct, *body; int code; } bad[] = {
			{ NULL, "--b--", TERR_PARSE },
			{ "text/plain; boundary=b", "--b--", TERR_PARSE },
			{ "multipart/form-dataX; boundary=b", "--b--", TERR_PARSE },
			{ "multipart/form-data", "--b--", TERR_PARSE },
			{ "multipart/form-data; boundary=", "--b--", TERR_PARSE },
			{ "multipart/form-data; boundary=\"b", "--b--", TERR_PARSE },
			{ "multipart/form-data; boundary=a\x01", "--b--", TERR_PARSE },
			{ "multipart/form-data; boundary=b", "no parts here", TERR_PARSE },
			/* not closed */
			{ "multipart/form-data; boundary=b",
			  "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx", TERR_PARSE },
			{ "multipart/form-data; boundary=b",
			  "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b", TERR_PARSE },
			{ "multipart/form-data; boundary=b",
			  "--b\r\nContent-Disposition: form-data; name=\"a\"", TERR_PARSE },
			/* no disposition, not form-data, no name, a bad name */
			{ "multipart/form-data; boundary=b",
			  "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", TERR_PARSE },
			{ "multipart/form-data; boundary=b",
			  "--b\r\n\r\nx\r\n--b--", TERR_PARSE },
			{ "multipart/form-data; boundary=b",
			  "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--b--", TERR_PARSE },
			{ "multipart/form-data; boundary=b",
			  "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--", TERR_PARSE },
			{ "multipart/form-data; boundary=b",
			  "--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nx\r\n--b--", TERR_PARSE },
			{ "multipart/form-data; boundary=b",
			  "--b\r\nContent-Disposition: form-data; name=\"a\x01\"\r\n\r\nx\r\n--b--", TERR_PARSE },
			{ "multipart/form-data; boundary=b",
			  "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--", TERR_PARSE },
			/* two dispositions */
			{ "multipart/form-data; boundary=b",
			  "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
			  "Content-Disposition: form-data; name=\"b\"\r\n\r\nx\r\n--b--", TERR_PARSE },
			/* a text field must be text */
			{ "multipart/form-data; boundary=b",
			  "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\x01y\r\n--b--", TERR_UTF8 },
			/* garbage after the delimiter */
			{ "multipart/form-data; boundary=b",
			  "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--bX", TERR_PARSE },
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			f = (struct webform *)1;
			e.msg[0] = '\0';
			if (webreq_multipart(bad[i].ct, bad[i].body, strlen(bad[i].body), &f, &e) !=
			    bad[i].code)
				fprintf(stderr, "multipart case %zu: %s\n", i, e.msg);
			CHECK_INT_EQ(webreq_multipart(bad[i].ct, bad[i].body, strlen(bad[i].body), &f, &e),
			    bad[i].code);
			CHECK(f == NULL);
			CHECK(e.msg[0] != '\0');
		}
	}
}

static void
test_multipart_caps(void)
{
	struct webform *f = NULL;
	struct terr e;
	const char *part = "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n";
	size_t plen = strlen(part), n;
	char *body = malloc(plen * (WEBREQ_MAX_PARTS + 1) + 16);

	n = 0;
	for (int i = 0; i < WEBREQ_MAX_PARTS; i++) {
		memcpy(body + n, part, plen);
		n += plen;
	}
	memcpy(body + n, "--b--", 5);
	CHECK_INT_EQ(webreq_multipart("multipart/form-data; boundary=b", body, n + 5, &f, &e), 0);
	CHECK_INT_EQ(webform_count(f), WEBREQ_MAX_PARTS);
	webform_free(f);
	memcpy(body + n, part, plen);
	memcpy(body + n + plen, "--b--", 5);
	CHECK_INT_EQ(webreq_multipart("multipart/form-data; boundary=b", body, n + plen + 5, &f, &e),
	    TERR_TOO_LARGE);
	free(body);

	/* a header block past its cap */
	body = malloc(20000);
	n = (size_t)sprintf(body, "--b\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: ");
	memset(body + n, 'p', 10000);
	n += 10000;
	n += (size_t)sprintf(body + n, "\r\n\r\nx\r\n--b--");
	CHECK_INT_EQ(webreq_multipart("multipart/form-data; boundary=b", body, n, &f, &e),
	    TERR_TOO_LARGE);
	/* too many header lines */
	n = (size_t)sprintf(body, "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n");
	for (int i = 0; i < 20; i++)
		n += (size_t)sprintf(body + n, "X-H: %d\r\n", i);
	n += (size_t)sprintf(body + n, "\r\nx\r\n--b--");
	CHECK_INT_EQ(webreq_multipart("multipart/form-data; boundary=b", body, n, &f, &e),
	    TERR_TOO_LARGE);
	free(body);
	CHECK_INT_EQ(webreq_multipart("multipart/form-data; boundary=b", "",
	    (size_t)WEBREQ_MAX_BODY + 1, &f, &e), TERR_TOO_LARGE);
	/* a boundary of 71 characters */
	{
		char ct[128];

		snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%071d", 0);
		CHECK_INT_EQ(webreq_multipart(ct, "--", 2, &f, &e), TERR_PARSE);
	}
}

static void
test_cookie(void)
{
	char out[33];

	CHECK_INT_EQ(webreq_cookie("tetrad_ui=abc", "tetrad_ui", out, sizeof(out)), 1);
	CHECK_STR_EQ(out, "abc");
	CHECK_INT_EQ(webreq_cookie("a=1; tetrad_ui=abc; b=2", "tetrad_ui", out, sizeof(out)), 1);
	CHECK_STR_EQ(out, "abc");
	CHECK_INT_EQ(webreq_cookie("a=1;tetrad_ui = \"q\" ;b=2", "tetrad_ui", out, sizeof(out)), 1);
	CHECK_STR_EQ(out, "q");
	/* never a prefix or a suffix of another name */
	CHECK_INT_EQ(webreq_cookie("xtetrad_ui=1; tetrad_uix=2", "tetrad_ui", out, sizeof(out)), 0);
	CHECK_STR_EQ(out, "");
	CHECK_INT_EQ(webreq_cookie("tetrad_uix=2; tetrad_ui=3", "tetrad_ui", out, sizeof(out)), 1);
	CHECK_STR_EQ(out, "3");
	CHECK_INT_EQ(webreq_cookie("tetrad_ui", "tetrad_ui", out, sizeof(out)), 0);
	CHECK_INT_EQ(webreq_cookie("tetrad_ui=", "tetrad_ui", out, sizeof(out)), 1);
	CHECK_STR_EQ(out, "");
	CHECK_INT_EQ(webreq_cookie(NULL, "tetrad_ui", out, sizeof(out)), 0);
	CHECK_INT_EQ(webreq_cookie("", "tetrad_ui", out, sizeof(out)), 0);
	CHECK_INT_EQ(webreq_cookie(";;; ;", "tetrad_ui", out, sizeof(out)), 0);
	/* the first one counts */
	CHECK_INT_EQ(webreq_cookie("tetrad_ui=a; tetrad_ui=b", "tetrad_ui", out, sizeof(out)), 1);
	CHECK_STR_EQ(out, "a");
	/* does not fit: refused, out empty */
	CHECK_INT_EQ(webreq_cookie("tetrad_ui=0123456789", "tetrad_ui", out, 10), TERR_TOO_LARGE);
	CHECK_STR_EQ(out, "");
	CHECK_INT_EQ(webreq_cookie("tetrad_ui=012345678", "tetrad_ui", out, 10), 1);
	CHECK_STR_EQ(out, "012345678");
}

static void
test_host_origin(void)
{
	CHECK(webreq_host_local("127.0.0.1:8080", 8080));
	CHECK(webreq_host_local("localhost:8080", 8080));
	CHECK(webreq_host_local("LocalHost:8080", 8080));
	CHECK(webreq_host_local("127.0.0.1:1", 1));
	CHECK(webreq_host_local("127.0.0.1:65535", 65535));
	CHECK(!webreq_host_local("127.0.0.1:8081", 8080));
	CHECK(!webreq_host_local("127.0.0.1:808", 8080));
	CHECK(!webreq_host_local("127.0.0.1:80800", 8080));
	CHECK(!webreq_host_local("127.0.0.1:08080", 8080));
	CHECK(!webreq_host_local("127.0.0.1", 8080));
	CHECK(!webreq_host_local("localhost", 8080));
	CHECK(!webreq_host_local("127.0.0.1:", 8080));
	CHECK(!webreq_host_local("evil.example:8080", 8080));   /* DNS rebinding */
	CHECK(!webreq_host_local("127.0.0.1.nip.io:8080", 8080));
	CHECK(!webreq_host_local("localhost.:8080", 8080));
	CHECK(!webreq_host_local("127.0.0.2:8080", 8080));
	CHECK(!webreq_host_local("[::1]:8080", 8080));
	CHECK(!webreq_host_local(" 127.0.0.1:8080", 8080));
	CHECK(!webreq_host_local("127.0.0.1:8080 ", 8080));
	CHECK(!webreq_host_local("user@127.0.0.1:8080", 8080));
	CHECK(!webreq_host_local("127.0.0.1:+8080", 8080));
	CHECK(!webreq_host_local("", 8080));
	CHECK(!webreq_host_local(NULL, 8080));
	CHECK(!webreq_host_local("127.0.0.1:0", 0));

	CHECK(webreq_origin_local(NULL, 8080));
	CHECK(webreq_origin_local("http://127.0.0.1:8080", 8080));
	CHECK(webreq_origin_local("http://localhost:8080", 8080));
	CHECK(!webreq_origin_local("null", 8080));
	CHECK(!webreq_origin_local("", 8080));
	CHECK(!webreq_origin_local("https://127.0.0.1:8080", 8080));
	CHECK(!webreq_origin_local("http://127.0.0.1:8081", 8080));
	CHECK(!webreq_origin_local("http://127.0.0.1", 8080));
	CHECK(!webreq_origin_local("http://127.0.0.1:8080/", 8080));
	CHECK(!webreq_origin_local("http://evil.example:8080", 8080));
	CHECK(!webreq_origin_local("http://evil.example", 8080));
	CHECK(!webreq_origin_local("http://", 8080));
	CHECK(!webreq_origin_local("http:/", 8080));
}

static void
test_query_escape(void)
{
	char out[64];

	CHECK(webreq_query_escape("0193c0de-7a1b-7c00-8e21-0a0b0c0d0e0f", out, sizeof(out)));
	CHECK_STR_EQ(out, "0193c0de-7a1b-7c00-8e21-0a0b0c0d0e0f");
	CHECK(webreq_query_escape("a b&c=d/е", out, sizeof(out)));
	CHECK_STR_EQ(out, "a%20b%26c%3Dd%2F%D0%B5");
	CHECK(!webreq_query_escape("abc&", out, 6));
	CHECK_STR_EQ(out, "abc");
	CHECK(webreq_query_escape("", out, 1));
	CHECK_STR_EQ(out, "");
	CHECK(!webreq_query_escape("x", out, 0));
	/* escaped, then parsed back: the same text */
	{
		struct webform *f;
		struct terr e;
		char q[128] = "k=";

		CHECK(webreq_query_escape("Школа №5 & «лицей» +1", q + 2, sizeof(q) - 2));
		CHECK_INT_EQ(webreq_urlencoded(q, strlen(q), &f, &e), 0);
		CHECK_STR_EQ(webform_get(f, "k"), "Школа №5 & «лицей» +1");
		webform_free(f);
	}
}

int
main(void)
{
	test_urlencoded();
	test_urlencoded_caps();
	test_multipart();
	test_multipart_caps();
	test_cookie();
	test_host_origin();
	test_query_escape();
	return check_summary();
}
