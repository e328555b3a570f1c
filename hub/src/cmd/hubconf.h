/*
 * hubconf — what a `tetrad-hub` command works on: the hub's folder, its
 * hub.conf ("key = value" lines), the key passphrase, and, once opened,
 * the keys, the store and the forms catalogue. Program code (not in
 * tetrad-hub-lib): the commands in cmd_*.c take a struct hubconf.
 */
#ifndef TETRAD_HUB_HUBCONF_H
#define TETRAD_HUB_HUBCONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "hub/hubdb.h"
#include "hub/hubforms.h"
#include "hub/hubkeys.h"
#include "hub/ingest.h"
#include "tetrad/keys.h"

#define HUBCONF_MAX 64       /* hub.conf lines with a setting */

struct hubconf {
	char dir[PATH_MAX];                /* "": not given (hubconf_open says so) */
	const char *passphrase_file;       /* --passphrase-file, read by hubconf_open */
	char passphrase[KEYS_PASSPHRASE_MAX + 1];
	bool have_passphrase;
	struct keys_enc enc;
	struct hubkeys_old old_enc;       /* previous encryption keys (rotation) */
	struct keys_sign sign;
	struct hubdb *db;
	struct hubforms *forms;
	/* hub.conf */
	char conf_key[HUBCONF_MAX][64];
	char conf_val[HUBCONF_MAX][PATH_MAX];
	size_t nconf;
};

/* DIR/name into out (cap bytes). */
void hubconf_path(const struct hubconf *h, const char *name, char *out, size_t cap);

/* A hub.conf setting, NULL when not set (hubconf_open reads the file). */
const char *hubconf_get(const struct hubconf *h, const char *key);
/*
 * hub.conf's silent_days (the overview's "devices silent for more than N
 * days" default): SERVER_DEFAULT_SILENT_DAYS when absent; CMD_EXIT_INVALID with a
 * message when not a whole number of days from 1 to SERVER_SILENT_DAYS_MAX.
 */
int hubconf_silent_days(const struct hubconf *h, unsigned *days, struct terr *e);

/*
 * The hub's store: hub.conf's `store` (a PostgreSQL connection string, see
 * hubdb_is_pg) when set, else DIR/hub.db (SQLite). CMD_EXIT_INVALID with a
 * message when `store` is not a usable connection string (hubdb_check_name).
 */
int hubconf_store(const struct hubconf *h, char *out, size_t cap, struct terr *e);

/* The key passphrase from file (its first line; tetrad/fileio.h). */
int hubconf_read_passphrase(struct hubconf *h, const char *file, struct terr *e);

/* The folder of the forms that come with the program. */
const char *hub_builtin_forms(void);

/*
 * The hub's folder: --data (already in h->dir), else $TETRAD_HUB_DATA; 0, or
 * CMD_EXIT_USAGE (cmd_args.h) with e set when neither is given.
 */
int hubconf_dir(struct hubconf *h, struct terr *e);

/*
 * The passphrase from --passphrase-file (h->passphrase_file) if given and
 * not read yet: read when a command needs the keys, so that `--help` never
 * reads files. 0 or a TERR_* code.
 */
int hubconf_passphrase(struct hubconf *h, struct terr *e);

/*
 * Reads hub.conf (and the passphrase file it names, unless one was given),
 * loads the keys, opens the store (and the forms catalogue when
 * with_forms). An error names what is missing and what to run:
 * CMD_EXIT_USAGE (cmd_args.h) when no folder was given, TERR_NOTFOUND when
 * the folder holds no hub, another TERR_* code otherwise.
 */
int hubconf_open(struct hubconf *h, bool with_forms, struct terr *e);

/* Closes what hubconf_open opened and wipes the keys and the passphrase. */
void hubconf_close(struct hubconf *h);

/* What ingest needs of an opened hub: the HTTPS server and USB import alike. */
void hubconf_ingest_cfg(const struct hubconf *h, struct ingest_cfg *ic);

#endif
