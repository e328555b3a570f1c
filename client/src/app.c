/*
 * app — where the command line and `tetrad ui` find the database, the forms
 * and tetrad-syncd: one answer for both faces of the program.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
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

void
app_time_local(const char *iso, char *out, size_t cap)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (iso == NULL || sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		snprintf(out, cap, "%s", iso ? iso : "");
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (localtime_r(&t, &tm) == NULL || strftime(out, cap, "%d.%m.%Y %H:%M", &tm) == 0)
		snprintf(out, cap, "%s", iso);
}

const char *
app_sync_result_words(const char *v)
{
	if (v == NULL)
		return "";
	if (strcmp(v, "ok") == 0)
		return "успешно";
	if (strcmp(v, "quarantined") == 0)
		return "часть записей не принята хабом";
	if (strcmp(v, "unreachable") == 0)
		return "хаб был недоступен";
	if (strcmp(v, "pending") == 0)
		return "отправлено не всё";
	if (strcmp(v, "revoked") == 0)
		return "устройство отозвано на хабе";
	return v;
}
