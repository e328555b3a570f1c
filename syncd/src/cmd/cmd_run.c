/*
 * cmd_run — the runs that talk to the hub (--once, pull, --daemon): their
 * options into sync_opts, their results in Russian on stdout, their log
 * lines through logline (the journal's priorities under systemd) and the
 * push's progress line on a terminal.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "syncd/schedule.h"
#include "syncd/sync.h"

void
cmd_log_open(struct cmd_log *lg, int quiet)
{
	memset(lg, 0, sizeof(*lg));
	/* --quiet drops the informational lines, as it always did */
	logline_open(&lg->ll, stderr, "tetrad-syncd", quiet ? LOGLINE_WARNING : LOGLINE_INFO);
	pthread_mutex_init(&lg->mu, NULL);
}

void
cmd_log_close(struct cmd_log *lg)
{
	cmd_progress_end(lg);
	pthread_mutex_destroy(&lg->mu);
}

_Static_assert(SYNC_LOG_ERR == (int)LOGLINE_ERR && SYNC_LOG_WARN == (int)LOGLINE_WARNING &&
    SYNC_LOG_INFO == (int)LOGLINE_INFO, "the run's levels are syslog's, as logline's");

void
cmd_log_line(void *ud, enum sync_log_level level, const char *msg)
{
	struct cmd_log *lg = ud;

	pthread_mutex_lock(&lg->mu);
	/* the line goes under a finished progress line, which redraws below it */
	if (lg->progress_on)
		progress_close(&lg->pg);
	logline_put(&lg->ll, (enum logline_level)level, msg);
	pthread_mutex_unlock(&lg->mu);
}

void
cmd_fail(struct cmd_log *lg, const char *msg)
{
	if (lg->ll.journal) {
		cmd_log_line(lg, SYNC_LOG_ERR, msg);
		return;
	}
	pthread_mutex_lock(&lg->mu);
	if (lg->progress_on)
		progress_close(&lg->pg);
	fprintf(stderr, "tetrad-syncd: %s\n", msg);
	pthread_mutex_unlock(&lg->mu);
}

void
cmd_progress_begin(struct cmd_log *lg, const char *what, const char *unit)
{
	pthread_mutex_lock(&lg->mu);
	progress_open(&lg->pg, stderr, what, unit, 0);
	lg->progress_on = 1;
	pthread_mutex_unlock(&lg->mu);
}

void
cmd_progress(void *ud, uint64_t done, uint64_t total)
{
	struct cmd_log *lg = ud;

	pthread_mutex_lock(&lg->mu);
	if (lg->progress_on)
		progress_update(&lg->pg, done, total);
	pthread_mutex_unlock(&lg->mu);
}

#define CMD_PULL_WHAT "Получено с хаба записей"

/* The pull's progress_fn: the push's line, if one is drawn, ends, and the
 * pull's begins below it («Получено с хаба записей: 12 000»). */
static void
cmd_progress_pull(void *ud, uint64_t done, uint64_t total)
{
	struct cmd_log *lg = ud;

	pthread_mutex_lock(&lg->mu);
	if (lg->progress_on && strcmp(lg->pg.what, CMD_PULL_WHAT) != 0) {
		progress_close(&lg->pg);
		progress_open(&lg->pg, stderr, CMD_PULL_WHAT, "", 0);
	}
	if (lg->progress_on)
		progress_update(&lg->pg, done, total);
	lg->pull_done = done;
	pthread_mutex_unlock(&lg->mu);
}

void
cmd_progress_end(struct cmd_log *lg)
{
	pthread_mutex_lock(&lg->mu);
	/* a count with no total is redrawn at most ten times a second, so the
	 * last one may not be on screen: the line ends with the true count */
	if (lg->progress_on && lg->pg.drawn && lg->pull_done > 0 &&
	    strcmp(lg->pg.what, CMD_PULL_WHAT) == 0) {
		lg->pg.last_ms = 0;
		progress_update(&lg->pg, lg->pull_done, 0);
	}
	if (lg->progress_on)
		progress_close(&lg->pg);
	lg->progress_on = 0;
	pthread_mutex_unlock(&lg->mu);
}

static void
cmd_sync_opts(const struct cmd_args *a, struct sync_opts *o, struct cmd_log *lg)
{
	memset(o, 0, sizeof(*o));
	o->db_path = a->db;
	o->passphrase_file = a->pass;
	o->max_ops = (size_t)a->batch;
	o->max_bytes = (size_t)a->max_bytes;
	o->max_attempts = (int)a->attempts;
	o->backoff_ms = (long)a->backoff;
	o->backoff_max_ms = (long)a->backoff_max;
	o->timeout_ms = (long)a->timeout;
	o->connect_timeout_ms = (long)a->connect_timeout;
	o->no_pull = a->no_pull;
	o->log = cmd_log_line;
	o->ud = lg;
}

/* What came from the hub, in Russian (nothing when nothing came). The hub
 * also sends back this device's own changes (it keeps whole states), so the
 * line says how many of the records were new or changed something here:
 * «получено 1» alone after a push reads as if someone else had written. */
void
cmd_pulled(const struct inbox_result *in)
{
	long long upd = (long long)(in->changed - in->created);
	char what[200], extra[96];

	if (in->records == 0 && in->conflicts == 0 && in->profiles == 0)
		return;
	what[0] = extra[0] = '\0';
	if (in->records > 0 && in->changed == 0)
		snprintf(what, sizeof(what), "записей: %lld (ничего нового: всё это уже есть на этом "
		    "устройстве)", (long long)in->records);
	else if (in->records > 0)
		snprintf(what, sizeof(what), "записей: %lld (новых: %lld, обновлено: %lld)",
		    (long long)in->records, (long long)in->created, upd);
	if (in->profiles > 0)
		snprintf(extra, sizeof(extra), "%sрисковых профилей школ: %lld", what[0] ? "; " : "",
		    (long long)in->profiles);
	if (in->conflicts > 0)
		printf("Получено с хаба %s%s; конфликтов: %lld — ваши значения уступили другим, "
		    "см. «tetrad conflicts».\n", what, extra, (long long)in->conflicts);
	else
		printf("Получено с хаба %s%s; конфликтов нет.\n", what, extra);
}

/* The run's result for a person, on stdout (not with --quiet). */
static void
cmd_once_print(const struct sync_result *res, int pull_only)
{
	/* `pull` sends nothing: a line about what the hub confirmed would
	 * read as if it had */
	if (!pull_only)
		printf("Подтверждено хабом записей: %lld; в карантине: %lld; ждут отправки: %lld.\n",
		    (long long)res->entries_acked, (long long)res->entries_quarantined,
		    (long long)(res->left.pending + res->left.sent));
	else if (res->left.pending + res->left.sent > 0)
		printf("Ждут отправки: %lld (отправит «tetrad sync»).\n",
		    (long long)(res->left.pending + res->left.sent));
	if (pull_only && !res->unreachable && !res->pull_refused && res->pulled.records == 0 &&
	    res->pulled.conflicts == 0 && res->pulled.profiles == 0)
		printf("С хаба ничего нового.\n");
	if (res->unreachable)
		printf("Хаб недоступен: записи сохранены и будут отправлены при следующей синхронизации.\n");
	/* the hub's words went to the log (stderr) already, escaped */
	if (res->revoked)
		printf("Устройство отозвано на хабе: записи с него хаб больше не принимает. "
		    "Обратитесь к координатору.\n");
	if (res->entries_requeued > 0)
		printf("Снова отправлено из карантина (хаб теперь их принимает): %lld.\n",
		    (long long)res->entries_requeued);
	if (res->left.quarantined > 0)
		printf("Записей в карантине всего: %lld (причины: «tetrad status»).\n",
		    (long long)res->left.quarantined);
	if (res->forms_installed > 0)
		printf("Получено новых версий форм: %lld.\n", (long long)res->forms_installed);
	if (res->pull_restarted)
		printf("У хаба меньше изменений, чем устройство уже получило (база хаба "
		    "восстановлена из старой копии?): изменения получены заново с начала; "
		    "записи объединяются, повторов не будет.\n");
	cmd_pulled(&res->pulled);
	if (res->pull_refused)
		printf("Ответ хаба с изменениями не принят (причина в журнале): данные устройства "
		    "не изменены.\n");
}

int
cmd_once(const struct cmd_args *a, struct cmd_log *lg, int pull_only)
{
	struct sync_opts o;
	struct sync_result res;
	struct terr e;
	char line[512];
	int r, code;

	cmd_sync_opts(a, &o, lg);
	o.pull_only = pull_only;
	/* a push of many sets and a pull of many answers show how far they got;
	 * --quiet asks for silence */
	if (!a->quiet) {
		cmd_progress_begin(lg, pull_only ? CMD_PULL_WHAT : "Отправка",
		    pull_only ? "" : "записей");
		o.progress = cmd_progress;
		o.progress_ud = lg;
		o.pull_progress = cmd_progress_pull;
		o.pull_progress_ud = lg;
	}
	terr_clear(&e);
	r = sync_run(&o, &res, &e);
	cmd_progress_end(lg);
	code = sync_exit_code(r, &res);
	if (r != 0) {
		cmd_fail(lg, e.msg);
		return code;
	}
	sync_summary(&res, code, line, sizeof(line));
	/* the line to alert on: a run that left work or was refused is a warning */
	cmd_log_line(lg, sync_exit_level(code), line);
	if (!a->quiet)
		cmd_once_print(&res, pull_only);
	return code;
}

int
cmd_daemon(const struct cmd_args *a, struct cmd_log *lg)
{
	struct schedule_opts o;
	struct terr e;
	sigset_t set;

	memset(&o, 0, sizeof(o));
	cmd_sync_opts(a, &o.sync, lg);
	terr_clear(&e);
	if (schedule_parse_window(a->window ? a->window : "01:00-05:00", &o.window, &e) != 0) {
		cmd_fail(lg, e.msg);
		return SYNC_EXIT_USAGE;
	}
	o.interval_s = a->interval;
	o.config_path = a->config;
	if (a->config && schedule_read_config(a->config, &o, &e) != 0) {
		cmd_fail(lg, e.msg);
		return SYNC_EXIT_USAGE;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	cmd_log_line(lg, SYNC_LOG_INFO, "запущен как служба");
	if (schedule_run(&o, &e) != 0) {
		cmd_fail(lg, e.msg);
		return SYNC_EXIT_USAGE;
	}
	return 0;
}
