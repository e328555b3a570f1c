/*
 * usbfile — framing of USB transfer files (see usbfile.h).
 */
#include "tetrad/usbfile.h"

#include <string.h>

static uint32_t
usbfile_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
usbfile_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Reads exactly len bytes unless the data ends first (*got says how many). */
static int
usbfile_pull(const struct usbfile_src *src, uint8_t *buf, size_t len, size_t *got,
    struct terr *e)
{
	size_t n;
	int r;

	*got = 0;
	while (*got < len) {
		if ((r = src->read(src->ctx, buf + *got, len - *got, &n, e)) != 0)
			return r;
		if (n == 0)
			break;
		*got += n;
	}
	return 0;
}

static const char *
usbfile_kind(const char *magic)
{
	if (strcmp(magic, USBFILE_MAGIC_EXPORT) == 0)
		return "выгрузка изменений (TTEX)";
	if (strcmp(magic, USBFILE_MAGIC_ACKS) == 0)
		return "файл подтверждений хаба (TTAK)";
	if (strcmp(magic, "TTPF") == 0)
		return "файл изменений с хаба (TTPF)";
	return "файл Tetrad";
}

void
usbfile_header_encode(const char *magic, const uint8_t device_id[KEYS_ID_BYTES],
    uint32_t count, uint8_t out[USBFILE_HEADER_BYTES])
{
	memset(out, 0, USBFILE_HEADER_BYTES);
	memcpy(out, magic, 4);
	out[4] = USBFILE_VERSION;
	memcpy(out + 8, device_id, KEYS_ID_BYTES);
	usbfile_put_be32(out + 16, count);
}

int
usbfile_read_header(const struct usbfile_src *src, const char *want,
    struct usbfile_header *h, struct terr *e)
{
	uint8_t b[USBFILE_HEADER_BYTES];
	size_t n;
	int r;

	memset(h, 0, sizeof(*h));
	if ((r = usbfile_pull(src, b, sizeof(b), &n, e)) != 0)
		return r;
	if (n >= 4 && memcmp(b, want, 4) != 0) {
		if (memcmp(b, USBFILE_MAGIC_EXPORT, 4) == 0 || memcmp(b, USBFILE_MAGIC_ACKS, 4) == 0 ||
		    memcmp(b, "TTPF", 4) == 0) {
			char got[5];

			memcpy(got, b, 4);
			got[4] = '\0';
			return terr_set(e, TERR_MAGIC, "это %s, а нужен %s", usbfile_kind(got),
			    usbfile_kind(want));
		}
		return terr_set(e, TERR_MAGIC, "это не %s", usbfile_kind(want));
	}
	if (n < sizeof(b))
		return terr_set(e, TERR_TRUNCATED, "%s обрезан: нет заголовка", usbfile_kind(want));
	if (b[4] != USBFILE_VERSION)
		return terr_set(e, TERR_VERSION, "%s версии %u: эта программа знает версию %u; "
		    "обновите программу", usbfile_kind(want), b[4], USBFILE_VERSION);
	if (b[5] != 0 || b[6] != 0 || b[7] != 0)
		return terr_set(e, TERR_HEADER, "%s: повреждён заголовок", usbfile_kind(want));
	memcpy(h->magic, b, 4);
	memcpy(h->device_id, b + 8, KEYS_ID_BYTES);
	h->count = usbfile_be32(b + 16);
	if (h->count > USBFILE_MAX_ITEMS)
		return terr_set(e, TERR_COUNT, "%s: заявлено %u записей, больше допустимых %u",
		    usbfile_kind(want), h->count, USBFILE_MAX_ITEMS);
	return 0;
}

int
usbfile_read_item(const struct usbfile_src *src, uint8_t *buf, size_t cap, size_t *len,
    struct terr *e)
{
	uint8_t lb[4];
	uint32_t n;
	size_t got;
	int r;

	*len = 0;
	if ((r = usbfile_pull(src, lb, 4, &got, e)) != 0)
		return r;
	if (got != 4)
		return terr_set(e, TERR_TRUNCATED, "файл обрезан: следующей записи нет");
	n = usbfile_be32(lb);
	if (n == 0 || n > cap)
		return terr_set(e, TERR_TOO_LARGE, "запись длиной %u байт недопустима (не больше %zu)",
		    n, cap);
	if ((r = usbfile_pull(src, buf, n, &got, e)) != 0)
		return r;
	if (got != n)
		return terr_set(e, TERR_TRUNCATED, "файл обрезан внутри записи");
	*len = n;
	return 0;
}

int
usbfile_read_end(const struct usbfile_src *src, struct terr *e)
{
	uint8_t b;
	size_t got;
	int r;

	if ((r = usbfile_pull(src, &b, 1, &got, e)) != 0)
		return r;
	if (got != 0)
		return terr_set(e, TERR_TRAILING, "после последней записи файла есть лишние данные");
	return 0;
}

int
usbfile_write_item(const struct usbfile_sink *dst, const uint8_t *item, size_t len,
    struct terr *e)
{
	uint8_t lb[4];
	int r;

	if (len == 0 || len > UINT32_MAX)
		return terr_set(e, TERR_ARG, "недопустимая длина записи");
	usbfile_put_be32(lb, (uint32_t)len);
	if ((r = dst->write(dst->ctx, lb, 4, e)) != 0)
		return r;
	return dst->write(dst->ctx, item, len, e);
}
