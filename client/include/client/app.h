/*
 * app — what the two faces of `tetrad` (the command line, cli.c, and the web
 * interface, `tetrad ui`) share to find their things.
 */
#ifndef TETRAD_CLIENT_APP_H
#define TETRAD_CLIENT_APP_H

#include <stddef.h>

#include "tetrad/terr.h"
#include "client/catalog.h"

/* The database path: opt (--db), else $TETRAD_DB, else
 * ${XDG_DATA_HOME:-~/.local/share}/tetrad/tetrad.db; into buf. */
int app_db_path(const char *opt, char *buf, size_t size);
/* The forms of the database at db_path: the built-in ones and those pulled
 * beside it (<db>.forms/). catalog_warnings tells what was skipped. */
int app_catalog(const char *db_path, struct catalog **out, struct terr *e);
/* tetrad-syncd beside this program (never looked for on PATH). */
int app_syncd_path(char *buf, size_t size, struct terr *e);

/* A stored UTC time ("2026-11-23T03:04:05Z") as people read it: their own
 * time zone, ДД.ММ.ГГГГ ЧЧ:ММ; anything else is copied as it is. */
void app_time_local(const char *iso, char *out, size_t cap);
/* The last sync's result (meta last_sync_result, syncd's word) in Russian;
 * a word it does not know is returned as it is. */
const char *app_sync_result_words(const char *v);

#endif
