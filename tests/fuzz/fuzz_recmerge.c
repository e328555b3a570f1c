/*
 * fuzz_recmerge — hostile record states into recmerge, as a device gets
 * them from a pull. Input: a JSON array of up to three {"d":{…},"c":{…}}
 * (data, clock document). Every state is joined and applied as an op
 * whatever recmerge_check_clocks says, which must never crash or leak; a
 * refusal must carry a reason. For the states it accepts the join must be
 * a semilattice on the text of the result: commutative, associative,
 * idempotent (joining again changes nothing, *changed false), and a field
 * skipped as local keeps its value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/recmerge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct st {
	cJSON *d, *c;
};

static bool
skip_l(const char *field, void *arg)
{
	(void)arg;
	return field[0] == 'l';
}

static char *
text_of(const struct st *s)
{
	char *d = cJSON_PrintUnformatted(s->d), *c = cJSON_PrintUnformatted(s->c), *t = NULL;

	if (d != NULL && c != NULL && (t = malloc(strlen(d) + strlen(c) + 2)) != NULL) {
		strcpy(t, d);
		strcat(t, " ");
		strcat(t, c);
	}
	cJSON_free(d);
	cJSON_free(c);
	return t;
}

/* a ⊔ b as a new state; d NULL when out of memory */
static struct st
join(const struct st *a, const struct st *b, const struct recmerge_opts *o, bool *changed)
{
	struct st r = { cJSON_Duplicate(a->d, 1), cJSON_Duplicate(a->c, 1) };

	if (r.d == NULL || r.c == NULL ||
	    recmerge_state(r.d, r.c, b->d, b->c, o, changed, NULL) != 0) {
		cJSON_Delete(r.d);
		cJSON_Delete(r.c);
		r.d = r.c = NULL;
	}
	return r;
}

static void
st_free(struct st *s)
{
	cJSON_Delete(s->d);
	cJSON_Delete(s->c);
}

/* Both joined states read the same (either missing: no memory, no verdict). */
static void
same(const struct st *x, const struct st *y)
{
	char *tx, *ty;

	if (x->d == NULL || y->d == NULL)
		return;
	tx = text_of(x);
	ty = text_of(y);
	if (tx != NULL && ty != NULL && strcmp(tx, ty) != 0)
		abort();
	free(tx);
	free(ty);
}

/* A state as an op: its data as a put's and an edit's fields, at its "x". */
static void
as_ops(const struct st *s)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(s->c, "x");
	const cJSON *h = cJSON_GetArrayItem(x, 0), *dev = cJSON_GetArrayItem(x, 1);
	enum recmerge_kind k;
	cJSON *d, *c;

	if (!cJSON_IsString(h) || !cJSON_IsString(dev))
		return;
	for (k = RECMERGE_PUT; k <= RECMERGE_DELETE; k++) {
		d = cJSON_CreateObject();
		c = cJSON_CreateObject();
		if (d != NULL && c != NULL)
			(void)recmerge_change(d, c, k, h->valuestring, dev->valuestring,
			    k == RECMERGE_DELETE ? NULL : s->d, NULL, NULL, NULL);
		cJSON_Delete(d);
		cJSON_Delete(c);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st s[3], e = { NULL, NULL };
	struct recmerge_opts skip = { skip_l, NULL, NULL, NULL, false };
	const cJSON *it;
	cJSON *doc;
	struct terr err;
	size_t n = 0;
	bool ok[3] = { false, false, false }, changed;

	if (size > 65536 || (doc = cJSON_ParseWithLength((const char *)data, size)) == NULL)
		return 0;
	cJSON_ArrayForEach(it, doc) {
		cJSON *d = cJSON_GetObjectItemCaseSensitive(it, "d");
		cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "c");

		if (n == 3)
			break;
		if (!cJSON_IsObject(d) || c == NULL)
			continue;
		s[n].d = d;
		s[n].c = c;
		terr_clear(&err);
		if (recmerge_check_clocks(c, &err) == 0)
			ok[n] = true;
		else if (err.code != TERR_PARSE || err.msg[0] == '\0')
			abort();
		n++;
	}
	if (n == 0)
		goto out;
	e.d = cJSON_CreateObject();
	e.c = cJSON_CreateObject();
	if (e.d == NULL || e.c == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct st ji = join(&e, &s[i], NULL, NULL), again;

		as_ops(&s[i]);
		(void)recmerge_newest(s[i].c);
		(void)recmerge_deleted(s[i].c);
		if (ji.d == NULL)
			continue;
		/* idempotent: its normal form joined with it again */
		again = join(&ji, &s[i], NULL, &changed);
		if (ok[i] && again.d != NULL) {
			same(&ji, &again);
			if (changed)
				abort();
		}
		st_free(&again);
		for (size_t k = 0; k < n; k++) {
			struct st ab = join(&ji, &s[k], NULL, NULL), ba, sk;
			struct st jk = join(&e, &s[k], NULL, NULL);

			if (jk.d != NULL) {
				ba = join(&jk, &s[i], NULL, NULL);
				if (ok[i] && ok[k])
					same(&ab, &ba);
				st_free(&ba);
				/* skipped fields keep their values */
				sk = join(&ji, &jk, &skip, NULL);
				if (sk.d != NULL) {
					cJSON_ArrayForEach(it, ji.d)
						if (skip_l(it->string, NULL) &&
						    !cJSON_Compare(it, cJSON_GetObjectItemCaseSensitive(sk.d,
						    it->string), 1))
							abort();
				}
				st_free(&sk);
			}
			if (n == 3 && ok[0] && ok[1] && ok[2] && i == 0 && k == 1 && ab.d != NULL) {
				struct st abc = join(&ab, &s[2], NULL, NULL);
				struct st j1 = join(&e, &s[1], NULL, NULL), bc = { NULL, NULL }, a_bc;

				if (j1.d != NULL)
					bc = join(&j1, &s[2], NULL, NULL);
				if (bc.d != NULL) {
					a_bc = join(&ji, &bc, NULL, NULL);
					same(&abc, &a_bc);
					st_free(&a_bc);
				}
				st_free(&abc);
				st_free(&j1);
				st_free(&bc);
			}
			st_free(&ab);
			st_free(&jk);
		}
		st_free(&ji);
	}
 out:
	st_free(&e);
	cJSON_Delete(doc);
	return 0;
}
