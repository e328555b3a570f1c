/*
 * tetrad — the client command line (docs/client.md): a thin main over cli.
 */
#include <locale.h>
#include <stdio.h>

#include "client/cli.h"

int
main(int argc, char **argv)
{
	setlocale(LC_CTYPE, "");
	return cli_run(argc, argv, stdin, stdout, stderr);
}
