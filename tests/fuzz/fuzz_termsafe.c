/*
 * fuzz_termsafe — hostile bytes into the escaping of outside text for
 * terminals and logs (termsafe.h). Whatever comes in, what goes out holds
 * no control byte, no C1 or bidi control, is valid UTF-8 (the library's own
 * check), has the length termsafe_write announced, and a short buffer gets
 * a prefix of the whole escaped text, never a cut escape or character.
 */
#include <stdlib.h>
#include <string.h>

#include "tetrad/changeset.h"
#include "tetrad/termsafe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_inert(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (changeset_check_utf8(s, n) != 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			abort();
		if (u[i] == 0xc2 && i + 1 < n && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			abort();
		if (u[i] == 0xe2 && i + 2 < n && ((u[i + 1] == 0x80 && u[i + 2] >= 0xaa &&
		    u[i + 2] <= 0xae) || (u[i + 1] == 0x81 && u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9)))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t need, cap, got;
	char *out, *cut, *j, *z;

	if (size > 4096)
		return 0;
	need = termsafe_write(NULL, 0, (const char *)data, size);
	if (need > size * 4 || (out = malloc(need + 1)) == NULL)
		abort();
	if (termsafe_write(out, need + 1, (const char *)data, size) != need ||
	    strlen(out) != need)
		abort();
	fuzz_inert(out, need);
	cap = size > 0 ? data[0] % (need + 1) + 1 : 1;
	if ((cut = malloc(cap)) == NULL)
		abort();
	termsafe_write(cut, cap, (const char *)data, size);
	got = strlen(cut);
	if (got >= cap || memcmp(cut, out, got) != 0)
		abort();
	fuzz_inert(cut, got);
	/* the JSON form of the same text, for a NUL-terminated copy */
	if ((z = malloc(size + 1)) == NULL)
		abort();
	memcpy(z, data, size);
	z[size] = '\0';
	if ((j = termsafe_json_dup(z)) == NULL)
		abort();
	fuzz_inert(j, strlen(j));
	free(j);
	free(z);
	free(cut);
	free(out);
	return 0;
}
