/*
 * test_sync — a run's outcome as the exit code cron and the installer
 * scripts read (docs/syncd.md): quarantined, pending, unreachable, usage
 * and storage errors, a damaged outbox entry.
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

int
main(void)
{
	test_exit_codes();
	return check_summary();
}
