/*
 * usbfile — the framing of files carried on a USB stick between a school
 * without network and the hub:
 *
 *   TTEX  change sets, written by `tetrad-syncd export`, read by
 *         `tetrad-hub import`;
 *   TTAK  the hub's signed acknowledgements of those sets, written by
 *         `tetrad-hub import --acks`, read by `tetrad-syncd import-acks`.
 *
 * Both (integers big-endian):
 *   magic (4) | version u8 = 1 | 3 zero bytes | device key id (8) |
 *   count u32 | count × ( length u32 | item )
 * An item is a complete envelope (TTEX, ≤ ENVELOPE_MAX_BYTES) or a signed
 * blob (TTAK, ≤ SIGBLOB_MAX_PAYLOAD + overhead). The framing carries no
 * trust: every item is verified on its own (envelope signature, hub
 * signature) by the side that reads it. A TTAK file may hold the answers for
 * several devices' sets; its header names the device of the export it
 * answers.
 *
 * No I/O here: the readers pull bytes through a usbfile_src and the writer
 * pushes them through a usbfile_sink, so a file of a million sets streams
 * without this library touching a file (fileio_fread/fileio_fwrite adapt a
 * stdio stream; tests use memory).
 */
#ifndef TETRAD_USBFILE_H
#define TETRAD_USBFILE_H

#include <stddef.h>
#include <stdint.h>
#include "tetrad/keys.h"
#include "tetrad/terr.h"

#define USBFILE_MAGIC_EXPORT "TTEX"
#define USBFILE_MAGIC_ACKS "TTAK"
#define USBFILE_VERSION 1
#define USBFILE_HEADER_BYTES 20
#define USBFILE_MAX_ITEMS 1000000u

struct usbfile_header {
	char magic[5];                       /* NUL-terminated */
	uint8_t device_id[KEYS_ID_BYTES];
	uint32_t count;
};

/*
 * Fills buf with up to len bytes and sets *got; fewer than len only at the
 * end of the data. Returns 0, or a TERR_* code with a message for a read
 * error (which is not the end).
 */
typedef int (*usbfile_read_fn)(void *ctx, uint8_t *buf, size_t len, size_t *got,
    struct terr *e);
struct usbfile_src {
	usbfile_read_fn read;
	void *ctx;
};

/* Writes all len bytes, or returns a TERR_* code with a message. */
typedef int (*usbfile_write_fn)(void *ctx, const uint8_t *buf, size_t len, struct terr *e);
struct usbfile_sink {
	usbfile_write_fn write;
	void *ctx;
};

/* Writes the 20-byte header into out. */
void usbfile_header_encode(const char *magic, const uint8_t device_id[KEYS_ID_BYTES],
    uint32_t count, uint8_t out[USBFILE_HEADER_BYTES]);

/*
 * Reads and checks the header of a file that must have magic want.
 * TERR_MAGIC (another kind of file), TERR_VERSION, TERR_HEADER (reserved
 * bytes), TERR_COUNT (over USBFILE_MAX_ITEMS), TERR_TRUNCATED; messages
 * name what the file is and what was expected.
 */
int usbfile_read_header(const struct usbfile_src *src, const char *want, struct usbfile_header *h,
    struct terr *e);

/*
 * Reads the next item (length-prefixed) into buf of cap bytes; *len gets its
 * length. TERR_TRUNCATED if the file ends inside the item, TERR_TOO_LARGE
 * for a zero or over-cap length (nothing of the item is read then).
 */
int usbfile_read_item(const struct usbfile_src *src, uint8_t *buf, size_t cap, size_t *len, struct terr *e);

/* After the last item: TERR_TRAILING if anything follows. */
int usbfile_read_end(const struct usbfile_src *src, struct terr *e);

/* Writes one length-prefixed item to the sink; its errors come back as they are. */
int usbfile_write_item(const struct usbfile_sink *dst, const uint8_t *item, size_t len, struct terr *e);

#endif
