/*
 * form_pair — which item of a group is which after the group changed: a
 * fingerprint of an item (canonical: members sorted by key) and the pairing
 * of a group's items now with the items it had (form.h). The client's
 * sealed values and syncd's plain graft use it to give each item its own
 * hidden values back, never another child's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tetrad/form.h"

static void
form_fp_bytes(crypto_generichash_state *h, char tag, const void *p, size_t len)
{
	unsigned char n[8];

	for (int i = 0; i < 8; i++)
		n[i] = (unsigned char)((uint64_t)len >> (8 * i));
	crypto_generichash_update(h, (const unsigned char *)&tag, 1);
	crypto_generichash_update(h, n, sizeof(n));
	if (p != NULL && len > 0)       /* p NULL: len is a count */
		crypto_generichash_update(h, p, len);
}

static int
form_fp_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

static int
form_fp_walk(crypto_generichash_state *h, const cJSON *j)
{
	char num[40];
	const cJSON **m = NULL;
	size_t n = 0, k = 0;

	if (cJSON_IsObject(j)) {
		for (const cJSON *c = j->child; c != NULL; c = c->next)
			n++;
		if (n > 0 && (m = malloc(n * sizeof(*m))) == NULL)
			return TERR_NOMEM;
		for (const cJSON *c = j->child; c != NULL; c = c->next)
			if (c->string == NULL || strcmp(c->string, FORM_FP_KEY) != 0)
				m[k++] = c;
		if (k > 1)
			qsort(m, k, sizeof(*m), form_fp_cmp);
		form_fp_bytes(h, '{', NULL, k);
		for (size_t i = 0; i < k; i++) {
			const char *key = m[i]->string ? m[i]->string : "";
			int r;

			form_fp_bytes(h, 'k', key, strlen(key));
			if ((r = form_fp_walk(h, m[i])) != 0) {
				free(m);
				return r;
			}
		}
		free(m);
		return 0;
	}
	if (cJSON_IsArray(j)) {
		for (const cJSON *c = j->child; c != NULL; c = c->next)
			n++;
		form_fp_bytes(h, '[', NULL, n);
		for (const cJSON *c = j->child; c != NULL; c = c->next) {
			int r = form_fp_walk(h, c);

			if (r != 0)
				return r;
		}
		return 0;
	}
	if (cJSON_IsString(j) && j->valuestring != NULL)
		form_fp_bytes(h, 's', j->valuestring, strlen(j->valuestring));
	else if (cJSON_IsNumber(j)) {
		snprintf(num, sizeof(num), "%.17g", j->valuedouble);
		form_fp_bytes(h, 'd', num, strlen(num));
	} else if (cJSON_IsTrue(j))
		form_fp_bytes(h, 't', NULL, 0);
	else if (cJSON_IsFalse(j))
		form_fp_bytes(h, 'f', NULL, 0);
	else
		form_fp_bytes(h, 'n', NULL, 0);
	return 0;
}

int
form_item_fp(const cJSON *item, char out[FORM_FP_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	crypto_generichash_state h;
	unsigned char d[crypto_generichash_BYTES_MIN];
	int r;

	out[0] = '\0';
	if (sodium_init() < 0)
		return TERR_INTERNAL;
	crypto_generichash_init(&h, (const unsigned char *)"tetrad-item-v1", 14, sizeof(d));
	if ((r = form_fp_walk(&h, item)) != 0)
		return r;
	crypto_generichash_final(&h, d, sizeof(d));
	for (int i = 0; i < FORM_FP_LEN / 2; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[FORM_FP_LEN] = '\0';
	return 0;
}

void
form_pair_items(const char *const *a, size_t na, const char *const *b, size_t nb,
    long *pair)
{
	bool *used = calloc(nb ? nb : 1, sizeof(*used));

	for (size_t i = 0; i < na; i++)
		pair[i] = -1;
	if (used == NULL)
		return;            /* nothing paired: values left out, none misplaced */
	/* unchanged in place first: an edit that made one item equal to
	 * another must not take the other's values */
	for (size_t i = 0; i < na && i < nb; i++)
		if (a[i] != NULL && b[i] != NULL && strcmp(a[i], b[i]) == 0) {
			used[i] = true;
			pair[i] = (long)i;
		}
	for (size_t i = 0; i < na; i++) {
		if (a[i] == NULL || pair[i] >= 0)
			continue;
		for (size_t j = 0; j < nb; j++)
			if (!used[j] && b[j] != NULL && strcmp(a[i], b[j]) == 0) {
				used[j] = true;
				pair[i] = (long)j;
				break;
			}
	}
	/* a hub field of an item edited: its fingerprint changed, its place not */
	for (size_t i = 0; na == nb && i < na; i++)
		if (pair[i] < 0 && !used[i]) {
			used[i] = true;
			pair[i] = (long)i;
		}
	free(used);
}

/* The hub fingerprints of a group's items (a[i] NULL: not an object). */
static int
form_pair_fps(const struct form_field *fl, const cJSON *arr,
    char (*fp)[FORM_FP_LEN + 1], const char **a)
{
	size_t i = 0;

	for (const cJSON *it = arr->child; it != NULL; it = it->next, i++) {
		a[i] = NULL;
		if (!cJSON_IsObject(it))
			continue;
		if (form_item_hub_fp(fl->children, fl->n_children, it, fp[i]) != 0)
			return TERR_NOMEM;
		a[i] = fp[i];
	}
	return 0;
}

int
form_items_kept(const struct form_field *fs, size_t n, const cJSON *a,
    const cJSON *b)
{
	for (size_t i = 0; i < n; i++) {
		const struct form_field *fl = &fs[i];
		const cJSON *x, *y, *p;
		char (*fp)[FORM_FP_LEN + 1] = NULL;
		const char **fa = NULL, **fb = NULL;
		long *pair = NULL;
		size_t na, nb, k = 0;
		int rv = TERR_NOMEM;

		if (fl->type != FORM_GROUP || fl->sync == FORM_SYNC_LOCAL ||
		    !form_field_has_local(fl))
			continue;
		x = cJSON_GetObjectItemCaseSensitive(a, fl->id);
		y = cJSON_GetObjectItemCaseSensitive(b, fl->id);
		nb = (size_t)cJSON_GetArraySize(cJSON_IsArray(y) ? y : NULL);
		if (nb == 0)
			continue;
		if (!cJSON_IsArray(x))
			return 0;
		na = (size_t)cJSON_GetArraySize(x);
		if ((fp = calloc(na + nb, sizeof(*fp))) == NULL ||
		    (fa = calloc(na + 1, sizeof(*fa))) == NULL ||
		    (fb = calloc(nb, sizeof(*fb))) == NULL ||
		    (pair = calloc(na + 1, sizeof(*pair))) == NULL ||
		    form_pair_fps(fl, x, fp, fa) != 0 ||
		    form_pair_fps(fl, y, fp + na, fb) != 0)
			goto done;
		form_pair_items(fa, na, fb, nb, pair);
		rv = 1;
		for (size_t q = 0; q < nb && rv == 1; q++) {
			bool found = false;

			for (size_t t = 0; t < na; t++)
				found = found || pair[t] == (long)q;
			if (!found)
				rv = 0;
		}
		/* inner groups of the items that stay */
		for (p = x->child; p != NULL && rv == 1; p = p->next, k++)
			if (pair[k] >= 0)
				rv = form_items_kept(fl->children, fl->n_children, p,
				    cJSON_GetArrayItem(y, (int)pair[k]));
 done:
		free(fp);
		free(fa);
		free(fb);
		free(pair);
		if (rv != 1)
			return rv;
	}
	return 1;
}
