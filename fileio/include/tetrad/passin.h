/*
 * passin — reading a secret (the vault's passphrase, its recovery key, a
 * dashboard account's password) for a program's command line: the first line of a file (scripts: --passphrase-file),
 * or a line typed on the controlling terminal with echo off. Never from the
 * command line itself, never into a log.
 *
 * The text read lives in sodium_malloc'd memory (guarded, mlocked where the
 * system allows) and is wiped by passin_free. This module reads only: it
 * prints nothing but the prompt it is given, to the terminal it reads.
 */
#ifndef TETRAD_FILEIO_PASSIN_H
#define TETRAD_FILEIO_PASSIN_H

#include <stdbool.h>
#include <stddef.h>

#include "tetrad/fileio.h"
#include "tetrad/terr.h"

/* Bytes of a secret read, at most (a longer line is refused, not cut). */
#define PASSIN_MAX FILEIO_PASSPHRASE_MAX

/*
 * The first line of path without its line end, at most PASSIN_MAX bytes, in
 * *out (NUL-terminated, *len bytes; passin_free it), read by
 * fileio_read_passphrase: refused (TERR_PASSPHRASE, a Russian message naming
 * "chmod 600") when the file is a regular file group or others may read or
 * write, when its first line is empty or longer than PASSIN_MAX; TERR_IO when
 * it cannot be opened or read. The same rule as tetrad-syncd and the hub.
 */
int passin_file(const char *path, char **out, size_t *len, struct terr *e);

/*
 * A session on the controlling terminal (/dev/tty) for asking secrets:
 * from passin_tty_open to passin_tty_close the terminal's echo is off —
 * during the questions, the waits between them and the checks of what was
 * typed — so nothing typed ahead ever shows; what was typed before each
 * question is dropped (tcflush), never taken as its answer. Ctrl+C, a
 * hang-up, TERM or QUIT end a read or a pause: TERR_PASSPHRASE («Ввод пароля
 * прерван.»); one caught between them (during a check) is raised again by
 * passin_tty_close, after the terminal's settings are put back (on every
 * path). TERR_IO when there is no terminal or it cannot be set.
 */
struct passin_tty;
int passin_tty_open(struct passin_tty **t, struct terr *e);
/* Writes prompt and reads one line, shown as typed when echo (a recovery
 * key written on paper), else not. TERR_ARG for a line longer than
 * PASSIN_MAX; an empty line is 0 with *len 0. passin_free *out. */
int passin_tty_read(struct passin_tty *t, const char *prompt, bool echo,
    char **out, size_t *len, struct terr *e);
/* Sleeps ms milliseconds, echo still off. 0, or TERR_PASSPHRASE when a
 * signal ended it. */
int passin_tty_pause(struct passin_tty *t, unsigned ms, struct terr *e);
/* Drops what was typed and not read, puts the terminal back. NULL is fine. */
void passin_tty_close(struct passin_tty *t);

/* One line with echo off in a session of its own (open, read, close). */
int passin_tty(const char *prompt, char **out, size_t *len, struct terr *e);

/* Whether there is a controlling terminal to ask on. */
bool passin_tty_available(void);

/* Wipes and frees a secret of passin_file / passin_tty. NULL is fine. */
void passin_free(char *secret);

#endif
