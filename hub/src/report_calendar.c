/*
 * report_calendar — the programmes and the issued profile for the reports
 * (see report_calendar.h).
 */
#include "report_calendar.h"

#include <stdlib.h>
#include <string.h>

#include "hub/hubdb_calendar.h"
#include "tetrad/riskprofile.h"
#include "hub/programmes.h"

/* State of report_calendar_load while the store hands it rows. */
struct report_cal_loader {
	struct report_calendar *k;
	struct report_ctx *c;
	struct terr *e;
};

static int
report_cal_prog_row(void *arg, const struct hubdb_programme *p)
{
	struct report_cal_loader *ld = arg;
	struct report_calendar *k = ld->k;
	long si = report_ctx_school_find(ld->c, p->school);
	int bit = programmes_index(p->programme);
	struct report_cal_prog *last;

	if (si < 0 || bit < 0)
		return 0;
	k->any_programmes = true;
	/* rows come by school code, then year: the schools' order, so merging is appending */
	last = k->nprogs ? &k->progs[k->nprogs - 1] : NULL;
	if (last && last->school == (size_t)si && last->year == p->year) {
		last->mask |= 1u << bit;
		return 0;
	}
	if (k->nprogs == k->cap_progs) {
		size_t cap = k->cap_progs ? k->cap_progs * 2 : 64;
		struct report_cal_prog *n = realloc(k->progs, cap * sizeof(*n));

		if (n == NULL)
			return REPORT_NOMEM(ld->e);
		k->progs = n;
		k->cap_progs = cap;
	}
	k->progs[k->nprogs++] = (struct report_cal_prog){ (size_t)si, p->year, 1u << bit };
	return 0;
}

static int
report_cal_level_row(void *arg, const struct hubdb_profile *p)
{
	struct report_cal_loader *ld = arg;
	struct report_calendar *k = ld->k;
	long si = report_ctx_school_find(ld->c, p->school);
	int li = riskprofile_level_index(p->level);
	struct report_cal_level *l;

	if (si < 0 || li < 0 || strlen(p->factor) >= sizeof(l->factor))
		return 0;
	if (k->nlevels == k->cap_levels) {
		size_t cap = k->cap_levels ? k->cap_levels * 2 : 256;
		struct report_cal_level *n = realloc(k->levels, cap * sizeof(*n));

		if (n == NULL)
			return REPORT_NOMEM(ld->e);
		k->levels = n;
		k->cap_levels = cap;
	}
	l = &k->levels[k->nlevels++];
	l->school = (size_t)si;
	l->year = p->year;
	memcpy(l->factor, p->factor, strlen(p->factor) + 1);
	l->level = riskprofile_level_at((size_t)li);
	return 0;
}

int
report_calendar_load(struct report_calendar *k, struct report_ctx *c, bool with_profile,
    struct terr *e)
{
	struct report_cal_loader ld = { k, c, e };
	int r;

	if ((r = hubdb_programmes_each(c->db, report_cal_prog_row, &ld, e)) != 0)
		return r;
	return with_profile ? hubdb_profile_each(c->db, report_cal_level_row, &ld, e) : 0;
}

void
report_calendar_clear(struct report_calendar *k)
{
	free(k->progs);
	free(k->levels);
	memset(k, 0, sizeof(*k));
}

unsigned
report_calendar_mask(const struct report_calendar *k, size_t si, int year)
{
	size_t lo = 0, hi = k->nprogs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct report_cal_prog *p = &k->progs[mid];

		if (p->school < si || (p->school == si && p->year < year))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < k->nprogs && k->progs[lo].school == si && k->progs[lo].year == year ?
	    k->progs[lo].mask : 0;
}

bool
report_calendar_in_period(const struct report_calendar *k, const struct report_ctx *c,
    size_t si)
{
	size_t lo = 0, hi = k->nprogs;

	/* the school's first row, then its years */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->progs[mid].school < si)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < k->nprogs && k->progs[i].school == si; i++)
		if (k->progs[i].mask && k->progs[i].year >= c->from_year &&
		    k->progs[i].year <= c->to_year)
			return true;
	return false;
}

const char *
report_calendar_level(const struct report_calendar *k, size_t si, int year, const char *factor)
{
	size_t lo = 0, hi = k->nlevels;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct report_cal_level *l = &k->levels[mid];
		int c = l->school != si ? (l->school < si ? -1 : 1) :
		    l->year != year ? (l->year < year ? -1 : 1) : strcmp(l->factor, factor);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < k->nlevels && k->levels[lo].school == si && k->levels[lo].year == year &&
	    strcmp(k->levels[lo].factor, factor) == 0 ? k->levels[lo].level : NULL;
}

void
report_calendar_meta(const struct report_calendar *k, struct report_out *o)
{
	report_model_meta(o, "programme_schools", "Школы в списках", false, k->any_programmes ?
	    "школы программ за годы периода" : "программы не загружены — все школы хаба");
}

void
report_calendar_mask_text(unsigned mask, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < PROGRAMMES_N && n + 1 < cap; i++)
		if (mask & (1u << i)) {
			snprintf(out + n, cap - n, "%s%s", n ? ", " : "",
			    programmes_label(programmes_code_at(i)));
			n = strlen(out);
		}
}
