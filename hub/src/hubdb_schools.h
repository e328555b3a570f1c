/*
 * hubdb_schools — the school codes a store handle knows to be in the
 * schools table, so that hubdb_school_put of a known school (every set of
 * every device names its school) costs no statement: on PostgreSQL each
 * statement is a round trip made while the set holds the store's write
 * lock. Schools are never removed, so a code once committed stays known;
 * codes written in the open transaction are known until it or its
 * savepoint is undone.
 */
#ifndef TETRAD_HUB_HUBDB_SCHOOLS_H
#define TETRAD_HUB_HUBDB_SCHOOLS_H

#include <stdbool.h>

struct hubdb_schools;

/* Whether code is known to be stored (as of the handle's transaction). */
bool hubdb_schools_known(const struct hubdb_schools *s, const char *code);
/* code is in the table as of the open transaction (written or found); on
 * no memory it is simply not remembered. *s is made on first use. */
void hubdb_schools_seen(struct hubdb_schools **s, const char *code);
/* The open transaction committed: its codes stay known. */
void hubdb_schools_commit(struct hubdb_schools *s);
/* The open transaction, or its last savepoint, was undone: its codes are
 * forgotten (those of a savepoint before are asked again, at one statement
 * each: simpler than a mark per savepoint, and rare). */
void hubdb_schools_undo(struct hubdb_schools *s);
void hubdb_schools_free(struct hubdb_schools *s);

#endif
