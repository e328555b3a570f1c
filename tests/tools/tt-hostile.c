/*
 * tt-hostile — test tool: a "modified client" for the hostile-input system
 * test. It seals ANY bytes as a change-set envelope, byte by byte as
 * docs/protocol.md describes, without the library's checks on the content:
 * so a test can hand the hub a validly signed and encrypted set whose
 * plaintext is malformed JSON, invalid UTF-8, too deep, or whose header lies
 * about counts and lengths.
 *
 *   tt-hostile keygen KEYFILE            new unprotected device key; prints "PK_HEX ID_HEX"
 *   tt-hostile pk KEYFILE                prints "PK_HEX ID_HEX" of an existing key
 *   tt-hostile hash FILE                 BLAKE2b-256 of FILE (the chain hash), hex
 *   tt-hostile check FILE                exit 0 if FILE is a canonical change set
 *   tt-hostile seal --key KEYFILE --hub-pk HEX --first N --last N --prev HEX|zero
 *        --in PLAINFILE --out ENVFILE [--count N] [--plain-len N]
 *        [--hub-key-id HEX] [--signer KEYFILE] [--check]
 *   tt-hostile ack --hub-sign-pk HEX FILE   verifies a hub acknowledgement, prints its JSON
 *
 * --signer signs with another key than the one named in the header;
 * --check refuses to seal a plaintext the library would not parse (so a
 * test's "legitimate" sets are known good).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "tetrad/changeset.h"
#include "tetrad/envelope.h"
#include "tetrad/keyfile.h"
#include "tetrad/keys.h"
#include "tetrad/sigblob.h"
#include "tetrad/tbuf.h"
#include "tetrad/terr.h"

#define HOSTILE_FILE_MAX (ENVELOPE_MAX_BYTES * 2u)

static void
usage(void)
{
	fprintf(stderr,
	    "usage: tt-hostile keygen KEYFILE | pk KEYFILE | hash FILE | check FILE\n"
	    "       tt-hostile seal --key K --hub-pk HEX --first N --last N --prev HEX|zero\n"
	    "            --in PLAIN --out ENV [--count N] [--plain-len N] [--hub-key-id HEX]\n"
	    "            [--signer K] [--check]\n"
	    "       tt-hostile ack --hub-sign-pk HEX FILE\n");
}

/* Reads a whole file (≤ HOSTILE_FILE_MAX); caller frees *out. */
static int
hostile_read(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	int r = -1;

	*out = NULL;
	*len = 0;
	if (f == NULL) {
		fprintf(stderr, "tt-hostile: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			uint8_t *nb;

			if (cap >= HOSTILE_FILE_MAX) {
				fprintf(stderr, "tt-hostile: %s: too large\n", path);
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL)
				goto out;
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f))
		goto out;
	*out = buf;
	*len = n;
	buf = NULL;
	r = 0;
 out:
	free(buf);
	fclose(f);
	return r;
}

static int
hostile_load_key(const char *path, struct keys_sign *k)
{
	struct terr e;

	terr_clear(&e);
	if (keyfile_load(path, KEYS_DEVICE_SIGN, k->sk, KEYS_SIGN_SK_BYTES, NULL, &e) != 0) {
		fprintf(stderr, "tt-hostile: %s\n", e.msg);
		return -1;
	}
	keys_sign_pk_from_sk(k->sk, k->pk);
	return 0;
}

static void
hostile_print_pk(const struct keys_sign *k)
{
	char pk[KEYS_SIGN_PK_BYTES * 2 + 1], id[KEYS_ID_HEXLEN + 1];

	keys_hex(k->pk, KEYS_SIGN_PK_BYTES, pk);
	keys_id_hex(k->pk, id);
	printf("%s %s\n", pk, id);
}

static int
cmd_keygen(const char *path)
{
	struct keys_sign k;
	struct terr e;
	int r = 1;

	terr_clear(&e);
	if (keys_sign_generate(&k) != 0 ||
	    keyfile_save(path, KEYS_DEVICE_SIGN, k.sk, KEYS_SIGN_SK_BYTES, NULL, &e) != 0) {
		fprintf(stderr, "tt-hostile: keygen: %s\n", e.msg);
		goto out;
	}
	hostile_print_pk(&k);
	r = 0;
 out:
	keys_sign_wipe(&k);
	return r;
}

static int
cmd_pk(const char *path)
{
	struct keys_sign k;

	if (hostile_load_key(path, &k) != 0)
		return 1;
	hostile_print_pk(&k);
	keys_sign_wipe(&k);
	return 0;
}

static int
cmd_hash(const char *path)
{
	uint8_t *buf, h[CHANGESET_HASH_BYTES];
	char hex[CHANGESET_HASH_BYTES * 2 + 1];
	size_t len;

	if (hostile_read(path, &buf, &len) != 0)
		return 1;
	changeset_hash(buf, len, h);
	keys_hex(h, sizeof(h), hex);
	printf("%s\n", hex);
	free(buf);
	return 0;
}

static int
hostile_check(const uint8_t *buf, size_t len)
{
	struct changeset *cs = NULL;
	struct terr e;
	int r;

	terr_clear(&e);
	r = changeset_parse(buf, len, &cs, &e);
	changeset_free(cs);
	if (r != 0)
		fprintf(stderr, "tt-hostile: not a canonical change set: %s\n", e.msg);
	return r == 0 ? 0 : 1;
}

static int
cmd_check(const char *path)
{
	uint8_t *buf;
	size_t len;
	int r;

	if (hostile_read(path, &buf, &len) != 0)
		return 1;
	r = hostile_check(buf, len);
	free(buf);
	return r;
}

static bool
hostile_u64(const char *s, uint64_t *v)
{
	char *end = NULL;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 && end != s && *end == '\0';
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

struct seal_args {
	const char *key, *signer, *hub_pk, *prev, *in, *out, *hub_key_id;
	uint64_t first, last, count, plain_len;
	bool have_first, have_last, have_count, have_plain_len, check;
};

static int
seal_parse(int argc, char **argv, struct seal_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--check") == 0) {
			a->check = true;
			continue;
		}
		if (v == NULL)
			return -1;
		i++;
		if (strcmp(o, "--key") == 0)
			a->key = v;
		else if (strcmp(o, "--signer") == 0)
			a->signer = v;
		else if (strcmp(o, "--hub-pk") == 0)
			a->hub_pk = v;
		else if (strcmp(o, "--prev") == 0)
			a->prev = v;
		else if (strcmp(o, "--in") == 0)
			a->in = v;
		else if (strcmp(o, "--out") == 0)
			a->out = v;
		else if (strcmp(o, "--hub-key-id") == 0)
			a->hub_key_id = v;
		else if (strcmp(o, "--first") == 0)
			a->have_first = hostile_u64(v, &a->first);
		else if (strcmp(o, "--last") == 0)
			a->have_last = hostile_u64(v, &a->last);
		else if (strcmp(o, "--count") == 0)
			a->have_count = hostile_u64(v, &a->count);
		else if (strcmp(o, "--plain-len") == 0)
			a->have_plain_len = hostile_u64(v, &a->plain_len);
		else
			return -1;
	}
	if (!a->key || !a->hub_pk || !a->prev || !a->in || !a->out || !a->have_first ||
	    !a->have_last)
		return -1;
	return 0;
}

/* Header ‖ XChaCha20-Poly1305(plain, AD = header) ‖ Ed25519(header ‖ ciphertext). */
static int
cmd_seal(int argc, char **argv)
{
	struct seal_args a;
	struct keys_sign dev, signer;
	uint8_t hub_pk[KEYS_ENC_PK_BYTES], prev[CHANGESET_HASH_BYTES];
	uint8_t eph_sk[crypto_kx_SECRETKEYBYTES], rx[crypto_kx_SESSIONKEYBYTES];
	uint8_t tx[crypto_kx_SESSIONKEYBYTES], *plain = NULL, *env = NULL, *h;
	unsigned long long clen = 0;
	size_t plen = 0, total;
	FILE *f = NULL;
	int r = 1;

	memset(&dev, 0, sizeof(dev));
	memset(&signer, 0, sizeof(signer));
	if (seal_parse(argc, argv, &a) != 0) {
		usage();
		return 2;
	}
	if (hostile_load_key(a.key, &dev) != 0)
		goto out;
	if (hostile_load_key(a.signer ? a.signer : a.key, &signer) != 0)
		goto out;
	if (keys_unhex(a.hub_pk, hub_pk, sizeof(hub_pk)) != 0) {
		fprintf(stderr, "tt-hostile: --hub-pk: 64 hex digits expected\n");
		goto out;
	}
	if (strcmp(a.prev, "zero") == 0)
		memset(prev, 0, sizeof(prev));
	else if (keys_unhex(a.prev, prev, sizeof(prev)) != 0) {
		fprintf(stderr, "tt-hostile: --prev: 64 hex digits or \"zero\" expected\n");
		goto out;
	}
	if (hostile_read(a.in, &plain, &plen) != 0)
		goto out;
	if (a.check && hostile_check(plain, plen) != 0)
		goto out;
	total = ENVELOPE_HEADER_BYTES + plen + ENVELOPE_TAG_BYTES + ENVELOPE_SIG_BYTES;
	if ((env = calloc(1, total)) == NULL)
		goto out;
	h = env;
	memcpy(h, "TTRD", 4);
	h[4] = ENVELOPE_VERSION;
	h[5] = 0;
	keys_id(dev.pk, h + 8);
	if (a.hub_key_id != NULL) {
		if (keys_unhex(a.hub_key_id, h + 16, KEYS_ID_BYTES) != 0) {
			fprintf(stderr, "tt-hostile: --hub-key-id: 16 hex digits expected\n");
			goto out;
		}
	} else
		keys_id(hub_pk, h + 16);
	put64(h + 24, a.first);
	put64(h + 32, a.last);
	put32(h + 40, (uint32_t)(a.have_count ? a.count : a.last - a.first + 1));
	put32(h + 44, (uint32_t)(a.have_plain_len ? a.plain_len : plen));
	memcpy(h + 48, prev, CHANGESET_HASH_BYTES);
	crypto_kx_keypair(h + 80, eph_sk);
	randombytes_buf(h + 112, ENVELOPE_NONCE_BYTES);
	put32(h + 136, (uint32_t)(plen + ENVELOPE_TAG_BYTES));
	if (crypto_kx_client_session_keys(rx, tx, h + 80, eph_sk, hub_pk) != 0) {
		fprintf(stderr, "tt-hostile: unusable hub public key\n");
		goto out;
	}
	crypto_aead_xchacha20poly1305_ietf_encrypt(env + ENVELOPE_HEADER_BYTES, &clen, plain,
	    plen, h, ENVELOPE_HEADER_BYTES, NULL, h + 112, tx);
	crypto_sign_detached(env + ENVELOPE_HEADER_BYTES + clen, NULL, env,
	    ENVELOPE_HEADER_BYTES + clen, signer.sk);
	if ((f = fopen(a.out, "wb")) == NULL || fwrite(env, 1, total, f) != total) {
		fprintf(stderr, "tt-hostile: %s: %s\n", a.out, strerror(errno));
		goto out;
	}
	r = 0;
 out:
	if (f != NULL && fclose(f) != 0)
		r = 1;
	sodium_memzero(eph_sk, sizeof(eph_sk));
	sodium_memzero(rx, sizeof(rx));
	sodium_memzero(tx, sizeof(tx));
	keys_sign_wipe(&dev);
	keys_sign_wipe(&signer);
	free(plain);
	free(env);
	return r;
}

static int
cmd_ack(const char *pkhex, const char *path)
{
	uint8_t pk[KEYS_SIGN_PK_BYTES], *buf = NULL;
	const uint8_t *payload;
	size_t len, plen;
	struct terr e;
	int r = 1;

	terr_clear(&e);
	if (keys_unhex(pkhex, pk, sizeof(pk)) != 0) {
		fprintf(stderr, "tt-hostile: --hub-sign-pk: 64 hex digits expected\n");
		return 2;
	}
	if (hostile_read(path, &buf, &len) != 0)
		return 1;
	if (sigblob_open(buf, len, SIGBLOB_ACK, pk, &payload, &plen, &e) != 0) {
		fprintf(stderr, "tt-hostile: acknowledgement: %s\n", e.msg);
		goto out;
	}
	fwrite(payload, 1, plen, stdout);
	fputc('\n', stdout);
	r = 0;
 out:
	free(buf);
	return r;
}

int
main(int argc, char **argv)
{
	struct terr e;

	terr_clear(&e);
	if (keys_init(&e) != 0) {
		fprintf(stderr, "tt-hostile: %s\n", e.msg);
		return 2;
	}
	if (argc == 3 && strcmp(argv[1], "keygen") == 0)
		return cmd_keygen(argv[2]);
	if (argc == 3 && strcmp(argv[1], "pk") == 0)
		return cmd_pk(argv[2]);
	if (argc == 3 && strcmp(argv[1], "hash") == 0)
		return cmd_hash(argv[2]);
	if (argc == 3 && strcmp(argv[1], "check") == 0)
		return cmd_check(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "seal") == 0)
		return cmd_seal(argc - 2, argv + 2);
	if (argc == 5 && strcmp(argv[1], "ack") == 0 && strcmp(argv[2], "--hub-sign-pk") == 0)
		return cmd_ack(argv[3], argv[4]);
	usage();
	return 2;
}
