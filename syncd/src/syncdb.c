/*
 * syncdb — syncd's side of the device database (see syncdb.h): the open
 * with syncd's policy and meta values in fixed buffers. No SQL here: every
 * statement is in localdb.
 */
#include "syncd/syncdb.h"

#include <errno.h>
#include <stdlib.h>

int
syncdb_open(const char *path, struct localdb **out, struct terr *e)
{
	int r;

	*out = NULL;
	if (path == NULL || *path == '\0')
		return terr_set(e, TERR_ARG, "не указан файл базы данных (--db или TETRAD_DB)");
	r = localdb_open(path, LOCALDB_SYNCD, out, e);
	/* syncd never creates the database: a missing one is the user's to fix */
	if (r == LOCALDB_NOTFOUND) {
		if (e)
			e->code = TERR_ARG;
		r = TERR_ARG;
	}
	return r;
}

void
syncdb_close(struct localdb *db)
{
	localdb_close(db);
}

int
syncdb_meta_get(struct localdb *db, const char *key, char *out, size_t cap,
    struct terr *e)
{
	return localdb_meta_copy(db, key, out, cap, e);
}

int
syncdb_meta_set(struct localdb *db, const char *key, const char *value, struct terr *e)
{
	return localdb_meta_set(db, key, value, e);
}

int64_t
syncdb_meta_int(struct localdb *db, const char *key, int64_t def)
{
	char buf[32], *end;
	long long v;

	if (syncdb_meta_get(db, key, buf, sizeof(buf), NULL) != 1 || buf[0] == '\0')
		return def;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno != 0 || *end != '\0')
		return def;
	return (int64_t)v;
}

int
syncdb_wal(struct localdb *db)
{
	return localdb_wal(db);
}

int
syncdb_begin(struct localdb *db, struct terr *e)
{
	return localdb_begin(db, e);
}

int
syncdb_commit(struct localdb *db, struct terr *e)
{
	return localdb_commit(db, e);
}

void
syncdb_rollback(struct localdb *db)
{
	localdb_rollback(db);
}

void
syncdb_now_iso(char out[32])
{
	localdb_now_iso(out);
}
