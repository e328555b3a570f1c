/*
 * textin — text a person typed (the CLI's --set, a prompt, a CSV cell) into
 * a form field's typed value, the Russian way: «да»/«нет», dates as
 * ДД.ММ.ГГГГ, digits grouped with spaces or NBSP as Russian Excel writes
 * them, decimal commas, a choice by its code, its label or its number.
 * The protocol's form validation only ever sees the typed JSON values.
 */
#include <stdlib.h>
#include <string.h>

#include "tetrad/textin.h"
#include "tetrad/decimal.h"

/* ASCII and Cyrillic А-Я/Ё to lower case, for matching answers. */
static void
textin_fold(const char *s, char *out, size_t sz)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;

	while (*u != '\0' && o + 3 < sz) {
		if (*u >= 'A' && *u <= 'Z') {
			out[o++] = (char)(*u + 32);
			u++;
		} else if (u[0] == 0xd0 && u[1] >= 0x90 && u[1] <= 0x9f) {
			/* А-П → а-п */
			out[o++] = (char)0xd0;
			out[o++] = (char)(u[1] + 0x20);
			u += 2;
		} else if (u[0] == 0xd0 && u[1] >= 0xa0 && u[1] <= 0xaf) {
			/* Р-Я → р-я */
			out[o++] = (char)0xd1;
			out[o++] = (char)(u[1] - 0x20);
			u += 2;
		} else if (u[0] == 0xd0 && u[1] == 0x81) {
			/* Ё → е: people type either */
			out[o++] = (char)0xd0;
			out[o++] = (char)0xb5;
			u += 2;
		} else if (u[0] == 0xd1 && u[1] == 0x91) {
			out[o++] = (char)0xd0;
			out[o++] = (char)0xb5;
			u += 2;
		} else
			out[o++] = (char)*u++;
	}
	out[o] = '\0';
}

static int
textin_folded_eq(const char *a, const char *b)
{
	char fa[FORM_LABEL_MAX + 8], fb[FORM_LABEL_MAX + 8];

	textin_fold(a, fa, sizeof(fa));
	textin_fold(b, fb, sizeof(fb));
	return strcmp(fa, fb) == 0;
}

/* Trimmed copy (spaces, tabs, newlines, NBSP); caller frees. */
static char *
textin_trim(const char *s)
{
	const char *b = s, *e = s + strlen(s);
	char *out;

	for (;;) {
		if (*b == ' ' || *b == '\t' || *b == '\r' || *b == '\n')
			b++;
		else if ((unsigned char)b[0] == 0xc2 && (unsigned char)b[1] == 0xa0)
			b += 2;
		else
			break;
	}
	for (;;) {
		if (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
		    e[-1] == '\n'))
			e--;
		else if (e - b >= 2 && (unsigned char)e[-2] == 0xc2 &&
		    (unsigned char)e[-1] == 0xa0)
			e -= 2;
		else
			break;
	}
	if ((out = malloc((size_t)(e - b) + 1)) == NULL)
		return NULL;
	memcpy(out, b, (size_t)(e - b));
	out[e - b] = '\0';
	return out;
}

/* Length of a digit-group separator at s (space, NBSP, narrow NBSP), or 0. */
static size_t
textin_group_sep(const char *s)
{
	if (s[0] == ' ')
		return 1;
	if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
		return 2;
	if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80 &&
	    (unsigned char)s[2] == 0xaf)
		return 3;
	return 0;
}

/*
 * Russian Excel writes 1 234 567,5 (NBSP between groups of three): drops a
 * separator only between a digit and exactly three digits, in place, so
 * "1 2" stays invalid.
 */
static void
textin_ungroup_digits(char *t)
{
	char *w = t;

	for (char *r = t; *r != '\0';) {
		size_t k = textin_group_sep(r);

		if (k > 0 && r > t && r[-1] >= '0' && r[-1] <= '9' &&
		    r[k] >= '0' && r[k] <= '9' && r[k + 1] >= '0' &&
		    r[k + 1] <= '9' && r[k + 2] >= '0' && r[k + 2] <= '9' &&
		    !(r[k + 3] >= '0' && r[k + 3] <= '9')) {
			r += k;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* ДД.ММ.ГГГГ (also Д.М.ГГГГ) → YYYY-MM-DD; -1 if not that shape. */
static int
textin_ru_date(const char *s, char out[11])
{
	int d = 0, m = 0, y = 0, nd = 0, nm = 0, ny = 0;

	while (*s >= '0' && *s <= '9' && nd < 2)
		d = d * 10 + (*s++ - '0'), nd++;
	if (nd == 0 || *s++ != '.')
		return -1;
	while (*s >= '0' && *s <= '9' && nm < 2)
		m = m * 10 + (*s++ - '0'), nm++;
	if (nm == 0 || *s++ != '.')
		return -1;
	while (*s >= '0' && *s <= '9' && ny < 4)
		y = y * 10 + (*s++ - '0'), ny++;
	if (ny != 4 || *s != '\0')
		return -1;
	/* by hand; the calendar check comes later, on the result */
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return 0;
}

static const struct form_choice *
textin_choice_match(const struct form_field *fl, const char *t)
{
	const struct form_choice *c = form_choice_find(fl, t);
	char *end = NULL;
	unsigned long k;

	if (c != NULL)
		return c;
	for (size_t i = 0; i < fl->n_choices; i++)
		if (textin_folded_eq(fl->choices[i].code, t) ||
		    textin_folded_eq(fl->choices[i].label, t))
			return &fl->choices[i];
	/* a number from a numbered list of the choices */
	if (t[0] >= '1' && t[0] <= '9' && strlen(t) <= 4) {
		k = strtoul(t, &end, 10);
		if (end != NULL && *end == '\0' && k >= 1 && k <= fl->n_choices)
			return &fl->choices[k - 1];
	}
	return NULL;
}

static int
textin_bool_word(const char *t)
{
	static const char *const yes[] = { "да", "д", "yes", "y", "true", "1",
	    "+", NULL };
	static const char *const no[] = { "нет", "н", "no", "n", "false", "0",
	    "-", NULL };

	for (size_t i = 0; yes[i] != NULL; i++)
		if (textin_folded_eq(t, yes[i]))
			return 1;
	for (size_t i = 0; no[i] != NULL; i++)
		if (textin_folded_eq(t, no[i]))
			return 0;
	return -1;
}

int
textin_value(const struct form_field *fl, const char *text, cJSON **out, struct terr *e)
{
	char *t = NULL, msg[FORM_LABEL_MAX + 256], echo[FORM_ECHO_MAX + 8];
	char date[11];
	cJSON *val = NULL;
	double x;
	int r, b;

	if (out == NULL || fl == NULL || text == NULL)
		return terr_set(e, TERR_ARG, "textin_value: NULL argument");
	*out = NULL;
	if (strlen(text) > (size_t)FORM_TEXT_MAX * 4)
		return terr_set(e, TERR_INVALID, "%s: слишком длинный текст",
		    fl->label);
	if (form_utf8_chars(text, strlen(text)) == (size_t)-1)
		return terr_set(e, TERR_INVALID, "%s: текст не в кодировке UTF-8",
		    fl->label);
	if ((t = textin_trim(text)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	form_value_echo(t, echo, sizeof(echo));
	if (t[0] == '\0') {
		val = cJSON_CreateNull();
		goto done;
	}
	switch (fl->type) {
	case FORM_TEXT:
		val = cJSON_CreateString(t);
		break;
	case FORM_INTEGER:
	case FORM_DECIMAL:
	case FORM_SCALE:
		if (fl->type == FORM_SCALE && fl->no_answer &&
		    (textin_folded_eq(t, fl->no_answer_label) ||
		    textin_folded_eq(t, "затрудняюсь ответить") ||
		    textin_folded_eq(t, "нет ответа"))) {
			val = cJSON_CreateNull();
			break;
		}
		textin_ungroup_digits(t);
		if (decimal_parse(t, fl->type != FORM_DECIMAL, &x) != 0) {
			r = terr_set(e, TERR_INVALID, "%s: нужно %s, а не «%s»",
			    fl->label, fl->type == FORM_DECIMAL ? "число (например, "
			    "3,5)" : "целое число", echo);
			goto out;
		}
		val = cJSON_CreateNumber(x);
		break;
	case FORM_DATE:
		if (textin_ru_date(t, date) == 0)
			val = cJSON_CreateString(date);
		else
			val = cJSON_CreateString(t);
		break;
	case FORM_BOOLEAN:
		if ((b = textin_bool_word(t)) < 0) {
			r = terr_set(e, TERR_INVALID, "%s: нужно «да» или «нет», а не "
			    "«%s»", fl->label, echo);
			goto out;
		}
		val = cJSON_CreateBool(b);
		break;
	case FORM_CHOICE: {
		const struct form_choice *c = textin_choice_match(fl, t);

		if (c == NULL) {
			r = terr_set(e, TERR_INVALID, "%s: нет такого варианта «%s»",
			    fl->label, echo);
			goto out;
		}
		val = cJSON_CreateString(c->code);
		break;
	}
	case FORM_MULTI: {
		const struct form_choice *whole = textin_choice_match(fl, t);

		if ((val = cJSON_CreateArray()) == NULL)
			break;
		if (whole != NULL) {
			/* a label may itself contain commas */
			cJSON *c = cJSON_CreateString(whole->code);

			if (c == NULL || !cJSON_AddItemToArray(val, c)) {
				cJSON_Delete(c);
				r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
				goto out;
			}
			break;
		}
		for (char *save = NULL, *tok = strtok_r(t, ",;", &save);
		    tok != NULL; tok = strtok_r(NULL, ",;", &save)) {
			char *one = textin_trim(tok);
			const struct form_choice *c;
			cJSON *item;
			int dup = 0;

			if (one == NULL) {
				r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
				goto out;
			}
			if (one[0] == '\0') {
				free(one);
				continue;
			}
			if ((c = textin_choice_match(fl, one)) == NULL) {
				form_value_echo(one, echo, sizeof(echo));
				free(one);
				r = terr_set(e, TERR_INVALID, "%s: нет такого варианта "
				    "«%s»", fl->label, echo);
				goto out;
			}
			free(one);
			for (const cJSON *m = val->child; m != NULL; m = m->next)
				if (strcmp(m->valuestring, c->code) == 0)
					dup = 1;
			if (dup)
				continue;
			if ((item = cJSON_CreateString(c->code)) == NULL ||
			    !cJSON_AddItemToArray(val, item)) {
				cJSON_Delete(item);
				r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
				goto out;
			}
		}
		break;
	}
	default:
		r = terr_set(e, TERR_INVALID, "%s: группу записей нельзя ввести "
		    "одной строкой", fl->label);
		goto out;
	}
 done:
	if (val == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	if (!cJSON_IsNull(val) && form_value_check(fl, val, msg, sizeof(msg))) {
		/* the shared message names the rule only; the person who typed
		 * the text may see it again here, on their own screen */
		r = terr_set(e, TERR_INVALID, "%s: %s, а не «%s»", fl->label, msg, echo);
		goto out;
	}
	*out = val;
	val = NULL;
	r = 0;
 out:
	cJSON_Delete(val);
	free(t);
	return r;
}
