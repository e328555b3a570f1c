/* formsdir — the built-in forms lookup (formsdir.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "tetrad/formsdir.h"

#ifndef TETRAD_FORMS_INSTALL_DIR
#define TETRAD_FORMS_INSTALL_DIR "/usr/local/share/tetrad/forms"
#endif
#ifndef TETRAD_FORMS_SOURCE_DIR
#define TETRAD_FORMS_SOURCE_DIR NULL
#endif

static bool
formsdir_is_dir(const char *path)
{
	struct stat sb;

	return path != NULL && *path != '\0' && stat(path, &sb) == 0 &&
	    S_ISDIR(sb.st_mode);
}

int
formsdir_pick(const char *env_value, const char *install_dir,
    const char *source_dir, const char **dir, struct terr *e)
{
	/* an explicit setting is used as given: a wrong one must fail loudly
	 * where it is read, not fall back to other forms */
	if (env_value != NULL && *env_value != '\0') {
		*dir = env_value;
		return 0;
	}
	if (formsdir_is_dir(install_dir)) {
		*dir = install_dir;
		return 0;
	}
	if (formsdir_is_dir(source_dir)) {
		*dir = source_dir;
		return 0;
	}
	*dir = install_dir;
	if (source_dir != NULL)
		return terr_set(e, TERR_IO, "Встроенные формы не найдены: нет ни папки «%s», "
		    "ни папки «%s». Укажите папку форм в переменной окружения "
		    FORMSDIR_ENV ".", install_dir ? install_dir : "", source_dir);
	return terr_set(e, TERR_IO, "Встроенные формы не найдены: нет папки «%s». "
	    "Укажите папку форм в переменной окружения " FORMSDIR_ENV ".",
	    install_dir ? install_dir : "");
}

int
formsdir_builtin(const char **dir, struct terr *e)
{
	return formsdir_pick(getenv(FORMSDIR_ENV), TETRAD_FORMS_INSTALL_DIR,
	    TETRAD_FORMS_SOURCE_DIR, dir, e);
}
