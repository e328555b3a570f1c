/*
 * cli_retry — `tetrad retry [--all] [--json]`: records the hub refused
 * (quarantined) go to the outbox again, to leave with the next sync. By
 * default only those the hub said may go again as they are (wire.h
 * wire_retry: it did not know their form yet, or their time was ahead of
 * its clock); --all sends every one, for when a person has removed the
 * cause some other way (the coordinator fixed the device's schools, …).
 * tetrad-syncd does the default by itself once the hub's answer says the
 * cause is gone; this command is for not waiting.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/localdb.h"

#include "cli_private.h"

struct cli_retry_count {
	int64_t all, retryable;
};

static int
cli_retry_count(const struct localdb_quarantined *q, void *arg)
{
	struct cli_retry_count *n = arg;

	n->all++;
	n->retryable += q->retry[0] != '\0';
	return 0;
}

int
cli_retry(struct cli *c)
{
	struct cli_retry_count n = { 0, 0 };
	struct store *s = NULL;
	int64_t moved = 0;
	bool all = c->all;
	int r, rc;

	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	if ((r = localdb_quarantined_each(store_localdb(s), 0, cli_retry_count, &n, &c->e)) != 0 ||
	    (r = localdb_requeue(store_localdb(s), 0, !all, &moved, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (c->json) {
		fprintf(c->out, "{\"requeued\": %lld, \"left\": %lld}\n", (long long)moved,
		    (long long)(n.all - moved));
	} else if (n.all == 0) {
		fprintf(c->out, "В карантине нет записей: отправлять снова нечего.\n");
	} else {
		if (moved > 0)
			fprintf(c->out, "Снова в очереди отправки: %lld. Они уйдут на хаб при "
			    "следующей синхронизации (tetrad sync).\n", (long long)moved);
		if (n.all - moved > 0)
			fprintf(c->out, "Остались в карантине: %lld — хаб не принял их из-за самих "
			    "записей. Исправьте их (tetrad edit НОМЕР; причины — tetrad status) или, "
			    "если причина уже устранена, отправьте снова: tetrad retry --all.\n",
			    (long long)(n.all - moved));
	}
	rc = CLI_OK;
 out:
	store_close(s);
	return rc;
}
