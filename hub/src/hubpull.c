/*
 * hubpull — what the hub sends each device back (hubpull.h): scope, one
 * sealed answer, the request and acknowledgement checks, the USB file.
 */
#include "hub/hubpull.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "hub/ingest.h"
#include "tetrad/fileio.h"
#include "tetrad/form.h"
#include "tetrad/school.h"

struct hubpull_scope {
	char **schools, **forms;
	size_t nschools, nforms, cap_forms;
	struct hubdb_feed_scope feed;
	unsigned want;                    /* FORM_SHARE_* bit of the device's kind */
};

void
hubpull_scope_free(struct hubpull_scope *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nschools; i++)
		free(s->schools[i]);
	for (size_t i = 0; i < s->nforms; i++)
		free(s->forms[i]);
	free(s->schools);
	free(s->forms);
	free(s);
}

static int
hubpull_scope_form(const char *id, unsigned share, void *arg)
{
	struct hubpull_scope *s = arg;

	if ((share & s->want) == 0)
		return 0;
	if (s->nforms == s->cap_forms) {
		size_t cap = s->cap_forms ? 2 * s->cap_forms : 8;
		char **f = realloc(s->forms, cap * sizeof(*f));

		if (f == NULL)
			return TERR_NOMEM;
		s->forms = f;
		s->cap_forms = cap;
	}
	if ((s->forms[s->nforms] = strdup(id)) == NULL)
		return TERR_NOMEM;
	s->nforms++;
	return 0;
}

int
hubpull_scope_of(struct hubforms *forms, const struct hubdb_device *d,
    struct hubpull_scope **out, struct terr *e)
{
	struct hubpull_scope *s;
	const char *cur = d->schools;
	char code[SCHOOL_CODE_MAX + 1];
	size_t n = 0;
	int r;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	/* a kind the hub does not know shares nothing */
	s->want = strcmp(d->kind, "school") == 0 ? FORM_SHARE_SCHOOL :
	    strcmp(d->kind, "curator") == 0 ? FORM_SHARE_CURATORS : 0;
	while (school_list_next(&cur, code))
		n++;
	if (s->want != 0 && n > 0) {
		if ((s->schools = calloc(n, sizeof(*s->schools))) == NULL)
			goto nomem;
		for (cur = d->schools; s->nschools < n && school_list_next(&cur, code);)
			if ((s->schools[s->nschools++] = strdup(code)) == NULL)
				goto nomem;
		if ((r = hubforms_share_each(forms, hubpull_scope_form, s)) != 0)
			goto nomem;
	}
	s->feed.schools = (const char *const *)s->schools;
	s->feed.nschools = s->nschools;
	s->feed.forms = (const char *const *)s->forms;
	s->feed.nforms = s->nforms;
	*out = s;
	return 0;
 nomem:
	hubpull_scope_free(s);
	return terr_set(e, TERR_NOMEM, "недостаточно памяти");
}

const struct hubdb_feed_scope *
hubpull_scope_feed(const struct hubpull_scope *s)
{
	return &s->feed;
}

/* ------------------------------------------------------------------ */
/* One answer                                                           */

#define HUBPULL_FULL 1                    /* the batch is full: more follow */
#define HUBPULL_BIG 2                     /* the first item alone is over the bound */

struct hubpull_fill {
	struct pullmsg_builder *b;
	size_t max_items;
	struct hubpull_batch *batch;
};

static int
hubpull_item(void *ctx, const struct hubdb_feed_item *it)
{
	struct hubpull_fill *f = ctx;
	struct terr le;
	int r;

	if (pullmsg_builder_count(f->b) >= f->max_items)
		return HUBPULL_FULL;
	terr_clear(&le);
	switch (it->kind) {
	case HUBDB_FEED_RECORD:
		r = pullmsg_add_record(f->b, it->pos, it->id, it->form_id, it->form_version,
		    it->school, it->data, it->data_len, it->clocks, it->clocks_len, &le);
		f->batch->records += r == 0;
		break;
	case HUBDB_FEED_PROFILE:
		r = pullmsg_add_profile(f->b, it->pos, it->school, it->years, strlen(it->years),
		    &le);
		f->batch->profiles += r == 0;
		break;
	case HUBDB_FEED_SCHOOL:
		r = pullmsg_add_school(f->b, it->pos, it->school, it->name, &le);
		f->batch->schools += r == 0;
		break;
	default:
		return 0;
	}
	/* over the byte bound: what the batch holds goes, the rest next time */
	if (r == TERR_TOO_LARGE)
		return pullmsg_builder_count(f->b) > 0 ? HUBPULL_FULL : HUBPULL_BIG;
	/*
	 * A stored text the answer cannot carry (a record damaged on the hub,
	 * which merge also leaves alone until a person looks): skipped and
	 * counted, so one record never stops a device's pulls for good.
	 */
	if (r == TERR_ARG) {
		f->batch->skipped++;
		return 0;
	}
	return r;
}

/* One attempt at the answer, with a builder bounded by max_plain. */
static int
hubpull_fill(struct hubdb *db, const struct hubpull_scope *scope,
    const struct hubdb_device *d, uint64_t after, size_t max_items, size_t max_plain,
    struct pullmsg_builder **out, uint64_t *head, struct hubpull_batch *b, struct terr *e)
{
	struct hubpull_fill f;
	uint8_t id[KEYS_ID_BYTES];
	struct terr fe;
	int r;

	memset(b, 0, sizeof(*b));
	b->after = after;
	keys_id(d->pk, id);
	if ((*out = pullmsg_builder_new(id, after, max_plain)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	f.b = *out;
	f.max_items = max_items;
	f.batch = b;
	/* the head and the items from one snapshot: nothing below upto is missed */
	if ((r = hubdb_begin_read(db, e)) != 0)
		return r;
	if ((r = hubdb_feed_head(db, head, e)) != 0)
		goto out;
	if (after > *head) {
		r = terr_set(e, TERR_ARG, "отметка устройства %" PRIu64 " впереди ленты хаба "
		    "(%" PRIu64 ")", after, *head);
		goto out;
	}
	terr_clear(&fe);
	r = hubdb_feed_read(db, hubpull_scope_feed(scope), after, max_items + 1, hubpull_item,
	    &f, &fe);
	if (r != 0 && r != HUBPULL_FULL && r != HUBPULL_BIG)
		r = terr_set(e, r, "ответ устройству %s: %s", d->id, fe.code ? fe.msg :
		    "ошибка чтения ленты");
 out:
	hubdb_rollback(db);
	return r;
}

int
hubpull_answer(struct hubdb *db, const struct hubpull_cfg *cfg,
    const struct hubdb_device *d, uint64_t after, uint32_t max_items,
    const uint8_t nonce[PULLMSG_NONCE_BYTES], struct tbuf *out,
    struct hubpull_batch *b, struct terr *e)
{
	struct hubpull_scope *scope = NULL;
	struct pullmsg_builder *pb = NULL;
	uint64_t head = 0;
	size_t max = max_items == 0 || max_items > PULLMSG_MAX_ITEMS ? PULLMSG_MAX_ITEMS :
	    max_items;
	int r;

	memset(b, 0, sizeof(*b));
	if (!d->has_box)
		return terr_set(e, TERR_ARG, "у устройства %s на хабе нет ключа шифрования", d->id);
	/* a version another hub process published is in the store, not here yet */
	if ((r = hubforms_sync(cfg->forms, db, e)) != 0 ||
	    (r = hubpull_scope_of(cfg->forms, d, &scope, e)) != 0)
		return r;
	r = hubpull_fill(db, scope, d, after, max, cfg->max_plain, &pb, &head, b, e);
	if (r == HUBPULL_BIG) {
		/* an item bigger than a batch goes alone, in a builder of the largest bound */
		pullmsg_builder_free(pb);
		r = hubpull_fill(db, scope, d, after, 1, PULLMSG_MAX_PLAIN, &pb, &head, b, e);
		if (r == HUBPULL_BIG)
			r = terr_set(e, TERR_TOO_LARGE, "ответ устройству %s: запись после номера "
			    "%" PRIu64 " больше наибольшего ответа", d->id, after);
	}
	if (r != 0 && r != HUBPULL_FULL)
		goto out;
	/* the feed read may hold a group not yet on disk; the device's cursor
	 * passes it for good (hubdb.h, hubdb_group_writer) */
	b->more = r == HUBPULL_FULL;
	if ((r = hubdb_durable(db, e)) != 0)
		goto out;
	b->upto = b->more ? pullmsg_builder_last(pb) : head;
	r = pullmsg_seal(pb, b->upto, b->more, nonce, cfg->sign, d->box_pk, NULL, out, e);
 out:
	hubpull_scope_free(scope);
	pullmsg_builder_free(pb);
	return r;
}

/* ------------------------------------------------------------------ */
/* Requests and acknowledgements                                        */

static int
hubpull_refuse(struct hubpull_result *res, int http, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
hubpull_refuse(struct hubpull_result *res, int http, const char *code, const char *fmt, ...)
{
	va_list ap;

	res->http = http;
	snprintf(res->error, sizeof(res->error), "%s", code);
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	return 0;
}

/*
 * The checks a request and an ack share (hubpull.h, in that order). *ok
 * false: res holds the refusal. d and rq are filled on success.
 */
static int
hubpull_check(struct hubdb *db, const struct hubpull_cfg *cfg, const uint8_t *body,
    size_t len, enum pullmsg_req_kind kind, uint64_t now_ms, struct pullmsg_request *rq,
    struct hubdb_device *d, bool *ok, struct hubpull_result *res, struct terr *e)
{
	uint64_t ahead = cfg->max_ahead_ms ? cfg->max_ahead_ms : INGEST_MAX_AHEAD_MS;
	struct hlc_ts ts;
	struct terr le;
	uint64_t head;
	bool found;
	int r;

	*ok = false;
	terr_clear(&le);
	if (pullmsg_request_parse(body, len, rq, &le) != 0)
		return hubpull_refuse(res, 400, "malformed", "%s", le.msg);
	if (rq->kind != kind)
		return hubpull_refuse(res, 400, "malformed", kind == PULLMSG_REQUEST ?
		    "ожидался запрос изменений, а пришло подтверждение" :
		    "ожидалось подтверждение, а пришёл запрос изменений");
	for (size_t i = 0; i < KEYS_ID_BYTES; i++)
		snprintf(res->device + 2 * i, 3, "%02x", rq->device_id[i]);
	if ((r = hubdb_device_get(db, res->device, d, &found, e)) != 0)
		return r;
	if (!found)
		return hubpull_refuse(res, 403, "unknown_device", "устройство %s не "
		    "зарегистрировано на этом хабе; зарегистрируйте его кодом от координатора",
		    res->device);
	if (pullmsg_request_verify(body, len, d->pk, &le) != 0)
		return hubpull_refuse(res, 400, "signature", "%s", le.msg);
	if (d->revoked)
		return hubpull_refuse(res, 403, "revoked", "устройство %s отозвано на хабе %s: "
		    "хаб ему больше ничего не отдаёт; обратитесь к координатору", d->id,
		    d->revoked_at);
	/* a clock far ahead would go into every record the device then writes */
	if (hlc_decode(rq->hlc, &ts) != 0 || (ts.wall_ms > now_ms && ts.wall_ms - now_ms > ahead))
		return hubpull_refuse(res, 400, "clock", "часы устройства %s (%s) впереди "
		    "часов хаба больше чем на %" PRIu64 " мин: проверьте дату и время на "
		    "устройстве", d->id, rq->hlc, ahead / 60000);
	if (!d->has_box) {
		if ((r = hubdb_device_box(db, d->id, rq->box_pk, &res->box_registered, &le)) != 0 &&
		    r != TERR_ARG)
			return terr_set(e, r, "%s", le.msg);
		if (r == 0) {
			d->has_box = true;
			memcpy(d->box_pk, rq->box_pk, KEYS_ENC_PK_BYTES);
		}
	} else if (memcmp(d->box_pk, rq->box_pk, KEYS_ENC_PK_BYTES) != 0)
		r = TERR_ARG;
	else
		r = 0;
	if (r == TERR_ARG)
		return hubpull_refuse(res, 409, "box_key", "у устройства %s на хабе другой ключ "
		    "шифрования: ответы хаба шифруются только для ключа, с которым устройство "
		    "получало их впервые; чтобы сменить ключ, перерегистрируйте устройство",
		    d->id);
	if ((r = hubdb_feed_head(db, &head, e)) != 0)
		return r;
	if (rq->after > head)
		return hubpull_refuse(res, 409, "cursor_ahead", "устройство %s получило с хаба "
		    "изменения до номера %" PRIu64 ", а у хаба их только %" PRIu64 ": база хаба "
		    "восстановлена из старой копии? Устройству нужно получить всё заново "
		    "(с номера 0)", d->id, rq->after, head);
	*ok = true;
	return 0;
}

int
hubpull_request(struct hubdb *db, const struct hubpull_cfg *cfg,
    const uint8_t *body, size_t len, uint64_t now_ms, struct tbuf *out,
    struct hubpull_result *res, struct terr *e)
{
	struct pullmsg_request rq;
	struct hubdb_device d;
	bool ok;
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = hubpull_check(db, cfg, body, len, PULLMSG_REQUEST, now_ms, &rq, &d, &ok, res,
	    e)) != 0 || !ok)
		return r;
	if ((r = hubpull_answer(db, cfg, &d, rq.after, rq.max_items, rq.nonce, out,
	    &res->batch, e)) != 0)
		return r;
	res->http = 200;
	return 0;
}

int
hubpull_ack(struct hubdb *db, const struct hubpull_cfg *cfg, const uint8_t *body,
    size_t len, uint64_t now_ms, struct hubpull_result *res, struct terr *e)
{
	struct pullmsg_request rq;
	struct hubdb_device d;
	bool ok;
	int r;

	memset(res, 0, sizeof(*res));
	if ((r = hubpull_check(db, cfg, body, len, PULLMSG_ACK, now_ms, &rq, &d, &ok, res,
	    e)) != 0 || !ok)
		return r;
	if ((r = hubdb_device_pull_ack(db, d.id, rq.after, e)) != 0)
		return r;
	res->batch.after = res->batch.upto = rq.after;
	res->http = 200;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The USB file of changes                                              */

struct hubpull_sink {
	int fd;
	off_t off;
	const char *path;
};

static int
hubpull_write(void *ctx, const uint8_t *buf, size_t len, struct terr *e)
{
	struct hubpull_sink *s = ctx;

	while (len > 0) {
		ssize_t w = pwrite(s->fd, buf, len, s->off);

		if (w < 0)
			return terr_set(e, TERR_IO, "не удалось записать %s: %s", s->path,
			    terr_strerror(errno));
		buf += w;
		len -= (size_t)w;
		s->off += w;
	}
	return 0;
}

int
hubpull_export(struct hubdb *db, const struct hubpull_cfg *cfg, const char *device_id,
    const char *path, struct hubpull_export_counts *n, struct terr *e)
{
	struct fileio_private *fp = NULL;
	struct hubpull_sink sk = { -1, 0, path }, hk = { -1, 0, path };
	struct usbfile_sink sink = { hubpull_write, &sk }, hsink = { hubpull_write, &hk };
	struct hubpull_batch b;
	struct hubdb_device d;
	struct tbuf *ans = NULL;
	uint8_t id[KEYS_ID_BYTES];
	uint64_t after;
	bool found;
	int r;

	memset(n, 0, sizeof(*n));
	if ((r = hubdb_device_get(db, device_id, &d, &found, e)) != 0)
		return r;
	if (!found)
		return terr_set(e, TERR_NOTFOUND, "устройство %s не найдено", device_id);
	if (d.revoked)
		return terr_set(e, TERR_ARG, "устройство %s отозвано (%s): изменения ему не "
		    "выгружаются", d.id, d.revoked_at);
	if (!d.has_box)
		return terr_set(e, TERR_ARG, "у хаба ещё нет ключа шифрования устройства %s: "
		    "сначала загрузите с флешки его файл подтверждения (tetrad-syncd export "
		    "пишет его рядом с выгрузкой) командой tetrad-hub import", d.id);
	if (access(path, F_OK) == 0)
		return terr_set(e, TERR_IO, "файл %s уже существует: укажите новое имя", path);
	keys_id(d.pk, id);
	if ((ans = tbuf_new(PULLMSG_MAX_BYTES)) == NULL)
		return terr_set(e, TERR_NOMEM, "недостаточно памяти");
	if ((r = fileio_private_open(path, &fp, e)) != 0)
		goto out;
	sk.fd = hk.fd = fileio_private_fd(fp);
	/* the count is known at the end: a placeholder first, written over then */
	if ((r = pullmsg_file_write_header(&sink, id, 0, e)) != 0)
		goto out;
	n->after = n->upto = after = d.pull_acked;
	do {
		tbuf_reset(ans);
		if ((r = hubpull_answer(db, cfg, &d, after, PULLMSG_MAX_ITEMS, NULL, ans, &b,
		    e)) != 0)
			goto out;
		/* nothing new and nothing passed: no answer to carry */
		if (b.records + b.profiles + b.schools == 0 && b.upto == after)
			break;
		if ((r = pullmsg_file_write_answer(&sink, id, tbuf_ptr(ans), tbuf_len(ans),
		    e)) != 0)
			goto out;
		n->answers++;
		n->records += b.records;
		n->profiles += b.profiles;
		n->schools += b.schools;
		n->upto = after = b.upto;
	} while (b.more && n->answers < USBFILE_MAX_ITEMS);
	if ((r = pullmsg_file_write_header(&hsink, id, n->answers, e)) != 0)
		goto out;
	r = fileio_private_commit(fp, true, e);
	fp = NULL;
 out:
	fileio_private_abort(fp);
	tbuf_free(ans);
	return r;
}
