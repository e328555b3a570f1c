/*
 * cli_status — `tetrad status`: the school, the device, the records, the
 * outbox and its quarantine, the last sync and the clock.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/localdb.h"
#include "tetrad/termsafe.h"

#include "cli_private.h"

/* |clock_skew_ms| above this makes `status` warn. */
#define CLI_STATUS_SKEW_WARN_MS (5 * 60 * 1000)

static int
cli_status_reason(const char *reason, int64_t count, void *arg)
{
	cJSON *q = cJSON_CreateObject();

	if (q == NULL || cJSON_AddStringToObject(q, "reason", reason) == NULL ||
	    cJSON_AddNumberToObject(q, "count", (double)count) == NULL ||
	    !cJSON_AddItemToArray(arg, q)) {
		cJSON_Delete(q);
		return TERR_NOMEM;
	}
	return 0;
}

int
cli_status(struct cli *c)
{
	static const char *const keys[] = { "school", "school_name", "device_id",
	    "device_kind", "device_schools", "hub_url", "last_sync_at",
	    "last_sync_result", "clock_skew_ms", "hlc_last" };
	char *vals[sizeof(keys) / sizeof(keys[0])] = { 0 };
	struct store *s = NULL;
	struct store_counts n;
	cJSON *o = NULL, *reasons = NULL;
	long long skew = 0;
	int r, rc;

	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((r = store_meta_get(s, keys[i], &vals[i], &c->e)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
	if ((r = store_counts(s, &n, &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (vals[8])
		skew = strtoll(vals[8], NULL, 10);
	o = cJSON_CreateObject();
	reasons = cJSON_CreateArray();
	if ((r = localdb_quarantine_reasons(store_localdb(s), cli_status_reason, reasons,
	    &c->e)) != 0) {
		rc = cli_fail(c, r);
		goto out;
	}
	if (c->json) {
		char *t;

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (vals[i])
				cJSON_AddStringToObject(o, keys[i], vals[i]);
			else
				cJSON_AddNullToObject(o, keys[i]);
		}
		cJSON_AddStringToObject(o, "db", c->db);
		cJSON_AddNumberToObject(o, "pending", (double)n.pending);
		cJSON_AddNumberToObject(o, "sent", (double)n.sent);
		cJSON_AddNumberToObject(o, "acked", (double)n.acked);
		cJSON_AddNumberToObject(o, "quarantined", (double)n.quarantined);
		cJSON_AddNumberToObject(o, "drafts", (double)n.drafts);
		cJSON_AddNumberToObject(o, "final", (double)n.finals);
		cJSON_AddNumberToObject(o, "deleted", (double)n.deleted);
		cJSON_AddItemToObject(o, "quarantine_reasons", reasons);
		reasons = NULL;
		cJSON_AddBoolToObject(o, "clock_skew_warning",
		    llabs(skew) > CLI_STATUS_SKEW_WARN_MS);
		t = cJSON_Print(o);
		fprintf(c->out, "%s\n", t ? t : "{}");
		cJSON_free(t);
	} else {
		const cJSON *q;

		/*
		 * What a person reads on the terminal: the hub's reasons and the
		 * names it sent came from outside, so every stored text is escaped
		 * (termsafe.h) before it is printed.
		 */
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			char *t;

			if (vals[i] == NULL)
				continue;
			if ((t = termsafe_dup(vals[i])) == NULL) {
				rc = cli_fail(c, terr_set(&c->e, TERR_NOMEM, "недостаточно памяти"));
				goto out;
			}
			free(vals[i]);
			vals[i] = t;
		}
		fprintf(c->out, "База: %s\n", c->db);
		fprintf(c->out, "Школа: %s%s%s\n", vals[0] ? vals[0] : "—",
		    vals[1] && *vals[1] ? " — " : "", vals[1] ? vals[1] : "");
		fprintf(c->out, "Устройство: %s (%s)\n", vals[2] ? vals[2] : "—",
		    vals[3] && strcmp(vals[3], "curator") == 0 ? "куратор" : "школа");
		/* a curator's schools (from the enrollment token): records of
		 * these only (rec_school_check) */
		if (vals[3] && strcmp(vals[3], "curator") == 0) {
			fputs("Школы куратора: ", c->out);
			for (const char *p = vals[4] ? vals[4] : ""; *p; p++) {
				if (*p == ',')
					fputs(", ", c->out);
				else
					fputc(*p, c->out);
			}
			fputs(vals[4] && *vals[4] ? "\n" : "ещё не известны — "
			    "зарегистрируйте устройство (tetrad enroll)\n", c->out);
		}
		fprintf(c->out, "Хаб: %s\n", vals[5] ? vals[5] :
		    "не подключён (tetrad enroll)");
		fprintf(c->out, "Записи: черновиков %lld, окончательных %lld, "
		    "удалённых %lld\n", (long long)n.drafts, (long long)n.finals,
		    (long long)n.deleted);
		fprintf(c->out, "Очередь отправки: ожидают %lld, отправлены %lld, "
		    "подтверждены %lld, отклонены (карантин) %lld\n",
		    (long long)n.pending, (long long)n.sent, (long long)n.acked,
		    (long long)n.quarantined);
		cJSON_ArrayForEach(q, reasons) {
			char *t = termsafe_dup(cJSON_GetObjectItem(q, "reason")->valuestring);

			if (t == NULL) {
				rc = cli_fail(c, terr_set(&c->e, TERR_NOMEM, "недостаточно памяти"));
				goto out;
			}
			fprintf(c->out, "  карантин: %s — %d\n", t,
			    cJSON_GetObjectItem(q, "count")->valueint);
			free(t);
		}
		fprintf(c->out, "Последняя синхронизация: %s%s%s%s\n",
		    vals[6] ? vals[6] : "не было", vals[7] ? " (" : "",
		    vals[7] ? vals[7] : "", vals[7] ? ")" : "");
		if (llabs(skew) > CLI_STATUS_SKEW_WARN_MS)
			fprintf(c->out, "ВНИМАНИЕ: часы этого компьютера %s на %lld мин. "
			    "Проверьте дату и время.\n", skew > 0 ? "спешат" : "отстают",
			    (llabs(skew) + 30000) / 60000);
	}
	rc = CLI_OK;
 out:
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		free(vals[i]);
	cJSON_Delete(o);
	cJSON_Delete(reasons);
	store_close(s);
	return rc;
}
