/*
 * dash_enroll — the administrator's actions on devices: a one-time
 * enrollment token for a school or a curator, given as the enrollment file
 * (the hub's address, the token, the pin of its certificate: what `tetrad
 * enroll --file` and the curators' interface take) and as a QR code of that
 * file, drawn as SVG with libqrencode; and revoking a lost device.
 *
 * The token exists in clear only in the answer to the POST that made it
 * (the store keeps its hash): the page shows the file and its QR code, and
 * its «Скачать» button posts the file back to be sent as an attachment —
 * checked as an enrollment file, never kept. No program is run with the
 * token on its command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qrencode.h>
#include <sodium.h>

#include "dash_private.h"
#include "hub/tls.h"
#include "hub/tokens.h"
#include "tetrad/enrollfile.h"
#include "tetrad/school.h"

#define DASH_QR_QUIET 4              /* modules of white around the code */

void
dash_token_form(struct dash_req *rq, struct html *h)
{
	static const char *const ttl[][2] = {
		{ "1d", "1 день" }, { "7d", "7 дней" }, { "30d", "30 дней" },
	};

	html_elem(h, "h2", "Выдать код регистрации", NULL);
	html_open(h, "form", "method", "post", "action", "/admin/tokens", "class", "tform", NULL);
	dash_csrf_input(rq, h);
	html_open(h, "fieldset", "class", "choices", NULL);
	html_elem(h, "legend", "Для кого", NULL);
	html_open(h, "label", NULL);
	html_void(h, "input", "type", "radio", "name", "kind", "value", "school", "checked", "", NULL);
	html_text(h, " компьютер школы");
	html_close(h, "label");
	html_open(h, "label", NULL);
	html_void(h, "input", "type", "radio", "name", "kind", "value", "curator", NULL);
	html_text(h, " ноутбук куратора");
	html_close(h, "label");
	html_close(h, "fieldset");
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", "Код школы (для компьютера школы)", "for", "school", NULL);
	html_void(h, "input", "type", "text", "name", "school", "id", "school", "size", "12", NULL);
	html_close(h, "div");
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", "Куратор: фамилия и инициалы", "for", "curator", NULL);
	html_void(h, "input", "type", "text", "name", "curator", "id", "curator", "size", "40", NULL);
	html_close(h, "div");
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", "Школы куратора: коды через запятую", "for", "schools", NULL);
	html_void(h, "input", "type", "text", "name", "schools", "id", "schools", "size", "60", NULL);
	html_close(h, "div");
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", "Код действует", "for", "expires", NULL);
	html_open(h, "select", "name", "expires", "id", "expires", NULL);
	for (size_t i = 0; i < 3; i++)
		html_elem(h, "option", ttl[i][1], "value", ttl[i][0], "selected", i == 1 ? "" : NULL,
		    NULL);
	html_close(h, "select");
	html_close(h, "div");
	html_open(h, "p", "class", "buttons", NULL);
	html_elem(h, "button", "Выдать код", "type", "submit", "class", "primary", NULL);
	html_close(h, "p");
	html_close(h, "form");
	html_elem(h, "h2", "Выданные коды", NULL);
}

void
dash_revoke_forms(struct dash_req *rq, struct html *h)
{
	const char *done = dash_arg(rq, "revoked");

	if (done != NULL && strlen(done) == KEYS_ID_HEXLEN &&
	    strspn(done, "0123456789abcdef") == KEYS_ID_HEXLEN) {
		html_open(h, "p", "class", "flash", "role", "status", NULL);
		html_textf(h, "Устройство %s отозвано: его следующие наборы будут отклонены; "
		    "принятые раньше данные сохранены.", done);
		html_close(h, "p");
	}
	html_open(h, "details", NULL);
	html_elem(h, "summary", "Отозвать потерянное или украденное устройство", NULL);
	html_open(h, "form", "method", "post", "action", "/admin/devices", "class", "tform", NULL);
	dash_csrf_input(rq, h);
	html_open(h, "div", "class", "field", NULL);
	html_elem(h, "label", "Номер устройства (16 знаков из таблицы ниже)", "for", "device", NULL);
	html_void(h, "input", "type", "text", "name", "device", "id", "device", "size", "20",
	    "pattern", "[0-9a-fA-F]{16}", "required", "", NULL);
	html_close(h, "div");
	html_open(h, "label", NULL);
	html_void(h, "input", "type", "checkbox", "name", "confirm", "value", "yes", "required", "",
	    NULL);
	html_text(h, " Понимаю: отозванное устройство больше не сможет передавать данные; "
	    "вернуть его можно только новой регистрацией.");
	html_close(h, "label");
	html_open(h, "p", "class", "buttons", NULL);
	html_elem(h, "button", "Отозвать", "type", "submit", "class", "danger", NULL);
	html_close(h, "p");
	html_close(h, "form");
	html_close(h, "details");
}

/* The QR code of text as an SVG path of its dark modules; false when it does not fit. */
static bool
dash_qr_svg(struct html *h, const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	char vb[48], sz[16], *d = NULL;
	size_t cap, n = 0;
	int side;

	if (qr == NULL)
		return false;
	side = qr->width + 2 * DASH_QR_QUIET;
	cap = (size_t)qr->width * (size_t)qr->width * 24 + 1;
	if ((d = malloc(cap)) == NULL) {
		QRcode_free(qr);
		return false;
	}
	d[0] = '\0';
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			if (qr->data[y * qr->width + x] & 1)
				n += (size_t)snprintf(d + n, cap - n, "M%d %dh1v1h-1z",
				    x + DASH_QR_QUIET, y + DASH_QR_QUIET);
	snprintf(vb, sizeof(vb), "0 0 %d %d", side, side);
	snprintf(sz, sizeof(sz), "%d", side);
	html_open(h, "svg", "xmlns", "http://www.w3.org/2000/svg", "viewbox", vb, "class", "qr",
	    "role", "img", "aria-label", "QR-код файла подключения", "shape-rendering",
	    "crispEdges", NULL);
	html_elem(h, "rect", "", "width", sz, "height", sz, "class", "qr-bg", NULL);
	html_elem(h, "path", "", "d", d, "class", "qr-fg", NULL);
	html_close(h, "svg");
	free(d);
	QRcode_free(qr);
	return true;
}

/* The hub's address for the file: hub.conf's public_url, else the page's own. */
static void
dash_hub_url(struct dash_req *rq, char *out, size_t cap)
{
	const char *pub = dash_config(rq->d)->public_url;

	if (pub != NULL && pub[0])
		snprintf(out, cap, "%s", pub);
	else
		snprintf(out, cap, "https://%s", rq->host[0] ? rq->host : "127.0.0.1");
}

int
dash_token_post(struct dash_req *rq, const char *rest)
{
	const char *kind = dash_field(rq, "kind"), *school = dash_field(rq, "school");
	const char *curator = dash_field(rq, "curator"), *schools = dash_field(rq, "schools");
	const char *expires = dash_field(rq, "expires");
	const struct dash_cfg *cfg = dash_config(rq->d);
	char tok[TOKENS_TEXT_MAX + 1], list[HUBDB_SCHOOLS_MAX + 1], obj[HUBDB_AUDIT_TEXT_MAX];
	struct enrollfile *ef = NULL;
	bool is_school;
	char *text = NULL;
	struct html *h;
	struct terr e;
	time_t until;
	struct tm tm;
	int64_t ttl;

	(void)rest;
	terr_clear(&e);
	tok[0] = '\0';
	is_school = kind == NULL || strcmp(kind, "curator") != 0;
	if (tokens_parse_ttl(expires ? expires : "7d", &ttl, &e) != 0)
		return dash_error(rq, 400, "Код не выдан", "%s", e.msg);
	if (is_school ? (school == NULL || school[0] == '\0') :
	    (curator == NULL || curator[0] == '\0' || schools == NULL || schools[0] == '\0'))
		return dash_error(rq, 400, "Код не выдан", is_school ? "Укажите код школы." :
		    "Укажите куратора и коды его школ через запятую.");
	if (is_school && !school_code_ok(school))
		return dash_error(rq, 400, "Код не выдан", "Код школы «%.32s» записан неверно: "
		    "один код, без запятых.", school);
	if (school_list_normalize(is_school ? school : schools, list, sizeof(list), &e) != 0)
		return dash_error(rq, 400, "Код не выдан", "%s", e.msg);
	if (!is_school && strlen(curator) > HUBDB_LABEL_MAX)
		return dash_error(rq, 400, "Код не выдан", "Имя куратора длиннее %d байт.",
		    HUBDB_LABEL_MAX);
	if ((ef = calloc(1, sizeof(*ef))) == NULL)
		return dash_reply_html(rq, 503, NULL);
	if (cfg->cert_path == NULL || tls_pin(cfg->cert_path, ef->pin, &e) != 0) {
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s token: the certificate's pin: %s", rq->addr,
		    e.msg);
		free(ef);
		return dash_error(rq, 503, "Код не выдан", "Хаб не смог прочитать свой сертификат "
		    "для файла подключения. Сообщите администратору сервера.");
	}
	dash_hub_url(rq, ef->hub, sizeof(ef->hub));
	if (is_school)
		snprintf(ef->school, sizeof(ef->school), "%.63s", list);
	else {
		const char *cur = list;
		char code[SCHOOL_CODE_MAX + 1];

		snprintf(ef->curator, sizeof(ef->curator), "%s", curator);
		while (school_list_next(&cur, code)) {
			if (ef->n_schools == ENROLLFILE_SCHOOLS_MAX) {
				free(ef);
				return dash_error(rq, 400, "Код не выдан", "У куратора больше %d школ: "
				    "файл подключения столько не вмещает.", ENROLLFILE_SCHOOLS_MAX);
			}
			snprintf(ef->schools[ef->n_schools++], sizeof(ef->schools[0]), "%s", code);
		}
	}
	until = (time_t)(rq->now + ttl);
	if (gmtime_r(&until, &tm) != NULL)
		strftime(ef->expires, sizeof(ef->expires), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/*
	 * The file is tried with a token of the same shape before the token is
	 * made: a file that cannot be written must not leave a token no one
	 * has seen (and the audit log without it).
	 */
	snprintf(ef->token, sizeof(ef->token), "AAAA-AAAA-AAAA-AAAA-AAAA");
	if (enrollfile_format(ef, &text, &e) != 0) {
		free(ef);
		return dash_error(rq, 400, "Код не выдан", "%s", e.msg);
	}
	free(text);
	text = NULL;
	if (tokens_create(rq->db, is_school ? "school" : "curator", is_school ? "" : curator, list,
	    ttl, tok, &e) != 0) {
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s token: %s", rq->addr, e.msg);
		free(ef);
		return dash_error(rq, 503, "Код не выдан", "Хаб не смог сохранить код. Повторите "
		    "позже.");
	}
	snprintf(ef->token, sizeof(ef->token), "%s", tok);
	if (enrollfile_format(ef, &text, &e) != 0) {
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s token's file: %s", rq->addr, e.msg);
		sodium_memzero(tok, sizeof(tok));
		sodium_memzero(ef, sizeof(*ef));
		free(ef);
		return dash_error(rq, 503, "Код не выдан", "%s", e.msg);
	}
	/* who got a token, never the token */
	snprintf(obj, sizeof(obj), "%s %.150s", is_school ? "school" : "curator", list);
	dash_audit(rq, NULL, "token_create", obj, "ok");
	if ((h = dash_page_begin(rq, "Код регистрации выдан", "admin")) != NULL) {
		char shown[32] = "";

		if (gmtime_r(&until, &tm) != NULL)
			strftime(shown, sizeof(shown), "%d.%m.%Y %H:%M", &tm);
		html_open(h, "p", NULL);
		html_textf(h, "Для %s %s. Код одноразовый и действует до %s (UTC). Передайте "
		    "файл подключения %s по почте или на флешке: в программе «Тетрад» на странице "
		    "«Подключение к хабу» выбирают этот файл. QR-код содержит тот же файл. Храните "
		    "файл как пароль: хаб не покажет код второй раз.", is_school ? "школы" :
		    "куратора", is_school ? list : curator, shown, is_school ? "школе" : "куратору");
		html_close(h, "p");
		html_open(h, "div", "class", "enroll", NULL);
		if (!dash_qr_svg(h, text))
			html_elem(h, "p", "QR-код не получился: передайте файл.", "class", "muted", NULL);
		html_open(h, "div", NULL);
		html_open(h, "form", "method", "post", "action", "/admin/enroll-file", NULL);
		dash_csrf_input(rq, h);
		html_void(h, "input", "type", "hidden", "name", "file", "value", text, NULL);
		html_elem(h, "button", "Скачать файл подключения", "type", "submit", "class",
		    "primary", NULL);
		html_close(h, "form");
		html_open(h, "p", NULL);
		html_text(h, "Код для ввода вручную: ");
		html_elem(h, "code", tok, "class", "token", NULL);
		html_close(h, "p");
		html_elem(h, "pre", text, "class", "enroll-file", NULL);
		html_close(h, "div");
		html_close(h, "div");
		html_open(h, "p", NULL);
		html_elem(h, "a", "К списку кодов", "href", "/admin/tokens", NULL);
		html_close(h, "p");
	}
	dash_page_end(rq, h);
	sodium_memzero(tok, sizeof(tok));
	sodium_memzero(text, strlen(text));
	free(text);
	sodium_memzero(ef, sizeof(*ef));
	free(ef);
	return 0;
}

int
dash_enroll_file_post(struct dash_req *rq, const char *rest)
{
	const char *file = dash_field(rq, "file");
	struct enrollfile *ef;
	char name[96], *copy;
	size_t len;
	struct terr e;

	(void)rest;
	terr_clear(&e);
	if (file == NULL || (ef = calloc(1, sizeof(*ef))) == NULL)
		return dash_error(rq, 400, "Файл не выдан", "Нет файла подключения.");
	len = strlen(file);
	/* only an enrollment file goes back out: this is no echo of anything */
	if (enrollfile_parse(file, len, ef, &e) != 0) {
		free(ef);
		return dash_error(rq, 400, "Файл не выдан", "%s", e.msg);
	}
	snprintf(name, sizeof(name), "tetrad-%s%s", ef->school[0] ? ef->school : "curator",
	    ENROLLFILE_EXT);
	dash_audit(rq, NULL, "enroll_file", ef->school[0] ? ef->school : "curator", "ok");
	sodium_memzero(ef, sizeof(*ef));
	free(ef);
	if ((copy = malloc(len + 1)) == NULL)
		return dash_reply_html(rq, 503, NULL);
	memcpy(copy, file, len + 1);
	return dash_reply_bytes(rq, 200, "application/json", copy, len, name);
}

int
dash_revoke_post(struct dash_req *rq, const char *rest)
{
	const char *dev = dash_field(rq, "device"), *confirm = dash_field(rq, "confirm");
	struct hubdb_device d;
	char to[64], id[KEYS_ID_HEXLEN + 1];
	bool found = false;
	struct terr e;

	(void)rest;
	terr_clear(&e);
	if (dev == NULL || strlen(dev) != KEYS_ID_HEXLEN ||
	    strspn(dev, "0123456789abcdefABCDEF") != KEYS_ID_HEXLEN)
		return dash_error(rq, 400, "Устройство не отозвано", "Номер устройства — 16 "
		    "шестнадцатеричных знаков из таблицы «Устройства».");
	for (size_t i = 0; i <= KEYS_ID_HEXLEN; i++)
		id[i] = (char)(dev[i] >= 'A' && dev[i] <= 'F' ? dev[i] - 'A' + 'a' : dev[i]);
	if (confirm == NULL || strcmp(confirm, "yes") != 0)
		return dash_error(rq, 400, "Устройство не отозвано", "Подтвердите отзыв отметкой в "
		    "форме.");
	if (hubdb_device_get(rq->db, id, &d, &found, &e) != 0)
		return dash_error(rq, 503, "Устройство не отозвано", "Хаб сейчас не может прочитать "
		    "устройства. Повторите позже.");
	if (!found)
		return dash_error(rq, 404, "Устройство не отозвано", "Устройства %s нет.", id);
	if (d.revoked)
		return dash_error(rq, 409, "Устройство не отозвано", "Устройство %s уже отозвано.", id);
	if (hubdb_device_revoke(rq->db, id, &e) != 0) {
		dash_log(rq, SERVER_LOG_ERR, "web addr=%s revoke %s: %s", rq->addr, id, e.msg);
		return dash_error(rq, 503, "Устройство не отозвано", "Хаб не смог отозвать "
		    "устройство. Повторите позже.");
	}
	dash_audit(rq, NULL, "device_revoke", id, "ok");
	snprintf(to, sizeof(to), "/admin/devices?revoked=%s", id);
	return dash_redirect(rq, to);
}
