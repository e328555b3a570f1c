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

struct usb_result {
	int64_t sets, entries, bytes;
};

/* Refuses an empty path, control characters, an existing file or a missing directory. */
int usb_check_out_path(const char *path, struct terr *e);

int usb_export(const char *db_path, const char *passphrase_file, const char *out_path,
    size_t max_ops, size_t max_bytes, struct usb_result *res, struct terr *e);

struct usb_acks_result {
	int64_t read;          /* acknowledgements in the file */
	int64_t acked;         /* sets now acknowledged (their entries too) */
	int64_t quarantined;   /* sets the hub refused: quarantined with its reason */
	int64_t already;       /* sets already acknowledged here (file imported before) */
	int64_t ignored;       /* not verifiable, another device, gap or busy answers */
	int64_t key_changed;   /* 1 if the hub's new encryption key was adopted */
};

/*
 * `tetrad-syncd import-acks FILE`: the hub's answers to a USB export (TTAK,
 * written by `tetrad-hub import --acks`). Each is verified with the hub's
 * signing key from enrollment before anything changes; then exactly what a
 * push would have done with that answer: acknowledged, or quarantined with
 * the reason. Importing the same file again changes nothing.
 */
int usb_import_acks(const char *db_path, const char *passphrase_file, const char *in_path,
    struct usb_acks_result *res, struct terr *e);

#endif
