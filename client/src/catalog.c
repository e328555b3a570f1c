/*
 * catalog — built-in and pulled form definitions, all versions.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client/catalog.h"
#include "tetrad/formfile.h"
#include "tetrad/localdb.h"

/* More files than this in a forms directory is not a forms directory. */
#define CATALOG_MAX_FILES 1024
#define CATALOG_WARN_MAX 4096

struct catalog {
	struct form **forms;
	size_t n, cap;
	char warnings[CATALOG_WARN_MAX];
};

static int
catalog_cmp(const void *a, const void *b)
{
	const struct form *fa = *(const struct form *const *)a;
	const struct form *fb = *(const struct form *const *)b;
	int c = strcmp(form_id(fa), form_id(fb));

	if (c != 0)
		return c;
	return form_version(fa) < form_version(fb) ? -1 :
	    form_version(fa) > form_version(fb);
}

static int
catalog_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
catalog_warn(struct catalog *c, const char *file, const char *msg)
{
	size_t len = strlen(c->warnings);

	snprintf(c->warnings + len, sizeof(c->warnings) - len,
	    "Форма из файла «%s» пропущена: %s\n", file, msg);
}

/* Adds f, replacing an entry of the same id and version. Takes f. */
static int
catalog_add(struct catalog *c, struct form *f)
{
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(form_id(c->forms[i]), form_id(f)) == 0 &&
		    form_version(c->forms[i]) == form_version(f)) {
			form_free(c->forms[i]);
			c->forms[i] = f;
			return 0;
		}
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;
		struct form **nf = realloc(c->forms, ncap * sizeof(*nf));

		if (nf == NULL) {
			form_free(f);
			return TERR_NOMEM;
		}
		c->forms = nf;
		c->cap = ncap;
	}
	c->forms[c->n++] = f;
	return 0;
}

static bool
catalog_is_json(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && name[0] != '.' && strcmp(name + n - 5, ".json") == 0;
}

static int
catalog_dir(struct catalog *c, const char *dir, const char *dicts,
    const char *fallback_dicts, bool strict, struct terr *e)
{
	DIR *d = NULL;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	char path[4096];
	int r = TERR_INTERNAL;

	if ((d = opendir(dir)) == NULL) {
		if (!strict && errno == ENOENT)
			return 0;
		return terr_set(e, TERR_IO, "Не удалось открыть папку форм «%s»: %s.",
		    dir, terr_strerror(errno));
	}
	if ((names = calloc(CATALOG_MAX_FILES, sizeof(*names))) == NULL) {
		r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat sb;

		if (!catalog_is_json(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (n == CATALOG_MAX_FILES) {
			r = terr_set(e, TERR_TOO_LARGE, "В папке форм «%s» больше %d "
			    "файлов.", dir, CATALOG_MAX_FILES);
			goto out;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			r = terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
			goto out;
		}
		n++;
	}
	/* readdir order is arbitrary: sort so loading is reproducible */
	qsort(names, n, sizeof(*names), catalog_name_cmp);
	for (size_t i = 0; i < n; i++) {
		struct form *f = NULL;
		struct terr fe = { 0 };

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		r = formfile_load(path, dicts, &f, &fe);
		if (r != 0 && fallback_dicts)
			r = formfile_load(path, fallback_dicts, &f, &fe);
		if (r != 0) {
			if (strict) {
				r = terr_set(e, r, "Встроенная форма «%s» повреждена: %s",
				    path, fe.msg);
				goto out;
			}
			catalog_warn(c, path, fe.msg);
			continue;
		}
		if ((r = catalog_add(c, f)) != 0) {
			terr_set(e, r, "Недостаточно памяти.");
			goto out;
		}
	}
	r = 0;
 out:
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	if (d)
		closedir(d);
	return r;
}

int
catalog_load(const char *builtin_dir, const char *pulled_dir,
    struct catalog **out, struct terr *e)
{
	struct catalog *c = NULL;
	char dicts[4096], pdicts[4096];
	int r;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return terr_set(e, TERR_NOMEM, "Недостаточно памяти.");
	snprintf(dicts, sizeof(dicts), "%s/dict", builtin_dir);
	if ((r = catalog_dir(c, builtin_dir, dicts, NULL, true, e)) != 0)
		goto out;
	if (pulled_dir) {
		snprintf(pdicts, sizeof(pdicts), "%s/dict", pulled_dir);
		if ((r = catalog_dir(c, pulled_dir, pdicts, dicts, false, e)) != 0)
			goto out;
	}
	qsort(c->forms, c->n, sizeof(*c->forms), catalog_cmp);
	*out = c;
	c = NULL;
	r = 0;
 out:
	catalog_free(c);
	return r;
}

void
catalog_free(struct catalog *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		form_free(c->forms[i]);
	free(c->forms);
	free(c);
}

size_t
catalog_count(const struct catalog *c)
{
	return c->n;
}

const struct form *
catalog_at(const struct catalog *c, size_t i)
{
	return i < c->n ? c->forms[i] : NULL;
}

const struct form *
catalog_latest(const struct catalog *c, const char *id)
{
	const struct form *best = NULL;

	for (size_t i = 0; i < c->n; i++)
		if (strcmp(form_id(c->forms[i]), id) == 0 &&
		    (best == NULL || form_version(c->forms[i]) > form_version(best)))
			best = c->forms[i];
	return best;
}

const struct form *
catalog_get(const struct catalog *c, const char *id, uint32_t version)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(form_id(c->forms[i]), id) == 0 &&
		    form_version(c->forms[i]) == version)
			return c->forms[i];
	return NULL;
}

const char *
catalog_warnings(const struct catalog *c)
{
	return c->warnings;
}
