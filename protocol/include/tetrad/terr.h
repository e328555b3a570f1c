/*
 * terr — error codes of libtetrad-protocol and a message a person can read.
 *
 * Library functions return 0 or a negative TERR_* code and, when the caller
 * passes a struct terr, leave a specific message there ("change set 41–57:
 * signature does not match device a1b2…"). Only main-level code prints.
 * Messages are in Russian: they end up in front of curators and coordinators.
 */
#ifndef TETRAD_TERR_H
#define TETRAD_TERR_H

#include <stddef.h>

enum terr_code {
	TERR_OK = 0,
	TERR_INTERNAL = -1,     /* a bug or an impossible state */
	TERR_NOMEM = -2,
	TERR_ARG = -3,          /* caller passed something invalid */
	TERR_TOO_LARGE = -4,    /* a documented cap was exceeded */
	TERR_TRUNCATED = -5,    /* input ends before its declared length */
	TERR_TRAILING = -6,     /* bytes after the declared end */
	TERR_MAGIC = -7,        /* not a Tetrad envelope / key / blob */
	TERR_VERSION = -8,      /* format version we do not speak */
	TERR_HEADER = -9,       /* header fields inconsistent or invalid */
	TERR_HUB_KEY = -10,     /* sealed to a different hub key */
	TERR_DEVICE_KEY = -11,  /* device key id does not match the key given */
	TERR_SIGNATURE = -12,   /* Ed25519 signature does not verify */
	TERR_DECRYPT = -13,     /* AEAD authentication failed */
	TERR_DECOMPRESS = -14,  /* compressed payload invalid or wrong size */
	TERR_PARSE = -15,       /* malformed JSON or encoding */
	TERR_DEPTH = -16,       /* nesting deeper than allowed */
	TERR_UTF8 = -17,        /* text that is not valid UTF-8 */
	TERR_SCHEMA = -18,      /* a required member missing or of wrong type */
	TERR_MISMATCH = -19,    /* signed header and plaintext disagree */
	TERR_COUNT = -20,       /* op count over the cap or not matching range */
	TERR_CLOCK = -21,       /* HLC invalid, backwards or too far ahead */
	TERR_KEYFILE = -22,     /* key file unreadable, wrong kind, wrong perms */
	TERR_PASSPHRASE = -23,  /* passphrase missing or wrong */
	TERR_IO = -24,          /* file I/O failed (errno in the message) */
	TERR_CRYPTO = -25,      /* libsodium refused (init, keygen) */
	TERR_FORM = -26,        /* form definition invalid */
	TERR_INVALID = -27,     /* record values fail the form's rules */
	TERR_KIND = -28,        /* signed blob of an unexpected kind */
	TERR_FULL = -29,        /* storage full: try again once space is freed */
	TERR_BUSY = -30,        /* storage busy (locked): try again shortly */
	TERR_NOTFOUND = -31,    /* the thing asked for does not exist */
	TERR_REPLAY = -32,      /* an old message sent again (nonce not ours) */
	TERR_ORDER = -33,       /* messages arrived out of their order */
};

#define TERR_MSG_MAX 512

struct terr {
	int code;
	char msg[TERR_MSG_MAX];
};

/* Short fixed Russian description of a code; never NULL. */
const char *terr_str(int code);

/* Stable English identifier of a code ("TERR_SIGNATURE"), for logs and docs. */
const char *terr_name(int code);

/*
 * Records code and a formatted message in e (which may be NULL) and returns
 * code, so a caller can write `return terr_set(e, TERR_PARSE, "…", …);`.
 * An earlier message is overwritten.
 */
/* Drops an incomplete UTF-8 sequence that truncation left at the end of s
 * (a message cut at a buffer's end must still be valid UTF-8). */
void terr_utf8_trim(char *s);
/*
 * errno in Russian words, for messages people read (never NULL): the C
 * library's strerror speaks English in the C locale the programs run in.
 */
const char *terr_strerror(int errnum);

int terr_set(struct terr *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resets e to TERR_OK with an empty message; accepts NULL. */
void terr_clear(struct terr *e);

#endif
