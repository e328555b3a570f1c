/*
 * pullmsg_file — the USB file of changes, hub → device ("TTPF"): the
 * usbfile framing around answers sealed with a zero request nonce
 * (pullmsg.h). The framing carries no trust; each answer is opened on its
 * own with pullmsg_open.
 */
#include <string.h>

#include "tetrad/pullmsg.h"
#include "pullmsg_internal.h"

int
pullmsg_file_write_header(const struct usbfile_sink *dst, const uint8_t device_id[KEYS_ID_BYTES],
    uint32_t count, struct terr *e)
{
	uint8_t h[USBFILE_HEADER_BYTES];

	if (dst == NULL || device_id == NULL || count > USBFILE_MAX_ITEMS)
		return terr_set(e, TERR_ARG, "файл изменений: недопустимый заголовок");
	usbfile_header_encode(PULLMSG_FILE_MAGIC, device_id, count, h);
	return dst->write(dst->ctx, h, sizeof(h), e);
}

int
pullmsg_file_write_answer(const struct usbfile_sink *dst, const uint8_t device_id[KEYS_ID_BYTES],
    const uint8_t *ans, size_t len, struct terr *e)
{
	static const uint8_t zeros[PULLMSG_NONCE_BYTES];
	struct pullmsg_header h;
	int r;

	if (dst == NULL || device_id == NULL)
		return terr_set(e, TERR_ARG, "файл изменений: некуда писать");
	if ((r = pullmsg_parse_header(ans, len, &h, e)) != 0)
		return r;
	if (memcmp(h.device_id, device_id, KEYS_ID_BYTES) != 0 ||
	    memcmp(h.req_nonce, zeros, PULLMSG_NONCE_BYTES) != 0)
		return terr_set(e, TERR_ARG, "файл изменений: ответ для другого устройства или на "
		    "сетевой запрос");
	return usbfile_write_item(dst, ans, len, e);
}

int
pullmsg_file_read_header(const struct usbfile_src *src, struct usbfile_header *h,
    struct terr *e)
{
	return usbfile_read_header(src, PULLMSG_FILE_MAGIC, h, e);
}

int
pullmsg_file_read_answer(const struct usbfile_src *src, uint8_t buf[PULLMSG_MAX_BYTES],
    size_t *len, struct terr *e)
{
	return usbfile_read_item(src, buf, PULLMSG_MAX_BYTES, len, e);
}

int
pullmsg_file_read_end(const struct usbfile_src *src, struct terr *e)
{
	return usbfile_read_end(src, e);
}
