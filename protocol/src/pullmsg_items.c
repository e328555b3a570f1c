/*
 * pullmsg_items — the plaintext of an answer, read into a batch.
 *
 * The plaintext is authentic by now (the hub's signature held), but it is
 * still read as hostile: a bug or a bad record on the hub must end in a
 * refused batch with a reason, never in a device storing garbage or running
 * out of memory. Bounded before cJSON sees it (UTF-8, depth, number of
 * values), then every member of every item checked, then the cross-checks
 * against the signed header.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/pullmsg.h"
#include "tetrad/recmerge.h"
#include "tetrad/riskprofile.h"
#include "changeset_model.h"
#include "pullmsg_internal.h"

/* JSON nesting: answer, items array, item, data, and four levels of value. */
#define PULLMSG_MAX_DEPTH 8
/* Values in one plaintext: keeps the tree cJSON builds bounded. */
#define PULLMSG_MAX_VALUES 1000000u

/* Depth and number of values, in one pass over the text (no tree yet). */
static int
pullmsg_prescan(const uint8_t *p, size_t len, struct terr *e)
{
	size_t values = 1;
	int depth = 0, in_str = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = p[i];

		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		switch (c) {
		case '"':
			in_str = 1;
			break;
		case '{':
		case '[':
			if (++depth > PULLMSG_MAX_DEPTH)
				return terr_set(e, TERR_DEPTH, "ответ хаба: вложенность больше %d (байт %zu)",
				    PULLMSG_MAX_DEPTH, i);
			values++;
			break;
		case '}':
		case ']':
			depth--;
			break;
		case ',':
			if (++values > PULLMSG_MAX_VALUES)
				return terr_set(e, TERR_TOO_LARGE, "ответ хаба: больше %u значений",
				    PULLMSG_MAX_VALUES);
			break;
		default:
			break;
		}
	}
	return 0;
}

/* The members of obj against names (at most 8): unknown, repeated or missing ones refused. */
static int
pullmsg_members(const cJSON *obj, const char *const *names, size_t n, cJSON **found,
    const char *where, struct terr *e)
{
	if (!cJSON_IsObject(obj))
		return terr_set(e, TERR_SCHEMA, "ответ хаба: %s — не объект", where);
	for (size_t i = 0; i < n; i++)
		found[i] = NULL;
	for (cJSON *c = obj->child; c != NULL; c = c->next) {
		size_t i;

		for (i = 0; i < n; i++)
			if (c->string != NULL && strcmp(c->string, names[i]) == 0)
				break;
		if (i == n)
			return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: неизвестный член «%.64s»", where,
			    c->string ? c->string : "");
		if (found[i] != NULL)
			return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: член «%s» повторяется", where,
			    names[i]);
		found[i] = c;
	}
	for (size_t i = 0; i < n; i++)
		if (found[i] == NULL)
			return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: нет члена «%s»", where, names[i]);
	return 0;
}

/* Strings anywhere in a value within the change set's cap for one field. */
static int
pullmsg_value_ok(const cJSON *v)
{
	if (cJSON_IsString(v))
		return strlen(v->valuestring) <= CHANGESET_MAX_FIELD_BYTES;
	for (const cJSON *c = v->child; c != NULL; c = c->next)
		if (!pullmsg_value_ok(c))
			return 0;
	return 1;
}

/* A record's data: an object of at most CHANGESET_MAX_FIELDS named fields, each bounded. */
static int
pullmsg_data_check(const cJSON *data, const char *where, struct terr *e)
{
	size_t n = 0;

	if (!cJSON_IsObject(data))
		return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: данные — не объект", where);
	for (const cJSON *c = data->child; c != NULL; c = c->next) {
		size_t len = c->string != NULL ? strlen(c->string) : 0;

		if (++n > CHANGESET_MAX_FIELDS)
			return terr_set(e, TERR_TOO_LARGE, "ответ хаба: %s: больше %d полей", where,
			    CHANGESET_MAX_FIELDS);
		if (len == 0 || len > CHANGESET_ID_MAX)
			return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: недопустимое имя поля", where);
		if (cJSON_GetObjectItemCaseSensitive(data, c->string) != c)
			return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: поле «%s» повторяется", where,
			    c->string);
		if (!pullmsg_value_ok(c))
			return terr_set(e, TERR_TOO_LARGE, "ответ хаба: %s: поле «%s» длиннее %u байт",
			    where, c->string, CHANGESET_MAX_FIELD_BYTES);
	}
	return 0;
}

/* Position strictly after prev and within (after, upto]. */
static int
pullmsg_pos(const cJSON *j, const struct pullmsg_header *h, uint64_t prev, uint64_t *pos,
    const char *where, struct terr *e)
{
	if (changeset_json_uint(j, PULLMSG_POS_MAX, pos) != 0)
		return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: позиция — не целое число", where);
	if (*pos <= h->after || *pos > h->upto)
		return terr_set(e, TERR_MISMATCH, "ответ хаба: %s: позиция %" PRIu64 " вне %" PRIu64
		    "–%" PRIu64 " из заголовка", where, *pos, h->after + 1, h->upto);
	if (*pos <= prev)
		return terr_set(e, TERR_MISMATCH, "ответ хаба: %s: позиция %" PRIu64 " не больше "
		    "предыдущей %" PRIu64, where, *pos, prev);
	return 0;
}

static int
pullmsg_record(cJSON *j, const struct pullmsg_header *h, uint64_t prev,
    struct pullmsg_record *rec, size_t i, struct terr *e)
{
	static const char *const names[] = { "pos", "id", "form", "fv", "school", "data", "clocks" };
	cJSON *m[7];
	char where[48];
	const char *id;
	uint64_t fv;
	struct terr ce;
	int r;

	snprintf(where, sizeof(where), "запись %zu", i + 1);
	if ((r = pullmsg_members(j, names, 7, m, where, e)) != 0 ||
	    (r = pullmsg_pos(m[0], h, prev, &rec->pos, where, e)) != 0)
		return r;
	if (changeset_json_str(m[1], UUID7_STRLEN, UUID7_STRLEN, &id) != 0 || uuid7_parse(id, rec->id) != 0)
		return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: недопустимый номер записи", where);
	if (changeset_json_str(m[2], 1, CHANGESET_ID_MAX, &rec->form_id) != 0)
		return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: недопустимый код формы", where);
	if (changeset_json_uint(m[3], UINT32_MAX, &fv) != 0 || fv == 0)
		return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: недопустимая версия формы", where);
	rec->form_version = (uint32_t)fv;
	if (changeset_json_str(m[4], 1, CHANGESET_SCHOOL_MAX, &rec->school) != 0)
		return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: недопустимый код школы", where);
	if ((r = pullmsg_data_check(m[5], where, e)) != 0)
		return r;
	terr_clear(&ce);
	if (recmerge_check_clocks(m[6], &ce) != 0)
		return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: %s", where, ce.msg);
	rec->data = m[5];
	rec->clocks = m[6];
	return 0;
}

/* A school's profile: {"<year>":{"<factor>":"<level>",…},…}, levels as riskprofile names them. */
static int
pullmsg_years_check(const cJSON *years, const char *where, struct terr *e)
{
	size_t n = 0;

	if (!cJSON_IsObject(years))
		return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: профиль — не объект", where);
	for (const cJSON *y = years->child; y != NULL; y = y->next) {
		const char *s = y->string;

		if (s == NULL || strlen(s) != 4 || strspn(s, "0123456789") != 4 || !cJSON_IsObject(y))
			return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: недопустимый год профиля", where);
		for (const cJSON *f = y->child; f != NULL; f = f->next) {
			if (++n > CHANGESET_MAX_FIELDS)
				return terr_set(e, TERR_TOO_LARGE, "ответ хаба: %s: в профиле больше %d "
				    "факторов", where, CHANGESET_MAX_FIELDS);
			if (f->string == NULL || f->string[0] == '\0' ||
			    strlen(f->string) > RISKPROFILE_FACTOR_MAX || !cJSON_IsString(f) ||
			    riskprofile_level_index(f->valuestring) < 0)
				return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: недопустимый фактор или "
				    "уровень профиля за %s год", where, s);
		}
	}
	return 0;
}

static int
pullmsg_profile(cJSON *j, const struct pullmsg_header *h, uint64_t prev,
    struct pullmsg_profile *p, size_t i, struct terr *e)
{
	static const char *const names[] = { "pos", "school", "years" };
	cJSON *m[3];
	char where[48];
	int r;

	snprintf(where, sizeof(where), "профиль %zu", i + 1);
	if ((r = pullmsg_members(j, names, 3, m, where, e)) != 0 ||
	    (r = pullmsg_pos(m[0], h, prev, &p->pos, where, e)) != 0)
		return r;
	if (changeset_json_str(m[1], 1, CHANGESET_SCHOOL_MAX, &p->school) != 0)
		return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: недопустимый код школы", where);
	if ((r = pullmsg_years_check(m[2], where, e)) != 0)
		return r;
	p->years = m[2];
	return 0;
}

static int
pullmsg_school(cJSON *j, const struct pullmsg_header *h, uint64_t prev,
    struct pullmsg_school *s, size_t i, struct terr *e)
{
	static const char *const names[] = { "pos", "code", "name" };
	cJSON *m[3];
	char where[48];
	int r;

	snprintf(where, sizeof(where), "школа %zu", i + 1);
	if ((r = pullmsg_members(j, names, 3, m, where, e)) != 0 ||
	    (r = pullmsg_pos(m[0], h, prev, &s->pos, where, e)) != 0)
		return r;
	if (changeset_json_str(m[1], 1, CHANGESET_SCHOOL_MAX, &s->code) != 0)
		return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: недопустимый код школы", where);
	if (changeset_json_str(m[2], 0, PULLMSG_NAME_MAX, &s->name) != 0)
		return terr_set(e, TERR_SCHEMA, "ответ хаба: %s: недопустимое название", where);
	return 0;
}

/* No position twice across the three arrays (each is increasing already). */
static int
pullmsg_disjoint(const struct pullmsg_batch *b, struct terr *e)
{
	size_t i = 0, j = 0, k = 0;
	uint64_t prev = 0;

	while (i < b->n_records || j < b->n_profiles || k < b->n_schools) {
		uint64_t a = i < b->n_records ? b->records[i].pos : UINT64_MAX;
		uint64_t p = j < b->n_profiles ? b->profiles[j].pos : UINT64_MAX;
		uint64_t s = k < b->n_schools ? b->schools[k].pos : UINT64_MAX;
		uint64_t m = a < p ? (a < s ? a : s) : (p < s ? p : s);

		if (m == prev)
			return terr_set(e, TERR_MISMATCH, "ответ хаба: позиция %" PRIu64 " у двух "
			    "записей", m);
		prev = m;
		if (m == a)
			i++;
		else if (m == p)
			j++;
		else
			k++;
	}
	return 0;
}

/* The array member of root called name (its items' count into *n), or NULL after a refusal. */
static cJSON *
pullmsg_array(cJSON *a, size_t *n, const char *name, struct terr *e)
{
	if (!cJSON_IsArray(a)) {
		terr_set(e, TERR_SCHEMA, "ответ хаба: «%s» — не массив", name);
		return NULL;
	}
	*n = (size_t)cJSON_GetArraySize(a);
	return a;
}

/* The answer's own members against the signed header. */
static int
pullmsg_frame(cJSON **m, const struct pullmsg_header *h, struct pullmsg_batch *b,
    struct terr *e)
{
	char dev[KEYS_ID_HEXLEN + 1];
	const char *d;
	uint64_t v;

	if (changeset_json_uint(m[0], 1000, &v) != 0 || v != 1)
		return terr_set(e, TERR_VERSION, "ответ хаба: версия содержимого не 1");
	keys_hex(h->device_id, KEYS_ID_BYTES, dev);
	if (changeset_json_str(m[1], 1, KEYS_ID_HEXLEN, &d) != 0 || strcmp(d, dev) != 0)
		return terr_set(e, TERR_MISMATCH, "ответ хаба: содержимое для другого устройства, чем "
		    "заголовок (%s)", dev);
	if (changeset_json_uint(m[2], PULLMSG_POS_MAX, &b->after) != 0 ||
	    changeset_json_uint(m[3], PULLMSG_POS_MAX, &b->upto) != 0 || !cJSON_IsBool(m[4]))
		return terr_set(e, TERR_SCHEMA, "ответ хаба: «after», «upto» или «more» недопустимы");
	if (b->after != h->after || b->upto != h->upto)
		return terr_set(e, TERR_MISMATCH, "ответ хаба: в заголовке позиции %" PRIu64 "–%"
		    PRIu64 ", а в содержимом %" PRIu64 "–%" PRIu64, h->after, h->upto, b->after,
		    b->upto);
	b->more = cJSON_IsTrue(m[4]);
	if (b->more && b->upto <= b->after)
		return terr_set(e, TERR_MISMATCH, "ответ хаба: обещано продолжение, но курсор не "
		    "сдвинулся (%" PRIu64 ")", b->after);
	return 0;
}

int
pullmsg_items_parse(const uint8_t *plain, size_t len, const struct pullmsg_header *h,
    struct pullmsg_batch **out, struct terr *e)
{
	static const char *const names[] = { "v", "device", "after", "upto", "more", "records",
		"profiles", "schools" };
	struct pullmsg_batch *b = NULL;
	cJSON *m[8], *a[3], *c;
	const char *end = NULL;
	size_t i;
	uint64_t prev;
	int r;

	*out = NULL;
	if (len == 0 || len > PULLMSG_MAX_PLAIN)
		return terr_set(e, TERR_TOO_LARGE, "ответ хаба: содержимое %zu байт", len);
	if (changeset_check_utf8((const char *)plain, len) != 0)
		return terr_set(e, TERR_UTF8, "ответ хаба: содержимое не в кодировке UTF-8 или "
		    "содержит NUL");
	if ((r = pullmsg_prescan(plain, len, e)) != 0)
		return r;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return terr_set(e, TERR_NOMEM, "ответ хаба: недостаточно памяти");
	b->h = *h;
	b->root = cJSON_ParseWithLengthOpts((const char *)plain, len, &end, 0);
	if (b->root == NULL || end == NULL || (size_t)(end - (const char *)plain) != len) {
		r = terr_set(e, TERR_PARSE, "ответ хаба: содержимое — не JSON (или недостаточно "
		    "памяти)");
		goto out;
	}
	if ((r = pullmsg_members(b->root, names, 8, m, "ответ", e)) != 0 ||
	    (r = pullmsg_frame(m, h, b, e)) != 0)
		goto out;
	if ((a[0] = pullmsg_array(m[5], &b->n_records, "records", e)) == NULL ||
	    (a[1] = pullmsg_array(m[6], &b->n_profiles, "profiles", e)) == NULL ||
	    (a[2] = pullmsg_array(m[7], &b->n_schools, "schools", e)) == NULL) {
		r = TERR_SCHEMA;
		goto out;
	}
	if (b->n_records + b->n_profiles + b->n_schools != h->count) {
		r = terr_set(e, TERR_MISMATCH, "ответ хаба: в заголовке %" PRIu32 " записей, а в "
		    "содержимом %zu", h->count, b->n_records + b->n_profiles + b->n_schools);
		goto out;
	}
	if ((b->n_records && (b->records = calloc(b->n_records, sizeof(*b->records))) == NULL) ||
	    (b->n_profiles && (b->profiles = calloc(b->n_profiles, sizeof(*b->profiles))) == NULL) ||
	    (b->n_schools && (b->schools = calloc(b->n_schools, sizeof(*b->schools))) == NULL)) {
		r = terr_set(e, TERR_NOMEM, "ответ хаба: недостаточно памяти");
		goto out;
	}
	for (i = 0, prev = h->after, c = a[0]->child; c != NULL; c = c->next, i++) {
		if ((r = pullmsg_record(c, h, prev, &b->records[i], i, e)) != 0)
			goto out;
		prev = b->records[i].pos;
	}
	for (i = 0, prev = h->after, c = a[1]->child; c != NULL; c = c->next, i++) {
		if ((r = pullmsg_profile(c, h, prev, &b->profiles[i], i, e)) != 0)
			goto out;
		prev = b->profiles[i].pos;
	}
	for (i = 0, prev = h->after, c = a[2]->child; c != NULL; c = c->next, i++) {
		if ((r = pullmsg_school(c, h, prev, &b->schools[i], i, e)) != 0)
			goto out;
		prev = b->schools[i].pos;
	}
	if ((r = pullmsg_disjoint(b, e)) != 0)
		goto out;
	*out = b;
	b = NULL;
	r = 0;
 out:
	pullmsg_batch_free(b);
	return r;
}

void
pullmsg_batch_free(struct pullmsg_batch *b)
{
	if (b == NULL)
		return;
	free(b->records);
	free(b->profiles);
	free(b->schools);
	cJSON_Delete(b->root);
	free(b);
}
