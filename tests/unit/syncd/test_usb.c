/*
 * test_usb — where an export may be written: a new file in a folder that
 * exists; not over an existing file, not into a missing folder (named in
 * the message), no control characters, not empty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "syncd/usb.h"

static void
test_out_path(void)
{
	char dir[64] = "/tmp/test_usb.XXXXXX", forms[128], path[256], cmd[128];
	struct terr e;

	CHECK(mkdtemp(dir) != NULL);
	/* an existing folder stands for an existing file */
	snprintf(forms, sizeof(forms), "%s/db.forms", dir);
	CHECK_INT_EQ(mkdir(forms, 0700), 0);
	snprintf(path, sizeof(path), "%s/out.ttex", dir);
	CHECK_INT_EQ(usb_check_out_path(path, &e), 0);
	CHECK_INT_EQ(usb_check_out_path(forms, &e), TERR_ARG);          /* exists */
	snprintf(path, sizeof(path), "%s/missing/out.ttex", dir);
	CHECK_INT_EQ(usb_check_out_path(path, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "не существует");
	CHECK_INT_EQ(usb_check_out_path("a\nb", &e), TERR_ARG);
	CHECK_INT_EQ(usb_check_out_path("", &e), TERR_ARG);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_INT_EQ(system(cmd), 0);
}

int
main(void)
{
	test_out_path();
	return check_summary();
}
