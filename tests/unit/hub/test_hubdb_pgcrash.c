/*
 * test_hubdb_pgcrash — on PostgreSQL a group writer's commit is on disk
 * when hubdb_commit returns 0, though the COMMIT itself no longer waits for
 * the disk (hubdb_group_writer: the wait comes after the store's write lock
 * is given up, hubdb_durable). Each round commits a few dozen transactions
 * and stops the server at once right after the last one returns (SIGQUIT
 * to the postmaster, PostgreSQL's immediate shutdown: what is only in its
 * memory, the log not yet written among it, is gone, as in a crash); the
 * server is started again on its files and every committed row must be
 * there. hubdb_durable is also checked to answer outside a transaction only,
 * and to say busy when the server is gone. Without the wait, the rounds lose
 * their last commits.
 *
 * Starts a PostgreSQL cluster of its own (tests/tools/pgcluster.sh in a
 * temporary folder, removed at the end), not the suite's: it stops its
 * server. Exit 77 when PostgreSQL 15 is not installed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "hub/hubdb.h"

#define ROUNDS 6

static char dir[64];

/* pgcluster.sh CMD dir; its exit status (stdout into out, when given). */
static int
pgcluster(const char *cmd, char *out, size_t cap)
{
	char line[1024];
	FILE *p;
	int st;

	snprintf(line, sizeof(line), "bash '%s/tests/tools/pgcluster.sh' %s '%s'",
	    TETRAD_SOURCE_DIR, cmd, dir);
	if ((p = popen(line, "r")) == NULL)
		return -1;
	if (out != NULL) {
		out[0] = '\0';
		if (fgets(out, (int)cap, p) != NULL)
			out[strcspn(out, "\n")] = '\0';
	}
	while (fgets(line, sizeof(line), p) != NULL)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The postmaster's pid, from its pid file in the cluster's data folder. */
static pid_t
postmaster_pid(void)
{
	char path[128], target[96];
	ssize_t n;
	long pid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cluster", dir);
	if ((n = readlink(path, target, sizeof(target) - 1)) <= 0)
		return 0;
	target[n] = '\0';
	snprintf(path, sizeof(path), "%s/data/postmaster.pid", target);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

/* SIGQUIT: the immediate shutdown; returns once the postmaster is gone (30 s at most). */
static bool
crash(pid_t pid)
{
	struct timespec nap = { 0, 10 * 1000 * 1000 };

	if (pid <= 0 || kill(pid, SIGQUIT) != 0)
		return false;
	for (int i = 0; i < 3000; i++) {
		if (kill(pid, 0) != 0 && errno == ESRCH)
			return true;
		nanosleep(&nap, NULL);
	}
	return false;
}

static long
count_round(struct hubdb *db, int round)
{
	char sql[128], *v = NULL;
	struct terr e;
	long n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM settings WHERE key LIKE 'crash.%d.%%'",
	    round);
	CHECK_INT_EQ(hubdb_test_query(db, sql, &v, &e), 0);
	if (v != NULL)
		n = strtol(v, NULL, 10);
	free(v);
	return n;
}

int
main(void)
{
	char conn[1024], key[32];
	struct hubdb *db = NULL;
	struct terr e;
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/tt-pgcrash.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	rc = pgcluster("start", conn, sizeof(conn));
	if (rc == 77) {
		fprintf(stderr, "SKIP: PostgreSQL 15 не установлен (scripts/install-deps.sh)\n");
		pgcluster("stop", NULL, 0);
		return 77;
	}
	CHECK_INT_EQ(rc, 0);
	if (rc != 0)
		goto out;

	for (int round = 0; round < ROUNDS; round++) {
		int commits = 20 + 7 * round;
		pid_t pm = postmaster_pid();

		CHECK(pm > 0);
		CHECK_INT_EQ(hubdb_open(conn, &db, &e), 0);
		if (db == NULL)
			break;
		hubdb_group_writer(db, true);
		for (int i = 0; i < commits; i++) {
			snprintf(key, sizeof(key), "crash.%d.%d", round, i);
			CHECK_INT_EQ(hubdb_begin(db, &e), 0);
			/* only outside a transaction: inside, the wait would be the
			 * transaction's own commit, which a rollback never makes */
			if (i == 0)
				CHECK_INT_EQ(hubdb_durable(db, &e), TERR_INTERNAL);
			CHECK_INT_EQ(hubdb_setting_put(db, key, "v", &e), 0);
			CHECK_INT_EQ(hubdb_commit(db, &e), 0);
		}
		CHECK(crash(pm));
		terr_clear(&e);
		CHECK_INT_EQ(hubdb_durable(db, &e), TERR_BUSY);
		CHECK(e.msg[0] != '\0');
		hubdb_close(db);
		db = NULL;
		CHECK_INT_EQ(pgcluster("restart", NULL, 0), 0);
		CHECK_INT_EQ(hubdb_open(conn, &db, &e), 0);
		if (db == NULL)
			break;
		for (int k = 0; k <= round; k++)
			CHECK_INT_EQ(count_round(db, k), 20 + 7 * k);
		hubdb_close(db);
		db = NULL;
	}
 out:
	hubdb_close(db);
	CHECK_INT_EQ(pgcluster("stop", NULL, 0), 0);
	return check_summary();
}
