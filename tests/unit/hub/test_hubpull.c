/*
 * test_hubpull — the hub's feed and pull service on a real store with the
 * built-in forms and real keys: who gets what (a school device, a curator,
 * the mediation journal never to a curator, the surveys to nobody), feed
 * order (strictly increasing, a rewritten record once at its new place,
 * nothing outside the scope), answers split by count and joined again
 * without a gap or a repeat, the request and ack checks in their order,
 * and the USB file of changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "test_store.h"
#include "hub/hubdb.h"
#include "hub/hubdb_calendar.h"
#include "hub/hubforms.h"
#include "hub/hubpull.h"
#include "tetrad/fileio.h"
#include "tetrad/hlc.h"
#include "tetrad/pullmsg.h"

static struct keys_sign hub_sign;

struct pdev {
	struct keys_sign k;
	struct keys_enc box;
	char id[KEYS_ID_HEXLEN + 1];
	uint8_t kid[KEYS_ID_BYTES];
};

static void
pdev_add(struct hubdb *db, struct pdev *p, const char *kind, const char *schools)
{
	struct hubdb_device d;
	struct terr e;

	keys_sign_generate(&p->k);
	keys_enc_generate(&p->box);
	keys_id_hex(p->k.pk, p->id);
	keys_id(p->k.pk, p->kid);
	memset(&d, 0, sizeof(d));
	snprintf(d.id, sizeof(d.id), "%s", p->id);
	memcpy(d.pk, p->k.pk, sizeof(d.pk));
	snprintf(d.kind, sizeof(d.kind), "%s", kind);
	snprintf(d.label, sizeof(d.label), "t");
	snprintf(d.schools, sizeof(d.schools), "%s", schools);
	CHECK_INT_EQ(hubdb_device_add(db, &d, &e), 0);
}

static void
rec_put(struct hubdb *db, unsigned n, const char *form, const char *school, const char *data)
{
	struct hubdb_record r;
	struct hlc_ts ts = { 1700000000000ull + n, 0, 0xaa };
	char clocks[128];
	struct terr e;

	memset(&r, 0, sizeof(r));
	r.id[0] = 0x01;
	r.id[6] = 0x70;
	r.id[8] = 0x80;
	r.id[15] = (uint8_t)n;
	r.id[14] = (uint8_t)(n >> 8);
	snprintf(r.form_id, sizeof(r.form_id), "%s", form);
	r.form_version = 1;
	snprintf(r.school, sizeof(r.school), "%s", school);
	snprintf(r.device_id, sizeof(r.device_id), "00000000000000aa");
	hlc_encode(&ts, r.hlc);
	snprintf(clocks, sizeof(clocks), "{\"p\":[\"%s\",\"00000000000000aa\"],"
	    "\"x\":[\"%s\",\"00000000000000aa\",0]}", r.hlc, r.hlc);
	r.clocks = clocks;
	if ((r.data = strdup(data)) == NULL)
		return;
	CHECK_INT_EQ(hubdb_record_put(db, &r, &e), 0);
	free(r.data);
}

/* What a feed read handed over. */
struct seen {
	size_t n;
	uint64_t pos[256];
	char what[256][64];
};

static int
seen_item(void *ctx, const struct hubdb_feed_item *it)
{
	struct seen *s = ctx;

	if (s->n >= 256)
		return 1;
	s->pos[s->n] = it->pos;
	if (it->kind == HUBDB_FEED_RECORD)
		snprintf(s->what[s->n], 64, "%s/%s/%u%s", it->school, it->form_id, it->id[15],
		    it->deleted ? "x" : "");
	else if (it->kind == HUBDB_FEED_PROFILE)
		snprintf(s->what[s->n], 64, "profile/%s", it->school);
	else
		snprintf(s->what[s->n], 64, "school/%s=%s", it->school, it->name);
	s->n++;
	return 0;
}

static bool
seen_has(const struct seen *s, const char *what)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->what[i], what) == 0)
			return true;
	return false;
}

static void
seen_read(struct hubdb *db, struct hubforms *forms, const struct pdev *p, uint64_t after,
    struct seen *s)
{
	struct hubpull_scope *sc = NULL;
	struct hubdb_device d;
	struct terr e;
	bool found;

	memset(s, 0, sizeof(*s));
	CHECK_INT_EQ(hubdb_device_get(db, p->id, &d, &found, &e), 0);
	CHECK_INT_EQ(hubpull_scope_of(forms, &d, &sc, &e), 0);
	if (sc == NULL)
		return;
	CHECK_INT_EQ(hubdb_begin_read(db, &e), 0);
	CHECK_INT_EQ(hubdb_feed_read(db, hubpull_scope_feed(sc), after, 1000, seen_item, s, &e), 0);
	hubdb_rollback(db);
	hubpull_scope_free(sc);
	for (size_t i = 1; i < s->n; i++)
		CHECK(s->pos[i] > s->pos[i - 1]);
}

static void
test_scope_and_order(struct hubdb *db, struct hubforms *forms, struct pdev *school,
    struct pdev *curator, struct pdev *other)
{
	struct hubdb_profile prof = { "170101", 2026, "R01", "high" };
	struct seen s;
	struct terr e;
	uint64_t mid;

	CHECK_INT_EQ(hubdb_school_put(db, "170101", "Школа №1", &e), 0);
	rec_put(db, 1, "social_passport", "170101", "{\"a\":1}");
	rec_put(db, 2, "mediation_case", "170101", "{\"m\":1}");
	rec_put(db, 3, "survey_student", "170101", "{\"s\":1}");
	rec_put(db, 4, "risk_visit", "170102", "{\"v\":1}");
	rec_put(db, 5, "risk_visit", "170199", "{\"v\":2}");
	CHECK_INT_EQ(hubdb_profile_clear(db, "170101", 2026, &e), 0);
	CHECK_INT_EQ(hubdb_profile_put(db, &prof, &e), 0);

	/* the school device: its school's passport, mediation and profile, its name */
	seen_read(db, forms, school, 0, &s);
	CHECK(seen_has(&s, "170101/social_passport/1"));
	CHECK(seen_has(&s, "170101/mediation_case/2"));
	CHECK(!seen_has(&s, "170101/survey_student/3"));
	CHECK(seen_has(&s, "profile/170101"));
	CHECK(seen_has(&s, "school/170101=Школа №1"));
	CHECK_INT_EQ(s.n, 4);
	/* the curator of 170101 and 170102: passport, visit, profile, name; no mediation */
	seen_read(db, forms, curator, 0, &s);
	CHECK(seen_has(&s, "170101/social_passport/1"));
	CHECK(!seen_has(&s, "170101/mediation_case/2"));
	CHECK(!seen_has(&s, "170101/survey_student/3"));
	CHECK(seen_has(&s, "170102/risk_visit/4"));
	CHECK(!seen_has(&s, "170199/risk_visit/5"));
	CHECK_INT_EQ(s.n, 4);
	/* a curator of other schools gets nothing of these */
	seen_read(db, forms, other, 0, &s);
	CHECK_INT_EQ(s.n, 0);

	/* a record written again moves to the end, once; the cursor sees only what is new */
	CHECK_INT_EQ(hubdb_feed_head(db, &mid, &e), 0);
	rec_put(db, 1, "social_passport", "170101", "{\"a\":2}");
	seen_read(db, forms, school, 0, &s);
	CHECK_INT_EQ(s.n, 4);
	CHECK_STR_EQ(s.what[s.n - 1], "170101/social_passport/1");
	seen_read(db, forms, school, mid, &s);
	CHECK_INT_EQ(s.n, 1);
	CHECK(s.n == 1 && s.pos[0] == mid + 1);
	/* a school added with no name travels once it has one */
	CHECK_INT_EQ(hubdb_school_put(db, "170102", NULL, &e), 0);
	seen_read(db, forms, curator, mid, &s);
	CHECK(!seen_has(&s, "school/170102="));
	CHECK_INT_EQ(hubdb_school_put(db, "170102", "Школа №2", &e), 0);
	seen_read(db, forms, curator, mid, &s);
	CHECK(seen_has(&s, "school/170102=Школа №2"));
	/* the same name again takes no position */
	CHECK_INT_EQ(hubdb_feed_head(db, &mid, &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "170102", "Школа №2", &e), 0);
	CHECK_INT_EQ(hubdb_school_put(db, "170102", NULL, &e), 0);
	seen_read(db, forms, curator, mid, &s);
	CHECK_INT_EQ(s.n, 0);
}

/* Pulls everything for p in answers of max items, opening each; *n items in all. */
static void
pull_all(struct hubdb *db, struct hubforms *forms, struct pdev *p, uint32_t max,
    struct seen *all, unsigned *answers)
{
	struct hubpull_cfg cfg = { .sign = &hub_sign, .forms = forms };
	struct hubpull_result res;
	struct pullmsg_request rq;
	uint8_t req[PULLMSG_REQ_BYTES];
	uint64_t after = 0;
	struct hlc_ts now = { hlc_wall_now(), 0, 0 };
	struct terr e;
	bool more = true;

	memset(all, 0, sizeof(*all));
	*answers = 0;
	while (more && *answers < 50) {
		struct tbuf *out = tbuf_new(PULLMSG_MAX_BYTES);
		struct pullmsg_batch *b = NULL;

		pullmsg_request_init(&rq, PULLMSG_REQUEST, after, p->box.pk, max, &now);
		CHECK_INT_EQ(pullmsg_request_sign(&rq, &p->k, req, &e), 0);
		CHECK_INT_EQ(hubpull_request(db, &cfg, req, sizeof(req), hlc_wall_now(), out, &res,
		    &e), 0);
		CHECK_INT_EQ(res.http, 200);
		if (res.http != 200) {
			fprintf(stderr, "%s: %s\n", res.error, res.message);
			tbuf_free(out);
			return;
		}
		CHECK_INT_EQ(pullmsg_open(tbuf_ptr(out), tbuf_len(out), hub_sign.pk, &p->box, p->kid,
		    rq.nonce, &b, &e), 0);
		tbuf_free(out);
		if (b == NULL)
			return;
		CHECK_INT_EQ(pullmsg_check_after(b, after, &e), 0);
		CHECK(b->n_records + b->n_profiles + b->n_schools <= max);
		for (size_t i = 0; i < b->n_records && all->n < 256; i++) {
			all->pos[all->n] = b->records[i].pos;
			snprintf(all->what[all->n++], 64, "%s/%s/%u", b->records[i].school,
			    b->records[i].form_id, b->records[i].id[15]);
		}
		for (size_t i = 0; i < b->n_profiles && all->n < 256; i++) {
			all->pos[all->n] = b->profiles[i].pos;
			snprintf(all->what[all->n++], 64, "profile/%s", b->profiles[i].school);
		}
		for (size_t i = 0; i < b->n_schools && all->n < 256; i++) {
			all->pos[all->n] = b->schools[i].pos;
			snprintf(all->what[all->n++], 64, "school/%s", b->schools[i].code);
		}
		more = b->more;
		after = b->upto;
		pullmsg_batch_free(b);
		(*answers)++;
	}
}

static void
test_batches(struct hubdb *db, struct hubforms *forms, struct pdev *curator)
{
	struct seen one, split;
	unsigned answers;
	uint64_t head;
	struct terr e;
	struct hubdb_device d;
	bool found;

	for (unsigned i = 10; i < 40; i++)
		rec_put(db, i, i % 2 ? "risk_visit" : "social_passport", i % 3 ? "170101" : "170102",
		    "{\"n\":1}");
	pull_all(db, forms, curator, PULLMSG_MAX_ITEMS, &one, &answers);
	CHECK_INT_EQ(answers, 1);
	CHECK_INT_EQ(one.n, 30 + 3 + 2);   /* 30 new, passport 1, visit 4, profile, 2 names */
	pull_all(db, forms, curator, 4, &split, &answers);
	CHECK_INT_EQ(answers, (one.n + 3) / 4);
	CHECK_INT_EQ(split.n, one.n);
	/* the same items at the same positions: nothing skipped, nothing twice */
	for (size_t i = 0; i < one.n; i++) {
		bool hit = false;

		for (size_t j = 0; j < split.n; j++)
			hit |= split.pos[j] == one.pos[i] && strcmp(split.what[j], one.what[i]) == 0;
		CHECK(hit);
	}
	/* the box key was registered by the first request */
	CHECK_INT_EQ(hubdb_device_get(db, curator->id, &d, &found, &e), 0);
	CHECK(d.has_box && memcmp(d.box_pk, curator->box.pk, 32) == 0);
	CHECK_INT_EQ(hubdb_feed_head(db, &head, &e), 0);
	CHECK(head > 0);
}

/* A request (or ack) of p with after, checked by the hub: its result. */
static void
ask(struct hubdb *db, struct hubforms *forms, struct pdev *p, enum pullmsg_req_kind kind,
    uint64_t after, const uint8_t *box, int flip, struct hubpull_result *res)
{
	struct hubpull_cfg cfg = { .sign = &hub_sign, .forms = forms };
	struct pullmsg_request rq;
	uint8_t req[PULLMSG_REQ_BYTES];
	struct hlc_ts now = { hlc_wall_now(), 0, 0 };
	struct tbuf *out = tbuf_new(PULLMSG_MAX_BYTES);
	struct terr e;

	pullmsg_request_init(&rq, kind, after, box ? box : p->box.pk, 10, &now);
	CHECK_INT_EQ(pullmsg_request_sign(&rq, &p->k, req, &e), 0);
	if (flip >= 0)
		req[flip] ^= 1;
	if (kind == PULLMSG_REQUEST)
		CHECK_INT_EQ(hubpull_request(db, &cfg, req, sizeof(req), hlc_wall_now(), out, res,
		    &e), 0);
	else
		CHECK_INT_EQ(hubpull_ack(db, &cfg, req, sizeof(req), hlc_wall_now(), res, &e), 0);
	tbuf_free(out);
}

static void
test_checks(struct hubdb *db, struct hubforms *forms, struct pdev *curator,
    struct pdev *other)
{
	struct hubpull_cfg cfg = { .sign = &hub_sign, .forms = forms };
	struct hubpull_result res;
	struct hubdb_device d;
	struct pdev stranger;
	struct keys_enc box2;
	uint8_t junk[PULLMSG_REQ_BYTES];
	uint64_t head;
	struct terr e;
	bool found;

	CHECK_INT_EQ(hubdb_feed_head(db, &head, &e), 0);
	/* the body's form, before anything is looked up */
	memset(junk, 'x', sizeof(junk));
	CHECK_INT_EQ(hubpull_request(db, &cfg, junk, sizeof(junk), hlc_wall_now(), NULL, &res,
	    &e), 0);
	CHECK_INT_EQ(res.http, 400);
	CHECK_STR_EQ(res.error, "malformed");
	/* a request where an ack is due, and the other way round */
	ask(db, forms, curator, PULLMSG_REQUEST, 0, NULL, -1, &res);
	CHECK_INT_EQ(res.http, 200);
	{
		struct pullmsg_request rq;
		uint8_t req[PULLMSG_REQ_BYTES];
		struct hlc_ts now = { hlc_wall_now(), 0, 0 };

		pullmsg_request_init(&rq, PULLMSG_REQUEST, 0, curator->box.pk, 10, &now);
		CHECK_INT_EQ(pullmsg_request_sign(&rq, &curator->k, req, &e), 0);
		CHECK_INT_EQ(hubpull_ack(db, &cfg, req, sizeof(req), hlc_wall_now(), &res, &e), 0);
		CHECK_INT_EQ(res.http, 400);
		CHECK_CONTAINS(res.message, "ожидалось подтверждение");
	}
	/* a device the hub does not know */
	memset(&stranger, 0, sizeof(stranger));
	keys_sign_generate(&stranger.k);
	keys_enc_generate(&stranger.box);
	ask(db, forms, &stranger, PULLMSG_REQUEST, 0, NULL, -1, &res);
	CHECK_INT_EQ(res.http, 403);
	CHECK_STR_EQ(res.error, "unknown_device");
	/* a signature that does not hold (a bit of the cursor changed in transit) */
	ask(db, forms, curator, PULLMSG_REQUEST, 0, NULL, 23, &res);
	CHECK_INT_EQ(res.http, 400);
	CHECK_STR_EQ(res.error, "signature");
	/* another box key than the registered one: refused, the old one kept */
	keys_enc_generate(&box2);
	ask(db, forms, curator, PULLMSG_REQUEST, 0, box2.pk, -1, &res);
	CHECK_INT_EQ(res.http, 409);
	CHECK_STR_EQ(res.error, "box_key");
	CHECK_INT_EQ(hubdb_device_get(db, curator->id, &d, &found, &e), 0);
	CHECK(memcmp(d.box_pk, curator->box.pk, 32) == 0);
	/* a cursor past the feed */
	ask(db, forms, curator, PULLMSG_REQUEST, head + 1, NULL, -1, &res);
	CHECK_INT_EQ(res.http, 409);
	CHECK_STR_EQ(res.error, "cursor_ahead");
	ask(db, forms, curator, PULLMSG_ACK, head + 1, NULL, -1, &res);
	CHECK_INT_EQ(res.http, 409);
	/* acks move the cursor forward only */
	ask(db, forms, curator, PULLMSG_ACK, head, NULL, -1, &res);
	CHECK_INT_EQ(res.http, 200);
	ask(db, forms, curator, PULLMSG_ACK, 1, NULL, -1, &res);
	CHECK_INT_EQ(res.http, 200);
	CHECK_INT_EQ(hubdb_device_get(db, curator->id, &d, &found, &e), 0);
	CHECK_INT_EQ(d.pull_acked, head);
	/* the first ack of a device that never pulled registers its box key */
	ask(db, forms, other, PULLMSG_ACK, 0, NULL, -1, &res);
	CHECK_INT_EQ(res.http, 200);
	CHECK(res.box_registered);
	/* a revoked device gets nothing */
	CHECK_INT_EQ(hubdb_device_revoke(db, other->id, &e), 0);
	ask(db, forms, other, PULLMSG_REQUEST, 0, NULL, -1, &res);
	CHECK_INT_EQ(res.http, 403);
	CHECK_STR_EQ(res.error, "revoked");
}

static int
file_read(void *ctx, uint8_t *buf, size_t len, size_t *got, struct terr *e)
{
	return fileio_fread(ctx, buf, len, got, e);
}

static void
test_export(struct hubdb *db, struct hubforms *forms, struct pdev *school, const char *dir)
{
	struct hubpull_cfg cfg = { .sign = &hub_sign, .forms = forms };
	struct hubpull_export_counts n, n2;
	struct hubpull_result res;
	struct usbfile_header h;
	char path[512];
	struct terr e;
	FILE *f;
	uint8_t *buf = malloc(PULLMSG_MAX_BYTES);
	size_t len, items = 0;

	snprintf(path, sizeof(path), "%s/changes.ttpf", dir);
	/* no box key yet: the device's ack file must come first */
	CHECK_INT_EQ(hubpull_export(db, &cfg, school->id, path, &n, &e), TERR_ARG);
	CHECK_CONTAINS(e.msg, "ключа шифрования");
	CHECK(access(path, F_OK) != 0);
	ask(db, forms, school, PULLMSG_ACK, 0, NULL, -1, &res);
	CHECK_INT_EQ(res.http, 200);
	CHECK_INT_EQ(hubpull_export(db, &cfg, school->id, path, &n, &e), 0);
	CHECK_INT_EQ(n.after, 0);
	CHECK(n.answers >= 1);
	/* again to the same path: refused (a file matter: tetrad-hub exits 4), the file kept */
	CHECK_INT_EQ(hubpull_export(db, &cfg, school->id, path, &n2, &e), TERR_IO);
	f = fopen(path, "rb");
	CHECK(f != NULL && buf != NULL);
	if (f != NULL && buf != NULL) {
		struct usbfile_src src = { file_read, f };
		uint64_t after = 0;

		CHECK_INT_EQ(pullmsg_file_read_header(&src, &h, &e), 0);
		CHECK_INT_EQ(h.count, n.answers);
		for (uint32_t i = 0; i < h.count; i++) {
			struct pullmsg_batch *b = NULL;

			CHECK_INT_EQ(pullmsg_file_read_answer(&src, buf, &len, &e), 0);
			CHECK_INT_EQ(pullmsg_open(buf, len, hub_sign.pk, &school->box, school->kid, NULL,
			    &b, &e), 0);
			if (b == NULL)
				break;
			CHECK_INT_EQ(pullmsg_check_after(b, after, &e), 0);
			items += b->n_records + b->n_profiles + b->n_schools;
			after = b->upto;
			pullmsg_batch_free(b);
		}
		CHECK_INT_EQ(pullmsg_file_read_end(&src, &e), 0);
		CHECK_INT_EQ(items, n.records + n.profiles + n.schools);
		CHECK_INT_EQ(after, n.upto);
		fclose(f);
	}
	free(buf);
}

/*
 * A record over the batch's byte bound goes alone (in an answer of the
 * largest bound); a record whose stored text is damaged is skipped and
 * counted, the ones after it still travel.
 */
static void
test_big_and_damaged(struct hubdb *db, struct hubforms *forms)
{
	struct hubpull_cfg cfg = { .sign = &hub_sign, .forms = forms, .max_plain = 1024 };
	struct hubpull_batch b;
	struct hubdb_device d;
	struct pdev p;
	struct terr e;
	char big[3000];
	uint64_t after = 0;
	size_t records = 0, skipped = 0, answers = 0;
	bool found, reg;

	pdev_add(db, &p, "school", "170160");
	CHECK_INT_EQ(hubdb_device_box(db, p.id, p.box.pk, &reg, &e), 0);
	CHECK_INT_EQ(hubdb_device_get(db, p.id, &d, &found, &e), 0);
	memset(big, 'x', sizeof(big));
	memcpy(big, "{\"t\":\"", 6);
	memcpy(big + sizeof(big) - 3, "\"}", 3);
	rec_put(db, 200, "social_passport", "170160", "{\"a\":1}");
	rec_put(db, 201, "social_passport", "170160", big);
	rec_put(db, 202, "social_passport", "170160", "{\"a\":");
	rec_put(db, 203, "social_passport", "170160", "{\"a\":3}");
	do {
		struct tbuf *out = tbuf_new(PULLMSG_MAX_BYTES);
		struct pullmsg_batch *pb = NULL;

		CHECK_INT_EQ(hubpull_answer(db, &cfg, &d, after, 0, NULL, out, &b, &e), 0);
		CHECK_INT_EQ(pullmsg_open(tbuf_ptr(out), tbuf_len(out), hub_sign.pk, &p.box, p.kid,
		    NULL, &pb, &e), 0);
		tbuf_free(out);
		if (pb == NULL)
			break;
		if (b.records == 1 && pb->n_records == 1 && pb->records[0].id[15] == 201)
			CHECK_INT_EQ(b.records, 1);
		records += pb->n_records;
		skipped += b.skipped;
		after = b.upto;
		answers++;
		pullmsg_batch_free(pb);
	} while (b.more && answers < 10);
	CHECK_INT_EQ(records, 3);
	CHECK_INT_EQ(skipped, 1);
	CHECK(answers >= 2);
}

int
main(void)
{
	char dir[] = "/tmp/test_hubpull.XXXXXX", path[600];
	struct hubdb *db = NULL;
	struct hubforms *forms = NULL;
	struct pdev school, curator, other;
	struct terr e;

	CHECK_INT_EQ(keys_init(&e), 0);
	CHECK(mkdtemp(dir) != NULL);
	keys_sign_generate(&hub_sign);
	test_store(path, sizeof(path), dir, "hub.db");
	CHECK_INT_EQ(hubdb_open(path, &db, &e), 0);
	CHECK_INT_EQ(hubforms_open(TETRAD_FORMS_DIR, NULL, &forms, &e), 0);
	if (db == NULL || forms == NULL)
		return check_summary();
	/* as the hub: records of forms nobody shares take no position */
	CHECK_INT_EQ(hubforms_feed_forms(forms, db, &e), 0);
	pdev_add(db, &school, "school", "170101");
	pdev_add(db, &curator, "curator", "170101,170102");
	pdev_add(db, &other, "curator", "170150,170151");
	test_scope_and_order(db, forms, &school, &curator, &other);
	test_batches(db, forms, &curator);
	test_export(db, forms, &school, dir);
	test_checks(db, forms, &curator, &other);
	test_big_and_damaged(db, forms);
	hubforms_free(forms);
	hubdb_close(db);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		return 1;
	return check_summary();
}
