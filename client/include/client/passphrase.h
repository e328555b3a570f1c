/*
 * passphrase — the life of the store's passphrase: set (a device's local
 * values move into records.sealed), change (the data key rewrapped, no
 * value touched), remove (back to plain values) and reset (forgot both
 * passphrase and recovery key: the hidden values are lost, a new
 * passphrase is set). docs/client.md "Passphrase".
 *
 * Each change is ONE IMMEDIATE transaction (the vault's meta and every
 * record together), so a kill at any instant leaves every value readable
 * with the old passphrase or with the new one. After set and reset the
 * file is scrubbed (store_scrub: VACUUM, WAL truncated) so no plaintext of
 * a local value is left in free pages or old WAL frames; that step runs
 * after the commit and is safe to repeat: when another connection (syncd)
 * keeps it from finishing, meta vault_scrub stays set and store_open
 * retries it.
 *
 * Library code: no prompts, no printing. The caller gets the passphrases
 * (client/passin.h) and shows the report.
 */
#ifndef TETRAD_CLIENT_PASSPHRASE_H
#define TETRAD_CLIENT_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tetrad/terr.h"

#include "client/catalog.h"
#include "client/store.h"
#include "client/vault.h"

/*
 * Meta "vault_unsealed" = "1": records whose form the catalog lacked when the
 * passphrase was set (or reset) kept their local values plain. Written in
 * the same transaction as set/reset when rep->unknown > 0; passphrase_seal
 * removes it in its transaction once no record's form is unknown, remove
 * always. The CLI runs passphrase_seal on an unlock while it is set.
 */
#define PASSPHRASE_META_UNSEALED "vault_unsealed"

/* What a change did, for the CLI to say. */
struct passphrase_report {
	int64_t sealed;      /* records whose local values were sealed */
	int64_t opened;      /* records whose sealed values went back into data */
	int64_t dropped;     /* records whose sealed values were deleted (reset) */
	int64_t unknown;     /* records of forms the catalog lacks: left as they
	                      * were (their local values, if any, still plain) */
	bool scrubbed;       /* the file and its WAL hold no old plaintext */
	bool scrub_pending;  /* the scrub could not finish: store_open retries */
};

/*
 * Sets the passphrase (pass, len bytes; vault_pass_check applies) on a
 * store without one (else TERR_ARG «Пароль уже задан …»), with Argon2id
 * limits lim (NULL: vault_limits_default), and a recovery key written into
 * recovery when it is not NULL (show it once). Every record of any status
 * whose form (catalog_get of its version, else catalog_latest) has local
 * fields gets its local values sealed; records of unknown forms are
 * counted in rep->unknown and left (meta PASSPHRASE_META_UNSEALED set).
 * Then the scrub. The vault is OPEN
 * afterwards. On failure nothing changed (and the vault is as it was).
 */
int passphrase_set(struct store *s, const struct catalog *c, const char *pass,
    size_t len, const struct vault_limits *lim, char recovery[VAULT_RECOVERY_TEXT],
    struct passphrase_report *rep, struct terr *e);

/*
 * A new passphrase for an OPEN vault (unlocked with the current one or the
 * recovery key): only the data key is rewrapped; the recovery wrap stays
 * valid. TERR_PASSPHRASE when the vault is not open.
 */
int passphrase_change(struct store *s, const char *pass, size_t len,
    const struct vault_limits *lim, struct terr *e);

/*
 * Removes the passphrase of an OPEN vault: every sealed record's values go
 * back into its data (rep->opened), the vault is dropped. Local values are
 * plain again afterwards (no scrub: there is nothing to hide).
 */
int passphrase_remove(struct store *s, struct passphrase_report *rep,
    struct terr *e);

/*
 * Forgot both passphrase and recovery key: every sealed value is deleted
 * (rep->dropped records; nothing else of them is lost), the vault dropped
 * and a new one created as passphrase_set does (plain local values of the
 * catalog's forms sealed), then the scrub. Works on a LOCKED vault; on a
 * store without a passphrase TERR_ARG.
 */
int passphrase_reset(struct store *s, const struct catalog *c, const char *pass,
    size_t len, const struct vault_limits *lim, char recovery[VAULT_RECOVERY_TEXT],
    struct passphrase_report *rep, struct terr *e);

/*
 * Seals what is still plain under an OPEN vault: records of forms that were
 * unknown at set-up and have arrived since (rep->sealed; rep->unknown those
 * still unknown; none: meta PASSPHRASE_META_UNSEALED removed). One
 * transaction, then the scrub when anything was sealed.
 */
int passphrase_seal(struct store *s, const struct catalog *c,
    struct passphrase_report *rep, struct terr *e);

/* The scrub alone (store_scrub), e.g. when a report said it was pending. */
int passphrase_scrub(struct store *s, struct passphrase_report *rep,
    struct terr *e);

/* `tetrad passphrase status`. */
struct passphrase_status {
	enum vault_state state;
	struct vault_limits limits;   /* of the passphrase wrap (state != NONE) */
	bool has_recovery;
	int64_t hidden;               /* records with sealed values */
	bool scrub_pending;           /* meta vault_scrub set */
};
int passphrase_status(struct store *s, struct passphrase_status *st,
    struct terr *e);

#endif
