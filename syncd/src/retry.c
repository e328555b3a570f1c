/*
 * retry — quarantined sets sent again when the hub's answer says their
 * cause is gone (wire.h wire_retry), at the start of a sync run.
 */
#include "syncd/retry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "syncd/net.h"
#include "tetrad/hlc.h"
#include "tetrad/localdb.h"
#include "tetrad/wire.h"

/*
 * Quarantined sets the hub said may go again (wire.h wire_retry) go again
 * when its answer now says their cause is gone: every form of the set is in
 * its list of known forms (GET /v1/forms/known), or its clock has reached
 * the set's stamps. Their entries become pending ones (localdb_requeue) and
 * go with this run's push. Nothing to look at: no request at all.
 */
#define RETRY_BATCHES 256        /* sets looked at per run */
#define RETRY_KNOWN_MAX (1u << 20)     /* GET /v1/forms/known body */

struct retry_set {
	int64_t id[RETRY_BATCHES];
	enum wire_retry cls[RETRY_BATCHES];
	size_t n;
};

static int
retry_add(int64_t batch_id, const char *retry, void *arg)
{
	struct retry_set *s = arg;

	if (s->n == RETRY_BATCHES)
		return 1;
	s->id[s->n] = batch_id;
	s->cls[s->n++] = wire_retry_of(retry);
	return 0;
}

/* What one set's entries need, compared with what the hub says now. */
struct retry_check {
	const cJSON *known;           /* the hub's forms, NULL if not asked */
	int64_t hub_now_ms;           /* 0: unknown */
	enum wire_retry cls;
	int ready;                    /* stays 1 while every entry may go */
};

static int
retry_entry(const struct localdb_quarantined *q, void *arg)
{
	struct retry_check *k = arg;
	const cJSON *it;
	struct hlc_ts t;

	if (k->cls == WIRE_RETRY_FORMS) {
		int found = 0;

		cJSON_ArrayForEach(it, k->known) {
			const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "version");

			if (cJSON_IsString(id) && cJSON_IsNumber(v) && strcmp(id->valuestring,
			    q->form_id) == 0 && v->valuedouble == (double)q->form_version) {
				found = 1;
				break;
			}
		}
		k->ready &= found;
	} else if (k->cls == WIRE_RETRY_CLOCK) {
		/* the hub takes stamps up to INGEST_MAX_AHEAD_MS ahead; wait until
		 * it is past them, to be sure */
		k->ready &= k->hub_now_ms > 0 && hlc_decode(q->hlc, &t) == 0 &&
		    (int64_t)t.wall_ms <= k->hub_now_ms;
	} else
		k->ready = 0;
	return k->ready ? 0 : 1;
}

int
retry_run(struct sync_ctx *c, struct net *n, const struct sync_opts *o,
    struct sync_result *res, struct terr *e)
{
	struct retry_set *s = NULL;
	struct net_resp resp;
	struct retry_check k;
	struct terr ne;
	cJSON *known = NULL;
	int64_t skew = 0, moved;
	int r, forms = 0;

	memset(&resp, 0, sizeof(resp));
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	if ((r = localdb_retry_batches(c->db, retry_add, s, e)) < 0 || s->n == 0)
		goto out;
	for (size_t i = 0; i < s->n; i++)
		forms |= s->cls[i] == WIRE_RETRY_FORMS;
	terr_clear(&ne);
	/* one request either way: the forms the hub knows, or just its clock */
	r = net_request(n, "GET", forms ? WIRE_PATH_FORMS_KNOWN : WIRE_PATH_HEALTH, NULL, NULL, 0,
	    RETRY_KNOWN_MAX, &resp, &ne);
	if (r != 0 || resp.status != 200) {
		/* an older hub has no such list: the person can still `tetrad retry` */
		if (r == 0)
			sync_logf(o, SYNC_LOG_INFO, "хаб не сообщил, %s (HTTP %ld): записи из "
			    "карантина не отправлены снова", forms ? "какие формы знает" :
			    "который у него час", resp.status);
		r = 0;
		goto out;
	}
	if (forms && !cJSON_IsArray(known = cJSON_ParseWithLength((const char *)tbuf_ptr(resp.body),
	    tbuf_len(resp.body)))) {
		sync_logf(o, SYNC_LOG_WARN, "список известных хабу форм: неверный JSON");
		r = 0;
		goto out;
	}
	memset(&k, 0, sizeof(k));
	k.known = known;
	if (net_clock_skew(n, &skew)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		k.hub_now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - skew;
	}
	for (size_t i = 0; i < s->n; i++) {
		k.cls = s->cls[i];
		k.ready = 1;
		if ((r = localdb_quarantined_each(c->db, s->id[i], retry_entry, &k, e)) < 0)
			goto out;
		if (!k.ready)
			continue;
		if ((r = localdb_requeue(c->db, s->id[i], true, &moved, e)) != 0)
			goto out;
		if (moved > 0)
			sync_logf(o, SYNC_LOG_INFO, "хаб теперь %s: %lld записей из карантина "
			    "отправляются снова", k.cls == WIRE_RETRY_FORMS ? "знает их формы" :
			    "принимает их время", (long long)moved);
		res->entries_requeued += moved;
	}
	r = 0;
 out:
	net_resp_free(&resp);
	cJSON_Delete(known);
	free(s);
	return r;
}
