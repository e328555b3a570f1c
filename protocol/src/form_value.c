/*
 * form_value — one value of one field judged by itself (type, bounds,
 * length, mask, choices), and the few ways messages about values are
 * written: Russian plurals, numbers whatever the locale, a typed value
 * echoed back short and valid.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tetrad/form.h"
#include "form_value.h"

/* Integers must be exact in a double. */
#define FORM_INT_LIMIT 9007199254740992.0
#define FORM_VALUE_DATE_FORMAT FORM_DATE_FORMAT_RU

/* "YYYY-MM-DD" in shape (digits and dashes), whatever the calendar says. */
static int
form_value_date_shape(const char *s)
{
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
			return 0;
	return 1;
}

bool
form_date_ru(const char *s, char out[11])
{
	out[0] = '\0';
	if (!form_value_date_shape(s))
		return false;
	memcpy(out, s + 8, 2);
	out[2] = '.';
	memcpy(out + 3, s + 5, 2);
	out[5] = '.';
	memcpy(out + 6, s, 4);
	out[10] = '\0';
	return true;
}

const char *
form_value_plural(size_t n, const char *one, const char *few, const char *many)
{
	if (n % 100 >= 11 && n % 100 <= 14)
		return many;
	if (n % 10 == 1)
		return one;
	if (n % 10 >= 2 && n % 10 <= 4)
		return few;
	return many;
}

void
form_value_num(double x, char *buf, size_t sz)
{
	if (x == floor(x) && fabs(x) < 1e16)
		snprintf(buf, sz, "%.0f", x);
	else {
		snprintf(buf, sz, "%.15g", x);
		/* printf follows LC_NUMERIC; messages must not */
		for (char *q = buf; *q; q++)
			if (*q == ',')
				*q = '.';
	}
}

void
form_value_echo(const char *s, char *buf, size_t sz)
{
	size_t n = strlen(s), cut = 0;
	const unsigned char *u = (const unsigned char *)s;

	if (sz == 0)
		return;
	if (form_utf8_chars(s, n) == (size_t)-1) {
		snprintf(buf, sz, "(не UTF-8)");
		return;
	}
	if (n <= FORM_ECHO_MAX && n < sz) {
		memcpy(buf, s, n + 1);
		return;
	}
	cut = FORM_ECHO_MAX < sz - 4 ? FORM_ECHO_MAX : sz - 4;
	while (cut > 0 && (u[cut] & 0xc0) == 0x80)
		cut--;
	memcpy(buf, s, cut);
	memcpy(buf + cut, "…", 4);
}


/* s has the shape of mask: '9' a digit, anything else itself (bytewise, so
 * a Cyrillic literal compares as its UTF-8 bytes). */
static int
form_value_mask_ok(const char *mask, const char *s)
{
	for (; *mask != '\0'; mask++, s++) {
		if (*mask == '9') {
			if (!(*s >= '0' && *s <= '9'))
				return 0;
		} else if (*s != *mask)
			return 0;
	}
	return *s == '\0';
}

int
form_value_check(const struct form_field *fl, const cJSON *val, char *msg,
    size_t sz)
{
	char a[64], b[64];
	long days;
	size_t chars;
	double x;

	switch (fl->type) {
	case FORM_TEXT:
		if (!cJSON_IsString(val) || val->valuestring == NULL) {
			snprintf(msg, sz, "нужен текст");
			return 1;
		}
		chars = form_utf8_chars(val->valuestring, strlen(val->valuestring));
		if (chars == (size_t)-1) {
			snprintf(msg, sz, "текст не в кодировке UTF-8");
			return 1;
		}
		if (chars > fl->max_length) {
			snprintf(msg, sz, "не длиннее %zu %s (сейчас %zu)",
			    fl->max_length, form_value_plural(fl->max_length, "символа",
			    "символов", "символов"), chars);
			return 1;
		}
		if (fl->mask != NULL && !form_value_mask_ok(fl->mask, val->valuestring)) {
			snprintf(msg, sz, "нужно в виде «%s», где 9 — цифра", fl->mask);
			return 1;
		}
		if (chars < fl->min_length) {
			snprintf(msg, sz, "не короче %zu %s (сейчас %zu)",
			    fl->min_length, form_value_plural(fl->min_length, "символа",
			    "символов", "символов"), chars);
			return 1;
		}
		return 0;
	case FORM_INTEGER:
	case FORM_DECIMAL:
	case FORM_SCALE:
		if (!cJSON_IsNumber(val) || !isfinite(val->valuedouble)) {
			snprintf(msg, sz, fl->type == FORM_DECIMAL ? "нужно число" :
			    "нужно целое число");
			return 1;
		}
		x = val->valuedouble;
		if (fl->type != FORM_DECIMAL &&
		    (x != floor(x) || fabs(x) > FORM_INT_LIMIT)) {
			snprintf(msg, sz, "нужно целое число");
			return 1;
		}
		if (fl->type == FORM_SCALE &&
		    ((fl->has_min && x < fl->min) || (fl->has_max && x > fl->max))) {
			form_value_num(fl->min, a, sizeof(a));
			form_value_num(fl->max, b, sizeof(b));
			snprintf(msg, sz, "нужна оценка от %s до %s", a, b);
			return 1;
		}
		if (fl->has_min && x < fl->min) {
			form_value_num(fl->min, a, sizeof(a));
			snprintf(msg, sz, "не может быть меньше %s", a);
			return 1;
		}
		if (fl->has_max && x > fl->max) {
			form_value_num(fl->max, a, sizeof(a));
			snprintf(msg, sz, "не может быть больше %s", a);
			return 1;
		}
		return 0;
	case FORM_DATE:
		if (!cJSON_IsString(val) || val->valuestring == NULL ||
		    form_date_days(val->valuestring, &days) != 0) {
			/* the right shape with a day the calendar has not got (31.02)
			 * is no format error: say so. The rule only, never the value:
			 * hub reasons are stored (the client adds what was typed, on
			 * the typist's own screen). */
			if (cJSON_IsString(val) && form_value_date_shape(val->valuestring) &&
			    (memcmp(val->valuestring, "1900", 4) < 0 ||
			    memcmp(val->valuestring, "2999", 4) > 0))
				snprintf(msg, sz, "год должен быть от 1900 до 2999");
			else if (cJSON_IsString(val) && form_value_date_shape(val->valuestring))
				snprintf(msg, sz, "такой даты нет в календаре: нужна существующая "
				    "дата " FORM_VALUE_DATE_FORMAT);
			else
				snprintf(msg, sz, "нужна дата в виде " FORM_VALUE_DATE_FORMAT
				    " (например, 10.03.2021)");
			return 1;
		}
		if (fl->has_min && (double)days < fl->min) {
			form_date_format((long)fl->min, b);
			form_date_ru(b, a);
			snprintf(msg, sz, "не может быть раньше %s", a);
			return 1;
		}
		if (fl->has_max && (double)days > fl->max) {
			form_date_format((long)fl->max, b);
			form_date_ru(b, a);
			snprintf(msg, sz, "не может быть позже %s", a);
			return 1;
		}
		return 0;
	case FORM_BOOLEAN:
		if (!cJSON_IsBool(val)) {
			snprintf(msg, sz, "нужно «да» или «нет»");
			return 1;
		}
		return 0;
	case FORM_CHOICE:
		if (!cJSON_IsString(val) || val->valuestring == NULL) {
			snprintf(msg, sz, "нужен код одного из вариантов");
			return 1;
		}
		if (form_choice_find(fl, val->valuestring) == NULL) {
			snprintf(msg, sz, "нет такого варианта в списке");
			return 1;
		}
		return 0;
	case FORM_MULTI:
		if (!cJSON_IsArray(val)) {
			snprintf(msg, sz, "нужен список вариантов");
			return 1;
		}
		for (const cJSON *m = val->child; m != NULL; m = m->next) {
			if (!cJSON_IsString(m) || m->valuestring == NULL) {
				snprintf(msg, sz, "в списке вариантов должны быть коды");
				return 1;
			}
			if (form_choice_find(fl, m->valuestring) == NULL) {
				snprintf(msg, sz, "нет такого варианта в списке");
				return 1;
			}
			for (const cJSON *o = m->next; o != NULL; o = o->next)
				if (cJSON_IsString(o) &&
				    strcmp(o->valuestring, m->valuestring) == 0) {
					snprintf(msg, sz, "один вариант указан дважды");
					return 1;
				}
		}
		return 0;
	default:
		snprintf(msg, sz, "группу нельзя задать одним значением");
		return 1;
	}
}
