/*
 * net — libcurl HTTPS client of the hub (see net.h).
 */
#include "syncd/net.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "tetrad/wire.h"

#define NET_HEALTH_MAX 4096  /* the hub's /v1/health answer is some 70 bytes */

struct net {
	CURL *curl;
	struct curl_slist *headers_bin, *headers_json, *headers_none;
	char base[NET_URL_MAX + 1];
	long connect_timeout_ms, timeout_ms;
	/* per request */
	struct tbuf *body;
	int too_large;
	int64_t date_s;
	char ctype[64];
	/* kept across requests */
	int have_skew;
	int64_t skew_ms;
	char errbuf[CURL_ERROR_SIZE];
};

int
net_check_url(const char *url, struct terr *e)
{
	size_t n;

	if (url == NULL || *url == '\0')
		return terr_set(e, TERR_ARG, "не указан адрес хаба");
	n = strlen(url);
	if (n > NET_URL_MAX)
		return terr_set(e, TERR_ARG, "адрес хаба слишком длинный");
	if (strncmp(url, "https://", 8) != 0 || n <= 8)
		return terr_set(e, TERR_ARG, "адрес хаба должен начинаться с https:// (получено «%.80s»)", url);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
			return terr_set(e, TERR_ARG, "адрес хаба содержит пробелы или управляющие символы");
	return 0;
}

int
net_check_pin(const char *pin, struct terr *e)
{
	const char *p = pin;

	if (pin == NULL || strlen(pin) > NET_PIN_MAX)
		return terr_set(e, TERR_ARG, "неверный отпечаток ключа (--pin)");
	for (;;) {
		size_t k = 0;

		if (strncmp(p, "sha256//", 8) != 0)
			return terr_set(e, TERR_ARG, "отпечаток ключа должен иметь вид sha256//<base64>, например sha256//AbC…=");
		p += 8;
		while (p[k] && p[k] != ';') {
			if (!isalnum((unsigned char)p[k]) && p[k] != '+' && p[k] != '/' && p[k] != '=')
				return terr_set(e, TERR_ARG, "отпечаток ключа содержит недопустимые символы");
			k++;
		}
		if (k != 44)
			return terr_set(e, TERR_ARG, "отпечаток ключа sha256 должен содержать 44 символа base64");
		p += k;
		if (*p == '\0')
			return 0;
		p++;
	}
}

static size_t
net_write_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct net *n = ud;
	size_t len = size * nmemb;

	if (tbuf_put(n->body, ptr, len) != 0) {
		n->too_large = 1;
		return 0;
	}
	return len;
}

/* Copies the trimmed value of header "name:" from line into out, or 0. */
static int
net_header_value(const char *line, size_t len, const char *name, char *out,
    size_t cap)
{
	size_t nl = strlen(name), i, j;

	if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return 0;
	i = nl + 1;
	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	j = len;
	while (j > i && (line[j - 1] == '\r' || line[j - 1] == '\n' || line[j - 1] == ' '))
		j--;
	if (j - i + 1 > cap)
		return 0;
	memcpy(out, line + i, j - i);
	out[j - i] = '\0';
	return 1;
}

static size_t
net_header_cb(char *buf, size_t size, size_t nitems, void *ud)
{
	struct net *n = ud;
	size_t len = size * nitems;
	char v[128];

	if (net_header_value(buf, len, "Date", v, sizeof(v))) {
		time_t t = curl_getdate(v, NULL);

		if (t > 0)
			n->date_s = (int64_t)t;
	} else if (net_header_value(buf, len, "Content-Type", v, sizeof(v))) {
		v[sizeof(n->ctype) - 1] = '\0';
		memcpy(n->ctype, v, sizeof(n->ctype));
	}
	return len;
}

int
net_new(const struct net_opts *o, struct net **out, struct terr *e)
{
	struct net *n = NULL;
	size_t bl;
	int r;

	*out = NULL;
	if ((r = net_check_url(o->base_url, e)) != 0)
		return r;
	if (o->pin && *o->pin && (r = net_check_pin(o->pin, e)) != 0)
		return r;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	snprintf(n->base, sizeof(n->base), "%s", o->base_url);
	bl = strlen(n->base);
	while (bl > 8 && n->base[bl - 1] == '/')
		n->base[--bl] = '\0';
	n->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : NET_CONNECT_TIMEOUT_MS;
	n->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : NET_TIMEOUT_MS;
	if ((n->curl = curl_easy_init()) == NULL) {
		r = terr_set(e, TERR_INTERNAL, "не удалось инициализировать libcurl");
		goto out;
	}
	/* An empty Expect: saves a round trip; our bodies are within the hub's cap. */
	n->headers_bin = curl_slist_append(NULL, "Content-Type: application/octet-stream");
	n->headers_bin = n->headers_bin ? curl_slist_append(n->headers_bin, "Expect:") : NULL;
	n->headers_json = curl_slist_append(NULL, "Content-Type: application/json");
	n->headers_json = n->headers_json ? curl_slist_append(n->headers_json, "Expect:") : NULL;
	n->headers_none = curl_slist_append(NULL, "Expect:");
	if (!n->headers_bin || !n->headers_json || !n->headers_none) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	curl_easy_setopt(n->curl, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(n->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(n->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(n->curl, CURLOPT_USERAGENT, "tetrad-syncd/0.1.0");
	curl_easy_setopt(n->curl, CURLOPT_ERRORBUFFER, n->errbuf);
	curl_easy_setopt(n->curl, CURLOPT_WRITEFUNCTION, net_write_cb);
	curl_easy_setopt(n->curl, CURLOPT_WRITEDATA, n);
	curl_easy_setopt(n->curl, CURLOPT_HEADERFUNCTION, net_header_cb);
	curl_easy_setopt(n->curl, CURLOPT_HEADERDATA, n);
	curl_easy_setopt(n->curl, CURLOPT_CONNECTTIMEOUT_MS, n->connect_timeout_ms);
	curl_easy_setopt(n->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(n->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(n->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	if (o->ca_file && *o->ca_file) {
		if (curl_easy_setopt(n->curl, CURLOPT_CAINFO, o->ca_file) != CURLE_OK) {
			r = terr_set(e, TERR_ARG, "не удалось использовать файл сертификата %s", o->ca_file);
			goto out;
		}
	}
	if (o->pin && *o->pin) {
		if (curl_easy_setopt(n->curl, CURLOPT_PINNEDPUBLICKEY, o->pin) != CURLE_OK) {
			r = terr_set(e, TERR_ARG, "эта сборка libcurl не поддерживает закрепление ключа (--pin)");
			goto out;
		}
		/*
		 * A pin without a CA file is how a self-signed hub is trusted: the
		 * key is then the whole proof, and curl still checks it (and the
		 * host name) before sending anything.
		 */
		if (!(o->ca_file && *o->ca_file))
			curl_easy_setopt(n->curl, CURLOPT_SSL_VERIFYPEER, 0L);
	}
	*out = n;
	n = NULL;
	r = 0;
 out:
	net_free(n);
	return r;
}

void
net_free(struct net *n)
{
	if (n == NULL)
		return;
	if (n->curl)
		curl_easy_cleanup(n->curl);
	curl_slist_free_all(n->headers_bin);
	curl_slist_free_all(n->headers_json);
	curl_slist_free_all(n->headers_none);
	free(n);
}

int
net_connect(struct net *n, struct terr *e)
{
	struct net_resp r;
	int rc;

	rc = net_request(n, "GET", WIRE_PATH_HEALTH, NULL, NULL, 0, NET_HEALTH_MAX, &r, e);
	net_resp_free(&r);
	/* an answer too long to keep still came over a working connection */
	if (rc == TERR_TOO_LARGE) {
		terr_clear(e);
		rc = 0;
	}
	return rc;
}

void
net_resp_free(struct net_resp *r)
{
	if (r == NULL)
		return;
	tbuf_free(r->body);
	r->body = NULL;
}

int
net_clock_skew(const struct net *n, int64_t *skew_ms)
{
	if (n == NULL || !n->have_skew)
		return 0;
	*skew_ms = n->skew_ms;
	return 1;
}

static int
net_curl_error(struct net *n, CURLcode cc, struct terr *e)
{
	const char *detail = n->errbuf[0] ? n->errbuf : curl_easy_strerror(cc);

	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return terr_set(e, TERR_IO, "хаб %s не найден (имя не разрешается): %s", n->base, detail);
	case CURLE_COULDNT_CONNECT:
		return terr_set(e, TERR_IO, "хаб %s недоступен: не удалось подключиться (%s)", n->base, detail);
	case CURLE_OPERATION_TIMEDOUT:
		return terr_set(e, TERR_IO, "хаб %s не ответил вовремя: %s", n->base, detail);
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return terr_set(e, TERR_IO, "ключ сертификата хаба %s не совпадает с закреплённым (--pin): "
		    "возможно, подключение перехвачено", n->base);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CONNECT_ERROR:
		return terr_set(e, TERR_IO, "сертификат хаба %s не прошёл проверку (проверьте файл CA или "
		    "отпечаток ключа, а также дату и время на компьютере): %s", n->base, detail);
	default:
		return terr_set(e, TERR_IO, "ошибка связи с хабом %s: %s", n->base, detail);
	}
}

int
net_request(struct net *n, const char *method, const char *path,
    const char *ctype, const void *body, size_t len, size_t max_resp,
    struct net_resp *r, struct terr *e)
{
	char url[NET_URL_MAX * 2];
	CURLcode cc;
	curl_off_t ra = 0;
	long total;
	int post = strcmp(method, "POST") == 0;

	memset(r, 0, sizeof(*r));
	if (snprintf(url, sizeof(url), "%s%s", n->base, path) >= (int)sizeof(url))
		return terr_set(e, TERR_ARG, "слишком длинный адрес запроса");
	if ((r->body = tbuf_new(max_resp)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	n->body = r->body;
	n->too_large = 0;
	n->date_s = 0;
	n->ctype[0] = '\0';
	n->errbuf[0] = '\0';
	/* 64 kbit/s is 8 KB/s: give a large body time at 4 KB/s on top. */
	total = n->timeout_ms + (long)(len / 4);
	curl_easy_setopt(n->curl, CURLOPT_URL, url);
	curl_easy_setopt(n->curl, CURLOPT_TIMEOUT_MS, total);
	if (post) {
		curl_easy_setopt(n->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(n->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(n->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(n->curl, CURLOPT_HTTPHEADER,
		    ctype && strcmp(ctype, "application/json") == 0 ? n->headers_json : n->headers_bin);
	} else {
		curl_easy_setopt(n->curl, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(n->curl, CURLOPT_HTTPHEADER, n->headers_none);
	}
	cc = curl_easy_perform(n->curl);
	n->body = NULL;
	if (cc == CURLE_WRITE_ERROR && n->too_large)
		return terr_set(e, TERR_TOO_LARGE, "ответ хаба длиннее %zu байт", max_resp);
	if (cc != CURLE_OK)
		return net_curl_error(n, cc, e);
	curl_easy_getinfo(n->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(n->curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		r->retry_after_s = ra > NET_RETRY_AFTER_MAX_S ? NET_RETRY_AFTER_MAX_S : (int64_t)ra;
	snprintf(r->content_type, sizeof(r->content_type), "%s", n->ctype);
	if (n->date_s > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		/* Date has 1 s resolution: compare with our time rounded down too. */
		n->skew_ms = ((int64_t)ts.tv_sec - n->date_s) * 1000;
		n->have_skew = 1;
	}
	return 0;
}
