/*
 * fuzz_csv_import — hostile bytes into the client's form import (header
 * mapping, rows linked by «Запись», repeat-group items by number, labels
 * and codes, the formula guard, draft status), checking only: nothing is
 * written (csvio_import_buf with no store). The first byte picks one of
 * the built-in forms and the delimiter. Whatever it refuses must come with
 * a message; whatever it accepts must count at most one record per row.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/catalog.h"
#include "client/csvio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct catalog *fz_cat;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = ";,\t|";
	const struct form *f;
	struct terr e;
	char *report = NULL;
	size_t n = 0, lines = 1;
	int r;

	if (fz_cat == NULL && catalog_load(TETRAD_SOURCE_DIR "/forms", NULL,
	    &fz_cat, &e) != 0)
		abort();
	if (size < 1 || catalog_count(fz_cat) == 0)
		return 0;
	f = catalog_at(fz_cat, (data[0] >> 2) % catalog_count(fz_cat));
	terr_clear(&e);
	r = csvio_import_buf(NULL, fz_cat, form_id(f), "fuzz", (const char *)data + 1,
	    size - 1, delims[data[0] % 4], &n, &report, &e);
	for (size_t i = 1; i < size; i++)
		if (data[i] == '\n' || data[i] == '\r')
			lines++;
	if (r != 0 && (e.code != r || e.msg[0] == '\0'))
		abort();
	if (r == 0 && (report != NULL || n > lines))
		abort();
	free(report);
	return 0;
}
