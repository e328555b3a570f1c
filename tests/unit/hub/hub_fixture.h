/*
 * hub_fixture — what the hub's in-process tests share (test_ingest,
 * test_merge): a hub store with a test form and real keys in a temporary
 * folder, devices enrolled through real tokens, sets sealed as a device
 * seals them, pushed through ingest_envelope with the signed answer
 * checked. Header-only in check.h's manner: one test program includes it.
 */
#ifndef TETRAD_TEST_HUB_FIXTURE_H
#define TETRAD_TEST_HUB_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "check.h"
#include "test_store.h"
#include "hub/hubdb.h"
#include "hub/hubforms.h"
#include "hub/ingest.h"
#include "hub/tokens.h"
#include "tetrad/envelope.h"
#include "tetrad/sigblob.h"

static char tmpdir[256];
static struct keys_enc hub_enc;
static struct keys_sign hub_sign;

struct dev {
	struct keys_sign k;
	char id[KEYS_ID_HEXLEN + 1];
	uint64_t node;
	uint64_t next;
	uint8_t last[32];
};

struct th {
	char path[512];
	struct hubdb *db;
	struct hubforms *forms;
	struct ingest_cfg cfg;
};

/* The hub of the store at path (a file or a database's connection string). */
static inline void
th_open_at(struct th *t, const char *path)
{
	char forms[512];
	struct terr e;

	snprintf(forms, sizeof(forms), "%s/forms", tmpdir);
	memset(t, 0, sizeof(*t));
	snprintf(t->path, sizeof(t->path), "%s", path);
	CHECK_INT_EQ(hubdb_open(path, &t->db, &e), 0);
	CHECK_INT_EQ(hubforms_open(forms, NULL, &t->forms, &e), 0);
	t->cfg.enc = &hub_enc;
	t->cfg.sign = &hub_sign;
	t->cfg.forms = t->forms;
	t->cfg.max_ahead_ms = INGEST_MAX_AHEAD_MS;
}

/* A new store named name in the test's engine (test_store), its hub. */
static inline void
th_open(struct th *t, const char *name)
{
	char path[512], file[128];

	snprintf(file, sizeof(file), "%s.db", name);
	test_store(path, sizeof(path), tmpdir, file);
	th_open_at(t, path);
}

static inline void
th_close(struct th *t)
{
	hubforms_free(t->forms);
	hubdb_close(t->db);
}

static inline void
dev_new(struct dev *d)
{
	uint8_t id[KEYS_ID_BYTES];

	memset(d, 0, sizeof(*d));
	keys_sign_generate(&d->k);
	keys_id_hex(d->k.pk, d->id);
	keys_id(d->k.pk, id);
	d->node = keys_id_u64(id);
	d->next = 1;
}

/* Enrolls d on hub t through a real token and the enrollment handler. */
static inline void
enroll(struct th *t, struct dev *d, const char *kind, const char *schools)
{
	char tok[TOKENS_TEXT_MAX + 1], body[512], pk[65];
	struct tbuf *out = tbuf_new(16384);
	struct terr e;
	int http = 0;

	CHECK_INT_EQ(tokens_create(t->db, kind, "Тест", schools, 3600, tok, &e), 0);
	keys_hex(d->k.pk, 32, pk);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"device_pk\":\"%s\",\"schools\":[]}", tok, pk);
	CHECK_INT_EQ(tokens_enroll(t->db, &hub_enc, &hub_sign, body, strlen(body), &http, out, &e), 0);
	CHECK_INT_EQ(http, 200);
	tbuf_terminate(out);
	CHECK_CONTAINS((const char *)tbuf_ptr(out), d->id);
	/* the same token again from another key is refused */
	{
		struct dev other;

		dev_new(&other);
		keys_hex(other.k.pk, 32, pk);
		snprintf(body, sizeof(body), "{\"token\":\"%s\",\"device_pk\":\"%s\",\"schools\":[]}", tok, pk);
		CHECK_INT_EQ(tokens_enroll(t->db, &hub_enc, &hub_sign, body, strlen(body), &http,
		    out, &e), 0);
		CHECK_INT_EQ(http, 410);
	}
	tbuf_free(out);
}

struct opspec {
	const char *record;   /* UUID text */
	const char *school;
	uint64_t wall;
	const char *fields;   /* NULL: delete */
	const char *form;
};

/* Seals one set of d with the given ops; advances d when advance. An op with
 * fields is a put, or an edit when edit is true; without, a delete. */
static inline struct tbuf *
seal_ops(struct dev *d, const char *set_school, const struct opspec *ops, size_t n,
    bool advance, bool edit)
{
	struct changeset *cs = changeset_new();
	struct tbuf *env = tbuf_new(ENVELOPE_MAX_BYTES);
	uint8_t hash[32];
	struct terr e;

	keys_id(d->k.pk, cs->device_id);
	cs->format_version = CHANGESET_FORMAT_VERSION;
	snprintf(cs->school, sizeof(cs->school), "%s", set_school);
	cs->first_seq = d->next;
	cs->last_seq = d->next + n - 1;
	memcpy(cs->prev_hash, d->last, 32);
	cs->created.wall_ms = ops[0].wall;
	cs->created.node = d->node;
	for (size_t i = 0; i < n; i++) {
		struct op op;

		memset(&op, 0, sizeof(op));
		op.seq = d->next + i;
		CHECK_INT_EQ(uuid7_parse(ops[i].record, op.record_id), 0);
		snprintf(op.form_id, sizeof(op.form_id), "%s", ops[i].form ? ops[i].form : "test");
		op.form_version = 1;
		snprintf(op.school, sizeof(op.school), "%s", ops[i].school);
		op.kind = ops[i].fields ? (edit ? OP_EDIT : OP_PUT) : OP_DELETE;
		op.hlc.wall_ms = ops[i].wall;
		op.hlc.node = d->node;
		op.fields = ops[i].fields ? cJSON_Parse(ops[i].fields) : NULL;
		CHECK_INT_EQ(changeset_add(cs, &op, &e), 0);
		cJSON_Delete(op.fields);
	}
	CHECK_INT_EQ(envelope_seal(cs, &d->k, hub_enc.pk, NULL, env, hash, &e), 0);
	if (advance) {
		d->next += n;
		memcpy(d->last, hash, 32);
	}
	changeset_free(cs);
	return env;
}

static inline struct tbuf *
seal(struct dev *d, const char *set_school, const struct opspec *ops, size_t n, bool advance)
{
	return seal_ops(d, set_school, ops, n, advance, false);
}

struct outcome {
	enum ingest_outcome outcome;
	char status[16];
	uint64_t expected;
	unsigned applied, conflicts;
	struct tbuf *ack;
};

static inline void
push(struct th *t, const struct tbuf *env, uint64_t now, struct outcome *o)
{
	struct ingest_result res;
	struct terr e;

	memset(&res, 0, sizeof(res));
	memset(o, 0, sizeof(*o));
	res.body = tbuf_new(INGEST_BODY_MAX);
	CHECK_INT_EQ(ingest_envelope(t->db, &t->cfg, tbuf_ptr(env), tbuf_len(env), now, &res, &e), 0);
	o->outcome = res.outcome;
	snprintf(o->status, sizeof(o->status), "%s", res.status);
	o->applied = res.applied;
	o->conflicts = res.conflicts;
	o->ack = res.body;
	if (ingest_outcome_signed(res.outcome)) {
		const uint8_t *p;
		size_t plen;
		cJSON *j;

		CHECK_INT_EQ(sigblob_open(tbuf_ptr(res.body), tbuf_len(res.body), SIGBLOB_ACK,
		    hub_sign.pk, &p, &plen, &e), 0);
		/* reasons are cut to fit: never in the middle of a character */
		CHECK_INT_EQ(changeset_check_utf8((const char *)p, plen), 0);
		j = cJSON_ParseWithLength((const char *)p, plen);
		CHECK(j != NULL);
		o->expected = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(j, "expected_seq"));
		CHECK_STR_EQ(cJSON_GetStringValue(cJSON_GetObjectItem(j, "status")), res.status);
		cJSON_Delete(j);
	}
}

static inline void
outcome_free(struct outcome *o)
{
	tbuf_free(o->ack);
	o->ack = NULL;
}

#define NOW 1790000000000ULL
#define R1 "019a3e6e-3000-7000-8000-000000000001"
#define R2 "019a3e6e-3000-7000-8000-000000000002"
#define R3 "019a3e6e-3000-7000-8000-000000000003"

/*
 * A temporary folder /tmp/<name>.XXXXXX with forms/test.json (n: integer
 * 0..100, note: local text, t: text) and the hub's keys. 0, or -1 if the
 * folder could not be made.
 */
static inline int
fixture_init(const char *name)
{
	struct terr e;
	char path[512];
	FILE *f;

	CHECK_INT_EQ(keys_init(&e), 0);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/%s.XXXXXX", name);
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/forms", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/forms/test.json", tmpdir);
	f = fopen(path, "w");
	fputs("{\"format\":1,\"id\":\"test\",\"version\":1,\"title\":\"Тест\",\"fields\":["
	    "{\"id\":\"n\",\"label\":\"Число\",\"type\":\"integer\",\"min\":0,\"max\":100},"
	    "{\"id\":\"note\",\"label\":\"Заметка\",\"type\":\"text\",\"sync\":\"local\"},"
	    "{\"id\":\"t\",\"label\":\"Текст\",\"type\":\"text\"}]}", f);
	fclose(f);
	keys_enc_generate(&hub_enc);
	keys_sign_generate(&hub_sign);

	return 0;
}

static inline void
fixture_done(void)
{
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	keys_enc_wipe(&hub_enc);
	keys_sign_wipe(&hub_sign);
	keys_enc_wipe(&hub_enc);
	keys_sign_wipe(&hub_sign);
}

#endif
