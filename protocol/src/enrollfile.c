/*
 * enrollfile — the enrollment file (enrollfile.h). It travels by e-mail or
 * a USB stick to a school and is opened by a person who may have picked the
 * wrong file: every member is checked, anything unknown refused, and each
 * refusal says in Russian what is wrong, naming the member.
 */
#include "tetrad/enrollfile.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/school.h"
#include "wire_json.h"

static const char enrollfile_what[] = "файл подключения";

/* the members a format 1 file may hold */
static const char *const enrollfile_members[] = {
	"format", "hub", "token", "pin", "school", "curator", "schools", "expires", NULL,
};

/* Every failure as the header promises: too large, or the file is wrong. */
static int
enrollfile_fail(struct terr *e, int r)
{
	if (r != TERR_TOO_LARGE && r != TERR_NOMEM)
		e->code = r = TERR_PARSE;
	return r;
}

static bool
enrollfile_member_known(const char *name)
{
	for (size_t i = 0; enrollfile_members[i]; i++)
		if (strcmp(enrollfile_members[i], name) == 0)
			return true;
	return false;
}

/* "https://" and then a host (and port, path) of visible ASCII. */
static bool
enrollfile_url_ok(const char *s)
{
	if (strncmp(s, "https://", 8) != 0 || s[8] == '\0' || s[8] == '/')
		return false;
	for (s += 8; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Visible ASCII only: what a person could retype from paper. */
static bool
enrollfile_token_ok(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* "sha256//" and 44 base64 characters, several joined by ';' (as
 * tetrad-syncd's --pin takes them). */
static bool
enrollfile_pin_ok(const char *p)
{
	for (;;) {
		size_t k = 0;

		if (strncmp(p, "sha256//", 8) != 0)
			return false;
		p += 8;
		for (; p[k] && p[k] != ';'; k++)
			if (!((p[k] >= 'A' && p[k] <= 'Z') || (p[k] >= 'a' && p[k] <= 'z') ||
			    (p[k] >= '0' && p[k] <= '9') || p[k] == '+' || p[k] == '/' || p[k] == '='))
				return false;
		if (k != 44)
			return false;
		p += k;
		if (*p == '\0')
			return true;
		p++;
	}
}

/* YYYY-MM-DDTHH:MM:SSZ, digits where digits go. */
static bool
enrollfile_time_ok(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";

	if (strlen(s) != sizeof(pat) - 1)
		return false;
	for (size_t i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i])
			return false;
	return true;
}

static int
enrollfile_schools(const cJSON *o, struct enrollfile *ef, struct terr *e)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "schools"), *it;

	if (a == NULL)
		return 0;
	if (!cJSON_IsArray(a))
		return terr_set(e, TERR_PARSE, "%s: поле «schools» должно быть списком кодов школ",
		    enrollfile_what);
	cJSON_ArrayForEach(it, a) {
		if (ef->n_schools >= ENROLLFILE_SCHOOLS_MAX)
			return terr_set(e, TERR_TOO_LARGE, "%s: в списке «schools» больше %d школ",
			    enrollfile_what, ENROLLFILE_SCHOOLS_MAX);
		if (!cJSON_IsString(it) || !school_code_ok(it->valuestring))
			return terr_set(e, TERR_PARSE, "%s: в списке «schools» не код школы (коды — "
			    "латинские буквы, цифры, «-» и «_», до %d знаков)", enrollfile_what,
			    SCHOOL_CODE_MAX);
		for (size_t i = 0; i < ef->n_schools; i++)
			if (strcmp(ef->schools[i], it->valuestring) == 0)
				return terr_set(e, TERR_PARSE, "%s: школа «%s» в списке «schools» дважды",
				    enrollfile_what, it->valuestring);
		snprintf(ef->schools[ef->n_schools++], sizeof(ef->schools[0]), "%s",
		    it->valuestring);
	}
	return 0;
}

static int
enrollfile_read(const cJSON *o, struct enrollfile *ef, struct terr *e)
{
	const cJSON *it, *fmt;
	int r;

	cJSON_ArrayForEach(it, o)
		if (!enrollfile_member_known(it->string))
			return terr_set(e, TERR_PARSE, "%s: неизвестное поле «%.64s» — файл сделан более "
			    "новой версией хаба? Обновите Тетрад", enrollfile_what,
			    wire_json_plain_ok(it->string, 64) ? it->string : "?");
	fmt = cJSON_GetObjectItemCaseSensitive(o, "format");
	if (fmt != NULL && (!cJSON_IsNumber(fmt) || fmt->valuedouble != ENROLLFILE_FORMAT))
		return terr_set(e, TERR_PARSE, "%s: формат файла не %d — файл сделан другой версией "
		    "хаба; попросите у координатора новый файл или обновите Тетрад", enrollfile_what,
		    ENROLLFILE_FORMAT);
	if ((r = wire_json_get_str(o, "hub", true, true, ef->hub, sizeof(ef->hub),
	    enrollfile_what, e)) < 0)
		return r;
	if (!enrollfile_url_ok(ef->hub))
		return terr_set(e, TERR_PARSE, "%s: адрес хаба должен начинаться с https:// и не "
		    "содержать пробелов", enrollfile_what);
	if ((r = wire_json_get_str(o, "token", true, true, ef->token, sizeof(ef->token),
	    enrollfile_what, e)) < 0)
		return r;
	if (!enrollfile_token_ok(ef->token))
		return terr_set(e, TERR_PARSE, "%s: код регистрации пуст или содержит недопустимые "
		    "символы", enrollfile_what);
	if ((r = wire_json_get_str(o, "pin", true, true, ef->pin, sizeof(ef->pin),
	    enrollfile_what, e)) < 0)
		return r;
	if (!enrollfile_pin_ok(ef->pin))
		return terr_set(e, TERR_PARSE, "%s: отпечаток сертификата хаба должен иметь вид "
		    "sha256//<44 знака base64>", enrollfile_what);
	if ((r = wire_json_get_str(o, "school", false, true, ef->school, sizeof(ef->school),
	    enrollfile_what, e)) < 0)
		return r;
	if (r == 0 && !school_code_ok(ef->school))
		return terr_set(e, TERR_PARSE, "%s: «school» не код школы", enrollfile_what);
	if ((r = wire_json_get_str(o, "curator", false, true, ef->curator,
	    sizeof(ef->curator), enrollfile_what, e)) < 0)
		return r;
	if (ef->school[0] && ef->curator[0])
		return terr_set(e, TERR_PARSE, "%s: указаны и школа, и куратор — файл для одного "
		    "устройства бывает либо школьным, либо кураторским", enrollfile_what);
	if ((r = wire_json_get_str(o, "expires", false, true, ef->expires,
	    sizeof(ef->expires), enrollfile_what, e)) < 0)
		return r;
	if (r == 0 && !enrollfile_time_ok(ef->expires))
		return terr_set(e, TERR_PARSE, "%s: срок действия «expires» должен иметь вид "
		    "ГГГГ-ММ-ДДTЧЧ:ММ:ССZ", enrollfile_what);
	return enrollfile_schools(o, ef, e);
}

int
enrollfile_parse(const char *text, size_t len, struct enrollfile *out, struct terr *e)
{
	cJSON *o = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (text == NULL)
		return terr_set(e, TERR_PARSE, "%s пуст", enrollfile_what);
	if ((r = wire_json_open(text, len, ENROLLFILE_MAX, enrollfile_what, &o, e)) != 0)
		return enrollfile_fail(e, r);
	r = enrollfile_read(o, out, e);
	cJSON_Delete(o);
	if (r != 0) {
		memset(out, 0, sizeof(*out));
		return enrollfile_fail(e, r);
	}
	return 0;
}

int
enrollfile_format(const struct enrollfile *ef, char **out, struct terr *e)
{
	cJSON *o = NULL, *a;
	char *text = NULL;
	struct enrollfile back;
	int r;

	*out = NULL;
	if ((o = cJSON_CreateObject()) == NULL ||
	    !cJSON_AddNumberToObject(o, "format", ENROLLFILE_FORMAT) ||
	    !cJSON_AddStringToObject(o, "hub", ef->hub) ||
	    !cJSON_AddStringToObject(o, "token", ef->token) ||
	    !cJSON_AddStringToObject(o, "pin", ef->pin) ||
	    (ef->school[0] && !cJSON_AddStringToObject(o, "school", ef->school)) ||
	    (ef->curator[0] && !cJSON_AddStringToObject(o, "curator", ef->curator)) ||
	    (ef->expires[0] && !cJSON_AddStringToObject(o, "expires", ef->expires)))
		goto nomem;
	if (ef->n_schools > 0) {
		if (ef->n_schools > ENROLLFILE_SCHOOLS_MAX ||
		    (a = cJSON_AddArrayToObject(o, "schools")) == NULL)
			goto nomem;
		for (size_t i = 0; i < ef->n_schools; i++) {
			cJSON *s = cJSON_CreateString(ef->schools[i]);

			if (s == NULL || !cJSON_AddItemToArray(a, s)) {
				cJSON_Delete(s);
				goto nomem;
			}
		}
	}
	/* indented for a person who opens it; a long list of schools on one
	 * line keeps it under ENROLLFILE_MAX */
	if ((text = cJSON_Print(o)) != NULL && strlen(text) > ENROLLFILE_MAX - 1) {
		cJSON_free(text);
		text = cJSON_PrintUnformatted(o);
	}
	if (text == NULL)
		goto nomem;
	cJSON_Delete(o);
	o = NULL;
	/* a file this program would refuse is never written */
	if ((r = enrollfile_parse(text, strlen(text), &back, e)) != 0) {
		char why[TERR_MSG_MAX];

		cJSON_free(text);
		snprintf(why, sizeof(why), "%s", e->msg);
		return terr_set(e, TERR_ARG, "нельзя записать файл подключения: %s", why);
	}
	{
		size_t n = strlen(text);
		char *copy = malloc(n + 2);

		if (copy == NULL) {
			cJSON_free(text);
			return terr_set(e, TERR_NOMEM, "недостаточно памяти");
		}
		memcpy(copy, text, n);
		copy[n] = '\n';
		copy[n + 1] = '\0';
		cJSON_free(text);
		*out = copy;
	}
	return 0;
 nomem:
	cJSON_Delete(o);
	return terr_set(e, TERR_NOMEM, "недостаточно памяти");
}
