/*
 * fuzz_csv_parse — hostile bytes into csv_parse (the import parser). The
 * first byte picks the delimiter. Whatever it accepts must give cells within
 * the bounds, and writing those cells back with csv_put_cell and parsing
 * again must give the same rows (the writer quotes everything it must, and
 * csv_cell_unguard takes off its formula guard).
 * Whatever it refuses must come with a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetrad/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	FILE *out;        /* re-encoding of the rows, or NULL on the second pass */
	char delim;
	size_t rows;
	uint64_t hash;    /* of every cell and row boundary */
};

static void
fz_mix(struct fz *z, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		z->hash = (z->hash ^ (uint8_t)s[i]) * 1099511628211ull;
	z->hash = (z->hash ^ 0x100) * 1099511628211ull;
}

static int
fz_row(size_t line, size_t n, char *const *cells, void *arg)
{
	struct fz *z = arg;

	if (line == 0 || n == 0 || n > CSV_MAX_COLS)
		abort();
	z->rows++;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(cells[i]);

		if (len >= CSV_MAX_CELL)
			abort();
		/* the writer guards text against formulas; reading back takes
		 * the guard off and must give the cell as it was */
		if (z->out == NULL) {
			csv_cell_unguard(cells[i]);
			len = strlen(cells[i]);
		}
		fz_mix(z, cells[i], len);
		if (z->out) {
			if (i && fputc(z->delim, z->out) == EOF)
				abort();
			struct tbuf *b = tbuf_new(2 * CSV_MAX_CELL + 2);

			if (b == NULL || csv_put_cell(b, cells[i], z->delim) != 0 ||
			    fwrite(tbuf_ptr(b), 1, tbuf_len(b), z->out) != tbuf_len(b))
				abort();
			tbuf_free(b);
		}
	}
	fz_mix(z, "\n", 0);
	/* a row of one empty cell re-encodes as an empty line: quote it */
	if (z->out && n == 1 && cells[0][0] == '\0')
		fputs("\"\"", z->out);
	if (z->out)
		fputs("\r\n", z->out);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char delims[] = ";,\t|";
	struct fz a = { 0 }, b = { 0 };
	struct terr e;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (size < 1)
		return 0;
	a.delim = b.delim = delims[data[0] % 4];
	terr_clear(&e);
	if ((a.out = open_memstream(&buf, &len)) == NULL)
		return 0;
	r = csv_parse((const char *)data + 1, size - 1, a.delim, fz_row, &a, &e);
	fclose(a.out);
	a.out = NULL;
	if (r != 0) {
		if (e.code != r || e.msg[0] == '\0')
			abort();
		free(buf);
		return 0;
	}
	terr_clear(&e);
	if (csv_parse(buf, len, b.delim, fz_row, &b, &e) != 0)
		abort();
	if (a.rows != b.rows || a.hash != b.hash)
		abort();
	free(buf);
	return 0;
}
