/*
 * fuzz_usbfile — reading the framing of a USB transfer file (TTEX export or
 * TTAK acknowledgements, tetrad/usbfile.h) from a stick that may hold
 * anything: header checks, declared counts and lengths against what is
 * really there, trailing bytes. Items are not opened here (envelopes and
 * signed blobs have their own targets).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tetrad/fileio.h"
#include "tetrad/usbfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const magics[] = { USBFILE_MAGIC_EXPORT, USBFILE_MAGIC_ACKS };
	uint8_t *item;
	size_t len;

	if (size == 0 || size > 256 * 1024 || (item = malloc(64 * 1024)) == NULL)
		return 0;
	for (size_t m = 0; m < 2; m++) {
		struct usbfile_header h;
		struct terr e;
		FILE *f = fmemopen((void *)(uintptr_t)data, size, "rb");
		struct usbfile_src src = { fileio_fread, f };

		if (f == NULL)
			break;
		if (usbfile_read_header(&src, magics[m], &h, &e) == 0) {
			uint32_t i;

			for (i = 0; i < h.count; i++)
				if (usbfile_read_item(&src, item, 64 * 1024, &len, &e) != 0)
					break;
			if (i == h.count)
				usbfile_read_end(&src, &e);
		}
		fclose(f);
	}
	free(item);
	return 0;
}
