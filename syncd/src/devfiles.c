/*
 * devfiles — the run lock and the device key's owner (devfiles.h).
 */
#include "syncd/devfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tetrad/localdb.h"

int
devfiles_lock(const char *db_path, int *fd, struct terr *e)
{
	char p[LOCALDB_PATH_MAX + 16];
	const bool shared = localdb_shared(db_path);

	*fd = -1;
	if (snprintf(p, sizeof(p), "%s.syncd.lock", db_path) >= (int)sizeof(p))
		return terr_set(e, TERR_ARG, "слишком длинный путь к базе данных");
	if ((*fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, shared ? 0660 : 0600)) < 0)
		return terr_set(e, TERR_IO, "не удалось создать %s: %s", p, terr_strerror(errno));
	/* beside a shared database the group's members and the service lock
	 * the same file: 0660 whatever the umask (a service's is 0077). Only
	 * its owner can change it, and a member's file was made so already. */
	if (shared)
		(void)fchmod(*fd, 0660);
	while (flock(*fd, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		close(*fd);
		*fd = -1;
		return terr_set(e, TERR_IO, "не удалось заблокировать %s: %s", p, terr_strerror(errno));
	}
	return 0;
}

void
devfiles_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int
devfiles_key_check(const char *keypath, struct terr *e)
{
	/* the records are in the shared database already; only the service,
	 * whose key it is, signs and sends them */
	if (access(keypath, R_OK) != 0 && errno == EACCES)
		return terr_set(e, TERR_ARG, "ключ устройства %s принадлежит другому пользователю: "
		    "записи этого компьютера отправляет служба tetrad-syncd (ночью или сразу по "
		    "команде администратора: sudo systemctl start tetrad-syncd-once); ваши записи "
		    "уже в общей базе и ждут её", keypath);
	return 0;
}
