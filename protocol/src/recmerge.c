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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* A member of an object and where it stood, for sorting by name, then place. */
struct rref {
	const cJSON *c;
	size_t at;
};

static int
recmerge_ref_cmp(const void *a, const void *b)
{
	const struct rref *x = a, *y = b;
	int c = strcmp(x->c->string, y->c->string);

	return c != 0 ? c : (x->at > y->at) - (x->at < y->at);
}

/* obj's named members (obj NULL: none) sorted by name, then place; *n of them. */
static int
recmerge_refs(const cJSON *obj, struct rref **out, size_t *n, struct terr *e)
{
	const cJSON *c;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	cJSON_ArrayForEach(c, obj)
		k++;
	if (k == 0)
		return 0;
	if ((*out = malloc(k * sizeof(**out))) == NULL)
		return recmerge_nomem(e);
	k = 0;
	cJSON_ArrayForEach(c, obj)
		if (c->string != NULL) {
			(*out)[k].c = c;
			(*out)[k].at = k;
			k++;
		}
	if (k > 1)
		qsort(*out, k, sizeof(**out), recmerge_ref_cmp);
	*n = k;
	return 0;
}

/* The first member named name at refs[*i] (sorted), or NULL; *i moves past all. */
static const cJSON *
recmerge_take(const struct rref *refs, size_t n, size_t *i, const char *name)
{
	const cJSON *first = NULL;

	while (*i < n && strcmp(refs[*i].c->string, name) == 0) {
		if (first == NULL)
			first = refs[*i].c;
		(*i)++;
	}
	return first;
}

/* What a join of one field works with: the two sides' clocks and values. */
struct rfield {
	const char *name;
	struct rclock km, ki;
	const cJSON *vm, *vi;
};

/*
 * One field: the greater of the two (clock, value) pairs; *take says the
 * incoming value wins and differs from mine (the caller puts it in), and
 * its clock goes into nf unless it is the new "p" (np).
 */
static int
recmerge_field(struct rjoin *j, cJSON *nf, const struct rclock *np, struct rfield *f,
    bool *take)
{
	const struct rclock *win = &f->km;
	cJSON *clk;
	int c, r;

	*take = false;
	c = recmerge_clock_cmp(&f->ki, &f->km);
	if (c == 0 && !recmerge_equal(f->vi, f->vm) &&
	    (c = recmerge_value_cmp(f->vi, f->vm)) == -2)
		return recmerge_nomem(j->e);
	if (c < 0) {
		if ((r = recmerge_report(j, f->name, f->vi, &f->ki, f->vm, &f->km)) != 0)
			return r;
	} else if (c > 0) {
		if ((r = recmerge_report(j, f->name, f->vm, &f->km, f->vi, &f->ki)) != 0)
			return r;
		win = &f->ki;
		*take = !recmerge_equal(f->vm, f->vi);
		j->changed = true;
	}
	/* a clock of its own only where it is not the new "p" (none at all:
	 * never written on either side, and then "p" is none too) */
	if (win->hlc == NULL || recmerge_clock_cmp(win, np) == 0)
		return 0;
	if ((clk = recmerge_clock_json(win, false)) == NULL || !cJSON_AddItemToObject(nf, f->name, clk)) {
		cJSON_Delete(clk);
		return recmerge_nomem(j->e);
	}
	return 0;
}

/*
 * Walks every name either side has (a member of data or of "f" on either
 * side) once, in name order, with the four sorted member lists side by
 * side: no lookup by name, so a record of 500 fields costs what sorting
 * them does. The new data is built in name order in out (capacity: data's
 * and data_in's members), and the new field clocks in nf.
 *
 * Normal form on the way: "no answer" is no member, so a null member goes;
 * a name is one member, so of repeated ones (a damaged document) the first
 * non-null stays. A skipped field keeps every member and its clock.
 */
static int
recmerge_walk(struct rjoin *j, cJSON *data, const struct rside *mine, const struct rside *in,
    const struct rclock *np, cJSON *nf, cJSON **out, size_t *nout, cJSON **fresh,
    size_t *nfresh)
{
	struct rref *ra = NULL, *rb = NULL, *rc = NULL, *rd = NULL;
	size_t na, nb, nc, nd, ia = 0, ib = 0, ic = 0, id = 0;
	struct rclock none = { NULL, NULL, 0 };
	struct rfield f;
	const cJSON *bi, *ci, *di;
	bool take;
	int r;

	if ((r = recmerge_refs(data, &ra, &na, j->e)) != 0 ||
	    (r = recmerge_refs(mine->f, &rb, &nb, j->e)) != 0 ||
	    (r = recmerge_refs(in->f, &rc, &nc, j->e)) != 0 ||
	    (r = recmerge_refs(in->data, &rd, &nd, j->e)) != 0)
		goto out;
	while (ia < na || ib < nb || ic < nc || id < nd) {
		size_t a0 = ia;
		const cJSON *keep = NULL;

		f.name = NULL;
		if (ia < na)
			f.name = ra[ia].c->string;
		if (ib < nb && (f.name == NULL || strcmp(rb[ib].c->string, f.name) < 0))
			f.name = rb[ib].c->string;
		if (ic < nc && (f.name == NULL || strcmp(rc[ic].c->string, f.name) < 0))
			f.name = rc[ic].c->string;
		if (id < nd && (f.name == NULL || strcmp(rd[id].c->string, f.name) < 0))
			f.name = rd[id].c->string;
		while (ia < na && strcmp(ra[ia].c->string, f.name) == 0)
			ia++;
		bi = recmerge_take(rb, nb, &ib, f.name);
		ci = recmerge_take(rc, nc, &ic, f.name);
		di = recmerge_take(rd, nd, &id, f.name);
		f.km = recmerge_clock(bi);
		if (f.km.hlc == NULL)
			f.km = mine->p;
		/* ra's members are data's own, which this may change: the casts give
		 * back what recmerge_refs took as const to serve all four lists */
		if (recmerge_skipped(j, f.name)) {
			/* left alone: every member as it was, its clock pinned */
			for (size_t k = a0; k < ia; k++)
				out[(*nout)++] = (cJSON *)(uintptr_t)ra[k].c;
			if (f.km.hlc != NULL && recmerge_clock_cmp(&f.km, np) != 0) {
				cJSON *clk = recmerge_clock_json(&f.km, false);

				if (clk == NULL || !cJSON_AddItemToObject(nf, f.name, clk)) {
					cJSON_Delete(clk);
					r = recmerge_nomem(j->e);
					goto out;
				}
			}
			continue;
		}
		for (size_t k = a0; k < ia; k++)
			if (!cJSON_IsNull(ra[k].c)) {
				keep = ra[k].c;
				break;
			}
		f.vm = keep;
		if (in->edit)
			f.ki = di != NULL ? in->listed : none;
		else if ((f.ki = recmerge_clock(ci)).hlc == NULL)
			f.ki = in->p;
		f.vi = recmerge_absent(di) ? NULL : di;
		if ((r = recmerge_field(j, nf, np, &f, &take)) != 0)
			goto out;
		if (!take) {
			if (keep != NULL)
				out[(*nout)++] = (cJSON *)(uintptr_t)keep;
		} else if (f.vi != NULL) {
			cJSON *copy = cJSON_Duplicate(f.vi, 1);

			/* cJSON_Duplicate copies the member's name too */
			if (copy == NULL || (copy->string == NULL && (copy->string = strdup(f.name)) == NULL)) {
				cJSON_Delete(copy);
				r = recmerge_nomem(j->e);
				goto out;
			}
			fresh[(*nfresh)++] = copy;
			out[(*nout)++] = copy;
		}
	}
	r = 0;
 out:
	free(ra);
	free(rb);
	free(rc);
	free(rd);
	return r;
}

static int
recmerge_ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(cJSON *const *)a, y = (uintptr_t)*(cJSON *const *)b;

	return (x > y) - (x < y);
}

/*
 * data's members become out[0..n) in that order; the others are deleted.
 * old and srt have room for data's members and for n. *moved: anything
 * differs from before. Never allocates.
 */
static void
recmerge_relink(cJSON *data, cJSON **out, size_t n, cJSON **old, cJSON **srt, bool *moved)
{
	cJSON *c;
	size_t k = 0, i, g = 0;

	for (c = data->child; c != NULL; c = c->next, k++) {
		if (k >= n || out[k] != c)
			*moved = true;
		old[k] = c;
	}
	if (k != n)
		*moved = true;
	if (*moved) {
		/* the old members not in out: both lists in pointer order, merged */
		memcpy(srt, out, n * sizeof(*srt));
		qsort(old, k, sizeof(*old), recmerge_ptr_cmp);
		qsort(srt, n, sizeof(*srt), recmerge_ptr_cmp);
		for (i = 0; i < k; i++) {
			while (g < n && (uintptr_t)srt[g] < (uintptr_t)old[i])
				g++;
			if (g < n && srt[g] == old[i])
				continue;
			old[i]->next = old[i]->prev = NULL;     /* cJSON_Delete follows next */
			cJSON_Delete(old[i]);
		}
	}
	for (k = 0; k < n; k++) {
		out[k]->prev = k > 0 ? out[k - 1] : out[n - 1];
		out[k]->next = k + 1 < n ? out[k + 1] : NULL;
	}
	data->child = n > 0 ? out[0] : NULL;
}

static int
recmerge_join(cJSON *data, cJSON *clocks, const struct rside *in,
    const struct recmerge_opts *o, bool *changed, struct terr *e)
{
	struct rside mine;
	struct rjoin j = { o, false, e };
	struct rclock np, nx;
	cJSON *nf = NULL, *mstr = NULL, *istr = NULL, **out = NULL, **fresh = NULL, **old = NULL;
	size_t cap, nout = 0, nfresh = 0;
	int r = TERR_NOMEM;

	if (changed != NULL)
		*changed = false;
	if (!cJSON_IsObject(data) || !cJSON_IsObject(clocks))
		return terr_set(e, TERR_ARG, "recmerge: данные и метки записи должны быть объектами");
	mine = recmerge_side(data, clocks);
	np = recmerge_clock_cmp(&in->p, &mine.p) > 0 ? in->p : mine.p;
	nx = recmerge_clock_cmp(&in->x, &mine.x) > 0 ? in->x : mine.x;
	if (recmerge_clock_cmp(&np, &mine.p) != 0 || recmerge_clock_cmp(&nx, &mine.x) != 0)
		j.changed = true;
	cap = (size_t)cJSON_GetArraySize(data) + (size_t)cJSON_GetArraySize(in->data) + 1;
	/* out and fresh for the walk; old and a sorted copy of out (fresh's
	 * room again, as fresh is done with by then) for relinking */
	if ((nf = cJSON_CreateObject()) == NULL || (out = malloc(cap * sizeof(*out))) == NULL ||
	    (fresh = malloc(cap * sizeof(*fresh))) == NULL || (old = malloc(cap * sizeof(*old))) == NULL)
		goto nomem;
	if ((r = recmerge_walk(&j, data, &mine, in, &np, nf, out, &nout, fresh, &nfresh)) != 0)
		goto out;
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
	/* the clocks first (they may fail; relinking data cannot) */
	r = recmerge_install(clocks, nf, &np, &nx, e);
	nf = NULL;
	if (r != 0)
		goto out;
	nfresh = 0;                     /* data owns them now */
	recmerge_relink(data, out, nout, old, fresh, &j.changed);
	if (changed != NULL)
		*changed = j.changed;
	r = 0;
	goto out;
 nomem:
	r = recmerge_nomem(e);
 out:
	for (size_t i = 0; i < nfresh; i++)
		cJSON_Delete(fresh[i]);
	free(out);
	free(fresh);
	free(old);
	cJSON_Delete(nf);
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
		if (kind == RECMERGE_PUT || o == NULL || !o->fields_only)
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
