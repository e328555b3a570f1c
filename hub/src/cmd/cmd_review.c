/*
 * cmd_review — `tetrad-hub conflicts resolve`: the dashboard's review
 * decision (hub/review.h) from the server's shell, for scripts and for a
 * hub without the dashboard. The decision is recorded under the login
 * "консоль:" and the system user who ran it.
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "hub/review.h"

enum { RO_KEEP = 1, RO_TAKE };

static const struct cmdline_opt cmd_conflicts_resolve_opts[] = {
	{ "keep", 0, RO_KEEP, 0 },
	{ "take", 0, RO_TAKE, 0 },
	CMD_COMMON_OPTS,
	{ NULL, 0, 0, 0 },
};

static const struct cmdline_spec cmd_conflicts_resolve_spec = {
	CMD_PROG, "conflicts resolve",
	"Использование: tetrad-hub conflicts resolve № --keep|--take\n"
	"\n"
	"Решение по конфликту из «tetrad-hub conflicts list» (столбец №):\n"
	"  --keep   оставить принятое значение (записывается только решение);\n"
	"  --take   взять отклонённое значение: хаб записывает его как свою правку\n"
	"           поля, и устройства получают её при следующей синхронизации.\n"
	"Отклонённое значение не берётся, если поле изменили после конфликта или\n"
	"запись удалена: такой конфликт закрывается с --keep. Решение по конфликту\n"
	"принимается один раз. То же делается в панели координатора: «Разбор» →\n"
	"«Конфликты».\n"
	"\n" CMD_COMMON_HELP,
	cmd_conflicts_resolve_opts, 1, 1, 0,
};

int
cmd_conflicts_resolve(struct hubconf *h, int argc, char **argv, struct terr *e)
{
	char login[96], hlc[HLC_STRLEN + 1] = "", *end;
	enum review_choice choice = 0;
	const struct passwd *pw;
	struct cmdline c;
	const char *v;
	long long id;
	int r, o;

	cmdline_begin(&c, &cmd_conflicts_resolve_spec, argc, argv);
	while ((o = cmd_next(h, &c, &v)) > 0) {
		if (choice != 0 && choice != (o == RO_KEEP ? REVIEW_KEEP : REVIEW_TAKE))
			return cmd_usage(e, "conflicts resolve", "укажите одно: --keep или --take");
		choice = o == RO_KEEP ? REVIEW_KEEP : REVIEW_TAKE;
	}
	if (o != CMDLINE_END)
		return cmd_stop(&c, o, e);
	if (choice == 0)
		return cmd_usage(e, "conflicts resolve", "укажите решение: --keep (оставить "
		    "принятое) или --take (взять отклонённое)");
	errno = 0;
	id = strtoll(c.pos[0], &end, 10);
	if (errno != 0 || end == c.pos[0] || *end != '\0' || id <= 0)
		return cmd_usage(e, "conflicts resolve", "№ конфликта — целое число из "
		    "«tetrad-hub conflicts list»");
	if ((r = hubconf_open(h, true, e)) != 0)
		return r;
	pw = getpwuid(geteuid());
	snprintf(login, sizeof(login), "консоль:%s", pw != NULL ? pw->pw_name : "?");
	if ((r = review_decide(h->db, h->forms, id, choice, login, hlc, e)) != 0)
		return r;
	if (choice == REVIEW_TAKE)
		printf("Конфликт №%lld: взято отклонённое значение; устройства получат его при "
		    "следующей синхронизации.\n", id);
	else
		printf("Конфликт №%lld: оставлено принятое значение.\n", id);
	return 0;
}
