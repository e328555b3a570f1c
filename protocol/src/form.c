/*
 * form — a parsed form definition: freeing it, asking it about its fields,
 * choices and dictionaries, describing a condition in Russian, and the
 * calendar and UTF-8 counting every form module uses. The reader is in
 * form_parse.c (documents), form_field.c, form_dict.c and form_link.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/form.h"
#include "form_parse.h"
#include "form_value.h"

size_t
form_utf8_chars(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp;

		if (c != 0 && c < 0x80) {
			i++;
			n++;
			/* runs of ASCII eight bytes at a time: the word has no
			 * byte 0 and none ≥ 0x80 exactly when this is 0 */
			while (len - i >= 8) {
				uint64_t w;

				memcpy(&w, s + i, 8);
				if (((w | (w - 0x0101010101010101ull)) &
				    0x8080808080808080ull) != 0)
					break;
				i += 8;
				n += 8;
			}
			continue;
		}
		/* two bytes (Cyrillic): no overlong or surrogate can be one */
		if (c >= 0xc2 && c <= 0xdf && len - i > 1 &&
		    (s[i + 1] & 0xc0) == 0x80) {
			i += 2;
			n++;
			continue;
		}
		if (c == 0)
			return (size_t)-1;
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else
			return (size_t)-1;
		if (len - i <= k)
			return (size_t)-1;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return (size_t)-1;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		/* overlongs, surrogates, past U+10FFFF */
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return (size_t)-1;
		i += k + 1;
		n++;
	}
	return n;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long
form_days(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
form_date_format(long z, char out[11])
{
	long era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999)
		y = 0;
	/* by hand: the compiler cannot see the ranges printf would get */
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
}

/* Parses exactly "YYYY-MM-DD", a real calendar date in 1900..2999. */
int
form_date_days(const char *s, long *days)
{
	int y, m, d, mdays;
	static const int ml[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !(s[i] >= '0' && s[i] <= '9'))
			return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return -1;
	mdays = ml[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		mdays = 29;
	if (d > mdays)
		return -1;
	*days = form_days(y, m, d);
	return 0;
}

/* ---------- freeing ---------- */

static void
form_cond_clear(struct form_cond *c)
{
	free(c->field);
	cJSON_Delete(c->values);
}

void
form_choices_free(struct form_choice *c, size_t n)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free(c[i].code);
		free(c[i].label);
	}
	free(c);
}

void
form_field_clear(struct form_field *fl)
{
	free(fl->id);
	free(fl->label);
	free(fl->hint);
	form_choices_free(fl->choices, fl->n_choices);
	free(fl->per_dictionary);
	free(fl->item_key);
	if (fl->children != NULL) {
		for (size_t i = 0; i < fl->n_children; i++)
			form_field_clear(&fl->children[i]);
		free(fl->children);
	}
	free(fl->no_answer_label);
	free(fl->dictionary);
	form_cond_clear(&fl->relevant);
	form_cond_clear(&fl->required_if);
	free(fl->max_field.field);
	free(fl->min_field.field);
	free(fl->mask);
	free(fl->choice_hash);
	free(fl->child_order);
}

void
form_dictionary_clear(struct form_dictionary *d)
{
	free(d->name);
	free(d->title);
	form_choices_free(d->entries, d->n_entries);
	free(d->entry_hash);
}

void
form_dictionary_free(struct form_dictionary *d)
{
	if (d == NULL)
		return;
	form_dictionary_clear(d);
	free(d);
}

void
form_free(struct form *f)
{
	if (f == NULL)
		return;
	free(f->id);
	free(f->title);
	free(f->description);
	free(f->field_order);
	if (f->fields != NULL) {
		for (size_t i = 0; i < f->n_fields; i++)
			form_field_clear(&f->fields[i]);
		free(f->fields);
	}
	if (f->dicts != NULL) {
		for (size_t i = 0; i < f->n_dicts; i++)
			form_dictionary_clear(&f->dicts[i]);
		free(f->dicts);
	}
	free(f);
}

/* ---------- sorted positions for lookups ---------- */

/*
 * Ids in a list and codes in a choice list or dictionary are unique (the
 * reader refuses repeats), so a binary search over positions sorted by
 * strcmp, or a hash table, finds exactly what the linear scans found;
 * FORM_MAX_DICT_ENTRIES and FORM_MAX_FIELDS fit in uint16_t.
 */
_Static_assert(FORM_MAX_FIELDS < UINT16_MAX && FORM_MAX_CHOICES < UINT16_MAX &&
    FORM_MAX_DICT_ENTRIES < UINT16_MAX, "positions + 1 fit in uint16_t");

struct form_key {
	const char *s;
	uint16_t at;
};

static int
form_key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct form_key *)a)->s,
	    ((const struct form_key *)b)->s);
}

/* keys[0..n) sorted, their positions into *out (malloc'd); 0 or TERR_NOMEM */
static int
form_order(struct form_key *keys, size_t n, uint16_t **out)
{
	*out = NULL;
	if (n == 0)
		return 0;
	if ((*out = malloc(n * sizeof(**out))) == NULL)
		return TERR_NOMEM;
	qsort(keys, n, sizeof(*keys), form_key_cmp);
	for (size_t i = 0; i < n; i++)
		(*out)[i] = keys[i].at;
	return 0;
}

static int
form_order_fields(const struct form_field *fs, size_t n, uint16_t **out,
    struct form_key *keys)
{
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct form_key){ fs[i].id, (uint16_t)i };
	return form_order(keys, n, out);
}

/*
 * Codes are looked up by value (every choice of every record): a table of
 * a power of two ≥ 2n slots, each 0 or a position + 1, open addressing.
 */
static size_t
form_hash_size(size_t n)
{
	size_t size = 4;

	while (size < 2 * n)
		size <<= 1;
	return size;
}

/* djb2, its high bits folded into the low ones the table uses: codes are
 * a few bytes and a collision costs one more inline comparison */
static uint32_t
form_hash(const char *s)
{
	uint32_t h = 5381;

	for (; *s != '\0'; s++)
		h = (h << 5) + h + (unsigned char)*s;
	return h ^ (h >> 11);
}

static int
form_hash_choices(const struct form_choice *c, size_t n, uint16_t **out)
{
	size_t mask = form_hash_size(n) - 1;

	*out = NULL;
	if (n == 0)
		return 0;
	if ((*out = calloc(mask + 1, sizeof(**out))) == NULL)
		return TERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t h = form_hash(c[i].code) & mask;

		while ((*out)[h] != 0)
			h = (h + 1) & mask;
		(*out)[h] = (uint16_t)(i + 1);
	}
	return 0;
}

static int
form_index_list(struct form_field *fs, size_t n, struct form_key *keys)
{
	int r;

	for (size_t i = 0; i < n; i++) {
		struct form_field *fl = &fs[i];

		if ((r = form_hash_choices(fl->choices, fl->n_choices,
		    &fl->choice_hash)) != 0 ||
		    (r = form_order_fields(fl->children, fl->n_children,
		    &fl->child_order, keys)) != 0 ||
		    (r = form_index_list(fl->children, fl->n_children, keys)) != 0)
			return r;
	}
	return 0;
}

int
form_index_dictionary(struct form_dictionary *d)
{
	free(d->entry_hash);
	return form_hash_choices(d->entries, d->n_entries, &d->entry_hash);
}

int
form_index_build(struct form *f)
{
	/* one scratch array for every list: none is longer than this */
	struct form_key keys[FORM_MAX_FIELDS];
	int r;

	if ((r = form_order_fields(f->fields, f->n_fields, &f->field_order,
	    keys)) != 0 ||
	    (r = form_index_list(f->fields, f->n_fields, keys)) != 0)
		return r;
	for (size_t i = 0; i < f->n_dicts; i++)
		if ((r = form_index_dictionary(&f->dicts[i])) != 0)
			return r;
	return 0;
}

size_t
form_index_field(const struct form_field *fs, const uint16_t *ord, size_t n,
    const char *id)
{
	size_t lo = 0, hi = n;

	if (ord == NULL) {
		for (lo = 0; lo < n && form_strcmp(fs[lo].id, id) != 0; lo++)
			;
		return lo;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = form_strcmp(fs[ord[mid]].id, id);

		if (c == 0)
			return ord[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n;
}

size_t
form_index_choice(const struct form_choice *c, const uint16_t *hash, size_t n,
    const char *code)
{
	size_t mask, h;

	if (hash == NULL) {
		for (h = 0; h < n && form_strcmp(c[h].code, code) != 0; h++)
			;
		return h;
	}
	mask = form_hash_size(n) - 1;
	for (h = form_hash(code) & mask; hash[h] != 0; h = (h + 1) & mask)
		if (form_strcmp(c[hash[h] - 1].code, code) == 0)
			return hash[h] - 1u;
	return n;
}

/* ---------- accessors ---------- */

const char *
form_id(const struct form *f)
{
	return f ? f->id : NULL;
}

uint32_t
form_version(const struct form *f)
{
	return f ? f->version : 0;
}

const char *
form_title(const struct form *f)
{
	return f ? f->title : NULL;
}

unsigned
form_share(const struct form *f)
{
	return f->share;
}

const struct form_field *
form_school_field(const struct form *f)
{
	return f->school_field;
}

const char *
form_description(const struct form *f)
{
	return f ? f->description : NULL;
}

size_t
form_n_fields(const struct form *f)
{
	return f ? f->n_fields : 0;
}

const struct form_field *
form_find(const struct form *f, const char *id)
{
	size_t i;

	if (f == NULL || id == NULL)
		return NULL;
	i = form_index_field(f->fields, f->field_order, f->n_fields, id);
	return i < f->n_fields ? &f->fields[i] : NULL;
}

const struct form_choice *
form_choice_find(const struct form_field *field, const char *code)
{
	size_t i;

	if (field == NULL || code == NULL)
		return NULL;
	i = form_index_choice(field->choices, field->choice_hash,
	    field->n_choices, code);
	return i < field->n_choices ? &field->choices[i] : NULL;
}

size_t
form_n_dictionaries(const struct form *f)
{
	return f ? f->n_dicts : 0;
}

const struct form_dictionary *
form_dictionary_at(const struct form *f, size_t i)
{
	return f && i < f->n_dicts ? &f->dicts[i] : NULL;
}

const struct form_dictionary *
form_dictionary_find(const struct form *f, const char *name)
{
	if (f == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < f->n_dicts; i++)
		if (strcmp(f->dicts[i].name, name) == 0)
			return &f->dicts[i];
	return NULL;
}

/* ---------- conditions ---------- */

static int
form_scalar_eq(const cJSON *a, const cJSON *b)
{
	if (cJSON_IsString(a) && cJSON_IsString(b))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsBool(a) && cJSON_IsBool(b))
		return cJSON_IsTrue(a) == cJSON_IsTrue(b);
	return 0;
}

int
form_cond_holds(const struct form_cond *c, const cJSON *val)
{
	if (val == NULL || cJSON_IsNull(val))
		return 0;
	for (const cJSON *x = c->values->child; x != NULL; x = x->next) {
		if (cJSON_IsArray(val)) {
			for (const cJSON *m = val->child; m != NULL; m = m->next)
				if (form_scalar_eq(m, x))
					return 1;
		} else if (form_scalar_eq(val, x))
			return 1;
	}
	return 0;
}

/* -1: cannot tell (scope missing), 0: does not hold, 1: holds */
static int
form_cond_eval(const struct form_cond *c, const cJSON *const *scopes, size_t n)
{
	if (c->field == NULL || c->target == NULL)
		return 0;
	if (c->depth >= n || scopes[c->depth] == NULL ||
	    !cJSON_IsObject(scopes[c->depth]))
		return -1;
	return form_cond_holds(c, cJSON_GetObjectItemCaseSensitive(
	    scopes[c->depth], c->target->id));
}

bool
form_relevant_in(const struct form_field *field, const cJSON *const *scopes,
    size_t n)
{
	if (field == NULL || field->relevant.field == NULL)
		return true;
	/* with part of the picture missing, show the field rather than hide it */
	return form_cond_eval(&field->relevant, scopes, n) != 0;
}

bool
form_required_if_in(const struct form_field *field, const cJSON *const *scopes,
    size_t n)
{
	if (field == NULL || field->required_if.field == NULL)
		return false;
	return form_cond_eval(&field->required_if, scopes, n) == 1;
}

bool
form_relevant(const struct form *f, const struct form_field *field,
    const cJSON *scope)
{
	const cJSON *scopes[FORM_MAX_DEPTH + 1] = { NULL };

	(void)f;
	if (field == NULL || field->depth > FORM_MAX_DEPTH)
		return true;
	scopes[field->depth] = scope;
	return form_relevant_in(field, scopes, field->depth + 1);
}

/* Appends to a malloc'd string; frees it and returns NULL on no memory. */
static char *
form_cat(char *s, const char *add)
{
	size_t a = s ? strlen(s) : 0, b = strlen(add);
	char *n = realloc(s, a + b + 1);

	if (n == NULL) {
		free(s);
		return NULL;
	}
	memcpy(n + a, add, b + 1);
	return n;
}

char *
form_cond_describe(const struct form_cond *c)
{
	const struct form_field *t;
	char *s;
	size_t i = 0, n;

	if (c == NULL || c->field == NULL || c->target == NULL)
		return NULL;
	t = c->target;
	if ((s = form_cat(NULL, "«")) == NULL || (s = form_cat(s, t->label)) == NULL ||
	    (s = form_cat(s, "» — ")) == NULL)
		return NULL;
	n = (size_t)cJSON_GetArraySize(c->values);
	for (const cJSON *x = c->values->child; x != NULL; x = x->next, i++) {
		char num[64];
		const char *txt = num;

		if (cJSON_IsString(x)) {
			const struct form_choice *ch = form_choice_find(t, x->valuestring);

			txt = ch ? ch->label : x->valuestring;
		} else if (cJSON_IsBool(x))
			txt = cJSON_IsTrue(x) ? "да" : "нет";
		else if (x->valuedouble == floor(x->valuedouble))
			snprintf(num, sizeof(num), "%.0f", x->valuedouble);
		else {
			snprintf(num, sizeof(num), "%.15g", x->valuedouble);
			for (char *q = num; *q; q++)
				if (*q == ',')
					*q = '.';
		}
		if (i > 0 && (s = form_cat(s, i + 1 == n ? " или " : ", ")) == NULL)
			return NULL;
		if ((s = form_cat(s, "«")) == NULL || (s = form_cat(s, txt)) == NULL ||
		    (s = form_cat(s, "»")) == NULL)
			return NULL;
	}
	return s;
}
