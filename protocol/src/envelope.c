/*
 * envelope — seal a change set for the hub and open it there.
 *
 * Seal: canonical encoding → zlib (only if smaller) → XChaCha20-Poly1305
 * under a key from crypto_kx between a fresh ephemeral X25519 key and the
 * hub's key, with the header as associated data → Ed25519 signature by the
 * device over header and ciphertext. Open reverses it in the order
 * envelope.h gives, refusing as early and as cheaply as possible.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define ZLIB_CONST
#include <sodium.h>
#include <zlib.h>

/* changeset.h names struct tbuf without declaring it: tbuf.h goes first. */
#include "tetrad/tbuf.h"
#include "tetrad/envelope_internal.h"

static const uint8_t envelope_magic[4] = { 'T', 'T', 'R', 'D' };

#define ENVELOPE_MAX_CIPHER (ENVELOPE_MAX_BYTES - ENVELOPE_HEADER_BYTES - ENVELOPE_SIG_BYTES)

static void
envelope_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
envelope_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint32_t
envelope_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t
envelope_get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Byte offsets of the header (docs/protocol.md). */
enum {
	EO_MAGIC = 0, EO_VERSION = 4, EO_FLAGS = 5, EO_RESERVED = 6, EO_DEVICE = 8,
	EO_HUB = 16, EO_FIRST = 24, EO_LAST = 32, EO_COUNT = 40, EO_PLAIN = 44,
	EO_PREV = 48, EO_EPH = 80, EO_NONCE = 112, EO_CIPHER = 136, EO_END = 140
};

static void
envelope_header_write(const struct envelope_header *h, uint8_t p[ENVELOPE_HEADER_BYTES])
{
	memcpy(p + EO_MAGIC, envelope_magic, 4);
	p[EO_VERSION] = h->version;
	p[EO_FLAGS] = h->flags;
	p[EO_RESERVED] = 0;
	p[EO_RESERVED + 1] = 0;
	memcpy(p + EO_DEVICE, h->device_id, KEYS_ID_BYTES);
	memcpy(p + EO_HUB, h->hub_key_id, KEYS_ID_BYTES);
	envelope_put64(p + EO_FIRST, h->first_seq);
	envelope_put64(p + EO_LAST, h->last_seq);
	envelope_put32(p + EO_COUNT, h->op_count);
	envelope_put32(p + EO_PLAIN, h->plain_len);
	memcpy(p + EO_PREV, h->prev_hash, CHANGESET_HASH_BYTES);
	memcpy(p + EO_EPH, h->eph_pk, KEYS_ENC_PK_BYTES);
	memcpy(p + EO_NONCE, h->nonce, ENVELOPE_NONCE_BYTES);
	envelope_put32(p + EO_CIPHER, h->cipher_len);
}

/*
 * zlib's own allocator frees its window (32 KiB of the latest plaintext)
 * without wiping it; ours records the size in front so it can.
 */
static voidpf
envelope_zalloc(voidpf opaque, uInt items, uInt size)
{
	size_t n;
	uint8_t *p;

	(void)opaque;
	if (size != 0 && items > (SIZE_MAX - 16) / size)
		return Z_NULL;
	n = (size_t)items * size;
	if ((p = malloc(n + 16)) == NULL)
		return Z_NULL;
	memcpy(p, &n, sizeof(n));
	return p + 16;
}

static void
envelope_zfree(voidpf opaque, voidpf address)
{
	uint8_t *p;
	size_t n;

	(void)opaque;
	if (address == Z_NULL)
		return;
	p = (uint8_t *)address - 16;
	memcpy(&n, p, sizeof(n));
	sodium_memzero(p, n + 16);
	free(p);
}

int
envelope_deflate(const uint8_t *in, size_t len, struct tbuf *out, struct terr *e)
{
	z_stream zs;
	uLong bound;
	size_t start = tbuf_len(out);
	uint8_t *p;
	int zr, r;

	if (len > CHANGESET_MAX_PLAIN_BYTES)
		return terr_set(e, TERR_TOO_LARGE, "сжатие: больше %u байт", CHANGESET_MAX_PLAIN_BYTES);
	memset(&zs, 0, sizeof(zs));
	zs.zalloc = envelope_zalloc;
	zs.zfree = envelope_zfree;
	/* Level 3, not zlib's default 6: a set of 1,000 answers shrinks to 0.13
	 * of its size instead of 0.11, in well under half the time; sealing is
	 * what a device spends most on while pushing. */
	if (deflateInit2(&zs, 3, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return terr_set(e, TERR_NOMEM, "сжатие: недостаточно памяти");
	bound = deflateBound(&zs, (uLong)len);
	if (start + bound > tbuf_max(out)) {
		r = terr_set(e, TERR_TOO_LARGE, "сжатие: не хватает места в буфере");
		goto out;
	}
	if ((p = tbuf_reserve(out, bound)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "сжатие: недостаточно памяти");
		goto out;
	}
	zs.next_in = in;
	zs.avail_in = (uInt)len;
	zs.next_out = p;
	zs.avail_out = (uInt)bound;
	if ((zr = deflate(&zs, Z_FINISH)) != Z_STREAM_END) {
		tbuf_truncate(out, start);
		r = terr_set(e, TERR_INTERNAL, "сжатие: ошибка zlib %d", zr);
		goto out;
	}
	/* the bound reserved is about the input's size; zlib wrote only total_out */
	tbuf_unreserve(out, start + zs.total_out);
	r = 0;
 out:
	deflateEnd(&zs);
	return r;
}

int
envelope_inflate(const uint8_t *in, size_t len, uint8_t *out, size_t plain_len)
{
	z_stream zs;
	int zr, ok;

	memset(&zs, 0, sizeof(zs));
	zs.zalloc = envelope_zalloc;
	zs.zfree = envelope_zfree;
	if (inflateInit(&zs) != Z_OK)
		return TERR_NOMEM;
	zs.next_in = in;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)plain_len;
	zr = inflate(&zs, Z_FINISH);
	ok = zr == Z_STREAM_END && zs.avail_in == 0 && zs.total_out == plain_len;
	inflateEnd(&zs);
	return ok ? 0 : TERR_DECOMPRESS;
}

int
envelope_box_keys(const uint8_t recipient_pk[KEYS_ENC_PK_BYTES],
    const struct envelope_det *det, struct envelope_box *box)
{
	uint8_t seed[32], eph_sk[crypto_kx_SECRETKEYBYTES], rx[crypto_kx_SESSIONKEYBYTES];
	int r = 0;

	if (det != NULL) {
		memcpy(seed, det->eph_seed, sizeof(seed));
		memcpy(box->nonce, det->nonce, ENVELOPE_NONCE_BYTES);
	} else {
		randombytes_buf(seed, sizeof(seed));
		randombytes_buf(box->nonce, ENVELOPE_NONCE_BYTES);
	}
	crypto_kx_seed_keypair(box->eph_pk, eph_sk, seed);
	if (crypto_kx_client_session_keys(rx, box->tx, box->eph_pk, eph_sk, recipient_pk) != 0)
		r = TERR_CRYPTO;
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(eph_sk, sizeof(eph_sk));
	sodium_memzero(rx, sizeof(rx));
	return r;
}

int
envelope_box_close(uint8_t *p, size_t header_len, const uint8_t *payload,
    size_t payload_len, const uint8_t signer_sk[64], struct envelope_box *box)
{
	unsigned long long clen = 0;

	crypto_aead_xchacha20poly1305_ietf_encrypt(p + header_len, &clen, payload, payload_len,
	    p, header_len, NULL, box->nonce, box->tx);
	sodium_memzero(box->tx, sizeof(box->tx));
	if (clen != payload_len + ENVELOPE_TAG_BYTES)
		return TERR_INTERNAL;
	crypto_sign_detached(p + header_len + clen, NULL, p, header_len + clen, signer_sk);
	return 0;
}

int
envelope_box_open(const uint8_t *buf, size_t header_len, uint32_t cipher_len,
    const uint8_t eph_pk[KEYS_ENC_PK_BYTES], const uint8_t nonce[ENVELOPE_NONCE_BYTES],
    const struct keys_enc *me, uint8_t *dec)
{
	uint8_t rx[crypto_kx_SESSIONKEYBYTES], tx[crypto_kx_SESSIONKEYBYTES];
	int r = 0;

	if (crypto_kx_server_session_keys(rx, tx, me->pk, me->sk, eph_pk) != 0 ||
	    crypto_aead_xchacha20poly1305_ietf_decrypt(dec, NULL, NULL, buf + header_len,
	    cipher_len, buf, header_len, nonce, rx) != 0)
		r = TERR_DECRYPT;
	sodium_memzero(rx, sizeof(rx));
	sodium_memzero(tx, sizeof(tx));
	return r;
}

int
envelope_seal_raw(const struct envelope_header *hin, const uint8_t *payload,
    size_t payload_len, const struct keys_sign *dev,
    const uint8_t hub_enc_pk[KEYS_ENC_PK_BYTES], const struct envelope_det *det,
    struct tbuf *out, struct terr *e)
{
	struct envelope_header h = *hin;
	struct envelope_box box;
	size_t total, start;
	uint8_t *p;
	int r;

	if (payload_len > ENVELOPE_MAX_CIPHER - ENVELOPE_TAG_BYTES)
		return terr_set(e, TERR_TOO_LARGE, "набор %" PRIu64 "–%" PRIu64
		    ": зашифрованный пакет больше %u байт; разбейте набор на части",
		    h.first_seq, h.last_seq, ENVELOPE_MAX_BYTES);
	h.cipher_len = (uint32_t)(payload_len + ENVELOPE_TAG_BYTES);
	total = ENVELOPE_HEADER_BYTES + h.cipher_len + ENVELOPE_SIG_BYTES;
	start = tbuf_len(out);
	if (total > tbuf_max(out) - start)
		return terr_set(e, TERR_TOO_LARGE, "набор %" PRIu64 "–%" PRIu64
		    ": не хватает места в буфере", h.first_seq, h.last_seq);

	if ((r = envelope_box_keys(hub_enc_pk, det, &box)) != 0) {
		r = terr_set(e, TERR_CRYPTO, "ключ шифрования хаба недопустим");
		goto out;
	}
	memcpy(h.eph_pk, box.eph_pk, sizeof(h.eph_pk));
	memcpy(h.nonce, box.nonce, sizeof(h.nonce));
	if ((p = tbuf_reserve(out, total)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "упаковка набора: недостаточно памяти");
		goto out;
	}
	envelope_header_write(&h, p);
	if (envelope_box_close(p, ENVELOPE_HEADER_BYTES, payload, payload_len, dev->sk,
	    &box) != 0) {
		tbuf_truncate(out, start);
		r = terr_set(e, TERR_INTERNAL, "упаковка набора: неожиданная длина шифротекста");
		goto out;
	}
	r = 0;
 out:
	sodium_memzero(&box, sizeof(box));
	return r;
}

int
envelope_seal(const struct changeset *cs, const struct keys_sign *dev,
    const uint8_t hub_enc_pk[KEYS_ENC_PK_BYTES], const struct envelope_det *det,
    struct tbuf *out, uint8_t set_hash[CHANGESET_HASH_BYTES], struct terr *e)
{
	struct envelope_header h;
	struct tbuf *plain = NULL, *z = NULL;
	const struct tbuf *payload;
	uint8_t hash[CHANGESET_HASH_BYTES];
	int r;

	if (cs == NULL || dev == NULL || hub_enc_pk == NULL || out == NULL)
		return terr_set(e, TERR_ARG, "упаковка набора: не переданы набор, ключ или буфер");
	memset(&h, 0, sizeof(h));
	keys_id(dev->pk, h.device_id);
	if (memcmp(h.device_id, cs->device_id, KEYS_ID_BYTES) != 0) {
		char a[KEYS_ID_HEXLEN + 1], b[KEYS_ID_HEXLEN + 1];

		keys_hex(cs->device_id, KEYS_ID_BYTES, a);
		keys_hex(h.device_id, KEYS_ID_BYTES, b);
		return terr_set(e, TERR_DEVICE_KEY, "набор изменений от устройства %s нельзя подписать "
		    "ключом устройства %s", a, b);
	}
	if ((plain = tbuf_new(CHANGESET_MAX_PLAIN_BYTES)) == NULL ||
	    (z = tbuf_new(CHANGESET_MAX_PLAIN_BYTES)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "упаковка набора: недостаточно памяти");
		goto out;
	}
	{
		/*
		 * The text is about the puts' canonical fields and some 200 bytes
		 * around each op: room for that at once, not by doubling from 256
		 * bytes (for 1,000 visits, 14 copies and each time fresh pages). A
		 * guess that is short only means the buffer grows as before.
		 */
		size_t guess = 512;

		for (size_t i = 0; i < cs->n_ops && guess < CHANGESET_MAX_PLAIN_BYTES; i++)
			guess += cs->ops[i].fields_len + 256;
		if (guess > CHANGESET_MAX_PLAIN_BYTES)
			guess = CHANGESET_MAX_PLAIN_BYTES;
		if ((r = tbuf_expect(plain, guess)) != 0) {
			r = terr_set(e, r, "упаковка набора: недостаточно памяти");
			goto out;
		}
	}
	if ((r = changeset_encode(cs, plain, e)) != 0)
		goto out;
	changeset_hash(tbuf_ptr(plain), tbuf_len(plain), hash);
	payload = plain;
	/* A set too incompressible to fit the cap is simply sent as is. */
	if (envelope_deflate(tbuf_ptr(plain), tbuf_len(plain), z, NULL) == 0 &&
	    tbuf_len(z) < tbuf_len(plain)) {
		payload = z;
		h.flags |= ENVELOPE_FLAG_DEFLATE;
	}
	h.version = ENVELOPE_VERSION;
	keys_id(hub_enc_pk, h.hub_key_id);
	h.first_seq = cs->first_seq;
	h.last_seq = cs->last_seq;
	h.op_count = (uint32_t)cs->n_ops;
	h.plain_len = (uint32_t)tbuf_len(plain);
	memcpy(h.prev_hash, cs->prev_hash, CHANGESET_HASH_BYTES);
	if ((r = envelope_seal_raw(&h, tbuf_ptr(payload), tbuf_len(payload), dev, hub_enc_pk,
	    det, out, e)) != 0)
		goto out;
	if (set_hash != NULL)
		memcpy(set_hash, hash, CHANGESET_HASH_BYTES);
	r = 0;
 out:
	tbuf_free(plain);
	tbuf_free(z);
	return r;
}

/*
 * The header's fields (buf holds at least ENVELOPE_HEADER_BYTES, magic and
 * version already checked) and the envelope's whole length they declare.
 */
static int
envelope_header_fields(const uint8_t *buf, struct envelope_header *h, uint64_t *total,
    struct terr *e)
{
	h->version = buf[EO_VERSION];
	h->flags = buf[EO_FLAGS];
	memcpy(h->device_id, buf + EO_DEVICE, KEYS_ID_BYTES);
	memcpy(h->hub_key_id, buf + EO_HUB, KEYS_ID_BYTES);
	h->first_seq = envelope_get64(buf + EO_FIRST);
	h->last_seq = envelope_get64(buf + EO_LAST);
	h->op_count = envelope_get32(buf + EO_COUNT);
	h->plain_len = envelope_get32(buf + EO_PLAIN);
	memcpy(h->prev_hash, buf + EO_PREV, CHANGESET_HASH_BYTES);
	memcpy(h->eph_pk, buf + EO_EPH, KEYS_ENC_PK_BYTES);
	memcpy(h->nonce, buf + EO_NONCE, ENVELOPE_NONCE_BYTES);
	h->cipher_len = envelope_get32(buf + EO_CIPHER);

	if ((h->flags & ~ENVELOPE_FLAG_DEFLATE) != 0 || buf[EO_RESERVED] != 0 ||
	    buf[EO_RESERVED + 1] != 0)
		return terr_set(e, TERR_HEADER, "повреждён заголовок пакета: неизвестные флаги 0x%02x "
		    "или ненулевые резервные байты", h->flags);
	if (h->first_seq == 0 || h->last_seq < h->first_seq ||
	    h->last_seq > 9007199254740992ULL)
		return terr_set(e, TERR_HEADER, "повреждён заголовок пакета: недопустимый диапазон номеров %"
		    PRIu64 "–%" PRIu64, h->first_seq, h->last_seq);
	if (h->op_count > CHANGESET_MAX_OPS || h->op_count == 0 ||
	    (uint64_t)h->op_count != h->last_seq - h->first_seq + 1)
		return terr_set(e, TERR_COUNT, "пакет %" PRIu64 "–%" PRIu64 ": в заголовке %" PRIu32
		    " операций, а должно быть %" PRIu64 " (не больше %d)", h->first_seq, h->last_seq,
		    h->op_count, h->last_seq - h->first_seq + 1, CHANGESET_MAX_OPS);
	if (h->plain_len > CHANGESET_MAX_PLAIN_BYTES)
		return terr_set(e, TERR_TOO_LARGE, "пакет %" PRIu64 "–%" PRIu64 ": набор изменений "
		    "%" PRIu32 " байт, допустимо не больше %u", h->first_seq, h->last_seq, h->plain_len,
		    CHANGESET_MAX_PLAIN_BYTES);
	if (h->plain_len == 0 || h->cipher_len < ENVELOPE_TAG_BYTES + 1)
		return terr_set(e, TERR_HEADER, "повреждён заголовок пакета %" PRIu64 "–%" PRIu64
		    ": пустое содержимое", h->first_seq, h->last_seq);
	if (h->cipher_len > ENVELOPE_MAX_CIPHER)
		return terr_set(e, TERR_TOO_LARGE, "пакет %" PRIu64 "–%" PRIu64 ": шифротекст %" PRIu32
		    " байт, допустимо не больше %u", h->first_seq, h->last_seq, h->cipher_len,
		    ENVELOPE_MAX_CIPHER);
	/* Compressed only when that helped; raw means exactly the plaintext. */
	if ((h->flags & ENVELOPE_FLAG_DEFLATE) ?
	    h->cipher_len - ENVELOPE_TAG_BYTES >= h->plain_len :
	    h->cipher_len - ENVELOPE_TAG_BYTES != h->plain_len)
		return terr_set(e, TERR_HEADER, "повреждён заголовок пакета %" PRIu64 "–%" PRIu64
		    ": длины %" PRIu32 " и %" PRIu32 " не согласуются", h->first_seq, h->last_seq,
		    h->plain_len, h->cipher_len);
	*total = (uint64_t)ENVELOPE_HEADER_BYTES + h->cipher_len + ENVELOPE_SIG_BYTES;
	return 0;
}

/* Magic and version: what says the bytes are an envelope of ours at all. */
static int
envelope_check_magic(const uint8_t *buf, size_t len, struct terr *e)
{
	if (memcmp(buf, envelope_magic, sizeof(envelope_magic)) != 0)
		return terr_set(e, TERR_MAGIC, "это не пакет Tetrad: нет подписи формата «TTRD»");
	if (len > EO_VERSION && buf[EO_VERSION] != ENVELOPE_VERSION)
		return terr_set(e, TERR_VERSION, "пакет версии %u не поддерживается (ожидается %d); "
		    "обновите программу", buf[EO_VERSION], ENVELOPE_VERSION);
	return 0;
}

int
envelope_parse_header(const uint8_t *buf, size_t len, struct envelope_header *h,
    struct terr *e)
{
	uint64_t total;
	int r;

	if (buf == NULL || h == NULL)
		return terr_set(e, TERR_ARG, "пакет: нет данных");
	memset(h, 0, sizeof(*h));
	if (len > ENVELOPE_MAX_BYTES)
		return terr_set(e, TERR_TOO_LARGE, "пакет занимает %zu байт, допустимо не больше %u",
		    len, ENVELOPE_MAX_BYTES);
	if (len < sizeof(envelope_magic))
		return terr_set(e, TERR_TRUNCATED, "пакет обрезан: %zu байт вместо заголовка в %d байт",
		    len, ENVELOPE_HEADER_BYTES);
	if ((r = envelope_check_magic(buf, len, e)) != 0)
		return r;
	if (len < ENVELOPE_HEADER_BYTES)
		return terr_set(e, TERR_TRUNCATED, "пакет обрезан: %zu байт вместо заголовка в %d байт",
		    len, ENVELOPE_HEADER_BYTES);
	if ((r = envelope_header_fields(buf, h, &total, e)) != 0)
		return r;
	if (len < total)
		return terr_set(e, TERR_TRUNCATED, "пакет %" PRIu64 "–%" PRIu64 " обрезан: %zu байт "
		    "вместо %" PRIu64, h->first_seq, h->last_seq, len, total);
	if (len > total)
		return terr_set(e, TERR_TRAILING, "пакет %" PRIu64 "–%" PRIu64 ": %zu лишних байт "
		    "после подписи", h->first_seq, h->last_seq, (size_t)(len - total));
	return 0;
}

int
envelope_parse_header_only(const uint8_t buf[ENVELOPE_HEADER_BYTES],
    struct envelope_header *h, size_t *total, struct terr *e)
{
	uint64_t t = 0;
	int r;

	if (buf == NULL || h == NULL || total == NULL)
		return terr_set(e, TERR_ARG, "пакет: нет данных");
	memset(h, 0, sizeof(*h));
	*total = 0;
	if ((r = envelope_check_magic(buf, ENVELOPE_HEADER_BYTES, e)) != 0 ||
	    (r = envelope_header_fields(buf, h, &t, e)) != 0)
		return r;
	/* the fields cap cipher_len, so the total is within ENVELOPE_MAX_BYTES */
	*total = (size_t)t;
	return 0;
}

/* Whether h was sealed to hub's key. */
static int
envelope_check_hub(const struct envelope_header *h, const struct keys_enc *hub,
    struct terr *e)
{
	uint8_t id[KEYS_ID_BYTES];

	keys_id(hub->pk, id);
	if (memcmp(id, h->hub_key_id, KEYS_ID_BYTES) != 0) {
		char want[KEYS_ID_HEXLEN + 1], got[KEYS_ID_HEXLEN + 1], dev[KEYS_ID_HEXLEN + 1];

		keys_hex(h->device_id, KEYS_ID_BYTES, dev);
		keys_hex(h->hub_key_id, KEYS_ID_BYTES, got);
		keys_hex(id, KEYS_ID_BYTES, want);
		return terr_set(e, TERR_HUB_KEY, "набор %" PRIu64 "–%" PRIu64 " от устройства %s "
		    "зашифрован для ключа хаба %s, а у этого хаба ключ %s", h->first_seq, h->last_seq,
		    dev, got, want);
	}
	return 0;
}

int
envelope_verify(const uint8_t *buf, size_t len,
    const uint8_t device_pk[KEYS_SIGN_PK_BYTES], struct terr *e)
{
	struct envelope_header h;
	int r;

	if (device_pk == NULL)
		return terr_set(e, TERR_ARG, "проверка подписи: нет ключа устройства");
	if ((r = envelope_parse_header(buf, len, &h, e)) != 0)
		return r;
	return envelope_verify_parsed(buf, len, &h, device_pk, e);
}

/* Whether buf is exactly as long as h (from parsing buf) says. */
static int
envelope_check_parsed(const uint8_t *buf, size_t len, const struct envelope_header *h,
    struct terr *e)
{
	if (buf == NULL || h == NULL || h->cipher_len > ENVELOPE_MAX_CIPHER ||
	    len != (size_t)ENVELOPE_HEADER_BYTES + h->cipher_len + ENVELOPE_SIG_BYTES)
		return terr_set(e, TERR_ARG, "пакет: заголовок не от этого пакета");
	return 0;
}

int
envelope_verify_parsed(const uint8_t *buf, size_t len, const struct envelope_header *h,
    const uint8_t device_pk[KEYS_SIGN_PK_BYTES], struct terr *e)
{
	size_t signed_len;
	char id[KEYS_ID_HEXLEN + 1];
	int r;

	if (device_pk == NULL)
		return terr_set(e, TERR_ARG, "проверка подписи: нет ключа устройства");
	if ((r = envelope_check_parsed(buf, len, h, e)) != 0)
		return r;
	signed_len = ENVELOPE_HEADER_BYTES + h->cipher_len;
	if (crypto_sign_verify_detached(buf + signed_len, buf, signed_len, device_pk) != 0) {
		keys_hex(h->device_id, KEYS_ID_BYTES, id);
		return terr_set(e, TERR_SIGNATURE, "набор %" PRIu64 "–%" PRIu64 ": подпись не совпадает "
		    "с ключом устройства %s; пакет изменён или подделан", h->first_seq, h->last_seq, id);
	}
	return 0;
}

int
envelope_open(const uint8_t *buf, size_t len,
    const uint8_t device_pk[KEYS_SIGN_PK_BYTES], const struct keys_enc *hub,
    struct changeset **out, uint8_t set_hash[CHANGESET_HASH_BYTES], struct terr *e)
{
	struct envelope_header h;
	uint8_t id[KEYS_ID_BYTES];
	char dev[KEYS_ID_HEXLEN + 1];
	int r;

	if (out == NULL)
		return terr_set(e, TERR_ARG, "вскрытие пакета: некуда вернуть результат");
	*out = NULL;
	if (device_pk == NULL || hub == NULL)
		return terr_set(e, TERR_ARG, "вскрытие пакета: не переданы ключи");
	if ((r = envelope_parse_header(buf, len, &h, e)) != 0)
		return r;
	if ((r = envelope_check_hub(&h, hub, e)) != 0)
		return r;
	keys_id(device_pk, id);
	if (memcmp(id, h.device_id, KEYS_ID_BYTES) != 0) {
		char have[KEYS_ID_HEXLEN + 1];

		keys_hex(h.device_id, KEYS_ID_BYTES, dev);
		keys_hex(id, KEYS_ID_BYTES, have);
		return terr_set(e, TERR_DEVICE_KEY, "набор %" PRIu64 "–%" PRIu64 " подписан устройством "
		    "%s, а для проверки передан ключ устройства %s", h.first_seq, h.last_seq, dev, have);
	}
	if ((r = envelope_verify_parsed(buf, len, &h, device_pk, e)) != 0)
		return r;
	return envelope_open_verified(buf, len, &h, hub, out, set_hash, e);
}

int
envelope_open_verified(const uint8_t *buf, size_t len, const struct envelope_header *hp,
    const struct keys_enc *hub, struct changeset **out,
    uint8_t set_hash[CHANGESET_HASH_BYTES], struct terr *e)
{
	struct envelope_header h;
	struct changeset *cs = NULL;
	uint8_t *dec = NULL, *plain = NULL;
	size_t dec_len = 0;
	char dev[KEYS_ID_HEXLEN + 1];
	int r;

	if (out == NULL)
		return terr_set(e, TERR_ARG, "вскрытие пакета: некуда вернуть результат");
	*out = NULL;
	if (hub == NULL)
		return terr_set(e, TERR_ARG, "вскрытие пакета: не переданы ключи");
	if ((r = envelope_check_parsed(buf, len, hp, e)) != 0 ||
	    (r = envelope_check_hub(hp, hub, e)) != 0)
		return r;
	h = *hp;
	keys_hex(h.device_id, KEYS_ID_BYTES, dev);

	dec_len = h.cipher_len - ENVELOPE_TAG_BYTES;
	if ((dec = malloc(dec_len)) == NULL) {
		r = terr_set(e, TERR_NOMEM, "вскрытие пакета: недостаточно памяти");
		goto out;
	}
	if (envelope_box_open(buf, ENVELOPE_HEADER_BYTES, h.cipher_len, h.eph_pk, h.nonce, hub,
	    dec) != 0) {
		r = terr_set(e, TERR_DECRYPT, "набор %" PRIu64 "–%" PRIu64 " от устройства %s не "
		    "расшифровывается ключом этого хаба", h.first_seq, h.last_seq, dev);
		goto out;
	}
	if (h.flags & ENVELOPE_FLAG_DEFLATE) {
		if ((plain = malloc(h.plain_len)) == NULL) {
			r = terr_set(e, TERR_NOMEM, "вскрытие пакета: недостаточно памяти");
			goto out;
		}
		if ((r = envelope_inflate(dec, dec_len, plain, h.plain_len)) == TERR_NOMEM) {
			r = terr_set(e, r, "вскрытие пакета: недостаточно памяти");
			goto out;
		}
		if (r != 0) {
			r = terr_set(e, r, "набор %" PRIu64 "–%" PRIu64 " от устройства %s: сжатые данные "
			    "повреждены или их размер не равен %" PRIu32 " байт", h.first_seq, h.last_seq,
			    dev, h.plain_len);
			goto out;
		}
	} else {
		plain = dec;
		dec = NULL;
	}
	/* the set keeps the plaintext (wiped with it) for its fields' text */
	r = changeset_parse_take(plain, h.plain_len, &cs, e);
	plain = NULL;
	if (r != 0)
		goto out;
	if (memcmp(cs->device_id, h.device_id, KEYS_ID_BYTES) != 0 ||
	    cs->first_seq != h.first_seq || cs->last_seq != h.last_seq ||
	    cs->n_ops != h.op_count ||
	    sodium_memcmp(cs->prev_hash, h.prev_hash, CHANGESET_HASH_BYTES) != 0) {
		char inner[KEYS_ID_HEXLEN + 1];

		keys_hex(cs->device_id, KEYS_ID_BYTES, inner);
		r = terr_set(e, TERR_MISMATCH, "пакет: заголовок (устройство %s, номера %" PRIu64 "–%"
		    PRIu64 ") не совпадает с содержимым (устройство %s, номера %" PRIu64 "–%" PRIu64
		    "%s)", dev, h.first_seq, h.last_seq, inner, cs->first_seq, cs->last_seq,
		    sodium_memcmp(cs->prev_hash, h.prev_hash, CHANGESET_HASH_BYTES) != 0 ?
		    ", хеш предыдущего набора другой" : "");
		goto out;
	}
	if (set_hash != NULL)
		changeset_hash(cs->text, cs->text_len, set_hash);
	*out = cs;
	cs = NULL;
	r = 0;
 out:
	if (dec != NULL) {
		sodium_memzero(dec, dec_len);
		free(dec);
	}
	if (plain != NULL) {
		sodium_memzero(plain, h.plain_len);
		free(plain);
	}
	changeset_free(cs);
	return r;
}
