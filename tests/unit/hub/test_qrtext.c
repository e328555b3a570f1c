/*
 * test_qrtext — the terminal QR code read back module by module: each line
 * is white on black set by ANSI codes and reset at its end, each character
 * two rows of half blocks; the modules read back are libqrencode's own
 * matrix for the same text (same version, level M) inside a light quiet
 * zone of QRTEXT_QUIET modules on every side. An empty text and one over
 * the cap are refused.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "check.h"
#include "hub/qrtext.h"

#define SIDE_MAX 200

/* The drawing back as light[y][x]; the side, or -1 when a line is malformed. */
static int
read_back(const char *s, bool light[SIDE_MAX][SIDE_MAX], int *rows)
{
	int side = -1, y = 0;

	while (*s) {
		const char *nl = strchr(s, '\n');
		int x = 0;

		if (nl == NULL || strncmp(s, QRTEXT_LINE_ON, strlen(QRTEXT_LINE_ON)) != 0 ||
		    (size_t)(nl - s) < strlen(QRTEXT_LINE_OFF) ||
		    strncmp(nl - strlen(QRTEXT_LINE_OFF), QRTEXT_LINE_OFF,
		    strlen(QRTEXT_LINE_OFF)) != 0 || y + 1 >= SIDE_MAX)
			return -1;
		for (const char *p = s + strlen(QRTEXT_LINE_ON); p < nl - strlen(QRTEXT_LINE_OFF);
		    x++) {
			bool up, down;

			if (x >= SIDE_MAX)
				return -1;
			if (*p == ' ') {
				up = down = false;
				p++;
			} else if (strncmp(p, "▀", 3) == 0 || strncmp(p, "▄", 3) == 0 ||
			    strncmp(p, "█", 3) == 0) {
				up = strncmp(p, "▄", 3) != 0;
				down = strncmp(p, "▀", 3) != 0;
				p += 3;
			} else
				return -1;
			light[y][x] = up;
			light[y + 1][x] = down;
		}
		if (side >= 0 && x != side)
			return -1;
		side = x;
		y += 2;
		s = nl + 1;
	}
	*rows = y;
	return side;
}

static void
check_text(const char *text)
{
	static bool light[SIDE_MAX][SIDE_MAX];
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	char *out = NULL;
	struct terr e;
	int side, rows, bad = 0, quiet = 0;

	terr_clear(&e);
	CHECK(qr != NULL);
	CHECK_INT_EQ(qrtext_draw(text, &out, &e), 0);
	if (qr == NULL || out == NULL)
		goto out;
	side = read_back(out, light, &rows);
	CHECK_INT_EQ(side, qr->width + 2 * QRTEXT_QUIET);
	CHECK_INT_EQ(rows, (side + 1) / 2 * 2);
	if (side != qr->width + 2 * QRTEXT_QUIET)
		goto out;
	for (int y = 0; y < rows; y++)
		for (int x = 0; x < side; x++) {
			int cx = x - QRTEXT_QUIET, cy = y - QRTEXT_QUIET;
			bool in = cx >= 0 && cy >= 0 && cx < qr->width && cy < qr->width;

			if (!in && !light[y][x])
				quiet++;
			if (in && light[y][x] != ((qr->data[cy * qr->width + cx] & 1) == 0))
				bad++;
		}
	CHECK_INT_EQ(quiet, 0);
	CHECK_INT_EQ(bad, 0);
	/* the finder pattern's corner is dark: the drawing is not all light */
	CHECK(!light[QRTEXT_QUIET][QRTEXT_QUIET]);
 out:
	free(out);
	if (qr != NULL)
		QRcode_free(qr);
}

int
main(void)
{
	char big[QRTEXT_TEXT_MAX + 2];
	char *out = (char *)1;
	struct terr e;

	/* a token (version 2, odd side: the last line's lower half is quiet zone) */
	check_text("ABCD-EFGH-JKLM-NPQR-STUV");
	check_text("https://hub.example:8443/enroll?t=0123456789");
	terr_clear(&e);
	CHECK_INT_EQ(qrtext_draw("", &out, &e), TERR_ARG);
	CHECK(out == NULL);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_INT_EQ(qrtext_draw(big, &out, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "QR-код");
	return check_summary();
}
