/*
 * profile — the issued risk profile at the hub (see profile.h): the
 * import, all or nothing, parsed by tetrad/riskprofile.h.
 */
#include "hub/profile.h"

#include <stdlib.h>
#include <string.h>

#include "hub/hubdb_calendar.h"
#include "tetrad/fileio.h"
#include "tetrad/riskprofile.h"

static int
profile_store(struct hubdb *db, const struct riskprofile_set *s, struct terr *e)
{
	size_t n = riskprofile_set_n_rows(s);
	int r;

	if ((r = hubdb_begin(db, e)) != 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const struct riskprofile_row *w = riskprofile_set_row(s, i);
		const struct riskprofile_row *p = i ? riskprofile_set_row(s, i - 1) : NULL;
		struct hubdb_profile hp = { w->school, w->year, w->factor, w->level };

		/* rows are sorted: the first of each (school, year) clears its old profile */
		if ((p == NULL || strcmp(p->school, w->school) != 0 || p->year != w->year) &&
		    (r = hubdb_profile_clear(db, w->school, w->year, e)) != 0)
			goto fail;
		if ((r = hubdb_profile_put(db, &hp, e)) != 0)
			goto fail;
	}
	return hubdb_commit(db, e);
 fail:
	hubdb_rollback(db);
	return r;
}

int
profile_import(struct hubdb *db, const char *path, char **report, size_t *imported,
    struct terr *e)
{
	struct riskprofile_set *s = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, bad;
	int r;

	*imported = 0;
	if (report != NULL)
		*report = NULL;
	if ((r = fileio_read_all(path, RISKPROFILE_MAX_BYTES, &buf, &len, e)) != 0)
		goto out;
	if ((r = riskprofile_parse((const char *)buf, len, &s, e)) != 0)
		goto out;
	if ((bad = riskprofile_set_n_bad(s)) > 0) {
		if (report != NULL && (*report = riskprofile_set_report(s)) == NULL) {
			r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
			goto out;
		}
		r = terr_set(e, TERR_INVALID, "строк с ошибками: %zu; ничего не загружено", bad);
		goto out;
	}
	if (riskprofile_set_n_rows(s) == 0) {
		r = terr_set(e, TERR_INVALID, "в файле %.200s нет строк с данными, только "
		    "заголовок", path);
		goto out;
	}
	if ((r = profile_store(db, s, e)) != 0)
		goto out;
	*imported = riskprofile_set_n_rows(s);
 out:
	riskprofile_set_free(s);
	free(buf);
	return r;
}
