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

int
cmd_export_changes(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct hubpull_export_counts n;
	struct hubpull_cfg pc;
	const char *device = NULL, *out = NULL;
	int r;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--device") == 0 && i + 1 < argc)
			device = argv[++i];
		else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else
			return terr_set(e, TERR_ARG, "export-changes: неизвестный параметр «%s»",
			    argv[i]);
	}
	if (device == NULL || out == NULL)
		return terr_set(e, TERR_ARG, "export-changes: укажите --device ID и --out ФАЙЛ");
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
