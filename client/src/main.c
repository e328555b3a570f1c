/*
 * tetrad — the client command line (docs/client.md) and its web interface
 * (`tetrad ui`, docs/ui.md): a thin main over cli and ui.
 */
#include <locale.h>
#include <stdio.h>

#include "client/cli.h"
#include "ui/ui.h"

int
main(int argc, char **argv)
{
	static const struct cli_ext ext = { .ui = ui_main };

	setlocale(LC_CTYPE, "");
	return cli_run_ext(argc, argv, stdin, stdout, stderr, &ext);
}
