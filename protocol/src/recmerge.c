/*
 * recmerge — per-field last-writer-wins join of record states (recmerge.h).
 *
 * Every change is read as a state and joined: a put is {"p":[h,d],"x":[h,d,0]}
 * with its fields as data; an edit gives its listed fields the clock [h,d]
 * and every other field no clock at all (below any clock); a delete is
 * "x":[h,d,1] alone. So the hub ingesting ops and a device joining pulled
 * states run the same code, and the laws the join has (commutative,
 * associative, idempotent) hold for ops too.
 *
 * The join builds a new clock document beside the old one and moves it in at
 * the end: while it runs, the old document's strings are what the clocks
 * being compared point at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/changeset.h"
#include "tetrad/form.h"
#include "tetrad/hlc.h"
#include "tetrad/keys.h"
#include "tetrad/recmerge.h"

/* A clock: hlc NULL is "none" (a field never written), below every clock. */
struct rclock {
	const char *hlc;
	const char *dev;
	int flag;
};

/*
 * One side of a join. edit: every field in data has the clock `listed`,
 * every other field none (f and p unused); else a field's clock is its "f"
 * entry or "p".
 */
struct rside {
	const cJSON *data;
	const cJSON *f;
	struct rclock p, x, listed;
	bool edit;
};

struct rjoin {
	const struct recmerge_opts *o;
	bool changed;
	struct terr *e;
};

static int
recmerge_nomem(struct terr *e)
{
	return terr_set(e, TERR_NOMEM, "недостаточно памяти");
}

/* The clock in c (an array [hlc, device(, flag)]) or none when absent or
 * damaged: a damaged clock never wins. */
static struct rclock
recmerge_clock(const cJSON *c)
{
	struct rclock k = { NULL, NULL, 0 };
	const cJSON *h, *d, *f;

	if (!cJSON_IsArray(c))
		return k;
	h = cJSON_GetArrayItem(c, 0);
	d = cJSON_GetArrayItem(c, 1);
	if (!cJSON_IsString(h) || !cJSON_IsString(d))
		return k;
	k.hlc = h->valuestring;
	k.dev = d->valuestring;
	f = cJSON_GetArrayItem(c, 2);
	k.flag = cJSON_IsNumber(f) && f->valuedouble == 1 ? 1 : 0;
	return k;
}

/* <0, 0, >0 as a orders before, like, after b: HLC text, device, flag. */
static int
recmerge_clock_cmp(const struct rclock *a, const struct rclock *b)
{
	int c;

	if (a->hlc == NULL || b->hlc == NULL)
		return (a->hlc != NULL) - (b->hlc != NULL);
	if ((c = strcmp(a->hlc, b->hlc)) != 0 || (c = strcmp(a->dev, b->dev)) != 0)
		return c;
	return a->flag - b->flag;
}

static cJSON *
recmerge_clock_json(const struct rclock *k, bool with_flag)
{
	cJSON *a = cJSON_CreateArray();

	if (a == NULL)
		return NULL;
	if (!cJSON_AddItemToArray(a, cJSON_CreateString(k->hlc)) ||
	    !cJSON_AddItemToArray(a, cJSON_CreateString(k->dev)) ||
	    cJSON_GetArraySize(a) != 2 ||
	    (with_flag && (!cJSON_AddItemToArray(a, cJSON_CreateNumber(k->flag)) ||
	    cJSON_GetArraySize(a) != 3))) {
		cJSON_Delete(a);
		return NULL;
	}
	return a;
}

static bool
recmerge_absent(const cJSON *v)
{
	return v == NULL || cJSON_IsNull(v);
}

/*
 * Two values are the same: exactly, unlike cJSON_Compare (which takes
 * numbers within an epsilon as equal, and would let two places keep two
 * different texts of "one" value). Object members in any order, as JSON
 * means them; a repeated member is never the same as anything.
 */
static bool
recmerge_same(const cJSON *a, const cJSON *b, int depth)
{
	const cJSON *x, *y;
	int n = 0, m = 0;

	if ((a->type & 0xff) != (b->type & 0xff) || depth > 64)
		return false;
	switch (a->type & 0xff) {
	case cJSON_Number:
		return memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) == 0;
	case cJSON_String:
	case cJSON_Raw:
		return a->valuestring != NULL && b->valuestring != NULL &&
		    strcmp(a->valuestring, b->valuestring) == 0;
	case cJSON_Array:
		for (x = a->child, y = b->child; x != NULL && y != NULL; x = x->next, y = y->next)
			if (!recmerge_same(x, y, depth + 1))
				return false;
		return x == NULL && y == NULL;
	case cJSON_Object:
		for (y = b->child; y != NULL; y = y->next)
			m++;
		for (x = a->child; x != NULL; x = x->next, n++) {
			if (x->string == NULL ||
			    (y = cJSON_GetObjectItemCaseSensitive(b, x->string)) == NULL ||
			    cJSON_GetObjectItemCaseSensitive(a, x->string) != x ||
			    !recmerge_same(x, y, depth + 1))
				return false;
		}
		return n == m;
	default:                                /* true, false, null */
		return true;
	}
}

static bool
recmerge_equal(const cJSON *a, const cJSON *b)
{
	if (recmerge_absent(a) || recmerge_absent(b))
		return recmerge_absent(a) && recmerge_absent(b);
	return recmerge_same(a, b, 0);
}

/*
 * Orders two different values under one clock (only a damaged or forged
 * document has them): "no answer" first, then by their text. -2 on no memory.
 */
static int
recmerge_value_cmp(const cJSON *a, const cJSON *b)
{
	char *ta, *tb;
	int c;

	if (recmerge_absent(a) || recmerge_absent(b))
		return !recmerge_absent(a) - !recmerge_absent(b);
	ta = cJSON_PrintUnformatted(a);
	tb = cJSON_PrintUnformatted(b);
	c = ta == NULL || tb == NULL ? -2 : strcmp(ta, tb) < 0 ? -1 : 1;
	cJSON_free(ta);
	cJSON_free(tb);
	return c;
}

static const cJSON *
recmerge_value(const struct rside *s, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(s->data, key);

	return recmerge_absent(v) ? NULL : v;
}

static struct rclock
recmerge_field_clock(const struct rside *s, const char *key)
{
	struct rclock k;

	if (s->edit) {
		if (cJSON_GetObjectItemCaseSensitive(s->data, key) != NULL)
			return s->listed;
		k.hlc = k.dev = NULL;
		k.flag = 0;
		return k;
	}
	k = recmerge_clock(cJSON_GetObjectItemCaseSensitive(s->f, key));
	return k.hlc != NULL ? k : s->p;
}

static int
recmerge_report(struct rjoin *j, const char *field, const cJSON *loser,
    const struct rclock *lk, const cJSON *winner, const struct rclock *wk)
{
	struct recmerge_loser l;

	if (j->o == NULL || j->o->on_loser == NULL || recmerge_absent(loser) ||
	    lk->hlc == NULL || strcmp(lk->dev, wk->dev) == 0 || recmerge_equal(loser, winner))
		return 0;
	l.field = field;
	l.loser = loser;
	l.loser_hlc = lk->hlc;
	l.loser_device = lk->dev;
	l.winner = recmerge_absent(winner) ? NULL : winner;
	l.winner_hlc = wk->hlc;
	l.winner_device = wk->dev;
	return j->o->on_loser(&l, j->o->loser_arg);
}

static bool
recmerge_skipped(const struct rjoin *j, const char *key)
{
	return j->o != NULL && j->o->skip != NULL && j->o->skip(key, j->o->skip_arg);
}

/*
 * One field: the greater of the two (clock, value) pairs goes into data, its
 * clock into nf (compacted against the new "p" later). A skipped field keeps its own
 * value and clock.
 */
static int
recmerge_field(struct rjoin *j, cJSON *data, cJSON *nf, const struct rside *mine,
    const struct rside *in, const char *name)
{
	struct rclock km, ki, *win;
	const cJSON *vm, *vi;
	cJSON *copy, *clk;
	char kbuf[128], *kheap = NULL;
	const char *key = kbuf;
	size_t klen = strlen(name);
	int c, r = 0;

	if (cJSON_GetObjectItemCaseSensitive(nf, name) != NULL)
		return 0;                       /* seen already (a key both sides name) */
	/* name may be a member's of data, which this replaces */
	if (klen < sizeof(kbuf))
		memcpy(kbuf, name, klen + 1);
	else if ((key = kheap = strdup(name)) == NULL)
		return recmerge_nomem(j->e);
	km = recmerge_field_clock(mine, key);
	vm = recmerge_value(mine, key);
	win = &km;
	if (!recmerge_skipped(j, key)) {
		ki = recmerge_field_clock(in, key);
		vi = recmerge_value(in, key);
		c = recmerge_clock_cmp(&ki, &km);
		if (c == 0 && !recmerge_equal(vi, vm)) {
			if ((c = recmerge_value_cmp(vi, vm)) == -2) {
				r = recmerge_nomem(j->e);
				goto out;
			}
		}
		if (c < 0) {
			if ((r = recmerge_report(j, key, vi, &ki, vm, &km)) != 0)
				goto out;
		} else if (c > 0) {
			if ((r = recmerge_report(j, key, vm, &km, vi, &ki)) != 0)
				goto out;
			win = &ki;
			if (!recmerge_equal(vm, vi)) {
				copy = NULL;
				if (vi != NULL && (copy = cJSON_Duplicate(vi, 1)) == NULL) {
					r = recmerge_nomem(j->e);
					goto out;
				}
				cJSON_DeleteItemFromObjectCaseSensitive(data, key);
				if (copy != NULL && !cJSON_AddItemToObject(data, key, copy)) {
					cJSON_Delete(copy);
					r = recmerge_nomem(j->e);
					goto out;
				}
				j->changed = true;
			}
		}
	}
	/*
	 * Every key gets an entry in nf while the join runs (so it is visited
	 * once); the ones equal to the new "p" go at compaction. A field with
	 * no clock at all (an edit's other fields, both sides never written)
	 * is marked with null and dropped too.
	 */
	clk = win->hlc != NULL ? recmerge_clock_json(win, false) : cJSON_CreateNull();
	if (clk == NULL || !cJSON_AddItemToObject(nf, key, clk)) {
		cJSON_Delete(clk);
		r = recmerge_nomem(j->e);
	}
 out:
	free(kheap);
	return r;
}

/*
 * "No answer" is no member, and a name is one member: nulls, and members
 * repeating a name (a damaged document), are dropped from data; the first
 * non-null value of a name stays. Skipped fields are left as they are.
 * True if data changed. Never allocates.
 */
static bool
recmerge_normalise(struct rjoin *j, cJSON *data)
{
	cJSON *c, *next;
	bool changed = false;

	for (c = data->child; c != NULL; c = next) {
		next = c->next;
		if (c->string == NULL || recmerge_skipped(j, c->string))
			continue;
		if (cJSON_IsNull(c) || cJSON_GetObjectItemCaseSensitive(data, c->string) != c) {
			cJSON_Delete(cJSON_DetachItemViaPointer(data, c));
			changed = true;
		}
	}
	return changed;
}

static struct rside
recmerge_side(const cJSON *data, const cJSON *clocks)
{
	struct rside s;

	memset(&s, 0, sizeof(s));
	s.data = data;
	s.f = cJSON_GetObjectItemCaseSensitive(clocks, "f");
	if (!cJSON_IsObject(s.f))
		s.f = NULL;
	s.p = recmerge_clock(cJSON_GetObjectItemCaseSensitive(clocks, "p"));
	s.x = recmerge_clock(cJSON_GetObjectItemCaseSensitive(clocks, "x"));
	return s;
}

/* Replaces the members of clocks by nf (as "f"), p and x. Takes nf. */
static int
recmerge_install(cJSON *clocks, cJSON *nf, const struct rclock *p,
    const struct rclock *x, struct terr *e)
{
	cJSON *nc = cJSON_CreateObject(), *c, *next;
	int r = TERR_NOMEM;

	if (nc == NULL)
		goto out;
	/* the order of a first put's document: f, p, x */
	if (nf->child != NULL) {
		if (!cJSON_AddItemToObject(nc, "f", nf))
			goto out;
		nf = NULL;
	}
	if (p->hlc != NULL && ((c = recmerge_clock_json(p, false)) == NULL ||
	    !cJSON_AddItemToObject(nc, "p", c)))
		goto out;
	if (x->hlc != NULL && ((c = recmerge_clock_json(x, true)) == NULL ||
	    !cJSON_AddItemToObject(nc, "x", c)))
		goto out;
	for (c = clocks->child; c != NULL; c = next) {
		next = c->next;
		cJSON_Delete(cJSON_DetachItemViaPointer(clocks, c));
	}
	/* moved whole: nothing to allocate, so nothing can fail half-way */
	clocks->child = nc->child;
	nc->child = NULL;
	r = 0;
 out:
	if (r != 0)
		recmerge_nomem(e);
	cJSON_Delete(nf);
	cJSON_Delete(nc);
	return r;
}

/* Drops nf's entries that are null or equal to p. */
static void
recmerge_compact_f(cJSON *nf, const struct rclock *p)
{
	struct rclock k;
	cJSON *c, *next;

	for (c = nf->child; c != NULL; c = next) {
		next = c->next;
		k = recmerge_clock(c);
		if (k.hlc == NULL || (p->hlc != NULL && strcmp(k.hlc, p->hlc) == 0 &&
		    strcmp(k.dev, p->dev) == 0))
			cJSON_Delete(cJSON_DetachItemViaPointer(nf, c));
	}
}

static int
recmerge_key_cmp(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->string, (*(cJSON *const *)b)->string);
}

/*
 * Puts obj's members in byte order of their names, as a change set's fields
 * are (changeset_encode_fields): the text of a merged record is then the
 * same whatever order its changes came in. *moved (may be NULL) is set when
 * the order changed. TERR_NOMEM.
 */
static int
recmerge_sort(cJSON *obj, bool *moved, struct terr *e)
{
	cJSON **kids, *c;
	size_t n = 0, i;

	for (c = obj->child; c != NULL; c = c->next) {
		if (c->string == NULL)
			return 0;               /* not ours to order */
		if (c->next != NULL && c->next->string != NULL && strcmp(c->string, c->next->string) > 0 &&
		    moved != NULL)
			*moved = true;
		n++;
	}
	if (n < 2)
		return 0;
	if ((kids = malloc(n * sizeof(*kids))) == NULL)
		return recmerge_nomem(e);
	for (i = 0, c = obj->child; c != NULL; c = c->next)
		kids[i++] = c;
	qsort(kids, n, sizeof(*kids), recmerge_key_cmp);
	/* cJSON: child->prev is the last member, the last's next is NULL */
	for (i = 0; i < n; i++) {
		kids[i]->prev = i > 0 ? kids[i - 1] : kids[n - 1];
		kids[i]->next = i + 1 < n ? kids[i + 1] : NULL;
	}
	obj->child = kids[0];
	free(kids);
	return 0;
}

static int
recmerge_join(cJSON *data, cJSON *clocks, const struct rside *in,
    const struct recmerge_opts *o, bool *changed, struct terr *e)
{
	struct rside mine;
	struct rjoin j = { o, false, e };
	struct rclock np, nx;
	cJSON *nf = NULL, *old = NULL, *mstr = NULL, *istr = NULL;
	const cJSON *c;
	int r = TERR_NOMEM;

	if (changed != NULL)
		*changed = false;
	if (!cJSON_IsObject(data) || !cJSON_IsObject(clocks))
		return terr_set(e, TERR_ARG, "recmerge: данные и метки записи должны быть объектами");
	mine = recmerge_side(data, clocks);
	np = recmerge_clock_cmp(&in->p, &mine.p) > 0 ? in->p : mine.p;
	nx = recmerge_clock_cmp(&in->x, &mine.x) > 0 ? in->x : mine.x;
	if (recmerge_normalise(&j, data))
		j.changed = true;
	/* the old document, to tell whether the clocks moved */
	if ((old = cJSON_Duplicate(clocks, 1)) == NULL || (nf = cJSON_CreateObject()) == NULL)
		goto nomem;
	/* every field either side names: a clock of its own, a value, listed */
	cJSON_ArrayForEach(c, mine.f)
		if (c->string != NULL && (r = recmerge_field(&j, data, nf, &mine, in, c->string)) != 0)
			goto out;
	cJSON_ArrayForEach(c, in->f)
		if (c->string != NULL && (r = recmerge_field(&j, data, nf, &mine, in, c->string)) != 0)
			goto out;
	cJSON_ArrayForEach(c, in->data)
		if (c->string != NULL && (r = recmerge_field(&j, data, nf, &mine, in, c->string)) != 0)
			goto out;
	/* data changes while this runs: a key already in nf is skipped first */
	for (c = data->child; c != NULL; ) {
		const cJSON *next = c->next;

		if (c->string != NULL && cJSON_GetObjectItemCaseSensitive(nf, c->string) == NULL &&
		    (r = recmerge_field(&j, data, nf, &mine, in, c->string)) != 0)
			goto out;
		c = next;
	}
	/* existence: the later clock wins; deleted vs changed by another device is a loss */
	if (in->x.hlc != NULL && mine.x.hlc != NULL && in->x.flag != mine.x.flag) {
		const struct rclock *lk = recmerge_clock_cmp(&in->x, &mine.x) < 0 ? &in->x : &mine.x;
		const struct rclock *wk = lk == &in->x ? &mine.x : &in->x;

		mstr = cJSON_CreateString(lk->flag ? "удалена" : "изменена");
		istr = cJSON_CreateString(wk->flag ? "удалена" : "изменена");
		if (mstr == NULL || istr == NULL)
			goto nomem;
		if ((r = recmerge_report(&j, "", mstr, lk, istr, wk)) != 0)
			goto out;
	}
	if ((r = recmerge_sort(data, &j.changed, e)) != 0)
		goto out;
	recmerge_compact_f(nf, &np);
	if ((r = recmerge_sort(nf, NULL, e)) != 0)
		goto out;
	r = recmerge_install(clocks, nf, &np, &nx, e);
	nf = NULL;
	if (r != 0)
		goto out;
	if (!cJSON_Compare(old, clocks, 1))
		j.changed = true;
	if (changed != NULL)
		*changed = j.changed;
	r = 0;
	goto out;
 nomem:
	r = recmerge_nomem(e);
 out:
	cJSON_Delete(nf);
	cJSON_Delete(old);
	cJSON_Delete(mstr);
	cJSON_Delete(istr);
	return r;
}

int
recmerge_change(cJSON *data, cJSON *clocks, enum recmerge_kind kind,
    const char *hlc, const char *device, const cJSON *fields,
    const struct recmerge_opts *o, bool *changed, struct terr *e)
{
	struct rside in;
	struct rclock k = { hlc, device, 0 };

	if (changed != NULL)
		*changed = false;
	if (hlc == NULL || device == NULL)
		return terr_set(e, TERR_ARG, "recmerge: нет метки времени или устройства");
	memset(&in, 0, sizeof(in));
	switch (kind) {
	case RECMERGE_PUT:
	case RECMERGE_EDIT:
		if (!cJSON_IsObject(fields))
			return terr_set(e, TERR_ARG, "recmerge: у изменения нет объекта полей");
		in.data = fields;
		in.x = k;
		if (kind == RECMERGE_PUT)
			in.p = k;
		else {
			in.edit = true;
			in.listed = k;
		}
		break;
	case RECMERGE_DELETE:
		if (fields != NULL)
			return terr_set(e, TERR_ARG, "recmerge: у удаления не бывает полей");
		in.x = k;
		in.x.flag = 1;
		break;
	default:
		return terr_set(e, TERR_ARG, "recmerge: неизвестный вид изменения %d", (int)kind);
	}
	return recmerge_join(data, clocks, &in, o, changed, e);
}

int
recmerge_state(cJSON *data, cJSON *clocks, const cJSON *data_in,
    const cJSON *clocks_in, const struct recmerge_opts *o, bool *changed,
    struct terr *e)
{
	struct rside in;

	if (changed != NULL)
		*changed = false;
	if (!cJSON_IsObject(data_in) || !cJSON_IsObject(clocks_in))
		return terr_set(e, TERR_ARG, "recmerge: данные и метки записи должны быть объектами");
	in = recmerge_side(data_in, clocks_in);
	return recmerge_join(data, clocks, &in, o, changed, e);
}

void
recmerge_compact(cJSON *clocks)
{
	cJSON *f = cJSON_GetObjectItemCaseSensitive(clocks, "f");
	struct rclock p = recmerge_clock(cJSON_GetObjectItemCaseSensitive(clocks, "p"));

	if (!cJSON_IsObject(f) || p.hlc == NULL)
		return;
	recmerge_compact_f(f, &p);
	if (f->child == NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(clocks, "f");
}

bool
recmerge_deleted(const cJSON *clocks)
{
	struct rclock x = recmerge_clock(cJSON_GetObjectItemCaseSensitive(clocks, "x"));

	return x.hlc != NULL && x.flag == 1;
}

const char *
recmerge_newest(const cJSON *clocks)
{
	struct rclock k, best;
	const cJSON *c;

	best = recmerge_clock(cJSON_GetObjectItemCaseSensitive(clocks, "p"));
	k = recmerge_clock(cJSON_GetObjectItemCaseSensitive(clocks, "x"));
	if (k.hlc != NULL && (best.hlc == NULL || strcmp(k.hlc, best.hlc) > 0))
		best = k;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(clocks, "f")) {
		k = recmerge_clock(c);
		if (k.hlc != NULL && (best.hlc == NULL || strcmp(k.hlc, best.hlc) > 0))
			best = k;
	}
	return best.hlc;
}

static bool
recmerge_hex_id(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == KEYS_ID_HEXLEN;
}

/* One clock array: [hlc, device] or, with_flag, [hlc, device, 0|1]. */
static int
recmerge_check_clock(const cJSON *c, bool with_flag, const char *what, struct terr *e)
{
	const cJSON *h, *d, *f;
	struct hlc_ts ts;

	if (!cJSON_IsArray(c) || cJSON_GetArraySize(c) != (with_flag ? 3 : 2))
		return terr_set(e, TERR_PARSE, "метки записи: %s — не массив из %d членов",
		    what, with_flag ? 3 : 2);
	h = cJSON_GetArrayItem(c, 0);
	d = cJSON_GetArrayItem(c, 1);
	if (!cJSON_IsString(h) || hlc_decode(h->valuestring, &ts) != 0)
		return terr_set(e, TERR_PARSE, "метки записи: %s — недопустимая метка времени", what);
	if (!cJSON_IsString(d) || !recmerge_hex_id(d->valuestring))
		return terr_set(e, TERR_PARSE, "метки записи: %s — недопустимый номер устройства", what);
	if (with_flag) {
		f = cJSON_GetArrayItem(c, 2);
		if (!cJSON_IsNumber(f) || (f->valuedouble != 0 && f->valuedouble != 1))
			return terr_set(e, TERR_PARSE, "метки записи: %s — признак удаления не 0 и не 1", what);
	}
	return 0;
}

int
recmerge_check_clocks(const cJSON *clocks, struct terr *e)
{
	const cJSON *c, *f;
	bool seen_f = false, seen_p = false, seen_x = false;
	char what[FORM_ID_MAX + 32];
	int n = 0, r;

	if (!cJSON_IsObject(clocks))
		return terr_set(e, TERR_PARSE, "метки записи: ожидался объект");
	cJSON_ArrayForEach(c, clocks) {
		bool *seen = c->string == NULL ? NULL : strcmp(c->string, "f") == 0 ? &seen_f :
		    strcmp(c->string, "p") == 0 ? &seen_p : strcmp(c->string, "x") == 0 ? &seen_x : NULL;

		if (seen == NULL)
			return terr_set(e, TERR_PARSE, "метки записи: лишний член");
		if (*seen)
			return terr_set(e, TERR_PARSE, "метки записи: член «%s» повторяется", c->string);
		*seen = true;
	}
	if (!seen_x)
		return terr_set(e, TERR_PARSE, "метки записи: нет метки существования «x»");
	if ((r = recmerge_check_clock(cJSON_GetObjectItemCaseSensitive(clocks, "x"), true, "«x»", e)) != 0)
		return r;
	if (seen_p && (r = recmerge_check_clock(cJSON_GetObjectItemCaseSensitive(clocks, "p"),
	    false, "«p»", e)) != 0)
		return r;
	if (!seen_f)
		return 0;
	f = cJSON_GetObjectItemCaseSensitive(clocks, "f");
	if (!cJSON_IsObject(f))
		return terr_set(e, TERR_PARSE, "метки записи: «f» — не объект");
	cJSON_ArrayForEach(c, f) {
		size_t len = c->string != NULL ? strlen(c->string) : 0;

		if (++n > CHANGESET_MAX_FIELDS)
			return terr_set(e, TERR_PARSE, "метки записи: больше %d полей", CHANGESET_MAX_FIELDS);
		if (len == 0 || len > FORM_ID_MAX || changeset_check_utf8(c->string, len) != 0)
			return terr_set(e, TERR_PARSE, "метки записи: недопустимое имя поля в «f»");
		if (cJSON_GetObjectItemCaseSensitive(f, c->string) != c)
			return terr_set(e, TERR_PARSE, "метки записи: поле «%s» повторяется в «f»", c->string);
		snprintf(what, sizeof(what), "поле «%s»", c->string);
		if ((r = recmerge_check_clock(c, false, what, e)) != 0)
			return r;
	}
	return 0;
}
