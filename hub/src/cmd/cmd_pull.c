/*
 * cmd_pull — the hub's side of two-way sync on a USB stick: `export-changes`
 * (a device's file of changes from its acknowledged cursor, hubpull.h) and
 * the device's acknowledgement file that `import` recognises and applies.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "hub/hubpull.h"
#include "hub/ingest.h"
#include "tetrad/fileio.h"
#include "tetrad/hlc.h"
#include "tetrad/pullmsg.h"

static void
cmd_pull_cfg(const struct hubconf *h, struct hubpull_cfg *pc)
{
	struct ingest_cfg ic;

	hubconf_ingest_cfg(h, &ic);
	memset(pc, 0, sizeof(*pc));
	pc->sign = ic.sign;
	pc->forms = ic.forms;
	pc->max_ahead_ms = ic.max_ahead_ms;
}

static const char cmd_export_changes_usage[] =
"Использование: tetrad-hub export-changes --device ID --out ФАЙЛ\n"
"\n"
"Двусторонняя синхронизация без сети: всё новое для устройства ID после\n"
"подтверждённого им номера — в новый файл изменений для флешки. В школе его\n"
"применяет «tetrad-syncd import-changes ФАЙЛ»; файл подтверждения следующей\n"
"выгрузки школы («tetrad-hub import») сдвигает отметку устройства.\n"
"\n"
"Параметры:\n"
"  --device ID   устройство (16 шестнадцатеричных цифр, «tetrad-hub device list»)\n"
"  --out ФАЙЛ    новый файл (существующий не заменяется)\n"
"\n" CMD_COMMON_HELP;

enum { EC_DEVICE = 1, EC_OUT };

static const struct cmdline_opt cmd_export_changes_opts[] = {
	{ "device", 1, EC_DEVICE, 0 },
	{ "out", 1, EC_OUT, 0 },
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_export_changes_spec = {
	CMD_PROG, "export-changes", cmd_export_changes_usage, cmd_export_changes_opts, 0, 0, 0,
};

int
cmd_export_changes(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct hubpull_export_counts n;
	struct hubpull_cfg pc;
	struct cmdline c;
	const char *device = NULL, *out = NULL, *v;
	int r, id;

	cmdline_begin(&c, &cmd_export_changes_spec, argc, argv);
	while ((id = cmd_next(h, &c, &v)) > 0) {
		if (id == EC_DEVICE)
			device = v;
		else if (id == EC_OUT)
			out = v;
	}
	if (id != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if (device == NULL || out == NULL)
		return cmd_usage(e, "export-changes", "export-changes: укажите --device ID и "
		    "--out ФАЙЛ");
	if ((r = hubconf_open(h, true, e)) != 0)
		return r;
	cmd_pull_cfg(h, &pc);
	if ((r = hubpull_export(h->db, &pc, device, out, &n, e)) != 0)
		return r;
	printf("Изменения для устройства %s (с номера %" PRIu64 " по %" PRIu64 "): записей %zu, "
	    "профилей %zu, школ %zu — %u ответ(ов) в %s.\n", device, n.after, n.upto, n.records,
	    n.profiles, n.schools, n.answers, out);
	printf("Отнесите файл на устройство и выполните там «tetrad-syncd import-changes %s».\n",
	    out);
	return 0;
}

bool
cmd_pull_is_ack(const char *path)
{
	char magic[4];
	FILE *f = fopen(path, "rb");
	bool yes;

	if (f == NULL)
		return false;
	yes = fread(magic, 1, 4, f) == 4 && memcmp(magic, PULLMSG_REQ_MAGIC, 4) == 0;
	fclose(f);
	return yes;
}

int
cmd_pull_import_ack(struct hubconf *h, const char *path, struct terr *e)
{
	struct hubpull_result res;
	struct hubpull_cfg pc;
	uint8_t *buf = NULL;
	size_t len = 0;
	int r;

	if ((r = fileio_read_all(path, PULLMSG_REQ_BYTES, &buf, &len, e)) != 0)
		return r;
	if ((r = hubconf_open(h, true, e)) != 0)
		goto out;
	cmd_pull_cfg(h, &pc);
	if ((r = hubpull_ack(h->db, &pc, buf, len, hlc_wall_now(), &res, e)) != 0)
		goto out;
	if (res.http != 200) {
		r = terr_set(e, TERR_INVALID, "подтверждение %s не принято (%s): %s", path,
		    res.error, res.message);
		goto out;
	}
	printf("Подтверждение устройства %s: получено всё до номера %" PRIu64 ".%s\n",
	    res.device, res.batch.upto, res.box_registered ? " Ключ шифрования устройства "
	    "сохранён: теперь для него можно выгружать изменения (export-changes)." : "");
 out:
	free(buf);
	return r;
}
