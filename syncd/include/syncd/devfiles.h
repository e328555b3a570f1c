/*
 * devfiles — the device's files beside its database and who may use them:
 * the run lock every syncd command that writes takes, and the device key,
 * which a member of a shared database's group does not get.
 *
 * A shared database (localdb_shared: a setgid folder its group may write,
 * docs/operations.md "One database for several people") is used by the
 * group's people through `tetrad` and by the tetrad-syncd service; its
 * lock is the group's (0660), the keys stay the service's own (0600).
 * Library code: 0 or a negative TERR_* code with a Russian message in e.
 */
#ifndef SYNCD_DEVFILES_H
#define SYNCD_DEVFILES_H

#include "tetrad/terr.h"

/* Takes the exclusive run lock of db_path ("DB.syncd.lock", blocks);
 * *fd to devfiles_unlock. */
int devfiles_lock(const char *db_path, int *fd, struct terr *e);
void devfiles_unlock(int fd);

/*
 * TERR_ARG with a message saying who sends this computer's records when
 * the device key at keypath exists but is not ours to read (a group
 * member of a shared database); 0 otherwise, the load itself reporting
 * any other trouble.
 */
int devfiles_key_check(const char *keypath, struct terr *e);

#endif
