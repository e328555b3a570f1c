/*
 * tls — self-signed test CA and server certificate with GnuTLS (tls.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <sodium.h>

#include "hub/tls.h"
#include "tetrad/fileio.h"

static int
tls_write(const char *dir, const char *name, const gnutls_datum_t *d, mode_t mode,
    struct terr *e)
{
	char path[4096];
	int fd;
	ssize_t w;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* a private key: fileio's one private path (0600, whole or not at all,
	 * never over an existing file) */
	if (mode == 0600)
		return fileio_create_private(path, d->data, d->size, e);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0)
		return terr_set(e, TERR_IO, "не удалось создать %s: %s", path, terr_strerror(errno));
	w = write(fd, d->data, d->size);
	if (w != (ssize_t)d->size || fsync(fd) != 0) {
		close(fd);
		return terr_set(e, TERR_IO, "не удалось записать %s: %s", path, terr_strerror(errno));
	}
	close(fd);
	return 0;
}

static int
tls_gnutls(int rc, const char *what, struct terr *e)
{
	return terr_set(e, TERR_CRYPTO, "GnuTLS: %s: %s", what, gnutls_strerror(rc));
}

static int
tls_new_key(gnutls_x509_privkey_t *k, struct terr *e)
{
	int rc;

	if ((rc = gnutls_x509_privkey_init(k)) < 0)
		return tls_gnutls(rc, "ключ", e);
	if ((rc = gnutls_x509_privkey_generate(*k, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0)) < 0)
		return tls_gnutls(rc, "создание ключа", e);
	return 0;
}

static int
tls_base(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, const char *dn,
    int years, struct terr *e)
{
	uint8_t serial[16], kid[64];
	size_t kid_len = sizeof(kid);
	time_t now = time(NULL);
	const char *err = NULL;
	int rc;

	randombytes_buf(serial, sizeof(serial));
	serial[0] &= 0x7f;
	if ((rc = gnutls_x509_crt_set_version(crt, 3)) < 0 ||
	    (rc = gnutls_x509_crt_set_serial(crt, serial, sizeof(serial))) < 0 ||
	    (rc = gnutls_x509_crt_set_activation_time(crt, now - 3600)) < 0 ||
	    (rc = gnutls_x509_crt_set_expiration_time(crt, now + (time_t)years * 365 * 86400)) < 0 ||
	    (rc = gnutls_x509_crt_set_dn(crt, dn, &err)) < 0 ||
	    (rc = gnutls_x509_crt_set_key(crt, key)) < 0 ||
	    (rc = gnutls_x509_privkey_get_key_id(key, 0, kid, &kid_len)) < 0 ||
	    (rc = gnutls_x509_crt_set_subject_key_id(crt, kid, kid_len)) < 0)
		return tls_gnutls(rc, "сертификат", e);
	return 0;
}

int
tls_make_self_signed(const char *dir, const char *host, struct terr *e)
{
	gnutls_x509_privkey_t ca_key = NULL, srv_key = NULL;
	gnutls_x509_crt_t ca = NULL, srv = NULL;
	gnutls_datum_t d = { NULL, 0 };
	uint8_t kid[64], ip[16];
	size_t kid_len = sizeof(kid);
	char dn[512];
	int rc, r = TERR_CRYPTO;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return terr_set(e, TERR_IO, "не удалось создать папку %s: %s", dir, terr_strerror(errno));
	if (strlen(host) == 0 || strlen(host) > 253 || strpbrk(host, ",=+\\\"<>;/ ") != NULL)
		return terr_set(e, TERR_ARG, "недопустимое имя хоста «%s»", host);
	if ((r = tls_new_key(&ca_key, e)) != 0 || (r = tls_new_key(&srv_key, e)) != 0)
		goto out;
	r = TERR_CRYPTO;
	if ((rc = gnutls_x509_crt_init(&ca)) < 0 || (rc = gnutls_x509_crt_init(&srv)) < 0) {
		r = tls_gnutls(rc, "сертификат", e);
		goto out;
	}
	if ((r = tls_base(ca, ca_key, "CN=Tetrad test CA (not for production),O=Tetrad",
	    10, e)) != 0)
		goto out;
	if ((rc = gnutls_x509_crt_set_basic_constraints(ca, 1, 0)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(ca, GNUTLS_KEY_KEY_CERT_SIGN |
	    GNUTLS_KEY_CRL_SIGN)) < 0 ||
	    (rc = gnutls_x509_crt_sign2(ca, ca, ca_key, GNUTLS_DIG_SHA256, 0)) < 0) {
		r = tls_gnutls(rc, "сертификат центра", e);
		goto out;
	}
	snprintf(dn, sizeof(dn), "CN=%s,O=Tetrad test hub", host);
	if ((r = tls_base(srv, srv_key, dn, 2, e)) != 0)
		goto out;
	if (inet_pton(AF_INET, host, ip) == 1)
		rc = gnutls_x509_crt_set_subject_alt_name(srv, GNUTLS_SAN_IPADDRESS, ip, 4,
		    GNUTLS_FSAN_APPEND);
	else if (inet_pton(AF_INET6, host, ip) == 1)
		rc = gnutls_x509_crt_set_subject_alt_name(srv, GNUTLS_SAN_IPADDRESS, ip, 16,
		    GNUTLS_FSAN_APPEND);
	else
		rc = gnutls_x509_crt_set_subject_alt_name(srv, GNUTLS_SAN_DNSNAME, host,
		    (unsigned)strlen(host), GNUTLS_FSAN_APPEND);
	if (rc >= 0 && strcmp(host, "localhost") != 0)
		rc = gnutls_x509_crt_set_subject_alt_name(srv, GNUTLS_SAN_DNSNAME, "localhost",
		    9, GNUTLS_FSAN_APPEND);
	if (rc >= 0)
		rc = gnutls_x509_crt_get_subject_key_id(ca, kid, &kid_len, NULL);
	if (rc < 0 ||
	    (rc = gnutls_x509_crt_set_authority_key_id(srv, kid, kid_len)) < 0 ||
	    (rc = gnutls_x509_crt_set_basic_constraints(srv, 0, -1)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_usage(srv, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
	    (rc = gnutls_x509_crt_set_key_purpose_oid(srv, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
	    (rc = gnutls_x509_crt_sign2(srv, ca, ca_key, GNUTLS_DIG_SHA256, 0)) < 0) {
		r = tls_gnutls(rc, "сертификат сервера", e);
		goto out;
	}
#define TLS_EXPORT(call, name, mode) do { \
	if ((rc = (call)) < 0) { r = tls_gnutls(rc, name, e); goto out; } \
	r = tls_write(dir, name, &d, mode, e); \
	gnutls_free(d.data); d.data = NULL; \
	if (r != 0) goto out; \
} while (0)
	TLS_EXPORT(gnutls_x509_privkey_export2(ca_key, GNUTLS_X509_FMT_PEM, &d), "ca.key", 0600);
	TLS_EXPORT(gnutls_x509_crt_export2(ca, GNUTLS_X509_FMT_PEM, &d), "ca.pem", 0644);
	TLS_EXPORT(gnutls_x509_privkey_export2(srv_key, GNUTLS_X509_FMT_PEM, &d), "server.key",
	    0600);
	TLS_EXPORT(gnutls_x509_crt_export2(srv, GNUTLS_X509_FMT_PEM, &d), "server.pem", 0644);
#undef TLS_EXPORT
	r = 0;
 out:
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_crt_deinit(srv);
	gnutls_x509_privkey_deinit(ca_key);
	gnutls_x509_privkey_deinit(srv_key);
	return r;
}

int
tls_read_pem(const char *path, char **out, struct terr *e)
{
	uint8_t *buf = NULL;
	size_t n = 0;
	int r;

	*out = NULL;
	if ((r = fileio_read_all(path, TLS_PEM_MAX, &buf, &n, e)) != 0)
		return r;
	if (n == 0) {
		free(buf);
		return terr_set(e, TERR_IO, "файл %s пуст", path);
	}
	*out = (char *)buf;
	return 0;
}

int
tls_pin(const char *path, char out[TLS_PIN_MAX + 1], struct terr *e)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_pubkey_t pk = NULL;
	gnutls_datum_t in, der = { NULL, 0 };
	unsigned char hash[32];
	char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
	char *pem = NULL;
	int r;

	out[0] = '\0';
	if ((r = tls_read_pem(path, &pem, e)) != 0)
		return r;
	in.data = (unsigned char *)pem;
	in.size = (unsigned)strlen(pem);
	if (gnutls_x509_crt_init(&crt) < 0 || gnutls_pubkey_init(&pk) < 0) {
		r = terr_set(e, TERR_NOMEM, "недостаточно памяти");
		goto out;
	}
	/* gnutls_x509_crt_import takes the first certificate of a PEM chain */
	if (gnutls_x509_crt_import(crt, &in, GNUTLS_X509_FMT_PEM) < 0 ||
	    gnutls_pubkey_import_x509(pk, crt, 0) < 0 ||
	    gnutls_pubkey_export2(pk, GNUTLS_X509_FMT_DER, &der) < 0) {
		r = terr_set(e, TERR_PARSE, "%s: не удалось прочитать сертификат (нужен PEM)", path);
		goto out;
	}
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, der.data, der.size, hash) < 0) {
		r = terr_set(e, TERR_INTERNAL, "не удалось вычислить SHA-256 ключа сертификата");
		goto out;
	}
	sodium_bin2base64(b64, sizeof(b64), hash, sizeof(hash), sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, TLS_PIN_MAX + 1, "sha256//%s", b64);
	r = 0;
 out:
	gnutls_free(der.data);
	if (pk != NULL)
		gnutls_pubkey_deinit(pk);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	free(pem);
	return r;
}
