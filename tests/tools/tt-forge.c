/*
 * tt-forge — a "modified client" for hostile hub tests. It holds a device
 * key and chain state in a folder and crafts envelopes: valid ones, and ones
 * that lie (wrong school, future HLC, smuggled fields, forged node, another
 * signing key, another hub key, flipped bytes, malformed JSON inside an
 * authentic envelope). Test tool only: never part of a product.
 *
 *   tt-forge init STATE                    new device key; prints its public key
 *   tt-forge enrolled STATE ENROLL.json    stores the hub's enrollment answer
 *   tt-forge seal STATE OUT [options]      writes an envelope to OUT
 *     --ops N --form ID --fv N --school CODE --set-school CODE
 *     --fields JSON --record UUID --delete --hlc-ms MS --hlc-ahead-ms MS
 *     --node HEX16 --seq N --prev zeros|HEX64 --no-advance --key KEYFILE
 *     --hub-pk HEX64 --tamper OFFSET (negative: from the end)
 *     --raw-plain FILE (seal these bytes as the plaintext, header consistent)
 *   tt-forge ack STATE FILE                verifies a hub ack, prints its JSON
 *   tt-forge bundle STATE FILE             verifies a form bundle, prints its JSON
 *   tt-forge ttex STATE OUT ENV...         writes a USB export file (TTEX v1)
 *   tt-forge state STATE                   prints next_seq and last hash
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "tetrad/envelope_internal.h"
#include "tetrad/changeset.h"
#include "tetrad/envelope.h"
#include "tetrad/hlc.h"
#include "tetrad/keyfile.h"
#include "tetrad/keys.h"
#include "tetrad/sigblob.h"
#include "tetrad/uuid7.h"

struct forge {
	char dir[2048];
	struct keys_sign dev;
	uint8_t hub_enc_pk[32], hub_sign_pk[32];
	char kind[16];
	char school[64];         /* first school */
	uint64_t next_seq;
	uint8_t last_hash[32];
	uint64_t last_wall;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tt-forge: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		die("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n < 0 || (buf = malloc((size_t)n + 1)) == NULL)
		die("cannot read %s", path);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read %s", path);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
spit(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, len, f) != len || fclose(f) != 0)
		die("cannot write %s", path);
}

static void
load_key(const char *path, struct keys_sign *k)
{
	struct terr e;

	if (keyfile_load(path, KEYS_DEVICE_SIGN, k->sk, sizeof(k->sk), NULL, &e) != 0)
		die("%s", e.msg);
	keys_sign_pk_from_sk(k->sk, k->pk);
}

static void
state_load(struct forge *f, const char *dir)
{
	char path[2200], hex[65], *txt;
	size_t len;
	cJSON *j;
	const cJSON *x;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/device.key", dir);
	load_key(path, &f->dev);
	f->next_seq = 1;
	snprintf(path, sizeof(path), "%s/state.json", dir);
	txt = slurp(path, &len);
	if ((j = cJSON_Parse(txt)) == NULL)
		die("bad state %s", path);
	x = cJSON_GetObjectItem(j, "hub_enc_pk");
	if (!cJSON_IsString(x) || keys_unhex(x->valuestring, f->hub_enc_pk, 32) != 0)
		die("state %s: no hub key", path);
	x = cJSON_GetObjectItem(j, "hub_sign_pk");
	if (cJSON_IsString(x))
		keys_unhex(x->valuestring, f->hub_sign_pk, 32);
	x = cJSON_GetObjectItem(j, "kind");
	snprintf(f->kind, sizeof(f->kind), "%s", cJSON_IsString(x) ? x->valuestring : "school");
	x = cJSON_GetObjectItem(j, "school");
	snprintf(f->school, sizeof(f->school), "%s", cJSON_IsString(x) ? x->valuestring : "");
	x = cJSON_GetObjectItem(j, "next_seq");
	if (cJSON_IsNumber(x))
		f->next_seq = (uint64_t)x->valuedouble;
	x = cJSON_GetObjectItem(j, "last_hash");
	if (cJSON_IsString(x))
		keys_unhex(x->valuestring, f->last_hash, 32);
	x = cJSON_GetObjectItem(j, "last_wall");
	if (cJSON_IsNumber(x))
		f->last_wall = (uint64_t)x->valuedouble;
	(void)hex;
	cJSON_Delete(j);
	free(txt);
}

static void
state_save(const struct forge *f)
{
	char path[2200], enc[65], sig[65], lh[65];
	char *txt;
	cJSON *j = cJSON_CreateObject();

	keys_hex(f->hub_enc_pk, 32, enc);
	keys_hex(f->hub_sign_pk, 32, sig);
	keys_hex(f->last_hash, 32, lh);
	cJSON_AddStringToObject(j, "hub_enc_pk", enc);
	cJSON_AddStringToObject(j, "hub_sign_pk", sig);
	cJSON_AddStringToObject(j, "kind", f->kind);
	cJSON_AddStringToObject(j, "school", f->school);
	cJSON_AddNumberToObject(j, "next_seq", (double)f->next_seq);
	cJSON_AddStringToObject(j, "last_hash", lh);
	cJSON_AddNumberToObject(j, "last_wall", (double)f->last_wall);
	txt = cJSON_Print(j);
	snprintf(path, sizeof(path), "%s/state.json", f->dir);
	spit(path, txt, strlen(txt));
	free(txt);
	cJSON_Delete(j);
}

static int
cmd_init(const char *dir)
{
	struct keys_sign k;
	struct terr e;
	char path[2200], hex[65];

	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/device.key", dir);
	if (keys_sign_generate(&k) != 0 ||
	    keyfile_save(path, KEYS_DEVICE_SIGN, k.sk, sizeof(k.sk), NULL, &e) != 0)
		die("cannot create key in %s", dir);
	keys_hex(k.pk, 32, hex);
	printf("%s\n", hex);
	return 0;
}

static int
cmd_enrolled(const char *dir, const char *answer)
{
	struct forge f;
	size_t len;
	char *txt = slurp(answer, &len), path[2200];
	cJSON *j = cJSON_Parse(txt);
	const cJSON *x, *s;

	if (j == NULL)
		die("bad enrollment answer %s", answer);
	memset(&f, 0, sizeof(f));
	snprintf(f.dir, sizeof(f.dir), "%s", dir);
	snprintf(path, sizeof(path), "%s/device.key", dir);
	load_key(path, &f.dev);
	x = cJSON_GetObjectItem(j, "hub_enc_pk");
	if (!cJSON_IsString(x) || keys_unhex(x->valuestring, f.hub_enc_pk, 32) != 0)
		die("answer %s: no hub_enc_pk", answer);
	x = cJSON_GetObjectItem(j, "hub_sign_pk");
	if (!cJSON_IsString(x) || keys_unhex(x->valuestring, f.hub_sign_pk, 32) != 0)
		die("answer %s: no hub_sign_pk", answer);
	x = cJSON_GetObjectItem(j, "kind");
	snprintf(f.kind, sizeof(f.kind), "%s", cJSON_IsString(x) ? x->valuestring : "school");
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "schools"), 0);
	snprintf(f.school, sizeof(f.school), "%s", cJSON_IsString(s) ? s->valuestring : "");
	f.next_seq = 1;
	state_save(&f);
	cJSON_Delete(j);
	free(txt);
	return 0;
}

static uint64_t
arg_u64(const char *s)
{
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s || *end != '\0')
		die("not a number: %s", s);
	return v;
}

static int
cmd_seal(const char *dir, const char *out, int argc, char **argv)
{
	struct forge f;
	struct changeset *cs = changeset_new();
	struct op op;
	struct terr e;
	struct tbuf *env = tbuf_new(ENVELOPE_MAX_BYTES), *plain = NULL;
	struct keys_sign signer;
	uint8_t hub_pk[32], set_hash[32], node_id[KEYS_ID_BYTES];
	const char *form = "test", *fields = "{\"n\":1}", *school = NULL, *set_school = NULL;
	const char *record = NULL, *prev = NULL, *raw_plain = NULL;
	uint64_t nops = 1, fv = 1, seq = 0, wall = 0, node = 0;
	int64_t ahead = 0;
	long tamper = 0;
	int del = 0, advance = 1, have_tamper = 0;

	state_load(&f, dir);
	signer = f.dev;
	memcpy(hub_pk, f.hub_enc_pk, 32);
	keys_id(f.dev.pk, node_id);
	node = keys_id_u64(node_id);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--delete") == 0) { del = 1; continue; }
		if (strcmp(a, "--no-advance") == 0) { advance = 0; continue; }
		if (v == NULL)
			die("option %s needs a value", a);
		i++;
		if (strcmp(a, "--ops") == 0) nops = arg_u64(v);
		else if (strcmp(a, "--form") == 0) form = v;
		else if (strcmp(a, "--fv") == 0) fv = arg_u64(v);
		else if (strcmp(a, "--school") == 0) school = v;
		else if (strcmp(a, "--set-school") == 0) set_school = v;
		else if (strcmp(a, "--fields") == 0) fields = v;
		else if (strcmp(a, "--record") == 0) record = v;
		else if (strcmp(a, "--hlc-ms") == 0) wall = arg_u64(v);
		else if (strcmp(a, "--hlc-ahead-ms") == 0) ahead = (int64_t)arg_u64(v);
		else if (strcmp(a, "--node") == 0) {
			uint8_t b[8];

			if (keys_unhex(v, b, 8) != 0)
				die("bad node %s", v);
			node = keys_id_u64(b);
		} else if (strcmp(a, "--seq") == 0) { seq = arg_u64(v); advance = 0; }
		else if (strcmp(a, "--prev") == 0) prev = v;
		else if (strcmp(a, "--key") == 0) load_key(v, &signer);
		else if (strcmp(a, "--hub-pk") == 0) {
			if (keys_unhex(v, hub_pk, 32) != 0)
				die("bad hub key %s", v);
		} else if (strcmp(a, "--tamper") == 0) { tamper = strtol(v, NULL, 10); have_tamper = 1; }
		else if (strcmp(a, "--raw-plain") == 0) raw_plain = v;
		else die("unknown option %s", a);
	}
	if (school == NULL)
		school = f.school;
	if (set_school == NULL)
		set_school = strcmp(f.kind, "school") == 0 ? f.school : "";
	if (seq == 0)
		seq = f.next_seq;
	if (wall == 0) {
		wall = hlc_wall_now() + (uint64_t)ahead;
		if (wall <= f.last_wall)
			wall = f.last_wall + 1;
	}
	keys_id(f.dev.pk, cs->device_id);
	snprintf(cs->school, sizeof(cs->school), "%.32s", set_school);
	cs->format_version = CHANGESET_FORMAT_VERSION;
	cs->first_seq = seq;
	cs->last_seq = seq + nops - 1;
	if (prev == NULL)
		memcpy(cs->prev_hash, seq == f.next_seq ? f.last_hash : (uint8_t[32]){ 0 }, 32);
	else if (strcmp(prev, "zeros") == 0)
		memset(cs->prev_hash, 0, 32);
	else if (keys_unhex(prev, cs->prev_hash, 32) != 0)
		die("bad prev %s", prev);
	cs->created.wall_ms = wall;
	cs->created.node = node;
	for (uint64_t i = 0; i < nops; i++) {
		memset(&op, 0, sizeof(op));
		op.seq = seq + i;
		if (record != NULL) {
			if (uuid7_parse(record, op.record_id) != 0)
				die("bad record id %s", record);
		} else
			uuid7_new(op.record_id, 0);
		snprintf(op.form_id, sizeof(op.form_id), "%s", form);
		op.form_version = (uint32_t)fv;
		snprintf(op.school, sizeof(op.school), "%.32s", school);
		op.kind = del ? OP_DELETE : OP_PUT;
		op.hlc.wall_ms = wall;
		op.hlc.counter = (uint32_t)i + 1;
		op.hlc.node = node;
		if (!del && (op.fields = cJSON_Parse(fields)) == NULL)
			die("bad fields JSON %s", fields);
		if (changeset_add(cs, &op, &e) != 0)
			die("%s", e.msg);
		cJSON_Delete(op.fields);
	}
	if (raw_plain != NULL) {
		struct envelope_header h;
		size_t len;
		char *bytes = slurp(raw_plain, &len);

		memset(&h, 0, sizeof(h));
		h.version = ENVELOPE_VERSION;
		memcpy(h.device_id, cs->device_id, KEYS_ID_BYTES);
		keys_id(hub_pk, h.hub_key_id);
		h.first_seq = cs->first_seq;
		h.last_seq = cs->last_seq;
		h.op_count = (uint32_t)nops;
		h.plain_len = (uint32_t)len;
		memcpy(h.prev_hash, cs->prev_hash, 32);
		if (envelope_seal_raw(&h, (const uint8_t *)bytes, len, &signer, hub_pk, NULL, env,
		    &e) != 0)
			die("%s", e.msg);
		advance = 0;
		free(bytes);
	} else if (memcmp(signer.pk, f.dev.pk, 32) != 0) {
		/* signed by a key that is not the device's: the library refuses, so seal raw */
		struct envelope_header h;

		if ((plain = tbuf_new(CHANGESET_MAX_PLAIN_BYTES)) == NULL ||
		    changeset_encode(cs, plain, &e) != 0)
			die("%s", e.msg);
		memset(&h, 0, sizeof(h));
		h.version = ENVELOPE_VERSION;
		memcpy(h.device_id, cs->device_id, KEYS_ID_BYTES);
		keys_id(hub_pk, h.hub_key_id);
		h.first_seq = cs->first_seq;
		h.last_seq = cs->last_seq;
		h.op_count = (uint32_t)nops;
		h.plain_len = (uint32_t)tbuf_len(plain);
		memcpy(h.prev_hash, cs->prev_hash, 32);
		if (envelope_seal_raw(&h, tbuf_ptr(plain), tbuf_len(plain), &signer, hub_pk, NULL,
		    env, &e) != 0)
			die("%s", e.msg);
		advance = 0;
	} else if (envelope_seal(cs, &signer, hub_pk, NULL, env, set_hash, &e) != 0)
		die("%s", e.msg);
	if (have_tamper) {
		size_t len = tbuf_len(env);
		size_t at = tamper < 0 ? len - (size_t)(-tamper) : (size_t)tamper;

		if (at >= len)
			die("tamper offset out of range");
		tbuf_mutable_ptr(env)[at] ^= 0x01;
		advance = 0;
	}
	spit(out, tbuf_ptr(env), tbuf_len(env));
	if (advance) {
		f.next_seq = cs->last_seq + 1;
		memcpy(f.last_hash, set_hash, 32);
		if (ahead == 0)
			f.last_wall = wall;
		state_save(&f);
	}
	tbuf_free(env);
	tbuf_free(plain);
	changeset_free(cs);
	return 0;
}

static int
cmd_blob(const char *dir, const char *file, enum sigblob_kind kind)
{
	struct forge f;
	struct terr e;
	const uint8_t *p;
	size_t plen, len;
	char *blob;

	state_load(&f, dir);
	blob = slurp(file, &len);
	if (sigblob_open((const uint8_t *)blob, len, kind, f.hub_sign_pk, &p, &plen,
	    &e) != 0) {
		fprintf(stderr, "tt-forge: signed blob does not verify: %s\n", e.msg);
		free(blob);
		return 1;
	}
	fwrite(p, 1, plen, stdout);
	printf("\n");
	free(blob);
	return 0;
}

static void
put_u32(FILE *o, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	fwrite(b, 1, 4, o);
}

static int
cmd_ttex(const char *dir, const char *out, int n, char **files)
{
	struct forge f;
	uint8_t hdr[16] = { 'T', 'T', 'E', 'X', 1, 0, 0, 0 };
	FILE *o;

	state_load(&f, dir);
	keys_id(f.dev.pk, hdr + 8);
	if ((o = fopen(out, "wb")) == NULL)
		die("cannot write %s", out);
	fwrite(hdr, 1, 16, o);
	put_u32(o, (uint32_t)n);
	for (int i = 0; i < n; i++) {
		size_t len;
		char *b = slurp(files[i], &len);

		put_u32(o, (uint32_t)len);
		fwrite(b, 1, len, o);
		free(b);
	}
	fclose(o);
	return 0;
}

int
main(int argc, char **argv)
{
	struct terr e;

	if (keys_init(&e) != 0)
		return 2;
	if (argc >= 3 && strcmp(argv[1], "init") == 0)
		return cmd_init(argv[2]);
	if (argc == 4 && strcmp(argv[1], "enrolled") == 0)
		return cmd_enrolled(argv[2], argv[3]);
	if (argc >= 4 && strcmp(argv[1], "seal") == 0)
		return cmd_seal(argv[2], argv[3], argc - 4, argv + 4);
	if (argc == 4 && strcmp(argv[1], "ack") == 0)
		return cmd_blob(argv[2], argv[3], SIGBLOB_ACK);
	if (argc == 4 && strcmp(argv[1], "bundle") == 0)
		return cmd_blob(argv[2], argv[3], SIGBLOB_FORM_BUNDLE);
	if (argc >= 4 && strcmp(argv[1], "ttex") == 0)
		return cmd_ttex(argv[2], argv[3], argc - 4, argv + 4);
	if (argc == 3 && strcmp(argv[1], "state") == 0) {
		struct forge f;
		char hex[65];

		state_load(&f, argv[2]);
		keys_hex(f.last_hash, 32, hex);
		printf("%" PRIu64 " %s\n", f.next_seq, hex);
		return 0;
	}
	fprintf(stderr, "usage: tt-forge init|enrolled|seal|ack|ttex|state ... (see source)\n");
	return 2;
}
