/*
 * changeset — the model: a set of operations, adding to it, freeing it, its
 * chain hash, and the caps and ranges every set must keep (changeset_check),
 * shared by the encoder (changeset_write.c), the canonical reader
 * (changeset_rd.c) and the full parser (changeset_parse.c).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* changeset.h names struct tbuf without declaring it: tbuf.h goes first. */
#include "tetrad/tbuf.h"
#include "tetrad/changeset.h"
#include "tetrad/form.h"
#include "tetrad/school.h"
#include "changeset_model.h"

struct changeset *
changeset_new(void)
{
	struct changeset *cs = calloc(1, sizeof(*cs));

	if (cs != NULL)
		cs->format_version = CHANGESET_FORMAT_VERSION;
	return cs;
}

/* cJSON_Delete does not wipe: field values are personal data. */
static void
changeset_wipe_json(cJSON *j)
{
	for (; j != NULL; j = j->next) {
		if (j->child != NULL)
			changeset_wipe_json(j->child);
		if (j->valuestring != NULL)
			sodium_memzero(j->valuestring, strlen(j->valuestring));
		if (j->string != NULL)
			sodium_memzero(j->string, strlen(j->string));
		j->valuedouble = 0;
		j->valueint = 0;
	}
}

void
changeset_free_json(cJSON *j)
{
	if (j == NULL)
		return;
	changeset_wipe_json(j);
	cJSON_Delete(j);
}

/*
 * Memory that never moves and is wiped with the set: copies of fields given
 * to changeset_add as text, and the fields trees of a set the canonical
 * reader read.
 */
struct changeset_chunk {
	struct changeset_chunk *next;
	size_t cap, used;
	_Alignas(max_align_t) char data[];
};

#define CHANGESET_CHUNK_BYTES (32u << 10)

/*
 * Chunks of the usual size, wiped, kept by the thread that freed them for
 * its next set. A hub worker reads some 9 KB of trees per risk-profile
 * visit, 9 MB a set of 1,000: given back to glibc with each set, the thread
 * arena shrank (madvise, with a TLB shootdown across the threads) and every
 * page faulted in again for the next set. Up to CHANGESET_CACHE_CHUNKS per
 * thread, and CHANGESET_CACHE_TOTAL across the process: the hub has some 70
 * threads that may read sets, and 16 MiB kept by each would be a gigabyte
 * held for nothing. The key's destructor frees them when the thread ends.
 */
#define CHANGESET_CACHE_CHUNKS 512u
#define CHANGESET_CACHE_TOTAL 1024u     /* 32 MiB */

static atomic_size_t chunk_cache_total;

static _Thread_local struct changeset_chunk *chunk_cache;
static _Thread_local size_t chunk_cache_n;
static pthread_key_t chunk_cache_key;
static pthread_once_t chunk_cache_once = PTHREAD_ONCE_INIT;
static int chunk_cache_ok;

static void
changeset_cache_drop(void *unused)
{
	struct changeset_chunk *c, *next;

	(void)unused;
	for (c = chunk_cache; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	atomic_fetch_sub(&chunk_cache_total, chunk_cache_n);
	chunk_cache = NULL;
	chunk_cache_n = 0;
}

static void
changeset_cache_init(void)
{
	chunk_cache_ok = pthread_key_create(&chunk_cache_key, changeset_cache_drop) == 0;
}

/* A wiped chunk to the thread's cache, or back to malloc. */
static void
changeset_chunk_release(struct changeset_chunk *c)
{
	sodium_memzero(c->data, c->used);
	if (c->cap == CHANGESET_CHUNK_BYTES && chunk_cache_n < CHANGESET_CACHE_CHUNKS &&
	    atomic_fetch_add(&chunk_cache_total, 1) < CHANGESET_CACHE_TOTAL) {
		if (chunk_cache_n == 0) {
			/* the key's value only makes its destructor run */
			pthread_once(&chunk_cache_once, changeset_cache_init);
			if (!chunk_cache_ok || pthread_setspecific(chunk_cache_key, &chunk_cache) != 0) {
				atomic_fetch_sub(&chunk_cache_total, 1);
				free(c);
				return;
			}
		}
		c->next = chunk_cache;
		chunk_cache = c;
		chunk_cache_n++;
		return;
	}
	if (c->cap == CHANGESET_CHUNK_BYTES && chunk_cache_n < CHANGESET_CACHE_CHUNKS)
		atomic_fetch_sub(&chunk_cache_total, 1);   /* over the total: not kept */
	free(c);
}

void *
changeset_chunk_take(struct changeset *cs, size_t size)
{
	struct changeset_chunk *c = cs->chunks;
	size_t at = 0;

	if (c != NULL)
		at = (c->used + _Alignof(max_align_t) - 1) & ~(size_t)(_Alignof(max_align_t) - 1);
	if (c == NULL || at > c->cap || c->cap - at < size) {
		size_t cap = size > CHANGESET_CHUNK_BYTES ? size : CHANGESET_CHUNK_BYTES;

		if (cap == CHANGESET_CHUNK_BYTES && chunk_cache != NULL) {
			c = chunk_cache;
			chunk_cache = c->next;
			chunk_cache_n--;
			atomic_fetch_sub(&chunk_cache_total, 1);
		} else if ((c = malloc(sizeof(*c) + cap)) == NULL)
			return NULL;
		c->next = cs->chunks;
		c->cap = cap;
		c->used = 0;
		cs->chunks = c;
		at = 0;
	}
	c->used = at + size;
	return c->data + at;
}

static const char *
changeset_keep_text(struct changeset *cs, const char *text, size_t len)
{
	char *copy = changeset_chunk_take(cs, len);

	if (copy != NULL)
		memcpy(copy, text, len);
	return copy;
}

void
changeset_free(struct changeset *cs)
{
	struct changeset_chunk *c, *next;

	if (cs == NULL)
		return;
	/* fields trees in chunks go with them */
	for (size_t i = 0; i < cs->n_ops && !cs->fields_in_chunks; i++)
		changeset_free_json(cs->ops[i].fields);
	for (c = cs->chunks; c != NULL; c = next) {
		next = c->next;
		changeset_chunk_release(c);
	}
	if (cs->text != NULL) {
		sodium_memzero(cs->text, cs->text_len);
		free(cs->text);
	}
	free(cs->ops);
	free(cs);
}

size_t
changeset_capacity(size_t n)
{
	size_t c = 8;

	while (c < n)
		c *= 2;
	return c;
}

static int
changeset_bounded_str(const char *s, size_t max, size_t *lenp)
{
	size_t n = 0;

	while (n <= max && s[n] != '\0')
		n++;
	if (n > max)
		return -1;
	*lenp = n;
	return 0;
}

int
changeset_add(struct changeset *cs, const struct op *op, struct terr *e)
{
	struct op *slot;
	cJSON *fields = NULL;
	size_t n;

	if (cs == NULL || op == NULL)
		return terr_set(e, TERR_ARG, "набор изменений: не передана операция");
	if (cs->n_ops >= CHANGESET_MAX_OPS)
		return terr_set(e, TERR_COUNT,
		    "набор изменений: больше %d операций в одном наборе", CHANGESET_MAX_OPS);
	if (changeset_bounded_str(op->form_id, CHANGESET_ID_MAX, &n) != 0 || n == 0)
		return terr_set(e, TERR_ARG, "операция %" PRIu64 ": идентификатор формы пуст или длиннее %d байт",
		    op->seq, CHANGESET_ID_MAX);
	if (changeset_bounded_str(op->school, CHANGESET_SCHOOL_MAX, &n) != 0 || n == 0)
		return terr_set(e, TERR_ARG, "операция %" PRIu64 ": код школы пуст или длиннее %d байт",
		    op->seq, CHANGESET_SCHOOL_MAX);
	if (OP_HAS_FIELDS(op->kind) && op->fields == NULL && op->fields_text != NULL) {
		if (changeset_fields_canonical(op->fields_text, op->fields_len) != 0)
			return terr_set(e, TERR_PARSE, "операция %" PRIu64 ": поля не в канонической записи",
			    op->seq);
		if (op->kind == OP_EDIT && op->fields_len == 2)
			return terr_set(e, TERR_ARG, "операция %" PRIu64 ": правка без полей", op->seq);
	} else if (OP_HAS_FIELDS(op->kind)) {
		if (!cJSON_IsObject(op->fields))
			return terr_set(e, TERR_ARG, "операция %" PRIu64 ": у записи нет объекта полей", op->seq);
		if (op->kind == OP_EDIT && op->fields->child == NULL)
			return terr_set(e, TERR_ARG, "операция %" PRIu64 ": правка без полей", op->seq);
		if (cJSON_GetArraySize(op->fields) > CHANGESET_MAX_FIELDS)
			return terr_set(e, TERR_TOO_LARGE, "операция %" PRIu64 ": больше %d полей",
			    op->seq, CHANGESET_MAX_FIELDS);
		if ((fields = cJSON_Duplicate(op->fields, 1)) == NULL)
			return terr_set(e, TERR_NOMEM, "набор изменений: недостаточно памяти");
	} else if (op->kind == OP_DELETE) {
		if (op->fields != NULL)
			return terr_set(e, TERR_ARG, "операция %" PRIu64 ": у удаления не бывает полей", op->seq);
	} else {
		return terr_set(e, TERR_ARG, "операция %" PRIu64 ": неизвестный вид операции %d",
		    op->seq, (int)op->kind);
	}
	if (cs->n_ops == 0 || (cs->n_ops >= 8 && (cs->n_ops & (cs->n_ops - 1)) == 0)) {
		size_t cap = changeset_capacity(cs->n_ops + 1);
		struct op *n_ops = realloc(cs->ops, cap * sizeof(*n_ops));

		if (n_ops == NULL) {
			changeset_free_json(fields);
			return terr_set(e, TERR_NOMEM, "набор изменений: недостаточно памяти");
		}
		cs->ops = n_ops;
	}
	slot = &cs->ops[cs->n_ops];
	*slot = *op;
	slot->fields = fields;
	if (fields == NULL && OP_HAS_FIELDS(op->kind)) {
		if ((slot->fields_text = changeset_keep_text(cs, op->fields_text, op->fields_len)) == NULL)
			return terr_set(e, TERR_NOMEM, "набор изменений: недостаточно памяти");
	} else {
		slot->fields_text = NULL;
		slot->fields_len = 0;
	}
	cs->n_ops++;
	return 0;
}

void
changeset_hash(const uint8_t *canon, size_t len, uint8_t out[CHANGESET_HASH_BYTES])
{
	crypto_generichash(out, CHANGESET_HASH_BYTES, canon, len, NULL, 0);
}

size_t
changeset_utf8_bad(const uint8_t *s, size_t len)
{
	size_t i = 0, k;

	while (i < len) {
		if (s[i] >= 0x01 && s[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = changeset_utf8_seq(s + i, len - i)) == 0)
			return i;
		i += k;
	}
	return len;
}

int
changeset_check_utf8(const char *s, size_t len)
{
	if (s == NULL && len > 0)
		return TERR_UTF8;
	return changeset_utf8_bad((const uint8_t *)s, len) == len ? 0 : TERR_UTF8;
}
static int
changeset_check_hlc(const struct hlc_ts *t)
{
	return t->wall_ms <= HLC_WALL_MAX && t->counter <= HLC_COUNTER_MAX ? 0 : TERR_CLOCK;
}

/*
 * Whether every member name in a fields value (and in the objects of its
 * groups, at any depth) is a field id by the form rule: names are printed
 * and stored, so nothing else gets in. Depth is bounded by the readers.
 */
static bool
changeset_check_names(const cJSON *j)
{
	for (const cJSON *c = j->child; c != NULL; c = c->next) {
		if (cJSON_IsObject(j) && !form_ident_ok(c->string))
			return false;
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && !changeset_check_names(c))
			return false;
	}
	return true;
}

int
changeset_check(const struct changeset *cs, struct terr *e)
{
	size_t n;

	if (cs->format_version != CHANGESET_FORMAT_VERSION)
		return terr_set(e, TERR_VERSION, "набор изменений: версия формата %" PRIu32
		    " не поддерживается (ожидается %d)", cs->format_version, CHANGESET_FORMAT_VERSION);
	if (changeset_bounded_str(cs->school, CHANGESET_SCHOOL_MAX, &n) != 0 ||
	    changeset_check_utf8(cs->school, n) != 0)
		return terr_set(e, TERR_SCHEMA, "набор изменений: код школы длиннее %d байт или не в UTF-8",
		    CHANGESET_SCHOOL_MAX);
	/* a curator's set has no school of its own */
	if (cs->school[0] != '\0' && !school_code_ok(cs->school))
		return terr_set(e, TERR_SCHEMA, "набор изменений: код школы не по правилу (1–%d "
		    "латинских букв, цифр, «_» или «-»)", SCHOOL_CODE_MAX);
	if (cs->n_ops == 0 || cs->ops == NULL)
		return terr_set(e, TERR_COUNT, "набор изменений пуст");
	if (cs->n_ops > CHANGESET_MAX_OPS)
		return terr_set(e, TERR_COUNT, "набор изменений: %zu операций, допустимо не больше %d",
		    cs->n_ops, CHANGESET_MAX_OPS);
	if (cs->first_seq == 0 || cs->last_seq < cs->first_seq ||
	    cs->last_seq > (uint64_t)CHANGESET_INT_MAX)
		return terr_set(e, TERR_COUNT, "набор изменений: недопустимый диапазон номеров %" PRIu64
		    "–%" PRIu64, cs->first_seq, cs->last_seq);
	if (cs->last_seq - cs->first_seq + 1 != cs->n_ops)
		return terr_set(e, TERR_COUNT, "набор изменений %" PRIu64 "–%" PRIu64
		    ": %zu операций вместо %" PRIu64, cs->first_seq, cs->last_seq, cs->n_ops,
		    cs->last_seq - cs->first_seq + 1);
	if (changeset_check_hlc(&cs->created) != 0)
		return terr_set(e, TERR_CLOCK, "набор изменений: недопустимая метка времени создания");
	for (size_t i = 0; i < cs->n_ops; i++) {
		const struct op *op = &cs->ops[i];

		if (op->seq != cs->first_seq + i)
			return terr_set(e, TERR_COUNT, "набор изменений %" PRIu64 "–%" PRIu64
			    ": операция %zu имеет номер %" PRIu64 " вместо %" PRIu64,
			    cs->first_seq, cs->last_seq, i + 1, op->seq, cs->first_seq + i);
		if (changeset_bounded_str(op->form_id, CHANGESET_ID_MAX, &n) != 0 || n == 0 ||
		    changeset_check_utf8(op->form_id, n) != 0)
			return terr_set(e, TERR_SCHEMA, "операция %" PRIu64
			    ": идентификатор формы пуст, длиннее %d байт или не в UTF-8",
			    op->seq, CHANGESET_ID_MAX);
		if (!form_ident_ok(op->form_id))
			return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": идентификатор формы не по "
			    "правилу (1–%d строчных латинских букв, цифр или «_», первая — буква)",
			    op->seq, FORM_ID_MAX);
		if (changeset_bounded_str(op->school, CHANGESET_SCHOOL_MAX, &n) != 0 || n == 0 ||
		    changeset_check_utf8(op->school, n) != 0)
			return terr_set(e, TERR_SCHEMA, "операция %" PRIu64
			    ": код школы пуст, длиннее %d байт или не в UTF-8", op->seq, CHANGESET_SCHOOL_MAX);
		if (!school_code_ok(op->school))
			return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": код школы не по правилу "
			    "(1–%d латинских букв, цифр, «_» или «-»)", op->seq, SCHOOL_CODE_MAX);
		if (changeset_check_hlc(&op->hlc) != 0)
			return terr_set(e, TERR_CLOCK, "операция %" PRIu64 ": недопустимая метка времени", op->seq);
		if (OP_HAS_FIELDS(op->kind) && op->fields == NULL) {
			if (op->fields_text == NULL)
				return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": у записи нет объекта полей",
				    op->seq);
			if (op->kind == OP_EDIT && op->fields_len == 2)
				return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": правка без полей",
				    op->seq);
		} else if (OP_HAS_FIELDS(op->kind)) {
			if (!cJSON_IsObject(op->fields))
				return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": у записи нет объекта полей",
				    op->seq);
			if (op->kind == OP_EDIT && op->fields->child == NULL)
				return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": правка без полей",
				    op->seq);
			/* trees in chunks come from the canonical reader, which counted
			 * the fields and held every name to the rule as it read them */
			if (cs->fields_in_chunks)
				continue;
			if (cJSON_GetArraySize(op->fields) > CHANGESET_MAX_FIELDS)
				return terr_set(e, TERR_TOO_LARGE, "операция %" PRIu64 ": больше %d полей",
				    op->seq, CHANGESET_MAX_FIELDS);
			if (!changeset_check_names(op->fields))
				return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": имя поля не по "
				    "правилу (1–%d строчных латинских букв, цифр или «_», первая — буква)",
				    op->seq, FORM_ID_MAX);
		} else if (op->kind == OP_DELETE) {
			if (op->fields != NULL)
				return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": у удаления не бывает полей",
				    op->seq);
		} else {
			return terr_set(e, TERR_SCHEMA, "операция %" PRIu64 ": неизвестный вид операции",
			    op->seq);
		}
	}
	return 0;
}
