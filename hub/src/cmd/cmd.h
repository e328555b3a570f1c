/*
 * cmd — the commands of `tetrad-hub` (docs/hub.md), one file per group:
 * cmd_serve.c (init, serve, import, keys), cmd_pull.c (export-changes, ack
 * files), cmd_devices.c (tokens, devices, the listings' command lines),
 * cmd_reports.c (schools, forms, reports, results, settings),
 * cmd_calendar.c (programmes, risk profile), cmd_users.c (the dashboard's
 * accounts), cmd_migrate.c (the store to PostgreSQL); the listings themselves are
 * printed by cmd_list.c. main.c reads the command words and dispatches.
 *
 * Each takes the hub (struct hubconf, opened by the command itself when it
 * needs keys or the store) and its arguments, argv[0] being its last
 * command word ("create" of `token create`); it reads them with cmdline.h
 * (cmd_next, cmd_stop: --help prints its usage and returns 0), prints
 * what a person asked for and returns 0, a positive exit code (enum
 * cmd_exit, cmd_args.h) or a negative TERR_* code with e set (main prints
 * e and exits with cmd_exit_code).
 */
#ifndef TETRAD_HUB_CMD_H
#define TETRAD_HUB_CMD_H

#include "cmd_args.h"
#include "cmd_list.h"
#include "hubconf.h"

typedef int cmd_fn(struct hubconf *h, int argc, char **argv, struct terr *e);

cmd_fn cmd_init, cmd_serve, cmd_import, cmd_keys_list, cmd_keys_rotate, cmd_keys_retire;
/* cmd_pull.c: the USB file of changes and the device's acknowledgement file. */
cmd_fn cmd_export_changes;
bool cmd_pull_is_ack(const char *path);
int cmd_pull_import_ack(struct hubconf *h, const char *path, struct terr *e);

cmd_fn cmd_token_create, cmd_token_list, cmd_device_list, cmd_device_revoke;
cmd_fn cmd_conflicts_list, cmd_quarantine_list;
/* cmd_review.c: a decision on a conflict. */
cmd_fn cmd_conflicts_resolve;
/*
 * A listing's command line (--json; --year for programmes) against spec,
 * then cmd_list_show.
 */
int cmd_listing(struct hubconf *h, const struct cmdline_spec *spec, enum cmd_list_kind kind,
    int argc, char **argv, struct terr *e);

cmd_fn cmd_schools_add, cmd_schools_list, cmd_schools_import;
cmd_fn cmd_forms_publish, cmd_forms_list;
cmd_fn cmd_report, cmd_results_import, cmd_settings_set;

cmd_fn cmd_programmes_import, cmd_programmes_set, cmd_programmes_unset, cmd_programmes_list;
cmd_fn cmd_profile_import;
/* cmd_users.c: the dashboard's accounts. */
cmd_fn cmd_user_add, cmd_user_passwd, cmd_user_disable, cmd_user_enable, cmd_user_list;
cmd_fn cmd_audit_list;
/* cmd_migrate.c: the store from SQLite to PostgreSQL. */
cmd_fn cmd_migrate;

#endif
