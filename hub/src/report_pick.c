/*
 * report_pick — a record's picked members parsed alone (see report_pick.h).
 * The other members are only stepped over: strings to their closing quote,
 * objects and arrays to their matching bracket. Text the picker does not
 * follow is parsed whole by cJSON, so what a report sees never depends on
 * the picker: only on the members it names.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "report_pick.h"

#define PICK_MAX 64   /* members one list may name: a bit each of "taken" */

static const char *
pick_ws(const char *p, const char *end)
{
	/* cJSON skips every byte up to the space the same way */
	while (p < end && (unsigned char)*p <= 32)
		p++;
	return p;
}

/*
 * After the string opening at p (a quote), or NULL when it does not close.
 * Most of a record's bytes are answer texts: memchr steps over them.
 */
static const char *
pick_string_end(const char *p, const char *end)
{
	for (p++; p < end; ) {
		const char *q = memchr(p, '"', (size_t)(end - p)), *b;

		if (q == NULL)
			return NULL;
		/* escaped when an odd number of backslashes stands before it */
		for (b = q; b > p && b[-1] == '\\'; b--)
			;
		if (((q - b) & 1) == 0)
			return q + 1;
		p = q + 1;
	}
	return NULL;
}

/* After the value starting at p, or NULL when it does not end in the text. */
static const char *
pick_value_end(const char *p, const char *end)
{
	size_t depth = 0;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return pick_string_end(p, end);
	if (*p != '{' && *p != '[') {
		while (p < end && *p != ',' && *p != '}' && *p != ']' &&
		    (unsigned char)*p > 32)
			p++;
		return p;
	}
	while (p < end) {
		switch (*p) {
		case '"':
			if ((p = pick_string_end(p, end)) == NULL)
				return NULL;
			continue;
		case '{':
		case '[':
			depth++;
			break;
		case '}':
		case ']':
			if (--depth == 0)
				return p + 1;
			break;
		default:
			break;
		}
		p++;
	}
	return NULL;
}

/* The value at s parsed whole by cJSON; *ve after it. */
static cJSON *
pick_whole(const char *s, const char *end, const char **ve)
{
	return cJSON_ParseWithLengthOpts(s, (size_t)(end - s), ve, 0);
}

/*
 * The number at s: a plain count (up to 15 digits, exact in a double)
 * made here, as cJSON_CreateNumber makes the same value cJSON's parser
 * would (which goes through strtod and the locale: a tenth of a passport's
 * cost); anything else parsed whole.
 */
static cJSON *
pick_count(const char *s, const char *end, const char **ve)
{
	const char *p = s;
	long long v = 0;

	while (p < end && p - s < 15 && *p >= '0' && *p <= '9')
		v = v * 10 + (*p++ - '0');
	if (p < end && (*p == ',' || *p == '}' || *p == ']' || (unsigned char)*p <= 32)) {
		*ve = p;
		return cJSON_CreateNumber((double)v);
	}
	return pick_whole(s, end, ve);
}

static cJSON *pick_object(const char *s, const char *end, const struct report_pick *pick,
    const char **ve);

/*
 * The value at s: an array whose objects are narrowed to sub when sub is
 * given, else parsed whole; *ve after it.
 */
static cJSON *
pick_value(const char *s, const char *end, const struct report_pick *sub,
    const char **ve)
{
	const char *p = s;
	cJSON *a, *it;

	if (sub == NULL && *s >= '0' && *s <= '9')
		return pick_count(s, end, ve);
	if (sub == NULL || *s != '[')
		return pick_whole(s, end, ve);
	if ((a = cJSON_CreateArray()) == NULL)
		return NULL;
	p = pick_ws(p + 1, end);
	if (p < end && *p == ']') {
		*ve = p + 1;
		return a;
	}
	for (;;) {
		const char *ie = NULL;

		if (p >= end)
			goto whole;
		it = *p == '{' ? pick_object(p, end, sub, &ie) : pick_whole(p, end, &ie);
		if (it == NULL)
			goto whole;
		cJSON_AddItemToArray(a, it);
		p = pick_ws(ie, end);
		if (p < end && *p == ',') {
			p = pick_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == ']') {
			*ve = p + 1;
			return a;
		}
		goto whole;
	}
 whole:
	cJSON_Delete(a);
	return pick_whole(s, end, ve);
}

/*
 * The object at s (its brace) with the picked members, or parsed whole
 * when the picker does not follow it; *ve after it.
 */
static cJSON *
pick_object(const char *s, const char *end, const struct report_pick *pick,
    const char **ve)
{
	const char *p = pick_ws(s + 1, end);
	uint64_t taken = 0;
	size_t hint = 0;
	cJSON *o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (p < end && *p == '}') {
		*ve = p + 1;
		return o;
	}
	for (;;) {
		const char *ks, *ke, *vs, *vend = NULL;
		size_t kl, k;

		if (p >= end || *p != '"' || (ke = pick_string_end(p, end)) == NULL)
			goto whole;
		ks = p + 1;
		kl = (size_t)(ke - 1 - ks);
		if (memchr(ks, '\\', kl) != NULL)
			goto whole;   /* an escaped name: cJSON decodes it */
		p = pick_ws(ke, end);
		if (p >= end || *p != ':')
			goto whole;
		vs = pick_ws(p + 1, end);
		/* members come in the form's order, which the lists follow: the next first */
		if (pick[hint].key != NULL && strncmp(pick[hint].key, ks, kl) == 0 &&
		    pick[hint].key[kl] == '\0')
			k = hint;
		else
			for (k = 0; k < PICK_MAX && pick[k].key != NULL; k++)
				if (pick[k].key[0] == ks[0] && strncmp(pick[k].key, ks, kl) == 0 &&
				    pick[k].key[kl] == '\0')
					break;
		if (k < PICK_MAX && pick[k].key != NULL)
			hint = k + 1;
		if (k < PICK_MAX && pick[k].key != NULL && !(taken & (UINT64_C(1) << k))) {
			cJSON *v = pick_value(vs, end, pick[k].sub, &vend);

			if (v == NULL)
				goto whole;
			taken |= UINT64_C(1) << k;
			/* the name is the list's own constant: cJSON_Delete leaves it */
			if (!cJSON_AddItemToObjectCS(o, pick[k].key, v)) {
				cJSON_Delete(v);
				goto whole;
			}
		} else if ((vend = pick_value_end(vs, end)) == NULL)
			goto whole;
		p = pick_ws(vend, end);
		if (p < end && *p == ',') {
			p = pick_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}') {
			*ve = p + 1;
			return o;
		}
		goto whole;
	}
 whole:
	cJSON_Delete(o);
	return pick_whole(s, end, ve);
}

cJSON *
report_pick_parse(const char *s, size_t n, const struct report_pick *pick)
{
	const char *end = s + n, *p = pick_ws(s, end), *ve = NULL;

	if (pick == NULL || p >= end || *p != '{')
		return cJSON_ParseWithLength(s, n);
	return pick_object(p, end, pick, &ve);
}
