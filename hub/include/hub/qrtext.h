/*
 * qrtext — a QR code drawn as text for a terminal (`tetrad-hub token
 * create`): libqrencode in the process, so the secret it encodes is never
 * on another program's command line, where every user's ps would show it.
 *
 * Each character holds two rows of modules (Unicode half blocks: ▀ ▄ █ and
 * a blank); the light modules are drawn, white on black set by ANSI codes on
 * each line, so the code reads the same on a light or a dark terminal. A
 * quiet zone of QRTEXT_QUIET light modules surrounds it.
 */
#ifndef TETRAD_HUB_QRTEXT_H
#define TETRAD_HUB_QRTEXT_H

#include <stddef.h>

#include "tetrad/terr.h"

#define QRTEXT_QUIET 4               /* light modules around the code */
#define QRTEXT_LINE_ON "\033[40;37;1m"   /* white on black, from each line's start */
#define QRTEXT_LINE_OFF "\033[0m"
#define QRTEXT_TEXT_MAX 1024         /* bytes encoded at most */

/*
 * The QR code of text (8-bit mode, error correction M, the smallest
 * version that holds it) as lines ending in '\n', NUL-terminated, into
 * *out (malloc'd, the caller frees); *out is NULL on failure. TERR_ARG for
 * an empty text or one over QRTEXT_TEXT_MAX, TERR_NOMEM.
 */
int qrtext_draw(const char *text, char **out, struct terr *e);

#endif
