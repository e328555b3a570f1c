/*
 * tls — the hub's TLS material: a self-signed test CA and server
 * certificate made with GnuTLS (`init --tls-self-signed HOST`, for local
 * tests and demonstrations only, never for production), and loading the
 * certificate and key the server presents (DIR/tls/server.pem, server.key,
 * or the files named in hub.conf).
 */
#ifndef TETRAD_HUB_TLS_H
#define TETRAD_HUB_TLS_H

#include "tetrad/terr.h"

#define TLS_PEM_MAX (256u << 10)

/*
 * Writes dir/ca.pem, ca.key, server.pem, server.key (keys 0600): an ECDSA
 * P-256 CA valid 10 years and a server certificate for host (an IP address
 * or a DNS name; "localhost" is always added) signed by it, valid 2 years.
 * Refuses to overwrite existing files.
 */
int tls_make_self_signed(const char *dir, const char *host, struct terr *e);

/* Reads a PEM file (≤ TLS_PEM_MAX) into a NUL-terminated string. */
int tls_read_pem(const char *path, char **out, struct terr *e);

/* "sha256//" + 44 base64 characters + NUL */
#define TLS_PIN_MAX 53

/*
 * The pin of the first certificate in path (PEM: the server's own
 * certificate comes first in a chain): "sha256//" and the base64 of the
 * SHA-256 of its SubjectPublicKeyInfo (DER), what curl's
 * CURLOPT_PINNEDPUBLICKEY and tetrad-syncd's --pin compare.
 */
int tls_pin(const char *path, char out[TLS_PIN_MAX + 1], struct terr *e);

#endif
