/*
 * cli_status — `tetrad status`: the school, the device, the records, the
 * outbox and its quarantine, the last sync and the clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tetrad/localdb.h"
#include "tetrad/school.h"
#include "tetrad/termsafe.h"
#include "tetrad/uuid7.h"

#include "client/app.h"
#include "cli_private.h"

/* |clock_skew_ms| above this makes `status` warn. */
#define CLI_STATUS_SKEW_WARN_MS (5 * 60 * 1000)
/* quarantined records listed one by one on the terminal (all with --json) */
#define CLI_STATUS_QUARANTINE_SHOWN 20

/* What a person can do about a quarantined record, by the hub's retry class. */
static const char *
cli_status_retry_hint(const char *retry)
{
	if (strcmp(retry, "forms") == 0)
		return "хаб не знал формы этой записи: запись уйдёт снова сама, когда хаб её "
		    "получит (сразу — tetrad retry)";
	if (strcmp(retry, "clock") == 0)
		return "время записи впереди часов хаба: проверьте дату и время компьютера; запись "
		    "уйдёт снова сама, когда часы хаба его догонят (сразу — tetrad retry)";
	return "исправьте запись (tetrad edit НОМЕР) или, если причина уже устранена, "
	    "отправьте снова: tetrad retry --all";
}

struct cli_status_q {
	struct cli *c;
	cJSON *arr;          /* --json: every record */
	int64_t n;           /* listed so far */
	int fail;
};

/*
 * The hub's reason as a person reads it next to one record: without the
 * set's numbers («набор 6–6 отклонён и помещён в карантин: ») and, when
 * the change named is this record's own, without «изменение 6: »; when it
 * is another record's, said so (the hub refuses a set whole); seq 0 (the
 * reasons counted over records) keeps the change. Anything else is shown
 * as the hub wrote it. out: cap bytes.
 */
static void
cli_status_reason_text(const char *reason, uint64_t seq, char *out, size_t cap)
{
	static const char set_tail[] = " отклонён и помещён в карантин: ";
	static const char change[] = "изменение ";
	const char *p = reason, *t;
	unsigned long long n;
	int used = 0;

	if (strncmp(p, "набор ", strlen("набор ")) == 0 &&
	    (t = strstr(p, set_tail)) != NULL)
		p = t + strlen(set_tail);
	if (seq != 0 && strncmp(p, change, strlen(change)) == 0 &&
	    sscanf(p + strlen(change), "%llu: %n", &n, &used) == 1 && used > 0) {
		if (n == seq)
			snprintf(out, cap, "%s", p + strlen(change) + used);
		else
			snprintf(out, cap, "хаб отклонил всю отправку из-за другой записи "
			    "(изменение %llu): %s", n, p + strlen(change) + used);
		return;
	}
	snprintf(out, cap, "%s", p);
}

static int
cli_status_quarantined(const struct localdb_quarantined *q, void *arg)
{
	struct cli_status_q *l = arg;
	char id[UUID7_STRLEN + 1], when[64], shown[1024];
	char *reason = NULL, *school = NULL, *form = NULL;

	if (q->record_id_len == UUID7_BYTES)
		uuid7_format(q->record_id, id);
	else
		snprintf(id, sizeof(id), "?");
	l->n++;
	if (l->arr != NULL) {
		cJSON *o = cJSON_CreateObject();

		if (o == NULL || !cJSON_AddItemToArray(l->arr, o)) {
			cJSON_Delete(o);
			return TERR_NOMEM;
		}
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddNumberToObject(o, "seq", (double)q->seq);
		cJSON_AddStringToObject(o, "op", q->op);
		cJSON_AddStringToObject(o, "form_id", q->form_id);
		cJSON_AddNumberToObject(o, "form_version", (double)q->form_version);
		cJSON_AddStringToObject(o, "school", q->school);
		cJSON_AddStringToObject(o, "reason", q->reason);
		if (q->retry[0])
			cJSON_AddStringToObject(o, "retry", q->retry);
		else
			cJSON_AddNullToObject(o, "retry");
		cJSON_AddBoolToObject(o, "retryable", q->retry[0] != '\0');
		cJSON_AddStringToObject(o, "at", q->at);
		return 0;
	}
	if (l->n > CLI_STATUS_QUARANTINE_SHOWN)
		return 0;
	/* the hub's words and stored names came from outside (termsafe.h) */
	if ((reason = termsafe_dup(q->reason[0] ? q->reason : "хаб не объяснил причину")) == NULL ||
	    (school = termsafe_dup(q->school)) == NULL || (form = termsafe_dup(q->form_id)) == NULL) {
		free(reason);
		free(school);
		return TERR_NOMEM;
	}
	app_time_local(q->at, when, sizeof(when));
	cli_status_reason_text(reason, q->seq, shown, sizeof(shown));
	fprintf(l->c->out, "  • %s  %s v%lld, школа %s%s%s%s\n    причина: %s\n    что делать: %s\n",
	    id, form, (long long)q->form_version, school, when[0] ? ", ответ хаба " : "", when,
	    strcmp(q->op, "delete") == 0 ? " (удаление)" : "", shown,
	    cli_status_retry_hint(q->retry));
	free(reason);
	free(school);
	free(form);
	return 0;
}

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

/* The register's name of school code (meta school_names, from the hub),
 * escaped for the terminal, in *out (malloc'd; NULL when unknown). */
static int
cli_status_named(struct store *s, const char *code, char **out, struct terr *e)
{
	char name[256];
	int r;

	free(*out);
	*out = NULL;
	if ((r = localdb_school_name(store_localdb(s), code, name, sizeof(name), e)) <= 0)
		return r;
	if ((*out = termsafe_dup(name)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	return 0;
}

/* device_schools ("170103,170104") as the array it is: typed JSON. */
static void
cli_status_list_json(cJSON *o, const char *key, const char *list)
{
	cJSON *a = cJSON_AddArrayToObject(o, key);
	const char *p = list, *comma;

	while (a != NULL && *p) {
		size_t n = (comma = strchr(p, ',')) ? (size_t)(comma - p) : strlen(p);
		char code[64];

		if (n > 0 && n < sizeof(code)) {
			memcpy(code, p, n);
			code[n] = '\0';
			cJSON_AddItemToArray(a, cJSON_CreateString(code));
		}
		p += n + (comma != NULL);
	}
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
	int64_t conflicts = 0;
	uint64_t pulled = 0;
	int r, rc;

	if ((rc = cli_open(c, &s)) != CLI_OK)
		return rc;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if ((r = store_meta_get(s, keys[i], &vals[i], &c->e)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
	if ((r = store_counts(s, &n, &c->e)) != 0 ||
	    (r = localdb_conflict_count(store_localdb(s), &conflicts, &c->e)) != 0 ||
	    (r = localdb_pull_after(store_localdb(s), &pulled, &c->e)) != 0) {
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
			if (vals[i] == NULL)
				cJSON_AddNullToObject(o, keys[i]);
			else if (i == 4)
				cli_status_list_json(o, keys[i], vals[i]);
			else if (i == 8)
				cJSON_AddNumberToObject(o, keys[i], (double)skew);
			else
				cJSON_AddStringToObject(o, keys[i], vals[i]);
		}
		cJSON_AddStringToObject(o, "db", c->db);
		cJSON_AddNumberToObject(o, "pending", (double)n.pending);
		cJSON_AddNumberToObject(o, "sent", (double)n.sent);
		cJSON_AddNumberToObject(o, "acked", (double)n.acked);
		cJSON_AddNumberToObject(o, "quarantined", (double)n.quarantined);
		cJSON_AddNumberToObject(o, "drafts", (double)n.drafts);
		cJSON_AddNumberToObject(o, "final", (double)n.finals);
		cJSON_AddNumberToObject(o, "deleted", (double)n.deleted);
		cJSON_AddNumberToObject(o, "conflicts", (double)conflicts);
		cJSON_AddNumberToObject(o, "pull_after", (double)pulled);
		cJSON_AddItemToObject(o, "quarantine_reasons", reasons);
		reasons = NULL;
		{
			struct cli_status_q l = { c, cJSON_CreateArray(), 0, 0 };

			if (l.arr == NULL || !cJSON_AddItemToObject(o, "quarantine", l.arr)) {
				cJSON_Delete(l.arr);
				rc = cli_fail(c, terr_set(&c->e, TERR_NOMEM, "недостаточно памяти"));
				goto out;
			}
			if ((r = localdb_quarantined_each(store_localdb(s), 0, cli_status_quarantined,
			    &l, &c->e)) != 0) {
				if (r == TERR_NOMEM)
					terr_set(&c->e, r, "недостаточно памяти");
				rc = cli_fail(c, r);
				goto out;
			}
		}
		cJSON_AddBoolToObject(o, "clock_skew_warning",
		    llabs(skew) > CLI_STATUS_SKEW_WARN_MS);
		if ((r = cli_passphrase_summary(c, s, o)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
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
		if (vals[0] && (vals[1] == NULL || *vals[1] == '\0') &&
		    (r = cli_status_named(s, vals[0], &vals[1], &c->e)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
		fprintf(c->out, "Школа: %s%s%s\n", vals[0] ? vals[0] : "—",
		    vals[1] && *vals[1] ? " — " : "", vals[1] ? vals[1] : "");
		fprintf(c->out, "Устройство: %s (%s)\n", vals[2] ? vals[2] : "—",
		    vals[3] && strcmp(vals[3], "curator") == 0 ? "куратор" : "школа");
		/* a curator's schools (from the enrollment token): records of
		 * these only (rec_school_check) */
		if (vals[3] && strcmp(vals[3], "curator") == 0) {
			char code[SCHOOL_CODE_MAX + 1];
			const char *cur = vals[4] ? vals[4] : "";
			bool first = true;

			fputs("Школы куратора: ", c->out);
			/* with the names the hub sent (its register), when known */
			while (school_list_next(&cur, code)) {
				char *name = NULL;

				if ((r = cli_status_named(s, code, &name, &c->e)) != 0) {
					rc = cli_fail(c, r);
					goto out;
				}
				fprintf(c->out, "%s%s%s%s", first ? "" : ", ", code,
				    name ? " — " : "", name ? name : "");
				free(name);
				first = false;
			}
			fputs(vals[4] && *vals[4] ? "\n" : "ещё не известны — "
			    "зарегистрируйте устройство (tetrad enroll)\n", c->out);
		}
		fprintf(c->out, "Хаб: %s\n", vals[5] ? vals[5] :
		    "не подключён (tetrad enroll)");
		fprintf(c->out, "Записи: черновиков %lld, окончательных %lld, "
		    "удалённых %lld\n", (long long)n.drafts, (long long)n.finals,
		    (long long)n.deleted);
		if ((r = cli_passphrase_summary(c, s, NULL)) != 0) {
			rc = cli_fail(c, r);
			goto out;
		}
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
			char shown[1024];

			cli_status_reason_text(t, 0, shown, sizeof(shown));
			fprintf(c->out, "  карантин: %s — %d\n", shown,
			    cJSON_GetObjectItem(q, "count")->valueint);
			free(t);
		}
		if (n.quarantined > 0) {
			struct cli_status_q l = { c, NULL, 0, 0 };

			fprintf(c->out, "Не приняты хабом (карантин), записей %lld:\n",
			    (long long)n.quarantined);
			if ((r = localdb_quarantined_each(store_localdb(s), 0, cli_status_quarantined,
			    &l, &c->e)) != 0) {
				if (r == TERR_NOMEM)
					terr_set(&c->e, r, "недостаточно памяти");
				rc = cli_fail(c, r);
				goto out;
			}
			if (l.n > CLI_STATUS_QUARANTINE_SHOWN)
				fprintf(c->out, "  … и ещё %lld (все: tetrad status --json)\n",
				    (long long)(l.n - CLI_STATUS_QUARANTINE_SHOWN));
		}
		if (conflicts > 0)
			fprintf(c->out, "Конфликты: %lld — ваши значения уступили изменениям с "
			    "другого устройства: tetrad conflicts\n", (long long)conflicts);
		{
			char when[64];

			app_time_local(vals[6], when, sizeof(when));
			fprintf(c->out, "Последняя синхронизация: %s%s%s%s\n",
			    vals[6] ? when : "не было", vals[7] ? " (" : "",
			    vals[7] ? app_sync_result_words(vals[7]) : "", vals[7] ? ")" : "");
		}
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
