/*
 * cmd_usb — the commands that work on files and the enrollment: enroll
 * (a token, or the hub's enrollment file), export (change sets to a USB
 * stick, with a progress line on a terminal), import-acks and
 * import-changes (the hub's answers and changes from a stick).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cmd.h"
#include "syncd/enroll.h"
#include "syncd/sync.h"
#include "syncd/usb.h"
#include "tetrad/enrollfile.h"
#include "tetrad/fileio.h"
#include "tetrad/formsdir.h"

/* A mistake in how the command was called, said as cmdline's are. */
static int
cmd_mistake(const char *cmd, const char *what)
{
	fprintf(stderr, "Ошибка: tetrad-syncd %s: %s\nСправка: tetrad-syncd %s --help\n", cmd,
	    what, cmd);
	return SYNC_EXIT_USAGE;
}

/*
 * The enrollment file (enrollfile.h) into ef: 0, or the exit code after
 * saying what is wrong with it. The file holds a token: wiped after use.
 */
static int
cmd_enroll_file(const char *path, struct enrollfile *ef)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct terr e;
	int r;

	terr_clear(&e);
	if ((r = fileio_read_all(path, ENROLLFILE_MAX, &buf, &len, &e)) != 0) {
		fprintf(stderr, "tetrad-syncd enroll: файл подключения %s: %s\n", path,
		    r == TERR_TOO_LARGE ? "слишком большой — это не файл подключения от хаба" :
		    e.msg);
		return r == TERR_TOO_LARGE ? SYNC_EXIT_USAGE : SYNC_EXIT_STORAGE;
	}
	r = enrollfile_parse((const char *)buf, len, ef, &e);
	sodium_memzero(buf, len);
	free(buf);
	if (r != 0) {
		fprintf(stderr, "tetrad-syncd enroll: %s: %s\n", path, e.msg);
		return SYNC_EXIT_USAGE;
	}
	return 0;
}

int
cmd_enroll(const struct cmd_args *a, struct cmd_log *lg)
{
	struct enroll_opts o;
	struct enroll_result res;
	struct terr e;
	int r;

	struct enrollfile ef;
	int code;

	memset(&ef, 0, sizeof(ef));
	if (a->file && (a->hub || a->token || a->pin || a->ca)) {
		return cmd_mistake("enroll", "в файле подключения уже есть адрес хаба, код и "
		    "отпечаток сертификата: укажите либо --file, либо --hub и --token");
	}
	if (a->file && (code = cmd_enroll_file(a->file, &ef)) != 0)
		return code;
	if (!a->file && (a->hub == NULL || a->token == NULL)) {
		return cmd_mistake("enroll", "нужны --hub АДРЕС и --token КОД (или --file "
		    "ФАЙЛ_ПОДКЛЮЧЕНИЯ)");
	}
	if (a->ca && a->pin) {
		return cmd_mistake("enroll", "укажите либо --ca, либо --pin, но не оба");
	}
	memset(&o, 0, sizeof(o));
	o.db_path = a->db;
	o.hub_url = a->file ? ef.hub : a->hub;
	o.token = a->file ? ef.token : a->token;
	o.ca_file = a->ca;
	o.pin = a->file ? ef.pin : a->pin;
	o.passphrase_file = a->pass;
	o.label = a->label;
	o.force = a->force;
	o.timeout_ms = (long)a->timeout;
	o.connect_timeout_ms = (long)a->connect_timeout;
	terr_clear(&e);
	r = enroll_run(&o, &res, &e);
	sodium_memzero(ef.token, sizeof(ef.token));
	if (r != 0) {
		cmd_fail(lg, e.msg);
		if (res.unreachable)
			return SYNC_EXIT_UNREACHABLE;
		return r == TERR_IO || r == TERR_NOMEM ? SYNC_EXIT_STORAGE : SYNC_EXIT_USAGE;
	}
	if (res.replaced_id[0] && res.replaced_revoked)
		printf("Прежний ключ этого устройства (%s) был отозван на хабе: создан новый ключ, "
		    "на нём ещё ничего не записано.\n", res.replaced_id);
	else if (res.replaced_id[0])
		printf("Хаб уже знал прежний ключ этого устройства (%s) для другой регистрации: "
		    "создан новый ключ. Координатор может отозвать прежний: tetrad-hub device "
		    "revoke %s\n", res.replaced_id, res.replaced_id);
	printf("Устройство %s зарегистрировано на хабе %s (%s, школ: %d).\n", res.device_id,
	    o.hub_url,
	    strcmp(res.kind, "curator") == 0 ? "устройство куратора" : "устройство школы", res.nschools);
	return 0;
}

int
cmd_export(const struct cmd_args *a, struct cmd_log *lg)
{
	struct usb_result res;
	struct terr e;
	int r;

	if (a->out == NULL)
		return cmd_mistake("export", "нужен --out ФАЙЛ");
	terr_clear(&e);
	cmd_progress_begin(lg, "Выгрузка", "записей");
	r = usb_export(a->db, a->pass, a->out, (size_t)a->batch, (size_t)a->max_bytes,
	    cmd_progress, lg, &res, &e);
	cmd_progress_end(lg);
	if (r != 0) {
		cmd_fail(lg, e.msg);
		return sync_exit_code(r, NULL);
	}
	if (res.sets == 0)
		printf("Нет неотправленных изменений: файл наборов не создан.\n");
	else
		printf("Выгружено наборов: %lld (записей: %lld, %lld байт) в %s. На хабе: «tetrad-hub import %s».\n",
		    (long long)res.sets, (long long)res.entries, (long long)res.bytes, a->out, a->out);
	if (res.ack_written)
		printf("Для получения записей с хаба (двусторонняя синхронизация без сети) записано "
		    "подтверждение полученного (до позиции %llu): %s.ack. На хабе: «tetrad-hub import %s.ack», "
		    "затем «tetrad-hub export-changes --device %s --out ФАЙЛ»; здесь потом "
		    "«tetrad-syncd import-changes ФАЙЛ».\n", (unsigned long long)res.ack_after,
		    a->out, a->out, res.device_id);
	return 0;
}

int
cmd_import_acks(const struct cmd_args *a, struct cmd_log *lg)
{
	struct usb_acks_result res;
	struct terr e;
	int r;

	terr_clear(&e);
	if ((r = usb_import_acks(a->db, a->pass, a->arg, &res, &e)) != 0) {
		cmd_fail(lg, e.msg);
		return sync_exit_code(r, NULL);
	}
	printf("Подтверждений в файле: %lld; подтверждено наборов: %lld, в карантине: %lld, "
	    "уже были подтверждены: %lld, не учтено: %lld.\n", (long long)res.read,
	    (long long)res.acked, (long long)res.quarantined, (long long)res.already,
	    (long long)res.ignored);
	if (res.key_changed)
		printf("Хаб сменил ключ шифрования: следующая выгрузка будет зашифрована новым ключом.\n");
	if (res.quarantined > 0) {
		printf("Причины отказа: «tetrad status».\n");
		return SYNC_EXIT_QUARANTINED;
	}
	return SYNC_EXIT_OK;
}

int
cmd_import_changes(const struct cmd_args *a, struct cmd_log *lg)
{
	struct usb_changes_result res;
	const char *builtin = NULL;
	struct terr e;
	int r;

	(void)formsdir_builtin(&builtin, NULL);
	terr_clear(&e);
	r = usb_import_changes(a->db, a->pass, a->arg, builtin, &res, &e);
	if (res.applied > 0 || res.already > 0)
		printf("Пакетов изменений в файле: %lld; загружено: %lld, уже загружено раньше: %lld.\n",
		    (long long)res.answers, (long long)res.applied, (long long)res.already);
	cmd_pulled(&res.in);
	if (r != 0) {
		cmd_fail(lg, e.msg);
		return r == TERR_IO || r == TERR_NOMEM || r == TERR_FULL ? SYNC_EXIT_STORAGE : SYNC_EXIT_USAGE;
	}
	if (res.applied == 0 && res.already == res.answers)
		printf("Все изменения из файла уже загружены.\n");
	return SYNC_EXIT_OK;
}
