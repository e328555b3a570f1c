/*
 * cmd_migrate — `tetrad-hub migrate`: a municipality's SQLite store moved to
 * PostgreSQL (issue 20) with every record, clock, conflict and device
 * watermark (hubdb_copy_all), so the devices go on as if nothing happened;
 * then hub.conf's store names the new database.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

enum { MG_FROM = 1, MG_TO };

static const struct cmdline_opt cmd_migrate_opts[] = {
	{ "from", 1, MG_FROM, 0 },
	{ "to", 1, MG_TO, 0 },
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_migrate_spec = {
	CMD_PROG, "migrate",
	"Использование: tetrad-hub migrate [--from ФАЙЛ] --to СТРОКА\n"
	"\n"
	"Переносит базу хаба из SQLite в PostgreSQL: устройства с их отметками и\n"
	"цепочками, коды регистрации, наборы, карантин, записи с часами полей,\n"
	"конфликты и решения, формы, результаты, настройки, учётные записи и журнал\n"
	"панели. Устройства ничего не замечают: после переноса они продолжают с\n"
	"того же места.\n"
	"\n"
	"Хаб должен быть остановлен (systemctl stop tetrad-hub): набор, принятый во\n"
	"время переноса, в новую базу не попадёт. База PostgreSQL должна быть пустой\n"
	"(новая, CREATE DATABASE); таблицы создаются сами. Всё переносится одной\n"
	"транзакцией: при любой ошибке в новой базе не остаётся ничего, файл SQLite\n"
	"не меняется (кроме обновления его схемы до текущей, если она старая).\n"
	"\n"
	"Параметры:\n"
	"  --from ФАЙЛ     база SQLite (иначе hub.db в папке хаба, --data)\n"
	"  --to СТРОКА     база PostgreSQL: postgresql://пользователь@хост/база или\n"
	"                  «host=… dbname=… user=…». Без пароля: пароль — в файле\n"
	"                  паролей (passfile=ФАЙЛ в строке или переменная PGPASSFILE)\n"
	"\n"
	"Затем впишите в hub.conf строку «store = СТРОКА» и запустите хаб; файл\n"
	"SQLite сохраните как резервную копию, но хаб на нём больше не запускайте.\n"
	"\n" CMD_COMMON_HELP,
	cmd_migrate_opts, 0, 0, 0,
};

/* What each table brought, for the summary after the commit. */
struct cmd_migrate_sum {
	const char *table[64];
	uint64_t rows[64];
	size_t n;
};

/* Progress on stderr: a table's count, then every so many rows of a large one. */
static void
cmd_migrate_progress(void *ctx, const char *table, uint64_t done, uint64_t total)
{
	struct cmd_migrate_sum *sum = ctx;

	if (done == 0 && total > 0)
		fprintf(stderr, "  %-20s строк: %" PRIu64 "\n", table, total);
	else if (done > 0 && done < total)
		fprintf(stderr, "  %-20s %" PRIu64 " из %" PRIu64 "…\n", table, done, total);
	fflush(stderr);
	if (done == total && sum->n < sizeof(sum->rows) / sizeof(sum->rows[0])) {
		sum->table[sum->n] = table;
		sum->rows[sum->n++] = total;
	}
}

static int
cmd_migrate_run(const char *from, const char *to, struct terr *e)
{
	struct hubdb *src = NULL, *dst = NULL;
	struct cmd_migrate_sum sum = { .n = 0 };
	char shm[PATH_MAX + 8];
	uint64_t all = 0;
	int r, v = 0;

	/* hubdb_open would make an empty store where there is none */
	if (access(from, F_OK) != 0) {
		r = terr_set(e, TERR_NOTFOUND, "нет базы хаба %s: укажите файл --from (hub.db в "
		    "папке хаба)", from);
		goto out;
	}
	/* SQLite removes -shm when its last connection closes: a hub still serving
	 * (or one that crashed) leaves it; the copy is of one moment either way */
	snprintf(shm, sizeof(shm), "%s-shm", from);
	if (access(shm, F_OK) == 0)
		fprintf(stderr, "Внимание: есть %s — хаб, похоже, работает (или остановлен "
		    "аварийно). Наборы, принятые во время переноса, в PostgreSQL не попадут: "
		    "остановите хаб (systemctl stop tetrad-hub) и повторите.\n", shm);
	if ((r = hubdb_peek_version(from, &v, e)) != 0)
		goto out;
	if (v == 0) {
		r = terr_set(e, TERR_ARG, "%s — не база хаба (в ней нет схемы хаба)", from);
		goto out;
	}
	if (v < HUBDB_SCHEMA_VERSION)
		fprintf(stderr, "База данных хаба %s обновляется (схема %d → %d): для большой "
		    "базы это несколько минут.\n", from, v, HUBDB_SCHEMA_VERSION);
	if ((r = hubdb_open(from, &src, e)) != 0)
		goto out;
	fprintf(stderr, "Подключение к PostgreSQL…\n");
	if ((r = hubdb_open(to, &dst, e)) != 0)
		goto out;
	fprintf(stderr, "Перенос %s в PostgreSQL (одной транзакцией):\n", from);
	if ((r = hubdb_copy_all(src, dst, cmd_migrate_progress, &sum, e)) != 0) {
		char msg[TERR_MSG_MAX];

		snprintf(msg, sizeof(msg), "%s", e->msg);
		r = terr_set(e, r, "%s. В базе PostgreSQL ничего не записано", msg);
		goto out;
	}
	printf("Перенесено в PostgreSQL (строк по таблицам):\n");
	for (size_t i = 0; i < sum.n; i++) {
		printf("  %-20s %" PRIu64 "\n", sum.table[i], sum.rows[i]);
		all += sum.rows[i];
	}
	printf("Всего строк: %" PRIu64 ".\n", all);
	printf("\nДальше: впишите в hub.conf строку\n  store = %s\nи запустите хаб. Файл %s "
	    "сохраните как резервную копию, но хаб на нём больше не запускайте: устройства "
	    "продолжат с базой PostgreSQL.\n", to, from);
	r = 0;
 out:
	hubdb_close(src);
	hubdb_close(dst);
	return r;
}

int
cmd_migrate(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	struct cmdline c;
	const char *from = NULL, *to = NULL, *v;
	char path[PATH_MAX];
	int r, id;

	cmdline_begin(&c, &cmd_migrate_spec, argc, argv);
	while ((id = cmd_next(h, &c, &v)) > 0)
		if (id == MG_FROM)
			from = v;
		else if (id == MG_TO)
			to = v;
	if (id != CMDLINE_END)
		return cmd_stop(&c, id, e);
	if (to == NULL)
		return cmd_usage(e, "migrate", "migrate: укажите --to — строку подключения к "
		    "базе PostgreSQL");
	if (!hubdb_is_pg(to))
		return cmd_usage(e, "migrate", "migrate: --to — не строка подключения PostgreSQL "
		    "(postgresql://пользователь@хост/база или «host=… dbname=…»)");
	if ((r = hubdb_check_name(to, e)) != 0)
		return cmd_usage(e, "migrate", "migrate: --to: %s", e->msg);
	if (from == NULL) {
		if ((r = hubconf_dir(h, e)) != 0)
			return cmd_usage(e, "migrate", "migrate: укажите --from ФАЙЛ (базу SQLite) "
			    "или папку хаба (--data)");
		hubconf_path(h, "hub.db", path, sizeof(path));
		from = path;
	}
	if (hubdb_is_pg(from))
		return cmd_usage(e, "migrate", "migrate: --from — файл базы SQLite, а не "
		    "строка подключения");
	return cmd_migrate_run(from, to, e);
}
