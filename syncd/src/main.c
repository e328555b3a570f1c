/*
 * tetrad-syncd — pushes the client's outbox to the hub, pulls forms and
 * records, enrolls the device, exports change sets for a USB stick, or
 * runs as the nightly daemon. Thin: the arguments (src/cmd/cmd_args.c),
 * then the mode or command (src/cmd/); the work is in the library.
 */
#include <stdio.h>

#include <curl/curl.h>

#include "cmd.h"
#include "syncd/sync.h"
#include "tetrad/keys.h"

int
main(int argc, char **argv)
{
	struct cmd_args a;
	struct cmd_log lg;
	struct terr e;
	int code;

	if ((code = cmd_parse(argc, argv, &a)) >= 0)
		return code;
	cmd_log_open(&lg, a.quiet);
	terr_clear(&e);
	if (keys_init(&e) != 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		cmd_fail(&lg, e.msg[0] ? e.msg : "не удалось инициализировать libcurl");
		cmd_log_close(&lg);
		return SYNC_EXIT_USAGE;
	}
	switch (a.which) {
	case CMD_ONCE: code = cmd_once(&a, &lg, 0); break;
	case CMD_PULL: code = cmd_once(&a, &lg, 1); break;
	case CMD_DAEMON: code = cmd_daemon(&a, &lg); break;
	case CMD_ENROLL: code = cmd_enroll(&a, &lg); break;
	case CMD_EXPORT: code = cmd_export(&a, &lg); break;
	case CMD_IMPORT_ACKS: code = cmd_import_acks(&a, &lg); break;
	case CMD_IMPORT_CHANGES: code = cmd_import_changes(&a, &lg); break;
	default: code = SYNC_EXIT_USAGE; break;
	}
	curl_global_cleanup();
	cmd_log_close(&lg);
	return code;
}
