/*
 * tetrad-hub — the municipal hub: command line (docs/hub.md). This file
 * reads the common options and dispatches; the commands are in cmd/.
 *
 *   tetrad-hub --data DIR init [--tls-self-signed HOST] [--passphrase-file F]
 *   tetrad-hub --data DIR serve [--listen IP:PORT] [--threads N] [--timeout S]
 *   tetrad-hub --data DIR token create --school CODE [--name NAME] [--expires 7d]
 *   tetrad-hub --data DIR token create --curator NAME --schools C1,C2 [--expires 7d]
 *       [--enroll-file FILE [--hub-url https://HOST:PORT]]
 *   tetrad-hub --data DIR device list [--json] | device revoke ID
 *   tetrad-hub --data DIR import FILE
 *   tetrad-hub --data DIR export-changes --device ID --out FILE
 *   tetrad-hub --data DIR conflicts list [--json] | quarantine list [--json]
 *   tetrad-hub --data DIR forms publish FILE
 *   tetrad-hub --data DIR report NAME [...] | results import FILE.csv
 *   tetrad-hub --data DIR programmes import|set|unset|list | profile import FILE.csv
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "hub/hubdb.h"
#include "hub/proctune.h"
#include "tetrad/keys.h"

static void
usage(void)
{
	fprintf(stderr,
	    "Использование: tetrad-hub --data ПАПКА КОМАНДА ...\n"
	    "  init [--tls-self-signed ХОСТ] [--passphrase-file ФАЙЛ]\n"
	    "  serve [--listen IP:ПОРТ] [--threads N] [--timeout СЕК] [--conn-limit N]\n"
	    "        [--per-ip-limit N] [--min-rate Б/С] [--request-max СЕК]\n"
	    "  token create --school КОД [--name НАЗВАНИЕ] [--expires 7d]\n"
	    "  token create --curator ИМЯ --schools КОД1,КОД2 [--expires 7d]\n"
	    "        [--enroll-file ФАЙЛ [--hub-url https://АДРЕС:ПОРТ]]\n"
	    "  token list\n"
	    "  device list [--json] | device revoke ID\n"
	    "  import ФАЙЛ [--acks ФАЙЛ_ПОДТВЕРЖДЕНИЙ]   (и файл подтверждения получения)\n"
	    "  export-changes --device ID --out ФАЙЛ\n"
	    "  keys list | keys rotate | keys retire ID\n"
	    "  schools add КОД --name НАИМЕНОВАНИЕ | schools list [--json] | schools import ФАЙЛ.csv\n"
	    "  conflicts list [--json] | quarantine list [--json]\n"
	    "  forms publish ФАЙЛ\n"
	    "  report verification|mediation|passport|surveys|identification|settings|\n"
	    "         completeness\n"
	    "         [--school КОД] [--from ДАТА --to ДАТА] (ДД.ММ.ГГГГ или ГГГГ-ММ-ДД)\n"
	    "         [--format table|csv|json] [--delimiter C] [--out ФАЙЛ]\n"
	    "  results import ФАЙЛ.csv\n"
	    "  settings set КЛЮЧ [ЗНАЧЕНИЕ]\n"
	    "  programmes import ФАЙЛ.csv | programmes set|unset КОД ГОД ПРОГРАММА\n"
	    "  programmes list [--year ГГГГ] [--json] | profile import ФАЙЛ.csv\n"
	    "Общий параметр: --passphrase-file ФАЙЛ (парольная фраза ключей хаба).\n");
}

int
main(int argc, char **argv)
{
	struct hubconf *h = NULL;
	struct terr e;
	const char *data = NULL;
	int i, r = 2;

	terr_clear(&e);
	proctune_apply();
	if (keys_init(&e) != 0) {
		fprintf(stderr, "tetrad-hub: %s\n", e.msg);
		return 1;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
			data = argv[++i];
		else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc) {
			if (hubconf_read_passphrase(h, argv[++i], &e) != 0)
				goto fail;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage();
			r = 0;
			goto done;
		} else
			break;
	}
	if (data == NULL)
		data = getenv("TETRAD_HUB_DATA");
	if (data == NULL || i >= argc) {
		usage();
		goto done;
	}
	if (strlen(data) >= sizeof(h->dir) - 64) {
		terr_set(&e, TERR_ARG, "слишком длинный путь к папке хаба");
		goto fail;
	}
	snprintf(h->dir, sizeof(h->dir), "%s", data);
	{
		const char *cmd = argv[i];
		int sub_argc = argc - i - 1;
		char **sub = argv + i + 1;

		if (strcmp(cmd, "init") == 0)
			r = cmd_init(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "serve") == 0)
			r = cmd_serve(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "token") == 0 && sub_argc >= 1 && strcmp(sub[0], "list") == 0)
			r = cmd_list(h, HUBDB_LIST_TOKENS, "Коды регистрации", sub_argc - 1, sub + 1,
			    &e);
		else if (strcmp(cmd, "token") == 0)
			r = cmd_token(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "device") == 0)
			r = cmd_device(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "import") == 0)
			r = cmd_import(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "export-changes") == 0)
			r = cmd_export_changes(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "keys") == 0)
			r = cmd_keys(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "schools") == 0)
			r = cmd_schools(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "conflicts") == 0 && sub_argc >= 1 &&
		    strcmp(sub[0], "list") == 0)
			r = cmd_list(h, HUBDB_LIST_CONFLICTS, "Конфликты", sub_argc - 1, sub + 1, &e);
		else if (strcmp(cmd, "quarantine") == 0 && sub_argc >= 1 &&
		    strcmp(sub[0], "list") == 0)
			r = cmd_list(h, HUBDB_LIST_QUARANTINE, "Карантин", sub_argc - 1, sub + 1, &e);
		else if (strcmp(cmd, "report") == 0)
			r = cmd_report(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "results") == 0)
			r = cmd_results(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "settings") == 0)
			r = cmd_settings(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "forms") == 0)
			r = cmd_forms(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "programmes") == 0)
			r = cmd_programmes(h, sub_argc, sub, &e);
		else if (strcmp(cmd, "profile") == 0)
			r = cmd_profile(h, sub_argc, sub, &e);
		else {
			usage();
			r = 2;
			goto done;
		}
	}
	if (r < 0)
		goto fail;
	goto done;
 fail:
	fprintf(stderr, "tetrad-hub: %s\n", e.msg[0] ? e.msg : terr_str(e.code));
	r = 1;
 done:
	if (h != NULL)
		hubconf_close(h);
	free(h);
	return r;
}
