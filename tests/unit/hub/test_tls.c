/*
 * test_tls — the hub's test certificate authority on real files (key mode
 * 0600, a certificate that reads back, never overwritten, a hostile host
 * name refused) and the bound on PEM files read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "hub/tls.h"

static char dir[256];

static void
test_tls(void)
{
	char tdir[512], path[600], *pem = NULL;
	struct stat st;
	struct terr e;
	FILE *f;

	snprintf(tdir, sizeof(tdir), "%s/tls", dir);
	CHECK_INT_EQ(tls_make_self_signed(tdir, "hub.example.org", &e), 0);
	snprintf(path, sizeof(path), "%s/server.key", tdir);
	CHECK_INT_EQ(stat(path, &st), 0);
	CHECK_INT_EQ(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/server.pem", tdir);
	CHECK_INT_EQ(tls_read_pem(path, &pem, &e), 0);
	CHECK(pem != NULL && strstr(pem, "BEGIN CERTIFICATE") != NULL);
	free(pem);
	/* never overwritten */
	CHECK_INT_EQ(tls_make_self_signed(tdir, "hub.example.org", &e), TERR_IO);
	CHECK_INT_EQ(tls_make_self_signed(tdir, "bad host,CN=x", &e), TERR_ARG);
	/* PEM files are bounded */
	snprintf(path, sizeof(path), "%s/big.pem", dir);
	f = fopen(path, "w");
	for (unsigned i = 0; i < TLS_PEM_MAX / 64 + 2; i++)
		fputs("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", f);
	fclose(f);
	CHECK_INT_EQ(tls_read_pem(path, &pem, &e), TERR_TOO_LARGE);
	CHECK(pem == NULL);
}

int
main(void)
{
	char cmd[600];

	snprintf(dir, sizeof(dir), "/tmp/test_tls.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_tls();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_summary();
}
