/*
 * qrtext — a QR code as terminal text (qrtext.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "hub/qrtext.h"

/* Whether the module at (x, y) of the drawing (quiet zone included) is light. */
static bool
qrtext_light(const QRcode *qr, int x, int y)
{
	x -= QRTEXT_QUIET;
	y -= QRTEXT_QUIET;
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return true;
	return (qr->data[y * qr->width + x] & 1) == 0;
}

int
qrtext_draw(const char *text, char **out, struct terr *e)
{
	/* upper light, lower light: each half block is 3 bytes of UTF-8 */
	static const char *const cell[2][2] = { { " ", "▄" }, { "▀", "█" } };
	QRcode *qr = NULL;
	size_t cap, n = 0;
	char *buf = NULL;
	int side, r;

	*out = NULL;
	if (text == NULL || text[0] == '\0' || strlen(text) > QRTEXT_TEXT_MAX)
		return terr_set(e, TERR_ARG, "QR-код: пустой текст или длиннее %d байт",
		    QRTEXT_TEXT_MAX);
	errno = 0;
	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) == NULL) {
		r = errno == ENOMEM ? terr_set(e, TERR_NOMEM, "недостаточно памяти для QR-кода") :
		    terr_set(e, TERR_ARG, "текст не помещается в QR-код");
		goto out;
	}
	side = qr->width + 2 * QRTEXT_QUIET;
	cap = (size_t)(side + 1) / 2 * ((size_t)side * 3 + sizeof(QRTEXT_LINE_ON) +
	    sizeof(QRTEXT_LINE_OFF) + 1) + 1;
	if ((buf = malloc(cap)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти для QR-кода");
		goto out;
	}
	for (int y = 0; y < side; y += 2) {
		memcpy(buf + n, QRTEXT_LINE_ON, sizeof(QRTEXT_LINE_ON) - 1);
		n += sizeof(QRTEXT_LINE_ON) - 1;
		for (int x = 0; x < side; x++) {
			/* an odd side: the last line's lower half is below the code, light */
			const char *c = cell[qrtext_light(qr, x, y)][qrtext_light(qr, x, y + 1)];
			size_t len = strlen(c);

			memcpy(buf + n, c, len);
			n += len;
		}
		memcpy(buf + n, QRTEXT_LINE_OFF "\n", sizeof(QRTEXT_LINE_OFF));
		n += sizeof(QRTEXT_LINE_OFF);
	}
	buf[n] = '\0';
	*out = buf;
	buf = NULL;
	r = 0;
 out:
	free(buf);
	if (qr != NULL)
		QRcode_free(qr);
	return r;
}
