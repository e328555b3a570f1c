/*
 * schedule — the nightly daemon loop (see schedule.h).
 */
#include "syncd/schedule.h"
#include "tetrad/localdb.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

int
schedule_parse_window(const char *s, struct schedule_window *w, struct terr *e)
{
	int h1, m1, h2, m2, n = 0;

	if (s == NULL || sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 ||
	    s[n] != '\0' || h1 < 0 || h1 > 23 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 ||
	    m2 < 0 || m2 > 59 || (h2 == 24 && m2 != 0))
		return terr_set(e, TERR_ARG, "окно синхронизации должно иметь вид ЧЧ:ММ-ЧЧ:ММ, например 01:00-05:00");
	w->start_min = h1 * 60 + m1;
	w->end_min = (h2 * 60 + m2) % 1440;
	if (w->start_min == w->end_min && !(h2 == 24 || (h1 == 0 && m1 == 0 && h2 == 0 && m2 == 0)))
		return terr_set(e, TERR_ARG, "окно синхронизации пустое: начало совпадает с концом");
	return 0;
}

int64_t
schedule_delay_s(const struct schedule_window *w, const struct tm *tm_now, uint32_t rnd, int after_run)
{
	int64_t len = ((int64_t)w->end_min - w->start_min + 1440) % 1440 * 60;
	int64_t now = (int64_t)tm_now->tm_hour * 3600 + tm_now->tm_min * 60 + tm_now->tm_sec;
	int64_t off = (now - (int64_t)w->start_min * 60 + 86400) % 86400;

	if (len == 0)
		len = 86400;
	if (off < len && !after_run)
		return (int64_t)((uint64_t)rnd % (uint64_t)(len - off));
	return (86400 - off) + (int64_t)((uint64_t)rnd % (uint64_t)len);
}

int
schedule_read_config(const char *path, struct schedule_opts *o, struct terr *e)
{
	char line[512];
	FILE *f;
	int r = 0, lineno = 0;

	if ((f = fopen(path, "r")) == NULL)
		return terr_set(e, TERR_ARG, "не удалось открыть файл настроек %s: %s", path, terr_strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *eq, *v;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			r = terr_set(e, TERR_ARG, "%s:%d: ожидается ключ=значение", path, lineno);
			break;
		}
		*eq = '\0';
		v = eq + 1;
		if (strcmp(line, "window") == 0) {
			if ((r = schedule_parse_window(v, &o->window, e)) != 0)
				break;
			o->interval_s = 0;
		} else if (strcmp(line, "interval") == 0) {
			char *end;
			long long s = strtoll(v, &end, 10);

			if (*end != '\0' || s < 1 || s > 7 * 86400) {
				r = terr_set(e, TERR_ARG, "%s:%d: interval — число секунд от 1 до 604800", path, lineno);
				break;
			}
			o->interval_s = s;
		} else {
			r = terr_set(e, TERR_ARG, "%s:%d: неизвестный ключ «%.40s»", path, lineno, line);
			break;
		}
	}
	fclose(f);
	return r;
}

int
schedule_stop_pending(void *ud)
{
	sigset_t p;

	(void)ud;
	if (sigpending(&p) != 0)
		return 0;
	return sigismember(&p, SIGTERM) == 1 || sigismember(&p, SIGINT) == 1;
}

static void
schedule_log(const struct schedule_opts *o, enum sync_log_level lvl, const char *msg)
{
	if (o->sync.log)
		o->sync.log(o->sync.ud, lvl, msg);
}

int
schedule_run(struct schedule_opts *o, struct terr *e)
{
	sigset_t set;
	int after_run = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	o->sync.stop = schedule_stop_pending;
	for (;;) {
		struct timespec ts;
		struct tm tm;
		time_t now = time(NULL);
		int64_t delay;
		char msg[160];
		int sig, do_sync = 0;

		localtime_r(&now, &tm);
		delay = o->interval_s > 0 ? (after_run ? o->interval_s : 0) :
		    schedule_delay_s(&o->window, &tm, randombytes_random(), after_run);
		snprintf(msg, sizeof(msg), "следующая синхронизация через %lld с", (long long)delay);
		schedule_log(o, SYNC_LOG_INFO, msg);
		ts.tv_sec = (time_t)delay;
		ts.tv_nsec = 0;
		sig = delay > 0 ? sigtimedwait(&set, NULL, &ts) : -1;
		if (sig < 0 && delay > 0 && errno != EAGAIN && errno != EINTR)
			return terr_set(e, TERR_INTERNAL, "sigtimedwait: %s", terr_strerror(errno));
		if (sig == SIGTERM || sig == SIGINT) {
			schedule_log(o, SYNC_LOG_INFO, "остановка по сигналу");
			return 0;
		}
		if (sig == SIGHUP) {
			struct terr ce;

			if (o->config_path && schedule_read_config(o->config_path, o, &ce) != 0)
				schedule_log(o, SYNC_LOG_WARN, ce.msg);
			else
				schedule_log(o, SYNC_LOG_INFO, "настройки перечитаны");
			after_run = 0;
			continue;
		}
		do_sync = 1;   /* the moment came, or SIGUSR1 asked for it */
		if (do_sync) {
			struct sync_result res;
			struct terr se;
			char line[512];
			int r = sync_run(&o->sync, &res, &se);
			int code = sync_exit_code(r, &res);

			if (r != 0)
				schedule_log(o, SYNC_LOG_ERR, se.msg);
			sync_summary(&res, code, line, sizeof(line));
			schedule_log(o, sync_exit_level(code), line);
			after_run = 1;
			if (schedule_stop_pending(NULL)) {
				schedule_log(o, SYNC_LOG_INFO, "остановка по сигналу");
				return 0;
			}
		}
	}
}
