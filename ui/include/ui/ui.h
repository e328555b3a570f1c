/*
 * ui — `tetrad ui`: the curators' and mediators' web interface, served by
 * the client itself on 127.0.0.1 from the same local database, forms and
 * outbox as the command line (docs/ui.md). Works with no network.
 */
#ifndef TETRAD_UI_UI_H
#define TETRAD_UI_UI_H

#include <stdio.h>

/*
 * The `tetrad ui` command: argv[0] is "ui", its options after it
 * (--port N, --no-browser, --url-file FILE; docs/ui.md). db_path is the
 * database the global --db / $TETRAD_DB / the default names. Serves until
 * SIGINT or SIGTERM; returns the process exit code (client/cli.h's codes).
 */
int ui_main(int argc, char **argv, const char *db_path, FILE *out, FILE *err);

#endif
