/*
 * app — where the command line and `tetrad ui` find the database, the forms
 * and tetrad-syncd: one answer for both faces of the program.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tetrad/formsdir.h"
#include "tetrad/localdb.h"

#include "client/app.h"

int
app_db_path(const char *opt, char *buf, size_t size)
{
	return localdb_path(opt, buf, size);
}

int
app_catalog(const char *db_path, struct catalog **out, struct terr *e)
{
	char pulled[PATH_MAX + 8];
	const char *builtin;
	int r;

	*out = NULL;
	if ((size_t)snprintf(pulled, sizeof(pulled), "%s.forms", db_path) >= sizeof(pulled))
		return terr_set(e, TERR_TOO_LARGE, "путь к базе данных слишком длинный");
	if ((r = formsdir_builtin(&builtin, e)) != 0)
		return r;
	return catalog_load(builtin, pulled, out, e);
}

/* Beside our own program, never on PATH: a PATH entry another user can
 * write to must not get to run as the curator with the device key. */
int
app_syncd_path(char *buf, size_t size, struct terr *e)
{
	char self[PATH_MAX];
	ssize_t n;
	char *slash;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) < 0)
		return terr_set(e, TERR_IO, "не удалось найти программу tetrad-syncd: %s",
		    terr_strerror(errno));
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	if ((size_t)snprintf(buf, size, "%s/tetrad-syncd", self) >= size)
		return terr_set(e, TERR_TOO_LARGE, "путь к программе tetrad-syncd слишком длинный");
	return 0;
}
