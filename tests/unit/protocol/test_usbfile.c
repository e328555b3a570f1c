/*
 * usbfile: header and item framing of USB transfer files, and every way a
 * file from a stick can be wrong.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "tetrad/fileio.h"
#include "tetrad/usbfile.h"

static const uint8_t dev[KEYS_ID_BYTES] = { 1, 2, 3, 4, 5, 6, 7, 8 };

/* Writes a TTEX/TTAK file with the given items into buf; returns its size. */
static size_t
make(uint8_t *buf, size_t cap, const char *magic, uint32_t count, const char *const *items,
    size_t n)
{
	FILE *f = fmemopen(buf, cap, "wb");
	struct usbfile_sink sink = { fileio_fwrite, f };
	uint8_t hdr[USBFILE_HEADER_BYTES];
	struct terr e;
	long size;

	usbfile_header_encode(magic, dev, count, hdr);
	fwrite(hdr, 1, sizeof(hdr), f);
	for (size_t i = 0; i < n; i++)
		CHECK_INT_EQ(usbfile_write_item(&sink, (const uint8_t *)items[i], strlen(items[i]), &e), 0);
	fflush(f);
	size = ftell(f);
	fclose(f);
	return (size_t)size;
}

static int
read_all(const uint8_t *buf, size_t len, const char *magic, struct terr *e)
{
	FILE *f = fmemopen((void *)(uintptr_t)buf, len, "rb");
	struct usbfile_src src = { fileio_fread, f };
	struct usbfile_header h;
	uint8_t item[64];
	size_t n;
	int r;

	if ((r = usbfile_read_header(&src, magic, &h, e)) == 0) {
		CHECK_MEM_EQ(h.device_id, dev, sizeof(dev));
		CHECK_STR_EQ(h.magic, magic);
		for (uint32_t i = 0; r == 0 && i < h.count; i++)
			r = usbfile_read_item(&src, item, sizeof(item), &n, e);
		if (r == 0)
			r = usbfile_read_end(&src, e);
	}
	fclose(f);
	return r;
}

int
main(void)
{
	static const char *const two[] = { "first item", "second" };
	static const char *const big[] = { "0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789" };
	uint8_t buf[1024];
	struct terr e;
	size_t len;

	len = make(buf, sizeof(buf), USBFILE_MAGIC_EXPORT, 2, two, 2);
	CHECK_INT_EQ((int)len, USBFILE_HEADER_BYTES + 4 + 10 + 4 + 6);
	CHECK_INT_EQ(read_all(buf, len, USBFILE_MAGIC_EXPORT, &e), 0);
	/* the other kind of file: named, not a generic failure */
	CHECK_INT_EQ(read_all(buf, len, USBFILE_MAGIC_ACKS, &e), TERR_MAGIC);
	CHECK_CONTAINS(e.msg, "выгрузка изменений");
	CHECK_CONTAINS(e.msg, "подтверждений");
	CHECK_INT_EQ(read_all((const uint8_t *)"PK\x03\x04 a zip file....", 22, USBFILE_MAGIC_EXPORT,
	    &e), TERR_MAGIC);
	/* truncated: inside the header, inside an item, a missing item */
	CHECK_INT_EQ(read_all(buf, 10, USBFILE_MAGIC_EXPORT, &e), TERR_TRUNCATED);
	CHECK_INT_EQ(read_all(buf, len - 3, USBFILE_MAGIC_EXPORT, &e), TERR_TRUNCATED);
	len = make(buf, sizeof(buf), USBFILE_MAGIC_EXPORT, 3, two, 2);
	CHECK_INT_EQ(read_all(buf, len, USBFILE_MAGIC_EXPORT, &e), TERR_TRUNCATED);
	/* fewer declared than present: trailing data */
	len = make(buf, sizeof(buf), USBFILE_MAGIC_ACKS, 1, two, 2);
	CHECK_INT_EQ(read_all(buf, len, USBFILE_MAGIC_ACKS, &e), TERR_TRAILING);
	/* version, reserved bytes, count cap */
	len = make(buf, sizeof(buf), USBFILE_MAGIC_ACKS, 2, two, 2);
	buf[4] = 2;
	CHECK_INT_EQ(read_all(buf, len, USBFILE_MAGIC_ACKS, &e), TERR_VERSION);
	buf[4] = 1;
	buf[6] = 1;
	CHECK_INT_EQ(read_all(buf, len, USBFILE_MAGIC_ACKS, &e), TERR_HEADER);
	buf[6] = 0;
	buf[16] = 0xff;
	CHECK_INT_EQ(read_all(buf, len, USBFILE_MAGIC_ACKS, &e), TERR_COUNT);
	/* an item over the reader's cap is refused before it is read */
	len = make(buf, sizeof(buf), USBFILE_MAGIC_EXPORT, 1, big, 1);
	CHECK_INT_EQ(read_all(buf, len, USBFILE_MAGIC_EXPORT, &e), TERR_TOO_LARGE);
	/* a zero length */
	len = make(buf, sizeof(buf), USBFILE_MAGIC_EXPORT, 1, two, 0);
	memset(buf + len, 0, 4);
	CHECK_INT_EQ(read_all(buf, len + 4, USBFILE_MAGIC_EXPORT, &e), TERR_TOO_LARGE);
	/* an empty file of the right kind is fine */
	len = make(buf, sizeof(buf), USBFILE_MAGIC_ACKS, 0, two, 0);
	CHECK_INT_EQ(read_all(buf, len, USBFILE_MAGIC_ACKS, &e), 0);
	return check_summary();
}
