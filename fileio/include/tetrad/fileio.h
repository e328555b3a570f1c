/*
 * fileio — the few ways Tetrad's programs read and write whole files,
 * written once: a bounded read of a whole file (forms, CSV, envelopes,
 * configuration), a read of a secret file that refuses group or other
 * access (keys), a private atomic write (keys, exports with children's
 * data, anything personal), and a passphrase file read that leaves no copy
 * behind (no stdio buffer; the caller's buffer is wiped on failure).
 *
 * Library code: returns 0 or a negative TERR_* code with a Russian message
 * in e; never prints or exits. libtetrad-protocol works on buffers only;
 * the programs use this module to get those buffers from disk.
 */
#ifndef TETRAD_FILEIO_H
#define TETRAD_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "tetrad/terr.h"

#define FILEIO_PASSPHRASE_MAX 1024   /* bytes of a passphrase file's first line */

/*
 * Reads the regular file at path whole into a new buffer *out (malloc'd,
 * with a NUL byte after the *len bytes, so text can be used as a string).
 * Refuses a file over max bytes (TERR_TOO_LARGE, before reading it), a
 * directory or device (TERR_IO), and a missing file (TERR_IO, "нет файла").
 * *out is NULL on failure. The caller frees *out.
 */
int fileio_read_all(const char *path, size_t max, uint8_t **out, size_t *len,
    struct terr *e);

/*
 * Reads a secret file (a key) whole into buf (cap bytes): refuses a file
 * that group or others may read (TERR_KEYFILE, naming the chmod to run), a
 * file over cap or under min bytes (TERR_KEYFILE), a missing file
 * (TERR_KEYFILE). buf is wiped on failure.
 */
int fileio_read_secret(const char *path, uint8_t *buf, size_t min, size_t cap,
    size_t *len, struct terr *e);

/*
 * Writes data to path atomically and privately: a new file in the same
 * folder, created 0600 with O_EXCL|O_NOFOLLOW (mkstemp), written, fsync'd,
 * renamed over path, and the folder fsync'd. A crash leaves the old file
 * or the new one, never a half-written one; a symlink planted at path is
 * replaced, never followed. On failure the temporary file is removed.
 */
int fileio_write_private(const char *path, const void *data, size_t len, struct terr *e);
/*
 * As fileio_write_private, but the file is 0640: its folder's group may
 * read it. Only for what a group-shared folder holds for all its members
 * (the forms pulled beside a shared database, localdb_shared); never for
 * keys or exports, which stay 0600 wherever they are written.
 */
int fileio_write_shared(const char *path, const void *data, size_t len, struct terr *e);
/*
 * As fileio_write_private, but never replaces anything: an existing path
 * (a file, or a link even to nowhere) is refused (TERR_IO) and left alone.
 * For keys, which must never be overwritten.
 */
int fileio_create_private(const char *path, const void *data, size_t len, struct terr *e);

/*
 * The same private write for a file written piece by piece (an export, a
 * USB file): fileio_private_open creates a new file beside path, 0600 with
 * O_CREAT|O_EXCL (mkstemp, close-on-exec), so nothing planted there is
 * reused or followed. The caller writes to fileio_private_fd (write,
 * pwrite) or to fileio_private_stream (a FILE * on it, made once; NULL with
 * e filled if it cannot be made), then either fileio_private_commit — which
 * flushes, fsyncs, closes and puts the file in place (rename, replacing
 * what is at path, a planted symlink included, never following it; or with
 * keep_old, link, refusing an existing path with TERR_IO), fsyncs the
 * folder, and frees the handle whatever it returns (TERR_FULL when the disk
 * is full) — or fileio_private_abort, which removes the temporary file and
 * frees (NULL is accepted). Until the commit nothing is at path; a crash
 * leaves at most a "path.XXXXXX" file beside it.
 */
struct fileio_private;
int fileio_private_open(const char *path, struct fileio_private **out, struct terr *e);
int fileio_private_fd(const struct fileio_private *p);
FILE *fileio_private_stream(struct fileio_private *p, struct terr *e);
int fileio_private_commit(struct fileio_private *p, bool keep_old, struct terr *e);
void fileio_private_abort(struct fileio_private *p);

/*
 * Reads the first line of a passphrase file (without its line break) into
 * out (cap bytes, at most FILEIO_PASSPHRASE_MAX + 1 are used) with read(2),
 * so no stdio buffer keeps a copy. Refuses an empty passphrase, a first
 * line longer than cap - 1, and a regular file that group or others may
 * read or write (TERR_PASSPHRASE, naming the file and "chmod 600": the
 * passphrase opens the keys, so it gets the key files' rule; a pipe such as
 * <(…) or /dev/stdin is not a file others can open later and is read as it
 * is). out is wiped on failure.
 */
int fileio_read_passphrase(const char *path, char *out, size_t cap, struct terr *e);

/*
 * Stream adapters with the shapes of usbfile_read_fn / usbfile_write_fn
 * (tetrad/usbfile.h): ctx is a FILE *. fileio_fread fills buf with up to
 * len bytes (*got < len only at the end of the file) and returns TERR_IO
 * on a read error; fileio_fwrite writes all len bytes or returns TERR_IO
 * (TERR_FULL when the disk is full) with errno's text.
 */
int fileio_fread(void *file, uint8_t *buf, size_t len, size_t *got, struct terr *e);
int fileio_fwrite(void *file, const uint8_t *buf, size_t len, struct terr *e);

#endif
