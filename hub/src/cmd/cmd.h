/*
 * cmd — the commands of `tetrad-hub` (docs/hub.md), one file per group:
 * cmd_serve.c (init, serve, import, keys), cmd_pull.c (export-changes, ack
 * files), cmd_devices.c (tokens, devices,
 * listings), cmd_reports.c (schools, forms, reports, results, settings),
 * cmd_calendar.c (programmes, risk profile).
 * main.c only dispatches to them.
 *
 * Each takes the hub (struct hubconf, opened by the command itself when it
 * needs keys or the store) and the arguments after its name; it prints
 * what a person asked for and returns 0, a positive exit status, or a
 * negative TERR_* code with e set (main prints e).
 */
#ifndef TETRAD_HUB_CMD_H
#define TETRAD_HUB_CMD_H

#include "hubconf.h"

int cmd_init(struct hubconf *h, int argc, char **argv, struct terr *e);
int cmd_serve(struct hubconf *h, int argc, char **argv, struct terr *e);
int cmd_import(struct hubconf *h, int argc, char **argv, struct terr *e);
int cmd_keys(struct hubconf *h, int argc, char **argv, struct terr *e);
/* cmd_pull.c: the USB file of changes and the device's acknowledgement file. */
int cmd_export_changes(struct hubconf *h, int argc, char **argv, struct terr *e);
bool cmd_pull_is_ack(const char *path);
int cmd_pull_import_ack(struct hubconf *h, const char *path, struct terr *e);

int cmd_token(struct hubconf *h, int argc, char **argv, struct terr *e);
int cmd_device(struct hubconf *h, int argc, char **argv, struct terr *e);
/* A listing of the store (token, conflicts, quarantine, device list). */
int cmd_list(struct hubconf *h, enum hubdb_listing what, const char *title, int argc,
    char **argv, struct terr *e);

int cmd_schools(struct hubconf *h, int argc, char **argv, struct terr *e);
int cmd_forms(struct hubconf *h, int argc, char **argv, struct terr *e);
int cmd_report(struct hubconf *h, int argc, char **argv, struct terr *e);
int cmd_results(struct hubconf *h, int argc, char **argv, struct terr *e);
int cmd_settings(struct hubconf *h, int argc, char **argv, struct terr *e);

int cmd_programmes(struct hubconf *h, int argc, char **argv, struct terr *e);
int cmd_profile(struct hubconf *h, int argc, char **argv, struct terr *e);

#endif
