/*
 * test_sync — a run's outcome as the exit code cron and the installer
 * scripts read (docs/syncd.md): quarantined, pending, unreachable, usage
 * and storage errors, a damaged outbox entry; and the priority of its
 * summary line in the journal.
 */
#include <string.h>

#include "check.h"
#include "syncd/sync.h"

static void
test_exit_codes(void)
{
	struct sync_result r;

	memset(&r, 0, sizeof(r));
	CHECK_INT_EQ(sync_exit_code(0, &r), SYNC_EXIT_OK);
	r.sets_quarantined = 1;
	CHECK_INT_EQ(sync_exit_code(0, &r), SYNC_EXIT_QUARANTINED);
	r.left.pending = 3;
	CHECK_INT_EQ(sync_exit_code(0, &r), SYNC_EXIT_PENDING);
	r.unreachable = 1;
	CHECK_INT_EQ(sync_exit_code(0, &r), SYNC_EXIT_UNREACHABLE);
	CHECK_INT_EQ(sync_exit_code(TERR_ARG, &r), SYNC_EXIT_USAGE);
	CHECK_INT_EQ(sync_exit_code(TERR_PASSPHRASE, &r), SYNC_EXIT_USAGE);
	CHECK_INT_EQ(sync_exit_code(TERR_IO, &r), SYNC_EXIT_STORAGE);
	CHECK_INT_EQ(sync_exit_code(TERR_PARSE, &r), SYNC_EXIT_STORAGE);   /* a damaged outbox entry */
	CHECK_INT_EQ(sync_exit_code(TERR_KEYFILE, &r), SYNC_EXIT_USAGE);
}

/* The summary line's priority (journalctl -p warning must show every run
 * that left work or failed, and no run that went). */
static void
test_exit_levels(void)
{
	CHECK_INT_EQ(sync_exit_level(SYNC_EXIT_OK), SYNC_LOG_INFO);
	CHECK_INT_EQ(sync_exit_level(SYNC_EXIT_PENDING), SYNC_LOG_WARN);
	CHECK_INT_EQ(sync_exit_level(SYNC_EXIT_QUARANTINED), SYNC_LOG_WARN);
	CHECK_INT_EQ(sync_exit_level(SYNC_EXIT_UNREACHABLE), SYNC_LOG_WARN);
	CHECK_INT_EQ(sync_exit_level(SYNC_EXIT_USAGE), SYNC_LOG_ERR);
	CHECK_INT_EQ(sync_exit_level(SYNC_EXIT_STORAGE), SYNC_LOG_ERR);
	/* syslog's numbers: what journald stores and `-p` compares */
	CHECK_INT_EQ(SYNC_LOG_ERR, 3);
	CHECK_INT_EQ(SYNC_LOG_WARN, 4);
	CHECK_INT_EQ(SYNC_LOG_INFO, 6);
}

int
main(void)
{
	test_exit_codes();
	test_exit_levels();
	return check_summary();
}
