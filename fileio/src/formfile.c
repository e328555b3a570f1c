/* formfile — form definitions and dictionaries from files (formfile.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/fileio.h"
#include "tetrad/formfile.h"

/* form_dict_source's load: dicts_dir/NAME.json. */
static int
formfile_dict_load(void *ctx, const char *name, char **json, size_t *len,
    char *what, size_t what_cap, struct terr *e)
{
	const char *dir = ctx;
	uint8_t *buf = NULL;
	int r;

	*json = NULL;
	*len = 0;
	if ((size_t)snprintf(what, what_cap, "%s/%s.json", dir, name) >= what_cap)
		return terr_set(e, TERR_ARG, "слишком длинный путь к словарю «%s»", name);
	if ((r = fileio_read_all(what, FORM_MAX_BYTES, &buf, len, e)) != 0)
		return r;
	*json = (char *)buf;
	return 0;
}

int
formfile_parse(const char *json, size_t len, const char *dicts_dir,
    struct form **out, struct terr *e)
{
	/* the source keeps dicts_dir as its context and never writes through it */
	struct form_dict_source src = { formfile_dict_load, (void *)(uintptr_t)dicts_dir };

	return form_parse(json, len, dicts_dir != NULL ? &src : NULL, out, e);
}

int
formfile_load(const char *path, const char *dicts_dir, struct form **out,
    struct terr *e)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	if (out == NULL || path == NULL)
		return terr_set(e, TERR_ARG, "formfile_load: NULL argument");
	*out = NULL;
	if ((r = fileio_read_all(path, FORM_MAX_BYTES, &buf, &len, e)) != 0)
		return r;
	r = formfile_parse((const char *)buf, len, dicts_dir, out, e);
	if (r != 0 && e != NULL && strstr(e->msg, path) == NULL) {
		char m[TERR_MSG_MAX];

		snprintf(m, sizeof(m), "%s", e->msg);
		terr_set(e, r, "%s: %s", path, m);
	}
	free(buf);
	return r;
}
