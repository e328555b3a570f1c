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

#include "cmdline/progress.h"
#include "syncd/inbox.h"
#include "tetrad/terr.h"

struct usb_result {
	int64_t sets, entries, bytes;
	int ack_written;       /* the pull ack file (usb_ack_path) was written */
	uint64_t ack_after;    /* the cursor it acknowledges */
	char device_id[17];    /* this device's id, hex: what export-changes --device takes */
};

/* "<out_path>.ack": the device's signed pull ack (pullmsg.h, kind 2)
 * written beside an export, for `tetrad-hub import`. */
int usb_ack_path(const char *out_path, char *buf, size_t cap, struct terr *e);

/* Refuses an empty path, control characters, an existing file or a missing directory. */
int usb_check_out_path(const char *path, struct terr *e);

/*
 * Writes every unacknowledged change set to out_path (no file when there is
 * none) and the device's signed ack of its pull cursor (meta pull_after, 0
 * before any pull) to usb_ack_path(out_path): the hub's cursor for the
 * device (what `tetrad-hub export-changes` starts from) follows, and a
 * device that never pulled online registers its box key with it.
 * progress (may be NULL) hears the entries written of those waiting, after
 * each set.
 */
int usb_export(const char *db_path, const char *passphrase_file, const char *out_path,
    size_t max_ops, size_t max_bytes, progress_fn progress, void *progress_ud,
    struct usb_result *res, struct terr *e);

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

struct usb_changes_result {
	int64_t answers;       /* answers in the file */
	int64_t applied;       /* applied now */
	int64_t already;       /* «уже загружено»: upto ≤ the device's cursor */
	struct inbox_result in;
	uint64_t cursor;       /* after the import */
};

/*
 * `tetrad-syncd import-changes FILE`: the hub's file of changes for this
 * device (TTPF, `tetrad-hub export-changes`). Each answer is opened as an
 * online one is (recipient, hub key, signature, decryption, parse; its
 * nonce is zeros) and applied in a transaction of its own: one whose upto
 * the device already holds is skipped, one that starts after the device's
 * cursor (a file missing what came before) is refused — TERR_ORDER with the
 * reason, the answers before it kept. Importing the same file again
 * changes nothing. builtin_dir: the built-in forms (NULL: none).
 */
int usb_import_changes(const char *db_path, const char *passphrase_file, const char *in_path,
    const char *builtin_dir, struct usb_changes_result *res, struct terr *e);

#endif
