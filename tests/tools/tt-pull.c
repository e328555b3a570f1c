/*
 * tt-pull — a device's side of a pull for hub tests, on a tt-forge STATE
 * folder (device.key, state.json with the hub's signing key): it writes
 * signed pull requests and acks (valid ones, and ones that lie: another
 * box key, a clock ahead, flipped bytes) and opens the hub's answers with
 * pullmsg_open, printing what they hold as JSON. Test tool only.
 *
 *   tt-pull req STATE OUT [--ack] [--after N] [--max N] [--box NAME]
 *                         [--hlc-ahead-ms MS] [--tamper OFFSET]
 *       the box key is STATE/NAME.box (default "box"), made on first use;
 *       the request's nonce is kept in STATE/nonce for `open`
 *   tt-pull open STATE ANSWER [--usb] [--box NAME]
 *       prints {"after","upto","more","records":[{"pos","id","form","school",
 *       "data","clocks"}],"profiles":[{"pos","school","years"}],
 *       "schools":[{"pos","code","name"}]}; exit 1 with the reason on refusal
 *   tt-pull file STATE FILE [--box NAME]
 *       opens every answer of a USB file of changes (TTPF), one JSON line each
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "tetrad/fileio.h"
#include "tetrad/hlc.h"
#include "tetrad/keyfile.h"
#include "tetrad/keys.h"
#include "tetrad/pullmsg.h"
#include "tetrad/uuid7.h"

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tt-pull: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static uint8_t *
slurp(const char *path, size_t max, size_t *len)
{
	uint8_t *buf = NULL;
	struct terr e;

	if (fileio_read_all(path, max, &buf, len, &e) != 0)
		die("%s", e.msg);
	return buf;
}

static void
spit(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, len, f) != len || fclose(f) != 0)
		die("cannot write %s", path);
}

struct dev {
	struct keys_sign k;
	struct keys_enc box;
	uint8_t id[KEYS_ID_BYTES];
	uint8_t hub_sign_pk[32];
};

static void
dev_load(struct dev *d, const char *dir, const char *box)
{
	char path[2200], hex[65];
	struct terr e;
	size_t len;
	char *txt;
	cJSON *j;
	const cJSON *x;

	memset(d, 0, sizeof(*d));
	snprintf(path, sizeof(path), "%s/device.key", dir);
	if (keyfile_load(path, KEYS_DEVICE_SIGN, d->k.sk, sizeof(d->k.sk), NULL, &e) != 0)
		die("%s", e.msg);
	keys_sign_pk_from_sk(d->k.sk, d->k.pk);
	keys_id(d->k.pk, d->id);
	snprintf(path, sizeof(path), "%s/state.json", dir);
	txt = (char *)slurp(path, 65536, &len);
	if ((j = cJSON_Parse(txt)) == NULL)
		die("bad state %s", path);
	x = cJSON_GetObjectItem(j, "hub_sign_pk");
	if (!cJSON_IsString(x) || keys_unhex(x->valuestring, d->hub_sign_pk, 32) != 0)
		die("state %s: no hub signing key", path);
	cJSON_Delete(j);
	free(txt);
	/* the box key: 64 hex digits of the X25519 secret, made once */
	snprintf(path, sizeof(path), "%s/%s.box", dir, box);
	{
		FILE *f = fopen(path, "r");

		if (f != NULL) {
			if (fscanf(f, "%64s", hex) != 1 || keys_unhex(hex, d->box.sk, 32) != 0)
				die("bad box key %s", path);
			fclose(f);
			crypto_scalarmult_base(d->box.pk, d->box.sk);
		} else {
			keys_enc_generate(&d->box);
			keys_hex(d->box.sk, 32, hex);
			spit(path, hex, 64);
		}
	}
}

static int
cmd_req(int argc, char **argv)
{
	struct pullmsg_request rq;
	struct dev d;
	struct terr e;
	struct hlc_ts now;
	uint8_t out[PULLMSG_REQ_BYTES];
	const char *box = "box";
	char path[2200], hex[65];
	uint64_t after = 0, ahead = 0;
	uint32_t max = PULLMSG_MAX_ITEMS;
	bool ack = false;
	long tamper = -1;

	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--ack") == 0)
			ack = true;
		else if (strcmp(argv[i], "--after") == 0 && i + 1 < argc)
			after = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--max") == 0 && i + 1 < argc)
			max = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--box") == 0 && i + 1 < argc)
			box = argv[++i];
		else if (strcmp(argv[i], "--hlc-ahead-ms") == 0 && i + 1 < argc)
			ahead = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--tamper") == 0 && i + 1 < argc)
			tamper = strtol(argv[++i], NULL, 10);
		else
			die("unknown option %s", argv[i]);
	}
	dev_load(&d, argv[2], box);
	memset(&now, 0, sizeof(now));
	now.wall_ms = hlc_wall_now() + ahead;
	now.node = keys_id_u64(d.id);
	pullmsg_request_init(&rq, ack ? PULLMSG_ACK : PULLMSG_REQUEST, after, d.box.pk, max, &now);
	if (pullmsg_request_sign(&rq, &d.k, out, &e) != 0)
		die("%s", e.msg);
	if (tamper >= 0 && tamper < (long)sizeof(out))
		out[tamper] ^= 0x01;
	spit(argv[3], out, sizeof(out));
	keys_hex(rq.nonce, sizeof(rq.nonce), hex);
	snprintf(path, sizeof(path), "%s/nonce", argv[2]);
	spit(path, hex, 64);
	return 0;
}

static cJSON *
batch_json(const struct pullmsg_batch *b)
{
	cJSON *j = cJSON_CreateObject(), *a;
	char id[UUID7_STRLEN + 1];

	cJSON_AddNumberToObject(j, "after", (double)b->after);
	cJSON_AddNumberToObject(j, "upto", (double)b->upto);
	cJSON_AddBoolToObject(j, "more", b->more);
	a = cJSON_AddArrayToObject(j, "records");
	for (size_t i = 0; i < b->n_records; i++) {
		const struct pullmsg_record *r = &b->records[i];
		cJSON *o = cJSON_CreateObject();

		uuid7_format(r->id, id);
		cJSON_AddNumberToObject(o, "pos", (double)r->pos);
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddStringToObject(o, "form", r->form_id);
		cJSON_AddStringToObject(o, "school", r->school);
		cJSON_AddItemToObject(o, "data", cJSON_Duplicate(r->data, 1));
		cJSON_AddItemToObject(o, "clocks", cJSON_Duplicate(r->clocks, 1));
		cJSON_AddItemToArray(a, o);
	}
	a = cJSON_AddArrayToObject(j, "profiles");
	for (size_t i = 0; i < b->n_profiles; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "pos", (double)b->profiles[i].pos);
		cJSON_AddStringToObject(o, "school", b->profiles[i].school);
		cJSON_AddItemToObject(o, "years", cJSON_Duplicate(b->profiles[i].years, 1));
		cJSON_AddItemToArray(a, o);
	}
	a = cJSON_AddArrayToObject(j, "schools");
	for (size_t i = 0; i < b->n_schools; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddNumberToObject(o, "pos", (double)b->schools[i].pos);
		cJSON_AddStringToObject(o, "code", b->schools[i].code);
		cJSON_AddStringToObject(o, "name", b->schools[i].name);
		cJSON_AddItemToArray(a, o);
	}
	return j;
}

static void
print_batch(const uint8_t *buf, size_t len, const struct dev *d, const uint8_t *nonce)
{
	struct pullmsg_batch *b = NULL;
	struct terr e;
	cJSON *j;
	char *txt;

	terr_clear(&e);
	if (pullmsg_open(buf, len, d->hub_sign_pk, &d->box, d->id, nonce, &b, &e) != 0) {
		printf("{\"refused\":%d,\"reason\":\"%s\"}\n", e.code, e.msg);
		exit(1);
	}
	j = batch_json(b);
	txt = cJSON_PrintUnformatted(j);
	printf("%s\n", txt);
	free(txt);
	cJSON_Delete(j);
	pullmsg_batch_free(b);
}

static int
cmd_open(int argc, char **argv)
{
	const char *box = "box";
	uint8_t nonce[PULLMSG_NONCE_BYTES], *buf, *nb;
	char path[2200];
	bool usb = false;
	struct dev d;
	size_t len, nl;

	for (int i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--usb") == 0)
			usb = true;
		else if (strcmp(argv[i], "--box") == 0 && i + 1 < argc)
			box = argv[++i];
		else
			die("unknown option %s", argv[i]);
	}
	dev_load(&d, argv[2], box);
	snprintf(path, sizeof(path), "%s/nonce", argv[2]);
	nb = slurp(path, 128, &nl);
	if (nl < 64 || keys_unhex((char *)nb, nonce, sizeof(nonce)) != 0)
		die("bad nonce file %s", path);
	free(nb);
	buf = slurp(argv[3], PULLMSG_MAX_BYTES + 1, &len);
	print_batch(buf, len, &d, usb ? NULL : nonce);
	free(buf);
	return 0;
}

static int
file_read(void *ctx, uint8_t *buf, size_t len, size_t *got, struct terr *e)
{
	return fileio_fread(ctx, buf, len, got, e);
}

static int
cmd_file(int argc, char **argv)
{
	const char *box = argc > 5 && strcmp(argv[4], "--box") == 0 ? argv[5] : "box";
	struct usbfile_header h;
	struct usbfile_src src;
	struct dev d;
	struct terr e;
	uint8_t *buf = malloc(PULLMSG_MAX_BYTES);
	size_t len;
	FILE *f;

	dev_load(&d, argv[2], box);
	if (buf == NULL || (f = fopen(argv[3], "rb")) == NULL)
		die("cannot open %s", argv[3]);
	src.read = file_read;
	src.ctx = f;
	if (pullmsg_file_read_header(&src, &h, &e) != 0)
		die("%s", e.msg);
	for (uint32_t i = 0; i < h.count; i++) {
		if (pullmsg_file_read_answer(&src, buf, &len, &e) != 0)
			die("%s", e.msg);
		print_batch(buf, len, &d, NULL);
	}
	if (pullmsg_file_read_end(&src, &e) != 0)
		die("%s", e.msg);
	fclose(f);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct terr e;

	if (keys_init(&e) != 0)
		die("%s", e.msg);
	if (argc >= 4 && strcmp(argv[1], "req") == 0)
		return cmd_req(argc, argv);
	if (argc >= 4 && strcmp(argv[1], "open") == 0)
		return cmd_open(argc, argv);
	if (argc >= 4 && strcmp(argv[1], "file") == 0)
		return cmd_file(argc, argv);
	die("usage: tt-pull req|open|file STATE ...");
}
