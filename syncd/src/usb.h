/*
 * usb — `tetrad-syncd export`: writes every unacknowledged change set to a
 * file for a USB stick, for a school with no network. `tetrad-hub import`
 * applies the file exactly as if the sets were pushed; the sets stay in the
 * outbox (not acked) so a later push of the same bytes is answered with the
 * hub's stored acknowledgement and changes nothing.
 *
 * File format TTEX (all integers big-endian):
 *   magic "TTEX" (4) | version u8 = 1 | reserved 3 zero bytes |
 *   device key id (8) | count u32 | count × ( length u32 | envelope )
 * Each envelope is a complete, signed envelope (docs/protocol.md), ≤ 16 MiB,
 * in chain order. The file is written to a temporary name in the same
 * directory, fsynced and renamed: a half-written file never carries the
 * final name.
 */
#ifndef TETRAD_SYNCD_USB_H
#define TETRAD_SYNCD_USB_H

#include <stddef.h>
#include <stdint.h>

#include "tetrad/terr.h"

#define USB_MAGIC "TTEX"
#define USB_VERSION 1
#define USB_HEADER_BYTES 20

struct usb_result {
	int64_t sets, entries, bytes;
};

/* Refuses an empty path, control characters, an existing file or a missing directory. */
int usb_check_out_path(const char *path, struct terr *e);

int usb_export(const char *db_path, const char *passphrase_file, const char *out_path,
    size_t max_ops, size_t max_bytes, struct usb_result *res, struct terr *e);

#endif
